//! Auto-renewal from the balance (the user's opt-in, `renew_balance` on the
//! profile). It comes before the saved card: it is money the user already
//! gave us, and it costs no provider fee or bank decline. When the balance
//! does not cover the price at charge time, a saved card with auto-renewal
//! on is charged instead; without one the ordinary expiry notices go.
//!
//! Exactly once: the debit is an ordinary balance order whose id is derived
//! from the user and the subscription end being renewed ([`order_id`]),
//! written first (`create_order_or_existing`) and credited through the
//! normal crediting transaction (`Store::credit`: conditional on the order
//! being pending and the balance covering it), so two scheduler runs or two
//! deliveries debit once; a renewal by hand in between moves the end, and
//! the job then finds nothing to renew.

use crate::adapters::app::App;
use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::cards::Wallet;
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::config::Config;
use crate::base::types::{Period, Provider, TelegramId};
use crate::domains::error::Error;
use crate::domains::money::catalog::{renewal_price, sells};
use crate::domains::money::effects::{after_credit, finish_effects};
use crate::domains::money::orders::{CreditOutcome, Order, OrderStatus, Payment, Purchase};

/// What a renewal from the balance did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Debit {
    /// Debited and credited now (the user got the usual confirmation).
    Renewed,
    /// Done before (a repeated run or delivery).
    Duplicate,
    /// Not from the balance: off, not covered, or not due any more. The
    /// caller may fall back to a saved card.
    NotCovered,
}

/// Whether auto-renewal from the balance can be offered at all: some
/// enabled plan has a ruble price (the balance pays ruble prices).
pub fn offered(config: &Config) -> bool {
    default_period(config).is_some()
}

/// The plan renewed when none was fixed yet: the shortest enabled one with
/// a ruble price.
pub fn default_period(config: &Config) -> Option<Period> {
    config
        .plans
        .iter()
        .filter(|p| p.enabled && p.rub_price.is_some())
        .min_by_key(|p| p.period.days())
        .map(|p| p.period)
}

/// The plan renewed: the one the settings name (the last plan paid with a
/// saved card, or the one fixed when renewal from the balance was turned
/// on), else [`default_period`]. A named plan the operator no longer sells
/// is not swapped for another: the renewal then charges nothing and the
/// user is told to pick one ([`off_sale`]).
pub fn period(config: &Config, wallet: &Wallet) -> Option<Period> {
    wallet.period.or_else(|| default_period(config))
}

/// The plan the "Auto-renewal" screen offers to renew from the balance: the
/// fixed one while it is sold (`true`), else the default one, which turning
/// renewal on fixes instead (`false`).
pub fn offered_period(config: &Config, wallet: &Wallet) -> Option<(Period, bool)> {
    match period(config, wallet) {
        Some(p) if sells(config, Purchase::Plan(p), Provider::Balance) => Some((p, true)),
        _ => default_period(config).map(|p| (p, false)),
    }
}

/// The plan renewal from the balance would renew for `user`'s subscription
/// ending at `end`, sold or not; `None` when it is not tried (off, banned,
/// blocked, another end).
pub fn due(config: &Config, user: &User, wallet: &Wallet, end: i64) -> Option<Period> {
    if !user.renew_balance || user.banned || user.blocked_at.is_some() || user.sub_end != Some(end)
    {
        return None;
    }
    period(config, wallet)
}

/// The plan and price a renewal from the balance of `user`'s subscription
/// ending at `end` would debit (today's price, the user's discount off),
/// whether or not the balance covers it; `None` when it will not be tried
/// (off, banned, blocked, another end, the plan no longer sold).
/// `discount_at`: the moment whose discount counts ([`renewal_price`]).
pub fn plan_for(
    app: &App,
    user: &User,
    wallet: &Wallet,
    end: i64,
    discount_at: i64,
) -> Option<(Period, Money)> {
    let period = due(&app.config, user, wallet, end)?;
    let price = renewal_price(
        &app.config,
        user,
        period,
        Provider::Balance,
        now(),
        discount_at,
    )?;
    Some((period, price))
}

