//! The payments index: one small item per credited order under the day it
//! was credited, `PAYDAY#<yyyy-mm-dd>` / `<time:011>#<order id>`, written in
//! the crediting transaction. The admin's payments list and CSV query a day
//! (newest first) instead of scanning the orders; a payment's current
//! status comes from its order.

use super::attrs::{ItemExt, n, s};
use super::keys::day_of;
use super::{Store, StoreError};
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use futures::FutureExt;

/// Partition key of a day's payments.
pub fn day_pk(day: &str) -> String {
    format!("PAYDAY#{day}")
}

/// One credited payment as indexed.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRow {
    /// The order.
    pub order: String,
    /// The buyer.
    pub user: TelegramId,
    /// Provider code.
    pub provider: String,
    /// What was bought (`plan:1m`, `topup`).
    pub purchase: String,
    /// Minor units.
    pub amount: u64,
    /// Currency code.
    pub currency: String,
    /// When it was credited.
    pub at: i64,
}

/// The index item for a credited order, for the crediting transaction.
#[allow(clippy::too_many_arguments)]
pub fn index_item(
    table: &str,
    order: &str,
    user: TelegramId,
    provider: &str,
    purchase: &str,
    amount: u64,
    currency: &str,
    now: i64,
) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .item("PK", s(day_pk(&day_of(now))))
        .item("SK", s(format!("{now:011}#{order}")))
        .item("order_id", s(order))
        .item("user", n(user))
        .item("provider", s(provider))
        .item("purchase", s(purchase))
        .item("amount", n(amount))
        .item("currency", s(currency))
        .item("at", n(now))
        .build()
        .map_err(|e| StoreError::Dynamo(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

impl Store {
    /// A day's payments, newest first, optionally of one provider (every
    /// page of the day's partition).
    pub async fn payments_of_day(
        &self,
        day: &str,
        provider: Option<&str>,
    ) -> Result<Vec<PaymentRow>, StoreError> {
        let mut rows = Vec::new();
        let mut start = None;
        loop {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(day_pk(day)))
                .scan_index_forward(false)
                .set_exclusive_start_key(start);
            if let Some(p) = provider {
                req = req
                    .filter_expression("provider = :p")
                    .expression_attribute_values(":p", s(p));
            }
            let out = req.send().boxed().await.map_err(StoreError::from_sdk)?;
            rows.extend(out.items().iter().map(|i| PaymentRow {
                order: i.str("order_id").unwrap_or_default().to_owned(),
                user: TelegramId(i.i64("user").unwrap_or_default()),
                provider: i.str("provider").unwrap_or_default().to_owned(),
                purchase: i.str("purchase").unwrap_or_default().to_owned(),
                amount: i.u64("amount").unwrap_or_default(),
                currency: i.str("currency").unwrap_or_default().to_owned(),
                at: i.i64("at").unwrap_or_default(),
            }));
            start = out.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(rows);
            }
        }
    }
}
