//! Benchmark (not a timed test): the worklist of a unit with 2,000 open pathways.
//!
//! `cargo run --release -p varde-web --example worklist_bench [-- PATHWAYS REQUESTS NAMES]`
//!
//! Seeds one treatment unit with `PATHWAYS` (default 2000) open pathways of six events each
//! (referral, assessment with a right, start, first attendance, clinical decision, one
//! evaluation), directly through the store — with `NAMES` 1 (the default) each pathway names a
//! person of the register (registered through the web's operation), so that the worklist reads
//! and shows the patients' names; with 0 the pathways are pseudonymous — then measures `GET /api/v1/pathways/worklist`
//! end to end over loopback (`REQUESTS`, default 50, after a warm-up), with `GET /healthz` as
//! the in-process reference. The target is under 50 ms server time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use jiff::Timestamp;
use tokio::sync::oneshot;
use varde_core::pathways::EventFields;
use varde_core::pseudonym::PseudonymKey;
use varde_store::testing::TestDb;
use varde_store::Engine;
use varde_web::{AppState, Application, Clock, Config};

const NOW: &str = "2026-11-24T12:00:00Z";

fn events(n: usize) -> Vec<EventFields> {
    let mut out = Vec::with_capacity(n * 6);
    for i in 0..n {
        let day = 1 + (i % 28);
        let ev = |event: &str, date: String, outcome: &str, deadline: &str| EventFields {
            pathway_id: format!("W{i:05}"),
            unit: "Bench TSB poliklinikk".into(),
            hf: "Oslo universitetssykehus HF".into(),
            rhf: "Helse Sør-Øst RHF".into(),
            kommune: "0301".into(),
            care_level: "outpatient".into(),
            event: event.into(),
            date,
            outcome: outcome.into(),
            deadline: deadline.into(),
            ..EventFields::default()
        };
        out.push(ev("referral_received", format!("2026-08-{day:02}"), "", ""));
        out.push(ev(
            "referral_assessed",
            format!("2026-09-{day:02}"),
            "right",
            "2026-12-31",
        ));
        out.push(ev("pathway_start", format!("2026-09-{day:02}"), "", ""));
        out.push(ev("first_attendance", format!("2026-10-{day:02}"), "", ""));
        out.push(ev(
            "clinical_decision",
            format!("2026-10-{day:02}"),
            "CT",
            "",
        ));
        out.push(ev(
            "evaluation",
            format!("2026-11-{:02}", 1 + (i % 23)),
            "",
            "",
        ));
    }
    out
}

