//! `reboot`: Ansible's reboot action on Linux hosts. It reads the boot id,
//! runs `shutdown -r` (found in `search_paths`, as Ansible's find does),
//! drops the connection, reconnects until the boot id differs and then runs
//! `test_command` until it succeeds, each within `reboot_timeout`, with
//! Ansible's backoff (1, 2, 4, 8, then 12 seconds plus up to one more).

use std::time::{Duration, Instant};

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::{ConnectionError, ConnectionKind};

pub(super) struct Reboot;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "boot_time_command",
        "connect_timeout",
        "msg",
        "post_reboot_delay",
        "pre_reboot_delay",
        "reboot_command",
        "reboot_timeout",
        "search_paths",
        "test_command",
    ],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

/// The name Ansible's messages give the action (`self._task.action`).
const ACTION: &str = "reboot";
const DEFAULT_SEARCH_PATHS: &[&str] =
    &["/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin"];
const DEFAULT_MESSAGE: &str = "Reboot initiated by Ansible";
const MAX_FAIL_SLEEP: f64 = 12.0;

/// The arguments, read once, with Ansible's defaults.
struct Settings {
    reboot_timeout: i64,
    connect_timeout: Option<u64>,
    pre_reboot_delay: i64,
    post_reboot_delay: i64,
    test_command: String,
    boot_time_command: String,
    reboot_command: Option<String>,
    msg: String,
    search_paths: Vec<String>,
}

/// A whole number, as Ansible's `int(...)` reads it.
fn integer(args: &Args, name: &str, default: i64) -> Result<i64, ModuleError> {
    Ok(args.f64(name)?.map_or(default, |n| n.trunc() as i64))
}

impl Settings {
    fn read(args: &Args) -> Result<Self, ModuleError> {
        let connect_timeout = integer(args, "connect_timeout", 0)?;
        let text = |name: &str, default: &str| -> Result<String, ModuleError> {
            Ok(args
                .str(name)?
                .filter(|value| !value.is_empty())
                .unwrap_or_else(|| default.to_string()))
        };
        Ok(Settings {
            reboot_timeout: integer(args, "reboot_timeout", 600)?,
            connect_timeout: u64::try_from(connect_timeout).ok().filter(|n| *n > 0),
            pre_reboot_delay: integer(args, "pre_reboot_delay", 0)?.max(0),
            post_reboot_delay: integer(args, "post_reboot_delay", 0)?.max(0),
            test_command: args.str("test_command")?.unwrap_or_else(|| "whoami".into()),
            boot_time_command: text("boot_time_command", "cat /proc/sys/kernel/random/boot_id")?,
            reboot_command: args.str("reboot_command")?,
            msg: args.str("msg")?.unwrap_or_else(|| DEFAULT_MESSAGE.into()),
            search_paths: args
                .str_list("search_paths")?
                .unwrap_or_else(|| DEFAULT_SEARCH_PATHS.iter().map(|p| p.to_string()).collect()),
        })
    }

    /// The program and its arguments: `reboot_command` split at its first
    /// space, else Linux's `shutdown -r MINUTES "MSG"`.
    fn shutdown(&self) -> (String, String) {
        match &self.reboot_command {
            Some(command) => match command.split_once(' ') {
                Some((program, args)) => (program.to_string(), args.to_string()),
                None => (command.clone(), String::new()),
            },
            None => (
                "shutdown".into(),
                format!("-r {} \"{}\"", self.pre_reboot_delay / 60, self.msg),
            ),
        }
    }
}

