//! The typed events of the pathway CSV contract.

use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Level of care of the pathway at an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareLevel {
    /// Poliklinikk.
    Outpatient,
    /// Døgnenhet.
    Inpatient,
}

impl CareLevel {
    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            CareLevel::Outpatient => "outpatient",
            CareLevel::Inpatient => "inpatient",
        }
    }

    /// Parses the contract name.
    pub fn parse(s: &str) -> Option<CareLevel> {
        match s {
            "outpatient" => Some(CareLevel::Outpatient),
            "inpatient" => Some(CareLevel::Inpatient),
            _ => None,
        }
    }
}

impl fmt::Display for CareLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The pathway variant, which selects the time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// The TSB pathway.
    #[default]
    Standard,
    /// The shorter pathway for pregnant women who use drugs ("Gravide og rusmidler").
    Pregnant,
}

impl Variant {
    /// Parses the optional `pathway_variant` column (empty means standard).
    pub fn parse(s: &str) -> Option<Variant> {
        match s {
            "" | "standard" => Some(Variant::Standard),
            "pregnant" => Some(Variant::Pregnant),
            _ => None,
        }
    }
}

/// The event of one CSV row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Referral received (henvisning mottatt).
    ReferralReceived,
    /// Referral assessed (henvisning vurdert), outcome `right` or `no_right`.
    ReferralAssessed,
    /// Nasjonalt pasientforløp start.
    PathwayStart,
    /// First attendance (første fremmøte / første samtale).
    FirstAttendance,
    /// A diagnosis set: an ICD-10 code of mental and behavioural disorders due to psychoactive
    /// substance use (F10–F19) in the outcome column. The latest on or before the first
    /// attendance gives the pathway's primary drug in the EU drugs agency's treatment demand
    /// indicator.
    Diagnosis,
    /// Clinical decision (klinisk beslutning) with its decision code.
    ClinicalDecision,
    /// End of detox (avsluttet avrusning).
    DetoxEnd,
    /// Start of further treatment after detox.
    TreatmentStart,
    /// Evaluation (evaluering).
    Evaluation,
    /// The patient took part in making the treatment plan.
    TreatmentPlanInvolvement,
    /// A feedback tool (e.g. FIT/KOR) was used.
    FeedbackToolUsed,
    /// End of pathway (avslutning) with its reason.
    PathwayEnd,
}

impl EventKind {
    /// Every event kind, in the canonical order used for same-day events.
    pub const ALL: [EventKind; 12] = [
        EventKind::ReferralReceived,
        EventKind::ReferralAssessed,
        EventKind::PathwayStart,
        EventKind::FirstAttendance,
        EventKind::Diagnosis,
        EventKind::ClinicalDecision,
        EventKind::DetoxEnd,
        EventKind::TreatmentStart,
        EventKind::Evaluation,
        EventKind::TreatmentPlanInvolvement,
        EventKind::FeedbackToolUsed,
        EventKind::PathwayEnd,
    ];

