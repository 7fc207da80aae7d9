//! Settling a proven payment notification, with the answer-code policy all
//! provider webhooks share:
//!
//! | situation | answer |
//! |---|---|
//! | not authentic (signature, merchant, source IP) | 4xx, nothing changes |
//! | authentic, credited now | 2xx |
//! | authentic duplicate | 2xx, nothing changes (notices re-run idempotently) |
//! | authentic, for a payment imported from the old bot (by the provider's payment id) | as for that imported order: 2xx, a duplicate or credited |
//! | authentic but unknown order or unreadable | 2xx, recorded as an unknown payment, flagged once |
//! | authentic, wrong amount or currency, canceled order | 2xx, nothing credited, flagged to admins |
//! | authentic, for an expired order | 2xx, credited (the user paid) |
//! | our own failure (DynamoDB, SQS) | 5xx, so the provider retries |
//!
//! Before answering, a credit costs one read round trip (the order and its
//! buyer in one `BatchGetItem`: new order ids name the buyer), the crediting
//! transaction and one SQS message, the after-payment job (see
//! `crate::domains::money::effects`). An order id without the buyer (made
//! before ids carried it, or from an event) costs one more read; so does a
//! payment that rewards an inviter (the inviter's end date is read for the
//! transaction).

use crate::adapters::app::App;
use crate::adapters::pay::{Money, OrderId};
use crate::base::clock::now;
use crate::base::types::Provider;
use crate::domains::error::Error;
use crate::domains::money::effects::{after_credit_with, finish_effects, flag_suspicious};
use crate::domains::money::orders::{self, CreditOutcome, Order, Payment};

/// What settling did (for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Credited now.
    Credited,
    /// Already credited earlier.
    Duplicate,
    /// Not credited and flagged to admins.
    Flagged,
}

/// A proven payment to settle, and how.
#[derive(Debug, Clone, Copy)]
pub struct Settlement<'a> {
    /// The provider that proved it.
    pub provider: Provider,
    /// What was paid, for which order.
    pub payment: &'a Payment,
    /// The order to write when it does not exist yet: a Tribute event is
    /// its own order, written by the crediting transaction unless an
    /// earlier delivery wrote it.
    pub creates: Option<&'a Order>,
    /// Whether the buyer gets the confirmation (Tribute's skip setting
    /// mutes renewals).
    pub tell_user: bool,
}

