//! The audit: the auditor's report of who accessed a person, itself logged; a clinician may not
//! produce it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{browser_login, csrf_of, get_page, synthetic_id, TestApp};
use crate::{create_person, get, post};

on_both_engines!(
    auditor_gets_the_person_report,
    a_refused_report_form_comes_back_as_typed,
);

async fn auditor_gets_the_person_report(app: &TestApp) {
    let oslo = app.token("radgiver.oslo").await;
    let bergen = app.token("radgiver.bergen").await;
    let nid = synthetic_id(6);
    let id = create_person(app, &oslo, &nid, "Rapport Person").await;
    get(app, &oslo, &format!("/api/v1/persons/{id}")).await;
    get(app, &bergen, &format!("/api/v1/persons/{id}")).await;

    let auditor = app.token("revisor.oslo").await;
    let res = post(
        app,
        &auditor,
        "/api/v1/audit/person-report",
        &json!({"national_id": nid}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let entries: Vec<Value> = res.json().await.unwrap();
    let who: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        who.contains(&("radgiver.oslo", "person.create", "allowed")),
        "{who:?}"
    );
    assert!(
        who.contains(&("radgiver.oslo", "person.read", "allowed")),
        "{who:?}"
    );
    assert!(
        who.contains(&("radgiver.bergen", "person.read", "denied")),
        "{who:?}"
    );
    // Producing the report is itself logged.
    let log = app.access_log(100).await;
    assert!(log.iter().any(|e| e.actor == "revisor.oslo"));

    // A clinician may not produce it.
    let clinician = app.token("kliniker").await;
    let res = post(
        app,
        &clinician,
        "/api/v1/audit/person-report",
        &json!({"national_id": nid}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn a_refused_report_form_comes_back_as_typed(app: &TestApp) {
    let client = browser_login(app, "revisor.oslo").await;
    let (_, page) = get_page(&client, app, "/audit").await;
    let (status, body) = app
        .submit(
            &client,
            "/audit/person-report",
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("national_id", "1234567890x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("value=\"1234567890x\""), "{body}");
    assert!(
        body.contains("id=\"rep-id-error\">et fødselsnummer har bare sifre"),
        "{body}"
    );
    assert!(body.contains("<nav aria-label="), "{body}");
}
