//! Small-cell suppression: aggregates never reveal a person.
//!
//! Every figure Varde publishes about people (indicators, populations, yearly tables) hides
//! counts of 1–4. Where a breakdown adds up to a total that is shown, hiding the small cells is
//! not enough — the total minus the shown cells would give a lone hidden cell back — so
//! [`complementary`] hides more cells, the smallest first, until no hidden cell can be
//! recovered by subtraction. Every area calls these functions; none writes its own.

/// Counts below this (and above zero) are hidden.
pub const THRESHOLD: u64 = 5;

/// A count as published: `None` when it is 1–4. Zero is shown (it reveals no one).
pub fn cell(n: u64) -> Option<u64> {
    (n == 0 || n >= THRESHOLD).then_some(n)
}

/// Which cells of a breakdown that adds up to a shown total to hide: the cells of 1–4, then
/// more (the smallest non-zero shown cell first) until the hidden cells are at least two and
/// sum to at least [`THRESHOLD`] — so that no hidden cell can be recovered by subtracting the
/// shown ones from the total. A breakdown with nothing small hides nothing; zeros are never
/// hidden and never protect. Returns one flag per cell, in the order given.
pub fn complementary(counts: &[u64]) -> Vec<bool> {
    let mut hidden: Vec<bool> = counts.iter().map(|&n| cell(n).is_none()).collect();
    loop {
        let (n_hidden, sum) = counts
            .iter()
            .zip(&hidden)
            .filter(|(_, h)| **h)
            .fold((0usize, 0u64), |(n, s), (c, _)| (n + 1, s + c));
        if n_hidden == 0 || (n_hidden >= 2 && sum >= THRESHOLD) {
            break;
        }
        let next = counts
            .iter()
            .zip(&hidden)
            .enumerate()
            .filter(|(_, (c, h))| !**h && **c > 0)
            .min_by_key(|(_, (c, _))| **c)
            .map(|(i, _)| i);
        match next {
            Some(i) => hidden[i] = true,
            None => break,
        }
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

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

    proptest::proptest! {
        /// Whatever the breakdown, the hidden cells are none, or at least two summing to at
        /// least the threshold, or every non-zero cell; and every cell of 1–4 is hidden.
        #[test]
        fn hidden_cells_are_safe(counts in proptest::collection::vec(0u64..40, 0..12)) {
            let hidden = complementary(&counts);
            let (n, sum) = counts.iter().zip(&hidden).filter(|(_, h)| **h)
                .fold((0, 0), |(n, s), (c, _)| (n + 1, s + c));
            let nonzero = counts.iter().filter(|c| **c > 0).count();
            proptest::prop_assert!(n == 0 || (n >= 2 && sum >= THRESHOLD) || n == nonzero);
            for (c, h) in counts.iter().zip(&hidden) {
                if (1..THRESHOLD).contains(c) {
                    proptest::prop_assert!(*h);
                }
                if *c == 0 {
                    proptest::prop_assert!(!*h);
                }
            }
        }
    }
}
