//! The demo's indicator values: five plausible years (the last five complete years) of every
//! imported indicator of the reform, nationally and for a few counties, municipalities or
//! health trusts by the indicator's level, imported per source through the import operation
//! as the demo analyst `analytiker`, one batch per source (`demo-{source}`): a second call
//! writes nothing. The indicators read from inside Varde show the other areas' demo data
//! (monitoring, drug checking, warnings, pathways, advisory units, coordination), not copies,
//! suppressed as those areas publish them. Illustrative figures, not real statistics.

use varde_core::results::plans::IndicatorDef;
use varde_core::results::{Level, Source};

use super::import::{import, indicators, upload_of};
use crate::authz::{ImportResults, OrgAccess};
use crate::error::WebError;
use crate::AppState;

/// The areas of a level the demo fills (beside the whole country).
fn areas(level: Level) -> &'static [&'static str] {
    match level {
        Level::Nation => &[],
        Level::County => &["county:03", "county:46", "county:50"],
        Level::Municipality => &["0301", "4601", "5001"],
        Level::Hf => &["hf:Oslo universitetssykehus HF", "hf:Helse Bergen HF"],
    }
}

/// An indicator's start value and change per year (the sign is the way it goes).
fn base(id: &str) -> (f64, f64) {
    match id {
        "adult_cannabis" => (5.4, -0.1),
        "youth_drunk" => (41.0, -1.3),
        "youth_cannabis" => (8.2, 0.3),
        "low_threshold_services" => (46.0, 2.5),
        "lar_participation" => (71.0, 1.0),
        "work_activity" => (24.0, 0.8),
        "start_loans" => (410.0, 25.0),
        "tsb_waiting_days" => (52.0, -2.0),
        "kvarus_coverage" => (38.0, 6.0),
        _ => (10.0, 0.0),
    }
}

/// The demo file of `source` for the five years before `this_year`.
pub fn csv(source: Source, defs: &[IndicatorDef], this_year: i16) -> String {
    let mut out = String::from("indicator,year,area,value\n");
    for d in defs
        .iter()
        .filter(|d| d.source == source && d.internal.is_none())
    {
        let (start, step) = base(&d.id);
        for (k, year) in (this_year - 5..this_year).enumerate() {
            let k = k as f64;
            // A small wobble so that not every year moves the same way.
            let wobble = if k as i64 % 2 == 0 { 0.4 } else { -0.3 } * step.abs().min(1.0);
            let national = start + step * k + wobble;
            let fmt = |v: f64| {
                if d.counts_people {
                    format!("{:.0}", v.max(0.0))
                } else {
                    format!("{:.1}", v.max(0.0))
                }
            };
            out += &format!("{},{year},national,{}\n", d.id, fmt(national));
            for (i, area) in areas(d.level).iter().enumerate() {
                let v = national * (0.85 + 0.12 * i as f64);
                let cell = if area.contains(',') {
                    format!("\"{area}\"")
                } else {
                    (*area).to_owned()
                };
                out += &format!("{},{year},{cell},{}\n", d.id, fmt(v));
            }
        }
    }
    out
}

/// Imports the demo values (see the module's documentation). Call on a database prepared by
/// `bootstrap::seed_demo`. Returns the rows written.
pub async fn seed_demo_results(state: &AppState) -> Result<usize, WebError> {
    let user = state
        .store
        .user_by_username("analytiker")
        .await?
        .ok_or_else(|| WebError::internal("demo user analytiker is missing"))?;
    let principal = crate::auth::principal_of(&user)
        .ok_or_else(|| WebError::internal("demo user analytiker is missing"))?;
    let access = OrgAccess::<ImportResults>::decide(state, principal).await?;
    let defs = indicators(state).await?;
    let this = state.clock.today().year();
    let mut written = 0;
    for source in Source::IMPORTED {
        let text = csv(source, &defs, this);
        if text.lines().count() <= 1 {
            continue;
        }
        let upload = upload_of(&text, source, &defs, this);
        let (_, answer) = import(
            state,
            &access,
            source,
            &upload,
            Some(&format!("demo-{}", source.as_str())),
            false,
        )
        .await?;
        if let Some(r) = answer.refused.first() {
            return Err(WebError::internal(&format!(
                "demo values refused at line {}: {}: {}",
                r.line, r.field, r.rule
            )));
        }
        written += answer.accepted;
    }
    Ok(written)
}
