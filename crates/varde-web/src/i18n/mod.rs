//! Bokmål first, English second. The language is a cookie set by the switch in the header.
//!
//! The texts are grouped by area, one file each, so that adding an area adds a file rather
//! than editing a shared list: an area's keys start with its name (`pathways.…`, and a
//! sub-area's with both: `pathways.lar.…`); the shell's own keys — the page frame, the areas'
//! names, and words every area uses — have no prefix. A test checks that every key a template
//! or handler names exists in both languages, once.

mod audit;
mod pathways;
mod persons;
mod sessions;
mod shell;
mod users;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::cookie;

pub const LANG_COOKIE: &str = "varde_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nb,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Nb => Lang::En,
            Lang::En => Lang::Nb,
        }
    }
    /// The name of the language, in itself (for the switch).
    pub fn name(self) -> &'static str {
        match self {
            Lang::Nb => "Norsk (bokmål)",
            Lang::En => "English",
        }
    }

    /// The text for `key` in this language; `?` if there is none (a test checks that every key
    /// the templates and handlers use exists).
    pub fn t(self, key: &str) -> &'static str {
        INDEX
            .get(key)
            .map_or("?", |&(nb, en)| if self == Lang::Nb { nb } else { en })
    }

    /// The text for `{prefix}.{name}`: a name from the domain (an event kind, an indicator)
    /// shown in an area's words.
    pub fn t_in(self, prefix: &str, name: &str) -> &'static str {
        self.t(&format!("{prefix}.{name}"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(match cookie(parts, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Nb,
        })
    }
}

/// Every area's texts.
const GROUPS: [&[(&str, &str, &str)]; 6] = [
    shell::TEXTS,
    sessions::TEXTS,
    persons::TEXTS,
    users::TEXTS,
    audit::TEXTS,
    pathways::TEXTS,
];

/// The texts by key, built once: pages look up many texts (some per table row).
static INDEX: std::sync::LazyLock<
    std::collections::HashMap<&'static str, (&'static str, &'static str)>,
> = std::sync::LazyLock::new(|| {
    GROUPS
        .iter()
        .flat_map(|g| g.iter())
        .map(|&(key, nb, en)| (key, (nb, en)))
        .collect()
});

#[cfg(test)]
mod tests;
