//! Roles: `roles/NAME/` beside the playbook or on the roles path, with
//! `tasks/`, `handlers/`, `defaults/`, `vars/`, `templates/`, `files/` and
//! `meta/main.yml` dependencies — loaded statically, as `import_role` does.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::model::{Handler, Meta, MetaAction, RoleKey, Step};
use super::steps::{Inherited, load_steps};
use super::task_loader::TaskRole;
use crate::source::Diagnostic;
use crate::value::{Value, VarMap, to_var_map};
use crate::yaml::{self, Node};

/// A role's own variables and where it lives.
#[derive(Debug)]
pub struct Role {
    /// This use of the role, for `meta: end_role`.
    pub id: super::model::RoleId,
    pub name: String,
    pub dir: PathBuf,
    /// `defaults/main.yml`: the lowest precedence of all.
    pub defaults: Arc<VarMap>,
    /// `vars/main.yml`: above play vars.
    pub vars: Arc<VarMap>,
    /// `role_name`, `role_path` and `ansible_role_name` for its tasks.
    pub magic: Arc<VarMap>,
    /// Which uses of the role are the same one (see [`RoleKey`]).
    pub key: RoleKey,
    /// `allow_duplicates`: the role runs again where it already ran.
    pub allow_duplicates: bool,
    /// The collection (`ns.coll`) the role came from, if any.
    pub collection: Option<String>,
}

/// A role named by its path is known by its folder's name, as in Ansible.
pub(super) fn short_name(name: &str) -> &str {
    Path::new(name)
        .file_name()
        .and_then(|short| short.to_str())
        .unwrap_or(name)
}

impl Role {
    /// The name Ansible knows the role by (`role : task` in banners).
    pub fn short_name(&self) -> &str {
        short_name(&self.name)
    }
}

/// The magic variables Ansible sets for a role's tasks (a collection's
/// role is `role_name` without its collection).
fn role_magic(name: &str, dir: &Path, in_collection: bool) -> VarMap {
    let path = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let role_name = match super::collections::split_role_name(name) {
        Some((_, _, role)) if in_collection => role,
        _ => short_name(name),
    };
    [
        ("role_name", Value::from(role_name)),
        ("ansible_role_name", Value::from(name)),
        ("role_path", Value::from(path.display().to_string())),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_string(), value))
    .collect()
}

/// A role ready to run: its tasks and its handlers.
pub(super) struct LoadedRole {
    pub steps: Vec<Step>,
    pub handlers: Vec<Handler>,
    /// The names of the roles it depends on, however deep, in load order.
    pub dependencies: Vec<String>,
    /// The roles loaded, dependencies first, the role itself last.
    pub roles: Vec<Arc<Role>>,
}

/// A role found, and the name Ansible knows it by.
pub(super) struct FoundRole {
    pub dir: PathBuf,
    /// As written, or `ns.coll.role` for a collection's role named short.
    pub name: String,
    pub collection: Option<String>,
}

/// Where to look for role `name`: a collection's role (`ns.coll.role`, or a
/// short name inside a role of `own_collection`), then `roles/` beside the
/// playbook and each roles path entry.
pub(super) fn find_role(name: &str, inherited: &Inherited) -> Result<FoundRole, String> {
    use super::collections::{role_candidates, split_role_name};
    let playbook_dir = inherited.playbook_dir();
    let mut candidates = Vec::new();
    let in_collection = match split_role_name(name) {
        Some((namespace, collection, role)) => Some((namespace, collection, role)),
        None if !name.contains(['.', '/']) => inherited
            .collection()
            .and_then(|own| own.split_once('.'))
            .map(|(namespace, collection)| (namespace, collection, name)),
        None => None,
    };
    if let Some((namespace, collection, role)) = in_collection {
        candidates.extend(role_candidates(
            namespace,
            collection,
            role,
            playbook_dir,
            inherited.collections_path(),
        ));
        if let Some(dir) = candidates.iter().find(|c| c.is_dir()) {
            return Ok(FoundRole {
                dir: dir.clone(),
                name: format!("{namespace}.{collection}.{role}"),
                collection: Some(format!("{namespace}.{collection}")),
            });
        }
    }
    let first_plain = candidates.len();
    let direct = Path::new(name);
    if direct.is_absolute() || name.contains('/') {
        candidates.push(playbook_dir.join(direct));
    }
    candidates.push(playbook_dir.join("roles").join(name));
    candidates.extend(inherited.roles_path().iter().map(|dir| dir.join(name)));
    candidates.push(playbook_dir.join(name));
    if let Some(dir) = candidates[first_plain..].iter().find(|c| c.is_dir()) {
        return Ok(FoundRole {
            dir: dir.clone(),
            name: name.to_string(),
            collection: None,
        });
    }
    let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
    Err(format!(
        "the role `{name}` was not found (looked in {})",
        looked.join(", ")
    ))
}

