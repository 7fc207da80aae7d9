//! The outbox consumer against the fake Bot API: flood limits, blocked users,
//! refused messages and outages.

use e2e::TestStack;
use serde_json::json;
use shared::adapters::outbox::{Button, OutgoingText};
use shared::base::types::TelegramId;

fn message(user: i64, text: &str) -> OutgoingText {
    OutgoingText::to_user(TelegramId(user), text.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_message_is_delivered_with_its_buttons_and_topic() {
    let t = TestStack::start(&[]).await;
    let mut msg = message(-100900, "<b>hello</b>");
    msg.user = None;
    msg.thread_id = Some(7);
    msg.buttons = vec![vec![
        Button::Url {
            text: "Open".into(),
            url: "https://example.com/x".into(),
        },
        Button::Callback {
            text: "Menu".into(),
            data: "menu".into(),
        },
    ]];
    t.stack.app.outbox.send(&msg, 0).await.expect("queued");
    assert_eq!(t.drain_outbox().await, 1);
    let sent = t.telegram.sent_to(-100900);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body["message_thread_id"], 7);
    assert_eq!(sent[0].body["parse_mode"], "HTML");
    let row = &sent[0].body["reply_markup"]["inline_keyboard"][0];
    assert_eq!(row[0]["url"], "https://example.com/x");
    assert_eq!(row[1]["callback_data"], "menu");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_control_defers_the_message_by_retry_after() {
    let t = TestStack::start(&[]).await;
    t.telegram.script(
        "sendMessage",
        429,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
    );
    t.stack
        .app
        .outbox
        .send(&message(2001, "later"), 0)
        .await
        .expect("queued");
    // First pass: Telegram says wait; the message is re-queued with a delay.
    assert_eq!(t.drain_outbox().await, 1);
    assert_eq!(
        t.telegram.sent_to(2001).len(),
        1,
        "one refused attempt so far"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(t.drain_outbox().await, 1, "the deferred copy comes back");
    assert_eq!(t.telegram.sent_to(2001).len(), 2);
    assert_eq!(t.drain_outbox().await, 0, "delivered once, nothing left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_blocked_the_bot_is_marked_and_the_message_dropped() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&e2e::text_update(1, 2002, "Max", "ru", "/start"))
            .await,
        200
    );
    t.telegram.script(
        "sendMessage",
        403,
        json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
    );
    t.stack
        .app
        .outbox
        .send(&message(2002, "notice"), 0)
        .await
        .expect("queued");
    assert_eq!(t.drain_outbox().await, 1);
    assert!(t.user(2002).await.expect("max").blocked_at.is_some());
    assert_eq!(t.drain_outbox().await, 0, "not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_leaves_the_message_for_sqs_to_retry() {
    let t = TestStack::start(&[]).await;
    t.telegram.script(
        "sendMessage",
        502,
        json!({"ok": false, "error_code": 502, "description": "Bad Gateway"}),
    );
    let mut event = aws_lambda_events::event::sqs::SqsEvent::default();
    let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
    record.message_id = Some("m-1".into());
    record.body = Some(serde_json::to_string(&message(2003, "x")).expect("json"));
    event.records.push(record);
    let mut bad = aws_lambda_events::event::sqs::SqsMessage::default();
    bad.message_id = Some("m-2".into());
    bad.body = Some("not json".into());
    event.records.push(bad);
    let resp = shared::domains::messaging::sender::handle_outbox(&t.stack.app, event).await;
    let failed: Vec<_> = resp
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(
        failed,
        vec!["m-1", "m-2"],
        "both reported, each by its own id"
    );
}
