//! fetch, slurp, get_url, uri, archive, unarchive and pip on a lab over SSH:
//! first run changed, second run ok, `--check` leaves the host untouched,
//! `--diff` shows what would change, bad arguments fail before connecting.
//! HTTP is served by a local `python3 -m http.server` the lab hosts reach.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use sha2::Digest;

use crate::support::{HttpServer, Lab, Project, Recap, recap};

fn sha256_hex(content: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(content))
}

fn host_file(lab: &Lab, host: &str, path: &str) -> std::path::PathBuf {
    lab.host_root(host).join(path.trim_start_matches('/'))
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

/// `--check` on a fresh host: reports `changed`, changes no file.
#[track_caller]
fn check_changes_nothing(lab: &Lab, playbook: &str, changed: u32) {
    let before = lab.snapshot("node1");
    let output = lab.run(&["play", playbook, "-i", "lab", "--check", "--diff"]);
    output.assert_code(0);
    assert_eq!(recap(&output)["node1"].changed, changed, "{}", output.all());
    assert_eq!(before, lab.snapshot("node1"), "--check changed the host");
}

#[track_caller]
fn run_changed_then_ok(lab: &Lab, playbook: &str, tasks: u32, changed: u32) {
    let first = lab.run(&["play", playbook, "-i", "lab"]);
    first.assert_code(0);
    assert_eq!(
        recap(&first)["node1"],
        Recap::new(tasks, changed, 0, 0, 0),
        "{}",
        first.all()
    );
    let second = lab.run(&["play", playbook, "-i", "lab"]);
    second.assert_code(0);
    assert_eq!(
        recap(&second)["node1"],
        Recap::new(tasks, 0, 0, 0, 0),
        "second run must change nothing\n{}",
        second.all()
    );
}

#[test]
fn get_url_downloads_once_and_verifies_the_checksum() {
    let lab = Lab::up(1);
    let served = tempfile::tempdir().expect("tmp");
    let payload = b"release 1.2.3\n".repeat(100);
    std::fs::write(served.path().join("pkg.txt"), &payload).expect("write");
    let server = HttpServer::serve(served.path());
    lab.project.file(
        "site.yml",
        &format!(
            "- hosts: lab\n  gather_facts: false\n  tasks:\n    - get_url:\n        url: {}\n        dest: /opt/pkg.txt\n        mode: '0640'\n        checksum: sha256:{}\n",
            server.url("pkg.txt"),
            sha256_hex(&payload)
        ),
    );
    check_changes_nothing(&lab, "site.yml", 1);
    run_changed_then_ok(&lab, "site.yml", 1, 1);
    let dest = host_file(&lab, "node1", "/opt/pkg.txt");
    assert_eq!(std::fs::read(&dest).expect("downloaded"), payload);
    assert_eq!(mode_of(&dest), 0o640);

    lab.project.file(
        "bad.yml",
        &format!(
            "- hosts: lab\n  gather_facts: false\n  tasks:\n    - get_url:\n        url: {}\n        dest: /opt/other.txt\n        checksum: sha256:{}\n",
            server.url("pkg.txt"),
            "0".repeat(64)
        ),
    );
    let mismatch = lab.run(&["play", "bad.yml", "-i", "lab"]);
    mismatch.assert_code(2);
    assert!(
        mismatch.stdout.contains("did not match"),
        "{}",
        mismatch.all()
    );
    assert!(!host_file(&lab, "node1", "/opt/other.txt").exists());
}

#[test]
fn slurp_and_fetch_bring_a_file_back() {
    let lab = Lab::up(1);
    let content = b"line one\n\x00binary\xff\n";
    let remote = host_file(&lab, "node1", "/opt/data.bin");
    std::fs::create_dir_all(remote.parent().expect("parent")).expect("mkdir");
    std::fs::write(&remote, content).expect("write");
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(content);
    lab.project.file(
        "site.yml",
        &format!(
            "- hosts: lab\n  gather_facts: false\n  tasks:\n    - slurp:\n        src: /opt/data.bin\n      register: got\n    - assert:\n        that:\n          - got.content == '{encoded}'\n          - got.encoding == 'base64'\n          - got.source == '/opt/data.bin'\n    - fetch:\n        src: /opt/data.bin\n        dest: fetched\n"
        ),
    );
    let local = lab.project.join("fetched/node1/opt/data.bin");
    let check = lab.run(&["play", "site.yml", "-i", "lab", "--check"]);
    check.assert_code(0);
    assert_eq!(recap(&check)["node1"].changed, 1, "{}", check.all());
    assert!(!local.exists(), "--check must not write on the controller");
    run_changed_then_ok(&lab, "site.yml", 3, 1);
    assert_eq!(std::fs::read(&local).expect("fetched"), content);

    std::fs::write(&remote, b"changed\n").expect("write");
    lab.project.file(
        "fetch.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - fetch:\n        src: /opt/data.bin\n        dest: fetched\n",
    );
    let again = lab.run(&["play", "fetch.yml", "-i", "lab"]);
    assert_eq!(recap(&again)["node1"].changed, 1, "{}", again.all());
    assert_eq!(std::fs::read(&local).expect("fetched"), b"changed\n");
}

#[test]
fn missing_files_fail_slurp_and_fetch_unless_allowed() {
    let lab = Lab::up(1);
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - fetch:\n        src: /opt/nope\n        dest: out\n        fail_on_missing: false\n    - slurp:\n        src: /opt/nope\n",
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab"]);
    output.assert_code(2);
    assert_eq!(
        recap(&output)["node1"],
        Recap::new(1, 0, 0, 1, 0),
        "{}",
        output.all()
    );
    assert!(
        output.stdout.contains("file not found: /opt/nope"),
        "{}",
        output.all()
    );
}

#[test]
fn bad_arguments_fail_before_connecting() {
    let project = Project::new();
    for (module, args, expected) in [
        ("get_url", "url: http://x/y\n        dset: /opt/y", "dest"),
        ("fetch", "src: /x\n        dets: out", "dest"),
        ("slurp", "scr: /x", "src"),
        ("uri", "url: http://x\n        methd: GET", "method"),
        ("archive", "path: /x\n        formt: zip", "format"),
        (
            "unarchive",
            "src: a.tgz\n        dest: /opt\n        remote_scr: true",
            "remote_src",
        ),
    ] {
        project.file(
            "site.yml",
            &format!(
                "- hosts: nowhere.invalid\n  gather_facts: false\n  tasks:\n    - {module}:\n        {args}\n"
            ),
        );
        let output = project.run(&["play", "site.yml", "--syntax-check"]);
        output.assert_code(4);
        let line = 5 + args.matches('\n').count();
        assert!(
            output.stderr.contains(&format!("site.yml:{line}:9"))
                && output.stderr.contains(&format!("`{expected}`")),
            "{module}: {}",
            output.all()
        );
    }
}

#[test]
fn uri_reports_status_headers_and_json_and_writes_dest_once() {
    let lab = Lab::up(1);
    let served = tempfile::tempdir().expect("tmp");
    std::fs::write(
        served.path().join("data.json"),
        "{\"name\": \"runbook\", \"n\": 3}",
    )
    .expect("write");
    let server = HttpServer::serve(served.path());
    let url = server.url("data.json");
    lab.project.file(
        "site.yml",
        &format!(
            r#"- hosts: lab
  gather_facts: false
  tasks:
    - uri:
        url: {url}
        return_content: true
      register: r
    - assert:
        that:
          - r.status == 200
          - r.json.name == 'runbook'
          - r.content_type == 'application/json'
          - r.url == '{url}'
          - not r.redirected
      when: not ansible_check_mode
    - uri:
        url: {missing}
        status_code: [404]
    - uri:
        url: {url}
        dest: /opt/data.json
        status_code: [200, 304]
"#,
            missing = server.url("nope")
        ),
    );
    let before = lab.snapshot("node1");
    let check = lab.run(&["play", "site.yml", "-i", "lab", "--check"]);
    check.assert_code(0);
    assert_eq!(
        recap(&check)["node1"],
        Recap::new(0, 0, 0, 0, 4),
        "{}",
        check.all()
    );
    assert_eq!(before, lab.snapshot("node1"));
    run_changed_then_ok(&lab, "site.yml", 4, 1);
    assert_eq!(
        std::fs::read_to_string(host_file(&lab, "node1", "/opt/data.json")).expect("dest"),
        "{\"name\": \"runbook\", \"n\": 3}"
    );

    lab.project.file(
        "fail.yml",
        &format!(
            "- hosts: lab\n  gather_facts: false\n  tasks:\n    - uri:\n        url: {}\n",
            server.url("nope")
        ),
    );
    let failed = lab.run(&["play", "fail.yml", "-i", "lab"]);
    failed.assert_code(2);
    assert!(
        failed
            .stdout
            .contains("Status code was 404 and not [200]: HTTP Error 404"),
        "{}",
        failed.all()
    );
}

/// Build `name` (a .tar.gz or .zip) in `dir` from a small tree.
fn make_archive(dir: &Path, name: &str) {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("app/conf")).expect("mkdir");
    std::fs::write(tree.join("app/readme.txt"), "hello\n").expect("write");
    std::fs::write(tree.join("app/conf/app.ini"), "[app]\nport = 8080\n").expect("write");
    let archive = dir.join(name);
    let status = if name.ends_with(".zip") {
        Command::new("zip")
            .arg("-qr")
            .arg(&archive)
            .arg("app")
            .current_dir(&tree)
            .status()
    } else {
        Command::new("tar")
            .arg("-czf")
            .arg(&archive)
            .arg("-C")
            .arg(&tree)
            .arg("app")
            .status()
    };
    assert!(status.expect("archiver").success());
}

