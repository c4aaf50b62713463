use serde::{Deserialize, Deserializer, Serialize};

use super::HostStats;
use crate::connection::{CommandSent, Note, SessionOpened, Trace, Traffic};
use crate::value::Value;

/// How a task ended on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Changed,
    Skipped,
    Failed,
    Unreachable,
}

/// One task's (or one loop item's) result on one host.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostResult {
    pub host: String,
    pub task: String,
    /// Where the task is written (`file:line:col`); empty in journals
    /// written before it was recorded.
    #[serde(default)]
    pub location: String,
    pub status: Status,
    /// A failure that `ignore_errors` let pass.
    pub ignored: bool,
    /// The label of the loop item, for per-item results.
    pub item: Option<String>,
    pub delegated_to: Option<String>,
    /// The result as `register` would store it (censored under `no_log`).
    #[serde(deserialize_with = "value_from_json")]
    pub result: Value,
    /// The name of the module, for ad-hoc output.
    pub module: String,
    /// The module asks for its result to be shown in full whatever the
    /// verbosity (`debug`, `assert`: Ansible's `_ansible_verbose_always`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shown_in_full: bool,
    /// A failure a template caused, shown as a load-time error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ExplainedError>,
}

/// A template failure at its place: what went wrong, `file:line:col` of
/// the expression, "did you mean …?", and the whole error as a load-time
/// error is rendered (the line and a caret under the expression).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainedError {
    pub message: String,
    pub location: String,
    pub help: Option<String>,
    pub rendered: String,
}

/// What the executor tells the reporter, in the order it happens. Events
/// read back from a journal (`runbook runs show`) are the same events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    PlayStart {
        name: String,
        hosts: Vec<String>,
        /// `linear` or `free`: how the play's task banners interleave.
        strategy: String,
    },
    TaskStart {
        name: String,
        location: String,
        handler: bool,
        /// How many hosts run it (1 under `run_once`); 0 in journals
        /// written before it was recorded.
        #[serde(default)]
        hosts: usize,
    },
    /// A host began running a task's module (each loop item, each `until`
    /// attempt's first): what it runs, for the live view of hosts still
    /// running and the list a Ctrl-C leaves.
    HostStart {
        host: String,
        task: String,
        location: String,
        /// The module and a short summary of its arguments (`command: sleep
        /// 600`); the module alone under `no_log`.
        action: String,
    },
    /// Hosts that included the same file (or role), for one loop item
    /// when the include loops; their `HostResult`s came before.
    Included {
        file: String,
        hosts: Vec<String>,
        item: Option<String>,
    },
    /// A per-item result of a loop; the task's own result follows.
    ItemResult(HostResult),
    HostResult(HostResult),
    /// An `until` condition did not hold yet; the task runs again.
    Retry {
        host: String,
        task: String,
        retries_left: usize,
        #[serde(deserialize_with = "value_from_json")]
        result: Value,
    },
    /// An `async` job is still running at a poll (`poll:` seconds apart).
    AsyncPoll {
        host: String,
        jid: String,
        started: bool,
        finished: bool,
    },
    /// An `async` task the controller waited for has ended.
    AsyncEnd {
        host: String,
        jid: String,
        failed: bool,
    },
    Warning {
        message: String,
    },
    /// A question for the person at the terminal (`--step`, `vars_prompt`,
    /// a key's passphrase); the reporter asks it once the output before it
    /// is shown, and the answer goes back to the asking worker.
    #[serde(skip_deserializing)]
    Question(Question),
    NoHostsMatched {
        play: String,
    },
    /// Failure limits took every host out: the playbook ends here.
    NoHostsRemaining,
    /// The hosts that failed or were unreachable are listed in this file
    /// (`retry_files_enabled`), for `--limit @FILE`.
    RetryFile {
        path: String,
    },
    /// An SSH session was opened (`-vvv`).
    SessionOpened(SessionOpened),
    /// A command was sent to a host and answered (`-vvv`); its text is
    /// left out under `no_log`, and values a vault revealed are masked.
    CommandSent(CommandSent),
    /// What each host's connections cost (hosts reached over SSH, sorted),
    /// sent once the connections are closed, before the recap.
    Traffic {
        hosts: Vec<(String, Traffic)>,
    },
    Recap {
        hosts: Vec<(String, HostStats)>,
    },
}

/// From `-vvv` on, connections note their sessions and commands as events
/// (a vault's values masked in the command text before it leaves the core,
/// so the journal never holds them either); below it they note nothing.
pub(super) fn connection_trace(verbosity: u8, events: &std::sync::mpsc::Sender<Event>) -> Trace {
    if verbosity < 3 {
        return Trace::default();
    }
    let events = std::sync::Mutex::new(events.clone());
    Trace::to(move |note| {
        let event = match note {
            Note::Opened(opened) => Event::SessionOpened(opened),
            Note::Sent(mut sent) => {
                sent.command = sent
                    .command
                    .map(|text| crate::vault::session::redact(&text).into_owned());
                Event::CommandSent(sent)
            }
        };
        if let Ok(events) = events.lock() {
            // The reporter only goes away when the run is over.
            let _ = events.send(event);
        }
    })
}

/// A question in the event stream, with the way back for its answer.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub text: String,
    /// Whether what is typed is shown (false for passwords).
    pub echo: bool,
    #[serde(skip)]
    answer: std::sync::mpsc::Sender<Option<String>>,
}

impl Question {
    /// A question and the receiver its answer arrives on.
    pub fn new(text: &str, echo: bool) -> (Self, std::sync::mpsc::Receiver<Option<String>>) {
        let (answer, receiver) = std::sync::mpsc::channel();
        let question = Self {
            text: text.to_string(),
            echo,
            answer,
        };
        (question, receiver)
    }

    pub fn answer(&self, answer: Option<String>) {
        // The asking worker may have given up (the run ended); nothing to do then.
        let _ = self.answer.send(answer);
    }
}

/// A result read back as JSON becomes the value it was.
fn value_from_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    let json = serde_json::Value::deserialize(deserializer)?;
    Ok(Value::from(minijinja::value::Serde(json)))
}
