//! `modprobe` (community.general): load or unload a kernel module with the
//! host's `modprobe` (loaded modules as `lsmod` lists them, or built in),
//! and keep it loaded at boot (`persistent`) with
//! `/etc/modules-load.d/NAME.conf` and `/etc/modprobe.d/NAME.conf`, editing
//! those folders as Ansible does.

use super::utils::host::{run_checked, write_file};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct Modprobe;

static SPEC: ArgSpec = ArgSpec {
    names: &["name", "state", "params", "persistent"],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["absent", "present"]), ("persistent", &["disabled", "present", "absent"])],
    ..ArgSpec::EMPTY
};

const LOAD_DIR: &str = "/etc/modules-load.d";
const OPTIONS_DIR: &str = "/etc/modprobe.d";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persistent {
    Disabled,
    Present,
    Absent,
}

#[derive(Debug, Clone)]
pub(super) struct Desired {
    name: String,
    present: bool,
    params: String,
    persistent: Persistent,
}

/// One file of a configuration folder.
#[derive(Debug, Clone)]
struct ConfFile {
    path: String,
    text: String,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    loaded: bool,
    load_files: Vec<ConfFile>,
    option_files: Vec<ConfFile>,
}

impl Desired {
    /// `  NAME  # comment` in a modules-load.d file.
    fn lists_module(&self, line: &str) -> bool {
        let line = line.strip_suffix('\n').unwrap_or(line);
        line.trim_start_matches(' ')
            .strip_prefix(self.name.as_str())
            .map(|rest| rest.trim_start_matches(' '))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['#', ';']))
    }

    /// The `param=value` of an `options NAME param=value` line.
    fn option_of<'a>(&self, line: &'a str) -> Option<&'a str> {
        let rest = line
            .trim_end_matches('\n')
            .strip_prefix("options ")?
            .strip_prefix(self.name.as_str())?
            .strip_prefix(' ')?;
        let (setting, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        let (key, value) = setting.split_once('=')?;
        let well_formed = !key.is_empty()
            && key.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !value.is_empty();
        let tail = tail.trim_start_matches(' ');
        (well_formed && (tail.is_empty() || tail.starts_with(['#', ';']))).then_some(setting)
    }

    fn persisted(&self, have: &Observed) -> bool {
        have.load_files
            .iter()
            .any(|f| f.text.split_inclusive('\n').any(|l| self.lists_module(l)))
    }

    fn permanent_params(&self, have: &Observed) -> std::collections::BTreeSet<String> {
        have.option_files
            .iter()
            .flat_map(|f| f.text.split_inclusive('\n'))
            .filter_map(|l| self.option_of(l).map(str::to_string))
            .collect()
    }

    fn params_set(&self, have: &Observed) -> bool {
        let wanted: std::collections::BTreeSet<String> =
            self.params.split_whitespace().map(str::to_string).collect();
        wanted == self.permanent_params(have)
    }
}

/// A file's lines with those `matches` commented out, joined as Ansible
/// joins them (its lines keep their newlines, so `\n` is doubled).
fn commented(text: &str, matches: impl Fn(&str) -> bool) -> Option<String> {
    let mut changed = false;
    let lines: Vec<String> = text
        .split_inclusive('\n')
        .map(|line| {
            if matches(line) {
                changed = true;
                format!("#{line}")
            } else {
                line.to_string()
            }
        })
        .collect();
    changed.then(|| lines.join("\n"))
}

/// Every file change the persistence setting needs: (path, new text).
fn persistence_writes(want: &Desired, have: &Observed) -> Vec<(String, String)> {
    let mut writes = Vec::new();
    let comment_options = |writes: &mut Vec<(String, String)>| {
        for file in &have.option_files {
            if let Some(text) = commented(&file.text, |l| want.option_of(l).is_some()) {
                writes.push((file.path.clone(), text));
            }
        }
    };
    match want.persistent {
        Persistent::Disabled => {}
        Persistent::Present => {
            if !(want.persisted(have) && want.params_set(have)) {
                if !want.persisted(have) {
                    writes.push((format!("{LOAD_DIR}/{}.conf", want.name), format!("{}\n", want.name)));
                }
                if !want.params_set(have) {
                    comment_options(&mut writes);
                    let options: Vec<String> = want
                        .params
                        .split_whitespace()
                        .map(|p| format!("options {} {p}", want.name))
                        .collect();
                    writes.push((
                        format!("{OPTIONS_DIR}/{}.conf", want.name),
                        format!("{}\n", options.join("\n")),
                    ));
                }
            }
        }
        Persistent::Absent => {
            if want.persisted(have) {
                for file in &have.load_files {
                    if let Some(text) = commented(&file.text, |l| want.lists_module(l)) {
                        writes.push((file.path.clone(), text));
                    }
                }
            }
            if !want.permanent_params(have).is_empty() {
                comment_options(&mut writes);
            }
        }
    }
    writes
}

fn read_folder(answer: &str) -> Vec<ConfFile> {
    answer
        .split("@@file ")
        .filter_map(|chunk| {
            let (path, text) = chunk.split_once('\n')?;
            Some(ConfFile {
                path: path.to_string(),
                text: text.to_string(),
            })
        })
        .collect()
}

