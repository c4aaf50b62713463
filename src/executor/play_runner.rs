//! One play: pick its hosts, cut them into `serial` batches, and run each
//! batch through the play — facts, `pre_tasks`, `tasks`, `post_tasks`, each
//! followed by its handlers — with the `linear` or `free` strategy.

use std::sync::Arc;

use super::Event;
use super::context::layer;
use super::host_record::HostRecord;
use super::play_ctx::{Batch, PlayCtx, PlayScope};
use super::run::Run;
use super::schedule::Stage;
use super::workers::Workers;
use crate::playbook::{BatchSize, HostOrder, Play, PlayKeywords, Strategy, Task};
use crate::source::{Diagnostic, ErrorKind};
use crate::value::{Value, VarMap};

/// Whether the plays after this one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PlayEnd {
    Continue,
    /// Every host of a batch failed, or `max_fail_percentage` was passed:
    /// as in Ansible, the rest of the playbook does not run.
    EndPlaybook,
}

pub(super) fn run_play(run: &Run, play: &Play, pool: &Workers) -> Result<PlayEnd, Diagnostic> {
    for unreadable in &play.unreadable_includes {
        run.warn(unreadable.to_string());
    }
    let (mut vars, host_vars_files) =
        super::vars_files::play_vars(run, &play.vars, &play.vars_files)?;
    // As in Ansible, hosts that failed in earlier plays are still the play's
    // (`ansible_play_hosts_all`, the size of `serial` batches, a batch's own
    // banner); they just run nothing.
    let hosts = play_hosts(run, play, &vars)?;
    if hosts.is_empty() {
        run.emit(Event::PlayStart {
            name: play.display_name().to_string(),
            hosts: Vec::new(),
            strategy: play.keywords.strategy.name().to_string(),
        });
        run.emit(Event::NoHostsMatched {
            play: play.display_name().to_string(),
        });
        return Ok(PlayEnd::Continue);
    }
    crate::value::overlay(&mut vars, &prompted_vars(run, play)?);
    let scope = PlayScope::new(vars, host_vars_files);
    let keywords = play_keywords(run, play, &play_level_view(run, &scope.vars))?;
    // `ansible_play_hosts_all` keeps the inventory's order; batches take `order`.
    let unordered = hosts.clone();
    let hosts = ordered(hosts, keywords.order);
    for batch in batches(&hosts, &keywords.serial) {
        let in_run = |record: &HostRecord| !record.is_out_of_run();
        let live = run.hosts.filter(&unordered, in_run);
        let batch = Batch {
            live: run.hosts.filter(&batch, in_run),
            size: batch.len(),
        };
        if crate::interruption::stop_scheduling() {
            break;
        }
        let name = super::names::rendered_name(
            &run.templar,
            play.display_name(),
            &play_level_view(run, &scope.vars),
        );
        // As in Ansible, each `serial` batch starts with the play's banner.
        run.emit(Event::PlayStart {
            name: name.clone(),
            hosts: batch.live.clone(),
            strategy: keywords.strategy.name().to_string(),
        });
        if batch.live.is_empty() {
            continue;
        }
        let whole_batch = batch.live.len() == batch.size;
        run.hosts.begin_play(&batch.live);
        let ctx = PlayCtx::new(
            play,
            keywords.clone(),
            play_magic(play, &name, &unordered, &live, &batch.live),
            &scope,
            batch,
        );
        let stage = Stage {
            run,
            play: &ctx,
            pool,
            handlers: false,
        };
        run_batch(&stage);
        if let Some(error) = ctx.take_fatal_error() {
            return Err(error);
        }
        // Ansible ends the playbook when as many hosts failed in the batch
        // as it was cut with: never when some had failed before it.
        let everyone_failed = whole_batch && run.hosts.filter(&ctx.batch, in_run).is_empty();
        if everyone_failed || ctx.playbook_abandoned() {
            return Ok(PlayEnd::EndPlaybook);
        }
        if ctx.play_stopped() {
            break;
        }
    }
    Ok(PlayEnd::Continue)
}

/// The play's magic variables; `name` is its name as rendered for the banner.
fn play_magic(
    play: &Play,
    name: &str,
    all: &[String],
    live: &[String],
    batch: &[String],
) -> Arc<VarMap> {
    let all_roles: Vec<String> = play
        .dependency_role_names
        .iter()
        .chain(&play.role_names)
        .cloned()
        .collect();
    let list =
        |hosts: &[String]| -> Value { hosts.iter().map(|h| Value::from(h.as_str())).collect() };
    layer([
        ("ansible_play_hosts", list(live)),
        ("ansible_play_hosts_all", list(all)),
        ("ansible_play_batch", list(batch)),
        // Deprecated in Ansible (removed in 2.23), still widely written.
        ("play_hosts", list(batch)),
        ("ansible_play_name", Value::from(name)),
        ("ansible_play_role_names", list(&play.role_names)),
        ("role_names", list(&play.role_names)),
        (
            "ansible_dependent_role_names",
            list(&unique(&play.dependency_role_names)),
        ),
        ("ansible_role_names", list(&unique(&all_roles))),
    ])
}

