//! The national follow-up figures (`/coordination/overdose/national` and its API) and the
//! results dashboard's indicator `overdose_followup_contact`: notices count once their risk
//! week is over, attempts and contact within it, small counts hidden along the national sums,
//! analysts only, no person and no access entry.

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_web::Clock;

use super::{patient, ward, WARD};
use crate::common::{browser_login, get, get_page, goal, indicator, post, year, TestApp};

/// Registers an overdose of `person` at `at`; its id.
async fn notice_at(app: &TestApp, er: &str, person: i64, at: &str) -> i64 {
    let res = post(
        app,
        er,
        "/api/v1/coordination/overdose",
        &json!({"person": person, "occurred_at": at, "service": "ambulance",
                "consent_by": "person", "consent_until": "2026-12-24", "given_how": "oral"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn step(app: &TestApp, token: &str, id: i64, step: &str, body: Value) {
    let res = post(
        app,
        token,
        &format!("/api/v1/coordination/overdose/{id}/{step}"),
        &body,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "{step} on {id}");
}

/// A week before the fixed clock (2026-11-24 13:00 in Oslo): the risk week just over.
const WEEK_AGO: &str = "2026-11-17T13:00";

pub(crate) async fn the_national_figures_count_the_risk_week(app: &TestApp) {
    ward(app).await;
    let er = app.token(WARD).await;
    let oslo = app.token("koordinator.oslo").await;
    let bergen = app.token("radgiver.bergen").await;
    // Oslo: six notices a week old — five attempted after 24 h, four of them reached on day
    // two, one not reached — and one of last night (its week still running).
    for n in 0..6 {
        let person = patient(app, &er, 40 + n, Some("0301")).await;
        let id = notice_at(app, &er, person, WEEK_AGO).await;
        if n < 5 {
            step(
                app,
                &oslo,
                id,
                "attempt",
                json!({"at": "2026-11-18T13:00", "means": "phone"}),
            )
            .await;
            let outcome = if n < 4 { "reached" } else { "not_reached" };
            step(
                app,
                &oslo,
                id,
                "close",
                json!({"at": "2026-11-19T13:00", "outcome": outcome}),
            )
            .await;
        }
    }
    let person = patient(app, &er, 50, Some("0301")).await;
    notice_at(app, &er, person, "2026-11-24T02:30").await;
    // Bergen: two, both attempted and declined within the week.
    for n in 0..2 {
        let person = patient(app, &er, 60 + n, Some("4601")).await;
        let id = notice_at(app, &er, person, WEEK_AGO).await;
        step(
            app,
            &bergen,
            id,
            "attempt",
            json!({"at": "2026-11-18T13:00", "means": "visit"}),
        )
        .await;
        step(
            app,
            &bergen,
            id,
            "close",
            json!({"at": "2026-11-18T14:00", "outcome": "declined"}),
        )
        .await;
    }

    let analyst = app.token("analytiker").await;
    let before = app.access_log(1).await[0].id;
    let res = get(
        app,
        &analyst,
        "/api/v1/coordination/overdose/national?year=2026",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    let nation = &doc["national"];
    assert_eq!(
        nation["notices"], 8,
        "the running week is not counted: {doc}"
    );
    assert_eq!(nation["attempted_in_week"], 7);
    assert_eq!(nation["contact_in_week"], 6);
    assert_eq!(nation["contact_share"], 75.0);
    assert_eq!(nation["mean_hours_to_attempt"], 24.0);
    // Bergen's two are hidden, and Oslo's with them (8 − 6 would give them back).
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{doc}");
    for r in rows {
        assert_eq!(r["notices"], Value::Null, "{r}");
        assert_eq!(r["contact_in_week"], Value::Null, "{r}");
        assert_eq!(r["contact_share"], Value::Null, "{r}");
    }
    assert!(!doc.to_string().contains("Pasient"), "no person");
    assert_eq!(app.access_log(1).await[0].id, before, "no access entry");

    // A week later the running notice's week is over, with no attempt: it counts.
    let later: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
    let state = varde_web::AppState::new(
        app.db.store.clone(),
        varde_core::pseudonym::PseudonymKey::from_bytes([7u8; 32]),
        Clock::Fixed(later),
        app.state.config.clone(),
    )
    .unwrap();
    let doc = varde_web::coordination::overdose::national::national(&state, 2026)
        .await
        .unwrap();
    assert_eq!(doc.national.notices, Some(9));
    assert_eq!(doc.national.attempted_in_week, Some(7));

    // Only analysts; a bad year is a problem naming the field.
    let res = get(app, &oslo, "/api/v1/coordination/overdose/national").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = get(
        app,
        &analyst,
        "/api/v1/coordination/overdose/national?year=tjue",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("year"));

    // The page, and the national discharge view, each linking the other.
    let browser = browser_login(app, "analytiker").await;
    let (s, page) = get_page(&browser, app, "/coordination/overdose/national?year=2026").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("overdose-national-table"));
    assert!(page.contains("<td>75,0</td>"), "the share, in bokmål");
    assert!(page.contains("href=\"/coordination/discharge/national\""));
    // The table as CSV, as the page shows it, the nation's row last.
    assert!(page.contains("href=\"/coordination/overdose/national.csv?year=2026\""));
    let res = browser
        .get(app.url("/coordination/overdose/national.csv?year=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("coordination-overdose-national-2026.csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("Kommune;Varsler;"), "{csv}");
    assert_eq!(lines[3], "Hele landet;8;7;6;75,0;24,0", "{csv}");
    assert!(lines[1].contains(";<5;"), "{csv}");
    let (_, other) = get_page(&browser, app, "/coordination/discharge/national").await;
    assert!(other.contains("href=\"/coordination/overdose/national\""));

    // The results dashboard follows it under goal 2.1, with no login.
    let res = app
        .client()
        .get(app.url("/api/v1/public/results/reform-2024/2"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let focus: Value = res.json().await.unwrap();
    let ind = indicator(&focus, "overdose_followup_contact");
    let followed_by = goal(&focus, "2.1")["indicators"].clone();
    assert!(followed_by.as_array().unwrap().contains(&ind), "goal 2.1");
    assert_eq!(ind["direction"], "higher");
    assert_eq!(year(&ind, 2026).unwrap()["value"], 75.0, "{ind}");
}

/// A clinician of Oslo's municipal emergency ward (legevakt).
const LEGEVAKT: &str = "legevakt.oslo";

pub(crate) async fn a_municipal_legevakt_lists_what_it_sent_elsewhere(app: &TestApp) {
    let store = &app.db.store;
    let oslo_org = store.org_by_key("0301").await.unwrap().unwrap().id;
    let hash = varde_web::auth::hash_password_blocking(crate::common::PASSWORD).unwrap();
    store
        .create_user(
            oslo_org,
            varde_core::org::Role::Clinician,
            varde_core::org::Qualification::Other,
            LEGEVAKT,
            &hash,
            crate::common::NOW.parse().unwrap(),
        )
        .await
        .unwrap();
    let lv = app.token(LEGEVAKT).await;
    // A visitor from Bergen, followed up by Bergen; an Oslo resident, followed up by Oslo.
    let visitor = patient(app, &lv, 70, Some("4601")).await;
    let sent = notice_at(app, &lv, visitor, "2026-11-24T01:00").await;
    let resident = patient(app, &lv, 71, Some("0301")).await;
    let own = notice_at(app, &lv, resident, "2026-11-24T02:00").await;

    let list: Value = get(app, &lv, "/api/v1/coordination/overdose")
        .await
        .json()
        .await
        .unwrap();
    let ids = |k: &str| -> Vec<i64> {
        list[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids("notices"), vec![own], "Oslo's own worklist: {list}");
    assert_eq!(ids("sent"), vec![sent], "sent to Bergen: {list}");
    assert_eq!(list["sent"][0]["municipality"], "Bergen kommune", "{list}");
    // Bergen follows it up; the health trust's ward has nothing "sent".
    let bergen = app.token("radgiver.bergen").await;
    let theirs: Value = get(app, &bergen, "/api/v1/coordination/overdose")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["notices"][0]["id"], sent, "{theirs}");
    assert_eq!(theirs["sent"], json!([]));
    ward(app).await;
    let er = app.token(WARD).await;
    let ward_list: Value = get(app, &er, "/api/v1/coordination/overdose")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ward_list["sent"], json!([]));
    // Each listed notice's read is logged, as the organisation's own.
    let log = app.access_log(20).await;
    assert!(log.iter().any(|e| e.action == "coordination.overdose.read"
        && e.record == format!("coordination_overdose:{sent}")
        && e.owner_org_id == e.org_id));
    // The page shows it under its own heading.
    let browser = browser_login(app, LEGEVAKT).await;
    let (_, page) = get_page(&browser, app, "/coordination/overdose").await;
    assert!(page.contains("sent-heading"));
    assert!(page.contains(&format!("/coordination/overdose/{sent}")));
}
