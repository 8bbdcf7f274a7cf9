//! The `goleash` command: everything happens in [`goleash::cli::main`].

fn main() -> std::process::ExitCode {
    goleash::cli::main()
}
