//! The statistics (issue 12, item 11) and the quick logging of advice (item 12) over HTTP: the
//! contract's cells with suppression and the subtraction rule on a small dataset, who sees
//! which cells, the period's refusal, the CSV and the page; advice logged by the API and by
//! the worklist's form, counted apart from the cases.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{ok, open};
use crate::common::{browser_login, csrf_of, get, get_page, post, TestApp};

const PERIOD: &str = "/api/v1/advisory/statistics?from=2026-01-01&to=2026-12-31";

fn cell<'a>(
    cells: &'a Value,
    level: &str,
    key: &str,
    measure: &str,
    group: Option<&str>,
) -> Option<&'a Value> {
    cells["cells"].as_array().unwrap().iter().find(|c| {
        c["level"] == level
            && c["key"] == key
            && c["measure"] == measure
            && c.get("group").and_then(Value::as_str) == group
    })
}

/// Oslo: 6 voluntary cases and 5 pieces of advice; Bergen: 2 voluntary cases. By hand: the
/// nation's 8 cases are shown; Bergen's 2 are hidden at every level, and since 8 − 6 would
/// give them back, Oslo's 6 are hidden too (county, municipality, unit). Oslo's advice (5, and
/// none elsewhere) is shown at every level.
pub async fn statistics_over_http(app: &TestApp) {
    let oslo = app.token("radgiver.oslo").await;
    let bergen = app.token("radgiver.bergen").await;
    for _ in 0..6 {
        open(app, &oslo, &json!({"route": "voluntary", "person": {}})).await;
    }
    for _ in 0..2 {
        open(
            app,
            &bergen,
            &json!({"route": "voluntary", "person": {"name": "Synne Spørsmål"}}),
        )
        .await;
    }
    for topic in ["law", "law", "help", "help", "help"] {
        let res = post(
            app,
            &oslo,
            "/api/v1/advisory/advice",
            &json!({"on": "2026-11-20", "asker": "relative", "means": "phone", "topic": topic}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    // Refused advice: the field named, nothing written.
    for (body, field) in [
        (
            json!({"on": "2026-11-20", "asker": "relative", "means": "phone", "topic": "gossip"}),
            "topic",
        ),
        (
            json!({"on": "2026-11-25", "asker": "relative", "means": "phone", "topic": "law"}),
            "on",
        ),
        (
            json!({"on": "2025-11-01", "asker": "relative", "means": "phone", "topic": "law"}),
            "on",
        ),
        (
            json!({"on": "2026-11-20", "asker": "neighbour", "means": "phone", "topic": "law"}),
            "asker",
        ),
        (
            json!({"on": "2026-11-20", "asker": "school", "means": "phone", "topic": "law", "age_group": "12"}),
            "age_group",
        ),
    ] {
        let res = post(app, &oslo, "/api/v1/advisory/advice", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["errors"][0]["field"], field, "{v}");
    }

    let analyst = app.token("analytiker").await;
    let all = ok(get(app, &analyst, PERIOD).await).await;
    let value = |level, key, measure, group| {
        let c = cell(&all, level, key, measure, group)
            .unwrap_or_else(|| panic!("{level} {key} {measure}"));
        assert_eq!(c["suppressed"], c["value"].is_null(), "{c}");
        c["value"].as_f64()
    };
    assert_eq!(value("nation", "NO", "cases", None), Some(8.0));
    assert_eq!(
        value("nation", "NO", "cases_by_route", Some("voluntary")),
        Some(8.0)
    );
    assert_eq!(
        value("nation", "NO", "cases_by_route", Some("emergency_ward")),
        Some(0.0)
    );
    for (level, key) in [
        ("county", "46"),
        ("municipality", "4601"),
        ("county", "03"),
        ("municipality", "0301"),
    ] {
        assert_eq!(value(level, key, "cases", None), None, "{level} {key}");
    }
    let oslo_org = app
        .db
        .store
        .org_by_key("0301")
        .await
        .unwrap()
        .unwrap()
        .id
        .0
        .to_string();
    let bergen_org = app
        .db
        .store
        .org_by_key("4601")
        .await
        .unwrap()
        .unwrap()
        .id
        .0
        .to_string();
    assert_eq!(value("unit", &oslo_org, "cases", None), None);
    assert_eq!(value("unit", &bergen_org, "cases", None), None);
    assert_eq!(value("unit", &oslo_org, "advice", None), Some(5.0));
    assert_eq!(value("nation", "NO", "advice", None), Some(5.0));
    assert_eq!(
        value("nation", "NO", "advice_by_asker", Some("relative")),
        Some(5.0)
    );
    // 2 on the law and 3 on help: both hidden.
    assert_eq!(value("nation", "NO", "advice_by_topic", Some("law")), None);
    assert_eq!(value("nation", "NO", "advice_by_topic", Some("help")), None);
    // No personal data: no name, no identity number, no case id.
    let text = all.to_string();
    assert!(!text.contains("Synne") && !text.contains("\"id\""));

    // Bergen's advisor: their own unit's cells and every municipality's, county's and the
    // nation's — the same cells hidden as for the analyst.
    let theirs = ok(get(app, &bergen, PERIOD).await).await;
    assert!(cell(&theirs, "unit", &bergen_org, "cases", None).is_some());
    assert!(cell(&theirs, "unit", &oslo_org, "cases", None).is_none());
    assert_eq!(
        cell(&theirs, "municipality", "0301", "cases", None),
        cell(&all, "municipality", "0301", "cases", None)
    );
    assert_eq!(
        cell(&theirs, "nation", "NO", "cases", None),
        cell(&all, "nation", "NO", "cases", None)
    );

    // Refusals: a coordinator has no statistics; a period backwards names `to`.
    let coordinator = app.token("koordinator.oslo").await;
    assert_eq!(
        get(app, &coordinator, PERIOD).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = get(
        app,
        &analyst,
        "/api/v1/advisory/statistics?from=2026-12-01&to=2026-11-01",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["errors"][0]["field"], "to");
    // Every read is in the access log.
    let log = app.access_log(200).await;
    assert!(log.iter().any(|e| e.action == "advisory.statistics"
        && e.record == "advisory:statistics:2026-01-01:2026-12-31"));

    // The CSV (a download from the page): one row per cell the reader may see.
    let b = browser_login(app, "analytiker").await;
    let res = b
        .get(app.url("/advisory/statistics.csv?from=2026-01-01&to=2026-12-31"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("level;key;name;measure;group;value;suppressed\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("nation;NO;Hele landet;cases;;8;false"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        all["cells"].as_array().unwrap().len() + 1
    );

    // The OpenAPI document names both routes.
    let doc = ok(get(app, &analyst, "/api/v1/openapi.json").await).await;
    assert!(doc["paths"]["/api/v1/advisory/statistics"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/advisory/advice"]["post"].is_object());

    // The page: the chart, the table, the places.
    let (status, page) = get_page(
        &b,
        app,
        "/advisory/statistics?from=2026-01-01&to=2026-12-31",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<svg") && page.contains("Hele landet") && page.contains("skjult (&#60;5)"),
        "{page}"
    );
    let (_, page) = get_page(
        &b,
        app,
        "/advisory/statistics?from=2026-01-01&to=2026-12-31&place=municipality:4601",
    )
    .await;
    assert!(page.contains("Bergen"), "{page}");
}

/// The worklist's form: a refusal comes back beside its field with the form as typed; a
/// valid piece of advice is logged and counted on the worklist.
pub async fn advice_from_the_worklist(app: &TestApp) {
    let b = browser_login(app, "radgiver.oslo").await;
    let (_, page) = get_page(&b, app, "/advisory").await;
    assert!(page.contains("Råd logget i dag: 0"), "{page}");
    let csrf = csrf_of(&page);
    let (status, page) = app
        .submit(
            &b,
            "/advisory/advice",
            &[
                ("csrf", csrf.as_str()),
                ("on", "2026-11-24"),
                ("asker", "school"),
                ("means", "meeting"),
                ("topic", ""),
                ("age_group", "15_17"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"advice-topic-error\""), "{page}");
    assert!(
        page.contains("<option value=\"school\" selected>"),
        "{page}"
    );
    let (status, page) = app
        .submit(
            &b,
            "/advisory/advice",
            &[
                ("csrf", csrf.as_str()),
                ("on", "2026-11-24"),
                ("asker", "school"),
                ("means", "meeting"),
                ("topic", "substances"),
                ("age_group", "15_17"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, page) = get_page(&b, app, "/advisory?logged=1").await;
    assert!(
        page.contains("Rådet er logget") && page.contains("Råd logget i dag: 1"),
        "{page}"
    );
    let log = app.access_log(50).await;
    assert!(log
        .iter()
        .any(|e| e.action == "advisory.write" && e.record.starts_with("advisory:advice:org:")));
}
