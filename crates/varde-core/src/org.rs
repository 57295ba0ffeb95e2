//! Organisations, roles and the acting principal.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::fields::FieldError;

/// Database identity of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub i64);

/// Database identity of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// The kinds of organisation Varde knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Municipality,
    RegionalHealthAuthority,
    HealthTrust,
    TreatmentUnit,
    NationalAuthority,
    Laboratory,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Municipality,
        OrgKind::RegionalHealthAuthority,
        OrgKind::HealthTrust,
        OrgKind::TreatmentUnit,
        OrgKind::NationalAuthority,
        OrgKind::Laboratory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Municipality => "municipality",
            OrgKind::RegionalHealthAuthority => "regional_health_authority",
            OrgKind::HealthTrust => "health_trust",
            OrgKind::TreatmentUnit => "treatment_unit",
            OrgKind::NationalAuthority => "national_authority",
            OrgKind::Laboratory => "laboratory",
        }
    }
}

impl FromStr for OrgKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                UnknownName::new("organisation kind", s, OrgKind::ALL.map(|k| k.as_str()))
            })
    }
}

/// The roles a user can hold. A user has exactly one role in one organisation; a person with
/// two roles has two users, so that every access names the capacity it was made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Advisor,
    Clinician,
    Coordinator,
    Analyst,
    WarningEditor,
    WarningApprover,
    Lab,
    OrgAdmin,
    Auditor,
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Advisor,
        Role::Clinician,
        Role::Coordinator,
        Role::Analyst,
        Role::WarningEditor,
        Role::WarningApprover,
        Role::Lab,
        Role::OrgAdmin,
        Role::Auditor,
        Role::SystemAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Advisor => "advisor",
            Role::Clinician => "clinician",
            Role::Coordinator => "coordinator",
            Role::Analyst => "analyst",
            Role::WarningEditor => "warning-editor",
            Role::WarningApprover => "warning-approver",
            Role::Lab => "lab",
            Role::OrgAdmin => "org-admin",
            Role::Auditor => "auditor",
            Role::SystemAdmin => "system-admin",
        }
    }

    /// Roles whose work is casework with identified people (tjenstlig behov is possible).
    pub fn works_with_personal_data(self) -> bool {
        matches!(self, Role::Advisor | Role::Clinician | Role::Coordinator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownName::new("role", s, Role::ALL.map(|r| r.as_str())))
    }
}

/// A name that is not in a closed list; the message lists the accepted names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{given}'; expected one of: {expected}")]
pub struct UnknownName {
    what: &'static str,
    given: String,
    expected: String,
}

impl UnknownName {
    fn new<const N: usize>(what: &'static str, given: &str, expected: [&str; N]) -> Self {
        UnknownName {
            what,
            given: given.chars().take(40).collect(),
            expected: expected.join(", "),
        }
    }
}

/// A user's health-personnel qualification, as recorded for the user (by an org-admin or the
/// CLI; from the health personnel register, HPR, once that integration exists). Decisions
/// such as LAR admission require a given qualification of the user who registers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualification {
    /// A physician or psychologist specialist.
    Specialist,
    /// A physician who is not a specialist.
    Physician,
    /// A general practitioner (fastlege).
    Gp,
    /// Anyone else.
    Other,
}

impl Qualification {
    pub const ALL: [Qualification; 4] = [
        Qualification::Specialist,
        Qualification::Physician,
        Qualification::Gp,
        Qualification::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Qualification::Specialist => "specialist",
            Qualification::Physician => "physician",
            Qualification::Gp => "gp",
            Qualification::Other => "other",
        }
    }
}

impl fmt::Display for Qualification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Qualification {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Qualification::ALL
            .into_iter()
            .find(|q| q.as_str() == s)
            .ok_or_else(|| {
                UnknownName::new("qualification", s, Qualification::ALL.map(|q| q.as_str()))
            })
    }
}

