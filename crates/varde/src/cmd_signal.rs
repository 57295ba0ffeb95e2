//! `varde signal`: aberration detection on weekly count series (CSV in, CSV
//! out), `varde signal score`: scoring alarms against injected outbreaks, and
//! the `varde simulate monitoring` generator.
//!
//! ```text
//! varde signal --method farrington-flexible|farrington|ears-c1|ears-c2|ears-c3|cusum|glr-poisson
//!              [--compat r] --input FILE.csv --range-last N [--param name=value ...] --output FILE.csv
//! varde signal score --truth FILE --alarms FILE [--json]
//! varde simulate monitoring --seed N --out DIR [--sources [--today D] [--seizure-scale S]]
//! ```
//!
//! Wiring in `main.rs` (sketch):
//!
//! ```ignore
//! mod cmd_signal;
//! // in the top-level Subcommand enum:
//! Signal(cmd_signal::SignalArgs),
//! // under `simulate`: Monitoring { #[arg(long)] seed: u64, #[arg(long)] out: PathBuf },
//! // dispatch:
//! Command::Signal(a) => cmd_signal::run(a),
//! Simulate::Monitoring { seed, out } => cmd_signal::simulate_monitoring(seed, &out).map(|()| ExitCode::SUCCESS),
//! ```

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::{Args, Subcommand, ValueEnum};
use varde_signal::csvio::{self, InputSeries};
use varde_signal::score;
use varde_signal::{Compat, Method, MethodParams, WeekResult};

/// Detection method, by CLI name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    FarringtonFlexible,
    Farrington,
    EarsC1,
    EarsC2,
    EarsC3,
    Cusum,
    GlrPoisson,
}

impl From<MethodArg> for Method {
    fn from(m: MethodArg) -> Method {
        match m {
            MethodArg::FarringtonFlexible => Method::FarringtonFlexible,
            MethodArg::Farrington => Method::Farrington,
            MethodArg::EarsC1 => Method::EarsC1,
            MethodArg::EarsC2 => Method::EarsC2,
            MethodArg::EarsC3 => Method::EarsC3,
            MethodArg::Cusum => Method::Cusum,
            MethodArg::GlrPoisson => Method::GlrPoisson,
        }
    }
}

/// Which behaviour to follow where R's `surveillance` departs from the papers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompatArg {
    /// Reproduce R `surveillance` 1.20.3 exactly, quirks included.
    R,
    /// The published methods (the default).
    Published,
}

/// `varde signal`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SignalArgs {
    #[command(subcommand)]
    pub command: Option<SignalCommand>,
    /// Detection method.
    #[arg(long, value_enum, required = true)]
    pub method: Option<MethodArg>,
    /// `r` reproduces R's surveillance 1.20.3 (default: the published methods).
    #[arg(long, value_enum)]
    pub compat: Option<CompatArg>,
    /// Input CSV: series,week_index,year,week,observed,population (`-` = stdin).
    #[arg(long, required = true)]
    pub input: Option<PathBuf>,
    /// Evaluate the last N weeks of every series.
    #[arg(long, required = true)]
    pub range_last: Option<usize>,
    /// Method parameter in R's syntax, e.g. `b=5`, `reweight=TRUE`, `limit54=5,4`.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output CSV: series,week_index,observed,upperbound,alarm,expected,score (`-` = stdout).
    #[arg(long, required = true)]
    pub output: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, env = "VARDE_SIGNAL_THREADS")]
    pub threads: Option<usize>,
}

/// Subcommands of `varde signal`.
#[derive(Debug, Subcommand)]
pub enum SignalCommand {
    /// Score alarms against a ground truth of injected outbreaks.
    Score(ScoreArgs),
}

/// `varde signal score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Ground truth: series,start_week_index,length,place,size.
    #[arg(long)]
    pub truth: PathBuf,
    /// Alarms: the output of `varde signal`.
    #[arg(long)]
    pub alarms: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn open_input(p: &Path) -> anyhow::Result<Box<dyn Read>> {
    if p.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let f = File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
    Ok(Box::new(BufReader::new(f)))
}

fn open_output(p: &Path) -> anyhow::Result<Box<dyn Write>> {
    if p.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdout().lock()));
    }
    let f = File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
    Ok(Box::new(BufWriter::new(f)))
}

/// Results per series, in input order.
pub type Evaluated = Vec<(String, Vec<WeekResult>)>;

