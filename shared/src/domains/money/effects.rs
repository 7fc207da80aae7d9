//! What happens after a payment is credited, outside the transaction and
//! through queues: the panel update (the buyer's and the inviter's), the
//! buyer's confirmation, the inviter's notice and the admin log.
//!
//! The order item is the record of them. The crediting transaction takes a
//! lease on the effects; each effect is marked done on the order only after
//! its message is safely queued. A failure gives the lease back and answers
//! the provider 5xx; the provider's retry (or any re-delivery, after a crash
//! or a timeout) finds the order paid and finishes the effects that are not
//! marked. A concurrent duplicate waits for the lease holder instead of
//! sending the notices again.

use crate::adapters::app::App;
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::pay::Money;
use crate::adapters::store::users::User;
use crate::base::callback::Action;
use crate::base::clock::now;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Kopecks, Lang};
use crate::domains::access::sync::{PanelSyncRequest, SyncReason, enqueue_sync};
use crate::domains::money::orders::{Credit, Order, OrderStatus, Purchase};
use std::time::Duration;

/// One after-payment effect, as recorded on the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// The buyer's panel account follows the new end date.
    Sync,
    /// The inviter's panel account follows the bonus days.
    InviterSync,
    /// The buyer's confirmation.
    Notice,
    /// The inviter's "you got N days".
    InviterNotice,
    /// The admin log line.
    Log,
}

impl Effect {
    fn code(self) -> &'static str {
        match self {
            Effect::Sync => "sync",
            Effect::InviterSync => "ref_sync",
            Effect::Notice => "notice",
            Effect::InviterNotice => "ref_notice",
            Effect::Log => "log",
        }
    }
}

/// The effects `order` needs, in the order they run.
fn needed(app: &App, order: &Order, tell_user: bool) -> Vec<Effect> {
    let mut out = Vec::new();
    if matches!(order.purchase, Purchase::Plan(_)) {
        out.push(Effect::Sync);
    }
    if order.referral.is_some_and(|(_, days)| days > 0) {
        out.push(Effect::InviterSync);
    }
    if tell_user {
        out.push(Effect::Notice);
    }
    if order.referral.is_some() {
        out.push(Effect::InviterNotice);
    }
    if app.config.log.payments && app.config.log.chat_id.is_some() {
        out.push(Effect::Log);
    }
    out.retain(|e| !order.effects_done.iter().any(|d| d == e.code()));
    out
}

/// Runs the effects of a freshly credited order (the crediting transaction
/// took their lease).
pub async fn after_credit(app: &App, credit: &Credit) -> Result<(), String> {
    after_credit_with(app, credit, true).await
}

/// Like [`after_credit`]; `tell_user` false mutes the buyer's confirmation
/// (Tribute renewals with `TRIBUTE_SKIP_NOTIFICATIONS`).
pub async fn after_credit_with(app: &App, credit: &Credit, tell_user: bool) -> Result<(), String> {
    run(app, &credit.order, &credit.user, tell_user).await
}

/// Finishes the effects of an order found already paid (a re-delivery):
/// whatever a crash, a timeout or a failed queue cut short is done now,
/// and what was done is not repeated.
pub async fn finish_effects(app: &App, order: &Order, tell_user: bool) -> Result<(), String> {
    if order.status != OrderStatus::Paid || needed(app, order, tell_user).is_empty() {
        return Ok(());
    }
    for attempt in 0..6 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        match app
            .store
            .take_effects_lease(&order.id, now())
            .await
            .map_err(|e| e.to_string())?
        {
            Some(fresh) => {
                let user = app
                    .store
                    .get_payer(fresh.user)
                    .await
                    .map_err(|e| e.to_string())?;
                let Some(user) = user else {
                    return Err(format!(
                        "order {}: buyer {} not found",
                        fresh.id, fresh.user
                    ));
                };
                return run(app, &fresh, &user, tell_user).await;
            }
            None => {
                // Another run holds the lease: wait for it to finish.
                let now_order = app
                    .store
                    .get_order(&order.id)
                    .await
                    .map_err(|e| e.to_string())?;
                if now_order.is_none_or(|o| needed(app, &o, tell_user).is_empty()) {
                    return Ok(());
                }
            }
        }
    }
    Err(format!(
        "order {}: after-payment effects are still running elsewhere",
        order.id
    ))
}

