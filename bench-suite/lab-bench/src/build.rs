//! Which build this binary is. The normal build links the C host as machine code, so every call
//! into C is a real call; the cross-language LTO build (`crate::engines::lto`, `LAB_BUILD=lto` at
//! build time) optimises both sides together. Each files its R→C rows under its own language.

/// Whether this binary is the cross-language LTO build.
pub const LTO: bool = cfg!(lab_lto);

/// The language of this build's R→C rows: `rust`, or `rust-lto` in the LTO build.
pub const R2C_LANG: &str = if LTO {
    lab_record::builds::LTO
} else {
    lab_record::builds::NORMAL
};
