//! Seeded synthetic data for Varde.

pub mod pathways;
