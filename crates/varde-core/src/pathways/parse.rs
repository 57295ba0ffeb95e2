//! Reading the event CSV (`pathway_id,unit,hf,rhf,kommune,care_level,event,date,code,outcome,
//! deadline`; any row order; header required; extra columns ignored) from any `impl Read`.
//!
//! One optional extra column is understood: `pathway_variant` (`standard`, the default, or
//! `pregnant`), which selects the pregnant pathway's own time limits.

use std::io::Read;
use std::sync::Arc;

use jiff::civil::Date;

use super::codes::{check_code, CodeCheck};
use super::fxhash::FxHashMap;
use super::model::{CareLevel, DecisionCode, Event, EventKind, Outcome, Variant};
use super::rules::{RowError, Rule};

/// The columns of the contract, in contract order.
pub const COLUMNS: [&str; 11] = [
    "pathway_id",
    "unit",
    "hf",
    "rhf",
    "kommune",
    "care_level",
    "event",
    "date",
    "code",
    "outcome",
    "deadline",
];

/// What reading a file gave: the rows that parse, and the rows that do not.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Rows that parse (not yet checked against the order rules).
    pub events: Vec<Event>,
    /// Rows that do not, with their line and rule.
    pub errors: Vec<RowError>,
    /// The person references of the file's `referral_received` rows that parse, from the
    /// optional column [`PERSON_COLUMN`]: (line, the value as given). Other rows' values are
    /// not read: later events name the pathway only.
    pub persons: Vec<(u64, String)>,
}

/// The optional column by which an import names the person a referral belongs to: their
/// national identity number, resolved against the organisation's register by the importer
/// (the file keeps its pseudonymous pathway ids; the number is never stored with the events).
pub const PERSON_COLUMN: &str = "person_national_id";

/// A file that cannot be read at all (no header, a missing column, or an I/O error).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The header breaks a rule.
    #[error("{0}")]
    Header(RowError),
    /// Reading failed.
    #[error("read error: {0}")]
    Io(String),
}

/// Parses a strict `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        let mut v = 0i32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i32::from(c - b'0');
        }
        Some(v)
    };
    let y = i16::try_from(num(0..4)?).ok()?;
    let m = i8::try_from(num(5..7)?).ok()?;
    let d = i8::try_from(num(8..10)?).ok()?;
    Date::new(y, m, d).ok()
}

/// Shares one allocation per distinct string. Each column also remembers its last value, as
/// rows of one pathway (and one unit) often follow each other.
#[derive(Default)]
struct Interner {
    map: FxHashMap<String, Arc<str>>,
    last: [Option<Arc<str>>; 8],
    /// unit → (unit, HF, RHF) as last seen together: a unit nearly always keeps its HF and RHF,
    /// so one lookup serves three columns.
    orgs: FxHashMap<Arc<str>, [Arc<str>; 3]>,
}

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.map.get(s) {
            return Arc::clone(a);
        }
        let a: Arc<str> = Arc::from(s);
        self.map.insert(s.to_string(), Arc::clone(&a));
        a
    }

    fn org(&mut self, unit: &str, hf: &str, rhf: &str) -> [Arc<str>; 3] {
        if let Some(org) = self.orgs.get(unit) {
            if *org[1] == *hf && *org[2] == *rhf {
                return org.clone();
            }
        }
        let org = [self.get(unit), self.get(hf), self.get(rhf)];
        self.orgs.insert(Arc::clone(&org[0]), org.clone());
        org
    }

    fn column(&mut self, col: usize, s: &str) -> Arc<str> {
        if let Some(Some(last)) = self.last.get(col) {
            if **last == *s {
                return Arc::clone(last);
            }
        }
        let a = self.get(s);
        if let Some(slot) = self.last.get_mut(col) {
            *slot = Some(Arc::clone(&a));
        }
        a
    }
}

