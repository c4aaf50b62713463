//! `include_vars`: load variables from YAML/JSON files on the controller,
//! one file or a directory of them, and set them on the host for the rest
//! of the run. Relative paths are looked up in `vars/` beside the playbook,
//! then beside the playbook itself, as Ansible does for a play.

use std::path::{Path, PathBuf};

use regex::Regex;

use super::spec::RAW_PARAMS;
use super::{ArgSpec, Args, FreeForm, Module, ModuleContext, ModuleError, Outcome};
use crate::value::{Value, VarMap, map_value, overlay, to_var_map};

pub(super) struct IncludeVars;

static SPEC: ArgSpec = ArgSpec {
    names: &[
        RAW_PARAMS,
        "file",
        "dir",
        "name",
        "depth",
        "files_matching",
        "ignore_files",
        "extensions",
        "ignore_unknown_extensions",
        "hash_behaviour",
    ],
    free_form: FreeForm::Command,
    ..ArgSpec::EMPTY
};

const DEFAULT_EXTENSIONS: &[&str] = &["json", "yml", "yaml"];

/// Where the variables come from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    File(String),
    Dir(DirWalk),
}

#[derive(Debug, Clone, PartialEq)]
struct DirWalk {
    dir: String,
    /// 0 walks every level.
    depth: usize,
    files_matching: Option<String>,
    ignore_files: Vec<String>,
    extensions: Vec<String>,
    ignore_unknown_extensions: bool,
}

impl Module for IncludeVars {
    fn name(&self) -> &'static str {
        "include_vars"
    }

    fn spec(&self) -> &'static ArgSpec {
        &SPEC
    }

    fn run(&self, args: &Args, ctx: &mut ModuleContext) -> Result<Outcome, ModuleError> {
        Ok(include(args, ctx.playbook_dir).unwrap_or_else(|e| Outcome::failed(e.to_string())))
    }
}

fn include(args: &Args, playbook_dir: &Path) -> Result<Outcome, ModuleError> {
    let source = source(args)?;
    let files = match &source {
        Source::File(file) => vec![find(playbook_dir, file)?],
        Source::Dir(walk) => dir_files(&find(playbook_dir, &walk.dir)?, walk)?,
    };
    let mut vars = VarMap::new();
    for file in &files {
        overlay(&mut vars, &load(file)?);
    }
    let facts = match args.str("name")? {
        Some(name) => VarMap::from_iter([(name, map_value(vars))]),
        None => vars,
    };
    let included: Vec<Value> = files
        .iter()
        .map(|file| Value::from(file.display().to_string()))
        .collect();
    let mut outcome = Outcome::ok()
        .with("ansible_facts", map_value(facts.clone()))
        .with("ansible_included_var_files", included);
    outcome.file_vars = facts;
    Ok(outcome)
}

fn source(args: &Args) -> Result<Source, ModuleError> {
    let file = match args.str("file")? {
        Some(file) => Some(file),
        None => args.str(RAW_PARAMS)?.filter(|raw| !raw.trim().is_empty()),
    };
    match (file, args.str("dir")?) {
        (Some(_), Some(_)) => Err(ModuleError::failed(
            "parameters are mutually exclusive: file|_raw_params, dir",
        )),
        (Some(file), None) => Ok(Source::File(file.trim().to_string())),
        (None, Some(dir)) => Ok(Source::Dir(DirWalk {
            dir,
            depth: args.f64("depth")?.map_or(0, |d| d.max(0.0) as usize),
            files_matching: args.str("files_matching")?,
            ignore_files: args.str_list("ignore_files")?.unwrap_or_default(),
            extensions: args
                .str_list("extensions")?
                .unwrap_or_else(|| DEFAULT_EXTENSIONS.iter().map(|e| e.to_string()).collect()),
            ignore_unknown_extensions: args.bool("ignore_unknown_extensions", false)?,
        })),
        (None, None) => Err(ModuleError::failed(
            "one of the following is required: file, dir (or a file name as free form)",
        )),
    }
}

/// `relative` in `vars/` beside the playbook, then beside the playbook.
fn find(playbook_dir: &Path, relative: &str) -> Result<PathBuf, ModuleError> {
    let path = Path::new(relative);
    if path.is_absolute() {
        return path
            .exists()
            .then(|| path.to_path_buf())
            .ok_or_else(|| not_found(relative));
    }
    [
        playbook_dir.join("vars").join(path),
        playbook_dir.join(path),
    ]
    .into_iter()
    .find(|candidate| candidate.exists())
    .ok_or_else(|| not_found(relative))
}

fn not_found(relative: &str) -> ModuleError {
    ModuleError::failed(format!(
        "Could not find or access '{relative}' (searched vars/ beside the playbook, then the playbook's directory)"
    ))
}

