//! Conclusions of S04 get a string of known length from C (FINDINGS S04, `s04_known_length`, R→C):
//! what letting C fill a buffer the caller sized in advance (`prealloc_*`) saves against S03's
//! clone of C's memory (`clone_on_return`).

use super::shared::{fastest_by_len, ratio_at_len_ends, View};

pub fn r2c(v: &View) -> Vec<String> {
    let f = v.file;
    let mut c = vec![fastest_by_len(v)];
    // Against `prealloc_heap`, which allocates once per call as the clone does: the ratio is what
    // knowing the size on entry saves, not an allocation.
    c.extend(ratio_at_len_ends(f, "prealloc_heap", "clone_on_return"));
    c
}
