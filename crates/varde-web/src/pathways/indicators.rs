//! The quality indicators for a period, as a page — a chart with its table per indicator (the
//! chosen unit against its health trust, region and the nation), the trends of each over the
//! last 24 months, every visible place side by side in one table, and each indicator's
//! definition — and as the report JSON of `varde pathways report` (with trends on request).
//! What a user sees is decided per organisation by the one decision function
//! (`pathway.indicators`): a unit's rows are shown if the user may see its organisation's
//! indicators (analysts: every organisation; clinicians: their own), a health trust's or
//! region's if the user may see a unit in it, the nation always. Cells are suppressed in the
//! core, on everyone's figures, before any of this (small cells and those that would give one
//! back: `varde_core::suppression::protect`); a period is cut at today.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use jiff::civil::Date;
use serde::Deserialize;
use varde_core::authz::{decide, Action, Subject};
use varde_core::fields::{self, FieldError};
use varde_core::org::{OrgId, Principal};
use varde_core::pathways::indicators::{INDICATOR_IDS, NATION_KEY};
use varde_core::pathways::trends::{reports, series_of, Step, Trends};
use varde_core::pathways::{published_report, IndicatorRow, Level, Report, WaitingRow};

use super::cache::{load, Parsed};
use super::indicator_tables::{self as tables, Overview};
use crate::authz::{OrgAccess, SeePathwayIndicators};
use crate::chart::{percent, BarChart, LineChart, LineSeries, Value};
use crate::error::WebError;
use crate::forms::{render, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

/// The period of a report (page, API and downloads): from the first of this year to today by
/// default; the unit compared; how trends are split.
#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub by: Option<String>,
}

impl PeriodQuery {
    pub fn period(&self, today: Date) -> Result<(Date, Date), WebError> {
        let year_start = Date::new(today.year(), 1, 1).unwrap_or(today);
        let from = fields::opt_date("from", self.from.as_deref().unwrap_or(""))?;
        let to = fields::opt_date("to", self.to.as_deref().unwrap_or(""))?;
        let (from, to) = (from.unwrap_or(year_start), to.unwrap_or(today));
        if from > to {
            return Err(WebError::invalid("from", "the period starts after it ends"));
        }
        Ok((from, to))
    }

    /// How trends are split: `None` when not asked for.
    pub fn step(&self) -> Result<Option<Step>, WebError> {
        match self.by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => Step::parse(s)
                .map(Some)
                .ok_or_else(|| FieldError::new("by", "one of month, tertial, year").into()),
        }
    }
}

/// The report the user may see, the units they may pick (whose organisation's indicators they
/// may see), the places they may see, and the events it was computed on.
pub struct Visible {
    pub report: Report,
    pub units: Vec<String>,
    pub keys: BTreeSet<(Level, String)>,
    pub events: Arc<Parsed>,
}

/// The places (level, key) whose figures `principal` may see, and the units among them.
fn allowed(all: &Parsed, principal: &Principal) -> (BTreeSet<(Level, String)>, Vec<String>) {
    let mut may_see: BTreeMap<OrgId, bool> = BTreeMap::new();
    let mut units: BTreeSet<String> = BTreeSet::new();
    let mut keys: BTreeSet<(Level, String)> = BTreeSet::new();
    keys.insert((Level::Nation, NATION_KEY.to_owned()));
    let mut seen: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    for (org, e) in all.orgs.iter().zip(&all.events) {
        let may = *may_see.entry(*org).or_insert_with(|| {
            decide(
                principal,
                Action::PathwayIndicators,
                &Subject::of_org(*org),
                None,
            )
            .allowed
        });
        if may && seen.insert((&e.unit, &e.hf, &e.rhf)) {
            units.insert(e.unit.to_string());
            keys.insert((Level::Unit, e.unit.to_string()));
            keys.insert((Level::Hf, e.hf.to_string()));
            keys.insert((Level::Rhf, e.rhf.to_string()));
        }
    }
    (keys, units.into_iter().collect())
}

