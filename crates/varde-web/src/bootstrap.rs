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

/// Creates the built-in organisations that do not exist yet (idempotent).
pub async fn seed_builtin(store: &Store, now: Timestamp) -> Result<(), StoreError> {
    store.ensure_orgs(&builtin_orgs(), now).await
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
    let users: [(&'static str, Role, OrgId); 12] = [
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

/// Registers a few LAR patients and coercion stays for the demo clinician, relative to today,
/// through the same API a client uses (in process: the router, a session of `kliniker`), so
/// that the LAR and coercion pages show a population, an agreement, a delegation, and stays
/// with a warning. Call on a database prepared by [`seed_demo`].
pub async fn seed_demo_treatment(state: &crate::AppState) -> Result<usize, DemoError> {
    use tower::ServiceExt as _;
    let user = state
        .store
        .user_by_username("kliniker")
        .await?
        .ok_or(DemoError::Missing("kliniker"))?;
    let (token, _) = crate::auth::start_session(state, &user)
        .await
        .map_err(|e| DemoError::Request(e.detail))?;
    let today = state.clock.today();
    let day = |back: i64| -> Result<String, DemoError> {
        today
            .checked_sub(jiff::Span::new().days(back))
            .map(|d| d.to_string())
            .map_err(|e| DemoError::Request(e.to_string()))
    };
    let admit = |p: &str, k: &str, back: i64| -> Result<(String, serde_json::Value), DemoError> {
        Ok((
            "/api/v1/lar/admissions".into(),
            serde_json::json!({"patient": p, "kommune": k, "date": day(back)?, "decided_by": "specialist"}),
        ))
    };
    let decision = |section: &str,
                    back: i64,
                    extra: serde_json::Value|
     -> Result<serde_json::Value, DemoError> {
        let mut d = serde_json::json!({"section": section, "kind": "main", "decided": day(back)?, "from": day(back)?});
        if let (Some(d), Some(extra)) = (d.as_object_mut(), extra.as_object()) {
            d.extend(extra.clone());
        }
        Ok(d)
    };
    let requests: Vec<(String, serde_json::Value)> = vec![
        (
            "/api/v1/lar/agreements".into(),
            serde_json::json!({"kommune": "0301", "from": day(400)?}),
        ),
        admit("LAR-001", "0301", 320)?,
        admit("LAR-002", "0301", 240)?,
        admit("LAR-003", "3201", 200)?,
        admit("LAR-004", "0301", 150)?,
        admit("LAR-005", "3301", 90)?,
        admit("LAR-006", "0301", 60)?,
        (
            "/api/v1/lar/delegations".into(),
            serde_json::json!({"patient": "LAR-001", "gp": "HPR 9144889", "date": day(100)?, "decided_by": "specialist"}),
        ),
        (
            "/api/v1/lar/dispensing".into(),
            serde_json::json!({"patient": "LAR-001", "date": day(95)?}),
        ),
        (
            "/api/v1/lar/discharges".into(),
            serde_json::json!({"patient": "LAR-006", "date": day(7)?, "decided_by": "specialist"}),
        ),
        (
            "/api/v1/coercion/stays".into(),
            serde_json::json!({"stay_id": "opphold-1", "patient": "TVANG-01", "start": day(120)?}),
        ),
        (
            "/api/v1/coercion/stays/opphold-1/decisions".into(),
            decision("10-2", 120, serde_json::json!({}))?,
        ),
        (
            "/api/v1/coercion/stays".into(),
            serde_json::json!({"stay_id": "opphold-2", "patient": "TVANG-02", "start": day(12)?}),
        ),
        (
            "/api/v1/coercion/stays/opphold-2/decisions".into(),
            decision("10-4", 12, serde_json::json!({}))?,
        ),
        (
            "/api/v1/coercion/stays".into(),
            serde_json::json!({"stay_id": "opphold-3", "patient": "GRAVID-01", "start": day(60)?}),
        ),
        (
            "/api/v1/coercion/stays/opphold-3/decisions".into(),
            decision(
                "10-3",
                60,
                serde_json::json!({"expected_delivery": day(-90)?, "child_welfare_notified": day(60)?}),
            )?,
        ),
    ];
    let router = crate::router(state.clone());
    for (path, body) in &requests {
        let req = axum::http::Request::post(path.as_str())
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .map_err(|e| DemoError::Request(e.to_string()))?;
        let res = router
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| DemoError::Request(e.to_string()))?;
        if !res.status().is_success() {
            let status = res.status();
            let text = axum::body::to_bytes(res.into_body(), 64 * 1024)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            return Err(DemoError::Request(format!("{path}: {status} {text}")));
        }
    }
    // The seeding session is not a login anyone holds: end it.
    state
        .store
        .delete_session(&crate::auth::token_hash(&token))
        .await?;
    Ok(requests.len())
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
