//! `hostname`: set the host's name the way Ansible's strategies do: with
//! `hostnamectl` where systemd runs (or `use: systemd`/`debian`), else in
//! `/etc/hostname` (Debian's file strategy; `use: alpine` also runs
//! `hostname -F`). Sets `ansible_hostname`, `ansible_nodename`,
//! `ansible_fqdn` and `ansible_domain`.

use super::utils::host::{run_checked, write_file};
use super::utils::probe::Probe;
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct Hostname;

static SPEC: ArgSpec = ArgSpec {
    names: &["name", "use"],
    required: &["name"],
    free_form: FreeForm::KeyValue,
    choices: &[("use", STRATEGIES)],
    ..ArgSpec::EMPTY
};

const STRATEGIES: &[&str] = &[
    "alpine", "debian", "freebsd", "generic", "macos", "macosx", "darwin", "openbsd", "openrc",
    "redhat", "sles", "solaris", "systemd",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    Systemd,
    /// The name lives in this file; `hostname -F` applies it (Alpine).
    File(&'static str, bool),
}

#[derive(Debug, Clone)]
pub(super) struct Desired {
    name: String,
    /// `None`: decided on the host (systemd running or not).
    strategy: Option<Strategy>,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    strategy: Strategy,
    current: String,
    permanent: String,
    fqdn: String,
}

impl StateModule for Hostname {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "hostname"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let strategy = match args.str("use")?.as_deref() {
            None => None,
            Some("systemd" | "debian") => Some(Strategy::Systemd),
            Some("alpine") => Some(Strategy::File("/etc/hostname", true)),
            Some("sles") => Some(Strategy::File("/etc/HOSTNAME", false)),
            Some(other) if STRATEGIES.contains(&other) => {
                return Err(ModuleError::failed(format!(
                    "hostname `use: {other}` is not supported by runbook (systemd, debian, alpine and sles are)"
                )));
            }
            Some(other) => {
                return Err(ModuleError::failed(format!(
                    "value of use must be one of: {}, got: {other}",
                    STRATEGIES.join(", ")
                )));
            }
        };
        let name = args.str("name")?.unwrap_or_default();
        if strategy == Some(Strategy::Systemd) && name.len() > 64 {
            return Err(ModuleError::failed(
                "name cannot be longer than 64 characters on systemd servers, try a shorter name",
            ));
        }
        Ok(Desired { name, strategy })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let answers = Probe::new()
            .ask("systemd", "[ -d /run/systemd/system ] && echo yes")
            .ask("fqdn", "hostname -f || uname -n")
            .run(ctx, "hostname")?;
        let strategy = want.strategy.unwrap_or(if answers.yes("systemd") {
            Strategy::Systemd
        } else {
            Strategy::File("/etc/hostname", false)
        });
        let (current, permanent) = match strategy {
            Strategy::Systemd => {
                let read = Probe::new()
                    .require(&["hostnamectl"])
                    .ask("transient", "hostnamectl --transient status || echo '@failed'")
                    .ask("static", "hostnamectl --static status || echo '@failed'")
                    .run(ctx, "hostname")?;
                if read.text("transient").contains("@failed") || read.text("static").contains("@failed") {
                    return Err(ModuleError::failed(format!(
                        "hostnamectl cannot read the hostname on {} (is systemd-hostnamed running?)",
                        ctx.host
                    )));
                }
                (read.line("transient").to_string(), read.line("static").to_string())
            }
            Strategy::File(file, applies) => {
                let path = shell_quote(file);
                let read = Probe::new()
                    .ask("file", &format!("[ -f {path} ] && cat -- {path}"))
                    .ask("running", "hostname || uname -n")
                    .run(ctx, "hostname")?;
                let permanent = read.text("file").trim().to_string();
                let current = if applies {
                    read.line("running").to_string()
                } else {
                    permanent.clone()
                };
                (current, permanent)
            }
        };
        Ok(Observed {
            strategy,
            current,
            permanent,
            fqdn: answers.line("fqdn").to_string(),
        })
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        if have.current != want.name || have.permanent != want.name {
            let before = if want.name != have.current {
                &have.current
            } else {
                &have.permanent
            };
            changes.add(
                format!("hostname {before} -> {}", want.name),
                Some(Diff {
                    before_header: String::new(),
                    after_header: String::new(),
                    before: format!("hostname = {before}\n"),
                    after: format!("hostname = {}\n", want.name),
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
        let name = shell_quote(&want.name);
        match have.strategy {
            Strategy::Systemd => {
                if have.permanent != want.name {
                    run_checked(
                        ctx,
                        "hostnamectl",
                        &format!("hostnamectl --pretty --static set-hostname {name}"),
                        None,
                    )?;
                }
                if have.current != want.name {
                    run_checked(
                        ctx,
                        "hostnamectl",
                        &format!("hostnamectl --transient set-hostname {name}"),
                        None,
                    )?;
                }
            }
            Strategy::File(file, applies) => {
                if have.permanent != want.name {
                    write_file(ctx, file, format!("{}\n", want.name).as_bytes(), None)?;
                }
                if applies && have.current != want.name {
                    run_checked(ctx, "hostname", &format!("hostname -F {}", shell_quote(file)), None)?;
                }
            }
        }
        Ok(Outcome::ok())
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let mut outcome = Outcome::ok().with("name", want.name.as_str());
        let short = want.name.split('.').next().unwrap_or_default().to_string();
        let domain = have.fqdn.split('.').skip(1).collect::<Vec<_>>().join(".");
        outcome.facts.insert("ansible_hostname".into(), short.into());
        outcome
            .facts
            .insert("ansible_nodename".into(), want.name.as_str().into());
        outcome
            .facts
            .insert("ansible_fqdn".into(), have.fqdn.as_str().into());
        outcome.facts.insert("ansible_domain".into(), domain.into());
        outcome
    }
}
