//! A warning reported onward to the EU drugs agency's early warning system (EUDA EWS): the
//! fields of one national alert, as JSON ([`EudaAlert`]) and as CSV ([`euda_csv`]).
//!
//! The mapping, field by field (the warning's published version is the latest approved one):
//!
//! | Field | From |
//! |-------|------|
//! | `warning_id` | the warning's id |
//! | `version` | the published version's number |
//! | `status` | `published`, `cancelled` or `expired` at the time of the export |
//! | `substance` | the substance's English name in the reference list (its id if unlisted) |
//! | `substance_class` | the substance's class in the reference list (`opioid`, …) |
//! | `high_risk` | whether the substance is on the high-risk watchlist |
//! | `sold_as` | what it was sold as, as the editor wrote it (often Norwegian), or null |
//! | `how_found` | how it was found: `drug checking`, `seizure`, `deaths`, `signal`, `other`, or null |
//! | `areas` | each area: `code` (`0301`, `county:46`, `national`) and English `name` |
//! | `first_published` | the first version's approval, Europe/Oslo offset (RFC 3339) |
//! | `last_updated` | the latest approval, or the cancellation if later |
//! | `expires` | when the published version stops being in force |
//! | `harms` | the description (what was found and the harm seen) |
//! | `risk_assessment` | the CAP words of `severity`, `urgency` and `certainty` |
//! | `response_public` | the advice to the public |
//! | `response_services` | the advice to services |
//! | `language` | `en` when the three texts above all have English, and they are given in English; else `nb`, and all three are given in bokmål (never mixed) |
//! | `signal_id` | the signal the warning came from, or null |
//! | `cancelled_reason` | the reason of the cancellation, or null |
//!
//! The CSV has one row per alert with the columns [`CSV_COLUMNS`]: the areas' codes and names
//! each joined with `;`, the risk assessment as three columns, and every cell guarded against
//! spreadsheet formulas ([`crate::fields::spreadsheet_cell`]).

use jiff::Timestamp;
use serde::Serialize;

use super::cap::oslo;
use super::{Status, Warning};
use crate::fields::spreadsheet_cell;

/// One area of an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EudaArea {
    pub code: String,
    pub name: String,
}

/// The risk assessment, in CAP's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskAssessment {
    pub severity: &'static str,
    pub urgency: &'static str,
    pub certainty: &'static str,
}

/// One warning as a national alert to the EUDA (see the module's mapping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EudaAlert {
    pub warning_id: String,
    pub version: u32,
    pub status: &'static str,
    pub substance: String,
    pub substance_class: String,
    pub high_risk: bool,
    pub sold_as: Option<String>,
    pub how_found: Option<&'static str>,
    pub areas: Vec<EudaArea>,
    pub first_published: String,
    pub last_updated: String,
    pub expires: String,
    pub harms: String,
    pub risk_assessment: RiskAssessment,
    pub response_public: String,
    pub response_services: String,
    pub language: &'static str,
    pub signal_id: Option<String>,
    pub cancelled_reason: Option<String>,
}

/// The alert of `w` at `now`, or `None` if it was never approved.
pub fn euda(w: &Warning, now: Timestamp) -> Option<EudaAlert> {
    let published = w.published()?;
    let first = w.approved_versions().next()?.approved.as_ref()?.at;
    let latest = published.approved.as_ref()?.at;
    let last_updated = w.cancelled.as_ref().map_or(latest, |c| c.at.max(latest));
    let status = match w.status(now) {
        Status::Draft => return None,
        Status::Published => "published",
        Status::Expired => "expired",
        Status::Cancelled => "cancelled",
    };
    let c = &published.content;
    let substance = crate::substances::get().by_id(&c.substance);
    let lang = if [&c.description, &c.advice_public, &c.advice_services]
        .iter()
        .all(|t| t.en.is_some())
    {
        "en"
    } else {
        "nb"
    };
    Some(EudaAlert {
        warning_id: w.id.clone(),
        version: published.number,
        status,
        substance: substance.map_or_else(|| c.substance.clone(), |s| s.name_en.clone()),
        substance_class: substance.map(|s| s.class.clone()).unwrap_or_default(),
        high_risk: substance.is_some_and(|s| s.high_risk),
        sold_as: c.sold_as.clone(),
        how_found: c.found_by.map(|f| f.cap()),
        areas: c
            .areas
            .iter()
            .map(|a| EudaArea {
                code: a.code(),
                name: a.name("en"),
            })
            .collect(),
        first_published: oslo(first),
        last_updated: oslo(last_updated),
        expires: oslo(c.expires),
        harms: c.description.get(lang).to_owned(),
        risk_assessment: RiskAssessment {
            severity: c.severity.cap(),
            urgency: c.urgency.cap(),
            certainty: c.certainty.cap(),
        },
        response_public: c.advice_public.get(lang).to_owned(),
        response_services: c.advice_services.get(lang).to_owned(),
        language: lang,
        signal_id: c.signal_id.clone(),
        cancelled_reason: w.cancelled.as_ref().map(|c| c.reason.clone()),
    })
}

