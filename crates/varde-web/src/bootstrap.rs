//! Organisations that exist from the first start, and the demo data set.
//!
//! Every municipality, county-independent regional health authority and health trust of the
//! embedded reference data becomes an organisation, so that `varde user add --org 0301`
//! works on a fresh database. The national authority (Helsedirektoratet) and the national
//! public-health institute (FHI, which runs the monitoring) are built in too.

use jiff::Timestamp;
use varde_core::org::{OrgId, OrgKind, Qualification, Role};
use varde_store::{NewOrg, Store, StoreError};

/// Helsedirektoratet's organisation number.
pub const HELSEDIREKTORATET_ORGNR: &str = "983544622";
/// Folkehelseinstituttet's organisation number.
pub const FHI_ORGNR: &str = "983744516";
/// The demo treatment unit (synthetic, valid mod-11).
pub const DEMO_TREATMENT_ORGNR: &str = "999999999";
/// The demo laboratory (synthetic, valid mod-11).
pub const DEMO_LAB_ORGNR: &str = "888888888";

/// A URL-safe, ASCII slug of a Norwegian name.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' => out.push_str("ae"),
            'ø' | 'ö' => out.push('o'),
            'å' | 'á' | 'à' | 'ä' => out.push('a'),
            'é' | 'è' => out.push('e'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with('-') && !out.is_empty() {
                    out.push('-');
                }
            }
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The organisations every Varde database has.
pub fn builtin_orgs() -> Vec<NewOrg> {
    let refdata = varde_core::refdata::get();
    let mut orgs: Vec<NewOrg> = refdata
        .kommuner()
        .map(|k| NewOrg {
            kind: OrgKind::Municipality,
            name: format!("{} kommune", k.name),
            slug: format!("kommune-{}", k.kommunenummer),
            kommunenummer: Some(k.kommunenummer.clone()),
            orgnr: None,
            parent_id: None,
        })
        .collect();
    for hf in refdata.helseforetak() {
        let kind = if hf.level == "RHF" {
            OrgKind::RegionalHealthAuthority
        } else {
            OrgKind::HealthTrust
        };
        orgs.push(NewOrg {
            kind,
            name: hf.name.clone(),
            slug: slugify(&hf.name),
            kommunenummer: None,
            orgnr: None,
            parent_id: None,
        });
    }
    orgs.push(NewOrg {
        kind: OrgKind::NationalAuthority,
        name: "Helsedirektoratet".into(),
        slug: "helsedirektoratet".into(),
        kommunenummer: None,
        orgnr: Some(HELSEDIREKTORATET_ORGNR.into()),
        parent_id: None,
    });
    orgs.push(NewOrg {
        kind: OrgKind::NationalAuthority,
        name: "Folkehelseinstituttet".into(),
        slug: "folkehelseinstituttet".into(),
        kommunenummer: None,
        orgnr: Some(FHI_ORGNR.into()),
        parent_id: None,
    });
    orgs
}

/// Creates the built-in organisations that do not exist yet, and loads the results area's
/// plans not loaded yet (idempotent).
pub async fn seed_builtin(store: &Store, now: Timestamp) -> Result<(), StoreError> {
    store.ensure_orgs(&builtin_orgs(), now).await?;
    let plans = varde_core::results::plans::builtin().map_err(|e| {
        StoreError::Corrupt(format!("the plans' data files: {}: {}", e.field, e.rule))
    })?;
    store.results_load_plans(&plans, now).await?;
    Ok(())
}

/// One demo login, printed by `varde demo`.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub role: Role,
    pub org_name: String,
}

/// The password of every demo user (the demo database is fresh and local).
pub const DEMO_PASSWORD: &str = "varde-demo-2026";

