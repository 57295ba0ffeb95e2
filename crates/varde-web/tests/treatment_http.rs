//! LAR and coercion (helse- og omsorgstjenesteloven chapter 10) over HTTP, on SQLite and
//! PostgreSQL: admission and discharge by a specialist only, delegation to a GP, dispensing
//! agreements, the population per municipality and unit; coercion decisions with computed end
//! dates, the § 10-4 limit, warnings past the legal limit and the yearly table; access rules
//! and the access log; the two pages. The clock is fixed at 2026-11-24.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use common::{browser_login, csrf_of, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_engines!(
    lar_admission_delegation_agreements_and_population,
    coercion_end_dates_limits_warnings_and_table,
    only_clinicians_of_the_unit_reach_lar_and_coercion,
    treatment_pages_render_and_submit,
    stale_writes_leave_nothing_behind,
    dates_after_today_are_refused,
    lar_episodes_do_not_overlap,
    warnings_cover_ended_stays_and_gaps_between_decisions,
    national_figures_sum_organisations_and_hide_small_cells,
);

const UNIT: &str = "Demo behandlingsenhet TSB";

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

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = app.get_text(token, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn count(rows: &Value, key: &str) -> u64 {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .map_or(0, |r| r["patients"].as_u64().unwrap())
}

/// A clinician of the demo treatment unit with the given qualification; returns a token.
async fn user_with_qualification(
    app: &TestApp,
    username: &str,
    q: varde_core::org::Qualification,
) -> String {
    let store = &app.db.store;
    let org = store
        .org_by_key(varde_web::bootstrap::DEMO_TREATMENT_ORGNR)
        .await
        .unwrap()
        .unwrap()
        .id;
    let hash = varde_web::auth::hash_password_blocking(common::PASSWORD).unwrap();
    let now: jiff::Timestamp = common::NOW.parse().unwrap();
    store
        .create_user(
            org,
            varde_core::org::Role::Clinician,
            q,
            username,
            &hash,
            now,
        )
        .await
        .unwrap();
    app.token(username).await
}

async fn lar_admission_delegation_agreements_and_population(app: &TestApp) {
    let token = app.token("kliniker").await;
    let admit = |patient: &str, kommune: &str, unit: &str, date: &str, by: &str| json!({"patient": patient, "kommune": kommune, "unit": unit, "date": date, "decided_by": by});

    // Admission: a specialist's decision; a GP is refused with the rule, and nothing is written.
    ok(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("A", "0301", "", "2026-01-05", "specialist"),
    )
    .await;
    // The decision carries the acting user's recorded qualification: a specialist may not
    // register it as someone else's, and a GP of the unit is refused by the rule.
    let rule = refused(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("B", "0301", "", "2026-01-05", "gp"),
        "decided_by",
    )
    .await;
    assert!(rule.contains("recorded for your user"), "{rule}");
    let gp =
        user_with_qualification(app, "fastlege.klinikk", varde_core::org::Qualification::Gp).await;
    let rule = refused(
        app,
        &gp,
        "/api/v1/lar/admissions",
        admit("B", "0301", "", "2026-01-05", ""),
        "decided_by",
    )
    .await;
    assert!(rule.contains("only a specialist"), "{rule}");
    let rule = refused(
        app,
        &gp,
        "/api/v1/lar/discharges",
        json!({"patient": "A", "date": "2026-01-06"}),
        "decided_by",
    )
    .await;
    assert!(rule.contains("only a specialist"), "{rule}");
    // The org-admin records qualifications; an unknown one is refused, naming the field.
    let admin = app.token("admin.klinikk").await;
    let add = |q: &str| json!({"username": format!("lege.{q}"), "password": "et-langt-passord-1", "role": "clinician", "qualification": q});
    let (status, doc) = post(app, &admin, "/api/v1/users", add("surgeon")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(doc.to_string().contains("qualification"), "{doc}");
    ok(app, &admin, "/api/v1/users", add("specialist")).await;
    let user = app
        .db
        .store
        .user_by_username("lege.specialist")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.qualification, "specialist");
    let p = get_json(app, &token, "/api/v1/lar/population?as_of=2026-01-10").await;
    assert_eq!(p["total"], 1);
    ok(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("B", "0301", "", "2026-01-05", "specialist"),
    )
    .await;
    ok(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("C", "4601", "LAR Bergen", "2026-02-01", "specialist"),
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("C", "4601", "", "2026-03-01", "specialist"),
        "patient",
    )
    .await;
    // A national identity number is not a patient reference; an unknown municipality is refused.
    refused(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit(
            &common::synthetic_id(1),
            "0301",
            "",
            "2026-01-05",
            "specialist",
        ),
        "patient",
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("D", "0000", "", "2026-01-05", "specialist"),
        "kommune",
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("D", "0301", "", "5 Jan", "specialist"),
        "date",
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("D", "0301", "", "2026-01-05", "boss"),
        "decided_by",
    )
    .await;

    // Delegation of prescribing to a GP (specialist or physician of the unit).
    let delegate = |patient: &str, by: &str| json!({"patient": patient, "gp": "HPR-9001", "date": "2026-03-01", "decided_by": by});
    refused(
        app,
        &token,
        "/api/v1/lar/delegations",
        delegate("A", "other"),
        "decided_by",
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/lar/delegations",
        delegate("X", "specialist"),
        "patient",
    )
    .await;
    ok(app, &token, "/api/v1/lar/delegations", delegate("A", "")).await;

    // Municipal dispensing needs an agreement with the patient's municipality.
    let rule = refused(
        app,
        &token,
        "/api/v1/lar/dispensing",
        json!({"patient": "A", "date": "2026-03-01"}),
        "date",
    )
    .await;
    assert!(rule.contains("no dispensing agreement"), "{rule}");
    refused(
        app,
        &token,
        "/api/v1/lar/agreements",
        json!({"kommune": "0301", "from": "2026-02-01", "until": "2026-01-01"}),
        "until",
    )
    .await;
    ok(
        app,
        &token,
        "/api/v1/lar/agreements",
        json!({"kommune": "0301", "from": "2026-01-01"}),
    )
    .await;
    ok(
        app,
        &token,
        "/api/v1/lar/dispensing",
        json!({"patient": "A", "date": "2026-03-01"}),
    )
    .await;
    let agreements = get_json(app, &token, "/api/v1/lar/agreements").await;
    assert_eq!(agreements[0]["unit"], UNIT);
    assert_eq!(agreements[0]["kommune_name"], "Oslo");
    assert_eq!(agreements[0]["in_force"], true);

    // Discharge: a specialist's decision.
    let discharge = |by: &str| json!({"patient": "B", "date": "2026-06-01", "decided_by": by});
    refused(
        app,
        &token,
        "/api/v1/lar/discharges",
        discharge("gp"),
        "decided_by",
    )
    .await;
    ok(
        app,
        &token,
        "/api/v1/lar/discharges",
        discharge("specialist"),
    )
    .await;
    // A discharge dated before the admission names the date and the admission.
    let rule = refused(
        app,
        &token,
        "/api/v1/lar/discharges",
        json!({"patient": "A", "date": "2025-12-01", "decided_by": "specialist"}),
        "date",
    )
    .await;
    assert!(
        rule.contains("before the admission on 2026-01-05"),
        "{rule}"
    );

    // The population per municipality and unit, on a date.
    let p = get_json(app, &token, "/api/v1/lar/population?as_of=2026-05-01").await;
    assert_eq!(p["total"], 3);
    assert_eq!(count(&p["by_kommune"], "0301"), 2);
    assert_eq!(count(&p["by_kommune"], "4601"), 1);
    assert_eq!(count(&p["by_unit"], UNIT), 2);
    assert_eq!(count(&p["by_unit"], "LAR Bergen"), 1);
    let p = get_json(app, &token, "/api/v1/lar/population").await;
    assert_eq!(p["as_of"], "2026-11-24");
    assert_eq!(p["total"], 2);
    assert_eq!(count(&p["by_kommune"], "0301"), 1);

    // Who prescribes and who dispenses.
    let patients = get_json(app, &token, "/api/v1/lar/patients").await;
    let a = patients
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["patient"] == "A")
        .unwrap();
    assert_eq!(a["prescriber_kind"], "gp");
    assert_eq!(a["prescriber"], "HPR-9001");
    assert_eq!(a["municipal_dispensing_from"], "2026-03-01");
    let b = patients
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["patient"] == "B")
        .unwrap();
    assert_eq!(
        (b["in_lar"].clone(), b["discharged"].clone()),
        (json!(false), json!("2026-06-01"))
    );

    // Every write and read is in the access log, and the chain holds.
    let log = app.access_log(10_000).await;
    let writes = log.iter().filter(|e| e.action == "lar.write").count();
    assert_eq!(
        writes, 7,
        "three admissions, delegation, agreement, dispensing, discharge"
    );
    assert!(log
        .iter()
        .any(|e| e.action == "lar.write" && e.record == "lar:A"));
    assert!(log
        .iter()
        .any(|e| e.action == "lar.read" && e.record.starts_with("lar-population:")));
    assert!(app.db.store.verify_access_log().await.unwrap().is_ok());
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

