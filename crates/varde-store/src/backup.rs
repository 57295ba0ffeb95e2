//! Backups: a consistent online copy of the SQLite database; PostgreSQL is backed up with its
//! own tools.

use std::path::Path;

use crate::db::Db;
use crate::{Store, StoreError};

impl Store {
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
