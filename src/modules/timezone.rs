//! `timezone` (community.general): the system time zone and whether the
//! hardware clock keeps UTC. With a working `timedatectl`, through it;
//! otherwise Debian's files as Ansible edits them: `/etc/timezone`, the
//! `/etc/localtime` link, `dpkg-reconfigure tzdata`, `UTC=` in
//! `/etc/default/rcS` and `hwclock --systohc`.

use super::utils::host::{run_checked, write_file};
use super::utils::probe::{Answers, Probe};
use super::{ArgSpec, Args, Changes, Diff, FreeForm, ModuleContext, ModuleError, Outcome, StateModule};
use crate::connection::shell_quote;

pub(super) struct Timezone;

static SPEC: ArgSpec = ArgSpec {
    names: &["name", "hwclock"],
    aliases: &[("rtc", "hwclock")],
    free_form: FreeForm::KeyValue,
    choices: &[("hwclock", &["local", "UTC"])],
    ..ArgSpec::EMPTY
};

#[derive(Debug, Clone)]
pub(super) struct Desired {
    name: Option<String>,
    /// `local` or `UTC`.
    hwclock: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Observed {
    systemd: bool,
    name: String,
    hwclock: String,
    timezone_file: String,
    rcs_file: String,
}

impl StateModule for Timezone {
    type Desired = Desired;
    type Observed = Observed;

    fn name(&self) -> &'static str {
        "timezone"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn desired(&self, args: &Args, _ctx: &ModuleContext) -> Result<Desired, ModuleError> {
        let hwclock = args.str("hwclock")?;
        if let Some(value) = &hwclock
            && value != "local"
            && value != "UTC"
        {
            return Err(ModuleError::failed(format!(
                "value of hwclock must be one of: local, UTC, got: {value}"
            )));
        }
        let name = args.str("name")?;
        if name.is_none() && hwclock.is_none() {
            return Err(ModuleError::failed(
                "one of the following is required: name, hwclock",
            ));
        }
        Ok(Desired { name, hwclock })
    }

    fn inspect(&self, want: &Desired, ctx: &mut ModuleContext) -> Result<Observed, ModuleError> {
        let zone = want.name.as_deref().unwrap_or("UTC");
        let tzfile = shell_quote(&format!("/usr/share/zoneinfo/{zone}"));
        let answers = Probe::new()
            .ask("timedatectl", "timedatectl >/dev/null 2>&1 && echo yes")
            .ask("status", "timedatectl status")
            .ask("tzfile", &format!("[ -f {tzfile} ] && echo yes"))
            .ask("timezone", "cat /etc/timezone")
            .ask("is_link", "[ -L /etc/localtime ] && echo yes")
            .ask("link", "[ -e /etc/localtime ] && readlink /etc/localtime")
            .ask("same", &format!("cmp -s /etc/localtime {tzfile} && echo yes"))
            .ask("rcs", "cat /etc/default/rcS")
            .ask("adjtime", "cat /etc/adjtime")
            .ask("dpkg_reconfigure", "command -v dpkg-reconfigure >/dev/null && echo yes")
            .ask("hwclock_tool", "command -v hwclock >/dev/null && echo yes")
            .run(ctx, "timezone")?;
        if want.name.is_some() && !answers.yes("tzfile") {
            return Err(ModuleError::failed(format!(
                "Error message:\ngiven timezone \"{zone}\" is not available"
            )));
        }
        if answers.yes("timedatectl") {
            return Ok(systemd_observed(&answers));
        }
        if !answers.yes("dpkg_reconfigure") {
            return Err(ModuleError::failed(format!(
                "timezone needs a working timedatectl or Debian's dpkg-reconfigure on {}, which has neither",
                ctx.host
            )));
        }
        if want.hwclock.is_some() && !answers.yes("hwclock_tool") {
            return Err(ModuleError::failed(format!(
                "timezone needs hwclock on {}, which is not installed there",
                ctx.host
            )));
        }
        Ok(debian_observed(want, &answers))
    }

