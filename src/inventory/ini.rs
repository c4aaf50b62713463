//! Ansible's INI inventory format, read as its `ini` inventory plugin does.
//!
//! ```ini
//! mail.example.com          # before any section: group `ungrouped`
//!
//! [webservers]
//! web[01:20].example.com ansible_user=deploy http_port=8080
//! 192.0.2.50:2222            # `host:port` sets ansible_port
//!
//! [webservers:vars]          # one `key = value` per line
//! ntp_server = ntp.example.com
//!
//! [prod:children]            # groups; each must be declared somewhere
//! webservers
//! ```
//!
//! Values, inline or in `:vars`, go through `literal::parse_value` (Python
//! literals, else the text), which is what Ansible does in both places even
//! though its docs describe `:vars` values as always strings. Lines starting
//! with `#` or `;` are comments; on host lines `#` starts a comment anywhere
//! outside quotes.

use std::sync::Arc;

use indexmap::IndexMap;

use super::Inventory;
use super::address::{is_word, split_port};
use super::graph::UNGROUPED;
use super::literal::parse_value;
use super::range::{expand, has_range};
use super::shlex::split;
use crate::source::{Diagnostic, SourceFile, Span};

/// `^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$`: a section's group and kind.
/// Written out because compiling the pattern's Unicode classes cost more
/// than reading a small inventory.
fn section_header(text: &str) -> Option<(&str, Option<&str>)> {
    let (name, rest) = group_name_prefix(text.strip_prefix('[')?)?;
    let (kind, rest) = match rest.strip_prefix(':') {
        Some(after) => {
            let len = after.find(|c| !is_word(c)).unwrap_or(after.len());
            if len == 0 {
                return None;
            }
            (Some(&after[..len]), &after[len..])
        }
        None => (None, rest),
    };
    only_a_comment(rest.strip_prefix(']')?).then_some((name, kind))
}

/// `^([^:\]\s]+)\s*(?:#.*)?$`: a line of `[group:children]`. The name
/// gives back a tail that starts a comment (`web#x` is `web`), as the
/// pattern's backtracking does.
fn child_group_name(text: &str) -> Option<&str> {
    let (name, rest) = group_name_prefix(text)?;
    if only_a_comment(rest) {
        return Some(name);
    }
    let first = name.chars().next()?.len_utf8();
    let shorter = name[first..].rfind('#')? + first;
    (!rest.contains('\n')).then(|| &name[..shorter])
}

/// `[^:\]\s]+` at the start of `text`, and what follows it.
fn group_name_prefix(text: &str) -> Option<(&str, &str)> {
    let len = text
        .find(|c: char| c == ':' || c == ']' || c.is_whitespace())
        .unwrap_or(text.len());
    (len > 0).then(|| text.split_at(len))
}

/// `\s*(?:#.*)?$`
fn only_a_comment(rest: &str) -> bool {
    let rest = rest.trim_start();
    rest.is_empty() || (rest.starts_with('#') && !rest.contains('\n'))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Hosts,
    Vars,
    Children,
}

/// A group named before it was declared: `[g:vars]` without `[g]`, or a
/// child in `[p:children]` that no section declares (yet).
struct Pending {
    state: State,
    span: Span,
    parents: Vec<String>,
}

/// One non-blank, non-comment line: its text without surrounding
/// whitespace and where that text starts.
struct Line<'a> {
    text: &'a str,
    number: usize,
    indent: usize,
}

struct IniParser<'a> {
    inventory: &'a mut Inventory,
    file: Arc<SourceFile>,
    group: String,
    state: State,
    pending: IndexMap<String, Pending>,
}

/// Read the INI inventory held in `file` into `inventory`.
pub(super) fn parse(inventory: &mut Inventory, file: Arc<SourceFile>) -> Result<(), Diagnostic> {
    let mut parser = IniParser {
        inventory,
        file: file.clone(),
        group: UNGROUPED.to_string(),
        state: State::Hosts,
        pending: IndexMap::new(),
    };
    for (index, raw) in file.text.lines().enumerate() {
        let text = raw.trim();
        if text.is_empty() || text.starts_with(['#', ';']) {
            continue;
        }
        let indent = raw.chars().take_while(|c| c.is_whitespace()).count();
        parser.line(&Line {
            text,
            number: index + 1,
            indent,
        })?;
    }
    parser.finish()
}

