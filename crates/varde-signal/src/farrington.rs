//! Farrington flexible (`farringtonFlexible`, Noufaily et al. 2012) and the
//! classic Farrington algorithm (`algo.farrington`, Farrington et al. 1996).

use crate::glm::{fit_poisson, GlmFit, Row, Scratch};
use crate::special::{pnbinom_ge, pnorm_upper, ppois_ge, pt_two_sided, qnbinom, qnorm, qpois};
use crate::{opt, Compat, Error, Result, Series, WeekResult};

/// `powertrans`: the power transformation used by the `delta` threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerTrans {
    /// `"none"`
    None,
    /// `"1/2"`
    Half,
    /// `"2/3"`
    TwoThirds,
}

/// `thresholdMethod` of `farringtonFlexible`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdMethod {
    /// Normal approximation on the power-transformed scale (Farrington 1996).
    Delta,
    /// Negative binomial quantile with the fitted mean plugged in (Noufaily 2012).
    NbPlugin,
    /// Negative binomial quantile at the upper `1-alpha` quantile of the
    /// asymptotic normal distribution of the estimated mean.
    Muan,
}

/// Control list of `farringtonFlexible`, R names in snake case, R 1.20.3
/// defaults (`b=5, w=3, alpha=0.05, noPeriods=1, thresholdMethod=delta`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct FlexibleControl {
    pub b: usize,
    pub w: usize,
    pub reweight: bool,
    pub weights_threshold: f64,
    pub alpha: f64,
    pub trend: bool,
    pub p_threshold_trend: f64,
    /// `(cases, weeks)`: at least `cases` in the last `weeks` weeks.
    pub limit54: (f64, usize),
    pub powertrans: PowerTrans,
    pub population_offset: bool,
    pub no_periods: usize,
    /// `None` means `w`.
    pub past_weeks_not_included: Option<usize>,
    pub threshold_method: ThresholdMethod,
    /// Date-based reference weeks, as R does for an `sts` with
    /// `epochAsDate = TRUE` (a property of the series in R, a parameter
    /// here). Needs `Series::dates`.
    pub epoch_as_date: bool,
}

impl Default for FlexibleControl {
    fn default() -> Self {
        FlexibleControl {
            b: 5,
            w: 3,
            reweight: true,
            weights_threshold: 2.58,
            alpha: 0.05,
            trend: true,
            p_threshold_trend: 0.05,
            limit54: (5.0, 4),
            powertrans: PowerTrans::TwoThirds,
            population_offset: false,
            no_periods: 1,
            past_weeks_not_included: None,
            threshold_method: ThresholdMethod::Delta,
            epoch_as_date: false,
        }
    }
}

impl FlexibleControl {
    /// The Noufaily et al. (2012) settings recommended by the package authors.
    pub fn noufaily() -> Self {
        FlexibleControl {
            b: 5,
            w: 3,
            weights_threshold: 2.58,
            no_periods: 10,
            past_weeks_not_included: Some(26),
            threshold_method: ThresholdMethod::NbPlugin,
            ..Default::default()
        }
    }
}

/// Control list of `algo.farrington`, R 1.20.3 defaults (`b=5, w=3, alpha=0.05`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassicControl {
    pub b: usize,
    pub w: usize,
    pub reweight: bool,
    pub alpha: f64,
    pub trend: bool,
    pub limit54: (f64, usize),
    pub powertrans: PowerTrans,
}

impl Default for ClassicControl {
    fn default() -> Self {
        ClassicControl {
            b: 5,
            w: 3,
            reweight: true,
            alpha: 0.05,
            trend: true,
            limit54: (5.0, 4),
            powertrans: PowerTrans::TwoThirds,
        }
    }
}

