//! LAR through the API: admission and discharge by a specialist only, delegation to a GP,
//! dispensing agreements, the population per municipality and unit, every access logged; a
//! back-dated admission may not overlap an earlier episode.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{self, TestApp};
use crate::{get_json, ok, post, refused, DEMO_ORG};

on_both_engines!(
    lar_admission_delegation_agreements_and_population,
    lar_episodes_do_not_overlap,
    a_pathways_page_shows_the_patients_lar_treatment,
    a_lar_patient_named_as_a_person_shows_on_their_pathway,
);

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
        .user_by_username("lege.specialist@demo-behandlingsenhet")
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
    assert_eq!(agreements[0]["unit"], DEMO_ORG);
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
    assert_eq!(count(&p["by_unit"], DEMO_ORG), 2);
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

/// The pathway page shows the LAR treatment of the patient whose LAR reference is the pathway
/// id: the prescriber (a GP by delegation) and dispensing with the agreement in force; nothing
/// for a pathway the register does not know.
async fn a_pathways_page_shows_the_patients_lar_treatment(app: &TestApp) {
    let token = app.token("kliniker").await;
    crate::ok_event(
        app,
        &token,
        crate::ev("LP1", "referral_received", "2026-02-02"),
    )
    .await;
    crate::ok_event(
        app,
        &token,
        crate::ev("LP2", "referral_received", "2026-02-02"),
    )
    .await;
    let client = common::browser_login(app, "kliniker").await;
    let (_, page) = crate::get_page(&client, app, "/pathways/p/LP1").await;
    assert!(
        !page.contains("lar-h"),
        "no LAR section before the register knows LP1"
    );

    ok(
        app,
        &token,
        "/api/v1/lar/agreements",
        json!({"kommune": "0301", "from": "2026-01-01", "until": "2026-12-31"}),
    )
    .await;
    ok(app, &token, "/api/v1/lar/admissions", json!({"patient": "LP1", "kommune": "0301", "date": "2026-03-01", "decided_by": "specialist"})).await;
    let (_, page) = crate::get_page(&client, app, "/pathways/p/LP1").await;
    assert!(
        page.contains("I LAR siden") && page.contains("2026-03-01"),
        "{page}"
    );
    assert!(page.contains("spesialistenheten"), "the unit prescribes");
    assert!(page.contains("ved spesialistenheten"), "the unit dispenses");
    assert!(
        page.contains("2026-01-01–2026-12-31"),
        "the agreement in force: {page}"
    );

    ok(app, &token, "/api/v1/lar/delegations", json!({"patient": "LP1", "gp": "HPR 9144889", "date": "2026-06-01", "decided_by": "specialist"})).await;
    ok(
        app,
        &token,
        "/api/v1/lar/dispensing",
        json!({"patient": "LP1", "date": "2026-07-01"}),
    )
    .await;
    let (_, page) = crate::get_page(&client, app, "/pathways/p/LP1").await;
    assert!(
        page.contains("delegert til fastlege HPR 9144889 fra 2026-06-01"),
        "{page}"
    );
    assert!(page.contains("i kommunen fra 2026-07-01"), "{page}");
    // Another pathway's page shows nothing of LP1's.
    let (_, other) = crate::get_page(&client, app, "/pathways/p/LP2").await;
    assert!(!other.contains("HPR 9144889") && !other.contains("lar-h"));
    // Discharged: not in LAR today.
    ok(
        app,
        &token,
        "/api/v1/lar/discharges",
        json!({"patient": "LP1", "date": "2026-11-01", "decided_by": "specialist"}),
    )
    .await;
    let (_, page) = crate::get_page(&client, app, "/pathways/p/LP1").await;
    assert!(page.contains("Ikke i LAR i dag."), "{page}");
    // The LAR read is logged as such.
    let log = app.access_log(100).await;
    assert!(log
        .iter()
        .any(|e| e.action == "lar.read" && e.record == "lar:LP1"));
}

async fn a_lar_patient_named_as_a_person_shows_on_their_pathway(app: &TestApp) {
    let token = app.token("kliniker").await;
    let nin = common::synthetic_id(41);
    let person = common::create_person(app, &token, &nin, "Lara Person").await;
    let mut referral = crate::ev("", "referral_received", "2026-02-02");
    referral["person_id"] = json!(person);
    let res = crate::post_event(app, &token, &referral).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let pathway: Value = res.json().await.unwrap();
    let pathway = pathway["pathway_id"].as_str().unwrap().to_owned();
    let patient = format!("person:{person}");
    ok(app, &token, "/api/v1/lar/admissions", json!({"patient": patient, "kommune": "0301", "date": "2026-03-01", "decided_by": "specialist"})).await;
    ok(app, &token, "/api/v1/lar/delegations", json!({"patient": patient, "gp": "HPR 9144889", "date": "2026-06-01", "decided_by": "specialist"})).await;
    let client = common::browser_login(app, "kliniker").await;
    let (_, page) = crate::get_page(&client, app, &format!("/pathways/p/{pathway}")).await;
    assert!(
        page.contains("I LAR siden") && page.contains("2026-03-01"),
        "{page}"
    );
    assert!(page.contains("delegert til fastlege HPR 9144889"), "{page}");
    // A person of another organisation, or none, is refused naming the patient field.
    app.add_treatment_org("Annen LAR-klinikk", "kliniker.lar")
        .await;
    let other = app.token("kliniker.lar").await;
    let theirs = common::create_person(app, &other, &common::synthetic_id(42), "Ikke Vår").await;
    for bad in [format!("person:{theirs}"), "person:abc".to_owned()] {
        let body = json!({"patient": bad, "kommune": "0301", "date": "2026-03-01", "decided_by": "specialist"});
        refused(app, &token, "/api/v1/lar/admissions", body, "patient").await;
    }
    // The admission is in the person's § 18 report: its entry has the person as subject.
    let log = app.access_log(200).await;
    let pseudonym = &log
        .iter()
        .find(|e| e.action == "lar.write" && e.record == format!("lar:{patient}"))
        .expect("the admission's entry")
        .subject;
    assert!(!pseudonym.is_empty());
}
