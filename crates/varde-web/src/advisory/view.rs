//! A case as the page and `GET /api/v1/advisory/cases/{id}` show it: the people (with the age
//! today, computed, never stored), the condition and where its rules come from, the meetings
//! (what each was, whether the guardians were summoned that day — and the assessment and the
//! advice only for a user with a clinical role), consent and its history, tests, outreach,
//! referrals, the report (sent, or as it would be sent today) and the closing.

use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;
use varde_core::advisory::{age_on, Case, OutreachMinimum, Report};

/// The report to the prosecution: whether the condition was completed, the meetings required
/// and attended, and for drug testing whether it was complied with. Nothing clinical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReportDoc {
    pub completed: bool,
    pub meetings_required: u8,
    pub meetings_attended: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub testing: Option<TestingComplied>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TestingComplied {
    pub complied: bool,
}

impl From<&Report> for ReportDoc {
    fn from(r: &Report) -> Self {
        ReportDoc {
            completed: r.completed,
            meetings_required: r.meetings_required,
            meetings_attended: r.meetings_attended,
            testing: r.testing.as_ref().map(|t| TestingComplied {
                complied: t.complied,
            }),
        }
    }
}
use varde_core::calendar::day_in_oslo;
use varde_store::StoredCase;

use crate::display;

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub guardian: bool,
    /// None: an anonymous contact.
    pub name: Option<String>,
    /// Whether the person is in the organisation's person register.
    pub registered: bool,
    /// The age today (the person only; computed from the register's birth date).
    pub age: Option<i16>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingView {
    pub number: u32,
    /// RFC 3339.
    pub planned_at: String,
    /// The wall time in Oslo (`05.01.2027 10:00`).
    #[serde(skip)]
    pub shown_at: String,
    pub place: String,
    /// `attended`, `not_attended`, `cancelled`, `remote`; none while not recorded.
    pub status: Option<String>,
    /// `information` or `health_care`, once held.
    pub kind: Option<String>,
    pub reason: Option<String>,
    /// Whether the person's guardians are summoned to it (under 18 on its day).
    pub guardians_summoned: bool,
    /// Health care (clinical roles only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
    /// Whether its day has come (attendance may be recorded).
    #[serde(skip)]
    pub due: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    pub on: String,
    pub given: bool,
    pub scope: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestView {
    pub on: String,
    pub result: String,
    pub substances: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutreachView {
    pub on: String,
    pub means: String,
    pub outcome: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralView {
    pub on: String,
    pub to: String,
    pub consent: bool,
    /// A notice of concern to child welfare (overrides consent).
    pub concern: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub route: String,
    pub legal_basis: String,
    pub opened_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionView>,
    pub people: Vec<PersonView>,
    pub meetings: Vec<MeetingView>,
    pub meetings_attended: u32,
    /// Consent in force: its scope; none without.
    pub consent: Option<String>,
    pub consent_history: Vec<ConsentView>,
    pub tests: Vec<TestView>,
    pub outreach: Vec<OutreachView>,
    /// Whether the unit's minimum outreach is documented.
    pub outreach_done: bool,
    pub referrals: Vec<ReferralView>,
    /// The day the report was sent, and what it said.
    pub report_sent_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportDoc>,
    pub closed_on: Option<String>,
    pub outcome: Option<String>,
    /// Whether the assessment and advice of health-care meetings are shown (clinical role).
    pub health_care_shown: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    pub reference: String,
    pub decided_on: String,
    pub meetings_required: u8,
    pub period_end: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drug_testing: Option<TestingView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestingView {
    pub test_type: String,
    pub interval_days: u16,
    pub until: String,
}

/// The view of a case on `today`; `health`: the user may read health-care content.
pub fn case_view(
    stored: &StoredCase,
    case: &Case,
    today: Date,
    health: bool,
    min: OutreachMinimum,
) -> CaseView {
    let d = case.opening.decision.as_ref();
    CaseView {
        id: stored.id,
        route: case.opening.route.as_str().to_owned(),
        legal_basis: case.opening.legal_basis.clone(),
        opened_on: case.opening.opened_on.to_string(),
        decision: d.map(|d| DecisionView {
            reference: d.reference.clone(),
            decided_on: d.decided_on.to_string(),
            meetings_required: d.meetings_required,
            period_end: d.period_end.to_string(),
            drug_testing: d.drug_testing.as_ref().map(|t| TestingView {
                test_type: t.test_type.as_str().to_owned(),
                interval_days: t.interval_days,
                until: t.until.to_string(),
            }),
        }),
        people: stored
            .people
            .iter()
            .map(|p| PersonView {
                guardian: p.guardian,
                name: p.name.clone(),
                registered: p.person_id.is_some(),
                age: (!p.guardian)
                    .then(|| p.birth_date.as_deref().and_then(|b| b.parse::<Date>().ok()))
                    .flatten()
                    .map(|b| age_on(b, today)),
            })
            .collect(),
        meetings: case
            .meetings
            .iter()
            .map(|m| MeetingView {
                number: m.number,
                planned_at: m.planned_at.to_string(),
                shown_at: display::minute(m.planned_at),
                place: m.place.clone(),
                status: m.status.map(|s| s.as_str().to_owned()),
                kind: m.kind.map(|k| k.as_str().to_owned()),
                reason: m.reason.clone(),
                guardians_summoned: case.guardians_summoned_on(day_in_oslo(m.planned_at)),
                assessment: m.assessment.clone().filter(|_| health),
                advice: m.advice.clone().filter(|_| health),
                due: day_in_oslo(m.planned_at) <= today,
            })
            .collect(),
        meetings_attended: case.meetings_attended(),
        consent: case.consent.as_ref().map(|c| c.scope.clone()),
        consent_history: case
            .consent_history
            .iter()
            .map(|(on, given, scope)| ConsentView {
                on: on.to_string(),
                given: *given,
                scope: scope.clone(),
            })
            .collect(),
        tests: case
            .tests
            .iter()
            .map(|(on, r, s)| TestView {
                on: on.to_string(),
                result: r.as_str().to_owned(),
                substances: s.clone(),
            })
            .collect(),
        outreach: case
            .outreach
            .iter()
            .map(|(on, m, o)| OutreachView {
                on: on.to_string(),
                means: m.as_str().to_owned(),
                outcome: o.as_str().to_owned(),
            })
            .collect(),
        outreach_done: case.outreach_done(min),
        referrals: case
            .referrals
            .iter()
            .map(|(on, to, consent)| ReferralView {
                on: on.to_string(),
                to: to.as_str().to_owned(),
                consent: *consent,
                concern: *to == varde_core::advisory::ReferralTo::ChildWelfare,
            })
            .collect(),
        report_sent_on: case.report_sent.as_ref().map(|(d, _)| d.to_string()),
        report: case.report_sent.as_ref().map(|(_, r)| ReportDoc::from(r)),
        closed_on: case.closed.map(|(d, _)| d.to_string()),
        outcome: case.closed.map(|(_, o)| o.as_str().to_owned()),
        health_care_shown: health,
    }
}
