//! The renewal itself: the notice a day before and the charge an hour
//! before the end (the balance, the saved card, or the balance then the
//! card).
//!
//! Told before charged: the notice names every way that may be charged and
//! records that promise per (user, end) (`Store::record_promise`); the
//! charge takes only what the promise names, so a card is never charged
//! for an end whose notice named the balance alone, and an end with no
//! notice is not charged at all (the ordinary expiry notices go instead).
//! Both name the plan at today's price and only while it is for sale
//! (`catalog::renewal_price`); a plan no longer sold is not charged and the
//! user is told to pick another.
//!
//! Exactly once: the charge's order id is derived from the user, the
//! subscription end and the attempt ([`order_id`]); it is written first
//! (`create_order_or_existing`) and sent to YooKassa as the `Idempotence-Key`,
//! so a repeated scheduler run or a duplicated delivery finds the same
//! order and gets the same payment back, and crediting goes through
//! `money::settle` (exactly once by the order).

use crate::adapters::app::App;
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::pay::yookassa::{self, YooStatus};
use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::cards::{Card, Promise, Wallet};
use crate::adapters::store::users::User;
use crate::base::callback::{Action, BuyAction};
use crate::base::clock::now;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::{Period, Provider, TelegramId};
use crate::domains::error::Error;
use crate::domains::messaging::queue_once;
use crate::domains::money::orders::{Order, OrderStatus, Payment, Purchase};
use crate::domains::money::settle::{Settlement, settle};
use crate::domains::renewal::balance::{self, Debit};
use crate::domains::renewal::cards;

/// The charge goes this long before the end, so a renewed user never sees
/// the end-of-subscription notice.
pub const LEAD_SECS: i64 = 3600;
/// The notice goes this long before the end.
pub const NOTICE_SECS: i64 = 86_400;
/// A declined charge is retried once, this long after the first attempt.
pub const RETRY_SECS: i64 = 86_400;
/// Attempts per subscription end.
pub const ATTEMPTS: u8 = 2;
/// `cancellation_details.reason` values meaning the saved card can never
/// be charged again: it is forgotten.
pub const REVOKED: [&str; 2] = ["permission_revoked", "card_expired"];
/// `cancellation_details.reason` values that are not the card's fault
/// (YooKassa's or the bank's technical trouble): the order is closed
/// without telling the user their card was declined; the retry a day later
/// (or the ordinary notices after the last attempt) follows.
pub const TECHNICAL: [&str; 2] = ["internal_timeout", "issuer_unavailable"];

/// Marker scope of the notice.
const SCOPE: &str = "renew-notice";
/// Marker scope of the "plan no longer sold" notice.
const GONE_SCOPE: &str = "renew-gone";
/// How long the notice marker is held while the message is being queued.
const LEASE_SECS: i64 = 120;
/// How long what a notice said is remembered after the end it was about.
const KEEP_SECS: i64 = 60 * 86_400;

/// What a renewal job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Notice queued.
    Noticed,
    /// Charged and credited.
    Renewed,
    /// The card was declined (`true`: revoked, and forgotten).
    Declined(bool),
    /// YooKassa canceled it for a technical reason ([`TECHNICAL`]): closed,
    /// the user not told of a decline.
    NotCharged,
    /// Charged but YooKassa has not decided yet (its notification or the
    /// stuck-payment re-check settles it).
    Pending,
    /// Done before (a repeated run or delivery).
    Duplicate,
    /// Not for this user now (off, no card, renewed, banned, blocked, gone,
    /// or not named by the notice of this end).
    Skipped,
    /// The plan renewed is no longer sold: nothing charged, the user told
    /// to pick another.
    OffSale,
}

/// The id of the renewal order of `user`'s subscription ending at `end`,
/// attempt `attempt`: 32 hex characters of SHA-256, like every order id.
pub fn order_id(user: TelegramId, end: i64, attempt: u8) -> OrderId {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("renew:{user}:{end}:{attempt}").as_bytes());
    OrderId(hex::encode(&digest[..16]))
}

/// What may be charged for one subscription end, at today's price.
struct Plan {
    /// Renewal from the balance: the price it debits.
    balance: Option<Money>,
    /// Renewal by card: the card and the price charged to it.
    card: Option<(Card, Money)>,
}

impl Plan {
    /// What a notice naming this plan promises.
    fn promise(&self) -> Promise {
        Promise {
            balance: self.balance.is_some(),
            card: self.card.is_some(),
        }
    }
}

