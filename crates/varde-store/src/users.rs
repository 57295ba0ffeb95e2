//! Users: their organisation, role and health-personnel qualification, and the failed-login
//! count behind the lock-out.

use jiff::Timestamp;
use sqlx::Row;
use varde_core::calendar::day_in_oslo;
use varde_core::org::{Account, OrgId, Qualification, Role, UserChange, UserChanged, UserId};

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{map_unique, on_pool, Db};
use crate::events::{append_event_tx, NewEvent};
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
    /// The kind of the user's organisation (`laboratory`, `national_authority`, …).
    pub org_kind: String,
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

/// The event-log stream of an organisation's user changes.
pub fn users_stream(org: OrgId) -> String {
    format!("users:{}", org.0)
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

    /// Changes a user's role, qualification or whether the account is enabled, as one
    /// transaction: the update, an event in the stream `users:{org}` (kind
    /// [`UserChange::kind`], body [`UserChanged`]: the user, what changed from what to what,
    /// and the reason) attributed to `actor` (none: the command line), and the access-log entry
    /// `access` with the change as its purpose and the user as its record — so the
    /// organisation's auditor sees who changed what, and why. The user's sessions end (the
    /// change takes effect at the next login). `NotFound` for an unknown user. No rule about
    /// the organisation's administrators is applied: see [`Store::change_user_checked`].
    pub async fn change_user(
        &self,
        id: UserId,
        change: UserChange,
        reason: &str,
        actor: Option<UserId>,
        access: &NewAccess,
        now: Timestamp,
    ) -> Result<UserChanged, StoreError> {
        self.change_user_checked(id, change, reason, actor, access, now, |_, _| {
            Ok::<(), StoreError>(())
        })
        .await
    }

    /// As [`Store::change_user`], after `check` has allowed the change (its `Err` is returned
    /// and nothing is written): `check` is given the account as it is in the transaction, and
    /// the number of enabled org-admins of its organisation then
    /// (`varde_core::org::check_change` is the rule the callers give). The organisation's row
    /// is locked first, so changes of one organisation's users take turns: two administrators
    /// who demote each other at the same time cannot both see the other still there.
    #[allow(clippy::too_many_arguments)]
    pub async fn change_user_checked<E: From<StoreError>>(
        &self,
        id: UserId,
        change: UserChange,
        reason: &str,
        actor: Option<UserId>,
        access: &NewAccess,
        now: Timestamp,
        check: impl FnOnce(Account, usize) -> Result<(), E> + Send,
    ) -> Result<UserChanged, E> {
        let (field, to) = change.what();
        let update = match change {
            UserChange::Role(_) => "UPDATE users SET role = $1 WHERE id = $2",
            UserChange::Qualification(_) => "UPDATE users SET qualification = $1 WHERE id = $2",
            UserChange::Disable | UserChange::Enable => {
                "UPDATE users SET disabled = ($1 = 'true') WHERE id = $2"
            }
        };
        // The outer error is the store's, the inner one the check's refusal.
        let written: Result<Result<UserChanged, E>, StoreError> = on_pool!(
            self,
            write
                | pool
                | {
                    async {
                    let mut tx = pool.begin().await?;
                    let org: i64 = sqlx::query_scalar("SELECT org_id FROM users WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    // The organisation's lock (a row lock on PostgreSQL, the write lock on
                    // SQLite): what is read below stays as read until the commit.
                    sqlx::query("UPDATE orgs SET created_at = created_at WHERE id = $1")
                        .bind(org)
                        .execute(&mut *tx)
                        .await?;
                    let row = sqlx::query(&format!("{USER_COLS} WHERE id = $1"))
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    let current = user_from_row(&row)?;
                    let admins: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM users WHERE org_id = $1 AND role = $2 AND NOT disabled",
                    )
                    .bind(org)
                    .bind(Role::OrgAdmin.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                    let account = Account {
                        id: current.id,
                        role: current.role().unwrap_or(Role::Advisor),
                        disabled: current.disabled,
                    };
                    if let Err(refused) = check(account, usize::try_from(admins).unwrap_or(0)) {
                        // Nothing written: the transaction rolls back as it is dropped.
                        return Ok(Err(refused));
                    }
                    let from = match change {
                        UserChange::Role(_) => current.role.clone(),
                        UserChange::Qualification(_) => current.qualification.clone(),
                        UserChange::Disable | UserChange::Enable => current.disabled.to_string(),
                    };
                    sqlx::query(update)
                        .bind(&to)
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    if change != UserChange::Enable {
                        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                    let changed = UserChanged {
                        user: id.0,
                        username: current.username.clone(),
                        field: field.to_owned(),
                        from,
                        to: to.clone(),
                        reason: reason.to_owned(),
                    };
                    let body = serde_json::to_string(&changed)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let ev = NewEvent {
                        stream: users_stream(current.org_id),
                        kind: change.kind().to_owned(),
                        body,
                        actor_id: actor.map(|a| a.0),
                        org_id: Some(current.org_id.0),
                        recorded_at: now,
                        effective_date: day_in_oslo(now).to_string(),
                        expected_seq: None,
                    };
                    append_event_tx!(tx, &ev);
                    let mut access = access.clone();
                    access.record = format!("user:{}", id.0);
                    access.owner_org_id = current.org_id.0;
                    access.purpose = changed.summary().chars().take(500).collect();
                    append_access_tx!(tx, &access);
                    tx.commit().await?;
                    Ok(Ok(changed))
                }
                .await
                }
        );
        written.map_err(E::from)?
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
    "SELECT id, org_id, username, role, password_hash, disabled, failed_logins, locked_until, qualification, \
     (SELECT kind FROM orgs WHERE orgs.id = users.org_id) FROM users";

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
        org_kind: r.try_get::<Option<String>, _>(9)?.unwrap_or_default(),
    })
}
