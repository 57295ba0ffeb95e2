//! A seeded national year of coordination between the municipalities and TSB (issue 16,
//! section 6): anonymous records of the people in TSB treatment with their individual plan,
//! coordinator, responsibility group and last evaluation; the discharge notices raised for
//! their inpatient stays, taken through the core's own steps; and the non-fatal overdose
//! notices followed up within the risk week. Same seed and year, same records. The rates and
//! where they come from are in `docs/coordination-simulation.md`; in short:
//!
//! - People: SAMDATA 2023's 34,360 TSB patients ([`crate::pathways::samdata_2023`]), each
//!   in a municipality in proportion to its population (as the advisory simulator places them).
//! - 26 % have an individual plan, 18 % a coordinator, 23 % a responsibility group (SINTEF's
//!   2024 survey, Meld. St. 5 (2024–2025), seeds `000` line 914). In Varde a coordinator and a
//!   group belong to a plan, so they are drawn among the plan holders (18/26 and 23/26).
//! - Discharge notices: the inpatients' stays (9,813 inpatients, 15,416 stays, SAMDATA 2023),
//!   half of them with a notice (assumption); 40 % of the discharged still have no home to go
//!   to (the 2015 survey, seeds `000` line 1009); a few wait after discharge-ready (118 waiting
//!   patients and 1,960 days in 2022, line 918).
//! - Overdose notices: about 3,100 non-fatal overdoses a year seen by an ambulance or an
//!   emergency ward (the monitoring simulator's level, an assumption), 70 % consenting to
//!   follow-up (assumption), with the outcomes of the core's [`Outcome`].
//!
//! The figures are the core's: [`varde_core::coordination::figures::figures`] per
//! municipality (and the nation) on 31 December, and
//! [`varde_core::coordination::discharge::figures`], the national discharge view — both
//! suppressed below five as the app shows them.

use jiff::civil::{Date, DateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use varde_core::calendar::add_days;
use varde_core::coordination::discharge::{self, Meeting, Needs, Notice, Raise, Side, Step, Tally};
use varde_core::coordination::figures::{self, Figure, PersonFacts};
use varde_core::coordination::overdose::{hours_between, Means, Outcome, Service, RISK_HOURS};
use varde_core::coordination::overdose_figures;

use crate::advisory::{municipalities, pick, poisson};
use crate::pathways::samdata_2023;

/// Individual plan, coordinator, responsibility group among TSB patients (SINTEF 2024).
pub const SHARE_PLAN: f64 = 0.26;
pub const SHARE_COORDINATOR: f64 = 0.18;
pub const SHARE_GROUP: f64 = 0.23;
/// Of the plan holders: evaluated in the last six months, evaluated earlier, never
/// (assumption: the measure "cannot be followed at all" today).
pub const SHARE_EVALUATED_RECENTLY: f64 = 0.5;
pub const SHARE_EVALUATED_EARLIER: f64 = 0.3;
/// Stays with a discharge notice (assumption).
pub const SHARE_STAYS_NOTIFIED: f64 = 0.5;
/// Discharged with "no home to go to" still flagged (2015 survey).
pub const SHARE_NO_HOME: f64 = 0.40;
/// Notices raised with "no home to go to" flagged (assumption); of these, 80 % are still
/// flagged at discharge, so that 40 % of discharges are.
pub const SHARE_NO_HOME_RAISED: f64 = 0.5;
/// Patients waiting after discharge-ready in a year and their days (NPR 2022, PHV and TSB
/// together: an upper bound for TSB).
pub const WAITING_PATIENTS: f64 = 118.0;
pub const WAITING_DAYS: f64 = 1_960.0;
/// Non-fatal overdoses seen by an ambulance or emergency ward in a year (assumption, the
/// monitoring simulator's level), the share that consent to follow-up (assumption), and the
/// share seen by an ambulance.
pub const OVERDOSES_PER_YEAR: f64 = 3_100.0;
pub const SHARE_CONSENT: f64 = 0.7;
pub const SHARE_AMBULANCE: f64 = 0.7;

/// One person in TSB treatment in the year: anonymous, no id but the row's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub municipality: String,
    pub county: String,
    /// The health region (RHF) of the municipality.
    pub region: String,
    pub inpatient: bool,
    pub plan: bool,
    pub coordinator: bool,
    pub group: bool,
    pub last_evaluation: Option<Date>,
}

