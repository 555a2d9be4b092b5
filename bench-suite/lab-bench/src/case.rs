//! The strategy author's API: a scenario's cases, its sweep, and the checks every case passes before
//! it is timed (it runs, its checksum agrees with the other strategies', its counts are the ones
//! registered with it).
//!
//! A scenario module only lists its cases: a strategy is a plain function `fn(&Input) ->
//! Result<u64, LabError>` returning a checksum of the work, registered with [`strategies!`] beside
//! the allocations and copies it must make (an [`Expect`]). The case's timing loop is generic over
//! that function, so the call is direct and inlinable: the loop adds the same sub-nanosecond
//! overhead to every strategy, the floor included.

use std::fmt;
use std::hint::black_box;
use std::rc::Rc;

use lab_record::{params_label, COUNT_CALLS};
use lab_sys::alloc::{usage_of, Usage};
use lab_sys::host::LabError;
use serde_json::{Map, Value};

/// How much of each parameter sweep to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Every point: the committed results.
    Full,
    /// The ends and the middle of each sweep: CI smoke runs and development.
    Quick,
}

impl Sweep {
    pub fn pick<T: Copy>(self, all: &[T]) -> Vec<T> {
        match self {
            Sweep::Full => all.to_vec(),
            Sweep::Quick => {
                let mut idx = vec![0, all.len() / 2, all.len().saturating_sub(1)];
                idx.dedup();
                idx.into_iter()
                    .filter(|&i| i < all.len())
                    .map(|i| all[i])
                    .collect()
            }
        }
    }
}

/// A strategy's parameters, in a fixed order (`len=64`, `n=16,k=8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params(pub Vec<(&'static str, u64)>);

impl Params {
    pub fn to_map(&self) -> Map<String, Value> {
        self.0
            .iter()
            .map(|&(k, v)| (k.to_owned(), Value::from(v)))
            .collect()
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&params_label(&self.to_map()))
    }
}

/// `params!(n, k)` is the parameter list `n=<n>,k=<k>` built from variables of those names.
#[macro_export]
macro_rules! params {
    ($($name:ident),* $(,)?) => {
        $crate::case::Params(vec![$((stringify!($name), $name as u64)),*])
    };
}

/// Registers strategies (plain functions over the same input) as cases: each one's identifier and
/// the counts it must measure, `strategy => Expect::new(rust_allocs, c_allocs, bytes_copied)`:
///
/// ```
/// # use std::rc::Rc;
/// # use lab_bench::case::{Case, Expect};
/// # use lab_bench::r2c::s02_pass_string::{cstring, ptr_len, Payload};
/// # use lab_bench::{params, strategies};
/// # let mut cases: Vec<Case> = Vec::new();
/// # let len = 8;
/// # let input = Rc::new(Payload::new(vec![b'a'; len]));
/// strategies!(cases, params!(len), input, [
///     cstring => Expect::new(1, 0, len + 1),
///     ptr_len => Expect::NONE,
/// ]);
/// # assert_eq!(cases[0].id("s02_pass_string"), "s02_pass_string/cstring/len=8");
/// # assert_eq!(cases[1].expect, Expect::NONE);
/// ```
///
/// The expectations are evaluated here, when the cases are built, never in a timed loop.
#[macro_export]
macro_rules! strategies {
    ($cases:expr, $params:expr, $input:expr, [$($strategy:path => $expect:expr),+ $(,)?]) => {
        $( $cases.push($crate::case::Case::new(
            $crate::case::strategy_name(stringify!($strategy)), &$params, $expect, &$input,
            $strategy)); )+
    };
}

/// Each strategy's `(name, function, counts)`, written as in [`strategies!`], for scenarios that
/// build their cases themselves (on other threads: S08, S09):
///
/// ```
/// # use lab_bench::case::Expect;
/// # use lab_bench::named_strategies;
/// # use lab_bench::r2c::s09_request_lifetime::{unchecked, weak_upgrade, Strategy};
/// let strategies: [(&str, Strategy, Expect); 2] = named_strategies![
///     unchecked => Expect::NONE,
///     weak_upgrade => Expect::NONE,
/// ];
/// # assert_eq!(strategies[1].0, "weak_upgrade");
/// ```
#[macro_export]
macro_rules! named_strategies {
    ($($strategy:path => $expect:expr),+ $(,)?) => {
        [$(($crate::case::strategy_name(stringify!($strategy)), $strategy, $expect)),+]
    };
}

/// The name of every scenario's native floor: the same work done by C calling the host, without
/// the boundary. The report divides the other rows by it; it is not a strategy to rank.
pub const NATIVE: &str = lab_record::NATIVE;

/// What one call of a case must allocate and copy, on both sides, as [`check_case`] counts it:
/// after the warm-up call, so a buffer a strategy keeps across calls counts 0 (its one allocation
/// is the warm-up's).
///
/// Whole counts per call: [`check_scenario`] compares them exactly with the measured averages, so
/// one allocation in one of the [`COUNT_CALLS`] counted calls fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect {
    pub rust_allocs: u64,
    pub c_allocs: u64,
    /// Both sides together, as [`Checked::bytes_copied`].
    pub bytes_copied: u64,
    /// The counts are per this many calls: 1, or the calls over which a strategy amortises its
    /// work (S06's copy kept for a request of several callbacks). Must divide [`COUNT_CALLS`].
    pub every: u64,
}

