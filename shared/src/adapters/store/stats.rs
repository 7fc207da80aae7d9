//! Business counters, kept up to date as events happen, so the stats screen
//! reads a few small items instead of the users.
//!
//! Items live in one partition, `STATS`: `DAY#<yyyy-mm-dd>#<shard>` per day
//! and `TOTAL#<shard>` for all time. Each writer picks a shard from a hash
//! of its event (an order id, a user id), so concurrent transactions rarely
//! touch the same item; a reader sums the shards. Reading 30 days is one
//! `Query` (`SK BETWEEN`), the totals another.

use super::attrs::{ItemExt, n, s};
use super::keys::day_of;
use super::{Item, Store, StoreError};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use std::collections::BTreeMap;

/// Counter shards per day and for the totals.
pub const SHARDS: u64 = 4;
/// Partition of the counters.
pub const PK: &str = "STATS";

/// Counter names.
pub mod counter {
    /// Users registered.
    pub const SIGNUPS: &str = "signups";
    /// Trials started.
    pub const TRIALS: &str = "trials";
    /// Plan purchases (any provider, the balance included).
    pub const PLANS: &str = "plans";
    /// A user's first plan purchase.
    pub const FIRST_PLANS: &str = "first_plans";
    /// Refunds recorded.
    pub const REFUNDS: &str = "refunds";
    /// Users banned now (totals only; +1 on a ban, −1 on an unban).
    pub const BANNED: &str = "banned";
    /// Users who have blocked the bot now (totals only; +1 when we learn of
    /// a block, −1 when they come back).
    pub const BLOCKED: &str = "blocked";
    /// Money received from a provider, `rev_<provider>_<currency>` in minor units.
    pub fn revenue(provider: &str, currency: &str) -> String {
        format!("rev_{provider}_{currency}")
    }
}

/// The shard an event with key `key` counts into.
pub fn shard_of(key: &str) -> u64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(key.as_bytes());
    u64::from(d[0]) % SHARDS
}

/// Sort key of a day's shard.
pub fn day_sk(day: &str, shard: u64) -> String {
    format!("DAY#{day}#{shard}")
}

/// Sort key of a totals shard.
pub fn total_sk(shard: u64) -> String {
    format!("TOTAL#{shard}")
}

/// Counters summed over shards: per day (`yyyy-mm-dd`) and all time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Per day, oldest first.
    pub days: BTreeMap<String, BTreeMap<String, i64>>,
    /// All time.
    pub totals: BTreeMap<String, i64>,
}

impl Counters {
    /// A counter of one day (0 when nothing happened).
    pub fn day(&self, day: &str, name: &str) -> i64 {
        self.days
            .get(day)
            .and_then(|m| m.get(name))
            .copied()
            .unwrap_or(0)
    }

    /// A counter summed over the days from `from` (inclusive, `yyyy-mm-dd`).
    pub fn since(&self, from: &str, name: &str) -> i64 {
        self.days
            .range(from.to_owned()..)
            .filter_map(|(_, m)| m.get(name))
            .sum()
    }

    /// An all-time counter.
    pub fn total(&self, name: &str) -> i64 {
        self.totals.get(name).copied().unwrap_or(0)
    }
}

/// The two `ADD` updates (day shard and totals shard) that count `adds` at
/// `now`, for a caller's transaction.
pub fn count_items(
    table: &str,
    now: i64,
    key: &str,
    adds: &[(String, i64)],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let shard = shard_of(key);
    [day_sk(&day_of(now), shard), total_sk(shard)]
        .into_iter()
        .map(|sk| {
            let upd = add_update(table, sk, adds)
                .build()
                .map_err(|e| StoreError::Dynamo(e.to_string()))?;
            Ok(TransactWriteItem::builder().update(upd).build())
        })
        .collect()
}

fn add_update(
    table: &str,
    sk: String,
    adds: &[(String, i64)],
) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    let mut upd = Update::builder()
        .table_name(table)
        .key("PK", s(PK))
        .key("SK", s(sk));
    let mut parts = Vec::new();
    for (i, (name, v)) in adds.iter().enumerate() {
        parts.push(format!("#c{i} :c{i}"));
        upd = upd
            .expression_attribute_names(format!("#c{i}"), name)
            .expression_attribute_values(format!(":c{i}"), n(v));
    }
    upd.update_expression(format!("ADD {}", parts.join(", ")))
}

impl Store {
    /// Counts `adds` at `now` (day and totals), outside any transaction:
    /// for events that are already once-only (a registration, a trial).
    pub async fn count(
        &self,
        now: i64,
        key: &str,
        adds: &[(String, i64)],
    ) -> Result<(), StoreError> {
        let items = count_items(&self.table, now, key, adds)?;
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// The counters of the days `from..=to` (`yyyy-mm-dd`) and all time:
    /// two queries on the `STATS` partition, whatever the number of users.
    pub async fn counters(&self, from: &str, to: &str) -> Result<Counters, StoreError> {
        let mut out = Counters::default();
        let day_range = [(":a", format!("DAY#{from}")), (":b", format!("DAY#{to}#~"))];
        let total_prefix = [(":a", "TOTAL#".to_owned())];
        let days = self.query_stats("PK = :pk AND SK BETWEEN :a AND :b", &day_range);
        let totals = self.query_stats("PK = :pk AND begins_with(SK, :a)", &total_prefix);
        let (days, totals) = tokio::try_join!(days, totals)?;
        for item in days {
            let Some(day) = item
                .str("SK")
                .and_then(|sk| sk.strip_prefix("DAY#"))
                .and_then(|r| r.split('#').next())
            else {
                continue;
            };
            let entry = out.days.entry(day.to_owned()).or_default();
            add_numbers(entry, &item);
        }
        for item in totals {
            add_numbers(&mut out.totals, &item);
        }
        Ok(out)
    }

    async fn query_stats(
        &self,
        cond: &str,
        values: &[(&str, String)],
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression(cond)
                .expression_attribute_values(":pk", s(PK))
                .set_exclusive_start_key(start);
            for (k, v) in values {
                req = req.expression_attribute_values(*k, s(v));
            }
            let page = req.send().await.map_err(StoreError::from_sdk)?;
            items.extend(page.items().iter().cloned());
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(items);
            }
        }
    }
}

fn add_numbers(into: &mut BTreeMap<String, i64>, item: &Item) {
    for name in item.keys() {
        if name == "PK" || name == "SK" {
            continue;
        }
        if let Some(v) = item.i64(name) {
            *into.entry(name.clone()).or_default() += v;
        }
    }
}
