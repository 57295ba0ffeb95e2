//! CAP 1.2 (OASIS Common Alerting Protocol): one `alert` per approved version, and one for the
//! cancellation.
//!
//! - The first approved version is `msgType` Alert, every later approved version an Update,
//!   and the cancellation a Cancel; an Update or Cancel `references` every earlier approved
//!   version as `sender,identifier,sent` (never a draft that was not approved).
//! - `sent` is the approval's time (the cancellation's for a Cancel), in Europe/Oslo's offset
//!   ([`oslo`]): the schema refuses `Z`.
//! - `status` is Exercise for a drill, else Actual; `scope` is always Public.
//! - One `info` in bokmål (`nb-NO`), and one in English (`en-GB`) when the title has English;
//!   the English info falls back to bokmål for a text that has no English yet.
//! - The area is one `area`: the areas' names joined with ", ", and a `geocode` per area:
//!   `municipalityId` (the four-digit number), `countyId` (the two-digit number), and for the
//!   whole country one `countyId` per county.
//! - A Cancel repeats the info of the last published version with `responseType` AllClear
//!   (CAP 1.2: "the subject event no longer poses a threat or concern") and the reason as
//!   `note`.

use std::io;

use jiff::Timestamp;
use quick_xml::events::{BytesDecl, BytesText, Event as Xml};
use quick_xml::Writer;

use super::{Area, Version, Warning};

/// CAP 1.2's namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// Who sends the alerts and where the warnings are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapConfig {
    /// The CAP `sender` (`ovs@varde.no`); its reversed domain and local part prefix every
    /// identifier (`no.varde.ovs`).
    pub sender: String,
    /// The `senderName` shown to people (`Varde – overdosevarsling`).
    pub sender_name: String,
    /// The public site, without a trailing slash (`https://varde.example`).
    pub base_url: String,
}

impl CapConfig {
    /// The base URL without any trailing slash.
    fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }
}

