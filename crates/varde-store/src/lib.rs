//! Varde's storage: the append-only event log, its projections and the hash-chained access
//! log, on SQLite (embedded default) and PostgreSQL (national scale).
//!
//! **Architecture invariant:** one SQL text serves both engines. Each method's body is
//! written once and compiled for both drivers by [`on_pool!`](crate::db::on_pool); the
//! schemas live in `migrations/sqlite` and `migrations/postgres` with matching file names.
//! Placeholders are `$1, $2, …` in increasing order of appearance (SQLite numbers named
//! parameters by first appearance).
//!
//! **Architecture invariant:** a write and its access-log entry commit in one transaction;
//! a failure leaves neither.
//!
//! The modules follow the areas: `db` (the [`Store`], its engines and errors), `events` (the
//! event log), `audit` (the access log), `orgs`, `users`, `sessions`, `persons`, `backup`, `keyfile`, and
//! `pathways` (area 1: care pathways, with LAR and coercion), `warnings` (area 6: overdose
//! warnings, their subscribers and the outbox of deliveries), `monitoring` (area 5: signals
//! and the watchlist). Everything public is re-exported
//! here. With the cargo feature `testing`: [`testing`] (a fresh database per test) and the
//! test and benchmark hooks (`hooks`).

mod advisory;
mod audit;
mod backup;
mod batches;
mod coordination;
mod db;
mod drugcheck;
mod events;
mod feedback;
#[cfg(feature = "testing")]
mod hooks;
mod keyfile;
mod monitoring;
mod orgs;
mod pathways;
mod persons;
mod results;
mod sessions;
mod users;
mod warnings;

#[cfg(feature = "testing")]
pub mod testing;

pub use advisory::{
    advisory_record, AdvisoryAggregate, CaseEntry, CaseForErasure, CasePerson, CaseRef,
    ErasureCandidate, NewAdvice, NewCasePerson, StatisticsSource, StoredAdvice, StoredCase,
    StoredStats,
};
pub use audit::{AccessFilter, NewAccess};
pub use batches::{Batch, BatchTable, ImportOutcome, StoredBatch};
pub use coordination::discharge::webhooks::{DischargeDelivery, DischargeWebhook};
pub use coordination::discharge::{
    discharge_record, discharge_stream, DischargeRaise, DischargeStep, NoticeRef, StoredNotice,
};
pub use coordination::notices::{notice_stream, NoticeKind, NoticeMessage, NoticeStep};
pub use coordination::overdose::{
    overdose_stream, OverdoseList, OverdoseRef, OverdoseRegister, OverdoseStep, StoredOverdose,
};
pub use coordination::{
    coordination_consent_record, coordination_plan_record, coordination_relative_record,
    FigureFacts, PlanRef, PlanWrite, Reader, StatusConsent, StoredAgreement, StoredChildren,
    StoredConsent, StoredEvaluation, StoredGoal, StoredMeasure, StoredMeeting, StoredMember,
    StoredPlan, WorklistFacts,
};
pub use db::{default_url, engine_of, Engine, Store, StoreError, SQLITE_FILE};
pub use drugcheck::{DrugcheckCounts, DrugcheckLookup, DrugcheckRecorded, DrugcheckSample};
pub use events::{NewEvent, StoredEvent};
pub use feedback::surveys::{OpenSurvey, SurveyAnswers, SurveyLink};
pub use feedback::{
    FeedbackLinkRow, NewFeedbackLink, OpenFeedbackLink, PatientFeedback, SpentFeedbackLink,
};
pub use keyfile::{load_or_create_key, KeyFileError};
pub use monitoring::prescriptions::{PrescriptionImport, StoredFigure, PRESCRIPTIONS_SOURCE};
pub use monitoring::series::{SeriesWeek, StoredRule, RULES_STREAM};
pub use monitoring::sources::{
    monitoring_batch_key, MonitoringImport, MonitoringImported, SourceBatch, SourceRow,
    SourceSummary,
};
pub use monitoring::{signal_stream, Signal, WATCHLIST_STREAM};
pub use orgs::{NewOrg, Org};
#[cfg(feature = "testing")]
pub use pathways::PathwayRawInsert;
pub use pathways::{
    coercion_prefix, coercion_stream, fields_of_logged_row, lar_stream, pathway_stream,
    CorrectionEvent, PathwayCorrection, PathwayPerson, PathwayStamp, PathwayWrite,
    StoredPathwayEvent, PATHWAYS_CHANGED, PATHWAY_CORRECTED_KIND, PATHWAY_EVENTS_KIND,
    PATHWAY_INSERT_CHUNK,
};
pub use persons::{PersonRef, PersonRow};
pub use results::{
    results_stream, ResultsImport, StoredRating, StoredValue, TdiPerson, RESULTS_RATED_KIND,
};
pub use sessions::Session;
pub use users::{users_stream, User};
pub use warnings::{
    warnings_stream, Attempt, ClaimedDelivery, Delivery, DeliveryOutcome, NewDelivery, NewWebhook,
    Outbox, WarningWrite, Webhook,
};
