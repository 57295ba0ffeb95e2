//! The CSV contract of `varde signal`, over `impl Read` / `impl Write`.
//!
//! Input columns `series,week_index,year,week,observed,population`
//! (population may be empty); many series per file; `week_index` 1-based and
//! consecutive within a series. Output columns
//! `series,week_index,observed,upperbound,alarm,expected,score`, one row per
//! evaluated week, empty where undefined.

use std::io::{Read, Write};

use crate::{Compat, Error, MethodParams, Result, Series, WeekResult};

/// One input series with the CSV line of each week.
#[derive(Clone, Debug, Default)]
pub struct InputSeries {
    pub name: String,
    pub series: Series,
    /// 1-based CSV line number of every week's row.
    pub lines: Vec<u64>,
    /// ISO `(year, week)` of every row, when both columns are filled.
    pub year_week: Vec<Option<(i64, i64)>>,
}

/// Monday of ISO week `week` of ISO year `year`, in days since 1970-01-01.
pub fn iso_week_monday(year: i64, week: i64) -> i64 {
    let jan4 = crate::farrington::days_from_civil(year, 1, 4);
    let monday_w1 = jan4 - (crate::farrington::wday(jan4) + 6) % 7;
    monday_w1 + 7 * (week - 1)
}

fn input_err(series: &str, line: u64, reason: impl Into<String>) -> Error {
    Error::Input {
        series: series.to_string(),
        line,
        reason: reason.into(),
    }
}

fn csv_err(e: csv::Error) -> Error {
    Error::Csv(e.to_string())
}

const INPUT_COLUMNS: [&str; 6] = [
    "series",
    "week_index",
    "year",
    "week",
    "observed",
    "population",
];

/// Reads series in the input format. Series keep the order of their first row.
pub fn read_series(r: impl Read) -> Result<Vec<InputSeries>> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(r);
    let hdr = rd.headers().map_err(csv_err)?.clone();
    let mut col = [0usize; 6];
    for (i, want) in INPUT_COLUMNS.iter().enumerate() {
        col[i] = hdr.iter().position(|h| h == *want).ok_or_else(|| {
            Error::Csv(format!(
                "missing column '{want}' (need {})",
                INPUT_COLUMNS.join(",")
            ))
        })?;
    }
    let mut out: Vec<InputSeries> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rd.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_err(e)),
        }
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(col[i]).unwrap_or("");
        let name = get(0);
        if name.is_empty() {
            return Err(input_err(name, line, "empty series name"));
        }
        let pos = match index.get(name) {
            Some(&p) => p,
            None => {
                index.insert(name.to_string(), out.len());
                out.push(InputSeries {
                    name: name.to_string(),
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        let s = &mut out[pos];
        let wi = get(1);
        let expected_wi = s.series.observed.len() + 1;
        match wi.parse::<usize>() {
            Ok(v) if v == expected_wi => {}
            Ok(v) => {
                return Err(input_err(
                    name,
                    line,
                    format!("week_index {v} where {expected_wi} was expected (gap or disorder)"),
                ))
            }
            Err(_) => {
                return Err(input_err(
                    name,
                    line,
                    format!("week_index '{wi}' is not a positive integer"),
                ))
            }
        }
        let mut yw = [None, None];
        for (c, label) in [(2, "year"), (3, "week")] {
            let v = get(c);
            if !v.is_empty() && v != "NA" {
                match v.parse::<i64>() {
                    Ok(x) => yw[c - 2] = Some(x),
                    Err(_) => {
                        return Err(input_err(
                            name,
                            line,
                            format!("{label} '{v}' is not an integer"),
                        ))
                    }
                }
            }
        }
        if let Some(w) = yw[1] {
            if !(1..=53).contains(&w) {
                return Err(input_err(
                    name,
                    line,
                    format!("week {w} is not between 1 and 53"),
                ));
            }
        }
        let obs = get(4);
        let y: f64 = match obs.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 => v,
            Ok(v) if v < 0.0 => return Err(input_err(name, line, format!("negative count {obs}"))),
            _ => {
                return Err(input_err(
                    name,
                    line,
                    format!("observed '{obs}' is not a non-negative integer count"),
                ))
            }
        };
        let pop = get(5);
        let pop_v = if pop.is_empty() || pop == "NA" {
            None
        } else {
            match pop.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
                _ => {
                    return Err(input_err(
                        name,
                        line,
                        format!("population '{pop}' is not a non-negative number"),
                    ))
                }
            }
        };
        let n = s.series.observed.len();
        match (&mut s.series.population, pop_v) {
            (Some(p), v) => p.push(v.unwrap_or(f64::NAN)),
            (None, Some(v)) => {
                let mut p = vec![f64::NAN; n];
                p.push(v);
                s.series.population = Some(p);
            }
            (None, None) => {}
        }
        s.series.observed.push(y);
        s.lines.push(line);
        s.year_week.push(yw[0].zip(yw[1]));
    }
    Ok(out)
}

