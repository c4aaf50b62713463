use super::*;


fn want(names: &[&str], state: PipState) -> Desired {
    Desired {
        names: names.iter().map(|n| n.to_string()).collect(),
        requirements: None,
        version: None,
        state,
        virtualenv: None,
        pip: "pip3".into(),
        extra_args: vec![],
        chdir: None,
        editable: false,
        umask: None,
        break_system_packages: false,
    }
}

fn have(freeze: &str) -> Observed {
    Observed {
        environment_exists: true,
        installed: Installed::from_freeze(freeze),
        ..Observed::default()
    }
}

#[test]
fn a_split_specifier_goes_back_on_its_name() {
    let pieces = ["foo>=1.0", "<2", "Bar", " baz==3 "]
        .map(String::from)
        .to_vec();
    assert_eq!(
        rejoin_specifiers(pieces),
        vec!["foo>=1.0,<2", "Bar", "baz==3"]
    );
}

#[test]
fn version_pins_a_single_bare_name() {
    let pinned = with_version(vec!["foo".into()], Some("1.2")).expect("pins");
    assert_eq!(pinned, vec!["foo==1.2"]);
    assert!(with_version(vec!["foo>1".into()], Some("1.2")).is_err());
    assert!(with_version(vec!["a".into(), "b".into()], Some("1.2")).is_err());
}

#[test]
fn present_is_ok_only_when_every_specifier_is_met() {
    let installed = have("Foo-Bar==1.4\nbaz==2.0\n");
    let satisfied = want(&["foo_bar>=1.0,<2", "BAZ"], PipState::Present);
    assert!(Pip.diff(&satisfied, &installed).expect("diff").is_empty());

    let pin = want(&["foo_bar==1.5", "qux"], PipState::Present);
    let changes = Pip.diff(&pin, &installed).expect("diff");
    assert_eq!(
        changes.what,
        vec!["foo_bar 1.4 -> ==1.5", "qux absent -> present"]
    );
    assert_eq!(changes.diffs[0].before, "foo_bar: 1.4\n");
    assert_eq!(changes.diffs[0].after, "foo_bar: ==1.5\n");
}

#[test]
fn absent_removes_only_what_is_installed() {
    let installed = have("foo==1.0\n");
    let gone = want(&["bar", "foo==2.0"], PipState::Absent);
    assert!(Pip.diff(&gone, &installed).expect("diff").is_empty());
    let remove = want(&["Foo"], PipState::Absent);
    let changes = Pip.diff(&remove, &installed).expect("diff");
    assert_eq!(changes.what, vec!["uninstall Foo 1.0"]);
}

#[test]
fn forcereinstall_always_changes() {
    let installed = have("foo==1.0\n");
    let again = want(&["foo"], PipState::ForceReinstall);
    assert!(!Pip.diff(&again, &installed).expect("diff").is_empty());
}

#[test]
fn a_dry_run_changes_only_what_moves_to_another_version() {
    let mut observed = have("foo==1.0\nbar==2.0\n");
    let package = |name: &str, version: &str| Package {
        name: name.into(),
        version: version.into(),
    };
    observed.forecast = Forecast::Installs(vec![package("bar", "2.0")]);
    let latest = want(&["foo", "bar"], PipState::Latest);
    assert!(Pip.diff(&latest, &observed).expect("diff").is_empty());
    observed.forecast = Forecast::Installs(vec![package("foo", "1.1")]);
    let changes = Pip.diff(&latest, &observed).expect("diff");
    assert_eq!(changes.what, vec!["foo 1.0 -> 1.1"]);
}

#[test]
fn only_pip_decides_latest_requirements_and_urls() {
    assert!(needs_dry_run(&want(&["foo"], PipState::Latest)));
    assert!(needs_dry_run(&want(&["./pkg"], PipState::Present)));
    assert!(!needs_dry_run(&want(&["foo>=1"], PipState::Present)));
    let mut file = want(&[], PipState::Present);
    file.requirements = Some("req.txt".into());
    assert!(needs_dry_run(&file));
}

#[test]
fn a_missing_virtualenv_is_created_first() {
    let mut request = want(&["foo"], PipState::Present);
    request.virtualenv = Some(Virtualenv {
        path: "/opt/venv".into(),
        create: "python3 -m venv /opt/venv".into(),
        program: "python3".into(),
    });
    let fresh = Observed::default();
    let changes = Pip.diff(&request, &fresh).expect("diff");
    assert_eq!(changes.what[0], "create virtualenv /opt/venv");
    request.state = PipState::Absent;
    assert!(Pip.diff(&request, &fresh).expect("diff").is_empty());
}

#[test]
fn virtualenv_command_follows_python_and_site_packages() {
    let venv = virtualenv(
        &Args::of(&[
            ("virtualenv_python", Value::from("python3.11")),
            ("virtualenv_site_packages", Value::from(true)),
        ]),
        "~/env".into(),
    )
    .expect("valid");
    assert_eq!(
        venv.create,
        "python3.11 -m venv --system-site-packages \"$HOME\"/env"
    );
    assert_eq!(venv.program, "python3.11");
    let classic = virtualenv(
        &Args::of(&[
            ("virtualenv_command", Value::from("virtualenv")),
            ("virtualenv_python", Value::from("python3")),
        ]),
        "/opt/v".into(),
    )
    .expect("valid");
    assert_eq!(classic.create, "virtualenv -ppython3 /opt/v");
}

#[test]
fn the_pip_command_is_ansibles() {
    let mut request = want(&["foo==1.0", "bar>=2,<3"], PipState::Latest);
    request.extra_args = vec!["--no-index".into(), "--find-links".into(), "/tmp/w".into()];
    assert_eq!(
        pip_command(&request, Verb::Apply),
        "pip3 install -U --no-index --find-links /tmp/w foo==1.0 'bar>=2,<3'"
    );
    request.state = PipState::Absent;
    request.extra_args.clear();
    assert_eq!(
        pip_command(&request, Verb::Apply),
        "pip3 uninstall -y foo==1.0 'bar>=2,<3'"
    );
}