/// A reader that remembers where its newlines are, so a record's byte offset can be turned into
/// a line number whatever the line endings (LF or CRLF) and quoted newlines.
struct LineIndex<R> {
    inner: R,
    offset: u64,
    newlines: Vec<u64>,
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut start = 0;
        while let Some(i) = buf[start..n].iter().position(|&b| b == b'\n') {
            self.newlines.push(self.offset + (start + i) as u64);
            start += i + 1;
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineIndex<R> {
    /// The 1-based line of a record starting at a byte offset. With CRLF endings csv reports a
    /// record as starting on the `\n` of the previous line end, so a newline at the offset
    /// itself counts as before it.
    fn line_of(&self, byte: u64) -> u64 {
        self.newlines.partition_point(|&p| p <= byte) as u64 + 1
    }
}

struct Cols {
    idx: [usize; 11],
    variant: Option<usize>,
    person: Option<usize>,
}

/// Reads events from CSV. Rows that break a row rule are returned in `errors` with their line;
/// a missing header or column is a [`FileError`].
pub fn read_events<R: Read>(input: R) -> Result<Parsed, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(LineIndex {
            inner: input,
            offset: 0,
            newlines: Vec::new(),
        });
    let mut record = csv::ByteRecord::new();
    let header_line = |rule| {
        FileError::Header(RowError {
            line: 1,
            pathway_id: None,
            rule,
        })
    };
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(header_line(Rule::MissingHeader)),
        Err(e) => return Err(FileError::Io(e.to_string())),
    }
    let names: Vec<&[u8]> = record.iter().map(<[u8]>::trim_ascii).collect();
    let find = |name: &str| {
        names.iter().position(|n| {
            let n = n.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(n);
            n == name.as_bytes()
        })
    };
    let mut idx = [0usize; 11];
    for (slot, name) in idx.iter_mut().zip(COLUMNS) {
        *slot = find(name).ok_or_else(|| header_line(Rule::MissingColumn(name)))?;
    }
    let cols = Cols {
        idx,
        variant: find("pathway_variant"),
        person: find(PERSON_COLUMN),
    };
    let mut interner = Interner::default();
    let mut parsed = Parsed::default();
    loop {
        let before = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                parsed.errors.push(RowError {
                    line: reader.get_ref().line_of(before),
                    pathway_id: None,
                    rule: Rule::Malformed(e.to_string()),
                });
                continue;
            }
        }
        let byte = record.position().map_or(before, |p| p.byte());
        let line = reader.get_ref().line_of(byte);
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        match parse_row(&record, &cols, line, &mut interner) {
            Ok(e) => {
                if let Some(i) = cols
                    .person
                    .filter(|_| e.kind == EventKind::ReferralReceived)
                {
                    let raw = record.get(i).unwrap_or(b"").trim_ascii();
                    if !raw.is_empty() {
                        let value = String::from_utf8_lossy(raw).into_owned();
                        parsed.persons.push((line, value));
                    }
                }
                parsed.events.push(e)
            }
            Err((pathway_id, rule)) => parsed.errors.push(RowError {
                line,
                pathway_id,
                rule,
            }),
        }
    }
    Ok(parsed)
}

type RowResult = Result<Event, (Option<String>, Rule)>;