/// Days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01; the day may overflow the
/// month (normalised like `mktime`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn wday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// Reference weeks r_0 = k, r_1..r_b (0-based positions).
fn reference_weeks(k: usize, b: usize, dates: Option<&[i64]>) -> Option<Vec<usize>> {
    let mut r = Vec::with_capacity(b + 1);
    r.push(k);
    match dates {
        None => {
            for i in 1..=b {
                r.push(k.checked_sub(52 * i)?);
            }
        }
        Some(dates) => {
            let dk = *dates.get(k)?;
            let (y, m, d) = civil_from_days(dk);
            for i in 1..=b {
                let di = days_from_civil(y - i as i64, m, d);
                let a = di - (wday(di) - wday(dk));
                let bb = if a > di { a - 7 } else { a + 7 };
                let pick = if (bb - di).abs() < (a - di).abs() {
                    bb
                } else {
                    a
                };
                r.push(dates[..k].iter().position(|&x| x == pick)?);
            }
        }
    }
    Some(r)
}

/// Seasonal labels (1..=p) for weeks r_b - w ..= k; index 0 is week r_b - w.
fn seasonal_labels(r: &[usize], w: usize, p: usize) -> Option<(usize, Vec<u16>)> {
    let b = r.len() - 1;
    let first = r[b].checked_sub(w)?;
    let k = r[0];
    let mut lab = vec![0u16; k - first + 1];
    let p16 = p as u16;
    for (i, &ri) in r.iter().enumerate() {
        let hi = if i == 0 { ri } else { ri + w };
        for t in (ri - w)..=hi {
            if t >= first && t <= k {
                lab[t - first] = p16;
            }
        }
    }
    if p > 1 {
        for i in 1..=b {
            let lo = r[i] + w + 1;
            let hi_excl = r[i - 1].checked_sub(w)?; // gap is lo ..= r_{i-1} - w - 1
            if hi_excl <= lo {
                continue;
            }
            let len = hi_excl - lo;
            let nb = p - 1;
            let base = len / nb;
            let extra = len % nb;
            let mut t = lo;
            for blk in 0..nb {
                let sz = base + usize::from(blk < extra);
                for _ in 0..sz {
                    lab[t - first] = (blk + 1) as u16;
                    t += 1;
                }
            }
        }
    }
    Some((first, lab))
}

/// Observations of one fit: the trend variable (centred at k), the seasonal
/// column (`None` = baseline level), counts and offsets.
struct FitData {
    t: Vec<f64>,
    level: Vec<Option<u8>>,
    n_levels_extra: usize,
    /// column of the current week's level
    level_k: Option<u8>,
    y: Vec<f64>,
    /// `y^(2/3)`, for the Anscombe residuals.
    y23: Vec<f64>,
    offset: Option<Vec<f64>>,
    offset_k: f64,
    max_y: f64,
}

impl FitData {
    fn rows(&self, with_trend: bool) -> (Vec<Row>, usize, Row) {
        let first_level = if with_trend { 2 } else { 1 };
        let p = first_level + self.n_levels_extra;
        let mk = |t: f64, lev: Option<u8>| {
            let mut r = Row::default();
            r.push(0, 1.0);
            if with_trend {
                r.push(1, t);
            }
            if let Some(l) = lev {
                r.push(first_level + l as usize, 1.0);
            }
            r
        };
        let rows = self
            .t
            .iter()
            .zip(&self.level)
            .map(|(&t, &l)| mk(t, l))
            .collect();
        (rows, p, mk(0.0, self.level_k))
    }
}

/// A fitted stage of procedure F.
struct Stage {
    fit: GlmFit,
    /// summary.glm's dispersion of the final fit (unclamped Pearson / df).
    summary_disp: f64,
    xk: Row,
    with_trend: bool,
    /// phi of the final fit, max(1, Pearson / (N - P)).
    phi: f64,
    /// Dispersion used for inference (trend test, prediction SE).
    disp: f64,
    df: f64,
}

struct FitOpts {
    reweight: bool,
    weights_threshold: f64,
    compat: Compat,
    /// Legacy `algo.farrington`: no fallback to the no-trend model and no NA on
    /// non-convergence; dispersion for inference is phi.
    legacy: bool,
}

fn anscombe_weights(d: &FitData, st: &GlmFit, rows: &[Row], phi: f64, c: f64) -> Vec<f64> {
    let n = d.y.len();
    let mut u = Vec::with_capacity(n);
    for i in 0..n {
        let m = st.mu[i];
        let h = st.leverage(rows, i);
        // y^(2/3) μ^(-1/6) - μ^(1/2), with μ^(-1/6) = exp(-η/6).
        let s = 1.5 * (d.y23[i] * (-st.eta[i] / 6.0).exp() - m.sqrt()) / (phi * (1.0 - h)).sqrt();
        u.push(if s > c { 1.0 / (s * s) } else { 1.0 });
    }
    let su: f64 = u.iter().sum();
    let scale = n as f64 / su;
    u.iter_mut().for_each(|v| *v *= scale);
    u
}

