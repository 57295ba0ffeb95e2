//! CSV imports, the same in every area: the upload is read as it arrives (an API body frame by
//! frame, or the upload form's file field chunk by chunk) and parsed on a blocking task through
//! one `Read`, hashed as it is read, so the server holds the parsed rows, never the raw file;
//! more than the area's limit is a 413. An import's batch id names one file: without one the
//! file's SHA-256 is the id; the same id with the same file is "already imported" (200), with
//! another file a 409 ([`batch_reused`]). At most [`crate::IMPORTS_AT_ONCE`] imports are read
//! at a time ([`turn`]).
//!
//! The area supplies the parser (`FnOnce(&mut dyn Read) -> T`) and its own checks; its result
//! names each refused row by line, field and rule.

use axum::body::{Body, Bytes};
use axum::extract::Multipart;
use axum::http::StatusCode;
use http_body_util::BodyExt as _;
use sha2::{Digest, Sha256};
use tokio::sync::SemaphorePermit;
use varde_core::csv_rows::{RowProblem, Table};
use varde_core::org::OrgId;
use varde_store::BatchTable;

use crate::auth::CurrentUser;
use crate::error::{FieldProblem, WebError};
use crate::AppState;

/// A CSV upload, read as it arrived: what the area's parser made of it, and the SHA-256 of its
/// bytes (`sha256:…`).
pub struct Upload<T> {
    pub parsed: T,
    pub digest: String,
}

/// The parser's side of a streamed upload: the chunks as one `Read`, hashed as they are read.
struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<Bytes>,
    current: Bytes,
    hasher: Sha256,
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        let chunk = self.current.split_to(n);
        buf[..n].copy_from_slice(&chunk);
        self.hasher.update(&chunk);
        Ok(n)
    }
}

/// An upload being read chunk by chunk ([`UploadReader::push`], then [`UploadReader::finish`]):
/// a blocking task parses the chunks as they arrive and hashes them, so the file is never held
/// whole, only its parsed rows.
pub struct UploadReader<T> {
    tx: tokio::sync::mpsc::Sender<Bytes>,
    parser: tokio::task::JoinHandle<Upload<T>>,
    total: usize,
    limit: usize,
}

impl<T: Send + 'static> UploadReader<T> {
    /// Starts reading an upload of at most `limit` bytes with `parse`.
    pub fn start<P>(limit: usize, parse: P) -> UploadReader<T>
    where
        P: FnOnce(&mut dyn std::io::Read) -> T + Send + 'static,
    {
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
        let parser = tokio::task::spawn_blocking(move || {
            let mut reader = ChunkReader {
                rx,
                current: Bytes::new(),
                hasher: Sha256::new(),
            };
            let parsed = parse(&mut reader);
            // The digest is of the whole upload, also when the parser stopped early.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
            Upload {
                parsed,
                digest: format!("sha256:{}", hex::encode(reader.hasher.finalize())),
            }
        });
        UploadReader {
            tx,
            parser,
            total: 0,
            limit,
        }
    }

    pub async fn push(&mut self, chunk: Bytes) -> Result<(), WebError> {
        self.total += chunk.len();
        if self.total > self.limit {
            return Err(too_large(self.limit));
        }
        // The parser only stops reading at the end, so a send fails only if it has died;
        // `finish` then reports it.
        let _ = self.tx.send(chunk).await;
        Ok(())
    }

    /// Whether no bytes were pushed (an empty file field).
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub async fn finish(self) -> Result<Upload<T>, WebError> {
        drop(self.tx);
        self.parser
            .await
            .map_err(|_| WebError::internal("the upload could not be parsed"))
    }
}

fn too_large(limit: usize) -> WebError {
    WebError::bad_request(format!(
        "file: at most {} MB per import",
        limit / (1024 * 1024)
    ))
    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
}

/// Waits for a turn to import (see [`crate::IMPORTS_AT_ONCE`]); the turn lasts as long as the
/// permit is held.
pub async fn turn(state: &AppState) -> Result<SemaphorePermit<'_>, WebError> {
    state
        .imports
        .acquire()
        .await
        .map_err(|_| WebError::internal("imports are closed"))
}

