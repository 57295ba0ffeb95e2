//! Feedback's storage, on SQLite and PostgreSQL (`sqlite::…`, `postgres::…`; PostgreSQL is
//! skipped without `VARDE_TEST_POSTGRES_URL`): a link is spent once, with its answer and access
//! entry in one transaction; an expired or unknown token writes nothing; the table keeps no
//! token; survey answers are grouped by organisation, year and survey, and a closed link takes
//! none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::date;
use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_core::feedback::surveys::{SurveyAnswer, SurveyKind};
use varde_core::feedback::{expires_at, Answer, Token};
use varde_core::org::{OrgId, OrgKind, Qualification, Role};
use varde_core::persons::PersonEvent;
use varde_store::testing::TestDb;
use varde_store::{NewAccess, NewFeedbackLink, NewOrg, StoreError};

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

fn access(org: i64, user: i64, action: &str) -> NewAccess {
    NewAccess {
        at: now(),
        actor: "kliniker".into(),
        actor_id: user,
        org_id: org,
        owner_org_id: org,
        action: action.into(),
        subject: "pseudo-1".into(),
        record: "feedback".into(),
        purpose: "test".into(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

/// A clinic, its clinician and one patient: (org, user, person).
async fn clinic(db: &TestDb) -> (OrgId, i64, i64) {
    let org = db
        .store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::TreatmentUnit,
                name: "Testklinikken".into(),
                slug: "testklinikken".into(),
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
        .create_user(
            org,
            Role::Clinician,
            Qualification::Specialist,
            "kliniker",
            "x",
            now(),
        )
        .await
        .unwrap();
    let person = db
        .store
        .register_person(
            org,
            user.0,
            "pseudo-1",
            &PersonEvent::Registered {
                national_id: "03851598730".into(),
                name: "Kari Nordmann".into(),
                birth_date: None,
                kommune: None,
            },
            &access(org.0, user.0, "person.create"),
            now(),
        )
        .await
        .unwrap();
    (org, user.0, person)
}

async fn make_link(db: &TestDb, token: &Token, org: OrgId, user: i64, person: i64, n: u32) {
    db.store
        .feedback_link_create(
            &NewFeedbackLink {
                token_hash: &token.hash(),
                org,
                person_id: person,
                pseudonym: "pseudo-1",
                pathway_id: None,
                session_date: date(2026, 11, 24),
                session_number: n,
                created_by: user,
                at: now(),
                expires_at: expires_at(now()),
            },
            &access(org.0, user, "feedback.link"),
        )
        .await
        .unwrap();
}

async fn log_len(db: &TestDb) -> usize {
    db.store
        .access_log(&varde_store::AccessFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

async fn a_link_is_spent_once_with_its_answer_and_entry(db: &TestDb) {
    let (org, user, person) = clinic(db).await;
    let token = Token::mint([1u8; 32]);
    make_link(db, &token, org, user, person, 1).await;
    let open = db
        .store
        .feedback_link_open(&token.hash(), now())
        .await
        .unwrap();
    assert_eq!(open.unwrap().org_name, "Testklinikken");
    let before = log_len(db).await;
    let answer = Answer([5, 6, 7, 8, 9, 9, 9, 9]);
    let spent = db
        .store
        .feedback_answer(
            &token.hash(),
            &answer,
            now(),
            &access(0, 0, "feedback.answer"),
        )
        .await
        .unwrap();
    assert_eq!(spent.person_id, person);
    assert_eq!(spent.org, org);
    assert_eq!(log_len(db).await, before + 1);
    // Spent: refused, nothing more written.
    let again = db
        .store
        .feedback_answer(
            &token.hash(),
            &answer,
            now(),
            &access(0, 0, "feedback.answer"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)));
    assert_eq!(log_len(db).await, before + 1);
    assert!(db
        .store
        .feedback_link_open(&token.hash(), now())
        .await
        .unwrap()
        .is_none());
    let f = db
        .store
        .feedback_of_patient_logged(org, person, &access(org.0, user, "feedback.read"))
        .await
        .unwrap();
    assert_eq!(f.sessions.len(), 1);
    assert_eq!(f.sessions[0].answer, answer);
    assert_eq!(f.links.len(), 1);
    assert!(f.links[0].used_at.is_some());
    let entries = db
        .store
        .access_log(&varde_store::AccessFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let answered = entries
        .iter()
        .find(|e| e.action == "feedback.answer")
        .unwrap();
    assert_eq!(answered.subject, "pseudo-1");
    assert_eq!(answered.owner_org_id, org.0);
}

async fn an_expired_or_unknown_token_writes_nothing(db: &TestDb) {
    let (org, user, person) = clinic(db).await;
    let token = Token::mint([2u8; 32]);
    make_link(db, &token, org, user, person, 1).await;
    let later = expires_at(now());
    assert!(db
        .store
        .feedback_link_open(&token.hash(), later)
        .await
        .unwrap()
        .is_none());
    let before = log_len(db).await;
    let answer = Answer([1; 8]);
    for hash in [token.hash(), Token::mint([3u8; 32]).hash()] {
        let r = db
            .store
            .feedback_answer(&hash, &answer, later, &access(0, 0, "feedback.answer"))
            .await;
        assert!(matches!(r, Err(StoreError::NotFound)));
    }
    assert_eq!(log_len(db).await, before);
    // One second before the end it still works.
    let just_before = later.checked_sub(jiff::Span::new().seconds(1)).unwrap();
    assert!(db
        .store
        .feedback_link_open(&token.hash(), just_before)
        .await
        .unwrap()
        .is_some());
    // The table holds no token.
    let rows = db
        .store
        .feedback_of_patient_logged(org, person, &access(org.0, user, "feedback.read"))
        .await
        .unwrap();
    assert!(!format!("{rows:?}").contains(token.as_str()));
}

async fn survey_answers_are_grouped_and_a_closed_link_takes_none(db: &TestDb) {
    let (org, user, _) = clinic(db).await;
    let share = |token: &'static str| {
        let store = db.store.clone();
        async move {
            store
                .feedback_survey_share(
                    org,
                    SurveyKind::Users,
                    token,
                    user,
                    now(),
                    &access(org.0, user, "feedback.survey_share"),
                )
                .await
                .unwrap();
        }
    };
    share("first-token").await;
    let a = SurveyAnswer(vec![4, 4, 5, 3, 5]);
    for year in [2025, 2026, 2026] {
        db.store
            .feedback_survey_answer("first-token", SurveyKind::Users, &a, year)
            .await
            .unwrap();
    }
    // The wrong survey for the token: refused.
    let r = db
        .store
        .feedback_survey_answer("first-token", SurveyKind::Relatives, &a, 2026)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound)));
    share("second-token").await;
    let r = db
        .store
        .feedback_survey_answer("first-token", SurveyKind::Users, &a, 2026)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound)));
    assert!(db
        .store
        .feedback_survey_open("first-token")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        db.store
            .feedback_survey_open("second-token")
            .await
            .unwrap()
            .unwrap()
            .kind,
        SurveyKind::Users
    );
    let groups = db.store.feedback_survey_answers(Some(org)).await.unwrap();
    let shape: Vec<(i64, usize)> = groups.iter().map(|g| (g.year, g.answers.len())).collect();
    assert_eq!(shape, [(2025, 1), (2026, 2)]);
    assert!(db
        .store
        .feedback_survey_answers(Some(OrgId(org.0 + 1000)))
        .await
        .unwrap()
        .is_empty());
    let links = db.store.feedback_survey_links(org).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].token, "second-token");
}

varde_store::conformance!(
    a_link_is_spent_once_with_its_answer_and_entry,
    an_expired_or_unknown_token_writes_nothing,
    survey_answers_are_grouped_and_a_closed_link_takes_none,
);
