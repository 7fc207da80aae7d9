//! The ledger: one row per movement of money or days
//! (`USER#<id>/LEDGER#<time>#<order>#<kind>`), written with the change it
//! records, read newest first.

use super::attrs::{ItemExt, n, s};
use super::history::HistoricalEntry;
use super::keys;
use super::orders::{LedgerEntry, LedgerRow, build_err};
use super::{Store, StoreError};
use crate::adapters::pay::Money;
use crate::base::types::{Provider, TelegramId};
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use futures::FutureExt;

impl Store {
    pub fn ledger_item(
        &self,
        entry: &LedgerEntry,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .item("PK", s(keys::user(entry.user)))
            .item(
                "SK",
                s(format!("LEDGER#{now:011}#{}#{}", entry.order, entry.kind)),
            )
            .item("kind", s(entry.kind))
            .item("order_id", s(&entry.order.0))
            .item("at", n(now))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(m) = &entry.amount {
            put = put
                .item("amount", n(m.minor()))
                .item("currency", s(m.currency()));
        }
        if let Some(d) = entry.days {
            put = put.item("days", n(d));
        }
        if let Some(u) = entry.units {
            put = put.item("units", n(u));
        }
        if let Some(p) = entry.provider {
            put = put.item("provider", s(p.code()));
        }
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(build_err)?)
            .build())
    }

    /// A page of a user's ledger, newest first; `after` is the previous page's cursor.
    pub async fn ledger_page(
        &self,
        user: TelegramId,
        after: Option<&str>,
        size: i32,
    ) -> Result<(Vec<LedgerRow>, Option<String>), StoreError> {
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :ledger)")
            .expression_attribute_values(":pk", s(keys::user(user)))
            .expression_attribute_values(":ledger", s("LEDGER#"))
            .scan_index_forward(false)
            .limit(size);
        if let Some(sk) = after {
            req = req
                .exclusive_start_key("PK", s(keys::user(user)))
                .exclusive_start_key("SK", s(format!("LEDGER#{sk}")));
        }
        let out = req.send().boxed().await.map_err(StoreError::from_sdk)?;
        let rows = out
            .items()
            .iter()
            .map(|i| LedgerRow {
                kind: i.str("kind").unwrap_or_default().to_owned(),
                at: i.i64("at").unwrap_or_default(),
                amount: i
                    .u64("amount")
                    .and_then(|minor| Money::from_minor(minor, i.str("currency").unwrap_or("RUB"))),
                days: i.u64("days").map(|d| d as u32),
                units: i.u64("units"),
                provider: i.str("provider").and_then(Provider::from_code),
            })
            .collect();
        let next = out
            .last_evaluated_key()
            .and_then(|k| k.get("SK"))
            .and_then(|v| v.as_s().ok())
            .and_then(|sk| sk.strip_prefix("LEDGER#"))
            .map(str::to_owned);
        Ok((rows, next))
    }

    /// The write that records a historical ledger line, conditioned on its
    /// key (derived from the source row) being new.
    pub fn historical_entry_write(
        &self,
        e: &HistoricalEntry,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .item("PK", s(keys::user(e.user)))
            .item(
                "SK",
                s(format!("LEDGER#{:011}#{}#{}", e.at, e.source_id, e.kind)),
            )
            .item("kind", s(&e.kind))
            .item("order_id", s(&e.source_id))
            .item("at", n(e.at))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(m) = &e.amount {
            put = put
                .item("amount", n(m.minor()))
                .item("currency", s(m.currency()));
        }
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(build_err)?)
            .build())
    }
}
