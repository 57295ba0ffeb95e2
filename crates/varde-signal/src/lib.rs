//! Surveillance statistics for weekly counts: aberration detection with
//! Farrington flexible (Noufaily et al. 2012), classic Farrington (1996),
//! EARS C1/C2/C3, CUSUM and the Poisson GLR detector.
//!
//! Every detector has two modes ([`Compat`]): the published method (default)
//! and a mode that reproduces R's `surveillance` 1.20.3 including its known
//! departures from the papers (see the crate README for the list).
//!
//! The crate is pure: parsing and writing work over `impl Read` / `impl Write`.

#![allow(clippy::needless_range_loop)]

pub mod csvio;
pub mod cusum;
pub mod ears;
pub mod farrington;
pub mod glm;
pub mod glr;
pub mod params;
pub mod score;
pub mod special;

pub use params::{family_default, Method, MethodParams};

/// Which behaviour to follow where R's `surveillance` departs from the paper.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compat {
    /// The published methods.
    #[default]
    Published,
    /// Reproduce `surveillance` 1.20.3, including quirks Q1–Q4.
    R,
}

/// One weekly count series.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// Weekly counts, week 1 first.
    pub observed: Vec<f64>,
    /// Population per week, for `populationOffset`.
    pub population: Option<Vec<f64>>,
    /// Calendar date (days since 1970-01-01) per week, for date-based
    /// reference weeks in Farrington flexible (`epochAsDate`).
    pub dates: Option<Vec<i64>>,
}

impl Series {
    pub fn new(observed: Vec<f64>) -> Self {
        Series {
            observed,
            population: None,
            dates: None,
        }
    }
}

/// Output for one evaluated week. `None` means R's `NA`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WeekResult {
    /// 1-based week index.
    pub week_index: usize,
    pub observed: f64,
    pub upperbound: Option<f64>,
    pub alarm: Option<bool>,
    pub expected: Option<f64>,
    pub score: Option<f64>,
    pub pvalue: Option<f64>,
    pub phi: Option<f64>,
    pub trend: Option<bool>,
    pub trend_coef: Option<f64>,
    pub mu0: Option<f64>,
}

impl WeekResult {
    pub(crate) fn empty(week_index: usize, observed: f64) -> Self {
        WeekResult {
            week_index,
            observed,
            ..Default::default()
        }
    }
}

/// Errors of the signal engine.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    #[error("week {week} cannot be evaluated: {reason}")]
    Range { week: usize, reason: String },
    #[error("invalid parameter: {0}")]
    Param(String),
    #[error("series '{series}', line {line}: {reason}")]
    Input {
        series: String,
        line: u64,
        reason: String,
    },
    #[error("csv: {0}")]
    Csv(String),
    #[error("io: {0}")]
    Io(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Converts a finite-or-NaN value to an `Option` (`NaN` becomes `None`).
pub(crate) fn opt(v: f64) -> Option<f64> {
    if v.is_nan() {
        None
    } else {
        Some(v)
    }
}
