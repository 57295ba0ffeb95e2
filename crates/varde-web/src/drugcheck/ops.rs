//! Drug checking's operations, one function per command, called by the pages and the API
//! alike: each parses its input with the core's rules and writes or reads through the store.
//!
//! The public lookup ([`lookup`]) answers a right and a wrong code alike: the typed text is
//! normalised and hashed (a text that is no code hashes too), the same single indexed query
//! runs, and every answer waits until [`LOOKUP_FLOOR`] after the request began, so that the
//! time of an answer does not tell codes apart. Each client may look up
//! [`super::LOOKUPS_PER_MINUTE`] codes a minute.

use sha2::Digest as _;
use std::net::IpAddr;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use serde::Serialize;
use utoipa::ToSchema;
use varde_core::drugcheck::{self, Analysis, AnalysisInput, Code, Intake, IntakeInput};
use varde_store::{DrugcheckLookup, DrugcheckRecorded};

use crate::authz::{OrgAccess, RecordAnalyses, TakeSamples};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::AppState;

/// The least time a public lookup takes to answer, found or not.
pub const LOOKUP_FLOOR: Duration = Duration::from_millis(50);

/// A new code: 70 bits from the operating system's generator.
fn mint() -> Code {
    use rand::RngCore;
    let mut rng = rand::rngs::OsRng;
    Code::mint(rng.next_u64(), rng.next_u64())
}

/// Records a sample handed in; its code (shown once, on the receipt: only its hash is kept).
///
/// `once` is the intake form's one-time token (none from the API): the same token twice is a
/// 409 and no second sample (a reload of the receipt page sends the form again).
pub async fn intake(
    state: &AppState,
    access: &OrgAccess<TakeSamples>,
    input: &IntakeInput,
    once: Option<&str>,
) -> Result<Code, WebError> {
    let intake = Intake::check(input, state.clock.today()).map_err(WebError::invalid_fields)?;
    let code = mint();
    let entry = access.access(state, "", "drugcheck:sample".to_owned());
    state
        .store
        .drugcheck_intake(
            &code.hash(),
            &intake,
            access.org().0,
            state.clock.now(),
            &entry,
            once.map(|t| hex::encode(sha2::Sha256::digest(t.as_bytes())))
                .as_deref(),
        )
        .await?;
    Ok(code)
}

/// Records the result of the sample with the code `typed`: 404 for no such sample, 409 when it
/// has a result, 422 naming each field broken; the watchlist signals in the same transaction.
pub async fn record(
    state: &AppState,
    access: &OrgAccess<RecordAnalyses>,
    typed: &str,
    input: &AnalysisInput,
) -> Result<DrugcheckRecorded, WebError> {
    let code = Code::parse(typed).ok_or_else(WebError::not_found)?;
    let hash = code.hash();
    let sample = state
        .store
        .drugcheck_sample(&hash)
        .await?
        .ok_or_else(WebError::not_found)?;
    if sample.analysed {
        return Err(WebError::conflict("the sample has a result already"));
    }
    let analysis = Analysis::check(input, sample.received_on, state.clock.today())
        .map_err(WebError::invalid_fields)?;
    let watchlist = state.store.watchlist().await?;
    let entry = access.access(state, "", format!("drugcheck:sample:{}", sample.id));
    let recorded = state
        .store
        .drugcheck_record(
            &hash,
            &analysis,
            &watchlist,
            access.principal.user.0,
            state.clock.now(),
            &entry,
        )
        .await?;
    // The result is committed; its week's drug-checking series are evaluated again. A
    // failure there does not undo the result (the next result or rule change evaluates
    // the week again).
    if let Err(e) = crate::monitoring::series::reevaluate_drugcheck(state, recorded.sample_id).await
    {
        tracing::warn!(error = ?e, "the drug-checking series could not be evaluated again");
    }
    Ok(recorded)
}

/// A substance found, as the public reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FoundDoc {
    /// The substance's name (bokmål, or English with the English switch).
    pub substance: String,
    /// The reference list's id.
    pub id: String,
    pub purity_percent: Option<f64>,
}

/// A sample's result as the public reads it (never the code, never who handed it in).
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultDoc {
    /// `pending` or `analysed`.
    pub status: String,
    pub sold_as: String,
    pub received_on: String,
    pub found: Vec<FoundDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysed_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

impl ResultDoc {
    fn of(s: DrugcheckLookup, l: Lang) -> ResultDoc {
        let list = varde_core::substances::get();
        ResultDoc {
            status: if s.analysed_on.is_some() {
                "analysed"
            } else {
                "pending"
            }
            .to_owned(),
            sold_as: s.sold_as,
            received_on: s.received_on,
            found: s
                .found
                .into_iter()
                .map(|(id, purity_percent)| FoundDoc {
                    substance: list
                        .by_id(&id)
                        .map_or_else(|| id.clone(), |x| x.name(l.code()).to_owned()),
                    id,
                    purity_percent,
                })
                .collect(),
            analysed_on: s.analysed_on,
            method: s.method,
        }
    }
}

/// The answer of a client over its lookups: 429 with `Retry-After` (a problem document; the
/// pages' router makes it a page and keeps the header).
pub(crate) fn too_many(wait: Duration) -> Response {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut res = WebError::too_many_requests(secs).into_response();
    *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Why a lookup gave no result.
pub enum Missed {
    /// The client is over its lookups: wait this long.
    Limited(Duration),
    /// A failure (the database).
    Failed(WebError),
}

/// Looks up the code `typed` for `client`, taking at least [`LOOKUP_FLOOR`]: the result, or
/// `None` for no such code (the same shape of work either way).
pub async fn lookup(
    state: &AppState,
    client: Option<IpAddr>,
    typed: &str,
    l: Lang,
) -> Result<Option<ResultDoc>, Missed> {
    let floor = tokio::time::Instant::now() + LOOKUP_FLOOR;
    if let (Some(limiter), Some(ip)) = (&state.drugcheck.lookups, client) {
        if let Err(not_until) = limiter.check_key(&ip) {
            return Err(Missed::Limited(
                not_until.wait_time_from(DefaultClock::default().now()),
            ));
        }
    }
    let hash = drugcheck::lookup_hash(typed);
    let found = state.store.drugcheck_lookup(&hash).await;
    let doc = found.map(|s| s.map(|s| ResultDoc::of(s, l)));
    tokio::time::sleep_until(floor).await;
    doc.map_err(|e| Missed::Failed(e.into()))
}

/// The monthly summary, small cells suppressed.
pub async fn summary(state: &AppState) -> Result<Vec<drugcheck::SummaryMonth>, WebError> {
    let (cells, months) = state.store.drugcheck_counts().await?;
    Ok(drugcheck::summary(&cells, &months))
}
