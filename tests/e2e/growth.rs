//! Growth, end to end: promo codes made by admins and activated by users
//! (links, typing, races, bulk CSV), referral rewards as days or balance
//! through re-delivered payments, and ad campaigns' numbers.

use e2e::fake_panel::FakePanel;
use e2e::signed::successful_payment;
use e2e::story::{close, inviter_and_buyer, ledger, panel_expiry, press_stars, texts_to};
use e2e::{TestStack, callback_update, text_update};
use futures::future::join_all;
use shared::adapters::pay::OrderId;
use shared::base::clock::now;
use shared::base::types::TelegramId;
use std::collections::HashSet;

const DAY: i64 = 86_400;
const ADMIN: i64 = 9000;
const LOG_CHAT: i64 = -100_800;

async fn shop(extra: &[(&str, &str)]) -> (TestStack, FakePanel) {
    let mut vars = vec![
        ("RUB_PRICE_1_MONTH", "199"),
        ("RUB_PRICE_3_MONTHS", "499"),
        ("STARS_ENABLED", "true"),
        ("STARS_PRICE_1_MONTH", "150"),
        ("STARS_PRICE_3_MONTHS", "400"),
        ("REFERRAL_BONUS_DAYS_1_MONTH", "7"),
        ("REFERRAL_BONUS_DAYS_3_MONTHS", "10"),
        ("REFEREE_BONUS_DAYS_3_MONTHS", "5"),
        ("RATE_LIMIT_ENABLED", "false"),
        ("TRIAL_ENABLED", "true"),
        ("LOG_CHAT_ID", "-100800"),
        ("ADMIN_IDS", "9000"),
    ];
    vars.extend_from_slice(extra);
    TestStack::start_with_panel(&vars).await
}

fn last_text(t: &TestStack, chat: i64) -> String {
    texts_to(t, chat).pop().unwrap_or_default()
}

/// How many times the bot said exactly `text` to `chat`.
/// Messages to `chat` that are `text`, or carry it (a refusal of a code a
/// `/start` link brought comes after the welcome, wrapped gently).
fn said(t: &TestStack, chat: i64, text: &str) -> usize {
    texts_to(t, chat)
        .iter()
        .filter(|m| *m == text || (m.starts_with("🎟") && m.contains(text)))
        .count()
}

async fn admin(t: &TestStack, update_id: i64, command: &str) -> String {
    assert_eq!(
        t.update(&text_update(update_id, ADMIN, "Admin", "ru", command))
            .await,
        200
    );
    last_text(t, ADMIN)
}

async fn say(t: &TestStack, update_id: i64, user: i64, lang: &str, text: &str) {
    assert_eq!(
        t.update(&text_update(update_id, user, "Uma", lang, text))
            .await,
        200
    );
}

/// Delivers an update as Telegram does: again after a 5xx (a handler that
/// ran out of its time budget on a loaded machine), up to five times.
async fn deliver(t: &TestStack, update_id: i64, user: i64, text: &str) {
    let update = text_update(update_id, user, "Uma", "ru", text);
    for _ in 0..5 {
        if t.update(&update).await == 200 {
            return;
        }
    }
    panic!("update {update_id} kept failing");
}

async fn promo(t: &TestStack, code: &str) -> shared::adapters::store::promos::Promo {
    t.stack
        .app
        .store
        .get_promo(code)
        .await
        .expect("store")
        .expect("code exists")
}

/// The user presses "pay with Stars" for `period`; returns (order, stars asked).
async fn stars_invoice(t: &TestStack, user: i64, period: &str, update_id: i64) -> (OrderId, u64) {
    let order = press_stars(t, user, &format!("pay:{period}:stars"), update_id).await;
    let invoice = t
        .telegram
        .calls_of("sendInvoice")
        .pop()
        .expect("invoice sent");
    assert_eq!(invoice.body["chat_id"].as_i64(), Some(user));
    let stars = invoice.body["prices"][0]["amount"]
        .as_u64()
        .expect("amount");
    (order, stars)
}