/// `report` with only the rows of the places in `keys`.
fn only(report: Report, keys: &BTreeSet<(Level, String)>) -> Report {
    let keep = |level: Level, key: &str| keys.contains(&(level, key.to_owned()));
    Report {
        from: report.from,
        to: report.to,
        indicators: report
            .indicators
            .into_iter()
            .filter(|r| keep(r.level, &r.key))
            .collect(),
        waiting_time: report
            .waiting_time
            .into_iter()
            .filter(|r| keep(r.level, &r.key))
            .collect(),
    }
}

/// The indicator report of a period (cut at today) as `principal` may see it.
pub async fn visible_report(
    state: &AppState,
    principal: &Principal,
    from: Date,
    to: Date,
) -> Result<Visible, WebError> {
    let all = load(state, None).await?;
    let full = published_report(&all.events, from, to, state.clock.today());
    let (keys, units) = allowed(&all, principal);
    Ok(Visible {
        report: only(full, &keys),
        units,
        keys,
        events: all,
    })
}

/// The trends of a period (cut at today) split by `step`, as `principal` may see them: each
/// part suppressed as its own report, then filtered to the places in `keys`.
pub async fn visible_trends(
    state: &AppState,
    all: &Parsed,
    keys: &BTreeSet<(Level, String)>,
    (from, to): (Date, Date),
    step: Step,
) -> Result<Trends, WebError> {
    let today = state.clock.today();
    let events = all.events.clone();
    let parts = tokio::task::spawn_blocking(move || reports(&events, from, to, today, step))
        .await
        .map_err(|_| WebError::internal("trends task failed"))?;
    let parts: Vec<Report> = parts.into_iter().map(|r| only(r, keys)).collect();
    Ok(series_of(&parts, step))
}

/// The unit compared (the one asked for if the user may pick it, else the first), with its HF
/// and RHF from the events; the units the user may pick: those with figures for the period, and
/// their own organisation's always.
pub struct Chosen {
    pub units: Vec<String>,
    pub unit: Option<String>,
    pub hf: String,
    pub rhf: String,
}

pub fn choose(v: &Visible, own: OrgId, asked: Option<&str>) -> Chosen {
    let with_rows: BTreeSet<&str> = v
        .report
        .indicators
        .iter()
        .filter(|i| i.level == Level::Unit)
        .map(|i| i.key.as_str())
        .collect();
    let mine: BTreeSet<&str> = v
        .events
        .orgs
        .iter()
        .zip(&v.events.events)
        .filter(|(o, _)| **o == own)
        .map(|(_, e)| &*e.unit)
        .collect();
    let units: Vec<String> = v
        .units
        .iter()
        .filter(|u| with_rows.contains(u.as_str()) || mine.contains(u.as_str()))
        .cloned()
        .collect();
    let unit = asked
        .map(str::to_owned)
        .filter(|u| units.contains(u))
        .or_else(|| units.first().cloned());
    let (hf, rhf) = match &unit {
        Some(u) => v
            .events
            .events
            .iter()
            .rev()
            .find(|e| &*e.unit == u)
            .map_or((String::new(), String::new()), |e| {
                (e.hf.to_string(), e.rhf.to_string())
            }),
        None => (String::new(), String::new()),
    };
    Chosen {
        units,
        unit,
        hf,
        rhf,
    }
}

impl Chosen {
    /// Whether a row of (level, key) is one the comparison shows: the unit, its HF and RHF and
    /// the nation; with no unit, the nation and the regions.
    pub fn compares(&self, level: Level, key: &str) -> bool {
        match &self.unit {
            Some(u) => match level {
                Level::Unit => key == u,
                Level::Hf => key == self.hf,
                Level::Rhf => key == self.rhf,
                Level::Nation => true,
            },
            None => matches!(level, Level::Nation | Level::Rhf),
        }
    }

