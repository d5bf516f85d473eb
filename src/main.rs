fn main() {
    std::process::exit(hormuz::cli::main());
}
