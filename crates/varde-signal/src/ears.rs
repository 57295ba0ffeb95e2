//! EARS C1, C2 and C3 (`earsC`; Hutwagner et al. 2003).

use crate::special::{qnorm, rmax};
use crate::{opt, Compat, Error, Result, Series, WeekResult};

/// `method` of `earsC`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarsMethod {
    C1,
    C2,
    C3,
}

/// Control list of `earsC`. `alpha = None` means R's default: 0.001 for C1
/// and C2, 0.025 for C3.
#[derive(Clone, Debug, PartialEq)]
pub struct EarsControl {
    pub method: EarsMethod,
    pub baseline: usize,
    pub min_sigma: f64,
    pub alpha: Option<f64>,
}

impl Default for EarsControl {
    fn default() -> Self {
        EarsControl {
            method: EarsMethod::C1,
            baseline: 7,
            min_sigma: 0.0,
            alpha: None,
        }
    }
}

impl EarsControl {
    pub fn alpha(&self) -> f64 {
        self.alpha.unwrap_or(match self.method {
            EarsMethod::C3 => 0.025,
            _ => 0.001,
        })
    }
}

/// Mean and sample SD (n - 1) of `y[lo..hi]`.
fn mean_sd(y: &[f64], lo: usize, hi: usize) -> (f64, f64) {
    let v = &y[lo..hi];
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let ss = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// First 1-based week that can be evaluated.
pub fn first_evaluable_week(ctl: &EarsControl) -> usize {
    let lag = match ctl.method {
        EarsMethod::C1 => 0,
        EarsMethod::C2 => 2,
        EarsMethod::C3 => 4,
    };
    ctl.baseline + lag + 1
}

/// `earsC` over the 1-based weeks in `range`.
pub fn ears(
    s: &Series,
    range: std::ops::RangeInclusive<usize>,
    ctl: &EarsControl,
    compat: Compat,
) -> Result<Vec<WeekResult>> {
    let y = &s.observed;
    let first = first_evaluable_week(ctl);
    if ctl.baseline < 2 {
        return Err(Error::Param("baseline must be at least 2".into()));
    }
    if *range.start() < first || *range.end() > y.len() {
        return Err(Error::Range {
            week: *range.start(),
            reason: format!(
                "EARS needs {} earlier weeks and the series has {} weeks",
                first - 1,
                y.len()
            ),
        });
    }
    let bl = ctl.baseline;
    let z = qnorm(1.0 - ctl.alpha());
    let sig = |sd: f64| rmax(sd, ctl.min_sigma);
    // C2 statistic at 0-based position s: baseline s-bl-2 .. s-3.
    let c2 = |s: usize| -> (f64, f64, f64) {
        let (m, sd) = mean_sd(y, s - bl - 2, s - 2);
        (m, sd, (y[s] - m) / sig(sd))
    };
    let mut out = Vec::new();
    for wk in range {
        let t = wk - 1;
        let yt = y[t];
        let mut r = WeekResult::empty(wk, yt);
        let u = match ctl.method {
            EarsMethod::C1 => {
                let (m, sd) = mean_sd(y, t - bl, t);
                m + z * sig(sd)
            }
            EarsMethod::C2 => {
                let (m, sd, _) = c2(t);
                m + z * sig(sd)
            }
            EarsMethod::C3 => {
                let (m, sd, _) = c2(t);
                let (_, _, c1) = c2(t - 1);
                let (_, _, c0) = c2(t - 2);
                // Quirk Q4: the package adds the current count, not the baseline mean.
                let centre = if compat == Compat::R { yt } else { m };
                rmax(
                    0.0,
                    centre + sig(sd) * (z - rmax(0.0, c1 - 1.0) - rmax(0.0, c0 - 1.0)),
                )
            }
        };
        r.upperbound = opt(u);
        r.alarm = if u.is_nan() { None } else { Some(yt > u) };
        out.push(r);
    }
    Ok(out)
}
