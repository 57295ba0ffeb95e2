//! The warnings pages: the editor drafts through the form (a refused form comes back as typed
//! with the rules beside the fields), the approver approves through the page, the public reads
//! it (in both languages), the archive after a cancellation, a draft is not public, the
//! author of a version cannot approve it, the admin registers a subscriber and sees its secret
//! once, and the menu's warnings link per role.

use reqwest::StatusCode;

use crate::common::{browser_login, csrf_of, get_page, TestApp, NOW, PASSWORD};

on_both_engines!(
    editor_drafts_approver_publishes_public_reads,
    the_author_of_a_version_cannot_approve_it,
    admin_registers_a_subscriber_and_sees_the_secret_once,
    the_menu_links_to_the_warnings_by_role,
);

/// The editor's form, filled in.
fn filled<'a>(csrf: &'a str, expires: &'a str, areas: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("title", "Protonitazen solgt som oksykodon"),
        ("title_en", "Protonitazene sold as oxycodone"),
        ("substance", "protonitazen"),
        ("sold_as", "oksykodon"),
        ("found_by", "drug_checking"),
        ("areas", areas),
        ("severity", "extreme"),
        ("urgency", "immediate"),
        ("certainty", "observed"),
        ("description", "Funnet i tabletter."),
        ("description_en", "Found in tablets."),
        ("advice_public", "Ikke bruk alene. Ring 113 ved overdose."),
        ("advice_services", "Del ut nalokson."),
        ("expires", expires),
    ]
}

