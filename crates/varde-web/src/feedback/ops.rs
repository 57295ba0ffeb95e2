//! Feedback's operations, one function per command, called by the pages, the API and the demo
//! alike.
//!
//! The public answer ([`open`], [`answer`]) treats a right, a used, an expired and a wrong
//! token alike: the typed token is hashed (a text that is no token hashes too), one query on
//! the unique index runs, and every answer waits until [`ANSWER_FLOOR`] after the request
//! began; each client may open or send [`super::ANSWERS_PER_MINUTE`] links a minute.

use std::net::IpAddr;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use serde::Serialize;
use utoipa::ToSchema;
use varde_core::audit::Outcome;
use varde_core::feedback::{
    self, expires_at, trend, Answer, AnswerInput, LinkInput, LinkRequest, Token, Trend,
};
use varde_store::{
    FeedbackLinkRow, NewAccess, NewFeedbackLink, OpenFeedbackLink, SpentFeedbackLink,
};

use crate::authz::{OrgAccess, PersonAccess, ReadFeedback, WriteFeedback, WritePathways};
use crate::error::WebError;
use crate::AppState;

/// The least time an answer page takes, whatever the token.
pub const ANSWER_FLOOR: Duration = Duration::from_millis(50);

/// A new token: 256 bits from the operating system's generator.
pub fn mint() -> Token {
    use rand::RngCore;
    let mut b = [0u8; feedback::TOKEN_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut b);
    Token::mint(b)
}

/// A link made: its address (shown once: only the token's hash is kept) and its life.
#[derive(Debug, Serialize, ToSchema)]
pub struct MadeLink {
    /// The address to give the patient: the server's public address (`--public-url`) and
    /// [`MadeLink::path`].
    pub url: String,
    /// `/f/{token}`.
    pub path: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
    pub session_date: String,
    pub session_number: u32,
}

/// The address of `path` on this server, as the public reaches it (`--public-url`).
pub fn link_url(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.config.public_url.trim_end_matches('/'))
}

/// Makes a one-time link for the patient of `access` and a session: the session checked (422
/// naming each field), a named pathway checked to be the patient's own in the organisation
/// (422), then the link and the access entry written together.
pub async fn create_link(
    state: &AppState,
    access: &PersonAccess<WriteFeedback>,
    input: &LinkInput,
) -> Result<MadeLink, WebError> {
    let req = LinkRequest::check(input, state.clock.today()).map_err(WebError::invalid_fields)?;
    let org = access.principal.org;
    if let Some(p) = &req.pathway_id {
        if !state
            .store
            .feedback_pathway_of(org, p, access.person.id)
            .await?
        {
            return Err(WebError::invalid(
                "pathway_id",
                "not a pathway of this patient in your organisation",
            ));
        }
    }
    let token = mint();
    let now = state.clock.now();
    let expires = expires_at(now);
    let mut entry = access.access.clone();
    entry.record = format!("feedback:person:{}", access.person.id);
    state
        .store
        .feedback_link_create(
            &NewFeedbackLink {
                token_hash: &token.hash(),
                org,
                person_id: access.person.id,
                pseudonym: &access.person.pseudonym,
                pathway_id: req.pathway_id.as_deref(),
                session_date: req.session_date,
                session_number: req.session_number,
                created_by: access.principal.user.0,
                at: now,
                expires_at: expires,
            },
            &entry,
        )
        .await?;
    let path = format!("/f/{}", token.as_str());
    Ok(MadeLink {
        url: link_url(state, &path),
        path,
        expires_at: expires.to_string(),
        session_date: req.session_date.to_string(),
        session_number: req.session_number,
    })
}

/// A patient's feedback as the clinician reads it: the trend and the links made.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientDoc {
    pub person_id: i64,
    /// The answered sessions in order, with the outcome and alliance totals (0–40 each).
    #[schema(value_type = Object)]
    pub trend: Trend,
    /// Every answered session's eight ratings (item id → 0–10), in the trend's order.
    #[schema(value_type = Vec<Object>)]
    pub answers: Vec<serde_json::Value>,
    /// The links made (never their tokens), newest first.
    #[schema(value_type = Vec<Object>)]
    pub links: Vec<FeedbackLinkRow>,
}

/// Reads a patient's feedback, with the read's access entry in the same transaction.
pub async fn patient(
    state: &AppState,
    access: &PersonAccess<ReadFeedback>,
) -> Result<PatientDoc, WebError> {
    let mut entry = access.access.clone();
    entry.record = format!("feedback:person:{}", access.person.id);
    let f = state
        .store
        .feedback_of_patient_logged(access.principal.org, access.person.id, &entry)
        .await?;
    let t = trend(&f.sessions);
    let mut sessions = f.sessions;
    sessions.sort_by_key(|s| (s.session_date, s.session_number));
    let answers = sessions
        .iter()
        .map(|s| {
            let mut m = serde_json::Map::new();
            m.insert("session_date".into(), s.session_date.to_string().into());
            m.insert("session_number".into(), s.session_number.into());
            for (id, v) in s.answer.items() {
                m.insert(id.into(), v.into());
            }
            serde_json::Value::Object(m)
        })
        .collect();
    Ok(PatientDoc {
        person_id: access.person.id,
        trend: t,
        answers,
        links: f.links,
    })
}

