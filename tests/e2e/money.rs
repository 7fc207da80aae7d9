//! Every money path closes: after deliveries, re-deliveries, timeouts and
//! crashes, the money, the days, the ledger, the panel and the notices
//! agree. Crashes and outages are real: the handlers run over a proxy in
//! front of moto that fails, delays or cuts chosen AWS calls, and a handler
//! is aborted the moment its commit went through.

use e2e::fake_panel::FakePanel;
use e2e::fake_providers::{Api, FakeProviders};
use e2e::fault_proxy::{Fault, FaultProxy};
use e2e::shop::{
    Settings, TRIBUTE_API_KEY, business_settings, cryptopay_settings, freekassa_settings,
    referral_settings, stars_settings, with_extra, yookassa_settings,
};
use e2e::signed::{
    self, Priced, TributeEvent, Webhook, cryptopay_paid, freekassa_paid, successful_payment,
    tribute, yookassa_payment,
};
use e2e::story::{
    buttons, close, inviter_and_buyer, last_screen, last_to, ledger_kinds as ledger, mentions,
    order, panel_expiry, press_pay, press_stars, provider_ref, text, told,
};
use e2e::{TestStack, callback_update, telegram_request, text_update};
use serde_json::json;
use shared::adapters::pay::OrderId;
use shared::base::clock::now;
use shared::base::types::TelegramId;
use shared::domains::money::orders::OrderStatus;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const DAY: i64 = 86_400;
const LOG_CHAT: i64 = -100_700;

/// This file's shop: three ruble periods, Stars, referral bonuses (7 days
/// to the inviter, 3 to the buyer), an admin; with `providers`, YooKassa,
/// Crypto Pay and FreeKassa too. `extra` settings win.
async fn shop(providers: Option<&FakeProviders>, extra: &[(&str, &str)]) -> (TestStack, FakePanel) {
    let mut settings: Settings = business_settings(LOG_CHAT, 9000);
    settings.push(("RUB_PRICE_12_MONTHS", "1599".into()));
    settings.extend(referral_settings());
    settings.extend(stars_settings());
    if let Some(p) = providers {
        settings.extend(cryptopay_settings(p));
        settings.extend(yookassa_settings(p));
        settings.extend(freekassa_settings());
    }
    TestStack::start_with_panel(&with_extra(&settings, extra)).await
}

/// The buyer presses "1 month with Stars"; returns the invoice's order id.
async fn stars_invoice(t: &TestStack, user: i64, update_id: i64) -> OrderId {
    press_stars(t, user, "pay:1m:stars", update_id).await
}

/// Runs `req` through the proxied routes and aborts it the moment the
/// proxy saw the cut call succeed: a function killed after that line.
async fn killed_after(
    routes: Arc<local_stack::server::Routes>,
    req: shared::adapters::http::HttpRequest,
    cut: Arc<Notify>,
) {
    let task = tokio::spawn(async move { routes.handle(req).await });
    tokio::time::timeout(Duration::from_secs(20), cut.notified())
        .await
        .expect("the cut call happened");
    task.abort();
    assert!(task.await.is_err(), "the handler was killed, not finished");
}

/// A fault that first sets the order's status directly in the table: another
/// delivery's write landing between our read and our transaction.
fn set_status_first(t: &TestStack, order: &OrderId, status: &'static str) -> Fault {
    use aws_sdk_dynamodb::types::AttributeValue;
    let (store, table, order) = (
        t.stack.app.store.clone(),
        t.stack.app.config.infra.table_name.clone(),
        order.clone(),
    );
    Fault::Before(Arc::new(move || {
        let (store, table, order) = (store.clone(), table.clone(), order.clone());
        Box::pin(async move {
            store
                .client()
                .update_item()
                .table_name(table)
                .key("PK", AttributeValue::S(format!("ORDER#{order}")))
                .key("SK", AttributeValue::S("ORDER".into()))
                .update_expression("SET #st = :st")
                .expression_attribute_names("#st", "status")
                .expression_attribute_values(":st", AttributeValue::S(status.into()))
                .send()
                .await
                .expect("injected");
        })
    }))
}

