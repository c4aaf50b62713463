//! `cron`: manage jobs (named by Ansible's `#Ansible: NAME` marker) and
//! variables in a user's crontab, through the host's `crontab`, or in a file
//! under `/etc/cron.d`. The edits are Ansible's (see `utils/crontab.rs`), so
//! the crontab ends up the same text.

use super::utils::crontab::{CronTab, Found, JobLine};
use super::utils::host::{read_file, run_checked, write_file};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;
use crate::value::Value;

pub(super) struct Cron;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "user",
        "job",
        "cron_file",
        "state",
        "backup",
        "minute",
        "hour",
        "day",
        "month",
        "weekday",
        "special_time",
        "disabled",
        "env",
        "insertafter",
        "insertbefore",
    ],
    aliases: &[("value", "job"), ("dom", "day"), ("dow", "weekday")],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    choices: &[("state", &["present", "absent"]), ("special_time", SPECIAL_TIMES)],
    ..ArgSpec::EMPTY
};

const SPECIAL_TIMES: &[&str] = &[
    "reboot", "yearly", "annually", "monthly", "weekly", "daily", "hourly",
];

#[derive(Debug, Clone)]
pub(super) struct Desired {
    name: String,
    user: Option<String>,
    job: Option<String>,
    /// The cron file as written, and its full path.
    cron_file: Option<(String, String)>,
    present: bool,
    backup: bool,
    fields: [String; 5],
    special_time: Option<String>,
    disabled: bool,
    env: bool,
    insert_after: Option<String>,
    insert_before: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    tab: CronTab,
    file_exists: bool,
    /// The user the connection runs as (`crontab -u` only for another user).
    login: String,
}

/// What the edit gives, computed the same way for `diff` and `apply`.
struct Edit {
    tab: CronTab,
    changed: bool,
    /// Removing the last job of a cron file removes the file.
    remove_file: bool,
}

impl Desired {
    fn header(&self) -> String {
        match (&self.cron_file, &self.user) {
            (Some((_, path)), _) => path.clone(),
            (None, Some(user)) => format!("crontab for user \"{user}\""),
            (None, None) => "crontab".into(),
        }
    }

    /// `-u USER` when the crontab is another user's.
    fn user_flag(&self, login: &str) -> String {
        match &self.user {
            Some(user) if user != login => format!("-u {} ", shell_quote(user)),
            _ => String::new(),
        }
    }
}

