//! Users: an org-admin creates and disables the users of the own organisation only; weak
//! passwords, a system-admin role and a taken username are refused.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::{get, post};

on_both_engines!(org_admin_manages_users_of_own_org_only);

async fn org_admin_manages_users_of_own_org_only(app: &TestApp) {
    let admin = app.token("admin.oslo").await;
    let res = post(
        app,
        &admin,
        "/api/v1/users",
        &json!({"username": "ny.radgiver", "password": "et-langt-passord-1", "role": "advisor"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The username is scoped to the organisation; the new user can log in and is in Oslo.
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["username"], "ny.radgiver@kommune-0301");
    let res = app
        .client()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "ny.radgiver@kommune-0301", "password": "et-langt-passord-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Weak password, system-admin role, taken username: clear 4xx.
    for (body, field) in [
        (
            json!({"username": "svak", "password": "kort", "role": "advisor"}),
            "password",
        ),
        (
            json!({"username": "sys", "password": "et-langt-passord-1", "role": "system-admin"}),
            "role",
        ),
        (
            json!({"username": "x y", "password": "et-langt-passord-1", "role": "advisor"}),
            "username",
        ),
    ] {
        let res = post(app, &admin, "/api/v1/users", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(res.text().await.unwrap().contains(field));
    }
    let res = post(
        app,
        &admin,
        "/api/v1/users",
        &json!({"username": "ny.radgiver", "password": "et-langt-passord-1", "role": "advisor"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Users of the own organisation only; another org's user cannot be disabled.
    let users: Vec<Value> = get(app, &admin, "/api/v1/users")
        .await
        .json()
        .await
        .unwrap();
    assert!(users.iter().all(|u| u["username"] != "radgiver.bergen"));
    let bergen_user = app
        .db
        .store
        .user_by_username("radgiver.bergen")
        .await
        .unwrap()
        .unwrap();
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/users/{}/disable", bergen_user.id.0)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another organisation's user"
    );
    assert!(!app.db.store.user(bergen_user.id).await.unwrap().disabled);

    // An advisor cannot manage users.
    let advisor = app.token("radgiver.oslo").await;
    assert_eq!(
        get(app, &advisor, "/api/v1/users").await.status(),
        StatusCode::FORBIDDEN
    );
}
