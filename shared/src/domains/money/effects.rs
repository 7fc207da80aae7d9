//! What happens after a payment is credited, outside the transaction and
//! through queues: the user's confirmation, the admin log, the inviter's
//! notice and the panel update. Notices go out once per order (an
//! at-most-once marker); they run again, harmlessly, when a provider
//! re-delivers, so a crash between the commit and the notices only delays them.

use crate::adapters::app::App;
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::pay::Money;
use crate::adapters::store::once::Claim;
use crate::base::clock::now;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Kopecks, Lang};
use crate::domains::money::orders::{Credit, Order, Purchase};

/// Scope of the "notices sent for this order" markers.
const NOTICE_SCOPE: &str = "paid-notice";
const NOTICE_KEEP_SECS: i64 = 90 * 86_400;

/// Runs the side effects of a freshly credited order.
pub async fn after_credit(app: &App, credit: &Credit) -> Result<(), String> {
    after_credit_with(app, credit, true).await
}

/// Like [`after_credit`]; `tell_user` false mutes the buyer's confirmation
/// (Tribute renewals with `TRIBUTE_SKIP_NOTIFICATIONS`).
pub async fn after_credit_with(app: &App, credit: &Credit, tell_user: bool) -> Result<(), String> {
    request_panel_sync(app, &credit.order).await;
    match app
        .store
        .claim_once(NOTICE_SCOPE, &credit.order.id.0, now(), NOTICE_KEEP_SECS)
        .await
        .map_err(|e| e.to_string())?
    {
        Claim::Duplicate => return Ok(()),
        Claim::Acquired => {}
    }
    let user = &credit.user;
    let lang = user.lang;
    let text = match credit.order.purchase {
        Purchase::Plan(period) => tr(
            lang,
            "payment-succeeded-plan",
            &[
                ("months", Arg::Num(i64::from(period.months()))),
                ("date", Arg::Str(user.sub_end.map(date).unwrap_or_default())),
            ],
        ),
        Purchase::TopUp => tr(
            lang,
            "payment-succeeded-topup",
            &[
                ("amount", Arg::Str(amount_text(app, &credit.order.amount))),
                ("balance", Arg::Str(money(&app.config, user.balance))),
            ],
        ),
    };
    let mut msg = OutgoingText::to_user(user.id, text);
    msg.buttons = vec![vec![Button::Callback {
        text: t(lang, "btn-subscription"),
        data: "sub".into(),
    }]];
    if tell_user && let Err(e) = app.outbox.send(&msg, 0).await {
        // Give the marker back before anything else is queued: the
        // provider's retry (we answer 5xx) sends every notice once.
        let _ = app
            .store
            .release_once(NOTICE_SCOPE, &credit.order.id.0)
            .await;
        return Err(e.to_string());
    }
    if let Some((inviter, days)) = credit.referral_bonus {
        let inviter_lang = app
            .store
            .get_user(inviter)
            .await
            .ok()
            .flatten()
            .map(|u| u.lang)
            .unwrap_or(app.config.default_language);
        let notice = tr(
            inviter_lang,
            "referral-bonus-granted",
            &[("days", Arg::Num(i64::from(days)))],
        );
        if let Err(e) = app
            .outbox
            .send(&OutgoingText::to_user(inviter, notice), 0)
            .await
        {
            tracing::error!("referral notice not queued: {e}");
        }
    }
    if app.config.log.payments {
        app.admin_log(payment_log_line(app, credit)).await;
    }
    Ok(())
}

/// Panel provisioning for a credited order (the panel-sync worker makes the
/// panel match DynamoDB; the queue de-duplicates by order id).
async fn request_panel_sync(app: &App, order: &Order) {
    if !matches!(order.purchase, Purchase::Plan(_)) {
        return;
    }
    if let Err(e) = crate::domains::access::sync::enqueue_sync(
        app,
        &crate::domains::access::sync::PanelSyncRequest {
            user: order.user,
            reason: crate::domains::access::sync::SyncReason::Paid,
        },
        &order.id.0,
    )
    .await
    {
        tracing::error!(order = %order.id, "panel sync not queued (reconciliation will catch up): {e}");
    }
}

fn payment_log_line(app: &App, credit: &Credit) -> String {
    let lang = app.config.default_language;
    let what = match credit.order.purchase {
        Purchase::Plan(p) => tr(
            lang,
            "log-what-plan",
            &[("months", Arg::Num(i64::from(p.months())))],
        ),
        Purchase::TopUp => t(lang, "log-what-topup"),
    };
    tr(
        lang,
        "log-payment",
        &[
            ("name", Arg::Str(html(&credit.user.first_name))),
            ("id", Arg::Str(credit.user.id.to_string())),
            ("what", Arg::Str(what)),
            ("amount", Arg::Str(amount_text(app, &credit.order.amount))),
            (
                "method",
                Arg::Str(t(lang, &format!("method-{}", credit.order.provider.code()))),
            ),
            ("order", Arg::Str(credit.order.id.0.clone())),
        ],
    )
}

/// An amount as people read it: "199 ₽", "150 ⭐", "2.5 USDT".
pub fn amount_text(app: &App, m: &Money) -> String {
    match m.currency.as_str() {
        "RUB" => money(&app.config, Kopecks(m.minor)),
        "XTR" => format!("{} ⭐", m.minor),
        other => format!("{} {other}", m.minor),
    }
}

/// Tells the admins about a payment that was authentic but not credited.
pub async fn flag_suspicious(app: &App, provider: &str, what: &str) {
    tracing::warn!(provider, what, "suspicious payment notification");
    if app.config.log.suspicious_activity {
        let lang: Lang = app.config.default_language;
        app.admin_log(tr(
            lang,
            "log-suspicious",
            &[
                ("provider", Arg::Str(provider.to_owned())),
                ("what", Arg::Str(html(what))),
            ],
        ))
        .await;
    }
}