impl<'a> Settlement<'a> {
    /// `payment` for an order of ours; the buyer is told.
    pub fn of(provider: Provider, payment: &'a Payment) -> Settlement<'a> {
        Settlement {
            provider,
            payment,
            creates: None,
            tell_user: true,
        }
    }
}

/// Credits the payment once and runs its side effects; flags what cannot
/// be credited. Every settlement is counted in the payments metric.
pub async fn settle(app: &App, s: Settlement<'_>) -> Result<Settled, Error> {
    let result = credit_and_finish(app, s).await;
    let outcome = match &result {
        Ok(Settled::Credited) => "credited",
        Ok(Settled::Duplicate) => "duplicate",
        Ok(Settled::Flagged) => "refused",
        Err(_) => "failed",
    };
    let paid = &s.payment.amount;
    let credited = matches!(result, Ok(Settled::Credited)).then_some(paid.minor());
    crate::adapters::metrics::payment(s.provider, outcome, paid.currency(), credited);
    result
}

async fn credit_and_finish(app: &App, s: Settlement<'_>) -> Result<Settled, Error> {
    let (provider, payment, tell_user) = (s.provider, s.payment, s.tell_user);
    let code = provider.code();
    let credited = match s.creates {
        None => orders::credit(&app.store, &app.config, payment, now()).await?,
        Some(order) => {
            orders::credit_or_create(&app.store, &app.config, order, payment, now()).await?
        }
    };
    match credited {
        CreditOutcome::Credited(credit) => {
            after_credit_with(app, &credit, tell_user).await?;
            tracing::info!(provider = code, order = %payment.order, "payment credited");
            if credit.order.discount_lost {
                flag_suspicious(
                    app,
                    provider,
                    &format!(
                        "payment {} of order {} was priced with promo discount {} that the order no longer held: {} credited to the balance instead of the plan",
                        payment.provider_ref,
                        credit.order.id,
                        credit.order.discount_code.as_deref().unwrap_or("-"),
                        payment.amount
                    ),
                )
                .await;
            }
            Ok(Settled::Credited)
        }
        CreditOutcome::SecondPayment(first) => {
            // Another payment for an order already paid (a FreeKassa form
            // paid twice, say): an order of its own, credited once like any.
            let second = first.second_payment(&payment.provider_ref, now());
            let paid = Payment {
                order: second.id.clone(),
                ..payment.clone()
            };
            let settled = Box::pin(credit_and_finish(
                app,
                Settlement {
                    payment: &paid,
                    creates: Some(&second),
                    ..s
                },
            ))
            .await?;
            if settled == Settled::Credited {
                flag_suspicious(
                    app,
                    provider,
                    &format!(
                        "second payment {} ({}) for order {}, already paid by {}: credited as order {}",
                        payment.provider_ref,
                        payment.amount,
                        first.id,
                        first.provider_ref.as_deref().unwrap_or("-"),
                        second.id
                    ),
                )
                .await;
            }
            Ok(settled)
        }
        CreditOutcome::DiscountUsed(order) => {
            unknown_payment(
                app,
                provider,
                &payment.provider_ref,
                &format!(
                    "payment {} ({}) of order {} was priced with promo discount {} that the order no longer held",
                    payment.provider_ref,
                    payment.amount,
                    order.id,
                    order.discount_code.as_deref().unwrap_or("-")
                ),
            )
            .await?;
            Ok(Settled::Flagged)
        }
        CreditOutcome::Duplicate(order) => {
            tracing::info!(provider = code, order = %order.id, "duplicate payment notification");
            // If an earlier delivery stopped between the commit and queuing
            // its effects (a crash, a timeout, a failed send), queue them
            // now; the worker does only those the order does not mark done.
            finish_effects(app, &order, tell_user).await?;
            Ok(Settled::Duplicate)
        }
        CreditOutcome::UnknownOrder => {
            // Paid in the old bot before the move: settle its imported order.
            if let Some(order) = imported_order(app, provider, &payment.provider_ref).await?
                && order != payment.order
            {
                let imported = Payment {
                    order,
                    ..payment.clone()
                };
                return Box::pin(credit_and_finish(
                    app,
                    Settlement {
                        payment: &imported,
                        creates: None,
                        ..s
                    },
                ))
                .await;
            }
            unknown_payment(
                app,
                provider,
                &payment.provider_ref,
                &format!(
                    "payment {} ({}) for unknown order {}",
                    payment.provider_ref, payment.amount, payment.order
                ),
            )
            .await?;
            Ok(Settled::Flagged)
        }
        CreditOutcome::Mismatch { order, paid } => {
            unknown_payment(
                app,
                provider,
                &payment.provider_ref,
                &format!(
                    "order {} expects {}, payment {} says {}",
                    order.id, order.amount, payment.provider_ref, paid
                ),
            )
            .await?;
            Ok(Settled::Flagged)
        }
        CreditOutcome::NotPayable(order) if order.provider != Provider::Balance => {
            // Money arrived for a canceled or refunded order: recorded so an
            // admin can refund it.
            unknown_payment(
                app,
                provider,
                &payment.provider_ref,
                &format!(
                    "payment {} ({}) for order {} in state {:?}",
                    payment.provider_ref, payment.amount, order.id, order.status
                ),
            )
            .await?;
            Ok(Settled::Flagged)
        }
        CreditOutcome::NotPayable(order) | CreditOutcome::InsufficientBalance(order) => {
            flag_suspicious(
                app,
                provider,
                &format!(
                    "payment {} for order {} in state {:?}",
                    payment.provider_ref, order.id, order.status
                ),
            )
            .await;
            Ok(Settled::Flagged)
        }
    }
}

/// The order the importer brought over for `provider`'s payment
/// `provider_ref` (a payment made in the Python bot before the move), if any.
/// Asked only when a notification names no order of ours.
pub async fn imported_order(
    app: &App,
    provider: Provider,
    provider_ref: &str,
) -> Result<Option<OrderId>, Error> {
    if provider_ref.is_empty() {
        return Ok(None);
    }
    Ok(app
        .store
        .order_by_provider_ref(provider, provider_ref)
        .await?
        .map(OrderId))
}

/// An authentic payment that names no order of ours: settled against the
/// imported order of the same provider's payment id when there is one,
/// else recorded as an unknown payment ([`unknown_payment`]).
pub async fn settle_unmatched(
    app: &App,
    provider: Provider,
    provider_ref: &str,
    amount: &Money,
    detail: &str,
) -> Result<(), Error> {
    match imported_order(app, provider, provider_ref).await? {
        Some(order) => {
            let payment = Payment {
                order,
                amount: amount.clone(),
                provider_ref: provider_ref.to_owned(),
            };
            settle(app, Settlement::of(provider, &payment))
                .await
                .map(|_| ())
        }
        None => unknown_payment(app, provider, provider_ref, detail).await,
    }
}

/// Records an authentic payment that pays no order of ours (an unknown
/// order, or a notification we could not read), so an admin can refund it,
/// and flags it once: a re-delivery finds the record and stays quiet.
pub async fn unknown_payment(
    app: &App,
    provider: Provider,
    key: &str,
    detail: &str,
) -> Result<(), Error> {
    if app
        .store
        .record_unknown_payment(provider, key, detail, now())
        .await?
    {
        flag_suspicious(app, provider, &format!("{detail}; recorded for a refund")).await;
    }
    Ok(())
}