#[test]
fn unarchive_unpacks_a_controller_tarball_once() {
    let lab = Lab::up(1);
    make_archive(&lab.project.join("files"), "app.tar.gz");
    std::fs::create_dir_all(host_file(&lab, "node1", "/opt/apps")).expect("mkdir");
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - unarchive:\n        src: app.tar.gz\n        dest: /opt/apps\n        list_files: true\n      register: out\n    - assert:\n        that:\n          - out.handler == 'TgzArchive'\n          - \"'app/conf/app.ini' in out.files\"\n",
    );
    check_changes_nothing(&lab, "site.yml", 1);
    run_changed_then_ok(&lab, "site.yml", 2, 1);
    let unpacked = host_file(&lab, "node1", "/opt/apps/app/conf/app.ini");
    assert_eq!(
        std::fs::read_to_string(&unpacked).expect("unpacked"),
        "[app]\nport = 8080\n"
    );

    std::fs::write(&unpacked, "tampered\n").expect("write");
    let again = lab.run(&["play", "site.yml", "-i", "lab", "--diff"]);
    assert_eq!(recap(&again)["node1"].changed, 1, "{}", again.all());
    assert!(again.stdout.contains("app/conf/app.ini"), "{}", again.all());
    assert_eq!(
        std::fs::read_to_string(&unpacked).expect("restored"),
        "[app]\nport = 8080\n"
    );
}

