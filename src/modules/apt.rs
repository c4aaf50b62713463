//! `apt`: Debian packages with the host's own apt-get, apt-cache and
//! dpkg-query, as Ansible's apt module (which uses python-apt) manages
//! them. Inspection is one `dpkg-query` + `apt-cache policy` round trip;
//! check mode and `--diff` run apt-get with `--simulate`, as Ansible does,
//! so `changed` and the `prepared` plan come from the real apt.

#[path = "apt_plan.rs"]
mod plan;
#[path = "apt_request.rs"]
mod request;

use std::time::Duration;

use self::request::{Request, State, Upgrade};
use self::plan::{NOTHING_DONE, Spec, Step, install_step, prepared, removes};
use super::utils::apt::{APT_ENVIRONMENT, policy, status};
use super::utils::exec::{environment_prefix, lines};
use super::utils::host::require_tools;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::{ExecOutput, shell_quote};
use crate::value::{Value, VarMap};

pub(super) struct Apt;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "state",
        "update_cache",
        "update_cache_retries",
        "update_cache_retry_max_delay",
        "cache_valid_time",
        "purge",
        "deb",
        "default_release",
        "install_recommends",
        "force",
        "upgrade",
        "dpkg_options",
        "autoremove",
        "autoclean",
        "fail_on_autoremove",
        "policy_rc_d",
        "only_upgrade",
        "force_apt_get",
        "clean",
        "allow_unauthenticated",
        "allow_downgrade",
        "allow_change_held_packages",
        "lock_timeout",
    ],
    aliases: &[
        ("package", "name"),
        ("pkg", "name"),
        ("update-cache", "update_cache"),
        ("default-release", "default_release"),
        ("install-recommends", "install_recommends"),
        ("allow-unauthenticated", "allow_unauthenticated"),
        ("allow-downgrade", "allow_downgrade"),
        ("allow_downgrades", "allow_downgrade"),
        ("allow-downgrades", "allow_downgrade"),
    ],
    free_form: FreeForm::KeyValue,
    paths: &["deb"],
    ..ArgSpec::EMPTY
};

const CACHE_STAMP: &str = "/var/lib/apt/periodic/update-success-stamp";
const LISTS_DIR: &str = "/var/lib/apt/lists";

impl Module for Apt {
    fn name(&self) -> &'static str {
        "apt"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let request = Request::read(args)?;
        require_tools(ctx, "apt", &["apt-get", "apt-cache", "dpkg-query"])?;
        let mut apt = AptRun { request, ctx };
        apt.run()
    }
}

/// One run of the module on one host.
struct AptRun<'r, 'c> {
    request: Request,
    ctx: &'r mut ModuleContext<'c>,
}

/// The cache's state after the `update_cache` step.
struct CacheState {
    updated: bool,
    time: i64,
}

