//! The machine class: what decides which code a run executes besides the lab's own, as one line
//! and the short id its records live under (`results/<id>/`). Two machines of one class run the
//! same instructions; machines of two classes may not (glibc picks `memcpy`, `strlen` and friends
//! by the CPU's features and model at load time), so their records never share a folder and their
//! counts never share a committed fixture.

use serde::{Deserialize, Serialize};

/// The CPU features glibc's x86-64 string and memory routines dispatch on (its `ifunc-*.h`
/// selectors: SSE4.2 for the `strcspn` family, AVX2 and BMI2 for the AVX2 variants, AVX-512 F, BW
/// and VL for the EVEX ones, ERMS and FSRM for `rep movsb`, RTM for the `_rtm` variants, MOVBE and
/// LZCNT (`abm`) for `memcmp` and `memrchr`), as `/proc/cpuinfo` spells them.
pub const DISPATCH_FEATURES: &[&str] = &[
    "abm", "avx", "avx2", "avx512bw", "avx512f", "avx512vl", "bmi2", "erms", "fsrm", "movbe",
    "rtm", "sse4_2", "ssse3",
];

/// One machine class. Its [`line`](MachineClass::line) names every field; the id hashes the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineClass {
    /// `vendor_id` (`AuthenticAMD`, `GenuineIntel`).
    pub vendor: String,
    /// `model name` (`AMD EPYC`).
    pub model_name: String,
    /// `cpu family`, `model` and `stepping`, decimal as `/proc/cpuinfo` prints them.
    pub family: Option<u32>,
    pub model: Option<u32>,
    pub stepping: Option<u32>,
    /// The [`DISPATCH_FEATURES`] this CPU has, sorted.
    pub features: Vec<String>,
    /// The cores this process may run on.
    pub cores: usize,
    /// glibc's version, with the distribution's build where `ldd` names it.
    pub glibc: String,
    /// `valgrind --version`: it decides the callgrind pass's counts.
    pub valgrind: String,
    /// The nginx packages S15 runs in (name and version each), the line's last field.
    pub nginx: String,
}

/// What [`MachineClass::from_probes`] reads: the text of `/proc/cpuinfo`, the core count, and the
/// output of `ldd --version`, `valgrind --version` and `dpkg-query` for nginx (empty where a tool
/// is missing).
#[derive(Debug, Clone, Default)]
pub struct Probes<'a> {
    pub cpuinfo: &'a str,
    pub cores: usize,
    pub ldd: &'a str,
    pub valgrind: &'a str,
    pub nginx: &'a str,
}

