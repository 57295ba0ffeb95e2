//! Pathway events through the API: a pathway run to its end moves the worklist and the
//! indicators; bad events are refused with the rule; corrections withdraw and replace, and the
//! export imports back; events name real places and one health trust; the pathways of two
//! organisations are not joined.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{browser_login, csrf_of, get_page, TestApp};
use crate::{
    csv_row, ev, get_json, import, ok_event, post_event, run_pathway, HEADER, HF, RHF, UNIT,
};

on_both_engines!(
    pathway_to_its_end_moves_worklist_and_indicators,
    bad_events_are_refused_with_the_rule,
    corrections_withdraw_and_export_round_trips,
    events_name_real_places_and_one_health_trust,
    pathways_of_two_organisations_are_not_joined,
    event_rules_give_one_message_on_the_page_and_the_api,
);

fn indicator<'a>(report: &'a Value, id: &str, level: &str, key: &str) -> &'a Value {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id && r["level"] == level && r["key"] == key)
        .unwrap_or_else(|| panic!("no {id} {level} {key} in {report}"))
}

async fn pathway_to_its_end_moves_worklist_and_indicators(app: &TestApp) {
    let token = app.token("kliniker").await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist").await;
    assert_eq!(w["items"].as_array().unwrap().len(), 0);

    // A referral: awaiting assessment (10 working days), not yet on the worklist of points.
    ok_event(app, &token, ev("P1", "referral_received", "2026-11-20")).await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist").await;
    let unassessed = w["unassessed"].as_array().unwrap();
    assert_eq!(unassessed.len(), 1);
    assert_eq!(unassessed[0]["pathway_id"], "P1");
    assert_eq!(
        unassessed[0]["assess_by"], "2026-12-04",
        "10 working days after Friday 20 Nov"
    );

    // Assessed with a right, started, first attendance: the clinical decision is due 21 days
    // after the first attendance (outpatient).
    let mut assessed = ev("P1", "referral_assessed", "2026-11-23");
    assessed["outcome"] = json!("right");
    assessed["deadline"] = json!("2027-01-15");
    ok_event(app, &token, assessed).await;
    ok_event(app, &token, ev("P1", "pathway_start", "2026-11-23")).await;
    ok_event(app, &token, ev("P1", "first_attendance", "2026-11-24")).await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist?as_of=2026-11-24").await;
    let items = w["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["next"], "clinical_decision");
    assert_eq!(items[0]["due"], "2026-12-15");
    assert_eq!(items[0]["status"], "on_time");
    assert_eq!(w["counts"]["on_time"], 1);
    // Seen later, the same point is overdue.
    let w = get_json(app, &token, "/api/v1/pathways/worklist?as_of=2026-12-16").await;
    assert_eq!(w["items"][0]["status"], "overdue");
    assert_eq!(w["counts"]["overdue"], 1);

    // Indicators: five pathways with decisions within 21 days → 5/5 at the unit.
    for i in 0..5 {
        run_pathway(app, &token, &format!("Q{i}"), "2026-09-01", "2026-09-15").await;
    }
    let q = "/api/v1/pathways/indicators?from=2026-01-01&to=2026-11-24";
    let r = get_json(app, &token, q).await;
    let row = indicator(&r, "decision_within_limit_outpatient", "unit", UNIT);
    assert_eq!(
        (row["numerator"].as_u64(), row["denominator"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(row["suppressed"], false);
    // A sixth, late decision (44 days): the indicator moves to 5/6.
    run_pathway(app, &token, "Q5", "2026-09-01", "2026-10-15").await;
    let r = get_json(app, &token, q).await;
    let row = indicator(&r, "decision_within_limit_outpatient", "unit", UNIT);
    assert_eq!(
        (row["numerator"].as_u64(), row["denominator"].as_u64()),
        (Some(5), Some(6))
    );
    let nation = indicator(&r, "decision_within_limit_outpatient", "nation", "Norge");
    assert_eq!(nation["denominator"].as_u64(), Some(6));
    // Fewer than five in a cell: the row remains, its figures are hidden.
    ok_event(app, &token, ev("Q0", "evaluation", "2026-09-20")).await;
    let r = get_json(app, &token, q).await;
    for (level, key) in [
        ("unit", UNIT),
        ("hf", HF),
        ("rhf", RHF),
        ("nation", "Norge"),
    ] {
        let small = indicator(&r, "first_evaluation_within_limit_outpatient", level, key);
        assert_eq!(small["suppressed"], true, "{small}");
        assert!(
            small["numerator"].is_null()
                && small["denominator"].is_null()
                && small["share"].is_null()
        );
    }

    // The clinical decision and an evaluation move P1's next point; the end closes it.
    let mut decision = ev("P1", "clinical_decision", "2026-11-24");
    decision["outcome"] = json!("CT");
    ok_event(app, &token, decision).await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist?as_of=2026-11-24").await;
    let p1 = w["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["pathway_id"] == "P1")
        .unwrap()
        .clone();
    assert_eq!(p1["next"], "evaluation");
    assert_eq!(p1["due"], "2026-12-01");
    let mut end = ev("P1", "pathway_end", "2026-11-24");
    end["outcome"] = json!("completed");
    ok_event(app, &token, end).await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist?as_of=2026-11-24").await;
    assert!(w["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["pathway_id"] != "P1"));

    // A right whose legal deadline has passed with no first attendance: fristbrudd, flagged on
    // the waiting list and counted.
    ok_event(app, &token, ev("W1", "referral_received", "2026-10-01")).await;
    let mut assessed = ev("W1", "referral_assessed", "2026-10-05");
    assessed["outcome"] = json!("right");
    assessed["deadline"] = json!("2026-11-01");
    ok_event(app, &token, assessed).await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist?as_of=2026-11-24").await;
    assert_eq!(w["counts"]["fristbrudd"], 1, "{w}");
    let waiting = w["waiting"].as_array().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["pathway_id"], "W1");
    assert_eq!(waiting[0]["fristbrudd"], true);
    assert_eq!(waiting[0]["days_waiting"], 54);
    // A referral to another unit of the organisation: the list can be narrowed to one unit.
    let mut other_unit = ev("X1", "referral_received", "2026-11-20");
    other_unit["unit"] = json!("Demo TSB døgn");
    ok_event(app, &token, other_unit).await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist?as_of=2026-11-24").await;
    assert_eq!(w["units"], json!(["Demo TSB døgn", UNIT]));
    let w = get_json(
        app,
        &token,
        "/api/v1/pathways/worklist?as_of=2026-11-24&unit=Demo%20TSB%20d%C3%B8gn",
    )
    .await;
    assert_eq!(w["unit"], "Demo TSB døgn");
    assert!(w["items"].as_array().unwrap().is_empty(), "{w}");
    assert!(w["waiting"].as_array().unwrap().is_empty());
    let unassessed = w["unassessed"].as_array().unwrap();
    assert_eq!(unassessed.len(), 1);
    assert_eq!(unassessed[0]["pathway_id"], "X1");
    assert_eq!(w["counts"]["fristbrudd"], 0);

    // Every read and write of pathway data is in the access log.
    let log = app.access_log(1000).await;
    assert!(log
        .iter()
        .any(|e| e.action == "pathway.write" && e.record == "pathway:P1"));
    assert!(log.iter().any(|e| e.action == "pathway.read"));
    assert!(app.db.store.verify_access_log().await.unwrap().is_ok());
}

async fn bad_events_are_refused_with_the_rule(app: &TestApp) {
    let token = app.token("kliniker").await;
    let refused = |body: Value, field: &'static str, needle: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let res = post_event(app, &token, &body).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(res.headers()["content-type"], "application/problem+json");
            let p: Value = res.json().await.unwrap();
            assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
            let rule = p["errors"][0]["rule"].as_str().unwrap().to_lowercase();
            assert!(
                rule.contains(needle),
                "{body}: expected '{needle}' in '{rule}'"
            );
        }
    };
    refused(
        ev("B1", "teleportation", "2026-11-01"),
        "event",
        "teleportation",
    )
    .await;
    refused(ev("B1", "referral_received", "2026-13-01"), "date", "date").await;
    refused(
        ev("B1", "referral_received", "2026-12-24"),
        "date",
        "future",
    )
    .await;
    let mut wrong_code = ev("B1", "referral_received", "2026-11-01");
    wrong_code["code"] = json!("D01CT");
    refused(wrong_code, "code", "d01ct").await;
    let mut bad_deadline = ev("B1", "referral_assessed", "2026-11-01");
    bad_deadline["outcome"] = json!("right");
    bad_deadline["deadline"] = json!("soon");
    refused(bad_deadline, "deadline", "soon").await;
    let mut bad_outcome = ev("B1", "referral_assessed", "2026-11-01");
    bad_outcome["outcome"] = json!("maybe");
    refused(bad_outcome, "outcome", "maybe").await;
    let mut bad_level = ev("B1", "referral_received", "2026-11-01");
    bad_level["care_level"] = json!("home");
    refused(bad_level, "care_level", "home").await;
    ok_event(app, &token, ev("B1", "referral_received", "2026-11-01")).await;
    // Evaluation before any clinical decision; a second referral; the same event again; a
    // date before the referral.
    refused(ev("B1", "evaluation", "2026-11-10"), "event", "decision").await;
    refused(
        ev("B1", "referral_received", "2026-11-02"),
        "event",
        "duplicate",
    )
    .await;
    refused(
        ev("B1", "referral_received", "2026-11-01"),
        "event",
        "duplicate event: referral_received on 2026-11-01 (already registered)",
    )
    .await;
    refused(
        ev("B1", "first_attendance", "2026-10-01"),
        "date",
        "referral",
    )
    .await;
    // Two clicks at once on the same referral: one is registered, the other is refused as a
    // duplicate (checked again after the first one's write), never both stored.
    for round in 0..5 {
        let body = ev(&format!("D{round}"), "referral_received", "2026-11-01");
        let (a, b) = tokio::join!(
            post_event(app, &token, &body),
            post_event(app, &token, &body)
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY],
            "round {round}"
        );
        let stored = get_json(app, &token, &format!("/api/v1/pathways/p/D{round}")).await;
        assert_eq!(stored["events"].as_array().unwrap().len(), 1);
    }
    // A correction may not move an event to another health trust either.
    let stored = get_json(app, &token, "/api/v1/pathways/p/B1").await;
    let id = stored["events"][0]["id"].as_i64().unwrap();
    let mut moved = ev("B1", "referral_received", "2026-11-01");
    moved["hf"] = json!("Helse Bergen HF");
    moved["rhf"] = json!("Helse Vest RHF");
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/pathways/events/{id}/corrections")))
        .bearer_auth(&token)
        .json(&json!({"reason": "flyttet", "replacement": moved}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "replacement.hf", "{p}");
    // A path segment that does not parse is a problem document too.
    let res = app
        .client()
        .post(app.url("/api/v1/pathways/events/99999999999999999999/corrections"))
        .bearer_auth(&token)
        .json(&json!({"reason": "typo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["status"], 400);
    // Malformed JSON and a missing field are problems too.
    let res = app
        .client()
        .post(app.url("/api/v1/pathways/events"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let mut missing = ev("B2", "referral_received", "2026-11-01");
    missing["unit"] = json!("");
    let res = post_event(app, &token, &missing).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("unit"));
    // Nothing of the refused was stored: B1 has its one event, B2 none.
    let b1 = get_json(app, &token, "/api/v1/pathways/p/B1").await;
    assert_eq!(b1["events"].as_array().unwrap().len(), 1);
    let (status, _) = app.get_text(&token, "/api/v1/pathways/p/B2").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn corrections_withdraw_and_export_round_trips(app: &TestApp) {
    let token = app.token("kliniker").await;
    run_pathway(app, &token, "C1", "2026-09-01", "2026-09-10").await;
    ok_event(app, &token, ev("C1", "evaluation", "2026-09-15")).await;
    let w = get_json(app, &token, "/api/v1/pathways/worklist?as_of=2026-09-20").await;
    assert_eq!(w["items"][0]["next"], "evaluation");
    assert_eq!(
        w["items"][0]["due"], "2026-11-10",
        "56 days after the first evaluation"
    );

    let events = get_json(app, &token, "/api/v1/pathways/p/C1").await;
    let evaluation = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "evaluation")
        .unwrap();
    let id = evaluation["id"].as_i64().unwrap();
    let correct = |body: Value| {
        app.client()
            .post(app.url(&format!("/api/v1/pathways/events/{id}/corrections")))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    // A correction needs a reason.
    assert_eq!(
        correct(json!({"reason": ""})).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A replacement that breaks a rule (evaluation before the decision) is refused.
    let bad = json!({"reason": "feil dato", "replacement": ev("C1", "evaluation", "2026-09-05")});
    assert_eq!(
        correct(bad).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Replace the date: the worklist follows.
    let good = json!({"reason": "feil dato", "replacement": ev("C1", "evaluation", "2026-09-12")});
    assert_eq!(correct(good).await.unwrap().status(), StatusCode::OK);
    let w = get_json(app, &token, "/api/v1/pathways/worklist?as_of=2026-09-20").await;
    assert_eq!(w["items"][0]["due"], "2026-11-07");
    // The old id is gone from the effective events.
    assert_eq!(
        correct(json!({"reason": "igjen"})).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // The correction stays visible: what was withdrawn, why, by whom, and its replacement.
    let corrections = get_json(app, &token, "/api/v1/pathways/p/C1/corrections").await;
    let corrections = corrections.as_array().unwrap();
    assert_eq!(corrections.len(), 1, "{corrections:?}");
    let c = &corrections[0];
    assert_eq!(c["withdrawn"]["id"], id);
    assert_eq!(c["withdrawn"]["date"], "2026-09-15");
    assert_eq!(c["reason"], "feil dato");
    assert_eq!(c["by"], "kliniker");
    let replacement = c["replacement_id"].as_i64().unwrap();
    let events = get_json(app, &token, "/api/v1/pathways/p/C1").await;
    assert!(events["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == replacement && e["date"] == "2026-09-12"));
    let client = browser_login(app, "kliniker").await;
    let (_, page) = get_page(&client, app, "/pathways/p/C1").await;
    assert!(
        page.contains("Rettelser") && page.contains("feil dato"),
        "{page}"
    );

    // Export: the import format, and it imports back elsewhere unchanged.
    let res = app
        .client()
        .get(app.url("/api/v1/pathways/export"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert!(csv
        .starts_with("pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline"));
    assert_eq!(csv.lines().count(), 1 + 6);
    assert!(csv.contains("2026-09-12") && !csv.contains("2026-09-15"));
    let parsed = varde_core::pathways::read_events(csv.as_bytes()).unwrap();
    assert!(parsed.errors.is_empty());
}

async fn events_name_real_places_and_one_health_trust(app: &TestApp) {
    let token = app.token("kliniker").await;
    let refused = |body: Value, field: &'static str, needle: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let res = post_event(app, &token, &body).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let p: Value = res.json().await.unwrap();
            assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
            let rule = p["errors"][0]["rule"].as_str().unwrap();
            assert!(
                rule.contains(needle),
                "{body}: expected '{needle}' in '{rule}'"
            );
        }
    };
    let with = |key: &str, value: &str| {
        let mut e = ev("R1", "referral_received", "2026-11-01");
        e[key] = json!(value);
        e
    };
    refused(with("rhf", "Helse Nowhere RHF"), "rhf", "Helse Nowhere RHF").await;
    refused(with("hf", "Fantasi HF"), "hf", "Fantasi HF").await;
    refused(
        with("hf", "Helse Bergen HF"),
        "hf",
        "belongs to Helse Vest RHF",
    )
    .await;
    refused(with("kommune", "zz"), "kommune", "zz").await;
    refused(with("pathway_id", &"x".repeat(65)), "pathway_id", "64").await;
    // The organisation's first event fixes its health trust; another one is refused after.
    ok_event(app, &token, ev("R1", "referral_received", "2026-11-01")).await;
    let mut elsewhere = ev("R2", "referral_received", "2026-11-01");
    elsewhere["hf"] = json!("Akershus universitetssykehus HF");
    refused(
        elsewhere.clone(),
        "hf",
        "registers its pathways under Oslo universitetssykehus HF",
    )
    .await;
    // In an import, the row is refused with its line, and its pathway is held back.
    let mut csv = HEADER.to_string();
    csv += &csv_row("R3", "referral_received", "2026-10-01", "");
    csv += "R4,Ahus TSB,Akershus universitetssykehus HF,Helse Sør-Øst RHF,0301,outpatient,referral_received,2026-10-01,,,\n";
    let (status, r) = import(app, &token, "?batch_id=places&valid_only=true", csv).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["imported"], 1);
    assert_eq!(r["errors"][0]["line"], 3);
    assert!(
        r["errors"][0]["rule"].as_str().unwrap().starts_with("hf: "),
        "{r}"
    );
    // The indicators a clinician sees stay those of their organisation's trust and region.
    let report = get_json(
        app,
        &token,
        "/api/v1/pathways/indicators?from=2026-01-01&to=2026-11-24",
    )
    .await;
    for row in report["indicators"].as_array().unwrap() {
        if row["level"] == "hf" {
            assert_eq!(row["key"], HF, "{row}");
        }
    }
}

/// Two organisations may use the same pathway ids for different patients: the national
/// figures count both.
async fn pathways_of_two_organisations_are_not_joined(app: &TestApp) {
    app.add_treatment_org("Bergen TSB", "kliniker.bergen").await;
    let oslo = app.token("kliniker").await;
    let other = app.token("kliniker.bergen").await;
    for i in 0..3 {
        let id = format!("S{i}");
        run_pathway(app, &oslo, &id, "2026-09-01", "2026-09-15").await;
        // The same ids in Bergen, with Bergen's places.
        for (event, date) in [
            ("referral_received", "2026-08-03"),
            ("first_attendance", "2026-09-01"),
            ("clinical_decision", "2026-09-15"),
        ] {
            let mut e = ev(&id, event, date);
            // The same unit name as Oslo's: another unit all the same.
            e["unit"] = json!(UNIT);
            e["hf"] = json!("Helse Bergen HF");
            e["rhf"] = json!("Helse Vest RHF");
            e["kommune"] = json!("4601");
            if event == "clinical_decision" {
                e["outcome"] = json!("CT");
            }
            ok_event(app, &other, e).await;
        }
    }
    let analyst = app.token("analytiker").await;
    let r = get_json(
        app,
        &analyst,
        "/api/v1/pathways/indicators?from=2026-01-01&to=2026-11-24",
    )
    .await;
    let nation = indicator(&r, "decision_within_limit_outpatient", "nation", "Norge");
    assert_eq!(
        (nation["numerator"].as_u64(), nation["denominator"].as_u64()),
        (Some(6), Some(6)),
        "{nation}"
    );
    // Each organisation's unit is a row of its own, named with its organisation.
    for key in [
        format!("{UNIT} (Demo behandlingsenhet TSB)"),
        format!("{UNIT} (Bergen TSB)"),
    ] {
        let row = indicator(&r, "decision_within_limit_outpatient", "unit", &key);
        assert_eq!(row["suppressed"], true, "3 decisions: {row}");
    }
}

/// Posts an event to the API and expects a refusal naming `field`, with a rule starting with
/// `starts` and its catalog code `code`; returns the rule.
async fn api_refusal(
    app: &TestApp,
    token: &str,
    body: Value,
    field: &str,
    starts: &str,
    code: &str,
) -> String {
    let res = post_event(app, token, &body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
    assert_eq!(p["errors"][0]["code"], code, "{body}: {p}");
    let rule = p["errors"][0]["rule"].as_str().unwrap().to_owned();
    assert!(
        rule.starts_with(starts),
        "{body}: expected '{starts}…' in '{rule}'"
    );
    rule
}

/// Each event rule of issue 15 refuses with 422, names its rule, writes nothing, and says the
/// same on the pathway page (in bokmål, the catalog's words for the API's rule) as in the API.
async fn event_rules_give_one_message_on_the_page_and_the_api(app: &TestApp) {
    use varde_web::i18n::Lang;
    let token = app.token("kliniker").await;
    let client = browser_login(app, "kliniker").await;
    ok_event(app, &token, ev("E1", "referral_received", "2026-11-02")).await;
    let (_, page) = get_page(&client, app, "/pathways/p/E1").await;
    let csrf = csrf_of(&page);
    // The page's form, with the same event: refused with the same rule, said in bokmål.
    let on_page = |fields: Vec<(&'static str, &'static str)>, rule: String| {
        let client = client.clone();
        let csrf = csrf.clone();
        async move {
            let mut form = vec![("csrf", csrf.as_str())];
            form.extend(fields.iter().copied());
            let (status, body) = app.submit(&client, "/pathways/p/E1/events", &form).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
            let said = Lang::Nb.rule(&rule);
            assert_ne!(said, rule, "no bokmål for {rule}");
            assert!(body.contains(&said), "{said} not on the page");
        }
    };
    let with = |event: &str, date: &str, outcome: &str, deadline: &str| {
        let mut e = ev("E1", event, date);
        e["outcome"] = json!(outcome);
        e["deadline"] = json!(deadline);
        e
    };

    // A right without its legal deadline, or with one before the assessment.
    let rule = api_refusal(
        app,
        &token,
        with("referral_assessed", "2026-11-04", "right", ""),
        "deadline",
        "a right needs its legal deadline",
        "csv.right_without_deadline",
    )
    .await;
    let form = vec![
        ("event", "referral_assessed"),
        ("date", "2026-11-04"),
        ("outcome", "right"),
    ];
    on_page(form, rule).await;
    let rule = api_refusal(
        app,
        &token,
        with("referral_assessed", "2026-11-04", "right", "2026-11-03"),
        "deadline",
        "deadline before the assessment: 2026-11-03",
        "csv.deadline_before_assessment",
    )
    .await;
    let form = vec![
        ("event", "referral_assessed"),
        ("date", "2026-11-04"),
        ("outcome", "right"),
        ("deadline", "2026-11-03"),
    ];
    on_page(form, rule).await;
    ok_event(
        app,
        &token,
        with("referral_assessed", "2026-11-04", "right", "2026-12-31"),
    )
    .await;

    // An attendance before the assessment; then a second first attendance.
    let rule = api_refusal(
        app,
        &token,
        ev("E1", "first_attendance", "2026-11-03"),
        "date",
        "no attendance before the assessment",
        "csv.attendance_before_assessment",
    )
    .await;
    on_page(
        vec![("event", "first_attendance"), ("date", "2026-11-03")],
        rule,
    )
    .await;
    ok_event(app, &token, ev("E1", "first_attendance", "2026-11-05")).await;
    let rule = api_refusal(
        app,
        &token,
        ev("E1", "first_attendance", "2026-11-10"),
        "event",
        "one first attendance per pathway: 2026-11-10",
        "csv.second_first_attendance",
    )
    .await;
    on_page(
        vec![("event", "first_attendance"), ("date", "2026-11-10")],
        rule,
    )
    .await;

    // In the future (after 24 November in Oslo), or before the referral.
    let rule = api_refusal(
        app,
        &token,
        ev("E1", "evaluation", "2026-11-25"),
        "date",
        "date in the future",
        "csv.date_future",
    )
    .await;
    on_page(vec![("event", "evaluation"), ("date", "2026-11-25")], rule).await;
    let rule = api_refusal(
        app,
        &token,
        ev("E1", "pathway_start", "2026-11-01"),
        "date",
        "date before the referral",
        "csv.before_referral",
    )
    .await;
    on_page(
        vec![("event", "pathway_start"), ("date", "2026-11-01")],
        rule,
    )
    .await;

    // Closed: after the end, nothing is added, whatever the date; an import is refused too.
    let mut decision = ev("E1", "clinical_decision", "2026-11-06");
    decision["outcome"] = json!("CI");
    ok_event(app, &token, decision).await;
    let mut end = ev("E1", "pathway_end", "2026-11-09");
    end["outcome"] = json!("no further need");
    ok_event(app, &token, end).await;
    let rule = api_refusal(
        app,
        &token,
        ev("E1", "treatment_plan_involvement", "2026-11-08"),
        "event",
        "the pathway is closed: it ended on 2026-11-09",
        "csv.pathway_closed",
    )
    .await;
    on_page(
        vec![
            ("event", "treatment_plan_involvement"),
            ("date", "2026-11-08"),
        ],
        rule,
    )
    .await;
    let mut csv = HEADER.to_string();
    csv += &csv_row("E1", "evaluation", "2026-11-07", "");
    let (status, r) = import(app, &token, "?batch_id=closed", csv).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(
        r["errors"][0]["rule"]
            .as_str()
            .unwrap()
            .starts_with("the pathway is closed"),
        "{r}"
    );
    // Nothing refused was written: the five events registered (the pathway's events, whether
    // the document is the list or an object holding it).
    let doc = get_json(app, &token, "/api/v1/pathways/p/E1").await;
    let stored = doc.get("events").unwrap_or(&doc);
    assert_eq!(stored.as_array().unwrap().len(), 5, "{stored}");

    // A correction is how a closed pathway changes: the end withdrawn, it takes events again.
    let end_id = stored
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "pathway_end")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/pathways/events/{end_id}/corrections")))
        .bearer_auth(&token)
        .json(&json!({"reason": "avsluttet ved en feil"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    ok_event(
        app,
        &token,
        ev("E1", "treatment_plan_involvement", "2026-11-08"),
    )
    .await;
}
