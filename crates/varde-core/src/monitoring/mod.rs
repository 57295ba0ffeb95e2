//! Area 5, monitoring of the drug situation: signals and the watchlist of high-risk
//! substances (this part), and — to come — the sources, the weekly series and their
//! detection rules. A signal is raised by a rule (a finding of a watchlist substance, a purity
//! far above the recent range, an aberration of a weekly series) and worked by analysts in
//! their inbox: acknowledged, linked with related signals into one, or dismissed with a
//! reason; each change an event with its author.

pub mod prescriptions;
pub mod purity;
pub mod rules;
pub mod series;
pub mod signals;
pub mod sources;
