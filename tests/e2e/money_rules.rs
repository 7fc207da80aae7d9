//! The money rules a hostile user or an unlucky operator tried to break,
//! end to end over the local stack: an amount keeps its unit (a top-up
//! paid in USDT credits the rubles asked for), a promo discount buys one
//! order, a second payment of a paid order is never lost, and payments
//! imported from the old bot stay ours (refunds and late notices find them,
//! the inviter is not rewarded twice).

use e2e::fake_providers::Api;
use e2e::fake_providers::FakeProviders;
use e2e::shop::{
    Settings, YOOKASSA_SHOP_ID, business_settings, cryptopay_settings, freekassa_settings,
    referral_settings, with_extra, yookassa_settings,
};
use e2e::signed::{
    Payer, Priced, Webhook, cryptopay_paid, freekassa_paid, pre_checkout_query_by,
    successful_payment_by, yookassa_payment, yookassa_refund,
};
use e2e::story::order;
use e2e::{TestStack, callback_update, story, text_update};
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::adapters::pay::OrderId;
use shared::adapters::store::imports::{ImportRecord, ImportedUser};
use shared::base::clock::now;
use shared::base::money::{Kopecks, Money};
use shared::base::types::{Lang, Period, Provider, TelegramId};
use shared::domains::money::orders::{
    CreditOutcome, HistoricalPayment, Order, OrderStatus, Payment, Purchase,
};

const DAY: i64 = 86_400;
const ADMIN: i64 = 9100;
const LOG_CHAT: i64 = -100_910;

async fn shop(p: &FakeProviders, extra: &[(&str, &str)]) -> TestStack {
    let mut settings: Settings = business_settings(LOG_CHAT, ADMIN);
    settings.extend(referral_settings());
    settings.extend([
        ("STARS_ENABLED", "true".into()),
        ("STARS_PRICE_1_MONTH", "150".into()),
    ]);
    settings.extend(cryptopay_settings(p));
    settings.extend(yookassa_settings(p));
    settings.extend(freekassa_settings());
    TestStack::start(&with_extra(&settings, extra)).await
}

async fn start(t: &TestStack, update_id: i64, user: i64) {
    story::start(t, update_id, user, "Vera", "en").await;
}

fn last_screen_text(t: &TestStack) -> String {
    story::text(&story::last_screen(t))
}

/// A Crypto Pay `invoice_paid` for an invoice priced in `asset`.
fn cryptopay_paid_in(invoice: u64, asset: &str, amount: &str, order: &OrderId) -> Webhook {
    cryptopay_paid(
        &order.0,
        invoice,
        Priced::Crypto(asset),
        amount,
        invoice * 10 + 7,
    )
}

async fn ledger(t: &TestStack, user: i64) -> Vec<(String, Option<Money>, Option<u32>)> {
    story::ledger(t, user)
        .await
        .into_iter()
        .map(|r| (r.kind, r.amount, r.days))
        .collect()
}

/// Lines the admin log chat got containing `needle` (the outbox delivered).
async fn logged(t: &TestStack, needle: &str) -> usize {
    t.drain_jobs().await;
    t.drain_outbox().await;
    story::mentions(t, LOG_CHAT, needle)
}