/// The files of a directory walk, sorted by path as Ansible loads them
/// (later files override earlier ones).
fn dir_files(dir: &Path, walk: &DirWalk) -> Result<Vec<PathBuf>, ModuleError> {
    let matching = compile(walk.files_matching.as_deref())?;
    let ignored = walk
        .ignore_files
        .iter()
        .map(|pattern| compile(Some(&format!("{pattern}$"))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut found = Vec::new();
    collect(dir, 1, walk.depth, &mut found)?;
    found.sort();
    let mut files = Vec::new();
    for path in found {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if ignored.iter().flatten().any(|re| re.is_match(&name)) {
            continue;
        }
        if matching.as_ref().is_some_and(|re| !re.is_match(&name)) {
            continue;
        }
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !walk.extensions.contains(&extension) {
            if walk.ignore_unknown_extensions {
                continue;
            }
            return Err(ModuleError::failed(format!(
                "{} does not have a valid extension: {}",
                path.display(),
                walk.extensions.join(", ")
            )));
        }
        files.push(path);
    }
    Ok(files)
}

fn compile(pattern: Option<&str>) -> Result<Option<Regex>, ModuleError> {
    pattern
        .map(|p| {
            Regex::new(p)
                .map_err(|e| ModuleError::failed(format!("bad regular expression {p:?}: {e}")))
        })
        .transpose()
}

fn collect(
    dir: &Path,
    level: usize,
    depth: usize,
    out: &mut Vec<PathBuf>,
) -> Result<(), ModuleError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ModuleError::failed(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if depth == 0 || level < depth {
                collect(&path, level + 1, depth, out)?;
            }
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// One file's variables; its top level must be a mapping.
fn load(path: &Path) -> Result<VarMap, ModuleError> {
    let node = crate::yaml::parse_file(path).map_err(|e| ModuleError::failed(e.to_string()))?;
    if node.is_null() {
        return Ok(VarMap::new());
    }
    if node.as_map().is_none() {
        return Err(ModuleError::failed(format!(
            "{} must be stored as a dictionary/hash",
            path.display()
        )));
    }
    Ok(to_var_map(&node.to_value()))
}

#[cfg(test)]
mod tests {
    use super::*;


    fn write(dir: &Path, relative: &str, content: &str) {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }

    fn fact(outcome: &Outcome, name: &str) -> Option<String> {
        outcome.file_vars.get(name).map(|v| v.to_string())
    }

    #[test]
    fn a_file_is_found_in_vars_first_and_can_be_named() {
        let dir = tempfile::tempdir().expect("tmp");
        write(dir.path(), "vars/app.yml", "port: 8080\n");
        write(dir.path(), "app.yml", "port: 1\n");
        let loaded =
            include(&Args::of(&[(RAW_PARAMS, Value::from("app.yml"))]), dir.path()).expect("loads");
        assert_eq!(fact(&loaded, "port").as_deref(), Some("8080"));
        let named = include(
            &Args::of(&[
                ("file", Value::from("app.yml")),
                ("name", Value::from("app")),
            ]),
            dir.path(),
        )
        .expect("loads");
        assert_eq!(fact(&named, "port"), None);
        assert!(fact(&named, "app").is_some_and(|app| app.contains("8080")));
        assert!(include(&Args::of(&[("file", Value::from("nope.yml"))]), dir.path()).is_err());
    }

    #[test]
    fn a_directory_loads_in_order_with_filters_and_depth() {
        let dir = tempfile::tempdir().expect("tmp");
        write(dir.path(), "vars/all/a.yml", "x: a\ny: a\n");
        write(dir.path(), "vars/all/b.yaml", "x: b\n");
        write(dir.path(), "vars/all/skip.yml", "x: skipped\n");
        write(dir.path(), "vars/all/deep/c.json", "{\"z\": 1}\n");
        let base = [
            ("dir", Value::from("all")),
            ("ignore_files", Value::from("skip.yml")),
        ];
        let loaded = include(&Args::of(&base), dir.path()).expect("loads");
        assert_eq!(fact(&loaded, "x").as_deref(), Some("b"));
        assert_eq!(fact(&loaded, "y").as_deref(), Some("a"));
        assert_eq!(fact(&loaded, "z").as_deref(), Some("1"));
        let mut shallow = base.to_vec();
        shallow.push(("depth", Value::from(1)));
        assert_eq!(
            fact(&include(&Args::of(&shallow), dir.path()).expect("loads"), "z"),
            None
        );
        let mut only_a = base.to_vec();
        only_a.push(("files_matching", Value::from("^a")));
        assert_eq!(
            fact(&include(&Args::of(&only_a), dir.path()).expect("loads"), "x").as_deref(),
            Some("a")
        );
    }

    #[test]
    fn a_file_that_is_not_a_mapping_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        write(dir.path(), "list.yml", "- 1\n- 2\n");
        let error =
            include(&Args::of(&[("file", Value::from("list.yml"))]), dir.path()).expect_err("refused");
        assert!(error.to_string().contains("dictionary"), "{error}");
    }
}
