//! `yum_repository`: one `[repoid]` section of a `.repo` file in
//! `/etc/yum.repos.d`, as Ansible's `yum_repository` writes it with Python's
//! configparser: the section is replaced whole (its options sorted), a file
//! left without sections is deleted, and `changed` compares the sorted
//! dump of every section, which is also the `--diff`.

use super::utils::host::{read_file, run_checked, write_file};
use super::spec::ArgGroup;
use super::{ArgSpec, Args, Diff, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;

pub(super) struct YumRepository;

/// Options written as they are given.
const TEXT_OPTIONS: &[&str] = &[
    "bandwidth",
    "cost",
    "deltarpm_metadata_percentage",
    "deltarpm_percentage",
    "failovermethod",
    "gpgcakey",
    "http_caching",
    "include",
    "ip_resolve",
    "keepcache",
    "metadata_expire",
    "metadata_expire_filter",
    "metalink",
    "mirrorlist",
    "mirrorlist_expire",
    "password",
    "priority",
    "proxy",
    "proxy_password",
    "proxy_username",
    "retries",
    "sslcacert",
    "sslclientcert",
    "sslclientkey",
    "throttle",
    "timeout",
    "ui_repoid_vars",
    "username",
];

/// Options written `1`/`0`.
const BOOL_OPTIONS: &[&str] = &[
    "async",
    "countme",
    "enabled",
    "enablegroups",
    "gpgcheck",
    "keepalive",
    "module_hotfixes",
    "protect",
    "repo_gpgcheck",
    "s3_enabled",
    "skip_if_unavailable",
    "ssl_check_cert_permissions",
    "sslverify",
];

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "state",
        "file",
        "reposdir",
        "description",
        "baseurl",
        "gpgkey",
        "exclude",
        "includepkgs",
    ],
    groups: &[
        &ArgGroup {
            names: TEXT_OPTIONS,
            aliases: &[],
        },
        &ArgGroup {
            names: BOOL_OPTIONS,
            aliases: &[],
        },
    ],
    aliases: &[
        ("excludepkgs", "exclude"),
        ("ca_cert", "sslcacert"),
        ("client_cert", "sslclientcert"),
        ("client_key", "sslclientkey"),
        ("validate_certs", "sslverify"),
    ],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

/// A `.repo` file as configparser holds it: sections in order, options in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct RepoFile {
    sections: Vec<(String, Vec<(String, String)>)>,
}

impl RepoFile {
    /// configparser's reading: `key = value` or `key: value`, keys
    /// lowercased, indented lines continue a value, `#`/`;` lines are comments.
    pub(super) fn parse(text: &str) -> Self {
        let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                if let Some((_, options)) = sections.last_mut()
                    && let Some((_, value)) = options.last_mut()
                {
                    value.push('\n');
                    value.push_str(trimmed);
                }
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                sections.retain(|(existing, _)| existing != name);
                sections.push((name.to_string(), Vec::new()));
                continue;
            }
            let split = trimmed.find(['=', ':']);
            let Some((_, options)) = sections.last_mut() else {
                continue;
            };
            let (key, value) = match split {
                Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
                None => (trimmed, ""),
            };
            let key = key.trim().to_lowercase();
            options.retain(|(existing, _)| *existing != key);
            options.push((key, value.trim().to_string()));
        }
        Self { sections }
    }

    fn remove(&mut self, section: &str) {
        self.sections.retain(|(name, _)| name != section);
    }

    fn add(&mut self, section: &str, mut options: Vec<(String, String)>) {
        self.remove(section);
        options.sort();
        self.sections.push((section.to_string(), options));
    }

    /// Ansible's `dump`: sections and options sorted.
    pub(super) fn dump(&self) -> String {
        let mut sections = self.sections.clone();
        sections.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::new();
        for (name, mut options) in sections {
            out.push_str(&format!("[{name}]\n"));
            options.sort();
            for (key, value) in options {
                out.push_str(&format!("{key} = {value}\n"));
            }
            out.push('\n');
        }
        out
    }

    /// configparser's `write`: sections in order, continuation lines tab-indented.
    pub(super) fn write(&self) -> String {
        let mut out = String::new();
        for (name, options) in &self.sections {
            out.push_str(&format!("[{name}]\n"));
            for (key, value) in options {
                out.push_str(&format!("{key} = {}\n", value.replace('\n', "\n\t")));
            }
            out.push('\n');
        }
        out
    }
}

