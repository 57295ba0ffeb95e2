//! The outbox: a delivery written with the approval survives the server stopping before it
//! is made, and is made once after the restart; two servers on one PostgreSQL database make
//! every delivery once; a failing subscriber is retried, marked, and can be resent.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use varde_store::Engine;
use varde_web::Config;

use super::flow::{body, post, second_approver, Receiver};
use crate::common::TestApp;

fn quiet() -> Config {
    Config {
        limits: varde_web::limits::Limits::off(),
        background: false,
        ..Config::default()
    }
}

async fn survives_a_stop(engine: Engine) {
    let Some(mut app) = TestApp::start_with(engine, quiet()).await else {
        return;
    };
    let receiver = Receiver::start(200, Duration::ZERO).await;
    let admin = app.token("systemadmin").await;
    let editor = app.token("varselredaktor").await;
    let approver = app.token("varselgodkjenner").await;
    post(
        &app,
        &admin,
        "/api/v1/webhooks",
        &json!({"url": receiver.url}),
    )
    .await;
    let (_, v) = post(&app, &editor, "/api/v1/warnings", &body()).await;
    let id = v["id"].as_str().unwrap().to_owned();
    let (s, _) = post(
        &app,
        &approver,
        &format!("/api/v1/warnings/{id}/approve"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // This server does no background work: the delivery waits in the outbox. Stop it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.received().is_empty());
    app.halt().await;
    let pending = app.db.store.deliveries(None, 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].status, "pending");

    // Restarted (with background work): delivered, once.
    let again = app
        .instance(Config {
            limits: varde_web::limits::Limits::off(),
            ..Config::default()
        })
        .await;
    let got = receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.received().len(), 1, "{got:?}");
    let done = app.db.store.deliveries(None, 10).await.unwrap();
    assert_eq!(
        (done[0].status.as_str(), done[0].attempts),
        ("delivered", 1)
    );
    again.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_outbox_survives_a_stop() {
    survives_a_stop(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_outbox_survives_a_stop() {
    survives_a_stop(Engine::Postgres).await;
}

/// Two servers with background work on one PostgreSQL database; 12 publications to 2
/// subscribers: every message arrives exactly once, and both servers did some of the work.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_servers_deliver_each_message_once() {
    let config = || Config {
        limits: varde_web::limits::Limits::off(),
        ..Config::default()
    };
    let Some(app) = TestApp::start_with(Engine::Postgres, config()).await else {
        return;
    };
    let other = app.instance(config()).await;
    // Slow receivers keep both servers' workers busy at the same time.
    let a = Receiver::start(200, Duration::from_millis(40)).await;
    let b = Receiver::start(200, Duration::from_millis(40)).await;
    let admin = app.token("systemadmin").await;
    let editor = app.token("varselredaktor").await;
    let approver = app.token("varselgodkjenner").await;
    let approver2 = second_approver(&app, "varselvakt").await;
    for r in [&a, &b] {
        let (s, _) = post(&app, &admin, "/api/v1/webhooks", &json!({"url": r.url})).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    const N: usize = 12;
    for i in 0..N {
        let (s, v) = post(&app, &editor, "/api/v1/warnings", &body()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_str().unwrap().to_owned();
        // Approvals go to either server, as behind a load balancer.
        let (base, token) = if i % 2 == 0 {
            (app.base.clone(), &approver)
        } else {
            (other.base.clone(), &approver2)
        };
        let res = app
            .client()
            .post(format!("{base}/api/v1/warnings/{id}/approve"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    a.wait_for(N).await;
    b.wait_for(N).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for r in [&a, &b] {
        let got = r.received();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for m in &got {
            *by_id.entry(m.id.clone()).or_default() += 1;
        }
        assert_eq!(by_id.len(), N, "every message arrived");
        assert!(by_id.values().all(|&n| n == 1), "each once: {by_id:?}");
    }
    let mut instances = std::collections::HashSet::new();
    for d in app.db.store.deliveries(None, 100).await.unwrap() {
        assert_eq!((d.status.as_str(), d.attempts), ("delivered", 1));
        for at in app.db.store.delivery_attempts(d.id).await.unwrap() {
            instances.insert(at.instance);
        }
    }
    assert_eq!(instances.len(), 2, "both servers delivered: {instances:?}");
    other.stop().await;
    app.stop().await;
}

async fn failing_subscriber(engine: Engine) {
    let Some(app) = TestApp::start_with(
        engine,
        Config {
            limits: varde_web::limits::Limits::off(),
            ..Config::default()
        },
    )
    .await
    else {
        return;
    };
    let down = Receiver::start(503, Duration::ZERO).await;
    let admin = app.token("systemadmin").await;
    let editor = app.token("varselredaktor").await;
    let approver = app.token("varselgodkjenner").await;
    let (_, v) = post(&app, &admin, "/api/v1/webhooks", &json!({"url": down.url})).await;
    let hook = v["id"].as_i64().unwrap();
    let (_, v) = post(&app, &editor, "/api/v1/warnings", &body()).await;
    let id = v["id"].as_str().unwrap().to_owned();
    post(
        &app,
        &approver,
        &format!("/api/v1/warnings/{id}/approve"),
        &json!({}),
    )
    .await;
    down.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let d = app
        .db
        .store
        .deliveries(Some(hook), 10)
        .await
        .unwrap()
        .remove(0);
    // The test clock stands still, so the retry (5 s later) is not due yet.
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.last_status, Some(503));
    assert!(d.next_attempt_at > d.created_at);
    let log = app.db.store.delivery_attempts(d.id).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].error.as_deref(), Some("HTTP 503"));
    // The admin resends: tried again at once, with the same webhook-id.
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/webhooks/deliveries/{}/resend", d.id)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let got = down.wait_for(2).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, got[1].id);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_failing_subscriber_is_retried_and_resent() {
    failing_subscriber(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_failing_subscriber_is_retried_and_resent() {
    failing_subscriber(Engine::Postgres).await;
}
