//! A fixed delivery window used until the promise engine is wired in.

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;

use crate::api::DeliveryWindow;

/// Ships the next weekday after `now` (UTC) and delivers two to four
/// weekdays later. It is honest only as a placeholder: no cutoffs, no
/// holidays, no carrier data.
pub fn delivery_window(now: Timestamp) -> DeliveryWindow {
    let today = now.to_zoned_datetime(TimeZone::UTC).date();
    let ship = add_weekdays(today, 1);
    DeliveryWindow {
        earliest: add_weekdays(ship, 2),
        most_likely: add_weekdays(ship, 3),
        latest: add_weekdays(ship, 4),
    }
}

fn add_weekdays(mut date: jiff::civil::Date, mut days: u32) -> jiff::civil::Date {
    while days > 0 {
        date = date
            .tomorrow()
            .expect("dates stay far from jiff's year 9999 limit");
        if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            days -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn monday_evening_order() {
        let window = delivery_window("2026-11-23T20:00:00Z".parse().expect("ts"));
        assert_eq!(window.earliest, date(2026, 11, 26));
        assert_eq!(window.most_likely, date(2026, 11, 27));
        assert_eq!(window.latest, date(2026, 11, 30));
    }

    #[test]
    fn friday_order_skips_the_weekend() {
        let window = delivery_window("2026-11-27T09:00:00Z".parse().expect("ts"));
        assert_eq!(window.earliest, date(2026, 12, 2));
        assert_eq!(window.latest, date(2026, 12, 4));
    }
}
