//! User and relative surveys: fixed question sets, answered anonymously on a link an
//! organisation (a treatment unit or a municipality) shares, and published only as counts per
//! organisation, survey and year with small cells suppressed.
//!
//! Each question is a statement rated on a five-point agreement scale (1 = not at all, 5 = fully;
//! wording in the web crate's `i18n/feedback.rs`, Varde's own). Every question must be answered,
//! so each question's five counts add up to the number of answers — a published sum: the counts
//! are protected along it with [`crate::suppression::protect`], so that no hidden cell comes
//! back by subtracting the shown ones from the total. A question's mean is shown only when none
//! of its counts is hidden (with the total and the mean known, two hidden counts would be two
//! equations in two unknowns).

use serde::{Deserialize, Serialize};

use super::{AnswerInput, Number};
use crate::fields::FieldError;
use crate::suppression::{self, Sum};

/// Which survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    /// The service's users (patients, clients).
    Users,
    /// Their relatives.
    Relatives,
}

impl SurveyKind {
    pub const ALL: [SurveyKind; 2] = [SurveyKind::Users, SurveyKind::Relatives];

    pub fn as_str(self) -> &'static str {
        match self {
            SurveyKind::Users => "users",
            SurveyKind::Relatives => "relatives",
        }
    }

    pub fn parse(s: &str) -> Result<SurveyKind, FieldError> {
        match s.trim() {
            "users" => Ok(SurveyKind::Users),
            "relatives" => Ok(SurveyKind::Relatives),
            _ => Err(FieldError::new("kind", "one of users, relatives")),
        }
    }

    /// The survey's questions, in the order they are asked.
    pub fn questions(self) -> &'static [&'static str] {
        match self {
            SurveyKind::Users => &USER_QUESTIONS,
            SurveyKind::Relatives => &RELATIVE_QUESTIONS,
        }
    }
}

/// The users' questions (ids; the statements are texts of the web crate).
pub const USER_QUESTIONS: [&str; 5] = [
    "users_respect",
    "users_decisions",
    "users_help",
    "users_information",
    "users_recommend",
];

/// The relatives' questions.
pub const RELATIVE_QUESTIONS: [&str; 5] = [
    "relatives_respect",
    "relatives_information",
    "relatives_involved",
    "relatives_support",
    "relatives_recommend",
];

/// Points of the agreement scale (1–5).
pub const POINTS: u8 = 5;

/// A checked survey answer: one rating 1–5 per question, in the order of
/// [`SurveyKind::questions`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyAnswer(pub Vec<u8>);

impl SurveyAnswer {
    /// Checks an answer to `kind`: every question rated 1–5, no other field.
    pub fn check(kind: SurveyKind, input: &AnswerInput) -> Result<SurveyAnswer, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut out = Vec::new();
        for q in kind.questions() {
            match input.get(*q).map(Number::whole) {
                Some(Some(n)) if (1..=i64::from(POINTS)).contains(&n) => {
                    out.push(u8::try_from(n).unwrap_or(1));
                }
                Some(_) => errors.push(FieldError::new(
                    *q,
                    format!("a whole number from 1 to {POINTS}"),
                )),
                None => errors.push(FieldError::new(*q, "must be answered")),
            }
        }
        for k in input.keys() {
            if !kind.questions().contains(&k.as_str()) {
                errors.push(FieldError::new(k.clone(), "not a question of this survey"));
            }
        }
        if errors.is_empty() {
            Ok(SurveyAnswer(out))
        } else {
            Err(errors)
        }
    }
}

/// The stored counts of one organisation's survey in one year: the number of answers and, per
/// question, how many gave each point (`counts[q][p - 1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyCounts {
    pub kind: SurveyKind,
    pub answers: u64,
    pub counts: Vec<[u64; POINTS as usize]>,
}

impl SurveyCounts {
    /// The counts of `answers` to `kind`.
    pub fn of(kind: SurveyKind, answers: &[SurveyAnswer]) -> SurveyCounts {
        let mut counts = vec![[0u64; POINTS as usize]; kind.questions().len()];
        for a in answers {
            for (q, p) in a.0.iter().enumerate() {
                if let Some(c) = counts
                    .get_mut(q)
                    .and_then(|c| c.get_mut(usize::from(p.saturating_sub(1))))
                {
                    *c += 1;
                }
            }
        }
        SurveyCounts {
            kind,
            answers: answers.len() as u64,
            counts,
        }
    }
}

/// One question as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedQuestion {
    pub question: &'static str,
    /// Per point 1–5: the count, or `None` when hidden.
    pub counts: Vec<Option<u64>>,
    /// The mean rating, when no count of the question is hidden.
    pub mean: Option<f64>,
}

/// One organisation's survey of a year as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedSurvey {
    pub kind: SurveyKind,
    /// The number of answers, or `None` when hidden (1–4).
    pub answers: Option<u64>,
    pub questions: Vec<PublishedQuestion>,
}

/// Publishes `c`: the cells of 1–4 hidden, and more along each question's sum (its five counts
/// add up to the number of answers) until nothing hidden can be recovered.
pub fn publish(c: &SurveyCounts) -> PublishedSurvey {
    let points = usize::from(POINTS);
    let mut cells = vec![c.answers];
    let mut sums = Vec::new();
    for q in &c.counts {
        let start = cells.len();
        cells.extend_from_slice(q);
        sums.push(Sum {
            total: 0,
            parts: (start..start + points).collect(),
        });
    }
    let hidden = suppression::protect(&cells, &sums);
    let shown = |i: usize| (!hidden[i]).then_some(cells[i]);
    let questions = c
        .kind
        .questions()
        .iter()
        .zip(&c.counts)
        .enumerate()
        .map(|(qi, (question, q))| {
            let start = 1 + qi * points;
            let counts: Vec<Option<u64>> = (start..start + points).map(shown).collect();
            let n: u64 = q.iter().sum();
            let mean = (counts.iter().all(Option::is_some) && n > 0).then(|| {
                let s: u64 = q.iter().zip(1u64..).map(|(c, p)| c * p).sum();
                s as f64 / n as f64
            });
            PublishedQuestion {
                question,
                counts,
                mean,
            }
        })
        .collect();
    PublishedSurvey {
        kind: c.kind,
        answers: shown(0),
        questions,
    }
}
