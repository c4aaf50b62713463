use super::*;
use crate::value::to_var_map;

fn args(yaml: &str) -> Args {
    let file = crate::source::SourceFile::new("task.yml", yaml);
    let node = crate::yaml::parse_str(file).expect("yaml");
    Args::new(to_var_map(&node.to_value()))
}

fn running(name: &str) -> Json {
    serde_json::json!({
        "Name": format!("/{name}"),
        "Image": "sha256:abc",
        "Config": {
            "Image": "kwdb:2.2.0",
            "Env": ["PATH=/bin", "A=1"],
            "Cmd": ["./kwbase", "start-single-node"],
            "WorkingDir": "/kaiwudb/bin",
            "Labels": {"app": "kw"},
            "Volumes": null
        },
        "HostConfig": {
            "Binds": ["/var/lib/kaiwudb:/data", "/dev:/dev:ro"],
            "PortBindings": {"26257/tcp": [{"HostIp": "", "HostPort": "26257"}]},
            "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
            "Privileged": true,
            "Ulimits": [{"Name": "memlock", "Soft": -1, "Hard": -1}],
            "IpcMode": "shareable",
            "NetworkMode": "default"
        }
    })
}

fn image() -> Json {
    serde_json::json!({"Id": "sha256:abc", "Config": {"Env": ["PATH=/bin"], "Labels": null}})
}

#[test]
fn the_same_settings_are_no_difference() {
    let options = ContainerOptions::from_args(&args(
        "env: {A: 1}\nlabels: {app: kw}\npublished_ports: ['26257:26257']\n\
         volumes: ['/var/lib/kaiwudb:/data', '/dev:/dev:ro']\ncommand: ./kwbase start-single-node\n\
         restart_policy: always\nprivileged: yes\nulimits: ['memlock:-1:-1']\nipc_mode: shareable\n\
         working_dir: /kaiwudb/bin\nnetwork_mode: bridge\n",
    ))
    .expect("valid");
    assert_eq!(options.differences(&running("kwdb"), Some(&image())), []);
    assert_eq!(
        ContainerOptions::default().differences(&running("kwdb"), None),
        [],
        "settings not given are not compared"
    );
}

#[test]
fn each_changed_setting_is_named_with_before_and_after() {
    let options = ContainerOptions::from_args(&args(
        "env: {A: '2'}\npublished_ports: ['127.0.0.1:8080:26257']\ncommand: [./kwbase, version]\n\
         restart_policy: unless-stopped\nulimits: ['nofile:1024:2048']\n",
    ))
    .expect("valid");
    let differences = options.differences(&running("kwdb"), Some(&image()));
    let names: Vec<&str> = differences.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "env",
            "published_ports",
            "command",
            "restart_policy",
            "ulimits"
        ]
    );
    assert_eq!(differences[0].before, "[A=1, PATH=/bin]");
    assert_eq!(differences[0].after, "[A=2, PATH=/bin]");
    assert_eq!(differences[1].after, "[127.0.0.1:8080:26257/tcp]");
}

#[test]
fn a_variable_the_task_drops_is_a_difference() {
    let options = ContainerOptions::from_args(&args("env: {}\n")).expect("valid");
    let differences = options.differences(&running("kwdb"), Some(&image()));
    assert_eq!(differences.len(), 1);
    assert_eq!(differences[0].after, "[PATH=/bin]");
}

#[test]
fn ports_volumes_and_ulimits_parse_as_docker_reads_them() {
    let port = Port::parse("0.0.0.0:80:8080/UDP").expect("valid");
    assert_eq!(port.flag(), "80:8080/udp");
    assert_eq!(Port::parse("9000").expect("valid").flag(), "9000/tcp");
    assert_eq!(
        Port::parse("8000-8010:8000-8010").expect("valid").flag(),
        "8000-8010:8000-8010/tcp"
    );
    for bad in ["", "http", "1:2:3:4", "80/icmp", "99999:80"] {
        assert!(Port::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        Volume::parse("/a:/b").expect("valid"),
        Volume::parse("/a:/b:rw").expect("valid")
    );
    assert_eq!(
        Volume::parse("/a:/b:z,ro").expect("valid"),
        Volume::parse("/a:/b:ro,z").expect("valid")
    );
    assert!(Volume::parse("relative").is_err());
    assert_eq!(
        Ulimit::parse("nofile:1024").expect("valid").flag(),
        "nofile=1024:1024"
    );
    assert!(Ulimit::parse("nofile").is_err());
}

#[test]
fn bad_arguments_fail_with_the_argument_named() {
    for (yaml, needle) in [
        ("restart_policy: sometimes\n", "restart_policy"),
        ("env: {DEBUG: yes}\n", "quote it"),
        ("published_ports: ['x:y']\n", "published_ports"),
        ("env: [A=1]\n", "mapping"),
    ] {
        let error = ContainerOptions::from_args(&args(yaml)).expect_err(yaml);
        assert!(error.to_string().contains(needle), "{yaml}: {error}");
    }
}

#[test]
fn flags_recreate_the_wanted_settings() {
    let options = ContainerOptions::from_args(&args(
        "env: {A: 1}\npublished_ports: ['80:80']\nrestart_policy: on-failure\nrestart_retries: 3\n\
         privileged: true\nvolumes: [/data]\n",
    ))
    .expect("valid");
    assert_eq!(
        options.run_flags(),
        [
            "--env",
            "A=1",
            "--publish",
            "80:80/tcp",
            "--volume",
            "/data",
            "--restart",
            "on-failure:3",
            "--privileged"
        ]
    );
}

proptest::proptest! {
    #[test]
    fn parsers_never_panic(text in "\\PC{0,24}") {
        let _ = Port::parse(&text);
        let _ = Volume::parse(&text);
        let _ = Ulimit::parse(&text);
    }

    #[test]
    fn a_parsed_port_reads_back_the_same(ip in "(|127\\.0\\.0\\.1)", host in 0u16..3, port in 1u16.., udp: bool) {
        let host = if host == 0 { String::new() } else { (host * 1000).to_string() };
        let proto = if udp { "udp" } else { "tcp" };
        let spec = match (ip.as_str(), host.as_str()) {
            ("", "") => format!("{port}/{proto}"),
            ("", h) => format!("{h}:{port}/{proto}"),
            (i, h) => format!("{i}:{h}:{port}/{proto}"),
        };
        let parsed = Port::parse(&spec).expect("valid");
        proptest::prop_assert_eq!(Port::parse(&parsed.flag()).expect("valid"), parsed);
    }
}

#[test]
fn ports_is_an_alias_of_published_ports() {
    let options = ContainerOptions::from_args(&args("ports: ['80:80']\n")).expect("valid");
    assert_eq!(options.run_flags(), ["--publish", "80:80/tcp"]);
}
