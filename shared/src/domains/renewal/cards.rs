//! Remembering a payment method YooKassa saved, and whether a user's next
//! subscription end will be renewed automatically.

use crate::adapters::app::App;
use crate::adapters::pay::yookassa::YooPaymentMethod;
use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::StoreError;
use crate::adapters::store::cards::{Card, Wallet};
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::types::{Period, Provider};
use crate::domains::money::catalog::{renewal_price, sells};
use crate::domains::money::orders::Purchase;

/// Auto-renewal is available at all: YooKassa on with autopayments.
pub fn enabled(app: &App) -> bool {
    app.config
        .yookassa
        .as_ref()
        .is_some_and(|c| c.autopayments_enabled)
}

/// Stores the method that paid `order` when YooKassa saved it (and
/// autopayments are on), as the user's default card; a plan order also
/// sets the plan auto-renewal buys. Idempotent: a re-delivered
/// notification writes the same items.
pub async fn remember(
    app: &App,
    order: &OrderId,
    method: &YooPaymentMethod,
) -> Result<(), StoreError> {
    if !enabled(app) || !method.saved {
        return Ok(());
    }
    let Some(order) = app.store.get_order(order).await? else {
        return Ok(());
    };
    let period = match order.purchase {
        Purchase::Plan(p) => Some(p),
        _ => None,
    };
    let card = Card {
        method_id: method.id.clone(),
        card_type: method
            .card_type
            .clone()
            .or_else(|| method.title.clone())
            .unwrap_or_else(|| method.kind.clone()),
        last4: method.last4.clone().unwrap_or_default(),
        default: true,
        saved_at: now(),
    };
    app.store.save_card(order.user, &card, period).await?;
    tracing::info!(user = %order.user, "payment method saved for auto-renewal");
    Ok(())
}

/// The card and plan a renewal by card of `user`'s subscription ending at
/// `end` would charge, sold or not; `None` when it is not tried (off, no
/// card, no plan, a different end, banned, blocked).
pub fn due(app: &App, user: &User, wallet: &Wallet, end: i64) -> Option<(Card, Period)> {
    if !enabled(app)
        || !wallet.autorenew
        || user.banned
        || user.blocked_at.is_some()
        || user.sub_end != Some(end)
    {
        return None;
    }
    Some((wallet.charge_card()?.clone(), wallet.period?))
}

/// What a renewal of `user`'s subscription ending at `end` would charge:
/// the card, the plan and today's price (the user's discount off); `None`
/// when it will not happen (as [`due`], or the plan no longer sold).
/// `discount_at`: the moment whose discount counts ([`renewal_price`]).
pub fn plan_for(
    app: &App,
    user: &User,
    wallet: &Wallet,
    end: i64,
    discount_at: i64,
) -> Option<(Card, Period, Money)> {
    let (card, period) = due(app, user, wallet, end)?;
    let price = renewal_price(
        &app.config,
        user,
        period,
        Provider::Yookassa,
        now(),
        discount_at,
    )?;
    Some((card, period, price))
}

/// The plan a renewal by card would buy when the operator no longer sells
/// it (disabled, or without a ruble price).
pub fn off_sale(app: &App, user: &User, wallet: &Wallet, end: i64) -> Option<Period> {
    due(app, user, wallet, end)
        .map(|(_, period)| period)
        .filter(|p| !sells(&app.config, Purchase::Plan(*p), Provider::Yookassa))
}