/// Reads a request body (`text/csv`, the API's import) as an upload.
pub async fn read_body<T, P>(body: Body, limit: usize, parse: P) -> Result<Upload<T>, WebError>
where
    T: Send + 'static,
    P: FnOnce(&mut dyn std::io::Read) -> T + Send + 'static,
{
    let mut body = body;
    let mut reader = UploadReader::start(limit, parse);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| WebError::bad_request("the body could not be read"))?;
        if let Ok(data) = frame.into_data() {
            reader.push(data).await?;
        }
    }
    reader.finish().await
}

/// The fields of an upload form: the file (none when no file was chosen, or it was empty),
/// the batch id and whether to write the valid rows only.
pub struct UploadForm<T> {
    pub file: Option<Upload<T>>,
    pub batch_id: Option<String>,
    pub valid_only: bool,
}

/// Reads an upload form (`multipart/form-data`: `csrf`, `batch_id`, `valid_only`, `file`).
/// The form sends its CSRF token before the file, and it is checked before the file is read:
/// a forged upload is not even read.
pub async fn read_form<T, P>(
    mut form: Multipart,
    user: &CurrentUser,
    limit: usize,
    parse: P,
) -> Result<UploadForm<T>, WebError>
where
    T: Send + 'static,
    P: FnOnce(&mut dyn std::io::Read) -> T + Send + 'static,
{
    let broken = || WebError::bad_request("the upload could not be read (too large or broken)");
    let mut csrf = String::new();
    let mut out = UploadForm {
        file: None,
        batch_id: None,
        valid_only: false,
    };
    let mut parse = Some(parse);
    while let Some(mut field) = form.next_field().await.map_err(|_| broken())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            user.check_csrf(&csrf)?;
            let Some(parse) = parse.take() else {
                return Err(WebError::bad_request("one file per import"));
            };
            let mut reader = UploadReader::start(limit, parse);
            while let Some(chunk) = field.chunk().await.map_err(|_| broken())? {
                reader.push(chunk).await?;
            }
            let empty = reader.is_empty();
            let upload = reader.finish().await?;
            out.file = (!empty).then_some(upload);
            continue;
        }
        let bytes = field.bytes().await.map_err(|_| broken())?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => csrf = text(),
            "batch_id" => out.batch_id = Some(text()),
            "valid_only" => out.valid_only = true,
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    Ok(out)
}

/// The batch id an import is recorded under: the one given (trimmed, at most 100 characters),
/// or, without one, the file's digest — so that the same file twice is imported once.
pub fn batch_id(given: Option<&str>, digest: &str) -> Result<String, WebError> {
    match given.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) if b.chars().count() > 100 => {
            Err(WebError::invalid("batch_id", "at most 100 characters"))
        }
        Some(b) => Ok(b.to_owned()),
        None => Ok(digest.to_owned()),
    }
}

/// The refusal of an import whose batch id this organisation used for another file.
pub fn batch_reused() -> WebError {
    let mut e = WebError::conflict(
        "batch_id: this organisation imported another file under this batch id; give the file a new batch id",
    );
    e.errors.push(FieldProblem {
        field: "batch_id".into(),
        rule: "already used for another file".into(),
        code: Some("import.batch_reused".into()),
    });
    e
}

/// A refused row as an import answers it: its line (the header is line 1), the field and the
/// rule.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Refused {
    pub line: u64,
    pub field: String,
    pub rule: String,
}

impl From<&RowProblem> for Refused {
    fn from(p: &RowProblem) -> Self {
        Refused {
            line: p.line,
            field: p.field.clone(),
            rule: p.rule.clone(),
        }
    }
}

