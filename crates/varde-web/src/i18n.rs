//! Bokmål first, English second. The language is a cookie set by the switch in the header.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::cookie;

pub const LANG_COOKIE: &str = "varde_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nb,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Nb => Lang::En,
            Lang::En => Lang::Nb,
        }
    }
    /// The name of the language, in itself (for the switch).
    pub fn name(self) -> &'static str {
        match self {
            Lang::Nb => "Norsk (bokmål)",
            Lang::En => "English",
        }
    }

    /// The text for `key` in this language; the key itself if there is none.
    pub fn t(self, key: &str) -> &'static str {
        TEXTS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or("?", |(_, nb, en)| if self == Lang::Nb { nb } else { en })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(match cookie(parts, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Nb,
        })
    }
}

/// (key, bokmål, English)
const TEXTS: &[(&str, &str, &str)] = &[
    ("skip", "Hopp til innholdet", "Skip to content"),
    ("tagline", "Informasjonssystem for rusfeltet", "Information system for the substance-use field"),
    ("nav", "Hovedmeny", "Main menu"),
    ("home", "Forside", "Home"),
    ("pathways", "Pasientforløp (TSB)", "Care pathways (TSB)"),
    ("advisory", "Rådgivende enhet", "Advisory unit"),
    ("coordination", "Samhandling", "Coordination"),
    ("feedback", "Tilbakemeldinger", "Feedback"),
    ("monitoring", "Monitorering", "Monitoring"),
    ("warnings", "Overdosevarsler", "Overdose warnings"),
    ("drugcheck", "Rusmiddelanalyse", "Drug checking"),
    ("results", "Resultatoppfølging", "Reform results"),
    ("persons", "Personer", "People"),
    ("users", "Brukere", "Users"),
    ("audit", "Tilgangslogg", "Access log"),
    ("login", "Logg inn", "Log in"),
    ("logout", "Logg ut", "Log out"),
    ("username", "Brukernavn", "Username"),
    ("password", "Passord", "Password"),
    ("login_intro", "Logg inn med brukernavn og passord fra din virksomhet.", "Log in with the username and password from your organisation."),
    ("logged_in_as", "Innlogget som", "Logged in as"),
    ("role", "Rolle", "Role"),
    ("organisation", "Virksomhet", "Organisation"),
    ("language", "Språk", "Language"),
    ("welcome", "Velkommen til Varde", "Welcome to Varde"),
    ("welcome_text", "Varde samler pasientforløp, rådgivende enheter, samhandling, tilbakemeldinger, monitorering, varsling, rusmiddelanalyse og resultatoppfølging i ett system.", "Varde brings care pathways, advisory units, coordination, feedback, monitoring, warnings, drug checking and reform results together in one system."),
    ("area_not_ready", "Denne delen av Varde er ikke bygget ennå. Grunnmuren (personer, tilgangsstyring og tilgangslogg) er på plass.", "This part of Varde is not built yet. The foundation (people, access control and the access log) is in place."),
    ("name", "Navn", "Name"),
    ("national_id", "Fødselsnummer", "National identity number"),
    ("national_id_hint", "11 siffer (fødselsnummer, D- eller H-nummer)", "11 digits (national identity, D- or H-number)"),
    ("birth_date", "Fødselsdato", "Birth date"),
    ("birth_date_hint", "ÅÅÅÅ-MM-DD; tom: hentes fra fødselsnummeret", "YYYY-MM-DD; empty: taken from the identity number"),
    ("kommune", "Bostedskommune", "Municipality of residence"),
    ("kommune_hint", "Kommunenummer, 4 siffer (f.eks. 0301)", "Municipality number, 4 digits (e.g. 0301)"),
    ("register_person", "Registrer person", "Register a person"),
    ("register", "Registrer", "Register"),
    ("no_persons", "Ingen personer er registrert.", "No people are registered."),
    ("person", "Person", "Person"),
    ("correct", "Rett opplysninger", "Correct the record"),
    ("reason", "Begrunnelse", "Reason"),
    ("save", "Lagre", "Save"),
    ("corrections", "Rettelser", "Corrections"),
    ("break_glass", "Nødtilgang", "Emergency access"),
    ("break_glass_text", "Journalen tilhører en annen virksomhet. Ved nødtilgang må du skrive en begrunnelse; tilgangen blir flagget for revisor.", "The record belongs to another organisation. Emergency access needs a written reason; the access is flagged for the auditor."),
    ("open_break_glass", "Åpne med nødtilgang", "Open with emergency access"),
    ("add_user", "Legg til bruker", "Add a user"),
    ("disable", "Deaktiver", "Disable"),
    ("enable", "Aktiver", "Enable"),
    ("status", "Status", "Status"),
    ("active", "Aktiv", "Active"),
    ("disabled", "Deaktivert", "Disabled"),
    ("change_role", "Endre rolle", "Change role"),
    ("when", "Tidspunkt", "When"),
    ("who", "Hvem", "Who"),
    ("action", "Handling", "Action"),
    ("subject", "Person (pseudonym)", "Person (pseudonym)"),
    ("outcome", "Utfall", "Outcome"),
    ("purpose", "Formål/begrunnelse", "Purpose/reason"),
    ("flagged", "Flagget", "Flagged"),
    ("flagged_only", "Bare flaggede (nødtilgang)", "Flagged only (emergency access)"),
    ("filter", "Filtrer", "Filter"),
    ("person_report", "Innsynsrapport for én person", "Access report for one person"),
    ("person_report_text", "Hvem har sett opplysningene om en person, og når (pasientjournalloven § 18).", "Who has accessed a person's data, and when (pasientjournalloven § 18)."),
    ("make_report", "Lag rapport", "Make report"),
    ("no_entries", "Ingen oppføringer.", "No entries."),
    ("chain_ok", "Kjeden er hel", "The chain is whole"),
    ("chain_broken", "Kjeden er brutt ved oppføring", "The chain is broken at entry"),
    ("entries", "oppføringer", "entries"),
];
