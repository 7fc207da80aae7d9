//! The steps of a user's story (start the bot, be invited, press a button,
//! press pay) and readers for what the fake Telegram received and what the
//! store holds afterwards.

use crate::fake_panel::FakePanel;
use crate::fake_providers::{Api, FakeProviders};
use crate::fake_telegram::Call;
use crate::{TestStack, callback_update, text_update};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use shared::adapters::pay::OrderId;
use shared::adapters::store::keys::{expiry_pk, expiry_sk};
use shared::base::types::TelegramId;
use shared::domains::money::orders::{LedgerRow, Order};

// ------------------------------------------------------------------- readers

/// The text of a message or an edit the bot sent (empty if none).
pub fn text(call: &Call) -> String {
    call.body["text"].as_str().unwrap_or_default().to_owned()
}

/// Every inline button of a message, row by row, as Telegram got it.
pub fn keyboard(call: &Call) -> Vec<Value> {
    call.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .collect()
}

/// The `callback_data` of a message's inline buttons, row by row.
pub fn buttons(call: &Call) -> Vec<String> {
    keyboard(call)
        .iter()
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect()
}

/// The URL of a message's first button (a payment link).
pub fn first_url(call: &Call) -> Option<String> {
    call.body["reply_markup"]["inline_keyboard"][0][0]["url"]
        .as_str()
        .map(str::to_owned)
}

/// The bytes of an uploaded `sendPhoto` photo (the fake keeps uploads as hex).
pub fn photo(call: &Call) -> Option<Vec<u8>> {
    call.body["photo"]["hex"]
        .as_str()
        .and_then(|h| hex::decode(h).ok())
}

/// The texts of everything sent to `chat` (messages, edits, photos), in order.
pub fn texts_to(t: &TestStack, chat: i64) -> Vec<String> {
    t.telegram.sent_to(chat).iter().map(text).collect()
}

/// How many messages sent to `chat` start with `prefix`.
pub fn told(t: &TestStack, chat: i64, prefix: &str) -> usize {
    texts_to(t, chat)
        .iter()
        .filter(|m| m.starts_with(prefix))
        .count()
}

/// How many messages sent to `chat` contain `needle`.
pub fn mentions(t: &TestStack, chat: i64, needle: &str) -> usize {
    texts_to(t, chat)
        .iter()
        .filter(|m| m.contains(needle))
        .count()
}

/// The last screen shown after a button press (the last `editMessageText`).
pub fn last_screen(t: &TestStack) -> Call {
    t.telegram
        .calls_of("editMessageText")
        .pop()
        .expect("a screen was shown")
}

/// The last message or edit sent to `chat`.
pub fn last_to(t: &TestStack, chat: i64) -> Call {
    t.telegram
        .calls()
        .into_iter()
        .rev()
        .find(|c| {
            matches!(c.method.as_str(), "sendmessage" | "editmessagetext")
                && c.body["chat_id"].as_i64() == Some(chat)
        })
        .expect("a screen was sent")
}

/// The stored order.
pub async fn order(t: &TestStack, id: &OrderId) -> Order {
    t.stack
        .app
        .store
        .get_order(id)
        .await
        .expect("store")
        .expect("order")
}

/// The user's ledger rows, newest first (up to 50).
pub async fn ledger(t: &TestStack, user: i64) -> Vec<LedgerRow> {
    let (rows, _) = t
        .stack
        .app
        .store
        .ledger_page(TelegramId(user), None, 50)
        .await
        .expect("ledger");
    rows
}

/// The kinds of the user's ledger rows (`purchase`, `refund`, …), newest first.
pub async fn ledger_kinds(t: &TestStack, user: i64) -> Vec<String> {
    ledger(t, user).await.into_iter().map(|r| r.kind).collect()
}

/// The panel's expiry for Telegram user `user` (`tg_<user>`), as the fake
/// panel holds it.
pub fn panel_expiry(panel: &FakePanel, user: i64) -> Option<i64> {
    let u = panel.user_named(&format!("tg_{user}"))?;
    shared::adapters::panel::parse_time(u["expireAt"].as_str()?)
}

/// Two times at most two minutes apart.
pub fn close(a: i64, b: i64) -> bool {
    (a - b).abs() <= 120
}

// ----------------------------------------------------------------- schedule

/// Sets the user's subscription to end at `end`, with the day key crediting
/// writes beside it (so the scheduler finds it).
pub async fn ends_at(t: &TestStack, id: i64, end: i64) {
    t.set_sub_end(id, end).await;
    t.set_user_attr(id, "GSI2PK", AttributeValue::S(expiry_pk(end)))
        .await;
    t.set_user_attr(
        id,
        "GSI2SK",
        AttributeValue::S(expiry_sk(TelegramId(id), end)),
    )
    .await;
}

