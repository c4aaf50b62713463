//! The container settings `docker_container` manages, read from a task's
//! arguments, compared with `docker inspect` data, and turned into
//! `docker run` flags. Only settings the task gives are compared, as
//! Ansible does: a container may have more than the task asks for.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use minijinja::value::ValueKind;
use serde_json::Value as Json;

use super::docker_cli::{at, text_at};
use crate::modules::{Args, ModuleError};
use crate::value::Value;

/// One published port: `[ip:][host_port:]container_port[/protocol]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Port {
    pub container: String,
    pub protocol: String,
    pub host_ip: String,
    pub host_port: String,
}

impl Port {
    pub(crate) fn parse(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        let (address, protocol) = match spec.rsplit_once('/') {
            Some((address, protocol)) => (address, protocol.to_ascii_lowercase()),
            None => (spec, "tcp".to_string()),
        };
        if !["tcp", "udp", "sctp"].contains(&protocol.as_str()) {
            return Err(format!(
                "bad protocol `{protocol}` in published port `{spec}`"
            ));
        }
        let parts: Vec<&str> = address.rsplitn(3, ':').collect();
        let (container, host_port, host_ip) = match parts[..] {
            [container] => (container, "", ""),
            [container, host] => (container, host, ""),
            [container, host, ip] => (container, host, ip),
            _ => return Err(format!("bad published port `{spec}`")),
        };
        if !is_port(container) || !(host_port.is_empty() || is_port(host_port)) {
            return Err(format!(
                "bad published port `{spec}`: ports are numbers or ranges (8000-8010)"
            ));
        }
        if host_ip.contains(':') && !(host_ip.starts_with('[') && host_ip.ends_with(']')) {
            return Err(format!(
                "bad published port `{spec}`: write an IPv6 address in brackets ([::1])"
            ));
        }
        let host_ip = if host_ip == "0.0.0.0" { "" } else { host_ip };
        Ok(Self {
            container: container.to_string(),
            protocol,
            host_ip: host_ip.trim_matches(['[', ']']).to_string(),
            host_port: host_port.to_string(),
        })
    }

    /// As `docker run -p` takes it.
    pub(crate) fn flag(&self) -> String {
        let mut flag = String::new();
        if self.host_ip.contains(':') {
            flag.push_str(&format!("[{}]:", self.host_ip));
        } else if !self.host_ip.is_empty() {
            flag.push_str(&self.host_ip);
            flag.push(':');
        }
        if !self.host_port.is_empty() || !self.host_ip.is_empty() {
            flag.push_str(&self.host_port);
            flag.push(':');
        }
        flag.push_str(&self.container);
        flag.push('/');
        flag.push_str(&self.protocol);
        flag
    }
}

fn is_port(text: &str) -> bool {
    let mut ends = text.splitn(2, '-');
    ends.all(|end| !end.is_empty() && end.parse::<u16>().is_ok())
}

/// One ulimit: `name:soft[:hard]` (hard defaults to soft).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

impl Ulimit {
    pub(crate) fn parse(spec: &str) -> Result<Self, String> {
        let bad = || format!("bad ulimit `{spec}`: expected name:soft[:hard]");
        let mut parts = spec.split(':');
        let name = parts.next().filter(|n| !n.is_empty()).ok_or_else(bad)?;
        let soft: i64 = parts
            .next()
            .ok_or_else(bad)?
            .trim()
            .parse()
            .map_err(|_| bad())?;
        let hard: i64 = match parts.next() {
            Some(hard) => hard.trim().parse().map_err(|_| bad())?,
            None => soft,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Self {
            name: name.to_string(),
            soft,
            hard,
        })
    }

    pub(crate) fn flag(&self) -> String {
        format!("{}={}:{}", self.name, self.soft, self.hard)
    }
}

/// A bind (`src:dest[:mode]`, mode defaulting to `rw`) or an anonymous volume.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Volume {
    Bind(String),
    Anonymous(String),
}

impl Volume {
    pub(crate) fn parse(spec: &str) -> Result<Self, String> {
        let parts: Vec<&str> = spec.split(':').collect();
        match parts[..] {
            [path] if path.starts_with('/') => Ok(Self::Anonymous(path.to_string())),
            [source, dest] if !source.is_empty() && dest.starts_with('/') => {
                Ok(Self::Bind(format!("{source}:{dest}:rw")))
            }
            [source, dest, mode] if !source.is_empty() && dest.starts_with('/') => {
                Ok(Self::Bind(format!("{source}:{dest}:{}", normal_mode(mode))))
            }
            _ => Err(format!(
                "bad volume `{spec}`: expected /container/path or source:/container/path[:mode]"
            )),
        }
    }

