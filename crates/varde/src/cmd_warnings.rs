//! `varde warnings …`: the overdose warnings from the database, for the national focal point's
//! reporting — the list, and warnings as national alerts to the EU drugs agency (the same
//! export as `GET /api/v1/warnings/{id}/euda`, mapped as `varde_core::warnings::export` says).

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use varde_core::warnings::export;
use varde_store::Store;

#[derive(Debug, clap::Args)]
pub struct WarningsArgs {
    #[command(subcommand)]
    pub command: WarningsCommand,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, clap::Subcommand)]
pub enum WarningsCommand {
    /// Every warning, the most recently changed first: id, status, severity, version, title.
    List,
    /// Warnings as national alerts to the EU drugs agency: the ids given, or every warning
    /// ever published.
    Euda {
        ids: Vec<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
}

/// Runs a warnings command against `store` at `now`, writing to `out`.
pub async fn run(
    store: &Store,
    args: WarningsArgs,
    now: jiff::Timestamp,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let (_, all) = store.warnings_all().await?;
    match args.command {
        WarningsCommand::List => {
            writeln!(out, "id\tstatus\tseverity\tversion\ttitle")?;
            for w in &all {
                let Some(v) = w.published().or(w.latest()) else {
                    continue;
                };
                writeln!(
                    out,
                    "{}\t{}{}\t{}\t{}\t{}",
                    w.id,
                    w.status(now).as_str(),
                    if v.content.exercise { " (drill)" } else { "" },
                    v.content.severity.as_str(),
                    v.number,
                    v.content.title.nb
                )?;
            }
        }
        WarningsCommand::Euda { ids, format } => {
            let mut alerts = Vec::new();
            if ids.is_empty() {
                alerts.extend(all.iter().filter_map(|w| export::euda(w, now)));
            }
            for id in &ids {
                let Some(w) = all.iter().find(|w| &w.id == id) else {
                    bail!("no warning {id}");
                };
                let Some(alert) = export::euda(w, now) else {
                    bail!("warning {id} has never been published");
                };
                alerts.push(alert);
            }
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &alerts)?;
                    writeln!(out)?;
                }
                Format::Csv => write!(out, "{}", export::euda_csv(&alerts))?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
