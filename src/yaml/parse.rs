use std::path::Path;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use serde_saphyr::options::DuplicateKeyPolicy;

use super::{Node, NodeKind};
use crate::source::{Diagnostic, SourceFile, Span};
use crate::vault::{Keyring, is_vaulted};

/// The most nodes (mappings, sequences and scalars) one YAML file may hold:
/// room for a vars file of a million small items, while alias expansion
/// ("billion laughs") is stopped by [`MAX_ALIAS_REPLAY`] and the parser's
/// alias and anchor limits long before memory runs out. The parser's own default, 250,000,
/// refused a legitimate 100,000-item list.
pub(super) const MAX_YAML_NODES: usize = 5_000_000;

/// The most events all aliases of one file may replay: what an anchor
/// shared a few times needs, a fraction of what expansion attacks ask for.
pub(super) const MAX_ALIAS_REPLAY: usize = 100_000;

/// Parse a YAML file. An empty file is `Null`.
pub fn parse_file(path: &Path) -> Result<Node, Diagnostic> {
    let file = SourceFile::read(path)
        .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", path.display())))?;
    parse_str(file)
}

/// Parse YAML text held in `file`, decrypting vaulted values (and a file
/// vaulted whole) with the command's vault secrets.
pub fn parse_str(file: Arc<SourceFile>) -> Result<Node, Diagnostic> {
    parse_with_keyring(file, &crate::vault::session::keyring())
}

/// [`parse_str`] with the given vault secrets.
pub fn parse_with_keyring(file: Arc<SourceFile>, keyring: &Keyring) -> Result<Node, Diagnostic> {
    if is_vaulted(file.text.as_bytes()) {
        let cleartext = super::vaulted::decrypt_file(&file, keyring)?;
        let node = parse_with_keyring(cleartext, keyring)?;
        // A vaulted mapping holds values (vars files, inventories): mask
        // them all. A vaulted list is a playbook or task file: its task
        // names and arguments are code, shown as they are.
        if node.as_map().is_some() {
            super::vaulted::reveal_strings(&node);
        }
        return Ok(node);
    }
    if file.text.trim().is_empty() {
        return Ok(Node {
            kind: NodeKind::Null,
            span: Span::file_start(file),
        });
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: MAX_YAML_NODES,
            max_events: 2 * MAX_YAML_NODES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_ALIAS_REPLAY,
        },
        legacy_octal_numbers: true,
        duplicate_keys: DuplicateKeyPolicy::LastWins,
    };
    let raw: Spanned<Raw> = serde_saphyr::from_str_with_options(&file.text, options)
        .map_err(|e| syntax_error(&file, &e))?;
    let mut node = convert(raw, &file);
    super::quoting::check_keys(&node)?;
    super::vaulted::decrypt_values(&mut node, keyring)?;
    Ok(node)
}

fn syntax_error(file: &Arc<SourceFile>, error: &serde_saphyr::Error) -> Diagnostic {
    let mut message = first_line(&error.to_string());
    let line = error.location().map(|loc| loc.line() as usize);
    let line_text = line.and_then(|n| file.text.lines().nth(n.saturating_sub(1)));
    if line_text.is_some_and(super::quoting::looks_like_unquoted_template) {
        message = format!("{message}\n{}", super::quoting::UNQUOTED_TEMPLATE_HINT);
    }
    let diagnostic = Diagnostic::new(format!("YAML syntax error: {message}"));
    match error.location() {
        Some(loc) if loc.line() > 0 => diagnostic.with_span(&Span::new(
            file.clone(),
            loc.line() as usize,
            loc.column() as usize,
            1,
        )),
        _ => diagnostic.with_span(&Span::file_start(file.clone())),
    }
}

/// The parser's first line, without its own `error: line N column M:` prefix
/// (the position is shown by the span).
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or(text);
    let without_prefix = line.strip_prefix("error: ").unwrap_or(line);
    match without_prefix.split_once(": ") {
        Some((position, rest)) if position.starts_with("line ") => rest.to_string(),
        _ => without_prefix.to_string(),
    }
}

fn convert(raw: Spanned<Raw>, file: &Arc<SourceFile>) -> Node {
    let span = span_of(&raw, file);
    let source = source_text(&raw, file);
    let kind = match raw.value {
        Raw::Null => NodeKind::Null,
        Raw::Bool(b) if is_pyyaml_bool(source) => NodeKind::Bool(b),
        // YAML 1.1 also reads `y`/`n` as booleans; PyYAML, and so Ansible, does not.
        Raw::Bool(_) => NodeKind::Str(source.unwrap_or_default().to_string()),
        Raw::Int(i) => NodeKind::Int(i),
        Raw::Float(f) => NodeKind::Float(f),
        Raw::Str(s) => NodeKind::Str(s),
        Raw::Seq(items) => NodeKind::Seq(items.into_iter().map(|i| convert(i, file)).collect()),
        Raw::Map(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (convert(k, file), convert(v, file)))
                .collect(),
        ),
    };
    Node { kind, span }
}

