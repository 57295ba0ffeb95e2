//! Benchmark (not a timed test): import of a simulated national year of overdoses and
//! seizures (about 100,000 rows) through `Store::monitoring_import`, beside the engine's raw
//! insert rate for the same rows, measured in one run.
//!
//! `cargo run --release -p varde-store --example monitoring_import_bench [-- --rows N --batch B]`
//!
//! The rows are generated with a seeded generator (seed 2026: 60 % overdoses, 40 % seizures,
//! days over the year to 2026-11-24, municipalities of the reference data, substances of the
//! reference list, about one seizure in three with a purity) as CSV text and read back with
//! `varde_core::monitoring::sources::parse`, as an upload is. Per engine (SQLite always, a
//! fresh file with WAL and `synchronous=FULL`; PostgreSQL as well when
//! `VARDE_TEST_POSTGRES_URL` is set), each mode gets a fresh database and the same batches,
//! each batch its own transaction, the modes interleaved batch by batch:
//!
//! - `import`: records, findings, batch claim, signals (watchlist; purity) and access entry;
//! - `raw values`: the records' columns into a plain table (no key, index or constraint) by the
//!   same multi-row `INSERT … VALUES` statements: **the engine's raw insert rate**;
//! - `raw same rows` (for context): the records and their findings into two plain tables:
//!   what the import writes, without its keys, indexes, constraints and lookups.
//!
//! The import also writes each row's findings (one or more rows each) and looks the recent
//! purities up, so it writes more than the raw mode does; the ratio is rows per second.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use varde_core::audit::Outcome;
use varde_core::monitoring::signals::Watchlist;
use varde_core::monitoring::sources::{parse, Record, Source};
use varde_core::org::{OrgId, OrgKind, Qualification, Role};
use varde_store::testing::TestDb;
use varde_store::{
    monitoring_batch_key, Batch, Engine, ImportOutcome, MonitoringImport, NewAccess, NewOrg,
};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

/// The simulated year as two files: overdoses and seizures.
fn generate(rows: usize) -> Vec<(Source, String)> {
    let mut rng = StdRng::seed_from_u64(2026);
    let municipalities: Vec<String> = varde_core::refdata::get()
        .kommuner()
        .map(|k| k.kommunenummer.clone())
        .collect();
    let common = [
        "heroin",
        "cocaine",
        "amphetamine",
        "methamphetamine",
        "cannabis",
        "mdma",
        "oxycodone",
        "clonazepam",
        "ghb",
        "buprenorphine",
    ];
    let rare = ["protonitazene", "fentanyl", "xylazine", "metonitazene"];
    let end = jiff::civil::date(2026, 11, 24);
    let mut day = || end.saturating_sub(jiff::Span::new().days(rng.gen_range(0..365)));
    let mut days: Vec<_> = (0..rows).map(|_| day()).collect();
    days.sort();
    let mut rng = StdRng::seed_from_u64(2027);
    let mut overdoses = String::from("service,date,municipality,substances,outcome,age_band,sex\n");
    let mut seizures =
        String::from("agency,date,municipality,substance,amount,unit,purity_percent\n");
    for d in days {
        // Oslo, Bergen, Trondheim and Stavanger have most; the rest spread.
        let m = if rng.gen_bool(0.5) {
            ["0301", "4601", "5001", "1103"][rng.gen_range(0..4)].to_owned()
        } else {
            municipalities[rng.gen_range(0..municipalities.len())].clone()
        };
        let s = if rng.gen_bool(0.01) {
            rare[rng.gen_range(0..rare.len())]
        } else {
            common[rng.gen_range(0..common.len())]
        };
        if rng.gen_bool(0.6) {
            let second = common[rng.gen_range(0..common.len())];
            let bands = ["15-24", "25-34", "35-44", "45-54", "55+", "unknown"];
            let _ = writeln!(
                overdoses,
                "{},{d},{m},{s};{second},{},{},{}",
                if rng.gen_bool(0.7) {
                    "ambulance"
                } else {
                    "emergency_ward"
                },
                if rng.gen_bool(0.02) {
                    "fatal"
                } else {
                    "non_fatal"
                },
                bands[rng.gen_range(0..bands.len())],
                ["male", "female", "unknown"][rng.gen_range(0..3)]
            );
        } else {
            let purity = if rng.gen_bool(0.35) {
                format!("{:.1}", rng.gen_range(5.0..90.0))
            } else {
                String::new()
            };
            let _ = writeln!(
                seizures,
                "{},{d},{m},{s},{:.1},{},{purity}",
                if rng.gen_bool(0.8) {
                    "police"
                } else {
                    "customs"
                },
                rng.gen_range(0.1..500.0),
                ["g", "ml", "tablets"][rng.gen_range(0..3)]
            );
        }
    }
    vec![(Source::Overdoses, overdoses), (Source::Seizures, seizures)]
}

