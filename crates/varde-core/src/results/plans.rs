//! The plans as data, from the files of `data/results/` (embedded, so a fresh clone needs
//! nothing else):
//!
//! - `reform-2024.csv`: Meld. St. 5 (2024–2025), the prevention and treatment reform — six
//!   focus areas and their 20 result goals, each with the white paper's line (the reference
//!   file as given);
//! - `escalation-2007-2012.csv`: the escalation plan for the substance-use field 2007–2012 —
//!   five main goals and their 23 sub-goals, each with its final status rating and the
//!   reason the Directorate of Health's report gives (`seeds/003…`, the line of the sub-goal
//!   in the report's summary tables), written by hand from the report;
//! - `measures.csv`: measures with their owner (the reform's assignments named in the white
//!   paper, with their line; the escalation plan's 147 measures are not listed one by one in
//!   its report, so none are loaded);
//! - `indicators.csv`: the indicators that follow the reform's goals, each with its source,
//!   unit, direction and area level, and whether its values are read from inside Varde.

use serde::Serialize;

use super::{Direction, Level, Rating, Source};
use crate::fields::FieldError;

const REFORM: &str = include_str!("../../data/results/reform-2024.csv");
const ESCALATION: &str = include_str!("../../data/results/escalation-2007-2012.csv");
const MEASURES: &str = include_str!("../../data/results/measures.csv");
const INDICATORS: &str = include_str!("../../data/results/indicators.csv");

/// The reform's id.
pub const REFORM_ID: &str = "reform-2024";
/// The escalation plan's id.
pub const ESCALATION_ID: &str = "escalation-2007-2012";

/// A plan: what it calls its parts, its focus areas (the escalation plan: its main goals),
/// its goals (the escalation plan: its sub-goals), measures and indicators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub id: String,
    pub name_nb: String,
    pub name_en: String,
    pub first_year: i16,
    pub last_year: i16,
    /// `focus_area` (the reform) or `main_goal` (the escalation plan).
    pub focus_kind: String,
    /// `result_goal` (the reform) or `sub_goal` (the escalation plan).
    pub goal_kind: String,
    /// The source document.
    pub source: String,
    pub focus_areas: Vec<FocusArea>,
    pub goals: Vec<Goal>,
    pub measures: Vec<Measure>,
    pub indicators: Vec<IndicatorDef>,
    /// The ratings the source document gives (the escalation plan's final ratings).
    pub ratings: Vec<SourceRating>,
}

impl Plan {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_nb
        }
    }

    pub fn focus(&self, no: i64) -> Option<&FocusArea> {
        self.focus_areas.iter().find(|f| f.no == no)
    }

    pub fn goal(&self, id: &str) -> Option<&Goal> {
        self.goals.iter().find(|g| g.id == id)
    }
}

/// A focus area (the escalation plan: a main goal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FocusArea {
    pub no: i64,
    pub name: String,
    /// The line of the source document it comes from.
    pub source_line: i64,
}

/// A result goal (the escalation plan: a sub-goal of its main goal, the focus area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Goal {
    /// `{focus}.{n}`, as the escalation plan numbers its sub-goals.
    pub id: String,
    pub focus: i64,
    pub text: String,
    pub source_line: i64,
}

/// A measure and who owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    pub goal: String,
    pub no: i64,
    pub text: String,
    pub owner: String,
    pub source_line: i64,
}

