//! A page on a phone: [`Driver::assert_fits_phone`] shows the current page at 360 CSS pixels
//! wide (the narrowest common phone), saves a screenshot and asserts that the page itself does
//! not scroll sideways — a wide table scrolls inside its own `.table-scroll` box instead.
//!
//! Screenshots go to the directory `VARDE_SCREENSHOT_DIR` (default `target/screenshots`,
//! relative to the workspace), one PNG per call, named after the page.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::Driver;

/// The width of the phone, in CSS pixels.
pub const PHONE_WIDTH: u64 = 360;

impl Driver {
    /// Sends a Chrome DevTools command through chromedriver.
    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd_post("/goog/cdp/execute", json!({"cmd": cmd, "params": params}))
            .await
    }

    /// Shows the current page as a 360 px wide phone would, saves a screenshot named after
    /// `page`, asserts that the page has no horizontal scroll
    /// (`document.documentElement.scrollWidth <= 360`), and goes back to the desktop size.
    pub async fn assert_fits_phone(&self, page: &str) {
        self.assert_fits_phone_at(page, None).await;
    }

    /// As [`Driver::assert_fits_phone`], with the element `css` scrolled to the top of the
    /// screen first (the content a screenshot is about, below the page's header and menu).
    pub async fn assert_fits_phone_at(&self, page: &str, css: Option<&str>) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": PHONE_WIDTH, "height": 740, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
        self.wait_js(
            "the phone's width",
            &format!("window.innerWidth === {PHONE_WIDTH}"),
        )
        .await;
        if let Some(css) = css {
            let css = serde_json::to_string(css).expect("json string");
            self.exec(&format!(
                "const e = document.querySelector({css}); if (e) e.scrollIntoView(); return true;"
            ))
            .await;
        }
        let shot = self.cmd_get("/screenshot").await;
        let png = decode_base64(shot.as_str().expect("screenshot as base64"));
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let file = dir.join(format!("{}-360px.png", file_name(page)));
        std::fs::write(&file, png)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
        let width = self
            .exec("return document.documentElement.scrollWidth;")
            .await
            .as_u64()
            .expect("scrollWidth");
        let wide = self
            .exec(
                "return [...document.querySelectorAll('body *')]\
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1\
                   && !(e.closest('.table-scroll') && getComputedStyle(e).position !== 'absolute'))\
                 .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);",
            )
            .await;
        self.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
        assert!(
            width <= PHONE_WIDTH,
            "{page} scrolls sideways on a {PHONE_WIDTH} px phone: {width} px wide (too wide: {wide}); see {}",
            file.display()
        );
    }
}

/// `VARDE_SCREENSHOT_DIR`, or `target/screenshots` in the workspace.
fn screenshot_dir() -> PathBuf {
    match std::env::var_os("VARDE_SCREENSHOT_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots"),
    }
}

/// A page's path as a file name: `/persons/new` is `persons-new`.
fn file_name(page: &str) -> String {
    let name: String = page
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let name = name.trim_matches('-');
    if name.is_empty() {
        "home".to_owned()
    } else {
        name.to_owned()
    }
}

/// Standard base64 (the WebDriver screenshot), without a dependency for it.
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | u32::from(*d) << (18 - 6 * i));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_and_file_names() {
    assert_eq!(decode_base64("aGVsbG8="), b"hello");
    assert_eq!(decode_base64("aGk="), b"hi");
    assert_eq!(decode_base64("YWJj"), b"abc");
    assert_eq!(file_name("/persons/new"), "persons-new");
    assert_eq!(file_name("/"), "home");
}
