//! Property tests of the invariants that matter most at the edge:
//! amounts round-trip between minor units and every provider's text form;
//! a signature our signer computes verifies, and any one-byte change to the
//! signed bytes or the signature fails; callback data round-trips, has one
//! encoding per action, and carries no user id.

use proptest::prelude::*;
use serde_json::{Value, json};
use shared::adapters::pay::{PayError, cryptopay, freekassa, parse_minor, tribute, yookassa};
use shared::base::callback::{Action, BuyAction, TOPUP_MAX, TOPUP_MIN};
use shared::base::config::{Config, Vars};
use shared::base::types::{Kopecks, Lang, Period, Product, Provider};
use shared::domains::access::webhook;

const CP_TOKEN: &str = "4242:AAprop-Token";
const TRIBUTE_KEY: &str = "prop-tribute-key";
const FK_SECRET2: &str = "prop_fk_second";
const PANEL_SECRET: &str = "prop0panel0webhook0secret0000000000";

fn config() -> &'static Config {
    static CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    CONFIG.get_or_init(load)
}

fn load() -> Config {
    let mut vars = Vars::new();
    for (k, v) in [
        ("BOT_TOKEN", "1:prop"),
        ("WEBHOOK_SECRET_TOKEN", "prop_secret"),
        ("RUB_PRICE_1_MONTH", "199"),
        ("CRYPTOPAY_ENABLED", "true"),
        ("CRYPTOPAY_TOKEN", CP_TOKEN),
        ("FREEKASSA_ENABLED", "true"),
        ("FREEKASSA_MERCHANT_ID", "777"),
        ("FREEKASSA_FIRST_SECRET", "prop_fk_first"),
        ("FREEKASSA_SECOND_SECRET", FK_SECRET2),
        ("FREEKASSA_ALLOWED_IPS", "127.0.0.1"),
        ("TRIBUTE_ENABLED", "true"),
        ("TRIBUTE_API_KEY", TRIBUTE_KEY),
    ] {
        vars.set(k, v);
    }
    Config::from_vars(&vars).expect("valid settings")
}

/// Amounts up to 10^13 rubles: far beyond any price, well inside u64.
fn kopecks() -> impl Strategy<Value = u64> {
    0u64..1_000_000_000_000_000
}

/// `bytes` with the byte at `at` (mod length) changed to a different value.
fn one_byte_changed(bytes: &[u8], at: usize, delta: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let i = at % out.len();
    out[i] = out[i].wrapping_add(delta.max(1));
    out
}

fn not_authentic<T: std::fmt::Debug>(r: Result<T, PayError>) -> bool {
    matches!(r, Err(PayError::NotAuthentic(_)))
}

