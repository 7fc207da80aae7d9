//! Orders and crediting: the only code that moves money.
//!
//! An order is written before the user is sent to pay. Crediting is one
//! DynamoDB transaction: the order goes `pending → paid` under a condition,
//! the subscription or balance changes, a ledger entry is written, and the
//! inviter's bonus is granted. A second delivery of the same payment fails
//! the order's condition and changes nothing.

use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::attrs::{ItemExt, n, s};
use crate::adapters::store::campaigns::CampaignPayment;
use crate::adapters::store::keys::{expiry_pk, expiry_sk};
use crate::adapters::store::stats::{
    COUNTED, Counted, End, EndMove, count_items, counter, ends_items_all,
};
use crate::adapters::store::users::User;
use crate::adapters::store::{
    Item, Read, Store, StoreError, Transacted, keys, unless_condition_failed,
};
use crate::base::config::Config;
use crate::base::config::ReferralBonusMode;
use crate::base::money::Rate;
use crate::base::types::Provider;
use crate::base::types::{Kopecks, Period, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem, Update};
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
const CREDIT_ATTEMPTS: usize = 6;

/// What an order buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purchase {
    /// A subscription period.
    Plan(Period),
    /// These rubles on the in-bot balance, whatever the order is paid in.
    TopUp(Kopecks),
}

impl Purchase {
    /// Stable code stored on the order and in the payments index
    /// (`plan:3m`, `topup`; a top-up's rubles are an attribute of their own).
    pub fn code(self) -> String {
        match self {
            Purchase::Plan(p) => format!("plan:{}", p.code()),
            Purchase::TopUp(_) => "topup".into(),
        }
    }

    /// Inverse of [`Purchase::code`]; `topup` gives the top-up's `rubles`.
    fn parse(s: &str, rubles: Kopecks) -> Option<Purchase> {
        match s {
            "topup" => Some(Purchase::TopUp(rubles)),
            other => Period::from_code(other.strip_prefix("plan:")?).map(Purchase::Plan),
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
    pub(super) fn code(self) -> &'static str {
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
    /// by the jobs worker (`crate::domains::money::reward`), which then
    /// sets [`Order::referral`] and [`Order::referral_money`].
    pub referral_due: Option<ReferralDue>,
    /// The promo discount the price was lowered by; crediting uses it up.
    pub discount_code: Option<String>,
    /// Priced with a discount it no longer held when paid: credited as a
    /// top-up of the rubles paid instead of the plan.
    pub discount_lost: bool,
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
            effects_done: Vec::new(),
        }
    }

    fn from_item(item: &Item) -> Result<Order, StoreError> {
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
            effects_done: match item.get("fx") {
                Some(AttributeValue::Ss(done)) => done.clone(),
                _ => Vec::new(),
            },
        })
    }
}