/// Demo organisations and one user per role. Call on a fresh database after
/// [`seed_builtin`].
pub async fn seed_demo(store: &Store, now: Timestamp) -> Result<Vec<DemoLogin>, DemoError> {
    let treatment = store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::TreatmentUnit,
                name: "Demo behandlingsenhet TSB".into(),
                slug: "demo-behandlingsenhet".into(),
                kommunenummer: None,
                orgnr: Some(DEMO_TREATMENT_ORGNR.into()),
                parent_id: None,
            },
            now,
        )
        .await?;
    let lab = store
        .ensure_org(
            &NewOrg {
                kind: OrgKind::Laboratory,
                name: "Demo rusmiddelanalyse".into(),
                slug: "demo-laboratorium".into(),
                kommunenummer: None,
                orgnr: Some(DEMO_LAB_ORGNR.into()),
                parent_id: None,
            },
            now,
        )
        .await?;
    let oslo = org_id(store, "0301").await?;
    let bergen = org_id(store, "4601").await?;
    let hdir = org_id(store, HELSEDIREKTORATET_ORGNR).await?;
    let users: [(&'static str, Role, OrgId); 13] = [
        ("radgiver.oslo", Role::Advisor, oslo),
        ("radgiver.bergen", Role::Advisor, bergen),
        ("koordinator.oslo", Role::Coordinator, oslo),
        ("admin.oslo", Role::OrgAdmin, oslo),
        ("revisor.oslo", Role::Auditor, oslo),
        ("kliniker", Role::Clinician, treatment),
        ("admin.klinikk", Role::OrgAdmin, treatment),
        ("analytiker", Role::Analyst, hdir),
        ("varselredaktor", Role::WarningEditor, hdir),
        ("varselgodkjenner", Role::WarningApprover, hdir),
        ("lab", Role::Lab, lab),
        ("systemadmin", Role::SystemAdmin, hdir),
        ("koordinator.bergen", Role::Coordinator, bergen),
    ];
    let hash = crate::auth::hash_password_blocking(DEMO_PASSWORD).map_err(|_| DemoError::Hash)?;
    let mut logins = Vec::with_capacity(users.len());
    for (username, role, org) in users {
        // The demo clinician is a specialist (LAR admissions need one).
        let qualification = if role == Role::Clinician {
            Qualification::Specialist
        } else {
            Qualification::Other
        };
        store
            .create_user(org, role, qualification, username, &hash, now)
            .await?;
        logins.push(DemoLogin {
            username,
            role,
            org_name: store.org(org).await?.name,
        });
    }
    Ok(logins)
}

async fn org_id(store: &Store, key: &str) -> Result<OrgId, DemoError> {
    store
        .org_by_key(key)
        .await?
        .map(|o| o.id)
        .ok_or_else(|| DemoError::MissingOrg(key.to_string()))
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("built-in organisation {0} is missing")]
    MissingOrg(String),
    #[error("password hashing failed")]
    Hash,
    #[error("demo user {0} is missing")]
    Missing(&'static str),
    #[error("demo request failed: {0}")]
    Request(String),
}

/// The demo clinician (`kliniker`), as whom the demo's registrations are decided and logged.
pub async fn demo_clinician(
    state: &crate::AppState,
) -> Result<varde_core::org::Principal, DemoError> {
    let user = state
        .store
        .user_by_username("kliniker")
        .await?
        .ok_or(DemoError::Missing("kliniker"))?;
    crate::auth::principal_of(&user).ok_or(DemoError::Missing("kliniker"))
}

