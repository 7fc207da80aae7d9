//! Routing: each update to its handler (messages and commands, buttons,
//! blocked-bot tracking, Stars pre-checkouts, inline queries) through the
//! gate; admin commands and buttons are authorised here when they run.

use super::admin::{self, growth};
use super::gate::{Gate, admit, channel_ok, unverified_refused};
use super::purchase::on_buy;
use super::reply::{answer_callback, send, show};
use super::screens::{self, Screen};
use super::start::{self, StartParam};
use super::{BotError, Origin, buy, cards, inline, promo, stars, vpn};
use crate::adapters::app::App;
use crate::adapters::store::envelope::Delivery;
use crate::adapters::store::users::User;
use crate::base::callback::Action;
use crate::base::clock::now;
use crate::base::i18n::t;
use crate::base::types::{Lang, TelegramId};
use teloxide_core::payloads::AnswerPreCheckoutQuerySetters;
use teloxide_core::requests::Requester;
use teloxide_core::types::{
    CallbackQuery, ChatMemberUpdated, Message, PreCheckoutQuery, Update, UpdateKind,
};

/// Commands only admins may run (and only from a proven origin).
const ADMIN_COMMANDS: &[&str] = &[
    "/refund",
    "/sync",
    "/syncstatus",
    "/admin",
    "/stats",
    "/chart",
    "/user",
    "/find",
    "/ban",
    "/unban",
    "/banned",
    "/logs",
    "/broadcast",
    "/logscsv",
    "/payments",
    "/payment",
];

/// The kind of an update, as the `Updates` metric counts it.
fn update_kind(kind: &UpdateKind) -> &'static str {
    match kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::MyChatMember(_) => "my_chat_member",
        UpdateKind::PreCheckoutQuery(_) => "pre_checkout_query",
        UpdateKind::InlineQuery(_) => "inline_query",
        _ => "other",
    }
}

