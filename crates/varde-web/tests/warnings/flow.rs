//! A warning's whole life through the API: draft → refused self-approval → approval → the
//! public list, the feed and a CAP document that the CAP 1.2 schema accepts → a signed webhook
//! delivery → update (CAP `Update` referencing the first) → cancel (CAP `Cancel`) → gone. And
//! the bad input the area refuses, with nothing written.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::org::{Qualification, Role};

pub use crate::common::receiver::{Received, Receiver};
use crate::common::{TestApp, NOW, PASSWORD};

/// A body of `POST /api/v1/warnings` that passes.
pub fn body() -> Value {
    json!({
        "title": {"nb": "Protonitazen solgt som oksykodon", "en": "Protonitazene sold as oxycodone"},
        "substance": "protonitazene",
        "sold_as": "OxyContin 80 mg",
        "areas": ["0301", "county:46"],
        "severity": "extreme",
        "certainty": "observed",
        "description": {"nb": "Tabletter levert til rusmiddelanalyse inneholdt protonitazen.", "en": "Tablets brought to drug checking held protonitazene."},
        "advice_public": {"nb": "Ikke bruk alene. Ha nalokson tilgjengelig.", "en": "Do not use alone. Keep naloxone at hand."},
        "advice_services": {"nb": "Ha nalokson klart og del ut."},
        "expires": "2026-12-20T12:00:00+01:00"
    })
}

/// A second warning-approver in the approvers' organisation; its token.
pub async fn second_approver(app: &TestApp, username: &str) -> String {
    let store = &app.db.store;
    let org = store
        .user_by_username("varselgodkjenner")
        .await
        .unwrap()
        .unwrap()
        .org_id;
    let hash = varde_web::auth::hash_password_blocking(PASSWORD).unwrap();
    store
        .create_user(
            org,
            Role::WarningApprover,
            Qualification::Other,
            username,
            &hash,
            NOW.parse().unwrap(),
        )
        .await
        .unwrap();
    app.token(username).await
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let res = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let res = app.client().get(app.url(path)).send().await.unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, res.text().await.unwrap())
}

/// Checks a CAP document against the CAP 1.2 schema with `xmllint` (skipped without it,
/// unless `VARDE_REQUIRE_XMLLINT=1`).
pub fn assert_valid_cap(xml: &str) {
    let have = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok();
    if !have {
        assert!(
            std::env::var("VARDE_REQUIRE_XMLLINT").as_deref() != Ok("1"),
            "xmllint is required (VARDE_REQUIRE_XMLLINT=1) but not installed"
        );
        eprintln!("xmllint not installed: CAP schema check skipped");
        return;
    }
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../varde-core/testdata/cap/CAP-v1.2.xsd"
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema", schema])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xmllint: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tag<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let at = xml
        .find(&open)
        .unwrap_or_else(|| panic!("<{name}> in {xml}"))
        + open.len();
    let end = xml[at..].find(&format!("</{name}>")).unwrap();
    &xml[at..at + end]
}

