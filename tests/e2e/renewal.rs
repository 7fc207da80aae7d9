//! Auto-renewal with saved YooKassa cards, end to end with a controllable
//! clock: a card payment saves the card; a day before the end the user is
//! told it will be charged; an hour before the end it is charged once
//! however often the renewal is triggered (repeated scheduler runs,
//! duplicated deliveries: one payment, one idempotence key, one extension);
//! a declined card is retried once the next day, then the ordinary notices
//! take over; a revoked card is forgotten; "My cards" lists, switches,
//! deletes and turns auto-renewal off.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::fake_providers::{Api, FakeProviders};
use e2e::fake_telegram::Call;
use e2e::shop::{Settings, with_extra, yookassa_settings};
use e2e::signed::yookassa_payment;
use e2e::story::{
    buttons as callback_data, ends_at, forget_cursor, order as order_of, press_pay, provider_ref,
    register, run_at, text as text_of, texts_to,
};
use e2e::{TestStack, callback_update, telegram_request};
use serde_json::json;
use shared::adapters::jobs::{Job, enqueue_jobs};
use shared::adapters::pay::OrderId;
use shared::base::callback::device_key;
use shared::base::types::{Period, TelegramId};
use shared::domains::money::orders::OrderStatus;
use shared::domains::renewal::charge::{LEAD_SECS, order_id};
use shared::domains::schedule::tick;
use std::collections::BTreeSet;
use std::sync::Arc;

const DAY: i64 = 86_400;

async fn stack(providers: &FakeProviders) -> TestStack {
    stack_with(providers, &[]).await
}

async fn stack_with(providers: &FakeProviders, extra: &[(&str, &str)]) -> TestStack {
    let mut settings: Settings = vec![
        ("RUB_PRICE_1_MONTH", "199".into()),
        ("RUB_PRICE_3_MONTHS", "499".into()),
        ("RATE_LIMIT_ENABLED", "false".into()),
    ];
    settings.extend(yookassa_settings(providers));
    settings.extend([
        ("YOOKASSA_AUTOPAYMENTS_ENABLED", "true".into()),
        ("YOOKASSA_AUTOPAYMENTS_REQUIRE_CARD_BINDING", "true".into()),
    ]);
    TestStack::start(&with_extra(&settings, extra)).await
}

/// Buys `data` with a card through YooKassa, which saves the card; the
/// notification credits it. Returns YooKassa's payment id (the fake uses it
/// as the saved method's id).
async fn pay_with_card(
    t: &TestStack,
    providers: &FakeProviders,
    user: i64,
    data: &str,
    update_id: i64,
) -> String {
    let order = press_pay(t, providers, user, data, update_id).await;
    let created = providers
        .requests_to(Api::Yookassa)
        .into_iter()
        .rev()
        .find(|r| r.method == "POST")
        .expect("payment created");
    assert_eq!(
        created.body["save_payment_method"],
        json!(true),
        "card binding is required: the payment asks to save the card"
    );
    let payment_id = provider_ref(t, &order).await;
    providers.set_payment_status(&payment_id, "succeeded", true);
    let paid = yookassa_payment(&payment_id, "payment.succeeded", "succeeded", "1.00");
    assert_eq!(t.handle(paid.request()).await, 200);
    assert_eq!(order_of(t, &order).await.status, OrderStatus::Paid);
    t.drain_outbox().await;
    payment_id
}

