//! The command line: clap definitions ([`args`]), their resolution into
//! settings the core understands ([`settings`]), and the exit code ([`exit`]).

pub mod args;
pub mod check_settings;
mod exit;
mod interrupt;
mod run_options;
pub mod settings;
pub mod vault_settings;

pub use exit::{ExitCode, Failure, Outcome};

use clap::Parser;

use crate::source::ErrorKind;

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
                _ => ExitCode::for_kind(ErrorKind::Options),
            };
            // clap's own help, version and usage text, before any reporter exists.
            let _ = error.print();
            return code.code();
        }
    };
    crate::commands::dispatch(cli).code()
}