impl StateModule for Modprobe {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "modprobe"
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
        let persistent = match args.str("persistent")?.as_deref() {
            None | Some("disabled") => Persistent::Disabled,
            Some("present") => Persistent::Present,
            Some("absent") => Persistent::Absent,
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of persistent must be one of: disabled, present, absent, got: {other}"
                )));
            }
        };
        Ok(Desired {
            name: args.str("name")?.unwrap_or_default(),
            present,
            params: args.str("params")?.unwrap_or_default(),
            persistent,
        })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let module = shell_quote(&format!("{} ", want.name.replace('-', "_")));
        let builtin = shell_quote(&format!("/{}.ko", want.name));
        let folder = |dir: &str| {
            format!(
                "[ -d {dir} ] && for f in {dir}/*; do [ -f \"$f\" ] && {{ printf '@@file %s\\n' \"$f\"; cat -- \"$f\"; }}; done"
            )
        };
        let answers = Probe::new()
            .require(&["modprobe", "lsmod"])
            .ask(
                "loaded",
                &format!(
                    "lsmod | awk 'NR > 1 {{ print $1 \" \" }}' | grep -qxF -- {module} && echo yes"
                ),
            )
            .ask(
                "builtin",
                &format!(
                    "grep -q -- {builtin}'$' \"/lib/modules/$(uname -r)/modules.builtin\" && echo yes"
                ),
            )
            .ask("load_files", &folder(LOAD_DIR))
            .ask("option_files", &folder(OPTIONS_DIR))
            .run(ctx, "modprobe")?;
        Ok(Observed {
            loaded: answers.yes("loaded") || answers.yes("builtin"),
            load_files: read_folder(answers.text("load_files")),
            option_files: read_folder(answers.text("option_files")),
        })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if want.present != have.loaded {
            let (before, after) = if want.present {
                ("absent", "present")
            } else {
                ("present", "absent")
            };
            changes.add(
                format!("{} {after}", want.name),
                Some(Diff::attribute(&want.name, "state", before, after)),
            );
        }
        for (path, text) in persistence_writes(want, have) {
            let before = have
                .load_files
                .iter()
                .chain(&have.option_files)
                .find(|f| f.path == path)
                .map(|f| f.text.clone())
                .unwrap_or_default();
            changes.add(path.clone(), Some(Diff::content(&path, before, text)));
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
        let name = shell_quote(&want.name);
        if want.present && !have.loaded {
            let params: Vec<String> = shell_words::split(&want.params)
                .map_err(|e| ModuleError::failed(format!("params: {e}")))?
                .iter()
                .map(|p| shell_quote(p))
                .collect();
            run_checked(ctx, "modprobe", &format!("modprobe {name} {}", params.join(" ")), None)?;
        } else if !want.present && have.loaded {
            run_checked(ctx, "modprobe -r", &format!("modprobe -r {name}"), None)?;
        }
        let writes = persistence_writes(want, have);
        if !writes.is_empty() {
            run_checked(ctx, "mkdir", &format!("mkdir -p {LOAD_DIR} {OPTIONS_DIR}"), None)?;
        }
        for (path, text) in writes {
            write_file(ctx, &path, text.as_bytes(), None)?;
        }
        Ok(Outcome::ok())
    }

    fn describe(&self, want: &Desired, _have: &Observed) -> Outcome {
        Outcome::ok()
            .with("name", want.name.as_str())
            .with("params", want.params.as_str())
            .with("state", if want.present { "present" } else { "absent" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(persistent: Persistent) -> Desired {
        Desired {
            name: "dummy".into(),
            present: true,
            params: "numdummies=2".into(),
            persistent,
        }
    }

    #[test]
    fn persistence_writes_the_two_files_once() {
        let empty = Observed {
            loaded: true,
            load_files: vec![],
            option_files: vec![],
        };
        let writes = persistence_writes(&want(Persistent::Present), &empty);
        assert_eq!(
            writes,
            vec![
                ("/etc/modules-load.d/dummy.conf".to_string(), "dummy\n".to_string()),
                ("/etc/modprobe.d/dummy.conf".to_string(), "options dummy numdummies=2\n".to_string()),
            ]
        );
        let done = Observed {
            loaded: true,
            load_files: vec![ConfFile { path: writes[0].0.clone(), text: writes[0].1.clone() }],
            option_files: vec![ConfFile { path: writes[1].0.clone(), text: writes[1].1.clone() }],
        };
        assert!(persistence_writes(&want(Persistent::Present), &done).is_empty());
        let removed = persistence_writes(&want(Persistent::Absent), &done);
        assert_eq!(removed[0].1, "#dummy\n");
        assert_eq!(removed[1].1, "#options dummy numdummies=2\n");
    }

    proptest::proptest! {
        #[test]
        fn any_folder_listing_reads(text in "[a-z@ /\n#=.]{0,60}") {
            let _ = read_folder(&text);
            let want = want(Persistent::Absent);
            for line in text.lines() {
                let _ = want.lists_module(line);
                let _ = want.option_of(line);
            }
        }
    }
}
