//! The package family on lab hosts with the real apt and dpkg: tiny `.deb`
//! packages built on the fly (`rbtest-app` 1.0 and 2.0, which depends on
//! `rbtest-lib` and recommends `rbtest-extra`) in a `file:` repository.
//! Lab hosts see the machine's /usr, /var/cache and dpkg database through
//! overlays of their own, so installing there leaves the machine as it was
//! (`machine_packages_are_untouched` checks it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{HttpServer, Lab, Output, Recap, ansible_playbook, recap};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/packages")
        .join(name)
}

/// Build one package into `repo`: its only file is /opt/rbtest/NAME.
fn build_deb(repo: &Path, name: &str, version: &str, relations: &[&str]) {
    let tree = tempfile::tempdir().expect("temp dir");
    let control = tree.path().join("DEBIAN");
    std::fs::create_dir_all(&control).expect("mkdir DEBIAN");
    std::fs::create_dir_all(tree.path().join("opt/rbtest")).expect("mkdir opt");
    std::fs::write(
        tree.path().join("opt/rbtest").join(name),
        format!("{name} {version}\n"),
    )
    .expect("payload");
    let mut fields = format!(
        "Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: runbook tests <tests@runbook.invalid>\nSection: misc\nDescription: runbook test package {name}\n"
    );
    for relation in relations {
        fields.push_str(relation);
        fields.push('\n');
    }
    std::fs::write(control.join("control"), fields).expect("control");
    let deb = repo.join(format!("{name}_{version}_all.deb"));
    let status = Command::new("dpkg-deb")
        .args(["-Zgzip", "--root-owner-group", "--build"])
        .arg(tree.path())
        .arg(&deb)
        .output()
        .expect("dpkg-deb (dpkg) is needed");
    assert!(status.status.success(), "dpkg-deb: {status:?}");
}

/// The test repository in the project: four packages and their index.
fn build_repository(lab: &Lab) -> PathBuf {
    let repo = lab.project.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir repo");
    let app = ["Depends: rbtest-lib", "Recommends: rbtest-extra"];
    build_deb(&repo, "rbtest-app", "1.0", &app);
    build_deb(&repo, "rbtest-app", "2.0", &app);
    build_deb(&repo, "rbtest-lib", "1.0", &[]);
    build_deb(&repo, "rbtest-extra", "1.0", &[]);
    let index = Command::new("dpkg-scanpackages")
        .args(["-m", "."])
        .current_dir(&repo)
        .output()
        .expect("dpkg-scanpackages (dpkg-dev, scripts/setup) is needed");
    assert!(index.status.success(), "dpkg-scanpackages: {index:?}");
    std::fs::write(repo.join("Packages"), index.stdout).expect("Packages");
    repo
}

fn play(lab: &Lab, playbook: &Path, repo: &Path, extra: &[&str]) -> Output {
    let repo_var = format!("repo={}", repo.display());
    let mut args = vec![
        "play",
        playbook.to_str().expect("utf8"),
        "-i",
        "inventories/lab",
        "-e",
        &repo_var,
    ];
    args.extend_from_slice(extra);
    lab.run(&args)
}

/// The rbtest packages the host's dpkg database records: name → status
/// and version, and which of them apt marked automatically installed.
fn package_state(lab: &Lab, host: &str) -> BTreeMap<String, String> {
    let root = lab.host_root(host);
    let mut state = BTreeMap::new();
    let stanzas = |path: PathBuf| {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .split("\n\n")
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    for stanza in stanzas(root.join("overlay/dpkg/status")) {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_default()
                .to_string()
        };
        let package = field("Package");
        if package.starts_with("rbtest-") {
            state.insert(package, format!("{} {}", field("Status"), field("Version")));
        }
    }
    for stanza in stanzas(root.join("var/lib/apt/extended_states")) {
        if stanza.contains("Package: rbtest-") && stanza.contains("Auto-Installed: 1") {
            let name = stanza
                .lines()
                .find_map(|l| l.strip_prefix("Package: "))
                .unwrap_or_default();
            state.insert(format!("{name} (auto)"), "1".into());
        }
    }
    state
}

