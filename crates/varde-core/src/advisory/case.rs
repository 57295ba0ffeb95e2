//! A case after it opened: the entries recorded on it ([`Entry`], stored in order) and the
//! state they fold into ([`Case`]), with the rule each entry must keep ([`Case::check`]) and
//! the report to the prosecution ([`Case::report`]).
//!
//! **Consent changes what a meeting is.** Without consent in force a meeting is information
//! only (the ban, the consequences, the help available); with it, health care — a needs
//! assessment (kartlegging) and tailored advice — and only then may the meeting carry an
//! assessment and advice, which only clinical staff read. Consent is given (with its scope and
//! day) and withdrawn; each change is an entry.
//!
//! **Tests under a condition are control, not health care** (Meld. St. 5 (2024–2025) ch. 5,
//! seeds `000_…txt` line 766): a test is refused on a case without a testing condition.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{is_child_on, Opening};
use crate::calendar::day_in_oslo;
use crate::fields::{self, FieldError};
use crate::substances;

/// The longest free text of an entry (a place, a reason, a scope), in characters.
pub const TEXT_MAX: usize = 200;
/// The longest assessment or advice of a health-care meeting, in characters.
pub const NOTES_MAX: usize = 4000;

pub use super::codes::*;

/// The unit's minimum outreach before a case may close as not completed.
///
/// The default is two attempts by two different means. One attempt proves little: a letter
/// may go to an old address or be read by someone else in the household, a phone may be
/// switched off or the number changed. Two attempts through two different channels give the
/// person two real chances to answer without asking more of a small unit than it can do for
/// every case, and a unit that wants more (a home visit, the outreach workers) sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutreachMinimum {
    pub attempts: u8,
    pub distinct_means: u8,
}

impl OutreachMinimum {
    /// A unit's own minimum: 1–10 attempts, by 1–4 different means (no more means than
    /// attempts; there are four means).
    pub fn new(attempts: i64, distinct_means: i64) -> Result<OutreachMinimum, FieldError> {
        if !(1..=10).contains(&attempts) {
            return Err(FieldError::new("min_attempts", "1 to 10 attempts"));
        }
        if !(1..=4).contains(&distinct_means) || distinct_means > attempts {
            return Err(FieldError::new(
                "min_means",
                "1 to 4 different means, and not more than the attempts",
            ));
        }
        Ok(OutreachMinimum {
            attempts: attempts as u8,
            distinct_means: distinct_means as u8,
        })
    }
}

impl Default for OutreachMinimum {
    fn default() -> Self {
        OutreachMinimum {
            attempts: 2,
            distinct_means: 2,
        }
    }
}

/// One thing recorded on a case, in the order recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    MeetingPlanned {
        planned_at: Timestamp,
        place: String,
    },
    Attendance {
        /// The meeting's number (1, 2, …).
        meeting: u32,
        status: AttendanceStatus,
        /// Consent given (`true`) or withdrawn (`false`) at the meeting; none: unchanged.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// Health care only: the needs assessment (kartlegging).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assessment: Option<String>,
        /// Health care only: the advice given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advice: Option<String>,
    },
    Consent {
        on: Date,
        given: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
    Test {
        on: Date,
        result: TestResult,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        substances: Vec<String>,
    },
    Outreach {
        on: Date,
        means: OutreachMeans,
        outcome: OutreachOutcome,
    },
    ReportSent {
        on: Date,
        report: Report,
    },
    Referral {
        on: Date,
        to: ReferralTo,
        consent: bool,
    },
    Closed {
        on: Date,
        outcome: ClosingOutcome,
    },
}

impl Entry {
    /// The entry's kind, `advisory.{verb}`.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::MeetingPlanned { .. } => "advisory.meeting_planned",
            Entry::Attendance { .. } => "advisory.attendance",
            Entry::Consent { .. } => "advisory.consent",
            Entry::Test { .. } => "advisory.test",
            Entry::Outreach { .. } => "advisory.outreach",
            Entry::ReportSent { .. } => "advisory.report_sent",
            Entry::Referral { .. } => "advisory.referral",
            Entry::Closed { .. } => "advisory.closed",
        }
    }

    /// Whether the entry holds health-care content (read by clinical staff only).
    pub fn is_health_care(&self) -> bool {
        matches!(self, Entry::Attendance { assessment, advice, .. } if assessment.is_some() || advice.is_some())
    }
}