/// `v` with every byte outside `A–Z a–z 0–9 . _ -` percent-encoded: safe in an identifier
/// (no space, comma, `<` or `&`) and in a URL path, and still unique.
pub(crate) fn id_part(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The public page of a warning: `{base_url}/warnings/{id}`.
pub fn web(cfg: &CapConfig, warning_id: &str) -> String {
    format!("{}/warnings/{}", cfg.base(), id_part(warning_id))
}

/// The identifiers' prefix: the sender's domain reversed and its local part
/// (`ovs@varde.no` → `no.varde.ovs`).
fn prefix(cfg: &CapConfig) -> String {
    let sender = cfg.sender.trim();
    let written = match sender.rsplit_once('@') {
        Some((local, domain)) => {
            let mut parts: Vec<&str> = domain.split('.').filter(|p| !p.is_empty()).collect();
            parts.reverse();
            parts.push(local);
            parts.join(".")
        }
        None => sender.to_owned(),
    };
    id_part(&written)
}

/// The identifier of a version's alert: `no.varde.ovs.{warning_id}.v{version}`. Unique per
/// version and stable: the same version always has the same identifier.
pub fn identifier(cfg: &CapConfig, warning_id: &str, version: u32) -> String {
    format!("{}.{}.v{version}", prefix(cfg), id_part(warning_id))
}

/// The identifier of a warning's Cancel message: `no.varde.ovs.{warning_id}.cancel`.
pub fn cancel_identifier(cfg: &CapConfig, warning_id: &str) -> String {
    format!("{}.{}.cancel", prefix(cfg), id_part(warning_id))
}

/// `ts` in Europe/Oslo's offset, whole seconds: `2026-12-06T12:00:00+01:00` (never `Z`).
pub fn oslo(ts: Timestamp) -> String {
    let tz = jiff::tz::db()
        .get("Europe/Oslo")
        .unwrap_or(jiff::tz::TimeZone::UTC);
    ts.to_zoned(tz).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The CAP `msgType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MsgType {
    Alert,
    Update,
    Cancel,
}

impl MsgType {
    fn as_str(self) -> &'static str {
        match self {
            MsgType::Alert => "Alert",
            MsgType::Update => "Update",
            MsgType::Cancel => "Cancel",
        }
    }
}

/// The `references` of an Update or Cancel: `sender,identifier,sent` of each version given.
fn references<'a>(
    cfg: &CapConfig,
    w: &Warning,
    earlier: impl Iterator<Item = &'a Version>,
) -> String {
    earlier
        .filter_map(|v| {
            v.approved.as_ref().map(|a| {
                format!(
                    "{},{},{}",
                    cfg.sender,
                    identifier(cfg, &w.id, v.number),
                    oslo(a.at)
                )
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The alert of approved version `version`, or `None` if that version is not approved.
pub fn alert(cfg: &CapConfig, w: &Warning, version: u32) -> Option<String> {
    let v = w
        .versions
        .iter()
        .find(|v| v.number == version && v.approved.is_some())?;
    let approved = v.approved.as_ref()?;
    let earlier: Vec<&Version> = w
        .approved_versions()
        .filter(|e| e.number < version)
        .collect();
    let (msg_type, refs) = if earlier.is_empty() {
        (MsgType::Alert, None)
    } else {
        (
            MsgType::Update,
            Some(references(cfg, w, earlier.into_iter())),
        )
    };
    let head = Head {
        identifier: identifier(cfg, &w.id, version),
        sent: approved.at,
        msg_type,
        note: None,
        references: refs,
    };
    write(cfg, w, v, &head).ok()
}

/// The Cancel message, or `None` if the warning is not cancelled (or was never published).
pub fn cancel(cfg: &CapConfig, w: &Warning) -> Option<String> {
    let c = w.cancelled.as_ref()?;
    let last = w.published()?;
    let head = Head {
        identifier: cancel_identifier(cfg, &w.id),
        sent: c.at,
        msg_type: MsgType::Cancel,
        note: Some(c.reason.as_str()),
        references: Some(references(cfg, w, w.approved_versions())),
    };
    write(cfg, w, last, &head).ok()
}

/// The warning's current CAP message: the Cancel if it is cancelled, else the alert of the
/// published version (`None` if neither).
pub fn latest(cfg: &CapConfig, w: &Warning) -> Option<String> {
    if w.cancelled.is_some() {
        cancel(cfg, w)
    } else {
        alert(cfg, w, w.published()?.number)
    }
}

/// What differs between the messages of one warning.
struct Head<'a> {
    identifier: String,
    sent: Timestamp,
    msg_type: MsgType,
    note: Option<&'a str>,
    references: Option<String>,
}

fn el(x: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    x.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

fn write(cfg: &CapConfig, w: &Warning, v: &Version, head: &Head) -> io::Result<String> {
    let mut x = Writer::new_with_indent(Vec::new(), b' ', 2);
    x.write_event(Xml::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let c = &v.content;
    x.create_element("alert")
        .with_attribute(("xmlns", NAMESPACE))
        .write_inner_content(|x| {
            el(x, "identifier", &head.identifier)?;
            el(x, "sender", &cfg.sender)?;
            el(x, "sent", &oslo(head.sent))?;
            el(x, "status", if c.exercise { "Exercise" } else { "Actual" })?;
            el(x, "msgType", head.msg_type.as_str())?;
            el(x, "scope", "Public")?;
            if let Some(note) = head.note {
                el(x, "note", note)?;
            }
            if let Some(refs) = &head.references {
                el(x, "references", refs)?;
            }
            let mut langs = vec!["nb"];
            if c.title.en.is_some() {
                langs.push("en");
            }
            for lang in langs {
                info(x, cfg, w, v, head.msg_type, lang)?;
            }
            Ok(())
        })?;
    String::from_utf8(x.into_inner()).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The description's last line: the substance in `lang`, and what it was sold as.
fn substance_line(substance: &str, sold_as: Option<&str>, lang: &str) -> String {
    let name = crate::substances::get()
        .by_id(substance)
        .map_or(substance, |s| s.name(lang));
    match (lang, sold_as) {
        ("en", Some(s)) => format!("Substance: {name}, sold as {s}."),
        ("en", None) => format!("Substance: {name}."),
        (_, Some(s)) => format!("Stoff: {name}, solgt som {s}."),
        (_, None) => format!("Stoff: {name}."),
    }
}

/// The geocodes of `areas`: `(valueName, value)`, each once.
pub(crate) fn geocodes(areas: &[Area]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut add = |name: &'static str, value: String| {
        if !out.iter().any(|(n, v)| *n == name && *v == value) {
            out.push((name, value));
        }
    };
    for a in areas {
        match a {
            Area::National => {
                for f in crate::refdata::get().fylker() {
                    add("countyId", f.fylkesnummer.clone());
                }
            }
            Area::County(c) => add("countyId", c.clone()),
            Area::Municipality(m) => add("municipalityId", m.clone()),
        }
    }
    out
}

fn info(
    x: &mut Writer<Vec<u8>>,
    cfg: &CapConfig,
    w: &Warning,
    v: &Version,
    msg_type: MsgType,
    lang: &str,
) -> io::Result<()> {
    let c = &v.content;
    let en = lang == "en";
    x.create_element("info").write_inner_content(|x| {
        el(x, "language", if en { "en-GB" } else { "nb-NO" })?;
        el(x, "category", "Health")?;
        el(
            x,
            "event",
            if en { "Overdose risk" } else { "Overdosefare" },
        )?;
        let response = if msg_type == MsgType::Cancel {
            "AllClear"
        } else {
            "Avoid"
        };
        el(x, "responseType", response)?;
        el(x, "urgency", c.urgency.cap())?;
        el(x, "severity", c.severity.cap())?;
        el(x, "certainty", c.certainty.cap())?;
        el(x, "expires", &oslo(c.expires))?;
        el(x, "senderName", &cfg.sender_name)?;
        el(x, "headline", c.title.get(lang))?;
        let description = format!(
            "{}\n\n{}",
            c.description.get(lang),
            substance_line(&c.substance, c.sold_as.as_deref(), lang)
        );
        el(x, "description", &description)?;
        el(x, "instruction", c.advice_public.get(lang))?;
        el(x, "web", &web(cfg, &w.id))?;
        parameter(x, "adviceServices", c.advice_services.get(lang))?;
        if let Some(signal) = &c.signal_id {
            parameter(x, "signalId", signal)?;
        }
        x.create_element("area").write_inner_content(|x| {
            let names: Vec<String> = c.areas.iter().map(|a| a.name(lang)).collect();
            el(x, "areaDesc", &names.join(", "))?;
            for (name, value) in geocodes(&c.areas) {
                x.create_element("geocode").write_inner_content(|x| {
                    el(x, "valueName", name)?;
                    el(x, "value", &value)
                })?;
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

fn parameter(x: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    x.create_element("parameter").write_inner_content(|x| {
        el(x, "valueName", name)?;
        el(x, "value", value)
    })?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub(crate) mod tests {
    use super::*;
    use crate::warnings::draft;
    use crate::warnings::{Actor, Content, Event};

    pub(crate) fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    pub(crate) fn cfg() -> CapConfig {
        CapConfig {
            sender: "ovs@varde.no".into(),
            sender_name: "Varde – overdosevarsling".into(),
            base_url: "https://varde.example".into(),
        }
    }

    pub(crate) fn content() -> Content {
        draft::parse(
            &crate::warnings::tests::input(),
            at("2026-12-06T12:00:00+01:00"),
        )
        .unwrap()
    }

    fn ada() -> Actor {
        Actor {
            id: 1,
            name: "ada".into(),
        }
    }

    /// Drafts `content` as the next version at `drafted`, approved at `approved` if given.
    pub(crate) fn version(
        w: &mut Warning,
        content: Content,
        drafted: &str,
        approved: Option<&str>,
    ) {
        let version = w.versions.len() as u32 + 1;
        w.apply(
            &Event::Drafted {
                version,
                content: Box::new(content),
            },
            ada(),
            at(drafted),
        );
        if let Some(a) = approved {
            let bo = Actor {
                id: 2,
                name: "bo".into(),
            };
            w.apply(&Event::Approved { version }, bo, at(a));
        }
    }

    pub(crate) fn cancelled(w: &mut Warning, reason: &str, when: &str) {
        let reason = reason.into();
        w.apply(&Event::Cancelled { reason }, ada(), at(when));
    }

    /// A warning with version 1 approved at `approved`.
    pub(crate) fn published(id: &str, content: Content, approved: &str) -> Warning {
        let mut w = Warning::new(id);
        version(&mut w, content, approved, Some(approved));
        w
    }

    /// Every text of element `tag`, unescaped; panics unless the whole document is well-formed.
    pub(crate) fn texts(xml: &str, tag: &str) -> Vec<String> {
        let mut reader = quick_xml::Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}\n{xml}"),
            }
        }
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let mut out = Vec::new();
        let mut rest = xml;
        while let Some(i) = rest.find(&open) {
            rest = &rest[i + open.len()..];
            let j = rest.find(&close).unwrap();
            out.push(
                quick_xml::escape::unescape(&rest[..j])
                    .unwrap()
                    .into_owned(),
            );
            rest = &rest[j..];
        }
        out
    }

    fn one(xml: &str, tag: &str) -> String {
        let t = texts(xml, tag);
        assert_eq!(t.len(), 1, "one <{tag}> in {xml}");
        t.into_iter().next().unwrap()
    }

    #[test]
    fn identifiers_are_stable_and_safe() {
        assert_eq!(identifier(&cfg(), "OVS-1", 2), "no.varde.ovs.OVS-1.v2");
        assert_eq!(
            cancel_identifier(&cfg(), "OVS-1"),
            "no.varde.ovs.OVS-1.cancel"
        );
        let odd = identifier(&cfg(), "a b,c<d&e", 1);
        assert!(!odd.contains([' ', ',', '<', '&']), "{odd}");
        assert_ne!(odd, identifier(&cfg(), "a_b_c_d_e", 1));
        assert_eq!(web(&cfg(), "OVS-1"), "https://varde.example/warnings/OVS-1");
    }

    #[test]
    fn oslo_offsets_follow_summer_and_winter_time() {
        assert_eq!(
            oslo(at("2026-12-06T11:00:00Z")),
            "2026-12-06T12:00:00+01:00"
        );
        assert_eq!(
            oslo(at("2026-07-01T10:00:00.987Z")),
            "2026-07-01T12:00:00+02:00"
        );
    }

    #[test]
    fn alert_update_cancel_with_references_of_approved_versions_only() {
        let c = content();
        let mut w = published("OVS-7", c.clone(), "2026-12-06T12:00:00+01:00");
        let a1 = alert(&cfg(), &w, 1).unwrap();
        assert!(a1.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#));
        assert!(a1.contains(r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">"#));
        assert_eq!(one(&a1, "identifier"), "no.varde.ovs.OVS-7.v1");
        assert_eq!(one(&a1, "sender"), "ovs@varde.no");
        assert_eq!(one(&a1, "sent"), "2026-12-06T12:00:00+01:00");
        assert_eq!(one(&a1, "status"), "Actual");
        assert_eq!(one(&a1, "msgType"), "Alert");
        assert_eq!(one(&a1, "scope"), "Public");
        assert!(texts(&a1, "references").is_empty());
        assert!(texts(&a1, "note").is_empty());
        assert_eq!(latest(&cfg(), &w).unwrap(), a1);

        // Version 2 waits: no alert yet, the published one is still version 1.
        version(&mut w, c.clone(), "2026-12-07T09:00:00+01:00", None);
        assert_eq!(alert(&cfg(), &w, 2), None);
        assert_eq!(alert(&cfg(), &w, 9), None);
        assert_eq!(latest(&cfg(), &w).unwrap(), a1);
        // Version 3 (a new draft over the unapproved 2) is approved.
        version(
            &mut w,
            c.clone(),
            "2026-12-08T09:00:00+01:00",
            Some("2026-12-08T10:00:00+01:00"),
        );
        let a3 = alert(&cfg(), &w, 3).unwrap();
        assert_eq!(one(&a3, "msgType"), "Update");
        assert_eq!(one(&a3, "sent"), "2026-12-08T10:00:00+01:00");
        assert_eq!(
            one(&a3, "references"),
            "ovs@varde.no,no.varde.ovs.OVS-7.v1,2026-12-06T12:00:00+01:00"
        );
        // Version 1's alert is unchanged by later versions.
        assert_eq!(alert(&cfg(), &w, 1).unwrap(), a1);
        version(
            &mut w,
            c,
            "2026-12-09T09:00:00+01:00",
            Some("2026-12-09T10:00:00+01:00"),
        );
        let a4 = alert(&cfg(), &w, 4).unwrap();
        assert_eq!(
            one(&a4, "references"),
            "ovs@varde.no,no.varde.ovs.OVS-7.v1,2026-12-06T12:00:00+01:00 \
             ovs@varde.no,no.varde.ovs.OVS-7.v3,2026-12-08T10:00:00+01:00"
        );
        assert_eq!(cancel(&cfg(), &w), None);

        cancelled(
            &mut w,
            "Feil stoff <analyse> & ny prøve",
            "2026-12-10T08:00:00+01:00",
        );
        let x = cancel(&cfg(), &w).unwrap();
        assert_eq!(latest(&cfg(), &w).unwrap(), x);
        assert_eq!(one(&x, "identifier"), "no.varde.ovs.OVS-7.cancel");
        assert_eq!(one(&x, "msgType"), "Cancel");
        assert_eq!(one(&x, "sent"), "2026-12-10T08:00:00+01:00");
        assert_eq!(one(&x, "note"), "Feil stoff <analyse> & ny prøve");
        assert!(x.contains("Feil stoff &lt;analyse&gt; &amp; ny prøve"));
        let refs = one(&x, "references");
        assert_eq!(refs.split(' ').count(), 3, "{refs}");
        assert!(refs.ends_with("no.varde.ovs.OVS-7.v4,2026-12-09T10:00:00+01:00"));
        assert!(!refs.contains(".v2,"));
        assert_eq!(one(&x, "responseType"), "AllClear");
        assert_eq!(x.matches("<info>").count(), 1);
        assert_eq!(one(&x, "language"), "nb-NO");
    }

    #[test]
    fn drills_are_exercises() {
        let mut c = content();
        c.exercise = true;
        let w = published("OVS-8", c, "2026-12-06T12:00:00+01:00");
        assert_eq!(one(&alert(&cfg(), &w, 1).unwrap(), "status"), "Exercise");
    }

    #[test]
    fn the_info_carries_the_content_and_geocodes() {
        let mut c = content();
        c.signal_id = Some("SIG-42".into());
        let w = published("OVS-9", c, "2026-07-01T12:00:00+02:00");
        let a = alert(&cfg(), &w, 1).unwrap();
        assert_eq!(one(&a, "language"), "nb-NO");
        assert_eq!(one(&a, "category"), "Health");
        assert_eq!(one(&a, "event"), "Overdosefare");
        assert_eq!(one(&a, "responseType"), "Avoid");
        assert_eq!(one(&a, "urgency"), "Immediate");
        assert_eq!(one(&a, "severity"), "Extreme");
        assert_eq!(one(&a, "certainty"), "Likely");
        assert_eq!(one(&a, "expires"), "2027-01-05T12:00:00+01:00");
        assert_eq!(one(&a, "sent"), "2026-07-01T12:00:00+02:00");
        assert_eq!(one(&a, "senderName"), "Varde – overdosevarsling");
        assert_eq!(one(&a, "headline"), "Protonitazen solgt som oksykodon");
        let d = one(&a, "description");
        assert!(d.starts_with("Funnet i tabletter levert til rusmiddelanalyse.\n\nStoff: "));
        assert!(d.ends_with(", solgt som oksykodon 80 mg."), "{d}");
        assert_eq!(
            one(&a, "instruction"),
            "Ikke bruk alene. Ha nalokson tilgjengelig."
        );
        assert_eq!(one(&a, "web"), "https://varde.example/warnings/OVS-9");
        assert_eq!(
            texts(&a, "valueName"),
            ["adviceServices", "signalId", "countyId", "municipalityId"]
        );
        assert_eq!(
            texts(&a, "value"),
            ["Ha nalokson klart.", "SIG-42", "46", "0301"]
        );
        assert_eq!(one(&a, "areaDesc"), "Vestland, Oslo");
        // The whole country: one countyId per county.
        let mut national = content();
        national.areas = vec![Area::National];
        let w = published("OVS-10", national, "2026-12-06T12:00:00+01:00");
        let a = alert(&cfg(), &w, 1).unwrap();
        let counties: Vec<String> = crate::refdata::get()
            .fylker()
            .iter()
            .map(|f| f.fylkesnummer.clone())
            .collect();
        assert!(counties.len() > 10);
        assert_eq!(texts(&a, "value")[1..], counties[..]);
        assert_eq!(one(&a, "areaDesc"), "Hele landet");
    }

    #[test]
    fn english_info_only_when_english_is_written() {
        let mut c = content();
        let w = published("OVS-11", c.clone(), "2026-12-06T12:00:00+01:00");
        assert_eq!(alert(&cfg(), &w, 1).unwrap().matches("<info>").count(), 1);
        assert_eq!(texts(&alert(&cfg(), &w, 1).unwrap(), "language"), ["nb-NO"]);
        c.title.en = Some("Protonitazene sold as oxycodone".into());
        c.advice_public.en = Some("Do not use alone.".into());
        let w = published("OVS-11", c, "2026-12-06T12:00:00+01:00");
        let a = alert(&cfg(), &w, 1).unwrap();
        assert_eq!(texts(&a, "language"), ["nb-NO", "en-GB"]);
        assert_eq!(texts(&a, "event"), ["Overdosefare", "Overdose risk"]);
        assert_eq!(
            texts(&a, "headline"),
            [
                "Protonitazen solgt som oksykodon",
                "Protonitazene sold as oxycodone"
            ]
        );
        assert_eq!(
            texts(&a, "instruction"),
            [
                "Ikke bruk alene. Ha nalokson tilgjengelig.",
                "Do not use alone."
            ]
        );
        // No English description: bokmål, then the substance line in English.
        let d = texts(&a, "description");
        assert!(d[1].starts_with("Funnet i tabletter"));
        assert!(d[1].contains("\n\nSubstance: "), "{}", d[1]);
        assert!(d[1].ends_with(", sold as oksykodon 80 mg."));
        assert_eq!(texts(&a, "areaDesc"), ["Vestland, Oslo", "Vestland, Oslo"]);
    }

    #[test]
    fn texts_are_escaped() {
        let mut c = content();
        c.title.nb = "<script>alert(1)</script> & co".into();
        c.description.nb = "a < b && c > d \"q\" 'a'".into();
        c.advice_services.nb = "]]> <![CDATA[".into();
        let w = published("OVS-12", c, "2026-12-06T12:00:00+01:00");
        let a = alert(&cfg(), &w, 1).unwrap();
        assert!(!a.contains("<script>"));
        assert!(a.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
        assert_eq!(one(&a, "headline"), "<script>alert(1)</script> & co");
        assert!(one(&a, "description").starts_with("a < b && c > d \"q\" 'a'"));
        assert_eq!(texts(&a, "value")[0], "]]> <![CDATA[");
    }
}
