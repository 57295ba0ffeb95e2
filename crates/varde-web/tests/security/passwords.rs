//! Passwords and usernames: the password policy (ASVS 2.1, NIST 800-63B) names the rule it
//! refuses by; usernames an organisation's administrator creates are scoped to the
//! organisation, so that a refused name never tells another organisation's users apart.

use reqwest::StatusCode;
use serde_json::{json, Value};
use varde_core::org::Role;

use crate::common::TestApp;
use crate::{add_user, post};

on_both_engines!(
    weak_passwords_are_refused_naming_the_rule,
    usernames_do_not_tell_other_organisations_users_apart,
);

async fn weak_passwords_are_refused_naming_the_rule(app: &TestApp) {
    let admin = app.token("admin.oslo").await;
    let cases = [
        ("kort-1", "at least 12"),
        ("xxxxxxxxxxxx", "repetitive"),
        ("kari.nordmann", "username"),
        ("Kari.Nordmann2026", "username"),
        ("123456789012", "sequential"),
        ("1qaz2wsx3edc", "common"),
    ];
    for (password, rule) in cases {
        let res = post(
            app,
            &admin,
            "/api/v1/users",
            &json!({"username": "kari.nordmann", "password": password, "role": "advisor"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "password", "{password}");
        let said = problem["errors"][0]["rule"].as_str().unwrap();
        assert!(said.contains(rule), "{password}: {said}");
    }
    assert!(app
        .db
        .store
        .user_by_username("kari.nordmann@kommune-0301")
        .await
        .unwrap()
        .is_none());
    // A long passphrase of any characters is welcome.
    let res = post(
        app,
        &admin,
        "/api/v1/users",
        &json!({"username": "kari.nordmann", "password": "tre små kattunger på en blå benk i juni", "role": "advisor"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn usernames_do_not_tell_other_organisations_users_apart(app: &TestApp) {
    add_user(app, "4601", Role::OrgAdmin, "admin.bergen").await;
    let oslo = app.token("admin.oslo").await;
    let bergen = app.token("admin.bergen").await;
    let body = |name: &str| json!({"username": name, "password": "en helt annen lang frase", "role": "advisor"});
    let res = post(app, &oslo, "/api/v1/users", &body("kari")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // Bergen asks for the same name: it is Bergen's own (no 409 that would say Oslo has one).
    let res = post(app, &bergen, "/api/v1/users", &body("kari")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["username"], "kari@kommune-4601");
    // A name of another organisation's is refused by its form, whether that user exists or
    // not: the same answer both ways.
    let taken = post(app, &bergen, "/api/v1/users", &body("kari@kommune-0301")).await;
    let free = post(app, &bergen, "/api/v1/users", &body("nobody@kommune-0301")).await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(free.status(), taken.status());
    let (a, b): (Value, Value) = (taken.json().await.unwrap(), free.json().await.unwrap());
    assert_eq!(a["errors"], b["errors"]);
    // Within the own organisation a taken name is a conflict, as the administrator can see.
    let res = post(app, &oslo, "/api/v1/users", &body("kari")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
