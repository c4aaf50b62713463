//! Embeds docs/modules/*.md so `runbook doc MODULE` shows the same pages
//! the repository has, and the shipped procedures (playbooks/, their pages
//! in docs/playbooks/, inventories/*.example) that `runbook init` copies
//! into a new repository.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    write_module_docs(root, &out);
    write_procedures(root, &out);
}

fn write_module_docs(root: &Path, out: &Path) {
    let docs = root.join("docs/modules");
    println!("cargo:rerun-if-changed={}", docs.display());
    let mut pages: Vec<_> = std::fs::read_dir(&docs)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
                .filter(|path| path.file_stem().is_some_and(|stem| stem != "README"))
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    let mut code = String::from(
        "/// Each module's page from docs/modules: `(name, markdown)`.\npub(crate) const MODULE_DOCS: &[(&str, &str)] = &[\n",
    );
    for page in &pages {
        println!("cargo:rerun-if-changed={}", page.display());
        let name = page
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            page.display().to_string()
        );
    }
    code.push_str("];\n");
    write(&out.join("module_docs.rs"), &code, "the module docs index");
}

/// `SHIPPED_FILES`: `(path in this repository, text)` for every file
/// `runbook init` may copy — the procedures (playbooks/*.yml and their
/// group_vars, not the lab rehearsals), their pages, the example inventories.
fn write_procedures(root: &Path, out: &Path) {
    let mut files = Vec::new();
    let playbooks = root.join("playbooks");
    files.extend(
        files_in(&playbooks)
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "yml")),
    );
    files.extend(files_under(&playbooks.join("group_vars")));
    files.extend(
        files_in(&root.join("docs/playbooks"))
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "md")),
    );
    for example in ["staging.example", "prod.example"] {
        files.extend(files_under(&root.join("inventories").join(example)));
    }
    files.sort();
    let mut code = String::from(
        "/// The procedures `runbook init` copies: `(path in runbook's repository, text)`.\npub(crate) const SHIPPED_FILES: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file.strip_prefix(root).unwrap_or(file);
        let _ = writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            relative.display().to_string(),
            file.display().to_string()
        );
    }
    code.push_str("];\n");
    for dir in ["playbooks", "docs/playbooks", "inventories"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    write(
        &out.join("shipped_files.rs"),
        &code,
        "the shipped procedures",
    );
}

/// The files directly in `dir`.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_file())
                .collect()
        })
        .unwrap_or_default()
}

/// Every file below `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            found.extend(files_under(&path));
        } else if path.is_file() {
            found.push(path);
        }
    }
    found
}

fn write(path: &Path, code: &str, what: &str) {
    if let Err(e) = std::fs::write(path, code) {
        println!("cargo:warning=cannot write {what}: {e}");
    }
}
