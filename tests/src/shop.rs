//! One shop with every provider (YooKassa, Crypto Pay, FreeKassa, Tribute,
//! Telegram Stars) configured from one set of test credentials: the ones
//! [`FakeProviders`] accepts by default and [`crate::signed`] signs with.

use crate::TestStack;
use crate::fake_panel::FakePanel;
use crate::fake_providers::FakeProviders;

/// YooKassa shop id.
pub const YOOKASSA_SHOP_ID: &str = "610042";
/// YooKassa secret key.
pub const YOOKASSA_SECRET_KEY: &str = "test_e2e_YooSecret-key_01";
/// Crypto Pay API token (its SHA256 keys the webhook signature).
pub const CRYPTOPAY_TOKEN: &str = "30117:AAe2eCryptoPayToken";
/// FreeKassa shop (merchant) id.
pub const FREEKASSA_MERCHANT_ID: u64 = 41207;
/// FreeKassa API key.
pub const FREEKASSA_API_KEY: &str = "e2e_freekassa_api_key_0a1b2c";
/// FreeKassa first secret word (signs the payment form).
pub const FREEKASSA_FIRST_SECRET: &str = "e2e_fk_word_one";
/// FreeKassa second secret word (signs the notifications).
pub const FREEKASSA_SECOND_SECRET: &str = "e2e_fk_word_two";
/// Tribute API key (signs `trbt-signature`).
pub const TRIBUTE_API_KEY: &str = "e2e-tribute-key-42";
/// The Tribute subscription the shop sells.
pub const TRIBUTE_SUBSCRIPTION: u64 = 31337;
/// The Tribute channel.
pub const TRIBUTE_CHANNEL: i64 = 900;
/// The log chat of [`TestStack::shop`].
pub const SHOP_LOG_CHAT: i64 = -100_300;

/// Platega on, pointed at its fake (not in [`shop_settings`]: the tests
/// that pay through it add it).
pub fn platega_settings(p: &crate::fake_platega::FakePlatega) -> Settings {
    vec![
        ("PLATEGA_ENABLED", "true".into()),
        (
            "PLATEGA_MERCHANT_ID",
            crate::fake_platega::MERCHANT_ID.into(),
        ),
        ("PLATEGA_SECRET", crate::fake_platega::SECRET.into()),
        ("PLATEGA_BASE_URL", p.url.clone()),
        ("PLATEGA_RETURN_URL", "https://t.me/test_shop_bot".into()),
    ]
}

/// SeverPay on, pointed at its fake (not in [`shop_settings`]).
pub fn severpay_settings(p: &crate::fake_severpay::FakeSeverPay) -> Settings {
    vec![
        ("SEVERPAY_ENABLED", "true".into()),
        ("SEVERPAY_MID", crate::fake_severpay::MID.to_string()),
        ("SEVERPAY_TOKEN", crate::fake_severpay::TOKEN.into()),
        ("SEVERPAY_BASE_URL", p.url.clone()),
        ("SEVERPAY_LIFETIME_MINUTES", "60".into()),
    ]
}

