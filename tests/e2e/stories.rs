//! The stories the cost and log tests share: one shop with every provider
//! and the panel, and the scenarios the product's speed goals are about,
//! each measured in calls to the outside world (DynamoDB, SQS and Secrets
//! Manager counted by moto's launcher; Telegram, the providers and the panel
//! by the fakes). Only the handler's own calls are counted: the harness's
//! reads and the queue poller's receive/delete (Lambda's, not the
//! function's) are not.

use aws_lambda_events::event::sqs::SqsBatchResponse;
use e2e::fake_panel::FakePanel;
use e2e::fake_platega::FakePlatega;
use e2e::fake_providers::FakeProviders;
use e2e::fake_severpay::FakeSeverPay;
use e2e::shop::{
    cryptopay_settings, freekassa_settings, platega_settings, severpay_settings, tribute_settings,
    with_extra, yookassa_settings,
};
use e2e::signed::{
    Priced, TributeEvent, cryptopay_paid, freekassa_paid, panel_event, platega, severpay, tribute,
    yookassa_payment,
};
use e2e::story::{press_pay, provider_ref};
use e2e::{TestStack, callback_update, fixture, text_update};
use local_stack::moto::AwsCalls;
use local_stack::workers::{Worker, poll_batch};
use serde_json::{Value, json};
use shared::adapters::panel::format_time;
use shared::base::clock::now;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

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
    platega: &'a FakePlatega,
    severpay: &'a FakeSeverPay,
    panel: &'a FakePanel,
}