/// Where inside Varde an indicator's values are read from at view time (never copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Internal {
    /// The monitoring area's `deaths` source: its rows counted per year (national).
    MonitoringDeaths,
    /// The monitoring area's prescription figures: persistent opioid use per 1,000
    /// inhabitants, as published (suppressed) there.
    MonitoringPrescriptions,
    /// The monitoring area's `overdoses` source (non-fatal overdoses reported by emergency
    /// services): its rows with the outcome `non_fatal` counted per year (national).
    MonitoringOverdoses,
    /// The drug-checking samples analysed per year (national).
    DrugcheckSamples,
    /// The overdose warnings issued per year: the first approved version of each warning
    /// that is not an exercise, by its day in Oslo (as the EUDA `warnings` table counts them).
    WarningsIssued,
    /// A pathway quality indicator's national share per year, in per cent (the pathways
    /// area's published report of the year, suppressed as there).
    Pathway(PathwayShare),
    /// The advisory units' cases opened per year: the advisory statistics' national `cases`
    /// cell of the year (erased cases by their stored anonymous record, live ones by the same
    /// record computed now), suppressed as there.
    AdvisoryCases,
    /// The share of the year's closed prosecution conditions completed, in per cent: the
    /// advisory statistics' national `share_completed` cell of the year.
    AdvisoryShareCompleted,
    /// A coordination figure's national share, in per cent, of the people registered by the
    /// specialised treatment services (counted once by pseudonym): as of today only.
    Coordination(CoordinationShare),
    /// The share of the year's discharges from specialised treatment with "no home to go to"
    /// still flagged, in per cent (the national discharge view's figures of the year).
    DischargeNoHome,
    /// The share of the year's overdose notices closed within the risk week with contact made,
    /// in per cent (the national overdose follow-up figures of the year).
    OverdoseContactInWeek,
}

/// The coordination figures followed as result indicators (`varde_core::coordination::figures`,
/// national).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoordinationShare {
    /// `plan`: with an individual plan (not closed) in any organisation.
    Plan,
    /// `coordinator`: with a plan that has a coordinator.
    Coordinator,
    /// `group`: with a plan that has a responsibility group.
    Group,
    /// `evaluated`: with a plan evaluated in the last six months.
    Evaluated,
}

impl CoordinationShare {
    /// The figure's key (`varde_core::coordination::figures::Figure::key`).
    pub fn key(self) -> &'static str {
        match self {
            CoordinationShare::Plan => "plan",
            CoordinationShare::Coordinator => "coordinator",
            CoordinationShare::Group => "group",
            CoordinationShare::Evaluated => "evaluated",
        }
    }
}

/// The pathway quality indicators followed as result indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathwayShare {
    /// `fristbrudd`: pathways whose right to treatment was breached.
    Fristbrudd,
    /// `involvement_in_treatment_plan`: patients involved in their treatment plan.
    Involvement,
    /// `feedback_tool_used`: pathways where a feedback tool was used (the feedback area's
    /// session links count here).
    FeedbackTool,
}

impl PathwayShare {
    /// The pathway indicator's id (`varde_core::pathways::indicators::INDICATOR_IDS`).
    pub fn indicator_id(self) -> &'static str {
        match self {
            PathwayShare::Fristbrudd => "fristbrudd",
            PathwayShare::Involvement => "involvement_in_treatment_plan",
            PathwayShare::FeedbackTool => "feedback_tool_used",
        }
    }
}

