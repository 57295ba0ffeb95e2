//! Detection rules: per source, the `varde-signal` method and its parameters in R's
//! control-list syntax, as an analyst sees and changes them, and the evaluation of a weekly
//! series with them.
//!
//! The defaults are the families' documented ones (`varde_signal::family_default`, chosen on
//! simulated outbreaks, see `crates/varde-signal/README.md`): overdoses as `ambulance`,
//! `drugcheck` and `seizures` as themselves; syringe residue has no documented default and
//! takes the overdoses' (both are weekly counts of use-related events of similar size);
//! wastewater is a measured mean, not a count, and is off until an analyst turns it on.
//! Deaths are monthly and have no weekly series here.
//!
//! Farrington flexible with `b = 3` needs `52·3 + 3 = 159` earlier weeks. A younger series
//! is evaluated with the rule's short-history method (EARS C3 at α = 0.001 by default, which
//! needs eleven earlier weeks) until it is old enough; each evaluated week records which method
//! gave it, and the pages say so. Weeks with too little history for either get no threshold.

use serde::{Deserialize, Serialize};
use varde_signal::{Compat, Method, MethodParams, Series};

use super::series::Source;
use crate::fields::FieldError;

/// A method with its parameters (`name=value`, R syntax).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodSpec {
    /// `farrington-flexible`, `farrington`, `ears-c1`…`ears-c3`, `cusum`, `glr-poisson`.
    pub method: String,
    pub params: Vec<String>,
}

impl MethodSpec {
    fn of(method: Method, params: &[&str]) -> MethodSpec {
        MethodSpec {
            method: method.name().to_owned(),
            params: params.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    /// `farrington-flexible (b=3, alpha=0.01)`.
    pub fn describe(&self) -> String {
        if self.params.is_empty() {
            self.method.clone()
        } else {
            format!("{} ({})", self.method, self.params.join(", "))
        }
    }

    /// The method and its parameters, checked by `varde-signal` (a refusal names the
    /// parameter, on `field`).
    pub fn compile(&self, field: &'static str) -> Result<MethodParams, FieldError> {
        let method: Method = self.method.trim().parse().map_err(|_| {
            FieldError::new(
                "method",
                format!("one of {}", Method::ALL.map(Method::name).join(", ")),
            )
        })?;
        MethodParams::parse(method, &self.params).map_err(|e| FieldError::new(field, e.to_string()))
    }
}

/// A source's detection rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub source: Source,
    /// Off: the series is counted and shown, never evaluated.
    pub enabled: bool,
    pub main: MethodSpec,
    /// Used for weeks the main method has too little history for (none: no threshold then).
    pub fallback: Option<MethodSpec>,
}

/// The short-history method of every default rule.
fn short_history() -> MethodSpec {
    MethodSpec::of(Method::EarsC3, &["alpha=0.001"])
}

impl Rule {
    /// The documented default of `source`.
    pub fn default_for(source: Source) -> Rule {
        let family = match source {
            Source::Overdoses | Source::SyringeResidue | Source::Wastewater => "ambulance",
            Source::Drugcheck => "drugcheck",
            Source::Seizures => "seizures",
        };
        const NOUFAILY: [&str; 4] = [
            "b=3",
            "noPeriods=10",
            "pastWeeksNotIncluded=26",
            "thresholdMethod=nbPlugin",
        ];
        let (method, params): (Method, &[&str]) = match varde_signal::family_default(family) {
            Some(d) => d,
            None => (Method::FarringtonFlexible, &NOUFAILY),
        };
        Rule {
            source,
            enabled: source != Source::Wastewater,
            main: MethodSpec::of(method, params),
            fallback: Some(short_history()),
        }
    }

    /// Both methods checked: the compiled main method and fallback.
    pub fn compile(&self) -> Result<Compiled, FieldError> {
        // Blank parameters (an empty line in the form) are not parameters.
        let main = self.main.compile("params")?;
        let fallback = self
            .fallback
            .as_ref()
            .map(|f| f.compile("fallback_params"))
            .transpose()?;
        Ok(Compiled {
            enabled: self.enabled,
            main,
            fallback,
        })
    }

    /// `farrington-flexible (b=3, …); short history: ears-c3 (alpha=0.001)`.
    pub fn describe(&self) -> String {
        match &self.fallback {
            Some(f) => format!("{}; short history: {}", self.main.describe(), f.describe()),
            None => self.main.describe(),
        }
    }
}

/// Parameters as typed: one `name=value` a line (or separated by `;`), blanks dropped.
pub fn split_params(text: &str) -> Vec<String> {
    text.split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A rule ready to evaluate.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub enabled: bool,
    pub main: MethodParams,
    pub fallback: Option<MethodParams>,
}

/// Which of a rule's methods evaluated a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Used {
    Main,
    Fallback,
}

impl Used {
    pub fn as_str(self) -> &'static str {
        match self {
            Used::Main => "main",
            Used::Fallback => "fallback",
        }
    }
}

/// One evaluated week of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluated {
    /// 0-based index in the series.
    pub index: usize,
    pub threshold: Option<f64>,
    pub alarm: Option<bool>,
    /// The method that gave the threshold (none: too little history for either).
    pub used: Option<Used>,
}

