//! The national pathway codes that Varde knows, with their texts, and the check that a row's
//! `code` agrees with its event.
//!
//! Source: Helsedirektoratet, «Kodeveileder – nasjonale pasientforløp for psykisk helse og rus»
//! (helsedirektoratet.no/nasjonale-forlop/kodeveileder-nasjonale-pasientforlop-for-psykisk-helse-og-rus),
//! see `data/pathways/SOURCES.md`. The list is kept as reference data in
//! `data/pathways/codes.csv`, embedded here; a test checks that it agrees with the typed codes.

use serde::Serialize;

use super::model::{DecisionCode, EventKind};

/// The code list as embedded reference data.
pub const CODES_CSV: &str = include_str!("../../data/pathways/codes.csv");

/// The end reasons the forms offer for `pathway_end` (value, bokmål, English): the values the
/// shared sample and the national generator use. The CSV contract still takes any non-empty
/// reason (files from other systems keep theirs); a form chooses one of these.
pub const END_REASONS: [(&str, &str, &str); 3] = [
    ("avsluttet", "Avsluttet etter plan", "Completed as planned"),
    ("avbrutt", "Avbrutt", "Discontinued"),
    (
        "overført",
        "Overført til annen enhet eller tjeneste",
        "Transferred to another unit or service",
    ),
];

/// One entry of the code list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeEntry {
    /// The flat code, e.g. `D01CT`.
    pub code: String,
    /// The code system OID where the guide gives one.
    pub oid: String,
    /// The contract event the code is registered with (empty when none).
    pub event: String,
    /// The outcome it implies (decision letters), if any.
    pub outcome: String,
    /// Norwegian code text.
    pub text_nb: String,
    /// English gloss.
    pub text_en: String,
    /// When the code is registered.
    pub registered_when: String,
    /// `confirmed` (read in the guide), or `pattern` (D11 pattern applied to D01; check).
    pub status: String,
}

/// Reads the embedded code list.
pub fn code_list() -> Result<Vec<CodeEntry>, csv::Error> {
    let mut reader = csv::Reader::from_reader(CODES_CSV.as_bytes());
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec?;
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        out.push(CodeEntry {
            code: get(0),
            oid: get(1),
            event: get(2),
            outcome: get(3),
            text_nb: get(4),
            text_en: get(5),
            registered_when: get(6),
            status: get(7),
        });
    }
    Ok(out)
}

/// How a row's code relates to its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code fits the event (for a decision code, the decision it names).
    Agrees(Option<DecisionCode>),
    /// A known code that belongs to another event or pathway type.
    Disagrees,
    /// Not a code Varde knows.
    Unknown,
}

/// Checks a national code against the event of its row.
pub fn check_code(kind: EventKind, code: &str) -> CodeCheck {
    if code == "D01" {
        return if kind == EventKind::PathwayStart {
            CodeCheck::Agrees(None)
        } else {
            CodeCheck::Disagrees
        };
    }
    if code == "D01UF" {
        return if kind == EventKind::FeedbackToolUsed {
            CodeCheck::Agrees(None)
        } else {
            CodeCheck::Disagrees
        };
    }
    if code == "D11" || code == "D12" || code == "D01L" {
        return CodeCheck::Disagrees;
    }
    if let Some(letters) = code.strip_prefix("D01") {
        if let Some(decision) = DecisionCode::parse(letters) {
            return if kind == EventKind::ClinicalDecision {
                CodeCheck::Agrees(Some(decision))
            } else {
                CodeCheck::Disagrees
            };
        }
    }
    CodeCheck::Unknown
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn code_list_agrees_with_typed_codes() {
        let list = code_list().expect("embedded list parses");
        for d in DecisionCode::ALL {
            let entry = list
                .iter()
                .find(|e| e.code == d.national_code())
                .expect("every decision code is listed");
            assert_eq!(entry.outcome, d.as_str());
            assert_eq!(entry.text_nb, d.text_nb());
            assert_eq!(entry.event, "clinical_decision");
        }
        for e in &list {
            if !e.event.is_empty() {
                let kind = EventKind::parse(&e.event).expect("listed event is a contract event");
                assert!(matches!(check_code(kind, &e.code), CodeCheck::Agrees(_)));
            }
            assert!(e.status == "confirmed" || e.status == "pattern");
        }
    }

    #[test]
    fn codes_against_events() {
        assert_eq!(
            check_code(EventKind::ClinicalDecision, "D01CT"),
            CodeCheck::Agrees(Some(DecisionCode::CT))
        );
        assert_eq!(
            check_code(EventKind::Evaluation, "D01CT"),
            CodeCheck::Disagrees
        );
        assert_eq!(
            check_code(EventKind::PathwayStart, "D01"),
            CodeCheck::Agrees(None)
        );
        assert_eq!(
            check_code(EventKind::PathwayStart, "D11"),
            CodeCheck::Disagrees
        );
        assert_eq!(
            check_code(EventKind::ClinicalDecision, "D01CZ"),
            CodeCheck::Unknown
        );
        assert_eq!(check_code(EventKind::Evaluation, "XYZ"), CodeCheck::Unknown);
        assert_eq!(
            check_code(EventKind::FeedbackToolUsed, "D01UF"),
            CodeCheck::Agrees(None)
        );
        assert_eq!(
            check_code(EventKind::PathwayEnd, "D01UF"),
            CodeCheck::Disagrees
        );
    }
}
