//! `ini_file` (community.general): set, add or remove an option (or a
//! whole section) in an INI file, edited line by line as Ansible's module
//! edits it (same placement, spacing, `exclusive` and inactive-option
//! rules), then written with the shared text-file machinery (backup,
//! parent directories, attributes).

use regex::Regex;

use super::utils::host::FILE_ATTRIBUTES;
use super::utils::text_edit::Edited;
use super::utils::text_file::{self, FileArgs, TextFile};
use super::{ArgSpec, Args, Changes, ModuleContext, ModuleError, Outcome, StateModule};

pub(super) struct IniFile;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "path",
        "section",
        "option",
        "value",
        "values",
        "backup",
        "state",
        "exclusive",
        "no_extra_spaces",
        "ignore_spaces",
        "allow_no_value",
        "modify_inactive_option",
        "create",
        "follow",
    ],
    aliases: &[("dest", "path")],
    groups: &[&FILE_ATTRIBUTES],
    required: &["path"],
    choices: &[("state", &["absent", "present"])],
    paths: &["path"],
    ..ArgSpec::EMPTY
};

/// The edit, as Ansible's `do_ini` takes it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct IniEdit {
    section: Option<String>,
    option: Option<String>,
    values: Vec<String>,
    present: bool,
    exclusive: bool,
    no_extra_spaces: bool,
    ignore_spaces: bool,
    allow_no_value: bool,
    modify_inactive_option: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Desired {
    file: FileArgs,
    create: bool,
    edit: IniEdit,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    file: TextFile,
    edit: Edited,
}

/// A section name nothing in a real file matches: the lines before the
/// first section belong to it (Ansible uses the same trick).
const NO_SECTION: &str = "ad01e11446efb704fcdbdb21f2c43757423d91c5";

/// An `option` line, commented out (`# option = v`) or active; captures
/// the comment mark and the value.
fn option_pattern(option: &str, inactive_too: bool) -> Option<Regex> {
    let comment = if inactive_too { "([#;]?)" } else { "()" };
    Regex::new(&format!(
        r"^[ \t]*{comment}[ \t]*{}[ \t]*(?:=|$)[ \t]*(.*)",
        regex::escape(option)
    ))
    .ok()
}

/// (commented-out mark, value) when `line` sets the option.
fn option_match<'a>(pattern: &Regex, line: &'a str) -> Option<(&'a str, &'a str)> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let caps = pattern.captures(line)?;
    Some((
        caps.get(1).map_or("", |m| m.as_str()),
        caps.get(2).map_or("", |m| m.as_str()),
    ))
}

fn blank_or_comment(line: &str) -> bool {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let rest = line.trim_start_matches([' ', '\t']);
    rest.is_empty() || rest.starts_with('#') || rest.starts_with(';')
}

/// Python's `\s` (ASCII whitespace and friends), for section headers.
fn header_of(line: &str, section: &str) -> bool {
    let Some(rest) = line.strip_prefix('[') else {
        return false;
    };
    let rest = rest.trim_start();
    let Some(rest) = rest.strip_prefix(section.trim()) else {
        return false;
    };
    rest.trim_start().starts_with(']')
}

