//! The promotion guard, the store's half: each SKU's rate of sale (moved by
//! every committed sale), the merchant's rules, each guarded SKU's level,
//! and the signed webhooks a change of level sends. The rules themselves
//! are `upfront_shared::guard`.

use std::collections::HashMap;
use std::rc::Rc;

use jiff::Timestamp;
use serde::Deserialize;
use upfront_shared::answer::StockSnapshot;
use upfront_shared::guard::cover::Outlook;
use upfront_shared::guard::level::GuardLevel;
use upfront_shared::guard::rate::SalesRate;
use upfront_shared::guard::rules::GuardRules;
use upfront_shared::guard::{GuardList, GuardState, MAX_PAUSE};
use upfront_shared::outbound::{EventData, EventType};
use worker::{Result, SqlStorage};

use super::{Store, random_hex, timestamp};

/// A SKU under a throttle or stop is looked at again this often: with no
/// sales its rate decays, and its level may clear without any write.
pub(super) const LOOK_EVERY_MS: i64 = 15 * 60_000;

#[derive(Deserialize)]
struct RateRow {
    sku: String,
    weight: f64,
    at_ms: i64,
}

#[derive(Deserialize)]
struct LevelRow {
    rule: String,
    sku: String,
    level: String,
    since_ms: i64,
    told_expired: i64,
}

/// A committed sale of `qty` units: the SKU's rate moves at once.
pub(super) fn record_sale(sql: &SqlStorage, sku: &str, qty: i64, now_ms: i64) -> Result<()> {
    let rows: Vec<RateRow> = sql
        .exec(
            "SELECT sku, weight, at_ms FROM sales_rate WHERE sku = ?",
            vec![sku.into()],
        )?
        .to_array()?;
    let before = rows.first().map_or(SalesRate::default(), |r| SalesRate {
        weight: r.weight,
        at_ms: r.at_ms,
    });
    let after = before.record(qty, timestamp(now_ms)?);
    sql.exec(
        "INSERT INTO sales_rate (sku, weight, at_ms) VALUES (?, ?, ?) \
         ON CONFLICT(sku) DO UPDATE SET weight = excluded.weight, at_ms = excluded.at_ms",
        vec![sku.into(), after.weight.into(), (after.at_ms as f64).into()],
    )?;
    Ok(())
}

impl Store {
    pub(super) fn guard_rules(&self) -> Result<Rc<GuardRules>> {
        if let Some(rules) = self.guard_rules.borrow().as_ref() {
            return Ok(rules.clone());
        }
        let rules: GuardRules = self
            .meta("guard_rules")?
            .map(|json| serde_json::from_str(&json))
            .transpose()?
            .unwrap_or_default();
        let rules = Rc::new(rules);
        *self.guard_rules.borrow_mut() = Some(rules.clone());
        Ok(rules)
    }

    /// Replaces the rules (already validated), forgets the levels of SKUs no
    /// rule guards any more, and looks at every guarded SKU now.
    pub(super) fn put_guard_rules(&self, rules: &GuardRules, now_ms: i64) -> Result<Vec<String>> {
        self.set_meta("guard_rules", &serde_json::to_string(rules)?)?;
        *self.guard_rules.borrow_mut() = Some(Rc::new(rules.clone()));
        let pairs: Vec<(String, String)> = rules
            .rules
            .iter()
            .flat_map(|r| r.skus.iter().map(|s| (r.id.clone(), s.clone())))
            .collect();
        self.sql.exec(
            "DELETE FROM guard_state WHERE NOT EXISTS (SELECT 1 FROM json_each(?) \
             WHERE json_extract(value, '$[0]') = rule AND json_extract(value, '$[1]') = sku)",
            vec![serde_json::to_string(&pairs)?.into()],
        )?;
        self.look_at_guards(None, now_ms)
    }

    /// Moves the level of every guarded SKU among `skus` (all, with `None`)
    /// and records a `guard.*` event for each move; returns the deliveries
    /// for the queue.
    pub(super) fn look_at_guards(
        &self,
        skus: Option<&[String]>,
        now_ms: i64,
    ) -> Result<Vec<String>> {
        let rules = self.guard_rules()?;
        let pairs: Vec<_> = rules
            .rules
            .iter()
            .flat_map(|rule| rule.skus.iter().map(move |sku| (rule, sku)))
            .filter(|(_, sku)| skus.is_none_or(|wanted| wanted.contains(sku)))
            .collect();
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<String> = pairs.iter().map(|(_, sku)| (*sku).clone()).collect();
        let (snapshots, rates, mut levels) = (
            self.snapshots(&wanted)?,
            self.rates(&wanted)?,
            self.levels(&wanted)?,
        );
        let now = timestamp(now_ms)?;
        let mut deliveries = Vec::new();
        for (rule, sku) in pairs {
            let Some(snapshot) = snapshots.get(sku) else {
                continue;
            };
            let outlook = outlook_of(snapshot, rates.get(sku), now);
            let row = levels.remove(&(rule.id.clone(), sku.clone()));
            let was = row
                .as_ref()
                .and_then(|r| GuardLevel::parse(&r.level))
                .unwrap_or_default();
            let next = was.next(rule, &outlook);
            let since_ms = row.as_ref().map_or(now_ms, |r| r.since_ms);
            let kind = if next != was {
                self.sql.exec(
                    "INSERT INTO guard_state (rule, sku, level, since_ms, told_expired) \
                     VALUES (?, ?, ?, ?, 0) ON CONFLICT(rule, sku) DO UPDATE SET \
                     level = excluded.level, since_ms = excluded.since_ms, told_expired = 0",
                    vec![
                        rule.id.as_str().into(),
                        sku.as_str().into(),
                        next.as_str().into(),
                        (now_ms as f64).into(),
                    ],
                )?;
                match next {
                    GuardLevel::Clear => EventType::GuardClear,
                    GuardLevel::Throttle => EventType::GuardThrottle,
                    GuardLevel::Stop => EventType::GuardStop,
                }
            } else if next == GuardLevel::Stop
                && row.as_ref().is_some_and(|r| r.told_expired == 0)
                && now >= timestamp(since_ms)? + MAX_PAUSE
            {
                self.sql.exec(
                    "UPDATE guard_state SET told_expired = 1 WHERE rule = ? AND sku = ?",
                    vec![rule.id.as_str().into(), sku.as_str().into()],
                )?;
                EventType::GuardPauseExpired
            } else {
                continue;
            };
            let since = if next != was { now_ms } else { since_ms };
            let state = state(&rule.id, sku, next, since, outlook, now_ms)?;
            let event_id = format!("evt_{}", random_hex(&self.sql, 12)?);
            deliveries.extend(self.record_event(
                event_id,
                kind,
                EventData::Guard(Box::new(state)),
                now_ms,
            )?);
        }
        self.set_meta("guards_looked_at_ms", &now_ms.to_string())?;
        Ok(deliveries)
    }

