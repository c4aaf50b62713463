//! Background jobs for `async:`, kept where Ansible keeps them: a job file
//! `~/.ansible_async/<jid>` on the host (`ansible_async_dir` moves it) that
//! says `"finished": false` while the job runs and holds its result after.
//!
//! `command` and `shell` really run in the background: a detached `sh`
//! (its own session, so neither the end of the SSH session nor the
//! controller's exit stops it) runs the command with its output in files
//! beside the job file, kills the command's process group at the `async`
//! limit, and then replaces the job file in one `mv`. Other modules run to
//! completion on the controller's side (see `record`).

use indexmap::IndexMap;

use super::utils::exec::{self, CommandRun};
use super::{ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::{Value, VarMap};

/// Ansible's actions that refuse `async` ("This action (copy) does not
/// support async."): those with an action plugin that does not declare it.
const WITHOUT_ASYNC: &[&str] = &[
    "add_host",
    "assert",
    "async_status",
    "copy",
    "debug",
    "fail",
    "fetch",
    "group_by",
    "include_vars",
    "pause",
    "raw",
    "reboot",
    "script",
    "set_fact",
    "synchronize",
    "template",
    "unarchive",
    "wait_for_connection",
];

/// Whether Ansible runs `module` with `async:`.
pub fn supports_async(module: &dyn super::Module) -> bool {
    !WITHOUT_ASYNC.contains(&module.name())
}

/// A job started on a host.
#[derive(Debug, Clone)]
pub struct Job {
    pub jid: String,
    /// The job file's path on the host (`results_file`).
    pub results_file: String,
}

impl Job {
    /// What the task reports when it does not wait (`poll: 0`): changed,
    /// whatever the job will do, as Ansible says.
    pub fn started(&self) -> Outcome {
        Outcome::changed()
            .with("started", true)
            .with("finished", false)
            .with("ansible_job_id", self.jid.as_str())
            .with("results_file", self.results_file.as_str())
    }
}

/// A new job id as Ansible writes them (`j` and twelve digits; the host
/// appends `.PID`).
pub fn new_jid() -> String {
    format!("j{:012}", rand::random_range(0..1_000_000_000_000u64))
}

/// The async directory as a shell word: `ansible_async_dir`, else
/// `~/.ansible_async`, with a leading `~` meaning the user's home.
fn async_dir(vars: &Value) -> String {
    let dir = vars
        .get_attr("ansible_async_dir")
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_none())
        .map(|value| crate::value::text(&value))
        .unwrap_or_else(|| "~/.ansible_async".into());
    match dir.strip_prefix("~/") {
        Some(rest) => format!("\"$HOME\"/{}", shell_quote(rest)),
        None if dir == "~" => "\"$HOME\"".into(),
        None => shell_quote(&dir),
    }
}

/// What the detached `sh` runs: `$1` the job file, `$2` the limit in
/// seconds. The command runs in its own session so the whole group can be
/// killed; the watcher marks the kill before making it, so exactly one
/// writer decides what the job file says.
const WRAPPER: &str = r#"f=$1 limit=$2
stamp() { t=$(date +%s.%N); case $t in *N*) t=$(date +%s) ;; esac; printf %s "$t"; }
start=$(stamp)
if command -v setsid >/dev/null 2>&1; then
  setsid sh "$f.sh" <"$f.in" >"$f.out" 2>"$f.err" &
else
  sh "$f.sh" <"$f.in" >"$f.out" 2>"$f.err" &
fi
child=$!
( n=0
  while kill -0 "$child" 2>/dev/null; do
    if [ "$n" -ge "$limit" ]; then
      : >"$f.killed"
      kill -KILL -"$child" 2>/dev/null || kill -KILL "$child" 2>/dev/null
      exit 0
    fi
    sleep 1; n=$((n + 1))
  done ) &
watcher=$!
wait "$child"; rc=$?
end=$(stamp)
wait "$watcher"
if [ -e "$f.killed" ]; then
  sleep 1
  printf '{"msg": "Timeout exceeded", "failed": true, "child_pid": %s}\n' "$child" >"$f.tmp"
else
  { cat "$f.cmd"; printf ', "rc": %s, "start": %s, "end": %s}\n' "$rc" "$start" "$end"; } >"$f.tmp"
fi
mv -f "$f.tmp" "$f"
rm -f "$f.sh" "$f.in" "$f.cmd" "$f.killed""#;

