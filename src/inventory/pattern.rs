//! Host patterns, evaluated as Ansible's `InventoryManager` does.
//!
//! A pattern is a list separated by `,` (or by `:` when it has no comma and
//! is not one address like `db[1:3]` or `fe80::1`). Each item is a host or
//! group name, a shell wildcard (`web*`), a regex (`~(web|db).*`, matched
//! from the start of the name like Python's `re.match`), or `@file` (one
//! pattern per line). A `&` prefix intersects, `!` excludes; all unions are
//! applied first, then intersections, then exclusions, whatever the order
//! written, and a pattern of only `&`/`!` items starts from `all`.
//!
//! A name matches groups (all their hosts, including through children) and,
//! if no group matched or it has wildcard characters, hosts. A subscript
//! selects by position: `g[0]`, `g[-1]`, `g[1:3]` (both ends included),
//! `g[2:]`, `g[:3]`. `localhost`, `127.0.0.1` or `::1` match the implicit
//! localhost when the inventory does not name it.

use std::collections::HashSet;

use regex::Regex;

use super::Inventory;
use super::address::is_single_address;
use super::fnmatch::{has_wildcards, translate};
use super::graph::ALL;
use super::model::{LOCALHOST_NAMES, Selection};
use crate::source::Diagnostic;

/// Which hosts of a matched list a subscript keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subscript {
    Index(i64),
    /// Inclusive on both ends; `None` end runs to the last host.
    Slice(usize, Option<usize>),
}

