//! Consents: recorded and withdrawn with their events and access entries; looked up at the
//! moment of every decision.

use jiff::civil::Date;
use jiff::Timestamp;
use varde_core::coordination::consent::{Grantee, NewConsent};
use varde_core::coordination::Scope;
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// A stored consent, with the names of the organisations concerned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredConsent {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub person_id: i64,
    pub scope: String,
    pub grantee_org_id: Option<i64>,
    pub grantee_plan_id: Option<i64>,
    /// The grantee organisation's name, or the plan's organisation's for a group.
    pub grantee_name: String,
    pub purpose: String,
    pub valid_from: String,
    pub valid_until: String,
    pub given_how: String,
    pub recorded_by: String,
    pub recorded_at: String,
    pub withdrawn_at: Option<String>,
}

/// An organisation that read a person's data held by another (or by itself): what, how
/// often, and when last.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reader {
    pub org_name: String,
    pub action: String,
    pub purpose: String,
    pub times: i64,
    pub last_at: String,
}

pub(super) type ConsentRow = (
    i64,
    i64,
    String,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

pub(super) const CONSENTS: &str =
    "SELECT c.id, c.org_id, o.name, c.person_id, c.scope, c.grantee_org_id, \
     c.grantee_plan_id, COALESCE(g.name, po.name, ''), c.purpose, c.valid_from, c.valid_until, \
     c.given_how, u.username, c.recorded_at, c.withdrawn_at \
     FROM coordination_consents c JOIN orgs o ON o.id = c.org_id \
     JOIN users u ON u.id = c.recorded_by \
     LEFT JOIN orgs g ON g.id = c.grantee_org_id \
     LEFT JOIN coordination_plans p ON p.id = c.grantee_plan_id \
     LEFT JOIN orgs po ON po.id = p.org_id";

pub(super) fn consent(r: ConsentRow) -> StoredConsent {
    StoredConsent {
        id: r.0,
        org_id: r.1,
        org_name: r.2,
        person_id: r.3,
        scope: r.4,
        grantee_org_id: r.5,
        grantee_plan_id: r.6,
        grantee_name: r.7,
        purpose: r.8,
        valid_from: r.9,
        valid_until: r.10,
        given_how: r.11,
        recorded_by: r.12,
        recorded_at: r.13,
        withdrawn_at: r.14,
    }
}

impl Store {
    /// Records a consent given by the person of `person_id` (a record of `org`, the
    /// organisation whose data it releases), its event and the access entry, in one
    /// transaction. A grantee that does not exist (an organisation, a plan of `org`) is
    /// `NotFound`, with nothing written. Returns the consent's id.
    #[allow(clippy::too_many_arguments)]
    pub async fn coordination_record_consent(
        &self,
        org: OrgId,
        person_id: i64,
        pseudonym: &str,
        c: &NewConsent,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        let (gorg, gplan) = match c.grantee {
            Grantee::Org(o) => (Some(o), None),
            Grantee::Group(p) => (None, Some(p)),
        };
        let body = serde_json::json!({
            "scope": c.scope, "grantee": c.grantee, "purpose": c.purpose,
            "valid_from": c.valid_from.to_string(), "valid_until": c.valid_until.to_string(),
            "given_how": c.given_how,
        })
        .to_string();
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                if let Some(o) = gorg {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE id = $1")
                        .bind(o)
                        .fetch_one(&mut *tx)
                        .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                }
                if let Some(p) = gplan {
                    let n: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM coordination_plans WHERE id = $1 AND org_id = $2",
                    )
                    .bind(p)
                    .bind(org.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO coordination_consents (org_id, person_id, pseudonym, scope, \
                     grantee_org_id, grantee_plan_id, purpose, valid_from, valid_until, given_how, \
                     recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(org.0)
                .bind(person_id)
                .bind(pseudonym)
                .bind(c.scope.as_str())
                .bind(gorg)
                .bind(gplan)
                .bind(&c.purpose)
                .bind(c.valid_from.to_string())
                .bind(c.valid_until.to_string())
                .bind(c.given_how.as_str())
                .bind(actor_id)
                .bind(at.to_string())
                .fetch_one(&mut *tx)
                .await?;
                let ev = NewEvent::by(
                    super::coordination_consent_record(id),
                    "coordination.consent_given",
                    body.clone(),
                    actor_id,
                    org.0,
                    at,
                );
                append_event_tx!(tx, &ev);
                let mut access = access.clone();
                access.record = super::coordination_consent_record(id);
                append_access_tx!(tx, &access);
                tx.commit().await?;
                Ok(id)
            }
        )
    }

    /// Withdraws consent `id` of `org` from the instant `at`: its event, the row and the
    /// access entry in one transaction. `NotFound` for no such consent of `org`; `Conflict`
    /// when it was withdrawn already (nothing written).
    pub async fn coordination_withdraw_consent(
        &self,
        org: OrgId,
        id: i64,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let row: Option<(Option<String>,)> = sqlx::query_as(
                    "SELECT withdrawn_at FROM coordination_consents WHERE id = $1 AND org_id = $2",
                )
                .bind(id)
                .bind(org.0)
                .fetch_optional(&mut *tx)
                .await?;
                match row {
                    None => return Err(StoreError::NotFound),
                    Some((Some(_),)) => {
                        return Err(StoreError::Conflict("the consent is withdrawn already"))
                    }
                    Some((None,)) => {}
                }
                let n = sqlx::query(
                    "UPDATE coordination_consents SET withdrawn_at = $1, withdrawn_by = $2 \
                     WHERE id = $3 AND withdrawn_at IS NULL",
                )
                .bind(at.to_string())
                .bind(actor_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict("the consent is withdrawn already"));
                }
                let ev = NewEvent::by(
                    super::coordination_consent_record(id),
                    "coordination.consent_withdrawn",
                    "{}".to_owned(),
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

    /// The consent in force on `day` that lets a user (`user`, of `actor_org`) see the data of
    /// scope `scope` that `owner` holds on the person of `pseudonym`: given to the actor's
    /// organisation, or to a responsibility group the user is a member of; not withdrawn.
    /// Read from the database at every decision: a withdrawal holds from its commit.
    pub async fn coordination_consent_in_force(
        &self,
        owner: OrgId,
        pseudonym: &str,
        scope: Scope,
        actor_org: OrgId,
        user: i64,
        day: Date,
    ) -> Result<Option<i64>, StoreError> {
        let day = day.to_string();
        on_pool!(
            self,
            read | pool
                | {
                    Ok(sqlx::query_scalar(
                    "SELECT id FROM coordination_consents WHERE org_id = $1 AND pseudonym = $2 \
                     AND scope = $3 AND withdrawn_at IS NULL AND valid_from <= $4 AND valid_until >= $4 \
                     AND (grantee_org_id = $5 OR grantee_plan_id IN \
                          (SELECT plan_id FROM coordination_members WHERE user_id = $6)) \
                     ORDER BY id LIMIT 1",
                )
                .bind(owner.0)
                .bind(pseudonym)
                .bind(scope.as_str())
                .bind(&day)
                .bind(actor_org.0)
                .bind(user)
                .fetch_optional(pool)
                .await?)
                }
        )
    }

    /// The consents `org` recorded for the person of `pseudonym`, and those given to `org`,
    /// newest first, read with the access entry.
    pub async fn coordination_consents_of(
        &self,
        org: OrgId,
        pseudonym: &str,
        access: &NewAccess,
    ) -> Result<Vec<StoredConsent>, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let rows: Vec<ConsentRow> = sqlx::query_as(&format!(
                    "{CONSENTS} WHERE c.pseudonym = $1 AND (c.org_id = $2 OR c.grantee_org_id = $2) \
                     ORDER BY c.id DESC"
                ))
                .bind(pseudonym)
                .bind(org.0)
                .fetch_all(&mut *tx)
                .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(rows.into_iter().map(consent).collect())
                }
        )
    }

    /// The consents of `org` in force on `day` (what the worklist watches for expiry).
    pub async fn coordination_consents_in_force(
        &self,
        org: OrgId,
        day: Date,
    ) -> Result<Vec<StoredConsent>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<ConsentRow> = sqlx::query_as(&format!(
                    "{CONSENTS} WHERE c.org_id = $1 AND c.withdrawn_at IS NULL \
                     AND c.valid_from <= $2 AND c.valid_until >= $2 ORDER BY c.valid_until"
                ))
                .bind(org.0)
                .bind(day.to_string())
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().map(consent).collect())
            }
        )
    }

    /// The organisations that read data `owner` holds on the person of `pseudonym` (allowed
    /// accesses in the access log), with the purpose each gave (the consent or legal basis).
    pub async fn coordination_readers(
        &self,
        owner: OrgId,
        pseudonym: &str,
    ) -> Result<Vec<Reader>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
                    "SELECT o.name, a.action, a.purpose, COUNT(*), MAX(a.at) FROM access_log a \
                     JOIN orgs o ON o.id = a.org_id \
                     WHERE a.subject = $1 AND a.owner_org_id = $2 AND a.outcome = 'allowed' \
                     GROUP BY o.name, a.action, a.purpose ORDER BY MAX(a.at) DESC",
                )
                .bind(pseudonym)
                .bind(owner.0)
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| Reader {
                        org_name: r.0,
                        action: r.1,
                        purpose: r.2,
                        times: r.3,
                        last_at: r.4,
                    })
                    .collect())
            }
        )
    }

    /// The organisation and person pseudonym of consent `id`: what a decision on it needs.
    pub async fn coordination_consent_ref(
        &self,
        id: i64,
    ) -> Result<Option<(OrgId, String)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let r: Option<(i64, String)> = sqlx::query_as(
                    "SELECT org_id, pseudonym FROM coordination_consents WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(pool)
                .await?;
                Ok(r.map(|(o, p)| (OrgId(o), p)))
            }
        )
    }
}
