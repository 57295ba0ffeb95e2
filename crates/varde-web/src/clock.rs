//! Where "now" comes from: the system clock in production, a fixed instant in tests. The
//! domain takes dates as arguments; this is the one place the web layer reads the time.
//!
//! Every date in Varde is a day in Oslo. The zone's rules come from the system's time-zone
//! database when it has them, and otherwise from the copy compiled into the binary (jiff's
//! bundled tzdb): a missing or broken `/usr/share/zoneinfo` cannot move a deadline by a day.
//! [`check_zone`] is called before a server or a command starts, which refuses to run without
//! the zone.

use std::sync::OnceLock;

use jiff::civil::Date;
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;

/// The time zone every date in Varde is a day of.
pub const TIME_ZONE: &str = "Europe/Oslo";

/// Oslo's time zone: the system's, or else the bundled copy.
fn zone() -> Result<&'static TimeZone, jiff::Error> {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    if let Some(tz) = ZONE.get() {
        return Ok(tz);
    }
    let tz = jiff::tz::db()
        .get(TIME_ZONE)
        .or_else(|_| TimeZoneDatabase::bundled().get(TIME_ZONE))?;
    Ok(ZONE.get_or_init(|| tz))
}

/// Whether Oslo's time zone can be loaded; an error names what failed. Called at start-up, so
/// that no date is ever computed in another zone.
pub fn check_zone() -> Result<(), String> {
    zone()
        .map(|_| ())
        .map_err(|e| format!("cannot load the time zone {TIME_ZONE}: {e}"))
}

/// Where "now" comes from: the system clock, or a fixed instant in tests.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    Fixed(Timestamp),
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Fixed(t) => *t,
        }
    }

    /// Today in Oslo. (The zone is checked at start-up, [`check_zone`]; the bundled copy is
    /// compiled in, so it is there.)
    pub fn today(&self) -> Date {
        match zone() {
            Ok(tz) => self.now().to_zoned(tz.clone()).date(),
            Err(_) => self
                .now()
                .to_zoned(TimeZone::fixed(jiff::tz::offset(1)))
                .date(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_zone_gives_oslos_days() {
        let tz = TimeZoneDatabase::bundled().get(TIME_ZONE).unwrap();
        // Summer time: 22:30 UTC on 30 June is 00:30 on 1 July; winter time: 23:30 UTC on
        // 31 December is 00:30 on 1 January; 22:30 UTC on 31 December is still that day.
        let day = |t: &str| t.parse::<Timestamp>().unwrap().to_zoned(tz.clone()).date();
        assert_eq!(day("2026-06-30T22:30:00Z"), jiff::civil::date(2026, 7, 1));
        assert_eq!(day("2026-12-31T23:30:00Z"), jiff::civil::date(2027, 1, 1));
        assert_eq!(day("2026-12-31T22:30:00Z"), jiff::civil::date(2026, 12, 31));
        assert!(check_zone().is_ok());
    }

    #[test]
    fn today_is_the_day_in_oslo() {
        // 23:30 UTC on 31 December is already New Year's Day in Oslo.
        let c = Clock::Fixed("2026-12-31T23:30:00Z".parse().unwrap());
        assert_eq!(c.today(), jiff::civil::date(2027, 1, 1));
        let summer = Clock::Fixed("2026-06-30T22:30:00Z".parse().unwrap());
        assert_eq!(summer.today(), jiff::civil::date(2026, 7, 1));
    }
}
