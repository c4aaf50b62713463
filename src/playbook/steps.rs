//! Task lists: tasks, `block:`/`rescue:`/`always:` and `meta:`. Keywords set
//! on a block are passed down to every task inside it, which is what they
//! mean in Ansible (a block's `when` is checked for each of its tasks).

use super::become_keywords::BecomeKeywords;
use super::builtin_action::BuiltinAction;
use super::conditions::{boolean, conditions, scalar, string_list, var_map};
use super::keywords;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::model::{Block, Handler, Include, Step, Task};
use super::role_handlers::{RoleHandlers, RoleSource};
use super::roles::Role;
use super::task_loader::{TaskRole, load_task};
use crate::source::Diagnostic;
use crate::value::{Value, VarMap, overlay, to_var_map};
use crate::yaml::{Node, NodeKind};

/// What a block (or an import, or a role) gives the tasks inside it, and
/// where the tasks being loaded come from.
#[derive(Default, Clone)]
pub struct Inherited {
    /// Where `import_tasks` paths are resolved (the including file's folder).
    dir: PathBuf,
    playbook_dir: Arc<PathBuf>,
    roles_path: Arc<Vec<PathBuf>>,
    collections_path: Arc<Vec<PathBuf>>,
    /// The collection of the role being loaded, where its short role names
    /// are looked for first.
    collection: Option<String>,
    role: Option<Arc<Role>>,
    /// How deep imports and roles nest, to stop cycles.
    depth: usize,
    /// Handlers found in roles while loading, for the play to run.
    role_handlers: Arc<Mutex<RoleHandlers>>,
    /// The play's public roles (`roles:`, `import_role`), whose defaults and
    /// vars every task of the play sees.
    public_roles: Arc<Mutex<Vec<Arc<Role>>>>,
    /// Why files that only a conditional `include_tasks` reads cannot run.
    unreadable_includes: Arc<Mutex<Vec<Diagnostic>>>,
    pub(super) when: Vec<String>,
    pub(super) vars: VarMap,
    environment: Option<Value>,
    pub(super) tags: Vec<String>,
    ignore_errors: Option<Value>,
    no_log: bool,
    no_log_template: Option<Value>,
    run_once: bool,
    run_once_template: Option<Value>,
    notify: Vec<String>,
    timeout: Option<Value>,
    ignore_unreachable: Option<Value>,
    connection: super::ConnectionKeywords,
    delegate_to: Option<String>,
    check_mode: Option<Value>,
    diff: Option<Value>,
    throttle: Option<Value>,
    any_errors_fatal: Option<bool>,
    become_: BecomeKeywords,
    module_defaults: super::ModuleDefaults,
}

impl Inherited {
    /// What a play's own task lists start from.
    pub fn root(playbook_dir: &Path, roles_path: &[PathBuf], collections_path: &[PathBuf]) -> Self {
        Self {
            dir: playbook_dir.to_path_buf(),
            playbook_dir: Arc::new(playbook_dir.to_path_buf()),
            roles_path: Arc::new(roles_path.to_vec()),
            collections_path: Arc::new(collections_path.to_vec()),
            ..Self::default()
        }
    }

    pub fn collections_path(&self) -> &[PathBuf] {
        &self.collections_path
    }

    pub(super) fn collection(&self) -> Option<&str> {
        self.collection.as_deref()
    }

    /// The same, loading what a role of `collection` names.
    pub(super) fn in_collection(self, collection: Option<String>) -> Self {
        Self { collection, ..self }
    }

    /// The role the tasks loaded now belong to.
    pub(super) fn role(&self) -> Option<&Role> {
        self.role.as_deref()
    }

    pub fn depth(&self) -> usize {
        self.depth
    }

    pub fn playbook_dir(&self) -> &Path {
        &self.playbook_dir
    }

    pub fn roles_path(&self) -> &[PathBuf] {
        &self.roles_path
    }

    pub fn deeper(&self) -> Self {
        Self {
            depth: self.depth + 1,
            ..self.clone()
        }
    }

    /// What the tasks of `role` (in `dir`) inherit.
    pub fn for_role(&self, role: Arc<Role>, dir: PathBuf) -> Self {
        Self {
            collection: role.collection.clone(),
            role: Some(role),
            dir,
            depth: self.depth + 1,
            ..self.clone()
        }
    }

