//! What the dashboard pages show of a [`FocusDoc`] (the analysts' and the public's alike):
//! each indicator's trend as the shared SVG line chart with its table, the latest value and
//! its date, the direction against the goal; and every table as CSV (semicolon-separated with
//! decimal commas, as Norwegian spreadsheets expect; suppressed cells marked).

use axum::response::Response;
use serde::Deserialize;
use varde_core::fields::spreadsheet_cell;

use super::ops::{FocusDoc, GoalDoc, IndicatorDoc};
use crate::chart::{LineChart, LineSeries};
use crate::error::WebError;
use crate::i18n::Lang;

/// A number as shown: a decimal comma in bokmål, at most one decimal.
pub fn number(v: f64, l: Lang) -> String {
    let s = if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    if l == Lang::En {
        s
    } else {
        s.replace('.', ",")
    }
}

/// A value as shown, or the suppression text.
pub fn shown(v: Option<f64>, suppressed: bool, l: Lang) -> String {
    match v {
        Some(v) => number(v, l),
        None if suppressed => l.t("results.suppressed").to_owned(),
        None => "–".to_owned(),
    }
}

/// An indicator as a dashboard shows it.
pub struct IndView {
    pub d: IndicatorDoc,
    pub lc: Option<LineChart>,
    /// The latest value as shown, with its unit.
    pub latest: String,
}

/// A goal as a dashboard shows it.
pub struct GoalView {
    pub d: GoalDoc,
    pub inds: Vec<IndView>,
}

/// The views of a focus area's goals.
pub fn goals(doc: &FocusDoc, l: Lang) -> Vec<GoalView> {
    doc.goals
        .iter()
        .map(|g| GoalView {
            inds: g
                .indicators
                .iter()
                .map(|i| {
                    let lc = (!i.points.is_empty()).then(|| {
                        LineChart::values(
                            format!("i-{}", i.id),
                            i.name.clone(),
                            l.t("results.year").to_owned(),
                            i.points.iter().map(|p| p.year.to_string()).collect(),
                            vec![LineSeries {
                                label: i.name.clone(),
                                kind: i.unit.clone(),
                                points: i
                                    .points
                                    .iter()
                                    .map(|p| (p.value, shown(p.value, p.suppressed, l)))
                                    .collect(),
                            }],
                            "",
                        )
                    });
                    let latest = i
                        .points
                        .last()
                        .map(|p| format!("{} {}", shown(p.value, p.suppressed, l), i.unit))
                        .unwrap_or_default();
                    IndView {
                        d: i.clone(),
                        lc,
                        latest,
                    }
                })
                .collect(),
            d: g.clone(),
        })
        .collect()
}

/// Which table to download: `goals` (the focus area's goals with their ratings),
/// `indicators` (every indicator with its latest value) or `indicator` (one indicator's
/// years, `id`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TableQuery {
    pub table: String,
    pub id: String,
    pub area: String,
}

fn field(s: &str) -> String {
    let s = spreadsheet_cell(s);
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

fn csv(headings: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: Vec<String>| cells.join(";") + "\r\n";
    let mut out = line(headings.iter().map(|h| field(h)).collect());
    for r in rows {
        out += &line(r.iter().map(|c| field(c)).collect());
    }
    out
}

/// The table `q` of `doc` as a CSV download.
pub fn table_csv(doc: &FocusDoc, q: &TableQuery, l: Lang) -> Result<Response, WebError> {
    let t = |k: &str| l.t(k);
    let (name, body) = match q.table.as_str() {
        "goals" | "" => (
            format!("{}-{}-goals.csv", doc.plan, doc.focus),
            csv(
                &[
                    t("results.goal_id"),
                    t("results.goal"),
                    t("results.followed"),
                    t("results.year"),
                    t("results.rating"),
                    t("results.reason"),
                    t("results.set_by"),
                ],
                &doc.goals
                    .iter()
                    .map(|g| {
                        let r = g.rating.as_ref();
                        vec![
                            g.id.clone(),
                            g.text.clone(),
                            t(if g.followed {
                                "results.yes"
                            } else {
                                "results.not_followed"
                            })
                            .to_owned(),
                            r.map(|r| r.year.to_string()).unwrap_or_default(),
                            r.map(|r| r.rating.clone()).unwrap_or_default(),
                            r.map(|r| r.reason.clone()).unwrap_or_default(),
                            r.and_then(|r| r.set_by.clone()).unwrap_or_default(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
        "indicators" => (
            format!("{}-{}-indicators.csv", doc.plan, doc.focus),
            csv(
                &[
                    t("results.goal_id"),
                    t("results.indicator"),
                    t("results.source"),
                    t("results.unit"),
                    t("results.direction"),
                    t("results.level"),
                    t("results.latest_year"),
                    t("results.latest_value"),
                    t("results.verdict"),
                ],
                &doc.goals
                    .iter()
                    .flat_map(|g| {
                        g.indicators.iter().map(move |i| {
                            let last = i.points.last();
                            vec![
                                g.id.clone(),
                                i.name.clone(),
                                i.source_name.clone(),
                                i.unit.clone(),
                                l.t_in("results.direction", &i.direction).to_owned(),
                                l.t_in("results.level", &i.level).to_owned(),
                                last.map(|p| p.year.to_string()).unwrap_or_default(),
                                last.map(|p| shown(p.value, p.suppressed, l))
                                    .unwrap_or_default(),
                                l.t_in("results.verdict", &i.verdict).to_owned(),
                            ]
                        })
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
        "indicator" => {
            let i = doc
                .goals
                .iter()
                .flat_map(|g| g.indicators.iter())
                .find(|i| i.id == q.id)
                .ok_or_else(|| {
                    WebError::invalid("id", "no indicator of this focus area has this id")
                })?;
            (
                format!("{}-{}.csv", doc.plan, i.id),
                csv(
                    &[t("results.year"), &i.name, t("results.unit")],
                    &i.points
                        .iter()
                        .map(|p| {
                            vec![
                                p.year.to_string(),
                                shown(p.value, p.suppressed, l),
                                i.unit.clone(),
                            ]
                        })
                        .collect::<Vec<_>>(),
                ),
            )
        }
        _ => {
            return Err(WebError::invalid(
                "table",
                "one of goals, indicators, indicator",
            ))
        }
    };
    Ok(crate::download::csv(body, &name))
}
