//! Test harness: the local stack on random ports with fake outside services.

pub mod fake_providers;
pub mod fake_telegram;

use fake_telegram::FakeTelegram;
use local_stack::Stack;
use serde_json::{Value, json};
use shared::config::Vars;
use shared::store::users::User;
use shared::types::TelegramId;

/// The bot token the tests use.
pub const TOKEN: &str = "123456789:TEST-token_for_e2e";
/// The webhook secret the tests use.
pub const SECRET: &str = "e2e_Secret-Token_42";

/// A running stack with a fake Telegram.
pub struct TestStack {
    /// The stack.
    pub stack: Stack,
    /// The fake Bot API.
    pub telegram: FakeTelegram,
    /// HTTP client for the routes.
    pub http: reqwest::Client,
}

impl TestStack {
    /// Starts everything; `extra` settings are added to a minimal valid set.
    pub async fn start(extra: &[(&str, &str)]) -> TestStack {
        let telegram = FakeTelegram::start(TOKEN).await;
        let mut vars = Vars::new();
        for (k, v) in [
            ("BOT_TOKEN", TOKEN),
            ("WEBHOOK_SECRET_TOKEN", SECRET),
            ("TELEGRAM_API_URL", telegram.url.as_str()),
            ("RUB_PRICE_1_MONTH", "199"),
            ("DEFAULT_LANGUAGE", "ru"),
        ] {
            vars.set(k, v);
        }
        for (k, v) in extra {
            vars.set(k, v);
        }
        let stack = Stack::start(vars, "127.0.0.1:0".parse().expect("addr"), false)
            .await
            .expect("local stack starts");
        TestStack {
            stack,
            telegram,
            http: reqwest::Client::new(),
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.stack.addr)
    }

    /// POSTs raw bytes to `/telegram` with the given secret header (or none).
    pub async fn post_telegram_raw(&self, body: &[u8], secret: Option<&str>) -> u16 {
        let mut req = self
            .http
            .post(self.url("/telegram"))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        req.send().await.expect("stack answers").status().as_u16()
    }

    /// POSTs an update with the right secret; returns the status.
    pub async fn update(&self, update: &Value) -> u16 {
        self.post_telegram_raw(update.to_string().as_bytes(), Some(SECRET))
            .await
    }

    /// The stored user.
    pub async fn user(&self, id: i64) -> Option<User> {
        self.stack
            .app
            .store
            .get_user(TelegramId(id))
            .await
            .expect("store reachable")
    }

    /// Delivers everything queued in the outbox through the sender handler.
    pub async fn drain_outbox(&self) -> usize {
        self.stack.drain_outbox().await.expect("outbox drains")
    }
}

/// A private-chat text message update from `user`.
pub fn text_update(update_id: i64, user: i64, first_name: &str, lang: &str, text: &str) -> Value {
    let mut msg = json!({
        "message_id": update_id + 100,
        "date": 1_700_000_000,
        "from": {"id": user, "is_bot": false, "first_name": first_name, "language_code": lang},
        "chat": {"id": user, "type": "private", "first_name": first_name},
        "text": text,
    });
    if text.starts_with('/') {
        let len = text.split_whitespace().next().map(str::len).unwrap_or(0);
        msg["entities"] = json!([{"offset": 0, "length": len, "type": "bot_command"}]);
    }
    json!({"update_id": update_id, "message": msg})
}

/// A callback-query update from a button on message `message_id`.
pub fn callback_update(update_id: i64, user: i64, data: &str, message_id: i64) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": format!("cbq-{update_id}"),
            "from": {"id": user, "is_bot": false, "first_name": "Ann", "language_code": "ru"},
            "message": {
                "message_id": message_id, "date": 1_700_000_000,
                "chat": {"id": user, "type": "private", "first_name": "Ann"},
                "from": {"id": 7000000001i64, "is_bot": true, "first_name": "Test Shop", "username": fake_telegram::BOT_USERNAME},
                "text": "menu"
            },
            "chat_instance": "-555",
            "data": data,
        }
    })
}

/// A fixture file from `tests/fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("fixture exists")
}
