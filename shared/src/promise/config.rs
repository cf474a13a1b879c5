//! A merchant's delivery configuration as written through the API, and its
//! validation into the [`Compiled`] form the engine uses.
//!
//! Validation resolves every IANA zone name and parses every time once, so
//! a stored configuration can never fail at read time.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::calendar::BusinessCalendar;

/// `PUT /v1/delivery-config`: everything the promise engine needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Where shoppers are assumed to be when they give no country.
    pub default_country: String,
    #[cfg_attr(feature = "openapi", schemars(extend("minItems" = 1, "maxItems" = 20)))]
    pub warehouses: Vec<WarehouseConfig>,
    #[cfg_attr(feature = "openapi", schemars(extend("minItems" = 1, "maxItems" = 10)))]
    pub methods: Vec<MethodConfig>,
    /// Announced delays: each adds business days to the ship dates it covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delay_notices: Vec<DelayNotice>,
    /// The share of parcels `latest` should beat (default 0.95).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_time_target: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WarehouseConfig {
    pub id: String,
    /// IANA zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// Local `HH:MM`: orders after it are processed the next business day.
    pub cutoff: String,
    /// Per-weekday cutoffs that differ from `cutoff`, e.g. `{"fri": "12:00"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cutoff_by_weekday: BTreeMap<WeekdayName, String>,
    /// Business days from processing to handing the parcel to the carrier.
    pub handling_days: DayRange,
    /// Defaults to Saturday and Sunday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_weekdays: Option<Vec<WeekdayName>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<String>"))]
    pub holidays: Vec<Date>,
    /// The Shopify location whose `inventory_levels/update` webhooks count
    /// this warehouse's stock. Unmapped locations feed `shopify-<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("pattern" = "^[0-9]{1,20}$")))]
    pub shopify_location_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MethodConfig {
    pub id: String,
    /// What shoppers read, e.g. "Standard".
    pub label: String,
    /// Days the carrier does not deliver; defaults to Saturday and Sunday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_closed_weekdays: Option<Vec<WeekdayName>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<String>"))]
    pub carrier_holidays: Vec<Date>,
    #[cfg_attr(feature = "openapi", schemars(extend("minItems" = 1, "maxItems" = 2000)))]
    pub lanes: Vec<LaneConfig>,
}

/// Where a method delivers and how long the carrier takes. A lane with
/// neither `postal_prefix` nor `postal_range` is the country's wildcard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LaneConfig {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_prefix: Option<String>,
    /// Inclusive; postal codes of the same length compare as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_range: Option<PostalRange>,
    /// Carrier business days from handoff to delivery.
    pub transit_days: DayRange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PostalRange {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DayRange {
    pub min: u32,
    pub max: u32,
}

/// A merchant-announced delay, shown to shoppers before they pay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DelayNotice {
    pub id: String,
    /// Business days added to the ship dates it covers.
    pub extra_days: u32,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "openapi", schemars(with = "String", extend("format" = "date-time")))]
    pub ends_at: Timestamp,
    /// Empty: every SKU.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    /// Empty: every warehouse.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warehouses: Vec<String>,
    /// Shown to shoppers as is, e.g. "Storm in the Midwest"; the text for
    /// locales `messages` does not name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The message per BCP 47 locale, e.g. `{"de": "Sturm im Norden"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<String, String>,
}