#[test]
fn unarchive_unpacks_a_remote_zip_unless_creates_exists() {
    let lab = Lab::up(1);
    make_archive(&host_file(&lab, "node1", "/opt"), "app.zip");
    std::fs::create_dir_all(host_file(&lab, "node1", "/srv/www")).expect("mkdir");
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - unarchive:\n        src: /opt/app.zip\n        remote_src: true\n        dest: /srv/www\n        mode: '0600'\n",
    );
    check_changes_nothing(&lab, "site.yml", 1);
    run_changed_then_ok(&lab, "site.yml", 1, 1);
    let readme = host_file(&lab, "node1", "/srv/www/app/readme.txt");
    assert_eq!(
        std::fs::read_to_string(&readme).expect("unpacked"),
        "hello\n"
    );
    assert_eq!(mode_of(&readme), 0o600);

    lab.project.file(
        "creates.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - unarchive:\n        src: /opt/app.zip\n        remote_src: true\n        dest: /nonexistent\n        creates: /srv/www/app\n",
    );
    let skipped = lab.run(&["play", "creates.yml", "-i", "lab"]);
    skipped.assert_code(0);
    assert_eq!(
        recap(&skipped)["node1"],
        Recap::new(0, 0, 0, 0, 1),
        "{}",
        skipped.all()
    );
}

