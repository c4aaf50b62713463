use std::path::PathBuf;

use crate::modules::Module;
use crate::source::Span;
use crate::value::{Value, VarMap};

/// A playbook file: its plays in order.
pub struct Playbook {
    pub path: PathBuf,
    /// `playbook_dir`: relative paths in the playbook are resolved from here.
    pub dir: PathBuf,
    pub plays: Vec<Play>,
}

/// How hosts move through a play's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Each task runs on every host before the next task starts.
    Linear,
    /// Each host runs through the tasks at its own pace.
    Free,
}

pub struct Play {
    pub name: Option<String>,
    /// The host pattern (a list in YAML is joined with `,`); may hold templates.
    pub hosts: String,
    pub span: Span,
    /// Unrendered: values are templated when used, as Ansible does.
    pub vars: VarMap,
    /// Files of variables, relative to the playbook.
    pub vars_files: Vec<(String, Span)>,
    pub gather_facts: bool,
    pub strategy: Strategy,
    pub environment: Option<Value>,
    pub tags: Vec<String>,
    pub pre_tasks: Vec<Task>,
    pub tasks: Vec<Task>,
    pub post_tasks: Vec<Task>,
    pub handlers: Vec<Task>,
}

impl Play {
    /// The name shown in `PLAY [...]`: the name, or the host pattern.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.hosts)
    }

    /// Every task in the order the play runs them.
    pub fn all_tasks(&self) -> impl Iterator<Item = &Task> {
        self.pre_tasks
            .iter()
            .chain(&self.tasks)
            .chain(&self.post_tasks)
    }
}

/// One task: a module call and the keywords around it.
pub struct Task {
    pub name: Option<String>,
    pub span: Span,
    pub module: &'static dyn Module,
    /// The module name as written (`ansible.builtin.shell`).
    pub action: String,
    /// Arguments, unrendered.
    pub args: VarMap,
    pub register: Option<String>,
    /// Every condition must hold (a list in `when:` means "and").
    pub when: Vec<String>,
    pub loop_: Option<Loop>,
    pub loop_control: LoopControl,
    pub changed_when: Option<Vec<String>>,
    pub failed_when: Option<Vec<String>>,
    /// A boolean or a template that renders to one.
    pub ignore_errors: Value,
    pub no_log: bool,
    pub tags: Vec<String>,
    pub notify: Vec<String>,
    /// For handlers: the topics they also answer to.
    pub listen: Vec<String>,
    pub environment: Option<Value>,
    pub vars: VarMap,
    pub delegate_to: Option<String>,
    pub run_once: bool,
    /// `check_mode:` — overrides `--check` for this task.
    pub check_mode: Option<bool>,
    /// `diff:` — overrides `--diff` for this task.
    pub diff: Option<bool>,
}

impl Task {
    /// A task calling `module` with no arguments and no keywords set.
    pub fn new(module: &'static dyn Module, action: &str, span: Span) -> Self {
        Self {
            name: None,
            span,
            module,
            action: action.to_string(),
            args: VarMap::new(),
            register: None,
            when: Vec::new(),
            loop_: None,
            loop_control: LoopControl::default(),
            changed_when: None,
            failed_when: None,
            ignore_errors: Value::from(false),
            no_log: false,
            tags: Vec::new(),
            notify: Vec::new(),
            listen: Vec::new(),
            environment: None,
            vars: VarMap::new(),
            delegate_to: None,
            run_once: false,
            check_mode: None,
            diff: None,
        }
    }

    /// The name shown in `TASK [...]`: the name, or the module as written.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.action)
    }
}

/// Where a task's loop items come from.
#[derive(Debug, Clone)]
pub struct Loop {
    pub kind: LoopKind,
    /// Unrendered: a list, or a template that renders to one.
    pub items: Value,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKind {
    /// `loop:` — the list as given.
    Loop,
    /// `with_items:` — flattened one level.
    Items,
    /// `with_list:` — the list as given.
    List,
    /// `with_dict:` — `{key, value}` items.
    Dict,
    /// `with_sequence:` — `start=1 end=5 format=web%02d`.
    Sequence,
}

#[derive(Debug, Clone)]
pub struct LoopControl {
    pub loop_var: String,
    pub index_var: Option<String>,
    /// A template for what to show instead of the whole item.
    pub label: Option<String>,
    pub pause: Option<f64>,
    pub extended: bool,
}

impl Default for LoopControl {
    fn default() -> Self {
        Self {
            loop_var: "item".into(),
            index_var: None,
            label: None,
            pause: None,
            extended: false,
        }
    }
}