impl Expect {
    /// No allocation on either side, no byte copied.
    pub const NONE: Expect = Expect::new(0, 0, 0);

    /// Rust allocations, C allocations and bytes copied per call. `usize`, as the lengths and
    /// counts of a sweep are, so registrations need no casts.
    pub const fn new(rust_allocs: usize, c_allocs: usize, bytes_copied: usize) -> Expect {
        Expect::every(1, rust_allocs, c_allocs, bytes_copied)
    }

    /// Counts per `every` calls, for a strategy that does its work once every `every` calls.
    pub const fn every(
        every: usize,
        rust_allocs: usize,
        c_allocs: usize,
        bytes_copied: usize,
    ) -> Expect {
        assert!(
            every > 0 && COUNT_CALLS % every as u64 == 0,
            "counts are taken over COUNT_CALLS calls"
        );
        Expect {
            rust_allocs: rust_allocs as u64,
            c_allocs: c_allocs as u64,
            bytes_copied: bytes_copied as u64,
            every: every as u64,
        }
    }

    /// Whether `checked` measured exactly these counts. The measured values are integer totals
    /// over [`COUNT_CALLS`] (a power of two) divided by it, hence exact in an `f64`: equality
    /// needs no tolerance, and any stray allocation leaves a fraction that fails it.
    pub fn matches(&self, checked: &Checked) -> bool {
        let per = |count: u64| count as f64 / self.every as f64;
        checked.rust_allocs == per(self.rust_allocs)
            && checked.c_allocs == per(self.c_allocs)
            && checked.bytes_copied == per(self.bytes_copied)
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Rust allocs {}, C allocs {}, bytes copied {}",
            self.rust_allocs, self.c_allocs, self.bytes_copied
        )?;
        if self.every > 1 {
            write!(f, " per {} calls", self.every)?;
        }
        Ok(())
    }
}

/// The last path segment of a strategy's path: `s06::bulk_copy` is `bulk_copy`.
pub fn strategy_name(path: &'static str) -> &'static str {
    path.rsplit("::").next().unwrap_or(path).trim()
}

type RunFn = Box<dyn Fn(u64) -> Result<u64, LabError>>;

/// One strategy at one point of a sweep, ready to run any number of times.
pub struct Case {
    pub strategy: &'static str,
    pub params: Params,
    /// The counts registered with the case, checked before it is timed.
    pub expect: Expect,
    run: RunFn,
}

impl Case {
    /// A case running `f` on `input`. `f` is usually a fn item, so the loop below calls it
    /// directly; the input goes through [`opaque`] so nothing is hoisted out of the loop.
    pub fn new<I: 'static, F>(
        strategy: &'static str,
        params: &Params,
        expect: Expect,
        input: &Rc<I>,
        f: F,
    ) -> Case
    where
        F: Fn(&I) -> Result<u64, LabError> + 'static,
    {
        let input = Rc::clone(input);
        Case {
            strategy,
            params: params.clone(),
            expect,
            run: Box::new(move |iters| {
                let mut acc = 0u64;
                for _ in 0..iters {
                    acc = acc.wrapping_add(f(opaque(&*input))?);
                }
                Ok(acc)
            }),
        }
    }

    /// A case that makes its `iters` calls itself (on other threads, say: S08, S09) and returns the
    /// sum of their checksums. Work done on other threads must be [`credit`]ed to the calling
    /// thread for the allocation counts to see it (a [`Crew`] does).
    ///
    /// [`credit`]: super::alloc::credit
    /// [`Crew`]: super::crew::Crew
    pub fn batch<F>(strategy: &'static str, params: &Params, expect: Expect, run: F) -> Case
    where
        F: Fn(u64) -> Result<u64, LabError> + 'static,
    {
        Case {
            strategy,
            params: params.clone(),
            expect,
            run: Box::new(run),
        }
    }

    /// The scenario's native floor ([`NATIVE`]): `f(input, iters)` does the strategies' work
    /// `iters` times in C, calling the host directly (`lab_sys::native`), and returns the sum of
    /// its checksums, which must agree with the strategies'. One crossing per batch of `iters`,
    /// amortised like the loop of every other case.
    pub fn native<I: 'static>(
        params: &Params,
        expect: Expect,
        input: &Rc<I>,
        f: fn(&I, u64) -> Result<u64, LabError>,
    ) -> Case {
        let input = Rc::clone(input);
        Case::batch(NATIVE, params, expect, move |iters| {
            f(black_box(&input), black_box(iters))
        })
    }

    /// Runs the strategy `iters` times; returns the sum of its checksums.
    #[inline]
    pub fn run(&self, iters: u64) -> Result<u64, LabError> {
        (self.run)(iters)
    }

    /// criterion's full id: `scenario/strategy/params`.
    pub fn id(&self, scenario: &str) -> String {
        format!("{scenario}/{}/{}", self.strategy, self.params)
    }
}

