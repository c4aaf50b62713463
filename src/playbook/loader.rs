//! Playbook file → [`Playbook`]. Every problem found is reported with its
//! position, all at once, before anything runs.

use std::path::{Path, PathBuf};

use super::become_keywords::BecomeKeywords;
use super::conditions::{boolean, scalar, string_list, var_map};
use super::keywords;
use super::model::{BatchSize, HostOrder, Play, Playbook, Step, Strategy, Task};
use super::steps::{Inherited, load_steps};
use super::task_loader::TaskRole;
use crate::source::Diagnostic;
use crate::yaml::{self, Node, NodeKind};

/// Read and check a playbook. On failure, every error found is returned.
pub fn load(path: &Path) -> Result<Playbook, Vec<Diagnostic>> {
    let root = yaml::parse_file(path).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let plays = match &root.kind {
        NodeKind::Seq(items) => items
            .iter()
            .filter_map(|item| collect(load_play(item), &mut errors))
            .collect(),
        NodeKind::Null => {
            errors.push(root.error("the playbook is empty: it must be a list of plays"));
            Vec::new()
        }
        _ => {
            errors.push(root.error(format!(
                "a playbook must be a list of plays, found a {}",
                root.type_name()
            )));
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Playbook {
        path: path.to_path_buf(),
        dir: playbook_dir(path),
        plays,
    })
}

fn playbook_dir(path: &Path) -> PathBuf {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

fn collect<T>(result: Result<T, Vec<Diagnostic>>, errors: &mut Vec<Diagnostic>) -> Option<T> {
    result.map_err(|mut e| errors.append(&mut e)).ok()
}

fn load_play(node: &Node) -> Result<Play, Vec<Diagnostic>> {
    let entries = node.expect_map("a play").map_err(|e| vec![e])?;
    if let Some((key, _)) = entries
        .iter()
        .find(|(k, _)| k.as_str() == Some("import_playbook"))
    {
        return Err(vec![
            key.error("`import_playbook` is not supported by runbook yet"),
        ]);
    }
    let mut play = Play::new(String::new(), node.span.clone());
    let mut errors = Vec::new();
    for (key, value) in entries {
        if let Err(mut e) = apply_play_keyword(&mut play, key, value) {
            errors.append(&mut e);
        }
    }
    let play_tags = play.tags.clone();
    for step in play
        .pre_tasks
        .iter_mut()
        .chain(&mut play.tasks)
        .chain(&mut play.post_tasks)
    {
        step.add_tags(&play_tags);
    }
    if node.get("hosts").is_none() {
        errors.push(node.error("this play has no `hosts:` (which hosts should it run on?)"));
    }
    if errors.is_empty() {
        Ok(play)
    } else {
        Err(errors)
    }
}

fn apply_play_keyword(play: &mut Play, key: &Node, value: &Node) -> Result<(), Vec<Diagnostic>> {
    let name = key
        .as_str()
        .ok_or_else(|| vec![key.error("play keys must be strings")])?;
    let one = |e: Diagnostic| vec![e];
    match name {
        "name" => play.name = Some(scalar(value, name).map_err(one)?),
        "hosts" => play.hosts = string_list(value, name, false).map_err(one)?.join(","),
        "vars" => play.vars = var_map(value, name).map_err(one)?,
        "vars_files" => play.vars_files = vars_files(value).map_err(one)?,
        "gather_facts" => play.gather_facts = boolean(value, name).map_err(one)?,
        "strategy" => play.strategy = strategy(value).map_err(one)?,
        "environment" => play.environment = Some(value.to_value()),
        "tags" => play.tags = string_list(value, name, true).map_err(one)?,
        "pre_tasks" => play.pre_tasks = load_steps(value, TaskRole::Task, &Inherited::default())?,
        "tasks" => play.tasks = load_steps(value, TaskRole::Task, &Inherited::default())?,
        "post_tasks" => play.post_tasks = load_steps(value, TaskRole::Task, &Inherited::default())?,
        "handlers" => play.handlers = handlers(value)?,
        "serial" => play.serial = serial(value).map_err(one)?,
        "max_fail_percentage" => play.max_fail_percentage = Some(percentage(value).map_err(one)?),
        "any_errors_fatal" => play.any_errors_fatal = boolean(value, name).map_err(one)?,
        "force_handlers" => play.force_handlers = boolean(value, name).map_err(one)?,
        "order" => play.order = order(value).map_err(one)?,
        _ if BecomeKeywords::NAMES.contains(&name) => play.become_.set(name, value).map_err(one)?,
        _ if keywords::PLAY_NOT_YET.contains(&name) => {
            return Err(one(key.error(format!(
                "the play keyword `{name}` is not supported by runbook yet"
            ))));
        }
        _ => {
            let message = format!("`{name}` is not a play keyword");
            return Err(one(key
                .error(message)
                .suggesting(name, keywords::PLAY.iter().copied())));
        }
    }
    Ok(())
}

/// Handlers are plain tasks (blocks and `meta` are not supported in them).
fn handlers(node: &Node) -> Result<Vec<Task>, Vec<Diagnostic>> {
    let steps = load_steps(node, TaskRole::Handler, &Inherited::default())?;
    steps
        .into_iter()
        .map(|step| match step {
            Step::Task(task) => Ok(*task),
            Step::Meta(meta) => Err(vec![Diagnostic::at(
                "`meta` in handlers is not supported by runbook yet",
                &meta.span,
            )]),
            Step::Block(block) => Err(vec![Diagnostic::at(
                "blocks in handlers are not supported by runbook yet",
                &block.span,
            )]),
        })
        .collect()
}

/// `serial: 2`, `serial: "30%"`, or a list of them.
fn serial(node: &Node) -> Result<Vec<BatchSize>, Diagnostic> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items.into_iter().map(batch_size).collect()
}

fn batch_size(node: &Node) -> Result<BatchSize, Diagnostic> {
    let text = scalar(node, "serial")?;
    let invalid = || {
        node.error(format!(
            "`serial` takes a number of hosts or a percentage, found `{text}`"
        ))
    };
    match text.trim().strip_suffix('%') {
        Some(percent) => percent
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| *p > 0.0)
            .map(BatchSize::Percent)
            .ok_or_else(invalid),
        None => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .map(BatchSize::Count)
            .ok_or_else(invalid),
    }
}