/// Formats a number like R: shortest round-trip digits, `Inf`, empty for NA.
pub fn fmt_num(v: Option<f64>) -> String {
    match v {
        None => String::new(),
        Some(x) if x.is_nan() => String::new(),
        Some(x) if x == f64::INFINITY => "Inf".into(),
        Some(x) if x == f64::NEG_INFINITY => "-Inf".into(),
        Some(x) => format!("{x}"),
    }
}

/// Writes the output header and rows.
pub fn write_results<'a>(
    w: impl Write,
    rows: impl IntoIterator<Item = (&'a str, &'a WeekResult)>,
) -> Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record([
        "series",
        "week_index",
        "observed",
        "upperbound",
        "alarm",
        "expected",
        "score",
    ])
    .map_err(csv_err)?;
    for (name, r) in rows {
        let alarm = match r.alarm {
            Some(true) => "1",
            Some(false) => "0",
            None => "",
        };
        wr.write_record([
            name,
            &r.week_index.to_string(),
            &fmt_num(Some(r.observed)),
            &fmt_num(r.upperbound),
            alarm,
            &fmt_num(r.expected),
            &fmt_num(r.score),
        ])
        .map_err(csv_err)?;
    }
    wr.flush().map_err(|e| Error::Io(e.to_string()))
}

/// Evaluates the last `range_last` weeks of every series.
pub fn evaluate_all(
    input: &[InputSeries],
    params: &MethodParams,
    compat: Compat,
    range_last: usize,
) -> Result<Vec<(String, Vec<WeekResult>)>> {
    if range_last == 0 {
        return Err(Error::Param("--range-last must be at least 1".into()));
    }
    let first = params.first_evaluable_week();
    let mut out = Vec::with_capacity(input.len());
    for s in input {
        let n = s.series.observed.len();
        let line_of = |wk: usize| s.lines.get(wk.saturating_sub(1)).copied().unwrap_or(0);
        if n < range_last || n + 1 - range_last < first {
            let start = (n + 1).saturating_sub(range_last).max(1);
            return Err(input_err(
                &s.name,
                line_of(start),
                format!(
                    "too little history: evaluating the last {range_last} of {n} weeks starts at week {start}, \
                     but this method and its parameters need the first evaluated week to be at least {first}"
                ),
            ));
        }
        if let MethodParams::Flexible(c) = params {
            if c.population_offset {
                if let Some(i) = s
                    .series
                    .population
                    .as_ref()
                    .and_then(|p| p.iter().position(|v| v.is_nan() || *v <= 0.0))
                {
                    return Err(input_err(
                        &s.name,
                        s.lines[i],
                        "populationOffset=TRUE needs a positive population in every row",
                    ));
                }
                if s.series.population.is_none() {
                    return Err(input_err(
                        &s.name,
                        s.lines[0],
                        "populationOffset=TRUE needs a positive population in every row",
                    ));
                }
            }
        }
        let range = (n + 1 - range_last)..=n;
        let dated;
        let mut series = &s.series;
        if let MethodParams::Flexible(c) = params {
            if c.epoch_as_date {
                let mut dates = Vec::with_capacity(n);
                for (i, yw) in s.year_week.iter().enumerate() {
                    match yw {
                        Some((y, w)) => dates.push(iso_week_monday(*y, *w)),
                        None => {
                            return Err(input_err(
                                &s.name,
                                s.lines[i],
                                "epochAsDate=TRUE needs year and week in every row",
                            ))
                        }
                    }
                }
                if let Some(i) = dates.windows(2).position(|d| d[1] - d[0] != 7) {
                    return Err(input_err(
                        &s.name,
                        s.lines[i + 1],
                        "epochAsDate=TRUE: year/week is not the ISO week after the previous row's",
                    ));
                }
                let mut d = s.series.clone();
                d.dates = Some(dates);
                dated = d;
                series = &dated;
            }
        }
        let res = params
            .evaluate(series, range, compat)
            .map_err(|e| match e {
                Error::Range { week, reason } => input_err(&s.name, line_of(week), reason),
                other => other,
            })?;
        out.push((s.name.clone(), res));
    }
    Ok(out)
}

