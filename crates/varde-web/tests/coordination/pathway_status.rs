//! A person's pathway status at a TSB unit, shown to a municipality only by the person's
//! consent of scope `pathway_status` (recorded by the unit): the steps and the next point, no
//! clinical content; the read logged naming the consent; after withdrawal, in the same second,
//! nothing is shown; a third organisation is shown nothing; the person's page shows it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{ok, org_of, shared_person};
use crate::common::{browser_login, get, get_page, post, TestApp};

on_both_engines!(
    the_municipality_sees_the_pathway_status_only_by_consent,
    a_third_organisation_is_shown_no_pathway_status,
);

/// A referral and a first attendance at the demo TSB unit for its person `in_tsb`, with a
/// diagnosis (clinical content that must not be shared).
async fn pathway(app: &TestApp, tsb: &str, in_tsb: i64) {
    let event = |pathway: &str, kind: &str, date: &str| {
        json!({
            "pathway_id": pathway, "unit": "Demo TSB poliklinikk", "hf": "Oslo universitetssykehus HF",
            "rhf": "Helse Sør-Øst RHF", "kommune": "0301", "care_level": "outpatient",
            "event": kind, "date": date,
        })
    };
    let mut referral = event("", "referral_received", "2026-10-01");
    referral.as_object_mut().unwrap().remove("pathway_id");
    referral["person_id"] = json!(in_tsb);
    let id = ok(post(app, tsb, "/api/v1/pathways/events", &referral).await).await["pathway_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut assessed = event(&id, "referral_assessed", "2026-10-05");
    assessed["outcome"] = json!("right");
    assessed["deadline"] = json!("2026-11-30");
    ok(post(app, tsb, "/api/v1/pathways/events", &assessed).await).await;
    ok(post(
        app,
        tsb,
        "/api/v1/pathways/events",
        &event(&id, "first_attendance", "2026-10-20"),
    )
    .await)
    .await;
    let mut diagnosis = event(&id, "diagnosis", "2026-10-21");
    diagnosis["outcome"] = json!("F11.2");
    ok(post(app, tsb, "/api/v1/pathways/events", &diagnosis).await).await;
}

fn status_consent(person: i64, org: i64) -> Value {
    json!({
        "person_id": person, "scope": "pathway_status", "grantee_org": org,
        "purpose": "Kommunen følger opp etter utskrivning",
        "valid_from": "2026-11-24", "valid_until": "2027-05-24", "given_how": "written"
    })
}

async fn the_municipality_sees_the_pathway_status_only_by_consent(app: &TestApp) {
    let (oslo, tsb, in_oslo, in_tsb, _, _) = shared_person(app, 31).await;
    pathway(app, &tsb, in_tsb).await;
    let path = format!("/api/v1/coordination/persons/{in_oslo}/pathway-status");
    // No consent: nothing, not even that a pathway exists.
    let v = ok(get(app, &oslo, &path).await).await;
    assert_eq!(v["shared"], json!([]));
    // A consent to the plan (recorded by Oslo) opens no pathway status.
    let oslo_org = org_of(app, "koordinator.oslo").await;
    let tsb_org = org_of(app, "kliniker").await;
    let mut plan_consent = status_consent(in_oslo, tsb_org);
    plan_consent["scope"] = json!("plan");
    ok(post(app, &oslo, "/api/v1/coordination/consents", &plan_consent).await).await;
    assert_eq!(ok(get(app, &oslo, &path).await).await["shared"], json!([]));
    // The TSB unit records the person's consent to Oslo: the status is shown.
    let id = ok(post(
        app,
        &tsb,
        "/api/v1/coordination/consents",
        &status_consent(in_tsb, oslo_org),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let v = ok(get(app, &oslo, &path).await).await;
    let shared = &v["shared"][0];
    assert_eq!(shared["consent"], id);
    assert_eq!(shared["holder"], tsb_org);
    let p = &shared["pathways"][0];
    assert_eq!(p["received"], "2026-10-01");
    assert_eq!(p["step"], "first_attendance", "the diagnosis is not a step");
    assert_eq!(p["next"], "clinical_decision");
    let text = v.to_string();
    assert!(!text.contains("F11"), "no diagnosis: {text}");
    assert!(!text.contains("\"right\""), "no assessment outcome: {text}");
    // The read is logged for the TSB unit's data, naming the consent, with the person.
    let entry = app
        .access_log(10)
        .await
        .into_iter()
        .find(|e| e.record == format!("coordination:pathway_status:{tsb_org}"))
        .expect("the read is logged");
    assert_eq!(entry.actor, "koordinator.oslo");
    assert_eq!(entry.outcome, "allowed");
    assert_eq!(entry.purpose, format!("consent #{id} (pathway_status)"));
    // The person's page shows it.
    let client = browser_login(app, "koordinator.oslo").await;
    let (s, page) = get_page(&client, app, &format!("/coordination/persons/{in_oslo}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Status i pasientforløp hos andre"), "{page}");
    assert!(
        page.contains(&format!("vist etter samtykke #{id}")),
        "{page}"
    );
    assert!(page.contains("Første fremmøte (2026-10-20)"), "{page}");
    // Withdrawn by the unit: the next read, in the same second, shows nothing.
    let res = post(
        app,
        &tsb,
        &format!("/api/v1/coordination/consents/{id}/withdraw"),
        &json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(ok(get(app, &oslo, &path).await).await["shared"], json!([]));
    // Another organisation's person: the 404 of no person.
    assert_eq!(
        get(
            app,
            &oslo,
            &format!("/api/v1/coordination/persons/{in_tsb}/pathway-status")
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_third_organisation_is_shown_no_pathway_status(app: &TestApp) {
    let (_, tsb, _, in_tsb, _, _) = shared_person(app, 32).await;
    pathway(app, &tsb, in_tsb).await;
    let oslo_org = org_of(app, "koordinator.oslo").await;
    ok(post(
        app,
        &tsb,
        "/api/v1/coordination/consents",
        &status_consent(in_tsb, oslo_org),
    )
    .await)
    .await;
    app.add_treatment_org("Tredje enhet", "kliniker.tredje")
        .await;
    let third = app.token("kliniker.tredje").await;
    let own = crate::common::create_person(
        app,
        &third,
        &crate::common::synthetic_id(32),
        "Ola Samhandling",
    )
    .await;
    let v = ok(get(
        app,
        &third,
        &format!("/api/v1/coordination/persons/{own}/pathway-status"),
    )
    .await)
    .await;
    assert_eq!(v["shared"], json!([]));
}
