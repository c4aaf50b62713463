//! `runbook runs` and `runbook runs show ID`: the journal of past runs.

use crate::cli::settings::RunsRequest;
use crate::cli::{Failure, Outcome};
use crate::report::{
    Journal, Listing, Reporter, RunLine, find_journal, journal_dir, list_journals,
};
use crate::source::Diagnostic;

pub(super) fn runs(request: &RunsRequest, reporter: &mut dyn Reporter) -> Result<Outcome, Failure> {
    let dir = journal_dir();
    match request {
        RunsRequest::List => {
            let runs = list_journals(&dir)
                .iter()
                .filter_map(|path| Journal::read(path).ok())
                .map(|journal| summary(&journal))
                .collect();
            reporter.listing(&Listing::Runs { runs });
        }
        RunsRequest::Show { id } => {
            let path = find_journal(&dir, id).map_err(Diagnostic::options)?;
            let journal = Journal::read(&path).map_err(Diagnostic::options)?;
            reporter.notice(&describe(&journal));
            for event in &journal.events {
                reporter.event(event);
            }
            if journal.footer.is_none() {
                reporter.warning("this run has no end recorded: it is still going, or the controller stopped before it ended");
            }
        }
    }
    Ok(Outcome::Success)
}

fn summary(journal: &Journal) -> RunLine {
    let recap = journal.recap();
    RunLine {
        id: journal.header.id.clone(),
        started: journal.header.started.clone(),
        user: journal.header.user.clone(),
        exit_code: journal.footer.as_ref().map(|footer| footer.exit_code),
        hosts: recap.len(),
        failed: journal.hosts_to_retry().len(),
        playbooks: journal.header.playbooks.clone(),
        commit: journal.header.git.as_ref().map(|git| {
            let short: String = git.commit.chars().take(12).collect();
            if git.dirty {
                format!("{short}+dirty")
            } else {
                short
            }
        }),
    }
}

/// `run ID: runbook play site.yml -i prod, by USER at TIME in DIR (commit …)`.
fn describe(journal: &Journal) -> String {
    let header = &journal.header;
    let mut command = format!("runbook play {}", header.playbooks.join(" "));
    for source in &header.inventory {
        command.push_str(&format!(" -i {source}"));
    }
    if let Some(limit) = &header.limit {
        command.push_str(&format!(" --limit {limit}"));
    }
    for name in &header.extra_vars {
        command.push_str(&format!(" -e {name}=…"));
    }
    if header.check {
        command.push_str(" --check");
    }
    let commit = header.git.as_ref().map_or_else(String::new, |git| {
        format!(
            ", commit {}{}",
            git.commit,
            if git.dirty {
                " with uncommitted changes"
            } else {
                ""
            }
        )
    });
    format!(
        "run {}: {command}, by {} at {} in {}{commit}",
        header.id, header.user, header.started, header.cwd
    )
}