fn parse_row(rec: &csv::ByteRecord, cols: &Cols, line: u64, interner: &mut Interner) -> RowResult {
    let text = |i: usize| -> Result<&str, Rule> {
        let raw = rec.get(cols.idx[i]).unwrap_or(b"").trim_ascii();
        // A NUL is no text (and PostgreSQL cannot store it).
        if raw.contains(&0) {
            return Err(Rule::Malformed(format!(
                "column `{}` contains a NUL character",
                COLUMNS[i]
            )));
        }
        std::str::from_utf8(raw)
            .map_err(|_| Rule::Malformed(format!("column `{}` is not UTF-8", COLUMNS[i])))
    };
    let pathway_id = text(0).map_err(|rule| (None, rule))?;
    let pid = || (!pathway_id.is_empty()).then(|| pathway_id.to_string());
    let fail = |rule: Rule| (pid(), rule);
    // Any other column's error names the pathway, so that an import holds the whole pathway back.
    let field = |i: usize| text(i).map_err(fail);
    for (i, name) in [(0, "pathway_id"), (1, "unit"), (2, "hf"), (3, "rhf")] {
        if field(i)?.is_empty() {
            return Err(fail(Rule::MissingField(name)));
        }
    }
    let care = field(5)?;
    let care_level =
        CareLevel::parse(care).ok_or_else(|| fail(Rule::UnknownCareLevel(care.into())))?;
    let ev = field(6)?;
    let kind = EventKind::parse(ev).ok_or_else(|| fail(Rule::UnknownEvent(ev.into())))?;
    let date_s = field(7)?;
    let date = parse_date(date_s).ok_or_else(|| {
        fail(Rule::InvalidDate {
            field: "date",
            value: date_s.into(),
        })
    })?;
    let deadline_s = field(10)?;
    let deadline = if deadline_s.is_empty() {
        None
    } else {
        Some(parse_date(deadline_s).ok_or_else(|| {
            fail(Rule::InvalidDate {
                field: "deadline",
                value: deadline_s.into(),
            })
        })?)
    };
    let code_s = field(8)?;
    let code_decision = if code_s.is_empty() {
        None
    } else {
        match check_code(kind, code_s) {
            CodeCheck::Agrees(d) => d,
            CodeCheck::Disagrees => {
                return Err(fail(Rule::CodeDisagrees {
                    code: code_s.into(),
                    event: kind,
                }))
            }
            CodeCheck::Unknown => return Err(fail(Rule::UnknownCode(code_s.into()))),
        }
    };
    let outcome_s = field(9)?;
    let outcome = parse_outcome(kind, outcome_s, code_decision, code_s, interner).map_err(fail)?;
    let variant = match cols.variant {
        None => Variant::Standard,
        Some(i) => {
            let raw = rec.get(i).unwrap_or(b"").trim_ascii();
            let s = std::str::from_utf8(raw).unwrap_or("?");
            Variant::parse(s).ok_or_else(|| fail(Rule::UnknownVariant(s.into())))?
        }
    };
    let [unit, hf, rhf] = interner.org(field(1)?, field(2)?, field(3)?);
    Ok(Event {
        line,
        pathway_id: interner.column(0, pathway_id),
        unit,
        hf,
        rhf,
        kommune: interner.column(4, field(4)?),
        care_level,
        kind,
        date,
        code: (!code_s.is_empty()).then(|| interner.get(code_s)),
        outcome,
        deadline: if kind == EventKind::ReferralAssessed {
            deadline
        } else {
            None
        },
        variant,
    })
}

fn parse_outcome(
    kind: EventKind,
    s: &str,
    code_decision: Option<DecisionCode>,
    code: &str,
    interner: &mut Interner,
) -> Result<Option<Outcome>, Rule> {
    let unknown = || Rule::UnknownOutcome {
        event: kind,
        value: s.into(),
    };
    match kind {
        EventKind::ReferralAssessed => match s {
            "right" => Ok(Some(Outcome::Right)),
            "no_right" => Ok(Some(Outcome::NoRight)),
            "" => Err(Rule::MissingOutcome(kind)),
            _ => Err(unknown()),
        },
        EventKind::ClinicalDecision => {
            let from_outcome = if s.is_empty() {
                None
            } else {
                Some(
                    DecisionCode::parse(s)
                        .or_else(|| s.strip_prefix("D01").and_then(DecisionCode::parse))
                        .ok_or_else(unknown)?,
                )
            };
            match (from_outcome, code_decision) {
                (Some(a), Some(b)) if a != b => Err(Rule::CodeDisagrees {
                    code: code.into(),
                    event: kind,
                }),
                (Some(a), _) | (None, Some(a)) => Ok(Some(Outcome::Decision(a))),
                (None, None) => Err(Rule::MissingOutcome(kind)),
            }
        }
        EventKind::PathwayEnd => {
            if s.is_empty() {
                Err(Rule::MissingOutcome(kind))
            } else {
                Ok(Some(Outcome::EndReason(interner.get(s))))
            }
        }
        EventKind::Diagnosis => match super::model::substance_diagnosis(s) {
            _ if s.is_empty() => Err(Rule::MissingOutcome(kind)),
            Some(code) => Ok(Some(Outcome::Diagnosis(interner.get(&code)))),
            None => Err(unknown()),
        },
        // Other events carry no outcome; a value there is ignored.
        _ => Ok(None),
    }
}

