//! A refusal shown on a page is in the page's language (bokmål first, English with the switch);
//! the API keeps an English rule beside a stable rule code.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{browser_login, csrf_of, get_page, TestApp};
use crate::post;

on_both_engines!(refusals_on_pages_are_in_the_pages_language);

async fn refusals_on_pages_are_in_the_pages_language(app: &TestApp) {
    let browser = browser_login(app, "kliniker").await;
    let (_, page) = get_page(&browser, app, "/pathways/new").await;
    let form = |date: &'static str, kommune: &'static str| {
        vec![
            ("csrf", csrf_of(&page)),
            ("pathway_id", "SPRAAK-1".to_owned()),
            ("hf", "Oslo universitetssykehus HF".to_owned()),
            ("kommune", kommune.to_owned()),
            ("care_level", "outpatient".to_owned()),
            ("date", date.to_owned()),
        ]
    };
    // Bokmål (the default): the rule in bokmål, the field by its Norwegian name.
    let res = browser
        .post(app.url("/pathways/new"))
        .form(&form("2026-11-20", "9999"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"kommune-error\">ingen kommune har dette nummeret i kommunelisten"),
        "{html}"
    );
    let res = browser
        .post(app.url("/pathways/new"))
        .form(&form("2099-01-01", ""))
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("dato fram i tid: 2099-01-01 er etter i dag"),
        "{html}"
    );
    // An error page too.
    let res = browser.get(app.url("/no-such-page")).send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<h1>Ikke funnet</h1>") && html.contains("lang=\"nb\""),
        "{html}"
    );

    // English, with the switch.
    let res = browser
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("back", "/pathways/new")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = browser
        .post(app.url("/pathways/new"))
        .form(&form("2026-11-20", "9999"))
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("no municipality has this number in the reference list"),
        "{html}"
    );

    // The API: the English rule and its code.
    let token = app.token("kliniker").await;
    let res = post(
        app,
        &token,
        "/api/v1/lar/agreements",
        &json!({"kommune": "0301", "from": "24.11.2026"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "from");
    assert_eq!(problem["errors"][0]["rule"], "a date as YYYY-MM-DD");
    assert_eq!(problem["errors"][0]["code"], "date.format");
}
