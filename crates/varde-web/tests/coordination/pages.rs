//! The area's pages: the plan page and a refused form shown again in bokmål with the rule
//! beside the field and nothing written; the demo's data on the worklist, the person page, the
//! printable overview, and what the TSB unit sees.

use reqwest::StatusCode;

use crate::common::{browser_login, csrf_of, get_page, TestApp};
use crate::{org_of, shared_person};

pub async fn the_plan_page_and_a_refused_form(app: &TestApp) {
    let (_, _, in_oslo, _, plan, goal) = shared_person(app, 16).await;
    let oslo = browser_login(app, "koordinator.oslo").await;
    let (status, page) = get_page(&oslo, app, &format!("/coordination/plans/{plan}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Ha et trygt sted å bo") && page.contains("koordinator.oslo"),
        "{page}"
    );
    // A measure owned outside the group: 422, the page again with the rule in bokmål.
    let tsb_org = org_of(app, "kliniker").await.to_string();
    let res = oslo
        .post(app.url(&format!("/coordination/plans/{plan}/measures")))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("goal", &goal.to_string()),
            ("text", "Arbeidstrening"),
            ("owner_org", &tsb_org),
            ("owner_name", "NAV"),
            ("start", "2026-12-01"),
            ("evaluate_on", "2027-03-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = res.text().await.unwrap();
    assert!(
        again.contains("må være en virksomhet i ansvarsgruppen"),
        "{again}"
    );
    assert!(again.contains("value=\"Arbeidstrening\""), "kept as typed");
    // The same measure owned by Oslo: back to the plan, which lists it.
    let oslo_org = org_of(app, "koordinator.oslo").await.to_string();
    let res = oslo
        .post(app.url(&format!("/coordination/plans/{plan}/measures")))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("goal", &goal.to_string()),
            ("text", "Arbeidstrening"),
            ("owner_org", &oslo_org),
            ("owner_name", "NAV"),
            ("start", "2026-12-01"),
            ("evaluate_on", "2027-03-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = get_page(&oslo, app, &format!("/coordination/plans/{plan}")).await;
    assert_eq!(page.matches("Arbeidstrening").count(), 1, "written once");
    // A consent without an end date, through the person page's form.
    let (status, person) = get_page(&oslo, app, &format!("/coordination/persons/{in_oslo}")).await;
    assert_eq!(status, StatusCode::OK);
    let res = oslo
        .post(app.url(&format!("/coordination/persons/{in_oslo}/consents")))
        .form(&[
            ("csrf", csrf_of(&person).as_str()),
            ("scope", "plan"),
            ("grantee_org", &tsb_org),
            ("purpose", "Samarbeid"),
            ("given_how", "oral"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("et samtykke må ha en sluttdato"));
}

pub async fn the_demo_fills_the_worklist_and_the_pages_round_trip(app: &TestApp) {
    let plans = varde_web::coordination::demo::seed_demo_coordination(&app.state)
        .await
        .unwrap();
    // Six people in detail and 30 more (Oslo 20, Bergen 10): 31 plans (five have none).
    assert_eq!(plans, 31);
    let oslo = browser_login(app, "koordinator.oslo").await;
    // A coordinator's start page is the worklist.
    let res = oslo.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/coordination");
    let (status, page) = get_page(&oslo, app, "/coordination").await;
    assert_eq!(status, StatusCode::OK);
    for what in [
        "Evaluering forfalt",
        "Evaluering snart",
        "Møte uten referat",
        "Samtykke utløper",
    ] {
        assert!(page.contains(what), "{what}: {page}");
    }
    let (status, _) = get_page(&oslo, app, "/coordination/figures").await;
    assert_eq!(status, StatusCode::OK);
    // Oslo's 26 shared people are enough to show every figure (none hidden below five):
    // plan 20, coordinator 15, group 8, evaluated in six months 13.
    let t = app.token("koordinator.oslo").await;
    let figures: serde_json::Value = crate::common::get(app, &t, "/api/v1/coordination/figures")
        .await
        .json()
        .await
        .unwrap();
    let counts: Vec<(String, Option<u64>)> = figures
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["key"].as_str().unwrap().to_owned(), f["count"].as_u64()))
        .collect();
    assert_eq!(
        counts,
        [
            ("plan".to_owned(), Some(20)),
            ("coordinator".to_owned(), Some(15)),
            ("group".to_owned(), Some(8)),
            ("evaluated".to_owned(), Some(13)),
        ],
        "{figures}"
    );
    assert_eq!(figures[0]["total"], 26);
    // Five of Oslo's people have a discharge notice from the TSB unit, one in each state.
    let list: serde_json::Value = crate::common::get(app, &t, "/api/v1/coordination/discharge")
        .await
        .json()
        .await
        .unwrap();
    let mut states: Vec<&str> = list["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    states.sort_unstable();
    assert_eq!(
        states,
        ["acknowledged", "discharged", "planned", "raised", "ready"]
    );
    // One has an overdose, attempted by other means and closed as linked to the plan.
    let list: serde_json::Value = crate::common::get(app, &t, "/api/v1/coordination/overdose")
        .await
        .json()
        .await
        .unwrap();
    let notices = list["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{list}");
    assert_eq!(notices[0]["outcome"], "linked_to_plan");
    assert_eq!(notices[0]["attempts"][0]["means"], "other");
    assert!(notices[0]["plan"].is_i64());
    // Bergen's ten, with their own coordinator: its worklist is filled too.
    let bergen = browser_login(app, "koordinator.bergen").await;
    let (status, page) = get_page(&bergen, app, "/coordination").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Kohort"), "{page}");
    // The TSB unit sees the plans of the three people whose consent is in force (one of them
    // by the group it is a member of), not the one withdrawn nor those never given.
    let t = app.token("kliniker").await;
    let mut seen = 0;
    for id in 1..=6 {
        let res = crate::common::get(app, &t, &format!("/api/v1/coordination/plans/{id}")).await;
        if res.status() == StatusCode::OK {
            seen += 1;
        } else {
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
        }
    }
    assert_eq!(seen, 3);
    // The person page and the printable overview.
    let person = app
        .db
        .store
        .coordination_plan_ref(1)
        .await
        .unwrap()
        .unwrap()
        .person_id;
    let (status, page) = get_page(&oslo, app, &format!("/coordination/persons/{person}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Trekk tilbake"), "{page}");
    // The first person's pathway at the TSB unit is shown to Oslo by the unit's consent.
    assert!(page.contains("Status i pasientforløp hos andre"), "{page}");
    assert!(page.contains("Første fremmøte"), "{page}");
    let status: serde_json::Value = crate::common::get(
        app,
        &app.token("koordinator.oslo").await,
        &format!("/api/v1/coordination/persons/{person}/pathway-status"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        status["shared"][0]["pathways"][0]["step"],
        "first_attendance"
    );
    let (status, page) = get_page(
        &oslo,
        app,
        &format!("/coordination/persons/{person}/overview"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Demo behandlingsenhet TSB"), "{page}");
}
