//! The `scuttlesim` binary: parse arguments, call the library, map the
//! result to an exit code.

mod cli;
mod huge_pages;

#[global_allocator]
static ALLOCATOR: huge_pages::HugePages = huge_pages::HugePages;

use std::process::ExitCode;

fn main() -> ExitCode {
    huge_pages::init();
    cli::main()
}
