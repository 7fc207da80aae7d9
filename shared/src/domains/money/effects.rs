//! What happens after a payment is credited, outside the transaction and
//! through queues: the inviter's reward (`crate::adapters::store::rewards`),
//! the panel update (the buyer's and the inviter's), the buyer's
//! confirmation, the inviter's notice and the admin log.
//!
//! They are not run where the payment is credited: the crediting path sends
//! ONE message, `Job::AfterPayment`, to the jobs worker and answers
//! ([`after_credit`]); a failed send answers so the payment is delivered
//! again. The order item is the record of the effects: the worker
//! ([`run_job`]) takes a lease on them, and marks each done on the order
//! (`fx`) only after its message is safely queued. A failure gives the
//! lease back and leaves the job on the queue; SQS delivers it again (as it
//! does after a crash or a timeout) and the effects not marked are done
//! then. A re-delivered payment that finds the order paid with effects not
//! all marked queues the job again ([`finish_effects`]); a second run
//! finds the lease held or the markers set and repeats nothing.

use crate::adapters::app::App;
use crate::adapters::jobs::{Job, enqueue_job};
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::rewards::REWARD;
use crate::adapters::store::users::User;
use crate::base::callback::Action;
use crate::base::clock::now;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Kopecks, Lang, Provider};
use crate::domains::access::sync::{PanelSyncRequest, SyncReason, enqueue_sync};
use crate::domains::error::Error;
use crate::domains::money::orders::{Credit, Order, OrderStatus, Purchase};

