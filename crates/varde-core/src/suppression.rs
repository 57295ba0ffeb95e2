//! Small-cell suppression: aggregates never reveal a person.
//!
//! Every figure Varde publishes about people (indicators, populations, yearly tables) hides
//! counts of 1–4 ([`cell`]). Where published cells add up to other published cells (units
//! within a health trust, trusts within a region, regions within the nation, a breakdown within
//! its total), hiding the small cells is not enough — a total minus the shown cells would give a
//! lone hidden cell back, and the shown cells added up would give a hidden total — so
//! [`protect`] hides more cells until none can be recovered by subtraction or addition along
//! any published sum, however many sums are chained. [`complementary`] is the one-breakdown
//! case. Every area calls these functions; none writes its own.
//!
//! What [`protect`] guarantees, for cells linked by sums (`total = parts…`):
//! - every cell of 1–4 is hidden, no zero is hidden (zeros reveal no one);
//! - solving the sums one at a time, from the shown cells, as far as it goes (the "known
//!   values" fixpoint: a sum with one unknown cell gives it), never gives a hidden cell;
//! - where a sum's total is known, its unknown parts are none or add up to at least
//!   [`THRESHOLD`] (so they are at least two, and cannot all be told to be 1).
//!
//! Where every cell is a part of at most one sum (a hierarchy, or breakdowns of one total),
//! solving one sum at a time finds everything any combination of sums would, so nothing
//! hidden can be recovered by subtraction or addition at all. Where cells are linked across
//! sums by cells that are not published ([`protect_with`]), sums are solved one at a time.
//!
//! The cells to hide beyond the small ones are chosen the smallest first within the sum that
//! gave a hidden cell away (its parts, then its total), so that the figures lost are the least.
//! A figure published beside a count and hidden with it (an indicator's numerator beside its
//! denominator) follows the same sums, so the same cells protect it.

/// Counts below this (and above zero) are hidden.
pub const THRESHOLD: u64 = 5;

/// A count as published: `None` when it is 1–4. Zero is shown (it reveals no one).
pub fn cell(n: u64) -> Option<u64> {
    (n == 0 || n >= THRESHOLD).then_some(n)
}

/// A published relation: the cell `total` is the sum of the cells `parts` (indexes into the
/// cells given to [`protect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    /// The total.
    pub total: usize,
    /// What it adds up.
    pub parts: Vec<usize>,
}

/// Which cells of a breakdown that adds up to a shown total to hide: the cells of 1–4, then
/// more (the smallest non-zero shown cell first) until no hidden cell can be recovered by
/// subtracting the shown ones from the total and the hidden cells sum to at least
/// [`THRESHOLD`]. A breakdown with nothing small hides nothing; zeros are never hidden and
/// never protect. Returns one flag per cell, in the order given. (A breakdown of one small
/// cell is its total: the caller's total is then small, and hidden by [`cell`].)
pub fn complementary(counts: &[u64]) -> Vec<bool> {
    let mut cells = counts.to_vec();
    cells.push(counts.iter().sum());
    let sums = [Sum {
        total: counts.len(),
        parts: (0..counts.len()).collect(),
    }];
    let mut hidden = protect(&cells, &sums);
    hidden.pop();
    hidden
}

/// Which of `counts` to hide, all of them published, linked by `sums`. See the module's
/// documentation for what is guaranteed.
pub fn protect(counts: &[u64], sums: &[Sum]) -> Vec<bool> {
    protect_with(counts, &vec![true; counts.len()], sums)
}

