//! CSRF: every state-changing form needs the session's CSRF token (held before the review), and
//! the JSON API takes a write authenticated by the session cookie alone only with that token
//! in `X-CSRF-Token` — a hostile page can make a browser send the cookie, never the token.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{self, browser_login, csrf_of, get_page, synthetic_id, TestApp};
use crate::get;

on_both_engines!(
    forms_need_a_csrf_token,
    api_writes_with_the_cookie_alone_are_refused,
);

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
    let (_, form) = get_page(&client, app, "/persons/new").await;
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
    let (_, page) = get_page(&client, app, &location).await;
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

/// A request a hostile page can send: the session cookie (the browser adds it), a body of
/// `text/plain` — and no CSRF token. Refused, and nothing is written; with the token, or with a
/// Bearer token, the same write goes through.
async fn api_writes_with_the_cookie_alone_are_refused(app: &TestApp) {
    let browser = browser_login(app, "kliniker").await;
    let csv = "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n\
               CSRF1,Enhet,Oslo universitetssykehus HF,Helse Sør-Øst RHF,0301,outpatient,referral_received,2026-10-01,,,\n";
    let events_before = app.db.store.pathway_events(None).await.unwrap().len();
    let res = browser
        .post(app.url("/api/v1/pathways/import"))
        .header("content-type", "text/plain")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["type"].as_str().unwrap().ends_with("/csrf"),
        "{problem}"
    );
    assert_eq!(
        app.db.store.pathway_events(None).await.unwrap().len(),
        events_before,
        "nothing written"
    );
    // Every state-changing API route: persons, events, LAR, coercion, users, the session.
    let nid = synthetic_id(31);
    for (path, body) in [
        (
            "/api/v1/persons",
            format!("{{\"national_id\":\"{nid}\",\"name\":\"Kari\"}}"),
        ),
        ("/api/v1/pathways/events", "{}".to_owned()),
        (
            "/api/v1/lar/agreements",
            "{\"kommune\":\"0301\",\"from\":\"2026-01-01\"}".to_owned(),
        ),
        ("/api/v1/coercion/stays", "{}".to_owned()),
    ] {
        let res = browser
            .post(app.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let res = browser
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "logout through the API"
    );
    // Reads need no token.
    let res = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // With the session's token in the header, the cookie's write goes through.
    let (_, page) = get_page(&browser, app, "/pathways/import").await;
    let token = csrf_of(&page);
    let res = browser
        .post(app.url("/api/v1/pathways/import"))
        .header("content-type", "text/csv")
        .header("x-csrf-token", token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    // A Bearer client needs no CSRF token.
    let bearer = app.token("kliniker").await;
    let res = app
        .client()
        .post(app.url("/api/v1/pathways/import?batch_id=b2"))
        .bearer_auth(&bearer)
        .body(csv.replace("CSRF1", "CSRF2"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let _ = common::PASSWORD;
}
