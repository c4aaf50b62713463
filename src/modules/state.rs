//! The shape of every module that manages state: read the arguments into
//! what is wanted, **inspect** the host, **diff** wanted against found, and
//! **apply** only when something differs and not in check mode. The adapter
//! [`Stateful`] turns a [`StateModule`] into a [`Module`], so `--check`,
//! `--diff` and the ok/changed verdict are decided in one place.

use super::{ArgSpec, Args, Changes, Module, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

pub trait StateModule: Send + Sync {
    /// The arguments, read and checked (`mode: "0644"` as a number...).
    type Desired;
    /// What the host has now.
    type Observed;

    fn name(&self) -> &'static str;
    fn spec(&self) -> &'static ArgSpec;

    /// Read the arguments. Errors fail the task before the host is asked anything.
    fn desired(&self, args: &Args, ctx: &ModuleContext) -> Result<Self::Desired, ModuleError>;

    /// Look at the host, in as few round trips as possible. Never changes anything.
    fn inspect(
        &self,
        want: &Self::Desired,
        ctx: &mut ModuleContext,
    ) -> Result<Self::Observed, ModuleError>;

    /// What would change. Empty means the host is already as wanted (`ok`).
    fn diff(&self, want: &Self::Desired, have: &Self::Observed) -> Result<Changes, ModuleError>;

    /// Make the changes; only called when `diff` found some and not in check mode.
    /// Returns result keys to add (e.g. `backup_file`).
    fn apply(
        &self,
        want: &Self::Desired,
        have: &Self::Observed,
        changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError>;

    /// Inspect and apply in one go, where the host itself can decide what
    /// to change (a script that compares and writes only what differs):
    /// what was found before any change, as [`StateModule::inspect`] would
    /// have returned it, and the result keys [`StateModule::apply`] would
    /// have. Never called in check mode; `None` when this task cannot be
    /// settled so, and nothing was done.
    fn settle_at_once(
        &self,
        want: &Self::Desired,
        ctx: &mut ModuleContext,
    ) -> Result<Option<(Self::Observed, Outcome)>, ModuleError> {
        let _ = (want, ctx);
        Ok(None)
    }

    /// Result keys that describe the state (`dest`, `checksum`, `mode`...),
    /// reported whether or not anything changed.
    fn describe(&self, want: &Self::Desired, have: &Self::Observed) -> Outcome {
        let _ = (want, have);
        Outcome::ok()
    }
}

/// A [`StateModule`] as a [`Module`].
pub struct Stateful<T>(pub T);

impl<T: StateModule> Module for Stateful<T> {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn spec(&self) -> &'static ArgSpec {
        self.0.spec()
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        run_state(&self.0, args, ctx)
    }
}

fn run_state<T: StateModule>(
    module: &T,
    args: &Args,
    ctx: &mut ModuleContext,
) -> Result<Outcome, ModuleError> {
    let want = module.desired(args, ctx)?;
    let settled = if ctx.check_mode {
        None
    } else {
        module.settle_at_once(&want, ctx)?
    };
    let (have, applied) = match settled {
        Some((have, applied)) => (have, Some(applied)),
        None => (module.inspect(&want, ctx)?, None),
    };
    let changes = module.diff(&want, &have)?;
    let mut outcome = module.describe(&want, &have);
    if changes.is_empty() {
        return Ok(outcome);
    }
    let applied = match applied {
        Some(applied) => Some(applied),
        None if !ctx.check_mode => Some(module.apply(&want, &have, &changes, ctx)?),
        None => None,
    };
    if let Some(applied) = applied {
        outcome.data.extend(applied.data);
        outcome.facts.extend(applied.facts);
        if applied.msg.is_some() {
            outcome.msg = applied.msg;
        }
    }
    outcome.changed = true;
    if ctx.diff && !changes.diffs.is_empty() {
        let diffs: Vec<Value> = changes.diffs.iter().map(super::Diff::to_value).collect();
        let value = if diffs.len() == 1 {
            diffs[0].clone()
        } else {
            Value::from(diffs)
        };
        outcome.data.insert("diff".into(), value);
    }
    Ok(outcome)
}
