//! Varde's storage: the append-only event log, its projections and the hash-chained access
//! log, on SQLite (embedded default) and PostgreSQL (national scale).
//!
//! **Architecture invariant:** one SQL text serves both engines. Each method's body is
//! written once and compiled for both drivers by [`on_pool!`]; the schemas live in
//! `migrations/sqlite` and `migrations/postgres` with matching file names. Placeholders are
//! `$1, $2, …` in increasing order of appearance (SQLite numbers named parameters by first
//! appearance).
//!
//! **Architecture invariant:** a write and its access-log entry commit in one transaction;
//! a failure leaves neither.

mod keyfile;
mod pathway_meta;
mod pathways;
mod store;
mod treatment;

pub use keyfile::{load_or_create_key, KeyFileError};
pub use pathway_meta::{PathwayStamp, StoredBatch};
pub use pathways::*;
pub use store::*;
pub use treatment::*;

#[cfg(feature = "testing")]
pub mod testing;
