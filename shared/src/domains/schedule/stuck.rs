//! Stuck payments: a pending order whose notification never came is asked
//! about at the provider. Paid: credited through the same exactly-once path
//! as the webhook (`money::settle`). Canceled: closed as the webhook would.
//! At the end of its life a still-pending order is marked expired (kept:
//! money may still arrive, and is then credited).
//!
//! Providers asked: YooKassa (the payment's status), Crypto Pay
//! (`getInvoices`; an expired invoice closes the order) and FreeKassa (its
//! `orders` list by our order id, with `FREEKASSA_API_KEY`: status 1 paid,
//! 8/9 closed, anything else or no such order left), Platega (the
//! transaction) and SeverPay (`payin/get`). Stars and Tribute
//! only push; FreeKassa without an API key is not asked and just expires.

use crate::adapters::app::App;
use crate::adapters::pay::freekassa::{self, FkStatus};
use crate::adapters::pay::{OrderId, cryptopay, platega, severpay, yookassa};
use crate::base::clock::now;
use crate::base::types::Provider;
use crate::domains::error::Error;
use crate::domains::money::orders::{OrderStatus, Payment};
use crate::domains::money::payhooks::{canceled, paid_by_api};
use crate::domains::money::settle::{Settlement, settle};
use crate::domains::renewal::cards::remember;

/// What the re-check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recheck {
    /// Not pending any more (paid, canceled, expired) or unknown: nothing to do.
    Settled,
    /// The provider said it was paid: credited now.
    Credited,
    /// The provider said it was canceled: closed.
    Closed,
    /// Still pending at the provider (or not asked).
    Pending,
    /// Its life is over: marked expired.
    Expired,
}

/// Re-checks order `id`; with `expire`, marks it expired if still pending
/// at `at` (the scheduler's clock, or now if later).
pub async fn recheck(app: &App, id: &OrderId, expire: bool, at: i64) -> Result<Recheck, Error> {
    let Some(order) = app.store.get_order(id).await.map_err(Error::from)? else {
        return Ok(Recheck::Settled);
    };
    if order.status != OrderStatus::Pending {
        return Ok(Recheck::Settled);
    }
    let asked = match (order.provider, &order.provider_ref, &app.config.yookassa) {
        (Provider::Yookassa, Some(payment_id), Some(cfg)) => {
            let p = yookassa::get_payment(&app.http, cfg, payment_id)
                .await
                .map_err(|e| format!("yookassa payment {payment_id}: {e}"))?;
            match yookassa::payment_event(&p) {
                yookassa::YooEvent::PaymentSucceeded {
                    order_id: Some(o),
                    amount,
                    payment_id,
                    saved_method,
                } if o == *id => {
                    if let Some(m) = &saved_method {
                        remember(app, &o, m).await.map_err(Error::from)?;
                    }
                    settle(
                        app,
                        Settlement::of(
                            Provider::Yookassa,
                            &Payment {
                                order: o,
                                amount,
                                provider_ref: payment_id,
                            },
                        ),
                    )
                    .await?;
                    Recheck::Credited
                }
                yookassa::YooEvent::PaymentCanceled {
                    order_id: Some(o), ..
                } if o == *id => {
                    canceled(app, &o).await?;
                    Recheck::Closed
                }
                _ => Recheck::Pending,
            }
        }
        (Provider::Freekassa, _, _) => match app.config.freekassa.as_ref() {
            Some(cfg) if cfg.api_key.is_some() => {
                match freekassa::order_status(&app.http, cfg, id)
                    .await
                    .map_err(|e| format!("freekassa order {id}: {e}"))?
                {
                    Some(o) if o.status == FkStatus::Paid => {
                        // As the webhook: FreeKassa's order id is the payment's ref.
                        settle(
                            app,
                            Settlement::of(
                                Provider::Freekassa,
                                &Payment {
                                    order: id.clone(),
                                    amount: o.amount,
                                    provider_ref: o.fk_order_id,
                                },
                            ),
                        )
                        .await?;
                        Recheck::Credited
                    }
                    Some(o) if o.status == FkStatus::Failed => {
                        canceled(app, id).await?;
                        Recheck::Closed
                    }
                    _ => Recheck::Pending,
                }
            }
            _ => Recheck::Pending,
        },
        (Provider::Cryptopay, Some(invoice), _) => {
            match (invoice.parse::<u64>(), &app.config.cryptopay) {
                (Ok(invoice_id), Some(cfg)) => {
                    match cryptopay::get_invoice(&app.http, cfg, invoice_id)
                        .await
                        .map_err(|e| format!("cryptopay invoice {invoice_id}: {e}"))?
                    {
                        Some(inv) if inv.is_paid() && inv.order_id().as_ref() == Some(id) => {
                            settle(
                                app,
                                Settlement::of(
                                    Provider::Cryptopay,
                                    &Payment {
                                        order: id.clone(),
                                        amount: inv.price.clone(),
                                        provider_ref: inv.invoice_id.to_string(),
                                    },
                                ),
                            )
                            .await?;
                            Recheck::Credited
                        }
                        Some(inv) if inv.status == "expired" => {
                            canceled(app, id).await?;
                            Recheck::Closed
                        }
                        _ => Recheck::Pending,
                    }
                }
                _ => Recheck::Pending,
            }
        }
        (Provider::Platega, Some(tx_id), _) => match &app.config.platega {
            Some(cfg) => {
                let tx = platega::get_transaction(&app.http, cfg, tx_id)
                    .await
                    .map_err(|e| format!("platega transaction {tx_id}: {e}"))?;
                let ours = tx.order_id.as_ref() == Some(id);
                match tx.status {
                    platega::PlategaStatus::Confirmed if ours => {
                        paid_by_api(
                            app,
                            Provider::Platega,
                            Some(id.clone()),
                            &tx.id,
                            tx.amount.as_ref(),
                        )
                        .await?;
                        Recheck::Credited
                    }
                    platega::PlategaStatus::Canceled if ours => {
                        canceled(app, id).await?;
                        Recheck::Closed
                    }
                    _ => Recheck::Pending,
                }
            }
            None => Recheck::Pending,
        },
        (Provider::Severpay, Some(payin_id), _) => match &app.config.severpay {
            Some(cfg) => {
                let p = severpay::get_payin(&app.http, cfg, payin_id)
                    .await
                    .map_err(|e| format!("severpay payment {payin_id}: {e}"))?;
                let ours = p.order_id.as_ref() == Some(id);
                match p.status {
                    severpay::SpStatus::Success if ours => {
                        paid_by_api(
                            app,
                            Provider::Severpay,
                            Some(id.clone()),
                            &p.id,
                            p.amount.as_ref(),
                        )
                        .await?;
                        Recheck::Credited
                    }
                    ref s if ours && s.is_closed() => {
                        canceled(app, id).await?;
                        Recheck::Closed
                    }
                    _ => Recheck::Pending,
                }
            }
            None => Recheck::Pending,
        },
        _ => Recheck::Pending,
    };
    if asked == Recheck::Pending
        && expire
        && app
            .store
            .expire_order(id, now().max(at))
            .await
            .map_err(Error::from)?
    {
        tracing::info!(order = %id, "pending order expired");
        return Ok(Recheck::Expired);
    }
    if asked != Recheck::Pending {
        tracing::info!(order = %id, outcome = ?asked, "stuck payment settled by re-check");
    }
    Ok(asked)
}