fn procedure_f(d: &FitData, want_trend: bool, o: &FitOpts, sc: &mut Scratch) -> Option<Stage> {
    let n = d.y.len();
    let off = d.offset.as_deref();
    let mut with_trend = want_trend;
    let (mut rows, mut p, mut xk) = d.rows(with_trend);
    let mut fit = fit_poisson(&rows, &d.y, off, None, p, sc)?;
    if !fit.converged && !o.legacy {
        if with_trend {
            with_trend = false;
            (rows, p, xk) = d.rows(false);
            fit = fit_poisson(&rows, &d.y, off, None, p, sc)?;
        }
        if !fit.converged {
            return None;
        }
    }
    let df = n as f64 - p as f64;
    // summary.glm's Pearson statistic: working weights (from the start of the
    // last IRLS iteration) times squared working residuals (final mu).
    let pearson = |f: &GlmFit| -> f64 {
        (0..n)
            .map(|i| f.w[i] * ((d.y[i] - f.mu[i]) / f.mu[i]).powi(2))
            .sum::<f64>()
    };
    let x2 = pearson(&fit);
    let phi0 = (x2 / df).max(1.0);
    let (phi, disp);
    if o.reweight {
        let omega = anscombe_weights(d, &fit, &rows, phi0, o.weights_threshold);
        fit = fit_poisson(&rows, &d.y, off, Some(&omega), p, sc)?;
        let pw = pearson(&fit);
        phi = (pw / df).max(1.0);
        disp = if o.legacy {
            phi
        } else if o.compat == Compat::R {
            // Quirk Q1: the package overwrites the working weights with omega.
            (0..n)
                .map(|i| omega[i] * (d.y[i] - fit.mu[i]).powi(2) / fit.mu[i].powi(2))
                .sum::<f64>()
                / df
        } else {
            phi
        };
    } else {
        phi = phi0;
        disp = if o.legacy || o.compat == Compat::Published {
            phi0
        } else {
            x2 / df
        };
    }
    Some(Stage {
        summary_disp: pearson(&fit) / df,
        fit,
        xk,
        with_trend,
        phi,
        disp,
        df,
    })
}

/// Quantities of the threshold step.
struct Threshold {
    u: f64,
    pvalue: f64,
    score: f64,
    mu0_out: f64,
}

fn power_sigma(pt: PowerTrans, mu0: f64, tau: f64) -> (f64, f64) {
    match pt {
        PowerTrans::None => ((mu0 * tau).sqrt(), 1.0),
        PowerTrans::Half => ((0.25 * tau).sqrt(), 0.5),
        PowerTrans::TwoThirds => ((4.0 / 9.0 * mu0.powf(1.0 / 3.0) * tau).sqrt(), 2.0 / 3.0),
    }
}

fn nb_threshold(alpha: f64, mean: f64, phi: f64, y: f64) -> (f64, f64) {
    if !mean.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    if phi > 1.0 {
        let size = mean / (phi - 1.0);
        let prob = 1.0 / phi;
        (qnbinom(1.0 - alpha, size, prob), pnbinom_ge(y, size, prob))
    } else {
        (qpois(1.0 - alpha, mean), ppois_ge(y, mean))
    }
}

