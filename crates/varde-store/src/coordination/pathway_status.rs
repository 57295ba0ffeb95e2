//! What the read of a person's pathway status across organisations (consent scope
//! `pathway_status`) needs from the store: the consents in force that open it to a reader, and
//! the pathways the holding organisation links to the person of a pseudonym. Neither returns
//! a name or any clinical content; the caller decides and logs each holder's read before it
//! reads the pathway events.

use jiff::civil::Date;
use varde_core::org::OrgId;

use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// A consent in force that lets a reader see a person's pathway status at another
/// organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusConsent {
    pub consent_id: i64,
    /// The organisation that holds the pathways (and recorded the consent).
    pub holder: OrgId,
    pub holder_name: String,
}

impl Store {
    /// The consents of scope `pathway_status` in force on `day` for the person of `pseudonym`,
    /// recorded by another organisation than `reader_org` and given to it or to a
    /// responsibility group `user` is a member of: one per holder (its oldest), by holder.
    /// Read at every request, never cached: a withdrawal holds from its commit.
    pub async fn coordination_status_consents(
        &self,
        pseudonym: &str,
        reader_org: OrgId,
        user: i64,
        day: Date,
    ) -> Result<Vec<StatusConsent>, StoreError> {
        let day = day.to_string();
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                    "SELECT MIN(c.id), c.org_id, o.name FROM coordination_consents c \
                         JOIN orgs o ON o.id = c.org_id \
                         WHERE c.pseudonym = $1 AND c.scope = 'pathway_status' AND c.org_id <> $2 \
                         AND c.withdrawn_at IS NULL AND c.valid_from <= $3 AND c.valid_until >= $3 \
                         AND (c.grantee_org_id = $2 OR c.grantee_plan_id IN \
                              (SELECT plan_id FROM coordination_members WHERE user_id = $4)) \
                         GROUP BY c.org_id, o.name ORDER BY c.org_id",
                )
                .bind(pseudonym)
                .bind(reader_org.0)
                .bind(&day)
                .bind(user)
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(consent_id, holder, holder_name)| StatusConsent {
                        consent_id,
                        holder: OrgId(holder),
                        holder_name,
                    })
                    .collect())
            }
        )
    }

    /// The ids of the pathways `holder` links to the person of `pseudonym` in its register.
    pub async fn pathway_ids_of_pseudonym(
        &self,
        holder: OrgId,
        pseudonym: &str,
    ) -> Result<Vec<String>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    Ok(sqlx::query_scalar(
                        "SELECT l.pathway_id FROM pathways_persons l JOIN persons p ON p.id = l.person_id \
                         WHERE l.org_id = $1 AND p.org_id = $1 AND p.pseudonym = $2 ORDER BY l.pathway_id",
                    )
                    .bind(holder.0)
                    .bind(pseudonym)
                    .fetch_all(pool)
                    .await?)
                }
        )
    }
}
