use std::path::PathBuf;

use super::become_keywords::BecomeKeywords;
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

impl Strategy {
    /// The strategy named `name` (its FQCN too).
    pub fn named(name: &str) -> Option<Self> {
        match name.strip_prefix("ansible.builtin.").unwrap_or(name) {
            "linear" => Some(Self::Linear),
            "free" => Some(Self::Free),
            _ => None,
        }
    }

    /// The name written in `strategy:`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Free => "free",
        }
    }
}

pub struct Play {
    pub name: Option<String>,
    /// The host pattern (a list in YAML is joined with `,`); may hold templates.
    pub hosts: String,
    pub span: Span,
    /// Unrendered: values are templated when used, as Ansible does.
    pub vars: VarMap,
    /// Files of variables, relative to the playbook.
    pub vars_files: Vec<VarsFile>,
    /// `serial`, `strategy`, `gather_facts`… as loaded; those holding a
    /// template are in `keyword_templates` until the play starts.
    pub keywords: super::PlayKeywords,
    pub keyword_templates: Vec<super::KeywordTemplate>,
    pub environment: Option<Value>,
    pub tags: Vec<String>,
    pub pre_tasks: Vec<Step>,
    pub tasks: Vec<Step>,
    pub post_tasks: Vec<Step>,
    pub handlers: Vec<Handler>,
    /// Roles whose defaults and vars every task of the play sees (`roles:`
    /// and `import_role`, Ansible's public roles), dependencies first.
    pub public_roles: Vec<std::sync::Arc<super::Role>>,
    /// Files only a conditional `include_tasks` reads, which runbook cannot
    /// run: warnings when the play starts, the run's end if one is included.
    pub unreadable_includes: Vec<crate::source::Diagnostic>,
    /// The play's own `module_defaults` (its tasks carry theirs merged).
    pub module_defaults: super::ModuleDefaults,
    /// `become*` set on the play: what every task without its own gets.
    pub become_: BecomeKeywords,
    /// `throttle:` at most this many hosts run a task at once (or a
    /// template), unless the task or a block says otherwise; 0 is none.
    pub throttle: Option<Value>,
    /// The roles of `roles:`, by name (`ansible_play_role_names`).
    pub role_names: Vec<String>,
    /// The roles those depend on (`ansible_dependent_role_names`).
    pub dependency_role_names: Vec<String>,
    /// `remote_user`/`port`/`connection` for hosts whose inventory does not say.
    pub connection: super::ConnectionKeywords,
    /// `vars_prompt:` questions asked before the play runs.
    pub vars_prompt: Vec<VarPrompt>,
    /// `gather_subset` and `fact_path` for the implicit fact gathering.
    pub gather_subset: Option<Vec<String>>,
    pub fact_path: Option<String>,
}

/// One `vars_prompt:` entry.
#[derive(Debug, Clone)]
pub struct VarPrompt {
    pub name: String,
    pub prompt: String,
    /// Hide what is typed (the default, as in Ansible).
    pub private: bool,
    pub default: Option<String>,
    /// Ask twice and require the same answer.
    pub confirm: bool,
    pub span: Span,
}

/// One batch size of `serial:`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BatchSize {
    Count(usize),
    /// A percentage of the play's hosts (at least one host).
    Percent(f64),
}

impl BatchSize {
    /// `2` or `"30%"`; `None` for anything else (zero included).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().strip_suffix('%') {
            Some(percent) => percent
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| *p > 0.0)
                .map(Self::Percent),
            None => text
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .map(Self::Count),
        }
    }
}

/// `order:` — the order hosts are taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostOrder {
    #[default]
    Inventory,
    ReverseInventory,
    Sorted,
    ReverseSorted,
    Shuffle,
}

/// One entry of a task list: a task, a block of them, a dynamic include,
/// or a `meta:` action.
pub enum Step {
    Task(Box<Task>),
    Block(Block),
    Include(Box<Include>),
    Meta(Meta),
}