/// Evaluates every series, split over `threads` workers; the output keeps the
/// input order and the first error (in input order) wins.
pub fn evaluate_parallel(
    series: &[InputSeries],
    params: &MethodParams,
    compat: Compat,
    range_last: usize,
    threads: usize,
) -> varde_signal::Result<Evaluated> {
    let threads = threads.clamp(1, series.len().max(1));
    if threads == 1 {
        return csvio::evaluate_all(series, params, compat, range_last);
    }
    let chunk = series.len().div_ceil(threads);
    let parts: Vec<varde_signal::Result<Evaluated>> = std::thread::scope(|sc| {
        let handles: Vec<_> = series
            .chunks(chunk)
            .map(|c| sc.spawn(move || csvio::evaluate_all(c, params, compat, range_last)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(varde_signal::Error::Io("worker thread failed".into())))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(series.len());
    for p in parts {
        out.extend(p?);
    }
    Ok(out)
}

fn run_detection(args: &SignalArgs) -> anyhow::Result<ExitCode> {
    let (Some(method), Some(input), Some(range_last), Some(output)) = (
        args.method,
        args.input.as_deref(),
        args.range_last,
        args.output.as_deref(),
    ) else {
        return Err(anyhow!(
            "--method, --input, --range-last and --output are required"
        ));
    };
    let compat = match args.compat {
        Some(CompatArg::R) => Compat::R,
        _ => Compat::Published,
    };
    let method: Method = method.into();
    let params = MethodParams::parse(method, &args.params)
        .with_context(|| format!("--param for {method}"))?;
    let series = csvio::read_series(open_input(input)?)
        .with_context(|| format!("reading {}", input.display()))?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let results = evaluate_parallel(&series, &params, compat, range_last, threads)
        .with_context(|| format!("evaluating {}", input.display()))?;
    let mut out = open_output(output)?;
    csvio::write_results(
        &mut out,
        results
            .iter()
            .flat_map(|(name, r)| r.iter().map(move |w| (name.as_str(), w))),
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Scores an alarms file against a truth file.
pub fn score_files(truth: &Path, alarms: &Path) -> anyhow::Result<score::Scores> {
    let t = score::read_truth(open_input(truth)?)
        .with_context(|| format!("reading {}", truth.display()))?;
    let a = score::read_alarms(open_input(alarms)?)
        .with_context(|| format!("reading {}", alarms.display()))?;
    Ok(score::score(&t, &a))
}

fn json_num(v: f64) -> serde_json::Value {
    serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn run_score(a: &ScoreArgs) -> anyhow::Result<ExitCode> {
    let s = score_files(&a.truth, &a.alarms)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = serde_json::json!({
            "outbreaks": s.outbreaks,
            "detected": s.detected,
            "sensitivity": json_num(s.sensitivity),
            "specificity": json_num(s.specificity),
            "ppv": json_num(s.ppv),
            "median_weeks_to_detection": s.median_weeks_to_detection.map(json_num),
            "alarm_weeks": s.alarm_weeks,
            "evaluated_weeks": s.evaluated_weeks,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        writeln!(out, "outbreaks                  {}", s.outbreaks)?;
        writeln!(out, "detected                   {}", s.detected)?;
        writeln!(out, "sensitivity                {:.4}", s.sensitivity)?;
        writeln!(out, "specificity                {:.4}", s.specificity)?;
        writeln!(out, "positive predictive value  {:.4}", s.ppv)?;
        match s.median_weeks_to_detection {
            Some(d) => writeln!(out, "median weeks to detection  {d}")?,
            None => writeln!(out, "median weeks to detection  -")?,
        }
        writeln!(
            out,
            "alarm weeks                {} of {} evaluated",
            s.alarm_weeks, s.evaluated_weeks
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `varde signal` or `varde signal score`.
pub fn run(args: SignalArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(SignalCommand::Score(a)) => run_score(a),
        None => run_detection(&args),
    }
}

/// `varde simulate monitoring --seed N --out DIR`: writes `DIR/series.csv`
/// (the `varde signal` input format) and `DIR/truth.csv` (injected outbreaks).
pub fn simulate_monitoring(seed: u64, out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let m = varde_sim::monitoring::generate(seed);
    let mut w = open_output(&out.join("series.csv"))?;
    m.write_series(&mut w)?;
    w.flush()?;
    let mut w = open_output(&out.join("truth.csv"))?;
    m.write_truth(&mut w)?;
    w.flush()?;
    Ok(())
}

/// `varde simulate monitoring --sources`: writes `DIR/sources/{source}.csv` for every
/// monitoring source (the import format) and `DIR/sources/truth.csv` (the outbreaks injected
/// into the count sources).
pub fn simulate_sources(
    seed: u64,
    today: jiff::civil::Date,
    seizure_scale: f64,
    out: &Path,
) -> anyhow::Result<()> {
    if !(seizure_scale > 0.0 && seizure_scale <= 1.0) {
        return Err(anyhow!("--seizure-scale: a share above 0 and at most 1"));
    }
    let dir = out.join("sources");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let sources = varde_sim::sources::generate_sources(&varde_sim::sources::Options {
        seed,
        today,
        seizure_scale,
        weeks: varde_sim::monitoring::WEEKS,
    });
    for f in &sources.files {
        let path = dir.join(format!("{}.csv", f.source));
        std::fs::write(&path, &f.csv)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let path = dir.join("truth.csv");
    std::fs::write(&path, sources.truth_csv())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
