//! Norwegian calendar arithmetic: public holidays, working days and day counts.
//!
//! Working days are Monday–Friday except the Norwegian public holidays (lov om 1. og 17. mai
//! som høgtidsdager and lov om helgedagsfred): 1 January, Maundy Thursday, Good Friday, Easter
//! Monday, 1 May, 17 May, Ascension Day (Easter + 39), Whit Monday (Easter + 50), 25 and 26
//! December. Easter Sunday and Whit Sunday always fall on a Sunday and so need no entry of their
//! own. Easter is computed with the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
//!
//! Everything here is pure: "today" is never read from the clock. Every date in Varde is a
//! day in Oslo: [`day_in_oslo`] gives the day of an instant, with the zone's rules from the
//! system's time-zone database when it has them and otherwise from the copy compiled into the
//! binary (jiff's bundled tzdb), so that a missing `/usr/share/zoneinfo` cannot move a
//! deadline or a record's date by a day.

use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{Span, Timestamp};

/// The time zone every date in Varde is a day of.
pub const TIME_ZONE: &str = "Europe/Oslo";

/// Oslo's time zone: the system's, or else the bundled copy (read once).
fn oslo() -> Result<&'static TimeZone, jiff::Error> {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    if let Some(tz) = ZONE.get() {
        return Ok(tz);
    }
    let tz = jiff::tz::db()
        .get(TIME_ZONE)
        .or_else(|_| TimeZoneDatabase::bundled().get(TIME_ZONE))?;
    Ok(ZONE.get_or_init(|| tz))
}

/// Whether Oslo's time zone can be loaded; an error names what failed. Servers and commands
/// call it before they start, and refuse to run without the zone.
pub fn check_zone() -> Result<(), String> {
    oslo()
        .map(|_| ())
        .map_err(|e| format!("cannot load the time zone {TIME_ZONE}: {e}"))
}

/// The day in Oslo of the instant `t`. (Without the zone — which [`check_zone`] rules out
/// before anything runs, the bundled copy being compiled in — Central European Time.)
pub fn day_in_oslo(t: Timestamp) -> Date {
    match oslo() {
        Ok(tz) => t.to_zoned(tz.clone()).date(),
        Err(_) => t.to_zoned(TimeZone::fixed(jiff::tz::offset(1))).date(),
    }
}

/// The wall-clock time in Oslo of the instant `t` (to the minute's precision the forms use;
/// seconds kept). Without the zone, Central European Time, as [`day_in_oslo`].
pub fn time_in_oslo(t: Timestamp) -> jiff::civil::DateTime {
    match oslo() {
        Ok(tz) => t.to_zoned(tz.clone()).datetime(),
        Err(_) => t.to_zoned(TimeZone::fixed(jiff::tz::offset(1))).datetime(),
    }
}

/// A named Norwegian public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    /// The date of the holiday.
    pub date: Date,
    /// Its Norwegian name.
    pub name: &'static str,
}

/// Easter Sunday of `year` by the anonymous Gregorian algorithm.
///
/// Valid for the Gregorian calendar (years 1583 and later). The result is always 22 March to
/// 25 April, so building the date cannot fail; the fallback only keeps the function total.
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // month is 3 or 4 and day 1..=31 by construction.
    let month = i8::try_from(month).unwrap_or(4);
    let day = i8::try_from(day).unwrap_or(1);
    Date::new(year, month, day).unwrap_or(Date::ZERO)
}

/// Adds `days` calendar days (negative to go back), saturating at jiff's date range.
pub fn add_days(date: Date, days: i64) -> Date {
    date.saturating_add(Span::new().days(days))
}

