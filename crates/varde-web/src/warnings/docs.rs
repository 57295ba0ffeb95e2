//! A warning as JSON: the public list's entries, the staff API's answers and the `data` of a
//! webhook delivery. One form, so that every consumer reads the same fields.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use varde_core::warnings::cap::CapConfig;
use varde_core::warnings::{Text, Version, Warning};

/// A text in bokmål and, when written, English.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TextDoc {
    pub nb: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl From<&Text> for TextDoc {
    fn from(t: &Text) -> Self {
        TextDoc {
            nb: t.nb.clone(),
            en: t.en.clone(),
        }
    }
}

/// An area with its name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaDoc {
    /// `0301`, `county:46` or `national`.
    pub code: String,
    pub name: String,
}

/// The substance, by the reference list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubstanceDoc {
    pub id: String,
    pub name_nb: String,
    pub name_en: String,
    pub class: String,
    pub high_risk: bool,
}

/// One version of a warning.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningDoc {
    pub id: String,
    pub version: u32,
    /// `draft`, `published`, `expired` or `cancelled` (of the warning as a whole).
    pub status: String,
    /// Whether this version is approved.
    pub approved: bool,
    pub title: TextDoc,
    pub substance: SubstanceDoc,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sold_as: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_by: Option<String>,
    pub areas: Vec<AreaDoc>,
    pub severity: String,
    pub urgency: String,
    pub certainty: String,
    pub description: TextDoc,
    pub advice_public: TextDoc,
    pub advice_services: TextDoc,
    /// Texts with no English yet.
    pub missing_english: Vec<String>,
    /// RFC 3339, Oslo time.
    pub expires: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal_id: Option<String>,
    pub exercise: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_reason: Option<String>,
    /// The warning's page.
    pub web: String,
    /// The CAP document of the warning's latest message.
    pub cap: String,
}

impl WarningDoc {
    /// Version `v` of `w`, as the public or staff see it at `now`.
    pub fn of(cfg: &CapConfig, w: &Warning, v: &Version, now: Timestamp) -> WarningDoc {
        let c = &v.content;
        let substance = varde_core::substances::get().by_id(&c.substance);
        let oslo = varde_core::warnings::cap::oslo;
        WarningDoc {
            id: w.id.clone(),
            version: v.number,
            status: w.status(now).as_str().to_owned(),
            approved: v.approved.is_some(),
            title: (&c.title).into(),
            substance: SubstanceDoc {
                id: c.substance.clone(),
                name_nb: substance.map_or_else(|| c.substance.clone(), |s| s.name_no.clone()),
                name_en: substance.map_or_else(|| c.substance.clone(), |s| s.name_en.clone()),
                class: substance.map(|s| s.class.clone()).unwrap_or_default(),
                high_risk: substance.is_some_and(|s| s.high_risk),
            },
            sold_as: c.sold_as.clone(),
            found_by: c.found_by.map(|f| f.as_str().to_owned()),
            areas: c
                .areas
                .iter()
                .map(|a| AreaDoc {
                    code: a.code(),
                    name: a.name("nb"),
                })
                .collect(),
            severity: c.severity.as_str().to_owned(),
            urgency: c.urgency.as_str().to_owned(),
            certainty: c.certainty.as_str().to_owned(),
            description: (&c.description).into(),
            advice_public: (&c.advice_public).into(),
            advice_services: (&c.advice_services).into(),
            missing_english: c.missing_english().into_iter().map(str::to_owned).collect(),
            expires: oslo(c.expires),
            published_at: v.approved.as_ref().map(|a| oslo(a.at)),
            signal_id: c.signal_id.clone(),
            exercise: c.exercise,
            cancelled_reason: w.cancelled.as_ref().map(|c| c.reason.clone()),
            web: format!("{}/warnings/{}", cfg.base_url, w.id),
            cap: format!("{}/warnings/{}/cap.xml", cfg.base_url, w.id),
        }
    }

    /// The warning's published version (none if never approved).
    pub fn published(cfg: &CapConfig, w: &Warning, now: Timestamp) -> Option<WarningDoc> {
        w.published().map(|v| WarningDoc::of(cfg, w, v, now))
    }
}
