//! The prescription risk figures' pages: `/monitoring/prescriptions` (analysts: choose area,
//! measure, age band and sex; the rate per 1,000 by year as a line per sex with its table;
//! the chosen series' counts; every measure's thresholds with their source) and
//! `/monitoring/prescriptions/import` (whoever may import: the upload form, and the answer
//! with each refused row). Both call the operations the API calls (`prescriptions.rs`).

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use varde_core::authz::{decide, Action, Subject};
use varde_core::monitoring::prescriptions::{Measure, AGE_PARTS, SEXES};

use super::prescriptions::{
    self as ops, threshold_docs, FiguresQuery, ImportAnswer, ThresholdDoc, YearFigure, IMPORT_LIMIT,
};
use crate::auth::CurrentUser;
use crate::authz::{ImportMonitoring, OrgAccess, ReadMonitoring};
use crate::chart::{LineChart, LineSeries};
use crate::error::WebError;
use crate::forms::{render, render_status, FormError, PageResult};
use crate::i18n::Lang;
use crate::import::{read_form, turn};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/prescriptions", get(page))
        .route(
            "/monitoring/prescriptions/import",
            get(import_page)
                .post(import_submit)
                .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
}

/// An option of a select: value, text, chosen.
pub struct Opt {
    pub value: String,
    pub text: String,
    pub selected: bool,
}

fn opts(items: Vec<(String, String)>, chosen: &str) -> Vec<Opt> {
    items
        .into_iter()
        .map(|(value, text)| Opt {
            selected: value == chosen,
            value,
            text,
        })
        .collect()
}

/// A number with a decimal comma in bokmål.
fn decimal(v: f64, l: Lang) -> String {
    let s = format!("{v:.1}");
    if l == Lang::En {
        s
    } else {
        s.replace('.', ",")
    }
}

/// One row of the chosen series' table, as shown.
pub struct Row {
    pub year: i16,
    pub count: String,
    pub population: u64,
    pub rate: String,
}

#[derive(Template)]
#[template(path = "monitoring/prescriptions.html")]
struct FiguresT {
    c: Chrome,
    areas: Vec<Opt>,
    measures: Vec<Opt>,
    bands: Vec<Opt>,
    sexes: Vec<Opt>,
    title: String,
    lc: Option<LineChart>,
    rows: Vec<Row>,
    thresholds: Vec<ThresholdDoc>,
    may_import: bool,
    error: FormError,
}

