//! A merchant's guard rules: when a promotion slows down, and when it stops.
//!
//! A rule covers one SKU or a campaign (a named set of SKUs); each of its
//! SKUs is guarded on its own, so one SKU selling out stops its ads without
//! stopping its siblings'.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorBody, ErrorCode};
use crate::sku::is_valid_sku;

pub const MAX_RULES: usize = 100;
pub const MAX_SKUS_PER_RULE: usize = 1_000;

/// The default hysteresis: a level clears only when every one of its
/// thresholds is passed by 25 % (and by at least one unit).
pub const DEFAULT_CLEAR_MARGIN: f64 = 0.25;

/// `PUT /v1/guard-rules`: the whole set, replacing the last.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GuardRules {
    pub rules: Vec<GuardRule>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GuardRule {
    /// The campaign's or rule's name, `[a-z0-9_-]`, 1 to 64 characters;
    /// every webhook and guard state names it.
    pub id: String,
    /// The SKUs it guards: one, or a campaign's set (at most 1,000).
    pub skus: Vec<String>,
    /// Slow the promotion down.
    pub throttle: Thresholds,
    /// Stop it (Merchant Center's `pause` = `ads`). Stricter than `throttle`.
    pub stop: Thresholds,
    /// How far past a threshold a SKU must come back before its level
    /// clears, as a fraction (0 to 2; default 0.25), so a guard does not
    /// flap with every sale and restock of a unit or two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clear_margin: Option<f64>,
}

/// A level is entered when any threshold set is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// The projected sell-out (arrivals included) is this many hours away
    /// or less.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_hours: Option<f64>,
    /// Units available to buy fell to this floor or below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
}

impl GuardRule {
    pub fn clear_margin(&self) -> f64 {
        self.clear_margin.unwrap_or(DEFAULT_CLEAR_MARGIN)
    }
}

impl GuardRules {
    /// Checks every rule; the error names the field.
    ///
    /// ```
    /// use upfront_shared::guard::rules::{GuardRule, GuardRules, Thresholds};
    /// let rule = GuardRule {
    ///     id: "spring-sale".into(),
    ///     skus: vec!["TEE-M".into()],
    ///     throttle: Thresholds { cover_hours: Some(48.0), available: Some(20) },
    ///     stop: Thresholds { cover_hours: Some(6.0), available: Some(5) },
    ///     clear_margin: None,
    /// };
    /// assert!(GuardRules { rules: vec![rule.clone()] }.validate().is_ok());
    /// let upside_down = GuardRule { stop: Thresholds { available: Some(30), ..rule.stop }, ..rule };
    /// assert!(GuardRules { rules: vec![upside_down] }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ErrorBody> {
        let bad = |message: String, param: String| {
            ErrorBody::new(ErrorCode::InvalidRequest, message).with_param(param)
        };
        if self.rules.len() > MAX_RULES {
            return Err(bad(format!("at most {MAX_RULES} rules"), "rules".into()));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let at = |field: &str| format!("rules[{i}].{field}");
            let id_ok = (1..=64).contains(&rule.id.len())
                && rule.id.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !id_ok {
                return Err(bad("id is 1 to 64 of a-z, 0-9, - and _".into(), at("id")));
            }
            if self.rules[..i].iter().any(|r| r.id == rule.id) {
                return Err(bad(format!("two rules are named {}", rule.id), at("id")));
            }
            if rule.skus.is_empty() || rule.skus.len() > MAX_SKUS_PER_RULE {
                return Err(bad(
                    format!("skus lists 1 to {MAX_SKUS_PER_RULE} SKUs"),
                    at("skus"),
                ));
            }
            if let Some(j) = rule.skus.iter().position(|s| !is_valid_sku(s)) {
                return Err(bad(
                    "a SKU is 1 to 64 of A-Z a-z 0-9 . _ -".into(),
                    at(&format!("skus[{j}]")),
                ));
            }
            for (name, t) in [("throttle", rule.throttle), ("stop", rule.stop)] {
                if t.cover_hours.is_none() && t.available.is_none() {
                    return Err(bad(
                        format!("{name} sets cover_hours, available or both"),
                        at(name),
                    ));
                }
                if t.cover_hours.is_some_and(|h| !(h > 0.0 && h <= 8_760.0)) {
                    return Err(bad(
                        "cover_hours is above 0 and at most 8760 (a year)".into(),
                        at(&format!("{name}.cover_hours")),
                    ));
                }
                if t.available
                    .is_some_and(|a| !(0..=1_000_000_000).contains(&a))
                {
                    return Err(bad(
                        "available is 0 to 1000000000".into(),
                        at(&format!("{name}.available")),
                    ));
                }
            }
            let looser = |stop: Option<f64>, throttle: Option<f64>| match (stop, throttle) {
                (Some(s), Some(t)) => s > t,
                _ => false,
            };
            if looser(rule.stop.cover_hours, rule.throttle.cover_hours)
                || looser(
                    rule.stop.available.map(|a| a as f64),
                    rule.throttle.available.map(|a| a as f64),
                )
            {
                return Err(bad(
                    "stop's thresholds are at or below throttle's: a promotion slows before it stops"
                        .into(),
                    at("stop"),
                ));
            }
            if rule.clear_margin.is_some_and(|m| !(0.0..=2.0).contains(&m)) {
                return Err(bad("clear_margin is 0 to 2".into(), at("clear_margin")));
            }
        }
        Ok(())
    }

    /// The rules that guard `sku`.
    pub fn guarding<'a>(&'a self, sku: &'a str) -> impl Iterator<Item = &'a GuardRule> + 'a {
        self.rules
            .iter()
            .filter(move |r| r.skus.iter().any(|s| s == sku))
    }
}
