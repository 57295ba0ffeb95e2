//! Who may reach the area: only clinicians of the unit see pathways, LAR and coercion, and
//! denials are logged; what must have happened may not be dated after today; a stale write
//! leaves nothing behind.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{self, browser_login, csrf_of, TestApp};
use crate::{
    decision, ev, get_json, get_page, ok, post, post_event, refused, run_pathway, stay_of,
};

on_both_engines!(
    only_clinicians_of_the_unit_see_pathways,
    only_clinicians_of_the_unit_reach_lar_and_coercion,
    dates_after_today_are_refused,
    stale_writes_leave_nothing_behind,
);

async fn only_clinicians_of_the_unit_see_pathways(app: &TestApp) {
    let clinician = app.token("kliniker").await;
    run_pathway(app, &clinician, "A1", "2026-09-01", "2026-09-10").await;
    for user in ["radgiver.oslo", "admin.klinikk", "revisor.oslo"] {
        let token = app.token(user).await;
        for path in [
            "/api/v1/pathways/worklist",
            "/api/v1/pathways/p/A1",
            "/api/v1/pathways/export",
        ] {
            let (status, _) = app.get_text(&token, path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}");
        }
        let res = post_event(app, &token, &ev("A2", "referral_received", "2026-11-01")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{user}");
    }
    // The analyst sees the indicators (aggregates), not the pathways.
    let analyst = app.token("analytiker").await;
    let r = get_json(
        app,
        &analyst,
        "/api/v1/pathways/indicators?from=2026-01-01&to=2026-11-24",
    )
    .await;
    assert!(!r["indicators"].as_array().unwrap().is_empty());
    let (status, _) = app.get_text(&analyst, "/api/v1/pathways/worklist").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let advisor = app.token("radgiver.oslo").await;
    let (status, _) = app.get_text(&advisor, "/api/v1/pathways/indicators").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A bad period names the field.
    let (status, body) = app
        .get_text(&analyst, "/api/v1/pathways/indicators?from=2026-13-01")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("from"));
}

