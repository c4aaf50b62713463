//! Roles from Ansible collections: `namespace.collection.role` is looked
//! for under `ansible_collections/` in the playbook's own `collections/`
//! folder, then on the collections path (`collections_path`), as Ansible
//! looks for it; inside a collection's role, a short role name means a role
//! of that same collection first.

use std::path::{Path, PathBuf};

/// `name` split as a collection's role (`ns.coll.role`), if it is one.
pub(super) fn split_role_name(name: &str) -> Option<(&str, &str, &str)> {
    let mut parts = name.splitn(3, '.');
    let (namespace, collection, role) = (parts.next()?, parts.next()?, parts.next()?);
    let identifier = |part: &str| {
        !part.is_empty()
            && !part.starts_with(|c: char| c.is_ascii_digit())
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    [namespace, collection, role]
        .into_iter()
        .all(identifier)
        .then_some((namespace, collection, role))
}

/// Where role `role` of collection `namespace.collection` may be.
pub(super) fn role_candidates(
    namespace: &str,
    collection: &str,
    role: &str,
    playbook_dir: &Path,
    collections_path: &[PathBuf],
) -> Vec<PathBuf> {
    std::iter::once(playbook_dir.join("collections"))
        .chain(collections_path.iter().cloned())
        .map(|base| {
            let root = if base.file_name().is_some_and(|n| n == "ansible_collections") {
                base
            } else {
                base.join("ansible_collections")
            };
            root.join(namespace)
                .join(collection)
                .join("roles")
                .join(role)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_three_identifiers_name_a_collections_role() {
        assert_eq!(
            split_role_name("prometheus.prometheus._common"),
            Some(("prometheus", "prometheus", "_common"))
        );
        assert_eq!(split_role_name("geerlingguy.nginx"), None);
        assert_eq!(split_role_name("roles/web"), None);
        assert_eq!(split_role_name("a.b.c.d"), None);
        assert_eq!(split_role_name("a.b.1c"), None);
        assert_eq!(split_role_name("a..c"), None);
    }

    #[test]
    fn the_playbooks_collections_come_first() {
        let found = role_candidates(
            "acme",
            "tools",
            "web",
            Path::new("/play"),
            &[
                PathBuf::from("/usr/share/ansible/collections"),
                PathBuf::from("/x/ansible_collections"),
            ],
        );
        assert_eq!(
            found,
            [
                PathBuf::from("/play/collections/ansible_collections/acme/tools/roles/web"),
                PathBuf::from(
                    "/usr/share/ansible/collections/ansible_collections/acme/tools/roles/web"
                ),
                PathBuf::from("/x/ansible_collections/acme/tools/roles/web"),
            ]
        );
    }
}
