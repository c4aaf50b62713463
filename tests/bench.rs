//! The measurement of issue 11: the `traffic` event's counts, and
//! scripts/bench itself at a small size, so the benchmark cannot rot.

use crate::support::Lab;

const THREE_COMMANDS: &str = "\
- hosts: all
  gather_facts: false
  tasks:
    - command: 'true'
    - command: 'true'
    - debug:
        msg: on the controller
    - command: 'true'
      when: inventory_hostname == 'node1'
";

#[test]
fn traffic_counts_each_framed_command_and_each_login() {
    let lab = Lab::up(2);
    lab.project.file("site.yml", THREE_COMMANDS);
    let run = lab.run(&["play", "site.yml", "-i", "lab", "--output", "json"]);
    run.assert_code(0);
    let traffic: Vec<_> = run
        .events()
        .into_iter()
        .filter(|event| event["event"] == "traffic")
        .collect();
    assert_eq!(traffic.len(), 1, "{}", run.stdout);
    // The shell's start-up frame, then one frame per command that ran on the
    // host; `debug` runs on the controller.
    assert_eq!(
        traffic[0]["hosts"],
        serde_json::json!([
            ["node1", {"round_trips": 4, "sessions": 1}],
            ["node2", {"round_trips": 3, "sessions": 1}],
        ]),
        "{}",
        run.stdout
    );
}

/// `creates:` is checked by the command's own script: a command behind it
/// costs one round trip whether it runs (first run) or not (second).
#[test]
fn a_command_behind_creates_costs_one_round_trip() {
    let lab = Lab::up(1);
    lab.project.file(
        "site.yml",
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: touch /opt/made creates=/opt/made\n",
    );
    for (run, changed) in [("first", 1), ("second", 0)] {
        let output = lab.run(&["play", "site.yml", "-i", "lab", "--output", "json"]);
        output.assert_code(0);
        let events = output.events();
        let traffic = events
            .iter()
            .find(|event| event["event"] == "traffic")
            .expect("traffic");
        assert_eq!(
            traffic["hosts"],
            serde_json::json!([["node1", {"round_trips": 2, "sessions": 1}]]),
            "{run} run: the shell's start-up and the command\n{}",
            output.stdout
        );
        let recap = events
            .iter()
            .find(|event| event["event"] == "recap")
            .expect("recap");
        assert_eq!(
            recap["hosts"][0][1]["changed"], changed,
            "{run} run: {recap}"
        );
    }
}

/// `scripts/bench --only runbook OPTIONS --json FILE HOSTS 1`, which must
/// succeed: its stdout and the JSON file's text.
fn run_bench(options: &[&str], hosts: &str) -> (String, String) {
    let work = tempfile::tempdir().expect("temporary directory");
    let json = work.path().join("bench.json");
    let output = std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/bench"))
        .args(["--only", "runbook"])
        .args(options)
        .arg("--json")
        .arg(&json)
        .args([hosts, "1"])
        .env("RUNBOOK_BENCH_BINARY", env!("CARGO_BIN_EXE_runbook"))
        .output()
        .expect("scripts/bench");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&json).expect("the JSON file");
    (stdout, text)
}

#[test]
fn the_bench_runs_on_five_hosts_and_writes_its_json() {
    let (_, text) = run_bench(&[], "5");
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(report["hosts"], 5, "{text}");
    let medians = report["medians"].as_array().expect("medians");
    assert_eq!(medians.len(), 2, "a first and a second run: {text}");
    for median in medians {
        assert_eq!(median["tool"], "runbook", "{text}");
        // Counts, not times: the shell's start-up plus at most one frame for
        // each of the 12 tasks, and at least one process per host.
        let trips = median["round_trips_per_host"]
            .as_f64()
            .expect("round trips");
        assert!((9.0..=13.0).contains(&trips), "{text}");
        let processes = median["processes_per_host"].as_f64().expect("processes");
        assert!(processes >= 1.0, "{text}");
    }
}

/// scripts/bench-chart draws the PNG of docs/performance.md from the JSON
/// files of several fleet sizes: a 1080 × 660 picture.
#[test]
fn the_chart_draws_wall_time_against_hosts_from_the_json_files() {
    let (_, five) = run_bench(&[], "5");
    let work = tempfile::tempdir().expect("temporary directory");
    let mut ten: serde_json::Value = serde_json::from_str(&five).expect("JSON");
    ten["hosts"] = 10.into();
    std::fs::write(work.path().join("5.json"), &five).expect("5.json");
    std::fs::write(work.path().join("10.json"), ten.to_string()).expect("10.json");
    let png = work.path().join("chart.png");
    let output =
        std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/bench-chart"))
            .arg(&png)
            .arg(work.path().join("5.json"))
            .arg(work.path().join("10.json"))
            .output()
            .expect("scripts/bench-chart");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let picture = std::fs::read(&png).expect("the PNG");
    assert_eq!(&picture[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let dimension =
        |at: usize| u32::from_be_bytes(picture[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!((dimension(16), dimension(20)), (1080, 660));
}

/// `--latency`: every host behind bench/delay_relay.py. The same round
/// trips as on loopback, and each costs the link's round trip at least: the
/// wall time of a run is more than its framed commands times 50 ms.
#[test]
fn the_bench_slows_every_link_with_latency() {
    let (stdout, text) = run_bench(&["--latency", "50"], "2");
    assert!(
        stdout.contains("a 50 ms round trip to every host"),
        "{stdout}"
    );
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for median in report["medians"].as_array().expect("medians") {
        let trips = median["round_trips_per_host"]
            .as_f64()
            .expect("round trips");
        assert!((9.0..=13.0).contains(&trips), "{text}");
        let wall = median["wall_s"].as_f64().expect("wall");
        assert!(wall > trips * 0.050, "{text}");
    }
}

/// scripts/bench-load at a small size: the generated playbook and inventory
/// load and validate (every command exits 0), and each figure is printed.
#[test]
fn the_load_bench_validates_its_generated_playbook_and_inventory() {
    let output =
        std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/bench-load"))
            .args(["40", "300", "1"])
            .env("RUNBOOK_BENCH_BINARY", env!("CARGO_BIN_EXE_runbook"))
            .output()
            .expect("scripts/bench-load");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let commands: Vec<&str> = stdout
        .lines()
        .skip(1)
        .map(|line| line.split("  ").next().unwrap_or_default())
        .collect();
    assert_eq!(
        commands,
        [
            "runbook --version",
            "play site.yml -i hosts.ini --syntax-check",
            "play site.yml -i hosts.ini --list-hosts",
            "play site.yml -i hosts.ini --list-tasks",
        ],
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .next()
            .is_some_and(|line| line.contains("a playbook of 40 tasks, an inventory of 300 hosts")),
        "{stdout}"
    );
}
