//! The bot itself: token, admins, webhook, Bot API address, language and currency, menu links, required channel, start screen, per-user rate limit, inline-mode thumbnails.

use super::error::ConfigError;
use super::parse::{Reader, invalid, list_items};
use super::vars::redact_opt;
use crate::base::types::{Lang, TelegramId};
use std::fmt;

/// Telegram webhook settings.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Check Telegram's `X-Telegram-Bot-Api-Secret-Token` header (WEBHOOK_VALIDATION_ENABLED, default true).
    pub validation_enabled: bool,
    /// The secret token given to `setWebhook` (WEBHOOK_SECRET_TOKEN, secret).
    pub secret_token: Option<String>,
    /// Public base URL without a trailing `/` (WEBHOOK_BASE_URL).
    pub base_url: Option<String>,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("validation_enabled", &self.validation_enabled)
            .field("secret_token", &redact_opt(&self.secret_token))
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Menu links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// Support chat (SUPPORT_LINK; `@name` becomes `https://t.me/name`).
    pub support: Option<String>,
    /// Server status page (SERVER_STATUS_URL).
    pub server_status: Option<String>,
    /// Terms of service (TERMS_OF_SERVICE_URL).
    pub terms_of_service: Option<String>,
}

/// Happ crypt4 subscription links (CRYPT4_ENABLED).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crypt4 {
    /// Put before the crypt4 link on the Connect button, e.g.
    /// `https://redirect.example.com/?url=` (CRYPT4_REDIRECT_URL): Telegram
    /// opens only http(s) links from buttons.
    pub redirect_url: Option<String>,
}

/// The channel users must join before using the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredChannel {
    /// Chat id, e.g. -1001234567890 (REQUIRED_CHANNEL_ID).
    pub id: i64,
    /// Invitation link shown to users (REQUIRED_CHANNEL_LINK).
    pub link: Option<String>,
}

/// Per-user update limit: `requests` updates per `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Updates allowed per window (RATE_LIMIT_REQUESTS, default 10).
    pub requests: u32,
    /// Window length in seconds (RATE_LIMIT_WINDOW, default 5).
    pub window_secs: u32,
}

/// Thumbnails of inline-mode results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineThumbnails {
    /// INLINE_REFERRAL_THUMBNAIL_URL.
    pub referral: Option<String>,
    /// INLINE_USER_STATS_THUMBNAIL_URL.
    pub user_stats: Option<String>,
    /// INLINE_FINANCIAL_STATS_THUMBNAIL_URL.
    pub financial_stats: Option<String>,
    /// INLINE_SYSTEM_STATS_THUMBNAIL_URL.
    pub system_stats: Option<String>,
}

/// The bot's settings, each kept in `Config` under the same name.
pub(super) struct BotSettings {
    pub(super) bot_token: String,
    pub(super) admin_ids: Vec<TelegramId>,
    pub(super) webhook: Webhook,
    pub(super) telegram_api_url: String,
    pub(super) default_language: Lang,
    pub(super) default_currency_symbol: String,
    pub(super) timezone: chrono_tz::Tz,
    pub(super) links: Links,
    pub(super) required_channel: Option<RequiredChannel>,
    pub(super) subscription_mini_app_url: Option<String>,
    pub(super) crypt4: Option<Crypt4>,
    pub(super) start_command_description: Option<String>,
    pub(super) disable_welcome_message: bool,
    pub(super) my_devices_section_enabled: bool,
    pub(super) legacy_refs: bool,
    pub(super) logs_page_size: u32,
    pub(super) rate_limit: Option<RateLimit>,
}

/// Reads the bot's settings in order; the first bad value is the error.
pub(super) fn read(r: &Reader<'_>) -> Result<BotSettings, ConfigError> {
    Ok(BotSettings {
        bot_token: bot_token(r)?,
        admin_ids: admin_ids(r)?,
        webhook: webhook(r)?,
        telegram_api_url: r
            .url("TELEGRAM_API_URL")?
            .unwrap_or_else(|| "https://api.telegram.org".to_owned()),
        default_language: match r.raw("DEFAULT_LANGUAGE") {
            None => Lang::Ru,
            Some(v) => {
                Lang::from_code(v).ok_or_else(|| invalid("DEFAULT_LANGUAGE", "ru or en", v))?
            }
        },
        default_currency_symbol: r
            .string("DEFAULT_CURRENCY_SYMBOL")
            .unwrap_or_else(|| "₽".to_owned()),
        timezone: match r.raw("TIMEZONE") {
            None => chrono_tz::Tz::UTC,
            Some(v) => v
                .parse()
                .map_err(|_| invalid("TIMEZONE", "a time zone name such as Europe/Moscow", v))?,
        },
        links: Links {
            support: r.link("SUPPORT_LINK")?,
            server_status: r.url_keep_slash("SERVER_STATUS_URL")?,
            terms_of_service: r.url_keep_slash("TERMS_OF_SERVICE_URL")?,
        },
        required_channel: required_channel(r)?,
        subscription_mini_app_url: r.url_keep_slash("SUBSCRIPTION_MINI_APP_URL")?,
        crypt4: crypt4(r)?,
        start_command_description: start_command_description(r)?,
        disable_welcome_message: r.flag("DISABLE_WELCOME_MESSAGE", false)?,
        my_devices_section_enabled: r.flag("MY_DEVICES_SECTION_ENABLED", false)?,
        legacy_refs: r.flag("LEGACY_REFS", false)?,
        logs_page_size: r.bounded("LOGS_PAGE_SIZE", 10, 1, 100)?,
        rate_limit: rate_limit(r)?,
    })
}

