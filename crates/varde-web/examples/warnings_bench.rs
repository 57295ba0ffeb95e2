//! Benchmark (not a timed test): overdose warnings, from approval to the public, and the
//! public documents under load.
//!
//! `cargo run --release -p varde-web --example warnings_bench [-- WARNINGS SECONDS CLIENTS]`
//!
//! On a fresh database per engine (SQLite always; PostgreSQL as well when
//! `VARDE_TEST_POSTGRES_URL` is set), the real application with the system clock and its
//! delivery worker, a webhook subscriber on 127.0.0.1:
//!
//! 1. **Approval → public.** `WARNINGS` (default 20) times: a draft by `varselredaktor`, then
//!    the approval by `varselgodkjenner`, timed from just before the approval request to the
//!    moment the warning is seen (polled back to back) in the public JSON list, the HTML page,
//!    the Atom feed and its CAP document, and to the moment the subscriber's receiver starts
//!    reading the webhook delivery. Median and max.
//! 2. **The public documents under load.** `CLIENTS` (default 16) keep-alive clients for
//!    `SECONDS` (default 4) per endpoint read `/warnings` (HTML), `/warnings.atom` and
//!    `/api/v1/public/warnings`, and — the ceiling — a bare axum handler on another port of
//!    the same process that returns the same page's bytes from memory. Requests per second,
//!    p50 and p99 latency; the ratio is the endpoint's rate over the ceiling's, measured in
//!    alternation (ceiling, endpoint, ceiling, …; each ratio against the mean of the ceiling
//!    runs around it).
//!
//! Client and server share the process's runtime (two cores on the reference machine).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use varde_store::Engine;

#[path = "support/mod.rs"]
mod support;

use support::{fresh_db, token, Server};

const SEVERITIES: [&str; 3] = ["extreme", "severe", "moderate"];

fn body(n: usize) -> Value {
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::Span::new().hours(24 * 30))
        .unwrap();
    json!({
        "title": {"nb": format!("Protonitazen solgt som oksykodon ({n})"), "en": "Protonitazene sold as oxycodone"},
        "substance": "protonitazene",
        "sold_as": "OxyContin 80 mg",
        "areas": ["0301", "county:46"],
        "severity": SEVERITIES[n % 3],
        "description": {"nb": "Tabletter levert til rusmiddelanalyse inneholdt protonitazen, et svært potent opioid.", "en": "Tablets brought to drug checking held protonitazene, a very potent opioid."},
        "advice_public": {"nb": "Ikke bruk alene. Start med en liten dose. Ha nalokson tilgjengelig og ring 113 ved overdose.", "en": "Do not use alone. Start low. Keep naloxone at hand and call 113 in an overdose."},
        "advice_services": {"nb": "Del ut nalokson og informer brukere."},
        "expires": jiff::Zoned::new(expires, jiff::tz::TimeZone::get("Europe/Oslo").unwrap()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    })
}

/// A subscriber that notes when each delivery's request arrives.
async fn receiver() -> (String, Arc<Mutex<Vec<Instant>>>) {
    let got: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let at = Instant::now();
            sink.lock().unwrap().push(at);
            async { "ok" }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, got)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn poll_until(c: &reqwest::Client, url: &str, needle: &str, from: Instant) -> Duration {
    loop {
        let r = c.get(url).send().await.unwrap();
        if r.status() == 200 && r.text().await.unwrap().contains(needle) {
            return from.elapsed();
        }
        if from.elapsed() > Duration::from_secs(10) {
            panic!("{url} never showed {needle}");
        }
    }
}