async fn fresh(engine: Engine) -> Option<(TestDb, OrgId, i64)> {
    let db = TestDb::new(engine).await?;
    let org = db
        .store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::NationalAuthority,
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
    let user = db
        .store
        .create_user(
            org,
            Role::Analyst,
            Qualification::Other,
            "bench",
            "x",
            Timestamp::now(),
        )
        .await
        .unwrap();
    Some((db, org, user.0))
}

#[tokio::main]
async fn main() {
    let total = arg("--rows", 100_000);
    let batch = arg("--batch", 10_000);
    let t = Instant::now();
    let files = generate(total);
    let today = jiff::civil::date(2026, 11, 24);
    let parsed: Vec<(Source, Vec<Record>)> = files
        .iter()
        .map(|(s, text)| {
            let p = parse(*s, &mut text.as_bytes(), today);
            assert!(p.refused.is_empty(), "{:?}", &p.refused[..1]);
            (*s, p.records)
        })
        .collect();
    let n: usize = parsed.iter().map(|(_, r)| r.len()).sum();
    let findings: usize = parsed
        .iter()
        .flat_map(|(_, r)| r)
        .map(|r| r.findings.len())
        .sum();
    println!(
        "{n} rows ({findings} findings; {} overdoses, {} seizures), generated and parsed in {:.1} s, batches of {batch}",
        parsed[0].1.len(),
        parsed[1].1.len(),
        t.elapsed().as_secs_f64()
    );
    println!(
        "{:<9} {:<12} {:>9} {:>11}",
        "engine", "mode", "seconds", "rows/s"
    );
    let watchlist = Watchlist::default();
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some((import_db, org, user)) = fresh(engine).await else {
            println!(
                "{}: skipped (VARDE_TEST_POSTGRES_URL not set)",
                engine.as_str()
            );
            continue;
        };
        // The raw modes: (findings too, JSON parameter), each on its own database.
        let raw_modes = [(false, false), (false, true), (true, false), (true, true)];
        let mut raw_dbs = Vec::new();
        for _ in raw_modes {
            raw_dbs.push(fresh(engine).await.expect("a raw database").0);
        }
        let mut times = [Duration::ZERO; 5];
        let mut raised = 0;
        for (source, records) in &parsed {
            for (i, chunk) in records.chunks(batch).enumerate() {
                let key = monitoring_batch_key(*source, &format!("bench-{i}"));
                let now = Timestamp::now();
                let access = NewAccess {
                    at: now,
                    actor: "bench".into(),
                    actor_id: user,
                    org_id: org.0,
                    owner_org_id: org.0,
                    action: "monitoring.import".into(),
                    subject: String::new(),
                    record: format!("monitoring-import:{key}"),
                    purpose: "benchmark".into(),
                    outcome: Outcome::Allowed,
                    flagged: false,
                };
                let t = Instant::now();
                let done = import_db
                    .store
                    .monitoring_import(MonitoringImport {
                        source: *source,
                        org,
                        actor: user,
                        batch: Batch {
                            id: &key,
                            digest: &key,
                        },
                        records: chunk,
                        watchlist: &watchlist,
                        today,
                        at: now,
                        access: &access,
                    })
                    .await
                    .expect("import");
                assert_eq!(
                    done.outcome,
                    ImportOutcome::Imported {
                        events: chunk.len()
                    }
                );
                times[0] += t.elapsed();
                raised += done.signals.len();
                for (k, ((findings, json), db)) in raw_modes.iter().zip(&raw_dbs).enumerate() {
                    let t = Instant::now();
                    db.store
                        .raw_insert_monitoring_rows_benchmark(*source, chunk, *findings, *json)
                        .await
                        .expect("raw");
                    times[k + 1] += t.elapsed();
                }
            }
        }
        let rate = |d: Duration| n as f64 / d.as_secs_f64();
        let modes = [
            "import",
            "raw values",
            "raw json",
            "same values",
            "same json",
        ];
        for (mode, time) in modes.iter().zip(times) {
            println!(
                "{:<9} {:<12} {:>9.2} {:>11.0}",
                engine.as_str(),
                mode,
                time.as_secs_f64(),
                rate(time)
            );
        }
        println!("{:<9} the import raised {raised} signals", engine.as_str());
        // The raw rate is the better of the two methods, as the pathway benchmark takes it.
        let same = rate(times[3]).max(rate(times[4]));
        let records = rate(times[1]).max(rate(times[2]));
        let ratio = rate(times[0]) / same;
        println!(
            "{:<9} import / raw same rows = {ratio:.2} (target 0.50: {})",
            engine.as_str(),
            if ratio >= 0.5 { "met" } else { "not met" }
        );
        println!(
            "{:<9} import / raw records alone = {:.2}",
            engine.as_str(),
            rate(times[0]) / records
        );
        import_db.cleanup().await;
        for db in raw_dbs {
            db.cleanup().await;
        }
    }
}