/// The plan renewal from the balance would renew when the operator no
/// longer sells it (disabled, or without a ruble price).
pub fn off_sale(config: &Config, user: &User, wallet: &Wallet, end: i64) -> Option<Period> {
    due(config, user, wallet, end).filter(|p| !sells(config, Purchase::Plan(*p), Provider::Balance))
}

/// Whether the balance covers `price` now.
pub fn covers(user: &User, price: &Money) -> bool {
    price.as_rub().is_some_and(|price| user.balance >= price)
}

/// The id of the balance order renewing `user`'s subscription ending at
/// `end`: 32 hex characters of SHA-256, like every order id.
pub fn order_id(user: TelegramId, end: i64) -> OrderId {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("renew-balance:{user}:{end}").as_bytes());
    OrderId(hex::encode(&digest[..16]))
}

/// Renews `user`'s subscription ending at `end` from the balance when it is
/// on and covers the price.
pub async fn renew(app: &App, user: &User, wallet: &Wallet, end: i64) -> Result<Debit, Error> {
    if !user.renew_balance {
        return Ok(Debit::NotCovered);
    }
    let id = order_id(user.id, end);
    let Some((period, price)) = plan_for(app, user, wallet, end, now()) else {
        return already(app, &id).await;
    };
    if !covers(user, &price) {
        return Ok(Debit::NotCovered);
    }
    let ts = now();
    let mut order = Order::new(
        user.id,
        Purchase::Plan(period),
        price,
        Provider::Balance,
        ts,
    );
    order.id = id;
    order.extra_devices = crate::domains::money::catalog::renewed_slots(&app.config, user, ts);
    // Priced with the discount only if it is reserved for this order
    // (crediting then uses it up); else at the full price.
    crate::domains::money::checkout::reserve_discount(app, user, &mut order, ts)
        .await
        .map_err(Error::from)?;
    if !covers(user, &order.amount) {
        return Ok(Debit::NotCovered);
    }
    if let Some(existing) = app
        .store
        .create_order_or_existing(&order)
        .await
        .map_err(Error::from)?
    {
        match existing.status {
            // Written by an earlier delivery that stopped before crediting:
            // credit it now (what it says, even if the price changed).
            OrderStatus::Pending => order = existing,
            OrderStatus::Paid => {
                finish_effects(app, &existing, true).await?;
                return Ok(Debit::Duplicate);
            }
            OrderStatus::Canceled | OrderStatus::Expired | OrderStatus::Refunded => {
                return Ok(Debit::NotCovered);
            }
        }
    }
    let payment = Payment {
        order: order.id.clone(),
        amount: order.amount.clone(),
        provider_ref: format!("balance:{}", order.id),
    };
    match crate::domains::money::orders::credit(&app.store, &app.config, &payment, ts).await? {
        CreditOutcome::Credited(credit) => {
            after_credit(app, &credit).await?;
            tracing::info!(user = %user.id, end, "subscription renewed from the balance");
            Ok(Debit::Renewed)
        }
        CreditOutcome::Duplicate(existing) => {
            finish_effects(app, &existing, true).await?;
            Ok(Debit::Duplicate)
        }
        CreditOutcome::InsufficientBalance(o) | CreditOutcome::DiscountUsed(o) => {
            // Spent in between (or priced with a discount its reservation
            // lost, a delivery long after the first): closed, so a later
            // delivery does not retry it.
            app.store
                .cancel_order(&o.id, ts)
                .await
                .map_err(Error::from)?;
            Ok(Debit::NotCovered)
        }
        other => Err(Error::Text(format!(
            "balance renewal {} not credited: {other:?}",
            order.id
        ))),
    }
}

/// A delivery that finds the end moved: if the move was this renewal's own
/// debit, finish its effects (a crash may have cut them short).
async fn already(app: &App, id: &OrderId) -> Result<Debit, Error> {
    match app.store.get_order(id).await.map_err(Error::from)? {
        Some(o) if o.status == OrderStatus::Paid => {
            finish_effects(app, &o, true).await?;
            Ok(Debit::Duplicate)
        }
        _ => Ok(Debit::NotCovered),
    }
}
