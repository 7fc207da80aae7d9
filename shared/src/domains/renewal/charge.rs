//! The renewal itself: the notice a day before and the charge of the saved
//! card an hour before the end.
//!
//! Exactly once: the charge's order id is derived from the user, the
//! subscription end and the attempt ([`order_id`]); it is written first
//! (`create_order_if_absent`) and sent to YooKassa as the `Idempotence-Key`,
//! so a repeated scheduler run or a duplicated delivery finds the same
//! order and gets the same payment back, and crediting goes through
//! `money::settle` (exactly once by the order).

use crate::adapters::app::App;
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::pay::yookassa::{self, YooStatus};
use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::cards::Wallet;
use crate::adapters::store::once::Claim;
use crate::base::callback::Action;
use crate::base::clock::now;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::{Provider, TelegramId};
use crate::domains::money::orders::{Order, OrderStatus, Payment, Purchase};
use crate::domains::money::settle::settle;
use crate::domains::renewal::balance::{self, Debit};
use crate::domains::renewal::cards::plan_for;

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
/// How long the notice marker is held while the message is being queued.
const LEASE_SECS: i64 = 120;

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
    /// Not for this user now (off, no card, renewed, banned, blocked, gone).
    Skipped,
}

/// The id of the renewal order of `user`'s subscription ending at `end`,
/// attempt `attempt`: 32 hex characters of SHA-256, like every order id.
pub fn order_id(user: TelegramId, end: i64, attempt: u8) -> OrderId {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("renew:{user}:{end}:{attempt}").as_bytes());
    OrderId(hex::encode(&digest[..16]))
}

/// Tells `user` a day ahead that their subscription will be renewed, once
/// per end: from the balance when that is on and covers the price now,
/// else with the saved card.
pub async fn notice(app: &App, user: TelegramId, end: i64) -> Result<Outcome, String> {
    let Some(u) = app.store.get_user(user).await.map_err(|e| e.to_string())? else {
        return Ok(Outcome::Skipped);
    };
    let wallet = app.store.wallet(user).await.map_err(|e| e.to_string())?;
    let from_balance = balance::plan_for(app, &u, &wallet, end)
        .filter(|(_, price)| balance::covers(&u, price))
        .map(|(_, price)| {
            let text = tr(
                u.lang,
                "renew-notice-balance",
                &[
                    (
                        "amount",
                        Arg::Str(money(&app.config, price.as_rub().unwrap_or_default())),
                    ),
                    ("date", Arg::Str(date(end))),
                ],
            );
            (text, Action::BalanceRenew(false))
        });
    let by_card = || {
        plan_for(app, &u, &wallet, end).map(|(card, _, price)| {
            let text = tr(
                u.lang,
                "renew-notice",
                &[
                    (
                        "card",
                        Arg::Str(format!("{} *{}", card.card_type, card.last4)),
                    ),
                    ("amount", Arg::Str(money(&app.config, price))),
                    ("date", Arg::Str(date(end))),
                ],
            );
            (text, Action::AutoRenew(false))
        })
    };
    let Some((text, off)) = from_balance.or_else(by_card) else {
        return Ok(Outcome::Skipped);
    };
    let id = format!("{user}#{end}");
    let at = now();
    let claim = app
        .store
        .claim_once(SCOPE, &id, at, LEASE_SECS)
        .await
        .map_err(|e| e.to_string())?;
    if claim == Claim::Duplicate {
        return Ok(Outcome::Duplicate);
    }
    let mut msg = OutgoingText::to_user(user, text);
    msg.buttons.push(vec![Button::Callback {
        text: t(u.lang, "btn-autorenew-off"),
        data: off.data(),
    }]);
    if let Err(e) = app.outbox.send(&msg, 0).await {
        if let Err(r) = app.store.release_once(SCOPE, &id).await {
            tracing::error!(%id, "renewal notice marker not released (its lease lapses): {r}");
        }
        return Err(format!("renewal notice not queued: {e}"));
    }
    app.store
        .keep_once(SCOPE, &id, end.max(at) + 60 * 86_400)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Outcome::Noticed)
}

/// Renews the subscription of `user` ending at `end`: the first attempt
/// debits the balance when that is on and covers the price, else charges
/// the saved card; the second attempt (only after the card was declined)
/// charges the card again.
pub async fn charge(app: &App, user: TelegramId, end: i64, attempt: u8) -> Result<Outcome, String> {
    let Some(u) = app.store.get_user(user).await.map_err(|e| e.to_string())? else {
        return Ok(Outcome::Skipped);
    };
    let mut wallet = None;
    if attempt == 1 && u.renew_balance {
        let w = app.store.wallet(user).await.map_err(|e| e.to_string())?;
        match balance::renew(app, &u, &w, end).await? {
            Debit::Renewed => return Ok(Outcome::Renewed),
            Debit::Duplicate => return Ok(Outcome::Duplicate),
            Debit::NotCovered => {
                tracing::info!(user = %user, end, "balance does not cover the renewal");
            }
        }
        wallet = Some(w);
    }
    card_charge(app, &u, wallet, end, attempt).await
}

/// Charges the saved card of `u` to renew the subscription ending at `end`.
async fn card_charge(
    app: &App,
    u: &crate::adapters::store::users::User,
    wallet: Option<Wallet>,
    end: i64,
    attempt: u8,
) -> Result<Outcome, String> {
    let user = u.id;
    let Some(cfg) = app.config.yookassa.as_ref() else {
        return Ok(Outcome::Skipped);
    };
    let wallet = match wallet {
        Some(w) => w,
        None => app.store.wallet(user).await.map_err(|e| e.to_string())?,
    };
    let Some((card, period, price)) = plan_for(app, u, &wallet, end) else {
        return Ok(Outcome::Skipped);
    };
    if attempt > 1 {
        let first = app
            .store
            .get_order(&order_id(user, end, attempt - 1))
            .await
            .map_err(|e| e.to_string())?;
        if first.map(|o| o.status) != Some(OrderStatus::Canceled) {
            return Ok(Outcome::Skipped);
        }
    }
    let mut order = Order::new(
        user,
        Purchase::Plan(period),
        Money::rub(price),
        Provider::Yookassa,
        now(),
    );
    order.id = order_id(user, end, attempt);
    if !app
        .store
        .create_order_if_absent(&order)
        .await
        .map_err(|e| e.to_string())?
    {
        let existing = app
            .store
            .get_order(&order.id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("renewal order vanished")?;
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
        .map_err(|e| e.to_string())?;
    match created.status {
        YooStatus::Succeeded if created.paid => {
            settle(
                app,
                "yookassa",
                &Payment {
                    order: order.id.clone(),
                    amount: order.amount.clone(),
                    provider_ref: created.payment_id,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
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
            ("date", Arg::Str(date(end))),
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
    user: &crate::adapters::store::users::User,
    order: &OrderId,
    method: &str,
    reason: &str,
    attempt: u8,
) -> Result<Outcome, String> {
    let revoked = REVOKED.contains(&reason);
    let technical = TECHNICAL.contains(&reason);
    if revoked {
        app.store
            .remove_card(user.id, method)
            .await
            .map_err(|e| e.to_string())?;
    }
    if !app
        .store
        .cancel_order(order, now())
        .await
        .map_err(|e| e.to_string())?
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
        data: crate::base::callback::BuyAction::Plans.data(),
    }]);
    if let Err(e) = app.outbox.send(&msg, 0).await {
        tracing::error!(user = %user.id, "declined renewal notice not queued: {e}");
    }
    Ok(Outcome::Declined(revoked))
}
