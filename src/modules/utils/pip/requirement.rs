//! Requirement strings (`Foo_Bar[extra]>=1.0,<2`) and whether an installed
//! version satisfies them. Anything richer (URLs, paths, `name @ url`,
//! environment markers) is not a [`Requirement`]: pip itself is asked.

use super::version::Version;

/// A package name and the versions it accepts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Requirement {
    /// The name as written (`Foo_Bar`).
    pub name: String,
    pub specifiers: Vec<Specifier>,
}

/// One clause: `>=1.0`, `==1.*`, `~=2.2`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Specifier {
    pub op: Op,
    /// The version text as written after the operator (`1.*` keeps its `*`).
    pub version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Equal,
    NotEqual,
    AtLeast,
    AtMost,
    Greater,
    Less,
    Compatible,
    Identical,
}

/// Longest first, so `>=` is not read as `>`.
const OPERATORS: &[(&str, Op)] = &[
    ("===", Op::Identical),
    ("==", Op::Equal),
    ("!=", Op::NotEqual),
    (">=", Op::AtLeast),
    ("<=", Op::AtMost),
    ("~=", Op::Compatible),
    (">", Op::Greater),
    ("<", Op::Less),
];

/// PEP 503's normal form: lowercase, runs of `-`, `_`, `.` become one `-`.
pub(crate) fn normalize_name(name: &str) -> String {
    let mut normal = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !normal.ends_with('-') {
                normal.push('-');
            }
        } else {
            normal.push(c.to_ascii_lowercase());
        }
    }
    normal
}

/// Whether `text` starts with a version operator (`>=1`, `<2`...).
pub(crate) fn starts_with_operator(text: &str) -> bool {
    OPERATORS
        .iter()
        .any(|(op, _)| text.trim_start().starts_with(op))
}

impl Requirement {
    /// Parse a plain requirement; `None` for anything pip must interpret
    /// itself (a URL, a path, markers, a malformed specifier).
    pub(crate) fn parse(text: &str) -> Option<Requirement> {
        let text = text.trim();
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(text.len());
        let name = &text[..name_end];
        if !valid_name(name) {
            return None;
        }
        let rest = skip_extras(text[name_end..].trim_start())?.trim();
        let rest = rest
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or(rest);
        let specifiers = if rest.trim().is_empty() {
            Vec::new()
        } else {
            rest.split(',')
                .map(Specifier::parse)
                .collect::<Option<Vec<_>>>()?
        };
        Some(Requirement {
            name: name.to_string(),
            specifiers,
        })
    }

    /// Whether the installed `version` satisfies every specifier. Installed
    /// pre-releases count, as Ansible's check does.
    pub(crate) fn satisfied_by(&self, version: &str) -> bool {
        self.specifiers.iter().all(|spec| spec.matches(version))
    }