/// Registers a few LAR patients and coercion stays for the demo clinician, relative to today,
/// through the same operations the pages and the API call (decided and logged as the demo
/// clinician's), so that the LAR and coercion pages show a population, an agreement, a
/// delegation, and stays with a warning. Call on a database prepared by [`seed_demo`]. Returns
/// the number of commands recorded.
pub async fn seed_demo_lar_coercion(state: &crate::AppState) -> Result<usize, DemoError> {
    use crate::authz::{OrgAccess, WriteCoercion, WriteLar};
    use crate::pathways::coercion::{self, DecisionRequest, StayRequest};
    use crate::pathways::lar::{
        self, AdmitRequest, AgreementRequest, DelegateRequest, DischargeRequest, DispensingRequest,
    };

    let principal = demo_clinician(state).await?;
    let failed = |e: crate::error::WebError| DemoError::Request(e.detail);
    let today = state.clock.today();
    let day = |back: i64| -> Result<String, DemoError> {
        today
            .checked_sub(jiff::Span::new().days(back))
            .map(|d| d.to_string())
            .map_err(|e| DemoError::Request(e.to_string()))
    };
    let write_lar = OrgAccess::<WriteLar>::decide(state, principal.clone())
        .await
        .map_err(failed)?;
    let mut n = 0;
    lar::record(
        state,
        &write_lar,
        &AgreementRequest {
            kommune: "0301".into(),
            from: day(400)?,
            ..Default::default()
        },
    )
    .await
    .map_err(failed)?;
    n += 1;
    for (patient, kommune, back) in [
        ("LAR-001", "0301", 320),
        ("LAR-002", "0301", 240),
        ("LAR-003", "3201", 200),
        ("LAR-004", "0301", 150),
        ("LAR-005", "3301", 90),
        ("LAR-006", "0301", 60),
    ] {
        let admit = AdmitRequest {
            patient: patient.into(),
            kommune: kommune.into(),
            date: day(back)?,
            decided_by: "specialist".into(),
            ..Default::default()
        };
        lar::record(state, &write_lar, &admit)
            .await
            .map_err(failed)?;
        n += 1;
    }
    let delegate = DelegateRequest {
        patient: "LAR-001".into(),
        gp: "HPR 9144889".into(),
        date: day(100)?,
        decided_by: "specialist".into(),
    };
    lar::record(state, &write_lar, &delegate)
        .await
        .map_err(failed)?;
    let dispensing = DispensingRequest {
        patient: "LAR-001".into(),
        date: day(95)?,
    };
    lar::record(state, &write_lar, &dispensing)
        .await
        .map_err(failed)?;
    let discharge = DischargeRequest {
        patient: "LAR-006".into(),
        date: day(7)?,
        decided_by: "specialist".into(),
    };
    lar::record(state, &write_lar, &discharge)
        .await
        .map_err(failed)?;
    n += 3;

    let write_coercion = OrgAccess::<WriteCoercion>::decide(state, principal)
        .await
        .map_err(failed)?;
    let stays = [
        ("opphold-1", "TVANG-01", "10-2", 120, None),
        ("opphold-2", "TVANG-02", "10-4", 12, None),
        (
            "opphold-3",
            "GRAVID-01",
            "10-3",
            60,
            Some((day(-90)?, day(60)?)),
        ),
    ];
    for (stay_id, patient, section, back, pregnancy) in stays {
        let (stay_id, start) = StayRequest {
            stay_id: stay_id.into(),
            patient: patient.into(),
            start: day(back)?,
        }
        .command(today)
        .map_err(|e| failed(e.into()))?;
        coercion::record(state, &write_coercion, &stay_id, start)
            .await
            .map_err(failed)?;
        let (expected_delivery, child_welfare_notified) = pregnancy.unwrap_or_default();
        let decision = DecisionRequest {
            section: section.into(),
            kind: "main".into(),
            decided: day(back)?,
            from: day(back)?,
            expected_delivery,
            child_welfare_notified,
            sent_to_county_board: String::new(),
        }
        .command(today)
        .map_err(|e| failed(e.into()))?;
        coercion::record(state, &write_coercion, &stay_id, decision)
            .await
            .map_err(failed)?;
        n += 2;
    }
    Ok(n)
}

/// A demo user by name, as a principal (the areas' demo data act as them).
pub async fn demo_user(
    state: &crate::AppState,
    username: &'static str,
) -> Result<varde_core::org::Principal, DemoError> {
    demo_principal(state, username).await
}

/// A demo user by name, as a principal.
async fn demo_principal(
    state: &crate::AppState,
    username: &'static str,
) -> Result<varde_core::org::Principal, DemoError> {
    let user = state
        .store
        .user_by_username(username)
        .await?
        .ok_or(DemoError::Missing(username))?;
    crate::auth::principal_of(&user).ok_or(DemoError::Missing(username))
}

