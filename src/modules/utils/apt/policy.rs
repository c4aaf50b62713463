//! `apt-cache policy NAME...`: each package's candidate and the versions
//! its sources offer, in apt's preference order.

/// What apt could install of one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Policy {
    pub name: String,
    /// `Candidate:`; `None` for `(none)` (a virtual package, or no source).
    pub candidate: Option<String>,
    /// The version table, highest first as apt lists it.
    pub versions: Vec<String>,
}

/// Every package block of the output. A name apt does not know at all has
/// no block.
pub(crate) fn parse(text: &str) -> Vec<Policy> {
    let mut found: Vec<Policy> = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') {
            if let Some(name) = line.strip_suffix(':')
                && !name.is_empty()
            {
                found.push(Policy {
                    name: name.to_string(),
                    ..Policy::default()
                });
            }
            continue;
        }
        let Some(current) = found.last_mut() else {
            continue;
        };
        if let Some(candidate) = line.trim().strip_prefix("Candidate:") {
            let candidate = candidate.trim();
            current.candidate =
                (candidate != "(none)" && !candidate.is_empty()).then(|| candidate.to_string());
        } else if let Some(entry) = version_entry(line) {
            current.versions.push(entry.to_string());
        }
    }
    found
}

/// `     2.0 500` or ` *** 1.0 500` (the installed one); source lines below
/// them are indented further.
fn version_entry(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix(" *** ")
        .or_else(|| line.strip_prefix("     "))?;
    if rest.starts_with(' ') {
        return None;
    }
    let mut words = rest.split_whitespace();
    let version = words.next()?;
    let priority = words.next()?;
    (priority.parse::<i64>().is_ok() && words.next().is_none()).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "rbtest-app:
  Installed: 1.0
  Candidate: 2.0
  Version table:
     2.0 500
        500 file:/tmp/repo ./ Packages
 *** 1.0 500
        500 file:/tmp/repo ./ Packages
        100 /var/lib/dpkg/status
virtual:
  Installed: (none)
  Candidate: (none)
  Version table:
";

    #[test]
    fn reads_candidates_and_version_tables() {
        assert_eq!(
            parse(OUTPUT),
            [
                Policy {
                    name: "rbtest-app".into(),
                    candidate: Some("2.0".into()),
                    versions: vec!["2.0".into(), "1.0".into()],
                },
                Policy {
                    name: "virtual".into(),
                    candidate: None,
                    versions: vec![],
                },
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "[a-z0-9:* .()\n]{0,300}") {
            let _ = parse(&text);
        }
    }
}
