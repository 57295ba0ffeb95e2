//! Methods and their parameters in R's control-list syntax (`name=value`).

use crate::cusum::{CusumControl, CusumTrans};
use crate::ears::{EarsControl, EarsMethod};
use crate::farrington::{ClassicControl, FlexibleControl, PowerTrans, ThresholdMethod};
use crate::glr::{GlrControl, GlrRet};
use crate::{Compat, Error, Result, Series, WeekResult};

/// A detection method, by its CLI name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    FarringtonFlexible,
    Farrington,
    EarsC1,
    EarsC2,
    EarsC3,
    Cusum,
    GlrPoisson,
}

impl Method {
    pub const ALL: [Method; 7] = [
        Method::FarringtonFlexible,
        Method::Farrington,
        Method::EarsC1,
        Method::EarsC2,
        Method::EarsC3,
        Method::Cusum,
        Method::GlrPoisson,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::FarringtonFlexible => "farrington-flexible",
            Method::Farrington => "farrington",
            Method::EarsC1 => "ears-c1",
            Method::EarsC2 => "ears-c2",
            Method::EarsC3 => "ears-c3",
            Method::Cusum => "cusum",
            Method::GlrPoisson => "glr-poisson",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::Param(format!("unknown method '{s}'")))
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A method with its control list.
#[derive(Clone, Debug, PartialEq)]
pub enum MethodParams {
    Flexible(FlexibleControl),
    Classic(ClassicControl),
    Ears(EarsControl),
    Cusum(CusumControl),
    Glr(GlrControl),
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(v)
}

fn bad(name: &str, v: &str, want: &str) -> Error {
    Error::Param(format!("{name}={v}: expected {want}"))
}

fn p_bool(name: &str, v: &str) -> Result<bool> {
    match unquote(v) {
        "TRUE" | "T" | "true" => Ok(true),
        "FALSE" | "F" | "false" => Ok(false),
        _ => Err(bad(name, v, "TRUE or FALSE")),
    }
}

fn p_num(name: &str, v: &str) -> Result<f64> {
    let s = unquote(v);
    let parsed = match s {
        "Inf" => Some(f64::INFINITY),
        _ => s.parse::<f64>().ok(),
    };
    parsed
        .filter(|x| !x.is_nan())
        .ok_or_else(|| bad(name, v, "a number"))
}

fn p_usize(name: &str, v: &str) -> Result<usize> {
    let x = p_num(name, v)?;
    if x >= 0.0 && x.fract() == 0.0 && x < 1e9 {
        Ok(x as usize)
    } else {
        Err(bad(name, v, "a non-negative integer"))
    }
}

fn is_null(v: &str) -> bool {
    unquote(v) == "NULL"
}

/// `c(5,4)`, `5,4` or `(5,4)`.
fn p_pair(name: &str, v: &str) -> Result<(f64, usize)> {
    let s = unquote(v);
    let s = s
        .strip_prefix("c(")
        .or_else(|| s.strip_prefix('('))
        .map_or(s, |x| x.trim_end_matches(')'));
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != 2 {
        return Err(bad(name, v, "two numbers, e.g. 5,4"));
    }
    Ok((p_num(name, parts[0])?, p_usize(name, parts[1])?))
}

fn p_powertrans(name: &str, v: &str) -> Result<PowerTrans> {
    match unquote(v) {
        "2/3" => Ok(PowerTrans::TwoThirds),
        "1/2" => Ok(PowerTrans::Half),
        "none" => Ok(PowerTrans::None),
        _ => Err(bad(name, v, "2/3, 1/2 or none")),
    }
}

fn p_alpha(name: &str, v: &str) -> Result<f64> {
    let a = p_num(name, v)?;
    if a > 0.0 && a < 1.0 {
        Ok(a)
    } else {
        Err(bad(name, v, "a number in (0, 1)"))
    }
}

fn expect_str(name: &str, v: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&unquote(v)) {
        Ok(())
    } else {
        Err(bad(name, v, &format!("one of {}", allowed.join(", "))))
    }
}