/// What a renewal of `u`'s subscription ending at `end` may charge now: the
/// card when renewal by card is on; the balance when renewal from it is on
/// and it covers the price, or whenever the card backs it up (the balance
/// may be topped up before the charge, so the notice names it).
/// `discount_at`: the moment whose discount counts (the renewal's, for a
/// notice told ahead of it; now, for the charge).
fn plan(app: &App, u: &User, wallet: &Wallet, end: i64, discount_at: i64) -> Plan {
    let card =
        cards::plan_for(app, u, wallet, end, discount_at).map(|(card, _, price)| (card, price));
    let balance = balance::plan_for(app, u, wallet, end, discount_at)
        .map(|(_, price)| price)
        .filter(|price| card.is_some() || balance::covers(u, price));
    Plan { balance, card }
}

/// The plan a renewal that is on would buy when the operator no longer
/// sells it (asked when nothing else renews the end).
fn off_sale(app: &App, u: &User, wallet: &Wallet, end: i64) -> Option<Period> {
    balance::off_sale(&app.config, u, wallet, end).or_else(|| cards::off_sale(app, u, wallet, end))
}

/// An amount as the user reads it.
fn amount(app: &App, lang: crate::base::types::Lang, price: &Money) -> Arg {
    Arg::Str(money(lang, &app.config, price.as_rub().unwrap_or_default()))
}

/// A card as the user reads it.
fn card_name(card: &Card) -> Arg {
    Arg::Str(format!("{} *{}", card.card_type, card.last4))
}

/// The notice's text and its "turn off" button: every way that may be
/// charged is named, and the button turns off every way named.
fn notice_text(app: &App, u: &User, plan: &Plan, end: i64) -> Option<(String, Action)> {
    let day = ("date", Arg::Str(date(u.lang, end)));
    Some(match (&plan.balance, &plan.card) {
        (Some(debit), Some((card, price))) => (
            tr(
                u.lang,
                "renew-notice-both",
                &[
                    ("amount", amount(app, u.lang, debit)),
                    ("card_amount", amount(app, u.lang, price)),
                    ("card", card_name(card)),
                    day,
                ],
            ),
            Action::RenewOff,
        ),
        (Some(debit), None) => (
            tr(
                u.lang,
                "renew-notice-balance",
                &[("amount", amount(app, u.lang, debit)), day],
            ),
            Action::BalanceRenew(false),
        ),
        (None, Some((card, price))) => (
            tr(
                u.lang,
                "renew-notice",
                &[
                    ("card", card_name(card)),
                    ("amount", amount(app, u.lang, price)),
                    day,
                ],
            ),
            Action::AutoRenew(false),
        ),
        (None, None) => return None,
    })
    .map(|(mut text, action)| {
        if let Some(line) = devices_line(app, u) {
            text.push_str("\n\n");
            text.push_str(&line);
        }
        (text, action)
    })
}

/// What the renewal does with the extra devices `u` holds, told before it
/// charges: renewed (and priced in) or dropped, as the operator set.
fn devices_line(app: &App, u: &User) -> Option<String> {
    let d = app.config.products.devices?;
    if u.extra_devices == 0 || u.on_trial() {
        return None;
    }
    let count = ("count", Arg::Num(i64::from(u.extra_devices)));
    Some(if d.renew {
        tr(u.lang, "renew-notice-devices-kept", &[count])
    } else {
        tr(u.lang, "renew-notice-devices-dropped", &[count])
    })
}

/// Keeps the marker `scope/id` (and what it records) well past `end`.
async fn keep(app: &App, scope: &str, id: &str, end: i64) -> Result<(), Error> {
    app.store
        .keep_once(scope, id, keep_until(end))
        .await
        .map_err(Error::from)
}

/// How long what a notice said about `end` is remembered.
fn keep_until(end: i64) -> i64 {
    end.max(now()) + KEEP_SECS
}

/// Tells `user` a day ahead that their subscription will be renewed, once
/// per end, naming every way that may be charged (the balance, the saved
/// card, or the balance and then the card), and records that promise: the
/// charge takes nothing it does not name. A renewal whose plan is no longer
/// sold gets [`plan_gone`] instead.
pub async fn notice(app: &App, user: TelegramId, end: i64) -> Result<Outcome, Error> {
    let Some(u) = app.store.get_user(user).await.map_err(Error::from)? else {
        return Ok(Outcome::Skipped);
    };
    let wallet = app.store.wallet(user).await.map_err(Error::from)?;
    // The amount told is the one the charge will take: a discount that
    // will have expired by the charge is not promised.
    let plan = plan(app, &u, &wallet, end, (end - LEAD_SECS).max(now()));
    let Some((text, off)) = notice_text(app, &u, &plan, end) else {
        return match off_sale(app, &u, &wallet, end) {
            Some(period) => plan_gone(app, &u, end, period).await,
            None => Ok(Outcome::Skipped),
        };
    };
    let mut msg = OutgoingText::to_user(user, text);
    msg.buttons.push(vec![Button::Callback {
        text: t(u.lang, "btn-autorenew-off"),
        data: off.data(),
    }]);
    let id = format!("{user}#{end}");
    if !queue_once(app, SCOPE, &id, now(), LEASE_SECS, &msg).await? {
        return Ok(Outcome::Duplicate);
    }
    // Recorded only once the message is queued: a promise without its
    // message would let the charge take money the user was not told of.
    app.store
        .record_promise(user, end, plan.promise(), keep_until(end))
        .await
        .map_err(Error::from)?;
    keep(app, SCOPE, &id, end).await?;
    Ok(Outcome::Noticed)
}

