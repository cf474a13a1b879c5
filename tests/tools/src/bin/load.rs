//! `load`: the edge benchmarks' load generator (see `upfront_tools::load`).
//!
//! ```text
//! load URL [--connections 16] [--seconds 10] [--method POST]
//!          [--header 'Name: value']... [--body-file FILE]
//! ```
//!
//! Prints one JSON line: rps, p50/p99/max/mean latency in ms, requests,
//! non-2xx answers and connection errors.

use std::process::ExitCode;
use std::time::Duration;

use upfront_tools::load::{Target, run};

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)) {
        Ok((target, connections, seconds)) => {
            let report = run(&target, connections, Duration::from_secs_f64(seconds));
            println!("{}", report.json());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("load: {message}");
            ExitCode::from(2)
        }
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<(Target, usize, f64), String> {
    let mut url = None;
    let mut connections = 16;
    let mut seconds = 10.0;
    let mut method = None;
    let mut headers = Vec::new();
    let mut body = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--connections" => {
                connections = value()?.parse().map_err(|_| "bad --connections")?;
            }
            "--seconds" => seconds = value()?.parse().map_err(|_| "bad --seconds")?,
            "--method" => method = Some(value()?),
            "--header" => {
                let header = value()?;
                let (name, value) = header
                    .split_once(':')
                    .ok_or_else(|| format!("a header is 'Name: value', not {header:?}"))?;
                headers.push((name.trim().to_string(), value.trim().to_string()));
            }
            "--body-file" => {
                let path = value()?;
                body = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
            }
            _ if url.is_none() && !arg.starts_with("--") => url = Some(arg),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    let mut target = Target::get(&url.ok_or("pass the URL to load")?)?;
    target.method = method.unwrap_or_else(|| if body.is_empty() { "GET" } else { "POST" }.into());
    target.headers = headers;
    target.body = body;
    Ok((target, connections, seconds))
}