/// The scalar exactly as written, when the source offsets are known: where
/// it is defined, so a value an alias replays (`- *task`) reads as its
/// anchor's text, not as `*task`.
fn source_text<'a, T>(spanned: &Spanned<T>, file: &'a SourceFile) -> Option<&'a str> {
    let span = spanned.defined.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    file.text.get(start..start + len)
}

/// The spellings PyYAML reads as booleans.
fn is_pyyaml_bool(text: Option<&str>) -> bool {
    text.is_none_or(|t| {
        matches!(
            t,
            "yes"
                | "Yes"
                | "YES"
                | "no"
                | "No"
                | "NO"
                | "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "on"
                | "On"
                | "ON"
                | "off"
                | "Off"
                | "OFF"
        )
    })
}

fn span_of<T>(spanned: &Spanned<T>, file: &Arc<SourceFile>) -> Span {
    let loc = spanned.referenced;
    Span::new(
        file.clone(),
        loc.line() as usize,
        loc.column() as usize,
        loc.span().len() as usize,
    )
}

/// What serde-saphyr hands us before positions are attached to our own type.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Raw>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Raw, E> {
        Ok(Raw::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Raw, E> {
        Ok(i64::try_from(u).map_or(Raw::Float(u as f64), Raw::Int))
    }
    fn visit_i128<E>(self, i: i128) -> Result<Raw, E> {
        Ok(i64::try_from(i).map_or(Raw::Float(i as f64), Raw::Int))
    }
    fn visit_u128<E>(self, u: u128) -> Result<Raw, E> {
        Ok(i64::try_from(u).map_or(Raw::Float(u as f64), Raw::Int))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Raw, E> {
        Ok(Raw::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Raw, E> {
        Ok(Raw::Str(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Raw, E> {
        Ok(Raw::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        parse_str(SourceFile::new("t.yml", text)).expect("valid yaml")
    }

    #[test]
    fn a_vars_file_of_a_hundred_thousand_items_is_read() {
        let mut text = String::from("items:\n");
        for i in 0..100_000 {
            text.push_str(&format!("  - name: item{i}\n    value: {i}\n"));
        }
        let node = parse(&text);
        let Some(NodeKind::Seq(items)) = node.get("items").map(|n| &n.kind) else {
            panic!("items is a list");
        };
        assert_eq!(items.len(), 100_000);
    }

    #[test]
    fn billion_laughs_is_refused_quickly_with_a_position() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let previous = format!("*a{}", level - 1);
            let list = [previous.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{list}]\n"));
        }
        let started = std::time::Instant::now();
        let error = parse_str(SourceFile::new("t.yml", &text)).expect_err("refused");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert!(error.span.is_some(), "{error:?}");
    }

    #[test]
    fn an_aliased_mapping_keeps_its_booleans() {
        let node =
            parse("- &task\n  name: one\n  check_mode: false\n  changed_when: no\n- *task\n");
        let Some(NodeKind::Seq(items)) = Some(&node.kind) else {
            panic!("a list");
        };
        for item in items {
            assert!(matches!(
                item.get("check_mode").map(|n| &n.kind),
                Some(NodeKind::Bool(false))
            ));
            assert!(matches!(
                item.get("changed_when").map(|n| &n.kind),
                Some(NodeKind::Bool(false))
            ));
        }
    }

    #[test]
    fn yaml_1_1_scalars_as_ansible_reads_them() {
        let node = parse("a: yes\nb: off\nc: 0755\nd: '0755'\ne: ~\nf: 1.5\ny: n\n");
        assert_eq!(
            node.get("y").and_then(Node::as_str),
            Some("n"),
            "y/n stay strings, as in PyYAML"
        );
        assert!(matches!(
            node.get("a").map(|n| &n.kind),
            Some(NodeKind::Bool(true))
        ));
        assert!(matches!(
            node.get("b").map(|n| &n.kind),
            Some(NodeKind::Bool(false))
        ));
        assert!(matches!(
            node.get("c").map(|n| &n.kind),
            Some(NodeKind::Int(0o755))
        ));
        assert_eq!(node.get("d").and_then(Node::as_str), Some("0755"));
        assert!(node.get("e").is_some_and(Node::is_null));
    }

    #[test]
    fn every_node_knows_its_line_and_column() {
        let node = parse("- hosts: all\n  tasks:\n    - shell: echo hi\n");
        let play = &node.as_seq().expect("seq")[0];
        let task = &play.get("tasks").and_then(Node::as_seq).expect("tasks")[0];
        let (key, value) = &task.as_map().expect("map")[0];
        assert_eq!((key.span.line, key.span.column), (3, 7));
        assert_eq!((value.span.line, value.span.column), (3, 14));
    }

    #[test]
    fn syntax_errors_point_into_the_file() {
        let error = parse_str(SourceFile::new("bad.yml", "a: [1,\n b: c\n")).expect_err("invalid");
        let span = error.span.clone().expect("span");
        assert!(span.line >= 1, "{error}");
        assert!(error.to_string().contains("bad.yml:"), "{error}");
    }
}