/// What an upload of rows checked in the core ([`varde_core::csv_rows`]) comes to before
/// anything is written.
pub enum Checked<'a, T> {
    /// Nothing to write; answer with this status: the batch was imported before (200,
    /// `already_imported`), or rows were refused and not `valid_only` (422), or there are no
    /// rows (200). The batch id stays free for the real file.
    Answer {
        status: StatusCode,
        already_imported: bool,
        refused: Vec<Refused>,
    },
    /// Write these rows; the refused ones are listed in the answer.
    Write {
        rows: &'a [(u64, T)],
        refused: Vec<Refused>,
    },
}

/// The checks every such import makes before it writes, in this order: the batch `key` of
/// organisation `org` in `table` imported before (the same file: nothing to do; another file:
/// 409), the file refused whole (its header: 422 naming the field), refused rows without
/// `valid_only`, no rows.
pub async fn check_batch<'a, T>(
    state: &AppState,
    table: BatchTable,
    org: OrgId,
    key: &str,
    upload: &'a Upload<Result<Table<T>, varde_core::fields::FieldError>>,
    valid_only: bool,
) -> Result<Checked<'a, T>, WebError> {
    if let Some(then) = state.store.batch(table, org, key).await? {
        if then.digest.as_deref().is_some_and(|d| d != upload.digest) {
            return Err(batch_reused());
        }
        return Ok(Checked::Answer {
            status: StatusCode::OK,
            already_imported: true,
            refused: Vec::new(),
        });
    }
    let parsed = upload
        .parsed
        .as_ref()
        .map_err(|e| WebError::invalid(&e.field, e.rule.clone()))?;
    let refused: Vec<Refused> = parsed.refused.iter().map(Refused::from).collect();
    if (!refused.is_empty() && !valid_only) || parsed.rows.is_empty() {
        return Ok(Checked::Answer {
            status: if refused.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            },
            already_imported: false,
            refused,
        });
    }
    Ok(Checked::Write {
        rows: &parsed.rows,
        refused,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn lines(r: &mut dyn std::io::Read) -> Vec<String> {
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        s.lines().map(str::to_owned).collect()
    }

    /// An upload split anywhere (inside a line, inside a multi-byte character) reads as the
    /// whole file does, and its digest is that of the whole file.
    #[tokio::test]
    async fn an_upload_read_in_chunks_reads_as_the_whole_file() {
        let csv = "a,b\nØ,1\nå,2\n";
        for size in [1, 3, 7, csv.len()] {
            let mut reader = UploadReader::start(1024, lines);
            for chunk in csv.as_bytes().chunks(size) {
                reader.push(Bytes::copy_from_slice(chunk)).await.unwrap();
            }
            let upload = reader.finish().await.unwrap();
            assert_eq!(upload.parsed, ["a,b", "Ø,1", "å,2"], "chunks of {size}");
            assert_eq!(
                upload.digest,
                format!("sha256:{}", hex::encode(Sha256::digest(csv.as_bytes())))
            );
        }
    }

    /// A parser that stops early still leaves the digest of the whole upload; more than the
    /// limit is a 413.
    #[tokio::test]
    async fn the_digest_covers_the_whole_upload_and_the_limit_holds() {
        let mut reader = UploadReader::start(1024, |_r: &mut dyn std::io::Read| ());
        reader
            .push(Bytes::from_static(b"a,b\n1,2\n"))
            .await
            .unwrap();
        let upload = reader.finish().await.unwrap();
        assert_eq!(
            upload.digest,
            format!("sha256:{}", hex::encode(Sha256::digest(b"a,b\n1,2\n")))
        );
        let mut small = UploadReader::start(4, lines);
        let e = small.push(Bytes::from_static(b"12345")).await.unwrap_err();
        assert_eq!(e.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn batch_ids() {
        assert_eq!(batch_id(Some(" b1 "), "sha256:x").unwrap(), "b1");
        assert_eq!(batch_id(Some(""), "sha256:x").unwrap(), "sha256:x");
        assert_eq!(batch_id(None, "sha256:x").unwrap(), "sha256:x");
        assert_eq!(
            batch_id(Some(&"b".repeat(101)), "sha256:x")
                .unwrap_err()
                .errors[0]
                .field,
            "batch_id"
        );
        assert_eq!(batch_reused().status, StatusCode::CONFLICT);
    }
}
