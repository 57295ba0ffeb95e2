//! The access log. Keys `audit.*`.

/// (key, bokmål, English)
pub(super) const TEXTS: &[(&str, &str, &str)] = &[
    ("audit.when", "Tidspunkt", "When"),
    ("audit.who", "Hvem", "Who"),
    ("audit.action", "Handling", "Action"),
    ("audit.subject", "Person (pseudonym)", "Person (pseudonym)"),
    ("audit.purpose", "Formål/begrunnelse", "Purpose/reason"),
    (
        "audit.flagged_only",
        "Bare flaggede (nødtilgang)",
        "Flagged only (emergency access)",
    ),
    ("audit.filter", "Filtrer", "Filter"),
    (
        "audit.person_report",
        "Innsynsrapport for én person",
        "Access report for one person",
    ),
    (
        "audit.person_report_text",
        "Hvem har sett opplysningene om en person, og når (pasientjournalloven § 18).",
        "Who has accessed a person's data, and when (pasientjournalloven § 18).",
    ),
    ("audit.make_report", "Lag rapport", "Make report"),
    ("audit.no_entries", "Ingen oppføringer.", "No entries."),
    ("audit.chain_ok", "Kjeden er hel", "The chain is whole"),
    (
        "audit.chain_broken",
        "Kjeden er brutt ved oppføring",
        "The chain is broken at entry",
    ),
    ("audit.entries", "oppføringer", "entries"),
];