/// One after-payment effect, as recorded on the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// The inviter's bonus days or money and paying-invitee count, granted
    /// in one transaction with its marker (`reward.rs`).
    Reward,
    /// Every device of the buyer removed at a renewal (RESET_DEVICES_ON_RENEWAL).
    ResetDevices,
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
            Effect::Reward => REWARD,
            Effect::ResetDevices => "reset_dev",
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
    if order.referral_due.is_some() && order.referral.is_none() {
        out.push(Effect::Reward);
    }
    if matches!(order.purchase, Purchase::Plan(_))
        && app
            .config
            .panel
            .as_ref()
            .is_some_and(|p| p.reset_devices_on_renewal)
    {
        out.push(Effect::ResetDevices);
    }
    // Whatever the panel grants (days, devices, traffic) follows it.
    if order.purchase.product().is_some() {
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

/// Queues the effects of a freshly credited order: one message to the jobs
/// worker ([`run_job`]). An error means it was not queued: the caller
/// answers so that the payment is delivered again (a provider's 5xx, a
/// failed Telegram update), and the re-delivery, finding the order paid,
/// queues it then ([`finish_effects`]).
pub async fn after_credit(app: &App, credit: &Credit) -> Result<(), Error> {
    after_credit_with(app, credit, true).await
}

/// Like [`after_credit`]; `tell_user` false mutes the buyer's confirmation
/// (Tribute renewals with `TRIBUTE_SKIP_NOTIFICATIONS`).
pub async fn after_credit_with(app: &App, credit: &Credit, tell_user: bool) -> Result<(), Error> {
    queue(app, &credit.order, tell_user).await
}

/// For an order found already paid (a re-delivery): queues its effects
/// again when some are not marked done (a crash, a timeout or a failed
/// queue cut the first run short); the worker does only what is left.
pub async fn finish_effects(app: &App, order: &Order, tell_user: bool) -> Result<(), Error> {
    if order.status != OrderStatus::Paid {
        return Ok(());
    }
    queue(app, order, tell_user).await
}

async fn queue(app: &App, order: &Order, tell_user: bool) -> Result<(), Error> {
    if needed(app, order, tell_user).is_empty() {
        return Ok(());
    }
    enqueue_job(
        app,
        &Job::AfterPayment {
            order: order.id.0.clone(),
            quiet: !tell_user,
        },
    )
    .await
    .map_err(Error::from)
}

/// The jobs worker's side: runs the effects of order `id` not yet marked
/// done, under the order's lease so two deliveries of the message do not
/// run them side by side. An error leaves the message on the queue for a
/// retry: a lease still held, a failed send (the lease is given back).
pub async fn run_job(app: &App, id: &OrderId, tell_user: bool) -> Result<(), Error> {
    let leased = app
        .store
        .take_effects_lease(id, now())
        .await
        .map_err(Error::from)?;
    let Some(order) = leased else {
        // Not paid (nothing to do), or another run holds the lease: if
        // effects are left, the retry finishes them after it.
        let order = app.store.get_order(id).await.map_err(Error::from)?;
        return match order {
            Some(o) if o.status == OrderStatus::Paid && !needed(app, &o, tell_user).is_empty() => {
                Err(Error::Text(format!(
                    "order {id}: after-payment effects are running elsewhere"
                )))
            }
            _ => Ok(()),
        };
    };
    if order.status != OrderStatus::Paid || needed(app, &order, tell_user).is_empty() {
        return Ok(());
    }
    let user = app
        .store
        .get_payer(order.user)
        .await
        .map_err(Error::from)?
        .ok_or_else(|| format!("order {id}: buyer {} not found", order.user))?;
    run(app, &order, &user, tell_user).await
}

async fn run(app: &App, order: &Order, user: &User, tell_user: bool) -> Result<(), Error> {
    let mut order = order.clone();
    if needed(app, &order, tell_user).contains(&Effect::Reward) {
        // First, and on its own: it decides the inviter's effects below.
        match app.store.grant_referral(&order, now()).await {
            Ok(granted) => order = granted,
            Err(e) => {
                if let Err(e) = app.store.release_effects_lease(&order.id).await {
                    tracing::warn!(order = %order.id, "effects lease not released (it runs out): {e}");
                }
                return Err(Error::Text(format!("order {}: {REWARD}: {e}", order.id)));
            }
        }
    }
    let order = &order;
    for effect in needed(app, order, tell_user) {
        let done = match effect {
            // Granted above; a reward not granted there stays needed only
            // if the order was changed meanwhile: the retry decides.
            Effect::Reward => Err(Error::Text(
                "the inviter's reward is not settled yet".into(),
            )),
            Effect::ResetDevices => reset_devices(app, user).await,
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
            Effect::Log => Ok(app
                .try_admin_log(payment_log_line(app, order, user))
                .await?),
        };
        let marked = match done {
            Ok(()) => app
                .store
                .mark_effect_done(&order.id, effect.code())
                .await
                .map_err(Error::from),
            Err(e) => Err(e),
        };
        if let Err(e) = marked {
            if let Err(e) = app.store.release_effects_lease(&order.id).await {
                tracing::warn!(order = %order.id, "effects lease not released (it runs out): {e}");
            }
            return Err(Error::Text(format!(
                "order {}: {}: {e}",
                order.id,
                effect.code()
            )));
        }
    }
    Ok(())
}

/// Removes every device of a renewing buyer (a first purchase has no
/// panel account yet: nothing to remove). Done once per order: the effect
/// is marked, so a device connected after it stays.
async fn reset_devices(app: &App, user: &User) -> Result<(), Error> {
    let (Some(client), Some(link)) = (app.panel.as_ref(), user.panel.as_ref()) else {
        return Ok(());
    };
    client
        .delete_all_devices(link.id)
        .await
        .map(|_| tracing::info!(user = %user.id, "devices reset at renewal"))
        .map_err(Error::from)
}

/// Queues a panel sync; the FIFO queue de-duplicates by `dedup`.
pub async fn sync(
    app: &App,
    user: crate::base::types::TelegramId,
    reason: SyncReason,
    dedup: &str,
) -> Result<(), Error> {
    if app.config.panel.is_none() {
        return Ok(());
    }
    enqueue_sync(app, &PanelSyncRequest { user, reason }, dedup).await
}

/// The devices `user`'s subscription allows now: the included ones and the
/// extra slots bought.
fn device_total(app: &App, user: &User) -> u32 {
    app.config
        .products
        .devices
        .map_or(0, |d| d.included + user.extra_devices)
}

async fn confirm(app: &App, order: &Order, user: &User) -> Result<(), Error> {
    let lang = user.lang;
    let mut text = match order.purchase {
        Purchase::Plan(period) => tr(
            lang,
            "payment-succeeded-plan",
            &[
                ("months", Arg::Num(i64::from(period.months()))),
                (
                    "date",
                    Arg::Str(user.sub_end.map(|at| date(lang, at)).unwrap_or_default()),
                ),
            ],
        ),
        Purchase::Devices(count) => tr(
            lang,
            "payment-succeeded-devices",
            &[
                ("count", Arg::Num(i64::from(count))),
                ("total", Arg::Num(i64::from(device_total(app, user)))),
            ],
        ),
        Purchase::Traffic(bytes) => tr(
            lang,
            "payment-succeeded-traffic",
            &[(
                "amount",
                Arg::Str(crate::base::format::pack_text(lang, bytes)),
            )],
        ),
        Purchase::TopUp(rubles) => tr(
            lang,
            if order.discount_lost {
                "payment-succeeded-discount-lost"
            } else {
                "payment-succeeded-topup"
            },
            &[
                ("amount", Arg::Str(money(lang, &app.config, rubles))),
                ("balance", Arg::Str(money(lang, &app.config, user.balance))),
            ],
        ),
    };
    // The invitee's bonus days are part of what they got: named, so the
    // end date above adds up.
    if let (Purchase::Plan(period), Some(granted)) = (order.purchase, order.granted_days)
        && granted > period.days()
        && app.config.notifications.personal.referral_bonus
    {
        text.push('\n');
        text.push_str(&tr(
            lang,
            "payment-referee-bonus",
            &[("days", Arg::Num(i64::from(granted - period.days())))],
        ));
    }
    let mut msg = OutgoingText::to_user(user.id, text);
    msg.buttons = vec![vec![Button::Callback {
        text: t(lang, "btn-subscription"),
        data: Action::Subscription.data(),
    }]];
    app.outbox.send(&msg, 0).await.map_err(Error::from)
}

async fn inviter_notice(
    app: &App,
    inviter: crate::base::types::TelegramId,
    days: u32,
    money_bonus: Option<u64>,
) -> Result<(), Error> {
    let lang = app
        .store
        .get_user(inviter)
        .await
        .map_err(Error::from)?
        .map(|u| u.lang)
        .unwrap_or(app.config.default_language);
    let notice = match money_bonus {
        Some(k) => tr(
            lang,
            "referral-bonus-money-granted",
            &[("amount", Arg::Str(money(lang, &app.config, Kopecks(k))))],
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
        .map_err(Error::from)
}

fn payment_log_line(app: &App, order: &Order, user: &User) -> String {
    let lang = app.config.default_language;
    let what = crate::domains::money::catalog::what(lang, order.purchase);
    tr(
        lang,
        "log-payment",
        &[
            ("name", Arg::Str(html(&user.first_name))),
            ("id", Arg::Str(user.id.to_string())),
            ("what", Arg::Str(what)),
            ("amount", Arg::Str(amount_text(app, lang, &order.amount))),
            (
                "method",
                Arg::Str(crate::base::format::method_name(lang, order.provider)),
            ),
            ("order", Arg::Str(order.id.0.clone())),
        ],
    )
}

/// An amount as people of `lang` read it: "199 ₽", "150 ⭐", "2.5 USDT".
pub fn amount_text(app: &App, lang: crate::base::types::Lang, m: &Money) -> String {
    crate::base::format::money_text(lang, &app.config, m)
}

/// Tells the admins about a payment that was authentic but not credited.
pub async fn flag_suspicious(app: &App, provider: Provider, what: &str) {
    let provider = provider.code();
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
            Effect::Reward,
            Effect::ResetDevices,
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
