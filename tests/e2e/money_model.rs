//! A model of the money that the suite checks: random sequences of money
//! operations run against the real code over the local stack (moto, the
//! fake providers, the fake Telegram), with the invariants checked after
//! every step.
//!
//! **Cases.** One stack serves the whole test; each case is a seeded
//! sequence of 15–25 operations for a fresh buyer (and, in half of the
//! cases, a fresh inviter whose link the buyer came from), so cases never
//! share an account. The seed of case `i` is `BASE_SEED + i`;
//! `MONEY_MODEL_SEED=<seed>` runs that one case alone, `MONEY_MODEL_CASES=<n>`
//! runs `n` cases instead of 12 (moto slows as the table grows: 12 take
//! about a minute on two cores, 40 about three and a half). A failing case prints
//! `MONEY_MODEL_SEED=<seed>`, the operations and the step that broke.
//!
//! **Operations** (driven as users, providers and admins drive them):
//! a new order (1 or 3 months, one or two extra devices, a 10 GB traffic
//! pack, or a top-up, through YooKassa, Crypto Pay in rubles, FreeKassa or
//! Stars) left unpaid; its payment (signed
//! notification or `successful_payment`), possibly delivered twice or with
//! the wrong amount; a late payment (the order marked expired first); a
//! second, different payment of the provider for the same order (another
//! YooKassa payment id, Crypto Pay invoice, FreeKassa `intid`, Stars
//! charge); a refund of any of the buyer's orders, theirs or made for them
//! (Stars: the admin's `/refund`; YooKassa:
//! `refund.succeeded`; Crypto Pay, FreeKassa and the balance: the refund
//! as an admin records it, `refunds::refund`), possibly twice; a paid
//! top-up; a purchase from the balance (the balance button, possibly pressed
//! twice); a discount code (25 % or 50 %); a balance gift code; an
//! auto-renewal from the balance (possibly run twice); the jobs worker
//! (which grants the inviter's reward). Importing is not modelled: the
//! importer writes history without moving money (its own suite,
//! `importer.rs`, checks it).
//!
//! **The model predicts no outcome** (whether a second payment is credited,
//! how a used-up discount is honoured...): it replays what the ledger says
//! and checks that the accounts agree with it. The ledger rows of each
//! account are taken in the order the operations wrote them (rows of one
//! transaction by key), and replayed:
//!
//! | kind | balance | subscription end |
//! |---|---|---|
//! | `purchase` | − its amount when paid from the balance | `max(end, at) + days` |
//! | `devices`, `traffic` | − its amount when paid from the balance | |
//! | `refund` of `devices`, `traffic` | + the price when it was paid from the balance | |
//! | `topup` | + its rubles | |
//! | `refund` of a `purchase` | + the price when it was paid from the balance | `max(end − days, at)` (the purchase row's days) |
//! | `refund` of a `topup` | − (the rubles − the `refund_shortfall` of the order) | |
//! | `refund_shortfall` | (counted with its `refund`) | |
//! | `promo_balance` | + its amount | |
//! | `promo_days` | | `max(end, at) + days` |
//! | `referral_bonus` | + its amount, if any | `max(end, at) + days`, if any |
//! | `referral_bonus_revoked` | − its amount, if any | `max(end − days, at)`, if any |
//!
//! where `at` is the row's time (the `now` the code used). Checked after
//! every step, for the buyer and the inviter:
//!
//! - the balance equals the replayed balance, which never goes below zero;
//! - the extra devices and the pack traffic equal the replayed ones:
//!   `devices` adds its units, `traffic` its bytes, their refunds take them
//!   back (never below none), and a `purchase` (a period) keeps at most the
//!   devices its order priced in and resets the packs;
//! - the subscription end equals the replayed end: the days granted are the
//!   days paid for minus the days refunded (with the rule that a refund
//!   never takes the end below now);
//! - no ledger row vanishes; every `refund` follows a credit of its order;
//! - no order is credited twice: a paid or refunded order has exactly one
//!   `purchase`/`topup` row, any other none; a refunded order exactly one
//!   `refund` row, any other none; a plan's credited days are the order's
//!   `days` (what a refund takes back);
//! - every provider payment is recorded once: a (provider, payment id)
//!   is on at most one paid or refunded order in the whole run, and every
//!   payment the test delivered is on one, or recorded as an unknown
//!   payment (`UNKNOWNPAY#…`) for an admin to refund.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::fake_platega::FakePlatega;
use e2e::fake_providers::FakeProviders;
use e2e::fake_severpay::FakeSeverPay;
use e2e::shop::{
    Settings, cryptopay_settings, freekassa_settings, platega_settings, severpay_settings,
    stars_settings, with_extra, yookassa_settings,
};
use e2e::signed::{
    Payer, Priced, cryptopay_paid, freekassa_paid, platega, severpay, successful_payment_by,
    yookassa_payment, yookassa_refund,
};
use e2e::{TestStack, callback_update, text_update};
use futures::FutureExt;
use serde_json::json;
use shared::adapters::pay::{Money, OrderId};
use shared::base::clock::now;
use shared::base::types::{Period, Provider, TelegramId};
use shared::domains::money::orders::{Order, OrderStatus};
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

