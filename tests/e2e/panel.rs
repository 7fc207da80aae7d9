//! VPN access end to end: the panel-sync worker against a fake Remnawave
//! 3.x panel, the subscription, devices and trial screens, the panel's
//! webhooks (every sample as its sidecar says), admin reconciliation, and
//! the request bodies validated against the official contract.

use e2e::fake_panel::FakePanel;
use e2e::signed::{panel_event, panel_signed};
use e2e::story::{
    buttons as callback_data, keyboard as buttons, last_screen, register, text as text_of,
};
use e2e::{EXTERNAL_SQUAD, PANEL_SECRET, SQUAD, TestStack, callback_update, fixture, text_update};
use serde_json::{Value, json};
use shared::adapters::panel::format_time;
use shared::base::clock::now;
use shared::domains::access::sync::SyncReason;
use shared::domains::access::webhook::signature;

const DAY: i64 = 86_400;
const GIB: u64 = 1 << 30;

/// A user who paid: registered, `sub_end` set as crediting does, sync
/// queued with the order id, worker run.
async fn paid_and_provisioned(t: &TestStack, id: i64, end: i64) {
    register(t, id, id, "en").await;
    t.set_sub_end(id, end).await;
    t.enqueue_sync(id, SyncReason::Paid, &format!("order-{id}"))
        .await;
    let drained = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((drained.handled, drained.failed), (1, 0));
}

fn panel_id(t_user: &shared::adapters::store::users::User) -> i64 {
    t_user.panel.as_ref().expect("linked to the panel").id
}

