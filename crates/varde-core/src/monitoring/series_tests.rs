use super::*;
use proptest::prelude::*;

fn row(record: i64, week: Week, county: &str, substance: Option<&str>) -> SourceRow {
    let class = substance.and_then(|s| crate::substances::get().by_id(s).map(|s| s.class.clone()));
    SourceRow {
        record,
        week,
        municipality: None,
        county: Some(county.into()),
        substance: substance.map(str::to_owned),
        class,
        value: None,
    }
}

fn w(year: i16, week: i8) -> Week {
    Week::new(year, week).unwrap()
}

#[test]
fn weeks_exist_or_are_refused() {
    assert_eq!(Week::parse("week", "2026-W48").unwrap(), w(2026, 48));
    assert_eq!(
        Week::parse("week", "2026w48").unwrap().to_string(),
        "2026-W48"
    );
    // 2026 has 53 ISO weeks, 2025 does not.
    assert!(Week::parse("week", "2026-W53").is_ok());
    let e = Week::parse("week", "2025-W53").unwrap_err();
    assert_eq!(e.field, "week");
    for bad in ["2025-W00", "2025-W54", "2025-W1", "W12", "2025-12", ""] {
        assert!(Week::parse("week", bad).is_err(), "{bad}");
    }
    assert_eq!(Week::from_code(202653), Some(w(2026, 53)));
    assert_eq!(Week::from_code(202553), None);
    assert_eq!(w(2026, 48).code(), 202648);
}

#[test]
fn weeks_run_on_across_year_ends() {
    // 2026 has a W53: W52 → W53 → 2027-W01.
    assert_eq!(w(2026, 52).plus(1), w(2026, 53));
    assert_eq!(w(2026, 53).plus(1), w(2027, 1));
    assert_eq!(w(2025, 52).plus(1), w(2026, 1));
    assert_eq!(w(2027, 1).plus(-2), w(2026, 52));
    assert_eq!(w(2027, 1).index() - w(2026, 52).index(), 2);
    assert_eq!(Week::of(jiff::civil::date(2027, 1, 1)), w(2026, 53));
    assert_eq!(Week::of(jiff::civil::date(2024, 12, 30)), w(2025, 1));
    assert_eq!(w(2026, 53).monday(), jiff::civil::date(2026, 12, 28));
    assert_eq!(w(2026, 53).sunday(), jiff::civil::date(2027, 1, 3));
}

#[test]
fn a_series_is_zero_filled_from_its_first_week() {
    let mut values = BTreeMap::new();
    values.insert(w(2026, 52), 3.0);
    values.insert(w(2027, 2), 1.0);
    let s = weekly(&values, None);
    let weeks: Vec<String> = s.iter().map(|(w, _)| w.to_string()).collect();
    assert_eq!(weeks, ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]);
    assert_eq!(
        s.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
        [3.0, 0.0, 0.0, 1.0]
    );
    // Extended to a later last week, never cut before its own.
    assert_eq!(weekly(&values, Some(w(2027, 4))).len(), 6);
    assert_eq!(weekly(&values, Some(w(2026, 1))).len(), 4);
    assert!(weekly(&BTreeMap::new(), Some(w(2027, 4))).is_empty());
}

#[test]
fn a_row_naming_two_substances_counts_once_per_series() {
    let week = w(2026, 48);
    // Record 1 names heroin and morphine (both opioids); record 2 heroin; record 3 none.
    let rows = vec![
        row(1, week, "03", Some("heroin")),
        row(1, week, "03", Some("morphine")),
        row(2, week, "46", Some("heroin")),
        row(3, week, "46", None),
    ];
    let counts = count(Source::Seizures, &rows, &Areas::NationalAndCounties);
    let at = |scope: Scope, area: Area| {
        counts
            .get(&SeriesKey {
                source: Source::Seizures,
                scope,
                area,
            })
            .and_then(|m| m.get(&week))
            .copied()
    };
    assert_eq!(at(Scope::All, Area::National), Some(3.0));
    assert_eq!(
        at(Scope::Substance("heroin".into()), Area::National),
        Some(2.0)
    );
    assert_eq!(
        at(Scope::Substance("morphine".into()), Area::National),
        Some(1.0)
    );
    assert_eq!(at(Scope::Class("opioid".into()), Area::National), Some(2.0));
    assert_eq!(
        at(Scope::Class("opioid".into()), Area::County("03".into())),
        Some(1.0)
    );
    assert_eq!(at(Scope::All, Area::County("46".into())), Some(2.0));
    assert_eq!(
        at(
            Scope::Substance("morphine".into()),
            Area::County("46".into())
        ),
        None
    );
    // One municipality only, when asked for.
    let mut oslo = rows.clone();
    oslo[0].municipality = Some("0301".into());
    oslo[1].municipality = Some("0301".into());
    let one = count(
        Source::Seizures,
        &oslo,
        &Areas::Only(Area::Municipality("0301".into())),
    );
    assert_eq!(one.len(), 4, "all, heroin, morphine, opioid: {one:?}");
}

#[test]
fn a_measured_source_is_the_mean_of_its_rows() {
    let week = w(2026, 48);
    let mut a = row(1, week, "03", None);
    a.value = Some(10.0);
    let mut b = row(2, week, "03", None);
    b.value = Some(20.0);
    let counts = count(Source::Wastewater, &[a, b], &Areas::NationalAndCounties);
    let national = &counts[&SeriesKey {
        source: Source::Wastewater,
        scope: Scope::All,
        area: Area::National,
    }];
    assert_eq!(national[&week], 15.0);
}

#[test]
fn a_scope_is_a_substance_a_class_or_everything() {
    assert_eq!(Scope::parse("substance", "").unwrap(), Scope::All);
    assert_eq!(
        Scope::parse("substance", "Heroin").unwrap(),
        Scope::Substance("heroin".into())
    );
    assert_eq!(
        Scope::parse("substance", "stimulant").unwrap(),
        Scope::Class("stimulant".into())
    );
    assert_eq!(
        Scope::parse("substance", "class:opioid").unwrap(),
        Scope::Class("opioid".into())
    );
    let e = Scope::parse("substance", "heroine-x").unwrap_err();
    assert_eq!(e.field, "substance");
    assert!(e.rule.contains("nearest"), "{}", e.rule);
    for s in [
        Scope::All,
        Scope::Substance("heroin".into()),
        Scope::Class("opioid".into()),
    ] {
        assert_eq!(Scope::from_code(&s.code()), Some(s));
    }
    assert!(Source::parse("source", "deaths").is_err());
    assert_eq!(
        Source::parse("source", "drugcheck").unwrap(),
        Source::Drugcheck
    );
}

proptest! {
    /// Any week's successor is the week seven days later, and codes round-trip.
    #[test]
    fn weeks_step_by_seven_days(days in 0i64..40_000) {
        let day = jiff::civil::date(1990, 1, 1)
            .checked_add(jiff::Span::new().days(days))
            .unwrap();
        let week = Week::of(day);
        prop_assert_eq!(Week::from_code(week.code()), Some(week));
        let next = week.plus(1);
        prop_assert_eq!(next.monday(), week.monday().checked_add(jiff::Span::new().days(7)).unwrap());
        prop_assert_eq!(next.index(), week.index() + 1);
        prop_assert_eq!(Week::parse("week", &week.to_string()).ok(), Some(week));
    }
}
