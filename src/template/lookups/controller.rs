//! Lookups that ask the controller or the run: `env`, `pipe`, `lines`,
//! `url`, `config`, `vars`, `varnames` and `inventory_hostnames`.

use std::process::{Command, Stdio};

use minijinja::value::ValueKind;

use super::search::base_dir;
use super::{Options, Scope, flag, items_of, text};
use crate::value::Value;

pub(super) fn env(terms: &[Value], options: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    let default = options.get("default").cloned().unwrap_or(Value::from(""));
    Ok(terms
        .iter()
        .map(|term| {
            let term = text(term);
            let name = term.split_whitespace().next().unwrap_or_default();
            std::env::var(name).map_or_else(|_| default.clone(), Value::from)
        })
        .collect())
}

/// Run `command` with `sh -c` in the playbook's directory; its stdout.
fn shell_output(command: &str, scope: &Scope, plugin: &str) -> Result<String, String> {
    let output = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .current_dir(base_dir(scope))
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("lookup_plugin.{plugin}({command}) could not start: {e}"))?;
    if !output.status.success() {
        let code = output.status.code().unwrap_or(-1);
        return Err(format!("lookup_plugin.{plugin}({command}) returned {code}"));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

pub(super) fn pipe(terms: &[Value], _: &Options, scope: &Scope) -> Result<Vec<Value>, String> {
    terms
        .iter()
        .map(|term| {
            let out = shell_output(&text(term), scope, "pipe")?;
            Ok(Value::from(out.trim_end()))
        })
        .collect()
}

pub(super) fn lines(terms: &[Value], _: &Options, scope: &Scope) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for term in terms {
        let stdout = shell_output(&text(term), scope, "lines")?;
        out.extend(python_splitlines(&stdout).into_iter().map(Value::from));
    }
    Ok(out)
}

/// Python's `bytes.splitlines()`: `\n`, `\r\n` and `\r` end lines.
fn python_splitlines(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split(['\n', '\r'])
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .skip_while(String::is_empty)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

pub(super) fn url(terms: &[Value], options: &Options, _: &Scope) -> Result<Vec<Value>, String> {
    let known = [
        "validate_certs",
        "split_lines",
        "username",
        "password",
        "headers",
        "timeout",
        "http_agent",
        "force_basic_auth",
        "follow_redirects",
        "force",
        "use_proxy",
    ];
    if let Some(unknown) = options.keys().find(|key| !known.contains(&key.as_str())) {
        return Err(format!(
            "the url lookup's {unknown} option is not supported by runbook"
        ));
    }
    let validate = flag(options, "validate_certs", true)?;
    let split_lines = flag(options, "split_lines", true)?;
    let timeout = options
        .get("timeout")
        .and_then(|t| f64::try_from(t.clone()).ok())
        .unwrap_or(10.0);
    let follow = options.get("follow_redirects").map(text);
    let redirects = match follow.as_deref() {
        Some("none" | "no" | "false") => 0,
        _ => 10,
    };
    let mut tls = ureq::tls::TlsConfig::builder();
    if !validate {
        tls = tls.disable_verification(true);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs_f64(timeout.max(0.0))))
        .max_redirects(redirects)
        .tls_config(tls.build())
        .user_agent(
            options
                .get("http_agent")
                .map_or_else(|| "ansible-httpget".to_string(), text),
        )
        .build()
        .into();
    let mut out = Vec::new();
    for term in terms {
        let address = text(term);
        let mut request = agent.get(&address);
        if let Some(headers) = options
            .get("headers")
            .filter(|h| h.kind() == ValueKind::Map)
        {
            for key in headers.try_iter().map_err(|e| e.to_string())? {
                let value = headers.get_item(&key).unwrap_or_default();
                request = request.header(text(&key), text(&value));
            }
        }
        if let Some(user) = options.get("username") {
            use base64::Engine;
            let password = options.get("password").map(text).unwrap_or_default();
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{password}", text(user)));
            request = request.header("Authorization", format!("Basic {token}"));
        }
        let body = match request.call() {
            Ok(mut response) => response
                .body_mut()
                .read_to_string()
                .map_err(|e| format!("Failed lookup url for {address}: {e}"))?,
            Err(ureq::Error::StatusCode(code)) => {
                let reason = ureq::http::StatusCode::from_u16(code)
                    .ok()
                    .and_then(|status| status.canonical_reason())
                    .unwrap_or("error");
                return Err(format!(
                    "Received HTTP error for {address}: HTTP Error {code}: {reason}"
                ));
            }
            Err(err) => return Err(format!("Failed lookup url for {address}: {err}")),
        };
        if split_lines {
            out.extend(python_splitlines(&body).into_iter().map(Value::from));
        } else {
            out.push(Value::from(body));
        }
    }
    Ok(out)
}

