//! Orders in the table: what an order is, how it is stored, read, closed
//! and leased for its after-payment effects, and the importer's historical
//! payments. The crediting transaction is in `credit`, refunds in
//! `refunds`, the ledger in `ledger`; the rules that decide them are in
//! `crate::domains::money::orders`.

use super::attrs::{ItemExt, n, s};
use super::keys;
use super::users::User;
use super::{Item, Read, Store, StoreError, unless_condition_failed};
use crate::adapters::pay::{Money, OrderId};
use crate::base::money::Rate;
use crate::base::types::Provider;
use crate::base::types::{Kopecks, Period, Product, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use futures::FutureExt;

/// How long an unpaid order is offered for payment. After it the order is
/// `expired`, never deleted: money can still arrive for it (a FreeKassa
/// form has no expiry), and a late payment is credited.
pub const ORDER_LIFETIME_SECS: i64 = 3 * 86_400;
/// How long one run of an order's after-payment effects may hold them: the
/// jobs worker's `Timeout` in `template.yaml`, so a run that dies keeps
/// them no longer than it could have lived.
pub const EFFECTS_LEASE_SECS: i64 = 120;
/// Attempts at crediting when a concurrent change to the same user races us.
pub const CREDIT_ATTEMPTS: usize = 6;

/// What an order buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purchase {
    /// A subscription period.
    Plan(Period),
    /// These rubles on the in-bot balance, whatever the order is paid in.
    TopUp(Kopecks),
    /// This many extra device slots until the current period ends.
    Devices(u32),
    /// This many bytes of traffic: added to the current period's limit, or,
    /// in traffic sale mode, to the subscription's (which then has no end).
    Traffic(u64),
}

impl Purchase {
    /// Stable code stored on the order and in the payments index
    /// (`plan:3m`, `topup`, `devices:2`, `traffic:<bytes>`; a top-up's
    /// rubles are an attribute of their own).
    pub fn code(self) -> String {
        match self {
            Purchase::Plan(p) => format!("plan:{}", p.code()),
            Purchase::TopUp(_) => "topup".into(),
            Purchase::Devices(n) => format!("devices:{n}"),
            Purchase::Traffic(bytes) => format!("traffic:{bytes}"),
        }
    }

    /// The catalog's product bought, `None` for a top-up.
    pub fn product(self) -> Option<Product> {
        match self {
            Purchase::Plan(p) => Some(Product::Period(p)),
            Purchase::TopUp(_) => None,
            Purchase::Devices(n) => Some(Product::Devices(n)),
            Purchase::Traffic(bytes) => Some(Product::Traffic(bytes)),
        }
    }

    /// What a stored code buys, for showing it (a top-up's rubles are not
    /// in its code: zero here).
    pub fn from_code(code: &str) -> Option<Purchase> {
        Purchase::parse(code, Kopecks(0))
    }

    /// Inverse of [`Purchase::code`]; `topup` gives the top-up's `rubles`.
    fn parse(s: &str, rubles: Kopecks) -> Option<Purchase> {
        match s {
            "topup" => Some(Purchase::TopUp(rubles)),
            other => {
                if let Some(n) = other.strip_prefix("devices:") {
                    return n.parse().ok().filter(|n| *n > 0).map(Purchase::Devices);
                }
                if let Some(b) = other.strip_prefix("traffic:") {
                    return b.parse().ok().filter(|b| *b > 0).map(Purchase::Traffic);
                }
                Period::from_code(other.strip_prefix("plan:")?).map(Purchase::Plan)
            }
        }
    }
}

impl From<Product> for Purchase {
    fn from(p: Product) -> Purchase {
        match p {
            Product::Period(p) => Purchase::Plan(p),
            Product::Devices(n) => Purchase::Devices(n),
            Product::Traffic(bytes) => Purchase::Traffic(bytes),
        }
    }
}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// Waiting for the payment.
    Pending,
    /// Paid and credited.
    Paid,
    /// Canceled by the provider.
    Canceled,
    /// Not paid within [`ORDER_LIFETIME_SECS`]; a late payment still credits it.
    Expired,
    /// Paid, then refunded.
    Refunded,
}

impl OrderStatus {
    pub(crate) fn code(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Canceled => "canceled",
            OrderStatus::Expired => "expired",
            OrderStatus::Refunded => "refunded",
        }
    }

    fn parse(s: &str) -> Option<OrderStatus> {
        Some(match s {
            "pending" => OrderStatus::Pending,
            "paid" => OrderStatus::Paid,
            "canceled" => OrderStatus::Canceled,
            "expired" => OrderStatus::Expired,
            "refunded" => OrderStatus::Refunded,
            _ => return None,
        })
    }
}

