//! Refunds, whichever way they come (a provider's notification, Telegram's
//! `refunded_payment`, an admin's `/refund`): the order's days and money are
//! taken back in one transaction (`Store::refund_order`), then the panel
//! follows through the sync queue, so VPN access ends when the days end.

use crate::adapters::app::App;
use crate::adapters::pay::OrderId;
use crate::base::clock::now;
use crate::base::i18n::{Arg, tr};
use crate::domains::access::sync::SyncReason;
use crate::domains::money::effects::{flag_suspicious, sync};
use crate::domains::money::orders::{Order, Purchase, Refund};

/// Records the refund of order `id` and brings the panel along. `source`
/// names who reported it (for the admin log). A re-delivered refund queues
/// the panel syncs again (the queue de-duplicates), so a crash between the
/// commit and the queue is repaired by the retry. Errors mean "retry".
pub async fn refund(app: &App, id: &OrderId, source: &str) -> Result<Refund, String> {
    let outcome = app
        .store
        .refund_order(id, now())
        .await
        .map_err(|e| e.to_string())?;
    match &outcome {
        Refund::Done {
            order,
            inviter_end,
            shortfall,
            ..
        } => {
            crate::domains::admin::stats::count_event(
                app,
                now(),
                &order.id.0,
                crate::adapters::store::stats::counter::REFUNDS,
            )
            .await;
            follow(app, order).await?;
            let lang = app.config.default_language;
            app.admin_log(tr(
                lang,
                "log-refund-provider",
                &[
                    ("order", Arg::Str(order.id.0.clone())),
                    ("what", Arg::Str(source.to_owned())),
                ],
            ))
            .await;
            if *shortfall > 0 {
                flag_suspicious(
                    app,
                    order.provider.code(),
                    &format!(
                        "refund of top-up {}: {shortfall} of {} {} was already spent; the balance went to 0",
                        order.id, order.amount.minor, order.amount.currency
                    ),
                )
                .await;
            }
            if let Some((inviter, end)) = inviter_end {
                tracing::info!(order = %order.id, %inviter, end, "inviter's bonus taken back");
            }
        }
        Refund::Already(order) => follow(app, order).await?,
        Refund::NotPaid(_) | Refund::Unknown => {}
    }
    Ok(outcome)
}

/// Queues the panel syncs a refunded order needs.
async fn follow(app: &App, order: &Order) -> Result<(), String> {
    if matches!(order.purchase, Purchase::Plan(_)) {
        sync(
            app,
            order.user,
            SyncReason::Refund,
            &format!("refund-{}", order.id),
        )
        .await?;
    }
    if let Some((inviter, _)) = order.referral.filter(|(_, days)| *days > 0) {
        sync(
            app,
            inviter,
            SyncReason::Refund,
            &format!("refund-ref-{}", order.id),
        )
        .await?;
    }
    Ok(())
}
