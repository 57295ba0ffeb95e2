//! Logging in. Keys `session.*`.

/// (key, bokmål, English)
pub(super) const TEXTS: &[(&str, &str, &str)] = &[
    ("session.login", "Logg inn", "Log in"),
    (
        "session.login_intro",
        "Logg inn med brukernavn og passord fra din virksomhet.",
        "Log in with the username and password from your organisation.",
    ),
];
