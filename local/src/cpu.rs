//! `scripts/bench`: the driver `valgrind --tool=callgrind` counts
//! instructions in. Starts the local stack, prepares a registered user, then
//! calls the handlers in-process, on one thread, inside [`measured`] (the
//! bench collects only there): `cpu update N` — N button presses of a
//! returning user (`/telegram`, callback `profile`); `cpu payment N` — N
//! Tribute payment webhooks (signature, order, crediting transaction,
//! after-payment effects). Telegram is unreachable (connections refused at
//! once), so no fake's work is counted; moto runs in its own process.

use local_stack::server::Routes;
use shared::adapters::http::HttpRequest;
use shared::base::config::Vars;
use std::sync::Arc;

const SECRET: &str = "bench_secret";
const TRIBUTE_KEY: &str = "bench-tribute-key";

fn request(path: &str, headers: &[(&str, String)], body: String) -> HttpRequest {
    let mut map = http::HeaderMap::new();
    for (k, v) in headers {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
            http::HeaderValue::from_str(v).expect("value"),
        );
    }
    HttpRequest {
        method: http::Method::POST,
        path: path.to_owned(),
        query: String::new(),
        headers: map,
        body: bytes::Bytes::from(body),
        source_ip: Some(std::net::IpAddr::from([127, 0, 0, 1])),
    }
}

fn update(id: i64, body: serde_json::Value) -> HttpRequest {
    let mut b = body;
    b["update_id"] = serde_json::json!(id);
    request(
        "/telegram",
        &[
            ("content-type", "application/json".into()),
            ("x-telegram-bot-api-secret-token", SECRET.into()),
        ],
        b.to_string(),
    )
}

fn press(id: i64) -> HttpRequest {
    update(
        id,
        serde_json::json!({"callback_query": {
            "id": format!("cb{id}"), "from": {"id": 4242, "is_bot": false, "first_name": "Bench", "language_code": "en"},
            "message": {"message_id": 7, "date": 1_700_000_000, "chat": {"id": 4242, "type": "private", "first_name": "Bench"}, "text": "menu"},
            "chat_instance": "1", "data": "profile"}}),
    )
}

fn tribute(i: i64) -> HttpRequest {
    let body = format!(
        r#"{{"name":"new_subscription","created_at":"2026-11-20T10:{:02}:{:02}.000Z","sent_at":"2026-11-20T10:00:00.000Z","payload":{{"subscription_name":"VPN","subscription_id":31337,"period_id":77,"period":"monthly","price":19900,"amount":19900,"currency":"rub","user_id":555,"telegram_user_id":4242,"channel_id":900,"channel_name":"VPN","expires_at":"2026-12-20T10:00:00.000Z"}}}}"#,
        i / 60,
        i % 60
    );
    let sig = shared::adapters::pay::tribute::signature(TRIBUTE_KEY, body.as_bytes());
    request(
        "/pay/tribute",
        &[
            ("content-type", "application/json".into()),
            ("trbt-signature", sig),
        ],
        body,
    )
}

/// The work callgrind counts (`--toggle-collect=cpu::measured`).
#[inline(never)]
fn measured(rt: &tokio::runtime::Runtime, routes: &Routes, reqs: Vec<HttpRequest>) -> usize {
    rt.block_on(async {
        let mut ok = 0;
        for req in reqs {
            if routes.handle(req).await.status.is_success() {
                ok += 1;
            }
        }
        ok
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("update")
        .to_owned();
    let n: i64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut vars = Vars::new();
    for (k, v) in [
        ("BOT_TOKEN", "1:bench"),
        ("WEBHOOK_SECRET_TOKEN", SECRET),
        ("TELEGRAM_API_URL", "http://127.0.0.1:9"),
        ("RUB_PRICE_1_MONTH", "199"),
        ("RATE_LIMIT_REQUESTS", "1000000"),
        ("TRIBUTE_ENABLED", "true"),
        ("TRIBUTE_API_KEY", TRIBUTE_KEY),
        ("TRIBUTE_SUBSCRIPTION_IDS", "31337"),
        ("TRIBUTE_CHANNEL_ID", "900"),
        (
            "TRIBUTE_LINK_1_MONTH",
            "https://t.me/tribute/app?startapp=sAbc",
        ),
    ] {
        vars.set(k, v);
    }
    let stack = rt
        .block_on(local_stack::Stack::start(
            vars,
            "127.0.0.1:0".parse().expect("addr"),
            false,
        ))
        .expect("stack starts");
    let routes = Routes {
        app: stack.app.clone(),
        probe: Arc::new(local_stack::probe_for(&stack.app)),
    };
    // Registered, and one of each request already handled: connections
    // open and caches warm, as in a warm Lambda.
    let warm = vec![
        update(
            1,
            serde_json::json!({"message": {"message_id": 1, "date": 1_700_000_000,
            "from": {"id": 4242, "is_bot": false, "first_name": "Bench", "language_code": "en"},
            "chat": {"id": 4242, "type": "private", "first_name": "Bench"}, "text": "/start",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}]}}),
        ),
        press(2),
        tribute(0),
    ];
    rt.block_on(async {
        for r in warm {
            routes.handle(r).await;
        }
    });
    let reqs: Vec<HttpRequest> = (0..n)
        .map(|i| match mode.as_str() {
            "payment" => tribute(i + 1),
            _ => press(100 + i),
        })
        .collect();
    let ok = measured(&rt, &routes, reqs);
    println!("{mode}: {ok} of {n} answered 2xx");
}