/// The CSV's columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "warning_id",
    "version",
    "status",
    "substance",
    "substance_class",
    "high_risk",
    "sold_as",
    "how_found",
    "area_codes",
    "area_names",
    "first_published",
    "last_updated",
    "expires",
    "harms",
    "severity",
    "urgency",
    "certainty",
    "response_public",
    "response_services",
    "language",
    "signal_id",
    "cancelled_reason",
];

fn row(a: &EudaAlert) -> Vec<String> {
    let join = |f: fn(&EudaArea) -> &str| a.areas.iter().map(f).collect::<Vec<_>>().join(";");
    vec![
        a.warning_id.clone(),
        a.version.to_string(),
        a.status.to_owned(),
        a.substance.clone(),
        a.substance_class.clone(),
        if a.high_risk { "yes" } else { "no" }.to_owned(),
        a.sold_as.clone().unwrap_or_default(),
        a.how_found.unwrap_or_default().to_owned(),
        join(|x| &x.code),
        join(|x| &x.name),
        a.first_published.clone(),
        a.last_updated.clone(),
        a.expires.clone(),
        a.harms.clone(),
        a.risk_assessment.severity.to_owned(),
        a.risk_assessment.urgency.to_owned(),
        a.risk_assessment.certainty.to_owned(),
        a.response_public.clone(),
        a.response_services.clone(),
        a.language.to_owned(),
        a.signal_id.clone().unwrap_or_default(),
        a.cancelled_reason.clone().unwrap_or_default(),
    ]
}

fn write_csv(alerts: &[EudaAlert]) -> Result<String, Box<dyn std::error::Error>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_COLUMNS)?;
    for a in alerts {
        out.write_record(
            row(a)
                .iter()
                .map(|cell| spreadsheet_cell(cell).into_owned()),
        )?;
    }
    Ok(String::from_utf8(out.into_inner()?)?)
}

