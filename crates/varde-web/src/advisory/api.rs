//! The advisory area's JSON API (`/api/v1/advisory/…`), the stable contract of issue 12: open a
//! case, plan meetings and record attendance, consent, outreach, tests, the report (see it,
//! send it), referrals and closing. Every refusal of a rule is a 422 problem document naming
//! the field; another organisation's case is a 403, logged.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::access::CaseAccess;
use super::entries;
use super::ops::{self, GuardianInput, OpenCase, PersonInput};
use super::view::{self, *};
use crate::api::{json, ApiJson, Created};
use crate::authz::{OrgAccess, ReadAdvisory, WriteAdvisory};
use crate::error::{Problem, WebError};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/advisory/cases", post(open))
        .route("/advisory/cases/{id}", get(case))
        .route("/advisory/cases/{id}/meetings", post(plan))
        .route(
            "/advisory/cases/{id}/meetings/{n}/attendance",
            post(attendance),
        )
        .route("/advisory/cases/{id}/consent", post(consent))
        .route("/advisory/cases/{id}/outreach", post(outreach))
        .route("/advisory/cases/{id}/tests", post(tests))
        .route("/advisory/cases/{id}/report", get(report).post(send_report))
        .route("/advisory/cases/{id}/referrals", post(referral))
        .route("/advisory/cases/{id}/close", post(close))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        open,
        case,
        plan,
        attendance,
        consent,
        outreach,
        tests,
        report,
        send_report,
        referral,
        close
    ),
    components(schemas(
        OpenDoc,
        PersonInput,
        GuardianInput,
        DecisionDoc,
        TestingDoc,
        MeetingBody,
        Planned,
        AttendanceBody,
        Attended,
        ConsentBody,
        OutreachBody,
        TestBody,
        ReferralBody,
        CloseBody,
        Recorded,
        ReportDoc,
        TestingComplied,
        CaseView,
        DecisionView,
        TestingView,
        PersonView,
        MeetingView,
        ConsentView,
        TestView,
        OutreachView,
        ReferralView
    ))
)]
pub(super) struct ApiDoc;

/// A new case.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `OpenCase`
pub struct OpenDoc {
    /// `prosecution_condition`, `police_no_investigation`, `emergency_ward` or `voluntary`.
    route: String,
    /// An identity number (then a name too) or a name; only a voluntary contact may be anonymous;
    /// a case from the prosecution names the identity number.
    person: PersonInput,
    /// For a person under 18: summoned to the meetings too until the person turns 18.
    guardians: Option<Vec<GuardianInput>>,
    /// Only with `prosecution_condition`, and always with it.
    decision: Option<DecisionDoc>,
}

/// The prosecution's or the court's decision.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `DecisionInput`
pub struct DecisionDoc {
    reference: String,
    /// `YYYY-MM-DD`, not after today.
    decided_on: String,
    /// 1–3.
    meetings_required: u8,
    /// `YYYY-MM-DD`: at most three months after the decision.
    period_end: String,
    drug_testing: Option<TestingDoc>,
}

/// Drug testing (ruskontroll, straffeloven § 37 first paragraph d).
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `TestingInput`
pub struct TestingDoc {
    /// `urine`, `saliva`, `hair` or `breath`.
    test_type: String,
    interval_days: u16,
    /// `YYYY-MM-DD`: at most three months after the decision.
    until: String,
}

#[derive(Deserialize, ToSchema)]
pub struct MeetingBody {
    /// RFC 3339; its day in Oslo within the condition's period.
    planned_at: String,
    place: String,
}