impl DelayNotice {
    /// The message for `locale`: its exact tag, then its language
    /// (`de-AT` → `de`), then the default `message`.
    ///
    /// ```
    /// # use upfront_shared::promise::config::DelayNotice;
    /// let notice: DelayNotice = serde_json::from_str(r#"{"id":"storm","extra_days":1,
    ///     "starts_at":"2026-11-24T00:00:00Z","ends_at":"2026-11-27T00:00:00Z",
    ///     "message":"Storm","messages":{"de":"Sturm","ru":"Шторм"}}"#).unwrap();
    /// assert_eq!(notice.message_for(Some("de-AT")), Some("Sturm"));
    /// assert_eq!(notice.message_for(Some("fr")), Some("Storm"));
    /// assert_eq!(notice.message_for(None), Some("Storm"));
    /// ```
    pub fn message_for(&self, locale: Option<&str>) -> Option<&str> {
        let find = |tag: &str| {
            self.messages
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(tag))
                .map(|(_, v)| v.as_str())
        };
        locale
            .and_then(|l| find(l).or_else(|| find(l.split('-').next().unwrap_or(l))))
            .or(self.message.as_deref())
    }

    /// Whether it is in force at `now` for `sku`.
    pub fn covers(&self, sku: &str, now: Timestamp) -> bool {
        self.starts_at <= now
            && now < self.ends_at
            && (self.skus.is_empty() || self.skus.iter().any(|s| s == sku))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum WeekdayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl From<WeekdayName> for Weekday {
    fn from(name: WeekdayName) -> Self {
        match name {
            WeekdayName::Mon => Weekday::Monday,
            WeekdayName::Tue => Weekday::Tuesday,
            WeekdayName::Wed => Weekday::Wednesday,
            WeekdayName::Thu => Weekday::Thursday,
            WeekdayName::Fri => Weekday::Friday,
            WeekdayName::Sat => Weekday::Saturday,
            WeekdayName::Sun => Weekday::Sunday,
        }
    }
}

/// A rule a configuration breaks, with the JSON path of the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub param: String,
    pub message: String,
}

/// Limits that keep one configuration's work per request bounded.
const MAX_DAYS: u32 = 90;
const MAX_HOLIDAYS: usize = 1_000;

/// A validated configuration: zones resolved, times parsed, calendars built.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub default_country: String,
    pub warehouses: Vec<Warehouse>,
    pub methods: Vec<Method>,
    pub delay_notices: Vec<DelayNotice>,
    pub on_time_target: f64,
}

#[derive(Clone, Debug)]
pub struct Warehouse {
    pub id: String,
    pub zone: TimeZone,
    /// Index 0 is Monday.
    pub cutoffs: [Time; 7],
    pub handling: DayRange,
    pub calendar: BusinessCalendar,
}

#[derive(Clone, Debug)]
pub struct Method {
    pub id: String,
    pub label: String,
    pub carrier: BusinessCalendar,
    pub lanes: Vec<LaneConfig>,
}

impl Warehouse {
    pub fn cutoff(&self, weekday: Weekday) -> Time {
        self.cutoffs[usize::from(weekday.to_monday_zero_offset().unsigned_abs())]
    }
}

