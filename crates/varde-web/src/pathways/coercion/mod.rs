//! Coercion under helse- og omsorgstjenesteloven chapter 10 (§§ 10-2, 10-3, 10-4) for TSB
//! institutions: the operations the pages (`pages.rs`), the JSON API (`api.rs`) and the demo
//! data share — [`record`] for every command — and the views of the stays.
//!
//! The rules and the stored event schema are `varde_core::pathways::coercion` (with
//! `command`). Each command is one event in the stream `coercion:{org}:{stay_id}`; a stay is
//! the replay of its stream through the same rules. A write replays the stay, applies the
//! command (a broken rule is a 422 naming the field and the rule) and appends the event with
//! its access-log entry, expecting the stream's last sequence number it read (409 otherwise).

mod api;
mod pages;

use std::collections::BTreeMap;

use axum::Router;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use varde_core::authz::{decide, Action, Subject};
use varde_core::fields::{self, FieldError};
use varde_core::org::{OrgId, Principal};
use varde_core::pathways::coercion::command::{replay_into, CoercionCommand, StayState};
use varde_core::pathways::coercion::due::{due, DueItem};
use varde_core::pathways::coercion::{self, county_board_due, legal_end, yearly_table, Warning};
use varde_store::{coercion_prefix, coercion_stream};

pub use api::ApiDoc;

use crate::authz::{read_entry, OrgAccess, WriteCoercion};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    pages::routes()
}

pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// A new institutional stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StayRequest {
    /// 1–64 of letters, digits, `.`, `_`, `-`.
    pub stay_id: String,
    /// Pseudonymous patient reference.
    pub patient: String,
    /// First day of the stay.
    pub start: String,
}

impl StayRequest {
    pub fn command(&self, today: Date) -> Result<(String, CoercionCommand), FieldError> {
        Ok((
            fields::path_id("stay_id", &self.stay_id)?,
            CoercionCommand::StayStarted {
                patient: fields::reference("patient", &self.patient)?,
                start: fields::past_date("start", &self.start, today)?,
            },
        ))
    }
}

/// A date: the end of a stay, an appeal lodged, a case sent to the county board.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DateRequest {
    pub date: String,
}

/// A coercion decision within a stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionRequest {
    /// `10-2`, `10-3` or `10-4`.
    pub section: String,
    /// `main` or `temporary`.
    pub kind: String,
    /// Date of the decision.
    pub decided: String,
    /// Start of the retention (§ 10-4: the date consent was withdrawn).
    pub from: String,
    /// § 10-3: expected date of delivery.
    pub expected_delivery: String,
    /// § 10-3: date the child welfare service was notified.
    pub child_welfare_notified: String,
    /// Temporary decisions: date sent to the county board, if already sent.
    pub sent_to_county_board: String,
}

impl DecisionRequest {
    /// The expected date of delivery may lie ahead; every other date must have happened.
    pub fn command(&self, today: Date) -> Result<CoercionCommand, FieldError> {
        // Section and kind first: they say what the dates mean.
        coercion::Section::parse(&self.section)?;
        coercion::Kind::parse(&self.kind)?;
        CoercionCommand::decided(
            &self.section,
            &self.kind,
            fields::past_date("decided", &self.decided, today)?,
            fields::past_date("from", &self.from, today)?,
            fields::opt_date("expected_delivery", &self.expected_delivery)?,
            fields::opt_past_date(
                "child_welfare_notified",
                &self.child_welfare_notified,
                today,
            )?,
            fields::opt_past_date("sent_to_county_board", &self.sent_to_county_board, today)?,
        )
    }
}

impl DateRequest {
    pub fn end(&self, today: Date) -> Result<CoercionCommand, FieldError> {
        Ok(CoercionCommand::StayEnded {
            date: fields::past_date("date", &self.date, today)?,
        })
    }

    pub fn appeal(&self, decision: usize, today: Date) -> Result<CoercionCommand, FieldError> {
        Ok(CoercionCommand::Appealed {
            decision,
            date: fields::past_date("date", &self.date, today)?,
        })
    }

    pub fn county_board(
        &self,
        decision: usize,
        today: Date,
    ) -> Result<CoercionCommand, FieldError> {
        Ok(CoercionCommand::SentToCountyBoard {
            decision,
            date: fields::past_date("date", &self.date, today)?,
        })
    }
}

