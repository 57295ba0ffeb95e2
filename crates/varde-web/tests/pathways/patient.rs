//! The patient on a pathway: a referral names a person of the organisation's register; the
//! server mints the pathway id; the pathway and the worklist show the patient, and each read is
//! in the person's § 18 access report; imports resolve a person reference by national id; the
//! new-referral form finds or registers the person.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{browser_login, create_person, csrf_of, get_page, synthetic_id, TestApp};
use crate::{ev, get_json, import, post_event, HEADER, HF};

on_both_engines!(
    a_referral_names_a_person_and_the_server_mints_the_pathway_id,
    a_person_of_another_organisation_or_none_is_refused_and_nothing_written,
    reading_the_pathway_is_in_the_persons_access_report,
    the_worklist_shows_the_patients_name,
    an_import_resolves_person_references_by_national_id,
    the_new_referral_form_registers_a_new_person_in_the_same_flow,
    the_pathway_page_lists_events_by_date_with_withdrawn_ones_struck_through,
    the_demo_patients_are_on_the_worklist,
    a_refused_event_form_comes_back_as_typed_with_the_error_beside_the_field,
);

async fn referral_for(app: &TestApp, token: &str, person: i64) -> String {
    let mut body = ev("", "referral_received", "2026-11-02");
    body.as_object_mut().unwrap().remove("pathway_id");
    body["person_id"] = json!(person);
    let res = post_event(app, token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    v["pathway_id"].as_str().unwrap().to_owned()
}

async fn a_referral_names_a_person_and_the_server_mints_the_pathway_id(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(1), "Kari Nordmann").await;
    let id = referral_for(app, &token, person).await;
    assert!(id.starts_with("TSB-") && id.len() == 14, "{id}");
    let other = referral_for(app, &token, person).await;
    assert_ne!(id, other, "each referral gets its own id");
    let doc = get_json(app, &token, &format!("/api/v1/pathways/p/{id}")).await;
    assert_eq!(doc["pathway_id"], id.as_str());
    assert_eq!(doc["patient"]["person_id"], person);
    assert_eq!(doc["patient"]["name"], "Kari Nordmann");
    assert!(doc["patient"]["birth_date"].as_str().unwrap().len() == 10);
    assert_eq!(doc["events"].as_array().unwrap().len(), 1);
    // A string id is read as the number it holds.
    let mut body = ev("S1", "referral_received", "2026-11-02");
    body["person_id"] = json!(person.to_string());
    assert_eq!(
        post_event(app, &token, &body).await.status(),
        StatusCode::CREATED
    );
    // Later events name the pathway only.
    let mut later = ev(&id, "referral_assessed", "2026-11-03");
    later["outcome"] = json!("no_right");
    later["person_id"] = json!(person);
    let res = post_event(app, &token, &later).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "person_id");
}

async fn a_person_of_another_organisation_or_none_is_refused_and_nothing_written(app: &TestApp) {
    let token = app.token("kliniker").await;
    app.add_treatment_org("Annen klinikk", "kliniker.annen")
        .await;
    let other = app.token("kliniker.annen").await;
    let theirs = create_person(app, &other, &synthetic_id(2), "Ola Annensted").await;
    let mut body = ev("X1", "referral_received", "2026-11-02");
    body["person_id"] = json!(theirs);
    let res = post_event(app, &token, &body).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/problem+json"));
    let body_text = res.text().await.unwrap();
    assert!(!body_text.contains("Annensted"), "{body_text}");
    for unknown in [json!(999_999), json!("abc")] {
        let mut body = ev("X1", "referral_received", "2026-11-02");
        body["person_id"] = unknown;
        let res = post_event(app, &token, &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "person_id");
    }
    let (status, _) = app.get_text(&token, "/api/v1/pathways/p/X1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was written");
    // The attempt on the other organisation's person is logged where its auditor sees it.
    let log = app.access_log(50).await;
    assert!(log.iter().any(|e| e.actor == "kliniker"
        && e.action == "person.read"
        && e.outcome.starts_with("denied")
        && e.record == format!("person:{theirs}")));
}

