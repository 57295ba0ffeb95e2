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
    // Area 1: care pathways (TSB).
    ("worklist", "Arbeidsliste – pasientforløp", "Worklist – care pathways"),
    ("worklist_intro", "Neste målepunkt for hvert åpent forløp, mest haster først. Per", "The next measurement point of every open pathway, most urgent first. As of"),
    ("status_counts", "Antall per status", "Counts per status"),
    ("overdue", "over fristen", "overdue"),
    ("due_soon", "forfaller innen 3 dager", "due within 3 days"),
    ("on_time", "i rute", "on time"),
    ("new_referral", "Registrer ny henvisning", "Register a new referral"),
    ("new_referral_intro", "Henvisningen starter et forløp i din enhet. Forløps-ID er forløpets nøkkel i Varde og i NPR-rapporteringen.", "The referral starts a pathway in your unit. The pathway id is its key in Varde and in NPR reporting."),
    ("import_events", "Importer forløpshendelser", "Import pathway events"),
    ("export_events", "Eksporter (CSV)", "Export (CSV)"),
    ("indicators", "Kvalitetsindikatorer", "Quality indicators"),
    ("worklist_empty", "Ingen åpne forløp har et neste målepunkt.", "No open pathway has a next measurement point."),
    ("next_points", "Neste målepunkt per forløp", "Next measurement point per pathway"),
    ("due", "frist", "due"),
    ("next_point", "Neste målepunkt", "Next measurement point"),
    ("pathway", "Forløp", "Pathway"),
    ("pathway_id", "Forløps-ID", "Pathway id"),
    ("unassessed", "Henvisninger som venter på vurdering", "Referrals awaiting assessment"),
    ("unassessed_caption", "Vurderingsfrist: 10 virkedager etter mottak", "Assessment deadline: 10 working days after receipt"),
    ("received", "Mottatt", "Received"),
    ("assess_by", "Vurderes innen", "Assess by"),
    ("waiting_list", "Venteliste", "Waiting list"),
    ("waiting_caption", "Pasienter med rett som venter på første fremmøte", "Patients with a right waiting for the first attendance"),
    ("deadline", "Juridisk frist", "Legal deadline"),
    ("days_waiting", "Dager ventet", "Days waited"),
    ("fristbrudd", "Fristbrudd", "Missed deadline (fristbrudd)"),
    ("yes", "Ja", "Yes"),
    ("no", "Nei", "No"),
    ("none", "Ingen.", "None."),
    ("hf", "Helseforetak", "Health trust"),
    ("unit", "Enhet", "Unit"),
    ("date", "Dato", "Date"),
    ("date_hint", "ÅÅÅÅ-MM-DD", "YYYY-MM-DD"),
    ("care_level", "Omsorgsnivå", "Level of care"),
    ("outpatient", "Poliklinisk", "Outpatient"),
    ("inpatient", "Døgn", "Inpatient"),
    ("unchanged", "Uendret", "Unchanged"),
    ("pregnant_pathway", "Forløp for gravide", "Pathway for pregnant women"),
    ("events", "Hendelser", "Events"),
    ("event", "Hendelse", "Event"),
    ("code", "Kode", "Code"),
    ("code_hint", "nasjonal kode, f.eks. D01CT (valgfritt)", "national code, e.g. D01CT (optional)"),
    ("outcome_hint", "vurdering: right / no_right; klinisk beslutning: CU, CP, CT, CS, CK, CA, CI; avslutning: årsak", "assessment: right / no_right; clinical decision: CU, CP, CT, CS, CK, CA, CI; end: reason"),
    ("deadline_hint", "for vurdering med rett (ÅÅÅÅ-MM-DD)", "for an assessment with a right (YYYY-MM-DD)"),
    ("register_event", "Registrer hendelse", "Register an event"),
    ("withdraw", "Trekk tilbake", "Withdraw"),
    ("withdraw_reason", "Begrunnelse for å trekke tilbake", "Reason for withdrawing"),
    ("referral_received", "Henvisning mottatt", "Referral received"),
    ("referral_assessed", "Henvisning vurdert", "Referral assessed"),
    ("pathway_start", "Forløp start", "Pathway start"),
    ("first_attendance", "Første fremmøte", "First attendance"),
    ("clinical_decision", "Klinisk beslutning", "Clinical decision"),
    ("detox_end", "Avrusning avsluttet", "End of detox"),
    ("treatment_start", "Videre behandling startet", "Further treatment started"),
    ("evaluation", "Evaluering", "Evaluation"),
    ("treatment_plan_involvement", "Brukermedvirkning i behandlingsplan", "User involvement in the treatment plan"),
    ("feedback_tool_used", "Tilbakemeldingsverktøy brukt", "Feedback tool used"),
    ("pathway_end", "Forløp avsluttet", "Pathway end"),
    ("import_intro", "Last opp en CSV-fil med én hendelse per rad. Filen leses i sin helhet: har den feil, lagres ingenting (eller, om du ber om det, bare forløpene uten feil). Samme parti-ID to ganger importeres én gang.", "Upload a CSV file with one event per row. The file is checked as a whole: with errors nothing is stored (or, if you ask, only the pathways without errors). The same batch id twice is imported once."),
    ("import_result", "Resultat", "Result"),
    ("already_imported", "Dette partiet er allerede importert; ingenting ble lagret nå", "This batch was imported before; nothing was stored now"),
    ("events_imported", "hendelser importert", "events imported"),
    ("held_back", "gyldige rader holdt tilbake fordi forløpet har feil", "valid rows held back because their pathway has errors"),
    ("refused_rows", "Avviste rader", "Refused rows"),
    ("line", "Linje", "Line"),
    ("rule", "Regel", "Rule"),
    ("csv_file", "CSV-fil", "CSV file"),
    ("batch_id", "Parti-ID", "Batch id"),
    ("batch_hint", "valgfri; uten den brukes filens innhold", "optional; without it the file's content is the id"),
    ("valid_only", "Lagre forløpene uten feil selv om andre har feil", "Store the pathways without errors even if others have errors"),
    ("import", "Importer", "Import"),
    ("indicators_intro", "Andel innenfor forløpstiden for perioden, for enheten mot helseforetaket, regionen og landet.", "Share within the time limit for the period, the unit against its health trust, region and the nation."),
    ("from", "Fra", "From"),
    ("to", "Til", "To"),
    ("show", "Vis", "Show"),
    ("no_data", "Ingen data for perioden.", "No data for the period."),
    ("level", "Nivå", "Level"),
    ("nation", "Land", "Nation"),
    ("rhf", "Region (RHF)", "Region (RHF)"),
    ("fraction", "Teller / nevner", "Numerator / denominator"),
    ("share", "Andel", "Share"),
    ("suppressed", "skjult (< 5)", "hidden (< 5)"),
    ("waiting_time", "Ventetid", "Waiting time"),
    ("waiting_time_caption", "Dager fra henvisning mottatt til første fremmøte", "Days from referral received to first attendance"),
    ("median_days", "Median (dager)", "Median (days)"),
    ("mean_days", "Gjennomsnitt (dager)", "Mean (days)"),
    ("p90_days", "90-persentil (dager)", "90th percentile (days)"),
    ("suppression_note", "Celler med færre enn 5 er skjult for å verne personvernet; raden vises.", "Cells with fewer than 5 are hidden to protect privacy; the row is shown."),
    ("assessment_within_10_workdays", "Henvisninger vurdert innen 10 virkedager", "Referrals assessed within 10 working days"),
    ("decision_within_limit_outpatient", "Klinisk beslutning innen forløpstid – poliklinisk (21 dager)", "Clinical decision within the limit – outpatient (21 days)"),
    ("decision_within_limit_inpatient", "Klinisk beslutning innen forløpstid – døgn (7 dager)", "Clinical decision within the limit – inpatient (7 days)"),
    ("first_evaluation_within_limit_outpatient", "Første evaluering innen forløpstid – poliklinisk", "First evaluation within the limit – outpatient"),
    ("first_evaluation_within_limit_inpatient", "Første evaluering innen forløpstid – døgn", "First evaluation within the limit – inpatient"),
    ("evaluation_interval_within_limit_outpatient", "Evalueringer innen intervallet – poliklinisk (56 dager)", "Evaluations within the interval – outpatient (56 days)"),
    ("evaluation_interval_within_limit_inpatient", "Evalueringer innen intervallet – døgn (42 dager)", "Evaluations within the interval – inpatient (42 days)"),
    ("treatment_after_detox_within_limit_outpatient", "Videre behandling etter avrusning innen forløpstid – poliklinisk", "Further treatment after detox within the limit – outpatient"),
    ("treatment_after_detox_within_limit_inpatient", "Videre behandling etter avrusning innen forløpstid – døgn", "Further treatment after detox within the limit – inpatient"),
    ("involvement_in_treatment_plan", "Brukermedvirkning i behandlingsplan", "User involvement in the treatment plan"),
    ("pathways_no_access", "Pasientforløp brukes av behandlere i TSB-enheter; analytikere ser kvalitetsindikatorene. Din rolle gir ikke tilgang til forløpene.", "Care pathways are used by clinicians in TSB units; analysts see the quality indicators. Your role gives no access to the pathways."),
];
