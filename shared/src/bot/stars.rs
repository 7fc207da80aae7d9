//! Telegram Stars: pre-checkout answers, successful payments, refunds.

use super::BotError;
use crate::adapters::app::App;
use crate::adapters::pay::{Money, OrderId};
use crate::base::clock::now;
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::Provider;
use crate::domains::money::effects::flag_suspicious;
use crate::domains::money::orders::{OrderStatus, Payment, Refund};
use crate::domains::money::refunds;
use teloxide_core::requests::Requester;
use teloxide_core::types::{
    PreCheckoutQuery, RefundedPayment, SuccessfulPayment, TelegramTransactionId, UserId,
};

/// Decides a pre-checkout query: `Ok` to let the user pay, or the text key
/// of the reason to refuse. Telegram wants the answer within 10 seconds.
pub async fn check_pre_checkout(
    app: &App,
    q: &PreCheckoutQuery,
) -> Result<Result<(), &'static str>, BotError> {
    let Some(id) = OrderId::parse(&q.invoice_payload) else {
        return Ok(Err("payment-unknown-order"));
    };
    let Some(order) = app.store.get_order(&id).await? else {
        return Ok(Err("payment-unknown-order"));
    };
    if order.status == OrderStatus::Paid {
        return Ok(Err("payment-already-paid"));
    }
    if order.status != OrderStatus::Pending
        || now() - order.created_at > crate::domains::money::orders::ORDER_LIFETIME_SECS
    {
        return Ok(Err("payment-unknown-order"));
    }
    let expected = Money::from_minor(u64::from(q.total_amount), &q.currency);
    if order.provider != Provider::Stars
        || Some(&order.amount) != expected.as_ref()
        || order.user.0 != q.from.id.0 as i64
    {
        return Ok(Err("payment-mismatch"));
    }
    // Priced with a discount that this order no longer holds (used by
    // another order, moved to a newer one, or its hold ran out): Telegram
    // is told not to take the Stars, rather than take them and flag it.
    if let Some(code) = &order.discount_code {
        let held = app.store.get_user(order.user).await?.is_some_and(|u| {
            u.discount
                .is_some_and(|d| d.code == *code && d.held_by(&order.id.0, now()))
        });
        if !held {
            return Ok(Err("payment-discount-gone"));
        }
    }
    Ok(Ok(()))
}

/// Credits a successful Stars payment. The order's `pending → paid`
/// condition is the one source of truth: a re-delivery after a timeout or a
/// crash (before or after the commit) credits nothing twice and finishes the
/// after-payment effects the first delivery did not.
pub async fn on_successful_payment(
    app: &App,
    from: &teloxide_core::types::User,
    paid: &SuccessfulPayment,
) -> Result<(), BotError> {
    let charge = paid.telegram_payment_charge_id.0.clone();
    credit_stars(app, from, paid, &charge).await
}

/// What Telegram says was paid (always Stars for our invoices). A
/// currency code we cannot read becomes zero Stars, which matches no order
/// and is recorded and flagged as a mismatch.
fn paid_money(paid: &SuccessfulPayment) -> Money {
    Money::from_minor(u64::from(paid.total_amount), &paid.currency)
        .unwrap_or(Money::Stars(crate::base::types::Stars(0)))
}

async fn credit_stars(
    app: &App,
    from: &teloxide_core::types::User,
    paid: &SuccessfulPayment,
    charge: &str,
) -> Result<(), BotError> {
    let Some(order) = OrderId::parse(&paid.invoice_payload) else {
        // An invoice of the old bot, paid before the move (its charge id
        // was imported with the payment): settled as that order.
        if let Some(order) =
            crate::domains::money::settle::imported_order(app, Provider::Stars, charge).await?
        {
            let payment = Payment {
                order,
                amount: paid_money(paid),
                provider_ref: charge.to_owned(),
            };
            crate::domains::money::settle::settle(
                app,
                crate::domains::money::settle::Settlement::of(Provider::Stars, &payment),
            )
            .await?;
            return Ok(());
        }
        flag_suspicious(
            app,
            Provider::Stars,
            &format!(
                "payment {charge} from {} for unknown payload {:?}",
                from.id, paid.invoice_payload
            ),
        )
        .await;
        return Ok(());
    };
    let payment = Payment {
        order,
        amount: paid_money(paid),
        provider_ref: charge.to_owned(),
    };
    crate::domains::money::settle::settle(
        app,
        crate::domains::money::settle::Settlement::of(Provider::Stars, &payment),
    )
    .await?;
    Ok(())
}

/// Records a refund Telegram reports (for instance one made by an admin).
pub async fn on_refunded_payment(app: &App, refund: &RefundedPayment) -> Result<(), BotError> {
    let Some(id) = OrderId::parse(&refund.invoice_payload) else {
        return Ok(());
    };
    refunds::refund(app, &id, "Telegram Stars").await?;
    Ok(())
}

/// `/refund <order id>` from an admin: refunds a Stars payment and records
/// it, and says what was recorded.
pub async fn admin_refund(app: &App, arg: &str) -> Result<String, BotError> {
    let lang = app.config.default_language;
    let Some(id) = OrderId::parse(arg.trim()) else {
        return Ok(t(lang, "refund-usage"));
    };
    let Some(order) = app.store.get_order(&id).await? else {
        return Ok(t(lang, "refund-not-found"));
    };
    let (OrderStatus::Paid, Provider::Stars, Some(charge)) =
        (order.status, order.provider, order.provider_ref.clone())
    else {
        return Ok(t(lang, "refund-not-refundable"));
    };
    if let Err(e) = app
        .bot
        .refund_star_payment(UserId(order.user.0 as u64), TelegramTransactionId(charge))
        .await
    {
        return Ok(tr(
            lang,
            "refund-failed",
            &[("error", Arg::Str(crate::base::i18n::html(&e.to_string())))],
        ));
    }
    let recorded = match refunds::refund(app, &id, "/refund").await {
        Ok(Refund::Done { .. }) => true,
        Ok(_) => false,
        Err(e) => {
            tracing::error!(order = %id, "Stars refunded but not recorded: {e}");
            return Ok(tr(
                lang,
                "refund-not-recorded",
                &[("order", Arg::Str(id.0.clone()))],
            ));
        }
    };
    if !recorded {
        return Ok(tr(
            lang,
            "refund-not-recorded",
            &[("order", Arg::Str(id.0.clone()))],
        ));
    }
    Ok(tr(lang, "refund-done", &[("order", Arg::Str(id.0))]))
}
