//! Benchmark (not a timed test): import of the national year of pathway events, beside the
//! engine's raw insert rate on the same machine, measured in one run.
//!
//! `cargo run --release -p varde-store --example pathways_import_bench [-- OPTIONS]`
//!
//! Options: `--scale S`, `--batch N`, `--rounds R`, `--values-rows V` (or the variables
//! `VARDE_BENCH_SCALE`, `VARDE_BENCH_BATCH`, `VARDE_BENCH_ROUNDS`, `VARDE_BENCH_VALUES_ROWS`).
//! Defaults: scale 1.0 (the national year), batches of 10 000 events, 1 round, and 5 rows a
//! `VALUES` statement on SQLite, 500 on PostgreSQL (each engine's best: SQLite looks bound
//! parameters up by a linear search, so a statement of k parameters costs O(k²) to bind).
//!
//! The year is generated with `varde_sim::pathways::simulate_pathways` (seed 2026) into a
//! temporary directory and read back with `read_events`. Per engine (SQLite always, a fresh
//! file with WAL and `synchronous=FULL`; PostgreSQL as well when `VARDE_TEST_POSTGRES_URL` is
//! set, a fresh database), each mode gets its own fresh database and the same batches, each
//! batch its own transaction:
//!
//! - `import`: `Store::append_pathway_events` (event log, projection, batch record), batch ids
//!   distinct;
//! - `raw json`: `Store::raw_insert_pathway_rows_benchmark(PathwayRawInsert::Json)`: the
//!   projection's rows into a plain table with its columns (no key, index or constraint), by
//!   the same statements and chunking as the import;
//! - `raw values`: the same rows by classic multi-row `INSERT … VALUES`;
//!
//! the faster of these two is **the engine's raw insert rate** the import is held to (the
//! issue's target: at least half of it);
//!
//! - `raw same bytes` (for context): `PathwayRawInsert::JsonWithLog`, the event-log rows (with
//!   their JSON bodies) and the projection rows into two plain tables: what the import writes,
//!   without its keys, indexes, constraints and lookups.
//!
//! The modes are interleaved batch by batch (import batch i, raw batch i, …) so that all see
//! the same machine at the same time; each batch is timed on its own. The last column is the
//! import's rate over the mode's rate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use jiff::Timestamp;
use varde_core::org::{OrgId, OrgKind, UserId};
use varde_core::pathways::{read_events, EventFields};
use varde_store::testing::TestDb;
use varde_store::{Batch, Engine, ImportOutcome, NewOrg, PathwayRawInsert};

struct Params {
    scale: f64,
    batch: usize,
    rounds: usize,
    values_rows: Option<usize>,
}

fn params() -> Params {
    let mut p = Params {
        scale: env("VARDE_BENCH_SCALE").unwrap_or(1.0),
        batch: env("VARDE_BENCH_BATCH").unwrap_or(10_000),
        rounds: env("VARDE_BENCH_ROUNDS").unwrap_or(1),
        values_rows: env("VARDE_BENCH_VALUES_ROWS"),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--scale" => p.scale = v.parse().expect("--scale S"),
            "--batch" => p.batch = v.parse().expect("--batch N"),
            "--rounds" => p.rounds = v.parse().expect("--rounds R"),
            "--values-rows" => p.values_rows = Some(v.parse().expect("--values-rows V")),
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(p.batch > 0 && p.rounds > 0);
    p
}

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Import,
    Raw(PathwayRawInsert),
}

impl Mode {
    fn label(self) -> String {
        match self {
            Mode::Import => "import".into(),
            Mode::Raw(PathwayRawInsert::Json) => "raw json".into(),
            Mode::Raw(PathwayRawInsert::Values { rows_per_statement }) => {
                format!("raw values x{rows_per_statement}")
            }
            Mode::Raw(PathwayRawInsert::JsonWithLog) => "raw same bytes".into(),
        }
    }
}

