//! `ffi_lab … STRATEGY`: how the filter reaches nginx's headers (the names of the lab's
//! strategies; see lib.rs). The filters' own work is the shared crate lab-filters (hosts/filters).

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    #[default]
    Borrow,
    CopyPerHeader,
    BulkCopy,
}

impl Strategy {
    pub fn parse(name: &[u8]) -> Option<Strategy> {
        match name {
            b"borrow" => Some(Strategy::Borrow),
            b"copy_per_header" => Some(Strategy::CopyPerHeader),
            b"bulk_copy" => Some(Strategy::BulkCopy),
            _ => None,
        }
    }
}
