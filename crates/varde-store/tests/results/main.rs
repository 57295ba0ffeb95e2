//! The results area's storage, on SQLite and PostgreSQL (`sqlite::…`, `postgres::…`;
//! PostgreSQL is skipped without `VARDE_TEST_POSTGRES_URL`): the plans load once and read back
//! as the data files give them; a rating is a row, an event with its author and an access
//! entry; an import is idempotent by batch and keeps every row's provenance; the aggregates the
//! dashboards read count each TSB patient once and write no access entry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::coordination::plan::PlanStatus;
use varde_core::org::{OrgId, OrgKind, Qualification, Role, UserId};
use varde_core::persons::PersonEvent;
use varde_core::results::plans::{builtin, ESCALATION_ID, REFORM_ID};
use varde_core::results::ratings::NewRating;
use varde_core::results::values::Value;
use varde_core::results::{Rating, Source};
use varde_store::testing::TestDb;
use varde_store::{
    results_stream, AccessFilter, Batch, ImportOutcome, NewAccess, NewOrg, ResultsImport,
    RESULTS_RATED_KIND,
};

fn now() -> Timestamp {
    "2026-12-07T10:00:00Z".parse().unwrap()
}

async fn analyst(db: &TestDb) -> (i64, i64) {
    let org = db
        .store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::NationalAuthority,
                name: "Direktoratet".into(),
                slug: "dir".into(),
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
        .create_user(org, Role::Analyst, Qualification::Other, "ana", "x", now())
        .await
        .unwrap();
    (org.0, user.0)
}

fn access(org: i64, user: i64, action: &str) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "ana".into(),
        actor_id: user,
        org_id: org,
        owner_org_id: org,
        action: action.into(),
        subject: String::new(),
        record: "results".into(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

async fn plans_load_once_and_read_back_as_the_data_files_give_them(db: &TestDb) {
    let plans = builtin().unwrap();
    assert_eq!(db.store.results_load_plans(&plans, now()).await.unwrap(), 2);
    assert_eq!(db.store.results_load_plans(&plans, now()).await.unwrap(), 0);
    let stored = db.store.results_plans().await.unwrap();
    assert_eq!(stored.len(), 2);
    for p in &plans {
        let s = stored.iter().find(|s| s.id == p.id).unwrap();
        let mut expected = p.clone();
        expected.ratings.clear();
        assert_eq!(s.focus_areas, expected.focus_areas);
        assert_eq!(s.goals.len(), expected.goals.len());
        assert_eq!(s.measures, expected.measures);
        let mut got = s.indicators.clone();
        got.sort_by(|a, b| a.id.cmp(&b.id));
        expected.indicators.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(got, expected.indicators);
    }
    // The escalation plan's final ratings, once, set by the report.
    let ratings = db.store.results_ratings(ESCALATION_ID).await.unwrap();
    assert_eq!(ratings.len(), 23);
    assert!(ratings
        .iter()
        .all(|r| r.user_id.is_none() && r.year == 2012));
}

async fn a_rating_is_a_row_an_event_with_its_author_and_an_access_entry(db: &TestDb) {
    db.store
        .results_load_plans(&builtin().unwrap(), now())
        .await
        .unwrap();
    let (org, user) = analyst(db).await;
    let rating = NewRating {
        plan: REFORM_ID.into(),
        goal: "2.1".into(),
        year: 2025,
        rating: Rating::Plus,
        reason: "Færre dødsfall, men usikkert.".into(),
    };
    db.store
        .results_rate(
            &rating,
            (user, "ana", org),
            now(),
            &access(org, user, "results.rate"),
        )
        .await
        .unwrap();
    let rs = db.store.results_ratings(REFORM_ID).await.unwrap();
    assert_eq!(rs.len(), 1);
    assert_eq!((rs[0].set_by.as_str(), rs[0].user_id), ("ana", Some(user)));
    let events = db
        .store
        .read_stream(&results_stream(REFORM_ID))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, RESULTS_RATED_KIND);
    assert_eq!(events[0].actor_id, Some(user));
    let log = db.store.access_log(&AccessFilter::default()).await.unwrap();
    assert!(log.iter().any(|e| e.action == "results.rate"));
}

