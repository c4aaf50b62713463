//! The terminal view of a playbook run, laid out as ansible-playbook's.

use indexmap::IndexMap;

use super::banner::banner;
use super::failure_summary::Failure;
use super::live::Live;
use super::readable::{
    compact, compact_map, debug_fields, is_debug, pretty, pretty_dump, shown_in_full, text_blocks,
};
use super::recap::recap_line;
use super::{Reporter, output, style};
use crate::executor::{Event, HostResult, Status};

pub struct HumanReporter {
    verbosity: u8,
    /// Whether the current play runs `strategy: free`.
    free: bool,
    /// The title and place of the last TASK banner printed: under `free`,
    /// hosts starting the same task one after another share its banner, as
    /// Ansible's default callback prints one per task, not per host.
    last_task: Option<(String, String)>,
    /// The template error last shown under this task: hosts failing the
    /// same way show it once, then only their `fatal:` lines.
    last_explained: Option<String>,
    live: Live,
    /// Each host's last failure that counted (not ignored) and what it
    /// ran, for the summary after the recap.
    failures: IndexMap<String, Failure>,
}

impl HumanReporter {
    pub fn new(verbosity: u8) -> Self {
        Self {
            verbosity,
            free: false,
            last_task: None,
            last_explained: None,
            live: Live::new(),
            failures: IndexMap::new(),
        }
    }

    fn print(&self, line: &str) {
        output::stdout_line(line);
    }

    /// A template failure at its place, before the host's `fatal:` line.
    fn explain(&mut self, result: &HostResult) {
        super::messages::explain(result, &mut self.last_explained);
    }

    fn section(&self, title: &str) {
        self.print(&format!("\n{}", banner(title)));
    }

    fn host_line(&self, result: &HostResult, looped_item: bool) -> String {
        let target = match &result.delegated_to {
            Some(to) if *to != result.host => format!("{} -> {to}", result.host),
            _ => result.host.clone(),
        };
        let item = result
            .item
            .as_ref()
            .map(|label| format!(" (item={label})"))
            .unwrap_or_default();
        let paint = style::for_status(result.status);
        let line = match result.status {
            Status::Failed if looped_item => format!(
                "failed: [{target}]{item} => {}{}",
                compact(&result.result),
                text_blocks(&result.result, self.verbosity)
            ),
            // Ansible's callback cleans a failed `debug` as an ok one.
            Status::Failed if is_debug(&result.module) => format!(
                "fatal: [{target}]: FAILED! => {}",
                compact_map(debug_fields(&result.result))
            ),
            Status::Failed if shown_in_full(result) => format!(
                "fatal: [{target}]: FAILED! => {}{}",
                pretty_dump(&result.result),
                text_blocks(&result.result, self.verbosity)
            ),
            Status::Failed => format!(
                "fatal: [{target}]: FAILED! => {}{}",
                compact(&result.result),
                text_blocks(&result.result, self.verbosity)
            ),
            Status::Unreachable => format!(
                "fatal: [{target}]: UNREACHABLE! => {}",
                compact(&result.result)
            ),
            status => format!(
                "{}: [{target}]{}{}",
                status_word(status),
                arrow(&item),
                self.details(result)
            ),
        };
        let mut painted = format!(
            "{}{}",
            super::diff_view::render_diffs(&result.result),
            paint.apply_to(line)
        );
        if result.ignored {
            painted.push_str(&format!(
                "\n{}",
                style::for_status(Status::Skipped).apply_to("...ignoring")
            ));
        }
        painted
    }

    /// What follows `ok: [host]`: `debug` output always, results with `-v`.
    fn details(&self, result: &HostResult) -> String {
        if result.status != Status::Skipped && shown_in_full(result) {
            if is_debug(&result.module) {
                return format!(" => {}", pretty(debug_fields(&result.result)));
            }
            return format!(" => {}", pretty_dump(&result.result));
        }
        if self.verbosity > 0 && result.status == Status::Skipped && is_debug(&result.module) {
            return format!(" => {}", compact_map(debug_fields(&result.result)));
        }
        if self.verbosity > 0 {
            return format!(
                " => {}{}",
                compact(&result.result),
                text_blocks(&result.result, self.verbosity)
            );
        }
        String::new()
    }
}

fn arrow(item: &str) -> String {
    if item.is_empty() {
        String::new()
    } else {
        format!(" =>{item}")
    }
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Changed => "changed",
        Status::Skipped => "skipping",
        Status::Failed => "failed",
        Status::Unreachable => "unreachable",
    }
}

/// Loop tasks are shown item by item; their summary result adds no line.
/// A module's own `results` key (dnf's `Installed: ...` lines) is not a
/// loop's: a loop's items carry `ansible_loop_var`, and an empty loop is
/// skipped.
fn is_loop_summary(result: &HostResult) -> bool {
    if result.item.is_some() {
        return false;
    }
    let Ok(results) = result.result.get_attr("results") else {
        return false;
    };
    if results.kind() != minijinja::value::ValueKind::Seq {
        return false;
    }
    match results.get_item_by_index(0) {
        Ok(first) if !first.is_undefined() => first
            .get_attr("ansible_loop_var")
            .is_ok_and(|v| !v.is_undefined()),
        _ => result.result.get_attr("skipped").is_ok_and(|v| v.is_true()),
    }
}