/// What the unit reports to the prosecution: nothing clinical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub completed: bool,
    pub meetings_required: u8,
    pub meetings_attended: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub testing: Option<TestingReport>,
}

/// Whether the drug-testing condition was complied with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestingReport {
    pub complied: bool,
}

/// A planned meeting and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    pub number: u32,
    pub planned_at: Timestamp,
    pub place: String,
    pub status: Option<AttendanceStatus>,
    pub reason: Option<String>,
    /// What the meeting was, once held.
    pub kind: Option<MeetingKind>,
    pub assessment: Option<String>,
    pub advice: Option<String>,
}

/// Consent in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentNow {
    pub since: Date,
    pub scope: String,
}

/// The default scope of consent given at a meeting.
pub const DEFAULT_SCOPE: &str = "kartlegging og råd ved enheten";

/// A case: its opening and the fold of its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub opening: Opening,
    /// The person's birth date, when known (from the identity number): age is computed from it
    /// on the day of each event.
    pub birth_date: Option<Date>,
    pub guardians: usize,
    pub meetings: Vec<Meeting>,
    pub consent: Option<ConsentNow>,
    /// Every consent change: (day, given, scope).
    pub consent_history: Vec<(Date, bool, String)>,
    pub tests: Vec<(Date, TestResult, Vec<String>)>,
    pub outreach: Vec<(Date, OutreachMeans, OutreachOutcome)>,
    pub referrals: Vec<(Date, ReferralTo, bool)>,
    pub report_sent: Option<(Date, Report)>,
    pub closed: Option<(Date, ClosingOutcome)>,
}

fn not_after_today(field: &'static str, d: Date, today: Date) -> Result<(), FieldError> {
    if d > today {
        return Err(FieldError::new(
            field,
            format!("a date that has happened: not after today ({today})"),
        ));
    }
    Ok(())
}

impl Case {
    pub fn new(opening: Opening, birth_date: Option<Date>, guardians: usize) -> Case {
        Case {
            opening,
            birth_date,
            guardians,
            meetings: Vec::new(),
            consent: None,
            consent_history: Vec::new(),
            tests: Vec::new(),
            outreach: Vec::new(),
            referrals: Vec::new(),
            report_sent: None,
            closed: None,
        }
    }

    /// Folds stored entries (checked when they were recorded) into the case.
    pub fn replay(
        opening: Opening,
        birth: Option<Date>,
        guardians: usize,
        entries: &[Entry],
    ) -> Case {
        let mut case = Case::new(opening, birth, guardians);
        for e in entries {
            case.apply(e);
        }
        case
    }

    /// Folds a case as stored (the opening and each entry as JSON, the person's birth date
    /// `YYYY-MM-DD`) — the one reading of stored rows the case pages, the erasure and the
    /// results area's aggregate all use. The error names the part that does not read.
    pub fn from_stored<'a>(
        opening: &str,
        birth: Option<&str>,
        guardians: usize,
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<Case, &'static str> {
        let opening: Opening = serde_json::from_str(opening).map_err(|_| "opening")?;
        let birth = birth.and_then(|b| b.parse::<Date>().ok());
        let entries = entries
            .into_iter()
            .map(|e| serde_json::from_str::<Entry>(e).map_err(|_| "entry"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Case::replay(opening, birth, guardians, &entries))
    }

    /// Whether the person is a child on `day`.
    pub fn is_child_on(&self, day: Date) -> bool {
        is_child_on(self.birth_date, day)
    }

    /// Whether the guardians are summoned to a meeting on `day`: the person is under 18 that
    /// day and has guardians recorded. From their 18th birthday they are not.
    pub fn guardians_summoned_on(&self, day: Date) -> bool {
        self.guardians > 0 && self.is_child_on(day)
    }

