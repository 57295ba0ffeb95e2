//! What the FHIR export of a plan reads beside the plan itself: the consents the plan's
//! organisation recorded for the person, and the discharge notices about the person (their
//! references only; each notice is then decided on and read with its own access entry).
//! The caller reads these as part of a plan read that commits its access entry.

use varde_core::org::OrgId;

use super::consents::{consent, ConsentRow, CONSENTS};
use crate::db::{on_pool, Db};
use crate::{NoticeRef, Store, StoreError, StoredConsent};

impl Store {
    /// The consents `org` recorded for the person of `pseudonym`, withdrawn or not, oldest
    /// first. Read without an access entry: the caller's read of the plan logs it.
    pub async fn coordination_plan_consents(
        &self,
        org: OrgId,
        pseudonym: &str,
    ) -> Result<Vec<StoredConsent>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<ConsentRow> = sqlx::query_as(&format!(
                    "{CONSENTS} WHERE c.pseudonym = $1 AND c.org_id = $2 ORDER BY c.id"
                ))
                .bind(pseudonym)
                .bind(org.0)
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().map(consent).collect())
            }
        )
    }

    /// The references of the discharge notices about the person of `pseudonym`, oldest
    /// first: no content, for a decision on each.
    pub async fn coordination_discharge_refs_of(
        &self,
        pseudonym: &str,
    ) -> Result<Vec<NoticeRef>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
                    "SELECT id, unit_org_id, municipality_org_id, pseudonym \
                     FROM coordination_discharge_notices WHERE pseudonym = $1 ORDER BY id",
                )
                .bind(pseudonym)
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, u, m, pseudonym)| NoticeRef {
                        id,
                        unit_org: OrgId(u),
                        municipality_org: OrgId(m),
                        pseudonym,
                    })
                    .collect())
            }
        )
    }
}
