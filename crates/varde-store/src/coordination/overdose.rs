//! Storage of overdose notices (issue 16, section 4), on both engines.
//!
//! Every step of a notice is an event in the stream [`overdose_stream`]
//! (`coordination_overdose:{id}`); `coordination_overdose_notices` is their projection. The
//! registration writes, in one transaction: the person's consent (scope `overdose_notice`,
//! granted to the municipality, with its event), the notice and its event, the anonymous
//! monitoring row (source `overdoses`, its own batch), one outbox row per coordination
//! subscriber of the municipality, and the access entry. A step expects the version its check
//! read ([`StoreError::Changed`] otherwise, nothing written). Every read commits with its
//! access entry.

use jiff::civil::Date;
use jiff::Timestamp;
use varde_core::calendar::day_in_oslo;
use varde_core::coordination::consent::NewConsent;
use varde_core::coordination::overdose::Notice;
use varde_core::coordination::overdose_figures::Tally;
use varde_core::monitoring::sources::Record;
use varde_core::org::OrgId;

use super::notices::{notice_stream, outbox_rows_tx, NoticeKind, NoticeMessage, NoticeStep};
use crate::audit::{append_access_tx, NewAccess};
use crate::db::json;
use crate::db::{on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// The event-log stream (and access-log record) of one notice.
pub fn overdose_stream(id: i64) -> String {
    notice_stream::<Notice>(id)
}

/// The event kind of a registered notice.
pub const REGISTERED_KIND: &str = "coordination.overdose.registered";

/// Which notice, between which organisations, about whom, by which consent: what an access
/// decision needs, without the notice's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdoseRef {
    pub id: i64,
    pub reporter_org: OrgId,
    pub municipality_org: OrgId,
    pub pseudonym: String,
    pub consent_id: i64,
}

/// A notice as stored, with the person's name and birth date from the registering
/// organisation's register (never the identity number).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredOverdose {
    pub id: i64,
    pub reporter_org: OrgId,
    pub reporter_name: String,
    pub municipality_org: OrgId,
    pub municipality_name: String,
    pub kommune: String,
    pub person_id: i64,
    pub person_name: String,
    pub birth_date: Option<String>,
    pub consent_id: i64,
    pub notice: Notice,
    pub version: i64,
    pub created_at: String,
}

/// A registration, to write.
pub struct OverdoseRegister<'a> {
    pub reporter_org: OrgId,
    pub municipality_org: OrgId,
    pub kommune: &'a str,
    pub person_id: i64,
    pub pseudonym: &'a str,
    pub notice: &'a Notice,
    /// The consent (scope `overdose_notice`, granted to the municipality).
    pub consent: &'a NewConsent,
    /// The anonymous monitoring row, and the batch key it is written under is made from the
    /// notice's id by `batch_key`.
    pub monitoring: &'a Record,
    pub batch_key: &'a (dyn Fn(i64) -> String + Sync),
    pub actor_id: i64,
    pub at: Timestamp,
    /// Its `record` is filled in with the notice's.
    pub access: &'a NewAccess,
    pub message: &'a (dyn Fn(i64) -> NoticeMessage + Sync),
}

/// Which notices an organisation lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverdoseList {
    /// Addressed to the municipality for follow-up, whose consent is in force on the day.
    AddressedTo,
    /// Registered by the organisation (an ambulance service's or emergency ward's).
    RegisteredBy,
    /// Registered by the organisation (a municipal legevakt) for follow-up by another
    /// municipality.
    SentElsewhere,
}

/// A step on an overdose notice, to write.
pub type OverdoseStep<'a> = NoticeStep<'a, Notice>;

fn notice_of(state: &str) -> Result<Notice, StoreError> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("overdose notice: {e}")))
}

const COLS: &str = "SELECT n.id, n.reporter_org_id, r.name, n.municipality_org_id, m.name, n.kommune, \
     n.person_id, p.name, p.birth_date, n.consent_id, n.state, n.version, n.created_at, n.pseudonym \
     FROM coordination_overdose_notices n JOIN orgs r ON r.id = n.reporter_org_id \
     JOIN orgs m ON m.id = n.municipality_org_id JOIN persons p ON p.id = n.person_id";

