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
    the_store_keeps_the_last_admin_under_concurrent_changes,
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

/// The store's check under load: in each of several organisations, two administrators demote
/// each other (or disable each other) in the same instant, twenty times over; every time
/// exactly one change is made and one administrator is left.
async fn the_store_keeps_the_last_admin_under_concurrent_changes(app: &TestApp) {
    use varde_core::org::{Qualification, UserChange};
    let store = &app.db.store;
    let now: jiff::Timestamp = crate::common::NOW.parse().unwrap();
    for round in 0..20 {
        let org = store
            .ensure_org(
                &varde_store::NewOrg {
                    kind: varde_core::org::OrgKind::TreatmentUnit,
                    name: format!("Klinikk {round}"),
                    slug: format!("klinikk-{round}"),
                    kommunenummer: None,
                    orgnr: None,
                    parent_id: None,
                },
                now,
            )
            .await
            .unwrap();
        let mut ids = Vec::new();
        for who in ["a", "b"] {
            let id = store
                .create_user(
                    org,
                    Role::OrgAdmin,
                    Qualification::Other,
                    &format!("{who}@klinikk-{round}"),
                    "hash",
                    now,
                )
                .await
                .unwrap();
            ids.push(id);
        }
        let change = if round % 2 == 0 {
            UserChange::Role(Role::Advisor)
        } else {
            UserChange::Disable
        };
        let entry = |actor: varde_core::org::UserId| varde_store::NewAccess {
            at: now,
            actor: "admin".into(),
            actor_id: actor.0,
            org_id: org.0,
            owner_org_id: org.0,
            action: "user.manage".into(),
            subject: String::new(),
            record: String::new(),
            purpose: String::new(),
            outcome: varde_core::audit::Outcome::Allowed,
            flagged: false,
        };
        let (a, b) = (ids[0], ids[1]);
        let (ea, eb) = (entry(a), entry(b));
        let (ra, rb) = tokio::join!(
            change_other(store, a, b, change, &ea, now),
            change_other(store, b, a, change, &eb, now)
        );
        let made = [ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count();
        assert_eq!(made, 1, "round {round}: {ra:?} {rb:?}");
        // The other is refused by the rule, having seen the first's change — not by a
        // collision of the two writes.
        let refused = ra.err().or(rb.err()).unwrap();
        let field = if change == UserChange::Disable {
            "account"
        } else {
            "role"
        };
        assert_eq!(refused.errors.len(), 1, "round {round}: {refused:?}");
        assert_eq!(refused.errors[0].field, field, "round {round}");
        assert_eq!(
            refused.errors[0].code.as_deref(),
            Some("user.last_admin"),
            "round {round}: {refused:?}"
        );
        assert_eq!(active_admins(app, org).await.len(), 1, "round {round}");
    }
}

/// `actor` makes `change` to `target`, under the rule the page and the API apply.
async fn change_other(
    store: &varde_store::Store,
    actor: varde_core::org::UserId,
    target: varde_core::org::UserId,
    change: varde_core::org::UserChange,
    access: &varde_store::NewAccess,
    now: jiff::Timestamp,
) -> Result<varde_core::org::UserChanged, varde_web::error::WebError> {
    store
        .change_user_checked(
            target,
            change,
            "samtidig",
            Some(actor),
            access,
            now,
            move |account, admins| {
                varde_core::org::check_change(Some(actor), account, change, admins)
                    .map_err(varde_web::error::WebError::from)
            },
        )
        .await
}