/// `r`, opaque to the optimiser at no instruction: an `asm!` whose template is a comment takes
/// the pointer in a register and gives it back, and may read what it points to for all the
/// compiler knows, so nothing computed from the input is hoisted out of a case's loop. The
/// native floor's C loop pays nothing for its input either; `black_box` would store the pointer
/// to the stack and load it back, two instructions per call that only the strategies would run
/// (docs/evidence/2026-12-06-rust-at-its-floor.md).
#[inline(always)]
pub fn opaque<T>(r: &T) -> &T {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut p = std::ptr::from_ref(r);
        // SAFETY: the template is a comment: it runs no instruction, touches no stack or flags,
        // and hands `p` back unchanged, in the register it came in.
        unsafe { std::arch::asm!("/* {0} */", inout(reg) p, options(nostack, preserves_flags)) };
        // SAFETY: `p` is `r`, unchanged, so it points to the live `T` that `r` borrows.
        unsafe { &*p }
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        black_box(r)
    }
}

/// An R→C scenario of FINDINGS.md as the runner sees it: its cases. Everything else about it
/// (title, unit, plots, profile points) is in its definition, `scenarios/<id>.toml`.
pub struct Scenario {
    /// `s02_pass_string`: the FINDINGS.md ID, the module name and the definition's file name.
    pub id: &'static str,
    /// Whether every strategy at the same parameters must return the same checksum.
    pub strategies_agree: bool,
    pub cases: fn(Sweep) -> Vec<Case>,
}

impl Scenario {
    /// Every R→C scenario's records are Rust's: `rust`, or `rust-lto` in the cross-language LTO
    /// build ([`crate::build`]).
    pub const LANG: &'static str = crate::build::R2C_LANG;
    pub const DIRECTION: &'static str = "r2c";

    /// The `[r2c]` part of the scenario's definition.
    ///
    /// # Panics
    /// When `scenarios/<id>.toml` is missing or has no `[r2c]` (`r2c::tests` checks every one).
    pub fn definition(&self) -> &'static lab_record::scenario::Direction {
        lab_record::scenario::get(self.id)
            .and_then(|d| d.r2c.as_ref())
            .unwrap_or_else(|| panic!("scenarios/{}.toml defines no [r2c]", self.id))
    }
}

/// One case's checked work and per-call usage, measured outside any timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checked {
    /// The checksum of one call.
    pub checksum: u64,
    pub rust_allocs: f64,
    pub c_allocs: f64,
    pub bytes_allocated: f64,
    pub bytes_copied: f64,
    /// Frees on both sides over the counted calls equal allocations: nothing leaked.
    pub balanced: bool,
}

/// Runs a case once to warm it (and fill any reused buffer), then [`COUNT_CALLS`] times counting
/// allocations and copies on both sides.
pub fn check_case(case: &Case) -> Result<Checked, LabError> {
    let checksum = case.run(1)?;
    let (sum, u): (Result<u64, LabError>, Usage) = usage_of(|| case.run(COUNT_CALLS));
    let sum = sum?;
    assert_eq!(
        sum,
        checksum.wrapping_mul(COUNT_CALLS),
        "{}/{}: the checksum changed between calls",
        case.strategy,
        case.params
    );
    let per = |x: u64| x as f64 / COUNT_CALLS as f64;
    Ok(Checked {
        checksum,
        rust_allocs: per(u.rust_allocs),
        c_allocs: per(u.c_allocs),
        bytes_allocated: per(u.bytes_allocated),
        bytes_copied: per(u.bytes_copied),
        balanced: u.rust_allocs == u.rust_frees && u.c_allocs == u.c_frees,
    })
}

/// Checks every case of a scenario: each runs, measures the counts registered with it, and
/// strategies at the same parameters agree. Returns the per-case results in case order. Panics
/// with the failing ids otherwise, so a wrong strategy fails instead of looking fast (or a
/// strategy that starts allocating fails instead of looking slower).
pub fn check_scenario(scenario: &Scenario, cases: &[Case]) -> Vec<Checked> {
    let checked: Vec<Checked> = cases
        .iter()
        .map(|c| check_case(c).unwrap_or_else(|e| panic!("{}: {e}", c.id(scenario.id))))
        .collect();
    for (case, chk) in cases.iter().zip(&checked) {
        if !case.expect.matches(chk) {
            panic!(
                "{}: counts per call differ from its registration: expected {}; measured Rust \
                 allocs {}, C allocs {}, bytes copied {}",
                case.id(scenario.id),
                case.expect,
                chk.rust_allocs,
                chk.c_allocs,
                chk.bytes_copied
            );
        }
    }
    if scenario.strategies_agree {
        for (i, a) in cases.iter().enumerate() {
            for (j, b) in cases.iter().enumerate().skip(i + 1) {
                if a.params == b.params && checked[i].checksum != checked[j].checksum {
                    panic!(
                        "{} and {} disagree: checksums {:#x} vs {:#x}",
                        a.id(scenario.id),
                        b.id(scenario.id),
                        checked[i].checksum,
                        checked[j].checksum
                    );
                }
            }
        }
    }
    checked
}
