//! A task's loop on one host: the items, the loop variables each item
//! sees, the per-item events, and the combined result.

use std::sync::Arc;

use super::Event;
use super::context::Context;
use super::failure_text::template_failure;
use super::loops::loop_items;
use super::play_ctx::PlayCtx;
use super::result::{TaskResult, loop_result};
use super::run::RunShared;
use super::settle::host_result;
use super::task_runner::run_item;
use crate::playbook::Task;
use crate::value::map_from_pairs;
use crate::value::{Value, VarMap};

pub fn run_loop(
    run: &Arc<RunShared>,
    ctx: &PlayCtx,
    task: &Task,
    host: &str,
    context: &Context,
) -> (TaskResult, VarMap, Option<String>) {
    let items = match render_loop(run, task, context) {
        Ok(items) => items,
        Err(message) => return (TaskResult::failed(message), VarMap::new(), None),
    };
    let control = &task.loop_control;
    let length = items.len();
    let mut results = Vec::with_capacity(length);
    let mut facts = VarMap::new();
    let mut delegated_to = None;
    for (index, item) in items.into_iter().enumerate() {
        let mut loop_vars = VarMap::new();
        loop_vars.insert(control.loop_var.clone(), item.clone());
        loop_vars.insert(
            "ansible_loop_var".into(),
            Value::from(control.loop_var.as_str()),
        );
        loop_vars.insert("ansible_loop".into(), loop_info(index, length));
        if let Some(index_var) = &control.index_var {
            loop_vars.insert(index_var.clone(), Value::from(index));
            loop_vars.insert("ansible_index_var".into(), Value::from(index_var.as_str()));
        }
        let item_context = context
            .with_layer(Arc::new(loop_vars.clone()))
            .with_layer(Arc::new(run.options.extra_vars.clone()));
        let mut item_run = run_item(run, ctx, task, host, &item_context);
        for (key, value) in loop_vars {
            item_run.result.fields.insert(key, value);
        }
        let label = item_label(run, task, &item_context, &item);
        run.emit(Event::ItemResult(host_result(
            task,
            host,
            &item_run.result,
            Some(label),
            item_run.delegated_to.clone(),
        )));
        crate::value::overlay(&mut facts, &item_run.facts);
        delegated_to = item_run.delegated_to;
        results.push(item_run.result);
        if let Some(pause) = control.pause.filter(|p| *p > 0.0 && index + 1 < length) {
            std::thread::sleep(std::time::Duration::from_secs_f64(pause));
        }
    }
    (loop_result(results), facts, delegated_to)
}

fn render_loop(run: &RunShared, task: &Task, context: &Context) -> Result<Vec<Value>, String> {
    let Some(spec) = &task.loop_ else {
        return Ok(Vec::new());
    };
    let rendered = run
        .templar
        .render_value(&spec.items, &context.value())
        .map_err(|e| template_failure(task, &e))?;
    loop_items(spec.kind, rendered).map_err(|e| {
        format!(
            "{e}\n\nThe error appears to be in '{}'",
            spec.span.location()
        )
    })
}

fn loop_info(index: usize, length: usize) -> Value {
    map_from_pairs([
        ("index", Value::from(index + 1)),
        ("index0", Value::from(index)),
        ("first", Value::from(index == 0)),
        ("last", Value::from(index + 1 == length)),
        ("length", Value::from(length)),
        ("revindex", Value::from(length - index)),
        ("revindex0", Value::from(length - index - 1)),
    ])
}

fn item_label(run: &RunShared, task: &Task, context: &Context, item: &Value) -> String {
    let label = match &task.loop_control.label {
        Some(template) => run
            .templar
            .render_str(template, &context.value())
            .unwrap_or_else(|_| Value::from(template.as_str())),
        None => item.clone(),
    };
    label
        .as_str()
        .map_or_else(|| python_repr(&label), str::to_string)
}

/// Values as Ansible shows loop items: JSON-like.
fn python_repr(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}