/// Who is acting: the authenticated user, in the one organisation and role they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: UserId,
    pub username: String,
    pub org: OrgId,
    pub role: Role,
    pub qualification: Qualification,
    /// The kind of the organisation (`None` if the stored kind is unknown).
    pub org_kind: Option<OrgKind>,
}

/// A change to a user's account. Each is recorded as an event (stream `users:{org}`, kind
/// [`UserChange::kind`]) with its author and reason, and in the access log, where the
/// organisation's auditor sees it: who may admit to LAR is decided by the recorded
/// qualification, so who changed it, and why, is part of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserChange {
    Role(Role),
    Qualification(Qualification),
    Disable,
    Enable,
}

impl UserChange {
    /// The event kind (`user.{verb}`).
    pub fn kind(self) -> &'static str {
        match self {
            UserChange::Role(_) => "user.role_changed",
            UserChange::Qualification(_) => "user.qualification_changed",
            UserChange::Disable => "user.disabled",
            UserChange::Enable => "user.enabled",
        }
    }

    /// What the change is of, and its value after.
    pub fn what(self) -> (&'static str, String) {
        match self {
            UserChange::Role(r) => ("role", r.as_str().to_owned()),
            UserChange::Qualification(q) => ("qualification", q.as_str().to_owned()),
            UserChange::Disable => ("disabled", "true".to_owned()),
            UserChange::Enable => ("disabled", "false".to_owned()),
        }
    }
}

/// The body of a user-change event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserChanged {
    pub user: i64,
    pub username: String,
    /// `role`, `qualification` or `disabled`.
    pub field: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

impl UserChanged {
    /// The change as one line (the access log's purpose): `kari: role advisor → auditor (reason)`.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} {} → {} ({})",
            self.username, self.field, self.from, self.to, self.reason
        )
    }
}

/// An account as the rules of a change to it see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub role: Role,
    pub disabled: bool,
}

impl Account {
    /// An enabled organisation administrator.
    pub fn is_active_admin(self) -> bool {
        self.role == Role::OrgAdmin && !self.disabled
    }
}

/// The rules of a change to an account beyond its input, checked in the transaction that
/// makes the change (`varde_store::Store::change_user_checked`, with the organisation's
/// administrators locked): nobody disables their own account or changes their own role (an
/// administrator who could would lock themselves out, or give up the administration by a
/// slip), and an organisation keeps an enabled administrator — its last one is neither
/// disabled nor given another role. `actor` is who asks (`None`: the `varde` command, which
/// has no account), `active_admins` the organisation's enabled org-admins before the change
/// (`target` among them, if it is one). The refusal names the field the change is of:
/// `role`, or `account` for disabling.
pub fn check_change(
    actor: Option<UserId>,
    target: Account,
    change: UserChange,
    active_admins: usize,
) -> Result<(), FieldError> {
    let field = match change {
        UserChange::Role(_) => "role",
        _ => "account",
    };
    let removes = match change {
        UserChange::Disable => !target.disabled,
        UserChange::Role(r) => r != target.role,
        UserChange::Qualification(_) | UserChange::Enable => false,
    };
    if removes && actor == Some(target.id) {
        return Err(FieldError::new(
            field,
            "you cannot disable your own account or change your own role; another administrator can",
        ));
    }
    if removes && target.is_active_admin() && active_admins <= 1 {
        return Err(FieldError::new(
            field,
            "the organisation's last administrator cannot be disabled or given another role; make another user org-admin first",
        ));
    }
    Ok(())
}

/// The input rules of user administration (forms, the API and the CLI share them).
pub mod input {
    use super::{Qualification, Role, UnknownName};
    use crate::fields::FieldError;

    /// A username: 3–64 characters of letters, digits, `.`, `-`, `_`, `@`.
    pub fn username(s: &str) -> Result<String, FieldError> {
        let u = s.trim();
        let ok_chars = u
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
        if u.chars().count() < 3 || u.chars().count() > 64 || !ok_chars {
            return Err(FieldError::new(
                "username",
                "3–64 characters: letters, digits, '.', '-', '_' or '@'",
            ));
        }
        Ok(u.to_owned())
    }

