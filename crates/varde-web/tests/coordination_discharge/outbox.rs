//! The notices' webhooks go through the shared outbox: a municipality registers its own
//! subscriber; each notice raised and each step is delivered, signed, naming the notice and
//! never the person; two servers on one PostgreSQL database deliver each message once.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_store::Engine;

use super::{raise, resident};
use crate::common::receiver::{config, Receiver};
use crate::common::{post, TestApp};

async fn a_municipality_subscribes(engine: Engine) {
    let Some(app) = TestApp::start_with(engine, config()).await else {
        return;
    };
    let receiver = Receiver::start(200, Duration::ZERO).await;
    let admin = app.token("admin.oslo").await;
    let res = post(
        &app,
        &admin,
        "/api/v1/coordination/discharge/webhooks",
        &json!({"url": receiver.url}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let secret = res.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(secret.starts_with("whsec_"));
    // Only its own org-admin registers; a clinician of the unit may not.
    let unit = app.token("kliniker").await;
    let res = post(
        &app,
        &unit,
        "/api/v1/coordination/discharge/webhooks",
        &json!({"url": receiver.url}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post(
        &app,
        &admin,
        "/api/v1/coordination/discharge/webhooks",
        &json!({"url": "ftp://x"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A notice to Oslo is delivered; one to Bergen is not sent to Oslo's subscriber.
    let oslo_person = resident(&app, &unit, 11, Some("0301")).await;
    let bergen_person = resident(&app, &unit, 12, Some("4601")).await;
    assert_eq!(
        raise(&app, &unit, bergen_person).await.status(),
        StatusCode::CREATED
    );
    let res = raise(&app, &unit, oslo_person).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["type"], "coordination.discharge.raised");
    assert_eq!(body["data"]["notice"], id);
    assert!(!got[0].body.contains("Pasient"), "never the person");
    assert!(got[0].signature.starts_with("v1,"), "signed");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_municipality_subscribes_to_its_notices() {
    a_municipality_subscribes(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_municipality_subscribes_to_its_notices() {
    a_municipality_subscribes(Engine::Postgres).await;
}

/// Two servers with background work on one PostgreSQL database; notices raised through
/// either: every message arrives exactly once, and both servers did some of the work.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_servers_deliver_each_notice_once() {
    let Some(app) = TestApp::start_with(Engine::Postgres, config()).await else {
        return;
    };
    let other = app.instance(config()).await;
    let a = Receiver::start(200, Duration::from_millis(40)).await;
    let b = Receiver::start(200, Duration::from_millis(40)).await;
    let admin = app.token("admin.oslo").await;
    for r in [&a, &b] {
        let res = post(
            &app,
            &admin,
            "/api/v1/coordination/discharge/webhooks",
            &json!({"url": r.url}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let unit = app.token("kliniker").await;
    const N: usize = 12;
    for i in 0..N {
        let person = resident(&app, &unit, 20 + i as u32, Some("0301")).await;
        let base = if i % 2 == 0 {
            app.base.clone()
        } else {
            other.base.clone()
        };
        let res = app
            .client()
            .post(format!("{base}/api/v1/coordination/discharge"))
            .bearer_auth(&unit)
            .json(&json!({"person": person, "expected_discharge": "2026-12-10"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    a.wait_for(N).await;
    b.wait_for(N).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for r in [&a, &b] {
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for id in r.received().into_iter().map(|m| m.id) {
            *by_id.entry(id).or_default() += 1;
        }
        assert_eq!(by_id.len(), N, "every message arrived");
        assert!(by_id.values().all(|&n| n == 1), "each once: {by_id:?}");
    }
    let org = app.db.store.org_by_key("0301").await.unwrap().unwrap().id;
    let deliveries = app.db.store.discharge_deliveries(org, 100).await.unwrap();
    assert_eq!(deliveries.len(), 2 * N);
    assert!(deliveries
        .iter()
        .all(|d| d.status == "delivered" && d.attempts == 1));
    let instances = app
        .db
        .store
        .discharge_delivery_instances(org)
        .await
        .unwrap();
    assert_eq!(instances.len(), 2, "both servers delivered: {instances:?}");
    other.stop().await;
    app.stop().await;
}
