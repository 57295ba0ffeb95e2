//! Area 8, following the reform's results: plans as data (focus areas, result goals or goals
//! with sub-goals, measures with an owner), indicators tied to their sources, their values
//! (imported per source, or read from inside Varde at view time), status ratings per year on
//! the escalation plan's scale (− + ++ +++), and the dashboard's figures.
//!
//! | file | what |
//! |---|---|
//! | `plans.rs` | the two plans loaded at first start from `data/results/` (the 2024 reform, the 2007–2012 escalation plan with its final ratings), the indicators and the measures |
//! | `values.rs` | the values' import CSV (`indicator,year,area,value`), checked row by row against the indicator's source and area level |
//! | `ratings.rs` | a status rating as set on a page or by the API |
//! | `euda.rs` | the tables reported to the EU drugs agency for a year: drug-related deaths (DRD) from the deaths source, seizures, drug checking, warnings |
//! | `tdi.rs` | the treatment demand indicator (TDI): entrants from the pathways, by centre, primary drug (diagnosis), sex, age group and first treatment (person register) |
//! | `dashboard.rs` | an indicator's trend: its years, suppression of counts of people, the latest value and the direction against the goal |
//!
//! Pure: no I/O, no clock (the current year is an argument).

pub mod dashboard;
pub mod euda;
pub mod plans;
pub mod ratings;
pub mod tdi;
pub mod values;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::fields::FieldError;

/// A source of indicator values: the list of the white paper, line 1703 (Meld. St. 5
/// (2024–2025), `seeds/000…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Population surveys (Helsedirektoratet with FHI and SSB).
    PopulationSurveys,
    /// Ungdata (NOVA).
    Ungdata,
    /// IS-24/8, municipal mental-health and substance-use work (SINTEF).
    Is248,
    /// Brukerplan (KORFOR).
    Brukerplan,
    /// The Norwegian patient register through the SAMDATA report.
    NprSamdata,
    /// Kvarus, the national quality register for substance-use treatment.
    Kvarus,
    /// The yearly survey of patients in LAR (SERAF).
    LarSurvey,
    /// The Norwegian prescription database (Legemiddelregisteret).
    PrescriptionRegister,
    /// The cause-of-death register (Dødsårsaksregisteret).
    CauseOfDeathRegister,
    /// Husbanken's annual report.
    Husbanken,
    /// Varde's own records (pathways, advisory cases, warnings, drug checking, monitoring
    /// imports, feedback): read at view time, never imported.
    Varde,
}

impl Source {
    /// Every source, Varde's own last.
    pub const ALL: [Source; 11] = [
        Source::PopulationSurveys,
        Source::Ungdata,
        Source::Is248,
        Source::Brukerplan,
        Source::NprSamdata,
        Source::Kvarus,
        Source::LarSurvey,
        Source::PrescriptionRegister,
        Source::CauseOfDeathRegister,
        Source::Husbanken,
        Source::Varde,
    ];

    /// The sources values are imported from (all but Varde's own records).
    pub const IMPORTED: [Source; 10] = [
        Source::PopulationSurveys,
        Source::Ungdata,
        Source::Is248,
        Source::Brukerplan,
        Source::NprSamdata,
        Source::Kvarus,
        Source::LarSurvey,
        Source::PrescriptionRegister,
        Source::CauseOfDeathRegister,
        Source::Husbanken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::PopulationSurveys => "population_surveys",
            Source::Ungdata => "ungdata",
            Source::Is248 => "is_24_8",
            Source::Brukerplan => "brukerplan",
            Source::NprSamdata => "npr_samdata",
            Source::Kvarus => "kvarus",
            Source::LarSurvey => "lar_survey",
            Source::PrescriptionRegister => "prescription_register",
            Source::CauseOfDeathRegister => "cause_of_death_register",
            Source::Husbanken => "husbanken",
            Source::Varde => "varde",
        }
    }

    /// The source's name (the same in both languages: these are names).
    pub fn name(self) -> &'static str {
        match self {
            Source::PopulationSurveys => "Befolkningsundersøkelser (Hdir, FHI, SSB)",
            Source::Ungdata => "Ungdata",
            Source::Is248 => "IS-24/8 (SINTEF)",
            Source::Brukerplan => "Brukerplan (KORFOR)",
            Source::NprSamdata => "NPR / SAMDATA",
            Source::Kvarus => "Kvarus",
            Source::LarSurvey => "LAR-undersøkelsen (SERAF)",
            Source::PrescriptionRegister => "Legemiddelregisteret",
            Source::CauseOfDeathRegister => "Dødsårsaksregisteret",
            Source::Husbanken => "Husbanken",
            Source::Varde => "Varde",
        }
    }

    /// Any source, Varde's own included (an indicator's, in the data files).
    pub fn parse(field: &'static str, v: &str) -> Result<Source, FieldError> {
        Source::ALL
            .into_iter()
            .find(|s| s.as_str() == v.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "one of population_surveys, ungdata, is_24_8, brukerplan, npr_samdata, kvarus, lar_survey, prescription_register, cause_of_death_register, husbanken, varde",
                )
            })
    }

    /// A source values are imported from (an import's): Varde's own records are read, never
    /// imported.
    pub fn parse_imported(field: &'static str, v: &str) -> Result<Source, FieldError> {
        Source::IMPORTED
            .into_iter()
            .find(|s| s.as_str() == v.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "one of population_surveys, ungdata, is_24_8, brukerplan, npr_samdata, kvarus, lar_survey, prescription_register, cause_of_death_register, husbanken",
                )
            })
    }
}

