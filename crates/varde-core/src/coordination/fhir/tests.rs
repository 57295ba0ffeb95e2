//! The FHIR export's mapping, and a rich bundle validated against the FHIR R4 JSON schema
//! kept in `tests/fhir/` (which must also reject bundles that break it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use jiff::civil::{date, Date};
use jiff::Timestamp;
use serde_json::Value;

use super::*;
use crate::coordination::discharge::{Needs, Raise};

const TODAY: Date = date(2026, 11, 24);
const PLAN_ORG: i64 = 3;
const TSB: i64 = 7;
const THIRD: i64 = 9;
/// The test person's identity number and name: neither may appear in any export.
const NUMBER: &str = "10848000144";
const NAME: &str = "Kari Nordmann";

fn at() -> Timestamp {
    "2026-11-24T09:30:00Z".parse().unwrap()
}

fn org(id: i64, name: &str, kind: &str, kommune: Option<&str>, orgnr: Option<&str>) -> Org {
    Org {
        id,
        name: name.into(),
        kind: kind.into(),
        kommunenummer: kommune.map(Into::into),
        orgnr: orgnr.map(Into::into),
    }
}

fn consent(id: i64, scope: Scope, grantee: Grantee, withdrawn: bool, until: Date) -> Consent {
    Consent {
        id,
        org: PLAN_ORG,
        scope,
        grantee,
        purpose: "Samarbeid om individuell plan".into(),
        valid_from: date(2026, 10, 1),
        valid_until: until,
        given_how: GivenHow::Written,
        recorded_at: "2026-10-01T08:00:00Z".parse().unwrap(),
        withdrawn,
    }
}

/// A plan with every resource kind: goals, measures with evaluations, every kind of member,
/// consents in force, withdrawn, expired and to another plan's group, and a TSB episode.
fn rich() -> PlanExport {
    let mut notice = Notice::new(Raise {
        raised_on: date(2026, 9, 1),
        expected_discharge: date(2026, 10, 15),
        needs: Needs::default(),
        meeting_requested: true,
        note: Some("Ingen bolig".into()),
    });
    notice.ready_on = Some(date(2026, 10, 14));
    notice.discharged_on = Some(date(2026, 10, 20));
    PlanExport {
        id: 11,
        org: PLAN_ORG,
        pseudonym: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
        status: PlanStatus::Active,
        created_on: date(2026, 10, 2),
        coordinator: Some((21, "koordinator".into())),
        goals: vec![
            Goal {
                id: 1,
                text: "Egen bolig innen sommeren".into(),
            },
            Goal {
                id: 2,
                text: "Komme i arbeid".into(),
            },
        ],
        measures: vec![
            Measure {
                id: 5,
                goal: 1,
                text: "Søknad om kommunal bolig".into(),
                owner_org: PLAN_ORG,
                owner_name: "Boligkontoret".into(),
                start: date(2026, 10, 5),
                evaluate_on: date(2026, 11, 5),
            },
            Measure {
                id: 6,
                goal: 2,
                text: "Arbeidstrening".into(),
                owner_org: TSB,
                owner_name: "Poliklinikken".into(),
                start: date(2026, 12, 1),
                evaluate_on: date(2027, 1, 15),
            },
        ],
        evaluations: vec![Evaluation {
            id: 8,
            measure: 5,
            on: date(2026, 11, 5),
            note: "Søknad sendt".into(),
            next: date(2026, 12, 5),
            recorded_by: "koordinator".into(),
        }],
        members: vec![
            Member {
                id: 31,
                kind: MemberKind::User,
                user: Some(22),
                name: Some("behandler".into()),
                org: Some(TSB),
                role: "Behandler".into(),
            },
            Member {
                id: 32,
                kind: MemberKind::External,
                user: None,
                name: Some("Dr. Lege".into()),
                org: None,
                role: "Fastlege".into(),
            },
            Member {
                id: 33,
                kind: MemberKind::Person,
                user: None,
                name: None,
                org: None,
                role: "Personen selv".into(),
            },
            Member {
                id: 34,
                kind: MemberKind::Relative,
                user: None,
                name: Some("Ola Pårørende".into()),
                org: None,
                role: "Bror".into(),
            },
        ],
        consents: vec![
            consent(41, Scope::Plan, Grantee::Org(TSB), false, date(2027, 4, 1)),
            consent(42, Scope::Plan, Grantee::Org(TSB), true, date(2027, 4, 1)),
            consent(
                43,
                Scope::DischargeNotice,
                Grantee::Org(TSB),
                false,
                date(2026, 11, 1),
            ),
            consent(
                44,
                Scope::PathwayStatus,
                Grantee::Group(11),
                false,
                date(2027, 4, 1),
            ),
            consent(
                45,
                Scope::OverdoseNotice,
                Grantee::Group(99),
                false,
                date(2027, 4, 1),
            ),
            consent(
                46,
                Scope::OverdoseNotice,
                Grantee::Org(THIRD),
                false,
                date(2027, 4, 1),
            ),
        ],
        episodes: vec![Episode {
            id: 51,
            unit_org: TSB,
            municipality_org: PLAN_ORG,
            notice,
        }],
        orgs: vec![
            org(
                PLAN_ORG,
                "Bergen kommune",
                "municipality",
                Some("4601"),
                Some("964338531"),
            ),
            org(TSB, "Rusklinikken", "health_trust", None, Some("983974732")),
            org(THIRD, "Tredje kommune", "municipality", Some("0301"), None),
            org(12, "Ikke nevnt", "municipality", Some("1103"), None),
        ],
    }
}