    /// The contract name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ReferralReceived => "referral_received",
            EventKind::ReferralAssessed => "referral_assessed",
            EventKind::PathwayStart => "pathway_start",
            EventKind::FirstAttendance => "first_attendance",
            EventKind::Diagnosis => "diagnosis",
            EventKind::ClinicalDecision => "clinical_decision",
            EventKind::DetoxEnd => "detox_end",
            EventKind::TreatmentStart => "treatment_start",
            EventKind::Evaluation => "evaluation",
            EventKind::TreatmentPlanInvolvement => "treatment_plan_involvement",
            EventKind::FeedbackToolUsed => "feedback_tool_used",
            EventKind::PathwayEnd => "pathway_end",
        }
    }

    /// Parses the contract name.
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The registrations made about a pathway rather than steps of it (user involvement and
    /// feedback tool); they may be recorded after the pathway's end.
    pub fn is_registration(self) -> bool {
        matches!(
            self,
            EventKind::TreatmentPlanInvolvement | EventKind::FeedbackToolUsed
        )
    }

    /// Events that occur at most once per pathway; a second one is a duplicate whatever its date.
    pub fn is_unique(self) -> bool {
        matches!(
            self,
            EventKind::ReferralReceived | EventKind::ReferralAssessed | EventKind::PathwayEnd
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome letters of a clinical decision (klinisk beslutning), as in the national codes
/// (`D01` + `C` + letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DecisionCode {
    /// `CU` extended assessment needed.
    CU,
    /// `CP` treatment in mental health care.
    CP,
    /// `CT` treatment in TSB.
    CT,
    /// `CS` other specialist care.
    CS,
    /// `CK` GP or municipal services.
    CK,
    /// `CA` other agencies.
    CA,
    /// `CI` no further need.
    CI,
}

impl DecisionCode {
    /// All decision codes.
    pub const ALL: [DecisionCode; 7] = [
        DecisionCode::CU,
        DecisionCode::CP,
        DecisionCode::CT,
        DecisionCode::CS,
        DecisionCode::CK,
        DecisionCode::CA,
        DecisionCode::CI,
    ];

    /// The two letters.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionCode::CU => "CU",
            DecisionCode::CP => "CP",
            DecisionCode::CT => "CT",
            DecisionCode::CS => "CS",
            DecisionCode::CK => "CK",
            DecisionCode::CA => "CA",
            DecisionCode::CI => "CI",
        }
    }

    /// Parses the two letters.
    pub fn parse(s: &str) -> Option<DecisionCode> {
        DecisionCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The full national code for a TSB pathway, e.g. `D01CT`.
    pub fn national_code(self) -> &'static str {
        match self {
            DecisionCode::CU => "D01CU",
            DecisionCode::CP => "D01CP",
            DecisionCode::CT => "D01CT",
            DecisionCode::CS => "D01CS",
            DecisionCode::CK => "D01CK",
            DecisionCode::CA => "D01CA",
            DecisionCode::CI => "D01CI",
        }
    }

    /// The Norwegian code text.
    pub fn text_nb(self) -> &'static str {
        match self {
            DecisionCode::CU => "Behov for utvidet utredning",
            DecisionCode::CP => "Behov for behandling innen psykisk helsevern",
            DecisionCode::CT => "Behov for behandling innen TSB",
            DecisionCode::CS => {
                "Behov for behandling fra annen spesialisthelsetjeneste (ikke psykisk helsevern eller TSB)"
            }
            DecisionCode::CK => {
                "Behov for behandling og/eller oppfølging fra fastlege, kommunal helse- og omsorgstjeneste"
            }
            DecisionCode::CA => {
                "Behov for oppfølging fra andre instanser som NAV, PPT, arbeidsgiver, skole, barnevern m.m."
            }
            DecisionCode::CI => "Ikke behov for videre behandling og/eller oppfølging",
        }
    }
}

/// The outcome column, typed by event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// `referral_assessed`: the right to necessary health care was given.
    Right,
    /// `referral_assessed`: no right.
    NoRight,
    /// `clinical_decision`: the decision code.
    Decision(DecisionCode),
    /// `pathway_end`: the end reason (free text, non-empty).
    EndReason(Arc<str>),
    /// `diagnosis`: the ICD-10 code, F10–F19 with or without its subdivision (`F11.2`),
    /// in capitals.
    Diagnosis(Arc<str>),
}

impl Outcome {
    /// The outcome column's text: `right`, `no_right`, a decision's two letters, the reason or
    /// the diagnosis code.
    pub fn as_str(&self) -> &str {
        match self {
            Outcome::Right => "right",
            Outcome::NoRight => "no_right",
            Outcome::Decision(d) => d.as_str(),
            Outcome::EndReason(r) => r,
            Outcome::Diagnosis(c) => c,
        }
    }
}

