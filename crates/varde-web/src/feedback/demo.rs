//! The demo's feedback, through the same operations as a user's work: the demo clinician makes
//! weekly one-time links for three of the clinic's patients (on their pathways) and each link
//! is answered, so that the trend pages have four sessions each and the pathways count as
//! having used a feedback tool; one more link is left open (its address is returned, for the
//! demo's output); the clinic and Oslo share their surveys and have anonymous answers.

use varde_core::feedback::surveys::{SurveyAnswer, SurveyKind};
use varde_core::feedback::{AnswerInput, LinkInput, Number, ITEMS};

use super::ops::{self, Missed};
use crate::authz::{OrgAccess, PersonAccess, ShareSurveys, WriteFeedback};
use crate::bootstrap::{demo_clinician, DemoError};
use crate::AppState;

/// What the demo's feedback holds.
#[derive(Debug)]
pub struct FeedbackDemo {
    /// Answered sessions.
    pub answers: usize,
    /// The path (`/f/{token}`) of a link that still works (once).
    pub open_link: Option<String>,
    /// Anonymous survey answers.
    pub survey_answers: usize,
}

fn failed(e: crate::error::WebError) -> DemoError {
    DemoError::Request(e.detail)
}

fn missed(m: Missed) -> DemoError {
    match m {
        Missed::Failed(e) => failed(e),
        Missed::Gone => DemoError::Request("the demo's link did not work".into()),
        Missed::Limited(_) => DemoError::Request("the demo's answer was limited".into()),
    }
}

/// The ratings of a session: outcome items near `outcome`, alliance items near `alliance`.
fn ratings(outcome: i64, alliance: i64) -> AnswerInput {
    ITEMS
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            let base = if i < 4 { outcome } else { alliance };
            let v = (base + (i as i64 % 3) - 1).clamp(0, 10);
            ((*id).to_owned(), Number::Int(v))
        })
        .collect()
}

/// Seeds the demo's feedback (call after the demo patients are registered).
pub async fn seed_demo_feedback(state: &AppState) -> Result<FeedbackDemo, DemoError> {
    let principal = demo_clinician(state).await?;
    let org = principal.org;
    let persons = state.store.persons_of_org_ids(org).await?;
    let today = state.clock.today();
    let day = |back: i64| {
        today
            .checked_sub(jiff::Span::new().days(back))
            .map(|d| d.to_string())
            .map_err(|e| DemoError::Request(e.to_string()))
    };
    let mut answers = 0;
    let mut open_link = None;
    for (k, person) in persons.iter().take(3).enumerate() {
        let access = PersonAccess::<WriteFeedback>::decide(state, principal.clone(), *person, None)
            .await
            .map_err(failed)?;
        let pathway = state
            .store
            .feedback_pathways_of_person(org, *person)
            .await?
            .into_iter()
            .next()
            .unwrap_or_default();
        let start = 3 + k as i64;
        for (n, back) in [28i64, 21, 14, 7].into_iter().enumerate() {
            let input = LinkInput {
                session_date: day(back)?,
                session_number: Number::Int(n as i64 + 1),
                pathway_id: pathway.clone(),
            };
            let made = ops::create_link(state, &access, &input)
                .await
                .map_err(failed)?;
            let token = made.path.trim_start_matches("/f/");
            let outcome = start + n as i64;
            let alliance = 7 + (n as i64 + k as i64) % 3;
            ops::answer(state, None, token, &ratings(outcome, alliance))
                .await
                .map_err(missed)?;
            answers += 1;
        }
        if k == 0 {
            let input = LinkInput {
                session_date: day(0)?,
                session_number: Number::Int(5),
                pathway_id: pathway.clone(),
            };
            let made = ops::create_link(state, &access, &input)
                .await
                .map_err(failed)?;
            open_link = Some(made.path);
        }
    }
    let mut survey_answers = 0;
    for (username, users, relatives) in [("kliniker", 14u8, 6u8), ("radgiver.oslo", 9, 3)] {
        let user = state
            .store
            .user_by_username(username)
            .await?
            .ok_or(DemoError::Missing("a demo user"))?;
        let p = crate::auth::principal_of(&user).ok_or(DemoError::Missing("a demo user"))?;
        let share = OrgAccess::<ShareSurveys>::decide(state, p)
            .await
            .map_err(failed)?;
        for (kind, count) in [
            (SurveyKind::Users, users),
            (SurveyKind::Relatives, relatives),
        ] {
            super::surveys::share(state, &share, kind)
                .await
                .map_err(failed)?;
            let link = state
                .store
                .feedback_survey_links(share.org())
                .await?
                .into_iter()
                .find(|l| l.kind == kind)
                .ok_or(DemoError::Missing("the survey link"))?;
            for i in 0..count {
                let questions = kind.questions().len();
                let answer = SurveyAnswer(
                    (0..questions)
                        .map(|q| 3 + ((usize::from(i) + q) % 3) as u8)
                        .collect(),
                );
                state
                    .store
                    .feedback_survey_answer(&link.token, kind, &answer, today.year())
                    .await?;
                survey_answers += 1;
            }
        }
    }
    Ok(FeedbackDemo {
        answers,
        open_link,
        survey_answers,
    })
}
