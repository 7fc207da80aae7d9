//! "My cards" in the profile (YooKassa autopayments on): the saved cards
//! (type, last four digits), make one the default, delete one, turn
//! auto-renewal on or off. The same screen holds auto-renewal from the
//! balance (on or off, the plan and price it renews); without YooKassa
//! autopayments it is all the screen shows ("Auto-renewal" in the profile).

use super::BotError;
use super::screens::Screen;
use crate::adapters::app::App;
use crate::adapters::store::cards::Wallet;
use crate::adapters::store::users::User;
use crate::base::callback::{Action, device_key};
use crate::base::clock::now;
use crate::base::format::money;
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Period, Provider};
use crate::domains::money::catalog::plan_price;
use crate::domains::renewal::balance;
use teloxide_core::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Whether saved cards are offered (YooKassa autopayments on).
pub fn offered(app: &App) -> bool {
    crate::domains::renewal::cards::enabled(app)
}

/// Whether auto-renewal from the balance is offered.
pub fn balance_offered(app: &App) -> bool {
    balance::offered(&app.config)
}

/// Whether the profile leads to this screen at all.
pub fn screen_offered(app: &App) -> bool {
    offered(app) || balance_offered(app)
}

/// The "My cards" / "Auto-renewal" screen, with `note` on top.
pub async fn cards(app: &App, user: &User, note: Option<String>) -> Result<Screen, BotError> {
    let wallet = app.store.wallet(user.id).await?;
    Ok(render(app, user, &wallet, note))
}

/// The balance part: on or off, and what it renews for how much.
fn balance_part(
    app: &App,
    user: &User,
    wallet: &Wallet,
    text: &mut String,
) -> Option<Vec<InlineKeyboardButton>> {
    if !balance_offered(app) {
        return None;
    }
    let lang = user.lang;
    let (period, fixed) = balance::offered_period(&app.config, wallet)?;
    // On with a plan no longer sold renews nothing: shown as off, and
    // turning it on fixes the plan shown.
    let on = user.renew_balance && fixed;
    let price = plan_price(&app.config, user, period, Provider::Balance, now())?;
    text.push_str(&tr(
        lang,
        if on {
            "balance-renew-on"
        } else {
            "balance-renew-off"
        },
        &[
            ("months", Arg::Num(i64::from(period.months()))),
            (
                "amount",
                Arg::Str(money(lang, &app.config, price.as_rub().unwrap_or_default())),
            ),
        ],
    ));
    Some(vec![InlineKeyboardButton::callback(
        t(
            lang,
            if on {
                "btn-balance-renew-off"
            } else {
                "btn-balance-renew-on"
            },
        ),
        Action::BalanceRenew(!on).data(),
    )])
}

