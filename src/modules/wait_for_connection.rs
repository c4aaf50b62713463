//! `wait_for_connection`: wait until the host answers again (after a
//! reboot, a network change): each try drops runbook's connection, opens a
//! new one with the host's resolved settings (`connect_timeout` bounding
//! it) and runs `echo pong` — Ansible's ping module test without Python.

use std::time::{Duration, Instant};

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

pub(super) struct WaitForConnection;

static SPEC: ArgSpec = ArgSpec {
    names: &["connect_timeout", "delay", "sleep", "timeout"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

/// A whole number of seconds, as Ansible's `int(...)` reads the argument.
fn seconds(args: &Args, name: &str, default: u64) -> Result<u64, ModuleError> {
    match args.f64(name)? {
        None => Ok(default),
        Some(n) if n < 0.0 => Err(ModuleError::failed(format!(
            "{name} must be zero or more seconds, got {n}"
        ))),
        Some(n) => Ok(n as u64),
    }
}

/// One try: a fresh connection that runs a command and prints `pong`.
fn ping(ctx: &mut ModuleContext) -> Result<(), String> {
    ctx.connection.close();
    let connection = ctx.connection().map_err(|e| e.to_string())?;
    let output = connection.run("echo pong", None).map_err(|e| e.to_string())?;
    if output.rc == 0 && output.stdout_text().trim() == "pong" {
        Ok(())
    } else {
        Err("ping test failed".into())
    }
}

impl Module for WaitForConnection {
    fn name(&self) -> &'static str {
        "wait_for_connection"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let connect_timeout = seconds(args, "connect_timeout", 5)?;
        let delay = seconds(args, "delay", 0)?;
        let sleep = seconds(args, "sleep", 1)?;
        let timeout = seconds(args, "timeout", 600)?;
        if ctx.check_mode {
            return Ok(Outcome {
                skipped: true,
                ..Outcome::ok()
            });
        }
        let start = Instant::now();
        // Ctrl-C ends the waits at once (the run then stops).
        if !crate::interruption::sleep(Duration::from_secs(delay)) {
            return Ok(interrupted(start));
        }
        let end = Instant::now() + Duration::from_secs(timeout);
        let previous = ctx
            .connection
            .set_connect_timeout(Duration::from_secs(connect_timeout.max(1)));
        let mut error = String::new();
        let mut answered = false;
        while Instant::now() < end {
            match ping(ctx) {
                Ok(()) => {
                    answered = true;
                    break;
                }
                Err(e) => {
                    error = e;
                    if !crate::interruption::sleep(Duration::from_secs(sleep)) {
                        ctx.connection.set_connect_timeout(previous);
                        return Ok(interrupted(start));
                    }
                }
            }
        }
        ctx.connection.set_connect_timeout(previous);
        let elapsed = Value::from(start.elapsed().as_secs());
        if !answered {
            ctx.connection.close();
            let mut outcome = Outcome::failed(format!(
                "timed out waiting for ping module test: {error}"
            ));
            outcome.data.insert("elapsed".into(), elapsed);
            return Ok(outcome);
        }
        Ok(Outcome::ok().with("elapsed", elapsed))
    }
}

/// The wait was cut short by Ctrl-C: the connection was not confirmed.
fn interrupted(start: Instant) -> Outcome {
    let mut outcome = Outcome::failed("interrupted while waiting for the connection");
    outcome
        .data
        .insert("elapsed".into(), Value::from(start.elapsed().as_secs()));
    outcome
}
