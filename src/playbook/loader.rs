//! Playbook file → [`Playbook`]. Every problem found is reported with its
//! position, all at once, before anything runs.

use std::path::{Path, PathBuf};

use super::become_keywords::BecomeKeywords;
use super::builtin_action::{BuiltinAction, is};
use super::conditions::{boolean, scalar, string_list, var_map};
use super::connection_keywords::ConnectionKeywords;
use super::keywords;
use super::model::{Handler, Play, Playbook, Step, Strategy, VarPrompt};
use super::play_keywords::PlayKeywords;
use super::role_steps::load_play_role;
use super::steps::{Inherited, load_steps};
use super::task_loader::TaskRole;
use crate::source::Diagnostic;
use crate::yaml::{self, Node, NodeKind};

/// How playbooks are read: where roles are found besides `roles/` beside
/// the playbook, and what a play is when its keywords say nothing
/// (ansible.cfg's `strategy`, `any_errors_fatal`, `gathering`).
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub roles_path: Vec<PathBuf>,
    /// `collections_path`: where `ns.coll.role` roles are looked for.
    pub collections_path: Vec<PathBuf>,
    pub strategy: Strategy,
    pub any_errors_fatal: bool,
    /// `gathering = explicit`: facts only where a play says `gather_facts: true`.
    pub gather_facts: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            roles_path: Vec::new(),
            collections_path: Vec::new(),
            strategy: Strategy::Linear,
            any_errors_fatal: false,
            gather_facts: true,
        }
    }
}

/// Read and check a playbook. On failure, every error found is returned.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Playbook, Vec<Diagnostic>> {
    let dir = playbook_dir(path);
    let plays = load_plays(path, &dir, options, 0)?;
    Ok(Playbook {
        path: path.to_path_buf(),
        dir,
        plays,
    })
}

/// The plays of `path`, with `import_playbook` entries replaced by theirs.
fn load_plays(
    path: &Path,
    dir: &Path,
    options: &LoadOptions,
    depth: usize,
) -> Result<Vec<Play>, Vec<Diagnostic>> {
    let root = yaml::parse_file(path).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let plays = match &root.kind {
        NodeKind::Seq(items) => items
            .iter()
            .filter_map(|item| collect(load_entry(item, path, dir, options, depth), &mut errors))
            .flatten()
            .collect(),
        NodeKind::Null => {
            errors.push(root.error("the playbook is empty: it must be a list of plays"));
            Vec::new()
        }
        _ => {
            errors.push(root.error(format!(
                "a playbook must be a list of plays, found a {}",
                root.type_name()
            )));
            Vec::new()
        }
    };
    if errors.is_empty() {
        Ok(plays)
    } else {
        Err(errors)
    }
}

/// A play, or the plays an `import_playbook:` brings (relative to the importing file).
fn load_entry(
    node: &Node,
    path: &Path,
    dir: &Path,
    options: &LoadOptions,
    depth: usize,
) -> Result<Vec<Play>, Vec<Diagnostic>> {
    let import = super::builtin_action::BuiltinAction::find_in(node)
        .filter(|(action, _, _)| *action == super::builtin_action::BuiltinAction::ImportPlaybook);
    let Some((_, import_key, import)) = import else {
        return load_play(node, dir, options).map(|play| vec![play]);
    };
    let written = import_key.key_text();
    let one = |e: Diagnostic| vec![e];
    let file = scalar(import, "import_playbook").map_err(one)?;
    if depth > 16 {
        return Err(one(
            import.error("import_playbook nests more than 16 deep (a cycle?)")
        ));
    }
    let mut tags = Vec::new();
    let mut vars = crate::value::VarMap::new();
    for (key, value) in node.as_map().into_iter().flatten() {
        match key.key_text().as_str() {
            "name" => {}
            "tags" => tags = string_list(value, "tags", true).map_err(one)?,
            "vars" => vars = var_map(value, "vars").map_err(one)?,
            other if other == written => {}
            other => {
                return Err(one(key.error(format!(
                    "`{other}` on import_playbook is not supported by runbook yet"
                ))));
            }
        }
    }
    let base = path.parent().unwrap_or(dir);
    let target = base.join(&file);
    if !target.is_file() {
        return Err(one(
            import.error(format!("the playbook {} was not found", target.display()))
        ));
    }
    let mut plays = load_plays(&target, dir, options, depth + 1)?;
    // As Ansible: the import's vars override each play's, its tags join theirs.
    for play in &mut plays {
        crate::value::overlay(&mut play.vars, &vars);
        for tag in &tags {
            if !play.tags.contains(tag) {
                play.tags.push(tag.clone());
            }
        }
        for step in play
            .pre_tasks
            .iter_mut()
            .chain(&mut play.tasks)
            .chain(&mut play.post_tasks)
        {
            step.add_tags(&tags);
        }
    }
    Ok(plays)
}

