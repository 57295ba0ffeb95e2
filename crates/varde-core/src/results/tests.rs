#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::dashboard::{trend, Verdict};
use super::plans::{builtin, Plan, ESCALATION_ID, REFORM_ID};
use super::ratings::{check, RatingInput};
use super::values::read;
use super::{Rating, Source};

fn plan(id: &str) -> Plan {
    builtin().unwrap().into_iter().find(|p| p.id == id).unwrap()
}

/// The white paper has six focus areas with 20 result goals (the reference file), each from a
/// line of the white paper.
#[test]
fn the_reform_has_six_focus_areas_and_twenty_result_goals() {
    let p = plan(REFORM_ID);
    assert_eq!(p.focus_areas.len(), 6);
    assert_eq!(p.goals.len(), 20);
    let per_focus: Vec<usize> = (1..=6)
        .map(|f| p.goals.iter().filter(|g| g.focus == f).count())
        .collect();
    assert_eq!(per_focus, [3, 1, 5, 3, 4, 4]);
    assert_eq!(
        p.goal("2.1").unwrap().text,
        "redusert antall overdosedødsfall"
    );
    assert_eq!(p.goal("2.1").unwrap().source_line, 405);
    assert!(p.ratings.is_empty());
}

/// The report on the escalation plan: "Planen har fem hovedmål" and "Det er 23 delmål"
/// (seeds/003, lines 67 and 76), with the final ratings of its summary tables.
#[test]
fn the_escalation_plan_has_five_main_goals_twenty_three_sub_goals_and_their_ratings() {
    let p = plan(ESCALATION_ID);
    assert_eq!(p.focus_areas.len(), 5);
    assert_eq!(p.goals.len(), 23);
    let per_main: Vec<usize> = (1..=5)
        .map(|f| p.goals.iter().filter(|g| g.focus == f).count())
        .collect();
    assert_eq!(per_main, [5, 5, 5, 5, 3]);
    assert_eq!(p.ratings.len(), 23);
    let count = |r: Rating| p.ratings.iter().filter(|x| x.rating == r).count();
    assert_eq!(count(Rating::Minus), 0);
    assert_eq!(count(Rating::Plus), 7);
    assert_eq!(count(Rating::PlusPlus), 13);
    assert_eq!(count(Rating::PlusPlusPlus), 3);
    let r = p.ratings.iter().find(|r| r.goal == "3.4").unwrap();
    assert_eq!((r.rating, r.year), (Rating::PlusPlusPlus, 2012));
    assert!(p.ratings.iter().all(|r| r.reason.len() > 10));
}

/// Every indicator names one of the sources, and the ones read from inside Varde are the
/// sixteen tied in; some goals have none (shown as not followed).
#[test]
fn indicators_name_their_source_and_some_goals_are_not_followed() {
    let p = plan(REFORM_ID);
    assert_eq!(p.indicators.len(), 25);
    assert_eq!(
        p.indicators.iter().filter(|i| i.internal.is_some()).count(),
        16
    );
    // Every part of Varde that feeds the view is named by one indicator, and an indicator
    // of Varde's own records is read, never imported.
    for internal in super::plans::Internal::ALL {
        assert_eq!(
            p.indicators
                .iter()
                .filter(|i| i.internal == Some(internal))
                .count(),
            1,
            "{}",
            internal.as_str()
        );
    }
    assert!(p
        .indicators
        .iter()
        .filter(|i| i.source == Source::Varde)
        .all(|i| i.internal.is_some()));
    let followed = p
        .goals
        .iter()
        .filter(|g| p.indicators.iter().any(|i| i.goal == g.id))
        .count();
    assert!(followed > 0 && followed < p.goals.len());
    assert_eq!(p.measures.len(), 5);
    assert!(p.measures.iter().all(|m| !m.owner.is_empty()));
}

/// Each part of Varde an indicator reads is named by one word that reads back as itself, and
/// no two parts share one.
#[test]
fn every_internal_part_reads_back_from_its_name() {
    use super::plans::Internal;
    let names: std::collections::BTreeSet<&str> =
        Internal::ALL.iter().map(|i| i.as_str()).collect();
    assert_eq!(names.len(), Internal::ALL.len());
    for i in Internal::ALL {
        assert_eq!(Internal::parse(i.as_str()), Some(i));
        assert_eq!(Internal::parse(&format!(" {} ", i.as_str())), Some(i));
    }
    assert_eq!(Internal::parse("advisory"), None);
}

