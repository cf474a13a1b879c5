//! Holiday dates from an iCalendar (`.ics`) file, the format merchants export
//! from Google Calendar, Outlook and Apple Calendar.
//!
//! Only what holidays need is read: each `VEVENT`'s `DTSTART`, `DTEND`
//! (exclusive, as RFC 5545 says for dates) and a yearly `RRULE`. Everything
//! else is skipped. Input is untrusted: sizes are capped and every failure is
//! an [`IcsError`] naming the line, never a panic.

use std::collections::BTreeSet;

use jiff::ToSpan;
use jiff::civil::Date;

/// Larger files are refused before parsing.
pub const MAX_BYTES: usize = 256 * 1024;
/// At most this many dates come out of one file.
pub const MAX_DATES: usize = 2_000;
/// A single event may cover at most this many days.
const MAX_EVENT_DAYS: i64 = 31;

/// What went wrong, and on which (unfolded) line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for IcsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Every holiday date in `text` that falls within `from..=until`; yearly
/// rules are expanded over that range.
///
/// ```
/// use jiff::civil::date;
/// use upfront_shared::promise::ics::holidays;
/// let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\n\
///            RRULE:FREQ=YEARLY\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
/// let dates = holidays(ics, date(2026, 1, 1), date(2027, 12, 31)).unwrap();
/// assert_eq!(dates, [date(2026, 12, 25), date(2027, 12, 25)]);
/// ```
pub fn holidays(text: &str, from: Date, until: Date) -> Result<Vec<Date>, IcsError> {
    if text.len() > MAX_BYTES {
        return Err(IcsError {
            line: 0,
            message: format!("the file is larger than {MAX_BYTES} bytes"),
        });
    }
    let mut dates = BTreeSet::new();
    let mut event: Option<Event> = None;
    let mut saw_calendar = false;
    for (index, line) in unfold(text).iter().enumerate() {
        let number = index + 1;
        let fail = |message: String| IcsError {
            line: number,
            message,
        };
        let (name, value) = split_property(line);
        match (name.as_str(), event.as_mut()) {
            ("BEGIN", _) if value.eq_ignore_ascii_case("VCALENDAR") => saw_calendar = true,
            ("BEGIN", None) if value.eq_ignore_ascii_case("VEVENT") => {
                event = Some(Event::default());
            }
            ("BEGIN", Some(_)) if value.eq_ignore_ascii_case("VEVENT") => {
                return Err(fail("VEVENT inside VEVENT".into()));
            }
            ("END", Some(current)) if value.eq_ignore_ascii_case("VEVENT") => {
                let start = current
                    .start
                    .ok_or_else(|| fail("VEVENT without DTSTART".into()))?;
                let days = match current.end {
                    Some(end) if end <= start => 1,
                    Some(end) => start.until(end).map_or(1, |s| i64::from(s.get_days())),
                    None => 1,
                };
                if days > MAX_EVENT_DAYS {
                    return Err(fail(format!("an event longer than {MAX_EVENT_DAYS} days")));
                }
                for occurrence in current.occurrences(from, until) {
                    for offset in 0..days {
                        let day = occurrence.saturating_add(offset.days());
                        if (from..=until).contains(&day) {
                            dates.insert(day);
                        }
                    }
                    if dates.len() > MAX_DATES {
                        return Err(fail(format!("more than {MAX_DATES} dates")));
                    }
                }
                event = None;
            }
            ("DTSTART", Some(current)) => current.start = Some(parse_date(&value).map_err(fail)?),
            ("DTEND", Some(current)) => current.end = Some(parse_date(&value).map_err(fail)?),
            ("RRULE", Some(current)) => current.rule = Some(parse_rule(&value).map_err(fail)?),
            _ => {}
        }
    }
    if !saw_calendar {
        return Err(IcsError {
            line: 1,
            message: "not an iCalendar file (no BEGIN:VCALENDAR)".into(),
        });
    }
    if event.is_some() {
        return Err(IcsError {
            line: 0,
            message: "a VEVENT is not closed".into(),
        });
    }
    Ok(dates.into_iter().collect())
}

#[derive(Default)]
struct Event {
    start: Option<Date>,
    end: Option<Date>,
    rule: Option<Yearly>,
}

/// `FREQ=YEARLY` with an optional `COUNT` or `UNTIL`.
struct Yearly {
    count: Option<u32>,
    until: Option<Date>,
}

impl Event {
    fn occurrences(&self, from: Date, until: Date) -> Vec<Date> {
        let Some(start) = self.start else {
            return Vec::new();
        };
        let Some(rule) = &self.rule else {
            return vec![start];
        };
        let mut dates = Vec::new();
        let last_year = until.year().min(rule.until.map_or(i16::MAX, |u| u.year()));
        let mut year = start.year();
        let mut n = 0u32;
        while year <= last_year && rule.count.is_none_or(|c| n < c) {
            // 29 February recurs only in leap years, as calendars do.
            if let Ok(day) = Date::new(year, start.month(), start.day())
                && rule.until.is_none_or(|u| day <= u)
            {
                if day >= from.saturating_sub(MAX_EVENT_DAYS.days()) {
                    dates.push(day);
                }
                n += 1;
            }
            year += 1;
        }
        dates
    }
}

