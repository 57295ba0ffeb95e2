//! Benchmark (not a timed test): latency of authenticated pages of the real application.
//!
//! `cargo run --release -p varde-web --example page_bench [-- REQUESTS PERSONS]`
//!
//! Starts the application on a random port over a fresh database (SQLite always; PostgreSQL
//! as well when `VARDE_TEST_POSTGRES_URL` is set), seeds the built-in and demo organisations,
//! logs in as `radgiver.oslo`, registers `PERSONS` (default 200) people through the API, then
//! sends `REQUESTS` (default 1000) sequential requests to each endpoint over one keep-alive
//! connection, after a warm-up. The endpoints are interleaved in chunks so that a noisy
//! moment of the (shared) machine hits all of them alike; `/healthz` (no authentication, no
//! database) is the reference the others are divided by.
//!
//! A second server on the same database runs with the rate limits on (rates far above what
//! the benchmark sends, so none is refused): its `/healthz` and `/api/v1/me` beside the first
//! server's give the per-request cost of counting a client.
//!
//! Client and server share one two-thread tokio runtime, as a reverse proxy on the same host
//! would share the CPU; the numbers are end-to-end over loopback, body read included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use jiff::Timestamp;
use tokio::sync::oneshot;
use varde_core::pseudonym::PseudonymKey;
use varde_store::testing::TestDb;
use varde_store::Engine;
use varde_web::{AppState, Application, Clock, Config};

const NOW: &str = "2026-11-24T12:00:00Z";
const USER: &str = "radgiver.oslo";
/// Requests per endpoint per chunk; the chunks of all endpoints alternate.
const CHUNK: usize = 20;

/// A fresh, migrated database, or `None` when the engine is not configured. Fails loudly
/// when it is configured but unusable (a benchmark must not skip silently).
async fn fresh_db(engine: Engine) -> Option<TestDb> {
    if engine == Engine::Postgres && !varde_store::testing::postgres_configured() {
        return None;
    }
    let db = TestDb::new(engine).await;
    assert!(
        db.is_some(),
        "{}: could not create a database",
        engine.as_str()
    );
    db
}

/// `n` distinct valid synthetic national identity numbers (month + 80, born 1990-01-DD),
/// the scheme of `tests/common::synthetic_id`, enumerated so that none repeats.
fn synthetic_ids(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    'outer: for ind in 0..500u32 {
        for day in 1..=28u32 {
            let nine = format!("{day:02}8190{ind:03}");
            if let Some(id) = varde_core::ids::synth::with_control_digits(&nine) {
                out.push(id);
                if out.len() == n {
                    break 'outer;
                }
            }
        }
    }
    assert_eq!(out.len(), n, "not enough synthetic ids");
    out
}

#[derive(Clone, Copy)]
enum Auth {
    None,
    Bearer,
    Cookie,
}

struct Endpoint {
    label: &'static str,
    /// 0: the server without rate limits; 1: the one with them.
    server: usize,
    path: String,
    auth: Auth,
    /// Rotate `{id}` through the registered persons.
    per_person: bool,
    latencies: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

struct Row {
    engine: &'static str,
    label: &'static str,
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    ratio50: f64,
    ratio99: f64,
}

async fn bench_engine(engine: Engine, requests: usize, persons: usize) -> Option<Vec<Row>> {
    let db = fresh_db(engine).await?;
    let now: Timestamp = NOW.parse().expect("time");
    varde_web::bootstrap::seed_builtin(&db.store, now)
        .await
        .expect("seed built-in");
    varde_web::bootstrap::seed_demo(&db.store, now)
        .await
        .expect("seed demo");
    let config = Config {
        data_dir: db.data_dir.path().to_path_buf(),
        limits: varde_web::limits::Limits::off(),
        ..Config::default()
    };
    // The same limits as a server's defaults, but rates no benchmark reaches.
    let high = varde_web::limits::Rate::per_second(1_000_000, 1_000_000);
    let limited = Config {
        limits: varde_web::limits::Limits {
            login: high,
            anonymous: high,
            user: high,
            client_ip_header: None,
        },
        ..config.clone()
    };
    let mut bases = Vec::new();
    let mut servers = Vec::new();
    for config in [config, limited] {
        let key = PseudonymKey::from_bytes([7u8; 32]);
        let state = AppState::new(db.store.clone(), key, Clock::Fixed(now), config).expect("state");
        let app = Application::bind("127.0.0.1:0", state).await.expect("bind");
        bases.push(format!("http://{}", app.addr().expect("addr")));
        let (stop, stopped) = oneshot::channel::<()>();
        servers.push((
            stop,
            tokio::spawn(app.run(async move {
                let _ = stopped.await;
            })),
        ));
    }
    let base = bases[0].clone();

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // Log in through the API.
    let res = client
        .post(format!("{base}/api/v1/session"))
        .json(
            &serde_json::json!({"username": USER, "password": varde_web::bootstrap::DEMO_PASSWORD}),
        )
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200, "login");
    let body: serde_json::Value = res.json().await.expect("login json");
    let token = body["token"].as_str().expect("token").to_owned();

