//! The rows of an uploaded CSV table, read one way for every import that checks its rows in
//! the core (the prescription figures, the results area's indicator values): the header checked
//! by the caller (an error refuses the file), then each row — blank rows skipped, a row with
//! another number of fields than the header refused, each row checked by the caller's rule, a
//! row whose key an earlier row of the file had refused naming that line, a file that stops
//! being readable CSV refused from that line on. Line numbers count the header as line 1.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

use crate::fields::FieldError;

/// A refused row: its line (the header is line 1), the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub field: String,
    pub rule: String,
}

/// A file read: the valid rows with their lines, and the refused ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Table<T> {
    pub rows: Vec<(u64, T)>,
    pub refused: Vec<RowProblem>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: Vec::new(),
            refused: Vec::new(),
        }
    }
}

impl<T: Eq> Eq for Table<T> {}

/// The header's columns → their positions.
pub type Columns = HashMap<&'static str, usize>;

/// A row's cells: a column's text, empty when absent.
pub type Cells<'a> = &'a dyn Fn(&str) -> String;

/// How a table's rows are checked.
pub struct Rules<'a, T, K> {
    /// The header's columns → their positions (an error refuses the file).
    pub header: &'a dyn Fn(&[&str]) -> Result<Columns, FieldError>,
    /// One row, by its cells (a column's text, empty when absent).
    pub row: &'a dyn Fn(Cells<'_>) -> Result<T, FieldError>,
    /// What makes two rows the same; a repeat is refused.
    pub key: &'a dyn Fn(&T) -> K,
    /// The key's words in the refusal: "the same {repeated} as line N".
    pub repeated: &'a str,
}

/// Reads the table of `r` by `rules`.
pub fn read<T, K: Eq + Hash>(
    r: &mut dyn std::io::Read,
    rules: &Rules<'_, T, K>,
) -> Result<Table<T>, FieldError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(r);
    let head = reader
        .headers()
        .map_err(|_| FieldError::new("file", "header required: the file is empty"))?
        .clone();
    if head.iter().all(|h| h.trim().is_empty()) {
        return Err(FieldError::new(
            "file",
            "header required: the file is empty",
        ));
    }
    let cols: Vec<&str> = head.iter().collect();
    let at = (rules.header)(&cols)?;
    let mut out = Table::default();
    let mut seen: HashMap<K, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    let problem = |line, field: &str, rule: String| RowProblem {
        line,
        field: field.to_owned(),
        rule,
    };
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                line = record.position().map_or(line + 1, |p| p.line());
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                if record.len() != head.len() {
                    out.refused.push(problem(
                        line,
                        "row",
                        format!(
                            "malformed row: {} fields, the header has {}",
                            record.len(),
                            head.len()
                        ),
                    ));
                    continue;
                }
                let cell = |c: &str| {
                    at.get(c)
                        .and_then(|&i| record.get(i))
                        .unwrap_or("")
                        .to_owned()
                };
                match (rules.row)(&cell) {
                    Ok(v) => {
                        let key = (rules.key)(&v);
                        if let Some(first) = seen.get(&key) {
                            out.refused.push(problem(
                                line,
                                "row",
                                format!("the same {} as line {first}", rules.repeated),
                            ));
                        } else {
                            seen.insert(key, line);
                            out.rows.push((line, v));
                        }
                    }
                    Err(e) => out.refused.push(RowProblem {
                        line,
                        field: e.field.into_owned(),
                        rule: e.rule,
                    }),
                }
            }
            Err(e) => {
                line = e.position().map_or(line + 1, |p| p.line());
                out.refused.push(problem(
                    line,
                    "row",
                    "malformed row: not readable as CSV (UTF-8)".into(),
                ));
                // A read error (not a bad record) ends the file.
                if e.is_io_error() || reader.is_done() {
                    break;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn header(cols: &[&str]) -> Result<HashMap<&'static str, usize>, FieldError> {
        match cols {
            ["k", "v"] => Ok(HashMap::from([("k", 0), ("v", 1)])),
            _ => Err(FieldError::new("header", "k,v required")),
        }
    }

    fn row(cell: &dyn Fn(&str) -> String) -> Result<(String, i64), FieldError> {
        let v = cell("v")
            .parse()
            .map_err(|_| FieldError::new("v", "a whole number"))?;
        Ok((cell("k"), v))
    }

    fn read_str(text: &str) -> Result<Table<(String, i64)>, FieldError> {
        read(
            &mut text.as_bytes(),
            &Rules {
                header: &header,
                row: &row,
                key: &|r: &(String, i64)| r.0.clone(),
                repeated: "k",
            },
        )
    }

    #[test]
    fn rows_are_checked_one_by_one_with_their_lines() {
        let t = read_str("k,v\na,1\nb,x\na,2\nc\n,\nd,4\n").unwrap();
        assert_eq!(t.rows, vec![(2, ("a".into(), 1)), (7, ("d".into(), 4))]);
        let refused: Vec<(u64, &str, &str)> = t
            .refused
            .iter()
            .map(|p| (p.line, p.field.as_str(), p.rule.as_str()))
            .collect();
        assert_eq!(
            refused,
            vec![
                (3, "v", "a whole number"),
                (4, "row", "the same k as line 2"),
                (5, "row", "malformed row: 1 fields, the header has 2"),
            ]
        );
    }

    #[test]
    fn a_bad_or_empty_header_refuses_the_file() {
        assert_eq!(read_str("").unwrap_err().field, "file");
        assert_eq!(read_str("x,y\n1,2\n").unwrap_err().field, "header");
    }
}
