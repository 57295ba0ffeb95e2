//! What the area benchmarks share (`#[path = "support/mod.rs"] mod support;`): a fresh
//! database per engine, the real application on it with the system clock and its background
//! work, and a login. Not an example of its own (Cargo takes only `examples/*/main.rs`).
#![allow(dead_code)]

use serde_json::{json, Value};
use tokio::sync::oneshot;
use varde_core::pseudonym::PseudonymKey;
use varde_store::testing::TestDb;
use varde_store::Engine;
use varde_web::{AppState, Application, Clock, Config};

/// A fresh, migrated database, or `None` when the engine is not configured. Fails loudly
/// when it is configured but unusable (a benchmark must not skip silently).
pub async fn fresh_db(engine: Engine) -> Option<TestDb> {
    if engine == Engine::Postgres && !varde_store::testing::postgres_configured() {
        eprintln!("{}: not configured, skipped", engine.as_str());
        return None;
    }
    let db = TestDb::new(engine).await;
    assert!(
        db.is_some(),
        "{}: could not create a database",
        engine.as_str()
    );
    db
}

/// The application on a random port of 127.0.0.1.
pub struct Server {
    pub base: String,
    pub state: AppState,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Starts the application on `db` with the built-in and demo data, the system clock and
    /// no rate limits (every client of a benchmark is 127.0.0.1).
    pub async fn start(db: &TestDb) -> Server {
        let now = jiff::Timestamp::now();
        varde_web::bootstrap::seed_builtin(&db.store, now)
            .await
            .unwrap();
        varde_web::bootstrap::seed_demo(&db.store, now)
            .await
            .unwrap();
        let config = Config {
            data_dir: db.data_dir.path().to_path_buf(),
            limits: varde_web::limits::Limits::off(),
            ..Config::default()
        };
        let key = PseudonymKey::from_bytes([7u8; 32]);
        let state = AppState::new(db.store.clone(), key, Clock::System, config).unwrap();
        let app = Application::bind("127.0.0.1:0", state.clone())
            .await
            .unwrap();
        let base = format!("http://{}", app.addr().unwrap());
        let (stop, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run(async move {
            let _ = rx.await;
        }));
        Server {
            base,
            state,
            stop,
            task,
        }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Logs `user` in (the demo password); the bearer token.
pub async fn token(c: &reqwest::Client, base: &str, user: &str) -> String {
    let v: Value = c
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": user, "password": varde_web::bootstrap::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"].as_str().unwrap().to_owned()
}
