//! The indicator page's tables as tables: every visible place side by side (the overview), and
//! every table of the page as a download — CSV (`text/csv; charset=utf-8`, semicolon-separated
//! with a header row and decimal commas, as Norwegian spreadsheets expect) or JSON — with the
//! cells the page hides hidden there too (the suppression mark in CSV, `null` with
//! `"suppressed": true` in JSON). `GET /pathways/indicators/table.csv` and `.json`, with
//! `table` = `overview` (every indicator at every visible place), `indicator` (one indicator's
//! comparison, `id`), `waiting` (waiting time) or `trends` (one indicator's series, `id`, split
//! by `by`), and the page's `from`, `to`, `unit`.

use axum::extract::{Query, State};
use axum::response::Response;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use varde_core::fields::FieldError;
use varde_core::pathways::indicators::INDICATOR_IDS;
use varde_core::pathways::trends::{Series, Step};
use varde_core::pathways::{IndicatorRow, Level, Report, WaitingRow};

use super::indicators::{choose, order, trend_start, visible_report, visible_trends, PeriodQuery};
use crate::authz::{OrgAccess, SeePathwayIndicators};
use crate::download;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::shell::Page;
use crate::AppState;

/// Every visible place (rows: the nation, regions, trusts, units) against every indicator
/// (columns), each cell the share with its fraction, the suppression mark, or "none measured".
pub struct Overview {
    /// (indicator id, its title).
    pub columns: Vec<(&'static str, &'static str)>,
    /// (level as shown, place, one cell per column).
    pub rows: Vec<(&'static str, String, Vec<String>)>,
}

/// The overview of a report in the page's language.
pub fn overview(l: Lang, r: &Report) -> Overview {
    let columns: Vec<&'static str> = INDICATOR_IDS
        .iter()
        .copied()
        .filter(|id| r.indicators.iter().any(|x| x.id == *id))
        .collect();
    let mut places: Vec<(Level, &str)> = r
        .indicators
        .iter()
        .map(|x| (x.level, x.key.as_str()))
        .collect();
    places.sort_by_key(|(level, key)| (std::cmp::Reverse(order(*level)), *key));
    places.dedup();
    let rows = places
        .into_iter()
        .map(|(level, key)| {
            let cells = columns
                .iter()
                .map(|id| {
                    r.indicators
                        .iter()
                        .find(|x| x.id == *id && x.level == level && x.key == key)
                        .map_or_else(
                            || l.t("pathways.nothing_measured").to_owned(),
                            |x| fraction_text(l, x.numerator, x.denominator, x.share, x.suppressed),
                        )
                })
                .collect();
            (l.t(super::level_key(level)), key.to_owned(), cells)
        })
        .collect();
    Overview {
        columns: columns
            .iter()
            .map(|id| (*id, l.t_in("pathways", id)))
            .collect(),
        rows,
    }
}

/// A cell as a table shows it: `62,5 % (5 / 8)`, the suppression mark, or "none measured".
pub fn fraction_text(
    l: Lang,
    numerator: Option<u64>,
    denominator: Option<u64>,
    share: Option<f64>,
    suppressed: bool,
) -> String {
    match (suppressed, numerator, denominator) {
        (true, _, _) => l.t("suppressed").to_owned(),
        (false, Some(n), Some(d)) if d > 0 => {
            format!(
                "{} ({n} / {d})",
                super::indicators::shown_share(l, share, false)
            )
        }
        _ => l.t("pathways.nothing_measured").to_owned(),
    }
}

/// A part of a period as labelled on the axis and in the tables: `2026-03`, `2026 T1`, `2026`.
pub fn period_label(from: Date, by: Step) -> String {
    match by {
        Step::Month => format!("{}-{:02}", from.year(), from.month()),
        Step::Tertial => format!("{} T{}", from.year(), (from.month() - 1) / 4 + 1),
        Step::Year => from.year().to_string(),
    }
}

/// The tables that can be downloaded.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Overview,
    Indicator,
    Waiting,
    Trends,
}

#[derive(Deserialize)]
pub(super) struct TableQuery {
    table: Option<String>,
    id: Option<String>,
    #[serde(flatten)]
    period: PeriodQuery,
}