async fn fresh(engine: Engine) -> Option<(TestDb, OrgId)> {
    let db = TestDb::new(engine).await?;
    let org = db
        .store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::Municipality,
                name: "Bench".into(),
                slug: "bench".into(),
                kommunenummer: None,
                orgnr: None,
                parent_id: None,
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    Some((db, org))
}

/// One round on one engine: the time of each mode.
async fn run(
    engine: Engine,
    events: &[EventFields],
    p: &Params,
    round: usize,
    modes: &[Mode],
) -> Option<Vec<Duration>> {
    let mut dbs = Vec::new();
    for _ in modes {
        dbs.push(fresh(engine).await?);
    }
    let now = Timestamp::now();
    let mut times = vec![Duration::ZERO; modes.len()];
    for (i, batch) in events.chunks(p.batch).enumerate() {
        let id = format!("bench-{round}-{i}");
        for ((mode, (db, org)), time) in modes.iter().zip(&dbs).zip(&mut times) {
            let t = Instant::now();
            match mode {
                Mode::Import => {
                    let got = db
                        .store
                        .append_pathway_events(
                            *org,
                            UserId(1),
                            Some(Batch {
                                id: &id,
                                digest: &id,
                            }),
                            batch,
                            now,
                            None,
                        )
                        .await
                        .expect("import");
                    assert_eq!(
                        got,
                        ImportOutcome::Imported {
                            events: batch.len()
                        }
                    );
                }
                Mode::Raw(method) => db
                    .store
                    .raw_insert_pathway_rows_benchmark(*org, Some(&id), batch, now, *method)
                    .await
                    .expect("raw insert"),
            }
            *time += t.elapsed();
        }
    }
    for (db, _) in dbs {
        db.cleanup().await;
    }
    Some(times)
}

#[tokio::main]
async fn main() {
    let p = params();
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let manifest = varde_sim::pathways::simulate_pathways(2026, p.scale, dir.path()).unwrap();
    let file = std::fs::File::open(dir.path().join("events.csv")).unwrap();
    let parsed = read_events(std::io::BufReader::new(file)).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", &parsed.errors[..1]);
    let events: Vec<EventFields> = parsed.events.iter().map(EventFields::of).collect();
    drop(parsed);
    println!(
        "{} events of {} pathways (scale {}, generated and read in {:.1} s), batches of {}, {} round(s)",
        events.len(),
        manifest.pathways,
        p.scale,
        t.elapsed().as_secs_f64(),
        p.batch,
        p.rounds
    );
    println!(
        "{:<9} {:<6} {:<24} {:>9} {:>11} {:>11}",
        "engine", "round", "mode", "seconds", "events/s", "import/mode"
    );
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let values_rows = p.values_rows.unwrap_or(match engine {
            Engine::Sqlite => 5,
            Engine::Postgres => 500,
        });
        let modes = [
            Mode::Import,
            Mode::Raw(PathwayRawInsert::Json),
            Mode::Raw(PathwayRawInsert::Values {
                rows_per_statement: values_rows,
            }),
            Mode::Raw(PathwayRawInsert::JsonWithLog),
        ];
        for round in 0..p.rounds {
            let Some(times) = run(engine, &events, &p, round, &modes).await else {
                println!(
                    "{}: skipped (VARDE_TEST_POSTGRES_URL not set)",
                    engine.as_str()
                );
                break;
            };
            let rate = |d: Duration| events.len() as f64 / d.as_secs_f64();
            for (mode, time) in modes.iter().zip(&times) {
                println!(
                    "{:<9} {:<6} {:<24} {:>9.2} {:>11.0} {:>11.2}",
                    engine.as_str(),
                    round + 1,
                    mode.label(),
                    time.as_secs_f64(),
                    rate(*time),
                    rate(times[0]) / rate(*time)
                );
            }
            let raw = rate(times[1]).max(rate(times[2]));
            let ratio = rate(times[0]) / raw;
            println!(
                "{:<9} {:<6} import / raw insert rate ({raw:.0}/s) = {ratio:.2} (target 0.50: {})",
                engine.as_str(),
                round + 1,
                if ratio >= 0.5 { "met" } else { "not met" }
            );
        }
    }
}
