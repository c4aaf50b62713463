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
use std::sync::LazyLock;

use regex::Regex;

use super::Inventory;
use super::address::is_single_address;
use super::fnmatch::{has_wildcards, translate};
use super::graph::ALL;
use super::model::{LOCALHOST_NAMES, Selection};
use crate::source::Diagnostic;

static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[^\s:\[\]]|\[[^\]]*\])+")
        .unwrap_or_else(|e| unreachable!("invalid built-in regex: {e}"))
});
static SUBSCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.+)\[(?:(-?[0-9]+)|([0-9]*)([:-])([0-9]*))\]$")
        .unwrap_or_else(|e| unreachable!("invalid built-in regex: {e}"))
});

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
        ITEM.find_iter(pattern).map(|m| m.as_str()).collect()
    };
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
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

fn split_subscript(pattern: &str) -> Result<(&str, Option<Subscript>), Diagnostic> {
    if pattern.starts_with('~') {
        return Ok((pattern, None));
    }
    let Some(captures) = SUBSCRIPT.captures(pattern) else {
        return Ok((pattern, None));
    };
    let expression = captures.get(1).map_or(pattern, |m| m.as_str());
    let number = |i: usize| {
        captures
            .get(i)
            .map(|m| m.as_str())
            .filter(|s| !s.is_empty())
    };
    let invalid = || Diagnostic::new(format!("invalid subscript in host pattern `{pattern}`"));
    if let Some(index) = number(2) {
        return Ok((
            expression,
            Some(Subscript::Index(index.parse().map_err(|_| invalid())?)),
        ));
    }
    let (start, end) = (number(3), number(5));
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
