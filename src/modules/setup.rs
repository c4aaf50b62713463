//! `setup` (and `gather_facts`): facts about the host in one round trip,
//! from POSIX tools only — no Python on the host.

use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::{Value, VarMap, map_from_pairs, map_value};

pub(super) struct Setup;

static SPEC: ArgSpec = ArgSpec {
    names: &["gather_subset", "gather_timeout", "filter", "fact_path"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

const SECTION: &str = "--runbook-section--";

/// One script prints everything; sections split its output.
const SCRIPT: &str = r#"
echo "hostname=$(hostname 2>/dev/null || uname -n)"
echo "fqdn=$(hostname -f 2>/dev/null || hostname 2>/dev/null || uname -n)"
echo "kernel=$(uname -r)"
echo "architecture=$(uname -m)"
echo "system=$(uname -s)"
echo "user_id=$(id -un 2>/dev/null)"
echo "user_uid=$(id -u 2>/dev/null)"
echo "vcpus=$(nproc 2>/dev/null || grep -c '^processor' /proc/cpuinfo 2>/dev/null)"
echo "memtotal_kb=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo 2>/dev/null)"
echo "memfree_kb=$(sed -n 's/^MemAvailable: *\([0-9]*\).*/\1/p' /proc/meminfo 2>/dev/null)"
echo "default_ipv4=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')"
echo "all_ipv4=$(ip -4 -o addr show 2>/dev/null | sed -n 's/.* inet \([0-9.]*\).*/\1/p' | grep -v '^127\.' | tr '\n' ' ')"
echo "python=$(command -v python3 2>/dev/null || command -v python 2>/dev/null)"
echo "date=$(date '+%Y-%m-%d %H:%M:%S %Z %s %u')"
echo "--runbook-section--"
cat /etc/os-release 2>/dev/null
echo "--runbook-section--"
env
"#;

impl Module for Setup {
    fn name(&self) -> &'static str {
        "setup"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, _args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let output = ctx.connection()?.run(SCRIPT, None)?;
        if output.rc != 0 {
            return Ok(Outcome::failed(format!(
                "gathering facts failed: {}",
                output.stderr_text().trim()
            )));
        }
        let facts = parse_facts(&output.stdout_text());
        let mut outcome = Outcome::ok().with("ansible_facts", map_value(facts.clone()));
        outcome
            .facts
            .insert("ansible_facts".into(), map_value(facts.clone()));
        for (name, value) in facts {
            outcome.facts.insert(format!("ansible_{name}"), value);
        }
        outcome.facts.insert(FACTS_GATHERED.into(), Value::from(true));
        Ok(outcome)
    }
}

/// Ansible's mark of a host whose facts were gathered (`gathering = smart`
/// reads it).
pub const FACTS_GATHERED: &str = "module_setup";

/// Facts, named as in `ansible_facts` (without the `ansible_` prefix).
fn parse_facts(text: &str) -> VarMap {
    let mut sections = text.split(SECTION);
    let basics = key_values(sections.next().unwrap_or_default());
    let os_release = key_values(sections.next().unwrap_or_default());
    let environment = key_values(sections.next().unwrap_or_default());
    let get = |key: &str| {
        basics
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let os = |key: &str| {
        os_release
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim_matches('"').to_string())
    };
    let mut facts = VarMap::new();
    let mut put = |key: &str, value: Value| {
        facts.insert(key.to_string(), value);
    };
    put(
        "hostname",
        Value::from(get("hostname").split('.').next().unwrap_or_default()),
    );
    put("nodename", Value::from(get("hostname")));
    put("fqdn", Value::from(get("fqdn")));
    put("kernel", Value::from(get("kernel")));
    put("architecture", Value::from(get("architecture")));
    put("machine", Value::from(get("architecture")));
    put("system", Value::from(get("system")));
    put("user_id", Value::from(get("user_id")));
    put("user_uid", number(&get("user_uid")));
    put("processor_vcpus", number(&get("vcpus")));
    put("processor_nproc", number(&get("vcpus")));
    put("memtotal_mb", kb_to_mb(&get("memtotal_kb")));
    put("memfree_mb", kb_to_mb(&get("memfree_kb")));
    let id = os("ID").unwrap_or_default();
    let version = os("VERSION_ID").unwrap_or_default();
    put(
        "distribution",
        Value::from(distribution_name(&id, os("NAME").as_deref())),
    );
    put("distribution_version", Value::from(version.as_str()));
    put(
        "distribution_major_version",
        Value::from(version.split('.').next().unwrap_or_default()),
    );
    put(
        "distribution_release",
        Value::from(os("VERSION_CODENAME").unwrap_or_default()),
    );
    put(
        "os_family",
        Value::from(os_family(&id, os("ID_LIKE").as_deref())),
    );
    let all_ipv4: Vec<Value> = get("all_ipv4")
        .split_whitespace()
        .map(Value::from)
        .collect();
    let default = get("default_ipv4");
    let default = if default.is_empty() {
        all_ipv4.first().map(|v| v.to_string()).unwrap_or_default()
    } else {
        default
    };
    put(
        "default_ipv4",
        map_from_pairs([("address", Value::from(default))]),
    );
    put("all_ipv4_addresses", Value::from(all_ipv4));
    let python = get("python");
    if !python.is_empty() {
        put(
            "python",
            map_from_pairs([("executable", Value::from(python))]),
        );
    }
    put("date_time", date_time(&get("date")));
    put(
        "env",
        map_from_pairs(environment.into_iter().map(|(k, v)| (k, Value::from(v)))),
    );
    facts
}

fn key_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| {
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn number(text: &str) -> Value {
    text.trim()
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or_default()
}

fn kb_to_mb(text: &str) -> Value {
    text.trim()
        .parse::<i64>()
        .map(|kb| Value::from(kb / 1024))
        .unwrap_or_default()
}

/// Ansible's names for the common distributions.
fn distribution_name(id: &str, name: Option<&str>) -> String {
    let known = match id {
        "debian" => "Debian",
        "ubuntu" => "Ubuntu",
        "centos" => "CentOS",
        "rhel" => "RedHat",
        "rocky" => "Rocky",
        "almalinux" => "AlmaLinux",
        "fedora" => "Fedora",
        "alpine" => "Alpine",
        "arch" => "Archlinux",
        "sles" => "SLES",
        "opensuse-leap" | "opensuse" => "openSUSE Leap",
        "kylin" => "Kylin",
        "openEuler" | "openeuler" => "openEuler",
        _ => "",
    };
    if known.is_empty() {
        name.unwrap_or(id).to_string()
    } else {
        known.to_string()
    }
}

fn os_family(id: &str, like: Option<&str>) -> String {
    let candidates = std::iter::once(id).chain(like.unwrap_or_default().split_whitespace());
    for candidate in candidates {
        let family = match candidate {
            "debian" | "ubuntu" => "Debian",
            "rhel" | "centos" | "fedora" | "rocky" | "almalinux" | "openEuler" | "openeuler" => {
                "RedHat"
            }
            "suse" | "sles" | "opensuse" => "Suse",
            "alpine" => "Alpine",
            "arch" => "Archlinux",
            _ => continue,
        };
        return family.to_string();
    }
    id.to_string()
}

/// `date '+%Y-%m-%d %H:%M:%S %Z %s %u'` as Ansible's `ansible_date_time`.
fn date_time(text: &str) -> Value {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [date, time, tz, epoch, weekday] = parts[..] else {
        return Value::from(());
    };
    let mut ymd = date.split('-');
    let mut hms = time.split(':');
    map_from_pairs([
        ("date", Value::from(date)),
        ("time", Value::from(time)),
        ("year", Value::from(ymd.next().unwrap_or_default())),
        ("month", Value::from(ymd.next().unwrap_or_default())),
        ("day", Value::from(ymd.next().unwrap_or_default())),
        ("hour", Value::from(hms.next().unwrap_or_default())),
        ("minute", Value::from(hms.next().unwrap_or_default())),
        ("second", Value::from(hms.next().unwrap_or_default())),
        ("tz", Value::from(tz)),
        ("epoch", Value::from(epoch)),
        ("weekday_number", Value::from(weekday)),
        ("iso8601", Value::from(format!("{date}T{time}"))),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_a_debian_host() {
        let text = "hostname=node1\nfqdn=node1.lab\nkernel=6.1.0\narchitecture=x86_64\nsystem=Linux\nuser_id=root\nuser_uid=0\nvcpus=2\nmemtotal_kb=2048000\nmemfree_kb=1024000\ndefault_ipv4=\nall_ipv4=10.0.0.5 \npython=\ndate=2026-11-24 01:02:03 UTC 1795482123 2\n--runbook-section--\nNAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n--runbook-section--\nHOME=/root\n";
        let facts = parse_facts(text);
        let get = |k: &str| facts.get(k).map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(get("distribution"), "Debian");
        assert_eq!(get("os_family"), "Debian");
        assert_eq!(get("distribution_major_version"), "12");
        assert_eq!(get("memtotal_mb"), "2000");
        assert_eq!(get("processor_vcpus"), "2");
        assert_eq!(
            facts["default_ipv4"]
                .get_attr("address")
                .map(|v| v.to_string())
                .ok(),
            Some("10.0.0.5".into())
        );
        assert_eq!(
            facts["env"].get_attr("HOME").map(|v| v.to_string()).ok(),
            Some("/root".into())
        );
        assert_eq!(
            facts["date_time"]
                .get_attr("year")
                .map(|v| v.to_string())
                .ok(),
            Some("2026".into())
        );
        assert!(!facts.contains_key("python"));
    }
}
