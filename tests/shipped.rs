//! Every playbook we ship loads; each procedure's end-to-end lab tests are in
//! its own file (procedures_kwdb.rs...).

use crate::support::Project;

#[test]
fn every_shipped_playbook_passes_the_syntax_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).expect("playbooks/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yml") {
            let output =
                Project::new().run(&["play", path.to_str().expect("utf8"), "--syntax-check"]);
            output.assert_code(0);
            checked += 1;
        }
    }
    assert!(checked > 0, "no playbooks found in {}", root.display());
}
