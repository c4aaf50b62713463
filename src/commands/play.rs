//! `runbook play`: check, list, or run playbooks.

use std::fmt::Write;
use std::sync::Arc;

use super::drive::{drive, reporter};
use crate::cli::ExitCode;
use crate::cli::args::PlayArgs;
use crate::cli::settings;
use crate::inventory::Inventory;
use crate::playbook::{self, Playbook};
use crate::report::{HumanReporter, Reporter};

pub fn play(args: &PlayArgs) -> ExitCode {
    let verbosity = args.connect.verbose;
    let mut reporter = reporter(args.connect.output, || {
        Box::new(HumanReporter::new(verbosity))
    });
    let cwd = super::cwd();
    let mut playbooks = Vec::new();
    let mut broken = false;
    for path in &args.playbooks {
        let load_options = playbook::LoadOptions {
            roles_path: args.roles_path.clone(),
        };
        match playbook::load(path, &load_options) {
            Ok(book) => playbooks.push(book),
            Err(errors) => {
                broken = true;
                errors.iter().for_each(|e| reporter.error(e));
            }
        }
    }
    if broken {
        return ExitCode::ParseError;
    }
    if args.syntax_check {
        let mut out = String::new();
        for book in &playbooks {
            let _ = writeln!(out, "\nplaybook: {}", book.path.display());
        }
        print!("{out}");
        return ExitCode::Ok;
    }
    let options = match settings::run_options(&args.connect, &cwd) {
        Ok(mut options) => {
            options.tags = crate::executor::TagFilter {
                only: args.tags.clone(),
                skip: args.skip_tags.clone(),
            };
            options.start_at_task = args.start_at_task.clone();
            options.force_handlers = args.force_handlers;
            options.step = args.step;
            if args.step && !crate::terminal::available() {
                reporter.error(&crate::source::Diagnostic::new(
                    "--step asks before each task and needs a terminal",
                ));
                return ExitCode::BadOptions;
            }
            options
        }
        Err(e) => {
            reporter.error(&e);
            return ExitCode::BadOptions;
        }
    };
    let mut inventory = match settings::inventory(&args.connect.inventory, &cwd) {
        Ok(inventory) => (*inventory).clone(),
        Err(e) => {
            reporter.error(&e);
            return ExitCode::ParseError;
        }
    };
    for book in &playbooks {
        if let Err(e) = inventory.load_playbook_vars(&book.dir) {
            reporter.error(&e);
            return ExitCode::ParseError;
        }
    }
    let inventory = Arc::new(inventory);
    if let Some(limit) = &args.connect.limit {
        match inventory.select(limit) {
            Ok(selection) if selection.hosts.is_empty() => {
                reporter.error(&crate::source::Diagnostic::new(format!(
                    "--limit {limit} leaves no hosts to target (it matches none in the inventory)"
                )));
                return ExitCode::Error;
            }
            Ok(_) => {}
            Err(e) => {
                reporter.error(&e);
                return ExitCode::BadOptions;
            }
        }
    }
    if args.list_hosts || args.list_tasks || args.list_tags {
        return list(&playbooks, &inventory, args, reporter.as_mut());
    }
    let mut worst = ExitCode::Ok;
    for book in playbooks {
        let inventory = inventory.clone();
        let options = options.clone();
        let code = drive(reporter.as_mut(), move |events| {
            crate::executor::run_playbook(&book, inventory, options, events)
        });
        if code != ExitCode::Ok {
            worst = code;
            break;
        }
    }
    worst
}

/// `--list-hosts` / `--list-tasks`, in ansible-playbook's layout.
fn list(
    playbooks: &[Playbook],
    inventory: &Inventory,
    args: &PlayArgs,
    reporter: &mut dyn Reporter,
) -> ExitCode {
    let mut out = String::new();
    for book in playbooks {
        let _ = writeln!(out, "\nplaybook: {}", book.path.display());
        for (index, play) in book.plays.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n  play #{} ({}): {}\tTAGS: [{}]",
                index + 1,
                play.hosts,
                play.name.as_deref().unwrap_or(""),
                play.tags.join(", ")
            );
            if args.list_hosts {
                let mut hosts = match inventory.select(&play.hosts) {
                    Ok(selection) => selection.hosts,
                    Err(e) => {
                        reporter.error(&e);
                        return ExitCode::Error;
                    }
                };
                if let Some(limit) = &args.connect.limit {
                    let allowed = inventory.select(limit).map(|s| s.hosts).unwrap_or_default();
                    hosts.retain(|h| allowed.contains(h));
                }
                let _ = writeln!(
                    out,
                    "    pattern: ['{}']\n    hosts ({}):",
                    play.hosts,
                    hosts.len()
                );
                hosts.iter().for_each(|h| {
                    let _ = writeln!(out, "      {h}");
                });
            }
            if args.list_tags {
                let mut tags: Vec<&str> = play
                    .all_tasks()
                    .flat_map(|t| t.tags.iter().map(String::as_str))
                    .collect();
                tags.sort_unstable();
                tags.dedup();
                let _ = writeln!(out, "      TASK TAGS: [{}]", tags.join(", "));
            }
            if args.list_tasks {
                let _ = writeln!(out, "    tasks:");
                let filter = crate::executor::TagFilter {
                    only: args.tags.clone(),
                    skip: args.skip_tags.clone(),
                };
                for task in play.all_tasks().filter(|t| filter.selects(&t.tags)) {
                    let _ = writeln!(
                        out,
                        "      {}\tTAGS: [{}]",
                        task.display_name(),
                        task.tags.join(", ")
                    );
                }
            }
        }
    }
    print!("{out}");
    ExitCode::Ok
}