/// Tells `u` once per end that the plan their auto-renewal buys is no
/// longer sold, so nothing will be charged, with a button to the plans.
async fn plan_gone(app: &App, u: &User, end: i64, period: Period) -> Result<Outcome, Error> {
    let text = tr(
        u.lang,
        "renew-plan-gone",
        &[
            ("months", Arg::Num(i64::from(period.months()))),
            ("date", Arg::Str(date(u.lang, end))),
        ],
    );
    let mut msg = OutgoingText::to_user(u.id, text);
    msg.buttons.push(vec![Button::Callback {
        text: t(u.lang, "btn-pick-plan"),
        data: BuyAction::Plans.data(),
    }]);
    let id = format!("{}#{end}", u.id);
    if !queue_once(app, GONE_SCOPE, &id, now(), LEASE_SECS, &msg).await? {
        return Ok(Outcome::Duplicate);
    }
    keep(app, GONE_SCOPE, &id, end).await?;
    tracing::info!(user = %u.id, end, period = period.code(), "auto-renewal's plan no longer sold: nothing charged");
    Ok(Outcome::OffSale)
}

/// Renews the subscription of `user` ending at `end`, taking only what its
/// notice named: the first attempt debits the balance when the notice named
/// it and it covers the price, else charges the saved card if the notice
/// named it; the second attempt (only after the card was declined) charges
/// the card again. No notice for the end: nothing is charged. A plan no
/// longer sold: nothing is charged and the user is told ([`plan_gone`]).
pub async fn charge(app: &App, user: TelegramId, end: i64, attempt: u8) -> Result<Outcome, Error> {
    let Some(u) = app.store.get_user(user).await.map_err(Error::from)? else {
        return Ok(Outcome::Skipped);
    };
    let wallet = app.store.wallet(user).await.map_err(Error::from)?;
    let plan = plan(app, &u, &wallet, end, now());
    if plan.balance.is_none()
        && plan.card.is_none()
        && let Some(period) = off_sale(app, &u, &wallet, end)
    {
        return plan_gone(app, &u, end, period).await;
    }
    let Some(promise) = app.store.promise(user, end).await.map_err(Error::from)? else {
        tracing::info!(user = %user, end, attempt, "no renewal notice was sent for this end: nothing charged");
        return Ok(Outcome::Skipped);
    };
    if attempt == 1 && promise.balance && u.renew_balance {
        match balance::renew(app, &u, &wallet, end).await? {
            Debit::Renewed => return Ok(Outcome::Renewed),
            Debit::Duplicate => return Ok(Outcome::Duplicate),
            Debit::NotCovered => {
                tracing::info!(user = %user, end, "balance does not cover the renewal");
            }
        }
    }
    if !promise.card {
        tracing::info!(user = %user, end, attempt, "the notice named no card for this end: the card is not charged");
        return Ok(Outcome::Skipped);
    }
    card_charge(app, &u, &wallet, end, attempt).await
}

