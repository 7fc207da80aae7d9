//! Settings: gathered from the environment, an operator's `.env` and the Secrets Manager secret, checked once at start-up.
//!
//! One file per area of settings (the bot, plans, each payment provider, the
//! panel, notices, logging, AWS resources), each with its structs and the
//! function that reads them; below them the raw variables (`vars`, `dotenv`),
//! the typed readers (`parse`), the IP allow-lists and the error. This file
//! puts the areas together into [`Config`].

mod allowlist;
mod bot;
mod cabinet;
mod cryptopay;
mod dotenv;
mod error;
mod freekassa;
mod growth;
mod infra;
mod known;
mod logging;
mod notifications;
mod panel;
mod parse;
mod plans;
mod platega;
mod products;
mod report;
mod severpay;
mod tribute;
mod vars;
mod yookassa;

pub use allowlist::{IpNet, IpNetError, allowed};
pub use bot::{Crypt4, InlineThumbnails, Links, RateLimit, RequiredChannel, Webhook};
pub use cabinet::Cabinet;
pub use cryptopay::{CryptoCurrencyType, CryptoNetwork, CryptoPay};
pub use error::ConfigError;
pub use freekassa::FreeKassa;
pub use growth::{Growth, ReferralBonusMode};
pub use infra::{IGNORED_SETTINGS, Infra, ignored_reason};
pub use logging::{LogSettings, Sentry};
pub use notifications::{Notifications, PanelNotices, PersonalNotices};
pub use panel::{Panel, TrafficStrategy};
pub use plans::{PlanConfig, TWIN_NAMES, Trial};
pub use platega::Platega;
pub use products::{DeviceSlots, Pack, Products};
pub use report::SettingsReport;
pub use severpay::SeverPay;
pub use tribute::Tribute;
pub use vars::{SECRET_NAMES, Vars};
pub use yookassa::YooKassa;

use crate::base::types::{Lang, Period, TelegramId};
use parse::Reader;
use std::fmt;
use vars::{REDACTED, redact_opt};