/// `include_tasks:`/`include_role:` — counted as a task of its own (`included:`)
/// on the hosts where its `when` holds, which then run its tasks.
pub struct Include {
    /// Shown in `TASK [...]` (`include_tasks`, `include_role : web`).
    pub name: String,
    pub keyword: String,
    /// The file or role included.
    pub what: String,
    pub span: Span,
    pub when: Vec<String>,
    pub tags: Vec<String>,
    pub body: std::sync::Arc<Vec<Step>>,
    /// A file name with a template in it: read per host when the include runs.
    pub dynamic: Option<DynamicInclude>,
    /// `loop:` over the include: its tasks run once per item, with the item set.
    pub loop_: Option<Loop>,
    pub loop_control: LoopControl,
    /// Its `name:`, if it has one (a handler is notified by it).
    pub own_name: Option<String>,
    /// `listen:` topics, for an include that is a handler.
    pub listen: Vec<String>,
    /// The role it is written in.
    pub role: Option<std::sync::Arc<super::roles::Role>>,
    /// `include_role` with `public: true`: the roles (dependencies first)
    /// whose defaults and vars the play sees once the include ran.
    pub publishes: Vec<std::sync::Arc<super::roles::Role>>,
    /// Why the file or role it includes cannot run (an include with a
    /// `when`, which Ansible reads only where it runs): if a host includes
    /// it, the run ends with these errors.
    pub unloadable: Vec<crate::source::Diagnostic>,
}

/// A handler: a task, or an `include_tasks` whose tasks run as handlers on
/// the hosts that notified it.
pub enum Handler {
    Task(Box<Task>),
    Include(Box<Include>),
}

impl Handler {
    /// The `name:` it is notified by.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Task(task) => task.name.as_deref(),
            Self::Include(include) => include.own_name.as_deref(),
        }
    }

    pub fn listen(&self) -> &[String] {
        match self {
            Self::Task(task) => &task.listen,
            Self::Include(include) => &include.listen,
        }
    }

    pub fn role(&self) -> Option<&super::roles::Role> {
        match self {
            Self::Task(task) => task.role.as_deref(),
            Self::Include(include) => include.role.as_deref(),
        }
    }
}

/// `block:` with its `rescue:` and `always:`. Keywords set on the block
/// (`when`, `vars`, `tags`...) were passed down to its tasks when loaded.
pub struct Block {
    pub name: Option<String>,
    pub span: Span,
    pub block: Vec<Step>,
    pub rescue: Vec<Step>,
    pub always: Vec<Step>,
}

/// An include whose file name is a template: the tasks are loaded when the
/// include runs, with what the include passes down.
pub struct DynamicInclude {
    pub file: String,
    pub inherited: super::steps::Inherited,
}

/// `meta:` — an action on the play itself.
pub struct Meta {
    /// Shown in `TASK [...]`: the task's name, or `meta`.
    pub name: String,
    pub action: MetaAction,
    pub span: Span,
    pub when: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaAction {
    FlushHandlers,
    EndPlay,
    EndHost,
    EndBatch,
    ClearHostErrors,
    RefreshInventory,
    /// Close the host's connection; the next task opens a new one (new
    /// group memberships, a changed `ansible_user`...).
    ResetConnection,
    Noop,
    /// `end_role`: the host skips the rest of the role it is in.
    EndRole(RoleId),
    /// Where a role's tasks end (Ansible's implicit `role_complete`): hosts
    /// that ended that role take part again. Never shown.
    RoleComplete(RoleId, RoleKey),
}

/// One use of a role in a play (a role imported twice is used twice).
pub type RoleId = u64;

/// Uses of a role that Ansible counts as the same role (same folder,
/// parameters, files, `when`, `tags` and `vars`): a role that ran on a host
/// does not run there again under the same key unless it allows duplicates.
pub type RoleKey = u64;

impl MetaAction {
    pub const NAMES: &[&str] = &[
        "flush_handlers",
        "end_play",
        "end_host",
        "end_batch",
        "clear_host_errors",
        "refresh_inventory",
        "reset_connection",
        "noop",
        "end_role",
    ];

    /// The action's name, as written after `meta:`.
    pub fn name(self) -> &'static str {
        match self {
            Self::FlushHandlers => "flush_handlers",
            Self::EndPlay => "end_play",
            Self::EndHost => "end_host",
            Self::EndBatch => "end_batch",
            Self::ClearHostErrors => "clear_host_errors",
            Self::RefreshInventory => "refresh_inventory",
            Self::ResetConnection => "reset_connection",
            Self::Noop => "noop",
            Self::EndRole(_) => "end_role",
            Self::RoleComplete(..) => "role_complete",
        }
    }

    /// The action named `name`; `end_role` needs its role, so is not here.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "flush_handlers" => Self::FlushHandlers,
            "end_play" => Self::EndPlay,
            "end_host" => Self::EndHost,
            "end_batch" => Self::EndBatch,
            "clear_host_errors" => Self::ClearHostErrors,
            "refresh_inventory" => Self::RefreshInventory,
            "reset_connection" => Self::ResetConnection,
            "noop" => Self::Noop,
            _ => return None,
        })
    }
}

