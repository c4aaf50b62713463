//! `group`: create, renumber and remove local groups with the host's
//! `groupadd`, `groupmod` and `groupdel`, after one `getent group` read.

use super::utils::accounts::GroupEntry;
use super::utils::host::run_checked;
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct Group;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "state",
        "gid",
        "system",
        "non_unique",
        "force",
        "gid_min",
        "gid_max",
    ],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["absent", "present"])],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone)]
pub(super) struct Desired {
    name: String,
    present: bool,
    gid: Option<u32>,
    system: bool,
    non_unique: bool,
    force: bool,
    gid_min: Option<i64>,
    gid_max: Option<i64>,
}

fn whole(args: &Args, name: &str) -> Result<Option<i64>, ModuleError> {
    match args.f64(name)? {
        Some(value) if value.fract() == 0.0 => Ok(Some(value as i64)),
        Some(value) => Err(ModuleError::failed(format!(
            "argument `{name}`: expected an integer, got {value}"
        ))),
        None => Ok(None),
    }
}

impl StateModule for Group {
    type Desired = Desired;
    type Observed = Option<GroupEntry>;

    fn name(&self) -> &'static str {
        "group"
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
        let gid = whole(args, "gid")?
            .map(|gid| {
                u32::try_from(gid)
                    .map_err(|_| ModuleError::failed(format!("gid {gid} is out of range")))
            })
            .transpose()?;
        let non_unique = args.bool("non_unique", false)?;
        if non_unique && gid.is_none() {
            return Err(ModuleError::failed(
                "non_unique is True but all of the following are missing: gid",
            ));
        }
        Ok(Desired {
            name: args.str("name")?.unwrap_or_default(),
            present,
            gid,
            system: args.bool("system", false)?,
            non_unique,
            force: args.bool("force", false)?,
            gid_min: whole(args, "gid_min")?,
            gid_max: whole(args, "gid_max")?,
        })
    }

    fn inspect(
        &self,
        want: &Desired,
        ctx: &mut ModuleContext,
    ) -> Result<Option<GroupEntry>, ModuleError> {
        let tools: &[&str] = if want.present {
            &["getent", "groupadd", "groupmod"]
        } else {
            &["getent", "groupdel"]
        };
        let answers = Probe::new()
            .require(tools)
            .ask("group", &format!("getent group {}", shell_quote(&want.name)))
            .run(ctx, "group")?;
        Ok(GroupEntry::parse(answers.line("group")))
    }

    fn diff(&self, want: &Desired, have: &Option<GroupEntry>) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        let name = want.name.as_str();
        match (have, want.present) {
            (None, true) => changes.add(
                "created",
                Some(Diff::attribute(name, "state", "absent", "present")),
            ),
            (Some(_), false) => changes.add(
                "removed",
                Some(Diff::attribute(name, "state", "present", "absent")),
            ),
            (Some(found), true) => {
                if let Some(gid) = want.gid
                    && gid != found.gid
                {
                    changes.add(
                        format!("gid {} -> {gid}", found.gid),
                        Some(Diff::attribute(
                            name,
                            "gid",
                            &found.gid.to_string(),
                            &gid.to_string(),
                        )),
                    );
                }
            }
            (None, false) => {}
        }
        Ok(changes)
    }

    fn apply(
        &self,
        want: &Desired,
        have: &Option<GroupEntry>,
        _changes: &Changes,
        ctx: &mut ModuleContext,
    ) -> Result<Outcome, ModuleError> {
        let mut argv: Vec<String> = Vec::new();
        let gid_words = |argv: &mut Vec<String>| {
            if let Some(gid) = want.gid {
                argv.extend(["-g".into(), gid.to_string()]);
                if want.non_unique {
                    argv.push("-o".into());
                }
            }
        };
        let what = match (have, want.present) {
            (None, _) => {
                argv.push("groupadd".into());
                gid_words(&mut argv);
                if want.system {
                    argv.push("-r".into());
                }
                if let Some(min) = want.gid_min {
                    argv.extend(["-K".into(), format!("GID_MIN={min}")]);
                }
                if let Some(max) = want.gid_max {
                    argv.extend(["-K".into(), format!("GID_MAX={max}")]);
                }
                "groupadd"
            }
            (Some(_), true) => {
                argv.push("groupmod".into());
                gid_words(&mut argv);
                "groupmod"
            }
            (Some(_), false) => {
                argv.push("groupdel".into());
                if want.force {
                    argv.push("-f".into());
                }
                "groupdel"
            }
        };
        argv.push(want.name.clone());
        let script: Vec<String> = argv.iter().map(|w| shell_quote(w)).collect();
        run_checked(ctx, what, &script.join(" "), None)?;
        let mut outcome = Outcome::ok();
        if want.present {
            let read = run_checked(
                ctx,
                "getent group",
                &format!("getent group {}", shell_quote(&want.name)),
                None,
            )?;
            if let Some(entry) = GroupEntry::parse(read.stdout_text().lines().next().unwrap_or(""))
            {
                outcome = outcome.with("gid", entry.gid);
            }
        }
        Ok(outcome)
    }

    fn describe(&self, want: &Desired, have: &Option<GroupEntry>) -> Outcome {
        let mut outcome = Outcome::ok()
            .with("name", want.name.as_str())
            .with("state", if want.present { "present" } else { "absent" });
        if let Some(found) = have
            && want.present
        {
            outcome = outcome
                .with("gid", found.gid)
                .with("system", want.system);
        } else if want.present {
            outcome = outcome.with("system", want.system);
        }
        outcome
    }
}
