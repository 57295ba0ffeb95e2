//! Benchmark (not a timed test): re-evaluating every weekly series of a national deployment
//! for a new week.
//!
//! `cargo run --release -p varde-web --example series_bench [-- SEED]`
//!
//! On a fresh database per engine (SQLite always; PostgreSQL as well when
//! `VARDE_TEST_POSTGRES_URL` is set): the simulator's five years (`varde_sim::monitoring::
//! generate(SEED)`, default seed 1: 261 ISO weeks per family × substance × county) are written
//! as imported rows — `ambulance` as overdoses, `seizures` as seizures, `drugcheck` as syringe
//! residue (a count source of the same size; the drug-checking source reads the
//! drug-checking area's own tables), deaths left out (monthly) — each county's rows in its
//! largest municipality. Weeks 1–260 are one batch, evaluated once (timed as the initial
//! build); week 261 is a second batch, and the clock runs around `reevaluate_batch` of it:
//! every series (national and per county × every substance, class and all) counted again for
//! that week, evaluated with its source's default rule and written with its signals. The
//! reference run, in the same process, evaluates the same series' last week in memory on one
//! thread (no database), so that the ratio says what storage and parallelism add or save
//! whatever the machine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Instant;

use varde_core::monitoring::rules::Rule;
use varde_core::monitoring::series::{self, Areas, Source, Week};
use varde_store::Engine;

#[path = "support/mod.rs"]
mod support;

use support::{fresh_db, Server};

/// The simulator's family as a source.
fn source_of(family: &str) -> Option<Source> {
    match family {
        "ambulance" => Some(Source::Overdoses),
        "seizures" => Some(Source::Seizures),
        "drugcheck" => Some(Source::SyringeResidue),
        _ => None,
    }
}

/// The simulator's substance group as a substance of the reference list.
fn substance_of(name: &str) -> String {
    let list = varde_core::substances::get();
    let name = match name {
        "opioids" => "heroin",
        "benzodiazepines" => "diazepam",
        "stimulants" => "amphetamine",
        other => other,
    };
    list.find(name)
        .map(|s| s.id.clone())
        .unwrap_or_else(|| panic!("{name} is not in the reference list"))
}

/// Each county's most populous municipality (by the reference data's order: the first).
fn municipality_of(county: &str) -> String {
    let mut ks: Vec<_> = varde_core::refdata::get()
        .kommuner()
        .filter(|k| k.fylkesnummer == county)
        .map(|k| k.kommunenummer.clone())
        .collect();
    ks.sort();
    ks.into_iter()
        .next()
        .unwrap_or_else(|| panic!("county {county}"))
}

type Rows = Vec<(Week, String, Vec<String>, Option<f64>)>;

/// Per source: the history batch's rows (weeks 1–260) and the new week's (261).
fn rows(seed: u64) -> BTreeMap<Source, (Rows, Rows)> {
    let sim = varde_sim::monitoring::generate(seed);
    let mut out: BTreeMap<Source, (Rows, Rows)> = BTreeMap::new();
    for s in &sim.series {
        let Some(source) = source_of(s.family) else {
            continue;
        };
        let substance = s.name.split(':').nth(1).map(substance_of).unwrap();
        let municipality = municipality_of(s.county);
        let entry = out.entry(source).or_default();
        for (t, n) in s.observed.iter().enumerate() {
            let (y, w) = varde_sim::monitoring::iso_week(t + 1);
            let week = Week::new(y as i16, w as i8).unwrap();
            let target = if t + 1 == varde_sim::monitoring::WEEKS {
                &mut entry.1
            } else {
                &mut entry.0
            };
            for _ in 0..*n {
                target.push((week, municipality.clone(), vec![substance.clone()], None));
            }
        }
    }
    out
}

