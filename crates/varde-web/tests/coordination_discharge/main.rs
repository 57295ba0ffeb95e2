//! Discharge notices over HTTP, on SQLite and PostgreSQL. The clock is fixed at 2026-11-24:
//! the TSB unit raises a notice → the municipality of the person's residence sees it at once
//! (the stamp moves) → acknowledges with its contact → both record the joint meeting → the
//! unit records discharge-ready and the discharge; the wrong municipality and a third
//! organisation see nothing (404, logged); bad input is a problem document naming the field,
//! with nothing written; the pages' round trip; the national view. The webhook deliveries
//! (once, on two servers) are in `outbox.rs`.
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod outbox;

use common::{browser_login, csrf_of, get, get_page, post, synthetic_id, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A person of the demo unit living in `kommune`; their id.
pub async fn resident(app: &TestApp, token: &str, n: u32, kommune: Option<&str>) -> i64 {
    let res = post(
        app,
        token,
        "/api/v1/persons",
        &json!({"national_id": synthetic_id(n), "name": format!("Pasient {n}"), "kommune": kommune}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// Raises a notice about `person`; the response.
pub async fn raise(app: &TestApp, token: &str, person: i64) -> reqwest::Response {
    post(
        app,
        token,
        "/api/v1/coordination/discharge",
        &json!({"person": person, "expected_discharge": "2026-12-10", "no_home": true,
                "substance_use": true, "income": true, "meeting_requested": true}),
    )
    .await
}

async fn step(app: &TestApp, token: &str, id: i64, step: &str, body: Value) -> reqwest::Response {
    post(
        app,
        token,
        &format!("/api/v1/coordination/discharge/{id}/{step}"),
        &body,
    )
    .await
}

async fn discharge_events(app: &TestApp) -> usize {
    app.db
        .store
        .read_streams_with_prefix("coordination_discharge:")
        .await
        .unwrap()
        .len()
}

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.unwrap()
}

async fn the_whole_flow(app: &TestApp) {
    let unit = app.token("kliniker").await;
    let oslo = app.token("koordinator.oslo").await;
    let person = resident(app, &unit, 1, Some("0301")).await;
    let before = json_of(get(app, &oslo, "/api/v1/coordination/discharge/stamp").await).await;
    let res = raise(app, &unit, person).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = json_of(res).await["id"].as_i64().unwrap();

    // The municipality sees it at once: the stamp moved, the notice is on its list.
    let after = json_of(get(app, &oslo, "/api/v1/coordination/discharge/stamp").await).await;
    assert_ne!(before["stamp"], after["stamp"]);
    let list = json_of(get(app, &oslo, "/api/v1/coordination/discharge").await).await;
    assert_eq!(list["stamp"], after["stamp"]);
    let notices = list["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0]["status"], "raised");
    assert_eq!(notices[0]["person_name"], "Pasient 1");
    assert_eq!(
        notices[0]["needs"],
        json!(["housing", "no_home", "income", "substance_use"])
    );
    assert!(
        !list.to_string().contains(&synthetic_id(1)),
        "no identity number"
    );

    // Its read is logged naming the legal basis, with the unit as the record's holder.
    let res = get(app, &oslo, &format!("/api/v1/coordination/discharge/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let log = app.access_log(1).await;
    assert_eq!(log[0].action, "coordination.discharge.read");
    assert_eq!(log[0].actor, "koordinator.oslo");
    assert!(
        log[0].purpose.contains("FOR-2011-11-18-1115"),
        "{}",
        log[0].purpose
    );
    assert_ne!(log[0].owner_org_id, log[0].org_id);
    assert_eq!(log[0].subject.len(), 32, "the pseudonym");

    // The municipality acknowledges and names its contact; both record the joint meeting.
    let res = step(
        app,
        &oslo,
        id,
        "acknowledge",
        json!({"on": "2026-11-24", "contact": "Kari Nilsen, 21 80 21 80"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let n = json_of(res).await;
    assert_eq!(
        (n["status"].as_str(), n["contact"].as_str()),
        (Some("acknowledged"), Some("Kari Nilsen, 21 80 21 80"))
    );
    let res = step(
        app,
        &oslo,
        id,
        "meeting",
        json!({"on": "2026-11-24", "outcome": "Midlertidig bolig fra utskrivning"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = step(
        app,
        &unit,
        id,
        "meeting",
        json!({"on": "2026-11-24", "outcome": "Oppfølging i kommunens rustjeneste"}),
    )
    .await;
    let n = json_of(res).await;
    assert_eq!(n["status"], "planned");
    assert_eq!(n["meetings"][0]["recorded_by"], "municipality");
    assert_eq!(n["meetings"][1]["recorded_by"], "unit");

    // Only the unit records discharge-ready and the discharge.
    let res = step(app, &oslo, id, "ready", json!({"on": "2026-11-24"})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json_of(res).await["errors"][0]["field"], "step");
    let res = step(app, &unit, id, "ready", json!({"on": "2026-11-24"})).await;
    assert_eq!(json_of(res).await["status"], "ready");
    let res = step(
        app,
        &unit,
        id,
        "discharge",
        json!({"on": "2026-11-24", "no_home": true}),
    )
    .await;
    let n = json_of(res).await;
    assert_eq!(n["status"], "discharged");
    assert_eq!(n["days_waiting"], 0);
    assert_eq!(n["no_home_at_discharge"], true);
    // Closed: nothing more.
    let res = step(
        app,
        &oslo,
        id,
        "meeting",
        json!({"on": "2026-11-24", "outcome": "x y"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Every step is an event of the notice's stream.
    let events = app
        .db
        .store
        .read_stream(&format!("coordination_discharge:{id}"))
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "coordination.discharge.raised",
            "coordination.discharge.acknowledged",
            "coordination.discharge.meeting",
            "coordination.discharge.meeting",
            "coordination.discharge.ready",
            "coordination.discharge.discharged"
        ]
    );

    // The national view: one discharge in Oslo, suppressed.
    let analyst = app.token("analytiker").await;
    let res = get(
        app,
        &analyst,
        "/api/v1/coordination/discharge/national?year=2026",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = json_of(res).await;
    assert_eq!(v["rows"][0]["kommune"], "0301");
    assert_eq!(v["rows"][0]["discharges"], Value::Null);
    assert_eq!(v["national"]["discharges"], Value::Null);
    let res = get(app, &oslo, "/api/v1/coordination/discharge/national").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn only_the_residents_municipality_sees_a_notice(app: &TestApp) {
    let unit = app.token("kliniker").await;
    let person = resident(app, &unit, 2, Some("0301")).await;
    let id = json_of(raise(app, &unit, person).await).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/coordination/discharge/{id}");

    // Bergen: not its resident — 404 (as an unknown notice), logged as a denial.
    let bergen = app.token("radgiver.bergen").await;
    let res = get(app, &bergen, &path).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let log = app.access_log(1).await;
    assert_eq!(
        (log[0].actor.as_str(), log[0].outcome.as_str()),
        ("radgiver.bergen", "denied")
    );
    let list = json_of(get(app, &bergen, "/api/v1/coordination/discharge").await).await;
    assert_eq!(list["notices"], json!([]));
    let res = step(
        app,
        &bergen,
        id,
        "acknowledge",
        json!({"on": "2026-11-24", "contact": "Noen"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A third organisation: nothing, not even that it exists.
    app.add_treatment_org("Annen enhet", "kliniker.annen").await;
    let other = app.token("kliniker.annen").await;
    let res = get(app, &other, &path).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let unknown = get(app, &other, "/api/v1/coordination/discharge/999999").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.text().await.unwrap(), unknown.text().await.unwrap());
    let list = json_of(get(app, &other, "/api/v1/coordination/discharge").await).await;
    assert_eq!(list["notices"], json!([]));
    // Nor may it raise a notice about the unit's person.
    let res = raise(app, &other, person).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // An analyst has no access to notices at all.
    let analyst = app.token("analytiker").await;
    assert_eq!(
        get(app, &analyst, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    // Oslo's auditor... the unit's notice: the denials are the unit's to audit.
    let denials = app.access_log(20).await;
    assert!(denials
        .iter()
        .filter(|e| e.outcome == "denied")
        .all(|e| e.subject.len() == 32));
}

async fn bad_input_is_refused_with_nothing_written(app: &TestApp) {
    let unit = app.token("kliniker").await;
    let oslo = app.token("koordinator.oslo").await;
    let homeless_register = resident(app, &unit, 3, None).await;
    let person = resident(app, &unit, 4, Some("0301")).await;
    let events_before = discharge_events(app).await;
    let fnr = synthetic_id(99);
    let cases: [(Value, &str); 5] = [
        (
            json!({"person": 999999, "expected_discharge": "2026-12-10"}),
            "person",
        ),
        (
            json!({"person": homeless_register, "expected_discharge": "2026-12-10"}),
            "person",
        ),
        (
            json!({"person": person, "expected_discharge": "2026-11-01"}),
            "expected_discharge",
        ),
        (
            json!({"person": person, "expected_discharge": "10.12.2026"}),
            "expected_discharge",
        ),
        (
            json!({"person": person, "expected_discharge": "2026-12-10", "note": format!("fnr {fnr} x")}),
            "note",
        ),
    ];
    for (body, field) in cases {
        let res = post(app, &unit, "/api/v1/coordination/discharge", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let p = json_of(res).await;
        let text = p.to_string();
        assert!(text.contains(&format!("\"{field}\"")), "{field}: {text}");
        assert!(!text.contains(&fnr));
    }
    assert_eq!(discharge_events(app).await, events_before);

    let id = json_of(raise(app, &unit, person).await).await["id"]
        .as_i64()
        .unwrap();
    let events_before = discharge_events(app).await;
    for (who, kind, body, field) in [
        (
            &oslo,
            "acknowledge",
            json!({"on": "2026-11-25", "contact": "Kari"}),
            "on",
        ),
        (
            &oslo,
            "acknowledge",
            json!({"on": "2026-11-24", "contact": " "}),
            "contact",
        ),
        (
            &unit,
            "acknowledge",
            json!({"on": "2026-11-24", "contact": "Kari"}),
            "step",
        ),
        (&unit, "ready", json!({"on": "2026-11-23"}), "on"),
        (&unit, "discharge", json!({"on": "2026-11-24"}), "step"),
        (
            &unit,
            "meeting",
            json!({"on": "2026-11-24", "outcome": ""}),
            "outcome",
        ),
        (&unit, "transfer", json!({"on": "2026-11-24"}), "step"),
    ] {
        let res = step(app, who, id, kind, body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{kind}");
        assert_eq!(json_of(res).await["errors"][0]["field"], field, "{kind}");
    }
    assert_eq!(discharge_events(app).await, events_before);
    // In the user's language.
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/coordination/discharge/{id}/ready")))
        .bearer_auth(&unit)
        .header("accept-language", "nb")
        .json(&json!({"on": "2026-11-23"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_pages_round_trip(app: &TestApp) {
    let unit = app.token("kliniker").await;
    let person = resident(app, &unit, 5, Some("0301")).await;
    let clinician = browser_login(app, "kliniker").await;
    let (s, page) = get_page(&clinician, app, "/coordination/discharge").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Pasient 5"), "the person to choose");
    let csrf = csrf_of(&page);
    // Refused: the form again, with the rule beside the field.
    let (s, page) = app
        .submit(
            &clinician,
            "/coordination/discharge",
            &[
                ("csrf", csrf.as_str()),
                ("person", &person.to_string()),
                ("expected_discharge", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("expected_discharge-error"));
    let res = clinician
        .post(app.url("/coordination/discharge"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("person", &person.to_string()),
            ("expected_discharge", "2026-12-01"),
            ("no_home", "true"),
            ("meeting_requested", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();

    let oslo = browser_login(app, "koordinator.oslo").await;
    let (s, page) = get_page(&oslo, app, "/coordination/discharge").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Pasient 5") && page.contains("inbox.js"));
    let (s, page) = get_page(&oslo, app, &to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("{to}/acknowledge")));
    let csrf = csrf_of(&page);
    let res = oslo
        .post(app.url(&format!("{to}/acknowledge")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("on", "2026-11-24"),
            ("contact", "Kari Nilsen"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get_page(&oslo, app, &to).await;
    assert!(page.contains("Kari Nilsen"));
    let (s, js) = get_page(&oslo, app, "/coordination/discharge/inbox.js").await;
    assert_eq!(s, StatusCode::OK);
    assert!(js.contains("/api/v1/coordination/discharge/stamp"));

    let analyst = browser_login(app, "analytiker").await;
    let (s, page) = get_page(&analyst, app, "/coordination/discharge/national").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("national-table"));
    let res = analyst
        .get(app.url("/coordination/discharge/national.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("Kommune;Utskrivninger;"), "{csv}");
    assert!(
        csv.lines().last().unwrap().starts_with("Hele landet;"),
        "{csv}"
    );
}

async fn the_openapi_document_names_the_routes(app: &TestApp) {
    crate::common::assert_openapi_names(
        app,
        &[
            "/api/v1/coordination/discharge",
            "/api/v1/coordination/discharge/{id}/{step}",
            "/api/v1/coordination/discharge/national",
            "/api/v1/coordination/discharge/webhooks",
        ],
    )
    .await;
}

async fn the_demo_fills_every_state_and_the_national_view(app: &TestApp) {
    let n = varde_web::coordination::discharge::demo::seed(&app.state)
        .await
        .unwrap();
    assert!(n >= 10, "{n}");
    let oslo = app.token("koordinator.oslo").await;
    let list = json_of(get(app, &oslo, "/api/v1/coordination/discharge").await).await;
    let states: std::collections::BTreeSet<&str> = list["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 5, "every state: {states:?}");
    let analyst = app.token("analytiker").await;
    let v = json_of(
        get(
            app,
            &analyst,
            "/api/v1/coordination/discharge/national?year=2026",
        )
        .await,
    )
    .await;
    let oslo_row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kommune"] == "0301")
        .unwrap();
    assert!(oslo_row["discharges"].as_u64().unwrap() >= 5, "{v}");
    assert!(v["national"]["discharges"].as_u64().is_some(), "{v}");
}

on_both_engines!(
    the_demo_fills_every_state_and_the_national_view,
    the_whole_flow,
    only_the_residents_municipality_sees_a_notice,
    bad_input_is_refused_with_nothing_written,
    the_pages_round_trip,
    the_openapi_document_names_the_routes,
);
