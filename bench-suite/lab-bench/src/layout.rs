//! One address-space layout for every timed run: the bench process re-executes itself with the
//! kernel's address randomisation off (`personality(ADDR_NO_RANDOMIZE)`, what `setarch -R` does),
//! and every process it starts (the C driver, the Go reference, nginx) inherits it.
//!
//! Why: with randomisation on, the heap, the stacks and the shared objects land elsewhere in each
//! process, and some ratios move with them between processes, which no within-run spread shows.
//! It fixes one layout per build, not the best or a typical one: the layout still depends on the
//! binary, the environment and the command line. The probe:
//! docs/evidence/2026-12-02-address-layout.md.

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
