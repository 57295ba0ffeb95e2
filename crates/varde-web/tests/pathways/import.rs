//! The CSV import through the API: all or nothing unless only the valid pathways are asked
//! for, idempotent per batch id or content, a conflicting batch id named.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::{csv_row, get_json, import, HEADER};

on_both_engines!(import_is_all_or_nothing_and_idempotent);

async fn import_is_all_or_nothing_and_idempotent(app: &TestApp) {
    let token = app.token("kliniker").await;
    let mut csv = HEADER.to_string();
    csv += &csv_row("I1", "referral_received", "2026-10-01", "");
    csv += &csv_row("I1", "first_attendance", "2026-10-10", "");
    csv += &csv_row("I2", "referral_received", "2026-10-01", "");
    csv += &csv_row("I2", "evaluation", "2026-10-05", ""); // before any decision
    csv += &csv_row("I3", "referral_received", "2026-10-02", "");
    csv += &csv_row("I3", "unknown_event", "2026-10-03", "");

    let (status, r) = import(app, &token, "?batch_id=b1", csv.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["imported"], 0);
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{r}");
    assert_eq!(errors[0]["line"], 5);
    assert_eq!(errors[0]["pathway_id"], "I2");
    assert_eq!(errors[1]["line"], 7);
    let (_, export) = app.get_text(&token, "/api/v1/pathways/export").await;
    assert_eq!(export.lines().count(), 1, "nothing written: header only");

    // Only the valid pathways, when asked: I1 whole; I3's valid row held back with its pathway.
    let (status, r) = import(app, &token, "?batch_id=b1&valid_only=true", csv.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["imported"], 2);
    assert_eq!(r["held_back"], 2);
    // The same batch again writes nothing.
    let (status, r) = import(app, &token, "?batch_id=b1&valid_only=true", csv).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["already_imported"], true);
    assert_eq!(r["imported"], 0);
    let i1 = get_json(app, &token, "/api/v1/pathways/p/I1").await;
    assert_eq!(i1["events"].as_array().unwrap().len(), 2);
    // The same batch id with another file is a conflict naming the batch id; nothing written.
    let other = format!(
        "{HEADER}{}",
        csv_row("I9", "referral_received", "2026-10-01", "")
    );
    let (status, r) = import(app, &token, "?batch_id=b1", other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{r}");
    assert_eq!(r["errors"][0]["field"], "batch_id");
    let (status, _) = app.get_text(&token, "/api/v1/pathways/p/I9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // With nothing valid to write, the batch id stays free for the corrected file.
    let bad = format!("{HEADER}{}", csv_row("I5", "evaluation", "2026-10-05", ""));
    let (status, r) = import(app, &token, "?batch_id=b4&valid_only=true", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["imported"], 0);
    let good = format!(
        "{HEADER}{}",
        csv_row("I5", "referral_received", "2026-10-01", "")
    );
    let (status, r) = import(app, &token, "?batch_id=b4", good).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["imported"], 1);

    // Without a batch id, the content is the key.
    let body = format!(
        "{HEADER}{}",
        csv_row("I4", "referral_received", "2026-10-01", "")
    );
    let (s1, _) = import(app, &token, "", body.clone()).await;
    let (s2, r2) = import(app, &token, "", body).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(r2["already_imported"], true);

    // A row that conflicts with a registered event is refused (a duplicate referral).
    let body = format!(
        "{HEADER}{}",
        csv_row("I1", "referral_received", "2026-10-03", "")
    );
    let (status, r) = import(app, &token, "?batch_id=b2", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");

    // A file with no rows writes nothing and leaves its batch id free for the real file.
    let (status, r) = import(app, &token, "?batch_id=b5", HEADER.to_string()).await;
    assert_eq!((status, &r["imported"]), (StatusCode::OK, &json!(0)), "{r}");
    let real = format!(
        "{HEADER}{}",
        csv_row("I6", "referral_received", "2026-10-01", "")
    );
    let (status, r) = import(app, &token, "?batch_id=b5", real).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    // A file without the header is refused, naming the missing column.
    let (status, _) = import(app, &token, "?batch_id=b3", "a,b\n1,2\n".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
