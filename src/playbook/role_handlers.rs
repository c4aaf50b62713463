//! The handlers roles bring to a play, in the order Ansible runs them:
//! those of `roles:` first, then (after the play's own `handlers:`) those
//! of `import_role`, then those of `include_role`, each in load order.
//! Copies of a role's handlers (a role used twice) are all kept: a
//! notification runs the last one loaded under its name, as in Ansible.

use super::model::Handler;

/// Where a role was named.
#[derive(Debug, Clone, Copy)]
pub(super) enum RoleSource {
    RolesSection,
    ImportRole,
    IncludeRole,
}

#[derive(Default)]
pub(super) struct RoleHandlers {
    roles_section: Vec<Handler>,
    imported: Vec<Handler>,
    included: Vec<Handler>,
}

impl RoleHandlers {
    pub(super) fn add(&mut self, source: RoleSource, handlers: Vec<Handler>) {
        let group = match source {
            RoleSource::RolesSection => &mut self.roles_section,
            RoleSource::ImportRole => &mut self.imported,
            RoleSource::IncludeRole => &mut self.included,
        };
        group.extend(handlers);
    }

    /// The play's handlers: these around the play's own.
    pub(super) fn around(self, play_handlers: Vec<Handler>) -> Vec<Handler> {
        let mut all = self.roles_section;
        all.extend(play_handlers);
        all.extend(self.imported);
        all.extend(self.included);
        all
    }
}