#[allow(clippy::too_many_arguments)]
fn threshold(
    method: ThresholdMethod,
    pt: PowerTrans,
    alpha: f64,
    eta0: f64,
    se_eta: f64,
    phi: f64,
    y: f64,
    compat: Compat,
) -> Threshold {
    let mu0 = eta0.exp();
    match method {
        ThresholdMethod::Delta => {
            let z = qnorm(1.0 - alpha);
            let se_mu = mu0 * se_eta;
            let tau = phi + se_mu * se_mu / mu0;
            let (sigma, e) = power_sigma(pt, mu0, tau);
            let u = (mu0.powf(e) + z * sigma).powf(1.0 / e);
            let pvalue = pnorm_upper((y.powf(e) - mu0.powf(e)) / sigma);
            let mu0_out = if compat == Compat::R {
                // Quirk Q3: exp(qnorm(1 - alpha, mu0, se_mu)).
                (mu0 + z * se_mu).exp()
            } else {
                mu0
            };
            Threshold {
                u,
                pvalue,
                score: (y - mu0) / (u - mu0),
                mu0_out,
            }
        }
        ThresholdMethod::NbPlugin | ThresholdMethod::Muan => {
            let mean = if method == ThresholdMethod::Muan {
                (eta0 + qnorm(1.0 - alpha) * se_eta).exp()
            } else {
                mu0
            };
            let (u, pvalue) = nb_threshold(alpha, mean, phi, y);
            // Quirk Q2: R subtracts the log-scale prediction.
            let f = if compat == Compat::R { eta0 } else { mu0 };
            Threshold {
                u,
                pvalue,
                score: (y - f) / (u - f),
                mu0_out: mean,
            }
        }
    }
}

/// First 1-based week that Farrington (flexible or classic) can evaluate in
/// index mode: `52·b + w + 1`.
pub fn first_evaluable_week(b: usize, w: usize) -> usize {
    52 * b + w + 1
}

fn check_range(
    n: usize,
    range: &std::ops::RangeInclusive<usize>,
    b: usize,
    w: usize,
) -> Result<()> {
    let first = first_evaluable_week(b, w);
    if *range.start() < first {
        return Err(Error::Range {
            week: *range.start(),
            reason: format!(
                "needs at least 52*b+w = {} earlier weeks (b={b}, w={w})",
                first - 1
            ),
        });
    }
    if *range.end() > n || range.start() > range.end() {
        return Err(Error::Range {
            week: *range.end(),
            reason: format!("the series has {n} weeks"),
        });
    }
    Ok(())
}

/// `farringtonFlexible` over the 1-based weeks in `range`.
pub fn farrington_flexible(
    s: &Series,
    range: std::ops::RangeInclusive<usize>,
    ctl: &FlexibleControl,
    compat: Compat,
) -> Result<Vec<WeekResult>> {
    check_range(s.observed.len(), &range, ctl.b, ctl.w)?;
    if ctl.no_periods == 0 || ctl.no_periods > 12 {
        return Err(Error::Param("noPeriods must be between 1 and 12".into()));
    }
    if ctl.epoch_as_date && s.dates.as_ref().is_none_or(|d| d.len() != s.observed.len()) {
        return Err(Error::Param(
            "epochAsDate=TRUE needs a date for every week".into(),
        ));
    }
    if ctl.population_offset {
        match &s.population {
            Some(p) if p.len() == s.observed.len() && p.iter().all(|v| *v > 0.0) => {}
            _ => {
                return Err(Error::Param(
                    "populationOffset=TRUE needs a positive population for every week".into(),
                ))
            }
        }
    }
    let mut sc = Scratch::default();
    let mut out = Vec::with_capacity(range.end() + 1 - range.start());
    for wk in range {
        out.push(ff_week(s, wk - 1, ctl, compat, &mut sc)?);
    }
    Ok(out)
}

