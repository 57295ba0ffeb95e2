//! How an instant is shown: as the wall time in Oslo, never as UTC. Every page that shows a
//! time calls these, so that a time reads the same everywhere: `06.12.2026 17:45` (to the
//! minute), and on the access log, where the order of events within a minute matters,
//! `06.12.2026 17:45:09` (to the second).
//!
//! Times are stored as RFC 3339 instants in UTC (`2026-12-06T16:45:09.123456789Z`); a stored
//! text that does not parse as one is shown as it is, rather than hidden.

use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;

use crate::clock::TIME_ZONE;

/// Oslo's time zone (the system's, or the bundled copy).
pub(crate) fn oslo() -> TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        jiff::tz::db()
            .get(TIME_ZONE)
            .or_else(|_| TimeZoneDatabase::bundled().get(TIME_ZONE))
            // `check_zone` refuses to start a server without the zone; this is never reached.
            .unwrap_or(TimeZone::UTC)
    })
    .clone()
}

/// `instant` as the wall time in Oslo, to the minute: `06.12.2026 17:45`.
pub fn minute(instant: Timestamp) -> String {
    instant
        .to_zoned(oslo())
        .strftime("%d.%m.%Y %H:%M")
        .to_string()
}

/// `instant` as the wall time in Oslo, to the second: `06.12.2026 17:45:09` (the access log).
pub fn second(instant: Timestamp) -> String {
    instant
        .to_zoned(oslo())
        .strftime("%d.%m.%Y %H:%M:%S")
        .to_string()
}

/// A stored instant (RFC 3339 text) as [`minute`] shows it; the text itself if it is not one.
pub fn minute_of(stored: &str) -> String {
    stored.parse().map_or_else(|_| stored.to_owned(), minute)
}

/// A stored instant (RFC 3339 text) as [`second`] shows it; the text itself if it is not one.
pub fn second_of(stored: &str) -> String {
    stored.parse().map_or_else(|_| stored.to_owned(), second)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_as_the_wall_time_in_oslo() {
        // Winter: UTC+1.
        let winter: Timestamp = "2026-12-06T16:45:09.123456789Z".parse().unwrap();
        assert_eq!(minute(winter), "06.12.2026 17:45");
        assert_eq!(second(winter), "06.12.2026 17:45:09");
        // Summer: UTC+2, and the day in Oslo is already the next one.
        let summer: Timestamp = "2026-06-30T22:30:59Z".parse().unwrap();
        assert_eq!(minute(summer), "01.07.2026 00:30");
        assert_eq!(second(summer), "01.07.2026 00:30:59");
    }

    #[test]
    fn stored_instants_are_parsed_and_other_text_is_kept() {
        assert_eq!(
            second_of("2026-11-24T12:00:00.5Z"),
            "24.11.2026 13:00:00",
            "never UTC nanoseconds"
        );
        assert_eq!(minute_of("2026-03-29T01:00:00Z"), "29.03.2026 03:00");
        assert_eq!(minute_of("not a time"), "not a time");
    }
}
