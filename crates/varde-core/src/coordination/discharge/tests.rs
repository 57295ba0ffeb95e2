#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;

use super::*;

fn raised() -> Notice {
    let f = RaiseFields {
        expected_discharge: "2026-12-20".into(),
        no_home: true,
        substance_use: true,
        meeting_requested: true,
        ..Default::default()
    };
    Notice::new(f.check(date(2026, 12, 1)).unwrap())
}

fn step(
    n: &Notice,
    kind: &str,
    side: Side,
    f: StepFields,
    today: Date,
) -> Result<Notice, FieldError> {
    let s = f.parse(kind, side)?;
    n.check(&s, side, today)?;
    Ok(n.clone().apply(&s))
}

fn on(d: &str) -> StepFields {
    StepFields {
        on: d.into(),
        contact: "Kari, 22 00 00 00".into(),
        outcome: "Bolig fra 20. desember; oppfølging av NAV".into(),
        no_home: false,
    }
}

#[test]
fn raise_checks_its_dates_and_flags() {
    let today = date(2026, 12, 1);
    let n = raised();
    assert!(n.raise.needs.housing, "no home is a housing need");
    assert_eq!(
        n.raise.needs.flagged(),
        ["housing", "no_home", "substance_use"]
    );
    let early = RaiseFields {
        expected_discharge: "2026-11-30".into(),
        ..Default::default()
    };
    assert_eq!(early.check(today).unwrap_err().field, "expected_discharge");
    let bad = RaiseFields {
        expected_discharge: "20-12-2026".into(),
        ..Default::default()
    };
    assert_eq!(bad.check(today).unwrap_err().rule, "a date as YYYY-MM-DD");
    let far = RaiseFields {
        expected_discharge: "2028-01-01".into(),
        ..Default::default()
    };
    assert_eq!(far.check(today).unwrap_err().rule, "at most a year ahead");
}

#[test]
fn the_whole_flow() {
    let today = date(2026, 12, 30);
    let n = raised();
    assert_eq!(n.status(), Status::Raised);
    let n = step(
        &n,
        "acknowledge",
        Side::Municipality,
        on("2026-12-02"),
        today,
    )
    .unwrap();
    assert_eq!(n.status(), Status::Acknowledged);
    assert_eq!(n.contact.as_deref(), Some("Kari, 22 00 00 00"));
    let n = step(&n, "meeting", Side::Unit, on("2026-12-05"), today).unwrap();
    assert_eq!(n.status(), Status::Planned);
    let n = step(&n, "meeting", Side::Municipality, on("2026-12-06"), today).unwrap();
    assert_eq!(n.meetings.len(), 2);
    let n = step(&n, "ready", Side::Unit, on("2026-12-10"), today).unwrap();
    assert_eq!(n.status(), Status::Ready);
    assert_eq!(n.days_waiting(date(2026, 12, 13)), Some(3));
    let mut f = on("2026-12-14");
    f.no_home = true;
    let n = step(&n, "discharge", Side::Unit, f, today).unwrap();
    assert_eq!(n.status(), Status::Discharged);
    assert_eq!(n.days_waiting(today), Some(4));
    assert_eq!(n.no_home_at_discharge, Some(true));
    let err = step(&n, "meeting", Side::Unit, on("2026-12-20"), today).unwrap_err();
    assert_eq!(err.rule, "the patient is discharged: the notice is closed");
}

#[test]
fn dates_keep_their_order() {
    let today = date(2026, 12, 30);
    let n = raised();
    // Discharge-ready not before the notice.
    let e = step(&n, "ready", Side::Unit, on("2026-11-30"), today).unwrap_err();
    assert_eq!(
        (e.field.as_ref(), e.rule.as_str()),
        ("on", "not before the notice was raised (2026-12-01)")
    );
    // Not in the future.
    let e = step(
        &n,
        "acknowledge",
        Side::Municipality,
        on("2026-12-31"),
        today,
    )
    .unwrap_err();
    assert_eq!(e.rule, "must not be in the future");
    // A meeting before the notice.
    let e = step(&n, "meeting", Side::Unit, on("2026-11-01"), today).unwrap_err();
    assert_eq!(e.field, "held_on");
    // Discharge needs the discharge-ready day, and not before it.
    let e = step(&n, "discharge", Side::Unit, on("2026-12-10"), today).unwrap_err();
    assert_eq!(
        e.rule,
        "record the discharge-ready day before the discharge"
    );
    let n = step(&n, "ready", Side::Unit, on("2026-12-10"), today).unwrap();
    let e = step(&n, "discharge", Side::Unit, on("2026-12-09"), today).unwrap_err();
    assert_eq!(
        e.rule,
        "not before the patient was discharge-ready (2026-12-10)"
    );
    let e = step(&n, "ready", Side::Unit, on("2026-12-11"), today).unwrap_err();
    assert_eq!(e.rule, "the discharge-ready day is recorded already");
}

#[test]
fn each_side_takes_its_own_steps() {
    let today = date(2026, 12, 30);
    let n = raised();
    let e = step(&n, "acknowledge", Side::Unit, on("2026-12-02"), today).unwrap_err();
    assert_eq!(e.field, "step");
    let e = step(&n, "ready", Side::Municipality, on("2026-12-02"), today).unwrap_err();
    assert_eq!(
        e.rule,
        "only the unit that raised the notice takes this step"
    );
    let n = step(
        &n,
        "acknowledge",
        Side::Municipality,
        on("2026-12-02"),
        today,
    )
    .unwrap();
    let e = step(
        &n,
        "acknowledge",
        Side::Municipality,
        on("2026-12-03"),
        today,
    )
    .unwrap_err();
    assert_eq!(e.rule, "the notice is acknowledged already");
    let mut f = on("2026-12-03");
    f.contact = "  ".into();
    let e = StepFields::parse(&f, "acknowledge", Side::Municipality).unwrap_err();
    assert_eq!(e.field, "contact");
    assert_eq!(
        StepFields::default()
            .parse("x", Side::Unit)
            .unwrap_err()
            .field,
        "step"
    );
}

#[test]
fn figures_hide_small_counts() {
    let t = |d, w, h| Tally {
        discharges: d,
        days_waiting: w,
        no_home: h,
    };
    let rows = vec![
        ("0301".to_owned(), t(10, 30, 4)),
        ("4601".to_owned(), t(7, 7, 0)),
        ("5001".to_owned(), t(2, 2, 1)),
    ];
    let (out, national) = figures(&rows);
    assert_eq!(out[2].discharges, None, "2 is hidden");
    assert_eq!(out[2].no_home, None);
    assert_eq!(out[0].mean_days_waiting, Some(3.0));
    assert_eq!(out[0].no_home, None, "4 is hidden");
    // The national total of discharges (19) is shown, so a second count hides with 2.
    assert_eq!(national.discharges, Some(19));
    assert!(out[1].discharges.is_none(), "7 protects the hidden 2");
    // Nothing hidden can be had by subtraction: the hidden "no home" cells add up to at least 5.
    assert_eq!(national.no_home, Some(5));
    assert!(out[1].no_home.is_none() || out[1].no_home == Some(0));
}

#[test]
fn tally_counts_only_discharges() {
    let mut t = Tally::default();
    t.add(&raised());
    assert_eq!(t, Tally::default());
}
