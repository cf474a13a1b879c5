//! `backtest --data <csv> --split <YYYY-MM-DD> [--target <rate>] [--zone <IANA>]
//!           [--holidays <file.ics>] [--closed-weekdays sat,sun]`
//! `backtest --data <csv> --quarters <YYYY-MM-DD>`: the walk-forward table of
//! every calendar quarter from that date on, at targets 0.80, 0.90 and 0.95,
//! as the README's Markdown.
//! `backtest --data <csv> --tune <YYYY-MM-DD>..<YYYY-MM-DD>`: tries the
//! hyper-parameter candidates on orders bought in that period only and names
//! the one chosen (the shipped defaults were frozen this way on 2017-H1).
//!
//! With `--holidays` or `--closed-weekdays`, the warehouses and the carrier
//! of the compiled configuration are closed on those days, as a merchant's
//! would be: no promised date lands on one.
//!
//! Prints one JSON object with the figures of `../shared/data/olist/README.md`
//! for our windows and for the merchant's own estimate on the same orders.

use std::process::ExitCode;

use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use upfront_shared::promise::config::WeekdayName;
use upfront_shared::promise::ics;
use upfront_tools::backtest::{Closures, Params};
use upfront_tools::{backtest, deliveries};

/// What to print.
enum Mode {
    /// The JSON report of orders bought on or after this date.
    Split(Date),
    /// The quarterly Markdown table from this date on.
    Quarters(Date),
    /// The tuning trials over `[from, until)`.
    Tune(Date, Date),
}

struct Args {
    data: String,
    mode: Mode,
    target: f64,
    zone: String,
    holidays: Option<String>,
    closed_weekdays: Vec<WeekdayName>,
}

fn weekday(name: &str) -> Result<WeekdayName, String> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| format!("--closed-weekdays: {name} is not mon..sun"))
}

fn parse_args() -> Result<Args, String> {
    let mut data = None;
    let mut mode = None;
    let date = |flag: &str, text: &str| -> Result<Date, String> {
        text.parse().map_err(|e| format!("{flag}: {e}"))
    };
    let mut target = 0.95;
    let mut zone = "America/Sao_Paulo".to_owned();
    let mut holidays = None;
    let mut closed_weekdays = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => data = Some(value()?),
            "--split" => mode = Some(Mode::Split(date(&flag, &value()?)?)),
            "--quarters" => mode = Some(Mode::Quarters(date(&flag, &value()?)?)),
            "--tune" => {
                let text = value()?;
                let (from, until) = text
                    .split_once("..")
                    .ok_or("--tune takes <from>..<until>")?;
                mode = Some(Mode::Tune(date(&flag, from)?, date(&flag, until)?));
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
        mode: mode.ok_or("one of --split, --quarters or --tune is required")?,
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
    let closures = closures(&args, &parsed.deliveries, &zone)?;
    match args.mode {
        Mode::Split(split) => {
            let report = backtest::run(&parsed.deliveries, &zone, &closures, split, args.target);
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())
        }
        Mode::Quarters(from) => Ok(quarter_table(&backtest::quarters(
            &parsed.deliveries,
            &zone,
            &closures,
            from,
            &backtest::CALIBRATION_TARGETS,
            &Params::default(),
        ))),
        Mode::Tune(from, until) => {
            let (chosen, trials) =
                backtest::tune(&parsed.deliveries, &zone, &closures, from, until);
            let mut out = String::new();
            for t in &trials {
                out.push_str(&format!(
                    "worst miss {:.3}  days early at 0.95 {:5.2}  {:?}\n",
                    t.worst_miss, t.days_early, t.params
                ));
            }
            out.push_str(&format!(
                "chosen: {chosen:?}\nshipped: {:?}",
                Params::default()
            ));
            Ok(out)
        }
    }
}

/// The README's table: one row per quarter and target.
fn quarter_table(rows: &[backtest::QuarterRow]) -> String {
    let mut out = String::from(
        "| quarter | orders | target | on time | merchant on time | days early | merchant days early \
         | MAE most likely | merchant MAE | mean window | window p50 / p90 |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {:.2} | {:.1} % | {:.1} % | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} / {} |\n",
            r.quarter,
            r.ours.n,
            r.target,
            r.ours.on_time_latest * 100.0,
            r.merchant.on_time_latest * 100.0,
            r.ours.mean_days_early_latest,
            r.merchant.mean_days_early_latest,
            r.ours.mae_most_likely_days,
            r.merchant.mae_most_likely_days,
            r.ours.mean_window_days,
            r.window_days_p50,
            r.window_days_p90,
        ));
    }
    out
}

/// The closed days given: a holiday calendar and closed weekdays.
fn closures(
    args: &Args,
    deliveries: &[deliveries::Delivery],
    zone: &TimeZone,
) -> Result<Closures, String> {
    let Some(path) = &args.holidays else {
        return Ok(Closures {
            holidays: Vec::new(),
            closed_weekdays: args.closed_weekdays.clone(),
        });
    };
    let dates = deliveries
        .iter()
        .map(|d| d.purchased.to_zoned_datetime(zone.clone()).date());
    let any = jiff::civil::date(2000, 1, 1);
    let first = dates.clone().min().unwrap_or(any);
    let last = dates.max().unwrap_or(any);
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let holidays = ics::holidays(
        &text,
        first.saturating_sub(1.year()),
        last.saturating_add(1.year()),
    )
    .map_err(|e| format!("{path}:{}: {}", e.line, e.message))?;
    Ok(Closures {
        holidays,
        closed_weekdays: args.closed_weekdays.clone(),
    })
}
