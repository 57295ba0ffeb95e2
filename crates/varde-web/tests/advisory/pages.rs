//! The advisory pages' round trips: the advisor's start page is the worklist, which shows
//! today's and this week's meetings; a case opened through the form; the case page records a
//! meeting's attendance; a refused form comes back with the rule beside its field and what was
//! typed; the summons letter holds the meeting's time and place.

use reqwest::StatusCode;
use serde_json::json;

use super::{open, youth_case};
use crate::common::{browser_login, csrf_of, get_page, post, TestApp};

pub async fn the_worklist_the_case_page_and_recording_a_meeting(app: &TestApp) {
    let t = app.token("radgiver.oslo").await;
    let mut body = youth_case();
    body["decision"]["decided_on"] = json!("2026-11-20");
    body["decision"]["period_end"] = json!("2027-02-19");
    body["decision"]["drug_testing"]["until"] = json!("2027-02-19");
    let id = open(app, &t, &body).await;
    for at in ["2026-11-24T13:00:00+01:00", "2026-11-27T09:30:00+01:00"] {
        let res = post(
            app,
            &t,
            &format!("/api/v1/advisory/cases/{id}/meetings"),
            &json!({"planned_at": at, "place": "Rådhusgata 2"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let b = browser_login(app, "radgiver.oslo").await;
    // The start page is the worklist.
    let (status, _) = get_page(&b, app, "/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = get_page(&b, app, "/advisory").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Møter i dag"), "{page}");
    assert!(page.contains("24.11.2026 13:00"));
    assert!(page.contains("27.11.2026 09:30"));
    assert!(page.contains("Ola Nordmann"));
    // The case page.
    let (status, page) = get_page(&b, app, &format!("/advisory/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("OSL-2026-4711"));
    assert!(page.contains("Kari Nordmann"));
    assert!(page.contains("straffeloven § 37 første ledd bokstav d"));
    assert!(page.contains("Tilbakemeldingen kan ikke sendes ennå"));
    // Record today's meeting as attended, with consent.
    let csrf = csrf_of(&page);
    let (status, _) = app
        .submit(
            &b,
            &format!("/advisory/cases/{id}/meetings/1/attendance"),
            &[
                ("csrf", csrf.as_str()),
                ("status", "attended"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get_page(&b, app, &format!("/advisory/cases/{id}")).await;
    assert!(page.contains("helsehjelp (med samtykke)"), "{page}");
    assert!(page.contains("Samtykke gjelder"));
    // The worklist no longer lists it for today.
    let (_, page) = get_page(&b, app, "/advisory").await;
    assert!(!page.contains("24.11.2026 13:00"));
    // The summons letter of the second meeting: time, place, the guardians.
    let (status, page) =
        get_page(&b, app, &format!("/advisory/cases/{id}/meetings/2/summons")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("27.11.2026 09:30") && page.contains("Rådhusgata 2"));
    assert!(page.contains("foresatte også innkalt"));
    assert!(page.contains("Hvis du ikke kommer"));
    assert!(page.contains(&format!("/advisory/cases/{id}/meetings/2/summons.pdf")));
    // The same letter as a PDF: its text (read back by pdftotext) holds the time and place.
    let res = b
        .get(app.url(&format!("/advisory/cases/{id}/meetings/2/summons.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = varde_web::pdf::pdftotext(&pdf) {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("27.11.2026 09:30"), "{text}");
        assert!(text.contains("Rådhusgata 2"), "{text}");
        assert!(text.contains("foresatte også innkalt"), "{text}");
        assert!(
            text.contains("Innkalling til møte ved rådgivende enhet for russaker"),
            "{text}"
        );
    }
    // Another meeting number is not a letter.
    let res = b
        .get(app.url(&format!("/advisory/cases/{id}/meetings/9/summons.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A new case through the form.
    let (_, page) = get_page(&b, app, "/advisory/new").await;
    let csrf = csrf_of(&page);
    let (status, _) = app
        .submit(
            &b,
            "/advisory/new",
            &[
                ("csrf", csrf.as_str()),
                ("route", "voluntary"),
                ("person.name", "Anne"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get_page(&b, app, "/advisory/cases").await;
    assert!(page.contains("Anne") && page.contains("Frivillig kontakt"));
}

pub async fn a_refused_form_comes_back_as_typed(app: &TestApp) {
    let t = app.token("radgiver.oslo").await;
    let id = open(app, &t, &youth_case()).await;
    let b = browser_login(app, "radgiver.oslo").await;
    let (_, page) = get_page(&b, app, &format!("/advisory/cases/{id}")).await;
    let csrf = csrf_of(&page);
    // A meeting after the period (which ended 9 November).
    let (status, page) = app
        .submit(
            &b,
            &format!("/advisory/cases/{id}/meetings"),
            &[
                ("csrf", csrf.as_str()),
                ("planned_at", "2026-11-20T10:00"),
                ("place", "Storgata 9"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("innenfor vilkårets periode"), "{page}");
    assert!(page.contains("value=\"Storgata 9\""));
    assert!(page.contains("id=\"planned_at-error\""));
    // The new-case form: three months exceeded, the field named and the typed values kept.
    let (_, page) = get_page(&b, app, "/advisory/new").await;
    let csrf = csrf_of(&page);
    let (status, page) = app
        .submit(
            &b,
            "/advisory/new",
            &[
                ("csrf", csrf.as_str()),
                ("route", "prosecution_condition"),
                ("person.national_id", &super::born_20(5, 10, 9)),
                ("person.name", "Ola Nordmann"),
                ("decision.reference", "OSL-1"),
                ("decision.decided_on", "2026-08-10"),
                ("decision.meetings_required", "2"),
                ("decision.period_end", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("høyst tre måneder etter beslutningen"),
        "{page}"
    );
    assert!(page.contains("id=\"decision.period_end-error\""));
    assert!(page.contains("value=\"OSL-1\""));
}