impl MachineClass {
    /// The class of a machine from what was read on it. The first processor's block decides: a
    /// machine whose cores differ (a hybrid CPU) is classed by its first.
    pub fn from_probes(p: &Probes<'_>) -> MachineClass {
        let first_block = p.cpuinfo.split("\n\n").next().unwrap_or("");
        let field = |name: &str| {
            first_block.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == name).then(|| v.trim().to_owned())
            })
        };
        let number = |name: &str| field(name).and_then(|v| v.parse().ok());
        let flags = field("flags").unwrap_or_default();
        let mut features: Vec<String> = DISPATCH_FEATURES
            .iter()
            .filter(|f| flags.split_whitespace().any(|g| g == **f))
            .map(|f| (*f).to_owned())
            .collect();
        features.sort();
        let or_none = |s: &str, none: &str| {
            let s = s.trim();
            if s.is_empty() {
                none.to_owned()
            } else {
                s.to_owned()
            }
        };
        MachineClass {
            vendor: field("vendor_id").unwrap_or_else(|| "unknown".into()),
            model_name: field("model name").unwrap_or_else(|| "unknown".into()),
            family: number("cpu family"),
            model: number("model"),
            stepping: number("stepping"),
            features,
            cores: p.cores,
            glibc: glibc_version(p.ldd),
            valgrind: or_none(p.valgrind.lines().next().unwrap_or(""), "no valgrind"),
            nginx: or_none(p.nginx, "no nginx"),
        }
    }

    /// `family 25 model 17 stepping 1`, `?` for what the CPU does not report.
    pub fn cpu_id(&self) -> String {
        let n = |v: Option<u32>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
        format!(
            "family {} model {} stepping {}",
            n(self.family),
            n(self.model),
            n(self.stepping)
        )
    }

    /// The class as one line of fields joined by ` | `, nginx's packages last:
    /// `AuthenticAMD AMD EPYC family 25 model 17 stepping 1 | avx avx2 … | 2 cores | glibc … |
    /// valgrind-3.19.0 | nginx 1.22.1-9+deb12u12 …`.
    pub fn line(&self) -> String {
        let features = if self.features.is_empty() {
            "none".to_owned()
        } else {
            self.features.join(" ")
        };
        format!(
            "{} {} {} | {features} | {} cores | {} | {} | {}",
            self.vendor,
            self.model_name,
            self.cpu_id(),
            self.cores,
            self.glibc,
            self.valgrind,
            self.nginx
        )
    }

    /// `<name>-f<family>m<model>-<cores>c-<hash>`, e.g. `epyc-f25m17-2c-3f9a1c`: the model name's
    /// first word that is not a vendor's, the CPU's family and model, the cores, and six hex digits
    /// of a hash of the whole [`line`](MachineClass::line), so any field that differs gives another
    /// id while the id stays readable.
    pub fn id(&self) -> String {
        const VENDOR_WORDS: &[&str] = &[
            "amd",
            "intel",
            "r",
            "tm",
            "genuine",
            "authentic",
            "processor",
            "cpu",
        ];
        let name = self
            .model_name
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .map(str::to_ascii_lowercase)
            .find(|w| {
                !w.is_empty()
                    && !VENDOR_WORDS.contains(&w.as_str())
                    && w.chars().all(|c| c.is_ascii_alphanumeric())
            })
            .unwrap_or_else(|| "cpu".into());
        let cpu = match (self.family, self.model) {
            (Some(f), Some(m)) => format!("-f{f}m{m}"),
            _ => String::new(),
        };
        format!("{name}{cpu}-{}c-{}", self.cores, line_hash(&self.line()))
    }
}

/// The last part of a class's id: six hex digits of FNV-1a over its line (tiny, and stable across
/// Rust versions, unlike `DefaultHasher`).
pub fn line_hash(line: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in line.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("{:06x}", h & 0x00ff_ffff)
}

/// The line without its last field (nginx's packages): two classes whose lines agree here run the
/// same code everywhere but inside nginx.
pub fn line_without_nginx(line: &str) -> &str {
    line.rsplit_once(" | ").map_or(line, |(head, _)| head)
}