impl Internal {
    pub const ALL: [Internal; 16] = [
        Internal::MonitoringDeaths,
        Internal::MonitoringPrescriptions,
        Internal::MonitoringOverdoses,
        Internal::DrugcheckSamples,
        Internal::WarningsIssued,
        Internal::Pathway(PathwayShare::Fristbrudd),
        Internal::Pathway(PathwayShare::Involvement),
        Internal::Pathway(PathwayShare::FeedbackTool),
        Internal::AdvisoryCases,
        Internal::AdvisoryShareCompleted,
        Internal::Coordination(CoordinationShare::Plan),
        Internal::Coordination(CoordinationShare::Coordinator),
        Internal::Coordination(CoordinationShare::Group),
        Internal::Coordination(CoordinationShare::Evaluated),
        Internal::DischargeNoHome,
        Internal::OverdoseContactInWeek,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Internal::MonitoringDeaths => "monitoring_deaths",
            Internal::MonitoringPrescriptions => "monitoring_prescriptions",
            Internal::MonitoringOverdoses => "monitoring_overdoses",
            Internal::DrugcheckSamples => "drugcheck_samples",
            Internal::WarningsIssued => "warnings_issued",
            Internal::Pathway(PathwayShare::Fristbrudd) => "pathways_fristbrudd",
            Internal::Pathway(PathwayShare::Involvement) => "pathways_involvement",
            Internal::Pathway(PathwayShare::FeedbackTool) => "pathways_feedback_tool",
            Internal::AdvisoryCases => "advisory_cases",
            Internal::AdvisoryShareCompleted => "advisory_share_completed",
            Internal::Coordination(CoordinationShare::Plan) => "coordination_plan",
            Internal::Coordination(CoordinationShare::Coordinator) => "coordination_coordinator",
            Internal::Coordination(CoordinationShare::Group) => "coordination_group",
            Internal::Coordination(CoordinationShare::Evaluated) => "coordination_evaluated",
            Internal::DischargeNoHome => "discharge_no_home",
            Internal::OverdoseContactInWeek => "overdose_followup_contact",
        }
    }

    pub fn parse(v: &str) -> Option<Internal> {
        Internal::ALL.into_iter().find(|i| i.as_str() == v.trim())
    }
}

/// An indicator that follows a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorDef {
    pub id: String,
    pub plan: String,
    pub goal: String,
    pub name_nb: String,
    pub name_en: String,
    pub source: Source,
    pub unit_nb: String,
    pub unit_en: String,
    pub direction: Direction,
    pub level: Level,
    /// Whether a value counts people (then values of 1–4 are suppressed).
    pub counts_people: bool,
    /// Read from inside Varde (values are then not imported).
    pub internal: Option<Internal>,
}

impl IndicatorDef {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_nb
        }
    }

    pub fn unit(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.unit_en
        } else {
            &self.unit_nb
        }
    }
}

/// A rating a source document gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRating {
    pub goal: String,
    pub year: i16,
    pub rating: Rating,
    pub reason: String,
    /// Who set it: the document and its line.
    pub set_by: String,
}

fn rows(text: &str) -> Result<Vec<csv::StringRecord>, FieldError> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .map_err(|e| FieldError::new("file", format!("a plan's data file: {e}")))
}

fn num(field: &'static str, v: &str) -> Result<i64, FieldError> {
    v.trim()
        .parse()
        .map_err(|_| FieldError::new(field, "a whole number"))
}

fn cell(r: &csv::StringRecord, i: usize) -> String {
    r.get(i).unwrap_or("").trim().to_owned()
}

/// The 2024 reform from its reference file (goals numbered within their focus area).
fn reform() -> Result<Plan, FieldError> {
    let mut plan = Plan {
        id: REFORM_ID.into(),
        name_nb: "Forebyggings- og behandlingsreformen (Meld. St. 5 (2024–2025))".into(),
        name_en: "The prevention and treatment reform (Meld. St. 5 (2024–2025))".into(),
        first_year: 2025,
        last_year: 2034,
        focus_kind: "focus_area".into(),
        goal_kind: "result_goal".into(),
        source: "Meld. St. 5 (2024–2025), seeds/000_1edaabd37e22e3f6.txt".into(),
        focus_areas: Vec::new(),
        goals: Vec::new(),
        measures: Vec::new(),
        indicators: Vec::new(),
        ratings: Vec::new(),
    };
    for r in rows(REFORM)? {
        let no = num("focus_area_no", &cell(&r, 0))?;
        let line = num("source_line", &cell(&r, 4))?;
        if plan.focus(no).is_none() {
            plan.focus_areas.push(FocusArea {
                no,
                name: cell(&r, 1),
                source_line: line,
            });
        }
        let n = plan.goals.iter().filter(|g| g.focus == no).count() + 1;
        plan.goals.push(Goal {
            id: format!("{no}.{n}"),
            focus: no,
            text: cell(&r, 3),
            source_line: line,
        });
    }
    Ok(plan)
}