/// `dir/main.yml`, `dir/main.yaml` or `dir/main`, or the named file for `tasks_from`.
pub(super) fn main_file(dir: &Path, file: &str) -> Option<PathBuf> {
    [
        format!("{file}.yml"),
        format!("{file}.yaml"),
        file.to_string(),
    ]
    .into_iter()
    .map(|name| dir.join(name))
    .find(|path| path.is_file())
}

/// How a role is called: which file of each role folder to read (`main`,
/// or what `tasks_from`, `vars_from`, `defaults_from` and `handlers_from`
/// name), its parameters, and whether its argument spec is checked
/// (`rolespec_validate`).
pub(super) struct RoleFiles {
    pub tasks: String,
    pub vars: String,
    pub defaults: String,
    pub handlers: String,
    pub params: VarMap,
    pub validate: bool,
    /// `allow_duplicates` of `import_role`/`include_role` (true unless they
    /// say otherwise, as in Ansible); `None` for `roles:` and dependencies,
    /// which take the role's `meta/main.yml`.
    pub allow_duplicates: Option<bool>,
    /// Loaded by `import_role`/`include_role`: never the same role as a
    /// `roles:` entry or a dependency.
    pub from_include: bool,
}

impl Default for RoleFiles {
    fn default() -> Self {
        let main = || "main".to_string();
        Self {
            tasks: main(),
            vars: main(),
            defaults: main(),
            handlers: main(),
            params: VarMap::new(),
            validate: true,
            allow_duplicates: None,
            from_include: false,
        }
    }
}

/// The role's file `file` of `folder` (`tasks`, `vars`...): none for a
/// missing `main`, an error for a missing file named by `*_from`.
fn role_file(
    role: &str,
    dir: &Path,
    folder: &str,
    file: &str,
    at: &Node,
) -> Result<Option<PathBuf>, Diagnostic> {
    let file = file.trim_end_matches(".yml").trim_end_matches(".yaml");
    match main_file(&dir.join(folder), file) {
        Some(path) => Ok(Some(path)),
        None if file == "main" => Ok(None),
        None => Err(at.error(format!("the role `{role}` has no {folder}/{file}.yml"))),
    }
}

fn vars_file(path: Option<PathBuf>) -> Result<VarMap, Diagnostic> {
    let Some(path) = path else {
        return Ok(VarMap::new());
    };
    let node = yaml::parse_file(&path)?;
    if node.is_null() {
        return Ok(VarMap::new());
    }
    node.expect_map("a role variables file")?;
    Ok(to_var_map(&node.to_value()))
}

