//! `runbook play`: check, list, or run playbooks.

use std::sync::Arc;

use super::drive::drive;
use crate::cli::settings::{self, PlayMode, PlaySettings};
use crate::cli::{Failure, Outcome};
use crate::executor::TagFilter;
use crate::inventory::Inventory;
use crate::playbook::{self, Play, Playbook};
use crate::report::{
    GitState, JOURNAL_FORMAT, JournalWriter, JunitReport, Listing, Observer, PlayOutline,
    PlaybookOutline, Reporter, RunHeader, TaskOutline, Tee, journal_dir, new_run_id, now,
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
    let mut junit = JunitReport::default();
    let mut journal = settings
        .journal
        .then(|| open_journal(&settings, reporter))
        .flatten();
    let outcome = run_all(
        &settings,
        playbooks,
        &inventory,
        reporter,
        &mut junit,
        journal.as_mut(),
    );
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

/// Each playbook in turn, until one does not succeed.
fn run_all(
    settings: &PlaySettings,
    playbooks: Vec<Playbook>,
    inventory: &Arc<Inventory>,
    reporter: &mut dyn Reporter,
    junit: &mut JunitReport,
    mut journal: Option<&mut JournalWriter>,
) -> Result<Outcome, Failure> {
    for book in playbooks {
        let inventory = inventory.clone();
        let mut options = settings.run.clone();
        options.retry_file = settings
            .retry_files
            .as_ref()
            .map(|retry| retry.path_for(&book.path));
        junit.start_playbook(&book.path);
        let mut observers: Vec<&mut dyn Observer> = Vec::new();
        if settings.junit.is_some() {
            observers.push(&mut *junit);
        }
        if let Some(journal) = journal.as_deref_mut() {
            observers.push(journal);
        }
        let mut tee = Tee {
            view: &mut *reporter,
            observers,
        };
        let outcome = drive(&mut tee, move |events| {
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
        git: settings
            .playbooks
            .first()
            .and_then(|book| settings.cwd.join(book).parent().and_then(GitState::of)),
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

/// Every playbook, or every error in all of them.
fn load_all(settings: &PlaySettings) -> Result<Vec<Playbook>, Failure> {
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
fn play_inventory(
    settings: &PlaySettings,
    playbooks: &[Playbook],
) -> Result<Arc<Inventory>, Diagnostic> {
    let mut inventory = (*settings::inventory(&settings.inventory, &settings.cwd)?).clone();
    for book in playbooks {
        inventory.load_playbook_vars(&book.dir)?;
    }
    Ok(Arc::new(inventory))
}

fn check_limit(inventory: &Inventory, limit: &str) -> Result<(), Diagnostic> {
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
