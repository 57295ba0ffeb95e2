//! The demo's monitoring data, through the same operations a user's work goes through: the
//! simulator's rows of every source (`varde_sim::sources`, five years for the weekly count
//! sources so that Farrington flexible has its history, a tenth of the national seizures)
//! imported as `analytiker`, each batch re-evaluating the series it touched and raising the
//! signals its rules raise; drug-checking samples taken in and analysed by `lab` over the last
//! six months; and the prescription figures. Nothing here writes a signal or a figure
//! directly: what the inbox shows, the rules found.
//!
//! Idempotent: the batches have fixed ids (a second run imports nothing), and the drug-checking
//! samples are taken in only when the laboratory has none.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use varde_core::drugcheck::{AnalysisInput, FoundInput, IntakeInput};
use varde_core::monitoring::sources::Source;

use crate::authz::{ImportMonitoring, OrgAccess, RecordAnalyses, TakeSamples};
use crate::error::WebError;
use crate::AppState;

/// The simulator's seed for the demo.
pub const DEMO_SEED: u64 = 2026;

/// What the demo's monitoring holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoMonitoring {
    /// Source rows imported now.
    pub rows: usize,
    /// Drug-checking samples taken in and analysed now.
    pub samples: usize,
    /// One of those samples' codes, for trying the public lookup.
    pub code: Option<String>,
    /// Prescription figures imported now.
    pub prescriptions: usize,
}

async fn principal(
    state: &AppState,
    username: &str,
) -> Result<varde_core::org::Principal, WebError> {
    let missing = || WebError::internal("a demo user is missing");
    let user = state
        .store
        .user_by_username(username)
        .await?
        .ok_or_else(missing)?;
    crate::auth::principal_of(&user).ok_or_else(missing)
}

/// Loads the demo's monitoring data (see the module's documentation). Call on a database
/// prepared by [`crate::bootstrap::seed_demo`].
pub async fn seed_demo_monitoring(state: &AppState) -> Result<DemoMonitoring, WebError> {
    let mut out = DemoMonitoring::default();
    let analyst = principal(state, "analytiker").await?;
    let access = OrgAccess::<ImportMonitoring>::decide(state, analyst).await?;
    let today = state.clock.today();
    let sources = tokio::task::spawn_blocking(move || {
        varde_sim::sources::generate_sources(&varde_sim::sources::Options::demo(DEMO_SEED, today))
    })
    .await
    .map_err(|_| WebError::internal("the demo's sources could not be generated"))?;
    for file in sources.files {
        let source = Source::parse(file.source)
            .ok_or_else(|| WebError::internal("the simulator wrote an unknown source"))?;
        let batch = format!("demo-{DEMO_SEED}");
        let (_, answer) =
            super::import::import_text(state, &access, source, Some(&batch), false, file.csv)
                .await?;
        if let Some(r) = answer.refused.first() {
            return Err(WebError::internal(&format!(
                "demo {} refused at line {}: {}: {}",
                file.source, r.line, r.field, r.rule
            )));
        }
        out.rows += answer.accepted;
    }
    let (samples, code) = seed_samples(state).await?;
    out.samples = samples;
    out.code = code;
    out.prescriptions = super::prescriptions::seed_demo_prescriptions(state).await?;
    Ok(out)
}

/// What the demo's samples were sold as, and what was found in them (substance, purity):
/// mostly what was promised, sometimes not.
const SAMPLES: [(&str, &[(&str, f64)]); 8] = [
    ("kokain", &[("cocaine", 68.0)]),
    ("kokain", &[("cocaine", 41.0), ("levamisole", 0.0)]),
    ("MDMA", &[("MDMA", 82.0)]),
    ("MDMA", &[("3-MMC", 60.0)]),
    ("amfetamin", &[("amphetamine", 28.0)]),
    ("ketamin", &[("ketamine", 88.0)]),
    ("oksykodon", &[("oxycodone", 0.0)]),
    ("heroin", &[("heroin", 31.0)]),
];

/// Six months of drug checking in Oslo and Bergen, about six samples a week, analysed two days
/// after they came in; in the last week, a tablet sold as oxycodone holds protonitazene (the
/// watchlist's case). Only when the laboratory has no samples yet.
async fn seed_samples(state: &AppState) -> Result<(usize, Option<String>), WebError> {
    if state
        .store
        .drugcheck_counts()
        .await?
        .1
        .iter()
        .any(|m| m.1 > 0)
    {
        return Ok((0, None));
    }
    let lab = principal(state, "lab").await?;
    let intake = OrgAccess::<TakeSamples>::decide(state, lab.clone()).await?;
    let record = OrgAccess::<RecordAnalyses>::decide(state, lab).await?;
    let today = state.clock.today();
    let mut rng = ChaCha8Rng::seed_from_u64(DEMO_SEED);
    let mut n = 0;
    let mut last_code = None;
    for back in (3..182).rev() {
        let received = today
            .checked_sub(jiff::Span::new().days(back))
            .map_err(|_| WebError::internal("demo dates"))?;
        if !rng.gen_bool(6.0 / 7.0) {
            continue;
        }
        let (sold_as, found) = if back < 8 && back % 3 == 0 {
            ("oksykodon", &[("protonitazene", 0.0)][..])
        } else {
            SAMPLES[rng.gen_range(0..SAMPLES.len())]
        };
        let municipality = if rng.gen_bool(0.7) { "0301" } else { "4601" };
        let code = super::super::drugcheck::ops::intake(
            state,
            &intake,
            &IntakeInput {
                sold_as: sold_as.into(),
                municipality: municipality.into(),
                received_on: received.to_string(),
            },
            None,
        )
        .await?;
        let analysed = received
            .checked_add(jiff::Span::new().days(2))
            .map_err(|_| WebError::internal("demo dates"))?;
        let input = AnalysisInput {
            analysed_on: analysed.to_string(),
            method: "GC-MS".into(),
            found: found
                .iter()
                .filter(|(s, _)| varde_core::substances::get().find(s).is_some())
                .map(|(s, purity)| FoundInput {
                    substance: (*s).into(),
                    purity_percent: (*purity > 0.0)
                        .then(|| (purity + rng.gen_range(-8.0..8.0)).clamp(1.0, 99.0)),
                    amount_mg: None,
                })
                .collect(),
            contaminants: found
                .iter()
                .filter(|(s, _)| varde_core::substances::get().find(s).is_none())
                .map(|(s, _)| (*s).to_owned())
                .collect(),
        };
        super::super::drugcheck::ops::record(state, &record, &code.grouped(), &input).await?;
        n += 1;
        last_code = Some(code.grouped());
    }
    Ok((n, last_code))
}
