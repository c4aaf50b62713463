//! A task's loop on one host: the items, the loop variables each item
//! sees, the per-item events, and the combined result.

use std::sync::Arc;

use super::super::Event;
use super::super::context::Context;
use super::super::loops::loop_items;
use super::super::result::loop_result;
use super::{ItemRun, TaskExecutor};
use crate::playbook::LoopControl;
use crate::value::{Value, VarMap, map_from_pairs};

impl TaskExecutor<'_> {
    pub(super) fn run_loop(&self) -> ItemRun {
        let items = match self.loop_items() {
            Ok(items) => items,
            Err(message) => return ItemRun::failed(message),
        };
        let vars = self.vars.value();
        let control = match self.task.loop_control.rendered(|template| {
            self.run
                .templar
                .render_value(template, &vars)
                .map_err(|e| self.template_failure(&e, &vars))
        }) {
            Ok(control) => control,
            Err(message) => return ItemRun::failed(message),
        };
        let length = items.len();
        let mut results = Vec::with_capacity(length);
        let all_items = Value::from(items.clone());
        let mut facts = VarMap::new();
        let mut delegated_to = None;
        for (index, item) in items.iter().enumerate() {
            // An interrupted run starts no new item either.
            if index > 0 && crate::interruption::stop_scheduling() {
                break;
            }
            let loop_vars = Arc::new(loop_vars(&control, index, &items, &all_items));
            // Extra vars stay above the loop variables, as in Ansible.
            let item_vars = self
                .vars
                .with_data_layer(loop_vars.clone())
                .with_layer(self.run.extra_vars.clone());
            let mut item_run = self.run_item(&item_vars);
            for (key, value) in loop_vars.iter() {
                item_run.result.fields.insert(key.clone(), value.clone());
            }
            let label = self.item_label(&item_vars, item);
            let mut event = self.host_result(&item_run.result, item_run.delegated_to.clone());
            event.item = Some(label);
            self.run.emit(Event::ItemResult(event));
            crate::value::overlay(&mut facts, &item_run.facts);
            delegated_to = item_run.delegated_to;
            results.push(item_run.result);
            if let Some(pause) = control.pause.filter(|p| *p > 0.0 && index + 1 < length) {
                // Cut short by Ctrl-C, after which no further item starts.
                crate::interruption::sleep(std::time::Duration::from_secs_f64(pause));
            }
        }
        ItemRun {
            result: loop_result(results),
            facts,
            delegated_to,
        }
    }

    fn loop_items(&self) -> Result<Vec<Value>, String> {
        let Some(spec) = &self.task.loop_ else {
            return Ok(Vec::new());
        };
        let vars = self.vars.value();
        let rendered = self
            .run
            .templar
            .render_value(&spec.items, &vars)
            .map_err(|e| self.template_failure(&e, &vars))?;
        loop_items(
            spec.kind,
            rendered,
            &self.run.templar,
            &vars,
            self.task.module.name(),
        )
        .map_err(|e| {
            format!(
                "{e}\n\nThe error appears to be in '{}'",
                spec.span.location()
            )
        })
    }

    /// How the item is shown: its `loop_control.label` or the item itself;
    /// under `no_log` neither, as Ansible prints.
    fn item_label(&self, vars: &Context, item: &Value) -> String {
        if self.task.no_log {
            return CENSORED_ITEM.to_string();
        }
        let label = match &self.task.loop_control.label {
            Some(template) => self
                .run
                .templar
                .render_str(template, &vars.value())
                .unwrap_or_else(|_| Value::from(template.as_str())),
            None => item.clone(),
        };
        shown_item(&label)
    }
}

/// Ansible's item label when `no_log` hides the item.
const CENSORED_ITEM: &str = "(censored due to no_log)";

/// `ansible_loop` for an `extended` loop: the position, and the items
/// around this one.
fn loop_info(control: &LoopControl, index: usize, items: &[Value], all_items: &Value) -> Value {
    let length = items.len();
    let mut info = vec![
        ("index", Value::from(index + 1)),
        ("index0", Value::from(index)),
        ("first", Value::from(index == 0)),
        ("last", Value::from(index + 1 == length)),
        ("length", Value::from(length)),
        ("revindex", Value::from(length - index)),
        ("revindex0", Value::from(length - index - 1)),
    ];
    if control.extended_allitems {
        info.push(("allitems", all_items.clone()));
    }
    if let Some(next) = items.get(index + 1) {
        info.push(("nextitem", next.clone()));
    }
    if let Some(previous) = index.checked_sub(1).and_then(|i| items.get(i)) {
        info.push(("previtem", previous.clone()));
    }
    map_from_pairs(info)
}

/// A loop item as Ansible shows it (`(item=...)`): Python's `str()`.
pub(in crate::executor) fn shown_item(value: &Value) -> String {
    crate::template::py_str(value)
}

/// `item` (or `loop_var`), `index_var` and, for an `extended` loop,
/// `ansible_loop` for one item: the variables it sees and the keys its
/// result carries.
pub(in crate::executor) fn loop_vars(
    control: &LoopControl,
    index: usize,
    items: &[Value],
    all_items: &Value,
) -> VarMap {
    let mut vars = VarMap::new();
    vars.insert(control.loop_var.clone(), items[index].clone());
    vars.insert(
        "ansible_loop_var".into(),
        Value::from(control.loop_var.as_str()),
    );
    if control.extended {
        vars.insert(
            "ansible_loop".into(),
            loop_info(control, index, items, all_items),
        );
    }
    if let Some(index_var) = &control.index_var {
        vars.insert(index_var.clone(), Value::from(index));
        vars.insert("ansible_index_var".into(), Value::from(index_var.as_str()));
    }
    vars
}
