//! What the public reads — the list of warnings in force, the Atom feed, the CAP documents —
//! served from a cache that is correct on several servers.
//!
//! Every warning is read once per stamp (`warnings_stamp` moves on every write, on whichever
//! server) into a [`Snapshot`]; rendered documents are kept per (document, language) with the
//! stamp they are of and the moment they stop being right (the next expiry among the warnings
//! they show). A reader checks the stamp in the database at most every [`STAMP_TTL`]: a write
//! on this server drops the cache at once, a write on another is seen within that time (well
//! inside the one second from approval to publication the area promises).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use varde_core::warnings::{atom, cap, Warning};

use crate::cache::StampCache;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::AppState;

/// How long a stamp read from the database is trusted before it is read again.
pub const STAMP_TTL: Duration = Duration::from_millis(200);

/// Every warning at one stamp.
#[derive(Debug)]
pub struct Snapshot {
    pub stamp: i64,
    pub warnings: Vec<Warning>,
}

impl Snapshot {
    /// The warnings the public sees in force at `now`, most severe first, then the newest.
    pub fn in_force(&self, now: Timestamp) -> Vec<&Warning> {
        let mut v: Vec<&Warning> = self
            .warnings
            .iter()
            .filter(|w| w.public_in_force(now))
            .collect();
        v.sort_by_key(|w| {
            let p = w
                .published()
                .map(|p| (p.content.severity, p.approved.as_ref().map(|a| a.at)));
            (p.map(|p| p.0), std::cmp::Reverse(p.and_then(|p| p.1)))
        });
        v
    }

    /// The warnings the public sees that are no longer in force (expired or cancelled),
    /// newest first.
    pub fn archive(&self, now: Timestamp) -> Vec<&Warning> {
        let mut v: Vec<&Warning> = self
            .warnings
            .iter()
            .filter(|w| w.public() && !w.public_in_force(now))
            .collect();
        v.sort_by_key(|w| std::cmp::Reverse(w.updated()));
        v
    }

    /// One warning by id.
    pub fn get(&self, id: &str) -> Option<&Warning> {
        self.warnings.iter().find(|w| w.id == id)
    }

    /// The earliest moment after `now` at which a published warning expires (when the public
    /// documents change without a write).
    pub fn next_expiry(&self, now: Timestamp) -> Option<Timestamp> {
        self.warnings
            .iter()
            .filter_map(|w| w.published().map(|p| p.content.expires))
            .filter(|e| *e > now)
            .min()
    }
}

/// A rendered document, valid until a moment (or forever at its stamp).
#[derive(Debug)]
pub struct Rendered {
    pub body: Arc<str>,
    pub until: Option<Timestamp>,
}

/// The cache of the public documents.
#[derive(Debug, Default)]
pub struct PublicCache {
    /// The stamp last read, and when.
    stamp: Mutex<Option<(i64, Instant)>>,
    snapshot: Mutex<Option<Arc<Snapshot>>>,
    rendered: StampCache<(&'static str, Lang), i64, Rendered>,
}

impl PublicCache {
    /// Forgets the stamp (after a write on this server), so the next reader reads it again.
    pub fn invalidate(&self) {
        *self.stamp.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    async fn stamp(&self, state: &AppState) -> Result<i64, WebError> {
        if let Some((s, at)) = *self.stamp.lock().unwrap_or_else(PoisonError::into_inner) {
            if at.elapsed() < STAMP_TTL {
                return Ok(s);
            }
        }
        let s = state.store.warnings_stamp().await?;
        *self.stamp.lock().unwrap_or_else(PoisonError::into_inner) = Some((s, Instant::now()));
        Ok(s)
    }

    /// Every warning, as of the current stamp.
    pub async fn snapshot(&self, state: &AppState) -> Result<Arc<Snapshot>, WebError> {
        let stamp = self.stamp(state).await?;
        if let Some(s) = self
            .snapshot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|s| s.stamp == stamp)
        {
            return Ok(s.clone());
        }
        let (stamp, warnings) = state.store.warnings_all().await?;
        let snap = Arc::new(Snapshot { stamp, warnings });
        *self.snapshot.lock().unwrap_or_else(PoisonError::into_inner) = Some(snap.clone());
        Ok(snap)
    }

    /// Document `kind` in `lang`, rendered by `render` from the current snapshot unless a
    /// rendering of the same stamp that is still right is kept.
    pub async fn rendered(
        &self,
        state: &AppState,
        kind: &'static str,
        lang: Lang,
        render: impl FnOnce(&Snapshot, Timestamp) -> String,
    ) -> Result<Arc<str>, WebError> {
        let snap = self.snapshot(state).await?;
        let now = state.clock.now();
        if let Some(r) = self.rendered.get(&(kind, lang), &snap.stamp) {
            if r.until.is_none_or(|u| now < u) {
                return Ok(r.body.clone());
            }
        }
        let body: Arc<str> = render(&snap, now).into();
        self.rendered.put(
            (kind, lang),
            snap.stamp,
            Arc::new(Rendered {
                body: body.clone(),
                until: snap.next_expiry(now),
            }),
        );
        Ok(body)
    }
}

fn xml(content_type: &'static str, body: impl Into<String>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=5"),
        ],
        body.into(),
    )
        .into_response()
}

