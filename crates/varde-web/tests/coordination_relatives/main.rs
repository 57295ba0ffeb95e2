//! Relatives and children as relatives over HTTP (issue 16, section 5), on SQLite and
//! PostgreSQL, with the clock fixed at 2026-11-24: the agreement flow (recorded, on the
//! coordinator's worklist when its review is due, the relative made a group member, withdrawn
//! as an event); another organisation refused with nothing shown; bad input a 422 naming the
//! field with nothing written; the children figures suppressed; the page and a refused form.
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

use common::{browser_login, create_person, csrf_of, get, get_page, post, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn refused(res: reqwest::Response) -> Vec<String> {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// A person of Oslo with an active plan coordinated by `koordinator.oslo`. (token, plan)
async fn plan_of(app: &TestApp, n: u32, name: &str) -> (String, i64) {
    let oslo = app.token("koordinator.oslo").await;
    let person = create_person(app, &oslo, &common::synthetic_id(n), name).await;
    let plan = ok(post(
        app,
        &oslo,
        "/api/v1/coordination/plans",
        &json!({"person_id": person, "coordinator": "koordinator.oslo", "status": "active"}),
    )
    .await)
    .await["id"]
        .as_i64()
        .unwrap();
    (oslo, plan)
}

fn agreement() -> Value {
    json!({
        "name": "Kari Pårørende", "contact": "kari@example.no", "relation": "parent",
        "scopes": ["plan", "discharge_notice"], "consent_how": "written",
        "consent_on": "2026-11-20", "review_on": "2026-12-10"
    })
}

async fn agreements_of(app: &TestApp, token: &str, plan: i64) -> Value {
    ok(get(
        app,
        token,
        &format!("/api/v1/coordination/plans/{plan}/relatives"),
    )
    .await)
    .await
}

async fn an_agreement_is_recorded_reviewed_joined_and_withdrawn(app: &TestApp) {
    let (oslo, plan) = plan_of(app, 31, "Per Pårørendesak").await;
    let base = format!("/api/v1/coordination/plans/{plan}/relatives");
    let id = ok(post(app, &oslo, &base, &agreement()).await).await["id"]
        .as_i64()
        .unwrap();
    let v = agreements_of(app, &oslo, plan).await;
    let a = &v["agreements"][0];
    assert_eq!(a["name"], "Kari Pårørende");
    assert_eq!(a["scopes"], json!(["plan", "discharge_notice"]));
    assert_eq!(a["consent_how"], "written");
    assert_eq!(a["recorded_by"], "koordinator.oslo");
    assert_eq!(a["ended_how"], Value::Null);
    // The read is logged on the plan's record.
    let e = &app.access_log(1).await[0];
    assert_eq!(e.record, format!("coordination:plan:{plan}"));
    assert_eq!(e.actor, "koordinator.oslo");
    // The review within 30 days is on the coordinator's worklist.
    let w = ok(get(app, &oslo, "/api/v1/coordination/worklist").await).await;
    let row = w
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "relatives_review" && r["record"] == id)
        .expect("the review on the worklist");
    assert_eq!(row["plan"], plan);
    assert_eq!(row["date"], "2026-12-10");
    assert_eq!(row["person"], "Per Pårørendesak");
    // A review further ahead is not.
    let mut later = agreement();
    later["review_on"] = json!("2027-03-01");
    let later_id = ok(post(app, &oslo, &base, &later).await).await["id"]
        .as_i64()
        .unwrap();
    let w = ok(get(app, &oslo, "/api/v1/coordination/worklist").await).await;
    assert!(!w
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["record"] == later_id && r["kind"] == "relatives_review"));
    // The relative joins the responsibility group, once.
    let member = ok(post(app, &oslo, &format!("{base}/{id}/group"), &json!({})).await).await["id"]
        .as_i64()
        .unwrap();
    let p = ok(get(app, &oslo, &format!("/api/v1/coordination/plans/{plan}")).await).await;
    let m = p["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == member)
        .expect("the member");
    assert_eq!(m["kind"], "relative");
    assert_eq!(m["name"], "Kari Pårørende");
    let again = post(app, &oslo, &format!("{base}/{id}/group"), &json!({})).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // Withdrawn: an event, shown, off the worklist, and not twice.
    let res = post(
        app,
        &oslo,
        &format!("{base}/{id}/end"),
        &json!({"ending": "withdrawn", "reason": "Ønsker ikke lenger deling"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let v = agreements_of(app, &oslo, plan).await;
    let a = v["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(a["ended_how"], "withdrawn");
    assert_eq!(a["ended_reason"], "Ønsker ikke lenger deling");
    let events = app
        .db
        .store
        .read_stream(&format!("coordination:relative:{id}"))
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "coordination.relative_agreed",
            "coordination.relative_joined_group",
            "coordination.relative_withdrawn"
        ]
    );
    let w = ok(get(app, &oslo, "/api/v1/coordination/worklist").await).await;
    assert!(!w
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["record"] == id && r["kind"] == "relatives_review"));
    let twice = post(
        app,
        &oslo,
        &format!("{base}/{id}/end"),
        &json!({"ending": "ended"}),
    )
    .await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
}

async fn another_organisation_is_refused_with_nothing_shown(app: &TestApp) {
    let (oslo, plan) = plan_of(app, 32, "Siv Samtykke").await;
    let base = format!("/api/v1/coordination/plans/{plan}/relatives");
    ok(post(app, &oslo, &base, &agreement()).await).await;
    let tsb = app.token("kliniker").await;
    let res = get(app, &tsb, &base).await;
    let none = get(app, &tsb, "/api/v1/coordination/plans/999999/relatives").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.text().await.unwrap(), none.text().await.unwrap());
    let e = &app.access_log(2).await;
    assert!(e.iter().any(|e| e.actor == "kliniker"
        && e.outcome == "denied"
        && e.record == format!("coordination:plan:{plan}")));
    // Nor write: the 404, and nothing written.
    let res = post(app, &tsb, &base, &agreement()).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = post(
        app,
        &tsb,
        &format!("/api/v1/coordination/plans/{plan}/children"),
        &json!({"count": 1, "talked": true}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v = agreements_of(app, &oslo, plan).await;
    assert_eq!(v["agreements"].as_array().unwrap().len(), 1);
    assert_eq!(v["children"], json!([]));
    // The page of another organisation's plan is the page of no plan.
    let client = browser_login(app, "kliniker").await;
    let (status, _) = get_page(
        &client,
        app,
        &format!("/coordination/plans/{plan}/relatives"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn bad_input_is_refused_with_nothing_written(app: &TestApp) {
    let (oslo, plan) = plan_of(app, 33, "Bo Feilsjekk").await;
    let base = format!("/api/v1/coordination/plans/{plan}/relatives");
    let mut a = agreement();
    a["review_on"] = json!("");
    assert_eq!(
        refused(post(app, &oslo, &base, &a).await).await,
        ["review_on"]
    );
    a["review_on"] = json!("2026-11-23");
    assert_eq!(
        refused(post(app, &oslo, &base, &a).await).await,
        ["review_on"]
    );
    let mut a = agreement();
    a["scopes"] = json!(["everything"]);
    assert_eq!(refused(post(app, &oslo, &base, &a).await).await, ["scopes"]);
    a["scopes"] = json!([]);
    a["contact"] = json!(common::synthetic_id(33));
    let res = post(app, &oslo, &base, &a).await;
    let body = res.text().await.unwrap();
    assert!(!body.contains(&common::synthetic_id(33)), "{body}");
    assert!(
        body.contains("\"contact\"") && body.contains("\"scopes\""),
        "{body}"
    );
    // Refusal in the user's language (bokmål by default on the page; the code beside it).
    let c = format!("/api/v1/coordination/plans/{plan}/children");
    assert_eq!(
        refused(post(app, &oslo, &c, &json!({"count": 0, "talked": true})).await).await,
        ["count"]
    );
    assert_eq!(
        refused(post(app, &oslo, &c, &json!({"count": 2, "followed_up": true})).await).await,
        ["followed_up"]
    );
    assert_eq!(
        refused(post(app, &oslo, &c, &json!({"count": 1, "ages": [17, 3]})).await).await,
        ["ages"]
    );
    assert_eq!(
        refused(post(app, &oslo, &c, &json!({"count": 1, "on": "2026-11-25"})).await).await,
        ["on"]
    );
    let v = agreements_of(app, &oslo, plan).await;
    assert_eq!(v["agreements"], json!([]));
    assert_eq!(v["children"], json!([]));
    // Unknown agreement: 404.
    let res = post(
        app,
        &oslo,
        &format!("{base}/999999/end"),
        &json!({"ending": "ended"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = post(
        app,
        &oslo,
        &format!("{base}/999999/end"),
        &json!({"ending": "paused"}),
    )
    .await;
    assert_eq!(refused(res).await, ["ending"]);
}

async fn children_figures_are_suppressed(app: &TestApp) {
    // Ten people with minor children: five talked about, two of them followed up; two
    // without children.
    for n in 0..12u32 {
        let (oslo, plan) = plan_of(app, 40 + n, &format!("Person {n}")).await;
        let body = match n {
            0..=1 => json!({"count": 2, "ages": [3, 9], "talked": true, "followed_up": true,
                            "with": ["other_parent", "school_nurse"], "on": "2026-11-20"}),
            2..=4 => json!({"count": 1, "talked": true, "on": "2026-11-20"}),
            5..=9 => json!({"count": 1}),
            _ => json!({"count": 0}),
        };
        ok(post(
            app,
            &oslo,
            &format!("/api/v1/coordination/plans/{plan}/children"),
            &body,
        )
        .await)
        .await;
    }
    let oslo = app.token("koordinator.oslo").await;
    let f = ok(get(app, &oslo, "/api/v1/coordination/figures/children").await).await;
    assert_eq!(f[0]["key"], "talked");
    assert_eq!(f[0]["count"], 5);
    assert_eq!(f[0]["total"], 10);
    assert_eq!(f[0]["share"], 50.0);
    assert_eq!(f[1]["key"], "followed_up");
    assert_eq!(f[1]["count"], Value::Null);
    assert_eq!(f[1]["share"], Value::Null);
    // The figures page shows both, the hidden one as hidden.
    let client = browser_login(app, "koordinator.oslo").await;
    let (status, page) = get_page(&client, app, "/coordination/figures").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Barnas behov snakket om"), "{page}");
    assert!(page.contains("50 %"), "{page}");
    // An auditor reads no figures.
    let revisor = app.token("revisor.oslo").await;
    assert_eq!(
        get(app, &revisor, "/api/v1/coordination/figures/children")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

async fn the_page_records_and_refuses(app: &TestApp) {
    let (_, plan) = plan_of(app, 34, "Eva Skjema").await;
    let client = browser_login(app, "koordinator.oslo").await;
    let path = format!("/coordination/plans/{plan}/relatives");
    let (status, page) = get_page(&client, app, &path).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    // Refused: the review date missing, shown beside the form with what was typed.
    let (status, page) = app
        .submit(
            &client,
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("name", "Ola Bror"),
                ("relation", "sibling"),
                ("scopes", "plan"),
                ("consent_how", "oral"),
                ("consent_on", "2026-11-24"),
                ("review_on", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("en avtale må ha en dato for gjennomgang"),
        "{page}"
    );
    assert!(page.contains("Ola Bror"));
    // Recorded.
    let (status, page) = app
        .submit(
            &client,
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("name", "Ola Bror"),
                ("relation", "sibling"),
                ("scopes", "plan"),
                ("scopes", "pathway_status"),
                ("consent_how", "oral"),
                ("consent_on", "2026-11-24"),
                ("review_on", "2027-05-24"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, page) = get_page(&client, app, &path).await;
    assert!(
        page.contains("Ola Bror")
            && page.contains("Søsken")
            && page.contains("Status i pakkeforløp")
    );
    let (status, page) = app
        .submit(
            &client,
            &format!("/coordination/plans/{plan}/children"),
            &[
                ("csrf", csrf.as_str()),
                ("count", "2"),
                ("ages", "4, 12"),
                ("talked", "yes"),
                ("on", "2026-11-24"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, page) = get_page(&client, app, &path).await;
    assert!(page.contains("4, 12"), "{page}");
    // The plan page links here.
    let (_, plan_page) = get_page(&client, app, &format!("/coordination/plans/{plan}")).await;
    assert!(plan_page.contains(&path));
}

async fn the_demo_has_agreements_and_children(app: &TestApp) {
    varde_web::coordination::demo::seed_demo_coordination(&app.state)
        .await
        .unwrap();
    let oslo = app.token("koordinator.oslo").await;
    let w = ok(get(app, &oslo, "/api/v1/coordination/worklist").await).await;
    let due: Vec<&Value> = w
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "relatives_review")
        .collect();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0]["what"], "Siri Demo");
    let plan = due[0]["plan"].as_i64().unwrap();
    let v = agreements_of(app, &oslo, plan).await;
    assert!(v["agreements"][0]["member_id"].is_i64());
    assert_eq!(v["children"][0]["count"], 2);
    // Three people with minor children: every count hidden.
    let f = ok(get(app, &oslo, "/api/v1/coordination/figures/children").await).await;
    assert!(f
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["count"].is_null() && x["total"].is_null()));
}

on_both_engines!(
    the_demo_has_agreements_and_children,
    an_agreement_is_recorded_reviewed_joined_and_withdrawn,
    another_organisation_is_refused_with_nothing_shown,
    bad_input_is_refused_with_nothing_written,
    children_figures_are_suppressed,
    the_page_records_and_refuses,
);
