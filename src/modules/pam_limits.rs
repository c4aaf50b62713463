//! `pam_limits` (community.general): one `domain type item value` line of
//! `/etc/security/limits.conf` (or `dest`), edited as Ansible edits it:
//! the matching line's value replaced (or kept, with `use_max`/`use_min`),
//! a missing line added at the end, every other line kept as it was.

use super::utils::host::{backup_file, write_file};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct PamLimits;

const ITEMS: &[&str] = &[
    "core", "data", "fsize", "memlock", "nofile", "rss", "stack", "cpu", "nproc", "as", "maxlogins",
    "maxsyslogins", "priority", "locks", "sigpending", "msgqueue", "nice", "rtprio", "chroot",
];

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "domain",
        "limit_type",
        "limit_item",
        "value",
        "use_max",
        "use_min",
        "backup",
        "dest",
        "comment",
    ],
    required: &["domain", "limit_type", "limit_item", "value"],
    free_form: FreeForm::KeyValue,
    choices: &[("limit_type", &["soft", "hard", "-"]), ("limit_item", ITEMS)],
    ..ArgSpec::EMPTY
};

const UNLIMITED: &[&str] = &["unlimited", "infinity", "-1"];

#[derive(Debug, Clone)]
pub(super) struct Desired {
    domain: String,
    kind: String,
    item: String,
    value: String,
    use_max: bool,
    use_min: bool,
    backup: bool,
    dest: String,
    comment: String,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    /// The file's text; `None` when it does not exist.
    text: Option<String>,
}

/// The edited file, whether it changed, and the line Ansible reports.
#[derive(Debug, Clone, PartialEq)]
struct Edit {
    text: String,
    changed: bool,
    message: String,
}

/// Ansible's check of a value (`prefix` names a line already in the file).
fn check_value(item: &str, value: &str, prefix: &str) -> Result<(), ModuleError> {
    if item == "nice" || item == "priority" {
        if value.parse::<i64>().is_ok_and(|n| (-20..=19).contains(&n)) {
            return Ok(());
        }
        return Err(ModuleError::failed(format!(
            "{prefix} Value of '{value}' for item '{item}' is invalid. Value must be a number in the range -20 to 19 inclusive. Refer to the limits.conf(5) manual pages for more details."
        )));
    }
    if UNLIMITED.contains(&value) || (!value.is_empty() && value.chars().all(|c| c.is_ascii_digit())) {
        return Ok(());
    }
    Err(ModuleError::failed(format!(
        "{prefix} Value of '{value}' for item '{item}' is invalid. Value must either be 'unlimited', 'infinity' or -1, all of which indicate no limit, or a limit of 0 or larger. Refer to the limits.conf(5) manual pages for more details."
    )))
}

fn edit(want: &Desired, text: &str) -> Result<Edit, ModuleError> {
    let mut out = String::new();
    let mut changed = false;
    let mut found = false;
    let mut message = String::new();
    let mut new_value = want.value.clone();
    // As in Ansible, a comment read from an earlier line becomes the new
    // line's comment when the task gives none.
    let mut comment = want.comment.clone();
    let new_line = |value: &str, comment: &str| {
        let comment = if comment.is_empty() {
            String::new()
        } else {
            format!("\t#{comment}")
        };
        format!("{}\t{}\t{}\t{value}{comment}\n", want.domain, want.kind, want.item)
    };
    for line in text.split_inclusive('\n') {
        if line.starts_with('#') {
            out.push_str(line);
            continue;
        }
        let squeezed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if squeezed.is_empty() {
            out.push_str(line);
            continue;
        }
        let setting = squeezed.split('#').next().unwrap_or("").trim_end();
        let old_comment = line.split_once('#').map_or("", |(_, rest)| rest);
        if comment.is_empty() {
            comment = old_comment.to_string();
        }
        let fields: Vec<&str> = setting.split(' ').collect();
        let [domain, kind, item, actual] = fields[..] else {
            out.push_str(line);
            continue;
        };
        check_value(
            item,
            actual,
            &format!("Invalid configuration found in '{}'.", want.dest),
        )?;
        if (domain, kind, item) != (want.domain.as_str(), want.kind.as_str(), want.item.as_str()) {
            out.push_str(line);
            continue;
        }
        found = true;
        if want.value == actual {
            message = line.to_string();
            out.push_str(line);
            continue;
        }
        let actual_unlimited = UNLIMITED.contains(&actual);
        let value_unlimited = UNLIMITED.contains(&want.value.as_str());
        let number = |text: &str| {
            text.parse::<i64>()
                .map_err(|_| ModuleError::failed(format!("invalid literal for int() with base 10: '{text}'")))
        };
        if want.use_max {
            new_value = if actual_unlimited {
                actual.to_string()
            } else if value_unlimited {
                want.value.clone()
            } else {
                number(&want.value)?.max(number(actual)?).to_string()
            };
        }
        if want.use_min {
            new_value = match (actual_unlimited, value_unlimited) {
                (_, true) => actual.to_string(),
                (true, false) => want.value.clone(),
                (false, false) => number(&want.value)?.min(number(actual)?).to_string(),
            };
        }
        if new_value != actual {
            changed = true;
            message = new_line(&new_value, &comment);
            out.push_str(&message);
        } else {
            message = line.to_string();
            out.push_str(line);
        }
    }
    if !found {
        changed = true;
        message = new_line(&new_value, &comment);
        out.push_str(&message);
    }
    Ok(Edit {
        text: out,
        changed,
        message,
    })
}