/// [`protect`] where some cells are not published (`published[i]` false): they are never
/// shown, so they are unknown to a reader, and they are never hidden for their own sake — they
/// link published cells through sums (a unit's part in each of two health trusts, say). The
/// returned flags are false for them.
pub fn protect_with(counts: &[u64], published: &[bool], sums: &[Sum]) -> Vec<bool> {
    let is_pub = |i: usize| published.get(i).copied().unwrap_or(false);
    let mut hidden: Vec<bool> = counts
        .iter()
        .enumerate()
        .map(|(i, &n)| is_pub(i) && cell(n).is_none())
        .collect();
    loop {
        match find_leak(counts, published, sums, &hidden) {
            None => return hidden,
            Some(Some(i)) => hidden[i] = true,
            Some(None) => {
                // Nothing in reach would protect it (sums that do not add up): hide every
                // non-zero published cell rather than publish one that gives a hidden one away.
                for (i, h) in hidden.iter_mut().enumerate() {
                    *h = is_pub(i) && counts[i] > 0;
                }
                return hidden;
            }
        }
    }
}

/// A table published with a total row: `rows[i][c]` is row `i`'s count in column `c`, and each
/// column adds up to the total row's cell. Returns which cells to hide, per row and for the
/// total: every column is protected along its sum ([`protect`]), and a row's later columns,
/// which count some of the units of its first (discharges with no home among the discharges),
/// are hidden with its first column.
pub fn protect_table<const K: usize>(rows: &[[u64; K]]) -> (Vec<[bool; K]>, [bool; K]) {
    let n = rows.len();
    let mut cells = Vec::with_capacity(K * (n + 1));
    let mut sums = Vec::with_capacity(K);
    for c in 0..K {
        let base = c * (n + 1);
        cells.extend(rows.iter().map(|r| r[c]));
        cells.push(rows.iter().map(|r| r[c]).sum());
        sums.push(Sum {
            total: base + n,
            parts: (base..base + n).collect(),
        });
    }
    let hidden = protect(&cells, &sums);
    let at = |c: usize, i: usize| hidden[c * (n + 1) + i];
    let flags = |i: usize| -> [bool; K] { std::array::from_fn(|c| at(0, i) || at(c, i)) };
    ((0..n).map(flags).collect(), flags(n))
}

fn cells_of(s: &Sum) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(s.total).chain(s.parts.iter().copied())
}

/// The first place where the hidden cells can be recovered, and the cell to hide next
/// (`Some(None)`: no cell would help); `None` when nothing can be recovered.
fn find_leak(
    counts: &[u64],
    published: &[bool],
    sums: &[Sum],
    hidden: &[bool],
) -> Option<Option<usize>> {
    let shown: Vec<bool> = (0..counts.len())
        .map(|i| published.get(i).copied().unwrap_or(false) && !hidden[i])
        .collect();
    let mut known = shown.clone();
    // The sum a cell was recovered from.
    let mut from: Vec<Option<usize>> = vec![None; counts.len()];
    let mut changed = true;
    while changed {
        changed = false;
        for (s, sum) in sums.iter().enumerate() {
            let mut unknown = cells_of(sum).filter(|&c| !known[c]);
            let (Some(u), None) = (unknown.next(), unknown.next()) else {
                continue;
            };
            known[u] = true;
            from[u] = Some(s);
            changed = true;
            if hidden[u] {
                return Some(to_hide(
                    s,
                    counts,
                    sums,
                    &shown,
                    &from,
                    &mut vec![false; sums.len()],
                ));
            }
        }
    }
    // A known total whose unknown parts add up to less than the threshold tells that they are
    // few (two parts adding up to 2 are 1 and 1).
    for (s, sum) in sums.iter().enumerate() {
        if !known[sum.total] {
            continue;
        }
        let rest: u64 = sum
            .parts
            .iter()
            .filter(|&&p| !known[p])
            .map(|&p| counts[p])
            .sum();
        let any = sum.parts.iter().any(|&p| !known[p]);
        if any && rest < THRESHOLD {
            return Some(to_hide(
                s,
                counts,
                sums,
                &shown,
                &from,
                &mut vec![false; sums.len()],
            ));
        }
    }
    None
}