    /// Note that the file `file` of the include at `node` cannot run.
    fn defer_include(&self, node: &Node, file: &str, errors: &[Diagnostic]) {
        let Some(first) = errors.first() else {
            return;
        };
        let at = first
            .span
            .as_ref()
            .map(|span| format!(" at {}", span.location()))
            .unwrap_or_default();
        let more = match errors.len() {
            1 => String::new(),
            n => format!("; {n} problems in all"),
        };
        let warning = node.error(format!(
            "runbook cannot run {file}, which this include reads only where its `when` holds: {}{at}{more}. If a host includes it, the run ends there, as Ansible's does.",
            first.message
        ));
        if let Ok(mut found) = self.unreadable_includes.lock() {
            found.push(warning);
        }
    }

    /// Keep a role's handlers for the play.
    pub(super) fn add_role_handlers(&self, source: RoleSource, handlers: Vec<Handler>) {
        if let Ok(mut kept) = self.role_handlers.lock() {
            kept.add(source, handlers);
        }
    }

    /// Add a play's tags (for tasks loaded later, by a dynamic include).
    pub fn add_tags(&mut self, tags: &[String]) {
        for tag in tags {
            if !self.tags.contains(tag) {
                self.tags.push(tag.clone());
            }
        }
    }

    /// Make `roles` public: their variables are seen by the whole play.
    pub(super) fn publish_roles(&self, roles: &[Arc<Role>]) {
        if let Ok(mut public) = self.public_roles.lock() {
            for role in roles {
                if !public.iter().any(|known| Arc::ptr_eq(known, role)) {
                    public.push(role.clone());
                }
            }
        }
    }

    /// The play's `module_defaults`, for the tasks the executor adds (facts).
    pub fn module_defaults(&self) -> &super::ModuleDefaults {
        &self.module_defaults
    }

    /// Take the play's public roles, in load order.
    pub fn take_public_roles(&self) -> Vec<Arc<Role>> {
        self.public_roles
            .lock()
            .map(|mut roles| std::mem::take(&mut *roles))
            .unwrap_or_default()
    }

    /// Take what [`load_tasks_file`] found wrong in files only a conditional
    /// include reads.
    pub(super) fn take_unreadable_includes(&self) -> Vec<Diagnostic> {
        self.unreadable_includes
            .lock()
            .map(|mut found| std::mem::take(&mut *found))
            .unwrap_or_default()
    }

    /// Take the handlers roles brought while loading.
    pub(super) fn take_role_handlers(&self) -> RoleHandlers {
        self.role_handlers
            .lock()
            .map(|mut h| std::mem::take(&mut *h))
            .unwrap_or_default()
    }

    fn apply(&self, task: &mut Task) {
        if task.role.is_none() {
            task.role = self.role.clone();
        }
        let mut when = self.when.clone();
        when.append(&mut task.when);
        task.when = when;
        if !self.vars.is_empty() {
            let mut vars = self.vars.clone();
            overlay(&mut vars, &task.vars);
            task.vars = std::sync::Arc::new(vars);
        }
        task.environment = merge_environment(self.environment.as_ref(), task.environment.take());
        for tag in &self.tags {
            if !task.tags.contains(tag) {
                task.tags.push(tag.clone());
            }
        }
        task.ignore_errors = task
            .ignore_errors
            .take()
            .or_else(|| self.ignore_errors.clone());
        task.no_log |= self.no_log;
        if task.no_log_template.is_none() && !task.no_log {
            task.no_log_template = self.no_log_template.clone();
        }
        task.run_once |= self.run_once;
        if task.notify.is_empty() {
            task.notify = self.notify.clone();
        }
        task.timeout = task.timeout.take().or_else(|| self.timeout.clone());
        task.ignore_unreachable = task
            .ignore_unreachable
            .take()
            .or_else(|| self.ignore_unreachable.clone());
        task.connection = task.connection.over(&self.connection);
        if task.run_once_template.is_none() && !task.run_once {
            task.run_once_template = self.run_once_template.clone();
        }
        task.delegate_to = task.delegate_to.take().or_else(|| self.delegate_to.clone());
        task.check_mode = task.check_mode.take().or_else(|| self.check_mode.clone());
        task.diff = task.diff.take().or_else(|| self.diff.clone());
        task.throttle = task.throttle.take().or_else(|| self.throttle.clone());
        task.any_errors_fatal = task.any_errors_fatal.or(self.any_errors_fatal);
        task.become_.inherit(&self.become_);
        task.module_defaults = self.module_defaults.then(&task.module_defaults);
    }