    /// Meetings the person met the unit at (attended or remote).
    pub fn meetings_attended(&self) -> u32 {
        self.meetings
            .iter()
            .filter(|m| m.status.is_some_and(AttendanceStatus::met))
            .count() as u32
    }

    /// The meetings the person did not come to.
    pub fn missed(&self) -> impl Iterator<Item = &Meeting> {
        self.meetings
            .iter()
            .filter(|m| m.status == Some(AttendanceStatus::NotAttended))
    }

    /// Whether the unit's minimum outreach is documented.
    pub fn outreach_done(&self, min: OutreachMinimum) -> bool {
        let mut means: Vec<OutreachMeans> = self.outreach.iter().map(|o| o.1).collect();
        means.sort_by_key(|m| m.as_str());
        means.dedup();
        self.outreach.len() >= usize::from(min.attempts)
            && means.len() >= usize::from(min.distinct_means)
    }

    /// Whether the drug-testing condition was complied with: at least one test delivered, and
    /// none positive or not delivered. An invalid sample counts for neither side (the unit
    /// takes a new one).
    pub fn testing_complied(&self) -> bool {
        self.tests
            .iter()
            .any(|t| matches!(t.1, TestResult::Negative | TestResult::Positive))
            && !self
                .tests
                .iter()
                .any(|t| matches!(t.1, TestResult::Positive | TestResult::NotDelivered))
    }

    /// The report to the prosecution as it would be sent on `today`. Refused for a case without
    /// a condition, before the period ends, and while a planned meeting's attendance is not
    /// recorded.
    pub fn report(&self, today: Date) -> Result<Report, FieldError> {
        let Some(d) = &self.opening.decision else {
            return Err(FieldError::new(
                "route",
                "only a case with a condition from the prosecution is reported on",
            ));
        };
        if today <= d.period_end {
            return Err(FieldError::new(
                "period_end",
                "the report is sent after the condition's period has ended",
            ));
        }
        if let Some(m) = self.meetings.iter().find(|m| m.status.is_none()) {
            let _ = m;
            return Err(FieldError::new(
                "meetings",
                "every planned meeting's attendance is recorded before the report",
            ));
        }
        Ok(Report {
            completed: self.meetings_attended() >= u32::from(d.meetings_required),
            meetings_required: d.meetings_required,
            meetings_attended: self.meetings_attended(),
            testing: d.drug_testing.as_ref().map(|_| TestingReport {
                complied: self.testing_complied(),
            }),
        })
    }