/// Split a pattern into its items (Ansible's `split_host_pattern`).
pub fn split_pattern(pattern: &str) -> Vec<String> {
    let items: Vec<&str> = if pattern.contains(',') {
        pattern.split(',').collect()
    } else if is_single_address(pattern.trim()) {
        vec![pattern]
    } else {
        items(pattern)
    };
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// The matches of `(?:[^\s:\[\]]|\[[^\]]*\])+`, written out: compiling
/// that pattern's Unicode class cost more than a small run's inventory.
fn items(pattern: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(first) = pattern[at..].chars().next() {
        let start = at;
        while let Some(c) = pattern[at..].chars().next() {
            if c == '[' {
                match pattern[at + 1..].find(']') {
                    Some(close) => at += close + 2,
                    None => break,
                }
            } else if c.is_whitespace() || c == ':' || c == ']' {
                break;
            } else {
                at += c.len_utf8();
            }
        }
        if at > start {
            found.push(&pattern[start..at]);
        } else {
            at += first.len_utf8();
        }
    }
    found
}

/// Unions first, then intersections, then exclusions; `all` if no union.
fn order_items(items: Vec<String>) -> Vec<String> {
    let (mut unions, mut intersections, mut exclusions) = (Vec::new(), Vec::new(), Vec::new());
    for item in items {
        match item.chars().next() {
            Some('!') => exclusions.push(item),
            Some('&') => intersections.push(item),
            Some(_) => unions.push(item),
            None => {}
        }
    }
    if unions.is_empty() {
        unions.push(ALL.to_string());
    }
    unions
        .into_iter()
        .chain(intersections)
        .chain(exclusions)
        .collect()
}

impl Inventory {
    pub(crate) fn select_hosts(&self, pattern: &str) -> Result<Selection, Diagnostic> {
        let mut items = Vec::new();
        for item in split_pattern(pattern) {
            match item.strip_prefix('@') {
                Some(file) => items.extend(self.limit_file(file)?),
                None => items.push(item),
            }
        }
        let mut selection = Selection::default();
        let mut hosts: Vec<String> = Vec::new();
        for item in order_items(items) {
            if self.hosts.contains_key(&item) {
                hosts.push(item);
                continue;
            }
            let matched = self.match_item(&item, &mut selection.warnings)?;
            match item.chars().next() {
                Some('!') => {
                    let matched: HashSet<String> = matched.into_iter().collect();
                    hosts.retain(|h| !matched.contains(h));
                }
                Some('&') => {
                    let matched: HashSet<String> = matched.into_iter().collect();
                    hosts.retain(|h| matched.contains(h));
                }
                _ => hosts.extend(matched),
            }
        }
        let mut seen = HashSet::new();
        hosts.retain(|h| seen.insert(h.clone()));
        selection.hosts = hosts;
        Ok(selection)
    }

    /// `--limit @file`: one pattern per line, blank lines ignored.
    fn limit_file(&self, file: &str) -> Result<Vec<String>, Diagnostic> {
        let path = self.cwd.join(file);
        if path.is_dir() {
            return Err(Diagnostic::new(format!(
                "a limit starting with `@` must be a file, not a directory: {}",
                path.display()
            )));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::new(format!("cannot read limit file {}: {e}", path.display()))
        })?;
        Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// The hosts one item names, ignoring its `&`/`!` prefix.
    fn match_item(
        &self,
        item: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<String>, Diagnostic> {
        let bare = item.strip_prefix(['&', '!']).unwrap_or(item);
        let (expression, subscript) = split_subscript(bare)?;
        let hosts = self.enumerate(expression, warnings)?;
        apply_subscript(hosts, subscript).ok_or_else(|| {
            Diagnostic::new(format!("no hosts matched the subscripted pattern `{bare}`"))
        })
    }

    fn enumerate(
        &self,
        pattern: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<String>, Diagnostic> {
        let matcher = compile(pattern)?;
        let groups: Vec<&String> = self.groups.keys().filter(|g| matcher.is_match(g)).collect();
        let mut results: Vec<String> = groups
            .iter()
            .filter_map(|g| self.index.group_hosts.get(*g))
            .flatten()
            .cloned()
            .collect();
        if groups.is_empty() || pattern.starts_with('~') || has_wildcards(pattern) {
            results.extend(self.hosts.keys().filter(|h| matcher.is_match(h)).cloned());
        }
        if results.is_empty() && LOCALHOST_NAMES.contains(&pattern) {
            results.push(self.localhost_for(pattern));
        }
        if results.is_empty() && groups.is_empty() && pattern != ALL {
            warnings.push(pattern.to_string());
        }
        Ok(results)
    }

    /// The inventory's first localhost-like host stands in for the others,
    /// as in Ansible; otherwise the implicit localhost keeps the name used.
    fn localhost_for(&self, pattern: &str) -> String {
        self.hosts
            .keys()
            .find(|h| LOCALHOST_NAMES.contains(&h.as_str()))
            .cloned()
            .unwrap_or_else(|| pattern.to_string())
    }
}

fn compile(pattern: &str) -> Result<Regex, Diagnostic> {
    let source = match pattern.strip_prefix('~') {
        Some(regex) => format!("^(?:{regex})"),
        None => translate(pattern),
    };
    Regex::new(&source).map_err(|e| {
        Diagnostic::new(format!("invalid host pattern `{pattern}`"))
            .with_help(last_line(&e.to_string()))
    })
}

/// The regex crate puts the actual complaint on its last line.
fn last_line(text: &str) -> String {
    text.lines().last().unwrap_or(text).trim().to_string()
}

/// What a trailing subscript holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inside<'a> {
    /// `-?[0-9]+`
    Index(&'a str),
    /// `[0-9]*`, `:` or `-`, `[0-9]*`
    Slice(&'a str, &'a str),
}

/// `^(.+)\[(?:(-?[0-9]+)|([0-9]*)([:-])([0-9]*))\]$`: the expression and
/// its subscript. Only the last `[` can open it, as nothing inside may be `[`.
fn subscript(pattern: &str) -> Option<(&str, Inside<'_>)> {
    let open = pattern.strip_suffix(']')?;
    let (expression, inside) = open.rsplit_once('[')?;
    if expression.is_empty() || expression.contains('\n') {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = inside.strip_prefix('-').unwrap_or(inside);
    if !unsigned.is_empty() && digits(unsigned) {
        return Some((expression, Inside::Index(inside)));
    }
    let separator = inside.find(|c: char| !c.is_ascii_digit())?;
    let (start, rest) = inside.split_at(separator);
    let end = rest.strip_prefix([':', '-'])?;
    digits(end).then_some((expression, Inside::Slice(start, end)))
}

fn split_subscript(pattern: &str) -> Result<(&str, Option<Subscript>), Diagnostic> {
    if pattern.starts_with('~') {
        return Ok((pattern, None));
    }
    let Some((expression, inside)) = subscript(pattern) else {
        return Ok((pattern, None));
    };
    let invalid = || Diagnostic::new(format!("invalid subscript in host pattern `{pattern}`"));
    let (start, end) = match inside {
        Inside::Index(index) => {
            let index = index.parse().map_err(|_| invalid())?;
            return Ok((expression, Some(Subscript::Index(index))));
        }
        Inside::Slice(start, end) => (
            Some(start).filter(|s| !s.is_empty()),
            Some(end).filter(|s| !s.is_empty()),
        ),
    };
    if start.is_none() && end.is_none() {
        return Err(invalid().with_help("give a start, an end or both, e.g. `[0:2]`"));
    }
    let parse = |n: Option<&str>| {
        n.map(str::parse::<usize>)
            .transpose()
            .map_err(|_| invalid())
    };
    Ok((
        expression,
        Some(Subscript::Slice(parse(start)?.unwrap_or(0), parse(end)?)),
    ))
}

/// `None` when a single index is out of range (Ansible's error); slices
/// past the end are just shorter.
fn apply_subscript(hosts: Vec<String>, subscript: Option<Subscript>) -> Option<Vec<String>> {
    let Some(subscript) = subscript else {
        return Some(hosts);
    };
    if hosts.is_empty() {
        return Some(hosts);
    }
    match subscript {
        Subscript::Index(index) => {
            let len = i64::try_from(hosts.len()).ok()?;
            let position = if index < 0 { len + index } else { index };
            let position = usize::try_from(position).ok()?;
            hosts.get(position).map(|h| vec![h.clone()])
        }
        Subscript::Slice(start, end) => {
            let last = end.unwrap_or(usize::MAX).min(hosts.len() - 1);
            if start > last {
                return Some(Vec::new());
            }
            Some(hosts[start..=last].to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FRAGMENTS: &[&str] = &[
        "web", "[0]", "[-1]", "[1:3]", "[2:]", "[:3]", "[-]", "[1-2]", "[", "]", ":", "-", "1",
        " ", "\n", "é", "\u{2000}", "!", "&", "~", "[a b]",
    ];

    // The patterns these functions replace, as the oracle.
    proptest! {
        #[test]
        fn agrees_with_the_regular_expressions(
            text in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..6)
                .prop_map(|parts| parts.concat())
        ) {
            let item = Regex::new(r"(?:[^\s:\[\]]|\[[^\]]*\])+").expect("regex");
            let expected: Vec<&str> = item.find_iter(&text).map(|m| m.as_str()).collect();
            prop_assert_eq!(items(&text), expected);
            let subscript_re =
                Regex::new(r"^(.+)\[(?:(-?[0-9]+)|([0-9]*)([:-])([0-9]*))\]$").expect("regex");
            let expected = subscript_re.captures(&text).map(|c| {
                let group = |i: usize| c.get(i).map(|m| m.as_str());
                let inside = match group(2) {
                    Some(index) => Inside::Index(index),
                    None => Inside::Slice(group(3).unwrap_or(""), group(5).unwrap_or("")),
                };
                (group(1).unwrap_or(""), inside)
            });
            prop_assert_eq!(subscript(&text), expected);
        }
    }

    #[test]
    fn splitting_follows_ansible() {
        assert_eq!(
            split_pattern("a,b[1], c[2:3] , d"),
            ["a", "b[1]", "c[2:3]", "d"]
        );
        assert_eq!(
            split_pattern("webservers:dbservers:&staging:!phoenix"),
            ["webservers", "dbservers", "&staging", "!phoenix"]
        );
        assert_eq!(split_pattern("db[1:3]"), ["db[1:3]"]);
        assert_eq!(
            split_pattern("webservers[0:2]:db"),
            ["webservers[0:2]", "db"]
        );
        assert_eq!(split_pattern("fe80::1"), ["fe80::1"]);
    }

    #[test]
    fn ordering_is_unions_intersections_exclusions() {
        let items = split_pattern("!d:a:!e:&c:b");
        assert_eq!(order_items(items), ["a", "b", "&c", "!d", "!e"]);
        assert_eq!(order_items(split_pattern("!web1")), ["all", "!web1"]);
    }
}
