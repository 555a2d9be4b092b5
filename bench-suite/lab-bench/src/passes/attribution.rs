//! Where a counted case's instructions go: each function's self instructions (`Ir`) in a
//! callgrind dump, and their difference per call between a case's two batches, as the case's
//! totals are differenced ([`super::callgrind::counts_of`]). The report names from them the
//! functions in which a strategy runs more instructions than its floor.
//!
//! A dump lists costs by function: `fn=` opens a function's block, whose cost lines
//! (`<position> <events…>`) are its self costs; `calls=` announces a call, and the cost line after
//! it is the callee's inclusive cost, charged to the callee's own block too, so it is not added.
//! With `--compress-strings` (callgrind's default) a name is given once as `fn=(id) name` or
//! `cfn=(id) name` (one table for both) and referred to after by `fn=(id)`.

use std::collections::BTreeMap;

use lab_record::FunctionCost;

/// Self instructions by function (shortened names, [`short_name`]) in one dump.
pub type SelfCosts = BTreeMap<String, u64>;

/// The self `Ir` of every function in the dump `text`, by [`short_name`]; functions of one name
/// (the same function in several objects or files, or names equal once shortened) are summed.
pub fn self_costs(text: &str) -> SelfCosts {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut out = SelfCosts::new();
    // The column of `Ir` in a cost line: after the position columns.
    let mut ir_column = None;
    let mut positions = 1;
    let mut current: Option<String> = None;
    let mut after_calls = false;
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("positions: ") {
            positions = p.split_whitespace().count();
        } else if let Some(e) = line.strip_prefix("events: ") {
            ir_column = e
                .split_whitespace()
                .position(|e| e == "Ir")
                .map(|i| i + positions);
        } else if let Some(f) = line.strip_prefix("fn=") {
            current = Some(name_of(f, &mut names));
            after_calls = false;
        } else if let Some(f) = line.strip_prefix("cfn=") {
            // Defines a name of the shared table; the callee's costs come under its own `fn=`.
            name_of(f, &mut names);
        } else if line.starts_with("calls=") {
            after_calls = true;
        } else if line.starts_with(|c: char| c.is_ascii_digit() || "+-*".contains(c)) {
            if std::mem::take(&mut after_calls) {
                continue;
            }
            let (Some(f), Some(col)) = (&current, ir_column) else {
                continue;
            };
            let ir: u64 = line
                .split_whitespace()
                .nth(col)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            *out.entry(short_name(f)).or_default() += ir;
        }
    }
    out
}

/// The name of a `fn=`/`cfn=` value, `(id) name`, `(id)` or `name`, recording a compressed name.
fn name_of(value: &str, names: &mut BTreeMap<String, String>) -> String {
    let value = value.trim();
    let Some(rest) = value.strip_prefix('(') else {
        return value.to_owned();
    };
    let Some((id, name)) = rest.split_once(')') else {
        return value.to_owned();
    };
    let name = name.trim();
    if name.is_empty() {
        names.get(id).cloned().unwrap_or_else(|| value.to_owned())
    } else {
        names.insert(id.to_owned(), name.to_owned());
        name.to_owned()
    }
}

