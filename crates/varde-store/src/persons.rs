//! People: the `persons` projection of the person streams, written with its events and its
//! access-log entry in one transaction.

use jiff::Timestamp;
use sqlx::Row;
use varde_core::calendar::day_in_oslo;
use varde_core::org::OrgId;
use varde_core::persons::{PersonEvent, PersonRecord};

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{map_unique, on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
use crate::{Store, StoreError};

/// A person row of the projection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonRow {
    pub id: i64,
    pub org_id: OrgId,
    pub pseudonym: String,
    pub record: PersonRecord,
    pub created_at: String,
    pub updated_at: String,
}

/// Which person record, held by which organisation, without its content: what an
/// authorisation decision needs (the identity number and the name are not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRef {
    pub id: i64,
    pub org_id: OrgId,
    pub pseudonym: String,
}

impl Store {
    /// Registers a person: the event, the projection row and the access-log entry commit
    /// together. Fails with `Conflict` if the organisation already has this person.
    pub async fn register_person(
        &self,
        org: OrgId,
        actor_id: i64,
        pseudonym: &str,
        event: &PersonEvent,
        access: &NewAccess,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let record = PersonRecord::default().apply(event);
        let body = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let at = now.to_string();
        let stream = format!("person-{org}-{pseudonym}", org = org.0);
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let id: i64 = sqlx::query_scalar(
                "INSERT INTO persons (org_id, stream, pseudonym, national_id, name, birth_date, kommune, corrections, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9) RETURNING id",
            )
            .bind(org.0)
            .bind(&stream)
            .bind(pseudonym)
            .bind(&record.national_id)
            .bind(&record.name)
            .bind(&record.birth_date)
            .bind(&record.kommune)
            .bind(&at)
            .bind(&at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| map_unique(e, "this person is already registered with the organisation"))?;
                    let ev = NewEvent {
                        stream,
                        kind: event.kind().to_owned(),
                        body,
                        actor_id: Some(actor_id),
                        org_id: Some(org.0),
                        recorded_at: now,
                        effective_date: day_in_oslo(now).to_string(),
                        expected_seq: Some(0),
                    };
                    append_event_tx!(tx, &ev);
                    let mut access = access.clone();
                    access.record = format!("person:{id}");
                    append_access_tx!(tx, &access);
                    tx.commit().await?;
                    Ok(id)
                }
        )
    }

    /// The reference of a person record, read without logging and without the record's
    /// content (no identity number, no name). Callers use it only to decide authorisation and
    /// must log the access with [`Store::read_person_logged`] or [`Store::log_access`].
    pub async fn person_ref(&self, id: i64) -> Result<Option<PersonRef>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row: Option<(i64, i64, String)> =
                    sqlx::query_as("SELECT id, org_id, pseudonym FROM persons WHERE id = $1")
                        .bind(id)
                        .fetch_optional(pool)
                        .await?;
                Ok(row.map(|(id, org_id, pseudonym)| PersonRef {
                    id,
                    org_id: OrgId(org_id),
                    pseudonym,
                }))
            }
        )
    }

    /// Reads a person and logs the read in one transaction: no data leaves the store without
    /// its log entry.
    pub async fn read_person_logged(
        &self,
        id: i64,
        access: &NewAccess,
    ) -> Result<PersonRow, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let row = sqlx::query(&format!("{PERSON_COLS} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let person = person_from_row(&row)?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(person)
            }
        )
    }

    /// Corrects a person: reads the current record in the transaction, asks `event_for` for the
    /// correction event to apply to it, appends that event and updates the projection, with the
    /// access-log entry, in one transaction. The event is thus computed from the record as it
    /// is when written, never from an earlier read. If `event_for` refuses (its `Err`), that
    /// error is returned and nothing is written.
    pub async fn correct_person<E: From<StoreError>>(
        &self,
        id: i64,
        actor_id: i64,
        access: &NewAccess,
        now: Timestamp,
        event_for: impl FnOnce(&PersonRecord) -> Result<PersonEvent, E> + Send,
    ) -> Result<PersonRow, E> {
        // The outer error is the store's, the inner one the caller's refusal.
        let written: Result<Result<PersonRow, E>, StoreError> = on_pool!(
            self,
            write
                | pool
                | {
                    async {
                        let mut tx = pool.begin().await?;
                        let row = sqlx::query(&format!("{PERSON_COLS} WHERE id = $1"))
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?
                            .ok_or(StoreError::NotFound)?;
                        let current = person_from_row(&row)?;
                        let stream: String = row.try_get("stream")?;
                        let event = match event_for(&current.record) {
                            Ok(event) => event,
                            // Nothing written: the transaction rolls back as it is dropped.
                            Err(refused) => return Ok(Err(refused)),
                        };
                        let body = serde_json::to_string(&event)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                        let next = current.record.clone().apply(&event);
                        let ev = NewEvent {
                            stream,
                            kind: event.kind().to_owned(),
                            body,
                            actor_id: Some(actor_id),
                            org_id: Some(current.org_id.0),
                            recorded_at: now,
                            effective_date: day_in_oslo(now).to_string(),
                            expected_seq: None,
                        };
                        append_event_tx!(tx, &ev);
                        sqlx::query(
                "UPDATE persons SET name = $1, birth_date = $2, kommune = $3, corrections = $4, updated_at = $5 WHERE id = $6",
            )
            .bind(&next.name)
            .bind(&next.birth_date)
            .bind(&next.kommune)
            .bind(i64::from(next.corrections))
            .bind(now.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
                        append_access_tx!(tx, access);
                        tx.commit().await?;
                        Ok(Ok(PersonRow {
                            record: next,
                            updated_at: now.to_string(),
                            ..current
                        }))
                    }
                    .await
                }
        );
        written?
    }

    /// The people registered with an organisation, logged as one list access.
    pub async fn list_persons_logged(
        &self,
        org: OrgId,
        access: &NewAccess,
    ) -> Result<Vec<PersonRow>, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let rows = sqlx::query(&format!(
                    "{PERSON_COLS} WHERE org_id = $1 ORDER BY name, id"
                ))
                .bind(org.0)
                .fetch_all(&mut *tx)
                .await?;
                let persons = rows
                    .iter()
                    .map(person_from_row)
                    .collect::<Result<Vec<_>, _>>()?;
                append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(persons)
            }
        )
    }

    /// Rebuilds a person's record from its events (the projection must agree).
    pub async fn replay_person(&self, id: i64) -> Result<PersonRecord, StoreError> {
        let stream: String = on_pool!(
            self,
            read | pool | {
                sqlx::query_scalar("SELECT stream FROM persons WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StoreError::NotFound)?
            }
        );
        let mut record = PersonRecord::default();
        for ev in self.read_stream(&stream).await? {
            let e: PersonEvent =
                serde_json::from_str(&ev.body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            record = record.apply(&e);
        }
        Ok(record)
    }

    /// The person records (id, owning organisation) with this pseudonym, in any organisation.
    /// Used for break-glass lookup and the per-person access report; returns no personal data.
    pub async fn person_ids_by_pseudonym(
        &self,
        pseudonym: &str,
    ) -> Result<Vec<(i64, OrgId)>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows =
                    sqlx::query("SELECT id, org_id FROM persons WHERE pseudonym = $1 ORDER BY id")
                        .bind(pseudonym)
                        .fetch_all(pool)
                        .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get::<i64, _>(0)?, OrgId(r.try_get::<i64, _>(1)?))))
                    .collect()
            }
        )
    }
}

const PERSON_COLS: &str =
    "SELECT id, org_id, stream, pseudonym, national_id, name, birth_date, kommune, corrections, created_at, updated_at FROM persons";

fn person_from_row<R: Row>(r: &R) -> Result<PersonRow, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
{
    let corrections: i64 = r.try_get(8)?;
    Ok(PersonRow {
        id: r.try_get(0)?,
        org_id: OrgId(r.try_get(1)?),
        pseudonym: r.try_get(3)?,
        record: PersonRecord {
            national_id: r.try_get(4)?,
            name: r.try_get(5)?,
            birth_date: r.try_get(6)?,
            kommune: r.try_get(7)?,
            corrections: u32::try_from(corrections).unwrap_or(u32::MAX),
        },
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
    })
}
