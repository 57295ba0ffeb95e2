//! Test support: a fresh, migrated database per test on either engine.
//!
//! SQLite: a file in a temporary directory. PostgreSQL: a uniquely named database created on
//! the server named by `VARDE_TEST_POSTGRES_URL` and dropped afterwards. Without that
//! variable PostgreSQL tests are skipped (with a note on stderr) unless
//! `VARDE_REQUIRE_POSTGRES=1`, in which case they fail: CI sets both.

use jiff::Timestamp;
use rand::Rng;
use varde_core::org::{OrgId, OrgKind, Qualification, Role};

use crate::{Engine, NewOrg, Store};

pub struct TestDb {
    pub store: Store,
    pub url: String,
    pub data_dir: tempfile::TempDir,
    admin_url: Option<String>,
    db_name: Option<String>,
}

impl TestDb {
    /// A fresh database on `engine`, or `None` when PostgreSQL is not configured.
    pub async fn new(engine: Engine) -> Option<TestDb> {
        TestDb::new_at(engine, None).await
    }

    /// A fresh database on `engine` with the migrations up to `version` applied (all with
    /// `None`), or `None` when PostgreSQL is not configured. A configured engine that cannot
    /// give a database panics: a test must not pass by skipping itself.
    #[allow(clippy::expect_used)]
    pub async fn new_at(engine: Engine, version: Option<i64>) -> Option<TestDb> {
        let data_dir = tempfile::tempdir().expect("a temporary directory");
        let (url, admin_url, db_name) = match engine {
            Engine::Sqlite => (crate::default_url(data_dir.path()), None, None),
            Engine::Postgres => {
                let Ok(admin_url) = std::env::var("VARDE_TEST_POSTGRES_URL") else {
                    assert!(
                        std::env::var("VARDE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                        "VARDE_REQUIRE_POSTGRES=1 but VARDE_TEST_POSTGRES_URL is not set"
                    );
                    eprintln!("skipping PostgreSQL test: VARDE_TEST_POSTGRES_URL is not set");
                    return None;
                };
                let name = format!("varde_test_{:016x}", rand::thread_rng().gen::<u64>());
                let admin = Store::connect(&admin_url)
                    .await
                    .expect("connect to VARDE_TEST_POSTGRES_URL");
                admin
                    .exec_admin(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create the test database");
                admin.close().await;
                (
                    replace_db_name(&admin_url, &name),
                    Some(admin_url),
                    Some(name),
                )
            }
        };
        let store = Store::connect(&url)
            .await
            .expect("connect to the test database");
        match version {
            Some(v) => store.migrate_to(v).await,
            None => store.migrate().await,
        }
        .expect("migrate the test database");
        Some(TestDb {
            store,
            url,
            data_dir,
            admin_url,
            db_name,
        })
    }

    /// An organisation of `kind` named and keyed `slug` (`kommune`: its municipality number),
    /// created at `at` (or the one already there).
    #[allow(clippy::expect_used)]
    pub async fn org(
        &self,
        kind: OrgKind,
        slug: &str,
        kommune: Option<&str>,
        at: Timestamp,
    ) -> OrgId {
        self.store
            .ensure_org(
                &NewOrg {
                    kind,
                    name: slug.into(),
                    slug: slug.into(),
                    kommunenummer: kommune.map(str::to_owned),
                    orgnr: None,
                    parent_id: None,
                },
                at,
            )
            .await
            .expect("a test organisation")
    }

    /// A user `username` of `org` with `role` (no real password); its id.
    #[allow(clippy::expect_used)]
    pub async fn user(&self, org: OrgId, role: Role, username: &str, at: Timestamp) -> i64 {
        self.store
            .create_user(org, role, Qualification::Other, username, "x", at)
            .await
            .expect("a test user")
            .0
    }

    /// Closes the pools and drops a PostgreSQL test database.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let (Some(admin_url), Some(name)) = (self.admin_url, self.db_name) {
            if let Ok(admin) = Store::connect(&admin_url).await {
                let _ = admin
                    .exec_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                admin.close().await;
            }
        }
    }
}

/// Replaces the database name (the path) of a postgres URL.
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Whether the PostgreSQL engine is configured for tests.
pub fn postgres_configured() -> bool {
    std::env::var("VARDE_TEST_POSTGRES_URL").is_ok()
}

impl Engine {
    pub const BOTH: [Engine; 2] = [Engine::Sqlite, Engine::Postgres];
}

/// Runs each named scenario `async fn name(db: &TestDb)` of the calling module as two tests,
/// `sqlite::name` and `postgres::name`, each on a fresh database (the PostgreSQL one skipped,
/// with a note, without `VARDE_TEST_POSTGRES_URL`). The storage suites of every area use it.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::testing::TestDb::new($crate::Engine::Sqlite)
                        .await
                        .expect("sqlite test db");
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = $crate::testing::TestDb::new($crate::Engine::Postgres).await
                    else {
                        return;
                    };
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}
