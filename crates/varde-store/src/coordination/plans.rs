//! Individual plans: created, read whole, and written one change at a time, each with its
//! access entry in the same transaction.

use jiff::civil::Date;
use jiff::Timestamp;
use varde_core::coordination::plan::{
    MemberKind, NewEvaluation, NewMeasure, NewMeeting, PlanStatus,
};
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{on_pool, Db};
use crate::{Store, StoreError};

/// What an access decision on a plan needs, and what a list shows of it: no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRef {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub person_id: i64,
    pub pseudonym: String,
    pub coordinator_id: Option<i64>,
    pub status: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredGoal {
    pub id: i64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredMeasure {
    pub id: i64,
    pub goal_id: i64,
    pub text: String,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub owner_name: String,
    pub start_on: String,
    pub evaluate_on: String,
    pub meeting_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredEvaluation {
    pub id: i64,
    pub measure_id: i64,
    pub on_day: String,
    pub note: String,
    pub next_on: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredMember {
    pub id: i64,
    pub kind: String,
    pub user_id: Option<i64>,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    /// The user's username, or the name given.
    pub name: Option<String>,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredMeeting {
    pub id: i64,
    pub held_on: String,
    /// The members present, by id.
    pub attendance: Vec<i64>,
    pub minutes: Option<String>,
}

/// A whole plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub plan: PlanRef,
    pub person_name: String,
    pub coordinator: Option<String>,
    pub created_on: String,
    pub goals: Vec<StoredGoal>,
    pub measures: Vec<StoredMeasure>,
    pub evaluations: Vec<StoredEvaluation>,
    pub members: Vec<StoredMember>,
    pub meetings: Vec<StoredMeeting>,
}

/// One change to a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanWrite {
    Goal(String),
    Measure(NewMeasure),
    Evaluation {
        measure: i64,
        e: NewEvaluation,
    },
    Member {
        kind: MemberKind,
        user_id: Option<i64>,
        org_id: Option<i64>,
        name: Option<String>,
        role: String,
    },
    Meeting(NewMeeting),
    Minutes {
        meeting: i64,
        text: String,
    },
    Settings {
        coordinator: Option<i64>,
        status: PlanStatus,
    },
}

type RefRow = (i64, i64, String, i64, String, Option<i64>, String, i64);
const REFS: &str = "SELECT p.id, p.org_id, o.name, p.person_id, p.pseudonym, p.coordinator_id, \
     p.status, p.version FROM coordination_plans p JOIN orgs o ON o.id = p.org_id";

fn plan_ref(r: RefRow) -> PlanRef {
    PlanRef {
        id: r.0,
        org_id: OrgId(r.1),
        org_name: r.2,
        person_id: r.3,
        pseudonym: r.4,
        coordinator_id: r.5,
        status: r.6,
        version: r.7,
    }
}

impl Store {
    /// Creates a plan for person `person_id` of `org`, with the access entry (its record set to
    /// the new plan's). Returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn coordination_create_plan(
        &self,
        org: OrgId,
        person_id: i64,
        pseudonym: &str,
        coordinator: Option<i64>,
        status: PlanStatus,
        actor_id: i64,
        today: Date,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        on_pool!(
            self,
            write | pool | {
                let mut tx = pool.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO coordination_plans (org_id, person_id, pseudonym, coordinator_id, \
                     status, version, created_by, created_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8) RETURNING id",
                )
                .bind(org.0)
                .bind(person_id)
                .bind(pseudonym)
                .bind(coordinator)
                .bind(status.as_str())
                .bind(actor_id)
                .bind(today.to_string())
                .bind(at.to_string())
                .fetch_one(&mut *tx)
                .await?;
                let mut access = access.clone();
                access.record = super::coordination_plan_record(id);
                append_access_tx!(tx, &access);
                tx.commit().await?;
                Ok(id)
            }
        )
    }

    /// What a decision on plan `id` needs; `None` for no such plan.
    pub async fn coordination_plan_ref(&self, id: i64) -> Result<Option<PlanRef>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let r: Option<RefRow> = sqlx::query_as(&format!("{REFS} WHERE p.id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
                Ok(r.map(plan_ref))
            }
        )
    }

    /// The plans of the person of `pseudonym`, in every organisation (the caller shows only
    /// those its decision allows).
    pub async fn coordination_plans_of(&self, pseudonym: &str) -> Result<Vec<PlanRef>, StoreError> {
        on_pool!(
            self,
            read | pool | {
                let r: Vec<RefRow> =
                    sqlx::query_as(&format!("{REFS} WHERE p.pseudonym = $1 ORDER BY p.id"))
                        .bind(pseudonym)
                        .fetch_all(pool)
                        .await?;
                Ok(r.into_iter().map(plan_ref).collect())
            }
        )
    }

    /// Plan `id` whole, read with its access entry in one transaction (none: the read is part
    /// of a write, which logs it).
    pub async fn coordination_plan(
        &self,
        id: i64,
        access: Option<&NewAccess>,
    ) -> Result<StoredPlan, StoreError> {
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let r: Option<RefRow> = sqlx::query_as(&format!("{REFS} WHERE p.id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let plan = plan_ref(r.ok_or(StoreError::NotFound)?);
                    let (person_name, coordinator, created_on): (String, Option<String>, String) =
                        sqlx::query_as(
                            "SELECT pe.name, u.username, p.created_on FROM coordination_plans p \
                         JOIN persons pe ON pe.id = p.person_id \
                         LEFT JOIN users u ON u.id = p.coordinator_id WHERE p.id = $1",
                        )
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                    let goals: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT id, text FROM coordination_goals WHERE plan_id = $1 ORDER BY id",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    type M = (
                        i64,
                        i64,
                        String,
                        i64,
                        String,
                        String,
                        String,
                        String,
                        Option<i64>,
                    );
                    let measures: Vec<M> = sqlx::query_as(
                        "SELECT m.id, m.goal_id, m.text, m.owner_org_id, o.name, m.owner_name, \
                     m.start_on, m.evaluate_on, m.meeting_id FROM coordination_measures m \
                     JOIN orgs o ON o.id = m.owner_org_id WHERE m.plan_id = $1 ORDER BY m.id",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    let evaluations: Vec<(i64, i64, String, String, String, String)> =
                        sqlx::query_as(
                            "SELECT e.id, e.measure_id, e.on_day, e.note, e.next_on, u.username \
                     FROM coordination_evaluations e JOIN users u ON u.id = e.recorded_by \
                     WHERE e.plan_id = $1 ORDER BY e.id",
                        )
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?;
                    type Mb = (
                        i64,
                        String,
                        Option<i64>,
                        Option<i64>,
                        Option<String>,
                        Option<String>,
                        String,
                    );
                    let members: Vec<Mb> = sqlx::query_as(
                    "SELECT m.id, m.kind, m.user_id, m.member_org_id, o.name, \
                     COALESCE(u.username, m.name), m.role FROM coordination_members m \
                     LEFT JOIN users u ON u.id = m.user_id LEFT JOIN orgs o ON o.id = m.member_org_id \
                     WHERE m.plan_id = $1 ORDER BY m.id",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                    let meetings: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
                        "SELECT id, held_on, attendance, minutes FROM coordination_meetings \
                     WHERE plan_id = $1 ORDER BY held_on, id",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    if let Some(access) = access {
                        append_access_tx!(tx, access);
                    }
                    tx.commit().await?;
                    Ok(StoredPlan {
                        plan,
                        person_name,
                        coordinator,
                        created_on,
                        goals: goals
                            .into_iter()
                            .map(|(id, text)| StoredGoal { id, text })
                            .collect(),
                        measures: measures
                            .into_iter()
                            .map(|m| StoredMeasure {
                                id: m.0,
                                goal_id: m.1,
                                text: m.2,
                                owner_org_id: m.3,
                                owner_org_name: m.4,
                                owner_name: m.5,
                                start_on: m.6,
                                evaluate_on: m.7,
                                meeting_id: m.8,
                            })
                            .collect(),
                        evaluations: evaluations
                            .into_iter()
                            .map(|e| StoredEvaluation {
                                id: e.0,
                                measure_id: e.1,
                                on_day: e.2,
                                note: e.3,
                                next_on: e.4,
                                recorded_by: e.5,
                            })
                            .collect(),
                        members: members
                            .into_iter()
                            .map(|m| StoredMember {
                                id: m.0,
                                kind: m.1,
                                user_id: m.2,
                                org_id: m.3,
                                org_name: m.4,
                                name: m.5,
                                role: m.6,
                            })
                            .collect(),
                        meetings: meetings
                            .into_iter()
                            .map(|m| StoredMeeting {
                                id: m.0,
                                held_on: m.1,
                                attendance: serde_json::from_str(&m.2).unwrap_or_default(),
                                minutes: m.3,
                            })
                            .collect(),
                    })
                }
        )
    }

    /// Writes one change to plan `id` if it is still at `expected` (the version its check
    /// read; `Changed` and nothing written otherwise), with the access entry. Returns the new
    /// row's id (the plan's for its settings).
    #[allow(clippy::too_many_arguments)]
    pub async fn coordination_write(
        &self,
        id: i64,
        expected: i64,
        change: &PlanWrite,
        actor_id: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<i64, StoreError> {
        let at = at.to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let n = sqlx::query(
                    "UPDATE coordination_plans SET version = version + 1 WHERE id = $1 AND version = $2",
                )
                .bind(id)
                .bind(expected)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                    if n != 1 {
                        return Err(StoreError::Changed(
                            "the plan has changed since it was read",
                        ));
                    }
                    let row: i64 = match change {
                    PlanWrite::Goal(text) => sqlx::query_scalar(
                        "INSERT INTO coordination_goals (plan_id, text, created_by, created_at) \
                         VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(id)
                    .bind(text)
                    .bind(actor_id)
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?,
                    PlanWrite::Measure(m) => sqlx::query_scalar(
                        "INSERT INTO coordination_measures (plan_id, goal_id, text, owner_org_id, \
                         owner_name, start_on, evaluate_on, meeting_id, created_by, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    )
                    .bind(id)
                    .bind(m.goal)
                    .bind(&m.text)
                    .bind(m.owner_org)
                    .bind(&m.owner_name)
                    .bind(m.start.to_string())
                    .bind(m.evaluate_on.to_string())
                    .bind(m.meeting)
                    .bind(actor_id)
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?,
                    PlanWrite::Evaluation { measure, e } => sqlx::query_scalar(
                        "INSERT INTO coordination_evaluations (plan_id, measure_id, on_day, note, \
                         next_on, recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(id)
                    .bind(measure)
                    .bind(e.on.to_string())
                    .bind(&e.note)
                    .bind(e.next.to_string())
                    .bind(actor_id)
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?,
                    PlanWrite::Member {
                        kind,
                        user_id,
                        org_id,
                        name,
                        role,
                    } => sqlx::query_scalar(
                        "INSERT INTO coordination_members (plan_id, kind, user_id, member_org_id, \
                         name, role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(id)
                    .bind(kind.as_str())
                    .bind(user_id)
                    .bind(org_id)
                    .bind(name)
                    .bind(role)
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?,
                    PlanWrite::Meeting(m) => sqlx::query_scalar(
                        "INSERT INTO coordination_meetings (plan_id, held_on, attendance, minutes, \
                         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(id)
                    .bind(m.held_on.to_string())
                    .bind(serde_json::to_string(&m.attendance).unwrap_or_else(|_| "[]".into()))
                    .bind(&m.minutes)
                    .bind(actor_id)
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?,
                    PlanWrite::Minutes { meeting, text } => {
                        let n = sqlx::query(
                            "UPDATE coordination_meetings SET minutes = $1 \
                             WHERE id = $2 AND plan_id = $3 AND minutes IS NULL",
                        )
                        .bind(text)
                        .bind(meeting)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if n != 1 {
                            return Err(StoreError::Conflict("the meeting has minutes already"));
                        }
                        *meeting
                    }
                    PlanWrite::Settings {
                        coordinator,
                        status,
                    } => {
                        sqlx::query(
                            "UPDATE coordination_plans SET coordinator_id = $1, status = $2 WHERE id = $3",
                        )
                        .bind(coordinator)
                        .bind(status.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        id
                    }
                };
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(row)
                }
        )
    }
}
