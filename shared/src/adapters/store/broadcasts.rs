//! Broadcasts: the broadcast item with its counters, the per-recipient
//! markers, the page markers of the fan-out, and the fan-out's page of users.
//!
//! Keys: `BCAST#<id>` / `BCAST` (the broadcast and its counters),
//! `BCAST#<id>` / `PAGE#<n>` (a fan-out page, recorded once with its
//! recipients and the next page's start), `BCAST#<id>` / `BATCH#<n>.<i>`
//! (a batch of recipients: who holds it, how far it got, what is claimed). The fan-out
//! pages through the users with a paged `Scan` inside the background job
//! only (see `docs/architecture.md`).

use super::attrs::{ItemExt, n, s};
use super::{Item, Store, StoreError, put_unless_condition_failed, unless_condition_failed};
use crate::base::types::{Lang, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use futures::FutureExt;
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
    /// The admin's language (the progress message's); absent on a
    /// broadcast written before it was recorded.
    pub lang: Option<Lang>,
    /// The message to copy: chat and message id.
    pub from_chat: i64,
    /// The message to copy.
    pub message_id: i32,
    /// `all`, `active`, `expired`, `never_paid`, `trial`.
    pub audience: String,
    /// URL buttons under every copy: `(text, url)`, one a row.
    pub buttons: Vec<(String, String)>,
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
            lang: i.str("lang").and_then(Lang::from_code),
            from_chat: num("from_chat"),
            message_id: num("message_id") as i32,
            audience: i.str("audience").unwrap_or("all").to_owned(),
            buttons: i
                .str("buttons")
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or_default(),
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

/// What a delivery of a batch found when it tried to take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchClaim {
    /// This delivery holds the batch (generation `gen`): recipients before
    /// `done` are accounted for, those in `done..claimed` are this
    /// delivery's to send now. `unknown` recipients were in the hands of a
    /// delivery that crashed; they were counted failed, never sent again.
    Taken {
        /// The claim's generation (every write checks it).
        generation: i64,
        /// Recipients accounted for.
        done: usize,
        /// Recipients this delivery may send before its next write.
        claimed: usize,
        /// Recipients whose outcome a crash made unknown (counted failed now).
        unknown: usize,
    },
    /// Another delivery holds it and wrote less than the lease ago.
    Busy,
    /// Every recipient of the batch is accounted for.
    Done,
}

/// A batch's outcome counts, added to the broadcast's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Delivered.
    pub sent: i64,
    /// Refused (or outcome unknown).
    pub failed: i64,
    /// Blocked the bot.
    pub blocked: i64,
    /// Skipped (cancelled).
    pub skipped: i64,
}

impl Counts {
    fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

/// A batch's progress, written once per chunk of copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchStep {
    /// The claim's generation.
    pub generation: i64,
    /// `done` before this step (checked).
    pub from: usize,
    /// `done` after it.
    pub done: usize,
    /// The recipients claimed for the next chunk (`done..claimed`).
    pub claimed: usize,
    /// `sending` (this delivery goes on), `waiting` (given back: Telegram
    /// asked to wait, or the run is out of time) or `done`.
    pub state: &'static str,
}

/// A page of recipients and where the next page starts (`PK`, `SK`).
pub type RecipientPage = (Vec<TelegramId>, Option<(String, String)>);

/// A recorded fan-out page: recipients, and the next page's start (`PK`, `SK`).
pub type StoredPage = (Vec<TelegramId>, Option<(String, String)>);

