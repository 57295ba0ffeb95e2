//! The results area's aggregate reads of areas that hold personal data (issue 17, §2): the
//! advisory units' cases and the coordination figures' people, read for the dashboards (the
//! public one too) to be counted. Nothing personal leaves these methods: the advisory cases
//! come back as the anonymous `StatsRecord`s the erasure keeps (live cases folded here, with
//! the one core function the erasure and the advisory statistics use), the people as four
//! facts each with no name, number or pseudonym, the discharges as years. So these reads write
//! no access-log entry, as the pathway indicators' national read writes none (ARCHITECTURE,
//! invariant 26).

use crate::advisory::AdvisoryAggregate;
use crate::coordination::facts::{facts_of, facts_select, FactRow};
use crate::coordination::FigureFacts;
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// The organisation kinds whose registered people are the specialised treatment services'
/// patients (the denominator of the white paper's 26 % / 23 % / 18 %, line 914).
const TSB_KINDS: &str = "('treatment_unit', 'health_trust')";

impl Store {
    /// Every advisory case's anonymous record, of every unit: an erased case's as stored, a
    /// live case's computed now by `StatsRecord::of_unit` (the same record the advisory
    /// statistics compute, so their cells come out the same); and the advice logged (which
    /// the statistics place their units by). No access entry: only anonymous records leave
    /// the store.
    pub async fn results_advisory_records(&self) -> Result<AdvisoryAggregate, StoreError> {
        let src = self
            .advisory_statistics_read("0000-01-01", "9999-12-31", None)
            .await?;
        src.aggregate()
    }

    /// The coordination figures' facts of every person registered by a specialised treatment
    /// organisation (a treatment unit or a health trust), counted once by pseudonym, with
    /// their plans in any organisation — the national form of
    /// [`Store::coordination_figure_facts`]. No access entry: no person is named.
    pub async fn results_tsb_people_facts(&self) -> Result<Vec<FigureFacts>, StoreError> {
        let sql = facts_select(&format!(
            "(SELECT DISTINCT t.pseudonym FROM persons t JOIN orgs o ON o.id = t.org_id \
             WHERE o.kind IN {TSB_KINDS}) pe"
        ));
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<FactRow> = sqlx::query_as(&sql).fetch_all(pool).await?;
                Ok(facts_of(rows))
            }
        )
    }

    /// The years with a discharge recorded (the national discharge view's years), oldest
    /// first.
    pub async fn results_discharge_years(&self) -> Result<Vec<i16>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT DISTINCT SUBSTR(discharged_on, 1, 4) FROM coordination_discharge_notices \
                     WHERE discharged_on IS NOT NULL ORDER BY 1",
                )
                .fetch_all(pool)
                .await?;
                    Ok(rows.into_iter().filter_map(|(y,)| y.parse().ok()).collect())
                }
        )
    }
}
