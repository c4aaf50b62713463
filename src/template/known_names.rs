//! The names of every filter and test the environment has, for "did you
//! mean …?" under an unknown one. minijinja keeps them private and lists
//! them only in its `Debug` output, so they are read from there; a unit
//! test below fails if that output ever stops listing them.

use minijinja::Environment;

use super::Unknown;

/// The filters' names (for an unknown filter) or the tests' names.
pub(super) fn of(env: &Environment<'static>, unknown: &Unknown) -> Vec<String> {
    let field = match unknown {
        Unknown::Filter(_) => "filters: [",
        Unknown::Test(_) => "tests: [",
    };
    let shown = format!("{env:?}");
    let Some(start) = shown.find(field).map(|at| at + field.len()) else {
        return Vec::new();
    };
    let Some(len) = shown[start..].find(']') else {
        return Vec::new();
    };
    shown[start..start + len]
        .split(',')
        .map(|name| name.trim().trim_matches('"').to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ansible_filters_and_tests() {
        let env = super::super::environment::ansible_environment();
        let filters = of(&env, &Unknown::Filter(String::new()));
        for name in ["to_json", "default", "regex_replace", "combine", "upper"] {
            assert!(filters.iter().any(|f| f == name), "{name} in {filters:?}");
        }
        let tests = of(&env, &Unknown::Test(String::new()));
        for name in ["defined", "even", "version", "match"] {
            assert!(tests.iter().any(|t| t == name), "{name} in {tests:?}");
        }
        assert!(
            !filters.iter().any(|f| f == "even"),
            "tests are not filters"
        );
    }
}
