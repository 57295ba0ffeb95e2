//! csvio
