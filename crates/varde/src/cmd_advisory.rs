//! `varde advisory …`: the advisory units' jobs from the command line — `erase`, the same
//! erasure the server runs in the background (`varde_web::advisory::erasure`): every closed
//! case past its unit's retention loses its personal data and leaves its anonymous statistics
//! record. Safe beside running servers (each case is claimed with a lease) and idempotent.

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
