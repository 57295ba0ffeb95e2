//! Scoring alarms against injected outbreaks: sensitivity, specificity,
//! positive predictive value and median weeks to detection.
//!
//! Definitions (per series, over the evaluated weeks only):
//! * an outbreak occupies weeks `start ..= start + length - 1`; it counts if
//!   at least one of its weeks was evaluated;
//! * it is *detected* if any evaluated week inside it has an alarm; the delay
//!   is the first alarm week minus `start` (0 = detected in its first week);
//! * sensitivity = detected / counted outbreaks;
//! * specificity = evaluated weeks outside outbreaks without an alarm /
//!   evaluated weeks outside outbreaks;
//! * PPV = alarm weeks inside an outbreak / all alarm weeks.
//!
//! Weeks whose alarm is undefined (empty) are left out of every ratio.

use std::collections::HashMap;
use std::io::Read;

use crate::{Error, Result};

/// One injected outbreak.
#[derive(Clone, Debug, PartialEq)]
pub struct Outbreak {
    pub series: String,
    pub start: usize,
    pub length: usize,
    pub place: String,
    pub size: f64,
}

/// One evaluated week's alarm.
#[derive(Clone, Debug, PartialEq)]
pub struct AlarmRow {
    pub series: String,
    pub week_index: usize,
    pub alarm: Option<bool>,
}

/// Scores.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    pub outbreaks: usize,
    pub detected: usize,
    pub sensitivity: f64,
    pub specificity: f64,
    pub ppv: f64,
    pub median_weeks_to_detection: Option<f64>,
    pub alarm_weeks: usize,
    pub evaluated_weeks: usize,
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

/// Scores `alarms` against `truth`.
pub fn score(truth: &[Outbreak], alarms: &[AlarmRow]) -> Scores {
    let mut by_series: HashMap<&str, HashMap<usize, bool>> = HashMap::new();
    for a in alarms {
        if let Some(v) = a.alarm {
            by_series
                .entry(a.series.as_str())
                .or_default()
                .insert(a.week_index, v);
        }
    }
    let mut in_outbreak: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for o in truth {
        in_outbreak
            .entry(o.series.as_str())
            .or_default()
            .push((o.start, o.start + o.length.max(1) - 1));
    }
    let inside = |s: &str, w: usize| {
        in_outbreak
            .get(s)
            .is_some_and(|v| v.iter().any(|&(a, b)| w >= a && w <= b))
    };
    let mut s = Scores::default();
    let mut delays = Vec::new();
    for o in truth {
        let Some(weeks) = by_series.get(o.series.as_str()) else {
            continue;
        };
        let end = o.start + o.length.max(1) - 1;
        let evaluated: Vec<usize> = (o.start..=end).filter(|w| weeks.contains_key(w)).collect();
        if evaluated.is_empty() {
            continue;
        }
        s.outbreaks += 1;
        if let Some(first) = evaluated.iter().find(|w| weeks.get(w) == Some(&true)) {
            s.detected += 1;
            delays.push((first - o.start) as f64);
        }
    }
    let (mut neg, mut true_neg, mut alarm_in, mut alarm_all) = (0usize, 0usize, 0usize, 0usize);
    for (series, weeks) in &by_series {
        for (&w, &a) in weeks {
            s.evaluated_weeks += 1;
            let ins = inside(series, w);
            if a {
                alarm_all += 1;
                if ins {
                    alarm_in += 1;
                }
            }
            if !ins {
                neg += 1;
                if !a {
                    true_neg += 1;
                }
            }
        }
    }
    s.alarm_weeks = alarm_all;
    s.sensitivity = ratio(s.detected, s.outbreaks);
    s.specificity = ratio(true_neg, neg);
    s.ppv = ratio(alarm_in, alarm_all);
    s.median_weeks_to_detection = median(&mut delays);
    s
}

fn csv_err(e: csv::Error) -> Error {
    Error::Csv(e.to_string())
}

fn columns(hdr: &csv::StringRecord, want: &[&str]) -> Result<Vec<usize>> {
    want.iter()
        .map(|w| {
            hdr.iter()
                .position(|h| h == *w)
                .ok_or_else(|| Error::Csv(format!("missing column '{w}'")))
        })
        .collect()
}

