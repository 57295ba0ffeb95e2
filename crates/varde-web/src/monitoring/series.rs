//! The weekly series: their incremental evaluation with the detection rules, the aberration
//! signals their alarms raise, and the series as the API and the pages read them.
//!
//! A series' weeks are stored with their evaluation (`monitoring_series_weeks`). A new batch
//! or drug-checking result re-evaluates only the series it touched ([`reevaluate_batch`],
//! [`reevaluate_drugcheck`]): the touched weeks are counted again from the source, and each
//! touched series is evaluated from its first changed week on, within its last
//! [`EVAL_WINDOW`] weeks (older weeks keep their count only); a rule change re-evaluates every
//! series of its source ([`reevaluate_source`]). Series are kept for the whole country and
//! each county; a municipality's series is counted and evaluated when asked for, and raises
//! nothing. Alarms in the [`RECENT_WEEKS`] weeks up to today raise an `aberration` signal, once
//! per series and week (the dedupe key); older alarms show on the chart only, so that
//! importing years of history does not flood the inbox.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use varde_core::monitoring::rules::{Compiled, Evaluated, Rule};
use varde_core::monitoring::series::{self, Areas, Scope, SeriesKey, Source, Week};
use varde_core::monitoring::signals::{NewSignal, SignalKind};
use varde_core::org::OrgId;
use varde_core::warnings::Area;
use varde_store::{SeriesWeek, StoredRule};

use crate::error::WebError;
use crate::AppState;

/// Weeks evaluated back from a series' last week (two years); older weeks are counted only.
pub const EVAL_WINDOW: usize = 104;

/// Alarms in this many ISO weeks up to today's raise a signal; older ones show on the chart.
pub const RECENT_WEEKS: i64 = 8;

/// The rule of `source` with its version.
pub async fn rule_of(state: &AppState, source: Source) -> Result<StoredRule, WebError> {
    state
        .store
        .monitoring_rules()
        .await?
        .into_iter()
        .find(|r| r.rule.source == source)
        .ok_or_else(|| WebError::internal("a source without a rule"))
}

fn compiled(rule: &Rule) -> Result<Compiled, WebError> {
    rule.compile()
        .map_err(|_| WebError::internal("a stored rule does not compile"))
}

/// One series to evaluate: its key, its weeks' values, what is stored of it.
type Work = (SeriesKey, BTreeMap<Week, f64>, BTreeMap<Week, SeriesWeek>);

/// What one series' evaluation gives: the weeks to write and the signals to raise.
struct Outcome {
    weeks: Vec<SeriesWeek>,
    signals: Vec<NewSignal>,
}

/// Everything the evaluation of one source needs, owned (it runs on worker threads).
struct Job {
    source: Source,
    rule: Rule,
    compiled: Compiled,
    version: i64,
    today: Week,
}

impl Job {
    /// Evaluates one series: `values` its weeks' values (the stored ones overlaid with the
    /// new counts), `stored` what is stored of it.
    fn run(
        &self,
        key: &SeriesKey,
        values: &BTreeMap<Week, f64>,
        stored: &BTreeMap<Week, SeriesWeek>,
    ) -> Outcome {
        let weekly = series::weekly(values, None);
        let n = weekly.len();
        let differs = |w: &Week, v: f64| {
            stored
                .get(w)
                .is_none_or(|s| s.observed != v || s.rule_version != self.version)
        };
        let Some(changed) = weekly.iter().position(|(w, v)| differs(w, *v)) else {
            return Outcome {
                weeks: Vec::new(),
                signals: Vec::new(),
            };
        };
        let window = n.saturating_sub(EVAL_WINDOW);
        let from = changed.max(window);
        let observed: Vec<f64> = weekly.iter().map(|(_, v)| *v).collect();
        let evaluated: BTreeMap<usize, Evaluated> = self
            .compiled
            .evaluate(&observed, from)
            .into_iter()
            .map(|e| (e.index, e))
            .collect();
        let recent = self.today.plus(-RECENT_WEEKS);
        let mut out = Outcome {
            weeks: Vec::new(),
            signals: Vec::new(),
        };
        for (i, (week, v)) in weekly.iter().enumerate().skip(changed) {
            let e = evaluated.get(&i);
            let threshold = e.and_then(|e| e.threshold);
            let alarm = e.and_then(|e| e.alarm);
            out.weeks.push(SeriesWeek {
                scope: key.scope.code(),
                area: key.area.code(),
                week: week.code(),
                observed: *v,
                threshold,
                alarm,
                method: e.and_then(|e| e.used).map(|u| u.as_str().to_owned()),
                rule_version: self.version,
            });
            if alarm == Some(true) && *week > recent && *week <= self.today {
                let used = e.and_then(|e| e.used);
                out.signals
                    .push(self.signal(key, *week, *v, threshold, used));
            }
        }
        out
    }

