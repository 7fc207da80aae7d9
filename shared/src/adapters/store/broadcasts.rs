//! Broadcasts: the broadcast item with its counters, the per-recipient
//! markers, the page markers of the fan-out, and the fan-out's page of users.
//!
//! Keys: `BCAST#<id>` / `BCAST` (the broadcast), `BCAST#<id>` / `TO#<user>`
//! (taken by the sender just before it sends to that user: never twice),
//! `BCAST#<id>` / `PAGE#<n>` (a fan-out page counted once). The fan-out
//! pages through the users with a paged `Scan` inside the background job
//! only (see `docs/architecture.md`).

use super::attrs::{ItemExt, n, s};
use super::{Item, Store, StoreError};
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use std::collections::HashMap;

/// Broadcast markers and counters are kept this long.
pub const KEEP_SECS: i64 = 30 * 86_400;

/// Partition key of a broadcast.
pub fn pk(id: &str) -> String {
    format!("BCAST#{id}")
}

/// A broadcast as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Broadcast {
    /// Id.
    pub id: String,
    /// The admin who composed it.
    pub admin: TelegramId,
    /// The message to copy: chat and message id.
    pub from_chat: i64,
    /// The message to copy.
    pub message_id: i32,
    /// `all`, `active`, `expired`, `never_paid`, `trial`.
    pub audience: String,
    /// `draft`, `running`, `cancelled`.
    pub status: String,
    /// The admin's progress message (chat = admin), once started.
    pub progress_message: Option<i32>,
    /// Copies queued by the fan-out.
    pub queued: i64,
    /// Delivered.
    pub sent: i64,
    /// Refused by Telegram for another reason.
    pub failed: i64,
    /// The recipient blocked the bot.
    pub blocked: i64,
    /// Not sent because the broadcast was cancelled.
    pub skipped: i64,
    /// The fan-out has queued every page.
    pub fanout_done: bool,
}

impl Broadcast {
    fn from_item(i: &Item) -> Broadcast {
        let num = |k: &str| i.i64(k).unwrap_or_default();
        Broadcast {
            id: i.str("id").unwrap_or_default().to_owned(),
            admin: TelegramId(num("admin")),
            from_chat: num("from_chat"),
            message_id: num("message_id") as i32,
            audience: i.str("audience").unwrap_or("all").to_owned(),
            status: i.str("status").unwrap_or_default().to_owned(),
            progress_message: i.i64("progress_message").map(|m| m as i32),
            queued: num("queued"),
            sent: num("sent"),
            failed: num("failed"),
            blocked: num("blocked"),
            skipped: num("skipped"),
            fanout_done: i.flag("fanout_done"),
        }
    }

    /// Copies not yet accounted for.
    pub fn left(&self) -> i64 {
        (self.queued - self.sent - self.failed - self.blocked - self.skipped).max(0)
    }

    /// Whether every queued copy is accounted for and the fan-out ended.
    pub fn finished(&self) -> bool {
        self.fanout_done && self.left() == 0
    }
}

/// Who holds a recipient's marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientClaim {
    /// This delivery: send.
    Acquired,
    /// A delivery that started at `at` and has not recorded its outcome:
    /// still running, or crashed.
    Sending {
        /// When it took the marker.
        at: i64,
    },
    /// Sent (or refused) and counted before.
    Accounted,
}

/// A page of recipients and where the next page starts.
pub type RecipientPage = (Vec<TelegramId>, Option<HashMap<String, AttributeValue>>);

fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Dynamo(e.to_string())
}

