//! Benchmark (not a timed test): `pathways report` and the worklist on a national year.
//!
//! `cargo run --release -p varde-sim --example pathways_bench [-- SEED SCALE]`

use std::time::Instant;

use jiff::civil::date;
use varde_core::pathways::{load, report, worklist};
use varde_sim::pathways::generate;

fn main() {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2023);
    let scale: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0);

    let t = Instant::now();
    let data = match generate(seed, scale) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!(
        "generate: {:.3} s, {} events, {} pathways, {:.1} MB CSV",
        t.elapsed().as_secs_f64(),
        data.manifest.events,
        data.manifest.pathways,
        data.events_csv.len() as f64 / 1e6
    );
    for f in &data.manifest.figures {
        println!(
            "  {:<20} target {:>12.3} reached {:>12.3} deviation {:.4} %",
            f.name,
            f.target,
            f.reached,
            100.0 * f.deviation()
        );
    }

    let (from, to, today) = (date(2023, 1, 1), date(2023, 12, 31), date(2024, 1, 1));
    let t = Instant::now();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(data.events_csv.as_bytes());
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0usize;
    while rdr.read_byte_record(&mut rec).unwrap_or(false) {
        rows += 1;
    }
    println!(
        "  (csv floor: {:.3} s for {rows} rows)",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let parsed = varde_core::pathways::read_events(data.events_csv.as_bytes());
    let t_parse = t.elapsed().as_secs_f64();
    if let Ok(p) = parsed {
        let t = Instant::now();
        let (valid, _) = varde_core::pathways::validate(p.events, today);
        println!(
            "  (parse {:.3} s, validate {:.3} s, {} events)",
            t_parse,
            t.elapsed().as_secs_f64(),
            valid.len()
        );
    }
    let t = Instant::now();
    let loaded = match load(data.events_csv.as_bytes(), to, today) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let t_load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = report(&loaded.events, from, to);
    let t_report = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let json = serde_json_len(&r);
    let t_json = t.elapsed().as_secs_f64();
    println!(
        "report (year): parse+validate {:.3} s, indicators {:.3} s, JSON {:.3} s, total {:.3} s; {} errors, {} indicator rows, {} bytes",
        t_load,
        t_report,
        t_json,
        t_load + t_report + t_json,
        loaded.errors.len(),
        r.indicators.len(),
        json
    );
    // The same file with its rows in a shuffled order (real exports are in any order).
    let mut lines: Vec<&str> = data.events_csv.lines().skip(1).collect();
    let mut state = seed | 1;
    for i in (1..lines.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        lines.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let shuffled = format!(
        "pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,deadline\n{}\n",
        lines.join("\n")
    );
    let t = Instant::now();
    if let Ok(l) = load(shuffled.as_bytes(), to, today) {
        let r2 = report(&l.events, from, to);
        println!(
            "report (year, shuffled rows): total {:.3} s; same result: {}",
            t.elapsed().as_secs_f64(),
            r2 == r
        );
    }
    let t = Instant::now();
    let items = worklist(&loaded.events, to);
    let t_due = t.elapsed().as_secs_f64();
    let mut per_unit = std::collections::BTreeMap::<&str, usize>::new();
    for i in &items {
        *per_unit.entry(i.unit.as_str()).or_default() += 1;
    }
    let (big_unit, big_n) = per_unit
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(u, n)| (*u, *n))
        .unwrap_or(("", 0));
    // One unit's worklist: filter its pathways' events and compute.
    let unit_ids: std::collections::HashSet<&str> = items
        .iter()
        .filter(|i| i.unit == big_unit)
        .map(|i| i.pathway_id.as_str())
        .collect();
    let unit_events: Vec<_> = loaded
        .events
        .iter()
        .filter(|e| unit_ids.contains(&*e.pathway_id))
        .cloned()
        .collect();
    let t = Instant::now();
    let unit_items = worklist(&unit_events, to);
    let t_unit = t.elapsed().as_secs_f64();
    println!(
        "worklist (nation): {:.3} s, {} open pathways; unit {big_unit}: {} open, {:.1} ms",
        t_due,
        items.len(),
        unit_items.len(),
        t_unit * 1000.0
    );
    debug_assert_eq!(unit_items.len(), big_n);
}

fn serde_json_len(r: &varde_core::pathways::Report) -> usize {
    // The report's JSON as `varde pathways report --format json` prints it.
    varde_core::pathways::commands::report_json(r).len()
}
