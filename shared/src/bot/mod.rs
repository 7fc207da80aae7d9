//! The Telegram webhook: authenticate, de-duplicate, then answer the update.

pub mod admin;
pub mod admin_desk;
pub mod buy;
pub mod cards;
pub mod growth_admin;
pub mod inline;
pub mod promo;
pub mod screens;
pub mod stars;
pub mod start;
pub mod vpn;

use crate::adapters::app::App;
use crate::adapters::http::{HttpRequest, HttpResponse};
use crate::adapters::store::StoreError;
use crate::adapters::store::once::Claim;
use crate::adapters::store::users::{Attribution, Touched, User, Visitor};
use crate::base::callback::Action;
use crate::base::clock::now;
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Lang, TelegramId};
use http::StatusCode;
use screens::Screen;
use start::StartParam;
use std::time::Duration;
use subtle::ConstantTimeEq;
use teloxide_core::payloads::{
    AnswerCallbackQuerySetters, AnswerPreCheckoutQuerySetters, EditMessageTextSetters,
    SendMessageSetters,
};
use teloxide_core::requests::Requester;
use teloxide_core::types::{
    CallbackQuery, ChatId, ChatMemberUpdated, Message, ParseMode, PreCheckoutQuery, Update,
    UpdateKind, UserId,
};

/// Header Telegram puts the webhook's `secret_token` in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";
/// The update kinds the bot asks Telegram for (webhook and long polling).
pub const ALLOWED_UPDATES: &[&str] = &[
    "message",
    "callback_query",
    "pre_checkout_query",
    "my_chat_member",
    "inline_query",
];
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
/// Scope of the processed-update markers.
const UPDATE_SCOPE: &str = "tg-update";
/// Telegram re-delivers for up to a day; keep markers a little longer.
const UPDATE_MARKER_SECS: i64 = 2 * 86_400;
/// Finish well inside the function timeout so a failure can be reported.
const HANDLER_BUDGET: Duration = Duration::from_secs(10);
/// How long a confirmed channel membership is trusted before re-checking.
const CHANNEL_OK_SECS: i64 = 6 * 3600;

/// Failures that make Telegram re-deliver the update (our side is down).
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The update took longer than the budget.
    #[error("handler ran out of time")]
    Timeout,
}

/// `POST /telegram`.
pub async fn handle_webhook(app: &App, req: HttpRequest) -> HttpResponse {
    let given = req.headers.get(SECRET_HEADER).map(|v| v.as_bytes());
    if !authentic(&app.config.webhook, given) {
        tracing::warn!(source_ip = ?req.source_ip, "telegram webhook refused: secret token missing or wrong");
        return HttpResponse::error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // With validation turned off anyone can post here: such updates may
    // drive the menus, never move money.
    let origin = if app.config.webhook.validation_enabled {
        Origin::Telegram
    } else {
        Origin::Unverified
    };
    match process_update(app, &req.body, origin).await {
        Ok(()) => HttpResponse::ok(),
        Err(e) => {
            tracing::error!("update failed, Telegram will retry: {e}");
            HttpResponse::error(StatusCode::INTERNAL_SERVER_ERROR, "temporary failure")
        }
    }
}

/// Whether the header carries the configured secret: exact bytes, no
/// trimming or case folding, compared in constant time.
fn authentic(webhook: &crate::base::config::Webhook, given: Option<&[u8]>) -> bool {
    if !webhook.validation_enabled {
        return true;
    }
    match (webhook.secret_token.as_deref(), given) {
        (Some(want), Some(got)) => bool::from(want.as_bytes().ct_eq(got)),
        _ => false,
    }
}

/// Where an update came from, which decides whether it may move money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Proven to be Telegram: the webhook's secret token matched, or the
    /// update was fetched from the Bot API with our token (long polling).
    Telegram,
    /// Webhook validation is off: the sender is unknown.
    Unverified,
}

#[derive(serde::Deserialize)]
struct Head {
    update_id: u64,
}