async fn coercion_end_dates_limits_warnings_and_table(app: &TestApp) {
    let token = app.token("kliniker").await;
    let stay = |id: &str, start: &str| json!({"stay_id": id, "patient": format!("pt-{id}"), "start": start});

    // § 10-2: up to three months from the start.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("S1", "2026-08-03"),
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("S1", "2026-08-03"),
        "stay_id",
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("a/b", "2026-08-03"),
        "stay_id",
    )
    .await;
    let doc = ok(
        app,
        &token,
        "/api/v1/coercion/stays/S1/decisions",
        decision("10-2", "main", "2026-08-03", "2026-08-03"),
    )
    .await;
    assert_eq!(doc["decisions"][0]["legal_end"], "2026-11-03");
    assert_eq!(doc["decisions"][0]["county_board_due"], Value::Null);
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S1/decisions",
        decision("10-2", "main", "2026-08-01", "2026-08-01"),
        "from",
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/NOPE/decisions",
        decision("10-2", "main", "2026-08-03", "2026-08-03"),
        "stay_id",
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S1/decisions",
        decision("10-9", "main", "2026-08-03", "2026-08-03"),
        "section",
    )
    .await;

    // The stay is still going on after its legal end: a warning.
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    let w = &stay_of(&stays, "S1")["warnings"];
    assert_eq!(w.as_array().unwrap().len(), 1, "{w}");
    assert_eq!(w[0]["kind"], "past_legal_limit");
    assert_eq!(w[0]["section"], "10-2");
    assert_eq!(w[0]["date"], "2026-11-03");
    let stays = get_json(app, &token, "/api/v1/coercion/stays?as_of=2026-11-03").await;
    assert!(stay_of(&stays, "S1")["warnings"]
        .as_array()
        .unwrap()
        .is_empty());
    // An appeal against the decision.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays/S1/decisions/1/appeal",
        json!({"date": "2026-08-10"}),
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S1/decisions/1/appeal",
        json!({"date": "2026-08-11"}),
        "decision",
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S1/decisions/2/appeal",
        json!({"date": "2026-08-11"}),
        "decision",
    )
    .await;

    // § 10-4: three weeks from the withdrawal of consent, at most three times per stay.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("S2", "2026-10-01"),
    )
    .await;
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S2/decisions",
        decision("10-4", "temporary", "2026-10-02", "2026-10-02"),
        "kind",
    )
    .await;
    for (i, day) in ["2026-10-02", "2026-10-12", "2026-10-20"]
        .iter()
        .enumerate()
    {
        let doc = ok(
            app,
            &token,
            "/api/v1/coercion/stays/S2/decisions",
            decision("10-4", "main", day, day),
        )
        .await;
        assert_eq!(doc["decisions"].as_array().unwrap().len(), i + 1);
    }
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/S2/decisions",
        decision("10-4", "main", "2026-11-01", "2026-11-01"),
        "section",
    )
    .await;
    assert!(rule.contains("at most 3 times"), "{rule}");
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    let s2 = stay_of(&stays, "S2");
    assert_eq!(s2["decisions"][0]["legal_end"], "2026-10-23");
    assert_eq!(s2["decisions"][2]["legal_end"], "2026-11-10");
    assert_eq!(s2["warnings"][0]["kind"], "past_legal_limit");
    // Ending the stay in time removes the warning.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays/S2/end",
        json!({"date": "2026-11-09"}),
    )
    .await;
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    assert!(stay_of(&stays, "S2")["warnings"]
        .as_array()
        .unwrap()
        .is_empty());
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S2/decisions",
        decision("10-2", "main", "2026-11-10", "2026-11-10"),
        "from",
    )
    .await;

    // § 10-3: for the pregnancy, with the child welfare service notified.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("S3", "2026-10-01"),
    )
    .await;
    let mut d = decision("10-3", "main", "2026-10-01", "2026-10-01");
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S3/decisions",
        d.clone(),
        "expected_delivery",
    )
    .await;
    d["expected_delivery"] = json!("2027-03-01");
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S3/decisions",
        d.clone(),
        "child_welfare_notified",
    )
    .await;
    d["child_welfare_notified"] = json!("2026-10-01");
    let doc = ok(app, &token, "/api/v1/coercion/stays/S3/decisions", d).await;
    assert_eq!(doc["decisions"][0]["legal_end"], "2027-03-01");

    // A temporary decision: due at the county board within 2 weeks, or it lapses.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("S4", "2026-11-02"),
    )
    .await;
    let doc = ok(
        app,
        &token,
        "/api/v1/coercion/stays/S4/decisions",
        decision("10-2", "temporary", "2026-11-02", "2026-11-02"),
    )
    .await;
    assert_eq!(doc["decisions"][0]["county_board_due"], "2026-11-16");
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    assert_eq!(
        stay_of(&stays, "S4")["warnings"][0]["kind"],
        "temporary_decision_lapsed"
    );
    refused(
        app,
        &token,
        "/api/v1/coercion/stays/S1/decisions/1/county-board",
        json!({"date": "2026-08-05"}),
        "decision",
    )
    .await;
    ok(
        app,
        &token,
        "/api/v1/coercion/stays/S4/decisions/1/county-board",
        json!({"date": "2026-11-12"}),
    )
    .await;
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    assert!(stay_of(&stays, "S4")["warnings"]
        .as_array()
        .unwrap()
        .is_empty());
    ok(
        app,
        &token,
        "/api/v1/coercion/stays/S4/decisions/1/appeal",
        json!({"date": "2026-11-03"}),
    )
    .await;

    // The yearly table per section.
    let t = get_json(app, &token, "/api/v1/coercion/table?year=2026").await;
    assert_eq!(t["year"], 2026);
    let rows = t["rows"].as_array().unwrap();
    let row = |s: &str| rows.iter().find(|r| r["section"] == s).unwrap().clone();
    assert_eq!(
        row("10-2"),
        json!({"section": "10-2", "temporary": 1, "main": 1, "appeals": 2})
    );
    assert_eq!(
        row("10-3"),
        json!({"section": "10-3", "temporary": 0, "main": 1, "appeals": 0})
    );
    assert_eq!(
        row("10-4"),
        json!({"section": "10-4", "temporary": 0, "main": 3, "appeals": 0})
    );
    let t = get_json(app, &token, "/api/v1/coercion/table?year=2025").await;
    assert!(t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["main"] == 0 && r["appeals"] == 0));
    let (status, _) = app
        .get_text(&token, "/api/v1/coercion/table?year=twenty")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let log = app.access_log(10_000).await;
    assert!(log
        .iter()
        .any(|e| e.action == "coercion.write" && e.record == "coercion:S1"));
    assert!(log.iter().any(|e| e.action == "coercion.read"));
    assert!(app.db.store.verify_access_log().await.unwrap().is_ok());
}

