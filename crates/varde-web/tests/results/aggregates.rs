//! The advisory statistics and the coordination figures on the dashboards (issue 17, §2), read
//! at view time through the store's aggregate reads: the advisory cases opened per year equal
//! the advisory statistics' national cell of the same year (live and erased cases alike), small
//! counts are suppressed as there, the public dashboard shows them with no login, no personal
//! data and no access entry; the coordination shares of the specialised treatment services'
//! patients (this year only) and the discharges with no home to go to.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{
    create_person, get, get_page, goal, indicator, post, synthetic_id, year, TestApp,
};

on_both_engines!(
    the_dashboard_shows_the_advisory_cases_as_the_statistics_count_them,
    the_dashboard_shows_the_coordination_shares_of_tsb_patients_and_discharges_without_a_home,
);

async fn public(app: &TestApp, focus: u8) -> Value {
    let res = app
        .client()
        .get(app.url(&format!("/api/v1/public/results/reform-2024/{focus}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn last_access_id(app: &TestApp) -> i64 {
    app.access_log(10_000)
        .await
        .iter()
        .map(|e| e.id)
        .max()
        .unwrap_or(0)
}

/// The statistics' national cell of `measure` for a whole year.
async fn national_cell(app: &TestApp, token: &str, y: i64, measure: &str) -> Value {
    let res = get(
        app,
        token,
        &format!("/api/v1/advisory/statistics?from={y}-01-01&to={y}-12-31"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["level"] == "nation" && c["measure"] == measure && c.get("group").is_none())
        .unwrap()
        .clone()
}

/// 2025: eight live cases (six in Oslo, two in Bergen, opened then) and ten erased
/// conditions in Oslo (five completed, five not); 2024: three erased cases (suppressed);
/// 2026, this year: one live case (no year's figure yet).
async fn the_dashboard_shows_the_advisory_cases_as_the_statistics_count_them(app: &TestApp) {
    let oslo = app.token("radgiver.oslo").await;
    let bergen = app.token("radgiver.bergen").await;
    let open = |token: String, body: Value| async move {
        let res = post(app, &token, "/api/v1/advisory/cases", &body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    };
    for _ in 0..6 {
        open(oslo.clone(), json!({"route": "voluntary", "person": {}})).await;
    }
    for n in 0..2 {
        open(
            bergen.clone(),
            json!({"route": "voluntary",
                   "person": {"name": "Synne Spørsmål", "national_id": synthetic_id(60 + n)}}),
        )
        .await;
    }
    // Opened last year (the API opens a case today).
    app.db
        .store
        .exec_admin(
            "UPDATE advisory_cases SET opening = REPLACE(opening, '2026-11-24', '2025-11-24')",
        )
        .await
        .unwrap();
    open(oslo.clone(), json!({"route": "voluntary", "person": {}})).await;
    let oslo_org = app.db.store.org_by_key("0301").await.unwrap().unwrap().id.0;
    let erased = |opened: &str, route: &str, outcome: Option<&str>| {
        format!(
            "INSERT INTO advisory_statistics (org_id, route, municipality, county, opened_on, \
             closed_on, outcome, meetings_attended, outreach_attempts, tests, positives, \
             referrals, recorded_on) VALUES ({oslo_org}, '{route}', '0301', '03', '{opened}', {}, \
             {}, 1, 0, 0, 0, '[]', '2026-11-01')",
            outcome.map_or("NULL".to_owned(), |_| "'2025-10-01'".to_owned()),
            outcome.map_or("NULL".to_owned(), |o| format!("'{o}'")),
        )
    };
    for k in 0..10 {
        let outcome = if k < 5 { "completed" } else { "not_completed" };
        let sql = erased("2025-03-01", "prosecution_condition", Some(outcome));
        app.db.store.exec_admin(&sql).await.unwrap();
    }
    for _ in 0..3 {
        let sql = erased("2024-05-01", "voluntary", None);
        app.db.store.exec_admin(&sql).await.unwrap();
    }

    let analyst = app.token("analytiker").await;
    let res = get(app, &analyst, "/api/v1/results/reform-2024/3").await;
    assert_eq!(res.status(), StatusCode::OK);
    let three: Value = res.json().await.unwrap();
    let cases = indicator(&three, "advisory_cases");
    assert_eq!(cases["source"], "varde");
    assert_eq!(cases["internal"], "advisory_cases");
    // The same count as the advisory statistics' national cell of the year.
    let cell = national_cell(app, &analyst, 2025, "cases").await;
    assert_eq!(cell["value"], 18, "{cell}");
    assert_eq!(year(&cases, 2025).unwrap()["value"], 18.0);
    // A small count is suppressed, as there.
    let cell = national_cell(app, &analyst, 2024, "cases").await;
    assert_eq!(cell["suppressed"], true, "{cell}");
    let y2024 = year(&cases, 2024).unwrap();
    assert_eq!(y2024["suppressed"], true);
    assert_eq!(y2024["value"], Value::Null);
    // This year's count so far is no year's figure.
    assert!(year(&cases, 2026).is_none(), "{cases}");
    assert_eq!(cases["verdict"], "unknown");
    // The share completed: 5 of 10 closed conditions.
    let share = indicator(&three, "advisory_share_completed");
    let cell = national_cell(app, &analyst, 2025, "share_completed").await;
    assert_eq!(cell["value"], 0.5, "{cell}");
    assert_eq!(year(&share, 2025).unwrap()["value"], 50.0);
    // Goal 3.2 is followed now.
    assert_eq!(goal(&three, "3.2")["followed"], true);

    // The public dashboard: the same figures, no login, no personal data, no access entry.
    let before = last_access_id(app).await;
    let v = public(app, 3).await;
    assert_eq!(
        year(&indicator(&v, "advisory_cases"), 2025).unwrap()["value"],
        18.0
    );
    let (status, page) = get_page(&app.client(), app, "/public/results/reform-2024/3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Saker åpnet ved de rådgivende enhetene for russaker"));
    assert_eq!(
        last_access_id(app).await,
        before,
        "an aggregate is not logged"
    );
    let text = v.to_string() + &page;
    assert!(!text.contains("Synne"));
    for n in 60..62 {
        assert!(!text.contains(&synthetic_id(n)));
    }
}

/// Ten patients registered by the demo TSB unit (one also by a municipality, counted once):
/// five of them with a municipal plan that has a coordinator; no group, no evaluation yet.
/// Then ten discharges of Oslo residents, five with no home to go to.
async fn the_dashboard_shows_the_coordination_shares_of_tsb_patients_and_discharges_without_a_home(
    app: &TestApp,
) {
    let tsb = app.token("kliniker").await;
    let oslo = app.token("koordinator.oslo").await;
    for n in 0..10 {
        let nid = synthetic_id(70 + n);
        create_person(app, &tsb, &nid, "Pasient Samhandling").await;
        if n < 5 {
            let person = create_person(app, &oslo, &nid, "Pasient Samhandling").await;
            let res = post(
                app,
                &oslo,
                "/api/v1/coordination/plans",
                &json!({"person_id": person, "coordinator": "koordinator.oslo", "status": "active"}),
            )
            .await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
    }
    // A person of the municipality only is no TSB patient.
    create_person(app, &oslo, &synthetic_id(90), "Kommunens bruker").await;

    let analyst = app.token("analytiker").await;
    let focus = || async {
        get(app, &analyst, "/api/v1/results/reform-2024/5")
            .await
            .json::<Value>()
            .await
            .unwrap()
    };
    let five = focus().await;
    let this_year = |id: &str| -> Value {
        let i = indicator(&five, id);
        assert_eq!(
            i["points"].as_array().unwrap().len(),
            1,
            "this year only: {i}"
        );
        year(&i, 2026).unwrap()["value"].clone()
    };
    assert_eq!(this_year("coordination_plan"), 50.0);
    assert_eq!(this_year("coordination_coordinator"), 50.0);
    assert_eq!(this_year("coordination_group"), 0.0);
    assert_eq!(this_year("coordination_evaluated"), 0.0);
    // The public dashboard shows them too, naming no one.
    let v = public(app, 5).await;
    assert_eq!(
        year(&indicator(&v, "coordination_plan"), 2026).unwrap()["value"],
        50.0
    );
    assert!(!v.to_string().contains("Pasient Samhandling"));
    let (status, page) = get_page(&app.client(), app, "/public/results/reform-2024/5").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Pasienter i TSB med individuell plan (per i dag"));
    assert!(
        page.contains("50 prosent"),
        "the latest value with its unit"
    );
    assert!(!page.contains("Pasient Samhandling"));

    // Ten discharges of Oslo residents this year, five with "no home to go to" still
    // flagged.
    for n in 0..10u32 {
        let res = post(
            app,
            &tsb,
            "/api/v1/persons",
            &json!({"national_id": synthetic_id(100 + n), "name": "Pasient Utskrivning",
                    "kommune": "0301"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let person = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let res = post(
            app,
            &tsb,
            "/api/v1/coordination/discharge",
            &json!({"person": person, "expected_discharge": "2026-11-24", "no_home": true}),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        for (step, body) in [
            ("ready", json!({"on": "2026-11-24"})),
            ("discharge", json!({"on": "2026-11-24", "no_home": n < 5})),
        ] {
            let res = post(
                app,
                &tsb,
                &format!("/api/v1/coordination/discharge/{id}/{step}"),
                &body,
            )
            .await;
            assert_eq!(
                res.status(),
                StatusCode::OK,
                "{}",
                res.text().await.unwrap()
            );
        }
    }
    let five = focus().await;
    // The national discharge view's national row of the year, as a share.
    let national: Value = get(
        app,
        &analyst,
        "/api/v1/coordination/discharge/national?year=2026",
    )
    .await
    .json()
    .await
    .unwrap();
    let row = &national["national"];
    assert_eq!(
        (row["discharges"].as_f64(), row["no_home"].as_f64()),
        (Some(10.0), Some(5.0))
    );
    let no_home = indicator(&five, "discharge_no_home");
    assert_eq!(no_home["direction"], "lower");
    assert_eq!(year(&no_home, 2026).unwrap()["value"], 50.0, "{national}");
    assert_eq!(goal(&five, "5.1")["followed"], true);
}