/// An order.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Our id, the idempotency key toward the provider.
    pub id: OrderId,
    /// The buyer.
    pub user: TelegramId,
    /// What it buys.
    pub purchase: Purchase,
    /// The price, in the unit the provider charges.
    pub amount: Money,
    /// When the price is a ruble price converted into a crypto asset: the
    /// rubles and the rate quoted ([`Quote`]), kept so the conversion is
    /// never redone at another rate.
    pub quote: Option<Quote>,
    /// How it is paid.
    pub provider: Provider,
    /// Status.
    pub status: OrderStatus,
    /// Creation time, unix seconds.
    pub created_at: i64,
    /// The provider's payment id, once known.
    pub provider_ref: Option<String>,
    /// Days the buyer got when it was credited (the period and any
    /// referee bonus), so a refund takes back exactly those.
    pub granted_days: Option<u32>,
    /// The inviter rewarded when it was credited, with the days given
    /// (0 when the reward went to the balance).
    pub referral: Option<(TelegramId, u32)>,
    /// Kopecks put on the inviter's balance when it was credited
    /// (`REFERRAL_BONUS_MODE=balance`).
    pub referral_money: Option<u64>,
    /// The inviter's reward this payment earned, granted after the credit
    /// by the jobs worker (`crate::adapters::store::rewards`), which then
    /// sets [`Order::referral`] and [`Order::referral_money`].
    pub referral_due: Option<ReferralDue>,
    /// The promo discount the price was lowered by; crediting uses it up.
    pub discount_code: Option<String>,
    /// Priced with a discount it no longer held when paid: credited as a
    /// top-up of the rubles paid instead of the plan.
    pub discount_lost: bool,
    /// A period's order: the extra device slots its price renews (the
    /// buyer keeps at most these when it is credited).
    pub extra_devices: u32,
    /// After-payment effects already done (`crate::domains::money::effects`).
    pub effects_done: Vec<String>,
}

impl Order {
    /// The rubles the order is worth: its price when paid in rubles, the
    /// quoted rubles when paid in a crypto asset; `None` for Stars and
    /// foreign fiat.
    pub fn rubles(&self) -> Option<Kopecks> {
        self.amount.as_rub().or(self.quote.as_ref().map(|q| q.rub))
    }

    /// Whether `payment` is another payment than the one that paid this
    /// order: both provider ids known and different. An order paid without
    /// a recorded id (imported from the old bot) takes any payment as its
    /// own, so a late notification of it is a duplicate.
    pub fn paid_by_another(&self, payment: &Payment) -> bool {
        self.provider != Provider::Balance
            && self
                .provider_ref
                .as_deref()
                .is_some_and(|r| r != payment.provider_ref)
    }

