//! The `varde` command: the server, its administration, and the file-based tools.
//!
//! Commands that touch the database open it through [`open_store`], which connects, runs the
//! migrations and creates the built-in organisations, so that every command works on a fresh
//! data directory.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use jiff::Timestamp;
use varde_core::org::{Role, UserChange};
use varde_store::Store;
use varde_web::{AppState, Application, Clock, Config};

mod cmd_advisory;
mod cmd_coordination;
mod cmd_fhir;
mod cmd_pathways;
mod cmd_signal;
mod cmd_warnings;
mod demo;

#[derive(Debug, Parser)]
#[command(
    name = "varde",
    version,
    about = "Varde: information system for the substance-use field"
)]
struct Cli {
    /// Data directory: the SQLite file, the pseudonym key and backups live here.
    #[arg(long, global = true, env = "VARDE_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Database URL (`sqlite://…` or `postgres://…`); default: the SQLite file in the data
    /// directory.
    #[arg(
        long,
        global = true,
        env = "VARDE_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Create or upgrade the database schema (and the built-in organisations).
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// The access log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// A consistent online copy of the SQLite database into DATA_DIR/backups.
    Backup,
    /// Start the server on a fresh database with demo organisations and users.
    Demo(DemoArgs),
    /// Aberration detection on weekly counts (no database needed).
    Signal(cmd_signal::SignalArgs),
    /// Care pathways in TSB: quality indicators and the worklist from an event CSV.
    Pathways(cmd_pathways::PathwaysArgs),
    /// Overdose warnings: the list, and the export to the EU drugs agency.
    Warnings(cmd_warnings::WarningsArgs),
    /// Advisory units for drug cases: the erasure of closed cases after their retention.
    Advisory(cmd_advisory::AdvisoryArgs),
    /// Coordination: the FHIR R4 export of an individual plan.
    Coordination(cmd_fhir::CoordinationArgs),
    /// Seeded synthetic data.
    Simulate {
        #[command(subcommand)]
        what: Simulate,
    },
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "VARDE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// The server is reached over HTTPS (through a proxy): Secure cookies and HSTS.
    #[arg(long, env = "VARDE_TLS")]
    tls: bool,
    /// Production: refuse synthetic test identity numbers.
    #[arg(long, env = "VARDE_PRODUCTION")]
    production: bool,
    /// The address the public reaches this deployment at (links in CAP documents and the
    /// Atom feed; the CAP sender is `ovs@` its host). Default: `http://` and `--listen`.
    #[arg(long, env = "VARDE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Do not run background work (webhook deliveries) on this server; others of the same
    /// deployment do it.
    #[arg(long, env = "VARDE_NO_BACKGROUND")]
    no_background: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Rate limits per client (0 turns one off).
#[derive(Debug, clap::Args)]
struct LimitArgs {
    /// Login attempts a minute per client (also the burst).
    #[arg(long, env = "VARDE_LOGIN_LIMIT", default_value_t = 10)]
    login_limit: u32,
    /// Requests a second per client without credentials (the burst is three times it).
    #[arg(long, env = "VARDE_PUBLIC_LIMIT", default_value_t = 10)]
    public_limit: u32,
    /// Requests a second per logged-in client (the burst is three times it).
    #[arg(long, env = "VARDE_USER_LIMIT", default_value_t = 100)]
    user_limit: u32,
    /// A header a trusted reverse proxy sets to the client's address (e.g. X-Forwarded-For;
    /// its last address is used). Without it, the peer address is the client.
    #[arg(long, env = "VARDE_CLIENT_IP_HEADER")]
    client_ip_header: Option<String>,
}

impl LimitArgs {
    fn limits(&self) -> anyhow::Result<varde_web::limits::Limits> {
        use varde_web::limits::{Limits, Rate};
        let client_ip_header = self
            .client_ip_header
            .as_deref()
            .map(|h| {
                h.parse()
                    .map_err(|_| anyhow::anyhow!("--client-ip-header: not a header name"))
            })
            .transpose()?;
        Ok(Limits {
            login: Rate::per_minute(self.login_limit),
            anonymous: Rate::per_second(self.public_limit, self.public_limit.saturating_mul(3)),
            user: Rate::per_second(self.user_limit, self.user_limit.saturating_mul(3)),
            client_ip_header,
        })
    }
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "VARDE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        /// Municipality number (e.g. 0301), organisation number or organisation slug.
        #[arg(long)]
        org: String,
        /// advisor, clinician, coordinator, analyst, warning-editor, warning-approver, lab,
        /// org-admin, auditor or system-admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Health-personnel qualification: specialist, physician, gp or other.
        #[arg(long, default_value = "other")]
        qualification: String,
    },
    /// Record a user's health-personnel qualification (specialist, physician, gp, other).
    Qualify {
        username: String,
        #[arg(long)]
        qualification: String,
        /// Why (recorded with the change, shown to the organisation's auditor).
        #[arg(long, default_value = "set with the varde command")]
        reason: String,
    },
    /// List users (of one organisation with --org).
    List {
        #[arg(long)]
        org: Option<String>,
    },
    /// Disable a user (sessions end at their next request).
    Disable { username: String },
    /// Enable a disabled user.
    Enable { username: String },
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// List organisations.
    List,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the whole access log; names the first broken entry.
    Verify,
}

