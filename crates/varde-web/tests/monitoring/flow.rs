//! Issue 10's flow across the two areas, through the API only: a laboratory takes in a
//! sample, records protonitazene in it, the analyst finds the watchlist signal in
//! `GET /api/v1/signals?status=new`, acknowledges it and links the second signal the same
//! result raised (sold as oxycodone, which was not found) into it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;

async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub async fn a_drug_checking_finding_reaches_the_inbox(app: &TestApp) {
    use reqwest::Method;
    let lab = app.token("lab").await;
    let analyst = app.token("analytiker").await;
    let (s, v) = send(
        app,
        &lab,
        Method::POST,
        "/api/v1/drugcheck/samples",
        Some(json!({"sold_as": "oksykodon", "municipality": "0301", "received_on": "2026-11-23"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let code = v["code"].as_str().unwrap().to_owned();
    let (s, v) = send(app, &lab, Method::POST, &format!("/api/v1/drugcheck/samples/{code}/result"), Some(json!({"analysed_on": "2026-11-24", "method": "GC-MS", "found": [{"substance": "protonitazene", "purity_percent": 3.5}]}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, list) = send(
        app,
        &analyst,
        Method::GET,
        "/api/v1/signals?status=new",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    let watch = list
        .iter()
        .find(|s| s["substance"] == "protonitazene")
        .expect("the watchlist signal");
    assert_eq!(
        (
            watch["kind"].as_str(),
            watch["source"].as_str(),
            watch["area"].as_str()
        ),
        (Some("watchlist"), Some("drugcheck"), Some("0301"))
    );
    assert_eq!(watch["week"], "2026-W48");
    assert!(
        !watch.to_string().contains(&code),
        "the code is never in a signal"
    );
    let other = list.iter().find(|s| s["id"] != watch["id"]).unwrap();
    let (w, o) = (watch["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());
    let (s, v) = send(
        app,
        &analyst,
        Method::POST,
        &format!("/api/v1/signals/{w}/acknowledge"),
        None,
    )
    .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("acknowledged")),
        "{v}"
    );
    let (s, v) = send(
        app,
        &analyst,
        Method::POST,
        &format!("/api/v1/signals/{o}/link"),
        Some(json!({"into": w})),
    )
    .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("linked")),
        "{v}"
    );
    assert_eq!(v["linked_into"], w);
    let (_, open) = send(
        app,
        &analyst,
        Method::GET,
        "/api/v1/signals?status=new",
        None,
    )
    .await;
    assert_eq!(open.as_array().unwrap().len(), 0);
    // The public sees the analysis by its code, never the signal.
    let res = app
        .client()
        .get(app.url(&format!("/api/v1/public/drugcheck/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "analysed");
}
