//! `fetch` with `flat: true` from many lab hosts into one destination: every
//! host succeeds (each writes through its own temporary file and a rename),
//! the destination holds one host's whole file, and nothing else is left.

use crate::support::{Lab, Recap, recap};

#[test]
fn twenty_hosts_fetch_into_one_flat_destination() {
    let lab = Lab::up(20);
    let payload = "x".repeat(200_000);
    for host in &lab.hosts {
        let content = format!("{host}\n{payload}\n");
        std::fs::write(lab.host_root(host).join("opt/id"), content).expect("host file");
    }
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - fetch: src=/opt/id dest=out/id flat=true\n",
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab", "-f", "20"]);
    output.assert_code(0);
    let recap = recap(&output);
    for host in &lab.hosts {
        assert_eq!(
            recap[host.as_str()],
            Recap::new(1, 1, 0, 0, 0),
            "{host}\n{}",
            output.all()
        );
    }
    let fetched = lab.project.read("out/id");
    let (first, rest) = fetched.split_once('\n').expect("a name line");
    assert!(lab.hosts.iter().any(|h| h == first), "{first}");
    assert_eq!(rest, format!("{payload}\n"));
    let names: Vec<String> = std::fs::read_dir(lab.project.join("out"))
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["id"]);
}