/// Every setting, parsed and checked.
#[derive(Clone)]
pub struct Config {
    /// Bot token from BotFather (BOT_TOKEN, secret).
    pub bot_token: String,
    /// Admins' Telegram ids (ADMIN_IDS).
    pub admin_ids: Vec<TelegramId>,
    /// Telegram webhook settings.
    pub webhook: Webhook,
    /// Bot API base URL without a trailing `/` (TELEGRAM_API_URL).
    pub telegram_api_url: String,
    /// Language for users whose language is unknown (DEFAULT_LANGUAGE).
    pub default_language: Lang,
    /// Shown next to prices (DEFAULT_CURRENCY_SYMBOL).
    pub default_currency_symbol: String,
    /// The operator's time zone (TIMEZONE, IANA name, default UTC): a
    /// promo code "valid through" a day ends at that day's end there.
    pub timezone: chrono_tz::Tz,
    /// Menu links.
    pub links: Links,
    /// Channel users must join first.
    pub required_channel: Option<RequiredChannel>,
    /// Mini App for the subscription page (SUBSCRIPTION_MINI_APP_URL).
    pub subscription_mini_app_url: Option<String>,
    /// Happ crypt4 links; `None` unless CRYPT4_ENABLED.
    pub crypt4: Option<Crypt4>,
    /// Description of `/start` in the command menu (START_COMMAND_DESCRIPTION).
    pub start_command_description: Option<String>,
    /// Skip the welcome text (DISABLE_WELCOME_MESSAGE).
    pub disable_welcome_message: bool,
    /// "My devices" section (MY_DEVICES_SECTION_ENABLED).
    pub my_devices_section_enabled: bool,
    /// Also accept old `ref_<telegram id>` links (LEGACY_REFS).
    pub legacy_refs: bool,
    /// Rows per page in the admin log viewer (LOGS_PAGE_SIZE).
    pub logs_page_size: u32,
    /// Per-user rate limit; `None` when RATE_LIMIT_ENABLED is false.
    pub rate_limit: Option<RateLimit>,
    /// One entry per period, in [`Period::ALL`] order.
    pub plans: Vec<PlanConfig>,
    /// Reward the inviter only for the invitee's first purchase (REFERRAL_ONE_BONUS_PER_REFEREE).
    pub referral_one_bonus_per_referee: bool,
    /// Referral rewards paid as days or balance (REFERRAL_BONUS_MODE, REFERRAL_BONUS_RUB_*).
    pub growth: Growth,
    /// Free trial; `None` when TRIAL_ENABLED is false.
    pub trial: Option<Trial>,
    /// Extra devices, traffic packs, traffic sale mode.
    pub products: Products,
    /// Expiry notices.
    pub notifications: Notifications,
    /// Admin log chat.
    pub log: LogSettings,
    /// VPN panel; `None` when PANEL_API_URL is unset.
    pub panel: Option<Panel>,
    /// HMAC key of the panel's webhooks (PANEL_WEBHOOK_SECRET, secret). Kept
    /// apart from [`Panel`]: the webhook route authenticates events even
    /// where the API is not configured.
    pub panel_webhook_secret: Option<String>,
    /// YooKassa; `None` unless YOOKASSA_ENABLED.
    pub yookassa: Option<YooKassa>,
    /// Crypto Pay; `None` unless CRYPTOPAY_ENABLED.
    pub cryptopay: Option<CryptoPay>,
    /// Telegram Stars payments (STARS_ENABLED).
    pub stars_enabled: bool,
    /// FreeKassa; `None` unless FREEKASSA_ENABLED.
    pub freekassa: Option<FreeKassa>,
    /// Tribute; `None` unless TRIBUTE_ENABLED.
    pub tribute: Option<Tribute>,
    /// Platega; `None` unless PLATEGA_ENABLED.
    pub platega: Option<Platega>,
    /// SeverPay; `None` unless SEVERPAY_ENABLED.
    pub severpay: Option<SeverPay>,
    /// Sentry; `None` unless SENTRY_ENABLED.
    pub sentry: Option<Sentry>,
    /// Inline-mode thumbnails.
    pub inline_thumbnails: InlineThumbnails,
    /// AWS resources.
    pub infra: Infra,
    /// Shows `/health`'s details to whoever sends it (HEALTH_TOKEN, secret).
    pub health_token: Option<String>,
    /// The subscriber's Mini App; `None` unless CABINET_ENABLED.
    pub cabinet: Option<Cabinet>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bot_token", &REDACTED)
            .field("admin_ids", &self.admin_ids)
            .field("webhook", &self.webhook)
            .field("telegram_api_url", &self.telegram_api_url)
            .field("default_language", &self.default_language)
            .field("default_currency_symbol", &self.default_currency_symbol)
            .field("timezone", &self.timezone)
            .field("links", &self.links)
            .field("required_channel", &self.required_channel)
            .field("subscription_mini_app_url", &self.subscription_mini_app_url)
            .field("crypt4", &self.crypt4)
            .field("start_command_description", &self.start_command_description)
            .field("disable_welcome_message", &self.disable_welcome_message)
            .field(
                "my_devices_section_enabled",
                &self.my_devices_section_enabled,
            )
            .field("legacy_refs", &self.legacy_refs)
            .field("logs_page_size", &self.logs_page_size)
            .field("rate_limit", &self.rate_limit)
            .field("plans", &self.plans)
            .field(
                "referral_one_bonus_per_referee",
                &self.referral_one_bonus_per_referee,
            )
            .field("growth", &self.growth)
            .field("trial", &self.trial)
            .field("products", &self.products)
            .field("notifications", &self.notifications)
            .field("log", &self.log)
            .field("panel", &self.panel)
            .field(
                "panel_webhook_secret",
                &redact_opt(&self.panel_webhook_secret),
            )
            .field("yookassa", &self.yookassa)
            .field("cryptopay", &self.cryptopay)
            .field("stars_enabled", &self.stars_enabled)
            .field("freekassa", &self.freekassa)
            .field("tribute", &self.tribute)
            .field("platega", &self.platega)
            .field("severpay", &self.severpay)
            .field("sentry", &self.sentry)
            .field("inline_thumbnails", &self.inline_thumbnails)
            .field("infra", &self.infra)
            .field("health_token", &redact_opt(&self.health_token))
            .field("cabinet", &self.cabinet)
            .finish()
    }
}

/// Reads the areas one by one and keeps every error.
struct Collect<'a> {
    vars: &'a Vars,
    errors: Vec<ConfigError>,
}

