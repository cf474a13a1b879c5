//! `load`: the edge benchmarks' load generator (see `upfront_tools::load`).
//!
//! ```text
//! load URL [--connections 16] [--seconds 10] [--method POST]
//!          [--header 'Name: value']... [--body-file FILE] [--mix FILE]
//! ```
//!
//! `--mix FILE`: GET requests to URL's address, one per line (`path` then
//! tab-separated `Name: value` headers), replayed in order (each connection
//! from its own offset) instead of URL's path.
//!
//! Prints one JSON line: rps, p50/p99/max/mean latency in ms, requests,
//! non-2xx answers and connection errors.

use std::process::ExitCode;
use std::time::Duration;

use upfront_tools::load::{Target, run, run_mix};

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)) {
        Ok((target, connections, seconds, mix)) => {
            let duration = Duration::from_secs_f64(seconds);
            let report = match mix {
                Some(targets) => run_mix(&targets, connections, duration),
                None => run(&target, connections, duration),
            };
            println!("{}", report.json());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("load: {message}");
            ExitCode::from(2)
        }
    }
}

type Parsed = (Target, usize, f64, Option<Vec<Target>>);

fn parse(mut args: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut url = None;
    let mut connections = 16;
    let mut seconds = 10.0;
    let mut method = None;
    let mut headers = Vec::new();
    let mut body = Vec::new();
    let mut mix_file = None;
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
            "--mix" => mix_file = Some(value()?),
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
    let mix = match mix_file {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            let targets: Vec<Target> = text
                .lines()
                .filter(|l| !l.is_empty())
                .map(|line| {
                    let mut fields = line.split('\t');
                    let mut one = target.clone();
                    one.method = "GET".into();
                    one.body = Vec::new();
                    one.path = fields.next().unwrap_or("/").to_string();
                    for header in fields {
                        if let Some((name, value)) = header.split_once(':') {
                            one.headers
                                .push((name.trim().to_string(), value.trim().to_string()));
                        }
                    }
                    one
                })
                .collect();
            if targets.is_empty() {
                return Err(format!("{path}: no requests"));
            }
            Some(targets)
        }
        None => None,
    };
    Ok((target, connections, seconds, mix))
}
