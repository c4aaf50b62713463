//! What `command`, `shell` and `script` share: `chdir`, `creates`/`removes`,
//! `stdin`, the environment, and Ansible's result keys (`rc`, `stdout`,
//! `stdout_lines`, `start`, `end`, `delta`...).

use std::time::{Duration, SystemTime};

use crate::connection::{Dropped, ExecOutput, shell_quote};
use crate::modules::{Args, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

/// A command ready to run on a host.
pub(crate) struct CommandRun {
    /// The `cmd` result key: the argv list for `command`, the string for `shell`.
    pub display: Value,
    /// POSIX `sh` code that runs the command.
    pub script: String,
    pub chdir: Option<String>,
    pub creates: Option<String>,
    pub removes: Option<String>,
    pub stdin: Option<Vec<u8>>,
    pub strip_empty_ends: bool,
}

impl CommandRun {
    /// Read the arguments every command-like module shares.
    pub(crate) fn from_args(args: &Args, display: Value, script: String) -> Result<Self, String> {
        let stdin = args.str("stdin").map_err(|e| e.to_string())?;
        let add_newline = args
            .bool("stdin_add_newline", true)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            display,
            script,
            chdir: args.str("chdir").map_err(|e| e.to_string())?,
            creates: args.str("creates").map_err(|e| e.to_string())?,
            removes: args.str("removes").map_err(|e| e.to_string())?,
            stdin: stdin.map(|text| {
                let mut bytes = text.into_bytes();
                if add_newline {
                    bytes.push(b'\n');
                }
                bytes
            }),
            strip_empty_ends: args
                .bool("strip_empty_ends", true)
                .map_err(|e| e.to_string())?,
        })
    }
}

/// The command line from `cmd`, or else the free-form string.
pub(crate) fn command_line(args: &Args) -> Result<String, String> {
    match args.str("cmd").map_err(|e| e.to_string())? {
        Some(cmd) => Ok(cmd),
        None => Ok(args
            .str(crate::modules::spec::RAW_PARAMS)
            .map_err(|e| e.to_string())?
            .unwrap_or_default()),
    }
}

/// Run `run` on the host unless `creates`/`removes` say it already ran.
pub(crate) fn run_command(
    run: &CommandRun,
    ctx: &mut ModuleContext,
) -> Result<Outcome, ModuleError> {
    if ctx.check_mode
        && let Some(settled) = settled_without_running(run, ctx)?
    {
        return Ok(settled);
    }
    let guard = Guard::new(run);
    let script = guard.script(run, ctx.environment);
    let started = SystemTime::now();
    let (output, dropped) = run_bounded(ctx, &script, run.stdin.as_deref())?;
    if let Some(skip) = guard.skipped(run, &output) {
        return Ok(skip);
    }
    Ok(with_dropped(
        command_outcome(run, &output, started),
        dropped,
    ))
}

/// `creates`/`removes` checked by the command's own script, in the same
/// round trip: once in the working directory (Ansible changes to `chdir`
/// before it looks), a path that says the command already ran ends the
/// script with a line on stderr that holds a fresh random nonce, which no
/// command can print by chance.
struct Guard {
    /// `None` without `creates`/`removes`: the script is the command's alone.
    nonce: Option<String>,
}

impl Guard {
    fn new(run: &CommandRun) -> Self {
        let nonce = (run.creates.is_some() || run.removes.is_some()).then(|| {
            let mut bytes = [0u8; 16];
            rand::fill(&mut bytes);
            format!("@runbook-not-run-{}", hex::encode(bytes))
        });
        Self { nonce }
    }

    fn script(&self, run: &CommandRun, environment: &[(String, String)]) -> String {
        let Some(nonce) = &self.nonce else {
            return full_script(run, environment);
        };
        let mut checks = String::new();
        if let Some(path) = &run.creates {
            checks.push_str(&format!(
                "if {}; then printf '%s\\n' '{} creates' >&2; exit 0; fi\n",
                exists_test(path),
                nonce
            ));
        }
        if let Some(path) = &run.removes {
            checks.push_str(&format!(
                "if ! {}; then printf '%s\\n' '{} removes' >&2; exit 0; fi\n",
                exists_test(path),
                nonce
            ));
        }
        with_prelude(run, environment, &checks)
    }

    /// The result of a run that the guard ended before the command.
    fn skipped(&self, run: &CommandRun, output: &ExecOutput) -> Option<Outcome> {
        let nonce = self.nonce.as_deref()?;
        if output.rc != 0 {
            return None;
        }
        let stderr = std::str::from_utf8(&output.stderr).ok()?;
        let last_line = stderr.strip_suffix('\n')?.rsplit('\n').next()?;
        match (last_line.strip_prefix(nonce)?, &run.creates, &run.removes) {
            (" creates", Some(path), _) => Some(not_run(
                run,
                format!("Did not run command since '{path}' exists"),
            )),
            (" removes", _, Some(path)) => Some(not_run(
                run,
                format!("Did not run command since '{path}' does not exist"),
            )),
            _ => None,
        }
    }
}

