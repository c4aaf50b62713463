//! Playbook file → [`Playbook`]. Every problem found is reported with its
//! position, all at once, before anything runs.

use std::path::{Path, PathBuf};

use super::conditions::{boolean, scalar, string_list, var_map};
use super::keywords;
use super::model::{Play, Playbook, Strategy, Task};
use super::task_loader::{TaskRole, load_task};
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
    let mut play = Play {
        name: None,
        hosts: String::new(),
        span: node.span.clone(),
        vars: Default::default(),
        vars_files: Vec::new(),
        gather_facts: true,
        strategy: Strategy::Linear,
        environment: None,
        tags: Vec::new(),
        pre_tasks: Vec::new(),
        tasks: Vec::new(),
        post_tasks: Vec::new(),
        handlers: Vec::new(),
    };
    let mut errors = Vec::new();
    for (key, value) in entries {
        if let Err(mut e) = apply_play_keyword(&mut play, key, value) {
            errors.append(&mut e);
        }
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
        "pre_tasks" => play.pre_tasks = load_tasks(value, TaskRole::Task)?,
        "tasks" => play.tasks = load_tasks(value, TaskRole::Task)?,
        "post_tasks" => play.post_tasks = load_tasks(value, TaskRole::Task)?,
        "handlers" => play.handlers = load_tasks(value, TaskRole::Handler)?,
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

fn load_tasks(node: &Node, role: TaskRole) -> Result<Vec<Task>, Vec<Diagnostic>> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let items = node.expect_seq("a task list").map_err(|e| vec![e])?;
    let mut tasks = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match load_task(item, role) {
            Ok(task) => tasks.push(task),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(tasks)
    } else {
        Err(errors)
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
