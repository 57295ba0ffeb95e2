//! Benchmark (not a timed test): event append throughput on both engines, single and batched,
//! beside the raw insert rate of the same engine as the ceiling.
//!
//! `cargo run --release -p varde-store --example append_bench [-- SINGLE BATCHED ROUNDS STREAMS]`
//!
//! Defaults: 2000 single appends, 20000 batched events, 3 rounds, events spread round-robin
//! over 100 streams (with the expected sequence number set, so the concurrency check runs).
//! `BATCHED` is rounded down to whole thousands.
//!
//! SQLite always (a fresh file in a temporary directory, WAL, `synchronous=FULL`: every
//! commit fsyncs); PostgreSQL as well when `VARDE_TEST_POSTGRES_URL` is set (a fresh database
//! on that server, dropped afterwards).
//!
//! Modes, all measured on the same database, interleaved round by round:
//!
//! - `append x1`: `SINGLE` calls of `Store::append(&[one])`, each its own transaction;
//! - `append x100`, `append x1000`: `BATCHED` events in slices of 100 or 1000 per call;
//! - `raw x1`: `SINGLE` calls of `Store::raw_insert_benchmark(&[one])`, each its own
//!   transaction (plus the `CREATE TABLE IF NOT EXISTS` that method issues every call);
//! - `raw x100`, `raw x1000`: `BATCHED` rows in slices of 100 or 1000 per
//!   `raw_insert_benchmark` call;
//! - `raw x1000 + index`: the same with an index on the scratch table's `(stream, seq)`, as
//!   the event log has (created before and dropped after the run, untimed): separates the
//!   cost of the index from the cost of the append logic;
//! - `raw x all`: the `BATCHED` rows in one `raw_insert_benchmark` call, one transaction:
//!   the ceiling every other mode is divided by.
//!
//! The machine may be shared and noisy, so every mode runs `ROUNDS` times (default 3), the
//! modes interleaved within a round, and each run sits between two runs of the ceiling
//! (`R M1 R M2 R … R`): a run's ratio is its rate over the geometric mean of the two ceiling
//! runs around it, seconds apart. The table gives medians: of the seconds, of the rate and of
//! the ratio; the ceiling's row takes every reference run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::time::Instant;

use jiff::Timestamp;
use varde_store::testing::TestDb;
use varde_store::{Engine, NewEvent, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Append(usize),
    Raw(usize),
    /// As `Raw`, with an index on `(stream, seq)` like the event log's unique constraint.
    RawIndexed(usize),
    /// All rows of the batched modes in one transaction: the ceiling.
    RawAll,
}

impl Mode {
    fn label(self) -> String {
        match self {
            Mode::Append(n) => format!("append x{n}"),
            Mode::Raw(n) => format!("raw x{n}"),
            Mode::RawIndexed(n) => format!("raw x{n} + index"),
            Mode::RawAll => "raw x all (ceiling)".to_owned(),
        }
    }
}

const MODES: [Mode; 8] = [
    Mode::Append(1),
    Mode::Append(100),
    Mode::Append(1000),
    Mode::Raw(1),
    Mode::Raw(100),
    Mode::Raw(1000),
    Mode::RawIndexed(1000),
    Mode::RawAll,
];

/// Makes events with the expected sequence number each stream will have, so that the
/// optimistic-concurrency check runs (and is checked) on every append.
struct Events {
    next: usize,
    /// Events are spread round-robin over this many streams.
    streams: usize,
    last_seq: HashMap<String, i64>,
    now: Timestamp,
}

impl Events {
    fn new(now: Timestamp, streams: usize) -> Self {
        Events {
            next: 0,
            streams,
            last_seq: HashMap::new(),
            now,
        }
    }

    fn take(&mut self, n: usize) -> Vec<NewEvent> {
        (0..n)
            .map(|_| {
                let i = self.next;
                self.next += 1;
                let stream = format!("bench-{:03}", i % self.streams);
                let last = self.last_seq.entry(stream.clone()).or_insert(0);
                let expected = *last;
                *last += 1;
                NewEvent {
                    stream,
                    kind: "BenchmarkRecorded".to_owned(),
                    body: format!(
                        r#"{{"type":"BenchmarkRecorded","n":{i},"name":"Benchmark Person {i}","kommune":"0301","reason":"throughput measurement"}}"#
                    ),
                    actor_id: Some(1),
                    org_id: Some(1),
                    recorded_at: self.now,
                    effective_date: "2026-11-24".to_owned(),
                    expected_seq: Some(expected),
                }
            })
            .collect()
    }
}