/// `glibc 2.36 (Debian GLIBC 2.36-9+deb12u14)` from `ldd --version`'s first line
/// (`ldd (Debian GLIBC 2.36-9+deb12u14) 2.36`); `no glibc` where there is none.
fn glibc_version(ldd: &str) -> String {
    let first = ldd.lines().next().unwrap_or("").trim();
    let Some(version) = first
        .split_whitespace()
        .last()
        .filter(|_| !first.is_empty())
    else {
        return "no glibc".into();
    };
    match first
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
    {
        Some((build, _)) => format!("glibc {version} ({build})"),
        None => format!("glibc {version}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two processors of a 2-core AMD EPYC with AVX-512 (family 25 model 17), cut to the fields
    /// that matter and a few that do not.
    const EPYC_AVX512: &str = "processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 17
model name\t: AMD EPYC
stepping\t: 1
cpu MHz\t\t: 2595.124
flags\t\t: fpu vme sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt abm avx f16c bmi1 avx2 bmi2 erms avx512f avx512dq avx512bw avx512vl fsrm rdpid

processor\t: 1
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 17
model name\t: AMD EPYC
stepping\t: 1
flags\t\t: fpu vme sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt abm avx f16c bmi1 avx2 bmi2 erms avx512f avx512dq avx512bw avx512vl fsrm rdpid
";

    const LDD: &str = "ldd (Debian GLIBC 2.36-9+deb12u14) 2.36\nCopyright (C) 2022 Free Software Foundation, Inc.\n";
    const NGINX: &str = "libnginx-mod-http-js 0.7.9-2 libnginx-mod-http-lua 1:0.10.23-1+deb12u1 nginx 1.22.1-9+deb12u12";

    fn class(cpuinfo: &str) -> MachineClass {
        MachineClass::from_probes(&Probes {
            cpuinfo,
            cores: 2,
            ldd: LDD,
            valgrind: "valgrind-3.19.0\n",
            nginx: NGINX,
        })
    }

    #[test]
    fn reads_the_cpu_and_the_features_glibc_dispatches_on() {
        let c = class(EPYC_AVX512);
        assert_eq!(
            c.line(),
            format!(
                "AuthenticAMD AMD EPYC family 25 model 17 stepping 1 \
                 | abm avx avx2 avx512bw avx512f avx512vl bmi2 erms fsrm movbe sse4_2 ssse3 \
                 | 2 cores | glibc 2.36 (Debian GLIBC 2.36-9+deb12u14) | valgrind-3.19.0 | {NGINX}"
            )
        );
        let id = c.id();
        assert!(id.starts_with("epyc-f25m17-2c-"), "{id}");
        assert_eq!(id.len(), "epyc-f25m17-2c-".len() + 6, "{id}");
        assert_eq!(id, class(EPYC_AVX512).id(), "one class, one id");
    }

    /// The issue's case: the same model name and core count, but another model without AVX-512,
    /// must not share the folder.
    #[test]
    fn another_model_or_other_features_give_another_id() {
        let without_avx512 = EPYC_AVX512
            .replace(" avx512f avx512dq avx512bw avx512vl fsrm", "")
            .replace("model\t\t: 17", "model\t\t: 1");
        let (a, b) = (class(EPYC_AVX512), class(&without_avx512));
        assert_eq!(
            b.features
                .iter()
                .filter(|f| f.starts_with("avx512"))
                .count(),
            0
        );
        assert_ne!(a.id(), b.id());
        assert!(b.id().starts_with("epyc-f25m1-2c-"), "{}", b.id());
        // Only the flags differ: still another id.
        let flags_only = EPYC_AVX512.replace(" avx512f avx512dq avx512bw avx512vl", "");
        assert_ne!(a.id(), class(&flags_only).id());
        assert!(class(&flags_only).id().starts_with("epyc-f25m17-2c-"));
        // Only the model differs: still another id.
        let model_only = EPYC_AVX512.replace("model\t\t: 17", "model\t\t: 1");
        assert_ne!(a.id(), class(&model_only).id());
        // A flag glibc does not dispatch on changes nothing.
        let other_flag = EPYC_AVX512.replace(" rdpid", "");
        assert_eq!(a.id(), class(&other_flag).id());
    }

    #[test]
    fn cores_libc_valgrind_and_nginx_are_part_of_the_class() {
        let base = class(EPYC_AVX512);
        let mut four = base.clone();
        four.cores = 4;
        assert!(four.id().starts_with("epyc-f25m17-4c-"));
        for other in [
            MachineClass {
                glibc: "glibc 2.39".into(),
                ..base.clone()
            },
            MachineClass {
                valgrind: "valgrind-3.22.0".into(),
                ..base.clone()
            },
            MachineClass {
                nginx: "nginx 1.26.0".into(),
                ..base.clone()
            },
        ] {
            assert_ne!(other.id(), base.id(), "{}", other.line());
        }
        let nginx = MachineClass {
            nginx: "nginx 1.26.0".into(),
            ..base.clone()
        };
        assert_eq!(
            line_without_nginx(&nginx.line()),
            line_without_nginx(&base.line())
        );
    }

    /// What a machine without some tool or field reports: named, never a panic.
    #[test]
    fn missing_probes_are_named() {
        let c = MachineClass::from_probes(&Probes {
            cpuinfo: "processor\t: 0\nCPU implementer\t: 0x41\n",
            cores: 1,
            ..Probes::default()
        });
        assert_eq!(
            c.line(),
            "unknown unknown family ? model ? stepping ? | none | 1 cores | no glibc | no valgrind | no nginx"
        );
        assert!(c.id().starts_with("unknown-1c-"), "{}", c.id());
        assert_eq!(
            glibc_version("ldd (GNU libc) 2.39\n"),
            "glibc 2.39 (GNU libc)"
        );
        assert_eq!(glibc_version("ldd 2.39\n"), "glibc 2.39");
    }
}
