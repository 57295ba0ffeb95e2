//! The detection scored on the simulator's ground truth, through the monitoring area's own
//! pipeline: the sources' rows as the import parses them (`varde_core::monitoring::sources`),
//! counted per substance and county and ISO week, evaluated with each source's default rule
//! (`varde_core::monitoring::rules`), and scored against the injected outbreaks
//! (`varde_signal::score`: sensitivity, specificity, median weeks to detection) over the last
//! 100 weeks, seeds 1–3. The figures are printed for the record (`--nocapture`) and held to
//! floors well below what they are, so that a broken pipeline fails and noise does not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use jiff::civil::{date, Date};
use varde_core::monitoring::rules::Rule;
use varde_core::monitoring::series::{Source as SeriesSource, Week};
use varde_core::monitoring::sources::{parse, Source};
use varde_signal::score::{score, AlarmRow, Outbreak, Scores};
use varde_sim::monitoring::{EVAL_WEEKS, WEEKS};
use varde_sim::sources::{generate_sources, Options};

const TODAY: Date = date(2026, 12, 6);

fn scores(source: Source, series: SeriesSource, seeds: &[u64]) -> Scores {
    // The simulated series are the family's substances; other findings on the same rows
    // (alcohol beside an overdose) are series of their own with no truth to score against.
    let family = if source == Source::Overdoses {
        "ambulance"
    } else {
        source.as_str()
    };
    let simulated: Vec<String> = varde_sim::monitoring::FAMILIES
        .iter()
        .filter(|f| f.name == family)
        .flat_map(|f| f.substances.iter())
        .map(|(group, _)| {
            let name = varde_sim::sources::substance_of(family, group);
            varde_core::substances::get().find(name).unwrap().id.clone()
        })
        .collect();
    let mut truth = Vec::new();
    let mut alarms = Vec::new();
    let compiled = Rule::default_for(series).compile().unwrap();
    for &seed in seeds {
        let sim = generate_sources(&Options {
            seed,
            today: TODAY,
            seizure_scale: 1.0,
            weeks: WEEKS,
        });
        let file = sim.file(source.as_str()).unwrap();
        let parsed = parse(source, &mut file.csv.as_bytes(), TODAY);
        assert!(parsed.refused.is_empty(), "{:?}", &parsed.refused[..1]);
        // The weeks of the simulation, 0-based from its first Monday.
        let last = Week::of(TODAY).plus(-1);
        let first = last.plus(1 - WEEKS as i64);
        let mut counts: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
        for r in &parsed.records {
            let week = Week::of(r.day.unwrap());
            let i = (week.index() - first.index()) as usize;
            for f in r
                .findings
                .iter()
                .filter(|f| simulated.contains(&f.substance))
            {
                let key = (f.substance.clone(), r.county.clone().unwrap());
                counts.entry(key).or_insert_with(|| vec![0.0; WEEKS])[i] += 1.0;
            }
        }
        for o in sim.truth.iter().filter(|o| o.source == source.as_str()) {
            let id = varde_core::substances::get()
                .find(o.substance)
                .unwrap()
                .id
                .clone();
            let county = o.area.trim_start_matches("county:").to_owned();
            truth.push(Outbreak {
                series: format!("{seed}:{id}:{county}"),
                start: (Week::of(o.start).index() - first.index()) as usize + 1,
                length: o.weeks,
                place: county,
                size: o.size as f64,
            });
        }
        for ((substance, county), values) in &counts {
            for e in compiled.evaluate(values, WEEKS - EVAL_WEEKS) {
                alarms.push(AlarmRow {
                    series: format!("{seed}:{substance}:{county}"),
                    week_index: e.index + 1,
                    alarm: e.alarm,
                });
            }
        }
    }
    score(&truth, &alarms)
}

fn report(name: &str, s: &Scores) {
    println!(
        "{name}: outbreaks {}, detected {}, sensitivity {:.3}, specificity {:.4}, PPV {:.3}, \
         median weeks to detection {:?}, alarm weeks {} of {}",
        s.outbreaks,
        s.detected,
        s.sensitivity,
        s.specificity,
        s.ppv,
        s.median_weeks_to_detection,
        s.alarm_weeks,
        s.evaluated_weeks
    );
}

/// Overdoses (the ambulance family's default, Farrington flexible α = 0.01) find most
/// outbreaks in their first week and rarely alarm outside them.
#[test]
fn overdose_outbreaks_are_detected_through_the_areas_pipeline() {
    let s = scores(Source::Overdoses, SeriesSource::Overdoses, &[1, 2, 3]);
    report("overdoses", &s);
    assert!(s.outbreaks >= 20, "{s:?}");
    assert!(s.sensitivity >= 0.6, "{s:?}");
    assert!(s.specificity >= 0.97, "{s:?}");
    assert!(s.median_weeks_to_detection.unwrap() <= 1.0, "{s:?}");
}

/// Seizures (α = 0.005; the national level, about 500 a week) are overdispersed: fewer found,
/// still few false alarms.
#[test]
fn seizure_outbreaks_are_detected_through_the_areas_pipeline() {
    let s = scores(Source::Seizures, SeriesSource::Seizures, &[1, 2, 3]);
    report("seizures", &s);
    assert!(s.outbreaks >= 20, "{s:?}");
    assert!(s.sensitivity >= 0.5, "{s:?}");
    assert!(s.specificity >= 0.97, "{s:?}");
    assert!(s.median_weeks_to_detection.unwrap() <= 1.0, "{s:?}");
}
