//! The gate every interactive update passes: registration (attribution,
//! the sign-up counter, the log line), ban, rate limit and the required
//! channel; and the refusal of what only a proven origin may do.

use super::BotError;
use super::start::StartParam;
use crate::adapters::app::App;
use crate::adapters::store::envelope::{Delivery, Entered};
use crate::adapters::store::once::Claim;
use crate::adapters::store::users::{Attribution, Touched, User, Visitor};
use crate::base::clock::now;
use crate::base::i18n::{Arg, html, tr};
use crate::base::types::{Lang, TelegramId};
use futures::TryFutureExt;
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
/// required-channel check. One storage round trip for a returning user:
/// the update's envelope (its at-most-once mark, the touch and the rate
/// window in one write on the user's item, see `store::envelope`); a
/// `/start` with a referral code looks the code up at the same time.
pub(super) async fn admit(
    app: &App,
    from: &teloxide_core::types::User,
    delivery: Delivery,
    start: Option<&StartParam>,
    notify: impl AsyncFnOnce(&App, &User, Refusal) -> (),
) -> Result<Gate, BotError> {
    let v = visitor(app, from);
    let ts = now();
    let limit = app.config.rate_limit.map_or(0, |rl| u64::from(rl.requests));
    let enter = app
        .store
        .enter(&v, delivery, ts, now_ms(), app.config.rate_limit);
    let referral = async {
        match start {
            Some(StartParam::Referral(code)) if app.config.growth.referral_enabled => {
                resolve_referrer(app, v.id, code).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    let (entered, referrer) =
        tokio::try_join!(Box::pin(enter).map_err(BotError::from), Box::pin(referral))?;
    let (touched, recent, prune) = match entered {
        Entered::Fresh {
            touched,
            recent,
            prune,
        } => (touched, recent, prune),
        Entered::Duplicate { unfinished } => {
            // The first delivery created the user and died before the
            // registration was complete: complete it, answer nothing.
            if let Some(user) = unfinished {
                on_registered(app, &user, start, referrer.flatten()).await?;
            }
            return Ok(Gate::Stop);
        }
    };
    if let Some(prune) = prune
        && let Err(e) = app.store.prune_envelope(v.id, &prune, ts).await
    {
        // The sets stay a little larger until the next prune.
        tracing::warn!(user = %v.id, "envelope not pruned: {e}");
    }
    let Touched {
        mut user,
        registered,
    } = *touched;
    if user.blocked_at.is_some() {
        // They write to the bot: they no longer block it (counted once).
        app.store.set_blocked(user.id, None).await?;
        user.blocked_at = None;
    }
    if registered {
        on_registered(app, &user, start, referrer.flatten()).await?;
    } else if let Some(StartParam::Campaign(param)) = start
        && !user.registered_by(&delivery.nonce())
    {
        // A returning user's click on a campaign link counts as a start
        // (the registering update's start was counted with the
        // registration, also when it is delivered again).
        crate::domains::growth::campaigns::count_start(app, param).await?;
    }
    if user.banned {
        notify(app, &user, Refusal::Banned).await;
        return Ok(Gate::Stop);
    }
    if limit > 0 && recent > limit {
        if recent == limit + 1 {
            notify(app, &user, Refusal::RateLimited).await;
        }
        tracing::info!(user = %user.id, count = recent, "rate limited");
        return Ok(Gate::Stop);
    }
    Ok(Gate::Pass(Box::new(user)))
}

/// The current time in milliseconds (the rate window's resolution).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
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

/// Completes a registration: attribution and counters in one transaction
/// (`referrer`: the inviter the start's referral code resolved to, looked
/// up by the caller), then the log line, only by the request that
/// completed it.
pub(super) async fn on_registered(
    app: &App,
    user: &User,
    start: Option<&StartParam>,
    referrer: Option<TelegramId>,
) -> Result<(), BotError> {
    let mut attribution = Attribution::default();
    match start {
        Some(StartParam::Referral(_)) if app.config.growth.referral_enabled => {
            attribution.referrer = referrer
        }
        Some(StartParam::Campaign(c)) => attribution.campaign = Some(c.clone()),
        _ => {}
    }
    if !app.store.complete_registration(user, &attribution).await? {
        return Ok(());
    }
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

/// The inviter a referral code names (never the user themself).
pub(super) async fn resolve_referrer(
    app: &App,
    user: TelegramId,
    code: &str,
) -> Result<Option<TelegramId>, BotError> {
    for candidate in StartParam::referral_candidates(code) {
        if let Some(id) = app.store.find_by_ref_code(candidate).await? {
            return Ok(Some(id).filter(|id| *id != user));
        }
    }
    if app.config.legacy_refs
        && let Some(id) = StartParam::legacy_referrer(code).filter(|id| *id != user)
        && app.store.get_user(id).await?.is_some()
    {
        return Ok(Some(id));
    }
    tracing::info!(%user, code, "referral code not found");
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
