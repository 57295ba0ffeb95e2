//! Drug checking's storage, on SQLite and PostgreSQL (`sqlite::…`, `postgres::…`; PostgreSQL is
//! skipped without `VARDE_TEST_POSTGRES_URL`): a result with a watchlist substance raises its
//! signal in the same transaction; a refused result writes nothing; a second result is refused;
//! the table keeps no code; the lookup reads what was written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::drugcheck::{Analysis, AnalysisInput, Code, FoundInput, Intake, IntakeInput};
use varde_core::org::{OrgKind, Qualification, Role};
use varde_store::testing::TestDb;
use varde_store::{NewAccess, NewOrg, StoreError};

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

/// The laboratory and its user.
async fn lab(db: &TestDb) -> (i64, i64) {
    let org = db
        .store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::Laboratory,
                name: "Testlaboratoriet".into(),
                slug: "testlab".into(),
                kommunenummer: None,
                orgnr: None,
                parent_id: None,
            },
            now(),
        )
        .await
        .unwrap();
    let user = db
        .store
        .create_user(org, Role::Lab, Qualification::Other, "lab", "x", now())
        .await
        .unwrap();
    (org.0, user.0)
}

fn access(org: i64, user: i64, action: &str) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "lab".into(),
        actor_id: user,
        org_id: org,
        owner_org_id: org,
        action: action.into(),
        subject: String::new(),
        record: "drugcheck:sample".into(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

async fn intake(db: &TestDb, org: i64, user: i64, code: &Code, sold_as: &str) {
    let i = Intake::check(
        &IntakeInput {
            sold_as: sold_as.into(),
            municipality: "0301".into(),
            received_on: "2026-11-20".into(),
        },
        date(2026, 11, 24),
    )
    .unwrap();
    db.store
        .drugcheck_intake(
            &code.hash(),
            &i,
            org,
            now(),
            &access(org, user, "drugcheck.intake"),
            None,
        )
        .await
        .unwrap();
}

fn analysis(found: &[&str]) -> Analysis {
    Analysis::check(
        &AnalysisInput {
            analysed_on: "2026-11-23".into(),
            method: "GC-MS".into(),
            found: found
                .iter()
                .map(|s| FoundInput {
                    substance: (*s).into(),
                    purity_percent: Some(10.0),
                    amount_mg: None,
                })
                .collect(),
            contaminants: vec![],
        },
        date(2026, 11, 20),
        date(2026, 11, 24),
    )
    .unwrap()
}

/// A number the test reads straight from the database (`SELECT COUNT(*) …`).
async fn scalar(db: &TestDb, sql: &str) -> i64 {
    if db.url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    } else {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }
}

async fn count(db: &TestDb, table: &str) -> i64 {
    scalar(db, &format!("SELECT COUNT(*) FROM {table}")).await
}

async fn a_watchlist_finding_raises_one_signal_with_the_result(db: &TestDb) {
    let (org, user) = lab(db).await;
    let code = Code::mint(11, 12);
    intake(db, org, user, &code, "heroin").await;
    let sample = db
        .store
        .drugcheck_sample(&code.hash())
        .await
        .unwrap()
        .unwrap();
    assert!(!sample.analysed);
    let pending = db
        .store
        .drugcheck_lookup(&code.hash())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pending.analysed_on, None);
    let watchlist = db.store.watchlist().await.unwrap();
    let recorded = db
        .store
        .drugcheck_record(
            &code.hash(),
            &analysis(&["protonitazene", "heroin"]),
            &watchlist,
            user,
            now(),
            &access(org, user, "drugcheck.result"),
        )
        .await
        .unwrap();
    assert_eq!(recorded.signals.len(), 1);
    let signals = db.store.signals(Some("new"), 10).await.unwrap();
    assert_eq!(signals.len(), 1);
    let s = &signals[0];
    assert_eq!(
        (s.kind.as_str(), s.source.as_str()),
        ("watchlist", "drugcheck")
    );
    assert_eq!(s.substance.as_deref(), Some("protonitazene"));
    assert_eq!(s.area, "0301");
    assert!(!s.detail.contains(code.as_str()));
    let found = db
        .store
        .drugcheck_lookup(&code.hash())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.analysed_on.as_deref(), Some("2026-11-23"));
    assert_eq!(found.found.len(), 2);
    // No code is kept, in any form a reader could use.
    let sql = format!(
        "SELECT COUNT(*) FROM drugcheck_samples WHERE code_hash = '{}' AND sold_as = 'heroin'",
        code.hash()
    );
    assert_eq!(scalar(db, &sql).await, 1);
    for table in [
        "drugcheck_samples",
        "drugcheck_results",
        "monitoring_signals",
    ] {
        assert_eq!(count(db, table).await, 1, "{table}");
    }
    assert!(db
        .store
        .drugcheck_lookup(&Code::mint(11, 13).hash())
        .await
        .unwrap()
        .is_none());
}

async fn a_second_result_and_an_unknown_code_are_refused_and_write_nothing(db: &TestDb) {
    let (org, user) = lab(db).await;
    let code = Code::mint(21, 22);
    intake(db, org, user, &code, "kokain").await;
    let watchlist = db.store.watchlist().await.unwrap();
    let write = |hash: String, a: Analysis| {
        let watchlist = watchlist.clone();
        async move {
            db.store
                .drugcheck_record(
                    &hash,
                    &a,
                    &watchlist,
                    user,
                    now(),
                    &access(org, user, "drugcheck.result"),
                )
                .await
        }
    };
    let before = (
        count(db, "drugcheck_results").await,
        count(db, "monitoring_signals").await,
        count(db, "access_log").await,
    );
    let e = write(Code::mint(1, 1).hash(), analysis(&["fentanyl"]))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e:?}");
    let after = (
        count(db, "drugcheck_results").await,
        count(db, "monitoring_signals").await,
        count(db, "access_log").await,
    );
    assert_eq!(before, after);
    // Sold as cocaine, held fentanyl: the watchlist finding and the mis-sold sample.
    let r = write(code.hash(), analysis(&["fentanyl"])).await.unwrap();
    assert_eq!(r.signals.len(), 2);
    let before = (
        count(db, "drugcheck_findings").await,
        count(db, "monitoring_signals").await,
        count(db, "access_log").await,
    );
    let e = write(code.hash(), analysis(&["carfentanil"]))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    let after = (
        count(db, "drugcheck_findings").await,
        count(db, "monitoring_signals").await,
        count(db, "access_log").await,
    );
    assert_eq!(before, after);
    let (cells, months) = db.store.drugcheck_counts().await.unwrap();
    assert_eq!(months, vec![("2026-11".to_owned(), 1)]);
    assert_eq!(
        cells,
        vec![("2026-11".to_owned(), "fentanyl".to_owned(), 1)]
    );
}

varde_store::conformance!(
    a_watchlist_finding_raises_one_signal_with_the_result,
    a_second_result_and_an_unknown_code_are_refused_and_write_nothing,
);
