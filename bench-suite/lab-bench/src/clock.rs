//! The clock probe: the core's cycles per ns and its peak instruction rate, measured beside a
//! timed pass (`command::run`) and stored in every record it writes (`lab_record::Clock`), so the
//! report can check each row's counted instructions against the cycles it was timed in.
//!
//! Cycles are timed, not read: a virtual machine rarely exposes a cycle counter, and the clock a
//! boosting CPU runs at differs from the one `/proc/cpuinfo` names. A chain of dependent `ror`s
//! retires one per cycle on every x86-64 core (a rotate has one cycle of latency, and unlike
//! `add reg, imm` no core folds a chain of them at rename); independent `nop`s retire as fast as
//! the front end issues them, the most any code can (12 per cycle on this lab's EPYC, where a mix
//! of adds and loads reaches 6). Both loops start on a 64-byte line, so their speed does not
//! depend on where the linker put them.

use lab_record::Clock;

/// Instructions per probe run: ~5 ms at 4 GHz, long against the clock's resolution and an
/// interrupt, short against the pass.
#[cfg(target_arch = "x86_64")]
const PROBE_INSTRUCTIONS: u64 = 20_000_000;

/// The clock and peak rate: the fastest of 7 runs of each probe (a run slowed by an interrupt or
/// the other core's work only ever reads slower). `None` on other architectures.
pub fn measure() -> Option<Clock> {
    #[cfg(target_arch = "x86_64")]
    {
        let best = |f: fn(u64) -> f64| {
            (0..7)
                .map(|_| f(PROBE_INSTRUCTIONS))
                .fold(f64::MAX, f64::min)
        };
        let ghz = PROBE_INSTRUCTIONS as f64 / best(probe::rotate_chain);
        let peak_ipc = PROBE_INSTRUCTIONS as f64 / (best(probe::nops) * ghz);
        Some(Clock { ghz, peak_ipc })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        None
    }
}

/// Of two measurements around a pass, the faster clock and the higher peak: the bounds under
/// which a row's implied rate is lowest.
pub fn faster(a: Option<Clock>, b: Option<Clock>) -> Option<Clock> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Clock {
            ghz: a.ghz.max(b.ghz),
            peak_ipc: a.peak_ipc.max(b.peak_ipc),
        }),
        (a, b) => a.or(b),
    }
}

#[cfg(target_arch = "x86_64")]
mod probe {
    use std::arch::asm;
    use std::time::Instant;

    /// ns to run `n` dependent rotates (in blocks of 10; the loop's counter runs beside them).
    pub fn rotate_chain(n: u64) -> f64 {
        let t = Instant::now();
        // SAFETY: register-only instructions on operands the block owns; no memory, no stack.
        unsafe {
            asm!(
                ".p2align 6",
                "2:",
                ".rept 10",
                "ror {x}, 1",
                ".endr",
                "dec {n}",
                "jnz 2b",
                x = inout(reg) 0x5555u64 => _,
                n = inout(reg) n / 10 => _,
                options(nomem, nostack),
            );
        }
        t.elapsed().as_nanos() as f64
    }

    /// ns to run `n` instructions of independent `nop`s (blocks of 24, the loop's two included).
    pub fn nops(n: u64) -> f64 {
        let t = Instant::now();
        // SAFETY: no-ops and a counter register; no memory, no stack.
        unsafe {
            asm!(
                ".p2align 6",
                "2:",
                ".rept 22",
                "nop",
                ".endr",
                "dec {n}",
                "jnz 2b",
                n = inout(reg) n / 24 => _,
                options(nomem, nostack),
            );
        }
        t.elapsed().as_nanos() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_probe_reads_a_clock_and_a_rate_a_cpu_can_have() {
        // Bounds of any x86-64 core: its clock and its issue width. Test threads share the cores
        // with each other, and a probe preempted midway reads low: one of a few probes in bounds.
        let probes: Vec<Clock> = (0..5)
            .map(|_| measure().expect("x86-64 measures"))
            .collect();
        assert!(
            probes
                .iter()
                .any(|c| (0.2..10.0).contains(&c.ghz) && (1.0..16.0).contains(&c.peak_ipc)),
            "{probes:?}"
        );
    }

    #[test]
    fn the_faster_of_two_keeps_each_bound() {
        let a = Clock {
            ghz: 3.0,
            peak_ipc: 6.0,
        };
        let b = Clock {
            ghz: 3.5,
            peak_ipc: 5.5,
        };
        assert_eq!(
            faster(Some(a), Some(b)),
            Some(Clock {
                ghz: 3.5,
                peak_ipc: 6.0
            })
        );
        assert_eq!(faster(None, Some(a)), Some(a));
    }
}