const DAY: i64 = 86_400;
const ADMIN: i64 = 9000;
/// The seed of the first case; case `i` uses `BASE_SEED + i`.
const BASE_SEED: u64 = 0x6d0d_e120_2026;
/// Cases per run: each is one stack-driven story of 15–25 operations.
const CASES: u64 = 12;

// ---------------------------------------------------------------- the ops

/// How an order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Yookassa,
    Cryptopay,
    Freekassa,
    Platega,
    Severpay,
    Stars,
}

impl Via {
    fn code(self) -> &'static str {
        match self {
            Via::Yookassa => "yookassa",
            Via::Cryptopay => "cryptopay",
            Via::Freekassa => "freekassa",
            Via::Platega => "platega",
            Via::Severpay => "severpay",
            Via::Stars => "stars",
        }
    }
}

/// What an order buys.
#[derive(Debug, Clone, Copy)]
enum Buys {
    Plan(Period),
    TopUp(u64),
    Devices(u32),
    Pack,
}

/// The traffic pack the shop sells (10 GB).
const PACK: u64 = 10 << 30;

/// One step. `order` picks one of the case's orders (modulo how many there are).
#[derive(Debug, Clone)]
enum Op {
    /// The buyer presses a pay button; the order stays unpaid.
    Order { buys: Buys, via: Via },
    /// The provider reports the order's payment (twice when `redeliver`;
    /// with another amount when `wrong_amount`).
    Pay {
        order: usize,
        redeliver: bool,
        wrong_amount: bool,
    },
    /// The order is marked expired, then paid.
    PayLate { order: usize },
    /// Another payment of the provider, with its own id, for the order.
    SecondPayment { order: usize },
    /// The order is refunded (twice when `redeliver`).
    Refund { order: usize, redeliver: bool },
    /// A top-up ordered and paid.
    TopUp { rubles: u64, via: Via },
    /// A product bought with the balance button (pressed twice when `redeliver`).
    BalancePurchase { buys: Buys, redeliver: bool },
    /// A discount code activated (`SALE25` or `HALF50`).
    Discount { code: &'static str },
    /// The balance gift code (50 ₽) activated.
    Gift,
    /// Auto-renewal from the balance turned on and run (twice when `redeliver`).
    Renew { redeliver: bool },
    /// The jobs worker runs (the inviter's reward).
    Worker,
}

/// xorshift64*, seeded through splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn via(&mut self, stars: bool) -> Via {
        let all = [
            Via::Yookassa,
            Via::Cryptopay,
            Via::Freekassa,
            Via::Platega,
            Via::Severpay,
            Via::Stars,
        ];
        all[self.below(if stars { 6 } else { 5 }) as usize]
    }
    fn product(&mut self) -> Buys {
        match self.below(10) {
            0..=2 => Buys::Devices(1 + self.below(2) as u32),
            3 | 4 => Buys::Pack,
            _ => Buys::Plan(self.period()),
        }
    }
    fn period(&mut self) -> Period {
        if self.chance(70) {
            Period::OneMonth
        } else {
            Period::ThreeMonths
        }
    }
}

/// A case: whether the buyer has an inviter, and the operations.
fn generate(seed: u64) -> (bool, Vec<Op>) {
    let mut rng = Rng::new(seed);
    let invited = rng.chance(50);
    let len = 15 + rng.below(11) as usize;
    let mut ops = Vec::with_capacity(len);
    let mut orders = 0usize;
    if rng.chance(50) {
        // Half the buyers start with a paid month, so that extra devices and
        // packs (sold only with a running paid subscription) are bought,
        // paid and refunded too.
        ops.push(Op::TopUp {
            rubles: 500,
            via: rng.via(false),
        });
        ops.push(Op::BalancePurchase {
            buys: Buys::Plan(Period::OneMonth),
            redeliver: false,
        });
        orders += 1;
    }
    while ops.len() < len {
        let pick = rng.below(100);
        let order = if orders > 0 {
            // Mostly the newest orders, sometimes any.
            let back = if rng.chance(60) {
                rng.below(2.min(orders as u64))
            } else {
                rng.below(orders as u64)
            };
            Some(orders - 1 - back as usize)
        } else {
            None
        };
        let op = match (pick, order) {
            (0..=21, _) | (22..=59, None) => {
                orders += 1;
                let via = rng.via(true);
                let buys = if via != Via::Stars && rng.chance(25) {
                    Buys::TopUp(if rng.chance(50) { 300 } else { 500 })
                } else {
                    rng.product()
                };
                Op::Order { buys, via }
            }
            (22..=41, Some(order)) => Op::Pay {
                order,
                redeliver: rng.chance(30),
                wrong_amount: rng.chance(8),
            },
            (42..=46, Some(order)) => Op::PayLate { order },
            (47..=52, Some(order)) => Op::SecondPayment { order },
            (53..=59, Some(order)) => Op::Refund {
                order,
                redeliver: rng.chance(25),
            },
            (60..=68, _) => {
                orders += 1;
                Op::TopUp {
                    rubles: if rng.chance(50) { 300 } else { 500 },
                    via: rng.via(false),
                }
            }
            (69..=78, _) => Op::BalancePurchase {
                buys: rng.product(),
                redeliver: rng.chance(30),
            },
            (79..=85, _) => Op::Discount {
                code: if rng.chance(50) { "SALE25" } else { "HALF50" },
            },
            (86..=88, _) => Op::Gift,
            (89..=94, _) => Op::Renew {
                redeliver: rng.chance(30),
            },
            _ => Op::Worker,
        };
        ops.push(op);
    }
    (invited, ops)
}

