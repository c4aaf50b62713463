//! `runbook completions SHELL` and `runbook man`: generated from the same
//! clap definitions as `--help`, so they cannot drift from the flags; and
//! `runbook doc`, the module pages of docs/modules built into the binary.

use clap::CommandFactory;

use crate::cli::args::Cli;
use crate::cli::settings::{DocRequest, Generated};
use crate::cli::{Failure, Outcome};
use crate::report::{Listing, Reporter};
use crate::source::Diagnostic;

pub(super) fn generated(what: Generated, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    let mut command = Cli::command();
    let mut bytes = Vec::new();
    match what {
        Generated::Completions(shell) => {
            clap_complete::generate(shell, &mut command, "runbook", &mut bytes);
        }
        Generated::Man => clap_mangen::Man::new(command)
            .render(&mut bytes)
            .map_err(|e| Diagnostic::runtime(format!("cannot render the manual page: {e}")))?,
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Diagnostic::runtime("the generated text is not UTF-8 (please report it)"))?;
    reporter.listing(&Listing::Generated { text });
    Ok(Outcome::Success)
}

pub(super) fn doc(request: &DocRequest, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    let text = match request {
        DocRequest::List => crate::modules::registry::names()
            .map(|name| format!("{name}\n"))
            .collect(),
        DocRequest::Module(name) => crate::modules::registry::docs_page(name)
            .ok_or_else(|| {
                Diagnostic::options(format!("runbook has no module named `{name}`"))
                    .suggesting(name, crate::modules::registry::names())
                    .with_help_if_none("`runbook doc --list` lists every module")
            })?
            .to_string(),
    };
    reporter.listing(&Listing::Generated { text });
    Ok(Outcome::Success)
}