fn close(a: i64, b: i64) -> bool {
    (a - b).abs() < 120
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_top_up_paid_in_usdt_credits_the_rubles_asked_for() {
    let p = FakeProviders::start().await;
    let t = shop(
        &p,
        &[
            ("CRYPTOPAY_CURRENCY_TYPE", "crypto"),
            ("CRYPTOPAY_ASSET", "USDT"),
        ],
    )
    .await;
    let user = 7101;
    start(&t, 1, user).await;

    // 100 ₽ at 95.5 ₽ per USDT is 1.0471… USDT: invoiced as 1.05 USDT.
    let id = story::press_pay(&t, &p, user, "tpay:100:cryptopay", 2).await;
    let invoice = p
        .requests_to(Api::Cryptopay)
        .into_iter()
        .rev()
        .find(|r| r.path == "/createInvoice")
        .expect("invoice");
    assert_eq!(invoice.body["asset"], "USDT");
    assert_eq!(invoice.body["amount"], "1.05");
    assert!(
        last_screen_text(&t).contains("1.05 USDT"),
        "the screen shows what is charged: {}",
        last_screen_text(&t)
    );
    let o = order(&t, &id).await;
    assert_eq!(o.purchase, Purchase::TopUp(Kopecks(10_000)));
    assert_eq!(o.amount.to_string(), "1.05 USDT");
    let quote = o.quote.clone().expect("the quote is on the order");
    assert_eq!(
        (quote.rub, quote.rate.text()),
        (Kopecks(10_000), "95.5".to_owned())
    );

    // The payment arrives twice.
    let invoice_id: u64 = o.provider_ref.expect("invoice id").parse().expect("n");
    for _ in 0..2 {
        let paid = cryptopay_paid_in(invoice_id, "USDT", "1.05", &id);
        assert_eq!(paid.post(&t).await.0, 200);
    }
    t.drain_jobs().await;
    t.drain_outbox().await;
    let u = t.user(user).await.expect("u");
    assert_eq!(
        u.balance,
        Kopecks(10_000),
        "100 ₽, not the asset's minor units"
    );
    assert_eq!(
        ledger(&t, user).await,
        vec![("topup".to_owned(), Some(Money::rub(Kopecks(10_000))), None)]
    );
    assert!(
        t.telegram.sent_to(user).iter().any(|c| {
            let text = c.body["text"].as_str().unwrap_or_default();
            text.contains("100 ₽") && text.contains("balance")
        }),
        "the user is told the rubles credited"
    );

    // Paid in another asset, or in less USDT: not credited, recorded.
    let other = story::press_pay(&t, &p, user, "tpay:100:cryptopay", 3).await;
    let invoice2: u64 = order(&t, &other)
        .await
        .provider_ref
        .expect("i")
        .parse()
        .expect("n");
    let paid = cryptopay_paid_in(invoice2, "TON", "1.05", &other);
    assert_eq!(paid.post(&t).await.0, 200);
    assert_eq!(t.user(user).await.expect("u").balance, Kopecks(10_000));
    assert_eq!(order(&t, &other).await.status, OrderStatus::Pending);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discount_is_reserved_by_one_order_and_used_once() {
    let p = FakeProviders::start().await;
    let t = shop(&p, &[]).await;
    let user = 7201;
    assert_eq!(
        t.update(&text_update(
            1,
            ADMIN,
            "Admin",
            "en",
            "/promo_new HALF discount 50"
        ))
        .await,
        200
    );
    assert_eq!(
        t.update(&text_update(2, user, "Vera", "en", "/start promo_half"))
            .await,
        200
    );
    assert_eq!(
        t.user(user).await.expect("u").discount.map(|d| d.percent),
        Some(50)
    );

    // Two links at half price: the second takes the discount from the first.
    let month = story::press_pay(&t, &p, user, "pay:1m:freekassa", 3).await;
    assert!(last_screen_text(&t).contains("reserved for this payment"));
    let quarter = story::press_pay(&t, &p, user, "pay:3m:freekassa", 4).await;
    assert!(
        last_screen_text(&t).contains("no longer has it"),
        "the screen says the discount moved"
    );
    assert_eq!(order(&t, &month).await.amount, Money::rub(Kopecks(9_950)));
    assert_eq!(
        order(&t, &quarter).await.amount,
        Money::rub(Kopecks(24_950))
    );

    // The quarter is paid: it holds the discount and uses it up.
    assert_eq!(
        freekassa_paid("249.50", &quarter.0, "fk-q1")
            .post(&t)
            .await
            .0,
        200
    );
    let u = t.user(user).await.expect("u");
    assert!(close(u.sub_end.expect("paid"), now() + 90 * DAY));
    assert_eq!(u.discount, None, "used up");

    // The month's old link is paid at half price too: no second plan at
    // half price; the 99.50 ₽ go to the balance, and the admins are told.
    assert_eq!(
        freekassa_paid("99.50", &month.0, "fk-m1").post(&t).await.0,
        200
    );
    t.drain_jobs().await;
    let u = t.user(user).await.expect("u");
    assert!(
        close(u.sub_end.expect("paid"), now() + 90 * DAY),
        "no days for it"
    );
    assert_eq!(u.balance, Kopecks(9_950));
    let m = order(&t, &month).await;
    assert_eq!(
        (m.status, m.purchase),
        (OrderStatus::Paid, Purchase::TopUp(Kopecks(9_950)))
    );
    assert!(m.discount_lost);
    assert!(logged(&t, "no longer held").await >= 1);
    let kinds: Vec<String> = ledger(&t, user).await.into_iter().map(|r| r.0).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "purchase").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "topup").count(), 1);

    // A new discount, an order that holds it, paid after its hold ran out:
    // the rubles go to the balance, the discount stays for a new order.
    assert_eq!(
        t.update(&text_update(
            5,
            ADMIN,
            "Admin",
            "en",
            "/promo_new TENOFF discount 10"
        ))
        .await,
        200
    );
    assert_eq!(
        t.update(&text_update(6, user, "Vera", "en", "/start promo_tenoff"))
            .await,
        200
    );
    let late = story::press_pay(&t, &p, user, "pay:1m:freekassa", 7).await;
    let late_order = order(&t, &late).await;
    assert_eq!(late_order.amount, Money::rub(Kopecks(17_910)));
    let store = &t.stack.app.store;
    let config = &t.stack.app.config;
    let paid = Payment {
        order: late.clone(),
        amount: late_order.amount.clone(),
        provider_ref: "fk-late".into(),
    };
    let outcome = shared::domains::money::orders::credit(store, config, &paid, now() + 11 * 60)
        .await
        .expect("credit");
    let CreditOutcome::Credited(credit) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(credit.order.purchase, Purchase::TopUp(Kopecks(17_910)));
    let u = t.user(user).await.expect("u");
    assert_eq!(u.balance, Kopecks(9_950 + 17_910));
    assert_eq!(
        u.discount.map(|d| d.percent),
        Some(10),
        "not used by a late payment"
    );

    // Stars: an invoice whose discount moved is refused before paying.
    assert_eq!(
        t.update(&callback_update(8, user, "pay:1m:stars", 1)).await,
        200
    );
    let invoice = t.telegram.calls_of("sendInvoice").pop().expect("invoice");
    assert_eq!(invoice.body["prices"][0]["amount"], 135);
    let stars_order = invoice.body["payload"]
        .as_str()
        .expect("payload")
        .to_owned();
    let _moved = story::press_pay(&t, &p, user, "pay:1m:freekassa", 9).await;
    let vera = Payer {
        id: user,
        name: "Vera",
        lang: "en",
    };
    let pre = pre_checkout_query_by(10, vera, &stars_order, 135);
    assert_eq!(t.update(&pre).await, 200);
    let answer = t
        .telegram
        .calls_of("answerPreCheckoutQuery")
        .pop()
        .expect("answered");
    assert_eq!(answer.body["ok"], false, "{}", answer.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_payment_of_a_paid_order_is_credited_as_its_own_order() {
    let p = FakeProviders::start().await;
    let t = shop(&p, &[]).await;
    let user = 7301;
    start(&t, 1, user).await;
    let id = story::press_pay(&t, &p, user, "pay:1m:freekassa", 2).await;

    // Paid, and the notification delivered twice.
    for _ in 0..2 {
        assert_eq!(
            freekassa_paid("199", &id.0, "fk-first").post(&t).await.0,
            200
        );
    }
    t.drain_jobs().await;
    let first_end = t.user(user).await.expect("u").sub_end.expect("paid");
    assert!(close(first_end, now() + 30 * DAY));

    // The same form paid again: another FreeKassa payment, same order id.
    for _ in 0..2 {
        assert_eq!(
            freekassa_paid("199", &id.0, "fk-second").post(&t).await.0,
            200
        );
    }
    t.drain_jobs().await;
    let u = t.user(user).await.expect("u");
    assert_eq!(u.sub_end, Some(first_end + 30 * DAY), "credited once more");
    let first = order(&t, &id).await;
    assert_eq!(first.provider_ref.as_deref(), Some("fk-first"));
    let second = first.second_payment("fk-second", now());
    let second = order(&t, &second.id).await;
    assert_eq!(
        (second.status, second.provider_ref.as_deref(), second.user),
        (OrderStatus::Paid, Some("fk-second"), TelegramId(user))
    );
    let purchases = ledger(&t, user)
        .await
        .into_iter()
        .filter(|r| r.0 == "purchase")
        .count();
    assert_eq!(purchases, 2);
    assert_eq!(
        logged(&t, "second payment fk-second").await,
        1,
        "the admins see it once"
    );

    // A third payment of another amount: recorded for a refund, not credited.
    assert_eq!(
        freekassa_paid("50", &id.0, "fk-third").post(&t).await.0,
        200
    );
    assert_eq!(t.user(user).await.expect("u").sub_end, u.sub_end);
    assert!(logged(&t, "fk-third").await >= 1);

    // Refunded, then paid again: a new payment, credited as its own order.
    let refunded = shared::domains::money::orders::refund_order(&t.stack.app.store, &id, now())
        .await
        .expect("refund");
    assert!(matches!(
        refunded,
        shared::domains::money::orders::Refund::Done { .. }
    ));
    let before = t.user(user).await.expect("u").sub_end.expect("days");
    assert_eq!(
        freekassa_paid("199", &id.0, "fk-fourth").post(&t).await.0,
        200
    );
    assert_eq!(
        t.user(user).await.expect("u").sub_end,
        Some(before + 30 * DAY)
    );
}

/// The old bot's user: paid one month by YooKassa (payment `yk-old-1`),
/// invited by `inviter`; imported with that payment.
async fn import_paying_invitee(t: &TestStack, user: i64, inviter: i64, end: i64) -> OrderId {
    let store = &t.stack.app.store;
    let paid_at = now() - 5 * DAY;
    let mut o = Order::new(
        TelegramId(user),
        Purchase::Plan(Period::OneMonth),
        Money::rub(Kopecks(19_900)),
        Provider::Yookassa,
        paid_at,
    );
    o.id = OrderId(hex::encode(&Sha256::digest(b"rules:payment:1")[..16]));
    o.status = OrderStatus::Paid;
    o.provider_ref = Some("yk-old-1".into());
    o.granted_days = Some(30);
    let historical = HistoricalPayment {
        order: o.clone(),
        paid_at,
        source: "remnawave-tg-shop:payment:1".into(),
        merchant_order: None,
    };
    let records = vec![
        ImportRecord {
            kind: "payments",
            writes: store.historical_payment_writes(&historical).expect("w"),
        },
        ImportRecord {
            kind: "provider_refs",
            writes: vec![
                store
                    .provider_ref_write("yookassa", "yk-old-1", &o.id.0, TelegramId(user))
                    .expect("w"),
            ],
        },
    ];
    let imported = ImportedUser {
        id: TelegramId(user),
        first_name: Some("Lev".into()),
        last_name: None,
        username: None,
        lang: Lang::En,
        created_at: now() - 40 * DAY,
        banned: false,
        referrer: Some(TelegramId(inviter)),
        campaign: None,
        balance: Kopecks(0),
        sub_end: Some(end),
        trial_used: None,
        panel_uuid: None,
        sub_url: None,
        source: "remnawave-tg-shop".into(),
        plans_paid: 1,
        first_paid_at: Some(paid_at),
        packs: 0,
        discount: None,
        campaign_trial: false,
    };
    store
        .import_user(&imported, records, now())
        .await
        .expect("imported");
    o.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_payments_are_refunded_recognised_and_not_rewarded_twice() {
    let p = FakeProviders::start().await;
    let t = shop(&p, &[]).await;
    let (inviter, user) = (7401, 7402);
    start(&t, 1, inviter).await;
    let end = now() + 45 * DAY;
    let imported = import_paying_invitee(&t, user, inviter, end).await;
    let inviter_end = t.user(inviter).await.expect("i").sub_end;

    // The old bot's YooKassa payment (its metadata, not ours).
    p.insert_payment(json!({
        "id": "yk-old-1", "status": "succeeded", "paid": true,
        "amount": {"value": "199.00", "currency": "RUB"},
        "metadata": {"user_id": user.to_string(), "payment_db_id": "1"},
        "recipient": {"account_id": YOOKASSA_SHOP_ID, "gateway_id": "100500"},
        "created_at": "2026-12-01T08:00:00.000Z", "refundable": true, "test": true,
        "payment_method": {"type": "bank_card", "id": "yk-old-1", "saved": false}
    }));
    // A late success notification: recognised as already credited.
    let late = yookassa_payment("yk-old-1", "payment.succeeded", "succeeded", "199.00");
    assert_eq!(late.post(&t).await.0, 200);
    t.drain_jobs().await;
    assert_eq!(
        t.user(user).await.expect("u").sub_end,
        Some(end),
        "no days twice"
    );

    // The operator refunds it in YooKassa: the 30 days go, the log says so.
    p.insert_refund(json!({
        "id": "rf-old-1", "payment_id": "yk-old-1", "status": "succeeded",
        "amount": {"value": "199.00", "currency": "RUB"}, "created_at": "2026-12-02T09:00:00.000Z"
    }));
    let refund = yookassa_refund("rf-old-1", "yk-old-1", "199.00");
    for _ in 0..2 {
        assert_eq!(refund.post(&t).await.0, 200);
    }
    assert_eq!(order(&t, &imported).await.status, OrderStatus::Refunded);
    assert_eq!(
        t.user(user).await.expect("u").sub_end,
        Some(end - 30 * DAY),
        "the days it granted, once"
    );
    assert!(
        logged(&t, &imported.0).await >= 1,
        "the log chat hears of it"
    );
    assert_eq!(logged(&t, "unknown order").await, 0);

    // A payment here is not the invitee's first: no reward, no referee bonus.
    let payload = story::press_stars(&t, user, "pay:1m:stars", 5).await;
    let lev = Payer {
        id: user,
        name: "Lev",
        lang: "en",
    };
    let paid = successful_payment_by(6, lev, &payload.0, 150, "ch-rules-1");
    assert_eq!(t.update(&paid).await, 200);
    t.drain_jobs().await;
    let u = t.user(user).await.expect("u");
    assert_eq!(
        u.sub_end,
        Some(end - 30 * DAY + 30 * DAY),
        "30 days, no referee bonus"
    );
    assert_eq!(
        t.user(inviter).await.expect("i").sub_end,
        inviter_end,
        "no second reward"
    );
}
