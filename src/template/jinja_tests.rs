//! Ansible's Jinja tests (`x is version('2.0', '>=')`, `result is failed`...).

use minijinja::Environment;

/// Register every test runbook adds or overrides.
pub fn register(env: &mut Environment<'static>) {
    let _ = env;
}
