//! The cabinet, the subscriber's Telegram Mini App: its API answers only
//! the caller whose `initData` Telegram signed, a press sent twice is one
//! action, and the page works in a real browser (Debian's Chromium,
//! headless): a new user, a subscriber who pays through a fake provider up
//! to the paid state and removes a device on the fake panel, both themes,
//! both languages, a screenshot of every page under
//! `target/cabinet-screens/`, and forged `initData` that shows nothing.

use e2e::browser::{Browser, telegram_stand_in};
use e2e::fake_panel::FakePanel;
use e2e::fake_providers::{Api, FakeProviders};
use e2e::signed::{Priced, cryptopay_paid};
use e2e::story::{order, provider_ref};
use e2e::{TOKEN, TestStack};
use serde_json::{Value, json};
use shared::adapters::pay::OrderId;
use shared::base::clock::now;
use shared::base::initdata::sign;
use shared::domains::money::orders::OrderStatus;
use std::path::PathBuf;

const ALICE: i64 = 7001;
const BOB: i64 = 7002;

fn cabinet_settings() -> Vec<(&'static str, &'static str)> {
    vec![
        ("CABINET_ENABLED", "true"),
        ("CABINET_URL", "https://cabinet.example/app"),
        ("MY_DEVICES_SECTION_ENABLED", "true"),
        ("TRIAL_ENABLED", "true"),
        ("TRIAL_DURATION_DAYS", "3"),
        ("SUPPORT_LINK", "@shop_support"),
    ]
}

async fn shop() -> (TestStack, FakePanel, FakeProviders) {
    let providers = FakeProviders::start().await;
    let (t, panel) = TestStack::shop_with_panel(&providers, &cabinet_settings()).await;
    (t, panel, providers)
}

/// `initData` as Telegram signs it for `user`, signed at `at` with `token`.
fn init_data(user: i64, name: &str, lang: &str, at: i64, token: &str) -> String {
    let who = json!({"id": user, "first_name": name, "language_code": lang}).to_string();
    sign(
        &[
            ("auth_date", &at.to_string()),
            ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
            ("user", &who),
        ],
        token,
    )
}

fn signed(user: i64, name: &str, lang: &str) -> String {
    init_data(user, name, lang, now() - 60, TOKEN)
}

