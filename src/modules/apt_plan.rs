//! What `apt` asks apt-get to do, decided from what dpkg and apt-cache
//! report, as Ansible's apt module decides it: a package spec is `name`,
//! `name=1.2*` (a glob over versions) or `name>=1.2`.

use globset::Glob;

use crate::modules::utils::apt::policy::Policy;
use crate::modules::utils::apt::status::PackageStatus;
use crate::modules::utils::apt::version;

/// One `name`, `name=version` or `name>=version` from the arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spec {
    pub written: String,
    pub name: String,
    pub version: Option<(Relation, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    /// `=`: the version is a glob (`1.2*`).
    Matches,
    AtLeast,
}

impl Spec {
    pub(super) fn parse(written: &str) -> Result<Self, String> {
        let written = written.trim();
        if written.matches('=').count() > 1 {
            return Err(format!("invalid package spec: {written}"));
        }
        let (name, version) = match written.split_once(">=") {
            Some((name, version)) => (name, Some((Relation::AtLeast, version))),
            None => match written.split_once('=') {
                Some((name, version)) => (name, Some((Relation::Matches, version))),
                None => (written, None),
            },
        };
        Ok(Self {
            written: written.to_string(),
            name: name.to_string(),
            version: version.map(|(relation, v)| (relation, v.to_string())),
        })
    }

    /// Whether the package name is a glob to expand over every known name.
    pub(super) fn is_pattern(&self) -> bool {
        self.name.contains(['*', '?', '[', ']', '!'])
    }

    fn accepts(&self, candidate: &str) -> bool {
        match &self.version {
            None => true,
            Some((Relation::Matches, pattern)) => glob_matches(pattern, candidate),
            Some((Relation::AtLeast, minimum)) => {
                version::compare(candidate, minimum) != std::cmp::Ordering::Less
            }
        }
    }
}

/// Python's `fnmatch.fnmatch` for version and name globs.
pub(super) fn glob_matches(pattern: &str, text: &str) -> bool {
    Glob::new(pattern)
        .map(|glob| glob.compile_matcher().is_match(text))
        .unwrap_or(pattern == text)
}

/// What one spec needs, given what the host has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// Already as wanted (or `only_upgrade` and not installed).
    Nothing,
    /// Install this argument of `apt-get install` (`name=2.0`, `name`).
    Install(String),
    /// No version apt could install satisfies the spec.
    NoCandidate,
    /// apt knows no package of this name.
    Unknown,
}

/// What `state: present|latest|fixed` needs for `spec` (Ansible's
/// `package_status` and `install`).
pub(super) fn install_step(
    spec: &Spec,
    status: Option<&PackageStatus>,
    policy: Option<&Policy>,
    latest: bool,
    only_upgrade: bool,
) -> Step {
    let installed = status.filter(|s| s.installed);
    if installed.is_none() && only_upgrade {
        return Step::Nothing;
    }
    let Some(policy) = policy else {
        return if installed.is_some() {
            Step::Nothing
        } else {
            Step::Unknown
        };
    };
    // A virtual package: apt chooses what provides it.
    if policy.candidate.is_none() && policy.versions.is_empty() && installed.is_none() {
        return Step::Install(spec.written.clone());
    }
    let best = best_match(spec, policy);
    let wanted_is_installed = installed.is_some_and(|s| spec.accepts(&s.version));
    let installable = match installed {
        Some(s) => best.filter(|b| *b != s.version && spec.accepts(b)),
        None => best,
    };
    match (installable, installed) {
        (None, _) if !wanted_is_installed => Step::NoCandidate,
        (Some(version), None) => Step::Install(format!("{}={version}", spec.name)),
        (Some(version), Some(_)) if latest || !wanted_is_installed => {
            Step::Install(format!("{}={version}", spec.name))
        }
        (Some(_), Some(_)) if matches!(spec.version, Some((Relation::Matches, _))) => {
            Step::Install(spec.written.clone())
        }
        _ => Step::Nothing,
    }
}

/// The version apt would pick: for `=glob` the first (highest) version of
/// the table matching it, as a version pin above every other makes it;
/// otherwise the candidate.
fn best_match<'p>(spec: &Spec, policy: &'p Policy) -> Option<&'p str> {
    match &spec.version {
        Some((Relation::Matches, pattern)) => policy
            .versions
            .iter()
            .map(String::as_str)
            .find(|v| glob_matches(pattern, v)),
        _ => policy.candidate.as_deref(),
    }
}

