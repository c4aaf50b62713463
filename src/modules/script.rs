//! `script`: copy a local script to the host, run it there, remove it.

use std::path::Path;

use super::spec::RAW_PARAMS;
use super::utils::exec::{CommandRun, command_line, run_command};
use super::utils::local_source::find_local;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::{shell_quote, transfer};
use crate::value::Value;

pub(super) struct Script;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        RAW_PARAMS,
        "cmd",
        "chdir",
        "creates",
        "removes",
        "executable",
        "decrypt",
    ],
    one_of: &[&[RAW_PARAMS, "cmd"]],
    free_form: FreeForm::Command,
    paths: &["chdir", "creates", "removes"],
    ..ArgSpec::EMPTY
};

impl Module for Script {
    fn name(&self) -> &'static str {
        "script"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let run = script_run(args, ctx.search_dirs).map_err(ModuleError::Failed)?;
        run_command(&run, ctx)
    }
}

fn script_run(args: &Args, search_dirs: &[std::path::PathBuf]) -> Result<CommandRun, String> {
    let line = command_line(args)?;
    let words = shell_words::split(&line).map_err(|e| format!("cannot split {line:?}: {e}"))?;
    let Some((path, script_args)) = words.split_first() else {
        return Err("no script given".into());
    };
    let local = find_local("script", path, search_dirs, "files", Path::is_file)?;
    let content =
        std::fs::read(&local).map_err(|e| format!("cannot read {}: {e}", local.display()))?;
    // `decrypt: true` (the default): a vaulted script is decrypted in memory.
    let content = if args.bool("decrypt", true).map_err(|e| e.to_string())? {
        crate::vault::session::cleartext_of_file(content)
            .map_err(|e| format!("{}: {e}", local.display()))?
    } else {
        content
    };
    let executable = args.str("executable").map_err(|e| e.to_string())?;
    let mut run = CommandRun::from_args(
        args,
        Value::from(line.as_str()),
        upload_and_run(executable.as_deref(), script_args, &content),
    )?;
    run.stdin = Some(content);
    Ok(run)
}

/// The script arrives on stdin, is written to a private temporary file,
/// checked against its length and checksum (a transfer cut short is never
/// run: `sh` runs a here-document whose input ended early), run, and removed
/// whatever its outcome — one round trip.
fn upload_and_run(executable: Option<&str>, script_args: &[String], content: &[u8]) -> String {
    let runner = executable
        .map(|e| format!("{} ", shell_quote(e)))
        .unwrap_or_default();
    let quoted_args: String = script_args
        .iter()
        .map(|a| format!(" {}", shell_quote(a)))
        .collect();
    format!(
        "runbook_script=$(mktemp) || exit 1\n\
         {remove}\n\
         cat > \"$runbook_script\" && {verify} && chmod 700 \"$runbook_script\" || exit 1\n\
         {runner}\"$runbook_script\"{quoted_args} </dev/null",
        remove = transfer::remove_on_exit("runbook_script"),
        verify = transfer::verify_received("runbook_script", content),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    /// What the host's `sh` sees when the connection breaks mid-transfer:
    /// the framed command (a here-document of base64, as the ssh transport
    /// sends it) cut off part way, then the end of its input.
    fn run_cut_off(script_text: &[u8], keep_lines: usize, tmpdir: &std::path::Path) -> i32 {
        use std::io::Write;
        let wrapper = upload_and_run(None, &[], script_text);
        let quoted = format!("'{}'", wrapper.replace('\'', r"'\''"));
        let mut input = format!("base64 -d <<'END' | ( eval {quoted} )\n");
        let encoded = base64::engine::general_purpose::STANDARD.encode(script_text);
        for line in encoded.as_bytes().chunks(76).take(keep_lines) {
            input.push_str(&String::from_utf8_lossy(line));
            input.push('\n');
        }
        let mut child = std::process::Command::new("sh")
            .env("TMPDIR", tmpdir)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("sh");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write");
        drop(stdin);
        child.wait().expect("wait").code().unwrap_or(-1)
    }

    #[test]
    fn a_script_cut_off_mid_transfer_never_runs_and_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ran = dir.path().join("ran");
        let mut script = format!("#!/bin/sh\necho first >> {}\n", ran.display());
        for _ in 0..2000 {
            script.push_str(": filler line to make the transfer long\n");
        }
        script.push_str(&format!("echo last >> {}\n", ran.display()));
        let tmpdir = dir.path().join("tmp");
        std::fs::create_dir(&tmpdir).expect("mkdir");
        let rc = run_cut_off(script.as_bytes(), 500, &tmpdir);
        assert_ne!(rc, 0);
        assert!(!ran.exists(), "a script cut short ran");
        assert_eq!(std::fs::read_dir(&tmpdir).expect("tmp").count(), 0);
        let whole = run_cut_off(script.as_bytes(), usize::MAX, &tmpdir);
        assert_eq!(whole, 0);
        assert_eq!(std::fs::read_to_string(&ran).expect("ran"), "first\nlast\n");
        assert_eq!(std::fs::read_dir(&tmpdir).expect("tmp").count(), 0);
    }
}