    pub(crate) fn flag(&self) -> &str {
        match self {
            Self::Bind(bind) => bind,
            Self::Anonymous(path) => path,
        }
    }
}

/// `ro,z` and `z,ro` are the same mode; no `rw`/`ro` means `rw`.
fn normal_mode(mode: &str) -> String {
    let mut parts: Vec<&str> = mode.split(',').filter(|p| !p.is_empty()).collect();
    if !parts.iter().any(|p| *p == "ro" || *p == "rw") {
        parts.push("rw");
    }
    parts.sort_unstable();
    parts.join(",")
}

/// Every setting a task may give; `None` = not given, not compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ContainerOptions {
    pub env: Option<IndexMap<String, String>>,
    pub labels: Option<IndexMap<String, String>>,
    pub ports: Option<BTreeSet<Port>>,
    pub volumes: Option<BTreeSet<Volume>>,
    pub command: Option<Vec<String>>,
    pub restart_policy: Option<String>,
    pub restart_retries: Option<u32>,
    pub privileged: Option<bool>,
    pub ulimits: Option<BTreeSet<Ulimit>>,
    pub ipc_mode: Option<String>,
    pub working_dir: Option<String>,
    pub network_mode: Option<String>,
}

const RESTART_POLICIES: &[&str] = &["no", "on-failure", "always", "unless-stopped"];

impl ContainerOptions {
    pub(crate) fn from_args(args: &Args) -> Result<Self, ModuleError> {
        let restart_policy = args.str("restart_policy")?;
        if let Some(policy) = &restart_policy
            && !RESTART_POLICIES.contains(&policy.as_str())
        {
            return Err(ModuleError::failed(format!(
                "restart_policy must be one of {}, got `{policy}`",
                RESTART_POLICIES.join(", ")
            )));
        }
        let restart_retries = match args.f64("restart_retries")? {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Some(n as u32),
            Some(n) => {
                return Err(ModuleError::failed(format!(
                    "restart_retries must be a whole number, got {n}"
                )));
            }
            None => None,
        };
        Ok(Self {
            env: string_map(args, "env")?,
            labels: string_map(args, "labels")?,
            ports: parsed_set(
                args,
                given_name(args, "published_ports", "ports"),
                Port::parse,
            )?,
            volumes: parsed_set(args, "volumes", Volume::parse)?,
            command: command(args)?,
            restart_policy,
            restart_retries,
            privileged: args
                .has("privileged")
                .then(|| args.bool("privileged", false))
                .transpose()?,
            ulimits: parsed_set(args, "ulimits", Ulimit::parse)?,
            ipc_mode: args.str("ipc_mode")?,
            working_dir: args.str("working_dir")?,
            network_mode: args.str("network_mode")?,
        })
    }

