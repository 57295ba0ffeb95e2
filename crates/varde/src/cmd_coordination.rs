//! `varde simulate coordination`: a seeded national year of coordination between the
//! municipalities and TSB (`varde_sim::coordination`), written as anonymous records and the
//! figures the app would show, suppressed as it suppresses them. Rates and sources:
//! `docs/coordination-simulation.md`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use varde_core::coordination::discharge::Needs;
use varde_core::coordination::figures::Figure;
use varde_sim::coordination::{simulate_coordination, year_figures, YearFigures};

/// `varde simulate coordination`.
#[derive(Debug, clap::Args)]
pub struct SimulateCoordinationArgs {
    /// Seed: the same seed and year give the same bytes.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// The year simulated (figures as on 31 December).
    #[arg(long, default_value_t = 2024)]
    pub year: i16,
    /// Directory for people.csv, discharges.csv, overdoses.csv (anonymous records),
    /// figures.csv, discharge_figures.csv, overdose_figures.csv (suppressed as the app shows
    /// them) and manifest.json.
    #[arg(long)]
    pub out: std::path::PathBuf,
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn flag(b: bool) -> String {
    u8::from(b).to_string()
}

/// Writes the simulated year's files and prints the manifest.
pub fn run_simulate(args: SimulateCoordinationArgs) -> anyhow::Result<ExitCode> {
    if jiff::civil::Date::new(args.year, 12, 31).is_err() {
        anyhow::bail!("--year {}: a year from -9999 to 9999", args.year);
    }
    let year = simulate_coordination(args.seed, args.year);
    let today = year.today();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut w = csv::Writer::from_path(args.out.join("people.csv"))?;
    w.write_record([
        "person",
        "municipality",
        "county",
        "region",
        "inpatient",
        "plan",
        "coordinator",
        "group",
        "last_evaluation",
    ])?;
    for (i, p) in year.people.iter().enumerate() {
        w.write_record([
            i.to_string(),
            p.municipality.clone(),
            p.county.clone(),
            p.region.clone(),
            flag(p.inpatient),
            flag(p.plan),
            flag(p.coordinator),
            flag(p.group),
            opt(p.last_evaluation),
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(args.out.join("discharges.csv"))?;
    let mut header = vec![
        "person",
        "municipality",
        "status",
        "raised_on",
        "expected_discharge",
    ];
    header.extend(Needs::NAMES);
    header.extend([
        "meeting_requested",
        "acknowledged_on",
        "meeting_on",
        "ready_on",
        "discharged_on",
        "days_waiting",
        "no_home_at_discharge",
    ]);
    w.write_record(&header)?;
    for d in &year.discharges {
        let n = &d.notice;
        let mut row = vec![
            d.person.to_string(),
            d.municipality.clone(),
            n.status().as_str().to_owned(),
            n.raise.raised_on.to_string(),
            n.raise.expected_discharge.to_string(),
        ];
        row.extend(n.raise.needs.flags().map(flag));
        row.extend([
            flag(n.raise.meeting_requested),
            opt(n.acknowledged_on),
            opt(n.meetings.first().map(|m| m.held_on)),
            opt(n.ready_on),
            opt(n.discharged_on),
            opt(n.days_waiting(today)),
            opt(n.no_home_at_discharge.map(flag)),
        ]);
        w.write_record(&row)?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(args.out.join("overdoses.csv"))?;
    w.write_record([
        "municipality",
        "service",
        "occurred_at",
        "attempts",
        "means",
        "hours_to_first_attempt",
        "attempted_in_risk_week",
        "closed_at",
        "outcome",
    ])?;
    let minute = |t: jiff::civil::DateTime| t.strftime("%Y-%m-%dT%H:%M").to_string();
    for o in &year.overdoses {
        w.write_record([
            o.municipality.clone(),
            o.service.as_str().to_owned(),
            minute(o.occurred_at),
            o.attempts.len().to_string(),
            o.attempts
                .iter()
                .map(|a| a.1.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            opt(o.hours_to_first_attempt()),
            flag(o.attempted_in_risk_week()),
            opt(o.closed_at.map(minute)),
            opt(o.outcome.map(|x| x.as_str())),
        ])?;
    }
    w.flush()?;
    let YearFigures {
        areas,
        discharges: (rows, national),
        overdoses: (follow_up, nation),
    } = year_figures(&year);
    let mut w = csv::Writer::from_path(args.out.join("figures.csv"))?;
    w.write_record(["municipality", "figure", "count", "total", "share"])?;
    let mut suppressed = 0usize;
    for a in &areas {
        for Figure {
            key,
            count,
            total,
            share,
        } in &a.figures
        {
            suppressed += usize::from(count.is_none());
            w.write_record([
                a.key.clone(),
                (*key).to_owned(),
                opt(*count),
                opt(*total),
                opt(*share),
            ])?;
        }
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(args.out.join("discharge_figures.csv"))?;
    w.write_record(["municipality", "discharges", "mean_days_waiting", "no_home"])?;
    for r in rows.iter().chain(std::iter::once(&national)) {
        w.write_record([
            r.kommune.clone(),
            opt(r.discharges),
            opt(r.mean_days_waiting.map(|m| format!("{m:.1}"))),
            opt(r.no_home),
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(args.out.join("overdose_figures.csv"))?;
    w.write_record([
        "municipality",
        "notices",
        "attempted_in_week",
        "contact_in_week",
        "contact_share",
        "mean_hours_to_attempt",
    ])?;
    for r in follow_up.iter().chain(std::iter::once(&nation)) {
        w.write_record([
            r.kommune.clone(),
            opt(r.notices),
            opt(r.attempted_in_week),
            opt(r.contact_in_week),
            opt(r.contact_share().map(|m| format!("{m:.1}"))),
            opt(r.mean_hours_to_attempt.map(|m| format!("{m:.1}"))),
        ])?;
    }
    w.flush()?;
    let count = |f: &dyn Fn(&varde_sim::coordination::PersonRecord) -> bool| {
        year.people.iter().filter(|p| f(p)).count()
    };
    let mut by_status = std::collections::BTreeMap::new();
    for d in &year.discharges {
        *by_status.entry(d.notice.status().as_str()).or_insert(0u64) += 1;
    }
    let mut by_outcome = std::collections::BTreeMap::new();
    for o in &year.overdoses {
        *by_outcome
            .entry(o.outcome.map_or(
                if o.attempts.is_empty() {
                    "still_open"
                } else {
                    "still_attempted"
                },
                |x| x.as_str(),
            ))
            .or_insert(0u64) += 1;
    }
    let manifest = serde_json::json!({
        "seed": args.seed,
        "year": args.year,
        "figures_on": today.to_string(),
        "people": year.people.len(),
        "with_plan": count(&|p| p.plan),
        "with_coordinator": count(&|p| p.coordinator),
        "with_group": count(&|p| p.group),
        "discharge_notices": year.discharges.len(),
        "discharge_notices_by_status": by_status,
        "discharged_no_home": national.no_home,
        "overdose_notices": year.overdoses.len(),
        "overdose_notices_by_outcome": by_outcome,
        "figure_cells": areas.len() * 4,
        "figure_cells_suppressed": suppressed,
        "discharge_rows": rows.len(),
        "discharge_rows_suppressed": rows.iter().filter(|r| r.discharges.is_none()).count(),
        "overdose_rows": follow_up.len(),
        "overdose_rows_suppressed": follow_up.iter().filter(|r| r.notices.is_none()).count(),
        "overdose_contact_in_week_share": nation.contact_share().map(|m| (m * 10.0).round() / 10.0),
        "rates": "docs/coordination-simulation.md",
    });
    let text = serde_json::to_string_pretty(&manifest)? + "\n";
    std::fs::write(args.out.join("manifest.json"), &text)?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