#[derive(Clone)]
struct Snapshot {
    aws: AwsCalls,
    telegram: usize,
    providers: usize,
    platega: usize,
    severpay: usize,
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
            platega: self.platega.requests().len(),
            severpay: self.severpay.requests().len(),
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
                    .map(|r| panel_op(&r.method, &r.path))
                    .chain(
                        self.platega.requests()[before.platega..]
                            .iter()
                            .map(|r| panel_op(&r.method, &r.path)),
                    )
                    .chain(
                        self.severpay.requests()[before.severpay..]
                            .iter()
                            .map(|r| panel_op(&r.method, &r.path)),
                    ),
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

pub fn expected(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A shop with every provider and the panel configured.
pub struct Shop {
    /// The stack.
    pub t: TestStack,
    /// The fake providers.
    pub providers: FakeProviders,
    /// The fake Platega.
    pub platega: FakePlatega,
    /// The fake SeverPay.
    pub severpay: FakeSeverPay,
    /// The fake panel.
    pub panel: FakePanel,
}

/// Starts the shop: YooKassa, Crypto Pay, FreeKassa, Tribute, Platega and
/// SeverPay, the rate limit on.
pub async fn shop() -> Shop {
    let providers = FakeProviders::start().await;
    let platega = FakePlatega::start().await;
    let severpay = FakeSeverPay::start().await;
    let mut settings = yookassa_settings(&providers);
    settings.extend(cryptopay_settings(&providers));
    settings.extend(freekassa_settings());
    settings.extend(tribute_settings());
    settings.extend(platega_settings(&platega));
    settings.extend(severpay_settings(&severpay));
    let extra = [
        ("RATE_LIMIT_ENABLED", "true"),
        ("LOG_CHAT_ID", "-100300"),
        ("TRIBUTE_SUBSCRIPTION_IDS", "31337"),
        ("PRICE_PER_DEVICE", "9000"),
        ("TRAFFIC_TOPUP_PACKAGES", "10:99"),
        ("CABINET_ENABLED", "true"),
        ("CABINET_URL", "https://cabinet.example/app"),
        ("MY_DEVICES_SECTION_ENABLED", "true"),
    ];
    let (t, panel) = TestStack::start_with_panel(&with_extra(&settings, &extra)).await;
    Shop {
        t,
        providers,
        platega,
        severpay,
        panel,
    }
}

/// An order's price in rubles as a FreeKassa form writes it ("90", "90.5").
async fn order_rubles(t: &TestStack, id: &shared::adapters::pay::OrderId) -> String {
    let o = t
        .stack
        .app
        .store
        .get_order(id)
        .await
        .expect("store")
        .expect("order");
    let k = o.amount.as_rub().expect("rubles").0;
    if k % 100 == 0 {
        (k / 100).to_string()
    } else {
        format!("{}.{:02}", k / 100, k % 100)
    }
}

/// Runs every scenario once, handing each one's cost to `check` with the
/// expected table lines.
pub async fn run(shop: &Shop, check: &mut dyn FnMut(&str, &Cost, &[&str])) {
    let (t, providers, panel) = (&shop.t, &shop.providers, &shop.panel);
    let m = Meter {
        t,
        providers,
        platega: &shop.platega,
        severpay: &shop.severpay,
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
            // The envelope: the update's mark, the touch and the rate
            // window in one write on the user's item.
            "dynamodb UpdateItem=1",
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
            // The envelope (which registers) and, at the same time, the
            // referral code's lookup; then the registration's transaction:
            // attribution, the inviter's and the sign-up counters. Two
            // round trips, the floor (docs/benchmarks.md).
            "dynamodb Query=1 TransactWriteItems=1 UpdateItem=1",
            "sqs SendMessage=1",
            "telegram sendmessage=1",
        ],
    );

    // Each provider's payment webhook.
    let order = press_pay(t, providers, 8001, "pay:1m:yookassa", 4).await;
    let payment = provider_ref(t, &order).await;
    providers.set_payment_status(&payment, "succeeded", false);
    let paid = yookassa_payment(&payment, "payment.succeeded", "succeeded", "199.00");
    let cost = m.cost(paid.post_ok(t)).await;
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

    let order = press_pay(t, providers, 8001, "pay:1m:cryptopay", 5).await;
    let invoice: u64 = provider_ref(t, &order).await.parse().expect("numeric");
    let paid = cryptopay_paid(
        &order.0,
        invoice,
        Priced::Fiat("RUB"),
        "199",
        invoice * 10 + 7,
    );
    let cost = m.cost(paid.post_ok(t)).await;
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
    let cost = m.cost(paid.post_ok(t)).await;
    check(
        "the same Crypto Pay webhook again",
        &cost,
        &["dynamodb BatchGetItem=1"],
    );

    let order = press_pay(t, providers, 8001, "pay:1m:freekassa", 6).await;
    let paid = freekassa_paid("199", &order.0, &format!("fk{}", &order.0[..6]));
    let cost = m.cost(paid.post_ok(t)).await;
    check(
        "FreeKassa payment webhook",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
        ],
    );

