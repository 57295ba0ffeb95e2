//! The warnings pages (written next).