    /// This block's (or import's) keywords on top of what it inherited;
    /// `own` are the keys that are not inherited keywords.
    pub(super) fn nested(&self, node: &Node, own: &[&str]) -> Result<Inherited, Diagnostic> {
        let mut inner = self.clone();
        for (key, value) in node.expect_map("a block")? {
            if !own.contains(&key.key_text().as_str()) {
                inner.set(key, value)?;
            }
        }
        Ok(inner)
    }

    /// What a play's tasks, handlers and roles inherit from the play's own
    /// keywords (`check_mode: true` on a play puts every task in check mode).
    pub fn with_play_keywords(mut self, play: &Node) -> Result<Self, Diagnostic> {
        for (key, value) in play.expect_map("a play")? {
            if keywords::PLAY_INHERITED.contains(&key.key_text().as_str()) {
                self.set(key, value)?;
            }
        }
        Ok(self)
    }

    fn set(&mut self, key: &Node, value: &Node) -> Result<(), Diagnostic> {
        let name = key.key_text();
        match name.as_str() {
            "when" => self.when.extend(conditions(value, &name)?),
            "vars" => overlay(&mut self.vars, &var_map(value, &name)?),
            "module_defaults" => {
                self.module_defaults = self
                    .module_defaults
                    .then(&super::ModuleDefaults::load(value)?)
            }
            "environment" => {
                self.environment = merge_environment(
                    self.environment.as_ref(),
                    Some(super::conditions::environment(value)?),
                )
            }
            "tags" => self.tags.extend(string_list(value, &name, true)?),
            "ignore_errors" => {
                self.ignore_errors = Some(super::conditions::templated_boolean(value, &name)?)
            }
            "no_log" if super::conditions::is_template(value) => {
                self.no_log_template = Some(value.to_value())
            }
            "no_log" => self.no_log = boolean(value, &name)?,
            "run_once" if super::conditions::is_template(value) => {
                self.run_once_template = Some(value.to_value())
            }
            "run_once" => self.run_once = boolean(value, &name)?,
            "notify" => self.notify = string_list(value, &name, false)?,
            "timeout" => self.timeout = Some(super::conditions::templated_count(value, &name)?),
            "ignore_unreachable" => {
                self.ignore_unreachable = Some(super::conditions::templated_boolean(value, &name)?)
            }
            "remote_user" | "port" | "connection" => self.connection.set(&name, value)?,
            "delegate_to" => self.delegate_to = Some(scalar(value, &name)?),
            "check_mode" => {
                self.check_mode = Some(super::conditions::templated_boolean(value, &name)?)
            }
            "diff" => self.diff = Some(super::conditions::templated_boolean(value, &name)?),
            "throttle" => self.throttle = Some(super::conditions::templated_count(value, &name)?),
            "any_errors_fatal" => {
                self.any_errors_fatal =
                    Some(super::conditions::boolean_read_unrendered(value, &name)?)
            }
            _ if BecomeKeywords::NAMES.contains(&name.as_str()) => {
                self.become_.set(&name, value)?
            }
            "name" => {}
            _ if keywords::TASK_NOT_YET.contains(&name.as_str()) => {
                return Err(key.error(format!(
                    "`{name}` on a block is not supported by runbook yet"
                )));
            }
            _ => {
                return Err(key
                    .error(format!("`{name}` is not a block keyword"))
                    .suggesting(&name, keywords::BLOCK.iter().copied()));
            }
        }
        Ok(())
    }
}

/// The block's environment under the task's, both unrendered mappings.
fn merge_environment(outer: Option<&Value>, inner: Option<Value>) -> Option<Value> {
    match (outer, inner) {
        (Some(outer), Some(inner)) if outer.kind() == inner.kind() => {
            let mut merged = to_var_map(outer);
            overlay(&mut merged, &to_var_map(&inner));
            Some(crate::value::map_value(merged))
        }
        (_, Some(inner)) => Some(inner),
        (outer, None) => outer.cloned(),
    }
}

