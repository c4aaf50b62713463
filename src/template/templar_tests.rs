//! What a playbook author sees from `Templar`: native types for a lone
//! `{{ expr }}`, strings otherwise, conditions, and errors naming variables.

use proptest::prelude::*;

use super::filters::test_support::vars;
use super::{Templar, TemplateError, TemplateErrorKind};
use crate::value::{Value, map_from_pairs};

fn templar() -> Templar {
    Templar::new()
}

fn render(text: &str) -> Value {
    match templar().render_str(text, &vars()) {
        Ok(value) => value,
        Err(err) => panic!("{text} failed: {err}"),
    }
}

fn undefined_name(result: Result<impl std::fmt::Debug, TemplateError>) -> String {
    match result {
        Err(TemplateError {
            kind: TemplateErrorKind::Undefined(name),
            message,
            ..
        }) => {
            assert!(message.contains(&format!("'{name}'")), "{message}");
            name
        }
        other => panic!("expected an undefined error, got {other:?}"),
    }
}

#[test]
fn a_lone_expression_keeps_its_native_type() {
    let cases = [
        ("{{ items }}", Value::from(vec![1, 2, 3])),
        ("{{ port }}", Value::from(8080)),
        ("{{port}}", Value::from(8080)),
        ("{{ port > 1 }}", Value::from(true)),
        ("{{ nothing }}", Value::from(())),
        ("{{ items | length }}", Value::from(3)),
        ("{{ '42' }}", Value::from("42")),
        ("{{ config.db.port }}", Value::from(5432)),
        (
            "{{ [port, name] }}",
            Value::from(vec![Value::from(8080), Value::from("web01")]),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(render(text), expected, "{text}");
    }
    let db = render("{{ config.db }}");
    assert_eq!(db.get_attr("host").ok(), Some(Value::from("db1")));
}

#[test]
fn anything_else_renders_to_a_string() {
    let cases = [
        ("port {{ port }}", "port 8080"),
        ("{{ port }}{{ port }}", "80808080"),
        (" {{ port }}", " 8080"),
        ("{{ items }} ok", "[1, 2, 3] ok"),
        ("enabled={{ port > 1 }}", "enabled=True"),
        ("{% if port > 1 %}big{% endif %}", "big"),
        ("{# comment #}x", "x"),
        ("{{ name }}\n", "web01\n"),
        ("{% if true %}\nline\n{% endif %}\n", "line\n"),
    ];
    for (text, expected) in cases {
        assert_eq!(render(text), Value::from(expected), "{text:?}");
    }
}

#[test]
fn plain_text_is_returned_untouched() {
    for text in ["", "hello", "{ a: b }", "100%", "}} {", "$HOME"] {
        assert_eq!(render(text), Value::from(text), "{text:?}");
    }
}

#[test]
fn python_string_methods_are_available() {
    let cases = [
        ("{{ name.upper() }}", Value::from("WEB01")),
        ("{{ 'a,b'.split(',') }}", Value::from(vec!["a", "b"])),
        ("{{ ' x '.strip() }}", Value::from("x")),
        ("{{ name.startswith('web') }}", Value::from(true)),
        ("{{ name.replace('web', 'db') }}", Value::from("db01")),
        ("{{ config.db.get('host') }}", Value::from("db1")),
        ("{{ config.db.get('user', 'root') }}", Value::from("root")),
        (
            "{{ config.db.keys() | list }}",
            Value::from(vec!["host", "port"]),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(render(text), expected, "{text}");
    }
}

#[test]
fn render_value_renders_nested_strings_and_keys() {
    let input = map_from_pairs([
        ("{{ name }}_port", Value::from("{{ port }}")),
        (
            "list",
            Value::from(vec![
                Value::from("{{ name }}"),
                Value::from(7),
                Value::from("plain"),
            ]),
        ),
    ]);
    let output = templar().render_value(&input, &vars()).expect("renders");
    assert_eq!(output.get_attr("web01_port").ok(), Some(Value::from(8080)));
    assert_eq!(
        output.get_attr("list").ok(),
        Some(Value::from(vec![
            Value::from("web01"),
            Value::from(7),
            Value::from("plain")
        ]))
    );
    let err = templar().render_value(&Value::from(vec!["{{ nope }}"]), &vars());
    assert_eq!(undefined_name(err), "nope");
}

#[test]
fn eval_expr_accepts_bare_and_wrapped_expressions() {
    let t = templar();
    assert_eq!(
        t.eval_expr("items | length", &vars()).ok(),
        Some(Value::from(3))
    );
    assert_eq!(
        t.eval_expr("{{ items | first }}", &vars()).ok(),
        Some(Value::from(1))
    );
    assert_eq!(undefined_name(t.eval_expr("nope", &vars())), "nope");
    assert_eq!(
        undefined_name(t.eval_expr("config.db.user", &vars())),
        "config.db.user"
    );
}

#[test]
fn conditions_evaluate_like_ansible() {
    let flags = minijinja::context! { flag_false => "False", flag_yes => "yes", flag_word => "maybe", ..vars() };
    let cases = [
        ("port == 8080", true),
        ("name is defined and port > 1", true),
        ("missing is defined", false),
        ("missing is undefined", true),
        ("'yes' | bool", true),
        ("{{ port == 8080 }}", true),
        ("  {{ port == 1 }}  ", false),
        ("'{{ name }}' == 'web01'", true),
        ("flag_false", false),
        ("{{ flag_false }}", false),
        ("flag_yes", true),
        ("items", true),
        ("[]", false),
        ("empty", false),
        ("nothing", false),
        ("0", false),
        ("config.db.port > 5000", true),
        ("missing | default(true)", true),
    ];
    for (expr, expected) in cases {
        let result = templar().eval_condition(expr, &flags);
        assert_eq!(result.as_ref().ok(), Some(&expected), "{expr}: {result:?}");
    }
    for meta in [
        "{{ port }} == {{ port }}",
        "{% if port %}True{% endif %}",
        "{{ port }} == 8080",
    ] {
        let refused = templar().eval_condition(meta, &flags);
        assert!(refused.is_err(), "{meta}: {refused:?}");
    }
    let not_boolean = templar().eval_condition("flag_word", &flags);
    assert!(
        matches!(&not_boolean, Err(e) if e.kind == TemplateErrorKind::Evaluation && e.message.contains("'maybe'")),
        "{not_boolean:?}"
    );
}

#[test]
fn undefined_errors_name_the_variable() {
    let t = templar();
    let cases = [
        ("{{ db_host }}", "db_host"),
        ("url=http://{{ db_host }}/", "db_host"),
        ("{{ config.db.user }}", "config.db.user"),
        ("{{ config.nope.port }}", "config.nope"),
        ("{{ missing | upper }}", "missing"),
        ("x {{ missing | lower }}", "missing"),
        ("{{ missing ~ 'x' }}", "missing"),
        ("{% for x in missing %}{% endfor %}", "missing"),
        ("{% if missing %}{% endif %}", "missing"),
        ("{{ items[7] }}", "items[7]"),
    ];
    for (text, name) in cases {
        assert_eq!(undefined_name(t.render_str(text, &vars())), name, "{text}");
    }
    assert_eq!(
        undefined_name(t.eval_condition("missing", &vars())),
        "missing"
    );
    assert_eq!(
        undefined_name(t.eval_condition("not missing", &vars())),
        "missing"
    );
    let err = t
        .render_str("{{ db_host }}", &vars())
        .expect_err("undefined");
    assert_eq!(err.message, "'db_host' is undefined");
}

#[test]
fn syntax_errors_carry_the_line_inside_the_template() {
    let err = templar()
        .render_str("line one\n{{ port + }}", &vars())
        .expect_err("bad syntax");
    assert_eq!(err.kind, TemplateErrorKind::Syntax { line: 2 });
    assert!(err.message.contains("line 2"), "{}", err.message);
    let unknown = templar()
        .render_str("{{ port | no_such_filter }}", &vars())
        .expect_err("unknown filter");
    assert!(
        unknown.message.contains("no_such_filter"),
        "{}",
        unknown.message
    );
}

#[test]
fn templar_can_be_shared_across_threads() {
    let t = std::sync::Arc::new(templar());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let t = t.clone();
            std::thread::spawn(move || t.render_str("{{ n * 2 }}", &minijinja::context! { n => i }))
        })
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        let doubled = handle.join().expect("thread").expect("renders");
        assert_eq!(doubled, Value::from(i * 2));
    }
}

