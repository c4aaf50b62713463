//! One file per command; each returns the process exit code.

mod drive;
mod inventory;
mod lab;
mod play;
mod run;

use crate::cli::ExitCode;
use crate::cli::args::{Cli, Command};

pub fn dispatch(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Play(args) => play::play(&args),
        Command::Run(args) => run::run(&args),
        Command::Inventory(args) => inventory::inventory(&args),
        Command::Lab(args) => lab::lab(&args),
    }
}

/// The directory relative paths on the command line are read from.
fn cwd() -> std::path::PathBuf {
    std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."))
}
