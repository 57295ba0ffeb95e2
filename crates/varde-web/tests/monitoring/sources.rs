//! The sources' import over HTTP (issue 10, items 1, 2 and 4), on both engines, the clock
//! fixed at 2026-11-24: each source with one bad row (all or nothing writes nothing and
//! answers 422 naming line and field; `valid_only` writes the rest), a batch imported twice
//! (200, nothing changes), the same id with another file (409), an identity number refused in
//! any field without its value, an unknown substance with the nearest names, a future date,
//! an unknown column, a watchlist seizure batch raising one signal, the purity rule after ten
//! findings, who may import, and the pages.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{browser_login, csrf_of, get, get_page, synthetic_id, TestApp};

/// POSTs a CSV body to the import of `source` with `query` (e.g. `batch_id=b1`).
async fn import(
    app: &TestApp,
    token: &str,
    source: &str,
    query: &str,
    csv: &str,
) -> (StatusCode, Value) {
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/monitoring/import/{source}?{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn rows(app: &TestApp, token: &str, source: &str) -> usize {
    let res = get(
        app,
        token,
        &format!("/api/v1/monitoring/sources/{source}?limit=1000"),
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap().as_array().unwrap().len()
}

/// Per source: a file of two good rows and one bad (line 3), and the bad row's field.
fn files() -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "seizures",
            "agency,date,municipality,substance,amount,unit,purity_percent\n\
            police,2026-11-20,0301,heroin,12.5,g,35\n\
            customs,2026-11-21,0301,cocaine,-3,g,\n\
            customs,2026-11-22,4601,Kokain,100,g,\n"
                .into(),
            "amount",
        ),
        (
            "wastewater",
            "site,municipality,date,substance,mg_per_1000_per_day\n\
            VEAS,0301,2026-11-16,cocaine,1.2\n\
            VEAS,0301,2026-11-17,amfetamin,x\n\
            Bekkelaget,0301,2026-11-17,MDMA,0\n"
                .into(),
            "mg_per_1000_per_day",
        ),
        (
            "syringe_residue",
            "site,municipality,date,substances,syringes\n\
            Sprøyterom,0301,2026-11-20,heroin;cocaine,14\n\
            Sprøyterom,0301,2026-11-21,heroin,0\n\
            Sprøyterom,4601,2026-11-21,amphetamine,3\n"
                .into(),
            "syringes",
        ),
        (
            "overdoses",
            "service,date,municipality,substances,outcome,age_band,sex\n\
            ambulance,2026-11-20,0301,heroin,non_fatal,25-34,male\n\
            emergency_ward,2026-11-20,0301,,fatal,34-25,female\n\
            emergency_ward,2026-11-21,4601,,non_fatal,unknown,unknown\n"
                .into(),
            "age_band",
        ),
        (
            "deaths",
            "month,county,substances,icd10\n\
            2026-09,03,heroin;fentanyl,X42\n\
            2026-10,03,heroin,X4\n\
            2026-10,46,,F11.2\n"
                .into(),
            "icd10",
        ),
        (
            "surveys",
            "source,year,indicator,value,ci_low,ci_high\n\
            Ungdata,2025,cannabis last year (%),7.1,6.5,7.8\n\
            SSB,2025,cannabis ever (%),20,21,25\n\
            ESPAD,2024,alcohol last month (%),30,,\n"
                .into(),
            "ci_low",
        ),
        (
            "rapid_assessments",
            "municipality,date,text,tags\n\
            0301,2026-11-20,Mer crack blant eldre brukere,crack;røyking\n\
            0301,2026-11-20,,crack\n\
            4601,2026-11-21,Nye tabletter solgt som oksykodon,tabletter\n"
                .into(),
            "text",
        ),
    ]
}

