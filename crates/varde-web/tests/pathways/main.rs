//! Care pathways over HTTP, with LAR and coercion (helse- og omsorgstjenesteloven chapter 10)
//! as its sub-areas, on SQLite and PostgreSQL. The clock is fixed at 2026-11-24.
//!
//! | file | what |
//! |---|---|
//! | `events.rs` | pathway events through the API: a pathway to its end moves the worklist and the indicators; the rules; corrections and export; places; two organisations |
//! | `import.rs` | the CSV import: all or nothing, idempotent |
//! | `pages.rs` | the area's pages and forms, LAR's and coercion's included |
//! | `patient.rs` | the patient on a pathway: referral names the person, minted ids, reads logged, names on the worklist, person references in imports, the new-referral form |
//! | `lar.rs` | LAR: admission and discharge, delegation, dispensing agreements, the population; episodes |
//! | `coercion.rs` | coercion: end dates, the § 10-4 limit, warnings, the yearly table |
//! | `access.rs` | who may reach pathways, LAR and coercion; dates after today; stale writes |
//! | `national.rs` | the analysts' national LAR and coercion figures |
//! | `indicators.rs` | indicators that leak nothing (complementary suppression, downloads), trends, every unit, definitions |
//!
//! Every scenario runs on both engines (`lar::sqlite::…` and `lar::postgres::…`); PostgreSQL
//! tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod access;
mod coercion;
mod events;
mod import;
mod indicators;
mod lar;
mod national;
mod pages;
mod patient;

use common::{get_page, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

// Pathway events and their import.

const UNIT: &str = "Demo TSB poliklinikk";
const HF: &str = "Oslo universitetssykehus HF";
const RHF: &str = "Helse Sør-Øst RHF";

fn ev(pathway: &str, event: &str, date: &str) -> Value {
    json!({
        "pathway_id": pathway, "unit": UNIT, "hf": HF, "rhf": RHF, "kommune": "0301",
        "care_level": "outpatient", "event": event, "date": date,
    })
}

async fn post_event(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/pathways/events"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn ok_event(app: &TestApp, token: &str, body: Value) {
    let res = post_event(app, token, &body).await;
    let status = res.status();
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{body}: {}",
        res.text().await.unwrap()
    );
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = app.get_text(token, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Referral → right → start → first attendance → clinical decision `decision_on` → evaluation.
async fn run_pathway(app: &TestApp, token: &str, id: &str, first: &str, decision_on: &str) {
    ok_event(app, token, ev(id, "referral_received", "2026-08-03")).await;
    let mut assessed = ev(id, "referral_assessed", "2026-08-05");
    assessed["outcome"] = json!("right");
    assessed["deadline"] = json!("2026-09-30");
    ok_event(app, token, assessed).await;
    ok_event(app, token, ev(id, "pathway_start", "2026-08-05")).await;
    ok_event(app, token, ev(id, "first_attendance", first)).await;
    let mut decision = ev(id, "clinical_decision", decision_on);
    decision["outcome"] = json!("CT");
    ok_event(app, token, decision).await;
}

const HEADER: &str = "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n";

fn csv_row(p: &str, event: &str, date: &str, outcome: &str) -> String {
    format!("{p},{UNIT},{HF},{RHF},0301,outpatient,{event},{date},,{outcome},\n")
}

async fn import(app: &TestApp, token: &str, query: &str, body: String) -> (StatusCode, Value) {
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/pathways/import{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

// LAR and coercion through the API.

/// The demo organisation's name: the unit of its LAR patients and agreements registered without
/// one, and its row among the organisations.
const DEMO_ORG: &str = "Demo behandlingsenhet TSB";

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let res = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, doc) = post(app, token, path, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{path} {body}: {doc}");
    doc
}

/// Posts, expects 422 naming `field`, and returns the rule.
async fn refused(app: &TestApp, token: &str, path: &str, body: Value, field: &str) -> String {
    let (status, doc) = post(app, token, path, body.clone()).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{path} {body}: {doc}"
    );
    assert_eq!(doc["errors"][0]["field"], field, "{doc}");
    doc["errors"][0]["rule"].as_str().unwrap().to_string()
}

fn decision(section: &str, kind: &str, decided: &str, from: &str) -> Value {
    json!({"section": section, "kind": kind, "decided": decided, "from": from})
}

fn stay_of<'a>(stays: &'a Value, id: &str) -> &'a Value {
    stays
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stay_id"] == id)
        .unwrap_or_else(|| panic!("no stay {id} in {stays}"))
}
