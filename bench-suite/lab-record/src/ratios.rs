//! A median with its bounds, and a row's ratios over interleaved rounds: the per-round arithmetic
//! behind × floor, × best and the margins of one row over another.

use serde::{Deserialize, Serialize};

/// Median and bounds in ns (criterion's 95 % confidence interval of the median, or the C driver's
/// spread).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ns {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

/// Ratios of one row over interleaved rounds: the median of the per-round ratios, with their
/// 25th and 75th percentiles as the bracket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ratios {
    /// Over the scenario's native floor at the same work, if it has one.
    pub to_floor: Option<Ns>,
    /// Over the fastest strategy of the same work in the same round.
    pub to_best: Option<Ns>,
    /// Minus the floor, ns per call: the row's ns less its floor's, round by round, the median of
    /// the rounds with their quartiles. Taken over the same rounds and ranks as `to_floor`, its
    /// sign is always `to_floor`'s side of 1 (a round's difference is positive exactly when its
    /// ratio is over 1), so "− floor" and "× floor" never contradict each other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minus_floor: Option<Ns>,
    pub rounds: u32,
    /// This row's ns per call in each round, in round order. The rows of one work share their
    /// rounds, so any two of them compare round by round ([`Ratios::over`]), as the floor and the
    /// best do: the report's crossovers and margins come from these. C→R: the rows of one file
    /// (one driver process); a Rust or Go row's C floor ran in its rounds, but the C file's rows
    /// keep the rounds of the C extension's own run, so compare across files only by `to_floor`.
    #[serde(default)]
    pub per_round: Vec<f64>,
}

impl Ratios {
    /// This row over `other` (a row of the same work), round by round: the median of the
    /// per-round ratios with their quartiles; `None` unless both kept the same rounds.
    pub fn over(&self, other: &Ratios) -> Option<Ns> {
        self.per_round_over(other).map(quartiles)
    }

    /// The row's ns per call from its rounds: their median with their quartiles, `None` without
    /// rounds. A row timed in rounds takes its ns from here, so its median, brackets, ratios and
    /// plot point are one measurement.
    pub fn ns(&self) -> Option<Ns> {
        (!self.per_round.is_empty()).then(|| quartiles(self.per_round.clone()))
    }

    /// This row over `other`, one ratio per round they shared; `None` unless both kept the same
    /// rounds.
    pub fn per_round_over(&self, other: &Ratios) -> Option<Vec<f64>> {
        let (a, b) = (&self.per_round, &other.per_round);
        (!a.is_empty() && a.len() == b.len()).then(|| a.iter().zip(b).map(|(x, y)| x / y).collect())
    }

