//! ansible.cfg as Python's `configparser` reads it for Ansible: `[section]`
//! headers, `key = value` or `key: value`, keys case-insensitive, full-line
//! comments with `#` or `;`, inline comments with ` ;`, indented lines
//! continuing the value above, no interpolation (Ansible reads raw), and a
//! duplicate section or key is an error (configparser is strict).

use std::sync::Arc;

use crate::source::{Diagnostic, SourceFile, Span};

/// One `key = value` entry with where it was written.
#[derive(Debug, Clone)]
pub(super) struct IniEntry {
    pub section: String,
    pub key: String,
    pub value: String,
    /// The key's position, for errors and warnings.
    pub span: Span,
}

/// Every entry of the file, in file order.
pub(super) fn parse(file: &Arc<SourceFile>) -> Result<Vec<IniEntry>, Diagnostic> {
    let mut entries: Vec<IniEntry> = Vec::new();
    let mut sections: Vec<String> = Vec::new();
    let mut section: Option<String> = None;
    // The entry a continuation line extends, with the indentation of its key.
    let mut open: Option<(usize, usize)> = None;
    for (index, line) in file.text.lines().enumerate() {
        let number = index + 1;
        let indent = line.chars().count() - line.trim_start().chars().count();
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let content = strip_inline_comment(trimmed);
        if content.is_empty() {
            // configparser keeps blank lines inside a value, then trims them.
            if let Some((entry, _)) = open {
                entries[entry].value.push('\n');
            }
            continue;
        }
        if let Some((entry, key_indent)) = open
            && indent > key_indent
        {
            let value = &mut entries[entry].value;
            value.truncate(value.trim_end().len());
            value.push('\n');
            value.push_str(content);
            continue;
        }
        open = None;
        let span = || Span::new(file.clone(), number, indent + 1, content.chars().count());
        if content.starts_with('[') {
            let Some(name) = content.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
                return Err(Diagnostic::at(
                    "a section header must end with `]`",
                    &span(),
                ));
            };
            if sections.iter().any(|known| known == name) {
                return Err(Diagnostic::at(
                    format!(
                        "section [{name}] appears twice (configparser refuses that, so does Ansible)"
                    ),
                    &span(),
                ));
            }
            sections.push(name.to_string());
            section = Some(name.to_string());
            continue;
        }
        let Some(section) = &section else {
            return Err(
                Diagnostic::at("this setting comes before any [section] header", &span())
                    .with_help("Ansible's settings go under a header such as [defaults]"),
            );
        };
        let (key, value) = split_entry(content);
        let key = key.to_lowercase();
        let key_span = Span::new(file.clone(), number, indent + 1, key.chars().count().max(1));
        if key.is_empty() {
            return Err(Diagnostic::at(
                "a setting needs a name before `=`",
                &key_span,
            ));
        }
        if entries
            .iter()
            .any(|entry| entry.section == *section && entry.key == key)
        {
            return Err(Diagnostic::at(
                format!(
                    "[{section}] {key} is set twice (configparser refuses that, so does Ansible)"
                ),
                &key_span,
            ));
        }
        entries.push(IniEntry {
            section: section.clone(),
            key,
            value: value.to_string(),
            span: key_span,
        });
        open = Some((entries.len() - 1, indent));
    }
    for entry in &mut entries {
        entry.value.truncate(entry.value.trim_end().len());
    }
    Ok(entries)
}

/// `key = value`, `key: value`, or a bare `key` (an empty value), split at
/// whichever delimiter comes first.
fn split_entry(content: &str) -> (&str, &str) {
    match content.find(['=', ':']) {
        Some(at) => (content[..at].trim(), content[at + 1..].trim()),
        None => (content, ""),
    }
}

/// configparser's `inline_comment_prefixes=(';',)`: a `;` after whitespace.
fn strip_inline_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let cut = (1..bytes.len())
        .find(|&at| bytes[at] == b';' && bytes[at - 1].is_ascii_whitespace())
        .unwrap_or(line.len());
    line[..cut].trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<(String, String, String)> {
        parse(&SourceFile::new("ansible.cfg", text))
            .expect("valid")
            .into_iter()
            .map(|e| (e.section, e.key, e.value))
            .collect()
    }

    fn error(text: &str) -> String {
        let diagnostic = parse(&SourceFile::new("ansible.cfg", text)).expect_err("invalid");
        diagnostic.to_string()
    }

    #[test]
    fn reads_what_configparser_reads() {
        let text = "\
# a comment
[defaults]
Inventory = inventories/prod ; where the hosts are
forks: 20
roles_path = roles:
    ../shared/roles
; another comment
[ssh_connection]
ssh_args = -o ControlMaster=auto;still-value
pipelining
";
        assert_eq!(
            entries(text),
            [
                (
                    "defaults".into(),
                    "inventory".into(),
                    "inventories/prod".into()
                ),
                ("defaults".into(), "forks".into(), "20".into()),
                (
                    "defaults".into(),
                    "roles_path".into(),
                    "roles:\n../shared/roles".into()
                ),
                (
                    "ssh_connection".into(),
                    "ssh_args".into(),
                    "-o ControlMaster=auto;still-value".into()
                ),
                ("ssh_connection".into(), "pipelining".into(), "".into()),
            ]
        );
    }

    #[test]
    fn refuses_what_configparser_refuses() {
        assert!(
            error("forks = 5\n").contains("before any [section]"),
            "{}",
            error("forks = 5\n")
        );
        let twice = error("[defaults]\nforks = 5\nFORKS = 6\n");
        assert!(
            twice.contains("ansible.cfg:3:1") && twice.contains("set twice"),
            "{twice}"
        );
        assert!(error("[defaults]\n[defaults]\n").contains("appears twice"));
        assert!(error("[defaults\n").contains("must end with"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_errors_point_into_the_file(text in "(\\PC|\n|\t| ){0,200}") {
            let file = SourceFile::new("ansible.cfg", text.clone());
            if let Err(diagnostic) = parse(&file) {
                let line = diagnostic.span.as_ref().map_or(0, |span| span.line);
                proptest::prop_assert!(line >= 1 && line <= text.lines().count().max(1));
            }
        }
    }
}
