//! Forms that help: a refused form comes back as typed with the rule beside the field, and
//! every bad request on a page's route — a query, path or form that does not parse, an
//! unknown page, a wrong method or media type, a body too large — is an error page in the
//! page frame (menu, language switch), in the user's language, without developer text.

use reqwest::StatusCode;

use crate::common::{browser_login, csrf_of, get_page, synthetic_id, TestApp};
use crate::create_person;

on_both_engines!(
    bad_requests_on_pages_are_framed_pages_in_the_users_language,
    a_refused_person_form_comes_back_as_typed_with_the_rule_beside_the_field,
    the_correction_form_is_prefilled_and_kept_as_typed,
    a_refused_user_form_keeps_what_was_typed_but_the_password,
    a_refused_break_glass_form_comes_back_as_typed,
);

/// A page client of `username` that reads the pages in `lang`.
async fn client_in(app: &TestApp, username: &str, lang: &str) -> reqwest::Client {
    let client = browser_login(app, username).await;
    // A page every logged-in user opens (an advisor's start page redirects to the worklist).
    let (_, page) = get_page(&client, app, "/warnings").await;
    let res = client
        .post(app.url("/lang"))
        .form(&[("lang", lang), ("back", "/"), ("csrf", &csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    client
}

/// Asserts that `body` is a page of the frame in `lang` with no developer text.
fn assert_framed(what: &str, body: &str, lang: &str) {
    assert!(
        body.contains(&format!("<html lang=\"{lang}\"")),
        "{what}: not in {lang}: {body}"
    );
    assert!(body.contains("<nav aria-label="), "{what}: no menu: {body}");
    assert!(
        body.contains("action=\"/lang\""),
        "{what}: no language switch: {body}"
    );
    assert!(
        body.contains("href=\"/persons\""),
        "{what}: the menu lacks the user's pages: {body}"
    );
    let lower = body.to_lowercase();
    for developer in [
        "deserialize",
        "rejection",
        "::",
        "`",
        "content-type",
        "i64",
        "invalid digit",
        "unprocessable entity",
        "method not allowed",
        "unsupported media type",
        "payload too large",
    ] {
        assert!(
            !lower.contains(developer),
            "{what}: developer text {developer:?}: {body}"
        );
    }
    let main = body
        .split("<main id=\"main\">")
        .nth(1)
        .and_then(|m| m.split("</main>").next())
        .unwrap_or("");
    assert!(main.contains("<h1>"), "{what}: no heading: {body}");
    assert!(
        main.contains("role=\"alert\""),
        "{what}: no message: {body}"
    );
}

async fn bad_requests_on_pages_are_framed_pages_in_the_users_language(app: &TestApp) {
    for lang in ["nb", "en"] {
        let client = client_in(app, "radgiver.oslo", lang).await;
        let (_, page) = get_page(&client, app, "/persons/new").await;
        let csrf = csrf_of(&page);
        let too_large = format!("csrf={csrf}&name={}", "x".repeat(100 * 1024));
        let cases: Vec<(&str, reqwest::RequestBuilder, StatusCode)> = vec![
            (
                "a query that does not parse",
                client.get(app.url("/audit?flagged=1&flagged=2")),
                // The advisor may not read the log: the decision comes first.
                StatusCode::FORBIDDEN,
            ),
            (
                "a path segment that does not parse",
                client.get(app.url("/persons/abc")),
                StatusCode::BAD_REQUEST,
            ),
            (
                "a path segment out of range",
                client.get(app.url("/persons/99999999999999999999")),
                StatusCode::BAD_REQUEST,
            ),
            (
                "an unknown page",
                client.get(app.url("/no/such/page")),
                StatusCode::NOT_FOUND,
            ),
            (
                "a record that does not exist",
                client.get(app.url("/persons/999999")),
                StatusCode::NOT_FOUND,
            ),
            (
                "a method the page does not take",
                client.put(app.url("/persons")),
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            (
                "a form posted to a page without forms",
                client.post(app.url("/persons")).form(&[("csrf", &csrf)]),
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            (
                "a form that is not a form",
                client
                    .post(app.url("/persons/new"))
                    .header("content-type", "text/plain")
                    .body(format!("csrf={csrf}&name=x")),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                "a form with a field twice",
                client
                    .post(app.url("/persons/new"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf={csrf}&name=a&name=b")),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "a form too large",
                client
                    .post(app.url("/persons/new"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(too_large),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                "a form without its token",
                client.post(app.url("/persons/new")).form(&[("name", "x")]),
                StatusCode::FORBIDDEN,
            ),
        ];
        for (what, req, status) in cases {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), status, "{what} ({lang})");
            let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(kind.starts_with("text/html"), "{what}: {kind}");
            let body = res.text().await.unwrap();
            assert_framed(&format!("{what} ({lang})"), &body, lang);
        }
        // After a link, the language switch goes back to the same address.
        let (_, body) = get_page(&client, app, "/persons/abc").await;
        assert!(
            body.contains("name=\"back\" value=\"/persons/abc\""),
            "{body}"
        );
        // The method's refusal still says which methods there are.
        let res = client.put(app.url("/persons")).send().await.unwrap();
        assert!(res.headers().contains_key("allow"));
    }
    // A query that does not parse, for someone who may open the page: the auditor's log.
    for (lang, text) in [
        ("nb", "adressen inneholder en verdi som ikke er gyldig"),
        ("en", "the address holds a value that is not valid"),
    ] {
        let client = client_in(app, "revisor.oslo", lang).await;
        let (status, body) = get_page(&client, app, "/audit?flagged=1&flagged=2").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{lang}");
        assert!(body.contains(text), "{lang}: {body}");
        assert!(body.contains("<nav aria-label="), "{body}");
        assert!(!body.to_lowercase().contains("deserialize"), "{body}");
    }
    // The same refusal on the API is a problem document, in English with its code.
    let token = app.token("radgiver.oslo").await;
    let res = app
        .client()
        .get(app.url("/api/v1/persons/abc"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(kind, "application/problem+json");
    let problem: serde_json::Value = res.json().await.unwrap();
    assert!(!problem.to_string().contains("i64"), "{problem}");
    // A query field that does not parse is named, with the rule's code.
    let auditor = app.token("revisor.oslo").await;
    let res = crate::get(app, &auditor, "/api/v1/audit?limit=many").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "limit", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "request.value", "{problem}");
    assert!(!problem.to_string().contains("invalid digit"), "{problem}");
}

async fn a_refused_person_form_comes_back_as_typed_with_the_rule_beside_the_field(app: &TestApp) {
    let nid = synthetic_id(11);
    for (lang, rule) in [
        ("nb", "må være en dato som ÅÅÅÅ-MM-DD"),
        ("en", "must be a date as YYYY-MM-DD"),
    ] {
        let client = client_in(app, "radgiver.oslo", lang).await;
        let (_, page) = get_page(&client, app, "/persons/new").await;
        let (status, body) = app
            .submit(
                &client,
                "/persons/new",
                &[
                    ("csrf", csrf_of(&page).as_str()),
                    ("national_id", nid.as_str()),
                    ("name", "Kari Skrevet Nordmann"),
                    ("birth_date", "02.01.1990"),
                    ("kommune", "0301"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{lang}: {body}");
        assert_framed(&format!("refused registration ({lang})"), &body, lang);
        // The language switch goes back to a page, not to the form's action.
        assert!(body.contains("name=\"back\" value=\"/\""), "{body}");
        // Every field as typed.
        for typed in [
            format!("value=\"{nid}\""),
            "value=\"Kari Skrevet Nordmann\"".to_owned(),
            "value=\"02.01.1990\"".to_owned(),
            "value=\"0301\"".to_owned(),
        ] {
            assert!(body.contains(&typed), "{lang}: {typed} lost: {body}");
        }
        // The rule beside the field, and the field marked.
        let beside =
            format!("<span class=\"error field-error\" id=\"birth_date-error\">{rule}</span>");
        assert!(body.contains(&beside), "{lang}: {body}");
        let input = body
            .split("<input id=\"birth_date\"")
            .nth(1)
            .and_then(|s| s.split('>').next())
            .unwrap();
        assert!(input.contains("aria-invalid=\"true\""), "{input}");
        assert!(input.contains("birth_date-error"), "{input}");
        // No other field is marked.
        assert_eq!(body.matches("aria-invalid").count(), 1, "{body}");
    }
}

async fn the_correction_form_is_prefilled_and_kept_as_typed(app: &TestApp) {
    let token = app.token("radgiver.oslo").await;
    let res = crate::post(
        app,
        &token,
        "/api/v1/persons",
        &serde_json::json!({"national_id": synthetic_id(12), "name": "Ola Nordmann", "kommune": "0301"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let client = browser_login(app, "radgiver.oslo").await;
    let path = format!("/persons/{id}");
    let (status, page) = get_page(&client, app, &path).await;
    assert_eq!(status, StatusCode::OK);
    // Prefilled with the current values, the municipality by its number (as it is typed).
    let value_of = |page: &str, id: &str| -> String {
        let input = page
            .split(&format!("<input id=\"{id}\""))
            .nth(1)
            .and_then(|s| s.split('>').next())
            .unwrap_or_else(|| panic!("no input {id}: {page}"))
            .to_owned();
        input
            .split("value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(value_of(&page, "name"), "Ola Nordmann");
    assert_eq!(value_of(&page, "birth_date"), "1990-01-13");
    assert_eq!(value_of(&page, "kommune"), "0301");
    assert_eq!(value_of(&page, "reason"), "");
    // Sent back as prefilled with one change, the correction is made (no field is read as
    // changed that was not).
    let correct = format!("/persons/{id}/correct");
    let (status, _) = app
        .submit(
            &client,
            &correct,
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("name", "Ola Nordmann Berg"),
                ("birth_date", "1990-01-13"),
                ("kommune", "0301"),
                ("reason", "gift, nytt etternavn"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let doc: serde_json::Value = crate::get(app, &token, &format!("/api/v1/persons/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["name"], "Ola Nordmann Berg");
    assert_eq!(doc["kommune"], "0301");
    assert_eq!(doc["corrections"], 1);
    // A refused correction comes back as typed, the rule beside the field.
    let (_, page) = get_page(&client, app, &path).await;
    let (status, body) = app
        .submit(
            &client,
            &correct,
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("name", "Ola Nordmann Berg"),
                ("birth_date", "1990-01-13"),
                ("kommune", "9999"),
                ("reason", "flyttet"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(value_of(&body, "kommune"), "9999");
    assert_eq!(value_of(&body, "reason"), "flyttet");
    assert!(body.contains("id=\"kommune-error\""), "{body}");
    assert!(body.contains("<nav aria-label="), "{body}");
    // Nothing was written by the refusal.
    let doc: serde_json::Value = crate::get(app, &token, &format!("/api/v1/persons/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["corrections"], 1);
}

async fn a_refused_user_form_keeps_what_was_typed_but_the_password(app: &TestApp) {
    let client = browser_login(app, "admin.oslo").await;
    let (_, page) = get_page(&client, app, "/admin/users").await;
    let (status, body) = app
        .submit(
            &client,
            "/admin/users",
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("username", "ny.bruker"),
                ("password", "Qx7-kort"),
                ("role", "auditor"),
            ],
        )
        .await;
    // Twelve characters or more: refused, beside the password field.
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("value=\"ny.bruker\""), "{body}");
    assert!(
        body.contains("<option value=\"auditor\" selected>"),
        "{body}"
    );
    assert!(
        !body.contains("Qx7-kort"),
        "the password is never sent back"
    );
    assert!(body.contains("id=\"password-error\""), "{body}");
    assert!(body.contains("<nav aria-label="), "{body}");
    // A role change without a reason: the reason's rule beside that user's form.
    let user = app
        .db
        .store
        .user_by_username("radgiver.oslo")
        .await
        .unwrap()
        .unwrap();
    let (status, body) = app
        .submit(
            &client,
            &format!("/admin/users/{}/role", user.id.0),
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("role", "coordinator"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let row = body
        .split(&format!("action=\"/admin/users/{}/role\"", user.id.0))
        .nth(1)
        .and_then(|s| s.split("</td>").next())
        .unwrap();
    assert!(
        row.contains("<option value=\"coordinator\" selected>"),
        "{row}"
    );
    assert!(row.contains("value=\"x\""), "{row}");
    assert!(
        row.contains("class=\"error field-error\">en endring av rolle eller kvalifikasjon trenger en begrunnelse"),
        "{row}"
    );
    assert_eq!(
        app.db.store.user(user.id).await.unwrap().role,
        "advisor",
        "nothing changed"
    );
}

async fn a_refused_break_glass_form_comes_back_as_typed(app: &TestApp) {
    // A person of Oslo, for the clinician of the treatment unit.
    let oslo = app.token("radgiver.oslo").await;
    let nid = synthetic_id(13);
    create_person(app, &oslo, &nid, "Per Nødsen").await;
    let client = browser_login(app, "kliniker").await;
    let (_, page) = get_page(&client, app, "/persons").await;
    let csrf = csrf_of(&page);
    let nobody = synthetic_id(14);
    let cases = [
        // Not an identity number: the rule beside the number.
        (
            "123",
            "ved bevisstløs pasient",
            StatusCode::UNPROCESSABLE_ENTITY,
            "id=\"bg-id-error\">et fødselsnummer har nøyaktig 11 sifre",
        ),
        // Nobody elsewhere has it.
        (
            nobody.as_str(),
            "ved bevisstløs pasient",
            StatusCode::NOT_FOUND,
            "id=\"bg-id-error\">ingen annen virksomhet har opplysninger med dette nummeret",
        ),
        // A reason too short: denied (and logged), said above the form.
        (
            nid.as_str(),
            "kort",
            StatusCode::FORBIDDEN,
            "role=\"alert\">Ingen tilgang: nødtilgang krever en skriftlig begrunnelse",
        ),
    ];
    for (number, reason, status, shown) in cases {
        let (got, body) = app
            .submit(
                &client,
                "/persons/break-glass",
                &[
                    ("csrf", csrf.as_str()),
                    ("national_id", number),
                    ("reason", reason),
                ],
            )
            .await;
        assert_eq!(got, status, "{number}: {body}");
        assert!(body.contains(shown), "{number}: {body}");
        assert!(body.contains(&format!("value=\"{number}\"")), "{body}");
        assert!(body.contains(&format!(">{reason}</textarea>")), "{body}");
        assert!(body.contains("<nav aria-label="), "{body}");
    }
    // With a reason, the record opens, flagged.
    let (got, body) = app
        .submit(
            &client,
            "/persons/break-glass",
            &[
                ("csrf", csrf.as_str()),
                ("national_id", nid.as_str()),
                ("reason", "bevisstløs pasient i akuttmottaket"),
            ],
        )
        .await;
    assert_eq!(got, StatusCode::OK, "{body}");
    assert!(body.contains("<h1>Per Nødsen</h1>"), "{body}");
}
