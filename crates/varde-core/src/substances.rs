//! Substances by one name: the reference list (`data/substances.csv`, copied from
//! `shared/reference/substances.csv`) with its English and Norwegian names, the synonyms in
//! their brackets, the class and the high-risk watchlist flag. Every area that names a
//! substance (warnings, monitoring, drug checking) resolves it here; an unknown name is refused
//! with the nearest known names suggested.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::fields::FieldError;

const SUBSTANCES: &str = include_str!("../data/substances.csv");

/// One substance of the reference list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substance {
    /// The stable id: the English name without its bracket, lower case (`heroin`, `mdma`).
    pub id: String,
    /// The English name as the list writes it (`heroin (diacetylmorphine)`).
    pub name_en: String,
    /// The Norwegian name as the list writes it.
    pub name_no: String,
    /// The class (`opioid`, `synthetic opioid/nitazene`, `stimulant`, …).
    pub class: String,
    /// On the high-risk watchlist (nitazenes, fentanyl and analogues, xylazine, designer
    /// benzodiazepines).
    pub high_risk: bool,
    /// The watchlist group, if on it.
    pub group: Option<String>,
}

impl Substance {
    /// The name to show in `lang` (`nb` or `en`).
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_no
        }
    }
}

/// The reference list, with an index of every name and synonym.
#[derive(Debug)]
pub struct Substances {
    all: Vec<Substance>,
    by_name: HashMap<String, usize>,
}

/// The list, parsed once.
pub fn get() -> &'static Substances {
    static LIST: OnceLock<Substances> = OnceLock::new();
    LIST.get_or_init(|| Substances::parse(SUBSTANCES))
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The names a list entry is known by: the whole name, the part before its bracket, and each
/// synonym inside the bracket (`heroin (diacetylmorphine)` → heroin, diacetylmorphine;
/// `cannabis (hashish, marijuana)` → cannabis, hashish, marijuana). "incl." notes are not names.
fn names_of(written: &str) -> Vec<String> {
    let mut out = vec![written.trim().to_owned()];
    if let Some((head, rest)) = written.split_once('(') {
        out.push(head.trim().to_owned());
        let inner = rest.trim_end_matches(')');
        if !inner.starts_with("incl") && !inner.starts_with("inkl") {
            out.extend(
                inner
                    .split([',', '/'])
                    .map(str::trim)
                    .filter(|s| s.len() > 1)
                    .map(str::to_owned),
            );
        }
    }
    out
}

impl Substances {
    fn parse(text: &str) -> Substances {
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(body.as_bytes());
        let mut all = Vec::new();
        for row in reader.records().flatten() {
            let get = |i: usize| row.get(i).unwrap_or("").trim().to_owned();
            let name_en = get(0);
            if name_en.is_empty() {
                continue;
            }
            let id = key(name_en.split('(').next().unwrap_or(&name_en));
            let group = Some(get(4)).filter(|g| !g.is_empty());
            all.push(Substance {
                id,
                name_no: get(1),
                class: get(2),
                high_risk: get(3) == "yes",
                group,
                name_en,
            });
        }
        let mut by_name = HashMap::new();
        for (i, s) in all.iter().enumerate() {
            for n in names_of(&s.name_en)
                .into_iter()
                .chain(names_of(&s.name_no))
                .chain([s.id.clone()])
            {
                by_name.entry(key(&n)).or_insert(i);
            }
        }
        Substances { all, by_name }
    }

    /// Every substance, in the list's order.
    pub fn all(&self) -> &[Substance] {
        &self.all
    }

    /// The substance known by `name` (any of its names or synonyms, case-insensitive).
    pub fn find(&self, name: &str) -> Option<&Substance> {
        self.by_name.get(&key(name)).map(|&i| &self.all[i])
    }

    /// The substance with id `id`.
    pub fn by_id(&self, id: &str) -> Option<&Substance> {
        self.all.iter().find(|s| s.id == id)
    }

    /// The (at most three) known names nearest to `name` by edit distance.
    pub fn nearest(&self, name: &str) -> Vec<&str> {
        let k = key(name);
        let mut scored: Vec<(usize, &str)> = self
            .by_name
            .keys()
            .map(|n| (strsim::levenshtein(&k, n), n.as_str()))
            .collect();
        scored.sort();
        let mut out: Vec<&str> = Vec::new();
        for (_, n) in scored {
            if out.len() == 3 {
                break;
            }
            let id = &self.all[self.by_name[n]].id;
            if !out.iter().any(|o| &self.all[self.by_name[*o]].id == id) {
                out.push(n);
            }
        }
        out
    }

    /// Resolves `name` for `field`: the substance, or a refusal naming the nearest known names.
    pub fn resolve(&self, field: &'static str, name: &str) -> Result<&Substance, FieldError> {
        if name.trim().is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        self.find(name).ok_or_else(|| {
            FieldError::new(
                field,
                format!(
                    "not a substance of the reference list; nearest: {}",
                    self.nearest(name).join(", ")
                ),
            )
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_whole() {
        let list = get();
        assert_eq!(list.all().len(), 90);
        let watch = list.all().iter().filter(|s| s.high_risk).count();
        assert!(watch >= 20, "{watch}");
        assert!(list
            .all()
            .iter()
            .filter(|s| s.high_risk)
            .all(|s| s.group.is_some()));
    }

    #[test]
    fn names_synonyms_and_norwegian_resolve_to_one_substance() {
        let list = get();
        for n in ["heroin", "Diacetylmorphine", "heroin (diacetylmorphine)"] {
            assert_eq!(list.find(n).unwrap().id, "heroin", "{n}");
        }
        assert_eq!(list.find("hasj").unwrap().id, "cannabis");
        assert_eq!(list.find("4-MMC").unwrap().id, "mephedrone");
        assert_eq!(list.find("protonitazen").unwrap().id, "protonitazene");
        assert!(list.find("protonitazene").unwrap().high_risk);
        assert!(list.find("crack/base").is_none());
        assert_eq!(list.find("cocaine").unwrap().id, "cocaine");
    }

    #[test]
    fn an_unknown_name_gets_the_nearest() {
        let e = get().resolve("substance", "protonitazine").unwrap_err();
        assert_eq!(e.field, "substance");
        assert!(e.rule.contains("protonitazen"), "{}", e.rule);
    }
}
