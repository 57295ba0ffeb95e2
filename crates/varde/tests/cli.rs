//! The `varde` command's stable contract: global options, user add, audit verify, backup,
//! warnings list and euda.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use jiff::Timestamp;
use varde_core::audit::Outcome;
use varde_store::testing::TestDb;
use varde_store::{Engine, NewAccess, Store};

fn varde(data_dir: &Path, url: Option<&str>, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_varde"));
    cmd.arg("--data-dir").arg(data_dir);
    if let Some(u) = url {
        cmd.arg("--database-url").arg(u);
    }
    cmd.args(args)
        .env_remove("VARDE_DATABASE_URL")
        .env_remove("VARDE_DATA_DIR")
        .env("VARDE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("varde runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn access(n: i64) -> NewAccess {
    NewAccess {
        at: Timestamp::from_second(1_795_000_000 + n).unwrap(),
        actor: "kari".into(),
        actor_id: 1,
        org_id: 1,
        owner_org_id: 1,
        action: "person.read".into(),
        subject: format!("{n:032x}"),
        record: format!("person:{n}"),
        purpose: String::new(),
        outcome: Outcome::Allowed,
        flagged: false,
    }
}

async fn audit_verify_names_the_altered_entry(engine: Engine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let dir = db.data_dir.path().to_path_buf();
    // The SQLite test database is the default file in the data directory; PostgreSQL needs
    // the URL.
    let url = (engine == Engine::Postgres).then(|| db.url.clone());
    for n in 1..=12 {
        db.store.log_access(&access(n)).await.unwrap();
    }
    let out = varde(&dir, url.as_deref(), &["audit", "verify"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("12 entries"),
        "{}",
        text(&out.stdout)
    );

    db.store.tamper_access_entry(7, "mallory").await.unwrap();
    let out = varde(&dir, url.as_deref(), &["audit", "verify"], None);
    assert!(!out.status.success());
    assert_eq!(text(&out.stdout).trim(), "7");
    assert!(
        text(&out.stderr).contains("entry 7"),
        "{}",
        text(&out.stderr)
    );
    db.cleanup().await;
}

#[test]
fn sqlite_user_add_on_a_fresh_data_dir_and_backup() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = varde(d, None, &["migrate"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Idempotent.
    assert!(varde(d, None, &["migrate"], None).status.success());

    // Built-in organisations from the first start: a municipality number works.
    let out = varde(
        d,
        None,
        &[
            "user",
            "add",
            "--org",
            "0301",
            "--role",
            "advisor",
            "--username",
            "kari",
            "--password-stdin",
        ],
        Some("et-langt-passord\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Oslo"));
    // And an organisation number (Helsedirektoratet).
    let out = varde(
        d,
        None,
        &[
            "user",
            "add",
            "--org",
            "983544622",
            "--role",
            "analyst",
            "--username",
            "ola",
            "--password-stdin",
        ],
        Some("et-langt-passord\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Bad input names the problem.
    let cases: [(&[&str], &str); 4] = [
        (
            &["--org", "9999", "--role", "advisor", "--username", "per"],
            "--org",
        ),
        (
            &["--org", "0301", "--role", "boss", "--username", "per"],
            "--role",
        ),
        (
            &["--org", "0301", "--role", "advisor", "--username", "kari"],
            "taken",
        ),
        (
            &["--org", "0301", "--role", "advisor", "--username", "a b"],
            "username",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["user", "add"];
        all.extend_from_slice(args);
        all.push("--password-stdin");
        let out = varde(d, None, &all, Some("et-langt-passord\n"));
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains(needle),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = varde(
        d,
        None,
        &[
            "user",
            "add",
            "--org",
            "0301",
            "--role",
            "advisor",
            "--username",
            "kort",
            "--password-stdin",
        ],
        Some("kort\n"),
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("password"));

    // Qualifications: at creation, and changed later; an unknown one names the option.
    let out = varde(
        d,
        None,
        &["user", "qualify", "kari", "--qualification", "surgeon"],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--qualification"));
    let out = varde(
        d,
        None,
        &["user", "qualify", "kari", "--qualification", "specialist"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = varde(d, None, &["user", "list"], None);
    let list = text(&out.stdout);
    assert!(list.contains("specialist"), "{list}");
    assert!(list.contains("kari") && list.contains("ola"), "{list}");
    let out = varde(d, None, &["user", "disable", "kari"], None);
    assert!(out.status.success());
    assert!(text(&varde(d, None, &["user", "list"], None).stdout).contains("disabled"));

    let out = varde(d, None, &["org", "list"], None);
    let orgs = text(&out.stdout);
    assert!(
        orgs.contains("Oslo kommune") && orgs.contains("Helse Nord RHF"),
        "{orgs}"
    );

    // Administration commands do not create the pseudonym key (only serving does).
    assert!(!d.join("pseudonym.key").exists());
    let out = varde(d, None, &["backup"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let path = text(&out.stdout).trim().to_string();
    assert!(path.contains("backups"), "{path}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let copy = Store::connect(&format!("sqlite://{path}")).await.unwrap();
        assert_eq!(
            copy.user_by_username("kari").await.unwrap().unwrap().role,
            "advisor"
        );
        copy.close().await;
    });
}

/// `varde user disable` keeps the rule of the web's forms and API: an organisation's last
/// enabled administrator is not disabled (add another first), with the same named refusal.
#[test]
fn sqlite_user_disable_keeps_the_last_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let add = |name: &str| {
        let args = [
            "user",
            "add",
            "--org",
            "0301",
            "--role",
            "org-admin",
            "--username",
            name,
            "--password-stdin",
        ];
        let out = varde(d, None, &args, Some("et-langt-passord\n"));
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    add("admin.en");
    let out = varde(d, None, &["user", "disable", "admin.en"], None);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("account: the organisation's last administrator cannot be disabled"),
        "{err}"
    );
    assert!(!text(&varde(d, None, &["user", "list"], None).stdout).contains("disabled"));
    // With a second administrator, the first can be disabled; then the second is the last.
    add("admin.to");
    let out = varde(d, None, &["user", "disable", "admin.en"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = varde(d, None, &["user", "disable", "admin.to"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("last administrator"));
    // A disabled administrator may be enabled again.
    let out = varde(d, None, &["user", "enable", "admin.en"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn unknown_database_scheme_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = varde(
        dir.path(),
        Some("mysql://localhost/varde"),
        &["migrate"],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("mysql"), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing created"
    );
}

/// `varde signal` as other tools call it: the input and output contract and its errors.
#[test]
fn signal_cli_contract() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two series from the R package's abattoir data, in the input format.
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../varde-signal/testdata/data/abattoir.csv"),
    )
    .unwrap();
    let mut input = String::from("series,week_index,year,week,observed,population\n");
    for name in ["a", "b"] {
        for line in src.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            input += &format!("{name},{},{},{},{},\n", f[1], f[2], f[3], f[5]);
        }
    }
    let input_path = d.join("in.csv");
    std::fs::write(&input_path, &input).unwrap();
    let out_path = d.join("out.csv");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "signal".to_string(),
            "--method".into(),
            "ears-c1".into(),
            "--input".into(),
            input_path.display().to_string(),
            "--range-last".into(),
            "10".into(),
            "--output".into(),
            out_path.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        varde(d, None, &refs, None)
    };
    let out = run(args(&["--param", "alpha=0.001"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&out_path).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "series,week_index,observed,upperbound,alarm,expected,score"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows.len(),
        20,
        "the last 10 weeks of each of the two series"
    );
    for r in &rows {
        let alarm = r.split(',').nth(4).unwrap();
        assert!(alarm == "0" || alarm == "1", "{r}");
    }
    // An unknown parameter name is an error naming it.
    let out = run(args(&["--param", "nosuchparam=1"]));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("nosuchparam"),
        "{}",
        text(&out.stderr)
    );
    // A gap in week_index names the series and the row.
    let gapped: String = input
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 5)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(&input_path, gapped).unwrap();
    let out = run(args(&[]));
    assert!(!out.status.success());
    let err = text(&out.stderr);
    // The row after the gap (week 6, file line 6) is the one named.
    assert!(err.contains("series 'a', line 6"), "{err}");
}

/// `varde demo` (one of the README's two commands): it prints its address and logins, serves
/// the login page and the demo data, and on SIGTERM stops and removes its data directory.
#[cfg(unix)]
#[test]
fn demo_serves_and_cleans_up_on_sigterm() {
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpStream;
    let mut child = Command::new(env!("CARGO_BIN_EXE_varde"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env("VARDE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("varde demo runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut addr, mut dir, mut printed) = (String::new(), String::new(), Vec::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(a) = line.strip_prefix("Varde demo: http://") {
            addr = a.trim_end_matches('/').to_owned();
        }
        if let Some(d) = line.strip_prefix("Data (deleted on exit): ") {
            dir = d.to_owned();
        }
        let done = line.starts_with("Stop with");
        printed.push(line);
        if done {
            break;
        }
    }
    let printed = printed.join("\n");
    assert!(!addr.is_empty() && !dir.is_empty(), "{printed}");
    assert!(
        printed.contains("kliniker") && printed.contains("LAR and coercion"),
        "{printed}"
    );
    assert!(Path::new(&dir).is_dir());
    let get = |path: &str| {
        let mut s = TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    assert!(get("/healthz").starts_with("HTTP/1.1 200"));
    let login = get("/login");
    assert!(
        login.starts_with("HTTP/1.1 200") && login.contains("<form"),
        "{login}"
    );
    // The demo's open feedback link, as printed, shows the patient's form.
    let prefix = format!("http://{addr}/f/");
    let link = printed
        .lines()
        .find_map(|l| {
            l.split_once(&prefix)
                .map(|(_, t)| format!("/f/{}", t.trim()))
        })
        .expect("the demo prints a feedback link");
    let form = get(&link);
    assert!(form.starts_with("HTTP/1.1 200"), "{form}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success(), "exits cleanly on SIGTERM");
    assert!(
        !Path::new(&dir).exists(),
        "the demo's data directory is removed"
    );
}

/// `varde warnings list` and `varde warnings euda`: a published warning and a draft seeded
/// through the web layer's operations, read back by the command.
async fn warnings_list_and_euda_export(engine: Engine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let now = Timestamp::now();
    varde_web::bootstrap::seed_builtin(&db.store, now)
        .await
        .unwrap();
    varde_web::bootstrap::seed_demo(&db.store, now)
        .await
        .unwrap();
    let state = varde_web::AppState::new(
        db.store.clone(),
        varde_core::pseudonym::PseudonymKey::from_bytes([7u8; 32]),
        varde_web::Clock::System,
        varde_web::Config::default(),
    )
    .unwrap();
    let id = varde_web::bootstrap::seed_demo_warnings(&state)
        .await
        .unwrap();
    let dir = db.data_dir.path();
    let url = Some(db.url.as_str());

    let out = varde(dir, url, &["warnings", "list"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&out.stdout);
    assert!(
        list.starts_with("id\tstatus\tseverity\tversion\ttitle\n"),
        "{list}"
    );
    assert!(
        list.contains(&format!("{id}\tpublished\textreme\t1\t")),
        "{list}"
    );
    assert!(list.contains("\tdraft\t"), "the draft waiting: {list}");

    let out = varde(dir, url, &["warnings", "euda", &id], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let alerts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(alerts[0]["warning_id"], id.as_str());
    assert_eq!(alerts[0]["high_risk"], true);
    // Every published warning, as CSV: a header and one row (the draft is not published).
    let out = varde(dir, url, &["warnings", "euda", "--format", "csv"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .starts_with(varde_core::warnings::export::CSV_COLUMNS[0]));

    let out = varde(dir, url, &["warnings", "euda", "OVS-NOSUCH"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no warning OVS-NOSUCH"));
    db.cleanup().await;
}

/// `varde advisory erase`: the erasure job from the command line (the job itself is tested
/// over HTTP in `crates/varde-web/tests/advisory/erasure.rs`); of the demo's cases one closed
/// case is left unerased (its erasure due within 30 days; the other was erased by the demo), so
/// one is erased on a late day and none on a second run; a day that does not parse is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_advisory_erase() {
    let Some(db) = TestDb::new(Engine::Sqlite).await else {
        return;
    };
    let now = Timestamp::now();
    varde_web::bootstrap::seed_builtin(&db.store, now)
        .await
        .unwrap();
    varde_web::bootstrap::seed_demo(&db.store, now)
        .await
        .unwrap();
    let state = varde_web::AppState::new(
        db.store.clone(),
        varde_core::pseudonym::PseudonymKey::from_bytes([7u8; 32]),
        varde_web::Clock::System,
        varde_web::Config::default(),
    )
    .unwrap();
    let opened = varde_web::advisory::demo::seed_demo_advisory(&state)
        .await
        .unwrap();
    assert!(opened > 0);
    let dir = db.data_dir.path();
    let url = Some(db.url.as_str());
    let out = varde(
        dir,
        url,
        &["advisory", "erase", "--today", "2099-01-01"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "1 advisory case(s) erased as of 2099-01-01\n"
    );
    let out = varde(
        dir,
        url,
        &["advisory", "erase", "--today", "2099-01-01"],
        None,
    );
    assert_eq!(
        text(&out.stdout),
        "0 advisory case(s) erased as of 2099-01-01\n"
    );
    let out = varde(dir, url, &["advisory", "erase", "--today", "1 May"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--today 1 May: a date as YYYY-MM-DD"));
    db.cleanup().await;
}

/// Runs `varde simulate KIND --seed SEED --year 2024 --out DIR/NAME`: the output folder and
/// the manifest printed.
fn simulate(dir: &Path, kind: &str, name: &str, seed: &str) -> (PathBuf, serde_json::Value) {
    let out = dir.join(name);
    let o = varde(
        dir,
        None,
        &[
            "simulate",
            kind,
            "--seed",
            seed,
            "--year",
            "2024",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    (out, serde_json::from_slice(&o.stdout).unwrap())
}

/// `varde simulate advisory`: a seeded national year of the advisory units' cases and advice
/// (rates in docs/advisory-simulation.md), the same bytes for the same seed, the conditions
/// about 90 in the year, and the statistics' national count of cases that of the cases written.
#[test]
fn simulate_advisory() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, seed: &str| simulate(dir.path(), "advisory", name, seed);
    let (a, manifest) = run("a", "5");
    let conditions = manifest["cases_by_route"]["prosecution_condition"]
        .as_u64()
        .unwrap();
    assert!((60..=120).contains(&conditions), "{manifest}");
    let cases = manifest["cases"].as_u64().unwrap();
    let read = |dir: &Path, f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert_eq!(read(&a, "cases.csv").lines().count() as u64, cases + 1);
    assert_eq!(
        read(&a, "advice.csv").lines().count() as u64,
        manifest["advice"].as_u64().unwrap() + 1
    );
    let stats = read(&a, "statistics.csv");
    assert!(
        stats.contains(&format!("\nnation,NO,cases,,{cases},false\n")),
        "{stats}"
    );
    // No identity number, no name: the records are the anonymous shape.
    assert!(read(&a, "cases.csv").starts_with("org_id,municipality,county,route,age_group,sex,"));
    // Same seed, same bytes; another seed, another year.
    let (b, _) = run("b", "5");
    for f in ["cases.csv", "advice.csv", "statistics.csv", "manifest.json"] {
        assert_eq!(read(&a, f), read(&b, f), "{f}");
    }
    let (c, _) = run("c", "6");
    assert_ne!(read(&a, "cases.csv"), read(&c, "cases.csv"));
}

/// `varde simulate coordination`: a national year of anonymous records and the figures the
/// app would show; the same seed gives the same bytes.
#[test]
fn simulate_coordination() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, seed: &str| simulate(dir.path(), "coordination", name, seed);
    let (a, manifest) = run("a", "5");
    let read = |dir: &Path, f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    // SAMDATA 2023's TSB patients, 26 % of them with a plan (within a point).
    assert_eq!(manifest["people"], 34_360);
    let plans = manifest["with_plan"].as_f64().unwrap() / 34_360.0;
    assert!((plans - 0.26).abs() < 0.01, "{manifest}");
    for (f, n) in [
        ("people.csv", "people"),
        ("discharges.csv", "discharge_notices"),
        ("overdoses.csv", "overdose_notices"),
    ] {
        assert_eq!(
            read(&a, f).lines().count() as u64,
            manifest[n].as_u64().unwrap() + 1,
            "{f}"
        );
    }
    // Anonymous: a row number, no identity number, no name.
    assert!(read(&a, "people.csv").starts_with("person,municipality,county,region,"));
    // The nation's figures are shown; some small municipality's are hidden.
    let figures = read(&a, "figures.csv");
    assert!(figures.contains("\nnational,plan,"), "{figures}");
    assert!(
        figures.lines().any(|l| l.split(',').nth(2) == Some("")),
        "nothing hidden"
    );
    assert!(manifest["figure_cells_suppressed"].as_u64().unwrap() > 0);
    let national = read(&a, "discharge_figures.csv");
    assert!(national.lines().last().unwrap().starts_with("national,"));
    // The overdose follow-up: a row per municipality with notices and the nation's last.
    let follow_up = read(&a, "overdose_figures.csv");
    assert!(follow_up.starts_with("municipality,notices,attempted_in_week,contact_in_week,"));
    assert_eq!(
        follow_up.lines().count() as u64,
        manifest["overdose_rows"].as_u64().unwrap() + 2
    );
    assert!(follow_up.lines().last().unwrap().starts_with("national,"));
    assert!(manifest["overdose_rows_suppressed"].as_u64().unwrap() > 0);
    // Same seed, same bytes; another seed, another year.
    let (b, _) = run("b", "5");
    for f in [
        "people.csv",
        "discharges.csv",
        "overdoses.csv",
        "figures.csv",
        "overdose_figures.csv",
        "discharge_figures.csv",
        "manifest.json",
    ] {
        assert_eq!(read(&a, f), read(&b, f), "{f}");
    }
    let (c, _) = run("c", "6");
    assert_ne!(read(&a, "people.csv"), read(&c, "people.csv"));
}

/// `varde coordination fhir`: the demo's first plan exported as the coordinator sees it (the
/// same bundle as the API: a FHIR R4 collection, the person only by pseudonym), the read in
/// the access log with the user as actor and the legal basis as purpose; a user of a third
/// organisation is refused as if the plan did not exist, and an unknown user is an error.
async fn coordination_fhir_export(engine: Engine) {
    let Some(db) = TestDb::new(engine).await else {
        return;
    };
    let now = Timestamp::now();
    varde_web::bootstrap::seed_builtin(&db.store, now)
        .await
        .unwrap();
    varde_web::bootstrap::seed_demo(&db.store, now)
        .await
        .unwrap();
    let dir = db.data_dir.path();
    // The key the command loads from the data directory, so the pseudonyms agree.
    let key = varde_store::load_or_create_key(dir).unwrap();
    let state = varde_web::AppState::new(
        db.store.clone(),
        key,
        varde_web::Clock::System,
        varde_web::Config::default(),
    )
    .unwrap();
    varde_web::coordination::demo::seed_demo_coordination(&state)
        .await
        .unwrap();
    let url = Some(db.url.as_str());
    let file = dir.join("plan.fhir.json");
    let out = varde(
        dir,
        url,
        &[
            "coordination",
            "fhir",
            "--plan",
            "1",
            "--as",
            "koordinator.oslo",
            "--out",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    assert_eq!(
        varde_core::coordination::fhir::check(&bundle),
        Vec::<String>::new()
    );
    let json = bundle.to_string();
    assert!(json.contains("\"CarePlan\""));
    for name in [
        "Are Demo",
        "Bente Demo",
        "Cato Demo",
        "Dina Demo",
        "Eirik Demo",
        "Frida Demo",
    ] {
        assert!(!json.contains(name), "no person's name: {json}");
    }
    let log = db
        .store
        .access_log(&varde_store::AccessFilter {
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    let e = log
        .iter()
        .find(|e| e.record == "coordination:plan:1")
        .expect("the read is logged");
    assert_eq!(e.actor, "koordinator.oslo");
    assert_eq!(e.outcome, "allowed");
    // To standard output, the same bundle.
    let out = varde(
        dir,
        url,
        &[
            "coordination",
            "fhir",
            "--plan",
            "1",
            "--as",
            "koordinator.oslo",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["entry"], bundle["entry"]);
    // A user who may not read it: refused as a plan that does not exist.
    for plan in ["1", "999999"] {
        let out = varde(
            dir,
            url,
            &["coordination", "fhir", "--plan", plan, "--as", "analytiker"],
            None,
        );
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains(&format!("no plan {plan} that analytiker may read")),
            "{}",
            text(&out.stderr)
        );
    }
    let out = varde(
        dir,
        url,
        &["coordination", "fhir", "--plan", "1", "--as", "nobody"],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--as nobody: no such user"));
    db.cleanup().await;
}

/// Each scenario above that takes an engine, run on SQLite and on PostgreSQL
/// (`sqlite::…`, `postgres::…`).
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(varde_store::Engine::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(varde_store::Engine::Postgres).await;
                }
            )*
        }
    };
}

on_both_engines!(
    audit_verify_names_the_altered_entry,
    warnings_list_and_euda_export,
    coordination_fhir_export,
);