impl AptRun<'_, '_> {
    fn run(&mut self) -> Result<Outcome, ModuleError> {
        let mut clean_output = None;
        if self.request.clean {
            let output = self.shell("apt-get clean")?;
            if output.rc != 0 || !output.stderr.is_empty() {
                return Err(ModuleError::failed(format!(
                    "apt-get clean failed: {}",
                    output.stderr_text().trim()
                )));
            }
            clean_output = Some(output);
        }
        let nothing_else = self.request.names.is_empty()
            && self.request.upgrade == Upgrade::No
            && self.request.deb.is_none();
        if let Some(output) = &clean_output
            && nothing_else
        {
            let stdout = output.stdout_text();
            return Ok(Outcome::changed()
                .with_msg(stdout.clone())
                .with("stdout", stdout)
                .with("stderr", output.stderr_text()));
        }
        let cache = self.refresh_cache()?;
        if (self.request.update_cache || self.request.cache_valid_time > 0) && nothing_else {
            let mut outcome = Outcome::ok();
            outcome.changed = cache.updated;
            return Ok(outcome
                .with("cache_updated", cache.updated)
                .with("cache_update_time", cache.time));
        }
        if self.request.upgrade != Upgrade::No {
            return self.upgrade(self.request.upgrade);
        }
        if let Some(deb) = self.request.deb.clone() {
            if self.request.state != State::Present {
                return Err(ModuleError::failed("deb only supports state=present"));
            }
            return self.install_deb(&deb);
        }
        let all_installed = self.request.names.iter().any(|n| n == "*");
        let names: Vec<String> = self
            .request
            .names
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| n != "*")
            .collect();
        if self.request.state == State::Latest && all_installed {
            if !names.is_empty() {
                return Err(ModuleError::failed(
                    "unable to install additional packages when upgrading all installed packages",
                ));
            }
            return self.upgrade(Upgrade::Safe);
        }
        let specs = names
            .iter()
            .map(|n| Spec::parse(n))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ModuleError::failed)?;
        if specs.is_empty() {
            if self.request.autoclean {
                return self.cleanup("autoclean", "Del ");
            }
            if self.request.autoremove {
                return self.cleanup("autoremove", "The following packages will be REMOVED");
            }
        }
        let specs = self.expand_patterns(specs)?;
        let mut outcome = match self.request.state {
            State::Absent => return self.remove(&specs),
            _ => self.install(&specs)?,
        };
        outcome.data.insert("cache_updated".into(), cache.updated.into());
        outcome.data.insert("cache_update_time".into(), cache.time.into());
        Ok(outcome)
    }

    /// Run `script` with apt's environment and the task's.
    fn shell(&mut self, script: &str) -> Result<ExecOutput, ModuleError> {
        let full = format!(
            "{}{APT_ENVIRONMENT}{script}",
            environment_prefix(self.ctx.environment)
        );
        Ok(self.ctx.connection()?.run(&full, None)?)
    }

    /// The apt-get command line every change uses.
    fn apt_get(&self) -> String {
        format!(
            "apt-get -o DPkg::Lock::Timeout={} -y {}",
            self.request.lock_timeout,
            self.request.dpkg_option_words()
        )
    }

    /// Run an apt-get command that changes packages: `--simulate` in check
    /// mode, inside a `policy-rc.d` when asked.
    fn change(&mut self, command: &str) -> Result<ExecOutput, ModuleError> {
        let command = if self.ctx.check_mode {
            format!("{command} --simulate")
        } else {
            command.to_string()
        };
        let script = match self.request.policy_rc_d {
            Some(code) if !self.ctx.check_mode => with_policy_rc_d(&command, code),
            _ => command,
        };
        self.shell(&script)
    }

    fn diff_of(&self, output: &str) -> Value {
        let mut diff = VarMap::new();
        if self.ctx.diff {
            diff.insert("prepared".into(), prepared(output).into());
        }
        crate::value::map_value(diff)
    }

    fn refresh_cache(&mut self) -> Result<CacheState, ModuleError> {
        let (mut time, precise, now) = self.cache_time()?;
        let mut updated = false;
        let asked = self.request.update_cache || self.request.cache_valid_time > 0;
        // Ansible compares the mtime with a sub-second clock, so without
        // cache_valid_time the cache is always stale.
        let stale = self.request.cache_valid_time == 0
            || time + (self.request.cache_valid_time as i64) < now;
        if asked && stale {
            if !self.ctx.check_mode {
                self.update_cache()?;
            }
            let (after, after_precise, _) = self.cache_time()?;
            updated = self.ctx.check_mode || after_precise != precise;
            time = after;
        }
        Ok(CacheState { updated, time })
    }

    /// The cache's mtime (Ansible's update-success-stamp, else the lists
    /// directory; 0 when neither exists) in whole seconds and to the
    /// nanosecond (so an update within the same second still counts), and
    /// the host's clock.
    fn cache_time(&mut self) -> Result<(i64, String, i64), ModuleError> {
        let script = format!(
            "stat -c %.9Y {CACHE_STAMP} 2>/dev/null || stat -c %.9Y {LISTS_DIR} 2>/dev/null || echo 0; date +%s"
        );
        let text = self.shell(&script)?.stdout_text();
        let mut lines = text.lines().map(str::trim);
        let precise = lines.next().unwrap_or("0").to_string();
        let seconds = precise
            .split('.')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let now = lines.next().and_then(|l| l.parse().ok()).unwrap_or(0);
        Ok((seconds, precise, now))
    }

    /// `apt-get update`, retried as Ansible retries a failed fetch.
    fn update_cache(&mut self) -> Result<(), ModuleError> {
        let command = format!(
            "apt-get -q -o DPkg::Lock::Timeout={} --error-on=any update",
            self.request.lock_timeout
        );
        let mut last_error = String::new();
        for retry in 0..self.request.update_cache_retries {
            let output = self.shell(&command)?;
            if output.rc == 0 {
                return Ok(());
            }
            last_error = output.stderr_text().trim().to_string();
            if retry + 1 < self.request.update_cache_retries {
                let delay = 2u64
                    .saturating_pow(retry)
                    .min(self.request.update_cache_retry_max_delay);
                std::thread::sleep(Duration::from_secs(delay));
            }
        }
        Err(ModuleError::failed(format!(
            "Failed to update apt cache after {} retries: {}",
            self.request.update_cache_retries,
            if last_error.is_empty() {
                "unknown reason"
            } else {
                &last_error
            }
        )))
    }

    fn upgrade(&mut self, mode: Upgrade) -> Result<Outcome, ModuleError> {
        let verb = match mode {
            Upgrade::Full | Upgrade::Dist => "dist-upgrade",
            _ => "upgrade --with-new-pkgs",
        };
        let mut command = self.apt_get();
        for (on, flag) in [
            (self.request.force, "--force-yes"),
            (self.request.fail_on_autoremove, "--no-remove"),
            (self.request.allow_unauthenticated, "--allow-unauthenticated"),
            (self.request.allow_downgrade, "--allow-downgrades"),
            (self.request.autoremove, "--auto-remove"),
        ] {
            if on {
                command.push(' ');
                command.push_str(flag);
            }
        }
        command.push(' ');
        command.push_str(verb);
        if let Some(release) = &self.request.default_release {
            command.push_str(&format!(" -t {}", shell_quote(release)));
        }
        let output = self.change(&command)?;
        let (stdout, stderr) = (output.stdout_text(), output.stderr_text());
        if output.rc != 0 {
            let mut outcome = Outcome::failed(format!("'apt-get {verb}' failed: {stderr}"));
            outcome.data.insert("stdout".into(), stdout.into());
            outcome.data.insert("rc".into(), output.rc.into());
            return Ok(outcome);
        }
        let mut outcome = Outcome::ok();
        outcome.changed = !stdout.contains(NOTHING_DONE);
        if outcome.changed {
            outcome.data.insert("diff".into(), self.diff_of(&stdout));
        }
        Ok(outcome
            .with_msg(stdout.clone())
            .with_output(&stdout, &stderr))
    }

    fn cleanup(&mut self, operation: &str, changed_marker: &str) -> Result<Outcome, ModuleError> {
        let mut command = self.apt_get();
        if self.request.purge {
            command.push_str(" --purge");
        }
        if self.request.force {
            command.push_str(" --force-yes");
        }
        command.push(' ');
        command.push_str(operation);
        let output = self.change(&command)?;
        let (stdout, stderr) = (output.stdout_text(), output.stderr_text());
        if output.rc != 0 {
            return Ok(failed_with(
                format!("'apt-get {operation}' failed: {stderr}"),
                &output,
            ));
        }
        let mut outcome = Outcome::ok();
        outcome.changed = stdout.contains(changed_marker);
        let diff = self.diff_of(&stdout);
        Ok(outcome
            .with_output(&stdout, &stderr)
            .with("diff", diff))
    }

    /// `*`, `?` and `[...]` in names match every package apt knows.
    fn expand_patterns(&mut self, specs: Vec<Spec>) -> Result<Vec<Spec>, ModuleError> {
        if !specs.iter().any(Spec::is_pattern) {
            return Ok(specs);
        }
        let known = self.shell("apt-cache pkgnames")?.stdout_text();
        let mut expanded = Vec::new();
        for spec in specs {
            if !spec.is_pattern() {
                expanded.push(spec);
                continue;
            }
            let multiarch = spec.name.contains(':');
            let matches: Vec<&str> = known
                .lines()
                .filter(|name| multiarch || !name.contains(':'))
                .filter(|name| plan::glob_matches(&spec.name, name))
                .collect();
            if matches.is_empty() {
                return Err(ModuleError::failed(format!(
                    "No package(s) matching '{}' available",
                    spec.name
                )));
            }
            for name in matches {
                expanded.push(Spec {
                    written: name.to_string(),
                    name: name.to_string(),
                    version: None,
                });
            }
        }
        Ok(expanded)
    }

    /// dpkg's and apt's view of `specs`, in one round trip.
    fn inspect(
        &mut self,
        specs: &[Spec],
        with_policy: bool,
    ) -> Result<(Vec<status::PackageStatus>, Vec<policy::Policy>), ModuleError> {
        let names: Vec<String> = specs.iter().map(|s| shell_quote(&s.name)).collect();
        let names = names.join(" ");
        let release = self
            .request
            .default_release
            .as_ref()
            .map(|r| format!("-t {} ", shell_quote(r)))
            .unwrap_or_default();
        let mut script = format!(
            "dpkg-query -W -f='{}' {names} 2>/dev/null\necho '--- policy'\n",
            status::QUERY_FORMAT
        );
        if with_policy {
            script.push_str(&format!("apt-cache {release}policy {names} 2>/dev/null\n"));
        }
        let text = self.shell(&script)?.stdout_text();
        let (dpkg, apt) = text.split_once("--- policy\n").unwrap_or((&text, ""));
        Ok((status::parse(dpkg), policy::parse(apt)))
    }

    fn install(&mut self, specs: &[Spec]) -> Result<Outcome, ModuleError> {
        let build_dep = self.request.state == State::BuildDep;
        let mut words = Vec::new();
        let mut names = Vec::new();
        if build_dep {
            words = specs.iter().map(|s| s.written.clone()).collect();
        } else if !specs.is_empty() {
            let (statuses, policies) = self.inspect(specs, true)?;
            for spec in specs {
                names.push(spec.name.clone());
                let status = statuses.iter().find(|s| s.name == spec.name);
                let policy = policies.iter().find(|p| p.name == spec.name);
                let latest = self.request.state == State::Latest;
                match install_step(spec, status, policy, latest, self.request.only_upgrade) {
                    Step::Nothing => {}
                    Step::Install(word) => words.push(word),
                    Step::NoCandidate => {
                        return Ok(Outcome::failed(format!(
                            "no available installation candidate for {}",
                            spec.written
                        )));
                    }
                    Step::Unknown => {
                        return Err(ModuleError::failed(format!(
                            "No package matching '{}' is available",
                            spec.name
                        )));
                    }
                }
            }
        }
        if words.is_empty() {
            return Ok(Outcome::ok());
        }
        let command = self.install_command(&words, build_dep);
        let output = self.change(&command)?;
        let (stdout, stderr) = (output.stdout_text(), output.stderr_text());
        if output.rc != 0 {
            return Ok(failed_with(
                format!("'{command}' failed: {stderr}"),
                &output,
            ));
        }
        if !build_dep && !self.ctx.check_mode {
            self.mark_manual(&names)?;
        }
        let mut outcome = Outcome::changed();
        if build_dep {
            outcome.changed = !stdout.contains(NOTHING_DONE);
        }
        let diff = self.diff_of(&stdout);
        Ok(outcome
            .with_output(&stdout, &stderr)
            .with("diff", diff))
    }

    fn install_command(&self, words: &[String], build_dep: bool) -> String {
        let request = &self.request;
        let mut command = self.apt_get();
        for (on, flag) in [
            (request.only_upgrade, "--only-upgrade"),
            (request.state == State::Fixed, "--fix-broken"),
            (request.force, "--force-yes"),
            (request.autoremove && !build_dep, "--auto-remove"),
            (request.fail_on_autoremove, "--no-remove"),
        ] {
            if on {
                command.push(' ');
                command.push_str(flag);
            }
        }
        command.push_str(if build_dep { " build-dep" } else { " install" });
        for word in words {
            command.push(' ');
            command.push_str(&shell_quote(word));
        }
        if let Some(release) = &request.default_release {
            command.push_str(&format!(" -t {}", shell_quote(release)));
        }
        match request.install_recommends {
            Some(false) => command.push_str(" -o APT::Install-Recommends=no"),
            Some(true) => command.push_str(" -o APT::Install-Recommends=yes"),
            None => {}
        }
        for (on, flag) in [
            (request.allow_unauthenticated, "--allow-unauthenticated"),
            (request.allow_downgrade, "--allow-downgrades"),
            (request.allow_change_held_packages, "--allow-change-held-packages"),
        ] {
            if on {
                command.push(' ');
                command.push_str(flag);
            }
        }
        command
    }

    /// What the task asked for is installed on purpose, not as a dependency.
    fn mark_manual(&mut self, names: &[String]) -> Result<(), ModuleError> {
        if names.is_empty() {
            return Ok(());
        }
        let quoted: Vec<String> = names.iter().map(|n| shell_quote(n)).collect();
        let command = format!(
            "command -v apt-mark >/dev/null 2>&1 || exit 0; apt-mark manual {}",
            quoted.join(" ")
        );
        let output = self.shell(&command)?;
        if output.rc != 0 {
            return Err(ModuleError::failed(format!(
                "'apt-mark manual {}' failed: {}",
                names.join(" "),
                output.stderr_text().trim()
            )));
        }
        Ok(())
    }

    fn remove(&mut self, specs: &[Spec]) -> Result<Outcome, ModuleError> {
        let (statuses, _) = if specs.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            self.inspect(specs, false)?
        };
        let words: Vec<String> = specs
            .iter()
            .filter(|spec| {
                let status = statuses.iter().find(|s| s.name == spec.name);
                removes(spec, status, self.request.purge)
            })
            .map(|spec| shell_quote(&spec.written))
            .collect();
        if words.is_empty() {
            return Ok(Outcome::ok());
        }
        let mut command = format!(
            "apt-get -q -o DPkg::Lock::Timeout={} -y {}",
            self.request.lock_timeout,
            self.request.dpkg_option_words()
        );
        for (on, flag) in [
            (self.request.purge, "--purge"),
            (self.request.force, "--force-yes"),
            (self.request.autoremove, "--auto-remove"),
            (self.request.allow_change_held_packages, "--allow-change-held-packages"),
        ] {
            if on {
                command.push(' ');
                command.push_str(flag);
            }
        }
        command.push_str(" remove ");
        command.push_str(&words.join(" "));
        let output = self.change(&command)?;
        let (stdout, stderr) = (output.stdout_text(), output.stderr_text());
        if output.rc != 0 {
            return Ok(failed_with(
                format!("'apt-get remove {}' failed: {stderr}", words.join(" ")),
                &output,
            ));
        }
        let diff = self.diff_of(&stdout);
        Ok(Outcome::changed()
            .with_output(&stdout, &stderr)
            .with("diff", diff))
    }

    /// `deb:` a package file on the host, or a URL the host downloads.
    /// apt-get installs the file with its dependencies (Ansible resolves
    /// them with python-apt and then runs `dpkg -i`).
    fn install_deb(&mut self, deb: &str) -> Result<Outcome, ModuleError> {
        let mut file = deb.to_string();
        let mut download_dir = None;
        if deb.contains("://") {
            let (path, dir) = self.download(deb)?;
            file = path;
            download_dir = Some(dir);
        }
        let result = self.install_deb_file(&file);
        if let Some(dir) = download_dir {
            self.shell(&format!("rm -rf {}", shell_quote(&dir)))?;
        }
        result
    }

    fn install_deb_file(&mut self, file: &str) -> Result<Outcome, ModuleError> {
        let quoted = shell_quote(file);
        let fields = self.shell(&format!(
            "dpkg-deb -f {quoted} Package Version || exit 1"
        ))?;
        if fields.rc != 0 {
            return Err(ModuleError::failed(format!(
                "Unable to install package: {}",
                fields.stderr_text().trim()
            )));
        }
        let text = fields.stdout_text();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let (name, version) = (field("Package"), field("Version"));
        let spec = Spec {
            written: name.clone(),
            name: name.clone(),
            version: None,
        };
        let (statuses, _) = self.inspect(std::slice::from_ref(&spec), false)?;
        let same = statuses
            .iter()
            .any(|s| s.name == name && s.installed && super::utils::apt::version::compare(&s.version, &version).is_eq());
        if same {
            return Ok(Outcome::ok().with("stdout", "").with("stderr", "").with("diff", ""));
        }
        // apt-get takes a file only when the word has a slash in it.
        let path = if file.contains('/') {
            file.to_string()
        } else {
            format!("./{file}")
        };
        let command = self.install_command(&[path], false);
        let output = self.change(&command)?;
        let (stdout, stderr) = (output.stdout_text(), output.stderr_text());
        if output.rc != 0 {
            return Ok(failed_with(format!("{command} failed"), &output));
        }
        let diff = self.diff_of(&stdout);
        Ok(Outcome::changed()
            .with_output(&stdout, &stderr)
            .with("diff", diff))
    }

    /// Fetch `url` into a fresh directory on the host with its curl or wget.
    fn download(&mut self, url: &str) -> Result<(String, String), ModuleError> {
        let base = url
            .rsplit('/')
            .next()
            .filter(|b| !b.is_empty())
            .unwrap_or("package.deb");
        let script = format!(
            "dir=$(mktemp -d) || exit 1\n\
             if command -v curl >/dev/null 2>&1; then curl -fsSL -o \"$dir\"/{base} {url} || exit 2\n\
             elif command -v wget >/dev/null 2>&1; then wget -q -O \"$dir\"/{base} {url} || exit 2\n\
             else rmdir \"$dir\"; exit 3; fi\necho \"$dir\"",
            base = shell_quote(base),
            url = shell_quote(url)
        );
        let output = self.ctx.connection()?.run(&script, None)?;
        match output.rc {
            0 => {
                let dir = output.stdout_text().trim().to_string();
                Ok((format!("{dir}/{base}"), dir))
            }
            3 => Err(ModuleError::failed(format!(
                "apt needs curl or wget on {} to download {url}, and neither is installed there",
                self.ctx.host
            ))),
            _ => Err(ModuleError::failed(format!(
                "Failure downloading {url}, {}",
                output.stderr_text().trim()
            ))),
        }
    }
}

