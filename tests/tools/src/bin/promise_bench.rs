//! `promise_bench [--data <olist csv>]`: delivery estimates per second,
//! natively or on wasm32-wasip1 (scripts/bench.sh runs both).
//!
//! First the configured path, for a merchant with 5 warehouses, 3 methods
//! and 500 lanes per method; compare it with the baseline printed beside it
//! (one compile of the same configuration), since these machines are noisy.
//! Then, with `--data`, the learned path the edge runs once a merchant has
//! history: the Olist file as one merchant (a warehouse per seller state),
//! its forecast trained on every shipment up to 2018-01-01 (learned
//! handling and transit, so each option sums two learned curves), asked
//! for the file's own orders; beside it, the same orders on the configured
//! ranges alone, in the same run. Prints one JSON line each.

use std::hint::black_box;
use std::time::Instant;

use jiff::Timestamp;
use upfront_shared::promise::config::{
    DayRange, DeliveryConfig, LaneConfig, MethodConfig, WarehouseConfig,
};
use upfront_shared::promise::engine::{Destination, PromiseRequest, StockSource, promise};
use upfront_shared::promise::forecast::Forecast;
use upfront_tools::{backtest, deliveries};

const ZONES: [&str; 5] = [
    "America/Los_Angeles",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Australia/Sydney",
];

fn config() -> DeliveryConfig {
    let warehouses = ZONES
        .iter()
        .enumerate()
        .map(|(i, zone)| WarehouseConfig {
            id: format!("wh{i}"),
            time_zone: (*zone).into(),
            cutoff: "14:00".into(),
            cutoff_by_weekday: Default::default(),
            handling_days: DayRange { min: 1, max: 2 },
            closed_weekdays: None,
            holidays: (0..30)
                .map(|d| {
                    jiff::civil::date(2026, 12, 1).saturating_add(jiff::Span::new().days(d * 7))
                })
                .collect(),
            shopify_location_id: None,
        })
        .collect();
    let methods = ["ground", "air", "express"]
        .iter()
        .enumerate()
        .map(|(m, id)| MethodConfig {
            id: (*id).into(),
            label: (*id).into(),
            carrier_closed_weekdays: None,
            carrier_holidays: Vec::new(),
            lanes: (0..500u32)
                .map(|l| LaneConfig {
                    country: "US".into(),
                    postal_prefix: (l > 0).then(|| format!("{:03}", l)),
                    postal_range: None,
                    transit_days: DayRange {
                        min: 1 + m as u32,
                        max: 3 + m as u32 + l % 4,
                    },
                })
                .collect(),
        })
        .collect();
    DeliveryConfig {
        default_country: "US".into(),
        warehouses,
        methods,
        delay_notices: Vec::new(),
        on_time_target: None,
    }
}

fn main() {
    configured();
    let mut args = std::env::args().skip(1);
    if let (Some(flag), Some(path)) = (args.next(), args.next())
        && flag == "--data"
    {
        learned(&path);
    }
}

/// The learned path against the configured one on the same orders.
fn learned(path: &str) {
    let zone = jiff::tz::TimeZone::get("America/Sao_Paulo").expect("zone");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let orders = deliveries::parse(&text, &zone)
        .expect("the Olist columns")
        .deliveries;
    let began = Instant::now();
    let (compiled, forecast) = backtest::trained(&orders, &zone, jiff::civil::date(2018, 1, 1));
    let train_secs = began.elapsed().as_secs_f64();
    let requests: Vec<(Destination, [StockSource; 1])> = orders
        .iter()
        .map(|d| {
            let destination = Destination {
                country: "BR".into(),
                postal_code: Some(d.customer_zip.clone()),
            };
            let stock = [StockSource {
                warehouse: backtest::warehouse_id(&d.seller_state),
                available: 1,
                inbound: Vec::new(),
            }];
            (destination, stock)
        })
        .collect();
    let now: Timestamp = "2018-01-02T15:00:00Z".parse().expect("instant");
    let run = |forecast: Option<&Forecast>| {
        let began = Instant::now();
        let mut learned = 0usize;
        for (destination, stock) in &requests {
            let request = PromiseRequest {
                sku: "SKU",
                qty: 1,
                destination,
                now,
                stock,
                preorder_release: None,
            };
            let options = black_box(promise(&compiled, &request, forecast));
            learned += usize::from(options.iter().any(|o| {
                o.reasons
                    .iter()
                    .any(|r| matches!(r, upfront_shared::api::Reason::LearnedLane { .. }))
            }));
        }
        (began.elapsed().as_secs_f64(), learned)
    };
    let (configured_secs, _) = run(None);
    let (learned_secs, learned) = run(Some(&forecast));
    let n = requests.len() as f64;
    println!(
        "{{\"learned_estimates_per_sec\": {:.0}, \"micros_per_learned_estimate\": {:.1}, \"configured_estimates_per_sec\": {:.0}, \"learned_vs_configured\": {:.2}, \"orders\": {}, \"answered_from_learned_lanes\": {}, \"forecast_train_ms\": {:.0}}}",
        n / learned_secs,
        learned_secs / n * 1e6,
        n / configured_secs,
        configured_secs / learned_secs,
        requests.len(),
        learned,
        train_secs * 1e3,
    );
}

/// The configured path: 5 warehouses, 3 methods, 500 lanes each.
fn configured() {
    let config = config();
    let compiled = config.compile().expect("valid benchmark configuration");
    let stock: Vec<StockSource> = (0..5)
        .map(|i| StockSource {
            warehouse: format!("wh{i}"),
            available: 3 + i,
            inbound: Vec::new(),
        })
        .collect();
    let destinations: Vec<Destination> = (0..100)
        .map(|i| Destination {
            country: "US".into(),
            postal_code: Some(format!("{:05}", i * 997 % 100_000)),
        })
        .collect();
    let start: Timestamp = "2026-11-23T00:00:00Z".parse().expect("instant");
    let n = 20_000usize;
    let began = Instant::now();
    for i in 0..n {
        let request = PromiseRequest {
            sku: "SKU",
            qty: 1 + (i % 6) as u32,
            destination: &destinations[i % destinations.len()],
            now: start + jiff::SignedDuration::from_mins(i as i64 * 7),
            stock: &stock,
            preorder_release: None,
        };
        black_box(promise(&compiled, &request, None));
    }
    let estimate_secs = began.elapsed().as_secs_f64();
    let began = Instant::now();
    let compiles = 200usize;
    for _ in 0..compiles {
        black_box(config.compile().expect("valid"));
    }
    let compile_secs = began.elapsed().as_secs_f64();
    println!(
        "{{\"estimates_per_sec\": {:.0}, \"micros_per_estimate\": {:.1}, \"config_compiles_per_sec\": {:.0}, \"estimate_vs_compile\": {:.2}}}",
        n as f64 / estimate_secs,
        estimate_secs / n as f64 * 1e6,
        compiles as f64 / compile_secs,
        (compile_secs / compiles as f64) / (estimate_secs / n as f64),
    );
}