/// Start `run` in the background on the host, killed after `limit` seconds.
/// `creates`/`removes` and check mode are decided first, as the command
/// module decides them inside Ansible's job; their result is the job's.
pub(crate) fn start_command(
    run: &CommandRun,
    ctx: &mut ModuleContext,
    limit: u64,
) -> Result<Job, ModuleError> {
    if let Some(settled) = exec::settled_without_running(run, ctx)? {
        return record(ctx, &settled);
    }
    // The job file's head, without its closing brace: the wrapper appends
    // what only the host knows. Its first key is what `status` looks for.
    let head = format!(
        "{{\"runbook_command\":true,\"strip_empty_ends\":{},\"cmd\":{}",
        run.strip_empty_ends,
        serde_json::to_string(&run.display).unwrap_or_else(|_| "null".into())
    );
    let script = exec::full_script(run, ctx.environment);
    let jid = new_jid();
    let launcher = format!(
        "umask 077\nd={dir}\nmkdir -p \"$d\" || exit 1\njid={jid}.$$\nf=\"$d/$jid\"\n\
         printf '{{\"started\": true, \"finished\": false, \"ansible_job_id\": \"%s\"}}\\n' \"$jid\" >\"$f\" || exit 1\n\
         printf %s {script} >\"$f.sh\" && printf %s {head} >\"$f.cmd\" && cat >\"$f.in\" || exit 1\n\
         if command -v setsid >/dev/null 2>&1; then detach=setsid; else detach=nohup; fi\n\
         $detach sh -c {wrapper} runbook-async \"$f\" {limit} </dev/null >/dev/null 2>&1 &\n\
         printf '%s\\n%s\\n' \"$jid\" \"$f\"\n",
        dir = async_dir(ctx.vars),
        script = shell_quote(&script),
        head = shell_quote(&head),
        wrapper = shell_quote(WRAPPER),
    );
    let output = ctx
        .connection()?
        .run(&launcher, Some(run.stdin.as_deref().unwrap_or_default()))?;
    job_of(&output, "could not start the job in the async directory")
}

/// `start_command` for a module whose command could be built (or not).
pub(crate) fn start_built(
    run: Result<CommandRun, String>,
    ctx: &mut ModuleContext,
    limit: u64,
) -> Option<Result<Job, ModuleError>> {
    Some(
        run.map_err(ModuleError::Failed)
            .and_then(|run| start_command(&run, ctx, limit)),
    )
}

/// The job a script that printed its id and file made.
fn job_of(output: &crate::connection::ExecOutput, failure: &str) -> Result<Job, ModuleError> {
    let text = output.stdout_text();
    let mut lines = text.lines();
    match (output.rc, lines.next(), lines.next()) {
        (0, Some(jid), Some(file)) => Ok(Job {
            jid: jid.to_string(),
            results_file: file.to_string(),
        }),
        _ => Err(ModuleError::Failed(format!(
            "{failure}: {}",
            output.stderr_text().trim()
        ))),
    }
}

/// A finished, failed status (`could not find job`, an unreadable file).
fn failed_status(outcome: Outcome, msg: String) -> Outcome {
    let mut failed = outcome.with("started", true).with("finished", true);
    failed.failed = true;
    failed.msg = Some(msg);
    failed
}