pub async fn each_source_refuses_a_bad_row_whole_or_writes_the_valid_rows(app: &TestApp) {
    let analyst = app.token("analytiker").await;
    for (source, csv, field) in files() {
        let (status, v) = import(app, &analyst, source, "batch_id=all", &csv).await;
        assert_eq!(status, 422, "{source}: {v}");
        assert_eq!(v["accepted"], 0, "{source}");
        let refused = v["refused"].as_array().unwrap();
        assert_eq!(refused.len(), 1, "{source}: {v}");
        assert_eq!(
            (refused[0]["line"].as_u64(), refused[0]["field"].as_str()),
            (Some(3), Some(field)),
            "{source}"
        );
        assert_eq!(
            rows(app, &analyst, source).await,
            0,
            "{source}: nothing written"
        );
        // The same id is still free; with valid_only the two good rows are written.
        let (status, v) = import(app, &analyst, source, "batch_id=all&valid_only=true", &csv).await;
        assert_eq!(status, 201, "{source}: {v}");
        assert_eq!(v["accepted"], 2, "{source}");
        assert_eq!(v["refused"][0]["line"], 3, "{source}");
        assert_eq!(rows(app, &analyst, source).await, 2, "{source}");
    }
    // Provenance: who, which batch, which line, when received.
    let res = get(app, &analyst, "/api/v1/monitoring/sources/seizures").await;
    let list: Value = res.json().await.unwrap();
    let first = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["line"] == 2)
        .unwrap()
        .clone();
    assert_eq!(first["imported_by"], "analytiker");
    assert_eq!(first["batch_id"], "all");
    assert_eq!(first["row"]["substance"], "heroin");
    assert!(first["received_at"]
        .as_str()
        .unwrap()
        .starts_with("2026-11-24"));
    // Every import is in the access log with its author.
    let log = app.access_log(100).await;
    assert!(log.iter().any(|e| e.action == "monitoring.import"
        && e.actor == "analytiker"
        && e.record == "monitoring-import:deaths/all"));
    // An unknown source is a 404; the API document names the import.
    let (status, _) = import(app, &analyst, "rumours", "", "a\n1\n").await;
    assert_eq!(status, 404);
    let doc: Value = get(app, &analyst, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    for p in [
        "/api/v1/monitoring/import/{source}",
        "/api/v1/monitoring/sources/{source}",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p}");
    }
}

pub async fn a_batch_imported_twice_changes_nothing_and_another_file_is_a_conflict(app: &TestApp) {
    let analyst = app.token("analytiker").await;
    let csv = "service,date,municipality,substances,outcome,age_band,sex\n\
               ambulance,2026-11-20,0301,heroin,non_fatal,25-34,male\n";
    let (status, v) = import(app, &analyst, "overdoses", "batch_id=uke47", csv).await;
    assert_eq!(
        (status, v["accepted"].as_u64()),
        (StatusCode::CREATED, Some(1)),
        "{v}"
    );
    let (status, v) = import(app, &analyst, "overdoses", "batch_id=uke47", csv).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (v["accepted"].as_u64(), v["already_imported"].as_bool()),
        (Some(0), Some(true))
    );
    assert_eq!(rows(app, &analyst, "overdoses").await, 1);
    let other = format!("{csv}ambulance,2026-11-21,0301,,fatal,35-44,female\n");
    let (status, v) = import(app, &analyst, "overdoses", "batch_id=uke47", &other).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["errors"][0]["field"], "batch_id");
    assert_eq!(rows(app, &analyst, "overdoses").await, 1);
    // The same batch id in another source is another batch.
    let (status, _) = import(app, &analyst, "seizures", "batch_id=uke47", "agency,date,municipality,substance,amount,unit,purity_percent\npolice,2026-11-20,0301,heroin,1,g,\n").await;
    assert_eq!(status, 201);
}

