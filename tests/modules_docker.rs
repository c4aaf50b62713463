//! docker_container, docker_image and docker_compose over SSH on lab hosts,
//! whose docker shim is the engine: first run changed, second ok, `--check`
//! leaves the host untouched, `--diff` shows what changes, bad arguments
//! fail before any host is touched.

use crate::support::{Lab, Project, Recap, recap};

const KWDB: &str = r#"
- hosts: lab
  gather_facts: false
  tasks:
    - community.docker.docker_container:
        name: kwdb
        image: "kwdb/kwdb:{{ kwdb_version | default('2.2.0') }}"
        state: started
        privileged: true
        ulimits: ["memlock:-1:-1", "nofile:1048576"]
        published_ports: ["26257:26257", "8080:8080"]
        volumes: ["/var/lib/kaiwudb:/kaiwudb/deploy/kaiwudb-container", "/dev:/dev"]
        ipc_mode: shareable
        working_dir: /kaiwudb/bin
        restart_policy: always
        env: {KWDB_MODE: insecure}
        command: ./kwbase start-single-node --insecure --listen-addr=0.0.0.0:26257
      register: kwdb
"#;

/// Run for real only: in `--check` nothing is created, so nothing is inspected.
const KWDB_ASSERT: &str = r#"
    - assert:
        that:
          - kwdb.container.State.Running
          - kwdb.container.HostConfig.Privileged
"#;

/// A container's `file` (image, status...) in the host's docker shim state.
fn container(lab: &Lab, host: &str, name: &str, file: &str) -> Option<String> {
    let path = lab
        .host_root(host)
        .join("var/lib/runbook-shims/docker/containers")
        .join(name)
        .join(file);
    std::fs::read_to_string(path)
        .ok()
        .map(|text| text.trim().to_string())
}

#[test]
fn docker_container_runs_once_and_recreates_when_the_image_changes() {
    let lab = Lab::up(1);
    lab.project.file(
        "kwdb.yml",
        &format!("{KWDB}{}", KWDB_ASSERT.trim_start_matches('\n')),
    );
    lab.project.file("kwdb-check.yml", KWDB);

    let before = lab.snapshot("node1");
    let check = lab.run(&["play", "kwdb-check.yml", "-i", "lab", "--check", "--diff"]);
    check.assert_code(0);
    assert_eq!(recap(&check)["node1"].changed, 1, "{}", check.all());
    assert!(check.stdout.contains("state: started"), "{}", check.all());
    assert_eq!(before, lab.snapshot("node1"), "--check changed the host");

    let first = lab.run(&["play", "kwdb.yml", "-i", "lab"]);
    first.assert_code(0);
    assert_eq!(
        recap(&first)["node1"],
        Recap::new(2, 1, 0, 0, 0),
        "{}",
        first.all()
    );
    let second = lab.run(&["play", "kwdb.yml", "-i", "lab"]);
    assert_eq!(
        recap(&second)["node1"],
        Recap::new(2, 0, 0, 0, 0),
        "{}",
        second.all()
    );

    let upgrade = lab.run(&[
        "play",
        "kwdb.yml",
        "-i",
        "lab",
        "--diff",
        "-e",
        "kwdb_version=2.2.1",
    ]);
    upgrade.assert_code(0);
    assert_eq!(recap(&upgrade)["node1"].changed, 1, "{}", upgrade.all());
    assert!(
        upgrade.stdout.contains("image: kwdb/kwdb:2.2.0")
            && upgrade.stdout.contains("image: kwdb/kwdb:2.2.1"),
        "{}",
        upgrade.all()
    );
    assert_eq!(
        container(&lab, "node1", "kwdb", "image").as_deref(),
        Some("kwdb/kwdb:2.2.1")
    );
    assert_eq!(
        container(&lab, "node1", "kwdb", "status").as_deref(),
        Some("running")
    );
    let calls: Vec<String> = lab
        .shim_calls("node1")
        .into_iter()
        .filter(|(shim, args)| {
            shim == "docker" && !args.contains("inspect") && !args.starts_with("pull")
        })
        .map(|(_, args)| args.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        calls,
        ["run --detach", "rm --force", "run --detach"],
        "created once, recreated once for the new image"
    );
}