/// The 2007–2012 escalation plan: main goals as focus areas, sub-goals with their ratings.
fn escalation() -> Result<Plan, FieldError> {
    let mut plan = Plan {
        id: ESCALATION_ID.into(),
        name_nb: "Opptrappingsplanen for rusfeltet 2007–2012".into(),
        name_en: "The escalation plan for the substance-use field 2007–2012".into(),
        first_year: 2007,
        last_year: 2012,
        focus_kind: "main_goal".into(),
        goal_kind: "sub_goal".into(),
        source: "Helsedirektoratet: Opptrappingsplanen for rusfeltet – resultatrapport, seeds/003_c7439a1d68525817.txt".into(),
        focus_areas: Vec::new(),
        goals: Vec::new(),
        measures: Vec::new(),
        indicators: Vec::new(),
        ratings: Vec::new(),
    };
    for r in rows(ESCALATION)? {
        let no = num("main_goal_no", &cell(&r, 0))?;
        if plan.focus(no).is_none() {
            plan.focus_areas.push(FocusArea {
                no,
                name: cell(&r, 1),
                source_line: num("main_goal_line", &cell(&r, 2))?,
            });
        }
        let id = cell(&r, 3);
        let line = num("source_line", &cell(&r, 7))?;
        plan.ratings.push(SourceRating {
            goal: id.clone(),
            year: plan.last_year,
            rating: Rating::parse("rating", &cell(&r, 5))?,
            reason: cell(&r, 6),
            set_by: format!("Helsedirektoratet, sluttrapport (seeds/003, linje {line})"),
        });
        plan.goals.push(Goal {
            id,
            focus: no,
            text: cell(&r, 4),
            source_line: line,
        });
    }
    Ok(plan)
}

fn indicator(r: &csv::StringRecord) -> Result<IndicatorDef, FieldError> {
    Ok(IndicatorDef {
        id: cell(r, 0),
        plan: cell(r, 1),
        goal: cell(r, 2),
        name_nb: cell(r, 3),
        name_en: cell(r, 4),
        source: Source::parse("source", &cell(r, 5))?,
        unit_nb: cell(r, 6),
        unit_en: cell(r, 7),
        direction: Direction::parse("direction", &cell(r, 8))?,
        level: Level::parse("level", &cell(r, 9))?,
        counts_people: cell(r, 10) == "true",
        internal: match cell(r, 11).as_str() {
            "" => None,
            v => Some(
                Internal::parse(v).ok_or_else(|| FieldError::new("internal", "a part of Varde"))?,
            ),
        },
    })
}

/// Both plans with their measures and indicators. The data files are part of the program, so
/// an error here is a broken build (a test reads them).
pub fn builtin() -> Result<Vec<Plan>, FieldError> {
    let mut plans = vec![reform()?, escalation()?];
    for r in rows(MEASURES)? {
        let plan_id = cell(&r, 0);
        let Some(plan) = plans.iter_mut().find(|p| p.id == plan_id) else {
            return Err(FieldError::new("plan", "a measure of no plan"));
        };
        let goal = cell(&r, 1);
        if plan.goal(&goal).is_none() {
            return Err(FieldError::new("goal", "a measure of no goal"));
        }
        plan.measures.push(Measure {
            goal,
            no: num("no", &cell(&r, 2))?,
            text: cell(&r, 3),
            owner: cell(&r, 4),
            source_line: num("source_line", &cell(&r, 5))?,
        });
    }
    for r in rows(INDICATORS)? {
        let def = indicator(&r)?;
        let Some(plan) = plans.iter_mut().find(|p| p.id == def.plan) else {
            return Err(FieldError::new("plan", "an indicator of no plan"));
        };
        if plan.goal(&def.goal).is_none() {
            return Err(FieldError::new("goal", "an indicator of no goal"));
        }
        plan.indicators.push(def);
    }
    Ok(plans)
}
