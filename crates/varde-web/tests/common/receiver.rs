//! A webhook subscriber's endpoint for the tests of the notices between organisations, and the
//! configuration their servers run with (rate limits off).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use reqwest::StatusCode;
use varde_web::Config;

/// A subscriber's endpoint: what arrived (`webhook-id`, `webhook-signature`, body), each
/// answered after `delay`.
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<(String, String, String)>>>,
}

impl Receiver {
    pub async fn start(delay: Duration) -> Receiver {
        let got: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
        let sink = got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let sink = sink.clone();
                async move {
                    tokio::time::sleep(delay).await;
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned()
                    };
                    sink.lock()
                        .unwrap()
                        .push((h("webhook-id"), h("webhook-signature"), body));
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, got }
    }

    pub fn received(&self) -> Vec<(String, String, String)> {
        self.got.lock().unwrap().clone()
    }

    pub async fn wait_for(&self, n: usize) {
        for _ in 0..200 {
            if self.received().len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

pub fn config() -> Config {
    Config {
        limits: varde_web::limits::Limits::off(),
        ..Config::default()
    }
}
