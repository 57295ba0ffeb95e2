//! User administration. Keys `users.*`.

/// (key, bokmål, English)
pub(super) const TEXTS: &[(&str, &str, &str)] = &[
    ("users.role", "Rolle", "Role"),
    ("users.add_user", "Legg til bruker", "Add a user"),
    ("users.disable", "Deaktiver", "Disable"),
    ("users.enable", "Aktiver", "Enable"),
    ("users.active", "Aktiv", "Active"),
    ("users.disabled", "Deaktivert", "Disabled"),
    ("users.change_role", "Endre rolle", "Change role"),
    ("users.qualification", "Kvalifikasjon", "Qualification"),
    (
        "users.username_hint",
        "får virksomhetens navn etter @ (kari blir kari@virksomhet)",
        "gets the organisation's name after an @ (kari becomes kari@organisation)",
    ),
];