fn by_id<'a>(b: &'a Value, kind: &str, id: &str) -> &'a Value {
    resources(b, kind)
        .into_iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {kind}/{id}"))
}

/// Every `reference` anywhere under `v`.
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("reference", Value::String(s)) => out.push(s.clone()),
                    _ => references(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        _ => {}
    }
}

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fhir/fhir.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft6::new(&schema).unwrap()
}

fn errors(v: &jsonschema::Validator, b: &Value) -> Vec<String> {
    v.iter_errors(b)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn plan_status_maps_to_careplan_goal_and_team_status() {
    for (s, plan, goal, team, activity) in [
        (
            PlanStatus::Draft,
            "draft",
            "proposed",
            "proposed",
            "not-started",
        ),
        (
            PlanStatus::Active,
            "active",
            "active",
            "active",
            "in-progress",
        ),
        (
            PlanStatus::Closed,
            "completed",
            "completed",
            "inactive",
            "stopped",
        ),
    ] {
        let mut p = rich();
        p.status = s;
        let b = bundle(&p, TODAY, at());
        let cp = by_id(&b, "CarePlan", "careplan-11");
        assert_eq!(cp["status"], plan);
        assert_eq!(cp["intent"], "plan");
        assert_eq!(by_id(&b, "Goal", "goal-1")["lifecycleStatus"], goal);
        assert_eq!(by_id(&b, "CareTeam", "careteam-11")["status"], team);
        assert_eq!(cp["activity"][0]["detail"]["status"], activity);
    }
    // An active plan's measure that starts later is scheduled.
    let b = bundle(&rich(), TODAY, at());
    let cp = by_id(&b, "CarePlan", "careplan-11");
    assert_eq!(cp["activity"][1]["detail"]["status"], "scheduled");
}

#[test]
fn measures_carry_owner_period_goal_and_evaluations() {
    let b = bundle(&rich(), TODAY, at());
    let cp = by_id(&b, "CarePlan", "careplan-11");
    let a = &cp["activity"][0];
    assert_eq!(a["detail"]["description"], "Søknad om kommunal bolig");
    assert_eq!(
        a["detail"]["goal"][0]["reference"],
        "urn:varde:fhir:Goal/goal-1"
    );
    assert_eq!(
        a["detail"]["performer"][0]["reference"],
        "urn:varde:fhir:Organization/organization-3"
    );
    assert_eq!(a["detail"]["performer"][1]["display"], "Boligkontoret");
    // The period runs from the start to the next evaluation (the evaluation's next date).
    assert_eq!(a["detail"]["scheduledPeriod"]["start"], "2026-10-05");
    assert_eq!(a["detail"]["scheduledPeriod"]["end"], "2026-12-05");
    assert_eq!(a["progress"][0]["time"], "2026-11-05");
    assert!(a["progress"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Søknad sendt"));
    // Not yet evaluated: the first evaluation date.
    assert_eq!(
        cp["activity"][1]["detail"]["scheduledPeriod"]["end"],
        "2027-01-15"
    );
    assert!(cp["activity"][1].get("progress").is_none());
    assert_eq!(
        cp["author"]["reference"],
        "urn:varde:fhir:Practitioner/practitioner-user-21"
    );
    assert_eq!(cp["goal"].as_array().unwrap().len(), 2);
}

#[test]
fn consent_status_scope_grantee_and_period() {
    let b = bundle(&rich(), TODAY, at());
    let active = by_id(&b, "Consent", "consent-41");
    assert_eq!(active["status"], "active");
    assert_eq!(active["scope"]["coding"][0]["code"], "patient-privacy");
    assert_eq!(active["provision"]["period"]["start"], "2026-10-01");
    assert_eq!(active["provision"]["period"]["end"], "2027-04-01");
    assert_eq!(
        active["provision"]["actor"][0]["reference"]["reference"],
        "urn:varde:fhir:Organization/organization-7"
    );
    assert_eq!(
        active["provision"]["action"][1]["coding"][0]["system"],
        SCOPE_SYSTEM
    );
    assert_eq!(
        active["provision"]["action"][1]["coding"][0]["code"],
        "plan"
    );
    // Withdrawn and expired: inactive.
    assert_eq!(by_id(&b, "Consent", "consent-42")["status"], "inactive");
    assert_eq!(by_id(&b, "Consent", "consent-43")["status"], "inactive");
    // To this plan's group: the CareTeam.
    assert_eq!(
        by_id(&b, "Consent", "consent-44")["provision"]["actor"][0]["reference"]["reference"],
        "urn:varde:fhir:CareTeam/careteam-11"
    );
    // To another plan's group: not in this bundle.
    assert!(resources(&b, "Consent")
        .iter()
        .all(|c| c["id"] != "consent-45"));
    // The status function itself, at the edges.
    let c = consent(1, Scope::Plan, Grantee::Org(TSB), false, TODAY);
    assert_eq!(consent_status(&c, TODAY), "active");
    assert_eq!(consent_status(&c, date(2026, 11, 25)), "inactive");
}

#[test]
fn a_reader_of_another_organisation_sees_only_the_consents_given_to_it() {
    let all = rich().consents;
    let own: Vec<i64> = consents_for_reader(all.clone(), PLAN_ORG, 11, PLAN_ORG)
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(own, [41, 42, 43, 44, 45, 46]);
    let tsb: Vec<i64> = consents_for_reader(all.clone(), PLAN_ORG, 11, TSB)
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(tsb, [41, 42, 43, 44]);
    let third: Vec<i64> = consents_for_reader(all, PLAN_ORG, 11, THIRD)
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(third, [44, 46]);
}

#[test]
fn every_reference_resolves_inside_the_bundle() {
    for mut p in [rich(), {
        let mut p = rich();
        p.coordinator = None;
        p.goals.clear();
        p.measures.clear();
        p.evaluations.clear();
        p.members.clear();
        p.consents.clear();
        p.episodes.clear();
        p
    }] {
        // An organisation the caller did not describe still resolves.
        p.orgs.retain(|o| o.id != TSB);
        let b = bundle(&p, TODAY, at());
        let urls: BTreeSet<String> = b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            urls.len(),
            b["entry"].as_array().unwrap().len(),
            "fullUrls unique"
        );
        let mut refs = Vec::new();
        references(&b, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            assert!(urls.contains(&r), "{r} does not resolve");
        }
    }
}

#[test]
fn the_person_is_only_a_pseudonym() {
    let p = rich();
    let b = bundle(&p, TODAY, at());
    let text = serde_json::to_string(&b).unwrap();
    assert!(!text.contains(NUMBER));
    assert!(!text.contains(NAME));
    let patients = resources(&b, "Patient");
    assert_eq!(patients.len(), 1);
    let patient = patients[0].as_object().unwrap();
    let keys: BTreeSet<&str> = patient.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["resourceType", "id", "meta", "identifier"])
    );
    assert_eq!(patient["identifier"][0]["system"], PSEUDONYM_SYSTEM);
    assert_eq!(patient["identifier"][0]["value"], p.pseudonym.as_str());
    // The discharge notice's free text stays out.
    assert!(!text.contains("Ingen bolig"));
}