/// A write whose stream changed since it was read leaves neither the event nor its access
/// entry (one transaction).
async fn stale_writes_leave_nothing_behind(app: &TestApp) {
    let token = app.token("kliniker").await;
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        json!({"stay_id": "R1", "patient": "pt", "start": "2026-11-01"}),
    )
    .await;
    let user = app
        .db
        .store
        .user_by_username("kliniker")
        .await
        .unwrap()
        .unwrap();
    let org = user.org_id;
    let stream = varde_store::coercion_stream(org, "R1");
    assert_eq!(app.db.store.read_stream(&stream).await.unwrap().len(), 1);
    let before = app.access_log(10_000).await.len();
    let now: jiff::Timestamp = common::NOW.parse().unwrap();
    let event = varde_store::NewEvent {
        stream: stream.clone(),
        kind: "coercion.stay_ended".into(),
        body: r#"{"command":"stay_ended","date":"2026-11-20"}"#.into(),
        actor_id: None,
        org_id: Some(org.0),
        recorded_at: now,
        effective_date: "2026-11-20".into(),
        expected_seq: Some(0),
    };
    let access = varde_store::NewAccess {
        at: now,
        actor: "kliniker".into(),
        actor_id: user.id.0,
        org_id: org.0,
        owner_org_id: org.0,
        action: "coercion.write".into(),
        subject: String::new(),
        record: "coercion:R1".into(),
        purpose: "test".into(),
        outcome: varde_core::audit::Outcome::Allowed,
        flagged: false,
    };
    let err = app
        .db
        .store
        .append_with_access(std::slice::from_ref(&event), Some(&access))
        .await
        .unwrap_err();
    assert!(matches!(err, varde_store::StoreError::Changed(_)), "{err}");
    assert_eq!(app.db.store.read_stream(&stream).await.unwrap().len(), 1);
    assert_eq!(app.access_log(10_000).await.len(), before);
    // With the right sequence number both are written.
    let event = varde_store::NewEvent {
        expected_seq: Some(1),
        ..event
    };
    app.db
        .store
        .append_with_access(&[event], Some(&access))
        .await
        .unwrap();
    assert_eq!(app.db.store.read_stream(&stream).await.unwrap().len(), 2);
    assert_eq!(app.access_log(10_000).await.len(), before + 1);
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    assert_eq!(stay_of(&stays, "R1")["end"], "2026-11-20");
    assert!(app.db.store.verify_access_log().await.unwrap().is_ok());
}