impl Module for YumRepository {
    fn name(&self) -> &'static str {
        "yum_repository"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let repoid = args.str("name")?.unwrap_or_default();
        let state = args.str("state")?.unwrap_or_else(|| "present".into());
        if state != "present" && state != "absent" {
            return Err(ModuleError::failed(format!(
                "value of state must be one of: present, absent, got: {state}"
            )));
        }
        let options = options(args)?;
        if state == "present" {
            if !["baseurl", "mirrorlist", "metalink"].iter().any(|k| args.has(k)) {
                return Err(ModuleError::failed(
                    "state is present but any of the following are missing: baseurl, mirrorlist, metalink",
                ));
            }
            if !args.has("description") {
                return Err(ModuleError::failed(
                    "state is present but all of the following are missing: description",
                ));
            }
        }
        let reposdir = args.str("reposdir")?.unwrap_or_else(|| "/etc/yum.repos.d".into());
        let dir_check = ctx
            .connection()?
            .run(&format!("[ -d {} ]", shell_quote(&reposdir)), None)?;
        if dir_check.rc != 0 {
            return Err(ModuleError::failed(format!(
                "Repo directory '{reposdir}' does not exist."
            )));
        }
        let file = args.str("file")?.unwrap_or_else(|| repoid.clone());
        let dest = format!("{reposdir}/{file}.repo");
        let existing = read_file(ctx, &dest)?;
        let mut repo = RepoFile::parse(&String::from_utf8_lossy(existing.as_deref().unwrap_or_default()));
        let before = repo.dump();
        if state == "present" {
            repo.add(&repoid, options);
        } else {
            repo.remove(&repoid);
        }
        let after = repo.dump();
        let mut outcome = Outcome::ok()
            .with("repo", repoid.as_str())
            .with("state", state.as_str());
        let unchanged = before == after;
        outcome
            .data
            .insert("diff".into(), Diff::content(&dest, before, after).to_value());
        if unchanged {
            return Ok(outcome);
        }
        outcome.changed = true;
        if !ctx.check_mode {
            if repo.sections.is_empty() {
                run_checked(ctx, &format!("removing {dest}"), &format!("rm -f {}", shell_quote(&dest)), None)?;
            } else {
                write_file(ctx, &dest, repo.write().as_bytes(), None)?;
            }
        }
        Ok(outcome)
    }
}

/// The section's options from the arguments, as Ansible names and writes
/// them (`description` is `name`; lists of URLs one per line).
fn options(args: &Args) -> Result<Vec<(String, String)>, ModuleError> {
    let mut options = Vec::new();
    let first = |names: &[&str]| -> Result<Option<String>, ModuleError> {
        for name in names {
            if let Some(value) = args.str(name)? {
                return Ok(Some(value));
            }
        }
        Ok(None)
    };
    if let Some(description) = args.str("description")? {
        options.push(("name".to_string(), description));
    }
    for (key, separator, aliases) in [
        ("baseurl", "\n", &[][..]),
        ("gpgkey", "\n", &[][..]),
        ("exclude", " ", &["excludepkgs"][..]),
        ("includepkgs", " ", &[][..]),
    ] {
        let mut list = args.str_list(key)?;
        for alias in aliases {
            if list.is_none() {
                list = args.str_list(alias)?;
            }
        }
        if let Some(list) = list {
            options.push((key.to_string(), list.join(separator)));
        }
    }
    let aliases: &[(&str, &str)] = &[
        ("sslcacert", "ca_cert"),
        ("sslclientcert", "client_cert"),
        ("sslclientkey", "client_key"),
    ];
    for key in TEXT_OPTIONS {
        let alias = aliases.iter().find(|(k, _)| k == key).map(|(_, a)| *a);
        let names: Vec<&str> = std::iter::once(*key).chain(alias).collect();
        if let Some(value) = first(&names)? {
            options.push(((*key).to_string(), value));
        }
    }
    for key in BOOL_OPTIONS {
        let name = if *key == "sslverify" && !args.has("sslverify") && args.has("validate_certs") {
            "validate_certs"
        } else {
            key
        };
        if args.has(name) {
            let on = args.bool(name, false)?;
            options.push(((*key).to_string(), if on { "1" } else { "0" }.to_string()));
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_dumps_as_configparser() {
        let mut repo = RepoFile::parse(
            "# comment\n[epel]\nName = EPEL\nbaseurl=http://a/\n  http://b/\nenabled: 1\n\n[other]\nname = x\n",
        );
        assert_eq!(
            repo.dump(),
            "[epel]\nbaseurl = http://a/\nhttp://b/\nenabled = 1\nname = EPEL\n\n[other]\nname = x\n\n"
        );
        repo.add("epel", vec![("name".into(), "EPEL 9".into()), ("baseurl".into(), "http://c/".into())]);
        assert_eq!(
            repo.write(),
            "[other]\nname = x\n\n[epel]\nbaseurl = http://c/\nname = EPEL 9\n\n"
        );
        repo.remove("epel");
        repo.remove("other");
        assert_eq!(repo.dump(), "");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,300}") {
            let repo = RepoFile::parse(&text);
            let _ = repo.dump();
            let _ = repo.write();
        }
    }
}