/// `sh` that succeeds when `path` (a glob) matches anything, with builtins only.
fn exists_test(path: &str) -> String {
    if path.contains(['*', '?', '[']) {
        format!(
            "{{ runbook_hit=; for runbook_path in {}; do [ -e \"$runbook_path\" ] && runbook_hit=1 && break; done; [ -n \"$runbook_hit\" ]; }}",
            glob_word(path)
        )
    } else {
        format!("[ -e {} ]", shell_quote(path))
    }
}

/// The result when the command need not run: `creates`/`removes` say it
/// already did, or check mode predicts it.
pub(crate) fn settled_without_running(
    run: &CommandRun,
    ctx: &mut ModuleContext,
) -> Result<Option<Outcome>, ModuleError> {
    if let Some(skip) = precondition_skip(run, ctx)? {
        return Ok(Some(skip));
    }
    Ok(ctx.check_mode.then(|| check_mode_outcome(run)))
}

/// Each stream of a command keeps this many bytes unless
/// `runbook_output_limit` says otherwise: the first half and the last half,
/// with a line in between saying how much was left out.
pub(crate) const DEFAULT_OUTPUT_LIMIT: usize = 8 * 1024 * 1024;
const OUTPUT_LIMIT_VAR: &str = "runbook_output_limit";

/// `runbook_output_limit` (bytes per stream; 0 keeps everything).
fn output_limit(vars: &Value) -> Result<Option<usize>, ModuleError> {
    let value = match vars.get_attr(OUTPUT_LIMIT_VAR) {
        Ok(value) if !value.is_undefined() && !value.is_none() => value,
        _ => return Ok(Some(DEFAULT_OUTPUT_LIMIT)),
    };
    let bytes = i64::try_from(value.clone())
        .ok()
        .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
        .and_then(|bytes: i64| usize::try_from(bytes).ok())
        .ok_or_else(|| {
            ModuleError::Failed(format!(
                "{OUTPUT_LIMIT_VAR} must be a number of bytes (0 for no limit), got {value}"
            ))
        })?;
    Ok((bytes > 0).then_some(bytes))
}

/// Run a user's command keeping at most the output limit of each stream.
pub(crate) fn run_bounded(
    ctx: &mut ModuleContext,
    script: &str,
    stdin: Option<&[u8]>,
) -> Result<(ExecOutput, Dropped), ModuleError> {
    let limit = output_limit(ctx.vars)?;
    ctx.connection.limits().take_dropped();
    ctx.connection.limits().bound_output(limit);
    let output = ctx
        .connection()
        .and_then(|connection| connection.run(script, stdin));
    ctx.connection.limits().bound_output(None);
    let dropped = ctx.connection.limits().take_dropped();
    Ok((output?, dropped))
}

/// Say in the result how much of each stream the output limit left out.
pub(crate) fn with_dropped(mut outcome: Outcome, dropped: Dropped) -> Outcome {
    for (stream, bytes) in [("stdout", dropped.stdout), ("stderr", dropped.stderr)] {
        if bytes > 0 {
            outcome = outcome.with(&format!("{stream}_truncated_bytes"), bytes);
        }
    }
    outcome
}

/// Ansible's partial check mode for commands: with `creates`/`removes` the
/// task reports it would change, without them it is skipped.
fn check_mode_outcome(run: &CommandRun) -> Outcome {
    let msg = "Command would have run if not in check mode";
    if run.creates.is_none() && run.removes.is_none() {
        Outcome::skipped(msg)
    } else {
        Outcome::changed().with_msg(msg).with("rc", 0)
    }
}

fn precondition_skip(
    run: &CommandRun,
    ctx: &mut ModuleContext,
) -> Result<Option<Outcome>, ModuleError> {
    if let Some(path) = &run.creates
        && path_exists(path, run.chdir.as_deref(), ctx)?
    {
        return Ok(Some(not_run(
            run,
            format!("Did not run command since '{path}' exists"),
        )));
    }
    if let Some(path) = &run.removes
        && !path_exists(path, run.chdir.as_deref(), ctx)?
    {
        return Ok(Some(not_run(
            run,
            format!("Did not run command since '{path}' does not exist"),
        )));
    }
    Ok(None)
}

fn not_run(run: &CommandRun, msg: String) -> Outcome {
    Outcome::ok()
        .with("cmd", run.display.clone())
        .with("rc", 0)
        .with(
            "stdout",
            format!(
                "skipped, since {}",
                msg.trim_start_matches("Did not run command since ")
            ),
        )
        .with("stdout_lines", Value::from(Vec::<Value>::new()))
        .with("stderr", "")
        .with("stderr_lines", Value::from(Vec::<Value>::new()))
        .with_msg(msg)
}

