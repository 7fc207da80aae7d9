//! Test harness: the local stack on random ports with fake outside services.

pub mod browser;
pub mod fake_panel;
pub mod fake_platega;
pub mod fake_providers;
pub mod fake_severpay;
pub mod fake_telegram;
pub mod fault_proxy;
pub mod postgres;
pub mod serve;
pub mod shop;
pub mod signed;
pub mod story;

use fake_panel::FakePanel;
use fake_telegram::FakeTelegram;
use local_stack::Stack;
use local_stack::server::Routes;
use serde_json::{Value, json};
use shared::adapters::http::HttpRequest;
use shared::adapters::store::users::User;
use shared::base::config::Vars;
use shared::base::types::TelegramId;
use std::sync::Arc;

/// A request to a route as API Gateway hands it to a function, from
/// loopback: for calling [`Routes::handle`] directly (a handler the test
/// aborts, like a function killed mid-run).
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpRequest {
    let mut map = http::HeaderMap::new();
    for (k, v) in headers {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).expect("header name"),
            http::HeaderValue::from_str(v).expect("header value"),
        );
    }
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    HttpRequest {
        method: method.parse().expect("method"),
        path: path.to_owned(),
        query: query.to_owned(),
        headers: map,
        body: bytes::Bytes::copy_from_slice(body),
        source_ip: Some(std::net::IpAddr::from([127, 0, 0, 1])),
    }
}

/// A Telegram update as a request to `/telegram` with the right secret.
pub fn telegram_request(update: &Value) -> HttpRequest {
    request(
        "POST",
        "/telegram",
        &[
            ("content-type", "application/json"),
            ("X-Telegram-Bot-Api-Secret-Token", SECRET),
        ],
        update.to_string().as_bytes(),
    )
}

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

    /// A second application over the same table, queues and settings whose
    /// AWS calls go through `proxy` (see [`fault_proxy`]), with the routes
    /// every function serves: the same handlers, made to fail on cue.
    pub async fn routes_via(&self, proxy: &fault_proxy::FaultProxy) -> Arc<Routes> {
        let aws = local_stack::local_aws(&proxy.url).await;
        let app = Arc::new(
            shared::adapters::app::App::new(self.stack.app.config.clone(), &aws)
                .expect("app over the proxy"),
        );
        let probe = Arc::new(local_stack::probe_for(&app));
        Arc::new(Routes { app, probe })
    }

    /// A fault proxy in front of this stack's moto_server.
    pub async fn fault_proxy(&self) -> fault_proxy::FaultProxy {
        fault_proxy::FaultProxy::start(&self.stack.moto.endpoint).await
    }

    /// Lets the after-payment effects' lease on an order run out, as if its
    /// holder's time had passed (a function that died keeps it until then).
    pub async fn expire_effects_lease(&self, order: &shared::adapters::pay::OrderId) {
        self.stack
            .app
            .store
            .client()
            .update_item()
            .table_name(&self.stack.app.config.infra.table_name)
            .key(
                "PK",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("ORDER#{order}")),
            )
            .key(
                "SK",
                aws_sdk_dynamodb::types::AttributeValue::S("ORDER".into()),
            )
            .update_expression("SET fx_lease = :past")
            .expression_attribute_values(
                ":past",
                aws_sdk_dynamodb::types::AttributeValue::N("0".into()),
            )
            .send()
            .await
            .expect("lease expired");
    }

    /// A health probe over this stack, its dead-letter queues included.
    pub fn stack_probe(&self) -> shared::adapters::health::Probe {
        let mut probe = local_stack::probe_for(&self.stack.app);
        probe.dlqs = [
            ("outbox_dlq", "OutboxDlq"),
            ("panel_sync_dlq", "PanelSyncDlq"),
            ("jobs_dlq", "JobsDlq"),
        ]
        .into_iter()
        .map(|(name, id)| (name, self.stack.provisioned.refs[id].clone()))
        .collect();
        probe
    }

    /// Delivers everything queued in the outbox through the sender handler.
    pub async fn drain_outbox(&self) -> usize {
        self.stack.drain_outbox().await.expect("outbox drains")
    }

    /// Runs the jobs queue dry (a payment's after-payment effects: the
    /// inviter's reward among them), as the deployed jobs worker would.
    pub async fn drain_jobs(&self) {
        self.stack.drain_jobs().await.expect("jobs drain");
    }
}

