//! The patient's answer page, `/f/{token}` (no login, no JavaScript, readable on a phone): the
//! session's eight items as radio buttons 0–10. The token in the address is the form's only
//! key, and it is what makes the form safe without a session: a page elsewhere cannot know it,
//! and it works once. A wrong, used or expired token gets the same 404 page, in the same time.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use varde_core::feedback::{AnswerInput, Number, Scale, ITEMS, ITEM_MAX};

use super::ops::{self, Missed};
use crate::drugcheck::Client;
use crate::error::WebError;
use crate::forms::{render, render_status, FormError, PageResult};
use crate::i18n::Lang;
use crate::shell::Chrome;
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/f/{token}", get(form).post(send))
}

/// One item as the form shows it.
pub(super) struct Item {
    pub id: &'static str,
    pub text: &'static str,
    /// The value as typed ("" when none).
    pub value: String,
}

#[derive(Template)]
#[template(path = "feedback/answer.html")]
struct AnswerT {
    c: Chrome,
    token: String,
    org_name: String,
    session_date: String,
    outcome: Vec<Item>,
    alliance: Vec<Item>,
    points: Vec<String>,
    error: FormError,
}

#[derive(Template)]
#[template(path = "feedback/gone.html")]
struct GoneT {
    c: Chrome,
}

#[derive(Template)]
#[template(path = "feedback/thanks.html")]
struct ThanksT {
    c: Chrome,
}

/// The frame of a page that needs no login. The one 404 page goes back to the start page, so
/// that it is the same page for every token.
fn chrome(l: Lang) -> Chrome {
    Chrome::anonymous(l, "/")
}

/// The frame of the form: the language switch comes back to it.
fn form_chrome(l: Lang, token: &str) -> Chrome {
    Chrome::anonymous(l, &format!("/f/{token}"))
}

fn items(l: Lang, scale: Scale, typed: &BTreeMap<String, String>) -> Vec<Item> {
    ITEMS
        .iter()
        .filter(|(_, s)| *s == scale)
        .map(|(id, _)| Item {
            id,
            text: l.t(&format!("feedback.item.{id}")),
            value: typed.get(*id).cloned().unwrap_or_default(),
        })
        .collect()
}

fn answer_page(
    l: Lang,
    token: String,
    link: varde_store::OpenFeedbackLink,
    typed: &BTreeMap<String, String>,
    error: FormError,
) -> AnswerT {
    AnswerT {
        c: form_chrome(l, &token),
        token,
        org_name: link.org_name,
        session_date: link.session_date,
        outcome: items(l, Scale::Outcome, typed),
        alliance: items(l, Scale::Alliance, typed),
        points: (0..=ITEM_MAX).map(|p| p.to_string()).collect(),
        error,
    }
}

fn missed(l: Lang, m: Missed) -> PageResult {
    match m {
        Missed::Limited(wait) => Ok(crate::drugcheck::ops::too_many(wait)),
        Missed::Gone => render_status(&GoneT { c: chrome(l) }, StatusCode::NOT_FOUND),
        Missed::Failed(e) => Err(e),
    }
}

/// `GET /f/{token}`: the form, or the one 404 page for every link that does not work.
async fn form(
    State(state): State<AppState>,
    Client(client): Client,
    l: Lang,
    Path(token): Path<String>,
) -> PageResult {
    match ops::open(&state, client, &token).await {
        Ok(link) => render(&answer_page(
            l,
            token,
            link,
            &BTreeMap::new(),
            FormError::default(),
        )),
        Err(m) => missed(l, m),
    }
}

/// `POST /f/{token}`: the answer; thanks, the form again naming each item missed (422, the
/// link kept), or the 404 page.
async fn send(
    State(state): State<AppState>,
    Client(client): Client,
    l: Lang,
    Path(token): Path<String>,
    axum::Form(typed): axum::Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let input: AnswerInput = typed
        .iter()
        .map(|(k, v)| (k.clone(), Number::Text(v.clone())))
        .collect();
    match ops::answer(&state, client, &token, &input).await {
        Ok(()) => render(&ThanksT { c: chrome(l) }),
        Err(Missed::Failed(e)) if e.is_mendable() => {
            let status = e.status;
            // The page again: the link as it stands (still open: nothing was written).
            match state
                .store
                .feedback_link_open(
                    &varde_core::feedback::lookup_hash(&token),
                    state.clock.now(),
                )
                .await?
            {
                Some(link) => {
                    let page = answer_page(l, token, link, &typed, FormError::new(&e, l));
                    render_status(&page, status)
                }
                None => missed(l, Missed::Gone),
            }
        }
        Err(m) => missed(l, m),
    }
}
