//! The analysts' series pages and API: `/monitoring/series` (choose a source, substance and
//! area; the chart of observed counts, threshold and alarm weeks, with its table),
//! `/monitoring/dashboard` (the inbox's open signals, small charts of the series with recent
//! alarms, the latest drug-checking findings, the areas with open signals), and
//! `GET /api/v1/monitoring/series`.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::OpenApi;
use varde_core::monitoring::series::{Scope, SeriesKey, Source, Week};
use varde_core::monitoring::signals::SignalStatus;
use varde_core::warnings::Area;

use super::ops;
use super::series::{self, RuleRef, SeriesDoc, WeekDoc, RECENT_WEEKS};
use crate::authz::{OrgAccess, ReadMonitoring};
use crate::chart::{LineChart, LineSeries};
use crate::error::{Problem, WebError};
use crate::forms::{render, render_status, FormError, PageResult};
use crate::i18n::Lang;
use crate::shell::{Chrome, Page};
use crate::AppState;

/// Weeks a chart shows (the dashboard's small charts: the last half year).
const CHART_WEEKS: usize = 104;
const SMALL_WEEKS: usize = 26;
/// The dashboard's most small charts, newest signals and findings.
const SMALL_CHARTS: usize = 6;
const NEWEST: usize = 5;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/series", get(series_page))
        .route("/monitoring/dashboard", get(dashboard))
}

pub(super) fn api_routes() -> Router<AppState> {
    Router::new().route("/monitoring/series", get(api_series))
}

#[derive(OpenApi)]
#[openapi(paths(api_series), components(schemas(SeriesDoc, WeekDoc, RuleRef)))]
pub(super) struct ApiDoc;

/// `?source=&substance=&area=` (and, for the API, `from=&to=`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SeriesQuery {
    source: String,
    substance: String,
    area: String,
    from: String,
    to: String,
}

/// An optional ISO week of the query (`2026-W48`; a week that does not exist is refused).
fn week_param(field: &'static str, v: &str) -> Result<Option<Week>, WebError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(Week::parse(field, v)?))
    }
}

/// A weekly series with its evaluation: `source` (`overdoses`, `seizures`,
/// `syringe_residue`, `drugcheck`, `wastewater`), `substance` (a name, synonym or class of the
/// reference list; empty or absent: every substance), `area` (`national` when absent,
/// `county:NN` or a municipality number). Weeks run from the series' first week with data to
/// its latest, zero-filled; `from` and `to` (ISO weeks, `2026-W48`) keep the weeks between.
#[utoipa::path(get, path = "/api/v1/monitoring/series",
    params(("source" = String, Query), ("substance" = Option<String>, Query), ("area" = Option<String>, Query),
        ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = SeriesDoc), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn api_series(
    State(state): State<AppState>,
    _access: OrgAccess<ReadMonitoring>,
    Query(q): Query<SeriesQuery>,
) -> Result<Response, WebError> {
    let key = series::parse_key(&q.source, &q.substance, &q.area)?;
    let (from, to) = (week_param("from", &q.from)?, week_param("to", &q.to)?);
    let mut doc = series::load(&state, &key).await?;
    doc.weeks.retain(|w| {
        Week::parse("week", &w.week)
            .is_ok_and(|w| from.is_none_or(|f| w >= f) && to.is_none_or(|t| w <= t))
    });
    Ok(axum::Json(doc).into_response())
}

/// A number as shown: whole numbers without decimals, others with one.
fn shown(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}").replace('.', ",")
    }
}

/// A series' name in the language: source · substance · area.
fn title(key: &SeriesKey, l: Lang) -> String {
    format!(
        "{} · {} · {}",
        l.t_in("monitoring.series.source", key.source.as_str()),
        key.scope.name(l.code()),
        key.area.name(l.code())
    )
}

/// The chart of a series' last `weeks` weeks: observed, threshold, alarms marked.
fn chart(id: &str, key: &SeriesKey, doc: &SeriesDoc, weeks: usize, l: Lang) -> LineChart {
    let shown_weeks = &doc.weeks[doc.weeks.len().saturating_sub(weeks)..];
    let periods: Vec<String> = shown_weeks.iter().map(|w| w.week.clone()).collect();
    let observed = LineSeries {
        label: l.t("monitoring.series.observed").to_owned(),
        kind: l.t("monitoring.series.count").to_owned(),
        points: shown_weeks
            .iter()
            .map(|w| {
                let alarm = if w.alarm == Some(true) {
                    format!(" ({})", l.t("monitoring.series.alarm"))
                } else {
                    String::new()
                };
                (Some(w.observed), format!("{}{alarm}", shown(w.observed)))
            })
            .collect(),
    };
    let threshold = LineSeries {
        label: l.t("monitoring.series.threshold").to_owned(),
        kind: l.t("monitoring.series.count").to_owned(),
        points: shown_weeks
            .iter()
            .map(|w| {
                let text = match (w.threshold, w.method.as_deref()) {
                    (Some(t), Some("fallback")) => {
                        format!("{} ({})", shown(t), l.t("monitoring.series.short_history"))
                    }
                    (Some(t), _) => shown(t),
                    (None, _) => "–".to_owned(),
                };
                (w.threshold, text)
            })
            .collect(),
    };
    let marked: Vec<(usize, String)> = shown_weeks
        .iter()
        .enumerate()
        .filter(|(_, w)| w.alarm == Some(true))
        .map(|(i, w)| {
            (
                i,
                format!(
                    "{} {}: {}",
                    l.t("monitoring.series.alarm"),
                    w.week,
                    shown(w.observed)
                ),
            )
        })
        .collect();
    LineChart::values_marked(
        id,
        title(key, l),
        l.t("monitoring.week").to_owned(),
        periods,
        vec![observed, threshold],
        "",
        &marked,
    )
}

