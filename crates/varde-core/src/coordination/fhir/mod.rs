//! FHIR R4 (4.0.1) export of one individual plan and its consents (issue 16 § 6): a `Bundle`
//! of type `collection` as JSON, built from what the plan's reader may see.
//!
//! | resource | from |
//! |---|---|
//! | `Patient` | the person, identified only by the keyed pseudonym (no name, no identity number, no birth date) |
//! | `CarePlan` | the plan: status, coordinator (author), goals, measures (activity), evaluations (activity progress) |
//! | `Goal` | each goal, in the person's own words (expressed by the person) |
//! | `CareTeam` | the responsibility group: users and external people (`Practitioner`), the person, relatives (`RelatedPerson`) |
//! | `Consent` | each consent of the plan's organisation for the person that the reader may see |
//! | `EpisodeOfCare` | each discharge notice (TSB episode) the reader may see |
//! | `Organization` | every organisation referenced (profile `no-basis-Organization`) |
//!
//! A collection, not a document: a FHIR document needs a `Composition` attested by an author
//! as its first entry, and this export is a copy of the record as it stands, attested by no
//! one. Every id is stable (`careplan-{id}`, `goal-{id}` …); each entry's `fullUrl` is
//! `urn:varde:fhir:{type}/{id}` and every reference is such a `fullUrl`, so every reference
//! resolves inside the bundle. The same input gives the same bytes.
//!
//! Pure: no I/O, no clock; the day (for consent status and activity status) and the bundle's
//! timestamp are arguments.

mod resources;
#[cfg(test)]
mod tests;

use jiff::civil::Date;
use jiff::Timestamp;
use serde_json::{json, Value};

use super::consent::{GivenHow, Grantee};
use super::discharge::Notice;
use super::plan::{MemberKind, PlanStatus};
use super::Scope;

/// The identifier system of the person's keyed pseudonym.
pub const PSEUDONYM_SYSTEM: &str = "urn:varde:pseudonym";
/// The code system of a consent's named scope.
pub const SCOPE_SYSTEM: &str = "urn:varde:fhir:CodeSystem/consent-scope";
/// The identifier system of a Varde user (by username).
pub const USERNAME_SYSTEM: &str = "urn:varde:username";
/// The identifier system of a Varde plan.
pub const PLAN_SYSTEM: &str = "urn:varde:coordination-plan";
/// The Norwegian base profile of an organisation.
pub const NO_BASIS_ORGANIZATION: &str =
    "http://hl7.no/fhir/StructureDefinition/no-basis-Organization";
/// Organisation number in Enhetsregisteret (ENH).
pub const ENH_SYSTEM: &str = "urn:oid:2.16.578.1.12.4.1.4.101";
/// Municipality number (kommunenummer, Volven code system 3402).
pub const KOMMUNE_SYSTEM: &str = "urn:oid:2.16.578.1.12.4.1.1.3402";
/// The no-basis extension carrying a municipality code on `Address.district`.
pub const MUNICIPALITY_CODE_EXTENSION: &str =
    "http://hl7.no/fhir/StructureDefinition/no-basis-municipalitycode";

/// An organisation as the export names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: i64,
    pub name: String,
    /// Varde's kind (`municipality`, `health_trust` …).
    pub kind: String,
    pub kommunenummer: Option<String>,
    pub orgnr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: i64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub id: i64,
    pub goal: i64,
    pub text: String,
    pub owner_org: i64,
    pub owner_name: String,
    pub start: Date,
    pub evaluate_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub id: i64,
    pub measure: i64,
    pub on: Date,
    pub note: String,
    pub next: Date,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub kind: MemberKind,
    /// A user member's id.
    pub user: Option<i64>,
    /// A user's username, or the name given (none for the person).
    pub name: Option<String>,
    pub org: Option<i64>,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: i64,
    /// The organisation whose data it releases (the one that recorded it).
    pub org: i64,
    pub scope: Scope,
    pub grantee: Grantee,
    pub purpose: String,
    pub valid_from: Date,
    pub valid_until: Date,
    pub given_how: GivenHow,
    pub recorded_at: Timestamp,
    pub withdrawn: bool,
}

/// A discharge notice: the TSB episode it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub id: i64,
    pub unit_org: i64,
    pub municipality_org: i64,
    pub notice: Notice,
}

