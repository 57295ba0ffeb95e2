//! A change of a user's role or qualification (which decides, for one, who may admit to LAR)
//! is an event with its author and reason, and the organisation's auditor sees it; a change
//! without a reason is refused and writes nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{browser_login, csrf_of, get_page, TestApp};
use crate::{get, post};

on_both_engines!(role_and_qualification_changes_leave_a_trail);

async fn role_and_qualification_changes_leave_a_trail(app: &TestApp) {
    let store = &app.db.store;
    let admin = app.token("admin.klinikk").await;
    let user = store.user_by_username("kliniker").await.unwrap().unwrap();
    let events = |n| async move {
        let org = store
            .user_by_username("kliniker")
            .await
            .unwrap()
            .unwrap()
            .org_id;
        let e = store
            .read_stream(&varde_store::users_stream(org))
            .await
            .unwrap();
        assert_eq!(e.len(), n);
        e
    };
    events(0).await;
    // No reason: refused, nothing changed.
    let res = post(
        app,
        &admin,
        &format!("/api/v1/users/{}/qualification", user.id.0),
        &json!({"qualification": "physician", "reason": " "}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "reason");
    assert_eq!(
        store.user(user.id).await.unwrap().qualification,
        "specialist"
    );
    events(0).await;
    // With a reason: changed, recorded with its author, in the access log.
    let res = post(
        app,
        &admin,
        &format!("/api/v1/users/{}/qualification", user.id.0),
        &json!({"qualification": "physician", "reason": "spesialistgodkjenning utløpt"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(
        (doc["from"].as_str(), doc["to"].as_str()),
        (Some("specialist"), Some("physician"))
    );
    let e = events(1).await;
    assert_eq!(e[0].kind, "user.qualification_changed");
    let author = store
        .user_by_username("admin.klinikk")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e[0].actor_id, Some(author.id.0));
    // The role through the page's form, with its reason.
    let browser = browser_login(app, "admin.klinikk").await;
    let (_, page) = get_page(&browser, app, "/admin/users").await;
    let res = browser
        .post(app.url(&format!("/admin/users/{}/role", user.id.0)))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("role", "analyst"),
            ("reason", "ny stilling"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(events(2).await[1].kind, "user.role_changed");
    // The clinic's auditor sees both, with who and why.
    varde_web_add_auditor(app).await;
    let auditor = app.token("revisor.klinikk").await;
    let log: Vec<Value> = get(app, &auditor, "/api/v1/audit")
        .await
        .json()
        .await
        .unwrap();
    let changes: Vec<(&str, &str)> = log
        .iter()
        .filter(|e| e["action"] == "user.manage")
        .map(|e| (e["actor"].as_str().unwrap(), e["purpose"].as_str().unwrap()))
        .collect();
    assert!(
        changes.iter().any(|(who, why)| *who == "admin.klinikk"
            && why.contains("qualification specialist → physician (spesialistgodkjenning utløpt)")),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|(_, why)| why.contains("role clinician → analyst (ny stilling)")),
        "{changes:?}"
    );
}

async fn varde_web_add_auditor(app: &TestApp) {
    crate::add_user(
        app,
        "999999999",
        varde_core::org::Role::Auditor,
        "revisor.klinikk",
    )
    .await;
}
