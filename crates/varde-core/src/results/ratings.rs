//! A status rating as set on the rating page or by the API: a goal of the plan, a year of
//! the plan's period (not after this year), the rating (− + ++ +++) and a written reason.
//! Who set it is the session's user, never a field.

use serde::{Deserialize, Serialize};

use super::plans::Plan;
use super::Rating;
use crate::fields::{safe_text, FieldError};

/// The longest reason.
pub const REASON_MAX: usize = 2000;
/// The shortest reason: a rating needs a written reason.
pub const REASON_MIN: usize = 10;

/// A rating as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RatingInput {
    pub goal: String,
    pub year: String,
    pub rating: String,
    pub reason: String,
}

/// A rating checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRating {
    pub plan: String,
    pub goal: String,
    pub year: i16,
    pub rating: Rating,
    pub reason: String,
}

/// Checks `input` against `plan`; every field broken, each with its rule.
pub fn check(
    plan: &Plan,
    input: &RatingInput,
    this_year: i16,
) -> Result<NewRating, Vec<FieldError>> {
    let mut errors = Vec::new();
    let goal = input.goal.trim();
    if plan.goal(goal).is_none() {
        errors.push(FieldError::new("goal", "no goal of the plan has this id"));
    }
    let year = match input.year.trim().parse::<i16>() {
        Ok(y) if y < plan.first_year || y > plan.last_year => {
            errors.push(FieldError::new("year", "a year of the plan's period"));
            None
        }
        Ok(y) if y > this_year => {
            errors.push(FieldError::new("year", "must not be in the future"));
            None
        }
        Ok(y) => Some(y),
        Err(_) => {
            errors.push(FieldError::new("year", "a year as YYYY"));
            None
        }
    };
    let rating = Rating::parse("rating", &input.rating)
        .map_err(|e| errors.push(e))
        .ok();
    let reason = match safe_text("reason", &input.reason, REASON_MAX) {
        Ok(Some(r)) if r.chars().count() >= REASON_MIN => Some(r),
        Ok(_) => {
            errors.push(FieldError::new(
                "reason",
                "a written reason of at least 10 characters",
            ));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    match (year, rating, reason) {
        (Some(year), Some(rating), Some(reason)) if errors.is_empty() => Ok(NewRating {
            plan: plan.id.clone(),
            goal: goal.to_owned(),
            year,
            rating,
            reason,
        }),
        _ => Err(errors),
    }
}