/// Everything the export of one plan is made of, as the reader may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanExport {
    pub id: i64,
    /// The organisation that holds the plan.
    pub org: i64,
    pub pseudonym: String,
    pub status: PlanStatus,
    pub created_on: Date,
    /// The coordinator: user id and username.
    pub coordinator: Option<(i64, String)>,
    pub goals: Vec<Goal>,
    pub measures: Vec<Measure>,
    pub evaluations: Vec<Evaluation>,
    pub members: Vec<Member>,
    pub consents: Vec<Consent>,
    pub episodes: Vec<Episode>,
    /// Every organisation the plan, its measures, members, consents and episodes name.
    pub orgs: Vec<Org>,
}

/// The consents of a plan's organisation a reader may see in its export: all of them for a
/// reader of the plan's own organisation; for a reader of another organisation only those
/// given to that organisation or to this plan's responsibility group (the ones its access
/// can rest on), never what the person agreed to share with others.
pub fn consents_for_reader(
    consents: Vec<Consent>,
    plan_org: i64,
    plan_id: i64,
    reader_org: i64,
) -> Vec<Consent> {
    consents
        .into_iter()
        .filter(|c| {
            reader_org == plan_org
                || c.grantee == Grantee::Org(reader_org)
                || c.grantee == Grantee::Group(plan_id)
        })
        .collect()
}

/// A consent's FHIR status on `today`: `inactive` once withdrawn or past its last day,
/// otherwise `active` (one whose first day is still ahead is active with a provision period
/// that has not begun).
pub fn consent_status(c: &Consent, today: Date) -> &'static str {
    if c.withdrawn || c.valid_until < today {
        "inactive"
    } else {
        "active"
    }
}

/// A plan's status as a `CarePlan.status` (RequestStatus).
pub fn careplan_status(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "draft",
        PlanStatus::Active => "active",
        PlanStatus::Closed => "completed",
    }
}

/// A stable resource id and its `fullUrl`.
pub(crate) fn full_url(kind: &str, id: &str) -> String {
    format!("urn:varde:fhir:{kind}/{id}")
}

/// A reference to a resource of the bundle.
pub(crate) fn reference(kind: &str, id: &str) -> Value {
    json!({ "reference": full_url(kind, id), "type": kind })
}

/// The bundle of plan `p`, as of `today`, stamped `at`. Consents to another plan's group (a
/// `CareTeam` that is not in the bundle) are left out, so every reference resolves.
pub fn bundle(p: &PlanExport, today: Date, at: Timestamp) -> Value {
    let mut entries: Vec<(String, String, Value)> = Vec::new();
    let mut push = |kind: &str, id: String, resource: Value| {
        entries.push((kind.to_owned(), id, resource));
    };
    push("Patient", "patient".into(), resources::patient(p));
    push(
        "CarePlan",
        format!("careplan-{}", p.id),
        resources::careplan(p, today),
    );
    for g in &p.goals {
        push("Goal", format!("goal-{}", g.id), resources::goal(p, g));
    }
    push(
        "CareTeam",
        format!("careteam-{}", p.id),
        resources::careteam(p),
    );
    for (kind, id, r) in resources::team_people(p) {
        push(kind, id, r);
    }
    for c in p.consents.iter().filter(|c| exported(p, c)) {
        push(
            "Consent",
            format!("consent-{}", c.id),
            resources::consent(p, c, today),
        );
    }
    for e in &p.episodes {
        push(
            "EpisodeOfCare",
            format!("episodeofcare-{}", e.id),
            resources::episode(e),
        );
    }
    for o in referenced_orgs(p) {
        push(
            "Organization",
            format!("organization-{}", o.id),
            resources::organization(&o),
        );
    }
    json!({
        "resourceType": "Bundle",
        "id": format!("careplan-{}-export", p.id),
        "meta": { "lastUpdated": stamp(at) },
        "identifier": { "system": PLAN_SYSTEM, "value": p.id.to_string() },
        "type": "collection",
        "timestamp": stamp(at),
        "entry": entries.into_iter().map(|(kind, id, r)| json!({
            "fullUrl": full_url(&kind, &id),
            "resource": r,
        })).collect::<Vec<_>>(),
    })
}

/// Whether consent `c` goes into the export of `p` (its grantee resolves in the bundle).
/// The resources of `kind` in a bundle's entries, in order (none when it has no entries).
pub fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

pub(crate) fn exported(p: &PlanExport, c: &Consent) -> bool {
    match c.grantee {
        Grantee::Org(_) => true,
        Grantee::Group(plan) => plan == p.id,
    }
}

