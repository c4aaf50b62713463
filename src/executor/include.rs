//! A dynamic include (`include_tasks`, `include_role`): `included:` on the
//! hosts where its `when` holds (counted ok), skipped elsewhere, then its
//! tasks on the included hosts — once per loop item when it loops.

use std::collections::HashMap;
use std::sync::Arc;

use super::result::TaskResult;
use super::schedule::Stage;
use super::variables::Scope;
use super::{Event, HostResult, Status};
use crate::playbook::{Include, IncludeLoadError, Step};
use crate::value::VarMap;

/// One run of an include's tasks on a host: the loop variables it sees and
/// the tasks (of the file its templated name gave, for a dynamic include).
struct Pass {
    item: Option<LoopItem>,
    body: Arc<Vec<Step>>,
    file: String,
}

/// One item of an include's loop: the variables it sets and how it is shown.
#[derive(Clone)]
struct LoopItem {
    vars: Arc<VarMap>,
    label: String,
}

impl Stage<'_> {
    pub(super) fn run_include(&self, include: &Include, hosts: &[String]) {
        let run = self.run;
        run.emit(Event::TaskStart {
            name: include.name.clone(),
            location: include.span.location(),
            handler: self.handlers,
            hosts: hosts.len(),
        });
        let mut passes: Vec<(String, Vec<Pass>)> = Vec::new();
        let mut loaded = HashMap::new();
        let mut invalid = None;
        for host in hosts {
            let planned = self
                .include_passes(include, host)
                .map_err(IncludeLoadError::Failed)
                .and_then(|vars| self.with_bodies(include, host, vars, &mut loaded));
            let planned = match planned {
                Ok(host_passes) if !host_passes.is_empty() && !include.unloadable.is_empty() => {
                    invalid.get_or_insert(include.unloadable.clone());
                    continue;
                }
                Err(IncludeLoadError::Invalid(errors)) => {
                    invalid.get_or_insert(errors);
                    continue;
                }
                Err(IncludeLoadError::Failed(message)) => Err(message),
                Ok(host_passes) => Ok(host_passes),
            };
            let included = planned.as_ref().map_or(0, Vec::len);
            let result = match planned {
                Ok(host_passes) if host_passes.is_empty() => {
                    TaskResult::skipped_by(include.when.first().map_or("", String::as_str))
                }
                Ok(host_passes) => {
                    let mut result = TaskResult::from_outcome(crate::modules::Outcome::ok());
                    let file = host_passes
                        .first()
                        .map_or(include.what.as_str(), |p| p.file.as_str());
                    result
                        .fields
                        .insert("include".into(), crate::value::Value::from(file));
                    passes.push((host.clone(), host_passes));
                    result
                }
                Err(message) => TaskResult::failed(message),
            };
            run.emit(Event::HostResult(HostResult {
                host: host.clone(),
                task: include.name.clone(),
                location: include.span.location(),
                status: result.status(),
                ignored: false,
                item: None,
                delegated_to: None,
                result: result.value(),
                module: include.keyword.clone(),
                shown_in_full: false,
                error: None,
            }));
            self.settle_include(host, &result, included);
        }
        // As Ansible's parser error in an included file: the run ends, with
        // the other hosts' results shown, before any included task runs.
        if let Some(errors) = invalid {
            let mut errors = errors.into_iter();
            if let Some(first) = errors.next() {
                let rest: Vec<String> = errors.map(|e| e.to_string()).collect();
                let error = if rest.is_empty() {
                    first
                } else {
                    let message = format!("{}\n{}", first.message, rest.join("\n"));
                    crate::source::Diagnostic { message, ..first }
                };
                self.play.fail_run(error);
            }
            return;
        }
        if !passes.is_empty() {
            self.play.publish(&include.publishes);
        }
        for (file, label, hosts) in included_files(&passes) {
            run.emit(Event::Included {
                file: file.to_string(),
                hosts,
                item: label.map(str::to_string),
            });
        }
        let rounds = passes.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
        for round in 0..rounds {
            // Hosts that included the same file run its tasks together.
            let mut groups: Vec<(Arc<Vec<Step>>, Vec<String>)> = Vec::new();
            for (host, host_passes) in &passes {
                let Some(pass) = host_passes.get(round) else {
                    continue;
                };
                if let Some(item) = &pass.item {
                    run.hosts
                        .update(host, |record| record.push_include_vars(item.vars.clone()));
                }
                match groups
                    .iter_mut()
                    .find(|(body, _)| Arc::ptr_eq(body, &pass.body))
                {
                    Some((_, group)) => group.push(host.clone()),
                    None => groups.push((pass.body.clone(), vec![host.clone()])),
                }
            }
            for (body, group) in &groups {
                self.run_steps(body, group);
            }
            for (host, host_passes) in &passes {
                if host_passes
                    .get(round)
                    .is_some_and(|pass| pass.item.is_some())
                {
                    run.hosts.update(host, |record| record.pop_include_vars());
                }
            }
        }
    }

    /// The tasks for each of `host`'s passes; a dynamic include's file is
    /// rendered with the host's variables (and the item) and loaded once.
    fn with_bodies(
        &self,
        include: &Include,
        host: &str,
        passes: Vec<Option<LoopItem>>,
        loaded: &mut HashMap<String, Result<Arc<Vec<Step>>, IncludeLoadError>>,
    ) -> Result<Vec<Pass>, IncludeLoadError> {
        let run = self.run;
        let Some(dynamic) = &include.dynamic else {
            return Ok(passes
                .into_iter()
                .map(|item| Pass {
                    item,
                    body: include.body.clone(),
                    file: include.what.clone(),
                })
                .collect());
        };
        passes
            .into_iter()
            .map(|item| {
                let mut context = run.vars(host, Scope::play(self.play));
                if let Some(item) = &item {
                    context.push_data(item.vars.clone());
                }
                let file = run
                    .templar
                    .render_str(&dynamic.file, &context.value())
                    .map_err(|e| IncludeLoadError::Failed(e.to_string()))?;
                let file = crate::value::text(&file);
                let body = loaded
                    .entry(file.clone())
                    .or_insert_with(|| {
                        crate::playbook::load_included(dynamic, &file)
                            .map(|(_, steps)| Arc::new(steps))
                    })
                    .clone()?;
                Ok(Pass { item, body, file })
            })
            .collect()
    }

    /// The runs of an include's tasks on `host`: none when its `when` fails,
    /// one per loop item whose `when` holds, or one without a loop.
    fn include_passes(
        &self,
        include: &Include,
        host: &str,
    ) -> Result<Vec<Option<LoopItem>>, String> {
        let run = self.run;
        let scope = Scope::play(self.play);
        let Some(spec) = &include.loop_ else {
            let holds = run
                .first_false_condition(host, scope, &include.when, None)
                .is_none();
            return Ok(if holds { vec![None] } else { Vec::new() });
        };
        let vars = run.vars(host, scope).value();
        let rendered = run
            .templar
            .render_value(&spec.items, &vars)
            .map_err(|e| e.to_string())?;
        let items =
            super::loops::loop_items(spec.kind, rendered, &run.templar, &vars, "include_tasks")?;
        let control = include.loop_control.rendered(|template| {
            run.templar
                .render_value(template, &vars)
                .map_err(|e| e.to_string())
        })?;
        let mut passes = Vec::new();
        let all_items = crate::value::Value::from(items.clone());
        for index in 0..items.len() {
            let layer = super::task_executor::loop_vars(&control, index, &items, &all_items);
            let layer = Arc::new(layer);
            if run
                .first_false_condition(host, scope, &include.when, Some(layer.clone()))
                .is_none()
            {
                let label = match &control.label {
                    Some(template) => {
                        let mut context = run.vars(host, scope);
                        context.push_data(layer.clone());
                        run.templar
                            .render_str(template, &context.value())
                            .map_err(|e| e.to_string())?
                    }
                    None => layer.get(&control.loop_var).cloned().unwrap_or_default(),
                };
                passes.push(Some(LoopItem {
                    vars: layer,
                    label: super::task_executor::shown_item(&label),
                }));
            }
        }
        Ok(passes)
    }

    /// Count an include's result and take a host whose include failed out.
    /// As in Ansible, an include that happened counts once per file (or
    /// loop item) it included, not for itself.
    fn settle_include(&self, host: &str, result: &TaskResult, included: usize) {
        let status = result.status();
        if status == Status::Ok {
            (0..included).for_each(|_| self.run.count(host, status, false, false));
        } else {
            self.run.count(host, status, false, false);
        }
        if status == Status::Failed {
            self.run.hosts.update(host, |record| record.fail());
        }
    }
}

/// The files included, with the hosts that included each (per loop item),
/// in the order they were first included: Ansible's `included:` lines.
fn included_files(passes: &[(String, Vec<Pass>)]) -> Vec<(&str, Option<&str>, Vec<String>)> {
    let mut files: Vec<(&str, Option<&str>, Vec<String>)> = Vec::new();
    for (host, host_passes) in passes {
        for pass in host_passes {
            let label = pass.item.as_ref().map(|item| item.label.as_str());
            match files
                .iter_mut()
                .find(|(file, known, _)| *file == pass.file && *known == label)
            {
                Some((_, _, hosts)) => hosts.push(host.clone()),
                None => files.push((&pass.file, label, vec![host.clone()])),
            }
        }
    }
    files
}