impl StateModule for PamLimits {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "pam_limits"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let want = Desired {
            domain: args.str("domain")?.unwrap_or_default(),
            kind: args.str("limit_type")?.unwrap_or_default(),
            item: args.str("limit_item")?.unwrap_or_default(),
            value: args.str("value")?.unwrap_or_default(),
            use_max: args.bool("use_max", false)?,
            use_min: args.bool("use_min", false)?,
            backup: args.bool("backup", false)?,
            dest: args
                .str("dest")?
                .unwrap_or_else(|| "/etc/security/limits.conf".into()),
            comment: args.str("comment")?.unwrap_or_default(),
        };
        if want.use_max && want.use_min {
            return Err(ModuleError::failed(
                "Cannot use use_min and use_max at the same time.",
            ));
        }
        check_value(&want.item, &want.value, "")?;
        Ok(want)
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let dest = shell_quote(&want.dest);
        let dir = shell_quote(
            &std::path::Path::new(&want.dest)
                .parent()
                .map_or_else(|| ".".to_string(), |dir| dir.display().to_string()),
        );
        let answers = Probe::new()
            .ask("state", &format!(
                "if [ -f {dest} ]; then [ -w {dest} ] && echo file || echo readonly; \
                 elif [ -d {dir} ] && [ -w {dir} ]; then echo missing; else echo nodir; fi"
            ))
            .ask("text", &format!("[ -f {dest} ] && cat -- {dest}"))
            .run(ctx, "pam_limits")?;
        match answers.line("state") {
            "file" => Ok(Observed {
                text: Some(answers.text("text").to_string()),
            }),
            "missing" => Ok(Observed { text: None }),
            "readonly" => Err(ModuleError::failed(format!(
                "{} is not writable. Use sudo",
                want.dest
            ))),
            _ => Err(ModuleError::failed(format!(
                "directory {} is not writable (check presence, access rights, use sudo)",
                std::path::Path::new(&want.dest)
                    .parent()
                    .map_or_else(String::new, |dir| dir.display().to_string())
            ))),
        }
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let before = have.text.clone().unwrap_or_default();
        let edited = edit(want, &before)?;
        let mut changes = Changes::none();
        if edited.changed {
            changes.add(
                edited.message.trim_end().to_string(),
                Some(Diff::content(&want.dest, before, edited.text)),
            );
        }
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Observed,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let edited = edit(want, have.text.as_deref().unwrap_or(""))?;
        let mut outcome = Outcome::ok();
        if want.backup && have.text.is_some() {
            outcome = outcome.with("backup_file", Value::from(backup_file(ctx, &want.dest)?));
        }
        write_file(ctx, &want.dest, edited.text.as_bytes(), None)?;
        Ok(outcome)
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let message = edit(want, have.text.as_deref().unwrap_or(""))
            .map(|edited| edited.message)
            .unwrap_or_default();
        Outcome::ok().with_msg(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(value: &str) -> Desired {
        Desired {
            domain: "mysql".into(),
            kind: "soft".into(),
            item: "nofile".into(),
            value: value.into(),
            use_max: false,
            use_min: false,
            backup: false,
            dest: "/etc/security/limits.conf".into(),
            comment: String::new(),
        }
    }

    #[test]
    fn a_matching_line_is_replaced_and_a_missing_one_added() {
        let text = "# limits\n*   hard   core   0\nmysql  soft  nofile  1024  # db\n\n";
        let edited = edit(&want("65536"), text).expect("edit");
        assert!(edited.changed);
        // Ansible keeps the old comment with its newline and adds one: the
        // replaced line is followed by a blank one, as there.
        assert_eq!(
            edited.text,
            "# limits\n*   hard   core   0\nmysql\tsoft\tnofile\t65536\t# db\n\n\n"
        );
        assert!(!edit(&want("65536"), &edited.text).expect("edit").changed);
        let added = edit(&want("4096"), "# only comments\n").expect("edit");
        assert_eq!(added.text, "# only comments\nmysql\tsoft\tnofile\t4096\n");
    }

    #[test]
    fn use_max_and_use_min_keep_the_larger_or_smaller_limit() {
        let text = "mysql soft nofile 8192\n";
        let mut max = want("4096");
        max.use_max = true;
        assert!(!edit(&max, text).expect("edit").changed);
        let mut min = want("unlimited");
        min.use_min = true;
        assert!(!edit(&min, text).expect("edit").changed);
        let mut bigger = want("unlimited");
        bigger.use_max = true;
        assert_eq!(
            edit(&bigger, text).expect("edit").text,
            "mysql\tsoft\tnofile\tunlimited\n"
        );
    }

    #[test]
    fn values_are_checked_as_ansible_checks_them() {
        assert!(check_value("nofile", "abc", "").is_err());
        assert!(check_value("nice", "-21", "").is_err());
        assert!(check_value("nice", "-5", "").is_ok());
        assert!(check_value("nproc", "infinity", "").is_ok());
        assert!(edit(&want("1"), "x soft nofile lots\n").is_err());
    }

    proptest::proptest! {
        #[test]
        fn an_edited_file_is_then_as_wanted(lines in proptest::collection::vec("[a-z*@ #\t0-9]{0,20}", 0..6), value in "[0-9]{1,5}") {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            if let Ok(first) = edit(&want(&value), &text) {
                let again = edit(&want(&value), &first.text).expect("the edited file reads");
                proptest::prop_assert!(!again.changed);
            }
        }
    }
}