/// The advisory units follow the reform's goal of better access to outreach services for
/// young people at risk (3.2, white paper line 452: the units are in its chapter 5); the
/// coordination figures and the discharges with no home follow increased access to
/// cross-sector follow-up (5.1, line 830: individual plans, coordinators and discharge-ready
/// patients are in its chapter 7). Both goals are followed now.
#[test]
fn the_advisory_and_coordination_figures_follow_their_goals() {
    use super::plans::{CoordinationShare, Internal};
    let p = plan(REFORM_ID);
    let goal_of = |internal: Internal| {
        p.indicators
            .iter()
            .find(|i| i.internal == Some(internal))
            .map(|i| (i.goal.as_str(), i.source, i.level))
            .unwrap()
    };
    assert_eq!(
        goal_of(Internal::AdvisoryCases),
        ("3.2", Source::Varde, super::Level::Nation)
    );
    assert_eq!(goal_of(Internal::AdvisoryShareCompleted).0, "3.2");
    for share in [
        CoordinationShare::Plan,
        CoordinationShare::Coordinator,
        CoordinationShare::Group,
        CoordinationShare::Evaluated,
    ] {
        assert_eq!(goal_of(Internal::Coordination(share)).0, "5.1");
    }
    assert_eq!(goal_of(Internal::DischargeNoHome).0, "5.1");
    assert_eq!(goal_of(Internal::OverdoseContactInWeek).0, "2.1");
    let cases = p
        .indicators
        .iter()
        .find(|i| i.id == "advisory_cases")
        .unwrap();
    assert!(cases.counts_people);
    // The people figures say they are as of today.
    assert!(p
        .indicators
        .iter()
        .filter(|i| i.id.starts_with("coordination_"))
        .all(|i| i.name_en.contains("as of today") && i.name_nb.contains("per i dag")));
    for goal in ["3.2", "5.1"] {
        assert!(p.indicators.iter().any(|i| i.goal == goal), "{goal}");
    }
    assert_eq!(p.goal("3.2").unwrap().source_line, 452);
    assert_eq!(p.goal("5.1").unwrap().source_line, 830);
}

fn ungdata() -> Vec<super::plans::IndicatorDef> {
    plan(REFORM_ID).indicators
}

#[test]
fn a_values_file_is_checked_row_by_row_naming_line_field_and_rule() {
    let csv = "indicator,year,area,value\n\
               youth_drunk,2023,national,38.5\n\
               youth_drunk,2024,county:03,31\n\
               youth_drunk,2024,county:99,31\n\
               adult_cannabis,2024,national,5\n\
               youth_drunk,2030,national,5\n\
               youth_drunk,2023,national,40\n\
               youth_drunk,2022,national,-1\n\
               youth_drunk,2022,12345678901,1\n";
    let p = read(&mut csv.as_bytes(), Source::Ungdata, &ungdata(), 2026).unwrap();
    assert_eq!(p.rows.len(), 2);
    let refused: Vec<(u64, &str)> = p
        .refused
        .iter()
        .map(|r| (r.line, r.field.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (4, "area"),
            (5, "indicator"),
            (6, "year"),
            (7, "row"),
            (8, "value"),
            (9, "area")
        ]
    );
    assert!(p.refused.iter().all(|r| !r.rule.contains("12345678901")));
}

#[test]
fn an_internal_indicator_and_a_broken_header_are_refused() {
    let csv = "indicator,year,area,value\noverdose_deaths,2024,national,300\n";
    let p = read(
        &mut csv.as_bytes(),
        Source::CauseOfDeathRegister,
        &ungdata(),
        2026,
    )
    .unwrap();
    assert_eq!(p.refused[0].field, "indicator");
    let e = read(&mut "a,b\n".as_bytes(), Source::Ungdata, &ungdata(), 2026).unwrap_err();
    assert_eq!(e.field, "header");
    let e = read(&mut "".as_bytes(), Source::Ungdata, &ungdata(), 2026).unwrap_err();
    assert_eq!(e.field, "file");
}

#[test]
fn a_rating_needs_a_goal_a_year_of_the_plan_a_rating_and_a_reason() {
    let p = plan(REFORM_ID);
    let ok = RatingInput {
        goal: "2.1".into(),
        year: "2025".into(),
        rating: "++".into(),
        reason: "Færre dødsfall enn året før.".into(),
    };
    let r = check(&p, &ok, 2026).unwrap();
    assert_eq!((r.year, r.rating), (2025, Rating::PlusPlus));
    let bad = RatingInput {
        goal: "9.9".into(),
        year: "2027".into(),
        rating: "++++".into(),
        reason: "kort".into(),
    };
    let fields: Vec<String> = check(&p, &bad, 2026)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field.into_owned())
        .collect();
    assert_eq!(fields, ["goal", "year", "rating", "reason"]);
    assert_eq!(Rating::parse("r", "−").unwrap(), Rating::Minus);
}

#[test]
fn a_trend_hides_small_counts_of_people_and_judges_the_last_change() {
    let p = plan(REFORM_ID);
    let deaths = p
        .indicators
        .iter()
        .find(|i| i.id == "overdose_deaths")
        .unwrap();
    let t = trend(deaths, &[(2023, 320.0), (2022, 3.0), (2024, 300.0)]);
    assert_eq!(t.points[0].value, None);
    assert!(t.points[0].suppressed);
    assert_eq!(t.verdict, Verdict::Better);
    assert_eq!(t.latest.unwrap().year, 2024);
    let t = trend(deaths, &[(2023, 320.0), (2024, 4.0)]);
    assert_eq!(t.verdict, Verdict::Unknown);
    let work = p
        .indicators
        .iter()
        .find(|i| i.id == "work_activity")
        .unwrap();
    assert_eq!(
        trend(work, &[(2023, 30.0), (2024, 28.0)]).verdict,
        Verdict::Worse
    );
    assert_eq!(trend(work, &[(2024, 3.0)]).points[0].value, Some(3.0));
    // The warnings issued are context: neither way is better.
    let warnings = p
        .indicators
        .iter()
        .find(|i| i.id == "warnings_issued")
        .unwrap();
    let t = trend(warnings, &[(2023, 2.0), (2024, 6.0)]);
    assert_eq!(t.verdict, Verdict::NotJudged);
    assert_eq!(t.points[0].value, Some(2.0));
}
