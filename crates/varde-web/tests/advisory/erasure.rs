//! Retention and erasure (issue 12, item 9): a closed case keeps its personal data for its
//! unit's retention, then the job erases it and leaves the anonymous statistics record, with
//! the erasure in the access log; a second run changes nothing; two stores on one PostgreSQL
//! database claiming at once erase each case exactly once.

use jiff::civil::Date;
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_web::advisory::erasure::{run_once, ERASE_ACTION};

use super::{born_20, ok, open, youth_case};
use crate::common::{get, post, TestApp};

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client()
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The youth case carried to its close on 2026-11-24 (the fixed clock): two meetings attended,
/// one cancelled with a reason, one outreach attempt, a negative and a positive test, the
/// report, a referral.
async fn closed_youth_case(app: &TestApp, t: &str) -> i64 {
    let id = open(app, t, &youth_case()).await;
    let c = format!("/api/v1/advisory/cases/{id}");
    for when in [
        "2026-08-20T10:00:00+02:00",
        "2026-09-10T10:00:00+02:00",
        "2026-10-01T10:00:00+02:00",
    ] {
        ok(post(
            app,
            t,
            &format!("{c}/meetings"),
            &json!({"planned_at": when, "place": "Rådhusgata 2"}),
        )
        .await)
        .await;
    }
    for (n, body) in [
        (1, json!({"status": "attended"})),
        (2, json!({"status": "remote"})),
        (
            3,
            json!({"status": "cancelled", "reason": "Ferie i Spania"}),
        ),
    ] {
        ok(post(app, t, &format!("{c}/meetings/{n}/attendance"), &body).await).await;
    }
    ok(post(
        app,
        t,
        &format!("{c}/outreach"),
        &json!({"on": "2026-08-21", "means": "phone", "outcome": "reached"}),
    )
    .await)
    .await;
    for (on, result) in [("2026-08-25", "negative"), ("2026-09-08", "positive")] {
        let mut body = json!({"on": on, "result": result});
        if result == "positive" {
            body["substances"] = json!(["cannabis"]);
        }
        ok(post(app, t, &format!("{c}/tests"), &body).await).await;
    }
    ok(post(app, t, &format!("{c}/report"), &json!({})).await).await;
    ok(post(
        app,
        t,
        &format!("{c}/referrals"),
        &json!({"to": "municipal", "consent": true}),
    )
    .await)
    .await;
    ok(post(
        app,
        t,
        &format!("{c}/close"),
        &json!({"outcome": "completed"}),
    )
    .await)
    .await;
    id
}

