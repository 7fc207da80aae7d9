//! The crediting transaction's items: the order `pending → paid` (or
//! written paid), the buyer's end or balance, the discount used, the
//! ledger, the counters and the payments index, in one transaction whose
//! conditions make it exactly-once. What it grants is decided from the
//! [`CreditTerms`] the money domain gives (`crate::domains::money::orders`).

use super::attrs::{ItemExt, n, s};
use super::campaigns::CampaignPayment;
use super::keys::{self, expiry_pk, expiry_sk};
use super::orders::{
    Credit, CreditOutcome, LedgerEntry, ORDER_SK, Order, OrderStatus, Payment, Purchase,
    ReferralDue, build_err, extend, order_item, order_key,
};
use super::stats::{COUNTED, Counted, End, EndMove, count_items, counter, ends_items_all};
use super::users::User;
use super::{Item, Store, StoreError, Transacted};
use crate::adapters::pay::{Money, OrderId};
use crate::base::types::{Kopecks, Period, Provider, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

/// What a credited purchase grants, per period: the settings' numbers the
/// money domain hands the store, so the store decides nothing of its own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreditTerms {
    /// Bonus only for the invitee's first purchase (REFERRAL_ONE_BONUS_PER_REFEREE).
    pub one_bonus_per_referee: bool,
    /// Per period, in [`Period::ALL`] order.
    pub periods: [PeriodTerms; 4],
    /// Unused pack traffic survives one renewal (TRAFFIC_TOPUP_CARRY_OVER).
    pub carry_over: bool,
    /// The traffic a period includes, bytes (0 = unlimited): what packs
    /// add to, for the carry-over's "unused".
    pub base_traffic: u64,
    /// Traffic sale mode: a pack makes the subscription last until
    /// [`TRAFFIC_MODE_END`].
    pub traffic_mode: bool,
}

/// The end of a subscription in traffic sale mode: traffic runs out, time
/// does not (2099-12-31, as remnawave-tg-shop writes it).
pub const TRAFFIC_MODE_END: i64 = 4_102_358_400;

/// What a purchase of one period grants besides its days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeriodTerms {
    /// Days the referred buyer gets on top.
    pub referee_days: u32,
    /// Days the inviter gets.
    pub inviter_days: u32,
    /// Kopecks the inviter gets on the balance.
    pub inviter_money: u64,
}

impl CreditTerms {
    /// The terms of `period`.
    pub fn of(&self, period: Period) -> PeriodTerms {
        Period::ALL
            .iter()
            .position(|p| *p == period)
            .map(|i| self.periods[i])
            .unwrap_or_default()
    }
}

/// One try at the crediting transaction.
pub enum Attempt {
    /// Decided: credited, or why not.
    Done(Box<CreditOutcome>),
    /// A concurrent change won: read again and retry.
    Raced,
}