/// Drafts a warning through the form as `client`; its id.
async fn draft_through_form(app: &TestApp, client: &reqwest::Client) -> String {
    let (status, form) = get_page(client, app, "/warnings/new").await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let csrf = csrf_of(&form);
    let res = client
        .post(app.url("/warnings/new"))
        .form(&filled(&csrf, "2026-12-20T12:00", "0301, county:46"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id = location
        .strip_prefix("/warnings/manage/")
        .and_then(|r| r.split('?').next())
        .expect("the warning's page")
        .to_owned();
    assert!(id.starts_with("OVS-"), "{location}");
    id
}

async fn editor_drafts_approver_publishes_public_reads(app: &TestApp) {
    let editor = browser_login(app, "varselredaktor").await;
    let (status, form) = get_page(&editor, app, "/warnings/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<datalist id=\"substance-list\">"), "{form}");
    assert!(form.contains("type=\"datetime-local\""));
    assert!(!form.contains("name=\"signal_id\""), "no signal, no field");
    let (_, with_signal) = get_page(&editor, app, "/warnings/new?signal_id=SIG-1").await;
    assert!(with_signal.contains("name=\"signal_id\" value=\"SIG-1\""));
    let csrf = csrf_of(&form);

    // Refused: the form comes back as typed, each rule beside its field.
    let (status, page) = app
        .submit(
            &editor,
            "/warnings/new",
            &filled(&csrf, "2026-11-01T12:00", "0301, 9999"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("value=\"Protonitazen solgt som oksykodon\""));
    assert!(page.contains("value=\"0301, 9999\""));
    assert!(page.contains("id=\"expires-error\""), "{page}");
    assert!(page.contains("må være fram i tid"));
    assert!(page.contains("id=\"areas-error\""));
    assert!(page.contains("aria-describedby=\"areas-hint areas-error\""));
    // More than 90 days ahead.
    let (status, page) = app
        .submit(
            &editor,
            "/warnings/new",
            &filled(&csrf, "2027-06-01T12:00", "0301"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("høyst 90 dager fram i tid"), "{page}");

    let id = draft_through_form(app, &editor).await;
    let (status, page) = get_page(&editor, app, &format!("/warnings/manage/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Utkast"));
    assert!(page.contains("varselredaktor"));
    assert!(
        !page.contains("/approve\""),
        "an editor is not offered approval"
    );
    assert!(page.contains(&format!("/api/v1/warnings/{id}/euda.csv")));
    // The Oslo time typed is kept: 12:00 in Oslo.
    assert!(page.contains("2026-12-20 12:00"), "{page}");

    // A draft is not public.
    let public = app.browser();
    let (status, _) = get_page(&public, app, &format!("/warnings/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = get_page(&public, app, "/warnings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ingen varsler gjelder nå."), "{page}");

    // The approver approves through the page.
    let approver = browser_login(app, "varselgodkjenner").await;
    let (_, list) = get_page(&approver, app, "/warnings/manage").await;
    assert!(list.contains(&id), "{list}");
    let (_, page) = get_page(&approver, app, &format!("/warnings/manage/{id}")).await;
    assert!(page.contains(&format!("action=\"/warnings/manage/{id}/approve\"")));
    let csrf = csrf_of(&page);
    let res = approver
        .post(app.url(&format!("/warnings/manage/{id}/approve")))
        .form(&[("csrf", csrf.as_str()), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/warnings/manage/{id}?done=approved"));
    let (_, page) = get_page(&approver, app, &back).await;
    assert!(page.contains("godkjent og publisert"), "{page}");

    // The public reads it, without logging in, in both languages.
    let (status, page) = get_page(&public, app, "/warnings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Protonitazen solgt som oksykodon"), "{page}");
    assert!(page.contains("Svært alvorlig"));
    assert!(page.contains("Oslo"));
    assert!(page.contains("Ikke bruk alene."));
    assert!(page.contains(&format!("href=\"/warnings/{id}\"")));
    assert!(page.contains("href=\"/warnings.atom\""));
    let (status, page) = get_page(&public, app, &format!("/warnings/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("/warnings/{id}/v/1/cap.xml")));
    let english = app
        .client()
        .get(app.url("/warnings"))
        .header("cookie", "varde_lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        english.contains("Protonitazene sold as oxycodone"),
        "{english}"
    );
    assert!(english.contains("Extreme"));
    // The advice has no English: shown in bokmål, marked, with a note.
    assert!(
        english.contains("lang=\"nb\">Ikke bruk alene."),
        "{english}"
    );
    assert!(english.contains("not yet translated into English"));

    // Cancelled: a reason is needed; then the warning moves to the archive.
    let (status, page) = app
        .submit(
            &approver,
            &format!("/warnings/manage/{id}/cancel"),
            &[("csrf", csrf.as_str()), ("reason", " ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"reason-error\""), "{page}");
    let (status, _) = app
        .submit(
            &approver,
            &format!("/warnings/manage/{id}/cancel"),
            &[("csrf", csrf.as_str()), ("reason", "Feil analyse")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get_page(&public, app, "/warnings").await;
    assert!(page.contains("Ingen varsler gjelder nå."));
    let (_, page) = get_page(&public, app, "/warnings/archive").await;
    assert!(page.contains("Protonitazen solgt som oksykodon"), "{page}");
    assert!(page.contains("Feil analyse"));
    let (status, page) = get_page(&public, app, &format!("/warnings/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Feil analyse"));

    // A new version of a cancelled warning is refused, not offered.
    let (_, page) = get_page(&editor, app, &format!("/warnings/manage/{id}")).await;
    assert!(!page.contains("/versions\""));
}

async fn the_author_of_a_version_cannot_approve_it(app: &TestApp) {
    // Approvers may draft: the one who wrote the version is told another must approve it.
    let first = browser_login(app, "varselgodkjenner").await;
    let id = draft_through_form(app, &first).await;
    let (_, page) = get_page(&first, app, &format!("/warnings/manage/{id}")).await;
    assert!(
        page.contains("en annen godkjenner må godkjenne den"),
        "{page}"
    );
    assert!(!page.contains("/approve\""));
    // Posted anyway: refused with the rule, on the page.
    let csrf = csrf_of(&page);
    let (status, page) = app
        .submit(
            &first,
            &format!("/warnings/manage/{id}/approve"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("role=\"alert\""));

    // A second approver approves it.
    let store = &app.db.store;
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let org = store
        .user_by_username("varselgodkjenner")
        .await
        .unwrap()
        .unwrap()
        .org_id;
    let hash = varde_web::auth::hash_password_blocking(PASSWORD).unwrap();
    store
        .create_user(
            org,
            varde_core::org::Role::WarningApprover,
            varde_core::org::Qualification::Other,
            "varselgodkjenner2",
            &hash,
            now,
        )
        .await
        .unwrap();
    let second = browser_login(app, "varselgodkjenner2").await;
    let (_, page) = get_page(&second, app, &format!("/warnings/manage/{id}")).await;
    assert!(page.contains("/approve\""));
    let csrf = csrf_of(&page);
    let (status, _) = app
        .submit(
            &second,
            &format!("/warnings/manage/{id}/approve"),
            &[("csrf", csrf.as_str()), ("version", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // A new version through the prefilled form waits for approval again.
    let (status, form) = get_page(&first, app, &format!("/warnings/manage/{id}/versions")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"Protonitazen solgt som oksykodon\""));
    assert!(form.contains("value=\"2026-12-20T12:00\""), "{form}");
    let csrf = csrf_of(&form);
    let mut fields = filled(&csrf, "2026-12-21T12:00", "0301");
    fields[1] = ("title", "Protonitazen: oppdatert");
    let (status, _) = app
        .submit(&first, &format!("/warnings/manage/{id}/versions"), &fields)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get_page(&second, app, &format!("/warnings/manage/{id}")).await;
    assert!(page.contains("Protonitazen: oppdatert"));
    assert!(page.contains("name=\"version\" value=\"2\""), "{page}");
    // The public still reads version 1 until it is approved.
    let (_, public) = get_page(&app.browser(), app, "/warnings").await;
    assert!(public.contains("Protonitazen solgt som oksykodon"));
}

async fn admin_registers_a_subscriber_and_sees_the_secret_once(app: &TestApp) {
    let admin = browser_login(app, "systemadmin").await;
    let (status, page) = get_page(&admin, app, "/warnings/webhooks").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csrf = csrf_of(&page);
    let (status, page) = app
        .submit(
            &admin,
            "/warnings/webhooks",
            &[
                ("csrf", csrf.as_str()),
                ("url", "ftp://example.invalid"),
                ("areas", "0301 9999"),
                ("min_severity", ""),
                ("format", "json"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"url-error\""), "{page}");
    assert!(page.contains("value=\"0301 9999\""));
    let (status, page) = app
        .submit(
            &admin,
            "/warnings/webhooks",
            &[
                ("csrf", csrf.as_str()),
                ("url", "https://example.invalid/hook"),
                ("areas", "0301, county:46"),
                ("min_severity", "severe"),
                ("format", "cap"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("whsec_"), "{page}");
    assert!(page.contains("vises bare denne ene gangen"));
    assert!(page.contains("https://example.invalid/hook"));
    let (_, again) = get_page(&admin, app, "/warnings/webhooks").await;
    assert!(!again.contains("whsec_"), "the secret is shown once");
    let hook = again
        .split("href=\"/warnings/webhooks/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a subscriber's link")
        .to_owned();
    let (status, page) = get_page(&admin, app, &format!("/warnings/webhooks/{hook}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ingen leveranser ennå."), "{page}");
    let (status, _) = app
        .submit(
            &admin,
            &format!("/warnings/webhooks/{hook}/remove"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get_page(&admin, app, "/warnings/webhooks").await;
    assert!(page.contains("Fjernet"));
    // Resending a delivery that does not exist: 404.
    let (status, _) = app
        .submit(
            &admin,
            "/warnings/webhooks/deliveries/999999/resend",
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Only the system admin.
    let editor = browser_login(app, "varselredaktor").await;
    let (status, _) = get_page(&editor, app, "/warnings/webhooks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn the_menu_links_to_the_warnings_by_role(app: &TestApp) {
    for (user, start, href) in [
        ("varselredaktor", "/", "href=\"/warnings/manage\""),
        ("varselgodkjenner", "/", "href=\"/warnings/manage\""),
        ("systemadmin", "/", "href=\"/warnings/webhooks\""),
        ("kliniker", "/pathways", "href=\"/warnings\""),
    ] {
        let client = browser_login(app, user).await;
        let (status, page) = get_page(&client, app, start).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        let nav = page
            .split("<nav")
            .nth(1)
            .and_then(|n| n.split("</nav>").next())
            .unwrap_or_default();
        assert!(nav.contains(href), "{user}: {nav}");
    }
    // The public page in a logged-in user's frame: the menu is there.
    let client = browser_login(app, "kliniker").await;
    let (status, page) = get_page(&client, app, "/warnings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<nav"), "{page}");
    // Not logged in: no menu, and no login asked for.
    let (status, page) = get_page(&app.browser(), app, "/warnings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<nav"));
}