    /// The comparison's rows of one indicator, in order: unit, HF, RHF, nation.
    pub fn rows<'a>(&self, rows: impl Iterator<Item = &'a IndicatorRow>) -> Vec<&'a IndicatorRow> {
        let mut out: Vec<&IndicatorRow> = rows.filter(|r| self.compares(r.level, &r.key)).collect();
        out.sort_by_key(|r| (order(r.level), r.key.clone()));
        out
    }

    /// The comparison's waiting-time rows.
    pub fn waiting<'a>(&self, rows: &'a [WaitingRow]) -> Vec<&'a WaitingRow> {
        let mut out: Vec<&WaitingRow> = rows
            .iter()
            .filter(|w| self.compares(w.level, &w.key))
            .collect();
        out.sort_by_key(|r| (order(r.level), r.key.clone()));
        out
    }
}

/// Levels from the smallest place up: unit, HF, RHF, nation.
pub fn order(level: Level) -> u8 {
    match level {
        Level::Unit => 0,
        Level::Hf => 1,
        Level::Rhf => 2,
        Level::Nation => 3,
    }
}

/// The start of the trends: 24 months up to `to` (from the first of the month 23 months
/// before), or `from` if it is earlier.
pub fn trend_start(from: Date, to: Date) -> Date {
    let start = to
        .first_of_month()
        .checked_sub(jiff::Span::new().months(23))
        .unwrap_or(from);
    start.min(from)
}

struct IndicatorView {
    id: &'static str,
    chart: BarChart,
    trend: LineChart,
}

struct WaitingView {
    level: &'static str,
    key: String,
    n: String,
    median: String,
    mean: String,
    p90: String,
}

struct Definition {
    id: &'static str,
    title: &'static str,
    numerator: &'static str,
    denominator: &'static str,
    exclusions: &'static str,
    source: &'static str,
}

#[derive(Template)]
#[template(path = "pathways/indicators.html")]
struct IndicatorsT {
    c: Chrome,
    /// Analysts also have the national LAR and coercion figures.
    national: bool,
    from: String,
    to: String,
    unit: String,
    units: Vec<String>,
    by: &'static str,
    steps: Vec<(&'static str, &'static str)>,
    /// The query string of the downloads (period, unit, split).
    query: String,
    indicators: Vec<IndicatorView>,
    waiting: Vec<WaitingView>,
    overview: Overview,
    definitions: Vec<Definition>,
}

/// A share as the table shows it: `41,7 %`, the suppression mark, or "none measured".
pub fn shown_share(l: Lang, share: Option<f64>, suppressed: bool) -> String {
    if suppressed {
        l.t("suppressed").to_owned()
    } else if share.is_none() {
        l.t("pathways.nothing_measured").to_owned()
    } else {
        percent(share)
    }
}

/// Each indicator's definition, in the page's language.
fn definitions(l: Lang) -> Vec<Definition> {
    INDICATOR_IDS
        .iter()
        .map(|id| Definition {
            id,
            title: l.t_in("pathways", id),
            numerator: l.t_in("pathways.def", &format!("{id}.numerator")),
            denominator: l.t_in("pathways.def", &format!("{id}.denominator")),
            exclusions: l.t_in("pathways.def", &format!("{id}.exclusions")),
            source: l.t_in("pathways.def", &format!("{id}.source")),
        })
        .collect()
}

/// The download links' query string for the page's choices.
pub fn query_string(from: Date, to: Date, unit: Option<&str>, by: Step) -> String {
    let mut q = vec![
        ("from", from.to_string()),
        ("to", to.to_string()),
        ("by", by.as_str().to_owned()),
    ];
    if let Some(u) = unit {
        q.push(("unit", u.to_owned()));
    }
    serde_urlencoded::to_string(q).unwrap_or_default()
}

