//! Buying with Telegram Stars and the in-bot balance, end to end.

use e2e::signed::{Payer, pre_checkout_query, successful_payment_by};
use e2e::story::{buttons, mentions};
use e2e::{TestStack, callback_update, text_update};
use serde_json::Value;
use shared::adapters::pay::OrderId;
use shared::base::types::TelegramId;
use shared::domains::money::orders::OrderStatus;

const STARS: &[(&str, &str)] = &[
    ("STARS_ENABLED", "true"),
    ("STARS_PRICE_1_MONTH", "150"),
    ("STARS_PRICE_3_MONTHS", "400"),
    ("RUB_PRICE_3_MONTHS", "499"),
    ("LOG_CHAT_ID", "-100200"),
];

/// The buyers of this file: named Buyer, speaking English.
fn buyer(id: i64) -> Payer<'static> {
    Payer {
        id,
        name: "Buyer",
        lang: "en",
    }
}

/// Opens the bot, picks a period and Stars; returns the invoice's order id.
async fn order_with_stars(t: &TestStack, user: i64, period: &str, base: i64) -> String {
    assert_eq!(
        t.update(&text_update(base, user, "Buyer", "en", "/start"))
            .await,
        200
    );
    let menu = t.telegram.sent_to(user).pop().expect("menu");
    assert!(
        buttons(&menu).contains(&"buy".to_owned()),
        "menu offers buying"
    );
    assert_eq!(
        t.update(&callback_update(base + 1, user, "buy", 1)).await,
        200
    );
    let plans = t.telegram.calls_of("editMessageText").pop().expect("plans");
    assert!(
        buttons(&plans).contains(&format!("plan:{period}")),
        "{:?}",
        buttons(&plans)
    );
    assert_eq!(
        t.update(&callback_update(
            base + 2,
            user,
            &format!("plan:{period}"),
            1
        ))
        .await,
        200
    );
    let methods = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("methods");
    assert!(buttons(&methods).contains(&format!("pay:{period}:stars")));
    assert_eq!(
        t.update(&callback_update(
            base + 3,
            user,
            &format!("pay:{period}:stars"),
            1
        ))
        .await,
        200
    );
    let invoice = t
        .telegram
        .calls_of("sendInvoice")
        .pop()
        .expect("invoice sent");
    assert_eq!(invoice.body["currency"], "XTR");
    assert_eq!(invoice.body["chat_id"], user);
    invoice.body["payload"]
        .as_str()
        .expect("payload")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_buys_a_month_with_stars_and_is_told_once() {
    let t = TestStack::start(STARS).await;
    let payload = order_with_stars(&t, 3001, "1m", 10).await;
    let invoice = t.telegram.calls_of("sendInvoice").pop().expect("invoice");
    assert_eq!(invoice.body["prices"][0]["amount"], 150);

    assert_eq!(
        t.update(&pre_checkout_query(20, 3001, &payload, 150)).await,
        200
    );
    let answer = t
        .telegram
        .calls_of("answerPreCheckoutQuery")
        .pop()
        .expect("answered");
    assert_eq!(answer.body["ok"], true, "{answer:?}");

    let before = shared::base::clock::now();
    assert_eq!(
        t.update(&successful_payment_by(
            21,
            buyer(3001),
            &payload,
            150,
            "charge-3001-a"
        ))
        .await,
        200
    );
    let user = t.user(3001).await.expect("buyer");
    let end = user.sub_end.expect("subscribed");
    assert!(
        (before + 30 * 86_400..=shared::base::clock::now() + 30 * 86_400).contains(&end),
        "30 days from now"
    );

    let order = t
        .stack
        .app
        .store
        .get_order(&OrderId(payload.clone()))
        .await
        .expect("store")
        .expect("order");
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.provider_ref.as_deref(), Some("charge-3001-a"));
    let (ledger, _) = t
        .stack
        .app
        .store
        .ledger_page(TelegramId(3001), None, 10)
        .await
        .expect("ledger");
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].kind, "purchase");
    assert_eq!(
        ledger[0].amount.as_ref().map(|m| (m.minor(), m.currency())),
        Some((150, "XTR"))
    );

    // The same payment message re-delivered, and a forged second charge for the same order.
    assert_eq!(
        t.update(&successful_payment_by(
            21,
            buyer(3001),
            &payload,
            150,
            "charge-3001-a"
        ))
        .await,
        200
    );
    assert_eq!(
        t.update(&successful_payment_by(
            22,
            buyer(3001),
            &payload,
            150,
            "charge-3001-a"
        ))
        .await,
        200
    );
    assert_eq!(
        t.user(3001).await.expect("buyer").sub_end,
        Some(end),
        "credited once"
    );

    t.drain_outbox().await;
    let told: Vec<_> = t
        .telegram
        .sent_to(3001)
        .into_iter()
        .filter(|c| {
            c.body["text"]
                .as_str()
                .unwrap_or_default()
                .contains("Payment received")
        })
        .collect();
    assert_eq!(told.len(), 1, "the user is told once");
    let payment_lines = t
        .telegram
        .sent_to(-100200)
        .into_iter()
        .filter(|c| c.body["text"].as_str().unwrap_or_default().contains("💰"))
        .count();
    assert_eq!(payment_lines, 1, "one payment line in the admin log");
    // A paid order cannot be paid again.
    assert_eq!(
        t.update(&pre_checkout_query(23, 3001, &payload, 150)).await,
        200
    );
    assert_eq!(
        t.telegram
            .calls_of("answerPreCheckoutQuery")
            .pop()
            .expect("answer")
            .body["ok"],
        false
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_deliveries_of_one_stars_payment_credit_once() {
    let t = TestStack::start(STARS).await;
    let payload = order_with_stars(&t, 3002, "3m", 10).await;
    let deliveries: Vec<Value> = (0..50)
        .map(|i| successful_payment_by(100 + i, buyer(3002), &payload, 400, "charge-3002"))
        .collect();
    let statuses = futures::future::join_all(deliveries.iter().map(|u| t.update(u))).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let user = t.user(3002).await.expect("buyer");
    let days = (user.sub_end.expect("subscribed") - shared::base::clock::now() + 60) / 86_400;
    assert_eq!(days, 90, "exactly one quarter credited");
    let (ledger, _) = t
        .stack
        .app
        .store
        .ledger_page(TelegramId(3002), None, 100)
        .await
        .expect("ledger");
    assert_eq!(ledger.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_checkout_refuses_mismatched_and_unknown_orders() {
    let t = TestStack::start(STARS).await;
    let payload = order_with_stars(&t, 3003, "1m", 10).await;
    for (i, (user, payload, amount)) in [
        (3003, payload.as_str(), 149),                   // wrong amount
        (3999, payload.as_str(), 150),                   // someone else's order
        (3003, "0000000000000000000000000000dead", 150), // unknown order
        (3003, "order:1001", 150),                       // not our payload shape
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(
            t.update(&pre_checkout_query(30 + i as i64, user, payload, amount))
                .await,
            200
        );
        let answer = t
            .telegram
            .calls_of("answerPreCheckoutQuery")
            .pop()
            .expect("answered");
        assert_eq!(answer.body["ok"], false, "case {i}");
        assert!(
            answer.body["error_message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // A payment that arrives anyway for a wrong amount is not credited and is flagged.
    assert_eq!(
        t.update(&successful_payment_by(
            40,
            buyer(3003),
            &payload,
            149,
            "charge-bad"
        ))
        .await,
        200
    );
    assert_eq!(t.user(3003).await.expect("u").sub_end, None);
    t.drain_outbox().await;
    let flagged = mentions(&t, -100200, "⚠️");
    assert_eq!(flagged, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_from_the_balance_debits_atomically_and_never_overdraws() {
    let t = TestStack::start(&[
        ("RUB_PRICE_3_MONTHS", "499"),
        ("STARS_ENABLED", "true"),
        ("STARS_PRICE_1_MONTH", "150"),
    ])
    .await;
    assert_eq!(
        t.update(&text_update(1, 3101, "Saver", "ru", "/start"))
            .await,
        200
    );
    // Too little balance: the method is not offered, and forcing it is refused.
    t.stack
        .app
        .store
        .add_balance(TelegramId(3101), 30_000)
        .await
        .expect("balance");
    assert_eq!(t.update(&callback_update(2, 3101, "plan:3m", 1)).await, 200);
    let methods = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("methods");
    assert!(!buttons(&methods).iter().any(|b| b.starts_with("payb:3m:")));
    assert_eq!(
        t.update(&callback_update(3, 3101, "pay:3m:balance", 1))
            .await,
        200
    );
    assert_eq!(
        t.user(3101).await.expect("u").balance.0,
        30_000,
        "nothing debited"
    );
    assert_eq!(t.user(3101).await.expect("u").sub_end, None);

    // Enough for exactly one purchase; two presses race.
    t.stack
        .app
        .store
        .add_balance(TelegramId(3101), 19_900)
        .await
        .expect("balance");
    assert_eq!(t.update(&callback_update(4, 3101, "plan:1m", 1)).await, 200);
    assert!(
        buttons(&t.telegram.calls_of("editMessageText").pop().expect("m"))
            .iter()
            .any(|b| b.starts_with("payb:1m:0_"))
    );
    let (first, second) = (
        callback_update(5, 3101, "pay:3m:balance", 1),
        callback_update(6, 3101, "pay:3m:balance", 1),
    );
    let (a, b) = tokio::join!(t.update(&first), t.update(&second));
    assert_eq!((a, b), (200, 200));
    let user = t.user(3101).await.expect("u");
    assert_eq!(user.balance.0, 0, "499 ₽ debited once");
    let days = (user.sub_end.expect("subscribed") - shared::base::clock::now() + 60) / 86_400;
    assert_eq!(days, 90);
    let (ledger, _) = t
        .stack
        .app
        .store
        .ledger_page(TelegramId(3101), None, 10)
        .await
        .expect("ledger");
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        ledger[0].provider,
        Some(shared::base::types::Provider::Balance)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inviter_gets_bonus_days_when_the_friend_pays() {
    let mut settings = STARS.to_vec();
    settings.extend([
        ("REFERRAL_BONUS_DAYS_1_MONTH", "7"),
        ("REFEREE_BONUS_DAYS_1_MONTH", "3"),
    ]);
    let t = TestStack::start(&settings).await;
    assert_eq!(
        t.update(&text_update(1, 3201, "Inviter", "en", "/start"))
            .await,
        200
    );
    let code = t.user(3201).await.expect("inviter").ref_code;
    assert_eq!(
        t.update(&text_update(
            2,
            3202,
            "Friend",
            "en",
            &format!("/start ref_{code}")
        ))
        .await,
        200
    );
    let payload = order_with_stars(&t, 3202, "1m", 10).await;
    assert_eq!(
        t.update(&successful_payment_by(
            20,
            buyer(3202),
            &payload,
            150,
            "charge-3202"
        ))
        .await,
        200
    );

    let now = shared::base::clock::now();
    let friend_days = (t.user(3202).await.expect("f").sub_end.expect("sub") - now + 60) / 86_400;
    assert_eq!(friend_days, 33, "30 days plus the invitee's 3");
    // The inviter's side is granted by the jobs worker, after the webhook.
    assert_eq!(t.user(3201).await.expect("i").sub_end, None);
    t.drain_jobs().await;
    t.drain_jobs().await;
    let inviter_days = (t.user(3201).await.expect("i").sub_end.expect("bonus") - now + 60) / 86_400;
    assert_eq!(inviter_days, 7);

    // One bonus per invitee: the second purchase gives the inviter nothing.
    let second = order_with_stars(&t, 3202, "1m", 30).await;
    assert_eq!(
        t.update(&successful_payment_by(
            40,
            buyer(3202),
            &second,
            150,
            "charge-3202-b"
        ))
        .await,
        200
    );
    t.drain_jobs().await;
    let inviter_days = (t.user(3201).await.expect("i").sub_end.expect("bonus") - now + 60) / 86_400;
    assert_eq!(inviter_days, 7);
    t.drain_outbox().await;
    assert!(t.telegram.sent_to(3201).iter().any(|c| {
        c.body["text"]
            .as_str()
            .unwrap_or_default()
            .contains("bonus")
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_refund_a_stars_payment_and_it_is_recorded() {
    let mut settings = STARS.to_vec();
    settings.push(("ADMIN_IDS", "3399"));
    let t = TestStack::start(&settings).await;
    let payload = order_with_stars(&t, 3301, "1m", 10).await;
    assert_eq!(
        t.update(&successful_payment_by(
            20,
            buyer(3301),
            &payload,
            150,
            "charge-3301"
        ))
        .await,
        200
    );
    // Not an admin: /refund is just text.
    assert_eq!(
        t.update(&text_update(
            21,
            3301,
            "Buyer",
            "en",
            &format!("/refund {payload}")
        ))
        .await,
        200
    );
    assert!(t.telegram.calls_of("refundStarPayment").is_empty());

    assert_eq!(
        t.update(&text_update(
            22,
            3399,
            "Admin",
            "en",
            &format!("/refund {payload}")
        ))
        .await,
        200
    );
    let refund = t
        .telegram
        .calls_of("refundStarPayment")
        .pop()
        .expect("refund asked");
    assert_eq!(refund.body["user_id"], 3301);
    assert_eq!(refund.body["telegram_payment_charge_id"], "charge-3301");
    let order = t
        .stack
        .app
        .store
        .get_order(&OrderId(payload.clone()))
        .await
        .expect("s")
        .expect("o");
    assert_eq!(order.status, OrderStatus::Refunded);
    assert!(
        t.user(3301).await.expect("u").sub_end.expect("end") <= shared::base::clock::now() + 60,
        "days taken back"
    );
    let (ledger, _) = t
        .stack
        .app
        .store
        .ledger_page(TelegramId(3301), None, 10)
        .await
        .expect("ledger");
    assert_eq!(ledger[0].kind, "refund");
    // Twice is refused.
    assert_eq!(
        t.update(&text_update(
            23,
            3399,
            "Admin",
            "en",
            &format!("/refund {payload}")
        ))
        .await,
        200
    );
    assert_eq!(t.telegram.calls_of("refundStarPayment").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_pages_through_the_ledger() {
    let mut settings = STARS.to_vec();
    settings.push(("RATE_LIMIT_ENABLED", "false"));
    let t = TestStack::start(&settings).await;
    for i in 0..7 {
        let payload = order_with_stars(&t, 3401, "1m", 100 * (i + 1)).await;
        assert_eq!(
            t.update(&successful_payment_by(
                100 * (i + 1) + 50,
                buyer(3401),
                &payload,
                150,
                &format!("ch-{i}")
            ))
            .await,
            200
        );
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    assert_eq!(t.update(&callback_update(5000, 3401, "hist", 1)).await, 200);
    let first = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("page 1");
    let more: Vec<String> = buttons(&first)
        .into_iter()
        .filter(|d| d.starts_with("hist:"))
        .collect();
    assert_eq!(
        first.body["text"]
            .as_str()
            .unwrap_or_default()
            .matches("subscription")
            .count(),
        5
    );
    assert_eq!(more.len(), 1, "a button to older rows");
    assert_eq!(
        t.update(&callback_update(5001, 3401, &more[0], 1)).await,
        200
    );
    let second = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("page 2");
    assert_eq!(
        second.body["text"]
            .as_str()
            .unwrap_or_default()
            .matches("subscription")
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_webhook_validation_a_posted_payment_moves_no_money() {
    let mut settings = STARS.to_vec();
    settings.push(("WEBHOOK_VALIDATION_ENABLED", "false"));
    let t = TestStack::start(&settings).await;
    let payload = order_with_stars(&t, 3501, "1m", 10).await;
    // Anyone can post to an unvalidated webhook: a forged payment message.
    let forged = successful_payment_by(20, buyer(3501), &payload, 150, "charge-forged");
    assert_eq!(
        t.post_telegram_raw(forged.to_string().as_bytes(), None)
            .await,
        200
    );
    assert_eq!(t.user(3501).await.expect("u").sub_end, None);
    let order = t
        .stack
        .app
        .store
        .get_order(&OrderId(payload))
        .await
        .expect("s")
        .expect("o");
    assert_eq!(order.status, OrderStatus::Pending);
}
