//! The pathway events the worklist, the indicators and the checks compute on: each
//! organisation's effective events, parsed, kept in a [`StampCache`] keyed by the
//! organisation's [`PathwayStamp`] (read from the database at every use, so that it is right on
//! several servers): unchanged → reused; moved without a correction → only the rows above the
//! highest id held are read and parsed; a correction → reloaded. Everyone's events (the
//! national indicators) are the organisations' sets together, rebuilt when any stamp moves.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use varde_core::org::OrgId;
use varde_core::pathways::Event;
use varde_store::{PathwayStamp, StoredPathwayEvent};

use crate::cache::StampCache;
use crate::error::WebError;
use crate::AppState;

/// The effective events of an organisation (or of everyone), parsed, with each event's row id
/// and organisation.
#[derive(Debug, Default)]
pub struct Parsed {
    pub ids: Vec<i64>,
    pub orgs: Vec<OrgId>,
    pub events: Vec<Event>,
    /// The highest row id read (parsed or not): where an incremental read goes on from.
    max_id: i64,
    /// The version these events are (at least) of: what a write checked against them expects.
    pub stamp: PathwayStamp,
}

/// Everyone's events, with the stamps of the organisations they were built from.
type All = (Vec<(OrgId, PathwayStamp)>, Arc<Parsed>);

/// The area's cache of [`Parsed`] events: per organisation, and everyone's.
#[derive(Debug, Default)]
pub struct PathwayCache {
    by_org: StampCache<OrgId, PathwayStamp, Parsed>,
    all: Mutex<Option<All>>,
}

/// One pathway's effective events: the stored rows and, beside each, its parsed event.
pub struct Loaded {
    pub rows: Vec<StoredPathwayEvent>,
    pub events: Vec<Event>,
}

/// The organisation's effective events (or everyone's), parsed.
pub async fn load(state: &AppState, org: Option<OrgId>) -> Result<Arc<Parsed>, WebError> {
    match org {
        Some(org) => load_org(state, org).await,
        None => load_all(state).await,
    }
}

/// Everyone's effective events: each organisation's, from its cache, together, with pathway
/// ids qualified by organisation (`{org_id}/{pathway_id}`).
async fn load_all(state: &AppState) -> Result<Arc<Parsed>, WebError> {
    let cache = &state.pathways.cache;
    let stamps = state.store.pathway_stamps().await?;
    if let Some((cached, parsed)) = &*cache.all.lock().unwrap_or_else(PoisonError::into_inner) {
        if *cached == stamps {
            return Ok(parsed.clone());
        }
    }
    let mut parts = Vec::with_capacity(stamps.len());
    for (org, _) in &stamps {
        parts.push((*org, load_org(state, *org).await?));
    }
    // A unit name used by more than one organisation names two units: together, it is
    // qualified by the organisation's name, so that neither's figures are counted as the
    // other's.
    let mut unit_orgs: HashMap<Arc<str>, BTreeSet<OrgId>> = HashMap::new();
    for (org, p) in &parts {
        for e in &p.events {
            if !unit_orgs.get(&e.unit).is_some_and(|o| o.contains(org)) {
                unit_orgs.entry(e.unit.clone()).or_default().insert(*org);
            }
        }
    }
    let mut renamed: HashMap<(OrgId, Arc<str>), Arc<str>> = HashMap::new();
    let mut names: HashMap<OrgId, String> = HashMap::new();
    for (unit, orgs) in &unit_orgs {
        if orgs.len() < 2 {
            continue;
        }
        for org in orgs {
            if !names.contains_key(org) {
                names.insert(*org, state.org_label(*org).await);
            }
            let name = &names[org];
            renamed.insert((*org, unit.clone()), Arc::from(format!("{unit} ({name})")));
        }
    }
    let all = tokio::task::spawn_blocking(move || together(&parts, &renamed))
        .await
        .map_err(|_| WebError::internal("parsing task failed"))?;
    *cache.all.lock().unwrap_or_else(PoisonError::into_inner) = Some((stamps, all.clone()));
    Ok(all)
}