/// The number of allowed writes with `action` in the access log.
async fn writes(app: &TestApp, action: &str) -> usize {
    app.access_log(10_000)
        .await
        .iter()
        .filter(|e| e.action == action && e.outcome == "allowed")
        .count()
}

/// What must already have happened may not be dated after today (the clock: 2026-11-24):
/// admissions, discharges, delegations, the start of an agreement or of municipal dispensing,
/// stays and their end, decisions, retention starts, notices to the child welfare service,
/// cases sent to the county board and appeals lodged. The end of an agreement and the expected
/// date of delivery may lie ahead. Each refusal names the field and the rule and writes nothing.
async fn dates_after_today_are_refused(app: &TestApp) {
    let token = app.token("kliniker").await;
    let future = |field: &str, rule: &str| {
        assert!(
            rule.contains("not after today (2026-11-24)"),
            "{field}: {rule}"
        );
    };
    let admit = |date: &str| json!({"patient": "F", "kommune": "0301", "date": date});
    for date in ["2099-01-01", "2026-11-25"] {
        let rule = refused(app, &token, "/api/v1/lar/admissions", admit(date), "date").await;
        future("date", &rule);
    }
    ok(app, &token, "/api/v1/lar/admissions", admit("2026-11-24")).await;
    let lar_writes = writes(app, "lar.write").await;
    for (path, body, field) in [
        (
            "/api/v1/lar/discharges",
            json!({"patient": "F", "date": "2026-11-25"}),
            "date",
        ),
        (
            "/api/v1/lar/delegations",
            json!({"patient": "F", "gp": "HPR-1", "date": "2026-12-01"}),
            "date",
        ),
        (
            "/api/v1/lar/agreements",
            json!({"kommune": "0301", "from": "2027-01-01"}),
            "from",
        ),
        (
            "/api/v1/lar/dispensing",
            json!({"patient": "F", "date": "2027-01-01"}),
            "date",
        ),
    ] {
        let rule = refused(app, &token, path, body, field).await;
        future(field, &rule);
    }
    assert_eq!(
        writes(app, "lar.write").await,
        lar_writes,
        "nothing written"
    );
    // An agreement may run until a date ahead.
    ok(
        app,
        &token,
        "/api/v1/lar/agreements",
        json!({"kommune": "0301", "from": "2026-11-01", "until": "2027-12-31"}),
    )
    .await;
    let patients = get_json(app, &token, "/api/v1/lar/patients").await;
    assert_eq!(patients[0]["discharged"], Value::Null);

    // Coercion.
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays",
        json!({"stay_id": "F1", "patient": "pt-F1", "start": "2099-01-01"}),
        "start",
    )
    .await;
    future("start", &rule);
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        json!({"stay_id": "F1", "patient": "pt-F1", "start": "2026-11-20"}),
    )
    .await;
    let coercion_writes = writes(app, "coercion.write").await;
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        decision("10-2", "main", "2099-01-01", "2026-11-20"),
        "decided",
    )
    .await;
    future("decided", &rule);
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        decision("10-2", "main", "2026-11-20", "2026-11-25"),
        "from",
    )
    .await;
    future("from", &rule);
    let mut t = decision("10-2", "temporary", "2026-11-20", "2026-11-20");
    t["sent_to_county_board"] = json!("2026-11-30");
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        t,
        "sent_to_county_board",
    )
    .await;
    future("sent_to_county_board", &rule);
    // § 10-3: the expected date of delivery lies ahead, the notice to the child welfare
    // service has happened, and the delivery is not before the retention starts.
    let mut p = decision("10-3", "main", "2026-11-20", "2026-11-20");
    p["expected_delivery"] = json!("2027-04-15");
    p["child_welfare_notified"] = json!("2026-11-25");
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        p.clone(),
        "child_welfare_notified",
    )
    .await;
    future("child_welfare_notified", &rule);
    p["child_welfare_notified"] = json!("2026-11-20");
    p["expected_delivery"] = json!("2026-11-19");
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        p.clone(),
        "expected_delivery",
    )
    .await;
    assert!(
        rule.contains("§ 10-3") && rule.contains("before the retention starts"),
        "{rule}"
    );
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/end",
        json!({"date": "2026-11-25"}),
        "date",
    )
    .await;
    future("date", &rule);
    assert_eq!(
        writes(app, "coercion.write").await,
        coercion_writes,
        "nothing written"
    );
    p["expected_delivery"] = json!("2027-04-15");
    let doc = ok(app, &token, "/api/v1/coercion/stays/F1/decisions", p).await;
    assert_eq!(doc["decisions"][0]["legal_end"], "2027-04-15");
    assert!(doc["warnings"].as_array().unwrap().is_empty(), "{doc}");
    ok(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        decision("10-2", "temporary", "2026-11-21", "2026-11-21"),
    )
    .await;
    for path in [
        "/api/v1/coercion/stays/F1/decisions/1/appeal",
        "/api/v1/coercion/stays/F1/decisions/2/county-board",
    ] {
        let rule = refused(app, &token, path, json!({"date": "2026-12-01"}), "date").await;
        future("date", &rule);
    }
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    let f1 = stay_of(&stays, "F1");
    assert_eq!(f1["decisions"][0]["appealed"], Value::Null);
    assert_eq!(f1["decisions"][1]["sent_to_county_board"], Value::Null);
    assert_eq!(f1["end"], Value::Null);
    // The as-of date of a read may lie ahead.
    get_json(app, &token, "/api/v1/coercion/stays?as_of=2027-01-01").await;

    // The forms give the same refusal, on the page.
    let client = browser_login(app, "kliniker").await;
    let (_, html) = page(&client, app, "/pathways/coercion").await;
    let csrf = csrf_of(&html);
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/stay",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "F2"),
                ("patient", "pt-F2"),
                ("start", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("role=\"alert\"") && body.contains("start: a date that has happened"),
        "{body}"
    );
    let (status, body) = app
        .submit(
            &client,
            "/pathways/lar/discharge",
            &[
                ("csrf", csrf.as_str()),
                ("patient", "F"),
                ("date", "2026-12-24"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("not after today"));
    assert_eq!(
        writes(app, "coercion.write").await,
        coercion_writes + 2,
        "the § 10-3 and the temporary decision"
    );
}

/// A back-dated admission may not overlap an earlier, closed episode of the patient.
async fn lar_episodes_do_not_overlap(app: &TestApp) {
    let token = app.token("kliniker").await;
    let admit = |date: &str| json!({"patient": "O", "kommune": "0301", "date": date});
    ok(app, &token, "/api/v1/lar/admissions", admit("2026-03-01")).await;
    ok(
        app,
        &token,
        "/api/v1/lar/discharges",
        json!({"patient": "O", "date": "2026-06-01"}),
    )
    .await;
    let rule = refused(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("2026-01-01"),
        "date",
    )
    .await;
    assert!(
        rule.contains("overlap") && rule.contains("2026-03-01 to 2026-06-01"),
        "{rule}"
    );
    refused(
        app,
        &token,
        "/api/v1/lar/admissions",
        admit("2026-05-01"),
        "patient",
    )
    .await;
    let p = get_json(app, &token, "/api/v1/lar/population?as_of=2026-02-01").await;
    assert_eq!(p["total"], 0);
    ok(app, &token, "/api/v1/lar/admissions", admit("2026-06-01")).await;
    let patients = get_json(app, &token, "/api/v1/lar/patients").await;
    let spans: Vec<(Value, Value)> = patients
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["admitted"].clone(), e["discharged"].clone()))
        .collect();
    assert_eq!(
        spans,
        vec![
            (json!("2026-03-01"), json!("2026-06-01")),
            (json!("2026-06-01"), Value::Null)
        ]
    );
}