/// Splits `name=value`.
fn split(p: &str) -> Result<(&str, &str)> {
    p.split_once('=')
        .map(|(n, v)| (n.trim(), v.trim()))
        .ok_or_else(|| Error::Param(format!("'{p}': expected name=value")))
}

/// Ignored R options that only affect messages or are fixed here.
const QUIET: [&str; 2] = ["verbose", "glmWarnings"];

impl MethodParams {
    /// R's defaults for `method`.
    pub fn defaults(method: Method) -> MethodParams {
        match method {
            Method::FarringtonFlexible => MethodParams::Flexible(FlexibleControl::default()),
            Method::Farrington => MethodParams::Classic(ClassicControl::default()),
            Method::EarsC1 | Method::EarsC2 | Method::EarsC3 => MethodParams::Ears(EarsControl {
                method: match method {
                    Method::EarsC1 => EarsMethod::C1,
                    Method::EarsC2 => EarsMethod::C2,
                    _ => EarsMethod::C3,
                },
                ..Default::default()
            }),
            Method::Cusum => MethodParams::Cusum(CusumControl::default()),
            Method::GlrPoisson => MethodParams::Glr(GlrControl::default()),
        }
    }

    /// R's defaults overridden by `name=value` parameters.
    pub fn parse<S: AsRef<str>>(method: Method, params: &[S]) -> Result<MethodParams> {
        let mut mp = MethodParams::defaults(method);
        for p in params {
            let (name, v) = split(p.as_ref())?;
            mp.set(name, v)?;
        }
        Ok(mp)
    }

