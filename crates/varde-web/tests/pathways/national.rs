//! The analysts' national figures: the LAR population and the coercion table summed over
//! organisations, small cells hidden; no access for advisors or clinicians.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{browser_login, get_page, TestApp};
use crate::{get_json, ok, DEMO_ORG};

on_both_engines!(national_figures_sum_organisations_and_hide_small_cells);

/// The analyst's national LAR population and coercion table: summed over organisations, cells
/// of 1–4 hidden (the row remains), zero shown; advisors have no access.
async fn national_figures_sum_organisations_and_hide_small_cells(app: &TestApp) {
    app.add_treatment_org("Bergen LAR", "kliniker.bergen").await;
    let oslo = app.token("kliniker").await;
    let bergen = app.token("kliniker.bergen").await;
    // The demo unit: five patients from Oslo; Bergen's: three from Oslo, two from Bergen and
    // three from Stavanger.
    for (token, patient, kommune) in [
        (&oslo, "A1", "0301"),
        (&oslo, "A2", "0301"),
        (&oslo, "A3", "0301"),
        (&oslo, "A4", "0301"),
        (&oslo, "A5", "0301"),
        (&bergen, "B1", "0301"),
        (&bergen, "B2", "0301"),
        (&bergen, "B3", "0301"),
        (&bergen, "B4", "4601"),
        (&bergen, "B5", "4601"),
        (&bergen, "B6", "1103"),
        (&bergen, "B7", "1103"),
        (&bergen, "B8", "1103"),
    ] {
        ok(
            app,
            token,
            "/api/v1/lar/admissions",
            json!({"patient": patient, "kommune": kommune, "date": "2026-03-01", "decided_by": "specialist"}),
        )
        .await;
    }
    // Coercion: five § 10-2 main decisions over the two organisations, one § 10-4.
    for (token, stay, section) in [
        (&oslo, "s1", "10-2"),
        (&oslo, "s2", "10-2"),
        (&bergen, "s1", "10-2"),
        (&bergen, "s2", "10-2"),
        (&bergen, "s3", "10-2"),
        (&bergen, "s4", "10-4"),
    ] {
        ok(
            app,
            token,
            "/api/v1/coercion/stays",
            json!({"stay_id": stay, "patient": format!("P-{stay}"), "start": "2026-06-01"}),
        )
        .await;
        ok(
            app,
            token,
            &format!("/api/v1/coercion/stays/{stay}/decisions"),
            json!({"section": section, "kind": "main", "decided": "2026-06-01", "from": "2026-06-01"}),
        )
        .await;
    }
    let analyst = app.token("analytiker").await;
    let p = get_json(app, &analyst, "/api/v1/lar/population/national").await;
    assert_eq!(p["total"], 13);
    let row = |rows: &Value, key: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no {key} in {rows}"))
            .clone()
    };
    let oslo_k = row(&p["by_kommune"], "0301");
    assert_eq!(
        (oslo_k["patients"].as_u64(), &oslo_k["suppressed"]),
        (Some(8), &json!(false))
    );
    assert_eq!(oslo_k["name"], "Oslo");
    // Bergen's 2 and Stavanger's 3 are hidden (together 5: neither can be told from the total).
    for k in ["4601", "1103"] {
        let r = row(&p["by_kommune"], k);
        assert!(r["patients"].is_null() && r["suppressed"] == true, "{r}");
    }
    let by_org = &p["by_organisation"];
    assert_eq!(row(by_org, "Bergen LAR")["patients"], 8);
    assert_eq!(row(by_org, DEMO_ORG)["patients"], 5);
    let t = get_json(app, &analyst, "/api/v1/coercion/table/national?year=2026").await;
    let section = |s: &str| {
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["section"] == s)
            .unwrap()
            .clone()
    };
    assert_eq!(section("10-2")["main"], 5);
    assert_eq!(section("10-2")["appeals"], 0, "a zero is shown");
    assert!(section("10-4")["main"].is_null(), "one decision: hidden");
    // The page shows the same; an advisor is refused.
    let client = browser_login(app, "analytiker").await;
    let (_, page) = get_page(&client, app, "/pathways/national").await;
    assert!(
        page.contains("Nasjonale tall") && page.contains("skjult (&#60; 5)"),
        "{page}"
    );
    // Advisors have no access; nor do clinicians (they see their own figures in full, and
    // national minus own would give away the others' small cells).
    for user in ["radgiver.oslo", "kliniker"] {
        let token = app.token(user).await;
        for path in [
            "/api/v1/lar/population/national",
            "/api/v1/coercion/table/national",
        ] {
            let (status, _) = app.get_text(&token, path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}");
        }
    }
    // The population is given at month ends only (the default: the last one, 31 October).
    assert_eq!(p["as_of"], "2026-10-31");
    let (status, body) = app
        .get_text(&analyst, "/api/v1/lar/population/national?as_of=2026-11-15")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["errors"][0]["field"], "as_of");
    let june = get_json(
        app,
        &analyst,
        "/api/v1/lar/population/national?as_of=2026-06-30",
    )
    .await;
    assert_eq!(june["total"], 13);
}