fn failed_with(msg: String, output: &ExecOutput) -> Outcome {
    Outcome::failed(msg)
        .with_output(&output.stdout_text(), &output.stderr_text())
        .with("rc", output.rc)
}

/// `stdout`, `stderr` and their `_lines`, as Ansible adds them.
trait WithOutput {
    fn with_output(self, stdout: &str, stderr: &str) -> Self;
}

impl WithOutput for Outcome {
    fn with_output(self, stdout: &str, stderr: &str) -> Self {
        let (stdout, stderr): (std::sync::Arc<str>, std::sync::Arc<str>) = (stdout.into(), stderr.into());
        self.with("stdout", &*stdout)
            .with("stdout_lines", lines(&stdout))
            .with("stderr", &*stderr)
            .with("stderr_lines", lines(&stderr))
    }
}

/// `command` with `/usr/sbin/policy-rc.d` answering `code` to every
/// service start, the host's own policy-rc.d put back after.
fn with_policy_rc_d(command: &str, code: i64) -> String {
    format!(
        "prc=/usr/sbin/policy-rc.d; keep=\n\
         if [ -e \"$prc\" ]; then keep=$(mktemp -d) && mv \"$prc\" \"$keep\"/ || {{ echo \"Fail to move $prc\" >&2; exit 1; }}; fi\n\
         printf '#!/bin/sh\\nexit %d\\n' {code} > \"$prc\" && chmod 0755 \"$prc\" || {{ echo \"Failed to create or chmod $prc\" >&2; exit 1; }}\n\
         {command}\nrc=$?\n\
         if [ -n \"$keep\" ]; then mv \"$keep\"/policy-rc.d \"$prc\" && rmdir \"$keep\"; else rm -f \"$prc\"; fi\n\
         exit $rc"
    )
}