/// A day number (days since 1970-01-01) for fast differences; exact for all jiff dates.
pub fn day_number(date: Date) -> i32 {
    // Howard Hinnant's days_from_civil.
    let (mut y, m, d) = (
        i32::from(date.year()),
        i32::from(date.month()),
        i32::from(date.day()),
    );
    if m <= 2 {
        y -= 1;
    }
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days from `earlier` to `later` (`later − earlier`; negative if `later` is before `earlier`).
pub fn days_between(earlier: Date, later: Date) -> i32 {
    day_number(later) - day_number(earlier)
}

/// All Norwegian public holidays of `year` that can fall on a weekday, in date order.
pub fn public_holidays(year: i16) -> Vec<Holiday> {
    let easter = easter_sunday(year);
    let fixed = |month: i8, day: i8, name: &'static str| Holiday {
        date: Date::new(year, month, day).unwrap_or(easter),
        name,
    };
    let rel = |offset: i64, name: &'static str| Holiday {
        date: add_days(easter, offset),
        name,
    };
    let mut list = vec![
        fixed(1, 1, "Første nyttårsdag"),
        rel(-3, "Skjærtorsdag"),
        rel(-2, "Langfredag"),
        rel(1, "Andre påskedag"),
        fixed(5, 1, "Offentlig høytidsdag"),
        fixed(5, 17, "Grunnlovsdag"),
        rel(39, "Kristi himmelfartsdag"),
        rel(50, "Andre pinsedag"),
        fixed(12, 25, "Første juledag"),
        fixed(12, 26, "Andre juledag"),
    ];
    list.sort_by_key(|h| h.date);
    list
}

/// True when `date` is a Norwegian public holiday (of those that can fall on a weekday).
pub fn is_public_holiday(date: Date) -> bool {
    let (m, d) = (date.month(), date.day());
    if matches!((m, d), (1, 1) | (5, 1) | (5, 17) | (12, 25) | (12, 26)) {
        return true;
    }
    if !(3..=6).contains(&m) {
        return false;
    }
    let offset = days_between(easter_sunday(date.year()), date);
    matches!(offset, -3 | -2 | 1 | 39 | 50)
}

/// True when `date` is a working day: Monday–Friday and not a public holiday.
pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_public_holiday(date)
}