impl Step {
    /// Add a play's tags to every task and `meta` inside.
    pub fn add_tags(&mut self, tags: &[String]) {
        let add = |own: &mut Vec<String>| {
            for tag in tags {
                if !own.contains(tag) {
                    own.push(tag.clone());
                }
            }
        };
        match self {
            Step::Task(task) => add(&mut task.tags),
            Step::Meta(meta) => add(&mut meta.tags),
            Step::Include(include) => {
                add(&mut include.tags);
                if let Some(body) = std::sync::Arc::get_mut(&mut include.body) {
                    body.iter_mut().for_each(|step| step.add_tags(tags));
                }
                if let Some(dynamic) = &mut include.dynamic {
                    dynamic.inherited.add_tags(tags);
                }
            }
            Step::Block(block) => {
                for step in block
                    .block
                    .iter_mut()
                    .chain(&mut block.rescue)
                    .chain(&mut block.always)
                {
                    step.add_tags(tags);
                }
            }
        }
    }

    /// Every task inside, depth first, in the order they appear.
    pub fn tasks(&self) -> Box<dyn Iterator<Item = &Task> + '_> {
        match self {
            Step::Task(task) => Box::new(std::iter::once(task.as_ref())),
            Step::Block(block) => Box::new(
                block
                    .block
                    .iter()
                    .chain(&block.rescue)
                    .chain(&block.always)
                    .flat_map(Step::tasks),
            ),
            Step::Include(include) => Box::new(include.body.iter().flat_map(Step::tasks)),
            Step::Meta(_) => Box::new(std::iter::empty()),
        }
    }
}

impl Play {
    /// A play on `hosts` with every keyword at its default.
    pub fn new(hosts: String, span: Span) -> Self {
        Self {
            name: None,
            hosts,
            span,
            vars: VarMap::new(),
            vars_files: Vec::new(),
            keywords: super::PlayKeywords::default(),
            keyword_templates: Vec::new(),
            environment: None,
            tags: Vec::new(),
            pre_tasks: Vec::new(),
            tasks: Vec::new(),
            post_tasks: Vec::new(),
            handlers: Vec::new(),
            public_roles: Vec::new(),
            unreadable_includes: Vec::new(),
            module_defaults: super::ModuleDefaults::default(),
            become_: BecomeKeywords::default(),
            throttle: None,
            connection: super::ConnectionKeywords::default(),
            role_names: Vec::new(),
            dependency_role_names: Vec::new(),
            vars_prompt: Vec::new(),
            gather_subset: None,
            fact_path: None,
        }
    }

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
            .flat_map(Step::tasks)
    }
}

