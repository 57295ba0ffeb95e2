//! The persons pages: the list, registration, one person with the correction form, and
//! break-glass.

use askama::Template;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use varde_core::authz::{decide, may_break_glass, Action, Subject};
use varde_core::ids::NationalId;
use varde_core::persons::{CorrectionInput, FieldError, NewPersonInput, PersonRecord};
use varde_core::pseudonym::pseudonymise;

use super::PersonView;
use crate::authz::{
    decide_for, CorrectPerson, CreatePerson, ListPersons, OrgAccess, PersonAccess, ReadPerson,
    Target,
};
use crate::error::WebError;
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/persons", get(list))
        .route("/persons/new", get(new_page).post(new_submit))
        .route("/persons/break-glass", post(break_glass))
        .route("/persons/{id}", get(person_page))
        .route("/persons/{id}/correct", post(correct))
}

#[derive(Template)]
#[template(path = "persons/list.html")]
struct ListT {
    c: Chrome,
    persons: Vec<PersonView>,
    /// Whether to offer the break-glass form (decided by the core's rule).
    break_glass: bool,
    /// The break-glass form: empty, or as typed after a refusal.
    form: BreakGlassForm,
    error: FormError,
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<ListPersons>,
) -> PageResult {
    list_page(
        &state,
        page,
        &access,
        BreakGlassForm::default(),
        FormError::default(),
    )
    .await
}