#[test]
fn docker_container_stops_and_removes() {
    let lab = Lab::up(1);
    lab.project.file(
        "jpom.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - docker_container:
        name: jpom-server
        image: jpomdocker/jpom
        state: "{{ wanted }}"
        ports: ["2122:2122"]
        restart_policy: always
        volumes:
          - /home/jpom-server/data:/usr/local/jpom-server/data
"#,
    );
    let play = |wanted: &str, extra: &[&str]| {
        let mut args = vec!["play", "jpom.yml", "-i", "lab", "-e"];
        let var = format!("wanted={wanted}");
        args.push(&var);
        args.extend_from_slice(extra);
        let output = lab.run(&args);
        output.assert_code(0);
        recap(&output)["node1"].changed
    };
    assert_eq!(play("started", &[]), 1);
    assert_eq!(play("stopped", &[]), 1);
    assert_eq!(play("stopped", &[]), 0);
    assert_eq!(
        container(&lab, "node1", "jpom-server", "status").as_deref(),
        Some("exited")
    );
    let before = lab.snapshot("node1");
    assert_eq!(play("absent", &["--check"]), 1);
    assert_eq!(before, lab.snapshot("node1"));
    assert_eq!(play("absent", &[]), 1);
    assert_eq!(play("absent", &[]), 0);
    assert_eq!(container(&lab, "node1", "jpom-server", "status"), None);
}

#[test]
fn bad_docker_arguments_fail_before_connecting() {
    let project = Project::new();
    for (task, needle) in [
        (
            "docker_container: {name: web, imag: nginx}",
            "did you mean `image`?",
        ),
        ("docker_container: {image: nginx}", "needs name"),
        (
            "community.docker.docker_image: {name: nginx, sourse: pull}",
            "did you mean `source`?",
        ),
        (
            "docker_compose: {project_src: /srv/app, stat: absent}",
            "did you mean `state`?",
        ),
    ] {
        project.file(
            "bad.yml",
            &format!("- hosts: all\n  gather_facts: false\n  tasks:\n    - {task}\n"),
        );
        let output = project.run(&["play", "bad.yml", "--syntax-check"]);
        output.assert_code(4);
        assert!(output.all().contains(needle), "{task}: {}", output.all());
        assert!(
            output.all().contains("bad.yml:4:"),
            "{task}: {}",
            output.all()
        );
    }
}

/// A `docker save` archive holding `reference`, written into the host's /opt.
fn image_archive(lab: &Lab, host: &str, file: &str, reference: &str) {
    let opt = lab.host_root(host).join("opt");
    std::fs::create_dir_all(&opt).expect("mkdir");
    let manifest = opt.join("manifest.json");
    std::fs::write(
        &manifest,
        format!("[{{\"Config\":\"c.json\",\"RepoTags\":[\"{reference}\"],\"Layers\":[]}}]"),
    )
    .expect("write manifest");
    let status = std::process::Command::new("tar")
        .arg("-C")
        .arg(&opt)
        .arg("-cf")
        .arg(opt.join(file))
        .arg("manifest.json")
        .status()
        .expect("tar runs");
    assert!(status.success());
    std::fs::remove_file(manifest).expect("rm");
}

#[test]
fn docker_image_loads_pulls_and_removes() {
    let lab = Lab::up(1);
    image_archive(&lab, "node1", "KaiwuDB.tar", "kwdb/kwdb:2.2.1");
    lab.project.file(
        "images.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - community.docker.docker_image:
        name: kwdb/kwdb
        tag: 2.2.1
        source: load
        load_path: /opt/KaiwuDB.tar
      register: loaded
    - docker_image:
        name: jpomdocker/jpom
        source: pull
    - docker_image:
        name: kwdb/kwdb:2.2.0
        state: absent
"#,
    );
    let before = lab.snapshot("node1");
    let check = lab.run(&["play", "images.yml", "-i", "lab", "--check", "--diff"]);
    check.assert_code(0);
    assert_eq!(recap(&check)["node1"].changed, 2, "{}", check.all());
    assert!(
        check.stdout.contains("+source: load /opt/KaiwuDB.tar"),
        "{}",
        check.all()
    );
    assert_eq!(before, lab.snapshot("node1"), "--check changed the host");

    let first = lab.run(&["play", "images.yml", "-i", "lab"]);
    first.assert_code(0);
    assert_eq!(
        recap(&first)["node1"],
        Recap::new(3, 2, 0, 0, 0),
        "{}",
        first.all()
    );
    let second = lab.run(&["play", "images.yml", "-i", "lab"]);
    assert_eq!(
        recap(&second)["node1"],
        Recap::new(3, 0, 0, 0, 0),
        "{}",
        second.all()
    );
    let tags = lab
        .host_root("node1")
        .join("var/lib/runbook-shims/docker/tags");
    assert!(tags.join("kwdb%kwdb:2.2.1").exists() && tags.join("jpomdocker%jpom:latest").exists());

    lab.project.file(
        "remove.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - docker_image: {name: 'kwdb/kwdb:2.2.1', state: absent}\n",
    );
    let removed = lab.run(&["play", "remove.yml", "-i", "lab", "--diff"]);
    assert_eq!(recap(&removed)["node1"].changed, 1, "{}", removed.all());
    assert!(
        removed.stdout.contains("+kwdb/kwdb:2.2.1: absent"),
        "{}",
        removed.all()
    );
    assert!(!tags.join("kwdb%kwdb:2.2.1").exists());
}