/// The legal-limit warning stays once a stay has ended, and days between two decisions that no
/// decision covers are flagged.
async fn warnings_cover_ended_stays_and_gaps_between_decisions(app: &TestApp) {
    let token = app.token("kliniker").await;
    for id in ["G1", "G2", "G3"] {
        ok(
            app,
            &token,
            "/api/v1/coercion/stays",
            json!({"stay_id": id, "patient": format!("pt-{id}"), "start": "2026-01-01"}),
        )
        .await;
        ok(
            app,
            &token,
            &format!("/api/v1/coercion/stays/{id}/decisions"),
            decision("10-2", "main", "2026-01-01", "2026-01-01"),
        )
        .await;
    }
    // G1: the decision ran out on 1 April, the next began on 1 May; the stay ended 1 June.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays/G1/decisions",
        decision("10-2", "main", "2026-05-01", "2026-05-01"),
    )
    .await;
    // G2: no further decision; the stay ended 1 June, two months past the legal limit.
    // G3: the next decision began the day after the legal end; no warning.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays/G3/decisions",
        decision("10-2", "main", "2026-04-02", "2026-04-02"),
    )
    .await;
    for id in ["G1", "G2", "G3"] {
        ok(
            app,
            &token,
            &format!("/api/v1/coercion/stays/{id}/end"),
            json!({"date": "2026-06-01"}),
        )
        .await;
    }
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    let w = &stay_of(&stays, "G1")["warnings"];
    assert_eq!(
        w,
        &json!([{"kind": "gap_between_decisions", "section": "10-2", "date": "2026-04-01", "next_from": "2026-05-01"}])
    );
    let w = &stay_of(&stays, "G2")["warnings"];
    assert_eq!(
        w,
        &json!([{"kind": "past_legal_limit", "section": "10-2", "date": "2026-04-01"}])
    );
    assert!(stay_of(&stays, "G3")["warnings"]
        .as_array()
        .unwrap()
        .is_empty());
    // Seen during the gap, G1 was past its legal limit.
    let stays = get_json(app, &token, "/api/v1/coercion/stays?as_of=2026-04-15").await;
    assert_eq!(
        stay_of(&stays, "G1")["warnings"][0]["kind"],
        "past_legal_limit"
    );
    let stays = get_json(app, &token, "/api/v1/coercion/stays?as_of=2026-04-01").await;
    assert!(stay_of(&stays, "G2")["warnings"]
        .as_array()
        .unwrap()
        .is_empty());

    // The page lists both, in words.
    let client = browser_login(app, "kliniker").await;
    let (status, html) = page(&client, app, "/pathways/coercion").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("§ 10-2 – dager i oppholdet uten gyldig vedtak mellom to vedtak, siste lovlige dag 2026-04-01, neste tilbakeholdelse fra 2026-05-01"),
        "{html}"
    );
    assert!(
        html.contains("§ 10-2 – oppholdet har passert lovens grense, siste lovlige dag 2026-04-01"),
        "{html}"
    );
}

