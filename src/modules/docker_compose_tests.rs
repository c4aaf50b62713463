use super::*;

fn want() -> Wanted {
    Wanted {
        project_src: "/srv/jpom".into(),
        files: vec![],
        project_name: None,
        present: true,
        pull: false,
        remove_orphans: false,
        restarted: false,
        stopped: false,
        services: None,
        force_recreate: false,
    }
}

fn found(containers: &[(&str, &str, &str)]) -> Found {
    Found {
        cli: vec!["docker".into(), "compose".into()],
        declared: declared_services(
            "compose.yml",
            "services:\n  server:\n    image: jpom/server:2.11\n  agent:\n    image: jpom/agent\n",
        )
        .expect("parses"),
        containers: containers
            .iter()
            .map(|(service, state, image)| Container {
                name: format!("jpom-{service}-1"),
                service: service.to_string(),
                image: image.to_string(),
                state: state.to_string(),
            })
            .collect(),
    }
}

#[test]
fn up_only_when_a_service_is_missing_stopped_or_on_another_image() {
    let up = [
        ("server", "running", "jpom/server:2.11"),
        ("agent", "running", "jpom/agent"),
    ];
    assert_eq!(steps(&want(), &found(&up)), []);
    assert_eq!(steps(&want(), &found(&up[..1])), [Step::Up]);
    let old = [
        ("server", "running", "jpom/server:2.10"),
        ("agent", "running", "jpom/agent"),
    ];
    assert_eq!(steps(&want(), &found(&old)), [Step::Up]);
    let stopped = [
        ("server", "exited", "jpom/server:2.11"),
        ("agent", "running", "jpom/agent"),
    ];
    assert_eq!(steps(&want(), &found(&stopped)), [Step::Up]);
    let only_agent = Wanted {
        services: Some(vec!["agent".into()]),
        ..want()
    };
    assert_eq!(steps(&only_agent, &found(&stopped)), []);
}

#[test]
fn stopped_restarted_absent_and_orphans() {
    let up = [
        ("server", "running", "jpom/server:2.11"),
        ("agent", "running", "jpom/agent"),
    ];
    assert_eq!(
        steps(
            &Wanted {
                stopped: true,
                ..want()
            },
            &found(&up)
        ),
        [Step::Stop]
    );
    assert_eq!(
        steps(
            &Wanted {
                restarted: true,
                ..want()
            },
            &found(&up)
        ),
        [Step::Restart]
    );
    assert_eq!(
        steps(
            &Wanted {
                present: false,
                ..want()
            },
            &found(&up)
        ),
        [Step::Down]
    );
    assert_eq!(
        steps(
            &Wanted {
                present: false,
                ..want()
            },
            &found(&[])
        ),
        []
    );
    let orphan = [up[0], up[1], ("old", "running", "x")];
    assert_eq!(steps(&want(), &found(&orphan)), []);
    assert_eq!(
        steps(
            &Wanted {
                remove_orphans: true,
                ..want()
            },
            &found(&orphan)
        ),
        [Step::Up]
    );
}

#[test]
fn ps_json_is_read_in_both_shapes() {
    let lines =
        "{\"Name\":\"a-web-1\",\"Service\":\"web\",\"Image\":\"nginx\",\"State\":\"running\"}\n";
    let array =
        "[{\"Name\":\"a-web-1\",\"Service\":\"web\",\"Image\":\"nginx\",\"State\":\"running\"}]";
    assert_eq!(
        parse_ps(lines).expect("lines"),
        parse_ps(array).expect("array")
    );
    assert_eq!(parse_ps("").expect("empty"), []);
    assert!(parse_ps("{oops").is_err());
}

#[test]
fn a_compose_file_without_services_declares_none_and_bad_yaml_fails() {
    assert!(
        declared_services("c.yml", "version: '3'\n")
            .expect("parses")
            .is_empty()
    );
    assert!(declared_services("c.yml", "services: [a, b]\n").is_err());
    assert!(declared_services("c.yml", "services:\n  a: {image: [\n").is_err());
}

proptest::proptest! {
    #[test]
    fn reading_compose_files_never_panics(text in "\\PC{0,64}") {
        let _ = declared_services("c.yml", &text);
        let _ = parse_ps(&text);
    }
}