/// One pathway event (one CSV row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Line in the source file (header = line 1); 0 when not read from a file.
    pub line: u64,
    /// The pathway's identifier.
    pub pathway_id: Arc<str>,
    /// The unit (avdeling/poliklinikk).
    pub unit: Arc<str>,
    /// The health trust (HF).
    pub hf: Arc<str>,
    /// The regional health authority (RHF).
    pub rhf: Arc<str>,
    /// The patient's municipality number (may be empty).
    pub kommune: Arc<str>,
    /// The pathway's level of care at this event.
    pub care_level: CareLevel,
    /// The event.
    pub kind: EventKind,
    /// The event date.
    pub date: Date,
    /// The national code, when given.
    pub code: Option<Arc<str>>,
    /// The outcome, for `referral_assessed`, `clinical_decision` and `pathway_end`.
    pub outcome: Option<Outcome>,
    /// The legal deadline (juridisk frist), for `referral_assessed` with a right.
    pub deadline: Option<Date>,
    /// The pathway variant (standard unless the optional `pathway_variant` column says so).
    pub variant: Variant,
}

impl Event {
    /// A builder-style constructor for tests and for callers that are not reading a file.
    pub fn new(
        pathway_id: &str,
        unit: &str,
        care_level: CareLevel,
        kind: EventKind,
        date: Date,
    ) -> Event {
        Event {
            line: 0,
            pathway_id: Arc::from(pathway_id),
            unit: Arc::from(unit),
            hf: Arc::from(format!("{unit} HF")),
            rhf: Arc::from(format!("{unit} RHF")),
            kommune: Arc::from(""),
            care_level,
            kind,
            date,
            code: None,
            outcome: None,
            deadline: None,
            variant: Variant::Standard,
        }
    }

    /// Sets the organisation (unit, HF, RHF).
    pub fn at(mut self, unit: &str, hf: &str, rhf: &str) -> Event {
        self.unit = Arc::from(unit);
        self.hf = Arc::from(hf);
        self.rhf = Arc::from(rhf);
        self
    }

    /// Sets the outcome.
    pub fn with_outcome(mut self, outcome: Outcome) -> Event {
        self.outcome = Some(outcome);
        self
    }

    /// Sets the legal deadline.
    pub fn with_deadline(mut self, deadline: Date) -> Event {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the line number.
    pub fn with_line(mut self, line: u64) -> Event {
        self.line = line;
        self
    }

    /// Sets the variant.
    pub fn with_variant(mut self, variant: Variant) -> Event {
        self.variant = variant;
        self
    }

    /// True when this is a `referral_assessed` that gave a right.
    pub fn gives_right(&self) -> bool {
        self.kind == EventKind::ReferralAssessed && self.outcome == Some(Outcome::Right)
    }
}

/// The ICD-10 categories of mental and behavioural disorders due to psychoactive substance use
/// (code, bokmål, English): what a `diagnosis` names, and what the forms offer.
pub const SUBSTANCE_DIAGNOSES: [(&str, &str, &str); 10] = [
    ("F10", "alkohol", "alcohol"),
    ("F11", "opioider", "opioids"),
    ("F12", "cannabinoider", "cannabinoids"),
    ("F13", "sedativer eller hypnotika", "sedatives or hypnotics"),
    ("F14", "kokain", "cocaine"),
    (
        "F15",
        "andre sentralstimulerende midler",
        "other stimulants",
    ),
    ("F16", "hallusinogener", "hallucinogens"),
    ("F17", "tobakk", "tobacco"),
    ("F18", "flyktige løsemidler", "volatile solvents"),
    (
        "F19",
        "flere eller andre psykoaktive stoffer",
        "multiple or other psychoactive substances",
    ),
];

/// An ICD-10 code of mental and behavioural disorders due to psychoactive substance use
/// (F10–F19), with or without its subdivision (`F11`, `F11.2`, `F11.21`), in capitals; `None`
/// for anything else.
pub fn substance_diagnosis(s: &str) -> Option<String> {
    let code = s.trim().to_ascii_uppercase();
    let b = code.as_bytes();
    let head = b.len() >= 3 && b[0] == b'F' && b[1] == b'1' && b[2].is_ascii_digit();
    let tail = match &b[3.min(b.len())..] {
        [] => true,
        [b'.', rest @ ..] => (1..=2).contains(&rest.len()) && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    (head && tail).then_some(code)
}