impl PersonRecord {
    /// The facts the core's figures count.
    pub fn facts(&self) -> PersonFacts {
        PersonFacts {
            plan: self.plan,
            coordinator: self.coordinator,
            group: self.group,
            last_evaluation: self.last_evaluation,
        }
    }
}

/// One discharge notice: the person (row number in `people`), and the notice as the core
/// folds it on 31 December.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DischargeRecord {
    pub person: usize,
    pub municipality: String,
    pub notice: Notice,
}

/// One non-fatal overdose notice and its follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdoseRecord {
    pub municipality: String,
    pub service: Service,
    pub occurred_at: DateTime,
    /// The attempts' times and means.
    pub attempts: Vec<(DateTime, Means)>,
    pub closed_at: Option<DateTime>,
    pub outcome: Option<Outcome>,
}

impl OverdoseRecord {
    /// Hours from the overdose to the first attempt.
    pub fn hours_to_first_attempt(&self) -> Option<i64> {
        self.attempts
            .first()
            .map(|a| hours_between(self.occurred_at, a.0))
    }
    /// Whether contact was attempted within the risk week.
    pub fn attempted_in_risk_week(&self) -> bool {
        self.hours_to_first_attempt()
            .is_some_and(|h| h <= RISK_HOURS)
    }
}

/// A simulated year.
#[derive(Debug, Clone, PartialEq)]
pub struct CoordinationYear {
    pub year: i16,
    pub people: Vec<PersonRecord>,
    pub discharges: Vec<DischargeRecord>,
    pub overdoses: Vec<OverdoseRecord>,
}

impl CoordinationYear {
    /// The day the year is counted on: 31 December.
    pub fn today(&self) -> Date {
        Date::new(self.year, 12, 31).unwrap_or(Date::MIN)
    }
}

/// The year `year` from `seed`.
pub fn simulate_coordination(seed: u64, year: i16) -> CoordinationYear {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let first = Date::new(year, 1, 1).unwrap_or(Date::MIN);
    let today = Date::new(year, 12, 31).unwrap_or(Date::MIN);
    let places = municipalities();
    let weights: Vec<(usize, f64)> = places.iter().enumerate().map(|(i, p)| (i, p.2)).collect();
    let refdata = varde_core::refdata::get();
    let inpatient_share = samdata_2023::INPATIENTS as f64 / samdata_2023::PATIENTS as f64;
    let extra_stays = samdata_2023::STAYS as f64 / samdata_2023::INPATIENTS as f64 - 1.0;
    let wait_share = WAITING_PATIENTS / samdata_2023::STAYS as f64;
    let mean_wait = WAITING_DAYS / WAITING_PATIENTS;
    let mut people = Vec::with_capacity(samdata_2023::PATIENTS as usize);
    let mut discharges = Vec::new();
    for i in 0..samdata_2023::PATIENTS as usize {
        let place = &places[pick(&mut rng, &weights)];
        let region = refdata
            .kommune(&place.0)
            .map(|k| k.rhf.clone())
            .unwrap_or_default();
        let plan = rng.gen::<f64>() < SHARE_PLAN;
        let coordinator = plan && rng.gen::<f64>() < SHARE_COORDINATOR / SHARE_PLAN;
        let group = plan && rng.gen::<f64>() < SHARE_GROUP / SHARE_PLAN;
        let last_evaluation = if plan {
            let x = rng.gen::<f64>();
            if x < SHARE_EVALUATED_RECENTLY {
                // Within the six months before 31 December.
                Some(add_days(today, -rng.gen_range(0..180)))
            } else if x < SHARE_EVALUATED_RECENTLY + SHARE_EVALUATED_EARLIER {
                Some(add_days(today, -rng.gen_range(190..730)))
            } else {
                None
            }
        } else {
            None
        };
        let inpatient = rng.gen::<f64>() < inpatient_share;
        if inpatient {
            for _ in 0..1 + poisson(&mut rng, extra_stays) {
                if rng.gen::<f64>() >= SHARE_STAYS_NOTIFIED {
                    continue;
                }
                let raised = add_days(first, rng.gen_range(0..365));
                let notice = discharge(&mut rng, raised, today, wait_share, mean_wait);
                discharges.push(DischargeRecord {
                    person: i,
                    municipality: place.0.clone(),
                    notice,
                });
            }
        }
        people.push(PersonRecord {
            municipality: place.0.clone(),
            county: place.1.clone(),
            region,
            inpatient,
            plan,
            coordinator,
            group,
            last_evaluation,
        });
    }
    discharges.sort_by_key(|d| (d.notice.raise.raised_on, d.person));
    let mut overdoses = Vec::new();
    for _ in 0..poisson_large(&mut rng, OVERDOSES_PER_YEAR * SHARE_CONSENT) {
        let place = &places[pick(&mut rng, &weights)];
        let day = add_days(first, rng.gen_range(0..365));
        overdoses.push(overdose(&mut rng, &place.0, day, today));
    }
    overdoses
        .sort_by(|a, b| (a.occurred_at, &a.municipality).cmp(&(b.occurred_at, &b.municipality)));
    CoordinationYear {
        year,
        people,
        discharges,
        overdoses,
    }
}

