//! One address-space layout for every timed run: the bench process re-executes itself with the
//! kernel's address randomisation off (`personality(ADDR_NO_RANDOMIZE)`, what `setarch -R` does),
//! and every process it starts (the C driver, the Go reference, nginx) inherits it.
//!
//! Why: with randomisation on, where the heap, the stacks and the shared objects land changes
//! from process to process, and some ratios follow it. S14's `bulk_borrow` over `per_header_call`
//! at its three basic_auth points, the C driver run on one binary 18 times with randomisation on
//! and 18 times off, in turn: on, 4 of the 18 runs sat at ×1.11–1.22 and the others at
//! ×0.95–1.06, each run's own quartiles within 1–2 %; off, ×1.00–1.05 in all 18 but the two during
//! which the machine itself ran slow (`per_header_call` at 53–56 ns against its usual 43–46, which
//! moved the ratios of runs either way). A within-run spread cannot show a difference that only
//! moves between processes, and the conclusion that sat on it (S14's leader) changed between two
//! runs of one commit.
//!
//! What it does not do: the layout still depends on the binary, the environment and the command
//! line, so two commits (or two machines) may sit in different layouts; it fixes one layout, not
//! the best or a typical one.

use std::os::unix::process::CommandExt;

use libc::ADDR_NO_RANDOMIZE;

/// The process's personality, or `None` where the kernel refuses to say.
fn current() -> Option<libc::c_int> {
    // SAFETY: personality(0xffffffff) only queries the persona; it changes nothing.
    let p = unsafe { libc::personality(0xffff_ffff) };
    (p != -1).then_some(p)
}

/// Re-executes the process with address randomisation off, unless it already runs so. Returns
/// only when the layout cannot be fixed (a seccomp filter may forbid the persona, or the exec
/// fails), after one line saying so: timing goes on with randomisation on, and the ratios that
/// follow the layout can move between runs.
pub fn fix() {
    let Some(p) = current() else {
        eprintln!(
            "lab: cannot read the process's personality: timing with address randomisation on"
        );
        return;
    };
    if p & ADDR_NO_RANDOMIZE != 0 {
        return;
    }
    // SAFETY: setting a persona flag takes effect at the next exec and touches no memory of ours.
    if unsafe { libc::personality((p | ADDR_NO_RANDOMIZE) as libc::c_ulong) } == -1 {
        eprintln!(
            "lab: cannot turn address randomisation off ({}): timing with it on",
            std::io::Error::last_os_error()
        );
        return;
    }
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_default();
    let err = std::process::Command::new("/proc/self/exe")
        .arg0(arg0)
        .args(args)
        .exec();
    // Back to the persona we had: the processes this one starts should not differ from it.
    // SAFETY: as above.
    unsafe { libc::personality(p as libc::c_ulong) };
    eprintln!("lab: cannot re-execute with address randomisation off ({err}): timing with it on");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A child started with the flag set reports it; the flag is what `setarch -R` sets, so a
    /// wrong constant would show here.
    #[test]
    fn the_flag_is_the_one_setarch_sets() {
        let Ok(out) = std::process::Command::new("setarch")
            .args([
                std::env::consts::ARCH,
                "-R",
                "cat",
                "/proc/self/personality",
            ])
            .output()
        else {
            return; // no setarch (util-linux) on this machine
        };
        if !out.status.success() {
            return; // the persona is forbidden here (a seccomp filter)
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let p = i64::from_str_radix(text.trim(), 16).expect("a hex personality");
        assert_ne!(p & i64::from(ADDR_NO_RANDOMIZE), 0, "{text}");
    }
}