/// The organisation's stays, replayed, by stay id. An event that no longer replays (it did
/// when written) is logged and left out.
pub async fn load_stays(
    state: &AppState,
    org: OrgId,
) -> Result<BTreeMap<String, StayState>, WebError> {
    let prefix = coercion_prefix(org);
    let events = state.store.read_streams_with_prefix(&prefix).await?;
    let mut stays = BTreeMap::new();
    for ev in &events {
        if let Some(stay_id) = ev.stream.strip_prefix(&prefix) {
            if let Some(s) = replay_into(&mut stays, stay_id, ev.id, &ev.body) {
                tracing::warn!(event = s.event, why = %s.why, "stored coercion event left out of the replay");
            }
        }
    }
    Ok(stays)
}

/// One stay, replayed from its stream, and the stream's last sequence number.
async fn load_stay(
    state: &AppState,
    org: OrgId,
    stay_id: &str,
) -> Result<(Option<StayState>, i64), WebError> {
    let events = state
        .store
        .read_stream(&coercion_stream(org, stay_id))
        .await?;
    let last = events.last().map_or(0, |e| e.seq);
    let mut one = BTreeMap::new();
    for ev in &events {
        if let Some(s) = replay_into(&mut one, stay_id, ev.id, &ev.body) {
            tracing::warn!(event = s.event, why = %s.why, "stored coercion event left out of the replay");
        }
    }
    Ok((one.remove(stay_id), last))
}

/// Records one coercion command on a stay: checked against the replayed stay, and appended
/// with its access-log entry. Returns the stay as it now is.
pub async fn record(
    state: &AppState,
    access: &OrgAccess<WriteCoercion>,
    stay_id: &str,
    cmd: CoercionCommand,
) -> Result<StayState, WebError> {
    let org = access.org();
    let (current, expected) = load_stay(state, org, stay_id).await?;
    let next = cmd.apply(current)?;
    let body = serde_json::to_string(&cmd).map_err(|_| WebError::internal("serialise command"))?;
    let ev = access.event(
        state,
        coercion_stream(org, stay_id),
        cmd.kind(),
        body,
        cmd.date(),
        expected,
    );
    let entry = access.access(state, "", format!("coercion:{stay_id}"));
    state.store.append_with_access(&[ev], Some(&entry)).await?;
    Ok(next)
}

/// One decision as answered, with its computed dates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionDoc {
    /// 1-based, in the order recorded (what an appeal names).
    pub number: usize,
    pub section: String,
    pub kind: String,
    pub decided: String,
    pub from: String,
    /// The last day the retention may last.
    pub legal_end: Option<String>,
    /// Temporary decisions: the date by which the case must reach the county board.
    pub county_board_due: Option<String>,
    pub expected_delivery: Option<String>,
    pub child_welfare_notified: Option<String>,
    pub appealed: Option<String>,
    pub sent_to_county_board: Option<String>,
}

/// A warning on a stay.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WarningDoc {
    /// `past_legal_limit` (the stay went on, or ended, after the last legal end),
    /// `gap_between_decisions` (days between two decisions that no decision covers) or
    /// `temporary_decision_lapsed`.
    pub kind: String,
    pub section: String,
    /// The legal end passed (the last lawful day), or the county-board due date missed.
    pub date: String,
    /// `gap_between_decisions`: the first day of the next decision's retention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_from: Option<String>,
}

/// A stay as answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StayDoc {
    pub stay_id: String,
    pub patient: String,
    pub start: String,
    pub end: Option<String>,
    pub decisions: Vec<DecisionDoc>,
    /// On the as-of date.
    pub warnings: Vec<WarningDoc>,
}