/// The charges YooKassa received: (idempotence key, payment method).
fn charges(providers: &FakeProviders) -> Vec<(String, String)> {
    providers
        .requests_to(Api::Yookassa)
        .into_iter()
        .filter(|r| r.method == "POST" && r.body["payment_method_id"].is_string())
        .map(|r| {
            (
                r.header("idempotence-key").unwrap_or_default().to_owned(),
                r.body["payment_method_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

async fn sub_end(t: &TestStack, user: i64) -> i64 {
    t.user(user)
        .await
        .expect("user")
        .sub_end
        .expect("subscribed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_card_renews_once_however_often_the_renewal_is_triggered() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5401;
    register(&t, 1, user, "en").await;
    let method = pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;

    // The card is remembered on the user, auto-renewal on, for the plan paid.
    let wallet = t.stack.app.store.wallet(TelegramId(user)).await.unwrap();
    assert_eq!(wallet.cards.len(), 1);
    assert_eq!(wallet.cards[0].method_id, method);
    assert_eq!(
        (
            wallet.cards[0].card_type.as_str(),
            wallet.cards[0].last4.as_str()
        ),
        ("Visa", "4242")
    );
    assert!(wallet.cards[0].default && wallet.autorenew);
    assert_eq!(wallet.period, Some(Period::OneMonth));
    let end = sub_end(&t, user).await;
    t.telegram.clear();

    // Three days before: no "renew now", the card will do it.
    run_at(&t, end - 3 * DAY + 60).await;
    assert!(texts_to(&t, user).is_empty(), "{:?}", texts_to(&t, user));

    // A day before: "your card will be charged tomorrow", with a button to
    // turn auto-renewal off.
    run_at(&t, end - DAY + 60).await;
    let notice = t.telegram.sent_to(user).pop().expect("renewal notice");
    assert!(
        text_of(&notice).contains("Visa *4242"),
        "{}",
        text_of(&notice)
    );
    assert!(text_of(&notice).contains("199"), "{}", text_of(&notice));
    assert_eq!(callback_data(&notice), vec!["renew:off".to_owned()]);
    t.telegram.clear();

    // An hour before the end: charged and renewed.
    run_at(&t, end - LEAD_SECS + 60).await;
    let renewed = sub_end(&t, user).await;
    assert_eq!(renewed, end + 30 * DAY, "extended once, from the old end");
    assert_eq!(
        texts_to(&t, user).len(),
        1,
        "one confirmation: {:?}",
        texts_to(&t, user)
    );
    let first = charges(&providers);
    assert_eq!(first.len(), 1);
    let key = order_id(TelegramId(user), end, 1).0;
    assert_eq!(first[0], (key.clone(), method.clone()));
    let order = order_of(&t, &OrderId(key.clone())).await;
    assert_eq!(order.status, OrderStatus::Paid);

    // The scheduler run again from scratch, and the same charge delivered
    // twice more (even concurrently): nothing charged or extended again.
    forget_cursor(&t).await;
    let dup = Job::Renew {
        user,
        end,
        attempt: 1,
    };
    enqueue_jobs(&t.stack.app, &[(dup.clone(), 0), (dup, 0)])
        .await
        .expect("queued");
    run_at(&t, end - LEAD_SECS + 60).await;
    let keys: BTreeSet<String> = charges(&providers).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, BTreeSet::from([key]), "one idempotence key");
    let created: Vec<String> = providers
        .requests_to(Api::Yookassa)
        .into_iter()
        .filter(|r| r.method == "POST" && r.body["payment_method_id"].is_string())
        .map(|r| r.header("idempotence-key").unwrap_or_default().to_owned())
        .collect();
    assert!(!created.is_empty() && created.iter().all(|k| *k == created[0]));
    let paid = order_of(&t, &OrderId(created[0].clone())).await;
    assert_eq!(
        providers
            .payment(paid.provider_ref.as_deref().expect("payment id"))
            .map(|p| p["status"].clone()),
        Some(json!("succeeded")),
        "one payment at the fake, the one credited"
    );
    assert_eq!(sub_end(&t, user).await, renewed);
    assert_eq!(texts_to(&t, user).len(), 1, "{:?}", texts_to(&t, user));

    // The end passes: no "your subscription ended" for a renewed user.
    run_at(&t, end + 60).await;
    assert_eq!(texts_to(&t, user).len(), 1, "{:?}", texts_to(&t, user));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_is_retried_once_then_the_ordinary_notices_take_over() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5402;
    register(&t, 1, user, "en").await;
    let method = pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;
    let end = sub_end(&t, user).await;
    providers.decline_method(&method, Some("insufficient_funds"));
    // The day-before notice goes as usual.
    run_at(&t, end - DAY + 60).await;
    t.telegram.clear();

    // Declined an hour before the end: the user is told it is retried.
    run_at(&t, end - LEAD_SECS + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("try once more tomorrow"), "{texts:?}");
    assert_eq!(
        order_of(&t, &order_id(TelegramId(user), end, 1))
            .await
            .status,
        OrderStatus::Canceled
    );
    // A duplicated delivery of the declined charge tells nobody again.
    enqueue_jobs(
        &t.stack.app,
        &[(
            Job::Renew {
                user,
                end,
                attempt: 1,
            },
            0,
        )],
    )
    .await
    .expect("queued");
    t.stack.drain_jobs().await.expect("jobs drain");
    assert_eq!(t.drain_outbox().await, 0);

    // At the end the ordinary notice goes.
    run_at(&t, end + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[1].contains("ended today"), "{texts:?}");

    // The next day the retry is declined too; then the after-notice.
    run_at(&t, end + DAY - LEAD_SECS + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(texts[2].contains("declined again"), "{texts:?}");
    run_at(&t, end + DAY + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert!(texts[3].contains("ended yesterday"), "{texts:?}");

    // Two attempts, two keys, the card kept (declined is not revoked), and
    // the subscription not extended.
    let keys: BTreeSet<String> = charges(&providers).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            order_id(TelegramId(user), end, 1).0,
            order_id(TelegramId(user), end, 2).0
        ])
    );
    assert_eq!(sub_end(&t, user).await, end);
    let wallet = t.stack.app.store.wallet(TelegramId(user)).await.unwrap();
    assert_eq!(wallet.cards.len(), 1);

    // Nothing more is tried.
    run_at(&t, end + 2 * DAY + 60).await;
    assert_eq!(charges(&providers).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_card_is_removed_and_not_retried() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5403;
    register(&t, 1, user, "ru").await;
    let method = pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;
    let end = sub_end(&t, user).await;
    providers.decline_method(&method, Some("permission_revoked"));
    // The day-before notice goes as usual.
    run_at(&t, end - DAY + 60).await;
    t.telegram.clear();

    run_at(&t, end - LEAD_SECS + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("удалили"), "{texts:?}");
    let wallet = t.stack.app.store.wallet(TelegramId(user)).await.unwrap();
    assert!(wallet.cards.is_empty(), "the revoked card is forgotten");

    // No card, no retry: the day after brings only the ordinary notices.
    run_at(&t, end + DAY - LEAD_SECS + 60).await;
    assert_eq!(charges(&providers).len(), 1);
    assert_eq!(sub_end(&t, user).await, end);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_cards_lists_switches_deletes_and_turns_auto_renewal_off() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5404;
    register(&t, 1, user, "en").await;
    let older = pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;
    let newer = pay_with_card(&t, &providers, user, "pay:3m:yookassa", 11).await;
    assert_ne!(older, newer);
    let wallet = t.stack.app.store.wallet(TelegramId(user)).await.unwrap();
    let default: Vec<&str> = wallet
        .cards
        .iter()
        .filter(|c| c.default)
        .map(|c| c.method_id.as_str())
        .collect();
    assert_eq!(
        default,
        vec![newer.as_str()],
        "the newest card is the default"
    );
    assert_eq!(wallet.period, Some(Period::ThreeMonths));

    // The profile offers "My cards"; the screen lists both.
    let screen = |t: &TestStack| {
        t.telegram
            .calls()
            .into_iter()
            .rev()
            .find(|c| c.method == "editmessagetext" || c.method == "sendmessage")
            .expect("a screen")
    };
    t.update(&callback_update(20, user, "profile", 1)).await;
    assert!(callback_data(&screen(&t)).contains(&"cards".to_owned()));
    t.update(&callback_update(21, user, "cards", 1)).await;
    let s = screen(&t);
    assert_eq!(
        text_of(&s).matches("Visa *4242").count(),
        2,
        "{}",
        text_of(&s)
    );
    let make_older_default = format!("card:def:{:08x}", device_key(&older));
    let delete_newer = format!("card:del:{:08x}", device_key(&newer));
    let data = callback_data(&s);
    assert!(data.contains(&make_older_default), "{data:?}");
    assert!(data.contains(&delete_newer), "{data:?}");
    assert!(data.contains(&"renew:off".to_owned()), "{data:?}");

    // Make the older card the default.
    t.update(&callback_update(22, user, &make_older_default, 1))
        .await;
    let wallet = t.stack.app.store.wallet(TelegramId(user)).await.unwrap();
    assert_eq!(
        wallet.charge_card().map(|c| c.method_id.clone()),
        Some(older.clone())
    );
    assert_eq!(wallet.cards.iter().filter(|c| c.default).count(), 1);

    // Delete the newer one.
    t.update(&callback_update(23, user, &delete_newer, 1)).await;
    let wallet = t.stack.app.store.wallet(TelegramId(user)).await.unwrap();
    assert_eq!(wallet.cards.len(), 1);
    assert_eq!(wallet.cards[0].method_id, older);
    assert!(text_of(&screen(&t)).contains("deleted"));

    // Turn auto-renewal off (the renewal notice's button does the same):
    // the end brings the ordinary notices and no charge.
    t.update(&callback_update(24, user, "renew:off", 1)).await;
    assert!(
        !t.stack
            .app
            .store
            .wallet(TelegramId(user))
            .await
            .unwrap()
            .autorenew
    );
    assert!(callback_data(&screen(&t)).contains(&"renew:on".to_owned()));
    let end = sub_end(&t, user).await;
    t.telegram.clear();
    run_at(&t, end - 3 * DAY + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("ends in 3 days"), "{texts:?}");
    run_at(&t, end - DAY + 60).await;
    run_at(&t, end - LEAD_SECS + 60).await;
    assert!(charges(&providers).is_empty());
    assert_eq!(texts_to(&t, user).len(), 1);
}

// ---- Auto-renewal from the balance ----

/// A stack that sells for rubles without YooKassa autopayments: only the
/// balance can renew.
async fn balance_stack() -> TestStack {
    TestStack::start(&[
        ("RUB_PRICE_1_MONTH", "199"),
        ("RUB_PRICE_3_MONTHS", "499"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("SUBSCRIPTION_NOTIFY_DAYS_BEFORE", "3"),
    ])
    .await
}

async fn balance_of(t: &TestStack, user: i64) -> u64 {
    t.user(user).await.expect("user").balance.0
}

/// The last screen the bot drew.
fn screen(t: &TestStack) -> Call {
    t.telegram
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.method == "editmessagetext" || c.method == "sendmessage")
        .expect("a screen")
}

/// Turns renewal from the balance on through the profile's screen.
async fn turn_on_balance_renewal(t: &TestStack, user: i64, update_id: i64) {
    t.update(&callback_update(update_id, user, "profile", 1))
        .await;
    assert!(callback_data(&screen(t)).contains(&"cards".to_owned()));
    t.update(&callback_update(update_id + 1, user, "cards", 1))
        .await;
    let s = screen(t);
    assert!(text_of(&s).contains("💰"), "{}", text_of(&s));
    assert!(callback_data(&s).contains(&"renew:bal:on".to_owned()));
    t.update(&callback_update(update_id + 2, user, "renew:bal:on", 1))
        .await;
    let s = screen(t);
    assert!(!callback_data(&s).contains(&"renew:bal:on".to_owned()));
    assert!(callback_data(&s).contains(&"renew:bal:off".to_owned()));
    assert!(t.user(user).await.expect("user").renew_balance);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_balance_renews_once_however_often_the_renewal_is_triggered() {
    use shared::domains::renewal::balance;
    let t = balance_stack().await;
    let (user, other) = (5411, 5412);
    register(&t, 1, user, "en").await;
    register(&t, 2, other, "ru").await;
    let end = shared::base::clock::now() + 10 * DAY;
    for id in [user, other] {
        ends_at(&t, id, end).await;
        t.stack
            .app
            .store
            .add_balance(TelegramId(id), 50_000)
            .await
            .unwrap();
    }
    // Only `user` opts in; `other` keeps the ordinary notices.
    turn_on_balance_renewal(&t, user, 10).await;
    t.telegram.clear();

    // Three days before: "renew now" only for the one who did not opt in.
    run_at(&t, end - 3 * DAY + 60).await;
    assert!(texts_to(&t, user).is_empty(), "{:?}", texts_to(&t, user));
    assert_eq!(texts_to(&t, other).len(), 1);

    // A day before: the renewal notice, with a button that turns it off.
    let (queued, delivered) = run_at(&t, end - DAY + 60).await;
    assert_eq!((queued, delivered), (1, 1), "a job only for who opted in");
    let notice = t.telegram.sent_to(user).pop().expect("renewal notice");
    assert!(
        text_of(&notice).contains("debited from your balance") && text_of(&notice).contains("199"),
        "{}",
        text_of(&notice)
    );
    assert_eq!(callback_data(&notice), vec!["renew:bal:off".to_owned()]);
    t.telegram.clear();

    // An hour before the end: debited once, extended once, confirmed once.
    run_at(&t, end - LEAD_SECS + 60).await;
    assert_eq!(sub_end(&t, user).await, end + 30 * DAY);
    assert_eq!(balance_of(&t, user).await, 50_000 - 19_900);
    assert_eq!(texts_to(&t, user).len(), 1, "{:?}", texts_to(&t, user));
    let order = order_of(&t, &balance::order_id(TelegramId(user), end)).await;
    assert_eq!(order.status, OrderStatus::Paid);

    // The scheduler run again from scratch and the charge delivered twice
    // more: nothing debited, extended or said again.
    forget_cursor(&t).await;
    let dup = Job::Renew {
        user,
        end,
        attempt: 1,
    };
    enqueue_jobs(&t.stack.app, &[(dup.clone(), 0), (dup, 0)])
        .await
        .expect("queued");
    run_at(&t, end - LEAD_SECS + 60).await;
    assert_eq!(sub_end(&t, user).await, end + 30 * DAY);
    assert_eq!(balance_of(&t, user).await, 50_000 - 19_900);
    assert_eq!(texts_to(&t, user).len(), 1, "{:?}", texts_to(&t, user));

    // The end passes: no "ended today" for the renewed user; the other one
    // was never debited and gets it.
    run_at(&t, end + 60).await;
    assert_eq!(texts_to(&t, user).len(), 1, "{:?}", texts_to(&t, user));
    assert_eq!(balance_of(&t, other).await, 50_000);
    assert_eq!(t.user(other).await.unwrap().sub_end, Some(end));
    assert_eq!(texts_to(&t, other).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_by_hand_in_between_means_no_debit() {
    use shared::domains::money::checkout::{Checkout, CheckoutRequest, start};
    use shared::domains::money::orders::Purchase;
    use shared::domains::renewal::balance;
    let t = balance_stack().await;
    let user = 5413;
    register(&t, 1, user, "ru").await;
    let end = shared::base::clock::now() + 10 * DAY;
    ends_at(&t, user, end).await;
    t.stack
        .app
        .store
        .add_balance(TelegramId(user), 50_000)
        .await
        .unwrap();
    turn_on_balance_renewal(&t, user, 10).await;
    run_at(&t, end - DAY + 60).await;
    let notice = t.telegram.sent_to(user).pop().expect("renewal notice");
    assert!(
        text_of(&notice).contains("с вашего баланса"),
        "{}",
        text_of(&notice)
    );

    // The user renews by hand from the balance before the charge.
    let u = t.user(user).await.unwrap();
    let price = shared::adapters::pay::Money::rub(shared::base::types::Kopecks(19_900));
    let paid = start(
        &t.stack.app,
        CheckoutRequest {
            user: &u,
            purchase: Purchase::Plan(Period::OneMonth),
            amount: price,
            provider: shared::base::types::Provider::Balance,
            press: Some("by-hand"),
            save_card: false,
            invoice_link: false,
        },
    )
    .await
    .expect("checkout");
    let Checkout::Paid(credit) = paid else {
        panic!("paid from the balance: {paid:?}")
    };
    shared::domains::money::effects::after_credit(&t.stack.app, &credit)
        .await
        .unwrap();
    assert_eq!(sub_end(&t, user).await, end + 30 * DAY);
    t.drain_outbox().await;

    // The charge's time comes (and a stale delivery of it): no debit.
    enqueue_jobs(
        &t.stack.app,
        &[(
            Job::Renew {
                user,
                end,
                attempt: 1,
            },
            0,
        )],
    )
    .await
    .expect("queued");
    run_at(&t, end - LEAD_SECS + 60).await;
    assert_eq!(sub_end(&t, user).await, end + 30 * DAY);
    assert_eq!(balance_of(&t, user).await, 50_000 - 19_900);
    assert!(
        t.stack
            .app
            .store
            .get_order(&balance::order_id(TelegramId(user), end))
            .await
            .unwrap()
            .is_none(),
        "no renewal order written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_balance_that_does_not_cover_the_price_leaves_the_ordinary_notices() {
    let t = balance_stack().await;
    let user = 5414;
    register(&t, 1, user, "en").await;
    let end = shared::base::clock::now() + 10 * DAY;
    ends_at(&t, user, end).await;
    t.stack
        .app
        .store
        .add_balance(TelegramId(user), 10_000)
        .await
        .unwrap();
    turn_on_balance_renewal(&t, user, 10).await;
    t.telegram.clear();
    run_at(&t, end - 3 * DAY + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("ends in 3 days"), "{texts:?}");
    run_at(&t, end - DAY + 60).await;
    run_at(&t, end - LEAD_SECS + 60).await;
    assert_eq!(
        texts_to(&t, user).len(),
        1,
        "no renewal notice, no confirmation"
    );
    assert_eq!(balance_of(&t, user).await, 10_000);
    run_at(&t, end + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[1].contains("ended today"), "{texts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_balance_comes_before_the_card_which_takes_over_when_it_falls_short() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let (rich, poor) = (5415, 5416);
    register(&t, 1, rich, "en").await;
    register(&t, 2, poor, "en").await;
    pay_with_card(&t, &providers, rich, "pay:1m:yookassa", 10).await;
    let method = pay_with_card(&t, &providers, poor, "pay:1m:yookassa", 11).await;
    // Both subscriptions end at the same second; both opt in; only the
    // rich one's balance covers the price.
    let end = sub_end(&t, rich).await;
    ends_at(&t, poor, end).await;
    t.stack
        .app
        .store
        .add_balance(TelegramId(rich), 50_000)
        .await
        .unwrap();
    turn_on_balance_renewal(&t, rich, 20).await;
    turn_on_balance_renewal(&t, poor, 30).await;
    // The "My cards" screen shows both ways.
    assert!(callback_data(&screen(&t)).contains(&"renew:off".to_owned()));
    t.telegram.clear();

    run_at(&t, end - DAY + 60).await;
    assert!(texts_to(&t, rich)[0].contains("debited from your balance"));
    assert!(texts_to(&t, poor)[0].contains("charged to your card"));
    run_at(&t, end - LEAD_SECS + 60).await;
    assert_eq!(balance_of(&t, rich).await, 50_000 - 19_900);
    assert_eq!(sub_end(&t, rich).await, end + 30 * DAY);
    assert_eq!(sub_end(&t, poor).await, end + 30 * DAY);
    let charged = charges(&providers);
    assert_eq!(
        charged,
        vec![(order_id(TelegramId(poor), end, 1).0, method)],
        "only the card of the one whose balance fell short"
    );
}

// ---- "Save my card" on the payment screen ----

/// Pays the last YooKassa payment created as the payer would (the fake
/// saves the method only if asked to) and delivers its notification.
async fn complete_last_payment(
    t: &TestStack,
    providers: &FakeProviders,
) -> (serde_json::Value, bool) {
    let created = providers
        .requests_to(Api::Yookassa)
        .into_iter()
        .rev()
        .find(|r| r.method == "POST")
        .expect("payment created");
    let order = OrderId(
        created.body["metadata"]["order_id"]
            .as_str()
            .expect("order id")
            .to_owned(),
    );
    let payment_id = provider_ref(t, &order).await;
    let saved = providers.pay_payment(&payment_id);
    let paid = yookassa_payment(&payment_id, "payment.succeeded", "succeeded", "1.00");
    assert_eq!(t.handle(paid.request()).await, 200);
    assert_eq!(order_of(t, &order).await.status, OrderStatus::Paid);
    (created.body, saved)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payment_screen_saves_the_card_only_when_the_user_chooses_it() {
    let providers = FakeProviders::start().await;
    let yk = providers.yookassa_url();
    let t = TestStack::start(&[
        ("RUB_PRICE_1_MONTH", "199"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("YOOKASSA_ENABLED", "true"),
        ("YOOKASSA_SHOP_ID", "610042"),
        ("YOOKASSA_SECRET_KEY", "test_e2e_YooSecret-key_01"),
        ("YOOKASSA_API_URL", &yk),
        ("YOOKASSA_ALLOWED_IPS", "127.0.0.1"),
        ("YOOKASSA_RETURN_URL", "https://t.me/test_shop_bot"),
        ("YOOKASSA_DEFAULT_RECEIPT_EMAIL", "receipts@example.com"),
        ("YOOKASSA_AUTOPAYMENTS_ENABLED", "true"),
    ])
    .await;
    let user = 5421;
    register(&t, 1, user, "en").await;

    // The payment screen: YooKassa, and the choice, off by default.
    t.update(&callback_update(10, user, "plan:1m", 1)).await;
    let s = screen(&t);
    let data = callback_data(&s);
    assert!(data.contains(&"pay:1m:yookassa".to_owned()), "{data:?}");
    assert!(data.contains(&"psave:1m:1".to_owned()), "{data:?}");
    assert!(
        serde_json::to_string(&s.body["reply_markup"])
            .unwrap()
            .contains("☐ Save my card")
    );

    // Paid without choosing: not asked to save, nothing saved.
    t.update(&callback_update(11, user, "pay:1m:yookassa", 1))
        .await;
    let (sent_body, saved) = complete_last_payment(&t, &providers).await;
    assert!(
        sent_body.get("save_payment_method").is_none(),
        "{sent_body}"
    );
    assert!(!saved);
    let wallet = t.stack.app.store.wallet(TelegramId(user)).await.unwrap();
    assert!(wallet.cards.is_empty() && !wallet.autorenew);

    // The user ticks the box: the state shows, and YooKassa is asked to save.
    t.update(&callback_update(12, user, "psave:1m:1", 1)).await;
    let s = screen(&t);
    let data = callback_data(&s);
    assert!(data.contains(&"paysv:1m".to_owned()), "{data:?}");
    assert!(data.contains(&"psave:1m:0".to_owned()), "{data:?}");
    assert!(!data.contains(&"pay:1m:yookassa".to_owned()), "{data:?}");
    assert!(
        serde_json::to_string(&s.body["reply_markup"])
            .unwrap()
            .contains("☑ Save my card")
    );
    t.update(&callback_update(13, user, "paysv:1m", 1)).await;
    let (sent_body, saved) = complete_last_payment(&t, &providers).await;
    assert_eq!(sent_body["save_payment_method"], json!(true));
    assert!(saved);
    let wallet = t.stack.app.store.wallet(TelegramId(user)).await.unwrap();
    assert_eq!(wallet.cards.len(), 1);
    assert!(wallet.autorenew);
    assert_eq!(wallet.period, Some(Period::OneMonth));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_card_binding_required_there_is_no_choice_and_the_card_is_saved() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5422;
    register(&t, 1, user, "en").await;
    t.update(&callback_update(10, user, "plan:1m", 1)).await;
    let data = callback_data(&screen(&t));
    assert!(data.contains(&"pay:1m:yookassa".to_owned()), "{data:?}");
    assert!(!data.iter().any(|d| d.starts_with("psave:")), "{data:?}");
    // Every YooKassa payment asks to save the card.
    t.update(&callback_update(11, user, "pay:1m:yookassa", 1))
        .await;
    let (sent_body, saved) = complete_last_payment(&t, &providers).await;
    assert_eq!(sent_body["save_payment_method"], json!(true));
    assert!(saved);
}

// ---- Charge errors that are not a decline ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_outage_is_retried_then_parked_with_an_alert_and_never_told_as_a_decline() {
    use shared::adapters::jobs::MAX_RECEIVES;
    let providers = FakeProviders::start().await;
    let t = stack_with(&providers, &[("LOG_CHAT_ID", "-1009900")]).await;
    let user = 5431;
    register(&t, 1, user, "en").await;
    pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;
    let end = sub_end(&t, user).await;
    run_at(&t, end - DAY + 60).await;
    t.telegram.clear();

    // YooKassa answers every charge with a 500 (or times out) from now on.
    for _ in 0..MAX_RECEIVES {
        providers.fail_next(
            Api::Yookassa,
            500,
            json!({"type": "error", "code": "internal_server_error",
                "description": "Internal server error"}),
        );
    }
    let tick = tick::run(&t.stack.app, end - LEAD_SECS + 60)
        .await
        .expect("scheduler runs");
    assert_eq!(tick.queued, 1);
    for attempt in 1..=MAX_RECEIVES {
        let d = t.stack.drain_jobs().await.expect("jobs drain");
        assert_eq!((d.handled, d.failed), (1, 1), "attempt {attempt}");
        let alerts = t.drain_outbox().await;
        assert_eq!(
            alerts,
            usize::from(attempt == MAX_RECEIVES),
            "one alert, on the last attempt ({attempt})"
        );
        t.stack.expire_retry_delays().await.expect("time passes");
    }
    assert_eq!(
        t.stack.drain_jobs().await.expect("drains").handled,
        0,
        "SQS moved it to the dead-letter queue"
    );
    assert_eq!(t.queue_depth("JobsDlq").await.0, 1);
    let log = t.telegram.sent_to(-1_009_900);
    assert_eq!(log.len(), 1);
    assert!(
        text_of(&log[0]).contains(&user.to_string()) && text_of(&log[0]).contains("500"),
        "{}",
        text_of(&log[0])
    );
    // Every try was the same charge: one idempotence key.
    let keys: BTreeSet<String> = charges(&providers).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, BTreeSet::from([order_id(TelegramId(user), end, 1).0]));
    // The user heard nothing of a decline; the subscription was not
    // renewed, so the ordinary notice goes at the end.
    assert!(texts_to(&t, user).is_empty(), "{:?}", texts_to(&t, user));
    assert_eq!(sub_end(&t, user).await, end);
    run_at(&t, end + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("ended today"), "{texts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technical_cancellation_is_not_told_as_a_decline_and_is_retried_next_day() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5432;
    register(&t, 1, user, "en").await;
    let method = pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;
    let end = sub_end(&t, user).await;
    run_at(&t, end - DAY + 60).await;
    t.telegram.clear();

    providers.decline_method(&method, Some("internal_timeout"));
    run_at(&t, end - LEAD_SECS + 60).await;
    assert_eq!(
        order_of(&t, &order_id(TelegramId(user), end, 1))
            .await
            .status,
        OrderStatus::Canceled
    );
    assert!(texts_to(&t, user).is_empty(), "{:?}", texts_to(&t, user));

    // The next day the retry goes through.
    providers.decline_method(&method, None);
    run_at(&t, end + 60).await;
    run_at(&t, end + DAY - LEAD_SECS + 60).await;
    assert_eq!(sub_end(&t, user).await, end + 30 * DAY);
    let keys: Vec<String> = charges(&providers).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        vec![
            order_id(TelegramId(user), end, 1).0,
            order_id(TelegramId(user), end, 2).0
        ]
    );
}

// ---- Every charge told before it happens; "turn off" turns off all of it ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notice_names_the_balance_and_the_card_and_its_button_turns_both_off() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5441;
    register(&t, 1, user, "en").await;
    pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;
    t.stack
        .app
        .store
        .add_balance(TelegramId(user), 50_000)
        .await
        .unwrap();
    turn_on_balance_renewal(&t, user, 20).await;
    let end = sub_end(&t, user).await;
    t.telegram.clear();

    // A day before: one notice names both ways, in the order they are tried.
    run_at(&t, end - DAY + 60).await;
    let notice = t.telegram.sent_to(user).pop().expect("renewal notice");
    let text = text_of(&notice);
    assert!(
        text.contains("debited from your balance")
            && text.contains("if the balance does not cover it")
            && text.contains("Visa *4242"),
        "both ways named: {text}"
    );
    assert_eq!(callback_data(&notice), vec!["renew:all:off".to_owned()]);

    // Its button turns off every automatic charge, and says so.
    t.update(&callback_update(30, user, "renew:all:off", 1))
        .await;
    let note = text_of(&screen(&t));
    assert!(
        note.contains("neither from your balance nor from your card"),
        "{note}"
    );
    assert!(!t.user(user).await.unwrap().renew_balance);
    assert!(
        !t.stack
            .app
            .store
            .wallet(TelegramId(user))
            .await
            .unwrap()
            .autorenew
    );

    // Nothing is charged; the ordinary notice goes at the end.
    t.telegram.clear();
    run_at(&t, end - LEAD_SECS + 60).await;
    assert!(charges(&providers).is_empty(), "the card was not charged");
    assert_eq!(balance_of(&t, user).await, 50_000, "nor the balance");
    assert_eq!(sub_end(&t, user).await, end);
    run_at(&t, end + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("ended today"), "{texts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_card_is_charged_for_an_end_the_notice_promised_to_the_balance() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5442;
    register(&t, 1, user, "en").await;
    pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;
    t.stack
        .app
        .store
        .add_balance(TelegramId(user), 50_000)
        .await
        .unwrap();
    // The user renews from the balance only: card renewal off.
    turn_on_balance_renewal(&t, user, 20).await;
    t.update(&callback_update(30, user, "renew:off", 1)).await;
    let end = sub_end(&t, user).await;
    t.telegram.clear();

    // The notice says "from your balance", nothing about the card.
    run_at(&t, end - DAY + 60).await;
    let notice = text_of(&t.telegram.sent_to(user).pop().expect("renewal notice"));
    assert!(notice.contains("debited from your balance"), "{notice}");
    assert!(!notice.contains("4242"), "{notice}");

    // Afterwards card renewal goes back on and the balance is spent.
    t.update(&callback_update(31, user, "renew:on", 1)).await;
    t.set_user_attr(user, "balance", AttributeValue::N("0".into()))
        .await;
    t.telegram.clear();

    // The charge's time: the balance does not cover it, and the card was
    // never named for this end, so nothing is charged.
    run_at(&t, end - LEAD_SECS + 60).await;
    assert!(
        charges(&providers).is_empty(),
        "the card was charged though the notice named only the balance"
    );
    assert_eq!(sub_end(&t, user).await, end);
    run_at(&t, end + 60).await;
    let texts = texts_to(&t, user);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("ended today"), "{texts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_notice_for_the_end_nothing_is_charged() {
    let providers = FakeProviders::start().await;
    let t = stack(&providers).await;
    let user = 5443;
    register(&t, 1, user, "en").await;
    pay_with_card(&t, &providers, user, "pay:1m:yookassa", 10).await;
    let end = sub_end(&t, user).await;
    // The notice job was lost (say): the charge alone arrives.
    enqueue_jobs(
        &t.stack.app,
        &[(
            Job::Renew {
                user,
                end,
                attempt: 1,
            },
            0,
        )],
    )
    .await
    .expect("queued");
    t.stack.drain_jobs().await.expect("jobs drain");
    assert!(charges(&providers).is_empty(), "charged without a notice");
    assert_eq!(sub_end(&t, user).await, end);
}

// ---- Renewals sell only what is on sale, at today's price ----

/// The operator changes the settings: the functions' next cold start reads
/// the changed ones. The scheduler and the workers here run on
/// `t.stack.app`, so they get an application over the same table and queues
/// with the new settings (the Telegram route keeps the old one).
fn operator_changes(t: &mut TestStack, change: impl FnOnce(&mut shared::base::config::Config)) {
    let mut config = t.stack.app.config.clone();
    change(&mut config);
    t.stack.app = Arc::new(
        shared::adapters::app::App::new(config, &t.stack.aws).expect("app with new settings"),
    );
}

/// The 3-month plan's settings.
fn three_months(
    config: &mut shared::base::config::Config,
) -> &mut shared::base::config::PlanConfig {
    config
        .plans
        .iter_mut()
        .find(|p| p.period == Period::ThreeMonths)
        .expect("every period has settings")
}

/// The amounts YooKassa was asked to charge to saved cards, by method.
fn charged_amounts(providers: &FakeProviders) -> Vec<(String, String)> {
    providers
        .requests_to(Api::Yookassa)
        .into_iter()
        .filter(|r| r.method == "POST" && r.body["payment_method_id"].is_string())
        .map(|r| {
            (
                r.body["payment_method_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                r.body["amount"]["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewals_charge_todays_price_and_nothing_for_a_plan_no_longer_sold() {
    let providers = FakeProviders::start().await;
    let mut t = stack(&providers).await;
    let (card, both, promo, fading) = (5451, 5452, 5453, 5454);
    // Three subscribers of the 3-month plan at 499 ₽, each with a saved card:
    // one renews by card, one from the balance first, one holds a 10 %
    // discount.
    register(&t, 1, card, "en").await;
    register(&t, 2, both, "en").await;
    register(&t, 3, promo, "en").await;
    register(&t, 4, fading, "en").await;
    let card_method = pay_with_card(&t, &providers, card, "pay:3m:yookassa", 10).await;
    pay_with_card(&t, &providers, both, "pay:3m:yookassa", 11).await;
    let promo_method = pay_with_card(&t, &providers, promo, "pay:3m:yookassa", 12).await;
    let fading_method = pay_with_card(&t, &providers, fading, "pay:3m:yookassa", 13).await;
    let end = sub_end(&t, card).await;
    for id in [both, promo, fading] {
        ends_at(&t, id, end).await;
    }
    t.stack
        .app
        .store
        .add_balance(TelegramId(both), 100_000)
        .await
        .unwrap();
    turn_on_balance_renewal(&t, both, 20).await;
    let until = shared::base::clock::now() + 365 * DAY;
    for (name, value) in [
        ("discount_pct", AttributeValue::N("10".into())),
        ("discount_until", AttributeValue::N(until.to_string())),
        ("discount_code", AttributeValue::S("SPRING".into())),
    ] {
        t.set_user_attr(promo, name, value).await;
    }
    // A discount that still holds at the notice but ends before the charge.
    for (name, value) in [
        ("discount_pct", AttributeValue::N("10".into())),
        (
            "discount_until",
            AttributeValue::N((end - DAY + 600).to_string()),
        ),
        ("discount_code", AttributeValue::S("FADING".into())),
    ] {
        t.set_user_attr(fading, name, value).await;
    }
    let before = charges(&providers).len();
    t.telegram.clear();

    // The operator raises the 3-month price to 599 ₽.
    operator_changes(&mut t, |c| {
        three_months(c).rub_price = Some(shared::base::types::Kopecks(59_900));
    });

    // The notices and the renewals say and charge today's price (the
    // discount off it once).
    run_at(&t, end - DAY + 60).await;
    assert!(
        texts_to(&t, card)[0].contains("599"),
        "{:?}",
        texts_to(&t, card)
    );
    assert!(
        texts_to(&t, both)[0].contains("599"),
        "{:?}",
        texts_to(&t, both)
    );
    assert!(
        texts_to(&t, promo)[0].contains("539.10"),
        "{:?}",
        texts_to(&t, promo)
    );
    assert!(
        texts_to(&t, fading)[0].contains("599") && !texts_to(&t, fading)[0].contains("539"),
        "no discount promised that ends before the charge: {:?}",
        texts_to(&t, fading)
    );
    run_at(&t, end - LEAD_SECS + 60).await;
    let mut charged = charged_amounts(&providers)[before..].to_vec();
    // (The fading discount's charge runs on the real clock, months before
    // the simulated charge time, while the discount still holds: not what
    // this test can show; only its notice is checked above.)
    assert!(charged.iter().any(|(m, _)| *m == fading_method));
    charged.retain(|(m, _)| *m != fading_method);
    charged.sort();
    let mut want = vec![
        (card_method, "599.00".to_owned()),
        (promo_method, "539.10".to_owned()),
    ];
    want.sort();
    assert_eq!(charged, want, "today's price, the discount applied once");
    assert_eq!(balance_of(&t, both).await, 100_000 - 59_900);
    let next = end + i64::from(Period::ThreeMonths.days()) * DAY;
    for id in [card, both, promo, fading] {
        assert_eq!(sub_end(&t, id).await, next, "user {id} renewed");
    }
    let promo_order = order_of(&t, &order_id(TelegramId(promo), end, 1)).await;
    assert_eq!(promo_order.discount_code.as_deref(), Some("SPRING"));
    assert_eq!(t.user(promo).await.unwrap().discount, None, "used up");

    // The operator stops selling the 3-month plan (its price stays set).
    operator_changes(&mut t, |c| three_months(c).enabled = false);
    let before = charges(&providers).len();
    t.telegram.clear();

    // A day before the next end each is told to pick another plan, once,
    // with a button to the plans; nothing is charged.
    run_at(&t, next - DAY + 60).await;
    run_at(&t, next - LEAD_SECS + 60).await;
    for id in [card, both, promo] {
        let told = t.telegram.sent_to(id);
        assert_eq!(told.len(), 1, "user {id}: {:?}", texts_to(&t, id));
        assert!(
            text_of(&told[0]).contains("no longer on sale"),
            "{}",
            text_of(&told[0])
        );
        assert_eq!(callback_data(&told[0]), vec!["buy".to_owned()]);
        assert_eq!(sub_end(&t, id).await, next, "user {id} not renewed");
    }
    assert_eq!(charges(&providers).len(), before, "no card charged");
    assert_eq!(
        balance_of(&t, both).await,
        100_000 - 59_900,
        "nor the balance"
    );

    // The auto-renewal screen (served with the new settings) shows renewal
    // from the balance as off, offering a plan on sale; turning it on
    // renews that plan from now on.
    t.handle(telegram_request(&callback_update(40, both, "cards", 1)))
        .await;
    let s = screen(&t);
    assert!(
        text_of(&s).contains("is <b>off</b>") && text_of(&s).contains("1 month"),
        "{}",
        text_of(&s)
    );
    assert!(callback_data(&s).contains(&"renew:bal:on".to_owned()));
    t.handle(telegram_request(&callback_update(
        41,
        both,
        "renew:bal:on",
        1,
    )))
    .await;
    let wallet = t.stack.app.store.wallet(TelegramId(both)).await.unwrap();
    assert_eq!(wallet.period, Some(Period::OneMonth));
}