    /// The order a second payment `provider_ref` of this (paid) order is
    /// credited as: the same product at the same price, with an id derived
    /// from both (a re-delivery of the second payment finds it) that names
    /// the buyer.
    pub fn second_payment(&self, provider_ref: &str, now: i64) -> Order {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("second:{}:{provider_ref}", self.id).as_bytes());
        Order {
            id: OrderId(format!("{}x{}", hex::encode(&digest[..16]), self.user)),
            created_at: now,
            ..Order::new(
                self.user,
                self.purchase,
                self.amount.clone(),
                self.provider,
                now,
            )
        }
        .priced_like(self)
    }

    /// This order with `other`'s quote and discount.
    fn priced_like(mut self, other: &Order) -> Order {
        self.quote = other.quote.clone();
        self.discount_code = other.discount_code.clone();
        self.extra_devices = other.extra_devices;
        self
    }

    /// A new pending order.
    pub fn new(
        user: TelegramId,
        purchase: Purchase,
        amount: Money,
        provider: Provider,
        now: i64,
    ) -> Order {
        Order {
            id: OrderId::for_buyer(user.0),
            user,
            purchase,
            amount,
            quote: None,
            provider,
            status: OrderStatus::Pending,
            created_at: now,
            provider_ref: None,
            granted_days: None,
            referral: None,
            referral_money: None,
            referral_due: None,
            discount_code: None,
            discount_lost: false,
            extra_devices: 0,
            effects_done: Vec::new(),
        }
    }

    pub(crate) fn from_item(item: &Item) -> Result<Order, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt {
            key: item.str("PK").unwrap_or("?").to_owned(),
            what: what.to_owned(),
        };
        let amount = item
            .str("currency")
            .zip(item.u64("amount"))
            .and_then(|(code, minor)| Money::from_minor(minor, code))
            .ok_or_else(|| corrupt("amount"))?;
        // A top-up's rubles; orders from before they were recorded apart
        // were paid in rubles, or (a crypto top-up) credit nothing until an
        // admin looks (`Store::credit` flags a top-up of zero).
        let topup = item
            .u64("topup")
            .map(Kopecks)
            .or(amount.as_rub())
            .unwrap_or_default();
        let quote = match (item.u64("q_rub"), item.str("q_rate")) {
            (Some(rub), Some(rate)) => Some(Quote {
                rub: Kopecks(rub),
                rate: Rate::parse(amount.currency(), rate).ok_or_else(|| corrupt("q_rate"))?,
            }),
            _ => None,
        };
        Ok(Order {
            id: OrderId(
                item.str("order_id")
                    .ok_or_else(|| corrupt("order_id"))?
                    .to_owned(),
            ),
            user: TelegramId(item.i64("user").ok_or_else(|| corrupt("user"))?),
            purchase: item
                .str("buys")
                .and_then(|b| Purchase::parse(b, topup))
                .ok_or_else(|| corrupt("buys"))?,
            amount,
            quote,
            provider: item
                .str("provider")
                .and_then(Provider::from_code)
                .ok_or_else(|| corrupt("provider"))?,
            status: item
                .str("status")
                .and_then(OrderStatus::parse)
                .ok_or_else(|| corrupt("status"))?,
            created_at: item.i64("created_at").unwrap_or_default(),
            provider_ref: item.str("provider_ref").map(str::to_owned),
            granted_days: item.u64("days").map(|d| d as u32),
            referral: item.i64("ref_inviter").map(|id| {
                (
                    TelegramId(id),
                    item.u64("ref_days").unwrap_or_default() as u32,
                )
            }),
            referral_money: item.u64("ref_money"),
            referral_due: item.i64("rd_inviter").map(|id| ReferralDue {
                inviter: TelegramId(id),
                days: item.u64("rd_days").unwrap_or_default() as u32,
                money: item.u64("rd_money").unwrap_or_default(),
                paying: item.flag("rd_paying"),
            }),
            discount_code: item.str("discount_code").map(str::to_owned),
            discount_lost: item.flag("discount_lost"),
            extra_devices: item.u64("xdev").unwrap_or_default() as u32,
            effects_done: match item.get("fx") {
                Some(AttributeValue::Ss(done)) => done.clone(),
                _ => Vec::new(),
            },
        })
    }
}

/// The attributes every order item has, with `status`: what `from_item`
/// reads back (each writer adds its own: indexes, times, the credit).
pub(crate) fn order_item(order: &Order, status: OrderStatus) -> Item {
    let mut item = Item::from([
        ("PK".to_owned(), s(order_key(&order.id))),
        ("SK".to_owned(), s(ORDER_SK)),
        ("order_id".to_owned(), s(&order.id.0)),
        ("user".to_owned(), n(order.user)),
        ("buys".to_owned(), s(order.purchase.code())),
        ("amount".to_owned(), n(order.amount.minor())),
        ("currency".to_owned(), s(order.amount.currency())),
        ("provider".to_owned(), s(order.provider.code())),
        ("status".to_owned(), s(status.code())),
        ("created_at".to_owned(), n(order.created_at)),
    ]);
    if let Purchase::TopUp(rubles) = order.purchase {
        item.insert("topup".to_owned(), n(rubles.0));
    }
    if order.discount_lost {
        item.insert("discount_lost".to_owned(), AttributeValue::Bool(true));
    }
    if order.extra_devices > 0 {
        item.insert("xdev".to_owned(), n(order.extra_devices));
    }
    if let Some(q) = &order.quote {
        item.insert("q_rub".to_owned(), n(q.rub.0));
        item.insert("q_rate".to_owned(), s(q.rate.text()));
    }
    item
}

/// A ruble price converted into a crypto asset at a quoted rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The rubles the asset amount stands for.
    pub rub: Kopecks,
    /// The rate it was converted at.
    pub rate: Rate,
}