/// Ansible's `search_paths` in a message: a Python list.
fn python_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("'{item}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// Why one try of a wait failed; a lost connection is dropped before the next.
enum Attempt {
    Connection(ConnectionError),
    Failed(String),
}

impl From<ConnectionError> for Attempt {
    fn from(error: ConnectionError) -> Self {
        Attempt::Connection(error)
    }
}

/// The boot id (or what `boot_time_command` prints), trimmed.
fn boot_time(ctx: &mut ModuleContext, command: &str) -> Result<String, Attempt> {
    let output = ctx.connection()?.run(command, None)?;
    if output.rc != 0 {
        return Err(Attempt::Failed(format!(
            "{ACTION}: failed to get host boot time info, rc: {}, stdout: {}, stderr: {}",
            output.rc,
            output.stdout_text(),
            output.stderr_text()
        )));
    }
    Ok(output.stdout_text().trim().to_string())
}

/// The full path of the shutdown program: an absolute one as given, else
/// the first `search_paths` entry holding it (PATH is not used).
fn shutdown_path(
    ctx: &mut ModuleContext,
    settings: &Settings,
    program: &str,
) -> Result<String, ModuleError> {
    if program.starts_with('/') {
        return Ok(program.to_string());
    }
    if program.is_empty() {
        return Err(ModuleError::failed(
            "Invalid value given for 'reboot_command': it names no command.",
        ));
    }
    let candidates: Vec<String> = settings
        .search_paths
        .iter()
        .map(|dir| {
            crate::connection::shell_quote(&format!("{}/{program}", dir.trim_end_matches('/')))
        })
        .collect();
    let script = format!(
        "for candidate in {}; do if [ -e \"$candidate\" ] || [ -L \"$candidate\" ]; then printf '%s\\n' \"$candidate\"; exit 0; fi; done; exit 1",
        candidates.join(" ")
    );
    let output = ctx.connection()?.run(&script, None)?;
    match output.stdout_text().lines().next() {
        Some(path) if output.rc == 0 => Ok(path.to_string()),
        _ => Err(ModuleError::failed(format!(
            "Unable to find command \"{program}\" in search paths: {}",
            python_list(&settings.search_paths)
        ))),
    }
}

/// Ansible's `do_until_success_or_timeout`: retry `action` with backoff
/// until it succeeds or `timeout` seconds have passed.
fn until_success(
    ctx: &mut ModuleContext,
    timeout: i64,
    description: &str,
    mut action: impl FnMut(&mut ModuleContext) -> Result<(), Attempt>,
) -> Result<(), String> {
    // A timeout too large for the clock means no end, not a panic.
    let end = Instant::now().checked_add(Duration::from_secs(u64::try_from(timeout).unwrap_or(0)));
    let mut failures: i32 = 0;
    while end.is_none_or(|end| Instant::now() < end) {
        match action(ctx) {
            Ok(()) => return Ok(()),
            Err(Attempt::Connection(_)) => ctx.connection.close(),
            Err(Attempt::Failed(_)) => {}
        }
        let jitter = f64::from(rand::random::<u16>() % 1000) / 1000.0;
        let backoff = 2f64.powi(failures.min(8)).min(MAX_FAIL_SLEEP) + jitter;
        std::thread::sleep(Duration::from_secs_f64(backoff));
        failures += 1;
    }
    Err(format!(
        "Timed out waiting for {description} (timeout={timeout})"
    ))
}

/// Wait for a new boot id, then for `test_command` to succeed.
fn validate(ctx: &mut ModuleContext, settings: &Settings, previous: &str) -> Result<(), String> {
    let original = settings.connect_timeout.map(|seconds| {
        ctx.connection
            .set_connect_timeout(Duration::from_secs(seconds))
    });
    let booted = until_success(
        ctx,
        settings.reboot_timeout,
        "last boot time check",
        |ctx| {
            if settings.connect_timeout.is_some() {
                ctx.connection.close();
            }
            let current = boot_time(ctx, &settings.boot_time_command)?;
            // An empty answer comes just before some systems go down.
            if current.is_empty() || current == previous {
                return Err(Attempt::Failed("boot time has not changed".into()));
            }
            Ok(())
        },
    );
    if let Some(original) = original {
        ctx.connection.set_connect_timeout(original);
        ctx.connection.close();
    }
    booted?;
    until_success(
        ctx,
        settings.reboot_timeout,
        "post-reboot test command",
        |ctx| {
            let output = ctx.connection()?.run(&settings.test_command, None)?;
            if output.rc == 0 {
                Ok(())
            } else {
                Err(Attempt::Failed(format!(
                    "Test command failed: {} {}",
                    output.stderr_text(),
                    output.stdout_text()
                )))
            }
        },
    )
}

/// After the action, Ansible removes the temporary directory its setup and
/// find modules left on the host (without pipelining, its default): a host
/// still down when a wait timed out ends unreachable there. One last try
/// here does the same.
fn still_reachable(ctx: &mut ModuleContext) -> Result<(), ModuleError> {
    ctx.connection()?.run("true", None)?;
    Ok(())
}

impl Module for Reboot {
    fn name(&self) -> &'static str {
        "reboot"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let settings = Settings::read(args)?;
        if ctx.connection.spec().kind == ConnectionKind::Local {
            return Ok(Outcome::failed(format!(
                "Running {ACTION} with local connection would reboot the control node."
            ))
            .with("elapsed", 0)
            .with("rebooted", false));
        }
        if ctx.check_mode {
            return Ok(Outcome::changed().with("elapsed", 0).with("rebooted", true));
        }
        let previous = match boot_time(ctx, &settings.boot_time_command) {
            Ok(previous) => previous,
            Err(Attempt::Connection(error)) => return Err(error.into()),
            Err(Attempt::Failed(message)) => {
                return Ok(Outcome::failed(message).with("reboot", false));
            }
        };
        let (program, arguments) = settings.shutdown();
        let command = format!("{} {arguments}", shutdown_path(ctx, &settings, &program)?);
        let result = ctx.connection()?.run(&command, None);
        let start = Instant::now();
        let elapsed = || start.elapsed().as_secs();
        match result {
            Ok(output) if output.rc != 0 => {
                return Ok(Outcome::failed(format!(
                    "Reboot command failed. Error was: '{}, {}'",
                    output.stdout_text().trim(),
                    output.stderr_text().trim()
                ))
                .with("rebooted", false)
                .with("elapsed", elapsed()));
            }
            Err(ConnectionError::Become(message)) => return Err(ModuleError::Failed(message)),
            // The host may close the line before the command reports back.
            Ok(_) | Err(_) => {}
        }
        ctx.connection.close();
        let post_delay = u64::try_from(settings.post_reboot_delay).unwrap_or(0);
        std::thread::sleep(Duration::from_secs(post_delay));
        let outcome = match validate(ctx, &settings, &previous) {
            Ok(()) => Outcome::changed(),
            Err(message) => {
                still_reachable(ctx)?;
                Outcome::failed(message)
            }
        };
        Ok(outcome.with("rebooted", true).with("elapsed", elapsed()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        Settings::read(&Args::of(pairs)).expect("valid arguments")
    }

    #[test]
    fn defaults_are_ansibles() {
        let defaults = settings(&[]);
        assert_eq!(
            defaults.shutdown(),
            (
                "shutdown".into(),
                "-r 0 \"Reboot initiated by Ansible\"".into()
            )
        );
        assert_eq!(
            (
                defaults.reboot_timeout,
                defaults.connect_timeout,
                defaults.post_reboot_delay,
                defaults.test_command.as_str(),
                defaults.boot_time_command.as_str(),
            ),
            (
                600,
                None,
                0,
                "whoami",
                "cat /proc/sys/kernel/random/boot_id"
            )
        );
        assert_eq!(
            python_list(&defaults.search_paths),
            "['/sbin', '/bin', '/usr/sbin', '/usr/bin', '/usr/local/sbin']"
        );
    }

    #[test]
    fn pre_reboot_delay_goes_to_shutdown_in_whole_minutes() {
        let cases = [
            ("59", "-r 0 \"bye\""),
            ("150", "-r 2 \"bye\""),
            ("-30", "-r 0 \"bye\""),
        ];
        for (delay, expected) in cases {
            let read = settings(&[("pre_reboot_delay", delay), ("msg", "bye")]);
            assert_eq!(read.shutdown().1, expected, "pre_reboot_delay {delay}");
        }
    }

    #[test]
    fn reboot_command_is_split_at_its_first_space_and_ignores_msg() {
        let read = settings(&[
            ("reboot_command", "systemctl reboot --force"),
            ("msg", "ignored"),
            ("pre_reboot_delay", "600"),
        ]);
        assert_eq!(
            read.shutdown(),
            ("systemctl".into(), "reboot --force".into())
        );
        let bare = settings(&[("reboot_command", "/usr/sbin/reboot")]);
        assert_eq!(bare.shutdown(), ("/usr/sbin/reboot".into(), String::new()));
    }

    #[test]
    fn an_empty_boot_time_command_or_connect_timeout_keeps_the_default() {
        let read = settings(&[("boot_time_command", ""), ("connect_timeout", "0")]);
        assert_eq!(
            (read.boot_time_command.as_str(), read.connect_timeout),
            ("cat /proc/sys/kernel/random/boot_id", None)
        );
        let comma_separated = settings(&[("search_paths", "/opt/bin,/lib/molly-guard")]);
        assert_eq!(
            comma_separated.search_paths,
            vec!["/opt/bin".to_string(), "/lib/molly-guard".to_string()]
        );
    }
}
