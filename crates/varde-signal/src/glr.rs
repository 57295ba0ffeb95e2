//! Poisson GLR detector for an increase of the intercept (`glrnb` with
//! `alpha = 0`, `change = "intercept"`, `dir = "inc"`; Höhle & Paul 2008).

use crate::glm::{fit_poisson, Row, Scratch};
use crate::{Error, Result, Series, WeekResult};

/// What `upperbound` reports (`ret`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlrRet {
    /// The GLR statistic.
    Value,
    /// The smallest count that would have raised an alarm.
    Cases,
}

/// Control list of `glrnb` (Poisson, intercept change, increases only).
#[derive(Clone, Debug, PartialEq)]
pub struct GlrControl {
    pub c_arl: f64,
    /// `M`: how far back the change point may lie (-1: back to the last alarm).
    pub m_window: i64,
    /// `Mtilde`: observations needed before a change point is estimated.
    pub mtilde: usize,
    pub ret: GlrRet,
    /// In-control means for the range; `None` fits the package default model.
    pub mu0: Option<Vec<f64>>,
}

impl Default for GlrControl {
    fn default() -> Self {
        GlrControl {
            c_arl: 5.0,
            m_window: -1,
            mtilde: 1,
            ret: GlrRet::Cases,
            mu0: None,
        }
    }
}

/// Default in-control model: Poisson GLM `log mu = a + b cos(2πt/52) + c sin(2πt/52)`
/// on weeks `1..start-1`, predicted for weeks `start..=end`.
pub fn default_mu0(y: &[f64], start: usize, end: usize) -> Option<Vec<f64>> {
    let row = |t: usize| {
        let w = 2.0 * std::f64::consts::PI * t as f64 / 52.0;
        let mut r = Row::default();
        r.push(0, 1.0);
        r.push(1, w.cos());
        r.push(2, w.sin());
        r
    };
    let rows: Vec<Row> = (1..start).map(row).collect();
    let fit = fit_poisson(
        &rows,
        &y[..start - 1],
        None,
        None,
        3,
        &mut Scratch::default(),
    )?;
    Some((start..=end).map(|t| row(t).dot(&fit.beta).exp()).collect())
}

/// GLR statistic at the end of `x`/`mu` (both from the segment start), with
/// change points `j` restricted to `lo..=hi` (indices into the slices).
fn glr_stat(x: &[f64], mu: &[f64], lo: usize, hi: usize) -> f64 {
    let mut sx = 0.0;
    let mut sm = 0.0;
    let mut best = 0.0f64;
    let n = x.len();
    // Sums over j..n, accumulated backwards.
    for j in (0..n).rev() {
        sx += x[j];
        sm += mu[j];
        if j < lo || j > hi {
            continue;
        }
        let kappa = if sx > 0.0 {
            (sx / sm).ln().max(0.0)
        } else {
            0.0
        };
        let v = kappa * sx - (kappa.exp() - 1.0) * sm;
        best = best.max(v);
    }
    best
}

/// `glrnb` over the 1-based weeks in `range`. `expected` is mu0.
pub fn glr_poisson(
    s: &Series,
    range: std::ops::RangeInclusive<usize>,
    ctl: &GlrControl,
) -> Result<Vec<WeekResult>> {
    let y = &s.observed;
    let (start, end) = (*range.start(), *range.end());
    if end > y.len() || start > end || start < 1 {
        return Err(Error::Range {
            week: end,
            reason: format!("the series has {} weeks", y.len()),
        });
    }
    let mu0 = match &ctl.mu0 {
        Some(m) if m.len() == end + 1 - start => m.clone(),
        Some(_) => {
            return Err(Error::Param(
                "mu0 must have one value per week of the range".into(),
            ))
        }
        None => {
            if start < 5 {
                return Err(Error::Range {
                    week: start,
                    reason: "GLR needs weeks before the range to fit the in-control model".into(),
                });
            }
            match default_mu0(y, start, end) {
                Some(m) => m,
                // No usable in-control model (e.g. almost no counts): every
                // week is reported without a value.
                None => {
                    return Ok((start..=end)
                        .map(|t| WeekResult::empty(t, y[t - 1]))
                        .collect())
                }
            }
        }
    };
    let x: Vec<f64> = y[start - 1..end].to_vec();
    let mut seg = 0usize;
    let mut out = Vec::with_capacity(x.len());
    let mut buf = Vec::new();
    for i in 0..x.len() {
        let mut r = WeekResult::empty(start + i, x[i]);
        let n = i + 1 - seg;
        // change point j (relative to the segment) must leave >= mtilde observations
        let hi = n.saturating_sub(ctl.mtilde.max(1));
        let lo = if ctl.m_window < 0 {
            0
        } else {
            n.saturating_sub(ctl.m_window as usize + 1)
        };
        let enough = n >= ctl.mtilde.max(1);
        let mu = &mu0[seg..=i];
        let g = if enough {
            glr_stat(&x[seg..=i], mu, lo, hi)
        } else {
            0.0
        };
        let alarm = g >= ctl.c_arl;
        r.upperbound = Some(match ctl.ret {
            GlrRet::Value => g,
            GlrRet::Cases => {
                if !enough {
                    f64::NAN
                } else {
                    buf.clear();
                    buf.extend_from_slice(&x[seg..=i]);
                    let mut f = |v: f64| {
                        buf[n - 1] = v;
                        glr_stat(&buf, mu, lo, hi) >= ctl.c_arl
                    };
                    let mut lo_v = 0.0;
                    if f(0.0) {
                        0.0
                    } else {
                        let mut hi_v = mu0[i].ceil().max(1.0);
                        while !f(hi_v) {
                            lo_v = hi_v;
                            hi_v *= 2.0;
                            if hi_v > 1e15 {
                                break;
                            }
                        }
                        while hi_v - lo_v > 1.0 {
                            let mid = ((lo_v + hi_v) / 2.0).floor();
                            if f(mid) {
                                hi_v = mid;
                            } else {
                                lo_v = mid;
                            }
                        }
                        hi_v
                    }
                }
            }
        });
        r.alarm = Some(alarm);
        r.expected = Some(mu0[i]);
        r.score = Some(g);
        out.push(r);
        if alarm {
            seg = i + 1;
        }
    }
    Ok(out)
}