/// A valid synthetic national identity number (month + 80) for person `i`: born on a day,
/// month and year (1950 on) of its own, so distinct for distinct `i` below 28 × 12 × 50.
fn synthetic_id(i: usize) -> String {
    let i = u32::try_from(i).expect("fewer persons than u32::MAX");
    let (day, rest) = (1 + i % 28, i / 28);
    varde_core::ids::synth::born(day, 1 + rest % 12, 50 + rest / 12).expect("a synthetic number")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(engine: Engine, pathways: usize, requests: usize, names: bool) -> Option<()> {
    if engine == Engine::Postgres && !varde_store::testing::postgres_configured() {
        return None;
    }
    let db = TestDb::new(engine).await.expect("database");
    let now: Timestamp = NOW.parse().unwrap();
    varde_web::bootstrap::seed_builtin(&db.store, now)
        .await
        .unwrap();
    varde_web::bootstrap::seed_demo(&db.store, now)
        .await
        .unwrap();
    let org = db
        .store
        .org_by_key(varde_web::bootstrap::DEMO_TREATMENT_ORGNR)
        .await
        .unwrap()
        .unwrap()
        .id;
    let actor = db
        .store
        .user_by_username("kliniker")
        .await
        .unwrap()
        .unwrap()
        .id;
    let state = AppState::new(
        db.store.clone(),
        PseudonymKey::from_bytes([7; 32]),
        Clock::Fixed(now),
        Config {
            limits: varde_web::limits::Limits::off(),
            ..Config::default()
        },
    )
    .unwrap();
    // The persons the pathways belong to, registered as the pages and the API register them.
    let mut persons = Vec::new();
    if names {
        let user = db
            .store
            .user_by_username("kliniker")
            .await
            .unwrap()
            .unwrap();
        let principal = varde_web::auth::principal_of(&user).unwrap();
        let create = varde_web::authz::OrgAccess::<varde_web::authz::CreatePerson>::decide(
            &state, principal,
        )
        .await
        .unwrap();
        for i in 0..pathways {
            let input = varde_core::persons::NewPersonInput {
                national_id: synthetic_id(i),
                name: format!("Pasient {i:05}"),
                birth_date: None,
                kommune: None,
            };
            persons.push(
                varde_web::persons::create(&state, &create, &input)
                    .await
                    .unwrap(),
            );
        }
    }
    let evs = events(pathways);
    for (k, chunk) in evs.chunks(6 * 1_000).enumerate() {
        // Each pathway's first row is its referral: it names the pathway's person.
        let links: Vec<(usize, i64)> = persons
            .iter()
            .skip(k * 1_000)
            .take(chunk.len() / 6)
            .enumerate()
            .map(|(j, id)| (j * 6, *id))
            .collect();
        db.store
            .append_pathway_write(varde_store::PathwayWrite {
                org,
                actor,
                batch: None,
                events: chunk,
                persons: &links,
                recorded_at: now,
                access: None,
                expected: None,
            })
            .await
            .unwrap();
    }
    // Server-side breakdown, in process: load, parse, compute.
    let today: jiff::civil::Date = "2026-11-24".parse().unwrap();
    let t = Instant::now();
    let rows = db.store.pathway_events(Some(org)).await.unwrap();
    let t_load = t.elapsed();
    let t = Instant::now();
    let parsed: Vec<_> = rows.iter().filter_map(|r| r.fields.parse(0).ok()).collect();
    let t_parse = t.elapsed();
    let t = Instant::now();
    let items = varde_core::pathways::worklist(&parsed, today);
    let _ = varde_core::pathways::worklist::unassessed(&parsed, today);
    let _ = varde_core::pathways::worklist::waiting_list(&parsed, today);
    let t_compute = t.elapsed();
    eprintln!(
        "{}: load {:.1} ms, parse {:.1} ms, worklist+unassessed+waiting {:.1} ms ({} items)",
        engine.as_str(),
        ms(t_load),
        ms(t_parse),
        ms(t_compute),
        items.len()
    );
    let app = Application::bind("127.0.0.1:0", state).await.unwrap();
    let base = format!("http://{}", app.addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": "kliniker", "password": varde_web::bootstrap::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let time = |path: &'static str, auth: bool| {
        let client = client.clone();
        let base = base.clone();
        let token = token.clone();
        async move {
            let mut req = client.get(format!("{base}{path}"));
            if auth {
                req = req.bearer_auth(&token);
            }
            let t = Instant::now();
            let res = req.send().await.unwrap();
            assert!(res.status().is_success(), "{path}");
            let body = res.bytes().await.unwrap();
            (t.elapsed(), body.len())
        }
    };
    let (_, size) = time("/api/v1/pathways/worklist", true).await;
    let mut work = Vec::with_capacity(requests);
    let mut health = Vec::with_capacity(requests);
    for _ in 0..requests {
        work.push(time("/api/v1/pathways/worklist", true).await.0);
        health.push(time("/healthz", false).await.0);
    }
    // After a write the cache takes in only the new rows: time the first request after one.
    let mut after_write = Vec::with_capacity(10);
    for k in 0..10 {
        let res = client
            .post(format!("{base}/api/v1/pathways/events"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"pathway_id": format!("NEW{k}"), "unit": "Bench TSB poliklinikk",
                "hf": "Oslo universitetssykehus HF", "rhf": "Helse Sør-Øst RHF", "kommune": "0301",
                "care_level": "outpatient", "event": "referral_received", "date": "2026-11-20"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        after_write.push(time("/api/v1/pathways/worklist", true).await.0);
    }
    after_write.sort();
    eprintln!(
        "{}: first worklist after a write: p50 {:.1} ms, max {:.1} ms",
        engine.as_str(),
        ms(after_write[after_write.len() / 2]),
        ms(after_write[after_write.len() - 1])
    );
    work.sort();
    health.sort();
    let p = |v: &[Duration], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!(
        "| {} | {pathways} | {} | {size} | {:.1} | {:.1} | {:.3} | {:.0}× |",
        engine.as_str(),
        evs.len(),
        ms(p(&work, 0.5)),
        ms(p(&work, 0.9)),
        ms(p(&health, 0.5)),
        ms(p(&work, 0.5)) / ms(p(&health, 0.5)),
    );
    let _ = tx.send(());
    let _ = server.await;
    db.cleanup().await;
    Some(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let pathways = args.first().copied().unwrap_or(2000);
    let requests = args.get(1).copied().unwrap_or(50);
    let names = args.get(2).copied().unwrap_or(1) != 0;
    println!(
        "pathways {}",
        if names {
            "naming their patients (the worklist reads and shows the names)"
        } else {
            "without patients (pseudonymous)"
        }
    );
    println!("| engine | open pathways | events | body bytes | worklist p50 ms | p90 ms | /healthz p50 ms | ratio |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for engine in Engine::BOTH {
        if run(engine, pathways, requests, names).await.is_none() {
            println!(
                "| {} | skipped: VARDE_TEST_POSTGRES_URL not set | | | | | | |",
                engine.as_str()
            );
        }
    }
}
