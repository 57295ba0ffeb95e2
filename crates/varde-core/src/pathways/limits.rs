//! Time limits (forløpstider) of the TSB pathway and of the pregnant women's pathway.
//!
//! Guidance, in calendar days, from the Directorate of Health's pathway pages ("Forløpstider –
//! rusbehandling (TSB) pakkeforløp", last professionally updated 4 February 2019, and "Gravide og
//! rusmidler"). The same figures are kept as versioned reference data in
//! `data/pathways/time_limits.csv`; a test checks that both agree. A breach is flagged and
//! counted, never blocked.

use super::model::{CareLevel, Variant};

/// The measured intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interval {
    /// First attendance → clinical decision after basic assessment.
    FirstAttendanceToClinicalDecision,
    /// End of detox → other treatment starts.
    DetoxEndToTreatmentStart,
    /// Clinical decision → first evaluation.
    ClinicalDecisionToFirstEvaluation,
    /// Between evaluations.
    BetweenEvaluations,
}

impl Interval {
    /// All intervals.
    pub const ALL: [Interval; 4] = [
        Interval::FirstAttendanceToClinicalDecision,
        Interval::DetoxEndToTreatmentStart,
        Interval::ClinicalDecisionToFirstEvaluation,
        Interval::BetweenEvaluations,
    ];

    /// The name used in the reference data.
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::FirstAttendanceToClinicalDecision => "first_attendance_to_clinical_decision",
            Interval::DetoxEndToTreatmentStart => "detox_end_to_treatment_start",
            Interval::ClinicalDecisionToFirstEvaluation => "clinical_decision_to_first_evaluation",
            Interval::BetweenEvaluations => "between_evaluations",
        }
    }
}

/// The limit in calendar days for an interval, variant and care level.
///
/// The pregnant pathway's inpatient limit from first attendance to clinical decision is "3–7
/// days" in the guide; Varde uses the upper bound, 7.
pub fn limit_days(variant: Variant, interval: Interval, level: CareLevel) -> i32 {
    use CareLevel::{Inpatient as I, Outpatient as O};
    use Interval::*;
    match (variant, interval, level) {
        (Variant::Standard, FirstAttendanceToClinicalDecision, O) => 21,
        (Variant::Standard, FirstAttendanceToClinicalDecision, I) => 7,
        (Variant::Standard, DetoxEndToTreatmentStart, O) => 3,
        (Variant::Standard, DetoxEndToTreatmentStart, I) => 0,
        (Variant::Standard, ClinicalDecisionToFirstEvaluation, _) => 7,
        (Variant::Standard, BetweenEvaluations, O) => 56,
        (Variant::Standard, BetweenEvaluations, I) => 42,
        (Variant::Pregnant, FirstAttendanceToClinicalDecision, _) => 7,
        (Variant::Pregnant, DetoxEndToTreatmentStart, _) => 0,
        (Variant::Pregnant, ClinicalDecisionToFirstEvaluation, O) => 14,
        (Variant::Pregnant, ClinicalDecisionToFirstEvaluation, I) => 7,
        (Variant::Pregnant, BetweenEvaluations, _) => 42,
    }
}

/// The reference-data copy of the limits, embedded at build time.
pub const TIME_LIMITS_CSV: &str = include_str!("../../data/pathways/time_limits.csv");

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn standard_limits_match_the_guide() {
        use CareLevel::*;
        let s = Variant::Standard;
        assert_eq!(
            limit_days(s, Interval::FirstAttendanceToClinicalDecision, Outpatient),
            21
        );
        assert_eq!(
            limit_days(s, Interval::FirstAttendanceToClinicalDecision, Inpatient),
            7
        );
        assert_eq!(
            limit_days(s, Interval::DetoxEndToTreatmentStart, Outpatient),
            3
        );
        assert_eq!(
            limit_days(s, Interval::DetoxEndToTreatmentStart, Inpatient),
            0
        );
        assert_eq!(limit_days(s, Interval::BetweenEvaluations, Outpatient), 56);
        assert_eq!(limit_days(s, Interval::BetweenEvaluations, Inpatient), 42);
    }

    #[test]
    fn reference_data_agrees_with_code() {
        let mut reader = csv::Reader::from_reader(TIME_LIMITS_CSV.as_bytes());
        let mut rows = 0;
        for rec in reader.records() {
            let rec = rec.expect("valid reference csv");
            let variant = Variant::parse(&rec[2]).expect("known variant");
            let interval = Interval::ALL
                .into_iter()
                .find(|i| i.as_str() == &rec[3])
                .expect("known interval");
            let out: i32 = rec[4].parse().expect("number");
            let inp: i32 = rec[5].parse().expect("number");
            assert_eq!(limit_days(variant, interval, CareLevel::Outpatient), out);
            assert_eq!(limit_days(variant, interval, CareLevel::Inpatient), inp);
            rows += 1;
        }
        assert_eq!(rows, 8);
    }
}
