//! Monitoring (overvåking): the analysts' signal inbox and the watchlist. Keys
//! `monitoring.*`; the domain's words (a signal's kind and status, a change, where a
//! watchlist entry comes from) as `monitoring.{word}.{value}`.

/// (key, bokmål, English)
pub(super) const TEXTS: &[(&str, &str, &str)] = &[
    // ---------------------------------------------------------------- the inbox
    ("monitoring.nav_label", "Overvåking", "Monitoring"),
    ("monitoring.inbox_title", "Signaler – innboks", "Signals – inbox"),
    ("monitoring.inbox_intro", "Signaler fra overvåkingen: funn av stoffer på overvåkingslisten, ukeantall over terskelen og uvanlig høy renhet. Kvitter for et signal når du ser på det, koble det til et annet åpent signal om det er samme funn, eller avvis det med en begrunnelse.", "Signals from monitoring: findings of substances on the watchlist, weekly counts above their threshold and unusually high purity. Acknowledge a signal when you look into it, link it into another open signal if it is the same finding, or dismiss it with a reason."),
    ("monitoring.by_status", "Signaler etter status", "Signals by status"),
    ("monitoring.signals", "Signaler", "Signals"),
    ("monitoring.none", "Ingen signaler med denne statusen.", "No signals with this status."),
    ("monitoring.source", "Kilde", "Source"),
    ("monitoring.week", "Uke", "Week"),
    ("monitoring.observed", "Observert", "Observed"),
    ("monitoring.threshold", "Terskel", "Threshold"),
    ("monitoring.rule", "Utløst av", "Raised by"),
    ("monitoring.raised", "Meldt", "Raised"),
    ("monitoring.linked_into", "Koblet til", "Linked into"),
    ("monitoring.areas_open", "Områder med åpne signaler", "Areas with open signals"),
    ("monitoring.none_open", "Ingen åpne signaler.", "No open signals."),
    ("monitoring.areas_caption", "Antall nye og kvitterte signaler per område, flest først", "Number of new and acknowledged signals per area, most first"),
    ("monitoring.area", "Område", "Area"),
    ("monitoring.status.new", "Nye", "New"),
    ("monitoring.status.acknowledged", "Kvittert", "Acknowledged"),
    ("monitoring.status.linked", "Koblet", "Linked"),
    ("monitoring.status.dismissed", "Avvist", "Dismissed"),
    ("monitoring.kind", "Type", "Kind"),
    ("monitoring.kind.watchlist", "Funn på overvåkingslisten", "Watchlist finding"),
    ("monitoring.kind.aberration", "Over terskel", "Above threshold"),
    ("monitoring.kind.purity", "Uvanlig høy renhet", "Unusual purity"),
    ("monitoring.substance", "Stoff", "Substance"),
    ("monitoring.detail", "Detaljer", "Details"),
    // ---------------------------------------------------------------- the forms
    ("monitoring.actions", "Handlinger", "Actions"),
    ("monitoring.acknowledge", "Kvitter", "Acknowledge"),
    ("monitoring.link_into", "Koble til signal", "Link into signal"),
    ("monitoring.link", "Koble", "Link"),
    ("monitoring.dismiss_reason", "Begrunnelse for å avvise", "Reason for dismissing"),
    ("monitoring.dismiss", "Avvis", "Dismiss"),
    ("monitoring.done_acknowledged", "Signalet er kvittert.", "The signal is acknowledged."),
    ("monitoring.done_linked", "Signalet er koblet.", "The signal is linked."),
    ("monitoring.done_dismissed", "Signalet er avvist.", "The signal is dismissed."),
    // ---------------------------------------------------------------- one signal
    ("monitoring.draft_warning", "Skriv et overdosevarsel fra dette signalet", "Draft an overdose warning from this signal"),
    ("monitoring.draft_warning_hint", "Lenken åpner varselskjemaet utfylt med stoff, område og signal. Bare varselredaktører kan skrive varsler: gi lenken videre.", "The link opens the warning form filled in with substance, area and signal. Only warning editors can draft warnings: hand the link over."),
    ("monitoring.history", "Endringer", "Changes"),
    ("monitoring.no_changes", "Ingen endringer ennå.", "No changes yet."),
    ("monitoring.history_caption", "Endringene av signalet, med hvem og når", "The signal's changes, by whom and when"),
    ("monitoring.when", "Når", "When"),
    ("monitoring.change", "Endring", "Change"),
    ("monitoring.change.acknowledged", "Kvittert", "Acknowledged"),
    ("monitoring.change.linked", "Koblet", "Linked"),
    ("monitoring.change.dismissed", "Avvist", "Dismissed"),
    ("monitoring.by", "Av", "By"),
    ("monitoring.linked_here", "Signaler koblet hit", "Signals linked into this one"),
    ("monitoring.none_linked", "Ingen.", "None."),
    // ---------------------------------------------------------------- the watchlist
    ("monitoring.watchlist_title", "Overvåkingslisten", "The watchlist"),
    ("monitoring.watchlist_intro", "Stoffer med høy risiko: et funn av et av dem gir et signal. Listen er stofflistens høyrisikostoffer med analytikernes endringer.", "High-risk substances: a finding of one of them raises a signal. The list is the reference list's high-risk substances with the analysts' changes."),
    ("monitoring.watchlist_caption", "Stoffene på overvåkingslisten", "The substances on the watchlist"),
    ("monitoring.watch_add_label", "Stoff å legge til (navn fra stofflisten)", "Substance to add (a name from the reference list)"),
    ("monitoring.watch_add", "Legg til", "Add"),
    ("monitoring.watch_remove", "Fjern", "Remove"),
    ("monitoring.watch_added", "Stoffet er lagt til.", "The substance is added."),
    ("monitoring.watch_removed", "Stoffet er fjernet.", "The substance is removed."),
    ("monitoring.on_list_by", "På listen fra", "On the list from"),
    ("monitoring.source.reference", "stofflisten", "the reference list"),
    ("monitoring.source.analyst", "en analytiker", "an analyst"),
];

#[cfg(test)]
mod tests {
    use varde_core::monitoring::signals::{SignalKind, SignalStatus};

    use crate::i18n::Lang;

    /// Every kind, status and change a page names through `t_in` has its text.
    #[test]
    fn the_domains_words_have_texts() {
        for l in [Lang::Nb, Lang::En] {
            for k in [
                SignalKind::Watchlist,
                SignalKind::Aberration,
                SignalKind::Purity,
            ] {
                assert_ne!(l.t_in("monitoring.kind", k.as_str()), "?", "{k:?}");
            }
            for s in SignalStatus::ALL {
                assert_ne!(l.t_in("monitoring.status", s.as_str()), "?", "{s:?}");
            }
            for c in ["acknowledged", "linked", "dismissed"] {
                assert_ne!(l.t_in("monitoring.change", c), "?", "{c}");
            }
            for w in ["reference", "analyst"] {
                assert_ne!(l.t_in("monitoring.source", w), "?", "{w}");
            }
        }
    }
}
