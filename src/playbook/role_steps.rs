//! The steps of roles as tasks and plays name them: `import_role` and
//! `include_role` (their `*_from` files, `public`, `apply`, `rolespec_validate`,
//! `allow_duplicates`), and `roles:` and `dependencies:` entries with their
//! parameters and keywords.

use super::builtin_action::BuiltinAction;
use super::conditions::{boolean, scalar};
use super::keywords;
use super::model::{Block, Step};
use super::role_handlers::RoleSource;
use super::steps::{
    Inherited, include_step, own_keywords, unloadable_include, written_as_key_values,
};
use crate::source::Diagnostic;
use crate::yaml::Node;

/// What `include_role`/`import_role` take as `k=v` text.
static ROLE_ARGUMENTS: crate::modules::ArgSpec = crate::modules::ArgSpec {
    names: &[
        "name",
        "tasks_from",
        "vars_from",
        "defaults_from",
        "handlers_from",
        "apply",
        "public",
        "allow_duplicates",
        "rolespec_validate",
    ],
    free_form: crate::modules::FreeForm::KeyValue,
    ..crate::modules::ArgSpec::EMPTY
};

/// `import_role:`/`include_role:`: `name`, `*_from`, `public`, `apply`.
pub(super) fn load_role_step(
    node: &Node,
    keyword: &str,
    action: BuiltinAction,
    spec: &Node,
    inherited: &Inherited,
) -> Result<Step, Vec<Diagnostic>> {
    let one = |e: Diagnostic| vec![e];
    let spec = &written_as_key_values(node, spec, &ROLE_ARGUMENTS).map_err(one)?;
    let name = spec
        .get("name")
        .ok_or_else(|| one(spec.error(format!("`{keyword}` needs `name:`"))))?;
    let name = scalar(name, "name").map_err(one)?;
    let mut files = super::roles::RoleFiles::default();
    for (argument, file) in [
        ("tasks_from", &mut files.tasks),
        ("vars_from", &mut files.vars),
        ("defaults_from", &mut files.defaults),
        ("handlers_from", &mut files.handlers),
    ] {
        if let Some(named) = spec.get(argument) {
            *file = scalar(named, argument).map_err(one)?;
        }
    }
    let dynamic = action == BuiltinAction::IncludeRole;
    // As in Ansible: an import's variables are the play's unless it says
    // `public: false`; an include's are its own unless `public: true`, and
    // then the play's once it ran.
    let public = match spec.get("public") {
        Some(flag) => boolean(flag, "public").map_err(one)?,
        None => !dynamic,
    };
    if let Some(flag) = spec.get("rolespec_validate") {
        files.validate = boolean(flag, "rolespec_validate").map_err(one)?;
    }
    // Ansible loads both through its IncludeRole: the same role for its cache.
    files.from_include = true;
    files.allow_duplicates = Some(match spec.get("allow_duplicates") {
        Some(flag) => boolean(flag, "allow_duplicates").map_err(one)?,
        None => true,
    });
    const TAKEN: [&str; 9] = [
        "name",
        "tasks_from",
        "vars_from",
        "defaults_from",
        "handlers_from",
        "public",
        "apply",
        "rolespec_validate",
        "allow_duplicates",
    ];
    for (key, _) in spec.as_map().unwrap_or_default() {
        let key = key.key_text();
        if !TAKEN.contains(&key.as_str()) {
            let known = ROLE_ARGUMENTS.names.contains(&key.as_str());
            return Err(one(spec.error(if known {
                format!("`{keyword}` with `{key}` is not supported by runbook yet")
            } else {
                format!("`{key}` is not an argument of `{keyword}`")
            })));
        }
    }
    let own = own_keywords(keyword, dynamic);
    let (loop_, loop_control) = super::task_loader::loop_of(node).map_err(one)?;
    if loop_.is_some() && !dynamic {
        return Err(one(
            node.error(format!("`{keyword}` cannot loop (use include_role)"))
        ));
    }
    let mut inner = inherited.nested(node, &own).map_err(one)?;
    if let Some(apply) = spec.get("apply") {
        if !dynamic {
            return Err(one(apply.error(format!(
                "`apply` is for include_role; `{keyword}` passes its keywords to its tasks itself"
            ))));
        }
        inner = inner.nested(apply, &[]).map_err(one)?;
    }
    let display = node
        .get("name")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| format!("{keyword} : {name}"));
    let loaded = match super::roles::load_role(&name, &files, spec, &inner) {
        Ok(loaded) => loaded,
        Err(errors) if dynamic && node.get("when").is_some() => {
            let what = format!("the role {name}");
            return unloadable_include(node, keyword, display, &what, errors, inherited);
        }
        Err(errors) => return Err(errors),
    };
    let source = if dynamic {
        RoleSource::IncludeRole
    } else {
        RoleSource::ImportRole
    };
    inherited.add_role_handlers(source, loaded.handlers);
    if public && !dynamic {
        inherited.publish_roles(&loaded.roles);
    }
    if dynamic {
        let mut step = include_step(
            node,
            keyword,
            display,
            name.clone(),
            loaded.steps,
            inherited,
        )?;
        if let Step::Include(include) = &mut step {
            include.loop_ = loop_;
            include.loop_control = loop_control;
            if public {
                include.publishes = loaded.roles;
            }
        }
        return Ok(step);
    }
    Ok(Step::Block(Block {
        name: None,
        span: node.span.clone(),
        block: loaded.steps,
        rescue: Vec::new(),
        always: Vec::new(),
    }))
}