    // A Tribute subscriber who never opened the bot: the event is the order.
    let paid = tribute(&TributeEvent {
        user: 8003,
        ..Default::default()
    });
    let cost = m.cost(paid.post_ok(t)).await;
    check(
        "Tribute payment webhook",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
        ],
    );

    // Platega and SeverPay: the same, plus the re-fetch from their API.
    e2e::story::press(t, 10, 8001, "pay:1m:platega").await;
    let sent = shop.platega.requests().last().cloned().expect("created");
    let order = sent.body["payload"].as_str().expect("payload").to_owned();
    let tx = provider_ref(t, &shared::adapters::pay::OrderId(order.clone())).await;
    shop.platega.set_status(&tx, "CONFIRMED");
    let paid = platega(&tx, "CONFIRMED", 199.0, &order);
    let cost = m.cost(paid.post_ok(t)).await;
    check(
        "Platega payment webhook",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
            "providers GET /transaction=1",
        ],
    );
    e2e::story::press(t, 11, 8001, "pay:1m:severpay").await;
    let sent = shop.severpay.requests().last().cloned().expect("created");
    let order = sent.body["order_id"].as_str().expect("order_id").to_owned();
    let id = provider_ref(t, &shared::adapters::pay::OrderId(order.clone())).await;
    shop.severpay.set_status(&id, "success");
    let paid = severpay(
        json!({"id": id.parse::<u64>().expect("numeric"), "order_id": order,
        "amount": 199.0, "currency": "RUB", "status": "success"}),
    );
    let cost = m.cost(paid.post_ok(t)).await;
    check(
        "SeverPay payment webhook",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
            "providers POST /payin/get=1",
        ],
    );

    // The first payment of a referred user: the same one read. The
    // inviter's bonus is recorded on the order as due and granted by the
    // jobs worker (below).
    t.stack
        .drain_jobs()
        .await
        .expect("the other webhooks' jobs");
    let order = press_pay(t, providers, 8002, "pay:1m:freekassa", 7).await;
    let paid = freekassa_paid("199", &order.0, &format!("fk{}", &order.0[..6]));
    let cost = m.cost(paid.post_ok(t)).await;
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

    // Products beyond months cost what a period costs: one read round
    // trip, the crediting transaction, the after-payment job.
    let order = press_pay(t, providers, 8001, "pay:d1:freekassa", 8).await;
    let rubles = order_rubles(t, &order).await;
    let paid = freekassa_paid(&rubles, &order.0, &format!("fk{}", &order.0[..6]));
    let cost = m.cost(paid.post_ok(t)).await;
    check(
        "extra device purchase (FreeKassa payment webhook)",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
        ],
    );
    let order = press_pay(t, providers, 8001, "pay:g10737418240:freekassa", 9).await;
    let paid = freekassa_paid("99", &order.0, &format!("fk{}", &order.0[..6]));
    let cost = m.cost(paid.post_ok(t)).await;
    check(
        "traffic pack purchase (FreeKassa payment webhook)",
        &cost,
        &[
            "dynamodb BatchGetItem=1 TransactWriteItems=1",
            "sqs SendMessage=1",
        ],
    );
    t.stack
        .drain_panel_sync()
        .await
        .expect("the products' jobs and syncs");

    // A panel webhook about a linked user.
    let who = t.user(8001).await;
    let pid = who
        .clone()
        .and_then(|u| u.panel)
        .map(|p| p.id)
        .unwrap_or_else(|| panic!("linked by the sync: {who:?}"));
    let raw = fixture("remnawave/webhook_user_expiration_in_72h.json");
    let mut event: Value = serde_json::from_slice(&raw).expect("json");
    event["timestamp"] = json!(format_time(now()));
    event["data"]["id"] = json!(pid);
    event["data"]["telegramId"] = json!(8001);
    event["data"]["username"] = json!("tg_8001");
    let body = serde_json::to_vec(&event).expect("json");
    let cost = m.cost(panel_event(body).post_ok(t)).await;
    check(
        "panel webhook",
        &cost,
        &[
            "dynamodb GetItem=1 PutItem=1 UpdateItem=1",
            "sqs SendMessage=1",
        ],
    );

    // The cabinet, opened by the same linked user.
    let who = json!({"id": 8001, "first_name": "Ann", "language_code": "en"}).to_string();
    let init = shared::base::initdata::sign(
        &[("auth_date", &now().to_string()), ("user", &who)],
        e2e::TOKEN,
    );
    let get = |path: &'static str| {
        let req = t
            .http
            .get(t.url(&format!("/app/api/{path}")))
            .header("authorization", format!("tma {init}"));
        async move {
            let resp = req.send().await.expect("the cabinet answers");
            assert_eq!(resp.status(), 200, "{path}");
        }
    };
    let cost = m.cost(get("me")).await;
    check(
        "cabinet dashboard (GET /app/api/me)",
        &cost,
        &["dynamodb UpdateItem=1", "panel GET /api/users=1"],
    );
    let cost = m.cost(get("devices")).await;
    check(
        "cabinet devices (GET /app/api/devices)",
        &cost,
        &["dynamodb UpdateItem=1", "panel GET /api/hwid/devices=1"],
    );
    let cost = m.cost(get("plans")).await;
    check(
        "cabinet plans (GET /app/api/plans)",
        &cost,
        &["dynamodb UpdateItem=1"],
    );
}
