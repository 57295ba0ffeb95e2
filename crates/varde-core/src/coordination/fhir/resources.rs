//! The resources of the export, one function each.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde_json::{json, Map, Value};

use super::{
    careplan_status, consent_status, exported, reference, stamp, Consent, Episode, Evaluation,
    Goal, Member, Org, PlanExport, ENH_SYSTEM, KOMMUNE_SYSTEM, MUNICIPALITY_CODE_EXTENSION,
    NO_BASIS_ORGANIZATION, PLAN_SYSTEM, PSEUDONYM_SYSTEM, SCOPE_SYSTEM, USERNAME_SYSTEM,
};
use crate::coordination::consent::Grantee;
use crate::coordination::discharge::Status;
use crate::coordination::plan::{MemberKind, PlanStatus};

/// Varde's own extensions.
const EXT_PURPOSE: &str = "urn:varde:fhir:StructureDefinition/consent-purpose";
const EXT_GIVEN_HOW: &str = "urn:varde:fhir:StructureDefinition/consent-given-how";
const EXT_EXPECTED_DISCHARGE: &str = "urn:varde:fhir:StructureDefinition/expected-discharge";
const EXT_DISCHARGE_READY: &str = "urn:varde:fhir:StructureDefinition/discharge-ready";
const EXT_NOTIFIED: &str = "urn:varde:fhir:StructureDefinition/discharge-notified-municipality";
const NOTICE_SYSTEM: &str = "urn:varde:coordination-discharge-notice";

fn patient_ref() -> Value {
    reference("Patient", "patient")
}

fn org_ref(id: i64) -> Value {
    reference("Organization", &format!("organization-{id}"))
}

fn user_ref(id: i64) -> Value {
    reference("Practitioner", &format!("practitioner-user-{id}"))
}

fn day(d: Date) -> String {
    d.to_string()
}

/// The person: the keyed pseudonym, marked pseudonymised, and nothing else.
pub(super) fn patient(p: &PlanExport) -> Value {
    json!({
        "resourceType": "Patient",
        "id": "patient",
        "meta": { "security": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            "code": "PSEUDED",
            "display": "pseudonymized",
        }]},
        "identifier": [{ "system": PSEUDONYM_SYSTEM, "value": p.pseudonym }],
    })
}

/// A measure's status as an activity's on `today`.
fn activity_status(plan: PlanStatus, start: Date, today: Date) -> &'static str {
    match plan {
        PlanStatus::Draft => "not-started",
        PlanStatus::Closed => "stopped",
        PlanStatus::Active if start > today => "scheduled",
        PlanStatus::Active => "in-progress",
    }
}

fn progress(e: &Evaluation) -> Value {
    json!({
        "time": day(e.on),
        "authorString": e.recorded_by,
        "text": format!("{}\n\nNeste evaluering: {}", e.note, e.next),
    })
}

pub(super) fn careplan(p: &PlanExport, today: Date) -> Value {
    let activity: Vec<Value> = p
        .measures
        .iter()
        .map(|m| {
            let mut evaluations: Vec<&Evaluation> =
                p.evaluations.iter().filter(|e| e.measure == m.id).collect();
            evaluations.sort_by_key(|e| (e.on, e.id));
            // The next evaluation: the last evaluation's next date, or the first one set.
            let next = evaluations.last().map_or(m.evaluate_on, |e| e.next);
            let mut a = Map::new();
            a.insert(
                "detail".into(),
                json!({
                    "description": m.text,
                    "goal": [reference("Goal", &format!("goal-{}", m.goal))],
                    "status": activity_status(p.status, m.start, today),
                    "scheduledPeriod": { "start": day(m.start), "end": day(next) },
                    "performer": [org_ref(m.owner_org), { "display": m.owner_name }],
                }),
            );
            if !evaluations.is_empty() {
                a.insert(
                    "progress".into(),
                    Value::Array(evaluations.into_iter().map(progress).collect()),
                );
            }
            Value::Object(a)
        })
        .collect();
    let mut r = json!({
        "resourceType": "CarePlan",
        "id": format!("careplan-{}", p.id),
        "identifier": [{ "system": PLAN_SYSTEM, "value": p.id.to_string() }],
        "status": careplan_status(p.status),
        "intent": "plan",
        "category": [{ "text": "Individuell plan" }],
        "title": "Individuell plan",
        "description": "Individuell plan (pasient- og brukerrettighetsloven § 2-5; helse- og omsorgstjenesteloven § 7-1)",
        "subject": patient_ref(),
        "period": { "start": day(p.created_on) },
        "created": day(p.created_on),
        "author": match &p.coordinator {
            Some((id, _)) => user_ref(*id),
            None => org_ref(p.org),
        },
        "careTeam": [reference("CareTeam", &format!("careteam-{}", p.id))],
        "goal": p.goals.iter().map(|g| reference("Goal", &format!("goal-{}", g.id))).collect::<Vec<_>>(),
    });
    if !activity.is_empty() {
        r["activity"] = Value::Array(activity);
    }
    if p.goals.is_empty() {
        if let Some(o) = r.as_object_mut() {
            o.remove("goal");
        }
    }
    r
}

