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
