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
    let prefixes = ["", "sessions.", "persons.", "users.", "audit.", "pathways."];
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
    for slug in crate::shell::AREAS {
        assert_ne!(l.t(slug), "?", "{slug}");
    }
    assert_eq!(Lang::En.t(concat!("no such", " key")), "?");
}