fn goal_status(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "proposed",
        PlanStatus::Active => "active",
        PlanStatus::Closed => "completed",
    }
}

pub(super) fn goal(p: &PlanExport, g: &Goal) -> Value {
    json!({
        "resourceType": "Goal",
        "id": format!("goal-{}", g.id),
        "lifecycleStatus": goal_status(p.status),
        "description": { "text": g.text },
        "subject": patient_ref(),
        "expressedBy": patient_ref(),
    })
}

/// Whether a member is a `Practitioner` acting for an organisation (only such a participant
/// may carry `onBehalfOf`, FHIR invariant ctm-1).
pub(super) fn on_behalf(m: &Member) -> bool {
    matches!(m.kind, MemberKind::User | MemberKind::External) && m.org.is_some()
}

fn member_ref(m: &Member) -> Value {
    match (m.kind, m.user) {
        (MemberKind::User, Some(u)) => user_ref(u),
        (MemberKind::Person, _) => patient_ref(),
        (MemberKind::Relative, _) => reference("RelatedPerson", &format!("relatedperson-{}", m.id)),
        _ => reference("Practitioner", &format!("practitioner-member-{}", m.id)),
    }
}

fn team_status(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "proposed",
        PlanStatus::Active => "active",
        PlanStatus::Closed => "inactive",
    }
}

pub(super) fn careteam(p: &PlanExport) -> Value {
    let mut participants = Vec::new();
    if let Some((id, _)) = &p.coordinator {
        participants.push(json!({
            "role": [{ "text": "Koordinator (pasient- og brukerrettighetsloven § 2-5 b)" }],
            "member": user_ref(*id),
            "onBehalfOf": org_ref(p.org),
        }));
    }
    for m in &p.members {
        let mut x = json!({ "role": [{ "text": m.role }], "member": member_ref(m) });
        if on_behalf(m) {
            if let Some(o) = m.org {
                x["onBehalfOf"] = org_ref(o);
            }
        }
        participants.push(x);
    }
    let mut r = json!({
        "resourceType": "CareTeam",
        "id": format!("careteam-{}", p.id),
        "status": team_status(p.status),
        "name": "Ansvarsgruppe",
        "subject": patient_ref(),
        "managingOrganization": [org_ref(p.org)],
    });
    if !participants.is_empty() {
        r["participant"] = Value::Array(participants);
    }
    r
}

/// The people of the group other than the person: a `Practitioner` for each user (the
/// coordinator too) by username and each external person by name, a `RelatedPerson` for each
/// relative. Each once, in a stable order.
pub(super) fn team_people(p: &PlanExport) -> Vec<(&'static str, String, Value)> {
    let mut out = Vec::new();
    let mut users = BTreeSet::new();
    if let Some((id, username)) = &p.coordinator {
        users.insert((*id, username.clone()));
    }
    for m in &p.members {
        if let (MemberKind::User, Some(u)) = (m.kind, m.user) {
            users.insert((u, m.name.clone().unwrap_or_default()));
        }
    }
    let mut seen = BTreeSet::new();
    for (id, username) in users {
        if !seen.insert(id) {
            continue;
        }
        let mut r =
            json!({ "resourceType": "Practitioner", "id": format!("practitioner-user-{id}") });
        if !username.is_empty() {
            r["identifier"] = json!([{ "system": USERNAME_SYSTEM, "value": username }]);
        }
        out.push(("Practitioner", format!("practitioner-user-{id}"), r));
    }
    for m in &p.members {
        let name = json!([{ "text": m.name.clone().unwrap_or_default() }]);
        match m.kind {
            MemberKind::External => {
                let id = format!("practitioner-member-{}", m.id);
                out.push((
                    "Practitioner",
                    id.clone(),
                    json!({ "resourceType": "Practitioner", "id": id, "name": name }),
                ));
            }
            MemberKind::Relative => {
                let id = format!("relatedperson-{}", m.id);
                out.push((
                    "RelatedPerson",
                    id.clone(),
                    json!({
                        "resourceType": "RelatedPerson",
                        "id": id,
                        "patient": patient_ref(),
                        "relationship": [{ "text": m.role }],
                        "name": name,
                    }),
                ));
            }
            MemberKind::User if m.user.is_none() => {
                // A user member whose account is gone: kept as a named practitioner.
                let id = format!("practitioner-member-{}", m.id);
                out.push((
                    "Practitioner",
                    id.clone(),
                    json!({ "resourceType": "Practitioner", "id": id, "name": name }),
                ));
            }
            _ => {}
        }
    }
    out
}

