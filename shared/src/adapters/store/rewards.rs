//! The inviter's reward for an invitee's payment: bonus days or money and
//! one more paying invitee.
//!
//! The crediting transaction records what is due on the order
//! ([`ReferralDue`]) without reading the inviter, so a payment webhook
//! costs one read whoever pays. The jobs worker grants it as the first
//! after-payment effect (`ref_reward`), in one transaction with the order:
//! the inviter's update, the ledger row, and on the order the reward as
//! granted (`ref_inviter`, `ref_days`, `ref_money`, which refunds take back)
//! with the effect marked done, on condition that the order is still paid
//! and not yet rewarded. A second run, a duplicate message or a crash after
//! the commit finds the marker and grants nothing; a refund that came
//! first leaves the order refunded and the reward is never granted.

use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::attrs::{ItemExt, n, s};
use crate::adapters::store::orders::{
    LedgerEntry, ORDER_SK, Order, OrderStatus, ReferralDue, build_err, extend, order_key,
};
use crate::adapters::store::stats::{Counted, End, ends_items_all};
use crate::adapters::store::{Item, Store, StoreError};
use crate::base::types::Kopecks;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use futures::FutureExt;

/// The effect code marking the reward granted (or found not owed).
pub const REWARD: &str = "ref_reward";

/// Attempts before giving up to the queue's retry (the inviter's end
/// moved under us each time).
const ATTEMPTS: usize = 6;

impl Store {
    /// Grants the reward `order` records as due, exactly once; returns the
    /// order as it is after (with [`Order::referral`] set when days or money
    /// were given). An inviter who is gone (never registered, or deleted)
    /// gets nothing and the effect is marked done.
    pub async fn grant_referral(&self, order: &Order, now: i64) -> Result<Order, StoreError> {
        let Some(due) = order.referral_due else {
            return Ok(order.clone());
        };
        for attempt in 0..ATTEMPTS {
            // The first attempt trusts the order as the caller read it (the
            // effects' lease returns it); a canceled one re-reads.
            let current = match attempt {
                0 => order.clone(),
                _ => self.get_order(&order.id).boxed().await?.ok_or_else(|| {
                    StoreError::Dynamo(format!("order {} vanished before its reward", order.id))
                })?,
            };
            if current.effects_done.iter().any(|d| d == REWARD) || current.referral.is_some() {
                return Ok(current);
            }
            // Refunded before it was granted (the refund saw nothing to
            // take back), or the inviter is gone: nothing is owed.
            let inviter = match current.status {
                OrderStatus::Paid => self
                    .profile_item(due.inviter, None)
                    .boxed()
                    .await?
                    .filter(|i| i.contains_key("created_at")),
                _ => None,
            };
            let Some(inviter) = inviter else {
                self.mark_effect_done(&order.id, REWARD).await?;
                let mut done = current;
                done.effects_done.push(REWARD.to_owned());
                return Ok(done);
            };
            if let Some(granted) = self.try_grant(&current, due, &inviter, now).boxed().await? {
                return Ok(granted);
            }
        }
        Err(StoreError::Dynamo(format!(
            "order {}: the inviter's reward kept racing concurrent changes; retried by the queue",
            order.id
        )))
    }

    /// One attempt; `None` when the transaction was canceled (the inviter
    /// changed, or the order was rewarded or refunded meanwhile).
    async fn try_grant(
        &self,
        order: &Order,
        due: ReferralDue,
        inviter: &Item,
        now: i64,
    ) -> Result<Option<Order>, StoreError> {
        let given = due.days > 0 || due.money > 0;
        let mut set = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(order_key(&order.id)))
            .key("SK", s(ORDER_SK))
            .condition_expression("#st = :paid AND attribute_not_exists(ref_inviter) AND (attribute_not_exists(fx) OR NOT contains(fx, :reward))")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":paid", s(OrderStatus::Paid.code()))
            .expression_attribute_values(":reward", s(REWARD))
            .expression_attribute_values(":rewardset", AttributeValue::Ss(vec![REWARD.to_owned()]));
        if given {
            set.push("ref_inviter = :inviter, ref_days = :days");
            update = update
                .expression_attribute_values(":inviter", n(due.inviter))
                .expression_attribute_values(":days", n(due.days));
            if due.money > 0 {
                set.push("ref_money = :money");
                update = update.expression_attribute_values(":money", n(due.money));
            }
        }
        let expr = if set.is_empty() {
            "ADD fx :rewardset".to_owned()
        } else {
            format!("SET {} ADD fx :rewardset", set.join(", "))
        };
        let mut items = vec![
            TransactWriteItem::builder()
                .update(update.update_expression(expr).build().map_err(build_err)?)
                .build(),
            self.inviter_item(due.inviter, inviter, &due, now)?,
        ];
        if due.days > 0 {
            // The inviter's end moves between the admin stats' end buckets
            // in the same transaction (`inviter_item` conditions on the
            // counted mark as read).
            let new_end = extend(inviter.i64("sub_end"), now, due.days);
            let moves = [(
                due.inviter.to_string(),
                Counted::of(inviter).old,
                End::moved(inviter, new_end),
            )];
            items.extend(ends_items_all(&self.table, &moves)?);
        }
        if given {
            let entry = LedgerEntry {
                user: due.inviter,
                kind: "referral_bonus",
                amount: (due.money > 0).then(|| Money::rub(Kopecks(due.money))),
                days: (due.days > 0).then_some(due.days),
                units: None,
                order: OrderId(order.id.0.clone()),
                provider: None,
            };
            items.push(self.ledger_item(&entry, now)?);
        }
        if !self.try_transact(items).boxed().await? {
            tracing::info!(order = %order.id, "referral reward transaction canceled; re-reading");
            return Ok(None);
        }
        let mut granted = order.clone();
        if given {
            granted.referral = Some((due.inviter, due.days));
            granted.referral_money = (due.money > 0).then_some(due.money);
        }
        granted.effects_done.push(REWARD.to_owned());
        Ok(Some(granted))
    }
}