fn machine_rbtest_packages() -> String {
    let output = Command::new("dpkg-query")
        .args(["-W", "rbtest-*"])
        .output()
        .expect("dpkg-query");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn apt_installs_pins_upgrades_downgrades_and_removes_like_ansible() {
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    let (our_repo, their_repo) = (build_repository(&ours), build_repository(&theirs));
    let playbook = fixture("apt.yml");
    let runbook = play(&ours, &playbook, &our_repo, &[]);
    let repo_var = format!("repo={}", their_repo.display());
    let ansible = ansible_playbook(&theirs, &playbook, &["-e", &repo_var]);
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    let state = package_state(&ours, "node1");
    assert_eq!(state, package_state(&theirs, "node1"), "{both}");
    // rbtest-lib was named in a task, so it is manual and autoremove keeps it.
    let expected = BTreeMap::from([(
        "rbtest-lib".to_string(),
        "install ok installed 1.0".to_string(),
    )]);
    assert_eq!(state, expected, "{both}");
    assert_eq!(
        recap(&runbook)["node1"],
        Recap {
            ok: 19,
            changed: 10,
            ignored: 2,
            ..Recap::default()
        },
        "{both}"
    );
    assert_eq!(
        machine_rbtest_packages(),
        "",
        "the machine's packages changed"
    );
}

#[test]
fn apt_check_mode_changes_nothing_and_diff_shows_apts_plan() {
    let lab = Lab::up(1);
    let repo = build_repository(&lab);
    play(&lab, &fixture("prepare.yml"), &repo, &[]).assert_code(0);
    // Check mode does not update the cache (nor does Ansible's): fill it first.
    let update = lab.run(&[
        "run",
        "lab",
        "-i",
        "inventories/lab",
        "-m",
        "apt",
        "-a",
        "update_cache=true",
    ]);
    update.assert_code(0);
    let before = lab.snapshot("node1");
    let check = play(
        &lab,
        &fixture("apt_check.yml"),
        &repo,
        &["--check", "--diff"],
    );
    check.assert_code(0);
    // `apt-get --simulate` (as Ansible runs it too) logs its solver's input.
    let mut after = lab.snapshot("node1");
    after.retain(|path, _| !path.starts_with("var/log/apt"));
    assert_eq!(before, after, "--check changed the host\n{}", check.all());
    assert_eq!(
        recap(&check)["node1"],
        Recap::new(2, 1, 0, 0, 0),
        "{}",
        check.all()
    );
    // Ansible's `prepared`: apt-get's plan up to its summary line (apt's
    // progress lines before it come and go with timing).
    let plan = "The following additional packages will be installed:\n  rbtest-extra rbtest-lib\n\
                The following NEW packages will be installed:\n  rbtest-app rbtest-extra rbtest-lib\n\
                0 upgraded, 3 newly installed, 0 to remove and 0 not upgraded.\nchanged: [node1]";
    assert!(check.stdout.contains(plan), "{}", check.all());
    // For real, installing pulls in the recommended rbtest-extra, which the
    // second task then removes.
    let real = play(&lab, &fixture("apt_check.yml"), &repo, &["--diff"]);
    assert_eq!(
        recap(&real)["node1"],
        Recap::new(2, 2, 0, 0, 0),
        "{}",
        real.all()
    );
    assert!(real.stdout.contains(plan), "{}", real.all());
    let again = play(&lab, &fixture("apt_check.yml"), &repo, &[]);
    assert_eq!(
        recap(&again)["node1"],
        Recap::new(2, 0, 0, 0, 0),
        "{}",
        again.all()
    );
}

#[test]
fn package_dispatches_to_apt_and_package_facts_lists_dpkg() {
    let lab = Lab::up(1);
    let repo = build_repository(&lab);
    let first = play(&lab, &fixture("generic.yml"), &repo, &[]);
    first.assert_code(0);
    // prepare (2 changed), cache, package, package again (ok), facts, assert, remove.
    assert_eq!(
        recap(&first)["node1"],
        Recap::new(8, 5, 0, 0, 0),
        "{}",
        first.all()
    );
    assert_eq!(
        machine_rbtest_packages(),
        "",
        "the machine's packages changed"
    );
}

#[test]
fn apt_waits_for_the_dpkg_lock_up_to_lock_timeout() {
    let lab = Lab::up(1);
    let repo = build_repository(&lab);
    play(&lab, &fixture("prepare.yml"), &repo, &[]).assert_code(0);
    lab.project.file(
        "lock.yml",
        r#"- hosts: lab
  gather_facts: false
  tasks:
    - apt:
        update_cache: true
    - name: hold dpkg's lock for 3 seconds, as another apt would
      shell: |
        python3 -c 'import fcntl, time; f = open("/var/lib/dpkg/lock-frontend", "w"); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(3)' >/dev/null 2>&1 &
        sleep 0.5
    - name: no waiting
      apt:
        name: rbtest-lib
        lock_timeout: 0
      register: impatient
      ignore_errors: true
    - name: waiting
      apt:
        name: rbtest-lib
        lock_timeout: 30
    - assert:
        that:
          - impatient is failed
          - "'lock' in impatient.stderr"
"#,
    );
    let output = lab.run(&["play", "lock.yml", "-i", "inventories/lab"]);
    output.assert_code(0);
    assert_eq!(
        recap(&output)["node1"],
        Recap {
            ok: 5,
            changed: 3,
            ignored: 1,
            ..Recap::default()
        },
        "{}",
        output.all()
    );
}

#[test]
fn package_module_arguments_are_checked_before_connecting() {
    let lab = Lab::up(1);
    lab.project.file(
        "bad.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - ansible.builtin.apt:\n        name: rbtest-app\n        stat: present\n    - package_facts:\n        managers: apt\n",
    );
    let output = lab.run(&["play", "bad.yml", "-i", "inventories/lab"]);
    output.assert_code(4);
    assert!(
        output.all().contains("`apt` has no argument `stat`"),
        "{}",
        output.all()
    );
    assert!(output.all().contains("bad.yml:6:9"), "{}", output.all());
    assert!(!output.stdout.contains("TASK"), "{}", output.all());
    let misspelled = [
        ("apt_repository", "repo: x\n        filname: y", "filname"),
        ("deb822_repository", "name: x\n        uri: y", "uri"),
        (
            "dpkg_selections",
            "name: x\n        selections: hold",
            "selections",
        ),
        ("debconf", "name: x\n        questoin: y", "questoin"),
        ("dnf", "name: x\n        enable_repo: y", "enable_repo"),
        ("yum", "name: x\n        enable_repo: y", "enable_repo"),
        ("yum_repository", "name: x\n        base_url: y", "base_url"),
        ("package_facts", "manger: apt", "manger"),
    ];
    for (module, args, wrong) in misspelled {
        lab.project.file(
            "bad.yml",
            &format!(
                "- hosts: lab\n  gather_facts: false\n  tasks:\n    - {module}:\n        {args}\n"
            ),
        );
        let output = lab.run(&["play", "bad.yml", "-i", "inventories/lab"]);
        output.assert_code(4);
        let expected = format!("`{module}` has no argument `{wrong}`");
        assert!(
            output.all().contains(&expected),
            "{expected}\n{}",
            output.all()
        );
    }
    lab.project.file(
        "bad.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - dpkg_selections:\n        name: x\n",
    );
    let output = lab.run(&["play", "bad.yml", "-i", "inventories/lab"]);
    output.assert_code(4);
    assert!(
        output.all().contains("`dpkg_selections` needs selection"),
        "{}",
        output.all()
    );
}

#[test]
fn dpkg_selections_and_debconf_behave_as_in_ansible() {
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    let (our_repo, their_repo) = (build_repository(&ours), build_repository(&theirs));
    let playbook = fixture("selections.yml");
    let runbook = play(&ours, &playbook, &our_repo, &["--diff"]);
    let repo_var = format!("repo={}", their_repo.display());
    let ansible = ansible_playbook(&theirs, &playbook, &["--diff", "-e", &repo_var]);
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    assert_eq!(
        recap(&runbook)["node1"],
        Recap {
            ok: 11,
            changed: 6,
            ignored: 1,
            ..Recap::default()
        },
        "{both}"
    );
    let held = |lab: &Lab| {
        let status = std::fs::read_to_string(lab.host_root("node1").join("overlay/dpkg/status"))
            .unwrap_or_default();
        status
            .split("\n\n")
            .find(|s| s.starts_with("Package: rbtest-lib\n"))
            .and_then(|s| s.lines().find(|l| l.starts_with("Status: ")))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(held(&ours), "Status: hold ok installed", "{both}");
    assert_eq!(held(&ours), held(&theirs), "{both}");
    // debconf's answer, shown as Ansible shows a data diff.
    assert!(
        runbook.stdout.contains("--- before\n+++ after\n@@ -1,3 +1,3 @@\n {\n-    \"tzdata/Areas\": \"Etc\"\n+    \"tzdata/Areas\": \"Europe\"\n }\n"),
        "{both}"
    );
    assert_eq!(
        machine_rbtest_packages(),
        "",
        "the machine's packages changed"
    );
}

/// The host's one-line sources files, as written.
fn sources_files(lab: &Lab, host: &str) -> BTreeMap<String, String> {
    let dir = lab.host_root(host).join("etc/apt/sources.list.d");
    std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "list"))
                .map(|e| {
                    let content = std::fs::read_to_string(e.path()).unwrap_or_default();
                    (e.file_name().to_string_lossy().into_owned(), content)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn apt_repository_edits_sources_like_ansible() {
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    // One repository for both labs, so the sources lines are the same.
    let repo = build_repository(&ours);
    let playbook = fixture("repository.yml");
    let runbook = play(&ours, &playbook, &repo, &["--diff"]);
    let repo_var = format!("repo={}", repo.display());
    let ansible = ansible_playbook(&theirs, &playbook, &["--diff", "-e", &repo_var]);
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    assert_eq!(
        recap(&runbook)["node1"],
        Recap {
            ok: 9,
            changed: 6,
            ignored: 1,
            ..Recap::default()
        },
        "{both}"
    );
    let files = sources_files(&ours, "node1");
    assert_eq!(files, sources_files(&theirs, "node1"), "{both}");
    assert_eq!(
        files,
        BTreeMap::from([(
            "other.list".to_string(),
            format!(
                "# an old mirror\ndeb [trusted=yes] file:{} ./ # disabled\n",
                repo.display()
            )
        )]),
        "{both}"
    );
    assert_eq!(
        machine_rbtest_packages(),
        "",
        "the machine's packages changed"
    );
}

#[test]
fn dnf_and_yum_drive_the_lab_shims_idempotently() {
    let lab = Lab::up(1);
    let playbook = fixture("dnf.yml");
    let path = playbook.to_str().expect("utf8");
    let first = lab.run(&["play", path, "-i", "inventories/lab"]);
    first.assert_code(0);
    assert_eq!(
        recap(&first)["node1"],
        Recap {
            ok: 14,
            changed: 8,
            ignored: 1,
            ..Recap::default()
        },
        "{}",
        first.all()
    );
    let before = lab.snapshot("node1");
    let check = lab.run(&["play", path, "-i", "inventories/lab", "--check"]);
    assert_eq!(recap(&check)["node1"].changed, 3, "{}", check.all());
    assert_eq!(
        before,
        lab.snapshot("node1"),
        "--check changed the host\n{}",
        check.all()
    );
    let calls: Vec<String> = lab
        .shim_calls("node1")
        .into_iter()
        .filter(|(shim, argv)| (shim == "dnf" || shim == "yum") && argv.contains("-y"))
        .map(|(shim, argv)| format!("{shim} {argv}"))
        .collect();
    assert_eq!(
        calls,
        [
            "dnf -y install rbapp-1.0",
            "dnf -y upgrade rbapp",
            "yum -y --enablerepo=extra install rbextra",
            "yum -y remove rbextra",
        ],
        "{}",
        first.all()
    );
}

#[test]
fn yum_repository_writes_repo_files_like_ansible() {
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    let playbook = fixture("yum_repository.yml");
    let runbook = ours.run(&[
        "play",
        playbook.to_str().expect("utf8"),
        "-i",
        "inventories/lab",
        "--diff",
    ]);
    let ansible = ansible_playbook(&theirs, &playbook, &["--diff"]);
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
    assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
    let file = |lab: &Lab| {
        std::fs::read_to_string(lab.host_root("node1").join("etc/yum.repos.d/epel.repo"))
            .unwrap_or_default()
    };
    assert_eq!(file(&ours), file(&theirs), "{both}");
    assert_eq!(
        file(&ours),
        "[epel-debug]\nenabled = 0\nmirrorlist = https://mirrors.example/metalink?repo=epel-debug\nname = EPEL debug\n\n[extra]\nbaseurl = http://extra.example/\nname = Extra\npriority = 10\n\n",
        "{both}"
    );
}

#[test]
fn deb822_repository_writes_a_sources_file_apt_reads() {
    let lab = Lab::up(1);
    let repo = build_repository(&lab);
    let playbook = fixture("deb822.yml");
    let check = play(&lab, &playbook, &repo, &["--check"]);
    check.assert_code(0);
    let sources = lab
        .host_root("node1")
        .join("etc/apt/sources.list.d/rb-test-repo.sources");
    assert!(
        !sources.exists(),
        "--check wrote {}\n{}",
        sources.display(),
        check.all()
    );
    let output = play(&lab, &playbook, &repo, &["--diff"]);
    output.assert_code(0);
    assert_eq!(
        recap(&output)["node1"],
        Recap::new(6, 4, 0, 0, 0),
        "{}",
        output.all()
    );
    let written = format!(
        "Suites: ./\nTrusted: yes\nTypes: deb\nURIs: file:{}\n",
        repo.display()
    );
    assert!(
        output.stdout.contains(&format!(
            "+X-Repolib-Name: RB test_repo\n+{}",
            written.trim_end().replace('\n', "\n+")
        )),
        "{}",
        output.all()
    );
    assert!(!sources.exists(), "absent left {}", sources.display());
    assert_eq!(
        machine_rbtest_packages(),
        "",
        "the machine's packages changed"
    );
}

/// A signing key made for the test with the machine's gpg: `key.asc`
/// (armored) and `key.gpg` (binary) in `dir`, and `pks/lookup` so an HTTP
/// server of `dir` answers HKP lookups with it. Returns its fingerprint.
fn make_signing_key(dir: &Path) -> String {
    let home = tempfile::tempdir().expect("gnupg home");
    let gpg = |args: &[&str]| {
        let output = Command::new("gpg")
            .arg("--batch")
            .args(args)
            .env("GNUPGHOME", home.path())
            .output()
            .expect("gpg (scripts/setup installs it)");
        assert!(
            output.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    gpg(&[
        "--passphrase",
        "",
        "--quick-gen-key",
        "Lab Key <lab@example.com>",
        "ed25519",
        "sign",
        "never",
    ]);
    let armored = gpg(&["--armor", "--export", "lab@example.com"]);
    std::fs::write(dir.join("key.asc"), &armored).expect("key.asc");
    std::fs::write(dir.join("key.gpg"), gpg(&["--export", "lab@example.com"])).expect("key.gpg");
    std::fs::create_dir_all(dir.join("pks")).expect("pks");
    std::fs::write(dir.join("pks/lookup"), &armored).expect("pks/lookup");
    let listing = String::from_utf8(gpg(&["--with-colons", "--list-keys"])).expect("utf8");
    listing
        .lines()
        .find_map(|line| line.strip_prefix("fpr:"))
        .and_then(|rest| rest.split(':').nth(8))
        .expect("a fingerprint")
        .to_string()
}

/// The keys in each of the lab host's keyrings under trusted.gpg.d.
fn trusted_keys(lab: &Lab, host: &str) -> BTreeMap<String, String> {
    let dir = lab.host_root(host).join("etc/apt/trusted.gpg.d");
    let mut keys = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "gpg") {
            continue;
        }
        let home = tempfile::tempdir().expect("gnupg home");
        let shown = Command::new("gpg")
            .args(["--batch", "--with-colons", "--show-keys"])
            .arg(&path)
            .env("GNUPGHOME", home.path())
            .output()
            .expect("gpg");
        let ids: Vec<String> = String::from_utf8_lossy(&shown.stdout)
            .lines()
            .filter_map(|line| line.strip_prefix("fpr:"))
            .filter_map(|rest| rest.split(':').nth(8).map(str::to_string))
            .collect();
        keys.insert(
            entry.file_name().to_string_lossy().into_owned(),
            ids.join(","),
        );
    }
    keys
}

/// `playbook` twice on twin labs, by runbook and ansible-playbook, with
/// `-e` for each of `vars`: same exit codes (0) and recaps on both runs;
/// `first` sees runbook's first run. Returns the labs.
fn twin_runs_with_vars(playbook: &str, vars: &[String], first: impl Fn(&Output)) -> (Lab, Lab) {
    let mut extra = Vec::new();
    for var in vars {
        extra.extend(["-e", var.as_str()]);
    }
    let playbook = fixture(playbook);
    let path = playbook.to_str().expect("utf8");
    let ours = Lab::up(1);
    let theirs = Lab::up(1);
    for run in ["first", "second"] {
        let mut args = vec!["play", path, "-i", "lab"];
        args.extend(&extra);
        let runbook = ours.run(&args);
        let ansible = ansible_playbook(&theirs, &playbook, &extra);
        let both = format!(
            "--- runbook ({run} run)\n{}\n--- ansible\n{}",
            runbook.all(),
            ansible.all()
        );
        assert_eq!(runbook.code, ansible.code, "exit codes differ\n{both}");
        assert_eq!(recap(&runbook), recap(&ansible), "recaps differ\n{both}");
        assert_eq!(runbook.code, 0, "the fixture runs cleanly\n{both}");
        if run == "first" {
            first(&runbook);
        }
    }
    (ours, theirs)
}

#[test]
fn apt_key_adds_and_removes_keys_like_ansible() {
    let served = tempfile::tempdir().expect("served");
    let fingerprint = make_signing_key(served.path());
    let server = HttpServer::serve(served.path());
    let base_url = server.url("");
    let base_url = base_url.trim_end_matches('/');
    let keyserver = base_url.replace("http://", "hkp://");
    let vars = [
        format!("key_dir={}", served.path().display()),
        format!("fingerprint={fingerprint}"),
        format!("base_url={base_url}"),
        format!("keyserver={keyserver}"),
    ];
    let (ours, theirs) = twin_runs_with_vars("apt_key.yml", &vars, |_| {});
    let read = |lab: &Lab| {
        std::fs::read_to_string(lab.host_root("node1").join("srv/out/apt_key.txt"))
            .unwrap_or_default()
    };
    assert_eq!(read(&ours), read(&theirs));
    // `apt-key del` of a keyring's last key removes the file; Ansible's
    // listing afterwards creates it again, empty, and runbook's does not
    // (docs/modules/apt_key.md): keyrings holding keys must be the same.
    let holding = |lab: &Lab| {
        let mut keys = trusted_keys(lab, "node1");
        keys.retain(|_, ids| !ids.is_empty());
        keys
    };
    let keys = holding(&ours);
    assert_eq!(keys, holding(&theirs));
    assert!(
        !trusted_keys(&ours, "node1").contains_key("lab-url.gpg"),
        "{keys:?}"
    );
    let short = &fingerprint[fingerprint.len() - 8..];
    let long = &fingerprint[fingerprint.len() - 16..];
    assert_eq!(
        read(&ours),
        format!("{long} {short} {long} {long} {long}\n{short} \n"),
        "{keys:?}"
    );
    for keyring in ["lab-data.gpg", "lab-file.gpg", "lab-keyserver.gpg"] {
        assert_eq!(keys.get(keyring), Some(&fingerprint), "{keyring}: {keys:?}");
    }
}

/// `--check` reads keyrings without creating them; the real run adds the
/// key once.
#[test]
fn apt_key_in_check_mode_creates_no_keyring() {
    let served = tempfile::tempdir().expect("served");
    make_signing_key(served.path());
    let lab = Lab::up(1);
    lab.project.file(
        "key.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - apt_key:\n        data: \"{{ lookup('file', key_dir + '/key.asc') }}\"\n        keyring: /etc/apt/trusted.gpg.d/lab.gpg\n",
    );
    let key_dir = format!("key_dir={}", served.path().display());
    let run = |extra: &[&str]| {
        let mut args = vec!["play", "key.yml", "-i", "lab", "-e", &key_dir];
        args.extend_from_slice(extra);
        let output = lab.run(&args);
        output.assert_code(0);
        recap(&output)["node1"].changed
    };
    let before = lab.snapshot("node1");
    assert_eq!(run(&["--check"]), 1);
    assert_eq!(before, lab.snapshot("node1"), "--check changed the host");
    assert_eq!(run(&[]), 1);
    assert_eq!(run(&[]), 0);
    assert!(trusted_keys(&lab, "node1").contains_key("lab.gpg"));
}

#[test]
fn rpm_key_imports_and_erases_keys_like_ansible() {
    let served = tempfile::tempdir().expect("served");
    let fingerprint = make_signing_key(served.path());
    let server = HttpServer::serve(served.path());
    let base_url = server.url("");
    let vars = [
        format!("key_dir={}", served.path().display()),
        format!("fingerprint={fingerprint}"),
        format!("base_url={}", base_url.trim_end_matches('/')),
    ];
    let (ours, theirs) = twin_runs_with_vars("rpm_key.yml", &vars, |runbook| {
        // The wrong fingerprint and the missing file fail; the file
        // import, the erase and the URL import change.
        let expected = Recap {
            ok: 9,
            changed: 4,
            ignored: 2,
            ..Recap::default()
        };
        assert_eq!(recap(runbook)["node1"], expected, "{}", runbook.all());
    });
    let db = |lab: &Lab| {
        std::fs::read_to_string(lab.host_root("node1").join("var/lib/runbook-shims/rpm/db"))
            .unwrap_or_default()
    };
    assert_eq!(db(&ours), db(&theirs));
    let short = fingerprint[fingerprint.len() - 8..].to_lowercase();
    assert!(
        db(&ours).starts_with(&format!("gpg-pubkey\t\t{short}\t")),
        "{}",
        db(&ours)
    );
}