pub(super) fn consent(p: &PlanExport, c: &Consent, today: Date) -> Value {
    debug_assert!(exported(p, c));
    let grantee = match c.grantee {
        Grantee::Org(o) => org_ref(o),
        Grantee::Group(plan) => reference("CareTeam", &format!("careteam-{plan}")),
    };
    json!({
        "resourceType": "Consent",
        "id": format!("consent-{}", c.id),
        "extension": [
            { "url": EXT_PURPOSE, "valueString": c.purpose },
            { "url": EXT_GIVEN_HOW, "valueCode": c.given_how.as_str() },
        ],
        "identifier": [{ "system": "urn:varde:coordination-consent", "value": c.id.to_string() }],
        "status": consent_status(c, today),
        "scope": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "patient-privacy",
            "display": "Privacy Consent",
        }]},
        "category": [{ "coding": [{
            "system": "http://loinc.org",
            "code": "59284-0",
            "display": "Patient Consent",
        }]}],
        "patient": patient_ref(),
        "dateTime": stamp(c.recorded_at),
        "performer": [patient_ref()],
        "organization": [org_ref(c.org)],
        "policyRule": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "OPTIN",
            "display": "opt-in",
        }]},
        "provision": {
            "type": "permit",
            "period": { "start": day(c.valid_from), "end": day(c.valid_until) },
            "actor": [{
                "role": { "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                    "code": "IRCP",
                    "display": "information recipient",
                }]},
                "reference": grantee,
            }],
            "action": [
                { "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/consentaction",
                    "code": "access",
                    "display": "Access",
                }]},
                { "coding": [{ "system": SCOPE_SYSTEM, "code": c.scope.as_str() }] },
            ],
            "purpose": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                "code": "COC",
                "display": "coordination of care",
            }],
        },
    })
}

pub(super) fn episode(e: &Episode) -> Value {
    let n = &e.notice;
    let mut ext = vec![
        json!({ "url": EXT_EXPECTED_DISCHARGE, "valueDate": day(n.raise.expected_discharge) }),
        json!({ "url": EXT_NOTIFIED, "valueReference": org_ref(e.municipality_org) }),
    ];
    if let Some(r) = n.ready_on {
        ext.push(json!({ "url": EXT_DISCHARGE_READY, "valueDate": day(r) }));
    }
    let discharged = n.status() == Status::Discharged;
    let mut r = json!({
        "resourceType": "EpisodeOfCare",
        "id": format!("episodeofcare-{}", e.id),
        "extension": ext,
        "identifier": [{ "system": NOTICE_SYSTEM, "value": e.id.to_string() }],
        "status": if discharged { "finished" } else { "active" },
        "type": [{ "text": "Tverrfaglig spesialisert rusbehandling (TSB)" }],
        "patient": patient_ref(),
        "managingOrganization": org_ref(e.unit_org),
    });
    if let Some(d) = n.discharged_on {
        r["period"] = json!({ "end": day(d) });
    }
    r
}

pub(super) fn organization(o: &Org) -> Value {
    let mut identifier = Vec::new();
    if let Some(n) = &o.orgnr {
        identifier.push(json!({ "system": ENH_SYSTEM, "value": n }));
    }
    if let Some(k) = &o.kommunenummer {
        identifier.push(json!({ "system": KOMMUNE_SYSTEM, "value": k }));
    }
    let mut r = json!({
        "resourceType": "Organization",
        "id": format!("organization-{}", o.id),
        "meta": { "profile": [NO_BASIS_ORGANIZATION] },
        "name": o.name,
    });
    if !identifier.is_empty() {
        r["identifier"] = Value::Array(identifier);
    }
    if !o.kind.is_empty() {
        r["type"] = json!([{ "text": o.kind }]);
    }
    if let Some(k) = &o.kommunenummer {
        r["address"] = json!([{ "_district": { "extension": [{
            "url": MUNICIPALITY_CODE_EXTENSION,
            "valueCoding": { "system": KOMMUNE_SYSTEM, "code": k },
        }]}}]);
    }
    r
}
