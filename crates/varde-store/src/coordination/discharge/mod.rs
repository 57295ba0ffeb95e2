//! Storage of discharge notices, on both engines.
//!
//! Every step of a notice is an event in the stream [`discharge_stream`]
//! (`coordination_discharge:{id}`); the table `coordination_discharge_notices` is their
//! projection (the folded `Notice` as JSON and the number of events it is of). A write — the
//! event, the projection, one outbox row per active subscriber of the municipality the notice
//! is addressed to, and the access entry — commits in one transaction; a step expects the
//! version its check read ([`StoreError::Changed`] otherwise, nothing written). Every read of a
//! notice (one, or a list) commits with its access entry. Subscribers are in [`webhooks`].

pub mod webhooks;

use jiff::Timestamp;
use varde_core::calendar::day_in_oslo;
use varde_core::coordination::discharge::{Notice, Raise};
use varde_core::org::OrgId;

use super::notices::{notice_stream, outbox_rows_tx, NoticeKind, NoticeMessage, NoticeStep};
use crate::audit::{append_access_tx, NewAccess};
use crate::db::json;
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// The event-log stream of one notice.
pub fn discharge_stream(id: i64) -> String {
    notice_stream::<Notice>(id)
}

/// The access-log record of one notice.
pub fn discharge_record(id: i64) -> String {
    discharge_stream(id)
}

/// The event kind of a raised notice.
pub const RAISED_KIND: &str = "coordination.discharge.raised";

/// Which notice, between which organisations, about whom: what an access decision needs,
/// without the notice's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRef {
    pub id: i64,
    pub unit_org: OrgId,
    pub municipality_org: OrgId,
    pub pseudonym: String,
}

/// A notice as stored, with the person's name and birth date from the raising unit's register
/// (never the identity number) and the organisations' names.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredNotice {
    pub id: i64,
    pub unit_org: OrgId,
    pub unit_name: String,
    pub municipality_org: OrgId,
    pub municipality_name: String,
    pub kommune: String,
    pub person_id: i64,
    pub person_name: String,
    pub birth_date: Option<String>,
    pub notice: Notice,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A new notice, to write.
pub struct DischargeRaise<'a> {
    pub unit_org: OrgId,
    pub municipality_org: OrgId,
    pub kommune: &'a str,
    pub person_id: i64,
    pub pseudonym: &'a str,
    pub raise: &'a Raise,
    pub actor_id: i64,
    pub at: Timestamp,
    /// Its `record` is filled in with the notice's.
    pub access: &'a NewAccess,
    pub message: &'a (dyn Fn(i64) -> NoticeMessage + Sync),
}

/// A step on a discharge notice, to write.
pub type DischargeStep<'a> = NoticeStep<'a, Notice>;

fn notice_of(state: &str) -> Result<Notice, StoreError> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("discharge notice: {e}")))
}

const NOTICE_COLS: &str = "SELECT n.id, n.unit_org_id, u.name, n.municipality_org_id, m.name, n.kommune, \
     n.person_id, p.name, p.birth_date, n.state, n.version, n.created_at, n.updated_at, n.pseudonym \
     FROM coordination_discharge_notices n JOIN orgs u ON u.id = n.unit_org_id \
     JOIN orgs m ON m.id = n.municipality_org_id JOIN persons p ON p.id = n.person_id";

type NoticeTuple = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    i64,
    String,
    Option<String>,
    String,
    i64,
    String,
    String,
    String,
);

fn stored_of(t: NoticeTuple) -> Result<(StoredNotice, String), StoreError> {
    Ok((
        StoredNotice {
            id: t.0,
            unit_org: OrgId(t.1),
            unit_name: t.2,
            municipality_org: OrgId(t.3),
            municipality_name: t.4,
            kommune: t.5,
            person_id: t.6,
            person_name: t.7,
            birth_date: t.8,
            notice: notice_of(&t.9)?,
            version: t.10,
            created_at: t.11,
            updated_at: t.12,
        },
        t.13,
    ))
}

