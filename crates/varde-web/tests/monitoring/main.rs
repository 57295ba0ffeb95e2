//! The monitoring area over HTTP, on SQLite and PostgreSQL (the clock is fixed at
//! 2026-11-24): the signals' API (list by status with the contract's members, acknowledge →
//! link → dismiss with their refusals, 403 for a clinician, every change in the access log
//! with its author), the inbox and signal pages with their forms, the watchlist's API and
//! page, the menu link, and the warnings form prefilled from a signal's link. `flow.rs`:
//! a drug-checking finding of protonitazene through the API to the inbox, acknowledged and
//! linked.
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::monitoring::signals::{NewSignal, SignalKind};

mod flow;
mod prescriptions;
mod series;
mod sources;

use common::{browser_login, csrf_of, get, get_page, post, TestApp, NOW};

use flow::a_drug_checking_finding_reaches_the_inbox;
use prescriptions::{
    a_later_batch_replaces_the_figure_and_keeps_the_old_row,
    an_identity_number_is_refused_without_its_value,
    an_import_with_a_bad_row_names_its_line_and_field_and_writes_nothing,
    only_analysts_read_the_figures_and_a_lab_user_may_import, the_demo_figures_are_seeded_once,
    the_figures_are_rates_per_1000_with_small_cells_suppressed,
    the_page_shows_the_trend_and_the_thresholds_and_takes_an_upload,
    the_same_batch_twice_changes_nothing_and_another_file_under_its_id_is_refused,
};
use series::{
    a_new_week_without_rows_is_a_zero_for_every_series, an_analyst_changes_a_rule,
    an_outbreak_raises_one_signal_per_alarm_week, drug_checking_results_feed_the_drugcheck_series,
};
use sources::{
    a_batch_imported_twice_changes_nothing_and_another_file_is_a_conflict,
    a_json_body_imports_as_its_csv, a_purity_far_above_the_recent_range_raises_a_signal,
    a_watchlist_seizure_batch_raises_one_signal,
    bad_input_is_refused_by_field_and_rule_without_its_value,
    each_source_refuses_a_bad_row_whole_or_writes_the_valid_rows, the_import_and_sources_pages,
    who_may_import,
};

on_both_engines!(
    a_drug_checking_finding_reaches_the_inbox,
    the_api_lists_and_changes_signals,
    the_inbox_and_the_signal_page_with_their_forms,
    the_watchlist_api_and_page,
    the_menu_links_to_monitoring_for_analysts_only,
    the_warning_form_is_prefilled_from_a_signal,
    an_import_with_a_bad_row_names_its_line_and_field_and_writes_nothing,
    the_same_batch_twice_changes_nothing_and_another_file_under_its_id_is_refused,
    an_identity_number_is_refused_without_its_value,
    the_figures_are_rates_per_1000_with_small_cells_suppressed,
    only_analysts_read_the_figures_and_a_lab_user_may_import,
    a_later_batch_replaces_the_figure_and_keeps_the_old_row,
    the_page_shows_the_trend_and_the_thresholds_and_takes_an_upload,
    the_demo_figures_are_seeded_once,
    each_source_refuses_a_bad_row_whole_or_writes_the_valid_rows,
    a_batch_imported_twice_changes_nothing_and_another_file_is_a_conflict,
    bad_input_is_refused_by_field_and_rule_without_its_value,
    a_watchlist_seizure_batch_raises_one_signal,
    a_purity_far_above_the_recent_range_raises_a_signal,
    who_may_import,
    the_import_and_sources_pages,
    a_json_body_imports_as_its_csv,
    drug_checking_results_feed_the_drugcheck_series,
    an_analyst_changes_a_rule,
    an_outbreak_raises_one_signal_per_alarm_week,
    a_new_week_without_rows_is_a_zero_for_every_series,
);

fn signal(kind: SignalKind, substance: Option<&str>, area: &str, key: &str) -> NewSignal {
    NewSignal {
        kind,
        source: "drugcheck".into(),
        substance: substance.map(str::to_owned),
        area: area.into(),
        week: "2026-W48".into(),
        observed: 14.0,
        threshold: Some(6.5),
        rule: "Farrington flexible, alpha 0.01".into(),
        detail: "a test finding".into(),
        dedupe: key.into(),
    }
}

