//! Seeded synthetic data for Varde.
pub mod monitoring;
