//! Agreements with relatives (`coordination_relatives_agreements`): recorded, ended or
//! withdrawn (each an event in `coordination:relative:{id}`), a relative made a member of the
//! plan's responsibility group; every read and write commits with its access entry.

use jiff::Timestamp;
use varde_core::coordination::relatives::{Ending, NewAgreement};
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// The event stream of an agreement with a relative.
pub fn coordination_relative_record(id: i64) -> String {
    format!("coordination:relative:{id}")
}

/// A stored agreement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredAgreement {
    pub id: i64,
    pub plan_id: i64,
    pub name: String,
    pub contact: Option<String>,
    pub relation: String,
    pub scopes: Vec<String>,
    pub consent_how: String,
    pub consent_on: String,
    pub review_on: String,
    /// The responsibility-group member made of the relative, if any.
    pub member_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// `ended` or `withdrawn`, once it has stopped.
    pub ended_how: Option<String>,
    pub ended_reason: Option<String>,
    pub ended_at: Option<String>,
}

type Row = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

const AGREEMENTS: &str = "SELECT a.id, a.plan_id, a.name, a.contact, a.relation, a.scopes, \
     a.consent_how, a.consent_on, a.review_on, a.member_id, u.username, a.recorded_at, \
     a.ended_how, a.ended_reason, a.ended_at \
     FROM coordination_relatives_agreements a JOIN users u ON u.id = a.recorded_by";

fn agreement(r: Row) -> StoredAgreement {
    StoredAgreement {
        id: r.0,
        plan_id: r.1,
        name: r.2,
        contact: r.3,
        relation: r.4,
        scopes: r.5.split(',').map(str::to_owned).collect(),
        consent_how: r.6,
        consent_on: r.7,
        review_on: r.8,
        member_id: r.9,
        recorded_by: r.10,
        recorded_at: r.11,
        ended_how: r.12,
        ended_reason: r.13,
        ended_at: r.14,
    }
}

