//! What `--syntax-check`, `--list-*`, `runbook inventory` and `runbook lab`
//! show, as plain data: the human view draws it as Ansible does, `--output
//! json` prints the same facts as one JSON line.

use std::fmt::Write;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "listing", rename_all = "snake_case")]
pub enum Listing {
    /// `--syntax-check` found nothing wrong in these playbooks.
    SyntaxChecked { playbooks: Vec<String> },
    /// `--list-hosts`, `--list-tasks`, `--list-tags`.
    Playbooks { playbooks: Vec<PlaybookOutline> },
    /// `run PATTERN --list-hosts`: the hosts the pattern matches.
    Hosts { hosts: Vec<String> },
    /// `inventory --list` and `--host`: the JSON ansible-inventory prints.
    Inventory { inventory: serde_json::Value },
    /// `inventory --list --yaml` and `--host --yaml`: the same facts as
    /// ansible-inventory's YAML (`--list`'s in its own shape).
    InventoryYaml { inventory: serde_json::Value },
    /// `inventory --graph`: the group tree from `all`.
    InventoryGraph { root: GroupTree },
    /// `lab up` and `lab status`.
    LabHosts { hosts: Vec<LabHostState> },
    /// `config dump`: each setting as `ansible-config dump` prints it.
    Config { settings: Vec<ConfigSetting> },
    /// `config view`: the ansible.cfg in use.
    ConfigFile { path: String, text: String },
    /// `completions`, `man`: text printed exactly as generated.
    Generated { text: String },
    /// `runs`: the recorded runs, oldest first.
    Runs { runs: Vec<RunLine> },
}

/// One recorded run in `runbook runs`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunLine {
    pub id: String,
    pub started: String,
    pub user: String,
    /// None: the run has not ended (or the controller died).
    pub exit_code: Option<i32>,
    pub hosts: usize,
    /// Hosts that failed or were unreachable.
    pub failed: usize,
    pub playbooks: Vec<String>,
    pub commit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigSetting {
    pub name: String,
    pub origin: String,
    pub value: String,
    /// Why the setting does nothing in runbook, if it does nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_effect: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaybookOutline {
    pub path: String,
    pub plays: Vec<PlayOutline>,
}

/// One play; each list is there only when it was asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayOutline {
    pub pattern: String,
    pub name: String,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<TaskOutline>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskOutline {
    pub name: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTree {
    pub name: String,
    pub children: Vec<GroupTree>,
    pub hosts: Vec<GraphHost>,
    /// `name = value` of the group's own variables (`--graph --vars`).
    pub vars: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphHost {
    pub name: String,
    /// `name = value` of the host's variables (`--graph --vars`).
    pub vars: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabHostState {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub running: bool,
}

/// The text the terminal shows, byte for byte as ansible-playbook and
/// ansible-inventory lay it out.
pub(super) fn render(listing: &Listing) -> String {
    let mut out = String::new();
    match listing {
        Listing::SyntaxChecked { playbooks } => {
            for path in playbooks {
                let _ = writeln!(out, "\nplaybook: {path}");
            }
        }
        Listing::Playbooks { playbooks } => {
            for book in playbooks {
                let _ = writeln!(out, "\nplaybook: {}", book.path);
                for (index, play) in book.plays.iter().enumerate() {
                    render_play(&mut out, index + 1, play);
                }
            }
        }
        Listing::Hosts { hosts } => {
            let _ = writeln!(out, "  hosts ({}):", hosts.len());
            for host in hosts {
                let _ = writeln!(out, "    {host}");
            }
        }
        Listing::Inventory { inventory } => {
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(inventory).unwrap_or_default()
            );
        }
        Listing::InventoryYaml { inventory } => out.push_str(&yaml(inventory)),
        Listing::InventoryGraph { root } => render_group(&mut out, root, 0),
        Listing::Config { settings } => {
            for setting in settings {
                let _ = write!(
                    out,
                    "{}({}) = {}",
                    setting.name, setting.origin, setting.value
                );
                match &setting.no_effect {
                    Some(why) => {
                        let _ = writeln!(out, "  # no effect: {why}");
                    }
                    None => out.push('\n'),
                }
            }
        }
        Listing::Generated { text } => out.push_str(text),
        Listing::Runs { runs } => {
            for run in runs {
                let exit = run
                    .exit_code
                    .map_or_else(|| "running?".to_string(), |code| format!("exit {code}"));
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{exit}\t{}/{} hosts failed\t{}\t{}",
                    run.id,
                    run.started.get(..19).unwrap_or(&run.started),
                    run.user,
                    run.failed,
                    run.hosts,
                    run.playbooks.join(" "),
                    run.commit.as_deref().unwrap_or("-"),
                );
            }
        }
        Listing::ConfigFile { path, text } => {
            let _ = writeln!(out, "# {path}");
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        Listing::LabHosts { hosts } => {
            for host in hosts {
                let state = if host.running { "running" } else { "stopped" };
                let _ = writeln!(
                    out,
                    "{}\t{}:{}\t{state}",
                    host.name, host.address, host.port
                );
            }
        }
    }
    out
}

/// Block-style YAML with keys sorted, as PyYAML's `dump(default_flow_style=False)`
/// (serde_json's maps are sorted), and `{}` for an empty mapping.
fn yaml(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) if map.is_empty() => "{}\n".to_string(),
        _ => serde_saphyr::to_string(value)
            .unwrap_or_else(|error| format!("# cannot write YAML: {error}\n")),
    }
}

fn render_play(out: &mut String, number: usize, play: &PlayOutline) {
    let _ = writeln!(
        out,
        "\n  play #{number} ({}): {}\tTAGS: [{}]",
        play.pattern,
        play.name,
        play.tags.join(", ")
    );
    if let Some(hosts) = &play.hosts {
        let _ = writeln!(
            out,
            "    pattern: ['{}']\n    hosts ({}):",
            play.pattern,
            hosts.len()
        );
        for host in hosts {
            let _ = writeln!(out, "      {host}");
        }
    }
    if let Some(tags) = &play.task_tags {
        let _ = writeln!(out, "      TASK TAGS: [{}]", tags.join(", "));
    }
    if let Some(tasks) = &play.tasks {
        let _ = writeln!(out, "    tasks:");
        for task in tasks {
            let _ = writeln!(out, "      {}\tTAGS: [{}]", task.name, task.tags.join(", "));
        }
    }
}

/// `ansible-inventory --graph`'s tree.
/// As ansible-inventory's `--graph`: groups, then hosts (with their
/// variables under them), then the group's own variables.
fn render_group(out: &mut String, group: &GroupTree, depth: usize) {
    graph_line(out, &format!("@{}:", group.name), depth);
    for child in &group.children {
        render_group(out, child, depth + 1);
    }
    for host in &group.hosts {
        graph_line(out, &host.name, depth + 1);
        for var in &host.vars {
            graph_line(out, &format!("{{{var}}}"), depth + 2);
        }
    }
    for var in &group.vars {
        graph_line(out, &format!("{{{var}}}"), depth + 1);
    }
}

fn graph_line(out: &mut String, text: &str, depth: usize) {
    if depth > 0 {
        out.push_str(&"  |".repeat(depth));
        out.push_str("--");
    }
    out.push_str(text);
    out.push('\n');
}