/// The panel API token the tests use.
pub const PANEL_KEY: &str = "e2e-panel-token.eyJzdWIiOiJ0ZXN0In0";
/// The panel webhook secret the tests use (as in the fixtures' sidecars).
pub const PANEL_SECRET: &str = "e2e0panel0webhook0secret0c4f1a9b7d2e6";
/// The internal squad users get.
pub const SQUAD: &str = "3c9e4a51-77d2-4b08-9f16-a2d5e8c07b34";
/// The external squad users get.
pub const EXTERNAL_SQUAD: &str = "b71f0c2e-5d48-4e9a-8a63-1e2f3d4c5b6a";

impl TestStack {
    /// Starts everything with a fake panel configured as an operator would:
    /// 100 GB a month, one squad, an external squad, three devices.
    pub async fn start_with_panel(extra: &[(&str, &str)]) -> (TestStack, FakePanel) {
        let panel = FakePanel::start(PANEL_KEY).await;
        let mut vars: Vec<(&str, &str)> = vec![
            ("PANEL_API_URL", panel.url.as_str()),
            ("PANEL_API_KEY", PANEL_KEY),
            ("PANEL_WEBHOOK_SECRET", PANEL_SECRET),
            ("USER_TRAFFIC_LIMIT_GB", "100"),
            ("USER_TRAFFIC_STRATEGY", "MONTH"),
            ("USER_SQUAD_UUIDS", SQUAD),
            ("USER_EXTERNAL_SQUAD_UUID", EXTERNAL_SQUAD),
            ("USER_HWID_DEVICE_LIMIT", "3"),
        ];
        vars.extend_from_slice(extra);
        (TestStack::start(&vars).await, panel)
    }

    /// Sets the user's subscription end directly, as crediting a payment does.
    pub async fn set_sub_end(&self, id: i64, end: i64) {
        self.set_user_attr(
            id,
            "sub_end",
            aws_sdk_dynamodb::types::AttributeValue::N(end.to_string()),
        )
        .await;
    }

    /// Sets one attribute of the user item directly (what admin tools will do).
    pub async fn set_user_attr(
        &self,
        id: i64,
        name: &str,
        value: aws_sdk_dynamodb::types::AttributeValue,
    ) {
        let store = &self.stack.app.store;
        store
            .client()
            .update_item()
            .table_name(store.table())
            .key(
                "PK",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("USER#{id}")),
            )
            .key(
                "SK",
                aws_sdk_dynamodb::types::AttributeValue::S("PROFILE".into()),
            )
            .update_expression("SET #a = :v")
            .expression_attribute_names("#a", name)
            .expression_attribute_values(":v", value)
            .send()
            .await
            .expect("user updated");
    }

    /// Queues a panel sync as crediting a payment does.
    pub async fn enqueue_sync(
        &self,
        id: i64,
        reason: shared::domains::access::sync::SyncReason,
        dedup: &str,
    ) {
        let req = shared::domains::access::sync::PanelSyncRequest {
            user: TelegramId(id),
            reason,
        };
        shared::domains::access::sync::enqueue_sync(&self.stack.app, &req, dedup)
            .await
            .expect("sync queued");
    }

    /// POSTs a body to `/panel` with the given headers; returns the status.
    pub async fn post_panel(&self, body: &[u8], headers: &[(&str, String)]) -> u16 {
        let mut req = self
            .http
            .post(self.url("/panel"))
            .header("content-type", "application/json")
            .body(body.to_vec());
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        req.send().await.expect("stack answers").status().as_u16()
    }

    /// How many messages wait in a queue of the template (visible, in flight).
    pub async fn queue_depth(&self, logical_id: &str) -> (u64, u64) {
        use aws_sdk_sqs::types::QueueAttributeName as A;
        let url = self
            .stack
            .provisioned
            .refs
            .get(logical_id)
            .expect("queue in template");
        let out = self
            .stack
            .app
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(A::ApproximateNumberOfMessages)
            .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .expect("queue attributes");
        let get = |a: A| {
            out.attributes()
                .and_then(|m| m.get(&a))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (
            get(A::ApproximateNumberOfMessages),
            get(A::ApproximateNumberOfMessagesNotVisible),
        )
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
