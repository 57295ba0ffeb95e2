//! Bokmål first, English second. The language is a cookie set by the switch in the header.
//!
//! The texts are grouped by area, one file each, so that adding an area adds a file rather
//! than editing a shared list: an area's keys start with its name (`pathways.…`, and a
//! sub-area's with both: `pathways.lar.…`); the shell's own keys — the page frame, the areas'
//! names, and words every area uses — have no prefix. A test checks that every key a template
//! or handler names exists in both languages, once.

mod advisory;
mod advisory_statistics;
mod audit;
mod coordination;
mod coordination_discharge;
mod coordination_overdose;
mod coordination_relatives;
mod drugcheck;
mod feedback;
mod monitoring;
mod monitoring_prescriptions;
mod monitoring_series;
mod monitoring_sources;
mod pathways;
mod persons;
mod results;
mod rules;
mod sessions;
mod shell;
mod users;
mod warnings;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

pub const LANG_COOKIE: &str = "varde_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl Lang {
    /// A refusal (a rule broken, an access decision's reason, an error page's title or text) as
    /// this language says it. The text is the English the rule was made with; see
    /// [`rule_code`]. A text the catalog does not know is shown as it is.
    pub fn rule(self, text: &str) -> String {
        if self == Lang::En {
            return text.to_owned();
        }
        match find(text) {
            Some((entry, holes)) => {
                let mut out = entry.nb.to_owned();
                for (name, value) in holes {
                    let shown = match name {
                        "rule" | "reason" => self.rule(value),
                        "field" => self.field(value),
                        _ => value.to_owned(),
                    };
                    out = out.replace(&format!("{{{name}}}"), &shown);
                }
                out
            }
            None => text.to_owned(),
        }
    }

    /// A field's name as shown (`replacement.date`: each part).
    pub fn field(self, name: &str) -> String {
        name.split('.')
            .map(|part| {
                FIELD_INDEX
                    .get(part)
                    .map_or(part, |&(nb, en)| if self == Lang::Nb { nb } else { en })
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// The stable code of a refusal's English text (`date.format`, `lar.specialist`, …), sent in
/// problem documents beside the text; `None` for a text the catalog does not know.
pub fn rule_code(text: &str) -> Option<&'static str> {
    find(text).map(|(e, _)| e.code)
}

/// One entry of the catalog, its template cut into literal text and holes.
struct Entry {
    code: &'static str,
    nb: &'static str,
    parts: Vec<Part>,
    /// The length of its literal text: the most specific template is tried first.
    literal: usize,
}

#[derive(Debug, PartialEq)]
enum Part {
    Text(&'static str),
    Hole(&'static str),
}

fn parts(template: &'static str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Part::Text(&rest[..open]));
        }
        out.push(Part::Hole(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest));
    }
    out
}

static CATALOG: std::sync::LazyLock<Vec<Entry>> = std::sync::LazyLock::new(|| {
    let mut entries: Vec<Entry> = rules::RULES
        .iter()
        .map(|&(code, en, nb)| {
            let parts = parts(en);
            let literal = parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.len(),
                    Part::Hole(_) => 0,
                })
                .sum();
            Entry {
                code,
                nb,
                parts,
                literal,
            }
        })
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.literal));
    entries
});

static FIELD_INDEX: std::sync::LazyLock<
    std::collections::HashMap<&'static str, (&'static str, &'static str)>,
> = std::sync::LazyLock::new(|| {
    rules::FIELDS
        .iter()
        .map(|&(name, nb, en)| (name, (nb, en)))
        .collect()
});

/// Matches `text` against a template's parts: each literal in order, each hole the text up to
/// the next literal (the last hole the rest). The holes' values, or `None`.
fn matches<'t>(parts: &[Part], text: &'t str) -> Option<Vec<(&'static str, &'t str)>> {
    let mut holes = Vec::new();
    let mut rest = text;
    let mut i = 0;
    while i < parts.len() {
        match &parts[i] {
            Part::Text(t) => rest = rest.strip_prefix(t)?,
            Part::Hole(name) => match parts.get(i + 1) {
                Some(Part::Text(next)) => {
                    let at = rest.find(next)?;
                    if at == 0 {
                        return None;
                    }
                    holes.push((*name, &rest[..at]));
                    rest = &rest[at..];
                }
                _ => {
                    if rest.is_empty() {
                        return None;
                    }
                    holes.push((*name, rest));
                    rest = "";
                }
            },
        }
        i += 1;
    }
    rest.is_empty().then_some(holes)
}

fn find(text: &str) -> Option<(&'static Entry, Vec<(&'static str, &str)>)> {
    CATALOG
        .iter()
        .find_map(|e| matches(&e.parts, text).map(|holes| (e, holes)))
}

impl Lang {
    /// The language a request's cookie asks for (bokmål by default).
    pub fn of(headers: &axum::http::HeaderMap) -> Lang {
        match crate::auth::cookie(headers, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Nb,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of(&parts.headers))
    }
}

/// Every area's texts.
const GROUPS: [&[(&str, &str, &str)]; 20] = [
    shell::TEXTS,
    sessions::TEXTS,
    persons::TEXTS,
    users::TEXTS,
    audit::TEXTS,
    pathways::TEXTS,
    warnings::TEXTS,
    drugcheck::TEXTS,
    feedback::TEXTS,
    monitoring::TEXTS,
    monitoring_prescriptions::TEXTS,
    monitoring_sources::TEXTS,
    monitoring_series::TEXTS,
    results::TEXTS,
    advisory::TEXTS,
    advisory_statistics::TEXTS,
    coordination_discharge::TEXTS,
    coordination_relatives::TEXTS,
    coordination_overdose::TEXTS,
    coordination::TEXTS,
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
