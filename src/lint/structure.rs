//! Where plays, tasks and module arguments are in a YAML file, read from
//! the tree itself so the checks work even on a file the loader refuses.

use crate::modules::{Module, registry};
use crate::source::Span;
use crate::yaml::{Node, NodeKind};

/// What a YAML file holds, judged from its top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    /// A list of plays (or `import_playbook` entries).
    Playbook,
    /// A list of tasks (a role's `tasks/main.yml`, an imported file).
    Tasks,
    /// Anything else: variables, role metadata.
    Data,
}

/// The keys whose value is a list of tasks.
const PLAY_TASK_LISTS: [&str; 4] = ["pre_tasks", "tasks", "post_tasks", "handlers"];
const BLOCK_TASK_LISTS: [&str; 3] = ["block", "rescue", "always"];

pub(super) fn kind_of(root: &Node) -> FileKind {
    let Some(items) = root.as_seq() else {
        return FileKind::Data;
    };
    let is_play = |item: &Node| {
        item.as_map().is_some_and(|entries| {
            entries.iter().any(|(key, _)| {
                matches!(
                    key.as_str(),
                    Some("hosts" | "import_playbook" | "ansible.builtin.import_playbook")
                )
            })
        })
    };
    if !items.is_empty() && items.iter().all(is_play) {
        FileKind::Playbook
    } else if items.iter().all(|item| item.as_map().is_some()) {
        FileKind::Tasks
    } else {
        FileKind::Data
    }
}

/// A mapping that is a play, a task or a block.
#[derive(Clone, Copy)]
pub(super) enum Entry<'a> {
    Play(&'a Node),
    Task(&'a Node),
    Block(&'a Node),
}

impl<'a> Entry<'a> {
    pub(super) fn node(self) -> &'a Node {
        match self {
            Entry::Play(node) | Entry::Task(node) | Entry::Block(node) => node,
        }
    }
}

/// Every play, block and task of a file, in file order.
pub(super) fn entries(root: &Node, kind: FileKind) -> Vec<Entry<'_>> {
    let mut found = Vec::new();
    match kind {
        FileKind::Playbook => {
            for play in root.as_seq().unwrap_or_default() {
                if play.as_map().is_none() {
                    continue;
                }
                found.push(Entry::Play(play));
                for list in PLAY_TASK_LISTS {
                    if let Some(tasks) = play.get(list) {
                        task_list(tasks, &mut found);
                    }
                }
            }
        }
        FileKind::Tasks => task_list(root, &mut found),
        FileKind::Data => {}
    }
    found
}

fn task_list<'a>(node: &'a Node, found: &mut Vec<Entry<'a>>) {
    for item in node.as_seq().unwrap_or_default() {
        if item.as_map().is_none() {
            continue;
        }
        if item.get("block").is_some() {
            found.push(Entry::Block(item));
            for list in BLOCK_TASK_LISTS {
                if let Some(tasks) = item.get(list) {
                    task_list(tasks, found);
                }
            }
        } else {
            found.push(Entry::Task(item));
        }
    }
}

/// The module a task calls and its arguments as a mapping (those of
/// `args:` too); free-form text has no argument nodes.
pub(super) struct ModuleCall<'a> {
    pub module: &'static dyn Module,
    pub args: Vec<(&'a Node, &'a Node)>,
}

pub(super) fn module_call(task: &Node) -> Option<ModuleCall<'_>> {
    let entries = task.as_map()?;
    let (module, value) = entries.iter().find_map(|(key, value)| {
        let name = key.as_str()?;
        if name == "args" || name == "name" {
            return None;
        }
        registry::lookup(name).map(|module| (module, value))
    })?;
    let mut args: Vec<(&Node, &Node)> = value
        .as_map()
        .map(|entries| entries.iter().map(|(k, v)| (k, v)).collect())
        .unwrap_or_default();
    if let Some(extra) = task.get("args").and_then(Node::as_map) {
        args.extend(extra.iter().map(|(k, v)| (k, v)));
    }
    Some(ModuleCall { module, args })
}

/// A scalar exactly as written in the file (`0644`, `yes`), when it sits on one line.
pub(super) fn written(node: &Node) -> Option<String> {
    if matches!(node.kind, NodeKind::Seq(_) | NodeKind::Map(_)) {
        return None;
    }
    let span = &node.span;
    let line = span.file.line(span.line)?;
    let text: String = line
        .chars()
        .skip(span.column.saturating_sub(1))
        .take(span.len)
        .collect();
    (!text.is_empty()).then_some(text)
}

/// The node of `file` that starts at `span`, searched from `root`: the
/// loader's model keeps spans, the checks want the nodes back.
pub(super) fn node_at<'a>(root: &'a Node, span: &Span) -> Option<&'a Node> {
    if root.span.line == span.line && root.span.column == span.column {
        return Some(root);
    }
    match &root.kind {
        NodeKind::Seq(items) => items.iter().find_map(|item| node_at(item, span)),
        NodeKind::Map(entries) => entries.iter().find_map(|(_, value)| node_at(value, span)),
        _ => None,
    }
}
