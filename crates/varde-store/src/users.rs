//! Users: their organisation, role and health-personnel qualification, and the failed-login
//! count behind the lock-out.

use jiff::Timestamp;
use sqlx::Row;
use varde_core::org::{OrgId, Qualification, Role, UserId};

use crate::db::{map_unique, on_pool, Db};
use crate::{Store, StoreError};

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

impl Store {
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
}

const USER_COLS: &str =
    "SELECT id, org_id, username, role, password_hash, disabled, failed_logins, locked_until, qualification FROM users";

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
