//! Shell injection: every module argument that reaches a shell on the host,
//! fed payloads that would run a command if quoting failed anywhere. One lab
//! host, one playbook: each module/argument pair is a task looping over the
//! payloads — which come from the host's own output, as an attacker's would.
//! No marker file may appear, and where the value lands somewhere visible
//! (a file name, a file's content, a command's output) it lands verbatim.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::Lab;

/// Each would create a `pwn-*` file if it ran as shell code.
const PAYLOADS: &[&str] = &[
    "$(touch pwn-dollar)",
    "`touch pwn-tick`",
    "x;touch pwn-semi",
    "x' ;touch pwn-squote; '",
    "x\" ;touch pwn-dquote; \"",
    "x\ntouch pwn-newline",
    "*",
    "-rf",
    "--version",
    "x|touch pwn-pipe",
    "x&&touch pwn-and",
    // Variables the host does not set: a path argument expands set ones on
    // the host as Ansible's `type='path'` does (tests/modules_users.rs), and
    // an unset one stays as written there as everywhere else.
    "$RUNBOOK_UNSET ${RUNBOOK_UNSET_TOO} $0",
    "ünï cødé 名前",
    "a\\b'\"c",
];

/// What a pair's values become, and so how the test checks them.
#[derive(Clone, Copy)]
enum Lands {
    /// Entries of `/opt/inj/PAIR/` named by the payloads.
    Names,
    /// `/opt/inj/PAIR/INDEX` holds the payload (and this suffix).
    Content(&'static str),
    /// `/opt/inj/PAIR/INDEX` contains the payload somewhere.
    Inside,
    /// `/opt/inj/PAIR/INDEX` is a symlink to this prefix + the payload.
    LinkTo(&'static str),
    /// Each item's `stdout` is this prefix + the payload.
    Stdout(&'static str),
    /// Every item succeeded.
    Succeeds,
    /// Only that nothing ran (the value may well be refused).
    Nowhere,
}

use Lands::*;

/// `(pair, module and arguments, where the value lands)`; `{{ item }}` is the
/// payload, `{{ i }}` its index.
const PAIRS: &[(&str, &str, Lands)] = &[
    (
        "file_touch",
        r#"file: {path: "/opt/inj/file_touch/{{ item }}", state: touch}"#,
        Names,
    ),
    (
        "file_dir",
        r#"file: {path: "/opt/inj/file_dir/{{ item }}", state: directory}"#,
        Names,
    ),
    (
        "file_link_src",
        r#"file: {path: "/opt/inj/file_link_src/{{ i }}", src: "/opt/inj/file_touch/{{ item }}", state: link}"#,
        LinkTo("/opt/inj/file_touch/"),
    ),
    (
        "file_link_path",
        r#"file: {path: "/opt/inj/file_link_path/{{ item }}", src: /opt/inj/target, state: link}"#,
        Names,
    ),
    (
        "file_hard",
        r#"file: {path: "/opt/inj/file_hard/{{ item }}", src: /opt/inj/target, state: hard}"#,
        Names,
    ),
    (
        "file_owner",
        r#"file: {path: /opt/inj/target, owner: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "file_group",
        r#"file: {path: /opt/inj/target, group: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "file_mode",
        r#"file: {path: /opt/inj/target, mode: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "file_absent",
        r#"file: {path: "/opt/inj/file_absent/{{ item }}", state: absent}"#,
        Succeeds,
    ),
    (
        "copy_dest",
        r#"copy: {content: "x", dest: "/opt/inj/copy_dest/{{ item }}"}"#,
        Names,
    ),
    (
        "copy_content",
        r#"copy: {content: "{{ item }}", dest: "/opt/inj/copy_content/{{ i }}"}"#,
        Content(""),
    ),
    (
        "copy_remote_src",
        r#"copy: {remote_src: true, src: "/opt/inj/file_touch/{{ item }}", dest: "/opt/inj/copy_remote_src/{{ item }}"}"#,
        Names,
    ),
    (
        "copy_owner",
        r#"copy: {content: x, dest: "/opt/inj/copy_owner/{{ i }}", owner: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "copy_group",
        r#"copy: {content: x, dest: "/opt/inj/copy_group/{{ i }}", group: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "copy_mode",
        r#"copy: {content: x, dest: "/opt/inj/copy_mode/{{ i }}", mode: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "template_dest",
        r#"template: {src: fixed.j2, dest: "/opt/inj/template_dest/{{ item }}"}"#,
        Names,
    ),
    (
        "template_content",
        r#"template: {src: item.j2, dest: "/opt/inj/template_content/{{ i }}"}"#,
        Content(""),
    ),
    (
        "template_mode",
        r#"template: {src: fixed.j2, dest: "/opt/inj/template_mode/{{ i }}", mode: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "lineinfile_path",
        r#"lineinfile: {path: "/opt/inj/lineinfile_path/{{ item }}", line: x, create: true}"#,
        Names,
    ),
    (
        "lineinfile_line",
        r#"lineinfile: {path: "/opt/inj/lineinfile_line/{{ i }}", line: "{{ item }}", create: true}"#,
        Content("\n"),
    ),
    (
        "lineinfile_regexp",
        r#"lineinfile: {path: "/opt/inj/lineinfile_regexp/{{ i }}", regexp: "{{ item }}", line: fixed, create: true}"#,
        Nowhere,
    ),
    (
        "lineinfile_insertafter",
        r#"lineinfile: {path: "/opt/inj/lineinfile_insertafter/{{ i }}", insertafter: "{{ item }}", line: fixed, create: true}"#,
        Nowhere,
    ),
    (
        "lineinfile_insertbefore",
        r#"lineinfile: {path: "/opt/inj/lineinfile_insertbefore/{{ i }}", insertbefore: "{{ item }}", line: fixed, create: true}"#,
        Nowhere,
    ),
    (
        "lineinfile_search_string",
        r#"lineinfile: {path: "/opt/inj/lineinfile_search_string/{{ i }}", search_string: "{{ item }}", line: fixed, create: true}"#,
        Nowhere,
    ),
    (
        "lineinfile_owner",
        r#"lineinfile: {path: "/opt/inj/lineinfile_owner/{{ i }}", line: x, create: true, owner: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "blockinfile_path",
        r#"blockinfile: {path: "/opt/inj/blockinfile_path/{{ item }}", block: x, create: true}"#,
        Names,
    ),
    (
        "blockinfile_block",
        r#"blockinfile: {path: "/opt/inj/blockinfile_block/{{ i }}", block: "{{ item }}", create: true}"#,
        Inside,
    ),
    (
        "blockinfile_marker",
        r##"blockinfile: {path: "/opt/inj/blockinfile_marker/{{ i }}", block: x, marker: "# {mark} {{ item }}", create: true}"##,
        Inside,
    ),
    (
        "blockinfile_insertafter",
        r#"blockinfile: {path: "/opt/inj/blockinfile_insertafter/{{ i }}", block: x, insertafter: "{{ item }}", create: true}"#,
        Nowhere,
    ),
    (
        "replace_path",
        r#"replace: {path: "/opt/inj/file_touch/{{ item }}", regexp: "nothing", replace: y}"#,
        Succeeds,
    ),
    (
        "replace_regexp",
        r#"replace: {path: /opt/inj/target, regexp: "{{ item }}", replace: y}"#,
        Nowhere,
    ),
    (
        "replace_replace",
        r#"replace: {path: "/opt/inj/scratch/replace-{{ i }}", regexp: "TOKEN", replace: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "stat_path",
        r#"stat: {path: "/opt/inj/file_touch/{{ item }}"}"#,
        Succeeds,
    ),
    (
        "slurp_src",
        r#"slurp: {src: "/opt/inj/file_touch/{{ item }}"}"#,
        Succeeds,
    ),
    // Ansible expands `$NAME` in command arguments unless told not to.
    (
        "command_argv",
        r#"command: {argv: [printf, "%s", "{{ item }}"], expand_argument_vars: false}"#,
        Stdout(""),
    ),
    (
        "command_chdir",
        r#"command: {cmd: pwd, chdir: "/opt/inj/file_dir/{{ item }}"}"#,
        Stdout("/opt/inj/file_dir/"),
    ),
    (
        "command_creates",
        r#"command: {cmd: "true", creates: "/opt/inj/none/{{ item }}"}"#,
        Succeeds,
    ),
    (
        "command_removes",
        r#"command: {cmd: "true", removes: "/opt/inj/none/{{ item }}"}"#,
        Succeeds,
    ),
    (
        "command_stdin",
        r#"command: {cmd: cat, stdin: "{{ item }}"}"#,
        Stdout(""),
    ),
    (
        "shell_chdir",
        r#"shell: {cmd: pwd, chdir: "/opt/inj/file_dir/{{ item }}"}"#,
        Stdout("/opt/inj/file_dir/"),
    ),
    (
        "shell_creates",
        r#"shell: {cmd: "true", creates: "/opt/inj/none/{{ item }}"}"#,
        Succeeds,
    ),
    (
        "shell_removes",
        r#"shell: {cmd: "true", removes: "/opt/inj/none/{{ item }}"}"#,
        Succeeds,
    ),
    (
        "shell_stdin",
        r#"shell: {cmd: cat, stdin: "{{ item }}"}"#,
        Stdout(""),
    ),
    (
        "shell_executable",
        r#"shell: {cmd: "true", executable: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "script_chdir",
        r#"script: {cmd: pwd.sh, chdir: "/opt/inj/file_dir/{{ item }}"}"#,
        Stdout("/opt/inj/file_dir/"),
    ),
    (
        "script_creates",
        r#"script: {cmd: pwd.sh, creates: "/opt/inj/none/{{ item }}"}"#,
        Succeeds,
    ),
    (
        "script_removes",
        r#"script: {cmd: pwd.sh, removes: "/opt/inj/none/{{ item }}"}"#,
        Succeeds,
    ),
    (
        "archive_path",
        r#"archive: {path: "/opt/inj/file_touch/{{ item }}", dest: "/opt/inj/archive_path/{{ i }}.tgz"}"#,
        Succeeds,
    ),
    (
        "archive_dest",
        r#"archive: {path: /opt/inj/target, dest: "/opt/inj/archive_dest/{{ item }}", format: gz}"#,
        Names,
    ),
    (
        "archive_exclude",
        r#"archive: {path: [/opt/inj/file_touch], dest: "/opt/inj/archive_exclude/{{ i }}.tgz", exclude_path: ["/opt/inj/file_touch/{{ item }}"]}"#,
        Succeeds,
    ),
    (
        "unarchive_dest",
        r#"unarchive: {src: /opt/inj/target.tgz, remote_src: true, dest: "/opt/inj/file_dir/{{ item }}"}"#,
        Succeeds,
    ),
    (
        "unarchive_src",
        r#"unarchive: {src: "/opt/inj/file_touch/{{ item }}", remote_src: true, dest: /opt/inj/scratch}"#,
        Nowhere,
    ),
    (
        "wait_for_path",
        r#"wait_for: {path: "/opt/inj/file_touch/{{ item }}", timeout: 2}"#,
        Succeeds,
    ),
    (
        "git_version",
        r#"git: {repo: /opt/inj/repo, dest: "/opt/inj/git_version/{{ i }}", version: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "git_dest",
        r#"git: {repo: /opt/inj/repo, dest: "/opt/inj/git_dest/{{ item }}"}"#,
        Names,
    ),
    (
        "git_repo",
        r#"git: {repo: "{{ item }}", dest: "/opt/inj/git_repo/{{ i }}"}"#,
        Nowhere,
    ),
    (
        "git_remote",
        r#"git: {repo: /opt/inj/repo, dest: "/opt/inj/git_remote/{{ i }}", remote: "{{ item }}"}"#,
        Nowhere,
    ),
    (
        "systemd_name",
        r#"systemd: {name: "{{ item }}", state: started}"#,
        Nowhere,
    ),
    // runbook's get_url reads no file:// URLs yet (status 0), so only the quoting is checked.
    (
        "get_url_dest",
        r#"get_url: {url: "file:///opt/inj/target", dest: "/opt/inj/get_url_dest/{{ item }}"}"#,
        Nowhere,
    ),
    (
        "get_url_url",
        r#"get_url: {url: "http://127.0.0.1:9/{{ item }}", dest: /opt/inj/scratch/get, timeout: 2}"#,
        Nowhere,
    ),
    (
        "uri_url",
        r#"uri: {url: "http://127.0.0.1:9/{{ item }}", timeout: 2}"#,
        Nowhere,
    ),
    (
        "uri_header",
        r#"uri: {url: "http://127.0.0.1:9/", headers: {X-Inj: "{{ item }}"}, timeout: 2}"#,
        Nowhere,
    ),
    (
        "uri_password",
        r#"uri: {url: "http://127.0.0.1:9/", url_username: u, url_password: "{{ item }}", timeout: 2}"#,
        Nowhere,
    ),
    (
        "fetch_src",
        r#"fetch: {src: "/opt/inj/file_touch/{{ item }}", dest: "{{ fetched }}/"}"#,
        Succeeds,
    ),
    (
        "docker_container_name",
        r#"docker_container: {name: "{{ item }}", image: alpine, state: started}"#,
        Nowhere,
    ),
    (
        "docker_image_name",
        r#"docker_image: {name: "{{ item }}", source: pull}"#,
        Nowhere,
    ),
];

const SETUP: &str = r#"- hosts: lab
  gather_facts: false
  tasks:
    - file: {path: /opt/inj/scratch, state: directory}
    - copy: {content: "x\n", dest: /opt/inj/target}
    - archive: {path: /opt/inj/target, dest: /opt/inj/target.tgz}
    - shell: git init -q /opt/inj/repo && git -C /opt/inj/repo -c user.email=t@t -c user.name=t commit -q --allow-empty -m init
    - copy: {src: payloads.json, dest: /opt/inj/payloads.json}
    - command: cat /opt/inj/payloads.json
      register: from_host
    - set_fact:
        payloads: "{{ from_host.stdout | from_json }}"
    - copy: {content: "TOKEN\n", dest: "/opt/inj/scratch/replace-{{ item }}"}
      loop: "{{ range(payloads | length) | list }}"
"#;

fn playbook() -> String {
    let mut text = String::from(SETUP);
    let names: Vec<String> = PAIRS
        .iter()
        .map(|(name, _, _)| format!("\"{name}\""))
        .collect();
    text.push_str(&format!(
        "    - file: {{path: \"/opt/inj/{{{{ item }}}}\", state: directory}}\n      loop: [{}, \"results\"]\n",
        names.join(", ")
    ));
    for (name, task, lands) in PAIRS {
        text.push_str(&format!(
            "    - name: {name}\n      {task}\n      loop: \"{{{{ payloads }}}}\"\n      loop_control: {{index_var: i}}\n      ignore_errors: true\n      register: r\n"
        ));
        let field = match lands {
            Stdout(_) => "map(attribute='stdout')",
            Succeeds => "map(attribute='failed')",
            _ => continue,
        };
        text.push_str(&format!(
            "    - copy: {{content: \"{{{{ r.results | {field} | list | to_json }}}}\", dest: /opt/inj/results/{name}.json}}\n"
        ));
    }
    text.push_str(
        r#"    - shell: find /root /tmp /opt /srv /var/tmp /var/lib -name 'pwn-*' 2>/dev/null; find / -maxdepth 1 -name 'pwn-*'; true
      register: markers
    - copy: {content: "{{ markers.stdout }}", dest: /opt/inj/markers}
"#,
    );
    text
}

#[test]
fn no_argument_of_any_module_runs_as_shell_code() {
    let lab = Lab::up(1);
    let payloads = serde_json::to_string(PAYLOADS).expect("json");
    lab.project.file("payloads.json", &payloads);
    lab.project.file("templates/fixed.j2", "fixed\n");
    lab.project.file("templates/item.j2", "{{ item }}");
    lab.project.file("files/pwd.sh", "#!/bin/sh\npwd\n");
    lab.project.file("site.yml", &playbook());
    let fetched = lab.project.join("fetched");
    let fetched_var = format!("fetched={}", fetched.display());
    let started = std::time::Instant::now();
    let output = lab.run(&["play", "site.yml", "-i", "lab", "-e", &fetched_var]);
    println!(
        "{} pairs x {} payloads in {:.1?}",
        PAIRS.len(),
        PAYLOADS.len(),
        started.elapsed()
    );
    output.assert_code(0);
    let root = lab.host_root("node1").join("opt/inj");
    let markers = std::fs::read_to_string(root.join("markers")).expect("markers listed");
    assert_eq!(markers, "", "a payload ran as code\n{}", output.all());
    let wanted: BTreeSet<String> = PAYLOADS.iter().map(|p| p.to_string()).collect();
    for (name, _, lands) in PAIRS {
        check(&root, name, *lands, &wanted);
    }
    for host_only in ["/root", "/tmp"] {
        let leaked: Vec<_> = std::fs::read_dir(host_only)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with("pwn-"))
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        assert!(leaked.is_empty(), "{leaked:?}");
    }
}

/// A NUL byte cannot be said in a command or a path: refused, not cut short.
#[test]
fn a_nul_byte_in_an_argument_is_refused() {
    let lab = Lab::up(1);
    lab.project.file(
        "site.yml",
        "- hosts: lab\n  gather_facts: false\n  tasks:\n    - file: {path: \"/opt/nul\\0tail\", state: touch}\n",
    );
    let output = lab.run(&["play", "site.yml", "-i", "lab"]);
    output.assert_code(2);
    assert!(output.stdout.contains("NUL byte"), "{}", output.all());
    assert!(
        !lab.host_root("node1").join("opt/nul").exists(),
        "not cut short"
    );
}

fn check(root: &Path, name: &str, lands: Lands, wanted: &BTreeSet<String>) {
    let dir = root.join(name);
    let read = |index: usize| {
        std::fs::read_to_string(dir.join(index.to_string()))
            .unwrap_or_else(|e| panic!("{name}/{index}: {e}"))
    };
    match lands {
        Names => {
            let names: BTreeSet<String> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(&names, wanted, "{name}: the names arrive verbatim");
        }
        Content(suffix) => {
            for (index, payload) in PAYLOADS.iter().enumerate() {
                assert_eq!(read(index), format!("{payload}{suffix}"), "{name}/{index}");
            }
        }
        Inside => {
            for (index, payload) in PAYLOADS.iter().enumerate() {
                let text = read(index);
                assert!(text.contains(payload), "{name}/{index}: {text:?}");
            }
        }
        LinkTo(prefix) => {
            for (index, payload) in PAYLOADS.iter().enumerate() {
                let target = std::fs::read_link(dir.join(index.to_string()))
                    .unwrap_or_else(|e| panic!("{name}/{index}: {e}"));
                assert_eq!(
                    target,
                    Path::new(&format!("{prefix}{payload}")),
                    "{name}/{index}"
                );
            }
        }
        Stdout(prefix) => {
            let got = results(root, name);
            let want: Vec<serde_json::Value> = PAYLOADS
                .iter()
                .map(|p| serde_json::Value::from(format!("{prefix}{p}")))
                .collect();
            assert_eq!(got, want, "{name}: the output is the value, verbatim");
        }
        Succeeds => {
            let got = results(root, name);
            assert!(got.iter().all(|failed| failed == false), "{name}: {got:?}");
        }
        Nowhere => {}
    }
}

fn results(root: &Path, name: &str) -> Vec<serde_json::Value> {
    let path = root.join("results").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}: {text}"))
}
