//! The panel talks back, end to end over the local stack with the fake
//! panel: each event signed and delivered (twice, re-sent with a new
//! timestamp, out of order), its notice sent once or not at all when the
//! operator turned it off; the local copy follows the panel (a revoked
//! link, a deleted user re-created only with paid time left, a traffic
//! reset taking the packs with it); reissue my link with its cooldown, and
//! remove every device.

use e2e::fake_panel::FakePanel;
use e2e::signed::panel_event;
use e2e::story::{buttons, last_screen, register, text};
use e2e::{TestStack, callback_update, fixture};
use serde_json::{Value, json};
use shared::adapters::panel::format_time;
use shared::base::clock::now;
use shared::domains::access::sync::SyncReason;

const DAY: i64 = 86_400;
const GIB: u64 = 1 << 30;
const ADMIN: i64 = 9700;
const LOG_CHAT: i64 = -100_970;

async fn stack(extra: &[(&str, &str)]) -> (TestStack, FakePanel) {
    let admin = ADMIN.to_string();
    let log = LOG_CHAT.to_string();
    let mut settings = vec![
        ("ADMIN_IDS", admin.as_str()),
        ("LOG_CHAT_ID", log.as_str()),
        ("SUPPORT_LINK", "@vpn_help"),
        ("MY_DEVICES_SECTION_ENABLED", "true"),
    ];
    settings.extend_from_slice(extra);
    TestStack::start_with_panel(&settings).await
}

/// A paying user with a panel account; returns its panel id.
async fn paying(t: &TestStack, id: i64, lang: &str) -> i64 {
    register(t, id, id, lang).await;
    t.set_sub_end(id, now() + 20 * DAY).await;
    t.enqueue_sync(id, SyncReason::Paid, &format!("order-{id}"))
        .await;
    t.stack.drain_panel_sync().await.expect("sync");
    t.drain_outbox().await;
    t.telegram.clear();
    t.user(id)
        .await
        .and_then(|u| u.panel)
        .map(|p| p.id)
        .expect("a panel account")
}

/// The event `name` about our user `tg` (panel id `pid`) at `at`, built on
/// the recorded `user.expired` sample, `edit`ed.
fn event(name: &str, tg: i64, pid: i64, at: i64, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut e: Value =
        serde_json::from_slice(&fixture("remnawave/webhook_user_expired.json")).expect("json");
    e["event"] = json!(name);
    e["timestamp"] = json!(format_time(at));
    e["data"]["id"] = json!(pid);
    e["data"]["telegramId"] = json!(tg);
    e["data"]["username"] = json!(format!("tg_{tg}"));
    e["data"]["status"] = json!("ACTIVE");
    e["data"]["trafficLimitBytes"] = json!(100 * GIB);
    e["data"]["userTraffic"]["firstConnectedAt"] = Value::Null;
    e["data"]["userTraffic"]["onlineAt"] = Value::Null;
    edit(&mut e);
    serde_json::to_vec(&e).expect("json")
}

async fn deliver(t: &TestStack, body: &[u8]) {
    assert_eq!(panel_event(body.to_vec()).post(t).await.0, 200);
}