async fn run(engine: Engine, seed: u64) {
    let Some(db) = fresh_db(engine).await else {
        return;
    };
    let server = Server::start(&db).await;
    let state = server.state.clone();
    let analyst = db
        .store
        .user_by_username("analytiker")
        .await
        .unwrap()
        .unwrap();
    let (org, user) = (analyst.org_id, analyst.id.0);
    let data = rows(seed);
    let t0 = Instant::now();
    let mut records = 0;
    for (source, (history, _)) in &data {
        records += history.len();
        db.store
            .monitoring_insert_rows_for_tests(
                source.as_str(),
                org.0,
                user,
                &format!("{}/history", source.as_str()),
                history,
            )
            .await
            .unwrap();
    }
    let insert = t0.elapsed();
    let t0 = Instant::now();
    for source in data.keys() {
        varde_web::monitoring::series::reevaluate_batch(
            &state,
            org,
            &format!("{}/history", source.as_str()),
        )
        .await
        .unwrap();
    }
    let initial = t0.elapsed();
    let mut new_records = 0;
    for (source, (_, new)) in &data {
        new_records += new.len();
        db.store
            .monitoring_insert_rows_for_tests(
                source.as_str(),
                org.0,
                user,
                &format!("{}/week", source.as_str()),
                new,
            )
            .await
            .unwrap();
    }
    // The timed part: every series re-evaluated for the new week.
    let t0 = Instant::now();
    let mut n = 0;
    for source in data.keys() {
        n += varde_web::monitoring::series::reevaluate_batch(
            &state,
            org,
            &format!("{}/week", source.as_str()),
        )
        .await
        .unwrap();
    }
    let week = t0.elapsed();

    // The reference: the same series' last week evaluated in memory on one thread.
    let mut inputs = Vec::new();
    for (source, (history, new)) in &data {
        let all: Vec<varde_core::monitoring::series::SourceRow> = history
            .iter()
            .chain(new.iter())
            .enumerate()
            .map(
                |(i, (w, m, s, _))| varde_core::monitoring::series::SourceRow {
                    record: i as i64,
                    week: *w,
                    county: varde_core::refdata::get()
                        .kommune(m)
                        .map(|k| k.fylkesnummer.clone()),
                    municipality: Some(m.clone()),
                    class: varde_core::substances::get()
                        .by_id(&s[0])
                        .map(|x| x.class.clone()),
                    substance: Some(s[0].clone()),
                    value: None,
                },
            )
            .collect();
        let rule = Rule::default_for(*source).compile().unwrap();
        for values in series::count(*source, &all, &Areas::NationalAndCounties).values() {
            let v: Vec<f64> = series::weekly(values, None).iter().map(|x| x.1).collect();
            inputs.push((rule.clone(), v));
        }
    }
    let t0 = Instant::now();
    let mut alarms = 0;
    for (rule, v) in &inputs {
        let e = rule.evaluate(v, v.len() - 1);
        alarms += e.iter().filter(|e| e.alarm == Some(true)).count();
    }
    let reference = t0.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{}: {records} rows in weeks 1–260 written in {:.0} ms, evaluated (initial build, {} weeks a series) in {:.0} ms",
        engine.as_str(),
        ms(insert),
        varde_web::monitoring::series::EVAL_WINDOW,
        ms(initial)
    );
    println!(
        "{}: new week ({new_records} rows): {n} series re-evaluated in {:.0} ms; reference (same {} series' last week in memory, one thread) {:.0} ms, {alarms} alarms; ratio {:.2}",
        engine.as_str(),
        ms(week),
        inputs.len(),
        ms(reference),
        ms(week) / ms(reference).max(0.001)
    );
    println!(
        "{}: target under 1 s for a new week: {}",
        engine.as_str(),
        if week.as_secs_f64() < 1.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    server.stop().await;
    db.cleanup().await;
}

#[tokio::main]
async fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    for engine in [Engine::Sqlite, Engine::Postgres] {
        run(engine, seed).await;
    }
}