pub async fn bad_input_is_refused_by_field_and_rule_without_its_value(app: &TestApp) {
    let analyst = app.token("analytiker").await;
    let fnr = synthetic_id(7);
    let head = "site,municipality,date,substance,mg_per_1000_per_day\n";
    // An identity number in any field: the field named, the value never echoed.
    for (row, field) in [
        (format!("{fnr},0301,2026-11-16,cocaine,1"), "site"),
        (
            format!("VEAS,0301,2026-11-16,cocaine,{fnr}"),
            "mg_per_1000_per_day",
        ),
    ] {
        let (status, v) = import(app, &analyst, "wastewater", "", &format!("{head}{row}\n")).await;
        assert_eq!(status, 422);
        assert_eq!(v["refused"][0]["field"], field, "{v}");
        assert!(v["refused"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("identity number"));
        assert!(
            !v.to_string().contains(&fnr),
            "the number is never echoed: {v}"
        );
    }
    // An unknown substance: the nearest names.
    let (_, v) = import(
        app,
        &analyst,
        "wastewater",
        "",
        &format!("{head}VEAS,0301,2026-11-16,kokainn,1\n"),
    )
    .await;
    assert_eq!(v["refused"][0]["field"], "substance");
    assert!(
        v["refused"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("cocaine")
            || v["refused"][0]["rule"].as_str().unwrap().contains("kokain"),
        "{v}"
    );
    // A day after today, a municipality that does not exist, a month that does not exist.
    let (_, v) = import(
        app,
        &analyst,
        "wastewater",
        "",
        &format!("{head}VEAS,0301,2026-11-25,cocaine,1\n"),
    )
    .await;
    assert_eq!(
        (
            v["refused"][0]["field"].as_str(),
            v["refused"][0]["line"].as_u64()
        ),
        (Some("date"), Some(2)),
        "{v}"
    );
    let (_, v) = import(
        app,
        &analyst,
        "wastewater",
        "",
        &format!("{head}VEAS,0399,2026-11-20,cocaine,1\n"),
    )
    .await;
    assert_eq!(v["refused"][0]["field"], "municipality", "{v}");
    let (_, v) = import(
        app,
        &analyst,
        "deaths",
        "",
        "month,county,substances,icd10\n2026-02-30,03,heroin,X42\n",
    )
    .await;
    assert_eq!(v["refused"][0]["field"], "month", "{v}");
    // An unknown extra column: named, on line 1; nothing written.
    let extra = "site,municipality,date,substance,mg_per_1000_per_day,comment\nVEAS,0301,2026-11-16,cocaine,1,ok\n";
    let (status, v) = import(app, &analyst, "wastewater", "valid_only=true", extra).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(
        (
            v["refused"][0]["field"].as_str(),
            v["refused"][0]["line"].as_u64()
        ),
        (Some("comment"), Some(1))
    );
    assert_eq!(rows(app, &analyst, "wastewater").await, 0);
}

pub async fn a_watchlist_seizure_batch_raises_one_signal(app: &TestApp) {
    let analyst = app.token("analytiker").await;
    let mut csv = String::from("agency,date,municipality,substance,amount,unit,purity_percent\n");
    for i in 0..50 {
        csv.push_str(&format!(
            "police,2026-11-{},0301,protonitazene,{}.5,g,\n",
            16 + i % 7,
            1 + i
        ));
    }
    let (status, v) = import(app, &analyst, "seizures", "batch_id=nitazener", &csv).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(
        (v["accepted"].as_u64(), v["signals"].as_u64()),
        (Some(50), Some(1))
    );
    let list: Value = get(app, &analyst, "/api/v1/signals?status=new")
        .await
        .json()
        .await
        .unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let s = &list[0];
    assert_eq!(
        (
            s["kind"].as_str(),
            s["source"].as_str(),
            s["substance"].as_str(),
            s["area"].as_str(),
            s["week"].as_str()
        ),
        (
            Some("watchlist"),
            Some("seizures"),
            Some("protonitazene"),
            Some("0301"),
            Some("2026-W47")
        )
    );
    assert_eq!(s["observed"], 50.0);
}

pub async fn a_purity_far_above_the_recent_range_raises_a_signal(app: &TestApp) {
    let analyst = app.token("analytiker").await;
    let head = "agency,date,municipality,substance,amount,unit,purity_percent\n";
    // Nine findings: too few for the rule.
    let mut csv = String::from(head);
    for i in 0..9 {
        csv.push_str(&format!(
            "police,2026-10-{:02},0301,cocaine,10,g,{}\n",
            1 + i,
            20 + i
        ));
    }
    assert_eq!(
        import(app, &analyst, "seizures", "batch_id=a", &csv)
            .await
            .0,
        201
    );
    let high = format!("{head}customs,2026-11-20,0301,cocaine,5,g,95\n");
    let (_, v) = import(app, &analyst, "seizures", "batch_id=b", &high).await;
    assert_eq!(v["signals"], 0, "nine findings are too few: {v}");
    // Ten and more: a purity above the 95th percentile raises one.
    let (_, v) = import(
        app,
        &analyst,
        "seizures",
        "batch_id=c",
        &format!("{head}customs,2026-11-21,0301,cocaine,5,g,97\n"),
    )
    .await;
    assert_eq!(v["signals"], 1, "{v}");
    let list: Value = get(app, &analyst, "/api/v1/signals?status=new")
        .await
        .json()
        .await
        .unwrap();
    let s = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "purity")
        .unwrap()
        .clone();
    assert_eq!(
        (
            s["substance"].as_str(),
            s["observed"].as_f64(),
            s["threshold"].as_f64()
        ),
        (Some("cocaine"), Some(97.0), Some(95.0))
    );
    // A drug-checking result is held to the same range (seizures and drug checking together).
    let lab = app.token("lab").await;
    let res = app.client().post(app.url("/api/v1/drugcheck/samples")).bearer_auth(&lab)
        .json(&serde_json::json!({"sold_as": "kokain", "municipality": "4601", "received_on": "2026-11-23"}))
        .send().await.unwrap();
    assert_eq!(res.status(), 201);
    let code = res.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app.client().post(app.url(&format!("/api/v1/drugcheck/samples/{code}/result"))).bearer_auth(&lab)
        .json(&serde_json::json!({"analysed_on": "2026-11-24", "method": "GC-MS", "found": [{"substance": "cocaine", "purity_percent": 99.0}]}))
        .send().await.unwrap();
    assert_eq!(res.status(), 201);
    let list: Value = get(app, &analyst, "/api/v1/signals?status=new")
        .await
        .json()
        .await
        .unwrap();
    let s = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "purity" && s["source"] == "drugcheck")
        .expect("a purity signal from drug checking")
        .clone();
    assert_eq!(
        (
            s["area"].as_str(),
            s["observed"].as_f64(),
            s["threshold"].as_f64()
        ),
        (Some("4601"), Some(99.0), Some(97.0))
    );
}

