//! Storage of the anonymous user and relative surveys: an organisation's open link per survey
//! (`feedback_survey_links`) and the answers (`feedback_survey_answers`: organisation, survey,
//! year, ratings — nothing else).

use jiff::Timestamp;
use varde_core::feedback::surveys::{SurveyAnswer, SurveyKind};
use varde_core::org::OrgId;

use crate::audit::{append_access_tx, NewAccess};
use crate::db::{map_unique, on_pool, Db};
use crate::{Store, StoreError};

/// An organisation's open survey link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyLink {
    pub kind: SurveyKind,
    pub token: String,
    pub created_at: String,
}

/// An open survey link found by its token: the organisation and the survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSurvey {
    pub org: OrgId,
    pub org_name: String,
    pub kind: SurveyKind,
}

/// The answers of one organisation's survey in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyAnswers {
    pub org: OrgId,
    pub org_name: String,
    pub year: i64,
    pub kind: SurveyKind,
    pub answers: Vec<SurveyAnswer>,
}

fn kind_of(s: &str) -> Result<SurveyKind, StoreError> {
    SurveyKind::parse(s).map_err(|_| StoreError::Corrupt(format!("survey kind {s}")))
}

impl Store {
    /// Opens a new link for `kind` of `org` under `token`, closing the open one (a link shared
    /// again replaces the earlier), with the access entry, in one transaction.
    pub async fn feedback_survey_share(
        &self,
        org: OrgId,
        kind: SurveyKind,
        token: &str,
        created_by: i64,
        at: Timestamp,
        access: &NewAccess,
    ) -> Result<(), StoreError> {
        let at = at.to_string();
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    sqlx::query(
                        "UPDATE feedback_survey_links SET closed_at = $1 \
                     WHERE org_id = $2 AND kind = $3 AND closed_at IS NULL",
                    )
                    .bind(&at)
                    .bind(org.0)
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                    "INSERT INTO feedback_survey_links (token, org_id, kind, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token)
                .bind(org.0)
                .bind(kind.as_str())
                .bind(created_by)
                .bind(&at)
                .execute(&mut *tx)
                .await
                .map_err(|e| map_unique(e, "the link is taken; make it again"))?;
                    append_access_tx!(tx, access);
                    tx.commit().await?;
                    Ok(())
                }
        )
    }

    /// The organisation's open survey links.
    pub async fn feedback_survey_links(&self, org: OrgId) -> Result<Vec<SurveyLink>, StoreError> {
        let rows: Vec<(String, String, String)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT kind, token, created_at FROM feedback_survey_links \
                     WHERE org_id = $1 AND closed_at IS NULL ORDER BY kind",
                )
                .bind(org.0)
                .fetch_all(pool)
                .await?
            }
        );
        rows.into_iter()
            .map(|(k, token, created_at)| {
                Ok(SurveyLink {
                    kind: kind_of(&k)?,
                    token,
                    created_at,
                })
            })
            .collect()
    }

    /// The open survey under `token`, or `None` (one query on the unique index).
    pub async fn feedback_survey_open(
        &self,
        token: &str,
    ) -> Result<Option<OpenSurvey>, StoreError> {
        let row: Option<(i64, String, String)> = on_pool!(
            self,
            read | pool | {
                sqlx::query_as(
                    "SELECT l.org_id, o.name, l.kind FROM feedback_survey_links l \
                     JOIN orgs o ON o.id = l.org_id WHERE l.token = $1 AND l.closed_at IS NULL",
                )
                .bind(token)
                .fetch_optional(pool)
                .await?
            }
        );
        row.map(|(org, org_name, k)| {
            Ok(OpenSurvey {
                org: OrgId(org),
                org_name,
                kind: kind_of(&k)?,
            })
        })
        .transpose()
    }

    /// Records an anonymous answer to the open survey under `token` (its organisation and
    /// survey read in the same transaction): `NotFound` when no open survey has the token.
    pub async fn feedback_survey_answer(
        &self,
        token: &str,
        kind: SurveyKind,
        answer: &SurveyAnswer,
        year: i16,
    ) -> Result<(), StoreError> {
        let ratings = serde_json::to_string(&answer.0)
            .map_err(|e| StoreError::Corrupt(format!("ratings: {e}")))?;
        on_pool!(
            self,
            write
                | pool
                | {
                    let mut tx = pool.begin().await?;
                    let org: Option<i64> = sqlx::query_scalar(
                    "SELECT org_id FROM feedback_survey_links WHERE token = $1 AND kind = $2 AND closed_at IS NULL",
                )
                .bind(token)
                .bind(kind.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                    let Some(org) = org else {
                        tx.rollback().await?;
                        return Err(StoreError::NotFound);
                    };
                    sqlx::query(
                    "INSERT INTO feedback_survey_answers (org_id, kind, year, ratings) VALUES ($1, $2, $3, $4)",
                )
                .bind(org)
                .bind(kind.as_str())
                .bind(i64::from(year))
                .bind(&ratings)
                .execute(&mut *tx)
                .await?;
                    tx.commit().await?;
                    Ok(())
                }
        )
    }

    /// Every survey's answers by organisation, year and survey (of `org` only, when given), in
    /// the order organisation name, year, survey.
    pub async fn feedback_survey_answers(
        &self,
        org: Option<OrgId>,
    ) -> Result<Vec<SurveyAnswers>, StoreError> {
        let rows: Vec<(i64, String, i64, String, String)> = on_pool!(
            self,
            read | pool
                | {
                    sqlx::query_as(
                    "SELECT a.org_id, o.name, a.year, a.kind, a.ratings FROM feedback_survey_answers a \
                     JOIN orgs o ON o.id = a.org_id WHERE ($1 = 0 OR a.org_id = $1) \
                     ORDER BY o.name, a.org_id, a.year, a.kind",
                )
                .bind(org.map_or(0, |o| o.0))
                .fetch_all(pool)
                .await?
                }
        );
        let mut out: Vec<SurveyAnswers> = Vec::new();
        for (org_id, org_name, year, k, ratings) in rows {
            let kind = kind_of(&k)?;
            let r: Vec<u8> = serde_json::from_str(&ratings)
                .map_err(|e| StoreError::Corrupt(format!("survey ratings: {e}")))?;
            match out.last_mut() {
                Some(g) if g.org.0 == org_id && g.year == year && g.kind == kind => {
                    g.answers.push(SurveyAnswer(r));
                }
                _ => out.push(SurveyAnswers {
                    org: OrgId(org_id),
                    org_name,
                    year,
                    kind,
                    answers: vec![SurveyAnswer(r)],
                }),
            }
        }
        Ok(out)
    }
}