/// Why an answer page shows no form.
pub enum Missed {
    /// The client is over its allowance: wait this long.
    Limited(Duration),
    /// No open link has the token (wrong, used or expired: one answer for all).
    Gone,
    /// A failure.
    Failed(WebError),
}

/// Counts one answer page against `client`'s allowance: `Limited` when it is spent.
pub(super) fn limited(state: &AppState, client: Option<IpAddr>) -> Result<(), Missed> {
    if let (Some(limiter), Some(ip)) = (&state.feedback.answers, client) {
        if let Err(not_until) = limiter.check_key(&ip) {
            return Err(Missed::Limited(
                not_until.wait_time_from(DefaultClock::default().now()),
            ));
        }
    }
    Ok(())
}

/// The open link of `typed` (what the answer page may say), in at least [`ANSWER_FLOOR`].
pub async fn open(
    state: &AppState,
    client: Option<IpAddr>,
    typed: &str,
) -> Result<OpenFeedbackLink, Missed> {
    let floor = tokio::time::Instant::now() + ANSWER_FLOOR;
    limited(state, client)?;
    let found = state
        .store
        .feedback_link_open(&feedback::lookup_hash(typed), state.clock.now())
        .await;
    tokio::time::sleep_until(floor).await;
    match found {
        Ok(Some(l)) => Ok(l),
        Ok(None) => Err(Missed::Gone),
        Err(e) => Err(Missed::Failed(e.into())),
    }
}

/// Records the answer on the link `typed`: the answer checked (422 naming each item, the link
/// kept), then spent with the answer and its access entry in one transaction. Afterwards, a
/// pathway the link names is marked as having used a feedback tool (as the clinician who made
/// the link, decided as theirs now; a failure there is logged and leaves the answer).
pub async fn answer(
    state: &AppState,
    client: Option<IpAddr>,
    typed: &str,
    input: &AnswerInput,
) -> Result<(), Missed> {
    let floor = tokio::time::Instant::now() + ANSWER_FLOOR;
    limited(state, client)?;
    let result = spend(state, typed, input).await;
    tokio::time::sleep_until(floor).await;
    let spent = result?;
    if let Some(pathway) = &spent.pathway_id {
        if let Err(e) = mark_pathway(state, &spent, pathway).await {
            tracing::warn!(error = ?e.detail, "the feedback's pathway could not be marked");
        }
    }
    Ok(())
}

async fn spend(
    state: &AppState,
    typed: &str,
    input: &AnswerInput,
) -> Result<SpentFeedbackLink, Missed> {
    let hash = feedback::lookup_hash(typed);
    let now = state.clock.now();
    // An answer to a link that is gone is "gone", however it was filled in.
    match state.store.feedback_link_open(&hash, now).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(Missed::Gone),
        Err(e) => return Err(Missed::Failed(e.into())),
    }
    let answer = Answer::check(input).map_err(|e| Missed::Failed(WebError::invalid_fields(e)))?;
    let entry = NewAccess {
        at: now,
        actor: "patient (one-time feedback link)".to_owned(),
        actor_id: 0,
        org_id: 0,
        owner_org_id: 0,
        action: "feedback.answer".to_owned(),
        subject: String::new(),
        record: String::new(),
        purpose: "the patient's own answer".to_owned(),
        outcome: Outcome::Allowed,
        flagged: false,
    };
    match state
        .store
        .feedback_answer(&hash, &answer, now, &entry)
        .await
    {
        Ok(s) => Ok(s),
        Err(varde_store::StoreError::NotFound) => Err(Missed::Gone),
        Err(e) => Err(Missed::Failed(e.into())),
    }
}

async fn mark_pathway(
    state: &AppState,
    spent: &SpentFeedbackLink,
    pathway: &str,
) -> Result<bool, WebError> {
    let user = state
        .store
        .user(varde_core::org::UserId(spent.created_by))
        .await?;
    let principal =
        crate::auth::principal_of(&user).ok_or_else(|| WebError::internal("no principal"))?;
    if principal.org != spent.org {
        return Ok(false);
    }
    let write = OrgAccess::<WritePathways>::decide(state, principal).await?;
    crate::pathways::mark_feedback_tool_used(state, &write, pathway, state.clock.today()).await
}

/// How many answers each person of the organisation has, read with one access entry.
pub async fn counts(
    state: &AppState,
    access: &OrgAccess<ReadFeedback>,
) -> Result<Vec<(i64, i64)>, WebError> {
    let entry = access.access(state, "", format!("feedback:org:{}", access.org().0));
    Ok(state
        .store
        .feedback_counts_logged(access.org(), &entry)
        .await?)
}