proptest! {
    #[test]
    fn render_str_never_panics(text in ".{0,64}") {
        let _ = templar().render_str(&text, &vars());
    }

    #[test]
    fn render_str_never_panics_on_template_like_input(
        pieces in prop::collection::vec(
            prop::sample::select(vec![
                "{{", "}}", "{%", "%}", "{#", "#}", " if ", " for x in ", "endif", "endfor", "|",
                "name", "port", "missing", "items", "(", ")", "[", "]", "'", "\"", ".", ",",
                "default", "mandatory", "regex_replace", "int", "bool", "to_json", "from_json",
                " is ", "defined", "version", " and ", " not ", "-", "~", "0", "1.5", "\n",
            ]),
            0..24,
        )
    ) {
        let text: String = pieces.concat();
        let t = templar();
        let _ = t.render_str(&text, &vars());
        let _ = t.eval_condition(&text, &vars());
        let _ = t.eval_expr(&text, &vars());
    }

    #[test]
    fn plain_strings_come_back_unchanged(text in "[^{]{0,64}") {
        prop_assert_eq!(templar().render_str(&text, &vars()).ok(), Some(Value::from(text.as_str())));
    }
}

#[test]
fn a_single_expression_before_a_newline_keeps_its_type_as_in_ansible() {
    assert_eq!(render("{{ 1 + 1 }}\n"), Value::from(2));
    assert_eq!(render("{{ 1 == 2 }}\n"), Value::from(false));
    assert_eq!(render("{{ 'a' }}\n"), Value::from("a\n"));
    assert_eq!(render("{{ 'a' }}\n\n"), Value::from("a\n\n"));
    assert_eq!(render("{{ 'a' }} {{ 'b' }}\n"), Value::from("a b\n"));
}
