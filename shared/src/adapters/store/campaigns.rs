//! Ad campaigns: one item per start parameter holding the admin's
//! registration (name, cost, on/off) and the counters events add to it.
//! Counters exist for a parameter as soon as someone starts the bot with
//! it, registered or not.

use super::attrs::{ItemExt, n, s};
use super::{Item, Store, StoreError, keys, unless_condition_failed};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use futures::FutureExt;

/// GSI1 partition of every campaign (the admin list, by parameter).
pub const CAMPAIGNS_GSI: &str = "CAMPAIGNS";

/// A campaign with its counters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Campaign {
    /// The start parameter (`t.me/<bot>?start=<param>`).
    pub param: String,
    /// The admin's name for it; `None` while not registered.
    pub name: Option<String>,
    /// What it cost, kopecks.
    pub cost: u64,
    /// Counting and attributing (deactivated: new starts are ignored).
    pub active: bool,
    /// `/start` presses with the parameter.
    pub starts: u64,
    /// New users attributed to it (first touch).
    pub users: u64,
    /// Of those, who took the free trial.
    pub trials: u64,
    /// Of those, who paid at least once.
    pub payers: u64,
    /// What they paid in rubles, kopecks (balance purchases excluded: the
    /// top-up was counted).
    pub revenue: u64,
    /// What they paid in Telegram Stars.
    pub revenue_stars: u64,
}

impl Campaign {
    fn from_item(item: &Item) -> Campaign {
        Campaign {
            param: item
                .str("param")
                .map(str::to_owned)
                .or_else(|| {
                    item.str("PK")
                        .and_then(|p| p.strip_prefix("CAMPAIGN#"))
                        .map(str::to_owned)
                })
                .unwrap_or_default(),
            name: item.str("name").map(str::to_owned),
            cost: item.u64("cost").unwrap_or_default(),
            active: !matches!(item.get("active"), Some(AttributeValue::Bool(false))),
            starts: item.u64("starts").unwrap_or_default(),
            users: item.u64("users").unwrap_or_default(),
            trials: item.u64("trials").unwrap_or_default(),
            payers: item.u64("payers").unwrap_or_default(),
            revenue: item.u64("revenue").unwrap_or_default(),
            revenue_stars: item.u64("revenue_stars").unwrap_or_default(),
        }
    }

    /// Ruble revenue minus cost, kopecks (negative while it has not paid off).
    pub fn profit(&self) -> i64 {
        self.revenue as i64 - self.cost as i64
    }
}

/// What a payment adds to its buyer's campaign, inside the crediting transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CampaignPayment {
    /// The buyer's first payment.
    pub first: bool,
    /// Kopecks paid (0 for other currencies).
    pub rub: u64,
    /// Stars paid.
    pub stars: u64,
}

