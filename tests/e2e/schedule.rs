//! The product's clock, end to end with a controllable clock: the scheduler
//! is run at chosen times (no sleeping for days), its jobs go through the
//! real jobs queue and consumer, notices through the outbox to the fake
//! Telegram. Expiry notices fire once at their time in the user's language;
//! a renewal in between suppresses a stale one; repeated runs and duplicated
//! deliveries send nothing twice. Stuck YooKassa payments are settled by
//! asking YooKassa; the nightly reconciliation reports only what it changed.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::fake_providers::{Api, FakeProviders};
use e2e::shop::{
    FREEKASSA_API_KEY, cryptopay_settings, freekassa_settings, with_extra, yookassa_settings,
};
use e2e::signed::freekassa_paid;
use e2e::story::{
    buttons as callback_data, ends_at, forget_cursor, order as order_of, press_pay, provider_ref,
    register, run_at, text as text_of, texts_to,
};
use e2e::{TestStack, callback_update};
use shared::adapters::jobs::{Job, NoticeKind, enqueue_jobs};
use shared::adapters::pay::OrderId;
use shared::base::clock::now;
use shared::domains::access::sync::SyncReason;
use shared::domains::money::orders::OrderStatus;
use shared::domains::schedule::tick::{self, NIGHTLY_AT};

