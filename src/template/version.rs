//! Version comparison for the `version` test: Python's `LooseVersion` (the
//! default, as in Ansible), `StrictVersion` (`strict=true`) and semantic
//! versions (`version_type='semver'`). Ansible inherited LooseVersion's
//! quirks (`1.0-rc1` > `1.0`), and playbooks rely on them.

use std::cmp::Ordering;

/// One piece of a loose version: a number or a run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Number(u128),
    Text(String),
}

/// Python's `LooseVersion` parsing: runs of digits, runs of lowercase
/// letters, and runs of anything else, with the dots dropped.
fn loose_parts(version: &str) -> Vec<Part> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Digit,
        Lower,
        Dot,
        Other,
    }
    let class = |c: char| match c {
        '0'..='9' => Class::Digit,
        'a'..='z' => Class::Lower,
        '.' => Class::Dot,
        _ => Class::Other,
    };
    let mut parts = Vec::new();
    let mut chars = version.chars().peekable();
    while let Some(first) = chars.next() {
        let kind = class(first);
        if kind == Class::Dot {
            continue;
        }
        let mut run = first.to_string();
        while let Some(c) = chars.next_if(|&c| class(c) == kind) {
            run.push(c);
        }
        parts.push(match kind {
            Class::Digit => run.parse().map_or(Part::Text(run), Part::Number),
            _ => Part::Text(run),
        });
    }
    parts
}

/// Compare like Python 3 compares two `LooseVersion`s; a number against
/// text is a `TypeError` there, and an error here.
pub(super) fn compare_loose(a: &str, b: &str) -> Result<Ordering, String> {
    let (a, b) = (loose_parts(a), loose_parts(b));
    for (x, y) in a.iter().zip(&b) {
        let ordering = match (x, y) {
            (Part::Number(x), Part::Number(y)) => x.cmp(y),
            (Part::Text(x), Part::Text(y)) => x.cmp(y),
            (Part::Number(_), Part::Text(_)) => {
                return Err("'<' not supported between instances of 'int' and 'str'".into());
            }
            (Part::Text(_), Part::Number(_)) => {
                return Err("'<' not supported between instances of 'str' and 'int'".into());
            }
        };
        if ordering != Ordering::Equal {
            return Ok(ordering);
        }
    }
    Ok(a.len().cmp(&b.len()))
}

/// `StrictVersion`: `N.N[.N][(a|b)N]`; a pre-release sorts before the
/// release.
pub(super) fn compare_strict(a: &str, b: &str) -> Result<Ordering, String> {
    Ok(parse_strict(a)?.cmp(&parse_strict(b)?))
}

type StrictKey = ([u64; 3], (u8, u64));

fn parse_strict(version: &str) -> Result<StrictKey, String> {
    let invalid = || format!("invalid version number '{version}'");
    let split = version.find(['a', 'b']).unwrap_or(version.len());
    let (release, pre) = version.split_at(split);
    let numbers: Vec<u64> = release
        .split('.')
        .map(|n| {
            let digits = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
            digits.then(|| n.parse().ok()).flatten().ok_or_else(invalid)
        })
        .collect::<Result<_, _>>()?;
    if !(2..=3).contains(&numbers.len()) {
        return Err(invalid());
    }
    let pre = match pre.split_at_checked(1) {
        None | Some(("", _)) => (u8::MAX, 0),
        Some((letter, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (letter.as_bytes()[0], n.parse().map_err(|_| invalid())?)
        }
        Some(_) => return Err(invalid()),
    };
    Ok((
        [numbers[0], numbers[1], numbers.get(2).copied().unwrap_or(0)],
        pre,
    ))
}

/// Semantic versions (`MAJOR.MINOR.PATCH[-pre][+build]`), build metadata
/// ignored, pre-release identifiers compared by semver's rules.
pub(super) fn compare_semver(a: &str, b: &str) -> Result<Ordering, String> {
    let (a, b) = (parse_semver(a)?, parse_semver(b)?);
    Ok(a.0.cmp(&b.0).then_with(|| compare_prerelease(&a.1, &b.1)))
}

fn parse_semver(version: &str) -> Result<([u64; 3], Vec<String>), String> {
    let invalid = || format!("invalid semantic version '{version}'");
    let without_build = version.split('+').next().unwrap_or_default();
    let (core, pre) = without_build.split_once('-').unwrap_or((without_build, ""));
    let numbers: Vec<u64> = core
        .split('.')
        .map(|n| n.parse().map_err(|_| invalid()))
        .collect::<Result<_, _>>()?;
    let [major, minor, patch] = numbers[..] else {
        return Err(invalid());
    };
    let pre = if pre.is_empty() {
        Vec::new()
    } else {
        pre.split('.').map(str::to_string).collect()
    };
    Ok(([major, minor, patch], pre))
}

fn compare_prerelease(a: &[String], b: &[String]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    for (x, y) in a.iter().zip(b) {
        let ordering = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    a.len().cmp(&b.len())
}

/// The comparison operators the `version` test accepts.
pub(super) fn operator_holds(operator: &str, ordering: Ordering) -> Result<bool, String> {
    use Ordering::{Equal, Greater, Less};
    Ok(match operator {
        "==" | "=" | "eq" => ordering == Equal,
        "!=" | "<>" | "ne" => ordering != Equal,
        "<" | "lt" => ordering == Less,
        "<=" | "le" => ordering != Greater,
        ">" | "gt" => ordering == Greater,
        ">=" | "ge" => ordering != Less,
        other => {
            return Err(format!(
                "Invalid operator type ({other}). Must be one of '==', '=', 'eq', '<', 'lt', '<=', 'le', '>', 'gt', '>=', 'ge', '!=', '<>', 'ne'"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Greater, Less};

    use super::{compare_loose, compare_semver, compare_strict};

    #[test]
    fn loose_versions_compare_like_python() {
        let cases = [
            ("1.4.4", "1.4.4", Equal),
            ("1.10", "1.9", Greater),
            ("1.2", "1.2.0", Less),
            ("2.1.0-rc1", "2.1.0", Greater),
            ("12.04", "12.4", Equal),
            ("1.0a", "1.0b", Less),
            ("3.10.2", "3.2.10", Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(compare_loose(a, b), Ok(expected), "{a} vs {b}");
        }
        assert!(compare_loose("1.a", "1.1").is_err());
    }

    #[test]
    fn strict_versions_order_prereleases_first() {
        assert_eq!(compare_strict("1.0", "1.0.0"), Ok(Equal));
        assert_eq!(compare_strict("1.0a1", "1.0"), Ok(Less));
        assert_eq!(compare_strict("1.0b2", "1.0a3"), Ok(Greater));
        assert!(compare_strict("1.0-rc1", "1.0").is_err());
        assert!(compare_strict("1", "1.0").is_err());
    }

    #[test]
    fn semver_compares_prerelease_identifiers() {
        assert_eq!(compare_semver("1.0.0-alpha", "1.0.0"), Ok(Less));
        assert_eq!(compare_semver("1.0.0-alpha.2", "1.0.0-alpha.10"), Ok(Less));
        assert_eq!(compare_semver("1.0.0-beta", "1.0.0-alpha.1"), Ok(Greater));
        assert_eq!(compare_semver("2.0.0+build5", "2.0.0"), Ok(Equal));
        assert!(compare_semver("1.0", "1.0.0").is_err());
    }
}