// ---------------------------------------------------------- the stack side

/// The shop the cases run in: two ruble periods, Stars, referral bonuses,
/// an admin, YooKassa, Crypto Pay, FreeKassa, Platega and SeverPay.
fn settings(p: &FakeProviders, pl: &FakePlatega, sp: &FakeSeverPay) -> Settings {
    let mut settings: Settings = vec![
        ("RUB_PRICE_1_MONTH", "199".into()),
        ("RUB_PRICE_3_MONTHS", "499".into()),
        ("REFERRAL_BONUS_DAYS_1_MONTH", "7".into()),
        ("REFERRAL_BONUS_DAYS_3_MONTHS", "10".into()),
        ("REFEREE_BONUS_DAYS_1_MONTH", "3".into()),
        ("PRICE_PER_DEVICE", "9000".into()),
        ("STARS_PRICE_PER_DEVICE", "50".into()),
        ("MAX_DEVICES_LIMIT", "7".into()),
        ("TRAFFIC_TOPUP_PACKAGES", "10:99".into()),
        ("STARS_TRAFFIC_TOPUP_PACKAGES", "10:70".into()),
        ("RATE_LIMIT_ENABLED", "false".into()),
        ("LOG_CHAT_ID", "-100900".into()),
        ("ADMIN_IDS", ADMIN.to_string()),
    ];
    settings.extend(stars_settings());
    settings.extend(cryptopay_settings(p));
    settings.extend(yookassa_settings(p));
    settings.extend(freekassa_settings());
    settings.extend(platega_settings(pl));
    settings.extend(severpay_settings(sp));
    settings
}

/// The stack, the fake providers and the update counter the cases share.
struct World {
    t: TestStack,
    providers: FakeProviders,
    platega: FakePlatega,
    severpay: FakeSeverPay,
    next: AtomicI64,
    /// (provider, payment id) → the paid or refunded order holding it, over
    /// the whole run.
    payments: std::sync::Mutex<HashMap<(String, String), String>>,
}

impl World {
    fn id(&self) -> i64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    async fn text(&self, user: i64, text: &str) {
        let status = self
            .t
            .update(&text_update(self.id(), user, "Max", "ru", text))
            .await;
        assert_eq!(status, 200, "{text:?} from {user}");
    }

    async fn press(&self, user: i64, data: &str, message: i64) -> serde_json::Value {
        let update = callback_update(self.id(), user, data, message);
        assert_eq!(self.t.update(&update).await, 200, "button {data:?}");
        update
    }

    async fn route(&self, req: shared::adapters::http::HttpRequest) -> u16 {
        self.t.handle(req).await
    }

    async fn order(&self, id: &str) -> Order {
        self.t
            .stack
            .app
            .store
            .get_order(&OrderId(id.to_owned()))
            .await
            .expect("store")
            .unwrap_or_else(|| panic!("order {id} exists"))
    }

    /// The ids of `user`'s orders (the orders index).
    async fn order_ids(&self, user: i64) -> Vec<String> {
        let app = &self.t.stack.app;
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = app
                .store
                .client()
                .query()
                .table_name(&app.config.infra.table_name)
                .index_name("GSI1")
                .key_condition_expression("GSI1PK = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(format!("ORDERS#{user}")))
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("orders index");
            out.extend(
                page.items()
                    .iter()
                    .filter_map(|i| i.get("order_id")?.as_s().ok().cloned()),
            );
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return out;
            }
        }
    }

    /// `user`'s ledger items, oldest first.
    async fn ledger(&self, user: i64) -> Vec<Row> {
        let app = &self.t.stack.app;
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = app
                .store
                .client()
                .query()
                .table_name(&app.config.infra.table_name)
                .key_condition_expression("PK = :pk AND begins_with(SK, :l)")
                .expression_attribute_values(":pk", AttributeValue::S(format!("USER#{user}")))
                .expression_attribute_values(":l", AttributeValue::S("LEDGER#".into()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("ledger");
            for i in page.items() {
                let s = |k: &str| i.get(k).and_then(|v| v.as_s().ok()).cloned();
                let n = |k: &str| {
                    i.get(k)
                        .and_then(|v| v.as_n().ok())
                        .and_then(|v| v.parse::<i64>().ok())
                };
                out.push(Row {
                    sk: s("SK").unwrap_or_default(),
                    kind: s("kind").unwrap_or_default(),
                    order: s("order_id").unwrap_or_default(),
                    at: n("at").unwrap_or_default(),
                    amount: n("amount").and_then(|m| {
                        Money::from_minor(m as u64, s("currency").as_deref().unwrap_or("RUB"))
                    }),
                    days: n("days"),
                    units: n("units"),
                    provider: s("provider"),
                });
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return out;
            }
        }
    }

    async fn unknown_payment_recorded(&self, provider: &str, key: &str) -> bool {
        let app = &self.t.stack.app;
        app.store
            .client()
            .get_item()
            .table_name(&app.config.infra.table_name)
            .key(
                "PK",
                AttributeValue::S(format!("UNKNOWNPAY#{provider}#{key}")),
            )
            .key("SK", AttributeValue::S("UNKNOWNPAY".into()))
            .consistent_read(true)
            .send()
            .await
            .expect("store")
            .item
            .is_some()
    }
}

