//! The stories the cost and log tests share: one shop with every provider
//! and the panel, and the scenarios the product's speed goals are about,
//! each measured in calls to the outside world (DynamoDB, SQS and Secrets
//! Manager counted by moto's launcher; Telegram, the providers and the panel
//! by the fakes). Only the handler's own calls are counted: the harness's
//! reads and the queue poller's receive/delete (Lambda's, not the
//! function's) are not.

use aws_lambda_events::event::sqs::SqsBatchResponse;
use e2e::fake_panel::FakePanel;
use e2e::fake_providers::{Api, FakeProviders};
use e2e::{PANEL_SECRET, TestStack, callback_update, fixture, text_update};
use hmac::{Hmac, Mac};
use local_stack::moto::AwsCalls;
use local_stack::workers::{Worker, poll_batch};
use md5::Md5;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shared::adapters::panel::format_time;
use shared::adapters::pay::OrderId;
use shared::base::clock::now;
use shared::domains::access::webhook::signature;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const CP_TOKEN: &str = "30117:AAe2eCryptoPayToken";
pub const TRIBUTE_KEY: &str = "costs-tribute-key-7";
pub const FK_SECRET1: &str = "costs_fk_word_one";
pub const FK_SECRET2: &str = "costs_fk_word_two";

/// Everything one request cost, by service and operation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cost {
    aws: AwsCalls,
    telegram: BTreeMap<String, u64>,
    providers: BTreeMap<String, u64>,
    panel: BTreeMap<String, u64>,
}

impl Cost {
    /// How many `op` calls `service` (`dynamodb`, `sqs`) served.
    pub fn calls(&self, service: &str, op: &str) -> u64 {
        let map = match service {
            "dynamodb" => &self.aws.dynamodb,
            "sqs" => &self.aws.sqs,
            "secretsmanager" => &self.aws.secretsmanager,
            _ => return 0,
        };
        map.get(op).copied().unwrap_or(0)
    }

    /// Every DynamoDB and SQS operation called, with its count.
    pub fn aws_ops(&self) -> Vec<(String, u64)> {
        self.aws
            .dynamodb
            .iter()
            .chain(self.aws.sqs.iter())
            .map(|(op, n)| (op.clone(), *n))
            .collect()
    }

    /// One line per service that was called: `dynamodb GetItem=1 PutItem=2`.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for (name, calls) in [
            ("dynamodb", &self.aws.dynamodb),
            ("sqs", &self.aws.sqs),
            ("secretsmanager", &self.aws.secretsmanager),
            ("telegram", &self.telegram),
            ("providers", &self.providers),
            ("panel", &self.panel),
        ] {
            if calls.is_empty() {
                continue;
            }
            out.push_str(name);
            for (op, n) in calls {
                out.push_str(&format!(" {op}={n}"));
            }
            out.push('\n');
        }
        out
    }
}

/// Counts of everything the stack's outside world has served so far.
struct Meter<'a> {
    t: &'a TestStack,
    providers: &'a FakeProviders,
    panel: &'a FakePanel,
}

#[derive(Clone)]
struct Snapshot {
    aws: AwsCalls,
    telegram: usize,
    providers: usize,
    panel: usize,
}

fn count<I: IntoIterator<Item = String>>(names: I) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for n in names {
        *out.entry(n).or_insert(0) += 1;
    }
    out
}

/// A request with the ids in its path left out: `GET /payments`, `PATCH /api/users`.
fn panel_op(method: &str, path: &str) -> String {
    let kept: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .filter(|s| !s.bytes().any(|b| b.is_ascii_digit()) || s.starts_with("api"))
        .collect();
    format!("{method} /{}", kept.join("/"))
}