#[derive(Debug, Subcommand)]
enum Simulate {
    /// Five years of weekly monitoring series with injected outbreaks (series.csv, truth.csv);
    /// with `--sources`, also every monitoring source's rows in the import format
    /// (sources/{source}.csv, sources/truth.csv).
    Monitoring {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// Also write the sources' rows, ending the last whole ISO week before `--today`.
        #[arg(long)]
        sources: bool,
        /// The day taken as today for the sources (default: today in Europe/Oslo).
        #[arg(long)]
        today: Option<jiff::civil::Date>,
        /// The share of the national level of seizures written (1.0: about 500 a week).
        #[arg(long, default_value_t = 1.0)]
        seizure_scale: f64,
    },
    /// One national year of TSB pathways calibrated to SAMDATA 2023.
    Pathways(cmd_pathways::SimulatePathwaysArgs),
    /// One national year of the advisory units' cases and advice, for the statistics (rates:
    /// docs/advisory-simulation.md).
    Advisory(cmd_advisory::SimulateAdvisoryArgs),
    /// One national year of coordination between the municipalities and TSB: plans,
    /// discharge notices, overdose follow-up (rates: docs/coordination-simulation.md).
    Coordination(cmd_coordination::SimulateCoordinationArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Every date is a day in Oslo: without the zone, nothing runs.
    if let Err(e) = varde_web::check_zone() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Signal(args) => cmd_signal::run(args),
        Command::Pathways(args) => cmd_pathways::run(args),
        Command::Simulate { what } => match what {
            Simulate::Pathways(args) => cmd_pathways::run_simulate(args),
            Simulate::Advisory(args) => cmd_advisory::run_simulate(args),
            Simulate::Coordination(args) => cmd_coordination::run_simulate(args),
            Simulate::Monitoring {
                seed,
                out,
                sources,
                today,
                seizure_scale,
            } => cmd_signal::simulate_monitoring(seed, &out)
                .and_then(|()| {
                    if !sources {
                        return Ok(());
                    }
                    let today = today.unwrap_or_else(|| varde_web::Clock::System.today());
                    cmd_signal::simulate_sources(seed, today, seizure_scale, &out)
                })
                .map(|()| ExitCode::SUCCESS),
        },
        command => run_async(cli.data_dir, cli.database_url, command),
    };
    match result {
        Ok(code) => code,
        // The reader of our output went away (`varde org list | head`): not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run_async(data_dir: PathBuf, url: Option<String>, command: Command) -> anyhow::Result<ExitCode> {
    init_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match command {
            Command::Serve(args) => serve(&data_dir, url, args).await,
            Command::Migrate => {
                let store = open_store(&data_dir, url).await?;
                store.close().await;
                println!("migrations applied");
                Ok(ExitCode::SUCCESS)
            }
            Command::User { command } => user(&data_dir, url, command).await,
            Command::Org {
                command: OrgCommand::List,
            } => org_list(&data_dir, url).await,
            Command::Audit {
                command: AuditCommand::Verify,
            } => audit_verify(&data_dir, url).await,
            Command::Backup => backup(&data_dir, url).await,
            Command::Demo(args) => demo(args).await,
            Command::Warnings(args) => {
                let store = open_store(&data_dir, url).await?;
                let code = cmd_warnings::run(
                    &store,
                    args,
                    jiff::Timestamp::now(),
                    &mut std::io::stdout().lock(),
                )
                .await;
                store.close().await;
                code
            }
            Command::Advisory(args) => {
                let store = open_store(&data_dir, url).await?;
                let code = cmd_advisory::run(
                    &store,
                    args,
                    jiff::Timestamp::now(),
                    &mut std::io::stdout().lock(),
                )
                .await;
                store.close().await;
                code
            }
            Command::Coordination(args) => {
                let store = open_store(&data_dir, args.url(url)).await?;
                let code =
                    cmd_fhir::run(&store, &data_dir, args, &mut std::io::stdout().lock()).await;
                store.close().await;
                code
            }
            Command::Signal(_) | Command::Pathways(_) | Command::Simulate { .. } => {
                bail!("not a database command")
            }
        }
    })
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VARDE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn now() -> Timestamp {
    Timestamp::now()
}

