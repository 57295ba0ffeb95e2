//! The public Atom feed of overdose warnings (RFC 4287), written with `atom_syndication`.
//!
//! - Entries: every warning in force for the public (published, not expired, not cancelled,
//!   not a drill), and every public warning cancelled within the last [`CANCELLED_DAYS`] days,
//!   titled "Avlyst: …" / "Cancelled: …". Most severe first, then the most recently updated.
//! - An entry's `id` is the warning's page, `{base_url}/warnings/{id}`: the same for every
//!   version, so a reader replaces the entry when a new version is approved. Its `updated` is
//!   the latest approval (or the cancellation), `published` the first approval.
//! - Links: the page (`text/html`) and the CAP message (`application/cap+xml`,
//!   `{base_url}/warnings/{id}/cap.xml`); a `category` with the CAP severity word.
//! - Times in Europe/Oslo's offset.

use atom_syndication::{Category, Entry, Feed, FixedDateTime, Generator, Link, Person, Text};
use jiff::{Span, Timestamp};

use super::cap::{oslo, web, CapConfig};
use super::Warning;

/// How long a cancelled warning stays in the feed, in days.
pub const CANCELLED_DAYS: i64 = 7;

/// `ts` as atom_syndication's time, in Europe/Oslo's offset.
fn fixed(ts: Timestamp) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(&oslo(ts)).unwrap_or_default()
}

fn link(href: String, mime: &str) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel("alternate");
    l.set_mime_type(Some(mime.to_owned()));
    l
}

/// The entry's time: the latest approval, or the cancellation if later.
fn updated(w: &Warning) -> Option<Timestamp> {
    let approved = w.published()?.approved.as_ref()?.at;
    Some(
        w.cancelled
            .as_ref()
            .map_or(approved, |c| c.at.max(approved)),
    )
}

/// Whether `w` belongs in the feed at `now`.
fn listed(w: &Warning, now: Timestamp) -> bool {
    if w.public_in_force(now) {
        return true;
    }
    let since = now
        .checked_sub(Span::new().hours(24 * CANCELLED_DAYS))
        .unwrap_or(Timestamp::MIN);
    w.public()
        && w.cancelled
            .as_ref()
            .is_some_and(|c| c.at > since && c.at <= now)
}

fn entry(cfg: &CapConfig, w: &Warning, lang: &str) -> Option<Entry> {
    let v = w.published()?;
    let c = &v.content;
    let first = w.approved_versions().next()?.approved.as_ref()?.at;
    let page = web(cfg, &w.id);
    let title = match (&w.cancelled, lang) {
        (Some(_), "en") => format!("Cancelled: {}", c.title.get(lang)),
        (Some(_), _) => format!("Avlyst: {}", c.title.get(lang)),
        (None, _) => c.title.get(lang).to_owned(),
    };
    let mut e = Entry::default();
    e.set_id(page.clone());
    e.set_title(Text::plain(title));
    e.set_updated(fixed(updated(w)?));
    e.set_published(Some(fixed(first)));
    e.set_summary(Some(Text::plain(c.advice_public.get(lang))));
    e.set_links(vec![
        link(format!("{page}/cap.xml"), "application/cap+xml"),
        link(page, "text/html"),
    ]);
    let mut severity = Category::default();
    severity.set_term(c.severity.cap());
    e.set_categories(vec![severity]);
    Some(e)
}

