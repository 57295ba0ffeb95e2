//! A source's rows as JSON: an array of objects, one a row, whose members are the CSV columns
//! (a string, a number, `null` for empty, or for `substances` and `tags` an array of strings).
//! They are written as the CSV file they stand for, so that the one parser checks both: the
//! first object is "line 2", as the first row under a CSV header is.

use serde_json::{Map, Value};

use crate::fields::FieldError;

const BODY: &str = "a JSON array of objects, one a row, with the source's columns as members";

/// The CSV file `items` stand for: the header is every member named, in order of first
/// appearance (an unknown one is then refused by the parser, naming it); a member an object
/// lacks is an empty field.
pub fn to_csv(body: &[u8]) -> Result<String, FieldError> {
    let items: Vec<Map<String, Value>> =
        serde_json::from_slice(body).map_err(|_| FieldError::new("body", BODY))?;
    let mut columns: Vec<&str> = Vec::new();
    for item in &items {
        for key in item.keys() {
            if !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let header_fail = || FieldError::new("body", BODY);
    w.write_record(&columns).map_err(|_| header_fail())?;
    for item in &items {
        let row: Vec<String> = columns
            .iter()
            .map(|c| item.get(*c).map(text).unwrap_or_default())
            .collect();
        w.write_record(&row).map_err(|_| header_fail())?;
    }
    let bytes = w.into_inner().map_err(|_| header_fail())?;
    String::from_utf8(bytes).map_err(|_| header_fail())
}

/// A member's value as the CSV field it stands for.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::monitoring::sources::{parse, Source};

    /// JSON rows are read as the CSV they stand for: numbers, `null`, lists of substances;
    /// an unknown member is refused by name, a row's broken field by its "line".
    #[test]
    fn json_rows_read_as_their_csv() {
        let body = br#"[
            {"service": "ambulance", "date": "2026-11-20", "municipality": "0301",
             "substances": ["heroin", "alprazolam"], "outcome": "non_fatal", "age_band": "25-34", "sex": "male"},
            {"service": "ambulance", "date": "2026-11-21", "municipality": "0301",
             "substances": null, "outcome": "fatal", "age_band": "35-44", "sex": "unknown"},
            {"service": "ambulance", "date": "2026-11-21", "municipality": "9999",
             "substances": [], "outcome": "fatal", "age_band": "35-44", "sex": "unknown"}
        ]"#;
        let csv = to_csv(body).unwrap();
        let p = parse(
            Source::Overdoses,
            &mut csv.as_bytes(),
            jiff::civil::date(2026, 11, 24),
        );
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[0].findings.len(), 2);
        assert!(p.records[1].findings.is_empty());
        assert_eq!(
            (p.refused[0].line, p.refused[0].field.as_str()),
            (4, "municipality")
        );

        let csv = to_csv(br#"[{"site": "x", "amount": 2.5, "colour": "blue"}]"#).unwrap();
        let p = parse(
            Source::Seizures,
            &mut csv.as_bytes(),
            jiff::civil::date(2026, 11, 24),
        );
        assert_eq!(p.refused[0].line, 1);
        assert_eq!(to_csv(b"{\"a\": 1}").unwrap_err().field, "body");
        assert_eq!(to_csv(b"[1, 2]").unwrap_err().field, "body");
    }
}
