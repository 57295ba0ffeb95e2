//! What the coordinator's worklist and the figures are computed from (the rules are
//! `varde_core::coordination::{worklist, figures}`).

use varde_core::org::OrgId;

use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// The worklist's facts for a user: the plans of their organisation and those they
/// coordinate elsewhere (by the legal basis of the coordinator's own plan).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorklistFacts {
    /// (plan, person's name, created on, status, last evaluation)
    pub plans: Vec<(i64, String, String, String, Option<String>)>,
    /// (plan, measure, text, next evaluation due)
    pub measures: Vec<(i64, i64, String, String)>,
    /// (plan, meeting, held on, has minutes)
    pub meetings: Vec<(i64, i64, String, bool)>,
}

/// One person of an organisation, for the figures: whether they have a plan (not closed) in
/// any organisation, one with a coordinator, one with a responsibility group (a member from a
/// service: a user or an external person), and the last evaluation of any of their plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureFacts {
    pub plan: bool,
    pub coordinator: bool,
    pub group: bool,
    pub last_evaluation: Option<String>,
}

const VISIBLE: &str = "(p.org_id = $1 OR p.coordinator_id = $2)";

impl Store {
    /// The worklist's facts for user `user` of `org`.
    pub async fn coordination_worklist_facts(
        &self,
        org: OrgId,
        user: i64,
    ) -> Result<WorklistFacts, StoreError> {
        on_pool!(
            self,
            read | pool
                | {
                    let plans: Vec<(i64, String, String, String, Option<String>)> =
                        sqlx::query_as(&format!(
                            "SELECT p.id, pe.name, p.created_on, p.status, \
                     (SELECT MAX(e.on_day) FROM coordination_evaluations e WHERE e.plan_id = p.id) \
                     FROM coordination_plans p JOIN persons pe ON pe.id = p.person_id \
                     WHERE {VISIBLE} ORDER BY p.id"
                        ))
                        .bind(org.0)
                        .bind(user)
                        .fetch_all(pool)
                        .await?;
                    let measures: Vec<(i64, i64, String, String)> = sqlx::query_as(&format!(
                    "SELECT m.plan_id, m.id, m.text, COALESCE((SELECT e.next_on FROM coordination_evaluations e \
                       WHERE e.measure_id = m.id ORDER BY e.id DESC LIMIT 1), m.evaluate_on) \
                     FROM coordination_measures m JOIN coordination_plans p ON p.id = m.plan_id \
                     WHERE {VISIBLE} AND p.status <> 'closed' ORDER BY m.id"
                ))
                .bind(org.0)
                .bind(user)
                .fetch_all(pool)
                .await?;
                    let meetings: Vec<(i64, i64, String, i64)> = sqlx::query_as(&format!(
                    "SELECT m.plan_id, m.id, m.held_on, CAST(CASE WHEN m.minutes IS NULL THEN 0 ELSE 1 END AS BIGINT) \
                     FROM coordination_meetings m JOIN coordination_plans p ON p.id = m.plan_id \
                     WHERE {VISIBLE} ORDER BY m.id"
                ))
                .bind(org.0)
                .bind(user)
                .fetch_all(pool)
                .await?;
                    Ok(WorklistFacts {
                        plans,
                        measures,
                        meetings: meetings
                            .into_iter()
                            .map(|(p, m, h, x)| (p, m, h, x == 1))
                            .collect(),
                    })
                }
        )
    }

    /// The figures' facts for every person `org` has registered.
    pub async fn coordination_figure_facts(
        &self,
        org: OrgId,
    ) -> Result<Vec<FigureFacts>, StoreError> {
        let sql = facts_select("persons pe WHERE pe.org_id = $1");
        on_pool!(
            self,
            read | pool | {
                let rows: Vec<FactRow> = sqlx::query_as(&sql).bind(org.0).fetch_all(pool).await?;
                Ok(facts_of(rows))
            }
        )
    }
}

/// One person's facts as the query gives them: open plans, of them with a coordinator, group
/// members (users and external), the last evaluation day.
pub(crate) type FactRow = (i64, i64, i64, Option<String>);

/// The query of the figures' facts of each person of `people` (a `FROM` clause whose rows,
/// aliased `pe`, have a `pseudonym`): their plans in any organisation.
pub(crate) fn facts_select(people: &str) -> String {
    format!(
        "SELECT \
         (SELECT COUNT(*) FROM coordination_plans p WHERE p.pseudonym = pe.pseudonym AND p.status <> 'closed'), \
         (SELECT COUNT(*) FROM coordination_plans p WHERE p.pseudonym = pe.pseudonym AND p.status <> 'closed' \
            AND p.coordinator_id IS NOT NULL), \
         (SELECT COUNT(*) FROM coordination_members m JOIN coordination_plans p ON p.id = m.plan_id \
            WHERE p.pseudonym = pe.pseudonym AND p.status <> 'closed' AND m.kind IN ('user', 'external')), \
         (SELECT MAX(e.on_day) FROM coordination_evaluations e JOIN coordination_plans p ON p.id = e.plan_id \
            WHERE p.pseudonym = pe.pseudonym) \
         FROM {people}"
    )
}

/// The facts of the query's rows.
pub(crate) fn facts_of(rows: Vec<FactRow>) -> Vec<FigureFacts> {
    rows.into_iter()
        .map(|r| FigureFacts {
            plan: r.0 > 0,
            coordinator: r.1 > 0,
            group: r.2 > 0,
            last_evaluation: r.3,
        })
        .collect()
}