/// One event as text: the CSV columns (and the optional variant). The form events take in
/// the API, the store and the export.
///
/// Every field is a string as it stands in the CSV (empty when absent), so a form, a JSON body
/// and a stored row all go through the same row rules by [`EventFields::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EventFields {
    /// `pathway_id`.
    pub pathway_id: String,
    /// `unit`.
    pub unit: String,
    /// `hf`.
    pub hf: String,
    /// `rhf`.
    pub rhf: String,
    /// `kommune`.
    pub kommune: String,
    /// `care_level` (`outpatient` or `inpatient`).
    pub care_level: String,
    /// `event` (the contract name of the event kind).
    pub event: String,
    /// `date` (`YYYY-MM-DD`).
    pub date: String,
    /// `code` (a national code, or empty).
    pub code: String,
    /// `outcome` (depends on the event, or empty).
    pub outcome: String,
    /// `deadline` (`YYYY-MM-DD`, or empty).
    pub deadline: String,
    /// `pathway_variant` (`standard`, `pregnant`, or empty for standard).
    pub pathway_variant: String,
}

impl EventFields {
    /// The text form of a parsed event: [`EventFields::parse`] gives the event back (but for
    /// its line). The variant is written out (`standard` or `pregnant`); a decision's outcome
    /// as its two letters.
    pub fn of(e: &Event) -> EventFields {
        let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        EventFields {
            pathway_id: e.pathway_id.to_string(),
            unit: e.unit.to_string(),
            hf: e.hf.to_string(),
            rhf: e.rhf.to_string(),
            kommune: e.kommune.to_string(),
            care_level: e.care_level.as_str().to_owned(),
            event: e.kind.as_str().to_owned(),
            date: e.date.to_string(),
            code: e.code.as_deref().unwrap_or_default().to_owned(),
            outcome: e
                .outcome
                .as_ref()
                .map(Outcome::as_str)
                .unwrap_or_default()
                .to_owned(),
            deadline: date(e.deadline),
            pathway_variant: match e.variant {
                Variant::Standard => "standard",
                Variant::Pregnant => "pregnant",
            }
            .to_owned(),
        }
    }

    /// The fields as CSV columns in contract order, then `pathway_variant`.
    fn columns(&self) -> [&str; 12] {
        [
            &self.pathway_id,
            &self.unit,
            &self.hf,
            &self.rhf,
            &self.kommune,
            &self.care_level,
            &self.event,
            &self.date,
            &self.code,
            &self.outcome,
            &self.deadline,
            &self.pathway_variant,
        ]
    }

    /// Parses the fields by exactly the row rules of [`read_events`] (fields are trimmed, an
    /// empty variant is standard). `line` is put on the event and on the error.
    pub fn parse(&self, line: u64) -> Result<Event, RowError> {
        let record = csv::ByteRecord::from(self.columns().to_vec());
        let cols = Cols {
            idx: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            variant: Some(11),
            person: None,
        };
        parse_row(&record, &cols, line, &mut Interner::default()).map_err(|(pathway_id, rule)| {
            RowError {
                line,
                pathway_id,
                rule,
            }
        })
    }
}

/// Writes events in the import format (header first, `pathway_variant` last), for export:
/// [`read_events`] reads the output back into the same rows.
pub fn write_events_csv<W: std::io::Write>(w: W, events: &[EventFields]) -> std::io::Result<()> {
    write_csv(w, events, |v| std::borrow::Cow::Borrowed(v))
}

/// Writes events as [`write_events_csv`] does, for a file people open in a spreadsheet (the
/// web's export): a cell that starts like a formula is neutralised
/// ([`crate::fields::spreadsheet_cell`]). Stored events never start so (their input rules
/// refuse it); older ones might.
pub fn export_events_csv<W: std::io::Write>(w: W, events: &[EventFields]) -> std::io::Result<()> {
    write_csv(w, events, crate::fields::spreadsheet_cell)
}

fn write_csv<W: std::io::Write>(
    w: W,
    events: &[EventFields],
    cell: fn(&str) -> std::borrow::Cow<'_, str>,
) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new().from_writer(w);
    let mut header = COLUMNS.to_vec();
    header.push("pathway_variant");
    writer.write_record(&header)?;
    for e in events {
        let cells = e.columns().map(cell);
        writer.write_record(cells.iter().map(|c| c.as_bytes()))?;
    }
    writer.flush()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#[path = "fields_tests.rs"]
mod fields_tests;