impl Collect<'_> {
    /// Reads one area. Each area stops at its first bad setting, so after an
    /// error the area is read again without that setting (as if unset) to
    /// find the next, until it reads or an error repeats a setting already
    /// reported (a required one, now missing).
    fn area<T>(&mut self, read: impl Fn(&Reader<'_>) -> Result<T, ConfigError>) -> Option<T> {
        let mut error = match read(&Reader(self.vars)) {
            Ok(value) => return Some(value),
            Err(e) => e,
        };
        let mut without = self.vars.clone();
        let mut names: Vec<&'static str> = Vec::new();
        loop {
            let name = error.setting();
            self.errors.push(error);
            let name = name.filter(|n| !names.contains(n))?;
            names.push(name);
            without.remove(name)?;
            match read(&Reader(&without)) {
                Ok(_) => return None,
                Err(e) if e.setting().is_some_and(|n| names.contains(&n)) => return None,
                Err(e) => error = e,
            }
        }
    }

    /// The one error to report.
    fn into_error(mut self) -> ConfigError {
        if self.errors.len() == 1 {
            self.errors.remove(0)
        } else {
            ConfigError::Several(self.errors)
        }
    }
}

impl Config {
    /// Parses every setting once. Every bad value is reported, in one error
    /// naming each setting (a single bad value is that value's own error).
    pub fn from_vars(vars: &Vars) -> Result<Config, ConfigError> {
        let r = Reader(vars);
        let mut all = Collect {
            vars,
            errors: Vec::new(),
        };
        // The areas are read in this order, and the errors are listed in it.
        let bot = all.area(bot::read);
        let plans = all.area(plans::read);
        let products = all.area(products::read);
        let growth = all.area(growth::read);
        let notifications = all.area(notifications::read);
        let log = all.area(logging::read);
        let panel = all.area(panel::read);
        let panel_webhook_secret = panel::webhook_secret(&r);
        let health_token = infra::health_token(&r);
        let yookassa = all.area(yookassa::read);
        let cryptopay = all.area(cryptopay::read);
        let stars_enabled = all.area(plans::stars_enabled);
        let freekassa = all.area(freekassa::read);
        let tribute = all.area(tribute::read);
        let platega = all.area(platega::read);
        let severpay = all.area(severpay::read);
        let sentry = all.area(logging::sentry);
        let inline_thumbnails = all.area(bot::inline_thumbnails);
        let infra = all.area(infra::read);
        let cabinet = all.area(cabinet::read);
        let (
            Some(bot),
            Some(plans),
            Some(products),
            Some(growth),
            Some(notifications),
            Some(log),
            Some(panel),
            Some(yookassa),
            Some(cryptopay),
            Some(stars_enabled),
            Some(freekassa),
            Some(tribute),
            Some(platega),
            Some(severpay),
            Some(sentry),
            Some(inline_thumbnails),
            Some(infra),
            Some(cabinet),
        ) = (
            bot,
            plans,
            products,
            growth,
            notifications,
            log,
            panel,
            yookassa,
            cryptopay,
            stars_enabled,
            freekassa,
            tribute,
            platega,
            severpay,
            sentry,
            inline_thumbnails,
            infra,
            cabinet,
        )
        else {
            return Err(all.into_error());
        };
        let plans::PlanSettings {
            plans,
            referral_one_bonus_per_referee,
            trial,
        } = plans;

        Ok(Config {
            bot_token: bot.bot_token,
            admin_ids: bot.admin_ids,
            webhook: bot.webhook,
            telegram_api_url: bot.telegram_api_url,
            default_language: bot.default_language,
            default_currency_symbol: bot.default_currency_symbol,
            timezone: bot.timezone,
            links: bot.links,
            required_channel: bot.required_channel,
            subscription_mini_app_url: bot.subscription_mini_app_url,
            crypt4: bot.crypt4,
            start_command_description: bot.start_command_description,
            disable_welcome_message: bot.disable_welcome_message,
            my_devices_section_enabled: bot.my_devices_section_enabled,
            legacy_refs: bot.legacy_refs,
            logs_page_size: bot.logs_page_size,
            rate_limit: bot.rate_limit,
            plans,
            referral_one_bonus_per_referee,
            growth,
            trial,
            products,
            notifications,
            log,
            panel,
            panel_webhook_secret,
            yookassa,
            cryptopay,
            stars_enabled,
            freekassa,
            tribute,
            platega,
            severpay,
            sentry,
            inline_thumbnails,
            infra,
            health_token,
            cabinet,
        })
    }

