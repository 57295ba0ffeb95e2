//! A seeded national year of the advisory units' work (issue 12, item 13): the anonymous
//! statistics record of every case (the shape `varde_core::advisory::erasure::StatsRecord`
//! keeps of an erased case) and the advice logged, for the statistics. Same seed and year, same
//! records. The rates and where they come from are in `docs/advisory-simulation.md`; in short:
//!
//! - Cases from the prosecution ramp up through the year, from [`CONDITION_START`] a month in
//!   January to [`CONDITION_END`] in December (90 in the year): the Directorate of Health
//!   estimated about 100–150 cases transferred in all by April 2024, from July 2022
//!   (Meld. St. 5 (2024–2025), seeds `000` line 734), some 55–80 a year, and the reform means
//!   to use the units more (line 176).
//! - The other routes and the advice logged are assumptions, small beside the conditions
//!   (the units are "used to a very small extent", line 152; only some municipalities, as
//!   Stavanger, serve anyone who asks, line 741).
//! - Each case falls in a municipality in proportion to its population (the largest ones by
//!   name, the rest of the country spread evenly over the other municipalities); one unit per
//!   municipality, whose id is the municipality number.

use jiff::civil::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use varde_core::advisory::advice::{AdviceRecord, Asker, Means, Topic};
use varde_core::advisory::erasure::{AgeGroup, Sex, StatsRecord};
use varde_core::calendar::add_days;

/// Cases from the prosecution in January, and in December (a straight ramp between).
pub const CONDITION_START: f64 = 5.0;
pub const CONDITION_END: f64 = 10.0;
/// Cases a year by the other routes, and advice logged a year (assumptions).
pub const POLICE_PER_YEAR: f64 = 20.0;
pub const EMERGENCY_PER_YEAR: f64 = 15.0;
pub const VOLUNTARY_PER_YEAR: f64 = 40.0;
pub const ADVICE_PER_YEAR: f64 = 400.0;

/// Population on 1 January 2024 (SSB, rounded to thousands) of the largest municipalities;
/// the rest of [`NORWAY`] is spread evenly over the others.
const LARGEST: [(&str, f64); 12] = [
    ("0301", 717_000.0),
    ("4601", 292_000.0),
    ("5001", 215_000.0),
    ("1103", 149_000.0),
    ("3201", 131_000.0),
    ("4204", 117_000.0),
    ("3301", 103_000.0),
    ("3203", 98_000.0),
    ("3205", 90_000.0),
    ("3107", 85_000.0),
    ("1108", 83_000.0),
    ("5501", 79_000.0),
];
/// Norway's population on 1 January 2024 (SSB), rounded.
const NORWAY: f64 = 5_550_000.0;

/// A simulated year.
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryYear {
    pub year: i16,
    pub cases: Vec<StatsRecord>,
    pub advice: Vec<AdviceRecord>,
}

/// A Poisson draw with mean `lambda` (Knuth's method: the means here are small).
pub(crate) fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
    let l = (-lambda).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.gen::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

