//! One patient's pathway as event rows of the CSV contract, with plausible timing.

use std::fmt::Write as _;

use jiff::civil::Date;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use varde_core::calendar::{add_days, add_working_days, days_between};

use super::calibration::{exp, units, Hf};
use super::YEAR;

pub(super) struct Writer {
    pub(super) out: String,
    pub(super) rows: usize,
}

impl Writer {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn event(
        &mut self,
        pid: &str,
        unit: &str,
        hf: &Hf,
        kommune: &str,
        level: &str,
        event: &str,
        date: Date,
        outcome: &str,
        deadline: Option<Date>,
    ) {
        let deadline = deadline.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(
            self.out,
            "{pid},{unit},{},{},{kommune},{level},{event},{date},,{outcome},{deadline}",
            hf.name, hf.rhf
        );
        self.rows += 1;
    }
}

pub(super) fn year_end() -> Date {
    Date::new(YEAR, 12, 31).unwrap_or(Date::ZERO)
}

pub(super) fn year_start() -> Date {
    Date::new(YEAR, 1, 1).unwrap_or(Date::ZERO)
}

/// Working days from receipt to assessment: 98 % within 10.
pub(super) fn assessment_delay(rng: &mut ChaCha8Rng) -> u32 {
    if rng.gen_bool(0.98) {
        rng.gen_range(1..=10)
    } else {
        rng.gen_range(11..=20)
    }
}

/// Days within a limit with probability `p`, else beyond it.
pub(super) fn timed(rng: &mut ChaCha8Rng, low: i64, limit: i64, p: f64, late_max: i64) -> i64 {
    if rng.gen_bool(p) {
        rng.gen_range(low.min(limit)..=limit)
    } else {
        rng.gen_range(limit + 1..=limit + late_max)
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn pathway(
    rng: &mut ChaCha8Rng,
    w: &mut Writer,
    pid: &str,
    hf: &Hf,
    kommune: &str,
    inpatient: bool,
    age: u8,
) {
    let u = units(hf);
    let end_of_year = year_end();
    // Received from September of the year before to early December.
    // 40 % of the year's patients are in a pathway that began before the year (TSB treatment
    // often lasts long); their earlier events are part of the file, as in a full export.
    let continuing = rng.gen_bool(0.4);
    let received = if continuing {
        add_days(year_start(), rng.gen_range(-540..-60))
    } else {
        add_days(year_start(), rng.gen_range(-60..340))
    };
    let assessed = add_working_days(received, assessment_delay(rng));
    // Legal deadline: 4 weeks under 23, otherwise 2, 6 or 12 weeks; never before the assessment
    // that sets it (a late assessment of a 2-week case gets its deadline on its own day).
    let weeks = if age < 23 {
        4
    } else {
        *[2, 6, 6, 6, 12, 12].choose(rng).unwrap_or(&6)
    };
    let deadline = add_days(received, weeks * 7).max(assessed);
    let window = days_between(received, deadline) as f64;
    let wait = if rng.gen_bool(0.95) {
        ((window * rng.gen_range(0.3..1.0)).round() as i64)
            .max(days_between(received, assessed) as i64)
    } else {
        window as i64 + rng.gen_range(1..=30)
    };
    let first_attendance = add_days(received, wait).max(assessed);
    let (level, unit) = if inpatient {
        ("inpatient", &u[2])
    } else {
        ("outpatient", &u[0])
    };
    let emit = |w: &mut Writer,
                unit: &str,
                level: &str,
                event: &str,
                d: Date,
                outcome: &str,
                dl: Option<Date>| {
        if d <= end_of_year {
            w.event(pid, unit, hf, kommune, level, event, d, outcome, dl);
        }
    };
    emit(
        w,
        &u[0],
        "outpatient",
        "referral_received",
        received,
        "",
        None,
    );
    emit(
        w,
        &u[0],
        "outpatient",
        "referral_assessed",
        assessed,
        "right",
        Some(deadline),
    );
    emit(w, &u[0], "outpatient", "pathway_start", assessed, "", None);
    emit(
        w,
        unit,
        level,
        "first_attendance",
        first_attendance,
        "",
        None,
    );

    let mut level = level;
    let mut unit: &str = unit;
    // Nothing may follow the end: the pathway ends no earlier than the start of treatment.
    let mut floor = first_attendance;
    if inpatient {
        let detox_end = add_days(first_attendance, rng.gen_range(4..=14));
        emit(w, unit, level, "detox_end", detox_end, "", None);
        let start = add_days(detox_end, timed(rng, 0, 0, 0.8, 3));
        unit = &u[1];
        emit(w, unit, level, "treatment_start", start, "", None);
        floor = start;
    }
    let decision_limit = if level == "inpatient" { 7 } else { 21 };
    // The decision after basic assessment may be taken during detox.
    let decision = add_days(first_attendance, timed(rng, 3, decision_limit, 0.78, 25));
    let codes = ["CT", "CT", "CT", "CT", "CT", "CT", "CT", "CU", "CK", "CA"];
    let code = if continuing {
        "CT"
    } else {
        *codes.choose(rng).unwrap_or(&"CT")
    };
    emit(w, unit, level, "clinical_decision", decision, code, None);
    let mut latest_decision = decision;
    if code == "CU" {
        latest_decision = add_days(decision, rng.gen_range(14..=40));
        emit(
            w,
            unit,
            level,
            "clinical_decision",
            latest_decision,
            "CT",
            None,
        );
    }
    let ends = matches!(code, "CK" | "CA");
    let duration = if ends {
        rng.gen_range(0..=14)
    } else {
        let d = (20.0 + exp(rng, 240.0)) as i64;
        if continuing {
            // Still in treatment in the simulated year.
            d.max(i64::from(days_between(latest_decision, year_start())) + rng.gen_range(1..=240))
        } else {
            d
        }
    };
    let end = add_days(latest_decision, duration).max(floor);
    if rng.gen_bool(0.45) {
        let d = add_days(latest_decision, rng.gen_range(0..=30)).min(end);
        emit(w, unit, level, "treatment_plan_involvement", d, "", None);
    }
    if !ends {
        // Inpatients go back to outpatient follow-up after a while.
        let mut ev = add_days(latest_decision, timed(rng, 2, 7, 0.72, 30));
        let mut k = 0;
        while ev <= end && ev <= end_of_year {
            emit(w, unit, level, "evaluation", ev, "", None);
            k += 1;
            if level == "inpatient" && k >= 2 && rng.gen_bool(0.5) {
                level = "outpatient";
                unit = &u[0];
            }
            let gap = if level == "inpatient" { 42 } else { 56 };
            ev = add_days(ev, timed(rng, 21, gap, 0.76, 40));
        }
    }
    if end <= end_of_year {
        if rng.gen_bool(0.3) {
            emit(w, unit, level, "feedback_tool_used", end, "", None);
        }
        let reason = *["avsluttet", "avsluttet", "avbrutt", "overført"]
            .choose(rng)
            .unwrap_or(&"avsluttet");
        emit(w, unit, level, "pathway_end", end, reason, None);
    }
}