/// The attributes every order item has, with `status`: what `from_item`
/// reads back (each writer adds its own: indexes, times, the credit).
fn order_item(order: &Order, status: OrderStatus) -> Item {
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
pub(super) const ORDER_SK: &str = "ORDER";

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
        match self.create_order(order).await {
            Ok(()) => Ok(true),
            Err(_) if self.get_order(&order.id).await?.is_some() => Ok(false),
            Err(e) => Err(e),
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
        provider: &str,
        key: &str,
        detail: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(format!("UNKNOWNPAY#{provider}#{key}")))
            .item("SK", s("UNKNOWNPAY"))
            .item("provider", s(provider))
            .item("provider_ref", s(key))
            .item("detail", s(detail))
            .item("at", n(now))
            .item("GSI1PK", s("UNKNOWNPAY"))
            .item("GSI1SK", s(format!("{now:011}#{provider}#{key}")))
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

    /// Credits a proven payment exactly once. The order and its buyer are
    /// read in one round trip when the order's id names the buyer
    /// ([`OrderId::for_buyer`]); older ids cost a second read.
    pub async fn credit(
        &self,
        config: &Config,
        payment: &Payment,
        now: i64,
    ) -> Result<CreditOutcome, StoreError> {
        let hint = payment.order.buyer().map(TelegramId);
        self.credit_for(config, payment, hint, now).await
    }

    /// Like [`Store::credit`], reading `buyer` with the order.
    pub async fn credit_for(
        &self,
        config: &Config,
        payment: &Payment,
        buyer: Option<TelegramId>,
        now: i64,
    ) -> Result<CreditOutcome, StoreError> {
        self.credit_inner(config, payment, buyer, None, now).await
    }

    /// Credits `payment` for `order`, writing the order in the crediting
    /// transaction when it does not exist yet (Tribute: the event is the
    /// order, `order.id` derived from it). One read round trip (the order
    /// and its buyer), one transaction; a re-delivery finds the order paid.
    pub async fn credit_or_create(
        &self,
        config: &Config,
        order: &Order,
        payment: &Payment,
        now: i64,
    ) -> Result<CreditOutcome, StoreError> {
        self.credit_inner(config, payment, Some(order.user), Some(order), now)
            .await
    }

    async fn credit_inner(
        &self,
        config: &Config,
        payment: &Payment,
        buyer: Option<TelegramId>,
        template: Option<&Order>,
        now: i64,
    ) -> Result<CreditOutcome, StoreError> {
        for _ in 0..CREDIT_ATTEMPTS {
            let (found, buyer_item) = self.order_and_buyer(&payment.order, buyer).await?;
            let create = found.is_none();
            let order = match (found, template) {
                (Some(order), _) => order,
                (None, Some(t)) if t.id == payment.order => t.clone(),
                (None, _) => return Ok(CreditOutcome::UnknownOrder),
            };
            match order.status {
                // The user paid: an order past its time is still honoured.
                OrderStatus::Pending | OrderStatus::Expired => {}
                OrderStatus::Paid | OrderStatus::Refunded if order.paid_by_another(payment) => {
                    return Ok(CreditOutcome::SecondPayment(order));
                }
                OrderStatus::Paid => return Ok(CreditOutcome::Duplicate(order)),
                OrderStatus::Canceled | OrderStatus::Refunded => {
                    return Ok(CreditOutcome::NotPayable(order));
                }
            }
            // A top-up of nothing is an old crypto top-up whose rubles were
            // never recorded: an admin decides what it was worth.
            if order.amount != payment.amount || order.purchase == Purchase::TopUp(Kopecks(0)) {
                return Ok(CreditOutcome::Mismatch {
                    order,
                    paid: payment.amount.clone(),
                });
            }
            let buyer_item = match buyer_item.filter(|_| buyer == Some(order.user)) {
                Some(item) => item,
                None => self
                    .profile_item(order.user, None)
                    .await?
                    .unwrap_or_default(),
            };
            match self
                .try_credit(config, &order, buyer_item, payment, create, now)
                .await?
            {
                Attempt::Done(outcome) => return Ok(*outcome),
                Attempt::Raced => continue,
            }
        }
        Err(StoreError::Dynamo(
            "crediting kept racing concurrent changes; will be retried".into(),
        ))
    }

    /// Reads an order (consistently) and, in the same `BatchGetItem` when
    /// `buyer` is given, that user's profile item (`Some`, empty when the
    /// user has none). The caller checks `buyer` is the order's buyer.
    async fn order_and_buyer(
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

    async fn try_credit(
        &self,
        config: &Config,
        order: &Order,
        buyer_item: Item,
        payment: &Payment,
        create: bool,
        now: i64,
    ) -> Result<Attempt, StoreError> {
        let old_end = buyer_item.i64("sub_end");
        let balance = Kopecks(buyer_item.u64("balance").unwrap_or_default());
        // What the balance pays: only ever rubles.
        let debit = match (order.provider, order.amount.as_rub()) {
            (Provider::Balance, Some(price)) => Some(price),
            (Provider::Balance, None) => {
                return Ok(Attempt::Done(Box::new(CreditOutcome::Mismatch {
                    order: order.clone(),
                    paid: payment.amount.clone(),
                })));
            }
            _ => None,
        };
        if debit.is_some_and(|price| balance < price) {
            return Ok(Attempt::Done(Box::new(CreditOutcome::InsufficientBalance(
                order.clone(),
            ))));
        }
        let referrer = buyer_item.i64("referrer").map(TelegramId);
        let first_purchase = !buyer_item.flag("ref_bonus_given");
        // Money that came from outside (not the balance) counts for the
        // inviter's "paying invitees" and the buyer's campaign.
        let real_payment = order.provider != Provider::Balance;
        let first_paid = real_payment && !buyer_item.contains_key("first_paid_at");
        let mut inviter_reward = InviterReward::default();
        // The buyer's item as the transaction leaves it, so the caller gets
        // the credited user without reading it back.
        let mut after = buyer_item.clone();
        after.insert("tg_id".into(), n(order.user));
        after.remove("refund_cap");

        let mut items = Vec::new();
        let mut ledger = Vec::new();
        let mut granted_days = None;
        // Users whose end moves, for the end buckets (one update per item).
        let mut end_moves: Vec<EndMove> = Vec::new();
        let mut buyer = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(order.user)))
            .key("SK", s(keys::PROFILE))
            .expression_attribute_values(":id", n(order.user));
        let mut set = vec!["tg_id = :id".to_owned()];
        let mut add = Vec::new();
        let mut conditions = Vec::new();
        let mut remove = vec!["refund_cap".to_owned()];
        if first_paid {
            set.push("first_paid_at = :now".into());
            buyer = buyer.expression_attribute_values(":now", n(now));
            conditions.push("attribute_not_exists(first_paid_at)".into());
        }
        // What the payment buys: the order's purchase, unless it was priced
        // with a discount this order does not hold (used by another order,
        // moved to a newer one, its hold run out): then the rubles paid go
        // to the balance, as any payment that does not cover the plan.
        let mut purchase = order.purchase;
        let mut discount_lost = false;
        if let Some(code) = &order.discount_code {
            if discount_held(&buyer_item, code, &order.id, now) {
                // The discount this order was priced with is used up by it.
                remove.push(
                    "discount_pct, discount_until, discount_code, discount_order, discount_hold"
                        .into(),
                );
                for a in [
                    "discount_pct",
                    "discount_until",
                    "discount_code",
                    "discount_order",
                    "discount_hold",
                ] {
                    after.remove(a);
                }
                conditions.push("discount_code = :dcode AND discount_order = :doid".into());
                buyer = buyer
                    .expression_attribute_values(":dcode", s(code))
                    .expression_attribute_values(":doid", s(&order.id.0));
            } else {
                match (order.provider, order.rubles()) {
                    (Provider::Balance, _) | (_, None) => {
                        return Ok(Attempt::Done(Box::new(CreditOutcome::DiscountUsed(
                            order.clone(),
                        ))));
                    }
                    (_, Some(rubles)) => {
                        purchase = Purchase::TopUp(rubles);
                        discount_lost = true;
                    }
                }
            }
        }
        // From here on the order is what the payment is credited as.
        let credited;
        let order = if discount_lost {
            credited = Order {
                purchase,
                discount_lost,
                ..order.clone()
            };
            &credited
        } else {
            order
        };

        if let Some(price) = debit {
            add.push("balance :debit".to_owned());
            buyer = buyer
                .expression_attribute_values(":debit", AttributeValue::N(format!("-{}", price.0)))
                .expression_attribute_values(":price", n(price.0));
            conditions.push("balance >= :price".to_owned());
        }
        match purchase {
            Purchase::Plan(period) => {
                let plan = config.plan(period);
                let bonus_applies = referrer.is_some()
                    && (first_purchase || !config.referral_one_bonus_per_referee);
                let extra = if bonus_applies {
                    plan.referee_bonus_days
                } else {
                    0
                };
                let new_end = extend(old_end, now, period.days() + extra);
                after.insert("sub_end".into(), n(new_end));
                granted_days = Some(period.days() + extra);
                set.push("sub_end = :end".into());
                set.push("GSI2PK = :exp".into());
                set.push("GSI2SK = :expsk".into());
                let counted = Counted::of(&buyer_item);
                set.push(Counted::SET.into());
                after.insert(COUNTED.into(), n(1));
                conditions.push(counted.condition().into());
                buyer = buyer
                    .expression_attribute_values(Counted::VALUE, n(1))
                    .expression_attribute_values(":end", n(new_end))
                    .expression_attribute_values(":exp", s(expiry_pk(new_end)))
                    .expression_attribute_values(":expsk", s(expiry_sk(order.user, new_end)));
                conditions.push(match old_end {
                    Some(old) => {
                        buyer = buyer.expression_attribute_values(":oldend", n(old));
                        "sub_end = :oldend".to_owned()
                    }
                    None => "attribute_not_exists(sub_end)".to_owned(),
                });
                end_moves.push((
                    order.user.to_string(),
                    counted.old,
                    End::moved(&buyer_item, new_end),
                ));
                if bonus_applies {
                    match config.growth.referral_bonus_mode {
                        ReferralBonusMode::Days => inviter_reward.days = plan.referral_bonus_days,
                        ReferralBonusMode::Balance => {
                            inviter_reward.money =
                                config.growth.referral_money(period).map_or(0, |k| k.0)
                        }
                    }
                }
                if bonus_applies {
                    set.push("ref_bonus_given = :true".into());
                    buyer = buyer.expression_attribute_values(":true", AttributeValue::Bool(true));
                }
                ledger.push(LedgerEntry {
                    user: order.user,
                    kind: "purchase",
                    amount: Some(order.amount.clone()),
                    days: Some(period.days() + extra),
                    order: order.id.clone(),
                    provider: Some(order.provider),
                });
            }
            Purchase::TopUp(rubles) => {
                // The rubles asked for, whatever unit paid them.
                add.push("balance :credit".into());
                buyer = buyer.expression_attribute_values(":credit", n(rubles.0));
                ledger.push(LedgerEntry {
                    user: order.user,
                    kind: "topup",
                    amount: Some(Money::rub(rubles)),
                    days: None,
                    order: order.id.clone(),
                    provider: Some(order.provider),
                });
            }
        }
        inviter_reward.paying = first_paid;
        // The inviter's side is not read nor written here: it is recorded on
        // the order and granted by the jobs worker, exactly once
        // (`crate::domains::money::reward`), so a payment webhook costs one
        // read whoever the buyer is.
        let referral_due = referrer
            .filter(|_| !inviter_reward.is_empty())
            .map(|inviter| ReferralDue {
                inviter,
                days: inviter_reward.days,
                money: inviter_reward.money,
                paying: inviter_reward.paying,
            });
        if real_payment && let Some(param) = buyer_item.str("campaign") {
            let pay = CampaignPayment {
                first: first_paid,
                rub: order.rubles().map_or(0, |k| k.0),
                stars: order.amount.as_stars().map_or(0, |s| u64::from(s.0)),
            };
            items.push(self.campaign_payment_item(param, pay)?);
        }
        // Admin stats counters, in the crediting transaction: exactly once.
        let mut stats = Vec::new();
        if order.provider != Provider::Balance {
            let name = counter::revenue(order.provider.code(), order.amount.currency());
            stats.push((name, order.amount.minor() as i64));
        }
        if matches!(order.purchase, Purchase::Plan(_)) {
            add.push("plans_paid :onep".into());
            buyer = buyer.expression_attribute_values(":onep", n(1));
            stats.push((counter::PLANS.to_owned(), 1));
            if buyer_item.u64("plans_paid").unwrap_or(0) == 0 {
                stats.push((counter::FIRST_PLANS.to_owned(), 1));
            }
        }
        if !stats.is_empty() {
            items.extend(count_items(&self.table, now, &order.id.0, &stats)?);
        }
        items.extend(ends_items_all(&self.table, &end_moves)?);
        // The admin's payments list (a day's partition), with the credit.
        items.push(crate::adapters::store::payments::index_item(
            &self.table,
            &order.id.0,
            order.user,
            order.provider.code(),
            &order.purchase.code(),
            order.amount.minor(),
            order.amount.currency(),
            now,
        )?);
        let mut expr = format!("SET {}", set.join(", "));
        if !add.is_empty() {
            expr.push_str(&format!(" ADD {}", add.join(", ")));
        }
        // A payment lifts the cap a refund put on reconciliation.
        expr.push_str(&format!(" REMOVE {}", remove.join(", ")));
        if !conditions.is_empty() {
            buyer = buyer.condition_expression(conditions.join(" AND "));
        }
        items.push(
            TransactWriteItem::builder()
                .update(buyer.update_expression(expr).build().map_err(build_err)?)
                .build(),
        );
        for entry in &ledger {
            items.push(self.ledger_item(entry, now)?);
        }
        items.insert(
            0,
            if create {
                self.new_paid_order_item(order, payment, granted_days, referral_due, now)?
            } else {
                self.pay_order_item(order, payment, granted_days, referral_due, now)?
            },
        );

        if let Transacted::Canceled(reasons) = self.transact(items).await? {
            tracing::info!(order = %order.id, ?reasons, "credit transaction canceled; re-reading");
            // Whatever failed (the order was paid meanwhile, the balance
            // or an end date changed), the next attempt re-reads and decides.
            return Ok(Attempt::Raced);
        }
        let mut paid = order.clone();
        paid.status = OrderStatus::Paid;
        paid.provider_ref = Some(payment.provider_ref.clone());
        paid.granted_days = granted_days;
        paid.referral_due = referral_due;
        let mut balance_after = balance.saturating_sub(debit.unwrap_or_default());
        if let Purchase::TopUp(rubles) = order.purchase {
            balance_after += rubles;
        }
        after.insert("balance".into(), n(balance_after.0));
        let user = User::from_item(&after)?;
        Ok(Attempt::Done(Box::new(CreditOutcome::Credited(Box::new(
            Credit { order: paid, user },
        )))))
    }

    /// The order's `pending → paid` step: the condition that makes crediting
    /// exactly-once. It also records what the credit granted (for refunds);
    /// the after-payment effects are run later by the jobs worker, which
    /// takes their lease (`crate::domains::money::effects`).
    fn pay_order_item(
        &self,
        order: &Order,
        payment: &Payment,
        granted_days: Option<u32>,
        referral_due: Option<ReferralDue>,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut set = vec!["#st = :paid", "paid_at = :now", "provider_ref = :ref"];
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(order_key(&order.id)))
            .key("SK", s(ORDER_SK))
            .condition_expression("#st IN (:pending, :expired)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":paid", s(OrderStatus::Paid.code()))
            .expression_attribute_values(":pending", s(OrderStatus::Pending.code()))
            .expression_attribute_values(":expired", s(OrderStatus::Expired.code()))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":ref", s(&payment.provider_ref));
        if let Some(days) = granted_days {
            set.push("days = :days");
            update = update.expression_attribute_values(":days", n(days));
        }
        if let (true, Purchase::TopUp(rubles)) = (order.discount_lost, order.purchase) {
            set.push("buys = :buys, topup = :topup, discount_lost = :lost");
            update = update
                .expression_attribute_values(":buys", s(order.purchase.code()))
                .expression_attribute_values(":topup", n(rubles.0))
                .expression_attribute_values(":lost", AttributeValue::Bool(true));
        }
        if let Some(due) = referral_due {
            set.push(
                "rd_inviter = :rdinv, rd_days = :rddays, rd_money = :rdmoney, rd_paying = :rdpay",
            );
            update = update
                .expression_attribute_values(":rdinv", n(due.inviter))
                .expression_attribute_values(":rddays", n(due.days))
                .expression_attribute_values(":rdmoney", n(due.money))
                .expression_attribute_values(":rdpay", AttributeValue::Bool(due.paying));
        }
        let update = update
            .update_expression(format!(
                "SET {} REMOVE #ttl, GSI2PK, GSI2SK",
                set.join(", ")
            ))
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The order of [`Store::credit_or_create`], written paid by the
    /// crediting transaction, on condition that it does not exist: two
    /// deliveries racing cannot both write it.
    fn new_paid_order_item(
        &self,
        order: &Order,
        payment: &Payment,
        granted_days: Option<u32>,
        referral_due: Option<ReferralDue>,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(order_item(order, OrderStatus::Paid)))
            .item("paid_at", n(now))
            .item("provider_ref", s(&payment.provider_ref))
            .item("GSI1PK", s(format!("ORDERS#{}", order.user)))
            .item("GSI1SK", s(format!("{}#{}", order.created_at, order.id)))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(days) = granted_days {
            put = put.item("days", n(days));
        }
        if let Some(due) = referral_due {
            put = put
                .item("rd_inviter", n(due.inviter))
                .item("rd_days", n(due.days))
                .item("rd_money", n(due.money))
                .item("rd_paying", AttributeValue::Bool(due.paying));
        }
        if let Some(code) = &order.discount_code {
            put = put.item("discount_code", s(code));
        }
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(build_err)?)
            .build())
    }

    /// The inviter's side of a credit: bonus days (conditional on their
    /// current end), bonus money on the balance, and the counters of the
    /// referral screen, in one update.
    pub(super) fn inviter_item(
        &self,
        inviter: TelegramId,
        item: &Item,
        reward: &ReferralDue,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut set = Vec::new();
        let mut add = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(inviter)))
            .key("SK", s(keys::PROFILE));
        let mut condition = "attribute_exists(created_at)".to_owned();
        if reward.days > 0 {
            let old_end = item.i64("sub_end");
            let new_end = extend(old_end, now, reward.days);
            set.push("sub_end = :end, GSI2PK = :exp, GSI2SK = :expsk");
            set.push(Counted::SET);
            condition.push_str(" AND ");
            condition.push_str(Counted::of(item).condition());
            add.push("ref_days_earned :rdays");
            update = update
                .expression_attribute_values(Counted::VALUE, n(1))
                .expression_attribute_values(":end", n(new_end))
                .expression_attribute_values(":exp", s(expiry_pk(new_end)))
                .expression_attribute_values(":expsk", s(expiry_sk(inviter, new_end)))
                .expression_attribute_values(":rdays", n(reward.days));
            match old_end {
                Some(old) => {
                    condition.push_str(" AND sub_end = :oldend");
                    update = update.expression_attribute_values(":oldend", n(old));
                }
                None => condition.push_str(" AND attribute_not_exists(sub_end)"),
            }
        }
        if reward.money > 0 {
            add.push("balance :rmoney, ref_money_earned :rmoney");
            update = update.expression_attribute_values(":rmoney", n(reward.money));
        }
        if reward.paying {
            add.push("ref_paying :one");
            update = update.expression_attribute_values(":one", n(1));
        }
        let mut expr = String::new();
        if !set.is_empty() {
            expr.push_str(&format!("SET {}", set.join(", ")));
        }
        if !add.is_empty() {
            expr.push_str(&format!(" ADD {}", add.join(", ")));
        }
        Ok(TransactWriteItem::builder()
            .update(
                update
                    .update_expression(expr.trim())
                    .condition_expression(condition)
                    .build()
                    .map_err(build_err)?,
            )
            .build())
    }

    pub(super) fn ledger_item(
        &self,
        entry: &LedgerEntry,
        now: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .item("PK", s(keys::user(entry.user)))
            .item(
                "SK",
                s(format!("LEDGER#{now:011}#{}#{}", entry.order, entry.kind)),
            )
            .item("kind", s(entry.kind))
            .item("order_id", s(&entry.order.0))
            .item("at", n(now))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(m) = &entry.amount {
            put = put
                .item("amount", n(m.minor()))
                .item("currency", s(m.currency()));
        }
        if let Some(d) = entry.days {
            put = put.item("days", n(d));
        }
        if let Some(p) = entry.provider {
            put = put.item("provider", s(p.code()));
        }
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(build_err)?)
            .build())
    }

    /// A page of a user's ledger, newest first; `after` is the previous page's cursor.
    pub async fn ledger_page(
        &self,
        user: TelegramId,
        after: Option<&str>,
        size: i32,
    ) -> Result<(Vec<LedgerRow>, Option<String>), StoreError> {
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :ledger)")
            .expression_attribute_values(":pk", s(keys::user(user)))
            .expression_attribute_values(":ledger", s("LEDGER#"))
            .scan_index_forward(false)
            .limit(size);
        if let Some(sk) = after {
            req = req
                .exclusive_start_key("PK", s(keys::user(user)))
                .exclusive_start_key("SK", s(format!("LEDGER#{sk}")));
        }
        let out = req.send().boxed().await.map_err(StoreError::from_sdk)?;
        let rows = out
            .items()
            .iter()
            .map(|i| LedgerRow {
                kind: i.str("kind").unwrap_or_default().to_owned(),
                at: i.i64("at").unwrap_or_default(),
                amount: i
                    .u64("amount")
                    .and_then(|minor| Money::from_minor(minor, i.str("currency").unwrap_or("RUB"))),
                days: i.u64("days").map(|d| d as u32),
                provider: i.str("provider").and_then(Provider::from_code),
            })
            .collect();
        let next = out
            .last_evaluated_key()
            .and_then(|k| k.get("SK"))
            .and_then(|v| v.as_s().ok())
            .and_then(|sk| sk.strip_prefix("LEDGER#"))
            .map(str::to_owned);
        Ok((rows, next))
    }

    /// Refunds a paid order, atomically: the order `paid → refunded`, the
    /// buyer's days it granted taken back (never below now), the inviter's
    /// bonus days too, a top-up's money taken off the balance (never below
    /// zero: what was already spent is recorded as a shortfall), and the
    /// ledger. A refunded end also caps what reconciliation may pull from
    /// the panel, until the next payment.
    pub async fn refund_order(&self, id: &OrderId, now: i64) -> Result<Refund, StoreError> {
        for _ in 0..CREDIT_ATTEMPTS {
            let Some(order) = self.get_order(id).await? else {
                return Ok(Refund::Unknown);
            };
            match order.status {
                OrderStatus::Paid => {}
                OrderStatus::Refunded => return Ok(Refund::Already(order)),
                other => return Ok(Refund::NotPaid(other)),
            }
            if let Some(done) = self.try_refund(&order, now).await? {
                return Ok(done);
            }
        }
        Err(StoreError::Dynamo(
            "refund kept racing concurrent changes; will be retried".into(),
        ))
    }

    async fn try_refund(&self, order: &Order, now: i64) -> Result<Option<Refund>, StoreError> {
        let mut items = vec![
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(&self.table)
                        .key("PK", s(order_key(&order.id)))
                        .key("SK", s(ORDER_SK))
                        .update_expression("SET #st = :refunded, refunded_at = :now")
                        // A reward granted after this read must be taken
                        // back too: then this fails and the refund re-reads.
                        .condition_expression(if order.referral.is_some() {
                            "#st = :paid"
                        } else {
                            "#st = :paid AND attribute_not_exists(ref_inviter)"
                        })
                        .expression_attribute_names("#st", "status")
                        .expression_attribute_values(":refunded", s(OrderStatus::Refunded.code()))
                        .expression_attribute_values(":paid", s(OrderStatus::Paid.code()))
                        .expression_attribute_values(":now", n(now))
                        .build()
                        .map_err(build_err)?,
                )
                .build(),
        ];
        // The ledger's refund row says what left the user's account here:
        // a top-up's rubles, or what the order was paid.
        let mut ledger = vec![LedgerEntry {
            user: order.user,
            kind: "refund",
            amount: Some(match order.purchase {
                Purchase::TopUp(rubles) => Money::rub(rubles),
                Purchase::Plan(_) => order.amount.clone(),
            }),
            days: None,
            order: order.id.clone(),
            provider: Some(order.provider),
        }];
        let buyer = self
            .profile_item(order.user, None)
            .await?
            .unwrap_or_default();
        let mut end_moves: Vec<EndMove> = Vec::new();
        let mut shortfall = Kopecks(0);
        let mut buyer_end = None;
        match order.purchase {
            Purchase::Plan(period) => {
                let days = order.granted_days.unwrap_or(period.days());
                // A plan bought from the balance gives the balance back.
                let give_back = match order.provider {
                    Provider::Balance => order.amount.as_rub(),
                    _ => None,
                };
                let old_end = buyer.i64("sub_end");
                let new_end = old_end.map(|old| (old - i64::from(days) * 86_400).max(now));
                let counted = Counted::of(&buyer);
                if old_end.is_some() || give_back.is_some() {
                    items.push(self.take_back_item(
                        order.user,
                        old_end.zip(new_end),
                        counted,
                        give_back,
                    )?);
                }
                if let Some(new_end) = new_end {
                    end_moves.push((
                        order.user.to_string(),
                        counted.old,
                        End::moved(&buyer, new_end),
                    ));
                    buyer_end = Some(new_end);
                }
            }
            Purchase::TopUp(rubles) => {
                let balance = Kopecks(buyer.u64("balance").unwrap_or_default());
                let take = balance.min(rubles);
                shortfall = rubles.saturating_sub(take);
                if buyer.contains_key("balance") {
                    let update = Update::builder()
                        .table_name(&self.table)
                        .key("PK", s(keys::user(order.user)))
                        .key("SK", s(keys::PROFILE))
                        .update_expression("SET balance = :new")
                        .condition_expression("balance = :old")
                        .expression_attribute_values(":new", n(balance.saturating_sub(take).0))
                        .expression_attribute_values(":old", n(balance.0))
                        .build()
                        .map_err(build_err)?;
                    items.push(TransactWriteItem::builder().update(update).build());
                }
                if shortfall > Kopecks(0) {
                    ledger.push(LedgerEntry {
                        user: order.user,
                        kind: "refund_shortfall",
                        amount: Some(Money::rub(shortfall)),
                        days: None,
                        order: order.id.clone(),
                        provider: Some(order.provider),
                    });
                }
            }
        }
        let mut inviter_end = None;
        if let Some((inviter, days)) = order.referral
            && let Some(item) = self.profile_item(inviter, None).await?
        {
            let old_end = item.i64("sub_end").filter(|_| days > 0);
            let money = order.referral_money.unwrap_or_default();
            let balance = item.u64("balance").unwrap_or_default();
            // Never below zero: bonus money already spent stays spent.
            let take = balance.min(money);
            if old_end.is_some() || take > 0 {
                let mut update = Update::builder()
                    .table_name(&self.table)
                    .key("PK", s(keys::user(inviter)))
                    .key("SK", s(keys::PROFILE));
                let mut set = Vec::new();
                let mut add = Vec::new();
                let mut cond = Vec::new();
                if let Some(old_end) = old_end {
                    let new_end = (old_end - i64::from(days) * 86_400).max(now);
                    let counted = Counted::of(&item);
                    set.push("sub_end = :end, refund_cap = :end, GSI2PK = :exp, GSI2SK = :expsk");
                    set.push(Counted::SET);
                    add.push("ref_days_earned :mdays");
                    cond.push("sub_end = :old");
                    cond.push(counted.condition());
                    update = update
                        .expression_attribute_values(Counted::VALUE, n(1))
                        .expression_attribute_values(":end", n(new_end))
                        .expression_attribute_values(":old", n(old_end))
                        .expression_attribute_values(":exp", s(expiry_pk(new_end)))
                        .expression_attribute_values(":expsk", s(expiry_sk(inviter, new_end)))
                        .expression_attribute_values(":mdays", n(-i64::from(days)));
                    inviter_end = Some((inviter, new_end));
                    end_moves.push((inviter.to_string(), counted.old, End::moved(&item, new_end)));
                }
                if take > 0 {
                    set.push("balance = :newbal");
                    add.push("ref_money_earned :mmoney");
                    cond.push("balance = :oldbal");
                    update = update
                        .expression_attribute_values(":newbal", n(balance - take))
                        .expression_attribute_values(":oldbal", n(balance))
                        .expression_attribute_values(":mmoney", n(-(take as i64)));
                }
                let expr = format!("SET {} ADD {}", set.join(", "), add.join(", "));
                items.push(
                    TransactWriteItem::builder()
                        .update(
                            update
                                .update_expression(expr)
                                .condition_expression(cond.join(" AND "))
                                .build()
                                .map_err(build_err)?,
                        )
                        .build(),
                );
                ledger.push(LedgerEntry {
                    user: inviter,
                    kind: "referral_bonus_revoked",
                    amount: (take > 0).then(|| Money::rub(Kopecks(take))),
                    days: old_end.map(|_| days),
                    order: order.id.clone(),
                    provider: None,
                });
            }
        }
        items.extend(ends_items_all(&self.table, &end_moves)?);
        for entry in &ledger {
            items.push(self.ledger_item(entry, now)?);
        }
        if !self.try_transact(items).await? {
            tracing::info!(order = %order.id, "refund transaction canceled; re-reading");
            return Ok(None);
        }
        let mut refunded = order.clone();
        refunded.status = OrderStatus::Refunded;
        Ok(Some(Refund::Done {
            order: refunded,
            buyer_end,
            inviter_end,
            shortfall,
        }))
    }

    /// The buyer's side of a plan's refund: the end moved from `ends.0`
    /// back to `ends.1` (on condition it is still `ends.0`), and the price
    /// of a plan bought from the balance given back to it.
    fn take_back_item(
        &self,
        user: TelegramId,
        ends: Option<(i64, i64)>,
        counted: Counted,
        give_back: Option<Kopecks>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE));
        let mut expr = String::new();
        if let Some((old_end, new_end)) = ends {
            expr = format!(
                "SET sub_end = :end, refund_cap = :end, GSI2PK = :exp, GSI2SK = :expsk, {}",
                Counted::SET
            );
            update = update
                .condition_expression(format!("sub_end = :old AND {}", counted.condition()))
                .expression_attribute_values(Counted::VALUE, n(1))
                .expression_attribute_values(":end", n(new_end))
                .expression_attribute_values(":old", n(old_end))
                .expression_attribute_values(":exp", s(expiry_pk(new_end)))
                .expression_attribute_values(":expsk", s(expiry_sk(user, new_end)));
        }
        if let Some(back) = give_back {
            expr.push_str(" ADD balance :back");
            update = update.expression_attribute_values(":back", n(back.0));
        }
        let update = update
            .update_expression(expr.trim())
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().update(update).build())
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
pub const EFFECT_CODES: [&str; 6] = [
    "ref_reward",
    "sync",
    "ref_sync",
    "notice",
    "ref_notice",
    "log",
];