    /// The flags that give a new container these settings.
    pub(crate) fn run_flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        let mut push = |flag: &str, value: String| {
            flags.push(flag.to_string());
            flags.push(value);
        };
        for (key, value) in self.env.iter().flatten() {
            push("--env", format!("{key}={value}"));
        }
        for (key, value) in self.labels.iter().flatten() {
            push("--label", format!("{key}={value}"));
        }
        for port in self.ports.iter().flatten() {
            push("--publish", port.flag());
        }
        for volume in self.volumes.iter().flatten() {
            push("--volume", volume.flag().to_string());
        }
        for ulimit in self.ulimits.iter().flatten() {
            push("--ulimit", ulimit.flag());
        }
        if let Some(policy) = &self.restart_policy {
            let policy = match (policy.as_str(), self.restart_retries) {
                ("on-failure", Some(retries)) => format!("on-failure:{retries}"),
                _ => policy.clone(),
            };
            push("--restart", policy);
        }
        for (flag, value) in [
            ("--ipc", &self.ipc_mode),
            ("--workdir", &self.working_dir),
            ("--network", &self.network_mode),
        ] {
            if let Some(value) = value {
                push(flag, value.clone());
            }
        }
        if self.privileged == Some(true) {
            flags.push("--privileged".into());
        }
        flags
    }

    /// `(setting, as found, as wanted)` for every given setting that the
    /// container (its `docker inspect` data) does not have. `image` is the
    /// wanted image's inspect data, whose env and labels a container inherits.
    pub(crate) fn differences(&self, container: &Json, image: Option<&Json>) -> Vec<Difference> {
        let mut found = Vec::new();
        let mut check = |name: &str, have: String, want: Option<String>| {
            if let Some(want) = want
                && want != have
            {
                found.push(Difference {
                    name: name.to_string(),
                    before: have,
                    after: want,
                });
            }
        };
        let image_config = |key: &str| image.and_then(|i| at(i, &["Config", key]));
        check(
            "env",
            list_text(sorted(strings(at(container, &["Config", "Env"])))),
            self.env.as_ref().map(|env| {
                let mut merged = env_pairs(image_config("Env"));
                merged.extend(env.iter().map(|(k, v)| (k.clone(), v.clone())));
                list_text(sorted(
                    merged.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                ))
            }),
        );
        check(
            "labels",
            map_text(object(at(container, &["Config", "Labels"]))),
            self.labels.as_ref().map(|labels| {
                let mut merged = object(image_config("Labels"));
                merged.extend(labels.iter().map(|(k, v)| (k.clone(), v.clone())));
                map_text(merged)
            }),
        );
        check(
            "published_ports",
            set_text(found_ports(container).iter().map(Port::flag)),
            self.ports
                .as_ref()
                .map(|ports| set_text(ports.iter().map(Port::flag))),
        );
        check(
            "volumes",
            set_text(
                found_volumes(container)
                    .iter()
                    .map(|v| v.flag().to_string()),
            ),
            self.volumes
                .as_ref()
                .map(|volumes| set_text(volumes.iter().map(|v| v.flag().to_string()))),
        );
        check(
            "command",
            list_text(strings(at(container, &["Config", "Cmd"]))),
            self.command.as_ref().map(|c| list_text(c.clone())),
        );
        check(
            "restart_policy",
            text_at(container, &["HostConfig", "RestartPolicy", "Name"])
                .filter(|name| !name.is_empty())
                .unwrap_or("no")
                .to_string(),
            self.restart_policy.clone(),
        );
        check(
            "restart_retries",
            at(
                container,
                &["HostConfig", "RestartPolicy", "MaximumRetryCount"],
            )
            .and_then(Json::as_u64)
            .unwrap_or(0)
            .to_string(),
            self.restart_retries.map(|n| n.to_string()),
        );
        check(
            "privileged",
            at(container, &["HostConfig", "Privileged"])
                .and_then(Json::as_bool)
                .unwrap_or(false)
                .to_string(),
            self.privileged.map(|p| p.to_string()),
        );
        check(
            "ulimits",
            set_text(found_ulimits(container).iter().map(Ulimit::flag)),
            self.ulimits
                .as_ref()
                .map(|u| set_text(u.iter().map(Ulimit::flag))),
        );
        check(
            "ipc_mode",
            text_at(container, &["HostConfig", "IpcMode"])
                .unwrap_or_default()
                .to_string(),
            self.ipc_mode.clone(),
        );
        check(
            "working_dir",
            text_at(container, &["Config", "WorkingDir"])
                .unwrap_or_default()
                .to_string(),
            self.working_dir.clone(),
        );
        let network = text_at(container, &["HostConfig", "NetworkMode"]).unwrap_or_default();
        check(
            "network_mode",
            network.to_string(),
            self.network_mode
                .clone()
                .filter(|want| !(is_default_network(want) && is_default_network(network))),
        );
        found
    }
}

/// One setting that differs, as text for the diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Difference {
    pub name: String,
    pub before: String,
    pub after: String,
}

fn is_default_network(mode: &str) -> bool {
    matches!(mode, "" | "default" | "bridge")
}

fn command(args: &Args) -> Result<Option<Vec<String>>, ModuleError> {
    let Some(value) = args.get("command") else {
        return Ok(None);
    };
    if value.kind() == ValueKind::Seq {
        return Ok(args.str_list("command")?);
    }
    let line = args.str("command")?.unwrap_or_default();
    shell_words::split(&line)
        .map(Some)
        .map_err(|e| ModuleError::failed(format!("cannot split command {line:?}: {e}")))
}

