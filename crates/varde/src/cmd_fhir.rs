//! `varde coordination fhir --plan ID --as USERNAME [--db URL] [--out FILE]`: the FHIR R4
//! export of one individual plan and its consents, the same bundle as
//! `GET /api/v1/coordination/plans/{id}/fhir`.
//!
//! No other command reads personal data, and there is no system principal that may read a
//! plan: the plan's person has consented to named organisations, and the legal bases name a
//! coordinator. So the command acts as a named user (`--as`), and the read goes through the
//! very decision the web uses (`varde_web::coordination::access::PlanAccess`): the own
//! organisation, the coordinator's legal basis or the person's consent in force, logged in the
//! access log with the user as actor and the consent or paragraph as purpose; a plan the user
//! may not read is refused exactly as one that does not exist (and the refusal is logged).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use varde_store::Store;
use varde_web::authz::ReadPlans;
use varde_web::coordination::access::PlanAccess;
use varde_web::{AppState, Clock, Config};

#[derive(Debug, clap::Args)]
pub struct CoordinationArgs {
    #[command(subcommand)]
    pub command: CoordinationCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum CoordinationCommand {
    /// Export an individual plan and its consents as a FHIR R4 Bundle (JSON). The person is
    /// identified only by the keyed pseudonym.
    Fhir(FhirArgs),
}

#[derive(Debug, clap::Args)]
pub struct FhirArgs {
    /// The plan's id.
    #[arg(long)]
    pub plan: i64,
    /// The user the read is decided for and logged as (as if they opened the plan).
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: String,
    /// Database URL; overrides --database-url.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// Write the bundle to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl CoordinationArgs {
    /// The database URL the command uses: `--db`, else the global one.
    pub fn url(&self, global: Option<String>) -> Option<String> {
        match &self.command {
            CoordinationCommand::Fhir(a) => a.db.clone().or(global),
        }
    }
}

/// Runs a coordination command against `store` (the pseudonym key from `data_dir`).
pub async fn run(
    store: &Store,
    data_dir: &Path,
    args: CoordinationArgs,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let CoordinationCommand::Fhir(a) = args.command;
    let key = varde_store::load_or_create_key(data_dir).context("cannot load the pseudonym key")?;
    let config = Config {
        data_dir: data_dir.to_path_buf(),
        background: false,
        ..Config::default()
    };
    let state = AppState::new(store.clone(), key, Clock::System, config)?;
    let Some(user) = store.user_by_username(&a.as_user).await? else {
        bail!("--as {}: no such user", a.as_user);
    };
    let Some(principal) = varde_web::auth::principal_of(&user) else {
        bail!("--as {}: the user's role is unknown", a.as_user);
    };
    if user.disabled {
        bail!("--as {}: the user is disabled", a.as_user);
    }
    let access = match PlanAccess::<ReadPlans>::decide(&state, principal, a.plan, None).await {
        Ok(access) => access,
        Err(e) if e.status.as_u16() == 404 => {
            bail!("no plan {} that {} may read", a.plan, a.as_user)
        }
        Err(e) => bail!("plan {}: {}", a.plan, e.message(varde_web::i18n::Lang::En)),
    };
    let bundle = varde_web::coordination::fhir::export(&state, &access)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(varde_web::i18n::Lang::En)))?;
    let mut body = serde_json::to_vec_pretty(&bundle)?;
    body.push(b'\n');
    match &a.out {
        Some(path) => std::fs::write(path, &body)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => out.write_all(&body)?,
    }
    Ok(ExitCode::SUCCESS)
}