/// Deletes the scheduler's cursor: its next run starts from scratch.
pub async fn forget_cursor(t: &TestStack) {
    t.stack
        .app
        .store
        .client()
        .delete_item()
        .table_name(t.stack.app.store.table())
        .key("PK", AttributeValue::S("SCHED".into()))
        .key("SK", AttributeValue::S("CURSOR".into()))
        .send()
        .await
        .expect("cursor deleted");
}

/// Runs the scheduler at `at`, then every job it queued (none may fail),
/// then the outbox; returns (jobs queued, messages delivered).
pub async fn run_at(t: &TestStack, at: i64) -> (usize, usize) {
    let tick = shared::domains::schedule::tick::run(&t.stack.app, at)
        .await
        .expect("scheduler runs");
    let jobs = t.stack.drain_jobs().await.expect("jobs drain");
    assert_eq!(jobs.failed, 0, "no job failed");
    (tick.queued, t.drain_outbox().await)
}

// ------------------------------------------------------------------- stories

/// `user` (named `name`, speaking `lang`) sends `text`; the webhook says 200.
pub async fn say(t: &TestStack, update_id: i64, user: i64, name: &str, lang: &str, text: &str) {
    assert_eq!(
        t.update(&text_update(update_id, user, name, lang, text))
            .await,
        200
    );
}

/// `user` (named `name`, speaking `lang`) opens the bot with `/start`.
pub async fn start(t: &TestStack, update_id: i64, user: i64, name: &str, lang: &str) {
    say(t, update_id, user, name, lang, "/start").await;
}

/// `user`, Ann, opens the bot in `lang`: registered.
pub async fn register(t: &TestStack, update_id: i64, user: i64, lang: &str) {
    start(t, update_id, user, "Ann", lang).await;
}

/// The inviter (Ivan) opens the bot, then the buyer (Boris) comes from
/// their referral link; update ids `base` and `base + 1`.
pub async fn inviter_and_buyer(t: &TestStack, inviter: i64, buyer: i64, base: i64) {
    start(t, base, inviter, "Ivan", "ru").await;
    let code = t.user(inviter).await.expect("inviter").ref_code;
    say(
        t,
        base + 1,
        buyer,
        "Boris",
        "ru",
        &format!("/start ref_{code}"),
    )
    .await;
    assert_eq!(
        t.user(buyer).await.expect("buyer").referrer,
        Some(TelegramId(inviter))
    );
}

/// `user` presses the inline button with `data`; the webhook says 200.
pub async fn press(t: &TestStack, update_id: i64, user: i64, data: &str) {
    assert_eq!(
        t.update(&callback_update(update_id, user, data, 1)).await,
        200
    );
}

/// `user` presses a pay button (`pay:<period>:<provider>` or any whose
/// screen is a payment link); returns our order id, read where the provider
/// got it (YooKassa's metadata, Crypto Pay's invoice payload, FreeKassa's
/// link).
pub async fn press_pay(
    t: &TestStack,
    providers: &FakeProviders,
    user: i64,
    data: &str,
    update_id: i64,
) -> OrderId {
    press(t, update_id, user, data).await;
    let screen = last_screen(t);
    let url = first_url(&screen).unwrap_or_else(|| panic!("a pay button: {}", screen.body));
    let id = match data.rsplit(':').next().unwrap_or_default() {
        "yookassa" => {
            assert!(url.contains("yoomoney"), "{url}");
            providers
                .requests_to(Api::Yookassa)
                .into_iter()
                .rev()
                .find(|r| r.method == "POST")
                .expect("payment created")
                .body["metadata"]["order_id"]
                .as_str()
                .expect("order id")
                .to_owned()
        }
        "cryptopay" => {
            assert!(url.starts_with("https://t.me/CryptoTestnetBot"), "{url}");
            providers
                .requests_to(Api::Cryptopay)
                .into_iter()
                .rev()
                .find(|r| r.path == "/createInvoice")
                .expect("invoice created")
                .body["payload"]
                .as_str()
                .expect("payload")
                .to_owned()
        }
        _ => reqwest::Url::parse(&url)
            .expect("form url")
            .query_pairs()
            .find(|(k, _)| k == "o")
            .map(|(_, v)| v.into_owned())
            .expect("o="),
    };
    OrderId(id)
}

/// `user` presses a Stars pay button (`pay:1m:stars`); returns the order id
/// in the invoice Telegram was asked to send.
pub async fn press_stars(t: &TestStack, user: i64, data: &str, update_id: i64) -> OrderId {
    press(t, update_id, user, data).await;
    let invoice = t
        .telegram
        .calls_of("sendInvoice")
        .pop()
        .expect("invoice sent");
    OrderId(
        invoice.body["payload"]
            .as_str()
            .expect("payload")
            .to_owned(),
    )
}

/// The provider's reference of an order (YooKassa payment id, Crypto Pay
/// invoice id), as the bot stored it.
pub async fn provider_ref(t: &TestStack, id: &OrderId) -> String {
    order(t, id).await.provider_ref.expect("provider reference")
}
