//! Storage of session feedback, on both engines: one-time links (`feedback_links`, the token
//! kept only as its SHA-256) and their answers (`feedback_answers`, one per link); the
//! anonymous surveys are [`surveys`].
//!
//! [`Store::feedback_answer`] spends the link and records the answer in one transaction: a
//! conditional `UPDATE … WHERE token_hash = $ AND used_at IS NULL AND expires_at > $ RETURNING`
//! is the check, so two answers sent at once cannot both pass, and a used, expired or unknown
//! token all come out as [`StoreError::NotFound`] from the same statement.

pub mod surveys;

use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::Row;
use varde_core::feedback::{Answer, Scale, Session};
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{map_unique, on_pool, Db};
use crate::{Store, StoreError};

/// A link to make: who it is for, which session, who made it, and when it stops working.
#[derive(Debug, Clone)]
pub struct NewFeedbackLink<'a> {
    pub token_hash: &'a str,
    pub org: OrgId,
    pub person_id: i64,
    pub pseudonym: &'a str,
    pub pathway_id: Option<&'a str>,
    pub session_date: Date,
    pub session_number: u32,
    pub created_by: i64,
    pub at: Timestamp,
    pub expires_at: Timestamp,
}

/// What the answer page may know of an open link: the organisation's name and the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFeedbackLink {
    pub org_name: String,
    pub session_date: String,
    pub session_number: i64,
}

/// A link spent by an answer: what the answer's caller needs next (the pathway to mark).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpentFeedbackLink {
    pub link_id: i64,
    pub org: OrgId,
    pub person_id: i64,
    pub pathway_id: Option<String>,
    pub created_by: i64,
}

/// A link as the clinician's list shows it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FeedbackLinkRow {
    pub id: i64,
    pub session_date: String,
    pub session_number: i64,
    pub pathway_id: Option<String>,
    pub created_at: String,
    /// Seconds since 1970.
    pub expires_at: i64,
    pub used_at: Option<String>,
}

/// A patient's feedback: the answered sessions and every link made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientFeedback {
    pub sessions: Vec<Session>,
    pub links: Vec<FeedbackLinkRow>,
}

fn date_of(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("feedback date: {e}")))
}

type AnswerRow = (String, i64, String);
type LinkRow = (
    i64,
    String,
    i64,
    Option<String>,
    String,
    i64,
    Option<String>,
);

