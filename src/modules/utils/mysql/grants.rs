//! Privileges as `mysql_user` compares them: what the task asks for
//! (`db.*:SELECT,INSERT/other.t:ALL`) and what `SHOW GRANTS` prints, both
//! read into one shape, `object → privileges`.

use std::collections::{BTreeMap, BTreeSet};

use super::quote::quote_identifier;

/// One privilege: `SELECT`, `ALL PRIVILEGES`, `GRANT` (the grant option),
/// or a column privilege `SELECT (a, b)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PrivilegeSpec {
    pub name: String,
    /// Column names as written; empty for a table-wide privilege.
    pub columns: Vec<String>,
}

impl PrivilegeSpec {
    /// How two privileges compare: the name and (case-blind, sorted) columns.
    pub(crate) fn key(&self) -> String {
        if self.columns.is_empty() {
            return self.name.clone();
        }
        let mut columns: Vec<String> = self.columns.iter().map(|c| c.to_uppercase()).collect();
        columns.sort();
        format!("{} ({})", self.name, columns.join(", "))
    }

    /// As SQL in a GRANT statement.
    pub(crate) fn sql(&self) -> String {
        if self.columns.is_empty() {
            return self.name.clone();
        }
        let columns: Vec<String> = self.columns.iter().map(|c| quote_identifier(c)).collect();
        format!("{} ({})", self.name, columns.join(", "))
    }
}

/// Object (`*.*`, `` `db`.* ``, `` `db`.`t` ``, as SQL) → privileges by key.
pub(crate) type Grants = BTreeMap<String, BTreeMap<String, PrivilegeSpec>>;

/// The task's `priv`: `db.tbl:PRIV,PRIV/db2.*:ALL` or pairs from a mapping.
/// `*.*: USAGE` is added when `*.*` is not named, as community.mysql does.
pub(crate) fn parse_priv(pairs: &[(String, String)]) -> Result<Grants, String> {
    let mut grants = Grants::new();
    for (object, privileges) in pairs {
        let object = parse_object(object.trim())?;
        let entry = grants.entry(object).or_default();
        for privilege in split_top_level(privileges, ',') {
            let privilege = parse_privilege(privilege.trim(), false)?;
            entry.insert(privilege.key(), privilege);
        }
    }
    grants.entry("*.*".into()).or_insert_with(usage);
    Ok(grants)
}

/// A `priv` string as (object, privileges) pairs.
pub(crate) fn split_priv_string(text: &str) -> Result<Vec<(String, String)>, String> {
    text.trim()
        .split('/')
        .filter(|item| !item.trim().is_empty())
        .map(|item| {
            let (object, privileges) = item.trim().rsplit_once(':').ok_or_else(|| {
                format!("invalid privileges string: {item:?} (expected db.table:PRIV,PRIV)")
            })?;
            Ok((object.to_string(), privileges.to_string()))
        })
        .collect()
}

fn usage() -> BTreeMap<String, PrivilegeSpec> {
    let usage = PrivilegeSpec {
        name: "USAGE".into(),
        columns: Vec::new(),
    };
    BTreeMap::from([(usage.key(), usage)])
}

/// `db.tbl` (either side `*`, backticks optional) as SQL.
fn parse_object(text: &str) -> Result<String, String> {
    let (db, table) = text
        .rsplit_once('.')
        .ok_or_else(|| format!("invalid privilege object {text:?} (expected db.table)"))?;
    let side = |name: &str| {
        let name = name.trim().trim_matches('`');
        if name == "*" {
            Ok("*".to_string())
        } else if name.is_empty() {
            Err(format!("invalid privilege object {text:?}"))
        } else {
            Ok(quote_identifier(name))
        }
    };
    let (db, table) = (side(db)?, side(table)?);
    if db == "*" && table != "*" {
        return Err(format!("invalid privilege object {text:?}"));
    }
    Ok(format!("{db}.{table}"))
}

/// `SELECT`, `all`, `SELECT (a, b)`. Names are letters, `_` and spaces only,
/// so nothing else can reach the SQL.
fn parse_privilege(text: &str, quoted_columns: bool) -> Result<PrivilegeSpec, String> {
    let (name, columns) = match text.split_once('(') {
        Some((name, rest)) => {
            let inside = rest
                .trim_end()
                .strip_suffix(')')
                .ok_or_else(|| format!("invalid privilege {text:?}"))?;
            let columns = split_top_level(inside, ',')
                .into_iter()
                .map(|c| {
                    let c = c.trim();
                    if quoted_columns {
                        unquote_identifier(c)
                    } else {
                        c.trim_matches('`').to_string()
                    }
                })
                .collect::<Vec<_>>();
            if columns.iter().any(String::is_empty) {
                return Err(format!("invalid privilege {text:?}"));
            }
            (name, columns)
        }
        None => (text, Vec::new()),
    };
    let name = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '_')
    {
        return Err(format!("invalid privilege {text:?}"));
    }
    let name = match name.as_str() {
        "ALL" => "ALL PRIVILEGES".to_string(),
        _ => name,
    };
    Ok(PrivilegeSpec { name, columns })
}

/// `` `a``b` `` → ``a`b``; an unquoted word as is.
fn unquote_identifier(text: &str) -> String {
    match text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        Some(inner) => inner.replace("``", "`"),
        None => text.to_string(),
    }
}