/// Three new signals: protonitazene in Oslo, an aberration in Bergen, heroin nationally.
async fn raise(app: &TestApp) -> [i64; 3] {
    let at = NOW.parse().unwrap();
    let mut ids = [0; 3];
    for (i, s) in [
        signal(SignalKind::Watchlist, Some("protonitazene"), "0301", "a"),
        signal(SignalKind::Aberration, None, "4601", "b"),
        signal(SignalKind::Purity, Some("heroin"), "national", "c"),
    ]
    .iter()
    .enumerate()
    {
        ids[i] = app.db.store.signal_raise(s, at).await.unwrap().unwrap();
    }
    ids
}

async fn json_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    (status, res.json().await.unwrap())
}

async fn the_api_lists_and_changes_signals(app: &TestApp) {
    let [a, b, c] = raise(app).await;
    let token = app.token("analytiker").await;
    let (status, list) = json_of(get(app, &token, "/api/v1/signals?status=new").await).await;
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 3);
    for member in [
        "id",
        "kind",
        "source",
        "substance",
        "area",
        "week",
        "observed",
        "threshold",
        "created_at",
        "status",
    ] {
        assert!(list.iter().all(|s| s.get(member).is_some()), "{member}");
    }
    let proto = list.iter().find(|s| s["id"] == a).unwrap();
    assert_eq!(proto["kind"], "watchlist");
    assert_eq!(proto["substance"], "protonitazene");
    assert_eq!(proto["area"], "0301");
    assert_eq!(proto["week"], "2026-W48");
    assert_eq!(proto["observed"], 14.0);
    assert_eq!(proto["threshold"], 6.5);
    assert_eq!(proto["status"], "new");
    let (status, v) = json_of(get(app, &token, "/api/v1/signals?status=open").await).await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["field"], "status", "{v}");
    let (status, all) = json_of(get(app, &token, "/api/v1/signals").await).await;
    assert_eq!((status, all.as_array().unwrap().len()), (StatusCode::OK, 3));

    // Acknowledge, then once more (refused: 409 naming the status).
    let path = |id: i64, what: &str| format!("/api/v1/signals/{id}/{what}");
    let (status, v) = json_of(post(app, &token, &path(a, "acknowledge"), &json!({})).await).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("acknowledged"))
    );
    let (status, v) = json_of(post(app, &token, &path(a, "acknowledge"), &json!({})).await).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["errors"][0]["field"], "status");
    // Link a into b; then c into a (closed now): refused naming `into`; into itself: 422.
    let (status, v) = json_of(post(app, &token, &path(a, "link"), &json!({"into": b})).await).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["linked_into"].as_i64()),
        (Some("linked"), Some(b))
    );
    let (status, v) = json_of(post(app, &token, &path(c, "link"), &json!({"into": a})).await).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["errors"][0]["field"], "into");
    let (status, v) = json_of(post(app, &token, &path(c, "link"), &json!({"into": c})).await).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "into");
    // Dismiss without a reason (422), with one (200), again (409).
    let (status, v) =
        json_of(post(app, &token, &path(c, "dismiss"), &json!({"reason": " "})).await).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "reason");
    let (status, v) = json_of(
        post(
            app,
            &token,
            &path(c, "dismiss"),
            &json!({"reason": "kjent funn"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("dismissed"))
    );
    let (status, _) = json_of(
        post(
            app,
            &token,
            &path(c, "dismiss"),
            &json!({"reason": "igjen"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
    // One signal; an unknown one.
    let (status, v) = json_of(get(app, &token, &format!("/api/v1/signals/{b}")).await).await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("new"))
    );
    assert_eq!(
        get(app, &token, "/api/v1/signals/99999").await.status(),
        404
    );
    assert_eq!(get(app, &token, "/api/v1/signals/abc").await.status(), 404);
    let res = post(app, &token, &path(99999, "acknowledge"), &json!({})).await;
    assert_eq!(res.status(), 404);
    let (_, dismissed) = json_of(get(app, &token, "/api/v1/signals?status=dismissed").await).await;
    assert_eq!(dismissed.as_array().unwrap().len(), 1);

    // A clinician may not.
    let clinician = app.token("kliniker").await;
    assert_eq!(get(app, &clinician, "/api/v1/signals").await.status(), 403);
    let res = post(app, &clinician, &path(b, "acknowledge"), &json!({})).await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.db.store.signal(b).await.unwrap().unwrap().status, "new");

    // Every change is in the access log with its author; the events carry the author too.
    let log = app.access_log(200).await;
    let changes: Vec<_> = log
        .iter()
        .filter(|e| e.action == "monitoring.write" && e.record.starts_with("signal:"))
        .collect();
    assert_eq!(changes.len(), 3, "acknowledge, link, dismiss: {changes:?}");
    assert!(changes.iter().all(|e| e.actor == "analytiker"));
    for id in [a, c] {
        assert!(changes.iter().any(|e| e.record == format!("signal:{id}")));
    }
    let events = app
        .db
        .store
        .read_stream(&varde_store::signal_stream(a))
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    // The API's document describes the area.
    let (_, doc) = json_of(get(app, &token, "/api/v1/openapi.json").await).await;
    for p in [
        "/api/v1/signals",
        "/api/v1/signals/{id}",
        "/api/v1/signals/{id}/acknowledge",
        "/api/v1/signals/{id}/link",
        "/api/v1/signals/{id}/dismiss",
        "/api/v1/monitoring/watchlist",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} in the OpenAPI document");
    }
    let analyst = app
        .db
        .store
        .user_by_username("analytiker")
        .await
        .unwrap()
        .unwrap();
    assert!(events.iter().all(|e| e.actor_id == Some(analyst.id.0)));
}

async fn the_inbox_and_the_signal_page_with_their_forms(app: &TestApp) {
    let [a, b, _] = raise(app).await;
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/monitoring").await;
    assert_eq!(status, 200, "{page}");
    for text in [
        &format!("S{a}"),
        "protonitazen",
        "Oslo",
        "Bergen",
        "2026-W48",
        "Farrington flexible",
        "Områder med åpne signaler",
        "name=\"reason\"",
        "name=\"into\"",
    ] {
        assert!(page.contains(text), "{text} in the inbox");
    }
    let csrf = csrf_of(&page);
    // Acknowledge from the inbox: back to it.
    let res = client
        .post(app.url(&format!("/monitoring/signals/{a}/acknowledge")))
        .form(&[("csrf", csrf.as_str()), ("from", "inbox")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/monitoring?done=acknowledged");
    let (_, page) = get_page(&client, app, "/monitoring?status=acknowledged").await;
    assert!(page.contains(&format!("S{a}")) && !page.contains(&format!("S{b}:")));
    let (status, _) = get_page(&client, app, "/monitoring?status=bogus").await;
    assert_eq!(status, 422);
    // A dismissal without a reason comes back with the rule beside the field.
    let (status, page) = app
        .submit(
            &client,
            &format!("/monitoring/signals/{b}/dismiss"),
            &[("csrf", csrf.as_str()), ("from", "inbox"), ("reason", "")],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains(&format!("id=\"reason-{b}-error\"")), "{page}");
    assert!(page.contains("kan ikke være tom"));
    // Linked into an open signal from the signal's page.
    let (status, _) = app
        .submit(
            &client,
            &format!("/monitoring/signals/{b}/link"),
            &[("csrf", csrf.as_str()), ("into", &a.to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The signal's page: details, its history with the author, the signals linked into it,
    // and the link to draft a warning.
    let (status, page) = get_page(&client, app, &format!("/monitoring/signals/{a}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Kvittert") && page.contains("analytiker"),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"/monitoring/signals/{b}\"")));
    // `&` is written `&#38;` in the attribute.
    assert!(
        page.contains(&format!(
            "/warnings/new?signal_id=S{a}&#38;substance=protonitazene&#38;areas=0301"
        )),
        "{page}"
    );
    let (status, _) = get_page(&client, app, "/monitoring/signals/99999").await;
    assert_eq!(status, 404);
}

async fn the_watchlist_api_and_page(app: &TestApp) {
    let token = app.token("analytiker").await;
    let (status, list) = json_of(get(app, &token, "/api/v1/monitoring/watchlist").await).await;
    assert_eq!(status, 200);
    let has = |list: &Value, id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| e["source"].as_str().unwrap().to_owned())
    };
    assert_eq!(has(&list, "protonitazene").as_deref(), Some("reference"));
    assert_eq!(has(&list, "heroin"), None);
    let (status, list) = json_of(
        post(
            app,
            &token,
            "/api/v1/monitoring/watchlist",
            &json!({"substance": "Heroin", "on_list": true}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(has(&list, "heroin").as_deref(), Some("analyst"));
    let (status, v) = json_of(
        post(
            app,
            &token,
            "/api/v1/monitoring/watchlist",
            &json!({"substance": "protonitazine", "on_list": true}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["field"], "substance");
    assert!(
        v["errors"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("protonitazene"),
        "{v}"
    );
    let clinician = app.token("kliniker").await;
    let res = post(
        app,
        &clinician,
        "/api/v1/monitoring/watchlist",
        &json!({"substance": "heroin", "on_list": false}),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(app
        .access_log(50)
        .await
        .iter()
        .any(|e| e.record == "watchlist:heroin" && e.actor == "analytiker"));

    // The page: the list, marked; add and remove through the forms.
    let client = browser_login(app, "analytiker").await;
    let (status, page) = get_page(&client, app, "/monitoring/watchlist").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<datalist id=\"substance-names\">") && page.contains("en analytiker"));
    let csrf = csrf_of(&page);
    let (status, _) = app
        .submit(
            &client,
            "/monitoring/watchlist/remove",
            &[("csrf", csrf.as_str()), ("substance", "heroin")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = app
        .submit(
            &client,
            "/monitoring/watchlist/add",
            &[("csrf", csrf.as_str()), ("substance", "heroinn")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("id=\"substance-error\"") && page.contains("ikke et stoff i stofflisten"),
        "{page}"
    );
    let (_, list) = json_of(get(app, &token, "/api/v1/monitoring/watchlist").await).await;
    assert_eq!(has(&list, "heroin"), None);
}

/// The area's link is an analyst's; a user of a laboratory or national authority who is no
/// analyst is offered the import only.
async fn the_menu_links_to_monitoring_for_analysts_only(app: &TestApp) {
    let analyst = browser_login(app, "analytiker").await;
    let (_, home) = get_page(&analyst, app, "/").await;
    assert!(home.contains("href=\"/monitoring\""), "{home}");
    for who in ["kliniker", "varselredaktor"] {
        let client = browser_login(app, who).await;
        let (_, home) = get_page(&client, app, "/").await;
        assert!(!home.contains("href=\"/monitoring\""), "{who}");
        let (status, _) = get_page(&client, app, "/monitoring").await;
        assert_eq!(status, 403, "{who}");
        // A user of a national authority (the warning editor, at the Directorate) may import
        // sources, and is offered that page only; a clinic's user is offered nothing.
        let import = home.contains("href=\"/monitoring/import\"");
        assert_eq!(import, who == "varselredaktor", "{who}");
    }
}

async fn the_warning_form_is_prefilled_from_a_signal(app: &TestApp) {
    let [a, ..] = raise(app).await;
    let client = browser_login(app, "varselredaktor").await;
    let (status, page) = get_page(
        &client,
        app,
        &format!("/warnings/new?signal_id=S{a}&substance=protonitazene&areas=0301"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("value=\"S{a}\"")), "{page}");
    assert!(page.contains("value=\"protonitazen\""), "{page}");
    assert!(page.contains("value=\"0301\""), "{page}");
    assert!(page.contains("value=\"signal\" selected"), "{page}");
}