/// The batch item's attribute names (some are DynamoDB reserved words).
fn batch_names() -> HashMap<String, String> {
    [
        ("#g", "gen"),
        ("#st", "state"),
        ("#d", "done"),
        ("#c", "claimed"),
        ("#at", "at"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Dynamo(e.to_string())
}

impl Store {
    /// Writes a new draft.
    pub async fn create_broadcast(
        &self,
        id: &str,
        admin: TelegramId,
        lang: Lang,
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
            .item("lang", s(lang.code()))
            .item("from_chat", n(from_chat))
            .item("message_id", n(message_id))
            .item("audience", s("all"))
            .item("status", s("draft"))
            .item("at", n(now))
            .item("ttl", n(now + KEEP_SECS))
            .send()
            .boxed()
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
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.as_ref().map(Broadcast::from_item))
    }

    /// Starts a draft, remembering the admin's progress message;
    /// `Ok(false)` when it is not a draft any more (pressed twice).
    pub async fn start_broadcast(
        &self,
        id: &str,
        progress_message: i32,
    ) -> Result<bool, StoreError> {
        self.broadcast_transition(
            id,
            "draft",
            "SET #st = :to, progress_message = :m",
            &[(":to", s("running")), (":m", n(progress_message))],
        )
        .await
    }

    /// Cancels a running broadcast; `Ok(false)` when it is not running.
    pub async fn cancel_broadcast(&self, id: &str) -> Result<bool, StoreError> {
        self.broadcast_transition(id, "running", "SET #st = :to", &[(":to", s("cancelled"))])
            .await
    }

    /// Changes a broadcast while its status is `from`; `Ok(false)` when it is not.
    async fn broadcast_transition(
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
        Ok(unless_condition_failed(req.send().boxed().await)?.is_some())
    }

    /// Sets a draft's URL buttons (`(text, url)`, one a row, as
    /// `Broadcast::buttons` reads them); `Ok(false)` when it is not a draft
    /// any more.
    pub async fn set_broadcast_buttons(
        &self,
        id: &str,
        buttons: &[(String, String)],
    ) -> Result<bool, StoreError> {
        let json = serde_json::to_string(buttons).map_err(|e| StoreError::Dynamo(e.to_string()))?;
        self.broadcast_transition(
            id,
            "draft",
            "SET buttons = :b",
            &[(":b", AttributeValue::S(json))],
        )
        .await
    }

    /// Sets a draft's audience (one of `base::admin_callback::AUDIENCES`);
    /// `Ok(false)` when it is not a draft any more.
    pub async fn set_broadcast_audience(
        &self,
        id: &str,
        audience: &str,
    ) -> Result<bool, StoreError> {
        self.broadcast_transition(
            id,
            "draft",
            "SET audience = :a",
            &[(":a", AttributeValue::S(audience.to_owned()))],
        )
        .await
    }

    /// One page of the audience: profile items, without users who blocked
    /// the bot or are banned. A `Scan` page, for the background fan-out only.
    pub async fn recipients_page(
        &self,
        audience: &str,
        now: i64,
        start: Option<(String, String)>,
        limit: i32,
    ) -> Result<RecipientPage, StoreError> {
        let start = start
            .map(|(pk, sk)| HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))]));
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
        let out = req.send().boxed().await.map_err(StoreError::from_sdk)?;
        let ids = out
            .items()
            .iter()
            .filter_map(|i| i.i64("tg_id"))
            .map(TelegramId)
            .collect();
        let next = out.last_evaluated_key().and_then(|k| {
            Some((
                k.get("PK")?.as_s().ok()?.clone(),
                k.get("SK")?.as_s().ok()?.clone(),
            ))
        });
        Ok((ids, next))
    }

    /// Records fan-out page `n` once: its recipients and where the next
    /// page starts (so every delivery of the page's job queues the same
    /// batches and the same next page), with `queued += count`; the last
    /// page also marks the fan-out done. `Ok(false)` when it was recorded
    /// before (read it with [`Store::get_broadcast_page`]).
    pub async fn record_broadcast_page(
        &self,
        id: &str,
        page: u64,
        users: &[TelegramId],
        next: Option<(&str, &str)>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let list = users
            .iter()
            .map(|u| u.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let mut marker = Put::builder()
            .table_name(&self.table)
            .item("PK", s(pk(id)))
            .item("SK", s(format!("PAGE#{page}")))
            .item("users", s(list))
            .item("ttl", n(now + KEEP_SECS))
            .condition_expression("attribute_not_exists(PK)");
        if let Some((npk, nsk)) = next {
            marker = marker.item("next_pk", s(npk)).item("next_sk", s(nsk));
        }
        let last = next.is_none();
        let mut expr = "ADD queued :c".to_owned();
        if last {
            expr = format!("SET fanout_done = :t {expr}");
        }
        let mut upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s("BCAST"))
            .update_expression(expr)
            .expression_attribute_values(":c", n(users.len()));
        if last {
            upd = upd.expression_attribute_values(":t", AttributeValue::Bool(true));
        }
        let items = vec![
            TransactWriteItem::builder()
                .put(marker.build().map_err(build_err)?)
                .build(),
            TransactWriteItem::builder()
                .update(upd.build().map_err(build_err)?)
                .build(),
        ];
        self.try_transact(items).await
    }

    /// A recorded fan-out page: its recipients and the next page's start.
    pub async fn get_broadcast_page(
        &self,
        id: &str,
        page: u64,
    ) -> Result<Option<StoredPage>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s(format!("PAGE#{page}")))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.map(|i| {
            let users = i
                .str("users")
                .unwrap_or_default()
                .split(',')
                .filter_map(|u| u.parse().ok())
                .map(TelegramId)
                .collect();
            let next = match (i.str("next_pk"), i.str("next_sk")) {
                (Some(p), Some(k)) => Some((p.to_owned(), k.to_owned())),
                _ => None,
            };
            (users, next)
        }))
    }

    /// Takes batch `key` of broadcast `id` (`size` recipients) for this
    /// delivery, claiming its next `chunk` recipients. A batch another
    /// delivery holds is `Busy` until that delivery has written nothing for
    /// `lease` seconds; then it is taken over and the recipients that
    /// delivery had claimed but not accounted for are counted failed (they
    /// may have been sent: never sent again).
    pub async fn claim_batch(
        &self,
        id: &str,
        key: &str,
        size: usize,
        chunk: usize,
        now: i64,
        lease: i64,
    ) -> Result<BatchClaim, StoreError> {
        let first = chunk.min(size);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(pk(id)))
            .item("SK", s(format!("BATCH#{key}")))
            .item("state", s("sending"))
            .item("gen", n(1))
            .item("done", n(0))
            .item("claimed", n(first))
            .item("at", n(now))
            .item("ttl", n(now + KEEP_SECS))
            .condition_expression("attribute_not_exists(PK)")
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
            .send()
            .boxed()
            .await;
        let old = match put_unless_condition_failed(result)? {
            Ok(_) => {
                return Ok(BatchClaim::Taken {
                    generation: 1,
                    done: 0,
                    claimed: first,
                    unknown: 0,
                });
            }
            Err(old) => old.unwrap_or_default(),
        };
        let generation = old.i64("gen").unwrap_or_default();
        let done = old.i64("done").unwrap_or_default().max(0) as usize;
        let held = old.i64("claimed").unwrap_or_default().max(0) as usize;
        let state = old.str("state").unwrap_or_default();
        if state == "done" || done >= size {
            return Ok(BatchClaim::Done);
        }
        if state == "sending" && now - old.i64("at").unwrap_or_default() < lease {
            return Ok(BatchClaim::Busy);
        }
        // Given back (`waiting`: nothing in flight), or its holder went
        // silent past the lease (crashed: `done..held` may have been sent).
        let unknown = if state == "sending" {
            held.saturating_sub(done)
        } else {
            0
        };
        let from = done + unknown;
        let claimed = (from + chunk).min(size);
        let state_after = if from >= size { "done" } else { "sending" };
        let upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s(format!("BATCH#{key}")))
            .update_expression("SET #g = :g2, #st = :st, #d = :d, #c = :c, #at = :now")
            .condition_expression("#g = :g")
            .set_expression_attribute_names(Some(batch_names()))
            .expression_attribute_values(":g", n(generation))
            .expression_attribute_values(":g2", n(generation + 1))
            .expression_attribute_values(":st", s(state_after))
            .expression_attribute_values(":d", n(from))
            .expression_attribute_values(":c", n(claimed))
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(build_err)?;
        let mut items = vec![TransactWriteItem::builder().update(upd).build()];
        if unknown > 0 {
            items.push(self.counts_update(
                id,
                &Counts {
                    failed: unknown as i64,
                    ..Counts::default()
                },
            )?);
        }
        if !self.try_transact(items).await? {
            return Ok(BatchClaim::Busy);
        }
        Ok(BatchClaim::Taken {
            generation: generation + 1,
            done: from,
            claimed,
            unknown,
        })
    }

    /// Writes a batch's step and adds its counts to the broadcast, in one
    /// transaction, while this delivery still holds the batch. `Ok(false)`
    /// when it does not (another delivery took it over).
    pub async fn record_batch(
        &self,
        id: &str,
        key: &str,
        step: &BatchStep,
        counts: &Counts,
        now: i64,
    ) -> Result<bool, StoreError> {
        let upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s(format!("BATCH#{key}")))
            .update_expression("SET #st = :st, #d = :d, #c = :c, #at = :now")
            .condition_expression("#g = :g AND #d = :from")
            .set_expression_attribute_names(Some(batch_names()))
            .expression_attribute_values(":g", n(step.generation))
            .expression_attribute_values(":from", n(step.from))
            .expression_attribute_values(":st", s(step.state))
            .expression_attribute_values(":d", n(step.done))
            .expression_attribute_values(":c", n(step.claimed))
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(build_err)?;
        let mut items = vec![TransactWriteItem::builder().update(upd).build()];
        if !counts.is_zero() {
            items.push(self.counts_update(id, counts)?);
        }
        self.try_transact(items).await
    }

    fn counts_update(&self, id: &str, c: &Counts) -> Result<TransactWriteItem, StoreError> {
        let upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk(id)))
            .key("SK", s("BCAST"))
            .update_expression("ADD #s :s, #f :f, #b :b, #k :k")
            .expression_attribute_names("#s", "sent")
            .expression_attribute_names("#f", "failed")
            .expression_attribute_names("#b", "blocked")
            .expression_attribute_names("#k", "skipped")
            .expression_attribute_values(":s", n(c.sent))
            .expression_attribute_values(":f", n(c.failed))
            .expression_attribute_values(":b", n(c.blocked))
            .expression_attribute_values(":k", n(c.skipped))
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().update(upd).build())
    }
}