/// Ansible's `do_ini` on the file's text: (changed, msg, new text).
pub(super) fn edit_ini(text: &str, want: &IniEdit) -> (bool, String, String) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let mut changed = false;
    if lines.is_empty() {
        lines.push("\n".into());
    }
    if let Some(last) = lines.last_mut()
        && !last.ends_with('\n')
    {
        last.push('\n');
        changed = true;
    }
    lines.insert(0, format!("[{NO_SECTION}]"));
    lines.push("[".into());
    let section = want
        .section
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| NO_SECTION.into());
    let assignment = |option: &str, value: &str| {
        if want.no_extra_spaces {
            format!("{option}={value}\n")
        } else {
            format!("{option} = {value}\n")
        }
    };
    let mut within = false;
    let (mut start, mut end) = (0, 0);
    for (index, line) in lines.iter().enumerate() {
        if within && line.starts_with('[') {
            end = index;
            break;
        }
        if header_of(line, &section) {
            within = true;
            start = index;
        }
    }
    let after: Vec<String> = lines.split_off(end);
    let mut section_lines: Vec<String> = lines.split_off(start);
    let before = lines;
    let mut changed_lines = vec![false; section_lines.len()];
    let mut msg = "OK".to_string();
    let mut values = Vec::new();
    for value in &want.values {
        if !values.contains(value) {
            values.push(value.clone());
        }
    }
    let option = want.option.as_deref().filter(|o| !o.is_empty());
    let any_option = option.and_then(|o| option_pattern(o, true));
    let active = option.and_then(|o| option_pattern(o, false));
    let matcher = if want.modify_inactive_option { &any_option } else { &active };
    let matches = |line: &str| {
        matcher
            .as_ref()
            .and_then(|p| option_match(p, line))
            .map(|(_, value)| value.to_string())
    };
    let mut no_value_present = false;
    let update = |section_lines: &mut Vec<String>,
                      changed_lines: &mut Vec<bool>,
                      index: usize,
                      newline: String,
                      changed: &mut bool,
                      msg: &mut String| {
        let mut option_changed = None;
        if want.ignore_spaces
            && let Some(pattern) = &any_option
            && let Some((comment, old)) = option_match(pattern, &section_lines[index])
            && comment.is_empty()
        {
            let new = option_match(pattern, &newline).map(|(_, v)| v.to_string());
            option_changed = Some(new.as_deref() != Some(old));
        }
        let option_changed = option_changed.unwrap_or(section_lines[index] != newline);
        if option_changed {
            section_lines[index] = newline;
            *changed = true;
            *msg = "option changed".into();
        }
        changed_lines[index] = true;
    };
    if want.present
        && let Some(option) = option
    {
        for index in 0..section_lines.len() {
            let Some(found) = matches(&section_lines[index]) else {
                continue;
            };
            if !values.is_empty() && values.contains(&found) {
                let newline = if found.is_empty() && want.allow_no_value {
                    no_value_present = true;
                    format!("{option}\n")
                } else {
                    assignment(option, &found)
                };
                update(&mut section_lines, &mut changed_lines, index, newline, &mut changed, &mut msg);
                if let Some(at) = values.iter().position(|v| *v == found) {
                    values.remove(at);
                }
            } else if values.is_empty() && want.allow_no_value {
                update(&mut section_lines, &mut changed_lines, index, format!("{option}\n"), &mut changed, &mut msg);
                no_value_present = true;
                break;
            }
        }
    }
    if want.present && want.exclusive && !want.allow_no_value {
        if let Some(option) = option
            && !values.is_empty()
        {
            for index in 0..section_lines.len() {
                if !changed_lines[index] && matches(&section_lines[index]).is_some() {
                    let value = values.remove(0);
                    update(&mut section_lines, &mut changed_lines, index, assignment(option, &value), &mut changed, &mut msg);
                    if values.is_empty() {
                        break;
                    }
                }
            }
        }
        for index in (1..section_lines.len()).rev() {
            if !changed_lines[index] && matches(&section_lines[index]).is_some() {
                section_lines.remove(index);
                changed_lines.remove(index);
                changed = true;
                msg = "option changed".into();
            }
        }
    }
    if want.present {
        for index in (1..=section_lines.len()).rev() {
            if blank_or_comment(&section_lines[index - 1]) {
                continue;
            }
            if let Some(option) = option {
                if !values.is_empty() {
                    for value in values.iter().rev() {
                        section_lines.insert(index, assignment(option, value));
                    }
                    msg = "option added".into();
                    changed = true;
                } else if want.allow_no_value && !no_value_present {
                    section_lines.insert(index, format!("{option}\n"));
                    msg = "option added".into();
                    changed = true;
                }
            }
            break;
        }
    }
    if !want.present {
        match option {
            Some(_) => {
                let drop = |line: &String| -> bool {
                    let Some(found) = active.as_ref().and_then(|p| option_match(p, line)) else {
                        return false;
                    };
                    want.exclusive || values.iter().any(|v| v == found.1)
                };
                if want.exclusive || !values.is_empty() {
                    let kept: Vec<String> = section_lines.iter().filter(|l| !drop(l)).cloned().collect();
                    if kept != section_lines {
                        changed = true;
                        msg = "option changed".into();
                        section_lines = kept;
                    }
                }
            }
            None => {
                if !section_lines.is_empty() {
                    section_lines.clear();
                    msg = "section removed".into();
                    changed = true;
                }
            }
        }
    }
    let mut lines: Vec<String> = before.into_iter().chain(section_lines).chain(after).collect();
    lines.remove(0);
    lines.pop();
    if !within && want.present {
        lines.push(format!("[{section}]\n"));
        msg = "section and option added".into();
        match option {
            Some(option) if !values.is_empty() => {
                for value in &values {
                    lines.push(assignment(option, value));
                }
            }
            Some(option) if want.allow_no_value => lines.push(format!("{option}\n")),
            _ => msg = "only section added".into(),
        }
        changed = true;
    }
    (changed, msg, lines.concat())
}

