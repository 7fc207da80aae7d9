//! What the importer brings over from the old bot's payments: paid (or
//! still pending) orders with every after-payment effect marked done, so no
//! notice or panel update is ever sent for them, and their ledger rows.

use super::attrs::{n, s};
use super::keys;
use super::orders::{
    EFFECT_CODES, LedgerEntry, Order, OrderStatus, Purchase, build_err, order_item,
};
use super::{Store, StoreError};
use crate::adapters::pay::Money;
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

/// A payment made before this bot existed (in the bot the operator moved
/// from), recorded by the importer as a paid order and its ledger row.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricalPayment {
    /// The order, status `paid`, `refunded` or `pending` (started in the
    /// old bot, not paid yet); its id is derived from the source row so a
    /// re-run finds it.
    pub order: Order,
    /// When it was paid, unix seconds.
    pub paid_at: i64,
    /// Where it came from (`remnawave-tg-shop:payment:<id>`).
    pub source: String,
    /// The order id the old bot gave the provider, when a late
    /// notification names that rather than a payment id of the provider's
    /// (FreeKassa's `MERCHANT_ORDER_ID`, the Python bot's payment id).
    pub merchant_order: Option<String>,
}

/// A line of history from the old bot that is not a payment (a balance
/// movement), recorded by the importer.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricalEntry {
    /// Whose history.
    pub user: TelegramId,
    /// A stable id of the source row (`tx42`): with `at` and `kind` the key.
    pub source_id: String,
    /// Ledger kind (`balance_in`, `balance_out`, `purchase`, `refund`).
    pub kind: String,
    /// When, unix seconds.
    pub at: i64,
    /// Money moved.
    pub amount: Option<Money>,
}

impl Store {
    /// The writes that record a historical payment: the order (with what it
    /// granted, its provider and provider id, every after-payment effect
    /// marked done so nothing is re-sent) and its ledger row, each
    /// conditioned on its key being new. They move no balance and no
    /// subscription end: the importer carries those over as the old bot's
    /// final values. The importer commits them in the user's import
    /// transaction (`Store::import_user`).
    pub fn historical_payment_writes(
        &self,
        p: &HistoricalPayment,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let o = &p.order;
        // What every imported order has, pending or paid.
        let mut order = Put::builder()
            .table_name(&self.table)
            .set_item(Some(order_item(o, o.status)))
            .item("imported", s(&p.source))
            .item("GSI1PK", s(format!("ORDERS#{}", o.user)))
            .item("GSI1SK", s(format!("{}#{}", o.created_at, o.id)))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(r) = &o.provider_ref {
            order = order.item("provider_ref", s(r));
        }
        if o.status == OrderStatus::Pending {
            // Started in the old bot, not paid yet: a pending order like
            // ours (its provider's late notification credits it), no history.
            let order = order
                .item("GSI2PK", s(keys::pending_pk(o.created_at)))
                .item("GSI2SK", s(format!("{}#{}", o.created_at, o.id)));
            return Ok(vec![
                TransactWriteItem::builder()
                    .put(order.build().map_err(build_err)?)
                    .build(),
            ]);
        }
        order = order.item("paid_at", n(p.paid_at)).item(
            "fx",
            AttributeValue::Ss(EFFECT_CODES.iter().map(|c| (*c).to_owned()).collect()),
        );
        if let Some(d) = o.granted_days {
            order = order.item("days", n(d));
        }
        let (kind, units) = match o.purchase {
            Purchase::Plan(_) => ("purchase", None),
            Purchase::TopUp(_) => ("topup", None),
            Purchase::Devices(count) => ("devices", Some(u64::from(count))),
            Purchase::Traffic(bytes) => ("traffic", Some(bytes)),
        };
        let entry = LedgerEntry {
            user: o.user,
            kind,
            amount: Some(o.amount.clone()),
            days: o.granted_days,
            units,
            order: o.id.clone(),
            provider: Some(o.provider),
        };
        Ok(vec![
            TransactWriteItem::builder()
                .put(order.build().map_err(build_err)?)
                .build(),
            self.ledger_item(&entry, p.paid_at)?,
        ])
    }
}
