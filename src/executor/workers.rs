//! The `--forks` workers: a scope of jobs, run in the order given, at most
//! `forks` at once, on threads that block while they wait.
//!
//! A work-stealing pool (rayon) suits short CPU-bound jobs; these jobs wait
//! on hosts most of the time, and rayon's idle workers spin and yield
//! looking for work in each other's queues — with hundreds of workers that
//! was most of the controller's CPU at fleet scale. Here a scope's workers
//! take jobs from one queue and end with it; a scope of one job runs on the
//! calling thread, so a job's own scope (`strategy: free`) adds no thread.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

type Job<'s> = Box<dyn FnOnce() + Send + 's>;

/// At most `forks` jobs at once.
#[derive(Debug, Clone, Copy)]
pub(super) struct Workers {
    forks: usize,
}

/// The jobs of one [`Workers::scope_fifo`], collected before they run.
pub(super) struct Scope<'s> {
    jobs: Mutex<VecDeque<Job<'s>>>,
}

impl<'s> Scope<'s> {
    /// Queue `job`; jobs start in the order they were queued.
    pub(super) fn spawn_fifo(&self, job: impl FnOnce() + Send + 's) {
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(Box::new(job));
    }

    fn next(&self) -> Option<Job<'s>> {
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }

    fn len(&self) -> usize {
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Workers {
    pub(super) fn new(forks: usize) -> Self {
        Self {
            forks: forks.max(1),
        }
    }

    /// Run the jobs `queue` spawns and return once they all ended. A job
    /// that panics ends its worker's part, and the panic is raised here
    /// once the others are done (as a rayon scope does).
    pub(super) fn scope_fifo<'s>(&self, queue: impl FnOnce(&Scope<'s>)) {
        let scope = Scope {
            jobs: Mutex::new(VecDeque::new()),
        };
        queue(&scope);
        let workers = scope.len().min(self.forks);
        let work = || {
            while let Some(job) = scope.next() {
                job();
            }
        };
        if workers <= 1 {
            work();
            return;
        }
        std::thread::scope(|threads| {
            for i in 1..workers {
                let spawned = std::thread::Builder::new()
                    .name(format!("runbook-worker-{i}"))
                    .spawn_scoped(threads, work);
                if spawned.is_err() {
                    // Fewer threads than asked (a limit of the system): the
                    // ones running, and this one, take the remaining jobs.
                    break;
                }
            }
            work();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn every_job_runs_and_never_more_than_forks_at_once() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        Workers::new(3).scope_fifo(|scope| {
            for _ in 0..12 {
                scope.spawn_fifo(|| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(done.load(Ordering::SeqCst), 12);
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn jobs_start_in_the_order_given_and_one_job_stays_on_this_thread() {
        let started = Mutex::new(Vec::new());
        Workers::new(1).scope_fifo(|scope| {
            for i in 0..5 {
                let started = &started;
                scope.spawn_fifo(move || started.lock().expect("lock").push(i));
            }
        });
        assert_eq!(*started.lock().expect("lock"), [0, 1, 2, 3, 4]);
        let here = std::thread::current().id();
        let mut ran_on = None;
        Workers::new(8).scope_fifo(|scope| {
            scope.spawn_fifo(|| ran_on = Some(std::thread::current().id()));
        });
        assert_eq!(ran_on, Some(here));
    }

    #[test]
    fn a_nested_scope_runs_within_its_job() {
        let total = AtomicUsize::new(0);
        let workers = Workers::new(4);
        workers.scope_fifo(|outer| {
            for _ in 0..4 {
                outer.spawn_fifo(|| {
                    workers.scope_fifo(|inner| {
                        inner.spawn_fifo(|| {
                            total.fetch_add(1, Ordering::SeqCst);
                        });
                    });
                });
            }
        });
        assert_eq!(total.load(Ordering::SeqCst), 4);
    }
}