proptest! {
    // A fixed seed: the suite is deterministic (scripts/fuzz explores at random).
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x005e_ed0f_2026),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    // ---------------------------------------------------------- money

    #[test]
    fn rubles_round_trip_through_every_text_form(k in kopecks()) {
        let k = Kopecks(k);
        // YooKassa's and Crypto Pay's fiat amounts: always two decimals.
        prop_assert_eq!(parse_minor(&k.two_decimals(), 2), Some(k.0));
        // FreeKassa's form and API: "299" or "299.50".
        prop_assert_eq!(parse_minor(&freekassa::amount_text(k), 2), Some(k.0));
        // What users see.
        prop_assert_eq!(parse_minor(&k.display_rubles(), 2), Some(k.0));
    }

    #[test]
    fn crypto_amounts_round_trip_with_nine_decimals(minor in kopecks(), asset in "[A-Za-z0-9]{1,10}") {
        let text = format!("{}.{:09}", minor / 1_000_000_000, minor % 1_000_000_000);
        let m = cryptopay::crypto_money(&asset, &text).expect("an amount");
        prop_assert_eq!(m.minor(), minor);
        prop_assert_eq!(m.currency(), asset.to_ascii_uppercase());
    }

    #[test]
    fn yookassa_payment_amounts_round_trip(k in kopecks()) {
        let mut v: Value = serde_json::from_slice(include_bytes!(
            "../../tests/fixtures/yookassa/payment_api_succeeded.json"
        ))
        .expect("fixture");
        v["amount"]["value"] = json!(Kopecks(k).two_decimals());
        let p = yookassa::parse_payment(&v).expect("parses");
        prop_assert_eq!(p.amount.minor(), k);
        prop_assert_eq!(p.amount.currency(), "RUB");
    }

    #[test]
    fn tribute_amounts_are_minor_units_as_sent(k in 0u64..i64::MAX as u64) {
        let cfg = config().tribute.as_ref().expect("tribute");
        let body = format!(
            r#"{{"name":"new_subscription","created_at":"2026-01-01T00:00:00Z","payload":{{"subscription_id":1,"amount":{k},"currency":"rub","telegram_user_id":5}}}}"#
        );
        let sig = tribute::signature(TRIBUTE_KEY, body.as_bytes());
        let event = tribute::verify_webhook(cfg, body.as_bytes(), Some(&sig)).expect("authentic");
        prop_assert_eq!(event.get().subscription().expect("subscription").amount.minor(), k);
    }

    #[test]
    fn freekassa_notification_amounts_round_trip(k in kopecks(), order in "[a-f0-9]{32}") {
        let cfg = config().freekassa.as_ref().expect("freekassa");
        let amount = freekassa::amount_text(Kopecks(k));
        let sign = hex::encode(<md5::Md5 as sha2::Digest>::digest(
            format!("777:{amount}:{FK_SECRET2}:{order}").as_bytes(),
        ));
        let params = vec![
            ("MERCHANT_ID".to_owned(), "777".to_owned()),
            ("AMOUNT".to_owned(), amount),
            ("MERCHANT_ORDER_ID".to_owned(), order),
            ("SIGN".to_owned(), sign),
        ];
        let n = freekassa::verify_notification(cfg, Some([127, 0, 0, 1].into()), &params)
            .expect("authentic");
        prop_assert_eq!(n.get().amount.minor(), k);
    }

    // ----------------------------------------------------- signatures

    #[test]
    fn cryptopay_signatures_verify_and_any_changed_byte_fails(
        body in prop::collection::vec(any::<u8>(), 1..512),
        at in any::<usize>(),
        delta in 1u8..=255,
    ) {
        let cfg = config().cryptopay.as_ref().expect("cryptopay");
        let sig = cryptopay::signature(CP_TOKEN, &body);
        prop_assert!(!not_authentic(cryptopay::verify_webhook(cfg, &body, Some(&sig))));
        prop_assert!(!not_authentic(cryptopay::verify_webhook(cfg, &body, Some(&sig.to_ascii_uppercase()))));
        let changed = one_byte_changed(&body, at, delta);
        prop_assert!(not_authentic(cryptopay::verify_webhook(cfg, &changed, Some(&sig))));
        let bad_sig = String::from_utf8_lossy(&one_byte_changed(sig.as_bytes(), at, delta)).into_owned();
        prop_assert!(not_authentic(cryptopay::verify_webhook(cfg, &body, Some(&bad_sig))) || bad_sig.eq_ignore_ascii_case(&sig));
    }

    #[test]
    fn tribute_signatures_verify_and_any_changed_byte_fails(
        body in prop::collection::vec(any::<u8>(), 1..512),
        at in any::<usize>(),
        delta in 1u8..=255,
    ) {
        let cfg = config().tribute.as_ref().expect("tribute");
        let sig = tribute::signature(TRIBUTE_KEY, &body);
        prop_assert!(!not_authentic(tribute::verify_webhook(cfg, &body, Some(&sig))));
        let changed = one_byte_changed(&body, at, delta);
        prop_assert!(not_authentic(tribute::verify_webhook(cfg, &changed, Some(&sig))));
        let bad_sig = String::from_utf8_lossy(&one_byte_changed(sig.as_bytes(), at, delta)).into_owned();
        prop_assert!(not_authentic(tribute::verify_webhook(cfg, &body, Some(&bad_sig))) || bad_sig.eq_ignore_ascii_case(&sig));
    }

    #[test]
    fn panel_webhook_signatures_verify_and_any_changed_byte_fails(
        body in prop::collection::vec(any::<u8>(), 1..512),
        at in any::<usize>(),
        delta in 1u8..=255,
    ) {
        let sig = webhook::signature(PANEL_SECRET, &body);
        prop_assert!(webhook::signature_valid(PANEL_SECRET, &body, Some(&sig)));
        let changed = one_byte_changed(&body, at, delta);
        prop_assert!(!webhook::signature_valid(PANEL_SECRET, &changed, Some(&sig)));
        let bad_sig = String::from_utf8_lossy(&one_byte_changed(sig.as_bytes(), at, delta)).into_owned();
        prop_assert!(!webhook::signature_valid(PANEL_SECRET, &body, Some(&bad_sig)) || bad_sig.eq_ignore_ascii_case(&sig));
    }

    #[test]
    fn freekassa_signatures_verify_and_any_changed_signed_byte_fails(
        k in kopecks(),
        order in "[a-f0-9]{32}",
        field in 0usize..4,
        at in any::<usize>(),
        delta in 1u8..=255,
    ) {
        let cfg = config().freekassa.as_ref().expect("freekassa");
        let ip = Some([127, 0, 0, 1].into());
        let amount = freekassa::amount_text(Kopecks(k));
        let sign = hex::encode(<md5::Md5 as sha2::Digest>::digest(
            format!("777:{amount}:{FK_SECRET2}:{order}").as_bytes(),
        ));
        let mut params = vec![
            ("MERCHANT_ID".to_owned(), "777".to_owned()),
            ("AMOUNT".to_owned(), amount),
            ("MERCHANT_ORDER_ID".to_owned(), order),
            ("SIGN".to_owned(), sign.clone()),
        ];
        prop_assert!(freekassa::verify_notification(cfg, ip, &params).is_ok());
        let value = params[field].1.clone();
        let changed = String::from_utf8_lossy(&one_byte_changed(value.as_bytes(), at, delta)).into_owned();
        params[field].1 = changed.clone();
        let still_same = field == 3 && changed.eq_ignore_ascii_case(&sign);
        prop_assert!(still_same || freekassa::verify_notification(cfg, ip, &params).is_err());
    }

    // --------------------------------------------------- callback data

    #[test]
    fn callback_data_has_one_meaning_and_no_user_in_it(data in ".{0,80}") {
        // Whatever a client sends, a decoded action is the canonical
        // encoding of itself: no second spelling means the same or another
        // action, and no id of a user (or of an admin) rides along.
        if let Some(a) = Action::parse(&data) {
            prop_assert_eq!(a.data(), data.clone());
        }
        if let Some(b) = BuyAction::parse(&data) {
            prop_assert_eq!(b.data(), data.clone());
        }
    }

    #[test]
    fn callback_data_with_an_id_appended_decodes_to_nothing_else(
        action in actions(),
        id in 1i64..i64::MAX,
        sep in prop::sample::select(vec![":", "_", " ", "", "@", "|"]),
    ) {
        let data = format!("{}{sep}{id}", action.data());
        prop_assert!(data.len() > action.data().len());
        if let Some(a) = Action::parse(&data) {
            prop_assert_eq!(a.data(), data.clone());
        }
        if let Some(b) = BuyAction::parse(&data) {
            // Only the history cursor is free text, and it is the user's own page.
            prop_assert!(matches!(b, BuyAction::History(Some(_))), "{:?}", b);
        }
    }

    #[test]
    fn every_button_round_trips_within_64_bytes(action in actions(), buy in buy_actions()) {
        prop_assert!(action.data().len() <= 64);
        prop_assert_eq!(Action::parse(&action.data()), Some(action));
        prop_assert!(buy.data().len() <= 64);
        prop_assert_eq!(BuyAction::parse(&buy.data()), Some(buy));
    }
}

