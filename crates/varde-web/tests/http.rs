//! HTTP tests: the real server on a random port, against SQLite and PostgreSQL.
//!
//! Every scenario runs on both engines (`sqlite::…` and `postgres::…`); PostgreSQL tests skip
//! without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::{browser_login, csrf_of, synthetic_id, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_store::Engine;

on_both_engines!(
    person_roundtrip_through_the_api,
    other_municipality_is_denied_and_the_denial_is_logged,
    bad_input_gets_clear_problems,
    unknown_user_and_wrong_password_look_the_same,
    forms_need_a_csrf_token,
    html_login_flow_and_pages,
    failed_writes_leave_nothing_behind,
    auditor_gets_the_person_report,
    org_admin_manages_users_of_own_org_only,
    security_headers_healthz_and_openapi,
);

async fn create_person(app: &TestApp, token: &str, national_id: &str, name: &str) -> i64 {
    let res = post(
        app,
        token,
        "/api/v1/persons",
        &json!({"national_id": national_id, "name": name}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    body["id"].as_i64().expect("id")
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

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

async fn unknown_user_and_wrong_password_look_the_same(app: &TestApp) {
    let login = |u: &str, p: &str| {
        app.client()
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": u, "password": p}))
            .send()
    };
    let a = login("finnes.ikke", "whatever-password").await.unwrap();
    let b = login("radgiver.oslo", "wrong-password!").await.unwrap();
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert_eq!(a, b, "the answers must not reveal whether the user exists");

    // After repeated failures the account backs off, even with the right password.
    for _ in 0..5 {
        login("radgiver.bergen", "wrong-password!").await.unwrap();
    }
    let res = login("radgiver.bergen", common::PASSWORD).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.text().await.unwrap(),
        a,
        "a locked account answers like a wrong password"
    );

    // A disabled user cannot log in, and the session ends.
    let token = app.token("koordinator.oslo").await;
    let user = app
        .db
        .store
        .user_by_username("koordinator.oslo")
        .await
        .unwrap()
        .unwrap();
    app.db.store.set_user_disabled(user.id, true).await.unwrap();
    assert_eq!(
        get(app, &token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login("koordinator.oslo", common::PASSWORD)
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Logout ends the token.
    let token = app.token("radgiver.oslo").await;
    let res = app
        .client()
        .delete(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert_eq!(
        get(app, &token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn forms_need_a_csrf_token(app: &TestApp) {
    // Login without the double-submit token.
    let res = app
        .browser()
        .post(app.url("/login"))
        .form(&[
            ("username", "radgiver.oslo"),
            ("password", common::PASSWORD),
            ("csrf", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let client = browser_login(app, "radgiver.oslo").await;
    let nid = synthetic_id(4);
    // No token, and a stale one: refused, nothing stored.
    for token in ["", "0000stale0000"] {
        let res = client
            .post(app.url("/persons/new"))
            .form(&[
                ("csrf", token),
                ("national_id", nid.as_str()),
                ("name", "Per Skjema"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let page = res.text().await.unwrap();
        assert!(page.contains("<html"), "an HTML error page");
    }
    let token = app.token("radgiver.oslo").await;
    let list: Value = get(app, &token, "/api/v1/persons")
        .await
        .json()
        .await
        .unwrap();
    assert!(list.as_array().unwrap().is_empty());

    // With the token: created, redirected to the person page.
    let form = client
        .get(app.url("/persons/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&form);
    let res = client
        .post(app.url("/persons/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("national_id", nid.as_str()),
            ("name", "Per Skjema"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/persons/"), "{location}");
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Per Skjema"));

    // Logout needs the token too.
    let res = client
        .post(app.url("/logout"))
        .form(&[("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn html_login_flow_and_pages(app: &TestApp) {
    // Not logged in: pages send the browser to the login page.
    let res = app.client().get(app.url("/persons")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));

    // Wrong password on the form: 401 with a message, the same for an unknown user.
    let client = app.browser();
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("lang=\"nb\""));
    let csrf = csrf_of(&page);
    let res = client
        .post(app.url("/login"))
        .form(&[
            ("username", "radgiver.oslo"),
            ("password", "feil-passord"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Feil brukernavn eller passord"));

    let client = browser_login(app, "radgiver.oslo").await;
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let home = home.text().await.unwrap();
    assert!(home.contains("radgiver.oslo"));
    // Navigation for the eight areas.
    for path in [
        "/pathways",
        "/advisory",
        "/coordination",
        "/feedback",
        "/monitoring",
        "/warnings",
        "/drugcheck",
        "/results",
    ] {
        assert!(
            home.contains(&format!("href=\"{path}\"")),
            "nav link {path}"
        );
        let res = client.get(app.url(path)).send().await.unwrap();
        if path == "/pathways" {
            // The pathways are for clinicians: an advisor gets the page frame saying so.
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            assert!(res.text().await.unwrap().contains("radgiver.oslo"));
        } else {
            assert_eq!(res.status(), StatusCode::OK, "{path}");
        }
    }
    for path in ["/persons", "/persons/new"] {
        assert_eq!(
            client.get(app.url(path)).send().await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
    // An advisor is not an org-admin or an auditor.
    assert_eq!(
        client
            .get(app.url("/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        client.get(app.url("/audit")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // The English switch.
    let csrf = csrf_of(&home);
    let res = client
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("back", "/persons"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(app.url("/persons"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("lang=\"en\""));
    // An open redirect is refused.
    let res = client
        .post(app.url("/lang"))
        .form(&[("lang", "nb"), ("back", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");

    // Logout with the token ends the session.
    let page = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let res = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = client.get(app.url("/persons")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The org-admin and the auditor get their pages.
    let admin = browser_login(app, "admin.oslo").await;
    let page = admin.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("radgiver.oslo"));
    let auditor = browser_login(app, "revisor.oslo").await;
    assert_eq!(
        auditor
            .get(app.url("/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
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

async fn auditor_gets_the_person_report(app: &TestApp) {
    let oslo = app.token("radgiver.oslo").await;
    let bergen = app.token("radgiver.bergen").await;
    let nid = synthetic_id(6);
    let id = create_person(app, &oslo, &nid, "Rapport Person").await;
    get(app, &oslo, &format!("/api/v1/persons/{id}")).await;
    get(app, &bergen, &format!("/api/v1/persons/{id}")).await;

    let auditor = app.token("revisor.oslo").await;
    let res = post(
        app,
        &auditor,
        "/api/v1/audit/person-report",
        &json!({"national_id": nid}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let entries: Vec<Value> = res.json().await.unwrap();
    let who: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        who.contains(&("radgiver.oslo", "person.create", "allowed")),
        "{who:?}"
    );
    assert!(
        who.contains(&("radgiver.oslo", "person.read", "allowed")),
        "{who:?}"
    );
    assert!(
        who.contains(&("radgiver.bergen", "person.read", "denied")),
        "{who:?}"
    );
    // Producing the report is itself logged.
    let log = app.access_log(100).await;
    assert!(log.iter().any(|e| e.actor == "revisor.oslo"));

    // A clinician may not produce it.
    let clinician = app.token("kliniker").await;
    let res = post(
        app,
        &clinician,
        "/api/v1/audit/person-report",
        &json!({"national_id": nid}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn org_admin_manages_users_of_own_org_only(app: &TestApp) {
    let admin = app.token("admin.oslo").await;
    let res = post(
        app,
        &admin,
        "/api/v1/users",
        &json!({"username": "ny.radgiver", "password": "et-langt-passord-1", "role": "advisor"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The new user can log in and is in Oslo.
    let res = app
        .client()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "ny.radgiver", "password": "et-langt-passord-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Weak password, system-admin role, taken username: clear 4xx.
    for (body, field) in [
        (
            json!({"username": "svak", "password": "kort", "role": "advisor"}),
            "password",
        ),
        (
            json!({"username": "sys", "password": "et-langt-passord-1", "role": "system-admin"}),
            "role",
        ),
        (
            json!({"username": "x y", "password": "et-langt-passord-1", "role": "advisor"}),
            "username",
        ),
    ] {
        let res = post(app, &admin, "/api/v1/users", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(res.text().await.unwrap().contains(field));
    }
    let res = post(
        app,
        &admin,
        "/api/v1/users",
        &json!({"username": "ny.radgiver", "password": "et-langt-passord-1", "role": "advisor"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Users of the own organisation only; another org's user cannot be disabled.
    let users: Vec<Value> = get(app, &admin, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    assert!(users.iter().all(|u| u["username"] != "radgiver.bergen"));
    let bergen_user = app
        .db
        .store
        .user_by_username("radgiver.bergen")
        .await
        .unwrap()
        .unwrap();
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/users/{}/disable", bergen_user.id.0)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another organisation's user"
    );
    assert!(!app.db.store.user(bergen_user.id).await.unwrap().disabled);

    // An advisor cannot manage users.
    let advisor = app.token("radgiver.oslo").await;
    assert_eq!(
        get(app, &advisor, "/api/v1/users").await.status(),
        StatusCode::FORBIDDEN
    );
}

async fn security_headers_healthz_and_openapi(app: &TestApp) {
    let res = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS without TLS"
    );
    let body = res.text().await.unwrap();
    assert!(!body.contains("<script"), "works without JavaScript");

    let res = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/session",
        "/api/v1/persons",
        "/api/v1/persons/{id}",
        "/api/v1/audit/person-report",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }

    // Static stylesheet and an unknown HTML page.
    assert_eq!(
        app.client()
            .get(app.url("/static/varde.css"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.client()
            .get(app.url("/no/such/page"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// Under TLS, cookies are `Secure` and responses carry HSTS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tls_sets_secure_cookies_and_hsts() {
    let config = varde_web::Config {
        tls: true,
        ..Default::default()
    };
    let app = TestApp::start_with(Engine::Sqlite, config).await.unwrap();
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    assert!(res.headers().contains_key("strict-transport-security"));
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    app.stop().await;
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
