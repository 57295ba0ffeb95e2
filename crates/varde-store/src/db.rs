//! The store and its two engines: connecting, migrating, the error type, and `on_pool!`,
//! which compiles one method body for both drivers.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub(crate) static SQLITE_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("./migrations/postgres");

/// The name of the SQLite file in the data directory.
pub const SQLITE_FILE: &str = "varde.db";

/// Storage errors. `Conflict`, `Changed` and `NotFound` are the ones callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme '{0}': use sqlite://PATH or postgres://…")]
    UnknownScheme(String),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The data changed since it was read; check again. A write's optimistic check failed:
    /// the stream's last sequence number (`NewEvent::expected_seq`) or the organisation's
    /// pathway head (the `*_expecting` writes) moved on, and nothing was written.
    #[error("{0}")]
    Changed(&'static str),
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

/// As [`map_unique`], for a key that a concurrent writer took after the data was read:
/// `Changed`.
pub(crate) fn map_unique_changed(e: sqlx::Error, what: &'static str) -> StoreError {
    match map_unique(e, what) {
        StoreError::Conflict(what) => StoreError::Changed(what),
        other => other,
    }
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

// For the storage modules of this crate.
pub(crate) use on_pool;

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

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// `VALUES` rows for a multi-row insert: each row is `prefix` (the shared parameters, written
/// as they are) followed by `per_row` fresh placeholders numbered from `first`, so that
/// placeholders first appear in increasing order.
pub(crate) fn values(prefix: &str, first: usize, per_row: usize, rows: usize) -> String {
    let mut s = String::with_capacity(rows * (prefix.len() + per_row * 7 + 4));
    let mut n = first;
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        s.push_str(prefix);
        for c in 0..per_row {
            if c > 0 || !prefix.is_empty() {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&n.to_string());
            n += 1;
        }
        s.push(')');
    }
    s
}

/// The rows of a multi-row insert, from its one parameter `$1`, `{"0": row, "1": row, …}`, as `(i, v)`:
/// each row is read from the document once and materialised as `jsonb`, which both engines
/// index into cheaply (`v ->> 3`), rather than once per column. The same text on both engines:
/// `json_each` of an object (PostgreSQL's on the `json` parameter of [`JsonParam`]), `jsonb(…)`
/// (SQLite's function, PostgreSQL's function-style cast), `->>` with an integer and
/// `AS MATERIALIZED` are common to both.
pub(crate) const JSON_ROWS: &str =
    "WITH r AS MATERIALIZED (SELECT CAST(key AS BIGINT) AS i, jsonb(value) AS v FROM json_each($1))";

/// A JSON document as a statement parameter: typed `json` on PostgreSQL (so that
/// `json_each($n)` resolves without a cast), text on SQLite.
pub(crate) struct JsonParam(pub(crate) String);

impl sqlx::Type<sqlx::Postgres> for JsonParam {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        sqlx::postgres::PgTypeInfo::with_oid(sqlx::postgres::types::Oid(JSON_OID))
    }
}

/// The OID of PostgreSQL's built-in `json` type (fixed in `pg_type.dat`).
const JSON_OID: u32 = 114;

impl sqlx::Encode<'_, sqlx::Postgres> for JsonParam {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        // The binary form of `json` is its text.
        buf.extend_from_slice(self.0.as_bytes());
        Ok(sqlx::encode::IsNull::No)
    }
}

impl sqlx::Type<sqlx::Sqlite> for JsonParam {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <String as sqlx::Type<sqlx::Sqlite>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Sqlite> for JsonParam {
    fn encode(
        self,
        args: &mut Vec<sqlx::sqlite::SqliteArgumentValue<'q>>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        args.push(sqlx::sqlite::SqliteArgumentValue::Text(Cow::Owned(self.0)));
        Ok(sqlx::encode::IsNull::No)
    }

    fn encode_by_ref(
        &self,
        args: &mut Vec<sqlx::sqlite::SqliteArgumentValue<'q>>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        args.push(sqlx::sqlite::SqliteArgumentValue::Text(Cow::Owned(
            self.0.clone(),
        )));
        Ok(sqlx::encode::IsNull::No)
    }
}

/// A slice as a JSON object keyed by position (`{"0": …, "1": …}`), the one parameter of
/// a chunk's insert.
pub(crate) struct Indexed<'a, T>(pub(crate) &'a [T]);

impl<T: serde::Serialize> serde::Serialize for Indexed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().enumerate())
    }
}

/// A value as the JSON text a column stores (a failure is a corrupt value, never a panic).
pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}