pub(super) async fn dispatch(
    app: &App,
    update: Update,
    origin: Origin,
    once: bool,
) -> Result<(), BotError> {
    crate::adapters::metrics::count("Updates", &[("Kind", update_kind(&update.kind))]);
    let delivery = Delivery {
        update_id: u64::from(update.id.0),
        once,
    };
    match update.kind {
        // Each handler's future is boxed: together they make a state machine
        // too large for a worker thread's stack in debug builds.
        UpdateKind::Message(msg) => Box::pin(on_message(app, msg, origin, delivery)).await,
        UpdateKind::CallbackQuery(q) => Box::pin(on_callback(app, q, origin, delivery)).await,
        UpdateKind::MyChatMember(m) => Box::pin(on_my_chat_member(app, m)).await,
        UpdateKind::PreCheckoutQuery(q) => Box::pin(on_pre_checkout(app, q)).await,
        UpdateKind::InlineQuery(q) => {
            let admin =
                app.config.admin(TelegramId(q.from.id.0 as i64)) && origin == Origin::Telegram;
            Box::pin(inline::on_inline(app, q, admin)).await
        }
        UpdateKind::Error(value) => {
            let kind = value
                .as_object()
                .and_then(|o| o.keys().find(|k| *k != "update_id").cloned())
                .unwrap_or_default();
            tracing::info!(kind, "update kind not understood, ignored");
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn on_message(
    app: &App,
    msg: Message,
    origin: Origin,
    delivery: Delivery,
) -> Result<(), BotError> {
    if !msg.chat.is_private() {
        return Ok(());
    }
    let Some(from) = msg.from.as_ref() else {
        return Ok(());
    };
    // Money first: a payment is never rate-limited, gated or lost, and only
    // ever believed from Telegram itself.
    let money = msg.successful_payment().is_some()
        || matches!(
            msg.kind,
            teloxide_core::types::MessageKind::RefundedPayment(_)
        );
    if money && origin == Origin::Unverified {
        crate::domains::money::effects::flag_suspicious(
            app,
            crate::base::types::Provider::Stars,
            &format!(
                "payment message from {} ignored: WEBHOOK_VALIDATION_ENABLED is off",
                from.id
            ),
        )
        .await;
        return Ok(());
    }
    if let Some(paid) = msg.successful_payment() {
        return stars::on_successful_payment(app, from, paid).await;
    }
    if let teloxide_core::types::MessageKind::RefundedPayment(r) = &msg.kind {
        return stars::on_refunded_payment(app, &r.refunded_payment).await;
    }
    let text = msg.text().unwrap_or_default();
    let start = start::parse_start(text);
    let gate = admit(
        app,
        from,
        delivery,
        start.as_ref(),
        async |app, user, why| {
            send(app, user.id, &Screen::plain(t(user.lang, why.key()))).await;
        },
    )
    .await?;
    let Gate::Pass(mut user) = gate else {
        return Ok(());
    };
    if let Some(StartParam::Promo(code)) = &start {
        app.store.set_pending_promo(user.id, code).await?;
        user.pending_promo = Some(code.clone());
    }
    if !channel_ok(app, &mut user).await? {
        send(app, user.id, &screens::channel_gate(&app.config, user.lang)).await;
        return Ok(());
    }
    let command = text.split_whitespace().next().unwrap_or_default();
    let command = command.split('@').next().unwrap_or_default();
    // A promo code can put money on a balance: only from a proven origin.
    // A code the link brought that no longer works is explained after the
    // welcome, not instead of it.
    let mut after_welcome = None;
    if origin == Origin::Telegram {
        match promo::apply_pending(app, &mut user, now()).await? {
            Some(promo::Pending::Activated(screen)) => send(app, user.id, &screen).await,
            Some(promo::Pending::Refused(screen)) if command == "/start" => {
                after_welcome = Some(screen);
            }
            Some(promo::Pending::Refused(screen)) => send(app, user.id, &screen).await,
            None => {}
        }
    }
    if !command.starts_with('/') && promo::awaiting(&user, now()) {
        if origin == Origin::Unverified {
            unverified_refused(app, &format!("promo code from {}", user.id)).await;
            send(
                app,
                user.id,
                &Screen::plain(t(user.lang, "promo-unavailable")),
            )
            .await;
            return Ok(());
        }
        let screen = promo::apply(app, &user, text, now()).await?;
        app.store.clear_state(user.id).await?;
        send(app, user.id, &screen).await;
        return Ok(());
    }
    if !command.starts_with('/') && buy::awaiting_amount(&user, now()) {
        let screen = match buy::parse_custom_amount(text) {
            Some(rub) => {
                app.store.clear_state(user.id).await?;
                buy::topup_checkout(&app.config, &user, rub)
            }
            None => {
                // Asked again (the question's time starts over) until a
                // valid amount or a cancel.
                app.store
                    .set_state(user.id, buy::AWAITING_AMOUNT, now())
                    .await?;
                buy::ask_amount(user.lang, "topup-amount-invalid")
            }
        };
        send(app, user.id, &screen).await;
        return Ok(());
    }
    // With validation off anyone can post an update that claims to be an
    // admin: admin commands need a proven origin.
    let admin = app.config.admin(user.id) && origin == Origin::Telegram;
    if app.config.admin(user.id)
        && origin == Origin::Unverified
        && ADMIN_COMMANDS.contains(&command)
    {
        unverified_refused(app, &format!("command {command} from {}", user.id)).await;
    }
    if growth::is_command(command) {
        if admin {
            return Box::pin(growth::run(app, &user, text, now())).await;
        }
        if app.config.admin(user.id) && origin == Origin::Unverified {
            unverified_refused(app, &format!("command {command} from {}", user.id)).await;
        }
    }
    if command == "/refund" && admin {
        let arg = text.split_whitespace().nth(1).unwrap_or_default();
        let reply = stars::admin_refund(app, arg).await?;
        send(app, user.id, &Screen::plain(reply)).await;
        return Ok(());
    }
    if admin
        && let Some(reply) = Box::pin(admin::on_message(app, &user, &msg, command, text)).await?
    {
        if let admin::menu::Reply::Screen(screen) = reply {
            send(app, user.id, &screen).await;
        }
        return Ok(());
    }
    let screen = match command {
        "/buy" if crate::domains::money::catalog::selling(&app.config) => {
            buy::plans(&app.config, &user)
        }
        "/start" => screens::main_menu(&app.config, &user, true),
        "/language" | "/lang" => screens::languages(user.lang),
        "/profile" => screens::profile(&app.config, &user, now()),
        "/referral" | "/referrals" => {
            screens::referrals(&app.config, &user, app.bot_username().await)
        }
        "/sync" if admin => admin::sync::sync(app, &user, now()).await?,
        "/syncstatus" if admin => admin::sync::sync_status(app, &user).await?,
        // `/help`, an unknown command and text the bot does not understand
        // get the short help, not the bare menu.
        _ => screens::help(&app.config, &user),
    };
    send(app, user.id, &screen).await;
    if let Some(screen) = after_welcome {
        send(app, user.id, &screen).await;
    }
    Ok(())
}

async fn on_callback(
    app: &App,
    q: CallbackQuery,
    origin: Origin,
    delivery: Delivery,
) -> Result<(), BotError> {
    let gate = admit(app, &q.from, delivery, None, async |app, user, why| {
        answer_callback(app, &q, Some(t(user.lang, why.key())), true).await;
    })
    .await?;
    let Gate::Pass(mut user) = gate else {
        return Ok(());
    };
    let action = q.data.as_deref().and_then(Action::parse);
    if action == Some(Action::CheckChannel) {
        user.channel_ok_until = None; // the button promises a real re-check
        if !channel_ok(app, &mut user).await? {
            answer_callback(app, &q, Some(t(user.lang, "channel-still-missing")), true).await;
            return Ok(());
        }
        answer_callback(app, &q, None, false).await;
        if origin == Origin::Telegram
            && let Some(promo::Pending::Activated(screen) | promo::Pending::Refused(screen)) =
                promo::apply_pending(app, &mut user, now()).await?
        {
            send(app, user.id, &screen).await;
        }
        show(
            app,
            &q,
            &user,
            &screens::main_menu(&app.config, &user, true),
        )
        .await;
        return Ok(());
    }
    if !channel_ok(app, &mut user).await? {
        answer_callback(app, &q, None, false).await;
        show(
            app,
            &q,
            &user,
            &screens::channel_gate(&app.config, user.lang),
        )
        .await;
        return Ok(());
    }
    if let Some(admin_action) = q
        .data
        .as_deref()
        .and_then(crate::base::admin_callback::AdminAction::parse)
    {
        // Authorised now, on the server: a forged or replayed admin button
        // from anyone else does nothing.
        answer_callback(app, &q, None, false).await;
        if !(app.config.admin(user.id) && origin == Origin::Telegram) {
            if app.config.admin(user.id) {
                unverified_refused(app, &format!("admin button from {}", user.id)).await;
            }
            tracing::warn!(user = %user.id, data = ?q.data, "admin button from a non-admin ignored");
            return Ok(());
        }
        if let admin::menu::Reply::Screen(screen) = Box::pin(admin::on_action(
            app,
            &user,
            admin_action,
            q.regular_message().map(|m| m.id.0),
        ))
        .await?
        {
            show(app, &q, &user, &screen).await;
        }
        return Ok(());
    }
    if let Some(buy_action) = q
        .data
        .as_deref()
        .and_then(crate::base::callback::BuyAction::parse)
    {
        let from_balance = matches!(
            buy_action,
            crate::base::callback::BuyAction::PayFromBalance(..)
                | crate::base::callback::BuyAction::Pay(_, crate::base::types::Provider::Balance)
        );
        if from_balance && origin == Origin::Unverified {
            unverified_refused(app, &format!("balance purchase by {}", user.id)).await;
            answer_callback(app, &q, Some(t(user.lang, "method-unavailable")), true).await;
            return Ok(());
        }
        return Box::pin(on_buy(app, &q, &user, buy_action)).await;
    }
    if let Some(cursor) = q.data.as_deref().and_then(growth::page_cursor) {
        answer_callback(app, &q, None, false).await;
        // Authorised when pressed, not when the list was drawn.
        if app.config.admin(user.id) && origin == Origin::Telegram {
            let screen = growth::promo_page(app, &user, cursor).await?;
            show(app, &q, &user, &screen).await;
        } else if app.config.admin(user.id) {
            unverified_refused(app, &format!("promo list by {}", user.id)).await;
        }
        return Ok(());
    }
    let Some(action) = action else {
        // A button from an old message (or an older version of the bot):
        // say so, and put the current main menu in its place.
        tracing::info!(data = ?q.data, "unknown callback data");
        answer_callback(app, &q, Some(t(user.lang, "button-outdated")), false).await;
        show(
            app,
            &q,
            &user,
            &screens::main_menu(&app.config, &user, false),
        )
        .await;
        return Ok(());
    };
    answer_callback(app, &q, None, false).await;
    // Its own function, boxed: in a debug build every await of a function
    // takes its own stack slot, and one frame holding all of them
    // overflowed the runtime's 2 MB stack on the admin and buy paths.
    Box::pin(on_user_action(app, &q, *user, action)).await
}

/// A user's button (not an admin's, not a purchase): the screen it asks for.
async fn on_user_action(
    app: &App,
    q: &CallbackQuery,
    mut user: User,
    action: Action,
) -> Result<(), BotError> {
    let ts = now();
    let screen = match action {
        Action::Menu | Action::CheckChannel => screens::main_menu(&app.config, &user, false),
        Action::Profile => screens::profile(&app.config, &user, ts),
        Action::Subscription => vpn::subscription(app, &user, ts).await?,
        Action::Trial => vpn::trial(app, &user, ts).await?,
        Action::Devices => vpn::devices(app, &user).await,
        Action::DeviceAsk(key) => vpn::device_ask(app, &user, key).await,
        Action::DeviceDelete(key) => vpn::device_delete(app, &user, key).await,
        Action::DevicesResetAsk => vpn::devices_reset_ask(app, &user).await,
        Action::DevicesReset => vpn::devices_reset(app, &user).await,
        Action::ReissueAsk => vpn::reissue_ask(app, &user, ts).await,
        Action::Reissue => vpn::reissue(app, &user, ts).await?,
        Action::Guide(sel) => vpn::guide(app, &user, sel, ts).await?,
        Action::Cards if cards::screen_offered(app) => cards::cards(app, &user, None).await?,
        Action::CardDefault(key) if cards::offered(app) => {
            cards::make_default(app, &user, key).await?
        }
        Action::CardDelete(key) if cards::offered(app) => cards::delete(app, &user, key).await?,
        Action::AutoRenew(on) if cards::offered(app) => cards::autorenew(app, &user, on).await?,
        Action::BalanceRenew(on) if cards::balance_offered(app) => {
            cards::balance_renew(app, &user, on).await?
        }
        Action::RenewOff if cards::screen_offered(app) => cards::renewal_off(app, &user).await?,
        Action::Cards
        | Action::CardDefault(_)
        | Action::CardDelete(_)
        | Action::AutoRenew(_)
        | Action::BalanceRenew(_)
        | Action::RenewOff => screens::profile(&app.config, &user, ts),
        Action::Referrals if !app.config.growth.referral_enabled => {
            screens::main_menu(&app.config, &user, false)
        }
        Action::Referrals => screens::referrals(&app.config, &user, app.bot_username().await),
        Action::Languages => screens::languages(user.lang),
        Action::Promo => {
            app.store
                .set_state(user.id, promo::AWAITING_PROMO, ts)
                .await?;
            promo::ask(&user)
        }
        Action::SetLanguage(lang) => {
            app.store.set_language(user.id, lang).await?;
            user.lang = lang;
            screens::main_menu(&app.config, &user, false)
        }
    };
    show(app, q, &user, &screen).await;
    Ok(())
}

async fn on_my_chat_member(app: &App, m: ChatMemberUpdated) -> Result<(), BotError> {
    if !m.chat.is_private() {
        return Ok(());
    }
    let user = TelegramId(m.chat.id.0);
    if m.new_chat_member.kind.is_banned() {
        app.store
            .set_blocked(user, Some(m.date.timestamp()))
            .await?;
        tracing::info!(%user, "user blocked the bot");
    } else if m.new_chat_member.kind.is_present() {
        app.store.set_blocked(user, None).await?;
    }
    Ok(())
}

async fn on_pre_checkout(app: &App, q: PreCheckoutQuery) -> Result<(), BotError> {
    let lang =
        Lang::from_telegram(q.from.language_code.as_deref()).unwrap_or(app.config.default_language);
    let verdict = stars::check_pre_checkout(app, &q).await?;
    let mut req = app
        .bot
        .answer_pre_checkout_query(q.id.clone(), verdict.is_ok());
    if let Err(key) = verdict {
        tracing::info!(payload = %q.invoice_payload, key, "pre-checkout refused");
        req = req.error_message(t(lang, key));
    }
    if let Err(e) = req.await {
        tracing::error!("answerPreCheckoutQuery failed: {e}");
    }
    Ok(())
}