#[test]
fn archive_rebuilds_only_when_content_changes() {
    let lab = Lab::up(1);
    make_archive(&host_file(&lab, "node1", "/opt"), "unused.zip");
    let tree = host_file(&lab, "node1", "/opt/tree/app");
    std::fs::write(tree.join("debug.log"), "noise\n").expect("write");
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - archive:\n        path: /opt/tree/app/*\n        exclude_path: /opt/tree/app/debug.log\n        dest: /opt/app.tar.gz\n        mode: '0600'\n      register: out\n    - assert:\n        that:\n          - out.state == 'archive'\n          - out.arcroot == '/opt/tree/app/'\n          - \"'/opt/tree/app/conf/app.ini' in out.archived\"\n          - \"'/opt/tree/app/debug.log' not in out.archived\"\n",
    );
    check_changes_nothing(&lab, "site.yml", 1);
    run_changed_then_ok(&lab, "site.yml", 2, 1);
    let dest = host_file(&lab, "node1", "/opt/app.tar.gz");
    assert_eq!(mode_of(&dest), 0o600);
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(&dest)
        .output()
        .expect("tar");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.contains("conf/app.ini") && !listing.contains("debug.log"),
        "{listing}"
    );

    std::fs::write(tree.join("readme.txt"), "new text\n").expect("write");
    let again = lab.run(&["play", "site.yml", "-i", "lab"]);
    assert_eq!(
        recap(&again)["node1"].changed,
        1,
        "content changed\n{}",
        again.all()
    );
}

/// Answers `count` requests with `ok` and hands back what each request said.
fn recording_server(count: usize) -> (u16, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for _ in 0..count {
            let Ok((mut stream, _)) = listener.accept() else {
                break;
            };
            let mut buffer = vec![0u8; 8192];
            let mut request = Vec::new();
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = stream.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
            requests.push(String::from_utf8_lossy(&request).into_owned());
        }
        requests
    });
    (port, handle)
}

/// Credentials and headers reach curl through a here-document, not its
/// argv; the server still gets them exactly, quotes and all.
#[test]
fn uri_and_get_url_send_credentials_and_headers_exactly() {
    let lab = Lab::up(1);
    let (port, requests) = recording_server(2);
    let password = r#"p"w\x'y $(z)"#;
    lab.project.file(
        "pw.yml",
        &format!("pw: {}\n", serde_json::to_string(password).expect("json")),
    );
    lab.project.file(
        "site.yml",
        &format!(
            r#"- hosts: lab
  gather_facts: false
  tasks:
    - uri:
        url: "http://127.0.0.1:{port}/api"
        url_username: api
        url_password: "{{{{ pw }}}}"
        force_basic_auth: true
        headers:
          X-Token: "t\"o'k en"
    - get_url:
        url: "http://127.0.0.1:{port}/file"
        dest: /opt/got
        url_username: api
        url_password: "{{{{ pw }}}}"
        force_basic_auth: true
        headers:
          X-Token: "t\"o'k en"
"#
        ),
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab", "-e", "@pw.yml"]);
    output.assert_code(0);
    let requests = requests.join().expect("server");
    let basic = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("api:{password}"))
    };
    assert_eq!(requests.len(), 2, "{}", output.all());
    for request in &requests {
        assert!(
            request.contains(&format!("Authorization: Basic {basic}\r\n")),
            "{request}"
        );
        assert!(request.contains("X-Token: t\"o'k en\r\n"), "{request}");
    }
}