/// Split on `separator` outside backticks, quotes and parentheses.
fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '`' | '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, c) if c == separator && depth == 0 => {
                parts.push(&text[start..at]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Where `word` (` ON `, ` TO `) first stands outside quotes, backticks
/// and parentheses.
fn find_top_level(text: &str, word: &str) -> Option<usize> {
    let (mut depth, mut quote) = (0i32, None::<char>);
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '`' | '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            _ if depth == 0 && text[at..].starts_with(word) => return Some(at),
            _ => {}
        }
    }
    None
}

/// One line of `SHOW GRANTS`: its object and privileges, or `None` for the
/// lines that grant no object privileges (roles, `PROXY`).
pub(crate) fn parse_grant_line(line: &str) -> Option<(String, Vec<PrivilegeSpec>)> {
    let rest = line.trim().strip_prefix("GRANT ")?;
    let on = find_top_level(rest, " ON ")?;
    let privileges = &rest[..on];
    if privileges.trim() == "PROXY" {
        return None;
    }
    let after_on = &rest[on + 4..];
    let to = find_top_level(after_on, " TO ")?;
    let object_text = after_on[..to].trim();
    let (db, table) = split_object(object_text)?;
    let side = |name: &str| {
        if name == "*" {
            "*".to_string()
        } else {
            quote_identifier(&unquote_identifier(name))
        }
    };
    let object = format!("{}.{}", side(db), side(table));
    let mut list = Vec::new();
    for privilege in split_top_level(privileges, ',') {
        list.push(parse_privilege(privilege.trim(), true).ok()?);
    }
    let tail = &after_on[to..];
    if find_top_level(tail, "WITH GRANT OPTION").is_some() {
        list.push(PrivilegeSpec {
            name: "GRANT".into(),
            columns: Vec::new(),
        });
    }
    Some((object, list))
}

/// `` `db`.`t` `` → (`` `db` ``, `` `t` ``), the dot outside backticks.
fn split_object(text: &str) -> Option<(&str, &str)> {
    let parts = split_top_level(text, '.');
    match parts.as_slice() {
        [db, table] => Some((db.trim(), table.trim())),
        _ => None,
    }
}

/// Every line of `SHOW GRANTS` read into [`Grants`].
pub(crate) fn grants_from_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Grants {
    let mut grants = Grants::new();
    for line in lines {
        if let Some((object, privileges)) = parse_grant_line(line) {
            let entry = grants.entry(object).or_default();
            for privilege in privileges {
                entry.insert(privilege.key(), privilege);
            }
        }
    }
    grants
}

/// The privilege names of `privileges`, without the grant option.
pub(crate) fn names_of(privileges: &BTreeMap<String, PrivilegeSpec>) -> BTreeSet<String> {
    privileges
        .keys()
        .filter(|k| *k != "GRANT")
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(grants: &Grants) -> Vec<(String, Vec<String>)> {
        grants
            .iter()
            .map(|(object, privileges)| (object.clone(), privileges.keys().cloned().collect()))
            .collect()
    }

    #[test]
    fn reads_the_priv_string() {
        let pairs = split_priv_string(
            "app.*:select,INSERT/`other`.t:ALL,GRANT/app.t2:SELECT (a, b),UPDATE",
        )
        .unwrap();
        let grants = parse_priv(&pairs).unwrap();
        assert_eq!(
            keys(&grants),
            [
                ("*.*".to_string(), vec!["USAGE".to_string()]),
                ("`app`.*".into(), vec!["INSERT".into(), "SELECT".into()]),
                (
                    "`app`.`t2`".into(),
                    vec!["SELECT (A, B)".into(), "UPDATE".into()]
                ),
                (
                    "`other`.`t`".into(),
                    vec!["ALL PRIVILEGES".into(), "GRANT".into()]
                ),
            ]
        );
        assert!(parse_priv(&split_priv_string("app.*:SELECT; DROP").unwrap()).is_err());
        assert!(split_priv_string("app.*").is_err());
    }

    #[test]
    fn reads_show_grants_lines() {
        let lines = [
            "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*AB'",
            "GRANT SELECT, INSERT ON `app`.* TO `app`@`%` WITH GRANT OPTION",
            "GRANT SELECT (`b`, `a`), UPDATE ON `app`.`t2` TO `app`@`%`",
            "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION",
            "GRANT `role1` TO `app`@`%`",
        ];
        assert_eq!(
            keys(&grants_from_lines(lines)),
            [
                ("*.*".to_string(), vec!["USAGE".to_string()]),
                (
                    "`app`.*".into(),
                    vec!["GRANT".into(), "INSERT".into(), "SELECT".into()]
                ),
                (
                    "`app`.`t2`".into(),
                    vec!["SELECT (A, B)".into(), "UPDATE".into()]
                ),
            ]
        );
    }

    proptest! {
        /// A privilege that parses is letters, spaces and quoted columns only.
        #[test]
        fn parsed_privileges_are_safe_sql(text in "\\PC{0,30}") {
            if let Ok(privilege) = parse_privilege(&text, false) {
                prop_assert!(privilege.name.chars().all(|c| c.is_ascii_uppercase() || c == ' ' || c == '_'));
            }
            if let Ok(object) = parse_object(&text) {
                prop_assert!(object.starts_with('`') || object.starts_with('*'));
            }
        }

        #[test]
        fn grant_lines_never_panic(line in "GRANT [A-Z ,()`a-z.*']{0,60}") {
            let _ = parse_grant_line(&line);
        }
    }
}