/// A Poisson draw with a large mean (normal approximation, rounded, never negative).
fn poisson_large(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
    // Box–Muller.
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (lambda + z * lambda.sqrt()).round().max(0.0) as u32
}

/// Each step is checked by the core's rules on its day and applied; a step later than
/// `today` is not taken (the notice stands where it is on 31 December).
fn step(n: &mut Notice, step: Step, side: Side, today: Date) -> bool {
    let day = match &step {
        Step::Acknowledge { on, .. } | Step::Ready { on } | Step::Discharge { on, .. } => *on,
        Step::Meeting(m) => m.held_on,
    };
    if day > today || n.check(&step, side, day).is_err() {
        return false;
    }
    *n = n.clone().apply(&step);
    true
}

fn discharge(
    rng: &mut ChaCha8Rng,
    raised: Date,
    today: Date,
    wait_share: f64,
    mean_wait: f64,
) -> Notice {
    let no_home = rng.gen::<f64>() < SHARE_NO_HOME_RAISED;
    let needs = Needs {
        housing: no_home || rng.gen::<f64>() < 0.3,
        no_home,
        income: rng.gen::<f64>() < 0.5,
        work_school: rng.gen::<f64>() < 0.3,
        substance_use: rng.gen::<f64>() < 0.9,
        mental_health: rng.gen::<f64>() < 0.5,
        children: rng.gen::<f64>() < 0.15,
    };
    let meeting_requested = rng.gen::<f64>() < 0.8;
    let expected = add_days(raised, rng.gen_range(7..29));
    let mut n = Notice::new(Raise {
        raised_on: raised,
        expected_discharge: expected,
        needs,
        meeting_requested,
        note: None,
    });
    // The municipality acknowledges within 0–3 days (95 %), names its contact.
    if rng.gen::<f64>() < 0.95 {
        let on = add_days(raised, rng.gen_range(0..4));
        step(
            &mut n,
            Step::Acknowledge {
                on,
                contact: "Koordinerende enhet".into(),
            },
            Side::Municipality,
            today,
        );
    }
    // A joint meeting when requested and acknowledged (85 %).
    if meeting_requested && n.acknowledged_on.is_some() && rng.gen::<f64>() < 0.85 {
        let held_on = add_days(raised, rng.gen_range(2..7));
        let recorded_by = if rng.gen::<f64>() < 0.5 {
            Side::Unit
        } else {
            Side::Municipality
        };
        step(
            &mut n,
            Step::Meeting(Meeting {
                held_on,
                outcome: "Felles plan for bolig og oppfølging".into(),
                recorded_by,
            }),
            recorded_by,
            today,
        );
    }
    if step(&mut n, Step::Ready { on: expected }, Side::Unit, today) {
        let wait = if rng.gen::<f64>() < wait_share {
            // Geometric with the published mean, at least a day.
            let p = 1.0 / mean_wait;
            let u: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
            1 + (u.ln() / (1.0 - p).ln()).floor() as i64
        } else {
            0
        };
        let still = no_home && rng.gen::<f64>() < SHARE_NO_HOME / SHARE_NO_HOME_RAISED;
        step(
            &mut n,
            Step::Discharge {
                on: add_days(expected, wait),
                no_home: still,
            },
            Side::Unit,
            today,
        );
    }
    n
}

