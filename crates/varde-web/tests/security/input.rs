//! Input rules: a break-glass reason is words; identity numbers, unbounded text and spreadsheet
//! formulas are kept out of what is stored and exported; every 4xx is a problem document naming
//! the field or the line (a 405, a refused CSV import).

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{browser_login, csrf_of, get_page, synthetic_id, TestApp};
use crate::{create_person, kind};

on_both_engines!(
    a_break_glass_reason_is_words,
    every_refusal_is_a_problem_document,
    identity_numbers_long_text_and_formulas_are_kept_out,
);

const HEADER: &str = "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n";

fn row(pathway: &str, unit: &str) -> String {
    format!(
        "{pathway},{unit},Oslo universitetssykehus HF,Helse Sør-Øst RHF,0301,outpatient,referral_received,2026-10-01,,,\n"
    )
}

async fn identity_numbers_long_text_and_formulas_are_kept_out(app: &TestApp) {
    let token = app.token("kliniker").await;
    let nid = synthetic_id(23);
    let event = |pathway: &str, unit: &str| {
        serde_json::json!({
            "pathway_id": pathway, "unit": unit, "hf": "Oslo universitetssykehus HF",
            "rhf": "Helse Sør-Øst RHF", "kommune": "0301", "care_level": "outpatient",
            "event": "referral_received", "date": "2026-10-01",
        })
    };
    let long = "x".repeat(1000);
    for (body, field, rule) in [
        (event(&nid, "Enhet"), "pathway_id", "identity number"),
        (
            event("P1", &format!("Enhet {nid}")),
            "unit",
            "identity number",
        ),
        (event("P1", &long), "unit", "at most 200"),
        (
            event("P1", "=HYPERLINK(\"http://evil.example\")"),
            "unit",
            "formula",
        ),
        (event("P1", "@SUM(1)"), "unit", "formula"),
    ] {
        let res = app
            .client()
            .post(app.url("/api/v1/pathways/events"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {rule}"
        );
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field);
        assert!(
            problem["errors"][0]["rule"]
                .as_str()
                .unwrap()
                .contains(rule),
            "{problem}"
        );
        assert!(
            !problem.to_string().contains(&nid),
            "the refusal repeats no identity number"
        );
    }
    // The CSV import: the same rules, a row each; a 100,000-character unit name too.
    let csv = format!(
        "{HEADER}{}{}{}{}",
        row(&nid, "Enhet"),
        row("P2", &"y".repeat(100_000)),
        row("P3", "+47 Enhet"),
        row("P4", "Enhet")
    );
    let res = app
        .client()
        .post(app.url("/api/v1/pathways/import?valid_only=true"))
        .bearer_auth(&token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let result: Value = res.json().await.unwrap();
    assert_eq!(result["imported"], 1, "only P4: {result}");
    let fields: Vec<&str> = result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["pathway_id", "unit", "unit"]);

    // An older row that starts like a formula (written before the rule) is exported so that a
    // spreadsheet shows it as text.
    let org = app
        .db
        .store
        .org_by_key("999999999")
        .await
        .unwrap()
        .unwrap()
        .id;
    let kliniker = app
        .db
        .store
        .user_by_username("kliniker")
        .await
        .unwrap()
        .unwrap()
        .id;
    let legacy = varde_core::pathways::EventFields {
        pathway_id: "P9".into(),
        unit: "=HYPERLINK(\"http://evil.example\";\"klikk\")".into(),
        hf: "Oslo universitetssykehus HF".into(),
        rhf: "Helse Sør-Øst RHF".into(),
        kommune: "0301".into(),
        care_level: "outpatient".into(),
        event: "referral_received".into(),
        date: "2026-10-01".into(),
        ..Default::default()
    };
    let now: jiff::Timestamp = crate::common::NOW.parse().unwrap();
    app.db
        .store
        .append_pathway_events(org, kliniker, None, &[legacy], now, None)
        .await
        .unwrap();
    let (status, csv) = app.get_text(&token, "/api/v1/pathways/export").await;
    assert_eq!(status, StatusCode::OK);
    let line = csv.lines().find(|l| l.starts_with("P9,")).unwrap();
    assert!(line.starts_with("P9,\"'=HYPERLINK("), "{line}");
}

async fn a_break_glass_reason_is_words(app: &TestApp) {
    let oslo = app.token("radgiver.oslo").await;
    let nid = synthetic_id(22);
    let id = create_person(app, &oslo, &nid, "Nød Tilgang").await;
    let clinician = app.token("kliniker").await;
    let long = "pasient bevisstløs ".repeat(30);
    for (reason, status) in [
        ("a           ", StatusCode::FORBIDDEN),
        ("          x ", StatusCode::FORBIDDEN),
        ("a b c d e f g h i", StatusCode::FORBIDDEN),
        // Over 500 characters: refused naming the bound, not cut short in the log.
        (long.as_str(), StatusCode::UNPROCESSABLE_ENTITY),
        ("pasient bevisstløs på legevakt", StatusCode::OK),
    ] {
        let res = app
            .client()
            .get(app.url(&format!("/api/v1/persons/{id}")))
            .bearer_auth(&clinician)
            .header("varde-break-glass", reason)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{reason:?}");
    }
    // The form too.
    let browser = browser_login(app, "kliniker").await;
    let (_, page) = get_page(&browser, app, "/persons").await;
    let res = browser
        .post(app.url("/persons/break-glass"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("national_id", nid.as_str()),
            ("reason", "x         "),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn every_refusal_is_a_problem_document(app: &TestApp) {
    let token = app.token("kliniker").await;
    // A method the route does not have.
    let res = app
        .client()
        .put(app.url("/api/v1/pathways/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(kind(&res), "application/problem+json");
    assert!(res.headers().contains_key("allow"));
    // A CSV import with rows that cannot be read: too few columns, an unterminated quote, a bad
    // date, Latin-1 bytes. A problem document naming each line and field; nothing written.
    let mut csv: Vec<u8> =
        b"pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n".to_vec();
    csv.extend_from_slice(b"P1,Enhet,Oslo universitetssykehus HF\n");
    csv.extend_from_slice(b"P2,Enhet,Oslo universitetssykehus HF,Helse S\xf8r-\xd8st RHF,0301,outpatient,referral_received,2026-10-01,,,\n");
    csv.extend_from_slice(b"P3,Enhet,Oslo universitetssykehus HF,Helse S\xc3\xb8r-\xc3\x98st RHF,0301,outpatient,referral_received,2026-13-01,,,\n");
    csv.extend_from_slice(b"P4,\"Enhet,Oslo universitetssykehus HF,Helse S\xc3\xb8r-\xc3\x98st RHF,0301,outpatient,referral_received,2026-10-01,,,\n");
    let res = app
        .client()
        .post(app.url("/api/v1/pathways/import"))
        .bearer_auth(&token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(kind(&res), "application/problem+json");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["status"], 422);
    assert!(problem["type"]
        .as_str()
        .unwrap()
        .ends_with("/invalid-input"));
    assert_eq!(problem["imported"], 0);
    let errors = problem["errors"].as_array().unwrap();
    assert!(errors.len() >= 3, "{problem}");
    for e in errors {
        assert!(e["line"].as_u64().unwrap() >= 2, "{e}");
        assert!(!e["field"].as_str().unwrap().is_empty(), "{e}");
        assert!(!e["rule"].as_str().unwrap().is_empty(), "{e}");
    }
    assert!(errors.iter().any(|e| e["field"] == "date"), "{problem}");
}