/// A payment made before this bot existed (in the bot the operator moved
/// from), recorded by the importer as a paid order and its ledger row.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricalPayment {
    /// The order, status `paid`, `refunded` or `pending` (started in the
    /// old bot, not paid yet); its id is derived from the source row so a
    /// re-run finds it.
    pub order: Order,
    /// When it was paid, unix seconds.
    pub paid_at: i64,
    /// Where it came from (`remnawave-tg-shop:payment:<id>`).
    pub source: String,
    /// The order id the old bot gave the provider, when a late
    /// notification names that rather than a payment id of the provider's
    /// (FreeKassa's `MERCHANT_ORDER_ID`, the Python bot's payment id).
    pub merchant_order: Option<String>,
}

/// A line of history from the old bot that is not a payment (a balance
/// movement), recorded by the importer.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricalEntry {
    /// Whose history.
    pub user: TelegramId,
    /// A stable id of the source row (`tx42`): with `at` and `kind` the key.
    pub source_id: String,
    /// Ledger kind (`balance_in`, `balance_out`, `purchase`, `refund`).
    pub kind: String,
    /// When, unix seconds.
    pub at: i64,
    /// Money moved.
    pub amount: Option<Money>,
}

impl Store {
    /// The writes that record a historical payment: the order (with what it
    /// granted, its provider and provider id, every after-payment effect
    /// marked done so nothing is re-sent) and its ledger row, each
    /// conditioned on its key being new. They move no balance and no
    /// subscription end: the importer carries those over as the old bot's
    /// final values. The importer commits them in the user's import
    /// transaction (`Store::import_user`).
    pub fn historical_payment_writes(
        &self,
        p: &HistoricalPayment,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let o = &p.order;
        // What every imported order has, pending or paid.
        let mut order = Put::builder()
            .table_name(&self.table)
            .set_item(Some(order_item(o, o.status)))
            .item("imported", s(&p.source))
            .item("GSI1PK", s(format!("ORDERS#{}", o.user)))
            .item("GSI1SK", s(format!("{}#{}", o.created_at, o.id)))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(r) = &o.provider_ref {
            order = order.item("provider_ref", s(r));
        }
        if o.status == OrderStatus::Pending {
            // Started in the old bot, not paid yet: a pending order like
            // ours (its provider's late notification credits it), no history.
            let order = order
                .item("GSI2PK", s(keys::pending_pk(o.created_at)))
                .item("GSI2SK", s(format!("{}#{}", o.created_at, o.id)));
            return Ok(vec![
                TransactWriteItem::builder()
                    .put(order.build().map_err(build_err)?)
                    .build(),
            ]);
        }
        order = order.item("paid_at", n(p.paid_at)).item(
            "fx",
            AttributeValue::Ss(EFFECT_CODES.iter().map(|c| (*c).to_owned()).collect()),
        );
        if let Some(d) = o.granted_days {
            order = order.item("days", n(d));
        }
        let kind = match o.purchase {
            Purchase::Plan(_) => "purchase",
            Purchase::TopUp(_) => "topup",
        };
        let entry = LedgerEntry {
            user: o.user,
            kind,
            amount: Some(o.amount.clone()),
            days: o.granted_days,
            order: o.id.clone(),
            provider: Some(o.provider),
        };
        Ok(vec![
            TransactWriteItem::builder()
                .put(order.build().map_err(build_err)?)
                .build(),
            self.ledger_item(&entry, p.paid_at)?,
        ])
    }