/// Whether `path` (a glob, relative to `chdir`) matches anything on the host.
fn path_exists(
    path: &str,
    chdir: Option<&str>,
    ctx: &mut ModuleContext,
) -> Result<bool, ModuleError> {
    let cd = chdir
        .map(|dir| format!("cd {} 2>/dev/null || exit 1; ", shell_quote(dir)))
        .unwrap_or_default();
    let test = if path.contains(['*', '?', '[']) {
        format!(
            "for f in {}; do [ -e \"$f\" ] && exit 0; done; exit 1",
            glob_word(path)
        )
    } else {
        format!("[ -e {} ]", shell_quote(path))
    };
    Ok(ctx.connection()?.run(&format!("{cd}{test}"), None)?.rc == 0)
}

/// A glob pattern as one shell word: glob characters stay live, everything
/// else is escaped.
fn glob_word(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            '*' | '?' | '[' | ']' => c.to_string(),
            c if c.is_ascii_alphanumeric() || "/._-".contains(c) => c.to_string(),
            c => format!("\\{c}"),
        })
        .collect()
}

/// The command wrapped with its environment and working directory.
pub(crate) fn full_script(run: &CommandRun, environment: &[(String, String)]) -> String {
    with_prelude(run, environment, "")
}

/// The environment, the working directory, `between`, then the command.
fn with_prelude(run: &CommandRun, environment: &[(String, String)], between: &str) -> String {
    let mut script = environment_prefix(environment);
    if let Some(dir) = &run.chdir {
        let quoted = shell_quote(dir);
        script.push_str(&format!(
            "cd {quoted} || {{ echo \"Unable to change directory before execution: {}\" >&2; exit 1; }}\n",
            dir.replace(['"', '\\', '$', '`'], "_")
        ));
    }
    script.push_str(between);
    script.push_str(&run.script);
    script
}

/// `export` lines for the task's `environment:`.
pub(crate) fn environment_prefix(environment: &[(String, String)]) -> String {
    environment
        .iter()
        .map(|(name, value)| format!("export {name}={}\n", shell_quote(value)))
        .collect()
}

fn command_outcome(run: &CommandRun, output: &ExecOutput, started: SystemTime) -> Outcome {
    finished_command(
        run.display.clone(),
        run.strip_empty_ends,
        output,
        started,
        SystemTime::now(),
    )
}

/// Ansible's result keys for a command that ran from `started` to `ended`.
pub(crate) fn finished_command(
    cmd: Value,
    strip_empty_ends: bool,
    output: &ExecOutput,
    started: SystemTime,
    ended: SystemTime,
) -> Outcome {
    let stdout: std::sync::Arc<str> = text(&output.stdout, strip_empty_ends).into();
    let stderr: std::sync::Arc<str> = text(&output.stderr, strip_empty_ends).into();
    let mut outcome = Outcome::changed()
        .with("cmd", cmd)
        .with("rc", output.rc)
        .with("stdout_lines", lines(&stdout))
        .with("stdout", stdout)
        .with("stderr_lines", lines(&stderr))
        .with("stderr", stderr)
        .with("start", timestamp(started))
        .with("end", timestamp(ended))
        .with(
            "delta",
            delta(ended.duration_since(started).unwrap_or_default()),
        );
    if output.rc != 0 {
        outcome.failed = true;
        outcome.msg = Some("non-zero return code".into());
    } else {
        outcome.msg = Some(String::new());
    }
    outcome
}

fn text(bytes: &[u8], strip_empty_ends: bool) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    if strip_empty_ends {
        let kept = text.trim_end_matches(['\r', '\n']).len();
        text.truncate(kept);
    }
    text
}

/// Python's `str.splitlines()`, which Ansible uses for `*_lines`.
pub(crate) fn lines(text: &std::sync::Arc<str>) -> Value {
    super::output_lines::lines_of(text)
}

/// `2026-11-24 01:02:03.123456` in local time, as Ansible prints it.
pub(crate) fn timestamp(time: SystemTime) -> String {
    match crate::local_time::LocalTime::of(time) {
        Some(local) => format!("{}.{:06}", local.date_and_time(), local.micros),
        None => {
            let since_epoch = time
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            format!(
                "{}.{:06}",
                since_epoch.as_secs(),
                since_epoch.subsec_micros()
            )
        }
    }
}

/// `0:00:01.234567`, Python's `str(timedelta)`.
pub(crate) fn delta(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!(
        "{}:{:02}:{:02}.{:06}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        duration.subsec_micros()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations_like_python() {
        assert_eq!(
            delta(Duration::from_micros(3_723_000_001)),
            "1:02:03.000001"
        );
        assert_eq!(delta(Duration::ZERO), "0:00:00.000000");
    }

    #[test]
    fn glob_words_keep_only_glob_characters_live() {
        assert_eq!(glob_word("/opt/app v1/*.tar"), "/opt/app\\ v1/*.tar");
    }

    #[test]
    fn environment_is_exported_quoted() {
        let env = [("A".to_string(), "x y".to_string())];
        assert_eq!(environment_prefix(&env), "export A='x y'\n");
    }
}
