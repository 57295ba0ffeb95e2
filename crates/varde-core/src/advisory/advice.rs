//! Quick anonymous logging of advice given (issue 12, item 12): a unit serves anyone who asks
//! (as Stavanger's unit does) — the person, a relative, a school, another service. Each piece
//! of advice is logged with the day, who asked, by what means, the topic from a fixed list and
//! an optional age group: no name, no identity number, no free text, so nothing in it is about
//! a person. The statistics count it apart from the condition cases.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::codes::one_of;
use super::erasure::AgeGroup;
use crate::fields::{self, FieldError};

/// Who asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Asker {
    /// The person themself.
    Person,
    /// A relative (a parent, a partner, a sibling).
    Relative,
    School,
    /// Another service (a GP, child welfare, youth outreach workers, the police).
    Service,
    Other,
}

impl Asker {
    pub const ALL: [Asker; 5] = [
        Asker::Person,
        Asker::Relative,
        Asker::School,
        Asker::Service,
        Asker::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Asker::Person => "person",
            Asker::Relative => "relative",
            Asker::School => "school",
            Asker::Service => "service",
            Asker::Other => "other",
        }
    }
}

/// How the advice was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Means {
    Phone,
    Meeting,
    /// A chat, an e-mail, a video call.
    Digital,
}

impl Means {
    pub const ALL: [Means; 3] = [Means::Phone, Means::Meeting, Means::Digital];
    pub fn as_str(self) -> &'static str {
        match self {
            Means::Phone => "phone",
            Means::Meeting => "meeting",
            Means::Digital => "digital",
        }
    }
}

/// What the advice was about: a small fixed list, so that nothing personal is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Drugs and their effects and risks.
    Substances,
    /// The rules and what a drug case leads to.
    Law,
    /// The help and treatment available.
    Help,
    /// Worry about someone else's use.
    Concern,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 5] = [
        Topic::Substances,
        Topic::Law,
        Topic::Help,
        Topic::Concern,
        Topic::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Substances => "substances",
            Topic::Law => "law",
            Topic::Help => "help",
            Topic::Concern => "concern",
            Topic::Other => "other",
        }
    }
}

/// The age groups a piece of advice may name (the statistics' groups).
pub const AGE_GROUPS: [AgeGroup; 4] = [
    AgeGroup::Under15,
    AgeGroup::From15To17,
    AgeGroup::From18To25,
    AgeGroup::Over25,
];

/// A piece of advice as typed (a form or a JSON body): every field text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AdviceInput {
    pub on: String,
    pub asker: String,
    pub means: String,
    pub topic: String,
    /// Empty or absent: not known.
    pub age_group: Option<String>,
}

/// A piece of advice, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Advice {
    pub on: Date,
    pub asker: Asker,
    pub means: Means,
    pub topic: Topic,
    pub age_group: Option<AgeGroup>,
}

/// How far back a piece of advice may be logged: the unit logs as it goes.
pub const MAX_DAYS_BACK: i32 = 366;

impl AdviceInput {
    /// Checks the input on `today`: a day not in the future and at most a year back, and each
    /// code from its list.
    pub fn parse(&self, today: Date) -> Result<Advice, FieldError> {
        let on = fields::past_date("on", &self.on, today)?;
        if crate::calendar::days_between(on, today) > MAX_DAYS_BACK {
            return Err(FieldError::new("on", "at most a year back"));
        }
        let age_group = match self.age_group.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(one_of("age_group", v, &AGE_GROUPS, AgeGroup::as_str)?),
        };
        Ok(Advice {
            on,
            asker: one_of("asker", &self.asker, &Asker::ALL, Asker::as_str)?,
            means: one_of("means", &self.means, &Means::ALL, Means::as_str)?,
            topic: one_of("topic", &self.topic, &Topic::ALL, Topic::as_str)?,
            age_group,
        })
    }
}

/// A piece of advice as the statistics count it: where and when, and its codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceRecord {
    pub org_id: i64,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub on: Date,
    pub asker: Asker,
    pub means: Means,
    pub topic: Topic,
    pub age_group: Option<AgeGroup>,
}

impl AdviceRecord {
    /// The record of stored advice of unit `org_id` in `kommunenummer` (the county from the
    /// reference data); None if a stored code no longer reads.
    #[allow(clippy::too_many_arguments)]
    pub fn read(
        org_id: i64,
        kommunenummer: Option<&str>,
        on: &str,
        asker: &str,
        means: &str,
        topic: &str,
        age_group: Option<&str>,
    ) -> Option<AdviceRecord> {
        Some(AdviceRecord {
            org_id,
            municipality: kommunenummer.map(str::to_owned),
            county: kommunenummer
                .and_then(|k| crate::refdata::get().kommune(k))
                .map(|k| k.fylkesnummer.clone()),
            on: on.parse().ok()?,
            asker: one_of("asker", asker, &Asker::ALL, Asker::as_str).ok()?,
            means: one_of("means", means, &Means::ALL, Means::as_str).ok()?,
            topic: one_of("topic", topic, &Topic::ALL, Topic::as_str).ok()?,
            age_group: match age_group {
                None => None,
                Some(g) => Some(one_of("age_group", g, &AGE_GROUPS, AgeGroup::as_str).ok()?),
            },
        })
    }
}