/// The job's status, as `async_status` reports it; waits on the host up to
/// `wait` seconds for a running job to finish.
pub fn status(ctx: &mut ModuleContext, jid: &str, wait: u64) -> Result<Outcome, ModuleError> {
    let script = format!(
        "f={dir}/{jid}\n[ -e \"$f\" ] || {{ printf '%s\\n' \"$f\"; exit 3; }}\n\
         if sleep 0.01 2>/dev/null; then step=0.2 left=$(({wait} * 5)); else step=1 left={wait}; fi\n\
         while :; do\n  l=; IFS= read -r l <\"$f\"\n  case $l in '{{\"started\": true, \"finished\": false'*) ;; *) break ;; esac\n  \
         [ \"$left\" -gt 0 ] || break\n  sleep \"$step\"; left=$((left - 1))\ndone\n\
         printf '%s\\n%s\\n' \"$f\" \"$l\"\n\
         case $l in '{{\"runbook_command\":true,'*) cat \"$f.out\"; cat \"$f.err\" >&2 ;; esac\n",
        dir = async_dir(ctx.vars),
        jid = shell_quote(jid),
    );
    let output = ctx.connection()?.run(&script, None)?;
    let (path, rest) = split_line(&output.stdout);
    let path = String::from_utf8_lossy(path).into_owned();
    let base = Outcome::ok()
        .with("ansible_job_id", jid)
        .with("results_file", path.as_str())
        .with("started", true)
        .with("finished", false)
        .with("stdout", "")
        .with("stdout_lines", Value::from(Vec::<Value>::new()))
        .with("stderr", "")
        .with("stderr_lines", Value::from(Vec::<Value>::new()));
    if output.rc == 3 {
        return Ok(failed_status(base, "could not find job".into()));
    }
    if output.rc != 0 {
        return Err(ModuleError::Failed(format!(
            "cannot read the job file {path}: {}",
            output.stderr_text().trim()
        )));
    }
    let (line, stdout) = split_line(rest);
    let line = String::from_utf8_lossy(line);
    if line.trim().is_empty() {
        return Ok(base);
    }
    let Ok(data) = serde_json::from_str::<IndexMap<String, serde_json::Value>>(&line) else {
        return Ok(failed_status(
            base,
            format!("Could not parse job output: {line}"),
        ));
    };
    let mut outcome = base;
    // As Ansible's async_status: a file without `started` is a job's end.
    let finished = if data.get("runbook_command") == Some(&serde_json::Value::Bool(true)) {
        merge(&mut outcome, command_result(&data, stdout, &output.stderr));
        true
    } else {
        merge(&mut outcome, outcome_of(&data));
        !data.contains_key("started")
    };
    if finished {
        outcome.data.insert("finished".into(), Value::from(true));
    }
    Ok(outcome)
}

/// Remove the job's files (`async_status: mode=cleanup`); the path erased.
pub fn cleanup(ctx: &mut ModuleContext, jid: &str) -> Result<Outcome, ModuleError> {
    let script = format!(
        "f={dir}/{jid}\nprintf '%s\\n' \"$f\"\n[ -e \"$f\" ] || exit 3\nrm -f \"$f\" \"$f.out\" \"$f.err\"\n",
        dir = async_dir(ctx.vars),
        jid = shell_quote(jid),
    );
    let output = ctx.connection()?.run(&script, None)?;
    let path = output.stdout_text().trim_end().to_string();
    let outcome = Outcome::ok().with("ansible_job_id", jid);
    match output.rc {
        0 => Ok(outcome.with("erased", path)),
        3 => Ok(failed_status(outcome, "could not find job".into())),
        _ => Err(ModuleError::Failed(format!(
            "cannot remove the job file {path}: {}",
            output.stderr_text().trim()
        ))),
    }
}

/// Leave a finished result in a new job file, for a module that ran to
/// completion in place of a background job (`poll: 0`), so a later
/// `async_status` finds it as Ansible's would.
pub fn record(ctx: &mut ModuleContext, outcome: &Outcome) -> Result<Job, ModuleError> {
    let mut fields: IndexMap<String, Value> = IndexMap::new();
    fields.insert("changed".into(), Value::from(outcome.changed));
    fields.insert("failed".into(), Value::from(outcome.failed));
    if outcome.skipped {
        fields.insert("skipped".into(), Value::from(true));
    }
    if let Some(msg) = &outcome.msg {
        fields.insert("msg".into(), Value::from(msg.as_str()));
    }
    fields.extend(outcome.data.clone());
    let json = serde_json::to_string(&fields)
        .map_err(|e| ModuleError::Failed(format!("cannot record the job's result: {e}")))?;
    let script = format!(
        "umask 077\nd={dir}\nmkdir -p \"$d\" || exit 1\njid={jid}.$$\nf=\"$d/$jid\"\n\
         {{ cat; echo; }} >\"$f.tmp\" && mv -f \"$f.tmp\" \"$f\" || exit 1\nprintf '%s\\n%s\\n' \"$jid\" \"$f\"\n",
        dir = async_dir(ctx.vars),
        jid = new_jid(),
    );
    let output = ctx.connection()?.run(&script, Some(json.as_bytes()))?;
    job_of(
        &output,
        "could not write the job file in the async directory",
    )
}

fn split_line(bytes: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b'\n', bytes) {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (bytes, &[]),
    }
}

