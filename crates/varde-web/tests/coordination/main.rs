//! Coordination over HTTP, on SQLite and PostgreSQL, with the clock fixed at 2026-11-24 (every
//! request in the same second): no read across organisations without consent or a legal basis;
//! the next read after a withdrawal is denied; a third organisation sees nothing, not even that
//! a plan exists; bad input is a 422 naming the field, with nothing written; the coordinator's
//! worklist, the figures, the person's overview and the § 18 report; the pages; the FHIR
//! export (`fhir.rs`).
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod fhir;
mod pages;
mod pathway_status;

use fhir::{
    the_discharge_notice_is_the_episode_of_care, the_plan_exports_as_fhir_to_whoever_may_read_it,
};
use pages::{
    the_demo_fills_the_worklist_and_the_pages_round_trip, the_plan_page_and_a_refused_form,
};

use common::{create_person, get, post, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The fields a 422 names, in order.
async fn refused(res: reqwest::Response) -> Vec<String> {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// One person registered by Oslo and by the demo TSB unit; Oslo's plan for them with a goal
/// and a measure, coordinated by `koordinator.oslo`. (oslo token, tsb token, oslo person,
/// tsb person, plan, goal)
pub async fn shared_person(app: &TestApp, n: u32) -> (String, String, i64, i64, i64, i64) {
    let oslo = app.token("koordinator.oslo").await;
    let tsb = app.token("kliniker").await;
    let nid = common::synthetic_id(n);
    let in_oslo = create_person(app, &oslo, &nid, "Ola Samhandling").await;
    let in_tsb = create_person(app, &tsb, &nid, "Ola Samhandling").await;
    let plan = ok(post(
        app,
        &oslo,
        "/api/v1/coordination/plans",
        &json!({"person_id": in_oslo, "coordinator": "koordinator.oslo", "status": "active"}),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let goal = ok(post(
        app,
        &oslo,
        &format!("/api/v1/coordination/plans/{plan}/goals"),
        &json!({"text": "Ha et trygt sted å bo"}),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    (oslo, tsb, in_oslo, in_tsb, plan, goal)
}

pub async fn org_of(app: &TestApp, username: &str) -> i64 {
    app.db
        .store
        .user_by_username(username)
        .await
        .unwrap()
        .unwrap()
        .org_id
        .0
}

fn consent(person: i64, org: i64) -> Value {
    json!({
        "person_id": person, "scope": "plan", "grantee_org": org,
        "purpose": "Samarbeid om oppfølging etter døgnbehandling",
        "valid_from": "2026-11-24", "valid_until": "2027-05-24", "given_how": "written"
    })
}

async fn consent_drives_the_tsb_units_read_and_withdrawal_holds_at_once(app: &TestApp) {
    let (oslo, tsb, in_oslo, in_tsb, plan, _) = shared_person(app, 11).await;
    let path = format!("/api/v1/coordination/plans/{plan}");
    // Without consent: the same 404 as no plan, and the denial logged for Oslo's auditor.
    assert_eq!(get(app, &tsb, &path).await.status(), StatusCode::NOT_FOUND);
    let log = app.access_log(50).await;
    let denied = log
        .iter()
        .find(|e| e.record == format!("coordination:plan:{plan}") && e.outcome == "denied")
        .expect("the denial is logged");
    assert_eq!(denied.actor, "kliniker");
    assert!(
        denied.purpose.contains("no consent in force"),
        "{}",
        denied.purpose
    );
    // The TSB unit's person page lists no plan.
    let v = ok(get(app, &tsb, &format!("/api/v1/coordination/persons/{in_tsb}")).await).await;
    assert_eq!(v["plans"], json!([]));
    // A consent for another scope opens nothing.
    let tsb_org = org_of(app, "kliniker").await;
    let mut other = consent(in_oslo, tsb_org);
    other["scope"] = json!("pathway_status");
    ok(post(app, &oslo, "/api/v1/coordination/consents", &other).await).await;
    assert_eq!(get(app, &tsb, &path).await.status(), StatusCode::NOT_FOUND);
    // With consent to the plan: read, the entry naming the consent.
    let id = ok(post(
        app,
        &oslo,
        "/api/v1/coordination/consents",
        &consent(in_oslo, tsb_org),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let p = ok(get(app, &tsb, &path).await).await;
    assert_eq!(p["person"], "Ola Samhandling");
    assert_eq!(p["goals"][0]["text"], "Ha et trygt sted å bo");
    let entry = app
        .access_log(5)
        .await
        .into_iter()
        .find(|e| e.actor == "kliniker" && e.outcome == "allowed")
        .unwrap();
    assert_eq!(entry.purpose, format!("consent #{id} (plan)"));
    let v = ok(get(app, &tsb, &format!("/api/v1/coordination/persons/{in_tsb}")).await).await;
    assert_eq!(v["plans"][0]["id"], plan);
    // Consent gives reads only.
    let res = post(
        app,
        &tsb,
        &format!("{path}/goals"),
        &json!({"text": "Jobb"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Withdrawn: the next read, in the same second, is denied.
    let res = post(
        app,
        &oslo,
        &format!("/api/v1/coordination/consents/{id}/withdraw"),
        &json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(get(app, &tsb, &path).await.status(), StatusCode::NOT_FOUND);
    let res = post(
        app,
        &oslo,
        &format!("/api/v1/coordination/consents/{id}/withdraw"),
        &json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // The withdrawal is an event.
    let events = app
        .db
        .store
        .read_stream(&format!("coordination:consent:{id}"))
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "coordination.consent_given",
            "coordination.consent_withdrawn"
        ]
    );
    // The person's overview: the consent no longer in force, the TSB unit among the readers
    // with the consent it used.
    let o = ok(get(
        app,
        &oslo,
        &format!("/api/v1/coordination/persons/{in_oslo}/overview"),
    )
    .await)
    .await;
    let in_force: Vec<&str> = o["consents_in_force"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["scope"].as_str().unwrap())
        .collect();
    assert_eq!(in_force, ["pathway_status"]);
    assert!(
        o["readers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["org_name"] == "Demo behandlingsenhet TSB"
                && r["purpose"] == format!("consent #{id} (plan)")),
        "{o}"
    );
    // The § 18 report lists the read with its consent.
    let revisor = app.token("revisor.oslo").await;
    let report = ok(post(
        app,
        &revisor,
        "/api/v1/audit/person-report",
        &json!({"national_id": common::synthetic_id(11)}),
    )
    .await)
    .await;
    assert!(
        report
            .to_string()
            .contains(&format!("consent #{id} (plan)")),
        "{report}"
    );
}

async fn a_third_organisation_sees_nothing(app: &TestApp) {
    let (oslo, _, in_oslo, _, plan, _) = shared_person(app, 12).await;
    app.add_treatment_org("Tredje enhet", "kliniker.tredje")
        .await;
    let third = app.token("kliniker.tredje").await;
    let nid = common::synthetic_id(12);
    let own = create_person(app, &third, &nid, "Ola Samhandling").await;
    // Consent to the demo TSB unit only.
    let tsb_org = org_of(app, "kliniker").await;
    ok(post(
        app,
        &oslo,
        "/api/v1/coordination/consents",
        &consent(in_oslo, tsb_org),
    )
    .await)
    .await;
    let res = get(app, &third, &format!("/api/v1/coordination/plans/{plan}")).await;
    let none = get(app, &third, "/api/v1/coordination/plans/999999").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.text().await.unwrap(), none.text().await.unwrap());
    let v = ok(get(app, &third, &format!("/api/v1/coordination/persons/{own}")).await).await;
    assert_eq!(v["plans"], json!([]));
    // Nor Oslo's person page or consents.
    let res = get(
        app,
        &third,
        &format!("/api/v1/coordination/persons/{in_oslo}"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Break-glass: a clinician with a reason reads, flagged.
    let res = app
        .client()
        .get(app.url(&format!("/api/v1/coordination/plans/{plan}")))
        .bearer_auth(&third)
        .header(
            "varde-break-glass",
            "Bevisstløs pasient i mottak, trenger planen",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let e = &app.access_log(1).await[0];
    assert!(
        e.flagged && e.purpose.starts_with("break-glass"),
        "{}",
        e.purpose
    );
}

async fn the_coordinator_reads_and_writes_by_legal_basis(app: &TestApp) {
    let (oslo, tsb, _, _, plan, goal) = shared_person(app, 13).await;
    let path = format!("/api/v1/coordination/plans/{plan}");
    ok(post(
        app,
        &oslo,
        &format!("{path}/members"),
        &json!({"kind": "user", "username": "kliniker", "role": "Spesialistkoordinator"}),
    )
    .await)
    .await;
    let res = app
        .client()
        .put(app.url(&format!("{path}/settings")))
        .bearer_auth(&oslo)
        .json(&json!({"coordinator": "kliniker", "status": "active"}))
        .send()
        .await
        .unwrap();
    ok(res).await;
    let p = ok(get(app, &tsb, &path).await).await;
    assert_eq!(p["coordinator"], "kliniker");
    let e = &app.access_log(1).await[0];
    assert!(
        e.purpose
            .starts_with("legal basis: pasient- og brukerrettighetsloven § 2-5 b"),
        "{}",
        e.purpose
    );
    // The coordinator writes a measure owned by their own organisation, now in the group.
    let tsb_org = org_of(app, "kliniker").await;
    ok(post(
        app,
        &tsb,
        &format!("{path}/measures"),
        &json!({
            "goal": goal, "text": "Poliklinisk oppfølging", "owner_org": tsb_org,
            "owner_name": "Kliniker", "start": "2026-12-01", "evaluate_on": "2027-03-01"
        }),
    )
    .await)
    .await;
}

async fn bad_input_is_refused_with_nothing_written(app: &TestApp) {
    let (oslo, _, in_oslo, in_tsb, plan, goal) = shared_person(app, 14).await;
    let path = format!("/api/v1/coordination/plans/{plan}");
    let tsb_org = org_of(app, "kliniker").await;
    // Unknown person, and another organisation's person: the same refusal.
    for person in [999_999, in_tsb] {
        let res = post(
            app,
            &oslo,
            "/api/v1/coordination/plans",
            &json!({"person_id": person}),
        )
        .await;
        assert_eq!(refused(res).await, ["person_id"]);
        let res = post(
            app,
            &oslo,
            "/api/v1/coordination/consents",
            &consent(person, tsb_org),
        )
        .await;
        assert_eq!(refused(res).await, ["person_id"]);
    }
    // A consent with no end date; with no grantee; for "everything".
    let mut c = consent(in_oslo, tsb_org);
    c["valid_until"] = json!("");
    let res = post(app, &oslo, "/api/v1/coordination/consents", &c).await;
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "valid_until");
    assert_eq!(v["errors"][0]["code"], "coordination.consent_end");
    let mut c = consent(in_oslo, tsb_org);
    c["scope"] = json!("everything");
    c["grantee_org"] = json!(null);
    assert_eq!(
        refused(post(app, &oslo, "/api/v1/coordination/consents", &c).await).await,
        ["scope", "grantee_org"]
    );
    let mut c = consent(in_oslo, 987_654);
    c["grantee_org"] = json!(987_654);
    assert_eq!(
        refused(post(app, &oslo, "/api/v1/coordination/consents", &c).await).await,
        ["grantee_org"]
    );
    // A measure without owner or evaluation date; with an owner outside the group.
    let measure = |owner: Value, eval: &str| {
        json!({"goal": goal, "text": "Arbeidstrening", "owner_org": owner, "owner_name": "NAV",
               "start": "2026-12-01", "evaluate_on": eval})
    };
    assert_eq!(
        refused(
            post(
                app,
                &oslo,
                &format!("{path}/measures"),
                &measure(Value::Null, "")
            )
            .await
        )
        .await,
        ["owner_org", "evaluate_on"]
    );
    assert_eq!(
        refused(
            post(
                app,
                &oslo,
                &format!("{path}/measures"),
                &measure(json!(tsb_org), "2027-03-01")
            )
            .await
        )
        .await,
        ["owner_org"]
    );
    // An evaluation before the measure's start.
    let oslo_org = org_of(app, "koordinator.oslo").await;
    let m = ok(post(
        app,
        &oslo,
        &format!("{path}/measures"),
        &measure(json!(oslo_org), "2027-03-01"),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let res = post(
        app,
        &oslo,
        &format!("{path}/measures/{m}/evaluations"),
        &json!({"on": "2026-11-20", "note": "Startet ikke", "next": "2026-11-30"}),
    )
    .await;
    assert_eq!(refused(res).await, ["on", "next"]);
    // Nothing of it written: one measure, no evaluation, no consent.
    let p = ok(get(app, &oslo, &path).await).await;
    assert_eq!(p["measures"].as_array().unwrap().len(), 1);
    assert_eq!(p["evaluations"], json!([]));
    let v = ok(get(
        app,
        &oslo,
        &format!("/api/v1/coordination/persons/{in_oslo}"),
    )
    .await)
    .await;
    assert_eq!(v["consents"], json!([]));
}

async fn the_worklist_and_the_figures(app: &TestApp) {
    let (oslo, _, in_oslo, _, plan, goal) = shared_person(app, 15).await;
    let path = format!("/api/v1/coordination/plans/{plan}");
    let oslo_org = org_of(app, "koordinator.oslo").await;
    let tsb_org = org_of(app, "kliniker").await;
    ok(post(app, &oslo, &format!("{path}/measures"), &json!({"goal": goal, "text": "Bolig",
        "owner_org": oslo_org, "owner_name": "Boligkontoret", "start": "2026-10-01", "evaluate_on": "2026-11-30"})).await).await;
    ok(post(
        app,
        &oslo,
        &format!("{path}/meetings"),
        &json!({"held_on": "2026-11-20"}),
    )
    .await)
    .await;
    let mut c = consent(in_oslo, tsb_org);
    c["valid_until"] = json!("2026-12-20");
    ok(post(app, &oslo, "/api/v1/coordination/consents", &c).await).await;
    let rows = ok(get(app, &oslo, "/api/v1/coordination/worklist").await).await;
    let kinds: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["evaluation_due", "minutes_missing", "consent_expiring"]
    );
    assert_eq!(rows[0]["person"], "Ola Samhandling");
    // One person with a plan among Oslo's: hidden (1–4), and so is the total beside it.
    let f = ok(get(app, &oslo, "/api/v1/coordination/figures").await).await;
    assert_eq!(f[0]["key"], "plan");
    assert_eq!(f[0]["count"], Value::Null);
    // An analyst reads their own organisation's figures; an auditor none.
    let analyst = app.token("analytiker").await;
    ok(get(app, &analyst, "/api/v1/coordination/figures").await).await;
    let revisor = app.token("revisor.oslo").await;
    assert_eq!(
        get(app, &revisor, "/api/v1/coordination/worklist")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

on_both_engines!(
    consent_drives_the_tsb_units_read_and_withdrawal_holds_at_once,
    a_third_organisation_sees_nothing,
    the_coordinator_reads_and_writes_by_legal_basis,
    bad_input_is_refused_with_nothing_written,
    the_worklist_and_the_figures,
    the_plan_page_and_a_refused_form,
    the_demo_fills_the_worklist_and_the_pages_round_trip,
    the_plan_exports_as_fhir_to_whoever_may_read_it,
    the_discharge_notice_is_the_episode_of_care,
);
