#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use jiff::civil::date;

use super::surveys::{publish, SurveyAnswer, SurveyCounts, SurveyKind};
use super::*;

fn input(pairs: &[(&str, Number)]) -> AnswerInput {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn full(v: i64) -> AnswerInput {
    ITEMS
        .iter()
        .map(|(id, _)| ((*id).to_owned(), Number::Int(v)))
        .collect()
}

#[test]
fn a_token_has_256_bits_in_43_characters_and_only_its_hash_is_kept() {
    let t = Token::mint([7u8; TOKEN_BYTES]);
    assert_eq!(t.as_str().len(), TOKEN_LEN);
    assert_eq!(Token::parse(t.as_str()), Some(t.clone()));
    assert_eq!(t.hash().len(), 64);
    assert_ne!(t.hash(), t.as_str());
    assert_eq!(lookup_hash(t.as_str()), t.hash());
    assert_eq!(format!("{t:?}"), "Token(…)");
    // Two draws differ; a malformed token hashes to what no token has.
    assert_ne!(Token::mint([8u8; TOKEN_BYTES]), t);
    assert!(Token::parse("short").is_none());
    assert!(Token::parse(&format!("{}=", &t.as_str()[..42])).is_none());
    assert_eq!(lookup_hash("short").len(), 64);
    assert_ne!(
        lookup_hash("short"),
        Token::parse(t.as_str()).unwrap().hash()
    );
}

#[test]
fn a_link_expires_seven_days_after_it_was_made() {
    let made: Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
    let end = expires_at(made);
    assert_eq!(end, "2026-12-01T12:00:00Z".parse::<Timestamp>().unwrap());
}

#[test]
fn a_link_is_for_a_recent_session_with_a_number() {
    let today = date(2026, 11, 24);
    let ok = LinkInput {
        session_date: "2026-11-24".into(),
        session_number: Number::Text("3".into()),
        pathway_id: " TSB-1 ".into(),
    };
    let r = LinkRequest::check(&ok, today).unwrap();
    assert_eq!(r.session_number, 3);
    assert_eq!(r.pathway_id.as_deref(), Some("TSB-1"));
    let bad = LinkInput {
        session_date: "2026-11-25".into(),
        session_number: Number::Int(0),
        pathway_id: String::new(),
    };
    let errors = LinkRequest::check(&bad, today).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| &*e.field).collect();
    assert_eq!(fields, ["session_date", "session_number"]);
    let old = LinkInput {
        session_date: "2026-10-01".into(),
        session_number: Number::Int(2),
        ..LinkInput::default()
    };
    let e = LinkRequest::check(&old, today).unwrap_err();
    assert_eq!(e[0].rule, "a session of the last 30 days");
}

#[test]
fn an_answer_rates_every_item_from_0_to_10_and_nothing_else() {
    let a = Answer::check(&full(7)).unwrap();
    assert_eq!(a.total(Scale::Outcome), 28);
    assert_eq!(a.total(Scale::Alliance), 28);
    let mut i = full(10);
    i.insert("outcome_personal".into(), Number::Text("0".into()));
    let a = Answer::check(&i).unwrap();
    assert_eq!(a.total(Scale::Outcome), 30);
    assert_eq!(a.items().next(), Some(("outcome_personal", 0)));

    let mut bad = full(5);
    bad.insert("alliance_heard".into(), Number::Int(11));
    bad.insert("outcome_social".into(), Number::Float(4.5));
    bad.remove("outcome_overall");
    bad.insert("comment".into(), Number::Text("x".into()));
    let errors = Answer::check(&bad).unwrap_err();
    let got: BTreeMap<&str, &str> = errors.iter().map(|e| (&*e.field, &*e.rule)).collect();
    assert_eq!(got["alliance_heard"], "a whole number from 0 to 10");
    assert_eq!(got["outcome_social"], "a whole number from 0 to 10");
    assert_eq!(got["outcome_overall"], "must be answered");
    assert_eq!(got["comment"], "not an item of this feedback form");
    assert!(Answer::check(&input(&[])).is_err());
}

#[test]
fn the_trend_orders_sessions_and_gives_the_change() {
    let s = |d, n, v| Session {
        session_date: d,
        session_number: n,
        answer: Answer::check(&full(v)).unwrap(),
    };
    let t = trend(&[
        s(date(2026, 11, 20), 3, 6),
        s(date(2026, 11, 6), 1, 3),
        s(date(2026, 11, 13), 2, 5),
    ]);
    let outcomes: Vec<u32> = t.points.iter().map(|p| p.outcome).collect();
    assert_eq!(outcomes, [12, 20, 24]);
    assert_eq!(t.outcome_change, Some(12));
    assert_eq!(trend(&[s(date(2026, 11, 6), 1, 3)]).outcome_change, None);
}

fn survey(kind: SurveyKind, ratings: &[u8]) -> SurveyAnswer {
    SurveyAnswer(vec![ratings[0]; kind.questions().len()])
}

#[test]
fn a_survey_answer_rates_each_question_from_1_to_5() {
    let mut i: AnswerInput = SurveyKind::Users
        .questions()
        .iter()
        .map(|q| ((*q).to_owned(), Number::Text("4".into())))
        .collect();
    assert_eq!(
        SurveyAnswer::check(SurveyKind::Users, &i).unwrap().0,
        vec![4; 5]
    );
    i.insert("users_help".into(), Number::Int(0));
    i.insert("relatives_support".into(), Number::Int(3));
    let e = SurveyAnswer::check(SurveyKind::Users, &i).unwrap_err();
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].rule, "a whole number from 1 to 5");
    assert_eq!(e[1].rule, "not a question of this survey");
    assert!(SurveyKind::parse("neighbours").is_err());
}

#[test]
fn survey_figures_hide_small_cells_and_what_would_give_them_back() {
    // 12 answers: 8 gave 5, 3 gave 4, 1 gave 2.
    let mut answers = vec![survey(SurveyKind::Users, &[5]); 8];
    answers.extend(vec![survey(SurveyKind::Users, &[4]); 3]);
    answers.push(survey(SurveyKind::Users, &[2]));
    let p = publish(&SurveyCounts::of(SurveyKind::Users, &answers));
    assert_eq!(p.answers, Some(12));
    let q = &p.questions[0];
    // The 3 and the 1 are hidden; together they are 4 < 5, so the 8 is hidden too.
    assert_eq!(q.counts, vec![Some(0), None, Some(0), None, None]);
    assert_eq!(q.mean, None);
    // Nothing hidden can be had back: the total minus the shown cells leaves ≥ 5 unknown.
    let shown: u64 = q.counts.iter().flatten().sum();
    assert!(12 - shown >= 5);

    // Four answers in all: every non-zero figure hidden, the total too.
    let few = publish(&SurveyCounts::of(
        SurveyKind::Relatives,
        &vec![survey(SurveyKind::Relatives, &[3]); 4],
    ));
    assert_eq!(few.answers, None);
    assert!(few.questions.iter().all(|q| q.counts[2].is_none()));

    // Enough everywhere: all shown, with the mean.
    let mut many = vec![survey(SurveyKind::Users, &[5]); 6];
    many.extend(vec![survey(SurveyKind::Users, &[3]); 6]);
    let p = publish(&SurveyCounts::of(SurveyKind::Users, &many));
    assert_eq!(
        p.questions[0].counts,
        vec![Some(0), Some(0), Some(6), Some(0), Some(6)]
    );
    assert_eq!(p.questions[0].mean, Some(4.0));
}
