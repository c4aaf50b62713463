//! The live view on a real terminal (tmux keeps one, and says what it
//! shows): the host still running is named with what it runs, Ctrl-C lists
//! it, and the recap and failure summary follow with exit code 99; the
//! banners span the terminal's width, as Ansible's.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::Lab;

/// `runbook ARGS` in a tmux pane of its own server, 100 columns by 30 rows.
struct Terminal {
    socket: String,
}

impl Terminal {
    fn run(lab: &Lab, args: &[&str]) -> Self {
        let socket = format!("runbook-live-{}", lab.name);
        let mut words = vec![env!("CARGO_BIN_EXE_runbook")];
        words.extend_from_slice(args);
        // The pane stays after runbook ends, with its exit code under it.
        let script = format!("{}; echo \"exit=$?\"; sleep 600", shell_words::join(words));
        let started = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "100", "-y", "30", "-c"])
            .arg(lab.project.path())
            .args(["-e", "NO_COLOR=1", "-e"])
            .arg(format!(
                "XDG_STATE_HOME={}",
                lab.project.join(".state").display()
            ))
            .arg(script)
            .status()
            .expect("tmux (scripts/setup installs it)");
        assert!(started.success(), "tmux did not start");
        Self { socket }
    }

    /// The pane with its scrollback, trailing blanks trimmed.
    fn screen(&self) -> String {
        let capture = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-S", "-200"])
            .output()
            .expect("tmux capture-pane");
        let text = String::from_utf8_lossy(&capture.stdout).into_owned();
        text.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim_end()
            .to_string()
    }

    /// The screen once `wanted` holds for it.
    fn wait_for(&self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if wanted(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "never saw {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn press_ctrl_c(&self) {
        let sent = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "C-c"])
            .status()
            .expect("tmux send-keys");
        assert!(sent.success());
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// Elapsed times and spinner frames change from one look to the next.
fn steady(screen: &str) -> String {
    let elapsed = regex::Regex::new(r"\d+s\b|\(\d+ s\)").expect("regex");
    let spinner = regex::Regex::new(r"(?m)^[⠁⠂⠄⡀⢀⠠⠐⠈⠉⠒⠤⣀⠃⠆⠖⠦⠴⠲⠳⠓⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] ").expect("regex");
    let screen = elapsed.replace_all(screen, "N s");
    spinner.replace_all(&screen, "* ").into_owned()
}

/// The steady lines from the last one starting with `from` to the end.
fn from_last(screen: &str, from: &str) -> String {
    let screen = steady(screen);
    match screen.rfind(&format!("\n{from}")) {
        Some(at) => screen[at + 1..].to_string(),
        None => screen,
    }
}

#[test]
fn the_live_view_names_the_hung_host_and_ctrl_c_ends_with_recap_and_failures() {
    let lab = Lab::up(3);
    lab.project.file(
        "site.yml",
        r#"
- hosts: all
  gather_facts: false
  tasks:
    - name: Drain the queue
      shell: "sleep {{ 600 if inventory_hostname == 'node2' else 0 }}"
    - name: Never reached
      command: touch /opt/reached
"#,
    );
    let terminal = Terminal::run(&lab, &["play", "site.yml", "-i", "inventories/lab"]);
    let live = terminal.wait_for("node2's line", |screen| {
        screen.contains("s node2  shell: sleep 600")
    });
    assert_eq!(
        from_last(&live, "* TASK [Drain the queue]"),
        "* TASK [Drain the queue] 2/3  ok=0 changed=2 failed=0\n     N s node2  shell: sleep 600",
        "{live}"
    );

    terminal.press_ctrl_c();
    terminal.wait_for("the warning", |screen| screen.contains("Still running:"));
    terminal.press_ctrl_c();
    let end = terminal.wait_for("the end of the run", |screen| screen.contains("exit="));
    assert_eq!(
        from_last(&end, "[WARNING]: Interrupted: "),
        "\
[WARNING]: Interrupted: no new task will start; running tasks have 30 s to finish (interrupt again t
o stop them now). Still running:
  node2 N s: TASK [Drain the queue] shell: sleep 600
^C[WARNING]: Interrupted again: stopping the commands on the hosts
fatal: [node2]: UNREACHABLE! => {\"changed\": false, \"msg\": \"connection lost: interrupted: the command
 was stopped on the host\", \"unreachable\": true}

PLAY RECAP *****************************************************************************************
node1                      : ok=1    changed=1    unreachable=0    failed=0    skipped=0    rescued=
0    ignored=0
node2                      : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=
0    ignored=0
node3                      : ok=1    changed=1    unreachable=0    failed=0    skipped=0    rescued=
0    ignored=0

FAILURES *******************************************************************************************
node2: unreachable at TASK [Drain the queue] (site.yml:5:7)
    ran: shell: sleep 600
    msg: connection lost: interrupted: the command was stopped on the host

ERROR! User interrupted execution
exit=99",
        "{end}"
    );
    for host in ["node1", "node2", "node3"] {
        assert!(
            !lab.host_root(host).join("opt/reached").exists(),
            "{host} started a task after Ctrl-C"
        );
    }
}