/// One of `items` by weight.
pub(crate) fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|i| i.1).sum();
    let mut x = rng.gen::<f64>() * total;
    for (t, w) in items {
        if x < *w {
            return *t;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// The municipalities with their weights (population), in number order.
pub(crate) fn municipalities() -> Vec<(String, String, f64)> {
    let refdata = varde_core::refdata::get();
    let mut all: Vec<(String, String)> = refdata
        .kommuner()
        .map(|k| (k.kommunenummer.clone(), k.fylkesnummer.clone()))
        .collect();
    all.sort();
    let named: f64 = LARGEST
        .iter()
        .filter(|(k, _)| refdata.kommune(k).is_some())
        .map(|l| l.1)
        .sum();
    let others = all
        .iter()
        .filter(|(k, _)| !LARGEST.iter().any(|l| l.0 == k))
        .count()
        .max(1) as f64;
    let rest = (NORWAY - named) / others;
    all.into_iter()
        .map(|(k, f)| {
            let w = LARGEST.iter().find(|l| l.0 == k).map_or(rest, |l| l.1);
            (k, f, w)
        })
        .collect()
}

/// The year `year`'s cases and advice from `seed`.
pub fn simulate_advisory(seed: u64, year: i16) -> AdvisoryYear {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let places = municipalities();
    let weights: Vec<(usize, f64)> = places.iter().enumerate().map(|(i, p)| (i, p.2)).collect();
    let mut cases = Vec::new();
    let mut advice = Vec::new();
    for month in 1..=12i8 {
        let Ok(first) = Date::new(year, month, 1) else {
            continue;
        };
        let days = i64::from(first.days_in_month());
        let ramp =
            CONDITION_START + (CONDITION_END - CONDITION_START) * f64::from(month - 1) / 11.0;
        let routes = [
            ("prosecution_condition", ramp),
            ("police_no_investigation", POLICE_PER_YEAR / 12.0),
            ("emergency_ward", EMERGENCY_PER_YEAR / 12.0),
            ("voluntary", VOLUNTARY_PER_YEAR / 12.0),
        ];
        for (route, mean) in routes {
            for _ in 0..poisson(&mut rng, mean) {
                let place = &places[pick(&mut rng, &weights)];
                let opened = add_days(first, rng.gen_range(0..days));
                cases.push(case(&mut rng, route, place, opened));
            }
        }
        for _ in 0..poisson(&mut rng, ADVICE_PER_YEAR / 12.0) {
            // Advice comes from the units that serve anyone who asks: the four largest cities.
            let place = &places[pick(
                &mut rng,
                &weights[..]
                    .iter()
                    .copied()
                    .filter(|(i, _)| LARGEST[..4].iter().any(|l| l.0 == places[*i].0))
                    .collect::<Vec<_>>(),
            )];
            advice.push(AdviceRecord {
                org_id: place.0.parse().unwrap_or(0),
                municipality: Some(place.0.clone()),
                county: Some(place.1.clone()),
                on: add_days(first, rng.gen_range(0..days)),
                asker: pick(
                    &mut rng,
                    &[
                        (Asker::Person, 3.0),
                        (Asker::Relative, 4.0),
                        (Asker::School, 1.5),
                        (Asker::Service, 1.0),
                        (Asker::Other, 0.5),
                    ],
                ),
                means: pick(
                    &mut rng,
                    &[
                        (Means::Phone, 5.0),
                        (Means::Meeting, 3.0),
                        (Means::Digital, 2.0),
                    ],
                ),
                topic: pick(
                    &mut rng,
                    &[
                        (Topic::Substances, 3.0),
                        (Topic::Law, 2.0),
                        (Topic::Help, 2.5),
                        (Topic::Concern, 2.0),
                        (Topic::Other, 0.5),
                    ],
                ),
                age_group: pick(
                    &mut rng,
                    &[
                        (Some(AgeGroup::Under15), 0.5),
                        (Some(AgeGroup::From15To17), 2.5),
                        (Some(AgeGroup::From18To25), 2.0),
                        (Some(AgeGroup::Over25), 1.0),
                        (None, 4.0),
                    ],
                ),
            });
        }
    }
    cases.sort_by_key(|a| (a.opened_on, a.org_id));
    advice.sort_by_key(|a| (a.on, a.org_id));
    AdvisoryYear {
        year,
        cases,
        advice,
    }
}

/// One case's record: who, and how it went.
fn case(
    rng: &mut ChaCha8Rng,
    route: &str,
    place: &(String, String, f64),
    opened: Date,
) -> StatsRecord {
    let condition = route == "prosecution_condition";
    // Conditions are mostly for the young (the committee's normal reaction under 18, seeds
    // `000` line 152); the emergency ward's cases are young by the route's definition.
    let age = if condition || route == "emergency_ward" {
        pick(
            rng,
            &[
                (AgeGroup::Under15, 0.05),
                (AgeGroup::From15To17, 0.55),
                (AgeGroup::From18To25, 0.35),
                (AgeGroup::Over25, 0.05),
            ],
        )
    } else {
        pick(
            rng,
            &[
                (AgeGroup::Under15, 0.05),
                (AgeGroup::From15To17, 0.30),
                (AgeGroup::From18To25, 0.40),
                (AgeGroup::Over25, 0.25),
            ],
        )
    };
    let sex = pick(
        rng,
        &[
            (Some(Sex::Male), 0.72),
            (Some(Sex::Female), 0.25),
            (None, 0.03),
        ],
    );
    let mut r = StatsRecord {
        route: route.to_owned(),
        org_id: place.0.parse().unwrap_or(0),
        municipality: Some(place.0.clone()),
        county: Some(place.1.clone()),
        age_group: Some(age),
        sex,
        opened_on: opened,
        decided_on: None,
        first_meeting_on: None,
        closed_on: None,
        outcome: None,
        meetings_required: None,
        meetings_attended: 0,
        meetings_missed: 0,
        outreach_attempts: 0,
        tests: 0,
        positives: 0,
        referrals: vec![],
    };
    if condition {
        // The decision reaches the unit some days after it is made.
        let decided = add_days(opened, -rng.gen_range(3..15));
        let required = pick(rng, &[(1u8, 0.3), (2, 0.5), (3, 0.2)]);
        r.decided_on = Some(decided);
        r.meetings_required = Some(required);
        r.meetings_missed = u32::from(rng.gen::<f64>() < 0.25);
        if r.meetings_missed > 0 {
            r.outreach_attempts = rng.gen_range(1..=3);
        }
        let completed = rng.gen::<f64>() < 0.78;
        r.meetings_attended = if completed {
            u32::from(required)
        } else {
            rng.gen_range(0..u32::from(required))
        };
        if r.meetings_attended > 0 {
            r.first_meeting_on = Some(add_days(decided, rng.gen_range(5..45)));
        }
        if rng.gen::<f64>() < 0.3 {
            r.tests = rng.gen_range(3..=6);
            r.positives = (0..r.tests).filter(|_| rng.gen::<f64>() < 0.15).count() as u32;
        }
        let closed = add_days(decided, 92);
        r.closed_on = Some(closed);
        r.outcome = Some(
            if completed {
                "completed"
            } else if rng.gen::<f64>() < 0.6 {
                "not_completed"
            } else {
                "withdrawn"
            }
            .to_owned(),
        );
    } else {
        r.meetings_attended = rng.gen_range(1..=2);
        r.first_meeting_on = Some(add_days(opened, rng.gen_range(1..20)));
    }
    if rng.gen::<f64>() < 0.3 {
        let child = matches!(age, AgeGroup::Under15 | AgeGroup::From15To17);
        let to = pick(
            rng,
            &[
                ("municipal", 0.40),
                ("gp", 0.20),
                ("tsb", 0.10),
                ("bup", if child { 0.15 } else { 0.0 }),
                ("nav", if child { 0.0 } else { 0.10 }),
                ("other", 0.05),
                ("child_welfare", if child { 0.05 } else { 0.0 }),
            ],
        );
        r.referrals.push(to.to_owned());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_year_and_the_rates_hold() {
        let a = simulate_advisory(7, 2024);
        assert_eq!(a, simulate_advisory(7, 2024));
        assert_ne!(a, simulate_advisory(8, 2024));
        let conditions = a
            .cases
            .iter()
            .filter(|c| c.route == "prosecution_condition")
            .count();
        // 90 expected; a Poisson year lies well within 60–120.
        assert!((60..=120).contains(&conditions), "{conditions}");
        assert!((300..=500).contains(&a.advice.len()), "{}", a.advice.len());
        assert!(a.cases.iter().all(|c| c.opened_on.year() == 2024));
        // Oslo has the most cases.
        let oslo = a
            .cases
            .iter()
            .filter(|c| c.municipality.as_deref() == Some("0301"))
            .count();
        assert!(oslo * 10 > a.cases.len(), "{oslo} of {}", a.cases.len());
        // Nothing impossible: a first meeting after the decision, positives within tests.
        for c in &a.cases {
            assert!(c.positives <= c.tests);
            if let (Some(d), Some(f)) = (c.decided_on, c.first_meeting_on) {
                assert!(f > d);
            }
        }
    }
}