impl Store {
    /// Records a new link with the access entry (the clinician's write for the patient), in
    /// one transaction; its id.
    pub async fn feedback_link_create(
        &self,
        link: &NewFeedbackLink<'_>,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let id: i64 = sqlx::query_scalar(
                    "INSERT INTO feedback_links (token_hash, org_id, person_id, pseudonym, pathway_id, \
                     session_date, session_number, created_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(link.token_hash)
                .bind(link.org.0)
                .bind(link.person_id)
                .bind(link.pseudonym)
                .bind(link.pathway_id)
                .bind(link.session_date.to_string())
                .bind(i64::from(link.session_number))
                .bind(link.created_by)
                .bind(link.at.to_string())
                .bind(link.expires_at.as_second())
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| map_unique(e, "the link is taken; make it again"))?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(id)
                }
        )
    }

    /// The open link under `token_hash` at `now` (not used, not expired), or `None`: one
    /// query on the unique index, the same for every token.
    pub async fn feedback_link_open(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<OpenFeedbackLink>, StoreError> {
        let row: Option<(String, String, i64)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT o.name, l.session_date, l.session_number FROM feedback_links l \
                     JOIN orgs o ON o.id = l.org_id \
                     WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2",
                )
                .bind(token_hash)
                .bind(now.as_second())
                .fetch_optional(pool)
                .await?
            }
        );
        Ok(row.map(
            |(org_name, session_date, session_number)| OpenFeedbackLink {
                org_name,
                session_date,
                session_number,
            },
        ))
    }

    /// Spends the open link under `token_hash` and records `answer`, with the access entry
    /// (`access`, its organisation, subject and record set here from the link), in one
    /// transaction. `NotFound` (nothing written) for a token that is unknown, used or expired.
    pub async fn feedback_answer(
        &self,
        token_hash: &str,
        answer: &Answer,
        now: Timestamp,
        access: &NewAccess,
    ) -> Result<SpentFeedbackLink, StoreError> {
        let ratings = serde_json::to_string(&answer.0.to_vec())
            .map_err(|e| StoreError::Corrupt(format!("ratings: {e}")))?;
        let now_text = now.to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let row = sqlx::query(
                    "UPDATE feedback_links SET used_at = $1 \
                     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3 \
                     RETURNING id, org_id, person_id, pseudonym, pathway_id, session_date, session_number, created_by",
                )
                .bind(&now_text)
                .bind(token_hash)
                .bind(now.as_second())
                .fetch_optional(&mut *tx)
                .await?;
                    let Some(row) = row else {
                        tx.rollback().await?;
                        return Err(StoreError::NotFound);
                    };
                    let link_id: i64 = row.try_get(0)?;
                    let org_id: i64 = row.try_get(1)?;
                    let person_id: i64 = row.try_get(2)?;
                    let pseudonym: String = row.try_get(3)?;
                    let pathway_id: Option<String> = row.try_get(4)?;
                    let session_date: String = row.try_get(5)?;
                    let session_number: i64 = row.try_get(6)?;
                    let created_by: i64 = row.try_get(7)?;
                    sqlx::query(
                    "INSERT INTO feedback_answers (link_id, org_id, person_id, session_date, session_number, \
                     ratings, outcome_total, alliance_total, answered_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(link_id)
                .bind(org_id)
                .bind(person_id)
                .bind(&session_date)
                .bind(session_number)
                .bind(&ratings)
                .bind(i64::from(answer.total(Scale::Outcome)))
                .bind(i64::from(answer.total(Scale::Alliance)))
                .bind(&now_text)
                .execute(&mut *tx)
                .await?;
                    let mut entry = access.clone();
                    entry.org_id = org_id;
                    entry.owner_org_id = org_id;
                    entry.subject = pseudonym;
                    entry.record = format!("feedback:link:{link_id}");
                    append_access_tx!(tx, &entry);
                    tx.commit().await?;
                    Ok(SpentFeedbackLink {
                        link_id,
                        org: OrgId(org_id),
                        person_id,
                        pathway_id,
                        created_by,
                    })
                }
        )
    }

    /// One patient's feedback (answered sessions and links) in `org`, with the read's access
    /// entry in the same transaction.
    pub async fn feedback_of_patient_logged(
        &self,
        org: OrgId,
        person_id: i64,
        access: &NewAccess,
    ) -> Result<PatientFeedback, StoreError> {
        let (answers, links): (Vec<AnswerRow>, Vec<LinkRow>) = on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let answers = sqlx::query_as(
                        "SELECT session_date, session_number, ratings FROM feedback_answers \
                     WHERE org_id = $1 AND person_id = $2 ORDER BY session_date, session_number",
                    )
                    .bind(org.0)
                    .bind(person_id)
                    .fetch_all(&mut *tx)
                    .await?;
                    let links = sqlx::query_as(
                    "SELECT id, session_date, session_number, pathway_id, created_at, expires_at, used_at \
                     FROM feedback_links WHERE org_id = $1 AND person_id = $2 ORDER BY id DESC",
                )
                .bind(org.0)
                .bind(person_id)
                .fetch_all(&mut *tx)
                .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    (answers, links)
                }
        );
        let mut sessions = Vec::with_capacity(answers.len());
        for (d, n, ratings) in answers {
            let r: Vec<u8> = serde_json::from_str(&ratings)
                .map_err(|e| StoreError::Corrupt(format!("feedback ratings: {e}")))?;
            let arr: [u8; 8] = r
                .try_into()
                .map_err(|_| StoreError::Corrupt("feedback ratings: not eight".into()))?;
            sessions.push(Session {
                session_date: date_of(&d)?,
                session_number: u32::try_from(n).unwrap_or(0),
                answer: Answer(arr),
            });
        }
        let links = links
            .into_iter()
            .map(
                |(
                    id,
                    session_date,
                    session_number,
                    pathway_id,
                    created_at,
                    expires_at,
                    used_at,
                )| {
                    FeedbackLinkRow {
                        id,
                        session_date,
                        session_number,
                        pathway_id,
                        created_at,
                        expires_at,
                        used_at,
                    }
                },
            )
            .collect();
        Ok(PatientFeedback { sessions, links })
    }

    /// Whether the organisation's pathway `pathway_id` belongs to person `person_id` (the
    /// pathway a link names must be the patient's own).
    pub async fn feedback_pathway_of(
        &self,
        org: OrgId,
        pathway_id: &str,
        person_id: i64,
    ) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pathways_persons WHERE org_id = $1 AND pathway_id = $2 AND person_id = $3",
                )
                .bind(org.0)
                .bind(pathway_id)
                .bind(person_id)
                .fetch_one(pool)
                .await?
                }
        );
        Ok(n > 0)
    }

    /// The organisation's pathways that belong to person `person_id` (a link may name one).
    pub async fn feedback_pathways_of_person(
        &self,
        org: OrgId,
        person_id: i64,
    ) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_scalar(
                    "SELECT pathway_id FROM pathways_persons WHERE org_id = $1 AND person_id = $2 ORDER BY pathway_id",
                )
                .bind(org.0)
                .bind(person_id)
                .fetch_all(pool)
                .await?
                }
        ))
    }

    /// The ids of the persons registered with `org` who have a pathway there, in id order (the
    /// demo's patients; no content read).
    pub async fn persons_of_org_ids(&self, org: OrgId) -> Result<Vec<i64>, StoreError> {
        Ok(on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_scalar(
                    "SELECT DISTINCT person_id FROM pathways_persons WHERE org_id = $1 ORDER BY person_id",
                )
                .bind(org.0)
                .fetch_all(pool)
                .await?
                }
        ))
    }

    /// How many answers each person of `org` has (person id → answers), for the clinician's
    /// list; read with the list's access entry.
    pub async fn feedback_counts_logged(
        &self,
        org: OrgId,
        access: &NewAccess,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let rows: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT person_id, COUNT(*) FROM feedback_answers WHERE org_id = $1 GROUP BY person_id",
                )
                .bind(org.0)
                .fetch_all(&mut *tx)
                .await?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(rows)
                }
        )
    }
}
