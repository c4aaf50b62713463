//! `runbook play`: check, list, or run playbooks.

use std::sync::Arc;

use super::drive::drive;
use crate::cli::settings::{self, PlayMode, PlaySettings, RetryFiles};
use crate::cli::{Failure, Outcome};
use crate::executor::{RunOptions, TagFilter};
use crate::inventory::Inventory;
use crate::playbook::{self, Play, Playbook};
use crate::report::{
    GitState, JOURNAL_FORMAT, JournalWriter, JunitReport, Listing, Observer, PlanRecorder,
    PlayOutline, PlaybookOutline, Reporter, RunHeader, TaskOutline, Tee, WithRefusedHosts,
    journal_dir, new_run_id, now,
};
use crate::source::{Diagnostic, ErrorKind};

pub(super) fn play(
    settings: PlaySettings,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, Failure> {
    let playbooks = load_all(&settings)?;
    if settings.mode == PlayMode::SyntaxCheck {
        reporter.listing(&Listing::SyntaxChecked {
            playbooks: playbooks.iter().map(path_of).collect(),
        });
        return Ok(Outcome::Success);
    }
    let inventory = play_inventory(&settings, &playbooks)?;
    super::warn_inventory(&inventory, reporter);
    if let Some(limit) = &settings.run.limit {
        check_limit(&inventory, limit)?;
    }
    if let PlayMode::List { hosts, tasks, tags } = settings.mode {
        let request = ListRequest {
            hosts,
            tasks,
            tags,
            limit: settings.run.limit.as_deref(),
            filter: &settings.run.tags,
        };
        let playbooks = playbooks
            .iter()
            .map(|book| outline(book, &inventory, &request))
            .collect::<Result<_, _>>()?;
        reporter.listing(&Listing::Playbooks { playbooks });
        return Ok(Outcome::Success);
    }
    // A plan for other playbooks is refused before anything is recorded or touched.
    let plan = settings
        .plan
        .as_ref()
        .map(|gate| super::plan::read_for_apply(gate, &settings))
        .transpose()?;
    let mut junit = JunitReport::default();
    let mut journal = settings
        .journal
        .then(|| open_journal(&settings, reporter))
        .flatten();
    let mut records = Records {
        junit: settings.junit.is_some().then_some(&mut junit),
        journal: journal.as_mut(),
        retry_files: settings.retry_files.as_ref(),
        ..Records::default()
    };
    let outcome = match (&settings.plan, plan) {
        (Some(gate), Some(plan)) => {
            super::plan::apply(&settings, gate, &plan, &inventory, reporter, &mut records)
        }
        _ => run_all(&settings.run, playbooks, &inventory, reporter, &mut records),
    };
    if let Some(journal) = journal {
        journal.finish(crate::cli::ExitCode::of(&outcome).code());
    }
    if let Some(path) = &settings.junit {
        junit.write(path).map_err(|e| {
            Diagnostic::runtime(format!(
                "cannot write the JUnit report {}: {e}",
                path.display()
            ))
        })?;
    }
    outcome
}

/// What keeps a record of a run besides the view, and what `--plan` refused.
#[derive(Default)]
pub(super) struct Records<'a> {
    pub(super) junit: Option<&'a mut JunitReport>,
    pub(super) journal: Option<&'a mut JournalWriter>,
    pub(super) plan: Option<&'a mut PlanRecorder>,
    /// `retry_files_enabled`.
    pub(super) retry_files: Option<&'a RetryFiles>,
    /// Hosts `play --plan` refused: counted failed in every recap.
    pub(super) refused: Vec<String>,
}

impl Records<'_> {
    pub(super) fn observers(&mut self) -> Vec<&mut dyn Observer> {
        let mut observers: Vec<&mut dyn Observer> = Vec::new();
        if let Some(junit) = self.junit.as_deref_mut() {
            observers.push(junit);
        }
        if let Some(journal) = self.journal.as_deref_mut() {
            observers.push(journal);
        }
        if let Some(plan) = self.plan.as_deref_mut() {
            observers.push(plan);
        }
        observers
    }
}

/// Each playbook in turn with `run`'s options, until one does not succeed.
pub(super) fn run_all(
    run: &RunOptions,
    playbooks: Vec<Playbook>,
    inventory: &Arc<Inventory>,
    reporter: &mut dyn Reporter,
    records: &mut Records,
) -> Result<Outcome, Failure> {
    for book in playbooks {
        let inventory = inventory.clone();
        let mut options = run.clone();
        options.retry_file = records.retry_files.map(|retry| retry.path_for(&book.path));
        if let Some(junit) = records.junit.as_deref_mut() {
            junit.start_playbook(&book.path);
        }
        let refused = records.refused.clone();
        let mut tee = Tee {
            view: &mut *reporter,
            observers: records.observers(),
        };
        let mut view = WithRefusedHosts {
            view: &mut tee,
            refused,
        };
        let outcome = drive(&mut view, move |events| {
            crate::executor::run_playbook(&book, inventory, options, events)
        })?;
        if outcome != Outcome::Success {
            return Ok(outcome);
        }
    }
    Ok(Outcome::Success)
}

