//! The advisory units' statistics (issue 12, item 11), pure: per unit, municipality, county
//! and nation for a period, from the anonymous records of cases ([`StatsRecord`]: erased
//! cases' stored records and, for cases not yet erased, the same record computed by
//! [`StatsRecord::of_unit`]) and the advice logged ([`AdviceRecord`]).
//!
//! A case belongs to the period of its opening day; advice to its day. The measures:
//!
//! | measure | group | what |
//! |---|---|---|
//! | `cases` | | cases opened |
//! | `cases_by_route` | the route | |
//! | `cases_by_age_group` | `under_15`, `15_17`, `18_25`, `over_25`, `unknown` | age on the opening day |
//! | `cases_by_sex` | `female`, `male`, `unknown` | from the identity number |
//! | `condition_cases_closed` | | cases from the prosecution closed (with an outcome) |
//! | `condition_cases_by_outcome` | `completed`, `not_completed`, `withdrawn` | |
//! | `share_completed` | | completed ÷ closed (0–1) |
//! | `cases_with_first_meeting` | | cases with a decision and a first meeting attended |
//! | `days_to_first_meeting` | `0_7`, `8_14`, `15_30`, `31_60`, `over_60` | days from the decision |
//! | `days_to_first_meeting_median` | | the median of those days |
//! | `non_attending_cases` | | cases with a meeting not attended |
//! | `outreach_per_non_attending_case` | | outreach attempts in them ÷ their number |
//! | `tests` | | drug tests taken |
//! | `tests_by_result` | `positive`, `not_positive` | |
//! | `share_positive` | | positive ÷ tests (0–1) |
//! | `referrals` | | referrals onward |
//! | `referrals_by_destination` | the destination | |
//! | `advice` | | advice given (voluntary quick logging, apart from the cases) |
//! | `advice_by_asker`, `advice_by_means`, `advice_by_topic`, `advice_by_age_group` | the code (`unknown` for no age group) | |
//!
//! **Suppression.** Every count is a cell ([`crate::suppression::cell`]: 1–4 hidden), and the
//! cells are protected together with [`protect_with`] along every sum the tables publish:
//! each breakdown adds up to its total at every place, and every cell of a municipality is
//! the sum of its units', a county's of its municipalities', the nation's of its counties' (a
//! unit without a known municipality or county is counted in an unpublished place, so the
//! sums still add up). So no hidden cell can be had back by subtracting shown cells from a
//! shown total, within a breakdown or across levels. A share, a median or a mean is shown only
//! when its base count is at least 5 and shown, and (a share) its numerator is shown too. The
//! same cells are hidden for every reader; who may see a unit's cells is the web's choice.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::advice::{AdviceRecord, Asker, Means, Topic, AGE_GROUPS};
use super::erasure::StatsRecord;
use super::{ClosingOutcome, ReferralTo, Route};
use crate::calendar::days_between;
use crate::suppression::{protect_with, Sum, THRESHOLD};

/// The key of the nation's cells.
pub const NATION: &str = "NO";

/// A level of the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Nation,
    County,
    Municipality,
    Unit,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Unit,
        Level::Municipality,
        Level::County,
        Level::Nation,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Unit => "unit",
            Level::Municipality => "municipality",
            Level::County => "county",
            Level::Nation => "nation",
        }
    }
}

/// A cell's value: a count, or a share, median or mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Count(u64),
    Number(f64),
}

impl Value {
    pub fn as_f64(self) -> f64 {
        match self {
            Value::Count(n) => n as f64,
            Value::Number(v) => v,
        }
    }
}

/// One published cell. `value` is None when `suppressed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub level: Level,
    /// The unit's organisation id, the municipality or county number, or [`NATION`].
    pub key: String,
    pub measure: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'static str>,
    pub value: Option<Value>,
    pub suppressed: bool,
}

/// The age groups with `unknown`.
const AGE: [&str; 5] = ["under_15", "15_17", "18_25", "over_25", "unknown"];
const SEX: [&str; 3] = ["female", "male", "unknown"];
const OUTCOMES: [&str; 3] = ["completed", "not_completed", "withdrawn"];
/// The bins of days from the decision to the first meeting, with their upper bounds.
pub const DAY_BINS: [(&str, i32); 5] = [
    ("0_7", 7),
    ("8_14", 14),
    ("15_30", 30),
    ("31_60", 60),
    ("over_60", i32::MAX),
];
const TEST_RESULTS: [&str; 2] = ["positive", "not_positive"];

/// The measures in the order they are listed: (measure, groups).
struct Breakdown {
    measure: &'static str,
    groups: Vec<&'static str>,
}

/// A total with its breakdowns, each adding up to it.
struct Family {
    total: &'static str,
    breakdowns: Vec<Breakdown>,
}