async fn only_clinicians_of_the_unit_reach_lar_and_coercion(app: &TestApp) {
    for user in ["radgiver.oslo", "revisor.oslo"] {
        let token = app.token(user).await;
        for path in [
            "/api/v1/lar/population",
            "/api/v1/lar/patients",
            "/api/v1/coercion/stays",
            "/api/v1/coercion/table",
        ] {
            let (status, _) = app.get_text(&token, path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}");
        }
        let (status, _) = post(app, &token, "/api/v1/lar/admissions", json!({"patient": "A", "kommune": "0301", "date": "2026-01-05", "decided_by": "specialist"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        let (status, _) = post(
            app,
            &token,
            "/api/v1/coercion/stays",
            json!({"stay_id": "S1", "patient": "p", "start": "2026-01-05"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
    let res = app
        .client()
        .get(app.url("/api/v1/lar/population"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The refusals are logged; nothing was written.
    let log = app.access_log(10_000).await;
    assert!(log
        .iter()
        .any(|e| e.action == "lar.write" && e.actor == "radgiver.oslo" && e.outcome == "denied"));
    assert!(log.iter().any(|e| e.action == "coercion.read"
        && e.actor == "revisor.oslo"
        && e.outcome == "denied"));
    assert!(!log
        .iter()
        .any(|e| e.outcome == "allowed" && e.action.starts_with("lar.")));
    let token = app.token("kliniker").await;
    let p = get_json(app, &token, "/api/v1/lar/population").await;
    assert_eq!(p["total"], 0);
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn treatment_pages_render_and_submit(app: &TestApp) {
    let client = browser_login(app, "kliniker").await;
    let (status, worklist) = page(&client, app, "/pathways").await;
    assert_eq!(status, StatusCode::OK);
    assert!(worklist.contains("href=\"/pathways/lar\""));
    assert!(worklist.contains("href=\"/pathways/coercion\""));

    // LAR: admit through the form; registering it as another's decision shows the rule.
    let (status, lar) = page(&client, app, "/pathways/lar").await;
    assert_eq!(status, StatusCode::OK);
    assert!(lar.contains("id=\"admit-patient\""), "the admission form");
    let csrf = csrf_of(&lar);
    let admit = |by: &'static str, patient: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("patient", patient.to_string()),
            ("kommune", "0301".to_string()),
            ("date", "2026-11-02".to_string()),
            ("decided_by", by.to_string()),
        ]
    };
    let (status, body) = app
        .submit(&client, "/pathways/lar/admit", &admit("specialist", "H-1"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", body);
    let (status, body) = app
        .submit(&client, "/pathways/lar/admit", &admit("gp", "H-2"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("role=\"alert\"") && body.contains("recorded for your user"),
        "{body}"
    );
    // Without the CSRF token: refused.
    let (status, _) = app
        .submit(
            &client,
            "/pathways/lar/admit",
            &[
                ("patient", "H-3"),
                ("kommune", "0301"),
                ("date", "2026-11-02"),
                ("decided_by", "specialist"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .submit(
            &client,
            "/pathways/lar/agreement",
            &[
                ("csrf", csrf.as_str()),
                ("kommune", "0301"),
                ("from", "2026-01-01"),
                ("until", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, lar) = page(&client, app, "/pathways/lar").await;
    assert!(lar.contains("H-1"));
    assert!(!lar.contains("H-2"));
    assert!(lar.contains("0301 Oslo"));
    assert!(lar.contains("scope=\"col\""));
    // The note says where the role comes from: the user's recorded qualification.
    assert!(
        lar.contains("Rollen er kvalifikasjonen som er registrert for brukeren din"),
        "{lar}"
    );
    assert!(!lar.contains("oppgis i skjemaet"));

    // Coercion: a stay and a § 10-2 decision through the forms; the end date and the table.
    let (status, coercion) = page(&client, app, "/pathways/coercion").await;
    assert_eq!(status, StatusCode::OK);
    assert!(coercion.contains("Årstabell"));
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/stay",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O1"),
                ("patient", "pt-O1"),
                ("start", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/decision",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O1"),
                ("section", "10-2"),
                ("kind", "main"),
                ("decided", "2026-11-02"),
                ("from", "2026-11-02"),
                ("expected_delivery", ""),
                ("child_welfare_notified", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", body);
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/decision",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O1"),
                ("section", "10-3"),
                ("kind", "main"),
                ("decided", "2026-11-02"),
                ("from", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/stay",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O2"),
                ("patient", "pt-O2"),
                ("start", "2026-11-03"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/decision",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O2"),
                ("section", "10-3"),
                ("kind", "main"),
                ("decided", "2026-11-03"),
                ("from", "2026-11-03"),
                ("expected_delivery", "2027-04-15"),
                ("child_welfare_notified", "2026-11-04"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", body);
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/appeal",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O1"),
                ("decision", "1"),
                ("date", "2026-11-05"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, coercion) = page(&client, app, "/pathways/coercion").await;
    assert!(
        coercion.contains("2027-02-02"),
        "legal end of the § 10-2 decision"
    );
    assert!(coercion.contains("<th scope=\"row\">§ 10-2</th><td>0</td><td>1</td><td>1</td>"));
    // The decisions table shows the § 10-3 dates: the expected delivery (also its legal end)
    // and the notice to the child welfare service.
    assert!(coercion
        .contains("<th scope=\"col\">Termin</th><th scope=\"col\">Barnevernet varslet</th>"));
    assert!(
        coercion.contains("<td>2027-04-15</td><td></td><td>2027-04-15</td><td>2026-11-04</td>"),
        "{coercion}"
    );

    // A refused form shows the page again and logs that as a read, not a write.
    let log = app.access_log(10_000).await;
    let writes = |action: &str| log.iter().filter(|e| e.action == action).count();
    assert_eq!(writes("lar.write"), 2, "the admission and the agreement");
    assert_eq!(
        writes("coercion.write"),
        5,
        "two stays, two decisions, the appeal"
    );
    assert!(log
        .iter()
        .any(|e| e.action == "lar.read" && e.record.starts_with("lar:org:")));

    // Another role gets the refusal page.
    let advisor = browser_login(app, "radgiver.oslo").await;
    for path in ["/pathways/lar", "/pathways/coercion"] {
        let (status, _) = page(&advisor, app, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

/// The analyst's national LAR population and coercion table: summed over organisations, cells
/// of 1–4 hidden (the row remains), zero shown; advisors have no access.
async fn national_figures_sum_organisations_and_hide_small_cells(app: &TestApp) {
    app.add_treatment_org("Bergen LAR", "kliniker.bergen").await;
    let oslo = app.token("kliniker").await;
    let bergen = app.token("kliniker.bergen").await;
    // The demo unit: five patients from Oslo; Bergen's: three from Oslo, two from Bergen and
    // three from Stavanger.
    for (token, patient, kommune) in [
        (&oslo, "A1", "0301"),
        (&oslo, "A2", "0301"),
        (&oslo, "A3", "0301"),
        (&oslo, "A4", "0301"),
        (&oslo, "A5", "0301"),
        (&bergen, "B1", "0301"),
        (&bergen, "B2", "0301"),
        (&bergen, "B3", "0301"),
        (&bergen, "B4", "4601"),
        (&bergen, "B5", "4601"),
        (&bergen, "B6", "1103"),
        (&bergen, "B7", "1103"),
        (&bergen, "B8", "1103"),
    ] {
        ok(
            app,
            token,
            "/api/v1/lar/admissions",
            json!({"patient": patient, "kommune": kommune, "date": "2026-03-01", "decided_by": "specialist"}),
        )
        .await;
    }
    // Coercion: five § 10-2 main decisions over the two organisations, one § 10-4.
    for (token, stay, section) in [
        (&oslo, "s1", "10-2"),
        (&oslo, "s2", "10-2"),
        (&bergen, "s1", "10-2"),
        (&bergen, "s2", "10-2"),
        (&bergen, "s3", "10-2"),
        (&bergen, "s4", "10-4"),
    ] {
        ok(
            app,
            token,
            "/api/v1/coercion/stays",
            json!({"stay_id": stay, "patient": format!("P-{stay}"), "start": "2026-06-01"}),
        )
        .await;
        ok(
            app,
            token,
            &format!("/api/v1/coercion/stays/{stay}/decisions"),
            json!({"section": section, "kind": "main", "decided": "2026-06-01", "from": "2026-06-01"}),
        )
        .await;
    }
    let analyst = app.token("analytiker").await;
    let p = get_json(app, &analyst, "/api/v1/lar/population/national").await;
    assert_eq!(p["total"], 13);
    let row = |rows: &Value, key: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no {key} in {rows}"))
            .clone()
    };
    let oslo_k = row(&p["by_kommune"], "0301");
    assert_eq!(
        (oslo_k["patients"].as_u64(), &oslo_k["suppressed"]),
        (Some(8), &json!(false))
    );
    assert_eq!(oslo_k["name"], "Oslo");
    // Bergen's 2 and Stavanger's 3 are hidden (together 5: neither can be told from the total).
    for k in ["4601", "1103"] {
        let r = row(&p["by_kommune"], k);
        assert!(r["patients"].is_null() && r["suppressed"] == true, "{r}");
    }
    let by_org = &p["by_organisation"];
    assert_eq!(row(by_org, "Bergen LAR")["patients"], 8);
    assert_eq!(row(by_org, UNIT)["patients"], 5);
    let t = get_json(app, &analyst, "/api/v1/coercion/table/national?year=2026").await;
    let section = |s: &str| {
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["section"] == s)
            .unwrap()
            .clone()
    };
    assert_eq!(section("10-2")["main"], 5);
    assert_eq!(section("10-2")["appeals"], 0, "a zero is shown");
    assert!(section("10-4")["main"].is_null(), "one decision: hidden");
    // The page shows the same; an advisor is refused.
    let client = browser_login(app, "analytiker").await;
    let page = client
        .get(app.url("/pathways/national"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Nasjonale tall") && page.contains("skjult (&#60; 5)"),
        "{page}"
    );
    // Advisors have no access; nor do clinicians (they see their own figures in full, and
    // national minus own would give away the others' small cells).
    for user in ["radgiver.oslo", "kliniker"] {
        let token = app.token(user).await;
        for path in [
            "/api/v1/lar/population/national",
            "/api/v1/coercion/table/national",
        ] {
            let (status, _) = app.get_text(&token, path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}");
        }
    }
    // The population is given at month ends only (the default: the last one, 31 October).
    assert_eq!(p["as_of"], "2026-10-31");
    let (status, body) = app
        .get_text(&analyst, "/api/v1/lar/population/national?as_of=2026-11-15")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["errors"][0]["field"], "as_of");
    let june = get_json(
        app,
        &analyst,
        "/api/v1/lar/population/national?as_of=2026-06-30",
    )
    .await;
    assert_eq!(june["total"], 13);
}