pub(super) async fn indicators_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeePathwayIndicators>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let (from, to) = q.period(state.clock.today())?;
    let by = q.step()?.unwrap_or(Step::Month);
    let v = visible_report(&state, &access.principal, from, to).await?;
    let l = page.c.l;
    let chosen = choose(&v, access.org(), q.unit.as_deref());
    let trends =
        visible_trends(&state, &v.events, &v.keys, (trend_start(from, to), to), by).await?;
    let r = &v.report;
    let headings = ["level", "name", "fraction", "share"].map(|k| l.t(k).to_owned());
    let period_labels: Vec<String> = trends
        .periods
        .iter()
        .map(|p| tables::period_label(p.from, by))
        .collect();
    let mut indicators = Vec::new();
    for id in INDICATOR_IDS {
        let rows = chosen.rows(r.indicators.iter().filter(|x| x.id == id));
        let lines: Vec<LineSeries> = {
            let mut series: Vec<_> = trends
                .series
                .iter()
                .filter(|s| s.id == id && chosen.compares(s.level, &s.key))
                .collect();
            series.sort_by_key(|s| (order(s.level), s.key.clone()));
            series
                .into_iter()
                .map(|s| LineSeries {
                    label: s.key.clone(),
                    kind: l.t(super::level_key(s.level)).to_owned(),
                    points: s
                        .points
                        .iter()
                        .map(|p| {
                            let share = p.share.filter(|_| !p.suppressed);
                            (
                                share,
                                tables::fraction_text(
                                    l,
                                    p.numerator,
                                    p.denominator,
                                    p.share,
                                    p.suppressed,
                                ),
                            )
                        })
                        .collect(),
                })
                .collect()
        };
        if rows.is_empty() && lines.is_empty() {
            continue;
        }
        let values = rows
            .iter()
            .map(|row| Value {
                label: row.key.clone(),
                kind: l.t(super::level_key(row.level)).to_owned(),
                share: row.share,
                shown: shown_share(l, row.share, row.suppressed),
                detail: match (row.numerator, row.denominator) {
                    (Some(n), Some(d)) => format!("{n} / {d}"),
                    _ => "–".into(),
                },
                suppressed: row.suppressed,
            })
            .collect();
        let title = l.t_in("pathways", id);
        indicators.push(IndicatorView {
            id,
            chart: BarChart::new(id, title, headings.clone(), values),
            trend: LineChart::new(
                format!("trend-{id}"),
                format!("{title} – {}", l.t("pathways.trends")),
                l.t("pathways.period_part").to_owned(),
                period_labels.clone(),
                lines,
            ),
        });
    }
    let waiting = chosen
        .waiting(&r.waiting_time)
        .into_iter()
        .map(|w| {
            let f = |v: Option<f64>| {
                v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}").replace('.', ","))
            };
            WaitingView {
                level: l.t(super::level_key(w.level)),
                key: w.key.clone(),
                n: w.n
                    .map_or_else(|| l.t("suppressed").to_owned(), |n| n.to_string()),
                median: f(w.median_days),
                mean: f(w.mean_days),
                p90: w.p90_days.map_or_else(|| "–".to_owned(), |v| v.to_string()),
            }
        })
        .collect();
    let national = decide(
        &access.principal,
        Action::PathwayNational,
        &Subject::of_org(access.org()),
        None,
    )
    .allowed;
    render(&IndicatorsT {
        national,
        query: query_string(from, to, chosen.unit.as_deref(), by),
        overview: tables::overview(l, r),
        c: page.c,
        from: from.to_string(),
        to: to.to_string(),
        unit: chosen.unit.clone().unwrap_or_default(),
        units: chosen.units,
        by: by.as_str(),
        steps: Step::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    l.t_in("pathways", &format!("by_{}", s.as_str())),
                )
            })
            .collect(),
        indicators,
        waiting,
        definitions: definitions(l),
    })
}