impl Meter<'_> {
    async fn snapshot(&self) -> Snapshot {
        Snapshot {
            aws: self.t.stack.moto.calls().await.expect("moto counts"),
            telegram: self.t.telegram.calls().len(),
            providers: self.providers.requests().len(),
            panel: self.panel.calls().len(),
        }
    }

    async fn since(&self, before: &Snapshot) -> Cost {
        let now = self.snapshot().await;
        Cost {
            aws: now.aws.since(&before.aws),
            telegram: count(
                self.t.telegram.calls()[before.telegram..]
                    .iter()
                    .map(|c| c.method.clone()),
            ),
            providers: count(
                self.providers.requests()[before.providers..]
                    .iter()
                    .map(|r| panel_op(&r.method, &r.path)),
            ),
            panel: count(
                self.panel.calls()[before.panel..]
                    .iter()
                    .map(|c| panel_op(&c.method, &c.path)),
            ),
        }
    }

    /// The cost of `f`.
    async fn cost<F: std::future::Future<Output = ()>>(&self, f: F) -> Cost {
        let before = self.snapshot().await;
        f.await;
        self.since(&before).await
    }

    /// The cost of `worker`'s handler on the one message waiting on its
    /// queue (received and deleted as Lambda's poller does, uncounted).
    async fn worker_cost(&self, worker: Worker) -> Cost {
        let url = worker
            .queue_url(&self.t.stack.app.config.infra)
            .expect("the worker's queue");
        let app = self.t.stack.app.clone();
        let seen: Arc<Mutex<Option<Cost>>> = Arc::default();
        let handler = |event| {
            let app = app.clone();
            let seen = seen.clone();
            async move {
                let before = self.snapshot().await;
                let out: SqsBatchResponse = worker.handle(&app, event).await;
                *seen.lock().expect("lock") = Some(self.since(&before).await);
                out
            }
        };
        let batch = poll_batch(&self.t.stack.app.sqs, &url, &handler, 0)
            .await
            .expect("batch");
        assert_eq!((batch.received, batch.failed.len()), (1, 0));
        seen.lock().expect("lock").take().expect("handled")
    }
}

fn hex_hmac(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("key");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

pub async fn post(
    t: &TestStack,
    path: &str,
    body: Vec<u8>,
    headers: &[(&str, String)],
    ctype: &str,
) {
    let mut req = t
        .http
        .post(t.url(path))
        .header("content-type", ctype)
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let resp = req.send().await.expect("stack answers");
    assert_eq!(resp.status().as_u16(), 200, "{path}");
}

/// The user presses "pay" with `provider`; returns our order and the provider's reference.
pub async fn order_for(
    t: &TestStack,
    providers: &FakeProviders,
    user: i64,
    update_id: i64,
    provider: &str,
) -> (OrderId, String) {
    let data = format!("pay:1m:{provider}");
    assert_eq!(
        t.update(&callback_update(update_id, user, &data, 1)).await,
        200
    );
    let screen = t
        .telegram
        .calls_of("editMessageText")
        .pop()
        .expect("payment screen");
    let url = screen.body["reply_markup"]["inline_keyboard"][0][0]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("pay button: {:?}", t.telegram.calls()))
        .to_owned();
    let id = match provider {
        "yookassa" => providers
            .requests_to(Api::Yookassa)
            .into_iter()
            .rev()
            .find(|r| r.method == "POST")
            .expect("payment created")
            .body["metadata"]["order_id"]
            .as_str()
            .expect("order id")
            .to_owned(),
        "cryptopay" => providers
            .requests_to(Api::Cryptopay)
            .into_iter()
            .rev()
            .find(|r| r.path == "/createInvoice")
            .expect("invoice created")
            .body["payload"]
            .as_str()
            .expect("payload")
            .to_owned(),
        _ => reqwest::Url::parse(&url)
            .expect("form url")
            .query_pairs()
            .find(|(k, _)| k == "o")
            .map(|(_, v)| v.into_owned())
            .expect("o="),
    };
    let order = OrderId(id);
    let reference = t
        .stack
        .app
        .store
        .get_order(&order)
        .await
        .expect("store")
        .expect("order")
        .provider_ref
        .unwrap_or_default();
    (order, reference)
}

