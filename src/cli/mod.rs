//! The command line: clap definitions ([`args`]), their resolution into
//! settings the core understands ([`settings`]), and dispatch.

pub mod args;
mod exit;
mod interrupt;
pub mod settings;

pub use exit::ExitCode;

use clap::Parser;

/// Parse the command line, run the command, and return the process exit code.
pub fn main() -> i32 {
    interrupt::exit_on_interrupt();
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::Ok
                }
                _ => ExitCode::BadOptions,
            };
            let _ = error.print();
            return code as i32;
        }
    };
    crate::commands::dispatch(cli) as i32
}