/// A task list; every error in it is collected.
pub(super) fn load_steps(
    node: &Node,
    role: TaskRole,
    inherited: &Inherited,
) -> Result<Vec<Step>, Vec<Diagnostic>> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let items = node.expect_seq("a task list").map_err(|e| vec![e])?;
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match load_step(item, role, inherited) {
            Ok(step) => steps.push(step),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(errors)
    }
}

fn load_step(node: &Node, role: TaskRole, inherited: &Inherited) -> Result<Step, Vec<Diagnostic>> {
    if node.get("block").is_some() {
        if role == TaskRole::Handler {
            return Err(vec![
                node.error("blocks in handlers are not supported by runbook yet"),
            ]);
        }
        return load_block(node, role, inherited).map(Step::Block);
    }
    let Some((action, key, value)) = BuiltinAction::find_in(node) else {
        let mut task = load_task(node, role).map_err(|e| vec![e])?;
        inherited.apply(&mut task);
        return Ok(Step::Task(Box::new(task)));
    };
    let written = key.key_text();
    match action {
        BuiltinAction::ImportTasks | BuiltinAction::IncludeTasks => {
            let import = action == BuiltinAction::ImportTasks;
            load_tasks_file(node, &written, value, import, role, inherited)
        }
        BuiltinAction::ImportRole | BuiltinAction::IncludeRole => {
            super::role_steps::load_role_step(node, &written, action, value, inherited)
        }
        BuiltinAction::Meta => {
            super::meta_step::load_meta(node, value, role == TaskRole::Handler, inherited)
                .map(Step::Meta)
                .map_err(|e| vec![e])
        }
        BuiltinAction::ImportPlaybook => Err(vec![key.error(format!(
            "`{written}` imports plays; it cannot be used as a task"
        ))]),
    }
}

fn load_block(
    node: &Node,
    role: TaskRole,
    inherited: &Inherited,
) -> Result<Block, Vec<Diagnostic>> {
    let inner = inherited
        .nested(node, &["block", "rescue", "always"])
        .map_err(|e| vec![e])?;
    let section = |key: &str| match node.get(key) {
        Some(list) => load_steps(list, role, &inner),
        None => Ok(Vec::new()),
    };
    let mut errors = Vec::new();
    let mut take = |result: Result<Vec<Step>, Vec<Diagnostic>>| {
        result.unwrap_or_else(|mut e| {
            errors.append(&mut e);
            Vec::new()
        })
    };
    let block = Block {
        name: node.get("name").and_then(|n| n.scalar_text()),
        span: node.span.clone(),
        block: take(section("block")),
        rescue: take(section("rescue")),
        always: take(section("always")),
    };
    if errors.is_empty() {
        Ok(block)
    } else {
        Err(errors)
    }
}