fn cryptopay_update(order: &OrderId, invoice_id: &str) -> Vec<u8> {
    format!(
        r#"{{"update_id":{invoice_id}7,"update_type":"invoice_paid","request_date":"2026-11-20T10:00:01.000Z","payload":{{"invoice_id":{invoice_id},"hash":"IVx{invoice_id}","currency_type":"fiat","fiat":"RUB","amount":"199","paid_asset":"USDT","paid_amount":"2.09","accepted_assets":["USDT"],"fee_asset":"USDT","fee_amount":"0.06","bot_invoice_url":"https://t.me/CryptoTestnetBot?start=IVx{invoice_id}","description":"VPN","status":"paid","created_at":"2026-11-20T09:59:00.000Z","allow_comments":false,"allow_anonymous":false,"paid_usd_rate":"1.00","paid_at":"2026-11-20T10:00:00.000Z","paid_anonymously":false,"payload":"{order}"}}}}"#
    )
    .into_bytes()
}

fn freekassa_form(order: &OrderId) -> Vec<u8> {
    let sign = hex::encode(Md5::digest(
        format!("41207:199:{FK_SECRET2}:{order}").as_bytes(),
    ));
    format!("MERCHANT_ID=41207&AMOUNT=199&intid=fk{}&MERCHANT_ORDER_ID={order}&P_EMAIL=buyer%40example.com&CUR_ID=36&SIGN={sign}", &order.0[..6])
        .into_bytes()
}

fn tribute_event(user: i64) -> Vec<u8> {
    format!(
        r#"{{"name":"new_subscription","created_at":"2026-11-20T10:00:00.000Z","sent_at":"2026-11-20T10:00:00.000Z","payload":{{"subscription_name":"VPN monthly","subscription_id":31337,"period_id":77,"period":"monthly","price":19900,"amount":19900,"currency":"rub","user_id":555,"telegram_user_id":{user},"channel_id":900,"channel_name":"VPN","expires_at":"2026-12-20T10:00:00.000Z"}}}}"#
    )
    .into_bytes()
}

