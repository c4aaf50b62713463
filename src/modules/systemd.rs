//! `systemd` (also `systemd_service` and `service`): start, stop, restart,
//! reload, enable and mask units through `systemctl`. One round trip reads
//! `show`, `is-active` and `is-enabled`; only what differs is changed, except
//! `restarted`/`reloaded`, which always act (as in Ansible).

use super::{
    ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule,
};
use crate::connection::shell_quote;
use crate::value::{Value, map_from_pairs};

/// The module under one of its names.
pub(super) struct Systemd(pub &'static str);

static SPEC: ArgSpec = ArgSpec {
    names: &[
        "name",
        "state",
        "enabled",
        "masked",
        "daemon_reload",
        "daemon_reexec",
        "scope",
        "no_block",
        "force",
        // `service`'s own arguments, accepted and ignored on systemd hosts
        // as Ansible's `service` does when it hands over to `systemd`.
        "sleep",
        "pattern",
        "runlevel",
        "arguments",
        "use",
    ],
    aliases: &[
        ("service", "name"),
        ("unit", "name"),
        ("daemon-reload", "daemon_reload"),
        ("daemon-reexec", "daemon_reexec"),
        ("args", "arguments"),
    ],
    free_form: FreeForm::KeyValue,
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Started,
    Stopped,
    Restarted,
    Reloaded,
}

impl State {
    fn parse(text: &str) -> Result<Self, ModuleError> {
        match text {
            "started" => Ok(Self::Started),
            "stopped" => Ok(Self::Stopped),
            "restarted" => Ok(Self::Restarted),
            "reloaded" => Ok(Self::Reloaded),
            other => Err(ModuleError::failed(format!(
                "value of state must be one of: reloaded, restarted, started, stopped, got: {other}"
            ))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Stopped => "stopped",
            Self::Restarted => "restarted",
            Self::Reloaded => "reloaded",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Desired {
    name: Option<String>,
    state: Option<State>,
    enabled: Option<bool>,
    masked: Option<bool>,
    daemon_reload: bool,
    daemon_reexec: bool,
    no_block: bool,
}

/// The unit as `systemctl` reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Observed {
    /// Every `systemctl show` property (`ActiveState`, `UnitFileState`...).
    status: Vec<(String, String)>,
    /// What `is-active` printed (`active`, `inactive`, `failed`...).
    active: String,
    /// What `is-enabled` printed (`enabled`, `disabled`, `masked`, `static`...).
    enabled_state: String,
    enabled_rc: i32,
}

impl Observed {
    fn property(&self, key: &str) -> Option<&str> {
        self.status
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn found(&self) -> bool {
        self.property("LoadState")
            .is_some_and(|load| load != "not-found")
            || self.enabled_state == "masked"
    }

    fn is_running(&self) -> bool {
        matches!(
            self.active.as_str(),
            "active" | "activating" | "reloading" | "deactivating"
        )
    }

    fn is_enabled(&self) -> bool {
        self.enabled_rc == 0
    }

    fn is_masked(&self) -> bool {
        self.enabled_state.starts_with("masked")
    }
}

impl StateModule for Systemd {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        self.0
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        if let Some(scope) = args.str("scope")?
            && scope != "system"
        {
            return Err(ModuleError::failed(format!(
                "scope `{scope}` is not supported (only `system`)"
            )));
        }
        let optional_bool = |name: &str| -> Result<Option<bool>, ModuleError> {
            Ok(match args.has(name) {
                true => Some(args.bool(name, false)?),
                false => None,
            })
        };
        let want = Desired {
            name: args.str("name")?.filter(|name| !name.is_empty()),
            state: args
                .str("state")?
                .as_deref()
                .map(State::parse)
                .transpose()?,
            enabled: optional_bool("enabled")?,
            masked: optional_bool("masked")?,
            daemon_reload: args.bool("daemon_reload", false)?,
            daemon_reexec: args.bool("daemon_reexec", false)?,
            no_block: args.bool("no_block", false)?,
        };
        let acts_on_unit = want.state.is_some() || want.enabled.is_some() || want.masked.is_some();
        if acts_on_unit && want.name.is_none() {
            return Err(ModuleError::failed(
                "missing parameter(s) required by 'state', 'enabled' or 'masked': name",
            ));
        }
        if want.name.is_none() && !want.daemon_reload && !want.daemon_reexec {
            return Err(ModuleError::failed(
                "one of the following is required: name, daemon_reload, daemon_reexec",
            ));
        }
        Ok(want)
    }

    /// `daemon-reload` runs here, before the unit is read, so a unit file
    /// written by an earlier task is seen; it changes no file on the host, and
    /// is skipped in check mode as Ansible does.
    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let mut script = String::from(
            "command -v systemctl >/dev/null 2>&1 || { echo 'systemctl is not installed' >&2; exit 127; }\n",
        );
        if !ctx.check_mode {
            if want.daemon_reexec {
                script.push_str("systemctl daemon-reexec || exit 10\n");
            }
            if want.daemon_reload {
                script.push_str("systemctl daemon-reload || exit 10\n");
            }
        }
        if let Some(name) = &want.name {
            script.push_str(&inspect_script(name));
        }
        let output = ctx.connection()?.run(&script, None)?;
        if output.rc != 0 {
            return Err(ModuleError::failed(format!(
                "systemctl failed on {} (rc={}): {}",
                ctx.host,
                output.rc,
                output.stderr_text().trim()
            )));
        }
        let observed = parse_observed(&output.stdout_text());
        if want.name.is_some()
            && (want.state.is_some() || want.enabled.is_some())
            && !observed.found()
        {
            return Err(ModuleError::failed(format!(
                "Could not find the requested service {}: host",
                want.name.as_deref().unwrap_or_default()
            )));
        }
        Ok(observed)
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let unit = want.name.as_deref().unwrap_or_default();
        let mut changes = Changes::none();
        if let Some(masked) = want.masked
            && masked != have.is_masked()
        {
            let (before, after) = (yes_no(have.is_masked()), yes_no(masked));
            changes.add(
                format!("masked {before} -> {after}"),
                Some(Diff::attribute(unit, "masked", before, after)),
            );
        }
        if let Some(enabled) = want.enabled
            && enabled != have.is_enabled()
        {
            let (before, after) = (yes_no(have.is_enabled()), yes_no(enabled));
            changes.add(
                format!("enabled {before} -> {after}"),
                Some(Diff::attribute(unit, "enabled", before, after)),
            );
        }
        if let Some(state) = want.state
            && let Some(verb) = state_verb(state, have.is_running())
        {
            let before = if have.active.is_empty() {
                "unknown"
            } else {
                have.active.as_str()
            };
            changes.add(
                format!("{verb} {unit}"),
                Some(Diff::attribute(unit, "state", before, state.as_str())),
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
        let unit = shell_quote(want.name.as_deref().unwrap_or_default());
        let no_block = if want.no_block { " --no-block" } else { "" };
        let mut commands = Vec::new();
        if let Some(masked) = want.masked
            && masked != have.is_masked()
        {
            let verb = if masked { "mask" } else { "unmask" };
            commands.push(format!("systemctl {verb} {unit}"));
        }
        if let Some(enabled) = want.enabled
            && enabled != have.is_enabled()
        {
            let verb = if enabled { "enable" } else { "disable" };
            commands.push(format!("systemctl {verb} {unit}"));
        }
        if let Some(state) = want.state
            && let Some(verb) = state_verb(state, have.is_running())
        {
            commands.push(format!("systemctl{no_block} {verb} {unit}"));
        }
        for command in commands {
            super::utils::host::run_checked(ctx, &command, &command, None)?;
        }
        Ok(Outcome::ok())
    }

    fn describe(&self, want: &Desired, have: &Observed) -> Outcome {
        let mut outcome = Outcome::ok();
        if let Some(name) = &want.name {
            outcome = outcome.with("name", name.as_str());
            let status: Vec<(&str, Value)> = have
                .status
                .iter()
                .map(|(k, v)| (k.as_str(), Value::from(v.as_str())))
                .collect();
            outcome = outcome.with("status", map_from_pairs(status));
        }
        if let Some(state) = want.state {
            outcome = outcome.with("state", state.as_str());
        }
        if let Some(enabled) = want.enabled {
            outcome = outcome.with("enabled", enabled);
        }
        outcome
    }
}

/// The `systemctl` verb that brings a unit to `state`, if any is needed.
fn state_verb(state: State, running: bool) -> Option<&'static str> {
    match (state, running) {
        (State::Started, false) => Some("start"),
        (State::Started, true) => None,
        (State::Stopped, true) => Some("stop"),
        (State::Stopped, false) => None,
        (State::Restarted | State::Reloaded, false) => Some("start"),
        (State::Restarted, true) => Some("restart"),
        (State::Reloaded, true) => Some("reload"),
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// Read `show`, `is-active` and `is-enabled` of `name`, each under a marker line.
fn inspect_script(name: &str) -> String {
    let unit = shell_quote(name);
    format!(
        "echo '@@show'; systemctl show {unit} 2>/dev/null\n\
         echo '@@active'; systemctl is-active {unit} 2>/dev/null\n\
         echo '@@enabled'; systemctl is-enabled {unit} 2>/dev/null; echo \"@@enabled-rc=$?\"\n\
         exit 0\n"
    )
}

fn parse_observed(text: &str) -> Observed {
    let mut observed = Observed::default();
    let mut section = "";
    for line in text.lines() {
        if let Some(rc) = line.strip_prefix("@@enabled-rc=") {
            observed.enabled_rc = rc.trim().parse().unwrap_or(1);
            continue;
        }
        if let Some(marker) = line.strip_prefix("@@") {
            section = match marker {
                "show" => "show",
                "active" => "active",
                "enabled" => "enabled",
                _ => "",
            };
            continue;
        }
        match section {
            "show" => {
                if let Some((key, value)) = line.split_once('=') {
                    observed.status.push((key.to_string(), value.to_string()));
                }
            }
            "active" if observed.active.is_empty() => observed.active = line.trim().to_string(),
            "enabled" if observed.enabled_state.is_empty() => {
                observed.enabled_state = line.trim().to_string();
            }
            _ => {}
        }
    }
    observed
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNNING: &str = "@@show\nId=web.service\nLoadState=loaded\nActiveState=active\n@@active\nactive\n@@enabled\nenabled\n@@enabled-rc=0\n";
    const STOPPED: &str = "@@show\nId=web.service\nLoadState=loaded\nActiveState=inactive\n@@active\ninactive\n@@enabled\ndisabled\n@@enabled-rc=1\n";

    fn want(state: Option<State>, enabled: Option<bool>) -> Desired {
        Desired {
            name: Some("web".into()),
            state,
            enabled,
            masked: None,
            daemon_reload: false,
            daemon_reexec: false,
            no_block: false,
        }
    }

    fn changes(want: &Desired, text: &str) -> Vec<String> {
        Systemd("systemd")
            .diff(want, &parse_observed(text))
            .expect("diff")
            .what
    }

    #[test]
    fn reads_what_systemctl_prints() {
        let observed = parse_observed(RUNNING);
        assert!(observed.found() && observed.is_running() && observed.is_enabled());
        assert_eq!(observed.property("Id"), Some("web.service"));
        let stopped = parse_observed(STOPPED);
        assert!(!stopped.is_running() && !stopped.is_enabled());
        let missing = parse_observed(
            "@@show\nLoadState=not-found\n@@active\ninactive\n@@enabled\n@@enabled-rc=1\n",
        );
        assert!(!missing.found());
    }

    #[test]
    fn only_what_differs_changes() {
        assert!(changes(&want(Some(State::Started), Some(true)), RUNNING).is_empty());
        assert!(changes(&want(Some(State::Stopped), Some(false)), STOPPED).is_empty());
        assert_eq!(
            changes(&want(Some(State::Started), Some(true)), STOPPED),
            vec!["enabled no -> yes", "start web"]
        );
        assert_eq!(
            changes(&want(Some(State::Stopped), None), RUNNING),
            vec!["stop web"]
        );
    }

    #[test]
    fn restarted_and_reloaded_always_act() {
        assert_eq!(
            changes(&want(Some(State::Restarted), None), RUNNING),
            vec!["restart web"]
        );
        assert_eq!(
            changes(&want(Some(State::Reloaded), None), RUNNING),
            vec!["reload web"]
        );
        assert_eq!(
            changes(&want(Some(State::Reloaded), None), STOPPED),
            vec!["start web"]
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_host_output(text in "\\PC{0,200}") {
            let _ = parse_observed(&text);
        }
    }
}
