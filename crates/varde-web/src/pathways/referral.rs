//! "Ny henvisning": a referral registered for a person. The clinician finds the person in the
//! organisation's register by name or national identity number (a search logged as one list
//! read) or registers a new one in the same form; the health trust and the unit default to the
//! organisation's. The pathway id is minted by the server unless one is given.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;
use varde_core::pathways::place::{self, org_hf, rhf_of, tsb_health_trusts};
use varde_core::pathways::{check_new, EventFields};
use varde_core::persons::NewPersonInput;

use super::cache::load;
use super::events::register;
use crate::authz::{CreatePerson, ListPersons, OrgAccess, WritePathways};
use crate::error::WebError;
use crate::forms::{finish, path_segment, render, render_status, CsrfForm, FormError, PageResult};
use crate::shell::{Chrome, Page};
use crate::AppState;

/// The fields of the form beside which a rule is shown (any other refusal above the form).
const FORM_FIELDS: [&str; 9] = [
    "person_id",
    "national_id",
    "name",
    "pathway_id",
    "date",
    "hf",
    "unit",
    "kommune",
    "care_level",
];

/// At most this many persons are offered for one search.
const MAX_MATCHES: usize = 20;

/// A person found by the search, as the form offers them.
struct Match {
    id: i64,
    name: String,
    birth_date: String,
}

#[derive(Template)]
#[template(path = "pathways/new.html")]
struct NewT {
    c: Chrome,
    hfs: Vec<String>,
    form: NewForm,
    /// The search's results (empty before a search).
    matches: Vec<Match>,
    searched: bool,
    /// A refusal: its message, and the rule beside the field it names.
    error: FormError,
}

impl NewT {
    /// Whether the refusal names no field of the form (and so is shown above it).
    fn error_above(&self) -> bool {
        !FORM_FIELDS.iter().any(|f| self.error.is(f))
    }
}

/// The form (and the search's query string: `q`, with the rest kept as typed).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct NewForm {
    q: String,
    person_id: String,
    national_id: String,
    name: String,
    pathway_id: String,
    hf: String,
    unit: String,
    kommune: String,
    care_level: String,
    date: String,
    pregnant: Option<String>,
}

/// The organisation's health trust (of its registered pathways), if it has one yet.
async fn default_hf(
    state: &AppState,
    access: &OrgAccess<WritePathways>,
) -> Result<String, WebError> {
    let all = load(state, Some(access.org())).await?;
    Ok(org_hf(&all.events).unwrap_or_default().to_owned())
}

async fn unit_of(state: &AppState, page: &Page, access: &OrgAccess<WritePathways>) -> String {
    match page.c.org_name() {
        Some(name) => name.to_owned(),
        None => state.org_label(access.org()).await,
    }
}

/// The persons of the organisation matching `q` (a national identity number exactly, or a part
/// of the name), the search logged as one list read.
async fn search(
    state: &AppState,
    access: &OrgAccess<ListPersons>,
    q: &str,
) -> Result<Vec<Match>, WebError> {
    let q = q.trim();
    let entry = access.access(state, "", format!("person-search:org:{}", access.org().0));
    let persons = state
        .store
        .list_persons_logged(access.org(), &entry)
        .await?;
    let digits = q.chars().all(|c| c.is_ascii_digit());
    let needle = q.to_lowercase();
    Ok(persons
        .into_iter()
        .filter(|p| {
            if digits {
                p.record.national_id == q
            } else {
                p.record.name.to_lowercase().contains(&needle)
            }
        })
        .take(MAX_MATCHES)
        .map(|p| Match {
            id: p.id,
            name: p.record.name,
            birth_date: p.record.birth_date.unwrap_or_default(),
        })
        .collect())
}