    // Register the persons through the API (timed, for the record).
    let t = Instant::now();
    let mut ids = Vec::with_capacity(persons);
    for (i, nid) in synthetic_ids(persons).into_iter().enumerate() {
        let res = client
            .post(format!("{base}/api/v1/persons"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"national_id": nid, "name": format!("Benchmark Person {i:03}")}))
            .send()
            .await
            .expect("register");
        let status = res.status();
        let body: serde_json::Value = res.json().await.expect("register json");
        assert_eq!(status, 201, "register {nid}: {body}");
        ids.push(body["id"].as_i64().expect("id"));
    }
    let reg = t.elapsed().as_secs_f64();
    eprintln!(
        "{}: registered {persons} persons through POST /api/v1/persons in {reg:.2} s ({:.2} ms each)",
        engine.as_str(),
        reg * 1e3 / persons as f64
    );

    let mut endpoints = vec![
        Endpoint {
            label: "GET /healthz (reference)",
            path: "/healthz".into(),
            auth: Auth::None,
            per_person: false,
            server: 0,
            latencies: Vec::new(),
        },
        Endpoint {
            label: "GET /api/v1/me",
            path: "/api/v1/me".into(),
            auth: Auth::Bearer,
            per_person: false,
            server: 0,
            latencies: Vec::new(),
        },
        Endpoint {
            label: "GET /api/v1/persons",
            path: "/api/v1/persons".into(),
            auth: Auth::Bearer,
            per_person: false,
            server: 0,
            latencies: Vec::new(),
        },
        Endpoint {
            label: "GET /api/v1/persons/{id}",
            path: "/api/v1/persons/{id}".into(),
            auth: Auth::Bearer,
            per_person: true,
            server: 0,
            latencies: Vec::new(),
        },
        Endpoint {
            label: "GET /persons (HTML, cookie)",
            path: "/persons".into(),
            auth: Auth::Cookie,
            per_person: false,
            server: 0,
            latencies: Vec::new(),
        },
        Endpoint {
            label: "GET /healthz (rate limits on)",
            path: "/healthz".into(),
            auth: Auth::None,
            per_person: false,
            server: 1,
            latencies: Vec::new(),
        },
        Endpoint {
            label: "GET /api/v1/me (rate limits on)",
            path: "/api/v1/me".into(),
            auth: Auth::Bearer,
            per_person: false,
            server: 1,
            latencies: Vec::new(),
        },
    ];

    // Check each answers 200 (and the list really holds every person), then warm up.
    {
        let res = client
            .get(format!("{base}/api/v1/persons"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("list");
        let list: Vec<serde_json::Value> = res.json().await.expect("list json");
        assert_eq!(list.len(), persons, "the list holds every person");
    }
    let warmup = (requests / 10).max(20);
    let mut counter = 0usize;
    for ep in &mut endpoints {
        for _ in 0..warmup {
            let _ = timed(&client, &bases[ep.server], ep, &token, &ids, &mut counter).await;
        }
    }

    let mut done = 0;
    while done < requests {
        let n = CHUNK.min(requests - done);
        for ep in &mut endpoints {
            for _ in 0..n {
                let d = timed(&client, &bases[ep.server], ep, &token, &ids, &mut counter).await;
                ep.latencies.push(d);
            }
        }
        done += n;
    }

    for (stop, server) in servers {
        let _ = stop.send(());
        let _ = server.await;
    }
    db.cleanup().await;

    let mut stats: Vec<(&'static str, usize, f64, f64, f64)> = Vec::new();
    for ep in &mut endpoints {
        ep.latencies.sort();
        stats.push((
            ep.label,
            ep.latencies.len(),
            percentile(&ep.latencies, 50.0),
            percentile(&ep.latencies, 90.0),
            percentile(&ep.latencies, 99.0),
        ));
    }
    let (_, _, ref50, _, ref99) = stats[0];
    Some(
        stats
            .into_iter()
            .map(|(label, n, p50, p90, p99)| Row {
                engine: engine.as_str(),
                label,
                n,
                p50,
                p90,
                p99,
                ratio50: p50 / ref50,
                ratio99: p99 / ref99,
            })
            .collect(),
    )
}

/// One request, body read; panics on any status but 200.
async fn timed(
    client: &reqwest::Client,
    base: &str,
    ep: &Endpoint,
    token: &str,
    ids: &[i64],
    counter: &mut usize,
) -> Duration {
    let path = if ep.per_person {
        *counter += 1;
        ep.path
            .replace("{id}", &ids[*counter % ids.len()].to_string())
    } else {
        ep.path.clone()
    };
    let req = client.get(format!("{base}{path}"));
    let req = match ep.auth {
        Auth::None => req,
        Auth::Bearer => req.bearer_auth(token),
        Auth::Cookie => req.header(
            reqwest::header::COOKIE,
            format!("{}={token}", varde_web::auth::SESSION_COOKIE),
        ),
    };
    let t = Instant::now();
    let res = req.send().await.expect("request");
    let status = res.status();
    let body = res.bytes().await.expect("body");
    let d = t.elapsed();
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    d
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let persons: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);

    let mut rows = Vec::new();
    for engine in [Engine::Sqlite, Engine::Postgres] {
        match bench_engine(engine, requests, persons).await {
            Some(r) => rows.extend(r),
            None => eprintln!(
                "{}: skipped (VARDE_TEST_POSTGRES_URL not set)",
                engine.as_str()
            ),
        }
    }

    println!();
    println!("{requests} sequential requests per endpoint after warm-up, {persons} persons; ratio = percentile / same percentile of /healthz on the same engine");
    println!();
    println!("| engine | request | n | p50 ms | p90 ms | p99 ms | p50 / healthz | p99 / healthz |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.1} | {:.1} |",
            r.engine, r.label, r.n, r.p50, r.p90, r.p99, r.ratio50, r.ratio99
        );
    }
}
