use super::*;
use varde_core::coordination::discharge::Status;

fn share(n: usize, of: usize) -> f64 {
    n as f64 / of.max(1) as f64
}

#[test]
fn the_same_seed_gives_the_same_year_and_another_seed_another() {
    let a = simulate_coordination(7, 2024);
    assert_eq!(a, simulate_coordination(7, 2024));
    assert_ne!(a, simulate_coordination(8, 2024));
    assert_eq!(a.people.len() as u64, samdata_2023::PATIENTS);
    assert!(a
        .discharges
        .iter()
        .all(|d| d.notice.raise.raised_on.year() == 2024));
    assert!(a.overdoses.iter().all(|o| o.occurred_at.year() == 2024));
}

#[test]
fn the_published_rates_hold_over_many_seeds() {
    let seeds = 0..6u64;
    let (mut plan, mut coord, mut group, mut people) = (0, 0, 0, 0);
    let (mut discharged, mut no_home, mut notices, mut overdoses) = (0, 0, 0, 0);
    for seed in seeds.clone() {
        let y = simulate_coordination(seed, 2023);
        // Each year on its own is close: 34,360 people.
        let p = share(y.people.iter().filter(|p| p.plan).count(), y.people.len());
        assert!((p - SHARE_PLAN).abs() < 0.01, "seed {seed}: plan {p}");
        people += y.people.len();
        plan += y.people.iter().filter(|p| p.plan).count();
        coord += y.people.iter().filter(|p| p.coordinator).count();
        group += y.people.iter().filter(|p| p.group).count();
        // A coordinator and a group belong to a plan, as in Varde.
        assert!(y
            .people
            .iter()
            .all(|p| p.plan || !(p.coordinator || p.group)));
        notices += y.discharges.len();
        for d in &y.discharges {
            if d.notice.status() == Status::Discharged {
                discharged += 1;
                no_home += usize::from(d.notice.no_home_at_discharge == Some(true));
            }
        }
        overdoses += y.overdoses.len();
    }
    let n = seeds.count();
    assert!((share(plan, people) - SHARE_PLAN).abs() < 0.003);
    assert!((share(coord, people) - SHARE_COORDINATOR).abs() < 0.003);
    assert!((share(group, people) - SHARE_GROUP).abs() < 0.003);
    assert!((share(no_home, discharged) - SHARE_NO_HOME).abs() < 0.01);
    // Half of 15,416 stays a year, within 3 %.
    let per_year = notices as f64 / n as f64;
    let expected = samdata_2023::STAYS as f64 * SHARE_STAYS_NOTIFIED;
    assert!((per_year / expected - 1.0).abs() < 0.03, "{per_year}");
    let per_year = overdoses as f64 / n as f64;
    let expected = OVERDOSES_PER_YEAR * SHARE_CONSENT;
    assert!((per_year / expected - 1.0).abs() < 0.03, "{per_year}");
}

#[test]
fn every_state_and_outcome_occurs_and_the_steps_keep_the_cores_rules() {
    // "Ready" on 31 December means still waiting then: a few a year, so three years.
    let years: Vec<CoordinationYear> = (3..6).map(|s| simulate_coordination(s, 2024)).collect();
    for s in Status::ALL {
        assert!(
            years
                .iter()
                .any(|y| y.discharges.iter().any(|d| d.notice.status() == s)),
            "{s:?}"
        );
    }
    let y = &years[0];
    for o in Outcome::ALL {
        assert!(y.overdoses.iter().any(|r| r.outcome == Some(o)), "{o:?}");
    }
    assert!(y.overdoses.iter().any(|r| r.closed_at.is_none()));
    assert!(y
        .overdoses
        .iter()
        .any(|r| r.closed_at.is_none() && !r.attempts.is_empty()));
    let today = y.today();
    for d in &y.discharges {
        let n = &d.notice;
        if let (Some(ready), Some(out)) = (n.ready_on, n.discharged_on) {
            assert!(out >= ready && ready >= n.raise.raised_on);
        }
        assert!(n.discharged_on.is_none_or(|o| o <= today));
        if n.no_home_at_discharge == Some(true) {
            assert!(n.raise.needs.no_home);
        }
    }
    // Some wait after discharge-ready, on average about the published 16.6 days.
    let waits: Vec<i64> = y
        .discharges
        .iter()
        .filter(|d| d.notice.status() == Status::Discharged)
        .filter_map(|d| d.notice.days_waiting(today))
        .filter(|w| *w > 0)
        .collect();
    assert!(!waits.is_empty());
    let mean = waits.iter().sum::<i64>() as f64 / waits.len() as f64;
    assert!((10.0..25.0).contains(&mean), "{mean}");
    // Nine in ten first attempts within the risk week.
    let attempted = y
        .overdoses
        .iter()
        .filter(|o| o.attempted_in_risk_week())
        .count();
    let s = share(attempted, y.overdoses.len());
    assert!((0.85..0.92).contains(&s), "{s}");
}