/// Load role `name` (and, before it, its `meta/main.yml` dependencies).
/// `at` is where the role was named, for errors.
pub(super) fn load_role(
    name: &str,
    files: &RoleFiles,
    at: &Node,
    inherited: &Inherited,
) -> Result<LoadedRole, Vec<Diagnostic>> {
    if inherited.depth() > 16 {
        return Err(vec![at.error(format!(
            "roles and imports nest more than 16 deep at `{name}` (a cycle?)"
        ))]);
    }
    let found = find_role(name, inherited).map_err(|e| vec![at.error(e)])?;
    let (dir, name) = (found.dir, found.name.as_str());
    let one = |e: Diagnostic| vec![e];
    static USES: AtomicU64 = AtomicU64::new(1);
    let role = Arc::new(Role {
        id: USES.fetch_add(1, Ordering::Relaxed),
        name: name.to_string(),
        defaults: Arc::new(
            vars_file(role_file(name, &dir, "defaults", &files.defaults, at).map_err(one)?)
                .map_err(one)?,
        ),
        vars: Arc::new(
            vars_file(role_file(name, &dir, "vars", &files.vars, at).map_err(one)?).map_err(one)?,
        ),
        magic: Arc::new(role_magic(name, &dir, found.collection.is_some())),
        key: role_key(&dir, files, at),
        allow_duplicates: match files.allow_duplicates {
            Some(allowed) => allowed,
            None => meta_allows_duplicates(&dir).map_err(one)?,
        },
        dir: dir.clone(),
        collection: found.collection.clone(),
    });
    let mut loaded = LoadedRole {
        steps: Vec::new(),
        handlers: Vec::new(),
        dependencies: Vec::new(),
        roles: Vec::new(),
    };
    for dependency in dependencies(&dir).map_err(one)? {
        let (dependency_name, dependency_inherits, dependency_files) =
            super::role_steps::role_entry(
                &dependency,
                &inherited.deeper().in_collection(role.collection.clone()),
                "dependencies",
            )?;
        let mut nested = load_role(
            &dependency_name,
            &dependency_files,
            &dependency,
            &dependency_inherits,
        )?;
        loaded.steps.append(&mut nested.steps);
        loaded.handlers.append(&mut nested.handlers);
        loaded.dependencies.append(&mut nested.dependencies);
        let known_as = match nested.roles.last() {
            Some(found) if found.collection.is_some() => found.name.clone(),
            _ => short_name(&dependency_name).to_string(),
        };
        loaded.dependencies.push(known_as);
        loaded.roles.append(&mut nested.roles);
    }
    loaded.roles.push(role.clone());
    let inner = inherited.for_role(role.clone(), dir.join("tasks"));
    if let Some(task) =
        super::role_argument_specs::validation_task(name, &dir, files).map_err(one)?
    {
        let span = task.span.clone();
        let list = Node {
            kind: crate::yaml::NodeKind::Seq(vec![task]),
            span,
        };
        loaded
            .steps
            .extend(load_steps(&list, TaskRole::Task, &inner)?);
    }
    if let Some(path) = role_file(name, &dir, "tasks", &files.tasks, at).map_err(one)? {
        let node = yaml::parse_file(&path).map_err(one)?;
        loaded
            .steps
            .extend(load_steps(&node, TaskRole::Task, &inner)?);
    }
    loaded.steps.push(Step::Meta(Meta {
        name: "role_complete".into(),
        action: MetaAction::RoleComplete(role.id, role.key),
        span: at.span.clone(),
        when: Vec::new(),
        tags: Vec::new(),
    }));
    if let Some(path) = role_file(name, &dir, "handlers", &files.handlers, at).map_err(one)? {
        let node = yaml::parse_file(&path).map_err(one)?;
        let steps = load_steps(
            &node,
            TaskRole::Handler,
            &inherited.for_role(role, dir.join("handlers")),
        )?;
        super::loader::flatten_handlers(steps, &mut loaded.handlers)?;
    }
    Ok(loaded)
}

/// What makes two uses of a role the same role for Ansible (its role
/// cache): the folder, the parameters, the files read, the entry's `when`,
/// `tags` and `vars`, and whether `import_role`/`include_role` loaded it.
fn role_key(dir: &Path, files: &RoleFiles, at: &Node) -> RoleKey {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    dir.canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .hash(&mut hasher);
    format!("{:?}", files.params).hash(&mut hasher);
    [&files.tasks, &files.vars, &files.defaults, &files.handlers].hash(&mut hasher);
    for keyword in ["when", "tags", "vars"] {
        format!("{:?}", at.get(keyword).map(Node::to_value)).hash(&mut hasher);
    }
    files.from_include.hash(&mut hasher);
    hasher.finish()
}

/// `allow_duplicates` in the role's `meta/main.yml` (false when absent).
fn meta_allows_duplicates(dir: &Path) -> Result<bool, Diagnostic> {
    let Some(path) = main_file(&dir.join("meta"), "main") else {
        return Ok(false);
    };
    let node = yaml::parse_file(&path)?;
    match node.get("allow_duplicates") {
        None => Ok(false),
        Some(flag) => match &flag.kind {
            crate::yaml::NodeKind::Bool(allowed) => Ok(*allowed),
            crate::yaml::NodeKind::Null => Ok(false),
            _ => flag
                .scalar_text()
                .and_then(|text| crate::value::parse_bool(&text))
                .ok_or_else(|| flag.error("`allow_duplicates` must be true or false")),
        },
    }
}

fn dependencies(dir: &Path) -> Result<Vec<Node>, Diagnostic> {
    let Some(path) = main_file(&dir.join("meta"), "main") else {
        return Ok(Vec::new());
    };
    let node = yaml::parse_file(&path)?;
    match node.get("dependencies") {
        Some(list) if !list.is_null() => Ok(list.expect_seq("`dependencies`")?.to_vec()),
        _ => Ok(Vec::new()),
    }
}
