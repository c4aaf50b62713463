//! Shell wildcards in host patterns (`web*`, `db?.example.com`, `[ab]*`,
//! `[!x]*`), translated to a regex as Python's `fnmatch.translate` does:
//! the whole name must match, `*` crosses dots, matching is case-sensitive.

/// The regex source that matches exactly the names `glob` matches.
pub(super) fn translate(glob: &str) -> String {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::from("^(?s:");
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                while chars.get(i + 1) == Some(&'*') {
                    i += 1;
                }
                out.push_str(".*");
            }
            '?' => out.push('.'),
            '[' => match class_end(&chars, i) {
                Some(end) => {
                    out.push_str(&class(&chars[i + 1..end]));
                    i = end;
                }
                None => out.push_str("\\["),
            },
            c => out.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    out.push_str(")$");
    out
}

/// The index of the `]` closing the class opened at `open`; a `]` right
/// after `[` or `[!` is a member, not the end.
fn class_end(chars: &[char], open: usize) -> Option<usize> {
    let mut j = open + 1;
    if chars.get(j) == Some(&'!') {
        j += 1;
    }
    if chars.get(j) == Some(&']') {
        j += 1;
    }
    (j..chars.len()).find(|&k| chars[k] == ']')
}

fn class(members: &[char]) -> String {
    let (negated, members) = match members.split_first() {
        Some(('!', rest)) => (true, rest),
        _ => (false, members),
    };
    let mut out = String::from(if negated { "[^" } else { "[" });
    let mut i = 0;
    while i < members.len() {
        let c = members[i];
        if members.get(i + 1) == Some(&'-') && i + 2 < members.len() {
            let last = members[i + 2];
            if c <= last {
                out.push_str(&format!("{}-{}", escape_member(c), escape_member(last)));
            }
            i += 3;
        } else {
            out.push_str(&escape_member(c));
            i += 1;
        }
    }
    if out.len() == 1 || (negated && out.len() == 2) {
        // An empty class matches nothing (`[!]` anything); say so in regex terms.
        return if negated {
            "(?s:.)".into()
        } else {
            "[^\\s\\S]".into()
        };
    }
    out.push(']');
    out
}

fn escape_member(c: char) -> String {
    if c.is_alphanumeric() {
        c.to_string()
    } else {
        format!("\\x{{{:x}}}", u32::from(c))
    }
}

/// Whether `text` uses any wildcard syntax (as Ansible checks before also
/// matching host names when a group already matched).
pub(super) fn has_wildcards(pattern: &str) -> bool {
    pattern.contains(['.', '?', '*', '['])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    fn matches(glob: &str, name: &str) -> bool {
        Regex::new(&translate(glob))
            .expect("valid regex")
            .is_match(name)
    }

    #[test]
    fn wildcards_match_whole_names() {
        assert!(matches("web*", "web01"));
        assert!(matches("*.example.com", "one.example.com"));
        assert!(!matches("*.example.com", "one.example.com.au"));
        assert!(matches("192.0.*", "192.0.2.50"));
        assert!(!matches("192.0.*", "192.1.0.1"));
        assert!(matches("db?", "db1"));
        assert!(!matches("db?", "db10"));
        assert!(matches("[ab]*", "alpha"));
        assert!(!matches("[!ab]*", "alpha"));
        assert!(matches("h[0-9]", "h7"));
        assert!(matches("a+b(c)", "a+b(c)"));
        assert!(matches("x[", "x["));
        assert!(!matches("Web*", "web1"));
    }

    proptest! {
        #[test]
        fn every_glob_compiles(glob in "\\PC{0,30}") {
            prop_assert!(Regex::new(&translate(&glob)).is_ok());
        }

        #[test]
        fn plain_names_match_only_themselves(name in "[a-z0-9.-]{1,20}", other in "[a-z0-9.-]{1,20}") {
            prop_assert!(matches(&name, &name));
            prop_assert_eq!(matches(&name, &other), name == other);
        }
    }
}