async fn an_import_is_idempotent_by_batch_and_a_later_one_replaces_the_value(db: &TestDb) {
    db.store
        .results_load_plans(&builtin().unwrap(), now())
        .await
        .unwrap();
    let (org, user) = analyst(db).await;
    let rows = |v: f64| {
        vec![(
            2,
            Value {
                indicator: "youth_drunk".into(),
                year: 2024,
                area: "national".into(),
                value: v,
            },
        )]
    };
    let a = access(org, user, "results.import");
    let first = rows(30.0);
    let import = |rows, id, digest| ResultsImport {
        org: OrgId(org),
        actor: UserId(user),
        source: Source::Ungdata,
        batch: Batch { id, digest },
        rows,
        at: now(),
        access: &a,
    };
    let out = db
        .store
        .results_import(&import(&first, "b1", "sha256:a"))
        .await
        .unwrap();
    assert_eq!(out, ImportOutcome::Imported { events: 1 });
    let again = db
        .store
        .results_import(&import(&first, "b1", "sha256:a"))
        .await
        .unwrap();
    assert!(matches!(
        again,
        ImportOutcome::AlreadyImported {
            same_content: true,
            ..
        }
    ));
    let later = rows(28.5);
    db.store
        .results_import(&import(&later, "b2", "sha256:b"))
        .await
        .unwrap();
    let values = db.store.results_values("national").await.unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].value.value, 28.5);
    assert!(db
        .store
        .results_values("county:03")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        db.store.results_records_per_year("deaths").await.unwrap(),
        vec![]
    );
}

/// An organisation of `kind` with one coordinator; (org, user).
async fn org_with_user(db: &TestDb, slug: &str, kind: OrgKind) -> (OrgId, i64) {
    let org = db.org(kind, slug, None, now()).await;
    (org, db.user(org, Role::Coordinator, slug, now()).await)
}

async fn person_in(db: &TestDb, org: OrgId, user: i64, pseudonym: &str) -> i64 {
    let access = NewAccess {
        at: now(),
        actor: "coordinator".into(),
        actor_id: user,
        org_id: org.0,
        owner_org_id: org.0,
        action: "person.create".into(),
        subject: pseudonym.into(),
        record: String::new(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    };
    db.store
        .register_person(
            org,
            user,
            pseudonym,
            &PersonEvent::Registered {
                national_id: "03851598730".into(),
                name: "Kari Nordmann".into(),
                birth_date: None,
                kommune: None,
            },
            &access,
            now(),
        )
        .await
        .unwrap()
}

/// The aggregates the dashboards read: a patient registered by a treatment unit and by a
/// health trust counts once, a municipality's own person not at all; each person is four facts
/// with nothing that names them; and no read writes an access entry.
async fn the_aggregates_count_each_tsb_patient_once_and_write_no_access_entry(db: &TestDb) {
    let (tsb, tsb_user) = org_with_user(db, "tsb", OrgKind::TreatmentUnit).await;
    let (hf, hf_user) = org_with_user(db, "hf", OrgKind::HealthTrust).await;
    let (kommune, k_user) = org_with_user(db, "kommune", OrgKind::Municipality).await;
    person_in(db, tsb, tsb_user, "pseudo-a").await;
    person_in(db, hf, hf_user, "pseudo-a").await;
    person_in(db, tsb, tsb_user, "pseudo-b").await;
    let in_kommune = person_in(db, kommune, k_user, "pseudo-a").await;
    person_in(db, kommune, k_user, "pseudo-c").await;
    let write = NewAccess {
        at: now(),
        actor: "kommune".into(),
        actor_id: k_user,
        org_id: kommune.0,
        owner_org_id: kommune.0,
        action: "coordination.write".into(),
        subject: "pseudo-a".into(),
        record: String::new(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    };
    db.store
        .coordination_create_plan(
            kommune,
            in_kommune,
            "pseudo-a",
            Some(k_user),
            PlanStatus::Active,
            k_user,
            date(2026, 12, 7),
            now(),
            &write,
        )
        .await
        .unwrap();
    let logged = db
        .store
        .access_log(&AccessFilter::default())
        .await
        .unwrap()
        .len();
    let mut facts = db.store.results_tsb_people_facts().await.unwrap();
    facts.sort_by_key(|f| f.plan);
    let summary: Vec<(bool, bool, bool)> = facts
        .iter()
        .map(|f| (f.plan, f.coordinator, f.group))
        .collect();
    assert_eq!(summary, [(false, false, false), (true, true, false)]);
    assert!(db.store.results_discharge_years().await.unwrap().is_empty());
    let advisory = db.store.results_advisory_records().await.unwrap();
    assert!(advisory.records.is_empty() && advisory.advice.is_empty());
    assert_eq!(
        db.store
            .access_log(&AccessFilter::default())
            .await
            .unwrap()
            .len(),
        logged,
        "an aggregate is not logged"
    );
}

varde_store::conformance!(
    the_aggregates_count_each_tsb_patient_once_and_write_no_access_entry,
    plans_load_once_and_read_back_as_the_data_files_give_them,
    a_rating_is_a_row_an_event_with_its_author_and_an_access_entry,
    an_import_is_idempotent_by_batch_and_a_later_one_replaces_the_value,
);