/// A finished command's result, as the synchronous module reports it.
fn command_result(
    data: &IndexMap<String, serde_json::Value>,
    stdout: &[u8],
    stderr: &[u8],
) -> Outcome {
    let epoch = |key: &str| {
        data.get(key)
            .and_then(serde_json::Value::as_f64)
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .map(|seconds| std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(seconds))
    };
    let strip = data
        .get("strip_empty_ends")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true);
    let rc = data
        .get("rc")
        .and_then(serde_json::Value::as_i64)
        .and_then(|rc| i32::try_from(rc).ok())
        .unwrap_or(-1);
    let cmd = data
        .get("cmd")
        .map(|cmd| Value::from(minijinja::value::Serde(cmd.clone())))
        .unwrap_or_default();
    let (start, end) = match (epoch("start"), epoch("end")) {
        (Some(start), Some(end)) => (start, end),
        _ => (std::time::UNIX_EPOCH, std::time::UNIX_EPOCH),
    };
    let output = crate::connection::ExecOutput {
        rc,
        stdout: stdout.to_vec(),
        stderr: stderr.to_vec(),
    };
    exec::finished_command(cmd, strip, &output, start, end)
}

/// A job file's JSON as an outcome: Ansible's flags lifted out, the rest data.
fn outcome_of(data: &IndexMap<String, serde_json::Value>) -> Outcome {
    let mut outcome = Outcome::ok();
    let mut rest = VarMap::new();
    for (key, value) in data {
        let truthy = || match value {
            serde_json::Value::Bool(b) => *b,
            serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
            _ => false,
        };
        match key.as_str() {
            "changed" => outcome.changed = truthy(),
            "failed" => outcome.failed = truthy(),
            "skipped" => outcome.skipped = truthy(),
            "msg" => {
                outcome.msg = Some(match value {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
            }
            "started" | "finished" => {
                rest.insert(key.clone(), Value::from(truthy()));
            }
            _ => {
                rest.insert(
                    key.clone(),
                    Value::from(minijinja::value::Serde(value.clone())),
                );
            }
        }
    }
    outcome.data = rest;
    outcome
}

/// `top` over `base`: its flags and message, and its keys over base's.
fn merge(base: &mut Outcome, top: Outcome) {
    base.changed = top.changed;
    base.failed = top.failed;
    base.skipped = top.skipped;
    if top.msg.is_some() {
        base.msg = top.msg;
    }
    crate::value::overlay(&mut base.data, &top.data);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(json: &str) -> IndexMap<String, serde_json::Value> {
        serde_json::from_str(json).expect("test JSON")
    }

    #[test]
    fn job_ids_look_like_ansibles() {
        let jid = new_jid();
        assert_eq!(jid.len(), 13);
        assert!(jid.starts_with('j') && jid[1..].bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn a_finished_command_reads_back_as_the_synchronous_result() {
        let data = parsed(
            r#"{"runbook_command": true, "cmd": ["echo", "hi"], "strip_empty_ends": true, "rc": 2, "start": 1.5, "end": 3.75}"#,
        );
        let outcome = command_result(&data, b"out\n\n", b"err\n");
        assert!(outcome.changed && outcome.failed);
        assert_eq!(outcome.msg.as_deref(), Some("non-zero return code"));
        assert_eq!(outcome.data["stdout"].as_str(), Some("out"));
        assert_eq!(outcome.data["stderr"].as_str(), Some("err"));
        assert_eq!(outcome.data["delta"].as_str(), Some("0:00:02.250000"));
        assert_eq!(outcome.data["cmd"].to_string(), "['echo', 'hi']");
    }

    #[test]
    fn a_timed_out_job_is_failed_and_finished() {
        let outcome = outcome_of(&parsed(
            r#"{"msg": "Timeout exceeded", "failed": true, "child_pid": 7}"#,
        ));
        assert!(outcome.failed && !outcome.changed);
        assert_eq!(outcome.msg.as_deref(), Some("Timeout exceeded"));
        assert_eq!(outcome.data["child_pid"].to_string(), "7");
    }

    #[test]
    fn the_async_dir_expands_home_on_the_host() {
        let vars =
            |dir: &str| crate::value::map_from_pairs([("ansible_async_dir", Value::from(dir))]);
        assert_eq!(async_dir(&Value::UNDEFINED), "\"$HOME\"/.ansible_async");
        assert_eq!(async_dir(&vars("~/jobs dir")), "\"$HOME\"/'jobs dir'");
        assert_eq!(async_dir(&vars("/var/tmp/jobs")), "/var/tmp/jobs");
    }
}