const DAY: i64 = 86_400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_notices_fire_once_at_their_time_in_the_users_language() {
    let t = TestStack::start(&[("SUBSCRIPTION_NOTIFY_DAYS_BEFORE", "3")]).await;
    let (en, ru, banned, blocked, trial) = (5101, 5102, 5103, 5104, 5105);
    register(&t, 1, en, "en").await;
    register(&t, 2, ru, "ru").await;
    register(&t, 3, banned, "en").await;
    register(&t, 4, blocked, "en").await;
    register(&t, 5, trial, "en").await;
    // Everyone's subscription ends at the same second, ten days from now.
    let end = now() + 10 * DAY;
    for id in [en, ru, banned, blocked, trial] {
        ends_at(&t, id, end).await;
    }
    t.set_user_attr(banned, "banned", AttributeValue::Bool(true))
        .await;
    t.set_user_attr(blocked, "blocked_at", AttributeValue::N(now().to_string()))
        .await;
    t.set_user_attr(trial, "trial_end", AttributeValue::N(end.to_string()))
        .await;
    t.telegram.clear();

    // An hour before "three days before": nothing is due yet.
    assert_eq!(run_at(&t, end - 3 * DAY - 3600).await, (0, 0));

    // Three days before, in each user's language, with a renew button that
    // opens the plan list. The banned and the blocked user get nothing.
    let (queued, delivered) = run_at(&t, end - 3 * DAY + 60).await;
    assert_eq!((queued, delivered), (5, 3));
    let en_notice = t.telegram.sent_to(en).pop().expect("en notice");
    assert!(
        text_of(&en_notice).contains("ends in 3 days"),
        "{}",
        text_of(&en_notice)
    );
    assert_eq!(callback_data(&en_notice), vec!["buy".to_owned()]);
    let ru_notice = t.telegram.sent_to(ru).pop().expect("ru notice");
    assert!(
        text_of(&ru_notice).contains("закончится через 3 дня"),
        "{}",
        text_of(&ru_notice)
    );
    assert_eq!(callback_data(&ru_notice), vec!["buy".to_owned()]);
    assert!(texts_to(&t, banned).is_empty() && texts_to(&t, blocked).is_empty());
    assert_eq!(texts_to(&t, trial).len(), 1);

    // The same run again: its window is done, nothing is queued.
    assert_eq!(run_at(&t, end - 3 * DAY + 60).await, (0, 0));
    // The cursor lost (a run from scratch) re-queues the same notices, and
    // SQS delivers one of them twice: the markers send nothing again.
    forget_cursor(&t).await;
    let dup = Job::Notice {
        user: en,
        notice: NoticeKind::Before,
        end,
    };
    enqueue_jobs(&t.stack.app, &[(dup.clone(), 0), (dup, 0)])
        .await
        .expect("queued");
    let (queued, delivered) = run_at(&t, end - 3 * DAY + 60).await;
    assert_eq!((queued, delivered), (5, 0));
    assert_eq!(texts_to(&t, en).len(), 1);

    // On the day: the English user renews between the scheduler's run and
    // the job, so the queued "ended" notice is stale and not sent. The
    // Russian user hears it; the trial user gets the trial's own notice.
    tick::run(&t.stack.app, end + 60).await.expect("runs");
    ends_at(&t, en, end + 30 * DAY).await;
    t.stack.drain_jobs().await.expect("jobs drain");
    assert_eq!(t.drain_outbox().await, 2);
    assert_eq!(
        texts_to(&t, en).len(),
        1,
        "no stale notice after the renewal"
    );
    let ru_texts = texts_to(&t, ru);
    assert!(
        ru_texts.last().expect("ru").contains("закончилась сегодня"),
        "{ru_texts:?}"
    );
    let trial_texts = texts_to(&t, trial);
    assert!(
        trial_texts
            .last()
            .expect("trial")
            .contains("free trial is over"),
        "{trial_texts:?}"
    );

    // A day after: the Russian and the trial user once more, the renewed one not.
    let (_, delivered) = run_at(&t, end + DAY + 60).await;
    assert_eq!(delivered, 2);
    assert!(
        texts_to(&t, ru)
            .last()
            .expect("ru")
            .contains("закончилась вчера")
    );
    assert_eq!(texts_to(&t, en).len(), 1);
    // And every later run is quiet.
    assert_eq!(run_at(&t, end + DAY + 300).await.1, 0);
    assert_eq!(texts_to(&t, ru).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turned_off_notices_are_not_sent() {
    let t = TestStack::start(&[
        ("SUBSCRIPTION_NOTIFY_ON_EXPIRE", "false"),
        ("SUBSCRIPTION_NOTIFY_AFTER_EXPIRE", "false"),
        ("SUBSCRIPTION_NOTIFY_DAYS_BEFORE", "1"),
    ])
    .await;
    register(&t, 1, 5201, "en").await;
    let end = now() + 5 * DAY;
    ends_at(&t, 5201, end).await;
    t.telegram.clear();
    let (_, delivered) = run_at(&t, end - DAY + 10).await;
    assert_eq!(delivered, 1);
    assert!(texts_to(&t, 5201)[0].contains("ends in 1 day"));
    assert_eq!(run_at(&t, end + 10).await, (0, 0));
    assert_eq!(run_at(&t, end + DAY + 10).await, (0, 0));

    let off = TestStack::start(&[("SUBSCRIPTION_NOTIFICATIONS_ENABLED", "false")]).await;
    register(&off, 1, 5202, "en").await;
    ends_at(&off, 5202, end).await;
    off.telegram.clear();
    for at in [end - 3 * DAY + 10, end + 10, end + DAY + 10] {
        assert_eq!(run_at(&off, at).await, (0, 0));
    }
}

// ----------------------------------------------------------- stuck payments

/// YooKassa and Crypto Pay, three ruble periods.
async fn yookassa_stack(providers: &FakeProviders) -> TestStack {
    let mut settings = cryptopay_settings(providers);
    settings.extend(yookassa_settings(providers));
    let extra = [
        ("RUB_PRICE_1_MONTH", "199"),
        ("RUB_PRICE_3_MONTHS", "499"),
        ("RUB_PRICE_6_MONTHS", "899"),
        ("RATE_LIMIT_ENABLED", "false"),
    ];
    TestStack::start(&with_extra(&settings, &extra)).await
}

/// The user presses "pay" with YooKassa; returns our order and YooKassa's payment id.
async fn start_yookassa_payment(
    t: &TestStack,
    providers: &FakeProviders,
    user: i64,
    data: &str,
    update_id: i64,
) -> (OrderId, String) {
    let order = press_pay(t, providers, user, data, update_id).await;
    let payment_id = provider_ref(t, &order).await;
    (order, payment_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_yookassa_orders_are_settled_by_asking_yookassa() {
    let providers = FakeProviders::start().await;
    let t = yookassa_stack(&providers).await;
    let user = 5301;
    register(&t, 1, user, "en").await;
    let started = now();
    let (paid, paid_id) = start_yookassa_payment(&t, &providers, user, "pay:1m:yookassa", 10).await;
    let (gone, gone_id) = start_yookassa_payment(&t, &providers, user, "pay:3m:yookassa", 11).await;
    let (open, _) = start_yookassa_payment(&t, &providers, user, "pay:6m:yookassa", 12).await;
    // The user paid the first and abandoned the second, but neither
    // notification ever reached us; the third is still open at YooKassa.
    providers.set_payment_status(&paid_id, "succeeded", false);
    providers.set_payment_status(&gone_id, "canceled", false);
    t.telegram.clear();

    // Five minutes on, the scheduler has YooKassa asked about each.
    let (queued, _) = run_at(&t, started + 5 * 60 + 30).await;
    assert_eq!(queued, 3);
    assert_eq!(order_of(&t, &paid).await.status, OrderStatus::Paid);
    assert_eq!(order_of(&t, &gone).await.status, OrderStatus::Canceled);
    assert_eq!(order_of(&t, &open).await.status, OrderStatus::Pending);
    let end = t
        .user(user)
        .await
        .expect("user")
        .sub_end
        .expect("subscribed");
    assert_eq!((end - now() + 3600) / DAY, 30);
    let texts = texts_to(&t, user);
    assert!(texts.iter().any(|s| s.contains("canceled")), "{texts:?}");
    assert_eq!(
        texts.len(),
        2,
        "a confirmation and a cancellation: {texts:?}"
    );

    // The same re-check delivered twice more, and the webhook arriving late
    // after all: credited once.
    let again = Job::RecheckOrder {
        order: paid.0.clone(),
        expire: false,
        at: started + 300,
    };
    enqueue_jobs(&t.stack.app, &[(again.clone(), 0), (again, 0)])
        .await
        .expect("queued");
    t.stack.drain_jobs().await.expect("jobs drain");
    assert_eq!(t.drain_outbox().await, 0);
    assert_eq!(t.user(user).await.expect("user").sub_end, Some(end));

    // Later re-checks find the open one still pending, and at the end of its
    // life it is marked expired (kept: a late payment is still credited).
    run_at(&t, started + 3 * 3600 + 30).await;
    assert_eq!(order_of(&t, &open).await.status, OrderStatus::Pending);
    let (_, delivered) = run_at(&t, started + 3 * DAY + 90).await;
    assert_eq!(delivered, 0);
    assert_eq!(order_of(&t, &open).await.status, OrderStatus::Expired);
    assert_eq!(order_of(&t, &paid).await.status, OrderStatus::Paid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_crypto_pay_invoices_are_settled_by_asking_crypto_pay() {
    let providers = FakeProviders::start().await;
    let t = yookassa_stack(&providers).await;
    let user = 5302;
    register(&t, 1, user, "en").await;
    let started = now();
    let mut orders = Vec::new();
    for (i, data) in ["pay:1m:cryptopay", "pay:3m:cryptopay"].iter().enumerate() {
        assert_eq!(
            t.update(&callback_update(10 + i as i64, user, data, 1))
                .await,
            200
        );
        let created = providers
            .requests_to(Api::Cryptopay)
            .into_iter()
            .rev()
            .find(|r| r.path == "/createInvoice")
            .expect("invoice created");
        let order = OrderId(
            created.body["payload"]
                .as_str()
                .expect("payload")
                .to_owned(),
        );
        let invoice: u64 = order_of(&t, &order)
            .await
            .provider_ref
            .expect("invoice id stored")
            .parse()
            .expect("numeric");
        orders.push((order, invoice));
    }
    // Paid, and the webhook lost; the other invoice ran out unpaid.
    providers.set_invoice_status(orders[0].1, "paid");
    providers.set_invoice_status(orders[1].1, "expired");
    t.telegram.clear();

    run_at(&t, started + 5 * 60 + 30).await;
    assert_eq!(order_of(&t, &orders[0].0).await.status, OrderStatus::Paid);
    assert_eq!(
        order_of(&t, &orders[1].0).await.status,
        OrderStatus::Canceled
    );
    let end = t
        .user(user)
        .await
        .expect("user")
        .sub_end
        .expect("subscribed");
    assert_eq!((end - now() + 3600) / DAY, 30);
    assert_eq!(
        texts_to(&t, user).len(),
        2,
        "a confirmation and a cancellation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_freekassa_orders_are_settled_by_asking_freekassa() {
    let providers = FakeProviders::start().await;
    let fk = providers.freekassa_url();
    let extra = [
        ("RUB_PRICE_1_MONTH", "199"),
        ("RUB_PRICE_3_MONTHS", "499"),
        ("RUB_PRICE_6_MONTHS", "899"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("FREEKASSA_API_KEY", FREEKASSA_API_KEY),
        ("FREEKASSA_API_URL", &fk),
        ("FREEKASSA_PAYMENT_IP", "198.51.100.7"),
    ];
    let t = TestStack::start(&with_extra(&freekassa_settings(), &extra)).await;
    let user = 5303;
    register(&t, 1, user, "en").await;
    let started = now();
    let mut orders = Vec::new();
    for (i, data) in ["pay:1m:freekassa", "pay:3m:freekassa", "pay:6m:freekassa"]
        .iter()
        .enumerate()
    {
        assert_eq!(
            t.update(&callback_update(10 + i as i64, user, data, 1))
                .await,
            200
        );
        let created = providers
            .requests_to(Api::Freekassa)
            .into_iter()
            .rev()
            .find(|r| r.path == "/orders/create")
            .expect("order created through the API");
        orders.push(OrderId(
            created.body["paymentId"]
                .as_str()
                .expect("our order id")
                .to_owned(),
        ));
    }
    // Paid with the notification lost; canceled at FreeKassa; still new.
    let fk_paid = providers.set_freekassa_status(&orders[0].0, 1);
    providers.set_freekassa_status(&orders[1].0, 9);
    t.telegram.clear();

    // Five minutes on: FreeKassa is asked about each order (signed: the
    // fake refuses a wrong signature, which would fail the job).
    let (queued, _) = run_at(&t, started + 5 * 60 + 30).await;
    assert_eq!(queued, 3);
    let asked: Vec<String> = providers
        .requests_to(Api::Freekassa)
        .into_iter()
        .filter(|r| r.path == "/orders")
        .map(|r| r.body["paymentId"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(asked.len(), 3, "{asked:?}");
    for o in &orders {
        assert!(asked.contains(&o.0), "{asked:?}");
    }
    assert_eq!(order_of(&t, &orders[0]).await.status, OrderStatus::Paid);
    assert_eq!(
        order_of(&t, &orders[0]).await.provider_ref,
        Some(fk_paid.to_string()),
        "FreeKassa's order id, as its notification's intid"
    );
    assert_eq!(order_of(&t, &orders[1]).await.status, OrderStatus::Canceled);
    assert_eq!(order_of(&t, &orders[2]).await.status, OrderStatus::Pending);
    let end = t
        .user(user)
        .await
        .expect("user")
        .sub_end
        .expect("subscribed");
    assert_eq!((end - now() + 3600) / DAY, 30);
    assert_eq!(
        texts_to(&t, user).len(),
        2,
        "a confirmation and a cancellation"
    );

    // The re-check delivered again, and the notification arriving late
    // after all: credited once.
    let again = Job::RecheckOrder {
        order: orders[0].0.clone(),
        expire: false,
        at: started + 300,
    };
    enqueue_jobs(&t.stack.app, &[(again.clone(), 0), (again, 0)])
        .await
        .expect("queued");
    t.stack.drain_jobs().await.expect("jobs drain");
    let late = freekassa_paid("199", &orders[0].0, &fk_paid.to_string());
    assert_eq!(t.handle(late.request()).await, 200);
    assert_eq!(t.drain_outbox().await, 0);
    assert_eq!(t.user(user).await.expect("user").sub_end, Some(end));

    // The open one stays pending until the end of its life, then expires.
    let (_, delivered) = run_at(&t, started + 3 * DAY + 90).await;
    assert_eq!(delivered, 0);
    assert_eq!(order_of(&t, &orders[2]).await.status, OrderStatus::Expired);
}

// ------------------------------------------------------ nightly reconcile

const LOG_CHAT: i64 = -1_007_700;

/// The first 03:00 UTC (the nightly time) after `t`.
fn next_night(t: i64) -> i64 {
    let day = t - t.rem_euclid(DAY);
    if day + NIGHTLY_AT > t {
        day + NIGHTLY_AT
    } else {
        day + DAY + NIGHTLY_AT
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nightly_reconciliation_reports_only_what_it_changed() {
    let (t, panel) = TestStack::start_with_panel(&[("LOG_CHAT_ID", "-1007700")]).await;
    let user = 5401;
    register(&t, 1, user, "en").await;
    ends_at(&t, user, now() + 30 * DAY).await;
    t.enqueue_sync(user, SyncReason::Paid, "order-5401").await;
    t.stack.drain_panel_sync().await.expect("provisioned");
    // The panel lost a few days of it (an admin's edit, a restore).
    panel.set_expire(&format!("tg_{user}"), now() + 20 * DAY);
    t.drain_outbox().await;
    t.telegram.clear();

    // 03:00: the nightly run pushes our end to the panel and says so, in
    // the default language (the log chat has no user).
    let night = next_night(now());
    run_at(&t, night + 30).await;
    let report = t.telegram.sent_to(LOG_CHAT);
    assert_eq!(report.len(), 1, "one report");
    assert!(
        text_of(&report[0]).contains("Синхронизация с панелью завершена"),
        "{}",
        text_of(&report[0])
    );
    let d = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((d.handled, d.failed), (1, 0), "the push ran");
    let first = t
        .stack
        .app
        .store
        .latest_sync_run()
        .await
        .expect("s")
        .expect("run");

    // The same night's job again: no second run.
    enqueue_jobs(
        &t.stack.app,
        &[(
            Job::NightlySync {
                day: shared::adapters::store::keys::day_of(night),
            },
            0,
        )],
    )
    .await
    .expect("queued");
    t.stack.drain_jobs().await.expect("drains");
    assert_eq!(sync_runs(&t).await, vec![first]);

    // The next night everything matches: the run happens, the log chat
    // hears nothing.
    let (_, delivered) = run_at(&t, night + DAY + 30).await;
    assert_eq!(delivered, 0);
    let runs = sync_runs(&t).await;
    assert_eq!(runs.len(), 2, "one run a night");
    assert!(runs.iter().all(|r| r.finished.is_some()));
    assert_eq!(t.telegram.sent_to(LOG_CHAT).len(), 1);
}

/// Every reconciliation run recorded.
async fn sync_runs(t: &TestStack) -> Vec<shared::adapters::store::sync_runs::SyncRun> {
    let store = &t.stack.app.store;
    let out = store
        .client()
        .query()
        .table_name(store.table())
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", AttributeValue::S("SYNC".into()))
        .send()
        .await
        .expect("runs");
    out.items()
        .iter()
        .map(|i| shared::adapters::store::sync_runs::SyncRun::from_item(i).expect("run"))
        .collect()
}