    fn set(&mut self, name: &str, v: &str) -> Result<()> {
        if QUIET.contains(&name) {
            return p_bool(name, v).map(|_| ());
        }
        let unknown = || Error::Param(format!("unknown parameter '{name}' for this method"));
        match self {
            MethodParams::Flexible(c) => match name {
                "b" => c.b = p_usize(name, v)?,
                "w" => c.w = p_usize(name, v)?,
                "reweight" => c.reweight = p_bool(name, v)?,
                "weightsThreshold" => c.weights_threshold = p_num(name, v)?,
                "alpha" => c.alpha = p_alpha(name, v)?,
                "trend" => c.trend = p_bool(name, v)?,
                "pThresholdTrend" => c.p_threshold_trend = p_num(name, v)?,
                "limit54" => c.limit54 = p_pair(name, v)?,
                "powertrans" => c.powertrans = p_powertrans(name, v)?,
                "fitFun" => expect_str(name, v, &["algo.farrington.fitGLM.flexible"])?,
                "populationOffset" => c.population_offset = p_bool(name, v)?,
                "epochAsDate" => c.epoch_as_date = p_bool(name, v)?,
                "noPeriods" => c.no_periods = p_usize(name, v)?,
                "pastWeeksNotIncluded" => {
                    c.past_weeks_not_included = if is_null(v) {
                        None
                    } else {
                        Some(p_usize(name, v)?)
                    }
                }
                "thresholdMethod" => {
                    c.threshold_method = match unquote(v) {
                        "delta" => ThresholdMethod::Delta,
                        "nbPlugin" => ThresholdMethod::NbPlugin,
                        "muan" => ThresholdMethod::Muan,
                        _ => return Err(bad(name, v, "delta, nbPlugin or muan")),
                    }
                }
                _ => return Err(unknown()),
            },
            MethodParams::Classic(c) => match name {
                "b" => c.b = p_usize(name, v)?,
                "w" => c.w = p_usize(name, v)?,
                "reweight" => c.reweight = p_bool(name, v)?,
                "alpha" => c.alpha = p_alpha(name, v)?,
                "trend" => c.trend = p_bool(name, v)?,
                "limit54" => c.limit54 = p_pair(name, v)?,
                "powertrans" => c.powertrans = p_powertrans(name, v)?,
                "fitFun" => expect_str(
                    name,
                    v,
                    &["algo.farrington.fitGLM.fast", "algo.farrington.fitGLM"],
                )?,
                _ => return Err(unknown()),
            },
            MethodParams::Ears(c) => match name {
                "method" => {
                    let m = match unquote(v) {
                        "C1" => EarsMethod::C1,
                        "C2" => EarsMethod::C2,
                        "C3" => EarsMethod::C3,
                        _ => return Err(bad(name, v, "C1, C2 or C3")),
                    };
                    if m != c.method {
                        return Err(bad(name, v, "the variant named by --method"));
                    }
                }
                "baseline" => c.baseline = p_usize(name, v)?,
                "minSigma" => c.min_sigma = p_num(name, v)?,
                "alpha" => c.alpha = Some(p_alpha(name, v)?),
                _ => return Err(unknown()),
            },
            MethodParams::Cusum(c) => match name {
                "k" => c.k = p_num(name, v)?,
                "h" => c.h = p_num(name, v)?,
                "m" => {
                    c.m = if is_null(v) {
                        None
                    } else {
                        Some(p_num(name, v)?)
                    }
                }
                "trans" => {
                    c.trans = match unquote(v) {
                        "standard" => CusumTrans::Standard,
                        "rossi" => CusumTrans::Rossi,
                        "anscombe" => CusumTrans::Anscombe,
                        "pearsonNegBin" => CusumTrans::PearsonNegBin,
                        "none" => CusumTrans::None,
                        _ => {
                            return Err(bad(
                                name,
                                v,
                                "standard, rossi, anscombe, pearsonNegBin or none",
                            ))
                        }
                    }
                }
                "alpha" => {
                    c.alpha = if is_null(v) {
                        None
                    } else {
                        Some(p_num(name, v)?)
                    }
                }
                _ => return Err(unknown()),
            },
            MethodParams::Glr(c) => match name {
                "c.ARL" => c.c_arl = p_num(name, v)?,
                "M" => {
                    let x = p_num(name, v)?;
                    if x.fract() != 0.0 || x < -1.0 {
                        return Err(bad(name, v, "-1 or a non-negative integer"));
                    }
                    c.m_window = x as i64;
                }
                "Mtilde" => c.mtilde = p_usize(name, v)?.max(1),
                "ret" => {
                    c.ret = match unquote(v) {
                        "cases" => GlrRet::Cases,
                        "value" => GlrRet::Value,
                        _ => return Err(bad(name, v, "cases or value")),
                    }
                }
                "alpha" => {
                    if p_num(name, v)? != 0.0 {
                        return Err(bad(name, v, "0 (only the Poisson GLR is implemented)"));
                    }
                }
                "mu0" | "theta" => {
                    if !is_null(v) {
                        return Err(bad(name, v, "NULL"));
                    }
                }
                "change" => expect_str(name, v, &["intercept"])?,
                "dir" => expect_str(name, v, &["inc"])?,
                _ => return Err(unknown()),
            },
        }
        Ok(())
    }

    /// First 1-based week the method can evaluate (history needed).
    pub fn first_evaluable_week(&self) -> usize {
        match self {
            MethodParams::Flexible(c) => crate::farrington::first_evaluable_week(c.b, c.w),
            MethodParams::Classic(c) => crate::farrington::first_evaluable_week(c.b, c.w),
            MethodParams::Ears(c) => crate::ears::first_evaluable_week(c),
            MethodParams::Cusum(c) => {
                if c.m.is_some() {
                    1
                } else {
                    2
                }
            }
            MethodParams::Glr(_) => 5,
        }
    }