impl Store {
    pub async fn try_credit(
        &self,
        terms: &CreditTerms,
        order: &Order,
        buyer_item: Item,
        payment: &Payment,
        create: bool,
        now: i64,
    ) -> Result<Attempt, StoreError> {
        let old_end = buyer_item.i64("sub_end");
        let balance = Kopecks(buyer_item.u64("balance").unwrap_or_default());
        // What the balance pays: only ever rubles.
        let debit = match (order.provider, order.amount.as_rub()) {
            (Provider::Balance, Some(price)) => Some(price),
            (Provider::Balance, None) => {
                return Ok(Attempt::Done(Box::new(CreditOutcome::Mismatch {
                    order: order.clone(),
                    paid: payment.amount.clone(),
                })));
            }
            _ => None,
        };
        if debit.is_some_and(|price| balance < price) {
            return Ok(Attempt::Done(Box::new(CreditOutcome::InsufficientBalance(
                order.clone(),
            ))));
        }
        let referrer = buyer_item.i64("referrer").map(TelegramId);
        let first_purchase = !buyer_item.flag("ref_bonus_given");
        // Money that came from outside (not the balance) counts for the
        // inviter's "paying invitees" and the buyer's campaign.
        let real_payment = order.provider != Provider::Balance;
        let first_paid = real_payment && !buyer_item.contains_key("first_paid_at");
        let mut inviter_reward = InviterReward::default();
        // The buyer's item as the transaction leaves it, so the caller gets
        // the credited user without reading it back.
        let mut after = buyer_item.clone();
        after.insert("tg_id".into(), n(order.user));
        after.remove("refund_cap");
        after.remove("panel_gone");

        let mut items = Vec::new();
        let mut ledger = Vec::new();
        let mut granted_days = None;
        // Users whose end moves, for the end buckets (one update per item).
        let mut end_moves: Vec<EndMove> = Vec::new();
        let mut buyer = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(order.user)))
            .key("SK", s(keys::PROFILE))
            .expression_attribute_values(":id", n(order.user));
        let mut set = vec!["tg_id = :id".to_owned()];
        let mut add = Vec::new();
        let mut conditions = Vec::new();
        // A payment lifts the cap a refund put on reconciliation, and lets a
        // panel account deleted on the panel be created again.
        let mut remove = vec!["refund_cap".to_owned(), "panel_gone".to_owned()];
        if first_paid {
            set.push("first_paid_at = :now".into());
            buyer = buyer.expression_attribute_values(":now", n(now));
            conditions.push("attribute_not_exists(first_paid_at)".into());
        }
        // What the payment buys: the order's purchase, unless it was priced
        // with a discount this order does not hold (used by another order,
        // moved to a newer one, its hold run out): then the rubles paid go
        // to the balance, as any payment that does not cover the plan.
        let mut purchase = order.purchase;
        let mut discount_lost = false;
        if let Some(code) = &order.discount_code {
            if discount_held(&buyer_item, code, &order.id, now) {
                // The discount this order was priced with is used up by it.
                remove.push(
                    "discount_pct, discount_until, discount_code, discount_order, discount_hold"
                        .into(),
                );
                for a in [
                    "discount_pct",
                    "discount_until",
                    "discount_code",
                    "discount_order",
                    "discount_hold",
                ] {
                    after.remove(a);
                }
                conditions.push("discount_code = :dcode AND discount_order = :doid".into());
                buyer = buyer
                    .expression_attribute_values(":dcode", s(code))
                    .expression_attribute_values(":doid", s(&order.id.0));
            } else {
                match (order.provider, order.rubles()) {
                    (Provider::Balance, _) | (_, None) => {
                        return Ok(Attempt::Done(Box::new(CreditOutcome::DiscountUsed(
                            order.clone(),
                        ))));
                    }
                    (_, Some(rubles)) => {
                        purchase = Purchase::TopUp(rubles);
                        discount_lost = true;
                    }
                }
            }
        }
        // From here on the order is what the payment is credited as.
        let credited;
        let order = if discount_lost {
            credited = Order {
                purchase,
                discount_lost,
                ..order.clone()
            };
            &credited
        } else {
            order
        };

        if let Some(price) = debit {
            add.push("balance :debit".to_owned());
            buyer = buyer
                .expression_attribute_values(":debit", AttributeValue::N(format!("-{}", price.0)))
                .expression_attribute_values(":price", n(price.0));
            conditions.push("balance >= :price".to_owned());
        }
        // The subscription's new end, when this purchase moves it.
        let mut new_end = None;
        match purchase {
            Purchase::Plan(period) => {
                let plan = terms.of(period);
                let bonus_applies =
                    referrer.is_some() && (first_purchase || !terms.one_bonus_per_referee);
                let extra = if bonus_applies { plan.referee_days } else { 0 };
                new_end = Some(extend(old_end, now, period.days() + extra));
                granted_days = Some(period.days() + extra);
                if bonus_applies {
                    inviter_reward.days = plan.inviter_days;
                    inviter_reward.money = plan.inviter_money;
                    set.push("ref_bonus_given = :true".into());
                    buyer = buyer.expression_attribute_values(":true", AttributeValue::Bool(true));
                }
                // The new period keeps the extra devices its price renewed
                // (none when the operator drops them at renewal).
                let held = buyer_item.u64("xdev").unwrap_or(0);
                let kept = held.min(u64::from(order.extra_devices));
                if kept != held {
                    set.push("xdev = :xdev".into());
                    conditions.push("xdev = :oldxdev".into());
                    buyer = buyer
                        .expression_attribute_values(":xdev", n(kept))
                        .expression_attribute_values(":oldxdev", n(held));
                    after.insert("xdev".into(), n(kept));
                }
                // Packs last for their period; with carry-over, what is left
                // of them survives one renewal.
                let packs = buyer_item.u64("xgb").unwrap_or(0);
                let old_packs = buyer_item.u64("xgb_old").unwrap_or(0);
                if packs + old_packs > 0 {
                    let carried = if terms.carry_over {
                        let limit = terms.base_traffic + packs + old_packs;
                        let used = buyer_item.u64("traffic_used").unwrap_or(0);
                        packs.min(limit.saturating_sub(used))
                    } else {
                        0
                    };
                    set.push("xgb = :zero, xgb_old = :carried".into());
                    conditions.push(if packs == 0 {
                        "(attribute_not_exists(xgb) OR xgb = :oldxgb)".into()
                    } else {
                        "xgb = :oldxgb".into()
                    });
                    buyer = buyer
                        .expression_attribute_values(":zero", n(0))
                        .expression_attribute_values(":carried", n(carried))
                        .expression_attribute_values(":oldxgb", n(packs));
                    after.insert("xgb".into(), n(0));
                    after.insert("xgb_old".into(), n(carried));
                }
                ledger.push(LedgerEntry {
                    user: order.user,
                    kind: "purchase",
                    amount: Some(order.amount.clone()),
                    days: Some(period.days() + extra),
                    units: None,
                    order: order.id.clone(),
                    provider: Some(order.provider),
                });
            }
            Purchase::Devices(count) => {
                add.push("xdev :slots".into());
                buyer = buyer.expression_attribute_values(":slots", n(count));
                let held = buyer_item.u64("xdev").unwrap_or(0);
                after.insert("xdev".into(), n(held + u64::from(count)));
                ledger.push(LedgerEntry {
                    user: order.user,
                    kind: "devices",
                    amount: Some(order.amount.clone()),
                    days: None,
                    units: Some(u64::from(count)),
                    order: order.id.clone(),
                    provider: Some(order.provider),
                });
            }
            Purchase::Traffic(bytes) => {
                add.push("xgb :bytes".into());
                buyer = buyer.expression_attribute_values(":bytes", n(bytes));
                let held = buyer_item.u64("xgb").unwrap_or(0);
                after.insert("xgb".into(), n(held + bytes));
                if terms.traffic_mode && old_end.is_none_or(|end| end < TRAFFIC_MODE_END) {
                    new_end = Some(TRAFFIC_MODE_END);
                }
                ledger.push(LedgerEntry {
                    user: order.user,
                    kind: "traffic",
                    amount: Some(order.amount.clone()),
                    days: None,
                    units: Some(bytes),
                    order: order.id.clone(),
                    provider: Some(order.provider),
                });
            }
            Purchase::TopUp(rubles) => {
                // The rubles asked for, whatever unit paid them.
                add.push("balance :credit".into());
                buyer = buyer.expression_attribute_values(":credit", n(rubles.0));
                ledger.push(LedgerEntry {
                    user: order.user,
                    kind: "topup",
                    amount: Some(Money::rub(rubles)),
                    days: None,
                    units: None,
                    order: order.id.clone(),
                    provider: Some(order.provider),
                });
            }
        }
        if let Some(new_end) = new_end {
            after.insert("sub_end".into(), n(new_end));
            set.push("sub_end = :end".into());
            set.push("GSI2PK = :exp".into());
            set.push("GSI2SK = :expsk".into());
            let counted = Counted::of(&buyer_item);
            set.push(Counted::SET.into());
            after.insert(COUNTED.into(), n(1));
            conditions.push(counted.condition().into());
            buyer = buyer
                .expression_attribute_values(Counted::VALUE, n(1))
                .expression_attribute_values(":end", n(new_end))
                .expression_attribute_values(":exp", s(expiry_pk(new_end)))
                .expression_attribute_values(":expsk", s(expiry_sk(order.user, new_end)));
            conditions.push(match old_end {
                Some(old) => {
                    buyer = buyer.expression_attribute_values(":oldend", n(old));
                    "sub_end = :oldend".to_owned()
                }
                None => "attribute_not_exists(sub_end)".to_owned(),
            });
            end_moves.push((
                order.user.to_string(),
                counted.old,
                End::moved(&buyer_item, new_end),
            ));
        }
        inviter_reward.paying = first_paid;
        // The inviter's side is not read nor written here: it is recorded on
        // the order and granted by the jobs worker, exactly once
        // (`crate::adapters::store::rewards`), so a payment webhook costs one
        // read whoever the buyer is.
        let referral_due = referrer
            .filter(|_| !inviter_reward.is_empty())
            .map(|inviter| ReferralDue {
                inviter,
                days: inviter_reward.days,
                money: inviter_reward.money,
                paying: inviter_reward.paying,
            });
        if real_payment && let Some(param) = buyer_item.str("campaign") {
            let pay = CampaignPayment {
                first: first_paid,
                rub: order.rubles().map_or(0, |k| k.0),
                stars: order.amount.as_stars().map_or(0, |s| u64::from(s.0)),
            };
            items.push(self.campaign_payment_item(param, pay)?);
        }
        // Admin stats counters, in the crediting transaction: exactly once.
        let mut stats = Vec::new();
        if order.provider != Provider::Balance {
            let name = counter::revenue(order.provider.code(), order.amount.currency());
            stats.push((name, order.amount.minor() as i64));
        }
        let kind = match order.purchase {
            Purchase::Plan(_) => Some("plan"),
            Purchase::Devices(_) => Some("devices"),
            Purchase::Traffic(_) => Some("traffic"),
            Purchase::TopUp(_) => None,
        };
        if let Some(kind) = kind {
            let sold = order.rubles().map_or(order.amount.clone(), Money::rub);
            stats.push((counter::sold(kind, sold.currency()), sold.minor() as i64));
        }
        // What a shop sells as its plan: a period, or in traffic sale mode
        // a traffic package (its buyers are paying customers, not "never
        // paid", in the stats, the funnel and the broadcast audiences).
        let sells_plan = match order.purchase {
            Purchase::Plan(_) => true,
            Purchase::Traffic(_) => terms.traffic_mode,
            Purchase::Devices(_) | Purchase::TopUp(_) => false,
        };
        if sells_plan {
            add.push("plans_paid :onep".into());
            buyer = buyer.expression_attribute_values(":onep", n(1));
            stats.push((counter::PLANS.to_owned(), 1));
            if buyer_item.u64("plans_paid").unwrap_or(0) == 0 {
                stats.push((counter::FIRST_PLANS.to_owned(), 1));
            }
        }
        if !stats.is_empty() {
            items.extend(count_items(&self.table, now, &order.id.0, &stats)?);
        }
        items.extend(ends_items_all(&self.table, &end_moves)?);
        // The admin's payments list (a day's partition), with the credit.
        items.push(crate::adapters::store::payments::index_item(
            &self.table,
            &order.id.0,
            order.user,
            order.provider.code(),
            &order.purchase.code(),
            order.amount.minor(),
            order.amount.currency(),
            now,
        )?);
        let mut expr = format!("SET {}", set.join(", "));
        if !add.is_empty() {
            expr.push_str(&format!(" ADD {}", add.join(", ")));
        }
        // A payment lifts the cap a refund put on reconciliation.
        expr.push_str(&format!(" REMOVE {}", remove.join(", ")));
        if !conditions.is_empty() {
            buyer = buyer.condition_expression(conditions.join(" AND "));
        }
        items.push(
            TransactWriteItem::builder()
                .update(buyer.update_expression(expr).build().map_err(build_err)?)
                .build(),
        );
        for entry in &ledger {
            items.push(self.ledger_item(entry, now)?);
        }
        items.insert(
            0,
            if create {
                self.new_paid_order_item(order, payment, granted_days, referral_due, now)?
            } else {
                self.pay_order_item(order, payment, granted_days, referral_due, now)?
            },
        );

        if let Transacted::Canceled(reasons) = self.transact(items).await? {
            tracing::info!(order = %order.id, ?reasons, "credit transaction canceled; re-reading");
            // Whatever failed (the order was paid meanwhile, the balance
            // or an end date changed), the next attempt re-reads and decides.
            return Ok(Attempt::Raced);
        }
        let mut paid = order.clone();
        paid.status = OrderStatus::Paid;
        paid.provider_ref = Some(payment.provider_ref.clone());
        paid.granted_days = granted_days;
        paid.referral_due = referral_due;
        let mut balance_after = balance.saturating_sub(debit.unwrap_or_default());
        if let Purchase::TopUp(rubles) = order.purchase {
            balance_after += rubles;
        }
        after.insert("balance".into(), n(balance_after.0));
        let user = User::from_item(&after)?;
        Ok(Attempt::Done(Box::new(CreditOutcome::Credited(Box::new(
            Credit { order: paid, user },
        )))))
    }

    /// The order's `pending → paid` step: the condition that makes crediting
    /// exactly-once. It also records what the credit granted (for refunds);
    /// the after-payment effects are run later by the jobs worker, which
    /// takes their lease (`crate::domains::money::effects`).
    fn pay_order_item(
        &self,
        order: &Order,
        payment: &Payment,
        granted_days: Option<u32>,
        referral_due: Option<ReferralDue>,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut set = vec!["#st = :paid", "paid_at = :now", "provider_ref = :ref"];
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(order_key(&order.id)))
            .key("SK", s(ORDER_SK))
            .condition_expression("#st IN (:pending, :expired)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":paid", s(OrderStatus::Paid.code()))
            .expression_attribute_values(":pending", s(OrderStatus::Pending.code()))
            .expression_attribute_values(":expired", s(OrderStatus::Expired.code()))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":ref", s(&payment.provider_ref));
        if let Some(days) = granted_days {
            set.push("days = :days");
            update = update.expression_attribute_values(":days", n(days));
        }
        if let (true, Purchase::TopUp(rubles)) = (order.discount_lost, order.purchase) {
            set.push("buys = :buys, topup = :topup, discount_lost = :lost");
            update = update
                .expression_attribute_values(":buys", s(order.purchase.code()))
                .expression_attribute_values(":topup", n(rubles.0))
                .expression_attribute_values(":lost", AttributeValue::Bool(true));
        }
        if let Some(due) = referral_due {
            set.push(
                "rd_inviter = :rdinv, rd_days = :rddays, rd_money = :rdmoney, rd_paying = :rdpay",
            );
            update = update
                .expression_attribute_values(":rdinv", n(due.inviter))
                .expression_attribute_values(":rddays", n(due.days))
                .expression_attribute_values(":rdmoney", n(due.money))
                .expression_attribute_values(":rdpay", AttributeValue::Bool(due.paying));
        }
        let update = update
            .update_expression(format!(
                "SET {} REMOVE #ttl, GSI2PK, GSI2SK",
                set.join(", ")
            ))
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The order of [`Store::credit_or_create`], written paid by the
    /// crediting transaction, on condition that it does not exist: two
    /// deliveries racing cannot both write it.
    fn new_paid_order_item(
        &self,
        order: &Order,
        payment: &Payment,
        granted_days: Option<u32>,
        referral_due: Option<ReferralDue>,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(order_item(order, OrderStatus::Paid)))
            .item("paid_at", n(now))
            .item("provider_ref", s(&payment.provider_ref))
            .item("GSI1PK", s(format!("ORDERS#{}", order.user)))
            .item("GSI1SK", s(format!("{}#{}", order.created_at, order.id)))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(days) = granted_days {
            put = put.item("days", n(days));
        }
        if let Some(due) = referral_due {
            put = put
                .item("rd_inviter", n(due.inviter))
                .item("rd_days", n(due.days))
                .item("rd_money", n(due.money))
                .item("rd_paying", AttributeValue::Bool(due.paying));
        }
        if let Some(code) = &order.discount_code {
            put = put.item("discount_code", s(code));
        }
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(build_err)?)
            .build())
    }

    /// The inviter's side of a credit: bonus days (conditional on their
    /// current end), bonus money on the balance, and the counters of the
    /// referral screen, in one update.
    pub fn inviter_item(
        &self,
        inviter: TelegramId,
        item: &Item,
        reward: &ReferralDue,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut set = Vec::new();
        let mut add = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(inviter)))
            .key("SK", s(keys::PROFILE));
        let mut condition = "attribute_exists(created_at)".to_owned();
        if reward.days > 0 {
            let old_end = item.i64("sub_end");
            let new_end = extend(old_end, now, reward.days);
            set.push("sub_end = :end, GSI2PK = :exp, GSI2SK = :expsk");
            set.push(Counted::SET);
            condition.push_str(" AND ");
            condition.push_str(Counted::of(item).condition());
            add.push("ref_days_earned :rdays");
            update = update
                .expression_attribute_values(Counted::VALUE, n(1))
                .expression_attribute_values(":end", n(new_end))
                .expression_attribute_values(":exp", s(expiry_pk(new_end)))
                .expression_attribute_values(":expsk", s(expiry_sk(inviter, new_end)))
                .expression_attribute_values(":rdays", n(reward.days));
            match old_end {
                Some(old) => {
                    condition.push_str(" AND sub_end = :oldend");
                    update = update.expression_attribute_values(":oldend", n(old));
                }
                None => condition.push_str(" AND attribute_not_exists(sub_end)"),
            }
        }
        if reward.money > 0 {
            add.push("balance :rmoney, ref_money_earned :rmoney");
            update = update.expression_attribute_values(":rmoney", n(reward.money));
        }
        if reward.paying {
            add.push("ref_paying :one");
            update = update.expression_attribute_values(":one", n(1));
        }
        let mut expr = String::new();
        if !set.is_empty() {
            expr.push_str(&format!("SET {}", set.join(", ")));
        }
        if !add.is_empty() {
            expr.push_str(&format!(" ADD {}", add.join(", ")));
        }
        Ok(TransactWriteItem::builder()
            .update(
                update
                    .update_expression(expr.trim())
                    .condition_expression(condition)
                    .build()
                    .map_err(build_err)?,
            )
            .build())
    }
}

/// What the inviter gets from one credited order, while it is worked out.
#[derive(Debug, Default)]
struct InviterReward {
    /// Bonus days.
    days: u32,
    /// Bonus kopecks on the balance.
    money: u64,
    /// The invitee's first payment: one more paying invitee.
    paying: bool,
}

impl InviterReward {
    fn is_empty(&self) -> bool {
        self.days == 0 && self.money == 0 && !self.paying
    }
}

/// Whether the buyer (as `item`) still holds the discount `code` and it is
/// reserved for `order` at `now`.
fn discount_held(item: &Item, code: &str, order: &OrderId, now: i64) -> bool {
    item.str("discount_code") == Some(code)
        && item.str("discount_order") == Some(order.0.as_str())
        && item.i64("discount_hold").is_some_and(|until| until >= now)
}