type Tuple = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    i64,
    String,
    Option<String>,
    i64,
    String,
    i64,
    String,
    String,
);

fn stored_of(t: Tuple) -> Result<(StoredOverdose, String), StoreError> {
    Ok((
        StoredOverdose {
            id: t.0,
            reporter_org: OrgId(t.1),
            reporter_name: t.2,
            municipality_org: OrgId(t.3),
            municipality_name: t.4,
            kommune: t.5,
            person_id: t.6,
            person_name: t.7,
            birth_date: t.8,
            consent_id: t.9,
            notice: notice_of(&t.10)?,
            version: t.11,
            created_at: t.12,
        },
        t.13,
    ))
}

impl Store {
    /// Registers a notice with its consent, monitoring row, outbox rows and access entry, in
    /// one transaction. Its id and the consent's.
    pub async fn overdose_register(
        &self,
        w: &OverdoseRegister<'_>,
    ) -> Result<(i64, i64), StoreError> {
        let state = json(w.notice)?;
        let body = json(&w.notice.register)?;
        let at = w.at.to_string();
        let now_ms = w.at.as_millisecond();
        let c = w.consent;
        let consent_body = serde_json::json!({
            "scope": c.scope, "grantee": c.grantee, "purpose": c.purpose,
            "valid_from": c.valid_from.to_string(), "valid_until": c.valid_until.to_string(),
            "given_how": c.given_how,
        })
        .to_string();
        let rec = w.monitoring;
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let consent_id: i64 = sqlx::query_scalar(
                        "INSERT INTO coordination_consents (org_id, person_id, pseudonym, scope, \
                         grantee_org_id, grantee_plan_id, purpose, valid_from, valid_until, given_how, \
                         recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11) RETURNING id",
                    )
                    .bind(w.reporter_org.0)
                    .bind(w.person_id)
                    .bind(w.pseudonym)
                    .bind(c.scope.as_str())
                    .bind(w.municipality_org.0)
                    .bind(&c.purpose)
                    .bind(c.valid_from.to_string())
                    .bind(c.valid_until.to_string())
                    .bind(c.given_how.as_str())
                    .bind(w.actor_id)
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?;
                    let ev = NewEvent::by(
                        super::coordination_consent_record(consent_id),
                        "coordination.consent_given",
                        consent_body.clone(),
                        w.actor_id,
                        w.reporter_org.0,
                        w.at,
                    );
                    append_event_tx!(tx, &ev);
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO coordination_overdose_notices (reporter_org_id, municipality_org_id, kommune, person_id, pseudonym, consent_id, status, state, version, occurred_at, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10) RETURNING id",
                    )
                    .bind(w.reporter_org.0)
                    .bind(w.municipality_org.0)
                    .bind(w.kommune)
                    .bind(w.person_id)
                    .bind(w.pseudonym)
                    .bind(consent_id)
                    .bind(w.notice.status().as_str())
                    .bind(&state)
                    .bind(w.notice.register.occurred_at.to_string())
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?;
                    let ev = NewEvent {
                        stream: overdose_stream(id),
                        kind: REGISTERED_KIND.to_owned(),
                        body: body.clone(),
                        actor_id: Some(w.actor_id),
                        org_id: Some(w.reporter_org.0),
                        recorded_at: w.at,
                        effective_date: day_in_oslo(w.at).to_string(),
                        expected_seq: Some(0),
                    };
                    append_event_tx!(tx, &ev);
                    // The anonymous monitoring row, under a batch of its own (idempotent by
                    // the notice's id), the way the monitoring import stores one.
                    let key = (w.batch_key)(id);
                    sqlx::query(
                        "INSERT INTO monitoring_batches (org_id, batch_id, events, recorded_at, digest, imported_by, first_week, last_week) \
                         VALUES ($1, $2, 1, $3, $2, $4, $5, $5) ON CONFLICT (org_id, batch_id) DO NOTHING",
                    )
                    .bind(w.reporter_org.0)
                    .bind(&key)
                    .bind(&at)
                    .bind(w.actor_id)
                    .bind(rec.week)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO monitoring_records (source, org_id, batch_id, line, imported_by, received_at, day, week, municipality, county, value, body) \
                         VALUES ('overdoses', $1, $2, 2, $3, $4, $5, $6, $7, $8, NULL, $9)",
                    )
                    .bind(w.reporter_org.0)
                    .bind(&key)
                    .bind(w.actor_id)
                    .bind(&at)
                    .bind(rec.day.map(|d| d.to_string()))
                    .bind(rec.week)
                    .bind(rec.municipality.as_deref())
                    .bind(rec.county.as_deref())
                    .bind(&rec.body)
                    .execute(&mut *tx)
                    .await?;
                    let m = (w.message)(id);
                    outbox_rows_tx!(tx, Notice::DELIVERIES, w.municipality_org.0, id, &m, now_ms);
                    let mut access = w.access.clone();
                    access.record = overdose_stream(id);
                    append_access_tx!(tx, &access);
                    tx.commit().await?;
                    Ok((id, consent_id))
                }
        )
    }

    /// The reference of a notice, read without logging and without its content: for an
    /// access decision only.
    pub async fn overdose_ref(&self, id: i64) -> Result<Option<OverdoseRef>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let row: Option<(i64, i64, i64, String, i64)> = sqlx::query_as(
                        "SELECT id, reporter_org_id, municipality_org_id, pseudonym, consent_id FROM coordination_overdose_notices WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
                    Ok(row.map(|(id, r, m, pseudonym, consent_id)| OverdoseRef {
                        id,
                        reporter_org: OrgId(r),
                        municipality_org: OrgId(m),
                        pseudonym,
                        consent_id,
                    }))
                }
        )
    }

    /// Whether the notice's consent is in force on `day` (not withdrawn, within its days):
    /// read at every decision, never cached.
    pub async fn overdose_consent_in_force(
        &self,
        consent_id: i64,
        day: Date,
    ) -> Result<bool, StoreError> {
        let day = day.to_string();
        on_pool!(
            self,
            read | pool
                | {
                    let n: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM coordination_consents WHERE id = $1 AND scope = 'overdose_notice' \
                         AND withdrawn_at IS NULL AND valid_from <= $2 AND valid_until >= $2",
                    )
                    .bind(consent_id)
                    .bind(&day)
                    .fetch_one(pool)
                    .await?;
                    Ok(n == 1)
                }
        )
    }

    /// The register row a notice would be about: its organisation, pseudonym, municipality of
    /// residence and birth date (the registration's access entry logs the read).
    pub async fn overdose_person(
        &self,
        person_id: i64,
    ) -> Result<Option<(OrgId, String, Option<String>, Option<String>)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row: Option<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT org_id, pseudonym, kommune, birth_date FROM persons WHERE id = $1",
                )
                .bind(person_id)
                .fetch_optional(pool)
                .await?;
                Ok(row.map(|(o, p, k, b)| (OrgId(o), p, k, b)))
            }
        )
    }

    /// Whether `plan` is a coordination plan of `org` about the person of `pseudonym` (what
    /// the outcome "linked to a plan" names).
    pub async fn overdose_plan_matches(
        &self,
        plan: i64,
        org: OrgId,
        pseudonym: &str,
    ) -> Result<bool, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM coordination_plans WHERE id = $1 AND org_id = $2 AND pseudonym = $3",
                )
                .bind(plan)
                .bind(org.0)
                .bind(pseudonym)
                .fetch_one(pool)
                .await?;
                    Ok(n == 1)
                }
        )
    }

    /// One notice, read with its access entry in one transaction.
    pub async fn overdose_read_logged(
        &self,
        id: i64,
        access: &NewAccess,
    ) -> Result<StoredOverdose, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let row: Option<Tuple> = sqlx::query_as(&format!("{COLS} WHERE n.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let (n, _) = stored_of(row.ok_or(StoreError::NotFound)?)?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(n)
            }
        )
    }

    /// The notices `list` names for `org` (see [`OverdoseList`]), newest first, at most
    /// `limit`: each read logged with the entry `access` makes of it, in one transaction.
    pub async fn overdose_list_logged(
        &self,
        org: OrgId,
        list: OverdoseList,
        day: Date,
        limit: i64,
        access: &(dyn Fn(&StoredOverdose, &str) -> NewAccess + Sync),
    ) -> Result<Vec<StoredOverdose>, StoreError> {
        let sql = match list {
            OverdoseList::AddressedTo => format!(
                "{COLS} JOIN coordination_consents c ON c.id = n.consent_id \
                 WHERE n.municipality_org_id = $1 AND c.withdrawn_at IS NULL \
                 AND c.valid_from <= $2 AND c.valid_until >= $2 ORDER BY n.id DESC LIMIT $3"
            ),
            OverdoseList::RegisteredBy => {
                format!(
                    "{COLS} WHERE n.reporter_org_id = $1 AND $2 = $2 ORDER BY n.id DESC LIMIT $3"
                )
            }
            OverdoseList::SentElsewhere => format!(
                "{COLS} WHERE n.reporter_org_id = $1 AND n.municipality_org_id <> $1 AND $2 = $2 \
                 ORDER BY n.id DESC LIMIT $3"
            ),
        };
        let day = day.to_string();
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let rows: Vec<Tuple> = sqlx::query_as(&sql)
                    .bind(org.0)
                    .bind(&day)
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

    /// The stamp of the notices addressed to a municipality: moves with every notice
    /// registered, step taken or consent withdrawn. Read without content.
    pub async fn overdose_stamp(&self, municipality: OrgId) -> Result<String, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let (n, v, w): (i64, i64, i64) = sqlx::query_as(
                        "SELECT COUNT(*), CAST(COALESCE(SUM(n.version), 0) AS BIGINT), \
                         CAST(COALESCE(SUM(CASE WHEN c.withdrawn_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) \
                         FROM coordination_overdose_notices n JOIN coordination_consents c ON c.id = n.consent_id \
                         WHERE n.municipality_org_id = $1",
                    )
                    .bind(municipality.0)
                    .fetch_one(pool)
                    .await?;
                    Ok(format!("{n}-{v}-{w}"))
                }
        )
    }

    /// The follow-up of the overdoses of `year` counted per municipality (by number, in
    /// order), as of `now` (Oslo wall clock): for the national follow-up figures. An aggregate
    /// read (ARCHITECTURE invariant 26): the notices are folded into anonymous tallies here, and
    /// nothing personal leaves the store, so it writes no access entry. A notice whose consent
    /// was withdrawn still counts (it happened; no one is named).
    pub async fn overdose_tallies(
        &self,
        year: i16,
        now: jiff::civil::DateTime,
    ) -> Result<Vec<(String, Tally)>, StoreError> {
        let rows: Vec<(String, String)> = on_pool!(
            self,
            read | pool | {
                Ok::<_, StoreError>(
                    sqlx::query_as(
                        "SELECT kommune, state FROM coordination_overdose_notices \
                         WHERE occurred_at >= $1 AND occurred_at < $2 ORDER BY kommune, id",
                    )
                    .bind(format!("{year:04}-01-01"))
                    .bind(format!("{:04}-01-01", year + 1))
                    .fetch_all(pool)
                    .await?,
                )
            }
        )?;
        let mut out: Vec<(String, Tally)> = Vec::new();
        for (kommune, state) in rows {
            let n = notice_of(&state)?;
            match out.last_mut() {
                Some((k, t)) if *k == kommune => t.add(&n, now),
                _ => {
                    let mut t = Tally::default();
                    t.add(&n, now);
                    out.push((kommune, t));
                }
            }
        }
        out.retain(|(_, t)| t.notices > 0);
        Ok(out)
    }

    /// The years with an overdose notice, oldest first.
    pub async fn overdose_years(&self) -> Result<Vec<i16>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT DISTINCT SUBSTR(occurred_at, 1, 4) FROM coordination_overdose_notices \
                     ORDER BY 1",
                )
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().filter_map(|(y,)| y.parse().ok()).collect())
            }
        )
    }
}