#[test]
fn docker_image_refuses_an_archive_without_the_image() {
    let lab = Lab::up(1);
    image_archive(&lab, "node1", "other.tar", "other:1");
    lab.project.file(
        "load.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - docker_image: {name: kwdb, tag: '2.2.1', load_path: /opt/other.tar}\n",
    );
    let output = lab.run(&["play", "load.yml", "-i", "lab"]);
    output.assert_code(2);
    assert!(
        output.stdout.contains("did not contain image kwdb:2.2.1"),
        "{}",
        output.all()
    );
}

#[test]
fn docker_compose_brings_a_project_up_once_and_follows_image_changes() {
    let lab = Lab::up(1);
    let project = lab.host_root("node1").join("opt/jpom");
    std::fs::create_dir_all(&project).expect("mkdir");
    let compose = |version: &str| {
        std::fs::write(
            project.join("docker-compose.yml"),
            format!(
                "services:\n  server:\n    image: \"jpomdocker/jpom:{version}\"\n    container_name: jpom-server\n  agent:\n    image: jpomdocker/agent\n"
            ),
        )
        .expect("write compose file");
    };
    compose("2.10");
    lab.project.file(
        "compose.yml",
        r#"
- hosts: lab
  gather_facts: false
  tasks:
    - community.docker.docker_compose:
        project_src: /opt/jpom
        state: "{{ wanted | default('present') }}"
        pull: true
      register: up
"#,
    );
    let play = |extra: &[&str]| {
        let mut args = vec!["play", "compose.yml", "-i", "lab"];
        args.extend_from_slice(extra);
        let output = lab.run(&args);
        output.assert_code(0);
        output
    };
    let before = lab.snapshot("node1");
    let check = play(&["--check", "--diff"]);
    assert_eq!(recap(&check)["node1"].changed, 1, "{}", check.all());
    assert!(
        check
            .stdout
            .contains("+server: running (jpomdocker/jpom:2.10)"),
        "{}",
        check.all()
    );
    assert_eq!(before, lab.snapshot("node1"), "--check changed the host");

    assert_eq!(recap(&play(&[]))["node1"].changed, 1);
    assert_eq!(
        container(&lab, "node1", "jpom-server", "status").as_deref(),
        Some("running")
    );
    assert_eq!(
        container(&lab, "node1", "jpom-agent-1", "status").as_deref(),
        Some("running")
    );
    assert_eq!(recap(&play(&[]))["node1"].changed, 0);

    compose("2.11");
    let upgrade = play(&["--diff"]);
    assert_eq!(recap(&upgrade)["node1"].changed, 1, "{}", upgrade.all());
    assert!(
        upgrade
            .stdout
            .contains("-server: running (jpomdocker/jpom:2.10)"),
        "{}",
        upgrade.all()
    );
    assert_eq!(
        container(&lab, "node1", "jpom-server", "image").as_deref(),
        Some("jpomdocker/jpom:2.11")
    );

    assert_eq!(recap(&play(&["-e", "wanted=absent"]))["node1"].changed, 1);
    assert_eq!(container(&lab, "node1", "jpom-server", "status"), None);
    assert_eq!(recap(&play(&["-e", "wanted=absent"]))["node1"].changed, 0);
}