/// A demangled name made readable: without Rust's legacy hash (`::h0123…`) and without generic
/// arguments (`::<…>`, and `<…>` after a name), so that
/// `<lab_bench::case::Case>::new::<lab_bench::r2c::Input, fn(…)>::{closure#0}` reads
/// `<lab_bench::case::Case>::new::{closure#0}`. A qualified self type (`<A as B>`) keeps its
/// brackets.
pub fn short_name(name: &str) -> String {
    let name = match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            head
        }
        _ => name,
    };
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let chars: Vec<char> = name.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if depth > 0 {
            match c {
                '<' => depth += 1,
                // A function type's `->` closes nothing.
                '>' if i > 0 && chars[i - 1] == '-' => {}
                '>' => depth -= 1,
                _ => {}
            }
        } else if c == '<' && out.ends_with("::") {
            // Generic arguments `::<…>`: dropped with their `::`.
            out.truncate(out.len() - 2);
            depth = 1;
        } else if c == '<'
            && out
                .chars()
                .last()
                .is_some_and(|p| p.is_alphanumeric() || p == '_')
        {
            // Generic arguments right after a type name (`Vec<u8>` inside `<…>`).
            depth = 1;
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Each function's self instructions per call between the batches of `n1` and `n2` calls, most
/// first: those of at least [`FunctionCost::LEAST`] (at most [`FunctionCost::MOST`]), the rest
/// summed as [`FunctionCost::OTHER`] when that is not zero.
pub fn per_call(n1: u64, at_n1: &SelfCosts, n2: u64, at_n2: &SelfCosts) -> Vec<FunctionCost> {
    let calls = (n2 - n1) as f64;
    let mut all: Vec<FunctionCost> = at_n2
        .keys()
        .chain(at_n1.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|f| {
            let at = |m: &SelfCosts| m.get(f).copied().unwrap_or(0) as f64;
            FunctionCost {
                function: f.clone(),
                instructions: (at(at_n2) - at(at_n1)) / calls,
            }
        })
        .filter(|c| c.instructions != 0.0)
        .collect();
    all.sort_by(|a, b| b.instructions.total_cmp(&a.instructions));
    let named = all
        .iter()
        .take_while(|c| c.instructions >= FunctionCost::LEAST)
        .count()
        .min(FunctionCost::MOST);
    let other: f64 = all[named..].iter().map(|c| c.instructions).sum();
    all.truncate(named);
    if other != 0.0 {
        all.push(FunctionCost {
            function: FunctionCost::OTHER.to_owned(),
            instructions: other,
        });
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dump as callgrind writes it with compressed names: `main`'s self cost is its own lines
    /// only (3 + 4), the `calls=` line's inclusive cost (1000) is not added, and the callee named
    /// first by `cfn=(2) work` and then by `fn=(2)` gets its own block's cost.
    const DUMP: &str = "# callgrind format\nversion: 1\npositions: line\n\
        events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n\
        ob=(1) /bin/x\nfl=(1) x.rs\n\
        fn=(1) lab_bench::r2c::s05_pass_batch::pinned_batch::h0123456789abcdef\n\
        10 3 1\n\
        cfn=(2) work\ncalls=5 20\n+10 1000 200 100\n\
        +1 4\n\
        fn=(2)\n20 990 200 100\n* 10\n\
        fn=(3) malloc\n-5 0\n\
        fn=(1)\n30 2\n\
        totals: 1009\n";

    #[test]
    fn self_costs_leave_calls_out_and_follow_compressed_names() {
        let c = self_costs(DUMP);
        assert_eq!(
            c.into_iter().collect::<Vec<_>>(),
            [
                ("lab_bench::r2c::s05_pass_batch::pinned_batch".to_owned(), 9),
                ("malloc".to_owned(), 0),
                ("work".to_owned(), 1000),
            ]
        );
        // Without `Ir` no cost is read.
        assert!(self_costs("events: Dr\nfn=f\n1 5\n")
            .values()
            .all(|&v| v == 0));
    }

    #[test]
    fn names_lose_hashes_and_generic_arguments() {
        assert_eq!(
            short_name("<lab_bench::case::Case>::new::<lab_bench::r2c::In, fn(&u8) -> core::result::Result<u64, lab_sys::host::LabError>>::{closure#0}"),
            "<lab_bench::case::Case>::new::{closure#0}"
        );
        assert_eq!(
            short_name("<alloc::vec::Vec<u8> as core::ops::Drop>::drop"),
            "<alloc::vec::Vec as core::ops::Drop>::drop"
        );
        assert_eq!(short_name("lab_consume_str"), "lab_consume_str");
        assert_eq!(short_name("foo::hx"), "foo::hx");
    }

    #[test]
    fn per_call_differences_name_the_largest_and_sum_the_rest() {
        let at = |pairs: &[(&str, u64)]| -> SelfCosts {
            pairs.iter().map(|&(f, v)| (f.to_owned(), v)).collect()
        };
        let n1 = at(&[("a", 100), ("b", 50), ("c", 7), ("gone", 3)]);
        let mut n2 = at(&[("a", 100 + 3 * 1000), ("b", 50 + 20_000), ("c", 7 + 500)]);
        for i in 0..10 {
            n2.insert(format!("f{i:02}"), 2000 + i);
        }
        let out = per_call(100, &n1, 1100, &n2);
        let names: Vec<&str> = out.iter().map(|c| c.function.as_str()).collect();
        // `b` 20, `a` 3, then the 2-per-call `f..` fill the eight; `c` (0.5) and `gone`
        // (-0.003) and the two last `f..` go to "other".
        assert_eq!(names[..2], ["b", "a"]);
        assert_eq!(out.len(), FunctionCost::MOST + 1);
        assert_eq!(out.last().unwrap().function, FunctionCost::OTHER);
        let total: f64 = out.iter().map(|c| c.instructions).sum();
        let expected = (n2.values().sum::<u64>() - n1.values().sum::<u64>()) as f64 / 1000.0;
        assert!((total - expected).abs() < 1e-9, "{total} vs {expected}");
        assert_eq!(out[0].instructions, 20.0);
    }
}
