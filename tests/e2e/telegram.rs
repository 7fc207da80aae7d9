//! The Telegram webhook, end to end: real routes over HTTP, moto_server
//! behind the real AWS SDK clients, and a fake Bot API that records calls.

use e2e::fault_proxy::{Fault, FaultProxy};
use e2e::story::{buttons as button_data, text as text_of};
use e2e::telegram_request;
use e2e::{SECRET, TestStack, callback_update, fixture, text_update};
use serde_json::json;
use shared::adapters::store::users::User;
use shared::base::clock::now;
use shared::base::types::TelegramId;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_opens_the_bot_and_is_welcomed_once() {
    let t = TestStack::start(&[]).await;
    let status = t
        .update(&text_update(1, 501, "Anna <3", "en", "/start"))
        .await;
    assert_eq!(status, 200);

    let sent = t.telegram.sent_to(501);
    assert_eq!(sent.len(), 1, "exactly one welcome: {sent:?}");
    let text = text_of(&sent[0]);
    assert!(
        text.contains("Hello, <b>Anna &lt;3</b>"),
        "welcome in English with escaped name: {text}"
    );
    assert_eq!(sent[0].body["parse_mode"], "HTML");
    let buttons = button_data(&sent[0]);
    for data in ["sub", "profile", "ref", "lang"] {
        assert!(
            buttons.contains(&data.to_owned()),
            "menu has {data}: {buttons:?}"
        );
    }

    let user: User = t.user(501).await.expect("user registered");
    assert_eq!(user.first_name, "Anna <3");
    assert_eq!(user.lang, shared::base::types::Lang::En);
    assert!(user.created_at > 1_700_000_000);
    assert_eq!(
        user.ref_code,
        shared::base::refcode::encode(shared::base::types::TelegramId(501))
    );
    assert_eq!(user.balance.0, 0);
    assert!(t.telegram.wrong_token_calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_refuses_a_missing_or_wrong_secret_and_changes_nothing() {
    let t = TestStack::start(&[]).await;
    let body = text_update(2, 502, "Boris", "ru", "/start").to_string();
    let wrong_case = SECRET.to_lowercase();
    // (A trailing space cannot be tested over HTTP: header values are trimmed
    // by the protocol. The unit tests of `authentic` cover it.)
    for secret in [
        None,
        Some("e2e_Secret-Token_43"),
        Some(wrong_case.as_str()),
        Some(""),
    ] {
        let status = t.post_telegram_raw(body.as_bytes(), secret).await;
        assert_eq!(status, 401, "secret {secret:?} must be refused");
    }
    assert!(t.telegram.calls().is_empty(), "nothing sent to Telegram");
    assert!(t.user(502).await.is_none(), "no user created");

    // The same update with the right secret is then processed normally:
    // the refused attempts did not consume its update_id.
    assert_eq!(
        t.post_telegram_raw(body.as_bytes(), Some(SECRET)).await,
        200
    );
    assert_eq!(t.telegram.sent_to(502).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_update_changes_nothing_and_sends_nothing_twice() {
    let t = TestStack::start(&[]).await;
    let start = text_update(3, 503, "Vera", "ru", "/start");
    assert_eq!(t.update(&start).await, 200);
    let before = t.user(503).await.expect("registered");

    // Telegram re-delivers, and also two Lambda instances get it at once.
    let deliveries = (0..10).map(|_| t.update(&start));
    let statuses = futures::future::join_all(deliveries).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    assert_eq!(t.telegram.sent_to(503).len(), 1, "one welcome only");
    let after = t.user(503).await.expect("still there");
    assert_eq!(before, after, "the user item is untouched by duplicates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_updates_register_the_user_once() {
    let t = TestStack::start(&[("LOG_CHAT_ID", "-100500"), ("LOG_NEW_USERS", "true")]).await;
    let updates: Vec<_> = (0..8)
        .map(|i| text_update(100 + i, 504, "Gleb", "ru", "/start"))
        .collect();
    let statuses = futures::future::join_all(updates.iter().map(|u| t.update(u))).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(t.drain_outbox().await, 1, "one new-user log line queued");
    assert_eq!(t.telegram.sent_to(-100500).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_friend_arrives_through_a_referral_link_and_the_admins_hear_of_it() {
    let t = TestStack::start(&[("LOG_CHAT_ID", "-100777"), ("LOG_THREAD_ID", "12")]).await;
    assert_eq!(
        t.update(&text_update(10, 601, "Inviter", "ru", "/start"))
            .await,
        200
    );
    let inviter = t.user(601).await.expect("inviter");

    // The inviter opens the referral screen and gets a shareable link.
    assert_eq!(t.update(&callback_update(11, 601, "ref", 9001)).await, 200);
    let edits = t.telegram.calls_of("editMessageText");
    let link = format!(
        "https://t.me/{}?start=ref_{}",
        e2e::fake_telegram::BOT_USERNAME,
        inviter.ref_code
    );
    assert!(text_of(edits.last().expect("referral screen")).contains(&link));

    let start = format!("/start ref_{}", inviter.ref_code);
    assert_eq!(
        t.update(&text_update(12, 602, "Friend", "ru", &start))
            .await,
        200
    );
    let friend = t.user(602).await.expect("friend");
    assert_eq!(friend.referrer, Some(shared::base::types::TelegramId(601)));
    assert_eq!(t.user(601).await.expect("inviter").referrals, 1);

    // First touch only: a later link from someone else changes nothing.
    assert_eq!(
        t.update(&text_update(13, 603, "Other", "ru", "/start"))
            .await,
        200
    );
    let other_code = t.user(603).await.expect("other").ref_code;
    let again = format!("/start ref_u{other_code}");
    assert_eq!(
        t.update(&text_update(14, 602, "Friend", "ru", &again))
            .await,
        200
    );
    assert_eq!(
        t.user(602).await.expect("friend").referrer,
        Some(shared::base::types::TelegramId(601))
    );
    assert_eq!(t.user(603).await.expect("other").referrals, 0);

    // Three registrations, three log lines, in the configured topic.
    assert_eq!(t.drain_outbox().await, 3);
    let logs = t.telegram.sent_to(-100777);
    assert_eq!(logs.len(), 3);
    assert!(logs.iter().all(|c| c.body["message_thread_id"] == 12));
    assert!(
        logs.iter().any(|c| text_of(c).contains("601")),
        "the friend's line names the inviter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referral_links_of_the_ref_u_form_and_legacy_ids_resolve() {
    let t = TestStack::start(&[("LEGACY_REFS", "true")]).await;
    assert_eq!(
        t.update(&text_update(20, 701, "A", "ru", "/start")).await,
        200
    );
    let code = t.user(701).await.expect("a").ref_code;
    assert_eq!(
        t.update(&text_update(
            21,
            702,
            "B",
            "ru",
            &format!("/start ref_u{code}")
        ))
        .await,
        200
    );
    assert_eq!(
        t.user(702).await.expect("b").referrer,
        Some(shared::base::types::TelegramId(701))
    );
    // An old link carrying the inviter's Telegram id.
    assert_eq!(
        t.update(&text_update(22, 703, "C", "ru", "/start ref_701"))
            .await,
        200
    );
    assert_eq!(
        t.user(703).await.expect("c").referrer,
        Some(shared::base::types::TelegramId(701))
    );
    // Nobody can invite themselves, and unknown ids are ignored.
    assert_eq!(
        t.update(&text_update(23, 704, "D", "ru", "/start ref_704"))
            .await,
        200
    );
    assert_eq!(t.user(704).await.expect("d").referrer, None);
    assert_eq!(t.user(701).await.expect("a").referrals, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_id_links_are_ignored_unless_enabled() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(30, 711, "A", "ru", "/start")).await,
        200
    );
    assert_eq!(
        t.update(&text_update(31, 712, "B", "ru", "/start ref_711"))
            .await,
        200
    );
    assert_eq!(t.user(712).await.expect("b").referrer, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_is_first_touch_and_promo_links_are_tried() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(40, 801, "Ad", "ru", "/start vk_nov-2026"))
            .await,
        200
    );
    assert_eq!(
        t.user(801).await.expect("u").campaign.as_deref(),
        Some("vk_nov-2026")
    );
    assert_eq!(
        t.update(&text_update(41, 801, "Ad", "ru", "/start tiktok"))
            .await,
        200
    );
    assert_eq!(
        t.user(801).await.expect("u").campaign.as_deref(),
        Some("vk_nov-2026")
    );
    assert_eq!(
        t.update(&text_update(42, 801, "Ad", "ru", "/start promo_winter50"))
            .await,
        200
    );
    // The link's code is tried at once (there is no such code here) and
    // not kept for later.
    assert_eq!(t.user(801).await.expect("u").pending_promo, None);
    let texts: Vec<String> = t
        .telegram
        .sent_to(801)
        .iter()
        .map(|c| c.body["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        texts.len(),
        4,
        "each /start shows the menu, and the code's answer"
    );
    // The welcome first, then, gently, why the link's code did nothing.
    assert!(texts[2].starts_with("👋"), "{texts:?}");
    assert!(
        texts[3].starts_with("🎟")
            && texts[3].contains("Такого промокода нет. Проверьте написание."),
        "{texts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentic_but_strange_updates_are_answered_200_and_ignored() {
    let t = TestStack::start(&[]).await;
    for body in [
        b"{".to_vec(),
        b"{}".to_vec(),
        b"[]".to_vec(),
        fixture("telegram/inline_query_numeric_id.json"),
        fixture("telegram/group_command.json"),
        fixture("telegram/callback_inline_message.json"),
    ] {
        let status = t.post_telegram_raw(&body, Some(SECRET)).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
    // The documentation-shaped callback and inline query lack fields Telegram
    // always sends (`is_bot`, a string id): they are logged and ignored.
    assert!(
        t.telegram.calls().is_empty(),
        "nothing said in groups or to garbage: {:?}",
        t.telegram.calls()
    );
    // A well-formed press of a button whose data is not ours (an outdated
    // one): a short notice, and the main menu in the message's place.
    assert_eq!(
        t.update(&callback_update(130, 1601, "Data from another bot", 1))
            .await,
        200
    );
    assert_eq!(t.telegram.calls_of("answerCallbackQuery").len(), 1);
    assert_eq!(t.telegram.calls_of("editMessageText").len(), 1);
    assert!(
        t.user(3333333).await.is_none(),
        "group members are not registered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documentation_shaped_start_without_is_bot_is_handled() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.post_telegram_raw(&fixture("telegram/start_doc_shape.json"), Some(SECRET))
            .await,
        200
    );
    assert_eq!(
        t.post_telegram_raw(&fixture("telegram/start_doc_shape.json"), None)
            .await,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_blocks_the_bot_is_marked_and_unmarked_when_back() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(50, 901, "Lev", "ru", "/start")).await,
        200
    );
    let kicked = json!({
        "update_id": 51,
        "my_chat_member": {
            "chat": {"id": 901, "type": "private", "first_name": "Lev"},
            "from": {"id": 901, "is_bot": false, "first_name": "Lev"},
            "date": 1_700_000_300,
            "old_chat_member": {"user": {"id": 7000000001i64, "is_bot": true, "first_name": "Test Shop"}, "status": "member"},
            "new_chat_member": {"user": {"id": 7000000001i64, "is_bot": true, "first_name": "Test Shop"}, "status": "kicked", "until_date": 0}
        }
    });
    assert_eq!(t.update(&kicked).await, 200);
    assert_eq!(
        t.user(901).await.expect("lev").blocked_at,
        Some(1_700_000_300)
    );
    // The documented sample with zero ids is accepted too.
    assert_eq!(
        t.post_telegram_raw(&fixture("telegram/kicked_zero_ids.json"), Some(SECRET))
            .await,
        200
    );
    // Writing again means they unblocked the bot.
    assert_eq!(
        t.update(&text_update(52, 901, "Lev", "ru", "/start")).await,
        200
    );
    assert_eq!(t.user(901).await.expect("lev").blocked_at, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_is_switched_from_the_menu_and_remembered() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(60, 1001, "Ann", "ru", "/start"))
            .await,
        200
    );
    assert!(text_of(&t.telegram.sent_to(1001)[0]).contains("Здравствуйте"));
    assert_eq!(
        t.update(&callback_update(61, 1001, "lang", 5001)).await,
        200
    );
    assert_eq!(
        t.update(&callback_update(62, 1001, "lang:en", 5001)).await,
        200
    );
    let edits = t.telegram.calls_of("editMessageText");
    assert_eq!(edits.len(), 2);
    assert_eq!(edits[1].body["message_id"], 5001);
    assert!(
        text_of(&edits[1]).contains("what would you like to do"),
        "{}",
        text_of(&edits[1])
    );
    assert_eq!(
        t.user(1001).await.expect("ann").lang,
        shared::base::types::Lang::En
    );
    // /language shows the picker as a new message.
    assert_eq!(
        t.update(&text_update(63, 1001, "Ann", "ru", "/language"))
            .await,
        200
    );
    let last = t.telegram.sent_to(1001).pop().expect("picker");
    assert_eq!(button_data(&last), vec!["lang:ru", "lang:en", "menu"]);
    assert_eq!(t.telegram.calls_of("answerCallbackQuery").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_shows_balance_and_subscription_state() {
    let t = TestStack::start(&[("DEFAULT_CURRENCY_SYMBOL", "₽")]).await;
    assert_eq!(
        t.update(&text_update(70, 1101, "Pavel", "ru", "/start"))
            .await,
        200
    );
    assert_eq!(
        t.update(&callback_update(71, 1101, "profile", 6001)).await,
        200
    );
    let text = text_of(&t.telegram.calls_of("editMessageText")[0]);
    assert!(text.contains("<code>1101</code>"), "{text}");
    assert!(text.contains("0 ₽"), "{text}");
    assert!(text.contains("нет активной подписки"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn welcome_text_can_be_turned_off() {
    let t = TestStack::start(&[("DISABLE_WELCOME_MESSAGE", "true")]).await;
    assert_eq!(
        t.update(&text_update(80, 1201, "Nina", "ru", "/start"))
            .await,
        200
    );
    let text = text_of(&t.telegram.sent_to(1201)[0]);
    assert!(!text.contains("Здравствуйте"), "{text}");
    assert!(text.contains("что хотите сделать"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flooding_users_are_slowed_down_with_one_notice() {
    let t = TestStack::start(&[
        ("RATE_LIMIT_ENABLED", "true"),
        ("RATE_LIMIT_REQUESTS", "3"),
        ("RATE_LIMIT_WINDOW", "60"),
    ])
    .await;
    for i in 0..6 {
        assert_eq!(
            t.update(&text_update(90 + i, 1301, "Fast", "ru", "hi"))
                .await,
            200
        );
    }
    let sent = t.telegram.sent_to(1301);
    assert_eq!(sent.len(), 4, "three answers and one notice: {sent:?}");
    assert!(text_of(&sent[3]).contains("Слишком много запросов"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banned_users_are_told_and_served_nothing() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(110, 1401, "Bad", "ru", "/start"))
            .await,
        200
    );
    let store = &t.stack.app.store;
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("USER#1401".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S("PROFILE".into()),
        )
        .update_expression("SET banned = :t")
        .expression_attribute_values(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .send()
        .await
        .expect("ban");
    t.telegram.clear();
    assert_eq!(
        t.update(&text_update(111, 1401, "Bad", "ru", "/start"))
            .await,
        200
    );
    let sent = t.telegram.sent_to(1401);
    assert_eq!(sent.len(), 1);
    assert!(text_of(&sent[0]).contains("ограничен"));
    assert!(button_data(&sent[0]).is_empty(), "no menu for banned users");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_required_channel_gate_really_rechecks() {
    let t = TestStack::start(&[
        ("REQUIRED_CHANNEL_ID", "-1001234567890"),
        ("REQUIRED_CHANNEL_LINK", "https://t.me/test_channel"),
        ("ADMIN_IDS", "1599"),
    ])
    .await;
    assert_eq!(
        t.update(&text_update(120, 1501, "Kate", "ru", "/start promo_x1"))
            .await,
        200
    );
    let gate = t.telegram.sent_to(1501);
    assert_eq!(gate.len(), 1);
    assert!(button_data(&gate[0]).contains(&"gate:check".to_owned()));
    assert!(text_of(&gate[0]).contains("подпишитесь"));
    let member_calls = t.telegram.calls_of("getChatMember");
    assert_eq!(member_calls[0].body["chat_id"], -1001234567890i64);
    // The promo from the link is kept even though the gate stopped the user.
    assert_eq!(
        t.user(1501).await.expect("kate").pending_promo.as_deref(),
        Some("X1")
    );

    // Still not a member: an alert, no menu.
    assert_eq!(
        t.update(&callback_update(121, 1501, "gate:check", 7001))
            .await,
        200
    );
    let answers = t.telegram.calls_of("answerCallbackQuery");
    assert_eq!(answers.last().expect("answer").body["show_alert"], true);

    // Joined: the check passes and the menu replaces the gate.
    t.telegram.set_member(1501, "member");
    assert_eq!(
        t.update(&callback_update(122, 1501, "gate:check", 7001))
            .await,
        200
    );
    let edit = t.telegram.calls_of("editMessageText").pop().expect("menu");
    assert!(button_data(&edit).contains(&"profile".to_owned()));
    assert!(t.user(1501).await.expect("kate").channel_ok_until.is_some());

    // Membership is remembered: the next update asks Telegram nothing.
    let asked = t.telegram.calls_of("getChatMember").len();
    assert_eq!(
        t.update(&callback_update(123, 1501, "profile", 7001)).await,
        200
    );
    assert_eq!(t.telegram.calls_of("getChatMember").len(), asked);

    // Admins are never gated.
    assert_eq!(
        t.update(&text_update(124, 1599, "Admin", "ru", "/start"))
            .await,
        200
    );
    assert!(button_data(&t.telegram.sent_to(1599)[0]).contains(&"profile".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_star_invoices_are_refused_at_pre_checkout() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.post_telegram_raw(&fixture("telegram/pre_checkout_xtr.json"), Some(SECRET))
            .await,
        200
    );
    let answers = t.telegram.calls_of("answerPreCheckoutQuery");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].body["ok"], false);
    assert_eq!(answers[0].body["pre_checkout_query_id"], "5550001112223334");
    assert!(
        answers[0].body["error_message"]
            .as_str()
            .unwrap_or_default()
            .contains("unknown")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_says_only_healthy_publicly_and_details_with_the_token() {
    let t = TestStack::start(&[("HEALTH_TOKEN", "health-token-for-e2e")]).await;
    let resp = t.http.get(t.url("/health")).send().await.expect("health");
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({"status": "healthy"}),
        "nothing else in public"
    );
    let wrong = t
        .http
        .get(t.url("/health"))
        .bearer_auth("health-token-for-e2f")
        .send()
        .await
        .expect("health");
    let body: serde_json::Value = wrong.json().await.expect("json");
    assert!(
        body.get("checks").is_none(),
        "a wrong token sees nothing: {body}"
    );
    let resp = t
        .http
        .get(t.url("/health"))
        .bearer_auth("health-token-for-e2e")
        .send()
        .await
        .expect("health");
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["status"], "healthy");
    for check in [
        "table",
        "outbox",
        "panel_sync",
        "jobs",
        "outbox_dlq",
        "panel_sync_dlq",
        "jobs_dlq",
    ] {
        assert_eq!(body["checks"][check]["ok"], true, "{check}: {body}");
    }
    assert_eq!(body["checks"]["jobs_dlq"]["depth"], 0);

    // A message in a dead-letter queue is unhealthy, and the details say where.
    let dlq = t.stack.provisioned.refs["JobsDlq"].clone();
    t.stack
        .app
        .sqs
        .send_message()
        .queue_url(&dlq)
        .message_body("{}")
        .send()
        .await
        .expect("sent");
    let req = e2e::request(
        "GET",
        "/health",
        &[("authorization", "Bearer health-token-for-e2e")],
        b"",
    );
    let resp = shared::adapters::health::handle_health(&t.stack_probe(), &req).await;
    assert_eq!(resp.status.as_u16(), 503);
    let body: serde_json::Value = serde_json::from_slice(&resp.body).expect("json");
    assert_eq!(body["checks"]["jobs_dlq"]["depth"], 1, "{body}");
    assert_eq!(body["checks"]["jobs_dlq"]["ok"], false);

    // A missing table is reported, with 503, and only as "unhealthy" in public.
    let mut probe = t.stack_probe();
    probe.dlqs.clear();
    probe.store =
        shared::adapters::store::Store::new(t.stack.app.store.client().clone(), "no-such-table");
    let public = e2e::request("GET", "/health", &[], b"");
    let resp = shared::adapters::health::handle_health(&probe, &public).await;
    assert_eq!(resp.status.as_u16(), 503);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&resp.body).unwrap(),
        serde_json::json!({"status": "unhealthy"})
    );
    probe.store = t.stack.app.store.clone();
    probe.queues = vec![("outbox", "http://127.0.0.1:1/000000000000/gone".into())];
    assert_eq!(
        shared::adapters::health::handle_health(&probe, &public)
            .await
            .status
            .as_u16(),
        503
    );

    // Settings that would not start a function (checked with the secret, as at a cold start).
    let mut probe = t.stack_probe();
    probe.dlqs.clear();
    let mut vars = shared::base::config::Vars::new();
    vars.set("BOT_TOKEN", "not a token");
    vars.set("HEALTH_TOKEN", "health-token-for-e2e");
    probe.startup = Some(shared::adapters::health::StartupCheck::new(vars, None));
    let resp = shared::adapters::health::handle_health(&probe, &req).await;
    assert_eq!(resp.status.as_u16(), 503);
    let body: serde_json::Value = serde_json::from_slice(&resp.body).expect("json");
    assert_eq!(body["checks"]["startup"]["ok"], false, "{body}");
    assert!(
        body["checks"]["startup"]["error"]
            .as_str()
            .unwrap()
            .contains("BOT_TOKEN")
    );
    // The same settings with the stack's secret read through Secrets Manager start.
    let mut vars = shared::base::config::Vars::new();
    vars.set("TABLE_NAME", &t.stack.app.config.infra.table_name);
    let secret = t.stack.provisioned.refs["Secret"].clone();
    let client = aws_sdk_secretsmanager::Client::new(&t.stack.aws);
    probe.startup = Some(shared::adapters::health::StartupCheck::new(
        vars,
        Some((client, secret)),
    ));
    let resp = shared::adapters::health::handle_health(&probe, &public).await;
    assert_eq!(
        resp.status.as_u16(),
        200,
        "{:?}",
        String::from_utf8_lossy(&resp.body)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_are_404() {
    let t = TestStack::start(&[]).await;
    let resp = t.http.get(t.url("/nope")).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typical_update_costs_one_dynamodb_write_in_one_round_trip() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(140, 1701, "Eve", "ru", "/start"))
            .await,
        200
    );
    let before = t.stack.moto.dynamodb_calls().await.expect("counts");
    assert_eq!(
        t.update(&callback_update(141, 1701, "profile", 1)).await,
        200
    );
    let after = t.stack.moto.dynamodb_calls().await.expect("counts");
    let delta: std::collections::BTreeMap<String, u64> = after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0)))
        .filter(|(_, v)| *v > 0)
        .collect();
    // The envelope: the update's mark, the touch and the rate window in one
    // UpdateItem on the user's item. No reads, no scans.
    assert_eq!(delta, [("UpdateItem".to_owned(), 1)].into_iter().collect());
    assert!(!after.contains_key("Scan"), "no table scans: {after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_polling_feeds_updates_through_the_webhook_handler_once() {
    let mut t = TestStack::start(&[]).await;
    t.telegram
        .push_update(text_update(150, 1801, "Polly", "en", "/start"));
    t.telegram
        .push_update(text_update(151, 1801, "Polly", "en", "/language"));
    t.stack.spawn_polling();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while t.telegram.sent_to(1801).len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Let a few more polls pass: acknowledged updates must not come back.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let sent = t.telegram.sent_to(1801);
    assert_eq!(
        sent.len(),
        2,
        "welcome and language picker, once each: {sent:?}"
    );
    assert!(text_of(&sent[0]).contains("Hello"));
    let polls = t.telegram.calls_of("getUpdates");
    assert!(polls.len() >= 2);
    assert_eq!(
        polls.last().expect("poll").body["offset"],
        152,
        "offset moves past what was handled"
    );
    assert!(t.user(1801).await.is_some());
}

// The update envelope (`store::envelope`): one write per update on the
// user's item carries the update's at-most-once mark, the touch and the
// rate window. Different updates of one user in any order are each
// answered once; every re-delivery sends nothing; a registration whose
// first delivery died is completed by the re-delivery; and a burst of new
// users through a proxy that conflicts like DynamoDB counts every sign-up
// once.

/// `answerCallbackQuery` calls for the callback of update `id`.
fn answered(t: &TestStack, id: i64) -> usize {
    t.telegram
        .calls_of("answerCallbackQuery")
        .iter()
        .filter(|c| c.body["callback_query_id"] == format!("cbq-{id}"))
        .count()
}

async fn signups_today(t: &TestStack) -> i64 {
    let day = shared::adapters::store::keys::day_of(now());
    let c = t
        .stack
        .app
        .store
        .counters(&day, &day)
        .await
        .expect("counters");
    assert_eq!(
        c.day(&day, "signups"),
        c.total("signups"),
        "everyone in this test signed up today"
    );
    c.total("signups")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_updates_of_one_user_at_once_are_each_answered_once_and_their_redeliveries_send_nothing()
 {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(1, 701, "Ira", "en", "/start")).await,
        200
    );

    // Telegram delivers two presses of the same user over two connections.
    let a = callback_update(20, 701, "profile", 1);
    let b = callback_update(21, 701, "ref", 1);
    let (sa, sb) = tokio::join!(t.update(&a), t.update(&b));
    assert_eq!((sa, sb), (200, 200));
    assert_eq!((answered(&t, 20), answered(&t, 21)), (1, 1));
    let sent = t.telegram.calls().len();

    // Each is re-delivered, several times and at once: nothing more is sent.
    let again = (0..4).flat_map(|_| [t.update(&a), t.update(&b)]);
    let statuses = futures::future::join_all(again).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!((answered(&t, 20), answered(&t, 21)), (1, 1));
    assert_eq!(t.telegram.calls().len(), sent, "nothing sent twice");

    // Out of order: a later update first, then an earlier one never seen.
    assert_eq!(t.update(&callback_update(31, 701, "profile", 1)).await, 200);
    assert_eq!(t.update(&callback_update(30, 701, "profile", 1)).await, 200);
    assert_eq!((answered(&t, 30), answered(&t, 31)), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_conversation_keeps_recognising_old_redeliveries() {
    let t = TestStack::start(&[("RATE_LIMIT_ENABLED", "false")]).await;
    assert_eq!(
        t.update(&text_update(1, 702, "Oleg", "en", "/start")).await,
        200
    );
    // Enough updates for the set of recent ids to be pruned twice.
    for id in 100..180 {
        assert_eq!(t.update(&callback_update(id, 702, "profile", 1)).await, 200);
    }
    let sent = t.telegram.calls().len();
    // The first presses are under the floor now, the last still in the set.
    for id in [100, 101, 150, 170, 179] {
        assert_eq!(t.update(&callback_update(id, 702, "profile", 1)).await, 200);
    }
    assert_eq!(t.telegram.calls().len(), sent, "every re-delivery ignored");
    for id in 100..180 {
        assert_eq!(answered(&t, id), 1, "update {id} answered once");
    }
    // New presses still pass.
    assert_eq!(
        t.update(&callback_update(180, 702, "profile", 1)).await,
        200
    );
    assert_eq!(answered(&t, 180), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_whose_function_died_after_the_envelope_is_completed_by_the_redelivery() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(1, 703, "Inviter", "en", "/start"))
            .await,
        200
    );
    let code = t.user(703).await.expect("inviter").ref_code;
    let before = signups_today(&t).await;

    // The friend's first /start: the envelope write lands (the user is
    // created), then the function dies before the registration's
    // transaction.
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    let routes = t.routes_via(&proxy).await;
    let cut = Arc::new(Notify::new());
    proxy.add("UpdateItem", Some("USER#704"), 1, Fault::Cut(cut.clone()));
    let start = text_update(2, 704, "Friend", "en", &format!("/start ref_{code}"));
    let req = telegram_request(&start);
    let task = tokio::spawn(async move { routes.handle(req).await });
    tokio::time::timeout(Duration::from_secs(20), cut.notified())
        .await
        .expect("the envelope write happened");
    task.abort();
    let _ = task.await;
    let friend = t.user(704).await.expect("created by the envelope");
    assert_eq!(friend.referrer, None, "not attributed yet");
    assert_eq!(signups_today(&t).await, before, "not counted yet");

    // Telegram got no answer and delivers the /start again: the envelope
    // finds the update processed, and the registration its own and open.
    assert_eq!(t.update(&start).await, 200);
    let friend = t.user(704).await.expect("friend");
    assert_eq!(friend.referrer, Some(TelegramId(703)), "attributed");
    assert_eq!(t.user(703).await.expect("inviter").referrals, 1);
    assert_eq!(signups_today(&t).await, before + 1, "counted once");

    // More deliveries change nothing.
    assert_eq!(t.update(&start).await, 200);
    assert_eq!(t.user(703).await.expect("inviter").referrals, 1);
    assert_eq!(signups_today(&t).await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_new_users_at_once_through_dynamodb_conflicts_are_each_counted_once() {
    if std::env::var_os("BURST_LOG").is_some() {
        shared::adapters::app::init_logging();
    }
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(1, 900, "Inviter", "en", "/start"))
            .await,
        200
    );
    let code = t.user(900).await.expect("inviter").ref_code;
    let before = signups_today(&t).await;

    // Every call of the burst goes through a proxy that cancels concurrent
    // transactions on one item as DynamoDB does (moto never does), holding
    // each transaction a few milliseconds in flight.
    let proxy = FaultProxy::start(&t.stack.moto.endpoint).await;
    proxy.conflict_like_dynamodb(Duration::from_millis(4));
    let routes = t.routes_via(&proxy).await;
    let users: Vec<i64> = (0..300).map(|i| 10_000 + i).collect();
    let start_of = |u: i64| match u % 3 {
        0 => format!("/start ref_{code}"),
        1 => "/start spring_post".to_owned(),
        _ => "/start".to_owned(),
    };
    let mut pending: Vec<i64> = users.clone();
    let mut rounds = 0;
    let mut first_round_ok = Vec::new();
    while !pending.is_empty() {
        rounds += 1;
        // Telegram keeps re-delivering what failed; the burst is over long
        // before it would give up.
        assert!(
            rounds <= 30,
            "still failing after 30 deliveries: {pending:?}"
        );
        let deliveries = pending.iter().map(|u| {
            let routes = routes.clone();
            let req = telegram_request(&text_update(*u, *u, "New", "en", &start_of(*u)));
            async move { (routes.handle(req).await.status.as_u16(), *u) }
        });
        let answers = futures::future::join_all(deliveries).await;
        if rounds == 1 {
            first_round_ok = answers
                .iter()
                .filter(|(status, _)| *status == 200)
                .map(|(_, u)| *u)
                .collect();
        }
        // Telegram re-delivers what was not answered 200.
        pending = answers
            .into_iter()
            .filter(|(status, _)| *status != 200)
            .map(|(_, u)| u)
            .collect();
    }
    assert!(
        proxy.conflicts_refused() > 0,
        "the burst did conflict (else this test proves nothing)"
    );

    assert_eq!(
        signups_today(&t).await,
        before + 300,
        "every sign-up counted once"
    );
    assert_eq!(t.user(900).await.expect("inviter").referrals, 100);
    let campaign = t
        .stack
        .app
        .store
        .get_campaign("spring_post")
        .await
        .expect("store")
        .expect("campaign");
    assert_eq!((campaign.starts, campaign.users), (100, 100));
    // Answers are at most once: a user whose first delivery ran out of
    // time may have been welcomed by it or not (the re-delivery finds the
    // update processed). Those answered at once were welcomed once (on a
    // slow machine the first round may answer few of them in time; the
    // counts above hold however many).
    for u in &first_round_ok {
        assert_eq!(t.telegram.sent_to(*u).len(), 1, "user {u} welcomed once");
    }
    println!(
        "burst: {} calls refused for conflicts, {rounds} delivery rounds",
        proxy.conflicts_refused()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_and_text_the_bot_does_not_understand_get_a_short_guide_with_the_menu() {
    let t = TestStack::start(&[("SUPPORT_LINK", "@shop_support")]).await;
    assert_eq!(
        t.update(&text_update(1, 711, "Lena", "ru", "/start")).await,
        200
    );
    for (id, text) in [(2, "/help"), (3, "как подключить?"), (4, "/whatever")] {
        assert_eq!(
            t.update(&text_update(id, 711, "Lena", "ru", text)).await,
            200
        );
        let sent = t.telegram.sent_to(711);
        let answer = sent.last().expect("answered");
        let body = text_of(answer);
        assert!(body.starts_with("ℹ️ <b>Чем помочь?</b>"), "{text}: {body}");
        assert!(
            body.contains("• 🔐 Моя подписка — ссылка для подключения"),
            "{body}"
        );
        assert!(body.contains("Нажмите «💬 Поддержка»"), "{body}");
        let buttons = button_data(answer);
        assert!(
            buttons.contains(&"sub".to_owned()) && buttons.contains(&"profile".to_owned()),
            "the main menu's buttons: {buttons:?}"
        );
    }
    assert_eq!(t.telegram.sent_to(711).len(), 4, "one answer each");
    // English, without a support link: the footer instead.
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(1, 712, "Sam", "en", "hello?")).await,
        200
    );
    let body = text_of(t.telegram.sent_to(712).last().expect("answered"));
    assert!(body.starts_with("ℹ️ <b>How can I help?</b>"), "{body}");
    assert!(
        body.ends_with("Choose an action with the buttons below."),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outdated_button_says_so_and_shows_the_main_menu() {
    let t = TestStack::start(&[]).await;
    assert_eq!(
        t.update(&text_update(1, 713, "Ira", "en", "/start")).await,
        200
    );
    // A button of the Python bot's era, still under an old message.
    assert_eq!(
        t.update(&callback_update(2, 713, "buy:plan_1m", 77)).await,
        200
    );
    let answers = t.telegram.calls_of("answerCallbackQuery");
    let answer = answers.last().expect("answered");
    assert_eq!(
        answer.body["text"], "This button is outdated; here is the main menu.",
        "{answer:?}"
    );
    let edit = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("the menu in its place");
    assert_eq!(edit.body["message_id"], 77);
    assert!(
        text_of(&edit).contains("what would you like to do"),
        "{}",
        text_of(&edit)
    );
}
