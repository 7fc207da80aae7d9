//! The gate every interactive update passes: registration (attribution,
//! the sign-up counter, the log line), ban, rate limit and the required
//! channel; and the refusal of what only a proven origin may do.

use super::BotError;
use super::start::StartParam;
use crate::adapters::app::App;
use crate::adapters::store::once::Claim;
use crate::adapters::store::users::{Attribution, Touched, User, Visitor};
use crate::base::clock::now;
use crate::base::i18n::{Arg, html, tr};
use crate::base::types::{Lang, TelegramId};
use teloxide_core::requests::Requester;
use teloxide_core::types::{ChatId, UserId};

/// How long a confirmed channel membership is trusted before re-checking.
const CHANNEL_OK_SECS: i64 = 6 * 3600;

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
pub(super) enum Gate {
    /// Carry on with this user.
    Pass(Box<User>),
    /// Stop: the user was told why (or deliberately not).
    Stop,
}

/// Registers or refreshes the user, then applies ban, rate limit and the
/// required-channel check. Storage round trips: the touch and the rate
/// counter, concurrently.
pub(super) async fn admit(
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
pub(super) enum Refusal {
    Banned,
    RateLimited,
}

impl Refusal {
    pub(super) fn key(self) -> &'static str {
        match self {
            Refusal::Banned => "banned",
            Refusal::RateLimited => "rate-limited",
        }
    }
}

pub(super) async fn on_registered(
    app: &App,
    user: &User,
    start: Option<&StartParam>,
) -> Result<(), BotError> {
    let mut attribution = Attribution::default();
    match start {
        Some(StartParam::Referral(code)) if app.config.growth.referral_enabled => {
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
pub(super) async fn unverified_refused(app: &App, what: &str) {
    tracing::warn!(what, "refused from an unverified origin");
    // Boxed for the callers' stack (see `reply::report_send_error`).
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

/// Whether the user may use the bot with respect to the required channel;
/// asks Telegram when the last confirmation is stale.
pub(super) async fn channel_ok(app: &App, user: &mut User) -> Result<bool, BotError> {
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
