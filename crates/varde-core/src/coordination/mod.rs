//! Area 3, coordination between the municipality and specialised treatment (issue 16,
//! sections 1–2): consent that drives access across organisations, the individual plan with
//! its goals, measures and evaluations, the coordinator, the responsibility group, the
//! coordinator's worklist and the figures.
//!
//! | file | what |
//! |---|---|
//! | `basis.rs` | [`Scope`] (what a consent covers, no "everything") and [`LegalBasis`] (the only reads across organisations that need no consent, each with its paragraph) |
//! | `consent.rs` | a consent as recorded: checked input, and whether it is in force on a day |
//! | `plan.rs` | the individual plan's rules: goals, measures (owner inside the group, start and evaluation dates), evaluations, members and meetings |
//! | `worklist.rs` | the coordinator's worklist: evaluations due, stale plans, meetings without minutes, consents expiring |
//! | `figures.rs` | the shares of a unit's people with a plan, a coordinator, a group, a recent evaluation (suppressed < 5) |
//! | `relatives.rs` | agreements with relatives (pårørendeavtale): who, relation, the scopes shared, the person's consent, the review date; ended or withdrawn |
//! | `children.rs` | children as relatives (helsepersonelloven § 10 a): minor children, their needs talked about and followed up, with whom; the unit's shares (suppressed) |
//! | `overdose.rs` | follow-up after a non-fatal overdose (section 4): registration with the person's consent, the risk week's hours, attempts and outcomes, the anonymous monitoring row |
//! | `overdose_figures.rs` | the follow-up counted: per municipality and year, attempts and contact within the risk week (suppressed along the national sums) |
//! | `pathway_status.rs` | what a consent of scope `pathway_status` shows another organisation: the steps and next point of the person's pathways, no clinical content |
//! | `fhir/` | the FHIR R4 export of a plan and its consents: a `Bundle` (collection) of CarePlan, Goal, CareTeam, Consent, EpisodeOfCare, Organization; the person only by pseudonym |
//! | `discharge/` | the discharge notice (section 3): its steps, who takes them, the dates' order, the national figures |
//!
//! Pure: no I/O, no clock; today is an argument.

pub mod basis;
pub mod children;
pub mod consent;
pub mod discharge;
pub mod fhir;
pub mod figures;
pub mod overdose;
pub mod overdose_figures;
pub mod pathway_status;
pub mod plan;
pub mod relatives;
pub mod worklist;

#[cfg(test)]
mod tests;

pub use basis::{LegalBasis, Scope};