async fn approval_to_public(engine: Engine, base: &str, n: usize) {
    let c = reqwest::Client::new();
    let admin = token(&c, base, "systemadmin").await;
    let editor = token(&c, base, "varselredaktor").await;
    let approver = token(&c, base, "varselgodkjenner").await;
    let (url, got) = receiver().await;
    let r = c
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(&admin)
        .json(&json!({"url": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let mut cols: [Vec<f64>; 6] = Default::default();
    for i in 0..n {
        let v: Value = c
            .post(format!("{base}/api/v1/warnings"))
            .bearer_auth(&editor)
            .json(&body(i))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = v["id"].as_str().unwrap().to_owned();
        let before = got.lock().unwrap().len();
        let t0 = Instant::now();
        let r = c
            .post(format!("{base}/api/v1/warnings/{id}/approve"))
            .bearer_auth(&approver)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        cols[0].push(ms(t0.elapsed()));
        cols[1].push(ms(poll_until(
            &c,
            &format!("{base}/api/v1/public/warnings"),
            &id,
            t0,
        )
        .await));
        cols[2].push(ms(poll_until(
            &c,
            &format!("{base}/warnings"),
            &format!("/warnings/{id}"),
            t0,
        )
        .await));
        cols[3].push(ms(poll_until(
            &c,
            &format!("{base}/warnings.atom"),
            &id,
            t0,
        )
        .await));
        cols[4].push(ms(poll_until(
            &c,
            &format!("{base}/warnings/{id}/cap.xml"),
            "<msgType>Alert</msgType>",
            t0,
        )
        .await));
        let hook = loop {
            if let Some(at) = got.lock().unwrap().get(before).copied() {
                break at.duration_since(t0);
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "no delivery");
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        cols[5].push(ms(hook));
    }
    println!(
        "\n### {}: approval → public ({n} warnings, ms from the approval request)\n",
        engine.as_str()
    );
    println!("| | approval answered | JSON list | HTML page | Atom feed | CAP document | webhook request arrives |");
    println!("|---|---|---|---|---|---|---|");
    let meds: Vec<String> = cols
        .iter_mut()
        .map(|c| format!("{:.1}", median(c)))
        .collect();
    let maxs: Vec<String> = cols
        .iter()
        .map(|c| format!("{:.1}", c.iter().copied().fold(0.0, f64::max)))
        .collect();
    println!("| median | {} |", meds.join(" | "));
    println!("| max | {} |", maxs.join(" | "));
}

struct Load {
    rps: f64,
    p50: f64,
    p99: f64,
}

async fn load(url: &str, clients: usize, secs: u64) -> Load {
    let until = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let c = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let mut lat = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                let r = c.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap();
                lat.push(ms(t.elapsed()));
            }
            lat
        }));
    }
    let t0 = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = t0.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let q = |p: f64| all[((all.len() - 1) as f64 * p) as usize];
    Load {
        rps: all.len() as f64 / elapsed,
        p50: q(0.5),
        p99: q(0.99),
    }
}

async fn under_load(engine: Engine, base: &str, secs: u64, clients: usize) {
    let page: Arc<str> = reqwest::get(format!("{base}/warnings"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .into();
    let bare_body = page.clone();
    let bare = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let b = bare_body.clone();
            async move {
                (
                    [("content-type", "text/html; charset=utf-8")],
                    b.to_string(),
                )
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ceiling_url = format!("http://{}/", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, bare).await.unwrap() });
    let endpoints = [
        ("/warnings (HTML)", format!("{base}/warnings")),
        ("/warnings.atom", format!("{base}/warnings.atom")),
        (
            "/api/v1/public/warnings",
            format!("{base}/api/v1/public/warnings"),
        ),
    ];
    load(&ceiling_url, clients, 1).await; // warm-up
    let mut before = load(&ceiling_url, clients, secs).await;
    println!(
        "\n### {}: public documents under load ({clients} clients, {secs} s each; page {} bytes)\n",
        engine.as_str(),
        page.len()
    );
    println!("| endpoint | req/s | p50 ms | p99 ms | ratio to ceiling |");
    println!("|---|---|---|---|---|");
    println!(
        "| bare axum handler (ceiling) | {:.0} | {:.2} | {:.2} | 1.00 |",
        before.rps, before.p50, before.p99
    );
    for (label, url) in &endpoints {
        load(url, clients, 1).await; // warm-up
        let m = load(url, clients, secs).await;
        let after = load(&ceiling_url, clients, secs).await;
        let ceiling = (before.rps + after.rps) / 2.0;
        println!(
            "| {label} | {:.0} | {:.2} | {:.2} | {:.2} |",
            m.rps,
            m.p50,
            m.p99,
            m.rps / ceiling
        );
        before = after;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let n = args.first().copied().unwrap_or(20);
    let secs = args.get(1).copied().unwrap_or(4) as u64;
    let clients = args.get(2).copied().unwrap_or(16);
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(db) = fresh_db(engine).await else {
            continue;
        };
        let server = Server::start(&db).await;
        approval_to_public(engine, &server.base, n).await;
        under_load(engine, &server.base, secs, clients).await;
        server.stop().await;
        db.cleanup().await;
    }
}
