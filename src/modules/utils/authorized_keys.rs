//! `authorized_keys` lines as Ansible's `authorized_key` module reads and
//! writes them: options, key type, the key itself and a comment, each line
//! keeping its rank so the file is written back in order.

use indexmap::IndexMap;

/// The key types a line may carry (OpenSSH's list, as Ansible has it).
const KEY_TYPES: &[&str] = &[
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "ssh-ed25519",
    "ssh-ed25519-cert-v01@openssh.com",
    "ssh-dss",
    "ssh-rsa",
    "ssh-xmss@openssh.com",
    "ssh-xmss-cert-v01@openssh.com",
    "rsa-sha2-256",
    "rsa-sha2-512",
    "ssh-rsa-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
];

/// Options in order; a name may repeat (`permitopen` twice).
pub(crate) type KeyOptions = Vec<(String, Option<String>)>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    Key {
        key: String,
        kind: String,
        options: KeyOptions,
        comment: String,
        rank: usize,
    },
    /// A comment, blank or unreadable line, kept as it is.
    Other { line: String, rank: usize },
}

impl Entry {
    pub(crate) fn rank(&self) -> usize {
        match self {
            Self::Key { rank, .. } | Self::Other { rank, .. } => *rank,
        }
    }

    /// What identifies the entry in the file: the key, or the line itself.
    pub(crate) fn id(&self) -> &str {
        match self {
            Self::Key { key, .. } => key,
            Self::Other { line, .. } => line,
        }
    }

    /// Equal but for the rank; options compare as a mapping of lists.
    pub(crate) fn same(&self, other: &Entry) -> bool {
        match (self, other) {
            (
                Self::Key {
                    key,
                    kind,
                    options,
                    comment,
                    ..
                },
                Self::Key {
                    key: k2,
                    kind: t2,
                    options: o2,
                    comment: c2,
                    ..
                },
            ) => key == k2 && kind == t2 && comment == c2 && grouped(options) == grouped(o2),
            (Self::Other { line, .. }, Self::Other { line: l2, .. }) => line == l2,
            _ => false,
        }
    }

    pub(crate) fn with_rank(mut self, new_rank: usize) -> Self {
        match &mut self {
            Self::Key { rank, .. } | Self::Other { rank, .. } => *rank = new_rank,
        }
        self
    }
}

fn grouped(options: &KeyOptions) -> std::collections::BTreeMap<&str, Vec<Option<&str>>> {
    let mut map = std::collections::BTreeMap::new();
    for (name, value) in options {
        map.entry(name.as_str())
            .or_insert_with(Vec::new)
            .push(value.as_deref());
    }
    map
}

/// `no-pty,command="a,b"` into its options.
pub(crate) fn parse_options(text: &str) -> KeyOptions {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) => {
                current.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == ',' => parts.push(std::mem::take(&mut current)),
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                current.push(c);
            }
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((name, value)) => (name.to_string(), Some(value.to_string())),
            None => (part, None),
        })
        .collect()
}

/// One line (or a `key:` argument's line); `None` when it has no key type.
pub(crate) fn parse_line(raw: &str, rank: usize) -> Option<Entry> {
    let raw = raw.replace("\\#", "#");
    let parts: Vec<&str> = raw.split_whitespace().collect();
    if parts.first() == Some(&"#") {
        return Some(Entry::Other { line: raw, rank });
    }
    let at = parts.iter().position(|p| KEY_TYPES.contains(p))?;
    let key = parts.get(at + 1)?;
    let options = if at > 0 {
        parse_options(&parts[..at].join(" "))
    } else {
        Vec::new()
    };
    Some(Entry::Key {
        key: (*key).to_string(),
        kind: parts[at].to_string(),
        options,
        comment: parts.get(at + 2..).unwrap_or_default().join(" "),
        rank,
    })
}

/// A file's entries by id (a later line with the same id replaces the earlier).
pub(crate) fn parse_file(text: &str) -> IndexMap<String, Entry> {
    let mut entries = IndexMap::new();
    for (rank, line) in text.split_inclusive('\n').enumerate() {
        let entry = parse_line(line, rank).unwrap_or_else(|| Entry::Other {
            line: line.to_string(),
            rank,
        });
        entries.insert(entry.id().to_string(), entry);
    }
    entries
}

/// The file's text, entries in rank order.
pub(crate) fn render(entries: &IndexMap<String, Entry>) -> String {
    let mut sorted: Vec<&Entry> = entries.values().collect();
    sorted.sort_by_key(|e| e.rank());
    let mut text = String::new();
    for entry in sorted {
        match entry {
            Entry::Other { line, .. } => text.push_str(line),
            Entry::Key {
                key,
                kind,
                options,
                comment,
                ..
            } => {
                if !options.is_empty() {
                    let rendered: Vec<String> = options
                        .iter()
                        .map(|(name, value)| match value {
                            Some(value) => format!("{name}={value}"),
                            None => name.clone(),
                        })
                        .collect();
                    text.push_str(&rendered.join(","));
                    text.push(' ');
                }
                text.push_str(&format!("{kind} {key} {comment}\n"));
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_options_keys_and_comments() {
        let entry = parse_line(r#"no-pty,command="echo a,b" ssh-ed25519 AAAA user@host"#, 0);
        let Some(Entry::Key {
            options,
            comment,
            kind,
            ..
        }) = entry
        else {
            panic!("a key");
        };
        assert_eq!(kind, "ssh-ed25519");
        assert_eq!(comment, "user@host");
        assert_eq!(
            options,
            vec![
                ("no-pty".to_string(), None),
                ("command".to_string(), Some("\"echo a,b\"".to_string()))
            ]
        );
    }

    #[test]
    fn writes_back_in_order_with_ansibles_spacing() {
        let text = "# keys\nssh-rsa BBBB old\n\nssh-ed25519 AAAA\n";
        let entries = parse_file(text);
        assert_eq!(
            render(&entries),
            "# keys\nssh-rsa BBBB old\n\nssh-ed25519 AAAA \n"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_file_reads_and_renders(text in "[a-z0-9# =,\"\n-]{0,80}") {
            let entries = parse_file(&text);
            let again = parse_file(&render(&entries));
            proptest::prop_assert_eq!(entries.len(), again.len());
        }

        #[test]
        fn options_render_back_the_same(names in proptest::collection::vec("[a-z-]{1,8}", 1..4)) {
            let text = names.join(",");
            let options = parse_options(&text);
            let rendered: Vec<String> = options.iter().map(|(n, _)| n.clone()).collect();
            proptest::prop_assert_eq!(rendered.join(","), text);
        }
    }
}