fn actions() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Menu),
        Just(Action::Profile),
        Just(Action::Subscription),
        Just(Action::Referrals),
        Just(Action::Languages),
        prop::sample::select(Lang::ALL.to_vec()).prop_map(Action::SetLanguage),
        Just(Action::CheckChannel),
        Just(Action::Trial),
        Just(Action::Devices),
        any::<u32>().prop_map(Action::DeviceAsk),
        any::<u32>().prop_map(Action::DeviceDelete),
    ]
}

fn providers() -> impl Strategy<Value = Provider> {
    prop::sample::select(
        [
            "yookassa",
            "cryptopay",
            "stars",
            "freekassa",
            "tribute",
            "balance",
        ]
        .iter()
        .filter_map(|c| Provider::from_code(c))
        .collect::<Vec<_>>(),
    )
}

fn buy_actions() -> impl Strategy<Value = BuyAction> {
    let product = prop_oneof![
        prop::sample::select(Period::ALL.to_vec()).prop_map(Product::Period),
        (1..=Product::MAX_DEVICES_AT_ONCE).prop_map(Product::Devices),
        (1..=u64::MAX).prop_map(Product::Traffic),
    ];
    let rubles = TOPUP_MIN..=TOPUP_MAX;
    prop_oneof![
        Just(BuyAction::Plans),
        Just(BuyAction::PlansFromSubscription),
        Just(BuyAction::MoreDevices),
        Just(BuyAction::MoreTraffic),
        product.clone().prop_map(BuyAction::Plan),
        (product.clone(), providers()).prop_map(|(p, v)| BuyAction::Pay(p, v)),
        (product, "[A-Za-z0-9]{1,16}").prop_map(|(p, s)| BuyAction::PayFromBalance(p, s)),
        Just(BuyAction::TopUp),
        rubles.clone().prop_map(BuyAction::TopUpAmount),
        (rubles, providers()).prop_map(|(r, v)| BuyAction::TopUpPay(r, v)),
        Just(BuyAction::TopUpCustom),
        Just(BuyAction::History(None)),
        "[A-Za-z0-9_:-]{1,40}".prop_map(|c| BuyAction::History(Some(c))),
    ]
}