/// The organisations the bundle references, each once, in id order (one the caller did not
/// describe is named by its id, so no reference dangles).
fn referenced_orgs(p: &PlanExport) -> Vec<Org> {
    let mut ids = vec![p.org];
    ids.extend(p.measures.iter().map(|m| m.owner_org));
    ids.extend(
        p.members
            .iter()
            .filter(|m| resources::on_behalf(m))
            .filter_map(|m| m.org),
    );
    for c in p.consents.iter().filter(|c| exported(p, c)) {
        ids.push(c.org);
        if let Grantee::Org(o) = c.grantee {
            ids.push(o);
        }
    }
    for e in &p.episodes {
        ids.push(e.unit_org);
        ids.push(e.municipality_org);
    }
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            p.orgs.iter().find(|o| o.id == id).cloned().unwrap_or(Org {
                id,
                name: format!("#{id}"),
                kind: String::new(),
                kommunenummer: None,
                orgnr: None,
            })
        })
        .collect()
}

/// An instant as FHIR `instant`/`dateTime` (UTC, whole seconds).
pub(crate) fn stamp(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// What the FHIR R4 JSON schema kept in the repository cannot check. A primitive may be
/// present only as its `_element` extension, so the schema leaves `CarePlan.intent`, the
/// statuses and `Bundle.type` optional although FHIR requires them (1..1); and the schema
/// types every code as a mere `code` string, without the required value sets. So: those
/// elements are present and in their value sets, and every reference is a `fullUrl` of the
/// bundle. Returns what is wrong, empty for a sound bundle; the tests run it beside the schema.
pub fn check(bundle: &Value) -> Vec<String> {
    const REQUIRED: &[(&str, &[&str])] = &[
        ("CarePlan", &["status", "intent", "subject"]),
        ("Goal", &["lifecycleStatus", "description", "subject"]),
        ("Consent", &["status", "scope", "category"]),
        ("EpisodeOfCare", &["status", "patient"]),
        ("RelatedPerson", &["patient"]),
    ];
    const VALUE_SETS: &[(&str, &str, &[&str])] = &[
        (
            "CarePlan",
            "status",
            &[
                "draft",
                "active",
                "on-hold",
                "revoked",
                "completed",
                "entered-in-error",
                "unknown",
            ],
        ),
        (
            "CarePlan",
            "intent",
            &["proposal", "plan", "order", "option"],
        ),
        (
            "Goal",
            "lifecycleStatus",
            &[
                "proposed",
                "planned",
                "accepted",
                "active",
                "on-hold",
                "completed",
                "cancelled",
                "entered-in-error",
                "rejected",
            ],
        ),
        (
            "CareTeam",
            "status",
            &[
                "proposed",
                "active",
                "suspended",
                "inactive",
                "entered-in-error",
            ],
        ),
        (
            "Consent",
            "status",
            &[
                "draft",
                "proposed",
                "active",
                "rejected",
                "inactive",
                "entered-in-error",
            ],
        ),
        (
            "EpisodeOfCare",
            "status",
            &[
                "planned",
                "waitlist",
                "active",
                "onhold",
                "finished",
                "cancelled",
                "entered-in-error",
            ],
        ),
    ];
    let mut wrong = Vec::new();
    if bundle["resourceType"] != "Bundle" || !bundle["type"].is_string() {
        wrong.push("Bundle: resourceType and type are required".to_owned());
    }
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    let urls: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["fullUrl"].as_str())
        .collect();
    for e in &entries {
        let r = &e["resource"];
        let kind = r["resourceType"].as_str().unwrap_or("?");
        let id = r["id"].as_str().unwrap_or("?");
        for (k, fields) in REQUIRED {
            if *k == kind {
                for f in *fields {
                    if r.get(*f).is_none_or(Value::is_null) {
                        wrong.push(format!("{kind}/{id}: {f} is required"));
                    }
                }
            }
        }
        for (k, field, codes) in VALUE_SETS {
            if *k == kind {
                if let Some(v) = r[*field].as_str() {
                    if !codes.contains(&v) {
                        wrong.push(format!("{kind}/{id}: {field} {v} is not in its value set"));
                    }
                }
            }
        }
        let mut refs = Vec::new();
        collect_references(r, &mut refs);
        for x in refs {
            if !urls.contains(&x.as_str()) {
                wrong.push(format!("{kind}/{id}: reference {x} does not resolve"));
            }
        }
    }
    wrong
}

fn collect_references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("reference", Value::String(s)) => out.push(s.clone()),
                    _ => collect_references(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_references(x, out)),
        _ => {}
    }
}