async fn register_hook(app: &TestApp, admin: &str, url: &str) -> (i64, String) {
    let (s, v) = post(app, admin, "/api/v1/webhooks", &json!({"url": url})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let secret = v["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    (v["id"].as_i64().unwrap(), secret)
}

/// Verifies a delivery's signature with the subscriber's secret.
fn signed(r: &Received, secret: &str) -> bool {
    varde_core::warnings::signature::verify(
        secret,
        &r.id,
        r.timestamp,
        r.body.as_bytes(),
        &r.signature,
    )
}

async fn whole_life(app: &TestApp) {
    let receiver = Receiver::start(200, Duration::ZERO).await;
    let admin = app.token("systemadmin").await;
    let editor = app.token("varselredaktor").await;
    let approver = app.token("varselgodkjenner").await;
    let approver2 = second_approver(app, "varselvakt").await;
    let (hook, secret) = register_hook(app, &admin, &receiver.url).await;

    // Drafted by an approver, who may not approve their own version.
    let (s, v) = post(app, &approver, "/api/v1/warnings", &body()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["version"].as_i64(), v["status"].as_str()),
        (Some(1), Some("draft"))
    );
    let id = v["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("OVS-"), "{id}");
    let (s, v) = post(
        app,
        &approver,
        &format!("/api/v1/warnings/{id}/approve"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["errors"][0]["field"], "approver", "{v}");
    // An editor has no approval at all.
    let (s, _) = post(
        app,
        &editor,
        &format!("/api/v1/warnings/{id}/approve"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Nothing public yet.
    let (_, _, list) = get(app, "/api/v1/public/warnings").await;
    assert!(!list.contains(&id));
    let (s, _, _) = get(app, &format!("/warnings/{id}/cap.xml")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Approved by a second approver: published at once.
    let (s, v) = post(
        app,
        &approver2,
        &format!("/api/v1/warnings/{id}/approve"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "published");
    let (s, _, list) = get(app, "/api/v1/public/warnings").await;
    assert_eq!(s, StatusCode::OK);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["id"], id.as_str(), "{list}");
    assert_eq!(list[0]["substance"]["high_risk"], true);
    let (s, ct, feed) = get(app, "/warnings.atom").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("application/atom+xml"), "{ct}");
    assert!(feed.contains(&format!("/warnings/{id}/cap.xml")), "{feed}");
    assert!(feed.contains("application/cap+xml"));
    let (s, ct, cap1) = get(app, &format!("/warnings/{id}/cap.xml")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/cap+xml");
    assert_eq!(tag(&cap1, "msgType"), "Alert");
    assert_eq!(tag(&cap1, "status"), "Actual");
    assert!(tag(&cap1, "sent").ends_with("+01:00"), "{cap1}");
    assert!(cap1.contains("<language>en-GB</language>"));
    assert!(cap1.contains("<valueName>municipalityId</valueName>"));
    assert_valid_cap(&cap1);
    let first_identifier = tag(&cap1, "identifier").to_owned();

    // Delivered to the subscriber, signed.
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1, "one delivery");
    assert!(signed(&got[0], &secret), "signature verifies");
    assert!(!signed(&got[0], "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    let envelope: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(envelope["type"], "warning.published");
    assert_eq!(envelope["data"]["warning"]["id"], id.as_str());
    assert_valid_cap(envelope["data"]["cap_xml"].as_str().unwrap());
    let (s, v) = {
        let res = app
            .client()
            .get(app.url(&format!("/api/v1/webhooks/{hook}/deliveries")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        (res.status(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v[0]["status"], "delivered", "{v}");
    assert_eq!(v[0]["attempts"], 1);

    // An update by the editor, approved: CAP Update referencing the first.
    let mut update = body();
    update["title"]["nb"] = json!("Protonitazen solgt som oksykodon – nå også i Bergen");
    update["areas"] = json!(["0301", "4601"]);
    let (s, v) = post(
        app,
        &editor,
        &format!("/api/v1/warnings/{id}/versions"),
        &update,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["version"], 2);
    let (s, _) = post(
        app,
        &approver,
        &format!("/api/v1/warnings/{id}/approve"),
        &json!({"version": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, _, cap2) = get(app, &format!("/warnings/{id}/cap.xml")).await;
    assert_eq!(tag(&cap2, "msgType"), "Update");
    assert!(
        tag(&cap2, "references").contains(&first_identifier),
        "{cap2}"
    );
    assert_valid_cap(&cap2);
    let (s, _, v1) = get(app, &format!("/warnings/{id}/v/1/cap.xml")).await;
    assert_eq!((s, v1), (StatusCode::OK, cap1.clone()));
    let got = receiver.wait_for(2).await;
    assert_eq!(got.len(), 2);
    assert!(got[1].body.contains("warning.updated"));
    assert_ne!(got[0].id, got[1].id);

    // Cancelled by an approver (never by an editor), with a reason.
    let (s, _) = post(
        app,
        &editor,
        &format!("/api/v1/warnings/{id}/cancel"),
        &json!({"reason": "Feil analyse"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = post(
        app,
        &approver2,
        &format!("/api/v1/warnings/{id}/cancel"),
        &json!({"reason": ""}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"][0]["field"], "reason");
    let (s, v) = post(
        app,
        &approver2,
        &format!("/api/v1/warnings/{id}/cancel"),
        &json!({"reason": "Feil analyse: stoffet var oksykodon"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "cancelled");
    let (_, _, cap3) = get(app, &format!("/warnings/{id}/cap.xml")).await;
    assert_eq!(tag(&cap3, "msgType"), "Cancel");
    assert_valid_cap(&cap3);
    let (_, _, list) = get(app, "/api/v1/public/warnings").await;
    assert_eq!(list, "[]");
    let got = receiver.wait_for(3).await;
    assert_eq!(got.len(), 3);
    assert!(got[2].body.contains("warning.cancelled"));
    assert!(got.iter().all(|r| signed(r, &secret)));
    // A cancelled warning takes no update.
    let (s, v) = post(
        app,
        &editor,
        &format!("/api/v1/warnings/{id}/versions"),
        &body(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");

    // Every step is in the access log with its author.
    let log = app.access_log(200).await;
    let steps: Vec<(&str, &str)> = log
        .iter()
        .filter(|e| e.record == format!("warning:{id}"))
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    for step in [
        ("varselgodkjenner", "warnings.draft"),
        ("varselvakt", "warnings.approve"),
        ("varselredaktor", "warnings.draft"),
        ("varselgodkjenner", "warnings.approve"),
    ] {
        assert!(steps.contains(&step), "{step:?} in {steps:?}");
    }
}

async fn bad_input_is_refused_and_nothing_written(app: &TestApp) {
    let editor = app.token("varselredaktor").await;
    let admin = app.token("systemadmin").await;
    let before = app.db.store.warnings_stamp().await.unwrap();
    let mut cases = Vec::new();
    let mut b = body();
    b["areas"] = json!([]);
    cases.push((b, "areas"));
    let mut b = body();
    b.as_object_mut().unwrap().remove("expires");
    cases.push((b, "expires"));
    let mut b = body();
    b["expires"] = json!("2026-11-01T12:00:00+01:00");
    cases.push((b, "expires"));
    let mut b = body();
    b["expires"] = json!("2027-03-01T12:00:00+01:00");
    cases.push((b, "expires"));
    let mut b = body();
    b["substance"] = json!("protonitazine");
    cases.push((b, "substance"));
    let mut b = body();
    b["areas"] = json!(["9999"]);
    cases.push((b, "areas"));
    let mut b = body();
    b["title"]["nb"] = json!("x".repeat(161));
    cases.push((b, "title"));
    for (b, field) in cases {
        let (s, v) = post(app, &editor, "/api/v1/warnings", &b).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
        let fields: Vec<&str> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{field} in {v}");
    }
    let (_, v) = post(
        app,
        &editor,
        "/api/v1/warnings",
        &json!({"substance": "protonitazine"}),
    )
    .await;
    assert!(
        v["errors"].to_string().contains("protonitazen"),
        "nearest name suggested: {v}"
    );
    assert_eq!(
        app.db.store.warnings_stamp().await.unwrap(),
        before,
        "nothing written"
    );
    let (s, _) = post(
        app,
        &app.token("kliniker").await,
        "/api/v1/warnings",
        &body(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Unknown warning; subscribers that are not http(s) or point here.
    let (s, _) = post(
        app,
        &app.token("varselgodkjenner").await,
        "/api/v1/warnings/OVS-NOPE/approve",
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for url in [
        "ftp://example.org/hook".to_owned(),
        "javascript:alert(1)".to_owned(),
        format!("{}/api/v1/session", app.base),
        app.base.replace("127.0.0.1", "localhost"),
    ] {
        let (s, v) = post(app, &admin, "/api/v1/webhooks", &json!({"url": url})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {v}");
        assert_eq!(v["errors"][0]["field"], "url");
    }
    let (s, v) = post(
        app,
        &admin,
        "/api/v1/webhooks",
        &json!({"url": "https://example.org/hook", "min_severity": "high"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"][0]["field"], "min_severity");
    assert!(app.db.store.webhooks().await.unwrap().is_empty());
    let (s, _) = post(
        app,
        &editor,
        "/api/v1/webhooks",
        &json!({"url": "https://example.org/hook"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn drills_and_subscriber_filters(app: &TestApp) {
    let near = Receiver::start(200, Duration::ZERO).await;
    let far = Receiver::start(200, Duration::ZERO).await;
    let admin = app.token("systemadmin").await;
    let editor = app.token("varselredaktor").await;
    let approver = app.token("varselgodkjenner").await;
    let (s, _) = post(app, &admin, "/api/v1/webhooks", &json!({"url": near.url, "areas": ["county:03"], "min_severity": "severe", "format": "cap"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = post(
        app,
        &admin,
        "/api/v1/webhooks",
        &json!({"url": far.url, "areas": ["5001"]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // A drill: published to staff, never to the public or the subscribers.
    let mut drill = body();
    drill["exercise"] = json!(true);
    let (_, v) = post(app, &editor, "/api/v1/warnings", &drill).await;
    let drill_id = v["id"].as_str().unwrap().to_owned();
    let (s, _) = post(
        app,
        &approver,
        &format!("/api/v1/warnings/{drill_id}/approve"),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, _, list) = get(app, "/api/v1/public/warnings").await;
    assert_eq!(list, "[]");
    let (s, _, _) = get(app, &format!("/warnings/{drill_id}/cap.xml")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A real one in Oslo: the Oslo subscriber gets the CAP XML itself; Trondheim's nothing.
    let (_, v) = post(app, &editor, "/api/v1/warnings", &body()).await;
    let id = v["id"].as_str().unwrap().to_owned();
    post(
        app,
        &approver,
        &format!("/api/v1/warnings/{id}/approve"),
        &json!({}),
    )
    .await;
    let got = near.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert!(got[0].content_type.starts_with("application/cap+xml"));
    assert_valid_cap(&got[0].body);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(far.received().is_empty());
    assert_eq!(near.received().len(), 1, "the drill was not sent");
}

on_both_engines!(
    whole_life,
    bad_input_is_refused_and_nothing_written,
    drills_and_subscriber_filters
);
