//! The run journal: every `runbook play` leaves a JSON Lines file under
//! `$XDG_STATE_HOME/runbook/runs/` (default `~/.local/state/runbook/runs/`)
//! — a header (who, when, what, from which commit), every event as it
//! happened (results already censored under `no_log`; extra variables by
//! name only), and a footer with how it ended. `runbook runs` lists them,
//! `runbook runs show ID` replays one, `runbook play --retry ID` runs again
//! on the hosts that failed.
//!
//! Lines are written as the run goes, so a controller that dies mid-run
//! leaves a journal of everything up to that point.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Observer;
use crate::executor::{Event, HostStats};

/// The version of the journal's line format (docs/events.md).
pub const JOURNAL_FORMAT: u32 = 1;

/// The first line: what was run, by whom, from where.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunHeader {
    pub journal: u32,
    pub id: String,
    pub started: String,
    pub user: String,
    pub cwd: String,
    pub runbook_version: String,
    pub playbooks: Vec<String>,
    pub inventory: Vec<String>,
    pub limit: Option<String>,
    /// Names only: values may be secrets.
    pub extra_vars: Vec<String>,
    pub check: bool,
    pub diff: bool,
    /// The playbook's Git repository, if it is in one.
    pub git: Option<GitState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitState {
    pub commit: String,
    /// Uncommitted changes in the work tree when the run started.
    pub dirty: bool,
}

impl GitState {
    /// The commit checked out in the repository holding `dir`, if any.
    pub fn of(dir: &Path) -> Option<Self> {
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(args)
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .output()
                .ok()
                .filter(|output| output.status.success())
                .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        };
        let commit = git(&["rev-parse", "HEAD"])?;
        let dirty = git(&["status", "--porcelain"]).is_some_and(|status| !status.is_empty());
        Some(Self { commit, dirty })
    }
}

/// The last line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunFooter {
    pub finished: String,
    pub exit_code: i32,
}

/// One line of a journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "journal_line", rename_all = "snake_case")]
enum Line {
    Header(RunHeader),
    Event { event: Event },
    Footer(RunFooter),
}

/// Writes a run's journal as the run goes.
pub struct JournalWriter {
    file: File,
    path: PathBuf,
}

impl JournalWriter {
    /// Start the journal of the run `header` describes, in `dir`.
    pub fn create(dir: &Path, header: RunHeader) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.jsonl", header.id));
        let file = std::fs::OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(&path)?;
        let mut writer = Self { file, path };
        writer.line(&Line::Header(header));
        Ok(writer)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn finish(mut self, exit_code: i32) {
        self.line(&Line::Footer(RunFooter {
            finished: now(),
            exit_code,
        }));
    }

    /// Best effort: a full disk must not stop a rollout.
    fn line(&mut self, line: &Line) {
        if let Ok(mut text) = serde_json::to_string(line) {
            text.push('\n');
            let _ = self.file.write_all(text.as_bytes());
        }
    }
}

/// An event line as written: the event borrowed, streamed to the file
/// (a result may hold megabytes of output; it is not copied).
#[derive(Serialize)]
struct EventLine<'a> {
    journal_line: &'static str,
    event: &'a Event,
}

impl Observer for JournalWriter {
    fn observe(&mut self, event: &Event) {
        if matches!(event, Event::Question(_)) {
            return;
        }
        let line = EventLine {
            journal_line: "event",
            event,
        };
        // What a vault revealed is masked here as on the terminal; that
        // needs the line as text, so it is streamed only when nothing was revealed.
        if crate::vault::session::revealed_any() {
            if let Ok(text) = serde_json::to_string(&line) {
                let text = crate::vault::session::redact(&text);
                let _ = (&self.file).write_all(format!("{text}\n").as_bytes());
            }
            return;
        }
        let mut out = std::io::BufWriter::new(&self.file);
        // Best effort, as every journal line.
        let _ = serde_json::to_writer(&mut out, &line)
            .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io));
        let _ = out.flush();
    }
}

/// A journal read back.
pub struct Journal {
    pub header: RunHeader,
    pub events: Vec<Event>,
    /// None while the run is going on, or if the controller died.
    pub footer: Option<RunFooter>,
}

impl Journal {
    pub fn read(path: &Path) -> Result<Self, String> {
        let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut header = None;
        let mut events = Vec::new();
        let mut footer = None;
        for (index, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            // A line cut short by a crash ends the journal; it is not an error.
            let Ok(parsed) = serde_json::from_str::<Line>(&line) else {
                if index == 0 {
                    return Err(format!("{} is not a runbook journal", path.display()));
                }
                break;
            };
            match parsed {
                Line::Header(found) => header = Some(found),
                Line::Event { event } => events.push(event),
                Line::Footer(found) => footer = Some(found),
            }
        }
        let header = header.ok_or_else(|| format!("{} has no header", path.display()))?;
        Ok(Self {
            header,
            events,
            footer,
        })
    }

    /// Each host's recap counts, summed over the run's playbooks.
    pub fn recap(&self) -> Vec<(String, HostStats)> {
        let mut hosts: Vec<(String, HostStats)> = Vec::new();
        for event in &self.events {
            if let Event::Recap { hosts: recap } = event {
                for (host, stats) in recap {
                    match hosts.iter_mut().find(|(name, _)| name == host) {
                        Some((_, total)) => total.add(stats),
                        None => hosts.push((host.clone(), *stats)),
                    }
                }
            }
        }
        hosts
    }

    /// The hosts that failed or were unreachable, sorted.
    pub fn hosts_to_retry(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self
            .recap()
            .into_iter()
            .filter(|(_, stats)| stats.failed > 0 || stats.unreachable > 0)
            .map(|(host, _)| host)
            .collect();
        hosts.sort();
        hosts
    }
}

/// Where journals are kept.
pub fn journal_dir() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."));
    state.join("runbook/runs")
}

/// Every journal, oldest first (ids sort by time).
pub fn list_journals(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}

/// The journal `id` names: a whole id, a unique prefix, or `last`.
pub fn find_journal(dir: &Path, id: &str) -> Result<PathBuf, String> {
    let all = list_journals(dir);
    if id == "last" {
        return all
            .last()
            .cloned()
            .ok_or_else(|| format!("no runs are recorded in {}", dir.display()));
    }
    let matching: Vec<&PathBuf> = all
        .iter()
        .filter(|path| {
            path.file_stem()
                .is_some_and(|stem| stem.to_string_lossy().starts_with(id))
        })
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "no recorded run has the id {id} (see `runbook runs`)"
        )),
        _ => Err(format!(
            "{id} names {} runs; give more of the id",
            matching.len()
        )),
    }
}

/// A new run id: the local time to the second, then a random suffix so
/// two runs in one second never share a file.
pub fn new_run_id() -> String {
    let time = crate::local_time::LocalTime::of(std::time::SystemTime::now());
    let stamp = time.map_or_else(String::new, |t| {
        format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    });
    format!("{stamp}-{:04x}", rand::random::<u16>())
}

/// Now, as the journal writes times.
pub fn now() -> String {
    crate::local_time::LocalTime::of(std::time::SystemTime::now()).map_or_else(String::new, |t| {
        format!("{}.{:06}", t.date_and_time(), t.micros)
    })
}