/// Charges the saved card of `u` to renew the subscription ending at `end`
/// at today's price (the user's discount off, used up by crediting).
async fn card_charge(
    app: &App,
    u: &User,
    wallet: &Wallet,
    end: i64,
    attempt: u8,
) -> Result<Outcome, Error> {
    let user = u.id;
    let Some(cfg) = app.config.yookassa.as_ref() else {
        return Ok(Outcome::Skipped);
    };
    let Some((card, period, price)) = cards::plan_for(app, u, wallet, end, now()) else {
        return Ok(Outcome::Skipped);
    };
    if attempt > 1 {
        let first = app
            .store
            .get_order(&order_id(user, end, attempt - 1))
            .await
            .map_err(Error::from)?;
        if first.map(|o| o.status) != Some(OrderStatus::Canceled) {
            return Ok(Outcome::Skipped);
        }
    }
    let ts = now();
    let mut order = Order::new(user, Purchase::Plan(period), price, Provider::Yookassa, ts);
    order.id = order_id(user, end, attempt);
    order.extra_devices = crate::domains::money::catalog::renewed_slots(&app.config, u, ts);
    // Priced with the discount only if it is reserved for this order
    // (crediting then uses it up); else at the full price.
    crate::domains::money::checkout::reserve_discount(app, u, &mut order, ts)
        .await
        .map_err(Error::from)?;
    if let Some(existing) = app
        .store
        .create_order_or_existing(&order)
        .await
        .map_err(Error::from)?
    {
        if existing.status != OrderStatus::Pending {
            return Ok(Outcome::Duplicate);
        }
        // Written by an earlier delivery that may not have reached YooKassa:
        // ask again with the same key (YooKassa answers the same payment).
        order = existing;
    }
    let description = tr(
        u.lang,
        "renew-description",
        &[("months", Arg::Num(i64::from(period.months())))],
    );
    let created = yookassa::create_payment(
        &app.http,
        cfg,
        &yookassa::CreatePayment {
            order: order.id.clone(),
            user,
            // The order's own amount: a re-delivery charges what the first
            // delivery wrote, even if the price changed in between.
            amount: order.amount.as_rub().unwrap_or_default(),
            description: description.clone(),
            item_description: description,
            email: None,
            save_card: false,
            saved_method_id: Some(card.method_id.clone()),
            fallback_return_url: None,
        },
    )
    .await
    .map_err(|e| format!("renewal charge {}: {e}", order.id))?;
    app.store
        .set_provider_ref(&order.id, &created.payment_id)
        .await
        .map_err(Error::from)?;
    match created.status {
        YooStatus::Succeeded if created.paid => {
            settle(
                app,
                Settlement::of(
                    Provider::Yookassa,
                    &Payment {
                        order: order.id.clone(),
                        amount: order.amount.clone(),
                        provider_ref: created.payment_id,
                    },
                ),
            )
            .await?;
            tracing::info!(user = %user, end, attempt, "subscription renewed with a saved card");
            Ok(Outcome::Renewed)
        }
        YooStatus::Canceled => {
            let reason = created.cancellation_reason.unwrap_or_default();
            declined(app, u, &order.id, &card.method_id, &reason, attempt).await
        }
        _ => Ok(Outcome::Pending),
    }
}

/// Reports a renewal job that failed on its last delivery (YooKassa 5xx or
/// unreachable, DynamoDB down...): it goes to `JobsDlq`, and the admins are
/// told here. The user is told nothing: nothing was declined, and the
/// ordinary notices at the end still go if the subscription was not
/// renewed.
pub async fn gave_up(app: &App, user: TelegramId, end: i64, attempt: u8, attempts: u32, e: &str) {
    tracing::error!(user = %user, end, attempt, "renewal failed on its last attempt: {e}");
    let text = tr(
        app.config.default_language,
        "log-renewal-failed",
        &[
            ("user", Arg::Str(user.to_string())),
            ("date", Arg::Str(date(app.config.default_language, end))),
            ("count", Arg::Num(i64::from(attempts))),
            ("reason", Arg::Str(crate::base::i18n::html(e))),
        ],
    );
    app.admin_log(text).await;
}

/// Closes a declined renewal order and tells the user (once: only the
/// delivery that closes the order does); a revoked card is forgotten. A
/// technical cancellation ([`TECHNICAL`]) closes it without a word.
async fn declined(
    app: &App,
    user: &User,
    order: &OrderId,
    method: &str,
    reason: &str,
    attempt: u8,
) -> Result<Outcome, Error> {
    let revoked = REVOKED.contains(&reason);
    let technical = TECHNICAL.contains(&reason);
    if revoked {
        app.store
            .remove_card(user.id, method)
            .await
            .map_err(Error::from)?;
    }
    if !app
        .store
        .cancel_order(order, now())
        .await
        .map_err(Error::from)?
    {
        return Ok(Outcome::Duplicate);
    }
    if technical {
        tracing::warn!(user = %user.id, reason, attempt, "renewal charge canceled by a technical failure");
        return Ok(Outcome::NotCharged);
    }
    tracing::info!(user = %user.id, reason, attempt, revoked, "renewal charge declined");
    let key = if revoked {
        "renew-card-removed"
    } else if attempt < ATTEMPTS {
        "renew-declined-retry"
    } else {
        "renew-declined-final"
    };
    let mut msg = OutgoingText::to_user(user.id, t(user.lang, key));
    msg.buttons.push(vec![Button::Callback {
        text: t(user.lang, "btn-renew"),
        data: BuyAction::Plans.data(),
    }]);
    if let Err(e) = app.outbox.send(&msg, 0).await {
        tracing::error!(user = %user.id, "declined renewal notice not queued: {e}");
    }
    Ok(Outcome::Declined(revoked))
}
