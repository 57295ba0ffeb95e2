//! Access across organisations: the § 18 person report shows an auditor only the accesses to
//! records their organisation holds and the accesses by its own users; a pathway of another
//! organisation is "not found" — page, API, corrections, event forms — and the attempt is
//! logged where that organisation's auditor sees it. LAR patients, coercion stays and the
//! pathway export hold only the own organisation's records, and a stay named by id is the own
//! organisation's or none.

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::org::Role;

use crate::common::{browser_login, synthetic_id, TestApp};
use crate::{add_user, create_person, get, post};

on_both_engines!(
    the_person_report_shows_only_the_auditors_organisation,
    another_organisations_pathway_is_not_found_and_the_attempt_logged,
    lar_coercion_and_the_export_show_only_the_own_organisation,
);

async fn report(app: &TestApp, auditor: &str, nid: &str) -> Vec<Value> {
    let token = app.token(auditor).await;
    let res = post(
        app,
        &token,
        "/api/v1/audit/person-report",
        &json!({ "national_id": nid }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn the_person_report_shows_only_the_auditors_organisation(app: &TestApp) {
    add_user(app, "4601", Role::Auditor, "revisor.bergen").await;
    let oslo = app.token("radgiver.oslo").await;
    let bergen = app.token("radgiver.bergen").await;
    let nid = synthetic_id(21);
    let id = create_person(app, &oslo, &nid, "Kjent Bare I Oslo").await;
    get(app, &oslo, &format!("/api/v1/persons/{id}")).await;

    // Bergen's auditor: a person known only to Oslo. Oslo's own accesses to its own record
    // would tell Bergen that Oslo holds one: none of them is shown.
    let entries = report(app, "revisor.bergen", &nid).await;
    let oslo_org = json!(app_org(app, "0301").await);
    assert!(
        entries.iter().all(|e| e["org_id"] != oslo_org),
        "Bergen's auditor sees Oslo's accesses: {entries:?}"
    );
    assert!(
        entries.iter().all(|e| e["actor"] != "radgiver.oslo"),
        "{entries:?}"
    );
    // A Bergen user's attempt on Oslo's record is Bergen's own user's access: shown to both.
    let res = get(app, &bergen, &format!("/api/v1/persons/{id}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let entries = report(app, "revisor.bergen", &nid).await;
    assert!(entries
        .iter()
        .any(|e| e["actor"] == "radgiver.bergen" && e["outcome"] == "denied"));
    assert!(entries.iter().all(|e| e["actor"] != "radgiver.oslo"));
    // Oslo's auditor sees Oslo's accesses and Bergen's attempt on Oslo's record.
    let entries = report(app, "revisor.oslo", &nid).await;
    let who: Vec<&str> = entries
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert!(who.contains(&"radgiver.oslo"), "{who:?}");
    assert!(who.contains(&"radgiver.bergen"), "{who:?}");
}

async fn app_org(app: &TestApp, key: &str) -> i64 {
    app.db.store.org_by_key(key).await.unwrap().unwrap().id.0
}

async fn another_organisations_pathway_is_not_found_and_the_attempt_logged(app: &TestApp) {
    let oslo_clinic = app.token("kliniker").await;
    app.add_treatment_org("Annen klinikk", "kliniker.annen")
        .await;
    let other = app.token("kliniker.annen").await;
    let event = json!({
        "pathway_id": "HEMMELIG-1", "unit": "Demo TSB poliklinikk",
        "hf": "Oslo universitetssykehus HF", "rhf": "Helse Sør-Øst RHF", "kommune": "0301",
        "care_level": "outpatient", "event": "referral_received", "date": "2026-10-01",
    });
    let res = post(app, &oslo_clinic, "/api/v1/pathways/events", &event).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let own: Value = get(app, &oslo_clinic, "/api/v1/pathways/p/HEMMELIG-1")
        .await
        .json()
        .await
        .unwrap();
    let row = own["events"][0]["id"].as_i64().unwrap();
    let denied_before = denied(app, "kliniker.annen").await;

    // The other clinic: not found, with no content, every way in.
    for path in [
        "/api/v1/pathways/p/HEMMELIG-1",
        "/api/v1/pathways/p/HEMMELIG-1/corrections",
    ] {
        let res = get(app, &other, path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("Demo TSB"), "{path}: {body}");
    }
    let res = post(
        app,
        &other,
        &format!("/api/v1/pathways/events/{row}/corrections"),
        &json!({"reason": "not mine"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let browser = browser_login(app, "kliniker.annen").await;
    let res = browser
        .get(app.url("/pathways/p/HEMMELIG-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Four attempts, each logged as denied, on the holder's record.
    assert_eq!(denied(app, "kliniker.annen").await, denied_before + 4);
    let log = app.access_log(50).await;
    let oslo_clinic_org = app_org(app, "999999999").await;
    assert!(log.iter().any(|e| e.actor == "kliniker.annen"
        && e.outcome == "denied"
        && e.owner_org_id == oslo_clinic_org
        && e.record == "pathway:HEMMELIG-1"));
    // A pathway id nobody holds: not found too, and nothing to log.
    let res = get(app, &other, "/api/v1/pathways/p/NOBODY").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(denied(app, "kliniker.annen").await, denied_before + 4);
    // The holder still reads its own.
    let res = get(
        app,
        &oslo_clinic,
        "/api/v1/pathways/p/HEMMELIG-1/corrections",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn denied(app: &TestApp, actor: &str) -> usize {
    app.access_log(10_000)
        .await
        .iter()
        .filter(|e| e.actor == actor && e.outcome == "denied")
        .count()
}

async fn lar_coercion_and_the_export_show_only_the_own_organisation(app: &TestApp) {
    let oslo_clinic = app.token("kliniker").await;
    app.add_treatment_org("Annen klinikk", "kliniker.annen")
        .await;
    let other = app.token("kliniker.annen").await;
    let writes = [
        (
            "/api/v1/pathways/events",
            json!({
                "pathway_id": "HEMMELIG-2", "unit": "Demo TSB poliklinikk",
                "hf": "Oslo universitetssykehus HF", "rhf": "Helse Sør-Øst RHF",
                "kommune": "0301", "care_level": "outpatient",
                "event": "referral_received", "date": "2026-10-01",
            }),
        ),
        (
            "/api/v1/lar/admissions",
            json!({"patient": "pt-HEMMELIG", "kommune": "0301", "date": "2026-10-05",
                   "decided_by": "specialist"}),
        ),
        (
            "/api/v1/coercion/stays",
            json!({"stay_id": "HEMMELIG-F", "patient": "pt-HEMMELIG-F", "start": "2026-11-20"}),
        ),
    ];
    for (path, body) in &writes {
        let res = post(app, &oslo_clinic, path, body).await;
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }
    // The holder sees each of them.
    for path in [
        "/api/v1/pathways/export",
        "/api/v1/lar/patients",
        "/api/v1/coercion/stays",
    ] {
        let body = get(app, &oslo_clinic, path).await.text().await.unwrap();
        assert!(body.contains("HEMMELIG"), "{path}: the holder's own");
    }
    // The other clinic sees none of them, in lists or tables.
    for path in [
        "/api/v1/pathways/export",
        "/api/v1/lar/patients",
        "/api/v1/coercion/stays",
        "/api/v1/coercion/table",
    ] {
        let res = get(app, &other, path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("HEMMELIG"), "{path}: {body}");
    }
    // A stay named by id is the caller's own organisation's: Oslo's stay is not found, and
    // nothing is written to either organisation.
    let decision = json!({"section": "10-2", "kind": "main", "decided": "2026-11-20",
                          "from": "2026-11-20"});
    for (path, body) in [
        ("/api/v1/coercion/stays/HEMMELIG-F/decisions", decision),
        (
            "/api/v1/coercion/stays/HEMMELIG-F/end",
            json!({"date": "2026-11-22"}),
        ),
    ] {
        let res = post(app, &other, path, &body).await;
        assert!(res.status().is_client_error(), "{path}: {}", res.status());
        let text = res.text().await.unwrap();
        assert!(!text.contains("pt-HEMMELIG"), "{path}: {text}");
    }
    let stays: Value = get(app, &oslo_clinic, "/api/v1/coercion/stays")
        .await
        .json()
        .await
        .unwrap();
    let stay = stays
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stay_id"] == "HEMMELIG-F")
        .expect("the stay");
    assert_eq!(stay["decisions"], json!([]), "{stay}");
    assert!(stay["end"].is_null(), "{stay}");
}
