//! Refunds, whichever way they come (a provider's notification, Telegram's
//! `refunded_payment`, an admin's `/refund`): the order's days and money are
//! taken back in one transaction (`Store::refund_order`), then the panel
//! follows through the sync queue, so VPN access ends when the days end.

use crate::adapters::app::App;
use crate::adapters::outbox::OutgoingText;
use crate::adapters::pay::OrderId;
use crate::base::clock::now;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, tr};
use crate::base::types::Kopecks;
use crate::domains::access::sync::SyncReason;
use crate::domains::error::Error;
use crate::domains::messaging::queue_once;
use crate::domains::money::effects::{flag_suspicious, sync};
use crate::domains::money::orders::{Order, Purchase, Refund};

/// Markers of the refund notices: one per order and person.
const NOTICE_SCOPE: &str = "refund-notice";
/// How long a refund notice's marker holds before it is kept: a crash in
/// between lets it lapse, so a retry sends the notice.
const NOTICE_LEASE_SECS: i64 = 300;
/// How long a refund notice's marker is kept.
const NOTICE_KEEP_SECS: i64 = 90 * 86_400;

/// Tells the buyer that `order` was refunded and what that took back, and
/// the inviter when it took their bonus back (each once per order, each
/// switchable). Run after the refund is recorded and on every repeat of
/// it, so a retry after a crash sends what the first run did not.
async fn tell_refunded(app: &App, order: &Order) -> Result<(), Error> {
    let personal = app.config.notifications.personal;
    if personal.refund {
        let lang = app
            .store
            .get_user(order.user)
            .await?
            .map_or(app.config.default_language, |u| u.lang);
        let text = tr(
            lang,
            "refund-user-notice",
            &[
                (
                    "amount",
                    Arg::Str(crate::domains::money::effects::amount_text(
                        app,
                        lang,
                        &order.amount,
                    )),
                ),
                (
                    "what",
                    Arg::Str(crate::domains::money::catalog::what(lang, order.purchase)),
                ),
            ],
        );
        let msg = OutgoingText::to_user(order.user, text);
        send_once(app, &format!("{}-buyer", order.id), &msg).await?;
    }
    let Some((inviter, days)) = order.referral else {
        return Ok(());
    };
    if !personal.inviter_refund {
        return Ok(());
    }
    let Some(user) = app.store.get_user(inviter).await? else {
        return Ok(());
    };
    let lang = user.lang;
    let text = match order.referral_money {
        Some(k) if k > 0 => tr(
            lang,
            "refund-inviter-notice-money",
            &[("amount", Arg::Str(money(lang, &app.config, Kopecks(k))))],
        ),
        _ if days > 0 => tr(
            lang,
            "refund-inviter-notice-days",
            &[
                ("days", Arg::Num(i64::from(days))),
                (
                    "date",
                    Arg::Str(user.sub_end.map(|at| date(lang, at)).unwrap_or_default()),
                ),
            ],
        ),
        _ => return Ok(()),
    };
    let msg = OutgoingText::to_user(inviter, text);
    send_once(app, &format!("{}-inviter", order.id), &msg).await
}

/// Queues `msg` under the refund-notice marker `id` unless it was sent
/// before, then keeps the marker.
async fn send_once(app: &App, id: &str, msg: &OutgoingText) -> Result<(), Error> {
    let ts = now();
    if queue_once(app, NOTICE_SCOPE, id, ts, NOTICE_LEASE_SECS, msg).await? {
        app.store
            .keep_once(NOTICE_SCOPE, id, ts + NOTICE_KEEP_SECS)
            .await?;
    }
    Ok(())
}

/// Records the refund of order `id` and brings the panel along. `source`
/// names who reported it (for the admin log). A re-delivered refund queues
/// the panel syncs again (the queue de-duplicates), so a crash between the
/// commit and the queue is repaired by the retry. Errors mean "retry".
pub async fn refund(app: &App, id: &OrderId, source: &str) -> Result<Refund, Error> {
    let outcome = crate::domains::money::orders::refund_order(&app.store, id, now()).await?;
    match &outcome {
        Refund::Done {
            order,
            inviter_end,
            shortfall,
            ..
        } => {
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
            if let Purchase::TopUp(rubles) = order.purchase
                && *shortfall > Kopecks(0)
            {
                flag_suspicious(
                    app,
                    order.provider,
                    &format!(
                        "refund of top-up {} (paid {}): {} of {} was already spent; the balance went to 0",
                        order.id,
                        order.amount,
                        shortfall.display_rubles(),
                        rubles.display_rubles()
                    ),
                )
                .await;
            }
            if let Some((inviter, end)) = inviter_end {
                tracing::info!(order = %order.id, %inviter, end, "inviter's bonus taken back");
            }
            tell_refunded(app, order).await?;
        }
        Refund::Already(order) => {
            follow(app, order).await?;
            tell_refunded(app, order).await?;
        }
        Refund::NotPaid(_) | Refund::Unknown => {}
    }
    Ok(outcome)
}

/// What asking YooKassa to refund an order gave.
#[derive(Debug)]
pub enum YooRefundOutcome {
    /// YooKassa refunded it and the refund is recorded (or was before).
    Recorded(Box<Refund>),
    /// YooKassa accepted it but has not finished: its `refund.succeeded`
    /// notification records it.
    Pending,
    /// YooKassa refused or cancelled it: nothing changed. The reason.
    Refused(String),
}

/// Refunds a paid YooKassa order in full through the API, then records it
/// like any refund. The `Idempotence-Key` is derived from the order, so a
/// double tap or a retry refunds once (YooKassa answers the first refund
/// again), and the `refund.succeeded` notification that follows finds the
/// order already refunded and takes nothing back twice. Errors mean the
/// refund went through but was not recorded (retry: recording is idempotent).
pub async fn yookassa_refund(app: &App, order: &Order) -> Result<YooRefundOutcome, Error> {
    let Some(cfg) = app.config.yookassa.as_ref() else {
        return Ok(YooRefundOutcome::Refused(
            "YooKassa is not configured".into(),
        ));
    };
    let Some(payment_id) = order.provider_ref.as_deref() else {
        return Ok(YooRefundOutcome::Refused(
            "the order has no YooKassa payment id".into(),
        ));
    };
    let key = format!("refund-{}", order.id);
    let (refund, reason) = match crate::adapters::pay::yookassa::create_refund(
        &app.http,
        cfg,
        payment_id,
        &order.amount,
        &key,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return Ok(YooRefundOutcome::Refused(e.to_string())),
    };
    use crate::adapters::pay::yookassa::YooStatus;
    match refund.status {
        YooStatus::Succeeded => {
            let what = format!("{}: {}", refund.id, refund.amount);
            refund_recorded(app, &order.id, &what).await
        }
        YooStatus::Canceled => Ok(YooRefundOutcome::Refused(
            reason.unwrap_or_else(|| "canceled".into()),
        )),
        _ => Ok(YooRefundOutcome::Pending),
    }
}

async fn refund_recorded(app: &App, id: &OrderId, what: &str) -> Result<YooRefundOutcome, Error> {
    refund(app, id, what)
        .await
        .map(|r| YooRefundOutcome::Recorded(Box::new(r)))
}

/// Queues the panel syncs a refunded order needs.
async fn follow(app: &App, order: &Order) -> Result<(), Error> {
    if order.purchase.product().is_some() {
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
