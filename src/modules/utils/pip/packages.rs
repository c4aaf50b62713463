//! What pip says: the installed packages (`pip list --format=freeze`) and
//! what an install would change (`pip install --dry-run --report -`).

use indexmap::IndexMap;

use super::requirement::normalize_name;

/// One distribution: its name as pip prints it and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    pub name: String,
    pub version: String,
}

/// Installed packages by PEP 503 normal name.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Installed(IndexMap<String, Package>);

impl Installed {
    /// Read `name==version` lines; anything else (`-e` lines, warnings) is skipped.
    pub(crate) fn from_freeze(text: &str) -> Self {
        let packages = text
            .lines()
            .filter_map(|line| {
                let (name, version) = line.trim().split_once("==")?;
                let (name, version) = (name.trim(), version.trim());
                (!name.is_empty() && !version.is_empty() && !name.starts_with('-')).then(|| {
                    (
                        normalize_name(name),
                        Package {
                            name: name.to_string(),
                            version: version.to_string(),
                        },
                    )
                })
            })
            .collect();
        Self(packages)
    }

    /// The installed version of `name` (any spelling).
    pub(crate) fn version(&self, name: &str) -> Option<&str> {
        self.0
            .get(&normalize_name(name))
            .map(|package| package.version.as_str())
    }
}

/// The packages a dry run would install, from pip's JSON report; `None`
/// when the text holds no report.
pub(crate) fn planned_installs(report: &str) -> Option<Vec<Package>> {
    let start = report.find('{')?;
    let json: serde_json::Value = serde_json::from_str(report[start..].trim_end()).ok()?;
    let installs = json.get("install")?.as_array()?;
    Some(
        installs
            .iter()
            .filter_map(|item| {
                let metadata = item.get("metadata")?;
                Some(Package {
                    name: metadata.get("name")?.as_str()?.to_string(),
                    version: metadata.get("version")?.as_str()?.to_string(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freeze_is_keyed_by_normal_name() {
        let installed = Installed::from_freeze(
            "pip==23.0.1\nRuamel.YAML==0.17.21\n-e git+https://x/y.git@abc#egg=y\nWARNING: odd\n",
        );
        assert_eq!(installed.version("ruamel-yaml"), Some("0.17.21"));
        assert_eq!(installed.version("PIP"), Some("23.0.1"));
        assert_eq!(installed.version("y"), None);
    }

    #[test]
    fn reads_the_dry_run_report() {
        let report = r#"{"version": "1", "install": [
            {"requested": true, "metadata": {"name": "rbdemo", "version": "1.1"}}
        ], "environment": {}}"#;
        assert_eq!(
            planned_installs(report),
            Some(vec![Package {
                name: "rbdemo".into(),
                version: "1.1".into()
            }])
        );
        assert_eq!(planned_installs(r#"{"install": []}"#), Some(vec![]));
        assert_eq!(planned_installs("ERROR: no such option: --dry-run"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_host_output(text in "\\PC{0,200}") {
            let _ = Installed::from_freeze(&text);
            let _ = planned_installs(&text);
        }
    }
}
