fn main() {
    std::process::exit(hormuz::commands::main());
}
