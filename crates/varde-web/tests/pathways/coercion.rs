//! Coercion under chapter 10 through the API: decisions with computed end dates, the § 10-4
//! limit, warnings past the legal limit and between decisions, appeals and the county board,
//! the yearly table.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{browser_login, csrf_of, TestApp};
use crate::{decision, get_json, get_page, ok, refused, stay_of};

on_both_engines!(
    coercion_end_dates_limits_warnings_and_table,
    warnings_cover_ended_stays_and_gaps_between_decisions,
    limits_due_on_the_worklist_and_the_page_forms_check_as_the_api,
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

/// The limits of chapter 10 due within 7 days or past are on the worklist (and the API's
/// `due`), with the limit and the paragraph; the coercion page ends a stay and records that a
/// temporary decision went to the county board, refusing as the API does.
async fn limits_due_on_the_worklist_and_the_page_forms_check_as_the_api(app: &TestApp) {
    use varde_web::i18n::Lang;
    let token = app.token("kliniker").await;
    let stay = |id: &str, start: &str| json!({"stay_id": id, "patient": format!("pt-{id}"), "start": start});
    let decide = |id: &str, body: Value| {
        let app = &app;
        let token = token.clone();
        let path = format!("/api/v1/coercion/stays/{id}/decisions");
        async move { ok(app, &token, &path, body).await }
    };
    // Today is 24 November 2026.
    // T1: a § 10-2 temporary decision of 12 November, to the county board by the 26th.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("T1", "2026-11-12"),
    )
    .await;
    decide(
        "T1",
        decision("10-2", "temporary", "2026-11-12", "2026-11-12"),
    )
    .await;
    // T2: § 10-2 from 26 August: 3 months end on 26 November.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("T2", "2026-08-26"),
    )
    .await;
    decide("T2", decision("10-2", "main", "2026-08-26", "2026-08-26")).await;
    // T3: the third § 10-4 retention, from 20 November (3 weeks: 11 December).
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("T3", "2026-10-01"),
    )
    .await;
    for from in ["2026-10-01", "2026-10-05", "2026-11-20"] {
        decide("T3", decision("10-4", "main", from, from)).await;
    }
    // T4: consent withdrawn 10 November: 3 weeks end on 1 December.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("T4", "2026-11-10"),
    )
    .await;
    decide("T4", decision("10-4", "main", "2026-11-10", "2026-11-10")).await;
    // T5: § 10-2 from 1 November, far from its limit: not listed.
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        stay("T5", "2026-11-01"),
    )
    .await;
    decide("T5", decision("10-2", "main", "2026-11-01", "2026-11-01")).await;

    let due = get_json(app, &token, "/api/v1/coercion/due").await;
    let rows: Vec<(String, String, String, String)> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            (s("stay_id"), s("kind"), s("section"), s("limit"))
        })
        .collect();
    let row = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    assert_eq!(
        rows,
        vec![
            row("T1", "county_board", "10-2", "2026-11-26"),
            row("T2", "three_months", "10-2", "2026-11-26"),
            row("T4", "consent_withdrawn", "10-4", "2026-12-01"),
            row("T3", "third_consent_retention", "10-4", "2026-12-11"),
        ],
        "{due}"
    );
    assert_eq!(due[3]["decision"], 3);
    // Every kind has its words in both languages, and the route is in the API's document.
    for r in due.as_array().unwrap() {
        let kind = r["kind"].as_str().unwrap();
        for l in [Lang::Nb, Lang::En] {
            assert_ne!(l.t_in("pathways.coercion.due", kind), "?", "{kind}");
        }
    }
    let (_, doc) = app.get_text(&token, "/api/v1/openapi.json").await;
    assert!(doc.contains("/api/v1/coercion/due"));
    // Seen later, the county board's limit has passed.
    let later = get_json(app, &token, "/api/v1/coercion/due?as_of=2026-11-27").await;
    assert_eq!(later[0]["stay_id"], "T1");
    assert_eq!(later[0]["overdue"], true);

    // The worklist shows them, the limit and the paragraph, and logs the read.
    let client = browser_login(app, "kliniker").await;
    let (_, worklist) = get_page(&client, app, "/pathways").await;
    for text in [
        "Tvang (kap. 10): frister",
        "midlertidig vedtak sendes fylkesnemnda innen 2 uker",
        "tilbakeholdelse i inntil 3 måneder",
        "tredje og siste tilbakeholdelse i oppholdet",
        "2026-12-11",
        "§ 10-4",
    ] {
        assert!(worklist.contains(text), "{text} not on the worklist");
    }
    assert!(!worklist.contains("pt-T5"));
    let log = app.access_log(200).await;
    assert!(log
        .iter()
        .any(|e| e.action == "coercion.read" && e.record.starts_with("coercion-worklist:org:")));

    // From the page: T1's temporary decision sent to the county board; T2 ended.
    let (_, page) = get_page(&client, app, "/pathways/coercion").await;
    let csrf = csrf_of(&page);
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/county-board",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "T1"),
                ("decision", "1"),
                ("date", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // A main decision is not sent to the county board: the page and the API say so alike.
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/county-board",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "T2"),
                ("decision", "1"),
                ("date", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/T2/decisions/1/county-board",
        json!({"date": "2026-11-20"}),
        "decision",
    )
    .await;
    assert_eq!(
        rule,
        "only a temporary decision is sent to the county board"
    );
    assert!(body.contains(&Lang::Nb.rule(&rule)), "{body}");
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/end",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "T2"),
                ("date", "2026-11-24"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/end",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "T2"),
                ("date", "2026-11-24"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/T2/end",
        json!({"date": "2026-11-24"}),
        "date",
    )
    .await;
    assert!(body.contains(&Lang::Nb.rule(&rule)), "{body}");
    // A date after today is refused on the page as in the API.
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/end",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "T4"),
                ("date", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Without the CSRF token: refused.
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/end",
            &[("stay_id", "T4"), ("date", "2026-11-24")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // T1 sent and T2 ended: off the list.
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    assert_eq!(
        stay_of(&stays, "T1")["decisions"][0]["sent_to_county_board"],
        "2026-11-20"
    );
    assert_eq!(stay_of(&stays, "T2")["end"], "2026-11-24");
    let due = get_json(app, &token, "/api/v1/coercion/due").await;
    let left: Vec<&str> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stay_id"].as_str().unwrap())
        .collect();
    assert_eq!(left, vec!["T4", "T3"]);
}
