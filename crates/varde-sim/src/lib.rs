//! Seeded synthetic data for Varde.