/// Handles one authentic update body, exactly once per `update_id`.
/// Used by the webhook and by the local long-polling mode.
pub async fn process_update(app: &App, body: &[u8], origin: Origin) -> Result<(), BotError> {
    let Ok(head) = serde_json::from_slice::<Head>(body) else {
        tracing::warn!(len = body.len(), "unparseable update ignored");
        return Ok(());
    };
    let id = head.update_id.to_string();
    let update = match serde_json::from_slice::<Update>(body) {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(update_id = %id, "update not understood, ignored: {e}");
            return Ok(());
        }
    };
    // Updates that move money are exactly-once by their order (the
    // `pending → paid` condition, a balance press keyed by its button), not
    // by a marker: a marker taken before a crash would make Telegram's
    // re-delivery a silent no-op, while the order lets it finish the job.
    let marked = !moves_money(&update);
    if marked
        && app
            .store
            .claim_once(UPDATE_SCOPE, &id, now(), UPDATE_MARKER_SECS)
            .await?
            == Claim::Duplicate
    {
        return Ok(());
    }
    let result = match tokio::time::timeout(HANDLER_BUDGET, dispatch(app, update, origin)).await {
        Ok(r) => r,
        Err(_) => Err(BotError::Timeout),
    };
    if marked && result.is_err() {
        // Give the marker back so Telegram's retry does the work.
        if let Err(e) = app.store.release_once(UPDATE_SCOPE, &id).await {
            tracing::error!(update_id = %id, "could not release update marker: {e}");
        }
    }
    result
}

/// Whether an update pays, refunds or spends: a Stars payment or refund, or
/// a press of a balance-purchase button.
fn moves_money(update: &Update) -> bool {
    match &update.kind {
        UpdateKind::Message(m) => {
            m.successful_payment().is_some()
                || matches!(
                    m.kind,
                    teloxide_core::types::MessageKind::RefundedPayment(_)
                )
        }
        UpdateKind::CallbackQuery(q) => matches!(
            q.data
                .as_deref()
                .and_then(crate::base::callback::BuyAction::parse),
            Some(
                crate::base::callback::BuyAction::PayFromBalance(..)
                    | crate::base::callback::BuyAction::Pay(
                        _,
                        crate::base::types::Provider::Balance
                    )
            )
        ),
        _ => false,
    }
}

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

async fn dispatch(app: &App, update: Update, origin: Origin) -> Result<(), BotError> {
    crate::adapters::metrics::count("Updates", &[("Kind", update_kind(&update.kind))]);
    match update.kind {
        // Each handler's future is boxed: together they make a state machine
        // too large for a worker thread's stack in debug builds.
        UpdateKind::Message(msg) => Box::pin(on_message(app, msg, origin)).await,
        UpdateKind::CallbackQuery(q) => Box::pin(on_callback(app, q, origin)).await,
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

fn visitor(app: &App, user: &teloxide_core::types::User) -> Visitor {
    Visitor {
        id: TelegramId(user.id.0 as i64),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        username: user.username.clone(),
        lang: Lang::from_telegram(user.language_code.as_deref())
            .unwrap_or(app.config.default_language),
    }
}

/// What the checks every interactive update passes through decided.
enum Gate {
    /// Carry on with this user.
    Pass(Box<User>),
    /// Stop: the user was told why (or deliberately not).
    Stop,
}

/// Registers or refreshes the user, then applies ban, rate limit and the
/// required-channel check. Storage round trips: the touch and the rate
/// counter, concurrently.
async fn admit(
    app: &App,
    from: &teloxide_core::types::User,
    start: Option<&StartParam>,
    notify: impl AsyncFnOnce(&App, &User, Refusal) -> (),
) -> Result<Gate, BotError> {
    let v = visitor(app, from);
    let ts = now();
    let nonce = uuid::Uuid::new_v4().to_string();
    let touch = app.store.touch_user(&v, ts, &nonce);
    let (touched, count) = match app.config.rate_limit {
        Some(rl) => {
            let (t, c) = tokio::try_join!(
                Box::pin(touch),
                Box::pin(app.store.hit_rate(v.id, rl.window_secs, ts))
            )?;
            (t, Some((c, u64::from(rl.requests))))
        }
        None => (touch.await?, None),
    };
    let Touched {
        mut user,
        registered,
    } = touched;
    if user.blocked_at.is_some() {
        // They write to the bot: they no longer block it (counted once).
        app.store.set_blocked(user.id, None).await?;
        user.blocked_at = None;
    }
    if registered {
        on_registered(app, &user, start).await?;
    }
    if user.banned {
        notify(app, &user, Refusal::Banned).await;
        return Ok(Gate::Stop);
    }
    if let Some((count, limit)) = count
        && count > limit
    {
        if count == limit + 1 {
            notify(app, &user, Refusal::RateLimited).await;
        }
        tracing::info!(user = %user.id, count, "rate limited");
        return Ok(Gate::Stop);
    }
    Ok(Gate::Pass(Box::new(user)))
}

/// Why an update was not served.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Banned,
    RateLimited,
}

impl Refusal {
    fn key(self) -> &'static str {
        match self {
            Refusal::Banned => "banned",
            Refusal::RateLimited => "rate-limited",
        }
    }
}

