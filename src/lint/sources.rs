//! The YAML trees of the files a loaded playbook came from, so checks that
//! work on the loader's model can point back at the exact node.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::structure::node_at;
use crate::source::{SourceFile, Span};
use crate::yaml::Node;

#[derive(Default)]
pub(super) struct Sources {
    trees: HashMap<PathBuf, Option<Node>>,
    /// In the order first seen.
    order: Vec<Arc<SourceFile>>,
}

impl Sources {
    /// Read `file`'s tree once (a file that does not parse has none).
    pub(super) fn add(&mut self, file: &Arc<SourceFile>) {
        if self.trees.contains_key(&file.path) {
            return;
        }
        let tree = crate::yaml::parse_str(file.clone()).ok();
        self.trees.insert(file.path.clone(), tree);
        self.order.push(file.clone());
    }

    pub(super) fn add_span(&mut self, span: &Span) {
        self.add(&span.file);
    }

    /// The node that starts at `span`.
    pub(super) fn node(&self, span: &Span) -> Option<&Node> {
        let root = self.trees.get(&span.file.path)?.as_ref()?;
        node_at(root, span)
    }

    /// Every file read, with its tree if it parsed.
    pub(super) fn files(&self) -> impl Iterator<Item = (&Arc<SourceFile>, Option<&Node>)> {
        self.order.iter().map(|file| {
            let tree = self.trees.get(&file.path).and_then(Option::as_ref);
            (file, tree)
        })
    }
}