    fn signal(
        &self,
        key: &SeriesKey,
        week: Week,
        observed: f64,
        threshold: Option<f64>,
        used: Option<varde_core::monitoring::rules::Used>,
    ) -> NewSignal {
        let method = match (used, &self.rule.fallback) {
            (Some(varde_core::monitoring::rules::Used::Fallback), Some(f)) => {
                format!("{} (short history)", f.describe())
            }
            _ => self.rule.main.describe(),
        };
        NewSignal {
            kind: SignalKind::Aberration,
            source: self.source.as_str().to_owned(),
            substance: match &key.scope {
                Scope::Substance(id) => Some(id.clone()),
                _ => None,
            },
            area: key.area.code(),
            week: week.to_string(),
            observed,
            threshold,
            rule: format!(
                "weekly series above its threshold: {method}, rule version {}",
                self.version
            ),
            detail: format!(
                "series {} · {} · {}",
                self.source.as_str(),
                key.scope.code(),
                key.area.code()
            ),
            dedupe: format!("aberration:{}:{week}", key.name()),
        }
    }
}

/// Re-evaluates the series of `source` touched by the weeks `touched` (every series of the
/// source with `None`), writes their weeks and raises their signals; how many series were
/// re-evaluated.
pub async fn reevaluate_source(
    state: &AppState,
    source: Source,
    touched: Option<(Week, Week)>,
) -> Result<usize, WebError> {
    let stored_rule = rule_of(state, source).await?;
    let job = Job {
        source,
        compiled: compiled(&stored_rule.rule)?,
        rule: stored_rule.rule,
        version: stored_rule.version,
        today: Week::of(state.clock.today()),
    };
    let (lo, hi) = touched.unzip();
    let rows = state.store.monitoring_source_rows(source, lo, hi).await?;
    let counts = series::count(source, &rows, &Areas::NationalAndCounties);
    // History the evaluation needs before the first touched week.
    let need = job.compiled.main.first_evaluable_week() + EVAL_WINDOW + 1;
    let since = lo.map(|w| w.plus(-(need as i64)));
    let mut stored: BTreeMap<(String, String), BTreeMap<Week, SeriesWeek>> = BTreeMap::new();
    for w in state.store.series_weeks(source, since).await? {
        if let Some(week) = Week::from_code(w.week) {
            stored
                .entry((w.scope.clone(), w.area.clone()))
                .or_default()
                .insert(week, w);
        }
    }
    // The series to evaluate with their values.
    let mut work: Vec<Work> = Vec::new();
    let mut keys: Vec<SeriesKey> = counts.keys().cloned().collect();
    // Every stored series: a rule change evaluates them all; a batch carries the ones with no
    // row in its weeks forward with zero counts (a week with nothing found is a week of zero).
    for (scope, area) in stored.keys() {
        if let (Some(scope), Ok(area)) = (Scope::from_code(scope), Area::parse("area", area)) {
            keys.push(SeriesKey {
                source,
                scope,
                area,
            });
        }
    }
    keys.sort();
    keys.dedup();
    for key in keys {
        let old = stored
            .remove(&(key.scope.code(), key.area.code()))
            .unwrap_or_default();
        let new = counts.get(&key);
        let mut values: BTreeMap<Week, f64> = match touched {
            // Everything counted again: the counts are the truth.
            None => BTreeMap::new(),
            Some(_) => old.iter().map(|(w, s)| (*w, s.observed)).collect(),
        };
        if let Some((lo, hi)) = touched {
            values.retain(|w, _| *w < lo || *w > hi);
        }
        if let Some(new) = new {
            values.extend(new.iter().map(|(w, v)| (*w, *v)));
        }
        if let (Some((lo, hi)), Some(first)) = (touched, values.keys().next().copied()) {
            let mut w = lo.max(first);
            while w <= hi {
                values.entry(w).or_insert(0.0);
                w = w.plus(1);
            }
        }
        work.push((key, values, old));
    }
    let n = work.len();
    let outcomes = tokio::task::spawn_blocking(move || evaluate_parallel(&job, &work))
        .await
        .map_err(|_| WebError::internal("the evaluation stopped"))?;
    let (mut weeks, mut signals) = (Vec::new(), Vec::new());
    for o in outcomes {
        weeks.extend(o.weeks);
        signals.extend(o.signals);
    }
    let raised = state
        .store
        .series_write(source, &weeks, &signals, state.clock.now())
        .await?;
    if !raised.is_empty() {
        tracing::info!(
            source = source.as_str(),
            signals = raised.len(),
            "aberration signals raised"
        );
    }
    Ok(n)
}

