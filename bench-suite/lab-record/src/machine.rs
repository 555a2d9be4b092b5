//! The machine a result was measured on: its fingerprint (with its class, whose id its results
//! live under) and the date format of the fingerprint.

use serde::{Deserialize, Serialize};

use crate::class::MachineClass;

/// Where and with what a result was measured. A report never mixes machines silently: results
/// live under `results/<id>/`, the id of the machine's [`MachineClass`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub id: String,
    pub cpu: String,
    pub cores: usize,
    /// What decides the code that runs (CPU family, model and features, glibc, valgrind, nginx);
    /// `None` in a record that lacks it; the report then says the class was not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<MachineClass>,
    pub kernel: String,
    pub rustc: String,
    pub cc: String,
    pub go: Option<String>,
    pub commit: String,
    pub date: String,
    /// Whether Rust and C were linked with cross-language LTO (never, here: every call is real).
    #[serde(default)]
    pub lto: bool,
    /// `full` or `quick`; quick results are for smoke runs, not for quoting.
    #[serde(default)]
    pub mode: String,
}

impl Machine {
    /// A machine of fixed, made-up facts (`id`, one core, mode `full`): for tests and examples
    /// that build records by hand.
    pub fn example(id: &str) -> Machine {
        Machine {
            id: id.into(),
            cpu: "example".into(),
            cores: 1,
            class: None,
            kernel: "k".into(),
            rustc: "r".into(),
            cc: "c".into(),
            go: None,
            commit: "0".into(),
            date: "1970-01-01T00:00:00Z".into(),
            lto: false,
            mode: "full".into(),
        }
    }
}

/// Formats a time as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn rfc3339_utc(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        use std::time::{Duration, UNIX_EPOCH};
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // 2026-11-23T06:00:00Z
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH + Duration::from_secs(1_795_413_600)),
            "2026-11-23T06:00:00Z"
        );
        // A leap day.
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