    fn diff(&self, want: &Desired, have: &Observed) -> Result<Changes, ModuleError> {
        let mut changes = Changes::none();
        let mut before = String::new();
        let mut after = String::new();
        if let Some(name) = &want.name {
            before.push_str(&format!("name: {}\n", have.name));
            after.push_str(&format!("name: {name}\n"));
        }
        if let Some(hwclock) = &want.hwclock {
            before.push_str(&format!("hwclock: {}\n", have.hwclock));
            after.push_str(&format!("hwclock: {hwclock}\n"));
        }
        if before != after {
            changes.add(
                "timezone",
                Some(Diff {
                    before_header: "timezone".into(),
                    after_header: "timezone".into(),
                    before,
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
        let mut messages: Vec<String> = Vec::new();
        if let Some(name) = want.name.as_ref().filter(|n| **n != have.name) {
            let zone = shell_quote(name);
            if have.systemd {
                run_checked(ctx, "timedatectl", &format!("timedatectl set-timezone {zone}"), None)?;
            } else {
                let (text, removed) = edit_file(&have.timezone_file, first_word, &format!("{name}\n"));
                write_file(ctx, "/etc/timezone", text.as_bytes(), None)?;
                messages.push(format!("Added 1 line and deleted {removed} line(s) on /etc/timezone"));
                run_checked(
                    ctx,
                    "setting the time zone",
                    &format!(
                        "ln -sf {} /etc/localtime && dpkg-reconfigure --frontend noninteractive tzdata",
                        shell_quote(&format!("/usr/share/zoneinfo/{name}"))
                    ),
                    None,
                )?;
            }
        }
        if let Some(hwclock) = want.hwclock.as_ref().filter(|h| **h != have.hwclock) {
            let local = hwclock == "local";
            if have.systemd {
                run_checked(
                    ctx,
                    "timedatectl",
                    &format!("timedatectl set-local-rtc {}", if local { "yes" } else { "no" }),
                    None,
                )?;
            } else {
                let line = format!("UTC={}\n", if local { "no" } else { "yes" });
                let (text, removed) = edit_file(&have.rcs_file, rcs_utc, &line);
                write_file(ctx, "/etc/default/rcS", text.as_bytes(), None)?;
                messages.push(format!("Added 1 line and deleted {removed} line(s) on /etc/default/rcS"));
                let option = if local { "--localtime" } else { "--utc" };
                run_checked(ctx, "hwclock", &format!("hwclock --systohc {option}"), None)?;
                messages.push(format!("executed `hwclock --systohc {option}`"));
            }
        }
        let mut outcome = Outcome::ok();
        if !messages.is_empty() {
            outcome.msg = Some(messages.join("\n"));
        }
        Ok(outcome)
    }
}

fn systemd_observed(answers: &Answers) -> Observed {
    let field = |label: &str| {
        answers
            .text("status")
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim().replace(' ', "") == label).then(|| {
                    value.split_whitespace().next().unwrap_or_default().to_string()
                })
            })
            .unwrap_or_default()
    };
    let local = crate::value::parse_bool(&field("RTCinlocalTZ")).unwrap_or(false);
    Observed {
        systemd: true,
        name: field("Timezone"),
        hwclock: if local { "local" } else { "UTC" }.into(),
        timezone_file: String::new(),
        rcs_file: String::new(),
    }
}

fn first_word(line: &str) -> Option<&str> {
    line.split_whitespace()
        .next()
        .filter(|_| !line.starts_with(char::is_whitespace))
}

fn rcs_utc(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("UTC")?.trim_start().strip_prefix('=')?;
    rest.split_whitespace().next()
}

fn debian_observed(want: &Desired, answers: &Answers) -> Observed {
    let timezone_file = answers.text("timezone").to_string();
    let mut name = timezone_file
        .lines()
        .find_map(first_word)
        .unwrap_or("n/a")
        .to_string();
    if want.name.as_deref() == Some(name.as_str()) {
        if answers.yes("is_link") {
            let link = answers.line("link");
            let zone = ["/usr/share/zoneinfo/", "/etc/zoneinfo/"]
                .iter()
                .find_map(|prefix| link.find(prefix).map(|at| &link[at + prefix.len()..]));
            match zone {
                Some(zone) if !link.is_empty() => {
                    if Some(zone) != want.name.as_deref() {
                        name = zone.to_string();
                    }
                }
                _ => name = "n/a".into(),
            }
        } else if !answers.yes("same") {
            name = "n/a".into();
        }
    }
    let rcs_file = answers.text("rcs").to_string();
    let mut hwclock = match rcs_file.lines().find_map(rcs_utc) {
        Some(value) if crate::value::parse_bool(value) == Some(true) => "UTC".to_string(),
        Some(_) => "local".to_string(),
        None => "n/a".to_string(),
    };
    if want.hwclock.as_deref() == Some(hwclock.as_str()) {
        hwclock = match answers
            .text("adjtime")
            .lines()
            .find(|l| *l == "UTC" || *l == "LOCAL")
        {
            Some("LOCAL") => "local".into(),
            _ => "UTC".into(),
        };
    }
    Observed {
        systemd: false,
        name,
        hwclock,
        timezone_file,
        rcs_file,
    }
}

/// Ansible's `_edit_file`: the first matching line becomes `line`, the
/// other matches go; returns the text and how many lines were removed.
fn edit_file(text: &str, matches: fn(&str) -> Option<&str>, line: &str) -> (String, usize) {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let found: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| matches(l).is_some())
        .map(|(i, _)| i)
        .collect();
    let at = found.first().copied().unwrap_or(0);
    for index in found.iter().rev() {
        lines.remove(*index);
    }
    lines.insert(at.min(lines.len()), line.to_string());
    (lines.concat(), found.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_line_is_replaced_and_the_rest_removed() {
        let (text, removed) = edit_file("# c\nUTC=no\nX=1\nUTC = no\n", rcs_utc, "UTC=yes\n");
        assert_eq!((text.as_str(), removed), ("# c\nUTC=yes\nX=1\n", 2));
        let (text, _) = edit_file("", first_word, "Europe/Paris\n");
        assert_eq!(text, "Europe/Paris\n");
    }

    proptest::proptest! {
        #[test]
        fn editing_twice_is_editing_once(text in "[A-Za-z=/ \n#]{0,40}") {
            let (once, _) = edit_file(&text, rcs_utc, "UTC=yes\n");
            let (twice, _) = edit_file(&once, rcs_utc, "UTC=yes\n");
            proptest::prop_assert_eq!(once, twice);
        }
    }
}