/// The sizes of a run, from the command line.
#[derive(Debug, Clone, Copy)]
struct Params {
    /// Events of the one-per-transaction modes.
    single: usize,
    /// Events of the batched modes (a multiple of 1000).
    batched: usize,
    rounds: usize,
    streams: usize,
}

/// Runs one mode once; returns (events, seconds).
async fn run(store: &Store, events: &mut Events, mode: Mode, p: Params) -> (usize, f64) {
    let Params {
        single, batched, ..
    } = p;
    match mode {
        Mode::Append(size) => {
            let total = if size == 1 { single } else { batched };
            // Build the slices before the clock starts.
            let batches: Vec<Vec<NewEvent>> =
                (0..total / size).map(|_| events.take(size)).collect();
            let t = Instant::now();
            for b in &batches {
                let seqs = store.append(b).await.expect("append");
                assert_eq!(seqs.len(), b.len());
                // The store must have given each event the sequence number we expected.
                let want = b[0].expected_seq.expect("expected seq") + 1;
                assert_eq!(seqs[0], want, "sequence of {}", b[0].stream);
            }
            (total / size * size, t.elapsed().as_secs_f64())
        }
        Mode::Raw(size) => {
            let total = if size == 1 { single } else { batched };
            // Raw rows are not in the event log: they do not advance the stream counters.
            let rows = Events::new(events.now, events.streams).take(total);
            let t = Instant::now();
            for chunk in rows.chunks(size) {
                store.raw_insert_benchmark(chunk).await.expect("raw insert");
            }
            (total, t.elapsed().as_secs_f64())
        }
        Mode::RawIndexed(size) => {
            // The scratch table exists since the warm-up; the index lives for this run only.
            store
                .exec_admin(
                    "CREATE INDEX IF NOT EXISTS bench_raw_stream_seq ON bench_raw (stream, seq)",
                )
                .await
                .expect("create index");
            let rows = Events::new(events.now, events.streams).take(batched);
            let t = Instant::now();
            for chunk in rows.chunks(size) {
                store.raw_insert_benchmark(chunk).await.expect("raw insert");
            }
            let secs = t.elapsed().as_secs_f64();
            store
                .exec_admin("DROP INDEX IF EXISTS bench_raw_stream_seq")
                .await
                .expect("drop index");
            (batched, secs)
        }
        Mode::RawAll => {
            let rows = Events::new(events.now, events.streams).take(batched);
            let t = Instant::now();
            store.raw_insert_benchmark(&rows).await.expect("raw insert");
            (batched, t.elapsed().as_secs_f64())
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

struct Row {
    engine: &'static str,
    mode: Mode,
    events: usize,
    seconds: f64,
    rate: f64,
    ratio: f64,
    rates: Vec<f64>,
}

async fn bench_engine(engine: Engine, p: Params) -> Option<Vec<Row>> {
    if engine == Engine::Postgres && !varde_store::testing::postgres_configured() {
        return None;
    }
    // Configured but unusable is an error, not a skip.
    let Some(db) = TestDb::new(engine).await else {
        panic!("{}: could not create a database", engine.as_str());
    };
    let now: Timestamp = "2026-11-24T12:00:00Z".parse().expect("time");
    let mut events = Events::new(now, p.streams);

    // Warm-up: connections, statement caches, the scratch table, the file's first pages.
    for _ in 0..50 {
        store_append(&db.store, &mut events, 1).await;
    }
    store_append(&db.store, &mut events, 1000).await;
    db.store
        .raw_insert_benchmark(&Events::new(now, p.streams).take(1000))
        .await
        .expect("raw warm-up");

    // Every measured mode sits between two runs of the ceiling, so each ratio compares runs
    // seconds apart: R M R M R … R. The ceiling's own row takes all those reference runs.
    let measured: Vec<Mode> = MODES
        .iter()
        .copied()
        .filter(|m| *m != Mode::RawAll)
        .collect();
    let mut reference: Vec<(usize, f64)> = Vec::new();
    // samples[mode] = [(events, seconds, ratio)], one per round
    let mut samples: Vec<Vec<(usize, f64, f64)>> = vec![Vec::new(); measured.len()];
    let rate = |(n, s): (usize, f64)| n as f64 / s;
    let mut before = measure(&db.store, &mut events, Mode::RawAll, p, engine, 0).await;
    reference.push(before);
    for round in 0..p.rounds {
        // Rotate the order each round so that no mode always runs right after another.
        for k in 0..measured.len() {
            let m = (k + round) % measured.len();
            let (n, secs) = measure(&db.store, &mut events, measured[m], p, engine, round).await;
            let after = measure(&db.store, &mut events, Mode::RawAll, p, engine, round).await;
            reference.push(after);
            let ceiling = (rate(before) * rate(after)).sqrt();
            samples[m].push((n, secs, rate((n, secs)) / ceiling));
            before = after;
        }
    }
    db.cleanup().await;

    let mut rows: Vec<Row> = measured
        .iter()
        .zip(&samples)
        .map(|(mode, s)| {
            let rates: Vec<f64> = s.iter().map(|(n, secs, _)| *n as f64 / secs).collect();
            Row {
                engine: engine.as_str(),
                mode: *mode,
                events: s[0].0,
                seconds: median(s.iter().map(|(_, secs, _)| *secs).collect()),
                rate: median(rates.clone()),
                ratio: median(s.iter().map(|(_, _, r)| *r).collect()),
                rates,
            }
        })
        .collect();
    let rates: Vec<f64> = reference.iter().map(|x| rate(*x)).collect();
    rows.push(Row {
        engine: engine.as_str(),
        mode: Mode::RawAll,
        events: reference[0].0,
        seconds: median(reference.iter().map(|(_, secs)| *secs).collect()),
        rate: median(rates.clone()),
        ratio: 1.0,
        rates,
    });
    Some(rows)
}

/// Runs one mode once, with a progress line on stderr; returns (events, seconds).
async fn measure(
    store: &Store,
    events: &mut Events,
    mode: Mode,
    p: Params,
    engine: Engine,
    round: usize,
) -> (usize, f64) {
    let (n, secs) = run(store, events, mode, p).await;
    eprintln!(
        "{:<8} round {} {:<20} {:>6} events {:>8.3} s {:>10.0} events/s",
        engine.as_str(),
        round + 1,
        mode.label(),
        n,
        secs,
        n as f64 / secs
    );
    (n, secs)
}

async fn store_append(store: &Store, events: &mut Events, n: usize) {
    store.append(&events.take(n)).await.expect("append");
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let single: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let batched: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let streams: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    // Whole batches of 1000 (and so of 100).
    let batched = (batched / 1000).max(1) * 1000;

    assert!(streams >= 1, "STREAMS must be at least 1");
    let p = Params {
        single,
        batched,
        rounds,
        streams,
    };

    let mut rows = Vec::new();
    for engine in [Engine::Sqlite, Engine::Postgres] {
        match bench_engine(engine, p).await {
            Some(r) => rows.extend(r),
            None => eprintln!("{}: skipped (not configured)", engine.as_str()),
        }
    }

    println!();
    println!(
        "{streams} streams, {rounds} rounds; medians; ratio = events/s over the geometric mean of the two ceiling runs around it"
    );
    println!();
    println!("| engine | mode | events | seconds | events/s | ratio to raw ceiling | events/s min–max (runs) |");
    println!("|---|---|---:|---:|---:|---:|---|");
    for r in &rows {
        let lo = r.rates.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = r.rates.iter().copied().fold(0.0, f64::max);
        println!(
            "| {} | {} | {} | {:.3} | {:.0} | {:.3} | {:.0}–{:.0} ({}) |",
            r.engine,
            r.mode.label(),
            r.events,
            r.seconds,
            r.rate,
            r.ratio,
            lo,
            hi,
            r.rates.len()
        );
    }
}
