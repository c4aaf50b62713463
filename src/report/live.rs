//! Who is still running. On a terminal, bars under the scrolling output: the
//! current task with done/total and its counts, and after [`SLOW`] a line
//! per host still running with its time and what it runs, so a hung host is
//! obvious. Everywhere (a terminal or a CI log), what it tracks lets the
//! first Ctrl-C list the hosts still running and what they run.

use std::time::{Duration, Instant};

use indexmap::IndexMap;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output;
use crate::executor::{Event, Status};

/// A host shows its own line once it has run a task this long.
const SLOW: Duration = Duration::from_secs(2);

/// The bars appear once a task has run this long: a run of quick tasks
/// scrolls as Ansible's does, without a bar flickering under each.
const SHOWN_AFTER: Duration = Duration::from_secs(1);

/// What one host is running now.
struct Running {
    task: String,
    action: String,
    since: Instant,
    bar: Option<ProgressBar>,
}

/// The current task's progress.
struct TaskCounts {
    name: String,
    started: Instant,
    total: usize,
    done: usize,
    ok: usize,
    changed: usize,
    failed: usize,
    skipped: usize,
}

pub(super) struct Live {
    /// Whether bars may be drawn at all.
    terminal: bool,
    /// Drawn from the first task to the recap; without a terminal never:
    /// then what runs is only tracked.
    bars: Option<Bars>,
    task: Option<TaskCounts>,
    running: IndexMap<String, Running>,
}

struct Bars {
    multi: MultiProgress,
    task: ProgressBar,
    /// "… and N more hosts": the lines that do not fit the terminal.
    more: ProgressBar,
}

impl Live {
    /// Bars only when both stdout and stderr are a terminal (the bars are
    /// drawn on stderr, the output scrolls on stdout) and `TERM` can move the
    /// cursor; never with control codes into a pipe or a file.
    pub(super) fn new() -> Self {
        let terminal = console::Term::stdout().is_term()
            && console::Term::stderr().is_term()
            && std::env::var("TERM").is_ok_and(|term| term != "dumb");
        Self {
            terminal,
            bars: None,
            task: None,
            running: IndexMap::new(),
        }
    }

    pub(super) fn event(&mut self, event: &Event) {
        match event {
            Event::PlayStart { .. } => {
                self.forget_running();
                self.task = None;
            }
            Event::TaskStart { name, hosts, .. } => {
                self.task = Some(TaskCounts {
                    name: name.clone(),
                    started: Instant::now(),
                    total: *hosts,
                    done: 0,
                    ok: 0,
                    changed: 0,
                    failed: 0,
                    skipped: 0,
                });
            }
            Event::HostStart {
                host, task, action, ..
            } => match self.running.get_mut(host) {
                // The next loop item or `until` attempt: the same stay.
                Some(running) => {
                    running.task.clone_from(task);
                    running.action.clone_from(action);
                }
                None => {
                    self.running.insert(
                        host.clone(),
                        Running {
                            task: task.clone(),
                            action: action.clone(),
                            since: Instant::now(),
                            bar: None,
                        },
                    );
                }
            },
            Event::HostResult(result) => {
                if let Some(running) = self.running.shift_remove(&result.host) {
                    self.remove_bar(running.bar.as_ref());
                }
                if let Some(counts) = &mut self.task {
                    counts.done += 1;
                    match result.status {
                        Status::Ok => counts.ok += 1,
                        Status::Changed => counts.changed += 1,
                        Status::Skipped => counts.skipped += 1,
                        Status::Failed | Status::Unreachable => counts.failed += 1,
                    }
                }
            }
            Event::Recap { .. } => {
                self.forget_running();
                self.task = None;
                if let Some(bars) = self.bars.take() {
                    bars.hide();
                }
            }
            _ => {}
        }
        self.draw();
    }

    /// Time passed without events: elapsed times grow and slow hosts get
    /// their line.
    pub(super) fn tick(&mut self) {
        self.draw();
    }

    /// The warning for the `count`th Ctrl-C; the first lists the hosts
    /// still running and what they run.
    pub(super) fn interruption(&mut self, count: usize) -> String {
        if count > 1 {
            return super::messages::interrupted(count, &[]);
        }
        self.stop_drawing();
        let running: Vec<String> = self
            .running
            .iter()
            .map(|(host, running)| running_line(host, running))
            .collect();
        super::messages::interrupted(count, &running)
    }