// ---------------------------------------------------------------- worker

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_user_gets_a_panel_user_with_the_right_fields_and_the_link_once() {
    let (t, panel) =
        TestStack::start_with_panel(&[("SUBSCRIPTION_MINI_APP_URL", "https://app.vpn.test/sub")])
            .await;
    let end = now() + 30 * DAY;
    paid_and_provisioned(&t, 9001, end).await;

    let users = panel.users();
    assert_eq!(users.len(), 1, "one panel user: {users:?}");
    let u = &users[0];
    assert_eq!(u["username"], "tg_9001");
    assert_eq!(u["expireAt"], format_time(end));
    assert_eq!(u["trafficLimitBytes"], 100 * GIB);
    assert_eq!(u["trafficLimitStrategy"], "MONTH");
    assert_eq!(u["activeInternalSquads"][0]["uuid"], SQUAD);
    assert_eq!(u["externalSquadUuid"], EXTERNAL_SQUAD);
    assert_eq!(u["telegramId"], 9001);
    assert_eq!(u["hwidDeviceLimit"], 3);
    assert!(u["description"].as_str().expect("set").contains("9001"));
    let calls = panel.calls();
    assert!(
        calls.iter().all(|c| c.authorized && c.forwarded),
        "{calls:?}"
    );
    assert_eq!(panel.calls_to("GET", "/api/users/stream").len(), 1);
    assert_eq!(
        panel.calls_to("GET", "/api/users/stream")[0].query["telegramId"],
        "9001"
    );
    assert_eq!(panel.calls_to("POST", "/api/users").len(), 1);

    let user = t.user(9001).await.expect("user");
    let link = u["subscriptionUrl"].as_str().expect("link").to_owned();
    assert_eq!(panel_id(&user), u["id"].as_i64().expect("id"));
    assert_eq!(
        user.panel.as_ref().map(|l| l.short_uuid.as_str()),
        u["shortUuid"].as_str()
    );
    assert_eq!(user.subscription_url.as_deref(), Some(link.as_str()));

    t.telegram.clear();
    assert_eq!(t.drain_outbox().await, 1);
    let sent = t.telegram.sent_to(9001);
    assert_eq!(sent.len(), 1);
    assert!(text_of(&sent[0]).contains(&link), "{}", text_of(&sent[0]));
    let b = buttons(&sent[0]);
    assert_eq!(b[0]["url"], link.as_str(), "Connect opens the link");
    assert_eq!(b[1]["web_app"]["url"], "https://app.vpn.test/sub");

    // The same payment processed again (a duplicate message, a retry):
    // the panel is brought to the same state and the user hears nothing new.
    t.enqueue_sync(9001, SyncReason::Paid, "order-9001-redelivered")
        .await;
    let again = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((again.handled, again.failed), (1, 0));
    assert_eq!(panel.users().len(), 1);
    assert_eq!(
        panel.calls_to("POST", "/api/users").len(),
        1,
        "no second create"
    );
    assert_eq!(panel.calls_to("PATCH", "/api/users").len(), 1);
    assert_eq!(t.drain_outbox().await, 0, "the link is sent once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_extends_the_same_panel_user_and_wakes_it_if_it_expired() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    paid_and_provisioned(&t, 9002, now() + 30 * DAY).await;
    let id = panel.users()[0]["id"].as_i64().expect("id");

    // The month ran out on the panel; the user pays again.
    panel.set_status(id, "EXPIRED");
    let renewed = now() + 60 * DAY;
    t.set_sub_end(9002, renewed).await;
    t.enqueue_sync(9002, SyncReason::Paid, "order-9002-b").await;
    let d = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((d.handled, d.failed), (1, 0));

    let users = panel.users();
    assert_eq!(users.len(), 1, "still one panel user");
    assert_eq!(users[0]["id"], id);
    assert_eq!(users[0]["expireAt"], format_time(renewed));
    assert_eq!(users[0]["status"], "ACTIVE");
    let patches = panel.calls_to("PATCH", "/api/users");
    assert_eq!(patches.len(), 2, "update, then activate: {patches:?}");
    assert!(
        patches
            .iter()
            .all(|p| p.body.as_ref().expect("body")["id"] == id)
    );
    assert_eq!(patches[1].body.as_ref().expect("body")["status"], "ACTIVE");
    assert_eq!(panel.calls_to("POST", "/api/users").len(), 1);
    assert_eq!(
        t.drain_outbox().await,
        1,
        "only the first link, never a second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_down_for_the_whole_payment_delays_access_and_loses_nothing() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    register(&t, 1, 9003, "ru").await;
    panel.set_down(true);
    let end = now() + 30 * DAY;
    t.set_sub_end(9003, end).await;
    t.enqueue_sync(9003, SyncReason::Paid, "order-9003").await;

    for _ in 0..3 {
        let d = t.stack.drain_panel_sync().await.expect("drains");
        assert_eq!((d.handled, d.failed), (1, 1), "the attempt fails");
        assert_eq!(
            t.queue_depth("PanelSyncQueue").await,
            (0, 1),
            "the message waits on the queue, out of sight"
        );
        assert_eq!(
            t.stack.drain_panel_sync().await.expect("drains").handled,
            0,
            "and is not retried before its delay"
        );
        let user = t.user(9003).await.expect("user");
        assert_eq!(user.sub_end, Some(end), "the subscription stands");
        assert!(user.panel.is_none());
        t.stack.expire_retry_delays().await.expect("time passes");
    }
    assert_eq!(t.drain_outbox().await, 0, "no link while the panel is down");

    panel.set_down(false);
    let d = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((d.handled, d.failed), (1, 0), "recovered");
    assert_eq!(t.queue_depth("PanelSyncQueue").await, (0, 0));
    let u = panel.user_named("tg_9003").expect("created after recovery");
    assert_eq!(u["expireAt"], format_time(end));
    assert_eq!(t.drain_outbox().await, 1);
    let sent = t.telegram.sent_to(9003);
    assert_eq!(sent.len(), 2, "the welcome and the link: {sent:?}");
    assert!(text_of(&sent[1]).contains("Ваш VPN готов"), "in Russian");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_that_keeps_failing_alerts_the_admins_once_and_parks_the_message() {
    let (t, panel) = TestStack::start_with_panel(&[("LOG_CHAT_ID", "-1001234")]).await;
    register(&t, 1, 9004, "en").await;
    t.drain_outbox().await;
    t.telegram.clear();
    panel.set_down(true);
    t.set_sub_end(9004, now() + 30 * DAY).await;
    t.enqueue_sync(9004, SyncReason::Paid, "order-9004").await;
    for attempt in 1..=shared::domains::access::sync::MAX_RECEIVES {
        let d = t.stack.drain_panel_sync().await.expect("drains");
        assert_eq!((d.handled, d.failed), (1, 1), "attempt {attempt}");
        let alerts = t.drain_outbox().await;
        let want = usize::from(attempt == shared::domains::access::sync::MAX_RECEIVES);
        assert_eq!(alerts, want, "alert only on the last attempt ({attempt})");
        t.stack.expire_retry_delays().await.expect("time passes");
    }
    let log = t.telegram.sent_to(-1001234);
    assert_eq!(log.len(), 1);
    assert!(text_of(&log[0]).contains("9004"), "{}", text_of(&log[0]));
    assert_eq!(
        t.stack.drain_panel_sync().await.expect("drains").handled,
        0,
        "SQS moved it to the dead-letter queue"
    );
    assert_eq!(t.queue_depth("PanelSyncDlq").await.0, 1);
    assert!(t.user(9004).await.expect("user").sub_end.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_already_taken_on_the_panel_is_adopted() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    // An earlier bot created tg_9005 without a Telegram id, now expired.
    let old = panel.seed_user("tg_9005", None, now() - 10 * DAY, "EXPIRED");
    let end = now() + 30 * DAY;
    paid_and_provisioned(&t, 9005, end).await;

    let creates = panel.calls_to("POST", "/api/users");
    assert_eq!(creates.len(), 1, "tried to create, got A019");
    let patches = panel.calls_to("PATCH", "/api/users");
    assert_eq!(
        patches[0].body.as_ref().expect("body")["username"],
        "tg_9005",
        "adopted by username"
    );
    let users = panel.users();
    assert_eq!(users.len(), 1, "no duplicate: {users:?}");
    assert_eq!(users[0]["id"], old);
    assert_eq!(users[0]["telegramId"], 9005);
    assert_eq!(users[0]["expireAt"], format_time(end));
    assert_eq!(users[0]["status"], "ACTIVE");
    assert_eq!(panel_id(&t.user(9005).await.expect("user")), old);
    assert_eq!(t.drain_outbox().await, 1, "and gets the link");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_user_with_the_same_telegram_id_is_adopted_without_a_create() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    let other = panel.seed_user("someone_else", Some(1), now() + DAY, "ACTIVE");
    let old = panel.seed_user("imported_9006", Some(9006), now() + DAY, "ACTIVE");
    paid_and_provisioned(&t, 9006, now() + 30 * DAY).await;
    assert!(panel.calls_to("POST", "/api/users").is_empty());
    assert_eq!(panel_id(&t.user(9006).await.expect("user")), old);
    assert_ne!(old, other);
    assert_eq!(panel.users().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_user_deleted_in_the_panel_is_created_again() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    paid_and_provisioned(&t, 9007, now() + 30 * DAY).await;
    let first = panel_id(&t.user(9007).await.expect("user"));
    panel.delete_user(first);
    t.set_sub_end(9007, now() + 60 * DAY).await;
    t.enqueue_sync(9007, SyncReason::Paid, "order-9007-b").await;
    let d = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((d.handled, d.failed), (1, 0));
    let user = t.user(9007).await.expect("user");
    let second = panel_id(&user);
    assert_ne!(first, second);
    assert_eq!(panel.users().len(), 1);
    // The old link is dead: the user gets the new one (and the first one once).
    // Both wait in the outbox together, and a batch is delivered
    // concurrently, so their order is not fixed.
    assert_eq!(t.drain_outbox().await, 2);
    let links: Vec<String> = t.telegram.sent_to(9007).iter().map(text_of).collect();
    let new_link = user.subscription_url.expect("new link");
    let with_new = links.iter().filter(|l| l.contains(&new_link)).count();
    assert_eq!(with_new, 1, "{links:?}");
    assert_eq!(
        links
            .iter()
            .filter(|l| l.contains("sub.fake-panel.test"))
            .count(),
        2,
        "{links:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_banned_user_is_disabled_on_the_panel_and_enabled_when_the_ban_is_lifted() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    paid_and_provisioned(&t, 9008, now() + 30 * DAY).await;
    let id = panel_id(&t.user(9008).await.expect("user"));
    t.set_user_attr(
        9008,
        "banned",
        aws_sdk_dynamodb::types::AttributeValue::Bool(true),
    )
    .await;
    t.enqueue_sync(9008, SyncReason::Admin, "ban-9008").await;
    t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!(panel.users()[0]["status"], "DISABLED");
    let path = format!("/api/users/{id}/actions/disable");
    assert_eq!(panel.calls_to("POST", &path).len(), 1);

    t.set_user_attr(
        9008,
        "banned",
        aws_sdk_dynamodb::types::AttributeValue::Bool(false),
    )
    .await;
    t.enqueue_sync(9008, SyncReason::Admin, "unban-9008").await;
    t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!(panel.users()[0]["status"], "ACTIVE");
    let path = format!("/api/users/{id}/actions/enable");
    assert_eq!(panel.calls_to("POST", &path).len(), 1);

    // A user an operator disabled in the panel is left disabled.
    panel.set_status(id, "DISABLED");
    t.enqueue_sync(9008, SyncReason::Paid, "order-9008-b").await;
    t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!(panel.users()[0]["status"], "DISABLED");
    assert_eq!(panel.calls_to("POST", &path).len(), 1, "not re-enabled");
}

#[test]
fn the_worker_knows_the_queues_retry_limits_from_the_template() {
    let text = std::fs::read_to_string(local_stack::provision::template_path()).expect("template");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
    let max = |queue: &str| {
        doc["Resources"][queue]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
            .as_u64()
            .expect("maxReceiveCount")
    };
    assert_eq!(
        max("PanelSyncQueue"),
        u64::from(shared::domains::access::sync::MAX_RECEIVES)
    );
    assert_eq!(
        max("JobsQueue"),
        u64::from(shared::adapters::jobs::MAX_RECEIVES)
    );
}

// -------------------------------------------------------- bot screens

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_subscription_shows_the_end_the_traffic_and_the_link_reading_the_panel_once_a_minute() {
    let (t, panel) =
        TestStack::start_with_panel(&[("SUBSCRIPTION_MINI_APP_URL", "https://app.vpn.test/sub")])
            .await;
    let end = now() + 30 * DAY;
    paid_and_provisioned(&t, 9010, end).await;
    let id = panel_id(&t.user(9010).await.expect("user"));
    panel.set_used_traffic(id, 5 * GIB + GIB / 2);
    // The worker cached what it saw at provisioning; make it stale.
    t.set_user_attr(
        9010,
        "traffic_at",
        aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
    )
    .await;

    assert_eq!(t.update(&callback_update(50, 9010, "sub", 7001)).await, 200);
    let screen = last_screen(&t);
    let text = text_of(&screen);
    let link = panel.users()[0]["subscriptionUrl"]
        .as_str()
        .expect("link")
        .to_owned();
    assert!(
        text.contains(&shared::base::format::date(
            shared::base::types::Lang::En,
            end
        )),
        "{text}"
    );
    assert!(text.contains("30 days"), "{text}");
    assert!(text.contains("5.5 GB") && text.contains("100 GB"), "{text}");
    assert!(text.contains(&link), "{text}");
    let b = buttons(&screen);
    assert!(
        b.iter().any(|b| b["url"] == link.as_str()),
        "Connect: {b:?}"
    );
    assert!(
        b.iter()
            .any(|b| b["web_app"]["url"] == "https://app.vpn.test/sub")
    );
    assert!(
        !callback_data(&screen)
            .iter()
            .any(|d| d.contains("buy") || d.contains("renew")),
        "no renew button here (buying is not this screen's job)"
    );
    let reads = format!("/api/users/{id}");
    assert_eq!(panel.calls_to("GET", &reads).len(), 1);

    // Within a minute the cached figures are shown without asking the panel.
    panel.set_used_traffic(id, 7 * GIB);
    assert_eq!(t.update(&callback_update(51, 9010, "sub", 7001)).await, 200);
    assert_eq!(
        panel.calls_to("GET", &reads).len(),
        1,
        "served from the cache"
    );
    assert!(text_of(&last_screen(&t)).contains("5.5 GB"));
    let cached = t.user(9010).await.expect("user").traffic.expect("cached");
    assert_eq!(cached.used, 5 * GIB + GIB / 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_subscription_still_opens_while_the_panel_is_down() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    paid_and_provisioned(&t, 9011, now() + 30 * DAY).await;
    t.set_user_attr(
        9011,
        "traffic_at",
        aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
    )
    .await;
    panel.set_down(true);
    assert_eq!(t.update(&callback_update(60, 9011, "sub", 7002)).await, 200);
    let text = text_of(&last_screen(&t));
    assert!(text.contains("Subscription active until"), "{text}");
    assert!(
        text.contains("sub.fake-panel.test"),
        "the link is still there: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_active_subscription_without_a_panel_account_is_repaired_from_my_subscription() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    register(&t, 1, 9012, "en").await;
    // Credited, but the sync message never made it to the queue.
    t.set_sub_end(9012, now() + 30 * DAY).await;
    assert_eq!(t.update(&callback_update(61, 9012, "sub", 7003)).await, 200);
    assert!(text_of(&last_screen(&t)).contains("being set up"));
    let d = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((d.handled, d.failed), (1, 0));
    assert!(panel.user_named("tg_9012").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_devices_lists_the_devices_and_removes_one() {
    let (t, panel) = TestStack::start_with_panel(&[("MY_DEVICES_SECTION_ENABLED", "true")]).await;
    paid_and_provisioned(&t, 9013, now() + 30 * DAY).await;
    let id = panel_id(&t.user(9013).await.expect("user"));
    let long_hwid = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0E1f2";
    assert_eq!(long_hwid.len(), 64);
    panel.add_device(id, "hwid-phone-0001", "iOS", "iPhone 15", "18.1");
    panel.add_device(id, long_hwid, "Windows", "Desktop <PC>", "11");

    assert_eq!(
        t.update(&text_update(70, 9013, "Ann", "en", "/start"))
            .await,
        200
    );
    let menu = t.telegram.sent_to(9013).last().cloned().expect("menu");
    assert!(callback_data(&menu).contains(&"dev".to_owned()), "{menu:?}");

    assert_eq!(t.update(&callback_update(71, 9013, "dev", 7004)).await, 200);
    let list = last_screen(&t);
    let text = text_of(&list);
    assert!(
        text.contains("iPhone 15") && text.contains("Desktop &lt;PC&gt;"),
        "{text}"
    );
    let data = callback_data(&list);
    let removes: Vec<&String> = data.iter().filter(|d| d.starts_with("dev:ask:")).collect();
    assert_eq!(removes.len(), 2);
    assert!(data.iter().all(|d| d.len() <= 64));

    let ask = removes[1].clone();
    assert_eq!(t.update(&callback_update(72, 9013, &ask, 7004)).await, 200);
    let confirm = last_screen(&t);
    assert!(text_of(&confirm).contains("Desktop"));
    let yes = callback_data(&confirm)
        .into_iter()
        .find(|d| d.starts_with("dev:del:"))
        .expect("confirm button");
    assert_eq!(t.update(&callback_update(73, 9013, &yes, 7004)).await, 200);

    let deletes = panel.calls_to("POST", "/api/hwid/devices/delete");
    assert_eq!(deletes.len(), 1);
    assert_eq!(
        deletes[0].body.as_ref().expect("body"),
        &json!({"userId": id, "hwid": long_hwid})
    );
    assert_eq!(panel.device_hwids(id), vec!["hwid-phone-0001"]);
    let after = text_of(&last_screen(&t));
    assert!(
        after.contains("was removed") && after.contains("iPhone 15"),
        "{after}"
    );

    // The same removal pressed again finds nothing to remove.
    assert_eq!(t.update(&callback_update(74, 9013, &yes, 7004)).await, 200);
    assert_eq!(panel.calls_to("POST", "/api/hwid/devices/delete").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_devices_section_there_is_no_devices_button() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    paid_and_provisioned(&t, 9014, now() + 30 * DAY).await;
    assert_eq!(
        t.update(&text_update(80, 9014, "Ann", "en", "/start"))
            .await,
        200
    );
    let menu = t.telegram.sent_to(9014).last().cloned().expect("menu");
    assert!(!callback_data(&menu).contains(&"dev".to_owned()));
    assert_eq!(t.update(&callback_update(81, 9014, "dev", 7005)).await, 200);
    assert!(panel.calls().iter().all(|c| !c.path.contains("hwid")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_takes_the_trial_once_and_gets_a_trial_sized_panel_user() {
    let (t, panel) = TestStack::start_with_panel(&[
        ("TRIAL_ENABLED", "true"),
        ("TRIAL_DURATION_DAYS", "3"),
        ("TRIAL_TRAFFIC_LIMIT_GB", "5"),
        ("LOG_CHAT_ID", "-1005555"),
        ("LOG_NEW_USERS", "false"),
    ])
    .await;
    register(&t, 1, 9020, "en").await;
    let menu = t.telegram.sent_to(9020)[0].clone();
    assert!(callback_data(&menu).contains(&"trial".to_owned()));

    // Two presses at once (a double tap, two devices): one trial.
    let presses = [
        callback_update(2, 9020, "trial", 7010),
        callback_update(3, 9020, "trial", 7010),
    ];
    let statuses = futures::future::join_all(presses.iter().map(|p| t.update(p))).await;
    assert_eq!(statuses, vec![200, 200]);
    let screens: Vec<String> = t
        .telegram
        .calls_of("editMessageText")
        .iter()
        .map(text_of)
        .collect();
    assert_eq!(
        screens
            .iter()
            .filter(|s| s.contains("trial has started"))
            .count(),
        1,
        "{screens:?}"
    );
    assert_eq!(
        screens
            .iter()
            .filter(|s| s.contains("only for new users"))
            .count(),
        1,
        "{screens:?}"
    );
    let user = t.user(9020).await.expect("user");
    let end = user.sub_end.expect("trial end");
    assert!((end - (now() + 3 * DAY)).abs() < 60);
    assert!(user.trial_used_at.is_some() && user.on_trial());

    let d = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((d.handled, d.failed), (1, 0));
    let u = panel
        .user_named("tg_9020")
        .expect("trial user on the panel");
    assert_eq!(u["trafficLimitBytes"], 5 * GIB);
    assert_eq!(u["expireAt"], format_time(end));

    assert_eq!(t.drain_outbox().await, 2, "the admin log line and the link");
    let log = t.telegram.sent_to(-1005555);
    assert_eq!(log.len(), 1);
    assert!(text_of(&log[0]).contains("9020"));
    assert!(
        t.telegram
            .sent_to(9020)
            .iter()
            .any(|c| text_of(c).contains("Your VPN is ready"))
    );

    // The menu no longer offers it; a later paid renewal lifts the limit.
    assert_eq!(
        t.update(&text_update(4, 9020, "Ann", "en", "/start")).await,
        200
    );
    let menu = t.telegram.sent_to(9020).last().cloned().expect("menu");
    assert!(!callback_data(&menu).contains(&"trial".to_owned()));
    t.set_sub_end(9020, end + 30 * DAY).await;
    t.enqueue_sync(9020, SyncReason::Paid, "order-9020").await;
    t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!(
        panel.user_named("tg_9020").expect("user")["trafficLimitBytes"],
        100 * GIB
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_an_active_paid_subscription_is_not_offered_the_trial() {
    let (t, _panel) = TestStack::start_with_panel(&[("TRIAL_ENABLED", "true")]).await;
    register(&t, 1, 9021, "en").await;
    t.set_sub_end(9021, now() + 10 * DAY).await;
    assert_eq!(
        t.update(&text_update(2, 9021, "Ann", "en", "/start")).await,
        200
    );
    let menu = t.telegram.sent_to(9021).last().cloned().expect("menu");
    assert!(!callback_data(&menu).contains(&"trial".to_owned()));
    // Pressing an old trial button does not start one either.
    assert_eq!(
        t.update(&callback_update(3, 9021, "trial", 7011)).await,
        200
    );
    let user = t.user(9021).await.expect("user");
    assert!(user.trial_used_at.is_none());
    assert!(text_of(&last_screen(&t)).contains("only for new users"));
}

// ------------------------------------------------------------- webhooks

fn sample(name: &str) -> (Vec<u8>, Value) {
    let raw = fixture(&format!("remnawave/{name}.json"));
    let sidecar: Value =
        serde_json::from_slice(&fixture(&format!("remnawave/{name}.sidecar.json")))
            .expect("sidecar json");
    (raw, sidecar)
}

const SAMPLES: [&str; 3] = [
    "webhook_service_panel_started",
    "webhook_user_expiration_in_72h",
    "webhook_user_expired",
];

/// The sample re-stamped to `at` (as the panel would send it today), compact.
fn restamped(raw: &[u8], at: i64) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(raw).expect("event json");
    event["timestamp"] = json!(format_time(at));
    serde_json::to_vec(&event).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_panel_webhook_sample_is_handled_as_its_sidecar_says() {
    let (t, _panel) = TestStack::start_with_panel(&[]).await;
    for name in SAMPLES {
        let (raw, side) = sample(name);
        let secret = side["secret"].as_str().expect("secret");
        assert_eq!(
            secret, PANEL_SECRET,
            "{name}: the stack runs with the sidecar's secret"
        );
        // Known answer: our HMAC over the raw bytes is the sidecar's.
        let header = side["headers"]["X-Remnawave-Signature"]
            .as_str()
            .expect("sig");
        assert_eq!(signature(secret, &raw), header, "{name}");

        let fresh = restamped(&raw, now());
        assert_eq!(
            panel_signed(fresh.clone(), secret).post(&t).await.0,
            200,
            "{name} fresh"
        );

        for case in side["negative_cases"].as_array().expect("cases") {
            let what = case["case"].as_str().expect("case");
            let status = match what {
                "stale_replay" => {
                    let h = vec![
                        ("X-Remnawave-Signature", header.to_owned()),
                        (
                            "X-Remnawave-Timestamp",
                            side["headers"]["X-Remnawave-Timestamp"]
                                .as_str()
                                .expect("ts")
                                .to_owned(),
                        ),
                    ];
                    t.post_panel(&raw, &h).await
                }
                "header_mismatch" => {
                    let body = restamped(&raw, now() - 1);
                    panel_signed(body, secret)
                        .header("X-Remnawave-Timestamp", &format_time(now() - 3600))
                        .post(&t)
                        .await
                        .0
                }
                "reserialised" => {
                    let body = restamped(&raw, now() - 2);
                    let value: Value = serde_json::from_slice(&body).expect("json");
                    let spaced = serde_json::to_vec_pretty(&value).expect("json");
                    assert_ne!(spaced, body);
                    panel_signed(body, secret)
                        .with_body(spaced)
                        .post(&t)
                        .await
                        .0
                }
                "other_secret" => {
                    let body = restamped(&raw, now() - 3);
                    let forged = signature("another0secret0that0is0not0ours0000", &body);
                    panel_signed(body, secret)
                        .header("X-Remnawave-Signature", &forged)
                        .post(&t)
                        .await
                        .0
                }
                other => panic!("{name}: unknown case {other}"),
            };
            assert!(
                (400..500).contains(&status),
                "{name} {what}: want 4xx, got {status}"
            );
        }
    }
    // None of these concern a user of ours: nothing was sent, nothing queued.
    assert_eq!(t.drain_outbox().await, 0);
    assert_eq!(t.stack.drain_panel_sync().await.expect("drains").handled, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_webhook_secret_the_panel_route_refuses_everything() {
    let panel = FakePanel::start(e2e::PANEL_KEY).await;
    let t = TestStack::start(&[
        ("PANEL_API_URL", panel.url.as_str()),
        ("PANEL_API_KEY", e2e::PANEL_KEY),
    ])
    .await;
    let (raw, _) = sample("webhook_service_panel_started");
    let fresh = restamped(&raw, now());
    assert_eq!(panel_event(fresh.clone()).post(&t).await.0, 401);
    assert_eq!(t.post_panel(&fresh, &[]).await, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_secret_works_without_the_panel_api() {
    let t = TestStack::start(&[("PANEL_WEBHOOK_SECRET", PANEL_SECRET)]).await;
    let (raw, _) = sample("webhook_user_expired");
    let fresh = restamped(&raw, now());
    assert_eq!(panel_event(fresh.clone()).post(&t).await.0, 200);
}

/// A sample event about user `tg`, linked to panel user `panel_id`, at `at`.
fn event_about(
    name: &str,
    tg: i64,
    panel_id: i64,
    at: i64,
    edit: impl FnOnce(&mut Value),
) -> Vec<u8> {
    let (raw, _) = sample(name);
    let mut event: Value = serde_json::from_slice(&raw).expect("json");
    event["timestamp"] = json!(format_time(at));
    event["data"]["id"] = json!(panel_id);
    event["data"]["telegramId"] = json!(tg);
    event["data"]["username"] = json!(format!("tg_{tg}"));
    edit(&mut event);
    serde_json::to_vec(&event).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panel_events_about_our_users_update_them_and_tell_them_in_their_language() {
    let (t, _panel) = TestStack::start_with_panel(&[]).await;
    let end = now() + 3 * DAY;
    paid_and_provisioned(&t, 9030, end).await;
    t.drain_outbox().await;
    t.telegram.clear();
    let pid = panel_id(&t.user(9030).await.expect("user"));

    // 72 hours before the end: the status only. The expiry notices belong
    // to the scheduler (tests/e2e/schedule.rs), so the user hears it once.
    let body = event_about("webhook_user_expiration_in_72h", 9030, pid, now(), |e| {
        e["data"]["expireAt"] = json!(format_time(end));
        e["data"]["status"] = json!("ACTIVE");
    });
    assert_eq!(panel_event(body.clone()).post(&t).await.0, 200);
    assert_eq!(panel_event(body.clone()).post(&t).await.0, 200);
    assert_eq!(t.drain_outbox().await, 0, "no expiry notice from the panel");
    assert_eq!(
        t.user(9030).await.expect("user").panel_status.as_deref(),
        Some("ACTIVE")
    );

    // The traffic ran out.
    let body = event_about("webhook_user_expired", 9030, pid, now(), |e| {
        e["event"] = json!("user.limited");
        e["data"]["status"] = json!("LIMITED");
    });
    assert_eq!(panel_event(body.clone()).post(&t).await.0, 200);
    assert_eq!(
        t.user(9030).await.expect("user").panel_status.as_deref(),
        Some("LIMITED")
    );

    // A new device connected.
    let device_event = json!({
        "scope": "user_hwid_devices", "event": "user_hwid_devices.added",
        "timestamp": format_time(now()),
        "data": {
            "user": serde_json::from_slice::<Value>(&event_about("webhook_user_expired", 9030, pid, now(), |_| {})).expect("json")["data"],
            "hwidUserDevice": {"hwid": "hwid-new-0042", "userId": pid, "platform": "Android", "osVersion": "15",
                "deviceModel": "Pixel 9", "userAgent": "v2rayNG/1.9", "requestIp": null,
                "createdAt": format_time(now()), "updatedAt": format_time(now())}
        }
    });
    let body = serde_json::to_vec(&device_event).expect("json");
    assert_eq!(panel_event(body.clone()).post(&t).await.0, 200);

    // Unknown kinds are accepted and ignored.
    let body = serde_json::to_vec(&json!({"scope": "node", "event": "node.connection_lost",
        "timestamp": format_time(now()), "data": {"uuid": "5d6e7f80-9a1b-4c2d-8e3f-405162738495"}}))
    .expect("json");
    assert_eq!(panel_event(body.clone()).post(&t).await.0, 200);

    assert_eq!(t.drain_outbox().await, 2);
    let texts: Vec<String> = t.telegram.sent_to(9030).iter().map(text_of).collect();
    assert!(
        texts.iter().any(|s| s.contains("used all the traffic")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|s| s.contains("Pixel 9")), "{texts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_event_for_a_renewed_user_queues_a_sync_instead_of_a_notice() {
    let (t, panel) = TestStack::start_with_panel(&[]).await;
    paid_and_provisioned(&t, 9031, now() + 30 * DAY).await;
    t.drain_outbox().await;
    let pid = panel_id(&t.user(9031).await.expect("user"));
    // The panel expired the user by its old date; we already renewed.
    let body = event_about("webhook_user_expired", 9031, pid, now(), |e| {
        e["data"]["expireAt"] = json!(format_time(now() - 60));
    });
    assert_eq!(panel_event(body.clone()).post(&t).await.0, 200);
    assert_eq!(t.drain_outbox().await, 0, "no 'expired' for a paying user");
    let d = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((d.handled, d.failed), (1, 0), "a repair sync ran");
    assert_eq!(panel.calls_to("PATCH", "/api/users").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_event_updates_the_status_only_and_events_about_strangers_are_ignored() {
    let (t, _panel) = TestStack::start_with_panel(&[]).await;
    // Registered, never linked: matched by the username the bot gives.
    register(&t, 1, 700100200, "ru").await;
    t.set_sub_end(700100200, now() - 60).await;
    let (raw, _) = sample("webhook_user_expired");
    let body = restamped(&raw, now());
    assert_eq!(panel_event(body.clone()).post(&t).await.0, 200);
    assert_eq!(
        t.drain_outbox().await,
        0,
        "the scheduler, not the panel, tells the user"
    );
    assert_eq!(
        t.user(700100200)
            .await
            .expect("user")
            .panel_status
            .as_deref(),
        Some("EXPIRED")
    );

    // Same Telegram id, but a panel user the bot did not make: not ours.
    let body = event_about("webhook_user_expired", 700100200, 4242, now() - 5, |e| {
        e["data"]["username"] = json!("someone_elses_bot_user");
    });
    assert_eq!(panel_event(body.clone()).post(&t).await.0, 200);
    assert_eq!(t.drain_outbox().await, 0);
}

// ------------------------------------------------------------ /sync

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reconciles_the_panel_with_our_users_and_reads_the_report() {
    let (t, panel) = TestStack::start_with_panel(&[("ADMIN_IDS", "9100")]).await;
    register(&t, 1, 9100, "en").await;
    register(&t, 2, 9101, "en").await;
    register(&t, 3, 9102, "en").await;
    // 9101: a panel account from the old bot with a later expiry than ours (none).
    let later = now() + 20 * DAY;
    let p1 = panel.seed_user("tg_9101", Some(9101), later, "ACTIVE");
    // 9102: paid with us, the panel account is behind.
    t.set_sub_end(9102, now() + 40 * DAY).await;
    let p2 = panel.seed_user("legacy_9102", Some(9102), now() - DAY, "EXPIRED");
    // Panel users that are not ours.
    panel.seed_user("tg_9199", Some(9199), later, "ACTIVE");
    panel.seed_user("no_telegram", None, later, "ACTIVE");
    t.drain_outbox().await;

    // Not an admin: /sync is just text.
    assert_eq!(
        t.update(&text_update(10, 9101, "Ann", "en", "/sync")).await,
        200
    );
    assert!(
        t.stack
            .app
            .store
            .latest_sync_run()
            .await
            .expect("store")
            .is_none()
    );

    assert_eq!(
        t.update(&text_update(11, 9100, "Ann", "en", "/sync")).await,
        200
    );
    let started = t.telegram.sent_to(9100).pop().expect("answer");
    assert!(
        text_of(&started).contains("Panel sync started"),
        "{}",
        text_of(&started)
    );
    let jobs = t.stack.drain_jobs().await.expect("drains");
    assert_eq!(
        (jobs.handled, jobs.failed),
        (1, 0),
        "four users fit one page"
    );

    let u1 = t.user(9101).await.expect("user");
    assert_eq!(panel_id(&u1), p1);
    assert_eq!(u1.sub_end, Some(later), "the later panel expiry was taken");
    assert_eq!(panel_id(&t.user(9102).await.expect("user")), p2);
    let d = t.stack.drain_panel_sync().await.expect("drains");
    assert_eq!((d.handled, d.failed), (1, 0), "9102 pushed to the panel");
    let pushed = panel
        .users()
        .into_iter()
        .find(|u| u["id"] == p2)
        .expect("p2");
    assert_eq!(pushed["status"], "ACTIVE");

    t.telegram.clear();
    assert!(t.drain_outbox().await >= 1);
    let report = t
        .telegram
        .sent_to(9100)
        .into_iter()
        .map(|c| text_of(&c))
        .find(|s| s.contains("Panel sync finished"))
        .expect("report to the admin");
    for line in [
        "Panel users: 4",
        "by Telegram id: 2",
        "Newly linked: 2",
        "taken from the panel: 1",
        "update on the panel: 1",
    ] {
        assert!(report.contains(line), "{line}: {report}");
    }

    assert_eq!(
        t.update(&text_update(12, 9100, "Ann", "en", "/syncstatus"))
            .await,
        200
    );
    let status = text_of(&t.telegram.sent_to(9100).pop().expect("status"));
    assert!(
        status.contains("Panel sync finished") && status.contains("Newly linked: 2"),
        "{status}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_walks_the_panel_page_by_page_through_the_jobs_queue() {
    let (t, panel) = TestStack::start_with_panel(&[("ADMIN_IDS", "9200")]).await;
    register(&t, 1, 9200, "en").await;
    for i in 0..7 {
        register(&t, 10 + i, 9201 + i, "en").await;
        panel.seed_user(
            &format!("tg_{}", 9201 + i),
            Some(9201 + i),
            now() + 5 * DAY,
            "ACTIVE",
        );
    }
    let started = shared::domains::access::reconcile::start(
        &t.stack.app,
        shared::base::types::TelegramId(9200),
        3,
        now(),
    )
    .await
    .expect("started");
    assert!(matches!(
        started,
        shared::domains::access::reconcile::Start::Started(_)
    ));
    // While it runs, a second /sync is refused.
    let again = shared::domains::access::reconcile::start(
        &t.stack.app,
        shared::base::types::TelegramId(9200),
        3,
        now(),
    )
    .await
    .expect("answered");
    assert!(matches!(
        again,
        shared::domains::access::reconcile::Start::AlreadyRunning(_)
    ));

    let jobs = t.stack.drain_jobs().await.expect("drains");
    assert_eq!((jobs.handled, jobs.failed), (3, 0), "pages of 3, 3 and 1");
    let run = t
        .stack
        .app
        .store
        .latest_sync_run()
        .await
        .expect("store")
        .expect("run");
    assert_eq!(run.pages, 3);
    assert!(run.finished.is_some());
    assert_eq!(
        (run.counts.seen, run.counts.linked, run.counts.pulled),
        (7, 7, 7)
    );
    let pages: Vec<String> = panel
        .calls_to("GET", "/api/users")
        .iter()
        .map(|c| format!("{}+{}", c.query["start"], c.query["size"]))
        .collect();
    assert_eq!(pages, vec!["0+3", "3+3", "6+3"]);
}

// ---------------------------------------------------------- contract

fn contract_check(lines: &[Value]) -> (bool, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let node_modules = root.join("node_modules/@remnawave/backend-contract");
    assert!(
        node_modules.exists(),
        "the contract package is missing: run `npm ci` at the repository root (scripts/test does)"
    );
    let file = std::env::temp_dir().join(format!(
        "panel-requests-{}-{}.jsonl",
        std::process::id(),
        uuid_like()
    ));
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, body).expect("write requests");
    let out = std::process::Command::new("node")
        .arg(root.join("tests/contract/validate.mjs"))
        .arg(&file)
        .current_dir(&root)
        .output()
        .expect("node runs (Node.js is needed for the contract tests)");
    let _ = std::fs::remove_file(&file);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn uuid_like() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_the_bot_sends_the_panel_passes_the_official_contract() {
    let (t, panel) = TestStack::start_with_panel(&[
        ("MY_DEVICES_SECTION_ENABLED", "true"),
        ("TRIAL_ENABLED", "true"),
        ("ADMIN_IDS", "9300"),
    ])
    .await;
    // Create, renew an expired user, adopt by username, adopt by Telegram id.
    paid_and_provisioned(&t, 9301, now() + 30 * DAY).await;
    let id = panel_id(&t.user(9301).await.expect("user"));
    panel.set_status(id, "EXPIRED");
    t.set_sub_end(9301, now() + 60 * DAY).await;
    t.enqueue_sync(9301, SyncReason::Paid, "order-9301-b").await;
    panel.seed_user("tg_9302", None, now() - DAY, "EXPIRED");
    register(&t, 2, 9302, "en").await;
    t.set_sub_end(9302, now() + DAY).await;
    t.enqueue_sync(9302, SyncReason::Paid, "order-9302").await;
    // An expired subscription synced: the expiry is left out, not sent in the past.
    panel.seed_user("old_9303", Some(9303), now() - DAY, "EXPIRED");
    register(&t, 3, 9303, "en").await;
    t.set_sub_end(9303, now() - 3600).await;
    t.enqueue_sync(9303, SyncReason::Admin, "admin-9303").await;
    t.stack.drain_panel_sync().await.expect("drains");
    // Trial, ban and unban.
    register(&t, 4, 9304, "en").await;
    assert_eq!(
        t.update(&callback_update(5, 9304, "trial", 7020)).await,
        200
    );
    t.set_user_attr(
        9301,
        "banned",
        aws_sdk_dynamodb::types::AttributeValue::Bool(true),
    )
    .await;
    t.enqueue_sync(9301, SyncReason::Admin, "ban-9301").await;
    t.stack.drain_panel_sync().await.expect("drains");
    t.set_user_attr(
        9301,
        "banned",
        aws_sdk_dynamodb::types::AttributeValue::Bool(false),
    )
    .await;
    t.enqueue_sync(9301, SyncReason::Admin, "unban-9301").await;
    t.stack.drain_panel_sync().await.expect("drains");
    // Traffic, devices.
    paid_and_provisioned(&t, 9305, now() + 30 * DAY).await;
    let p5 = panel_id(&t.user(9305).await.expect("user"));
    panel.add_device(p5, "hwid-contract-0001", "macOS", "MacBook Air", "15.2");
    t.set_user_attr(
        9305,
        "traffic_at",
        aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
    )
    .await;
    assert_eq!(t.update(&callback_update(6, 9305, "sub", 7021)).await, 200);
    assert_eq!(t.update(&callback_update(7, 9305, "dev", 7021)).await, 200);
    let key = shared::base::callback::device_key("hwid-contract-0001");
    let del = shared::base::callback::Action::DeviceDelete(key).data();
    assert_eq!(t.update(&callback_update(8, 9305, &del, 7021)).await, 200);
    // Every device removed, the link reissued.
    panel.add_device(p5, "hwid-contract-0002", "iOS", "iPhone 15", "18.1");
    assert_eq!(
        t.update(&callback_update(30, 9305, "dev:reset:do", 7021))
            .await,
        200
    );
    assert_eq!(
        t.update(&callback_update(31, 9305, "reissue:do", 7021))
            .await,
        200
    );
    // Reconciliation pages.
    assert_eq!(
        t.update(&text_update(9, 9300, "Ann", "en", "/sync")).await,
        200
    );
    t.stack.drain_jobs().await.expect("drains");

    let recorded = panel.contract_lines();
    let routes: std::collections::BTreeSet<String> = panel
        .calls()
        .iter()
        .map(|c| {
            let generic: Vec<&str> = c
                .path
                .split('/')
                .map(|s| if s.parse::<i64>().is_ok() { ":id" } else { s })
                .collect();
            format!("{} {}", c.method, generic.join("/"))
        })
        .collect();
    for route in [
        "POST /api/users",
        "PATCH /api/users",
        "GET /api/users/stream",
        "GET /api/users",
        "GET /api/users/:id",
        "POST /api/users/:id/actions/disable",
        "POST /api/users/:id/actions/enable",
        "GET /api/hwid/devices/:id",
        "POST /api/hwid/devices/delete",
        "POST /api/hwid/devices/delete-all",
        "POST /api/users/:id/actions/revoke",
    ] {
        assert!(
            routes.contains(route),
            "the scenario exercised {route}: {routes:?}"
        );
    }
    let past = panel
        .calls_to("PATCH", "/api/users")
        .into_iter()
        .filter(|c| c.body.as_ref().is_some_and(|b| b["telegramId"] == 9303))
        .collect::<Vec<_>>();
    assert!(
        !past.is_empty()
            && past
                .iter()
                .all(|c| c.body.as_ref().is_some_and(|b| b.get("expireAt").is_none()))
    );

    let (ok, report) = contract_check(&recorded);
    assert!(ok, "recorded requests break the contract:\n{report}");
    assert!(
        report.contains("-> CreateUserCommand") && report.contains("-> UpdateUserCommand"),
        "{report}"
    );
    assert!(
        report.contains("-> DeleteUserHwidDeviceCommand")
            && report.contains("-> GetUsersStreamCommand")
            && report.contains("-> DeleteAllUserHwidDevicesCommand")
            && report.contains("-> RevokeUserSubscriptionCommand"),
        "{report}"
    );
}

#[test]
fn the_request_samples_and_the_contract_agree_as_their_sidecars_say() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/remnawave/requests");
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("requests dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some(stem) = name.strip_suffix(".sidecar.json") else {
            continue;
        };
        let side: Value =
            serde_json::from_slice(&std::fs::read(&path).expect("sidecar")).expect("json");
        let body: Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{stem}.json"))).expect("body"))
                .expect("json");
        lines.push(json!({
            "name": stem, "method": side["method"], "path": side["path"],
            "query": {}, "body": body, "expect": side["expect"],
        }));
    }
    assert!(lines.len() >= 8, "{lines:?}");
    let (ok, report) = contract_check(&lines);
    assert!(ok, "{report}");
    assert!(
        report.contains("update_user_by_uuid_2x") && report.contains("want invalid"),
        "{report}"
    );

    // The checker itself fails on a body the contract refuses.
    let wrong = vec![
        json!({"name": "control", "method": "PATCH", "path": "/api/users", "query": {},
        "body": {"uuid": "0f1e2d3c-4b5a-4697-8877-665544332211", "expireAt": "2099-01-01T00:00:00.000Z"}}),
    ];
    let (ok, report) = contract_check(&wrong);
    assert!(!ok, "a 2.x body must fail the 3.x contract:\n{report}");
    let unknown = vec![
        json!({"name": "control", "method": "GET", "path": "/api/users/by-telegram-id/5",
        "query": {}, "body": null}),
    ];
    let (ok, report) = contract_check(&unknown);
    assert!(!ok, "the 2.x look-up route is gone in 3.x:\n{report}");
}

#[test]
fn the_recorded_panel_responses_parse() {
    let user: Value =
        serde_json::from_slice(&fixture("remnawave/responses/get_user.json")).expect("json");
    let parsed: shared::adapters::panel::PanelUser =
        serde_json::from_value(user["response"].clone()).expect("a panel user");
    assert_eq!(parsed.id, 2077);
    assert_eq!(parsed.status, shared::adapters::panel::PanelStatus::Expired);
    assert_eq!(parsed.used_bytes(), 2 * GIB);
    assert_eq!(parsed.telegram_id, Some(700100200));
    let err: Value =
        serde_json::from_slice(&fixture("remnawave/responses/error_user_not_found.json"))
            .expect("json");
    assert_eq!(err["errorCode"], shared::adapters::panel::USER_NOT_FOUND);
}

/// With CRYPT4_ENABLED the link a user is sent and shown is Happ's crypt4
/// link, made here (no panel call), once per link: a second sync keeps it.
/// CRYPT4_REDIRECT_URL goes before it on the Connect button, as in
/// remnawave-tg-shop; without one there is no Connect button (Telegram
/// opens only http(s) links from buttons).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_crypt4_the_link_is_happs_crypt4_link_made_once_per_link() {
    let redirect = "https://go.vpn.test/?u=";
    let (t, panel) = TestStack::start_with_panel(&[
        ("CRYPT4_ENABLED", "true"),
        ("CRYPT4_REDIRECT_URL", redirect),
    ])
    .await;
    paid_and_provisioned(&t, 9050, now() + 30 * DAY).await;
    let plain = panel.users()[0]["subscriptionUrl"]
        .as_str()
        .expect("link")
        .to_owned();
    let (of, sealed) = t
        .user(9050)
        .await
        .expect("user")
        .crypt4
        .expect("made with the link");
    assert_eq!(of, plain);
    let body = sealed.strip_prefix("happ://crypt4/").expect("crypt4");
    use base64::Engine;
    let cipher = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64");
    assert_eq!(cipher.len(), 512, "RSA 4096, Happ's key");
    assert!(
        panel.calls().iter().all(|c| !c.path.contains("happ")),
        "made here"
    );

    t.telegram.clear();
    assert_eq!(t.drain_outbox().await, 1);
    let sent = t.telegram.sent_to(9050);
    let text = text_of(&sent[0]);
    assert!(text.contains(&sealed) && !text.contains(&plain), "{text}");
    assert_eq!(buttons(&sent[0])[0]["url"], format!("{redirect}{sealed}"));

    // Another sync: the same link, so the same crypt4 link.
    t.enqueue_sync(9050, SyncReason::Paid, "order-9050-again")
        .await;
    t.stack.drain_panel_sync().await.expect("drains");
    let user = t.user(9050).await.expect("user");
    assert_eq!(user.crypt4, Some((plain.clone(), sealed.clone())));

    assert_eq!(t.update(&callback_update(60, 9050, "sub", 7001)).await, 200);
    let screen = last_screen(&t);
    assert!(text_of(&screen).contains(&sealed), "{}", text_of(&screen));
    assert!(!text_of(&screen).contains(&plain));
    let b = buttons(&screen);
    assert!(
        b.iter().any(|b| b["url"] == format!("{redirect}{sealed}")),
        "Connect: {b:?}"
    );

    // Without a redirect, the crypt4 link is shown and no button carries it.
    let (t, _panel) = TestStack::start_with_panel(&[("CRYPT4_ENABLED", "true")]).await;
    paid_and_provisioned(&t, 9051, now() + 30 * DAY).await;
    let (_, sealed) = t.user(9051).await.expect("user").crypt4.expect("made");
    assert_eq!(t.update(&callback_update(61, 9051, "sub", 7002)).await, 200);
    let screen = last_screen(&t);
    assert!(text_of(&screen).contains(&sealed));
    assert!(
        buttons(&screen)
            .iter()
            .all(|b| !b["url"].as_str().unwrap_or_default().starts_with("happ:")),
        "{:?}",
        buttons(&screen)
    );
}
