//! The treatment demand indicator over HTTP: entrants of pathways registered with their person
//! and a diagnosis, broken down by primary drug, sex, age group and first treatment, with
//! nothing about a person beyond the counts.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{create_person, get, post, synthetic_id, TestApp};

on_both_engines!(the_tdi_reads_the_primary_drug_from_the_diagnosis_and_sex_and_age_from_the_person);

async fn event(app: &TestApp, token: &str, body: Value) -> Value {
    let res = post(app, token, "/api/v1/pathways/events", &body).await;
    let status = res.status();
    let answer: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}: {answer}");
    answer
}

async fn the_tdi_reads_the_primary_drug_from_the_diagnosis_and_sex_and_age_from_the_person(
    app: &TestApp,
) {
    let token = app.token("kliniker").await;
    let place = json!({
        "unit": "Demo TSB poliklinikk", "hf": "Oslo universitetssykehus HF",
        "rhf": "Helse Sør-Øst RHF", "kommune": "0301", "care_level": "outpatient",
    });
    let with = |extra: Value| {
        let mut body = place.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    // Ten people (born in January 1990), each with a pathway entered in February 2025: five
    // with an opioid diagnosis, five with cannabis.
    for n in 0..10u32 {
        let person =
            create_person(app, &token, &synthetic_id(40 + n), &format!("Pasient {n}")).await;
        let answer = event(
            app,
            &token,
            with(json!({"event": "referral_received", "date": "2025-01-06", "person_id": person})),
        )
        .await;
        let id = answer["pathway_id"].as_str().unwrap().to_owned();
        let step = |event: &str, date: &str, outcome: Option<&str>, deadline: Option<&str>| {
            let mut body = with(json!({"pathway_id": id, "event": event, "date": date}));
            if let Some(o) = outcome {
                body["outcome"] = json!(o);
            }
            if let Some(d) = deadline {
                body["deadline"] = json!(d);
            }
            body
        };
        event(
            app,
            &token,
            step(
                "referral_assessed",
                "2025-01-08",
                Some("right"),
                Some("2025-03-31"),
            ),
        )
        .await;
        let code = if n < 5 { "F11.2" } else { "F12" };
        event(
            app,
            &token,
            step("diagnosis", "2025-01-08", Some(code), None),
        )
        .await;
        event(
            app,
            &token,
            step("first_attendance", "2025-02-03", None, None),
        )
        .await;
    }
    // A diagnosis outside F10–F19 is refused, naming the field.
    let res = post(
        app,
        &token,
        "/api/v1/pathways/events",
        &with(json!({"event": "referral_received", "date": "2025-01-06"})),
    )
    .await;
    let id = res.json::<Value>().await.unwrap()["pathway_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = post(
        app,
        &token,
        "/api/v1/pathways/events",
        &with(json!({"pathway_id": id, "event": "diagnosis", "date": "2025-01-07", "outcome": "F20.0"})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let analyst = app.token("analytiker").await;
    let v: Value = get(app, &analyst, "/api/v1/results/euda/tdi?year=2025")
        .await
        .json()
        .await
        .unwrap();
    let rows = v["rows"].as_array().unwrap();
    let count = |breakdown: &str, value: &str| {
        rows.iter()
            .find(|r| r["breakdown"] == breakdown && r["value"] == value)
            .unwrap_or_else(|| panic!("{breakdown} {value} in {v}"))["count"]
            .clone()
    };
    assert_eq!(count("total", "total"), 10);
    assert_eq!(count("primary_drug", "opioids"), 5);
    assert_eq!(count("primary_drug", "cannabis"), 5);
    assert_eq!(count("primary_drug", "unknown"), 0);
    assert_eq!(count("sex", "unknown"), 0);
    assert_eq!(count("age_group", "35_39"), 10);
    assert_eq!(count("first_treatment", "yes"), 10);
    assert_eq!(count("first_treatment", "unknown"), 0);
    let text = v.to_string();
    assert!(!text.contains("Pasient") && !text.contains(&synthetic_id(40)));
}
