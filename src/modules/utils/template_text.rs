//! Template whitespace options applied to the template's source, so one
//! engine configuration (`trim_blocks` on, as Ansible's default) serves
//! every `trim_blocks`/`lstrip_blocks` combination a task asks for.

/// The whitespace options of the `template` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Whitespace {
    pub trim_blocks: bool,
    pub lstrip_blocks: bool,
}

/// Rewrite `source` so the engine's defaults give the requested behaviour:
/// `lstrip_blocks` drops the spaces and tabs before a block or comment tag
/// that starts a line; `trim_blocks: false` doubles the newline after a
/// block tag, so the one the engine removes leaves the one the user wrote.
pub(crate) fn prepare_source(source: &str, whitespace: Whitespace) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.split_inclusive('\n') {
        let line = if whitespace.lstrip_blocks {
            lstrip(line)
        } else {
            line
        };
        if !whitespace.trim_blocks && ends_with_block_tag(line) {
            out.push_str(line);
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    out
}

fn lstrip(line: &str) -> &str {
    let trimmed = line.trim_start_matches([' ', '\t']);
    let tag_starts = (trimmed.starts_with("{%") || trimmed.starts_with("{#"))
        && !trimmed.starts_with("{%+")
        && !trimmed.starts_with("{#+");
    if tag_starts { trimmed } else { line }
}

fn ends_with_block_tag(line: &str) -> bool {
    let Some(body) = line.strip_suffix('\n') else {
        return false;
    };
    let body = body.strip_suffix('\r').unwrap_or(body);
    (body.ends_with("%}") || body.ends_with("#}"))
        && !body.ends_with("-%}")
        && !body.ends_with("-#}")
}

/// Read `newline_sequence` (`\n`, `\r`, `\r\n`, written escaped or not).
pub(crate) fn newline_sequence(text: &str) -> Result<&'static str, String> {
    match text {
        "\n" | "\\n" => Ok("\n"),
        "\r" | "\\r" => Ok("\r"),
        "\r\n" | "\\r\\n" => Ok("\r\n"),
        other => Err(format!(
            "newline_sequence must be one of \\n, \\r, \\r\\n, got {other:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Templar;
    use crate::value::{Value, map_from_pairs};

    fn render(source: &str, trim_blocks: bool, lstrip_blocks: bool) -> String {
        let templar = Templar::new();
        let vars = map_from_pairs([("items", Value::from(vec![1, 2]))]);
        let prepared = prepare_source(
            source,
            Whitespace {
                trim_blocks,
                lstrip_blocks,
            },
        );
        templar.render_text(&prepared, &vars).expect("renders")
    }

    const LOOP: &str = "start\n  {% for i in items %}\n  x{{ i }}\n  {% endfor %}\nend\n";

    #[test]
    fn ansible_default_trims_block_newlines_only() {
        assert_eq!(render(LOOP, true, false), "start\n    x1\n    x2\n  end\n");
    }

    #[test]
    fn lstrip_blocks_drops_indentation_before_tags() {
        assert_eq!(render(LOOP, true, true), "start\n  x1\n  x2\nend\n");
    }

    #[test]
    fn trim_blocks_off_keeps_newlines_after_tags() {
        assert_eq!(
            render(LOOP, false, false),
            "start\n  \n  x1\n  \n  x2\n  \nend\n"
        );
    }

    #[test]
    fn newline_sequences() {
        assert_eq!(newline_sequence("\\r\\n"), Ok("\r\n"));
        assert_eq!(newline_sequence("\n"), Ok("\n"));
        assert!(newline_sequence("x").is_err());
    }

    proptest::proptest! {
        #[test]
        fn defaults_leave_the_source_alone(source in "\\PC{0,80}") {
            let same = prepare_source(&source, Whitespace { trim_blocks: true, lstrip_blocks: false });
            proptest::prop_assert_eq!(same, source);
        }

        #[test]
        fn rewriting_only_adds_newlines_or_drops_indentation(source in "[ \t{}%#a\n]{0,60}") {
            let out = prepare_source(&source, Whitespace { trim_blocks: false, lstrip_blocks: true });
            let strip = |s: &str| s.chars().filter(|c| !matches!(c, ' ' | '\t' | '\n')).collect::<String>();
            proptest::prop_assert_eq!(strip(&out), strip(&source));
        }
    }
}
