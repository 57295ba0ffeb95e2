//! What a stored pathway event may say, and where it belongs. The command-line reports take
//! any names; an event stored through the web must name real places — `rhf` a regional health
//! authority and `hf` one of its health trusts in the reference data, `kommune` empty or a
//! municipality number, and one health trust per organisation (that of its first registered
//! event) — and its free text is bounded and kept pseudonymous: a pathway id of at most
//! [`MAX_PATHWAY_ID`] characters, a unit's name of at most [`MAX_UNIT`], a code of at most
//! [`MAX_CODE`] and an outcome of at most [`MAX_OUTCOME`], none holding a national identity
//! number or starting like a spreadsheet formula (the export goes to spreadsheets).

use crate::fields::{self, FieldError};
use crate::refdata;

use super::{Event, EventFields, Outcome};

/// The longest pathway id accepted for storage (the form's limit too).
pub const MAX_PATHWAY_ID: usize = 64;
/// The longest unit name accepted for storage.
pub const MAX_UNIT: usize = 200;
/// The longest code accepted for storage (national codes are a few characters).
pub const MAX_CODE: usize = 20;
/// The longest outcome (an end reason is free text) accepted for storage.
pub const MAX_OUTCOME: usize = 200;

/// What [`check`] reads of an event, borrowed: its places and its free text (a file's parsed
/// events are checked without a copy).
#[derive(Debug, Clone, Copy, Default)]
pub struct Place<'a> {
    pub pathway_id: &'a str,
    pub unit: &'a str,
    pub hf: &'a str,
    pub rhf: &'a str,
    pub kommune: &'a str,
    pub code: &'a str,
    pub outcome: &'a str,
}

impl<'a> From<&'a EventFields> for Place<'a> {
    fn from(f: &'a EventFields) -> Self {
        Place {
            pathway_id: &f.pathway_id,
            unit: &f.unit,
            hf: &f.hf,
            rhf: &f.rhf,
            kommune: &f.kommune,
            code: &f.code,
            outcome: &f.outcome,
        }
    }
}

impl<'a> From<&'a Event> for Place<'a> {
    fn from(e: &'a Event) -> Self {
        Place {
            pathway_id: &e.pathway_id,
            unit: &e.unit,
            hf: &e.hf,
            rhf: &e.rhf,
            kommune: &e.kommune,
            code: e.code.as_deref().unwrap_or_default(),
            outcome: e.outcome.as_ref().map(Outcome::as_str).unwrap_or_default(),
        }
    }
}

/// Checks the places an event names. `org_hf` is the health trust the organisation registers
/// its pathways under, when it has one.
pub fn check<'a>(f: impl Into<Place<'a>>, org_hf: Option<&str>) -> Result<(), FieldError> {
    let f: Place<'a> = f.into();
    let refdata = refdata::get();
    let (pathway_id, hf, rhf, kommune) = (
        f.pathway_id.trim(),
        f.hf.trim(),
        f.rhf.trim(),
        f.kommune.trim(),
    );
    for (field, value, max) in [
        ("pathway_id", pathway_id, MAX_PATHWAY_ID),
        ("unit", f.unit, MAX_UNIT),
        ("code", f.code, MAX_CODE),
        ("outcome", f.outcome, MAX_OUTCOME),
    ] {
        fields::safe_str(field, value, max)?;
    }
    if !rhf.is_empty() && !refdata.rhfs().any(|r| r.name == rhf) {
        let names: Vec<&str> = refdata.rhfs().map(|r| r.name.as_str()).collect();
        return Err(FieldError::new(
            "rhf",
            format!(
                "unknown regional health authority `{rhf}` (one of: {})",
                names.join(", ")
            ),
        ));
    }
    if !hf.is_empty() {
        match refdata
            .helseforetak()
            .iter()
            .find(|h| h.level != "RHF" && h.name == hf)
        {
            None => {
                return Err(FieldError::new(
                    "hf",
                    format!("unknown health trust `{hf}` (the names of the reference data)"),
                ))
            }
            Some(h) if !rhf.is_empty() && h.rhf != rhf => {
                return Err(FieldError::new(
                    "hf",
                    format!("{hf} belongs to {}, not {rhf}", h.rhf),
                ))
            }
            Some(_) => {}
        }
        if let Some(own) = org_hf.filter(|own| *own != hf) {
            return Err(FieldError::new(
                "hf",
                format!("this organisation registers its pathways under {own}, not {hf}"),
            ));
        }
    }
    if !kommune.is_empty() && refdata.kommune(kommune).is_none() {
        return Err(FieldError::new(
            "kommune",
            format!("unknown municipality number `{kommune}`"),
        ));
    }
    Ok(())
}

/// The health trust an organisation registers its pathways under: that of its first event.
pub fn org_hf(events: &[Event]) -> Option<&str> {
    events.first().map(|e| &*e.hf)
}

/// Whether `hf` is a health trust (not a regional authority) of the reference data.
pub fn is_health_trust(hf: &str) -> bool {
    refdata::get()
        .helseforetak()
        .iter()
        .any(|h| h.level != "RHF" && h.name == hf)
}

/// The regional health authority a health trust belongs to.
pub fn rhf_of(hf: &str) -> Option<String> {
    refdata::get()
        .helseforetak()
        .iter()
        .find(|h| h.name == hf)
        .map(|h| h.rhf.clone())
}

/// The health trusts that run substance-use treatment (TSB), for a form's choice.
pub fn tsb_health_trusts() -> Vec<String> {
    refdata::get()
        .helseforetak()
        .iter()
        .filter(|h| h.level != "RHF" && h.runs_tsb)
        .map(|h| h.name.clone())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fields(hf: &str, rhf: &str, kommune: &str) -> EventFields {
        EventFields {
            pathway_id: "P1".into(),
            hf: hf.into(),
            rhf: rhf.into(),
            kommune: kommune.into(),
            ..EventFields::default()
        }
    }

    #[test]
    fn places_must_exist_and_agree() {
        let ous = "Oslo universitetssykehus HF";
        let sor_ost = "Helse Sør-Øst RHF";
        assert!(check(&fields(ous, sor_ost, "0301"), None).is_ok());
        assert_eq!(
            check(&fields(ous, "Helse Nord RHF", ""), None)
                .unwrap_err()
                .field,
            "hf"
        );
        assert_eq!(
            check(&fields("Ukjent HF", "", ""), None).unwrap_err().field,
            "hf"
        );
        assert_eq!(
            check(&fields("", "Helse Øst", ""), None).unwrap_err().field,
            "rhf"
        );
        assert_eq!(
            check(&fields("", "", "9999"), None).unwrap_err().field,
            "kommune"
        );
        let e = check(&fields(ous, sor_ost, ""), Some("Sykehuset Innlandet HF")).unwrap_err();
        assert!(e
            .rule
            .contains("registers its pathways under Sykehuset Innlandet HF"));
        let mut long = fields("", "", "");
        long.pathway_id = "x".repeat(MAX_PATHWAY_ID + 1);
        assert_eq!(check(&long, None).unwrap_err().field, "pathway_id");
        assert_eq!(rhf_of(ous).as_deref(), Some(sor_ost));
        assert!(is_health_trust(ous) && !is_health_trust(sor_ost));
        assert!(tsb_health_trusts().iter().any(|h| h == ous));
    }
}