impl Store {
    /// Raises a notice: the projection row, the event, the outbox rows and the access entry in
    /// one transaction. Its id.
    pub async fn discharge_raise(&self, w: &DischargeRaise<'_>) -> Result<i64, StoreError> {
        let notice = Notice::new(w.raise.clone());
        let state = json(&notice)?;
        let body = json(w.raise)?;
        let at = w.at.to_string();
        let now_ms = w.at.as_millisecond();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let id: i64 = sqlx::query_scalar(
                    "INSERT INTO coordination_discharge_notices (unit_org_id, municipality_org_id, kommune, person_id, pseudonym, status, state, version, raised_on, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9) RETURNING id",
                )
                .bind(w.unit_org.0)
                .bind(w.municipality_org.0)
                .bind(w.kommune)
                .bind(w.person_id)
                .bind(w.pseudonym)
                .bind(notice.status().as_str())
                .bind(&state)
                .bind(w.raise.raised_on.to_string())
                .bind(&at)
                .fetch_one(&mut *tx)
                .await?;
                    let ev = NewEvent {
                        stream: discharge_stream(id),
                        kind: RAISED_KIND.to_owned(),
                        body: body.clone(),
                        actor_id: Some(w.actor_id),
                        org_id: Some(w.unit_org.0),
                        recorded_at: w.at,
                        effective_date: day_in_oslo(w.at).to_string(),
                        expected_seq: Some(0),
                    };
                    append_event_tx!(tx, &ev);
                    let m = (w.message)(id);
                    outbox_rows_tx!(tx, Notice::DELIVERIES, w.municipality_org.0, id, &m, now_ms);
                    let mut access = w.access.clone();
                    access.record = discharge_record(id);
                    append_access_tx!(tx, &access);
                    tx.commit().await?;
                    Ok(id)
                }
        )
    }

    /// The reference of a notice, read without logging and without its content: for an
    /// access decision only.
    pub async fn discharge_ref(&self, id: i64) -> Result<Option<NoticeRef>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let row: Option<(i64, i64, i64, String)> = sqlx::query_as(
                    "SELECT id, unit_org_id, municipality_org_id, pseudonym FROM coordination_discharge_notices WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(pool)
                .await?;
                    Ok(row.map(|(id, u, m, pseudonym)| NoticeRef {
                        id,
                        unit_org: OrgId(u),
                        municipality_org: OrgId(m),
                        pseudonym,
                    }))
                }
        )
    }

    /// The register row a notice would be about: its organisation, pseudonym and municipality
    /// of residence — what raising a notice needs (the raise's access entry logs the read).
    pub async fn discharge_person(
        &self,
        person_id: i64,
    ) -> Result<Option<(OrgId, String, Option<String>)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row: Option<(i64, String, Option<String>)> =
                    sqlx::query_as("SELECT org_id, pseudonym, kommune FROM persons WHERE id = $1")
                        .bind(person_id)
                        .fetch_optional(pool)
                        .await?;
                Ok(row.map(|(o, p, k)| (OrgId(o), p, k)))
            }
        )
    }

    /// One notice, read with its access entry in one transaction.
    pub async fn discharge_read_logged(
        &self,
        id: i64,
        access: &NewAccess,
    ) -> Result<StoredNotice, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let row: Option<NoticeTuple> =
                    sqlx::query_as(&format!("{NOTICE_COLS} WHERE n.id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let (notice, _) = stored_of(row.ok_or(StoreError::NotFound)?)?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(notice)
            }
        )
    }

    /// The notices addressed to a municipality (`to_municipality`) or raised by a unit, newest
    /// first, at most `limit`: each read logged with an entry made from `access` (its subject,
    /// record and owner set per notice), in one transaction.
    pub async fn discharge_list_logged(
        &self,
        org: OrgId,
        to_municipality: bool,
        limit: i64,
        access: &(dyn Fn(&StoredNotice, &str) -> NewAccess + Sync),
    ) -> Result<Vec<StoredNotice>, StoreError> {
        let column = if to_municipality {
            "n.municipality_org_id"
        } else {
            "n.unit_org_id"
        };
        let sql = format!("{NOTICE_COLS} WHERE {column} = $1 ORDER BY n.id DESC LIMIT $2");
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let rows: Vec<NoticeTuple> = sqlx::query_as(&sql)
                    .bind(org.0)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let (n, pseudonym) = stored_of(row)?;
                    append_access_tx!(tx, &access(&n, &pseudonym));
                    out.push(n);
                }
                tx.commit().await?;
                Ok(out)
            }
        )
    }

    /// The stamp of the notices addressed to a municipality: moves with every notice raised or
    /// step taken (notices are never deleted and versions only grow). Read without content.
    pub async fn discharge_stamp(&self, municipality: OrgId) -> Result<String, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let (n, v): (i64, i64) = sqlx::query_as(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM coordination_discharge_notices WHERE municipality_org_id = $1",
                )
                .bind(municipality.0)
                .fetch_one(pool)
                .await?;
                    Ok(format!("{n}-{v}"))
                }
        )
    }

    /// Every discharged notice of a year of discharge, with the municipality number it was
    /// addressed to: no person, no id (the national figures).
    pub async fn discharge_discharged_in(
        &self,
        year: i16,
    ) -> Result<Vec<(String, Notice)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT kommune, state FROM coordination_discharge_notices \
                     WHERE discharged_on >= $1 AND discharged_on <= $2 ORDER BY kommune",
                )
                .bind(format!("{year:04}-01-01"))
                .bind(format!("{year:04}-12-31"))
                .fetch_all(pool)
                .await?;
                rows.into_iter()
                    .map(|(k, s)| Ok((k, notice_of(&s)?)))
                    .collect()
            }
        )
    }
}