/// The alerts as CSV: a header of [`CSV_COLUMNS`], one row per alert, areas joined with `;`,
/// every cell guarded against spreadsheet formulas. (Writing to memory cannot fail; if it
/// did, the result would be empty.)
pub fn euda_csv(alerts: &[EudaAlert]) -> String {
    write_csv(alerts).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::warnings::cap::tests::{at, cancelled, content, published, version};
    use crate::warnings::FoundBy;

    const NOW: &str = "2026-12-10T12:00:00+01:00";

    #[test]
    fn never_approved_is_not_reported() {
        let mut w = crate::warnings::Warning::new("OVS-1");
        version(&mut w, content(), "2026-12-06T12:00:00+01:00", None);
        assert_eq!(euda(&w, at(NOW)), None);
    }

    #[test]
    fn the_mapping() {
        let mut c = content();
        c.found_by = Some(FoundBy::DrugChecking);
        c.signal_id = Some("SIG-3".into());
        let mut w = published("OVS-1", c.clone(), "2026-07-01T12:00:00+02:00");
        c.description.en = Some("Found in tablets.".into());
        c.advice_public.en = Some("Never use alone.".into());
        c.advice_services.en = Some("Keep naloxone ready.".into());
        version(
            &mut w,
            c.clone(),
            "2026-12-06T10:00:00+01:00",
            Some("2026-12-06T12:00:00+01:00"),
        );
        // A later draft that is not approved changes nothing.
        version(&mut w, content(), "2026-12-07T12:00:00+01:00", None);
        let a = euda(&w, at(NOW)).unwrap();
        assert_eq!(a.warning_id, "OVS-1");
        assert_eq!(a.version, 2);
        assert_eq!(a.status, "published");
        let s = crate::substances::get().by_id("protonitazene").unwrap();
        assert_eq!(a.substance, s.name_en);
        assert_eq!(a.substance_class, s.class);
        assert!(a.high_risk);
        assert_eq!(a.sold_as.as_deref(), Some("oksykodon 80 mg"));
        assert_eq!(a.how_found, Some("drug checking"));
        assert_eq!(
            a.areas,
            vec![
                EudaArea {
                    code: "county:46".into(),
                    name: "Vestland".into()
                },
                EudaArea {
                    code: "0301".into(),
                    name: "Oslo".into()
                }
            ]
        );
        assert_eq!(a.first_published, "2026-07-01T12:00:00+02:00");
        assert_eq!(a.last_updated, "2026-12-06T12:00:00+01:00");
        assert_eq!(a.expires, "2027-01-05T12:00:00+01:00");
        assert_eq!(a.language, "en");
        assert_eq!(a.harms, "Found in tablets.");
        assert_eq!(a.response_public, "Never use alone.");
        assert_eq!(a.response_services, "Keep naloxone ready.");
        assert_eq!(
            a.risk_assessment,
            RiskAssessment {
                severity: "Extreme",
                urgency: "Immediate",
                certainty: "Likely"
            }
        );
        assert_eq!(a.signal_id.as_deref(), Some("SIG-3"));
        assert_eq!(a.cancelled_reason, None);
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["risk_assessment"]["severity"], "Extreme");
        assert_eq!(json["areas"][1]["code"], "0301");
        assert_eq!(json["cancelled_reason"], serde_json::Value::Null);

        assert_eq!(
            euda(&w, at("2027-01-06T00:00:00+01:00")).unwrap().status,
            "expired"
        );
        cancelled(&mut w, "Feil stoff", "2026-12-11T09:00:00+01:00");
        let a = euda(&w, at("2026-12-12T00:00:00+01:00")).unwrap();
        assert_eq!(a.status, "cancelled");
        assert_eq!(a.last_updated, "2026-12-11T09:00:00+01:00");
        assert_eq!(a.cancelled_reason.as_deref(), Some("Feil stoff"));
    }

    #[test]
    fn texts_are_never_mixed_languages() {
        let mut c = content();
        c.description.en = Some("Found in tablets.".into());
        let w = published("OVS-2", c, "2026-12-06T12:00:00+01:00");
        let a = euda(&w, at(NOW)).unwrap();
        assert_eq!(a.language, "nb");
        assert_eq!(a.harms, "Funnet i tabletter levert til rusmiddelanalyse.");
        assert_eq!(a.how_found, None);
    }

    #[test]
    fn csv_has_the_columns_and_guards_formulas() {
        let mut c = content();
        c.sold_as = Some("=HYPERLINK(\"http://x\")".into());
        c.advice_services.nb = "+47 ring, \"nå\"\nlinje 2".into();
        let w = published("OVS-3", c, "2026-12-06T12:00:00+01:00");
        let alerts = vec![euda(&w, at(NOW)).unwrap()];
        let text = euda_csv(&alerts);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(header, CSV_COLUMNS);
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        let cell = |name: &str| {
            let i = CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
            rows[0][i].to_owned()
        };
        assert_eq!(cell("warning_id"), "OVS-3");
        assert_eq!(cell("area_codes"), "county:46;0301");
        assert_eq!(cell("area_names"), "Vestland;Oslo");
        assert_eq!(cell("sold_as"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(cell("response_services"), "'+47 ring, \"nå\"\nlinje 2");
        assert_eq!(cell("high_risk"), "yes");
        assert_eq!(cell("severity"), "Extreme");
        assert_eq!(cell("first_published"), "2026-12-06T12:00:00+01:00");
        assert_eq!(euda_csv(&[]).trim_end(), CSV_COLUMNS.join(","));
    }
}