/// Reads the input, evaluates the last `range_last` weeks of every series and
/// writes the output.
pub fn run(
    input: impl Read,
    output: impl Write,
    params: &MethodParams,
    compat: Compat,
    range_last: usize,
) -> Result<usize> {
    let series = read_series(input)?;
    let res = evaluate_all(&series, params, compat, range_last)?;
    let n = res.iter().map(|(_, r)| r.len()).sum();
    write_results(
        output,
        res.iter()
            .flat_map(|(name, r)| r.iter().map(move |w| (name.as_str(), w))),
    )?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    fn csv_of(rows: &[(&str, usize, f64)]) -> String {
        let mut s = String::from("series,week_index,year,week,observed,population\n");
        for (n, i, y) in rows {
            s.push_str(&format!("{n},{i},2020,{},{y},\n", (i - 1) % 52 + 1));
        }
        s
    }

    #[test]
    fn iso_week_mondays() {
        // 2002-W01 starts on 2001-12-31; 2021-W01 on 2021-01-04; 2020-W53 on 2020-12-28.
        assert_eq!(
            iso_week_monday(2002, 1),
            crate::farrington::days_from_civil(2001, 12, 31)
        );
        assert_eq!(
            iso_week_monday(2021, 1),
            crate::farrington::days_from_civil(2021, 1, 4)
        );
        assert_eq!(
            iso_week_monday(2020, 53),
            crate::farrington::days_from_civil(2020, 12, 28)
        );
    }

    #[test]
    fn gap_is_an_error_naming_series_and_line() {
        let text = csv_of(&[("a", 1, 1.0), ("a", 2, 1.0), ("a", 4, 1.0)]);
        match read_series(text.as_bytes()) {
            Err(Error::Input { series, line, .. }) => {
                assert_eq!(series, "a");
                assert_eq!(line, 4);
            }
            other => unreachable!("{other:?}"),
        }
    }

    #[test]
    fn bad_counts_are_errors() {
        for bad in ["-1", "2.5", "x", ""] {
            let text = format!("series,week_index,year,week,observed,population\ns,1,2020,1,3,\ns,2,2020,2,{bad},\n");
            match read_series(text.as_bytes()) {
                Err(Error::Input { series, line, .. }) => {
                    assert_eq!((series.as_str(), line), ("s", 3))
                }
                other => unreachable!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn too_little_history_is_an_error() {
        let rows: Vec<(&str, usize, f64)> = (1..=100).map(|i| ("short", i, 3.0)).collect();
        let text = csv_of(&rows);
        let p = MethodParams::parse(Method::FarringtonFlexible, &["b=5"])
            .unwrap_or_else(|e| unreachable!("{e}"));
        let mut out = Vec::new();
        match run(text.as_bytes(), &mut out, &p, Compat::R, 4) {
            Err(Error::Input {
                series,
                line,
                reason,
            }) => {
                assert_eq!(series, "short");
                assert_eq!(line, 98); // week 97 is on line 98
                assert!(reason.contains("too little history"), "{reason}");
            }
            other => unreachable!("{other:?}"),
        }
    }

    #[test]
    fn writes_one_row_per_evaluated_week() {
        let mut rows: Vec<(&str, usize, f64)> =
            (1..=30).map(|i| ("a", i, (i % 5) as f64)).collect();
        rows.extend((1..=20).map(|i| ("b", i, 2.0 + (i % 3) as f64)));
        let text = csv_of(&rows);
        let p = MethodParams::parse(Method::EarsC1, &["alpha=0.001"])
            .unwrap_or_else(|e| unreachable!("{e}"));
        let mut out = Vec::new();
        let n = run(text.as_bytes(), &mut out, &p, Compat::R, 3)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(n, 6);
        let s = String::from_utf8(out).unwrap_or_default();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(
            lines[0],
            "series,week_index,observed,upperbound,alarm,expected,score"
        );
        assert_eq!(lines.len(), 7);
        assert!(lines[1].starts_with("a,28,3,"), "{}", lines[1]);
        assert!(lines[4].starts_with("b,18,2,"), "{}", lines[4]);
        assert!(lines[1].ends_with(",,"), "{}", lines[1]);
    }
}