    /// The specifiers as written (`>=1.0,<2`), for messages.
    pub(crate) fn specifier_text(&self) -> String {
        self.specifiers
            .iter()
            .map(Specifier::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn valid_name(name: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    alnum(name.chars().next()) && alnum(name.chars().last())
}

/// `[extra1,extra2]` after the name, if any; `None` when unclosed.
fn skip_extras(text: &str) -> Option<&str> {
    match text.strip_prefix('[') {
        Some(inner) => inner.find(']').map(|end| &inner[end + 1..]),
        None => Some(text),
    }
}

impl Specifier {
    fn parse(text: &str) -> Option<Specifier> {
        let text = text.trim();
        let (op_text, op) = OPERATORS.iter().find(|(op, _)| text.starts_with(op))?;
        let version = text[op_text.len()..].trim().to_string();
        let valid = match op {
            Op::Identical => !version.is_empty() && !version.contains(char::is_whitespace),
            Op::Equal | Op::NotEqual => {
                Version::parse(version.strip_suffix(".*").unwrap_or(&version)).is_some()
            }
            Op::Compatible => Version::parse(&version).is_some_and(|v| v.release().len() >= 2),
            _ => Version::parse(&version).is_some(),
        };
        valid.then_some(Specifier { op: *op, version })
    }

    /// Whether `installed` (a version as `pip freeze` prints it) matches.
    pub(crate) fn matches(&self, installed: &str) -> bool {
        if self.op == Op::Identical {
            return installed.eq_ignore_ascii_case(&self.version);
        }
        let Some(have) = Version::parse(installed) else {
            // Not PEP 440: only an exact textual pin can match it.
            return self.op == Op::Equal && installed == self.version;
        };
        match self.op {
            Op::Equal => self.equal(&have),
            Op::NotEqual => !self.equal(&have),
            Op::Compatible => self.compatible(&have),
            op => self.compare(op, &have),
        }
    }

    fn equal(&self, have: &Version) -> bool {
        if let Some(prefix) = self.version.strip_suffix(".*") {
            let Some(prefix) = Version::parse(prefix) else {
                return false;
            };
            let wanted = prefix.release();
            let mut release = have.release().to_vec();
            release.resize(release.len().max(wanted.len()), 0);
            return have.epoch() == prefix.epoch() && release[..wanted.len()] == *wanted;
        }
        let Some(want) = Version::parse(&self.version) else {
            return false;
        };
        if want.has_local() {
            *have == want
        } else {
            have.public() == want
        }
    }

    fn compatible(&self, have: &Version) -> bool {
        let Some(want) = Version::parse(&self.version) else {
            return false;
        };
        let release = want.release();
        let prefix: Vec<String> = release[..release.len() - 1]
            .iter()
            .map(u64::to_string)
            .collect();
        let prefix_spec = Specifier {
            op: Op::Equal,
            version: format!("{}.*", prefix.join(".")),
        };
        have.public() >= want && prefix_spec.equal(have)
    }

    fn compare(&self, op: Op, have: &Version) -> bool {
        let Some(want) = Version::parse(&self.version) else {
            return false;
        };
        let have = have.public();
        match op {
            Op::AtLeast => have >= want,
            Op::AtMost => have <= want,
            // `>1.7` does not admit 1.7.post1, `<1.7` does not admit 1.7rc1 (PEP 440).
            Op::Greater => {
                have > want
                    && !(have.is_postrelease()
                        && !want.is_postrelease()
                        && have.base() == want.base())
            }
            Op::Less => {
                have < want
                    && !(have.is_prerelease()
                        && !want.is_prerelease()
                        && have.base() == want.base())
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Specifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = OPERATORS
            .iter()
            .find(|(_, op)| *op == self.op)
            .map_or("", |(text, _)| text);
        write!(f, "{op}{}", self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn satisfied(requirement: &str, installed: &str) -> bool {
        Requirement::parse(requirement)
            .unwrap_or_else(|| panic!("{requirement} parses"))
            .satisfied_by(installed)
    }

    #[test]
    fn names_are_compared_in_normal_form() {
        assert_eq!(normalize_name("Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(normalize_name("ruamel.yaml"), normalize_name("Ruamel_YAML"));
    }

    #[test]
    fn reads_names_extras_and_specifiers() {
        let r = Requirement::parse("Requests[socks] >= 2.0, <3").expect("parses");
        assert_eq!(r.name, "Requests");
        assert_eq!(r.specifier_text(), ">=2.0,<3");
        assert_eq!(Requirement::parse("six").expect("bare").specifiers, vec![]);
        assert!(Requirement::parse("foo (==1.0)").is_some());
    }

    #[test]
    fn leaves_urls_paths_and_markers_to_pip() {
        for text in [
            "git+https://example.com/r.git#egg=r",
            "./pkg",
            "/tmp/x.whl",
            "foo @ https://x/y.whl",
            "foo>=1; python_version<'3'",
            "foo>=x.y",
            "foo~=1",
            "foo[bar",
            "-e .",
        ] {
            assert!(Requirement::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn specifiers_match_as_pip_does() {
        let cases = [
            ("foo==1.0", "1.0.0", true),
            ("foo==1.0", "1.0.1", false),
            ("foo==1.0", "1.0+local", true),
            ("foo==1.0+local", "1.0", false),
            ("foo==1.*", "1.4.2", true),
            ("foo==1.*", "2.0", false),
            ("foo!=1.0", "1.0", false),
            ("foo!=1.0", "1.1", true),
            ("foo>=1.0,<2", "1.9.9", true),
            ("foo>=1.0,<2", "2.0", false),
            ("foo<2", "2.0rc1", false),
            ("foo<2rc2", "2.0rc1", true),
            ("foo>1.7", "1.7.post1", false),
            ("foo>1.7", "1.7.1", true),
            ("foo<=1.7", "1.7", true),
            ("foo~=2.2", "2.9", true),
            ("foo~=2.2", "3.0", false),
            ("foo~=2.2", "2.1", false),
            ("foo~=1.4.5", "1.4.9", true),
            ("foo~=1.4.5", "1.5.0", false),
            ("foo===1.0-custom", "1.0-custom", true),
            ("foo", "whatever", true),
        ];
        for (requirement, installed, expected) in cases {
            assert_eq!(
                satisfied(requirement, installed),
                expected,
                "{requirement} vs {installed}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}", installed in "\\PC{0,12}") {
            if let Some(r) = Requirement::parse(&text) {
                let _ = r.satisfied_by(&installed);
            }
        }

        #[test]
        fn a_pin_matches_exactly_its_version(a in 0u64..50, b in 0u64..50, c in 0u64..50) {
            let pin = format!("pkg=={a}.{b}");
            let exact = format!("{a}.{b}");
            proptest::prop_assert!(satisfied(&pin, &exact));
            proptest::prop_assert_eq!(satisfied(&pin, &format!("{a}.{c}")), b == c);
            proptest::prop_assert_eq!(satisfied(&format!("pkg>={a}.{b}"), &format!("{a}.{c}")), c >= b);
        }
    }
}
