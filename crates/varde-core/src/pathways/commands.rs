//! What `varde pathways report` and `varde pathways due` print, as pure functions over a
//! reader, so the command-line module only opens the file, takes the clock and prints.

use std::fmt::Write as _;
use std::io::Read;

use jiff::civil::Date;

use super::indicators::{report_as_of, Report};
use super::worklist::{status_counts, worklist, WorkItem};
use super::{load, FileError, RowError};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A readable table for people.
    #[default]
    Table,
    /// The JSON of the stable contract.
    Json,
}

/// What a command prints and how it ends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    /// Text for standard output (empty when the command fails).
    pub stdout: String,
    /// Lines for standard error, each `FILE:LINE: rule`.
    pub stderr: Vec<String>,
    /// False when the command must exit non-zero.
    pub ok: bool,
}

fn error_line(file: &str, e: &RowError) -> String {
    format!("{file}:{}: {}", e.line, e.rule)
}

/// Loads the events, turning rule breaches into stderr lines. `None` when the command must stop.
fn load_checked<R: Read>(
    input: R,
    file: &str,
    cutoff: Date,
    today: Date,
    skip_invalid: bool,
    out: &mut Output,
) -> Option<Vec<super::Event>> {
    let loaded = match load(input, cutoff, today) {
        Ok(l) => l,
        Err(FileError::Header(e)) => {
            out.stderr.push(error_line(file, &e));
            return None;
        }
        Err(FileError::Io(msg)) => {
            out.stderr.push(format!("{file}: {msg}"));
            return None;
        }
    };
    out.stderr
        .extend(loaded.errors.iter().map(|e| error_line(file, e)));
    if !loaded.errors.is_empty() && !skip_invalid {
        return None;
    }
    if !loaded.errors.is_empty() {
        out.stderr.push(format!(
            "{file}: {} invalid row(s) skipped (--skip-invalid)",
            loaded.errors.len()
        ));
    }
    Some(loaded.events)
}

/// `varde pathways report`: indicators and waiting time for `from`–`to`, cut at `today` (a
/// deadline not yet reached is not a missed one).
pub fn run_report<R: Read>(
    input: R,
    file: &str,
    from: Date,
    to: Date,
    today: Date,
    format: Format,
    skip_invalid: bool,
) -> Output {
    let mut out = Output::default();
    if from > to {
        out.stderr.push(format!("--from {from} is after --to {to}"));
        return out;
    }
    let Some(events) = load_checked(input, file, to, today, skip_invalid, &mut out) else {
        return out;
    };
    let r = report_as_of(&events, from, to, today);
    out.stdout = match format {
        Format::Json => json(&r),
        Format::Table => report_table(&r),
    };
    out.ok = true;
    out
}

/// `varde pathways due`: the worklist on `as_of`.
pub fn run_due<R: Read>(
    input: R,
    file: &str,
    as_of: Date,
    today: Date,
    format: Format,
    skip_invalid: bool,
) -> Output {
    let mut out = Output::default();
    let Some(events) = load_checked(input, file, as_of, today, skip_invalid, &mut out) else {
        return out;
    };
    let items = worklist(&events, as_of);
    out.stdout = match format {
        Format::Json => json(&items),
        Format::Table => due_table(&items, as_of),
    };
    out.ok = true;
    out
}

/// The report as the JSON of the stable contract (one line and a newline).
pub fn report_json(r: &Report) -> String {
    json(r)
}

/// The worklist as the JSON of the stable contract (one line and a newline).
pub fn due_json(items: &[WorkItem]) -> String {
    json(&items)
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail; an empty object is a safe fallback.
    let mut s = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

fn fmt_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "–".to_string(), |v| v.to_string())
}

/// The report as a text table.
pub fn report_table(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Pathway indicators {} – {}", r.from, r.to);
    let _ = writeln!(
        s,
        "{:<46} {:<6} {:<40} {:>6} {:>6} {:>7}",
        "indicator", "level", "key", "num", "den", "share"
    );
    for row in &r.indicators {
        let share = row
            .share
            .map_or_else(|| "(<5)".to_string(), |x| format!("{:.1} %", x * 100.0));
        let _ = writeln!(
            s,
            "{:<46} {:<6} {:<40} {:>6} {:>6} {:>7}",
            row.id,
            row.level.as_str(),
            row.key,
            fmt_opt(row.numerator),
            fmt_opt(row.denominator),
            share
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "Waiting time, referral received → first attendance (days)"
    );
    let _ = writeln!(
        s,
        "{:<6} {:<40} {:>6} {:>8} {:>8} {:>6}",
        "level", "key", "n", "median", "mean", "p90"
    );
    for w in &r.waiting_time {
        let _ = writeln!(
            s,
            "{:<6} {:<40} {:>6} {:>8} {:>8} {:>6}",
            w.level.as_str(),
            w.key,
            w.n.map_or_else(|| "(<5)".to_string(), |n| n.to_string()),
            fmt_opt(w.median_days.map(|x| format!("{x:.1}"))),
            fmt_opt(w.mean_days.map(|x| format!("{x:.1}"))),
            fmt_opt(w.p90_days)
        );
    }
    s
}

/// The worklist as a text table, most urgent first, with counts per status.
pub fn due_table(items: &[WorkItem], as_of: Date) -> String {
    let mut s = String::new();
    let (overdue, soon, on_time) = status_counts(items);
    let _ = writeln!(
        s,
        "Worklist {as_of}: {overdue} overdue, {soon} due within 3 days, {on_time} on time"
    );
    let _ = writeln!(
        s,
        "{:<10} {:<12} {:<20} {:<32} pathway",
        "due", "status", "next", "unit"
    );
    for i in items {
        let _ = writeln!(
            s,
            "{:<10} {:<12} {:<20} {:<32} {}",
            i.due.to_string(),
            i.status.as_str(),
            i.next.as_str(),
            i.unit,
            i.pathway_id
        );
    }
    s
}