impl StateModule for IniFile {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "ini_file"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let present = match args.str("state")?.as_deref() {
            None | Some("present") => true,
            Some("absent") => false,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of state must be one of: absent, present, got: {other}"
                )));
            }
        };
        let value = args.str("value")?;
        let values = args.str_list("values")?;
        if value.is_some() && values.is_some() {
            return Err(ModuleError::failed(
                "parameters are mutually exclusive: value|values",
            ));
        }
        let allow_no_value = args.bool("allow_no_value", false)?;
        let values = match (value, values) {
            (Some(value), _) => vec![value],
            (None, values) => values.unwrap_or_default(),
        };
        if present && !allow_no_value && values.is_empty() {
            return Err(ModuleError::failed(
                "Parameter 'value(s)' must be defined if state=present and allow_no_value=False.",
            ));
        }
        Ok(Desired {
            file: FileArgs::from_args(args)?,
            create: args.bool("create", true)?,
            edit: IniEdit {
                section: args.str("section")?,
                option: args.str("option")?,
                values,
                present,
                exclusive: args.bool("exclusive", true)?,
                no_extra_spaces: args.bool("no_extra_spaces", false)?,
                ignore_spaces: args.bool("ignore_spaces", false)?,
                allow_no_value,
                modify_inactive_option: args.bool("modify_inactive_option", true)?,
            },
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let file = text_file::inspect(ctx, &want.file.path)?;
        if file.content.is_none() && !want.create {
            return Err(ModuleError::failed(format!(
                "Destination {} does not exist!",
                want.file.path
            )));
        }
        let before = String::from_utf8_lossy(file.content.as_deref().unwrap_or_default());
        let (changed, msg, after) = edit_ini(&before, &want.edit);
        let edit = Edited {
            content: after.into_bytes(),
            changed,
            msg,
        };
        Ok(Observed { file, edit })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        text_file::edit_changes(&want.file, &have.file, &have.edit)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Observed,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let applied = text_file::apply_edit(ctx, &want.file, &have.file, &have.edit, "backup_file")?;
        // Ansible's ini_file reports the edit's own message.
        Ok(Outcome {
            msg: Some(have.edit.msg.clone()),
            ..applied
        })
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        Outcome::ok()
            .with_msg(have.edit.msg.clone())
            .with("path", want.file.path.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(section: &str, option: &str, value: &str) -> IniEdit {
        IniEdit {
            section: Some(section.into()),
            option: Some(option.into()),
            values: vec![value.into()],
            present: true,
            exclusive: true,
            no_extra_spaces: false,
            ignore_spaces: false,
            allow_no_value: false,
            modify_inactive_option: true,
        }
    }

    #[test]
    fn options_are_changed_added_and_sections_appended_as_ansible_does() {
        let text = "[db]\nhost = a\n# port = 1\n\n[web]\nport=80\n";
        let (changed, msg, after) = edit_ini(text, &set("db", "port", "5432"));
        assert!(changed);
        assert_eq!(msg, "option changed");
        assert_eq!(after, "[db]\nhost = a\nport = 5432\n\n[web]\nport=80\n");
        let (changed, msg, after) = edit_ini(text, &set("db", "user", "app"));
        assert_eq!((changed, msg.as_str()), (true, "option added"));
        assert_eq!(after, "[db]\nhost = a\nuser = app\n# port = 1\n\n[web]\nport=80\n");
        let (_, msg, after) = edit_ini("", &set("new", "k", "v"));
        assert_eq!(msg, "section and option added");
        assert_eq!(after, "\n[new]\nk = v\n");
        let (changed, _, _) = edit_ini("[db]\nport = 5432\n", &set("db", "port", "5432"));
        assert!(!changed);
        let mut remove = set("web", "", "");
        remove.present = false;
        remove.option = None;
        let (_, msg, after) = edit_ini(text, &remove);
        assert_eq!((msg.as_str(), after.as_str()), ("section removed", "[db]\nhost = a\n# port = 1\n\n"));
    }

    proptest::proptest! {
        #[test]
        fn a_second_edit_changes_nothing(text in "[\\[\\]a-c =#;\n]{0,60}", value in "[a-z0-9]{1,4}") {
            let want = set("a", "b", &value);
            let (_, _, once) = edit_ini(&text, &want);
            let (changed, _, twice) = edit_ini(&once, &want);
            proptest::prop_assert!(!changed, "{:?} -> {:?} -> {:?}", text, once, twice);
        }
    }
}