#[derive(Serialize, ToSchema)]
pub struct Planned {
    /// The meeting's number in the case (1, 2, …).
    meeting: u32,
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceBody {
    /// `attended`, `not_attended`, `cancelled` (with `reason`) or `remote`.
    status: String,
    /// Consent given (`true`) or withdrawn (`false`) at the meeting.
    consent: Option<bool>,
    reason: Option<String>,
    /// Health care (with consent; clinical roles only): the needs assessment.
    assessment: Option<String>,
    /// Health care (with consent; clinical roles only): the advice given.
    advice: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Attended {
    meeting: u32,
    /// `information` or `health_care` (none for a meeting not held).
    kind: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ConsentBody {
    /// `YYYY-MM-DD`; today when left out.
    #[serde(default)]
    on: String,
    given: bool,
    scope: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct OutreachBody {
    /// `YYYY-MM-DD`, not after today.
    on: String,
    /// `letter`, `phone`, `visit` or `outreach_worker`.
    means: String,
    /// `reached` or `not_reached`.
    outcome: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TestBody {
    /// `YYYY-MM-DD`, within the drug-testing condition, not after today.
    on: String,
    /// `negative`, `positive` (with `substances`), `not_delivered` or `invalid`.
    result: String,
    /// Substances of the reference list (any of their names).
    #[serde(default)]
    substances: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ReferralBody {
    /// `municipal`, `gp`, `tsb`, `bup`, `nav`, `other`, or `child_welfare` (a notice of concern
    /// for a child, which overrides consent).
    to: String,
    consent: bool,
    /// `YYYY-MM-DD`; today when left out.
    #[serde(default)]
    on: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CloseBody {
    /// `completed`, `not_completed` (after the unit's minimum outreach) or `withdrawn`.
    outcome: String,
    /// `YYYY-MM-DD`; today when left out.
    #[serde(default)]
    on: String,
}

/// What was recorded.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    /// The entry's kind (`advisory.outreach`, …).
    recorded: &'static str,
}

/// Opens a case (advisors and clinicians of the unit).
#[utoipa::path(post, path = "/api/v1/advisory/cases", request_body = OpenDoc,
    responses((status = 201, body = Created), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn open(
    State(state): State<AppState>,
    access: OrgAccess<WriteAdvisory>,
    ApiJson(body): ApiJson<OpenCase>,
) -> Result<Response, WebError> {
    let id = ops::open_case(&state, &access, &body).await?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

/// One case (its health-care content only for a clinical role).
#[utoipa::path(get, path = "/api/v1/advisory/cases/{id}",
    responses((status = 200, body = CaseView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn case(
    State(state): State<AppState>,
    access: CaseAccess<ReadAdvisory>,
) -> Result<Response, WebError> {
    let loaded = ops::load(&state, &access).await?;
    let health = access.may_health();
    if health
        && loaded
            .case
            .meetings
            .iter()
            .any(|m| m.assessment.is_some() || m.advice.is_some())
    {
        let entry = access.health_entry(&state).await?;
        state.store.log_access(&entry).await?;
    }
    let min = ops::minimum(&state, access.case.org_id).await?;
    let v = view::case_view(
        &loaded.stored,
        &loaded.case,
        state.clock.today(),
        health,
        min,
    );
    Ok(json(StatusCode::OK, &v))
}

/// Plans a meeting.
#[utoipa::path(post, path = "/api/v1/advisory/cases/{id}/meetings", request_body = MeetingBody,
    responses((status = 201, body = Planned), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn plan(
    State(state): State<AppState>,
    access: CaseAccess<WriteAdvisory>,
    ApiJson(b): ApiJson<MeetingBody>,
) -> Result<Response, WebError> {
    let entry = entries::meeting(&b.planned_at, &b.place)?;
    let case = ops::record(&state, &access, entry).await?;
    let meeting = case.meetings.len() as u32;
    Ok(json(StatusCode::CREATED, &Planned { meeting }))
}

/// Records how a meeting went.
#[utoipa::path(post, path = "/api/v1/advisory/cases/{id}/meetings/{n}/attendance", request_body = AttendanceBody,
    responses((status = 201, body = Attended), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn attendance(
    State(state): State<AppState>,
    access: CaseAccess<WriteAdvisory>,
    Path(path): Path<(i64, u32)>,
    ApiJson(b): ApiJson<AttendanceBody>,
) -> Result<Response, WebError> {
    let n = path.1;
    let entry = entries::attendance(n, &b.status, b.consent, b.reason, b.assessment, b.advice)?;
    let case = ops::record(&state, &access, entry).await?;
    let kind = case
        .meetings
        .get(n.saturating_sub(1) as usize)
        .and_then(|m| m.kind)
        .map(|k| k.as_str().to_owned());
    Ok(json(StatusCode::CREATED, &Attended { meeting: n, kind }))
}

async fn recorded(
    state: &AppState,
    access: &CaseAccess<WriteAdvisory>,
    entry: varde_core::advisory::Entry,
) -> Result<Response, WebError> {
    let recorded = entry.kind();
    ops::record(state, access, entry).await?;
    Ok(json(StatusCode::CREATED, &Recorded { recorded }))
}

/// Records consent given or withdrawn.
#[utoipa::path(post, path = "/api/v1/advisory/cases/{id}/consent", request_body = ConsentBody,
    responses((status = 201, body = Recorded), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn consent(
    State(state): State<AppState>,
    access: CaseAccess<WriteAdvisory>,
    ApiJson(b): ApiJson<ConsentBody>,
) -> Result<Response, WebError> {
    let on = ops::day_or_today(&state, "on", &b.on)?;
    recorded(&state, &access, entries::consent(on, b.given, b.scope)).await
}

/// Records an outreach attempt.
#[utoipa::path(post, path = "/api/v1/advisory/cases/{id}/outreach", request_body = OutreachBody,
    responses((status = 201, body = Recorded), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn outreach(
    State(state): State<AppState>,
    access: CaseAccess<WriteAdvisory>,
    ApiJson(b): ApiJson<OutreachBody>,
) -> Result<Response, WebError> {
    let on = varde_core::fields::date("on", &b.on)?;
    recorded(
        &state,
        &access,
        entries::outreach(on, &b.means, &b.outcome)?,
    )
    .await
}

/// Records a drug test (only under a testing condition: control, not health care).
#[utoipa::path(post, path = "/api/v1/advisory/cases/{id}/tests", request_body = TestBody,
    responses((status = 201, body = Recorded), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn tests(
    State(state): State<AppState>,
    access: CaseAccess<WriteAdvisory>,
    ApiJson(b): ApiJson<TestBody>,
) -> Result<Response, WebError> {
    let on = varde_core::fields::date("on", &b.on)?;
    recorded(&state, &access, entries::test(on, &b.result, b.substances)?).await
}

/// The report exactly as it would be sent today: nothing clinical. 422 before the period ends
/// or while a planned meeting's attendance is not recorded.
#[utoipa::path(get, path = "/api/v1/advisory/cases/{id}/report",
    responses((status = 200, body = ReportDoc), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn report(
    State(state): State<AppState>,
    access: CaseAccess<ReadAdvisory>,
) -> Result<Response, WebError> {
    let loaded = ops::load(&state, &access).await?;
    let report = match &loaded.case.report_sent {
        Some((_, sent)) => ReportDoc::from(sent),
        None => ReportDoc::from(&loaded.case.report(state.clock.today())?),
    };
    Ok(json(StatusCode::OK, &report))
}

/// Sends the report to the prosecution (an entry of the case and of the access log).
#[utoipa::path(post, path = "/api/v1/advisory/cases/{id}/report",
    responses((status = 201, body = ReportDoc), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn send_report(
    State(state): State<AppState>,
    access: CaseAccess<WriteAdvisory>,
) -> Result<Response, WebError> {
    let case = ops::record(&state, &access, entries::report_sent(state.clock.today())).await?;
    let report = case
        .report_sent
        .map(|(_, r)| ReportDoc::from(&r))
        .ok_or_else(|| WebError::internal("report"))?;
    Ok(json(StatusCode::CREATED, &report))
}

/// Refers the person onward (or sends a notice of concern to child welfare).
#[utoipa::path(post, path = "/api/v1/advisory/cases/{id}/referrals", request_body = ReferralBody,
    responses((status = 201, body = Recorded), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn referral(
    State(state): State<AppState>,
    access: CaseAccess<WriteAdvisory>,
    ApiJson(b): ApiJson<ReferralBody>,
) -> Result<Response, WebError> {
    let on = ops::day_or_today(&state, "on", &b.on)?;
    recorded(&state, &access, entries::referral(on, &b.to, b.consent)?).await
}

/// Closes the case.
#[utoipa::path(post, path = "/api/v1/advisory/cases/{id}/close", request_body = CloseBody,
    responses((status = 201, body = Recorded), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn close(
    State(state): State<AppState>,
    access: CaseAccess<WriteAdvisory>,
    ApiJson(b): ApiJson<CloseBody>,
) -> Result<Response, WebError> {
    let on = ops::day_or_today(&state, "on", &b.on)?;
    recorded(&state, &access, entries::close(on, &b.outcome)?).await
}