fn ff_week(
    s: &Series,
    k: usize,
    ctl: &FlexibleControl,
    compat: Compat,
    sc: &mut Scratch,
) -> Result<WeekResult> {
    let y = &s.observed;
    let yk = y[k];
    let mut res = WeekResult::empty(k + 1, yk);
    let range_err = |reason: &str| Error::Range {
        week: k + 1,
        reason: reason.to_string(),
    };
    let dates = if ctl.epoch_as_date {
        s.dates.as_deref()
    } else {
        None
    };
    let r = reference_weeks(k, ctl.b, dates)
        .ok_or_else(|| range_err("reference weeks are outside the series"))?;
    let p = ctl.no_periods;
    let (first, labels) = seasonal_labels(&r, ctl.w, p)
        .ok_or_else(|| range_err("reference windows are outside the series"))?;
    let q = ctl.past_weeks_not_included.unwrap_or(ctl.w);
    let cut = k.saturating_sub(q); // weeks >= cut are excluded
                                   // Present levels among the fitting set.
    let mut present = [false; 13];
    for (i, &l) in labels.iter().enumerate() {
        let t = first + i;
        if l > 0 && t < cut && !y[t].is_nan() {
            present[l as usize] = true;
        }
    }
    let levels: Vec<usize> = (1..=p).filter(|&l| present[l]).collect();
    if levels.is_empty() {
        return Err(range_err("no reference weeks left to fit"));
    }
    if !present[p] {
        return Err(range_err("the current season has no reference weeks"));
    }
    let mut col_of = [None::<u8>; 13];
    for (j, &l) in levels.iter().enumerate().skip(1) {
        col_of[l] = Some((j - 1) as u8);
    }
    let pop = if ctl.population_offset {
        s.population.as_deref()
    } else {
        None
    };
    let mut d = FitData {
        t: Vec::with_capacity(labels.len()),
        level: Vec::with_capacity(labels.len()),
        n_levels_extra: levels.len() - 1,
        level_k: col_of[p],
        y: Vec::with_capacity(labels.len()),
        y23: Vec::new(),
        offset: pop.map(|_| Vec::with_capacity(labels.len())),
        offset_k: pop.map_or(0.0, |pp| pp[k].ln()),
        max_y: f64::NEG_INFINITY,
    };
    for (i, &l) in labels.iter().enumerate() {
        let t = first + i;
        if l == 0 || t >= cut || y[t].is_nan() {
            continue;
        }
        d.t.push(t as f64 - k as f64);
        d.level.push(col_of[l as usize]);
        d.y.push(y[t]);
        d.max_y = d.max_y.max(y[t]);
        if let (Some(o), Some(pp)) = (d.offset.as_mut(), pop) {
            o.push(pp[t].ln());
        }
    }
    d.y23 = d.y.iter().map(|v| v.powf(2.0 / 3.0)).collect();
    let opts = FitOpts {
        reweight: ctl.reweight,
        weights_threshold: ctl.weights_threshold,
        compat,
        legacy: false,
    };
    let Some(mut st) = procedure_f(&d, ctl.trend, &opts, sc) else {
        return Ok(res);
    };
    let mut kept = false;
    if st.with_trend {
        let b1 = st.fit.beta[1];
        let var = st.disp * st.fit.cov_unscaled[st.fit.p + 1];
        let pval = pt_two_sided(b1 / var.sqrt(), st.df);
        let mu_k = (st.xk.dot(&st.fit.beta) + d.offset_k).exp();
        if ctl.b >= 3 && pval < ctl.p_threshold_trend && mu_k <= d.max_y {
            kept = true;
        } else {
            match procedure_f(&d, false, &opts, sc) {
                Some(s2) => st = s2,
                None => return Ok(res),
            }
        }
    }
    let eta0 = st.xk.dot(&st.fit.beta) + d.offset_k;
    let se_eta = (st.disp * st.xk.quad(&st.fit.cov_unscaled, st.fit.p)).sqrt();
    let th = threshold(
        ctl.threshold_method,
        ctl.powertrans,
        ctl.alpha,
        eta0,
        se_eta,
        st.phi,
        yk,
        compat,
    );
    let (m54, l54) = ctl.limit54;
    let lo = (k + 1).saturating_sub(l54);
    let recent: f64 = y[lo..=k].iter().sum();
    let enough = recent >= m54;
    res.upperbound = if enough { opt(th.u) } else { None };
    res.expected = if enough && !th.u.is_nan() {
        opt(eta0.exp())
    } else {
        None
    };
    res.score = opt(th.score);
    res.pvalue = opt(th.pvalue);
    res.alarm = if !enough || yk == 0.0 {
        Some(false)
    } else if compat == Compat::Published {
        // The published rule: the count exceeds the threshold. (With a
        // discrete threshold below the mean, e.g. U = 0 for a tiny mean, the
        // score test would miss counts above U.)
        if th.u.is_nan() {
            None
        } else {
            Some(yk > th.u)
        }
    } else if th.score.is_nan() {
        None
    } else {
        Some(th.score > 1.0)
    };
    res.phi = Some(st.phi);
    res.trend = Some(kept);
    res.trend_coef = if kept { Some(st.fit.beta[1]) } else { None };
    res.mu0 = Some(th.mu0_out);
    Ok(res)
}

