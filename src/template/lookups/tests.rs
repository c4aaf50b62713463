//! Lookups through `lookup()`/`query()` as templates call them, against a
//! scratch playbook directory. (The variables come from `json!`, whose
//! maps are sorted.)

use std::path::Path;

use proptest::prelude::*;

use crate::template::Templar;
use crate::value::Value;

fn vars(dir: &Path) -> Value {
    Value::from(minijinja::value::Serde(serde_json::json!({
        "playbook_dir": dir.display().to_string(),
        "groups": {"all": ["web1", "web2", "db1"], "web": ["web1", "web2"], "db": ["db1"], "ungrouped": []},
        "users": [
            {"name": "alice", "keys": ["k1", "k2"], "auth": {"keys": ["a1"]}},
            {"name": "bob", "keys": ["k3"]},
        ],
        "qz_1": "hello",
        "qz_2": "world",
    })))
}

fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    };
    write("files/motd.txt", "  welcome  \n\n");
    write("files/a.conf", "a");
    write("files/b.conf", "b");
    write("files/.hidden.conf", "h");
    write("top.txt", "top");
    write(
        "templates/greet.j2",
        "hi {{ qz_1 }} {{ extra | default('-') }}\n",
    );
    write(
        "files/users.csv",
        "name,uid\nalice,1000\n\"bob, jr\",1001\n",
    );
    write("files/users.tsv", "alice\t1000\n");
    write(
        "files/app.ini",
        "[global]\nuser = root\n[db]\nHost = db1\nport: 5432\n; comment\n[DEFAULT]\nretries = 3\n",
    );
    write("files/app.properties", "user.name = alice\n");
    dir
}

fn render(dir: &Path, template: &str) -> String {
    match Templar::new().render_text(template, &vars(dir)) {
        Ok(text) => text,
        Err(err) => panic!("{template} failed: {err}"),
    }
}

