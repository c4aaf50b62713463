//! The one place that builds what a host's templates see: shared layers in
//! Ansible's precedence order (docs/variables.md), lowest first —
//! magic variables, role defaults, inventory, play, role vars, task and
//! block vars, include loop variables, `include_vars` files, facts and
//! registered results, extra vars. Magic variables, loop variables, facts
//! and registered results are data layers: never rendered again. Every layer is an `Arc` the run already holds, so a view costs a
//! handful of pointer copies whatever the size of the fleet or the facts.

use std::sync::Arc;

use super::context::Context;
use super::hostvars::HostLookup;
use super::play_ctx::PlayCtx;
use super::run::Run;
use crate::playbook::Task;
use crate::value::{Value, VarMap};

/// What a view covers beyond the host itself.
#[derive(Clone, Copy, Default)]
pub(super) struct Scope<'a> {
    pub play: Option<&'a PlayCtx<'a>>,
    pub task: Option<&'a Task>,
}

impl<'a> Scope<'a> {
    pub(super) fn play(play: &'a PlayCtx<'a>) -> Self {
        Self {
            play: Some(play),
            task: None,
        }
    }

    pub(super) fn task(play: &'a PlayCtx<'a>, task: &'a Task) -> Self {
        Self {
            play: Some(play),
            task: Some(task),
        }
    }
}

impl Run {
    /// `host`'s variables in `scope`.
    pub(super) fn vars(&self, host: &str, scope: Scope) -> Context {
        let role = scope.task.and_then(|task| task.role.as_ref());
        let fleet = self.fleet();
        let entry = fleet.hosts.get(host);
        let mut view = Context::new(self.templar.clone());
        view.push_data(self.run_magic.clone());
        view.push_data(fleet.magic.clone());
        if let Some(entry) = entry {
            view.push_data(entry.magic.clone());
        }
        let public_roles = scope.play.map(PlayCtx::public_roles).unwrap_or_default();
        for public in public_roles.iter() {
            view.push(public.defaults.clone());
        }
        if let Some(role) = role {
            view.push(role.magic.clone());
            view.push(role.defaults.clone());
        }
        if let Some(entry) = entry {
            view.push(entry.inventory_vars.clone());
        }
        let (loop_vars, included, facts) = self.hosts.read(host, |record| {
            (
                record.include_vars().to_vec(),
                record.file_vars(),
                record.facts(),
            )
        });
        if let Some(play) = scope.play {
            view.push_data(play.magic.clone());
            view.push(play.vars.clone());
            if !play.host_vars_files.is_empty() {
                // Ansible templates these names with the host's facts and
                // the extra vars too.
                let probe = view
                    .clone()
                    .with_data_layer(facts.clone())
                    .with_layer(self.extra_vars.clone());
                view.push(play.host_vars_files.read(self, &probe));
            }
        }
        for public in public_roles.iter() {
            view.push(public.vars.clone());
        }
        if let Some(role) = role {
            view.push(role.vars.clone());
        }
        if let Some(task) = scope.task {
            view.push(task.vars.clone());
        }
        if scope.play.is_some() {
            loop_vars.into_iter().for_each(|vars| view.push_data(vars));
        }
        view.push(included);
        view.push_data(facts);
        view.push(self.extra_vars.clone());
        view
    }

    /// Only the extra vars (`-e`): what play-level keywords see before any host.
    pub(super) fn extra_vars_view(&self) -> Context {
        Context::new(self.templar.clone()).with_layer(self.extra_vars.clone())
    }

    /// The first of `conditions` that does not hold on `host` (an error
    /// counts as not holding), with `extra` variables on top.
    pub(super) fn first_false_condition(
        &self,
        host: &str,
        scope: Scope,
        conditions: &[String],
        extra: Option<Arc<VarMap>>,
    ) -> Option<String> {
        let mut view = self.vars(host, scope);
        if let Some(extra) = extra {
            view.push_data(extra);
        }
        let vars = view.value();
        conditions
            .iter()
            .find(|condition| {
                !self
                    .templar
                    .eval_condition(condition, &vars)
                    .unwrap_or(false)
            })
            .cloned()
    }
}

impl HostLookup for Run {
    fn host_names(&self) -> Vec<String> {
        self.fleet().hosts.keys().cloned().collect()
    }

    fn host_vars(&self, host: &str) -> Option<Value> {
        self.fleet()
            .hosts
            .contains_key(host)
            .then(|| self.vars(host, Scope::default()).value())
    }
}