/// Connects, migrates and creates the built-in organisations.
async fn open_store(data_dir: &Path, url: Option<String>) -> anyhow::Result<Store> {
    let url = match url {
        Some(u) => u,
        None => {
            std::fs::create_dir_all(data_dir).with_context(|| {
                format!("cannot create the data directory {}", data_dir.display())
            })?;
            varde_store::default_url(data_dir)
        }
    };
    let store = Store::connect(&url)
        .await
        .context("cannot open the database")?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    varde_web::bootstrap::seed_builtin(&store, now())
        .await
        .context("cannot create the built-in organisations")?;
    Ok(store)
}

async fn serve(data_dir: &Path, url: Option<String>, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(data_dir, url).await?;
    let key = varde_store::load_or_create_key(data_dir).context("cannot load the pseudonym key")?;
    let config = Config {
        data_dir: data_dir.to_path_buf(),
        tls: args.tls,
        allow_synthetic_ids: !args.production,
        limits: args.limits.limits()?,
        public_url: args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", args.listen)),
        background: !args.no_background,
        ..Config::default()
    };
    let state = AppState::new(store.clone(), key, Clock::System, config)?;
    let app = Application::bind(&args.listen, state)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = app.addr()?;
    tracing::info!(%addr, engine = store.engine().as_str(), "varde is listening");
    println!("Varde listens on http://{addr}/");
    app.run(shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("varde-demo-")
        .tempdir()
        .context("cannot create a temporary data directory")?;
    let store = open_store(dir.path(), None).await?;
    let logins = varde_web::bootstrap::seed_demo(&store, now()).await?;
    let pathways = demo::load_pathways(&store).await?;
    let key = varde_store::load_or_create_key(dir.path())?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let state = AppState::new(store.clone(), key, Clock::System, config)?;
    let lar_coercion = varde_web::bootstrap::seed_demo_lar_coercion(&state).await?;
    let patients = varde_web::pathways::seed_demo_patients(&state).await?;
    let warning = varde_web::bootstrap::seed_demo_warnings(&state).await?;
    let monitoring = varde_web::monitoring::demo::seed_demo_monitoring(&state)
        .await
        .map_err(|e| anyhow::anyhow!("the demo's monitoring data: {}", e.detail))?;
    let feedback = demo::load_feedback(&state).await?;
    let results = varde_web::results::demo::seed_demo_results(&state)
        .await
        .map_err(|e| anyhow::anyhow!("the demo's indicator values: {}", e.detail))?;
    let advisory = varde_web::advisory::demo::seed_demo_advisory(&state)
        .await
        .map_err(|e| anyhow::anyhow!("the demo's advisory cases: {}", e.detail))?;
    let discharge = varde_web::coordination::discharge::demo::seed(&state).await?;
    let overdose = varde_web::coordination::overdose::demo::seed(&state).await?;
    let coordination = varde_web::coordination::demo::seed_demo_coordination(&state)
        .await
        .map_err(|e| anyhow::anyhow!("the demo's coordination plans: {}", e.detail))?;
    let app = Application::bind(&args.listen, state)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = app.addr()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Varde demo: http://{addr}/")?;
    writeln!(out, "Data (deleted on exit): {}", dir.path().display())?;
    writeln!(
        out,
        "Every demo user has the password: {}",
        varde_web::bootstrap::DEMO_PASSWORD
    )?;
    for l in &logins {
        writeln!(
            out,
            "  {:<18} {:<16} {}",
            l.username,
            l.role.as_str(),
            l.org_name
        )?;
    }
    writeln!(
        out,
        "{pathways} synthetic TSB pathway events loaded (log in as kliniker for the worklist),"
    )?;
    writeln!(
        out,
        "{patients} patients with a referral each (synthetic identity numbers);"
    )?;
    writeln!(
        out,
        "{lar_coercion} LAR and coercion registrations (Pasientforløp → LAR, Tvang)."
    )?;
    writeln!(
        out,
        "Overdose warning {warning} published, one draft waiting (public page: http://{addr}/warnings; varselgodkjenner approves)."
    )?;
    writeln!(
        out,
        "{} monitoring rows of seven sources and {} prescription figures, series evaluated by the detection rules (analytiker: http://{addr}/monitoring/dashboard).",
        monitoring.rows, monitoring.prescriptions
    )?;
    if let Some(code) = &monitoring.code {
        writeln!(
            out,
            "{} drug-checking samples analysed; look one up at http://{addr}/drugcheck with the code {code}.",
            monitoring.samples
        )?;
    }
    writeln!(
        out,
        "{} answered feedback sessions (kliniker: http://{addr}/feedback) and {} anonymous survey answers.",
        feedback.answers, feedback.survey_answers
    )?;
    if let Some(path) = &feedback.open_link {
        writeln!(
            out,
            "A one-time feedback link, as a patient gets it (works once): http://{addr}{path}"
        )?;
    }
    writeln!(
        out,
        "Two plans with their goals and ratings, {results} indicator values (public dashboard: http://{addr}/public/results; analytiker rates at /results)."
    )?;
    writeln!(
        out,
        "Five advisory cases in Oslo and Bergen with {advisory} entries (radgiver.oslo: http://{addr}/advisory)."
    )?;
    writeln!(
        out,
        "{discharge} discharge notices from the demo TSB unit to Oslo and Bergen (kliniker, koordinator.oslo: http://{addr}/coordination/discharge; analytiker: /coordination/discharge/national)."
    )?;
    writeln!(
        out,
        "{overdose} overdose notices from an emergency ward to Oslo and Bergen, by consent (ambulanse, koordinator.oslo, radgiver.bergen: http://{addr}/coordination/overdose; analytiker: /coordination/overdose/national)."
    )?;
    writeln!(
        out,
        "{coordination} individual plans of 36 people shared by Oslo, Bergen and the demo TSB unit, with consents (koordinator.oslo, koordinator.bergen: http://{addr}/coordination; kliniker sees a plan only with consent)."
    )?;
    writeln!(out, "Stop with Ctrl-C.")?;
    drop(out);
    app.run(shutdown_signal()).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn user(
    data_dir: &Path,
    url: Option<String>,
    command: UserCommand,
) -> anyhow::Result<ExitCode> {
    let store = open_store(data_dir, url).await?;
    let result = match command {
        UserCommand::Add {
            org,
            role,
            username,
            password_stdin: _,
            qualification,
        } => user_add(&store, &org, &role, &username, &qualification).await,
        UserCommand::Qualify {
            username,
            qualification,
            reason,
        } => {
            let q = parse_qualification(&qualification)?;
            let reason =
                varde_core::org::input::reason(&reason).map_err(|e| anyhow::anyhow!("--{e}"))?;
            change_user(&store, &username, UserChange::Qualification(q), &reason).await?;
            println!("user {username} qualification: {q}");
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List { org } => {
            let org_id = match org {
                Some(key) => Some(find_org(&store, &key).await?.id),
                None => None,
            };
            let users = store.list_users(org_id).await?;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:<24} {:<16} {:<11} {:<10} organisation",
                "username", "role", "qualification", "state"
            )?;
            // One query for the organisations' names, not one per user.
            let org_names: std::collections::HashMap<_, _> = store
                .list_orgs()
                .await?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect();
            for u in users {
                let org_name = org_names.get(&u.org_id).map_or("-", String::as_str);
                let state = if u.disabled { "disabled" } else { "active" };
                writeln!(
                    out,
                    "{:<24} {:<16} {:<11} {:<10} {}",
                    u.username, u.role, u.qualification, state, org_name
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Disable { username } => set_disabled(&store, &username, true).await,
        UserCommand::Enable { username } => set_disabled(&store, &username, false).await,
    };
    store.close().await;
    result
}

async fn find_org(store: &Store, key: &str) -> anyhow::Result<varde_store::Org> {
    match store.org_by_key(key.trim()).await? {
        Some(org) => Ok(org),
        None => bail!(
            "--org: no organisation with municipality number, organisation number or slug `{}`",
            key.trim()
        ),
    }
}

fn parse_qualification(s: &str) -> anyhow::Result<varde_core::org::Qualification> {
    varde_core::org::input::qualification(s).map_err(|e| anyhow::anyhow!("--{e}"))
}

async fn user_add(
    store: &Store,
    org: &str,
    role: &str,
    username: &str,
    qualification: &str,
) -> anyhow::Result<ExitCode> {
    let qualification = parse_qualification(qualification)?;
    let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let username =
        varde_core::org::input::username(username).map_err(|e| anyhow::anyhow!("--{e}"))?;
    let org = find_org(store, org).await?;
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']).to_string();
    varde_core::passwords::check(&password, &username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = varde_web::auth::hash_password(password)
        .await
        .map_err(|_| anyhow::anyhow!("password hashing failed"))?;
    let id = store
        .create_user(org.id, role, qualification, &username, &hash, now())
        .await?;
    println!(
        "user {username} (id {}) added to {} as {}",
        id.0,
        org.name,
        role.as_str()
    );
    Ok(ExitCode::SUCCESS)
}

/// A change of a user made on the command line: an event without a user as author, and an
/// access-log entry (actor `varde`) that the user's organisation's auditor sees.
async fn change_user(
    store: &Store,
    username: &str,
    change: UserChange,
    reason: &str,
) -> anyhow::Result<()> {
    let Some(user) = store.user_by_username(username).await? else {
        bail!("no user named `{username}`");
    };
    let access = varde_store::NewAccess {
        at: now(),
        actor: "varde (command line)".into(),
        actor_id: 0,
        org_id: user.org_id.0,
        owner_org_id: user.org_id.0,
        action: varde_core::authz::Action::UserManage.as_str().into(),
        subject: String::new(),
        record: String::new(),
        purpose: String::new(),
        outcome: varde_core::audit::Outcome::Allowed,
        flagged: false,
    };
    // The organisation keeps an enabled administrator (the rule of the web's forms and API):
    // make another one first.
    store
        .change_user_checked(
            user.id,
            change,
            reason,
            None,
            &access,
            now(),
            |account, admins| {
                varde_core::org::check_change(None, account, change, admins)
                    .map_err(|e| anyhow::anyhow!("{e}"))
            },
        )
        .await?;
    Ok(())
}

async fn set_disabled(store: &Store, username: &str, disabled: bool) -> anyhow::Result<ExitCode> {
    let (change, done) = if disabled {
        (UserChange::Disable, "disabled with the varde command")
    } else {
        (UserChange::Enable, "enabled with the varde command")
    };
    change_user(store, username, change, done).await?;
    println!(
        "user {username} {}",
        if disabled { "disabled" } else { "enabled" }
    );
    Ok(ExitCode::SUCCESS)
}

async fn org_list(data_dir: &Path, url: Option<String>) -> anyhow::Result<ExitCode> {
    let store = open_store(data_dir, url).await?;
    let orgs = store.list_orgs().await?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<26} {:<10} {:<10} name",
        "kind", "kommunenr", "orgnr"
    )?;
    for o in orgs {
        writeln!(
            out,
            "{:<26} {:<10} {:<10} {}",
            o.kind,
            o.kommunenummer.as_deref().unwrap_or("-"),
            o.orgnr.as_deref().unwrap_or("-"),
            o.name
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify(data_dir: &Path, url: Option<String>) -> anyhow::Result<ExitCode> {
    let store = open_store(data_dir, url).await?;
    let result = store.verify_access_log().await?;
    store.close().await;
    match result {
        Ok(n) => {
            println!("access log intact: {n} entries verified");
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            eprintln!("access log BROKEN at entry {}: {}", broken.id, broken.why);
            println!("{}", broken.id);
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn backup(data_dir: &Path, url: Option<String>) -> anyhow::Result<ExitCode> {
    let store = open_store(data_dir, url).await?;
    if store.engine() == varde_store::Engine::Postgres {
        store.close().await;
        eprintln!(
            "varde backup copies SQLite databases. For PostgreSQL use the server's tools: \
             `pg_dump --format=custom --file=varde.dump DBNAME` for a consistent online copy, \
             or continuous archiving (pg_basebackup + WAL) for point-in-time recovery. \
             Keep pseudonym.key from the data directory with the backup."
        );
        return Ok(ExitCode::FAILURE);
    }
    let dir = data_dir.join("backups");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stamp = now().strftime("%Y%m%dT%H%M%SZ").to_string();
    let dest = dir.join(format!("varde-{stamp}.db"));
    store.backup_sqlite(&dest).await?;
    store.close().await;
    println!("{}", dest.display());
    Ok(ExitCode::SUCCESS)
}
