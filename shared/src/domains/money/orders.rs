//! The rules of crediting and refunding: which payment pays which order
//! (a re-delivery, a second payment, a mismatch, a canceled order), what a
//! purchase grants from the settings ([`terms`]), and retrying when a
//! concurrent change to the same user races the transaction. The
//! transactions' items are built by the store (`adapters::store::credit`,
//! `adapters::store::refunds`); the order's types are the store's, and
//! named here too because every money rule speaks of them.

use crate::adapters::pay::OrderId;
use crate::adapters::store::Store;
use crate::adapters::store::credit::Attempt;
pub use crate::adapters::store::credit::{CreditTerms, PeriodTerms};
pub use crate::adapters::store::history::{HistoricalEntry, HistoricalPayment};
use crate::adapters::store::orders::CREDIT_ATTEMPTS;
pub use crate::adapters::store::orders::{
    Credit, CreditOutcome, EFFECT_CODES, EFFECTS_LEASE_SECS, LedgerRow, ORDER_LIFETIME_SECS, Order,
    OrderStatus, Payment, Purchase, Quote, ReferralDue, Refund, extend, order_key,
};
use crate::base::config::{Config, ReferralBonusMode};
use crate::base::types::{Kopecks, Period, TelegramId};
use crate::domains::error::Error;

/// What each period's purchase grants, from the settings.
pub fn terms(config: &Config) -> CreditTerms {
    let mut periods = [PeriodTerms::default(); 4];
    for (slot, period) in periods.iter_mut().zip(Period::ALL) {
        let plan = config.plan(period);
        let (inviter_days, inviter_money) = match config.growth.referral_bonus_mode {
            ReferralBonusMode::Days => (plan.referral_bonus_days, 0),
            ReferralBonusMode::Balance => (
                0,
                config
                    .growth
                    .referral_money(period)
                    .map_or(0, |k: Kopecks| k.0),
            ),
        };
        // With the referral program off (REFERRAL_ENABLED=false) nobody
        // is rewarded, even a referrer recorded before it was switched off.
        *slot = if config.growth.referral_enabled {
            PeriodTerms {
                referee_days: plan.referee_bonus_days,
                inviter_days,
                inviter_money,
            }
        } else {
            PeriodTerms::default()
        };
    }
    CreditTerms {
        one_bonus_per_referee: config.referral_one_bonus_per_referee,
        periods,
        carry_over: config.products.carry_over,
        base_traffic: config.panel.as_ref().map_or(0, |p| p.traffic_limit_bytes),
        traffic_mode: config.products.traffic_mode(),
    }
}

/// Credits a proven payment exactly once. The order and its buyer are
/// read in one round trip when the order's id names the buyer
/// ([`OrderId::for_buyer`]); older ids cost a second read.
pub async fn credit(
    store: &Store,
    config: &Config,
    payment: &Payment,
    now: i64,
) -> Result<CreditOutcome, Error> {
    let hint = payment.order.buyer().map(TelegramId);
    credit_for(store, config, payment, hint, now).await
}

/// Like [`Store::credit`], reading `buyer` with the order.
pub async fn credit_for(
    store: &Store,
    config: &Config,
    payment: &Payment,
    buyer: Option<TelegramId>,
    now: i64,
) -> Result<CreditOutcome, Error> {
    credit_inner(store, config, payment, buyer, None, now).await
}

/// Credits `payment` for `order`, writing the order in the crediting
/// transaction when it does not exist yet (Tribute: the event is the
/// order, `order.id` derived from it). One read round trip (the order
/// and its buyer), one transaction; a re-delivery finds the order paid.
pub async fn credit_or_create(
    store: &Store,
    config: &Config,
    order: &Order,
    payment: &Payment,
    now: i64,
) -> Result<CreditOutcome, Error> {
    credit_inner(store, config, payment, Some(order.user), Some(order), now).await
}

async fn credit_inner(
    store: &Store,
    config: &Config,
    payment: &Payment,
    buyer: Option<TelegramId>,
    template: Option<&Order>,
    now: i64,
) -> Result<CreditOutcome, Error> {
    for _ in 0..CREDIT_ATTEMPTS {
        let (found, buyer_item) = store.order_and_buyer(&payment.order, buyer).await?;
        let create = found.is_none();
        let order = match (found, template) {
            (Some(order), _) => order,
            (None, Some(t)) if t.id == payment.order => t.clone(),
            (None, _) => return Ok(CreditOutcome::UnknownOrder),
        };
        match order.status {
            // The user paid: an order past its time is still honoured.
            OrderStatus::Pending | OrderStatus::Expired => {}
            OrderStatus::Paid | OrderStatus::Refunded if order.paid_by_another(payment) => {
                return Ok(CreditOutcome::SecondPayment(order));
            }
            OrderStatus::Paid => return Ok(CreditOutcome::Duplicate(order)),
            OrderStatus::Canceled | OrderStatus::Refunded => {
                return Ok(CreditOutcome::NotPayable(order));
            }
        }
        // A top-up of nothing is an old crypto top-up whose rubles were
        // never recorded: an admin decides what it was worth.
        if order.amount != payment.amount || order.purchase == Purchase::TopUp(Kopecks(0)) {
            return Ok(CreditOutcome::Mismatch {
                order,
                paid: payment.amount.clone(),
            });
        }
        let buyer_item = match buyer_item.filter(|_| buyer == Some(order.user)) {
            Some(item) => item,
            None => store
                .profile_item(order.user, None)
                .await?
                .unwrap_or_default(),
        };
        match store
            .try_credit(&terms(config), &order, buyer_item, payment, create, now)
            .await?
        {
            Attempt::Done(outcome) => return Ok(*outcome),
            Attempt::Raced => continue,
        }
    }
    Err(Error::Raced("crediting"))
}

/// Refunds a paid order, atomically: the order `paid → refunded`, the
/// buyer's days it granted taken back (never below now), the inviter's
/// bonus days too, a top-up's money taken off the balance (never below
/// zero: what was already spent is recorded as a shortfall), and the
/// ledger. A refunded end also caps what reconciliation may pull from
/// the panel, until the next payment.
pub async fn refund_order(store: &Store, id: &OrderId, now: i64) -> Result<Refund, Error> {
    for _ in 0..CREDIT_ATTEMPTS {
        let Some(order) = store.get_order(id).await? else {
            return Ok(Refund::Unknown);
        };
        match order.status {
            OrderStatus::Paid => {}
            OrderStatus::Refunded => return Ok(Refund::Already(order)),
            other => return Ok(Refund::NotPaid(other)),
        }
        if let Some(done) = store.try_refund(&order, now).await? {
            return Ok(done);
        }
    }
    Err(Error::Raced("a refund"))
}