impl StateModule for Cron {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "cron"
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
                    "value of state must be one of: present, absent, got: {other}"
                )));
            }
        };
        let special_time = args.str("special_time")?;
        if let Some(special) = &special_time
            && !SPECIAL_TIMES.contains(&special.as_str())
        {
            return Err(ModuleError::failed(format!(
                "value of special_time must be one of: {}, got: {special}",
                SPECIAL_TIMES.join(", ")
            )));
        }
        let field = |name: &str| -> Result<String, ModuleError> {
            Ok(args.str(name)?.unwrap_or_else(|| "*".into()))
        };
        let fields = [
            field("minute")?,
            field("hour")?,
            field("day")?,
            field("month")?,
            field("weekday")?,
        ];
        let cron_file = args.str("cron_file")?.map(|file| {
            let path = if file.starts_with('/') {
                file.clone()
            } else {
                format!("/etc/cron.d/{file}")
            };
            (file, path)
        });
        let want = Desired {
            name: args.str("name")?.unwrap_or_default(),
            user: args.str("user")?,
            job: args.str("job")?,
            cron_file,
            present,
            backup: args.bool("backup", false)?,
            fields,
            special_time,
            disabled: args.bool("disabled", false)?,
            env: args.bool("env", false)?,
            insert_after: args.str("insertafter")?,
            insert_before: args.str("insertbefore")?,
        };
        if want.insert_after.is_some() && want.insert_before.is_some() {
            return Err(ModuleError::failed(
                "parameters are mutually exclusive: insertafter|insertbefore",
            ));
        }
        if let Some((_, path)) = &want.cron_file
            && path == "/etc/crontab"
        {
            return Err(ModuleError::failed(
                "Will not manage /etc/crontab via cron_file, see documentation.",
            ));
        }
        if want.special_time.is_some() && want.fields.iter().any(|f| f != "*") {
            return Err(ModuleError::failed(
                "You must specify time and date fields or special time.",
            ));
        }
        if want.present {
            if want.cron_file.is_some() && want.user.is_none() {
                return Err(ModuleError::failed(
                    "To use cron_file=... parameter you must specify user=... as well",
                ));
            }
            if want.job.is_none() {
                return Err(ModuleError::failed(
                    "You must specify 'job' to install a new cron job or variable",
                ));
            }
            if (want.insert_after.is_some() || want.insert_before.is_some()) && !want.env {
                return Err(ModuleError::failed(
                    "Insertafter and insertbefore parameters are valid only with env=yes",
                ));
            }
        }
        if want.env && want.name.contains(' ') {
            return Err(ModuleError::failed("Invalid name for environment variable"));
        }
        Ok(want)
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let mut probe = Probe::new();
        probe.require(&["crontab"]).ask("login", "id -un");
        let answers = probe.run(ctx, "cron")?;
        let login = answers.line("login").to_string();
        if let Some((_, path)) = &want.cron_file {
            let text = read_file(ctx, path)?;
            let file_exists = text.is_some();
            let text = String::from_utf8_lossy(&text.unwrap_or_default()).into_owned();
            return Ok(Observed {
                tab: CronTab::from_file(&text),
                file_exists,
                login,
            });
        }
        let output = ctx
            .connection()?
            .run(&format!("crontab {}-l", want.user_flag(&login)), None)?;
        // 1 means no crontab yet.
        if output.rc != 0 && output.rc != 1 {
            return Err(ModuleError::failed(format!(
                "Unable to read crontab on {}: {}",
                ctx.host,
                output.stderr_text().trim()
            )));
        }
        let listing = if output.rc == 0 {
            output.stdout_text()
        } else {
            String::new()
        };
        Ok(Observed {
            tab: CronTab::from_listing(&listing),
            file_exists: false,
            login,
        })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let edit = edit(want, have)?;
        let mut changes = Changes::none();
        if edit.changed {
            let (after, after_header) = if edit.remove_file {
                (String::new(), "/dev/null".to_string())
            } else {
                (edit.tab.render(), want.header())
            };
            changes.add(
                "crontab",
                Some(Diff {
                    before_header: want.header(),
                    after_header,
                    before: have.tab.existing.clone(),
                    after,
                }),
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
        let edit = edit(want, have)?;
        let mut outcome = Outcome::ok();
        if want.backup {
            let backup = run_checked(ctx, "mktemp", "mktemp \"${TMPDIR:-/tmp}/crontabXXXXXXXX\"", None)?;
            let path = backup.stdout_text().trim().to_string();
            write_file(ctx, &path, have.tab.render().as_bytes(), Some(0o600))?;
            outcome = outcome.with("backup_file", path);
        }
        match &want.cron_file {
            Some((_, path)) if edit.remove_file => {
                run_checked(ctx, "removing the cron file", &format!("rm -f -- {}", shell_quote(path)), None)?;
            }
            Some((_, path)) => {
                let mode = (!have.file_exists).then_some(0o644);
                write_file(ctx, path, edit.tab.render().as_bytes(), mode)?;
            }
            None => {
                let text = edit.tab.render();
                run_checked(
                    ctx,
                    "Failed to install new cronfile: crontab",
                    &format!("crontab {}-", want.user_flag(&have.login)),
                    Some(text.as_bytes()),
                )?;
            }
        }
        Ok(outcome)
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let mut outcome = Outcome::ok();
        match edit(want, have) {
            Ok(edit) if edit.remove_file => {
                outcome = outcome.with("state", if want.present { "present" } else { "absent" });
            }
            Ok(edit) => {
                let list = |names: Vec<String>| Value::from(names.into_iter().map(Value::from).collect::<Vec<_>>());
                outcome = outcome
                    .with("jobs", list(edit.tab.job_names()))
                    .with("envs", list(edit.tab.env_names()));
            }
            Err(_) => {}
        }
        if let Some((file, _)) = &want.cron_file {
            outcome = outcome.with("cron_file", file.as_str());
        }
        outcome
    }
}

fn edit(want: &Desired, have: &Observed) -> Result<Edit, ModuleError> {
    let mut tab = have.tab.clone();
    let mut changed = false;
    let mut remove_file = false;
    let job = want.job.clone().unwrap_or_default();
    if want.env {
        let decl = format!("{}=\"{job}\"", want.name);
        let old = tab.find_env(&want.name);
        if want.present {
            match old {
                None => {
                    tab.add_env(
                        &decl,
                        want.insert_after.as_deref(),
                        want.insert_before.as_deref(),
                    )
                    .map_err(ModuleError::failed)?;
                    changed = true;
                }
                Some((_, line)) if line != decl => {
                    tab.update_env(&want.name, Some(&decl));
                    changed = true;
                }
                Some(_) => {}
            }
        } else if old.is_some() {
            tab.update_env(&want.name, None);
            changed = true;
        }
    } else if want.present {
        let [minute, hour, day, month, weekday] = &want.fields;
        let line = JobLine {
            minute,
            hour,
            day,
            month,
            weekday,
            job: &job,
            special: want.special_time.as_deref(),
            disabled: want.disabled,
            file_user: want.cron_file.as_ref().and(want.user.as_deref()),
        }
        .render();
        match tab.find_job(&want.name, Some(&line)) {
            Found::Absent => {
                tab.add_job(&want.name, &line);
                changed = true;
            }
            Found::Named(old) if old != line => {
                tab.update_job(&want.name, Some(&line));
                changed = true;
            }
            Found::Named(_) => {}
            Found::Adopted => {
                tab.update_job(&want.name, Some(&line));
                changed = true;
            }
        }
    } else if tab.find_job(&want.name, None) != Found::Absent {
        tab.update_job(&want.name, None);
        changed = true;
        if want.cron_file.is_some() && tab.is_empty() {
            remove_file = true;
            changed = have.file_exists;
        }
    }
    if !changed && !have.tab.existing.is_empty() && !have.tab.existing.ends_with(['\r', '\n']) {
        changed = true;
    }
    Ok(Edit {
        tab,
        changed,
        remove_file,
    })
}