pub async fn a_closed_case_is_erased_after_its_retention(app: &TestApp) {
    let t = app.token("radgiver.oslo").await;
    let id = closed_youth_case(app, &t).await;
    // A case still open is never erased.
    let open_id = open(app, &t, &youth_case()).await;
    let store = &app.db.store;
    let before = store.advisory_case_dump(id).await.unwrap().join("\n");
    assert!(before.contains("Ferie i Spania") && before.contains("Rådhusgata 2"));

    // The day before five years have passed: nothing is erased.
    let n = run_once(store, day("2031-11-23"), at("2031-11-23T12:00:00Z"), "a")
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(
        store.advisory_case_dump(id).await.unwrap().join("\n"),
        before
    );
    assert!(store
        .advisory_statistics_records()
        .await
        .unwrap()
        .is_empty());
    // The statistics of the case's year before the erasure: the closed case and the open one,
    // both computed from the live cases.
    let analyst = app.token("analytiker").await;
    let period = "/api/v1/advisory/statistics?from=2026-01-01&to=2026-12-31";
    let stats_before = crate::ok(get(app, &analyst, period).await).await;
    assert!(stats_before.to_string().contains("\"nation\""));

    // Five years after closing: erased.
    let n = run_once(store, day("2031-11-24"), at("2031-11-24T12:00:00Z"), "a")
        .await
        .unwrap();
    assert_eq!(n, 1);
    let after = store.advisory_case_dump(id).await.unwrap();
    let text = after.join("\n");
    let national_id = born_20(5, 10, 9);
    for personal in [
        "Ola",
        "Nordmann",
        national_id.as_str(),
        "OSL-2026-4711",
        "Rådhusgata",
        "Ferie i Spania",
        "cannabis",
        "person:",
    ] {
        assert!(!text.contains(personal), "{personal} left: {text}");
    }
    // What stays on the case row: its route, and that it closed, completed.
    assert_eq!(
        after,
        vec![
            "prosecution_condition".to_owned(),
            String::new(),
            "2026-11-24".to_owned(),
            "completed".to_owned()
        ]
    );
    // The open case is untouched.
    assert!(store
        .advisory_case_dump(open_id)
        .await
        .unwrap()
        .join("\n")
        .contains("OSL-2026-4711"));

    // The statistics record.
    let stats = store.advisory_statistics_records().await.unwrap();
    assert_eq!(stats.len(), 1);
    let s = &stats[0];
    assert_eq!(s.route, "prosecution_condition");
    assert_eq!(s.municipality.as_deref(), Some("0301"));
    assert_eq!(s.county.as_deref(), Some("03"));
    // Born 5 October 2009, opened 24 November 2026: 17.
    assert_eq!(s.age_group.as_deref(), Some("15_17"));
    assert!(s.sex.is_some());
    assert_eq!(s.opened_on, "2026-11-24");
    assert_eq!(s.decided_on.as_deref(), Some("2026-08-10"));
    assert_eq!(s.first_meeting_on.as_deref(), Some("2026-08-20"));
    assert_eq!(s.closed_on.as_deref(), Some("2026-11-24"));
    assert_eq!(s.outcome.as_deref(), Some("completed"));
    assert_eq!((s.meetings_required, s.meetings_attended), (Some(2), 2));
    assert_eq!((s.outreach_attempts, s.tests, s.positives), (1, 2, 1));
    assert_eq!(s.referrals, r#"["municipal"]"#);
    assert_eq!(s.recorded_on, "2031-11-24");
    assert_eq!(s.meetings_missed, Some(0));
    // The erasure leaves the statistics unchanged: the erased case now counts by its stored
    // record, the same record the live case gave (one core function computes both).
    let stats_after = crate::ok(get(app, &analyst, period).await).await;
    assert_eq!(stats_before, stats_after);

    // The erasure in the access log, its subject the pseudonym (not the number).
    let log = app.access_log(500).await;
    let erasures: Vec<_> = log.iter().filter(|e| e.action == ERASE_ACTION).collect();
    assert_eq!(erasures.len(), 1);
    let e = erasures[0];
    assert_eq!(e.record, format!("advisory:{id}"));
    assert!(!e.subject.is_empty() && !e.subject.contains(&national_id));
    let opened = log
        .iter()
        .find(|x| x.record == format!("advisory:{id}") && x.action == "advisory.write")
        .unwrap();
    assert_eq!(e.subject, opened.subject);

    // Running again changes nothing.
    let n = run_once(store, day("2032-01-01"), at("2032-01-01T12:00:00Z"), "b")
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(store.advisory_statistics_records().await.unwrap().len(), 1);
    assert_eq!(
        app.access_log(500)
            .await
            .iter()
            .filter(|e| e.action == ERASE_ACTION)
            .count(),
        1
    );

    // The case page says it is erased and shows nothing personal; the API answers 410; the
    // worklist and the case list no longer list it.
    let c = format!("/api/v1/advisory/cases/{id}");
    let res = get(app, &t, &c).await;
    assert_eq!(res.status(), StatusCode::GONE);
    let res = post(
        app,
        &t,
        &format!("{c}/outreach"),
        &json!({"on": "2026-11-24", "means": "visit", "outcome": "reached"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::GONE);
    let browser = crate::common::browser_login(app, "radgiver.oslo").await;
    let page = browser
        .get(app.url(&format!("/advisory/cases/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Personopplysningene er slettet"), "{html}");
    for personal in ["Ola", "Nordmann", "Rådhusgata", "OSL-2026-4711"] {
        assert!(!html.contains(personal));
    }
    for path in ["/advisory", "/advisory/cases"] {
        let html = browser
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains(&format!("/advisory/cases/{id}\"")), "{path}");
    }
}

pub async fn a_unit_sets_its_own_retention(app: &TestApp) {
    let t = app.token("radgiver.oslo").await;
    let v: Value = ok(get(app, &t, "/api/v1/advisory/unit").await).await;
    assert_eq!(v["retention_years"], 5);
    let res = put(
        app,
        &t,
        "/api/v1/advisory/unit",
        &json!({"min_attempts": 2, "min_means": 2, "retention_years": 21}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "retention_years");
    let v: Value = ok(put(
        app,
        &t,
        "/api/v1/advisory/unit",
        &json!({"min_attempts": 2, "min_means": 2, "retention_years": 2}),
    )
    .await)
    .await;
    assert_eq!(v["retention_years"], 2);
    let id = closed_youth_case(app, &t).await;
    let store = &app.db.store;
    let n = run_once(store, day("2028-11-23"), at("2028-11-23T12:00:00Z"), "a")
        .await
        .unwrap();
    assert_eq!(n, 0);
    let n = run_once(store, day("2028-11-24"), at("2028-11-24T12:00:00Z"), "a")
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert!(!store
        .advisory_case_dump(id)
        .await
        .unwrap()
        .join("\n")
        .contains("Ola"));
}

/// Two stores (two servers' pools) on one PostgreSQL database run the job at once over the
/// same due cases: each case is erased exactly once, one statistics record and one access
/// entry each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_stores_erase_each_case_once() {
    let Some(app) = TestApp::start(varde_store::Engine::Postgres).await else {
        return;
    };
    let t = app.token("radgiver.oslo").await;
    const N: usize = 6;
    let mut ids = Vec::new();
    for _ in 0..N {
        ids.push(closed_youth_case(&app, &t).await);
    }
    let other = varde_store::Store::connect(&app.db.url).await.unwrap();
    let (today, now) = (day("2031-11-24"), at("2031-11-24T12:00:00Z"));
    let mut runs = tokio::task::JoinSet::new();
    for (i, store) in [
        app.db.store.clone(),
        other.clone(),
        app.db.store.clone(),
        other.clone(),
    ]
    .into_iter()
    .enumerate()
    {
        runs.spawn(async move { run_once(&store, today, now, &format!("server-{i}")).await });
    }
    let mut total = 0;
    while let Some(r) = runs.join_next().await {
        total += r.unwrap().unwrap();
    }
    assert_eq!(total, N, "each case erased once in all");
    assert_eq!(
        app.db
            .store
            .advisory_statistics_records()
            .await
            .unwrap()
            .len(),
        N
    );
    let log = app.access_log(2000).await;
    for id in &ids {
        let n = log
            .iter()
            .filter(|e| e.action == ERASE_ACTION && e.record == format!("advisory:{id}"))
            .count();
        assert_eq!(n, 1, "case {id}");
    }
    other.close().await;
    app.stop().await;
}