impl Store {
    /// Records an agreement on plan `plan` (of `org`), its event and the access entry, in one
    /// transaction. Returns its id.
    pub async fn coordination_relatives_add(
        &self,
        org: OrgId,
        plan: i64,
        a: &NewAgreement,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        let scopes: Vec<&str> = a.scopes.iter().map(|s| s.as_str()).collect();
        let scopes = scopes.join(",");
        let body = serde_json::json!({
            "relation": a.relation, "scopes": a.scopes, "consent_how": a.consent_how,
            "consent_on": a.consent_on.to_string(), "review_on": a.review_on.to_string(),
        })
        .to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let id: i64 = sqlx::query_scalar(
                    "INSERT INTO coordination_relatives_agreements (plan_id, name, contact, \
                     relation, scopes, consent_how, consent_on, review_on, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(plan)
                .bind(&a.name)
                .bind(&a.contact)
                .bind(a.relation.as_str())
                .bind(&scopes)
                .bind(a.consent_how.as_str())
                .bind(a.consent_on.to_string())
                .bind(a.review_on.to_string())
                .bind(actor_id)
                .bind(at.to_string())
                .fetch_one(&mut *tx)
                .await?;
                    let ev = NewEvent::by(
                        coordination_relative_record(id),
                        "coordination.relative_agreed",
                        body.clone(),
                        actor_id,
                        org.0,
                        at,
                    );
                    append_event_tx!(tx, &ev);
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(id)
                }
        )
    }

    /// The agreements of plan `plan`, newest first, read with the access entry.
    pub async fn coordination_relatives_of(
        &self,
        plan: i64,
        access: &NewAccess,
    ) -> Result<Vec<StoredAgreement>, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let rows: Vec<Row> = sqlx::query_as(&format!(
                    "{AGREEMENTS} WHERE a.plan_id = $1 ORDER BY a.id DESC"
                ))
                .bind(plan)
                .fetch_all(&mut *tx)
                .await?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(rows.into_iter().map(agreement).collect())
            }
        )
    }

    /// Ends or withdraws agreement `id` of plan `plan`: the row, its event and the access
    /// entry in one transaction. `NotFound` for no such agreement of the plan; `Conflict` when
    /// it has stopped already (nothing written).
    #[allow(clippy::too_many_arguments)]
    pub async fn coordination_relatives_end(
        &self,
        org: OrgId,
        plan: i64,
        id: i64,
        how: Ending,
        reason: Option<&str>,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<(), StoreError> {
        let body = serde_json::json!({ "ending": how, "reason": reason }).to_string();
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let row: Option<(Option<String>,)> = sqlx::query_as(
                    "SELECT ended_how FROM coordination_relatives_agreements \
                     WHERE id = $1 AND plan_id = $2",
                )
                .bind(id)
                .bind(plan)
                .fetch_optional(&mut *tx)
                .await?;
                match row {
                    None => return Err(StoreError::NotFound),
                    Some((Some(_),)) => {
                        return Err(StoreError::Conflict("the agreement has ended already"))
                    }
                    Some((None,)) => {}
                }
                let n = sqlx::query(
                    "UPDATE coordination_relatives_agreements SET ended_how = $1, \
                     ended_reason = $2, ended_by = $3, ended_at = $4 \
                     WHERE id = $5 AND ended_how IS NULL",
                )
                .bind(how.as_str())
                .bind(reason)
                .bind(actor_id)
                .bind(at.to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict("the agreement has ended already"));
                }
                let kind = match how {
                    Ending::Ended => "coordination.relative_ended",
                    Ending::Withdrawn => "coordination.relative_withdrawn",
                };
                let ev = NewEvent::by(
                    coordination_relative_record(id),
                    kind,
                    body.clone(),
                    actor_id,
                    org.0,
                    at,
                );
                append_event_tx!(tx, &ev);
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// Makes the relative of agreement `id` (in force, not yet a member) a member of plan
    /// `plan`'s responsibility group (kind `relative`, the relation as role), with the plan's
    /// version moved on, the event and the access entry. Returns the member's id. `NotFound`
    /// for no such agreement; `Conflict` when it has ended or the relative is a member already.
    pub async fn coordination_relatives_to_group(
        &self,
        org: OrgId,
        plan: i64,
        id: i64,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let row: Option<(String, String, Option<String>, Option<i64>)> = sqlx::query_as(
                    "SELECT name, relation, ended_how, member_id \
                     FROM coordination_relatives_agreements WHERE id = $1 AND plan_id = $2",
                )
                .bind(id)
                .bind(plan)
                .fetch_optional(&mut *tx)
                .await?;
                let (name, relation) = match row {
                    None => return Err(StoreError::NotFound),
                    Some((_, _, Some(_), _)) => {
                        return Err(StoreError::Conflict("the agreement has ended"))
                    }
                    Some((_, _, _, Some(_))) => {
                        return Err(StoreError::Conflict(
                            "the relative is a member of the group already",
                        ))
                    }
                    Some((n, r, None, None)) => (n, r),
                };
                let member: i64 = sqlx::query_scalar(
                    "INSERT INTO coordination_members (plan_id, kind, user_id, member_org_id, \
                     name, role, created_at) VALUES ($1, 'relative', NULL, NULL, $2, $3, $4) \
                     RETURNING id",
                )
                .bind(plan)
                .bind(&name)
                .bind(&relation)
                .bind(at.to_string())
                .fetch_one(&mut *tx)
                .await?;
                let n = sqlx::query(
                    "UPDATE coordination_relatives_agreements SET member_id = $1 \
                     WHERE id = $2 AND member_id IS NULL AND ended_how IS NULL",
                )
                .bind(member)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict(
                        "the relative is a member of the group already",
                    ));
                }
                sqlx::query("UPDATE coordination_plans SET version = version + 1 WHERE id = $1")
                    .bind(plan)
                    .execute(&mut *tx)
                    .await?;
                let ev = NewEvent::by(
                    coordination_relative_record(id),
                    "coordination.relative_joined_group",
                    serde_json::json!({ "member": member }).to_string(),
                    actor_id,
                    org.0,
                    at,
                );
                append_event_tx!(tx, &ev);
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(member)
            }
        )
    }

    /// The agreements in force on the plans a user's worklist covers (their organisation's,
    /// and those they coordinate): (agreement, plan, relative's name, review date).
    pub async fn coordination_relatives_reviews(
        &self,
        org: OrgId,
        user: i64,
    ) -> Result<Vec<(i64, i64, String, String)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                Ok(sqlx::query_as(
                    "SELECT a.id, a.plan_id, a.name, a.review_on \
                     FROM coordination_relatives_agreements a \
                     JOIN coordination_plans p ON p.id = a.plan_id \
                     WHERE (p.org_id = $1 OR p.coordinator_id = $2) AND a.ended_how IS NULL \
                     AND p.status <> 'closed' ORDER BY a.review_on, a.id",
                )
                .bind(org.0)
                .bind(user)
                .fetch_all(pool)
                .await?)
            }
        )
    }
}