    /// A role an org-admin may give (system-admin is given only by the CLI).
    pub fn assignable_role(s: &str) -> Result<Role, FieldError> {
        match s.parse::<Role>() {
            Ok(Role::SystemAdmin) => Err(FieldError::new(
                "role",
                "system-admin is given only with the varde command",
            )),
            Ok(r) => Ok(r),
            Err(e) => Err(FieldError::new("role", e.to_string())),
        }
    }

    /// The reason for a change of a user's role or qualification: 3–500 characters.
    pub fn reason(s: &str) -> Result<String, FieldError> {
        let r = s.trim();
        if r.chars().count() < 3 {
            return Err(FieldError::new(
                "reason",
                "a change of role or qualification needs a reason (at least 3 characters)",
            ));
        }
        if r.chars().count() > 500 {
            return Err(FieldError::new("reason", "at most 500 characters"));
        }
        Ok(r.to_owned())
    }

    /// A health-personnel qualification.
    pub fn qualification(s: &str) -> Result<Qualification, FieldError> {
        s.trim()
            .parse()
            .map_err(|e: UnknownName| FieldError::new("qualification", e.to_string()))
    }

    #[cfg(test)]
    #[allow(clippy::unwrap_used)]
    mod tests {
        use super::*;

        #[test]
        fn user_administration_input() {
            assert_eq!(username(" kari.n@oslo ").unwrap(), "kari.n@oslo");
            assert!(username("ka").is_err());
            assert!(username("kari nordmann").is_err());
            assert_eq!(assignable_role("advisor").unwrap(), Role::Advisor);
            assert!(assignable_role("system-admin").is_err());
            assert_eq!(assignable_role("king").unwrap_err().field, "role");
            assert_eq!(qualification(" gp ").unwrap(), Qualification::Gp);
            assert_eq!(qualification("surgeon").unwrap_err().field, "qualification");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ME: UserId = UserId(1);
    const OTHER: UserId = UserId(2);

    fn admin(id: UserId) -> Account {
        Account {
            id,
            role: Role::OrgAdmin,
            disabled: false,
        }
    }

    #[test]
    fn nobody_disables_or_demotes_their_own_account() {
        for change in [UserChange::Disable, UserChange::Role(Role::Advisor)] {
            let e = check_change(Some(ME), admin(ME), change, 3).unwrap_err();
            assert!(e.rule.contains("your own account"), "{change:?}");
        }
        assert_eq!(
            check_change(Some(ME), admin(ME), UserChange::Disable, 3)
                .unwrap_err()
                .field,
            "account"
        );
        // What does not take anything away is allowed: the same role, a qualification.
        assert!(check_change(Some(ME), admin(ME), UserChange::Role(Role::OrgAdmin), 1).is_ok());
        let q = UserChange::Qualification(Qualification::Specialist);
        assert!(check_change(Some(ME), admin(ME), q, 1).is_ok());
    }

    #[test]
    fn the_last_administrator_stays() {
        for actor in [Some(ME), None] {
            for change in [UserChange::Disable, UserChange::Role(Role::Auditor)] {
                let e = check_change(actor, admin(OTHER), change, 1).unwrap_err();
                assert!(e.rule.contains("last administrator"), "{change:?}");
                assert!(check_change(actor, admin(OTHER), change, 2).is_ok());
            }
        }
        // Another role, or a disabled administrator, is not the last administrator.
        let advisor = Account {
            id: OTHER,
            role: Role::Advisor,
            disabled: false,
        };
        assert!(check_change(Some(ME), advisor, UserChange::Disable, 1).is_ok());
        let disabled = Account {
            disabled: true,
            ..admin(OTHER)
        };
        assert!(check_change(Some(ME), disabled, UserChange::Role(Role::Advisor), 1).is_ok());
        assert!(check_change(Some(ME), disabled, UserChange::Enable, 1).is_ok());
    }
}