/// `GET /warnings.atom`: the Atom feed of the warnings in force and recent cancellations.
pub async fn atom(State(state): State<AppState>, l: Lang) -> Result<Response, WebError> {
    let cfg = super::cap_config(&state);
    let body = state
        .warnings
        .public
        .rendered(&state, "atom", l, |snap, now| {
            atom::feed(&cfg, &snap.warnings, now, l.code())
        })
        .await?;
    Ok(xml("application/atom+xml", &*body))
}

/// `GET /warnings/cap.xml`: the CAP documents of every warning in force, as an Atom feed of
/// CAP links (the index the CAP consumers poll) — the same feed as `/warnings.atom`.
pub async fn cap_index(state: State<AppState>, l: Lang) -> Result<Response, WebError> {
    atom(state, l).await
}

/// The public warning `id` of the snapshot (drafts and drills are not public): 404 otherwise.
fn public_warning<'a>(snap: &'a Snapshot, id: &str) -> Result<&'a Warning, WebError> {
    snap.get(id)
        .filter(|w| w.public())
        .ok_or_else(WebError::not_found)
}

/// `GET /warnings/{id}/cap.xml`: the warning's latest message (a cancelled warning's is the
/// Cancel message).
pub async fn cap_latest(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let snap = state.warnings.public.snapshot(&state).await?;
    let w = public_warning(&snap, &id)?;
    let doc = cap::latest(&super::cap_config(&state), w).ok_or_else(WebError::not_found)?;
    Ok(xml("application/cap+xml", doc))
}

/// `GET /warnings/{id}/v/{version}/cap.xml`: one approved version's alert (what the
/// `references` of a later message point to).
pub async fn cap_version(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, u32)>,
) -> Result<Response, WebError> {
    let snap = state.warnings.public.snapshot(&state).await?;
    let w = public_warning(&snap, &id)?;
    let doc = cap::alert(&super::cap_config(&state), w, version).ok_or_else(WebError::not_found)?;
    Ok(xml("application/cap+xml", doc))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use varde_core::warnings::draft::{self, DraftInput, TextInput};
    use varde_core::warnings::{Actor, Event};

    use super::*;

    fn t(s: &str) -> TextInput {
        TextInput {
            nb: s.into(),
            en: None,
        }
    }

    fn published(id: &str, severity: &str, expires: &str, at: &str) -> Warning {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        let input = DraftInput {
            title: t(id),
            substance: "fentanyl".into(),
            areas: vec!["national".into()],
            severity: severity.into(),
            description: t("d"),
            advice_public: t("a"),
            advice_services: t("s"),
            expires: expires.into(),
            ..DraftInput::default()
        };
        let content = Box::new(draft::parse(&input, now).unwrap());
        let mut w = Warning::new(id);
        let by = |id| Actor {
            id,
            name: "x".into(),
        };
        w.apply(
            &Event::Drafted {
                version: 1,
                content,
            },
            by(1),
            now,
        );
        w.apply(&Event::Approved { version: 1 }, by(2), at.parse().unwrap());
        w
    }

    /// Expired warnings leave the public list by themselves, and the cached rendering is kept
    /// only until the next expiry.
    #[test]
    fn expiry_moves_a_warning_to_the_archive_and_bounds_the_cache() {
        let snap = Snapshot {
            stamp: 1,
            warnings: vec![
                published(
                    "OVS-MINOR",
                    "minor",
                    "2026-12-01T12:00:00+01:00",
                    "2026-11-24T13:00:00Z",
                ),
                published(
                    "OVS-EXTREME",
                    "extreme",
                    "2026-12-10T12:00:00+01:00",
                    "2026-11-24T12:30:00Z",
                ),
                published(
                    "OVS-SEVERE",
                    "severe",
                    "2026-12-05T12:00:00+01:00",
                    "2026-11-24T12:10:00Z",
                ),
            ],
        };
        let ids = |v: Vec<&Warning>| v.iter().map(|w| w.id.clone()).collect::<Vec<_>>();
        let now: Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
        assert_eq!(
            ids(snap.in_force(now)),
            ["OVS-EXTREME", "OVS-SEVERE", "OVS-MINOR"]
        );
        assert!(snap.archive(now).is_empty());
        assert_eq!(
            snap.next_expiry(now),
            Some("2026-12-01T11:00:00Z".parse().unwrap())
        );
        let later: Timestamp = "2026-12-02T00:00:00Z".parse().unwrap();
        assert_eq!(ids(snap.in_force(later)), ["OVS-EXTREME", "OVS-SEVERE"]);
        assert_eq!(ids(snap.archive(later)), ["OVS-MINOR"]);
        let end: Timestamp = "2026-12-11T00:00:00Z".parse().unwrap();
        assert!(snap.in_force(end).is_empty());
        assert_eq!(snap.next_expiry(end), None);
    }
}
