//! `wait_for`: wait until a port opens, closes or drains, or a file appears
//! (optionally containing a pattern) or goes away. The whole wait is one
//! shell loop on the host, one round trip, bounded by `timeout`.
//!
//! Tools used on the host: `date`, `sleep`, `grep -E` and `cat` always.
//! Ports: `nc -z` when installed; otherwise, for a local address, the
//! kernel's socket tables in `/proc/net/tcp{,6}` (pure `sh`: listening
//! sockets for started/stopped, established ones for drained); otherwise
//! `bash`'s `/dev/tcp` under `timeout`. A host with none of these gets a
//! clear error.

use regex::Regex;

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::{Value, map_from_pairs};

pub(super) struct WaitFor;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "host",
        "port",
        "path",
        "search_regex",
        "state",
        "delay",
        "timeout",
        "sleep",
        "msg",
        "connect_timeout",
        "exclude_hosts",
        "active_connection_states",
    ],
    aliases: &[("regex", "search_regex")],
    free_form: FreeForm::KeyValue,
    paths: &["path"],
    ..ArgSpec::EMPTY
};

/// What to wait for.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// Neither port nor path: just wait `timeout` seconds.
    Nothing,
    PortOpen(u16),
    PortClosed(u16),
    PortDrained {
        port: u16,
        exclude: Vec<String>,
    },
    FilePresent {
        path: String,
        regex: Option<String>,
    },
    FileAbsent(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Wait {
    host: String,
    target: Target,
    state: String,
    delay: u64,
    timeout: u64,
    sleep: u64,
    connect_timeout: u64,
    msg: Option<String>,
}

impl Module for WaitFor {
    fn name(&self) -> &'static str {
        "wait_for"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        run_wait(&wait(args)?, ctx)
    }
}

fn seconds(args: &Args, name: &str, default: u64) -> Result<u64, ModuleError> {
    Ok(args
        .f64(name)?
        .map_or(default, |s| s.max(0.0).ceil() as u64))
}

fn wait(args: &Args) -> Result<Wait, ModuleError> {
    let state = args.str("state")?.unwrap_or_else(|| "started".into());
    let port = match args.f64("port")? {
        Some(p) if (1.0..=65535.0).contains(&p) => Some(p as u16),
        Some(p) => return Err(ModuleError::failed(format!("port {p} is out of range"))),
        None => None,
    };
    let path = args.str("path")?;
    let regex = args.str("search_regex")?;
    if let Some(regex) = &regex {
        Regex::new(regex)
            .map_err(|e| ModuleError::failed(format!("bad search_regex {regex:?}: {e}")))?;
    }
    let target = match (port, path, state.as_str()) {
        (Some(_), Some(_), _) => {
            return Err(ModuleError::failed(
                "port and path parameter can not both be passed to wait_for",
            ));
        }
        (Some(_), None, _) if regex.is_some() => {
            return Err(ModuleError::failed(
                "search_regex with port is not supported by runbook yet",
            ));
        }
        (Some(port), None, "started" | "present") => Target::PortOpen(port),
        (Some(port), None, "stopped" | "absent") => Target::PortClosed(port),
        (Some(port), None, "drained") => Target::PortDrained {
            port,
            exclude: args.str_list("exclude_hosts")?.unwrap_or_default(),
        },
        (None, Some(path), "started" | "present") => Target::FilePresent { path, regex },
        (None, Some(path), "stopped" | "absent") => Target::FileAbsent(path),
        (None, Some(_), "drained") => {
            return Err(ModuleError::failed(
                "state=drained should only be used for checking a port in the wait_for module",
            ));
        }
        (None, None, "drained") => {
            return Err(ModuleError::failed("state=drained needs a port"));
        }
        (None, None, "started" | "present" | "stopped" | "absent") => Target::Nothing,
        (_, _, other) => {
            return Err(ModuleError::failed(format!(
                "value of state must be one of: absent, drained, present, started, stopped, got: {other}"
            )));
        }
    };
    Ok(Wait {
        host: args.str("host")?.unwrap_or_else(|| "127.0.0.1".into()),
        target,
        state,
        delay: seconds(args, "delay", 0)?,
        timeout: seconds(args, "timeout", 300)?,
        sleep: seconds(args, "sleep", 1)?.max(1),
        connect_timeout: seconds(args, "connect_timeout", 5)?.max(1),
        msg: args.str("msg")?,
    })
}