/// Messages `user` got since the last look.
async fn told(t: &TestStack, user: i64) -> Vec<String> {
    t.drain_outbox().await;
    let out = t.telegram.sent_to(user).iter().map(text).collect();
    t.telegram.clear();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_connection_is_told_once_and_stops_the_nudges_whatever_the_order() {
    let (t, _panel) = stack(&[]).await;
    let user = 9701;
    let pid = paying(&t, user, "en").await;

    // Six hours without a connection: one nudge, with the guide and support.
    let nudge = event("user.not_connected", user, pid, now(), |e| {
        e["meta"] = json!({"notConnectedAfterHours": 6});
    });
    deliver(&t, &nudge).await;
    deliver(&t, &nudge).await;
    // The panel sends the same nudge again later (a new timestamp).
    deliver(
        &t,
        &event("user.not_connected", user, pid, now() + 1, |e| {
            e["meta"] = json!({"notConnectedAfterHours": 6});
        }),
    )
    .await;
    t.drain_outbox().await;
    let sent = t.telegram.sent_to(user);
    assert_eq!(sent.len(), 1, "one nudge: {sent:?}");
    assert!(text(&sent[0]).contains("not connected the VPN yet"));
    assert_eq!(buttons(&sent[0]), vec!["guide".to_owned()]);
    assert!(sent[0].body.to_string().contains("https://t.me/vpn_help"));
    t.telegram.clear();

    // The first connection: told once, even re-sent.
    let first = |at: i64| {
        event("user.first_connected", user, pid, at, |e| {
            e["data"]["userTraffic"]["firstConnectedAt"] = json!(format_time(at));
            e["data"]["userTraffic"]["onlineAt"] = json!(format_time(at));
        })
    };
    let connected_at = now();
    deliver(&t, &first(connected_at)).await;
    deliver(&t, &first(connected_at + 2)).await;
    let said = told(&t, user).await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("connected and working"), "{said:?}");
    let u = t.user(user).await.expect("u");
    assert_eq!(u.first_connected, Some(connected_at));
    assert!(u.online_at.is_some());

    // A nudge arriving late (24 h, sent before the connection) says nothing.
    deliver(
        &t,
        &event("user.not_connected", user, pid, connected_at - 60, |e| {
            e["meta"] = json!({"notConnectedAfterHours": 24});
        }),
    )
    .await;
    assert!(told(&t, user).await.is_empty());

    // The profile shows when the VPN was last used.
    assert_eq!(
        t.update(&callback_update(50, user, "profile", 1)).await,
        200
    );
    let screen = text(&last_screen(&t));
    assert!(screen.contains("VPN last used"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traffic_threshold_is_told_once_with_a_pack_to_buy() {
    let (t, _panel) = stack(&[
        ("TRAFFIC_TOPUP_PACKAGES", "10:99"),
        ("FREEKASSA_ENABLED", "true"),
        ("FREEKASSA_MERCHANT_ID", "41207"),
        ("FREEKASSA_FIRST_SECRET", "e2e_fk_word_one"),
        ("FREEKASSA_SECOND_SECRET", "e2e_fk_word_two"),
        ("RUB_PRICE_1_MONTH", "199"),
    ])
    .await;
    let user = 9711;
    let pid = paying(&t, user, "ru").await;
    let at = |used: u64, ts: i64| {
        event(
            "user.bandwidth_usage_threshold_reached",
            user,
            pid,
            ts,
            move |e| {
                e["data"]["userTraffic"]["usedTrafficBytes"] = json!(used);
                e["data"]["lastTriggeredThreshold"] = json!(80);
            },
        )
    };
    deliver(&t, &at(80 * GIB, now())).await;
    deliver(&t, &at(81 * GIB, now() + 1)).await;
    t.drain_outbox().await;
    let sent = t.telegram.sent_to(user);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        text(&sent[0]).contains("80%") && text(&sent[0]).contains("80 ГБ из 100 ГБ"),
        "{}",
        text(&sent[0])
    );
    assert_eq!(buttons(&sent[0]), vec!["moregb".to_owned()]);
    t.telegram.clear();
    // The next threshold is a new notice.
    deliver(&t, &at(95 * GIB, now() + 2)).await;
    let said = told(&t, user).await;
    assert_eq!(said.len(), 1);
    assert!(said[0].contains("95%"), "{said:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_the_operator_turned_off_are_not_sent() {
    let (t, _panel) = stack(&[
        ("WEBHOOK_NOTIFY_FIRST_CONNECTED", "false"),
        ("WEBHOOK_NOTIFY_NOT_CONNECTED", "false"),
        ("WEBHOOK_NOTIFY_BANDWIDTH_THRESHOLD", "false"),
        ("WEBHOOK_NOTIFY_TORRENT_BLOCKER", "false"),
        ("WEBHOOK_NOTIFY_SUB_REVOKED", "false"),
        ("WEBHOOK_NOTIFY_TRAFFIC_RESET", "false"),
    ])
    .await;
    let user = 9721;
    let pid = paying(&t, user, "en").await;
    for (name, meta) in [
        ("user.not_connected", json!({"notConnectedAfterHours": 6})),
        ("user.first_connected", Value::Null),
        ("user.bandwidth_usage_threshold_reached", Value::Null),
        ("user.revoked", Value::Null),
        ("user.traffic_reset", Value::Null),
    ] {
        deliver(
            &t,
            &event(name, user, pid, now(), |e| {
                e["meta"] = meta;
                e["data"]["userTraffic"]["usedTrafficBytes"] = json!(90 * GIB);
            }),
        )
        .await;
    }
    deliver(&t, &torrent(user, pid, now())).await;
    assert!(told(&t, user).await.is_empty());
    // The local copy still follows the panel.
    let u = t.user(user).await.expect("u");
    assert_eq!(
        u.subscription_url.as_deref(),
        Some("https://sub.vpn-shop.test/Hq7Lm2XpR9sW")
    );
}

fn torrent(user: i64, pid: i64, at: i64) -> Vec<u8> {
    let base: Value =
        serde_json::from_slice(&event("user.modified", user, pid, at, |_| {})).expect("json");
    serde_json::to_vec(&json!({
        "scope": "torrent_blocker", "event": "torrent_blocker.report",
        "timestamp": format_time(at),
        "data": {
            "node": {"uuid": "8b2c3d4e-5f6a-4b7c-9d8e-1f2a3b4c5d6e", "name": "NL-1"},
            "user": base["data"],
            "report": {
                "actionReport": {
                    "blocked": true, "ip": "203.0.113.7", "blockDuration": 3600,
                    "willUnblockAt": format_time(at + 3600), "userId": pid.to_string(),
                    "processedAt": format_time(at)
                },
                "xrayReport": {"email": null, "level": null, "protocol": "bittorrent",
                    "network": "tcp", "source": null, "destination": "198.51.100.9:6881",
                    "routeTarget": null, "originalTarget": null, "inboundTag": null,
                    "inboundName": null, "inboundLocal": null, "outboundTag": "TORRENT"}
            }
        }
    }))
    .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_torrent_blocker_tells_the_user_once_and_the_admins_one_line() {
    let (t, _panel) = stack(&[]).await;
    let user = 9731;
    let pid = paying(&t, user, "en").await;
    let at = now();
    deliver(&t, &torrent(user, pid, at)).await;
    deliver(&t, &torrent(user, pid, at)).await;
    t.drain_outbox().await;
    let said: Vec<String> = t.telegram.sent_to(user).iter().map(text).collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("Torrent traffic") && said[0].contains("UTC"));
    let log: Vec<String> = t.telegram.sent_to(LOG_CHAT).iter().map(text).collect();
    assert_eq!(
        log.iter().filter(|l| l.contains("203.0.113.7")).count(),
        1,
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_revoked_in_the_panel_is_the_link_the_bot_shows_and_is_sent_once() {
    let (t, _panel) = stack(&[]).await;
    let user = 9741;
    let pid = paying(&t, user, "en").await;
    let revoked = |at: i64| {
        event("user.revoked", user, pid, at, |e| {
            e["data"]["shortUuid"] = json!("NewShort0001abcd");
            e["data"]["subscriptionUrl"] = json!("https://sub.vpn-shop.test/NewShort0001abcd");
        })
    };
    let at = now();
    deliver(&t, &revoked(at)).await;
    deliver(&t, &revoked(at + 1)).await;
    let said = told(&t, user).await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("NewShort0001abcd"));
    // An older event delivered late does not bring the old link back.
    deliver(
        &t,
        &event("user.modified", user, pid, at - 30, |e| {
            e["data"]["shortUuid"] = json!("OldShort0000abcd");
            e["data"]["subscriptionUrl"] = json!("https://sub.vpn-shop.test/OldShort0000abcd");
        }),
    )
    .await;
    let u = t.user(user).await.expect("u");
    assert_eq!(
        u.subscription_url.as_deref(),
        Some("https://sub.vpn-shop.test/NewShort0001abcd")
    );
    assert_eq!(t.update(&callback_update(60, user, "sub", 1)).await, 200);
    assert!(text(&last_screen(&t)).contains("NewShort0001abcd"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_deleted_in_the_panel_comes_back_only_with_paid_time_left() {
    let (t, panel) = stack(&[("TRIAL_ENABLED", "true")]).await;
    let paid = 9751;
    let pid = paying(&t, paid, "en").await;
    panel.remove_user(pid);
    deliver(&t, &event("user.deleted", paid, pid, now(), |_| {})).await;
    t.stack.drain_panel_sync().await.expect("sync");
    let u = t.user(paid).await.expect("u");
    let new_id = u.panel.as_ref().expect("re-created").id;
    assert_ne!(new_id, pid);
    assert!(panel.users().iter().any(|p| p["id"] == new_id));
    t.drain_outbox().await;
    let log: Vec<String> = t.telegram.sent_to(LOG_CHAT).iter().map(text).collect();
    assert!(
        log.iter()
            .any(|l| l.contains("9751") && l.contains("пересоздаём")),
        "{log:?}"
    );

    // A trial user's account is not re-created.
    let trial = 9752;
    register(&t, 70, trial, "en").await;
    assert_eq!(t.update(&callback_update(71, trial, "trial", 1)).await, 200);
    t.stack.drain_panel_sync().await.expect("sync");
    let tid = t
        .user(trial)
        .await
        .and_then(|u| u.panel)
        .expect("linked")
        .id;
    panel.remove_user(tid);
    deliver(&t, &event("user.deleted", trial, tid, now(), |_| {})).await;
    t.stack.drain_panel_sync().await.expect("sync");
    assert!(t.user(trial).await.expect("u").panel.is_none());
    assert!(!panel.users().iter().any(|p| p["telegramId"] == trial));
    // Opening "My subscription" does not bring it back either.
    assert_eq!(t.update(&callback_update(72, trial, "sub", 1)).await, 200);
    t.stack.drain_panel_sync().await.expect("sync");
    assert!(!panel.users().iter().any(|p| p["telegramId"] == trial));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traffic_reset_takes_the_packs_with_it() {
    let (t, panel) = stack(&[("TRAFFIC_TOPUP_PACKAGES", "10:99")]).await;
    let user = 9761;
    let pid = paying(&t, user, "en").await;
    t.set_user_attr(
        user,
        "xgb",
        aws_sdk_dynamodb::types::AttributeValue::N((10 * GIB).to_string()),
    )
    .await;
    t.enqueue_sync(user, SyncReason::Admin, "packs").await;
    t.stack.drain_panel_sync().await.expect("sync");
    let limit = |panel: &FakePanel| {
        panel
            .users()
            .into_iter()
            .find(|u| u["id"] == pid)
            .expect("user")["trafficLimitBytes"]
            .as_u64()
    };
    assert_eq!(limit(&panel), Some(110 * GIB));
    deliver(
        &t,
        &event("user.traffic_reset", user, pid, now(), |e| {
            e["data"]["userTraffic"]["usedTrafficBytes"] = json!(0);
            e["data"]["lastTrafficResetAt"] = json!(format_time(now()));
        }),
    )
    .await;
    t.stack.drain_panel_sync().await.expect("sync");
    let u = t.user(user).await.expect("u");
    assert_eq!((u.packs, u.old_packs), (0, 0));
    assert_eq!(limit(&panel), Some(100 * GIB));
    let said = told(&t, user).await;
    assert!(
        said.iter().any(|s| s.contains("counter was reset")),
        "{said:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reissue_my_link_with_a_cooldown_and_remove_every_device() {
    let (t, panel) = stack(&[("SUBSCRIPTION_REVOKE_COOLDOWN_SECONDS", "3600")]).await;
    let user = 9771;
    let pid = paying(&t, user, "en").await;
    let old = t
        .user(user)
        .await
        .expect("u")
        .subscription_url
        .expect("link");

    assert_eq!(t.update(&callback_update(10, user, "sub", 1)).await, 200);
    assert!(buttons(&last_screen(&t)).contains(&"reissue".to_owned()));
    assert_eq!(
        t.update(&callback_update(11, user, "reissue", 1)).await,
        200
    );
    assert_eq!(buttons(&last_screen(&t)), vec!["reissue:do", "sub"]);
    // Pressed twice (a double tap): one reissue.
    assert_eq!(
        t.update(&callback_update(12, user, "reissue:do", 1)).await,
        200
    );
    let screen = text(&last_screen(&t));
    let new = t
        .user(user)
        .await
        .expect("u")
        .subscription_url
        .expect("link");
    assert_ne!(new, old);
    assert!(screen.contains(&new), "{screen}");
    assert_eq!(
        t.update(&callback_update(13, user, "reissue:do", 1)).await,
        200
    );
    assert!(text(&last_screen(&t)).contains("again after"));
    assert_eq!(
        panel
            .calls_to("POST", &format!("/api/users/{pid}/actions/revoke"))
            .len(),
        1
    );
    assert!(t.user(user).await.expect("u").revoked_at.is_some());
    // The admins see it on the user card.
    register(&t, 14, ADMIN, "en").await;
    assert_eq!(
        t.update(&callback_update(15, ADMIN, &format!("adm:u:{user}"), 3))
            .await,
        200
    );
    let card = text(&e2e::story::last_to(&t, ADMIN));
    assert!(card.contains("Link reissued"), "{card}");
    // The panel's own event about it sends nothing more.
    let short = new.rsplit('/').next().expect("short").to_owned();
    deliver(
        &t,
        &event("user.revoked", user, pid, now(), |e| {
            e["data"]["shortUuid"] = json!(short);
            e["data"]["subscriptionUrl"] = json!(new.clone());
        }),
    )
    .await;
    assert!(told(&t, user).await.is_empty());

    // Every device removed after a confirmation.
    panel.add_device(pid, "hwid-a-0001", "iOS", "iPhone 15", "18.1");
    panel.add_device(pid, "hwid-b-0002", "Android", "Pixel 9", "15");
    assert_eq!(t.update(&callback_update(20, user, "dev", 2)).await, 200);
    assert!(buttons(&last_screen(&t)).contains(&"dev:reset".to_owned()));
    assert_eq!(
        t.update(&callback_update(21, user, "dev:reset", 2)).await,
        200
    );
    assert!(text(&last_screen(&t)).contains('2'));
    assert!(panel.device_hwids(pid).len() == 2, "asked first");
    assert_eq!(
        t.update(&callback_update(22, user, "dev:reset:do", 2))
            .await,
        200
    );
    assert!(panel.device_hwids(pid).is_empty());
    assert!(text(&last_screen(&t)).contains("removed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_cooldown_the_link_can_be_reissued_again() {
    let (t, panel) = stack(&[("SUBSCRIPTION_REVOKE_COOLDOWN_SECONDS", "0")]).await;
    let user = 9781;
    let pid = paying(&t, user, "en").await;
    for u in [30, 31] {
        assert_eq!(
            t.update(&callback_update(u, user, "reissue:do", 1)).await,
            200
        );
    }
    assert_eq!(
        panel
            .calls_to("POST", &format!("/api/users/{pid}/actions/revoke"))
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_reset_at_a_renewal_when_the_operator_asks() {
    use e2e::fake_providers::FakeProviders;
    use e2e::signed::{Priced, cryptopay_paid};
    use e2e::story::{press_pay, provider_ref};
    let p = FakeProviders::start().await;
    let mut extra: Vec<(&str, String)> = e2e::shop::cryptopay_settings(&p);
    extra.push(("RUB_PRICE_1_MONTH", "199".into()));
    extra.push(("RESET_DEVICES_ON_RENEWAL", "true".into()));
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (t, panel) = stack(&extra).await;
    let user = 9791;
    let pid = paying(&t, user, "en").await;
    panel.add_device(pid, "hwid-r-0001", "iOS", "iPhone 15", "18.1");
    let id = press_pay(&t, &p, user, "pay:1m:cryptopay", 40).await;
    let invoice: u64 = provider_ref(&t, &id).await.parse().expect("numeric");
    let paid = cryptopay_paid(&id.0, invoice, Priced::Fiat("RUB"), "199.00", 41);
    paid.post_ok(&t).await;
    t.stack.drain_panel_sync().await.expect("sync");
    assert!(panel.device_hwids(pid).is_empty(), "reset at the renewal");
    // A device connected after it stays, whatever the re-deliveries.
    panel.add_device(pid, "hwid-r-0002", "iOS", "iPhone 15", "18.1");
    paid.post_ok(&t).await;
    t.stack.drain_panel_sync().await.expect("sync");
    assert_eq!(panel.device_hwids(pid), vec!["hwid-r-0002".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn how_to_connect_comes_from_the_panels_configuration_or_the_built_in_guide() {
    // Without a configuration on the panel: the built-in guide.
    let (t, _panel) = stack(&[]).await;
    let user = 9801;
    paying(&t, user, "en").await;
    let link = t
        .user(user)
        .await
        .expect("u")
        .subscription_url
        .expect("link");
    assert_eq!(t.update(&callback_update(10, user, "sub", 1)).await, 200);
    assert!(buttons(&last_screen(&t)).contains(&"guide".to_owned()));
    assert_eq!(t.update(&callback_update(11, user, "guide", 1)).await, 200);
    let screen = last_screen(&t);
    assert_eq!(
        buttons(&screen),
        vec!["guide:0", "guide:1", "guide:2", "guide:3", "guide:4", "sub"]
    );
    assert!(screen.body.to_string().contains("Android"));
    assert_eq!(
        t.update(&callback_update(12, user, "guide:0", 1)).await,
        200
    );
    let apps = buttons(&last_screen(&t));
    assert!(apps.len() > 2 && apps[0] == "guide:0:0", "{apps:?}");
    assert_eq!(
        t.update(&callback_update(13, user, "guide:0:0", 1)).await,
        200
    );
    let steps = last_screen(&t);
    let body = steps.body.to_string();
    assert!(text(&steps).contains("Happ"), "{}", text(&steps));
    assert!(
        body.contains("apps.apple.com"),
        "the store link is a button"
    );
    assert!(
        text(&steps).contains(&link),
        "the app's own scheme cannot be a Telegram button: the link is there to copy"
    );
    // An index the guide does not have shows the platforms again.
    assert_eq!(
        t.update(&callback_update(14, user, "guide:9:9", 1)).await,
        200
    );
    assert!(buttons(&last_screen(&t)).contains(&"guide:4".to_owned()));

    // With the operator's configuration: its platforms, apps and texts.
    let (t, panel) = stack(&[]).await;
    panel.set_subpage_config(json!({
        "version": "1", "locales": ["ru", "en"],
        "platforms": {
            "windows": {"displayName": {"en": "Windows PC", "ru": "Компьютер"}, "svgIconKey": "Windows", "apps": [
                {"name": "OurVPN", "featured": true, "blocks": [
                    {"title": {"ru": "Скачайте", "en": "Download"}, "description": {"ru": "Скачайте клиент.", "en": "Get the client."},
                     "buttons": [{"link": "https://vpn.example/ourvpn.exe", "type": "external", "text": {"ru": "Скачать", "en": "Download"}}],
                     "svgIconKey": "DownloadIcon", "svgIconColor": "gray"},
                    {"title": {"ru": "Добавьте", "en": "Add"}, "description": {"ru": "Нажмите кнопку.", "en": "Tap the button."},
                     "buttons": [{"link": "https://vpn.example/add?u={{SUBSCRIPTION_LINK}}", "type": "subscriptionLink", "text": {"ru": "Добавить", "en": "Add"}}],
                     "svgIconKey": "Plus", "svgIconColor": "gray"}
                ]}
            ]}
        }
    }));
    let user = 9802;
    paying(&t, user, "ru").await;
    let link = t
        .user(user)
        .await
        .expect("u")
        .subscription_url
        .expect("link");
    assert_eq!(t.update(&callback_update(20, user, "guide", 1)).await, 200);
    let screen = last_screen(&t);
    assert_eq!(buttons(&screen), vec!["guide:0", "sub"]);
    assert!(screen.body.to_string().contains("Компьютер"));
    // One app: its steps at once.
    assert_eq!(
        t.update(&callback_update(21, user, "guide:0", 1)).await,
        200
    );
    let steps = last_screen(&t);
    assert!(text(&steps).contains("1. Скачайте"), "{}", text(&steps));
    let body = steps.body.to_string();
    assert!(body.contains("https://vpn.example/ourvpn.exe"));
    assert!(body.contains(&format!("https://vpn.example/add?u={link}")));
    // The configuration is read once, not per screen.
    assert_eq!(t.update(&callback_update(22, user, "guide", 1)).await, 200);
    assert_eq!(
        panel
            .calls_to("GET", "/api/subscription-page-configs")
            .len(),
        1
    );
}
