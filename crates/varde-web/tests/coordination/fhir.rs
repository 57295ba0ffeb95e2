//! The FHIR R4 export of a plan over HTTP: the coordinator exports their own plan (valid
//! against the R4 JSON schema kept in `varde-core/tests/fhir/`); the TSB unit with the
//! person's consent to the plan exports it, the access log naming the consent; after the
//! withdrawal, and for a third organisation, the same 404 as no plan. The person appears only
//! by pseudonym: neither their name nor their identity number is anywhere in the bundle.

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::coordination::fhir::resources;

use super::common::{browser_login, get, get_page, post, synthetic_id, TestApp};
use super::{ok, org_of, shared_person};

fn validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../varde-core/tests/fhir/fhir.schema.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft6::new(&schema).unwrap()
}

async fn fhir(res: reqwest::Response) -> Value {
    let status = res.status();
    let media = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(media.as_deref(), Some("application/fhir+json"));
    serde_json::from_str(&text).unwrap()
}

pub async fn the_plan_exports_as_fhir_to_whoever_may_read_it(app: &TestApp) {
    let (oslo, tsb, in_oslo, _, plan, goal) = shared_person(app, 21).await;
    let nid = synthetic_id(21);
    let path = format!("/api/v1/coordination/plans/{plan}/fhir");
    let oslo_org = org_of(app, "koordinator.oslo").await;
    let tsb_org = org_of(app, "kliniker").await;
    // A measure with an evaluation, a group with a TSB user, the person and a relative.
    let base = format!("/api/v1/coordination/plans/{plan}");
    for m in [
        json!({"kind": "user", "username": "kliniker", "role": "Behandler"}),
        json!({"kind": "person", "role": "Personen selv"}),
        json!({"kind": "relative", "name": "Kari Søster", "role": "Søster"}),
        json!({"kind": "external", "name": "Dr. Fastlege", "role": "Fastlege"}),
    ] {
        ok(post(app, &oslo, &format!("{base}/members"), &m).await).await;
    }
    let measure = ok(post(
        app,
        &oslo,
        &format!("{base}/measures"),
        &json!({
        "goal": goal, "text": "Søknad om kommunal bolig", "owner_org": oslo_org,
        "owner_name": "Boligkontoret", "start": "2026-10-01", "evaluate_on": "2026-11-20"}),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    ok(post(
        app,
        &oslo,
        &format!("{base}/measures/{measure}/evaluations"),
        &json!({"on": "2026-11-20", "note": "Søknad sendt", "next": "2027-01-10"}),
    )
    .await)
    .await;

    // The coordinator: their own organisation's plan, valid FHIR R4.
    let b = fhir(get(app, &oslo, &path).await).await;
    let errors: Vec<String> = validator().iter_errors(&b).map(|e| e.to_string()).collect();
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(
        varde_core::coordination::fhir::check(&b),
        Vec::<String>::new()
    );
    assert_eq!(b["type"], "collection");
    let careplan = resources(&b, "CarePlan")[0];
    assert_eq!(careplan["status"], "active");
    assert_eq!(careplan["intent"], "plan");
    assert_eq!(
        careplan["activity"][0]["detail"]["scheduledPeriod"]["end"],
        "2027-01-10"
    );
    assert_eq!(resources(&b, "Goal").len(), 1);
    assert_eq!(resources(&b, "RelatedPerson").len(), 1);
    let text = serde_json::to_string(&b).unwrap();
    assert!(!text.contains(&nid), "the identity number leaked");
    assert!(!text.contains("Ola Samhandling"), "the name leaked");
    let patient = resources(&b, "Patient")[0];
    assert_eq!(patient["identifier"][0]["system"], "urn:varde:pseudonym");
    let entry = &app.access_log(1).await[0];
    assert_eq!(entry.record, format!("coordination:plan:{plan}"));
    assert_eq!(entry.actor, "koordinator.oslo");
    assert_eq!(entry.outcome, "allowed");

    // The TSB unit without consent: 404, as for no plan.
    assert_eq!(get(app, &tsb, &path).await.status(), StatusCode::NOT_FOUND);
    // With the person's consent to the plan: the export, the entry naming the consent.
    let consent = ok(post(
        app,
        &oslo,
        "/api/v1/coordination/consents",
        &json!({
            "person_id": in_oslo, "scope": "plan", "grantee_org": tsb_org,
            "purpose": "Samarbeid om individuell plan",
            "valid_from": "2026-11-24", "valid_until": "2027-05-24", "given_how": "written"
        }),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    // A consent to a third organisation, which the TSB unit's export must not show.
    app.add_treatment_org("Tredje enhet", "kliniker.tredje")
        .await;
    let third = app.token("kliniker.tredje").await;
    let third_org = org_of(app, "kliniker.tredje").await;
    ok(post(
        app,
        &oslo,
        "/api/v1/coordination/consents",
        &json!({
            "person_id": in_oslo, "scope": "pathway_status", "grantee_org": third_org,
            "purpose": "Annet", "valid_until": "2027-05-24", "given_how": "oral"
        }),
    )
    .await)
    .await;
    let b = fhir(get(app, &tsb, &path).await).await;
    assert!(validator().is_valid(&b));
    let consents = resources(&b, "Consent");
    assert_eq!(consents.len(), 1, "only the consent given to the reader");
    assert_eq!(consents[0]["id"], format!("consent-{consent}"));
    assert_eq!(consents[0]["status"], "active");
    let entry = app
        .access_log(5)
        .await
        .into_iter()
        .find(|e| e.actor == "kliniker" && e.record == format!("coordination:plan:{plan}"))
        .unwrap();
    assert_eq!(entry.outcome, "allowed");
    assert_eq!(entry.purpose, format!("consent #{consent} (plan)"));
    // The coordinator's export shows both consents now; withdrawn, the consent is inactive.
    let res = post(
        app,
        &oslo,
        &format!("/api/v1/coordination/consents/{consent}/withdraw"),
        &json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let b = fhir(get(app, &oslo, &path).await).await;
    let statuses: Vec<&Value> = resources(&b, "Consent")
        .iter()
        .map(|c| &c["status"])
        .collect();
    assert_eq!(statuses, [&json!("inactive"), &json!("active")]);
    // After the withdrawal the TSB unit's next export is a 404, and logged as denied.
    assert_eq!(get(app, &tsb, &path).await.status(), StatusCode::NOT_FOUND);
    let e = &app.access_log(1).await[0];
    assert_eq!(
        (e.actor.as_str(), e.outcome.as_str()),
        ("kliniker", "denied")
    );
    // A third organisation: the same 404 as a plan that does not exist, as a problem document.
    let res = get(app, &third, &path).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let mine: Value = res.json().await.unwrap();
    let none: Value = get(app, &third, "/api/v1/coordination/plans/999999/fhir")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine, none);
    assert_eq!(mine["status"], 404);
}

/// The TSB unit's discharge notice about the person is the bundle's EpisodeOfCare for both
/// sides of it (each read logged as a read of the notice); a plan reader who is neither does
/// not get it.
pub async fn the_discharge_notice_is_the_episode_of_care(app: &TestApp) {
    let unit = app.token("kliniker").await;
    let oslo = app.token("koordinator.oslo").await;
    let nid = synthetic_id(22);
    let in_tsb = ok(post(
        app,
        &unit,
        "/api/v1/persons",
        &json!({"national_id": nid, "name": "Per Utskrevet", "kommune": "0301"}),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let notice = ok(post(
        app,
        &unit,
        "/api/v1/coordination/discharge",
        &json!({"person": in_tsb, "expected_discharge": "2026-12-10", "no_home": true,
                "meeting_requested": true}),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let in_oslo = ok(post(
        app,
        &oslo,
        "/api/v1/persons",
        &json!({"national_id": nid, "name": "Per Utskrevet"}),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let plan = ok(post(
        app,
        &oslo,
        "/api/v1/coordination/plans",
        &json!({"person_id": in_oslo, "coordinator": "koordinator.oslo", "status": "draft"}),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let b = fhir(
        get(
            app,
            &oslo,
            &format!("/api/v1/coordination/plans/{plan}/fhir"),
        )
        .await,
    )
    .await;
    assert!(validator().is_valid(&b));
    assert_eq!(
        varde_core::coordination::fhir::check(&b),
        Vec::<String>::new()
    );
    let episodes = resources(&b, "EpisodeOfCare");
    assert_eq!(episodes.len(), 1);
    assert_eq!(episodes[0]["id"], format!("episodeofcare-{notice}"));
    assert_eq!(episodes[0]["status"], "active");
    assert_eq!(resources(&b, "CarePlan")[0]["status"], "draft");
    let text = serde_json::to_string(&b).unwrap();
    assert!(!text.contains("Per Utskrevet") && !text.contains(&nid));
    let log = app.access_log(3).await;
    assert!(log
        .iter()
        .any(|e| e.record == format!("coordination_discharge:{notice}")
            && e.actor == "koordinator.oslo"
            && e.outcome == "allowed"));

    // The plan page links the export, and the link works in the browser's session.
    let browser = browser_login(app, "koordinator.oslo").await;
    let (status, page) = get_page(&browser, app, &format!("/coordination/plans/{plan}")).await;
    assert_eq!(status, StatusCode::OK);
    let link = format!("/api/v1/coordination/plans/{plan}/fhir");
    assert!(
        page.contains(&link) && page.contains("Eksporter FHIR"),
        "{page}"
    );
    let res = browser.get(app.url(&link)).send().await.unwrap();
    assert_eq!(fhir(res).await["type"], "collection");
    // The OpenAPI document names the route and its media type.
    let doc = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(doc.contains("/api/v1/coordination/plans/{id}/fhir"));
    assert!(doc.contains("application/fhir+json"));
}