fn run_wait(wait: &Wait, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
    let output = ctx.connection()?.run(&script(wait), None)?;
    let text = output.stdout_text();
    let elapsed = text
        .lines()
        .find_map(|line| line.strip_prefix("@@elapsed="))
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let mut outcome = Outcome::ok()
        .with("elapsed", elapsed)
        .with("state", wait.state.as_str());
    match &wait.target {
        Target::PortOpen(port) | Target::PortClosed(port) | Target::PortDrained { port, .. } => {
            outcome = outcome.with("port", *port);
        }
        Target::FilePresent { path, .. } | Target::FileAbsent(path) => {
            outcome = outcome.with("path", path.as_str());
        }
        Target::Nothing => {}
    }
    match output.rc {
        0 => {}
        9 => {
            let msg = wait.msg.clone().unwrap_or_else(|| timeout_message(wait));
            return Ok(Outcome {
                failed: true,
                msg: Some(msg),
                ..outcome
            });
        }
        rc => {
            return Err(ModuleError::failed(format!(
                "wait_for failed on {} (rc={rc}): {}",
                ctx.host,
                output.stderr_text().trim()
            )));
        }
    }
    if let Target::FilePresent {
        regex: Some(regex),
        path,
    } = &wait.target
    {
        let content = text.split_once("@@content\n").map_or("", |(_, c)| c);
        outcome = with_matches(outcome, regex, content);
        outcome = outcome
            .with("search_regex", regex.as_str())
            .with("path", path.as_str());
    }
    Ok(outcome)
}

/// `match_groups` and `match_groupdict` of the first match, as Python's
/// `re.search` with MULTILINE gives them.
fn with_matches(outcome: Outcome, regex: &str, content: &str) -> Outcome {
    let Ok(re) = Regex::new(&format!("(?m){regex}")) else {
        return outcome;
    };
    let Some(captures) = re.captures(content) else {
        return outcome;
    };
    let groups: Vec<Value> = captures
        .iter()
        .skip(1)
        .map(|group| group.map_or(Value::from(()), |m| Value::from(m.as_str())))
        .collect();
    let named: Vec<(&str, Value)> = re
        .capture_names()
        .flatten()
        .map(|name| {
            let value = captures
                .name(name)
                .map_or(Value::from(()), |m| Value::from(m.as_str()));
            (name, value)
        })
        .collect();
    outcome
        .with("match_groups", groups)
        .with("match_groupdict", map_from_pairs(named))
}

fn timeout_message(wait: &Wait) -> String {
    let host = &wait.host;
    match &wait.target {
        Target::Nothing => String::new(),
        Target::PortOpen(port) => format!("Timeout when waiting for {host}:{port}"),
        Target::PortClosed(port) => format!("Timeout when waiting for {host}:{port} to stop."),
        Target::PortDrained { port, .. } => {
            format!("Timeout when waiting for {host}:{port} to drain")
        }
        Target::FilePresent { path, regex: None } => {
            format!("Timeout when waiting for file {path}")
        }
        Target::FilePresent {
            path,
            regex: Some(regex),
        } => {
            format!("Timeout when waiting for search string {regex} in {path}")
        }
        Target::FileAbsent(path) => format!("Timeout when waiting for {path} to be absent."),
    }
}

/// The host-side loop: exit 0 when the condition holds, 9 on timeout.
fn script(wait: &Wait) -> String {
    let check = match &wait.target {
        Target::Nothing => format!("[ \"$(date +%s)\" -ge $((start + {})) ]", wait.timeout),
        Target::PortOpen(port) => format!("port_open {port}"),
        Target::PortClosed(port) => format!("! port_open {port}"),
        Target::PortDrained { port, exclude } => {
            let excluded: Vec<String> = exclude.iter().filter_map(|h| proc_hex_ipv4(h)).collect();
            format!("[ \"$(connections {port} '{}')\" = 0 ]", excluded.join(" "))
        }
        Target::FilePresent { path, regex: None } => format!("[ -e {} ]", shell_quote(path)),
        Target::FilePresent {
            path,
            regex: Some(regex),
        } => format!(
            "[ -r {p} ] && grep -Eq -- {re} {p}",
            p = shell_quote(path),
            re = shell_quote(&to_extended_regex(regex))
        ),
        Target::FileAbsent(path) => format!("[ ! -e {} ]", shell_quote(path)),
    };
    let on_success = match &wait.target {
        Target::FilePresent {
            path,
            regex: Some(_),
        } => {
            format!("echo '@@content'; cat -- {}", shell_quote(path))
        }
        _ => String::new(),
    };
    format!(
        "{helpers}\nstart=$(date +%s)\nsleep {delay}\n\
         while :; do\n\
         \x20 if {check}; then echo \"@@elapsed=$(( $(date +%s) - start ))\"; {on_success}\n exit 0; fi\n\
         \x20 if [ \"$(date +%s)\" -ge $((start + {timeout})) ]; then echo \"@@elapsed=$(( $(date +%s) - start ))\"; exit 9; fi\n\
         \x20 sleep {sleep}\n\
         done",
        helpers = helpers(wait),
        delay = wait.delay,
        timeout = wait.timeout,
        sleep = wait.sleep,
    )
}