impl DeliveryConfig {
    /// Checks every rule and resolves zones; the first broken rule wins.
    pub fn compile(&self) -> Result<Compiled, ConfigError> {
        let err = |param: String, message: &str| ConfigError {
            param,
            message: message.to_owned(),
        };
        if self.warehouses.is_empty() || self.warehouses.len() > 20 {
            return Err(err("warehouses".into(), "give 1 to 20 warehouses"));
        }
        if self.methods.is_empty() || self.methods.len() > 10 {
            return Err(err("methods".into(), "give 1 to 10 shipping methods"));
        }
        if self.default_country.len() != 2
            || !self.default_country.bytes().all(|b| b.is_ascii_uppercase())
        {
            return Err(err(
                "default_country".into(),
                "an ISO 3166-1 alpha-2 code in upper case",
            ));
        }
        let target = self.on_time_target.unwrap_or(DEFAULT_ON_TIME_TARGET);
        if !(0.5..=0.99).contains(&target) {
            return Err(err("on_time_target".into(), "must be between 0.5 and 0.99"));
        }
        let mut warehouses = Vec::new();
        for (i, w) in self.warehouses.iter().enumerate() {
            let at = |field: &str| format!("warehouses[{i}].{field}");
            check_id(&w.id).map_err(|m| err(at("id"), m))?;
            if self.warehouses[..i].iter().any(|o| o.id == w.id) {
                return Err(err(at("id"), "warehouse ids must be unique"));
            }
            if w.shopify_location_id
                .as_deref()
                .is_some_and(|id| id.len() > 20 || id.parse::<u64>().is_err())
            {
                return Err(err(at("shopify_location_id"), "the location's numeric id"));
            }
            let zone = TimeZone::get(&w.time_zone)
                .map_err(|_| err(at("time_zone"), "not an IANA time zone name"))?;
            let cutoff = parse_time(&w.cutoff).map_err(|m| err(at("cutoff"), m))?;
            let mut cutoffs = [cutoff; 7];
            for (day, text) in &w.cutoff_by_weekday {
                let weekday = Weekday::from(*day);
                cutoffs[usize::from(weekday.to_monday_zero_offset().unsigned_abs())] =
                    parse_time(text).map_err(|m| err(at("cutoff_by_weekday"), m))?;
            }
            check_range(w.handling_days).map_err(|m| err(at("handling_days"), m))?;
            let closed = closed_weekdays(w.closed_weekdays.as_deref())
                .map_err(|m| err(at("closed_weekdays"), m))?;
            if w.holidays.len() > MAX_HOLIDAYS {
                return Err(err(at("holidays"), "at most 1000 holidays"));
            }
            warehouses.push(Warehouse {
                id: w.id.clone(),
                zone,
                cutoffs,
                handling: w.handling_days,
                calendar: BusinessCalendar::new(&closed, w.holidays.iter().copied()),
            });
        }
        let mut methods = Vec::new();
        for (i, m) in self.methods.iter().enumerate() {
            let at = |field: &str| format!("methods[{i}].{field}");
            check_id(&m.id).map_err(|msg| err(at("id"), msg))?;
            if self.methods[..i].iter().any(|o| o.id == m.id) {
                return Err(err(at("id"), "method ids must be unique"));
            }
            if m.label.trim().is_empty() || m.label.len() > 60 {
                return Err(err(at("label"), "give a label of 1 to 60 characters"));
            }
            let closed = closed_weekdays(m.carrier_closed_weekdays.as_deref())
                .map_err(|msg| err(at("carrier_closed_weekdays"), msg))?;
            if m.carrier_holidays.len() > MAX_HOLIDAYS {
                return Err(err(at("carrier_holidays"), "at most 1000 holidays"));
            }
            if m.lanes.is_empty() || m.lanes.len() > 2000 {
                return Err(err(at("lanes"), "give 1 to 2000 lanes"));
            }
            for (j, lane) in m.lanes.iter().enumerate() {
                let at = |field: &str| format!("methods[{i}].lanes[{j}].{field}");
                check_lane(lane).map_err(|(field, msg)| err(at(field), msg))?;
            }
            methods.push(Method {
                id: m.id.clone(),
                label: m.label.clone(),
                carrier: BusinessCalendar::new(&closed, m.carrier_holidays.iter().copied()),
                lanes: m.lanes.clone(),
            });
        }
        for (i, notice) in self.delay_notices.iter().enumerate() {
            let at = |field: &str| format!("delay_notices[{i}].{field}");
            check_id(&notice.id).map_err(|m| err(at("id"), m))?;
            if notice.extra_days == 0 || notice.extra_days > MAX_DAYS {
                return Err(err(at("extra_days"), "must be 1 to 90"));
            }
            if notice.ends_at <= notice.starts_at {
                return Err(err(at("ends_at"), "must be after starts_at"));
            }
            if notice.message.as_ref().is_some_and(|m| m.len() > 200) {
                return Err(err(at("message"), "at most 200 characters"));
            }
            if notice.messages.len() > 20 {
                return Err(err(at("messages"), "at most 20 locales"));
            }
            for (locale, text) in &notice.messages {
                let valid_tag = !locale.is_empty()
                    && locale.len() <= 35
                    && locale.split('-').all(|part| {
                        (1..=8).contains(&part.len())
                            && part.bytes().all(|b| b.is_ascii_alphanumeric())
                    });
                if !valid_tag {
                    return Err(err(
                        at("messages"),
                        "keys must be BCP 47 locale tags such as de or pt-BR",
                    ));
                }
                if text.is_empty() || text.len() > 200 {
                    return Err(ConfigError {
                        param: format!("delay_notices[{i}].messages.{locale}"),
                        message: "1 to 200 characters".into(),
                    });
                }
            }
            if let Some(unknown) = notice
                .warehouses
                .iter()
                .find(|w| !self.warehouses.iter().any(|o| &o.id == *w))
            {
                return Err(ConfigError {
                    param: at("warehouses"),
                    message: format!("no warehouse `{unknown}`"),
                });
            }
        }
        if self.delay_notices.len() > 50 {
            return Err(err("delay_notices".into(), "at most 50 notices"));
        }
        Ok(Compiled {
            default_country: self.default_country.clone(),
            warehouses,
            methods,
            delay_notices: self.delay_notices.clone(),
            on_time_target: target,
        })
    }
}