async fn on_registered(app: &App, user: &User, start: Option<&StartParam>) -> Result<(), BotError> {
    let mut attribution = Attribution::default();
    match start {
        Some(StartParam::Referral(code)) => {
            attribution.referrer = resolve_referrer(app, user, code).await?
        }
        Some(StartParam::Campaign(c)) => attribution.campaign = Some(c.clone()),
        _ => {}
    }
    app.store.attribute_user(user, &attribution).await?;
    crate::domains::admin::stats::count_event(
        app,
        user.created_at,
        user.id,
        crate::adapters::store::stats::counter::SIGNUPS,
    )
    .await;
    if app.config.log.new_users {
        let lang = app.config.default_language;
        let mut text = tr(
            lang,
            "log-new-user",
            &[
                ("name", Arg::Str(html(&user.first_name))),
                ("id", Arg::Str(user.id.to_string())),
                (
                    "username",
                    Arg::Str(
                        user.username
                            .as_deref()
                            .map(|u| format!("@{u}"))
                            .unwrap_or_else(|| "—".into()),
                    ),
                ),
            ],
        );
        if let Some(r) = attribution.referrer {
            text.push('\n');
            text.push_str(&tr(
                lang,
                "log-new-user-referrer",
                &[("referrer", Arg::Str(r.to_string()))],
            ));
        }
        if let Some(c) = &attribution.campaign {
            text.push('\n');
            text.push_str(&tr(
                lang,
                "log-new-user-campaign",
                &[("campaign", Arg::Str(html(c)))],
            ));
        }
        app.admin_log(text).await;
    }
    Ok(())
}

/// Refuses what only a proven origin may do (money, admin commands) while
/// `WEBHOOK_VALIDATION_ENABLED` is off, and tells the admins once.
async fn unverified_refused(app: &App, what: &str) {
    tracing::warn!(what, "refused from an unverified origin");
    // Boxed for the callers' stack (see `report_send_error`).
    match Box::pin(
        app.store
            .claim_once("unverified-origin", "told", now(), 30 * 86_400),
    )
    .await
    {
        Ok(Claim::Acquired) => {
            Box::pin(app.admin_log(tr(
                app.config.default_language,
                "log-unverified-origin",
                &[("what", Arg::Str(html(what)))],
            )))
            .await
        }
        Ok(Claim::Duplicate) => {}
        Err(e) => tracing::error!("unverified-origin notice: {e}"),
    }
}

async fn resolve_referrer(
    app: &App,
    user: &User,
    code: &str,
) -> Result<Option<TelegramId>, BotError> {
    for candidate in StartParam::referral_candidates(code) {
        if let Some(id) = app.store.find_by_ref_code(candidate).await? {
            return Ok(Some(id).filter(|id| *id != user.id));
        }
    }
    if app.config.legacy_refs
        && let Some(id) = StartParam::legacy_referrer(code).filter(|id| *id != user.id)
        && app.store.get_user(id).await?.is_some()
    {
        return Ok(Some(id));
    }
    tracing::info!(user = %user.id, code, "referral code not found");
    Ok(None)
}