/// `names` without repeats, first occurrence kept (Ansible makes a set).
fn unique(names: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .iter()
        .filter(|name| seen.insert(name.as_str()))
        .cloned()
        .collect()
}

/// One batch through the whole play.
fn run_batch(stage: &Stage) {
    let play = stage.play.play;
    let hosts = stage.play.batch.clone();
    if stage.play.keywords.gather_facts {
        let facts = gathering_facts(play);
        let to_gather = facts_to_gather(stage, &hosts);
        if stage.run.gate.selects(&facts.tags) && !to_gather.is_empty() {
            let outcomes = stage.run_task(&facts, &to_gather, false);
            stage.spread_failures(&facts, &outcomes);
        }
    }
    match stage.play.keywords.strategy {
        Strategy::Linear => {
            for section in [&play.pre_tasks, &play.tasks, &play.post_tasks] {
                stage.run_steps(section, &hosts);
                if stage.play.play_stopped() {
                    return;
                }
                stage.flush_handlers(&hosts);
            }
        }
        Strategy::Free => run_free(stage, &hosts),
    }
}

/// `strategy: free`: each host runs through the play at its own pace.
fn run_free(stage: &Stage, hosts: &[String]) {
    let play = stage.play.play;
    stage.pool.scope_fifo(|scope| {
        for host in hosts {
            scope.spawn_fifo(move || {
                let one = std::slice::from_ref(host);
                for section in [&play.pre_tasks, &play.tasks, &play.post_tasks] {
                    stage.run_steps(section, one);
                    stage.flush_handlers(one);
                }
            });
        }
    });
}

/// The hosts cut into `serial:` batches; the last size repeats. Without
/// `serial`, one batch of every host.
pub(super) fn batches(hosts: &[String], serial: &[BatchSize]) -> Vec<Vec<String>> {
    if serial.is_empty() {
        return vec![hosts.to_vec()];
    }
    let mut batches = Vec::new();
    let mut rest = hosts;
    let mut sizes = serial.iter();
    let mut size = serial[0];
    while !rest.is_empty() {
        if let Some(next) = sizes.next() {
            size = *next;
        }
        let count = match size {
            BatchSize::Count(n) => n,
            BatchSize::Percent(p) => ((hosts.len() as f64 * p / 100.0) as usize).max(1),
        }
        .clamp(1, rest.len());
        batches.push(rest[..count].to_vec());
        rest = &rest[count..];
    }
    batches
}

/// `vars_prompt:` answers, asked on the terminal; a variable given with
/// `-e` is not asked for, and without a terminal the default is used.
fn prompted_vars(run: &Run, play: &Play) -> Result<VarMap, Diagnostic> {
    let mut answers = VarMap::new();
    for prompt in &play.vars_prompt {
        if run.options.extra_vars.contains_key(&prompt.name) {
            continue;
        }
        let question = match &prompt.default {
            Some(default) => format!("{} [{default}]: ", prompt.prompt),
            None => format!("{}: ", prompt.prompt),
        };
        let answer = match crate::terminal::ask(&question, !prompt.private) {
            Some(answer) if prompt.confirm && crate::terminal::ask(&format!("confirm {question}"), !prompt.private).as_ref() != Some(&answer) => {
                return Err(Diagnostic::runtime(format!("the answers for `{}` did not match", prompt.name)).with_span(&prompt.span));
            }
            Some(answer) if answer.is_empty() => prompt.default.clone().unwrap_or_default(),
            Some(answer) => answer,
            None => prompt.default.clone().ok_or_else(|| {
                Diagnostic::runtime(
                    format!("vars_prompt asks for `{}`, but there is no terminal to ask on; give it with -e {}=...", prompt.name, prompt.name),
                )
                .with_span(&prompt.span)
            })?,
        };
        answers.insert(prompt.name.clone(), Value::from(answer));
    }
    Ok(answers)
}

/// Hosts in the order `order:` asks for.
fn ordered(mut hosts: Vec<String>, order: HostOrder) -> Vec<String> {
    match order {
        HostOrder::Inventory => {}
        HostOrder::ReverseInventory => hosts.reverse(),
        HostOrder::Sorted => hosts.sort(),
        HostOrder::ReverseSorted => {
            hosts.sort();
            hosts.reverse();
        }
        HostOrder::Shuffle => {
            use rand::seq::SliceRandom;
            hosts.shuffle(&mut rand::rng());
        }
    }
    hosts
}