    /// Checks an entry against the case as it stands on `today`, with the unit's minimum
    /// outreach. Returns the entry as it will be stored (a report filled in, substances
    /// resolved to the reference list's ids).
    pub fn check(
        &self,
        entry: Entry,
        today: Date,
        min: OutreachMinimum,
    ) -> Result<Entry, FieldError> {
        if self.closed.is_some() {
            return Err(FieldError::new("case", "the case is closed"));
        }
        // A case begins at its decision (registered in Varde perhaps later), or when it opened.
        let opened = self
            .opening
            .decision
            .as_ref()
            .map_or(self.opening.opened_on, |d| d.decided_on);
        let decision = self.opening.decision.as_ref();
        match entry {
            Entry::MeetingPlanned { planned_at, place } => {
                let day = day_in_oslo(planned_at);
                if let Some(d) = decision {
                    if day < d.decided_on || day > d.period_end {
                        return Err(FieldError::new(
                            "planned_at",
                            "within the condition's period: from the decision to its last day",
                        ));
                    }
                }
                let place = fields::safe_text("place", &place, TEXT_MAX)?
                    .ok_or_else(|| FieldError::new("place", "where the meeting is"))?;
                Ok(Entry::MeetingPlanned { planned_at, place })
            }
            Entry::Attendance {
                meeting,
                status,
                consent,
                reason,
                assessment,
                advice,
            } => {
                let m = meeting
                    .checked_sub(1)
                    .and_then(|i| self.meetings.get(i as usize))
                    .ok_or_else(|| FieldError::new("meeting", "a planned meeting of the case"))?;
                if m.status.is_some() {
                    return Err(FieldError::new(
                        "meeting",
                        "the meeting's attendance is already recorded",
                    ));
                }
                let day = day_in_oslo(m.planned_at);
                if status != AttendanceStatus::Cancelled && day > today {
                    return Err(FieldError::new(
                        "status",
                        "attendance is recorded on or after the meeting's day (a meeting ahead may be cancelled)",
                    ));
                }
                let reason =
                    fields::safe_text("reason", reason.as_deref().unwrap_or(""), TEXT_MAX)?;
                if status == AttendanceStatus::Cancelled && reason.is_none() {
                    return Err(FieldError::new(
                        "reason",
                        "a cancelled meeting has its reason",
                    ));
                }
                if consent.is_some() && !status.met() {
                    return Err(FieldError::new(
                        "consent",
                        "consent is recorded at a meeting the person came to",
                    ));
                }
                let consented = consent.unwrap_or(self.consent.is_some());
                let assessment = fields::safe_text(
                    "assessment",
                    assessment.as_deref().unwrap_or(""),
                    NOTES_MAX,
                )?;
                let advice =
                    fields::safe_text("advice", advice.as_deref().unwrap_or(""), NOTES_MAX)?;
                if (assessment.is_some() || advice.is_some()) && !(consented && status.met()) {
                    return Err(FieldError::new(
                        "assessment",
                        "an assessment and advice are health care: only at a meeting held with consent",
                    ));
                }
                Ok(Entry::Attendance {
                    meeting,
                    status,
                    consent,
                    reason,
                    assessment,
                    advice,
                })
            }
            Entry::Consent { on, given, scope } => {
                not_after_today("on", on, today)?;
                if on < opened {
                    return Err(FieldError::new(
                        "on",
                        "not before the case began (its decision, or the day it opened)",
                    ));
                }
                if given == self.consent.is_some() {
                    return Err(FieldError::new(
                        "given",
                        if given {
                            "consent is already given"
                        } else {
                            "there is no consent to withdraw"
                        },
                    ));
                }
                let scope = fields::safe_text("scope", scope.as_deref().unwrap_or(""), TEXT_MAX)?;
                Ok(Entry::Consent { on, given, scope })
            }
            Entry::Test {
                on,
                result,
                substances,
            } => {
                let Some(t) = decision.and_then(|d| d.drug_testing.as_ref()) else {
                    return Err(FieldError::new(
                        "drug_testing",
                        "the case has no drug-testing condition",
                    ));
                };
                not_after_today("on", on, today)?;
                let from = decision.map_or(opened, |d| d.decided_on);
                if on < from || on > t.until {
                    return Err(FieldError::new(
                        "on",
                        "within the drug-testing condition: from the decision to its last day",
                    ));
                }
                let list = substances::get();
                let mut ids = Vec::new();
                for s in &substances {
                    let found = list.resolve("substances", s)?;
                    if !ids.contains(&found.id) {
                        ids.push(found.id.clone());
                    }
                }
                match (result, ids.is_empty()) {
                    (TestResult::Positive, true) => Err(FieldError::new(
                        "substances",
                        "a positive test names what was found, from the reference list",
                    )),
                    (TestResult::Positive, false) | (_, true) => Ok(Entry::Test {
                        on,
                        result,
                        substances: ids,
                    }),
                    (_, false) => Err(FieldError::new(
                        "substances",
                        "only a positive test names substances",
                    )),
                }
            }
            Entry::Outreach { on, means, outcome } => {
                not_after_today("on", on, today)?;
                if on < opened {
                    return Err(FieldError::new(
                        "on",
                        "not before the case began (its decision, or the day it opened)",
                    ));
                }
                Ok(Entry::Outreach { on, means, outcome })
            }
            Entry::ReportSent { .. } => {
                if self.report_sent.is_some() {
                    return Err(FieldError::new("report", "the report is already sent"));
                }
                let report = self.report(today)?;
                Ok(Entry::ReportSent { on: today, report })
            }
            Entry::Referral { on, to, consent } => {
                not_after_today("on", on, today)?;
                if on < opened {
                    return Err(FieldError::new(
                        "on",
                        "not before the case began (its decision, or the day it opened)",
                    ));
                }
                if to == ReferralTo::ChildWelfare && !self.is_child_on(on) {
                    return Err(FieldError::new(
                        "to",
                        "a notice of concern to child welfare is for a child (under 18 that day)",
                    ));
                }
                Ok(Entry::Referral { on, to, consent })
            }
            Entry::Closed { on, outcome } => {
                not_after_today("on", on, today)?;
                if on < opened {
                    return Err(FieldError::new(
                        "on",
                        "not before the case began (its decision, or the day it opened)",
                    ));
                }
                match (outcome, decision) {
                    (ClosingOutcome::NotCompleted, _) if !self.outreach_done(min) => {
                        Err(FieldError::new(
                            "outcome",
                            format!(
                                "not completed only after the unit's minimum outreach: {} attempts by {} different means",
                                min.attempts, min.distinct_means
                            ),
                        ))
                    }
                    (ClosingOutcome::Completed, Some(d))
                        if self.meetings_attended() < u32::from(d.meetings_required) =>
                    {
                        Err(FieldError::new(
                            "outcome",
                            "completed only when the required meetings were attended",
                        ))
                    }
                    _ => Ok(Entry::Closed { on, outcome }),
                }
            }
        }
    }