/// Two overdose warnings through the operations the pages and the API call: one drafted by
/// `varselredaktor` and approved (published) by `varselgodkjenner` — protonitazene sold as
/// oxycodone in Oslo, in force for 30 days — and one draft waiting for approval. Call on a
/// database prepared by [`seed_demo`]. Returns the published warning's id.
pub async fn seed_demo_warnings(state: &crate::AppState) -> Result<String, DemoError> {
    use crate::authz::{ApproveWarnings, DraftWarnings, OrgAccess};
    use crate::warnings::ops;
    use varde_core::warnings::draft::{DraftInput, TextInput};

    let failed = |e: crate::error::WebError| DemoError::Request(e.detail);
    let editor =
        OrgAccess::<DraftWarnings>::decide(state, demo_principal(state, "varselredaktor").await?)
            .await
            .map_err(failed)?;
    let approver = OrgAccess::<ApproveWarnings>::decide(
        state,
        demo_principal(state, "varselgodkjenner").await?,
    )
    .await
    .map_err(failed)?;
    let in_days = |days: i64| -> Result<String, DemoError> {
        state
            .clock
            .now()
            .checked_add(jiff::Span::new().hours(24 * days))
            .map(|t| t.to_string())
            .map_err(|e| DemoError::Request(e.to_string()))
    };
    let text = |nb: &str, en: &str| TextInput {
        nb: nb.to_owned(),
        en: Some(en.to_owned()),
    };
    let published = ops::draft(
        state,
        &editor,
        &DraftInput {
            title: text(
                "Protonitazen solgt som oksykodontabletter i Oslo",
                "Protonitazene sold as oxycodone tablets in Oslo",
            ),
            substance: "protonitazene".into(),
            sold_as: Some("oksykodon (80 mg, grønne tabletter)".into()),
            found_by: Some("drug_checking".into()),
            areas: vec!["0301".into()],
            severity: "extreme".into(),
            urgency: Some("immediate".into()),
            certainty: Some("observed".into()),
            description: text(
                "Rusmiddelanalyse har funnet protonitazen, et syntetisk opioid som er mye sterkere enn heroin, i tabletter solgt som oksykodon i Oslo. Flere overdoser er meldt.",
                "Drug checking has found protonitazene, a synthetic opioid much stronger than heroin, in tablets sold as oxycodone in Oslo. Several overdoses have been reported.",
            ),
            advice_public: text(
                "Ikke bruk alene. Start med en liten dose og vent. Ha nalokson (Nyxoid) tilgjengelig. Ved overdose: ring 113.",
                "Do not use alone. Start with a small dose and wait. Keep naloxone (Nyxoid) at hand. In an overdose: call 113.",
            ),
            advice_services: text(
                "Del ut nalokson og informer brukere. En overdose kan kreve flere doser nalokson. Meld mistenkte tilfeller.",
                "Hand out naloxone and inform users. An overdose may need several doses of naloxone. Report suspected cases.",
            ),
            expires: in_days(30)?,
            ..DraftInput::default()
        },
    )
    .await
    .map_err(failed)?;
    ops::approve(state, &approver, &published.id, Some(1))
        .await
        .map_err(failed)?;
    ops::draft(
        state,
        &editor,
        &DraftInput {
            title: TextInput {
                nb: "Xylazin funnet i heroin i Bergen".into(),
                en: None,
            },
            substance: "xylazine".into(),
            sold_as: Some("heroin".into()),
            found_by: Some("seizure".into()),
            areas: vec!["4601".into()],
            severity: "severe".into(),
            description: TextInput {
                nb: "Politiet har funnet xylazin, et beroligende middel for dyr, blandet i heroin i Bergen.".into(),
                en: None,
            },
            advice_public: TextInput {
                nb: "Xylazin virker ikke på nalokson, men gi nalokson likevel ved overdose. Ring 113. Sår som ikke gror, bør sees av helsepersonell.".into(),
                en: None,
            },
            advice_services: TextInput {
                nb: "Vær oppmerksom på langvarig bevisstløshet og sår. Meld mistenkte tilfeller.".into(),
                en: None,
            },
            expires: in_days(14)?,
            ..DraftInput::default()
        },
    )
    .await
    .map_err(failed)?;
    Ok(published.id)
}

