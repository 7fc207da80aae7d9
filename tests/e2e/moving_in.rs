//! An operator moving in from remnawave-tg-shop HEAD: its settings read as
//! it reads them, end to end over the local stack. The payment buttons in
//! PAYMENT_METHODS_ORDER (a method left out is not sold), the referral
//! program switched off (REFERRAL_ENABLED=false), the channel gate switched
//! off (REQUIRED_CHANNEL_SUBSCRIBE_TO_USE=false) or on by the id alone, the
//! webhook secret under its RTS name, and the settings that have no meaning
//! here reported as ignored.

use e2e::fake_providers::FakeProviders;
use e2e::shop::referral_settings;
use e2e::signed::{Priced, cryptopay_paid};
use e2e::story::{buttons, last_screen, press, press_pay, provider_ref};
use e2e::{TestStack, text_update};
use shared::base::config::{Config, Vars};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payment_buttons_follow_payment_methods_order_and_the_rest_are_not_sold() {
    let p = FakeProviders::start().await;
    let t = TestStack::shop(&p, &[("PAYMENT_METHODS_ORDER", "stars,FreeKassa,severpay")]).await;
    e2e::story::register(&t, 1, 6601, "en").await;
    press(&t, 2, 6601, "plan:1m").await;
    let shown: Vec<String> = buttons(&last_screen(&t))
        .into_iter()
        .filter(|b| b.starts_with("pay:"))
        .collect();
    assert_eq!(shown, vec!["pay:1m:stars", "pay:1m:freekassa"]);
    // YooKassa and Crypto Pay are enabled but not listed: not sold.
    press(&t, 3, 6601, "pay:1m:cryptopay").await;
    press(&t, 4, 6601, "pay:1m:yookassa").await;
    assert!(p.requests().is_empty(), "no payment was created");
    // Top-ups too.
    press(&t, 5, 6601, "tamt:300").await;
    let shown: Vec<String> = buttons(&last_screen(&t))
        .into_iter()
        .filter(|b| b.starts_with("tpay:"))
        .collect();
    assert_eq!(shown, vec!["tpay:300:freekassa"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_referral_program_off_links_are_plain_and_nobody_is_rewarded() {
    let p = FakeProviders::start().await;
    let referral = referral_settings();
    let mut extra: Vec<(&str, &str)> = referral.iter().map(|(k, v)| (*k, v.as_str())).collect();
    extra.push(("REFERRAL_ENABLED", "false"));
    let t = TestStack::shop(&p, &extra).await;
    e2e::story::start(&t, 1, 6701, "Ivan", "en").await;
    let code = t.user(6701).await.expect("inviter").ref_code;
    e2e::story::say(&t, 2, 6702, "Boris", "en", &format!("/start ref_{code}")).await;
    assert_eq!(t.user(6702).await.expect("buyer").referrer, None);
    let menu = e2e::story::last_to(&t, 6702);
    assert!(buttons(&menu).contains(&"profile".to_owned()));
    assert!(!buttons(&menu).contains(&"ref".to_owned()));
    // The referral screen's old button shows the menu.
    press(&t, 3, 6702, "ref").await;
    assert!(!buttons(&last_screen(&t)).contains(&"ref".to_owned()));
    let id = press_pay(&t, &p, 6702, "pay:1m:cryptopay", 4).await;
    let invoice: u64 = provider_ref(&t, &id).await.parse().expect("numeric");
    cryptopay_paid(&id.0, invoice, Priced::Fiat("RUB"), "199.00", 5)
        .post_ok(&t)
        .await;
    t.drain_jobs().await;
    assert_eq!(t.user(6701).await.expect("inviter").sub_end, None);
    let end = t.user(6702).await.expect("buyer").sub_end.expect("paid");
    assert!(
        end < shared::base::clock::now() + 31 * 86_400,
        "no referee days"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_channel_gate_follows_required_channel_subscribe_to_use() {
    let off = TestStack::start(&[
        ("REQUIRED_CHANNEL_ID", "-1001234567890"),
        ("REQUIRED_CHANNEL_SUBSCRIBE_TO_USE", "false"),
    ])
    .await;
    assert_eq!(
        off.update(&text_update(1, 6801, "Kate", "en", "/start"))
            .await,
        200
    );
    assert!(
        off.telegram.calls_of("getChatMember").is_empty(),
        "RTS HEAD: switched off"
    );
    let on = TestStack::start(&[
        ("REQUIRED_CHANNEL_ID", "-1001234567890"),
        ("REQUIRED_CHANNEL_SUBSCRIBE_TO_USE", "true"),
    ])
    .await;
    assert_eq!(
        on.update(&text_update(1, 6802, "Kate", "en", "/start"))
            .await,
        200
    );
    assert_eq!(on.telegram.calls_of("getChatMember").len(), 1);
}

#[test]
fn rts_head_names_are_read_or_reported() {
    let mut v = Vars::default();
    v.set("BOT_TOKEN", "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ");
    v.set("TELEGRAM_WEBHOOK_SECRET", "rts_head_secret-1");
    v.set("TELEGRAM_PROXY_URL", "socks5://127.0.0.1:1080");
    v.set("LOG_STORE_MESSAGE_CONTENT", "false");
    v.set("STARS_PROVIDER_TOKEN", "");
    let c = Config::from_vars(&v).expect("starts");
    assert_eq!(c.webhook.secret_token.as_deref(), Some("rts_head_secret-1"));
    let ignored = Config::ignored_names(&v);
    assert!(ignored.contains(&"TELEGRAM_PROXY_URL"), "{ignored:?}");
    assert!(
        ignored.contains(&"LOG_STORE_MESSAGE_CONTENT"),
        "{ignored:?}"
    );
    // A bad secret under the RTS name is named by that name.
    v.set("TELEGRAM_WEBHOOK_SECRET", "has spaces");
    let err = Config::from_vars(&v).expect_err("refused").to_string();
    assert!(err.contains("TELEGRAM_WEBHOOK_SECRET: expected"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freekassa_as_rts_head_runs_it_creates_orders_through_the_api_without_the_form_secret() {
    use e2e::fake_providers::Api;
    use e2e::shop::{FREEKASSA_API_KEY, FREEKASSA_MERCHANT_ID, FREEKASSA_SECOND_SECRET};
    let p = FakeProviders::start().await;
    let merchant = FREEKASSA_MERCHANT_ID.to_string();
    let api_url = p.freekassa_url();
    let t = TestStack::start(&[
        ("RUB_PRICE_1_MONTH", "199"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("FREEKASSA_ENABLED", "true"),
        ("FREEKASSA_MERCHANT_ID", merchant.as_str()),
        ("FREEKASSA_SECOND_SECRET", FREEKASSA_SECOND_SECRET),
        ("FREEKASSA_API_KEY", FREEKASSA_API_KEY),
        ("FREEKASSA_API_URL", api_url.as_str()),
        ("FREEKASSA_PAYMENT_IP", "203.0.113.10"),
        ("FREEKASSA_ALLOWED_IPS", "127.0.0.1"),
    ])
    .await;
    e2e::story::register(&t, 1, 6901, "en").await;
    press(&t, 2, 6901, "pay:1m:freekassa").await;
    let created = p.requests_to(Api::Freekassa);
    let answers: Vec<String> = t
        .telegram
        .calls_of("answerCallbackQuery")
        .iter()
        .map(|c| c.body.to_string())
        .collect();
    assert_eq!(
        created.len(),
        1,
        "the order was created through the API: {answers:?}"
    );
    assert!(
        e2e::story::first_url(&last_screen(&t)).is_some(),
        "a link to pay"
    );
}

/// An operator's whole `.env` from `tests/fixtures/`, as the functions read it.
fn operator_env(file: &str) -> Vars {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(file);
    let mut vars = Vars::new();
    vars.merge_dotenv_file(&path).expect("the file reads");
    vars
}

/// Every name in the file: read here, ignored with a reason, or reported as
/// another bot's setting that is not implemented here; none unknown.
fn every_name_is_accounted_for(file: &str) -> shared::base::config::SettingsReport {
    let vars = operator_env(file);
    Config::from_vars(&vars).unwrap_or_else(|e| panic!("{file} starts: {e}"));
    let report = Config::report(&vars);
    assert!(report.unknown.is_empty(), "{file}: {:?}", report.unknown);
    let lines = report.lines();
    assert_eq!(
        lines.len(),
        report.ignored.len() + report.not_implemented.len(),
        "one line per name"
    );
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(file),
    )
    .unwrap();
    for line in lines.iter() {
        let name = line.split(' ').next().unwrap();
        assert!(text.contains(&format!("\n{name}=")), "{line}");
        assert!(!line.contains("placeholder"), "no values: {line}");
    }
    report
}

#[test]
fn rts_heads_own_env_example_starts_and_every_setting_is_accounted_for() {
    let report = every_name_is_accounted_for("rts-head.env");
    let ignored: Vec<&str> = report.ignored.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "TELEGRAM_PROXY_URL",
        "TELEGRAM_WEBHOOK_PATH",
        "STARS_PROVIDER_TOKEN",
        "LOG_STORE_MESSAGE_CONTENT",
        "LOG_ADMIN_HIDE",
        "POSTGRES_HOST",
        "WEB_SERVER_PORT",
        "TRIAL_TRAFFIC_STRATEGY",
    ] {
        assert!(ignored.contains(&name), "{name} ignored: {ignored:?}");
    }
    let not_here: Vec<&str> = report
        .not_implemented
        .iter()
        .map(|(n, bot, _)| {
            assert_eq!(*bot, "remnawave-tg-shop");
            n.as_str()
        })
        .collect();
    assert_eq!(
        not_here,
        vec![
            "NALOGO_INN",
            "NALOGO_PASSWORD",
            "NALOGO_RECEIPT_NAME_SUBSCRIPTION",
            "NALOGO_RECEIPT_NAME_TRAFFIC",
        ]
    );
    let line = report
        .lines()
        .into_iter()
        .find(|l| l.starts_with("NALOGO_INN "))
        .unwrap();
    assert!(
        line.contains("not implemented here (in remnawave-tg-shop: "),
        "{line}"
    );
}

#[test]
fn a_2getpro_env_example_starts_and_every_setting_is_accounted_for() {
    let report = every_name_is_accounted_for("2getpro.env");
    assert!(report.not_implemented.is_empty(), "{report:?}");
    let ignored: Vec<&str> = report.ignored.iter().map(|(n, _)| n.as_str()).collect();
    for name in ["REDIS_ENABLED", "PROMETHEUS_ENABLED", "POSTGRES_DB"] {
        assert!(ignored.contains(&name), "{name} ignored: {ignored:?}");
    }
}

#[test]
fn a_typo_is_reported_as_unknown_with_the_name_it_probably_meant() {
    let mut vars = operator_env("2getpro.env");
    vars.set("BOT_TOKN", "7012345678:AAFakeTokenForTheStartupReportTest0");
    vars.set("MULENPAY_ENABLED", "true");
    let report = Config::report(&vars);
    assert_eq!(report.unknown, vec![("BOT_TOKN".into(), Some("BOT_TOKEN"))]);
    let lines = report.lines();
    assert!(
        lines.contains(&"BOT_TOKN is not a known setting; ignored. Did you mean BOT_TOKEN?".into()),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "MULENPAY_ENABLED is set but not implemented here (in Bedolaga: MulenPay payments"
        )),
        "{lines:?}"
    );
}
