//! Reference data built into the binary: municipalities, counties, regional health
//! authorities (RHF) and health trusts (HF), copied from the project's `data/` folder (see its
//! README for sources). Parsed once, on first use.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const KOMMUNER: &str = include_str!("../data/kommuner.csv");
const FYLKER: &str = include_str!("../data/fylker.csv");
const HELSEFORETAK: &str = include_str!("../data/helseforetak.csv");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Kommune {
    pub kommunenummer: String,
    pub name: String,
    pub fylkesnummer: String,
    pub fylke_name: String,
    pub rhf: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fylke {
    pub fylkesnummer: String,
    pub name: String,
    pub rhf: String,
}

/// A regional health authority or one of its health trusts/companies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Helseforetak {
    /// `RHF`, `HF` or `AS`.
    pub level: String,
    pub name: String,
    pub rhf: String,
    /// Whether the trust runs specialised substance-use treatment (TSB).
    pub runs_tsb: bool,
}

#[derive(Debug)]
pub struct RefData {
    kommuner: BTreeMap<String, Kommune>,
    fylker: Vec<Fylke>,
    helseforetak: Vec<Helseforetak>,
}

#[derive(Debug, thiserror::Error)]
#[error("built-in reference data {file}: {message}")]
pub struct RefDataError {
    file: &'static str,
    message: String,
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    // Each file opens with one `#` line naming its sources.
    let body = text.split_once('\n').map_or("", |(_, rest)| rest);
    csv::Reader::from_reader(body.as_bytes())
}

impl RefData {
    /// Parses the embedded files.
    pub fn load() -> Result<RefData, RefDataError> {
        let err = |file: &'static str| {
            move |e: csv::Error| RefDataError {
                file,
                message: e.to_string(),
            }
        };
        let mut kommuner = BTreeMap::new();
        for row in reader(KOMMUNER).deserialize::<BTreeMap<String, String>>() {
            let r = row.map_err(err("kommuner.csv"))?;
            let g = |k: &str| r.get(k).cloned().unwrap_or_default();
            let k = Kommune {
                kommunenummer: g("kommunenummer"),
                name: g("name"),
                fylkesnummer: g("fylkesnummer"),
                fylke_name: g("fylke_name"),
                rhf: g("rhf"),
            };
            kommuner.insert(k.kommunenummer.clone(), k);
        }
        let mut fylker = Vec::new();
        for row in reader(FYLKER).deserialize::<BTreeMap<String, String>>() {
            let r = row.map_err(err("fylker.csv"))?;
            let g = |k: &str| r.get(k).cloned().unwrap_or_default();
            fylker.push(Fylke {
                fylkesnummer: g("fylkesnummer"),
                name: g("name"),
                rhf: g("rhf"),
            });
        }
        let mut helseforetak = Vec::new();
        for row in reader(HELSEFORETAK).deserialize::<BTreeMap<String, String>>() {
            let r = row.map_err(err("helseforetak.csv"))?;
            let g = |k: &str| r.get(k).cloned().unwrap_or_default();
            helseforetak.push(Helseforetak {
                level: g("level"),
                name: g("name"),
                rhf: g("rhf"),
                runs_tsb: g("runs_tsb") == "yes" || g("level") == "RHF",
            });
        }
        Ok(RefData {
            kommuner,
            fylker,
            helseforetak,
        })
    }

    pub fn kommune(&self, kommunenummer: &str) -> Option<&Kommune> {
        self.kommuner.get(kommunenummer)
    }

    pub fn kommuner(&self) -> impl Iterator<Item = &Kommune> {
        self.kommuner.values()
    }

    pub fn fylker(&self) -> &[Fylke] {
        &self.fylker
    }

    pub fn helseforetak(&self) -> &[Helseforetak] {
        &self.helseforetak
    }

    /// The four regional health authorities.
    pub fn rhfs(&self) -> impl Iterator<Item = &Helseforetak> {
        self.helseforetak.iter().filter(|h| h.level == "RHF")
    }
}

static REFDATA: OnceLock<RefData> = OnceLock::new();

/// The built-in reference data.
///
/// The files are part of the binary and checked by the test `embedded_data_parses`; should they
/// ever fail to parse, this returns empty tables (and every municipality number is then
/// unknown) rather than bringing the server down.
pub fn get() -> &'static RefData {
    REFDATA.get_or_init(|| {
        RefData::load().unwrap_or_else(|_| RefData {
            kommuner: BTreeMap::new(),
            fylker: Vec::new(),
            helseforetak: Vec::new(),
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses() {
        let r = RefData::load().unwrap();
        assert_eq!(r.kommuner().count(), 357);
        assert_eq!(r.fylker().len(), 15);
        assert_eq!(r.rhfs().count(), 4);
        assert_eq!(r.kommune("4601").unwrap().name, "Bergen");
        assert_eq!(r.kommune("0301").unwrap().rhf, "Helse Sør-Øst RHF");
        let tsb = r
            .helseforetak()
            .iter()
            .filter(|h| h.level == "HF" && h.runs_tsb)
            .count();
        assert!(tsb >= 15, "{tsb}");
    }
}
