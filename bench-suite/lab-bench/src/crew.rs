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
    pin(member);
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

/// Pins the calling thread to the `k`-th CPU the process may run on, counted modulo their number:
/// a crew's member `i` runs on CPU `i`, so S09's two callers always run at once on two cores and
/// S08's writers always share the cores alike. Left to the scheduler, a thread stays where it was
/// first placed, which differs from process to process, and S08's and S09's ratios followed it
/// (docs/evidence/2026-12-02-pinned-threads.md). Returns whether the pin took (a CPU set that
/// cannot be read leaves the thread where it is).
pub fn pin(k: usize) -> bool {
    let Some(cpus) = allowed_cpus() else {
        return false;
    };
    let cpu = cpus[k % cpus.len()];
    // SAFETY: a zeroed cpu_set_t is the empty set; CPU_SET writes inside it (cpu came from a set
    // the kernel filled, so it is below CPU_SETSIZE).
    let set = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        set
    };
    // SAFETY: `set` is a valid cpu_set_t of the size passed; 0 is the calling thread.
    unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) == 0 }
}

/// The CPUs the process may run on, in order: its main thread's set (never pinned: the runner's
/// thread), read once.
fn allowed_cpus() -> Option<&'static [usize]> {
    static CPUS: std::sync::OnceLock<Option<Vec<usize>>> = std::sync::OnceLock::new();
    // SAFETY: getpid has no preconditions; the pid names the main thread.
    CPUS.get_or_init(|| affinity(unsafe { libc::getpid() }))
        .as_deref()
}

/// The CPUs thread `tid` may run on (0: the calling thread), in order; `None` where the kernel
/// refuses to say or the set is empty.
fn affinity(tid: libc::pid_t) -> Option<Vec<usize>> {
    // SAFETY: a zeroed cpu_set_t is a valid (empty) set for the kernel to fill.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a writable cpu_set_t of the size passed.
    let ok = unsafe { libc::sched_getaffinity(tid, std::mem::size_of_val(&set), &mut set) == 0 };
    // SAFETY: CPU_ISSET reads inside the set for every cpu below CPU_SETSIZE.
    let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect();
    (ok && !cpus.is_empty()).then_some(cpus)
}

/// The number of CPUs [`pin`] counts modulo (1 where the set cannot be read).
pub fn cpus() -> usize {
    allowed_cpus().map_or(1, <[usize]>::len)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pinned thread may run on one CPU, the k-th of the process's counted round; the process's
    /// own set is untouched.
    #[test]
    fn a_pinned_thread_runs_on_its_cpu_alone() {
        let all = allowed_cpus().expect("the main thread's CPU set");
        for k in [0, 1, all.len(), all.len() + 1] {
            let got = std::thread::spawn(move || (pin(k), affinity(0)))
                .join()
                .unwrap();
            assert_eq!(got, (true, Some(vec![all[k % all.len()]])), "k={k}");
        }
        assert_eq!(allowed_cpus().unwrap(), all);
    }
}