/// Settings as owned pairs.
pub type Settings = Vec<(&'static str, String)>;

/// YooKassa on, pointed at the fake, trusting loopback.
pub fn yookassa_settings(p: &FakeProviders) -> Settings {
    vec![
        ("YOOKASSA_ENABLED", "true".into()),
        ("YOOKASSA_SHOP_ID", YOOKASSA_SHOP_ID.into()),
        ("YOOKASSA_SECRET_KEY", YOOKASSA_SECRET_KEY.into()),
        ("YOOKASSA_API_URL", p.yookassa_url()),
        ("YOOKASSA_ALLOWED_IPS", "127.0.0.1".into()),
        ("YOOKASSA_RETURN_URL", "https://t.me/test_shop_bot".into()),
        (
            "YOOKASSA_DEFAULT_RECEIPT_EMAIL",
            "receipts@example.com".into(),
        ),
    ]
}

/// Crypto Pay on, pointed at the fake.
pub fn cryptopay_settings(p: &FakeProviders) -> Settings {
    vec![
        ("CRYPTOPAY_ENABLED", "true".into()),
        ("CRYPTOPAY_TOKEN", CRYPTOPAY_TOKEN.into()),
        ("CRYPTOPAY_API_URL", p.cryptopay_url()),
    ]
}

/// FreeKassa on, trusting loopback.
pub fn freekassa_settings() -> Settings {
    vec![
        ("FREEKASSA_ENABLED", "true".into()),
        ("FREEKASSA_MERCHANT_ID", FREEKASSA_MERCHANT_ID.to_string()),
        ("FREEKASSA_FIRST_SECRET", FREEKASSA_FIRST_SECRET.into()),
        ("FREEKASSA_SECOND_SECRET", FREEKASSA_SECOND_SECRET.into()),
        ("FREEKASSA_ALLOWED_IPS", "127.0.0.1".into()),
    ]
}

/// Tribute on: the shared key, subscription (and 1, 4242, 5) and channel.
pub fn tribute_settings() -> Settings {
    vec![
        ("TRIBUTE_ENABLED", "true".into()),
        ("TRIBUTE_API_KEY", TRIBUTE_API_KEY.into()),
        (
            "TRIBUTE_SUBSCRIPTION_IDS",
            format!("{TRIBUTE_SUBSCRIPTION}, 1, 4242, 5"),
        ),
        ("TRIBUTE_CHANNEL_ID", TRIBUTE_CHANNEL.to_string()),
        (
            "TRIBUTE_LINK_1_MONTH",
            "https://t.me/tribute/app?startapp=sAbc".into(),
        ),
    ]
}

/// Telegram Stars on: 150 ⭐ a month, 400 ⭐ for three.
pub fn stars_settings() -> Settings {
    vec![
        ("STARS_ENABLED", "true".into()),
        ("STARS_PRICE_1_MONTH", "150".into()),
        ("STARS_PRICE_3_MONTHS", "400".into()),
    ]
}

/// A small shop's business side: 199 ₽ a month, 499 ₽ for three, no rate
/// limit, the admin log in `log_chat`, `admin` the only admin.
pub fn business_settings(log_chat: i64, admin: i64) -> Settings {
    vec![
        ("RUB_PRICE_1_MONTH", "199".into()),
        ("RUB_PRICE_3_MONTHS", "499".into()),
        ("RATE_LIMIT_ENABLED", "false".into()),
        ("LOG_CHAT_ID", log_chat.to_string()),
        ("ADMIN_IDS", admin.to_string()),
    ]
}

/// Referral bonuses for a one-month purchase: 7 days to the inviter, 3 to
/// the invited buyer.
pub fn referral_settings() -> Settings {
    vec![
        ("REFERRAL_BONUS_DAYS_1_MONTH", "7".into()),
        ("REFEREE_BONUS_DAYS_1_MONTH", "3".into()),
    ]
}

/// The full shop: four ruble periods (199, 499, 899, 1599), no rate limit,
/// the log chat [`SHOP_LOG_CHAT`], and every provider.
pub fn shop_settings(p: &FakeProviders) -> Settings {
    let mut s: Settings = vec![
        ("RUB_PRICE_1_MONTH", "199".into()),
        ("RUB_PRICE_3_MONTHS", "499".into()),
        ("RUB_PRICE_6_MONTHS", "899".into()),
        ("RUB_PRICE_12_MONTHS", "1599".into()),
        ("RATE_LIMIT_ENABLED", "false".into()),
        ("LOG_CHAT_ID", SHOP_LOG_CHAT.to_string()),
    ];
    s.extend(yookassa_settings(p));
    s.extend(cryptopay_settings(p));
    s.extend(freekassa_settings());
    s.extend(tribute_settings());
    s.extend(stars_settings());
    s
}

/// `settings` then `extra` (which win), as [`TestStack::start`] takes them.
pub fn with_extra<'a>(
    settings: &'a Settings,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut vars: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.extend_from_slice(extra);
    vars
}

impl TestStack {
    /// The full shop ([`shop_settings`]) over `providers`; `extra` settings win.
    pub async fn shop(providers: &FakeProviders, extra: &[(&str, &str)]) -> TestStack {
        let settings = shop_settings(providers);
        TestStack::start(&with_extra(&settings, extra)).await
    }

    /// The full shop with the fake panel too
    /// ([`TestStack::start_with_panel`]); `extra` settings win.
    pub async fn shop_with_panel(
        providers: &FakeProviders,
        extra: &[(&str, &str)],
    ) -> (TestStack, FakePanel) {
        let settings = shop_settings(providers);
        TestStack::start_with_panel(&with_extra(&settings, extra)).await
    }

    /// Hands `req` to the routes in-process (as Lambda would); the status.
    pub async fn handle(&self, req: shared::adapters::http::HttpRequest) -> u16 {
        let routes = local_stack::server::Routes {
            app: self.stack.app.clone(),
            probe: std::sync::Arc::new(local_stack::probe_for(&self.stack.app)),
        };
        routes.handle(req).await.status.as_u16()
    }
}
