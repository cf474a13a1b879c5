//! `backtest --data <csv> --split <YYYY-MM-DD> [--target <rate>] [--zone <IANA>]`
//!
//! Prints one JSON object with the figures of `../shared/data/olist/README.md`
//! for our windows and for the merchant's own estimate on the same orders.

use std::process::ExitCode;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use upfront_tools::{backtest, deliveries};

struct Args {
    data: String,
    split: Date,
    target: f64,
    zone: String,
}

fn parse_args() -> Result<Args, String> {
    let mut data = None;
    let mut split = None;
    let mut target = 0.95;
    let mut zone = "America/Sao_Paulo".to_owned();
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
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        data: data.ok_or("--data <csv> is required")?,
        split: split.ok_or("--split <YYYY-MM-DD> is required")?,
        target,
        zone,
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
    let report = backtest::run(&parsed.deliveries, &zone, args.split, args.target);
    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())
}
