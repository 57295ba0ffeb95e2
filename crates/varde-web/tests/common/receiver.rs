//! A webhook subscriber's endpoint for the tests of every outbox (warnings, discharge and
//! overdose notices), and the configuration their servers run with (rate limits off).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use varde_web::Config;

/// One message a receiver got: its Standard Webhooks headers and body.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub content_type: String,
    pub body: String,
}

/// A webhook subscriber on 127.0.0.1: records every POST, answers `status`, after `delay`.
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Receiver {
    pub async fn start(status: u16, delay: Duration) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
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
                    sink.lock().unwrap().push(Received {
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp").parse().unwrap_or(0),
                        signature: h("webhook-signature"),
                        content_type: h("content-type"),
                        body,
                    });
                    axum::http::StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Receiver {
            url,
            got,
            stop: Some(tx),
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until `n` messages have arrived; what arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            if self.received().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub fn config() -> Config {
    Config {
        limits: varde_web::limits::Limits::off(),
        ..Config::default()
    }
}