fn render_err(dir: &Path, template: &str) -> String {
    match Templar::new().render_text(template, &vars(dir)) {
        Ok(text) => panic!("{template} rendered {text:?} instead of failing"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn lookups_return_what_ansible_returns() {
    let dir = scratch();
    let d = dir.path().display().to_string();
    let cases: Vec<(&str, String)> = vec![
        ("{{ lookup('file', 'motd.txt') }}|", "  welcome|".into()),
        (
            "{{ lookup('file', 'motd.txt', lstrip=true) }}|",
            "welcome|".into(),
        ),
        (
            "{{ lookup('ansible.builtin.file', 'top.txt') }}",
            "top".into(),
        ),
        (
            "{{ lookup('file', 'top.txt', 'files/a.conf') }}",
            "top,a".into(),
        ),
        (
            "{{ query('fileglob', '*.conf') | sort }}",
            format!("['{d}/files/a.conf', '{d}/files/b.conf']"),
        ),
        ("{{ lookup('fileglob', 'nothing*') }}", "[]".into()),
        (
            "{{ lookup('first_found', ['none.txt', 'top.txt']) }}",
            format!("{d}/top.txt"),
        ),
        (
            "{{ lookup('first_found', {'files': ['x', 'a.conf'], 'paths': ['files']}) }}",
            format!("{d}/files/a.conf"),
        ),
        ("{{ q('first_found', ['none'], skip=True) }}", "[]".into()),
        (
            "{{ lookup('template', 'greet.j2') }}",
            "hi hello -\n".into(),
        ),
        (
            "{{ lookup('template', 'greet.j2', template_vars={'extra': 'x'}) }}",
            "hi hello x\n".into(),
        ),
        (
            "{{ lookup('csvfile', 'bob, jr file=users.csv delimiter=,') }}",
            "1001".into(),
        ),
        (
            "{{ lookup('csvfile', 'alice', file='users.tsv') }}",
            "1000".into(),
        ),
        (
            "{{ lookup('csvfile', 'carol file=users.csv delimiter=, default=none') }}",
            "none".into(),
        ),
        ("{{ lookup('ini', 'user', file='app.ini') }}", "root".into()),
        (
            "{{ lookup('ini', 'host section=db file=app.ini') }}",
            "db1".into(),
        ),
        (
            "{{ lookup('ini', 'port', section='db', file='app.ini') }}",
            "5432".into(),
        ),
        (
            "{{ lookup('ini', 'retries', section='db', file='app.ini') }}",
            "3".into(),
        ),
        (
            "{{ q('ini', '.*', section='db', file='app.ini', re=True) }}",
            "['db1', '5432', '3']".into(),
        ),
        (
            "{{ lookup('ini', 'user.name', type='properties', file='app.properties') }}",
            "alice".into(),
        ),
        (
            "{{ lookup('env', 'RUNBOOK_SURELY_UNSET', default='d') }}",
            "d".into(),
        ),
        (
            "{{ lookup('pipe', 'echo hi; echo there') }}",
            "hi\nthere".into(),
        ),
        (
            "{{ q('lines', 'printf \"a\\nb\\n\"') }}",
            "['a', 'b']".into(),
        ),
        ("{{ lookup('pipe', 'pwd') }}", d.clone()),
        ("{{ lookup('vars', 'qz_1') }}", "hello".into()),
        (
            "{{ lookup('vars', 'nope', default='dflt') }}",
            "dflt".into(),
        ),
        ("{{ q('varnames', '^qz_') }}", "['qz_1', 'qz_2']".into()),
        (
            "{{ q('inventory_hostnames', 'all:!db') }}",
            "['web1', 'web2']".into(),
        ),
        (
            "{{ q('inventory_hostnames', 'web*') }}",
            "['web1', 'web2']".into(),
        ),
        (
            "{{ q('inventory_hostnames', 'all:&db') }}",
            "['db1']".into(),
        ),
        ("{{ q('inventory_hostnames', 'nosuch') }}", "[]".into()),
        ("{{ lookup('items', [1, 2]) }}", "[1, 2]".into()),
        ("{{ lookup('list', 'a', 'b') }}", "a,b".into()),
        ("{{ lookup('list', 'a') }}", "a".into()),
        ("{{ q('list', 'a') }}", "['a']".into()),
        ("{{ lookup('list', 'a', wantlist=True) }}", "['a']".into()),
        (
            "{{ q('indexed_items', ['a', 'b']) }}",
            "[[0, 'a'], [1, 'b']]".into(),
        ),
        (
            "{{ q('dict', {'a': 1}) }}",
            "[{'key': 'a', 'value': 1}]".into(),
        ),
        (
            "{{ q('nested', [1, 2], ['a']) }}",
            "[[1, 'a'], [2, 'a']]".into(),
        ),
        (
            "{{ q('community.general.cartesian', [1], ['a', 'b']) }}",
            "[[1, 'a'], [1, 'b']]".into(),
        ),
        (
            "{{ q('together', [1, 2], ['a']) }}",
            "[[1, 'a'], [2, None]]".into(),
        ),
        (
            "{{ q('flattened', [1, [2, [3, [4]]]], 5) }}",
            "[1, 2, 3, 4, 5]".into(),
        ),
        (
            "{{ q('subelements', users, 'keys') | map(attribute=1) | list }}",
            "['k1', 'k2', 'k3']".into(),
        ),
        (
            "{{ q('subelements', users, 'auth.keys', {'skip_missing': True}) }}",
            "[[{'auth': {}, 'keys': ['k1', 'k2'], 'name': 'alice'}, 'a1']]".into(),
        ),
        (
            "{{ q('sequence', 'start=0 end=4 stride=2') }}",
            "['0', '2', '4']".into(),
        ),
        (
            "{{ q('sequence', 'count=2 format=n%03d') }}",
            "['n001', 'n002']".into(),
        ),
        ("{{ q('random_choice', 'only') }}", "['only']".into()),
        (
            "{{ lookup('config', 'DEFAULT_BECOME_USER') }}",
            "root".into(),
        ),
        (
            "{{ q('config', 'NO_SUCH_SETTING', on_missing='skip') }}",
            "[]".into(),
        ),
        (
            "{{ lookup('file', 'missing', errors='ignore') }}|",
            "|".into(),
        ),
        ("{{ q('file', 'missing', errors='warn') }}", "[]".into()),
    ];
    for (template, expected) in cases {
        assert_eq!(render(dir.path(), template), expected, "{template}");
    }
}

#[test]
fn lookup_failures_name_the_plugin() {
    let dir = scratch();
    let cases = [
        (
            "{{ lookup('nosuch', 'x') }}",
            "The lookup plugin 'nosuch' was not found.",
        ),
        (
            "{{ lookup('file', 'missing.txt') }}",
            "The lookup plugin 'file' failed: Unable to access the file 'missing.txt': File not found. Use -vvvvv to see paths searched.",
        ),
        (
            "{{ lookup('subelements', users, 'auth.keys') }}",
            "The lookup plugin 'subelements' failed: could not find 'auth' key in iterated item '{'keys': ['k3'], 'name': 'bob'}'",
        ),
        (
            "{{ lookup('first_found', ['x', 'y']) }}",
            "The lookup plugin 'first_found' failed: No file was found when using first_found.",
        ),
        (
            "{{ lookup('pipe', 'exit 3') }}",
            "The lookup plugin 'pipe' failed: lookup_plugin.pipe(exit 3) returned 3",
        ),
        (
            "{{ lookup('vars', 'nope') }}",
            "The lookup plugin 'vars' failed: No variable named 'nope' was found.",
        ),
        (
            "{{ lookup('file', 'x', errors='loud') }}",
            "errors must be one of strict, warn or ignore",
        ),
    ];
    for (template, expected) in cases {
        let message = render_err(dir.path(), template);
        assert!(message.contains(expected), "{template}: {message}");
    }
}

#[test]
fn password_is_created_once_and_read_back() {
    let dir = scratch();
    let first = render(
        dir.path(),
        "{{ lookup('password', 'creds/db length=12 chars=digits') }}",
    );
    assert_eq!(first.len(), 12, "{first}");
    assert!(first.chars().all(|c| c.is_ascii_digit()), "{first}");
    let path = dir.path().join("creds/db");
    assert_eq!(
        std::fs::read_to_string(&path).expect("stored"),
        format!("{first}\n")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(dir.path().join("creds"))
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    let again = render(dir.path(), "{{ lookup('password', 'creds/db length=30') }}");
    assert_eq!(again, first);
    let default = render(dir.path(), "{{ lookup('password', '/dev/null') }}");
    assert_eq!(default.len(), 20);
    let charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:-_";
    assert!(default.chars().all(|c| charset.contains(c)), "{default}");
    let seeded = |seed: &str| {
        render(
            dir.path(),
            &format!("{{{{ lookup('password', '/dev/null', seed='{seed}') }}}}"),
        )
    };
    assert_eq!(seeded("s1"), seeded("s1"));
    assert_ne!(seeded("s1"), seeded("s2"));
    let commas = render(
        dir.path(),
        "{{ lookup('password', '/dev/null chars=,, length=3') }}",
    );
    assert_eq!(commas, ",,,");
    assert!(
        render_err(dir.path(), "{{ lookup('password', '/dev/null bogus=1') }}")
            .contains("Unrecognized parameter(s) given to password lookup: bogus")
    );
}

/// A one-shot HTTP server on localhost answering `status` with `body`.
fn serve_once(status: &str, body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let status = status.to_string();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    format!("http://{address}/data.txt")
}

#[test]
fn url_reads_lines_over_http() {
    let dir = scratch();
    let url = serve_once("200 OK", "line1\nline2\n");
    assert_eq!(
        render(dir.path(), &format!("{{{{ query('url', '{url}') }}}}")),
        "['line1', 'line2']"
    );
    let url = serve_once("200 OK", "line1\nline2\n");
    assert_eq!(
        render(
            dir.path(),
            &format!("{{{{ lookup('url', '{url}', split_lines=False) }}}}")
        ),
        "line1\nline2\n"
    );
    let url = serve_once("404 Not Found", "");
    let message = render_err(dir.path(), &format!("{{{{ lookup('url', '{url}') }}}}"));
    assert!(
        message.contains(&format!(
            "The lookup plugin 'url' failed: Received HTTP error for {url}: HTTP Error 404: Not Found"
        )),
        "{message}"
    );
}

fn list_of(len: usize) -> String {
    let items: Vec<String> = (0..len).map(|i| i.to_string()).collect();
    format!("[{}]", items.join(", "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn nested_has_the_product_of_lengths(a in 0usize..5, b in 0usize..5, c in 1usize..4) {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = render(
            dir.path(),
            &format!("{{{{ q('nested', {}, {}, {}) | length }}}}", list_of(a), list_of(b), list_of(c)),
        );
        prop_assert_eq!(out, (a * b * c).to_string());
    }

    #[test]
    fn together_has_the_longest_length(a in 0usize..6, b in 0usize..6) {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = render(
            dir.path(),
            &format!("{{{{ q('together', {}, {}) | length }}}}", list_of(a), list_of(b)),
        );
        prop_assert_eq!(out, a.max(b).to_string());
    }

    #[test]
    fn sequence_counts_what_it_is_asked(start in -50i64..50, count in 0i64..40, stride in 1i64..5) {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = render(
            dir.path(),
            &format!("{{{{ q('sequence', 'start={start} count={count} stride={stride}') | length }}}}"),
        );
        prop_assert_eq!(out, count.to_string());
    }

    #[test]
    fn inline_options_never_panic(term in ".{0,40}") {
        let _ = super::split_inline_options(&term);
    }
}

#[test]
fn errors_warn_leaves_a_warning_for_the_executor() {
    let dir = scratch();
    let _ = super::take_warnings();
    assert_eq!(
        render(
            dir.path(),
            "{{ lookup('file', 'gone.txt', errors='warn') }}|"
        ),
        "|"
    );
    assert_eq!(
        super::take_warnings(),
        vec![
            "An error occurred while running the lookup plugin 'file': Unable to access the file 'gone.txt': File not found. Use -vvvvv to see paths searched."
                .to_string()
        ]
    );
    assert!(super::take_warnings().is_empty());
    render(
        dir.path(),
        "{{ lookup('file', 'gone.txt', errors='ignore') }}",
    );
    assert!(super::take_warnings().is_empty());
}