/// A `vars_files` entry: a file, or alternatives of which the first found
/// is read (names may be templates).
#[derive(Debug, Clone)]
pub struct VarsFile {
    pub names: Vec<String>,
    pub span: Span,
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
    pub ignore_errors: Option<Value>,
    pub no_log: bool,
    /// `no_log:` holding a template, rendered on each host (then above `no_log`).
    pub no_log_template: Option<Value>,
    pub tags: Vec<String>,
    pub notify: Vec<String>,
    /// For handlers: the topics they also answer to.
    pub listen: Vec<String>,
    pub environment: Option<Value>,
    /// Task and block `vars`, shared by every host the task runs on.
    pub vars: std::sync::Arc<VarMap>,
    pub delegate_to: Option<String>,
    pub run_once: bool,
    /// `run_once:` holding a template, rendered with the first host's
    /// variables as Ansible's linear strategy does (then above `run_once`).
    pub run_once_template: Option<Value>,
    /// `check_mode:` — overrides `--check` for this task (a boolean, or a
    /// template rendered on each host).
    pub check_mode: Option<Value>,
    /// `until:` — retry until these hold (all of them).
    pub until: Option<Vec<String>>,
    /// `retries:` (default 3 with `until`), a number or a template.
    pub retries: Option<Value>,
    /// `delay:` seconds between attempts (default 5), a number or a template.
    pub delay: Option<Value>,
    /// `delegate_facts:` facts the module sets go to the `delegate_to` host.
    pub delegate_facts: Option<Value>,
    /// `timeout:` seconds (or a template rendered on each host); the task's
    /// commands are killed on the host after it.
    pub timeout: Option<Value>,
    /// `async:` seconds the module may run in the background (0: in the
    /// foreground, as without it), a number or a template.
    pub async_: Option<Value>,
    /// `poll:` seconds between checks on an `async` task (0: fire and forget).
    pub poll: Option<Value>,
    /// `module_defaults:` of the play, blocks, role and task, outermost first.
    pub module_defaults: super::ModuleDefaults,
    /// `throttle:` at most this many hosts run this task at once (or a
    /// template, rendered with the first host's variables).
    pub throttle: Option<Value>,
    /// `ignore_unreachable:` an unreachable host counts as ignored and stays.
    pub ignore_unreachable: Option<Value>,
    /// `any_errors_fatal:` of the task or its blocks (the play's applies when unset).
    pub any_errors_fatal: Option<bool>,
    /// The role the task comes from: its defaults, vars and files.
    pub role: Option<std::sync::Arc<super::roles::Role>>,
    /// `diff:` — overrides `--diff` for this task (as `check_mode`).
    pub diff: Option<Value>,
    /// `become*` set on the task or its blocks (the play's are applied when it runs).
    pub become_: BecomeKeywords,
    /// `remote_user`/`port`/`connection` on the task or its blocks (the play's apply where unset).
    pub connection: super::ConnectionKeywords,
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
            ignore_errors: None,
            no_log: false,
            no_log_template: None,
            tags: Vec::new(),
            notify: Vec::new(),
            listen: Vec::new(),
            environment: None,
            vars: std::sync::Arc::default(),
            delegate_to: None,
            run_once: false,
            run_once_template: None,
            check_mode: None,
            diff: None,
            until: None,
            retries: None,
            delay: None,
            become_: BecomeKeywords::default(),
            connection: super::ConnectionKeywords::default(),
            delegate_facts: None,
            ignore_unreachable: None,
            any_errors_fatal: None,
            timeout: None,
            async_: None,
            poll: None,
            module_defaults: super::ModuleDefaults::default(),
            throttle: None,
            role: None,
        }
    }

    /// The task's name, or the module as written.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.action)
    }

    /// The name shown in `TASK [...]` and results: a role's tasks carry its
    /// name first (`web : render config`), as in Ansible.
    pub fn banner_name(&self) -> String {
        match &self.role {
            Some(role) => format!("{} : {}", role.short_name(), self.display_name()),
            None => self.display_name().to_string(),
        }
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
    /// `with_<lookup>:` — what the lookup returns for the terms
    /// (`with_items` flattens one level, `with_dict` gives `{key, value}`...).
    With(&'static str),
}

#[derive(Debug, Clone)]
pub struct LoopControl {
    pub loop_var: String,
    pub index_var: Option<String>,
    /// A template for what to show instead of the whole item.
    pub label: Option<String>,
    pub pause: Option<f64>,
    pub extended: bool,
    /// Whether an `extended` loop's `ansible_loop` carries `allitems`.
    pub extended_allitems: bool,
    /// `loop_var`, `index_var`, `pause`, `extended` written as templates:
    /// Ansible renders them on each host before the loop runs.
    pub templates: Vec<(&'static str, Value)>,
}

impl Default for LoopControl {
    fn default() -> Self {
        Self {
            loop_var: "item".into(),
            index_var: None,
            label: None,
            pause: None,
            extended: false,
            extended_allitems: true,
            templates: Vec::new(),
        }
    }
}

impl LoopControl {
    /// These options with their templates rendered by `render`, each
    /// checked as a written one is.
    pub fn rendered(
        &self,
        render: impl Fn(&Value) -> Result<Value, String>,
    ) -> Result<LoopControl, String> {
        let mut control = self.clone();
        for (option, template) in &self.templates {
            let rendered = render(template)?;
            let text = crate::value::text(&rendered);
            match *option {
                "loop_var" => control.loop_var = variable_name(option, &text)?,
                "index_var" => control.index_var = Some(variable_name(option, &text)?),
                "pause" => {
                    control.pause = Some(text.trim().parse().map_err(|_| {
                        format!("`pause` must be a number of seconds, the template gave `{text}`")
                    })?)
                }
                _ => {
                    control.extended = match rendered.kind() {
                        minijinja::value::ValueKind::Bool => rendered.is_true(),
                        _ => crate::value::parse_bool(&text).ok_or_else(|| {
                            format!("`{option}` must be a boolean, the template gave `{text}`")
                        })?,
                    }
                }
            }
        }
        control.templates.clear();
        Ok(control)
    }
}

/// Whether `text` can name a variable: letters, digits and `_`, not
/// starting with a digit.
pub(super) fn is_variable_name(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn variable_name(option: &str, text: &str) -> Result<String, String> {
    if is_variable_name(text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{option}` must be a variable name (letters, digits, `_`), the template gave `{text}`"
        ))
    }
}
