//! Business days: which dates a warehouse or carrier works, and counting
//! forward over weekends and holidays.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};

/// Why a date was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closure {
    /// A weekday the site never works (usually Saturday and Sunday).
    ClosedWeekday,
    Holiday,
}

/// The days a warehouse or carrier works.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BusinessCalendar {
    closed_weekdays: BTreeSet<u8>,
    holidays: BTreeSet<Date>,
}

/// No calendar skips more than this many days in a row: a year of holidays
/// plus slack. Validation guarantees an open weekday, so this never binds
/// for a valid calendar; it only stops a bad one from looping forever.
const MAX_SKIP: usize = 800;

impl BusinessCalendar {
    /// `closed` weekdays never work; `holidays` are single closed dates.
    pub fn new(closed: &[Weekday], holidays: impl IntoIterator<Item = Date>) -> Self {
        Self {
            closed_weekdays: closed.iter().map(|w| weekday_index(*w)).collect(),
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Monday to Friday, no holidays.
    pub fn weekdays() -> Self {
        Self::new(&[Weekday::Saturday, Weekday::Sunday], [])
    }

    /// Why `date` is not worked, or `None` when it is.
    pub fn closure(&self, date: Date) -> Option<Closure> {
        if self
            .closed_weekdays
            .contains(&weekday_index(date.weekday()))
        {
            Some(Closure::ClosedWeekday)
        } else if self.holidays.contains(&date) {
            Some(Closure::Holiday)
        } else {
            None
        }
    }

    /// The first worked date on or after `date`, and every closure skipped.
    pub fn next_open(&self, mut date: Date) -> (Date, Vec<Closure>) {
        let mut skipped = Vec::new();
        for _ in 0..MAX_SKIP {
            match self.closure(date) {
                None => break,
                Some(closure) => {
                    skipped.push(closure);
                    date = next_day(date);
                }
            }
        }
        (date, skipped)
    }

    /// The date `days` worked days after `date` (`date` itself when 0).
    /// Starting on a closed date counts from the next worked one.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use upfront_shared::promise::calendar::BusinessCalendar;
    /// let cal = BusinessCalendar::weekdays();
    /// // Friday + 1 business day = Monday.
    /// assert_eq!(cal.add(date(2026, 11, 27), 1).0, date(2026, 11, 30));
    /// ```
    pub fn add(&self, date: Date, days: u32) -> (Date, Vec<Closure>) {
        let (mut date, mut skipped) = self.next_open(date);
        for _ in 0..days {
            let (next, more) = self.next_open(next_day(date));
            skipped.extend(more);
            date = next;
        }
        (date, skipped)
    }
}

fn next_day(date: Date) -> Date {
    date.tomorrow().unwrap_or(date)
}

fn weekday_index(weekday: Weekday) -> u8 {
    weekday.to_monday_one_offset().unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn holidays_and_weekends_are_skipped_and_named() {
        let cal = BusinessCalendar::weekdays();
        let christmas =
            BusinessCalendar::new(&[Weekday::Saturday, Weekday::Sunday], [date(2026, 12, 25)]);
        // Thursday 24 December + 1 business day.
        assert_eq!(cal.add(date(2026, 12, 24), 1).0, date(2026, 12, 25));
        let (day, skipped) = christmas.add(date(2026, 12, 24), 1);
        assert_eq!(day, date(2026, 12, 28));
        assert_eq!(
            skipped,
            [
                Closure::Holiday,
                Closure::ClosedWeekday,
                Closure::ClosedWeekday
            ]
        );
    }

    #[test]
    fn year_end_is_crossed() {
        let cal = BusinessCalendar::new(&[Weekday::Saturday, Weekday::Sunday], [date(2027, 1, 1)]);
        assert_eq!(cal.add(date(2026, 12, 31), 1).0, date(2027, 1, 4));
    }

    #[test]
    fn a_calendar_with_no_open_day_stops() {
        let all = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ];
        let (_, skipped) = BusinessCalendar::new(&all, []).next_open(date(2026, 1, 1));
        assert_eq!(skipped.len(), MAX_SKIP);
    }

    proptest! {
        #[test]
        fn adding_lands_on_an_open_day_and_never_goes_back(
            start in 0i64..20_000,
            days in 0u32..60,
            holidays in prop::collection::vec(0i64..20_100, 0..50),
        ) {
            let epoch = date(1990, 1, 1);
            let at = |n: i64| epoch.saturating_add(jiff::Span::new().days(n));
            let cal = BusinessCalendar::new(&[Weekday::Sunday], holidays.into_iter().map(at));
            let from = at(start);
            let (to, _) = cal.add(from, days);
            prop_assert!(cal.closure(to).is_none());
            prop_assert!(to >= from);
            // Each business day takes at least one calendar day.
            prop_assert!(to.since(from).map(|s| s.get_days()).unwrap_or(0) >= i32::try_from(days).unwrap_or(0));
        }
    }
}
