//! Checks that the minijinja builtins runbook relies on behave as Jinja2's
//! do in Ansible playbooks (`map`, `select`, `selectattr`, `sort`...).

use crate::template::filters::test_support::render;

#[test]
fn builtin_filters_match_jinja2() {
    let users =
        "[{'name': 'bob', 'age': 30, 'admin': true}, {'name': 'al', 'age': 25, 'admin': false}]";
    let cases = [
        (
            format!("{{{{ {users} | map(attribute='name') | list }}}}"),
            "['bob', 'al']",
        ),
        (
            format!("{{{{ {users} | selectattr('admin') | map(attribute='name') | list }}}}"),
            "['bob']",
        ),
        (
            format!("{{{{ {users} | rejectattr('admin') | map(attribute='name') | first }}}}"),
            "al",
        ),
        (
            format!("{{{{ {users} | selectattr('age', 'gt', 26) | list | length }}}}"),
            "1",
        ),
        (
            format!(
                "{{{{ {users} | selectattr('name', 'equalto', 'al') | map(attribute='age') | first }}}}"
            ),
            "25",
        ),
        (
            format!(
                "{{{{ {users} | sort(attribute='age') | map(attribute='name') | join(',') }}}}"
            ),
            "al,bob",
        ),
        (
            format!("{{{{ {users} | map(attribute='age') | sum }}}}"),
            "55",
        ),
        (
            format!("{{{{ ({users} | max(attribute='age')).name }}}}"),
            "bob",
        ),
        (
            format!("{{{{ {users} | join(', ', attribute='name') }}}}"),
            "bob, al",
        ),
        (
            "{{ ['a', 'B', 'c'] | map('upper') | list }}".into(),
            "['A', 'B', 'C']",
        ),
        ("{{ ['1', '2'] | map('int') | sum }}".into(), "3"),
        (
            "{{ ['web1', 'db1', 'web2'] | select('match', 'web') | list }}".into(),
            "['web1', 'web2']",
        ),
        (
            "{{ ['web1', 'db1'] | reject('search', 'db') | list }}".into(),
            "['web1']",
        ),
        ("{{ [3, 1, 2] | sort }}".into(), "[1, 2, 3]"),
        ("{{ [3, 1, 2] | sort(reverse=true) }}".into(), "[3, 2, 1]"),
        ("{{ ['b', 'A', 'c'] | sort }}".into(), "['A', 'b', 'c']"),
        (
            "{{ [1, 2, 3] | first }}-{{ [1, 2, 3] | last }}".into(),
            "1-3",
        ),
        ("{{ [1, 2, 3] | min }}-{{ [1, 2, 3] | max }}".into(), "1-3"),
        (
            "{{ [1, true, none, 'x'] | join(',') }}".into(),
            "1,True,None,x",
        ),
        ("{{ 'abc' | join('-') }}".into(), "a-b-c"),
        (
            "{{ 'Hello' | lower }} {{ 'Hello' | upper }} {{ '  x  ' | trim }}".into(),
            "hello HELLO x",
        ),
        ("{{ 'a-b' | replace('-', '+') }}".into(), "a+b"),
        ("{{ 'abc' | list }}".into(), "['a', 'b', 'c']"),
        (
            "{{ {'a': 1} | length }} {{ 'abcd' | length }}".into(),
            "1 4",
        ),
        ("{{ ['a', 'A', 'b'] | unique }}".into(), "['a', 'b']"),
        (
            "{{ {'b': 1, 'a': 2} | dictsort }}".into(),
            "[['a', 2], ['b', 1]]",
        ),
        ("{{ 3.14159 | round(2) }}".into(), "3.14"),
        ("{{ -3 | abs }}".into(), "3"),
        ("{{ 'hello world' | title }}".into(), "Hello World"),
        ("{{ 'hello' | capitalize }}".into(), "Hello"),
        ("{{ '%s-%d' | format('a', 3) }}".into(), "a-3"),
        (
            "{{ [1, 2, 3, 4] | batch(2) | list }}".into(),
            "[[1, 2], [3, 4]]",
        ),
        ("{{ range(3) | list }}".into(), "[0, 1, 2]"),
        ("{{ 'a b' | urlencode }}".into(), "a%20b"),
        (
            "{{ 'long text here and more' | truncate(9) }}".into(),
            "long...",
        ),
        (
            "{{ 'long text here' | truncate(9) }}".into(),
            "long text here",
        ),
        (
            "{{ 'long text here and more' | truncate(9, true) }}".into(),
            "long t...",
        ),
    ];
    for (template, expected) in cases {
        assert_eq!(render(&template), expected, "{template}");
    }
}
