//! `package_facts`: the installed packages as `ansible_facts.packages`, a
//! map of name to a list of `{name, version, arch, category, source}` (one
//! per installed version), read with the host's `dpkg-query` (or `rpm -qa`
//! where that is the package manager).

use super::utils::exec::environment_prefix;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::{Value, map_from_pairs, map_value, to_var_map};

pub(super) struct PackageFacts;

static SPEC: ArgSpec = ArgSpec {
    names: &["manager", "strategy"],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

/// The managers `auto` tries, in Ansible's order of preference.
const MANAGERS: &[&str] = &["apt", "rpm"];

/// One installed package version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Installed {
    pub name: String,
    pub version: String,
    pub release: Option<String>,
    pub arch: String,
    pub category: Option<String>,
    pub source: &'static str,
}

impl Module for PackageFacts {
    fn name(&self) -> &'static str {
        "package_facts"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let mut managers: Vec<String> = args
            .str_list("manager")?
            .unwrap_or_else(|| vec!["auto".into()])
            .iter()
            .map(|m| m.to_lowercase())
            .collect();
        let strategy = args.str("strategy")?.unwrap_or_else(|| "first".into());
        if strategy != "first" && strategy != "all" {
            return Err(ModuleError::failed(format!(
                "value of strategy must be one of: first, all, got: {strategy}"
            )));
        }
        let auto = managers.iter().any(|m| m == "auto");
        if auto {
            managers.retain(|m| m != "auto");
            managers.extend(MANAGERS.iter().map(|m| (*m).to_string()));
        }
        let unsupported: Vec<&str> = managers
            .iter()
            .map(String::as_str)
            .filter(|m| !MANAGERS.contains(m))
            .collect();
        if !unsupported.is_empty() {
            return Err(ModuleError::failed(format!(
                "Unsupported package managers requested: {}",
                unsupported.join(", ")
            )));
        }
        let mut packages: indexmap::IndexMap<String, Vec<Value>> = indexmap::IndexMap::new();
        let mut found = 0;
        let mut seen = Vec::new();
        for manager in managers {
            if (strategy == "first" && found > 0) || seen.contains(&manager) {
                continue;
            }
            seen.push(manager.clone());
            let Some(listed) = list(&manager, ctx)? else {
                continue;
            };
            found += 1;
            for package in listed {
                packages
                    .entry(package.name.clone())
                    .or_default()
                    .push(package_value(&package));
            }
        }
        if found == 0 {
            return Err(ModuleError::failed(format!(
                "Could not detect a supported package manager from the following list: {seen:?}, or the required Python library is not installed. Check warnings for details."
            )));
        }
        let packages = map_from_pairs(packages.into_iter().map(|(name, list)| (name, Value::from(list))));
        let mut facts = ctx
            .vars
            .get_attr("ansible_facts")
            .ok()
            .map(|v| to_var_map(&v))
            .unwrap_or_default();
        facts.insert("packages".into(), packages.clone());
        let mut outcome = Outcome::ok().with(
            "ansible_facts",
            map_from_pairs([("packages", packages.clone())]),
        );
        outcome.facts.insert("ansible_facts".into(), map_value(facts));
        outcome.facts.insert("ansible_packages".into(), packages);
        Ok(outcome)
    }
}

fn package_value(package: &Installed) -> Value {
    let mut pairs = vec![
        ("name", Value::from(package.name.as_str())),
        ("version", Value::from(package.version.as_str())),
    ];
    if let Some(release) = &package.release {
        pairs.push(("release", Value::from(release.as_str())));
    }
    pairs.push(("arch", Value::from(package.arch.as_str())));
    if let Some(category) = &package.category {
        pairs.push(("category", Value::from(category.as_str())));
    }
    pairs.push(("source", Value::from(package.source)));
    map_from_pairs(pairs)
}

const DPKG_QUERY: &str = "command -v dpkg-query >/dev/null 2>&1 || exit 127\n\
    echo \"native=$(dpkg --print-architecture 2>/dev/null)\"\n\
    dpkg-query -W -f='${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\t${Section}\\n'";

const RPM_QUERY: &str = "command -v rpm >/dev/null 2>&1 || exit 127\n\
    rpm -qa --qf '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n'";

/// The packages `manager` lists on the host; `None` when the host lacks it.
fn list(manager: &str, ctx: &mut ModuleContext) -> Result<Option<Vec<Installed>>, ModuleError> {
    let query = if manager == "apt" { DPKG_QUERY } else { RPM_QUERY };
    let script = format!("{}LC_ALL=C; export LC_ALL\n{query}", environment_prefix(ctx.environment));
    let output = ctx.connection()?.run(&script, None)?;
    if output.rc == 127 {
        return Ok(None);
    }
    if output.rc != 0 {
        return Err(ModuleError::failed(format!(
            "Unable to list packages with {manager} on {} rc={}: {}",
            ctx.host,
            output.rc,
            output.stderr_text().trim()
        )));
    }
    let text = output.stdout_text();
    Ok(Some(if manager == "apt" {
        parse_dpkg(&text)
    } else {
        parse_rpm(&text)
    }))
}

/// `dpkg-query` lines of installed packages; foreign-architecture ones are
/// named `name:arch`, as python-apt names them.
pub(super) fn parse_dpkg(text: &str) -> Vec<Installed> {
    let native = text
        .lines()
        .find_map(|l| l.strip_prefix("native="))
        .unwrap_or_default()
        .trim()
        .to_string();
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [status, name, version, arch, section] = fields.as_slice() else {
                return None;
            };
            if status.as_bytes().get(1) != Some(&b'i') || name.is_empty() {
                return None;
            }
            let foreign = !arch.is_empty() && *arch != "all" && !native.is_empty() && *arch != native;
            Some(Installed {
                name: if foreign {
                    format!("{name}:{arch}")
                } else {
                    (*name).to_string()
                },
                version: (*version).to_string(),
                release: None,
                arch: (*arch).to_string(),
                category: Some((*section).to_string()),
                source: "apt",
            })
        })
        .collect()
}

/// `rpm -qa` lines: name, epoch (`(none)` when unset), version, release, arch.
pub(super) fn parse_rpm(text: &str) -> Vec<Installed> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [name, epoch, version, release, arch] = fields.as_slice() else {
                return None;
            };
            let version = if *epoch == "(none)" || epoch.is_empty() {
                (*version).to_string()
            } else {
                format!("{epoch}:{version}")
            };
            Some(Installed {
                name: (*name).to_string(),
                version,
                release: Some((*release).to_string()),
                arch: (*arch).to_string(),
                category: None,
                source: "rpm",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_installed_dpkg_packages_only() {
        let text = "native=amd64\nii \tbash\t5.2-1\tamd64\tshells\nrc \told\t1.0\tall\tmisc\nii \tlibc6\t2.36\ti386\tlibs\n";
        let names: Vec<(String, String)> = parse_dpkg(text)
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            names,
            [
                ("bash".to_string(), "5.2-1".to_string()),
                ("libc6:i386".to_string(), "2.36".to_string())
            ]
        );
    }

    #[test]
    fn reads_rpm_epochs() {
        let found = parse_rpm("bash\t(none)\t5.1\t2.el9\tx86_64\nopenssl\t1\t3.0\t1.el9\tx86_64\n");
        assert_eq!(found[0].version, "5.1");
        assert_eq!(found[1].version, "1:3.0");
        assert_eq!(found[1].release.as_deref(), Some("1.el9"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,300}") {
            let _ = parse_dpkg(&text);
            let _ = parse_rpm(&text);
        }
    }
}