    /// The write that records a historical ledger line, conditioned on its
    /// key (derived from the source row) being new.
    pub fn historical_entry_write(
        &self,
        e: &HistoricalEntry,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .item("PK", s(keys::user(e.user)))
            .item(
                "SK",
                s(format!("LEDGER#{:011}#{}#{}", e.at, e.source_id, e.kind)),
            )
            .item("kind", s(&e.kind))
            .item("order_id", s(&e.source_id))
            .item("at", n(e.at))
            .condition_expression("attribute_not_exists(PK)");
        if let Some(m) = &e.amount {
            put = put
                .item("amount", n(m.minor()))
                .item("currency", s(m.currency()));
        }
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(build_err)?)
            .build())
    }
}

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

/// What the inviter gets from one credited order, while it is worked out.
#[derive(Debug, Default)]
struct InviterReward {
    /// Bonus days.
    days: u32,
    /// Bonus kopecks on the balance.
    money: u64,
    /// The invitee's first payment: one more paying invitee.
    paying: bool,
}

impl InviterReward {
    fn is_empty(&self) -> bool {
        self.days == 0 && self.money == 0 && !self.paying
    }
}

enum Attempt {
    Done(Box<CreditOutcome>),
    Raced,
}

pub(super) struct LedgerEntry {
    pub(super) user: TelegramId,
    pub(super) kind: &'static str,
    pub(super) amount: Option<Money>,
    pub(super) days: Option<u32>,
    pub(super) order: OrderId,
    pub(super) provider: Option<Provider>,
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
    /// Provider, if any.
    pub provider: Option<Provider>,
}

/// Whether the buyer (as `item`) still holds the discount `code` and it is
/// reserved for `order` at `now`.
fn discount_held(item: &Item, code: &str, order: &OrderId, now: i64) -> bool {
    item.str("discount_code") == Some(code)
        && item.str("discount_order") == Some(order.0.as_str())
        && item.i64("discount_hold").is_some_and(|until| until >= now)
}

/// The new end of a subscription extended by `days` from `max(now, end)`.
pub fn extend(old_end: Option<i64>, now: i64, days: u32) -> i64 {
    old_end.unwrap_or(now).max(now) + i64::from(days) * 86_400
}

pub(super) fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
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
