//! The `varde` command. (Pathways branch: only `varde pathways` is wired here; the main
//! engineer merges this file by hand with the other subcommands.)

use std::process::ExitCode;

use clap::Parser;

mod cmd_pathways;

#[derive(Debug, Parser)]
#[command(
    name = "varde",
    version,
    about = "Varde: information system for the substance-use field"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Care pathways in TSB: quality indicators and the worklist from an event CSV.
    Pathways(cmd_pathways::PathwaysArgs),
    /// Seeded synthetic data.
    Simulate {
        #[command(subcommand)]
        what: Simulate,
    },
}

#[derive(Debug, clap::Subcommand)]
enum Simulate {
    /// One national year of TSB pathways calibrated to SAMDATA 2023.
    Pathways(cmd_pathways::SimulatePathwaysArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Pathways(args) => cmd_pathways::run(args),
        Command::Simulate {
            what: Simulate::Pathways(args),
        } => cmd_pathways::run_simulate(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