impl Store {
    /// Writes a new draft.
    pub async fn create_broadcast(
        &self,
        id: &str,
        admin: TelegramId,
        from_chat: i64,
        message_id: i32,
        now: i64,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(pk(id)))
            .item("SK", s("BCAST"))
            .item("id", s(id))
            .item("admin", n(admin))
            .item("from_chat", n(from_chat))
            .item("message_id", n(message_id))
            .item("audience", s("all"))
            .item("status", s("draft"))
            .item("at", n(now))
            .item("ttl", n(now + KEEP_SECS))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Reads a broadcast.
    pub async fn get_broadcast(&self, id: &str) -> Result<Option<Broadcast>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s("BCAST"))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.as_ref().map(Broadcast::from_item))
    }

    /// Changes a broadcast while its status is `from`; `Ok(false)` when it is not.
    pub async fn broadcast_transition(
        &self,
        id: &str,
        from: &str,
        set: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<bool, StoreError> {
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s("BCAST"))
            .update_expression(set)
            .condition_expression("#st = :from")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":from", s(from));
        for (k, v) in values {
            req = req.expression_attribute_values(*k, v.clone());
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(false)
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// One page of the audience: profile items, without users who blocked
    /// the bot or are banned. A `Scan` page, for the background fan-out only.
    pub async fn recipients_page(
        &self,
        audience: &str,
        now: i64,
        start: Option<HashMap<String, AttributeValue>>,
        limit: i32,
    ) -> Result<RecipientPage, StoreError> {
        let mut filter = "SK = :profile AND attribute_exists(created_at) \
             AND attribute_not_exists(blocked_at) AND (attribute_not_exists(banned) OR banned = :f)"
            .to_owned();
        match audience {
            "active" => filter.push_str(" AND sub_end > :now"),
            "expired" => filter.push_str(" AND sub_end <= :now"),
            "never_paid" => filter.push_str(" AND attribute_not_exists(plans_paid)"),
            "trial" => filter.push_str(" AND trial_end = sub_end AND sub_end > :now"),
            _ => {}
        }
        let mut req = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression(filter)
            .expression_attribute_values(":profile", s("PROFILE"))
            .expression_attribute_values(":f", AttributeValue::Bool(false))
            .projection_expression("tg_id")
            .limit(limit)
            .set_exclusive_start_key(start);
        if audience != "all" && audience != "never_paid" {
            req = req.expression_attribute_values(":now", n(now));
        }
        let out = req.send().await.map_err(StoreError::from_sdk)?;
        let ids = out
            .items()
            .iter()
            .filter_map(|i| i.i64("tg_id"))
            .map(TelegramId)
            .collect();
        Ok((ids, out.last_evaluated_key().cloned()))
    }

    /// Counts a fan-out page once: its marker and `queued += count` in one
    /// transaction; `last` also marks the fan-out done. `None` when the page
    /// was counted before (a re-delivered job), else the broadcast after.
    pub async fn count_broadcast_page(
        &self,
        id: &str,
        page: u64,
        count: i64,
        last: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        let marker = Put::builder()
            .table_name(&self.table)
            .item("PK", s(pk(id)))
            .item("SK", s(format!("PAGE#{page}")))
            .item("ttl", n(now + KEEP_SECS))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_err)?;
        let mut expr = "ADD queued :c".to_owned();
        if last {
            expr = format!("SET fanout_done = :t {expr}");
        }
        let mut upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s("BCAST"))
            .update_expression(expr)
            .expression_attribute_values(":c", n(count));
        if last {
            upd = upd.expression_attribute_values(":t", AttributeValue::Bool(true));
        }
        let items = vec![
            TransactWriteItem::builder().put(marker).build(),
            TransactWriteItem::builder()
                .update(upd.build().map_err(build_err)?)
                .build(),
        ];
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_transaction_canceled_exception() => {
                Ok(false)
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Takes the marker for sending broadcast `id` to `user` (state
    /// `sending`), or says who has it.
    pub async fn claim_recipient(
        &self,
        id: &str,
        user: TelegramId,
        now: i64,
    ) -> Result<RecipientClaim, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(pk(id)))
            .item("SK", s(format!("TO#{user}")))
            .item("state", s("sending"))
            .item("at", n(now))
            .item("ttl", n(now + KEEP_SECS))
            .condition_expression("attribute_not_exists(PK)")
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(RecipientClaim::Acquired),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), PutItemError::ConditionalCheckFailedException(_)) =>
            {
                let old = match e.err() {
                    PutItemError::ConditionalCheckFailedException(c) => c.item().cloned(),
                    _ => None,
                }
                .unwrap_or_default();
                Ok(match old.str("state") {
                    Some("sending") => RecipientClaim::Sending {
                        at: old.i64("at").unwrap_or_default(),
                    },
                    _ => RecipientClaim::Accounted,
                })
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Gives the marker back (Telegram asked to wait, or was unreachable).
    pub async fn release_recipient(&self, id: &str, user: TelegramId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s(format!("TO#{user}")))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Records the outcome of sending to `user` (`sent`, `failed`,
    /// `blocked`, `skipped`): the marker `sending → <what>` and the counter,
    /// in one transaction, so each recipient is counted once. `Ok(false)`
    /// when it was counted before.
    pub async fn account_recipient(
        &self,
        id: &str,
        user: TelegramId,
        what: &str,
    ) -> Result<bool, StoreError> {
        let marker = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s(format!("TO#{user}")))
            .update_expression("SET #s = :what")
            .condition_expression("#s = :sending")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":what", s(what))
            .expression_attribute_values(":sending", s("sending"))
            .build()
            .map_err(build_err)?;
        let counter = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s("BCAST"))
            .update_expression("ADD #c :one")
            .expression_attribute_names("#c", what)
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(build_err)?;
        let items = vec![
            TransactWriteItem::builder().update(marker).build(),
            TransactWriteItem::builder().update(counter).build(),
        ];
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_transaction_canceled_exception() => {
                Ok(false)
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }
}