    /// Applies a checked (or stored) entry.
    pub fn apply(&mut self, entry: &Entry) {
        match entry {
            Entry::MeetingPlanned { planned_at, place } => {
                let number = self.meetings.len() as u32 + 1;
                self.meetings.push(Meeting {
                    number,
                    planned_at: *planned_at,
                    place: place.clone(),
                    status: None,
                    reason: None,
                    kind: None,
                    assessment: None,
                    advice: None,
                });
            }
            Entry::Attendance {
                meeting,
                status,
                consent,
                reason,
                assessment,
                advice,
            } => {
                let Some(i) = meeting.checked_sub(1) else {
                    return;
                };
                let Some(day) = self
                    .meetings
                    .get(i as usize)
                    .map(|m| day_in_oslo(m.planned_at))
                else {
                    return;
                };
                match consent {
                    Some(true) if self.consent.is_none() => {
                        self.consent = Some(ConsentNow {
                            since: day,
                            scope: DEFAULT_SCOPE.to_owned(),
                        });
                        self.consent_history
                            .push((day, true, DEFAULT_SCOPE.to_owned()));
                    }
                    Some(false) if self.consent.is_some() => {
                        self.consent = None;
                        self.consent_history.push((day, false, String::new()));
                    }
                    _ => {}
                }
                let kind = status.met().then_some(if self.consent.is_some() {
                    MeetingKind::HealthCare
                } else {
                    MeetingKind::Information
                });
                let m = &mut self.meetings[i as usize];
                m.status = Some(*status);
                m.reason.clone_from(reason);
                m.kind = kind;
                m.assessment.clone_from(assessment);
                m.advice.clone_from(advice);
            }
            Entry::Consent { on, given, scope } => {
                let scope = scope.clone().unwrap_or_else(|| DEFAULT_SCOPE.to_owned());
                self.consent = given.then(|| ConsentNow {
                    since: *on,
                    scope: scope.clone(),
                });
                self.consent_history.push((*on, *given, scope));
            }
            Entry::Test {
                on,
                result,
                substances,
            } => self.tests.push((*on, *result, substances.clone())),
            Entry::Outreach { on, means, outcome } => self.outreach.push((*on, *means, *outcome)),
            Entry::ReportSent { on, report } => self.report_sent = Some((*on, report.clone())),
            Entry::Referral { on, to, consent } => self.referrals.push((*on, *to, *consent)),
            Entry::Closed { on, outcome } => self.closed = Some((*on, *outcome)),
        }
    }
}
