//! The values of the indicators read from inside Varde (`Internal`), at view time and never
//! copied: each part's own published figures, suppressed as that part publishes them.
//!
//! Counts (deaths, non-fatal overdoses, drug-checking samples, warnings) are shown for complete
//! years only: this year's count so far is no year's figure. The pathway shares are shown for
//! every year with pathways, this year's so far included (a share of part of a year is still a
//! share), each year's from the pathways area's published report of that year alone. The
//! advisory and coordination figures are read in `aggregates.rs`.

use jiff::civil::Date;
use varde_core::monitoring::prescriptions::Measure as PrescriptionMeasure;
use varde_core::pathways::indicators::{Level as PathwayLevel, NATION_KEY};
use varde_core::pathways::trends::{reports, Step};
use varde_core::results::dashboard::Point;
use varde_core::results::euda::warnings_per_year;
use varde_core::results::plans::{Internal, PathwayShare};
use varde_core::suppression;

use crate::error::WebError;
use crate::AppState;

/// The points of `internal` in `area` (only `national` for the national ones); `reads` holds
/// what one dashboard reads once for several indicators.
pub(super) async fn points(
    state: &AppState,
    internal: Internal,
    area: &str,
    reads: &mut super::aggregates::Reads,
) -> Result<Vec<Point>, WebError> {
    if area != "national" && internal != Internal::MonitoringPrescriptions {
        return Ok(Vec::new());
    }
    let this = state.clock.today().year();
    let complete = |counts: Vec<(i16, u64)>, of_people: bool| -> Vec<Point> {
        counts
            .into_iter()
            .filter(|(year, _)| *year < this)
            .map(|(year, n)| {
                let shown = if of_people {
                    suppression::cell(n)
                } else {
                    Some(n)
                };
                Point {
                    year,
                    value: shown.map(|n| n as f64),
                    suppressed: shown.is_none(),
                }
            })
            .collect()
    };
    match internal {
        Internal::MonitoringDeaths => Ok(complete(
            state.store.results_records_per_year("deaths").await?,
            true,
        )),
        Internal::MonitoringOverdoses => Ok(complete(
            state.store.results_nonfatal_overdoses_per_year().await?,
            true,
        )),
        // Samples are treated as people's, as the monitoring area does.
        Internal::DrugcheckSamples => Ok(complete(
            state.store.results_drug_checking_per_year().await?,
            true,
        )),
        // Warnings are public: nothing to hide.
        Internal::WarningsIssued => {
            let (_, all) = state.store.warnings_all().await?;
            Ok(complete(warnings_per_year(&all), false))
        }
        Internal::MonitoringPrescriptions => {
            let all = crate::monitoring::prescriptions::published(
                state,
                PrescriptionMeasure::PersistentOpioidUse,
            )
            .await?;
            Ok(
                crate::monitoring::prescriptions::series(&all, area, "all", "all")
                    .into_iter()
                    .map(|y| Point {
                        year: y.year,
                        value: y.rate_per_1000.filter(|_| !y.suppressed),
                        suppressed: y.suppressed,
                    })
                    .collect(),
            )
        }
        Internal::Pathway(share) => pathway_shares(state, share).await,
        Internal::AdvisoryCases | Internal::AdvisoryShareCompleted => {
            super::aggregates::advisory(state, internal, reads).await
        }
        Internal::Coordination(share) => super::aggregates::coordination(state, share, reads).await,
        Internal::DischargeNoHome => super::aggregates::no_home(state).await,
        Internal::OverdoseContactInWeek => super::aggregates::overdose_contact(state).await,
    }
}

/// The national share of a pathway indicator per year, in per cent, from the first year with a
/// pathway event to this year.
async fn pathway_shares(state: &AppState, share: PathwayShare) -> Result<Vec<Point>, WebError> {
    let all = crate::pathways::cache::load(state, None).await?;
    let Some(first) = all.events.iter().map(|e| e.date).min() else {
        return Ok(Vec::new());
    };
    let today = state.clock.today();
    let from = Date::new(first.year(), 1, 1).map_err(|_| WebError::internal("year"))?;
    let to = Date::new(today.year(), 12, 31).map_err(|_| WebError::internal("year"))?;
    let events = all.events.clone();
    let parts = tokio::task::spawn_blocking(move || reports(&events, from, to, today, Step::Year))
        .await
        .map_err(|_| WebError::internal("pathway shares task failed"))?;
    let id = share.indicator_id();
    Ok(parts
        .iter()
        .filter_map(|r| {
            let row = r
                .indicators
                .iter()
                .find(|c| c.id == id && c.level == PathwayLevel::Nation && c.key == NATION_KEY)?;
            Some(Point {
                year: r.from.year(),
                value: row
                    .share
                    .filter(|_| !row.suppressed)
                    .map(|s| (s * 1000.0).round() / 10.0),
                suppressed: row.suppressed,
            })
        })
        .collect())
}