fn render(app: &App, user: &User, wallet: &Wallet, note: Option<String>) -> Screen {
    let lang = user.lang;
    let mut text = note.map(|n| format!("{n}\n\n")).unwrap_or_default();
    let mut rows = Vec::new();
    if let Some(row) = balance_part(app, user, wallet, &mut text) {
        rows.push(row);
        if offered(app) {
            text.push_str("\n\n");
        }
    }
    if offered(app) {
        card_part(lang, wallet, &mut text, &mut rows);
    }
    rows.push(vec![InlineKeyboardButton::callback(
        t(lang, "btn-back"),
        Action::Profile.data(),
    )]);
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// The saved cards: each with its buttons, then auto-renewal by card.
fn card_part(
    lang: crate::base::types::Lang,
    wallet: &Wallet,
    text: &mut String,
    rows: &mut Vec<Vec<InlineKeyboardButton>>,
) {
    if wallet.cards.is_empty() {
        text.push_str(&t(lang, "cards-none"));
    } else {
        text.push_str(&t(lang, "cards-title"));
        let mut cards = wallet.cards.clone();
        cards.sort_by_key(|c| std::cmp::Reverse(c.saved_at));
        let charged = wallet.charge_card().map(|c| c.method_id.clone());
        for c in &cards {
            let name = format!("{} *{}", html(&c.card_type), html(&c.last4));
            let default = charged.as_deref() == Some(c.method_id.as_str());
            text.push('\n');
            text.push_str(&tr(
                lang,
                if default {
                    "cards-line-default"
                } else {
                    "cards-line"
                },
                &[("card", Arg::Str(name.clone()))],
            ));
            let key = device_key(&c.method_id);
            let mut row = Vec::new();
            if !default {
                row.push(InlineKeyboardButton::callback(
                    tr(
                        lang,
                        "btn-card-default",
                        &[("card", Arg::Str(c.last4.clone()))],
                    ),
                    Action::CardDefault(key).data(),
                ));
            }
            row.push(InlineKeyboardButton::callback(
                tr(
                    lang,
                    "btn-card-delete",
                    &[("card", Arg::Str(c.last4.clone()))],
                ),
                Action::CardDelete(key).data(),
            ));
            rows.push(row);
        }
        text.push_str("\n\n");
        text.push_str(&t(
            lang,
            if wallet.autorenew {
                "cards-autorenew-on"
            } else {
                "cards-autorenew-off"
            },
        ));
        rows.push(vec![InlineKeyboardButton::callback(
            t(
                lang,
                if wallet.autorenew {
                    "btn-autorenew-off"
                } else {
                    "btn-autorenew-on"
                },
            ),
            Action::AutoRenew(!wallet.autorenew).data(),
        )]);
    }
}

/// Makes the card with `key` the one auto-renewal charges.
pub async fn make_default(app: &App, user: &User, key: u32) -> Result<Screen, BotError> {
    let wallet = app.store.wallet(user.id).await?;
    let Some(card) = wallet
        .cards
        .iter()
        .find(|c| device_key(&c.method_id) == key)
    else {
        return cards(app, user, Some(t(user.lang, "card-gone"))).await;
    };
    for other in wallet
        .cards
        .iter()
        .filter(|c| c.default && c.method_id != card.method_id)
    {
        app.store
            .set_card_default(user.id, &other.method_id, false)
            .await?;
    }
    app.store
        .set_card_default(user.id, &card.method_id, true)
        .await?;
    cards(app, user, None).await
}

/// Forgets the card with `key`.
pub async fn delete(app: &App, user: &User, key: u32) -> Result<Screen, BotError> {
    let wallet = app.store.wallet(user.id).await?;
    let Some(card) = wallet
        .cards
        .iter()
        .find(|c| device_key(&c.method_id) == key)
    else {
        return cards(app, user, Some(t(user.lang, "card-gone"))).await;
    };
    app.store.remove_card(user.id, &card.method_id).await?;
    tracing::info!(user = %user.id, "saved card deleted by the user");
    let note = tr(
        user.lang,
        "card-deleted",
        &[(
            "card",
            Arg::Str(format!("{} *{}", html(&card.card_type), html(&card.last4))),
        )],
    );
    cards(app, user, Some(note)).await
}

/// Turns auto-renewal from the balance on or off.
pub async fn balance_renew(app: &App, user: &User, on: bool) -> Result<Screen, BotError> {
    let wallet = app.store.wallet(user.id).await?;
    let Some((period, fixed)) = balance::offered_period(&app.config, &wallet) else {
        return cards(app, user, None).await;
    };
    app.store.set_balance_renew(user.id, on, period).await?;
    if on && !fixed {
        // The plan fixed before is no longer sold: renew the one shown.
        app.store.set_renew_period(user.id, period).await?;
    }
    tracing::info!(user = %user.id, on, "auto-renewal from the balance switched");
    let mut user = user.clone();
    user.renew_balance = on;
    let note = t(
        user.lang,
        if on {
            "balance-renew-turned-on"
        } else {
            "balance-renew-turned-off"
        },
    );
    cards(app, &user, Some(note)).await
}

/// Turns auto-renewal on or off.
pub async fn autorenew(app: &App, user: &User, on: bool) -> Result<Screen, BotError> {
    app.store.set_autorenew(user.id, on).await?;
    tracing::info!(user = %user.id, on, "auto-renewal switched");
    let note = t(
        user.lang,
        if on {
            "autorenew-turned-on"
        } else {
            "autorenew-turned-off"
        },
    );
    cards(app, user, Some(note)).await
}

/// Turns off every automatic charge (renewal from the balance and by card):
/// the renewal notice that names both offers this, so "turn off" leaves
/// nothing that could still be charged.
pub async fn renewal_off(app: &App, user: &User) -> Result<Screen, BotError> {
    app.store.set_autorenew(user.id, false).await?;
    // The period is fixed only when turning on; off ignores it.
    app.store
        .set_balance_renew(user.id, false, Period::OneMonth)
        .await?;
    tracing::info!(user = %user.id, "every auto-renewal switched off");
    let mut user = user.clone();
    user.renew_balance = false;
    let note = t(user.lang, "renew-all-turned-off");
    cards(app, &user, Some(note)).await
}
