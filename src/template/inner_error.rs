//! Variables are rendered lazily, inside the template that uses them: when
//! `a: "{{ b }}"` fails, the template using `a` only sees "undefined". The
//! first such inner failure is kept so the message names the variable that
//! is really undefined. It belongs to one top-level evaluation: each one
//! starts with none, so a failure that `| default(...)` recovered from can
//! never surface in a later, unrelated message on the same thread.

use std::cell::{Cell, RefCell};

thread_local! {
    static NESTING: Cell<usize> = const { Cell::new(0) };
    static FIRST_INNER_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// One template evaluation in progress on this thread (nested ones included).
pub(super) struct Evaluation(());

impl Evaluation {
    pub(super) fn begin() -> Self {
        NESTING.with(|nesting| {
            if nesting.get() == 0 {
                FIRST_INNER_ERROR.with(|error| error.borrow_mut().take());
            }
            nesting.set(nesting.get() + 1);
        });
        Self(())
    }
}

impl Drop for Evaluation {
    fn drop(&mut self) {
        NESTING.with(|nesting| nesting.set(nesting.get().saturating_sub(1)));
    }
}

/// How many evaluations are in progress on this thread.
pub fn nesting() -> usize {
    NESTING.with(Cell::get)
}

/// Keep `message` unless an earlier inner failure of this evaluation is kept.
pub fn record_inner_error(message: impl FnOnce() -> String) {
    FIRST_INNER_ERROR.with(|error| {
        error.borrow_mut().get_or_insert_with(message);
    });
}

/// The inner failure of the last top-level evaluation on this thread, if any.
pub fn take_inner_error() -> Option<String> {
    FIRST_INNER_ERROR.with(|error| error.borrow_mut().take())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_top_level_evaluation_forgets_an_old_inner_error() {
        {
            let _outer = Evaluation::begin();
            let _inner = Evaluation::begin();
            record_inner_error(|| "'b' is undefined".into());
        }
        {
            let _next = Evaluation::begin();
        }
        assert_eq!(take_inner_error(), None);
    }

    #[test]
    fn the_first_inner_error_of_an_evaluation_is_kept() {
        {
            let _outer = Evaluation::begin();
            record_inner_error(|| "first".into());
            let _inner = Evaluation::begin();
            record_inner_error(|| "second".into());
        }
        assert_eq!(take_inner_error().as_deref(), Some("first"));
        assert_eq!(take_inner_error(), None);
    }
}
