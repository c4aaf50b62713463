//! Embeds docs/modules/*.md so `runbook doc MODULE` shows the same pages
//! the repository has.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/modules");
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
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out).join("module_docs.rs"), code) {
        println!("cargo:warning=cannot write the module docs index: {e}");
    }
}
