//! What falls due in a time window, read from the day-keyed index GSI2
//! (`EXP#<day>` for subscription ends, `PENDING#<day>` for pending orders),
//! and the scheduler's cursor. A window costs the items in it, never the
//! number of users: one `Query` per day the window touches.

use super::attrs::{ItemExt, n, s};
use super::keys;
use super::{Store, StoreError, unless_condition_failed};
use crate::base::types::TelegramId;
use futures::FutureExt;

/// Partition key of the scheduler's cursor.
const SCHED: &str = "SCHED";
/// Sort key of the cursor.
const CURSOR: &str = "CURSOR";

/// What one window query found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Due<T> {
    /// The items, in time order.
    pub items: Vec<T>,
    /// Items DynamoDB read for them (the query's `ScannedCount`).
    pub read: u64,
}

impl Store {
    /// Subscriptions ending in `[from, to)`: (user, end, auto-renewal from
    /// the balance on). The index projects the whole profile, so the flag
    /// costs no extra read.
    pub async fn subscriptions_ending(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Due<(TelegramId, i64, bool)>, StoreError> {
        let raw = self.window(keys::expiry_pk, from, to).await?;
        Ok(Due {
            items: raw
                .items
                .iter()
                .filter_map(|(t, rest, flag)| Some((TelegramId(rest.parse().ok()?), *t, *flag)))
                .collect(),
            read: raw.read,
        })
    }

    /// Pending orders created in `[from, to)`: (created, order id).
    pub async fn pending_orders_created(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Due<(i64, String)>, StoreError> {
        let raw = self.window(keys::pending_pk, from, to).await?;
        Ok(Due {
            items: raw
                .items
                .into_iter()
                .map(|(t, rest, _)| (t, rest))
                .collect(),
            read: raw.read,
        })
    }

    /// Every `GSI2SK = <time>#<rest>` with time in `[from, to)` under the
    /// day partitions `pk` gives, paged, with the item's `renew_balance` flag.
    async fn window(
        &self,
        pk: fn(i64) -> String,
        from: i64,
        to: i64,
    ) -> Result<Due<(i64, String, bool)>, StoreError> {
        let mut out = Due::default();
        if from >= to {
            return Ok(out);
        }
        // `<time>#…` sorts by time while times have ten digits (until 2286);
        // '~' sorts after every character of the rest.
        let lo = format!("{from}");
        let hi = format!("{}#~", to - 1);
        let mut day = from - from.rem_euclid(86_400);
        while day < to {
            let mut start = None;
            loop {
                let page = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name("GSI2")
                    .key_condition_expression("GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi")
                    .expression_attribute_values(":pk", s(pk(day)))
                    .expression_attribute_values(":lo", s(&lo))
                    .expression_attribute_values(":hi", s(&hi))
                    .projection_expression("GSI2SK, renew_balance")
                    .set_exclusive_start_key(start)
                    .send()
                    .boxed()
                    .await
                    .map_err(StoreError::from_sdk)?;
                out.read += page.scanned_count().max(0) as u64;
                for item in page.items() {
                    let Some((t, rest)) = item.str("GSI2SK").and_then(|v| v.split_once('#')) else {
                        continue;
                    };
                    if let Ok(t) = t.parse::<i64>()
                        && (from..to).contains(&t)
                    {
                        out.items
                            .push((t, rest.to_owned(), item.flag("renew_balance")));
                    }
                }
                start = page.last_evaluated_key().cloned();
                if start.is_none() {
                    break;
                }
            }
            day += 86_400;
        }
        Ok(out)
    }

    /// Where the scheduler's last run stopped (the end of its window).
    pub async fn schedule_cursor(&self) -> Result<Option<i64>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(SCHED))
            .key("SK", s(CURSOR))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item().and_then(|i| i.i64("until")))
    }

    /// Moves the cursor forward to `until` (never back: an older run that
    /// finishes late does not re-open a window).
    pub async fn advance_schedule_cursor(&self, until: i64) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(SCHED))
            .key("SK", s(CURSOR))
            .update_expression("SET #u = :u")
            .condition_expression("attribute_not_exists(#u) OR #u < :u")
            .expression_attribute_names("#u", "until")
            .expression_attribute_values(":u", n(until))
            .send()
            .boxed()
            .await;
        unless_condition_failed(result)?;
        Ok(())
    }
}