pub async fn who_may_import(app: &TestApp) {
    let csv = "municipality,date,text,tags\n0301,2026-11-20,Mer crack,crack\n";
    let clinician = app.token("kliniker").await;
    let (status, _) = import(app, &clinician, "rapid_assessments", "", csv).await;
    assert_eq!(status, 403);
    let lab = app.token("lab").await;
    let (status, v) = import(app, &lab, "rapid_assessments", "batch_id=lab-batch", csv).await;
    assert_eq!(status, 201, "a laboratory's user may import: {v}");
    let analyst = app.token("analytiker").await;
    let (status, v) = import(
        app,
        &analyst,
        "rapid_assessments",
        "batch_id=fhi-batch",
        csv,
    )
    .await;
    assert_eq!(status, 201, "{v}");
    // The importing organisation sees its own batches; analysts see every organisation's.
    let client = browser_login(app, "lab").await;
    let (status, page) = get_page(&client, app, "/monitoring/import").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("lab-batch"), "{page}");
    assert!(
        !page.contains("fhi-batch"),
        "another organisation's batch: {page}"
    );
    let client = browser_login(app, "analytiker").await;
    let (_, page) = get_page(&client, app, "/monitoring/import").await;
    assert!(
        page.contains("lab-batch") && page.contains("fhi-batch"),
        "{page}"
    );
}

