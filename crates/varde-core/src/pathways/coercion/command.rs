//! Coercion commands: what an institution records about a stay, as it is stored in the event
//! log (the body of one event in the stream `coercion:{org}:{stay_id}`, kind
//! [`CoercionCommand::kind`]), applied to the stay by the rules of chapter 10. A stay is the
//! replay of its commands ([`replay_into`]).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{check_stay, legal_end, CoercionError, Decision, Kind, Section, Stay};
use crate::events::Skipped;
use crate::fields::FieldError;

/// A coercion command as stored in the event log. `section` and `kind` are stored as their
/// text (`10-2`, `main`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum CoercionCommand {
    StayStarted {
        patient: String,
        start: Date,
    },
    StayEnded {
        date: Date,
    },
    Decided {
        section: String,
        kind: String,
        decided: Date,
        from: Date,
        expected_delivery: Option<Date>,
        child_welfare_notified: Option<Date>,
        sent_to_county_board: Option<Date>,
    },
    Appealed {
        decision: usize,
        date: Date,
    },
    SentToCountyBoard {
        decision: usize,
        date: Date,
    },
}

/// One stay as replayed: the patient (a pseudonymous reference) and the stay's decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StayState {
    pub patient: String,
    pub stay: Stay,
}

/// The field a broken chapter-10 rule is reported on.
fn field_error(e: &CoercionError) -> FieldError {
    let field = match e {
        CoercionError::NoExpectedDelivery | CoercionError::DeliveryBeforeRetention => {
            "expected_delivery"
        }
        CoercionError::ChildWelfareNotNotified => "child_welfare_notified",
        CoercionError::TooManyConsentRetentions(_) => "section",
        CoercionError::TemporaryUnder10_4 => "kind",
        CoercionError::BeforeStay { .. } => "from",
    };
    FieldError::new(field, e.to_string())
}

fn decision_mut(s: &mut StayState, number: usize) -> Result<&mut Decision, FieldError> {
    number
        .checked_sub(1)
        .and_then(|i| s.stay.decisions.get_mut(i))
        .ok_or_else(|| FieldError::new("decision", "no such decision in the stay"))
}

impl CoercionCommand {
    /// The event kind it is logged as (`coercion.{verb}`).
    pub fn kind(&self) -> &'static str {
        match self {
            CoercionCommand::StayStarted { .. } => "coercion.stay_started",
            CoercionCommand::StayEnded { .. } => "coercion.stay_ended",
            CoercionCommand::Decided { .. } => "coercion.decided",
            CoercionCommand::Appealed { .. } => "coercion.appealed",
            CoercionCommand::SentToCountyBoard { .. } => "coercion.sent_to_county_board",
        }
    }

    /// The date it takes effect.
    pub fn date(&self) -> Date {
        match self {
            CoercionCommand::StayStarted { start, .. } => *start,
            CoercionCommand::Decided { decided, .. } => *decided,
            CoercionCommand::StayEnded { date }
            | CoercionCommand::Appealed { date, .. }
            | CoercionCommand::SentToCountyBoard { date, .. } => *date,
        }
    }

    /// A decision as a request gives it: section and kind checked and stored as their text.
    #[allow(clippy::too_many_arguments)]
    pub fn decided(
        section: &str,
        kind: &str,
        decided: Date,
        from: Date,
        expected_delivery: Option<Date>,
        child_welfare_notified: Option<Date>,
        sent_to_county_board: Option<Date>,
    ) -> Result<CoercionCommand, FieldError> {
        Ok(CoercionCommand::Decided {
            section: Section::parse(section)?.as_str().to_owned(),
            kind: Kind::parse(kind)?.as_str().to_owned(),
            decided,
            from,
            expected_delivery,
            child_welfare_notified,
            sent_to_county_board,
        })
    }

    /// Applies the command to a stay (`None`: not started), checking chapter 10's rules.
    pub fn apply(&self, current: Option<StayState>) -> Result<StayState, FieldError> {
        let no_stay = || FieldError::new("stay_id", "no such stay");
        match self {
            CoercionCommand::StayStarted { patient, start } => match current {
                Some(_) => Err(FieldError::new("stay_id", "a stay with this id exists")),
                None => Ok(StayState {
                    patient: patient.clone(),
                    stay: Stay {
                        start: *start,
                        end: None,
                        decisions: Vec::new(),
                    },
                }),
            },
            CoercionCommand::StayEnded { date } => {
                let mut s = current.ok_or_else(no_stay)?;
                if s.stay.end.is_some() {
                    return Err(FieldError::new("date", "the stay has already ended"));
                }
                if *date < s.stay.start {
                    return Err(FieldError::new(
                        "date",
                        format!("the stay began {}", s.stay.start),
                    ));
                }
                s.stay.end = Some(*date);
                Ok(s)
            }
            CoercionCommand::Decided {
                section,
                kind,
                decided,
                from,
                expected_delivery,
                child_welfare_notified,
                sent_to_county_board,
            } => {
                let mut s = current.ok_or_else(no_stay)?;
                let section = Section::parse(section)?;
                let kind = Kind::parse(kind)?;
                if let Some(end) = s.stay.end {
                    if *from >= end {
                        return Err(FieldError::new("from", format!("the stay ended on {end}")));
                    }
                }
                if let Some(sent) = sent_to_county_board {
                    if kind != Kind::Temporary {
                        return Err(FieldError::new(
                            "sent_to_county_board",
                            "only a temporary decision is sent to the county board",
                        ));
                    }
                    if sent < decided {
                        return Err(FieldError::new(
                            "sent_to_county_board",
                            "before the decision",
                        ));
                    }
                }
                let d = Decision {
                    section,
                    kind,
                    decided: *decided,
                    from: *from,
                    expected_delivery: *expected_delivery,
                    child_welfare_notified: *child_welfare_notified,
                    appealed: None,
                    sent_to_county_board: *sent_to_county_board,
                };
                legal_end(&d).map_err(|e| field_error(&e))?;
                s.stay.decisions.push(d);
                if let Some(e) = check_stay(&s.stay).first() {
                    return Err(field_error(e));
                }
                Ok(s)
            }
            CoercionCommand::Appealed { decision, date } => {
                let mut s = current.ok_or_else(no_stay)?;
                let d = decision_mut(&mut s, *decision)?;
                if d.appealed.is_some() {
                    return Err(FieldError::new(
                        "decision",
                        "the decision has already been appealed",
                    ));
                }
                if *date < d.decided {
                    return Err(FieldError::new("date", "before the decision"));
                }
                d.appealed = Some(*date);
                Ok(s)
            }
            CoercionCommand::SentToCountyBoard { decision, date } => {
                let mut s = current.ok_or_else(no_stay)?;
                let d = decision_mut(&mut s, *decision)?;
                if d.kind != Kind::Temporary {
                    return Err(FieldError::new(
                        "decision",
                        "only a temporary decision is sent to the county board",
                    ));
                }
                if d.sent_to_county_board.is_some() {
                    return Err(FieldError::new(
                        "decision",
                        "the case has already been sent to the county board",
                    ));
                }
                if *date < d.decided {
                    return Err(FieldError::new("date", "before the decision"));
                }
                d.sent_to_county_board = Some(*date);
                Ok(s)
            }
        }
    }
}

