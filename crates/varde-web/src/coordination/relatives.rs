//! Relatives and children as relatives (issue 16, section 5), on a plan: the operations
//! (called by the page, the API and the demo alike) and the page
//! `/coordination/plans/{id}/relatives` with its forms.
//!
//! Reading goes through `PlanAccess<ReadPlans>` like the plan itself (the own organisation;
//! another only with the person's consent to scope `plan` or as the plan's coordinator), and
//! the access entry names which. Writing needs `PlanAccess<WritePlans>` and the plan's own
//! organisation: an agreement records the person's consent to what the organisation that
//! holds the plan shares, and the § 10 a duty is the treating organisation's.

use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use varde_core::calendar::add_days;
use varde_core::coordination::children::{self, ChildrenInput, Party};
use varde_core::coordination::relatives::{self, AgreementInput, Relation};
use varde_core::coordination::Scope;
use varde_core::org::Principal;
use varde_store::{StoredAgreement, StoredChildren};

use super::access::PlanAccess;
use super::person_page::Typed;
use crate::authz::{ReadPlans, WritePlans};
use crate::error::WebError;
use crate::forms::{finish, render, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/coordination/plans/{id}/relatives",
            get(show).post(add_form),
        )
        .route(
            "/coordination/plans/{id}/relatives/{agreement}/end",
            post(end_form),
        )
        .route(
            "/coordination/plans/{id}/relatives/{agreement}/group",
            post(group_form),
        )
        .route("/coordination/plans/{id}/children", post(children_form))
}

/// Write access to plan `id`, for its own organisation only.
async fn own_write(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<PlanAccess<WritePlans>, WebError> {
    let a = PlanAccess::<WritePlans>::decide(state, principal.clone(), id, None).await?;
    if a.plan.org_id != principal.org {
        return Err(WebError::invalid(
            "plan",
            "recorded by the plan's own organisation only",
        ));
    }
    Ok(a)
}

/// Records an agreement with a relative on plan `id`. Returns its id.
pub async fn add(
    state: &AppState,
    principal: &Principal,
    id: i64,
    input: &AgreementInput,
) -> Result<i64, WebError> {
    let a = own_write(state, principal, id).await?;
    let new = relatives::check(input, state.clock.today()).map_err(WebError::invalid_fields)?;
    Ok(state
        .store
        .coordination_relatives_add(
            a.plan.org_id,
            id,
            &new,
            principal.user.0,
            state.clock.now(),
            &a.access,
        )
        .await?)
}

/// Ends or withdraws agreement `agreement` of plan `id`.
pub async fn end(
    state: &AppState,
    principal: &Principal,
    id: i64,
    agreement: i64,
    how: &str,
    reason: &str,
) -> Result<(), WebError> {
    let a = own_write(state, principal, id).await?;
    let (how, reason) = relatives::ending(how, reason).map_err(WebError::invalid_fields)?;
    Ok(state
        .store
        .coordination_relatives_end(
            a.plan.org_id,
            id,
            agreement,
            how,
            reason.as_deref(),
            principal.user.0,
            state.clock.now(),
            &a.access,
        )
        .await?)
}

/// Makes the relative of agreement `agreement` a member of plan `id`'s responsibility group.
/// Returns the member's id.
pub async fn to_group(
    state: &AppState,
    principal: &Principal,
    id: i64,
    agreement: i64,
) -> Result<i64, WebError> {
    let a = own_write(state, principal, id).await?;
    Ok(state
        .store
        .coordination_relatives_to_group(
            a.plan.org_id,
            id,
            agreement,
            principal.user.0,
            state.clock.now(),
            &a.access,
        )
        .await?)
}

/// Records children as relatives on plan `id`. Returns the record's id.
pub async fn add_children(
    state: &AppState,
    principal: &Principal,
    id: i64,
    input: &ChildrenInput,
) -> Result<i64, WebError> {
    let a = own_write(state, principal, id).await?;
    let new = children::check(input, state.clock.today()).map_err(WebError::invalid_fields)?;
    Ok(state
        .store
        .coordination_children_add(id, &new, principal.user.0, state.clock.now(), &a.access)
        .await?)
}

/// The agreements and children records of plan `id`, read as one logged access.
pub async fn read(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<
    (
        PlanAccess<ReadPlans>,
        Vec<StoredAgreement>,
        Vec<StoredChildren>,
    ),
    WebError,
> {
    let a = PlanAccess::<ReadPlans>::decide(state, principal.clone(), id, None).await?;
    let agreements = state.store.coordination_relatives_of(id, &a.access).await?;
    let records = state.store.coordination_children_of(id, None).await?;
    Ok((a, agreements, records))
}

#[derive(Template)]
#[template(path = "coordination/relatives.html")]
struct RelativesT {
    c: Chrome,
    plan: i64,
    own: bool,
    today: String,
    agreements: Vec<StoredAgreement>,
    records: Vec<StoredChildren>,
    relations: Vec<&'static str>,
    scopes: Vec<&'static str>,
    parties: Vec<&'static str>,
    failed: String,
    error: FormError,
    form: Typed,
}

impl RelativesT {
    fn failed_is(&self, form: &str) -> bool {
        self.failed == form
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.form.all(name).contains(&value)
    }
    fn review_due(&self, a: &StoredAgreement) -> bool {
        match (a.review_on.parse(), self.today.parse()) {
            (Ok(r), Ok(t)) => a.ended_how.is_none() && relatives::review_due(r, t),
            _ => false,
        }
    }
}

async fn page_with(
    state: &AppState,
    page: Page,
    id: i64,
    failed: &str,
    error: FormError,
    form: Typed,
) -> PageResult {
    let principal = page.user.principal.clone();
    let (a, agreements, records) = read(state, &principal, id).await?;
    let own = a.plan.org_id == principal.org
        && varde_core::authz::decide(
            &principal,
            varde_core::authz::Action::CoordinationWrite,
            &super::access::subject_of(
                state,
                &principal,
                &a.plan,
                varde_core::authz::Action::CoordinationWrite,
            )
            .await?,
            None,
        )
        .allowed;
    render(&RelativesT {
        c: page.c,
        plan: id,
        own,
        today: state.clock.today().to_string(),
        agreements,
        records,
        relations: Relation::ALL.iter().map(|r| r.as_str()).collect(),
        scopes: Scope::ALL.iter().map(|s| s.as_str()).collect(),
        parties: Party::ALL.iter().map(|p| p.as_str()).collect(),
        failed: failed.to_owned(),
        error,
        form,
    })
}

async fn show(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    page_with(&state, page, id, "", FormError::default(), Typed::default()).await
}

async fn done<T>(
    state: AppState,
    page: Page,
    id: i64,
    name: &'static str,
    r: Result<T, WebError>,
    typed: Typed,
) -> PageResult {
    let l = page.c.l;
    finish(
        r,
        |_| format!("/coordination/plans/{id}/relatives#{name}"),
        |e| page_with(&state, page, id, name, FormError::new(&e, l), typed),
    )
    .await
}

async fn add_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let input = AgreementInput {
        name: f.v("name").to_owned(),
        contact: f.v("contact").to_owned(),
        relation: f.v("relation").to_owned(),
        scopes: f.all("scopes").into_iter().map(str::to_owned).collect(),
        consent_how: f.v("consent_how").to_owned(),
        consent_on: f.v("consent_on").to_owned(),
        review_on: f.v("review_on").to_owned(),
    };
    let r = add(&state, &page.user.principal, id, &input).await;
    done(state, page, id, "agreements", r, f).await
}

async fn end_form(
    State(state): State<AppState>,
    page: Page,
    Path((id, agreement)): Path<(i64, i64)>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let r = end(
        &state,
        &page.user.principal,
        id,
        agreement,
        f.v("ending"),
        f.v("reason"),
    )
    .await;
    done(state, page, id, "agreements", r, f).await
}

async fn group_form(
    State(state): State<AppState>,
    page: Page,
    Path((id, agreement)): Path<(i64, i64)>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let r = to_group(&state, &page.user.principal, id, agreement).await;
    done(state, page, id, "agreements", r, f).await
}

async fn children_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Typed>,
) -> PageResult {
    let input = ChildrenInput {
        count: f.v("count").to_owned(),
        ages: f.v("ages").to_owned(),
        talked: f.v("talked").to_owned(),
        followed_up: f.v("followed_up").to_owned(),
        with: f.all("with").into_iter().map(str::to_owned).collect(),
        on: f.v("on").to_owned(),
    };
    let r = add_children(&state, &page.user.principal, id, &input).await;
    done(state, page, id, "children", r, f).await
}

