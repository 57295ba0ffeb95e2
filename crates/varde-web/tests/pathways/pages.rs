//! The area's pages: the worklist, a pathway and its forms, the upload, the indicators and the
//! clinician's and analyst's start; the LAR and coercion pages and their forms.

use reqwest::StatusCode;

use crate::common::{browser_login, csrf_of, TestApp};
use crate::{csv_row, get_page, run_pathway, HEADER, HF};

on_both_engines!(
    pathway_pages_render,
    lar_and_coercion_pages_render_and_submit,
);

async fn pathway_pages_render(app: &TestApp) {
    let client = browser_login(app, "kliniker").await;
    let page = client.get(app.url("/pathways")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Arbeidsliste"));

    // Register a referral through the form, for a person registered in the same flow.
    let nin = crate::common::synthetic_id(11);
    let (_, form) = get_page(&client, app, "/pathways/new").await;
    let csrf = csrf_of(&form);
    let res = client
        .post(app.url("/pathways/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("pathway_id", "H1"),
            ("national_id", nin.as_str()),
            ("name", "Hanne Henvist"),
            ("date", "2026-11-02"),
            ("hf", HF),
            ("kommune", "0301"),
            ("care_level", "outpatient"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/pathways/p/H1");
    let (_, page) = get_page(&client, app, &location).await;
    assert!(page.contains("Henvisning mottatt"));

    // An event through the pathway page's form; a broken one shows the rule.
    let (status, body) = app
        .submit(
            &client,
            "/pathways/p/H1/events",
            &[
                ("csrf", csrf.as_str()),
                ("event", "evaluation"),
                ("date", "2026-11-03"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("role=\"alert\""));
    let (status, body) = app
        .submit(
            &client,
            "/pathways/p/H1/events",
            &[
                ("csrf", csrf.as_str()),
                ("event", "referral_assessed"),
                ("date", "2026-11-04"),
                ("outcome", "right"),
                ("deadline", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // Without the CSRF token: refused.
    let (status, body) = app
        .submit(
            &client,
            "/pathways/p/H1/events",
            &[("event", "pathway_start"), ("date", "2026-11-04")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Import through the upload form.
    let body = format!(
        "{HEADER}{}",
        csv_row("H2", "referral_received", "2026-10-01", "")
    );
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(body.into_bytes()).file_name("events.csv"),
        );
    let res = client
        .post(app.url("/pathways/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("1 hendelser importert"));

    // Indicators page with its chart and table; the export.
    for i in 0..5 {
        let token = app.token("kliniker").await;
        run_pathway(app, &token, &format!("G{i}"), "2026-09-01", "2026-09-15").await;
    }
    let page = client
        .get(app.url("/pathways/indicators?from=2026-01-01&to=2026-11-24"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("<svg role=\"img\""), "an SVG chart");
    assert!(page.contains("100,0 %"), "5/5 shown as a share");
    let csv = client
        .get(app.url("/pathways/export.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);

    // A clinician's start page is the worklist.
    let clinician = browser_login(app, "kliniker").await;
    let res = clinician.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/pathways");
    // An analyst lands on the indicators; an advisor is refused.
    let analyst = browser_login(app, "analytiker").await;
    let res = analyst.get(app.url("/pathways")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/pathways/indicators");
    let advisor = browser_login(app, "radgiver.oslo").await;
    assert_eq!(
        advisor
            .get(app.url("/pathways"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

async fn lar_and_coercion_pages_render_and_submit(app: &TestApp) {
    let client = browser_login(app, "kliniker").await;
    let (status, worklist) = get_page(&client, app, "/pathways").await;
    assert_eq!(status, StatusCode::OK);
    assert!(worklist.contains("href=\"/pathways/lar\""));
    assert!(worklist.contains("href=\"/pathways/coercion\""));

    // LAR: admit through the form; registering it as another's decision shows the rule.
    let (status, lar) = get_page(&client, app, "/pathways/lar").await;
    assert_eq!(status, StatusCode::OK);
    assert!(lar.contains("id=\"admit-patient\""), "the admission form");
    let csrf = csrf_of(&lar);
    let admit = |by: &'static str, patient: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("patient", patient.to_string()),
            ("kommune", "0301".to_string()),
            ("date", "2026-11-02".to_string()),
            ("decided_by", by.to_string()),
        ]
    };
    let (status, body) = app
        .submit(&client, "/pathways/lar/admit", &admit("specialist", "H-1"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", body);
    let (status, body) = app
        .submit(&client, "/pathways/lar/admit", &admit("gp", "H-2"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("role=\"alert\"")
            && body.contains(
                "et vedtak registreres med kvalifikasjonen som er registrert for brukeren din"
            ),
        "{body}"
    );
    // Without the CSRF token: refused.
    let (status, _) = app
        .submit(
            &client,
            "/pathways/lar/admit",
            &[
                ("patient", "H-3"),
                ("kommune", "0301"),
                ("date", "2026-11-02"),
                ("decided_by", "specialist"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .submit(
            &client,
            "/pathways/lar/agreement",
            &[
                ("csrf", csrf.as_str()),
                ("kommune", "0301"),
                ("from", "2026-01-01"),
                ("until", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, lar) = get_page(&client, app, "/pathways/lar").await;
    assert!(lar.contains("H-1"));
    assert!(!lar.contains("H-2"));
    assert!(lar.contains("0301 Oslo"));
    assert!(lar.contains("scope=\"col\""));
    // The note says where the role comes from: the user's recorded qualification.
    assert!(
        lar.contains("Rollen er kvalifikasjonen som er registrert for brukeren din"),
        "{lar}"
    );
    assert!(!lar.contains("oppgis i skjemaet"));

    // Coercion: a stay and a § 10-2 decision through the forms; the end date and the table.
    let (status, coercion) = get_page(&client, app, "/pathways/coercion").await;
    assert_eq!(status, StatusCode::OK);
    assert!(coercion.contains("Årstabell"));
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/stay",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O1"),
                ("patient", "pt-O1"),
                ("start", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/decision",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O1"),
                ("section", "10-2"),
                ("kind", "main"),
                ("decided", "2026-11-02"),
                ("from", "2026-11-02"),
                ("expected_delivery", ""),
                ("child_welfare_notified", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", body);
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/decision",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O1"),
                ("section", "10-3"),
                ("kind", "main"),
                ("decided", "2026-11-02"),
                ("from", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/stay",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O2"),
                ("patient", "pt-O2"),
                ("start", "2026-11-03"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = app
        .submit(
            &client,
            "/pathways/coercion/decision",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O2"),
                ("section", "10-3"),
                ("kind", "main"),
                ("decided", "2026-11-03"),
                ("from", "2026-11-03"),
                ("expected_delivery", "2027-04-15"),
                ("child_welfare_notified", "2026-11-04"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", body);
    let (status, _) = app
        .submit(
            &client,
            "/pathways/coercion/appeal",
            &[
                ("csrf", csrf.as_str()),
                ("stay_id", "O1"),
                ("decision", "1"),
                ("date", "2026-11-05"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, coercion) = get_page(&client, app, "/pathways/coercion").await;
    assert!(
        coercion.contains("2027-02-02"),
        "legal end of the § 10-2 decision"
    );
    assert!(coercion.contains("<th scope=\"row\">§ 10-2</th><td>0</td><td>1</td><td>1</td>"));
    // The decisions table shows the § 10-3 dates: the expected delivery (also its legal end)
    // and the notice to the child welfare service.
    assert!(coercion
        .contains("<th scope=\"col\">Termin</th><th scope=\"col\">Barnevernet varslet</th>"));
    assert!(
        coercion.contains("<td>2027-04-15</td><td></td><td>2027-04-15</td><td>2026-11-04</td>"),
        "{coercion}"
    );

    // A refused form shows the page again and logs that as a read, not a write.
    let log = app.access_log(10_000).await;
    let writes = |action: &str| log.iter().filter(|e| e.action == action).count();
    assert_eq!(writes("lar.write"), 2, "the admission and the agreement");
    assert_eq!(
        writes("coercion.write"),
        5,
        "two stays, two decisions, the appeal"
    );
    assert!(log
        .iter()
        .any(|e| e.action == "lar.read" && e.record.starts_with("lar:org:")));

    // Another role gets the refusal page.
    let advisor = browser_login(app, "radgiver.oslo").await;
    for path in ["/pathways/lar", "/pathways/coercion"] {
        let (status, _) = get_page(&advisor, app, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}