fn playbook_dir(path: &Path) -> PathBuf {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

fn collect<T>(result: Result<T, Vec<Diagnostic>>, errors: &mut Vec<Diagnostic>) -> Option<T> {
    result.map_err(|mut e| errors.append(&mut e)).ok()
}

fn load_play(node: &Node, dir: &Path, options: &LoadOptions) -> Result<Play, Vec<Diagnostic>> {
    let entries = node.expect_map("a play").map_err(|e| vec![e])?;
    let mut play = Play::new(String::new(), node.span.clone());
    play.keywords.strategy = options.strategy;
    play.keywords.any_errors_fatal = options.any_errors_fatal;
    play.keywords.gather_facts = options.gather_facts;
    let root = Inherited::root(dir, &options.roles_path, &options.collections_path)
        .with_play_keywords(node)
        .map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut role_steps = Vec::new();
    for (key, value) in entries {
        let result = match key.as_str() {
            Some("roles") => {
                load_roles(value, &root, &mut play).map(|mut steps| role_steps.append(&mut steps))
            }
            _ => apply_play_keyword(&mut play, key, value, &root),
        };
        if let Err(mut e) = result {
            errors.append(&mut e);
        }
    }
    role_steps.append(&mut play.tasks);
    play.tasks = role_steps;
    play.handlers = root
        .take_role_handlers()
        .around(std::mem::take(&mut play.handlers));
    play.public_roles = root.take_public_roles();
    play.unreadable_includes = root.take_unreadable_includes();
    play.module_defaults = root.module_defaults().clone();
    let play_tags = play.tags.clone();
    for step in play
        .pre_tasks
        .iter_mut()
        .chain(&mut play.tasks)
        .chain(&mut play.post_tasks)
    {
        step.add_tags(&play_tags);
    }
    if node.get("hosts").is_none() {
        errors.push(node.error("this play has no `hosts:` (which hosts should it run on?)"));
    }
    if errors.is_empty() {
        Ok(play)
    } else {
        Err(errors)
    }
}

fn load_roles(
    node: &Node,
    root: &Inherited,
    play: &mut Play,
) -> Result<Vec<Step>, Vec<Diagnostic>> {
    let mut steps = Vec::new();
    for entry in node.expect_seq("`roles`").map_err(|e| vec![e])? {
        let (role_steps, name, dependencies) = load_play_role(entry, root)?;
        steps.extend(role_steps);
        play.role_names.push(name);
        play.dependency_role_names.extend(dependencies);
    }
    Ok(steps)
}

fn apply_play_keyword(
    play: &mut Play,
    key: &Node,
    value: &Node,
    root: &Inherited,
) -> Result<(), Vec<Diagnostic>> {
    let name = key
        .as_str()
        .ok_or_else(|| vec![key.error("play keys must be strings")])?;
    let one = |e: Diagnostic| vec![e];
    match name {
        "name" => play.name = Some(scalar(value, name).map_err(one)?),
        "hosts" => play.hosts = string_list(value, name, false).map_err(one)?.join(","),
        "vars" => play.vars = var_map(value, name).map_err(one)?,
        "vars_files" => play.vars_files = vars_files(value).map_err(one)?,
        "environment" => {
            play.environment = Some(super::conditions::environment(value).map_err(one)?)
        }
        "tags" => play.tags = string_list(value, name, true).map_err(one)?,
        _ if PlayKeywords::NAMES.contains(&name) => play
            .keywords
            .load(name, value, &mut play.keyword_templates)
            .map_err(one)?,
        "pre_tasks" => play.pre_tasks = load_steps(value, TaskRole::Task, root)?,
        "tasks" => play.tasks = load_steps(value, TaskRole::Task, root)?,
        "post_tasks" => play.post_tasks = load_steps(value, TaskRole::Task, root)?,
        "handlers" => play.handlers.extend(handlers(value, root)?),
        // Passed on to the implicit `setup` task.
        "gather_subset" => {
            play.gather_subset = Some(string_list(value, name, false).map_err(one)?);
        }
        "fact_path" => play.fact_path = Some(scalar(value, name).map_err(one)?),
        // Facts are gathered in one round trip, bounded by the task timeout.
        "gather_timeout" => {}
        // Module names resolve to what runbook implements whatever the search list says.
        "collections" => {
            string_list(value, name, false).map_err(one)?;
        }
        "throttle" => {
            play.throttle = Some(super::conditions::templated_count(value, name).map_err(one)?)
        }
        "vars_prompt" => play.vars_prompt = vars_prompt(value).map_err(one)?,
        // Read before the task lists, into what their tasks inherit.
        _ if keywords::PLAY_INHERITED.contains(&name) => {}
        _ if BecomeKeywords::NAMES.contains(&name) => play.become_.set(name, value).map_err(one)?,
        _ if ConnectionKeywords::NAMES.contains(&name) => {
            play.connection.set(name, value).map_err(one)?
        }
        _ if keywords::PLAY_NOT_YET.contains(&name) => {
            return Err(one(key.error(format!(
                "the play keyword `{name}` is not supported by runbook yet"
            ))));
        }
        _ => {
            let message = format!("`{name}` is not a play keyword");
            return Err(one(key.error(message).suggesting(
                name,
                keywords::PLAY
                    .iter()
                    .chain(keywords::PLAY_INHERITED)
                    .copied(),
            )));
        }
    }
    Ok(())
}

/// Handlers are tasks, some imported from files (`import_tasks`), and
/// `include_tasks` whose tasks run when notified; blocks and `meta` are not
/// supported in them.
fn handlers(node: &Node, root: &Inherited) -> Result<Vec<Handler>, Vec<Diagnostic>> {
    let mut handlers = Vec::new();
    flatten_handlers(load_steps(node, TaskRole::Handler, root)?, &mut handlers)?;
    Ok(handlers)
}

/// Blocks reach here only from `import_tasks` (a `block:` in handlers is
/// refused when loaded): their tasks are handlers of their own.
pub(super) fn flatten_handlers(
    steps: Vec<Step>,
    handlers: &mut Vec<Handler>,
) -> Result<(), Vec<Diagnostic>> {
    for step in steps {
        match step {
            Step::Task(task) => handlers.push(Handler::Task(task)),
            Step::Block(block) => flatten_handlers(block.block, handlers)?,
            Step::Meta(meta) => {
                return Err(vec![Diagnostic::at(
                    "`meta` in handlers is not supported by runbook yet",
                    &meta.span,
                )]);
            }
            Step::Include(include) if is(&include.keyword, BuiltinAction::IncludeRole) => {
                return Err(vec![Diagnostic::at(
                    "`include_role` in handlers is not supported by runbook yet",
                    &include.span,
                )]);
            }
            Step::Include(include) => handlers.push(Handler::Include(include)),
        }
    }
    Ok(())
}

fn vars_files(node: &Node) -> Result<Vec<super::VarsFile>, Diagnostic> {
    let items = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items
        .into_iter()
        .map(|item| {
            let names = match &item.kind {
                NodeKind::Seq(alternatives) if !alternatives.is_empty() => alternatives
                    .iter()
                    .map(|name| scalar(name, "vars_files"))
                    .collect::<Result<_, _>>()?,
                NodeKind::Seq(_) => {
                    return Err(item.error("an empty list of alternative vars_files"));
                }
                _ => vec![scalar(item, "vars_files")?],
            };
            Ok(super::VarsFile {
                names,
                span: item.span.clone(),
            })
        })
        .collect()
}

fn vars_prompt(node: &Node) -> Result<Vec<VarPrompt>, Diagnostic> {
    node.expect_seq("`vars_prompt`")?
        .iter()
        .map(|entry| {
            let mut prompt = VarPrompt {
                name: String::new(),
                prompt: String::new(),
                private: true,
                default: None,
                confirm: false,
                span: entry.span.clone(),
            };
            for (key, value) in entry.expect_map("a `vars_prompt` entry")? {
                match key.key_text().as_str() {
                    "name" => prompt.name = scalar(value, "name")?,
                    "prompt" => prompt.prompt = scalar(value, "prompt")?,
                    "private" => prompt.private = boolean(value, "private")?,
                    "default" => prompt.default = value.scalar_text(),
                    "confirm" => prompt.confirm = boolean(value, "confirm")?,
                    "unsafe" => {}
                    other @ ("encrypt" | "salt" | "salt_size") => {
                        return Err(key.error(format!(
                            "`{other}` in vars_prompt is not supported by runbook yet"
                        )));
                    }
                    other => {
                        return Err(key
                            .error(format!("`{other}` is not a vars_prompt option"))
                            .suggesting(
                                other,
                                ["name", "prompt", "private", "default", "confirm", "unsafe"],
                            ));
                    }
                }
            }
            if prompt.name.is_empty() {
                return Err(entry.error("a `vars_prompt` entry needs `name:`"));
            }
            if prompt.prompt.is_empty() {
                prompt.prompt = prompt.name.clone();
            }
            Ok(prompt)
        })
        .collect()
}
