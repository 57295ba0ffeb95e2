//! Logging in. Keys `sessions.*`.

/// (key, bokmål, English)
pub(super) const TEXTS: &[(&str, &str, &str)] = &[
    ("sessions.login", "Logg inn", "Log in"),
    (
        "sessions.login_intro",
        "Logg inn med brukernavn og passord fra din virksomhet.",
        "Log in with the username and password from your organisation.",
    ),
];
