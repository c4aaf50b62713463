//! The variables a template sees on one host for one task: layers in
//! Ansible's precedence order, looked up from the top without merging, and
//! rendered lazily — `a: "{{ b }}"` is templated when `a` is used, against
//! the same variables, as Ansible does.
//!
//! Only layers the playbook author wrote are rendered (Ansible 2.19's trust
//! model): facts, registered results, loop items and magic variables are
//! data layers, returned as they are, so `{{` in host output stays text.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};

use crate::template::Templar;
use crate::value::{Value, VarMap};

/// How deep `a: "{{ b }}"`, `b: "{{ c }}"`... may nest before we call it a loop.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub(super) struct Context {
    /// Lowest precedence first.
    layers: Vec<Layer>,
    templar: Arc<Templar>,
}

#[derive(Debug, Clone)]
struct Layer {
    vars: Arc<VarMap>,
    /// Written by the playbook author (playbook, role, inventory, vars
    /// files, `-e`): its templates are rendered when used.
    trusted: bool,
}

impl Context {
    pub(super) fn new(templar: Arc<Templar>) -> Self {
        Self {
            layers: Vec::new(),
            templar,
        }
    }

    /// A new context with the author's `vars` above every existing layer.
    pub(super) fn with_layer(&self, vars: Arc<VarMap>) -> Self {
        let mut view = self.clone();
        view.push(vars);
        view
    }

    /// A new context with data `vars` (never rendered) above every layer.
    pub(super) fn with_data_layer(&self, vars: Arc<VarMap>) -> Self {
        let mut view = self.clone();
        view.push_data(vars);
        view
    }

    /// The author's `vars` on top: their templates render when used.
    pub(super) fn push(&mut self, vars: Arc<VarMap>) {
        self.push_layer(vars, true);
    }

    /// Data on top (host output, results of templating): used as it is.
    pub(super) fn push_data(&mut self, vars: Arc<VarMap>) {
        self.push_layer(vars, false);
    }

    fn push_layer(&mut self, vars: Arc<VarMap>, trusted: bool) {
        if !vars.is_empty() {
            self.layers.push(Layer { vars, trusted });
        }
    }

    /// The context as a template value.
    pub(super) fn value(&self) -> Value {
        Value::from_object(self.clone())
    }

    /// The value of `name` as its layer holds it, and whether it is trusted.
    fn raw(&self, name: &str) -> Option<(&Value, bool)> {
        self.layers
            .iter()
            .rev()
            .find_map(|layer| layer.vars.get(name).map(|value| (value, layer.trusted)))
    }

    fn render_lazily(self: &Arc<Self>, value: &Value) -> Value {
        if !holds_template(value) {
            return value.clone();
        }
        if crate::template::nesting() >= MAX_DEPTH {
            return value.clone();
        }
        self.templar
            .render_value(value, &Value::from_dyn_object(self.clone()))
            .unwrap_or_else(|error| {
                // The template using this variable only sees "undefined";
                // keep why, so its error names the real culprit.
                crate::template::record_inner_error(|| error.to_string());
                Value::UNDEFINED
            })
    }
}

impl Object for Context {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match self.raw(key.as_str()?)? {
            (raw, true) => Some(self.render_lazily(raw)),
            (data, false) => Some(data.clone()),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut names: indexmap::IndexSet<&str> = indexmap::IndexSet::new();
        for layer in &self.layers {
            names.extend(layer.vars.keys().map(String::as_str));
        }
        Enumerator::Values(names.into_iter().map(Value::from).collect())
    }
}

/// Whether a value holds a string with template markup anywhere inside.
pub(super) fn holds_template(value: &Value) -> bool {
    // Live views of variables (`hostvars`, a host's context) render their
    // own values when read; looking inside them would never end.
    if value.downcast_object_ref::<Context>().is_some()
        || value
            .downcast_object_ref::<super::hostvars::HostVars>()
            .is_some()
    {
        return false;
    }
    if crate::template::is_data(value) {
        return false;
    }
    if let Some(text) = value.as_str() {
        return crate::template::has_template_markers(text);
    }
    match value.kind() {
        minijinja::value::ValueKind::Seq => value
            .try_iter()
            .is_ok_and(|mut items| items.any(|v| holds_template(&v))),
        minijinja::value::ValueKind::Map => value.try_iter().is_ok_and(|mut keys| {
            keys.any(|k| value.get_item(&k).is_ok_and(|v| holds_template(&v)))
        }),
        _ => false,
    }
}

/// A one-layer map of variables.
pub(super) fn layer(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Arc<VarMap> {
    Arc::new(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
