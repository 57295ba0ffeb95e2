//! The weekly series' storage on both engines: the source rows of a week range counted per
//! series (a row naming two substances once per series), the evaluated weeks written and read
//! back with their signals raised once, and a rule change versioned with its event and access
//! entry.

use varde_core::monitoring::rules::Rule;
use varde_core::monitoring::series::{self, Areas, Scope, SeriesKey, Source, Week};
use varde_core::monitoring::signals::{NewSignal, SignalKind};
use varde_core::warnings::Area;
use varde_store::testing::TestDb;
use varde_store::{AccessFilter, SeriesWeek, RULES_STREAM};

use super::{access, analyst, now};

fn w(year: i16, week: i8) -> Week {
    Week::new(year, week).unwrap()
}

async fn counts_are_read_per_series_and_week(db: &TestDb) {
    let (org, user) = analyst(db).await;
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let rows = vec![
        (
            w(2026, 52),
            "0301".to_owned(),
            s(&["heroin", "morphine"]),
            None,
        ),
        (w(2026, 52), "4601".to_owned(), s(&["heroin"]), None),
        (w(2026, 53), "4601".to_owned(), s(&[]), None),
        (w(2027, 1), "0301".to_owned(), s(&["cocaine"]), None),
    ];
    db.store
        .monitoring_insert_rows_for_tests("seizures", org, user, "seizures/b1", &rows)
        .await
        .unwrap();
    let span = db
        .store
        .monitoring_batch_span(org, "seizures/b1")
        .await
        .unwrap();
    assert_eq!(
        span,
        Some((w(2026, 52), w(2027, 1))),
        "the batch's first and last week"
    );
    let read = db
        .store
        .monitoring_source_rows(Source::Seizures, Some(w(2026, 52)), Some(w(2026, 53)))
        .await
        .unwrap();
    let counts = series::count(Source::Seizures, &read, &Areas::NationalAndCounties);
    let at = |scope: Scope, area: Area, week: Week| {
        counts
            .get(&SeriesKey {
                source: Source::Seizures,
                scope,
                area,
            })
            .and_then(|m| m.get(&week).copied())
    };
    assert_eq!(at(Scope::All, Area::National, w(2026, 52)), Some(2.0));
    assert_eq!(at(Scope::All, Area::National, w(2026, 53)), Some(1.0));
    assert_eq!(
        at(Scope::Class("opioid".into()), Area::National, w(2026, 52)),
        Some(2.0)
    );
    assert_eq!(
        at(
            Scope::Substance("morphine".into()),
            Area::County("03".into()),
            w(2026, 52)
        ),
        Some(1.0)
    );
    // Outside the range: not read.
    assert_eq!(
        at(
            Scope::Substance("cocaine".into()),
            Area::National,
            w(2027, 1)
        ),
        None
    );
    // Other sources are not mixed in.
    assert!(db
        .store
        .monitoring_source_rows(Source::Overdoses, None, None)
        .await
        .unwrap()
        .is_empty());
}

async fn evaluated_weeks_and_their_signals_are_written_once(db: &TestDb) {
    let week = |code: i64, alarm: bool| SeriesWeek {
        scope: "substance:heroin".into(),
        area: "national".into(),
        week: code,
        observed: 12.0,
        threshold: Some(5.5),
        alarm: Some(alarm),
        method: Some("main".into()),
        rule_version: 0,
    };
    let signal = NewSignal {
        kind: SignalKind::Aberration,
        source: "overdoses".into(),
        substance: Some("heroin".into()),
        area: "national".into(),
        week: "2026-W48".into(),
        observed: 12.0,
        threshold: Some(5.5),
        rule: "weekly series above its threshold".into(),
        detail: "series".into(),
        dedupe: "aberration:overdoses|substance:heroin|national:2026-W48".into(),
    };
    let ids = db
        .store
        .series_write(
            Source::Overdoses,
            &[week(202647, false), week(202648, true)],
            std::slice::from_ref(&signal),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    // Written again (a re-evaluation): the week is replaced, the signal not raised twice.
    let again = db
        .store
        .series_write(Source::Overdoses, &[week(202648, true)], &[signal], now())
        .await
        .unwrap();
    assert!(again.is_empty());
    let stored = db
        .store
        .series_of(Source::Overdoses, "substance:heroin", "national")
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1].alarm, Some(true));
    assert_eq!(stored[1].threshold, Some(5.5));
    let alarms = db.store.series_with_alarms(w(2026, 40)).await.unwrap();
    assert_eq!(
        alarms,
        [(
            "overdoses".into(),
            "substance:heroin".into(),
            "national".into()
        )]
    );
    assert!(db
        .store
        .series_with_alarms(w(2026, 49))
        .await
        .unwrap()
        .is_empty());
}

async fn a_rule_change_is_versioned_with_its_author(db: &TestDb) {
    let (org, user) = analyst(db).await;
    let rules = db.store.monitoring_rules().await.unwrap();
    assert_eq!(rules.len(), Source::ALL.len());
    assert!(rules
        .iter()
        .all(|r| r.version == 0 && r.changed_by.is_none()));
    let mut rule = Rule::default_for(Source::Drugcheck);
    rule.main.params = vec!["b=3".into(), "alpha=0.05".into()];
    rule.fallback = None;
    for expected in [1, 2] {
        let v = db
            .store
            .monitoring_rule_set(
                &rule,
                user,
                org,
                now(),
                &access(org, user, "monitoring:rule:drugcheck".into()),
            )
            .await
            .unwrap();
        assert_eq!(v, expected);
    }
    let stored = db.store.monitoring_rules().await.unwrap();
    let d = stored
        .iter()
        .find(|r| r.rule.source == Source::Drugcheck)
        .unwrap();
    assert_eq!((d.version, d.changed_by.as_deref()), (2, Some("ana")));
    assert_eq!(d.rule, rule);
    let events = db.store.read_stream(RULES_STREAM).await.unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.actor_id == Some(user)));
    let log = db
        .store
        .access_log(&AccessFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.record == "monitoring:rule:drugcheck")
            .count(),
        2
    );
}

varde_store::conformance!(
    counts_are_read_per_series_and_week,
    evaluated_weeks_and_their_signals_are_written_once,
    a_rule_change_is_versioned_with_its_author,
);