fn d2s(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

pub fn stay_doc(stay_id: &str, s: &StayState, as_of: Date) -> StayDoc {
    let warning =
        |kind: &str, section: coercion::Section, date: Date, next: Option<Date>| WarningDoc {
            kind: kind.into(),
            section: section.as_str().into(),
            date: date.to_string(),
            next_from: d2s(next),
        };
    StayDoc {
        stay_id: stay_id.to_owned(),
        patient: s.patient.clone(),
        start: s.stay.start.to_string(),
        end: d2s(s.stay.end),
        decisions: s
            .stay
            .decisions
            .iter()
            .enumerate()
            .map(|(i, d)| DecisionDoc {
                number: i + 1,
                section: d.section.as_str().to_owned(),
                kind: d.kind.as_str().to_owned(),
                decided: d.decided.to_string(),
                from: d.from.to_string(),
                legal_end: d2s(legal_end(d).ok()),
                county_board_due: d2s(county_board_due(d)),
                expected_delivery: d2s(d.expected_delivery),
                child_welfare_notified: d2s(d.child_welfare_notified),
                appealed: d2s(d.appealed),
                sent_to_county_board: d2s(d.sent_to_county_board),
            })
            .collect(),
        warnings: coercion::warnings(&s.stay, as_of)
            .into_iter()
            .map(|w| match w {
                Warning::PastLegalLimit { section, legal_end } => {
                    warning("past_legal_limit", section, legal_end, None)
                }
                Warning::GapBetweenDecisions {
                    section,
                    legal_end,
                    next_from,
                } => warning("gap_between_decisions", section, legal_end, Some(next_from)),
                Warning::TemporaryDecisionLapsed { section, due } => {
                    warning("temporary_decision_lapsed", section, due, None)
                }
            })
            .collect(),
    }
}

/// One row of the yearly table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TableRow {
    pub section: String,
    pub temporary: u32,
    pub main: u32,
    pub appeals: u32,
}

/// The yearly table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearTable {
    pub year: i16,
    pub rows: Vec<TableRow>,
}

pub fn table(stays: &BTreeMap<String, StayState>, year: i16) -> YearTable {
    YearTable {
        year,
        rows: yearly_table(stays.values().flat_map(|s| s.stay.decisions.iter()), year)
            .into_iter()
            .map(|(s, r)| TableRow {
                section: s.as_str().to_owned(),
                temporary: r.temporary,
                main: r.main,
                appeals: r.appeals,
            })
            .collect(),
    }
}

/// A limit falling due on a stay, as the worklist and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueDoc {
    pub stay_id: String,
    pub patient: String,
    /// `county_board` (a temporary decision to send to the county board within 2 weeks),
    /// `three_months` (§ 10-2), `consent_withdrawn` (§ 10-4: 3 weeks after consent was
    /// withdrawn) or `third_consent_retention` (§ 10-4: the third and last retention of the
    /// stay).
    pub kind: String,
    /// `10-2`, `10-3` or `10-4`.
    pub section: String,
    /// The decision's number in the stay.
    pub decision: usize,
    /// The limit: the last lawful day, or the day the case must reach the county board.
    pub limit: String,
    /// The limit has passed.
    pub overdue: bool,
}

impl From<&DueItem> for DueDoc {
    fn from(i: &DueItem) -> Self {
        DueDoc {
            stay_id: i.stay_id.clone(),
            patient: i.patient.clone(),
            kind: i.kind.as_str().to_owned(),
            section: i.section.as_str().to_owned(),
            decision: i.decision,
            limit: i.limit.to_string(),
            overdue: i.overdue,
        }
    }
}

/// The stays' limits due within 7 days of `as_of` or past (most urgent first).
pub fn due_docs(stays: &BTreeMap<String, StayState>, as_of: Date) -> Vec<DueDoc> {
    due(stays.iter().map(|(id, s)| (id.as_str(), s)), as_of)
        .iter()
        .map(DueDoc::from)
        .collect()
}

/// The coercion rows of the organisation's worklist on `as_of`, when `principal` may read its
/// stays (the read decided and logged); `None`, with nothing logged, for a user whose role
/// gives no coercion access (the worklist does not ask for it then).
pub async fn worklist_rows(
    state: &AppState,
    principal: &Principal,
    as_of: Date,
) -> Result<Option<Vec<DueDoc>>, WebError> {
    let org = principal.org;
    if !decide(principal, Action::CoercionRead, &Subject::of_org(org), None).allowed {
        return Ok(None);
    }
    let record = format!("coercion-worklist:org:{}", org.0);
    let entry = read_entry(state, principal, Action::CoercionRead, record).await?;
    let stays = load_stays(state, org).await?;
    state.store.log_access(&entry).await?;
    Ok(Some(due_docs(&stays, as_of)))
}
