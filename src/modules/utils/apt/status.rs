//! `dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\t${Version}\n'`:
//! which packages are installed, at which version, and which have only
//! their configuration files left.

/// The format string that [`parse`] reads.
pub(crate) const QUERY_FORMAT: &str = "${Package}\\t${db:Status-Abbrev}\\t${Version}\\n";

/// One package as dpkg knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackageStatus {
    pub name: String,
    /// dpkg's current state is "installed" (`ii`, `hi`).
    pub installed: bool,
    /// Removed but its configuration files are left (`rc`): a purge would change it.
    pub config_files: bool,
    pub version: String,
}

/// Every well-formed line of the query's output; others are skipped.
pub(crate) fn parse(text: &str) -> Vec<PackageStatus> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let name = fields.next()?.trim();
            let abbrev = fields.next()?.as_bytes();
            let version = fields.next().unwrap_or_default().trim();
            let current = *abbrev.get(1)?;
            (!name.is_empty()).then(|| PackageStatus {
                name: name.to_string(),
                installed: current == b'i',
                config_files: current == b'c',
                version: version.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_installed_removed_and_half_states() {
        let found =
            parse("app\tii \t1.0\nold\trc \t0.9\nnew\tun \t\nheld\thi \t2:3.1-1\ngarbage\n");
        let summary: Vec<(&str, bool, bool, &str)> = found
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.installed,
                    p.config_files,
                    p.version.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("app", true, false, "1.0"),
                ("old", false, true, "0.9"),
                ("new", false, false, ""),
                ("held", true, false, "2:3.1-1"),
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text);
        }
    }
}
