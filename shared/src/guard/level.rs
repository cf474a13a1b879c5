//! A guarded SKU's level and how it moves: up as soon as a threshold is
//! reached, down only when the SKU is clear of it by the rule's margin.

use serde::{Deserialize, Serialize};

use super::cover::Outlook;
use super::rules::{GuardRule, Thresholds};

/// What the promotion should do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum GuardLevel {
    /// Run it.
    #[default]
    Clear,
    /// Slow it down: fewer impressions, lower bids, no new channels.
    Throttle,
    /// Stop it: the feeds pause the SKU's ads.
    Stop,
}

impl GuardLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clear => "clear",
            Self::Throttle => "throttle",
            Self::Stop => "stop",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Clear, Self::Throttle, Self::Stop]
            .into_iter()
            .find(|l| l.as_str() == value)
    }

    /// The level after `outlook`, from this one.
    ///
    /// ```
    /// use upfront_shared::guard::{cover::Outlook, level::GuardLevel, rules::*};
    /// let rule = GuardRule {
    ///     id: "sale".into(),
    ///     skus: vec!["A".into()],
    ///     throttle: Thresholds { available: Some(20), cover_hours: None },
    ///     stop: Thresholds { available: Some(5), cover_hours: None },
    ///     clear_margin: None,
    /// };
    /// let left = |available| Outlook { available, velocity_per_hour: 0.0, cover_hours: None, sells_out_at: None };
    /// assert_eq!(GuardLevel::Clear.next(&rule, &left(20)), GuardLevel::Throttle);
    /// assert_eq!(GuardLevel::Throttle.next(&rule, &left(4)), GuardLevel::Stop);
    /// // Back above the floor, but not by 25 %: still stopped.
    /// assert_eq!(GuardLevel::Stop.next(&rule, &left(7)), GuardLevel::Stop);
    /// assert_eq!(GuardLevel::Stop.next(&rule, &left(8)), GuardLevel::Throttle);
    /// assert_eq!(GuardLevel::Throttle.next(&rule, &left(26)), GuardLevel::Clear);
    /// ```
    pub fn next(self, rule: &GuardRule, outlook: &Outlook) -> Self {
        let margin = rule.clear_margin();
        if reached(&rule.stop, outlook) {
            return Self::Stop;
        }
        if self == Self::Stop && !cleared(&rule.stop, outlook, margin) {
            return Self::Stop;
        }
        if reached(&rule.throttle, outlook) {
            return Self::Throttle;
        }
        if self >= Self::Throttle && !cleared(&rule.throttle, outlook, margin) {
            return Self::Throttle;
        }
        Self::Clear
    }
}

fn reached(t: &Thresholds, o: &Outlook) -> bool {
    t.available.is_some_and(|floor| o.available <= floor)
        || t.cover_hours
            .is_some_and(|hours| o.cover_hours.is_some_and(|cover| cover <= hours))
}

/// Clear of every threshold by `margin`, and of a floor by one unit at least.
fn cleared(t: &Thresholds, o: &Outlook, margin: f64) -> bool {
    let floor_clear = t.available.is_none_or(|floor| {
        let past = ((floor as f64) * margin).ceil().max(1.0) as i64;
        o.available > floor + past
    });
    let cover_clear = t.cover_hours.is_none_or(|hours| {
        o.cover_hours
            .is_none_or(|cover| cover > hours * (1.0 + margin))
    });
    floor_clear && cover_clear
}
