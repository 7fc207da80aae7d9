//! Saved payment methods (YooKassa cards) and the user's auto-renewal
//! choice, under the user's partition: `USER#<id>/CARD#<method id>` per card
//! (one has `default`), `USER#<id>/CARDS` for the settings (auto-renewal on
//! or off, the plan it renews). One `Query` (`begins_with(SK, "CARD")`) reads
//! them all. `USER#<id>/RENEWAL#<end>` records what the renewal notice of
//! that subscription end told the user would be charged.

use super::attrs::{ItemExt, n, s};
use super::imports::new_item;
use super::keys;
use super::{Store, StoreError, unless_condition_failed};
use crate::base::types::{Period, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use futures::FutureExt;

/// Sort key prefix of a card.
const CARD: &str = "CARD#";
/// Sort key of the settings.
const SETTINGS: &str = "CARDS";
/// Sort key prefix of a renewal notice's promise (by subscription end).
const PROMISE: &str = "RENEWAL#";

/// What a renewal notice told the user would be charged for one
/// subscription end: the renewal charges only these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Promise {
    /// The balance was named.
    pub balance: bool,
    /// The saved card was named.
    pub card: bool,
}

/// A saved card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The provider's payment method id (charged with `payment_method_id`).
    pub method_id: String,
    /// Card type as the provider names it ("Visa", "MasterCard", "Mir").
    pub card_type: String,
    /// Last four digits.
    pub last4: String,
    /// The card auto-renewal charges.
    pub default: bool,
    /// When it was saved, unix seconds.
    pub saved_at: i64,
}

/// A user's cards and auto-renewal settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wallet {
    /// Saved cards, by method id.
    pub cards: Vec<Card>,
    /// Auto-renewal on.
    pub autorenew: bool,
    /// The plan auto-renewal buys (the one last paid with a saved card).
    pub period: Option<Period>,
}

impl Wallet {
    /// The card auto-renewal charges: the default one, else the newest.
    pub fn charge_card(&self) -> Option<&Card> {
        self.cards
            .iter()
            .find(|c| c.default)
            .or_else(|| self.cards.iter().max_by_key(|c| c.saved_at))
    }
}

impl Store {
    /// The user's cards and settings (one `Query`).
    pub async fn wallet(&self, user: TelegramId) -> Result<Wallet, StoreError> {
        let mut out = Wallet::default();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :card)")
                .expression_attribute_values(":pk", s(keys::user(user)))
                .expression_attribute_values(":card", s("CARD"))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .boxed()
                .await
                .map_err(StoreError::from_sdk)?;
            for item in page.items() {
                match item.str("SK") {
                    Some(SETTINGS) => {
                        out.autorenew = item.flag("autorenew");
                        out.period = item.str("period").and_then(Period::from_code);
                    }
                    Some(sk) if sk.starts_with(CARD) => out.cards.push(Card {
                        method_id: sk[CARD.len()..].to_owned(),
                        card_type: item.str("card_type").unwrap_or_default().to_owned(),
                        last4: item.str("last4").unwrap_or_default().to_owned(),
                        default: item.flag("default"),
                        saved_at: item.i64("saved_at").unwrap_or_default(),
                    }),
                    _ => {}
                }
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// Saves `card` as the user's default (other cards lose the flag) and,
    /// the first time, turns auto-renewal on; `period` (when the payment
    /// bought a plan) becomes the plan auto-renewal buys. Later saves keep
    /// the user's on/off choice.
    pub async fn save_card(
        &self,
        user: TelegramId,
        card: &Card,
        period: Option<Period>,
    ) -> Result<(), StoreError> {
        let wallet = self.wallet(user).await?;
        for other in wallet.cards.iter().filter(|c| c.default) {
            if other.method_id != card.method_id {
                self.set_card_default(user, &other.method_id, false).await?;
            }
        }
        self.client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(keys::user(user)))
            .item("SK", s(format!("{CARD}{}", card.method_id)))
            .item("card_type", s(&card.card_type))
            .item("last4", s(&card.last4))
            .item("default", AttributeValue::Bool(true))
            .item("saved_at", n(card.saved_at))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(SETTINGS))
            .expression_attribute_values(":on", AttributeValue::Bool(true));
        update = match period {
            Some(p) => update
                .update_expression("SET period = :p, autorenew = if_not_exists(autorenew, :on)")
                .expression_attribute_values(":p", s(p.code())),
            None => update.update_expression("SET autorenew = if_not_exists(autorenew, :on)"),
        };
        update.send().boxed().await.map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// The write that records a card brought over from another bot (the
    /// importer, in the user's import): a put conditioned on the card being
    /// new, so a card already saved here stays as it is.
    pub fn imported_card_write(
        &self,
        user: TelegramId,
        card: &Card,
    ) -> Result<TransactWriteItem, StoreError> {
        new_item(
            Put::builder()
                .table_name(&self.table)
                .item("PK", s(keys::user(user)))
                .item("SK", s(format!("{CARD}{}", card.method_id)))
                .item("card_type", s(&card.card_type))
                .item("last4", s(&card.last4))
                .item("default", AttributeValue::Bool(card.default))
                .item("saved_at", n(card.saved_at)),
        )
    }

