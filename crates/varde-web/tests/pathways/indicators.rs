//! The indicators leak nothing and show change: cells that would give a small one back are
//! hidden in the API, the page and the downloads alike; a period is cut at today; trends by
//! month, tertial or year; every visible place side by side, with each indicator's definition.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{browser_login, get_page, TestApp};
use crate::{get_json, import, ok, HEADER, HF, RHF, UNIT};

on_both_engines!(
    a_trust_less_its_unit_gives_no_small_unit_away,
    trends_by_month_are_cut_at_today,
    the_page_shows_trends_every_unit_and_the_definitions,
    the_national_tables_download_with_their_cells_hidden,
);

/// A second unit of the demo organisation, in the same health trust.
const OTHER: &str = "Demo TSB døgn";

fn row(p: &str, unit: &str, event: &str, date: &str, outcome: &str, deadline: &str) -> String {
    format!("{p},{unit},{HF},{RHF},0301,outpatient,{event},{date},,{outcome},{deadline}\n")
}

/// 21 referrals at the unit, 8 of them assessed within 10 working days (in September, the
/// other 13 late, in October), and one at the other unit, assessed in time: the health trust
/// has 9 / 22, the unit 8 / 21, the other unit 1 / 1.
async fn nine_of_twenty_two(app: &TestApp) {
    let token = app.token("kliniker").await;
    let mut csv = HEADER.to_string();
    for i in 0..22 {
        let (id, unit) = (format!("K{i}"), if i == 21 { OTHER } else { UNIT });
        let assessed = if i < 8 || i == 21 {
            "2026-09-10"
        } else {
            "2026-10-20"
        };
        csv += &row(&id, unit, "referral_received", "2026-09-01", "", "");
        csv += &row(&id, unit, "referral_assessed", assessed, "no_right", "");
    }
    let (status, r) = import(app, &token, "?batch_id=k22", csv).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
}

fn find<'a>(rows: &'a Value, id: &str, level: &str, key: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id && r["level"] == level && r["key"] == key)
        .unwrap_or_else(|| panic!("no {id} {level} {key} in {rows}"))
}

const ASSESSED: &str = "assessment_within_10_workdays";

