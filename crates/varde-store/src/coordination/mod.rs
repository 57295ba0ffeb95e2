//! Storage of the coordination area on both engines: consents (`coordination_consents`, each
//! given and withdrawn also as an event in `coordination:consent:{id}`), individual plans
//! (`coordination_plans`) with their goals, measures, evaluations, responsibility-group members
//! and meetings (`coordination_goals`, `_measures`, `_evaluations`, `_members`, `_meetings`).
//!
//! | file | what |
//! |---|---|
//! | `consents.rs` | record, withdraw, the one in force for a read (read at each decision, never cached), a person's consents and who read their data |
//! | `plans.rs` | create a plan, read one whole, write to it (one write, its version checked, with its access entry) |
//! | `facts.rs` | what the worklist and the figures need |
//! | `overdose.rs` | the overdose notices: registration with its consent and monitoring row, steps, reads, the stamp |
//! | `discharge/` | the discharge notices: the stream, the projection, the outbox rows, the webhooks |
//!
//! Every read of a plan and every write commits with its access-log entry.

mod consents;
pub mod discharge;
mod facts;
pub mod overdose;
mod plans;

pub use consents::{Reader, StoredConsent};
pub use facts::{FigureFacts, WorklistFacts};
pub use plans::{
    PlanRef, PlanWrite, StoredEvaluation, StoredGoal, StoredMeasure, StoredMeeting, StoredMember,
    StoredPlan,
};

/// The access-log record of a plan.
pub fn coordination_plan_record(id: i64) -> String {
    format!("coordination:plan:{id}")
}

/// The access-log record of a consent.
pub fn coordination_consent_record(id: i64) -> String {
    format!("coordination:consent:{id}")
}