/// Legacy `algo.farrington` over the 1-based weeks in `range`.
pub fn farrington_classic(
    s: &Series,
    range: std::ops::RangeInclusive<usize>,
    ctl: &ClassicControl,
    compat: Compat,
) -> Result<Vec<WeekResult>> {
    check_range(s.observed.len(), &range, ctl.b, ctl.w)?;
    let y = &s.observed;
    let mut sc = Scratch::default();
    let mut out = Vec::new();
    let opts = FitOpts {
        reweight: ctl.reweight,
        weights_threshold: 1.0,
        compat,
        legacy: true,
    };
    for wk in range {
        let k = wk - 1;
        let yk = y[k];
        let mut res = WeekResult::empty(wk, yk);
        let mut d = FitData {
            t: Vec::new(),
            level: Vec::new(),
            n_levels_extra: 0,
            level_k: None,
            y: Vec::new(),
            y23: Vec::new(),
            offset: None,
            offset_k: 0.0,
            max_y: f64::NEG_INFINITY,
        };
        for i in 1..=ctl.b {
            let ri = k - 52 * i;
            for t in (ri - ctl.w)..=(ri + ctl.w) {
                if y[t].is_nan() {
                    continue;
                }
                d.t.push(t as f64 - k as f64);
                d.level.push(None);
                d.y.push(y[t]);
                d.max_y = d.max_y.max(y[t]);
            }
        }
        d.y23 = d.y.iter().map(|v| v.powf(2.0 / 3.0)).collect();
        let Some(mut st) = procedure_f(&d, ctl.trend, &opts, &mut sc) else {
            out.push(res);
            continue;
        };
        if st.with_trend {
            let b1 = st.fit.beta[1];
            // summary.glm's dispersion of the final (weighted) fit, unclamped.
            let var = st.summary_disp * st.fit.cov_unscaled[st.fit.p + 1];
            let pval = pt_two_sided(b1 / var.sqrt(), st.df);
            let mu_k = st.xk.dot(&st.fit.beta).exp();
            let keep = ctl.b >= 3 && pval < 0.05 && mu_k <= d.max_y;
            if !keep {
                if let Some(s2) = procedure_f(&d, false, &opts, &mut sc) {
                    st = s2;
                }
            }
        }
        let eta0 = st.xk.dot(&st.fit.beta);
        let mu0 = eta0.exp();
        let se_eta = (st.phi * st.xk.quad(&st.fit.cov_unscaled, st.fit.p)).sqrt();
        let z = qnorm(1.0 - ctl.alpha / 2.0);
        let se_mu = mu0 * se_eta;
        let tau = st.phi + se_mu * se_mu / mu0;
        let (sigma, e) = power_sigma(ctl.powertrans, mu0, tau);
        let u = (mu0.powf(e) + z * sigma).powf(1.0 / e);
        let (m54, l54) = ctl.limit54;
        let lo = (k + 1).saturating_sub(l54);
        let enough = y[lo..=k].iter().sum::<f64>() >= m54;
        if enough {
            res.upperbound = opt(u);
            res.alarm = Some((yk - mu0) / (u - mu0) > 1.0);
        } else {
            res.upperbound = Some(0.0);
            res.alarm = Some(false);
        }
        res.expected = Some(mu0);
        res.phi = Some(st.phi);
        out.push(res);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noufaily_blocks() {
        let r: Vec<usize> = (0..=5).map(|i| 400 - 52 * i).collect();
        let (first, lab) = seasonal_labels(&r, 3, 10).unwrap_or_default();
        assert_eq!(first, 400 - 263);
        // 9 blocks of 5 weeks per gap
        let ones = lab.iter().filter(|&&l| l == 1).count();
        assert_eq!(ones, 25);
        assert_eq!(lab.iter().filter(|&&l| l == 10).count(), 5 * 7 + 4);
    }

    #[test]
    fn civil_roundtrip() {
        for d in [-1000i64, 0, 11_000, 19_000, 20_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(wday(0), 4);
    }
}
