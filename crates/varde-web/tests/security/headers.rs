//! Security headers, `/healthz`, the stylesheet and the OpenAPI document; errors are pages or
//! problem documents by the router they come from.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{browser_login, TestApp};
use crate::{get, kind};

on_both_engines!(
    security_headers_healthz_and_openapi,
    errors_are_pages_or_problems_by_router,
);

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
    // (path of a page, path of the API, status, what the page says: in bokmål)
    let cases = [
        // No such route.
        (
            "/no-such-page",
            "/api/v1/no-such-route",
            StatusCode::NOT_FOUND,
            "Ikke funnet",
        ),
        // Denied by the decision (an advisor is no org-admin).
        (
            "/admin/users",
            "/api/v1/users",
            StatusCode::FORBIDDEN,
            "Ingen tilgang",
        ),
        // A path segment that does not parse.
        (
            "/persons/abc",
            "/api/v1/persons/abc",
            StatusCode::BAD_REQUEST,
            "Ugyldig forespørsel",
        ),
        // A record that does not exist.
        (
            "/persons/999999",
            "/api/v1/persons/999999",
            StatusCode::NOT_FOUND,
            "Ikke funnet",
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
