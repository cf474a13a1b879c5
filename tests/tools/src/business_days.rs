//! A clock that skips closed days, so the backtest can learn and predict in
//! business days: every date maps to the count of open days before it, and
//! back to the first open date with that count.

use std::collections::BTreeSet;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

/// The first date the clock counts from; earlier dates map to it.
const ORIGIN: Date = jiff::civil::date(2000, 1, 1);

#[derive(Clone, Debug)]
pub struct BusinessDays {
    holidays: BTreeSet<Date>,
    closed_weekdays: Vec<Weekday>,
    /// open[i] is the i-th open date counted from `ORIGIN`.
    open: Vec<Date>,
    /// Every day after this one is open.
    until: Date,
}

impl BusinessDays {
    /// A clock over `ORIGIN..=until` that skips `holidays` and `closed_weekdays`.
    /// With neither, it is the identity on calendar days.
    pub fn new(holidays: BTreeSet<Date>, closed_weekdays: Vec<Weekday>, until: Date) -> Self {
        let mut clock = Self {
            holidays,
            closed_weekdays,
            open: Vec::new(),
            until,
        };
        let mut day = ORIGIN;
        while day <= until {
            if clock.is_open(day) {
                clock.open.push(day);
            }
            day = day.saturating_add(1.day());
        }
        clock
    }

    /// Plain calendar days: every day is open.
    pub fn calendar_days() -> Self {
        Self::new(BTreeSet::new(), Vec::new(), ORIGIN)
    }

    fn is_open(&self, day: Date) -> bool {
        !self.holidays.contains(&day) && !self.closed_weekdays.contains(&day.weekday())
    }

    /// The business-day position of `day`, as a date counted from `ORIGIN`.
    /// A closed day takes the position of the next open one.
    pub fn to_business(&self, day: Date) -> Date {
        let count = if day > self.until {
            self.open.len() as i64 + i64::from((day - self.until).get_days()) - 1
        } else {
            self.open.partition_point(|&d| d < day) as i64
        };
        ORIGIN.saturating_add(count.days())
    }

    /// The open calendar date at a business-day position.
    pub fn to_calendar(&self, position: Date) -> Date {
        let count = (position - ORIGIN).get_days().max(0) as usize;
        match self.open.get(count) {
            Some(&day) => day,
            None => self
                .until
                .saturating_add(((count + 1 - self.open.len()) as i64).days()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn without_closed_days_it_is_the_identity() {
        let clock = BusinessDays::calendar_days();
        for day in [date(2016, 2, 29), date(2017, 12, 25), date(2018, 1, 1)] {
            assert_eq!(clock.to_calendar(clock.to_business(day)), day);
            assert_eq!(clock.to_business(day), day);
        }
    }

    #[test]
    fn a_holiday_adds_a_day_to_a_span_across_it() {
        let christmas = date(2017, 12, 25);
        let clock = BusinessDays::new(BTreeSet::from([christmas]), Vec::new(), date(2018, 12, 31));
        let (before, after) = (date(2017, 12, 24), date(2017, 12, 26));
        assert_eq!(
            (clock.to_business(after) - clock.to_business(before)).get_days(),
            1
        );
        assert_eq!(clock.to_business(christmas), clock.to_business(after));
        let two_later = clock.to_business(before).saturating_add(2.days());
        assert_eq!(clock.to_calendar(two_later), date(2017, 12, 27));
    }

    #[test]
    fn sundays_are_skipped() {
        let clock = BusinessDays::new(BTreeSet::new(), vec![Weekday::Sunday], date(2018, 12, 31));
        let saturday = date(2017, 12, 23);
        let next = clock.to_calendar(clock.to_business(saturday).saturating_add(1.day()));
        assert_eq!(next, date(2017, 12, 25));
    }

    #[test]
    fn past_the_table_every_day_is_open() {
        let clock = BusinessDays::new(BTreeSet::new(), vec![Weekday::Sunday], date(2017, 12, 31));
        let (a, b) = (date(2018, 3, 4), date(2018, 3, 11));
        assert_eq!((clock.to_business(b) - clock.to_business(a)).get_days(), 7);
        assert_eq!(clock.to_calendar(clock.to_business(a)), a);
        let last = clock.to_business(date(2017, 12, 30));
        assert_eq!(
            clock.to_calendar(last.saturating_add(1.day())),
            date(2018, 1, 1)
        );
    }
}
