//! Rate limits per client: password spraying from one client (many usernames, quickly) and a
//! flood of requests are answered 429 with `Retry-After`, as a problem document on the API and
//! a page elsewhere; other clients are not held back.

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_store::Engine;
use varde_web::limits::{Limits, Rate};
use varde_web::Config;

use crate::common::{self, TestApp};
use crate::kind;

async fn app(engine: Engine) -> Option<TestApp> {
    let limits = Limits {
        login: Rate::per_minute(5),
        anonymous: Rate::per_second(2, 8),
        user: Rate::per_second(5, 15),
        client_ip_header: Some("x-forwarded-for".parse().unwrap()),
    };
    TestApp::start_with(
        engine,
        Config {
            limits,
            ..Config::default()
        },
    )
    .await
}

async fn from(app: &TestApp, client: &str) -> (reqwest::Client, String) {
    (app.client(), client.to_owned())
}

async fn spraying_and_floods_are_answered_429(app: &TestApp) {
    let (http, me) = from(app, "203.0.113.10").await;
    // Password spraying: 30 usernames tried in a row through the API.
    let mut statuses = Vec::new();
    for i in 0..30 {
        let res = http
            .post(app.url("/api/v1/session"))
            .header("x-forwarded-for", &me)
            .json(&json!({"username": format!("bruker{i}"), "password": "feil-passord-123"}))
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(kind(&res), "application/problem+json");
            let wait: u64 = res.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=12).contains(&wait), "{wait}");
            let problem: Value = res.json().await.unwrap();
            assert_eq!(problem["status"], 429);
        }
    }
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(refused, 25, "{statuses:?}");
    // The login form counts against the same allowance, and answers with a page.
    let res = http
        .post(app.url("/login"))
        .header("x-forwarded-for", &me)
        .form(&[("username", "kari"), ("password", "x"), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(kind(&res), "text/html");
    assert!(res.headers().contains_key("retry-after"));
    // Another client logs in.
    let res = http
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-for", "198.51.100.20")
        .json(&json!({"username": "radgiver.oslo", "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let token: Value = res.json().await.unwrap();
    let token = token["token"].as_str().unwrap().to_owned();

    // A flood of requests without credentials (public endpoints).
    let mut public = Vec::new();
    for _ in 0..40 {
        let res = http
            .get(app.url("/healthz"))
            .header("x-forwarded-for", "198.51.100.30")
            .send()
            .await
            .unwrap();
        public.push(res.status());
    }
    assert!(
        public[..8].iter().all(|s| *s == StatusCode::OK),
        "{public:?}"
    );
    assert!(
        public.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{public:?}"
    );
    // A flood of a logged-in client's requests (300 in a burst, as the review sent).
    let mut user = Vec::new();
    for _ in 0..60 {
        let res = http
            .get(app.url("/api/v1/me"))
            .header("x-forwarded-for", "198.51.100.20")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        user.push(res.status());
    }
    assert!(user[..15].iter().all(|s| *s == StatusCode::OK), "{user:?}");
    assert!(user.contains(&StatusCode::TOO_MANY_REQUESTS), "{user:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_spraying_and_floods_are_answered_429() {
    if let Some(app) = app(Engine::Sqlite).await {
        spraying_and_floods_are_answered_429(&app).await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_spraying_and_floods_are_answered_429() {
    if let Some(app) = app(Engine::Postgres).await {
        spraying_and_floods_are_answered_429(&app).await;
        app.stop().await;
    }
}