impl Quote {
    /// `rub` at `rate`, and the asset amount to charge for it.
    pub fn new(rub: Kopecks, rate: Rate) -> Option<(Quote, Money)> {
        let amount = rate.asset_for(rub)?;
        Some((Quote { rub, rate }, Money::Crypto(amount)))
    }
}

/// Partition key of an order.
pub fn order_key(id: &OrderId) -> String {
    format!("ORDER#{id}")
}
pub const ORDER_SK: &str = "ORDER";

/// A payment a provider has proven, to be credited.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    /// The order it pays.
    pub order: OrderId,
    /// What the provider says was paid.
    pub amount: Money,
    /// The provider's id of the payment (charge id, invoice id...).
    pub provider_ref: String,
}

/// What crediting did.
#[derive(Debug, Clone, PartialEq)]
pub enum CreditOutcome {
    /// Credited now.
    Credited(Box<Credit>),
    /// Already credited before: nothing changed.
    Duplicate(Order),
    /// No such order: nothing changed (flag it).
    UnknownOrder,
    /// The amount or currency differs from the order: nothing changed (flag it).
    Mismatch {
        /// The order.
        order: Order,
        /// What was paid.
        paid: Money,
    },
    /// The order was canceled or refunded: nothing changed (flag it).
    NotPayable(Order),
    /// Paying from the balance, and the balance is too low: nothing changed.
    InsufficientBalance(Order),
    /// Priced with a promo discount the order no longer holds, and the
    /// payment cannot go to the balance instead (Stars, or a balance
    /// purchase): nothing changed (record it for a refund).
    DiscountUsed(Order),
    /// The order was paid (or paid and refunded) by another payment of the
    /// provider's: this one is a second payment, to be credited as an order
    /// of its own ([`Order::second_payment`]). Nothing changed.
    SecondPayment(Order),
}

/// The result of a credited order.
#[derive(Debug, Clone, PartialEq)]
pub struct Credit {
    /// The order, now paid.
    pub order: Order,
    /// The buyer after crediting.
    pub user: User,
}