fn is_local(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1" | "0.0.0.0" | "::")
}

/// Shell functions: `port_open PORT` and `connections PORT EXCLUDED`.
fn helpers(wait: &Wait) -> String {
    let host = shell_quote(&wait.host);
    let timeout = wait.connect_timeout;
    let local = if is_local(&wait.host) { "yes" } else { "no" };
    format!(
        r#"hexport() {{ printf '%04X' "$1"; }}
listening() {{
  hex=$(hexport "$1")
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    while read -r _ local _ st _; do
      case "$local $st" in *":$hex 0A") return 0 ;; esac
    done < "$f"
  done
  return 1
}}
port_open() {{
  if command -v nc >/dev/null 2>&1; then nc -z -w {timeout} {host} "$1" >/dev/null 2>&1; return; fi
  if [ {local} = yes ] && [ -r /proc/net/tcp ]; then listening "$1"; return; fi
  if command -v bash >/dev/null 2>&1; then timeout {timeout} bash -c 'exec 3<>"/dev/tcp/$0/$1"' {host} "$1" >/dev/null 2>&1; return; fi
  echo "wait_for needs nc, /proc/net/tcp (for a local port) or bash on this host to check a port" >&2
  exit 127
}}
connections() {{
  hex=$(hexport "$1"); n=0
  [ -r /proc/net/tcp ] || {{ echo "wait_for needs /proc/net/tcp on this host for state=drained" >&2; exit 127; }}
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    while read -r _ local remote st _; do
      case "$local $st" in *":$hex 01") ;; *) continue ;; esac
      case " $2 " in *" ${{remote%:*}} "*) continue ;; esac
      n=$((n + 1))
    done < "$f"
  done
  echo "$n"
}}"#
    )
}

/// An IPv4 address as `/proc/net/tcp` writes it (`127.0.0.1` → `0100007F`).
fn proc_hex_ipv4(address: &str) -> Option<String> {
    let octets: Vec<u8> = address
        .split('.')
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c, d] = octets[..] else {
        return None;
    };
    Some(format!("{d:02X}{c:02X}{b:02X}{a:02X}"))
}

/// Python's common shorthands that POSIX `grep -E` lacks.
fn to_extended_regex(regex: &str) -> String {
    regex
        .replace("\\d", "[0-9]")
        .replace("\\D", "[^0-9]")
        .replace("\\s", "[[:space:]]")
        .replace("\\S", "[^[:space:]]")
}

#[cfg(test)]
mod tests {
    use super::*;


    #[test]
    fn arguments_pick_what_to_wait_for() {
        let port = wait(&Args::of(&[("port", Value::from(22))])).expect("valid");
        assert_eq!(port.target, Target::PortOpen(22));
        assert_eq!((port.host.as_str(), port.timeout), ("127.0.0.1", 300));
        let gone = wait(&Args::of(&[
            ("path", Value::from("/x")),
            ("state", Value::from("absent")),
        ]))
        .expect("valid");
        assert_eq!(gone.target, Target::FileAbsent("/x".into()));
        assert!(
            wait(&Args::of(&[
                ("port", Value::from(1)),
                ("path", Value::from("/x"))
            ]))
            .is_err()
        );
        assert!(
            wait(&Args::of(&[
                ("path", Value::from("/x")),
                ("state", Value::from("drained"))
            ]))
            .is_err()
        );
        assert!(wait(&Args::of(&[("port", Value::from(70000))])).is_err());
        assert!(
            wait(&Args::of(&[
                ("path", Value::from("/x")),
                ("search_regex", Value::from("("))
            ]))
            .is_err()
        );
    }

    #[test]
    fn match_groups_are_those_of_the_first_match() {
        let outcome = with_matches(
            Outcome::ok(),
            r"port=(\d+) (?P<name>\w+)",
            "x\nport=80 web\nport=81 db\n",
        );
        assert_eq!(outcome.data["match_groups"].to_string(), "['80', 'web']");
        assert_eq!(
            outcome.data["match_groupdict"].to_string(),
            "{'name': 'web'}"
        );
    }

    #[test]
    fn addresses_are_written_as_the_kernel_writes_them() {
        assert_eq!(proc_hex_ipv4("127.0.0.1").as_deref(), Some("0100007F"));
        assert_eq!(proc_hex_ipv4("10.0.0.258"), None);
        assert_eq!(to_extended_regex(r"v\d+\s"), "v[0-9]+[[:space:]]");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arguments(path in "\\PC{0,30}", regex in "\\PC{0,30}", state in "\\PC{0,10}") {
            let _ = wait(&Args::of(&[("path", Value::from(path)), ("search_regex", Value::from(regex)), ("state", Value::from(state))]));
        }
    }
}
