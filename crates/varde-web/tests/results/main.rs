//! The results area over HTTP, on SQLite and PostgreSQL (the clock is fixed at 2026-11-24):
//! the plans loaded at first start and served by the API; the values' import per source
//! (refused rows by line and field, idempotent by batch, another file under a used id a 409);
//! ratings set by the API and by the page, each with its author in the event log and the
//! access log, refused by field; who may read, rate and import; the dashboard with trends,
//! goals not followed, deaths read from the monitoring area (small counts suppressed) and its
//! CSV tables; the public dashboard with no login and no user's name; the demo values once.
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod aggregates;
mod tdi;

use reqwest::StatusCode;
use serde_json::{json, Value};

use common::{browser_login, csrf_of, get, get_page, goal, post, TestApp};

async fn import(app: &TestApp, token: &str, query: &str, body: &str) -> (StatusCode, Value) {
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/results/import{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

const UNGDATA: &str = "indicator,year,area,value\n\
                       youth_drunk,2023,national,40.5\n\
                       youth_drunk,2024,national,38\n\
                       youth_drunk,2025,national,36.2\n\
                       youth_drunk,2025,county:03,31\n";

async fn the_plans_are_loaded_at_first_start_and_served_by_the_api(app: &TestApp) {
    let token = app.token("analytiker").await;
    let res = get(app, &token, "/api/v1/results/plans").await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    let plans = v.as_array().unwrap();
    assert_eq!(plans.len(), 2);
    let reform = plans.iter().find(|p| p["id"] == "reform-2024").unwrap();
    assert_eq!(reform["focus_areas"].as_array().unwrap().len(), 6);
    assert_eq!(reform["goals"].as_array().unwrap().len(), 20);
    let esc = plans
        .iter()
        .find(|p| p["id"] == "escalation-2007-2012")
        .unwrap();
    assert_eq!(esc["focus_areas"].as_array().unwrap().len(), 5);
    assert_eq!(esc["goals"].as_array().unwrap().len(), 23);
    // Loading again at the next start changes nothing.
    varde_web::bootstrap::seed_builtin(&app.db.store, common::NOW.parse().unwrap())
        .await
        .unwrap();
    let again: Value = get(app, &token, "/api/v1/results/plans")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, v);
    let clinician = app.token("kliniker").await;
    assert_eq!(
        get(app, &clinician, "/api/v1/results/plans").await.status(),
        StatusCode::FORBIDDEN
    );
    // A national authority's user who is no analyst reads.
    let editor = app.token("varselredaktor").await;
    assert_eq!(
        get(app, &editor, "/api/v1/results/plans").await.status(),
        StatusCode::OK
    );
}

async fn an_import_per_source_names_refused_rows_and_is_idempotent_by_batch(app: &TestApp) {
    let token = app.token("analytiker").await;
    let bad = "indicator,year,area,value\n\
               youth_drunk,2024,national,38\n\
               youth_drunk,2024,0301,30\n\
               adult_cannabis,2024,national,5\n\
               youth_drunk,2027,national,30\n";
    let (status, v) = import(app, &token, "?source=ungdata&batch_id=u1", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let refused: Vec<(i64, &str)> = v["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_i64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(refused, [(3, "area"), (4, "indicator"), (5, "year")]);
    assert!(app
        .db
        .store
        .results_values("national")
        .await
        .unwrap()
        .is_empty());
    // The valid rows only, on request.
    let (status, v) = import(
        app,
        &token,
        "?source=ungdata&batch_id=u1&valid_only=true",
        bad,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["accepted"], 1);
    let (status, v) = import(
        app,
        &token,
        "?source=ungdata&batch_id=u1&valid_only=true",
        bad,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["already_imported"], true);
    let (status, v) = import(app, &token, "?source=ungdata&batch_id=u1", UNGDATA).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let (status, v) = import(app, &token, "?source=tarot&batch_id=u2", UNGDATA).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("source"), "{v}");
    // An identity number is refused without its value.
    let (status, v) = import(
        app,
        &token,
        "?source=ungdata",
        "indicator,year,area,value\nyouth_drunk,2024,13097248022,1\n",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!v.to_string().contains("13097248022"), "{v}");
    let clinician = app.token("kliniker").await;
    let (status, _) = import(app, &clinician, "?source=ungdata", UNGDATA).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let editor = app.token("varselredaktor").await;
    let (status, v) = import(app, &editor, "?source=ungdata&batch_id=e1", UNGDATA).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let log = app.access_log(50).await;
    assert!(log
        .iter()
        .any(|e| e.action == "results.import" && e.actor == "varselredaktor"));
}

async fn a_rating_is_set_by_the_api_and_the_page_with_its_author(app: &TestApp) {
    let token = app.token("analytiker").await;
    let body = json!({"goal": "2.1", "year": 2025, "rating": "++", "reason": "Færre dødsfall enn året før, men usikkert."});
    let res = post(app, &token, "/api/v1/results/reform-2024/ratings", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["set_by"], "analytiker");
    let bad = json!({"goal": "9.9", "year": 2030, "rating": "++++", "reason": "kort"});
    let res = post(app, &token, "/api/v1/results/reform-2024/ratings", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["goal", "year", "rating", "reason"], "{v}");
    for who in ["kliniker", "varselredaktor"] {
        let t = app.token(who).await;
        let res = post(app, &t, "/api/v1/results/reform-2024/ratings", &body).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
    }
    // The page: the form, a refusal beside its field, then the rating on the focus page.
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/results/reform-2024/rate?goal=3.3").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let res = client
        .post(app.url("/results/reform-2024/rate"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("goal", "3.3"),
            ("year", "2025"),
            ("rating", "+"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("reason-error"));
    let res = client
        .post(app.url("/results/reform-2024/rate"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("goal", "3.3"),
            ("year", "2025"),
            ("rating", "+"),
            ("reason", "Debutalderen øker litt, men usikkert."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/results/reform-2024/3?rated=3.3"), "{to}");
    let (_, page) = get_page(&client, app, "/results/reform-2024/3").await;
    assert!(page.contains("Debutalderen øker litt"));
    let events = app
        .db
        .store
        .read_stream(&varde_store::results_stream("reform-2024"))
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .all(|e| e.kind == "results.rated" && e.actor_id.is_some()));
    let log = app.access_log(50).await;
    assert_eq!(log.iter().filter(|e| e.action == "results.rate").count(), 2);
}

async fn the_dashboard_shows_trends_goals_not_followed_and_figures_read_from_monitoring(
    app: &TestApp,
) {
    let token = app.token("analytiker").await;
    let (status, v) = import(app, &token, "?source=ungdata&batch_id=d1", UNGDATA).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    // Deaths through the monitoring area: six in 2023, three in 2024 (suppressed).
    let mut deaths = String::from("month,county,substances,icd10\n");
    for m in 1..=6 {
        deaths += &format!("2023-0{m},03,heroin,X42\n");
    }
    for m in 1..=3 {
        deaths += &format!("2024-0{m},46,heroin,X42\n");
    }
    let res = app
        .client()
        .post(app.url("/api/v1/monitoring/import/deaths?batch_id=d1"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(deaths)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = get(app, &token, "/api/v1/results/reform-2024/2")
        .await
        .json()
        .await
        .unwrap();
    let ind = v["goals"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "overdose_deaths")
        .unwrap();
    assert_eq!(ind["internal"], "monitoring_deaths");
    assert_eq!(ind["points"][0]["value"], 6.0);
    assert_eq!(ind["points"][1]["value"], Value::Null);
    assert_eq!(ind["points"][1]["suppressed"], true);
    let v: Value = get(app, &token, "/api/v1/results/reform-2024/3")
        .await
        .json()
        .await
        .unwrap();
    let drinking = goal(&v, "3.3");
    let drunk = &drinking["indicators"][0];
    assert_eq!(drunk["latest_year"], 2025);
    assert_eq!(drunk["verdict"], "better");
    let not_followed = goal(&v, "3.1");
    assert_eq!(not_followed["followed"], false);
    // A county's values.
    let v: Value = get(app, &token, "/api/v1/results/reform-2024/3?area=county:03")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["area"], "county:03");
    let res = get(app, &token, "/api/v1/results/reform-2024/3?area=mars").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The page: chart with its table, "not followed", print and CSV links.
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/results/reform-2024/3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"), "a chart");
    assert!(page.contains("Ikke fulgt opp"));
    assert!(page.contains("36,2"));
    let res = client
        .get(app.url("/results/reform-2024/3/table.csv?table=indicator&id=youth_drunk"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert!(csv.contains("2025;36,2"), "{csv}");
    let (_, csv) = get_page(
        &client,
        app,
        "/results/reform-2024/2/table.csv?table=indicators",
    )
    .await;
    assert!(csv.contains("under 5"), "{csv}");
    let (status, _) = get_page(&client, app, "/results/escalation-2007-2012/3").await;
    assert_eq!(status, StatusCode::OK);
    let (_, index) = get_page(&client, app, "/results").await;
    assert!(index.contains("Opptrappingsplanen"));
    assert!(
        index.contains("href=\"/results\""),
        "the menu links to the area"
    );
}

async fn the_public_dashboard_needs_no_login_and_names_no_user(app: &TestApp) {
    let token = app.token("analytiker").await;
    let body = json!({"goal": "2.1", "year": 2025, "rating": "+", "reason": "Usikker utvikling så langt."});
    assert_eq!(
        post(app, &token, "/api/v1/results/reform-2024/ratings", &body)
            .await
            .status(),
        StatusCode::CREATED
    );
    let anon = app.client();
    let (status, page) = get_page(&anon, app, "/public/results").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/public/results/reform-2024/2"));
    let (status, page) = get_page(&anon, app, "/public/results/reform-2024/2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Usikker utvikling"));
    assert!(!page.contains("analytiker"));
    let res = anon
        .get(app.url("/api/v1/public/results/reform-2024/2"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["goals"][0]["rating"]["rating"], "+");
    assert!(v["goals"][0]["rating"].get("set_by").is_none(), "{v}");
    // The escalation plan's ratings name the report, publicly too.
    let v: Value = anon
        .get(app.url("/api/v1/public/results/escalation-2007-2012/3"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = &v["goals"][3]["rating"];
    assert_eq!(r["rating"], "+++");
    assert!(r["set_by"].as_str().unwrap().contains("seeds/003"));
    let (status, _) = get_page(
        &anon,
        app,
        "/public/results/reform-2024/2/table.csv?table=goals",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The staff pages need a login.
    let (status, _) = get_page(&anon, app, "/results").await;
    assert_ne!(status, StatusCode::OK);
}

async fn the_import_page_takes_an_upload_and_the_demo_values_are_seeded_once(app: &TestApp) {
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/results/import?source=ungdata").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("youth_drunk"));
    let csrf = csrf_of(&page);
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("batch_id", "page-1")
        .part(
            "file",
            reqwest::multipart::Part::text(UNGDATA).file_name("ungdata.csv"),
        );
    let res = client
        .post(app.url("/results/import?source=ungdata"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("4 verdier importert"));
    let n = varde_web::results::demo::seed_demo_results(&app.state)
        .await
        .unwrap();
    assert!(n > 100, "{n}");
    let again = varde_web::results::demo::seed_demo_results(&app.state)
        .await
        .unwrap();
    assert_eq!(again, 0);
}

async fn the_euda_tables_of_a_year_come_from_pathways_and_deaths_with_suppression(app: &TestApp) {
    let token = app.token("analytiker").await;
    // Seven deaths in 2025: six by underlying cause X42 naming heroin, one K70.
    let mut deaths = String::from("month,county,substances,icd10\n");
    for m in 1..=6 {
        deaths += &format!("2025-0{m},03,heroin,X42\n");
    }
    deaths += "2025-07,03,fentanyl,K70\n";
    let res = app
        .client()
        .post(app.url("/api/v1/monitoring/import/deaths?batch_id=e1"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(deaths)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = get(app, &token, "/api/v1/results/euda/drd?year=2025")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["table"], "drd");
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows[0]["count"], 7);
    assert_eq!(rows[0]["sex"], "unknown");
    // Selection B 6 of 7: the rest is 1, so it is hidden.
    assert_eq!(rows[1]["breakdown"], "selection_b");
    assert_eq!(rows[1]["count"], Value::Null);
    let heroin = rows.iter().find(|r| r["value"] == "heroin").unwrap();
    let fentanyl = rows.iter().find(|r| r["value"] == "fentanyl").unwrap();
    assert_eq!(fentanyl["suppressed"], true);
    // Heroin 6 of 7 would give fentanyl's 1 back: hidden too.
    assert_eq!(heroin["suppressed"], true);
    let res = get(app, &token, "/api/v1/results/euda/drd?year=2025&format=csv").await;
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with(
        "table,year,breakdown,value,primary_drug,sex,age_group,first_treatment,count"
    ));
    assert!(
        csv.contains("drd,2025,total,total,unknown,unknown,unknown,unknown,7"),
        "{csv}"
    );
    // The same year again gives the same table.
    let again = get(app, &token, "/api/v1/results/euda/drd?year=2025&format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(again, csv);
    let v: Value = get(app, &token, "/api/v1/results/euda/tdi?year=2025")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["rows"][0]["breakdown"], "total");
    // The total, two centres, nine drug groups, three sexes, 13 age groups, three answers to
    // "first treatment".
    assert_eq!(v["rows"].as_array().unwrap().len(), 31);
    assert_eq!(
        get(app, &token, "/api/v1/results/euda/xyz?year=2025")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(app, &token, "/api/v1/results/euda/tdi?year=20x5")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let clinician = app.token("kliniker").await;
    assert_eq!(
        get(app, &clinician, "/api/v1/results/euda/tdi")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/results/euda?year=2025").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("selection_b"));
    let log = app.access_log(20).await;
    assert!(log.iter().any(|e| e.record == "results:euda:drd:2025"));
}

/// A heroin sample received on 1 April 2025 and analysed on 3 April with `found`, by the lab.
async fn analysed_sample(app: &TestApp, lab: &str, found: Vec<Value>) {
    let res = app
        .client()
        .post(app.url("/api/v1/drugcheck/samples"))
        .bearer_auth(lab)
        .json(&json!({"sold_as": "heroin", "municipality": "0301", "received_on": "2025-04-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let code = res.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/drugcheck/samples/{code}/result")))
        .bearer_auth(lab)
        .json(&json!({"analysed_on": "2025-04-03", "method": "GC-MS", "found": found}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn the_euda_seizure_drug_checking_and_warning_tables_read_their_areas(app: &TestApp) {
    let token = app.token("analytiker").await;
    // Nine seizures in 2025: seven of heroin, two of cocaine; one in 2024.
    let mut csv = String::from("agency,date,municipality,substance,amount,unit,purity_percent\n");
    for d in 1..=7 {
        csv += &format!("police,2025-03-0{d},0301,heroin,1.5,g,\n");
    }
    csv += "customs,2025-05-01,0301,cocaine,10,g,\ncustoms,2025-05-02,4601,cocaine,2,g,\n";
    csv += "police,2024-05-02,4601,cocaine,2,g,\n";
    let res = app
        .client()
        .post(app.url("/api/v1/monitoring/import/seizures?batch_id=s1"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = get(app, &token, "/api/v1/results/euda/seizures?year=2025")
        .await
        .json()
        .await
        .unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(v["table"], "seizures");
    assert_eq!(rows[0]["count"], 9);
    let of = |s: &str| rows.iter().find(|r| r["value"] == s).unwrap()["count"].clone();
    // Seizures are events, not people: a count of two is shown.
    assert_eq!(of("cocaine"), 2);
    assert_eq!(of("heroin"), 7);
    // Six drug-checking samples analysed in 2025: six with heroin, one of them with fentanyl.
    let lab = app.token("lab").await;
    for i in 0..6 {
        let mut found = vec![json!({"substance": "heroin"})];
        if i == 0 {
            found.push(json!({"substance": "fentanyl"}));
        }
        analysed_sample(app, &lab, found).await;
    }
    let v: Value = get(app, &token, "/api/v1/results/euda/drug_checking?year=2025")
        .await
        .json()
        .await
        .unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows[0]["count"], 6);
    let fentanyl = rows.iter().find(|r| r["value"] == "fentanyl").unwrap();
    assert_eq!(
        fentanyl["suppressed"], true,
        "one sample: a person's, hidden"
    );
    // No warning was issued in 2025: a total of zero.
    let v: Value = get(app, &token, "/api/v1/results/euda/warnings?year=2025")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["rows"][0]["count"], 0);
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/results/euda?year=2025").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Beslag etter stoff") && page.contains("Varsler utstedt"));
}

/// The indicators read from inside Varde (never copied): the pathway shares of each year from
/// the pathways' own published report, non-fatal overdoses from the monitoring area (fatal ones
/// left out), and drug-checking samples analysed (a count under 5 hidden).
async fn the_dashboard_reads_pathway_shares_overdoses_and_drug_checking_from_varde(app: &TestApp) {
    // Six pathways ended in 2025: four with the patient involved in the treatment plan, all six
    // with a feedback tool used.
    let clinician = app.token("kliniker").await;
    let mut csv = String::from(
        "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n",
    );
    for p in 1..=6 {
        let row = |event: &str, date: &str, outcome: &str, deadline: &str| {
            format!("R{p},Demo TSB poliklinikk,Oslo universitetssykehus HF,Helse Sør-Øst RHF,0301,outpatient,{event},{date},,{outcome},{deadline}\n")
        };
        csv += &row("referral_received", "2025-02-03", "", "");
        csv += &row("referral_assessed", "2025-02-05", "right", "2025-03-31");
        csv += &row("pathway_start", "2025-02-05", "", "");
        csv += &row("first_attendance", "2025-02-20", "", "");
        csv += &row("clinical_decision", "2025-03-01", "CT", "");
        if p <= 4 {
            csv += &row("treatment_plan_involvement", "2025-03-05", "", "");
        }
        csv += &row("feedback_tool_used", "2025-04-01", "", "");
        csv += &row("pathway_end", "2025-06-01", "no further need", "");
    }
    let res = app
        .client()
        .post(app.url("/api/v1/pathways/import?batch_id=r1"))
        .bearer_auth(&clinician)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    // Overdoses: six non-fatal and two fatal in 2025, three non-fatal in 2024.
    let token = app.token("analytiker").await;
    let mut overdoses = String::from("service,date,municipality,substances,outcome,age_band,sex\n");
    for d in 1..=6 {
        overdoses += &format!("ambulance,2025-03-0{d},0301,heroin,non_fatal,25-34,male\n");
    }
    overdoses += "ambulance,2025-04-01,0301,heroin,fatal,25-34,male\n";
    overdoses += "emergency_ward,2025-04-02,4601,,fatal,35-44,female\n";
    for d in 1..=3 {
        overdoses += &format!("emergency_ward,2024-05-0{d},4601,,non_fatal,35-44,female\n");
    }
    let res = app
        .client()
        .post(app.url("/api/v1/monitoring/import/overdoses?batch_id=o1"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(overdoses)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let focus = |n: u8| {
        let token = token.clone();
        async move {
            get(app, &token, &format!("/api/v1/results/reform-2024/{n}"))
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let indicator = |v: &Value, id: &str| -> Value {
        v["goals"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["indicators"].as_array().unwrap().iter())
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    let year = |i: &Value, y: i64| -> Value {
        i["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["year"] == y)
            .unwrap_or_else(|| panic!("{y} in {i}"))
            .clone()
    };
    let four = focus(4).await;
    let involved = indicator(&four, "tsb_involvement");
    assert_eq!(involved["source"], "varde");
    assert_eq!(involved["internal"], "pathways_involvement");
    assert_eq!(year(&involved, 2025)["value"], 66.7);
    assert_eq!(
        year(&indicator(&four, "tsb_feedback_tool"), 2025)["value"],
        100.0
    );
    let two = focus(2).await;
    let nonfatal = indicator(&two, "nonfatal_overdoses");
    assert_eq!(
        year(&nonfatal, 2025)["value"],
        6.0,
        "the fatal ones are left out"
    );
    assert_eq!(year(&nonfatal, 2024)["suppressed"], true);
    assert_eq!(year(&nonfatal, 2024)["value"], Value::Null);
    assert_eq!(nonfatal["verdict"], "unknown");
    let warnings = indicator(&two, "warnings_issued");
    assert_eq!(warnings["direction"], "neither");
    assert_eq!(warnings["verdict"], "not_judged");
    // A county has no national-only figures.
    let county: Value = get(app, &token, "/api/v1/results/reform-2024/4?area=county:03")
        .await
        .json()
        .await
        .unwrap();
    assert!(indicator(&county, "tsb_involvement")["points"]
        .as_array()
        .unwrap()
        .is_empty());
    // The public dashboard shows the same figures, with no login.
    let res = app
        .client()
        .get(app.url("/api/v1/public/results/reform-2024/4"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let public: Value = res.json().await.unwrap();
    assert_eq!(
        year(&indicator(&public, "tsb_involvement"), 2025)["value"],
        66.7
    );
    // Drug checking: five samples analysed in 2025 are shown; none in 2024.
    let lab = app.token("lab").await;
    for _ in 0..5 {
        analysed_sample(app, &lab, vec![json!({"substance": "heroin"})]).await;
    }
    let one = focus(1).await;
    let samples = indicator(&one, "drug_checking_samples");
    assert_eq!(samples["points"].as_array().unwrap().len(), 1);
    assert_eq!(year(&samples, 2025)["value"], 5.0);
    // Nothing was copied into the results area's values.
    assert!(app
        .state
        .store
        .results_values("national")
        .await
        .unwrap()
        .is_empty());
}

on_both_engines!(
    the_dashboard_reads_pathway_shares_overdoses_and_drug_checking_from_varde,
    the_euda_seizure_drug_checking_and_warning_tables_read_their_areas,
    the_plans_are_loaded_at_first_start_and_served_by_the_api,
    an_import_per_source_names_refused_rows_and_is_idempotent_by_batch,
    a_rating_is_set_by_the_api_and_the_page_with_its_author,
    the_dashboard_shows_trends_goals_not_followed_and_figures_read_from_monitoring,
    the_public_dashboard_needs_no_login_and_names_no_user,
    the_import_page_takes_an_upload_and_the_demo_values_are_seeded_once,
    the_euda_tables_of_a_year_come_from_pathways_and_deaths_with_suppression,
);