fn overdose(rng: &mut ChaCha8Rng, municipality: &str, day: Date, today: Date) -> OverdoseRecord {
    let service = if rng.gen::<f64>() < SHARE_AMBULANCE {
        Service::Ambulance
    } else {
        Service::EmergencyWard
    };
    let occurred_at = day.at(rng.gen_range(0..24), rng.gen_range(0..60), 0, 0);
    let end = today.at(23, 59, 0, 0);
    let later = |h: i64| {
        occurred_at
            .checked_add(jiff::Span::new().hours(h))
            .unwrap_or(occurred_at)
    };
    let mut attempts = Vec::new();
    // The first attempt: within a day (60 %), within the risk week (30 %), or never (10 %).
    let x = rng.gen::<f64>();
    let mut at = if x < 0.6 {
        Some(rng.gen_range(1..24))
    } else if x < 0.9 {
        Some(rng.gen_range(24..RISK_HOURS))
    } else {
        None
    };
    let means = [
        (Means::Phone, 5.0),
        (Means::Sms, 2.0),
        (Means::Visit, 2.0),
        (Means::Letter, 0.5),
        (Means::Other, 0.5),
    ];
    while let Some(h) = at {
        if later(h) > end {
            break;
        }
        attempts.push((later(h), pick(rng, &means)));
        at = (attempts.len() < 3 && rng.gen::<f64>() < 0.35).then(|| h + rng.gen_range(2..48));
    }
    let (closed_at, outcome) = match attempts.last() {
        Some(last) => {
            let close = last
                .0
                .checked_add(jiff::Span::new().hours(rng.gen_range(0..24)))
                .unwrap_or(last.0);
            if close > end {
                (None, None)
            } else {
                let outcome = pick(
                    rng,
                    &[
                        (Outcome::Reached, 0.45),
                        (Outcome::Declined, 0.10),
                        (Outcome::NotReached, 0.20),
                        (Outcome::ReferredToTreatment, 0.15),
                        (Outcome::LinkedToPlan, 0.10),
                    ],
                );
                (Some(close), Some(outcome))
            }
        }
        // No attempt: closed as not reached after the risk week, if the year allows.
        None => {
            let close = later(RISK_HOURS + 1);
            if close > end {
                (None, None)
            } else {
                (Some(close), Some(Outcome::NotReached))
            }
        }
    };
    OverdoseRecord {
        municipality: municipality.to_owned(),
        service,
        occurred_at,
        attempts,
        closed_at,
        outcome,
    }
}

/// The figures of one municipality (or the nation: key `national`).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaFigures {
    pub key: String,
    pub figures: Vec<Figure>,
}

/// The year's figures as the app computes and suppresses them on 31 December.
#[derive(Debug, Clone, PartialEq)]
pub struct YearFigures {
    /// The four coordination figures per municipality (in number order) and for the nation.
    pub areas: Vec<AreaFigures>,
    /// The national discharge view: per municipality, and the nation's row.
    pub discharges: (Vec<discharge::FigureRow>, discharge::FigureRow),
    /// The national overdose follow-up figures: per municipality, and the nation's row.
    pub overdoses: (
        Vec<overdose_figures::FigureRow>,
        overdose_figures::FigureRow,
    ),
}

/// The year's figures, by the core's own functions.
pub fn year_figures(y: &CoordinationYear) -> YearFigures {
    let today = y.today();
    let mut by_place: std::collections::BTreeMap<&str, Vec<PersonFacts>> = Default::default();
    for p in &y.people {
        by_place.entry(&p.municipality).or_default().push(p.facts());
    }
    let mut areas: Vec<AreaFigures> = by_place
        .iter()
        .map(|(k, people)| AreaFigures {
            key: (*k).to_owned(),
            figures: figures::figures(people, today),
        })
        .collect();
    let all: Vec<PersonFacts> = y.people.iter().map(PersonRecord::facts).collect();
    areas.push(AreaFigures {
        key: "national".into(),
        figures: figures::figures(&all, today),
    });
    let mut tallies: std::collections::BTreeMap<&str, Tally> = Default::default();
    for d in &y.discharges {
        tallies.entry(&d.municipality).or_default().add(&d.notice);
    }
    let rows: Vec<(String, Tally)> = tallies
        .into_iter()
        .map(|(k, t)| (k.to_owned(), t))
        .collect();
    let discharges = discharge::figures(&rows);
    let end = today.at(23, 59, 0, 0);
    let mut follow_up: std::collections::BTreeMap<&str, overdose_figures::Tally> =
        Default::default();
    for o in &y.overdoses {
        follow_up.entry(&o.municipality).or_default().count(
            o.occurred_at,
            o.attempts.first().map(|a| a.0),
            o.closed_at.zip(o.outcome),
            end,
        );
    }
    let rows: Vec<(String, overdose_figures::Tally)> = follow_up
        .into_iter()
        .filter(|(_, t)| t.notices > 0)
        .map(|(k, t)| (k.to_owned(), t))
        .collect();
    YearFigures {
        areas,
        discharges,
        overdoses: overdose_figures::figures(&rows),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#[path = "coordination_tests.rs"]
mod tests;
