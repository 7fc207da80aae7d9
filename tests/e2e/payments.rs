//! Buying through YooKassa, Crypto Pay, FreeKassa and Tribute, end to end:
//! the bot creates the payment at the (fake) provider, the provider's
//! webhook arrives at our route, the subscription and the ledger change once.

use e2e::fake_providers::{Api, FakeProviders};
use e2e::shop::{CRYPTOPAY_TOKEN, FREEKASSA_FIRST_SECRET, FREEKASSA_SECOND_SECRET};
use e2e::signed::{
    Priced, TributeEvent, Webhook, cryptopay_paid, cryptopay_signed, freekassa_form,
    freekassa_paid, hex_hmac, tribute, yookassa_payment,
};
use e2e::story::{ledger, mentions, press_pay as start_payment, provider_ref};
use e2e::{TestStack, callback_update, text_update};
use serde_json::{Value, json};
use shared::adapters::pay::OrderId;
use shared::domains::money::orders::OrderStatus;

const DAY: i64 = 86_400;

/// A YooKassa notification whose status is the event's (`payment.canceled`: `canceled`).
fn yookassa_notification(payment_id: &str, event: &str) -> Webhook {
    yookassa_payment(
        payment_id,
        event,
        event.trim_start_matches("payment."),
        "1.00",
    )
}

/// A Tribute event for the tests' 199 ₽ monthly subscription `subscription_id`.
fn tribute_event<'a>(
    name: &'a str,
    user: i64,
    amount: u64,
    created_at: &'a str,
    subscription_id: u64,
) -> TributeEvent<'a> {
    TributeEvent {
        name,
        user,
        price: amount,
        at: created_at,
        subscription_id,
        ..TributeEvent::default()
    }
}

async fn pay(
    t: &TestStack,
    providers: &FakeProviders,
    provider: &str,
    order: &OrderId,
    amount_rub: &str,
) -> (u16, String) {
    match provider {
        "yookassa" => {
            let payment_id = provider_ref(t, order).await;
            providers.set_payment_status(&payment_id, "succeeded", false);
            yookassa_notification(&payment_id, "payment.succeeded")
                .post(t)
                .await
        }
        "cryptopay" => {
            let invoice: u64 = provider_ref(t, order).await.parse().expect("numeric");
            cryptopay_paid(
                &order.0,
                invoice,
                Priced::Fiat("RUB"),
                amount_rub,
                invoice * 10,
            )
            .post(t)
            .await
        }
        "freekassa" => {
            freekassa_paid(amount_rub, &order.0, &format!("fk{}", &order.0[..6]))
                .post(t)
                .await
        }
        other => panic!("{other}"),
    }
}