/// The Ansible settings runbook has an answer for, with ansible-core's
/// defaults (runbook reads no ansible.cfg).
fn config_value(name: &str, scope: &Scope) -> Option<Value> {
    let list =
        |items: &[&str]| Value::from(items.iter().map(|s| Value::from(*s)).collect::<Vec<_>>());
    Some(match name {
        "DEFAULT_BECOME_METHOD" => Value::from("sudo"),
        "DEFAULT_BECOME_USER" => Value::from("root"),
        "DEFAULT_BECOME" => Value::from(false),
        "DEFAULT_FORKS" => scope.var("ansible_forks").unwrap_or(Value::from(5)),
        "DEFAULT_TIMEOUT" => Value::from(10),
        "DEFAULT_GATHERING" => Value::from("implicit"),
        "DEFAULT_HASH_BEHAVIOUR" => Value::from("replace"),
        "DEFAULT_REMOTE_PORT" | "DEFAULT_REMOTE_USER" | "RETRY_FILES_SAVE_PATH" => Value::from(()),
        "DEFAULT_ROLES_PATH" => list(&[
            "~/.ansible/roles",
            "/usr/share/ansible/roles",
            "/etc/ansible/roles",
        ]),
        "HOST_KEY_CHECKING" => Value::from(true),
        "DEFAULT_KEEP_REMOTE_FILES" => Value::from(false),
        "DEFAULT_JINJA2_NATIVE" => Value::from(false),
        "DEFAULT_MANAGED_STR" => Value::from("Ansible managed"),
        "ANSIBLE_FORCE_COLOR" => Value::from(false),
        "ANY_ERRORS_FATAL" => Value::from(false),
        "COLOR_OK" => Value::from("green"),
        "COLOR_CHANGED" => Value::from("yellow"),
        "COLOR_SKIP" => Value::from("cyan"),
        "COLOR_ERROR" => Value::from("red"),
        "COLOR_WARN" => Value::from("bright purple"),
        "INVENTORY_IGNORE_EXTS" => list(&[
            "~", ".orig", ".bak", ".ini", ".cfg", ".retry", ".pyc", ".pyo",
        ]),
        _ => return None,
    })
}

pub(super) fn config(
    terms: &[Value],
    options: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    if options.contains_key("plugin_type") || options.contains_key("plugin_name") {
        return Err(
            "the config lookup's plugin_type/plugin_name options are not supported by runbook"
                .into(),
        );
    }
    let on_missing = options
        .get("on_missing")
        .map_or_else(|| "error".into(), text);
    if !matches!(on_missing.as_str(), "error" | "warn" | "skip") {
        return Err(format!(
            "Invalid option for error handling, missing must be error, warn or skip, got: {on_missing}."
        ));
    }
    let show_origin = flag(options, "show_origin", false)?;
    let mut out = Vec::new();
    for term in terms {
        if term.kind() != ValueKind::String {
            return Err(format!(
                "Invalid setting identifier, {term} is not a <class 'str'>"
            ));
        }
        let name = text(term);
        match config_value(&name, scope) {
            Some(value) if show_origin => {
                out.push(Value::from(vec![value, Value::from("default")]))
            }
            Some(value) => out.push(value),
            None if on_missing == "error" => {
                return Err(format!(
                    "No setting was provided for required configuration {name}"
                ));
            }
            None => {}
        }
    }
    Ok(out)
}

