//! One execution of the module: `when`, the rendered arguments,
//! `environment`, `delegate_to` and `become`, then the call on the host's
//! connection (retried by `until`), with `changed_when`/`failed_when`.

use super::super::Event;
use super::super::context::Context;
use super::super::escalation;
use super::super::result::TaskResult;
use super::super::run::OMIT;
use super::async_run::AsyncCall;
use super::{ItemRun, TaskExecutor};
use crate::connection::{ConnectionKind, ConnectionSpec, Escalation};
use crate::modules::{Args, ConnectionSlot, ModuleContext, ModuleError};
use crate::value::{Value, VarMap, to_var_map};

/// What a module is called with on one host, rendered.
struct ModuleCall {
    args: Args,
    check_mode: bool,
    diff: bool,
    timeout: Option<u64>,
    async_call: Option<AsyncCall>,
    environment: Vec<(String, String)>,
    escalation: Option<Escalation>,
    delegated_to: Option<String>,
}

impl TaskExecutor<'_> {
    /// One execution of the module with `vars` (the task's, or an item's).
    pub(super) fn run_item(&self, vars: &Context) -> ItemRun {
        let values = vars.value();
        for condition in &self.task.when {
            match self.run.templar.eval_condition(condition, &values) {
                Ok(true) => {}
                Ok(false) => return ItemRun::of(TaskResult::skipped_by(condition)),
                Err(e) => return ItemRun::failed(self.conditional_failure(condition, &e, &values)),
            }
        }
        let call = match self.prepare(&values) {
            Ok(call) => call,
            Err(message) => return ItemRun::failed(message),
        };
        let attempt = || {
            let (mut result, facts) = self.call_module(&call, &values);
            if let Err(message) = self.apply_overrides(vars, &mut result) {
                result = TaskResult::failed(message);
            }
            (result, facts)
        };
        let (result, facts) = match &self.task.until {
            Some(until) => self.retry_until(vars, until, attempt),
            None => attempt(),
        };
        ItemRun {
            result,
            facts,
            delegated_to: call.delegated_to,
        }
    }

    /// The keywords and arguments rendered for this execution, in the order
    /// Ansible validates them: the first that fails fails the task here,
    /// before the module runs.
    fn prepare(&self, vars: &Value) -> Result<ModuleCall, String> {
        use super::super::flags::{templated_count, templated_flag};
        let templar = &self.run.templar;
        if let Some(template) = &self.task.no_log_template
            && let Err(error) = templated_flag(templar, "no_log", template, vars)
        {
            self.run.warn(format!(
                "Invalid no_log value for task, output will be masked: {error}"
            ));
            return Err(error.into());
        }
        let flag = |keyword, value: &Option<Value>, default| match value {
            Some(template) => templated_flag(templar, keyword, template, vars),
            None => Ok(default),
        };
        flag("ignore_errors", &self.task.ignore_errors, false)?;
        flag("ignore_unreachable", &self.task.ignore_unreachable, false)?;
        let check_mode = flag("check_mode", &self.task.check_mode, self.run.options.check)?;
        let diff = flag("diff", &self.task.diff, self.run.options.diff)?;
        let count = |keyword, value: &Option<Value>| match value {
            Some(template) => templated_count(templar, keyword, template, vars),
            None => Ok(None),
        };
        let timeout = count("timeout", &self.task.timeout)?;
        let args = self.render_args(vars)?;
        let environment = self.render_environment(vars)?;
        let delegated_to = match &self.task.delegate_to {
            Some(target) => {
                let name = templar
                    .render_str(target, vars)
                    .map_err(|e| self.template_failure(&e, vars))?;
                Some(crate::value::text(&name))
            }
            None => None,
        };
        flag("delegate_facts", &self.task.delegate_facts, false)?;
        let escalation = escalation::resolve(
            templar,
            &self.run.options.become_,
            &self.play.play.become_,
            &self.task.become_,
            vars,
        )?;
        let async_call = match count("async", &self.task.async_)? {
            Some(limit) => Some(AsyncCall {
                limit,
                poll: match &self.task.poll {
                    Some(_) => count("poll", &self.task.poll)?.unwrap_or(0),
                    None => self.run.options.poll_interval,
                },
            }),
            None => None,
        };
        Ok(ModuleCall {
            args,
            check_mode,
            diff,
            timeout,
            async_call,
            environment,
            escalation,
            delegated_to,
        })
    }

    fn call_module(&self, call: &ModuleCall, vars: &Value) -> (TaskResult, VarMap) {
        let (run, task, host) = (self.run, self.task, self.host);
        let Some(entry) = run.host(host) else {
            return (
                TaskResult::failed(format!("{host} is not in the inventory")),
                VarMap::new(),
            );
        };
        let by_keywords = match self.keyword_connection(&entry.spec, &entry.inventory_vars, vars) {
            Ok(spec) => spec.filter(|spec| *spec != entry.spec),
            Err(message) => return (TaskResult::failed(message), VarMap::new()),
        };
        let target = by_keywords.clone().unwrap_or_else(|| entry.spec.clone());
        let mut connections = entry
            .connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let connections = &mut *connections;
        let slot = match (call.delegated_to.as_deref(), by_keywords) {
            (Some(target), _) if target != host => connections
                .delegated
                .entry(target.to_string())
                .or_insert_with(|| self.delegate_slot(target)),
            // Another user, port or transport: a session of its own, kept
            // beside the host's usual one for the tasks that ask for it.
            (_, Some(spec)) => connections
                .delegated
                .entry(format!(
                    "\0{host} as {:?}@{:?}:{:?}",
                    spec.user, spec.kind, spec.port
                ))
                .or_insert_with(|| ConnectionSlot::new(spec)),
            _ => &mut connections.own,
        };
        let search_dirs: Vec<std::path::PathBuf> = task
            .role
            .iter()
            .map(|role| role.dir.clone())
            .chain([run.playbook_dir.clone()])
            .collect();
        slot.escalate(call.escalation.clone());
        slot.limit_time(call.timeout);
        let hidden = self.hides_output();
        slot.watch(&run.connection_trace, hidden);
        run.emit(Event::HostStart {
            host: host.to_string(),
            task: task.banner_name(),
            location: task.span.location(),
            action: super::action::summary(task.module.name(), &call.args, hidden),
        });
        let started = std::time::Instant::now();
        let mut module_ctx = ModuleContext {
            host,
            check_mode: call.check_mode,
            diff: call.diff,
            environment: &call.environment,
            playbook_dir: &run.playbook_dir,
            search_dirs: &search_dirs,
            templar: &run.templar,
            vars,
            target: &target,
            delegate_to: call.delegated_to.as_deref(),
            connection: slot,
        };
        // Templated values reach their choices only now (literal ones were
        // checked when the playbook was loaded).
        if let Some(violation) = task
            .module
            .spec()
            .choice_violation(call.args.values(), |_| false)
        {
            return (TaskResult::failed(violation.message()), VarMap::new());
        }
        let outcome = match crate::modules::expand_host_paths(
            &call.args,
            task.module.spec(),
            &mut module_ctx,
        ) {
            Err(error) => Err(error),
            Ok(expanded) => {
                let args = expanded.as_ref().unwrap_or(&call.args);
                match call.async_call {
                    Some(async_call) => self.run_async(async_call, args, &mut module_ctx),
                    None => task.module.run(args, &mut module_ctx),
                }
            }
        };
        if let Some(seconds) = call.timeout.filter(|s| started.elapsed().as_secs() >= *s) {
            return (timed_out(seconds), VarMap::new());
        }
        match outcome {
            Ok(outcome) => {
                let facts = outcome.facts.clone();
                run.set_file_vars(host, &outcome.file_vars);
                let mut result = TaskResult::from_outcome(outcome);
                match run.apply_inventory_change(host, &result) {
                    Some(Ok(changed)) => result.set_flag("changed", changed),
                    Some(Err(message)) => result = TaskResult::failed(message),
                    None => {}
                }
                (result, facts)
            }
            Err(ModuleError::Failed(message)) => (TaskResult::failed(message), VarMap::new()),
            Err(ModuleError::Unreachable(error)) => {
                (TaskResult::unreachable(error.to_string()), VarMap::new())
            }
        }
    }

    /// The host's connection with the task's and the play's `remote_user`,
    /// `port` and `connection` applied where its inventory (or `-e`) does not
    /// set `ansible_user`, `ansible_port`, `ansible_connection` — Ansible's
    /// precedence. `None` without such keywords.
    fn keyword_connection(
        &self,
        spec: &ConnectionSpec,
        inventory: &VarMap,
        vars: &Value,
    ) -> Result<Option<ConnectionSpec>, String> {
        let keywords = self.task.connection.over(&self.play.play.connection);
        if keywords.is_empty() {
            return Ok(None);
        }
        let set_by_inventory = |names: &[&str]| {
            names.iter().any(|name| {
                inventory.contains_key(*name) || self.run.extra_vars.contains_key(*name)
            })
        };
        let mut spec = spec.clone();
        for (variable, written) in keywords.as_variables() {
            let aliases: &[&str] = match variable {
                "ansible_user" => &["ansible_user", "ansible_ssh_user"],
                "ansible_port" => &["ansible_port", "ansible_ssh_port"],
                _ => &["ansible_connection"],
            };
            if set_by_inventory(aliases) {
                continue;
            }
            let text = self
                .run
                .templar
                .render_text(written, vars)
                .map_err(|e| self.template_failure(&e, vars))?;
            let text = text.trim();
            match variable {
                "ansible_user" => spec.user = Some(text.to_string()),
                "ansible_port" => {
                    spec.port = Some(text.parse().map_err(|_| {
                        format!("`port` must be a port number, the template gave `{text}`")
                    })?)
                }
                _ => {
                    spec.kind = match text {
                        "ssh" | "smart" | "paramiko" | "paramiko_ssh" => ConnectionKind::Ssh,
                        "local" => ConnectionKind::Local,
                        other => {
                            return Err(format!(
                                "the connection `{other}` is not supported (runbook has ssh and local)"
                            ));
                        }
                    }
                }
            }
        }
        Ok(Some(spec))
    }

    fn delegate_slot(&self, target: &str) -> ConnectionSlot {
        let spec = match self.run.host(target) {
            Some(entry) => entry.spec.clone(),
            None => ConnectionSpec::from_vars(target, &VarMap::new(), &self.run.options.connection)
                .unwrap_or_else(|_| ConnectionSpec::local(target)),
        };
        ConnectionSlot::new(spec)
    }

    fn render_args(&self, vars: &Value) -> Result<Args, String> {
        let mut rendered = VarMap::new();
        for (name, raw) in &self.task.args {
            let value = self
                .run
                .templar
                .render_value(raw, vars)
                .map_err(|e| self.template_failure(&e, vars))?;
            if value.as_str() != Some(OMIT) {
                rendered.insert(name.clone(), value);
            }
        }
        self.add_module_defaults(&mut rendered, vars)?;
        // Modules read their arguments by their own names: an alias
        // (`slurp: path=`, `systemd: service=`) is read as the name it stands for.
        Ok(Args::new(rendered).canonical(self.task.module.spec()))
    }

    /// `module_defaults` for the arguments the task does not set (under
    /// any of their names), rendered; a name the module does not take fails
    /// the task, as the module's own check does in Ansible.
    fn add_module_defaults(&self, args: &mut VarMap, vars: &Value) -> Result<(), String> {
        let spec = self.task.module.spec();
        let given: Vec<String> = args
            .keys()
            .map(|name| spec.canonical(name).unwrap_or(name).to_string())
            .collect();
        let mut defaults = VarMap::new();
        for entry in self.task.module_defaults.for_module(self.task.module) {
            let rendered = self
                .run
                .templar
                .render_value(entry, vars)
                .map_err(|e| self.template_failure(&e, vars))?;
            if rendered.kind() != minijinja::value::ValueKind::Map {
                return Err(format!(
                    "module_defaults for `{}` must be a mapping of its arguments, got {rendered}",
                    self.task.module.name()
                ));
            }
            crate::value::overlay(&mut defaults, &to_var_map(&rendered));
        }
        for (name, value) in defaults {
            if !spec.any_name && spec.canonical(&name).is_none() {
                return Err(format!(
                    "Unsupported parameters for ({}) module: {name} (from module_defaults). \
                     Supported parameters include: {}.",
                    self.task.module.name(),
                    spec.known_names()
                        .filter(|known| !known.starts_with('_'))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let canonical = spec.canonical(&name).unwrap_or(&name);
            if !given.iter().any(|known| known == canonical) && value.as_str() != Some(OMIT) {
                args.insert(name, value);
            }
        }
        Ok(())
    }

    /// Play `environment:` with the task's on top, rendered to name/value pairs.
    fn render_environment(&self, vars: &Value) -> Result<Vec<(String, String)>, String> {
        let mut environment = VarMap::new();
        for source in [&self.play.play.environment, &self.task.environment]
            .into_iter()
            .flatten()
        {
            let rendered = self
                .run
                .templar
                .render_value(source, vars)
                .map_err(|e| self.template_failure(&e, vars))?;
            if rendered.kind() != minijinja::value::ValueKind::Map {
                return Err(format!(
                    "environment must be a mapping of variable names to values, got {rendered}"
                ));
            }
            crate::value::overlay(&mut environment, &to_var_map(&rendered));
        }
        environment
            .into_iter()
            .map(|(name, value)| {
                let valid =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    return Err(format!("environment variable name {name:?} is not valid"));
                }
                let value = crate::value::text(&value);
                Ok((name, value))
            })
            .collect()
    }
}

/// ansible-playbook 2.19's result for a task past its `timeout:` (whether
/// the host's `timeout` killed the command or the controller gave up).
fn timed_out(seconds: u64) -> TaskResult {
    let mut result =
        TaskResult::failed(format!("Task failed: Timed out after {seconds} second(s)."));
    result.fields.insert(
        "timedout".into(),
        crate::value::map_from_pairs([
            (
                "frame",
                Value::from("Configure `DISPLAY_TRACEBACK` to see a traceback on timeout errors."),
            ),
            ("period", Value::from(seconds)),
        ]),
    );
    result
}
