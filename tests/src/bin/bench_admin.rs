//! `scripts/bench` (admin side): broadcast throughput against the fake Bot
//! API enforcing 30 messages a second with 429 `retry_after`, and the
//! DynamoDB cost of opening the stats screen. Sizes from
//! `BENCH_BROADCAST_USERS` (default 10000) and `BENCH_STATS_USERS` (default
//! 100000). Prints a report; asserts only that nothing was lost or doubled.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{TestStack, callback_update, text_update};
use shared::adapters::store::stats::{self, counter};
use shared::adapters::store::users::Visitor;
use shared::base::types::{Lang, TelegramId};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const ADMIN: i64 = 9000;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One sender run after another until the outbox has nothing visible.
async fn sender_run(t: &TestStack) {
    let app = t.stack.app.clone();
    let url = app.config.infra.outbox_queue_url.clone().expect("outbox");
    let handler = move |event| {
        let app = app.clone();
        async move { shared::domains::messaging::sender::handle_outbox(&app, event).await }
    };
    loop {
        let batch = local_stack::workers::poll_batch(&t.stack.app.sqs, &url, &handler, 0)
            .await
            .expect("batch");
        if batch.received == 0 {
            return;
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let users = size("BENCH_BROADCAST_USERS", 10_000);
    let stats_users = size("BENCH_STATS_USERS", 100_000);
    let t = TestStack::start(&[("ADMIN_IDS", "9000"), ("RATE_LIMIT_ENABLED", "false")]).await;
    let store = t.stack.app.store.clone();
    assert_eq!(
        t.update(&text_update(1, ADMIN, "Boss", "en", "/start"))
            .await,
        200
    );
    let seeded = Instant::now();
    let ids: Vec<i64> = (0..users as i64).map(|i| 50_000_000 + i).collect();
    for chunk in ids.chunks(50) {
        futures::future::join_all(chunk.iter().map(|id| {
            let v = Visitor {
                id: TelegramId(*id),
                first_name: "U".into(),
                last_name: None,
                username: None,
                lang: Lang::En,
            };
            let store = store.clone();
            async move { store.touch_user(&v, 1_700_000_000, "seed").await }
        }))
        .await
        .into_iter()
        .for_each(|r| {
            r.expect("seeded");
        });
    }
    println!("seeded {users} users in {:?}", seeded.elapsed());

    // ---- broadcast
    t.telegram.set_rate_limit(30);
    assert_eq!(t.update(&callback_update(2, ADMIN, "adm:bc", 1)).await, 200);
    assert_eq!(
        t.update(&text_update(3, ADMIN, "Boss", "en", "Bench news"))
            .await,
        200
    );
    let id = t
        .telegram
        .calls_of("sendMessage")
        .last()
        .and_then(|c| {
            c.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                .as_str()
                .map(|d| d.split(':').nth(2).unwrap_or_default().to_owned())
        })
        .expect("draft");
    let go = format!("adm:bcgo:{id}");
    assert_eq!(
        t.update(&callback_update(4, ADMIN, &format!("adm:bca:{id}:all"), 1))
            .await,
        200
    );
    let calls_before = t.stack.moto.dynamodb_calls().await.unwrap_or_default();
    let started = Instant::now();
    assert_eq!(t.update(&callback_update(5, ADMIN, &go, 1)).await, 200);
    let expected = users as i64 + 1;
    loop {
        t.stack.drain_jobs().await.expect("jobs");
        // The sender as its event source runs it on AWS: two runs at once.
        futures::join!(sender_run(&t), sender_run(&t));
        let b = store.get_broadcast(&id).await.expect("read").expect("b");
        if b.finished() && b.queued == expected {
            break;
        }
        if started.elapsed() > Duration::from_secs(3600) {
            panic!("broadcast did not finish: {b:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let took = started.elapsed();
    let calls_after = t.stack.moto.dynamodb_calls().await.unwrap_or_default();
    let calls: i64 = calls_after
        .iter()
        .map(|(k, v)| (*v as i64) - calls_before.get(k).copied().unwrap_or(0) as i64)
        .sum();
    let b = store.get_broadcast(&id).await.expect("read").expect("b");
    let mut per_chat: HashMap<i64, u32> = HashMap::new();
    for c in t.telegram.calls_of("copyMessage") {
        *per_chat
            .entry(c.body["chat_id"].as_i64().unwrap_or_default())
            .or_default() += 1;
    }
    let duplicated = per_chat.values().filter(|n| **n > 1).count();
    let lost = expected as usize - per_chat.len();
    println!(
        "broadcast to {expected} users (fake Telegram at 30/s, 429 retry_after 1): {:?}, {:.1} messages/s sustained, {} answered 429, sent {}, lost {lost}, duplicated {duplicated}",
        took,
        b.sent as f64 / took.as_secs_f64(),
        t.telegram.throttled(),
        b.sent
    );
    println!(
        "DynamoDB calls for the whole broadcast: {calls} ({:.2} per copy)",
        calls as f64 / expected as f64
    );
    assert_eq!((lost, duplicated), (0, 0));

    // ---- stats: counters as `stats_users` sign-ups over 30 days would leave
    // them (the screen's cost does not depend on how they were counted).
    let now = shared::base::clock::now();
    for d in 0..30i64 {
        let per_day = (stats_users / 30) as i64;
        for shard in 0..4 {
            let items = shared::adapters::store::stats::count_items(
                store.table(),
                now - d * 86_400,
                &format!("bench-{d}-{shard}"),
                &[
                    (counter::SIGNUPS.to_owned(), per_day / 4),
                    (counter::revenue("yookassa", "RUB"), per_day * 1000),
                ],
            )
            .expect("items");
            store.transact(items).await.expect("counted");
        }
    }
    // End buckets as `stats_users` users' ends would leave them: a year of
    // past ends and a year of future ones on every shard (1,460 items each;
    // the screen reads the future ones), a tenth on trial in the next days.
    let active = (stats_users * 6 / 10) as i64;
    let per_item = (active / 365 / 4).max(1);
    let table = store.table().to_owned();
    for d in -365..365i64 {
        let day = shared::adapters::store::keys::day_of(now + d * 86_400);
        for shard in 0..4 {
            let trial = if (0..3).contains(&d) { per_item / 2 } else { 0 };
            store
                .client()
                .put_item()
                .table_name(&table)
                .item("PK", AttributeValue::S(stats::PK.into()))
                .item("SK", AttributeValue::S(stats::ends_sk(&day, shard)))
                .item("sub", AttributeValue::N(per_item.to_string()))
                .item("trial", AttributeValue::N(trial.to_string()))
                .send()
                .await
                .expect("bucket");
        }
    }
    for shard in 0..4 {
        store
            .client()
            .put_item()
            .table_name(&table)
            .item("PK", AttributeValue::S(stats::PK.into()))
            .item("SK", AttributeValue::S(stats::ends_sk("EVER", shard)))
            .item(
                counter::WITH_END,
                AttributeValue::N((stats_users * 9 / 10 / 4).to_string()),
            )
            .send()
            .await
            .expect("with_end");
    }
    let before = t.stack.moto.dynamodb_calls().await.unwrap_or_default();
    let opened = Instant::now();
    assert_eq!(
        t.update(&text_update(6, ADMIN, "Boss", "en", "/stats"))
            .await,
        200
    );
    let took = opened.elapsed();
    let after = t.stack.moto.dynamodb_calls().await.unwrap_or_default();
    let diff: Vec<String> = after
        .iter()
        .filter_map(|(k, v)| {
            let d = v - before.get(k).copied().unwrap_or(0);
            (d > 0).then(|| format!("{k} {d}"))
        })
        .collect();
    let screen = t
        .telegram
        .sent_to(ADMIN)
        .last()
        .and_then(|c| c.body["text"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let active_line = screen
        .lines()
        .find(|l| l.contains("active subscription"))
        .unwrap_or_default()
        .to_owned();
    println!(
        "opening /stats with counters of {stats_users} sign-ups and end buckets of {} active users \
         (+{users} seeded users): {took:?}; DynamoDB calls for the whole update: {}; \
         the screen says: {active_line}",
        per_item * 365 * 4,
        diff.join(", ")
    );
    // The broadcast confirmation's recipient count reads the same counters.
    let before = t.stack.moto.dynamodb_calls().await.unwrap_or_default();
    let counted = Instant::now();
    let st = shared::domains::admin::stats::load(&t.stack.app, now)
        .await
        .expect("stats")
        .standing;
    let took = counted.elapsed();
    let after = t.stack.moto.dynamodb_calls().await.unwrap_or_default();
    let diff: Vec<String> = after
        .iter()
        .filter_map(|(k, v)| {
            let d = v - before.get(k).copied().unwrap_or(0);
            (d > 0).then(|| format!("{k} {d}"))
        })
        .collect();
    let audiences: Vec<String> = ["all", "active", "expired", "never_paid", "trial"]
        .iter()
        .map(|a| {
            format!(
                "{a} {}",
                shared::domains::admin::stats::audience_count(&st, a)
            )
        })
        .collect();
    println!(
        "a broadcast's recipient counts ({}): {took:?}; DynamoDB calls: {}",
        audiences.join(", "),
        diff.join(", ")
    );
}
