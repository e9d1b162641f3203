//! The threads that run operations. A worker that finishes one waits a while for the next
//! instead of exiting, so an agent run does not cost a thread's creation and exit (a bulk
//! start runs hundreds; each cost the executor a clone and the worker its teardown).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::limits;

/// One operation to run on a worker.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

#[derive(Default)]
struct State {
    /// Jobs handed over and not yet taken (never more than the idle workers).
    queue: VecDeque<Job>,
    /// Workers waiting for a job.
    idle: usize,
    /// No more jobs come: idle workers exit.
    closed: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Workers for the scheduler thread: at most one per operation running at once (the
/// scheduler's concurrency limit bounds them); an idle one exits after
/// [`limits::WORKER_IDLE_EXIT`].
pub(crate) struct Workers {
    shared: Arc<Shared>,
    handles: Vec<JoinHandle<()>>,
}

impl Workers {
    /// No workers yet; they start with the first jobs.
    pub(crate) fn new() -> Workers {
        Workers {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                wake: Condvar::new(),
            }),
            handles: Vec::new(),
        }
    }

    /// Runs `job` on an idle worker, or on a new one when none is idle.
    pub(crate) fn run(&mut self, job: Job) -> std::io::Result<()> {
        {
            let mut state = self.shared.lock();
            if state.idle > state.queue.len() {
                state.queue.push_back(job);
                self.shared.wake.notify_one();
                return Ok(());
            }
        }
        self.handles.retain(|handle| !handle.is_finished());
        let shared = self.shared.clone();
        let handle = std::thread::Builder::new()
            .name("op-worker".into())
            .spawn(move || work(&shared, job))?;
        self.handles.push(handle);
        Ok(())
    }

    /// Lets the idle workers exit and waits for every worker (running jobs end first).
    pub(crate) fn finish(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_all();
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}

fn work(shared: &Shared, first: Job) {
    let mut job = Some(first);
    while let Some(next) = job.take() {
        next();
        let mut state = shared.lock();
        state.idle += 1;
        loop {
            if let Some(queued) = state.queue.pop_front() {
                job = Some(queued);
                break;
            }
            if state.closed {
                break;
            }
            let (guard, waited) = shared
                .wake
                .wait_timeout(state, limits::WORKER_IDLE_EXIT)
                .unwrap_or_else(|e| e.into_inner());
            state = guard;
            if waited.timed_out() && state.queue.is_empty() {
                break;
            }
        }
        state.idle -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_finished_worker_runs_the_next_job() {
        let mut workers = Workers::new();
        let (tx, rx) = mpsc::channel();
        for i in 0..20 {
            let tx = tx.clone();
            workers
                .run(Box::new(move || {
                    let _ = tx.send((i, std::thread::current().id()));
                }))
                .expect("runs");
            // One job at a time: each waits for the previous one to be done.
            let _ = rx.recv();
            while workers.shared.lock().idle == 0 {
                std::thread::yield_now();
            }
        }
        assert_eq!(workers.handles.len(), 1, "one worker ran them all");
        workers.finish();
        assert!(workers.handles.is_empty());
    }

    #[test]
    fn jobs_at_once_get_a_worker_each() {
        let mut workers = Workers::new();
        let (tx, rx) = mpsc::channel();
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        for _ in 0..4 {
            let tx = tx.clone();
            let gate = gate.clone();
            workers
                .run(Box::new(move || {
                    let _ = tx.send(());
                    let (open, cv) = &*gate;
                    let mut open = open.lock().expect("lock");
                    while !*open {
                        open = cv.wait(open).expect("wait");
                    }
                }))
                .expect("runs");
        }
        for _ in 0..4 {
            rx.recv().expect("all four run at once");
        }
        assert_eq!(workers.handles.len(), 4);
        *gate.0.lock().expect("lock") = true;
        gate.1.notify_all();
        workers.finish();
    }
}