/// The organisations' events as one set. A pathway id names a pathway within its
/// organisation (two organisations may use the same id for different patients): together,
/// each id is qualified by its organisation (one shared string per pathway), so no computation
/// joins them; units named by two organisations take their `renamed` names.
fn together(
    parts: &[(OrgId, Arc<Parsed>)],
    renamed: &HashMap<(OrgId, Arc<str>), Arc<str>>,
) -> Arc<Parsed> {
    let n = parts.iter().map(|(_, p)| p.events.len()).sum();
    let mut all = Parsed {
        ids: Vec::with_capacity(n),
        orgs: Vec::with_capacity(n),
        events: Vec::with_capacity(n),
        max_id: 0,
        stamp: PathwayStamp::default(),
    };
    for (_, p) in parts {
        let mut qualified: HashMap<&str, Arc<str>> = HashMap::new();
        all.ids.extend_from_slice(&p.ids);
        all.orgs.extend_from_slice(&p.orgs);
        all.events
            .extend(p.events.iter().zip(&p.orgs).map(|(e, org)| {
                let id = qualified
                    .entry(&*e.pathway_id)
                    .or_insert_with(|| Arc::from(format!("{}/{}", org.0, e.pathway_id)))
                    .clone();
                let unit = if renamed.is_empty() {
                    e.unit.clone()
                } else {
                    renamed
                        .get(&(*org, e.unit.clone()))
                        .cloned()
                        .unwrap_or_else(|| e.unit.clone())
                };
                Event {
                    pathway_id: id,
                    unit,
                    ..e.clone()
                }
            }));
        all.max_id = all.max_id.max(p.max_id);
    }
    Arc::new(all)
}

/// A stored row's event, or `None` (logged) when it no longer parses (it was valid when
/// written).
fn parse_row(row: &StoredPathwayEvent) -> Option<Event> {
    row.fields
        .parse(u64::try_from(row.id).unwrap_or(0))
        .inspect_err(
            |e| tracing::warn!(row = row.id, rule = %e.rule, "stored pathway event does not parse"),
        )
        .ok()
}

/// One organisation's effective events. A stored row that no longer parses (it was valid when
/// written) is logged and left out rather than failing the page.
async fn load_org(state: &AppState, org: OrgId) -> Result<Arc<Parsed>, WebError> {
    let cache = &state.pathways.cache.by_org;
    let stamp = state.store.pathway_stamp(Some(org)).await?;
    if let Some(parsed) = cache.get(&org, &stamp) {
        return Ok(parsed);
    }
    // Only additions since the cached version (no correction since): read and parse just
    // those. A correction reloads everything. An organisation's row ids rise in commit order
    // (its writers take turns), so the rows above the cached ones are exactly the additions.
    let (base, stored) = match cache.get_any(&org) {
        Some((old, parsed)) if old.corrections == stamp.corrections && stamp.seq > old.seq => {
            let max_id = parsed.max_id;
            (
                Some(parsed),
                state.store.pathway_events_after(Some(org), max_id).await?,
            )
        }
        _ => (None, state.store.pathway_events(Some(org)).await?),
    };
    let parsed = tokio::task::spawn_blocking(move || {
        let mut p = match base {
            Some(b) => Parsed {
                ids: b.ids.clone(),
                orgs: b.orgs.clone(),
                events: b.events.clone(),
                max_id: b.max_id,
                stamp,
            },
            None => Parsed {
                stamp,
                ..Parsed::default()
            },
        };
        p.ids.reserve(stored.len());
        p.orgs.reserve(stored.len());
        p.events.reserve(stored.len());
        for row in stored {
            p.max_id = p.max_id.max(row.id);
            if let Some(e) = parse_row(&row) {
                p.ids.push(row.id);
                p.orgs.push(row.org_id);
                p.events.push(e);
            }
        }
        Arc::new(p)
    })
    .await
    .map_err(|_| WebError::internal("parsing task failed"))?;
    cache.put(org, stamp, parsed.clone());
    Ok(parsed)
}

/// One pathway's effective events (a row that no longer parses is logged and left out).
pub async fn load_pathway(
    state: &AppState,
    org: OrgId,
    pathway_id: &str,
) -> Result<Loaded, WebError> {
    let stored = state.store.pathway_events_of(org, pathway_id).await?;
    let (rows, events) = stored
        .into_iter()
        .filter_map(|row| parse_row(&row).map(|e| (row, e)))
        .unzip();
    Ok(Loaded { rows, events })
}
