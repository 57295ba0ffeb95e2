//! Sessions, stored by the SHA-256 of their token.

use std::str::FromStr;

use jiff::Timestamp;
use sqlx::Row;
use varde_core::org::UserId;

use crate::db::{on_pool, Db};
use crate::{Store, StoreError, User};

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: String,
}

impl Store {
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
}