async fn reading_the_pathway_is_in_the_persons_access_report(app: &TestApp) {
    let token = app.token("kliniker").await;
    let nin = synthetic_id(3);
    let person = create_person(app, &token, &nin, "Per Pasient").await;
    let id = referral_for(app, &token, person).await;
    get_json(app, &token, &format!("/api/v1/pathways/p/{id}")).await;
    let client = browser_login(app, "kliniker").await;
    let (status, page) = get_page(&client, app, &format!("/pathways/p/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Per Pasient"), "the page shows the patient");
    // An auditor of the clinic asks for the person's § 18 report.
    let store = &app.db.store;
    let org = store
        .user_by_username("kliniker")
        .await
        .unwrap()
        .unwrap()
        .org_id;
    let now: jiff::Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
    let hash = varde_web::auth::hash_password_blocking(crate::common::PASSWORD).unwrap();
    store
        .create_user(
            org,
            varde_core::org::Role::Auditor,
            varde_core::org::Qualification::Other,
            "revisor.klinikk",
            &hash,
            now,
        )
        .await
        .unwrap();
    let auditor = app.token("revisor.klinikk").await;
    let res = crate::common::post(
        app,
        &auditor,
        "/api/v1/audit/person-report",
        &json!({"national_id": nin}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let entries: Vec<Value> = res.json().await.unwrap();
    let reads = entries
        .iter()
        .filter(|e| e["action"] == "pathway.read" && e["record"] == format!("pathway:{id}"))
        .count();
    assert_eq!(reads, 2, "the API read and the page read: {entries:?}");
    assert!(entries
        .iter()
        .any(|e| e["action"] == "pathway.write" && e["record"] == format!("pathway:{id}")));
}

async fn the_worklist_shows_the_patients_name(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(4), "Liv Venteliste").await;
    let id = referral_for(app, &token, person).await;
    let before = app.access_log(1000).await.len();
    let w = get_json(app, &token, "/api/v1/pathways/worklist").await;
    assert_eq!(w["patients"][&id]["name"], "Liv Venteliste");
    let after = app.access_log(1000).await.len();
    assert_eq!(after, before + 1, "one list read");
    let client = browser_login(app, "kliniker").await;
    let (_, page) = get_page(&client, app, "/pathways").await;
    assert!(page.contains("Liv Venteliste"), "{page}");
}

async fn an_import_resolves_person_references_by_national_id(app: &TestApp) {
    let token = app.token("kliniker").await;
    let nin = synthetic_id(5);
    create_person(app, &token, &nin, "Imp Ortert").await;
    let header = HEADER.replace("deadline\n", "deadline,person_national_id\n");
    let row = |p: &str, event: &str, who: &str| {
        format!(
            "{p},{},{HF},Helse Sør-Øst RHF,0301,outpatient,{event},2026-11-02,,,,{who}\n",
            crate::UNIT
        )
    };
    // A number no one in the register has: a row error naming the line and the column;
    // nothing written.
    let unknown = synthetic_id(6);
    let file = format!(
        "{header}{}{}",
        row("IP1", "referral_received", &nin),
        row("IP2", "referral_received", &unknown)
    );
    let (status, result) = import(app, &token, "", file).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{result}");
    assert_eq!(result["errors"][0]["line"], 3);
    assert_eq!(result["errors"][0]["field"], "person_national_id");
    assert!(
        !result.to_string().contains(&unknown),
        "the number is not echoed"
    );
    // Valid rows only: the resolved one is written with its person.
    let file = format!(
        "{header}{}{}",
        row("IP1", "referral_received", &nin),
        row("IP2", "referral_received", &unknown)
    );
    let (status, result) = import(app, &token, "?valid_only=true", file).await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    let doc = get_json(app, &token, "/api/v1/pathways/p/IP1").await;
    assert_eq!(doc["patient"]["name"], "Imp Ortert");
    // Without the column, pathways stay pseudonymous.
    let file = format!(
        "{HEADER}{}",
        crate::csv_row("IP3", "referral_received", "2026-11-02", "")
    );
    let (status, _) = import(app, &token, "", file).await;
    assert_eq!(status, StatusCode::CREATED);
    let doc = get_json(app, &token, "/api/v1/pathways/p/IP3").await;
    assert!(doc["patient"].is_null());
}

async fn the_new_referral_form_registers_a_new_person_in_the_same_flow(app: &TestApp) {
    let token = app.token("kliniker").await;
    create_person(app, &token, &synthetic_id(7), "Søk Barsen").await;
    let client = browser_login(app, "kliniker").await;
    // The search finds the person by name (one match: chosen).
    let (status, page) = get_page(&client, app, "/pathways/new?q=barsen").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Søk Barsen") && page.contains("checked"),
        "{page}"
    );
    // The health trust defaults to none yet (no pathways), the unit to the organisation.
    assert!(
        page.contains("value=\"Demo behandlingsenhet TSB\""),
        "{page}"
    );
    let csrf = csrf_of(&page);
    // A refused form keeps what was typed and says what is wrong beside the field.
    let new_nin = synthetic_id(8);
    let form = |kommune: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("national_id", new_nin.clone()),
            ("name", "Ny Pasient".to_owned()),
            ("date", "2026-11-20".to_owned()),
            ("hf", HF.to_owned()),
            ("unit", "Poliklinikk A".to_owned()),
            ("kommune", kommune.to_owned()),
            ("care_level", "inpatient".to_owned()),
        ]
    };
    let res = client
        .post(app.url("/pathways/new"))
        .form(&form("99"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"kommune-error\""), "{page}");
    assert!(page.contains("value=\"99\"") && page.contains("value=\"Poliklinikk A\""));
    assert!(page.contains("value=\"inpatient\" selected"));
    let res = client
        .post(app.url("/pathways/new"))
        .form(&form("0301"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/pathways/p/TSB-"), "{location}");
    let (_, page) = get_page(&client, app, &location).await;
    assert!(
        page.contains("Ny Pasient") && page.contains("Poliklinikk A"),
        "{page}"
    );
}

async fn the_pathway_page_lists_events_by_date_with_withdrawn_ones_struck_through(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(9), "Ordne Hendelser").await;
    let id = referral_for(app, &token, person).await;
    // Registered out of order: the decision first, the assessment after.
    let mut assessed = ev(&id, "referral_assessed", "2026-11-03");
    assessed["outcome"] = json!("right");
    assessed["deadline"] = json!("2026-12-15");
    let mut start = ev(&id, "pathway_start", "2026-11-03");
    start["code"] = json!("D01");
    let mut attended = ev(&id, "first_attendance", "2026-11-05");
    attended["care_level"] = json!("outpatient");
    for body in [attended, start, assessed] {
        assert_eq!(
            post_event(app, &token, &body).await.status(),
            StatusCode::CREATED
        );
    }
    let doc = get_json(app, &token, &format!("/api/v1/pathways/p/{id}")).await;
    let attended_id = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "first_attendance")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = crate::common::post(
        app,
        &token,
        &format!("/api/v1/pathways/events/{attended_id}/corrections"),
        &json!({"reason": "feil pasient i timeboken"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let client = browser_login(app, "kliniker").await;
    let (_, page) = get_page(&client, app, &format!("/pathways/p/{id}")).await;
    let pos = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {page}"))
    };
    // Same day: the assessment before the start (the pathway's order), then the later day.
    assert!(pos("Henvisning vurdert") < pos("D01 — Tverrfaglig spesialisert rusbehandling"));
    assert!(pos("Rett til nødvendig helsehjelp") < pos("<tr class=\"withdrawn\">"));
    assert!(
        page.contains("Trukket tilbake av kliniker: feil pasient i timeboken"),
        "{page}"
    );
    assert!(page.contains("<del>2026-11-05</del>"), "{page}");
    // The form offers outcomes and codes from the lists, with their texts.
    assert!(page.contains("<option value=\"CT\">D01CT — Behov for behandling innen TSB</option>"));
    assert!(page.contains("<option value=\"avbrutt\">Avbrutt</option>"));
}

async fn the_demo_patients_are_on_the_worklist(app: &TestApp) {
    let n = varde_web::pathways::seed_demo_patients(&app.state)
        .await
        .unwrap();
    assert_eq!(n, 6);
    let token = app.token("kliniker").await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist").await;
    let names: Vec<&str> = w["patients"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Kari Nordmann") && names.len() == 6,
        "{names:?}"
    );
}

async fn a_refused_event_form_comes_back_as_typed_with_the_error_beside_the_field(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(10), "Skjema Bevart").await;
    let id = referral_for(app, &token, person).await;
    let client = browser_login(app, "kliniker").await;
    let (_, page) = get_page(&client, app, &format!("/pathways/p/{id}")).await;
    let csrf = csrf_of(&page);
    // A date before the referral: refused, the form as typed, the message beside the date.
    let res = client
        .post(app.url(&format!("/pathways/p/{id}/events")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("event", "referral_assessed"),
            ("date", "2026-10-01"),
            ("care_level", "inpatient"),
            ("outcome", "right"),
            ("deadline", "2026-12-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("value=\"2026-10-01\" aria-invalid=\"true\""),
        "{page}"
    );
    assert!(page.contains("id=\"field-error\""), "{page}");
    assert!(page.contains("<option value=\"referral_assessed\" selected>"));
    assert!(page.contains("<option value=\"inpatient\" selected>"));
    assert!(page.contains("<option value=\"right\" selected>"));
    assert!(page.contains("value=\"2026-12-01\""));
    // In the page frame: the menu and the language switch.
    assert!(page.contains("action=\"/lang\""), "{page}");
    // A withdrawal without a reason keeps the row's typed text and says why beside it.
    let doc = get_json(app, &token, &format!("/api/v1/pathways/p/{id}")).await;
    let row = doc["events"][0]["id"].as_i64().unwrap();
    let res = client
        .post(app.url(&format!("/pathways/corrections/{row}")))
        .form(&[("csrf", csrf.as_str()), ("reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(&format!("id=\"reason-{row}-error\"")),
        "{page}"
    );
}