/// Which way an indicator should move for its goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    /// Shown beside a goal for context, with no way it should move (the warnings issued: more
    /// is neither better nor worse).
    Neither,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
            Direction::Neither => "neither",
        }
    }

    pub fn parse(field: &'static str, v: &str) -> Result<Direction, FieldError> {
        match v.trim() {
            "higher" => Ok(Direction::HigherIsBetter),
            "lower" => Ok(Direction::LowerIsBetter),
            "neither" => Ok(Direction::Neither),
            _ => Err(FieldError::new(field, "higher, lower or neither")),
        }
    }
}

/// The finest area an indicator's source gives values for (the whole country is always
/// accepted beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Nation,
    County,
    Municipality,
    /// A health trust (HF).
    Hf,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nation => "nation",
            Level::County => "county",
            Level::Municipality => "municipality",
            Level::Hf => "hf",
        }
    }

    pub fn parse(field: &'static str, v: &str) -> Result<Level, FieldError> {
        match v.trim() {
            "nation" => Ok(Level::Nation),
            "county" => Ok(Level::County),
            "municipality" => Ok(Level::Municipality),
            "hf" => Ok(Level::Hf),
            _ => Err(FieldError::new(field, "nation, county, municipality or hf")),
        }
    }
}

/// A status rating, on the scale of the escalation plan's report (`seeds/003…`, line 915):
/// − no development (the sub-goal is not reached), + uncertain development or it could have
/// been better, ++ development has happened but the effects are uncertain or small, +++
/// development and positive effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rating {
    #[serde(rename = "-")]
    Minus,
    #[serde(rename = "+")]
    Plus,
    #[serde(rename = "++")]
    PlusPlus,
    #[serde(rename = "+++")]
    PlusPlusPlus,
}

impl Rating {
    pub const ALL: [Rating; 4] = [
        Rating::Minus,
        Rating::Plus,
        Rating::PlusPlus,
        Rating::PlusPlusPlus,
    ];

    /// The rating as written: `-`, `+`, `++`, `+++`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Minus => "-",
            Rating::Plus => "+",
            Rating::PlusPlus => "++",
            Rating::PlusPlusPlus => "+++",
        }
    }

    /// The rating as shown (a real minus sign).
    pub fn sign(self) -> &'static str {
        match self {
            Rating::Minus => "−",
            r => r.as_str(),
        }
    }

    /// The scale's words for the rating (`seeds/003…`, lines 915–918).
    pub fn meaning(self, lang: &str) -> &'static str {
        match (self, lang) {
            (Rating::Minus, "en") => "no development / the goal is not reached",
            (Rating::Plus, "en") => "uncertain development, or it could have been better",
            (Rating::PlusPlus, "en") => {
                "development has happened, but the effects are uncertain or small"
            }
            (Rating::PlusPlusPlus, "en") => "development and positive effects have happened",
            (Rating::Minus, _) => "Ingen utvikling / målet er ikke oppnådd",
            (Rating::Plus, _) => "Usikker utvikling eller kunne ha vært bedre",
            (Rating::PlusPlus, _) => "Utvikling har skjedd, men effektene er usikre eller små",
            (Rating::PlusPlusPlus, _) => "Utvikling og positive effekter har skjedd",
        }
    }

    /// `-` (or the minus sign `−`), `+`, `++` or `+++`.
    pub fn parse(field: &'static str, v: &str) -> Result<Rating, FieldError> {
        match v.trim() {
            "-" | "−" => Ok(Rating::Minus),
            "+" => Ok(Rating::Plus),
            "++" => Ok(Rating::PlusPlus),
            "+++" => Ok(Rating::PlusPlusPlus),
            _ => Err(FieldError::new(field, "one of -, +, ++ or +++")),
        }
    }
}
