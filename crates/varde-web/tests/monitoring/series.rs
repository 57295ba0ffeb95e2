//! The weekly series, their rules and the dashboard over HTTP (the clock is fixed at
//! 2026-11-24, ISO week 2026-W48): drug-checking results feed the drugcheck series; an
//! analyst's rule change is stored, shown, logged and re-evaluates, a bad parameter is refused
//! naming it; non-analysts get 403; an outbreak in recent weeks over four years of history
//! raises exactly one aberration signal per alarm week, and evaluating again raises nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::monitoring::series::Week;

use crate::common::{browser_login, csrf_of, get, get_page, TestApp};

async fn json_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    json_of(
        app.client()
            .put(app.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A sample taken in on `received` and analysed with `found` (names of the reference list).
async fn sample(app: &TestApp, lab: &str, received: &str, found: &[&str]) {
    let (s, v) = json_of(
        app.client()
            .post(app.url("/api/v1/drugcheck/samples"))
            .bearer_auth(lab)
            .json(&json!({"sold_as": "kokain", "municipality": "0301", "received_on": received}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let code = v["code"].as_str().unwrap().to_owned();
    let found: Vec<Value> = found.iter().map(|f| json!({"substance": f})).collect();
    let (s, v) = json_of(
        app.client()
            .post(app.url(&format!("/api/v1/drugcheck/samples/{code}/result")))
            .bearer_auth(lab)
            .json(&json!({"analysed_on": "2026-11-24", "method": "GC-MS", "found": found}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

fn weeks(v: &Value) -> Vec<(String, f64)> {
    v["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["week"].as_str().unwrap().to_owned(),
                w["observed"].as_f64().unwrap(),
            )
        })
        .collect()
}

pub async fn drug_checking_results_feed_the_drugcheck_series(app: &TestApp) {
    let lab = app.token("lab").await;
    sample(app, &lab, "2026-11-02", &["heroin", "cocaine"]).await;
    sample(app, &lab, "2026-11-23", &["heroin"]).await;
    sample(app, &lab, "2026-11-24", &["cocaine"]).await;
    let token = app.token("analytiker").await;
    let (s, v) = json_of(
        get(
            app,
            &token,
            "/api/v1/monitoring/series?source=drugcheck&substance=Heroin",
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["source"].as_str(),
            v["substance"].as_str(),
            v["area"].as_str()
        ),
        (Some("drugcheck"), Some("heroin"), Some("national"))
    );
    assert_eq!(v["rule"]["method"], "farrington-flexible");
    assert!(v["rule"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "alpha=0.01"));
    // W45 to W48, zero-filled between.
    let w = |list: &[(&str, f64)]| {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), *b))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        weeks(&v),
        w(&[
            ("2026-W45", 1.0),
            ("2026-W46", 0.0),
            ("2026-W47", 0.0),
            ("2026-W48", 1.0)
        ])
    );
    for week in v["weeks"].as_array().unwrap() {
        for member in ["threshold", "alarm"] {
            assert!(week.get(member).is_some(), "{member}");
        }
    }
    // Every substance: the first sample counts once though it named two.
    let (_, all) =
        json_of(get(app, &token, "/api/v1/monitoring/series?source=drugcheck").await).await;
    assert_eq!(weeks(&all)[0], ("2026-W45".to_owned(), 1.0));
    assert_eq!(weeks(&all)[3], ("2026-W48".to_owned(), 2.0));
    // A class, a county and a municipality.
    let (s, class) = json_of(
        get(
            app,
            &token,
            "/api/v1/monitoring/series?source=drugcheck&substance=stimulant&area=county:03",
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{class}");
    assert_eq!(class["substance"], "class:stimulant");
    assert_eq!(weeks(&class)[3].1, 1.0);
    let (s, oslo) = json_of(
        get(
            app,
            &token,
            "/api/v1/monitoring/series?source=drugcheck&substance=heroin&area=0301",
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{oslo}");
    assert_eq!(weeks(&oslo).len(), 4);
    // A week range; a week that does not exist (2025 has no W53) is refused.
    let path =
        "/api/v1/monitoring/series?source=drugcheck&substance=heroin&from=2026-W46&to=2026-W47";
    let (s, v) = json_of(get(app, &token, path).await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(weeks(&v), w(&[("2026-W46", 0.0), ("2026-W47", 0.0)]));
    let path = "/api/v1/monitoring/series?source=drugcheck&from=2025-W53";
    let (s, v) = json_of(get(app, &token, path).await).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "from", "{v}");
    // Refusals name the field (and the nearest substances).
    for (query, field) in [
        ("source=deaths", "source"),
        ("source=drugcheck&substance=heroine-x", "substance"),
        ("source=drugcheck&area=county:99", "area"),
    ] {
        let (s, v) =
            json_of(get(app, &token, &format!("/api/v1/monitoring/series?{query}")).await).await;
        assert_eq!(s, 422, "{query}: {v}");
        assert_eq!(v["errors"][0]["field"], field, "{v}");
    }
    let (_, v) = json_of(
        get(
            app,
            &token,
            "/api/v1/monitoring/series?source=drugcheck&substance=heroine-x",
        )
        .await,
    )
    .await;
    assert!(
        v["errors"][0]["rule"].as_str().unwrap().contains("heroin"),
        "{v}"
    );
    // Not for a clinician.
    let clinician = app.token("kliniker").await;
    let res = get(
        app,
        &clinician,
        "/api/v1/monitoring/series?source=drugcheck",
    )
    .await;
    assert_eq!(res.status(), 403);
    // The pages: the series with its chart and table, the dashboard with the findings.
    let client = browser_login(app, "analytiker").await;
    let (s, page) = get_page(
        &client,
        app,
        "/monitoring/series?source=drugcheck&substance=heroin",
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert!(
        page.contains("<svg") && page.contains("2026-W46") && page.contains("Terskel"),
        "{page}"
    );
    let (s, page) = get_page(
        &client,
        app,
        "/monitoring/series?source=drugcheck&substance=heroine-x",
    )
    .await;
    assert_eq!(s, 422);
    assert!(page.contains("aria-invalid=\"true\""), "{page}");
    let (s, page) = get_page(&client, app, "/monitoring/dashboard").await;
    assert_eq!(s, 200, "{page}");
    assert!(
        page.contains("Siste funn fra russjekk")
            && page.contains("Oslo")
            && page.contains("heroin"),
        "{page}"
    );
}

pub async fn an_analyst_changes_a_rule(app: &TestApp) {
    let token = app.token("analytiker").await;
    let (s, v) = json_of(get(app, &token, "/api/v1/monitoring/rules/seizures").await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["version"].as_i64(), v["method"].as_str()),
        (Some(0), Some("farrington-flexible"))
    );
    assert!(v["params"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "alpha=0.005"));
    let (_, all) = json_of(get(app, &token, "/api/v1/monitoring/rules").await).await;
    let wastewater = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == "wastewater")
        .unwrap();
    assert_eq!(wastewater["enabled"], false);
    let body = json!({"enabled": true, "method": "farrington-flexible", "params": ["b=3", "alpha=0.05"], "fallback_method": "ears-c3", "fallback_params": ["alpha=0.001"]});
    let (s, v) = put(app, &token, "/api/v1/monitoring/rules/seizures", &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["version"].as_i64(), v["changed_by"].as_str()),
        (Some(1), Some("analytiker"))
    );
    let (_, v) = json_of(get(app, &token, "/api/v1/monitoring/rules/seizures").await).await;
    assert_eq!(v["params"], json!(["b=3", "alpha=0.05"]));
    // Refusals name the parameter; nothing is stored.
    let bad = json!({"enabled": true, "method": "farrington-flexible", "params": ["bb=3"]});
    let (s, v) = put(app, &token, "/api/v1/monitoring/rules/seizures", &bad).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "params");
    assert!(
        v["errors"][0]["rule"].as_str().unwrap().contains("bb"),
        "{v}"
    );
    let bad = json!({"enabled": true, "method": "farrington-flexible", "params": ["alpha=two"]});
    let (_, v) = put(app, &token, "/api/v1/monitoring/rules/seizures", &bad).await;
    assert!(
        v["errors"][0]["rule"].as_str().unwrap().contains("alpha"),
        "{v}"
    );
    let bad = json!({"enabled": true, "method": "shewhart", "params": []});
    let (s, v) = put(app, &token, "/api/v1/monitoring/rules/seizures", &bad).await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("method"))
    );
    let (s, _) = put(app, &token, "/api/v1/monitoring/rules/deaths", &body).await;
    assert_eq!(s, 404);
    let (_, v) = json_of(get(app, &token, "/api/v1/monitoring/rules/seizures").await).await;
    assert_eq!(v["version"], 1);
    // Not for a clinician.
    let clinician = app.token("kliniker").await;
    let (s, _) = put(app, &clinician, "/api/v1/monitoring/rules/seizures", &body).await;
    assert_eq!(s, 403);
    assert_eq!(
        get(app, &clinician, "/api/v1/monitoring/rules")
            .await
            .status(),
        403
    );
    // Logged with its author: the access entry and the event.
    let log = app.access_log(50).await;
    let entries: Vec<_> = log
        .iter()
        .filter(|e| e.record == "monitoring:rule:seizures")
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].actor, "analytiker");
    let events = app
        .db
        .store
        .read_stream(varde_store::RULES_STREAM)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    // The page shows it, and its form refuses a bad parameter beside the rule.
    let client = browser_login(app, "analytiker").await;
    let (s, page) = get_page(&client, app, "/monitoring/rules").await;
    assert_eq!(s, 200, "{page}");
    assert!(
        page.contains("Versjon 1, analytiker") && page.contains("alpha=0.05"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let (s, page) = app
        .submit(
            &client,
            "/monitoring/rules/seizures",
            &[
                ("csrf", csrf.as_str()),
                ("enabled", "on"),
                ("method", "farrington-flexible"),
                ("params", "b=3\nnoSuchThing=1"),
                ("fallback_method", ""),
                ("fallback_params", ""),
            ],
        )
        .await;
    assert_eq!(s, 422, "{page}");
    assert!(
        page.contains("noSuchThing") && page.contains("id=\"rule-seizures-error\""),
        "{page}"
    );
    let (s, _) = app
        .submit(
            &client,
            "/monitoring/rules/seizures",
            &[
                ("csrf", csrf.as_str()),
                ("method", "ears-c2"),
                ("params", ""),
                ("fallback_method", ""),
                ("fallback_params", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = json_of(get(app, &token, "/api/v1/monitoring/rules/seizures").await).await;
    assert_eq!(
        (
            v["version"].as_i64(),
            v["enabled"].as_bool(),
            v["method"].as_str()
        ),
        (Some(2), Some(false), Some("ears-c2"))
    );
    let (s, _) = get_page(
        &browser_login(app, "kliniker").await,
        app,
        "/monitoring/rules",
    )
    .await;
    assert_eq!(s, 403);
}

/// Weekly counts: 4–8 a week (a fixed pattern), 30 in the outbreak's weeks.
fn count_in(i: usize, outbreak: bool) -> usize {
    if outbreak {
        30
    } else {
        4 + (i * 7 + i / 3) % 5
    }
}

pub async fn an_outbreak_raises_one_signal_per_alarm_week(app: &TestApp) {
    let analyst = app
        .db
        .store
        .user_by_username("analytiker")
        .await
        .unwrap()
        .unwrap();
    let (org, user) = (analyst.org_id, analyst.id.0);
    let first = Week::new(2022, 1).unwrap();
    let outbreak = [Week::new(2026, 46).unwrap(), Week::new(2026, 47).unwrap()];
    let last_history = Week::new(2026, 46).unwrap();
    let mut history = Vec::new();
    let mut i = 0;
    let mut week = first;
    while week <= last_history {
        for _ in 0..count_in(i, outbreak.contains(&week)) {
            history.push((week, "0301".to_owned(), vec!["heroin".to_owned()], None));
        }
        week = week.plus(1);
        i += 1;
    }
    assert!(i > 4 * 52, "over four years of history");
    let store = &app.db.store;
    store
        .monitoring_insert_rows_for_tests("overdoses", org.0, user, "overdoses/history", &history)
        .await
        .unwrap();
    let n = varde_web::monitoring::series::reevaluate_batch(&app.state, org, "overdoses/history")
        .await
        .unwrap();
    // all, heroin, opioid × national, county 03.
    assert_eq!(n, 6);
    // The new week, as its own batch: only the touched series, one week each.
    let new: Vec<_> = (0..30)
        .map(|_| {
            (
                outbreak[1],
                "0301".to_owned(),
                vec!["heroin".to_owned()],
                None,
            )
        })
        .collect();
    store
        .monitoring_insert_rows_for_tests("overdoses", org.0, user, "overdoses/new", &new)
        .await
        .unwrap();
    let n = varde_web::monitoring::series::reevaluate_batch(&app.state, org, "overdoses/new")
        .await
        .unwrap();
    assert_eq!(n, 6);

    let token = app.token("analytiker").await;
    let (_, v) = json_of(
        get(
            app,
            &token,
            "/api/v1/monitoring/series?source=overdoses&substance=heroin",
        )
        .await,
    )
    .await;
    let list = v["weeks"].as_array().unwrap();
    assert_eq!(list.first().unwrap()["week"], "2022-W01");
    assert_eq!(list.last().unwrap()["week"], "2026-W47");
    let alarm_weeks: Vec<String> = list
        .iter()
        .filter(|w| w["alarm"] == true)
        .map(|w| w["week"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        alarm_weeks.contains(&"2026-W46".to_owned()),
        "{alarm_weeks:?}"
    );
    assert!(
        alarm_weeks.contains(&"2026-W47".to_owned()),
        "{alarm_weeks:?}"
    );
    assert_eq!(list.last().unwrap()["method"], "main");
    // Recent alarm weeks (2026-W41 on) raise a signal each, once.
    let recent: Vec<&String> = alarm_weeks
        .iter()
        .filter(|w| w.as_str() > "2026-W40")
        .collect();
    let signals = |v: &Value| -> Vec<Value> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["kind"] == "aberration" && s["substance"] == "heroin" && s["area"] == "national"
            })
            .cloned()
            .collect()
    };
    let (_, list) = json_of(get(app, &token, "/api/v1/signals?status=new").await).await;
    let raised = signals(&list);
    let mut raised_weeks: Vec<String> = raised
        .iter()
        .map(|s| s["week"].as_str().unwrap().to_owned())
        .collect();
    raised_weeks.sort();
    let mut want: Vec<String> = recent.iter().map(|w| (*w).clone()).collect();
    want.sort();
    assert_eq!(raised_weeks, want, "one signal per recent alarm week");
    let w47 = raised.iter().find(|s| s["week"] == "2026-W47").unwrap();
    assert_eq!(w47["source"], "overdoses");
    assert_eq!(w47["observed"], 30.0);
    assert!(w47["threshold"].as_f64().unwrap() < 30.0);
    assert!(
        w47["rule"]
            .as_str()
            .unwrap()
            .contains("farrington-flexible"),
        "{w47}"
    );
    let total = list.as_array().unwrap().len();
    // Evaluating again (the batch, and every series after a rule change) raises nothing new.
    varde_web::monitoring::series::reevaluate_batch(&app.state, org, "overdoses/new")
        .await
        .unwrap();
    let body = json!({"enabled": true, "method": "farrington-flexible", "params": ["b=3", "noPeriods=10", "pastWeeksNotIncluded=26", "thresholdMethod=nbPlugin", "alpha=0.01"], "fallback_method": "ears-c3", "fallback_params": ["alpha=0.001"]});
    let (s, v) = put(app, &token, "/api/v1/monitoring/rules/overdoses", &body).await;
    assert_eq!(s, 200, "{v}");
    let (_, list) = json_of(get(app, &token, "/api/v1/signals?status=new").await).await;
    assert_eq!(list.as_array().unwrap().len(), total);
    // The dashboard charts the series with recent alarms and links the newest signals.
    let client = browser_login(app, "analytiker").await;
    let (s, page) = get_page(&client, app, "/monitoring/dashboard").await;
    assert_eq!(s, 200, "{page}");
    assert!(
        page.contains("/monitoring/series?source=overdoses") && page.contains("<rect"),
        "{page}"
    );
    assert!(
        page.contains(&format!("/monitoring/signals/{}", w47["id"])),
        "{page}"
    );
}

/// A batch whose week has no row for a series carries that series forward: the week is
/// evaluated with a count of zero, so that every series has the new week.
pub async fn a_new_week_without_rows_is_a_zero_for_every_series(app: &TestApp) {
    let analyst = app
        .db
        .store
        .user_by_username("analytiker")
        .await
        .unwrap()
        .unwrap();
    let (org, user) = (analyst.org_id, analyst.id.0);
    let mut history = Vec::new();
    let mut week = Week::new(2024, 1).unwrap();
    let mut i = 0;
    while week <= Week::new(2026, 46).unwrap() {
        for _ in 0..count_in(i, false) {
            history.push((week, "0301".to_owned(), vec!["heroin".to_owned()], None));
        }
        week = week.plus(1);
        i += 1;
    }
    let store = &app.db.store;
    store
        .monitoring_insert_rows_for_tests("overdoses", org.0, user, "overdoses/history", &history)
        .await
        .unwrap();
    varde_web::monitoring::series::reevaluate_batch(&app.state, org, "overdoses/history")
        .await
        .unwrap();
    // Week 47 has one cocaine overdose in Bergen, and no heroin anywhere.
    let new = vec![(
        Week::new(2026, 47).unwrap(),
        "4601".to_owned(),
        vec!["cocaine".to_owned()],
        None,
    )];
    store
        .monitoring_insert_rows_for_tests("overdoses", org.0, user, "overdoses/new", &new)
        .await
        .unwrap();
    let n = varde_web::monitoring::series::reevaluate_batch(&app.state, org, "overdoses/new")
        .await
        .unwrap();
    // The six heroin series (all, heroin, opioids × national, county 03) carried forward,
    // and the new ones of the cocaine row (cocaine, stimulants × national, county 46; all of
    // county 46).
    assert_eq!(n, 11);
    let token = app.token("analytiker").await;
    for query in [
        "source=overdoses&substance=heroin",
        "source=overdoses&substance=heroin&area=county:03",
    ] {
        let (status, v) =
            json_of(get(app, &token, &format!("/api/v1/monitoring/series?{query}")).await).await;
        assert_eq!(status, StatusCode::OK);
        let last = v["weeks"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["week"], "2026-W47", "{query}");
        assert_eq!(last["observed"], 0.0, "{query}");
        assert!(last["threshold"].is_number(), "{query}: evaluated: {last}");
    }
}