/// A table as data: in JSON the rows as the API gives them.
#[derive(Serialize)]
struct TableJson<'a, T: Serialize> {
    table: Table,
    from: Date,
    to: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<Step>,
    rows: &'a [T],
}

/// A number with a decimal comma.
fn decimal(v: f64, places: usize) -> String {
    format!("{v:.places$}").replace('.', ",")
}

fn count_cells(
    l: Lang,
    n: Option<u64>,
    d: Option<u64>,
    share: Option<f64>,
    hidden: bool,
) -> [String; 3] {
    if hidden {
        let mark = l.t("suppressed").to_owned();
        return [mark.clone(), mark.clone(), mark];
    }
    [
        n.map_or_else(String::new, |n| n.to_string()),
        d.map_or_else(String::new, |d| d.to_string()),
        share.map_or_else(String::new, |s| decimal(s, 4)),
    ]
}

fn indicator_csv(l: Lang, rows: &[&IndicatorRow]) -> String {
    let headings = [
        l.t("pathways.indicator"),
        l.t("level"),
        l.t("name"),
        l.t("pathways.numerator"),
        l.t("pathways.denominator"),
        l.t("share"),
    ];
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.id.to_owned(),
                l.t(super::level_key(r.level)).to_owned(),
                r.key.clone(),
            ];
            cells.extend(count_cells(
                l,
                r.numerator,
                r.denominator,
                r.share,
                r.suppressed,
            ));
            cells
        })
        .collect();
    download::csv_document(&headings, &rows)
}

fn waiting_csv(l: Lang, rows: &[&WaitingRow]) -> String {
    let headings = [
        l.t("level"),
        l.t("name"),
        "n",
        l.t("pathways.median_days"),
        l.t("pathways.mean_days"),
        l.t("pathways.p90_days"),
    ];
    let opt = |v: Option<f64>| v.map_or_else(String::new, |v| decimal(v, 1));
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|w| {
            let mut cells = vec![l.t(super::level_key(w.level)).to_owned(), w.key.clone()];
            if w.suppressed {
                cells.extend(std::iter::repeat_n(l.t("suppressed").to_owned(), 4));
            } else {
                cells.push(w.n.map_or_else(String::new, |n| n.to_string()));
                cells.push(opt(w.median_days));
                cells.push(opt(w.mean_days));
                cells.push(w.p90_days.map_or_else(String::new, |p| p.to_string()));
            }
            cells
        })
        .collect();
    download::csv_document(&headings, &rows)
}

fn trends_csv(l: Lang, series: &[&Series]) -> String {
    let headings = [
        l.t("pathways.indicator"),
        l.t("level"),
        l.t("name"),
        l.t("from"),
        l.t("to"),
        l.t("pathways.numerator"),
        l.t("pathways.denominator"),
        l.t("share"),
    ];
    let mut rows = Vec::new();
    for s in series {
        for p in &s.points {
            let mut cells = vec![
                s.id.to_owned(),
                l.t(super::level_key(s.level)).to_owned(),
                s.key.clone(),
                p.from.to_string(),
                p.to.to_string(),
            ];
            cells.extend(count_cells(
                l,
                p.numerator,
                p.denominator,
                p.share,
                p.suppressed,
            ));
            rows.push(cells);
        }
    }
    download::csv_document(&headings, &rows)
}

/// The indicator id asked for.
fn indicator_id(q: &TableQuery) -> Result<&'static str, WebError> {
    let id = q.id.as_deref().unwrap_or("");
    INDICATOR_IDS
        .iter()
        .copied()
        .find(|i| *i == id)
        .ok_or_else(|| FieldError::new("id", "one of the indicator ids of the report").into())
}

fn table_of(q: &TableQuery) -> Result<Table, WebError> {
    match q.table.as_deref().unwrap_or("overview") {
        "overview" => Ok(Table::Overview),
        "indicator" => Ok(Table::Indicator),
        "waiting" => Ok(Table::Waiting),
        "trends" => Ok(Table::Trends),
        _ => Err(FieldError::new("table", "one of overview, indicator, waiting, trends").into()),
    }
}

/// The format of a download.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