async fn pay_stars(t: &TestStack, user: i64, period: &str, update_id: i64) -> OrderId {
    let (order, stars) = stars_invoice(t, user, period, update_id).await;
    let paid = successful_payment(
        update_id + 1,
        user,
        &order.0,
        stars,
        &format!("ch-{update_id}"),
    );
    assert_eq!(t.update(&paid).await, 200);
    order
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promo_link_opened_by_a_new_user_applies_after_registration() {
    let (t, panel) = shop(&[]).await;
    let made = admin(&t, 1, "/promo_new welcome days 5 100").await;
    assert!(made.contains("WELCOME"), "{made}");

    say(&t, 2, 6001, "ru", "/start promo_welcome").await;
    let user = t.user(6001).await.expect("registered");
    assert!(close(user.sub_end.expect("days"), now() + 5 * DAY));
    assert_eq!(user.pending_promo, None, "the link is used up");
    assert!(
        texts_to(&t, 6001)
            .iter()
            .any(|m| m.starts_with("✅ Промокод <b>WELCOME</b> активирован: +5 дней")),
        "{:?}",
        texts_to(&t, 6001)
    );
    t.stack.drain_panel_sync().await.expect("sync");
    assert_eq!(
        panel_expiry(&panel, 6001),
        user.sub_end,
        "the panel follows"
    );
    t.drain_outbox().await;
    assert!(
        texts_to(&t, LOG_CHAT)
            .iter()
            .any(|m| m.contains("WELCOME") && m.contains("6001")),
        "the activation is logged"
    );
    assert_eq!(promo(&t, "WELCOME").await.used, 1);
    let kinds: Vec<String> = ledger(&t, 6001).await.into_iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec!["promo_days"]);

    // Opened again, typed again: once.
    say(&t, 3, 6001, "ru", "/start promo_WELCOME").await;
    assert_eq!(said(&t, 6001, "Вы уже активировали этот промокод."), 1);
    // The welcome first, then, gently, why the link's code did nothing.
    let texts = texts_to(&t, 6001);
    let last = &texts[texts.len() - 1];
    assert!(
        last.starts_with("🎟 Кстати, о промокоде <b>WELCOME</b>")
            && last.contains("Ничего страшного"),
        "{texts:?}"
    );
    assert!(
        !texts[texts.len() - 2].starts_with("🎟"),
        "the welcome came first: {texts:?}"
    );
    assert!(
        t.update(&callback_update(4, 6001, "promo", 1)).await == 200
            && t.update(&text_update(5, 6001, "Uma", "ru", "welcome"))
                .await
                == 200
    );
    assert_eq!(said(&t, 6001, "Вы уже активировали этот промокод."), 2);
    assert_eq!(t.user(6001).await.expect("u").sub_end, user.sub_end);
    assert_eq!(promo(&t, "WELCOME").await.used, 1);
    assert_eq!(ledger(&t, 6001).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_users_racing_for_ten_activations_get_exactly_ten() {
    let (t, _panel) = shop(&[]).await;
    admin(&t, 1, "/promo_new RACE days 3 10").await;
    let users: Vec<i64> = (0..50).map(|i| 7000 + i).collect();
    for chunk in users.chunks(10) {
        join_all(chunk.iter().map(|u| deliver(&t, 100 + u, *u, "/start"))).await;
    }
    // Everyone at once, through the deep link.
    join_all(
        users
            .iter()
            .map(|u| deliver(&t, 1000 + u, *u, "/start promo_race")),
    )
    .await;

    let mut winners = 0;
    let mut refused = 0;
    for u in &users {
        let got_days = t.user(*u).await.expect("user").sub_end.is_some();
        let texts = texts_to(&t, *u);
        if got_days {
            winners += 1;
            // (A delivery cut short after its commit is answered "already
            // activated" on Telegram's retry.)
            assert!(
                texts
                    .iter()
                    .any(|m| m.contains("RACE") || m == "Вы уже активировали этот промокод."),
                "{texts:?}"
            );
        } else {
            refused += 1;
            assert!(
                texts
                    .iter()
                    .any(|m| m.contains("Этот промокод уже использован максимальное число раз.")),
                "{texts:?}"
            );
        }
    }
    assert_eq!((winners, refused), (10, 40));
    let code = promo(&t, "RACE").await;
    assert_eq!(code.used, 10);
    let acts = t
        .stack
        .app
        .store
        .promo_activations("RACE", 100)
        .await
        .expect("activations");
    assert_eq!(acts.len(), 10);
    let view = admin(&t, 2, "/promo race").await;
    assert!(view.contains("10 из 10"), "{view}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_switched_off_and_unknown_codes_are_refused_in_the_users_language() {
    let (t, _panel) = shop(&[]).await;
    admin(&t, 1, "/promo_new OLD days 3 * 2099-01-01").await;
    admin(&t, 2, "/promo_until OLD 2020-01-01").await;
    admin(&t, 3, "/promo_new PAUSED balance 50").await;
    let off = admin(&t, 4, "/promo_off PAUSED").await;
    assert!(off.contains("отключён"), "{off}");

    say(&t, 10, 6101, "en", "/start").await;
    say(&t, 11, 6102, "ru", "/start").await;
    assert_eq!(t.update(&callback_update(12, 6101, "promo", 1)).await, 200);
    say(&t, 13, 6101, "en", "old").await;
    assert_eq!(said(&t, 6101, "This promo code has expired."), 1);
    say(&t, 14, 6102, "ru", "/start promo_OLD").await;
    assert_eq!(said(&t, 6102, "Срок действия этого промокода истёк."), 1);
    say(&t, 15, 6102, "ru", "/start promo_PAUSED").await;
    assert_eq!(said(&t, 6102, "Этот промокод отключён."), 1);
    say(&t, 16, 6102, "ru", "/start promo_NOPE").await;
    assert_eq!(
        said(&t, 6102, "Такого промокода нет. Проверьте написание."),
        1
    );
    assert_eq!(t.user(6102).await.expect("u").sub_end, None);
    assert_eq!(t.user(6102).await.expect("u").balance.0, 0);

    // Switched back on, it works.
    admin(&t, 17, "/promo_on PAUSED").await;
    say(&t, 18, 6102, "ru", "/start promo_paused").await;
    assert_eq!(t.user(6102).await.expect("u").balance.0, 5_000);
    let rows = ledger(&t, 6102).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, "promo_balance");
    assert_eq!(rows[0].amount.as_ref().map(|m| m.minor()), Some(5_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacks_are_flagged_and_wrong_guesses_are_rate_limited() {
    let (t, _panel) = shop(&[]).await;
    admin(&t, 1, "/promo_new REAL days 1").await;
    say(&t, 2, 6201, "ru", "/start").await;
    assert_eq!(t.update(&callback_update(3, 6201, "promo", 1)).await, 200);
    say(&t, 4, 6201, "ru", "x' OR 1=1; DROP TABLE promo --").await;
    assert_eq!(said(&t, 6201, "Этот текст не похож на промокод."), 1);
    t.drain_outbox().await;
    assert!(
        texts_to(&t, LOG_CHAT)
            .iter()
            .any(|m| m.contains("6201") && m.contains("DROP")),
        "flagged to the log chat"
    );
    for i in 0..10 {
        say(&t, 10 + i, 6201, "ru", &format!("/start promo_GUESS{i}")).await;
        assert_eq!(
            said(&t, 6201, "Такого промокода нет. Проверьте написание."),
            i as usize + 1
        );
    }
    // The right code now waits for the window to pass.
    say(&t, 30, 6201, "ru", "/start promo_REAL").await;
    assert_eq!(
        said(
            &t,
            6201,
            "Слишком много неверных попыток. Попробуйте через час."
        ),
        1
    );
    assert_eq!(t.user(6201).await.expect("u").sub_end, None);
    assert_eq!(promo(&t, "REAL").await.used, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discount_code_lowers_the_next_price_once() {
    let (t, _panel) = shop(&[]).await;
    admin(&t, 1, "/promo_new SALE discount 25").await;
    say(&t, 2, 6301, "ru", "/start promo_sale").await;
    let user = t.user(6301).await.expect("u");
    assert_eq!(user.discount.as_ref().map(|d| d.percent), Some(25));

    // The plan list shows the lowered prices.
    assert_eq!(t.update(&callback_update(3, 6301, "buy", 1)).await, 200);
    let list = t.telegram.calls_of("editMessageText").pop().expect("plans");
    assert!(
        list.body["text"]
            .as_str()
            .unwrap_or_default()
            .contains("25%")
    );
    let labels = list.body["reply_markup"].to_string();
    assert!(
        labels.contains("149,25") && labels.contains("112 ⭐"),
        "{labels}"
    );

    let (order, stars) = stars_invoice(&t, 6301, "1m", 4).await;
    assert_eq!(stars, 112, "the provider is asked for the discounted price");
    let paid = successful_payment(5, 6301, &order.0, stars, "ch-sale");
    assert_eq!(t.update(&paid).await, 200);
    assert_eq!(t.update(&paid).await, 200, "re-delivered");
    let after = t.user(6301).await.expect("u");
    assert!(close(after.sub_end.expect("paid"), now() + 30 * DAY));
    assert_eq!(after.discount, None, "used up by the purchase");

    let (_, full) = stars_invoice(&t, 6301, "1m", 6).await;
    assert_eq!(full, 150, "the next price is the full one");
    let purchases: Vec<u64> = ledger(&t, 6301)
        .await
        .into_iter()
        .filter(|r| r.kind == "purchase")
        .filter_map(|r| r.amount.map(|m| m.minor()))
        .collect();
    assert_eq!(purchases, vec![112]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_codes_made_at_once_are_distinct_and_activate() {
    let (t, _panel) = shop(&[("LOG_PROMO_ACTIVATIONS", "false")]).await;
    admin(&t, 1, "/promo_bulk 500 balance 10 1").await;
    let doc = t.telegram.calls_of("sendDocument").pop().expect("CSV sent");
    assert_eq!(doc.body["chat_id"], 9000);
    let csv = document_text(&doc);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("code,kind,value,limit,used,valid_until,active,created_at")
    );
    let codes: Vec<String> = lines
        .map(|l| l.split(',').next().expect("code").to_owned())
        .collect();
    assert_eq!(codes.len(), 500);
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 500, "distinct");

    // Every code activates. A sample spread over the file goes through
    // the bot: each activation is a transaction, and moto copies the whole
    // table for each one, so all 500 would take minutes here.
    say(&t, 2, 6401, "ru", "/start").await;
    let sample: Vec<&String> = codes.iter().step_by(25).chain(codes.last()).collect();
    for (i, c) in sample.iter().enumerate() {
        deliver(&t, 10 + i as i64, 6401, &format!("/start promo_{c}")).await;
    }
    assert_eq!(
        t.user(6401).await.expect("u").balance.0,
        sample.len() as u64 * 1_000
    );
    for c in &sample {
        let p = promo(&t, c).await;
        assert_eq!((p.used, p.limit), (1, Some(1)));
    }
    admin(&t, 3, "/promo_csv").await;
    let all = t.telegram.calls_of("sendDocument").pop().expect("export");
    assert_eq!(document_text(&all).lines().count(), 501);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_month_referral_purchase_rewards_both_sides_once_even_when_redelivered() {
    let (t, panel) = shop(&[]).await;
    inviter_and_buyer(&t, 6501, 6502, 1).await;
    let (order, stars) = stars_invoice(&t, 6502, "3m", 3).await;
    let paid = successful_payment(4, 6502, &order.0, stars, "ch-ref-3m");
    for _ in 0..3 {
        assert_eq!(t.update(&paid).await, 200);
    }
    // The inviter's side is the jobs worker's; three deliveries queued
    // the job up to three times.
    t.drain_jobs().await;
    let buyer_end = t.user(6502).await.expect("b").sub_end.expect("paid");
    assert!(
        close(buyer_end, now() + 95 * DAY),
        "90 days and the friend's 5, once"
    );
    let inviter = t.user(6501).await.expect("i");
    assert!(
        close(inviter.sub_end.expect("bonus"), now() + 10 * DAY),
        "10 days, once"
    );
    t.stack.drain_panel_sync().await.expect("sync");
    assert_eq!(panel_expiry(&panel, 6502), Some(buyer_end));
    assert_eq!(
        panel_expiry(&panel, 6501),
        inviter.sub_end,
        "the inviter's panel user is extended"
    );
    t.drain_outbox().await;
    let notices = texts_to(&t, 6501)
        .into_iter()
        .filter(|m| m.starts_with("🎁"))
        .count();
    assert_eq!(notices, 1);

    // The referral screen counts it.
    assert_eq!(t.update(&callback_update(5, 6501, "ref", 1)).await, 200);
    let screen = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("screen");
    let text = screen.body["text"].as_str().unwrap_or_default();
    assert!(text.contains("Из них оплатили: <b>1</b>"), "{text}");
    assert!(text.contains("Заработано дней: <b>10</b>"), "{text}");
    assert!(
        screen.body["reply_markup"]
            .to_string()
            .contains("t.me/share")
    );

    // One bonus per invitee: the second purchase rewards nobody.
    pay_stars(&t, 6502, "1m", 6).await;
    t.drain_jobs().await;
    let again = t.user(6501).await.expect("i");
    assert_eq!(again.sub_end, inviter.sub_end);
    assert_eq!(again.referral_stats.paying, 1);
    let bonuses = ledger(&t, 6501)
        .await
        .into_iter()
        .filter(|r| r.kind == "referral_bonus")
        .count();
    assert_eq!(bonuses, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balance_referral_bonuses_reach_the_ledger_and_a_refund_takes_them_back() {
    let (t, panel) = shop(&[
        ("REFERRAL_BONUS_MODE", "balance"),
        ("REFERRAL_BONUS_RUB_3_MONTHS", "50"),
    ])
    .await;
    say(&t, 1, ADMIN, "ru", "/start").await;
    inviter_and_buyer(&t, 6601, 6602, 2).await;
    let (order, stars) = stars_invoice(&t, 6602, "3m", 4).await;
    let paid = successful_payment(5, 6602, &order.0, stars, "ch-ref-bal");
    assert_eq!(t.update(&paid).await, 200);
    assert_eq!(t.update(&paid).await, 200);
    t.drain_jobs().await;
    let inviter = t.user(6601).await.expect("i");
    assert_eq!(inviter.balance.0, 5_000);
    assert_eq!(inviter.sub_end, None, "money instead of days");
    assert_eq!(inviter.referral_stats.money, 5_000);
    let rows = ledger(&t, 6601).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, "referral_bonus");
    assert_eq!(rows[0].amount.as_ref().map(|m| m.minor()), Some(5_000));
    t.stack.drain_panel_sync().await.expect("sync");
    assert!(
        panel.user_named("tg_6601").is_none(),
        "no panel change for money"
    );
    t.drain_outbox().await;
    assert!(
        texts_to(&t, 6601)
            .iter()
            .any(|m| m.starts_with("🎁") && m.contains("50")),
        "{:?}",
        texts_to(&t, 6601)
    );
    assert_eq!(t.update(&callback_update(6, 6601, "ref", 1)).await, 200);
    let screen = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("screen");
    let text = screen.body["text"].as_str().unwrap_or_default();
    assert!(text.contains("Заработано на баланс: <b>50"), "{text}");

    // Refunded: the bonus money goes back.
    say(&t, 7, ADMIN, "ru", &format!("/refund {order}")).await;
    let inviter = t.user(6601).await.expect("i");
    assert_eq!(inviter.balance.0, 0);
    assert_eq!(inviter.referral_stats.money, 0);
    let kinds: Vec<String> = ledger(&t, 6601).await.into_iter().map(|r| r.kind).collect();
    assert!(
        kinds.contains(&"referral_bonus_revoked".to_owned()),
        "{kinds:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaigns_numbers_match_the_users_trials_and_payments() {
    let (t, _panel) = shop(&[]).await;
    say(&t, 1, 6700, "ru", "/start").await; // an existing user
    // Traffic arrives before the campaign is registered.
    say(&t, 2, 6701, "ru", "/start vk_nov").await;
    let made = admin(&t, 3, "/campaign_new vk_nov 1000 VK November").await;
    assert!(made.contains("VK November"), "{made}");
    assert!(made.contains("t.me/test_shop_bot?start=vk_nov"), "{made}");
    say(&t, 4, 6702, "ru", "/start vk_nov").await;
    say(&t, 5, 6703, "ru", "/start vk_nov").await;
    say(&t, 6, 6700, "ru", "/start vk_nov").await; // not first touch
    say(&t, 7, 6704, "ru", "/start tg_post_5").await; // never registered

    for (i, u) in [6701, 6702].into_iter().enumerate() {
        assert_eq!(
            t.update(&callback_update(10 + i as i64, u, "trial", 1))
                .await,
            200
        );
    }
    assert_eq!(t.update(&callback_update(12, 6700, "trial", 1)).await, 200);
    pay_stars(&t, 6703, "1m", 20).await;
    pay_stars(&t, 6703, "1m", 22).await;
    pay_stars(&t, 6700, "1m", 24).await; // not the campaign's

    let c = t
        .stack
        .app
        .store
        .get_campaign("vk_nov")
        .await
        .expect("store")
        .expect("campaign");
    assert_eq!(
        (c.starts, c.users, c.trials, c.payers, c.revenue_stars),
        (4, 3, 2, 1, 300)
    );
    assert_eq!((c.cost, c.profit()), (100_000, -100_000));
    let view = admin(&t, 30, "/campaign vk_nov").await;
    for line in [
        "Переходов: 4",
        "Новых пользователей: 3",
        "Пробных периодов: 2",
        "Первых оплат: 1",
        "300 ⭐",
    ] {
        assert!(view.contains(line), "{line} in {view}");
    }
    let list = admin(&t, 31, "/campaigns").await;
    assert!(
        list.contains("tg_post_5") && list.contains("не зарегистрирована"),
        "{list}"
    );
    let unknown = t
        .stack
        .app
        .store
        .get_campaign("tg_post_5")
        .await
        .expect("store")
        .expect("counted");
    assert_eq!((unknown.starts, unknown.users), (1, 1));

    // Switched off: new starts are neither counted nor attributed.
    admin(&t, 32, "/campaign_off vk_nov").await;
    say(&t, 33, 6705, "ru", "/start vk_nov").await;
    assert_eq!(t.user(6705).await.expect("u").campaign, None);
    let c = t
        .stack
        .app
        .store
        .get_campaign("vk_nov")
        .await
        .expect("s")
        .expect("c");
    assert_eq!((c.starts, c.users), (4, 3));
    assert!(!c.active);
    admin(&t, 34, "/campaign_del vk_nov").await;
    assert!(
        t.stack
            .app
            .store
            .get_campaign("vk_nov")
            .await
            .expect("s")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn growth_commands_are_for_admins_only() {
    let (t, _panel) = shop(&[]).await;
    say(&t, 1, 6801, "ru", "/promo_new FREE days 30").await;
    assert!(
        t.stack
            .app
            .store
            .get_promo("FREE")
            .await
            .expect("store")
            .is_none(),
        "a user cannot make codes"
    );
    say(&t, 2, 6801, "ru", "/campaign_new x 0").await;
    assert!(
        t.stack
            .app
            .store
            .get_campaign("x")
            .await
            .expect("s")
            .is_none()
    );
    // An admin can, and the list pages.
    for i in 0..12 {
        admin(&t, 10 + i, &format!("/promo_new CODE{i:02} days 1")).await;
    }
    let first = admin(&t, 30, "/promos").await;
    assert!(
        first.contains("CODE00") && !first.contains("CODE11"),
        "{first}"
    );
    let page = t.telegram.sent_to(ADMIN).pop().expect("list");
    let next = page.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("next button")
        .to_owned();
    assert_eq!(t.update(&callback_update(31, ADMIN, &next, 1)).await, 200);
    let second = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("page 2");
    let text = second.body["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("CODE11") && !text.contains("CODE00"),
        "{text}"
    );
    // A non-admin pressing the button sees nothing new.
    let before = t.telegram.calls_of("editMessageText").len();
    assert_eq!(t.update(&callback_update(32, 6801, &next, 1)).await, 200);
    assert_eq!(t.telegram.calls_of("editMessageText").len(), before);
    admin(&t, 33, "/promo_del CODE00").await;
    assert!(
        t.stack
            .app
            .store
            .get_promo("CODE00")
            .await
            .expect("s")
            .is_none()
    );
    let limited = admin(&t, 34, "/promo_limit CODE01 5").await;
    assert!(limited.contains("0 из 5"), "{limited}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unverified_updates_make_no_codes_and_activate_none() {
    let (t, _panel) = shop(&[("WEBHOOK_VALIDATION_ENABLED", "false")]).await;
    say(&t, 1, ADMIN, "ru", "/promo_new FORGED balance 1000").await;
    assert!(
        t.stack
            .app
            .store
            .get_promo("FORGED")
            .await
            .expect("s")
            .is_none(),
        "no admin command from an unproven origin"
    );
    let real = shared::adapters::store::promos::Promo {
        code: "GIFT".into(),
        kind: shared::adapters::store::promos::PromoKind::Balance(10_000),
        limit: None,
        used: 0,
        until: None,
        active: true,
        created_at: now(),
    };
    assert!(
        t.stack
            .app
            .store
            .create_promo(&real, TelegramId(ADMIN))
            .await
            .expect("made")
    );
    say(&t, 2, 6901, "ru", "/start promo_GIFT").await;
    assert_eq!(t.update(&callback_update(3, 6901, "promo", 1)).await, 200);
    say(&t, 4, 6901, "ru", "GIFT").await;
    assert_eq!(
        t.user(6901).await.expect("u").balance.0,
        0,
        "no money moved"
    );
    assert_eq!(promo(&t, "GIFT").await.used, 0);
    assert_eq!(
        said(
            &t,
            6901,
            "Промокоды сейчас не принимаются. Попробуйте позже."
        ),
        1
    );
}

/// The text of a document the bot uploaded (the fake keeps files as hex).
fn document_text(call: &e2e::fake_telegram::Call) -> String {
    let hex = call.body["document"]["hex"]
        .as_str()
        .expect("an uploaded file");
    String::from_utf8(hex::decode(hex).expect("hex")).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_before_the_inviter_was_rewarded_means_no_reward_ever() {
    let (t, _panel) = shop(&[
        ("REFERRAL_BONUS_MODE", "balance"),
        ("REFERRAL_BONUS_RUB_3_MONTHS", "50"),
    ])
    .await;
    say(&t, 1, ADMIN, "ru", "/start").await;
    inviter_and_buyer(&t, 6701, 6702, 2).await;
    let (order, stars) = stars_invoice(&t, 6702, "3m", 4).await;
    let paid = successful_payment(5, 6702, &order.0, stars, "ch-ref-early-refund");
    assert_eq!(t.update(&paid).await, 200);
    // Refunded while the after-payment job still waits on its queue.
    say(&t, 7, ADMIN, "ru", &format!("/refund {order}")).await;
    let buyer = t.user(6702).await.expect("b");
    assert!(buyer.sub_end.is_none_or(|end| end <= now() + 60));
    t.drain_jobs().await;
    t.drain_jobs().await;
    let inviter = t.user(6701).await.expect("i");
    assert_eq!(
        inviter.balance.0, 0,
        "nothing granted for a refunded payment"
    );
    assert_eq!(inviter.referral_stats.money, 0);
    assert_eq!(inviter.referral_stats.paying, 0);
    assert!(ledger(&t, 6701).await.is_empty());
    // A re-delivery of the refunded payment changes nothing either.
    assert_eq!(t.update(&paid).await, 200);
    t.drain_jobs().await;
    assert_eq!(t.user(6701).await.expect("i").balance.0, 0);
}
