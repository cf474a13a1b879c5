//! `backtest --data <csv> --split <YYYY-MM-DD> [--target <rate>] [--zone <IANA>]
//!           [--holidays <file.ics>] [--closed-weekdays sat,sun]`
//!
//! With `--holidays` or `--closed-weekdays`, handling and transit are learned
//! and predicted in business days that skip those days.
//!
//! Prints one JSON object with the figures of `../shared/data/olist/README.md`
//! for our windows and for the merchant's own estimate on the same orders.

use std::process::ExitCode;

use std::collections::BTreeSet;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use upfront_shared::promise::ics;
use upfront_tools::business_days::BusinessDays;
use upfront_tools::{backtest, deliveries};

struct Args {
    data: String,
    split: Date,
    target: f64,
    zone: String,
    holidays: Option<String>,
    closed_weekdays: Vec<Weekday>,
}

fn weekday(name: &str) -> Result<Weekday, String> {
    Ok(match name {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        other => return Err(format!("--closed-weekdays: {other} is not mon..sun")),
    })
}

fn parse_args() -> Result<Args, String> {
    let mut data = None;
    let mut split = None;
    let mut target = 0.95;
    let mut zone = "America/Sao_Paulo".to_owned();
    let mut holidays = None;
    let mut closed_weekdays = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => data = Some(value()?),
            "--split" => {
                split = Some(value()?.parse().map_err(|e| format!("--split: {e}"))?);
            }
            "--target" => {
                target = value()?.parse().map_err(|e| format!("--target: {e}"))?;
                if !(0.5..1.0).contains(&target) {
                    return Err("--target must be at least 0.5 and below 1".into());
                }
            }
            "--zone" => zone = value()?,
            "--holidays" => holidays = Some(value()?),
            "--closed-weekdays" => {
                closed_weekdays = value()?.split(',').map(weekday).collect::<Result<_, _>>()?;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        data: data.ok_or("--data <csv> is required")?,
        split: split.ok_or("--split <YYYY-MM-DD> is required")?,
        target,
        zone,
        holidays,
        closed_weekdays,
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("backtest: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<String, String> {
    let args = parse_args()?;
    let zone = TimeZone::get(&args.zone).map_err(|e| format!("--zone: {e}"))?;
    let text = std::fs::read_to_string(&args.data).map_err(|e| format!("{}: {e}", args.data))?;
    let parsed = deliveries::parse(&text, &zone)?;
    if parsed.skipped > 0 {
        eprintln!(
            "backtest: skipped {} rows without a purchase time",
            parsed.skipped
        );
    }
    let clock = business_days(&args, &parsed.deliveries, &zone)?;
    let report = backtest::run(&parsed.deliveries, &zone, &clock, args.split, args.target);
    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())
}

/// The clock durations are counted on: calendar days unless closed days were given.
fn business_days(
    args: &Args,
    deliveries: &[deliveries::Delivery],
    zone: &TimeZone,
) -> Result<BusinessDays, String> {
    if args.holidays.is_none() && args.closed_weekdays.is_empty() {
        return Ok(BusinessDays::calendar_days());
    }
    let dates = deliveries
        .iter()
        .map(|d| d.purchased.to_zoned_datetime(zone.clone()).date());
    let first = dates.clone().min().unwrap_or(args.split);
    let last = dates.max().unwrap_or(args.split);
    let (from, until) = (
        first.saturating_sub(1.year()),
        last.saturating_add(1.year()),
    );
    let holidays: BTreeSet<Date> = match &args.holidays {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            ics::holidays(&text, from, until)
                .map_err(|e| format!("{path}:{}: {}", e.line, e.message))?
                .into_iter()
                .collect()
        }
        None => BTreeSet::new(),
    };
    Ok(BusinessDays::new(
        holidays,
        args.closed_weekdays.clone(),
        until,
    ))
}