/// CRYPT4_ENABLED and its redirect, as remnawave-tg-shop reads them (an
/// empty CRYPT4_REDIRECT_URL is none; the redirect is used only with
/// crypt4 on).
fn crypt4(r: &Reader<'_>) -> Result<Option<Crypt4>, ConfigError> {
    let redirect_url = r.url_keep_slash("CRYPT4_REDIRECT_URL")?;
    Ok(r.flag("CRYPT4_ENABLED", false)?
        .then_some(Crypt4 { redirect_url }))
}

/// BOT_TOKEN, as BotFather issues it.
fn bot_token(r: &Reader<'_>) -> Result<String, ConfigError> {
    let bot_token = r
        .string("BOT_TOKEN")
        .ok_or(ConfigError::Missing { name: "BOT_TOKEN" })?;
    if !is_bot_token(&bot_token) {
        return Err(invalid(
            "BOT_TOKEN",
            "<digits>:<letters, digits, _ or -> as issued by BotFather",
            &bot_token,
        ));
    }
    Ok(bot_token)
}

/// REQUIRED_CHANNEL_ID with its REQUIRED_CHANNEL_LINK. The gate runs
/// whenever the id is set, as 2GETPRO and remnawave-tg-shop before the
/// switch did; when REQUIRED_CHANNEL_SUBSCRIBE_TO_USE is present (RTS
/// HEAD), only when it is true.
fn required_channel(r: &Reader<'_>) -> Result<Option<RequiredChannel>, ConfigError> {
    let channel_id = r.whole::<i64>("REQUIRED_CHANNEL_ID")?;
    let channel_link = r.link("REQUIRED_CHANNEL_LINK")?;
    let switched_on = r.flag("REQUIRED_CHANNEL_SUBSCRIBE_TO_USE", true)?;
    Ok(channel_id
        .filter(|_| switched_on)
        .map(|id| RequiredChannel {
            id,
            link: channel_link,
        }))
}

/// START_COMMAND_DESCRIPTION, at most 256 characters.
fn start_command_description(r: &Reader<'_>) -> Result<Option<String>, ConfigError> {
    match r.raw("START_COMMAND_DESCRIPTION") {
        Some(v) if v.chars().count() > 256 => Err(invalid(
            "START_COMMAND_DESCRIPTION",
            "at most 256 characters",
            v,
        )),
        v => Ok(v.map(str::to_owned)),
    }
}

/// RATE_LIMIT_ENABLED, RATE_LIMIT_REQUESTS and RATE_LIMIT_WINDOW.
fn rate_limit(r: &Reader<'_>) -> Result<Option<RateLimit>, ConfigError> {
    let rate_limit_enabled = r.flag("RATE_LIMIT_ENABLED", true)?;
    let requests = r.bounded("RATE_LIMIT_REQUESTS", 10, 1, u32::MAX)?;
    let window_secs = r.bounded("RATE_LIMIT_WINDOW", 5, 1, u32::MAX)?;
    Ok(rate_limit_enabled.then_some(RateLimit {
        requests,
        window_secs,
    }))
}

/// Reads the thumbnails of inline-mode results.
pub(super) fn inline_thumbnails(r: &Reader<'_>) -> Result<InlineThumbnails, ConfigError> {
    Ok(InlineThumbnails {
        referral: r.url_keep_slash("INLINE_REFERRAL_THUMBNAIL_URL")?,
        user_stats: r.url_keep_slash("INLINE_USER_STATS_THUMBNAIL_URL")?,
        financial_stats: r.url_keep_slash("INLINE_FINANCIAL_STATS_THUMBNAIL_URL")?,
        system_stats: r.url_keep_slash("INLINE_SYSTEM_STATS_THUMBNAIL_URL")?,
    })
}

/// Telegram's rule for a webhook secret token: 1-256 of `A-Z a-z 0-9 _ -`.
fn is_telegram_secret_token(s: &str) -> bool {
    (1..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `<digits>:<letters, digits, _ or ->` as BotFather issues.
fn is_bot_token(s: &str) -> bool {
    match s.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

fn admin_ids(r: &Reader<'_>) -> Result<Vec<TelegramId>, ConfigError> {
    let Some(raw) = r.raw("ADMIN_IDS") else {
        return Ok(Vec::new());
    };
    // Some Python bots wrote the list as JSON: [1, 2].
    let inner = raw
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(raw);
    let mut ids = Vec::new();
    for item in list_items(inner) {
        match item.parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&TelegramId(id)) {
                    ids.push(TelegramId(id));
                }
            }
            _ => {
                return Err(invalid(
                    "ADMIN_IDS",
                    "comma-separated Telegram user ids",
                    item,
                ));
            }
        }
    }
    Ok(ids)
}