pub(super) fn vars(
    terms: &[Value],
    options: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    let default = options.get("default").filter(|v| !v.is_none()).cloned();
    terms
        .iter()
        .map(|term| {
            if term.kind() != ValueKind::String {
                return Err(format!(
                    "Variable name must be 'str' not '{}'.",
                    term.kind()
                ));
            }
            let name = text(term);
            match (scope.var(&name), &default) {
                (Some(value), _) => Ok(value),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => Err(format!("No variable named '{name}' was found.")),
            }
        })
        .collect()
}

pub(super) fn varnames(terms: &[Value], _: &Options, scope: &Scope) -> Result<Vec<Value>, String> {
    let names = scope.var_names();
    let mut out = Vec::new();
    for term in terms {
        if term.kind() != ValueKind::String {
            return Err(format!(
                "Invalid setting identifier, \"{term}\" is not a string, it is a {}",
                term.kind()
            ));
        }
        let pattern = regex::Regex::new(&text(term))
            .map_err(|e| format!("Unable to use \"{term}\" as a search parameter: {e}"))?;
        out.extend(
            names
                .iter()
                .filter(|name| pattern.is_match(name))
                .map(|name| Value::from(name.as_str())),
        );
    }
    Ok(out)
}

/// Hosts of the run's `groups` that a host pattern names (`all:!web`,
/// `web:&prod`, `db*`); a pattern that matches nothing gives nothing.
pub(super) fn inventory_hostnames(
    terms: &[Value],
    _: &Options,
    scope: &Scope,
) -> Result<Vec<Value>, String> {
    let groups = scope.var("groups").unwrap_or_default();
    let group_hosts = |name: &str| -> Option<Vec<String>> {
        let hosts = groups.get_attr(name).ok().filter(|v| !v.is_undefined())?;
        Some(items_of(&hosts).iter().map(text).collect())
    };
    let all = group_hosts("all").unwrap_or_default();
    let mut items = Vec::new();
    for term in terms {
        items.extend(crate::inventory::split_pattern(&text(term)));
    }
    let (mut unions, mut rest): (Vec<String>, Vec<String>) = items
        .into_iter()
        .partition(|item| !item.starts_with(['!', '&']));
    if unions.is_empty() {
        unions.push("all".into());
    }
    rest.sort_by_key(|item| item.starts_with('!'));
    let matching = |item: &str| -> Vec<String> {
        if let Some(hosts) = group_hosts(item) {
            return hosts;
        }
        if item.contains(['*', '?', '[']) {
            let Ok(glob) = globset::Glob::new(item) else {
                return Vec::new();
            };
            let matcher = glob.compile_matcher();
            let names: Vec<String> = groups
                .try_iter()
                .map(|keys| keys.map(|k| text(&k)).collect())
                .unwrap_or_default();
            let mut out: Vec<String> = names
                .iter()
                .filter(|name| matcher.is_match(name.as_str()))
                .flat_map(|name| group_hosts(name).unwrap_or_default())
                .collect();
            out.extend(all.iter().filter(|h| matcher.is_match(h.as_str())).cloned());
            return out;
        }
        all.iter().filter(|host| *host == item).cloned().collect()
    };
    let mut hosts: Vec<String> = Vec::new();
    for item in unions {
        for host in matching(&item) {
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
    }
    for item in rest {
        let (negate, name) = match item.strip_prefix('!') {
            Some(name) => (true, name),
            None => (false, item.trim_start_matches('&')),
        };
        let matched = matching(name);
        hosts.retain(|host| matched.contains(host) != negate);
    }
    Ok(hosts.into_iter().map(Value::from).collect())
}