impl Reporter for HumanReporter {
    fn event(&mut self, event: &Event) {
        self.show(event);
        self.live.event(event);
    }

    fn tick(&mut self) {
        self.live.tick();
    }

    fn interrupted(&mut self, count: usize) {
        let message = self.live.interruption(count);
        self.warning(&message);
    }
}

impl HumanReporter {
    fn show(&mut self, event: &Event) {
        if let Event::HostResult(result) = event
            && matches!(result.status, Status::Failed | Status::Unreachable)
            && !result.ignored
        {
            let action = self.live.action_of(&result.host).map(str::to_string);
            self.failures.insert(
                result.host.clone(),
                Failure {
                    result: result.clone(),
                    action,
                },
            );
        }
        match event {
            Event::PlayStart { name, strategy, .. } => {
                self.free = *strategy == "free";
                self.last_task = None;
                self.section(&format!("PLAY [{name}]"));
            }
            Event::TaskStart {
                name,
                handler,
                location,
                ..
            } => {
                let kind = if *handler { "RUNNING HANDLER" } else { "TASK" };
                let task = (format!("{kind} [{name}]"), location.clone());
                if self.free && self.last_task.as_ref() == Some(&task) {
                    return;
                }
                self.section(&task.0);
                self.last_explained = None;
                if self.verbosity >= 2 {
                    self.print(&format!("task path: {location}"));
                }
                self.last_task = Some(task);
            }
            Event::ItemResult(result) => {
                self.explain(result);
                self.print(&self.host_line(result, true));
            }
            Event::HostResult(result) if is_loop_summary(result) => {
                if result.ignored {
                    self.print(
                        &style::for_status(Status::Skipped)
                            .apply_to("...ignoring")
                            .to_string(),
                    );
                }
            }
            // Shown by the `Included` event that follows.
            Event::HostResult(result)
                if result.status == Status::Ok && result.module.starts_with("include_") => {}
            Event::Included { file, hosts, item } => {
                let mut line = format!("included: {file} for {}", hosts.join(", "));
                if let Some(item) = item {
                    line.push_str(&format!(" => (item={item})"));
                }
                self.print(
                    &style::for_status(Status::Skipped)
                        .apply_to(line)
                        .to_string(),
                );
            }
            Event::HostResult(result) => {
                self.explain(result);
                self.print(&self.host_line(result, false));
            }
            Event::Warning { message } => self.warning(message),
            Event::Retry {
                host,
                task,
                retries_left,
                ..
            } => {
                let line =
                    format!("FAILED - RETRYING: [{host}]: {task} ({retries_left} retries left).");
                self.print(&style::for_status(Status::Failed).apply_to(line).to_string());
            }
            Event::AsyncPoll {
                host,
                jid,
                started,
                finished,
            } => {
                let line = format!(
                    "ASYNC POLL on {host}: jid={jid} started={} finished={}",
                    python_bool(*started),
                    python_bool(*finished)
                );
                self.print(&style::debug().apply_to(line).to_string());
            }
            Event::AsyncEnd { host, jid, failed } => {
                let outcome = if *failed { "FAILED" } else { "OK" };
                let line = format!("ASYNC {outcome} on {host}: jid={jid}");
                self.print(&style::debug().apply_to(line).to_string());
            }
            Event::NoHostsMatched { .. } => self.print("skipping: no hosts matched"),
            Event::NoHostsRemaining => {
                self.section("NO MORE HOSTS LEFT");
                self.last_task = None;
            }
            Event::RetryFile { path } => self.print(&format!("\tto retry, use: --limit @{path}\n")),
            // The live view's, below.
            Event::HostStart { .. } => {}
            // Asked through `Reporter::ask`, never shown as an event.
            Event::Question(_) => {}
            // Counts for measurement (--output json, the journal); Ansible shows none.
            Event::Traffic { .. } => {}
            Event::SessionOpened(_) | Event::CommandSent(_) => {
                super::connection_view::show(event, self.verbosity);
            }
            Event::Recap { hosts } => {
                self.print(&format!("\n{}", banner("PLAY RECAP")));
                for (host, stats) in hosts {
                    let paint = style::for_recap(stats);
                    self.print(&recap_line(host, stats, |text| {
                        paint.apply_to(text).to_string()
                    }));
                }
                self.print("");
                // The hosts the recap counts as failed or unreachable (a
                // rescued failure is not one).
                let failures: Vec<&Failure> = hosts
                    .iter()
                    .filter(|(_, stats)| stats.failed > 0 || stats.unreachable > 0)
                    .filter_map(|(host, _)| self.failures.get(host))
                    .collect();
                let summary = super::failure_summary::render(&failures);
                if !summary.is_empty() {
                    output::stdout(&format!("{summary}\n"));
                }
            }
        }
    }
}

fn python_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}
