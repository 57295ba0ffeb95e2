//! Seeded synthetic data for Varde.
pub mod advisory;
pub mod coordination;
pub mod monitoring;
pub mod pathways;
pub mod sources;