/// `import_tasks: file.yml` / `include_tasks: file.yml`, loaded where they
/// stand; their keywords (and `apply:`) pass down to the tasks inside.
fn load_tasks_file(
    node: &Node,
    keyword: &str,
    spec: &Node,
    import: bool,
    role: TaskRole,
    inherited: &Inherited,
) -> Result<Step, Vec<Diagnostic>> {
    let one = |e: Diagnostic| vec![e];
    let (loop_, loop_control) = super::task_loader::loop_of(node).map_err(one)?;
    if loop_.is_some() && import {
        return Err(one(
            node.error(format!("`{keyword}` cannot loop (use include_tasks)"))
        ));
    }
    let spec = &written_as_key_values(node, spec, &TASKS_FILE_ARGUMENTS).map_err(one)?;
    let file_node = spec
        .get("file")
        .or_else(|| spec.get(RAW_PARAMS))
        .unwrap_or(spec);
    let file = scalar(file_node, keyword).map_err(one)?;
    let templated = crate::template::has_template_markers(&file);
    if templated && import {
        return Err(one(file_node.error(format!(
            "`{keyword}` is static and cannot use a templated file name (use include_tasks)"
        ))));
    }
    // An include's own `when` decides whether it happens at all; an
    // import's passes down to every imported task.
    let mut own = own_keywords(keyword, !import);
    if role == TaskRole::Handler && !import {
        own.push("listen");
    }
    let mut inner = inherited.nested(node, &own).map_err(one)?.deeper();
    if let Some(apply) = node.get("apply").or_else(|| spec.get("apply")) {
        inner = inner.nested(apply, &[]).map_err(one)?;
    }
    if inner.depth > 16 {
        return Err(one(node.error(format!(
            "imports nest more than 16 deep at `{file}` (a cycle?)"
        ))));
    }
    let dynamic_step = |mut inner: Inherited| {
        inner.dir = inherited.dir.clone();
        let dynamic = super::model::DynamicInclude {
            file: file.clone(),
            inherited: inner,
        };
        let mut step = include_step(
            node,
            keyword,
            shown_name(node, keyword),
            file.clone(),
            Vec::new(),
            inherited,
        )?;
        if let Step::Include(include) = &mut step {
            include.dynamic = Some(dynamic);
            include.loop_ = loop_.clone();
            include.loop_control = loop_control.clone();
        }
        Ok(step)
    };
    if templated {
        return dynamic_step(inner);
    }
    let path = [
        inherited.dir.join(&file),
        inherited.playbook_dir.join(&file),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .ok_or_else(|| {
        one(file_node.error(format!(
            "the tasks file {file} was not found (looked beside {} and the playbook)",
            inherited.dir.display()
        )))
    })?;
    inner.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    // Handlers imported from a file are handlers (with `listen`), as in Ansible.
    let role = if import { role } else { TaskRole::Task };
    let loaded = crate::yaml::parse_file(&path)
        .map_err(one)
        .and_then(|tasks| load_steps(&tasks, role, &inner));
    let steps = match loaded {
        Ok(steps) => steps,
        // Ansible reads an include's file only where the include runs: a
        // file behind a `when` (another OS's tasks, often) that runbook
        // cannot run is a warning now, and the run's end if it is included.
        Err(errors) if !import && node.get("when").is_some() => {
            return unloadable_include(
                node,
                keyword,
                shown_name(node, keyword),
                &file,
                errors,
                inherited,
            );
        }
        Err(errors) => return Err(errors),
    };
    if import {
        return Ok(Step::Block(Block {
            name: None,
            span: node.span.clone(),
            block: steps,
            rescue: Vec::new(),
            always: Vec::new(),
        }));
    }
    let mut step = include_step(
        node,
        keyword,
        shown_name(node, keyword),
        path.display().to_string(),
        steps,
        inherited,
    )?;
    if let Step::Include(include) = &mut step {
        include.loop_ = loop_;
        include.loop_control = loop_control;
    }
    Ok(step)
}

/// The keywords a dynamic include keeps for itself instead of passing
/// them down to its tasks.
const INCLUDE_OWN_KEYWORDS: [&str; 8] = [
    "apply",
    "when",
    "loop",
    "loop_control",
    "with_items",
    "with_list",
    "with_dict",
    "with_sequence",
];

/// The keywords of an include node that are its own: the action as
/// written, and for a dynamic include [`INCLUDE_OWN_KEYWORDS`].
pub(super) fn own_keywords(keyword: &str, dynamic: bool) -> Vec<&str> {
    let mut own = vec![keyword, "args"];
    if dynamic {
        own.extend(INCLUDE_OWN_KEYWORDS);
    }
    own
}

/// How an include is shown: its `name:`, else the action as written.
fn shown_name(node: &Node, keyword: &str) -> String {
    node.get("name")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| keyword.to_string())
}

/// A dynamic include: shown and counted as its own task (`included: ...`),
/// then its tasks run on the hosts where its `when` held.
pub(super) fn include_step(
    node: &Node,
    keyword: &str,
    display: String,
    what: String,
    body: Vec<Step>,
    inherited: &Inherited,
) -> Result<Step, Vec<Diagnostic>> {
    let one = |e: Diagnostic| vec![e];
    let mut when = inherited.when.clone();
    if let Some(conditions_node) = node.get("when") {
        when.extend(conditions(conditions_node, "when").map_err(one)?);
    }
    let mut tags = inherited.tags.clone();
    if let Some(own_tags) = node.get("tags") {
        tags.extend(string_list(own_tags, "tags", true).map_err(one)?);
    }
    let listen = match node.get("listen") {
        Some(topics) => string_list(topics, "listen", true).map_err(one)?,
        None => Vec::new(),
    };
    Ok(Step::Include(Box::new(Include {
        name: display,
        own_name: node.get("name").and_then(Node::scalar_text),
        listen,
        role: inherited.role.clone(),
        keyword: keyword.to_string(),
        what,
        span: node.span.clone(),
        when,
        tags,
        body: Arc::new(body),
        dynamic: None,
        loop_: None,
        loop_control: Default::default(),
        publishes: Vec::new(),
        unloadable: Vec::new(),
    })))
}

