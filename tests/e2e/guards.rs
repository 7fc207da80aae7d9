//! Each money guard holds on its own, not because another one happens to
//! stop the same mistake.
//!
//! The inviter's reward is granted once by the order's marker, not by the
//! ledger row's key: a jobs worker that read the order before the reward
//! was granted, stalled past its lease and woke up seconds or a minute
//! later (another second, another ledger key) grants nothing more.
//!
//! A FreeKassa notification is believed only from FreeKassa's addresses: a
//! correctly signed one for our shop, sent from anywhere else (whatever
//! `X-Forwarded-For` it claims), is refused and moves nothing.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::TestStack;
use e2e::shop::{freekassa_settings, stars_settings, with_extra};
use e2e::signed::{freekassa_paid, successful_payment};
use e2e::story::{
    first_url, inviter_and_buyer, last_screen, order, press, press_stars, start, told,
};
use shared::adapters::jobs::{Job, enqueue_job};
use shared::adapters::pay::OrderId;
use shared::adapters::store::rewards::REWARD;
use shared::base::clock::now;
use shared::base::types::{Period, TelegramId};
use shared::domains::money::orders::OrderStatus;
use std::net::IpAddr;

const DAY: i64 = 86_400;
const LOG_CHAT: i64 = -100_700;
/// Not in `FREEKASSA_ALLOWED_IPS` (127.0.0.1), yet reachable on loopback.
const OUTSIDER: [u8; 4] = [127, 0, 0, 2];

/// What an inviter is given when an invitee pays.
#[derive(Clone, Copy)]
enum Bonus {
    /// 7 days on the subscription (`REFERRAL_BONUS_DAYS_1_MONTH`).
    Days,
    /// 50 ₽ on the balance (`REFERRAL_BONUS_MODE=balance`).
    Money,
}

async fn shop(bonus: Bonus) -> TestStack {
    let log_chat = LOG_CHAT.to_string();
    let mut extra = vec![
        ("RATE_LIMIT_ENABLED", "false"),
        ("LOG_CHAT_ID", log_chat.as_str()),
    ];
    extra.extend_from_slice(match bonus {
        Bonus::Days => &[("REFERRAL_BONUS_DAYS_1_MONTH", "7")][..],
        Bonus::Money => &[
            ("REFERRAL_BONUS_MODE", "balance"),
            ("REFERRAL_BONUS_RUB_1_MONTH", "50"),
        ][..],
    });
    TestStack::start(&with_extra(&stars_settings(), &extra)).await
}

