//! The page frame: the menu offers only what the user's role may open (so a click never
//! fills the access log with a denial), and times are shown as the wall time in Oslo.

use reqwest::StatusCode;
use varde_core::audit::Outcome;
use varde_store::NewAccess;

use crate::common::{browser_login, get_page, TestApp};

on_both_engines!(
    the_menu_offers_only_what_the_role_may_open,
    the_access_log_shows_oslo_time_to_the_second,
);

/// The links of the page's main menu.
fn menu_of(page: &str) -> Vec<String> {
    let nav = page
        .split("<nav aria-label=")
        .nth(1)
        .and_then(|n| n.split("</nav>").next())
        .unwrap_or_else(|| panic!("no menu: {page}"));
    nav.split("href=\"")
        .skip(1)
        .filter_map(|h| h.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// GETs `path`, following the site's own redirects (the start page of a clinician is the
/// worklist, an analyst's pathways are the indicators); the final status.
async fn open(client: &reqwest::Client, app: &TestApp, path: &str) -> StatusCode {
    let mut path = path.to_owned();
    for _ in 0..3 {
        let res = client.get(app.url(&path)).send().await.unwrap();
        if res.status() != StatusCode::SEE_OTHER {
            return res.status();
        }
        path = res.headers()["location"].to_str().unwrap().to_owned();
    }
    panic!("{path}: too many redirects");
}

async fn the_menu_offers_only_what_the_role_may_open(app: &TestApp) {
    // The pages the menu may hold beside the placeholders.
    let guarded = [
        "/pathways",
        "/pathways/indicators",
        "/advisory",
        "/coordination",
        "/persons",
        "/admin/users",
        "/audit",
    ];
    let expected: [(&str, &[&str]); 9] = [
        ("radgiver.oslo", &["/advisory", "/coordination", "/persons"]),
        ("koordinator.oslo", &["/coordination", "/persons"]),
        ("admin.oslo", &["/admin/users"]),
        ("revisor.oslo", &["/audit"]),
        // A treatment unit keeps no advisory cases: its clinician is not offered them.
        ("kliniker", &["/pathways", "/coordination", "/persons"]),
        ("analytiker", &["/pathways/indicators"]),
        ("varselredaktor", &[]),
        ("lab", &[]),
        ("systemadmin", &["/admin/users"]),
    ];
    for (username, offered) in expected {
        let client = browser_login(app, username).await;
        // The public warnings page: every logged-in user may open it in the frame.
        let (status, page) = get_page(&client, app, "/warnings").await;
        assert_eq!(status, StatusCode::OK, "{username}");
        let menu = menu_of(&page);
        for g in guarded {
            assert_eq!(
                menu.contains(&g.to_owned()),
                offered.contains(&g),
                "{username}: {g} in the menu {menu:?}"
            );
        }
        let denied_before = app
            .access_log(10_000)
            .await
            .iter()
            .filter(|e| e.outcome == "denied")
            .count();
        // Every link offered opens.
        for link in &menu {
            assert_eq!(
                open(&client, app, link).await,
                StatusCode::OK,
                "{username}: {link}"
            );
        }
        let denied_after = app
            .access_log(10_000)
            .await
            .iter()
            .filter(|e| e.outcome == "denied")
            .count();
        assert_eq!(denied_before, denied_after, "{username}: a link was denied");
        // What is not offered, the role may not open (beyond the pages of an area offered,
        // reached from within it).
        let within = |g: &str| offered.iter().any(|o| g.starts_with(&format!("{o}/")));
        for g in guarded
            .iter()
            .filter(|g| !offered.contains(g) && !within(g))
        {
            let res = client.get(app.url(g)).send().await.unwrap();
            assert_ne!(res.status(), StatusCode::OK, "{username}: {g}");
        }
    }
}

async fn the_access_log_shows_oslo_time_to_the_second(app: &TestApp) {
    let auditor = app
        .db
        .store
        .user_by_username("revisor.oslo")
        .await
        .unwrap()
        .unwrap();
    // An entry made on a summer night (UTC+2), one on a winter evening (UTC+1).
    for at in ["2026-06-30T22:30:59.123456789Z", "2026-12-06T16:45:09Z"] {
        app.db
            .store
            .log_access(&NewAccess {
                at: at.parse().unwrap(),
                actor: "revisor.oslo".into(),
                actor_id: auditor.id.0,
                org_id: auditor.org_id.0,
                owner_org_id: auditor.org_id.0,
                action: "person.read".into(),
                subject: String::new(),
                record: "person:1".into(),
                purpose: "own organisation".into(),
                outcome: Outcome::Allowed,
                flagged: false,
            })
            .await
            .unwrap();
    }
    let client = browser_login(app, "revisor.oslo").await;
    let (status, page) = get_page(&client, app, "/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<td>01.07.2026 00:30:59</td>"), "{page}");
    assert!(page.contains("<td>06.12.2026 17:45:09</td>"), "{page}");
    assert!(!page.contains("2026-06-30T22:30"), "never UTC: {page}");
    assert!(!page.contains(".123456789"), "never nanoseconds: {page}");
}