/// A fixture for tests of the inbox's pages, written straight into the inbox (the demo's
/// signals are not these: they come from its data through the rules, `monitoring::demo`).
/// Four signals, this week: a watchlist finding of protonitazene in
/// drug checking in Oslo, an aberration of overdoses in Bergen (observed above its threshold,
/// already acknowledged by `analytiker`, with its access entry), a purity signal for heroin,
/// and a watchlist finding of xylazine nationally. Raised once each (a second call raises
/// nothing new). Call on a database prepared by [`seed_demo`]. Returns the new signals' ids.
pub async fn seed_demo_signals(store: &Store, now: Timestamp) -> Result<Vec<i64>, DemoError> {
    use varde_core::authz::{decide, Action, Subject};
    use varde_core::monitoring::signals::{iso_week, NewSignal, SignalChange, SignalKind};

    let week = iso_week(now.to_zoned(jiff::tz::TimeZone::UTC).date());
    let signal = |kind: SignalKind,
                  source: &str,
                  substance: Option<&str>,
                  area: &str,
                  observed: f64,
                  threshold: Option<f64>,
                  rule: &str,
                  detail: &str| NewSignal {
        kind,
        source: source.to_owned(),
        substance: substance.map(str::to_owned),
        area: area.to_owned(),
        week: week.clone(),
        observed,
        threshold,
        rule: rule.to_owned(),
        detail: detail.to_owned(),
        dedupe: format!("demo:{}:{source}:{area}:{week}", kind.as_str()),
    };
    let signals = [
        signal(
            SignalKind::Watchlist,
            "drugcheck",
            Some("protonitazene"),
            "0301",
            1.0,
            None,
            "a finding of a substance on the watchlist",
            "Protonitazene in a tablet sold as oxycodone (80 mg)",
        ),
        signal(
            SignalKind::Aberration,
            "overdoses",
            None,
            "4601",
            14.0,
            Some(6.2),
            "Farrington flexible, 5 years of weeks, alpha 0.01",
            "Overdoses treated by the emergency services, per week",
        ),
        signal(
            SignalKind::Purity,
            "drugcheck",
            Some("heroin"),
            "national",
            78.0,
            Some(55.0),
            "purity above the 99th percentile of the last 52 weeks",
            "Heroin base at 78 % purity",
        ),
        signal(
            SignalKind::Watchlist,
            "seizures",
            Some("xylazine"),
            "county:46",
            1.0,
            None,
            "a finding of a substance on the watchlist",
            "Xylazine mixed in heroin, seized by the police",
        ),
    ];
    let mut ids = Vec::new();
    for s in &signals {
        if let Some(id) = store.signal_raise(s, now).await? {
            ids.push(id);
        }
    }
    // The aberration in Bergen is acknowledged by the demo analyst.
    if let Some(&id) = ids.get(1) {
        let user = store
            .user_by_username("analytiker")
            .await?
            .ok_or(DemoError::Missing("analytiker"))?;
        let p = crate::auth::principal_of(&user).ok_or(DemoError::Missing("analytiker"))?;
        let decision = decide(&p, Action::MonitoringWrite, &Subject::of_org(p.org), None);
        let access = varde_store::NewAccess {
            at: now,
            actor: p.username.clone(),
            actor_id: p.user.0,
            org_id: p.org.0,
            owner_org_id: p.org.0,
            action: Action::MonitoringWrite.as_str().to_owned(),
            subject: String::new(),
            record: format!("signal:{id}"),
            purpose: decision.reason.as_str().to_owned(),
            outcome: varde_core::audit::Outcome::Allowed,
            flagged: false,
        };
        store
            .signal_change(
                id,
                &SignalChange::Acknowledge,
                p.user.0,
                p.org.0,
                now,
                &access,
            )
            .await?
            .map_err(|e| DemoError::Request(e.rule))?;
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slugify("Helse Sør-Øst RHF"), "helse-sor-ost-rhf");
        assert_eq!(slugify("Sørlandet sykehus HF"), "sorlandet-sykehus-hf");
        assert_eq!(
            slugify("Universitetssykehuset Nord-Norge HF"),
            "universitetssykehuset-nord-norge-hf"
        );
    }

    #[test]
    fn builtin_orgs_cover_every_municipality_with_unique_slugs() {
        let orgs = builtin_orgs();
        let municipalities = orgs
            .iter()
            .filter(|o| o.kind == OrgKind::Municipality)
            .count();
        assert_eq!(
            municipalities,
            varde_core::refdata::get().kommuner().count()
        );
        assert!(municipalities >= 357);
        let mut slugs: Vec<&str> = orgs.iter().map(|o| o.slug.as_str()).collect();
        slugs.sort_unstable();
        let before = slugs.len();
        slugs.dedup();
        assert_eq!(before, slugs.len(), "duplicate slug");
        for nr in [
            HELSEDIREKTORATET_ORGNR,
            FHI_ORGNR,
            DEMO_TREATMENT_ORGNR,
            DEMO_LAB_ORGNR,
        ] {
            assert!(varde_core::ids::OrgNumber::parse(nr).is_ok(), "{nr}");
        }
    }
}