async fn on_message(app: &App, msg: Message, origin: Origin) -> Result<(), BotError> {
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
            "stars",
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
    let mut start = start::parse_start(text);
    if let Some(StartParam::Campaign(param)) = &start
        && !crate::domains::growth::campaigns::count_start(app, param).await?
    {
        // A deactivated campaign neither counts nor attributes.
        start = Some(StartParam::None);
    }
    let gate = admit(app, from, start.as_ref(), async |app, user, why| {
        send(app, user.id, &Screen::plain(t(user.lang, why.key()))).await;
    })
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
    // A promo code can put money on a balance: only from a proven origin.
    if origin == Origin::Telegram
        && let Some(screen) = promo::apply_pending(app, &mut user, now()).await?
    {
        send(app, user.id, &screen).await;
    }
    let command = text.split_whitespace().next().unwrap_or_default();
    let command = command.split('@').next().unwrap_or_default();
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
        app.store.clear_state(user.id).await?;
        let screen = match buy::parse_custom_amount(text) {
            Some(rub) => buy::topup_checkout(&app.config, &user, rub),
            None => Screen::plain(tr(
                user.lang,
                "topup-amount-invalid",
                &[
                    ("min", Arg::Num(i64::from(crate::base::callback::TOPUP_MIN))),
                    ("max", Arg::Num(i64::from(crate::base::callback::TOPUP_MAX))),
                ],
            )),
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
    if growth_admin::is_command(command) {
        if admin {
            return Box::pin(growth_admin::run(app, &user, text, now())).await;
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
        && let Some(reply) =
            Box::pin(admin_desk::on_message(app, &user, &msg, command, text)).await?
    {
        if let admin_desk::Reply::Screen(screen) = reply {
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
        "/sync" if admin => admin::sync(app, &user, now()).await?,
        "/syncstatus" if admin => admin::sync_status(app, &user).await?,
        _ => screens::main_menu(&app.config, &user, false),
    };
    send(app, user.id, &screen).await;
    Ok(())
}

async fn on_callback(app: &App, q: CallbackQuery, origin: Origin) -> Result<(), BotError> {
    let gate = admit(app, &q.from, None, async |app, user, why| {
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
            && let Some(screen) = promo::apply_pending(app, &mut user, now()).await?
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
        if let admin_desk::Reply::Screen(screen) = Box::pin(admin_desk::on_action(
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
    if let Some(cursor) = q.data.as_deref().and_then(growth_admin::page_cursor) {
        answer_callback(app, &q, None, false).await;
        // Authorised when pressed, not when the list was drawn.
        if app.config.admin(user.id) && origin == Origin::Telegram {
            let screen = growth_admin::promo_page(app, &user, cursor).await?;
            show(app, &q, &user, &screen).await;
        } else if app.config.admin(user.id) {
            unverified_refused(app, &format!("promo list by {}", user.id)).await;
        }
        return Ok(());
    }
    let Some(action) = action else {
        tracing::info!(data = ?q.data, "unknown callback data");
        answer_callback(app, &q, None, false).await;
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

/// Whether the user may use the bot with respect to the required channel;
/// asks Telegram when the last confirmation is stale.
async fn channel_ok(app: &App, user: &mut User) -> Result<bool, BotError> {
    let Some(channel) = &app.config.required_channel else {
        return Ok(true);
    };
    let ts = now();
    if app.config.admin(user.id) || user.channel_ok_until.is_some_and(|until| until > ts) {
        return Ok(true);
    }
    let member = app
        .bot
        .get_chat_member(ChatId(channel.id), UserId(user.id.0 as u64))
        .await;
    match member {
        Ok(m) if m.kind.is_present() => {
            Box::pin(app.store.set_channel_ok(user.id, ts + CHANNEL_OK_SECS)).await?;
            user.channel_ok_until = Some(ts + CHANNEL_OK_SECS);
            Ok(true)
        }
        Ok(_) => Ok(false),
        Err(e) => {
            // A misconfigured channel (bot not an admin there) must not lock
            // every customer out: let them in and tell the operator's logs.
            tracing::error!(
                channel = channel.id,
                "required channel check failed, letting the user in: {e}"
            );
            Ok(true)
        }
    }
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

async fn on_buy(
    app: &App,
    q: &CallbackQuery,
    user: &User,
    action: crate::base::callback::BuyAction,
) -> Result<(), BotError> {
    use crate::adapters::pay::Money;
    use crate::base::callback::BuyAction;
    use crate::base::types::Provider;
    use crate::domains::money::orders::Purchase;
    let config = &app.config;
    let mut save_card = false;
    let (purchase, amount, provider) = match action {
        BuyAction::Plans => return done(app, q, user, buy::plans(config, user)).await,
        BuyAction::Plan(p) => return done(app, q, user, buy::plan_checkout(config, user, p)).await,
        BuyAction::PlanSaveCard(p, save) => {
            let screen = buy::plan_checkout_saving(config, user, p, save);
            return done(app, q, user, screen).await;
        }
        BuyAction::TopUp => return done(app, q, user, buy::topup(config, user)).await,
        BuyAction::TopUpAmount(rub) => {
            return done(app, q, user, buy::topup_checkout(config, user, rub)).await;
        }
        BuyAction::TopUpCustom => {
            app.store
                .set_state(user.id, buy::AWAITING_AMOUNT, now())
                .await?;
            let text = tr(
                user.lang,
                "topup-ask-amount",
                &[
                    ("min", Arg::Num(i64::from(crate::base::callback::TOPUP_MIN))),
                    ("max", Arg::Num(i64::from(crate::base::callback::TOPUP_MAX))),
                ],
            );
            return done(app, q, user, Screen::plain(text)).await;
        }
        BuyAction::History(cursor) => {
            let (rows, next) = app
                .store
                .ledger_page(user.id, cursor.as_deref(), buy::HISTORY_PAGE)
                .await?;
            return done(app, q, user, buy::history(config, user, &rows, next)).await;
        }
        BuyAction::Pay(period, provider) => {
            let purchase = Purchase::Plan(period);
            let Some(amount) =
                crate::domains::money::checkout::price(app, user, purchase, provider)
            else {
                answer_callback(app, q, Some(t(user.lang, "method-unavailable")), true).await;
                return Ok(());
            };
            (purchase, amount, provider)
        }
        BuyAction::PaySavingCard(period) => {
            let purchase = Purchase::Plan(period);
            let price = buy::offers_saving_card(config)
                .then(|| {
                    crate::domains::money::checkout::price(app, user, purchase, Provider::Yookassa)
                })
                .flatten();
            let Some(amount) = price else {
                answer_callback(app, q, Some(t(user.lang, "method-unavailable")), true).await;
                return Ok(());
            };
            save_card = true;
            (purchase, amount, Provider::Yookassa)
        }
        BuyAction::PayFromBalance(period, _) => {
            let purchase = Purchase::Plan(period);
            let Some(amount) =
                crate::domains::money::checkout::price(app, user, purchase, Provider::Balance)
            else {
                answer_callback(app, q, Some(t(user.lang, "method-unavailable")), true).await;
                return Ok(());
            };
            (purchase, amount, Provider::Balance)
        }
        BuyAction::TopUpPay(rub, provider) => {
            if !crate::domains::money::catalog::rub_providers(config).contains(&provider) {
                answer_callback(app, q, Some(t(user.lang, "method-unavailable")), true).await;
                return Ok(());
            }
            let rubles = crate::base::types::Kopecks::from_rubles(u64::from(rub));
            (Purchase::TopUp(rubles), Money::rub(rubles), provider)
        }
    };
    use crate::domains::money::checkout::Checkout;
    use crate::domains::money::links::CheckoutError;
    // A balance press is keyed by the message and the button: pressed twice
    // or re-delivered, it is one purchase. (Old buttons without a stamp fall
    // back to the callback id, which survives re-delivery.)
    let key = match q.message.as_ref() {
        Some(m) => format!("{}:{}", m.id().0, q.data.as_deref().unwrap_or_default()),
        None => format!("cb:{}", q.id.0),
    };
    let key = match q.data.as_deref().map(|d| d.starts_with("payb:")) {
        Some(true) => key,
        _ => format!("cb:{}", q.id.0),
    };
    match crate::domains::money::checkout::start_with(
        app,
        user,
        purchase,
        amount.clone(),
        provider,
        Some(&key),
        save_card,
    )
    .await
    {
        Ok(Checkout::Link {
            url,
            order,
            discount,
        }) => {
            let text = crate::domains::money::effects::amount_text(app, &order.amount);
            let mut screen = buy::pay_link(user.lang, &url, purchase, text);
            buy::discount_note(user.lang, discount, &mut screen);
            done(app, q, user, screen).await
        }
        Ok(Checkout::InvoiceSent(_)) => {
            answer_callback(app, q, None, false).await;
            Ok(())
        }
        Ok(Checkout::Paid(credit)) => {
            answer_callback(app, q, None, false).await;
            if let Err(e) = crate::domains::money::effects::after_credit(app, &credit).await {
                // The update fails, so Telegram re-delivers the press: the
                // same order, found paid, finishes what is left.
                return Err(BotError::Store(StoreError::Dynamo(format!(
                    "after-payment effects: {e}"
                ))));
            }
            show(
                app,
                q,
                &credit.user,
                &screens::subscription(config, &credit.user, None, now()),
            )
            .await;
            Ok(())
        }
        Ok(Checkout::Refused(key)) => {
            answer_callback(app, q, Some(t(user.lang, key)), true).await;
            Ok(())
        }
        Err(CheckoutError::Store(e)) => Err(e.into()),
        Err(CheckoutError::Provider(e)) => {
            tracing::error!(provider = provider.code(), "payment could not start: {e}");
            answer_callback(app, q, Some(t(user.lang, "payment-start-failed")), true).await;
            Ok(())
        }
    }
}

async fn done(app: &App, q: &CallbackQuery, user: &User, screen: Screen) -> Result<(), BotError> {
    answer_callback(app, q, None, false).await;
    show(app, q, user, &screen).await;
    Ok(())
}

impl Screen {
    /// Text without buttons.
    pub fn plain(text: String) -> Screen {
        Screen {
            text,
            keyboard: teloxide_core::types::InlineKeyboardMarkup::default(),
        }
    }
}

/// Sends a screen as a new message. Delivery problems are logged, not retried:
/// the user can press the button again, and a retry would repeat everything.
async fn send(app: &App, user: TelegramId, screen: &Screen) {
    let mut req = app
        .bot
        .send_message(ChatId(user.0), screen.text.clone())
        .parse_mode(ParseMode::Html);
    if !screen.keyboard.inline_keyboard.is_empty() {
        req = req.reply_markup(screen.keyboard.clone());
    }
    if let Err(e) = req.await {
        report_send_error(app, user, &e).await;
    }
}

async fn report_send_error(app: &App, user: TelegramId, e: &teloxide_core::RequestError) {
    use teloxide_core::{ApiError, RequestError};
    match e {
        RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated) => {
            // Boxed: every screen shown awaits this, and the store call's
            // future (several KB) would sit in each caller's stack frame.
            if let Err(e) = Box::pin(app.store.set_blocked(user, Some(now()))).await {
                tracing::error!("could not mark {user} blocked: {e}");
            }
        }
        _ => tracing::error!(%user, "sending to Telegram failed: {e}"),
    }
}

/// Replaces the message the button was on, or sends a new one.
async fn show(app: &App, q: &CallbackQuery, user: &User, screen: &Screen) {
    if let Some(msg) = q.regular_message() {
        let result = app
            .bot
            .edit_message_text(msg.chat.id, msg.id, screen.text.clone())
            .parse_mode(ParseMode::Html)
            .reply_markup(screen.keyboard.clone())
            .await;
        match result {
            Ok(_) => return,
            Err(teloxide_core::RequestError::Api(teloxide_core::ApiError::MessageNotModified)) => {
                return;
            }
            Err(e) => tracing::info!("edit failed, sending instead: {e}"),
        }
    }
    send(app, user.id, screen).await;
}

async fn answer_callback(app: &App, q: &CallbackQuery, text: Option<String>, alert: bool) {
    let mut req = app.bot.answer_callback_query(q.id.clone());
    if let Some(text) = text {
        req = req.text(text).show_alert(alert);
    }
    if let Err(e) = req.await {
        tracing::warn!("answerCallbackQuery failed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(secret: Option<&str>, on: bool) -> crate::base::config::Webhook {
        let mut vars = crate::base::config::Vars::new();
        vars.set("BOT_TOKEN", "1:x");
        vars.set(
            "WEBHOOK_VALIDATION_ENABLED",
            if on { "true" } else { "false" },
        );
        if let Some(s) = secret {
            vars.set("WEBHOOK_SECRET_TOKEN", s);
        }
        crate::base::config::Config::from_vars(&vars)
            .expect("valid")
            .webhook
    }

    #[test]
    fn the_secret_token_must_match_exactly() {
        let w = webhook(Some("test_Secret-Token_123"), true);
        assert!(authentic(&w, Some(b"test_Secret-Token_123")));
        assert!(!authentic(&w, None));
        assert!(!authentic(&w, Some(b"test_Secret-Token_124")));
        assert!(!authentic(&w, Some(b"test_secret-token_123")));
        assert!(!authentic(&w, Some(b"test_Secret-Token_123 ")));
        assert!(!authentic(&w, Some(b"")));
    }

    #[test]
    fn validation_can_be_turned_off_for_local_experiments() {
        assert!(authentic(&webhook(None, false), None));
    }
}