/// One API call with `init` as the caller; (status, JSON body).
async fn call(
    t: &TestStack,
    init: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = t.url(&format!("/app/api/{path}"));
    let mut req = match method {
        "POST" => t.http.post(url).json(&body.unwrap_or(json!({}))),
        _ => t.http.get(url),
    };
    if let Some(init) = init {
        req = req.header("authorization", format!("tma {init}"));
    }
    let resp = req.send().await.expect("the stack answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// As the page sends a press: a repeat that finds the first still running
/// (409 `in_progress`) is sent again a moment later.
async fn press(t: &TestStack, init: &str, path: &str, body: Value) -> (u16, Value) {
    for _ in 0..20 {
        let (status, answer) = call(t, Some(init), "POST", path, Some(body.clone())).await;
        if status != 409 || answer["error"] != "in_progress" {
            return (status, answer);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("{path}: still in progress after 4 s");
}

/// Alice pays a month with Crypto Pay from the cabinet, the provider
/// confirms it and the panel gives her an account with two devices.
async fn paying_alice(t: &TestStack, panel: &FakePanel) -> (OrderId, Vec<u32>) {
    let alice = signed(ALICE, "Alice", "en");
    let (status, paid) = call(
        t,
        Some(&alice),
        "POST",
        "pay",
        Some(json!({"press": "alice-first-pay", "plan": 1, "provider": "cryptopay"})),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["kind"], "link");
    let id = OrderId(paid["order"].as_str().expect("order id").to_owned());
    let invoice: u64 = provider_ref(t, &id).await.parse().expect("numeric invoice");
    assert_eq!(
        cryptopay_paid(&id.0, invoice, Priced::Fiat("RUB"), "199.00", 1)
            .post(t)
            .await
            .0,
        200
    );
    t.stack.drain_panel_sync().await.expect("sync");
    let panel_id = t
        .user(ALICE)
        .await
        .and_then(|u| u.panel)
        .expect("provisioned")
        .id;
    panel.add_device(panel_id, "hwid-alice-phone", "iOS", "iPhone 15", "17.4");
    panel.add_device(panel_id, "hwid-alice-laptop", "Windows", "ThinkPad", "11");
    let (_, devices) = call(t, Some(&alice), "GET", "devices", None).await;
    let keys = devices["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| d["id"].as_u64().expect("id") as u32)
        .collect();
    (id, keys)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_shows_each_caller_only_their_own_and_refuses_forged_or_expired_init_data() {
    let (t, panel, providers) = shop().await;
    let (alice_order, alice_devices) = paying_alice(&t, &panel).await;
    let alice = signed(ALICE, "Alice", "en");
    let (_, me) = call(&t, Some(&alice), "GET", "me", None).await;
    assert_eq!(me["user"]["id"], ALICE);
    assert_eq!(me["subscription"]["active"], true);
    assert_eq!(me["subscription"]["days_left"], 30);
    assert!(
        me["subscription"]["traffic"]["text"]
            .as_str()
            .unwrap()
            .contains("100"),
        "{me}"
    );
    let (_, connect) = call(&t, Some(&alice), "GET", "connect", None).await;
    let link = connect["link"].as_str().expect("Alice's link").to_owned();
    assert!(
        connect["qr"].as_str().unwrap().starts_with("<?xml"),
        "an SVG QR code"
    );
    let happ = &connect["guide"][0]["apps"][0];
    assert_eq!(happ["add"], format!("happ://add/{link}"));

    // Bob, a valid user of his own, sees none of Alice's things.
    let bob = signed(BOB, "Bob", "ru");
    let bob_paths = ["me", "connect", "plans", "history", "referrals"];
    for path in bob_paths {
        let (status, body) = call(&t, Some(&bob), "GET", path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let text = body.to_string();
        assert!(
            !text.contains(&link) && !text.contains("Alice") && !text.contains(&ALICE.to_string()),
            "{path}: {text}"
        );
    }
    let (_, me) = call(&t, Some(&bob), "GET", "me", None).await;
    assert_eq!(me["user"]["id"], BOB);
    assert_eq!(
        me["user"]["lang"], "ru",
        "registered from his Telegram language"
    );
    assert_eq!(
        t.user(BOB)
            .await
            .expect("registered like /start")
            .lang
            .code(),
        "ru"
    );
    let (status, body) = call(
        &t,
        Some(&bob),
        "GET",
        &format!("orders/{}", alice_order.0),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (404, json!("no_such_order"))
    );
    let (status, _) = call(&t, Some(&bob), "GET", "devices", None).await;
    assert_eq!(
        status, 404,
        "Bob has no panel account: no device list at all"
    );
    for key in &alice_devices {
        let (status, body) = call(
            &t,
            Some(&bob),
            "POST",
            "devices/remove",
            Some(json!({"press": format!("bob-remove-{key}"), "device": key})),
        )
        .await;
        assert_eq!(status, 404, "{body}");
    }
    let panel_id = t.user(ALICE).await.and_then(|u| u.panel).unwrap().id;
    assert_eq!(
        panel.device_hwids(panel_id).len(),
        2,
        "Alice's devices are untouched"
    );
    // Bob's own order is his, never Alice's.
    let (_, bobs) = call(
        &t,
        Some(&bob),
        "POST",
        "pay",
        Some(json!({"press": "bob-pay-1", "plan": 1, "provider": "yookassa"})),
    )
    .await;
    let bob_order = bobs["order"].as_str().expect("an order").to_owned();
    assert_eq!(order(&t, &OrderId(bob_order.clone())).await.user.0, BOB);
    let (status, _) = call(
        &t,
        Some(&alice),
        "GET",
        &format!("orders/{bob_order}"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Forged, tampered, expired and missing initData: every endpoint refuses
    // with a JSON error and nothing changes.
    let forged = init_data(ALICE, "Alice", "en", now(), "123456789:someone-elses-token");
    let tampered = alice.replace(&format!("%22id%22%3A{ALICE}"), &format!("%22id%22%3A{BOB}"));
    assert_ne!(tampered, alice);
    let expired = init_data(ALICE, "Alice", "en", now() - 2 * 86_400, TOKEN);
    let stranger = init_data(
        7999,
        "Mallory",
        "en",
        now(),
        "123456789:someone-elses-token",
    );
    let endpoints: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "me".into(), None),
        ("GET", "connect".into(), None),
        ("GET", "devices".into(), None),
        ("GET", "plans".into(), None),
        ("GET", "history".into(), None),
        ("GET", "referrals".into(), None),
        ("GET", format!("orders/{}", alice_order.0), None),
        (
            "POST",
            "pay".into(),
            Some(json!({"press": "forged-pay-1", "plan": 1, "provider": "balance"})),
        ),
        (
            "POST",
            "promo".into(),
            Some(json!({"press": "forged-promo", "code": "WELCOME"})),
        ),
        (
            "POST",
            "trial".into(),
            Some(json!({"press": "forged-trial"})),
        ),
        (
            "POST",
            "devices/remove".into(),
            Some(json!({"press": "forged-remove", "device": alice_devices[0]})),
        ),
        ("POST", "language".into(), Some(json!({"lang": "ru"}))),
    ];
    let orders_before = providers.requests().len();
    for (method, path, body) in &endpoints {
        for (init, why) in [
            (Some(forged.as_str()), "auth_invalid"),
            (Some(tampered.as_str()), "auth_invalid"),
            (Some(stranger.as_str()), "auth_invalid"),
            (Some(expired.as_str()), "auth_expired"),
            (
                Some("query_id=1&user=%7B%22id%22%3A7001%7D&auth_date=1"),
                "auth_invalid",
            ),
            (None, "auth_missing"),
        ] {
            let (status, answer) = call(&t, init, method, path, body.clone()).await;
            assert_eq!(status, 401, "{method} {path}: {answer}");
            assert_eq!(answer["ok"], false);
            assert_eq!(answer["error"], why, "{method} {path}");
            assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
    assert!(
        t.user(7999).await.is_none(),
        "a forged caller is never registered"
    );
    assert_eq!(panel.device_hwids(panel_id).len(), 2);
    assert_eq!(
        providers.requests().len(),
        orders_before,
        "no payment started"
    );
    assert_eq!(t.user(ALICE).await.unwrap().lang.code(), "en");

    // Bad input to a valid caller: a clear error, nothing done.
    for (path, body, code) in [
        (
            "pay",
            json!({"press": "x", "plan": 1, "provider": "cryptopay"}),
            "bad_press",
        ),
        (
            "pay",
            json!({"press": "alice-bad-plan", "plan": 2, "provider": "cryptopay"}),
            "bad_plan",
        ),
        (
            "pay",
            json!({"press": "alice-bad-prov", "plan": 1, "provider": "paypal"}),
            "bad_provider",
        ),
        (
            "pay",
            json!({"press": "alice-bad-topup", "topup": 5, "provider": "yookassa"}),
            "bad_amount",
        ),
        (
            "devices/remove",
            json!({"press": "alice-no-dev", "device": 1}),
            "no_such_device",
        ),
        ("language", json!({"lang": "de"}), "bad_language"),
    ] {
        let (status, answer) = call(&t, Some(&alice), "POST", path, Some(body)).await;
        assert!((400..500).contains(&status), "{path}: {answer}");
        assert_eq!(answer["error"], code, "{path}: {answer}");
    }
    let (status, answer) = call(&t, Some(&alice), "GET", "history?cursor=%00%27", None).await;
    assert_eq!(
        (status, answer["error"].clone()),
        (400, json!("bad_cursor"))
    );
    assert_eq!(panel.device_hwids(panel_id).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_sent_twice_is_one_action() {
    let (t, panel, providers) = shop().await;
    let (_, devices) = paying_alice(&t, &panel).await;
    let alice = signed(ALICE, "Alice", "en");

    // A double tap on a provider's button: one order, one invoice.
    let invoices = || {
        providers
            .requests_to(Api::Cryptopay)
            .iter()
            .filter(|r| r.path == "/createInvoice")
            .count()
    };
    let before = invoices();
    let body = json!({"press": "double-tap-1", "plan": 3, "provider": "cryptopay"});
    let (a, b) = tokio::join!(
        press(&t, &alice, "pay", body.clone()),
        press(&t, &alice, "pay", body.clone())
    );
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    assert_eq!(a.1["order"], b.1["order"]);
    let again = call(&t, Some(&alice), "POST", "pay", Some(body)).await;
    assert_eq!(again.1["order"], a.1["order"]);
    assert_eq!(invoices(), before + 1, "one invoice for the press");

    // Paying from the balance, twice with the same press: debited once.
    t.set_user_attr(
        ALICE,
        "balance",
        aws_sdk_dynamodb::types::AttributeValue::N("100000".into()),
    )
    .await;
    let end_before = t.user(ALICE).await.unwrap().sub_end.unwrap();
    let body = json!({"press": "balance-tap-1", "plan": 1, "provider": "balance"});
    let (a, b) = tokio::join!(
        press(&t, &alice, "pay", body.clone()),
        press(&t, &alice, "pay", body.clone())
    );
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    assert_eq!(a.1["kind"], "paid");
    assert_eq!(a.1, b.1);
    let after = t.user(ALICE).await.unwrap();
    assert_eq!(after.balance.0, 100_000 - 19_900, "debited once");
    assert_eq!(
        after.sub_end.unwrap(),
        end_before + 30 * 86_400,
        "one month added"
    );
    assert_eq!(
        order(&t, &OrderId(a.1["order"].as_str().unwrap().to_owned()))
            .await
            .status,
        OrderStatus::Paid
    );

    // Removing a device, twice with the same press: the same answer, and
    // the other device stays.
    let body = json!({"press": "remove-phone-1", "device": devices[0]});
    let first = call(
        &t,
        Some(&alice),
        "POST",
        "devices/remove",
        Some(body.clone()),
    )
    .await;
    let second = call(&t, Some(&alice), "POST", "devices/remove", Some(body)).await;
    assert_eq!(first.0, 200, "{first:?}");
    assert_eq!(first, second);
    let panel_id = t.user(ALICE).await.and_then(|u| u.panel).unwrap().id;
    assert_eq!(panel.device_hwids(panel_id).len(), 1);
    // A new press for the device already gone removes nothing more.
    let gone = call(
        &t,
        Some(&alice),
        "POST",
        "devices/remove",
        Some(json!({"press": "remove-phone-2", "device": devices[0]})),
    )
    .await;
    assert_eq!(
        (gone.0, gone.1["error"].clone()),
        (404, json!("no_such_device"))
    );
    assert_eq!(panel.device_hwids(panel_id).len(), 1);

    // A promo code, twice with the same press: credited once.
    shared::domains::growth::promo::create(
        &t.stack.app,
        shared::base::types::TelegramId(1),
        Some("CAB50".into()),
        shared::adapters::store::promos::PromoKind::Balance(5_000),
        None,
        None,
        now(),
    )
    .await
    .expect("promo")
    .expect("created");
    let balance = t.user(ALICE).await.unwrap().balance.0;
    let body = json!({"press": "promo-tap-1", "code": "CAB50"});
    let (a, b) = tokio::join!(
        press(&t, &alice, "promo", body.clone()),
        press(&t, &alice, "promo", body)
    );
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    assert_eq!(a.1, b.1);
    assert_eq!(t.user(ALICE).await.unwrap().balance.0, balance + 5_000);
    let third = call(
        &t,
        Some(&alice),
        "POST",
        "promo",
        Some(json!({"press": "promo-tap-2", "code": "CAB50"})),
    )
    .await;
    assert_eq!(
        (third.0, third.1["error"].clone()),
        (409, json!("promo_refused"))
    );
    assert_eq!(t.user(ALICE).await.unwrap().balance.0, balance + 5_000);
}

fn screens_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/cabinet-screens")
}

/// The selector that shows a page has drawn its data.
fn drawn(page: &str) -> &'static str {
    match page {
        "subscription" => "#view .card",
        "connect" => "#view .app",
        "devices" => "#view .device, #view .card .hint",
        "pay" => "#view .plan",
        "history" => "#view .list li",
        _ => "#view .link",
    }
}

const PAGES: [&str; 6] = [
    "subscription",
    "connect",
    "devices",
    "pay",
    "history",
    "referrals",
];

async fn show(b: &mut Browser, page: &str) {
    b.click(&format!("#tabs [data-tab={page}]")).await;
    b.wait_for(&format!(
        "document.querySelector('#view').dataset.page === '{page}' && document.querySelector('{}')",
        drawn(page)
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cabinet_works_in_a_real_browser() {
    let (t, panel, _providers) = shop().await;
    let url = t.url("/app/");
    let dir = screens_dir();

    // A new user opens the cabinet from the bot: registered, offered the trial.
    let newcomer = init_data(7101, "Вера", "ru", now() - 30, TOKEN);
    let mut b = Browser::start(&telegram_stand_in(&newcomer, "android")).await;
    b.open(&url).await;
    b.wait_for("!document.getElementById('app').hidden && document.querySelector('#view .card')")
        .await;
    let text = b.eval("document.body.innerText").await.to_string();
    assert!(
        text.contains("Пробный период") && text.contains("Включить пробный период"),
        "{text}"
    );
    assert!(
        text.contains("Подписка"),
        "Russian, from the user's Telegram language: {text}"
    );
    assert_eq!(t.user(7101).await.expect("registered").lang.code(), "ru");
    b.screenshot(&dir.join("new-user-ru-light-subscription.png"))
        .await;
    // The first load: the page, its two assets and the API call.
    let first: Vec<(String, f64)> = b.responses();
    let bytes: f64 = first.iter().map(|(_, n)| n).sum();
    println!(
        "cabinet first load: {} requests, {} bytes on the wire (gzip)",
        first.len(),
        bytes
    );
    for (u, n) in &first {
        println!("  {n:>7} {u}");
    }
    assert!(bytes <= 100_000.0, "first load is {bytes} bytes");
    assert!(
        first.iter().all(|(u, _)| u.starts_with(&t.url("/app/"))),
        "nothing from elsewhere: {first:?}"
    );
    b.click("#view .card .btn").await;
    b.wait_for("!document.querySelector('#view .card .btn') && document.querySelector('#view .big').innerText === '3'").await;
    assert!(
        t.user(7101).await.unwrap().trial_used_at.is_some(),
        "the trial started"
    );
    assert!(b.errors().is_empty(), "{:?}", b.errors());
    drop(b);

    // A subscriber: buys a month through Crypto Pay up to the paid state.
    let init = init_data(ALICE, "Alice", "ru", now() - 30, TOKEN);
    let mut b = Browser::start(&telegram_stand_in(&init, "ios")).await;
    b.open(&url).await;
    b.wait_for("!document.getElementById('app').hidden").await;
    show(&mut b, "pay").await;
    b.click("#view .plan[data-months='1'] [data-provider=cryptopay]")
        .await;
    b.wait_for(
        "document.querySelector('#payment') && document.querySelector('#payment').dataset.order",
    )
    .await;
    let order_id = b
        .eval("document.querySelector('#payment').dataset.order")
        .await;
    let id = OrderId(order_id.as_str().expect("order id").to_owned());
    let links = b.eval("window.__tg.links").await;
    assert!(
        links[0]
            .as_str()
            .unwrap()
            .starts_with("https://t.me/CryptoTestnetBot"),
        "the provider's page opened in Telegram: {links}"
    );
    b.screenshot(&dir.join("subscriber-ru-light-pay-waiting.png"))
        .await;
    let invoice: u64 = provider_ref(&t, &id).await.parse().expect("invoice");
    assert_eq!(
        cryptopay_paid(&id.0, invoice, Priced::Fiat("RUB"), "199.00", 1)
            .post(&t)
            .await
            .0,
        200
    );
    b.wait_for("document.querySelector('#payment h2.ok') && document.querySelector('#payment .paid-status')").await;
    let paid = b
        .eval("document.querySelector('#payment').innerText")
        .await
        .to_string();
    let stored = t.user(ALICE).await.unwrap();
    let end = shared::base::format::date(stored.lang, stored.sub_end.unwrap());
    assert!(
        paid.contains(&end),
        "the new end date without a reload: {paid} / {end}"
    );
    b.screenshot(&dir.join("subscriber-ru-light-pay-paid.png"))
        .await;

    // The panel gives her an account; two devices connect.
    t.stack.drain_panel_sync().await.expect("sync");
    let panel_id = t
        .user(ALICE)
        .await
        .and_then(|u| u.panel)
        .expect("provisioned")
        .id;
    panel.add_device(panel_id, "hwid-alice-phone", "iOS", "iPhone 15", "17.4");
    panel.add_device(
        panel_id,
        "hwid-alice-laptop",
        "Windows",
        "ThinkPad X1",
        "11",
    );
    // Some history to page through.
    t.set_user_attr(
        ALICE,
        "balance",
        aws_sdk_dynamodb::types::AttributeValue::N("50000".into()),
    )
    .await;
    b.open(&url).await;
    b.wait_for("!document.getElementById('app').hidden").await;

    // Remove a device on the fake panel.
    show(&mut b, "devices").await;
    assert_eq!(
        b.eval("document.querySelectorAll('#view .device').length")
            .await,
        2
    );
    b.click("#view .device .btn").await;
    b.wait_for("document.querySelectorAll('#view .device').length === 1")
        .await;
    assert_eq!(
        panel.device_hwids(panel_id).len(),
        1,
        "removed on the panel"
    );

    // Every page, both themes, both languages.
    for lang in ["ru", "en"] {
        if lang == "en" {
            b.click("#lang").await;
            b.wait_for("document.documentElement.lang === 'en' && document.querySelector('#tabs button').innerText === 'Subscription'").await;
            assert_eq!(
                t.user(ALICE).await.unwrap().lang.code(),
                "en",
                "the bot speaks English too"
            );
        }
        for theme in ["light", "dark"] {
            b.eval(&format!("window.__tg.setTheme('{theme}')")).await;
            let scheme = b.eval("document.documentElement.dataset.scheme").await;
            assert_eq!(scheme, theme);
            let bg = b
                .eval("getComputedStyle(document.body).backgroundColor")
                .await;
            assert_eq!(
                bg,
                if theme == "dark" {
                    "rgb(33, 33, 33)"
                } else {
                    "rgb(255, 255, 255)"
                },
                "themeParams applied"
            );
            for page in PAGES {
                show(&mut b, page).await;
                b.screenshot(&dir.join(format!("subscriber-{lang}-{theme}-{page}.png")))
                    .await;
            }
        }
    }
    let friends = b.eval("document.body.innerText").await.to_string();
    assert!(
        friends.contains("Friends invited: 0") && friends.contains("Of them paid: 0"),
        "{friends}"
    );
    assert!(
        !friends.contains("Your link"),
        "the link is in its own box: {friends}"
    );
    // A top-up amount from a preset, paid through Crypto Pay.
    show(&mut b, "pay").await;
    b.click("#view .card .platforms .chip").await;
    assert_eq!(
        b.eval("document.getElementById('topup-amount').value")
            .await,
        "100"
    );
    let links_before = b.eval("window.__tg.links.length").await;
    b.click("#topup-amount ~ .methods [data-provider=cryptopay]")
        .await;
    b.wait_for(&format!("window.__tg.links.length > {links_before}"))
        .await;
    let topup = b
        .eval("document.querySelector('#payment').dataset.order")
        .await;
    let topup = order(&t, &OrderId(topup.as_str().unwrap().to_owned())).await;
    assert_eq!(
        topup.amount,
        shared::adapters::pay::Money::rub(shared::base::types::Kopecks(10_000))
    );
    // Stars: the invoice opens in Telegram (openInvoice); Telegram's
    // successful_payment reaches the bot; the page shows it paid.
    show(&mut b, "pay").await;
    b.click("#view .plan[data-months='3'] [data-provider=stars]")
        .await;
    b.wait_for(
        "window.__tg.invoices.length === 1 && document.querySelector('#payment').dataset.order",
    )
    .await;
    let stars = b
        .eval("document.querySelector('#payment').dataset.order")
        .await;
    let stars = stars.as_str().unwrap().to_owned();
    assert_eq!(
        b.eval("window.__tg.invoices[0]").await,
        format!("https://t.me/$invoice-{stars}")
    );
    let payer = e2e::signed::Payer {
        id: ALICE,
        name: "Alice",
        lang: "en",
    };
    let paid = e2e::signed::successful_payment_by(90, payer, &stars, 400, "stars-charge-3m");
    assert_eq!(t.update(&paid).await, 200);
    b.wait_for("document.querySelector('#payment h2.ok')").await;
    show(&mut b, "connect").await;
    let link = t.user(ALICE).await.unwrap().subscription_url.unwrap();
    assert!(
        b.eval("document.querySelector('#view .link').innerText")
            .await
            .as_str()
            == Some(link.as_str())
    );
    assert_eq!(
        b.eval("document.querySelector('#view .qr').naturalWidth > 0")
            .await,
        true,
        "the QR code renders"
    );
    assert!(b.errors().is_empty(), "{:?}", b.errors());
    drop(b);

    // Forged initData: nothing is shown and nobody is registered.
    let forged = init_data(
        7102,
        "Mallory",
        "en",
        now(),
        "123456789:someone-elses-token",
    );
    let mut b = Browser::start(&telegram_stand_in(&forged, "android")).await;
    b.open(&url).await;
    b.wait_for("document.querySelector('#status .bad')").await;
    assert_eq!(b.eval("document.getElementById('app').hidden").await, true);
    assert_eq!(
        b.eval("document.querySelectorAll('#view *').length").await,
        0
    );
    let text = b.eval("document.body.innerText").await.to_string();
    assert!(
        !text.contains("Mallory") && !text.contains("7102"),
        "{text}"
    );
    b.screenshot(&dir.join("forged-init-data.png")).await;
    assert!(t.user(7102).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_cached_by_hash_under_a_strict_policy_and_off_until_enabled() {
    let (t, _panel, _providers) = shop().await;
    let page = t
        .http
        .get(t.url("/app/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let h = page.headers().clone();
    assert_eq!(h["content-encoding"], "gzip");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' https://telegram.org;")
            && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(h["cache-control"], "no-cache");
    let etag = h["etag"].to_str().unwrap().to_owned();
    let again = t
        .http
        .get(t.url("/app/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let html = t
        .http
        .get(t.url("/app/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let asset = html
        .split("assets/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an asset")
        .to_owned();
    let a = t
        .http
        .get(t.url(&format!("/app/assets/{asset}")))
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), 200);
    assert_eq!(
        a.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let stale = t
        .http
        .get(t.url("/app/assets/app.000000000000.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = bare.get(t.url("/app")).send().await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["location"].to_str().unwrap()
        ),
        (308, "/app/")
    );

    // The bot's menu opens the cabinet.
    e2e::story::start(&t, 1, 7301, "Ann", "en").await;
    let menu = e2e::story::last_to(&t, 7301);
    let kb = e2e::story::keyboard(&menu);
    assert!(
        kb.iter()
            .any(|b| b["web_app"]["url"] == "https://cabinet.example/app/"),
        "{kb:?}"
    );

    // Off until the operator turns it on.
    let off = TestStack::start(&[]).await;
    let r = off.http.get(off.url("/app/")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let init = signed(7302, "Ann", "en");
    let (status, _) = call(&off, Some(&init), "GET", "me", None).await;
    assert_eq!(status, 404);
    assert!(off.user(7302).await.is_none());
    e2e::story::start(&off, 1, 7303, "Ann", "en").await;
    let kb = e2e::story::keyboard(&e2e::story::last_to(&off, 7303));
    assert!(kb.iter().all(|b| b.get("web_app").is_none()), "{kb:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stars_top_ups_and_the_paged_history_follow_the_bot() {
    use e2e::signed::{Payer, successful_payment_by};
    let (t, panel, _providers) = shop().await;
    paying_alice(&t, &panel).await;
    let alice = signed(ALICE, "Alice", "en");

    // Stars: an invoice link for openInvoice; the payment arrives in the chat.
    let (status, stars) = press(
        &t,
        &alice,
        "pay",
        json!({"press": "stars-tap-1", "plan": 1, "provider": "stars"}),
    )
    .await;
    assert_eq!(status, 200, "{stars}");
    assert_eq!(stars["kind"], "invoice");
    let id = stars["order"].as_str().unwrap().to_owned();
    assert_eq!(stars["url"], format!("https://t.me/$invoice-{id}"));
    let link = t
        .telegram
        .calls_of("createInvoiceLink")
        .pop()
        .expect("createInvoiceLink");
    assert_eq!(
        (
            link.body["currency"].clone(),
            link.body["prices"][0]["amount"].clone()
        ),
        (json!("XTR"), json!(150))
    );
    assert!(
        t.telegram.calls_of("sendInvoice").is_empty(),
        "no invoice message in the chat"
    );
    let (_, pending) = call(&t, Some(&alice), "GET", &format!("orders/{id}"), None).await;
    assert_eq!(pending["status"], "pending");
    let end = t.user(ALICE).await.unwrap().sub_end.unwrap();
    let payer = Payer {
        id: ALICE,
        name: "Alice",
        lang: "en",
    };
    assert_eq!(
        t.update(&successful_payment_by(
            50,
            payer,
            &id,
            150,
            "stars-charge-1"
        ))
        .await,
        200
    );
    let (_, paid) = call(&t, Some(&alice), "GET", &format!("orders/{id}"), None).await;
    assert_eq!(paid["status"], "paid", "{paid}");
    let lang = t.user(ALICE).await.expect("alice").lang;
    assert_eq!(
        paid["end_text"],
        shared::base::format::date(lang, end + 30 * 86_400)
    );

    // A top-up of 300 rubles through Crypto Pay.
    let (_, topup) = press(
        &t,
        &alice,
        "pay",
        json!({"press": "topup-tap-1", "topup": 300, "provider": "cryptopay"}),
    )
    .await;
    assert_eq!(topup["kind"], "link", "{topup}");
    let id = OrderId(topup["order"].as_str().unwrap().to_owned());
    let invoice: u64 = provider_ref(&t, &id).await.parse().unwrap();
    assert_eq!(
        cryptopay_paid(&id.0, invoice, Priced::Fiat("RUB"), "300.00", 2)
            .post(&t)
            .await
            .0,
        200
    );
    let (_, paid) = call(&t, Some(&alice), "GET", &format!("orders/{}", id.0), None).await;
    assert_eq!(paid["balance"], "300 ₽", "{paid}");

    // Twelve promo codes later the history has two pages, newest first.
    for i in 0..12 {
        let code = format!("GIFT{i:02}");
        shared::domains::growth::promo::create(
            &t.stack.app,
            shared::base::types::TelegramId(1),
            Some(code.clone()),
            shared::adapters::store::promos::PromoKind::Balance(100 * (i + 1)),
            None,
            None,
            now(),
        )
        .await
        .unwrap()
        .unwrap();
        let (status, body) = press(
            &t,
            &alice,
            "promo",
            json!({"press": format!("gift-tap-{i:02}"), "code": code}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    let (_, first) = call(&t, Some(&alice), "GET", "history", None).await;
    let rows = first["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    assert!(
        rows[0].as_str().unwrap().contains("12 ₽"),
        "newest first: {rows:?}"
    );
    let next = first["next"].as_str().expect("a second page");
    let (_, second) = call(
        &t,
        Some(&alice),
        "GET",
        &format!("history?cursor={}", urlencode(next)),
        None,
    )
    .await;
    let older = second["rows"].as_array().unwrap();
    assert!(!older.is_empty(), "{second}");
    let all: Vec<&Value> = rows.iter().chain(older.iter()).collect();
    assert!(
        all.iter().any(|r| r.as_str().unwrap().contains("300 ₽")),
        "the top-up: {all:?}"
    );
    assert!(
        all.iter().any(|r| r.as_str().unwrap().contains("150")),
        "the Stars purchase: {all:?}"
    );
    for r in rows {
        assert!(!older.contains(r), "pages do not overlap");
    }
}

/// `s` percent-encoded for a query string.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_webhook_points_the_menu_button_at_the_cabinet() {
    let t = TestStack::start(&[]).await;
    let dir = std::env::temp_dir().join(format!("cabinet-sw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env = dir.join(".env");
    let run = |cabinet: &str| {
        std::fs::write(
            &env,
            format!(
                "BOT_TOKEN={TOKEN}\nWEBHOOK_SECRET_TOKEN=abc\nWEBHOOK_BASE_URL=https://bot.example\n\
                 TELEGRAM_API_URL={}\nDEFAULT_LANGUAGE=en\n{cabinet}",
                t.telegram.url
            ),
        )
        .unwrap();
        let out = std::process::Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/set-webhook"
        ))
        .arg(&env)
        .output()
        .expect("scripts/set-webhook runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run("");
    assert!(
        t.telegram.calls_of("setChatMenuButton").is_empty(),
        "left alone when unset"
    );
    run("CABINET_ENABLED=true\n");
    let set = t.telegram.calls_of("setChatMenuButton").pop().expect("set");
    assert_eq!(
        set.body["menu_button"],
        json!({"type": "web_app", "text": "Cabinet", "web_app": {"url": "https://bot.example/app/"}})
    );
    run("CABINET_ENABLED=false\n");
    let reset = t
        .telegram
        .calls_of("setChatMenuButton")
        .pop()
        .expect("reset");
    assert_eq!(reset.body["menu_button"], json!({"type": "commands"}));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_from_a_startapp_link_is_registered_as_start_would() {
    let (t, _panel, _providers) = shop().await;
    let opened = |user: i64, param: &str| {
        let who = json!({"id": user, "first_name": "New", "language_code": "en"}).to_string();
        sign(
            &[
                ("auth_date", &now().to_string()),
                ("start_param", param),
                ("user", &who),
            ],
            TOKEN,
        )
    };
    // The inviter, and a friend who opens the cabinet from their link.
    let (status, _) = call(&t, Some(&signed(ALICE, "Alice", "en")), "GET", "me", None).await;
    assert_eq!(status, 200);
    let code = t.user(ALICE).await.unwrap().ref_code;
    let friend = opened(7401, &format!("ref_{code}"));
    assert_eq!(call(&t, Some(&friend), "GET", "me", None).await.0, 200);
    assert_eq!(
        t.user(7401).await.unwrap().referrer.map(|r| r.0),
        Some(ALICE)
    );
    assert_eq!(t.user(ALICE).await.unwrap().referrals, 1);
    // Every later call carries the same parameter: counted once.
    assert_eq!(call(&t, Some(&friend), "GET", "plans", None).await.0, 200);
    assert_eq!(t.user(ALICE).await.unwrap().referrals, 1);

    // A promo link: the code is applied at registration.
    shared::domains::growth::promo::create(
        &t.stack.app,
        shared::base::types::TelegramId(1),
        Some("HELLO100".into()),
        shared::adapters::store::promos::PromoKind::Balance(10_000),
        None,
        None,
        now(),
    )
    .await
    .unwrap()
    .unwrap();
    let (_, me) = call(&t, Some(&opened(7402, "promo_HELLO100")), "GET", "me", None).await;
    assert_eq!(me["balance"]["kopecks"], 10_000, "{me}");
    let (_, again) = call(&t, Some(&opened(7402, "promo_HELLO100")), "GET", "me", None).await;
    assert_eq!(again["balance"]["kopecks"], 10_000, "once");

    // A campaign link: counted and attributed once.
    let (_, _) = call(&t, Some(&opened(7403, "spring_ads")), "GET", "me", None).await;
    let (_, _) = call(&t, Some(&opened(7403, "spring_ads")), "GET", "me", None).await;
    assert_eq!(
        t.user(7403).await.unwrap().campaign.as_deref(),
        Some("spring_ads")
    );
    let campaign = t
        .stack
        .app
        .store
        .get_campaign("spring_ads")
        .await
        .unwrap()
        .expect("counted");
    assert_eq!((campaign.starts, campaign.users), (1, 1));
}
