//! `pause`: wait a number of seconds or minutes.

use std::time::{Duration, SystemTime};

use super::utils::exec::{delta, timestamp};
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};

pub(super) struct Pause;

static SPEC: ArgSpec = ArgSpec {
    names: &["seconds", "minutes", "prompt", "echo"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

impl Module for Pause {
    fn name(&self) -> &'static str {
        "pause"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, _ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let seconds = match (args.f64("seconds"), args.f64("minutes")) {
            (Ok(Some(s)), _) => s,
            (Ok(None), Ok(Some(m))) => m * 60.0,
            (Ok(None), Ok(None)) => {
                return Ok(Outcome::failed(
                    "pause without `seconds` or `minutes` waits for a keypress, which runbook does not support yet",
                ));
            }
            (Err(e), _) | (_, Err(e)) => return Ok(Outcome::failed(e.to_string())),
        };
        if !seconds.is_finite() || seconds < 0.0 {
            return Ok(Outcome::failed(format!(
                "cannot pause for {seconds} seconds"
            )));
        }
        let start = SystemTime::now();
        // Ctrl-C ends the wait at once; the run then stops as it does after
        // any task that was running.
        let whole = crate::interruption::sleep(Duration::from_secs_f64(seconds));
        let stop = SystemTime::now();
        let stdout = if whole {
            format!("Paused for {} seconds", trim_float(seconds))
        } else {
            let waited = stop.duration_since(start).unwrap_or_default().as_secs_f64();
            format!(
                "Paused for {} of {} seconds: interrupted",
                trim_float((waited * 100.0).round() / 100.0),
                trim_float(seconds)
            )
        };
        Ok(Outcome::ok()
            .with("start", timestamp(start))
            .with("stop", timestamp(stop))
            .with(
                "delta",
                delta(stop.duration_since(start).unwrap_or_default()),
            )
            .with("user_input", "")
            .with("stdout", stdout)
            .with("echo", true))
    }
}

fn trim_float(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}