/// Whether `state: absent` removes `spec` (or, with `purge`, its leftover
/// configuration files).
pub(super) fn removes(spec: &Spec, status: Option<&PackageStatus>, purge: bool) -> bool {
    status.is_some_and(|s| (s.installed && spec.accepts(&s.version)) || (purge && s.config_files))
}

/// Ansible's `parse_diff`: apt-get's plan, from after "Reading state
/// information..." to the "N upgraded" line.
pub(super) fn prepared(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "Reading state information...")
        .map_or(0, |i| i + 1);
    let end = lines
        .iter()
        .position(|l| upgraded_line(l))
        .map_or(lines.len(), |i| i + 1);
    if start >= end {
        return String::new();
    }
    lines[start..end].join("\n")
}

fn upgraded_line(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0
        && (line[digits..].starts_with(" upgraded") || line[digits..].starts_with(" packages upgraded"))
}

/// apt-get's summary when it did nothing.
pub(super) const NOTHING_DONE: &str = "\n0 upgraded, 0 newly installed, 0 to remove";

#[cfg(test)]
mod tests {
    use super::*;

    fn status(version: &str) -> PackageStatus {
        PackageStatus {
            name: "app".into(),
            installed: true,
            config_files: false,
            version: version.into(),
        }
    }

    fn policy(candidate: &str, versions: &[&str]) -> Policy {
        Policy {
            name: "app".into(),
            candidate: Some(candidate.into()),
            versions: versions.iter().map(|v| (*v).to_string()).collect(),
        }
    }

    fn step(spec: &str, installed: Option<&str>, latest: bool) -> Step {
        let spec = Spec::parse(spec).expect("spec");
        let status = installed.map(status);
        let policy = policy("2.0", &["2.0", "1.1", "1.0"]);
        install_step(&spec, status.as_ref(), Some(&policy), latest, false)
    }

    #[test]
    fn present_installs_the_candidate_only_when_missing() {
        assert_eq!(step("app", None, false), Step::Install("app=2.0".into()));
        assert_eq!(step("app", Some("1.0"), false), Step::Nothing);
        assert_eq!(step("app", Some("1.0"), true), Step::Install("app=2.0".into()));
        assert_eq!(step("app", Some("2.0"), true), Step::Nothing);
    }

    #[test]
    fn version_globs_pick_the_highest_match() {
        assert_eq!(step("app=1*", None, false), Step::Install("app=1.1".into()));
        assert_eq!(step("app=1.0", Some("2.0"), false), Step::Install("app=1.0".into()));
        assert_eq!(step("app=2.0", Some("2.0"), false), Step::Nothing);
        assert_eq!(step("app=3*", None, false), Step::NoCandidate);
        assert_eq!(step("app>=1.1", Some("1.0"), false), Step::Install("app=2.0".into()));
        assert_eq!(step("app>=1.0", Some("1.0"), false), Step::Nothing);
    }

    #[test]
    fn unknown_names_and_only_upgrade() {
        let spec = Spec::parse("nope").expect("spec");
        assert_eq!(install_step(&spec, None, None, false, false), Step::Unknown);
        assert_eq!(install_step(&spec, None, None, false, true), Step::Nothing);
        assert!(Spec::parse("a=1=2").is_err());
    }

    #[test]
    fn absent_removes_installed_or_purges_leftovers() {
        let spec = Spec::parse("app").expect("spec");
        assert!(removes(&spec, Some(&status("1.0")), false));
        let leftover = PackageStatus {
            installed: false,
            config_files: true,
            ..status("1.0")
        };
        assert!(!removes(&spec, Some(&leftover), false));
        assert!(removes(&spec, Some(&leftover), true));
        assert!(!removes(&Spec::parse("app=2*").expect("spec"), Some(&status("1.0")), false));
    }

    #[test]
    fn prepared_keeps_apt_gets_plan() {
        let output = "Reading package lists...\nBuilding dependency tree...\nReading state information...\nThe following NEW packages will be installed:\n  app\n1 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\nInst app (2.0)\n";
        assert_eq!(
            prepared(output),
            "The following NEW packages will be installed:\n  app\n1 upgraded, 1 newly installed, 0 to remove and 0 not upgraded."
        );
    }

    proptest::proptest! {
        #[test]
        fn specs_and_outputs_never_panic(spec in "\\PC{0,40}", output in "\\PC{0,200}") {
            if let Ok(spec) = Spec::parse(&spec) {
                let _ = spec.accepts("1.0");
            }
            let _ = prepared(&output);
        }
    }
}
