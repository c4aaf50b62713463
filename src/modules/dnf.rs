//! `dnf` and `yum`: RPM packages with the host's own `dnf`/`yum` and `rpm`,
//! as Ansible's modules manage them (which use dnf's Python API).
//! Inspection is one round trip: `rpm -qa` for what is installed and
//! `repoquery --latest-limit 1` for the newest build the enabled
//! repositories offer. Lab hosts have shims of these tools (Debian has
//! neither); see docs/lab.md.

use super::utils::exec::environment_prefix;
use super::utils::host::require_tools;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::Value;

/// The module, named after the tool it drives.
pub(super) struct Dnf(pub &'static str);

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "state",
        "enablerepo",
        "disablerepo",
        "update_cache",
        "update_only",
        "disable_gpg_check",
        "allow_downgrade",
        "autoremove",
        "exclude",
        "install_weak_deps",
        "lock_timeout",
        "skip_broken",
        "conf_file",
    ],
    aliases: &[("pkg", "name"), ("expire-cache", "update_cache")],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

const QUERY_FORMAT: &str = "%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n";
const REPOQUERY_FORMAT: &str = "%{name}\\t%{epoch}\\t%{version}\\t%{release}\\t%{arch}\\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Present,
    Latest,
    Absent,
}

/// One RPM build: name, epoch, version, release, arch.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Build {
    name: String,
    version: String,
    release: String,
    arch: String,
}

impl Build {
    fn parse_lines(text: &str) -> Vec<Build> {
        text.lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split('\t').collect();
                let [name, _epoch, version, release, arch] = fields.as_slice() else {
                    return None;
                };
                Some(Build {
                    name: (*name).to_string(),
                    version: (*version).to_string(),
                    release: (*release).to_string(),
                    arch: (*arch).to_string(),
                })
            })
            .collect()
    }

    fn nevra(&self) -> String {
        format!("{}-{}-{}.{}", self.name, self.version, self.release, self.arch)
    }

    /// Whether this build is what `spec` names: `name`, `name-version` or
    /// `name-version-release`.
    fn matches(&self, spec: &str) -> bool {
        spec == self.name
            || spec == format!("{}-{}", self.name, self.version)
            || spec == format!("{}-{}-{}", self.name, self.version, self.release)
    }
}

impl Module for Dnf {
    fn name(&self) -> &'static str {
        self.0
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let tool = self.0;
        let names = args.str_list("name")?.or(args.str_list("pkg")?).unwrap_or_default();
        let autoremove = args.bool("autoremove", false)?;
        let state = match args.str("state")?.as_deref() {
            None if autoremove => State::Absent,
            None | Some("present" | "installed") => State::Present,
            Some("latest") => State::Latest,
            Some("absent" | "removed") => State::Absent,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: absent, present, installed, removed, latest, got: {other}"
                )));
            }
        };
        if names.iter().any(|n| n == "*" || n.starts_with('@') || n.contains(['<', '>', '='])) {
            return Err(ModuleError::failed(format!(
                "runbook's {tool} module takes package names (name, name-version, name-version-release); `*`, groups (@...) and version comparisons are not supported"
            )));
        }
        require_tools(ctx, tool, &[tool, "rpm"])?;
        let mut options = String::new();
        for (argument, flag) in [("enablerepo", "--enablerepo"), ("disablerepo", "--disablerepo"), ("exclude", "--exclude")] {
            for repo in args.str_list(argument)?.unwrap_or_default() {
                options.push_str(&format!(" {flag}={}", shell_quote(&repo)));
            }
        }
        if args.bool("disable_gpg_check", false)? {
            options.push_str(" --nogpgcheck");
        }
        if args.bool("allow_downgrade", false)? {
            options.push_str(" --allowerasing");
        }
        if args.bool("skip_broken", false)? {
            options.push_str(" --skip-broken");
        }
        if let Some(conf) = args.str("conf_file")? {
            options.push_str(&format!(" --config={}", shell_quote(&conf)));
        }
        if args.has("install_weak_deps") {
            let weak = args.bool("install_weak_deps", true)?;
            options.push_str(&format!(" --setopt=install_weak_deps={weak}"));
        }
        let env = environment_prefix(ctx.environment);
        if args.bool("update_cache", false)? || args.bool("expire-cache", false)? {
            let output = ctx
                .connection()?
                .run(&format!("{env}{tool} -q{options} makecache"), None)?;
            if output.rc != 0 {
                return Ok(failure(
                    format!("Failed to update the cache: {}", output.stderr_text().trim()),
                    Vec::new(),
                    output.rc,
                ));
            }
            if names.is_empty() {
                return Ok(result(false, "Cache updated", Vec::new()));
            }
        }
        if names.is_empty() {
            return Err(ModuleError::failed("missing required arguments: name"));
        }
        let quoted: Vec<String> = names.iter().map(|n| shell_quote(n)).collect();
        let quoted = quoted.join(" ");
        let script = format!(
            "{env}rpm -qa --qf '{QUERY_FORMAT}' 2>/dev/null\necho '--- available'\n{tool} -q{options} repoquery --latest-limit 1 --qf '{REPOQUERY_FORMAT}' {quoted} 2>/dev/null\n"
        );
        let text = ctx.connection()?.run(&script, None)?.stdout_text();
        let (installed, available) = text.split_once("--- available\n").unwrap_or((&text, ""));
        let (installed, available) = (Build::parse_lines(installed), Build::parse_lines(available));
        let update_only = args.bool("update_only", false)?;
        let mut verb = "install";
        let mut words = Vec::new();
        let mut results = Vec::new();
        let mut failures = Vec::new();
        for name in &names {
            let offered = available.iter().find(|b| b.matches(name));
            match state {
                State::Absent => {
                    if let Some(build) = installed.iter().find(|b| b.matches(name)) {
                        verb = "remove";
                        words.push(shell_quote(name));
                        results.push(format!("Removed: {}", build.nevra()));
                    }
                }
                State::Present => {
                    if installed.iter().any(|b| b.matches(name)) {
                        continue;
                    }
                    match offered {
                        Some(build) => {
                            words.push(shell_quote(name));
                            results.push(format!("Installed: {}", build.nevra()));
                        }
                        None => failures.push(format!("No package {name} available.")),
                    }
                }
                State::Latest => {
                    let current = installed.iter().find(|b| b.matches(name));
                    match (current, offered) {
                        (Some(now), Some(build)) if now != build => {
                            verb = "upgrade";
                            words.push(shell_quote(name));
                            results.push(format!("Installed: {}", build.nevra()));
                            results.push(format!("Removed: {}", now.nevra()));
                        }
                        (Some(_), _) => {}
                        (None, Some(build)) if !update_only => {
                            words.push(shell_quote(name));
                            results.push(format!("Installed: {}", build.nevra()));
                        }
                        (None, Some(_)) => {}
                        (None, None) => failures.push(format!("No package {name} available.")),
                    }
                }
            }
        }
        if !failures.is_empty() {
            let mut outcome = failure(
                "Failed to install some of the specified packages".into(),
                Vec::new(),
                1,
            );
            outcome.data.insert("failures".into(), strings(&failures));
            return Ok(outcome);
        }
        if words.is_empty() {
            return Ok(result(false, "Nothing to do", Vec::new()));
        }
        if ctx.check_mode {
            return Ok(result(
                true,
                "Check mode: No changes made, but would have if not in check mode",
                results,
            ));
        }
        // `latest` with some missing and some outdated: install takes both.
        if state == State::Latest && words.len() > 1 {
            verb = "install";
        }
        let mut command = format!("{env}{tool} -y{options}");
        if verb == "remove" && autoremove {
            command.push_str(" --setopt=clean_requirements_on_remove=True");
        }
        command.push_str(&format!(" {verb} {}", words.join(" ")));
        let output = ctx.connection()?.run(&command, None)?;
        if output.rc != 0 {
            let mut outcome = failure(
                output.stderr_text().trim().to_string(),
                Vec::new(),
                output.rc,
            );
            outcome.data.insert("stdout".into(), output.stdout_text().into());
            return Ok(outcome);
        }
        let done = transaction(&output.stdout_text());
        Ok(result(true, "", if done.is_empty() { results } else { done }))
    }
}

