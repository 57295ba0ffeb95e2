//! How an import's rows travel to the database: each chunk of up to
//! [`PATHWAY_INSERT_CHUNK`](super::PATHWAY_INSERT_CHUNK) rows is one log body and ONE JSON
//! parameter for its projection rows, expanded by `json_each` with the same SQL on both
//! engines; the next chunk's parameters are written while the current one is inserted.

use std::collections::BTreeMap;

use super::{json, Fields};
use crate::StoreError;

/// The body of a [`PATHWAY_EVENTS_KIND`](super::PATHWAY_EVENTS_KIND) event.
#[derive(serde::Serialize)]
struct ChunkBody<'a> {
    batch: Option<&'a str>,
    rows: &'a [Fields<'a>],
    /// The person each `referral_received` row names (row index within the chunk → person
    /// id), when any does; absent otherwise (and in every body written before issue 15).
    #[serde(skip_serializing_if = "persons_absent")]
    persons: Option<&'a Links>,
}

fn persons_absent(p: &Option<&Links>) -> bool {
    p.is_none_or(|l| l.is_empty())
}

/// The persons named by one chunk's rows: row index within the chunk → person id.
pub(super) type Links = BTreeMap<usize, i64>;

pub(super) use crate::db::values;

pub(super) use crate::db::JSON_ROWS as CHUNK_ROWS;
use crate::db::{Indexed, JsonParam};

pub(super) const PROJECTION_COLS: &str = "org_id, batch_id, recorded_at, event_id, row_index, pathway_id, unit, hf, rhf, kommune, care_level, event, date, code, outcome, deadline, pathway_variant";
/// The projection rows of a chunk: each row of `$1` is the 12 fields, its key the row index;
/// `$2` the organisation, `$3` the batch, `$4` the time recorded, `$5` the chunk's log event.
pub(super) const PROJECTION_SELECT: &str =
    "SELECT $2, $3, $4, $5, i, v ->> 0, v ->> 1, v ->> 2, v ->> 3, v ->> 4, \
     v ->> 5, v ->> 6, v ->> 7, v ->> 8, v ->> 9, v ->> 10, v ->> 11 FROM r ORDER BY i";

/// What one chunk of an import sends: its log body, its projection parameter, its effective
/// date.
pub(super) struct Chunk<'a> {
    pub(super) body: String,
    pub(super) rows: JsonParam,
    pub(super) effective: &'a str,
}

pub(super) fn chunk<'a>(
    batch: Option<&'a str>,
    rows: &'a [Fields<'a>],
    persons: Option<&'a Links>,
) -> Result<Chunk<'a>, StoreError> {
    Ok(Chunk {
        body: json(&ChunkBody {
            batch,
            rows,
            persons,
        })?,
        rows: JsonParam(json(&Indexed(rows))?),
        // ISO dates order as text.
        effective: rows.iter().map(|r| r[7]).min().unwrap_or_default(),
    })
}

/// The parameters of chunk `k`, if there is one; `links[k]` are its persons.
pub(super) fn chunk_at<'a>(
    batch: Option<&'a str>,
    chunks: &[&'a [Fields<'a>]],
    links: &'a [Links],
    k: usize,
) -> Result<Option<Chunk<'a>>, StoreError> {
    chunks
        .get(k)
        .map(|c| chunk(batch, c, links.get(k)))
        .transpose()
}

/// Runs `insert`, the statements of chunk `k`, while writing the parameters of chunk `k + 1`,
/// which it returns: an import's chunks are sent this way, one after the other.
pub(super) async fn insert_and_prepare_next<'a>(
    insert: impl std::future::Future<Output = Result<(), StoreError>>,
    batch: Option<&'a str>,
    chunks: &[&'a [Fields<'a>]],
    links: &'a [Links],
    k: usize,
) -> Result<Option<Chunk<'a>>, StoreError> {
    let (done, following) = tokio::join!(insert, async { chunk_at(batch, chunks, links, k + 1) });
    done?;
    following
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn values_number_placeholders_in_order_of_appearance() {
        assert_eq!(values("$1", 2, 2, 2), "($1, $2, $3), ($1, $4, $5)");
        assert_eq!(values("", 1, 3, 1), "($1, $2, $3)");
    }

    #[test]
    fn a_chunk_is_a_log_body_and_rows_keyed_by_position() {
        let a = [
            "a\"b",
            "",
            "c",
            "",
            "",
            "",
            "",
            "2025-03-02",
            "",
            "",
            "",
            "standard",
        ];
        let b = [
            "P2",
            "",
            "",
            "",
            "",
            "",
            "",
            "2025-01-09",
            "",
            "",
            "",
            "pregnant",
        ];
        let rows = [a, b];
        let persons = Links::from([(1, 42)]);
        let c = chunk(Some("b1"), &rows, Some(&persons)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&c.rows.0).unwrap();
        assert_eq!(v["0"][0], "a\"b");
        assert_eq!(v["1"][11], "pregnant");
        assert_eq!(v.as_object().unwrap().len(), 2);
        let body: serde_json::Value = serde_json::from_str(&c.body).unwrap();
        assert_eq!(body["batch"], "b1");
        assert_eq!(body["rows"][1][0], "P2");
        assert_eq!(body["persons"]["1"], 42, "row 1 names person 42");
        let plain: serde_json::Value =
            serde_json::from_str(&chunk(None, &rows, None).unwrap().body).unwrap();
        assert!(plain.get("persons").is_none(), "no persons: no member");
        assert_eq!(c.effective, "2025-01-09", "the chunk's earliest date");
    }
}
