//! Surveillance statistics for weekly counts.