/// The list, with the break-glass form as given (a list read, logged as one).
async fn list_page(
    state: &AppState,
    page: Page,
    access: &OrgAccess<ListPersons>,
    form: BreakGlassForm,
    error: FormError,
) -> PageResult {
    let entry = access.access(state, "", format!("org:{}", access.org().0));
    let persons = state
        .store
        .list_persons_logged(access.org(), &entry)
        .await?;
    render(&ListT {
        break_glass: may_break_glass(page.user.principal.role),
        c: page.c,
        persons: persons.iter().map(PersonView::from).collect(),
        form,
        error,
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct PersonForm {
    national_id: String,
    name: String,
    birth_date: String,
    kommune: String,
}

#[derive(Template)]
#[template(path = "persons/new.html")]
struct NewT {
    c: Chrome,
    form: PersonForm,
    error: FormError,
}

async fn new_page(page: Page, _access: OrgAccess<CreatePerson>) -> PageResult {
    render(&NewT {
        c: page.c,
        form: PersonForm::default(),
        error: FormError::default(),
    })
}

async fn new_submit(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<CreatePerson>,
    CsrfForm(f): CsrfForm<PersonForm>,
) -> PageResult {
    let input = NewPersonInput {
        national_id: f.national_id.clone(),
        name: f.name.clone(),
        birth_date: Some(f.birth_date.clone()),
        kommune: Some(f.kommune.clone()),
    };
    let result = super::create(&state, &access, &input).await;
    let l = page.c.l;
    finish(
        result,
        |id| format!("/persons/{id}"),
        // Every field as typed, the rule beside the field it names.
        |e| async move {
            render(&NewT {
                c: page.c,
                form: f,
                error: FormError::new(&e, l),
            })
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "persons/person.html")]
struct PersonT {
    c: Chrome,
    p: PersonView,
    can_correct: bool,
    flagged: bool,
    /// The correction form's values: the record's current ones, or as typed after a refusal.
    form: CorrectForm,
    error: FormError,
}

async fn person_page(
    State(state): State<AppState>,
    page: Page,
    access: PersonAccess<ReadPerson>,
) -> PageResult {
    let p = state
        .store
        .read_person_logged(access.person.id, &access.access)
        .await?;
    // The correction form is offered to whoever may correct the record (decided, not assumed).
    let can_correct = decide(
        &access.principal,
        Action::PersonCorrect,
        &Subject::of_org(p.org_id),
        None,
    )
    .allowed;
    render(&PersonT {
        c: page.c,
        form: CorrectForm::of(&p.record),
        p: PersonView::from(&p),
        can_correct,
        flagged: access.decision.flagged,
        error: FormError::default(),
    })
}

#[derive(Deserialize)]
#[serde(default)]
#[derive(Default)]
struct CorrectForm {
    name: String,
    birth_date: String,
    kommune: String,
    reason: String,
}

impl CorrectForm {
    /// The form prefilled with the record's current values (the municipality by its number,
    /// as it is typed), and no reason.
    fn of(current: &PersonRecord) -> CorrectForm {
        CorrectForm {
            name: current.name.clone(),
            birth_date: current.birth_date.clone().unwrap_or_default(),
            kommune: current.kommune.clone().unwrap_or_default(),
            reason: String::new(),
        }
    }

    /// The correction: only the fields that differ from the record become part of it.
    fn against(&self, current: &PersonRecord) -> CorrectionInput {
        let changed = |new: &str, old: Option<&str>| {
            (new.trim() != old.unwrap_or("")).then(|| new.to_owned())
        };
        CorrectionInput {
            name: changed(&self.name, Some(&current.name)),
            birth_date: changed(&self.birth_date, current.birth_date.as_deref()),
            kommune: changed(&self.kommune, current.kommune.as_deref()),
            reason: self.reason.clone(),
        }
    }
}

async fn correct(
    State(state): State<AppState>,
    page: Page,
    access: PersonAccess<CorrectPerson>,
    CsrfForm(f): CsrfForm<CorrectForm>,
) -> PageResult {
    let today = state.clock.today();
    let id = access.person.id;
    let result = state
        .store
        .correct_person(
            id,
            access.principal.user.0,
            &access.access,
            state.clock.now(),
            |current| f.against(current).parse(today).map_err(WebError::from),
        )
        .await;
    let l = page.c.l;
    finish(
        result,
        |_| format!("/persons/{id}"),
        |e| async move {
            // The form is shown again with the record: that is a read, decided and logged as
            // one.
            let target = Target {
                owner: access.person.org_id,
                subject: &access.person.pseudonym,
                record: format!("person:{id}"),
            };
            let (_, entry) =
                decide_for(&state, &access.principal, Action::PersonRead, target, None).await?;
            let p = state.store.read_person_logged(id, &entry).await?;
            render(&PersonT {
                c: page.c,
                p: PersonView::from(&p),
                can_correct: true,
                flagged: false,
                form: f,
                error: FormError::new(&e, l),
            })
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BreakGlassForm {
    national_id: String,
    reason: String,
}

/// Emergency access: a clinician names the person and writes a reason; a matching record of
/// another organisation is opened through the same authorisation (and flagged). A refusal the
/// clinician can mend (a number that is not one, no such record elsewhere, a reason too short)
/// shows the list again with the form as typed and the rule beside its field.
async fn break_glass(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<BreakGlassForm>,
) -> PageResult {
    let opened = open_break_glass(&state, &page, &f).await;
    let (p, flagged) = match opened {
        Ok(found) => found,
        Err(e) if e.is_mendable() || e.status == axum::http::StatusCode::NOT_FOUND => {
            // Shown again only to whoever may see the list (a clinician may).
            let access =
                OrgAccess::<ListPersons>::decide(&state, page.user.principal.clone()).await?;
            let e = if e.status == axum::http::StatusCode::NOT_FOUND {
                WebError::invalid(
                    "national_id",
                    "no other organisation has a record with this number",
                )
                .with_status(e.status)
            } else {
                e
            };
            let status = e.status;
            let error = FormError::new(&e, page.c.l);
            let mut res = list_page(&state, page, &access, f, error).await?;
            *res.status_mut() = status;
            return Ok(res);
        }
        Err(e) => return Err(e),
    };
    render(&PersonT {
        c: page.c,
        form: CorrectForm::of(&p.record),
        p: PersonView::from(&p),
        can_correct: false,
        flagged,
        error: FormError::default(),
    })
}

/// The record of another organisation `f` names, read under break-glass: the record and
/// whether the access was flagged.
async fn open_break_glass(
    state: &AppState,
    page: &Page,
    f: &BreakGlassForm,
) -> Result<(varde_store::PersonRow, bool), WebError> {
    let nid = NationalId::parse(&f.national_id, &state.id_policy()).map_err(FieldError::from)?;
    let pseudonym = pseudonymise(&state.key, &nid);
    let ids = state
        .store
        .person_ids_by_pseudonym(pseudonym.as_str())
        .await?;
    let Some(id) = ids
        .into_iter()
        .find(|(_, org)| *org != page.user.principal.org)
        .map(|(id, _)| id)
    else {
        return Err(WebError::not_found());
    };
    let access =
        PersonAccess::<ReadPerson>::decide(state, page.user.principal.clone(), id, Some(&f.reason))
            .await?;
    let p = state.store.read_person_logged(id, &access.access).await?;
    Ok((p, access.decision.flagged))
}
