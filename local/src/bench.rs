//! `scripts/bench`: measures what the speed goals are about, on the local
//! stack: start-up (settings, secret, clients), webhook latency of typical
//! updates, and DynamoDB calls per update. Prints a report; asserts nothing.

use shared::base::config::Vars;
use std::time::{Duration, Instant};

const UPDATES: i64 = 300;

#[tokio::main]
async fn main() {
    let mut vars = Vars::new();
    for (k, v) in [
        ("BOT_TOKEN", "1:bench"),
        ("WEBHOOK_SECRET_TOKEN", "bench_secret"),
        ("TELEGRAM_API_URL", "http://127.0.0.1:9"),
        ("RUB_PRICE_1_MONTH", "199"),
        ("RATE_LIMIT_ENABLED", "true"),
        ("RATE_LIMIT_REQUESTS", "1000000"),
    ] {
        vars.set(k, v);
    }
    let stack =
        local_stack::Stack::start(vars.clone(), "127.0.0.1:0".parse().expect("addr"), false)
            .await
            .expect("stack starts");

    // Start-up as a cold Lambda does it: secret from Secrets Manager,
    // settings parsed, clients built (the first request then connects).
    let mut cold = Vec::new();
    for _ in 0..20 {
        let mut v = vars.clone();
        for (k, val) in &stack.provisioned.env {
            v.set(k, val);
        }
        let started = Instant::now();
        let app = shared::adapters::app::App::load(v, &stack.aws)
            .await
            .expect("loads");
        app.store.ping().await.expect("table");
        cold.push(started.elapsed());
    }

    let http = reqwest::Client::new();
    let url = format!("http://{}/telegram", stack.addr);
    let before = stack.moto.dynamodb_calls().await.unwrap_or_default();
    let mut lat = Vec::new();
    for i in 0..UPDATES {
        let user = 10_000 + (i % 30);
        let body = serde_json::json!({"update_id": 1_000_000 + i, "callback_query": {
            "id": format!("b{i}"), "from": {"id": user, "is_bot": false, "first_name": "Bench"},
            "chat_instance": "1", "data": "profile"}});
        let started = Instant::now();
        let status = http
            .post(&url)
            .header("X-Telegram-Bot-Api-Secret-Token", "bench_secret")
            .json(&body)
            .send()
            .await
            .expect("answer")
            .status();
        lat.push(started.elapsed());
        assert!(status.is_success());
    }
    let after = stack.moto.dynamodb_calls().await.unwrap_or_default();
    let calls: u64 = after
        .iter()
        .map(|(k, v)| v - before.get(k).copied().unwrap_or(0))
        .sum();

    println!(
        "start-up (secret + settings + clients + first table call), 20 runs: {}",
        summary(&mut cold)
    );
    println!(
        "POST /telegram typical update (button press), {UPDATES} runs: {}",
        summary(&mut lat)
    );
    println!(
        "DynamoDB calls per update: {:.2}",
        calls as f64 / UPDATES as f64
    );
    println!(
        "(Telegram is unreachable in this run, so answers include one failed local connect; moto is much slower than DynamoDB.)"
    );
    scheduler_cost(&stack).await;
}

/// Users in the scheduler measurement, and how many of them fall due.
const SCHED_USERS: i64 = 100_000;
const SCHED_DUE: i64 = 100;

/// The scheduler's cost with [`SCHED_USERS`] subscribers of whom
/// [`SCHED_DUE`] fall due in its window: items read must follow the due
/// ones, not the users. The others end over the next hundred days, many on
/// the same day as the due ones (same index partition, outside the window).
async fn scheduler_cost(stack: &local_stack::Stack) {
    use aws_sdk_dynamodb::types::{AttributeValue as A, PutRequest, WriteRequest};
    use futures::StreamExt;
    use shared::adapters::store::keys::{expiry_pk, expiry_sk};
    use shared::base::types::TelegramId;
    let now = shared::base::clock::now();
    let days_before = i64::from(stack.app.config.notifications.days_before);
    let due_from = now + days_before * 86_400;
    let end_of = |i: i64| {
        if i < SCHED_DUE {
            due_from + i * 5
        } else {
            due_from + 1_000 + (i * 7_919) % (100 * 86_400)
        }
    };
    let store = &stack.app.store;
    let started = Instant::now();
    let chunks: Vec<Vec<i64>> = (0..SCHED_USERS)
        .collect::<Vec<_>>()
        .chunks(25)
        .map(<[i64]>::to_vec)
        .collect();
    futures::stream::iter(chunks)
        .map(|ids| async move {
            let mut pending: Vec<WriteRequest> = ids
                .iter()
                .map(|i| {
                    let id = 50_000_000 + i;
                    let end = end_of(*i);
                    let item = [
                        ("PK", A::S(format!("USER#{id}"))),
                        ("SK", A::S("PROFILE".into())),
                        ("tg_id", A::N(id.to_string())),
                        ("lang", A::S("en".into())),
                        ("created_at", A::N(now.to_string())),
                        ("sub_end", A::N(end.to_string())),
                        ("GSI2PK", A::S(expiry_pk(end))),
                        ("GSI2SK", A::S(expiry_sk(TelegramId(id), end))),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
                    WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(item))
                                .build()
                                .expect("put"),
                        )
                        .build()
                })
                .collect();
            while !pending.is_empty() {
                let out = store
                    .client()
                    .batch_write_item()
                    .request_items(store.table(), pending)
                    .send()
                    .await
                    .expect("batch write");
                pending = out
                    .unprocessed_items()
                    .and_then(|m| m.get(store.table()))
                    .cloned()
                    .unwrap_or_default();
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    println!(
        "scheduler: {SCHED_USERS} users written in {:?}",
        started.elapsed()
    );
    for (label, at) in [
        ("first run (a day of catch-up), 100 due", now),
        ("next run five minutes later, none due", now + 300),
    ] {
        let before = stack.moto.dynamodb_calls().await.unwrap_or_default();
        let started = Instant::now();
        let tick = shared::domains::schedule::tick::run(&stack.app, at)
            .await
            .expect("scheduler runs");
        let elapsed = started.elapsed();
        let after = stack.moto.dynamodb_calls().await.unwrap_or_default();
        let calls: u64 = after
            .iter()
            .map(|(k, v)| v - before.get(k).copied().unwrap_or(0))
            .sum();
        println!(
            "scheduler {label}: {} items read, {} jobs queued, {calls} DynamoDB calls, {elapsed:?} (of {SCHED_USERS} users)",
            tick.read, tick.queued
        );
    }
    println!(
        "(items read = the queries' ScannedCount, what DynamoDB bills; the time is moto's, whose index query walks the whole table)"
    );
}

fn summary(v: &mut [Duration]) -> String {
    v.sort();
    let pick = |q: f64| v[((v.len() as f64 - 1.0) * q) as usize];
    format!(
        "p50 {:?}, p95 {:?}, max {:?}",
        pick(0.5),
        pick(0.95),
        pick(1.0)
    )
}