    /// What start-up says about the names set that are not read here (see [`SettingsReport`]).
    pub fn report(vars: &Vars) -> SettingsReport {
        SettingsReport::of(vars)
    }

    /// Names that were set but are ignored on serverless (PostgreSQL, Redis, Prometheus, web server...), for a one-line notice each.
    pub fn ignored_names(vars: &Vars) -> Vec<&'static str> {
        let r = Reader(vars);
        IGNORED_SETTINGS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| r.raw(name).is_some())
            .collect()
    }

    /// Settings that start but are probably wrong, one line each naming the setting (today: ruble prices that look like kopecks).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = plans::kopeck_warnings(&self.plans);
        out.extend(self.products.warnings.iter().cloned());
        out
    }

    /// How a period is sold.
    pub fn plan(&self, p: Period) -> &PlanConfig {
        self.plans
            .iter()
            .find(|plan| plan.period == p)
            .expect("Config::plans holds every Period")
    }

    /// Whether a Telegram user is an admin.
    pub fn admin(&self, id: TelegramId) -> bool {
        self.admin_ids.contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::testing::{TempFile, minimal};
    use crate::base::types::{Kopecks, Stars};

    fn err(vars: &Vars) -> String {
        Config::from_vars(vars)
            .expect_err("settings should be rejected")
            .to_string()
    }

    const OPERATOR_ENV: &str = r#"# ====== Bot ======
BOT_TOKEN="7012345678:AAHx-SeCrEt_tokenValue"
ADMIN_IDS=111111111, 222222222
DEFAULT_LANGUAGE=en
DEFAULT_CURRENCY_SYMBOL="RUB"
SUPPORT_LINK=@my_support
START_COMMAND_DESCRIPTION=Open the main menu   # shown in the command list
WEBHOOK_SECRET_TOKEN='hook_Secret-123'
WEBHOOK_BASE_URL=https://vpn.example.com/
REQUIRED_CHANNEL_ID=-1001234567890
REQUIRED_CHANNEL_LINK=https://t.me/my_channel

# ====== Panel ======
PANEL_API_URL=https://panel.example.com/api/
PANEL_API_KEY=eyJhbGciOi$Jkey
USER_TRAFFIC_LIMIT_GB=0
USER_TRAFFIC_STRATEGY=month
USER_SQUAD_UUIDS=0F0E0D0C-0B0A-0908-0706-050403020100, 11111111-2222-3333-4444-555555555555
USER_HWID_DEVICE_LIMIT=

# ====== Payments ======
YOOKASSA_ENABLED=True
YOOKASSA_SHOP_ID=123456
YOOKASSA_SECRET_KEY=test_AbCdEf
YOOKASSA_RETURN_URL=https://t.me/my_vpn_bot
YOOKASSA_VAT_CODE=1
export STARS_ENABLED=yes
CRYPTOPAY_ENABLED=false
FREEKASSA_ENABLED=off

# ====== Periods ======
1_MONTH_ENABLED=true
3_MONTHS_ENABLED=true
6_MONTHS_ENABLED=false
12_MONTHS_ENABLED = "true"
RUB_PRICE_1_MONTH=199
RUB_PRICE_3_MONTHS="499.50"
RUB_PRICE_6_MONTHS=899
RUB_PRICE_12_MONTHS=1599
STARS_PRICE_1_MONTH=100
STARS_PRICE_3_MONTHS=0
STARS_PRICE_12_MONTHS=
REFERRAL_BONUS_DAYS_1_MONTH=7
REFEREE_BONUS_DAYS_1_MONTH=3

TRIAL_ENABLED=true
TRIAL_DURATION_DAYS=2
LOG_CHAT_ID=-1009876543210
LOG_PAYMENTS=false

# ====== VPS leftovers ======
POSTGRES_HOST=postgres
POSTGRES_PASSWORD=pg-pass
REDIS_PASSWORD=
WEB_SERVER_PORT=8080
"#;

    #[test]
    fn operator_dotenv_parses() {
        let file = TempFile::new("operator", OPERATOR_ENV);
        let mut vars = Vars::new();
        vars.merge_dotenv_file(&file.0).unwrap();
        assert_eq!(vars.get("1_MONTH_ENABLED"), Some("true"));
        assert_eq!(vars.get("PANEL_API_KEY"), Some("eyJhbGciOi$Jkey"));
        assert_eq!(
            vars.get("START_COMMAND_DESCRIPTION"),
            Some("Open the main menu")
        );

        let c = Config::from_vars(&vars).unwrap();
        assert_eq!(c.bot_token, "7012345678:AAHx-SeCrEt_tokenValue");
        assert_eq!(
            c.admin_ids,
            vec![TelegramId(111111111), TelegramId(222222222)]
        );
        assert!(c.admin(TelegramId(222222222)));
        assert!(!c.admin(TelegramId(333)));
        assert_eq!(c.default_language, Lang::En);
        assert_eq!(c.default_currency_symbol, "RUB");
        assert_eq!(c.links.support.as_deref(), Some("https://t.me/my_support"));
        assert_eq!(c.webhook.secret_token.as_deref(), Some("hook_Secret-123"));
        assert_eq!(
            c.webhook.base_url.as_deref(),
            Some("https://vpn.example.com")
        );
        assert_eq!(
            c.required_channel,
            Some(RequiredChannel {
                id: -1001234567890,
                link: Some("https://t.me/my_channel".into())
            })
        );

        let panel = c.panel.as_ref().unwrap();
        assert_eq!(panel.api_url, "https://panel.example.com/api");
        assert_eq!(panel.traffic_strategy, TrafficStrategy::Month);
        assert_eq!(panel.traffic_strategy.as_panel_str(), "MONTH");
        assert_eq!(panel.squad_uuids[0], "0f0e0d0c-0b0a-0908-0706-050403020100");
        assert_eq!(panel.hwid_device_limit, None);

        let yk = c.yookassa.as_ref().unwrap();
        assert_eq!(yk.shop_id, "123456");
        assert_eq!(yk.api_url, "https://api.yookassa.ru/v3");
        assert!(allowed(&yk.allowed_ips, "185.71.76.5".parse().unwrap()));
        assert!(c.stars_enabled);
        assert!(c.cryptopay.is_none());
        assert!(c.freekassa.is_none());

        let m1 = c.plan(Period::OneMonth);
        assert!(m1.enabled);
        assert_eq!(m1.rub_price, Some(Kopecks(19900)));
        assert_eq!(m1.stars_price, Some(Stars(100)));
        assert_eq!((m1.referral_bonus_days, m1.referee_bonus_days), (7, 3));
        let m3 = c.plan(Period::ThreeMonths);
        assert_eq!(m3.rub_price, Some(Kopecks(49950)));
        assert_eq!(m3.stars_price, None);
        assert!(!c.plan(Period::SixMonths).enabled);
        assert!(c.plan(Period::TwelveMonths).enabled);
        assert_eq!(
            c.plans.iter().map(|p| p.period).collect::<Vec<_>>(),
            Period::ALL.to_vec()
        );

        assert_eq!(
            c.trial,
            Some(Trial {
                days: 2,
                traffic_limit_bytes: 5 << 30
            })
        );
        assert_eq!(c.log.chat_id, Some(-1009876543210));
        assert!(!c.log.payments && c.log.new_users);
        assert_eq!(
            c.rate_limit,
            Some(RateLimit {
                requests: 10,
                window_secs: 5
            })
        );
        assert_eq!(c.infra.table_name, "vpn-shop");

        assert_eq!(
            Config::ignored_names(&vars),
            vec!["POSTGRES_HOST", "POSTGRES_PASSWORD", "WEB_SERVER_PORT"]
        );
        assert!(
            ignored_reason("POSTGRES_HOST")
                .unwrap()
                .contains("DynamoDB")
        );
    }

    #[test]
    fn bad_whole_number() {
        let mut v = minimal();
        v.set("LOG_CHAT_ID", "12x");
        assert_eq!(
            err(&v),
            r#"LOG_CHAT_ID: expected a whole number, got "12x""#
        );
        let mut v = minimal();
        v.set("LOGS_PAGE_SIZE", "0");
        assert_eq!(
            err(&v),
            r#"LOGS_PAGE_SIZE: expected a whole number from 1 to 100, got "0""#
        );
    }

    #[test]
    fn secret_json_values_become_settings() {
        let mut v = minimal();
        v.set("BOT_TOKEN", "1:from_env");
        v.merge_secret_json(
            r#"{"BOT_TOKEN": "999:from_secret", "YOOKASSA_SHOP_ID": 123456, "YOOKASSA_ENABLED": true,
                "YOOKASSA_SECRET_KEY": "live_x", "RUB_PRICE_1_MONTH": 199.5, "SENTRY_DSN": null}"#,
        )
        .unwrap();
        let c = Config::from_vars(&v).unwrap();
        assert_eq!(c.bot_token, "999:from_secret");
        assert_eq!(c.yookassa.as_ref().unwrap().shop_id, "123456");
        assert_eq!(c.plan(Period::OneMonth).rub_price, Some(Kopecks(19950)));
    }

    #[test]
    fn every_bad_setting_in_one_message() {
        let mut v = minimal();
        v.set("ADMIN_IDS", "12x");
        v.set("RUB_PRICE_3_MONTHS", "abc");
        v.set("RUB_PRICE_6_MONTHS", "-5");
        v.set("LOG_CHAT_ID", "chat");
        let e = err(&v);
        assert!(e.starts_with("4 settings are invalid: ADMIN_IDS: "), "{e}");
        for part in [
            r#"RUB_PRICE_3_MONTHS: expected a positive number of rubles, got "abc""#,
            r#"RUB_PRICE_6_MONTHS: expected a positive number of rubles, got "-5""#,
            r#"LOG_CHAT_ID: expected a whole number, got "chat""#,
        ] {
            assert!(e.contains(part), "{e}");
        }
        assert_eq!(e.matches("RUB_PRICE_3_MONTHS").count(), 1, "{e}");
        // A required setting reported once, not again as missing.
        let mut v = Vars::new();
        v.set("BOT_TOKEN", "no colon");
        v.set("LOG_THREAD_ID", "x");
        let e = err(&v);
        assert!(e.starts_with("2 settings are invalid: BOT_TOKEN: "), "{e}");
        assert!(e.contains("LOG_THREAD_ID"), "{e}");
        assert!(!e.contains("no colon"), "secrets stay hidden: {e}");
    }

    #[test]
    fn seed_style_values_start() {
        let file = TempFile::new(
            "seed-style",
            "USER_TRAFFIC_LIMIT_GB=0.0\nTRIAL_ENABLED=true\nTRIAL_TRAFFIC_LIMIT_GB=5.0\n\
             USER_TRAFFIC_STRATEGY=MONTHLY\nREQUIRED_CHANNEL_ID=   # channel id, e.g. -100...\n\
             PANEL_API_URL=https://panel.example.com\nPANEL_API_KEY=k\nRUB_PRICE_1_MONTH=15000\n\
             RUB_PRICE_12_MONTHS=1500\n",
        );
        let mut vars = minimal();
        vars.merge_dotenv_file(&file.0).unwrap();
        let c = Config::from_vars(&vars).unwrap();
        let panel = c.panel.as_ref().unwrap();
        assert_eq!(panel.traffic_limit_bytes, 0);
        assert_eq!(panel.traffic_strategy, TrafficStrategy::Month);
        assert_eq!(c.trial.unwrap().traffic_limit_bytes, 5 << 30);
        assert_eq!(c.required_channel, None);
        assert_eq!(
            c.warnings(),
            vec![
                "RUB_PRICE_1_MONTH: 15000 rubles for 1 month(s) looks like kopecks; prices are in rubles (15000 would be 150.00 rubles)"
            ]
        );
        let mut v = minimal();
        v.set("PANEL_API_URL", "https://panel.example.com");
        v.set("PANEL_API_KEY", "k");
        v.set("USER_TRAFFIC_LIMIT_GB", "2.5");
        v.set("USER_TRAFFIC_STRATEGY", "weekly");
        let panel = Config::from_vars(&v).unwrap().panel.unwrap();
        assert_eq!(panel.traffic_limit_bytes, 5 << 29);
        assert_eq!(panel.traffic_strategy, TrafficStrategy::Week);
        for bad in ["2,5", "-1", "1.", ".5", "1e3", "1.0000000001"] {
            v.set("USER_TRAFFIC_LIMIT_GB", bad);
            assert_eq!(
                err(&v),
                format!(
                    "USER_TRAFFIC_LIMIT_GB: expected a number of gigabytes (5 or 2.5), got {bad:?}"
                )
            );
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let secrets = [
            ("BOT_TOKEN", "123:tok_HIDDEN_1"),
            ("WEBHOOK_SECRET_TOKEN", "HIDDEN_2"),
            ("PANEL_API_KEY", "HIDDEN_3"),
            ("PANEL_WEBHOOK_SECRET", "HIDDEN_4"),
            ("YOOKASSA_SECRET_KEY", "HIDDEN_5"),
            ("CRYPTOPAY_TOKEN", "HIDDEN_6"),
            ("FREEKASSA_FIRST_SECRET", "HIDDEN_7"),
            ("FREEKASSA_SECOND_SECRET", "HIDDEN_8"),
            ("FREEKASSA_API_KEY", "HIDDEN_9"),
            ("TRIBUTE_API_KEY", "HIDDEN_A"),
            ("SENTRY_DSN", "https://HIDDEN_B@sentry.example.com/1"),
            ("HEALTH_TOKEN", "HIDDEN_C"),
            ("TELEGRAM_WEBHOOK_SECRET", "HIDDEN_D"),
            ("PLATEGA_SECRET", "HIDDEN_E"),
            ("SEVERPAY_TOKEN", "HIDDEN_F"),
        ];
        let mut v = Vars::new();
        for (k, val) in secrets {
            v.set(k, val);
        }
        for (k, val) in [
            ("PANEL_API_URL", "https://panel.example.com"),
            ("YOOKASSA_ENABLED", "1"),
            ("YOOKASSA_SHOP_ID", "42"),
            ("CRYPTOPAY_ENABLED", "1"),
            ("FREEKASSA_ENABLED", "1"),
            ("FREEKASSA_MERCHANT_ID", "77"),
            ("TRIBUTE_ENABLED", "1"),
            ("SENTRY_ENABLED", "1"),
            ("PLATEGA_ENABLED", "1"),
            ("PLATEGA_MERCHANT_ID", "m-77"),
            ("SEVERPAY_ENABLED", "1"),
            ("SEVERPAY_MID", "77"),
        ] {
            v.set(k, val);
        }
        let c = Config::from_vars(&v).unwrap();
        assert!(c.panel.is_some() && c.yookassa.is_some() && c.cryptopay.is_some());
        assert!(c.freekassa.is_some() && c.tribute.is_some() && c.sentry.is_some());
        assert!(c.platega.is_some() && c.severpay.is_some());
        let shown = format!("{c:?} {v:?}");
        assert!(!shown.contains("HIDDEN"), "{shown}");
        assert!(shown.contains("***"));
        assert!(shown.contains("panel.example.com"), "non-secrets are shown");
        let mut names: Vec<&str> = secrets.iter().map(|(k, _)| *k).collect();
        let mut listed = SECRET_NAMES.to_vec();
        names.sort_unstable();
        listed.sort_unstable();
        assert_eq!(names, listed, "every secret is covered");
    }

    /// Every name a settings area reads is in the table of names read, so
    /// the start-up report never calls one of them unknown.
    #[test]
    fn every_name_read_is_known() {
        let mut v = minimal();
        for (k, val) in [
            ("PANEL_API_URL", "https://panel.example.com"),
            ("PANEL_API_KEY", "k"),
            ("YOOKASSA_ENABLED", "1"),
            ("YOOKASSA_SHOP_ID", "42"),
            ("YOOKASSA_SECRET_KEY", "s"),
            ("CRYPTOPAY_ENABLED", "1"),
            ("CRYPTOPAY_TOKEN", "1:x"),
            ("FREEKASSA_ENABLED", "1"),
            ("FREEKASSA_MERCHANT_ID", "77"),
            ("FREEKASSA_FIRST_SECRET", "a"),
            ("FREEKASSA_SECOND_SECRET", "b"),
            ("TRIBUTE_ENABLED", "1"),
            ("TRIBUTE_API_KEY", "t"),
            ("SENTRY_ENABLED", "1"),
            ("SENTRY_DSN", "https://k@sentry.example.com/1"),
            ("PLATEGA_ENABLED", "1"),
            ("PLATEGA_MERCHANT_ID", "m-77"),
            ("PLATEGA_SECRET", "p"),
            ("SEVERPAY_ENABLED", "1"),
            ("SEVERPAY_MID", "77"),
            ("SEVERPAY_TOKEN", "s"),
            ("TRIAL_ENABLED", "1"),
            ("RATE_LIMIT_ENABLED", "1"),
            ("CABINET_ENABLED", "1"),
            ("WEBHOOK_BASE_URL", "https://vpn.example.com"),
            ("REQUIRED_CHANNEL_ID", "-1001"),
            ("1_MONTH_ENABLED", "1"),
            ("RUB_PRICE_1_MONTH", "199"),
        ] {
            v.set(k, val);
        }
        parse::READ.with(|r| r.borrow_mut().clear());
        Config::from_vars(&v).expect("starts");
        let read = parse::READ.with(|r| r.borrow().clone());
        assert!(read.len() > 150, "{}", read.len());
        let missing: Vec<&str> = read.into_iter().filter(|n| !known::used(n)).collect();
        assert!(missing.is_empty(), "add to known::USED: {missing:?}");
        assert!(Config::report(&v).is_empty(), "{:?}", Config::report(&v));
    }

    #[test]
    fn provider_requirements() {
        let mut v = minimal();
        v.set("PANEL_API_URL", "https://panel.example.com");
        assert_eq!(
            err(&v),
            "PANEL_API_KEY: required when PANEL_API_URL is set, not set"
        );
        let mut v = minimal();
        v.set("YOOKASSA_ENABLED", "true");
        v.set("YOOKASSA_SHOP_ID", "1");
        assert_eq!(
            err(&v),
            "YOOKASSA_SECRET_KEY: required when YOOKASSA_ENABLED is true, not set"
        );
        let mut v = minimal();
        v.set("CRYPTOPAY_ENABLED", "true");
        v.set("CRYPTOPAY_TOKEN", "1:x");
        v.set("CRYPTOPAY_NETWORK", "TestNet");
        let cp = Config::from_vars(&v).unwrap().cryptopay.unwrap();
        assert_eq!(cp.network, CryptoNetwork::Testnet);
        assert_eq!(cp.api_url, "https://testnet-pay.crypt.bot/api");
        assert_eq!(cp.asset, "USDT");
        let mut v = minimal();
        v.set("USER_SQUAD_UUIDS", "not-a-uuid");
        assert_eq!(
            err(&v),
            r#"USER_SQUAD_UUIDS: expected comma-separated UUIDs (8-4-4-4-12 hex digits), got "not-a-uuid""#
        );
        let mut v = minimal();
        v.set("SUPPORT_LINK", "t.me/support");
        assert_eq!(
            err(&v),
            r#"SUPPORT_LINK: expected an https:// link or @username, got "t.me/support""#
        );
    }

    #[test]
    fn defaults() {
        let c = Config::from_vars(&minimal()).unwrap();
        assert_eq!(c.telegram_api_url, "https://api.telegram.org");
        assert_eq!(c.default_language, Lang::Ru);
        assert_eq!(c.default_currency_symbol, "₽");
        assert_eq!(c.logs_page_size, 10);
        assert!(c.webhook.validation_enabled);
        assert!(c.referral_one_bonus_per_referee);
        assert!(c.trial.is_none() && c.panel.is_none() && c.yookassa.is_none());
        assert!(c.plans.iter().all(|p| !p.enabled));
        assert_eq!(
            c.notifications,
            Notifications {
                enabled: true,
                days_before: 3,
                on_expire: true,
                after_expire: true,
                panel: PanelNotices {
                    first_connected: true,
                    not_connected: true,
                    bandwidth_threshold: true,
                    torrent_blocker: true,
                    revoked: true,
                    deleted: true,
                    traffic_reset: true,
                },
                personal: PersonalNotices {
                    admin_days: true,
                    admin_balance: true,
                    refund: true,
                    inviter_refund: true,
                    referral_bonus: true,
                },
            }
        );
        let mut v = minimal();
        v.set("TELEGRAM_API_URL", "http://localhost:8081/");
        v.set("ADMIN_IDS", "[5, 6,]");
        let c = Config::from_vars(&v).unwrap();
        assert_eq!(c.telegram_api_url, "http://localhost:8081");
        assert_eq!(c.admin_ids, vec![TelegramId(5), TelegramId(6)]);
    }
}
