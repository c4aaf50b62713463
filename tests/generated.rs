//! `runbook completions` and `runbook man`, generated from the flags.

use crate::support::Project;

#[test]
fn bash_completion_loads_and_completes_subcommands_and_flags() {
    let project = Project::new();
    let script = project.run(&["completions", "bash"]);
    script.assert_code(0);
    project.file("runbook.bash", &script.stdout);
    // Complete `runbook pl` (play, plan) and `runbook play --for` as bash would.
    let probe = "source ./runbook.bash
complete_words() { COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _runbook runbook \"${COMP_WORDS[-1]}\" \"${COMP_WORDS[-2]}\"; printf '%s\\n' \"${COMPREPLY[@]}\"; }
complete_words runbook pl
complete_words runbook play --fork
";
    let output = std::process::Command::new("bash")
        .args(["-c", probe])
        .current_dir(project.path())
        .output()
        .expect("bash");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "play\nplan\n--forks\n"
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = project.run(&["completions", shell]);
        script.assert_code(0);
        assert!(script.stdout.contains("runbook"), "{shell}");
    }
}

#[test]
fn the_manual_page_is_roff_naming_every_command() {
    let page = Project::new().run(&["man"]);
    page.assert_code(0);
    assert!(
        page.stdout.starts_with(".ie \\n(.g .ds Aq \\(aq\n"),
        "{}",
        &page.stdout[..200.min(page.stdout.len())]
    );
    assert!(page.stdout.contains(".TH runbook 1"), "{}", page.stdout);
    for command in [
        "play",
        "run",
        "inventory",
        "check",
        "lab",
        "config",
        "completions",
        "man",
    ] {
        assert!(
            page.stdout.contains(&format!("runbook\\-{command}(1)")),
            "{command}\n{}",
            page.stdout
        );
    }
}

#[test]
fn module_docs_are_the_pages_in_docs_modules() {
    let project = Project::new();
    let page = project.run(&["doc", "ansible.builtin.copy"]);
    page.assert_code(0);
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/modules/copy.md"))
            .expect("page");
    assert_eq!(page.stdout, source);
    let service = project.run(&["doc", "service"]);
    assert!(service.stdout.starts_with("# systemd"), "{}", service.all());
    let list = project.run(&["doc", "--list"]);
    list.assert_code(0);
    assert!(
        list.stdout.lines().any(|line| line == "lineinfile"),
        "{}",
        list.stdout
    );
    let typo = project.run(&["doc", "lineinfle"]);
    typo.assert_code(5);
    assert_eq!(
        typo.stderr,
        "ERROR! runbook has no module named `lineinfle`\n  = help: did you mean `lineinfile`?\n"
    );
}
