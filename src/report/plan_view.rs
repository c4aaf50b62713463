//! `runbook show PLAN`: a plan as text for the terminal, as Markdown for a
//! pull-request comment, or as normalised JSON.

use std::fmt::Write as _;

use super::style;
use crate::executor::Status;
use crate::plan::{HostPlan, Plan, TaskPlan, status_word};

/// How `runbook show` renders a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Text,
    Markdown,
    Json,
}

/// The plan rendered in `format`.
pub fn render_plan(plan: &Plan, format: PlanFormat) -> String {
    match format {
        PlanFormat::Text => text(plan),
        PlanFormat::Markdown => markdown(plan),
        PlanFormat::Json => plan.to_json(),
    }
}

/// Counts of a host's task statuses.
#[derive(Default)]
struct Counts {
    changed: usize,
    ok: usize,
    skipped: usize,
    failed: usize,
}

fn counts(host: &HostPlan) -> Counts {
    let mut counts = Counts::default();
    for task in &host.tasks {
        match task.status {
            Status::Changed => counts.changed += 1,
            Status::Ok => counts.ok += 1,
            Status::Skipped => counts.skipped += 1,
            Status::Failed | Status::Unreachable => counts.failed += 1,
        }
    }
    counts
}

/// The tasks worth a reader's attention: what changes and what fails.
fn notable(host: &HostPlan) -> impl Iterator<Item = &TaskPlan> {
    host.tasks.iter().filter(|task| {
        matches!(
            task.status,
            Status::Changed | Status::Failed | Status::Unreachable
        )
    })
}

/// `N changes on M of K hosts`.
pub fn plan_summary(plan: &Plan) -> String {
    let changing = plan.hosts.iter().filter(|h| h.changes > 0).count();
    format!(
        "{} {} on {changing} of {} {}",
        plan.total_changes(),
        plural(plan.total_changes(), "change", "changes"),
        plan.hosts.len(),
        plural(plan.hosts.len(), "host", "hosts")
    )
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

/// What the plan was made from, as `key value` pairs.
fn provenance(plan: &Plan) -> Vec<(&'static str, String)> {
    let mut fields = vec![(
        "playbooks",
        plan.playbooks
            .iter()
            .map(|book| format!("{} (sha256 {})", book.path, short(&book.sha256)))
            .collect::<Vec<_>>()
            .join(", "),
    )];
    fields.push(("inventory", plan.inventory.join(", ")));
    if let Some(limit) = &plan.limit {
        fields.push(("limit", limit.clone()));
    }
    if let Some(git) = &plan.git {
        let dirty = if git.dirty {
            " with uncommitted changes"
        } else {
            ""
        };
        fields.push(("commit", format!("{}{dirty}", git.commit)));
    }
    fields.push((
        "created",
        format!("{} by runbook {}", plan.created, plan.runbook_version),
    ));
    fields
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn text(plan: &Plan) -> String {
    let mut out = format!("Plan: {}\n", plan_summary(plan));
    for (key, value) in provenance(plan) {
        let _ = writeln!(out, "  {key}: {value}");
    }
    for host in &plan.hosts {
        let counts = counts(host);
        let line = format!(
            "\n{}: {} to change, {} ok, {} skipped, {} failed",
            host.host, counts.changed, counts.ok, counts.skipped, counts.failed
        );
        let paint = if counts.failed > 0 {
            style::for_status(Status::Failed)
        } else if counts.changed > 0 {
            style::for_status(Status::Changed)
        } else {
            style::for_status(Status::Ok)
        };
        let _ = writeln!(out, "{}", paint.apply_to(line));
        for task in notable(host) {
            let header = format!(
                "  {}: {} ({}, {})",
                status_word(task.status),
                task.task,
                task.location,
                task.module
            );
            let _ = writeln!(out, "{}", style::for_status(task.status).apply_to(header));
            for detail in details(task) {
                for line in detail.lines() {
                    let _ = writeln!(out, "    {}", coloured_diff_line(line));
                }
            }
        }
    }
    out
}

fn coloured_diff_line(line: &str) -> String {
    if line.starts_with('+') && !line.starts_with("+++") {
        style::for_status(Status::Ok).apply_to(line).to_string()
    } else if line.starts_with('-') && !line.starts_with("---") {
        style::for_status(Status::Failed).apply_to(line).to_string()
    } else {
        line.to_string()
    }
}

/// A task's message, diff and items' diffs, as blocks of text.
fn details(task: &TaskPlan) -> Vec<String> {
    let mut blocks = Vec::new();
    if task.censored {
        blocks.push("(no_log: the details are not recorded)".to_string());
    }
    blocks.extend(task.message.clone());
    blocks.extend(task.diff.clone());
    for item in &task.items {
        if item.status == Status::Changed || item.diff.is_some() {
            let mut block = format!("item {}: {}\n", item.item, status_word(item.status));
            block.push_str(item.diff.as_deref().unwrap_or_default());
            blocks.push(block);
        }
    }
    blocks
}

fn markdown(plan: &Plan) -> String {
    let mut out = format!("## runbook plan: {}\n\n", plan_summary(plan));
    for (key, value) in provenance(plan) {
        let _ = writeln!(out, "- {key}: {}", inline_code(&value));
    }
    out.push_str("\n| host | changes | ok | skipped | failed |\n|---|---:|---:|---:|---:|\n");
    for host in &plan.hosts {
        let counts = counts(host);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape_cell(&host.host),
            counts.changed,
            counts.ok,
            counts.skipped,
            counts.failed
        );
    }
    for host in plan.hosts.iter().filter(|h| notable(h).next().is_some()) {
        let _ = write!(out, "\n### {}\n", escape_html(&host.host));
        for task in notable(host) {
            let _ = write!(
                out,
                "\n<details><summary>{}: {} (<code>{}</code>, {})</summary>\n\n",
                status_word(task.status),
                escape_html(&task.task),
                escape_html(&task.location),
                escape_html(&task.module)
            );
            let mut diff = String::new();
            let mut notes = Vec::new();
            if task.censored {
                notes.push("no_log: the details are not recorded".to_string());
            }
            notes.extend(task.message.iter().map(|m| escape_html(m)));
            diff.push_str(task.diff.as_deref().unwrap_or_default());
            for item in &task.items {
                if let Some(item_diff) = &item.diff {
                    diff.push_str(item_diff);
                }
            }
            for note in notes {
                let _ = write!(out, "{note}\n\n");
            }
            if !diff.is_empty() {
                let fence = fence_for(&diff);
                let _ = write!(out, "{fence}diff\n{diff}");
                if !diff.ends_with('\n') {
                    out.push('\n');
                }
                let _ = write!(out, "{fence}\n\n");
            }
            out.push_str("</details>\n");
        }
    }
    out
}

/// A code fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    "`".repeat((longest_backticks(text) + 1).max(3))
}

fn longest_backticks(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn inline_code(text: &str) -> String {
    if text.is_empty() {
        return "—".to_string();
    }
    let ticks = "`".repeat(longest_backticks(text) + 1);
    format!("{ticks}{}{ticks}", text.replace('\n', " "))
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn escape_cell(text: &str) -> String {
    escape_html(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
        assert_eq!(inline_code("site.yml"), "`site.yml`");
        assert_eq!(escape_cell("a|<b>"), "a\\|&lt;b&gt;");
    }
}
