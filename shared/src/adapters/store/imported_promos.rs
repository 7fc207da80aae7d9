//! Promo codes, their activations and ad campaigns brought over by the
//! importer (`tools/importer`), kept apart from the promo-code and campaign
//! features so neither constrains the other:
//!
//! - `PROMO#<CODE>/IMPORTED`: the old bot's definition of a code.
//! - `PROMO#<CODE>/ACT#<user>`: an activation (access pattern #17's key), so
//!   a user who activated a code before the move cannot activate it again.
//! - `CAMPAIGN#<name>/IMPORTED`: the old bot's campaign (source, cost).
//!
//! Each is one conditional put keyed by the source row: a re-run writes
//! nothing twice.

use super::attrs::{ItemExt, n, s};
use super::imports::new_item;
use super::{Store, StoreError, keys};
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

/// A promo code definition from the old bot.
#[derive(Debug, Clone, PartialEq)]
pub struct PromoDef {
    /// Upper-cased code.
    pub code: String,
    /// `bonus_days` or `discount`.
    pub kind: String,
    /// Days a `bonus_days` code gives.
    pub bonus_days: Option<i64>,
    /// Percent a `discount` code takes off.
    pub discount_percent: Option<i64>,
    /// How many activations it allows.
    pub max_activations: Option<i64>,
    /// How many it had.
    pub activations: i64,
    /// Whether it still works.
    pub active: bool,
    /// Until when, unix seconds.
    pub valid_until: Option<i64>,
    /// Created, unix seconds.
    pub created_at: i64,
}

/// An activation of a promo code.
#[derive(Debug, Clone, PartialEq)]
pub struct PromoActivation {
    /// Upper-cased code.
    pub code: String,
    /// Who activated it.
    pub user: TelegramId,
    /// When, unix seconds.
    pub at: i64,
}

/// An ad campaign from the old bot.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignDef {
    /// The start parameter (our campaign name).
    pub name: String,
    /// Where the ads ran.
    pub source: Option<String>,
    /// What it cost, in kopecks.
    pub cost: i64,
    /// Whether it is running.
    pub active: bool,
    /// Created, unix seconds.
    pub created_at: i64,
}

/// Partition key of a promo code.
pub fn promo_key(code: &str) -> String {
    format!("PROMO#{code}")
}

/// Sort key of a promo activation by `user`.
pub fn activation_sk(user: TelegramId) -> String {
    format!("ACT#{user}")
}

/// Sort key of an imported definition (promo code or campaign).
pub const IMPORTED_SK: &str = "IMPORTED";

impl Store {
    /// Records an old promo code's definition once; false when it was there.
    pub async fn import_promo(&self, p: &PromoDef) -> Result<bool, StoreError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(promo_key(&p.code)))
            .item("SK", s(IMPORTED_SK))
            .item("code", s(&p.code))
            .item("kind", s(&p.kind))
            .item("activations", n(p.activations))
            .item("active", AttributeValue::Bool(p.active))
            .item("created_at", n(p.created_at));
        for (name, v) in [
            ("bonus_days", p.bonus_days),
            ("discount_percent", p.discount_percent),
            ("max_activations", p.max_activations),
            ("valid_until", p.valid_until),
        ] {
            if let Some(v) = v {
                put = put.item(name, n(v));
            }
        }
        self.put_new(put).await
    }

    /// The write that records that `a.user` activated `a.code` (part of the
    /// user's import transaction).
    pub fn promo_activation_write(
        &self,
        a: &PromoActivation,
    ) -> Result<TransactWriteItem, StoreError> {
        new_item(
            Put::builder()
                .table_name(&self.table)
                .item("PK", s(promo_key(&a.code)))
                .item("SK", s(activation_sk(a.user)))
                .item("user", n(a.user))
                .item("at", n(a.at))
                .item("imported", AttributeValue::Bool(true)),
        )
    }

    /// Whether `user` has activated `code` (imported or not).
    pub async fn promo_activated(&self, code: &str, user: TelegramId) -> Result<bool, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(promo_key(code)))
            .key("SK", s(activation_sk(user)))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.is_some_and(|i| i.i64("user").is_some()))
    }

    /// Records an old campaign's definition once; false when it was there.
    pub async fn import_campaign(&self, c: &CampaignDef) -> Result<bool, StoreError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(keys::campaign(&c.name)))
            .item("SK", s(IMPORTED_SK))
            .item("name", s(&c.name))
            .item("cost", n(c.cost))
            .item("active", AttributeValue::Bool(c.active))
            .item("created_at", n(c.created_at));
        if let Some(v) = &c.source {
            put = put.item("source", s(v));
        }
        self.put_new(put).await
    }
}
