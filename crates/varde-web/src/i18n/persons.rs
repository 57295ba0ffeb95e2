//! The persons pages. Keys `persons.*`.

/// (key, bokmål, English)
pub(super) const TEXTS: &[(&str, &str, &str)] = &[
    ("persons.national_id_hint", "11 siffer (fødselsnummer, D- eller H-nummer)", "11 digits (national identity, D- or H-number)"),
    ("persons.birth_date", "Fødselsdato", "Birth date"),
    ("persons.birth_date_hint", "ÅÅÅÅ-MM-DD; tom: hentes fra fødselsnummeret", "YYYY-MM-DD; empty: taken from the identity number"),
    ("persons.register_person", "Registrer person", "Register a person"),
    ("persons.no_persons", "Ingen personer er registrert.", "No people are registered."),
    ("persons.person", "Person", "Person"),
    ("persons.break_glass", "Nødtilgang", "Emergency access"),
    ("persons.break_glass_text", "Journalen tilhører en annen virksomhet. Ved nødtilgang må du skrive en begrunnelse; tilgangen blir flagget for revisor.", "The record belongs to another organisation. Emergency access needs a written reason; the access is flagged for the auditor."),
    ("persons.open_break_glass", "Åpne med nødtilgang", "Open with emergency access"),
];