pub(crate) fn check_id(id: &str) -> Result<(), &'static str> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err("1 to 40 letters, digits, `-` or `_`")
    }
}

fn parse_time(text: &str) -> Result<Time, &'static str> {
    let bad = "a local time as HH:MM";
    let (h, m) = text.split_once(':').ok_or(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad);
    }
    let hour: i8 = h.parse().map_err(|_| bad)?;
    let minute: i8 = m.parse().map_err(|_| bad)?;
    Time::new(hour, minute, 0, 0).map_err(|_| bad)
}

fn check_range(range: DayRange) -> Result<(), &'static str> {
    if range.min > range.max {
        Err("min must not exceed max")
    } else if range.max > MAX_DAYS {
        Err("at most 90 days")
    } else {
        Ok(())
    }
}

fn closed_weekdays(names: Option<&[WeekdayName]>) -> Result<Vec<Weekday>, &'static str> {
    let names = names.unwrap_or(&[WeekdayName::Sat, WeekdayName::Sun]);
    let days: Vec<Weekday> = names.iter().map(|n| Weekday::from(*n)).collect();
    let mut distinct = names.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() >= 7 {
        return Err("at least one weekday must be open");
    }
    Ok(days)
}

fn check_lane(lane: &LaneConfig) -> Result<(), (&'static str, &'static str)> {
    let postal =
        |p: &str| !p.is_empty() && p.len() <= 10 && p.bytes().all(|b| b.is_ascii_alphanumeric());
    if lane.country.len() != 2 || !lane.country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(("country", "an ISO 3166-1 alpha-2 code in upper case"));
    }
    if lane.postal_prefix.is_some() && lane.postal_range.is_some() {
        return Err(("postal_range", "give a prefix or a range, not both"));
    }
    if lane.postal_prefix.as_deref().is_some_and(|p| !postal(p)) {
        return Err(("postal_prefix", "1 to 10 letters or digits"));
    }
    if let Some(range) = &lane.postal_range
        && (!postal(&range.from)
            || !postal(&range.to)
            || range.from.len() != range.to.len()
            || range.from > range.to)
    {
        return Err(("postal_range", "from ≤ to, same length, letters or digits"));
    }
    check_range(lane.transit_days).map_err(|m| ("transit_days", m))
}

/// The share of parcels `latest` beats when the configuration names none.
pub const DEFAULT_ON_TIME_TARGET: f64 = 0.95;

/// The merchant's on-time target; the default without a configuration.
pub fn on_time_target(config: Option<&Compiled>) -> f64 {
    config.map_or(DEFAULT_ON_TIME_TARGET, |c| c.on_time_target)
}

/// The merchant's zone: the primary warehouse's, or UTC without a
/// configuration. Every "today" of the engine, the orders, the feeds and
/// the rendered pages counts in it.
pub fn merchant_zone(config: Option<&Compiled>) -> TimeZone {
    config
        .and_then(|c| c.warehouses.first())
        .map_or(TimeZone::UTC, |w| w.zone.clone())
}

/// The merchant's today at `now` (see [`merchant_zone`]).
pub fn merchant_today(config: Option<&Compiled>, now: Timestamp) -> Date {
    now.to_zoned_datetime(merchant_zone(config)).date()
}