impl Store {
    /// Writes a new pending order. It has no TTL: an order is kept while
    /// money can still arrive for it.
    pub async fn create_order(&self, order: &Order) -> Result<(), StoreError> {
        let mut req = self
            .client
            .put_item()
            .set_item(Some(order_item(order, order.status)));
        if let Some(code) = &order.discount_code {
            req = req.item("discount_code", s(code));
        }
        req.table_name(&self.table)
            .item("GSI1PK", s(format!("ORDERS#{}", order.user)))
            .item("GSI1SK", s(format!("{}#{}", order.created_at, order.id)))
            .item("GSI2PK", s(keys::pending_pk(order.created_at)))
            .item("GSI2SK", s(format!("{}#{}", order.created_at, order.id)))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Writes `order` unless an order with its id exists; false when it did.
    pub async fn create_order_if_absent(&self, order: &Order) -> Result<bool, StoreError> {
        Ok(self.create_order_or_existing(order).await?.is_none())
    }

    /// Writes `order` unless an order with its id exists: `None` when
    /// written now, else the order that was there.
    pub async fn create_order_or_existing(
        &self,
        order: &Order,
    ) -> Result<Option<Order>, StoreError> {
        match self.create_order(order).await {
            Ok(()) => Ok(None),
            Err(e) => match self.get_order(&order.id).await? {
                Some(existing) => Ok(Some(existing)),
                None => Err(e),
            },
        }
    }

    /// Reads an order.
    pub async fn get_order(&self, id: &OrderId) -> Result<Option<Order>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(order_key(id)))
            .key("SK", s(ORDER_SK))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        out.item.as_ref().map(Order::from_item).transpose()
    }

    /// Records the provider's payment id on a pending order.
    pub async fn set_provider_ref(
        &self,
        id: &OrderId,
        provider_ref: &str,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(order_key(id)))
            .key("SK", s(ORDER_SK))
            .update_expression("SET provider_ref = :r")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":r", s(provider_ref))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Marks a pending order canceled; false when it was not pending.
    pub async fn cancel_order(&self, id: &OrderId, now: i64) -> Result<bool, StoreError> {
        self.close_pending(id, OrderStatus::Canceled, "canceled_at", now, i64::MAX)
            .await
    }

    /// Marks a pending order older than [`ORDER_LIFETIME_SECS`] expired; false
    /// when it was not pending or is still young. The order stays: a late
    /// payment for it is still credited.
    pub async fn expire_order(&self, id: &OrderId, now: i64) -> Result<bool, StoreError> {
        self.close_pending(
            id,
            OrderStatus::Expired,
            "expired_at",
            now,
            now - ORDER_LIFETIME_SECS,
        )
        .await
    }

    /// Moves a pending order created before `created_before` to `to`,
    /// stamping `at_attr`; false when it was not pending (or too young).
    async fn close_pending(
        &self,
        id: &OrderId,
        to: OrderStatus,
        at_attr: &str,
        now: i64,
        created_before: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(order_key(id)))
            .key("SK", s(ORDER_SK))
            .update_expression("SET #st = :to, #at = :now REMOVE GSI2PK, GSI2SK")
            .condition_expression("#st = :pending AND created_at < :cutoff")
            .expression_attribute_names("#st", "status")
            .expression_attribute_names("#at", at_attr)
            .expression_attribute_values(":to", s(to.code()))
            .expression_attribute_values(":pending", s(OrderStatus::Pending.code()))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":cutoff", n(created_before))
            .send()
            .boxed()
            .await;
        Ok(unless_condition_failed(result)?.is_some())
    }

    /// Records an authentic payment that matches no order of ours, once per
    /// `provider`/`key`; true when it is new. Listed for admins through
    /// GSI1 (`UNKNOWNPAY`, newest last).
    pub async fn record_unknown_payment(
        &self,
        provider: Provider,
        key: &str,
        detail: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(format!("UNKNOWNPAY#{}#{key}", provider.code())))
            .item("SK", s("UNKNOWNPAY"))
            .item("provider", s(provider.code()))
            .item("provider_ref", s(key))
            .item("detail", s(detail))
            .item("at", n(now))
            .item("GSI1PK", s("UNKNOWNPAY"))
            .item("GSI1SK", s(format!("{now:011}#{}#{key}", provider.code())))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .boxed()
            .await;
        Ok(unless_condition_failed(result)?.is_some())
    }

    /// Takes the lease on a paid order's after-payment effects until
    /// `now + EFFECTS_LEASE_SECS`; `None` while another run holds it.
    /// Returns the order as it is now (with the effects already done).
    pub async fn take_effects_lease(
        &self,
        id: &OrderId,
        now: i64,
    ) -> Result<Option<Order>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(order_key(id)))
            .key("SK", s(ORDER_SK))
            .update_expression("SET fx_lease = :until")
            .condition_expression(
                "#st IN (:paid, :refunded) AND (attribute_not_exists(fx_lease) OR fx_lease < :now)",
            )
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":paid", s(OrderStatus::Paid.code()))
            .expression_attribute_values(":refunded", s(OrderStatus::Refunded.code()))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":until", n(now + EFFECTS_LEASE_SECS))
            .return_values(ReturnValue::AllNew)
            .send()
            .boxed()
            .await;
        unless_condition_failed(result)?
            .and_then(|out| out.attributes)
            .as_ref()
            .map(Order::from_item)
            .transpose()
    }

    /// Records that the after-payment effect `name` of an order is done.
    pub async fn mark_effect_done(&self, id: &OrderId, name: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(order_key(id)))
            .key("SK", s(ORDER_SK))
            .update_expression("ADD fx :one")
            .expression_attribute_values(":one", AttributeValue::Ss(vec![name.to_owned()]))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Gives the effects' lease back after a failure, so the provider's
    /// retry can finish them at once.
    pub async fn release_effects_lease(&self, id: &OrderId) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(order_key(id)))
            .key("SK", s(ORDER_SK))
            .update_expression("SET fx_lease = :zero")
            .expression_attribute_values(":zero", n(0))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Reads an order (consistently) and, in the same `BatchGetItem` when
    /// `buyer` is given, that user's profile item (`Some`, empty when the
    /// user has none). The caller checks `buyer` is the order's buyer.
    pub async fn order_and_buyer(
        &self,
        id: &OrderId,
        buyer: Option<TelegramId>,
    ) -> Result<(Option<Order>, Option<Item>), StoreError> {
        let Some(buyer) = buyer else {
            return Ok((self.get_order(id).await?, None));
        };
        let key =
            |pk: String, sk: &str| Item::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))]);
        let items = self
            .batch_get(
                vec![
                    key(order_key(id), ORDER_SK),
                    key(keys::user(buyer), keys::PROFILE),
                ],
                Read::Consistent,
                None,
            )
            .await?;
        let order_pk = order_key(id);
        let order = items
            .iter()
            .find(|i| i.str("PK") == Some(order_pk.as_str()))
            .map(Order::from_item)
            .transpose()?;
        let user_pk = keys::user(buyer);
        let item = items
            .into_iter()
            .find(|i| i.str("PK") == Some(user_pk.as_str()))
            .unwrap_or_default();
        Ok((order, Some(item)))
    }

    /// Adds `delta` kopecks to a user's balance (admin corrections, tests).
    pub async fn add_balance(&self, user: TelegramId, delta: i64) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE))
            .update_expression("ADD balance :d")
            .expression_attribute_values(":d", n(delta))
            .return_values(ReturnValue::None)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }
}