/// A `roles:` or `dependencies:` entry (a name, or a mapping with `role:`
/// and keywords): the role's name, what its tasks inherit (the entry's
/// keywords, its parameters as variables) and how it is called.
pub(super) fn role_entry(
    entry: &Node,
    inherited: &Inherited,
    section: &str,
) -> Result<(String, Inherited, super::roles::RoleFiles), Vec<Diagnostic>> {
    let one = |e: Diagnostic| vec![e];
    let mut files = super::roles::RoleFiles::default();
    let Some(entries) = entry.as_map() else {
        return Ok((
            scalar(entry, section).map_err(one)?,
            inherited.clone(),
            files,
        ));
    };
    let name = entry
        .get("role")
        .or_else(|| entry.get("name"))
        .ok_or_else(|| one(entry.error(format!("a `{section}:` entry needs `role:`"))))?;
    // Keys that are not keywords are the role's parameters (its
    // variables); a role takes no `notify`, so that one is a parameter
    // too, as in Ansible.
    let params: Vec<&str> = entries
        .iter()
        .filter_map(|(k, _)| k.as_str())
        .filter(|k| {
            (!keywords::BLOCK.contains(k) || *k == "notify")
                && !keywords::TASK_NOT_YET.contains(k)
                && *k != "role"
        })
        .collect();
    let mut own = params.clone();
    own.push("role");
    let mut inner = inherited.nested(entry, &own).map_err(one)?;
    for (key, value) in entries
        .iter()
        .filter(|(k, _)| k.as_str().is_some_and(|k| params.contains(&k)))
    {
        inner.vars.insert(key.key_text(), value.to_value());
        files.params.insert(key.key_text(), value.to_value());
    }
    Ok((scalar(name, "role").map_err(one)?, inner, files))
}

/// A `roles:` entry: its steps, its name and the names of its dependencies.
pub(super) fn load_play_role(
    entry: &Node,
    inherited: &Inherited,
) -> Result<(Vec<Step>, String, Vec<String>), Vec<Diagnostic>> {
    let (name, inner, files) = role_entry(entry, inherited, "roles")?;
    let loaded = super::roles::load_role(&name, &files, entry, &inner)?;
    inherited.add_role_handlers(RoleSource::RolesSection, loaded.handlers);
    inherited.publish_roles(&loaded.roles);
    Ok((
        loaded.steps,
        super::roles::short_name(&name).to_string(),
        loaded.dependencies,
    ))
}
