//! Area 3, coordination.

pub mod discharge;
