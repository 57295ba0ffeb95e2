//! Security: forms need a CSRF token; security headers, `/healthz`, the stylesheet and the
//! OpenAPI document; errors are pages or problem documents by the router they come from.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{self, browser_login, csrf_of, synthetic_id, TestApp};
use crate::get;

on_both_engines!(
    forms_need_a_csrf_token,
    security_headers_healthz_and_openapi,
    errors_are_pages_or_problems_by_router,
);

/// The content type of a response, without parameters.
fn kind(res: &reqwest::Response) -> String {
    res.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// An error is an HTML page when it comes from a page's route and a problem document when it
/// comes from the API, whatever produced it (the router, an extractor, the access decision, a
/// handler): the choice is the router's, not the handler's.
async fn errors_are_pages_or_problems_by_router(app: &TestApp) {
    // Not logged in: the page sends the browser to the login form; the API answers 401.
    let res = app.client().get(app.url("/persons")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");
    let res = app
        .client()
        .get(app.url("/api/v1/persons"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(kind(&res), "application/problem+json");

    let browser = browser_login(app, "radgiver.oslo").await;
    let token = app.token("radgiver.oslo").await;
    // (path of a page, path of the API, status, what the page says)
    let cases = [
        // No such route.
        (
            "/no-such-page",
            "/api/v1/no-such-route",
            StatusCode::NOT_FOUND,
            "Not found",
        ),
        // Denied by the decision (an advisor is no org-admin).
        (
            "/admin/users",
            "/api/v1/users",
            StatusCode::FORBIDDEN,
            "Access denied",
        ),
        // A path segment that does not parse.
        (
            "/persons/abc",
            "/api/v1/persons/abc",
            StatusCode::BAD_REQUEST,
            "Bad request",
        ),
        // A record that does not exist.
        (
            "/persons/999999",
            "/api/v1/persons/999999",
            StatusCode::NOT_FOUND,
            "Not found",
        ),
    ];
    for (page, api, status, title) in cases {
        let res = browser.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.status(), status, "{page}");
        assert_eq!(kind(&res), "text/html", "{page}");
        let body = res.text().await.unwrap();
        assert!(body.contains(&format!("<h1>{title}")), "{page}: {body}");
        let res = get(app, &token, api).await;
        assert_eq!(res.status(), status, "{api}");
        assert_eq!(kind(&res), "application/problem+json", "{api}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["status"], status.as_u16(), "{api}");
    }
    // A form that is not a form (wrong content type) on a page's route: a page too.
    let res = browser
        .post(app.url("/persons/new"))
        .header("content-type", "text/plain")
        .body("national_id=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(kind(&res), "text/html");
}

async fn forms_need_a_csrf_token(app: &TestApp) {
    // Login without the double-submit token.
    let res = app
        .browser()
        .post(app.url("/login"))
        .form(&[
            ("username", "radgiver.oslo"),
            ("password", common::PASSWORD),
            ("csrf", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let client = browser_login(app, "radgiver.oslo").await;
    let nid = synthetic_id(4);
    // No token, and a stale one: refused, nothing stored.
    for token in ["", "0000stale0000"] {
        let res = client
            .post(app.url("/persons/new"))
            .form(&[
                ("csrf", token),
                ("national_id", nid.as_str()),
                ("name", "Per Skjema"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let page = res.text().await.unwrap();
        assert!(page.contains("<html"), "an HTML error page");
    }
    let token = app.token("radgiver.oslo").await;
    let list: Value = get(app, &token, "/api/v1/persons")
        .await
        .json()
        .await
        .unwrap();
    assert!(list.as_array().unwrap().is_empty());

    // With the token: created, redirected to the person page.
    let form = client
        .get(app.url("/persons/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&form);
    let res = client
        .post(app.url("/persons/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("national_id", nid.as_str()),
            ("name", "Per Skjema"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/persons/"), "{location}");
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Per Skjema"));

    // Logout needs the token too.
    let res = client
        .post(app.url("/logout"))
        .form(&[("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn security_headers_healthz_and_openapi(app: &TestApp) {
    let res = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS without TLS"
    );
    let body = res.text().await.unwrap();
    assert!(!body.contains("<script"), "works without JavaScript");

    let res = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/session",
        "/api/v1/persons",
        "/api/v1/persons/{id}",
        "/api/v1/audit/person-report",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }

    // Static stylesheet and an unknown HTML page.
    assert_eq!(
        app.client()
            .get(app.url("/static/varde.css"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.client()
            .get(app.url("/no/such/page"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}