impl IniParser<'_> {
    fn span(&self, line: &Line, offset: usize, len: usize) -> Span {
        Span::new(
            self.file.clone(),
            line.number,
            line.indent + offset + 1,
            len,
        )
    }

    fn whole(&self, line: &Line) -> Span {
        self.span(line, 0, line.text.chars().count())
    }

    fn line(&mut self, line: &Line) -> Result<(), Diagnostic> {
        if let Some((name, kind)) = section_header(line.text) {
            return self.section(line, name, kind);
        }
        if line.text.starts_with('[') && line.text.ends_with(']') {
            return Err(Diagnostic::at(
                format!("invalid section header `{}`", line.text),
                &self.whole(line),
            )
            .with_help(
                "a section is `[group]`, `[group:vars]` or `[group:children]`, without spaces",
            ));
        }
        match self.state {
            State::Hosts => self.hosts_line(line),
            State::Vars => self.vars_line(line),
            State::Children => self.children_line(line),
        }
    }

    fn section(&mut self, line: &Line, name: &str, kind: Option<&str>) -> Result<(), Diagnostic> {
        let state = match kind {
            None | Some("hosts") => State::Hosts,
            Some("vars") => State::Vars,
            Some("children") => State::Children,
            Some(other) => {
                let column = line.text.find(':').map_or(0, |c| c + 1);
                return Err(Diagnostic::at(
                    format!("section [{name}:{other}] has unknown type `{other}`"),
                    &self.span(line, column, other.chars().count()),
                )
                .suggesting(other, ["vars", "children"]));
            }
        };
        if !self.inventory.groups.contains_key(name) {
            // `[g:vars]` alone does not declare `g`; `[g]` or `[g:children]` must.
            if state == State::Vars && !self.pending.contains_key(name) {
                let pending = Pending {
                    state,
                    span: self.span(line, 1, name.chars().count()),
                    parents: Vec::new(),
                };
                self.pending.insert(name.to_string(), pending);
            }
            self.inventory.add_group(name);
        }
        if state != State::Vars {
            match self.pending.get(name).map(|p| p.state) {
                Some(State::Children) => self.add_pending_children(name)?,
                Some(State::Vars) => {
                    self.pending.shift_remove(name);
                }
                _ => {}
            }
        }
        self.group = name.to_string();
        self.state = state;
        Ok(())
    }

    fn add_pending_children(&mut self, child: &str) -> Result<(), Diagnostic> {
        let Some(pending) = self.pending.shift_remove(child) else {
            return Ok(());
        };
        for parent in &pending.parents {
            self.inventory
                .add_child_group(parent, child)
                .map_err(|e| Diagnostic::at(e.to_string(), &pending.span))?;
            if self
                .pending
                .get(parent)
                .is_some_and(|p| p.state == State::Children)
            {
                self.add_pending_children(parent)?;
            }
        }
        Ok(())
    }

    fn hosts_line(&mut self, line: &Line) -> Result<(), Diagnostic> {
        let words = split(line.text).map_err(|e| {
            Diagnostic::at(
                format!("cannot split host line: {e}"),
                &self.span(line, e.column(), 1),
            )
        })?;
        let Some((first, rest)) = words.split_first() else {
            return Ok(());
        };
        let first_span = self.span(line, first.column, first.text.chars().count());
        let (names, port) = self.host_names(&first.text, &first_span)?;
        let mut vars = Vec::new();
        for word in rest {
            let Some((key, value)) = word.text.split_once('=') else {
                return Err(Diagnostic::at(
                    format!("expected key=value host variable, found `{}`", word.text),
                    &self.span(line, word.column, word.text.chars().count()),
                ));
            };
            vars.push((key.to_string(), parse_value(value)));
        }
        let source = Some(self.file.path.clone());
        for name in names {
            self.inventory
                .add_host(&name, Some(&self.group), port, source.as_deref());
            for (key, value) in &vars {
                self.inventory.set_host_var(&name, key, value.clone());
            }
        }
        Ok(())
    }

    fn host_names(
        &self,
        pattern: &str,
        span: &Span,
    ) -> Result<(Vec<String>, Option<u64>), Diagnostic> {
        let address = split_port(pattern);
        if pattern.ends_with(':') && address.port.is_none() {
            return Err(Diagnostic::at(
                format!("invalid host `{pattern}`: a trailing `:` is reserved for a port"),
                span,
            ));
        }
        if pattern == "---" {
            return Err(Diagnostic::at("`---` is not a host name", span)
                .with_help("this looks like a YAML file; name it with a .yml or .yaml extension"));
        }
        if !has_range(address.host) {
            return Ok((vec![address.host.to_string()], address.port));
        }
        let names = expand(address.host).map_err(|e| Diagnostic::at(e.to_string(), span))?;
        Ok((names, address.port))
    }

    fn vars_line(&mut self, line: &Line) -> Result<(), Diagnostic> {
        let Some((key, value)) = line.text.split_once('=') else {
            return Err(Diagnostic::at(
                format!("expected key=value, found `{}`", line.text),
                &self.whole(line),
            )
            .with_help("a [group:vars] section holds one `name = value` per line"));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(Diagnostic::at(
                "variable name missing before `=`",
                &self.span(line, 0, 1),
            ));
        }
        let group = self.group.clone();
        self.inventory
            .set_group_var(&group, key, parse_value(value.trim()))
            .map_err(|e| Diagnostic::at(e.to_string(), &self.whole(line)))
    }

    fn children_line(&mut self, line: &Line) -> Result<(), Diagnostic> {
        let Some(child) = child_group_name(line.text) else {
            return Err(Diagnostic::at(
                format!("expected a group name, found `{}`", line.text),
                &self.whole(line),
            ));
        };
        let span = self.span(line, 0, child.chars().count());
        if self.inventory.groups.contains_key(child) {
            let parent = self.group.clone();
            return self
                .inventory
                .add_child_group(&parent, child)
                .map_err(|e| Diagnostic::at(e.to_string(), &span));
        }
        let entry = self.pending.entry(child.to_string()).or_insert(Pending {
            state: State::Children,
            span,
            parents: Vec::new(),
        });
        entry.parents.push(self.group.clone());
        Ok(())
    }

    /// Report the first group that was named but never declared.
    fn finish(self) -> Result<(), Diagnostic> {
        let Some((name, pending)) = self.pending.into_iter().next() else {
            return Ok(());
        };
        let message = match pending.state {
            State::Vars => {
                format!("section [{name}:vars] is for group `{name}`, which is not defined")
            }
            _ => {
                let parent = pending.parents.last().cloned().unwrap_or_default();
                format!("section [{parent}:children] includes undefined group `{name}`")
            }
        };
        let known = self
            .inventory
            .groups
            .keys()
            .map(String::as_str)
            .filter(|g| *g != name.as_str());
        Err(Diagnostic::at(message, &pending.span)
            .suggesting(&name, known)
            .or_help(format!("declare it with a `[{name}]` section")))
    }
}

trait OrHelp {
    fn or_help(self, help: String) -> Self;
}

impl OrHelp for Diagnostic {
    fn or_help(self, help: String) -> Self {
        if self.help.is_some() {
            self
        } else {
            self.with_help(help)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    const FRAGMENTS: &[&str] = &[
        "[", "]", ":", "web", "vars", "children", "é", "\u{663}", " ", "\t", "\n", "#", "# x", "-",
        "_", "[a:vars]", "\u{2000}",
    ];

    // The patterns these functions replace, as the oracle.
    proptest! {
        #[test]
        fn agrees_with_the_regular_expressions(
            text in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..7)
                .prop_map(|parts| parts.concat())
        ) {
            let section = Regex::new(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$").expect("regex");
            let expected = section.captures(&text).map(|c| {
                (c.get(1).map_or("", |m| m.as_str()), c.get(2).map(|m| m.as_str()))
            });
            prop_assert_eq!(section_header(&text), expected);
            let group = Regex::new(r"^([^:\]\s]+)\s*(?:#.*)?$").expect("regex");
            let expected = group.captures(&text).and_then(|c| c.get(1)).map(|m| m.as_str());
            prop_assert_eq!(child_group_name(&text), expected);
        }
    }
}
