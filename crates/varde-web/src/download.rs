//! Files to download: the CSV document every area's tables are offered as (semicolons, for
//! spreadsheets in a Norwegian locale; a formula's first character escaped), and the response
//! that offers a body as an attachment with its file name.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// One CSV field: quoted when it holds a separator, a quote or a line break; a leading
/// `=`, `+`, `-`, `@` (a spreadsheet formula) is escaped with an apostrophe.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A CSV document: the header row, then the rows, each line ended by CRLF.
pub fn csv_document(headings: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.join(";") + "\r\n";
    out += &line(headings.iter().map(|h| field(h)).collect());
    for r in rows {
        out += &line(r.iter().map(|c| field(c)).collect());
    }
    out
}

/// `body` as an attachment of `content_type` named `file_name`.
pub fn attachment(body: impl Into<Body>, content_type: &str, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// `body` as a CSV attachment (UTF-8) named `file_name`.
pub fn csv(body: impl Into<Body>, file_name: &str) -> Response {
    attachment(body, "text/csv; charset=utf-8", file_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_escaped() {
        let doc = csv_document(
            &["name", "value"],
            &[
                vec!["Oslo; sentrum".into(), "=1+1".into()],
                vec!["\"Bergen\"".into(), "5".into()],
            ],
        );
        assert_eq!(
            doc,
            "name;value\r\n\"Oslo; sentrum\";'=1+1\r\n\"\"\"Bergen\"\"\";5\r\n"
        );
    }
}
