//! Sessions: an unknown user and a wrong password look the same, the account backs off, a
//! disabled user's session ends, logout ends the token; the HTML login flow and the pages
//! behind it; under TLS, `Secure` cookies and HSTS.

use reqwest::StatusCode;
use serde_json::json;
use varde_store::Engine;

use crate::common::{self, browser_login, csrf_of, get_page, TestApp};
use crate::get;

on_both_engines!(
    unknown_user_and_wrong_password_look_the_same,
    html_login_flow_and_pages,
);

async fn unknown_user_and_wrong_password_look_the_same(app: &TestApp) {
    let login = |u: &str, p: &str| {
        app.client()
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": u, "password": p}))
            .send()
    };
    let a = login("finnes.ikke", "whatever-password").await.unwrap();
    let b = login("radgiver.oslo", "wrong-password!").await.unwrap();
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert_eq!(a, b, "the answers must not reveal whether the user exists");

    // After repeated failures the account backs off, even with the right password.
    for _ in 0..5 {
        login("radgiver.bergen", "wrong-password!").await.unwrap();
    }
    let res = login("radgiver.bergen", common::PASSWORD).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.text().await.unwrap(),
        a,
        "a locked account answers like a wrong password"
    );

    // A disabled user cannot log in, and the session ends.
    let token = app.token("koordinator.oslo").await;
    let user = app
        .db
        .store
        .user_by_username("koordinator.oslo")
        .await
        .unwrap()
        .unwrap();
    let admin = app.token("admin.oslo").await;
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/users/{}/disable", user.id.0)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get(app, &token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login("koordinator.oslo", common::PASSWORD)
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Logout ends the token.
    let token = app.token("radgiver.oslo").await;
    let res = app
        .client()
        .delete(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert_eq!(
        get(app, &token, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn html_login_flow_and_pages(app: &TestApp) {
    // Not logged in: pages send the browser to the login page.
    let res = app.client().get(app.url("/persons")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));

    // Wrong password on the form: 401 with a message, the same for an unknown user.
    let client = app.browser();
    let (_, page) = get_page(&client, app, "/login").await;
    assert!(page.contains("lang=\"nb\""));
    let csrf = csrf_of(&page);
    let res = client
        .post(app.url("/login"))
        .form(&[
            ("username", "radgiver.oslo"),
            ("password", "feil-passord"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Feil brukernavn eller passord"));

    let client = browser_login(app, "radgiver.oslo").await;
    // An advisor's start page is the unit's worklist.
    let start = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    assert_eq!(start.headers()["location"], "/advisory");
    let home = client.get(app.url("/advisory")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let home = home.text().await.unwrap();
    assert!(home.contains("radgiver.oslo"));
    // Navigation for the areas the advisor may open: not the pathways (a clinician's area),
    // whose page, opened anyway, says so in the frame.
    assert!(!home.contains("href=\"/pathways\""), "{home}");
    for path in [
        "/pathways",
        "/advisory",
        "/coordination",
        "/feedback",
        "/monitoring",
        "/warnings",
        "/drugcheck",
        "/public/results",
    ] {
        assert!(
            matches!(path, "/pathways" | "/monitoring" | "/feedback")
                || home.contains(&format!("href=\"{path}\"")),
            "nav link {path}"
        );
        let res = client.get(app.url(path)).send().await.unwrap();
        if matches!(path, "/pathways" | "/monitoring" | "/feedback") {
            // The pathways are for clinicians, monitoring for analysts, the patients' feedback
            // for clinicians (an advisor's menu leads to the surveys): an advisor gets the
            // page frame saying so.
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            assert!(res.text().await.unwrap().contains("radgiver.oslo"));
        } else {
            assert_eq!(res.status(), StatusCode::OK, "{path}");
        }
    }
    assert!(home.contains("href=\"/feedback/surveys\""), "{home}");
    for path in ["/persons", "/persons/new"] {
        assert_eq!(
            client.get(app.url(path)).send().await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
    // An advisor is not an org-admin or an auditor.
    assert_eq!(
        client
            .get(app.url("/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        client.get(app.url("/audit")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // The English switch.
    let csrf = csrf_of(&home);
    let res = client
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("back", "/persons"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get_page(&client, app, "/persons").await;
    assert!(page.contains("lang=\"en\""));
    // An open redirect is refused.
    let res = client
        .post(app.url("/lang"))
        .form(&[("lang", "nb"), ("back", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");

    // Logout with the token ends the session.
    let (_, page) = get_page(&client, app, "/advisory").await;
    let csrf = csrf_of(&page);
    let res = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = client.get(app.url("/persons")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // The org-admin and the auditor get their pages.
    let admin = browser_login(app, "admin.oslo").await;
    let page = admin.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("radgiver.oslo"));
    let auditor = browser_login(app, "revisor.oslo").await;
    assert_eq!(
        auditor
            .get(app.url("/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

/// Under TLS, cookies are `Secure` and responses carry HSTS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tls_sets_secure_cookies_and_hsts() {
    let config = varde_web::Config {
        tls: true,
        ..Default::default()
    };
    let app = TestApp::start_with(Engine::Sqlite, config).await.unwrap();
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    assert!(res.headers().contains_key("strict-transport-security"));
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    app.stop().await;
}
