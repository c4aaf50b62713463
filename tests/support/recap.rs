use std::collections::BTreeMap;

use super::Output;

/// One host's PLAY RECAP counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Recap {
    pub ok: u32,
    pub changed: u32,
    pub unreachable: u32,
    pub failed: u32,
    pub skipped: u32,
    pub rescued: u32,
    pub ignored: u32,
}

impl Recap {
    pub(crate) fn new(ok: u32, changed: u32, unreachable: u32, failed: u32, skipped: u32) -> Self {
        Self {
            ok,
            changed,
            unreachable,
            failed,
            skipped,
            ..Self::default()
        }
    }
}

/// Parse the PLAY RECAP block of a run, as a tool reading Ansible's would.
pub(crate) fn recap(output: &Output) -> BTreeMap<String, Recap> {
    let text = &output.stdout;
    let start = text
        .find("PLAY RECAP")
        .unwrap_or_else(|| panic!("no PLAY RECAP\n{}", output.all()));
    text[start..]
        .lines()
        .skip(1)
        .filter(|line| line.contains(" : ok="))
        .map(|line| {
            let (host, counters) = line.split_once(" : ").expect("recap line");
            let mut recap = Recap::default();
            for pair in counters.split_whitespace() {
                let (name, value) = pair.split_once('=').expect("name=value");
                let value: u32 = value.parse().expect("number");
                match name {
                    "ok" => recap.ok = value,
                    "changed" => recap.changed = value,
                    "unreachable" => recap.unreachable = value,
                    "failed" => recap.failed = value,
                    "skipped" => recap.skipped = value,
                    "rescued" => recap.rescued = value,
                    "ignored" => recap.ignored = value,
                    other => panic!("unknown recap field {other}"),
                }
            }
            (host.trim().to_string(), recap)
        })
        .collect()
}

/// The `PLAY [...]`, `TASK [...]`, `RUNNING HANDLER [...]` and `NO MORE
/// HOSTS LEFT` banners of a run, in order, without their stars.
pub(crate) fn task_banners(output: &Output) -> Vec<String> {
    banner_lines(output)
        .into_iter()
        .filter(|line| !line.starts_with("PLAY RECAP") && !line.starts_with("included: "))
        .map(|line| line.trim_end_matches('*').trim().to_string())
        .collect()
}

/// The banner lines of a run exactly as printed, stars included (their
/// width is part of what a differential test compares), `included:` lines
/// (which hosts included what, per loop item; hosts sorted) and `PLAY RECAP`.
pub(crate) fn banner_lines(output: &Output) -> Vec<String> {
    const BANNERS: [&str; 6] = [
        "PLAY [",
        "TASK [",
        "RUNNING HANDLER [",
        "included: ",
        "NO MORE HOSTS LEFT",
        "PLAY RECAP",
    ];
    output
        .stdout
        .lines()
        .filter(|line| BANNERS.iter().any(|banner| line.starts_with(banner)))
        .map(sorted_included_hosts)
        .collect()
}

/// Every host result as printed (`ok: [node1] => {...}` with its indented
/// body, `...ignoring`), task by task, with each task's results sorted:
/// hosts report in the order they finish.
pub(crate) fn result_blocks(output: &Output) -> Vec<String> {
    const RESULTS: [&str; 5] = [
        "ok: [",
        "changed: [",
        "fatal: [",
        "failed: [",
        "skipping: [",
    ];
    let mut tasks: Vec<Vec<String>> = Vec::new();
    let mut lines = output.stdout.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("TASK [") || line.starts_with("RUNNING HANDLER [") {
            tasks.push(Vec::new());
        } else if RESULTS.iter().any(|start| line.starts_with(start)) {
            let mut block = line.to_string();
            if line.ends_with('{') {
                for body in lines.by_ref() {
                    block.push('\n');
                    block.push_str(body);
                    if body == "}" {
                        break;
                    }
                }
            }
            if let Some(task) = tasks.last_mut() {
                task.push(block);
            }
        } else if line == "...ignoring"
            && let Some(last) = tasks.last_mut().and_then(|task| task.last_mut())
        {
            last.push_str("\n...ignoring");
        }
    }
    tasks
        .into_iter()
        .flat_map(|mut task| {
            task.sort();
            task
        })
        .collect()
}

/// An `included:` line with its hosts sorted: Ansible lists them in the
/// order their results arrived, which no two runs need share.
fn sorted_included_hosts(line: &str) -> String {
    let Some((head, rest)) = line
        .strip_prefix("included: ")
        .and_then(|rest| rest.split_once(" for "))
    else {
        return line.to_string();
    };
    let (hosts, item) = rest
        .split_once(" => ")
        .map_or((rest, None), |(h, i)| (h, Some(i)));
    let mut hosts: Vec<&str> = hosts.split(", ").collect();
    hosts.sort_unstable();
    let mut sorted = format!("included: {head} for {}", hosts.join(", "));
    if let Some(item) = item {
        sorted.push_str(&format!(" => {item}"));
    }
    sorted
}

/// A second run of an idempotent playbook: no host reports a change.
#[track_caller]
pub(crate) fn assert_nothing_changed(output: &Output) {
    for (host, counts) in recap(output) {
        assert_eq!(
            counts.changed,
            0,
            "second run changes nothing on {host}\n{}",
            output.all()
        );
    }
}
