use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use jiff::Timestamp;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;
use varde_core::audit::{AccessEntry, ChainBroken, ChainVerifier, Outcome};
use varde_core::org::{OrgId, OrgKind, Qualification, Role, UserId};
use varde_core::person::{PersonEvent, PersonRecord};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The name of the SQLite file in the data directory.
pub const SQLITE_FILE: &str = "varde.db";

/// Storage errors. `Conflict` and `NotFound` are the ones callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme '{0}': use sqlite://PATH or postgres://…")]
    UnknownScheme(String),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

pub(crate) fn map_unique(e: sqlx::Error, what: &'static str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(what);
        }
    }
    StoreError::Db(e)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
pub(crate) enum Db {
    /// Writes go through a one-connection pool, so SQLite never has to upgrade a read lock
    /// under contention; reads use the WAL concurrently.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// Runs `$body` once per engine with `$pool` bound to that engine's pool. The body is the
/// same source text, compiled against each driver.
macro_rules! on_pool {
    ($store:expr, read |$pool:ident| $body:expr) => {
        match &$store.db {
            Db::Sqlite { read: $pool, .. } => $body,
            Db::Postgres($pool) => $body,
        }
    };
    ($store:expr, write |$pool:ident| $body:expr) => {
        match &$store.db {
            Db::Sqlite { write: $pool, .. } => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

/// Appends one access-log entry inside an open transaction `$tx`, taking the next id and the
/// previous hash from `access_head` (whose row lock serialises writers on both engines).
macro_rules! append_access_tx {
    ($tx:expr, $e:expr) => {{
        let head = sqlx::query(
            "UPDATE access_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash",
        )
        .fetch_one(&mut *$tx)
        .await?;
        let new: &NewAccess = $e;
        let entry = AccessEntry {
            id: head.try_get::<i64, _>(0)?,
            at: new.at.to_string(),
            actor: new.actor.clone(),
            actor_id: new.actor_id,
            org_id: new.org_id,
            owner_org_id: new.owner_org_id,
            action: new.action.clone(),
            subject: new.subject.clone(),
            record: new.record.clone(),
            purpose: new.purpose.clone(),
            outcome: new.outcome.as_str().to_owned(),
            flagged: new.flagged,
            prev_hash: head.try_get::<String, _>(1)?,
        };
        let hash = entry.hash();
        sqlx::query(
            "INSERT INTO access_log (id, at, actor, actor_id, org_id, action, subject, record, purpose, outcome, flagged, prev_hash, hash, owner_org_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(entry.id)
        .bind(&entry.at)
        .bind(&entry.actor)
        .bind(entry.actor_id)
        .bind(entry.org_id)
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(&entry.record)
        .bind(&entry.purpose)
        .bind(entry.outcome.as_str())
        .bind(entry.flagged)
        .bind(&entry.prev_hash)
        .bind(&hash)
        .bind(entry.owner_org_id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE access_head SET last_hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *$tx)
            .await?;
        entry.id
    }};
}

/// Appends one event to `stream` inside `$tx`, after the stream's last event. Returns the
/// event's sequence number in its stream.
macro_rules! append_event_tx {
    ($tx:expr, $ev:expr) => {{
        let ev: &NewEvent = $ev;
        let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE stream = $1")
            .bind(&ev.stream)
            .fetch_one(&mut *$tx)
            .await?;
        if let Some(expected) = ev.expected_seq {
            if expected != seq - 1 {
                return Err(StoreError::Conflict("the stream has changed since it was read"));
            }
        }
        sqlx::query(
            "INSERT INTO events (stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&ev.stream)
        .bind(seq)
        .bind(&ev.kind)
        .bind(&ev.body)
        .bind(ev.actor_id)
        .bind(ev.org_id)
        .bind(ev.recorded_at.to_string())
        .bind(&ev.effective_date)
        .execute(&mut *$tx)
        .await
        .map_err(|e| map_unique(e, "the stream has changed since it was read"))?;
        seq
    }};
}

// For the other storage modules of this crate (e.g. `pathways`).
pub(crate) use {append_access_tx, append_event_tx, on_pool};

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub stream: String,
    pub kind: String,
    /// JSON.
    pub body: String,
    pub actor_id: Option<i64>,
    pub org_id: Option<i64>,
    pub recorded_at: Timestamp,
    /// The date the event takes effect in the domain (`YYYY-MM-DD`).
    pub effective_date: String,
    /// Optimistic concurrency: the stream's last sequence number as the writer saw it.
    pub expected_seq: Option<i64>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub stream: String,
    pub seq: i64,
    pub kind: String,
    pub body: String,
    pub actor_id: Option<i64>,
    pub org_id: Option<i64>,
    pub recorded_at: String,
    pub effective_date: String,
}

/// An access-log entry to append (id and hashes are assigned by the store).
#[derive(Debug, Clone)]
pub struct NewAccess {
    pub at: Timestamp,
    pub actor: String,
    pub actor_id: i64,
    pub org_id: i64,
    /// The organisation holding the record (its auditor sees the entry).
    pub owner_org_id: i64,
    pub action: String,
    pub subject: String,
    pub record: String,
    pub purpose: String,
    pub outcome: Outcome,
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Org {
    pub id: OrgId,
    pub kind: String,
    pub name: String,
    pub slug: String,
    pub kommunenummer: Option<String>,
    pub orgnr: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewOrg {
    pub kind: OrgKind,
    pub name: String,
    pub slug: String,
    pub kommunenummer: Option<String>,
    pub orgnr: Option<String>,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub username: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    /// The health-personnel qualification (`specialist`, `physician`, `gp`, `other`).
    pub qualification: String,
}

impl User {
    pub fn role(&self) -> Option<Role> {
        self.role.parse().ok()
    }

    /// The recorded qualification (`Other` if the stored text is unknown).
    pub fn qualification(&self) -> Qualification {
        self.qualification.parse().unwrap_or(Qualification::Other)
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: String,
}

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

/// Filter for reading the access log.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub org_id: Option<i64>,
    pub subject: Option<String>,
    pub flagged_only: bool,
    pub limit: i64,
}

/// The store: one of the two engines behind the same methods.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a URL: it may carry a password.
        write!(f, "Store({})", self.engine().as_str())
    }
}

/// Parses a database URL into an engine, refusing unknown schemes.
pub fn engine_of(url: &str) -> Result<Engine, StoreError> {
    let scheme = url.split_once(':').map_or(url, |(s, _)| s);
    match scheme {
        "sqlite" => Ok(Engine::Sqlite),
        "postgres" | "postgresql" => Ok(Engine::Postgres),
        other => Err(StoreError::UnknownScheme(other.chars().take(20).collect())),
    }
}

/// The default database URL: the SQLite file in the data directory.
pub fn default_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join(SQLITE_FILE).display())
}

fn sqlite_path(url: &str) -> PathBuf {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

impl Store {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`). An SQLite file is created if
    /// missing; an unknown scheme is an error.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        match engine_of(url)? {
            Engine::Sqlite => {
                let path = sqlite_path(url);
                let opts = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // Durable on acknowledge: fsync the WAL at every commit.
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true);
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(opts.clone())
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts.read_only(false))
                    .await?;
                Ok(Store {
                    db: Db::Sqlite { read, write },
                })
            }
            Engine::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Ok(Store {
                    db: Db::Postgres(pool),
                })
            }
        }
    }

    pub fn engine(&self) -> Engine {
        match self.db {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the engine's migrations.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Applies the engine's migrations up to and including `version` only (for tests of a
    /// migration over data written by the schema before it).
    #[doc(hidden)]
    pub async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        let upto = |m: &sqlx::migrate::Migrator| sqlx::migrate::Migrator {
            migrations: m
                .migrations
                .iter()
                .filter(|x| x.version <= version)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        match &self.db {
            Db::Sqlite { write, .. } => upto(&SQLITE_MIGRATIONS).run(write).await?,
            Db::Postgres(pool) => upto(&POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }

    // ---------------------------------------------------------------- organisations

    /// Creates an organisation, or returns the existing one with the same slug.
    pub async fn ensure_org(&self, org: &NewOrg, now: Timestamp) -> Result<OrgId, StoreError> {
        on_pool!(
            self,
            write | pool | {
                sqlx::query(ORG_INSERT)
                    .bind(org.kind.as_str())
                    .bind(&org.name)
                    .bind(&org.slug)
                    .bind(&org.kommunenummer)
                    .bind(&org.orgnr)
                    .bind(org.parent_id)
                    .bind(now.to_string())
                    .execute(pool)
                    .await
                    .map_err(|e| map_unique(e, "an organisation with this number exists"))?;
                let id: i64 = sqlx::query_scalar("SELECT id FROM orgs WHERE slug = $1")
                    .bind(&org.slug)
                    .fetch_one(pool)
                    .await?;
                Ok(OrgId(id))
            }
        )
    }

    /// Creates many organisations in one transaction, skipping slugs that exist.
    pub async fn ensure_orgs(&self, orgs: &[NewOrg], now: Timestamp) -> Result<(), StoreError> {
        let at = now.to_string();
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                for org in orgs {
                    sqlx::query(ORG_INSERT)
                        .bind(org.kind.as_str())
                        .bind(&org.name)
                        .bind(&org.slug)
                        .bind(&org.kommunenummer)
                        .bind(&org.orgnr)
                        .bind(org.parent_id)
                        .bind(&at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// Finds an organisation by municipality number, organisation number or slug.
    pub async fn org_by_key(&self, key: &str) -> Result<Option<Org>, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let row = sqlx::query(&format!(
                    "{ORG_COLS} WHERE kommunenummer = $1 OR orgnr = $1 OR slug = $1 ORDER BY id LIMIT 1"
                ))
                .bind(key)
                .fetch_optional(pool)
                .await?;
                    row.map(|r| org_from_row(&r)).transpose()
                }
        )
    }

    pub async fn org(&self, id: OrgId) -> Result<Org, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row = sqlx::query(&format!("{ORG_COLS} WHERE id = $1"))
                    .bind(id.0)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                org_from_row(&row)
            }
        )
    }

    pub async fn list_orgs(&self) -> Result<Vec<Org>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!(
                    "{ORG_COLS} ORDER BY kind, COALESCE(kommunenummer, ''), name"
                ))
                .fetch_all(pool)
                .await?;
                rows.iter().map(org_from_row).collect()
            }
        )
    }

    // ---------------------------------------------------------------- users

    /// Creates a user with a role and a health-personnel qualification.
    pub async fn create_user(
        &self,
        org: OrgId,
        role: Role,
        qualification: Qualification,
        username: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<UserId, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (org_id, username, role, password_hash, created_at, qualification) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(org.0)
            .bind(username)
            .bind(role.as_str())
            .bind(password_hash)
            .bind(now.to_string())
            .bind(qualification.as_str())
            .fetch_one(pool)
            .await
            .map_err(|e| map_unique(e, "the username is taken"))?;
                    Ok(UserId(id))
                }
        )
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row = sqlx::query(&format!("{USER_COLS} WHERE username = $1"))
                    .bind(username)
                    .fetch_optional(pool)
                    .await?;
                row.map(|r| user_from_row(&r)).transpose()
            }
        )
    }

    pub async fn user(&self, id: UserId) -> Result<User, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row = sqlx::query(&format!("{USER_COLS} WHERE id = $1"))
                    .bind(id.0)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                user_from_row(&row)
            }
        )
    }

    /// Users of one organisation, or of all when `org` is `None`.
    pub async fn list_users(&self, org: Option<OrgId>) -> Result<Vec<User>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = match org {
                    Some(o) => {
                        sqlx::query(&format!("{USER_COLS} WHERE org_id = $1 ORDER BY username"))
                            .bind(o.0)
                            .fetch_all(pool)
                            .await?
                    }
                    None => {
                        sqlx::query(&format!("{USER_COLS} ORDER BY username"))
                            .fetch_all(pool)
                            .await?
                    }
                };
                rows.iter().map(user_from_row).collect()
            }
        )
    }

    /// Disables or enables a user; disabling also ends the user's sessions.
    pub async fn set_user_disabled(&self, id: UserId, disabled: bool) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let n = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                    .bind(disabled)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                if disabled {
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        )
    }

    pub async fn set_user_role(&self, id: UserId, role: Role) -> Result<(), StoreError> {
        self.set_user_text(
            id,
            "UPDATE users SET role = $1 WHERE id = $2",
            role.as_str(),
        )
        .await
    }

    /// Records a user's health-personnel qualification (takes effect at the next login).
    pub async fn set_user_qualification(
        &self,
        id: UserId,
        qualification: Qualification,
    ) -> Result<(), StoreError> {
        self.set_user_text(
            id,
            "UPDATE users SET qualification = $1 WHERE id = $2",
            qualification.as_str(),
        )
        .await
    }

    /// Runs `update` (`$1` the value, `$2` the user) and ends the user's sessions, so that
    /// the change takes effect at the next login; `NotFound` for an unknown user.
    async fn set_user_text(
        &self,
        id: UserId,
        update: &'static str,
        value: &str,
    ) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let n = sqlx::query(update)
                    .bind(value)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// Records a failed login and sets the lock-out time.
    pub async fn record_login_failure(
        &self,
        id: UserId,
        locked_until: Option<Timestamp>,
    ) -> Result<i64, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let n: i64 = sqlx::query_scalar(
                "UPDATE users SET failed_logins = failed_logins + 1, locked_until = $1 WHERE id = $2 RETURNING failed_logins",
            )
            .bind(locked_until.map(|t| t.to_string()))
            .bind(id.0)
            .fetch_one(pool)
            .await?;
                    Ok(n)
                }
        )
    }

    pub async fn record_login_success(&self, id: UserId) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                sqlx::query(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
                )
                .bind(id.0)
                .execute(pool)
                .await?;
                Ok(())
            }
        )
    }

    // ---------------------------------------------------------------- sessions

    /// Stores a new session by the hash of its token.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(csrf_token)
            .bind(now.to_string())
            .bind(expires_at.to_string())
            .execute(pool)
            .await?;
                    Ok(())
                }
        )
    }

    /// The live session with this token hash, with its (enabled) user.
    pub async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let row = on_pool!(
            self,
            read | pool | {
                sqlx::query(
                    "SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<(i64, String, String), sqlx::Error> {
                    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
                })
                .transpose()?
            }
        );
        let Some((user_id, csrf_token, expires_at)) = row else {
            return Ok(None);
        };
        let expired = Timestamp::from_str(&expires_at).map_or(true, |e| e <= now);
        if expired {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        let user = self.user(UserId(user_id)).await?;
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(Session {
            user,
            csrf_token,
            expires_at,
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(pool)
                    .await?;
                Ok(())
            }
        )
    }

    // ---------------------------------------------------------------- events

    /// Appends events in one transaction (all or none). Returns their sequence numbers.
    pub async fn append(&self, events: &[NewEvent]) -> Result<Vec<i64>, StoreError> {
        self.append_with_access(events, None).await
    }

    /// The events of one stream in order.
    pub async fn read_stream(&self, stream: &str) -> Result<Vec<StoredEvent>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!("{EVENT_COLS} WHERE stream = $1 ORDER BY seq"))
                    .bind(stream)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(event_from_row).collect()
            }
        )
    }

    /// All events after global position `after`, at most `limit`.
    pub async fn read_all(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let rows = sqlx::query(&format!("{EVENT_COLS} WHERE id > $1 ORDER BY id LIMIT $2"))
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(event_from_row).collect()
            }
        )
    }

    /// The ceiling for append benchmarks: plain inserts into a scratch table of the same
    /// shape, in one transaction, with no sequence check.
    pub async fn raw_insert_benchmark(&self, rows: &[NewEvent]) -> Result<(), StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    sqlx::query("CREATE TABLE IF NOT EXISTS bench_raw (stream TEXT, seq BIGINT, kind TEXT, body TEXT, actor_id BIGINT, org_id BIGINT, recorded_at TEXT, effective_date TEXT)")
                .execute(pool)
                .await?;
                    let mut tx = pool.begin().await?;
                    for (i, ev) in rows.iter().enumerate() {
                        sqlx::query(
                    "INSERT INTO bench_raw (stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&ev.stream)
                .bind(i as i64)
                .bind(&ev.kind)
                .bind(&ev.body)
                .bind(ev.actor_id)
                .bind(ev.org_id)
                .bind(ev.recorded_at.to_string())
                .bind(&ev.effective_date)
                .execute(&mut *tx)
                .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }
        )
    }

    // ---------------------------------------------------------------- persons

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
                        effective_date: now.strftime("%Y-%m-%d").to_string(),
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

    /// Reads a person row without logging. Callers use it only to decide authorisation and
    /// must log the access with [`Store::read_person_logged`] or [`Store::log_access`].
    pub async fn person_unlogged(&self, id: i64) -> Result<Option<PersonRow>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let row = sqlx::query(&format!("{PERSON_COLS} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
                row.map(|r| person_from_row(&r)).transpose()
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

    /// Appends a correction event and updates the projection, with the access-log entry, in
    /// one transaction.
    pub async fn correct_person(
        &self,
        id: i64,
        actor_id: i64,
        event: &PersonEvent,
        access: &NewAccess,
        now: Timestamp,
    ) -> Result<PersonRow, StoreError> {
        let body = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let row = sqlx::query(&format!("{PERSON_COLS} WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    let current = person_from_row(&row)?;
                    let stream: String = row.try_get("stream")?;
                    let next = current.record.clone().apply(event);
                    let ev = NewEvent {
                        stream,
                        kind: event.kind().to_owned(),
                        body,
                        actor_id: Some(actor_id),
                        org_id: Some(current.org_id.0),
                        recorded_at: now,
                        effective_date: now.strftime("%Y-%m-%d").to_string(),
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
                    Ok(PersonRow {
                        record: next,
                        updated_at: now.to_string(),
                        ..current
                    })
                }
        )
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

    // ---------------------------------------------------------------- access log

    /// Appends one access-log entry on its own (used for denials and non-person accesses).
    pub async fn log_access(&self, access: &NewAccess) -> Result<i64, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let id = append_access_tx!(tx, access);
                tx.commit().await?;
                Ok(id)
            }
        )
    }

    /// Entries matching the filter, newest first.
    pub async fn access_log(&self, filter: &AccessFilter) -> Result<Vec<AccessEntry>, StoreError> {
        let limit = if filter.limit <= 0 { 500 } else { filter.limit };
        on_pool!(
            self,
            read | pool
                | {
                    let rows = sqlx::query(&format!(
                "{ACCESS_COLS} WHERE ($1 IS NULL OR org_id = $1 OR owner_org_id = $1) AND ($2 IS NULL OR subject = $2) AND ($3 = FALSE OR flagged = TRUE) \
                 ORDER BY id DESC LIMIT $4"
            ))
            .bind(filter.org_id)
            .bind(&filter.subject)
            .bind(filter.flagged_only)
            .bind(limit)
            .fetch_all(pool)
            .await?;
                    rows.iter()
                        .map(|r| access_from_row(r).map(|(e, _)| e))
                        .collect()
                }
        )
    }

    /// Verifies the whole access-log chain, streaming it in pages. Returns the number of
    /// entries, or the first broken one.
    pub async fn verify_access_log(&self) -> Result<Result<u64, ChainBroken>, StoreError> {
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let page: Vec<(AccessEntry, String)> = on_pool!(
                self,
                read | pool | {
                    let rows = sqlx::query(&format!(
                        "{ACCESS_COLS} WHERE id > $1 ORDER BY id LIMIT 5000"
                    ))
                    .bind(after)
                    .fetch_all(pool)
                    .await?;
                    rows.iter()
                        .map(access_from_row)
                        .collect::<Result<Vec<_>, _>>()?
                }
            );
            let Some((last, _)) = page.last() else { break };
            after = last.id;
            for (entry, hash) in &page {
                if let Err(broken) = verifier.check(entry, hash) {
                    return Ok(Err(broken));
                }
            }
        }
        // The head must agree with the last entry, or entries were cut off the end.
        let (last_id, last_hash): (i64, String) = on_pool!(
            self,
            read | pool | {
                let r = sqlx::query("SELECT last_id, last_hash FROM access_head WHERE id = 1")
                    .fetch_one(pool)
                    .await?;
                (r.try_get(0)?, r.try_get(1)?)
            }
        );
        let n = verifier.count();
        if last_id != n as i64 || last_hash != verifier.last_hash() {
            return Ok(Err(ChainBroken {
                id: n as i64 + 1,
                why: "entries after this point were removed (the log head does not match)",
            }));
        }
        Ok(Ok(n))
    }

    /// Test and demonstration helper: rewrites one field of one access-log entry, as an
    /// attacker with database access could. Used by the tamper tests.
    pub async fn tamper_access_entry(&self, id: i64, new_actor: &str) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                sqlx::query("UPDATE access_log SET actor = $1 WHERE id = $2")
                    .bind(new_actor)
                    .bind(id)
                    .execute(pool)
                    .await?;
                Ok(())
            }
        )
    }

    // ---------------------------------------------------------------- backup

    /// A consistent online copy of the SQLite database (`VACUUM INTO`). For PostgreSQL use
    /// `pg_dump` (logical) or `pg_basebackup` (physical); this returns an error naming them.
    pub async fn backup_sqlite(&self, dest: &Path) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite { write, .. } => {
                sqlx::query("VACUUM INTO $1")
                    .bind(dest.display().to_string())
                    .execute(write)
                    .await?;
                Ok(())
            }
            Db::Postgres(_) => Err(StoreError::Conflict(
                "backup of PostgreSQL is done with pg_dump (logical) or pg_basebackup (physical)",
            )),
        }
    }
}

const ORG_INSERT: &str =
    "INSERT INTO orgs (kind, name, slug, kommunenummer, orgnr, parent_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING";
const ORG_COLS: &str = "SELECT id, kind, name, slug, kommunenummer, orgnr, parent_id FROM orgs";
pub(crate) const EVENT_COLS: &str =
    "SELECT id, stream, seq, kind, body, actor_id, org_id, recorded_at, effective_date FROM events";
const ACCESS_COLS: &str = "SELECT id, at, actor, actor_id, org_id, action, subject, record, purpose, outcome, flagged, prev_hash, hash, owner_org_id FROM access_log";
const USER_COLS: &str =
    "SELECT id, org_id, username, role, password_hash, disabled, failed_logins, locked_until, qualification FROM users";
const PERSON_COLS: &str =
    "SELECT id, org_id, stream, pseudonym, national_id, name, birth_date, kommune, corrections, created_at, updated_at FROM persons";

fn org_from_row<R: Row>(r: &R) -> Result<Org, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
{
    Ok(Org {
        id: OrgId(r.try_get(0)?),
        kind: r.try_get(1)?,
        name: r.try_get(2)?,
        slug: r.try_get(3)?,
        kommunenummer: r.try_get(4)?,
        orgnr: r.try_get(5)?,
        parent_id: r.try_get(6)?,
    })
}

fn user_from_row<R: Row>(r: &R) -> Result<User, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
{
    Ok(User {
        id: UserId(r.try_get(0)?),
        org_id: OrgId(r.try_get(1)?),
        username: r.try_get(2)?,
        role: r.try_get(3)?,
        password_hash: r.try_get(4)?,
        disabled: r.try_get(5)?,
        failed_logins: r.try_get(6)?,
        locked_until: r.try_get(7)?,
        qualification: r.try_get(8)?,
    })
}

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

pub(crate) fn event_from_row<R: Row>(r: &R) -> Result<StoredEvent, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
{
    Ok(StoredEvent {
        id: r.try_get(0)?,
        stream: r.try_get(1)?,
        seq: r.try_get(2)?,
        kind: r.try_get(3)?,
        body: r.try_get(4)?,
        actor_id: r.try_get(5)?,
        org_id: r.try_get(6)?,
        recorded_at: r.try_get(7)?,
        effective_date: r.try_get(8)?,
    })
}

fn access_from_row<R: Row>(r: &R) -> Result<(AccessEntry, String), StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok((
        AccessEntry {
            id: r.try_get(0)?,
            at: r.try_get(1)?,
            actor: r.try_get(2)?,
            actor_id: r.try_get(3)?,
            org_id: r.try_get(4)?,
            action: r.try_get(5)?,
            subject: r.try_get(6)?,
            record: r.try_get(7)?,
            purpose: r.try_get(8)?,
            outcome: r.try_get(9)?,
            flagged: r.try_get(10)?,
            prev_hash: r.try_get(11)?,
            owner_org_id: r.try_get(13)?,
        },
        r.try_get(12)?,
    ))
}

impl Store {
    /// Runs one administrative statement (used by test support to create databases).
    #[doc(hidden)]
    pub async fn exec_admin(&self, sql: &str) -> Result<(), StoreError> {
        on_pool!(
            self,
            write | pool | {
                sqlx::query(sql).execute(pool).await?;
                Ok(())
            }
        )
    }
}

impl Store {
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