#[derive(Template)]
#[template(path = "monitoring/series.html")]
struct SeriesT {
    c: Chrome,
    sources: Vec<&'static str>,
    source: String,
    substance: String,
    area: String,
    error: FormError,
    rule: String,
    chart: Option<LineChart>,
    alarms: usize,
    names: Vec<String>,
}

/// `GET /monitoring/series?source=&substance=&area=`: the form, and the chart once a source
/// is chosen.
async fn series_page(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<ReadMonitoring>,
    Query(q): Query<SeriesQuery>,
) -> PageResult {
    let l = page.c.l;
    let mut names: Vec<String> = varde_core::monitoring::series::classes();
    names.extend(
        varde_core::substances::get()
            .all()
            .iter()
            .map(|s| s.name(l.code()).to_owned()),
    );
    names.sort();
    names.dedup();
    let mut t = SeriesT {
        sources: Source::ALL.iter().map(|s| s.as_str()).collect(),
        source: q.source.clone(),
        substance: q.substance.clone(),
        area: q.area.clone(),
        error: FormError::default(),
        rule: String::new(),
        chart: None,
        alarms: 0,
        names,
        c: page.c,
    };
    if q.source.is_empty() {
        return render(&t);
    }
    match series::parse_key(&q.source, &q.substance, &q.area) {
        Err(e) if e.is_mendable() => {
            t.error = FormError::new(&e, l);
            render_status(&t, e.status)
        }
        Err(e) => Err(e),
        Ok(key) => {
            let doc = series::load(&state, &key).await?;
            let rule = series::rule_of(&state, key.source).await?.rule;
            t.rule = if rule.enabled {
                rule.describe()
            } else {
                l.t("monitoring.rules.off").to_owned()
            };
            t.alarms = doc.weeks.iter().filter(|w| w.alarm == Some(true)).count();
            if !doc.weeks.is_empty() {
                t.chart = Some(chart("series", &key, &doc, CHART_WEEKS, l));
            }
            render(&t)
        }
    }
}

/// A newest open signal on the dashboard.
struct Newest {
    id: i64,
    text: String,
}

#[derive(Template)]
#[template(path = "monitoring/dashboard.html")]
struct DashboardT {
    c: Chrome,
    /// (status label, count)
    counts: Vec<(&'static str, usize)>,
    newest: Vec<Newest>,
    /// Small charts of the series with recent alarms, and each one's series page.
    charts: Vec<LineChart>,
    links: Vec<String>,
    /// (substance, municipality, analysed on)
    findings: Vec<(String, String, String)>,
    /// (area name, code, open signals)
    areas: Vec<(String, String, usize)>,
}

fn query_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /monitoring/dashboard`.
async fn dashboard(
    State(state): State<AppState>,
    page: Page,
    _access: OrgAccess<ReadMonitoring>,
) -> PageResult {
    let l = page.c.l;
    let all = ops::list(&state, None).await?;
    let counts = SignalStatus::ALL
        .iter()
        .map(|s| {
            (
                l.t_in("monitoring.status", s.as_str()),
                all.iter().filter(|x| x.status == s.as_str()).count(),
            )
        })
        .collect();
    let open: Vec<_> = all
        .iter()
        .filter(|s| SignalStatus::parse("status", &s.status).is_ok_and(SignalStatus::is_open))
        .collect();
    let newest = open
        .iter()
        .take(NEWEST)
        .map(|s| Newest {
            id: s.id,
            text: format!(
                "{}{}, {} ({})",
                l.t_in("monitoring.kind", &s.kind),
                s.substance
                    .as_deref()
                    .map(|id| format!(" – {}", ops::substance_name(id, l)))
                    .unwrap_or_default(),
                ops::area_name(&s.area, l),
                s.week
            ),
        })
        .collect();
    let mut per_area: BTreeMap<String, usize> = BTreeMap::new();
    for s in &open {
        *per_area.entry(s.area.clone()).or_default() += 1;
    }
    let mut areas: Vec<(String, String, usize)> = per_area
        .into_iter()
        .map(|(code, n)| (ops::area_name(&code, l), code, n))
        .collect();
    areas.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let since = Week::of(state.clock.today()).plus(-RECENT_WEEKS);
    let mut charts = Vec::new();
    let mut links = Vec::new();
    for (source, scope, area) in state.store.series_with_alarms(since).await? {
        if charts.len() == SMALL_CHARTS {
            break;
        }
        let (Ok(source), Some(scope), Ok(area)) = (
            Source::parse("source", &source),
            Scope::from_code(&scope),
            Area::parse("area", &area),
        ) else {
            continue;
        };
        let key = SeriesKey {
            source,
            scope,
            area,
        };
        let doc = series::load(&state, &key).await?;
        let substance = match &key.scope {
            Scope::All => String::new(),
            Scope::Substance(id) => id.clone(),
            s @ Scope::Class(_) => s.code(),
        };
        links.push(format!(
            "/monitoring/series?source={}&substance={}&area={}",
            key.source.as_str(),
            query_escape(&substance),
            query_escape(&key.area.code())
        ));
        charts.push(chart(
            &format!("small-{}", charts.len()),
            &key,
            &doc,
            SMALL_WEEKS,
            l,
        ));
    }
    let findings = state
        .store
        .drugcheck_latest_findings(NEWEST as i64 * 2)
        .await?
        .into_iter()
        .map(|(s, m, d)| (ops::substance_name(&s, l), ops::area_name(&m, l), d))
        .collect();
    render(&DashboardT {
        c: page.c,
        counts,
        newest,
        charts,
        links,
        findings,
        areas,
    })
}