    /// Leave the bars as they are on the screen and draw no more: the
    /// terminal has just echoed `^C` after them, so clearing them would
    /// miss a line; what follows starts on a line of its own.
    fn stop_drawing(&mut self) {
        self.terminal = false;
        let Some(bars) = self.bars.take() else { return };
        output::draw_live(None);
        bars.multi.set_draw_target(ProgressDrawTarget::hidden());
        for running in self.running.values_mut() {
            running.bar = None;
        }
        output::stderr_line("");
    }

    /// What `host` is running now, if anything.
    pub(super) fn action_of(&self, host: &str) -> Option<&str> {
        self.running
            .get(host)
            .map(|running| running.action.as_str())
    }

    fn forget_running(&mut self) {
        for (_, running) in std::mem::take(&mut self.running) {
            self.remove_bar(running.bar.as_ref());
        }
    }

    fn remove_bar(&self, bar: Option<&ProgressBar>) {
        if let (Some(bars), Some(bar)) = (&self.bars, bar) {
            bar.finish_and_clear();
            bars.multi.remove(bar);
        }
    }

    fn draw(&mut self) {
        let task_is_slow = self
            .task
            .as_ref()
            .is_some_and(|task| task.started.elapsed() >= SHOWN_AFTER);
        if self.terminal && self.bars.is_none() && task_is_slow {
            self.bars = Some(Bars::new());
        }
        let Some(bars) = &self.bars else { return };
        let (rows, columns) = console::Term::stderr().size();
        // No line reaches the last column: a line the terminal wraps is one
        // more than the bars count, and clearing them would miss it.
        let fit = |text: String, indent: usize| {
            console::truncate_str(&text, usize::from(columns).saturating_sub(indent + 1), "…")
                .into_owned()
        };
        match &self.task {
            Some(counts) => bars.task.set_message(fit(task_line(counts), 2)),
            None => bars.task.set_message(""),
        }
        bars.task.tick();
        // Room for the task line and "… more" under the output.
        let room = usize::from(rows).saturating_sub(6).max(1);
        let mut shown = 0;
        let mut hidden = 0;
        for (host, running) in &mut self.running {
            let elapsed = running.since.elapsed();
            if elapsed < SLOW {
                continue;
            }
            if running.bar.is_none() && shown >= room {
                hidden += 1;
                continue;
            }
            let bar = running.bar.get_or_insert_with(|| {
                let bar = ProgressBar::new_spinner()
                    .with_style(host_style())
                    .with_elapsed(elapsed);
                bars.multi.insert_before(&bars.more, bar)
            });
            bar.set_message(fit(format!("{host}  {}", running.action), 8));
            bar.tick();
            shown += 1;
        }
        if hidden > 0 {
            bars.more
                .set_message(format!("… and {} still running", hosts_word(hidden)));
        } else {
            bars.more.set_message("");
        }
        bars.more.tick();
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(bars) = &self.bars {
            bars.hide();
        }
    }
}

impl Bars {
    fn new() -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let task = multi.add(ProgressBar::new_spinner().with_style(task_style()));
        let more = multi.add(ProgressBar::new_spinner().with_style(more_style()));
        output::draw_live(Some(multi.clone()));
        Self { multi, task, more }
    }

    fn hide(&self) {
        output::draw_live(None);
        let _ = self.multi.clear();
    }
}

fn task_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner:.cyan} {msg}").unwrap_or_else(|_| plain_style())
}

fn host_style() -> ProgressStyle {
    ProgressStyle::with_template("  {elapsed:>5.yellow} {msg}").unwrap_or_else(|_| plain_style())
}

fn more_style() -> ProgressStyle {
    ProgressStyle::with_template("  {msg}").unwrap_or_else(|_| plain_style())
}

fn plain_style() -> ProgressStyle {
    ProgressStyle::default_spinner()
}

/// `TASK [Migrate] 3/10  ok=2 changed=1 failed=0`.
fn task_line(counts: &TaskCounts) -> String {
    let mut line = format!(
        "TASK [{}] {}/{}  ok={} changed={}",
        counts.name, counts.done, counts.total, counts.ok, counts.changed
    );
    if counts.skipped > 0 {
        line.push_str(&format!(" skipped={}", counts.skipped));
    }
    line.push_str(&format!(" failed={}", counts.failed));
    line
}

/// `node3 (12 s): TASK [Migrate] command: kwbase upgrade`.
fn running_line(host: &str, running: &Running) -> String {
    format!(
        "{host} ({} s): TASK [{}] {}",
        running.since.elapsed().as_secs(),
        running.task,
        running.action
    )
}

fn hosts_word(count: usize) -> String {
    if count == 1 {
        "1 host".to_string()
    } else {
        format!("{count} hosts")
    }
}