async fn only_clinicians_of_the_unit_reach_lar_and_coercion(app: &TestApp) {
    for user in ["radgiver.oslo", "revisor.oslo"] {
        let token = app.token(user).await;
        for path in [
            "/api/v1/lar/population",
            "/api/v1/lar/patients",
            "/api/v1/coercion/stays",
            "/api/v1/coercion/table",
        ] {
            let (status, _) = app.get_text(&token, path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}");
        }
        let (status, _) = post(app, &token, "/api/v1/lar/admissions", json!({"patient": "A", "kommune": "0301", "date": "2026-01-05", "decided_by": "specialist"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        let (status, _) = post(
            app,
            &token,
            "/api/v1/coercion/stays",
            json!({"stay_id": "S1", "patient": "p", "start": "2026-01-05"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
    let res = app
        .client()
        .get(app.url("/api/v1/lar/population"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The refusals are logged; nothing was written.
    let log = app.access_log(10_000).await;
    assert!(log
        .iter()
        .any(|e| e.action == "lar.write" && e.actor == "radgiver.oslo" && e.outcome == "denied"));
    assert!(log.iter().any(|e| e.action == "coercion.read"
        && e.actor == "revisor.oslo"
        && e.outcome == "denied"));
    assert!(!log
        .iter()
        .any(|e| e.outcome == "allowed" && e.action.starts_with("lar.")));
    let token = app.token("kliniker").await;
    let p = get_json(app, &token, "/api/v1/lar/population").await;
    assert_eq!(p["total"], 0);
}

/// The number of allowed writes with `action` in the access log.
async fn writes(app: &TestApp, action: &str) -> usize {
    app.access_log(10_000)
        .await
        .iter()
        .filter(|e| e.action == action && e.outcome == "allowed")
        .count()
}

/// What must already have happened may not be dated after today (the clock: 2026-11-24):
/// admissions, discharges, delegations, the start of an agreement or of municipal dispensing,
/// stays and their end, decisions, retention starts, notices to the child welfare service,
/// cases sent to the county board and appeals lodged. The end of an agreement and the expected
/// date of delivery may lie ahead. Each refusal names the field and the rule and writes nothing.
async fn dates_after_today_are_refused(app: &TestApp) {
    let token = app.token("kliniker").await;
    let future = |field: &str, rule: &str| {
        assert!(
            rule.contains("not after today (2026-11-24)"),
            "{field}: {rule}"
        );
    };
    let admit = |date: &str| json!({"patient": "F", "kommune": "0301", "date": date});
    for date in ["2099-01-01", "2026-11-25"] {
        let rule = refused(app, &token, "/api/v1/lar/admissions", admit(date), "date").await;
        future("date", &rule);
    }
    ok(app, &token, "/api/v1/lar/admissions", admit("2026-11-24")).await;
    let lar_writes = writes(app, "lar.write").await;
    for (path, body, field) in [
        (
            "/api/v1/lar/discharges",
            json!({"patient": "F", "date": "2026-11-25"}),
            "date",
        ),
        (
            "/api/v1/lar/delegations",
            json!({"patient": "F", "gp": "HPR-1", "date": "2026-12-01"}),
            "date",
        ),
        (
            "/api/v1/lar/agreements",
            json!({"kommune": "0301", "from": "2027-01-01"}),
            "from",
        ),
        (
            "/api/v1/lar/dispensing",
            json!({"patient": "F", "date": "2027-01-01"}),
            "date",
        ),
    ] {
        let rule = refused(app, &token, path, body, field).await;
        future(field, &rule);
    }
    assert_eq!(
        writes(app, "lar.write").await,
        lar_writes,
        "nothing written"
    );
    // An agreement may run until a date ahead.
    ok(
        app,
        &token,
        "/api/v1/lar/agreements",
        json!({"kommune": "0301", "from": "2026-11-01", "until": "2027-12-31"}),
    )
    .await;
    let patients = get_json(app, &token, "/api/v1/lar/patients").await;
    assert_eq!(patients[0]["discharged"], Value::Null);

    // Coercion.
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays",
        json!({"stay_id": "F1", "patient": "pt-F1", "start": "2099-01-01"}),
        "start",
    )
    .await;
    future("start", &rule);
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        json!({"stay_id": "F1", "patient": "pt-F1", "start": "2026-11-20"}),
    )
    .await;
    let coercion_writes = writes(app, "coercion.write").await;
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        decision("10-2", "main", "2099-01-01", "2026-11-20"),
        "decided",
    )
    .await;
    future("decided", &rule);
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        decision("10-2", "main", "2026-11-20", "2026-11-25"),
        "from",
    )
    .await;
    future("from", &rule);
    let mut t = decision("10-2", "temporary", "2026-11-20", "2026-11-20");
    t["sent_to_county_board"] = json!("2026-11-30");
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        t,
        "sent_to_county_board",
    )
    .await;
    future("sent_to_county_board", &rule);
    // § 10-3: the expected date of delivery lies ahead, the notice to the child welfare
    // service has happened, and the delivery is not before the retention starts.
    let mut p = decision("10-3", "main", "2026-11-20", "2026-11-20");
    p["expected_delivery"] = json!("2027-04-15");
    p["child_welfare_notified"] = json!("2026-11-25");
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        p.clone(),
        "child_welfare_notified",
    )
    .await;
    future("child_welfare_notified", &rule);
    p["child_welfare_notified"] = json!("2026-11-20");
    p["expected_delivery"] = json!("2026-11-19");
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        p.clone(),
        "expected_delivery",
    )
    .await;
    assert!(
        rule.contains("§ 10-3") && rule.contains("before the retention starts"),
        "{rule}"
    );
    let rule = refused(
        app,
        &token,
        "/api/v1/coercion/stays/F1/end",
        json!({"date": "2026-11-25"}),
        "date",
    )
    .await;
    future("date", &rule);
    assert_eq!(
        writes(app, "coercion.write").await,
        coercion_writes,
        "nothing written"
    );
    p["expected_delivery"] = json!("2027-04-15");
    let doc = ok(app, &token, "/api/v1/coercion/stays/F1/decisions", p).await;
    assert_eq!(doc["decisions"][0]["legal_end"], "2027-04-15");
    assert!(doc["warnings"].as_array().unwrap().is_empty(), "{doc}");
    ok(
        app,
        &token,
        "/api/v1/coercion/stays/F1/decisions",
        decision("10-2", "temporary", "2026-11-21", "2026-11-21"),
    )
    .await;
    for path in [
        "/api/v1/coercion/stays/F1/decisions/1/appeal",
        "/api/v1/coercion/stays/F1/decisions/2/county-board",
    ] {
        let rule = refused(app, &token, path, json!({"date": "2026-12-01"}), "date").await;
        future("date", &rule);
    }
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    let f1 = stay_of(&stays, "F1");
    assert_eq!(f1["decisions"][0]["appealed"], Value::Null);
    assert_eq!(f1["decisions"][1]["sent_to_county_board"], Value::Null);
    assert_eq!(f1["end"], Value::Null);
    // The as-of date of a read may lie ahead.
    get_json(app, &token, "/api/v1/coercion/stays?as_of=2027-01-01").await;

    // The forms give the same refusal, on the page.
    let client = browser_login(app, "kliniker").await;
    let (_, html) = get_page(&client, app, "/pathways/coercion").await;
    let csrf = csrf_of(&html);
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/stay",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "F2"),
                ("patient", "pt-F2"),
                ("start", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("role=\"alert\"") && body.contains("første dag: en dato som har vært"),
        "{body}"
    );
    let (status, body) = app
        .submit(
            &client,
            "/pathways/lar/discharge",
            &[
                ("csrf", csrf.as_str()),
                ("patient", "F"),
                ("date", "2026-12-24"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("ikke etter i dag"), "{body}");
    assert_eq!(
        writes(app, "coercion.write").await,
        coercion_writes + 2,
        "the § 10-3 and the temporary decision"
    );
}

/// A write whose stream changed since it was read leaves neither the event nor its access
/// entry (one transaction).
async fn stale_writes_leave_nothing_behind(app: &TestApp) {
    let token = app.token("kliniker").await;
    ok(
        app,
        &token,
        "/api/v1/coercion/stays",
        json!({"stay_id": "R1", "patient": "pt", "start": "2026-11-01"}),
    )
    .await;
    let user = app
        .db
        .store
        .user_by_username("kliniker")
        .await
        .unwrap()
        .unwrap();
    let org = user.org_id;
    let stream = varde_store::coercion_stream(org, "R1");
    assert_eq!(app.db.store.read_stream(&stream).await.unwrap().len(), 1);
    let before = app.access_log(10_000).await.len();
    let now: jiff::Timestamp = common::NOW.parse().unwrap();
    let event = varde_store::NewEvent {
        stream: stream.clone(),
        kind: "coercion.stay_ended".into(),
        body: r#"{"command":"stay_ended","date":"2026-11-20"}"#.into(),
        actor_id: None,
        org_id: Some(org.0),
        recorded_at: now,
        effective_date: "2026-11-20".into(),
        expected_seq: Some(0),
    };
    let access = varde_store::NewAccess {
        at: now,
        actor: "kliniker".into(),
        actor_id: user.id.0,
        org_id: org.0,
        owner_org_id: org.0,
        action: "coercion.write".into(),
        subject: String::new(),
        record: "coercion:R1".into(),
        purpose: "test".into(),
        outcome: varde_core::audit::Outcome::Allowed,
        flagged: false,
    };
    let err = app
        .db
        .store
        .append_with_access(std::slice::from_ref(&event), Some(&access))
        .await
        .unwrap_err();
    assert!(matches!(err, varde_store::StoreError::Changed(_)), "{err}");
    assert_eq!(app.db.store.read_stream(&stream).await.unwrap().len(), 1);
    assert_eq!(app.access_log(10_000).await.len(), before);
    // With the right sequence number both are written.
    let event = varde_store::NewEvent {
        expected_seq: Some(1),
        ..event
    };
    app.db
        .store
        .append_with_access(&[event], Some(&access))
        .await
        .unwrap();
    assert_eq!(app.db.store.read_stream(&stream).await.unwrap().len(), 2);
    assert_eq!(app.access_log(10_000).await.len(), before + 1);
    let stays = get_json(app, &token, "/api/v1/coercion/stays").await;
    assert_eq!(stay_of(&stays, "R1")["end"], "2026-11-20");
    assert!(app.db.store.verify_access_log().await.unwrap().is_ok());
}
