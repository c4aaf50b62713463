//! `runbook plan`: a check-mode run written as a plan; and `play --plan`,
//! which holds each host's fresh prediction against the plan before it
//! applies anything there (docs/plan.md).

use std::path::Path;
use std::sync::Arc;

use super::play::{Records, check_limit, git_state, load_all, play_inventory, run_all};
use crate::cli::settings::{PlanGate, PlanSettings, PlaySettings};
use crate::cli::{Failure, Outcome};
use crate::executor::{Event, HostResult, Status};
use crate::inventory::Inventory;
use crate::plan::{PLAN_FORMAT, Plan, PlannedPlaybook};
use crate::report::{
    JunitReport, PlanRecorder, Reporter, Silent, Tee, WithRefusedHosts, now, plan_summary,
};
use crate::source::{Diagnostic, ErrorKind};
use crate::value::{Value, map_from_pairs};

pub(super) fn plan(
    settings: PlanSettings,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, Failure> {
    let PlanSettings { play, out } = settings;
    let playbooks = load_all(&play)?;
    let inventory = play_inventory(&play, &playbooks)?;
    super::warn_inventory(&inventory, reporter);
    if let Some(limit) = &play.run.limit {
        check_limit(&inventory, limit)?;
    }
    // Hashed before the run: the plan is of the playbooks as they were read.
    let planned_playbooks = playbook_hashes(&play)?;
    let mut recorder = PlanRecorder::new(&play.cwd);
    let mut junit = JunitReport::default();
    let mut records = Records {
        plan: Some(&mut recorder),
        junit: play.junit.is_some().then_some(&mut junit),
        ..Records::default()
    };
    let outcome = run_all(&play.run, playbooks, &inventory, reporter, &mut records)?;
    if let Some(path) = &play.junit {
        junit.write(path).map_err(|e| {
            Diagnostic::runtime(format!(
                "cannot write the JUnit report {}: {e}",
                path.display()
            ))
        })?;
    }
    let plan = Plan {
        format: PLAN_FORMAT,
        created: now(),
        runbook_version: env!("CARGO_PKG_VERSION").to_string(),
        playbooks: planned_playbooks,
        inventory: play.inventory.clone(),
        limit: play.run.limit.clone(),
        extra_vars: play.run.extra_vars.keys().cloned().collect(),
        git: git_state(&play),
        hosts: recorder.finish(),
    };
    write_plan(&out, &plan)?;
    reporter.notice(&format!(
        "Plan written to {}: {}",
        shown(&out, &play.cwd),
        plan_summary(&plan)
    ));
    Ok(outcome)
}

/// Written whole or not at all: a reviewer never sees half a plan.
fn write_plan(path: &Path, plan: &Plan) -> Result<(), Diagnostic> {
    let cannot = |e: std::io::Error| {
        Diagnostic::runtime(format!("cannot write the plan {}: {e}", path.display()))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    std::io::Write::write_all(&mut file, plan.to_json().as_bytes()).map_err(cannot)?;
    file.persist(path).map_err(|e| cannot(e.error))?;
    Ok(())
}

fn playbook_hashes(settings: &PlaySettings) -> Result<Vec<PlannedPlaybook>, Diagnostic> {
    settings
        .playbooks
        .iter()
        .map(|path| {
            PlannedPlaybook::read(&path.display().to_string(), &settings.cwd.join(path))
                .map_err(Diagnostic::runtime)
        })
        .collect()
}

fn shown(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

/// The plan `play --plan` names, refused (exit 4, before any host is
/// touched) when its playbooks are not the ones about to run.
pub(super) fn read_for_apply(gate: &PlanGate, settings: &PlaySettings) -> Result<Plan, Failure> {
    let shown_path = shown(&gate.path, &settings.cwd);
    let text = std::fs::read_to_string(&gate.path)
        .map_err(|e| Diagnostic::options(format!("--plan {shown_path}: cannot read it: {e}")))?;
    let plan = Plan::parse(&text, &shown_path).map_err(Diagnostic::options)?;
    let now = playbook_hashes(settings)?;
    let refuse = |message: String| -> Failure {
        Diagnostic::new(format!(
            "{message}; no host was touched (make a new plan with `runbook plan`)"
        ))
        .with_kind(ErrorKind::Parse)
        .into()
    };
    if now.len() != plan.playbooks.len() {
        let names = |books: &[PlannedPlaybook]| {
            books
                .iter()
                .map(|b| b.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(refuse(format!(
            "the plan {shown_path} is for the playbooks {}, not {}",
            names(&plan.playbooks),
            names(&now)
        )));
    }
    for (planned, current) in plan.playbooks.iter().zip(&now) {
        if planned.sha256 != current.sha256 {
            return Err(refuse(format!(
                "{} is not the playbook the plan {shown_path} was made from (sha256 {} in the plan, {} now)",
                current.path,
                short(&planned.sha256),
                short(&current.sha256)
            )));
        }
    }
    Ok(plan)
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// `play --plan`: a check-mode pass on the planned hosts, each host's
/// prediction compared with the plan, then the real run on the hosts
/// that match (on all of them with `--force`).
pub(super) fn apply(
    settings: &PlaySettings,
    gate: &PlanGate,
    plan: &Plan,
    inventory: &Arc<Inventory>,
    reporter: &mut dyn Reporter,
    records: &mut Records,
) -> Result<Outcome, Failure> {
    let shown_path = shown(&gate.path, &settings.cwd);
    let mut candidates: Vec<String> = plan.hosts.iter().map(|h| h.host.clone()).collect();
    if let Some(limit) = &settings.run.limit {
        let allowed = inventory.select(limit)?.hosts;
        candidates.retain(|host| allowed.contains(host));
    }
    if candidates.is_empty() {
        return Err(Diagnostic::runtime(format!(
            "no host of the plan {shown_path} is selected: nothing to apply"
        ))
        .into());
    }

    let mut recorder = PlanRecorder::new(&settings.cwd);
    let mut check = settings.run.clone();
    check.check = true;
    check.diff = true;
    check.limit = Some(candidates.join(","));
    let mut check_records = Records {
        plan: Some(&mut recorder),
        ..Records::default()
    };
    run_all(
        &check,
        load_all(settings)?,
        inventory,
        &mut Silent,
        &mut check_records,
    )?;
    let predicted = recorder.finish();

    let mut matching = Vec::new();
    let mut drifted = Vec::new();
    for host in &candidates {
        let now = predicted.iter().find(|h| h.host == *host);
        let drift = match (plan.host(host), now) {
            (Some(planned), Some(now)) => planned.drift(now),
            _ => Some("the playbooks would no longer run on it".to_string()),
        };
        match drift {
            None => matching.push(host.clone()),
            Some(why) => drifted.push((host.clone(), why)),
        }
    }
    report_comparison(
        &Comparison {
            plan: &shown_path,
            hosts: &candidates,
            drifted: &drifted,
            force: gate.force,
        },
        reporter,
        records,
    );

    let refused: Vec<String> = if gate.force {
        Vec::new()
    } else {
        drifted.iter().map(|(host, _)| host.clone()).collect()
    };
    let to_run = if gate.force { candidates } else { matching };
    records.refused.clone_from(&refused);
    let outcome = if to_run.is_empty() {
        let mut tee = Tee {
            view: &mut *reporter,
            observers: records.observers(),
        };
        WithRefusedHosts {
            view: &mut tee,
            refused: refused.clone(),
        }
        .recap();
        Outcome::Success
    } else {
        let mut options = settings.run.clone();
        options.limit = Some(to_run.join(","));
        run_all(&options, load_all(settings)?, inventory, reporter, records)?
    };
    Ok(if refused.is_empty() || outcome != Outcome::Success {
        outcome
    } else {
        Outcome::HostFailed
    })
}

struct Comparison<'a> {
    plan: &'a str,
    hosts: &'a [String],
    /// Each host whose prediction differs, and how.
    drifted: &'a [(String, String)],
    force: bool,
}

/// The comparison as a play of its own, so the terminal, the journal and
/// `--junit` show each refused host as failed, with why.
fn report_comparison(comparison: &Comparison, reporter: &mut dyn Reporter, records: &mut Records) {
    const TASK: &str = "compare the predicted changes with the plan";
    let mut tee = Tee {
        view: &mut *reporter,
        observers: records.observers(),
    };
    tee.event(&Event::PlayStart {
        name: format!("check the plan {}", comparison.plan),
        hosts: comparison.hosts.to_vec(),
        strategy: "linear".into(),
    });
    tee.event(&Event::TaskStart {
        name: TASK.into(),
        location: comparison.plan.to_string(),
        handler: false,
        hosts: comparison.hosts.len(),
    });
    for host in comparison.hosts {
        let drift = comparison
            .drifted
            .iter()
            .find(|(name, _)| name == host)
            .map(|(_, why)| why);
        let (status, result) = match drift {
            None => (
                Status::Ok,
                map_from_pairs([("changed", Value::from(false))]),
            ),
            Some(why) if comparison.force => {
                tee.warning(&format!(
                    "{host} no longer matches the plan {}: {why}; applying anyway (--force)",
                    comparison.plan
                ));
                (
                    Status::Ok,
                    map_from_pairs([("changed", Value::from(false))]),
                )
            }
            Some(why) => (
                Status::Failed,
                map_from_pairs([
                    ("changed", Value::from(false)),
                    ("failed", Value::from(true)),
                    (
                        "msg",
                        Value::from(format!(
                            "{host} no longer matches the plan {}: {why}. Nothing was done on {host}; make a new plan, or apply anyway with --force",
                            comparison.plan
                        )),
                    ),
                ]),
            ),
        };
        tee.event(&Event::HostResult(HostResult {
            host: host.clone(),
            task: TASK.into(),
            location: comparison.plan.to_string(),
            status,
            ignored: false,
            item: None,
            delegated_to: None,
            result,
            module: "plan".into(),
            shown_in_full: false,
            error: None,
        }));
    }
}
