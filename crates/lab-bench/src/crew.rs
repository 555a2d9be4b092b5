//! A crew of threads that share a case's calls: S08's writers and S09's concurrent callers.
//!
//! The threads live as long as the case, so a timed round costs a wake-up and a join on a condition
//! variable, not thread creation (tens of microseconds, and allocations that would blur the exact
//! counts). Each member counts what it allocates and copies on its own thread and the round
//! [`credit`]s it all to the thread that ran the round, so the runner's counts stay exact.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use lab_sys::alloc::{credit, Snapshot, Usage};
use lab_sys::host::LabError;

/// One member's share of a round: `f(member, calls)` makes `calls` calls and returns the sum of
/// their checksums.
pub type Job = dyn Fn(usize, u64) -> Result<u64, LabError> + Send + Sync;

struct Round {
    /// Bumped to start a round; members run once per change.
    number: u64,
    calls: u64,
    finished: usize,
    sum: u64,
    usage: Usage,
    error: Option<LabError>,
    quit: bool,
}

struct Shared {
    round: Mutex<Round>,
    start: Condvar,
    done: Condvar,
    job: Box<Job>,
    size: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Round> {
        // A member that panicked poisons nothing we rely on: the round's fields are plain counters.
        self.round.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `size` threads running `job` together, one round per [`Crew::run`].
pub struct Crew {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Crew {
    pub fn new(size: usize, job: Box<Job>) -> Crew {
        assert!(size > 0, "a crew needs a member");
        let shared = Arc::new(Shared {
            round: Mutex::new(Round {
                number: 0,
                calls: 0,
                finished: 0,
                sum: 0,
                usage: Usage::ZERO,
                error: None,
                quit: false,
            }),
            start: Condvar::new(),
            done: Condvar::new(),
            job,
            size,
        });
        let threads = (0..size)
            .map(|member| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("lab-crew-{member}"))
                    .spawn(move || member_loop(&shared, member))
                    .expect("spawning a crew thread")
            })
            .collect();
        Crew { shared, threads }
    }

    /// One round: `calls` calls shared out among the members (the first ones take the remainder);
    /// returns once every member is done, with the sum of their checksums.
    pub fn run(&self, calls: u64) -> Result<u64, LabError> {
        let s = &self.shared;
        let mut round = s.lock();
        round.number += 1;
        round.calls = calls;
        round.finished = 0;
        round.sum = 0;
        round.usage = Usage::ZERO;
        round.error = None;
        s.start.notify_all();
        while round.finished < s.size {
            round = s.done.wait(round).unwrap_or_else(PoisonError::into_inner);
        }
        credit(round.usage);
        match round.error.take() {
            Some(e) => Err(e),
            None => Ok(round.sum),
        }
    }
}

fn member_loop(s: &Shared, member: usize) {
    let mut seen = 0;
    loop {
        let calls = {
            let mut round = s.lock();
            while round.number == seen && !round.quit {
                round = s.start.wait(round).unwrap_or_else(PoisonError::into_inner);
            }
            if round.quit {
                return;
            }
            seen = round.number;
            let n = s.size as u64;
            round.calls / n + u64::from((member as u64) < round.calls % n)
        };
        let before = Snapshot::now();
        // A panicking job must still finish its share of the round, or run() would wait forever.
        let result = catch_unwind(AssertUnwindSafe(|| (s.job)(member, calls)))
            .unwrap_or(Err(LabError::Panic));
        let usage = before.since();
        let mut round = s.lock();
        round.usage = round.usage.plus(usage);
        match result {
            Ok(sum) => round.sum = round.sum.wrapping_add(sum),
            Err(e) => round.error = round.error.or(Some(e)),
        }
        round.finished += 1;
        if round.finished == s.size {
            s.done.notify_one();
        }
    }
}

impl Drop for Crew {
    fn drop(&mut self) {
        self.shared.lock().quit = true;
        self.shared.start.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
