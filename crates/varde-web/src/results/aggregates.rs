//! The values of the indicators read from the advisory units and the coordination area
//! (`Internal::{AdvisoryCases, AdvisoryShareCompleted, Coordination, DischargeNoHome,
//! OverdoseContactInWeek}`), at
//! view time and never copied, through the store's aggregate reads (which hand on nothing
//! personal, so they write no access entry; the same for the public dashboard):
//!
//! - the advisory figures are the advisory statistics' national cells of each year
//!   (1 January – 31 December), computed by the same function from the same anonymous records
//!   and advice, so they equal the statistics page's national cells and are suppressed as
//!   there; cases opened for complete years only (this year's count so far is no year's
//!   figure), the share completed for every year, this one so far included;
//! - the coordination figures are "as of today" (who has a plan, a coordinator, a group, an
//!   evaluation in the last six months): no earlier year can be had back honestly, so only this
//!   year's value is shown, and the indicator's name says so;
//! - the discharges with "no home to go to" are the national discharge view's national row of
//!   each year with a discharge: a share only on at least five discharges with both counts
//!   shown;
//! - the overdose notices closed within the risk week with contact made are the national row
//!   of the overdose follow-up figures of each year with a notice (notices whose week is over),
//!   a share on the same terms.

use std::sync::Arc;

use jiff::civil::Date;
use varde_core::advisory::statistics::{statistics, Level, Value, NATION};
use varde_core::coordination::figures::{figures, PersonFacts};
use varde_core::results::dashboard::Point;
use varde_core::results::plans::{CoordinationShare, Internal};
use varde_core::suppression::THRESHOLD;

use crate::error::WebError;
use crate::AppState;

/// What one dashboard reads once for all its indicators (the advisory aggregate serves two, the
/// people's facts four).
#[derive(Default)]
pub(super) struct Reads {
    advisory: Option<Arc<varde_store::AdvisoryAggregate>>,
    people: Option<Arc<Vec<PersonFacts>>>,
}

impl Reads {
    async fn advisory(
        &mut self,
        state: &AppState,
    ) -> Result<Arc<varde_store::AdvisoryAggregate>, WebError> {
        if let Some(a) = &self.advisory {
            return Ok(a.clone());
        }
        let a = Arc::new(state.store.results_advisory_records().await?);
        self.advisory = Some(a.clone());
        Ok(a)
    }

    async fn people(&mut self, state: &AppState) -> Result<Arc<Vec<PersonFacts>>, WebError> {
        if let Some(p) = &self.people {
            return Ok(p.clone());
        }
        let p: Vec<PersonFacts> = state
            .store
            .results_tsb_people_facts()
            .await?
            .into_iter()
            .map(|f| PersonFacts {
                plan: f.plan,
                coordinator: f.coordinator,
                group: f.group,
                last_evaluation: f.last_evaluation.as_deref().and_then(|d| d.parse().ok()),
            })
            .collect();
        let p = Arc::new(p);
        self.people = Some(p.clone());
        Ok(p)
    }
}

/// A share 0–1 as per cent with one decimal.
fn percent(share: f64) -> f64 {
    (share * 1000.0).round() / 10.0
}

/// The advisory statistics' national cell `cases` (complete years) or `share_completed`
/// (every year) per year, from the first year with a case to this year.
pub(super) async fn advisory(
    state: &AppState,
    internal: Internal,
    reads: &mut Reads,
) -> Result<Vec<Point>, WebError> {
    let this = state.clock.today().year();
    let agg = reads.advisory(state).await?;
    let Some(first) = agg.records.iter().map(|r| r.opened_on.year()).min() else {
        return Ok(Vec::new());
    };
    let (measure, last) = if internal == Internal::AdvisoryCases {
        ("cases", this - 1)
    } else {
        ("share_completed", this)
    };
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        for year in first..=last {
            let (Ok(from), Ok(to)) = (Date::new(year, 1, 1), Date::new(year, 12, 31)) else {
                continue;
            };
            let cells = statistics(&agg.records, &agg.advice, from, to);
            let Some(cell) = cells.iter().find(|c| {
                c.level == Level::Nation
                    && c.key == NATION
                    && c.measure == measure
                    && c.group.is_none()
            }) else {
                continue;
            };
            out.push(Point {
                year,
                value: cell.value.map(|v| match v {
                    Value::Count(n) => n as f64,
                    Value::Number(share) => percent(share),
                }),
                suppressed: cell.suppressed,
            });
        }
        out
    })
    .await
    .map_err(|_| WebError::internal("advisory figures task failed"))
}

/// This year's national coordination figure `share` of the specialised treatment services'
/// patients (none when there are none).
pub(super) async fn coordination(
    state: &AppState,
    share: CoordinationShare,
    reads: &mut Reads,
) -> Result<Vec<Point>, WebError> {
    let today = state.clock.today();
    let people = reads.people(state).await?;
    if people.is_empty() {
        return Ok(Vec::new());
    }
    Ok(figures(&people, today)
        .into_iter()
        .filter(|f| f.key == share.key())
        .map(|f| Point {
            year: today.year(),
            value: f.share,
            suppressed: f.share.is_none(),
        })
        .collect())
}

/// The share of each year's discharges with "no home to go to" still flagged, from the
/// national discharge view's national row.
pub(super) async fn no_home(state: &AppState) -> Result<Vec<Point>, WebError> {
    let this = state.clock.today().year();
    let mut out = Vec::new();
    for year in state.store.results_discharge_years().await? {
        if year > this {
            continue;
        }
        let n = crate::coordination::discharge::ops::national(state, year)
            .await?
            .national;
        let share = match (n.discharges, n.no_home) {
            (Some(total), Some(flagged)) if total >= THRESHOLD => {
                Some(percent(flagged as f64 / total as f64))
            }
            _ => None,
        };
        out.push(Point {
            year,
            value: share,
            suppressed: share.is_none(),
        });
    }
    Ok(out)
}

/// The share of each year's overdose notices closed within the risk week with contact made,
/// from the national follow-up figures' national row.
pub(super) async fn overdose_contact(state: &AppState) -> Result<Vec<Point>, WebError> {
    let this = state.clock.today().year();
    let mut out = Vec::new();
    for year in state.store.overdose_years().await? {
        if year > this {
            continue;
        }
        let n = crate::coordination::overdose::national::national(state, year)
            .await?
            .national;
        out.push(Point {
            year,
            value: n.contact_share,
            suppressed: n.contact_share.is_none(),
        });
    }
    Ok(out)
}
