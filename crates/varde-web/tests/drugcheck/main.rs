//! Anonymous drug checking over HTTP, on SQLite and PostgreSQL. The clock is fixed at
//! 2026-11-24: intake → result with a watchlist substance → the public lookup → the signal in
//! the monitoring inbox; every bad field named; a wrong code answered as a 404 problem in the
//! time a right one takes; the lookups' rate limit; the pages' round trips.
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{browser_login, csrf_of, get_page, post, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn intake(app: &TestApp, token: &str, sold_as: &str) -> String {
    let res = post(
        app,
        token,
        "/api/v1/drugcheck/samples",
        &json!({"sold_as": sold_as, "municipality": "0301", "received_on": "2026-11-20"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let code = body["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 17, "{code}");
    code
}

async fn lookup(app: &TestApp, code: &str) -> reqwest::Response {
    app.client()
        .get(app.url(&format!("/api/v1/public/drugcheck/{code}")))
        .send()
        .await
        .unwrap()
}

fn result_body(substance: &str) -> Value {
    json!({
        "analysed_on": "2026-11-23",
        "method": "GC-MS",
        "found": [{"substance": substance, "purity_percent": 12.5, "amount_mg": 3.0}],
        "contaminants": ["koffein"]
    })
}

async fn a_sample_goes_from_intake_to_result_and_raises_its_signal(app: &TestApp) {
    let token = app.token("lab").await;
    let code = intake(app, &token, "heroin").await;
    let res = lookup(app, &code).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "pending");
    assert_eq!(body["sold_as"], "heroin");
    assert!(body.get("analysed_on").is_none());

    let path = format!("/api/v1/drugcheck/samples/{code}/result");
    let res = post(app, &token, &path, &result_body("protonitazene")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The watchlist signal is in the inbox at once, without the code.
    let signals = app.db.store.signals(Some("new"), 10).await.unwrap();
    let s = signals
        .iter()
        .find(|s| s.rule.contains("watchlist"))
        .expect("the watchlist signal");
    assert_eq!(s.substance.as_deref(), Some("protonitazene"));
    assert_eq!(s.source, "drugcheck");
    assert!(signals.iter().all(|s| !s.detail.contains(&code)));
    // Sold as heroin, held protonitazene: the mis-sold sample is signalled too.
    assert_eq!(signals.len(), 2);

    // Looked up leniently: small letters, no dashes.
    let res = lookup(app, &code.replace('-', "").to_lowercase()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "analysed");
    assert_eq!(body["analysed_on"], "2026-11-23");
    assert_eq!(body["method"], "GC-MS");
    assert_eq!(body["found"][0]["purity_percent"], 12.5);
    assert!(body["found"][0]["substance"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("protonitazen"));

    // A second result is refused; a code no sample has is 404.
    let res = post(app, &token, &path, &result_body("heroin")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = post(
        app,
        &token,
        "/api/v1/drugcheck/samples/0000-0000-0000-00/result",
        &result_body("heroin"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.db.store.signals(None, 10).await.unwrap().len(), 2);

    // Anyone else may not take samples.
    let other = app.token("radgiver.oslo").await;
    let res = post(
        app,
        &other,
        "/api/v1/drugcheck/samples",
        &json!({"sold_as": "x", "municipality": "0301", "received_on": "2026-11-20"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The summary hides the single finding.
    let res = app
        .client()
        .get(app.url("/api/v1/public/drugcheck/summary"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["months"][0]["month"], "2026-11");
    assert_eq!(body["months"][0]["analysed"], Value::Null);
    assert_eq!(body["months"][0]["substances"][0]["samples"], Value::Null);
}

fn fields_of(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn bad_input_names_each_field(app: &TestApp) {
    let token = app.token("lab").await;
    let id = common::synthetic_id(1);
    for (body, field) in [
        (
            json!({"sold_as": " ", "municipality": "0301", "received_on": "2026-11-20"}),
            "sold_as",
        ),
        (
            json!({"sold_as": format!("fra {id}"), "municipality": "0301", "received_on": "2026-11-20"}),
            "sold_as",
        ),
        (
            json!({"sold_as": "x".repeat(201), "municipality": "0301", "received_on": "2026-11-20"}),
            "sold_as",
        ),
        (
            json!({"sold_as": "kokain", "municipality": "9999", "received_on": "2026-11-20"}),
            "municipality",
        ),
        (
            json!({"sold_as": "kokain", "municipality": "0301", "received_on": "2026-11-25"}),
            "received_on",
        ),
        (
            json!({"sold_as": "kokain", "municipality": "0301", "received_on": "20.11.2026"}),
            "received_on",
        ),
    ] {
        let res = post(app, &token, "/api/v1/drugcheck/samples", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(fields_of(&problem), vec![field.to_owned()], "{body}");
    }
    let code = intake(app, &token, "kokain").await;
    let path = format!("/api/v1/drugcheck/samples/{code}/result");
    let mut unknown = result_body("cocaine");
    unknown["found"] = json!([{"substance": "cocaine"}, {"substance": "protonitazine"}]);
    let mut purity = result_body("cocaine");
    purity["found"][0]["purity_percent"] = json!(120);
    let mut early = result_body("cocaine");
    early["analysed_on"] = json!("2026-11-19");
    let mut future = result_body("cocaine");
    future["analysed_on"] = json!("2026-11-25");
    let mut method = result_body("cocaine");
    method["method"] = json!("");
    for (body, field) in [
        (unknown, "found[1].substance"),
        (purity, "found[0].purity_percent"),
        (early, "analysed_on"),
        (future, "analysed_on"),
        (method, "method"),
    ] {
        let res = post(app, &token, &path, &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(fields_of(&problem), vec![field.to_owned()], "{body}");
        if field == "found[1].substance" {
            let rule = problem["errors"][0]["rule"].as_str().unwrap();
            assert!(rule.contains("protonitazen"), "{rule}");
        }
    }
    // Nothing was written by the refusals: the sample is still pending, no signal.
    let body: Value = lookup(app, &code).await.json().await.unwrap();
    assert_eq!(body["status"], "pending");
    assert!(app.db.store.signals(None, 10).await.unwrap().is_empty());
}

async fn a_wrong_code_is_a_404_problem_like_any_other(app: &TestApp) {
    let token = app.token("lab").await;
    let res = lookup(app, "ZZZZ-ZZZZ-ZZZZ-ZZ").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/problem+json"));
    let wrong: Value = res.json().await.unwrap();
    // Not a code at all: the same answer.
    let res = lookup(app, "hello").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let not_a_code: Value = res.json().await.unwrap();
    assert_eq!(wrong, not_a_code);
    // Another route's 404 has the same shape.
    let res = post(
        app,
        &token,
        "/api/v1/drugcheck/samples/ZZZZ-ZZZZ-ZZZZ-ZZ/result",
        &result_body("heroin"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let other: Value = res.json().await.unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&wrong), keys(&other));
    assert_eq!(wrong["status"], 404);
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn a_wrong_code_takes_as_long_as_a_right_one(app: &TestApp) {
    let token = app.token("lab").await;
    let code = intake(app, &token, "heroin").await;
    let path = format!("/api/v1/drugcheck/samples/{code}/result");
    let res = post(app, &token, &path, &result_body("heroin")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let client = app.client();
    let (mut right, mut wrong) = (Vec::new(), Vec::new());
    for i in 0..200u32 {
        for (target, times, status) in [
            (code.clone(), &mut right, StatusCode::OK),
            (
                format!("{}-{:04}-ZZZZ-ZZ", &code[..4], i),
                &mut wrong,
                StatusCode::NOT_FOUND,
            ),
        ] {
            let start = Instant::now();
            let res = client
                .get(app.url(&format!("/api/v1/public/drugcheck/{target}")))
                .send()
                .await
                .unwrap();
            let s = res.status();
            let _ = res.bytes().await.unwrap();
            times.push(start.elapsed());
            assert_eq!(s, status);
        }
    }
    let (r, w) = (median(right), median(wrong));
    let ratio = r.as_secs_f64() / w.as_secs_f64();
    assert!((0.8..=1.2).contains(&ratio), "right {r:?}, wrong {w:?}");
    assert!(r >= Duration::from_millis(50) && w >= Duration::from_millis(50));
}

async fn the_lab_and_the_public_use_the_pages(app: &TestApp) {
    let lab = browser_login(app, "lab").await;
    let (status, page) = get_page(&lab, app, "/drugcheck/lab").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("href=\"/drugcheck/lab\""),
        "the menu links the lab page"
    );
    let csrf = csrf_of(&page);
    // A refused intake comes back as typed, the rule beside its field.
    let res = lab
        .post(app.url("/drugcheck/lab/samples"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("sold_as", "kokain"),
            ("municipality", "9999"),
            ("received_on", "2026-11-20"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.unwrap();
    assert!(text.contains("id=\"municipality-error\"") && text.contains("value=\"kokain\""));
    // The receipt: the code, the public address, no-store.
    let res = lab
        .post(app.url("/drugcheck/lab/samples"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("sold_as", "kokain"),
            ("municipality", "0301"),
            ("received_on", "2026-11-20"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let receipt = res.text().await.unwrap();
    assert!(receipt.contains("/drugcheck</strong>"), "{receipt}");
    let at = receipt.find("receipt-code\">").unwrap() + "receipt-code\">".len();
    let code = receipt[at..at + 17].to_owned();
    assert_eq!(code.matches('-').count(), 3, "{code}");
    // The result form: an unknown code, then the right one.
    let res = lab
        .post(app.url("/drugcheck/lab/results"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", "0000-0000-0000-00"),
            ("analysed_on", "2026-11-23"),
            ("method", "FTIR"),
            ("substance_1", "kokain"),
            ("purity_1", "55,5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("id=\"code-error\""));
    let res = lab
        .post(app.url("/drugcheck/lab/results"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("analysed_on", "2026-11-23"),
            ("method", "FTIR"),
            ("substance_2", "kokain"),
            ("purity_2", "155"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("id=\"purity_2-error\""));
    let res = lab
        .post(app.url("/drugcheck/lab/results"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("analysed_on", "2026-11-23"),
            ("method", "FTIR"),
            ("substance_1", "kokain"),
            ("purity_1", "55,5"),
            ("contaminants", "levamisol"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The public, not logged in, in bokmål and in English.
    let public = app.browser();
    let (status, page) = get_page(&public, app, "/drugcheck").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("action=\"/drugcheck/result\"") && page.contains("/drugcheck/summary"));
    let res = public
        .post(app.url("/drugcheck/result"))
        .form(&[("code", code.to_lowercase().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(text.contains("Kokain") || text.contains("kokain"), "{text}");
    assert!(text.contains("55.5 %"), "{text}");
    let res = public
        .post(app.url("/drugcheck/result"))
        .header("cookie", "varde_lang=en")
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("The sample has been analysed."));
    let res = public
        .post(app.url("/drugcheck/result"))
        .form(&[("code", "ZZZZ-ZZZZ-ZZZZ-ZZ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("id=\"code-error\""));
    let (status, page) = get_page(&public, app, "/drugcheck/summary").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2026-11"), "{page}");
}

/// The intake form carries a one-time token: sending it again (a reload of the receipt) makes
/// no second sample and says why; the form shown then has a fresh token for the next sample.
async fn a_receipt_reloaded_makes_no_second_sample(app: &TestApp) {
    let lab = browser_login(app, "lab").await;
    let (_, page) = get_page(&lab, app, "/drugcheck/lab").await;
    let csrf = csrf_of(&page);
    let once = value_of(&page, "once");
    assert!(once.len() >= 22, "{once}");
    let send = |once: String| {
        let lab = lab.clone();
        let csrf = csrf.clone();
        async move {
            lab.post(app.url("/drugcheck/lab/samples"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("once", once.as_str()),
                    ("sold_as", "kokain"),
                    ("municipality", "0301"),
                    ("received_on", "2026-11-20"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let intakes = || async {
        app.access_log(500)
            .await
            .iter()
            .filter(|e| e.action == "drugcheck.intake")
            .count()
    };
    let before = intakes().await;
    let first = send(once.clone()).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.text().await.unwrap().contains("receipt-code"));
    let again = send(once.clone()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let text = again.text().await.unwrap();
    assert!(text.contains("skjemaet er sendt før"), "{text}");
    assert!(!text.contains("receipt-code"));
    assert_eq!(intakes().await, before + 1, "one sample, not two");
    let fresh = value_of(&text, "once");
    assert_ne!(fresh, once);
    assert_eq!(send(fresh).await.status(), StatusCode::OK);
    assert_eq!(intakes().await, before + 2);
}

/// The value of the hidden input `name` on a page.
fn value_of(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
    html[at..].split('"').next().unwrap().to_owned()
}

on_both_engines!(
    a_sample_goes_from_intake_to_result_and_raises_its_signal,
    bad_input_names_each_field,
    a_wrong_code_is_a_404_problem_like_any_other,
    a_wrong_code_takes_as_long_as_a_right_one,
    the_lab_and_the_public_use_the_pages,
    a_receipt_reloaded_makes_no_second_sample,
);

/// With the server's limits on, a client gets 10 lookups a minute, then 429 with Retry-After
/// (on the API and on the page); another client is not held back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_are_rate_limited_per_client_sqlite() {
    use varde_web::limits::{Limits, Rate};
    let config = varde_web::Config {
        limits: Limits {
            anonymous: Rate::per_second(1000, 1000),
            client_ip_header: Some(reqwest::header::HeaderName::from_static("x-forwarded-for")),
            ..Limits::off()
        },
        ..varde_web::Config::default()
    };
    let app = TestApp::start_with(varde_store::Engine::Sqlite, config)
        .await
        .unwrap();
    let client = app.client();
    let get = |who: &'static str| {
        client
            .get(app.url("/api/v1/public/drugcheck/ZZZZ-ZZZZ-ZZZZ-ZZ"))
            .header("x-forwarded-for", who)
            .send()
    };
    for _ in 0..varde_web::drugcheck::LOOKUPS_PER_MINUTE {
        assert_eq!(
            get("203.0.113.1").await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
    }
    let res = get("203.0.113.1").await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=6).contains(&wait), "{wait}");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["status"], 429);
    let res = client
        .post(app.url("/drugcheck/result"))
        .header("x-forwarded-for", "203.0.113.1")
        .form(&[("code", "ZZZZ-ZZZZ-ZZZZ-ZZ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("<html"));
    assert_eq!(
        get("203.0.113.2").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}