/// Every host of the batch, or with ansible.cfg's `gathering = smart` those
/// whose facts no play has gathered yet.
fn facts_to_gather(stage: &Stage, hosts: &[String]) -> Vec<String> {
    if !stage.run.options.gather_smart {
        return hosts.to_vec();
    }
    hosts
        .iter()
        .filter(|host| {
            !stage.run.hosts.read(host, |record| {
                record.facts().contains_key(crate::modules::FACTS_GATHERED)
            })
        })
        .cloned()
        .collect()
}

/// The implicit first task of a play with `gather_facts` on.
fn gathering_facts(play: &Play) -> Task {
    let mut task = Task::new(
        crate::modules::registry::setup(),
        "setup",
        play.span.clone(),
    );
    task.name = Some("Gathering Facts".into());
    task.tags = vec!["always".into()];
    // As in Ansible, facts are gathered as the user the play becomes,
    // with the play's `module_defaults` for `setup`.
    task.become_ = play.become_.clone();
    task.module_defaults = play.module_defaults.clone();
    if let Some(subset) = &play.gather_subset {
        task.args.insert(
            "gather_subset".into(),
            subset.iter().map(|s| Value::from(s.as_str())).collect(),
        );
    }
    if let Some(fact_path) = &play.fact_path {
        task.args
            .insert("fact_path".into(), Value::from(fact_path.as_str()));
    }
    task
}

/// The play's hosts: its pattern, narrowed by `--limit`, without hosts that
/// already failed in this run.
fn play_hosts(run: &Run, play: &Play, vars: &VarMap) -> Result<Vec<String>, Diagnostic> {
    let view = play_level_view(run, &Arc::new(vars.clone()));
    let pattern = run.templar.render_str(&play.hosts, &view).map_err(|e| {
        Diagnostic::runtime(format!("cannot template `hosts`: {e}")).with_span(&play.span)
    })?;
    let pattern = crate::value::text(&pattern);
    let fleet = run.fleet();
    let selection = fleet
        .inventory
        .select(&pattern)
        .map_err(|e| e.with_span(&play.span).with_kind(ErrorKind::Runtime))?;
    for name in &selection.warnings {
        run.warn(format!(
            "Could not match supplied host pattern, ignoring: {name}"
        ));
    }
    let mut hosts = selection.hosts;
    if let Some(limit) = &run.options.limit {
        let allowed = fleet.inventory.select(limit)?;
        for name in &allowed.warnings {
            run.warn(format!(
                "Could not match supplied host pattern, ignoring: {name}"
            ));
        }
        let allowed: std::collections::HashSet<&String> = allowed.hosts.iter().collect();
        hosts.retain(|h| allowed.contains(h));
    }
    hosts.retain(|h| fleet.hosts.contains_key(h));
    Ok(hosts)
}

/// What play keywords (`hosts`, `serial`) are templated with, as Ansible's
/// play-level variables: the run's magic variables and `groups`, the play's
/// variables and the extra vars — no host's.
fn play_level_view(run: &Run, vars: &Arc<VarMap>) -> Value {
    run.extra_vars_view()
        .with_layer(run.run_magic.clone())
        .with_layer(run.fleet().magic.clone())
        .with_layer(vars.clone())
        .with_layer(run.extra_vars.clone())
        .value()
}

/// The play's keywords with their templates rendered, as Ansible renders
/// them when the play starts; a value that does not parse is an error at it.
fn play_keywords(run: &Run, play: &Play, view: &Value) -> Result<PlayKeywords, Diagnostic> {
    let mut keywords = play.keywords.clone();
    for template in &play.keyword_templates {
        let rendered = run
            .templar
            .render_value(&template.template, view)
            .map_err(|e| {
                Diagnostic::runtime(format!("cannot template `{}`: {e}", template.keyword))
                    .with_span(&template.span)
            })?;
        keywords
            .set_rendered(template, &rendered)
            .map_err(|e| e.with_kind(ErrorKind::Runtime))?;
    }
    Ok(keywords)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("h{i}")).collect()
    }

    fn sizes(batches: Vec<Vec<String>>) -> Vec<usize> {
        batches.iter().map(Vec::len).collect()
    }

    #[test]
    fn serial_batches_as_ansible_cuts_them() {
        assert_eq!(sizes(batches(&hosts(5), &[])), [5]);
        assert_eq!(sizes(batches(&hosts(5), &[BatchSize::Count(2)])), [2, 2, 1]);
        assert_eq!(
            sizes(batches(
                &hosts(5),
                &[BatchSize::Count(1), BatchSize::Percent(50.0)]
            )),
            [1, 2, 2]
        );
        assert_eq!(
            sizes(batches(
                &hosts(10),
                &[
                    BatchSize::Count(1),
                    BatchSize::Count(3),
                    BatchSize::Percent(25.0)
                ]
            )),
            [1, 3, 2, 2, 2]
        );
        assert_eq!(
            sizes(batches(&hosts(3), &[BatchSize::Percent(10.0)])),
            [1, 1, 1]
        );
    }
}