/// The panel ends access at once: it takes no past expiry, so "now" is
/// the soonest one it accepts (a minute ahead).
fn ended_now(expiry: Option<i64>) -> bool {
    expiry.is_some_and(|e| e <= now() + 61)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stars_payment_survives_a_function_killed_right_after_the_commit() {
    let (t, panel) = shop(None, &[]).await;
    inviter_and_buyer(&t, 5001, 5002, 1).await;
    let id = stars_invoice(&t, 5002, 3).await;
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    let cut = Arc::new(Notify::new());
    proxy.add("TransactWriteItems", None, 1, Fault::Cut(cut.clone()));
    let paid = successful_payment(4, 5002, &id.0, 150, "stars-charge-kill-1");
    killed_after(routes, telegram_request(&paid), cut).await;

    // The commit went through, nothing after it did.
    assert_eq!(order(&t, &id).await.status, OrderStatus::Paid);
    let end = t.user(5002).await.expect("buyer").sub_end.expect("days");
    assert!(close(end, now() + 33 * DAY), "30 days and the referee's 3");
    t.drain_outbox().await;
    assert_eq!(told(&t, 5002, "✅ Оплата"), 0);

    // Telegram never got an answer and delivers the update again: the
    // retry finds the order paid with its effects not done and queues the
    // after-payment job the dead function never sent.
    assert_eq!(t.update(&paid).await, 200);
    t.drain_outbox().await;
    t.stack.drain_panel_sync().await.expect("sync");
    t.drain_outbox().await;
    assert_eq!(told(&t, 5002, "✅ Оплата"), 1, "the buyer is told once");
    assert_eq!(told(&t, 5001, "🎁"), 1, "the inviter is told once");
    assert_eq!(told(&t, LOG_CHAT, "💰"), 1, "the admins are told once");
    assert_eq!(
        t.user(5002).await.expect("buyer").sub_end,
        Some(end),
        "credited once"
    );
    let inviter_end = t.user(5001).await.expect("inviter").sub_end.expect("bonus");
    assert!(close(inviter_end, now() + 7 * DAY));
    assert_eq!(
        panel_expiry(&panel, 5002),
        Some(end),
        "the buyer's panel follows"
    );
    assert_eq!(
        panel_expiry(&panel, 5001),
        Some(inviter_end),
        "the inviter's too"
    );
    assert_eq!(ledger(&t, 5002).await, ["purchase"]);

    // A third delivery changes nothing and tells no one.
    assert_eq!(t.update(&paid).await, 200);
    t.drain_outbox().await;
    assert_eq!(told(&t, 5002, "✅ Оплата"), 1);
    assert_eq!(told(&t, 5001, "🎁"), 1);
    assert_eq!(t.user(5002).await.expect("buyer").sub_end, Some(end));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stars_payment_whose_commit_answered_too_late_is_finished_by_the_retry() {
    let (t, _panel) = shop(None, &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5011, "Vera", "ru", "/start"))
            .await,
        200
    );
    let id = stars_invoice(&t, 5011, 2).await;
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    // The transaction commits, its answer arrives after the 10 s budget.
    proxy.add(
        "TransactWriteItems",
        None,
        1,
        Fault::DelayAnswer(Duration::from_secs(11)),
    );
    let paid = successful_payment(3, 5011, &id.0, 150, "stars-charge-late-1");
    let resp = routes.handle(telegram_request(&paid)).await;
    assert_eq!(resp.status.as_u16(), 500, "Telegram is asked to retry");
    assert_eq!(order(&t, &id).await.status, OrderStatus::Paid);
    t.expire_effects_lease(&id).await;

    assert_eq!(t.update(&paid).await, 200);
    t.drain_outbox().await;
    assert_eq!(told(&t, 5011, "✅ Оплата"), 1);
    let end = t.user(5011).await.expect("u").sub_end.expect("days");
    assert!(close(end, now() + 30 * DAY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stars_payment_whose_store_was_down_is_credited_by_the_retry() {
    let (t, _panel) = shop(None, &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5021, "Gleb", "ru", "/start"))
            .await,
        200
    );
    let id = stars_invoice(&t, 5021, 2).await;
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    proxy.add("TransactWriteItems", None, 20, Fault::Fail(500));
    let paid = successful_payment(3, 5021, &id.0, 150, "stars-charge-down-1");
    assert_eq!(
        routes.handle(telegram_request(&paid)).await.status.as_u16(),
        500
    );
    assert_eq!(order(&t, &id).await.status, OrderStatus::Pending);
    assert_eq!(t.update(&paid).await, 200);
    assert_eq!(order(&t, &id).await.status, OrderStatus::Paid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_alone_keeps_a_stars_payment_single_across_different_updates() {
    // No update marker and no charge marker can help here: the same payment
    // arrives in two different updates. Only `pending → paid` stands.
    let (t, _panel) = shop(None, &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5031, "Dina", "ru", "/start"))
            .await,
        200
    );
    let id = stars_invoice(&t, 5031, 2).await;
    let (first, second) = (
        successful_payment(3, 5031, &id.0, 150, "stars-charge-twice"),
        successful_payment(4, 5031, &id.0, 150, "stars-charge-twice"),
    );
    let (a, b) = tokio::join!(t.update(&first), t.update(&second));
    assert_eq!((a, b), (200, 200));
    let end = t.user(5031).await.expect("u").sub_end.expect("days");
    assert!(close(end, now() + 30 * DAY), "one month, not two");
    assert_eq!(ledger(&t, 5031).await, ["purchase"]);
    t.drain_outbox().await;
    assert_eq!(told(&t, 5031, "✅ Оплата"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stars_payment_in_another_currency_is_flagged_not_credited() {
    let (t, _panel) = shop(None, &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5041, "Ola", "ru", "/start")).await,
        200
    );
    let id = stars_invoice(&t, 5041, 2).await;
    let mut paid = successful_payment(3, 5041, &id.0, 150, "stars-charge-usd");
    paid["message"]["successful_payment"]["currency"] = json!("USD");
    assert_eq!(t.update(&paid).await, 200);
    assert_eq!(order(&t, &id).await.status, OrderStatus::Pending);
    assert_eq!(t.user(5041).await.expect("u").sub_end, None);
    t.drain_outbox().await;
    assert_eq!(told(&t, LOG_CHAT, "⚠️"), 1);
}

/// A Crypto Pay `invoice_paid` for our `order`, invoice `invoice_id`, a
/// `fiat` invoice of `amount`.
fn cryptopay_update(
    order: &OrderId,
    invoice_id: u64,
    fiat: &str,
    amount: &str,
    update_id: u64,
) -> Webhook {
    cryptopay_paid(&order.0, invoice_id, Priced::Fiat(fiat), amount, update_id)
}

/// The buyer presses "pay with Crypto Pay"; returns (order, invoice id).
async fn cryptopay_order(
    t: &TestStack,
    providers: &FakeProviders,
    user: i64,
    update_id: i64,
) -> (OrderId, u64) {
    let id = press_pay(t, providers, user, "pay:1m:cryptopay", update_id).await;
    let invoice = provider_ref(t, &id).await.parse().expect("numeric");
    (id, invoice)
}

/// Runs the jobs worker once, with `app` (one over the fault proxy), on
/// what the jobs queue holds; returns the receipt handles of the jobs that
/// failed (left on the queue for SQS's retry).
async fn jobs_via(t: &TestStack, app: &Arc<shared::adapters::app::App>) -> Vec<String> {
    let url = t
        .stack
        .app
        .config
        .infra
        .jobs_queue_url
        .clone()
        .expect("jobs queue");
    let handler = |event| {
        let app = app.clone();
        async move { shared::domains::ops::jobs::handle_jobs(&app, event).await }
    };
    let batch = local_stack::workers::poll_batch(&t.stack.app.sqs, &url, &handler, 0)
        .await
        .expect("batch");
    assert!(batch.received > 0, "a job was waiting");
    batch.failed
}

/// Makes received jobs visible again, as SQS does when their visibility
/// timeout ends.
async fn jobs_visible_again(t: &TestStack, handles: &[String]) {
    let url = t
        .stack
        .app
        .config
        .infra
        .jobs_queue_url
        .clone()
        .expect("jobs");
    for h in handles {
        t.stack
            .app
            .sqs
            .change_message_visibility()
            .queue_url(&url)
            .receipt_handle(h)
            .visibility_timeout(0)
            .send()
            .await
            .expect("visible");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_jobs_queue_makes_the_provider_retry_and_the_retry_finishes_everything() {
    let providers = FakeProviders::start().await;
    let (t, panel) = shop(Some(&providers), &[]).await;
    inviter_and_buyer(&t, 5121, 5122, 1).await;
    let (id, invoice) = cryptopay_order(&t, &providers, 5122, 3).await;
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    // The credit commits, the after-payment job cannot be queued.
    proxy.add("SendMessage", Some("JobsQueue"), 20, Fault::Fail(500));
    let body = cryptopay_update(&id, invoice, "RUB", "199.00", 79);
    assert_eq!(
        routes.handle(body.request()).await.status.as_u16(),
        500,
        "the provider is asked to retry"
    );
    assert_eq!(order(&t, &id).await.status, OrderStatus::Paid);
    let end = t.user(5122).await.expect("buyer").sub_end.expect("days");
    assert_eq!(t.queue_depth("JobsQueue").await, (0, 0), "nothing queued");

    proxy.heal();
    assert_eq!(t.handle(body.request()).await, 200);
    t.drain_outbox().await;
    t.stack.drain_panel_sync().await.expect("sync");
    t.drain_outbox().await;
    assert_eq!(t.user(5122).await.expect("buyer").sub_end, Some(end));
    assert_eq!(panel_expiry(&panel, 5122), Some(end));
    assert!(panel_expiry(&panel, 5121).is_some(), "the inviter's bonus");
    assert_eq!(told(&t, 5122, "✅ Оплата"), 1);
    assert_eq!(told(&t, 5121, "🎁"), 1);
    assert_eq!(told(&t, LOG_CHAT, "💰"), 1);
    assert_eq!(ledger(&t, 5122).await, ["purchase"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_panel_sync_queue_leaves_the_job_and_its_retry_finishes_everything() {
    let providers = FakeProviders::start().await;
    let (t, panel) = shop(Some(&providers), &[]).await;
    inviter_and_buyer(&t, 5101, 5102, 1).await;
    let (id, invoice) = cryptopay_order(&t, &providers, 5102, 3).await;
    let body = cryptopay_update(&id, invoice, "RUB", "199.00", 77);
    assert_eq!(t.handle(body.request()).await, 200);
    assert_eq!(
        order(&t, &id).await.status,
        OrderStatus::Paid,
        "the money is in"
    );

    // The worker cannot queue the panel sync: the job fails and stays.
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    proxy.add("SendMessage", Some("PanelSyncQueue"), 20, Fault::Fail(500));
    let failed = jobs_via(&t, &routes.app).await;
    assert_eq!(failed.len(), 1, "the job is left for SQS's retry");
    t.drain_outbox().await;
    assert_eq!(
        told(&t, 5102, "✅ Оплата"),
        0,
        "no notice before the panel sync is queued"
    );

    // A re-delivered notification meanwhile queues the job again; SQS
    // delivers the failed one again too. Each effect still happens once.
    assert_eq!(t.handle(body.request()).await, 200);
    jobs_visible_again(&t, &failed).await;
    t.drain_outbox().await;
    t.stack.drain_panel_sync().await.expect("sync");
    t.drain_outbox().await;
    let end = t.user(5102).await.expect("buyer").sub_end.expect("days");
    assert_eq!(panel_expiry(&panel, 5102), Some(end));
    assert!(
        panel_expiry(&panel, 5101).is_some(),
        "the inviter's bonus reached the panel"
    );
    assert_eq!(told(&t, 5102, "✅ Оплата"), 1);
    assert_eq!(told(&t, 5101, "🎁"), 1);
    assert_eq!(told(&t, LOG_CHAT, "💰"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_outbox_in_the_worker_is_retried_and_each_notice_goes_once() {
    let providers = FakeProviders::start().await;
    let (t, _panel) = shop(Some(&providers), &[]).await;
    inviter_and_buyer(&t, 5111, 5112, 1).await;
    let (id, invoice) = cryptopay_order(&t, &providers, 5112, 3).await;
    let body = cryptopay_update(&id, invoice, "RUB", "199.00", 78);
    assert_eq!(t.handle(body.request()).await, 200);
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    // The buyer's confirmation is queued, then the outbox fails: the
    // inviter's notice and the log line are left for the retry.
    proxy.add(
        "SendMessage",
        Some("OutboxQueue"),
        1,
        Fault::Before(Arc::new(|| Box::pin(async {}))),
    );
    proxy.add("SendMessage", Some("OutboxQueue"), 20, Fault::Fail(500));
    let failed = jobs_via(&t, &routes.app).await;
    assert_eq!(failed.len(), 1);
    proxy.heal();
    jobs_visible_again(&t, &failed).await;
    t.drain_outbox().await;
    assert_eq!(told(&t, 5112, "✅ Оплата"), 1);
    assert_eq!(told(&t, 5111, "🎁"), 1);
    assert_eq!(told(&t, LOG_CHAT, "💰"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_between_effects_is_finished_by_the_jobs_retry() {
    let (t, panel) = shop(None, &[]).await;
    inviter_and_buyer(&t, 5131, 5132, 1).await;
    let id = stars_invoice(&t, 5132, 3).await;
    let paid = successful_payment(4, 5132, &id.0, 150, "stars-charge-worker-kill");
    assert_eq!(t.update(&paid).await, 200);

    // The worker takes the job and is killed right after marking its
    // first effect (the buyer's panel sync) done.
    let url = t
        .stack
        .app
        .config
        .infra
        .jobs_queue_url
        .clone()
        .expect("jobs");
    let got = t
        .stack
        .app
        .sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    let messages = got.messages.unwrap_or_default();
    assert_eq!(messages.len(), 1, "one job per payment");
    let mut event = aws_lambda_events::event::sqs::SqsEvent::default();
    let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
    record.message_id = messages[0].message_id.clone();
    record.body = messages[0].body.clone();
    event.records.push(record);
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    let cut = Arc::new(Notify::new());
    proxy.add("UpdateItem", Some("ADD fx"), 1, Fault::Cut(cut.clone()));
    let app = routes.app.clone();
    let task =
        tokio::spawn(async move { shared::domains::ops::jobs::handle_jobs(&app, event).await });
    tokio::time::timeout(Duration::from_secs(20), cut.notified())
        .await
        .expect("the first effect was marked");
    task.abort();
    assert!(task.await.is_err(), "the worker was killed, not finished");
    // The inviter's reward (its own transaction) and the buyer's sync.
    let mut done = order(&t, &id).await.effects_done;
    done.sort();
    assert_eq!(done, ["ref_reward", "sync"]);
    t.drain_outbox().await;
    assert_eq!(told(&t, 5132, "✅ Оплата"), 0);

    // SQS hands the job out again once its visibility timeout is over;
    // by then the dead run's lease has run out too.
    jobs_visible_again(&t, &[messages[0].receipt_handle.clone().expect("handle")]).await;
    t.expire_effects_lease(&id).await;
    t.drain_outbox().await;
    t.stack.drain_panel_sync().await.expect("sync");
    t.drain_outbox().await;
    assert_eq!(told(&t, 5132, "✅ Оплата"), 1, "the buyer is told once");
    assert_eq!(told(&t, 5131, "🎁"), 1, "the inviter is told once");
    assert_eq!(told(&t, LOG_CHAT, "💰"), 1, "the admins are told once");
    let end = t.user(5132).await.expect("buyer").sub_end;
    assert_eq!(panel_expiry(&panel, 5132), end, "the buyer's panel follows");
    assert!(panel_expiry(&panel, 5131).is_some(), "the inviter's too");
    assert_eq!(t.queue_depth("JobsQueue").await, (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_number_in_the_wrong_currency_is_flagged_not_credited() {
    let providers = FakeProviders::start().await;
    let (t, _panel) = shop(Some(&providers), &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5121, "Lev", "ru", "/start")).await,
        200
    );
    let (id, invoice) = cryptopay_order(&t, &providers, 5121, 2).await;
    let body = cryptopay_update(&id, invoice, "USD", "199.00", 79);
    assert_eq!(t.handle(body.request()).await, 200);
    assert_eq!(order(&t, &id).await.status, OrderStatus::Pending);
    assert_eq!(t.user(5121).await.expect("u").sub_end, None);
    t.drain_outbox().await;
    assert_eq!(told(&t, LOG_CHAT, "⚠️"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_that_became_paid_between_read_and_commit_is_not_credited_again() {
    let providers = FakeProviders::start().await;
    let (t, _panel) = shop(Some(&providers), &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5131, "Mia", "ru", "/start")).await,
        200
    );
    let (id, invoice) = cryptopay_order(&t, &providers, 5131, 2).await;
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    // Between our read of the order and our transaction, another delivery
    // marks it paid (injected directly into the table).
    proxy.add(
        "TransactWriteItems",
        None,
        1,
        set_status_first(&t, &id, "paid"),
    );
    let body = cryptopay_update(&id, invoice, "RUB", "199.00", 80);
    assert_eq!(routes.handle(body.request()).await.status.as_u16(), 200);
    assert_eq!(
        t.user(5131).await.expect("u").sub_end,
        None,
        "the condition stopped the credit"
    );
    assert!(ledger(&t, 5131).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_balance_change_between_read_and_commit_cannot_overdraw() {
    let (t, _panel) = shop(None, &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5141, "Nik", "ru", "/start")).await,
        200
    );
    t.stack
        .app
        .store
        .add_balance(TelegramId(5141), 19_900)
        .await
        .expect("balance");
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    // An admin adjustment takes the money while the purchase is in flight;
    // it leaves the subscription end alone, so only `balance >= price`
    // stands between the user and a negative balance.
    let store = t.stack.app.store.clone();
    proxy.add(
        "TransactWriteItems",
        None,
        1,
        Fault::Before(Arc::new(move || {
            let store = store.clone();
            Box::pin(async move {
                store
                    .add_balance(TelegramId(5141), -15_000)
                    .await
                    .expect("adjusted");
            })
        })),
    );
    let press = callback_update(2, 5141, "payb:1m:0_0", 1);
    assert_eq!(
        routes
            .handle(telegram_request(&press))
            .await
            .status
            .as_u16(),
        200
    );
    let user = t.user(5141).await.expect("u");
    assert_eq!(user.balance.0, 4_900, "nothing debited");
    assert_eq!(user.sub_end, None);

    // Topped up, the button drawn again is a new purchase (the refused one
    // does not block it).
    t.stack
        .app
        .store
        .add_balance(TelegramId(5141), 15_000)
        .await
        .expect("balance");
    let stamp = shared::base::callback::balance_stamp(None, 19_900);
    let press = callback_update(3, 5141, &format!("payb:1m:{stamp}"), 1);
    assert_eq!(t.update(&press).await, 200);
    let user = t.user(5141).await.expect("u");
    assert_eq!(user.balance.0, 0);
    assert!(user.sub_end.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_balance_button_pressed_twice_or_redelivered_debits_once() {
    let (t, _panel) = shop(None, &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5151, "Ada", "ru", "/start")).await,
        200
    );
    t.stack
        .app
        .store
        .add_balance(TelegramId(5151), 60_000)
        .await
        .expect("balance");
    assert_eq!(
        t.update(&callback_update(2, 5151, "plan:1m", 40)).await,
        200
    );
    let data = buttons(&last_screen(&t));
    let pay = data
        .iter()
        .find(|d| d.starts_with("payb:1m:"))
        .expect("balance offered")
        .clone();

    // A double tap: two presses of the same button, at once.
    let (first, second) = (
        callback_update(3, 5151, &pay, 40),
        callback_update(4, 5151, &pay, 40),
    );
    let (a, b) = tokio::join!(t.update(&first), t.update(&second));
    assert_eq!((a, b), (200, 200));
    let user = t.user(5151).await.expect("u");
    assert_eq!(user.balance.0, 60_000 - 19_900, "debited once");
    let end = user.sub_end.expect("days");

    // The press is re-delivered after the function died past the debit.
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    assert_eq!(
        t.update(&callback_update(5, 5151, "plan:1m", 41)).await,
        200
    );
    let again = format!(
        "payb:1m:{}",
        shared::base::callback::balance_stamp(Some(end), 60_000 - 19_900)
    );
    let cut = Arc::new(Notify::new());
    proxy.add("TransactWriteItems", None, 1, Fault::Cut(cut.clone()));
    let press = callback_update(6, 5151, &again, 41);
    killed_after(routes, telegram_request(&press), cut).await;
    let paid_order = t
        .stack
        .app
        .store
        .ledger_page(TelegramId(5151), None, 1)
        .await
        .expect("ledger")
        .0;
    assert_eq!(paid_order.len(), 1, "the second purchase committed");
    expire_all_leases(&t, 5151).await;
    assert_eq!(
        t.update(&press).await,
        200,
        "Telegram re-delivers the press"
    );
    let user = t.user(5151).await.expect("u");
    assert_eq!(
        user.balance.0,
        60_000 - 2 * 19_900,
        "the second purchase, once"
    );
    t.drain_outbox().await;
    assert_eq!(
        told(&t, 5151, "✅ Оплата"),
        2,
        "each purchase confirmed once"
    );
    assert_eq!(ledger(&t, 5151).await, ["purchase", "purchase"]);
}

/// Lets the effects' leases of every order of `user` run out.
async fn expire_all_leases(t: &TestStack, user: i64) {
    let out = t
        .stack
        .app
        .store
        .client()
        .query()
        .table_name(&t.stack.app.config.infra.table_name)
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("ORDERS#{user}")),
        )
        .send()
        .await
        .expect("orders");
    for item in out.items() {
        if let Some(Ok(id)) = item.get("order_id").map(|v| v.as_s()) {
            t.expire_effects_lease(&OrderId(id.clone())).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_period_cannot_be_bought_by_any_button() {
    let providers = FakeProviders::start().await;
    let (t, _panel) = shop(Some(&providers), &[("MONTHS_12_ENABLED", "false")]).await;
    assert_eq!(
        t.update(&text_update(1, 5161, "Ira", "ru", "/start")).await,
        200
    );
    t.stack
        .app
        .store
        .add_balance(TelegramId(5161), 500_000)
        .await
        .expect("balance");
    for (i, data) in [
        "payb:12m:0",
        "pay:12m:balance",
        "pay:12m:cryptopay",
        "pay:12m:yookassa",
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(
            t.update(&callback_update(10 + i as i64, 5161, data, 1))
                .await,
            200
        );
    }
    let user = t.user(5161).await.expect("u");
    assert_eq!(user.balance.0, 500_000);
    assert_eq!(user.sub_end, None);
    assert!(
        providers
            .requests_to(Api::Cryptopay)
            .iter()
            .all(|r| r.path != "/createInvoice")
    );
    assert!(providers.requests_to(Api::Yookassa).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unverified_updates_move_no_money_and_run_no_admin_command() {
    let (t, _panel) = shop(None, &[("WEBHOOK_VALIDATION_ENABLED", "false")]).await;
    assert_eq!(
        t.update(&text_update(1, 9000, "Admin", "ru", "/start"))
            .await,
        200
    );
    assert_eq!(
        t.update(&text_update(2, 5171, "Tim", "ru", "/start")).await,
        200
    );
    t.stack
        .app
        .store
        .add_balance(TelegramId(5171), 50_000)
        .await
        .expect("balance");
    assert_eq!(
        t.update(&callback_update(3, 5171, "payb:1m:0_0", 1)).await,
        200
    );
    assert_eq!(
        t.user(5171).await.expect("u").balance.0,
        50_000,
        "nothing spent"
    );
    assert_eq!(
        t.update(&text_update(4, 9000, "Admin", "ru", "/sync"))
            .await,
        200
    );
    assert_eq!(
        t.update(&text_update(
            5,
            9000,
            "Admin",
            "ru",
            "/refund 0123456789abcdef0123456789abcdef"
        ))
        .await,
        200
    );
    assert!(t.telegram.calls_of("refundStarPayment").is_empty());
    assert_eq!(
        t.stack.drain_jobs().await.expect("jobs").handled,
        0,
        "no reconciliation"
    );
    t.drain_outbox().await;
    let told_admins = mentions(&t, LOG_CHAT, "WEBHOOK_VALIDATION_ENABLED");
    assert_eq!(told_admins, 1, "the admins are told once");
}

/// Buys `data` through YooKassa and has it paid; returns the order.
async fn yookassa_paid(
    t: &TestStack,
    providers: &FakeProviders,
    user: i64,
    data: &str,
    update_id: i64,
) -> OrderId {
    let id = press_pay(t, providers, user, data, update_id).await;
    let payment_id = provider_ref(t, &id).await;
    providers.set_payment_status(&payment_id, "succeeded", false);
    let paid = yookassa_payment(&payment_id, "payment.succeeded", "succeeded", "1.00");
    assert_eq!(t.handle(paid.request()).await, 200);
    assert_eq!(order(t, &id).await.status, OrderStatus::Paid);
    id
}

/// YooKassa refunds `id` in full (`refund_id`) and notifies us; the status
/// we answer.
async fn yookassa_refund(
    t: &TestStack,
    providers: &FakeProviders,
    id: &OrderId,
    refund_id: &str,
) -> u16 {
    let o = order(t, id).await;
    let payment_id = o.provider_ref.expect("payment id");
    let value = format!("{}.{:02}", o.amount.minor() / 100, o.amount.minor() % 100);
    providers.insert_refund(json!({
        "id": refund_id, "payment_id": payment_id, "status": "succeeded",
        "amount": {"value": value, "currency": "RUB"}, "created_at": "2026-11-21T09:00:00.000Z"
    }));
    t.handle(signed::yookassa_refund(refund_id, &payment_id, &value).request())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_takes_back_exactly_the_days_it_granted_and_the_panel_follows() {
    let providers = FakeProviders::start().await;
    let (t, panel) = shop(Some(&providers), &[]).await;
    inviter_and_buyer(&t, 5201, 5202, 1).await;
    let first = yookassa_paid(&t, &providers, 5202, "pay:1m:yookassa", 3).await;
    t.drain_jobs().await;
    let after_first = t.user(5202).await.expect("b").sub_end.expect("days");
    let inviter_after = t.user(5201).await.expect("i").sub_end.expect("bonus");
    assert!(close(inviter_after, now() + 7 * DAY));
    let _second = yookassa_paid(&t, &providers, 5202, "pay:3m:yookassa", 4).await;
    let after_second = t.user(5202).await.expect("b").sub_end.expect("days");
    assert_eq!(after_second, after_first + 90 * DAY);
    t.stack.drain_panel_sync().await.expect("sync");

    // The first purchase (30 days + the referee's 3) is refunded.
    assert_eq!(
        yookassa_refund(&t, &providers, &first, "rf-money-1").await,
        200
    );
    let end = t.user(5202).await.expect("b").sub_end.expect("days");
    assert_eq!(
        end,
        after_second - 33 * DAY,
        "exactly the days the first order granted"
    );
    let inviter_end = t.user(5201).await.expect("i").sub_end.expect("end");
    assert!(
        close(inviter_end, now()),
        "the inviter's 7 days are taken back"
    );
    assert_eq!(order(&t, &first).await.status, OrderStatus::Refunded);
    t.stack.drain_panel_sync().await.expect("sync");
    assert_eq!(
        panel_expiry(&panel, 5202),
        Some(end),
        "access ends when the days end"
    );
    assert!(
        inviter_end <= now() && ended_now(panel_expiry(&panel, 5201)),
        "the inviter's access ends with the bonus"
    );
    let kinds = ledger(&t, 5202).await;
    assert!(kinds.contains(&"refund".to_owned()), "{kinds:?}");
    assert!(
        ledger(&t, 5201)
            .await
            .contains(&"referral_bonus_revoked".to_owned())
    );

    // Delivered again: nothing more is taken.
    assert_eq!(
        yookassa_refund(&t, &providers, &first, "rf-money-1").await,
        200
    );
    assert_eq!(t.user(5202).await.expect("b").sub_end, Some(end));

    // Reconciliation finds the panel's older, longer end and must not undo
    // the refund.
    panel.set_expire(&format!("tg_{}", 5202), after_second);
    assert_eq!(
        t.update(&text_update(9, 9000, "Admin", "ru", "/start"))
            .await,
        200
    );
    assert_eq!(
        t.update(&text_update(10, 9000, "Admin", "ru", "/sync"))
            .await,
        200
    );
    t.stack.drain_jobs().await.expect("jobs");
    assert_eq!(
        t.user(5202).await.expect("b").sub_end,
        Some(end),
        "the refund stands"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refunded_top_up_takes_the_money_back_and_a_spent_part_is_recorded() {
    let providers = FakeProviders::start().await;
    let (t, _panel) = shop(Some(&providers), &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5211, "Pia", "ru", "/start")).await,
        200
    );
    let topup = yookassa_paid(&t, &providers, 5211, "tpay:300:yookassa", 2).await;
    assert_eq!(t.user(5211).await.expect("u").balance.0, 30_000);
    // 199 of the 300 are spent on a month.
    assert_eq!(
        t.update(&callback_update(3, 5211, "payb:1m:0_0", 5)).await,
        200
    );
    assert_eq!(t.user(5211).await.expect("u").balance.0, 10_100);
    assert_eq!(
        yookassa_refund(&t, &providers, &topup, "rf-money-2").await,
        200
    );
    assert_eq!(
        t.user(5211).await.expect("u").balance.0,
        0,
        "never below zero"
    );
    let kinds = ledger(&t, 5211).await;
    assert!(kinds.contains(&"refund_shortfall".to_owned()), "{kinds:?}");
    t.drain_outbox().await;
    assert_eq!(told(&t, LOG_CHAT, "⚠️"), 1, "the shortfall is flagged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stars_refund_ends_access_and_admin_refund_says_what_was_recorded() {
    let (t, panel) = shop(None, &[]).await;
    assert_eq!(
        t.update(&text_update(1, 9000, "Admin", "ru", "/start"))
            .await,
        200
    );
    assert_eq!(
        t.update(&text_update(2, 5221, "Ron", "ru", "/start")).await,
        200
    );
    let id = stars_invoice(&t, 5221, 3).await;
    assert_eq!(
        t.update(&successful_payment(4, 5221, &id.0, 150, "stars-charge-rf"))
            .await,
        200
    );
    t.stack.drain_panel_sync().await.expect("sync");
    assert!(panel_expiry(&panel, 5221).is_some());
    assert_eq!(
        t.update(&text_update(
            5,
            9000,
            "Admin",
            "ru",
            &format!("/refund {id}")
        ))
        .await,
        200
    );
    assert_eq!(t.telegram.calls_of("refundStarPayment").len(), 1);
    let end = t.user(5221).await.expect("u").sub_end.expect("end");
    assert!(close(end, now()), "the month is taken back");
    t.stack.drain_panel_sync().await.expect("sync");
    assert!(
        ended_now(panel_expiry(&panel, 5221)),
        "access ends with the days"
    );
    // Telegram then reports the refund: nothing more happens.
    let refunded = json!({"update_id": 6, "message": {
        "message_id": 6, "date": 1_700_000_000,
        "from": {"id": 5221, "is_bot": false, "first_name": "Ron"},
        "chat": {"id": 5221, "type": "private", "first_name": "Ron"},
        "refunded_payment": {"currency": "XTR", "total_amount": 150, "invoice_payload": id.0,
            "telegram_payment_charge_id": "stars-charge-rf"}
    }});
    assert_eq!(t.update(&refunded).await, 200);
    assert_eq!(t.user(5221).await.expect("u").sub_end, Some(end));
    assert_eq!(
        ledger(&t, 5221)
            .await
            .iter()
            .filter(|k| *k == "refund")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_payment_for_an_expired_order_is_credited_and_an_unknown_one_recorded() {
    let providers = FakeProviders::start().await;
    let (t, _panel) = shop(Some(&providers), &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5231, "Eva", "ru", "/start")).await,
        200
    );
    let id = press_pay(&t, &providers, 5231, "pay:1m:freekassa", 2).await;
    // Days pass: the order is marked expired (never deleted).
    assert!(
        t.stack
            .app
            .store
            .expire_order(&id, now() + 4 * DAY)
            .await
            .expect("expire")
    );
    assert_eq!(order(&t, &id).await.status, OrderStatus::Expired);
    let body = freekassa_paid("199", &id.0, "fk-late-1");
    assert_eq!(t.handle(body.request()).await, 200);
    assert_eq!(
        order(&t, &id).await.status,
        OrderStatus::Paid,
        "the user paid"
    );
    assert!(t.user(5231).await.expect("u").sub_end.is_some());

    // A payment for an order that never existed: recorded, flagged once,
    // answered as settled.
    let ghost = freekassa_paid("199", "0badc0de0badc0de0badc0de0badc0de", "fk-ghost-1");
    for _ in 0..2 {
        let resp = t.handle(ghost.request()).await;
        assert_eq!(resp, 200);
    }
    // An authentic form whose amount we cannot read: the same.
    let odd = freekassa_paid("1,99e2", &id.0, "fk-odd-1");
    assert_eq!(t.handle(odd.request()).await, 200);
    t.drain_outbox().await;
    assert_eq!(
        told(&t, LOG_CHAT, "⚠️"),
        2,
        "the ghost once, the odd amount once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_storage_failure_answers_5xx_to_every_provider() {
    let providers = FakeProviders::start().await;
    let (t, _panel) = shop(Some(&providers), &[]).await;
    assert_eq!(
        t.update(&text_update(1, 5241, "Uma", "ru", "/start")).await,
        200
    );
    let (cp_order, invoice) = cryptopay_order(&t, &providers, 5241, 2).await;
    let stars = stars_invoice(&t, 5241, 4).await;
    let yk_order = press_pay(&t, &providers, 5241, "pay:1m:yookassa", 5).await;
    let payment_id = provider_ref(&t, &yk_order).await;
    providers.set_payment_status(&payment_id, "succeeded", false);
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    for op in [
        "GetItem",
        "TransactWriteItems",
        "PutItem",
        "UpdateItem",
        "Query",
    ] {
        proxy.add(op, None, 1000, Fault::Fail(500));
    }
    let cp = cryptopay_update(&cp_order, invoice, "RUB", "199.00", 90);
    assert_eq!(routes.handle(cp.request()).await.status.as_u16(), 500);
    let fk = routes
        .handle(freekassa_paid("199", &cp_order.0, "fk-down-1").request())
        .await;
    assert_eq!(fk.status.as_u16(), 500, "FreeKassa is not told YES");
    assert_ne!(&fk.body[..], b"YES");
    let paid = successful_payment(5, 5241, &stars.0, 150, "stars-charge-down-2");
    assert_eq!(
        routes.handle(telegram_request(&paid)).await.status.as_u16(),
        500
    );
    let body = yookassa_payment(&payment_id, "payment.succeeded", "succeeded", "1.00");
    let yk = routes.handle(body.request()).await;
    assert_eq!(yk.status.as_u16(), 500, "yookassa");
}

/// A Tribute `new_subscription` of `user` to `subscription_id`, period
/// `period_id`, for `price` minor units of `currency`, sent `at`.
fn tribute_event(
    user: i64,
    subscription_id: u64,
    period_id: u64,
    price: u64,
    currency: &str,
    at: &str,
) -> Webhook {
    tribute(&TributeEvent {
        user,
        subscription_id,
        period_id,
        price,
        currency,
        at,
        ..Default::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tribute_pays_only_for_the_operators_products_at_their_price() {
    let (t, _panel) = shop(
        None,
        &[
            ("TRIBUTE_ENABLED", "true"),
            ("TRIBUTE_API_KEY", TRIBUTE_API_KEY),
            (
                "TRIBUTE_LINK_1_MONTH",
                "https://t.me/tribute/app?startapp=sMoney",
            ),
            ("TRIBUTE_SUBSCRIPTION_IDS", "8800"),
            ("TRIBUTE_PERIOD_ID_1_MONTH", "8801"),
        ],
    )
    .await;
    assert_eq!(
        t.update(&text_update(1, 5301, "Tom", "ru", "/start")).await,
        200
    );
    // Another product of the same Tribute account, a wrong period, a wrong
    // price, a wrong currency: recorded, flagged, nothing credited.
    for (i, (sub, period, price, cur)) in [
        (9900, 8801, 19_900, "rub"),
        (8800, 8899, 19_900, "rub"),
        (8800, 8801, 100, "rub"),
        (8800, 8801, 19_900, "eur"),
    ]
    .into_iter()
    .enumerate()
    {
        let at = format!("2026-11-21T10:00:0{i}.000Z");
        let body = tribute_event(5301, sub, period, price, cur, &at);
        assert_eq!(t.handle(body.request()).await, 200);
    }
    assert_eq!(t.user(5301).await.and_then(|u| u.sub_end), None);
    t.drain_outbox().await;
    assert_eq!(told(&t, LOG_CHAT, "⚠️"), 4);
    // The product the operator sells, at its price: credited.
    let body = tribute_event(5301, 8800, 8801, 19_900, "rub", "2026-11-21T11:00:00.000Z");
    assert_eq!(t.handle(body.request()).await, 200);
    let end = t
        .user(5301)
        .await
        .and_then(|u| u.sub_end)
        .expect("credited");
    assert!(close(end, now() + 30 * DAY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tribute_payer_who_never_opened_the_bot_is_credited_once_and_retries_settle() {
    let (t, _panel) = shop(
        None,
        &[
            ("TRIBUTE_ENABLED", "true"),
            ("TRIBUTE_API_KEY", TRIBUTE_API_KEY),
            ("TRIBUTE_SUBSCRIPTION_IDS", "8800"),
        ],
    )
    .await;
    let body = tribute_event(5311, 8800, 8801, 19_900, "rub", "2026-11-22T09:00:00.000Z");
    // The first delivery dies right after the commit.
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    let cut = Arc::new(Notify::new());
    proxy.add("TransactWriteItems", None, 1, Fault::Cut(cut.clone()));
    killed_after(routes, body.request(), cut).await;
    expire_all_leases(&t, 5311).await;
    // Re-delivered: the effects are finished, not a 5xx loop for a user who
    // has no profile in the bot yet.
    assert_eq!(t.handle(body.request()).await, 200);
    assert_eq!(t.handle(body.request()).await, 200);
    let payer = t
        .stack
        .app
        .store
        .get_payer(TelegramId(5311))
        .await
        .expect("store")
        .expect("credited payer");
    assert!(close(payer.sub_end.expect("days"), now() + 30 * DAY));
    assert_eq!(ledger(&t, 5311).await, ["purchase"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_refund_says_so_when_nothing_was_recorded() {
    let (t, _panel) = shop(None, &[]).await;
    assert_eq!(
        t.update(&text_update(1, 9000, "Admin", "ru", "/start"))
            .await,
        200
    );
    assert_eq!(
        t.update(&text_update(2, 5321, "Kim", "ru", "/start")).await,
        200
    );
    let id = stars_invoice(&t, 5321, 3).await;
    assert_eq!(
        t.update(&successful_payment(
            4,
            5321,
            &id.0,
            150,
            "stars-charge-race"
        ))
        .await,
        200
    );
    // While the admin's refund is on its way, Telegram's own refund report
    // records it first.
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    proxy.add(
        "TransactWriteItems",
        None,
        1,
        set_status_first(&t, &id, "refunded"),
    );
    let cmd = text_update(5, 9000, "Admin", "ru", &format!("/refund {id}"));
    assert_eq!(
        routes.handle(telegram_request(&cmd)).await.status.as_u16(),
        200
    );
    let reply = t.telegram.sent_to(9000).pop().expect("reply");
    let text = reply.body["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("⚠️") && text.contains(&id.0),
        "the admin is told nothing was recorded: {text}"
    );
}

/// The admin's last screen or reply.
fn admin_text(t: &TestStack) -> String {
    text(&last_to(t, 9000))
}

async fn audited_refunds(t: &TestStack) -> usize {
    t.stack
        .app
        .store
        .audit_page(None, None, 100)
        .await
        .expect("audit")
        .0
        .iter()
        .filter(|a| a.action == "refund")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_refunds_a_yookassa_payment_once_and_its_notification_takes_nothing_more() {
    let providers = FakeProviders::start().await;
    let (t, panel) = shop(Some(&providers), &[]).await;
    inviter_and_buyer(&t, 5301, 5302, 1).await;
    let paid = yookassa_paid(&t, &providers, 5302, "pay:1m:yookassa", 3).await;
    let before = t.user(5302).await.expect("b").sub_end.expect("days");
    t.stack.drain_panel_sync().await.expect("sync");
    let press = |id: i64, data: String| {
        let t = &t;
        async move {
            assert_eq!(t.update(&callback_update(id, 9000, &data, 1)).await, 200);
        }
    };
    press(10, format!("adm:po:{}", paid.0)).await;
    let detail = t
        .telegram
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.body["chat_id"].as_i64() == Some(9000))
        .expect("detail");
    assert!(
        detail
            .body
            .to_string()
            .contains(&format!("adm:prf:{}", paid.0)),
        "a Refund button"
    );

    // YooKassa refuses: the reason is shown, nothing changes.
    providers.fail_next(
        Api::Yookassa,
        400,
        json!({"type": "error", "id": "e1", "code": "invalid_request",
               "description": "Refund is not available for this payment method"}),
    );
    press(11, format!("adm:rf:{}", paid.0)).await;
    assert!(
        admin_text(&t).contains("Refund is not available for this payment method"),
        "{}",
        admin_text(&t)
    );
    assert_eq!(order(&t, &paid).await.status, OrderStatus::Paid);
    assert_eq!(t.user(5302).await.expect("b").sub_end, Some(before));
    assert_eq!(audited_refunds(&t).await, 0);

    // Accepted: the full amount, a key derived from the order, Basic auth.
    press(12, format!("adm:rf:{}", paid.0)).await;
    let posts: Vec<_> = providers
        .requests_to(Api::Yookassa)
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.trim_matches('/') == "refunds")
        .collect();
    assert_eq!(posts.len(), 2, "the refused one and this one");
    let key = posts[1].header("idempotence-key").expect("key").to_owned();
    assert_eq!(key, format!("refund-{}", paid.0));
    assert_eq!(posts[1].body["amount"]["value"], "199.00");
    assert_eq!(posts[1].body["amount"]["currency"], "RUB");
    assert_eq!(order(&t, &paid).await.status, OrderStatus::Refunded);
    let end = t.user(5302).await.expect("b").sub_end.expect("days");
    assert!(
        end < before - 32 * DAY && close(end, now()),
        "the order's days and the referee's bonus are taken back"
    );
    let inviter_end = t.user(5301).await.expect("i").sub_end.expect("end");
    assert!(
        close(inviter_end, now()),
        "the inviter's bonus is taken back"
    );
    assert!(ledger(&t, 5302).await.contains(&"refund".to_owned()));
    assert_eq!(audited_refunds(&t).await, 1);
    // The buyer is told what was refunded; the inviter that their bonus
    // days went with it. The buyer's confirmation had named their own bonus.
    t.drain_outbox().await;
    assert_eq!(
        mentions(
            &t,
            5302,
            "3 бонусных дня — за то, что вы пришли по приглашению"
        ),
        1,
        "{:?}",
        e2e::story::texts_to(&t, 5302)
    );
    let buyer_told = || mentions(&t, 5302, "(подписка на 1 месяц) возвращён");
    let inviter_told = || mentions(&t, 5301, "7 бонусных дней за него сняты");
    assert_eq!(buyer_told(), 1, "{:?}", e2e::story::texts_to(&t, 5302));
    assert_eq!(inviter_told(), 1, "{:?}", e2e::story::texts_to(&t, 5301));
    t.stack.drain_panel_sync().await.expect("sync");
    assert!(
        ended_now(panel_expiry(&panel, 5302)),
        "access ends with the days"
    );

    // A retry of the same refund (a double tap that read the order before
    // the first finished): YooKassa answers the first refund, nothing more
    // is taken.
    let mut stale = order(&t, &paid).await;
    stale.status = OrderStatus::Paid;
    let again = shared::domains::money::refunds::yookassa_refund(&t.stack.app, &stale)
        .await
        .expect("answered");
    assert!(
        matches!(
            &again,
            shared::domains::money::refunds::YooRefundOutcome::Recorded(r)
                if matches!(**r, shared::domains::money::orders::Refund::Already(_))
        ),
        "{again:?}"
    );
    // The pressed button again: the order is refunded, nothing is asked.
    press(13, format!("adm:rf:{}", paid.0)).await;
    assert_eq!(t.user(5302).await.expect("b").sub_end, Some(end));
    assert_eq!(t.user(5301).await.expect("i").sub_end, Some(inviter_end));
    t.drain_outbox().await;
    assert_eq!((buyer_told(), inviter_told()), (1, 1), "told once");

    // YooKassa's refund.succeeded for the same refund: nothing more taken.
    let created = providers
        .requests_to(Api::Yookassa)
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.trim_matches('/') == "refunds")
        .count();
    assert_eq!(created, 3, "the retry asked again with the same key");
    let refund = providers.refunds_of(&order(&t, &paid).await.provider_ref.expect("payment id"));
    assert_eq!(refund.len(), 1, "one refund at YooKassa");
    assert_eq!(
        yookassa_refund(&t, &providers, &paid, &refund[0]).await,
        200
    );
    assert_eq!(t.user(5302).await.expect("b").sub_end, Some(end));
    assert_eq!(t.user(5301).await.expect("i").sub_end, Some(inviter_end));
    assert_eq!(
        ledger(&t, 5302)
            .await
            .iter()
            .filter(|k| k.as_str() == "refund")
            .count(),
        1
    );
}
