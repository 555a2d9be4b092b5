//! The builds a Rust row is measured in. Each files its rows under a language of its own, so a
//! scenario's results hold one file per build and the report sets them side by side.

/// A build of the Rust side: the language its rows are filed under and what it is, per direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Build {
    /// The result files' language (`<scenario>.<lang>.<direction>.json`).
    pub lang: &'static str,
    /// What the build is, in a column heading: R→C, then C→R (where the extension is loaded).
    pub r2c: &'static str,
    pub c2r: &'static str,
}

/// The normal build: C as machine code, a real call at every crossing; C→R, a `dlopen()`ed
/// extension.
pub const NORMAL: &str = "rust";
/// C→R only: the extension linked into the driver, its calls resolved at link time.
pub const STATIC: &str = "rust-static";
/// Cross-language LTO: C and Rust as LLVM bitcode, optimised together by lld (C→R: linked
/// statically), so a crossing can be inlined.
pub const LTO: &str = "rust-lto";
/// C→R only: the `dlopen()`ed extension built with `panic = "abort"`.
pub const PANIC_ABORT: &str = "rust-abort";

/// Every build, in the order the report shows them.
pub const BUILDS: [Build; 4] = [
    Build {
        lang: NORMAL,
        r2c: "normal",
        c2r: "dlopen()ed",
    },
    Build {
        lang: STATIC,
        r2c: "static",
        c2r: "static",
    },
    Build {
        lang: LTO,
        r2c: "LTO",
        c2r: "static + LTO",
    },
    Build {
        lang: PANIC_ABORT,
        r2c: "panic=abort",
        c2r: "panic=abort",
    },
];

/// The build whose rows are filed under `lang`, if `lang` is a build of the Rust side.
pub fn of_lang(lang: &str) -> Option<&'static Build> {
    BUILDS.iter().find(|b| b.lang == lang)
}

impl Build {
    /// What the build is in `direction` (`r2c` or `c2r`).
    pub fn label(&self, direction: &str) -> &'static str {
        if direction == "c2r" {
            self.c2r
        } else {
            self.r2c
        }
    }
}
