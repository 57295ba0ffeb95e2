//! CUSUM for Poisson counts (`cusum` / `algo.cusum`; Rossi et al. 1999).

use crate::{Error, Result, Series, WeekResult};

/// `trans` of `cusum`: how counts are standardised before the CUSUM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CusumTrans {
    /// `(y - m) / sqrt(m)`
    Standard,
    /// Rossi's approximate normal transformation `(y - 3m + 2 sqrt(y m)) / (2 sqrt(m))`.
    Rossi,
    /// Anscombe: `3/2 (y^(2/3) - m^(2/3)) / m^(1/6)`.
    Anscombe,
    /// Pearson residual under a negative binomial with `alpha`: `(y - m) / sqrt(m + alpha m^2)`.
    PearsonNegBin,
    /// No transformation.
    None,
}

/// Control list of `cusum`. `m = None` means the mean of all weeks before the range.
#[derive(Clone, Debug, PartialEq)]
pub struct CusumControl {
    pub k: f64,
    pub h: f64,
    pub m: Option<f64>,
    pub trans: CusumTrans,
    pub alpha: Option<f64>,
}

impl Default for CusumControl {
    fn default() -> Self {
        CusumControl {
            k: 1.04,
            h: 2.26,
            m: None,
            trans: CusumTrans::Standard,
            alpha: None,
        }
    }
}

impl CusumControl {
    fn transform(&self, y: f64, m: f64, alpha: f64) -> f64 {
        match self.trans {
            CusumTrans::Standard => (y - m) / m.sqrt(),
            CusumTrans::Rossi => (y - 3.0 * m + 2.0 * (y * m).sqrt()) / (2.0 * m.sqrt()),
            CusumTrans::Anscombe => {
                1.5 * (y.powf(2.0 / 3.0) - m.powf(2.0 / 3.0)) / m.powf(1.0 / 6.0)
            }
            CusumTrans::PearsonNegBin => (y - m) / (m + alpha * m * m).sqrt(),
            CusumTrans::None => y,
        }
    }

    /// Smallest real count `y` with `transform(y) >= c`.
    fn inverse(&self, c: f64, m: f64, alpha: f64) -> f64 {
        match self.trans {
            CusumTrans::Standard => m + c * m.sqrt(),
            CusumTrans::Rossi => {
                let s = -m.sqrt() + (4.0 * m + 2.0 * m.sqrt() * c).max(0.0).sqrt();
                s.max(0.0).powi(2)
            }
            CusumTrans::Anscombe => (m.powf(2.0 / 3.0) + c * m.powf(1.0 / 6.0) / 1.5)
                .max(0.0)
                .powf(1.5),
            CusumTrans::PearsonNegBin => m + c * (m + alpha * m * m).sqrt(),
            CusumTrans::None => c,
        }
    }
}

/// `cusum` over the 1-based weeks in `range`. `expected` is the in-control mean m.
pub fn cusum(
    s: &Series,
    range: std::ops::RangeInclusive<usize>,
    ctl: &CusumControl,
) -> Result<Vec<WeekResult>> {
    let y = &s.observed;
    let start = *range.start();
    if start < 2 && ctl.m.is_none() || *range.end() > y.len() || start == 0 {
        return Err(Error::Range {
            week: start,
            reason: "CUSUM needs at least one week before the range to estimate m".into(),
        });
    }
    let alpha = match (ctl.trans, ctl.alpha) {
        (CusumTrans::PearsonNegBin, None) => {
            return Err(Error::Param("trans=pearsonNegBin needs alpha".into()));
        }
        (_, a) => a.unwrap_or(0.0),
    };
    let m = ctl
        .m
        .unwrap_or_else(|| y[..start - 1].iter().sum::<f64>() / (start - 1) as f64);
    if (m.is_nan() || m <= 0.0) && ctl.trans != CusumTrans::None {
        // No counts before the range: the standardisation divides by 0 and R
        // returns no usable value; every week is reported empty.
        return Ok(range.map(|t| WeekResult::empty(t, y[t - 1])).collect());
    }
    let mut sprev = 0.0;
    let mut out = Vec::new();
    for wk in range {
        let yt = y[wk - 1];
        let mut r = WeekResult::empty(wk, yt);
        let ub = ctl.inverse(ctl.h + ctl.k - sprev, m, alpha).ceil().max(0.0);
        let st = (sprev + ctl.transform(yt, m, alpha) - ctl.k).max(0.0);
        r.upperbound = Some(ub);
        r.alarm = Some(st >= ctl.h);
        r.expected = Some(m);
        r.score = Some(st);
        sprev = st;
        out.push(r);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_history_gives_empty_rows() {
        let s = Series::new(vec![0.0, 0.0, 0.0, 4.0]);
        let r = cusum(&s, 3..=4, &CusumControl::default());
        assert_eq!(
            r.map(|v| v
                .iter()
                .map(|w| (w.week_index, w.alarm))
                .collect::<Vec<_>>()),
            Ok(vec![(3, None), (4, None)])
        );
    }

    #[test]
    fn standard_bound_and_alarm() {
        // m = 4: U_1 = ceil(2 * 3.3 + 4) = 11; y = 11 gives S = 3.5 - 1.04 >= 2.26.
        let s = Series::new(vec![4.0, 4.0, 11.0]);
        let r = cusum(&s, 3..=3, &CusumControl::default()).unwrap_or_default();
        assert_eq!(r[0].upperbound, Some(11.0));
        assert_eq!(r[0].alarm, Some(true));
    }
}
