//! User administration (an organisation's org-admin; a system-admin for any): add users, give
//! roles and health-personnel qualifications, disable and enable accounts; and the list of
//! organisations. Pages (`/admin/users`) in `pages.rs`, the JSON API (`/api/v1/users`,
//! `/api/v1/orgs`) in `api.rs`; both call the operations here. The input rules are
//! `varde_core::org::input`.

mod api;
mod pages;

use axum::Router;
use varde_core::authz::Action;
use varde_core::org::input::{self, assignable_role, qualification, username};
use varde_core::org::{check_change, Qualification, UserChange, UserChanged, UserId};
use varde_store::User;

pub use api::ApiDoc;

use crate::auth;
use crate::authz::{decide_for, ManageUsers, OrgAccess, Target};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    pages::routes()
}

pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// A user to add, as a form or a JSON body gives it.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub role: &'a str,
    /// Empty: `other`.
    pub qualification: &'a str,
}

/// The username a user added by an organisation's administrator gets: the name given, with
/// the organisation's slug after an `@` (`kari` in Oslo, whose slug is `kommune-0301`, is `kari@kommune-0301`). Usernames are unique
/// across Varde (a login names no organisation), so scoping them is what keeps one
/// organisation's administrator from learning, by a refused name, which names another
/// organisation's users have: a name can only be taken within the own organisation, whose
/// users the administrator sees anyway. A name given with an `@` must end in the own slug.
pub fn scoped_username(given: &str, org_slug: &str) -> Result<String, WebError> {
    let given = given.trim();
    let local = match given.rsplit_once('@') {
        Some((local, slug)) if slug == org_slug => local,
        Some(_) => {
            return Err(WebError::invalid(
                "username",
                format!("the usernames of your organisation end in @{org_slug}"),
            ))
        }
        None => given,
    };
    Ok(format!("{}@{org_slug}", username(local)?))
}

/// Adds a user to the administrator's organisation; returns the user's id and username (see
/// [`scoped_username`]).
pub async fn add(
    state: &AppState,
    access: &OrgAccess<ManageUsers>,
    new: NewUser<'_>,
) -> Result<(UserId, String), WebError> {
    let org = state.store.org(access.org()).await?;
    let name = scoped_username(new.username, &org.slug)?;
    let role = assignable_role(new.role)?;
    let q = if new.qualification.trim().is_empty() {
        Qualification::Other
    } else {
        qualification(new.qualification)?
    };
    varde_core::passwords::check(new.password, &name)?;
    let hash = auth::hash_password(new.password.to_owned()).await?;
    let id = state
        .store
        .create_user(access.org(), role, q, &name, &hash, state.clock.now())
        .await?;
    Ok((id, name))
}

/// A change to one user, as a form or a JSON body gives it.
pub enum Change<'a> {
    Disable,
    Enable,
    Role(&'a str),
    Qualification(&'a str),
}

/// Changes user `id`, if the administrator may manage that user's organisation (decided by
/// the one decision function; a user of another organisation is "not found", so that its
/// existence is not revealed). A change of role or qualification needs a reason; enabling and
/// disabling may give one. Nobody disables or changes the role of their own account, and the
/// organisation's last enabled administrator stays one (`varde_core::org::check_change`, in
/// the change's transaction). The change is an event with its author and reason, and an
/// access-log entry the auditor sees (`Store::change_user_checked`).
pub async fn change(
    state: &AppState,
    access: &OrgAccess<ManageUsers>,
    id: UserId,
    change: Change<'_>,
    reason: &str,
) -> Result<UserChanged, WebError> {
    let target: User = state.store.user(id).await?;
    let on = Target {
        owner: target.org_id,
        subject: "",
        record: format!("user:{}", id.0),
    };
    let (_, entry) = decide_for(state, &access.principal, Action::UserManage, on, None)
        .await
        .map_err(|_| WebError::not_found())?;
    let (change, reason) = match change {
        Change::Disable => (UserChange::Disable, optional_reason(reason, "disabled")?),
        Change::Enable => (UserChange::Enable, optional_reason(reason, "enabled")?),
        Change::Role(r) => (
            UserChange::Role(assignable_role(r)?),
            input::reason(reason)?,
        ),
        Change::Qualification(q) => (
            UserChange::Qualification(qualification(q)?),
            input::reason(reason)?,
        ),
    };
    // Nobody disables or demotes their own account, nor the organisation's last
    // administrator: checked in the change's transaction (`org::check_change`).
    let actor = access.principal.user;
    state
        .store
        .change_user_checked(
            target.id,
            change,
            &reason,
            Some(actor),
            &entry,
            state.clock.now(),
            |account, admins| {
                check_change(Some(actor), account, change, admins).map_err(WebError::from)
            },
        )
        .await
}

/// The reason given (by the rules of [`input::reason`]), or what was done when none is given
/// (enabling or disabling needs no reason).
fn optional_reason(given: &str, done: &str) -> Result<String, WebError> {
    if given.trim().is_empty() {
        Ok(done.to_owned())
    } else {
        Ok(input::reason(given)?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{optional_reason, scoped_username};

    #[test]
    fn usernames_are_scoped_to_the_organisation() {
        assert_eq!(scoped_username("kari", "oslo").unwrap(), "kari@oslo");
        assert_eq!(scoped_username(" kari@oslo ", "oslo").unwrap(), "kari@oslo");
        let e = scoped_username("kari@bergen", "oslo").unwrap_err();
        assert_eq!(e.errors[0].field, "username");
        assert!(scoped_username("k", "oslo").is_err());
        assert!(scoped_username("kari nordmann", "oslo").is_err());
    }

    #[test]
    fn a_reason_for_enabling_is_optional_but_never_cut_short() {
        assert_eq!(optional_reason("  ", "disabled").unwrap(), "disabled");
        assert_eq!(optional_reason(" left ", "disabled").unwrap(), "left");
        let e = optional_reason(&"x".repeat(501), "disabled").unwrap_err();
        assert_eq!(e.errors[0].field, "reason");
        assert!(e.errors[0].rule.contains("500"));
    }
}
