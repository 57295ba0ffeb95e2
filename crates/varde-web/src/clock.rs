//! Where "now" comes from: the system clock in production, a fixed instant in tests. The
//! domain takes dates as arguments; this is the one place the web layer reads the time.
//!
//! Every date in Varde is a day in Oslo ([`varde_core::calendar::day_in_oslo`], with the zone
//! compiled in); [`check_zone`] is called before a server or a command starts, which refuses
//! to run without the zone.

use jiff::civil::Date;
use jiff::Timestamp;

pub use varde_core::calendar::{check_zone, TIME_ZONE};

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

    /// Today in Oslo.
    pub fn today(&self) -> Date {
        varde_core::calendar::day_in_oslo(self.now())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_day_in_oslo() {
        // 23:30 UTC on 31 December is already New Year's Day in Oslo.
        let c = Clock::Fixed("2026-12-31T23:30:00Z".parse().unwrap());
        assert_eq!(c.today(), jiff::civil::date(2027, 1, 1));
        let summer = Clock::Fixed("2026-06-30T22:30:00Z".parse().unwrap());
        assert_eq!(summer.today(), jiff::civil::date(2026, 7, 1));
    }
}
