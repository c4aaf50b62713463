//! `debconf`: answers in the debconf database, read with `debconf-show`
//! (and `debconf-get-selections` for passwords, which debconf-show hides)
//! and set with `debconf-set-selections`, as Ansible's module does.

use super::utils::host::require_tools;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::connection::shell_quote;
use crate::value::{Value, VarMap, map_value};
use minijinja::value::ValueKind;

pub(super) struct Debconf;

static SPEC: ArgSpec = ArgSpec {
    names: &["name", "question", "vtype", "value", "unseen"],
    aliases: &[
        ("pkg", "name"),
        ("selection", "question"),
        ("setting", "question"),
        ("answer", "value"),
    ],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

const VTYPES: &[&str] = &[
    "boolean",
    "error",
    "multiselect",
    "note",
    "password",
    "seen",
    "select",
    "string",
    "text",
    "title",
];

fn first(args: &Args, names: &[&str]) -> Option<Value> {
    names.iter().find_map(|n| args.get(n).cloned())
}

impl Module for Debconf {
    fn name(&self) -> &'static str {
        "debconf"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        let package = match args.str("name")?.or(args.str("pkg")?) {
            Some(name) => name,
            None => return Err(ModuleError::failed("missing required arguments: name")),
        };
        let question = first(args, &["question", "selection", "setting"]).map(|v| text_of(&v));
        let vtype = args.str("vtype")?;
        let value = first(args, &["value", "answer"]);
        let unseen = args.bool("unseen", false)?;
        if let Some(vtype) = &vtype
            && !VTYPES.contains(&vtype.as_str())
        {
            return Err(ModuleError::failed(format!(
                "value of vtype must be one of: {}, got: {vtype}",
                VTYPES.join(", ")
            )));
        }
        let given = [question.is_some(), vtype.is_some(), value.is_some()];
        if given.iter().any(|g| *g) && !given.iter().all(|g| *g) {
            return Err(ModuleError::failed(
                "parameters are required together: question, vtype, value",
            ));
        }
        require_tools(ctx, "debconf", &["debconf-show", "debconf-set-selections"])?;
        let shown = run(ctx, &format!("debconf-show {}", shell_quote(&package)))?;
        let previous = parse_show(&shown);
        let (Some(question), Some(vtype), Some(value)) = (question, vtype, value) else {
            return Ok(Outcome::ok().with("msg", "").with("current", map_value(previous)));
        };
        let list_value = value.kind() == ValueKind::Seq;
        let mut wanted = text_of(&value);
        if vtype == "boolean" {
            wanted = wanted.to_lowercase();
        }
        let changed = match previous.get(&question) {
            None => true,
            Some(existing) => {
                let existing = text_of(existing);
                match vtype.as_str() {
                    "boolean" => existing.to_lowercase() != wanted,
                    "password" => password(ctx, &package, &question)? != wanted,
                    "multiselect" if list_value => {
                        let mut have: Vec<String> =
                            existing.split(',').map(|s| s.trim().to_string()).collect();
                        let mut want: Vec<String> = value
                            .try_iter()
                            .map(|items| items.map(|v| text_of(&v)).collect())
                            .unwrap_or_default();
                        have.sort();
                        want.sort();
                        have != want
                    }
                    _ => existing != wanted,
                }
            }
        };
        if !changed {
            return Ok(Outcome::ok().with("msg", "").with("current", map_value(previous)));
        }
        let answer = if list_value {
            value
                .try_iter()
                .map(|items| items.map(|v| text_of(&v)).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        } else {
            wanted.clone()
        };
        let mut msg = String::new();
        if !ctx.check_mode {
            let command = if unseen {
                "debconf-set-selections -u"
            } else {
                "debconf-set-selections"
            };
            let line = format!("{package} {question} {vtype} {answer}");
            let output = ctx.connection()?.run(command, Some(line.as_bytes()))?;
            if output.rc != 0 {
                return Err(ModuleError::failed(output.stderr_text().trim().to_string()));
            }
            msg = output.stdout_text();
        }
        let current = map_value(VarMap::from_iter([(question.clone(), Value::from(answer.clone()))]));
        let before = previous.get(&question).cloned().unwrap_or_else(|| Value::from(""));
        let previous = map_value(VarMap::from_iter([(question.clone(), before.clone())]));
        let mut diff = VarMap::new();
        if ctx.diff {
            diff.insert("before".into(), previous.clone());
            diff.insert("after".into(), current.clone());
        }
        Ok(Outcome::changed()
            .with("msg", msg)
            .with("current", current)
            .with("previous", previous)
            .with("diff", map_value(diff)))
    }
}

fn text_of(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

fn run(ctx: &mut ModuleContext, script: &str) -> Result<String, ModuleError> {
    let output = ctx.connection()?.run(&format!("LC_ALL=C {script}"), None)?;
    if output.rc != 0 {
        return Err(ModuleError::failed(output.stderr_text().trim().to_string()));
    }
    Ok(output.stdout_text())
}

/// `debconf-show` lines: `* question: value` (`*` when it was asked).
fn parse_show(text: &str) -> VarMap {
    text.lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            let key = key.trim().trim_start_matches('*').trim();
            (!key.is_empty()).then(|| (key.to_string(), Value::from(value.trim())))
        })
        .collect()
}

/// A password answer, which debconf-show does not print.
fn password(ctx: &mut ModuleContext, package: &str, question: &str) -> Result<String, ModuleError> {
    require_tools(ctx, "debconf", &["debconf-get-selections"])?;
    let text = run(ctx, "debconf-get-selections")?;
    Ok(find_password(&text, package, question))
}

fn find_password(text: &str, package: &str, question: &str) -> String {
    text.lines()
        .filter(|line| line.starts_with(package))
        .find_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields.len() > 3 && fields[1] == question && fields[2] == "password")
                .then(|| fields[3].to_string())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_debconf_show_and_passwords() {
        let shown = parse_show("* tzdata/Areas: Europe\n  tzdata/Zones/Etc: UTC\n");
        assert_eq!(shown.get("tzdata/Areas").map(text_of).as_deref(), Some("Europe"));
        assert_eq!(shown.get("tzdata/Zones/Etc").map(text_of).as_deref(), Some("UTC"));
        let selections = "mysql-server\tmysql-server/root_password\tpassword\tsecret\n";
        assert_eq!(find_password(selections, "mysql-server", "mysql-server/root_password"), "secret");
        assert_eq!(find_password(selections, "mysql-server", "other"), "");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = parse_show(&text);
            let _ = find_password(&text, "p", "q");
        }
    }
}