/// The `n`th working day after `start` (`start` itself is day 0 and never counts).
///
/// `add_working_days(d, 0)` is `d`.
pub fn add_working_days(start: Date, n: u32) -> Date {
    let mut date = start;
    let mut left = n;
    while left > 0 {
        let next = add_days(date, 1);
        if next == date {
            // Saturated at the end of the representable range.
            return date;
        }
        date = next;
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// Working days in the half-open interval (`from`, `to`]: how many working days after `from`
/// the date `to` lies. Zero when `to <= from`.
pub fn working_days_between(from: Date, to: Date) -> u32 {
    let mut count = 0;
    let mut date = from;
    while date < to {
        let next = add_days(date, 1);
        if next == date {
            break;
        }
        date = next;
        if is_working_day(date) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    #[test]
    fn a_day_is_a_day_in_oslo() {
        // Summer time: 22:30 UTC on 30 June is 00:30 on 1 July; winter time: 23:30 UTC on
        // 31 December is 00:30 on 1 January; 22:30 UTC on 31 December is still that day.
        let day = |t: &str| day_in_oslo(t.parse().unwrap());
        assert_eq!(day("2026-06-30T22:30:00Z"), jiff::civil::date(2026, 7, 1));
        assert_eq!(day("2026-12-31T23:30:00Z"), jiff::civil::date(2027, 1, 1));
        assert_eq!(day("2026-12-31T22:30:00Z"), jiff::civil::date(2026, 12, 31));
        assert!(check_zone().is_ok());
        // The bundled copy alone gives the same days.
        let tz = TimeZoneDatabase::bundled().get(TIME_ZONE).unwrap();
        let t: Timestamp = "2026-06-30T22:30:00Z".parse().unwrap();
        assert_eq!(t.to_zoned(tz).date(), jiff::civil::date(2026, 7, 1));
    }

    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2019), date(2019, 4, 21));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        assert_eq!(easter_sunday(2008), date(2008, 3, 23));
        assert_eq!(easter_sunday(1818), date(1818, 3, 22));
    }

    #[test]
    fn holidays_2025() {
        let got: Vec<Date> = public_holidays(2025).iter().map(|h| h.date).collect();
        assert_eq!(
            got,
            vec![
                date(2025, 1, 1),
                date(2025, 4, 17),
                date(2025, 4, 18),
                date(2025, 4, 21),
                date(2025, 5, 1),
                date(2025, 5, 17),
                date(2025, 5, 29),
                date(2025, 6, 9),
                date(2025, 12, 25),
                date(2025, 12, 26),
            ]
        );
        for h in public_holidays(2025) {
            assert!(is_public_holiday(h.date), "{}", h.name);
        }
        assert!(!is_public_holiday(date(2025, 4, 20))); // Easter Sunday is a Sunday anyway
        assert!(!is_public_holiday(date(2025, 4, 16)));
        assert!(!is_public_holiday(date(2025, 12, 24)));
    }

    #[test]
    fn working_day_basics() {
        assert!(is_working_day(date(2025, 1, 2)));
        assert!(!is_working_day(date(2025, 1, 1)));
        assert!(!is_working_day(date(2025, 1, 4))); // Saturday
        assert!(!is_working_day(date(2025, 1, 5))); // Sunday
        assert_eq!(add_working_days(date(2025, 1, 6), 0), date(2025, 1, 6));
        // Plain fortnight: Monday 3 Feb 2025 + 10 working days = Monday 17 Feb.
        assert_eq!(add_working_days(date(2025, 2, 3), 10), date(2025, 2, 17));
        // Received on a Saturday: day 1 is Monday.
        assert_eq!(add_working_days(date(2025, 2, 1), 1), date(2025, 2, 3));
    }

    #[test]
    fn easter_inside_ten_working_days() {
        // Received Monday 14 April 2025: 17, 18 and 21 April are holidays.
        // Working days: 15,16 | 22,23,24,25 | 28,29,30 | 2 May (1 May is a holiday).
        assert_eq!(add_working_days(date(2025, 4, 14), 10), date(2025, 5, 2));
        assert_eq!(
            working_days_between(date(2025, 4, 14), date(2025, 5, 2)),
            10
        );
    }

    #[test]
    fn may_ascension_and_whit_monday_inside_ten_working_days() {
        // 2025: 17 May is a Saturday; Ascension 29 May; Whit Monday 9 June.
        // Received Wed 28 May: 30 | 2,3,4,5,6 | 10,11,12,13 -> 13 June.
        assert_eq!(add_working_days(date(2025, 5, 28), 10), date(2025, 6, 13));
        // 2024: 17 May Friday, 9 May Ascension, 20 May Whit Monday, 1 May Wednesday.
        // Received Tue 30 Apr 2024: 2,3 | 6,7,8,10 | 13,14,15,16 -> 16 May.
        assert_eq!(add_working_days(date(2024, 4, 30), 10), date(2024, 5, 16));
        // Received Mon 13 May 2024: 14,15,16 | 21,22,23,24 | 27,28,29 -> 29 May
        // (17 May and Whit Monday 20 May skipped).
        assert_eq!(add_working_days(date(2024, 5, 13), 10), date(2024, 5, 29));
    }

    #[test]
    fn christmas_and_year_boundary() {
        // Received Fri 19 Dec 2025: 22,23,24 | 29,30,31 | 2 Jan (1 Jan holiday) | 5,6,7.
        assert_eq!(add_working_days(date(2025, 12, 19), 10), date(2026, 1, 7));
        assert_eq!(
            working_days_between(date(2025, 12, 19), date(2026, 1, 7)),
            10
        );
        assert_eq!(
            working_days_between(date(2025, 12, 19), date(2026, 1, 6)),
            9
        );
    }

    #[test]
    fn day_numbers() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(day_number(date(2000, 3, 1)), 11_017);
        assert_eq!(days_between(date(2024, 12, 30), date(2025, 1, 2)), 3);
        assert_eq!(days_between(date(2025, 3, 1), date(2024, 3, 1)), -365);
        assert_eq!(add_days(date(2024, 2, 28), 2), date(2024, 3, 1));
    }

    proptest::proptest! {
        #[test]
        fn day_number_agrees_with_jiff(n in -700_000i64..700_000) {
            let base = date(2000, 1, 1);
            let d = add_days(base, n);
            proptest::prop_assert_eq!(i64::from(days_between(base, d)), n);
        }

        #[test]
        fn add_then_count_round_trips(n in 0u32..60, start in 0i64..3_650) {
            let s = add_days(date(2020, 1, 1), start);
            let end = add_working_days(s, n);
            proptest::prop_assert_eq!(working_days_between(s, end), n);
            proptest::prop_assert!(n == 0 || is_working_day(end));
        }
    }
}
