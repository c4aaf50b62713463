//! The loaded playbook's steps as one flat list, blocks and static includes
//! opened, handlers last.

use crate::playbook::{Block, Handler, Include, Play, Playbook, Step, Task};
use crate::source::Span;

#[derive(Clone, Copy)]
pub(super) enum Item<'a> {
    Task(&'a Task),
    Handler(&'a Task),
    Block(&'a Block),
    Include(&'a Include),
    /// A `meta:` step: only its own strings.
    Meta(&'a Span),
}

impl<'a> Item<'a> {
    pub(super) fn span(self) -> &'a Span {
        match self {
            Item::Task(task) | Item::Handler(task) => &task.span,
            Item::Block(block) => &block.span,
            Item::Include(include) => &include.span,
            Item::Meta(span) => span,
        }
    }
}

pub(super) fn items(play: &Play) -> Vec<Item<'_>> {
    let mut found = Vec::new();
    for step in play
        .pre_tasks
        .iter()
        .chain(&play.tasks)
        .chain(&play.post_tasks)
    {
        push_step(step, &mut found);
    }
    for handler in &play.handlers {
        match handler {
            Handler::Task(task) => found.push(Item::Handler(task)),
            Handler::Include(include) => push_include(include, &mut found),
        }
    }
    found
}

fn push_step<'a>(step: &'a Step, found: &mut Vec<Item<'a>>) {
    match step {
        Step::Task(task) => found.push(Item::Task(task)),
        Step::Block(block) => {
            found.push(Item::Block(block));
            for inner in block.block.iter().chain(&block.rescue).chain(&block.always) {
                push_step(inner, found);
            }
        }
        Step::Include(include) => push_include(include, found),
        Step::Meta(meta) => found.push(Item::Meta(&meta.span)),
    }
}

fn push_include<'a>(include: &'a Include, found: &mut Vec<Item<'a>>) {
    found.push(Item::Include(include));
    for inner in include.body.iter() {
        push_step(inner, found);
    }
}

/// Whether some of the play's tasks are only known when it runs (an
/// include whose file name is a template).
pub(super) fn has_dynamic_includes(play: &Play) -> bool {
    items(play)
        .iter()
        .any(|item| matches!(item, Item::Include(include) if include.dynamic.is_some()))
}

/// Every span of the playbook: where its nodes are to be found again.
pub(super) fn spans(book: &Playbook) -> Vec<&Span> {
    let mut spans = Vec::new();
    for play in &book.plays {
        spans.push(&play.span);
        spans.extend(items(play).into_iter().map(Item::span));
    }
    spans
}
