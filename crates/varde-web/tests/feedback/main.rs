//! Feedback over HTTP, on SQLite and PostgreSQL. The clock is fixed at 2026-11-24 12:00 UTC: a
//! one-time link works once; a second server with its clock 7 days on finds it expired; a
//! wrong, used or expired token gets the same 404 page; another organisation's clinician is
//! refused the trend (and the refusal logged where the patient's organisation sees it); an
//! answer marks the link's pathway as having used a feedback tool; survey figures hide small
//! cells and what would give them back; the pages' round trips; the answer pages' rate limit.
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{browser_login, create_person, csrf_of, get, get_page, post, synthetic_id, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use varde_core::feedback::ITEMS;

const HF: &str = "Oslo universitetssykehus HF";

/// Every item rated `v`, as the form sends it.
fn form(v: u8) -> Vec<(String, String)> {
    ITEMS
        .iter()
        .map(|(id, _)| ((*id).to_owned(), v.to_string()))
        .collect()
}

/// A link for `person`'s session; its path (`/f/{token}`).
async fn link(app: &TestApp, token: &str, person: i64, body: Value) -> String {
    let res = post(
        app,
        token,
        &format!("/api/v1/feedback/patients/{person}/links"),
        &body,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    let path = v["path"].as_str().unwrap().to_owned();
    assert!(v["url"].as_str().unwrap().ends_with(&path));
    assert_eq!(path.len(), "/f/".len() + 43, "{path}");
    path
}

async fn answer(app: &TestApp, path: &str, v: u8) -> (StatusCode, String) {
    let res = app
        .client()
        .post(app.url(path))
        .form(&form(v))
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn open(base: &str, path: &str) -> (StatusCode, String) {
    let res = reqwest::get(format!("{base}{path}")).await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn a_link_works_once_and_the_trend_shows_the_answer(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(1), "Kari Nordmann").await;
    let path = link(
        app,
        &token,
        person,
        json!({"session_date": "2026-11-24", "session_number": 1}),
    )
    .await;
    let (status, page) = open(&app.base, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"outcome_personal\""), "{page}");
    // The page names no patient; it is in bokmål, and in English with the switch.
    assert!(!page.contains("Kari"));
    assert!(page.contains("Tilbakemelding etter timen"));
    let english = app
        .client()
        .get(app.url(&path))
        .header("cookie", "varde_lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Feedback after the session"), "{english}");
    let (status, _) = answer(app, &path, 7).await;
    assert_eq!(status, StatusCode::OK);
    // Used: the second answer and the page are the 404, and nothing more was written.
    let (status, again) = answer(app, &path, 2).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, reopened) = open(&app.base, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(again, reopened);

    let res = get(app, &token, &format!("/api/v1/feedback/patients/{person}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    let points = doc["trend"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0]["outcome"], 28);
    assert_eq!(points[0]["alliance"], 28);
    assert_eq!(doc["answers"][0]["alliance_heard"], 7);
    assert!(doc["links"][0]["used_at"].is_string());
    assert!(
        !doc.to_string().contains(&path[3..]),
        "no token in the read"
    );

    // The answer and the read are logged with the patient's pseudonym.
    let log = app.access_log(50).await;
    let answered = log
        .iter()
        .find(|e| e.action == "feedback.answer")
        .expect("the answer's entry");
    assert!(!answered.subject.is_empty());
    assert!(log
        .iter()
        .any(|e| e.action == "feedback.read" && e.subject == answered.subject));
    assert!(log
        .iter()
        .any(|e| e.action == "feedback.link" && e.subject == answered.subject));
}

/// A second server on the same database with its clock at `now`; its address and its stop.
async fn server_at(app: &TestApp, now: &str) -> (String, oneshot::Sender<()>) {
    let store = varde_store::Store::connect(&app.db.url).await.unwrap();
    let config = varde_web::Config {
        data_dir: app.db.data_dir.path().to_path_buf(),
        limits: varde_web::limits::Limits::off(),
        ..varde_web::Config::default()
    };
    let key = varde_core::pseudonym::PseudonymKey::from_bytes([7u8; 32]);
    let clock = varde_web::Clock::Fixed(now.parse().unwrap());
    let state = varde_web::AppState::new(store, key, clock, config).unwrap();
    let server = varde_web::Application::bind("127.0.0.1:0", state)
        .await
        .unwrap();
    let addr = server.addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    (format!("http://{addr}"), tx)
}

async fn a_link_expires_seven_days_after_it_was_made(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(2), "Ola Hansen").await;
    let body = json!({"session_date": "2026-11-24", "session_number": "2"});
    let path = link(app, &token, person, body).await;
    let (just_before, stop) = server_at(app, "2026-12-01T11:59:59Z").await;
    assert_eq!(open(&just_before, &path).await.0, StatusCode::OK);
    let _ = stop.send(());
    let (after, stop) = server_at(app, "2026-12-01T12:00:00Z").await;
    let (status, gone) = open(&after, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = reqwest::Client::new()
        .post(format!("{after}{path}"))
        .form(&form(5))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.text().await.unwrap(), gone);
    let _ = stop.send(());
    let doc: Value = get(app, &token, &format!("/api/v1/feedback/patients/{person}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["trend"]["points"].as_array().unwrap().is_empty());
}

async fn a_wrong_token_is_the_same_404_in_the_same_time(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(3), "Ingrid Berg").await;
    let used = link(
        app,
        &token,
        person,
        json!({"session_date": "2026-11-20", "session_number": 4}),
    )
    .await;
    assert_eq!(answer(app, &used, 6).await.0, StatusCode::OK);
    let (_, used_page) = open(&app.base, &used).await;
    for wrong in [
        format!("/f/{}", "A".repeat(43)),
        "/f/short".to_owned(),
        format!("/f/{}", &used[3..].to_lowercase()),
    ] {
        let started = Instant::now();
        let (status, page) = open(&app.base, &wrong).await;
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert_eq!(status, StatusCode::NOT_FOUND, "{wrong}");
        assert_eq!(page, used_page, "{wrong}");
        let (status, sent) = answer(app, &wrong, 5).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(sent, used_page);
    }
}

async fn another_organisations_clinician_cannot_read_the_trend(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(4), "Ahmed Khalil").await;
    let own_org = app
        .db
        .store
        .person_ref(person)
        .await
        .unwrap()
        .unwrap()
        .org_id;
    app.add_treatment_org("Annen klinikk", "kliniker.annen")
        .await;
    let other = app.token("kliniker.annen").await;
    let res = get(app, &other, &format!("/api/v1/feedback/patients/{person}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post(
        app,
        &other,
        &format!("/api/v1/feedback/patients/{person}/links"),
        &json!({"session_date": "2026-11-24", "session_number": 1}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let log = app.access_log(20).await;
    let denied: Vec<_> = log
        .iter()
        .filter(|e| e.outcome == "denied" && e.action.starts_with("feedback."))
        .collect();
    assert_eq!(denied.len(), 2, "{log:?}");
    assert!(denied.iter().all(|e| e.owner_org_id == own_org.0));
    // An analyst is no clinician: refused too.
    let analyst = app.token("analytiker").await;
    let res = get(
        app,
        &analyst,
        &format!("/api/v1/feedback/patients/{person}"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn bad_link_input_names_each_field(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(5), "Sofie Lund").await;
    let path = format!("/api/v1/feedback/patients/{person}/links");
    let res = post(
        app,
        &token,
        &path,
        &json!({"session_date": "2026-11-25", "session_number": 0}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = res.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["session_date", "session_number"]);
    let res = post(
        app,
        &token,
        &path,
        &json!({"session_date": "2026-11-24", "session_number": 1, "pathway_id": "TSB-NOTHERS"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "pathway_id");
    // A person no one has: 404.
    let res = post(
        app,
        &token,
        "/api/v1/feedback/patients/999999/links",
        &json!({"session_date": "2026-11-24", "session_number": 1}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // An answer missing items is refused naming them, and the link still works.
    let made = link(
        app,
        &token,
        person,
        json!({"session_date": "2026-11-24", "session_number": 1}),
    )
    .await;
    let res = app
        .client()
        .post(app.url(&made))
        .form(&[("outcome_personal", "11"), ("alliance_heard", "3")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"outcome_personal-error\""), "{page}");
    assert!(page.contains("id=\"outcome_overall-error\""));
    assert!(
        page.contains("value=\"3\" required checked"),
        "typed values kept"
    );
    assert_eq!(answer(app, &made, 4).await.0, StatusCode::OK);
}

async fn an_answer_counts_for_the_pathways_feedback_indicator(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(6), "Jonas Dahl").await;
    let referral = json!({
        "unit": "Demo TSB poliklinikk", "hf": HF, "rhf": "Helse Sør-Øst RHF", "kommune": "0301",
        "care_level": "outpatient", "event": "referral_received", "date": "2026-11-02",
        "person_id": person,
    });
    let res = post(app, &token, "/api/v1/pathways/events", &referral).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let pathway = res.json::<Value>().await.unwrap()["pathway_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 1..=2 {
        let body =
            json!({"session_date": "2026-11-24", "session_number": n, "pathway_id": pathway});
        let made = link(app, &token, person, body).await;
        assert_eq!(answer(app, &made, 5).await.0, StatusCode::OK);
    }
    let doc: Value = get(app, &token, &format!("/api/v1/pathways/p/{pathway}"))
        .await
        .json()
        .await
        .unwrap();
    let text = doc["events"].to_string();
    // Marked once, however many sessions were answered.
    assert_eq!(text.matches("feedback_tool_used").count(), 1, "{text}");
}

/// One survey answer with every question rated `v`.
async fn survey_answer(app: &TestApp, path: &str, questions: &[&str], v: u8) -> StatusCode {
    let body: Vec<(&str, String)> = questions.iter().map(|q| (*q, v.to_string())).collect();
    app.client()
        .post(app.url(path))
        .form(&body)
        .send()
        .await
        .unwrap()
        .status()
}

async fn survey_figures_hide_small_cells_and_what_gives_them_back(app: &TestApp) {
    use varde_core::feedback::surveys::USER_QUESTIONS;
    let token = app.token("kliniker").await;
    let res = post(
        app,
        &token,
        "/api/v1/feedback/surveys/users/links",
        &json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let url = res.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = &url[url.find("/s/").unwrap()..];
    let (status, page) = open(&app.base, path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"users_respect\""));
    for _ in 0..5 {
        assert_eq!(
            survey_answer(app, path, &USER_QUESTIONS, 5).await,
            StatusCode::OK
        );
    }
    for _ in 0..2 {
        assert_eq!(
            survey_answer(app, path, &USER_QUESTIONS, 4).await,
            StatusCode::OK
        );
    }
    // Out of range: refused, nothing written.
    assert_eq!(
        survey_answer(app, path, &USER_QUESTIONS, 9).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let figures = |t: String| async move {
        let v: Value = get(app, &t, "/api/v1/feedback/surveys")
            .await
            .json()
            .await
            .unwrap();
        v
    };
    let v = figures(token.clone()).await;
    let s = &v["surveys"][0]["figures"];
    assert_eq!(s["answers"], 7);
    // The 2 is hidden; 7 − 5 would give it back, so the 5 is hidden too; no mean.
    assert_eq!(s["questions"][0]["counts"], json!([0, 0, 0, null, null]));
    assert!(s["questions"][0]["mean"].is_null());
    for _ in 0..6 {
        assert_eq!(
            survey_answer(app, path, &USER_QUESTIONS, 4).await,
            StatusCode::OK
        );
    }
    let v = figures(token.clone()).await;
    let s = &v["surveys"][0]["figures"];
    assert_eq!(s["questions"][0]["counts"], json!([0, 0, 0, 8, 5]));
    let mean = s["questions"][0]["mean"].as_f64().unwrap();
    assert!((mean - 57.0 / 13.0).abs() < 1e-9);
    // The analyst sees every organisation's; another organisation's staff none of these.
    let analyst = figures(app.token("analytiker").await).await;
    assert_eq!(analyst["surveys"].as_array().unwrap().len(), 1);
    let oslo = figures(app.token("radgiver.oslo").await).await;
    assert!(oslo["surveys"].as_array().unwrap().is_empty());
    let (status, _) = app
        .get_text(&app.token("revisor.oslo").await, "/api/v1/feedback/surveys")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The CSV: hidden cells empty.
    let (status, csv) = app.get_text(&token, "/feedback/surveys.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("users_respect"), "{csv}");
    // Sharing again closes the old link.
    let res = post(
        app,
        &token,
        "/api/v1/feedback/surveys/users/links",
        &json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(open(&app.base, path).await.0, StatusCode::NOT_FOUND);
}

async fn the_clinician_uses_the_pages(app: &TestApp) {
    let token = app.token("kliniker").await;
    let person = create_person(app, &token, &synthetic_id(7), "Kari Nordmann").await;
    for (n, v, day) in [(1, 3, "2026-11-17"), (2, 5, "2026-11-24")] {
        let body = json!({"session_date": day, "session_number": n});
        let made = link(app, &token, person, body).await;
        assert_eq!(answer(app, &made, v).await.0, StatusCode::OK);
    }
    let client = browser_login(app, "kliniker").await;
    let (status, list) = get_page(&client, app, "/feedback").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("/feedback/patients/{person}")));
    let (status, page) = get_page(&client, app, &format!("/feedback/patients/{person}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"), "the trend chart");
    assert!(
        page.contains("<h1>") && page.contains(": Kari Nordmann</h1>"),
        "{page}"
    );
    assert!(
        page.contains("<td>12</td>") && page.contains("<td>20</td>"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let target = app.url(&format!("/feedback/patients/{person}/links"));
    let res = client
        .post(&target)
        .form(&[
            ("csrf", csrf.as_str()),
            ("session_date", "2026-11-24"),
            ("session_number", "3"),
            ("pathway_id", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let made = res.text().await.unwrap();
    assert!(made.contains("/f/"), "the link shown");
    let res = client
        .post(&target)
        .form(&[
            ("csrf", csrf.as_str()),
            ("session_date", "tomorrow"),
            ("session_number", "3"),
            ("pathway_id", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = res.text().await.unwrap();
    assert!(again.contains("id=\"session_date-error\""), "{again}");
    assert!(again.contains("value=\"tomorrow\""));
    // The staff share a survey link from the figures' page.
    let (status, surveys) = get_page(&client, app, "/feedback/surveys?kind=relatives").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!surveys.contains("/s/"), "no link yet");
    let res = client
        .post(app.url("/feedback/surveys/share"))
        .form(&[("csrf", csrf_of(&surveys).as_str()), ("kind", "relatives")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, surveys) = get_page(&client, app, "/feedback/surveys?kind=relatives").await;
    let at = surveys.find("/s/").expect("the shared link");
    let path: String = surveys[at..].chars().take_while(|c| *c != '"').collect();
    let (status, page) = open(&app.base, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"relatives_support\""));
    // The menu leads a clinician here, an analyst to the surveys.
    assert!(list.contains("href=\"/feedback\""), "the menu's link");
    let analyst = browser_login(app, "analytiker").await;
    let (status, surveys) = get_page(&analyst, app, "/feedback/surveys").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !surveys.contains("/feedback/surveys/share"),
        "an analyst shares nothing"
    );
}

async fn the_demo_has_trends_an_open_link_and_survey_figures(app: &TestApp) {
    varde_web::pathways::seed_demo_patients(&app.state)
        .await
        .unwrap();
    let demo = varde_web::feedback::demo::seed_demo_feedback(&app.state)
        .await
        .unwrap();
    assert_eq!(demo.answers, 12);
    assert_eq!(demo.survey_answers, 32);
    let path = demo.open_link.unwrap();
    assert_eq!(open(&app.base, &path).await.0, StatusCode::OK);
    let token = app.token("kliniker").await;
    let client = browser_login(app, "kliniker").await;
    let (_, list) = get_page(&client, app, "/feedback").await;
    let first = list.find("/feedback/patients/").unwrap();
    let id: String = list[first + "/feedback/patients/".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let doc: Value = get(app, &token, &format!("/api/v1/feedback/patients/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["trend"]["points"].as_array().unwrap().len(), 4);
    assert!(doc["trend"]["outcome_change"].as_i64().unwrap() > 0);
    let pathway = doc["links"][0]["pathway_id"].as_str().unwrap().to_owned();
    let p: Value = get(app, &token, &format!("/api/v1/pathways/p/{pathway}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(p["events"].to_string().contains("feedback_tool_used"));
    let v: Value = get(app, &token, "/api/v1/feedback/surveys")
        .await
        .json()
        .await
        .unwrap();
    let users = v["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["figures"]["kind"] == "users")
        .unwrap();
    assert_eq!(users["figures"]["answers"], 14);
}

on_both_engines!(
    the_demo_has_trends_an_open_link_and_survey_figures,
    a_link_works_once_and_the_trend_shows_the_answer,
    a_link_expires_seven_days_after_it_was_made,
    a_wrong_token_is_the_same_404_in_the_same_time,
    another_organisations_clinician_cannot_read_the_trend,
    bad_link_input_names_each_field,
    an_answer_counts_for_the_pathways_feedback_indicator,
    survey_figures_hide_small_cells_and_what_gives_them_back,
    the_clinician_uses_the_pages,
);

/// With the server's limits on, a client opens or sends 10 answer pages a minute, then 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_pages_are_rate_limited_per_client_sqlite() {
    use varde_web::limits::{Limits, Rate};
    let config = varde_web::Config {
        limits: Limits {
            anonymous: Rate::per_second(1000, 1000),
            ..Limits::off()
        },
        ..varde_web::Config::default()
    };
    let Some(app) = TestApp::start_with(varde_store::Engine::Sqlite, config).await else {
        return;
    };
    let wrong = format!("/f/{}", "B".repeat(43));
    for _ in 0..10 {
        assert_eq!(open(&app.base, &wrong).await.0, StatusCode::NOT_FOUND);
    }
    let res = reqwest::get(app.url(&wrong)).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    app.stop().await;
}
