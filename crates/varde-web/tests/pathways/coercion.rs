//! Coercion under chapter 10 through the API: decisions with computed end dates, the § 10-4
//! limit, warnings past the legal limit and between decisions, appeals and the county board,
//! the yearly table.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{browser_login, TestApp};
use crate::{decision, get_json, get_page, ok, refused, stay_of};

on_both_engines!(
    coercion_end_dates_limits_warnings_and_table,
    warnings_cover_ended_stays_and_gaps_between_decisions,
);

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
    let (status, html) = get_page(&client, app, "/pathways/coercion").await;
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