impl Store {
    /// Counts a `/start` with `param`; false (and nothing counted) when an
    /// admin deactivated the campaign.
    pub async fn count_campaign_start(&self, param: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::campaign(param)))
            .key("SK", s(keys::SUMMARY))
            .update_expression("ADD starts :one SET param = :p, GSI1PK = :g, GSI1SK = :p")
            .condition_expression("attribute_not_exists(active) OR active = :on")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":p", s(param))
            .expression_attribute_values(":g", s(CAMPAIGNS_GSI))
            .expression_attribute_values(":on", AttributeValue::Bool(true))
            .send()
            .boxed()
            .await;
        Ok(unless_condition_failed(result)?.is_some())
    }

    /// A transaction's update adding one to a campaign counter (`users`,
    /// `trials`): counted with the event it counts, never apart.
    pub fn campaign_count_item(
        &self,
        param: &str,
        counter: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::campaign(param)))
            .key("SK", s(keys::SUMMARY))
            .update_expression("ADD #c :one SET param = :p, GSI1PK = :g, GSI1SK = :p")
            .expression_attribute_names("#c", counter)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":p", s(param))
            .expression_attribute_values(":g", s(CAMPAIGNS_GSI))
            .build()
            .map_err(|e| StoreError::Dynamo(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(upd).build())
    }

    /// A registration transaction's update of its campaign: the start and
    /// the user counted, only while the campaign is active (the condition
    /// cancels the transaction otherwise).
    pub fn campaign_registration_item(&self, param: &str) -> Result<TransactWriteItem, StoreError> {
        let upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::campaign(param)))
            .key("SK", s(keys::SUMMARY))
            .update_expression("ADD starts :one, #u :one SET param = :p, GSI1PK = :g, GSI1SK = :p")
            .condition_expression("attribute_not_exists(active) OR active = :on")
            .expression_attribute_names("#u", "users")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":p", s(param))
            .expression_attribute_values(":g", s(CAMPAIGNS_GSI))
            .expression_attribute_values(":on", AttributeValue::Bool(true))
            .build()
            .map_err(|e| StoreError::Dynamo(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(upd).build())
    }

    /// The crediting transaction's update of the buyer's campaign counters.
    pub fn campaign_payment_item(
        &self,
        param: &str,
        pay: CampaignPayment,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::campaign(param)))
            .key("SK", s(keys::SUMMARY))
            .update_expression(
                "ADD payers :first, revenue :rub, revenue_stars :stars SET param = :p, GSI1PK = :g, GSI1SK = :p",
            )
            .expression_attribute_values(":first", n(u64::from(pay.first)))
            .expression_attribute_values(":rub", n(pay.rub))
            .expression_attribute_values(":stars", n(pay.stars))
            .expression_attribute_values(":p", s(param))
            .expression_attribute_values(":g", s(CAMPAIGNS_GSI))
            .build()
            .map_err(|e| StoreError::Dynamo(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Registers a campaign (its counters so far are kept); false when it
    /// is registered already.
    pub async fn register_campaign(
        &self,
        param: &str,
        name: &str,
        cost: u64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::campaign(param)))
            .key("SK", s(keys::SUMMARY))
            .update_expression(
                "SET param = :p, #name = :name, cost = :cost, active = :on, registered_at = :now, GSI1PK = :g, GSI1SK = :p",
            )
            .condition_expression("attribute_not_exists(registered_at)")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":p", s(param))
            .expression_attribute_values(":name", s(name))
            .expression_attribute_values(":cost", n(cost))
            .expression_attribute_values(":on", AttributeValue::Bool(true))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":g", s(CAMPAIGNS_GSI))
            .send()
            .boxed()
            .await;
        Ok(unless_condition_failed(result)?.is_some())
    }

    /// Reads a campaign.
    pub async fn get_campaign(&self, param: &str) -> Result<Option<Campaign>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::campaign(param)))
            .key("SK", s(keys::SUMMARY))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.as_ref().map(Campaign::from_item))
    }

    /// A page of campaigns by parameter (GSI1 `CAMPAIGNS`).
    pub async fn campaign_page(
        &self,
        after: Option<&str>,
        size: i32,
    ) -> Result<(Vec<Campaign>, Option<String>), StoreError> {
        let (items, next) = self
            .gsi1_page(CAMPAIGNS_GSI, after, size, |p| {
                (keys::campaign(p), keys::SUMMARY.to_owned())
            })
            .await?;
        Ok((items.iter().map(Campaign::from_item).collect(), next))
    }

    /// Switches a registered campaign on or off; false when not registered.
    pub async fn set_campaign_active(&self, param: &str, on: bool) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::campaign(param)))
            .key("SK", s(keys::SUMMARY))
            .update_expression("SET active = :on")
            .condition_expression("attribute_exists(registered_at)")
            .expression_attribute_values(":on", AttributeValue::Bool(on))
            .return_values(ReturnValue::None)
            .send()
            .boxed()
            .await;
        Ok(unless_condition_failed(result)?.is_some())
    }

    /// Deletes a campaign with its counters; false when there was none.
    pub async fn delete_campaign(&self, param: &str) -> Result<bool, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(keys::campaign(param)))
            .key("SK", s(keys::SUMMARY))
            .return_values(ReturnValue::AllOld)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.attributes.is_some())
    }
}