impl Family {
    fn slots(&self) -> usize {
        1 + self
            .breakdowns
            .iter()
            .map(|b| b.groups.len())
            .sum::<usize>()
    }
    /// The slot of `group` of breakdown `b`.
    fn slot(&self, b: usize, group: &str) -> usize {
        let before: usize = self.breakdowns[..b].iter().map(|x| x.groups.len()).sum();
        let i = self.breakdowns[b]
            .groups
            .iter()
            .position(|g| *g == group)
            .unwrap_or(self.breakdowns[b].groups.len() - 1);
        1 + before + i
    }
}

fn families() -> Vec<Family> {
    let route: Vec<&'static str> = Route::ALL.iter().map(|r| r.as_str()).collect();
    let dest: Vec<&'static str> = ReferralTo::ALL.iter().map(|r| r.as_str()).collect();
    let b = |measure, groups: Vec<&'static str>| Breakdown { measure, groups };
    vec![
        Family {
            total: "cases",
            breakdowns: vec![
                b("cases_by_route", route),
                b("cases_by_age_group", AGE.to_vec()),
                b("cases_by_sex", SEX.to_vec()),
            ],
        },
        Family {
            total: "condition_cases_closed",
            breakdowns: vec![b("condition_cases_by_outcome", OUTCOMES.to_vec())],
        },
        Family {
            total: "cases_with_first_meeting",
            breakdowns: vec![b(
                "days_to_first_meeting",
                DAY_BINS.iter().map(|d| d.0).collect(),
            )],
        },
        Family {
            total: "non_attending_cases",
            breakdowns: vec![],
        },
        Family {
            total: "tests",
            breakdowns: vec![b("tests_by_result", TEST_RESULTS.to_vec())],
        },
        Family {
            total: "referrals",
            breakdowns: vec![b("referrals_by_destination", dest)],
        },
        Family {
            total: "advice",
            breakdowns: vec![
                b(
                    "advice_by_asker",
                    Asker::ALL.iter().map(|a| a.as_str()).collect(),
                ),
                b(
                    "advice_by_means",
                    Means::ALL.iter().map(|a| a.as_str()).collect(),
                ),
                b(
                    "advice_by_topic",
                    Topic::ALL.iter().map(|a| a.as_str()).collect(),
                ),
                b("advice_by_age_group", AGE.to_vec()),
            ],
        },
    ]
}

const F_CASES: usize = 0;
const F_OUTCOME: usize = 1;
const F_FIRST: usize = 2;
const F_NON_ATTENDING: usize = 3;
const F_TESTS: usize = 4;
const F_REFERRALS: usize = 5;
const F_ADVICE: usize = 6;

/// A place of the tree: unit ⊂ municipality ⊂ county ⊂ nation.
struct Node {
    level: Level,
    key: String,
    /// False for the place of units without a known municipality or county.
    published: bool,
    children: Vec<usize>,
}

/// What a place counts beyond the cells: the days to each first meeting (for the median) and
/// the outreach attempts in non-attending cases (for the mean).
#[derive(Default, Clone)]
struct Extra {
    days: Vec<i32>,
    outreach: u64,
}

struct Tree {
    nodes: Vec<Node>,
    /// Unit node of each organisation id.
    units: BTreeMap<i64, usize>,
}

impl Tree {
    fn build(places: &[(i64, Option<&str>, Option<&str>)]) -> Tree {
        let mut nodes = vec![Node {
            level: Level::Nation,
            key: NATION.into(),
            published: true,
            children: vec![],
        }];
        let mut counties: BTreeMap<String, usize> = BTreeMap::new();
        let mut munis: BTreeMap<String, usize> = BTreeMap::new();
        let mut units = BTreeMap::new();
        for &(org, muni, county) in places {
            if units.contains_key(&org) {
                continue;
            }
            let county_key = if muni.is_some() {
                county.unwrap_or("")
            } else {
                ""
            };
            let c = match counties.get(county_key) {
                Some(&c) => c,
                None => {
                    nodes.push(Node {
                        level: Level::County,
                        key: county_key.to_owned(),
                        published: !county_key.is_empty(),
                        children: vec![],
                    });
                    let c = nodes.len() - 1;
                    nodes[0].children.push(c);
                    counties.insert(county_key.to_owned(), c);
                    c
                }
            };
            let muni_key = muni.unwrap_or("");
            let m = match munis.get(muni_key) {
                Some(&m) => m,
                None => {
                    nodes.push(Node {
                        level: Level::Municipality,
                        key: muni_key.to_owned(),
                        published: !muni_key.is_empty(),
                        children: vec![],
                    });
                    let m = nodes.len() - 1;
                    nodes[c].children.push(m);
                    munis.insert(muni_key.to_owned(), m);
                    m
                }
            };
            nodes.push(Node {
                level: Level::Unit,
                key: org.to_string(),
                published: true,
                children: vec![],
            });
            let u = nodes.len() - 1;
            nodes[m].children.push(u);
            units.insert(org, u);
        }
        Tree { nodes, units }
    }

