//! Benchmark (not a timed test): from a drug-checking result with a watchlist substance to
//! the signal in the analysts' list, through the API.
//!
//! `cargo run --release -p varde-web --example signals_bench [-- SAMPLES]`
//!
//! On a fresh database per engine (SQLite always; PostgreSQL as well when
//! `VARDE_TEST_POSTGRES_URL` is set), the real application with the system clock: `SAMPLES`
//! (default 20) times, the lab (`lab`) takes in a sample and records protonitazene in it; the
//! clock starts just before the result request and stops when `GET /api/v1/signals?status=new`
//! (as `analytiker`), polled back to back, lists the new signal. Median and max, milliseconds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use varde_store::Engine;

#[path = "support/mod.rs"]
mod support;

use support::{fresh_db, token, Server};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(engine: Engine, n: usize) {
    let Some(db) = fresh_db(engine).await else {
        return;
    };
    let server = Server::start(&db).await;
    let base = server.base.clone();
    let today = server.state.clock.today().to_string();
    let c = reqwest::Client::new();
    let lab = token(&c, &base, "lab").await;
    let analyst = token(&c, &base, "analytiker").await;
    let mut times = Vec::new();
    for _ in 0..n {
        let v: Value = c
            .post(format!("{base}/api/v1/drugcheck/samples"))
            .bearer_auth(&lab)
            .json(&json!({"sold_as": "oksykodon", "municipality": "0301", "received_on": today}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = v["code"].as_str().unwrap().to_owned();
        let before = c
            .get(format!("{base}/api/v1/signals?status=new"))
            .bearer_auth(&analyst)
            .send()
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
            .len();
        let t0 = Instant::now();
        let r = c
            .post(format!("{base}/api/v1/drugcheck/samples/{code}/result"))
            .bearer_auth(&lab)
            .json(&json!({"analysed_on": today, "method": "GC-MS", "found": [{"substance": "protonitazene", "purity_percent": 4.5}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        loop {
            let list: Vec<Value> = c
                .get(format!("{base}/api/v1/signals?status=new"))
                .bearer_auth(&analyst)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if list.len() > before {
                times.push(ms(t0.elapsed()));
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "no signal");
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "| {} | {n} | {:.1} | {:.1} |",
        engine.as_str(),
        times[times.len() / 2],
        times[times.len() - 1]
    );
    server.stop().await;
    db.cleanup().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = std::env::args().nth(1).map_or(20, |a| a.parse().unwrap());
    println!("| engine | results | median ms | max ms |");
    println!("|---|---|---|---|");
    for engine in [Engine::Sqlite, Engine::Postgres] {
        run(engine, n).await;
    }
}