    /// Runs the method over the 1-based weeks in `range`.
    pub fn evaluate(
        &self,
        s: &Series,
        range: std::ops::RangeInclusive<usize>,
        compat: Compat,
    ) -> Result<Vec<WeekResult>> {
        match self {
            MethodParams::Flexible(c) => {
                crate::farrington::farrington_flexible(s, range, c, compat)
            }
            MethodParams::Classic(c) => crate::farrington::farrington_classic(s, range, c, compat),
            MethodParams::Ears(c) => crate::ears::ears(s, range, c, compat),
            MethodParams::Cusum(c) => crate::cusum::cusum(s, range, c),
            MethodParams::Glr(c) => crate::glr::glr_poisson(s, range, c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_r_syntax() {
        let p = MethodParams::parse(
            Method::FarringtonFlexible,
            &[
                "b=5",
                "w=3",
                "reweight=TRUE",
                "limit54=5,4",
                "powertrans=2/3",
                "thresholdMethod=nbPlugin",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "alpha=0.01",
                "limit54=c(5,4)",
            ],
        );
        match p {
            Ok(MethodParams::Flexible(c)) => {
                assert_eq!(c.b, 5);
                assert_eq!(c.limit54, (5.0, 4));
                assert_eq!(c.threshold_method, ThresholdMethod::NbPlugin);
                assert_eq!(c.past_weeks_not_included, Some(26));
                assert_eq!(c.alpha, 0.01);
            }
            other => unreachable!("{other:?}"),
        }
        let noufaily = MethodParams::parse(
            Method::FarringtonFlexible,
            &[
                "b=5",
                "noPeriods=10",
                "pastWeeksNotIncluded=26",
                "thresholdMethod=nbPlugin",
            ],
        );
        assert_eq!(
            noufaily,
            Ok(MethodParams::Flexible(FlexibleControl::noufaily()))
        );
    }

    #[test]
    fn rejects_unknown_and_bad_values() {
        assert!(matches!(
            MethodParams::parse(Method::Cusum, &["b=5"]),
            Err(Error::Param(_))
        ));
        assert!(MethodParams::parse(Method::FarringtonFlexible, &["reweight=yes"]).is_err());
        assert!(MethodParams::parse(Method::FarringtonFlexible, &["b"]).is_err());
        assert!(MethodParams::parse(Method::EarsC1, &["method=C2"]).is_err());
        assert!(MethodParams::parse(Method::GlrPoisson, &["alpha=0.2"]).is_err());
        assert!(
            MethodParams::parse(Method::EarsC3, &["alpha=0.001", "baseline=7", "minSigma=0"])
                .is_ok()
        );
    }
}

/// Varde's default method and parameters for a monitored series family
/// (`ambulance`, `drugcheck`, `seizures`, `deaths`), chosen on simulated
/// outbreaks (see the crate README for the evidence). Farrington flexible
/// with the Noufaily settings and `b = 3`: five years of history are 261
/// weeks, and `b = 5` needs 264 weeks before the evaluated week.
pub fn family_default(family: &str) -> Option<(Method, &'static [&'static str])> {
    const BASE: [&str; 4] = [
        "b=3",
        "noPeriods=10",
        "pastWeeksNotIncluded=26",
        "thresholdMethod=nbPlugin",
    ];
    const AMBULANCE: [&str; 5] = [BASE[0], BASE[1], BASE[2], BASE[3], "alpha=0.01"];
    const SEIZURES: [&str; 5] = [BASE[0], BASE[1], BASE[2], BASE[3], "alpha=0.005"];
    const DEATHS: [&str; 5] = [BASE[0], BASE[1], BASE[2], BASE[3], "alpha=0.05"];
    match family {
        "ambulance" | "drugcheck" => Some((Method::FarringtonFlexible, &AMBULANCE)),
        "seizures" => Some((Method::FarringtonFlexible, &SEIZURES)),
        "deaths" => Some((Method::FarringtonFlexible, &DEATHS)),
        _ => None,
    }
}

#[cfg(test)]
mod default_tests {
    use super::*;

    #[test]
    fn family_defaults_parse() {
        for f in ["ambulance", "drugcheck", "seizures", "deaths"] {
            let (m, p) = family_default(f).unwrap_or((Method::Cusum, &["bad=1"]));
            assert!(MethodParams::parse(m, p).is_ok(), "{f}");
        }
        assert!(family_default("wastewater").is_none());
    }
}