/// `GET /monitoring/prescriptions`.
async fn page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ReadMonitoring>,
    Query(q): Query<FiguresQuery>,
) -> PageResult {
    let l = page.c.l;
    let p = &access.principal;
    let may_import = decide(p, Action::MonitoringImport, &Subject::of_org(p.org), None).allowed;
    let (choice, error) = match q.choice() {
        Ok(c) => (c, FormError::default()),
        Err(e) => (
            FiguresQuery::default().choice().map_err(WebError::from)?,
            FormError::new(&WebError::from(e), l),
        ),
    };
    let (doc, all) = ops::figures(&state, &access, &choice, l).await?;
    let area = choice.area.code();
    // One line per sex for the chosen area, measure and age band.
    let per_sex: Vec<(&str, Vec<YearFigure>)> = SEXES
        .iter()
        .map(|s| (*s, ops::series(&all, &area, choice.age_band, s)))
        .collect();
    let mut years: Vec<i16> = per_sex
        .iter()
        .flat_map(|(_, ys)| ys.iter().map(|y| y.year))
        .collect();
    years.sort_unstable();
    years.dedup();
    let suppressed = l.t("monitoring.prescriptions.suppressed");
    let shown = |y: Option<&YearFigure>| match y {
        Some(y) if y.suppressed => (None, suppressed.to_owned()),
        Some(y) => (
            y.rate_per_1000,
            y.rate_per_1000
                .map_or_else(|| "–".into(), |r| decimal(r, l)),
        ),
        None => (None, "–".to_owned()),
    };
    let title = format!(
        "{} – {} ({}, {})",
        l.t_in("monitoring.prescriptions.measure", choice.measure.as_str()),
        doc.area_name,
        l.t_in("monitoring.prescriptions.band", choice.age_band),
        l.t("monitoring.prescriptions.per_1000"),
    );
    let lc = (!years.is_empty()).then(|| {
        LineChart::values(
            "prescriptions-trend",
            title.clone(),
            l.t("monitoring.prescriptions.year").to_owned(),
            years.iter().map(i16::to_string).collect(),
            per_sex
                .iter()
                .map(|(s, ys)| LineSeries {
                    label: l.t_in("monitoring.prescriptions.sex", s).to_owned(),
                    kind: l.t("monitoring.prescriptions.per_1000").to_owned(),
                    points: years
                        .iter()
                        .map(|y| shown(ys.iter().find(|f| f.year == *y)))
                        .collect(),
                })
                .collect(),
            "",
        )
    });
    let rows = doc
        .years
        .iter()
        .map(|y| Row {
            year: y.year,
            count: y
                .count
                .map_or_else(|| suppressed.to_owned(), |c| c.to_string()),
            population: y.population,
            rate: shown(Some(y)).1,
        })
        .collect();
    // The areas: the nation, the counties, and the municipalities that have figures.
    let refdata = varde_core::refdata::get();
    let mut areas = vec![(
        "national".to_owned(),
        l.t("monitoring.prescriptions.national").to_owned(),
    )];
    areas.extend(
        refdata
            .fylker()
            .iter()
            .map(|f| (format!("county:{}", f.fylkesnummer), f.name.clone())),
    );
    let mut municipalities: Vec<String> = all
        .iter()
        .filter(|p| !p.area.contains(':') && p.area != "national")
        .map(|p| p.area.clone())
        .collect();
    municipalities.sort();
    municipalities.dedup();
    areas.extend(municipalities.into_iter().map(|m| {
        let name = refdata
            .kommune(&m)
            .map_or_else(|| m.clone(), |k| k.name.clone());
        (m, name)
    }));
    render(&FiguresT {
        areas: opts(areas, &area),
        measures: opts(
            Measure::ALL
                .iter()
                .map(|m| {
                    (
                        m.as_str().to_owned(),
                        l.t_in("monitoring.prescriptions.measure", m.as_str())
                            .to_owned(),
                    )
                })
                .collect(),
            choice.measure.as_str(),
        ),
        bands: opts(
            AGE_PARTS
                .iter()
                .chain(&["all"])
                .map(|b| {
                    (
                        (*b).to_owned(),
                        l.t_in("monitoring.prescriptions.band", b).to_owned(),
                    )
                })
                .collect(),
            choice.age_band,
        ),
        sexes: opts(
            SEXES
                .iter()
                .map(|s| {
                    (
                        (*s).to_owned(),
                        l.t_in("monitoring.prescriptions.sex", s).to_owned(),
                    )
                })
                .collect(),
            choice.sex,
        ),
        title,
        lc,
        rows,
        thresholds: threshold_docs(l),
        may_import,
        error,
        c: page.c,
    })
}

#[derive(Template)]
#[template(path = "monitoring/prescriptions_import.html")]
struct ImportT {
    c: Chrome,
    answer: Option<ImportAnswer>,
    error: Option<String>,
    may_read: bool,
}

fn may_read(access: &OrgAccess<ImportMonitoring>) -> bool {
    let p = &access.principal;
    decide(p, Action::MonitoringRead, &Subject::of_org(p.org), None).allowed
}

/// `GET /monitoring/prescriptions/import`.
async fn import_page(page: Page, access: OrgAccess<ImportMonitoring>) -> PageResult {
    render(&ImportT {
        c: page.c,
        answer: None,
        error: None,
        may_read: may_read(&access),
    })
}

/// `POST /monitoring/prescriptions/import` (multipart: `csrf` first, then `batch_id`,
/// `valid_only`, `file`): the CSRF token is checked before the file is read.
async fn import_submit(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    access: OrgAccess<ImportMonitoring>,
    form: Multipart,
) -> PageResult {
    let _turn = turn(&state).await?;
    let form = read_form(
        form,
        &user,
        IMPORT_LIMIT,
        ops::parser(ops::this_year(&state)),
    )
    .await?;
    let read = may_read(&access);
    let again = |c: Chrome, e: WebError| {
        let l = c.l;
        render_status(
            &ImportT {
                c,
                answer: None,
                error: Some(e.message(l)),
                may_read: read,
            },
            e.status,
        )
    };
    let Some(file) = form.file else {
        return again(page.c, WebError::invalid("file", "choose a CSV file"));
    };
    match ops::import(
        &state,
        &access,
        &file,
        form.batch_id.as_deref(),
        form.valid_only,
    )
    .await
    {
        Ok((status, answer)) => render_status(
            &ImportT {
                c: page.c,
                answer: Some(answer),
                error: None,
                may_read: read,
            },
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                status
            } else {
                StatusCode::OK
            },
        ),
        Err(e) if e.is_mendable() => again(page.c, e),
        Err(e) => Err(e),
    }
}