async fn run(app: &App, order: &Order, user: &User, tell_user: bool) -> Result<(), String> {
    for effect in needed(app, order, tell_user) {
        let done = match effect {
            Effect::Sync => sync(app, order.user, SyncReason::Paid, &order.id.0).await,
            Effect::InviterSync => match order.referral {
                Some((inviter, _)) => {
                    sync(
                        app,
                        inviter,
                        SyncReason::Referral,
                        &format!("ref-{}", order.id),
                    )
                    .await
                }
                None => Ok(()),
            },
            Effect::Notice => confirm(app, order, user).await,
            Effect::InviterNotice => match order.referral {
                Some((inviter, days)) => {
                    inviter_notice(app, inviter, days, order.referral_money).await
                }
                None => Ok(()),
            },
            Effect::Log => app.try_admin_log(payment_log_line(app, order, user)).await,
        };
        let marked = match done {
            Ok(()) => app
                .store
                .mark_effect_done(&order.id, effect.code())
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if let Err(e) = marked {
            if let Err(e) = app.store.release_effects_lease(&order.id).await {
                tracing::warn!(order = %order.id, "effects lease not released (it runs out): {e}");
            }
            return Err(format!("order {}: {}: {e}", order.id, effect.code()));
        }
    }
    Ok(())
}

/// Queues a panel sync; the FIFO queue de-duplicates by `dedup`.
pub async fn sync(
    app: &App,
    user: crate::base::types::TelegramId,
    reason: SyncReason,
    dedup: &str,
) -> Result<(), String> {
    if app.config.panel.is_none() {
        return Ok(());
    }
    enqueue_sync(app, &PanelSyncRequest { user, reason }, dedup).await
}

async fn confirm(app: &App, order: &Order, user: &User) -> Result<(), String> {
    let lang = user.lang;
    let text = match order.purchase {
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
                ("amount", Arg::Str(amount_text(app, &order.amount))),
                ("balance", Arg::Str(money(&app.config, user.balance))),
            ],
        ),
    };
    let mut msg = OutgoingText::to_user(user.id, text);
    msg.buttons = vec![vec![Button::Callback {
        text: t(lang, "btn-subscription"),
        data: Action::Subscription.data(),
    }]];
    app.outbox.send(&msg, 0).await.map_err(|e| e.to_string())
}

async fn inviter_notice(
    app: &App,
    inviter: crate::base::types::TelegramId,
    days: u32,
    money_bonus: Option<u64>,
) -> Result<(), String> {
    let lang = app
        .store
        .get_user(inviter)
        .await
        .map_err(|e| e.to_string())?
        .map(|u| u.lang)
        .unwrap_or(app.config.default_language);
    let notice = match money_bonus {
        Some(k) => tr(
            lang,
            "referral-bonus-money-granted",
            &[("amount", Arg::Str(money(&app.config, Kopecks(k))))],
        ),
        None => tr(
            lang,
            "referral-bonus-granted",
            &[("days", Arg::Num(i64::from(days)))],
        ),
    };
    app.outbox
        .send(&OutgoingText::to_user(inviter, notice), 0)
        .await
        .map_err(|e| e.to_string())
}

fn payment_log_line(app: &App, order: &Order, user: &User) -> String {
    let lang = app.config.default_language;
    let what = match order.purchase {
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
            ("name", Arg::Str(html(&user.first_name))),
            ("id", Arg::Str(user.id.to_string())),
            ("what", Arg::Str(what)),
            ("amount", Arg::Str(amount_text(app, &order.amount))),
            (
                "method",
                Arg::Str(t(lang, &format!("method-{}", order.provider.code()))),
            ),
            ("order", Arg::Str(order.id.0.clone())),
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

#[cfg(test)]
mod effect_codes {
    use super::Effect;

    #[test]
    fn historical_orders_mark_every_effect_done() {
        let all = [
            Effect::Sync,
            Effect::InviterSync,
            Effect::Notice,
            Effect::InviterNotice,
            Effect::Log,
        ];
        let codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes, crate::domains::money::orders::EFFECT_CODES);
    }
}
