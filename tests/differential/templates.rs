//! Templates as Ansible renders them, against ansible-playbook.

use super::twin_outputs;
use crate::support::result_blocks;

#[test]
fn undefined_values_chain_as_in_ansible() {
    let (_, _, runbook, ansible) = twin_outputs("undefined-chains.yml", 1, &[], |_| {});
    let ok_results = |output: &crate::support::Output| {
        result_blocks(output)
            .into_iter()
            .filter(|block| !block.starts_with("fatal:"))
            .collect::<Vec<_>>()
    };
    let both = format!(
        "--- runbook\n{}\n--- ansible\n{}",
        runbook.all(),
        ansible.all()
    );
    // Ansible's wording of a failed template is its own; the failures are
    // compared by the recap (two ignored) and the blocks that succeeded.
    assert_eq!(ok_results(&runbook), ok_results(&ansible), "{both}");
    assert_eq!(ok_results(&runbook).len(), 4, "{both}");
    for output in [&runbook, &ansible] {
        let failed_naming_it = output
            .stdout
            .lines()
            .filter(|line| line.starts_with("fatal:") && line.contains("'nothing' is undefined"))
            .count();
        assert_eq!(failed_naming_it, 2, "{both}");
    }
}