/// The evaluation of every series, spread over the machine's cores.
fn evaluate_parallel(job: &Job, work: &[Work]) -> Vec<Outcome> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .min(8);
    let chunk = work.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = work
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(k, v, old)| job.run(k, v, old))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Re-evaluates the series an imported batch touched (`batch_key` is the rows'
/// `monitoring_records.batch_id`, of organisation `org`); how many series were re-evaluated.
/// Sources without a weekly series (deaths, surveys, rapid assessments) are left out.
pub async fn reevaluate_batch(
    state: &AppState,
    org: OrgId,
    batch_key: &str,
) -> Result<usize, WebError> {
    let Some(source) = batch_key
        .split_once('/')
        .and_then(|(s, _)| Source::parse("source", s).ok())
    else {
        return Ok(0);
    };
    match state.store.monitoring_batch_span(org.0, batch_key).await? {
        Some(span) => reevaluate_source(state, source, Some(span)).await,
        None => Ok(0),
    }
}

/// Re-evaluates the drug-checking series the result of sample `sample_id` touched (its week
/// of receipt); how many series were re-evaluated.
pub async fn reevaluate_drugcheck(state: &AppState, sample_id: i64) -> Result<usize, WebError> {
    match state.store.drugcheck_sample_week(sample_id).await? {
        Some(w) => reevaluate_source(state, Source::Drugcheck, Some((w, w))).await,
        None => Ok(0),
    }
}

/// A method and its parameters.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleRef {
    pub method: String,
    pub params: Vec<String>,
    /// The short-history method, used while the series is too young for `method`.
    pub fallback: Option<String>,
}

/// One week of a series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekDoc {
    /// ISO week, `2026-W48`.
    pub week: String,
    pub observed: f64,
    /// The threshold (none: not evaluated, or too little history).
    pub threshold: Option<f64>,
    pub alarm: Option<bool>,
    /// Which of the rule's methods evaluated the week: `main`, `fallback` or none.
    pub method: Option<String>,
}

/// A weekly series with its evaluation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesDoc {
    pub source: String,
    /// The substance's id, `class:{class}`, or empty for every substance.
    pub substance: String,
    /// `national`, `county:NN` or a municipality number.
    pub area: String,
    pub rule: RuleRef,
    pub weeks: Vec<WeekDoc>,
}

/// The series asked for: `source`, `substance` (a name, synonym, class, or empty for all)
/// and `area` (national when empty), each refused naming its field.
pub fn parse_key(source: &str, substance: &str, area: &str) -> Result<SeriesKey, WebError> {
    let mut errors = Vec::new();
    let source = Source::parse("source", source)
        .map_err(|e| errors.push(e))
        .ok();
    let scope = Scope::parse("substance", substance)
        .map_err(|e| errors.push(e))
        .ok();
    let area = if area.trim().is_empty() {
        Some(Area::National)
    } else {
        Area::parse("area", area).map_err(|e| errors.push(e)).ok()
    };
    match (source, scope, area) {
        (Some(source), Some(scope), Some(area)) => Ok(SeriesKey {
            source,
            scope,
            area,
        }),
        _ => Err(WebError::invalid_fields(errors)),
    }
}

/// The series of `key` with its evaluation: the stored weeks for the country and a county;
/// a municipality's counted and evaluated now.
pub async fn load(state: &AppState, key: &SeriesKey) -> Result<SeriesDoc, WebError> {
    let stored_rule = rule_of(state, key.source).await?;
    let rule = &stored_rule.rule;
    let weeks: Vec<WeekDoc> = if let Area::Municipality(_) = key.area {
        let rows = state
            .store
            .monitoring_source_rows(key.source, None, None)
            .await?;
        let counts = series::count(key.source, &rows, &Areas::Only(key.area.clone()));
        let weekly = counts
            .get(key)
            .map(|v| series::weekly(v, None))
            .unwrap_or_default();
        let observed: Vec<f64> = weekly.iter().map(|(_, v)| *v).collect();
        let from = observed.len().saturating_sub(EVAL_WINDOW);
        let evaluated: BTreeMap<usize, Evaluated> = compiled(rule)?
            .evaluate(&observed, from)
            .into_iter()
            .map(|e| (e.index, e))
            .collect();
        weekly
            .iter()
            .enumerate()
            .map(|(i, (w, v))| {
                let e = evaluated.get(&i);
                WeekDoc {
                    week: w.to_string(),
                    observed: *v,
                    threshold: e.and_then(|e| e.threshold),
                    alarm: e.and_then(|e| e.alarm),
                    method: e.and_then(|e| e.used).map(|u| u.as_str().to_owned()),
                }
            })
            .collect()
    } else {
        state
            .store
            .series_of(key.source, &key.scope.code(), &key.area.code())
            .await?
            .into_iter()
            .filter_map(|w| {
                Some(WeekDoc {
                    week: Week::from_code(w.week)?.to_string(),
                    observed: w.observed,
                    threshold: w.threshold,
                    alarm: w.alarm,
                    method: w.method,
                })
            })
            .collect()
    };
    Ok(SeriesDoc {
        source: key.source.as_str().to_owned(),
        substance: match &key.scope {
            Scope::All => String::new(),
            Scope::Substance(id) => id.clone(),
            s @ Scope::Class(_) => s.code(),
        },
        area: key.area.code(),
        rule: RuleRef {
            method: rule.main.method.clone(),
            params: rule.main.params.clone(),
            fallback: rule.fallback.as_ref().map(|f| f.describe()),
        },
        weeks,
    })
}
