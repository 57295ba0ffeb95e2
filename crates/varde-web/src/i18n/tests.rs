//! Every text a page can ask for exists in both languages, once, in its area's group.

use std::collections::BTreeSet;
use std::path::Path;

use super::{Lang, GROUPS, INDEX};

/// Every `t("…")` key named literally in the templates and the handlers.
fn literal_keys() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut keys = BTreeSet::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (i, _) in text.match_indices(".t(\"") {
                let rest = &text[i + 4..];
                if let Some(end) = rest.find('"') {
                    keys.insert(rest[..end].to_owned());
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_used_exists_in_both_languages() {
    let keys = literal_keys();
    assert!(
        keys.len() > 200,
        "found only {} keys: is the scan right?",
        keys.len()
    );
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| !INDEX.contains_key(k.as_str()))
        .collect();
    assert!(missing.is_empty(), "keys without a text: {missing:?}");
    for (key, (nb, en)) in INDEX.iter() {
        assert!(!nb.is_empty() && !en.is_empty(), "{key} lacks a language");
    }
}

#[test]
fn keys_are_unique_and_carry_their_areas_name() {
    let prefixes = [
        "",
        "sessions.",
        "persons.",
        "users.",
        "audit.",
        "pathways.",
        "warnings.",
        "drugcheck.",
        "feedback.",
        "monitoring.",
        "monitoring.",
        "monitoring.",
        "monitoring.",
        "results.",
        "advisory.",
        "advisory.",
        "coordination.discharge.",
        "coordination.relatives.",
        "coordination.overdose.",
        "coordination.",
    ];
    let mut seen = BTreeSet::new();
    for (group, prefix) in GROUPS.iter().zip(prefixes) {
        for (key, _, _) in group.iter() {
            assert!(seen.insert(*key), "{key} is defined twice");
            if prefix.is_empty() {
                assert!(!key.contains('.'), "shell key {key} has an area's prefix");
            } else {
                assert!(key.starts_with(prefix), "{key} is not in its group's area");
            }
        }
    }
}

/// The names from the domain that pages show through `t_in` or a key table exist too.
#[test]
fn domain_names_have_texts() {
    use varde_core::pathways::indicators::INDICATOR_IDS;
    use varde_core::pathways::{CareLevel, EventKind, Level};
    let l = Lang::Nb;
    for k in EventKind::ALL {
        assert_ne!(l.t_in("pathways", k.as_str()), "?", "{k:?}");
    }
    for c in [CareLevel::Outpatient, CareLevel::Inpatient] {
        assert_ne!(l.t_in("pathways", c.as_str()), "?", "{c:?}");
    }
    for id in INDICATOR_IDS {
        assert_ne!(l.t_in("pathways", id), "?", "{id}");
    }
    for level in Level::ALL {
        assert_ne!(l.t(crate::pathways::level_key(level)), "?", "{level:?}");
    }
    for w in [
        "past_legal_limit",
        "gap_between_decisions",
        "temporary_decision_lapsed",
    ] {
        assert_ne!(l.t_in("pathways.coercion", w), "?", "{w}");
    }
    {
        use varde_core::warnings::{Certainty, FoundBy, Severity, Status, Urgency};
        let words = Severity::ALL
            .iter()
            .map(|w| ("warnings.severity", w.as_str()))
            .chain(
                Urgency::ALL
                    .iter()
                    .map(|w| ("warnings.urgency", w.as_str())),
            )
            .chain(
                Certainty::ALL
                    .iter()
                    .map(|w| ("warnings.certainty", w.as_str())),
            )
            .chain(
                FoundBy::ALL
                    .iter()
                    .map(|w| ("warnings.found_by", w.as_str())),
            )
            .chain(
                [
                    Status::Draft,
                    Status::Published,
                    Status::Expired,
                    Status::Cancelled,
                ]
                .iter()
                .map(|s| ("warnings.status", s.as_str())),
            )
            .chain(
                ["pending", "delivered", "failed"]
                    .into_iter()
                    .map(|s| ("warnings.delivery", s)),
            );
        for (prefix, w) in words {
            assert_ne!(l.t_in(prefix, w), "?", "{prefix}.{w}");
        }
    }
    for slug in crate::shell::AREAS {
        assert_ne!(l.t(slug), "?", "{slug}");
    }
    assert_eq!(Lang::En.t(concat!("no such", " key")), "?");
}

/// Every refusal text in the code (a field's rule, an error's text, an access decision's
/// reason, a storage conflict) has a catalog entry: a code and its bokmål.
#[test]
fn every_refusal_in_the_code_is_in_the_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut texts = BTreeSet::new();
    let starts = [
        "FieldError::new(",
        "WebError::invalid(",
        "WebError::bad_request(",
        "WebError::conflict(",
        "#[error(",
        "StoreError::Conflict(",
        "StoreError::Changed(",
        "map_unique(e, ",
        "map_unique_changed(e, ",
        " => \"",
    ];
    for krate in ["varde-core/src", "varde-web/src", "varde-store/src"] {
        let mut dirs = vec![root.join(krate)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let name = path.to_string_lossy().into_owned();
                if name.contains("tests") || name.ends_with("i18n/rules.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for start in starts {
                    for (i, _) in text.match_indices(start) {
                        // The first string literal after the call, on the same or next lines.
                        let after = &text[i + start.len()..];
                        let window: String = after.chars().take(240).collect();
                        let lit = match start {
                            " => \"" => Some(window.as_str()),
                            _ => window.find('"').map(|q| &window[q + 1..]),
                        };
                        let Some(lit) = lit else { continue };
                        let Some(end) = lit.find('"') else { continue };
                        let t = &lit[..end];
                        if start == " => \"" && !name.ends_with("authz.rs") {
                            continue;
                        }
                        texts.insert(t.to_owned());
                    }
                }
            }
        }
    }
    // Texts that never reach a person in the web (the log, the command line, internal causes
    // behind "Internal error", and the core's own errors that a web refusal rewords).
    let internal = [
        "access log broken at entry {id}: {why}",
        "backup of PostgreSQL is done with pg_dump (logical) or pg_basebackup (physical)",
        "built-in organisation {0} is missing",
        "built-in reference data {file}: {message}",
        "cannot read or write the pseudonym key in {dir}: {source}",
        "conflict: {0}",
        "correction target not found: {} on {} in pathway {}",
        "database error: {0}",
        "demo request failed: {0}",
        "demo user {0} is missing",
        "migration error: {0}",
        "not found",
        "password hashing failed",
        "storage error",
        "stored data is damaged: {0}",
        "the pseudonym key file {path} is damaged (expected 64 hex digits)",
        "unsupported database URL scheme '{0}': use sqlite://PATH or postgres://…",
        // LarError's own texts (logged on a replay); a refusal says the FieldError's.
        "agreement ends before it starts",
        "an admission on {date} overlaps the episode from {admitted} to {discharged}",
        "date {date} is before the admission on {admitted}",
        "no dispensing agreement between {unit} and municipality {kommune} on {date}",
        "patient {0} is already in LAR",
        "patient {0} is not in LAR on that date",
    ];
    let mut missing = Vec::new();
    for t in texts.iter().filter(|t| !internal.contains(&t.as_str())) {
        // Field names, codes, kinds and bare placeholders are not refusals.
        let words = t.split_whitespace().count();
        if words < 2 || t.starts_with('{') && t.ends_with('}') || !t.contains(' ') {
            continue;
        }
        let sample: String = {
            let mut out = String::new();
            let mut hole = false;
            for c in t.chars() {
                match c {
                    '{' => hole = true,
                    '}' if hole => {
                        hole = false;
                        out.push_str("Xy");
                    }
                    _ if hole => {}
                    _ => out.push(c),
                }
            }
            out
        };
        let sample = sample.replace("\\\"", "\"");
        match super::rule_code(&sample) {
            Some(code) if code != "field.rule" => {
                assert_ne!(Lang::Nb.rule(&sample), sample, "{t}: no bokmål");
            }
            _ => missing.push(t.clone()),
        }
    }
    assert!(
        texts.len() > 80,
        "found only {} texts: is the scan right?",
        texts.len()
    );
    assert!(
        missing.is_empty(),
        "refusals without a catalog entry: {missing:#?}"
    );
}

#[test]
fn refusals_are_said_in_bokmaal_with_their_values() {
    let l = Lang::Nb;
    assert_eq!(
        l.rule("a date that has happened: not after today (2026-11-24)"),
        "en dato som har vært: ikke etter i dag (2026-11-24)"
    );
    assert_eq!(
        l.rule("the corrected pathway breaks a rule: unknown code `XX`"),
        "det rettede forløpet bryter en regel: ukjent kode «XX»"
    );
    assert_eq!(
        l.rule("hf: unknown health trust `Ukjent HF` (the names of the reference data)"),
        "helseforetak: ukjent helseforetak «Ukjent HF» (navnene i referansedataene)"
    );
    assert_eq!(
        l.rule("Access denied: the record belongs to another organisation."),
        "Ingen tilgang: opplysningene tilhører en annen virksomhet."
    );
    assert_eq!(super::rule_code("at most 200 characters"), Some("text.max"));
    assert_eq!(
        Lang::En.rule("at most 200 characters"),
        "at most 200 characters"
    );
    // Unknown text is shown as it is.
    assert_eq!(l.rule("something else"), "something else");
    assert_eq!(l.field("replacement.date"), "erstatning.dato");
}