/// The feed at `now` in `lang` (`en`, else bokmål).
pub fn feed(cfg: &CapConfig, warnings: &[Warning], now: Timestamp, lang: &str) -> String {
    let lang = if lang == "en" { "en" } else { "nb" };
    let mut listed: Vec<&Warning> = warnings.iter().filter(|w| listed(w, now)).collect();
    listed.sort_by(|a, b| {
        let severity = |w: &Warning| w.published().map(|v| v.content.severity);
        severity(a)
            .cmp(&severity(b))
            .then_with(|| updated(b).cmp(&updated(a)))
            .then_with(|| a.id.cmp(&b.id))
    });
    let newest = listed.iter().filter_map(|w| updated(w)).max();
    let base = cfg.base_url.trim_end_matches('/');
    let mut f = Feed::default();
    f.set_id(format!("{base}/warnings.atom"));
    f.set_title(Text::plain(if lang == "en" {
        "Overdose warnings"
    } else {
        "Overdosevarsler"
    }));
    f.set_lang(Some(lang.to_owned()));
    f.set_updated(fixed(newest.unwrap_or(now)));
    let mut me = Link::default();
    me.set_href(format!("{base}/warnings.atom"));
    me.set_rel("self");
    me.set_mime_type(Some("application/atom+xml".to_owned()));
    f.set_links(vec![me]);
    let mut author = Person::default();
    author.set_name("Varde");
    author.set_uri(Some(base.to_owned()));
    f.set_authors(vec![author]);
    let mut generator = Generator::default();
    generator.set_value("Varde");
    f.set_generator(Some(generator));
    f.set_entries(
        listed
            .into_iter()
            .filter_map(|w| entry(cfg, w, lang))
            .collect::<Vec<_>>(),
    );
    f.write_to(Vec::new())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::warnings::cap::tests::{at, cancelled, cfg, content, published, version};
    use crate::warnings::Severity;

    const NOW: &str = "2026-12-10T12:00:00+01:00";

    fn parse(xml: &str) -> Feed {
        Feed::from_str(xml).unwrap()
    }

    #[test]
    fn the_feed_lists_what_the_public_sees() {
        let now = at(NOW);
        let moderate = {
            let mut c = content();
            c.severity = Severity::Moderate;
            published("OVS-moderate", c, "2026-12-09T12:00:00+01:00")
        };
        let extreme = published("OVS-extreme", content(), "2026-12-06T12:00:00+01:00");
        let mut drill = content();
        drill.exercise = true;
        let drill = published("OVS-drill", drill, "2026-12-09T12:00:00+01:00");
        let mut draft = Warning::new("OVS-draft");
        version(&mut draft, content(), "2026-12-09T12:00:00+01:00", None);
        let mut short = content();
        short.expires = at("2026-12-09T12:00:00+01:00");
        let expired = published("OVS-expired", short, "2026-12-06T12:00:00+01:00");
        let mut recent = published("OVS-cancelled", content(), "2026-12-01T12:00:00+01:00");
        cancelled(&mut recent, "Feil stoff", "2026-12-04T12:00:01+01:00");
        let mut old = published("OVS-old", content(), "2026-11-20T12:00:00+01:00");
        cancelled(&mut old, "Feil stoff", "2026-12-03T12:00:00+01:00");
        let all = [moderate, drill, draft, expired, old, recent, extreme];

        let xml = feed(&cfg(), &all, now, "nb");
        let f = parse(&xml);
        assert_eq!(f.id(), "https://varde.example/warnings.atom");
        assert_eq!(f.title().as_str(), "Overdosevarsler");
        assert_eq!(f.links()[0].rel(), "self");
        assert_eq!(f.authors()[0].name(), "Varde");
        assert_eq!(f.generator().unwrap().value(), "Varde");
        // The newest entry's time: moderate's approval.
        assert_eq!(f.updated().to_rfc3339(), "2026-12-09T12:00:00+01:00");
        let ids: Vec<&str> = f.entries().iter().map(|e| e.id()).collect();
        assert_eq!(
            ids,
            [
                // Extreme first, the newer before the older; drills, drafts, the expired and the
                // cancellation of exactly seven days ago are left out.
                "https://varde.example/warnings/OVS-extreme",
                "https://varde.example/warnings/OVS-cancelled",
                "https://varde.example/warnings/OVS-moderate",
            ]
        );
        let e = &f.entries()[1];
        assert_eq!(
            e.title().as_str(),
            "Avlyst: Protonitazen solgt som oksykodon"
        );
        assert_eq!(e.updated().to_rfc3339(), "2026-12-04T12:00:01+01:00");
        assert_eq!(
            e.published().unwrap().to_rfc3339(),
            "2026-12-01T12:00:00+01:00"
        );
        let e = &f.entries()[0];
        assert_eq!(e.title().as_str(), "Protonitazen solgt som oksykodon");
        assert_eq!(
            e.summary().unwrap().as_str(),
            "Ikke bruk alene. Ha nalokson tilgjengelig."
        );
        assert_eq!(e.categories()[0].term(), "Extreme");
        let links: Vec<(&str, Option<&str>, &str)> = e
            .links()
            .iter()
            .map(|l| (l.rel(), l.mime_type(), l.href()))
            .collect();
        assert!(links.contains(&(
            "alternate",
            Some("text/html"),
            "https://varde.example/warnings/OVS-extreme"
        )));
        assert!(links.contains(&(
            "alternate",
            Some("application/cap+xml"),
            "https://varde.example/warnings/OVS-extreme/cap.xml"
        )));
        assert!(!xml.contains("OVS-drill") && !xml.contains("OVS-draft"));
        assert!(!xml.contains("OVS-expired") && !xml.contains("OVS-old"));
    }

    #[test]
    fn ids_stay_and_updated_moves_with_each_approved_version() {
        let mut c = content();
        c.title.en = Some("Protonitazene sold as oxycodone".into());
        let mut w = published("OVS-1", c.clone(), "2026-12-06T12:00:00+01:00");
        let before = parse(&feed(&cfg(), std::slice::from_ref(&w), at(NOW), "en"));
        assert_eq!(before.title().as_str(), "Overdose warnings");
        // A draft changes nothing; its approval moves `updated`, not `id` or `published`.
        c.title.en = Some("Protonitazene in oxycodone tablets".into());
        version(&mut w, c.clone(), "2026-12-07T12:00:00+01:00", None);
        let drafted = parse(&feed(&cfg(), std::slice::from_ref(&w), at(NOW), "en"));
        assert_eq!(drafted.entries(), before.entries());
        version(
            &mut w,
            c,
            "2026-12-08T12:00:00+01:00",
            Some("2026-12-08T13:00:00+01:00"),
        );
        let after = parse(&feed(&cfg(), std::slice::from_ref(&w), at(NOW), "en"));
        let (b, a) = (&before.entries()[0], &after.entries()[0]);
        assert_eq!(a.id(), b.id());
        assert_eq!(a.published(), b.published());
        assert_eq!(b.title().as_str(), "Protonitazene sold as oxycodone");
        assert_eq!(a.title().as_str(), "Protonitazene in oxycodone tablets");
        assert_eq!(a.updated().to_rfc3339(), "2026-12-08T13:00:00+01:00");
        assert_eq!(after.updated(), a.updated());
        // No English advice written: bokmål.
        assert_eq!(
            a.summary().unwrap().as_str(),
            "Ikke bruk alene. Ha nalokson tilgjengelig."
        );
        cancelled(&mut w, "Feil", "2026-12-09T12:00:00+01:00");
        let gone = parse(&feed(&cfg(), std::slice::from_ref(&w), at(NOW), "en"));
        assert_eq!(gone.entries()[0].id(), b.id());
        assert!(gone.entries()[0]
            .title()
            .as_str()
            .starts_with("Cancelled: "));
    }

    #[test]
    fn an_empty_feed_is_valid_and_dated_now() {
        let xml = feed(&cfg(), &[], at("2026-07-01T10:00:00Z"), "nb");
        let f = parse(&xml);
        assert!(f.entries().is_empty());
        assert_eq!(f.updated().to_rfc3339(), "2026-07-01T12:00:00+02:00");
        assert_eq!(f.lang(), Some("nb"));
    }

    #[test]
    fn texts_are_escaped() {
        let mut c = content();
        c.title.nb = "<b>Fare</b> & mer".into();
        let w = published("OVS-1", c, "2026-12-06T12:00:00+01:00");
        let xml = feed(&cfg(), &[w], at(NOW), "nb");
        assert!(!xml.contains("<b>"));
        assert_eq!(
            parse(&xml).entries()[0].title().as_str(),
            "<b>Fare</b> & mer"
        );
    }
}