fn days_left(end: Option<i64>) -> i64 {
    (end.expect("subscribed") - shared::base::clock::now() + 3600) / DAY
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_buys_every_period_with_every_provider_and_is_told_each_time() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[]).await;
    let user = 4001;
    assert_eq!(
        t.update(&text_update(1, user, "Maria", "en", "/start"))
            .await,
        200
    );
    let mut expected_days = 0;
    let mut update_id = 10;
    let mut payments = 0;
    for provider in ["yookassa", "cryptopay", "freekassa"] {
        for (period, rub, days) in [
            ("1m", "199", 30),
            ("3m", "499", 90),
            ("6m", "899", 180),
            ("12m", "1599", 360),
        ] {
            update_id += 1;
            let order = start_payment(
                &t,
                &providers,
                user,
                &format!("pay:{period}:{provider}"),
                update_id,
            )
            .await;
            let amount = if provider == "cryptopay" {
                format!("{rub}.00")
            } else {
                rub.to_owned()
            };
            let (status, body) = pay(&t, &providers, provider, &order, &amount).await;
            assert_eq!(status, 200, "{provider} {period}: {body}");
            if provider == "freekassa" {
                assert_eq!(body, "YES");
            }
            expected_days += days;
            payments += 1;
            assert_eq!(
                days_left(t.user(user).await.expect("u").sub_end),
                expected_days,
                "{provider} {period}"
            );
            let o = t
                .stack
                .app
                .store
                .get_order(&order)
                .await
                .expect("s")
                .expect("o");
            assert_eq!(o.status, OrderStatus::Paid);
        }
    }
    // YooKassa got the order id as the idempotence key, a two-decimal amount and a receipt.
    let created: Vec<_> = providers
        .requests_to(Api::Yookassa)
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(created.len(), 4);
    let first = &created[0];
    assert_eq!(
        first.header("idempotence-key"),
        first.body["metadata"]["order_id"].as_str()
    );
    assert_eq!(
        first.body["amount"],
        json!({"value": "199.00", "currency": "RUB"})
    );
    assert_eq!(
        first.body["receipt"]["customer"]["email"],
        "receipts@example.com"
    );

    assert_eq!(ledger(&t, user).await.len(), payments);
    t.drain_outbox().await;
    let told = t
        .telegram
        .sent_to(user)
        .into_iter()
        .filter(|c| {
            c.body["text"]
                .as_str()
                .unwrap_or_default()
                .contains("Payment received")
        })
        .count();
    assert_eq!(told, payments, "one confirmation per payment");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_deliveries_credit_once_for_every_provider() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[]).await;
    let user = 4002;
    assert_eq!(
        t.update(&text_update(1, user, "Oleg", "en", "/start"))
            .await,
        200
    );
    let mut expected = 0;
    for (i, provider) in ["yookassa", "cryptopay", "freekassa"]
        .into_iter()
        .enumerate()
    {
        let order = start_payment(
            &t,
            &providers,
            user,
            &format!("pay:1m:{provider}"),
            10 + i as i64,
        )
        .await;
        let amount = if provider == "cryptopay" {
            "199.00"
        } else {
            "199"
        };
        let deliveries = (0..50).map(|_| pay(&t, &providers, provider, &order, amount));
        let answers = futures::future::join_all(deliveries).await;
        assert!(
            answers.iter().all(|(s, _)| *s == 200),
            "{provider}: {answers:?}"
        );
        expected += 30;
        assert_eq!(
            days_left(t.user(user).await.expect("u").sub_end),
            expected,
            "{provider} credited once"
        );
    }
    // Tribute: the same event 50 times.
    let body = tribute_event(
        "new_subscription",
        user,
        19_900,
        "2026-11-20T10:00:00.000Z",
        31337,
    );
    let event = tribute(&body);
    let deliveries = (0..50).map(|_| event.post(&t));
    let answers = futures::future::join_all(deliveries).await;
    assert!(
        answers.iter().all(|(s, _)| *s == 200),
        "tribute: {answers:?}"
    );
    expected += 30;
    assert_eq!(
        days_left(t.user(user).await.expect("u").sub_end),
        expected,
        "tribute credited once"
    );
    assert_eq!(ledger(&t, user).await.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_foreign_and_wrong_notifications_change_nothing() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[]).await;
    let user = 4003;
    assert_eq!(
        t.update(&text_update(1, user, "Ivan", "en", "/start"))
            .await,
        200
    );
    let order = start_payment(&t, &providers, user, "pay:1m:cryptopay", 10).await;
    let invoice: u64 = t
        .stack
        .app
        .store
        .get_order(&order)
        .await
        .expect("s")
        .expect("o")
        .provider_ref
        .expect("ref")
        .parse()
        .expect("n");
    let good = cryptopay_paid(&order.0, invoice, Priced::Fiat("RUB"), "199.00", 1);
    let body = good.body.clone();

    // Crypto Pay: no signature, keyed with the token itself, re-serialised body.
    assert_eq!(good.clone().unsigned().post(&t).await.0, 401);
    let token_keyed = hex_hmac(CRYPTOPAY_TOKEN.as_bytes(), &body);
    assert_eq!(
        good.clone()
            .header("crypto-pay-api-signature", &token_keyed)
            .post(&t)
            .await
            .0,
        401
    );
    let reserialised =
        serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&body).expect("json"))
            .expect("pretty");
    assert_eq!(good.clone().with_body(reserialised).post(&t).await.0, 401);
    // Unreadable but signed: recorded and flagged, answered as settled so
    // Crypto Pay does not retry it for ever.
    let junk = b"{\"update_id\":".to_vec();
    assert_eq!(cryptopay_signed(junk).post(&t).await.0, 200);
    // Authentic but the wrong amount: success, nothing credited, flagged.
    let cheap = cryptopay_paid(&order.0, invoice, Priced::Fiat("RUB"), "19.00", 2);
    assert_eq!(cheap.post(&t).await.0, 200);
    // Authentic but for an order we never made.
    let stranger = cryptopay_paid(
        "feedfacefeedfacefeedfacefeedface",
        9,
        Priced::Fiat("RUB"),
        "199.00",
        3,
    );
    assert_eq!(stranger.post(&t).await.0, 200);

    // FreeKassa: signed with the first secret, another shop's id, from a foreign address.
    let fk_order = start_payment(&t, &providers, user, "pay:1m:freekassa", 11).await;
    let wrong_secret = freekassa_form("41207", "199", &fk_order.0, FREEKASSA_FIRST_SECRET, "1");
    assert_eq!(wrong_secret.post(&t).await.0, 401);
    let other_shop = freekassa_form("99999", "199", &fk_order.0, FREEKASSA_SECOND_SECRET, "1");
    assert_eq!(other_shop.post(&t).await.0, 401);
    let signed = freekassa_paid("199", &fk_order.0, "1");
    let tampered = signed.text().replace("AMOUNT=199", "AMOUNT=1990");
    assert_eq!(
        signed.with_body(tampered.into_bytes()).post(&t).await.0,
        401
    );

    // Tribute: wrong key, no header.
    let tb = tribute_event(
        "new_subscription",
        user,
        19_900,
        "2026-11-21T10:00:00.000Z",
        1,
    );
    let tb = tribute(&tb);
    let other_key = hex_hmac(b"other", &tb.body);
    assert_eq!(
        tb.clone()
            .header("trbt-signature", &other_key)
            .post(&t)
            .await
            .0,
        401
    );
    assert_eq!(tb.unsigned().post(&t).await.0, 401);

    assert_eq!(
        t.user(user).await.expect("u").sub_end,
        None,
        "nothing credited by any of it"
    );
    for o in [&order, &fk_order] {
        assert_eq!(
            t.stack
                .app
                .store
                .get_order(o)
                .await
                .expect("s")
                .expect("o")
                .status,
            OrderStatus::Pending
        );
    }
    t.drain_outbox().await;
    let flagged = mentions(&t, -100300, "⚠️");
    assert_eq!(
        flagged, 3,
        "the unreadable body, the wrong amount and the unknown order are flagged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yookassa_trusts_only_its_addresses_and_its_api() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[]).await;
    let user = 4004;
    assert_eq!(
        t.update(&text_update(1, user, "Yana", "en", "/start"))
            .await,
        200
    );
    let order = start_payment(&t, &providers, user, "pay:1m:yookassa", 10).await;
    let payment_id = t
        .stack
        .app
        .store
        .get_order(&order)
        .await
        .expect("s")
        .expect("o")
        .provider_ref
        .expect("id");

    // The notification claims success, but the API says it is still pending.
    let (status, _) = yookassa_notification(&payment_id, "payment.succeeded")
        .post(&t)
        .await;
    assert_eq!(status, 200);
    assert_eq!(t.user(user).await.expect("u").sub_end, None);

    // The API is down: 5xx so YooKassa delivers again, then it works.
    providers.set_payment_status(&payment_id, "succeeded", false);
    providers.fail_next(
        Api::Yookassa,
        500,
        json!({"type": "error", "code": "internal_server_error"}),
    );
    let (status, _) = yookassa_notification(&payment_id, "payment.succeeded")
        .post(&t)
        .await;
    assert!(status >= 500, "{status}");
    assert_eq!(t.user(user).await.expect("u").sub_end, None);
    let (status, _) = yookassa_notification(&payment_id, "payment.succeeded")
        .post(&t)
        .await;
    assert_eq!(status, 200);
    assert_eq!(days_left(t.user(user).await.expect("u").sub_end), 30);

    // A cancelled payment cancels its order and tells the user.
    let second = start_payment(&t, &providers, user, "pay:3m:yookassa", 11).await;
    let second_id = t
        .stack
        .app
        .store
        .get_order(&second)
        .await
        .expect("s")
        .expect("o")
        .provider_ref
        .expect("id");
    providers.set_payment_status(&second_id, "canceled", false);
    assert_eq!(
        yookassa_notification(&second_id, "payment.canceled")
            .post(&t)
            .await
            .0,
        200
    );
    assert_eq!(
        t.stack
            .app
            .store
            .get_order(&second)
            .await
            .expect("s")
            .expect("o")
            .status,
        OrderStatus::Canceled
    );
    t.drain_outbox().await;
    assert!(t.telegram.sent_to(user).iter().any(|c| {
        c.body["text"]
            .as_str()
            .unwrap_or_default()
            .contains("canceled")
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yookassa_notifications_from_elsewhere_are_refused() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[("YOOKASSA_ALLOWED_IPS", "185.71.76.0/27")]).await;
    let (status, _) =
        yookassa_notification("2f0a7b1c-000f-5000-8000-1d2c3b4a5e6f", "payment.succeeded")
            .post(&t)
            .await;
    assert_eq!(status, 401);
    assert!(
        providers.requests_to(Api::Yookassa).is_empty(),
        "not even asked the API"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_up_the_balance_with_a_custom_amount_then_pay_from_it() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[]).await;
    let user = 4005;
    assert_eq!(
        t.update(&text_update(1, user, "Lida", "ru", "/start"))
            .await,
        200
    );
    assert_eq!(t.update(&callback_update(2, user, "topup", 1)).await, 200);
    assert_eq!(t.update(&callback_update(3, user, "tcustom", 1)).await, 200);
    assert_eq!(
        t.update(&text_update(4, user, "Lida", "ru", "5")).await,
        200
    );
    assert!(
        t.telegram.sent_to(user).pop().expect("refusal").body["text"]
            .as_str()
            .unwrap_or_default()
            .contains("от 50")
    );
    assert_eq!(t.update(&callback_update(5, user, "tcustom", 1)).await, 200);
    assert_eq!(
        t.update(&text_update(6, user, "Lida", "ru", "250 ₽")).await,
        200
    );
    let methods = t.telegram.sent_to(user).pop().expect("methods");
    let data: Vec<String> = methods.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r[0]["callback_data"].as_str().map(str::to_owned))
        .collect();
    assert!(data.contains(&"tpay:250:freekassa".to_owned()), "{data:?}");
    let order = start_payment(&t, &providers, user, "tpay:250:freekassa", 7).await;
    assert_eq!(
        pay(&t, &providers, "freekassa", &order, "250.00").await,
        (200, "YES".to_owned())
    );
    assert_eq!(t.user(user).await.expect("u").balance.0, 25_000);

    // 250 ₽ covers the month: pay from the balance.
    assert_eq!(
        t.update(&callback_update(8, user, "pay:1m:balance", 1))
            .await,
        200
    );
    let u = t.user(user).await.expect("u");
    assert_eq!(u.balance.0, 5_100);
    assert_eq!(days_left(u.sub_end), 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crypto_priced_invoices_use_the_exchange_rate() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(
        &providers,
        &[
            ("CRYPTOPAY_CURRENCY_TYPE", "crypto"),
            ("CRYPTOPAY_ASSET", "USDT"),
        ],
    )
    .await;
    let user = 4006;
    assert_eq!(
        t.update(&text_update(1, user, "Tim", "en", "/start")).await,
        200
    );
    let order = start_payment(&t, &providers, user, "pay:1m:cryptopay", 10).await;
    let created = providers
        .requests_to(Api::Cryptopay)
        .into_iter()
        .rev()
        .find(|r| r.path == "/createInvoice")
        .expect("invoice");
    assert_eq!(created.body["currency_type"], "crypto");
    assert_eq!(created.body["asset"], "USDT");
    assert_eq!(
        created.body["amount"], "2.09",
        "199 RUB at 95.5 RUB/USDT, rounded up to cents"
    );
    let o = t
        .stack
        .app
        .store
        .get_order(&order)
        .await
        .expect("s")
        .expect("o");
    assert_eq!(
        (o.amount.minor(), o.amount.currency()),
        (2_090_000_000, "USDT")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tribute_renewals_extend_and_cancellations_are_told_once() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[]).await;
    let user = 4007;
    assert_eq!(
        t.update(&text_update(1, user, "Nik", "en", "/start")).await,
        200
    );
    for (name, at) in [
        ("new_subscription", "2026-10-20T10:00:00.000Z"),
        ("renewed_subscription", "2026-11-20T10:00:00.000Z"),
    ] {
        let event = tribute(&tribute_event(name, user, 19_900, at, 4242));
        assert_eq!(event.post(&t).await.0, 200);
    }
    assert_eq!(days_left(t.user(user).await.expect("u").sub_end), 60);
    let cancel = tribute_event(
        "cancelled_subscription",
        user,
        19_900,
        "2026-11-25T10:00:00.000Z",
        4242,
    );
    let cancel = tribute(&cancel);
    for _ in 0..3 {
        assert_eq!(cancel.post(&t).await.0, 200);
    }
    assert_eq!(
        days_left(t.user(user).await.expect("u").sub_end),
        60,
        "a cancellation keeps the paid time"
    );
    t.drain_outbox().await;
    let told = t
        .telegram
        .sent_to(user)
        .into_iter()
        .filter(|c| {
            c.body["text"]
                .as_str()
                .unwrap_or_default()
                .contains("cancelled")
        })
        .count();
    assert_eq!(told, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_own_storage_failure_answers_5xx_so_the_provider_retries() {
    let providers = FakeProviders::start().await;
    let t = TestStack::shop(&providers, &[]).await;
    // The same function wiring, but its table is gone.
    let mut broken =
        shared::adapters::app::App::new(t.stack.app.config.clone(), &t.stack.aws).expect("app");
    broken.store =
        shared::adapters::store::Store::new(t.stack.app.store.client().clone(), "missing-table");
    let body = tribute_event(
        "new_subscription",
        4008,
        19_900,
        "2026-11-20T10:00:00.000Z",
        5,
    );
    let event = tribute(&body);
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "trbt-signature",
        event.headers[0].1.parse().expect("header"),
    );
    let req = shared::adapters::http::HttpRequest {
        method: http::Method::POST,
        path: "/pay/tribute".into(),
        query: String::new(),
        headers,
        body: event.body.into(),
        source_ip: None,
    };
    let resp = shared::domains::money::payhooks::tribute(&broken, req).await;
    assert_eq!(resp.status.as_u16(), 500);
}
