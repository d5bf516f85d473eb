fn main() {
    // Output piped into a reader that stops early (`hormuz check ... | head`) ends the
    // process quietly, as it does any Unix filter, instead of a panic in `println!`.
    #[cfg(unix)]
    // SAFETY: called first, before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(hormuz::commands::main());
}
