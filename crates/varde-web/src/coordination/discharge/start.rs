//! The links to the discharge pages the user's role may open (decided by `authz::decide`,
//! nothing attempted, so nothing logged), shown on the coordination area's pages.

use varde_core::authz::{decide, Action, Subject};
use varde_core::org::Principal;

/// (href, text key) of the discharge and overdose pages `p` may open.
pub fn links(p: &Principal) -> Vec<(&'static str, &'static str)> {
    let own = Subject::of_org(p.org);
    [
        (
            Action::CoordinationDischargeRead,
            "/coordination/discharge",
            "coordination.discharge.title",
        ),
        (
            Action::CoordinationOverdoseRead,
            "/coordination/overdose",
            "coordination.overdose.title",
        ),
        (
            Action::CoordinationDischargeNational,
            "/coordination/discharge/national",
            "coordination.discharge.national_title",
        ),
        (
            Action::CoordinationOverdoseNational,
            "/coordination/overdose/national",
            "coordination.overdose.national_title",
        ),
    ]
    .into_iter()
    .filter(|(action, _, _)| decide(p, *action, &own, None).allowed)
    .map(|(_, href, key)| (href, key))
    .collect()
}
