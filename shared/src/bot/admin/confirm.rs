//! Destructive admin actions ask first, and the question names what will
//! happen: a ban, days or money taken away, a refund. The "yes" button
//! carries its own action (`…Confirm`); "no" goes back to where the admin
//! was. Adding days or money, unbanning and resetting a trial do not ask.

use super::menu::{btn, plain_back};
use crate::adapters::app::App;
use crate::base::admin_callback::AdminAction;
use crate::base::clock::now;
use crate::base::format::{date_time, money, provider_name};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Kopecks, Lang, TelegramId};
use crate::bot::BotError;
use crate::bot::screens::Screen;
use teloxide_core::types::InlineKeyboardMarkup;

/// The admin's state while a balance deduction waits for its "yes":
/// `adm_balok:<user>:<kopecks>:<op>:<reason>`.
pub(super) const BALANCE_OK: &str = "adm_balok:";

fn ask(lang: Lang, text: String, yes: (&str, AdminAction), no: AdminAction) -> Screen {
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![btn(lang, yes.0, yes.1)],
            vec![btn(lang, "admin-btn-cancel", no)],
        ]),
    }
}

/// "Ban 42? The bot stops answering them and their VPN is switched off."
pub(super) fn ban(lang: Lang, id: TelegramId) -> Screen {
    ask(
        lang,
        tr(
            lang,
            "admin-ban-confirm",
            &[("id", Arg::Str(id.to_string()))],
        ),
        ("admin-btn-ban-yes", AdminAction::BanConfirm(id)),
        AdminAction::Card(id),
    )
}

/// "Take 7 days from 42? The subscription ends on … instead of …".
/// `stamp` is the end the card showed; removing never ends it before now.
pub(super) fn take_days(lang: Lang, id: TelegramId, days: i32, stamp: i64) -> Screen {
    let ts = now();
    let new = (stamp - i64::from(days.abs()) * 86_400).max(ts);
    ask(
        lang,
        tr(
            lang,
            "admin-days-confirm",
            &[
                ("id", Arg::Str(id.to_string())),
                ("count", Arg::Num(i64::from(days.abs()))),
                ("old", Arg::Str(date_time(lang, stamp))),
                ("new", Arg::Str(date_time(lang, new))),
            ],
        ),
        (
            "admin-btn-days-yes",
            AdminAction::DaysConfirm(id, days, stamp),
        ),
        AdminAction::Card(id),
    )
}

/// "Take 99,50 ₽ from 42's balance (reason)? It becomes 400,50 ₽." The
/// deduction waits in the admin's state; a balance it would take below
/// zero is refused at once (the write would refuse it anyway).
pub(super) async fn take_balance(
    app: &App,
    lang: Lang,
    admin: TelegramId,
    id: TelegramId,
    (delta, reason, op): (i64, &str, &str),
) -> Result<Screen, BotError> {
    let Some(user) = app.store.get_user(id).await? else {
        return Ok(plain_back(lang, t(lang, "admin-user-not-found")));
    };
    let take = delta.unsigned_abs();
    if take > user.balance.0 {
        app.store.clear_state(admin).await?;
        return Ok(plain_back(lang, t(lang, "admin-balance-refused")));
    }
    app.store
        .set_state(
            admin,
            &format!("{BALANCE_OK}{id}:{delta}:{op}:{reason}"),
            now(),
        )
        .await?;
    Ok(ask(
        lang,
        tr(
            lang,
            "admin-balance-confirm",
            &[
                ("id", Arg::Str(id.to_string())),
                ("amount", Arg::Str(money(lang, &app.config, Kopecks(take)))),
                ("reason", Arg::Str(html(reason))),
                (
                    "after",
                    Arg::Str(money(lang, &app.config, Kopecks(user.balance.0 - take))),
                ),
            ],
        ),
        ("admin-btn-balance-yes", AdminAction::BalanceConfirm(id)),
        AdminAction::Card(id),
    ))
}

/// The deduction a "yes" confirms: `(kopecks, op, reason)` from the
/// admin's state, when it is still the one asked about for `id`.
pub(super) fn pending_deduction(
    state: Option<&str>,
    id: TelegramId,
) -> Option<(i64, String, String)> {
    let rest = state?.strip_prefix(&format!("{BALANCE_OK}{id}:"))?;
    let mut parts = rest.splitn(3, ':');
    let delta = parts.next()?.parse().ok().filter(|d: &i64| *d < 0)?;
    let op = parts.next()?.to_owned();
    let reason = parts.next()?.to_owned();
    Some((delta, op, reason))
}

/// "Refund 499 ₽ (ЮKassa) of order … to 42? What it gave is taken back."
pub(super) async fn refund(app: &App, lang: Lang, order: &str) -> Result<Screen, BotError> {
    let found = match crate::adapters::pay::OrderId::parse(order) {
        Some(id) => app.store.get_order(&id).await?,
        None => None,
    };
    let Some(o) = found else {
        return Ok(plain_back(lang, t(lang, "refund-not-found")));
    };
    Ok(ask(
        lang,
        tr(
            lang,
            "admin-refund-confirm",
            &[
                ("order", Arg::Str(html(&o.id.0))),
                ("user", Arg::Str(o.user.to_string())),
                (
                    "amount",
                    Arg::Str(crate::domains::money::effects::amount_text(
                        app, lang, &o.amount,
                    )),
                ),
                ("provider", Arg::Str(provider_name(lang, o.provider))),
                (
                    "what",
                    Arg::Str(html(&crate::domains::money::catalog::what(
                        lang, o.purchase,
                    ))),
                ),
            ],
        ),
        (
            "admin-btn-refund-yes",
            AdminAction::PaymentRefundConfirm(o.id.0.clone()),
        ),
        AdminAction::Payment(o.id.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deduction_is_confirmed_only_for_the_user_it_was_asked_about() {
        let state = format!("{BALANCE_OK}42:-9950:7-15:fee: late");
        assert_eq!(
            pending_deduction(Some(&state), TelegramId(42)),
            Some((-9950, "7-15".into(), "fee: late".into()))
        );
        assert_eq!(pending_deduction(Some(&state), TelegramId(4)), None);
        assert_eq!(pending_deduction(None, TelegramId(42)), None);
        let credit = format!("{BALANCE_OK}42:9950:7-15:gift");
        assert_eq!(pending_deduction(Some(&credit), TelegramId(42)), None);
    }
}