fn minor_text(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

// -------------------------------------------------------------- the model

/// One ledger row as stored.
#[derive(Debug, Clone)]
struct Row {
    sk: String,
    kind: String,
    order: String,
    at: i64,
    amount: Option<Money>,
    days: Option<i64>,
    units: Option<i64>,
    provider: Option<String>,
}

/// An account the model follows: its ledger rows in the order the
/// operations wrote them.
struct Account {
    id: i64,
    seen: HashSet<String>,
    rows: Vec<Row>,
}

impl Account {
    fn new(id: i64) -> Account {
        Account {
            id,
            seen: HashSet::new(),
            rows: Vec::new(),
        }
    }
}

/// A case's buyer: the account, its orders and the payments delivered.
struct Buyer {
    account: Account,
    /// Order ids, in creation order (derived orders the code makes are
    /// found through the orders index, not listed here).
    orders: Vec<String>,
    /// (provider, payment id) the test delivered.
    delivered: Vec<(String, String)>,
    /// Delivered payments already found recorded (they stay so).
    recorded: HashSet<(String, String)>,
    /// Payments delivered per order (for fresh second-payment ids).
    extra: HashMap<String, u32>,
}

fn rub(row: &Row) -> i64 {
    match row.amount.as_ref().and_then(Money::as_rub) {
        Some(k) => k.0 as i64,
        None => panic!("{} row moves the balance without rubles: {row:?}", row.kind),
    }
}

fn is_balance(row: &Row) -> bool {
    row.provider.as_deref() == Some(Provider::Balance.code())
}

/// The balance and subscription end the rows say, checking on the way
/// that the balance never goes below zero and refunds follow credits.
fn replay(rows: &[Row], kept: &HashMap<String, i64>) -> Replayed {
    let mut balance = 0i64;
    let mut end: Option<i64> = None;
    let mut devices = 0i64;
    let mut packs = 0i64;
    let mut credits: HashMap<&str, &Row> = HashMap::new();
    let extend =
        |end: Option<i64>, at: i64, days: i64| Some(end.unwrap_or(at).max(at) + days * DAY);
    let take = |end: Option<i64>, at: i64, days: i64| end.map(|e| (e - days * DAY).max(at));
    for row in rows {
        match row.kind.as_str() {
            "purchase" => {
                credits.insert(&row.order, row);
                end = extend(end, row.at, row.days.expect("a purchase grants days"));
                if is_balance(row) {
                    balance -= rub(row);
                }
                // A period keeps at most the devices its order priced in;
                // its packs are for the period before.
                devices = devices.min(kept.get(&row.order).copied().unwrap_or(0));
                packs = 0;
            }
            "devices" | "traffic" => {
                credits.insert(&row.order, row);
                let units = row.units.expect("a product row has units");
                if row.kind == "devices" {
                    devices += units;
                } else {
                    packs += units;
                }
                if is_balance(row) {
                    balance -= rub(row);
                }
            }
            "topup" => {
                credits.insert(&row.order, row);
                balance += rub(row);
            }
            "refund" => match credits.get(row.order.as_str()) {
                Some(credit) if matches!(credit.kind.as_str(), "devices" | "traffic") => {
                    let units = credit.units.unwrap_or_default();
                    if credit.kind == "devices" {
                        devices = (devices - units).max(0);
                    } else {
                        packs = (packs - units).max(0);
                    }
                    if is_balance(credit) {
                        balance += rub(credit);
                    }
                }
                Some(credit) if credit.kind == "purchase" => {
                    end = take(end, row.at, credit.days.unwrap_or_default());
                    if is_balance(credit) {
                        balance += rub(credit);
                    }
                }
                Some(credit) => {
                    let shortfall: i64 = rows
                        .iter()
                        .filter(|r| r.kind == "refund_shortfall" && r.order == row.order)
                        .map(rub)
                        .sum();
                    balance -= rub(credit) - shortfall;
                }
                None => panic!("refund of order {} that was never credited", row.order),
            },
            "refund_shortfall" => {}
            "promo_balance" => balance += rub(row),
            "promo_days" => end = extend(end, row.at, row.days.unwrap_or_default()),
            "referral_bonus" => {
                if let Some(d) = row.days {
                    end = extend(end, row.at, d);
                }
                if row.amount.is_some() {
                    balance += rub(row);
                }
            }
            "referral_bonus_revoked" => {
                if let Some(d) = row.days {
                    end = take(end, row.at, d);
                }
                if row.amount.is_some() {
                    balance -= rub(row);
                }
            }
            other => panic!("a ledger kind the model does not know: {other} ({row:?})"),
        }
        assert!(
            balance >= 0,
            "the ledger takes the balance below zero at {row:?}"
        );
    }
    Replayed {
        balance,
        end,
        devices,
        packs,
    }
}

/// What an account's ledger says it holds.
struct Replayed {
    balance: i64,
    end: Option<i64>,
    devices: i64,
    packs: i64,
}

/// Reads the account's new ledger rows and checks its balance and end
/// against the replayed ledger.
async fn check_account(w: &World, a: &mut Account) {
    let rows = w.ledger(a.id).await;
    let now_keys: HashSet<&String> = rows.iter().map(|r| &r.sk).collect();
    for old in &a.seen {
        assert!(now_keys.contains(old), "ledger row {old} vanished");
    }
    // New rows: those of this step, in key order (one step writes one
    // transaction's rows, or a few in sequence).
    let mut fresh: Vec<Row> = rows
        .into_iter()
        .filter(|r| !a.seen.contains(&r.sk))
        .collect();
    fresh.sort_by(|x, y| x.sk.cmp(&y.sk));
    for r in fresh {
        a.seen.insert(r.sk.clone());
        a.rows.push(r);
    }
    let (page, _) =
        w.t.stack
            .app
            .store
            .ledger_page(TelegramId(a.id), None, 1000)
            .await
            .expect("ledger page");
    assert_eq!(page.len(), a.rows.len(), "the ledger page lists every row");
    let mut kept = HashMap::new();
    for r in a.rows.iter().filter(|r| r.kind == "purchase") {
        if !kept.contains_key(&r.order) {
            let o = w.order(&r.order).await;
            kept.insert(r.order.clone(), i64::from(o.extra_devices));
        }
    }
    let Replayed {
        balance,
        end,
        devices,
        packs,
    } = replay(&a.rows, &kept);
    let user = w.t.user(a.id).await.expect("the account exists");
    assert_eq!(
        i64::from(user.extra_devices),
        devices,
        "user {}: extra devices == the ledger's",
        a.id
    );
    assert_eq!(
        (user.packs + user.old_packs) as i64,
        packs,
        "user {}: pack traffic == the ledger's",
        a.id
    );
    assert_eq!(
        user.balance.0 as i64, balance,
        "user {}: balance == the ledger's",
        a.id
    );
    assert_eq!(
        user.sub_end, end,
        "user {}: subscription end == days paid for − days refunded (the ledger's)",
        a.id
    );
}

/// Checks the buyer's orders against the ledger and the payments delivered.
async fn check_orders(w: &World, b: &mut Buyer) {
    let rows = &b.account.rows;
    let mut ids = w.order_ids(b.account.id).await;
    for r in rows {
        if matches!(
            r.kind.as_str(),
            "purchase" | "topup" | "devices" | "traffic" | "refund"
        ) && !ids.contains(&r.order)
        {
            ids.push(r.order.clone());
        }
    }
    let mut held: HashMap<(String, String), String> = HashMap::new();
    for id in &ids {
        let o = w.order(id).await;
        assert_eq!(o.user.0, b.account.id, "order {id} is the buyer's");
        let credits: Vec<&Row> = rows
            .iter()
            .filter(|r| {
                r.order == *id
                    && matches!(
                        r.kind.as_str(),
                        "purchase" | "topup" | "devices" | "traffic"
                    )
            })
            .collect();
        let refunds = rows
            .iter()
            .filter(|r| r.order == *id && r.kind == "refund")
            .count();
        let credited = matches!(o.status, OrderStatus::Paid | OrderStatus::Refunded);
        assert_eq!(
            credits.len(),
            usize::from(credited),
            "order {id} ({:?}) is credited exactly once when paid, never otherwise: {credits:?}",
            o.status
        );
        assert_eq!(
            refunds,
            usize::from(o.status == OrderStatus::Refunded),
            "order {id} ({:?}): one refund row when refunded, none otherwise",
            o.status
        );
        if let Some(credit) = credits.first()
            && credit.kind == "purchase"
        {
            assert_eq!(
                o.granted_days.map(i64::from),
                credit.days,
                "order {id}: the days a refund takes back are the days credited"
            );
        }
        if credited && let Some(r) = &o.provider_ref {
            held.insert((o.provider.code().to_owned(), r.clone()), id.clone());
        }
    }
    {
        let mut all = w.payments.lock().expect("payments");
        for (key, id) in &held {
            if let Some(other) = all.insert(key.clone(), id.clone()) {
                assert_eq!(
                    &other, id,
                    "payment {key:?} is on two credited orders ({other} and {id})"
                );
            }
        }
    }
    for key in b.delivered.clone() {
        if b.recorded.contains(&key) {
            continue;
        }
        if held.contains_key(&key) || w.unknown_payment_recorded(&key.0, &key.1).await {
            b.recorded.insert(key);
        } else {
            panic!(
                "payment {key:?} was delivered but is recorded nowhere: on no paid order, not as an unknown payment"
            );
        }
    }
}

// ------------------------------------------------------------ running ops

async fn new_order(w: &World, b: &mut Buyer, buys: Buys, via: Via) -> Option<String> {
    let user = b.account.id;
    let before: HashSet<String> = w.order_ids(user).await.into_iter().collect();
    let data = match buys {
        Buys::TopUp(r) => format!("tpay:{r}:{}", via.code()),
        other => format!("pay:{}:{}", product_code(other), via.code()),
    };
    let message = w.id();
    w.press(user, &data, message).await;
    let made: Vec<String> = w
        .order_ids(user)
        .await
        .into_iter()
        .filter(|i| !before.contains(i))
        .collect();
    assert!(made.len() <= 1, "one button press, one order: {made:?}");
    let id = made.into_iter().next()?;
    b.orders.push(id.clone());
    Some(id)
}

/// A product's code on the buttons.
fn product_code(buys: Buys) -> String {
    match buys {
        Buys::Plan(p) => p.code().to_owned(),
        Buys::Devices(n) => format!("d{n}"),
        Buys::Pack => format!("g{PACK}"),
        Buys::TopUp(_) => unreachable!("a top-up is not a product"),
    }
}

fn pick(b: &Buyer, order: usize) -> Option<String> {
    (!b.orders.is_empty()).then(|| b.orders[order % b.orders.len()].clone())
}

/// Delivers a payment of `id` with the payment id `nth` (0: the order's own).
async fn pay(w: &World, b: &mut Buyer, id: &str, nth: u32, times: u32, wrong_amount: bool) {
    let o = w.order(id).await;
    let user = b.account.id;
    let minor = o.amount.minor() + if wrong_amount { 100 } else { 0 };
    let key = match o.provider {
        Provider::Yookassa => {
            let own = o
                .provider_ref
                .clone()
                .expect("a YooKassa order has a payment");
            let payment = if nth == 0 {
                w.providers.set_payment_status(&own, "succeeded", false);
                own
            } else {
                let mut copy = w.providers.payment(&own).expect("payment in the fake");
                let other = format!("{own}-{nth}");
                copy["id"] = json!(other);
                copy["status"] = json!("succeeded");
                copy["paid"] = json!(true);
                w.providers.insert_payment(copy);
                other
            };
            let paid = yookassa_payment(
                &payment,
                "payment.succeeded",
                "succeeded",
                &minor_text(minor),
            );
            for _ in 0..times {
                assert_eq!(w.route(paid.request()).await, 200);
            }
            ("yookassa", payment)
        }
        Provider::Cryptopay => {
            let own: u64 = o
                .provider_ref
                .as_deref()
                .and_then(|r| r.parse().ok())
                .expect("a Crypto Pay order has an invoice");
            let invoice = if nth == 0 {
                own
            } else {
                800_000_000 + w.id() as u64
            };
            let paid = cryptopay_paid(
                id,
                invoice,
                Priced::Fiat("RUB"),
                &minor_text(minor),
                w.id() as u64,
            );
            for _ in 0..times {
                assert_eq!(w.route(paid.request()).await, 200);
            }
            ("cryptopay", invoice.to_string())
        }
        Provider::Freekassa => {
            let intid = format!("fk{}n{nth}", &id[..12]);
            let amount = if minor % 100 == 0 {
                (minor / 100).to_string()
            } else {
                minor_text(minor)
            };
            for _ in 0..times {
                assert_eq!(
                    w.route(freekassa_paid(&amount, id, &intid).request()).await,
                    200
                );
            }
            ("freekassa", intid)
        }
        Provider::Platega => {
            let own = o
                .provider_ref
                .clone()
                .expect("a Platega order has a transaction");
            let tx = if nth == 0 {
                own.clone()
            } else {
                format!("{}-{nth:04}", &own[..own.len() - 5])
            };
            let mut t = w
                .platega
                .transaction(&own)
                .expect("transaction in the fake");
            t["id"] = json!(tx);
            t["status"] = json!("CONFIRMED");
            t["paymentDetails"]["amount"] = json!(minor as f64 / 100.0);
            w.platega.insert(t);
            let paid = platega(&tx, "CONFIRMED", minor as f64 / 100.0, id);
            for _ in 0..times {
                assert_eq!(w.route(paid.request()).await, 200);
            }
            ("platega", tx)
        }
        Provider::Severpay => {
            let own: u64 = o
                .provider_ref
                .as_deref()
                .and_then(|r| r.parse().ok())
                .expect("a SeverPay order has a payment");
            let payin = if nth == 0 {
                own
            } else {
                900_000_000 + w.id() as u64
            };
            let amount = minor as f64 / 100.0;
            w.severpay
                .insert(json!({"id": payin, "order_id": id, "amount": amount,
                "currency": "RUB", "status": "success"}));
            let paid = severpay(json!({"id": payin, "order_id": id, "amount": amount,
                "currency": "RUB", "status": "success"}));
            for _ in 0..times {
                assert_eq!(w.route(paid.request()).await, 200);
            }
            ("severpay", payin.to_string())
        }
        Provider::Stars => {
            let charge = format!("ch{}n{nth}", &id[..12]);
            let payer = Payer {
                id: user,
                name: "Max",
                lang: "ru",
            };
            let stars = o.amount.minor() + u64::from(wrong_amount);
            let update = successful_payment_by(w.id(), payer, id, stars, &charge);
            for _ in 0..times {
                assert_eq!(w.t.update(&update).await, 200);
            }
            ("stars", charge)
        }
        // Balance orders are not provider payments.
        _ => return,
    };
    b.delivered.push((key.0.to_owned(), key.1));
}

async fn refund(w: &World, id: &str, times: u32) {
    let o = w.order(id).await;
    for _ in 0..times {
        match o.provider {
            Provider::Stars => w.text(ADMIN, &format!("/refund {id}")).await,
            Provider::Platega => {
                // A chargeback, confirmed by the API.
                let tx = o.provider_ref.clone().expect("transaction id");
                w.platega.set_status(&tx, "CHARGEBACKED");
                let back = platega(&tx, "CHARGEBACKED", o.amount.minor() as f64 / 100.0, id);
                assert_eq!(w.route(back.request()).await, 200);
            }
            Provider::Yookassa => {
                let payment = o.provider_ref.clone().expect("payment id");
                let value = minor_text(o.amount.minor());
                let refund_id = format!("rf-{}", &id[..16]);
                w.providers.insert_refund(json!({
                    "id": refund_id, "payment_id": payment, "status": "succeeded",
                    "amount": {"value": value, "currency": "RUB"},
                    "created_at": "2026-11-21T09:00:00.000Z"
                }));
                let refunded = yookassa_refund(&refund_id, &payment, &value);
                assert_eq!(w.route(refunded.request()).await, 200);
            }
            _ => {
                shared::domains::money::refunds::refund(&w.t.stack.app, &o.id, "money model")
                    .await
                    .expect("refund recorded");
            }
        }
    }
}

async fn run_op(w: &World, b: &mut Buyer, op: &Op) {
    let user = b.account.id;
    let app = &w.t.stack.app;
    match *op {
        Op::Order { buys, via } => {
            new_order(w, b, buys, via).await;
        }
        Op::Pay {
            order,
            redeliver,
            wrong_amount,
        } => {
            if let Some(id) = pick(b, order) {
                pay(w, b, &id, 0, 1 + u32::from(redeliver), wrong_amount).await;
            }
        }
        Op::PayLate { order } => {
            if let Some(id) = pick(b, order) {
                app.store
                    .expire_order(&OrderId(id.clone()), now() + 4 * DAY)
                    .await
                    .expect("expire");
                pay(w, b, &id, 0, 1, false).await;
            }
        }
        Op::SecondPayment { order } => {
            if let Some(id) = pick(b, order) {
                let nth = {
                    let n = b.extra.entry(id.clone()).or_insert(0);
                    *n += 1;
                    *n
                };
                pay(w, b, &id, nth, 1, false).await;
            }
        }
        Op::Refund { order, redeliver } => {
            // Any of the buyer's orders: those the buttons made, and those
            // made for them (balance purchases, renewals, second payments).
            let ids = w.order_ids(user).await;
            if !ids.is_empty() {
                let id = ids[order % ids.len()].clone();
                refund(w, &id, 1 + u32::from(redeliver)).await;
            }
        }
        Op::TopUp { rubles, via } => {
            if let Some(id) = new_order(w, b, Buys::TopUp(rubles), via).await {
                pay(w, b, &id, 0, 1, false).await;
            }
        }
        Op::BalancePurchase { buys, redeliver } => {
            let u = w.t.user(user).await.expect("buyer");
            let stamp = shared::base::callback::balance_stamp(u.sub_end, u.balance.0);
            let message = w.id();
            let data = format!("payb:{}:{stamp}", product_code(buys));
            let update = w.press(user, &data, message).await;
            if redeliver {
                // Telegram delivering the same press again, then a double tap.
                assert_eq!(w.t.update(&update).await, 200);
                w.press(user, &data, message).await;
            }
        }
        Op::Discount { code } => w.text(user, &format!("/start promo_{code}")).await,
        Op::Gift => w.text(user, "/start promo_GIFT").await,
        Op::Renew { redeliver } => {
            app.store
                .set_balance_renew(TelegramId(user), true, Period::OneMonth)
                .await
                .expect("renewal on");
            let u = w.t.user(user).await.expect("buyer");
            if let Some(end) = u.sub_end {
                let wallet = app.store.wallet(TelegramId(user)).await.expect("wallet");
                for _ in 0..1 + u32::from(redeliver) {
                    if let Err(e) =
                        shared::domains::renewal::balance::renew(app, &u, &wallet, end).await
                    {
                        panic!("the renewal from the balance fails: {e}");
                    }
                }
            }
        }
        Op::Worker => w.t.drain_jobs().await,
    }
}

async fn check(w: &World, b: &mut Buyer, inviter: &mut Option<Account>) {
    check_account(w, &mut b.account).await;
    check_orders(w, b).await;
    if let Some(i) = inviter {
        check_account(w, i).await;
    }
}

/// Runs one case; panics (with the step) when an invariant breaks.
async fn run_case(
    w: &World,
    case: u64,
    invited: bool,
    ops: &[Op],
    step: &AtomicI64,
    tally: &mut HashMap<String, usize>,
) {
    let buyer_id = 7_300_000 + case as i64 * 2;
    let mut inviter = None;
    if invited {
        let id = buyer_id + 1;
        w.text(id, "/start").await;
        let code = w.t.user(id).await.expect("inviter").ref_code;
        w.text(buyer_id, &format!("/start ref_{code}")).await;
        inviter = Some(Account::new(id));
    } else {
        w.text(buyer_id, "/start").await;
    }
    let mut b = Buyer {
        account: Account::new(buyer_id),
        orders: Vec::new(),
        delivered: Vec::new(),
        recorded: HashSet::new(),
        extra: HashMap::new(),
    };
    check(w, &mut b, &mut inviter).await;
    for (i, op) in ops.iter().enumerate() {
        step.store(i as i64, Ordering::Relaxed);
        run_op(w, &mut b, op).await;
        check(w, &mut b, &mut inviter).await;
    }
    step.store(ops.len() as i64, Ordering::Relaxed);
    w.t.drain_jobs().await;
    check(w, &mut b, &mut inviter).await;
    for row in b
        .account
        .rows
        .iter()
        .chain(inviter.iter().flat_map(|i| &i.rows))
    {
        *tally.entry(row.kind.clone()).or_default() += 1;
    }
    let derived = w.order_ids(b.account.id).await.len() - b.orders.len();
    *tally
        .entry("(orders made by balance buttons, renewals, second payments)".into())
        .or_default() += derived;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_money_stories_keep_balance_days_and_payments_consistent() {
    let started = Instant::now();
    let providers = FakeProviders::start().await;
    let platega = FakePlatega::start().await;
    let severpay = FakeSeverPay::start().await;
    let owned = settings(&providers, &platega, &severpay);
    let (t, _panel) = TestStack::start_with_panel(&with_extra(&owned, &[])).await;
    let w = World {
        t,
        providers,
        platega,
        severpay,
        next: AtomicI64::new(1),
        payments: std::sync::Mutex::new(HashMap::new()),
    };
    w.text(ADMIN, "/start").await;
    for cmd in [
        "/promo_new SALE25 discount 25",
        "/promo_new HALF50 discount 50",
        "/promo_new GIFT balance 50",
    ] {
        w.text(ADMIN, cmd).await;
    }
    let seeds: Vec<u64> = match std::env::var("MONEY_MODEL_SEED") {
        Ok(s) => vec![s.trim().parse().expect("MONEY_MODEL_SEED is a number")],
        Err(_) => {
            let cases = std::env::var("MONEY_MODEL_CASES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(CASES);
            (0..cases).map(|i| BASE_SEED + i).collect()
        }
    };
    let mut ops_run = 0;
    let mut tally = HashMap::new();
    for (case, seed) in seeds.iter().enumerate() {
        let (invited, ops) = generate(*seed);
        ops_run += ops.len();
        let step = AtomicI64::new(-1);
        let result = AssertUnwindSafe(run_case(&w, case as u64, invited, &ops, &step, &mut tally))
            .catch_unwind()
            .await;
        if let Err(panic) = result {
            let at = step.load(Ordering::Relaxed);
            eprintln!("\nmoney model: case {case} failed at step {at}");
            eprintln!("MONEY_MODEL_SEED={seed}");
            eprintln!("invited: {invited}");
            for (i, op) in ops.iter().enumerate() {
                let mark = if i as i64 == at { "  <-- here" } else { "" };
                eprintln!("  {i:2}: {op:?}{mark}");
            }
            std::panic::resume_unwind(panic);
        }
    }
    let mut tally: Vec<_> = tally.into_iter().collect();
    tally.sort();
    eprintln!(
        "money model: {} cases, {ops_run} operations, {:.1}s; ledger rows written: {tally:?}",
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
}