#[test]
fn organisations_carry_the_norwegian_base_profile_and_identifiers() {
    let b = bundle(&rich(), TODAY, at());
    let o = by_id(&b, "Organization", "organization-3");
    assert_eq!(o["meta"]["profile"][0], NO_BASIS_ORGANIZATION);
    assert_eq!(o["identifier"][0]["system"], ENH_SYSTEM);
    assert_eq!(o["identifier"][0]["value"], "964338531");
    assert_eq!(o["identifier"][1]["system"], KOMMUNE_SYSTEM);
    assert_eq!(o["identifier"][1]["value"], "4601");
    // Only the organisations referenced (organisation 12 is not).
    let ids: Vec<&Value> = resources(&b, "Organization")
        .iter()
        .map(|o| &o["id"])
        .collect();
    assert_eq!(ids, ["organization-3", "organization-7", "organization-9"]);
}

#[test]
fn the_episode_of_care_is_the_discharge_notice() {
    let b = bundle(&rich(), TODAY, at());
    let e = by_id(&b, "EpisodeOfCare", "episodeofcare-51");
    assert_eq!(e["status"], "finished");
    assert_eq!(e["period"]["end"], "2026-10-20");
    assert_eq!(
        e["managingOrganization"]["reference"],
        "urn:varde:fhir:Organization/organization-7"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let a = serde_json::to_vec(&bundle(&rich(), TODAY, at())).unwrap();
    let b = serde_json::to_vec(&bundle(&rich(), TODAY, at())).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_rich_bundle_is_valid_fhir_r4_and_the_validator_rejects_broken_ones() {
    let v = validator();
    let b = bundle(&rich(), TODAY, at());
    let kinds: BTreeSet<&str> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "CarePlan",
            "CareTeam",
            "Consent",
            "EpisodeOfCare",
            "Goal",
            "Organization",
            "Patient",
            "Practitioner",
            "RelatedPerson",
        ])
    );
    assert_eq!(errors(&v, &b), Vec::<String>::new());
    assert_eq!(check(&b), Vec::<String>::new());

    // The schema leaves a primitive's presence to `_intent`, so it cannot require `intent`
    // itself, and it types codes without their value sets (`check` covers both); it must
    // still reject a CarePlan without its required subject, with an intent that is not a
    // code, with an element FHIR does not have, or a date that is not a FHIR date.
    fn careplan(b: &mut Value) -> &mut Value {
        b["entry"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .map(|e| &mut e["resource"])
            .find(|r| r["resourceType"] == "CarePlan")
            .unwrap()
    }
    let mut no_subject = b.clone();
    careplan(&mut no_subject)
        .as_object_mut()
        .unwrap()
        .remove("subject");
    assert!(!v.is_valid(&no_subject));
    let mut bad_intent = b.clone();
    careplan(&mut bad_intent)["intent"] = 5.into();
    assert!(!v.is_valid(&bad_intent));
    careplan(&mut bad_intent)["intent"] = "wish".into();
    assert_eq!(
        check(&bad_intent),
        ["CarePlan/careplan-11: intent wish is not in its value set"]
    );
    // Without intent: the schema lets it pass, `check` rejects it; with the intent under a
    // name FHIR does not have, the schema rejects it too.
    let mut no_intent = b.clone();
    careplan(&mut no_intent)
        .as_object_mut()
        .unwrap()
        .remove("intent");
    assert_eq!(
        check(&no_intent),
        ["CarePlan/careplan-11: intent is required"]
    );
    careplan(&mut no_intent)["intention"] = "plan".into();
    assert!(!v.is_valid(&no_intent));
    let mut dangling = b.clone();
    careplan(&mut dangling)["careTeam"][0]["reference"] =
        "urn:varde:fhir:CareTeam/careteam-99".into();
    assert_eq!(
        check(&dangling),
        ["CarePlan/careplan-11: reference urn:varde:fhir:CareTeam/careteam-99 does not resolve"]
    );
    let mut bad_date = b.clone();
    careplan(&mut bad_date)["created"] = "24.11.2026".into();
    assert!(!v.is_valid(&bad_date));
    let mut bad_type = b.clone();
    bad_type["type"] = serde_json::json!(["collection"]);
    assert!(!v.is_valid(&bad_type));
}
