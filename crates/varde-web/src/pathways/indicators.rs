//! The quality indicators for a period, as a page (a chart with its table per indicator, the
//! chosen unit against its health trust, region and the nation) and as the report JSON of
//! `varde pathways report`. What a user sees is decided per organisation by the one decision
//! function (`pathway.indicators`): a unit's rows are shown if the user may see its
//! organisation's indicators (analysts: every organisation; clinicians: their own), a health
//! trust's or region's if the user may see a unit in it, the nation always. Cells under 5 are
//! suppressed in the core, before any of this.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use jiff::civil::Date;
use serde::Deserialize;
use varde_core::authz::{decide, Action, Subject};
use varde_core::fields;
use varde_core::org::{OrgId, Principal};
use varde_core::pathways::indicators::NATION_KEY;
use varde_core::pathways::{report, IndicatorRow, Level, Report};

use super::cache::{load, Parsed};
use crate::authz::{OrgAccess, SeePathwayIndicators};
use crate::chart::{percent, BarChart, Value};
use crate::error::WebError;
use crate::forms::{render, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

/// The period of a report (page and API): from the first of this year to today by default.
#[derive(Deserialize)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
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
}

/// The report the user may see, the units they may pick (whose organisation's indicators they
/// may see), and the events it was computed on.
pub struct Visible {
    pub report: Report,
    pub units: Vec<String>,
    pub events: Arc<Parsed>,
}

/// The indicator report of a period as `principal` may see it.
pub async fn visible_report(
    state: &AppState,
    principal: &Principal,
    from: Date,
    to: Date,
) -> Result<Visible, WebError> {
    let all = load(state, None).await?;
    let full = report(&all.events, from, to);
    let mut allowed: BTreeMap<OrgId, bool> = BTreeMap::new();
    let mut units: BTreeSet<String> = BTreeSet::new();
    let mut keys: BTreeSet<(Level, &str)> = BTreeSet::new();
    keys.insert((Level::Nation, NATION_KEY));
    for (org, e) in all.orgs.iter().zip(&all.events) {
        let may = *allowed.entry(*org).or_insert_with(|| {
            decide(
                principal,
                Action::PathwayIndicators,
                &Subject::of_org(*org),
                None,
            )
            .allowed
        });
        if may {
            units.insert(e.unit.to_string());
            keys.insert((Level::Unit, &e.unit));
            keys.insert((Level::Hf, &e.hf));
            keys.insert((Level::Rhf, &e.rhf));
        }
    }
    let keep = |level: Level, key: &str| keys.contains(&(level, key));
    let report = Report {
        from: full.from,
        to: full.to,
        indicators: full
            .indicators
            .into_iter()
            .filter(|r| keep(r.level, &r.key))
            .collect(),
        waiting_time: full
            .waiting_time
            .into_iter()
            .filter(|r| keep(r.level, &r.key))
            .collect(),
    };
    let units = units.into_iter().collect();
    Ok(Visible {
        report,
        units,
        events: all,
    })
}

struct IndicatorView {
    id: &'static str,
    chart: BarChart,
}

struct WaitingView {
    level: &'static str,
    key: String,
    n: String,
    median: String,
    mean: String,
    p90: String,
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
    indicators: Vec<IndicatorView>,
    waiting: Vec<WaitingView>,
}

/// The comparison rows for one unit: the unit, its HF, its RHF, the nation.
fn comparison(rows: &[&IndicatorRow], unit: &str, hf: &str, rhf: &str) -> Vec<IndicatorRow> {
    let find = |level: Level, key: &str| {
        rows.iter()
            .find(|r| r.level == level && r.key == key)
            .map(|r| (*r).clone())
    };
    [
        find(Level::Unit, unit),
        find(Level::Hf, hf),
        find(Level::Rhf, rhf),
        find(Level::Nation, NATION_KEY),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub(super) async fn indicators_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeePathwayIndicators>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let (from, to) = q.period(state.clock.today())?;
    let Visible {
        report: r,
        units,
        events: all,
    } = visible_report(&state, &access.principal, from, to).await?;
    let l = page.c.l;
    // Units the user may pick: those of the organisations whose indicators they may see, that
    // have figures for the period (their own always).
    let with_rows: BTreeSet<&str> = r
        .indicators
        .iter()
        .filter(|i| i.level == Level::Unit)
        .map(|i| i.key.as_str())
        .collect();
    let own: BTreeSet<&str> = all
        .orgs
        .iter()
        .zip(&all.events)
        .filter(|(o, _)| **o == access.org())
        .map(|(_, e)| &*e.unit)
        .collect();
    let units: Vec<String> = units
        .into_iter()
        .filter(|u| with_rows.contains(u.as_str()) || own.contains(u.as_str()))
        .collect();
    let chosen = q
        .unit
        .clone()
        .filter(|u| units.contains(u))
        .or_else(|| units.first().cloned());
    // The unit's HF and RHF, from the events.
    let (hf, rhf) = match &chosen {
        Some(u) => all
            .events
            .iter()
            .rev()
            .find(|e| &*e.unit == u)
            .map_or((String::new(), String::new()), |e| {
                (e.hf.to_string(), e.rhf.to_string())
            }),
        None => (String::new(), String::new()),
    };
    let mut by_id: BTreeMap<&'static str, Vec<&IndicatorRow>> = BTreeMap::new();
    for row in &r.indicators {
        by_id.entry(row.id).or_default().push(row);
    }
    let headings = ["level", "name", "fraction", "share"].map(|k| l.t(k).to_owned());
    let indicators = by_id
        .iter()
        .map(|(id, rows)| {
            let cmp = match &chosen {
                Some(u) => comparison(rows, u, &hf, &rhf),
                None => rows
                    .iter()
                    .filter(|r| r.level == Level::Nation || r.level == Level::Rhf)
                    .map(|r| (*r).clone())
                    .collect(),
            };
            let values = cmp
                .iter()
                .map(|row| Value {
                    label: row.key.clone(),
                    kind: l.t(super::level_key(row.level)).to_owned(),
                    share: row.share,
                    shown: if row.suppressed {
                        l.t("suppressed").to_owned()
                    } else {
                        percent(row.share)
                    },
                    detail: match (row.numerator, row.denominator) {
                        (Some(n), Some(d)) => format!("{n} / {d}"),
                        _ => "–".into(),
                    },
                    suppressed: row.suppressed,
                })
                .collect();
            IndicatorView {
                id,
                chart: BarChart::new(*id, l.t_in("pathways", id), headings.clone(), values),
            }
        })
        .collect();
    let waiting = r
        .waiting_time
        .iter()
        .filter(|w| match &chosen {
            Some(u) => {
                (w.level == Level::Unit && &w.key == u)
                    || (w.level == Level::Hf && w.key == hf)
                    || (w.level == Level::Rhf && w.key == rhf)
                    || w.level == Level::Nation
            }
            None => w.level == Level::Nation || w.level == Level::Rhf,
        })
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
        c: page.c,
        from: from.to_string(),
        to: to.to_string(),
        unit: chosen.clone().unwrap_or_default(),
        units,
        indicators,
        waiting,
    })
}