fn bad(series: &str, line: u64, what: &str) -> Error {
    Error::Input {
        series: series.to_string(),
        line,
        reason: what.to_string(),
    }
}

/// Reads a ground-truth file: `series,start_week_index,length,place,size`.
pub fn read_truth(r: impl Read) -> Result<Vec<Outbreak>> {
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(r);
    let c = columns(
        &rd.headers().map_err(csv_err)?.clone(),
        &["series", "start_week_index", "length", "place", "size"],
    )?;
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(csv_err)?;
        let line = rec.position().map_or(0, |p| p.line());
        let g = |i: usize| rec.get(c[i]).unwrap_or("");
        out.push(Outbreak {
            series: g(0).to_string(),
            start: g(1)
                .parse()
                .map_err(|_| bad(g(0), line, "start_week_index is not an integer"))?,
            length: g(2)
                .parse()
                .map_err(|_| bad(g(0), line, "length is not an integer"))?,
            place: g(3).to_string(),
            size: g(4)
                .parse()
                .map_err(|_| bad(g(0), line, "size is not a number"))?,
        });
    }
    Ok(out)
}

/// Reads `series,week_index,alarm` from a `varde signal` output file.
pub fn read_alarms(r: impl Read) -> Result<Vec<AlarmRow>> {
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(r);
    let c = columns(
        &rd.headers().map_err(csv_err)?.clone(),
        &["series", "week_index", "alarm"],
    )?;
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(csv_err)?;
        let line = rec.position().map_or(0, |p| p.line());
        let g = |i: usize| rec.get(c[i]).unwrap_or("");
        out.push(AlarmRow {
            series: g(0).to_string(),
            week_index: g(1)
                .parse()
                .map_err(|_| bad(g(0), line, "week_index is not an integer"))?,
            alarm: match g(2) {
                "1" | "TRUE" => Some(true),
                "0" | "FALSE" => Some(false),
                "" | "NA" => None,
                _ => return Err(bad(g(0), line, "alarm must be 0, 1 or empty")),
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str, w: usize, v: bool) -> AlarmRow {
        AlarmRow {
            series: s.into(),
            week_index: w,
            alarm: Some(v),
        }
    }

    #[test]
    fn scores_by_hand() {
        let truth = vec![
            Outbreak {
                series: "x".into(),
                start: 3,
                length: 3,
                place: "03".into(),
                size: 10.0,
            },
            Outbreak {
                series: "y".into(),
                start: 2,
                length: 2,
                place: "11".into(),
                size: 5.0,
            },
        ];
        // x: weeks 1..=6, outbreak 3..=5 detected at 4 (delay 1); false alarm at 1.
        // y: weeks 1..=4, outbreak 2..=3 missed.
        let mut al = vec![
            a("x", 1, true),
            a("x", 2, false),
            a("x", 3, false),
            a("x", 4, true),
            a("x", 5, true),
            a("x", 6, false),
        ];
        al.extend([
            a("y", 1, false),
            a("y", 2, false),
            a("y", 3, false),
            a("y", 4, false),
        ]);
        let s = score(&truth, &al);
        assert_eq!(s.outbreaks, 2);
        assert_eq!(s.detected, 1);
        assert!((s.sensitivity - 0.5).abs() < 1e-12);
        // negatives: x 1,2,6 and y 1,4 = 5, of which 4 without alarm
        assert!((s.specificity - 0.8).abs() < 1e-12);
        // alarms: 3, of which 2 inside
        assert!((s.ppv - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.median_weeks_to_detection, Some(1.0));
    }

    #[test]
    fn reads_files() {
        let t = read_truth("series,start_week_index,length,place,size\nx,3,3,03,10\n".as_bytes());
        assert_eq!(t.map(|v| v.len()), Ok(1));
        let al = read_alarms("series,week_index,observed,upperbound,alarm,expected,score\nx,1,2,3,0,,\nx,2,9,3,1,,\nx,3,0,,,,\n".as_bytes());
        assert_eq!(
            al.map(|v| v.iter().map(|r| r.alarm).collect::<Vec<_>>()),
            Ok(vec![Some(false), Some(true), None])
        );
    }
}