/// An include with a `when` whose file or role (`what`) runbook cannot run:
/// a warning for the play's start, and an include that ends the run if a
/// host includes it, as Ansible's parser error would there.
pub(super) fn unloadable_include(
    node: &Node,
    keyword: &str,
    display: String,
    what: &str,
    errors: Vec<Diagnostic>,
    inherited: &Inherited,
) -> Result<Step, Vec<Diagnostic>> {
    inherited.defer_include(node, what, &errors);
    let mut step = include_step(
        node,
        keyword,
        display,
        what.to_string(),
        Vec::new(),
        inherited,
    )?;
    if let Step::Include(include) = &mut step {
        include.unloadable = errors;
    }
    Ok(step)
}

const RAW_PARAMS: &str = "_raw_params";

/// What `include_tasks`/`import_tasks` take as text: the file, or `file=`.
static TASKS_FILE_ARGUMENTS: crate::modules::ArgSpec = crate::modules::ArgSpec {
    names: &["file", "apply"],
    free_form: crate::modules::FreeForm::Command,
    ..crate::modules::ArgSpec::EMPTY
};

/// An action's arguments written as one string (`include_role: name=web
/// tasks_from=setup`), as the mapping they stand for; a mapping as it is.
/// The arguments of an include or import at `node`: `spec` (the action's
/// value, `k=v` text read as a mapping) over the task's `args:`, which
/// Ansible merges in as for any action.
pub(super) fn written_as_key_values(
    node: &Node,
    spec: &Node,
    arguments: &'static crate::modules::ArgSpec,
) -> Result<Node, Diagnostic> {
    let spec = match &spec.kind {
        NodeKind::Str(text) => {
            let parsed = super::parse_free_form(text, arguments).map_err(|e| spec.error(e))?;
            Node::from_value(&crate::value::map_value(parsed), &spec.span)
        }
        _ => spec.clone(),
    };
    let Some(args) = node.get("args") else {
        return Ok(spec);
    };
    let mut entries = args.expect_map("`args`")?.to_vec();
    match &spec.kind {
        NodeKind::Map(own) => {
            for (key, value) in own {
                entries.retain(|(known, _)| known.as_str() != key.as_str());
                entries.push((key.clone(), value.clone()));
            }
        }
        NodeKind::Null => {}
        _ => return Ok(spec),
    }
    Ok(Node {
        kind: NodeKind::Map(entries),
        span: spec.span,
    })
}

/// Why the file of a dynamic include could not be read where it runs.
#[derive(Debug, Clone)]
pub enum IncludeLoadError {
    /// No such file (or no name): the including host fails.
    Failed(String),
    /// The file is not a task list runbook can run: as Ansible's parser
    /// error, it ends the run.
    Invalid(Vec<Diagnostic>),
}

/// The tasks of a dynamic include's file, named `file` once rendered for a
/// host: looked up beside the including file, then beside the playbook.
pub fn load_included(
    include: &super::model::DynamicInclude,
    file: &str,
) -> Result<(PathBuf, Vec<Step>), IncludeLoadError> {
    let inherited = &include.inherited;
    let path = [inherited.dir.join(file), inherited.playbook_dir.join(file)]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| {
            IncludeLoadError::Failed(format!(
                "the tasks file {file} was not found (looked beside {} and the playbook)",
                inherited.dir.display()
            ))
        })?;
    let mut inner = inherited.clone();
    inner.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let node = crate::yaml::parse_file(&path).map_err(|e| IncludeLoadError::Invalid(vec![e]))?;
    let steps = load_steps(&node, TaskRole::Task, &inner).map_err(IncludeLoadError::Invalid)?;
    Ok((path, steps))
}