    /// `GET /v1/guards`: every guarded SKU that exists, with its figures
    /// now; stopped first, then throttled.
    pub(super) fn guard_list(&self, now_ms: i64) -> Result<GuardList> {
        let rules = self.guard_rules()?;
        let wanted: Vec<String> = rules
            .rules
            .iter()
            .flat_map(|r| r.skus.iter().cloned())
            .collect();
        let (snapshots, rates, levels) = (
            self.snapshots(&wanted)?,
            self.rates(&wanted)?,
            self.levels(&wanted)?,
        );
        let now = timestamp(now_ms)?;
        let mut data = Vec::new();
        for rule in &rules.rules {
            for sku in &rule.skus {
                let Some(snapshot) = snapshots.get(sku) else {
                    continue;
                };
                let outlook = outlook_of(snapshot, rates.get(sku), now);
                let row = levels.get(&(rule.id.clone(), sku.clone()));
                let level = row
                    .and_then(|r| GuardLevel::parse(&r.level))
                    .unwrap_or_default();
                let since = row.map_or(0, |r| r.since_ms);
                data.push(state(&rule.id, sku, level, since, outlook, now_ms)?);
            }
        }
        data.sort_by_key(|s| std::cmp::Reverse(s.level));
        Ok(GuardList { data })
    }

    /// The SKUs whose ads a stop pauses now (Merchant Center's 14 days).
    pub(super) fn paused_skus(&self, now_ms: i64) -> Result<Vec<String>> {
        super::skus_of(
            &self.sql,
            "SELECT DISTINCT sku FROM guard_state WHERE level = 'stop' AND since_ms > ?",
            vec![((now_ms - MAX_PAUSE.as_millis() as i64) as f64).into()],
        )
    }

    /// When the alarm should look at guarded SKUs again: a quarter-hour
    /// after the last look, while any is throttled or stopped.
    pub(super) fn next_guard_look_ms(&self) -> Result<Option<i64>> {
        if !super::any_row(
            &self.sql,
            "SELECT 1 FROM guard_state WHERE level != 'clear'",
            Vec::new(),
        )? {
            return Ok(None);
        }
        let last = self
            .meta("guards_looked_at_ms")?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        Ok(Some(last + LOOK_EVERY_MS))
    }

    fn rates(&self, skus: &[String]) -> Result<HashMap<String, SalesRate>> {
        let rows: Vec<RateRow> = self
            .sql
            .exec(
                "SELECT sku, weight, at_ms FROM sales_rate WHERE sku IN (SELECT value FROM json_each(?))",
                vec![serde_json::to_string(skus)?.into()],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let rate = SalesRate {
                    weight: r.weight,
                    at_ms: r.at_ms,
                };
                (r.sku, rate)
            })
            .collect())
    }

    fn levels(&self, skus: &[String]) -> Result<HashMap<(String, String), LevelRow>> {
        let rows: Vec<LevelRow> = self
            .sql
            .exec(
                "SELECT rule, sku, level, since_ms, told_expired FROM guard_state \
                 WHERE sku IN (SELECT value FROM json_each(?))",
                vec![serde_json::to_string(skus)?.into()],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .map(|r| ((r.rule.clone(), r.sku.clone()), r))
            .collect())
    }
}

/// What a guarded SKU's level is decided from: what a shopper can buy
/// (nothing, once discontinued), at its rate of sale, with its arrivals.
fn outlook_of(snapshot: &StockSnapshot, rate: Option<&SalesRate>, now: Timestamp) -> Outlook {
    let available = if snapshot.policy.discontinued {
        0
    } else {
        snapshot.level.sellable()
    };
    let rate = rate.copied().unwrap_or_default();
    Outlook::of(available, &rate, &snapshot.arrivals(), now)
}

fn state(
    rule: &str,
    sku: &str,
    level: GuardLevel,
    since_ms: i64,
    outlook: Outlook,
    now_ms: i64,
) -> Result<GuardState> {
    let since = timestamp(since_ms)?;
    Ok(GuardState {
        rule: rule.to_string(),
        sku: sku.to_string(),
        level,
        since,
        outlook,
        as_of: timestamp(now_ms)?,
        ads_paused_until: (level == GuardLevel::Stop).then(|| since + MAX_PAUSE),
    })
}