pub(super) async fn new_page(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WritePathways>,
    list: Result<OrgAccess<ListPersons>, WebError>,
    Query(mut form): Query<NewForm>,
) -> PageResult {
    if form.date.is_empty() {
        form.date = state.clock.today().to_string();
    }
    if form.care_level.is_empty() {
        form.care_level = "outpatient".into();
    }
    if form.hf.is_empty() {
        form.hf = default_hf(&state, &access).await?;
    }
    if form.unit.is_empty() {
        form.unit = unit_of(&state, &page, &access).await;
    }
    let searched = form.q.trim().chars().count() >= 2;
    let matches = match (&list, searched) {
        (Ok(list), true) => search(&state, list, &form.q).await?,
        _ => Vec::new(),
    };
    if let [only] = matches.as_slice() {
        if form.person_id.is_empty() {
            form.person_id = only.id.to_string();
        }
    }
    render(&NewT {
        c: page.c,
        hfs: tsb_health_trusts(),
        form,
        matches,
        searched,
        error: FormError::default(),
    })
}

/// Registers a referral for the person chosen, or for a person registered first from the
/// form's new-person fields. A refused form comes back with every field as typed (and, when
/// the person was registered before the referral was refused, with that person chosen).
pub(super) async fn new_submit(
    State(state): State<AppState>,
    page: Page,
    access: OrgAccess<WritePathways>,
    create: Result<OrgAccess<CreatePerson>, WebError>,
    CsrfForm(mut f): CsrfForm<NewForm>,
) -> PageResult {
    let unit_default = unit_of(&state, &page, &access).await;
    let result = async {
        // The referral's own fields first: a person is registered only for a referral that
        // can be written.
        let rhf = rhf_of(&f.hf)
            .ok_or_else(|| WebError::invalid("hf", "choose a health trust from the list"))?;
        if !f.kommune.trim().is_empty() {
            varde_core::fields::kommune("kommune", &f.kommune)?;
        }
        let unit = match f.unit.trim() {
            "" => unit_default.clone(),
            u => u.to_owned(),
        };
        let fields = EventFields {
            pathway_id: f.pathway_id.trim().to_owned(),
            unit,
            hf: f.hf.clone(),
            rhf,
            kommune: f.kommune.trim().to_owned(),
            care_level: f.care_level.clone(),
            event: "referral_received".into(),
            date: f.date.trim().to_owned(),
            pathway_variant: if f.pregnant.is_some() {
                "pregnant".into()
            } else {
                String::new()
            },
            ..EventFields::default()
        };
        let probe = EventFields {
            pathway_id: "TSB-PROBE".into(),
            ..fields.clone()
        };
        place::check(&probe, None)?;
        let event = probe
            .parse(0)
            .map_err(|e| WebError::invalid(e.rule.field(), e.rule.to_string()))?;
        check_new(&[], &event, state.clock.today())
            .map_err(|rule| WebError::invalid(rule.field(), rule.to_string()))?;
        let person_id = if !f.person_id.trim().is_empty() {
            f.person_id.trim().to_owned()
        } else if !f.national_id.trim().is_empty() || !f.name.trim().is_empty() {
            let create = create?;
            let input = NewPersonInput {
                national_id: f.national_id.clone(),
                name: f.name.clone(),
                birth_date: None,
                kommune: None,
            };
            let id = crate::persons::create(&state, &create, &input).await?;
            // From here the person exists: a form shown again chooses them.
            f.person_id = id.to_string();
            f.national_id.clear();
            f.name.clear();
            id.to_string()
        } else {
            return Err(WebError::invalid(
                "person_id",
                "choose the person from the register, or register a new one",
            ));
        };
        register(&state, &access, fields, Some(&person_id)).await
    }
    .await;
    let l = page.c.l;
    finish(
        result,
        |pid| format!("/pathways/p/{}", path_segment(&pid)),
        |e| async move {
            render_status(
                &NewT {
                    c: page.c,
                    hfs: tsb_health_trusts(),
                    error: FormError::new(&e, l),
                    matches: Vec::new(),
                    searched: false,
                    form: f,
                },
                e.status,
            )
        },
    )
    .await
}