async fn download(
    state: &AppState,
    l: Lang,
    access: &OrgAccess<SeePathwayIndicators>,
    q: &TableQuery,
    format: Format,
) -> Result<Response, WebError> {
    let table = table_of(q)?;
    let (from, to) = q.period.period(state.clock.today())?;
    let v = visible_report(state, &access.principal, from, to).await?;
    let chosen = choose(&v, access.org(), q.period.unit.as_deref());
    let r = &v.report;
    let json = |value: serde_json::Value| serde_json::to_string(&value).unwrap_or_default();
    let (body, id) = match table {
        Table::Overview => {
            let rows: Vec<&IndicatorRow> = r.indicators.iter().collect();
            let body = match format {
                Format::Csv => indicator_csv(l, &rows),
                Format::Json => json(serde_json::json!(TableJson {
                    table,
                    from: r.from,
                    to: r.to,
                    id: None,
                    by: None,
                    rows: &rows,
                })),
            };
            (body, None)
        }
        Table::Indicator => {
            let id = indicator_id(q)?;
            let rows = chosen.rows(r.indicators.iter().filter(|x| x.id == id));
            let body = match format {
                Format::Csv => indicator_csv(l, &rows),
                Format::Json => json(serde_json::json!(TableJson {
                    table,
                    from: r.from,
                    to: r.to,
                    id: Some(id),
                    by: None,
                    rows: &rows,
                })),
            };
            (body, Some(id))
        }
        Table::Waiting => {
            let rows = chosen.waiting(&r.waiting_time);
            let body = match format {
                Format::Csv => waiting_csv(l, &rows),
                Format::Json => json(serde_json::json!(TableJson {
                    table,
                    from: r.from,
                    to: r.to,
                    id: None,
                    by: None,
                    rows: &rows,
                })),
            };
            (body, None)
        }
        Table::Trends => {
            let id = indicator_id(q)?;
            let by = q.period.step()?.unwrap_or(Step::Month);
            let start = trend_start(from, to);
            let t = visible_trends(state, &v.events, &v.keys, (start, to), by).await?;
            let mut series: Vec<&Series> = t
                .series
                .iter()
                .filter(|s| s.id == id && chosen.compares(s.level, &s.key))
                .collect();
            series.sort_by_key(|s| (order(s.level), s.key.clone()));
            let (first, last) = (
                t.periods.first().map_or(start, |p| p.from),
                t.periods.last().map_or(to, |p| p.to),
            );
            let body = match format {
                Format::Csv => trends_csv(l, &series),
                Format::Json => json(serde_json::json!(TableJson {
                    table,
                    from: first,
                    to: last,
                    id: Some(id),
                    by: Some(by),
                    rows: &series,
                })),
            };
            (body, Some(id))
        }
    };
    let name = format!(
        "indikatorer-{}{}-{}-{}",
        serde_json::to_value(table)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        id.map(|i| format!("-{i}")).unwrap_or_default(),
        r.from,
        r.to
    );
    Ok(match format {
        Format::Csv => download::csv(body, &format!("{name}.csv")),
        Format::Json => download::attachment(body, "application/json", &format!("{name}.json")),
    })
}

pub(super) async fn table_csv(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeePathwayIndicators>,
    Query(q): Query<TableQuery>,
) -> Result<Response, WebError> {
    download(&state, page.c.l, &access, &q, Format::Csv).await
}

pub(super) async fn table_json(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<SeePathwayIndicators>,
    Query(q): Query<TableQuery>,
) -> Result<Response, WebError> {
    download(&state, page.c.l, &access, &q, Format::Json).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_semicolon_separated_with_quoting_and_no_formulas() {
        let doc = crate::download::csv_document(
            &["Nivå", "Navn"],
            &[
                vec!["Enhet".into(), "A; B".into()],
                vec!["=SUM(A1)".into(), "sa \"hei\"".into()],
            ],
        );
        assert_eq!(
            doc,
            "Nivå;Navn\r\nEnhet;\"A; B\"\r\n'=SUM(A1);\"sa \"\"hei\"\"\"\r\n"
        );
        assert_eq!(decimal(0.625, 4), "0,6250");
        assert_eq!(
            period_label(Date::constant(2026, 5, 1), Step::Tertial),
            "2026 T2"
        );
        assert_eq!(
            period_label(Date::constant(2026, 3, 1), Step::Month),
            "2026-03"
        );
    }
}