/// A mapping of strings (`env`, `labels`). Booleans must be quoted, as
/// Ansible insists: `yes` would become `True` in the container otherwise.
fn string_map(args: &Args, name: &str) -> Result<Option<IndexMap<String, String>>, ModuleError> {
    let Some(value) = args.get(name) else {
        return Ok(None);
    };
    if value.kind() != ValueKind::Map {
        return Err(ModuleError::failed(format!(
            "argument `{name}`: expected a mapping, got a {}",
            value.kind()
        )));
    }
    let mut map = IndexMap::new();
    for key in value
        .try_iter()
        .map_err(|e| ModuleError::failed(e.to_string()))?
    {
        let item = value.get_item(&key).unwrap_or(Value::UNDEFINED);
        let text = match item.kind() {
            ValueKind::String => item.as_str().unwrap_or_default().to_string(),
            ValueKind::Number => item.to_string(),
            ValueKind::None | ValueKind::Undefined => String::new(),
            other => {
                return Err(ModuleError::failed(format!(
                    "argument `{name}`: the value of `{key}` is a {other}; quote it to pass a string"
                )));
            }
        };
        map.insert(key.to_string(), text);
    }
    Ok(Some(map))
}

/// The argument's name as the task wrote it: itself or its alias.
fn given_name<'a>(args: &Args, name: &'a str, alias: &'a str) -> &'a str {
    if args.has(name) { name } else { alias }
}

fn parsed_set<T: Ord>(
    args: &Args,
    name: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<BTreeSet<T>>, ModuleError> {
    let Some(items) = args.str_list(name)? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|item| parse(item).map_err(|e| ModuleError::failed(format!("argument `{name}`: {e}"))))
        .collect::<Result<BTreeSet<T>, _>>()
        .map(Some)
}

fn strings(json: Option<&Json>) -> Vec<String> {
    json.and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn object(json: Option<&Json>) -> IndexMap<String, String> {
    json.and_then(Json::as_object)
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn env_pairs(json: Option<&Json>) -> IndexMap<String, String> {
    strings(json)
        .into_iter()
        .map(|entry| match entry.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (entry, String::new()),
        })
        .collect()
}

fn found_ports(container: &Json) -> BTreeSet<Port> {
    let Some(bindings) = at(container, &["HostConfig", "PortBindings"]).and_then(Json::as_object)
    else {
        return BTreeSet::new();
    };
    let mut ports = BTreeSet::new();
    for (key, hosts) in bindings {
        let (container_port, protocol) = key.split_once('/').unwrap_or((key, "tcp"));
        for host in hosts.as_array().into_iter().flatten() {
            let ip = text_at(host, &["HostIp"]).unwrap_or_default();
            ports.insert(Port {
                container: container_port.to_string(),
                protocol: protocol.to_string(),
                host_ip: if ip == "0.0.0.0" {
                    String::new()
                } else {
                    ip.to_string()
                },
                host_port: text_at(host, &["HostPort"]).unwrap_or_default().to_string(),
            });
        }
    }
    ports
}

fn found_volumes(container: &Json) -> BTreeSet<Volume> {
    let binds = strings(at(container, &["HostConfig", "Binds"]))
        .into_iter()
        .filter_map(|bind| Volume::parse(&bind).ok());
    let anonymous = at(container, &["Config", "Volumes"])
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|map| map.keys().cloned().map(Volume::Anonymous));
    binds.chain(anonymous).collect()
}

fn found_ulimits(container: &Json) -> BTreeSet<Ulimit> {
    at(container, &["HostConfig", "Ulimits"])
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|u| {
            Some(Ulimit {
                name: text_at(u, &["Name"])?.to_string(),
                soft: u.get("Soft")?.as_i64()?,
                hard: u.get("Hard")?.as_i64()?,
            })
        })
        .collect()
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}

fn list_text(items: Vec<String>) -> String {
    format!("[{}]", items.join(", "))
}

fn set_text(items: impl Iterator<Item = String>) -> String {
    list_text(sorted(items.collect()))
}

fn map_text(map: IndexMap<String, String>) -> String {
    let mut pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    list_text(pairs)
}

#[cfg(test)]
#[path = "docker_container_options_tests.rs"]
mod tests;