/// `Installed:`, `Upgraded:` and `Removed:` sections of dnf's output, as
/// Ansible's `results` lines (`Installed: name-1.0-1.noarch`).
fn transaction(output: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut section: Option<&str> = None;
    for line in output.lines() {
        let trimmed = line.trim();
        match trimmed {
            "Installed:" | "Upgraded:" | "Removed:" | "Downgraded:" => {
                section = Some(trimmed.trim_end_matches(':'));
                continue;
            }
            "" => {
                section = None;
                continue;
            }
            _ => {}
        }
        if let Some(kind) = section
            && line.starts_with(' ')
        {
            for package in trimmed.split_whitespace() {
                let kind = if kind == "Upgraded" { "Installed" } else { kind };
                found.push(format!("{kind}: {package}"));
            }
        }
    }
    found
}

fn strings(list: &[String]) -> Value {
    list.iter().map(|s| Value::from(s.as_str())).collect()
}

fn result(changed: bool, msg: &str, results: Vec<String>) -> Outcome {
    let mut outcome = Outcome::ok()
        .with("msg", msg)
        .with("rc", 0)
        .with("results", strings(&results));
    outcome.changed = changed;
    outcome.msg = Some(msg.to_string());
    outcome
}

fn failure(msg: String, results: Vec<String>, rc: i32) -> Outcome {
    Outcome::failed(msg)
        .with("rc", rc)
        .with("results", strings(&results))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dnfs_transaction_summary() {
        let output = "Dependencies resolved.\n\nUpgraded:\n  app-2.0-1.noarch\n\nInstalled:\n  lib-1.0-1.noarch   extra-1.0-1.noarch\n\nComplete!\n";
        assert_eq!(
            transaction(output),
            [
                "Installed: app-2.0-1.noarch",
                "Installed: lib-1.0-1.noarch",
                "Installed: extra-1.0-1.noarch"
            ]
        );
    }

    #[test]
    fn builds_match_name_version_and_release() {
        let build = &Build::parse_lines("app\t0\t1.0\t1\tnoarch\n")[0];
        assert!(build.matches("app") && build.matches("app-1.0") && build.matches("app-1.0-1"));
        assert!(!build.matches("app-2.0"));
        assert_eq!(build.nevra(), "app-1.0-1.noarch");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = transaction(&text);
            let _ = Build::parse_lines(&text);
        }
    }
}