/// Replays one stored command `(event id, body)` into the stay `key` of `stays`. A command
/// that no longer parses or applies (it did when written) leaves the stay as it was and is
/// returned for the caller to log.
pub fn replay_into(
    stays: &mut BTreeMap<String, StayState>,
    key: &str,
    event: i64,
    body: &str,
) -> Option<Skipped> {
    let why = match serde_json::from_str::<CoercionCommand>(body) {
        Ok(cmd) => match cmd.apply(stays.get(key).cloned()) {
            Ok(s) => {
                stays.insert(key.to_owned(), s);
                return None;
            }
            Err(e) => format!("breaks a rule on replay: {e}"),
        },
        Err(e) => format!(
            "does not parse ({:?} error at column {})",
            e.classify(),
            e.column()
        ),
    };
    Some(Skipped { event, why })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_stay_replays_and_rules_name_their_field() {
        let start = CoercionCommand::StayStarted {
            patient: "P1".into(),
            start: d("2026-01-01"),
        };
        let s = start.apply(None).unwrap();
        assert_eq!(start.apply(Some(s.clone())).unwrap_err().field, "stay_id");
        let no_delivery = CoercionCommand::decided(
            "§ 10-3",
            "main",
            d("2026-01-02"),
            d("2026-01-02"),
            None,
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            no_delivery.apply(Some(s.clone())).unwrap_err().field,
            "expected_delivery"
        );
        assert_eq!(
            CoercionCommand::decided(
                "10-5",
                "main",
                d("2026-01-02"),
                d("2026-01-02"),
                None,
                None,
                None
            )
            .unwrap_err()
            .field,
            "section"
        );
        let temp = CoercionCommand::decided(
            "10-2",
            "temporary",
            d("2026-01-02"),
            d("2026-01-02"),
            None,
            None,
            None,
        )
        .unwrap();
        let s = temp.apply(Some(s)).unwrap();
        let appeal = CoercionCommand::Appealed {
            decision: 2,
            date: d("2026-01-03"),
        };
        assert_eq!(appeal.apply(Some(s.clone())).unwrap_err().field, "decision");

        let mut stays = BTreeMap::new();
        for (i, cmd) in [start, temp].iter().enumerate() {
            let body = serde_json::to_string(cmd).unwrap();
            assert_eq!(replay_into(&mut stays, "s1", i as i64, &body), None);
        }
        assert_eq!(stays["s1"], s);
        let skipped = replay_into(&mut stays, "s1", 9, "{}").unwrap();
        assert_eq!(skipped.event, 9);
        assert_eq!(stays["s1"], s);
    }
}
