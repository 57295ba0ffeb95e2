//! Storage of the coordination area on both engines: consents (`coordination_consents`, each
//! given and withdrawn also as an event in `coordination:consent:{id}`), individual plans
//! (`coordination_plans`) with their goals, measures, evaluations, responsibility-group members
//! and meetings (`coordination_goals`, `_measures`, `_evaluations`, `_members`, `_meetings`).
//!
//! | file | what |
//! |---|---|
//! | `consents.rs` | record, withdraw, the one in force for a read (read at each decision, never cached), a person's consents and who read their data |
//! | `plans.rs` | create a plan, read one whole, write to it (one write, its version checked, with its access entry) |
//! | `fhir.rs` | what the FHIR export reads beside the plan: the organisation's consents for the person, the references of the person's discharge notices |
//! | `facts.rs` | what the worklist and the figures need |
//! | `relatives.rs` | agreements with relatives (`coordination_relatives_agreements`): record, end or withdraw (events in `coordination:relative:{id}`), make the relative a group member, the reviews for the worklist |
//! | `children.rs` | children as relatives (`coordination_children_records`): record, list, the latest per plan for the figures |
//! | `notices.rs` | what both notices between organisations share: a step (event, projection at the expected version, outbox rows, access entry) and the state read |
//! | `overdose.rs` | the overdose notices: registration with its consent and monitoring row, steps, reads, the stamp |
//! | `pathway_status.rs` | the consents in force that open a person's pathway status to another organisation, and the holder's pathways of a pseudonym |
//! | `discharge/` | the discharge notices: the stream, the projection, the outbox rows, the webhooks |
//!
//! Every read of a plan and every write commits with its access-log entry.

mod children;
mod consents;
pub mod discharge;
pub(crate) mod facts;
mod fhir;
pub mod notices;
pub mod overdose;
mod pathway_status;
mod plans;
mod relatives;

pub use children::StoredChildren;
pub use consents::{Reader, StoredConsent};
pub use facts::{FigureFacts, WorklistFacts};
pub use pathway_status::StatusConsent;
pub use plans::{
    PlanRef, PlanWrite, StoredEvaluation, StoredGoal, StoredMeasure, StoredMeeting, StoredMember,
    StoredPlan,
};
pub use relatives::{coordination_relative_record, StoredAgreement};

/// The access-log record of a plan.
pub fn coordination_plan_record(id: i64) -> String {
    format!("coordination:plan:{id}")
}

/// The access-log record of a consent.
pub fn coordination_consent_record(id: i64) -> String {
    format!("coordination:consent:{id}")
}
