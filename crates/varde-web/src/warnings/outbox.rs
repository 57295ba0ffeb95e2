//! The delivery worker: every server with background work on runs one. It claims due
//! deliveries from the outbox with a lease ([`varde_store::Store::deliveries_claim`]), POSTs
//! each to its subscriber signed as Standard Webhooks does (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`), and records the attempt; a failure is retried
//! with exponential back-off and jitter for at least a day
//! ([`varde_core::warnings::next_attempt`]). It wakes when this server publishes, and looks
//! for work another server left every [`POLL`] otherwise.
//!
//! The machinery is shared: one round serves every outbox ([`varde_store::Outbox`]: the
//! warnings' subscribers and the municipalities' subscribers of discharge notices), each
//! delivery recorded in the outbox it was claimed from.

use std::time::{Duration, Instant};

use tokio::sync::watch;
use varde_store::{Attempt, ClaimedDelivery, DeliveryOutcome, Outbox};

use crate::AppState;

/// How often the worker looks for due deliveries when not woken.
pub const POLL: Duration = Duration::from_millis(500);
/// How long a claimed delivery is this server's: far longer than one attempt may take.
pub const LEASE: Duration = Duration::from_secs(60);
/// The longest one attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How many deliveries one round claims.
const BATCH: i64 = 16;

/// An error text short enough for the attempt log, without the response body.
fn short(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_request() {
        "request failed"
    } else {
        "failed"
    };
    kind.to_owned()
}

/// Sends one delivery; the attempt as logged.
async fn send(state: &AppState, client: &reqwest::Client, d: &ClaimedDelivery) -> Attempt {
    let started = Instant::now();
    let at = state.clock.now();
    let timestamp = at.as_second();
    let result = match varde_core::warnings::signature::sign(
        &d.secret,
        &d.message_id,
        timestamp,
        d.body.as_bytes(),
    ) {
        Err(_) => Err("the subscriber's secret cannot sign".to_owned()),
        Ok(signature) => client
            .post(&d.url)
            .header("content-type", &d.content_type)
            .header("webhook-id", &d.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(d.body.clone())
            .send()
            .await
            .map_err(|e| short(&e))
            .map(|r| r.status().as_u16()),
    };
    let (status_code, error) = match result {
        Ok(s) if (200..300).contains(&s) => (Some(i64::from(s)), None),
        Ok(s) => (Some(i64::from(s)), Some(format!("HTTP {s}"))),
        Err(e) => (None, Some(e)),
    };
    Attempt {
        at: at.as_millisecond(),
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        status_code,
        error,
        instance: state.warnings.instance.clone(),
    }
}

/// One round: claims what is due and delivers it. The number claimed.
pub async fn round(
    state: &AppState,
    client: &reqwest::Client,
) -> Result<usize, varde_store::StoreError> {
    let owner = &state.warnings.instance;
    let now = state.clock.now().as_millisecond();
    let lease = i64::try_from(LEASE.as_millis()).unwrap_or(60_000);
    let mut claimed = Vec::new();
    for outbox in Outbox::ALL {
        claimed.extend(
            state
                .store
                .outbox_claim(outbox, owner, now, lease, BATCH)
                .await?,
        );
    }
    let n = claimed.len();
    let mut sends = tokio::task::JoinSet::new();
    for d in claimed {
        let state = state.clone();
        let client = client.clone();
        sends.spawn(async move {
            let attempt = send(&state, &client, &d).await;
            let outcome = if attempt.error.is_none() {
                DeliveryOutcome::Delivered
            } else {
                match varde_core::warnings::next_attempt(
                    d.attempts + 1,
                    d.created_at,
                    attempt.at,
                    rand::random::<f64>(),
                ) {
                    Some(at) => DeliveryOutcome::Retry(at),
                    None => DeliveryOutcome::GiveUp,
                }
            };
            if attempt.error.is_some() {
                tracing::warn!(
                    delivery = d.id,
                    attempt = d.attempts + 1,
                    "webhook delivery failed"
                );
            }
            state
                .store
                .outbox_record(d.outbox, d.id, &state.warnings.instance, &attempt, outcome)
                .await
        });
    }
    while let Some(done) = sends.join_next().await {
        match done {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => {
                tracing::warn!("a delivery's lease ran out before its attempt was recorded")
            }
            Ok(Err(e)) => tracing::error!(error = %e, "cannot record a delivery attempt"),
            Err(e) => tracing::error!(error = %e, "a delivery task failed"),
        }
    }
    Ok(n)
}

/// The HTTP client of deliveries: a timeout, no redirects (a subscriber's address is the one
/// the admin registered, not where it sends us).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Varde-OVS/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// Runs the worker until `stop` turns true.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let client = client();
    loop {
        if *stop.borrow() {
            return;
        }
        let busy = match round(&state, &client).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim deliveries");
                false
            }
        };
        if busy {
            continue;
        }
        tokio::select! {
            _ = state.warnings.wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
    }
}
