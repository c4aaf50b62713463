//! `command`: run a program with arguments, no shell in between.

use super::async_job::{self, Job};
use super::spec::RAW_PARAMS;
use super::utils::exec::{CommandRun, command_line, run_command};
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::Value;

pub(super) struct Command;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        RAW_PARAMS,
        "cmd",
        "argv",
        "chdir",
        "creates",
        "removes",
        "stdin",
        "stdin_add_newline",
        "strip_empty_ends",
        "expand_argument_vars",
    ],
    one_of: &[&[RAW_PARAMS, "cmd", "argv"]],
    free_form: FreeForm::Command,
    paths: &["chdir", "creates", "removes"],
    ..ArgSpec::EMPTY
};

impl Module for Command {
    fn name(&self) -> &'static str {
        "command"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let outcome = run_command(&command_run(args).map_err(ModuleError::Failed)?, ctx)?;
        Ok(not_executed(outcome))
    }

    fn start_in_background(
        &self,
        args: &Args,
        ctx: &mut ModuleContext,
        limit: u64,
    ) -> Option<Result<Job, ModuleError>> {
        async_job::start_built(command_run(args), ctx, limit)
    }
}

fn command_run(args: &Args) -> Result<CommandRun, String> {
    let argv = argv(args)?;
    let expand = args
        .bool("expand_argument_vars", true)
        .map_err(|e| e.to_string())?;
    let words: Vec<String> = argv.iter().map(|arg| quote_arg(arg, expand)).collect();
    // `exec`: the program replaces the subshell the script runs in, one
    // process on the host instead of two; the check above already found it.
    let script = format!("{}\nexec {}", program_check(&words[0]), words.join(" "));
    let display: Value = argv.iter().map(|a| Value::from(a.as_str())).collect();
    CommandRun::from_args(args, display, script)
}

/// The program and its arguments, from `argv`, `cmd` or the free form.
fn argv(args: &Args) -> Result<Vec<String>, String> {
    if let Some(list) = args.str_list("argv").map_err(|e| e.to_string())? {
        return non_empty(list);
    }
    let line = command_line(args)?;
    let words = shell_words::split(&line)
        .map_err(|e| format!("cannot split command line {line:?}: {e}"))?;
    non_empty(words)
}

fn non_empty(argv: Vec<String>) -> Result<Vec<String>, String> {
    if argv.is_empty() || argv[0].is_empty() {
        Err("no command given".into())
    } else {
        Ok(argv)
    }
}

/// What the host prints (on stderr, alone) when the program cannot be
/// executed, with the errno Python's `execve` would have raised.
const NOT_EXECUTED: &str = "@runbook-not-executed";

/// `sh` that stops before running `program` (a shell word) when no
/// executable file is there: a name is looked up on `$PATH`, as `execvp`
/// does, so shell builtins and functions are not what runs (`command: cd`
/// fails in Ansible too). Exits with errno 2 (no such file) or 13 (not
/// executable).
fn program_check(program: &str) -> String {
    format!(
        "runbook_program={program}\n\
         case $runbook_program in\n\
         */*) runbook_found=$runbook_program ;;\n\
         *) runbook_found=\n\
         \x20  runbook_ifs=$IFS; IFS=:\n\
         \x20  for runbook_dir in $PATH; do\n\
         \x20    if [ -f \"${{runbook_dir:-.}}/$runbook_program\" ] && [ -x \"${{runbook_dir:-.}}/$runbook_program\" ]; then runbook_found=${{runbook_dir:-.}}/$runbook_program; break; fi\n\
         \x20  done\n\
         \x20  IFS=$runbook_ifs ;;\n\
         esac\n\
         if [ -z \"$runbook_found\" ] || [ ! -e \"$runbook_found\" ]; then echo '{NOT_EXECUTED} 2' >&2; exit 2; fi\n\
         if [ -d \"$runbook_found\" ] || [ ! -x \"$runbook_found\" ]; then echo '{NOT_EXECUTED} 13' >&2; exit 13; fi"
    )
}

/// A program that could not be executed fails as in Ansible: `Error
/// executing command.`, the errno as `rc`, nothing changed.
fn not_executed(outcome: Outcome) -> Outcome {
    let stderr = outcome
        .data
        .get("stderr")
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default();
    let Some(errno) = stderr
        .trim()
        .strip_prefix(NOT_EXECUTED)
        .and_then(|rest| rest.trim().parse::<i64>().ok())
    else {
        return outcome;
    };
    let cmd = outcome
        .data
        .get("cmd")
        .and_then(|cmd| cmd.try_iter().ok())
        .map(|words| {
            words
                .map(|word| shell_words::quote(&crate::value::text(&word)).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let empty: Vec<Value> = Vec::new();
    let mut failed = Outcome::failed("Error executing command.")
        .with("rc", Value::from(errno))
        .with("cmd", Value::from(cmd))
        .with("stdout", Value::from(""))
        .with("stderr", Value::from(""))
        .with("stdout_lines", Value::from(empty.clone()))
        .with("stderr_lines", Value::from(empty));
    failed.changed = false;
    failed
}

/// One argument as a shell word. With expansion on (Ansible's
/// `expand_argument_vars`), `$NAME`, `${NAME}` and a leading `~` expand as
/// Python's `expandvars`/`expanduser` would; nothing else is interpreted.
fn quote_arg(arg: &str, expand: bool) -> String {
    if !expand {
        return crate::connection::shell_quote(arg);
    }
    let (home, rest) = match arg.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => ("~", rest),
        _ => ("", arg),
    };
    let mut quoted = String::from(home);
    quoted.push('"');
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\\' | '`' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '$' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '_' || *n == '{') =>
            {
                quoted.push('$');
            }
            '$' => quoted.push_str("\\$"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::quote_arg;

    #[test]
    fn arguments_are_literal_except_variables_and_home() {
        assert_eq!(quote_arg("a b", true), "\"a b\"");
        assert_eq!(quote_arg("$HOME/x", true), "\"$HOME/x\"");
        assert_eq!(quote_arg("$(rm -rf /)", true), "\"\\$(rm -rf /)\"");
        assert_eq!(quote_arg("~/x", true), "~\"/x\"");
        assert_eq!(quote_arg("`id`", true), "\"\\`id\\`\"");
        assert_eq!(quote_arg("$HOME", false), "'$HOME'");
    }
}