pub async fn the_import_and_sources_pages(app: &TestApp) {
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/monitoring/import?source=deaths").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("month,county,substances,icd10"), "{page}");
    let csrf = csrf_of(&page);
    let upload = |csv: &str, valid_only: bool| {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("batch_id", "skjema-1");
        if valid_only {
            form = form.text("valid_only", "1");
        }
        form.part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("deaths.csv"),
        )
    };
    let csv = "month,county,substances,icd10\n2026-09,03,heroin,X42\n2026-09,03,heroin,Q\n";
    let res = client
        .post(app.url("/monitoring/import?source=deaths"))
        .multipart(upload(csv, false))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("<td>3</td><td>icd10</td>") && page.contains("Ingenting ble lagret"),
        "{page}"
    );
    let res = client
        .post(app.url("/monitoring/import?source=deaths"))
        .multipart(upload(csv, true))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Rader lagret: 1") && page.contains("skjema-1"),
        "{page}"
    );
    // A forged upload (no token) is refused before the file is read.
    let forged = reqwest::multipart::Form::new().text("csrf", "x").part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("d.csv"),
    );
    let res = client
        .post(app.url("/monitoring/import?source=deaths"))
        .multipart(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (status, page) = get_page(&client, app, "/monitoring/sources").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Narkotikautløste dødsfall")
            && page.contains("2026-09-01")
            && page.contains("skjema-1"),
        "{page}"
    );
    let (status, page) = get_page(&client, app, "/monitoring/sources/deaths").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("363")
            && page.contains("387")
            && page.contains("X42")
            && page.contains("Oslo"),
        "{page}"
    );
    let (status, _) = get_page(&client, app, "/monitoring/sources/rumours").await;
    assert_eq!(status, 404);
    // A laboratory user may import but not read the sources.
    let lab = browser_login(app, "lab").await;
    assert_eq!(get_page(&lab, app, "/monitoring/import").await.0, 200);
    assert_eq!(get_page(&lab, app, "/monitoring/sources").await.0, 403);
}

/// A JSON body (an array of objects, `substances` as a list) imports as the CSV it stands
/// for: the same rules, the first object named as line 2, idempotent by its batch id; a body
/// that is not an array of objects is refused naming `body`.
pub async fn a_json_body_imports_as_its_csv(app: &TestApp) {
    let token = app.token("analytiker").await;
    let post = |body: String, query: &'static str| {
        let token = token.clone();
        async move {
            let res = app
                .client()
                .post(app.url(&format!(
                    "/api/v1/monitoring/import/syringe_residue?{query}"
                )))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let body = serde_json::json!([
        {"site": "Oslo lavterskel", "municipality": "0301", "date": "2026-11-20",
         "substances": ["heroin", "amfetamin"], "syringes": 12},
        {"site": "Bergen lavterskel", "municipality": "4601", "date": "2026-11-21",
         "substances": ["heroin"], "syringes": 0}
    ])
    .to_string();
    let (status, doc) = post(body.clone(), "batch_id=j1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{doc}");
    assert_eq!(doc["refused"][0]["line"], 3, "{doc}");
    assert_eq!(doc["refused"][0]["field"], "syringes");
    let (status, doc) = post(body.clone(), "batch_id=j1&valid_only=true").await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["accepted"], 1);
    let (status, doc) = post(body, "batch_id=j1&valid_only=true").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["already_imported"], true);
    assert_eq!(rows(app, &token, "syringe_residue").await, 1);
    let (status, doc) = post("{\"site\": 1}".into(), "batch_id=j2").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{doc}");
    assert_eq!(doc["errors"][0]["field"], "body", "{doc}");
}
