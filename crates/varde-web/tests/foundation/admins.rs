//! An organisation keeps its administrators: nobody disables or demotes their own account,
//! and the last enabled administrator is neither disabled nor demoted — through the API and
//! the page alike, with the same named refusal, and also when two administrators demote each
//! other at the same moment.

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::org::{OrgId, Role};

use crate::common::{browser_login, csrf_of, get_page, TestApp};
use crate::post;

on_both_engines!(
    an_admin_cannot_disable_or_demote_themselves_nor_the_last_admin,
    two_admins_demoting_each_other_at_once_leave_one,
);

async fn id_of(app: &TestApp, username: &str) -> i64 {
    let user = app.db.store.user_by_username(username).await.unwrap();
    user.unwrap().id.0
}

async fn active_admins(app: &TestApp, org: OrgId) -> Vec<String> {
    app.db
        .store
        .list_users(Some(org))
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role() == Some(Role::OrgAdmin) && !u.disabled)
        .map(|u| u.username)
        .collect()
}

/// Adds a second administrator to Oslo through the API; their username.
async fn second_admin(app: &TestApp, admin: &str) -> String {
    let res = post(
        app,
        admin,
        "/api/v1/users",
        &json!({"username": "admin2", "password": crate::common::PASSWORD, "role": "org-admin"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["username"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn an_admin_cannot_disable_or_demote_themselves_nor_the_last_admin(app: &TestApp) {
    let admin = app.token("admin.oslo").await;
    let me = id_of(app, "admin.oslo").await;
    let oslo = app
        .db
        .store
        .user_by_username("admin.oslo")
        .await
        .unwrap()
        .unwrap()
        .org_id;
    let own_path = format!("/api/v1/users/{me}/disable");
    let role_path = format!("/api/v1/users/{me}/role");
    // Their own account, through the API: a named refusal, nothing changed.
    for (path, body, field) in [
        (own_path.as_str(), json!({}), "account"),
        (
            role_path.as_str(),
            json!({"role": "advisor", "reason": "vil ikke være admin"}),
            "role",
        ),
    ] {
        let res = post(app, &admin, path, &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(
            problem["errors"][0]["code"], "user.own_account",
            "{problem}"
        );
    }
    assert_eq!(active_admins(app, oslo).await, ["admin.oslo"]);

    // Through the page: the same refusal in bokmål, beside the form, in the frame.
    let client = browser_login(app, "admin.oslo").await;
    let (_, page) = get_page(&client, app, "/admin/users").await;
    let (status, body) = app
        .submit(
            &client,
            &format!("/admin/users/{me}/disable"),
            &[("csrf", csrf_of(&page).as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("du kan ikke deaktivere din egen konto"),
        "{body}"
    );
    assert!(body.contains("<nav aria-label="), "{body}");
    assert_eq!(active_admins(app, oslo).await, ["admin.oslo"]);

    // The last administrator, by someone else (a system administrator may manage any
    // organisation's users): refused too.
    let system = app.token("systemadmin").await;
    let res = post(app, &system, &own_path, &json!({})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "user.last_admin", "{problem}");
    let res = post(
        app,
        &system,
        &role_path,
        &json!({"role": "auditor", "reason": "omorganisering"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(active_admins(app, oslo).await, ["admin.oslo"]);

    // With a second administrator, the first may be demoted by the second — and then the
    // second is the last.
    let admin2 = second_admin(app, &admin).await;
    let second = app.token(&admin2).await;
    let res = post(
        app,
        &second,
        &role_path,
        &json!({"role": "advisor", "reason": "ny rolle"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        active_admins(app, oslo).await,
        std::slice::from_ref(&admin2)
    );
    let id2 = id_of(app, &admin2).await;
    let res = post(
        app,
        &system,
        &format!("/api/v1/users/{id2}/disable"),
        &json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(active_admins(app, oslo).await, [admin2]);
}

async fn two_admins_demoting_each_other_at_once_leave_one(app: &TestApp) {
    let admin = app.token("admin.oslo").await;
    let oslo = app
        .db
        .store
        .user_by_username("admin.oslo")
        .await
        .unwrap()
        .unwrap()
        .org_id;
    let admin2 = second_admin(app, &admin).await;
    let second = app.token(&admin2).await;
    let (id1, id2) = (id_of(app, "admin.oslo").await, id_of(app, &admin2).await);
    let demote = |token: String, id: i64| async move {
        post(
            app,
            &token,
            &format!("/api/v1/users/{id}/role"),
            &json!({"role": "advisor", "reason": "samtidig"}),
        )
        .await
        .status()
    };
    // Each demotes the other at the same moment: exactly one of them wins.
    let (a, b) = tokio::join!(demote(admin.clone(), id2), demote(second.clone(), id1));
    let won = [a, b].iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(won, 1, "{a} {b}");
    let left = active_admins(app, oslo).await;
    assert_eq!(left.len(), 1, "{left:?}");
}
