//! Overdose notices over HTTP, on SQLite and PostgreSQL. The clock is fixed at 2026-11-24
//! 12:00 UTC (13:00 in Oslo): an emergency ward's clinician (a health trust's) registers a
//! non-fatal overdose with the person's consent to Oslo's follow-up → Oslo sees it at once (the
//! stamp moves) with the hours left of the risk week, reads it by the consent (the access
//! entry names it) → records an attempt and closes with an outcome; the monitoring's
//! `overdoses` source counts the anonymous row; a third organisation sees nothing (404 like an
//! unknown notice); withdrawal of the consent denies the next read; bad input is a problem
//! document naming the field, with nothing written; the pages' round trip.
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod national;
mod outbox;

use national::{
    a_municipal_legevakt_lists_what_it_sent_elsewhere, the_national_figures_count_the_risk_week,
};

use common::{browser_login, csrf_of, get, get_page, post, synthetic_id, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::org::{OrgId, Qualification, Role};

/// The emergency ward's clinician (a user of Oslo universitetssykehus HF, a health trust).
pub const WARD: &str = "legevakt.ous";

/// Creates the emergency ward's clinician; the health trust's id.
pub async fn ward(app: &TestApp) -> OrgId {
    let store = &app.db.store;
    let org = store
        .org_by_key("oslo-universitetssykehus-hf")
        .await
        .unwrap()
        .expect("the health trust")
        .id;
    let hash = varde_web::auth::hash_password_blocking(common::PASSWORD).unwrap();
    store
        .create_user(
            org,
            Role::Clinician,
            Qualification::Other,
            WARD,
            &hash,
            common::NOW.parse().unwrap(),
        )
        .await
        .unwrap();
    org
}

/// A person of the ward's register living in `kommune`; their id.
pub async fn patient(app: &TestApp, token: &str, n: u32, kommune: Option<&str>) -> i64 {
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

/// Registers an overdose of `person` at 02:30 the same night; the response.
pub async fn register(app: &TestApp, token: &str, person: i64) -> reqwest::Response {
    post(
        app,
        token,
        "/api/v1/coordination/overdose",
        &json!({"person": person, "occurred_at": "2026-11-24T02:30", "service": "emergency_ward",
                "consent_by": "person", "consent_until": "2026-12-24", "given_how": "oral"}),
    )
    .await
}

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.unwrap()
}

async fn overdose_rows(app: &TestApp) -> usize {
    app.db
        .store
        .monitoring_source_rows(
            varde_core::monitoring::series::Source::Overdoses,
            None,
            None,
        )
        .await
        .unwrap()
        .len()
}

async fn the_whole_flow(app: &TestApp) {
    ward(app).await;
    let er = app.token(WARD).await;
    let oslo = app.token("koordinator.oslo").await;
    let person = patient(app, &er, 1, Some("0301")).await;
    let before = json_of(get(app, &oslo, "/api/v1/coordination/overdose/stamp").await).await;
    let rows = overdose_rows(app).await;
    let res = register(app, &er, person).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = json_of(res).await["id"].as_i64().unwrap();

    // The monitoring's overdoses source counts it: one anonymous row.
    assert_eq!(overdose_rows(app).await, rows + 1);
    // … and the weekly series the aberration detection evaluates counts it in its week
    // (2026-W48), nationally and in Oslo's county.
    let weeks = app
        .db
        .store
        .series_weeks(varde_core::monitoring::series::Source::Overdoses, None)
        .await
        .unwrap();
    let counted: Vec<_> = weeks
        .iter()
        .filter(|w| w.week == 202648 && w.observed >= 1.0)
        .map(|w| w.area.as_str())
        .collect();
    assert!(counted.contains(&"national"), "{weeks:?}");

    // Oslo sees it at once, with the hours left of the risk week (02:30 → 13:00: 10 h gone).
    let after = json_of(get(app, &oslo, "/api/v1/coordination/overdose/stamp").await).await;
    assert_ne!(before["stamp"], after["stamp"]);
    let list = json_of(get(app, &oslo, "/api/v1/coordination/overdose").await).await;
    let notices = list["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{list}");
    assert_eq!(notices[0]["status"], "open");
    assert_eq!(notices[0]["hours_left"], 158);
    assert_eq!(notices[0]["overdue"], false);
    assert_eq!(notices[0]["person_name"], "Pasient 1");
    assert!(
        !list.to_string().contains(&synthetic_id(1)),
        "no identity number"
    );

    // Its read is logged naming the consent.
    let res = get(app, &oslo, &format!("/api/v1/coordination/overdose/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc = json_of(res).await;
    let consent = doc["consent"].as_i64().unwrap();
    let log = app.access_log(1).await;
    assert_eq!(log[0].action, "coordination.overdose.read");
    assert_eq!(
        log[0].purpose,
        format!("consent #{consent} (overdose_notice)")
    );
    assert_ne!(log[0].owner_org_id, log[0].org_id);

    // An attempt, then closing: an outcome is required.
    let res = post(
        app,
        &oslo,
        &format!("/api/v1/coordination/overdose/{id}/attempt"),
        &json!({"at": "2026-11-24T10:00", "means": "phone"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json_of(res).await["status"], "attempted");
    let res = post(
        app,
        &oslo,
        &format!("/api/v1/coordination/overdose/{id}/close"),
        &json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = json_of(res).await;
    assert!(p.to_string().contains("outcome"), "{p}");
    let res = post(
        app,
        &oslo,
        &format!("/api/v1/coordination/overdose/{id}/close"),
        &json!({"outcome": "referred_to_treatment"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc = json_of(res).await;
    assert_eq!(doc["status"], "closed");
    assert_eq!(doc["outcome"], "referred_to_treatment");
    assert_eq!(doc["hours_left"], Value::Null);
    // Nothing after closing.
    let res = post(
        app,
        &oslo,
        &format!("/api/v1/coordination/overdose/{id}/attempt"),
        &json!({"means": "sms"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The ward reads its own notice; it cannot record the follow-up.
    let res = get(app, &er, &format!("/api/v1/coordination/overdose/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let events = app
        .db
        .store
        .read_streams_with_prefix("coordination_overdose:")
        .await
        .unwrap();
    assert_eq!(events.len(), 3, "registered, attempt, closed");
}

async fn a_third_organisation_and_a_withdrawal_see_nothing(app: &TestApp) {
    ward(app).await;
    let er = app.token(WARD).await;
    let oslo = app.token("koordinator.oslo").await;
    let bergen = app.token("radgiver.bergen").await;
    let unit = app.token("kliniker").await;
    let person = patient(app, &er, 2, Some("0301")).await;
    let id = json_of(register(app, &er, person).await).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/coordination/overdose/{id}");
    let unknown = get(app, &bergen, "/api/v1/coordination/overdose/999999").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    for t in [&bergen, &unit] {
        let res = get(app, t, &path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = post(
            app,
            t,
            &format!("{path}/attempt"),
            &json!({"means": "phone"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let log = app.access_log(1).await;
    assert_eq!(log[0].outcome, "denied");
    let list = json_of(get(app, &bergen, "/api/v1/coordination/overdose").await).await;
    assert_eq!(list["notices"].as_array().unwrap().len(), 0);

    // Oslo reads it; the ward withdraws the consent; the next read is denied.
    assert_eq!(get(app, &oslo, &path).await.status(), StatusCode::OK);
    let consent = json_of(get(app, &er, &path).await).await["consent"]
        .as_i64()
        .unwrap();
    let res = post(
        app,
        &er,
        &format!("/api/v1/coordination/consents/{consent}/withdraw"),
        &json!({}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(get(app, &oslo, &path).await.status(), StatusCode::NOT_FOUND);
    let log = app.access_log(1).await;
    assert_eq!(log[0].outcome, "denied");
    assert_eq!(log[0].action, "coordination.overdose.read");
    let list = json_of(get(app, &oslo, "/api/v1/coordination/overdose").await).await;
    assert_eq!(list["notices"].as_array().unwrap().len(), 0);
    let res = post(
        app,
        &oslo,
        &format!("{path}/attempt"),
        &json!({"means": "phone"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn bad_input_is_refused_with_nothing_written(app: &TestApp) {
    ward(app).await;
    let er = app.token(WARD).await;
    let oslo = app.token("koordinator.oslo").await;
    let child = patient(app, &er, 3, Some("0301")).await;
    let rows = overdose_rows(app).await;
    let cases = [
        (
            json!({"person": 999999, "occurred_at": "2026-11-24T02:30", "service": "ambulance",
                "consent_by": "person", "consent_until": "2026-12-24", "given_how": "oral"}),
            "person",
        ),
        (
            json!({"person": child, "occurred_at": "2026-11-24T02:30", "service": "ambulance",
                "consent_by": "person", "given_how": "oral"}),
            "consent_until",
        ),
        (
            json!({"person": child, "occurred_at": "2026-11-25T02:30", "service": "ambulance",
                "consent_by": "person", "consent_until": "2026-12-24", "given_how": "oral"}),
            "occurred_at",
        ),
        (
            json!({"person": child, "occurred_at": "2026-11-24T02:30", "service": "taxi",
                "consent_by": "person", "consent_until": "2026-12-24", "given_how": "oral"}),
            "service",
        ),
        (
            json!({"person": child, "municipality": 999999, "occurred_at": "2026-11-24T02:30", "service": "ambulance",
                "consent_by": "person", "consent_until": "2026-12-24", "given_how": "oral"}),
            "municipality",
        ),
    ];
    for (body, field) in cases {
        let res = post(app, &er, "/api/v1/coordination/overdose", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("problem+json"));
        let p = json_of(res).await;
        assert!(p.to_string().contains(field), "{field}: {p}");
        assert!(!p.to_string().contains(&synthetic_id(3)));
    }
    // A municipality's coordinator may not register.
    let res = register(app, &oslo, child).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app
        .db
        .store
        .read_streams_with_prefix("coordination_overdose:")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(overdose_rows(app).await, rows);
    let list = json_of(get(app, &oslo, "/api/v1/coordination/overdose").await).await;
    assert_eq!(list["notices"].as_array().unwrap().len(), 0);
}

async fn the_pages_round_trip(app: &TestApp) {
    ward(app).await;
    let er_token = app.token(WARD).await;
    let person = patient(app, &er_token, 4, Some("0301")).await;
    let er = browser_login(app, WARD).await;
    let (s, page) = get_page(&er, app, "/coordination/overdose").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Pasient 4") && page.contains("consent_until"));
    let csrf = csrf_of(&page);
    let (s, page) = app
        .submit(
            &er,
            "/coordination/overdose",
            &[
                ("csrf", csrf.as_str()),
                ("person", &person.to_string()),
                ("municipality", ""),
                ("occurred_at", "2026-11-24T02:30"),
                ("service", "ambulance"),
                ("consent_by", "person"),
                ("consent_until", ""),
                ("given_how", "oral"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("consent_until-error"), "the field's rule");
    let res = er
        .post(app.url("/coordination/overdose"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("person", &person.to_string()),
            ("occurred_at", "2026-11-24T02:30"),
            ("service", "ambulance"),
            ("consent_by", "person"),
            ("consent_until", "2026-12-24"),
            ("given_how", "written"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let id = to.rsplit('/').next().unwrap().to_owned();

    let oslo = browser_login(app, "koordinator.oslo").await;
    let (s, page) = get_page(&oslo, app, "/coordination/overdose").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Pasient 4") && page.contains("overdose-worklist") && page.contains("158")
    );
    let (s, page) = get_page(&oslo, app, &to).await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_of(&page);
    let res = oslo
        .post(app.url(&format!("/coordination/overdose/{id}/attempt")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("at", "2026-11-24T11:00"),
            ("means", "visit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get_page(&oslo, app, &to).await;
    assert!(page.contains("2026-11-24T11:00"));
    // The coordination start page links the worklist.
    let (_, start) = get_page(&oslo, app, "/coordination").await;
    assert!(start.contains("/coordination/overdose"));
}

async fn the_openapi_document_names_the_routes(app: &TestApp) {
    crate::common::assert_openapi_names(
        app,
        &[
            "/api/v1/coordination/overdose",
            "/api/v1/coordination/overdose/stamp",
            "/api/v1/coordination/overdose/{id}",
            "/api/v1/coordination/overdose/{id}/{step}",
            "/api/v1/coordination/overdose/national",
        ],
    )
    .await;
}

async fn the_demo_fills_every_state(app: &TestApp) {
    let n = varde_web::coordination::overdose::demo::seed(&app.state)
        .await
        .unwrap();
    assert_eq!(n, 24, "this week's 8 and last week's 16");
    let oslo = app.token("koordinator.oslo").await;
    let list = json_of(get(app, &oslo, "/api/v1/coordination/overdose").await).await;
    let states: std::collections::BTreeSet<&str> = list["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 3, "every state: {states:?}");
    let bergen = app.token("radgiver.bergen").await;
    let list = json_of(get(app, &bergen, "/api/v1/coordination/overdose").await).await;
    assert_eq!(list["notices"].as_array().unwrap().len(), 9, "{list}");
    assert!(overdose_rows(app).await >= 24);
    // Last week's notices give the national figures a finished week in both municipalities.
    let analyst = app.token("analytiker").await;
    let doc = json_of(get(app, &analyst, "/api/v1/coordination/overdose/national").await).await;
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{doc}");
    assert!(
        rows.iter().all(|r| r["notices"].as_u64().unwrap() >= 6),
        "{doc}"
    );
    assert!(
        doc["national"]["contact_share"].as_f64().unwrap() > 50.0,
        "{doc}"
    );
}

on_both_engines!(
    the_demo_fills_every_state,
    the_whole_flow,
    a_third_organisation_and_a_withdrawal_see_nothing,
    bad_input_is_refused_with_nothing_written,
    the_pages_round_trip,
    the_openapi_document_names_the_routes,
    the_national_figures_count_the_risk_week,
    a_municipal_legevakt_lists_what_it_sent_elsewhere,
);