/// The kinds of `user`'s ledger rows that name `order`, with when.
async fn ledger_for(t: &TestStack, user: i64, order: &OrderId) -> Vec<(String, i64)> {
    let out = t
        .stack
        .app
        .store
        .client()
        .query()
        .table_name(t.stack.app.store.table())
        .key_condition_expression("PK = :pk AND begins_with(SK, :ledger)")
        .expression_attribute_values(":pk", AttributeValue::S(format!("USER#{user}")))
        .expression_attribute_values(":ledger", AttributeValue::S("LEDGER#".into()))
        .send()
        .await
        .expect("ledger");
    let text = |i: &std::collections::HashMap<String, AttributeValue>, k: &str| {
        i.get(k)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    out.items()
        .iter()
        .filter(|i| text(i, "order_id") == order.0)
        .map(|i| {
            let at = i
                .get("at")
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or_default();
            (text(i, "kind"), at)
        })
        .collect()
}

/// The story of both reward tests: Boris, invited by Ivan, pays 150 Stars.
/// Worker A takes the after-payment job, reads the order (paid, reward due,
/// not granted) and stalls past its lease; SQS hands the job to worker B,
/// which grants Ivan's reward and does everything else. A wakes up 5
/// seconds later and grants from what it read, and once more a minute
/// later; then Telegram re-delivers the payment and the job is delivered
/// once more. Ivan got his bonus, his notice, his ledger row and one more
/// paying invitee exactly once.
async fn a_stale_grant_gives_nothing_more(bonus: Bonus) {
    const INVITER: i64 = 8101;
    const BUYER: i64 = 8102;
    let t = shop(bonus).await;
    inviter_and_buyer(&t, INVITER, BUYER, 1).await;
    // Ivan's own subscription runs a month more: the bonus lands on a known end.
    let ivan_end = now() + 30 * DAY;
    t.set_sub_end(INVITER, ivan_end).await;
    let id = press_stars(&t, BUYER, "pay:1m:stars", 3).await;
    let paid = successful_payment(4, BUYER, &id.0, 150, "ch-guards-stale");
    assert_eq!(t.update(&paid).await, 200);

    // Worker A reads the order under the lease, then stalls past it.
    let stale = t
        .stack
        .app
        .store
        .take_effects_lease(&id, now())
        .await
        .expect("store")
        .expect("A holds the lease");
    assert_eq!(stale.status, OrderStatus::Paid);
    let due = stale.referral_due.expect("Ivan's reward is due");
    assert_eq!(due.inviter, TelegramId(INVITER));
    assert!(due.paying, "Boris's first payment");
    assert_eq!(stale.referral, None, "not granted yet");
    assert!(!stale.effects_done.iter().any(|d| d == REWARD));
    t.expire_effects_lease(&id).await;

    // Worker B: the job's next delivery does everything.
    t.drain_jobs().await;
    let first = order(&t, &id).await;
    assert!(first.effects_done.iter().any(|d| d == REWARD));
    let (days, money) = match bonus {
        Bonus::Days => (7, 0),
        Bonus::Money => (0, 5_000),
    };
    assert_eq!(first.referral, Some((TelegramId(INVITER), days)));

    // A wakes up 5 s later, then a retry of it a minute later: another
    // second, so another ledger key; only the order's marker stops them.
    for later in [now() + 5, now() + 65] {
        let replayed = t
            .stack
            .app
            .store
            .grant_referral(&stale, later)
            .await
            .expect("a stale grant is answered, not failed");
        assert_eq!(
            replayed.referral,
            Some((TelegramId(INVITER), days)),
            "the replay finds the reward granted"
        );
    }
    // Telegram re-delivers the payment; the whole job is delivered again
    // once its lease ran out.
    assert_eq!(t.update(&paid).await, 200);
    t.expire_effects_lease(&id).await;
    enqueue_job(
        &t.stack.app,
        &Job::AfterPayment {
            order: id.0.clone(),
            quiet: false,
        },
    )
    .await
    .expect("job queued");
    t.drain_jobs().await;
    t.drain_outbox().await;

    let ivan = t.user(INVITER).await.expect("Ivan");
    match bonus {
        Bonus::Days => {
            assert_eq!(
                ivan.sub_end,
                Some(ivan_end + 7 * DAY),
                "Ivan's end moved by the 7 bonus days once"
            );
            assert_eq!(ivan.balance.0, 0);
        }
        Bonus::Money => {
            assert_eq!(ivan.sub_end, Some(ivan_end), "money instead of days");
            assert_eq!(ivan.balance.0, 5_000, "Ivan's balance grew by 50 ₽ once");
        }
    }
    assert_eq!(ivan.referral_stats.paying, 1, "one paying invitee");
    assert_eq!(ivan.referral_stats.days, i64::from(days), "ref_days_earned");
    assert_eq!(ivan.referral_stats.money, money, "ref_money_earned");
    let rows = ledger_for(&t, INVITER, &id).await;
    assert_eq!(
        rows.iter().filter(|(k, _)| k == "referral_bonus").count(),
        1,
        "one referral_bonus row for the order: {rows:?}"
    );
    assert_eq!(told(&t, INVITER, "🎁"), 1, "Ivan is told once");
    let boris = t.user(BUYER).await.expect("Boris");
    assert_eq!(
        ledger_for(&t, BUYER, &id).await.len(),
        1,
        "Boris's purchase once"
    );
    assert!(boris.sub_end.is_some());
    assert_eq!(told(&t, LOG_CHAT, "💰"), 1, "one admin log line");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_reward_grant_seconds_later_gives_the_bonus_days_once() {
    a_stale_grant_gives_nothing_more(Bonus::Days).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_reward_grant_seconds_later_gives_the_bonus_money_once() {
    a_stale_grant_gives_nothing_more(Bonus::Money).await;
}

/// Eva opens the bot and presses "1 month with FreeKassa"; returns the
/// order in her payment link.
async fn freekassa_order(t: &TestStack, user: i64) -> OrderId {
    start(t, 1, user, "Eva", "ru").await;
    press(t, 2, user, "pay:1m:freekassa").await;
    let url = first_url(&last_screen(t)).expect("url");
    reqwest::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "o")
        .map(|(_, v)| OrderId(v.into_owned()))
        .expect("o=")
}

/// Eva's 199 ₽ FreeKassa payment is announced, correctly signed for our
/// shop, from 127.0.0.2, an address FreeKassa does not send from (the
/// local server, like API Gateway, takes the TCP peer as the source, so a
/// header claiming the allowed address changes nothing): POSTed and as a
/// GET, it is refused and nothing moves. The same notification from
/// FreeKassa's address (127.0.0.1 here) credits her once, and its
/// re-delivery changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_freekassa_notification_from_outside_its_addresses_moves_nothing() {
    const EVA: i64 = 8201;
    let mut settings = freekassa_settings();
    settings.extend([
        ("RATE_LIMIT_ENABLED", "false".into()),
        ("LOG_CHAT_ID", "-100700".into()),
    ]);
    let t = TestStack::start(&with_extra(&settings, &[])).await;
    let id = freekassa_order(&t, EVA).await;
    let form = freekassa_paid("199", &id.0, "fk-guards-1").text();
    let url = t.url("/pay/freekassa");
    t.drain_outbox().await;
    let log_lines = t.telegram.sent_to(LOG_CHAT).len();

    let outsider = reqwest::Client::builder()
        .local_address(IpAddr::from(OUTSIDER))
        .build()
        .expect("client");
    let posted = outsider
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", "127.0.0.1")
        .body(form.clone())
        .send()
        .await
        .expect("stack answers");
    assert_eq!(posted.status().as_u16(), 401, "POST from 127.0.0.2 refused");
    let got = outsider
        .get(format!("{url}?{form}"))
        .send()
        .await
        .expect("stack answers");
    assert_eq!(got.status().as_u16(), 401, "GET from 127.0.0.2 refused");

    assert_eq!(order(&t, &id).await.status, OrderStatus::Pending);
    assert_eq!(t.user(EVA).await.expect("Eva").sub_end, None, "no days");
    assert!(
        ledger_for(&t, EVA, &id).await.is_empty(),
        "nothing in the ledger"
    );
    assert_eq!(
        t.queue_depth("JobsQueue").await,
        (0, 0),
        "no after-payment job"
    );
    t.drain_outbox().await;
    assert_eq!(
        t.telegram.sent_to(LOG_CHAT).len(),
        log_lines,
        "no log-chat line"
    );
    assert_eq!(told(&t, EVA, "✅"), 0, "Eva is told nothing");

    // From FreeKassa's address: credited, once.
    let before = now();
    for _ in 0..2 {
        let resp = t
            .http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.clone())
            .send()
            .await
            .expect("stack answers");
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(resp.text().await.expect("body"), "YES");
    }
    assert_eq!(order(&t, &id).await.status, OrderStatus::Paid);
    let end = t.user(EVA).await.expect("Eva").sub_end.expect("days");
    let month = i64::from(Period::OneMonth.days()) * DAY;
    assert!(
        (before + month..=now() + month).contains(&end),
        "one month from now, once: {end}"
    );
    let rows = ledger_for(&t, EVA, &id).await;
    assert_eq!(rows.len(), 1, "one purchase row: {rows:?}");
    assert_eq!(rows[0].0, "purchase");
    t.drain_outbox().await;
    assert_eq!(told(&t, EVA, "✅"), 1, "Eva is told once");
    assert_eq!(told(&t, LOG_CHAT, "💰"), 1, "one log-chat line");
}