    /// Node indexes with every child before its parent.
    fn bottom_up(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.nodes[i].level));
        order
    }
}

/// The median of `v` (the mean of the two middle values for an even count).
pub fn median(v: &[i32]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    let n = s.len();
    Some(if n % 2 == 1 {
        f64::from(s[n / 2])
    } else {
        (f64::from(s[n / 2 - 1]) + f64::from(s[n / 2])) / 2.0
    })
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// The statistics of `from`–`to` (both included) from `records` (each case's anonymous
/// record) and `advice`. See the module's documentation.
pub fn statistics(
    records: &[StatsRecord],
    advice: &[AdviceRecord],
    from: Date,
    to: Date,
) -> Vec<Cell> {
    let in_period = |d: Date| d >= from && d <= to;
    let records: Vec<&StatsRecord> = records.iter().filter(|r| in_period(r.opened_on)).collect();
    let advice: Vec<&AdviceRecord> = advice.iter().filter(|a| in_period(a.on)).collect();
    let mut places: Vec<(i64, Option<&str>, Option<&str>)> = records
        .iter()
        .map(|r| (r.org_id, r.municipality.as_deref(), r.county.as_deref()))
        .chain(
            advice
                .iter()
                .map(|a| (a.org_id, a.municipality.as_deref(), a.county.as_deref())),
        )
        .collect();
    places.sort();
    let tree = Tree::build(&places);
    let fams = families();
    let n = tree.nodes.len();
    // counts[family][node][slot]
    let mut counts: Vec<Vec<Vec<u64>>> = fams.iter().map(|f| vec![vec![0; f.slots()]; n]).collect();
    let mut extra = vec![Extra::default(); n];
    let mut add = |f: usize, node: usize, slot: usize, k: u64| counts[f][node][slot] += k;
    for r in &records {
        let u = tree.units[&r.org_id];
        let f = &fams[F_CASES];
        add(F_CASES, u, 0, 1);
        add(F_CASES, u, f.slot(0, &r.route), 1);
        add(
            F_CASES,
            u,
            f.slot(1, r.age_group.map_or("unknown", |g| g.as_str())),
            1,
        );
        add(
            F_CASES,
            u,
            f.slot(2, r.sex.map_or("unknown", |s| s.as_str())),
            1,
        );
        if r.route == Route::ProsecutionCondition.as_str() {
            if let Some(o) = &r.outcome {
                let o = ClosingOutcome::ALL
                    .iter()
                    .find(|c| c.as_str() == o)
                    .map_or("withdrawn", |c| c.as_str());
                add(F_OUTCOME, u, 0, 1);
                add(F_OUTCOME, u, fams[F_OUTCOME].slot(0, o), 1);
            }
        }
        if let (Some(decided), Some(first)) = (r.decided_on, r.first_meeting_on) {
            let days = days_between(decided, first).max(0);
            let bin = DAY_BINS
                .iter()
                .find(|b| days <= b.1)
                .map_or("over_60", |b| b.0);
            add(F_FIRST, u, 0, 1);
            add(F_FIRST, u, fams[F_FIRST].slot(0, bin), 1);
            extra[u].days.push(days);
        }
        if r.meetings_missed > 0 {
            add(F_NON_ATTENDING, u, 0, 1);
            extra[u].outreach += u64::from(r.outreach_attempts);
        }
        let positives = u64::from(r.positives.min(r.tests));
        add(F_TESTS, u, 0, u64::from(r.tests));
        add(F_TESTS, u, fams[F_TESTS].slot(0, "positive"), positives);
        add(
            F_TESTS,
            u,
            fams[F_TESTS].slot(0, "not_positive"),
            u64::from(r.tests) - positives,
        );
        for d in &r.referrals {
            add(F_REFERRALS, u, 0, 1);
            add(F_REFERRALS, u, fams[F_REFERRALS].slot(0, d), 1);
        }
    }
    for a in &advice {
        let u = tree.units[&a.org_id];
        let f = &fams[F_ADVICE];
        add(F_ADVICE, u, 0, 1);
        add(F_ADVICE, u, f.slot(0, a.asker.as_str()), 1);
        add(F_ADVICE, u, f.slot(1, a.means.as_str()), 1);
        add(F_ADVICE, u, f.slot(2, a.topic.as_str()), 1);
        let g = a.age_group.map_or("unknown", |g| {
            AGE_GROUPS
                .iter()
                .find(|x| **x == g)
                .map_or("unknown", |x| x.as_str())
        });
        add(F_ADVICE, u, f.slot(3, g), 1);
    }
    // Up the tree.
    for i in tree.bottom_up() {
        let children = tree.nodes[i].children.clone();
        for c in children {
            for fc in counts.iter_mut() {
                let child = fc[c].clone();
                for (s, v) in child.into_iter().enumerate() {
                    fc[i][s] += v;
                }
            }
            let e = extra[c].clone();
            extra[i].days.extend(e.days);
            extra[i].outreach += e.outreach;
        }
    }
    // Suppress each family along its sums.
    let mut hidden: Vec<Vec<Vec<bool>>> = Vec::with_capacity(fams.len());
    for (fi, f) in fams.iter().enumerate() {
        let slots = f.slots();
        let idx = |node: usize, slot: usize| node * slots + slot;
        let flat: Vec<u64> = counts[fi].iter().flatten().copied().collect();
        let published: Vec<bool> = (0..n * slots)
            .map(|i| tree.nodes[i / slots].published)
            .collect();
        let mut sums = Vec::new();
        for node in 0..n {
            let mut start = 1;
            for b in &f.breakdowns {
                sums.push(Sum {
                    total: idx(node, 0),
                    parts: (start..start + b.groups.len())
                        .map(|s| idx(node, s))
                        .collect(),
                });
                start += b.groups.len();
            }
            let children = &tree.nodes[node].children;
            if !children.is_empty() {
                for s in 0..slots {
                    sums.push(Sum {
                        total: idx(node, s),
                        parts: children.iter().map(|&c| idx(c, s)).collect(),
                    });
                }
            }
        }
        let h = protect_with(&flat, &published, &sums);
        hidden.push(h.chunks(slots).map(<[bool]>::to_vec).collect());
    }
    // The cells, place by place.
    let mut order: Vec<usize> = (0..n).filter(|&i| tree.nodes[i].published).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&tree.nodes[a], &tree.nodes[b]);
        (a.level, a.key.len(), &a.key).cmp(&(b.level, b.key.len(), &b.key))
    });
    let mut cells = Vec::new();
    for node in order {
        let place = &tree.nodes[node];
        let count = |fi: usize, slot: usize| (counts[fi][node][slot], hidden[fi][node][slot]);
        let push = |cells: &mut Vec<Cell>, measure, group, v: Option<Value>| {
            cells.push(Cell {
                level: place.level,
                key: place.key.clone(),
                measure,
                group,
                value: v,
                suppressed: v.is_none(),
            })
        };
        let shown = |fi: usize, slot: usize| {
            let (v, h) = count(fi, slot);
            (!h).then_some(v)
        };
        let derived_base = |fi: usize| shown(fi, 0).filter(|&b| b >= THRESHOLD);
        for (fi, f) in fams.iter().enumerate() {
            push(&mut cells, f.total, None, shown(fi, 0).map(Value::Count));
            let mut slot = 1;
            for b in &f.breakdowns {
                for g in &b.groups {
                    push(
                        &mut cells,
                        b.measure,
                        Some(*g),
                        shown(fi, slot).map(Value::Count),
                    );
                    slot += 1;
                }
            }
            match fi {
                F_OUTCOME => {
                    let v = derived_base(fi).and_then(|base| {
                        shown(fi, f.slot(0, "completed"))
                            .map(|c| Value::Number(round(c as f64 / base as f64, 3)))
                    });
                    push(&mut cells, "share_completed", None, v);
                }
                F_FIRST => {
                    let v = derived_base(fi)
                        .and_then(|_| median(&extra[node].days))
                        .map(Value::Number);
                    push(&mut cells, "days_to_first_meeting_median", None, v);
                }
                F_NON_ATTENDING => {
                    let v = derived_base(fi).map(|base| {
                        Value::Number(round(extra[node].outreach as f64 / base as f64, 2))
                    });
                    push(&mut cells, "outreach_per_non_attending_case", None, v);
                }
                F_TESTS => {
                    let v = derived_base(fi).and_then(|base| {
                        shown(fi, f.slot(0, "positive"))
                            .map(|p| Value::Number(round(p as f64 / base as f64, 3)))
                    });
                    push(&mut cells, "share_positive", None, v);
                }
                _ => {}
            }
        }
    }
    cells
}

/// Every measure's name, in the order [`statistics`] lists them (for the page and the docs).
pub fn measures() -> Vec<&'static str> {
    let mut out = Vec::new();
    for (fi, f) in families().iter().enumerate() {
        out.push(f.total);
        out.extend(f.breakdowns.iter().map(|b| b.measure));
        out.extend(match fi {
            F_OUTCOME => Some("share_completed"),
            F_FIRST => Some("days_to_first_meeting_median"),
            F_NON_ATTENDING => Some("outreach_per_non_attending_case"),
            F_TESTS => Some("share_positive"),
            _ => None,
        });
    }
    out
}
