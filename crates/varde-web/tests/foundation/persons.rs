//! Persons through the API: register, read, correct and list, every access logged; another
//! municipality is denied and the denial logged; bad input gets clear problems; failed writes
//! leave nothing behind; production refuses synthetic numbers.

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_store::Engine;

use crate::common::{synthetic_id, TestApp};
use crate::{create_person, get, post};

on_both_engines!(
    person_roundtrip_through_the_api,
    other_municipality_is_denied_and_the_denial_is_logged,
    bad_input_gets_clear_problems,
    failed_writes_leave_nothing_behind,
);

async fn person_roundtrip_through_the_api(app: &TestApp) {
    let token = app.token("radgiver.oslo").await;
    let nid = synthetic_id(1);
    let id = create_person(app, &token, &nid, "Kari Nordmann").await;

    let res = get(app, &token, &format!("/api/v1/persons/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["name"], "Kari Nordmann");
    assert_eq!(doc["national_id"], nid.as_str());
    assert_eq!(doc["birth_date"], "1990-01-02");

    // Correct the name: an event, the projection follows.
    let res = post(
        app,
        &token,
        &format!("/api/v1/persons/{id}/corrections"),
        &json!({"name": "Kari Nordmann Hansen", "reason": "stavefeil ved registrering"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = get(app, &token, &format!("/api/v1/persons/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["name"], "Kari Nordmann Hansen");
    assert_eq!(doc["corrections"], 1);

    // The list shows the own organisation's people.
    let list: Value = get(app, &token, "/api/v1/persons")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Every read and write is in the access log, with the pseudonym as subject.
    let log = app.access_log(100).await;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "person.create",
        "person.read",
        "person.correct",
        "person.list",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    for e in &log {
        assert!(
            !e.subject.contains(&nid) && !e.purpose.contains(&nid),
            "identity number in the log"
        );
        assert_eq!(e.outcome, "allowed");
    }
    assert!(app.db.store.verify_access_log().await.unwrap().is_ok());

    // Me.
    let me: Value = get(app, &token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["username"], "radgiver.oslo");
    assert_eq!(me["role"], "advisor");
}

async fn other_municipality_is_denied_and_the_denial_is_logged(app: &TestApp) {
    let oslo = app.token("radgiver.oslo").await;
    let bergen = app.token("radgiver.bergen").await;
    let nid = synthetic_id(2);
    let id = create_person(app, &oslo, &nid, "Ola Hemmelig").await;

    let res = get(app, &bergen, &format!("/api/v1/persons/{id}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body = res.text().await.unwrap();
    assert!(
        !body.contains("Hemmelig") && !body.contains(&nid),
        "leaked: {body}"
    );

    // Bergen's list does not show Oslo's person.
    let list: Value = get(app, &bergen, "/api/v1/persons")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));

    // Nor may Bergen correct it.
    let res = post(
        app,
        &bergen,
        &format!("/api/v1/persons/{id}/corrections"),
        &json!({"name": "Endret", "reason": "forsøk"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let doc: Value = get(app, &oslo, &format!("/api/v1/persons/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["name"], "Ola Hemmelig");

    // Both denials are logged, by Bergen's user, against the person's pseudonym.
    let log = app.access_log(100).await;
    let denied: Vec<_> = log.iter().filter(|e| e.outcome == "denied").collect();
    assert_eq!(denied.len(), 2, "{log:?}");
    for e in &denied {
        assert_eq!(e.actor, "radgiver.bergen");
        assert_eq!(e.record, format!("person:{id}"));
        assert_eq!(e.subject.len(), 32);
    }
    // The auditor of Oslo sees the denial through the API.
    let auditor = app.token("revisor.oslo").await;
    let res = get(app, &auditor, "/api/v1/audit").await;
    assert_eq!(res.status(), StatusCode::OK);
    let entries: Value = res.json().await.unwrap();
    assert!(entries
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["outcome"] == "denied" && e["actor"] == "radgiver.bergen"));
    // An advisor is no auditor.
    assert_eq!(
        get(app, &oslo, "/api/v1/audit").await.status(),
        StatusCode::FORBIDDEN
    );

    // A record that does not exist: 404, not a hint.
    assert_eq!(
        get(app, &oslo, "/api/v1/persons/999999").await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn bad_input_gets_clear_problems(app: &TestApp) {
    let token = app.token("radgiver.oslo").await;
    let post = |body: String| {
        app.client()
            .post(app.url("/api/v1/persons"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    // Invalid identity number: 422 naming the field and the rule.
    let res = post(json!({"national_id": "01010112345", "name": "X"}).to_string())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["status"], 422);
    assert_eq!(p["errors"][0]["field"], "national_id");
    assert!(
        p["errors"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("control digit"),
        "{p}"
    );

    // Wrong length.
    let p: Value = post(json!({"national_id": "123", "name": "X"}).to_string())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["errors"][0]["field"], "national_id");

    // Unknown municipality number.
    let p: Value =
        post(json!({"national_id": synthetic_id(3), "name": "X", "kommune": "9999"}).to_string())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(p["errors"][0]["field"], "kommune", "{p}");

    // Empty name.
    let res = post(json!({"national_id": synthetic_id(3), "name": "  "}).to_string())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Malformed JSON: 400.
    let res = post("{\"national_id\": ".to_string()).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let p: Value = res.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("malformed JSON"));

    // Missing field: 422 naming it.
    let res = post(json!({"name": "X"}).to_string()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("national_id"));

    // Oversized body: 413.
    let big = json!({"national_id": synthetic_id(3), "name": "x".repeat(100_000)}).to_string();
    let res = post(big).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Wrong content type: 415.
    let res = app
        .client()
        .post(app.url("/api/v1/persons"))
        .bearer_auth(&token)
        .body("national_id=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // No token, bad token: 401.
    let res = app
        .client()
        .get(app.url("/api/v1/persons"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(app, "not-a-token", "/api/v1/persons").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Unknown route under the API: a problem document.
    let res = get(app, &token, "/api/v1/nothing-here").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    // Nothing of the above was stored.
    let list: Value = get(app, &token, "/api/v1/persons")
        .await
        .json()
        .await
        .unwrap();
    assert!(list.as_array().unwrap().is_empty());
}

async fn failed_writes_leave_nothing_behind(app: &TestApp) {
    let token = app.token("radgiver.oslo").await;
    let nid = synthetic_id(5);
    create_person(app, &token, &nid, "Første").await;
    let events_before = app.db.store.read_all(0, 10_000).await.unwrap().len();

    // The same person twice in one organisation: refused, no event, no projection change.
    let res = post(
        app,
        &token,
        "/api/v1/persons",
        &json!({"national_id": nid, "name": "Andre"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(
        app.db.store.read_all(0, 10_000).await.unwrap().len(),
        events_before
    );
    let list: Value = get(app, &token, "/api/v1/persons")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Første");

    // An invalid correction: refused, nothing written.
    let id = list[0]["id"].as_i64().unwrap();
    let res = post(
        app,
        &token,
        &format!("/api/v1/persons/{id}/corrections"),
        &json!({"kommune": "0000", "reason": "flyttet"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.db.store.read_all(0, 10_000).await.unwrap().len(),
        events_before
    );

    // Another municipality may register the same person (its own record).
    let bergen = app.token("radgiver.bergen").await;
    create_person(app, &bergen, &nid, "Første").await;
}

/// Production refuses synthetic test numbers, naming the rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_production_refuses_synthetic_numbers() {
    let config = varde_web::Config {
        allow_synthetic_ids: false,
        ..Default::default()
    };
    let app = TestApp::start_with(Engine::Sqlite, config).await.unwrap();
    let token = app.token("radgiver.oslo").await;
    let res = post(
        &app,
        &token,
        "/api/v1/persons",
        &json!({"national_id": synthetic_id(7), "name": "Syntetisk"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = res.json().await.unwrap();
    assert!(
        p["errors"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("synthetic"),
        "{p}"
    );
    app.stop().await;
}