pub fn expected(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The YooKassa secret key the stories run with (the fake's).
pub const YK_SECRET: &str = "test_e2e_YooSecret-key_01";

/// A shop with every provider and the panel configured.
pub struct Shop {
    /// The stack.
    pub t: TestStack,
    /// The fake providers.
    pub providers: FakeProviders,
    /// The fake panel.
    pub panel: FakePanel,
}

/// Starts the shop.
pub async fn shop() -> Shop {
    let providers = FakeProviders::start().await;
    let yk = providers.yookassa_url();
    let cp = providers.cryptopay_url();
    let (t, panel) = TestStack::start_with_panel(&[
        ("RATE_LIMIT_ENABLED", "true"),
        ("LOG_CHAT_ID", "-100300"),
        ("YOOKASSA_ENABLED", "true"),
        ("YOOKASSA_SHOP_ID", "610042"),
        ("YOOKASSA_SECRET_KEY", YK_SECRET),
        ("YOOKASSA_API_URL", &yk),
        ("YOOKASSA_ALLOWED_IPS", "127.0.0.1"),
        ("YOOKASSA_RETURN_URL", "https://t.me/test_shop_bot"),
        ("YOOKASSA_DEFAULT_RECEIPT_EMAIL", "receipts@example.com"),
        ("CRYPTOPAY_ENABLED", "true"),
        ("CRYPTOPAY_TOKEN", CP_TOKEN),
        ("CRYPTOPAY_API_URL", &cp),
        ("FREEKASSA_ENABLED", "true"),
        ("FREEKASSA_MERCHANT_ID", "41207"),
        ("FREEKASSA_FIRST_SECRET", FK_SECRET1),
        ("FREEKASSA_SECOND_SECRET", FK_SECRET2),
        ("FREEKASSA_ALLOWED_IPS", "127.0.0.1"),
        ("TRIBUTE_ENABLED", "true"),
        ("TRIBUTE_API_KEY", TRIBUTE_KEY),
        ("TRIBUTE_SUBSCRIPTION_IDS", "31337"),
        ("TRIBUTE_CHANNEL_ID", "900"),
        (
            "TRIBUTE_LINK_1_MONTH",
            "https://t.me/tribute/app?startapp=sAbc",
        ),
    ])
    .await;
    Shop {
        t,
        providers,
        panel,
    }
}

/// Runs every scenario once, handing each one's cost to `check` with the
/// expected table lines.
pub async fn run(shop: &Shop, check: &mut dyn FnMut(&str, &Cost, &[&str])) {
    let (t, providers, panel) = (&shop.t, &shop.providers, &shop.panel);
    let m = Meter {
        t,
        providers,
        panel,
    };
    // A cold start: the settings' secret is read once; nothing else is
    // called before the first request.
    let cost = m
        .cost(async {
            let mut vars = shared::base::config::Vars::new();
            for (k, v) in &t.stack.provisioned.env {
                vars.set(k, v);
            }
            vars.set("TELEGRAM_API_URL", &t.telegram.url);
            shared::adapters::app::App::load(vars, &t.stack.aws)
                .await
                .expect("starts with the secret from Secrets Manager");
        })
        .await;
    check("cold start", &cost, &["secretsmanager GetSecretValue=1"]);

    // A returning user presses a button.
    assert_eq!(
        t.update(&text_update(1, 8001, "Ann", "en", "/start")).await,
        200
    );
    let cost = m
        .cost(async {
            assert_eq!(t.update(&callback_update(2, 8001, "profile", 1)).await, 200);
        })
        .await;
    check(
        "returning user's button press",
        &cost,
        &[
            "dynamodb PutItem=1 UpdateItem=2",
            "telegram answercallbackquery=1 editmessagetext=1",
        ],
    );

    // A new user arrives with a referral link.
    let code = t.user(8001).await.expect("inviter").ref_code;
    let cost = m
        .cost(async {
            let start = format!("/start ref_{code}");
            assert_eq!(
                t.update(&text_update(3, 8002, "Bob", "en", &start)).await,
                200
            );
        })
        .await;
    check(
        "new user's /start with a referral",
        &cost,
        &[
            // The attribution, and the sign-up counted for the stats.
            "dynamodb PutItem=1 Query=1 TransactWriteItems=2 UpdateItem=2",
            "sqs SendMessage=1",
            "telegram sendmessage=1",
        ],
    );

    // Each provider's payment webhook.
    let (_, payment) = order_for(t, providers, 8001, 4, "yookassa").await;
    providers.set_payment_status(&payment, "succeeded", false);
    let body = json!({"type": "notification", "event": "payment.succeeded",
        "object": {"id": payment, "status": "succeeded", "paid": true,
        "amount": {"value": "199.00", "currency": "RUB"}}})
    .to_string()
    .into_bytes();
    let cost = m
        .cost(post(t, "/pay/yookassa", body, &[], "application/json"))
        .await;
    check(
        "YooKassa payment webhook",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
            "providers GET /payments=1",
        ],
    );

    // The after-payment job that payment queued, on the jobs worker.
    let cost = m.worker_cost(Worker::Jobs).await;
    check(
        "after-payment job (jobs worker)",
        &cost,
        &[
            // The lease (with the order), the buyer, and per effect (the
            // panel sync, the confirmation, the admin log) its send and its
            // marker.
            "dynamodb GetItem=1 UpdateItem=4",
            "sqs SendMessage=3",
        ],
    );

    // The panel-sync message that job queued: the user's first.
    let cost = m.worker_cost(Worker::PanelSync).await;
    check(
        "panel-sync message",
        &cost,
        &[
            "dynamodb GetItem=1 PutItem=1 UpdateItem=1",
            "sqs SendMessage=1",
            "panel GET /api/users/stream=1 POST /api/users=1",
        ],
    );

    let (order, invoice) = order_for(t, providers, 8001, 5, "cryptopay").await;
    let body = cryptopay_update(&order, &invoice);
    let sig = hex_hmac(&Sha256::digest(CP_TOKEN.as_bytes()), &body);
    let headers = [("crypto-pay-api-signature", sig)];
    let cost = m
        .cost(post(
            t,
            "/pay/cryptopay",
            body.clone(),
            &headers,
            "application/json",
        ))
        .await;
    check(
        "Crypto Pay payment webhook",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
        ],
    );
    // Its after-payment job runs (uncounted here, counted above) before the
    // provider delivers the notification again.
    t.stack.drain_jobs().await.expect("jobs");
    let cost = m
        .cost(post(
            t,
            "/pay/cryptopay",
            body,
            &headers,
            "application/json",
        ))
        .await;
    check(
        "the same Crypto Pay webhook again",
        &cost,
        &["dynamodb BatchGetItem=1"],
    );

    let (order, _) = order_for(t, providers, 8001, 6, "freekassa").await;
    let cost = m
        .cost(post(
            t,
            "/pay/freekassa",
            freekassa_form(&order),
            &[],
            "application/x-www-form-urlencoded",
        ))
        .await;
    check(
        "FreeKassa payment webhook",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
        ],
    );

    // A Tribute subscriber who never opened the bot: the event is the order.
    let body = tribute_event(8003);
    let sig = hex_hmac(TRIBUTE_KEY.as_bytes(), &body);
    let cost = m
        .cost(post(
            t,
            "/pay/tribute",
            body,
            &[("trbt-signature", sig)],
            "application/json",
        ))
        .await;
    check(
        "Tribute payment webhook",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
        ],
    );

    // The first payment of a referred user: the same one read. The
    // inviter's bonus is recorded on the order as due and granted by the
    // jobs worker (below).
    t.stack
        .drain_jobs()
        .await
        .expect("the other webhooks' jobs");
    let (order, _) = order_for(t, providers, 8002, 7, "freekassa").await;
    let cost = m
        .cost(post(
            t,
            "/pay/freekassa",
            freekassa_form(&order),
            &[],
            "application/x-www-form-urlencoded",
        ))
        .await;
    check(
        "a referred user's first payment (FreeKassa payment webhook)",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
        ],
    );
    let cost = m.worker_cost(Worker::Jobs).await;
    check(
        "after-payment job of a referred user's first payment (jobs worker)",
        &cost,
        &[
            // The lease (with the order); the inviter's reward: the inviter
            // read and one transaction (here one more paying invitee: this
            // shop gives no bonus days); the buyer; then the panel sync, the
            // confirmation and the admin log, each its send and its marker.
            "dynamodb GetItem=2 TransactWriteItems=1 UpdateItem=4",
            "sqs SendMessage=3",
        ],
    );

    // A panel webhook about a linked user.
    let pid = t
        .user(8001)
        .await
        .and_then(|u| u.panel)
        .map(|p| p.id)
        .expect("linked by the sync");
    let raw = fixture("remnawave/webhook_user_expiration_in_72h.json");
    let mut event: Value = serde_json::from_slice(&raw).expect("json");
    event["timestamp"] = json!(format_time(now()));
    event["data"]["id"] = json!(pid);
    event["data"]["telegramId"] = json!(8001);
    event["data"]["username"] = json!("tg_8001");
    let body = serde_json::to_vec(&event).expect("json");
    let headers = [
        ("X-Remnawave-Signature", signature(PANEL_SECRET, &body)),
        ("X-Remnawave-Timestamp", format_time(now())),
    ];
    let cost = m
        .cost(post(t, "/panel", body, &headers, "application/json"))
        .await;
    check(
        "panel webhook",
        &cost,
        &[
            "dynamodb GetItem=1 PutItem=1 UpdateItem=1",
            "sqs SendMessage=1",
        ],
    );
}