/// The demo's relatives and children, on the demo's open plans (`plans`, in the order the
/// demo made them), recorded by `oslo` through the same operations: an agreement due for
/// review within 30 days whose relative is in the group, one further ahead, one withdrawn;
/// children-as-relatives records in every combination.
pub async fn seed_demo(state: &AppState, oslo: &Principal, plans: &[i64]) -> Result<(), WebError> {
    let today = state.clock.today();
    let day = |n: i64| add_days(today, n).to_string();
    let agreement = |name: &str, relation: &str, scopes: &[&str], review: i64| AgreementInput {
        name: name.into(),
        contact: String::new(),
        relation: relation.into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        consent_how: "written".into(),
        consent_on: day(-30),
        review_on: day(review),
    };
    if let Some(&p) = plans.first() {
        let a = add(
            state,
            oslo,
            p,
            &agreement("Siri Demo", "sibling", &["plan", "discharge_notice"], 20),
        )
        .await?;
        to_group(state, oslo, p, a).await?;
    }
    if let Some(&p) = plans.get(1) {
        add(
            state,
            oslo,
            p,
            &agreement("Per Demo", "parent", &["plan"], 150),
        )
        .await?;
        let w = add(
            state,
            oslo,
            p,
            &agreement("Tone Demo", "partner", &["pathway_status"], 90),
        )
        .await?;
        end(
            state,
            oslo,
            p,
            w,
            "withdrawn",
            "Personen ønsker ikke lenger deling",
        )
        .await?;
    }
    let records: [(&str, &str, &str, &str, &[&str]); 4] = [
        (
            "2",
            "4, 11",
            "yes",
            "yes",
            &["other_parent", "school_nurse"],
        ),
        ("1", "", "yes", "", &[]),
        ("0", "", "", "", &[]),
        ("1", "16", "yes", "yes", &["child_welfare"]),
    ];
    for (&p, (count, ages, talked, followed_up, with)) in plans.iter().zip(records) {
        let input = ChildrenInput {
            count: count.into(),
            ages: ages.into(),
            talked: talked.into(),
            followed_up: followed_up.into(),
            with: with.iter().map(|w| (*w).to_owned()).collect(),
            on: day(-7),
        };
        add_children(state, oslo, p, &input).await?;
    }
    Ok(())
}