/// RFC 5545 §3.1: a line starting with a space or tab continues the last.
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(raw.to_owned()),
        }
    }
    lines
}

/// `DTSTART;VALUE=DATE:20261225` → (`DTSTART`, `20261225`).
fn split_property(line: &str) -> (String, String) {
    let Some((head, value)) = line.split_once(':') else {
        return (String::new(), String::new());
    };
    let name = head
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    (name, value.trim().to_owned())
}

/// `20261225` or `20261225T090000[Z]`: holidays are whole days, so a time is
/// dropped.
fn parse_date(value: &str) -> Result<Date, String> {
    let digits = value
        .get(..8)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
    let bad = || format!("`{value}` is not a date (YYYYMMDD)");
    let digits = digits.ok_or_else(bad)?;
    let number = |range: std::ops::Range<usize>| digits[range].parse::<i16>().map_err(|_| bad());
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let month = i8::try_from(month).map_err(|_| bad())?;
    let day = i8::try_from(day).map_err(|_| bad())?;
    Date::new(year, month, day).map_err(|_| bad())
}

fn parse_rule(value: &str) -> Result<Yearly, String> {
    let mut yearly = false;
    let mut rule = Yearly {
        count: None,
        until: None,
    };
    for part in value.split(';') {
        let (key, val) = part.split_once('=').unwrap_or((part, ""));
        match key.to_ascii_uppercase().as_str() {
            "FREQ" => yearly = val.eq_ignore_ascii_case("YEARLY"),
            "COUNT" => {
                rule.count = Some(val.parse().map_err(|_| format!("bad COUNT `{val}`"))?);
            }
            "UNTIL" => rule.until = Some(parse_date(val)?),
            // BYMONTH etc. would change the dates: refuse rather than guess.
            "INTERVAL" if val == "1" => {}
            "WKST" => {}
            other => return Err(format!("RRULE part `{other}` is not supported")),
        }
    }
    if !yearly {
        return Err("only FREQ=YEARLY rules are supported for holidays".into());
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const RANGE: (Date, Date) = (date(2026, 1, 1), date(2027, 12, 31));

    fn wrap(body: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n")
    }

    #[test]
    fn google_calendar_export() {
        let ics = wrap(
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\n\
             SUMMARY:Christmas closure\r\nDESCRIPTION:A long line that is\r\n  folded\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nDTSTART:20270101T000000Z\r\nRRULE:FREQ=YEARLY;COUNT=1\r\nEND:VEVENT\r\n",
        );
        assert_eq!(
            holidays(&ics, RANGE.0, RANGE.1),
            Ok(vec![
                date(2026, 12, 24),
                date(2026, 12, 25),
                date(2026, 12, 26),
                date(2027, 1, 1)
            ])
        );
    }

    #[test]
    fn errors_name_the_line() {
        let ics = wrap("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026-12-25\r\nEND:VEVENT\r\n");
        let error = holidays(&ics, RANGE.0, RANGE.1).expect_err("bad date");
        assert_eq!(error.line, 4);
        let monthly =
            wrap("BEGIN:VEVENT\r\nDTSTART:20260101\r\nRRULE:FREQ=MONTHLY\r\nEND:VEVENT\r\n");
        assert!(holidays(&monthly, RANGE.0, RANGE.1).is_err());
        assert!(holidays("hello", RANGE.0, RANGE.1).is_err());
    }

    #[test]
    fn leap_day_recurs_only_in_leap_years() {
        let ics = wrap(
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20240229\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n",
        );
        assert_eq!(
            holidays(&ics, date(2024, 1, 1), date(2028, 12, 31)),
            Ok(vec![date(2024, 2, 29), date(2028, 2, 29)])
        );
    }

    proptest! {
        // The fuzz target: arbitrary text and mutated real files never panic,
        // and every date returned lies within the range.
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
            let _ = holidays(&text, RANGE.0, RANGE.1);
        }

        #[test]
        fn never_panics_on_mutated_calendars(
            lines in prop::collection::vec(prop_oneof![
                Just("BEGIN:VEVENT".to_owned()),
                Just("END:VEVENT".to_owned()),
                Just("BEGIN:VCALENDAR".to_owned()),
                "DTSTART(;VALUE=DATE)?:[0-9]{0,9}(T[0-9]{6}Z?)?",
                "DTEND:[0-9]{8}",
                "RRULE:FREQ=(YEARLY|DAILY)(;COUNT=[0-9]{1,4})?(;UNTIL=[0-9]{8})?",
                " [a-z]{0,5}",
                "\\PC{0,30}",
            ], 0..40),
        ) {
            let text = lines.join("\r\n");
            if let Ok(dates) = holidays(&text, RANGE.0, RANGE.1) {
                prop_assert!(dates.len() <= MAX_DATES);
                prop_assert!(dates.iter().all(|d| (RANGE.0..=RANGE.1).contains(d)));
            }
        }
    }
}