fn webhook(r: &Reader<'_>) -> Result<Webhook, ConfigError> {
    let validation_enabled = r.flag("WEBHOOK_VALIDATION_ENABLED", true)?;
    // remnawave-tg-shop HEAD calls it TELEGRAM_WEBHOOK_SECRET.
    let (secret_name, secret_token) =
        match r.either("WEBHOOK_SECRET_TOKEN", "TELEGRAM_WEBHOOK_SECRET") {
            Some((name, v)) => (name, Some(v.to_owned())),
            None => ("WEBHOOK_SECRET_TOKEN", None),
        };
    if let Some(t) = &secret_token
        && !is_telegram_secret_token(t)
    {
        return Err(invalid(
            secret_name,
            "1-256 characters of A-Z, a-z, 0-9, _ and -",
            t,
        ));
    }
    if validation_enabled && secret_token.is_none() {
        return Err(ConfigError::MissingWhen {
            name: "WEBHOOK_SECRET_TOKEN",
            because: "WEBHOOK_VALIDATION_ENABLED is true".into(),
        });
    }
    Ok(Webhook {
        validation_enabled,
        secret_token,
        base_url: r.url("WEBHOOK_BASE_URL")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::Vars;
    use crate::base::config::vars::testing::minimal;

    /// The error for settings that must be rejected (the settings hold a secret, so no `expect_err`).
    fn err(vars: &Vars) -> String {
        match read(&Reader(vars)) {
            Ok(_) => panic!("settings should be rejected"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_time_zone_is_an_iana_name() {
        let mut v = minimal();
        let tz = |v: &Vars| read(&Reader(v)).ok().map(|b| b.timezone);
        assert_eq!(tz(&v), Some(chrono_tz::Tz::UTC));
        v.set("TIMEZONE", "Europe/Moscow");
        assert_eq!(tz(&v), Some(chrono_tz::Europe::Moscow));
        v.set("TIMEZONE", "Moscow");
        assert!(err(&v).starts_with("TIMEZONE: "), "{}", err(&v));
    }

    #[test]
    fn crypt4_is_read_as_remnawave_tg_shop_reads_it() {
        let crypt4 = |pairs: &[(&str, &str)]| {
            let mut v = minimal();
            for (k, val) in pairs {
                v.set(k, val);
            }
            read(&Reader(&v))
                .map(|b| b.crypt4)
                .map_err(|e| e.to_string())
        };
        assert_eq!(crypt4(&[]), Ok(None));
        // Its .env.example's own lines: off, an empty redirect.
        assert_eq!(
            crypt4(&[("CRYPT4_ENABLED", "False"), ("CRYPT4_REDIRECT_URL", "")]),
            Ok(None)
        );
        assert_eq!(
            crypt4(&[("CRYPT4_ENABLED", "True")]),
            Ok(Some(Crypt4 { redirect_url: None }))
        );
        assert_eq!(
            crypt4(&[
                ("CRYPT4_ENABLED", "true"),
                ("CRYPT4_REDIRECT_URL", "https://redir.example.com?url=")
            ]),
            Ok(Some(Crypt4 {
                redirect_url: Some("https://redir.example.com?url=".into())
            }))
        );
        let bad = crypt4(&[("CRYPT4_REDIRECT_URL", "redir.example.com")]).unwrap_err();
        assert!(bad.starts_with("CRYPT4_REDIRECT_URL: expected"), "{bad}");
    }

    #[test]
    fn missing_bot_token() {
        let mut v = minimal();
        v.set("BOT_TOKEN", "  ");
        assert_eq!(err(&v), "BOT_TOKEN: required, not set");
    }

    #[test]
    fn bad_bot_token_is_not_echoed() {
        let mut v = minimal();
        v.set("BOT_TOKEN", "hunter2-no-colon");
        let e = err(&v);
        assert!(e.starts_with("BOT_TOKEN: expected"), "{e}");
        assert!(e.ends_with("got an invalid value"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn bad_secret_token_charset() {
        let mut v = minimal();
        v.set("WEBHOOK_SECRET_TOKEN", "has spaces+plus");
        let e = err(&v);
        assert_eq!(
            e,
            "WEBHOOK_SECRET_TOKEN: expected 1-256 characters of A-Z, a-z, 0-9, _ and -, got an invalid value"
        );
        let mut v = minimal();
        v.set("WEBHOOK_SECRET_TOKEN", &"a".repeat(257));
        assert!(err(&v).starts_with("WEBHOOK_SECRET_TOKEN: expected"));
        let mut v = minimal();
        v.set("WEBHOOK_SECRET_TOKEN", "");
        assert_eq!(
            err(&v),
            "WEBHOOK_SECRET_TOKEN: required when WEBHOOK_VALIDATION_ENABLED is true, not set"
        );
        v.set("WEBHOOK_VALIDATION_ENABLED", "false");
        assert_eq!(read(&Reader(&v)).unwrap().webhook.secret_token, None);
    }
}