fn percentage(node: &Node) -> Result<f64, Diagnostic> {
    let text = scalar(node, "max_fail_percentage")?;
    text.trim()
        .trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| {
            node.error(format!(
                "`max_fail_percentage` takes a number from 0 to 100, found `{text}`"
            ))
        })
}

fn order(node: &Node) -> Result<HostOrder, Diagnostic> {
    const NAMES: [&str; 5] = [
        "inventory",
        "reverse_inventory",
        "sorted",
        "reverse_sorted",
        "shuffle",
    ];
    match scalar(node, "order")?.as_str() {
        "inventory" => Ok(HostOrder::Inventory),
        "reverse_inventory" => Ok(HostOrder::ReverseInventory),
        "sorted" => Ok(HostOrder::Sorted),
        "reverse_sorted" => Ok(HostOrder::ReverseSorted),
        "shuffle" => Ok(HostOrder::Shuffle),
        other => Err(node
            .error(format!("unknown order `{other}`"))
            .suggesting(other, NAMES)),
    }
}

fn vars_files(node: &Node) -> Result<Vec<(String, crate::source::Span)>, Diagnostic> {
    let items = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items
        .into_iter()
        .map(|item| match &item.kind {
            NodeKind::Seq(_) => {
                Err(item.error("lists of alternative vars_files are not supported by runbook yet"))
            }
            _ => Ok((scalar(item, "vars_files")?, item.span.clone())),
        })
        .collect()
}

fn strategy(node: &Node) -> Result<Strategy, Diagnostic> {
    match scalar(node, "strategy")?.as_str() {
        "linear" => Ok(Strategy::Linear),
        "free" => Ok(Strategy::Free),
        other => Err(node
            .error(format!(
                "unknown strategy `{other}` (runbook has `linear` and `free`)"
            ))
            .suggesting(other, ["linear", "free"])),
    }
}