/// The codes of every after-payment effect (`effects.rs` checks this list
/// against its own in a test): a historical payment is recorded with all of
/// them done, so no notice or panel update is ever sent for it.
pub const EFFECT_CODES: [&str; 7] = [
    "ref_reward",
    "reset_dev",
    "sync",
    "ref_sync",
    "notice",
    "ref_notice",
    "log",
];

/// What a refund found or did.
#[derive(Debug, Clone, PartialEq)]
pub enum Refund {
    /// Recorded now.
    Done {
        /// The order, now refunded.
        order: Order,
        /// The buyer's new subscription end, when days were taken back.
        buyer_end: Option<i64>,
        /// The inviter and their new end, when bonus days were taken back.
        inviter_end: Option<(TelegramId, i64)>,
        /// Rubles of a refunded top-up already spent (the balance went to
        /// zero instead of below).
        shortfall: Kopecks,
    },
    /// Refunded before: nothing changed.
    Already(Order),
    /// Not paid: nothing to take back.
    NotPaid(OrderStatus),
    /// No such order.
    Unknown,
}

/// What an inviter is owed for an invitee's payment, recorded on the order
/// by the crediting transaction and granted after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralDue {
    /// The inviter.
    pub inviter: TelegramId,
    /// Bonus days.
    pub days: u32,
    /// Bonus kopecks on the balance.
    pub money: u64,
    /// The invitee's first real payment: one more paying invitee.
    pub paying: bool,
}

/// A ledger row to write.
pub struct LedgerEntry {
    /// Whose ledger.
    pub user: TelegramId,
    /// `purchase`, `topup`, `refund`…
    pub kind: &'static str,
    /// Money moved.
    pub amount: Option<Money>,
    /// Days given or taken.
    pub days: Option<u32>,
    /// Devices or bytes of traffic given or taken (kinds `devices`, `traffic`).
    pub units: Option<u64>,
    /// The order.
    pub order: OrderId,
    /// The provider.
    pub provider: Option<Provider>,
}

/// One line of a user's transaction history.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// `purchase`, `topup`, `referral_bonus`, `refund`.
    pub kind: String,
    /// When, unix seconds.
    pub at: i64,
    /// Money moved, if any.
    pub amount: Option<Money>,
    /// Days given, if any.
    pub days: Option<u32>,
    /// Devices or bytes of traffic, if any.
    pub units: Option<u64>,
    /// Provider, if any.
    pub provider: Option<Provider>,
}

/// The new end of a subscription extended by `days` from `max(now, end)`.
pub fn extend(old_end: Option<i64>, now: i64, days: u32) -> i64 {
    old_end.unwrap_or(now).max(now) + i64::from(days) * 86_400
}

pub fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Dynamo(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_starts_from_now_or_the_current_end() {
        let now = 1_000_000;
        assert_eq!(extend(None, now, 30), now + 30 * 86_400);
        assert_eq!(extend(Some(now - 5), now, 1), now + 86_400);
        assert_eq!(extend(Some(now + 100), now, 1), now + 100 + 86_400);
    }

    #[test]
    fn purchases_and_statuses_round_trip() {
        for p in [
            Purchase::TopUp(Kopecks(500)),
            Purchase::Plan(Period::SixMonths),
        ] {
            assert_eq!(Purchase::parse(&p.code(), Kopecks(500)), Some(p));
        }
        for st in [
            OrderStatus::Pending,
            OrderStatus::Paid,
            OrderStatus::Canceled,
            OrderStatus::Refunded,
        ] {
            assert_eq!(OrderStatus::parse(st.code()), Some(st));
        }
        assert_eq!(
            crate::adapters::store::keys::day_of(1_767_225_600),
            "2026-01-01"
        );
    }
}