/// The cell to hide so that sum `s` gives nothing away: its smallest shown non-zero part, else
/// its total if shown and non-zero, else (the sum's other cells were themselves recovered from
/// other sums) a cell of a sum they were recovered from.
fn to_hide(
    s: usize,
    counts: &[u64],
    sums: &[Sum],
    shown: &[bool],
    from: &[Option<usize>],
    seen: &mut Vec<bool>,
) -> Option<usize> {
    seen[s] = true;
    let sum = &sums[s];
    let candidate = sum
        .parts
        .iter()
        .copied()
        .filter(|&p| shown[p] && counts[p] > 0)
        .min_by_key(|&p| (counts[p], p))
        .or_else(|| (shown[sum.total] && counts[sum.total] > 0).then_some(sum.total));
    if candidate.is_some() {
        return candidate;
    }
    for c in cells_of(sum) {
        if let Some(t) = from[c] {
            if !seen[t] {
                if let Some(found) = to_hide(t, counts, sums, shown, from, seen) {
                    return Some(found);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shown(counts: &[u64]) -> Vec<Option<u64>> {
        counts
            .iter()
            .zip(complementary(counts))
            .map(|(n, h)| (!h).then_some(*n))
            .collect()
    }

    #[test]
    fn cells_of_one_to_four_are_hidden() {
        assert_eq!(cell(0), Some(0));
        assert_eq!((1..=4).filter_map(cell).count(), 0);
        assert_eq!(cell(5), Some(5));
    }

    #[test]
    fn no_hidden_cell_can_be_recovered_from_the_total() {
        // One small cell: the smallest other one is hidden with it.
        assert_eq!(shown(&[6, 2, 9]), [None, None, Some(9)]);
        // Two small cells summing to under 5: a third is hidden.
        assert_eq!(shown(&[1, 2, 7, 30]), [None, None, None, Some(30)]);
        // Two small cells summing to 5 or more: enough.
        assert_eq!(shown(&[3, 4, 8]), [None, None, Some(8)]);
        // Nothing small: all shown; zeros are not hidden and do not protect.
        assert_eq!(shown(&[5, 0, 6]), [Some(5), Some(0), Some(6)]);
        // A single small cell with nothing else to hide stays hidden.
        assert_eq!(shown(&[3]), [None]);
        assert_eq!(shown(&[6, 2]), [None, None]);
    }

    /// A table of two columns with a total row: each column is protected along its sum, and a
    /// row whose first column is hidden shows nothing.
    #[test]
    fn a_table_hides_along_each_column_and_a_rows_parts_with_its_first() {
        let (rows, total) = protect_table(&[[20, 6], [3, 0], [9, 2], [30, 7]]);
        // Column 0: the 3 is hidden, and the smallest other (9) with it.
        // Column 1: the 2 is hidden, and the smallest other non-zero (6) with it.
        assert_eq!(
            rows,
            vec![[false, true], [true, true], [true, true], [false, false]]
        );
        assert_eq!(total, [false, false]);
        // Nothing small: nothing hidden.
        let (rows, total) = protect_table(&[[10, 5], [8, 0]]);
        assert_eq!(rows, vec![[false, false], [false, false]]);
        assert_eq!(total, [false, false]);
        // A small total hides the whole total row.
        let (_, total) = protect_table(&[[2, 1], [1, 0]]);
        assert_eq!(total, [true, true]);
    }

    /// A health trust of 22 with a unit of 21 and one of 1: hiding the 1 alone gives it back
    /// (22 − 21), so the 21 is hidden with it; the trust stays shown, and the region with it.
    #[test]
    fn a_trust_minus_its_unit_gives_nothing_away() {
        // cells: 0 region, 1 trust A, 2 trust B, 3 unit A1, 4 unit A2, 5 unit B1
        let counts = [40, 22, 18, 21, 1, 18];
        let sums = [
            Sum {
                total: 0,
                parts: vec![1, 2],
            },
            Sum {
                total: 1,
                parts: vec![3, 4],
            },
            Sum {
                total: 2,
                parts: vec![5],
            },
        ];
        let hidden = protect(&counts, &sums);
        assert_eq!(hidden, [false, false, false, true, true, false]);
        // A small trust: hidden, and so is its only unit; the region then needs a second
        // hidden trust, and that trust's units lose one more cell.
        let counts = [30, 3, 27, 3, 20, 7];
        let sums = [
            Sum {
                total: 0,
                parts: vec![1, 2],
            },
            Sum {
                total: 1,
                parts: vec![3],
            },
            Sum {
                total: 2,
                parts: vec![4, 5],
            },
        ];
        let hidden = protect(&counts, &sums);
        assert_eq!(hidden, [false, true, true, true, false, true]);
        assert_no_recovery(&counts, &[true; 6], &sums, &hidden);
    }

    /// A unit in two trusts (names a report was given): its parts in each are cells of their
    /// own, never published, that link the sums.
    #[test]
    fn unpublished_cells_link_sums() {
        // 0 nation, 1 trust A, 2 trust B, 3 unit U (in both), 4 unit V (in A),
        // 5 U's part in A, 6 U's part in B.
        let counts = [30, 22, 8, 10, 20, 2, 8];
        let published = [true, true, true, true, true, false, false];
        let sums = [
            Sum {
                total: 0,
                parts: vec![1, 2],
            },
            Sum {
                total: 1,
                parts: vec![5, 4],
            },
            Sum {
                total: 2,
                parts: vec![6],
            },
            Sum {
                total: 3,
                parts: vec![5, 6],
            },
        ];
        let hidden = protect_with(&counts, &published, &sums);
        // Nothing is small: nothing hidden.
        assert!(hidden.iter().all(|h| !h));
        // V of 2: hidden; U's parts are unknown, but the sums one at a time give them
        // (B's part from B, A's from U), so V would come out of A: A is hidden with it.
        let counts = [20, 12, 8, 18, 2, 10, 8];
        let hidden = protect_with(&counts, &published, &sums);
        assert!(hidden[4] && hidden[1], "{hidden:?}");
        assert!(
            !hidden[5] && !hidden[6],
            "unpublished cells are not flagged"
        );
    }

    /// The check of the property tests, written apart from [`protect`]: solves the sums one at
    /// a time from the shown cells to a fixpoint — every subtraction (a total minus all parts
    /// but one) and every addition (all parts of a total) — and fails when a hidden cell comes
    /// out, or a known total's unknown parts add up to under the threshold.
    fn assert_no_recovery(counts: &[u64], published: &[bool], sums: &[Sum], hidden: &[bool]) {
        for (i, &n) in counts.iter().enumerate() {
            if published[i] {
                assert!(
                    !(1..THRESHOLD).contains(&n) || hidden[i],
                    "cell {i} ({n}) shown"
                );
                assert!(n > 0 || !hidden[i], "zero {i} hidden");
            } else {
                assert!(!hidden[i]);
            }
        }
        let mut known: Vec<bool> = (0..counts.len())
            .map(|i| published[i] && !hidden[i])
            .collect();
        loop {
            let mut progress = false;
            for s in sums {
                let unknown: Vec<usize> = std::iter::once(s.total)
                    .chain(s.parts.iter().copied())
                    .filter(|&c| !known[c])
                    .collect();
                if let [u] = unknown[..] {
                    let value = if u == s.total {
                        s.parts.iter().map(|&p| counts[p]).sum::<u64>()
                    } else {
                        counts[s.total]
                            - s.parts
                                .iter()
                                .filter(|&&p| p != u)
                                .map(|&p| counts[p])
                                .sum::<u64>()
                    };
                    assert_eq!(value, counts[u]);
                    assert!(!hidden[u], "hidden cell {u} ({value}) recovered from {s:?}");
                    known[u] = true;
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
        for s in sums {
            if known[s.total] {
                let rest: Vec<u64> = s
                    .parts
                    .iter()
                    .filter(|&&p| !known[p])
                    .map(|&p| counts[p])
                    .collect();
                let total: u64 = rest.iter().sum();
                assert!(
                    rest.is_empty() || total >= THRESHOLD,
                    "hidden parts {rest:?} of {s:?} add up to {total}"
                );
            }
        }
    }

    /// A random tree of places (nation, regions, trusts, units and, below some, care levels),
    /// each leaf with a denominator and a numerator, the inner cells their sums: the cells (den,
    /// num) and the published sums (parent = its children).
    fn tree() -> impl Strategy<Value = (Vec<u64>, Vec<u64>, Vec<Sum>)> {
        // Branching per level, and the leaves' (denominator, hits) draws.
        (
            proptest::collection::vec(1usize..5, 4),
            proptest::collection::vec((0u64..30, 0u64..=100), 200),
            any::<bool>(),
        )
            .prop_map(|(fan, draws, care_levels)| {
                let depth = if care_levels { 4 } else { 3 };
                let mut parent: Vec<Option<usize>> = vec![None];
                let mut level = vec![0usize];
                for (d, f) in fan.iter().enumerate().take(depth) {
                    let mut next = Vec::new();
                    for (k, &p) in level.iter().enumerate() {
                        let children = if d == 3 { 2 } else { 1 + (f + k) % 4 };
                        for _ in 0..children {
                            parent.push(Some(p));
                            next.push(parent.len() - 1);
                        }
                    }
                    level = next;
                }
                let n = parent.len();
                let (mut den, mut num) = (vec![0u64; n], vec![0u64; n]);
                for (i, &leaf) in level.iter().enumerate() {
                    let (d, pct) = draws[i % draws.len()];
                    den[leaf] = d;
                    num[leaf] = d * pct / 100;
                }
                // Children come after their parents: sum from the end.
                for i in (1..n).rev() {
                    if let Some(p) = parent[i] {
                        den[p] += den[i];
                        num[p] += num[i];
                    }
                }
                let mut sums: Vec<Sum> = Vec::new();
                for i in 0..n {
                    let parts: Vec<usize> = (0..n).filter(|&c| parent[c] == Some(i)).collect();
                    if !parts.is_empty() {
                        sums.push(Sum { total: i, parts });
                    }
                }
                (den, num, sums)
            })
    }

    proptest! {
        /// Whatever the breakdown, the hidden cells are none, or at least two summing to at
        /// least the threshold, or every non-zero cell; and every cell of 1–4 is hidden.
        #[test]
        fn hidden_cells_are_safe(counts in proptest::collection::vec(0u64..40, 0..12)) {
            let hidden = complementary(&counts);
            let (n, sum) = counts.iter().zip(&hidden).filter(|(_, h)| **h)
                .fold((0, 0), |(n, s), (c, _)| (n + 1, s + c));
            let nonzero = counts.iter().filter(|c| **c > 0).count();
            prop_assert!(n == 0 || (n >= 2 && sum >= THRESHOLD) || n == nonzero);
            for (c, h) in counts.iter().zip(&hidden) {
                if (1..THRESHOLD).contains(c) {
                    prop_assert!(*h);
                }
                if *c == 0 {
                    prop_assert!(!*h);
                }
            }
        }

        /// Random trees of units (unit within trust, trust within region, region within the
        /// nation, care level within unit): every subtraction and addition along every
        /// published sum, chained to a fixpoint, on the denominators and on the numerators
        /// (hidden with their denominators), gives no hidden cell back.
        #[test]
        fn no_hidden_cell_of_a_tree_can_be_recovered((den, num, sums) in tree()) {
            let hidden = protect(&den, &sums);
            let published = vec![true; den.len()];
            assert_no_recovery(&den, &published, &sums, &hidden);
            assert_no_recovery_values(&num, &sums, &hidden);
        }
    }

    /// The numerators: the same fixpoint on the values, without the thresholds (a numerator
    /// is published, or hidden, with its denominator).
    fn assert_no_recovery_values(values: &[u64], sums: &[Sum], hidden: &[bool]) {
        let mut known: Vec<bool> = hidden.iter().map(|h| !h).collect();
        loop {
            let mut progress = false;
            for s in sums {
                let unknown: Vec<usize> = std::iter::once(s.total)
                    .chain(s.parts.iter().copied())
                    .filter(|&c| !known[c])
                    .collect();
                if let [u] = unknown[..] {
                    assert!(!hidden[u], "hidden numerator {u} ({}) recovered", values[u]);
                    known[u] = true;
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
    }
}