async fn a_trust_less_its_unit_gives_no_small_unit_away(app: &TestApp) {
    nine_of_twenty_two(app).await;
    let q = "/api/v1/pathways/indicators?from=2026-01-01&to=2026-11-24";
    for user in ["analytiker", "kliniker"] {
        let token = app.token(user).await;
        let r = get_json(app, &token, q).await;
        let hf = find(&r["indicators"], ASSESSED, "hf", HF);
        assert_eq!(
            (hf["numerator"].as_u64(), hf["denominator"].as_u64()),
            (Some(9), Some(22)),
            "{user}"
        );
        // The other unit's 1 is hidden, and the unit's 21 with it (22 − 21 would give it).
        for unit in [OTHER, UNIT] {
            let cell = find(&r["indicators"], ASSESSED, "unit", unit);
            assert_eq!(cell["suppressed"], true, "{user}: {cell}");
            assert!(cell["numerator"].is_null() && cell["denominator"].is_null());
        }
    }
    // The downloads hide them too.
    let client = browser_login(app, "analytiker").await;
    let res = client
        .get(app.url("/pathways/indicators/table.csv?table=overview&from=2026-01-01&to=2026-11-24"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Indikator;Nivå;Navn;Teller;Nevner;Andel"
    );
    let lines: Vec<&str> = lines.collect();
    assert!(
        lines.contains(&format!("{ASSESSED};Helseforetak;{HF};9;22;0,4091").as_str()),
        "{csv}"
    );
    for unit in [OTHER, UNIT] {
        let hidden = format!("{ASSESSED};Enhet;{unit};skjult (< 5);skjult (< 5);skjult (< 5)");
        assert!(lines.contains(&hidden.as_str()), "{csv}");
    }
    let res = client
        .get(app.url(&format!(
            "/pathways/indicators/table.json?table=indicator&id={ASSESSED}&unit={OTHER}&from=2026-01-01&to=2026-11-24"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["table"], "indicator");
    let other = find(&doc["rows"], ASSESSED, "unit", OTHER);
    assert!(other["numerator"].is_null() && other["suppressed"] == true);
    assert_eq!(find(&doc["rows"], ASSESSED, "hf", HF)["denominator"], 22);
    // A table that does not exist, or an unknown indicator, is refused naming the field.
    let (status, page) = get_page(&client, app, "/pathways/indicators/table.csv?table=x").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (status, _) = get_page(
        &client,
        app,
        "/pathways/indicators/table.json?table=trends&id=x",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn trends_by_month_are_cut_at_today(app: &TestApp) {
    nine_of_twenty_two(app).await;
    let token = app.token("kliniker").await;
    // Five legal deadlines passed without a first attendance, one still ahead (10 December).
    let mut csv = HEADER.to_string();
    for (i, deadline) in ["2026-11-20"; 5].iter().chain(&["2026-12-10"]).enumerate() {
        let id = format!("F{i}");
        csv += &row(&id, UNIT, "referral_received", "2026-09-01", "", "");
        csv += &row(
            &id,
            UNIT,
            "referral_assessed",
            "2026-09-10",
            "right",
            deadline,
        );
    }
    let (status, r) = import(app, &token, "?batch_id=frister", csv).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let analyst = app.token("analytiker").await;
    // Without `by`: the report as before, cut at today (24 November).
    let r = get_json(
        app,
        &analyst,
        "/api/v1/pathways/indicators?from=2026-01-01&to=2026-12-31",
    )
    .await;
    assert_eq!(r["to"], "2026-11-24");
    assert!(r.get("series").is_none());
    let frist = find(&r["indicators"], "fristbrudd", "unit", UNIT);
    assert_eq!(
        (frist["numerator"].as_u64(), frist["denominator"].as_u64()),
        (Some(5), Some(5)),
        "the deadline ahead is not missed: {frist}"
    );
    // By month: one part per month to today, one series per indicator and place.
    let t = get_json(
        app,
        &analyst,
        "/api/v1/pathways/indicators?from=2026-01-01&to=2026-12-31&by=month",
    )
    .await;
    assert_eq!(t["by"], "month");
    let periods = t["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 11);
    assert_eq!(periods[8]["from"], "2026-09-01");
    assert_eq!(periods[10]["to"], "2026-11-24");
    let series = |level: &str, key: &str| {
        t["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == ASSESSED && s["level"] == level && s["key"] == key)
            .unwrap_or_else(|| panic!("no series {level} {key}"))
            .clone()
    };
    let hf = series("hf", HF);
    let points = hf["points"].as_array().unwrap();
    assert_eq!(points.len(), 11);
    assert_eq!(
        (
            points[0]["numerator"].as_u64(),
            points[0]["denominator"].as_u64()
        ),
        (Some(0), Some(0))
    );
    // September: 9 + 6 assessed in time, of 15; October: 13 late.
    assert_eq!(
        (
            points[8]["numerator"].as_u64(),
            points[8]["denominator"].as_u64()
        ),
        (Some(15), Some(15))
    );
    assert_eq!(
        (
            points[9]["numerator"].as_u64(),
            points[9]["denominator"].as_u64()
        ),
        (Some(0), Some(13))
    );
    // In September the other unit's 1 is hidden, and the unit's 14 (15 − 14 would give it).
    let other = series("unit", OTHER);
    assert_eq!(other["points"][8]["suppressed"], true);
    assert_eq!(series("unit", UNIT)["points"][8]["suppressed"], true);
    // Tertials and years too; anything else is refused naming `by`.
    let t = get_json(
        app,
        &analyst,
        "/api/v1/pathways/indicators?from=2025-01-01&to=2026-11-24&by=tertial",
    )
    .await;
    assert_eq!(t["periods"].as_array().unwrap().len(), 6);
    let (status, body) = app
        .get_text(&analyst, "/api/v1/pathways/indicators?by=week")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["errors"][0]["field"], "by");
}

async fn the_page_shows_trends_every_unit_and_the_definitions(app: &TestApp) {
    nine_of_twenty_two(app).await;
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(
        &client,
        app,
        "/pathways/indicators?from=2026-01-01&to=2026-11-24",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Every unit side by side, hidden cells marked; the trusts' figures beside them.
    assert!(page.contains("Alle enheter side om side"), "{page}");
    assert!(page.contains("40,9 % (9 / 22)"), "{page}");
    assert!(page.contains(&format!("<th scope=\"row\">{OTHER}</th>")));
    // Trends over the last 24 months by month (the chart and its table), with downloads.
    assert!(page.contains("Utvikling over tid"));
    assert!(page.contains("<polyline points="), "a line");
    assert!(
        page.contains("2024-12") && page.contains("2026-11"),
        "24 months"
    );
    assert!(page.contains(
        "/pathways/indicators/table.csv?table=trends&amp;id=assessment_within_10_workdays"
    ));
    // Every indicator links to its definition, which the page shows.
    assert!(page.contains("href=\"#def-assessment_within_10_workdays\""));
    for id in varde_core::pathways::indicators::INDICATOR_IDS {
        assert!(page.contains(&format!("id=\"def-{id}\"")), "{id}");
    }
    assert!(
        page.contains("Teller")
            && page.contains("Nevner")
            && page.contains("Unntak")
            && page.contains("Kilde")
    );
    assert!(!page.contains(">?<"), "a text without a key");
    // By tertial; the trends download as CSV.
    let (status, page) = get_page(
        &client,
        app,
        "/pathways/indicators?from=2026-01-01&to=2026-11-24&by=tertial",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2026 T3"), "{page}");
    let res = client
        .get(app.url(&format!("/pathways/indicators/table.csv?table=trends&id={ASSESSED}&from=2026-01-01&to=2026-11-24&by=tertial&unit={OTHER}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("Indikator;Nivå;Navn;Fra;Til;Teller;Nevner;Andel\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            "{ASSESSED};Helseforetak;{HF};2026-09-01;2026-11-24;9;22;0,4091"
        )),
        "{csv}"
    );
    // A clinician sees the page too, in English on request.
    let clinician = browser_login(app, "kliniker").await;
    let (status, page) = get_page(
        &clinician,
        app,
        "/pathways/indicators?from=2026-01-01&to=2026-11-24",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Definisjoner"));
}

/// The national page's tables download as CSV, hidden where the page hides them: Bergen's 2
/// patients, and Oslo's 6 with them (the total of 8 less 6 would give them).
async fn the_national_tables_download_with_their_cells_hidden(app: &TestApp) {
    let token = app.token("kliniker").await;
    for (i, kommune) in [
        "0301", "0301", "0301", "0301", "0301", "0301", "4601", "4601",
    ]
    .iter()
    .enumerate()
    {
        ok(
            app,
            &token,
            "/api/v1/lar/admissions",
            serde_json::json!({"patient": format!("N{i}"), "kommune": kommune, "date": "2026-03-01", "decided_by": "specialist"}),
        )
        .await;
    }
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/pathways/national").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("/pathways/national/population.csv?as_of=2026-10-31"),
        "{page}"
    );
    let res = client
        .get(app.url("/pathways/national/population.csv?as_of=2026-10-31"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Nivå;Nummer eller navn;Navn;Pasienter");
    assert!(lines.contains(&"Pasienter i LAR i dag;;;8"), "{csv}");
    assert!(lines.contains(&"Kommune;0301;Oslo;skjult (< 5)"), "{csv}");
    assert!(lines.contains(&"Kommune;4601;Bergen;skjult (< 5)"), "{csv}");
    let res = client
        .get(app.url("/pathways/national/coercion.csv?year=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("Paragraf;Midlertidige vedtak;Hovedsaker;Klager\r\n"),
        "{csv}"
    );
    // Clinicians have no national figures, in CSV neither.
    let clinician = browser_login(app, "kliniker").await;
    let (status, _) = get_page(&clinician, app, "/pathways/national/population.csv").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
