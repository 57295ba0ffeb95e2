//! Area 3, coordination between the municipality and specialised treatment.

pub mod discharge;