    /// The write that records the auto-renewal settings brought over from
    /// another bot: conditioned on the user having none here (their choice
    /// made in this bot stays).
    pub fn imported_settings_write(
        &self,
        user: TelegramId,
        autorenew: bool,
        period: Period,
    ) -> Result<TransactWriteItem, StoreError> {
        new_item(
            Put::builder()
                .table_name(&self.table)
                .item("PK", s(keys::user(user)))
                .item("SK", s(SETTINGS))
                .item("autorenew", AttributeValue::Bool(autorenew))
                .item("period", s(period.code())),
        )
    }

    /// Sets or clears a card's default flag (only if the card exists).
    pub async fn set_card_default(
        &self,
        user: TelegramId,
        method_id: &str,
        default: bool,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(format!("{CARD}{method_id}")))
            .update_expression("SET #d = :d")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#d", "default")
            .expression_attribute_values(":d", AttributeValue::Bool(default))
            .send()
            .boxed()
            .await;
        unless_condition_failed(result)?;
        Ok(())
    }

    /// Forgets a card (deleted by the user, or revoked at the provider).
    pub async fn remove_card(&self, user: TelegramId, method_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(format!("{CARD}{method_id}")))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Turns auto-renewal on or off.
    pub async fn set_autorenew(&self, user: TelegramId, on: bool) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(SETTINGS))
            .update_expression("SET autorenew = :on")
            .expression_attribute_values(":on", AttributeValue::Bool(on))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Sets the plan auto-renewal buys (the user picked it again after the
    /// one fixed before went off sale).
    pub async fn set_renew_period(
        &self,
        user: TelegramId,
        period: Period,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(SETTINGS))
            .update_expression("SET period = :p")
            .expression_attribute_values(":p", s(period.code()))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Turns auto-renewal from the balance on or off. The flag lives on the
    /// profile (`renew_balance`) so the expiry index carries it; turning it
    /// on also fixes the plan it renews (`period` in the settings) unless
    /// one is set already.
    pub async fn set_balance_renew(
        &self,
        user: TelegramId,
        on: bool,
        period: Period,
    ) -> Result<(), StoreError> {
        let update = if on {
            "SET renew_balance = :on"
        } else {
            "REMOVE renew_balance"
        };
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE))
            .update_expression(update)
            .condition_expression("attribute_exists(created_at)");
        if on {
            req = req.expression_attribute_values(":on", AttributeValue::Bool(true));
        }
        req.send().boxed().await.map_err(StoreError::from_sdk)?;
        if on {
            self.client
                .update_item()
                .table_name(&self.table)
                .key("PK", s(keys::user(user)))
                .key("SK", s(SETTINGS))
                .update_expression("SET period = if_not_exists(period, :p)")
                .expression_attribute_values(":p", s(period.code()))
                .send()
                .boxed()
                .await
                .map_err(StoreError::from_sdk)?;
        }
        Ok(())
    }

    /// Records what the renewal notice of `user`'s subscription ending at
    /// `end` named, kept until `until` (it expires by TTL after that).
    pub async fn record_promise(
        &self,
        user: TelegramId,
        end: i64,
        promise: Promise,
        until: i64,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(keys::user(user)))
            .item("SK", s(format!("{PROMISE}{end}")))
            .item("balance", AttributeValue::Bool(promise.balance))
            .item("card", AttributeValue::Bool(promise.card))
            .item("ttl", n(until))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// What the renewal notice of `user`'s subscription ending at `end`
    /// named; `None` when no notice was sent for that end.
    pub async fn promise(&self, user: TelegramId, end: i64) -> Result<Option<Promise>, StoreError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(format!("{PROMISE}{end}")))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?
            .item;
        Ok(item.map(|i| Promise {
            balance: i.flag("balance"),
            card: i.flag("card"),
        }))
    }
}