impl Compiled {
    /// The weeks `from..values.len()` (0-based) of a series evaluated: each with the main
    /// method when the history before it is long enough, else the fallback's, else nothing.
    /// A method's own failure on a week (a fit that does not converge) leaves it without a
    /// threshold.
    pub fn evaluate(&self, values: &[f64], from: usize) -> Vec<Evaluated> {
        let n = values.len();
        let mut out: Vec<Evaluated> = (from..n)
            .map(|index| Evaluated {
                index,
                threshold: None,
                alarm: None,
                used: None,
            })
            .collect();
        if !self.enabled || from >= n {
            return out;
        }
        let series = Series::new(values.to_vec());
        // 1-based weeks: the first each method can take.
        let main_first = self.main.first_evaluable_week();
        let mut plan: Vec<(Used, &MethodParams, usize, usize)> = Vec::new();
        let start = from + 1;
        if main_first <= n {
            plan.push((Used::Main, &self.main, start.max(main_first), n));
        }
        if let Some(f) = &self.fallback {
            let end = n.min(main_first.saturating_sub(1));
            let first = start.max(f.first_evaluable_week());
            if first <= end {
                plan.push((Used::Fallback, f, first, end));
            }
        }
        for (used, m, first, last) in plan {
            if first > last {
                continue;
            }
            let results = match m.evaluate(&series, first..=last, Compat::Published) {
                Ok(r) => r,
                // One week at a time, so that one bad week leaves only itself out.
                Err(_) => (first..=last)
                    .filter_map(|w| {
                        m.evaluate(&series, w..=w, Compat::Published)
                            .ok()
                            .and_then(|mut r| r.pop())
                    })
                    .collect(),
            };
            for r in results {
                let Some(e) = r
                    .week_index
                    .checked_sub(1 + from)
                    .and_then(|i| out.get_mut(i))
                else {
                    continue;
                };
                e.threshold = r.upperbound.filter(|t| t.is_finite());
                e.alarm = e.threshold.and(r.alarm);
                e.used = Some(used);
            }
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_a_default_that_compiles() {
        for s in Source::ALL {
            let r = Rule::default_for(s);
            assert!(r.compile().is_ok(), "{s:?}");
            assert_eq!(r.enabled, s != Source::Wastewater);
        }
        let d = Rule::default_for(Source::Seizures);
        assert_eq!(d.main.method, "farrington-flexible");
        assert!(d.main.params.contains(&"alpha=0.005".to_owned()));
        assert!(Rule::default_for(Source::Drugcheck)
            .main
            .params
            .contains(&"alpha=0.01".to_owned()));
    }

    #[test]
    fn a_bad_parameter_is_refused_naming_it() {
        let mut r = Rule::default_for(Source::Overdoses);
        r.main.params.push("bb=3".into());
        let e = r.compile().unwrap_err();
        assert_eq!(e.field, "params");
        assert!(e.rule.contains("bb"), "{}", e.rule);
        r.main.params = vec!["alpha=two".into()];
        let e = r.compile().unwrap_err();
        assert!(e.rule.contains("alpha"), "{}", e.rule);
        r.main.method = "farrington-rigid".into();
        assert_eq!(r.compile().unwrap_err().field, "method");
        let mut r = Rule::default_for(Source::Overdoses);
        r.fallback = Some(MethodSpec::of(Method::EarsC3, &["b=3"]));
        assert_eq!(r.compile().unwrap_err().field, "fallback_params");
        assert_eq!(
            split_params(" b=3\n\nalpha=0.01; w=2 "),
            ["b=3", "alpha=0.01", "w=2"]
        );
    }

    /// A seeded negative binomial-like series of `n` weeks around `mean`.
    fn simulated(n: usize, mean: f64, seed: u64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|i| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let u = (x >> 11) as f64 / (1u64 << 53) as f64;
                let season = 1.0 + 0.2 * (i as f64 * std::f64::consts::TAU / 52.0).sin();
                (mean * season * (0.7 + 0.6 * u)).round()
            })
            .collect()
    }

    #[test]
    fn an_injected_outbreak_raises_an_alarm_in_the_outbreak() {
        let mut values = simulated(261, 20.0, 7);
        for v in values.iter_mut().skip(255).take(3) {
            *v += 40.0;
        }
        let rule = Rule::default_for(Source::Overdoses).compile().unwrap();
        let out = rule.evaluate(&values, 200);
        assert_eq!(out.len(), 61);
        assert!(out.iter().all(|e| e.used == Some(Used::Main)));
        let alarms: Vec<usize> = out
            .iter()
            .filter(|e| e.alarm == Some(true))
            .map(|e| e.index)
            .collect();
        assert!(alarms.contains(&255), "{alarms:?}");
        assert!(
            alarms.iter().filter(|i| **i < 255).count() <= 2,
            "{alarms:?}"
        );
    }

    #[test]
    fn a_young_series_is_evaluated_with_the_short_history_method() {
        let mut values = simulated(60, 10.0, 3);
        values[58] = 60.0;
        let rule = Rule::default_for(Source::Drugcheck).compile().unwrap();
        let out = rule.evaluate(&values, 0);
        // EARS C3 needs eleven earlier weeks; nothing before.
        assert!(out[..11]
            .iter()
            .all(|e| e.used.is_none() && e.threshold.is_none()));
        assert!(out[11..].iter().all(|e| e.used == Some(Used::Fallback)));
        assert_eq!(out[58].alarm, Some(true));
        let mut off = Rule::default_for(Source::Wastewater);
        off.enabled = false;
        let out = off.compile().unwrap().evaluate(&values, 0);
        assert!(out.iter().all(|e| e.threshold.is_none()));
        let mut bare = Rule::default_for(Source::Drugcheck);
        bare.fallback = None;
        let out = bare.compile().unwrap().evaluate(&values, 0);
        assert!(out.iter().all(|e| e.used.is_none()));
    }
}