/// The run's journal (see `runbook runs`); a journal that cannot be
/// written is a warning, never a reason not to run.
fn open_journal(settings: &PlaySettings, reporter: &mut dyn Reporter) -> Option<JournalWriter> {
    let user = ["LOGNAME", "USER"]
        .iter()
        .find_map(|var| std::env::var(var).ok())
        .unwrap_or_default();
    let header = RunHeader {
        journal: JOURNAL_FORMAT,
        id: new_run_id(),
        started: now(),
        user,
        cwd: settings.cwd.display().to_string(),
        runbook_version: env!("CARGO_PKG_VERSION").to_string(),
        playbooks: settings
            .playbooks
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        inventory: settings.inventory.clone(),
        limit: settings.run.limit.clone(),
        extra_vars: settings.run.extra_vars.keys().cloned().collect(),
        check: settings.run.check,
        diff: settings.run.diff,
        git: git_state(settings),
    };
    let dir = journal_dir();
    match JournalWriter::create(&dir, header) {
        Ok(journal) => Some(journal),
        Err(e) => {
            reporter.warning(&format!(
                "cannot keep a journal of this run in {}: {e} (--no-journal silences this)",
                dir.display()
            ));
            None
        }
    }
}

/// The commit of the repository holding the first playbook, if any.
pub(super) fn git_state(settings: &PlaySettings) -> Option<GitState> {
    settings
        .playbooks
        .first()
        .and_then(|book| settings.cwd.join(book).parent().and_then(GitState::of))
}

/// Every playbook, or every error in all of them.
pub(super) fn load_all(settings: &PlaySettings) -> Result<Vec<Playbook>, Failure> {
    let mut playbooks = Vec::new();
    let mut errors = Vec::new();
    for path in &settings.playbooks {
        match playbook::load(path, &settings.load) {
            Ok(book) => playbooks.push(book),
            Err(found) => errors.extend(found),
        }
    }
    if errors.is_empty() {
        Ok(playbooks)
    } else {
        Err(errors.into())
    }
}

/// The inventory with the `group_vars/` and `host_vars/` beside each playbook.
pub(super) fn play_inventory(
    settings: &PlaySettings,
    playbooks: &[Playbook],
) -> Result<Arc<Inventory>, Diagnostic> {
    let mut inventory = (*settings::inventory(&settings.inventory, &settings.cwd)?).clone();
    for book in playbooks {
        inventory.load_playbook_vars(&book.dir)?;
    }
    Ok(Arc::new(inventory))
}

pub(super) fn check_limit(inventory: &Inventory, limit: &str) -> Result<(), Diagnostic> {
    let selection = inventory
        .select(limit)
        .map_err(|e| e.with_kind(ErrorKind::Options))?;
    if selection.hosts.is_empty() {
        return Err(Diagnostic::runtime(format!(
            "--limit {limit} leaves no hosts to target (it matches none in the inventory)"
        )));
    }
    Ok(())
}

fn path_of(book: &Playbook) -> String {
    book.path.display().to_string()
}

/// What `--list-hosts`, `--list-tasks` and `--list-tags` asked for.
struct ListRequest<'a> {
    hosts: bool,
    tasks: bool,
    tags: bool,
    limit: Option<&'a str>,
    filter: &'a TagFilter,
}

fn outline(
    book: &Playbook,
    inventory: &Inventory,
    request: &ListRequest,
) -> Result<PlaybookOutline, Diagnostic> {
    let plays = book
        .plays
        .iter()
        .map(|play| play_outline(play, inventory, request))
        .collect::<Result<_, _>>()?;
    Ok(PlaybookOutline {
        path: path_of(book),
        plays,
    })
}

fn play_outline(
    play: &Play,
    inventory: &Inventory,
    request: &ListRequest,
) -> Result<PlayOutline, Diagnostic> {
    let hosts = if request.hosts {
        Some(play_hosts(play, inventory, request.limit)?)
    } else {
        None
    };
    let task_tags = request.tags.then(|| {
        let mut tags: Vec<String> = play
            .all_tasks()
            .flat_map(|t| t.tags.iter().cloned())
            .collect();
        tags.sort_unstable();
        tags.dedup();
        tags
    });
    let tasks = request.tasks.then(|| {
        play.all_tasks()
            .filter(|t| request.filter.selects(&t.tags))
            .map(|t| TaskOutline {
                name: t.display_name().to_string(),
                tags: t.tags.clone(),
            })
            .collect()
    });
    Ok(PlayOutline {
        pattern: play.hosts.clone(),
        name: play.name.clone().unwrap_or_default(),
        tags: play.tags.clone(),
        hosts,
        task_tags,
        tasks,
    })
}

/// The hosts a play would run on, narrowed by `--limit`.
fn play_hosts(
    play: &Play,
    inventory: &Inventory,
    limit: Option<&str>,
) -> Result<Vec<String>, Diagnostic> {
    let mut hosts = inventory
        .select(&play.hosts)
        .map_err(|e| e.with_kind(ErrorKind::Runtime))?
        .hosts;
    if let Some(limit) = limit {
        let allowed = inventory.select(limit).map(|s| s.hosts).unwrap_or_default();
        hosts.retain(|h| allowed.contains(h));
    }
    Ok(hosts)
}
