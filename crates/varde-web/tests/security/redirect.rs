//! The language switch goes back only to a path of this site: an address a browser would
//! resolve to another site, or one that cannot be a header, goes to `/` (never a 500).

use reqwest::StatusCode;

use crate::common::TestApp;

on_both_engines!(the_language_switch_goes_back_only_to_this_site);

async fn the_language_switch_goes_back_only_to_this_site(app: &TestApp) {
    let cases = [
        ("/persons", "/persons"),
        ("/pathways/p/P%201", "/pathways/p/P%201"),
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
        ("/./%2F/evil.example", "/"),
        ("https://evil.example/", "/"),
    ];
    for (back, to) in cases {
        let res = app
            .client()
            .post(app.url("/lang"))
            .form(&[("lang", "en"), ("back", back)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{back:?}");
        assert_eq!(res.headers()["location"], to, "{back:?}");
    }
}
