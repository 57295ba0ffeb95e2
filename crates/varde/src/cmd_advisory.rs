//! `varde advisory …`: the advisory units' jobs from the command line — `erase`, the same
//! erasure the server runs in the background (`varde_web::advisory::erasure`): every closed
//! case past its unit's retention loses its personal data and leaves its anonymous statistics
//! record. Safe beside running servers (each case is claimed with a lease) and idempotent.
//! Also `varde simulate advisory` ([`run_simulate`]): a seeded national year for the statistics.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use jiff::civil::Date;
use varde_store::Store;

#[derive(Debug, clap::Args)]
pub struct AdvisoryArgs {
    #[command(subcommand)]
    pub command: AdvisoryCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum AdvisoryCommand {
    /// Erase the personal data of closed cases whose retention has ended.
    Erase {
        /// The day to erase as of (YYYY-MM-DD); default today in Oslo.
        #[arg(long)]
        today: Option<String>,
    },
}

/// Runs an advisory command against `store` at `now`, writing to `out`.
pub async fn run(
    store: &Store,
    args: AdvisoryArgs,
    now: jiff::Timestamp,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    match args.command {
        AdvisoryCommand::Erase { today } => {
            let today = match today {
                Some(t) => t
                    .parse::<Date>()
                    .with_context(|| format!("--today {t}: a date as YYYY-MM-DD"))?,
                None => varde_core::calendar::day_in_oslo(now),
            };
            let owner = format!("erasure-cli-{}", std::process::id());
            let n = varde_web::advisory::erasure::run_once(store, today, now, &owner).await?;
            writeln!(out, "{n} advisory case(s) erased as of {today}")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `varde simulate advisory`: a seeded national year of the advisory units' work.
#[derive(Debug, clap::Args)]
pub struct SimulateAdvisoryArgs {
    /// Seed: the same seed and year give the same bytes.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// The year simulated.
    #[arg(long, default_value_t = 2024)]
    pub year: i16,
    /// Directory for cases.csv (each case's anonymous statistics record), advice.csv,
    /// statistics.csv (the year's cells, suppressed as published) and manifest.json.
    #[arg(long)]
    pub out: std::path::PathBuf,
}

/// Writes the simulated year's files and prints the manifest (counts by route, advice, cells).
pub fn run_simulate(args: SimulateAdvisoryArgs) -> anyhow::Result<ExitCode> {
    use varde_core::advisory::statistics::{statistics, Value};
    let year = varde_sim::advisory::simulate_advisory(args.seed, args.year);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let opt = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_path(args.out.join("cases.csv"))?;
    w.write_record([
        "org_id",
        "municipality",
        "county",
        "route",
        "age_group",
        "sex",
        "opened_on",
        "decided_on",
        "first_meeting_on",
        "closed_on",
        "outcome",
        "meetings_required",
        "meetings_attended",
        "meetings_missed",
        "outreach_attempts",
        "tests",
        "positives",
        "referrals",
    ])?;
    for c in &year.cases {
        w.write_record([
            c.org_id.to_string(),
            c.municipality.clone().unwrap_or_default(),
            c.county.clone().unwrap_or_default(),
            c.route.clone(),
            c.age_group.map(|g| g.as_str()).unwrap_or("").to_owned(),
            c.sex.map(|s| s.as_str()).unwrap_or("").to_owned(),
            c.opened_on.to_string(),
            opt(c.decided_on),
            opt(c.first_meeting_on),
            opt(c.closed_on),
            c.outcome.clone().unwrap_or_default(),
            c.meetings_required
                .map(|m| m.to_string())
                .unwrap_or_default(),
            c.meetings_attended.to_string(),
            c.meetings_missed.to_string(),
            c.outreach_attempts.to_string(),
            c.tests.to_string(),
            c.positives.to_string(),
            c.referrals.join("|"),
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(args.out.join("advice.csv"))?;
    w.write_record([
        "org_id",
        "municipality",
        "county",
        "on",
        "asker",
        "means",
        "topic",
        "age_group",
    ])?;
    for a in &year.advice {
        w.write_record([
            a.org_id.to_string(),
            a.municipality.clone().unwrap_or_default(),
            a.county.clone().unwrap_or_default(),
            a.on.to_string(),
            a.asker.as_str().to_owned(),
            a.means.as_str().to_owned(),
            a.topic.as_str().to_owned(),
            a.age_group.map(|g| g.as_str()).unwrap_or("").to_owned(),
        ])?;
    }
    w.flush()?;
    let from = Date::new(args.year, 1, 1)?;
    let to = Date::new(args.year, 12, 31)?;
    let cells = statistics(&year.cases, &year.advice, from, to);
    let mut w = csv::Writer::from_path(args.out.join("statistics.csv"))?;
    w.write_record(["level", "key", "measure", "group", "value", "suppressed"])?;
    for c in &cells {
        w.write_record([
            c.level.as_str().to_owned(),
            c.key.clone(),
            c.measure.to_owned(),
            c.group.unwrap_or("").to_owned(),
            c.value.map_or_else(String::new, |v| match v {
                Value::Count(n) => n.to_string(),
                Value::Number(x) => x.to_string(),
            }),
            c.suppressed.to_string(),
        ])?;
    }
    w.flush()?;
    let mut by_route = std::collections::BTreeMap::new();
    for c in &year.cases {
        *by_route.entry(c.route.clone()).or_insert(0u64) += 1;
    }
    let manifest = serde_json::json!({
        "seed": args.seed,
        "year": args.year,
        "cases": year.cases.len(),
        "cases_by_route": by_route,
        "advice": year.advice.len(),
        "cells": cells.len(),
        "suppressed": cells.iter().filter(|c| c.suppressed).count(),
        "rates": "docs/advisory-simulation.md",
    });
    let text = serde_json::to_string_pretty(&manifest)? + "\n";
    std::fs::write(args.out.join("manifest.json"), &text)?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