    /// The ratios of the rows of one work from their interleaved rounds, the one place the
    /// per-round arithmetic is done (R→C's runner and C→R's driver records both come here).
    /// `per_round[i]` is row `i`'s ns per call in each round (every row timed in every round, so
    /// all are as long); `floors[i]` the row that is row `i`'s floor (R→C: the one `native` row
    /// for all; C→R: the C extension's same strategy, a row per strategy), `None` for none;
    /// `strategies` the rows that may be the best (not floors or references). Per round, a row's
    /// ns over its floor's and over the fastest strategy's of that same round; each ratio is the
    /// median of the rounds with their quartiles, so a slow round moves both sides together.
    ///
    /// # Panics
    /// When the rows' rounds differ in number, or `floors` does not name one entry per row: the
    /// rows were not timed in the same rounds, and no ratio of them would mean anything.
    pub fn of_rounds(
        per_round: &[Vec<f64>],
        floors: &[Option<usize>],
        strategies: &[usize],
    ) -> Vec<Ratios> {
        let n = per_round.first().map_or(0, Vec::len);
        assert!(
            per_round.iter().all(|v| v.len() == n) && floors.len() == per_round.len(),
            "rows of one work must share their rounds"
        );
        let best: Vec<f64> = (0..n)
            .map(|r| {
                strategies
                    .iter()
                    .map(|&s| per_round[s][r])
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        let over =
            |row: &[f64], den: &[f64]| quartiles(row.iter().zip(den).map(|(x, y)| x / y).collect());
        let minus =
            |row: &[f64], den: &[f64]| quartiles(row.iter().zip(den).map(|(x, y)| x - y).collect());
        per_round
            .iter()
            .zip(floors)
            .map(|(row, floor)| Ratios {
                to_floor: floor.map(|f| over(row, &per_round[f])),
                minus_floor: floor.filter(|_| n > 0).map(|f| minus(row, &per_round[f])),
                to_best: (!strategies.is_empty() && n > 0).then(|| over(row, &best)),
                rounds: n as u32,
                per_round: row.clone(),
            })
            .collect()
    }
}

/// The median of `v` with its 25th and 75th percentiles (nearest rank) as the bounds.
pub fn quartiles(mut v: Vec<f64>) -> Ns {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    Ns {
        median: at(0.5),
        low: at(0.25),
        high: at(0.75),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_one_work_compare_round_by_round() {
        let ratios = |per_round: Vec<f64>| Ratios {
            to_floor: None,
            minus_floor: None,
            to_best: None,
            rounds: per_round.len() as u32,
            per_round,
        };
        // The machine slows down in round 2; both rows see it, so their ratio does not move.
        let a = ratios(vec![2.0, 4.0, 2.0, 2.2, 2.0]);
        let b = ratios(vec![1.0, 2.0, 1.0, 1.0, 1.0]);
        let r = a.over(&b).unwrap();
        assert_eq!((r.median, r.low, r.high), (2.0, 2.0, 2.0));
        // Rows of other rounds do not compare.
        assert_eq!(a.over(&ratios(vec![1.0])), None);
        assert_eq!(ratios(vec![]).over(&ratios(vec![])), None);
    }

    #[test]
    fn ratios_of_rounds_divide_within_each_round() {
        // Rows 0 and 1 are strategies, 2 a reference, 3 row 0's floor and 4 row 1's (C→R: a
        // floor per strategy). Round 1 is slow for everyone; round 2 row 1 is the faster.
        let per_round = vec![
            vec![2.0, 20.0, 2.0],
            vec![3.0, 30.0, 1.0],
            vec![1.0, 10.0, 1.0],
            vec![1.0, 10.0, 1.0],
            vec![1.5, 15.0, 0.5],
        ];
        let floors = [Some(3), Some(4), None, None, None];
        let r = Ratios::of_rounds(&per_round, &floors, &[0, 1]);
        assert_eq!(r.len(), 5);
        let ns = |x: Option<Ns>| x.map(|x| (x.median, x.low, x.high));
        assert_eq!(ns(r[0].to_floor), Some((2.0, 2.0, 2.0)));
        assert_eq!(ns(r[1].to_floor), Some((2.0, 2.0, 2.0)));
        assert_eq!(r[2].to_floor, None);
        // Minus the floor, round by round: row 0 is 1, 10, 1 ns over row 3.
        assert_eq!(ns(r[0].minus_floor), Some((1.0, 1.0, 10.0)));
        assert_eq!(ns(r[1].minus_floor), Some((1.5, 1.5, 15.0)));
        assert_eq!(r[2].minus_floor, None);
        // The best is the fastest strategy of each round: row 0, row 0, then row 1.
        assert_eq!(ns(r[0].to_best), Some((1.0, 1.0, 2.0)));
        assert_eq!(ns(r[1].to_best), Some((1.5, 1.5, 1.5)));
        // A reference is divided by the best but never is it.
        assert_eq!(ns(r[2].to_best), Some((0.5, 0.5, 1.0)));
        assert_eq!((r[1].rounds, &r[1].per_round), (3, &per_round[1]));
        // Without strategies there is no best.
        assert_eq!(Ratios::of_rounds(&per_round, &floors, &[])[0].to_best, None);
    }

    /// "− floor" is on the side of 0 that "× floor" is of 1, whatever the rounds: a round's
    /// difference is positive exactly when its ratio is over 1, and both take the same rank.
    #[test]
    fn minus_floor_never_contradicts_to_floor() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            0.5 + (seed >> 40) as f64 / (1u64 << 24) as f64
        };
        for n in [1, 2, 5, 6, 31] {
            for _ in 0..200 {
                let rows: Vec<Vec<f64>> =
                    (0..2).map(|_| (0..n).map(|_| next()).collect()).collect();
                let r = &Ratios::of_rounds(&rows, &[Some(1), None], &[0])[0];
                let (x, d) = (r.to_floor.unwrap(), r.minus_floor.unwrap());
                assert_eq!(x.median > 1.0, d.median > 0.0, "{rows:?}");
                assert_eq!(x.median < 1.0, d.median < 0.0, "{rows:?}");
            }
        }
    }
}
