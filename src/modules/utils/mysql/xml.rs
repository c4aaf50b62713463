//! What `mysql --xml` prints: result sets of rows of named fields, NULL
//! told apart from the text `NULL` (which `--batch` cannot do).

use indexmap::IndexMap;

/// One row: column name → value (`None` for SQL NULL), in column order.
pub(crate) type Row = IndexMap<String, Option<String>>;

/// The rows one statement returned.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ResultSet {
    pub rows: Vec<Row>,
}

/// Every result set in `text`, in order; an error names what was unexpected.
pub(crate) fn parse_results(text: &str) -> Result<Vec<ResultSet>, String> {
    let mut sets = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<resultset") {
        let tag_end = rest[start..]
            .find('>')
            .ok_or("a <resultset> tag does not end")?;
        let tag = &rest[start..start + tag_end];
        let mut body = &rest[start + tag_end + 1..];
        let mut set = ResultSet::default();
        if tag.ends_with('/') {
            sets.push(set);
            rest = body;
            continue;
        }
        loop {
            body = body.trim_start();
            if let Some(after) = body.strip_prefix("</resultset>") {
                rest = after;
                break;
            }
            let after = body
                .strip_prefix("<row>")
                .ok_or_else(|| format!("expected <row> or </resultset>, found {:?}", head(body)))?;
            let (row, after) = parse_row(after)?;
            set.rows.push(row);
            body = after;
        }
        sets.push(set);
    }
    Ok(sets)
}

fn parse_row(mut text: &str) -> Result<(Row, &str), String> {
    let mut row = Row::new();
    loop {
        text = text.trim_start();
        if let Some(after) = text.strip_prefix("</row>") {
            return Ok((row, after));
        }
        let after = text
            .strip_prefix("<field name=\"")
            .ok_or_else(|| format!("expected <field> or </row>, found {:?}", head(text)))?;
        let name_end = after.find('"').ok_or("a field name does not end")?;
        let name = unescape(&after[..name_end])?;
        let after = &after[name_end + 1..];
        if let Some(after) = after.strip_prefix(" xsi:nil=\"true\" />") {
            row.insert(name, None);
            text = after;
        } else if let Some(after) = after.strip_prefix('>') {
            let value_end = after.find("</field>").ok_or("a field does not end")?;
            row.insert(name, Some(unescape(&after[..value_end])?));
            text = &after[value_end + "</field>".len()..];
        } else {
            return Err(format!("unexpected field syntax {:?}", head(after)));
        }
    }
}

fn head(text: &str) -> String {
    text.chars().take(40).collect()
}

/// XML character references back to text.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';').ok_or("an XML entity does not end")?;
        let entity = &after[..end];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    entity.strip_prefix('#').and_then(|d| d.parse().ok())
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("unknown XML entity &{entity};"))?
            }
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OUTPUT: &str = "<?xml version=\"1.0\"?>\n\n<resultset statement=\"select * from t\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <row>\n\t<field name=\"id\">1</field>\n\t<field name=\"s\">a&lt;b&amp;&quot;\nline</field>\n\t<field name=\"b\" xsi:nil=\"true\" />\n  </row>\n</resultset>\n<?xml version=\"1.0\"?>\n\n<resultset statement=\"select 1 from t where 0\n\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"></resultset>\n";

    #[test]
    fn reads_rows_nulls_and_empty_sets() {
        let sets = parse_results(OUTPUT).unwrap();
        assert_eq!(sets.len(), 2);
        let row = &sets[0].rows[0];
        assert_eq!(row["id"].as_deref(), Some("1"));
        assert_eq!(row["s"].as_deref(), Some("a<b&\"\nline"));
        assert_eq!(row["b"], None);
        assert!(sets[1].rows.is_empty());
        assert!(parse_results("<resultset x><row><oops>").is_err());
    }

    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    proptest! {
        /// Any value the client escapes comes back as it was.
        #[test]
        fn values_round_trip(name in "[^\"]{0,12}", value in "\\PC*", null in any::<bool>()) {
            let field = if null {
                format!("<field name=\"{}\" xsi:nil=\"true\" />", escape(&name))
            } else {
                format!("<field name=\"{}\">{}</field>", escape(&name), escape(&value))
            };
            let text = format!("<resultset statement=\"q\">\n  <row>\n\t{field}\n  </row>\n</resultset>\n");
            let sets = parse_results(&text).unwrap();
            let expected = (!null).then(|| value.clone());
            prop_assert_eq!(&sets[0].rows[0][&name], &expected);
        }

        #[test]
        fn never_panics(text in "(<resultset>|<row>|<field name=\"a\">|</field>|</row>|</resultset>|&[a-z#0-9]*;|[a-z\"<>/ ])*") {
            let _ = parse_results(&text);
        }
    }
}