#[test]
fn the_figures_are_the_cores_and_suppressed_as_the_app_shows_them() {
    let y = simulate_coordination(11, 2024);
    let YearFigures {
        areas,
        discharges: (rows, national),
        overdoses: (follow_up, nation),
    } = year_figures(&y);
    // Every shown count is 0 or at least 5; small municipalities lose their cells.
    let mut hidden = 0;
    for a in &areas {
        assert_eq!(a.figures.len(), 4);
        for f in &a.figures {
            if let Some(c) = f.count {
                assert!(c == 0 || c >= 5, "{}: {f:?}", a.key);
                // Never the count beside the total with the rest 1–4.
                if let Some(t) = f.total {
                    assert!(t - c == 0 || t - c >= 5, "{}: {f:?}", a.key);
                }
            } else {
                hidden += 1;
            }
        }
    }
    assert!(hidden > 0, "some municipality is small enough to be hidden");
    // Oslo and the nation are shown, with the published shares.
    for key in ["0301", "national"] {
        let a = areas.iter().find(|a| a.key == key).unwrap();
        assert!(a.figures.iter().all(|f| f.count.is_some()), "{key}");
    }
    let nat = &areas.last().unwrap().figures;
    assert_eq!(nat[0].total, Some(samdata_2023::PATIENTS));
    assert!((nat[0].share.unwrap() - 26.0).abs() < 1.0);
    assert!((nat[1].share.unwrap() - 18.0).abs() < 1.0);
    assert!((nat[2].share.unwrap() - 23.0).abs() < 1.0);
    // The discharge view: the nation's discharges are every discharged notice.
    let discharged = y
        .discharges
        .iter()
        .filter(|d| d.notice.status() == Status::Discharged)
        .count() as u64;
    assert_eq!(national.discharges, Some(discharged));
    for r in &rows {
        if let Some(c) = r.discharges {
            assert!(c == 0 || c >= 5, "{r:?}");
        }
        if let Some(c) = r.no_home {
            assert!(c == 0 || c >= 5, "{r:?}");
        }
    }
    assert!(rows.iter().any(|r| r.discharges.is_none()));
    // The overdose follow-up: every notice whose risk week ended by 31 December counts, each
    // shown count is 0 or at least 5, and the nation's attempts within the week are the
    // records' own (90 % of the first attempts fall within it).
    let end = y.today().at(23, 59, 0, 0);
    let over: Vec<_> = y
        .overdoses
        .iter()
        .filter(|o| hours_between(o.occurred_at, end) >= RISK_HOURS)
        .collect();
    assert_eq!(nation.notices, Some(over.len() as u64));
    let in_week = over.iter().filter(|o| o.attempted_in_risk_week()).count() as u64;
    assert_eq!(nation.attempted_in_week, Some(in_week));
    let share = nation.contact_share().unwrap();
    assert!((50.0..80.0).contains(&share), "{share}");
    for r in &follow_up {
        for c in [r.notices, r.attempted_in_week, r.contact_in_week]
            .into_iter()
            .flatten()
        {
            assert!(c == 0 || c >= 5, "{r:?}");
        }
    }
    assert!(follow_up.iter().any(|r| r.notices.is_none()));
    assert!(follow_up.iter().any(|r| r.notices.is_some()));
}
