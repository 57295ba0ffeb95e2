//! `varde pathways report|due`: indicators and the worklist from an event CSV, no database.
//!
//! The work is done by `varde_core::pathways::commands`; this module parses the arguments,
//! opens the file, takes today's date (Europe/Oslo) from the clock and prints.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use jiff::civil::Date;
use varde_core::pathways::commands::{self, Format, Output};
use varde_core::pathways::parse::parse_date;

/// `varde pathways …`
#[derive(Debug, clap::Args)]
pub struct PathwaysArgs {
    /// What to compute.
    #[command(subcommand)]
    pub command: PathwaysCommand,
}

/// The pathway subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PathwaysCommand {
    /// Quality indicators and waiting time for a period, per unit, HF, RHF and nation.
    Report(ReportArgs),
    /// The worklist on a date: every open pathway's next measurement point and status.
    Due(DueArgs),
}

/// Options shared by both subcommands.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// The event CSV (pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline).
    #[arg(long, value_name = "FILE.csv")]
    pub events: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Report rows that break a rule on stderr and go on without them (default: exit non-zero).
    #[arg(long)]
    pub skip_invalid: bool,
    /// The date taken as today for the "no date in the future" rule (default: today in
    /// Europe/Oslo).
    #[arg(long, env = "VARDE_TODAY", value_parser = date_arg, hide = true)]
    pub today: Option<Date>,
}

/// `varde pathways report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// First day of the period (YYYY-MM-DD, included).
    #[arg(long, value_parser = date_arg)]
    pub from: Date,
    /// Last day of the period (YYYY-MM-DD, included).
    #[arg(long, value_parser = date_arg)]
    pub to: Date,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `varde pathways due`.
#[derive(Debug, clap::Args)]
pub struct DueArgs {
    /// The date the worklist is for (YYYY-MM-DD).
    #[arg(long, value_parser = date_arg)]
    pub as_of: Date,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A readable table.
    Table,
    /// The JSON of the stable contract.
    Json,
}

/// `varde simulate pathways --seed N --scale national --out DIR`.
#[derive(Debug, clap::Args)]
pub struct SimulatePathwaysArgs {
    /// Seed: the same seed and scale give the same bytes.
    #[arg(long, default_value_t = 2023)]
    pub seed: u64,
    /// `national` (SAMDATA 2023 size) or a factor such as `0.1`.
    #[arg(long, default_value = "national", value_parser = scale_arg)]
    pub scale: f64,
    /// Directory for events.csv, patients.csv, stays.csv, contacts.csv and manifest.json.
    #[arg(long)]
    pub out: PathBuf,
}

fn scale_arg(s: &str) -> Result<f64, String> {
    varde_sim::pathways::parse_scale(s).map_err(|e| e.to_string())
}

/// Runs `varde simulate pathways`: writes the files and prints the manifest.
pub fn run_simulate(args: SimulatePathwaysArgs) -> anyhow::Result<ExitCode> {
    let manifest = varde_sim::pathways::simulate_pathways(args.seed, args.scale, &args.out)?;
    let mut out = std::io::stdout().lock();
    out.write_all(manifest.to_json().as_bytes())?;
    let all_within = manifest.figures.iter().all(|f| f.deviation() <= 0.02);
    Ok(if all_within {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn date_arg(s: &str) -> Result<Date, String> {
    parse_date(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

/// Runs `varde pathways …` and returns the process exit code (1 when a row breaks a rule and
/// `--skip-invalid` is not given).
pub fn run(args: PathwaysArgs) -> anyhow::Result<ExitCode> {
    let output = match &args.command {
        PathwaysCommand::Report(a) => {
            let c = &a.common;
            let (reader, label, today) = open(c)?;
            commands::run_report(
                reader,
                &label,
                a.from,
                a.to,
                today,
                format(c.format),
                c.skip_invalid,
            )
        }
        PathwaysCommand::Due(a) => {
            let c = &a.common;
            let (reader, label, today) = open(c)?;
            commands::run_due(
                reader,
                &label,
                a.as_of,
                today,
                format(c.format),
                c.skip_invalid,
            )
        }
    };
    emit(&output)
}

fn format(f: OutputFormat) -> Format {
    match f {
        OutputFormat::Table => Format::Table,
        OutputFormat::Json => Format::Json,
    }
}

fn open(c: &CommonArgs) -> anyhow::Result<(BufReader<File>, String, Date)> {
    let file =
        File::open(&c.events).with_context(|| format!("cannot open {}", c.events.display()))?;
    let today = c.today.unwrap_or_else(|| varde_web::Clock::System.today());
    Ok((
        BufReader::with_capacity(1 << 20, file),
        c.events.display().to_string(),
        today,
    ))
}

fn emit(output: &Output) -> anyhow::Result<ExitCode> {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for line in &output.stderr {
        writeln!(err, "{line}")?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(output.stdout.as_bytes())?;
    out.flush()?;
    Ok(if output.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: Top,
    }

    #[derive(Debug, clap::Subcommand)]
    enum Top {
        Pathways(PathwaysArgs),
    }

    #[test]
    fn parses_the_contract_command_lines() {
        let cli = Cli::try_parse_from([
            "varde",
            "pathways",
            "report",
            "--events",
            "s.csv",
            "--from",
            "2025-01-01",
            "--to",
            "2025-06-30",
            "--format",
            "json",
        ]);
        let Ok(Cli {
            cmd:
                Top::Pathways(PathwaysArgs {
                    command: PathwaysCommand::Report(r),
                }),
        }) = cli
        else {
            unreachable!("report parses: {cli:?}");
        };
        assert_eq!(r.from, jiff::civil::date(2025, 1, 1));
        assert_eq!(r.common.format, OutputFormat::Json);
        assert!(!r.common.skip_invalid);

        let cli = Cli::try_parse_from([
            "varde",
            "pathways",
            "due",
            "--events",
            "s.csv",
            "--as-of",
            "2025-05-15",
            "--skip-invalid",
        ]);
        let Ok(Cli {
            cmd:
                Top::Pathways(PathwaysArgs {
                    command: PathwaysCommand::Due(d),
                }),
        }) = cli
        else {
            unreachable!("due parses: {cli:?}");
        };
        assert_eq!(d.as_of, jiff::civil::date(2025, 5, 15));
        assert_eq!(d.common.format, OutputFormat::Table);
        assert!(d.common.skip_invalid);

        assert!(Cli::try_parse_from([
            "varde",
            "pathways",
            "due",
            "--events",
            "s.csv",
            "--as-of",
            "15.05.2025",
        ])
        .is_err());
    }
}
