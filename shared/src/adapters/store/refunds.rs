//! A refund's transaction: the order `paid → refunded`, the days it
//! granted taken back (never below now), a top-up's rubles off the balance
//! (never below zero), a balance purchase's price back, the inviter's bonus
//! back, and the ledger.

use super::attrs::{ItemExt, n, s};
use super::keys::{self, expiry_pk, expiry_sk};
use super::orders::{
    LedgerEntry, ORDER_SK, Order, OrderStatus, Purchase, Refund, build_err, order_key,
};
use super::stats::{Counted, End, EndMove, ends_items_all};
use super::{Store, StoreError};
use crate::adapters::pay::Money;
use crate::base::types::{Kopecks, Provider, TelegramId};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

impl Store {
    pub async fn try_refund(&self, order: &Order, now: i64) -> Result<Option<Refund>, StoreError> {
        let mut items = vec![
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(&self.table)
                        .key("PK", s(order_key(&order.id)))
                        .key("SK", s(ORDER_SK))
                        .update_expression("SET #st = :refunded, refunded_at = :now")
                        // A reward granted after this read must be taken
                        // back too: then this fails and the refund re-reads.
                        .condition_expression(if order.referral.is_some() {
                            "#st = :paid"
                        } else {
                            "#st = :paid AND attribute_not_exists(ref_inviter)"
                        })
                        .expression_attribute_names("#st", "status")
                        .expression_attribute_values(":refunded", s(OrderStatus::Refunded.code()))
                        .expression_attribute_values(":paid", s(OrderStatus::Paid.code()))
                        .expression_attribute_values(":now", n(now))
                        .build()
                        .map_err(build_err)?,
                )
                .build(),
        ];
        // The ledger's refund row says what left the user's account here:
        // a top-up's rubles, or what the order was paid.
        let mut ledger = vec![LedgerEntry {
            user: order.user,
            kind: "refund",
            amount: Some(match order.purchase {
                Purchase::TopUp(rubles) => Money::rub(rubles),
                _ => order.amount.clone(),
            }),
            days: None,
            units: match order.purchase {
                Purchase::Devices(count) => Some(u64::from(count)),
                Purchase::Traffic(bytes) => Some(bytes),
                _ => None,
            },
            order: order.id.clone(),
            provider: Some(order.provider),
        }];
        let buyer = self
            .profile_item(order.user, None)
            .await?
            .unwrap_or_default();
        let mut end_moves: Vec<EndMove> = Vec::new();
        let mut shortfall = Kopecks(0);
        let mut buyer_end = None;
        match order.purchase {
            Purchase::Plan(_) | Purchase::Devices(_) | Purchase::Traffic(_) => {
                // A purchase from the balance gives the balance back.
                let give_back = match order.provider {
                    Provider::Balance => order.amount.as_rub(),
                    _ => None,
                };
                let old_end = buyer.i64("sub_end");
                // What the purchase granted, taken back: its days, its
                // device slots, its traffic (never below none).
                let mut units = Vec::new();
                let mut new_end = None;
                match order.purchase {
                    Purchase::Plan(period) => {
                        let days = order.granted_days.unwrap_or(period.days());
                        new_end = old_end.map(|old| (old - i64::from(days) * 86_400).max(now));
                    }
                    Purchase::Devices(count) => {
                        let held = buyer.u64("xdev").unwrap_or(0);
                        units.push(("xdev", held, held.saturating_sub(u64::from(count))));
                    }
                    Purchase::Traffic(bytes) => {
                        let packs = buyer.u64("xgb").unwrap_or(0);
                        let old_packs = buyer.u64("xgb_old").unwrap_or(0);
                        let from_packs = packs.min(bytes);
                        let from_old = old_packs.min(bytes - from_packs);
                        units.push(("xgb", packs, packs - from_packs));
                        units.push(("xgb_old", old_packs, old_packs - from_old));
                        // Traffic sale mode: with no traffic left bought,
                        // the subscription ends (a limit of 0 would be
                        // unlimited on the panel).
                        if old_end == Some(super::credit::TRAFFIC_MODE_END)
                            && packs - from_packs + old_packs - from_old == 0
                        {
                            new_end = Some(now);
                        }
                    }
                    Purchase::TopUp(_) => {}
                }
                units.retain(|(_, old, new)| old != new);
                let counted = Counted::of(&buyer);
                let ends = old_end.zip(new_end);
                if ends.is_some() || give_back.is_some() || !units.is_empty() {
                    items.push(self.take_back_item(order.user, ends, counted, give_back, &units)?);
                }
                if let (Some(_), Some(new_end)) = (old_end, new_end) {
                    end_moves.push((
                        order.user.to_string(),
                        counted.old,
                        End::moved(&buyer, new_end),
                    ));
                    buyer_end = Some(new_end);
                }
            }
            Purchase::TopUp(rubles) => {
                let balance = Kopecks(buyer.u64("balance").unwrap_or_default());
                let take = balance.min(rubles);
                shortfall = rubles.saturating_sub(take);
                if buyer.contains_key("balance") {
                    let update = Update::builder()
                        .table_name(&self.table)
                        .key("PK", s(keys::user(order.user)))
                        .key("SK", s(keys::PROFILE))
                        .update_expression("SET balance = :new")
                        .condition_expression("balance = :old")
                        .expression_attribute_values(":new", n(balance.saturating_sub(take).0))
                        .expression_attribute_values(":old", n(balance.0))
                        .build()
                        .map_err(build_err)?;
                    items.push(TransactWriteItem::builder().update(update).build());
                }
                if shortfall > Kopecks(0) {
                    ledger.push(LedgerEntry {
                        user: order.user,
                        kind: "refund_shortfall",
                        amount: Some(Money::rub(shortfall)),
                        days: None,
                        units: None,
                        order: order.id.clone(),
                        provider: Some(order.provider),
                    });
                }
            }
        }
        let mut inviter_end = None;
        if let Some((inviter, days)) = order.referral
            && let Some(item) = self.profile_item(inviter, None).await?
        {
            let old_end = item.i64("sub_end").filter(|_| days > 0);
            let money = order.referral_money.unwrap_or_default();
            let balance = item.u64("balance").unwrap_or_default();
            // Never below zero: bonus money already spent stays spent.
            let take = balance.min(money);
            if old_end.is_some() || take > 0 {
                let mut update = Update::builder()
                    .table_name(&self.table)
                    .key("PK", s(keys::user(inviter)))
                    .key("SK", s(keys::PROFILE));
                let mut set = Vec::new();
                let mut add = Vec::new();
                let mut cond = Vec::new();
                if let Some(old_end) = old_end {
                    let new_end = (old_end - i64::from(days) * 86_400).max(now);
                    let counted = Counted::of(&item);
                    set.push("sub_end = :end, refund_cap = :end, GSI2PK = :exp, GSI2SK = :expsk");
                    set.push(Counted::SET);
                    add.push("ref_days_earned :mdays");
                    cond.push("sub_end = :old");
                    cond.push(counted.condition());
                    update = update
                        .expression_attribute_values(Counted::VALUE, n(1))
                        .expression_attribute_values(":end", n(new_end))
                        .expression_attribute_values(":old", n(old_end))
                        .expression_attribute_values(":exp", s(expiry_pk(new_end)))
                        .expression_attribute_values(":expsk", s(expiry_sk(inviter, new_end)))
                        .expression_attribute_values(":mdays", n(-i64::from(days)));
                    inviter_end = Some((inviter, new_end));
                    end_moves.push((inviter.to_string(), counted.old, End::moved(&item, new_end)));
                }
                if take > 0 {
                    set.push("balance = :newbal");
                    add.push("ref_money_earned :mmoney");
                    cond.push("balance = :oldbal");
                    update = update
                        .expression_attribute_values(":newbal", n(balance - take))
                        .expression_attribute_values(":oldbal", n(balance))
                        .expression_attribute_values(":mmoney", n(-(take as i64)));
                }
                let expr = format!("SET {} ADD {}", set.join(", "), add.join(", "));
                items.push(
                    TransactWriteItem::builder()
                        .update(
                            update
                                .update_expression(expr)
                                .condition_expression(cond.join(" AND "))
                                .build()
                                .map_err(build_err)?,
                        )
                        .build(),
                );
                ledger.push(LedgerEntry {
                    user: inviter,
                    kind: "referral_bonus_revoked",
                    amount: (take > 0).then(|| Money::rub(Kopecks(take))),
                    days: old_end.map(|_| days),
                    units: None,
                    order: order.id.clone(),
                    provider: None,
                });
            }
        }
        // Counted in the refund's own transaction: once, whatever dies later.
        items.extend(super::stats::count_items(
            &self.table,
            now,
            &order.id.0,
            &[(super::stats::counter::REFUNDS.to_owned(), 1)],
        )?);
        items.extend(ends_items_all(&self.table, &end_moves)?);
        for entry in &ledger {
            items.push(self.ledger_item(entry, now)?);
        }
        if !self.try_transact(items).await? {
            tracing::info!(order = %order.id, "refund transaction canceled; re-reading");
            return Ok(None);
        }
        let mut refunded = order.clone();
        refunded.status = OrderStatus::Refunded;
        Ok(Some(Refund::Done {
            order: refunded,
            buyer_end,
            inviter_end,
            shortfall,
        }))
    }

    /// The buyer's side of a plan's refund: the end moved from `ends.0`
    /// back to `ends.1` (on condition it is still `ends.0`), and the price
    /// of a plan bought from the balance given back to it.
    fn take_back_item(
        &self,
        user: TelegramId,
        ends: Option<(i64, i64)>,
        counted: Counted,
        give_back: Option<Kopecks>,
        units: &[(&'static str, u64, u64)],
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE));
        let mut set = Vec::new();
        let mut conditions = Vec::new();
        for (i, (attr, old, new)) in units.iter().enumerate() {
            set.push(format!("{attr} = :u{i}"));
            conditions.push(format!("{attr} = :o{i}"));
            update = update
                .expression_attribute_values(format!(":u{i}"), n(*new))
                .expression_attribute_values(format!(":o{i}"), n(*old));
        }
        if let Some((old_end, new_end)) = ends {
            set.push(format!(
                "sub_end = :end, refund_cap = :end, GSI2PK = :exp, GSI2SK = :expsk, {}",
                Counted::SET
            ));
            conditions.push(format!("sub_end = :old AND {}", counted.condition()));
            update = update
                .expression_attribute_values(Counted::VALUE, n(1))
                .expression_attribute_values(":end", n(new_end))
                .expression_attribute_values(":old", n(old_end))
                .expression_attribute_values(":exp", s(expiry_pk(new_end)))
                .expression_attribute_values(":expsk", s(expiry_sk(user, new_end)));
        }
        let mut expr = String::new();
        if !set.is_empty() {
            expr = format!("SET {}", set.join(", "));
            update = update.condition_expression(conditions.join(" AND "));
        }
        if let Some(back) = give_back {
            expr.push_str(" ADD balance :back");
            update = update.expression_attribute_values(":back", n(back.0));
        }
        let update = update
            .update_expression(expr.trim())
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
