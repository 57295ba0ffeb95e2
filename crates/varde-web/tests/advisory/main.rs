//! The advisory units' drug cases over HTTP, on SQLite and PostgreSQL. The clock is fixed at
//! 2026-11-24: a whole youth case with guardians from the prosecution's decision to closing;
//! another municipality's advisor refused every route of it, each refusal logged; every rule
//! of the contract refused with a 422 naming its field; health-care content only for a
//! clinician of the unit; the pages' round trips.
//!
//! PostgreSQL tests skip without `VARDE_TEST_POSTGRES_URL` unless `VARDE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod erasure;
mod pages;
mod statistics;

use erasure::{a_closed_case_is_erased_after_its_retention, a_unit_sets_its_own_retention};
use pages::{
    a_refused_form_comes_back_as_typed, the_worklist_the_case_page_and_recording_a_meeting,
};
use statistics::{advice_from_the_worklist, statistics_over_http};

use common::{get, post, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::org::{Qualification, Role};

/// A synthetic identity number (month + 80) of someone born on `day`.`month`.20`yy`.
pub fn born_20(day: u32, month: u32, yy: u32) -> String {
    (500..1000u32)
        .find_map(|ind| {
            varde_core::ids::synth::with_control_digits(&format!(
                "{day:02}{:02}{yy:02}{ind:03}",
                month + 80
            ))
        })
        .expect("a synthetic number")
}

/// The youth's case: born 5 October 2009 (17), decided 10 August 2026, two meetings by
/// 9 November, urine tests every 14 days until the same day, two guardians.
pub fn youth_case() -> Value {
    json!({
        "route": "prosecution_condition",
        "person": {"national_id": born_20(5, 10, 9), "name": "Ola Nordmann"},
        "guardians": [{"name": "Kari Nordmann"}, {"name": "Per Nordmann", "national_id": common::synthetic_id(3)}],
        "decision": {
            "reference": "OSL-2026-4711",
            "decided_on": "2026-08-10",
            "meetings_required": 2,
            "period_end": "2026-11-09",
            "drug_testing": {"test_type": "urine", "interval_days": 14, "until": "2026-11-09"}
        }
    })
}

pub async fn open(app: &TestApp, token: &str, body: &Value) -> i64 {
    let res = post(app, token, "/api/v1/advisory/cases", body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    v["id"].as_i64().unwrap()
}

pub async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// The problem's first field, asserting a 422.
async fn refused(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    v["errors"][0]["field"].as_str().unwrap().to_owned()
}

async fn a_whole_youth_case(app: &TestApp) {
    let t = app.token("radgiver.oslo").await;
    let id = open(app, &t, &youth_case()).await;
    let c = format!("/api/v1/advisory/cases/{id}");
    // Summons: three meetings within the period.
    for (n, at) in [
        (1, "2026-08-20T10:00:00+02:00"),
        (2, "2026-09-10T10:00:00+02:00"),
        (3, "2026-10-01T10:00:00+02:00"),
    ] {
        let v = ok(post(
            app,
            &t,
            &format!("{c}/meetings"),
            &json!({"planned_at": at, "place": "Rådhusgata 2"}),
        )
        .await)
        .await;
        assert_eq!(v["meeting"], n);
    }
    // One missed meeting, two outreach attempts by two means.
    let v = ok(post(
        app,
        &t,
        &format!("{c}/meetings/1/attendance"),
        &json!({"status": "not_attended"}),
    )
    .await)
    .await;
    assert_eq!(v["kind"], Value::Null);
    for (on, means) in [("2026-08-21", "letter"), ("2026-08-24", "phone")] {
        ok(post(
            app,
            &t,
            &format!("{c}/outreach"),
            &json!({"on": on, "means": means, "outcome": "not_reached"}),
        )
        .await)
        .await;
    }
    // Two meetings with consent: health care.
    for n in [2, 3] {
        let v = ok(post(
            app,
            &t,
            &format!("{c}/meetings/{n}/attendance"),
            &json!({"status": "attended", "consent": true}),
        )
        .await)
        .await;
        assert_eq!(v["kind"], "health_care");
    }
    // One positive and two negative tests.
    ok(post(
        app,
        &t,
        &format!("{c}/tests"),
        &json!({"on": "2026-08-25", "result": "positive", "substances": ["cannabis"]}),
    )
    .await)
    .await;
    for on in ["2026-09-08", "2026-09-22"] {
        ok(post(
            app,
            &t,
            &format!("{c}/tests"),
            &json!({"on": on, "result": "negative"}),
        )
        .await)
        .await;
    }
    // The report as it would be sent, with nothing clinical in it.
    let report = ok(get(app, &t, &format!("{c}/report")).await).await;
    assert_eq!(
        report,
        json!({"completed": true, "meetings_required": 2, "meetings_attended": 2, "testing": {"complied": false}})
    );
    let text = report.to_string();
    for clinical in [
        "cannabis",
        "consent",
        "health",
        "positive",
        "negative",
        "assessment",
        "Ola",
    ] {
        assert!(!text.contains(clinical), "{text}");
    }
    let sent = ok(post(app, &t, &format!("{c}/report"), &json!({})).await).await;
    assert_eq!(sent, report);
    assert_eq!(
        refused(post(app, &t, &format!("{c}/report"), &json!({})).await).await,
        "report"
    );
    let log = app.access_log(5).await;
    assert!(log
        .iter()
        .any(|e| e.action == "advisory.write" && e.record == format!("advisory:{id}")));
    // Onward referral, and a notice of concern to child welfare (a child: overrides consent).
    ok(post(
        app,
        &t,
        &format!("{c}/referrals"),
        &json!({"to": "municipal", "consent": true}),
    )
    .await)
    .await;
    ok(post(
        app,
        &t,
        &format!("{c}/referrals"),
        &json!({"to": "child_welfare", "consent": false}),
    )
    .await)
    .await;
    // Closing.
    ok(post(
        app,
        &t,
        &format!("{c}/close"),
        &json!({"outcome": "completed"}),
    )
    .await)
    .await;
    assert_eq!(
        refused(
            post(
                app,
                &t,
                &format!("{c}/outreach"),
                &json!({"on": "2026-11-24", "means": "visit", "outcome": "reached"})
            )
            .await
        )
        .await,
        "case"
    );
    let case = ok(get(app, &t, &c).await).await;
    assert_eq!(case["people"].as_array().unwrap().len(), 3);
    assert_eq!(case["people"][0]["age"], 17);
    assert!(case["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["guardians_summoned"] == true));
    assert_eq!(case["meetings_attended"], 2);
    assert_eq!(case["tests"].as_array().unwrap().len(), 3);
    assert_eq!(case["referrals"][1]["concern"], true);
    assert_eq!(case["outcome"], "completed");
    assert_eq!(case["report_sent_on"], "2026-11-24");
    assert!(case["legal_basis"].as_str().unwrap().contains("§ 37"));
    // The person is in the organisation's register; the log names the pseudonym, not the number.
    let log = app.access_log(200).await;
    let ours: Vec<_> = log
        .iter()
        .filter(|e| e.record == format!("advisory:{id}"))
        .collect();
    assert!(ours.len() >= 10);
    assert!(ours
        .iter()
        .all(|e| e.subject.len() == 32 && !e.subject.contains(&born_20(5, 10, 9))));
}

async fn another_municipality_is_refused_every_route(app: &TestApp) {
    let oslo = app.token("radgiver.oslo").await;
    let id = open(app, &oslo, &youth_case()).await;
    ok(post(
        app,
        &oslo,
        &format!("/api/v1/advisory/cases/{id}/meetings"),
        &json!({"planned_at": "2026-08-20T10:00:00+02:00", "place": "X"}),
    )
    .await)
    .await;
    let bergen = app.token("radgiver.bergen").await;
    let c = format!("/api/v1/advisory/cases/{id}");
    let gets = [c.clone(), format!("{c}/report")];
    let posts: [(String, Value); 8] = [
        (
            format!("{c}/meetings"),
            json!({"planned_at": "2026-08-21T10:00:00+02:00", "place": "X"}),
        ),
        (
            format!("{c}/meetings/1/attendance"),
            json!({"status": "attended"}),
        ),
        (format!("{c}/consent"), json!({"given": true})),
        (
            format!("{c}/outreach"),
            json!({"on": "2026-08-21", "means": "letter", "outcome": "reached"}),
        ),
        (
            format!("{c}/tests"),
            json!({"on": "2026-08-21", "result": "negative"}),
        ),
        (format!("{c}/report"), json!({})),
        (
            format!("{c}/referrals"),
            json!({"to": "gp", "consent": true}),
        ),
        (format!("{c}/close"), json!({"outcome": "withdrawn"})),
    ];
    for path in &gets {
        assert_eq!(
            get(app, &bergen, path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for (path, body) in &posts {
        assert_eq!(
            post(app, &bergen, path, body).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // The pages too.
    let (status, _) = app
        .get_text(&bergen, &format!("/advisory/cases/{id}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A treatment unit's clinician keeps no advisory cases and reads none.
    let tsb = app.token("kliniker").await;
    assert_eq!(get(app, &tsb, &c).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        post(app, &tsb, "/api/v1/advisory/cases", &youth_case())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = app.get_text(&tsb, "/advisory").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let log = app.access_log(50).await;
    let denied: Vec<_> = log
        .iter()
        .filter(|e| e.actor == "radgiver.bergen" && e.record == format!("advisory:{id}"))
        .collect();
    assert_eq!(denied.len(), gets.len() + posts.len() + 1);
    assert!(denied.iter().all(|e| e.outcome == "denied"));
    let oslo_org = app
        .db
        .store
        .advisory_case_ref(id)
        .await
        .unwrap()
        .unwrap()
        .org_id;
    assert!(denied.iter().all(|e| e.owner_org_id == oslo_org.0));
    // Nothing was written.
    let case = ok(get(app, &oslo, &c).await).await;
    assert_eq!(case["meetings"].as_array().unwrap().len(), 1);
    assert!(case["outcome"].is_null());
    // A coordinator of the same municipality has no access to the cases either.
    let coord = app.token("koordinator.oslo").await;
    assert_eq!(get(app, &coord, &c).await.status(), StatusCode::FORBIDDEN);
}

async fn every_rule_is_a_422_naming_its_field(app: &TestApp) {
    let t = app.token("radgiver.oslo").await;
    let cases = "/api/v1/advisory/cases";
    let with = |path: &str, value: Value| {
        let mut b = youth_case();
        let mut at = &mut b;
        for k in path.split('.') {
            at = &mut at[k];
        }
        *at = value;
        b
    };
    for (body, field) in [
        (
            with("decision.meetings_required", json!(4)),
            "decision.meetings_required",
        ),
        (
            with("decision.period_end", json!("2026-11-11")),
            "decision.period_end",
        ),
        (
            with("decision.drug_testing.until", json!("2026-11-11")),
            "decision.drug_testing.until",
        ),
        (with("route", json!("court")), "route"),
        (with("person", json!({"name": "Ola"})), "person.national_id"),
        (with("decision", Value::Null), "decision"),
    ] {
        assert_eq!(refused(post(app, &t, cases, &body).await).await, field);
    }
    // Nothing was opened.
    let (_, page) = app.get_text(&t, "/advisory/cases").await;
    assert!(!page.contains("OSL-2026-4711"));
    // A meeting outside the period.
    let id = open(app, &t, &youth_case()).await;
    let c = format!("{cases}/{id}");
    let field = refused(
        post(
            app,
            &t,
            &format!("{c}/meetings"),
            &json!({"planned_at": "2026-11-10T10:00:00+01:00", "place": "X"}),
        )
        .await,
    )
    .await;
    assert_eq!(field, "planned_at");
    // A report before the period ends.
    let mut early = youth_case();
    early["decision"]["decided_on"] = json!("2026-11-01");
    early["decision"]["period_end"] = json!("2027-01-31");
    early["decision"]["drug_testing"]["until"] = json!("2027-01-31");
    let early = open(app, &t, &early).await;
    assert_eq!(
        refused(get(app, &t, &format!("{cases}/{early}/report")).await).await,
        "period_end"
    );
    assert_eq!(
        refused(post(app, &t, &format!("{cases}/{early}/report"), &json!({})).await).await,
        "period_end"
    );
    // A test for a case without a testing condition.
    let mut plain = youth_case();
    plain["decision"]
        .as_object_mut()
        .unwrap()
        .remove("drug_testing");
    let plain = open(app, &t, &plain).await;
    let field = refused(
        post(
            app,
            &t,
            &format!("{cases}/{plain}/tests"),
            &json!({"on": "2026-09-01", "result": "negative"}),
        )
        .await,
    )
    .await;
    assert_eq!(field, "drug_testing");
    // Closing as not completed without the minimum outreach (one letter is not enough).
    ok(post(
        app,
        &t,
        &format!("{c}/outreach"),
        &json!({"on": "2026-09-01", "means": "letter", "outcome": "not_reached"}),
    )
    .await)
    .await;
    assert_eq!(
        refused(
            post(
                app,
                &t,
                &format!("{c}/close"),
                &json!({"outcome": "not_completed"})
            )
            .await
        )
        .await,
        "outcome"
    );
    ok(post(
        app,
        &t,
        &format!("{c}/outreach"),
        &json!({"on": "2026-09-02", "means": "visit", "outcome": "not_reached"}),
    )
    .await)
    .await;
    ok(post(
        app,
        &t,
        &format!("{c}/close"),
        &json!({"outcome": "not_completed"}),
    )
    .await)
    .await;
    // A positive test names substances of the reference list; a bad body names the field.
    let field = refused(
        post(
            app,
            &t,
            &format!("{cases}/{early}/tests"),
            &json!({"on": "2026-11-20", "result": "positive"}),
        )
        .await,
    )
    .await;
    assert_eq!(field, "substances");
    let field = refused(
        post(
            app,
            &t,
            &format!("{cases}/{early}/tests"),
            &json!({"on": "2026-11-20", "result": "maybe"}),
        )
        .await,
    )
    .await;
    assert_eq!(field, "result");
    // The identity number is never echoed.
    let res = post(
        app,
        &t,
        cases,
        &with("person.national_id", json!("12345678901")),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!res.text().await.unwrap().contains("12345678901"));
}

async fn health_care_content_is_for_clinicians_of_the_unit(app: &TestApp) {
    let oslo = app
        .db
        .store
        .advisory_minimum(varde_core::org::OrgId(0))
        .await
        .unwrap();
    assert!(oslo.is_none());
    let advisor = app.token("radgiver.oslo").await;
    let id = open(app, &advisor, &youth_case()).await;
    let org = app
        .db
        .store
        .advisory_case_ref(id)
        .await
        .unwrap()
        .unwrap()
        .org_id;
    let hash = varde_web::auth::hash_password_blocking(common::PASSWORD).unwrap();
    let now = common::NOW.parse().unwrap();
    app.db
        .store
        .create_user(
            org,
            Role::Clinician,
            Qualification::Physician,
            "lege.oslo",
            &hash,
            now,
        )
        .await
        .unwrap();
    let clinician = app.token("lege.oslo").await;
    let c = format!("/api/v1/advisory/cases/{id}");
    ok(post(
        app,
        &advisor,
        &format!("{c}/meetings"),
        &json!({"planned_at": "2026-09-10T10:00:00+02:00", "place": "X"}),
    )
    .await)
    .await;
    let notes = json!({"status": "attended", "consent": true, "assessment": "Kartlegging: cannabis i helgene.", "advice": "Råd om søvn."});
    // An advisor may not write health care; the refusal is logged.
    let res = post(app, &advisor, &format!("{c}/meetings/1/attendance"), &notes).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let log = app.access_log(3).await;
    assert!(log
        .iter()
        .any(|e| e.action == "advisory.health" && e.outcome == "denied"));
    ok(post(
        app,
        &clinician,
        &format!("{c}/meetings/1/attendance"),
        &notes,
    )
    .await)
    .await;
    let seen = ok(get(app, &advisor, &c).await).await;
    assert_eq!(seen["meetings"][0]["kind"], "health_care");
    assert!(seen["meetings"][0].get("assessment").is_none());
    assert_eq!(seen["health_care_shown"], false);
    let seen = ok(get(app, &clinician, &c).await).await;
    assert_eq!(
        seen["meetings"][0]["assessment"],
        "Kartlegging: cannabis i helgene."
    );
    let log = app.access_log(3).await;
    assert!(log
        .iter()
        .any(|e| e.action == "advisory.health" && e.actor == "lege.oslo"));
    // The report says nothing of it.
    let (_, page) = app
        .get_text(&clinician, &format!("/advisory/cases/{id}"))
        .await;
    assert!(page.contains("Kartlegging: cannabis i helgene."));
    let (_, page) = app
        .get_text(&advisor, &format!("/advisory/cases/{id}"))
        .await;
    assert!(!page.contains("Kartlegging: cannabis i helgene."));
}

async fn a_voluntary_contact_may_stay_anonymous(app: &TestApp) {
    let t = app.token("radgiver.bergen").await;
    let id = open(app, &t, &json!({"route": "voluntary", "person": {}})).await;
    let case = ok(get(app, &t, &format!("/api/v1/advisory/cases/{id}")).await).await;
    assert!(case["people"][0]["name"].is_null());
    assert_eq!(
        refused(get(app, &t, &format!("/api/v1/advisory/cases/{id}/report")).await).await,
        "route"
    );
    let field = refused(
        post(
            app,
            &t,
            "/api/v1/advisory/cases",
            &json!({"route": "emergency_ward", "person": {}}),
        )
        .await,
    )
    .await;
    assert_eq!(field, "person");
    // Guardians only for someone under 18.
    let adult = json!({"route": "police_no_investigation", "person": {"national_id": common::synthetic_id(5), "name": "Voksen"}, "guardians": [{"name": "X"}]});
    assert_eq!(
        refused(post(app, &t, "/api/v1/advisory/cases", &adult).await).await,
        "guardians"
    );
}

async fn a_unit_sets_its_own_minimum_outreach(app: &TestApp) {
    let t = app.token("radgiver.oslo").await;
    let put = |body: Value| {
        let t = t.clone();
        async move {
            app.client()
                .put(app.url("/api/v1/advisory/unit"))
                .bearer_auth(&t)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        refused(put(json!({"min_attempts": 2, "min_means": 3})).await).await,
        "min_means"
    );
    ok(put(json!({"min_attempts": 3, "min_means": 1})).await).await;
    let v = ok(get(app, &t, "/api/v1/advisory/unit").await).await;
    assert_eq!(
        v,
        json!({"min_attempts": 3, "min_means": 1, "retention_years": 5})
    );
    // Bergen keeps the default.
    let bergen = app.token("radgiver.bergen").await;
    let v = ok(get(app, &bergen, "/api/v1/advisory/unit").await).await;
    assert_eq!(
        v,
        json!({"min_attempts": 2, "min_means": 2, "retention_years": 5})
    );
    // Two letters are not Oslo's three attempts; a third is.
    let id = open(app, &t, &youth_case()).await;
    let c = format!("/api/v1/advisory/cases/{id}");
    for on in ["2026-09-01", "2026-09-02"] {
        ok(post(
            app,
            &t,
            &format!("{c}/outreach"),
            &json!({"on": on, "means": "letter", "outcome": "not_reached"}),
        )
        .await)
        .await;
    }
    assert_eq!(
        refused(
            post(
                app,
                &t,
                &format!("{c}/close"),
                &json!({"outcome": "not_completed"})
            )
            .await
        )
        .await,
        "outcome"
    );
    ok(post(
        app,
        &t,
        &format!("{c}/outreach"),
        &json!({"on": "2026-09-03", "means": "letter", "outcome": "not_reached"}),
    )
    .await)
    .await;
    ok(post(
        app,
        &t,
        &format!("{c}/close"),
        &json!({"outcome": "not_completed"}),
    )
    .await)
    .await;
    // The page's form: a refusal beside its field.
    let b = common::browser_login(app, "radgiver.oslo").await;
    let (_, page) = common::get_page(&b, app, "/advisory/cases").await;
    assert!(page.contains("value=\"3\""));
    let csrf = common::csrf_of(&page);
    let (status, page) = app
        .submit(
            &b,
            "/advisory/unit",
            &[
                ("csrf", csrf.as_str()),
                ("min_attempts", "0"),
                ("min_means", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"min_attempts-error\""), "{page}");
}

async fn the_demo_cases_fill_both_worklists(app: &TestApp) {
    let n = varde_web::advisory::demo::seed_demo_advisory(&app.state)
        .await
        .map_err(|e| e.detail)
        .unwrap();
    assert_eq!(n, 25);
    let oslo = common::browser_login(app, "radgiver.oslo").await;
    let (_, page) = common::get_page(&oslo, app, "/advisory").await;
    // Today's meeting and the one in two days (a Thursday, in this week); the case closed five
    // years ago less ten days, its erasure due; the advice logged today.
    assert!(
        page.contains("Sara Demo") && page.contains("Emil Demo"),
        "{page}"
    );
    assert!(
        page.contains("Ida Demo") && page.contains("Personopplysningene slettes"),
        "{page}"
    );
    assert!(page.contains("Råd logget i dag: 1"), "{page}");
    // Bergen's case closed six years ago is erased by the real job: one statistics record,
    // the erased page, and no list shows it.
    assert_eq!(
        app.db
            .store
            .advisory_statistics_records()
            .await
            .unwrap()
            .len(),
        1
    );
    let bergen = common::browser_login(app, "radgiver.bergen").await;
    let (status, page) = common::get_page(&bergen, app, "/advisory/cases/7").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        page.contains("Personopplysningene er slettet") && !page.contains("Lars Demo"),
        "{page}"
    );
    let (_, page) = common::get_page(&bergen, app, "/advisory/cases").await;
    assert!(!page.contains("Lars Demo"), "{page}");
    // The statistics show the demo's cases and advice.
    let analyst = app.token("analytiker").await;
    let stats = ok(get(
        app,
        &analyst,
        "/api/v1/advisory/statistics?from=2026-01-01&to=2026-12-31",
    )
    .await)
    .await;
    let nation = |measure: &str| {
        stats["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["level"] == "nation" && c["measure"] == measure && c.get("group").is_none())
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(nation("cases"), json!(7));
    assert_eq!(nation("advice"), json!(6));
    let (_, page) = common::get_page(&oslo, app, "/advisory/cases").await;
    assert!(page.contains("Jonas Demo") && !page.contains("Nora Demo"));
    let (_, page) = common::get_page(&bergen, app, "/advisory").await;
    assert!(
        page.contains("Nora Demo") && page.contains("Uteblitt fra møte"),
        "{page}"
    );
    let t = app.token("radgiver.oslo").await;
    let case = ok(get(app, &t, "/api/v1/advisory/cases/1").await).await;
    assert_eq!(
        case["report"],
        json!({"completed": true, "meetings_required": 2, "meetings_attended": 2, "testing": {"complied": false}})
    );
}

on_both_engines!(
    the_demo_cases_fill_both_worklists,
    a_unit_sets_its_own_minimum_outreach,
    a_whole_youth_case,
    another_municipality_is_refused_every_route,
    every_rule_is_a_422_naming_its_field,
    health_care_content_is_for_clinicians_of_the_unit,
    a_voluntary_contact_may_stay_anonymous,
    the_worklist_the_case_page_and_recording_a_meeting,
    a_refused_form_comes_back_as_typed,
    a_closed_case_is_erased_after_its_retention,
    a_unit_sets_its_own_retention,
    statistics_over_http,
    advice_from_the_worklist,
);
