//! What admins change and the audit log that records it.
//!
//! Audit entries: `AUDIT` / `<time:011>-<random>` (everything, newest last)
//! and, when the action had a target, a copy under the user,
//! `USER#<id>` / `AUDIT#<time:011>-<random>`; both with a TTL. Bans keep an
//! index item `BANNED` / `<id>` so the banned list is one `Query`. Each change
//! writes its audit entries in the same transaction, so a change without
//! its record (or the reverse) cannot exist.

use super::attrs::{ItemExt, n, s};
use super::stats::{Counted, End, count_items, counter, ends_items, total_item};
use super::{Item, Store, StoreError, keys};
use crate::base::types::{Kopecks, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use futures::FutureExt;

/// How long audit entries are kept.
pub const AUDIT_KEEP_SECS: i64 = 180 * 86_400;
/// Partition of the audit log.
pub const AUDIT_PK: &str = "AUDIT";
/// Partition of the banned-users index.
pub const BANNED_PK: &str = "BANNED";

/// One audit entry: who did what, to whom, when.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    /// The admin.
    pub admin: TelegramId,
    /// What (`ban`, `unban`, `days`, `balance`, `reset_trial`, `message`, …).
    pub action: String,
    /// On whom, if anyone.
    pub target: Option<TelegramId>,
    /// Details (amounts, reasons).
    pub detail: String,
    /// When, unix seconds.
    pub at: i64,
}

/// A page of audit entries, newest first, and the cursor of the next page.
pub type AuditPage = (Vec<Audit>, Option<String>);

/// What a conditional admin change found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Done now.
    Done,
    /// Nothing to do: already so, or the card was out of date, or the
    /// operation was done before (a repeated press or delivery).
    Stale,
}

impl Audit {
    /// `<time:011>-<microseconds:06><random>`: newest last within a
    /// second too, unique across writers. `at` was read by the caller a
    /// moment before: when the clock has passed into the next second
    /// since, the entry is the last of its second (its microseconds would
    /// otherwise put it before the second's earlier entries).
    fn sort_key(&self, nonce: &str) -> String {
        let clock = chrono::Utc::now();
        let micros = match clock.timestamp().cmp(&self.at) {
            std::cmp::Ordering::Equal => clock.timestamp_subsec_micros(),
            std::cmp::Ordering::Greater => 999_999,
            std::cmp::Ordering::Less => 0,
        };
        let tail: String = nonce
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(4)
            .collect();
        format!("{:011}-{micros:06}{tail}", self.at)
    }

    fn puts(&self, table: &str, nonce: &str) -> Result<Vec<TransactWriteItem>, StoreError> {
        let sk = self.sort_key(nonce);
        let mut keys_ = vec![(AUDIT_PK.to_owned(), sk.clone())];
        if let Some(t) = self.target {
            keys_.push((keys::user(t), format!("AUDIT#{sk}")));
        }
        keys_
            .into_iter()
            .map(|(pk, sk)| {
                let mut put = Put::builder()
                    .table_name(table)
                    .item("PK", s(pk))
                    .item("SK", s(sk))
                    .item("admin", n(self.admin))
                    .item("action", s(&self.action))
                    .item("detail", s(&self.detail))
                    .item("at", n(self.at))
                    .item("ttl", n(self.at + AUDIT_KEEP_SECS));
                if let Some(t) = self.target {
                    put = put.item("target", n(t));
                }
                Ok(TransactWriteItem::builder()
                    .put(put.build().map_err(build_err)?)
                    .build())
            })
            .collect()
    }

    fn from_item(item: &Item) -> Audit {
        Audit {
            admin: TelegramId(item.i64("admin").unwrap_or_default()),
            action: item.str("action").unwrap_or_default().to_owned(),
            target: item.i64("target").map(TelegramId),
            detail: item.str("detail").unwrap_or_default().to_owned(),
            at: item.i64("at").unwrap_or_default(),
        }
    }
}

fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Dynamo(e.to_string())
}

fn nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

fn user_update(table: &str, id: TelegramId) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    Update::builder()
        .table_name(table)
        .key("PK", s(keys::user(id)))
        .key("SK", s(keys::PROFILE))
}

fn update_item(
    u: aws_sdk_dynamodb::types::builders::UpdateBuilder,
) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .update(u.build().map_err(build_err)?)
        .build())
}

impl Store {
    /// Writes an audit entry on its own (actions that change nothing stored).
    pub async fn audit(&self, entry: &Audit) -> Result<(), StoreError> {
        self.commit(entry.puts(&self.table, &nonce())?)
            .await
            .map(|_| ())
    }

    /// Writes an audit entry once per `scope/id` (an at-most-once marker,
    /// `ONCE#<scope>#<id>`, kept as long as the audit entry, in the same
    /// transaction): `Stale` when it was written before.
    pub async fn audit_once(
        &self,
        entry: &Audit,
        scope: &str,
        id: &str,
    ) -> Result<Change, StoreError> {
        let keep = entry.at + AUDIT_KEEP_SECS;
        let marker = Put::builder()
            .table_name(&self.table)
            .item("PK", s(super::once::once_key(scope, id)))
            .item("SK", s("ONCE"))
            .item("at", n(entry.at))
            .item("expires", n(keep))
            .item("ttl", n(keep))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_err)?;
        let mut items = vec![TransactWriteItem::builder().put(marker).build()];
        items.extend(entry.puts(&self.table, &nonce())?);
        self.commit(items).await
    }

    /// A page of the audit log (all, or one user's), newest first.
    pub async fn audit_page(
        &self,
        user: Option<TelegramId>,
        after: Option<&str>,
        size: i32,
    ) -> Result<AuditPage, StoreError> {
        let (pk, prefix) = match user {
            Some(u) => (keys::user(u), "AUDIT#"),
            None => (AUDIT_PK.to_owned(), ""),
        };
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :p)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":p", s(if prefix.is_empty() { "0" } else { prefix }))
            .scan_index_forward(false)
            .limit(size);
        if let Some(c) = after {
            req = req
                .exclusive_start_key("PK", s(&pk))
                .exclusive_start_key("SK", s(format!("{prefix}{c}")));
        }
        let out = req.send().boxed().await.map_err(StoreError::from_sdk)?;
        let rows = out.items().iter().map(Audit::from_item).collect();
        let next = out
            .last_evaluated_key()
            .and_then(|k| k.get("SK"))
            .and_then(|v| v.as_s().ok())
            .map(|sk| sk.trim_start_matches("AUDIT#").to_owned());
        Ok((rows, next))
    }

    /// Bans (`true`) or unbans a user, with the banned index, the banned
    /// counter and the audit entry, in one transaction conditioned on the
    /// current state: repeating it changes nothing.
    pub async fn set_banned(
        &self,
        id: TelegramId,
        banned: bool,
        audit: &Audit,
    ) -> Result<Change, StoreError> {
        let upd = user_update(&self.table, id)
            .update_expression("SET banned = :b")
            .expression_attribute_values(":b", AttributeValue::Bool(banned))
            .expression_attribute_values(":t", AttributeValue::Bool(true));
        let upd = if banned {
            upd.condition_expression(
                "attribute_exists(created_at) AND (attribute_not_exists(banned) OR banned <> :t)",
            )
        } else {
            upd.condition_expression("banned = :t")
        };
        let mut items = vec![update_item(upd)?];
        items.push(if banned {
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(&self.table)
                        .item("PK", s(BANNED_PK))
                        .item("SK", s(id.to_string()))
                        .item("tg_id", n(id))
                        .item("at", n(audit.at))
                        .build()
                        .map_err(build_err)?,
                )
                .build()
        } else {
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(&self.table)
                        .key("PK", s(BANNED_PK))
                        .key("SK", s(id.to_string()))
                        .build()
                        .map_err(build_err)?,
                )
                .build()
        });
        // Only the totals shard counts a gauge; the day item is harmless.
        let delta = if banned { 1 } else { -1 };
        items.extend(count_items(
            &self.table,
            audit.at,
            &id.to_string(),
            &[(counter::BANNED.to_owned(), delta)],
        )?);
        items.extend(audit.puts(&self.table, &nonce())?);
        self.commit(items).await
    }

    /// The banned users, oldest ban first (one `Query` page of up to `size`).
    pub async fn banned(&self, size: i32) -> Result<Vec<(TelegramId, i64)>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(BANNED_PK))
            .limit(size)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out
            .items()
            .iter()
            .filter_map(|i| Some((TelegramId(i.i64("tg_id")?), i.i64("at").unwrap_or_default())))
            .collect())
    }

    /// Moves the subscription end from `old` (as the admin saw it) to
    /// `new`, with a ledger entry, the audit entry and the end buckets.
    /// Stale when the end is no longer `old`: a repeated press does nothing.
    /// Reads the user's ends first (whether `old` is the trial's), and the
    /// write is conditional on what it read.
    pub async fn set_sub_end_by_admin(
        &self,
        id: TelegramId,
        old: Option<i64>,
        new: i64,
        days: i32,
        audit: &Audit,
    ) -> Result<Change, StoreError> {
        let Some(profile) = self.ends_of(id).await? else {
            return Ok(Change::Stale);
        };
        let seen = End::of(&profile);
        if seen.map(|e| e.at) != old {
            return Ok(Change::Stale);
        }
        let counted = Counted::of(&profile);
        let mut upd = user_update(&self.table, id)
            .update_expression(format!(
                "SET sub_end = :end, GSI2PK = :exp, GSI2SK = :expsk, {} REMOVE refund_cap",
                Counted::SET
            ))
            .expression_attribute_values(Counted::VALUE, n(1))
            .expression_attribute_values(":end", n(new))
            .expression_attribute_values(":exp", s(keys::expiry_pk(new)))
            .expression_attribute_values(":expsk", s(keys::expiry_sk(id, new)));
        let mark = counted.condition();
        upd = match (seen, profile.i64("trial_end")) {
            (Some(o), Some(trial)) => upd
                .condition_expression(format!("sub_end = :old AND trial_end = :trial AND {mark}"))
                .expression_attribute_values(":old", n(o.at))
                .expression_attribute_values(":trial", n(trial)),
            (Some(o), None) => upd
                .condition_expression(format!(
                    "sub_end = :old AND attribute_not_exists(trial_end) AND {mark}"
                ))
                .expression_attribute_values(":old", n(o.at)),
            (None, _) => upd.condition_expression(format!(
                "attribute_exists(created_at) AND attribute_not_exists(sub_end) AND {mark}"
            )),
        };
        let op = nonce();
        let mut items = vec![update_item(upd)?];
        items.extend(ends_items(
            &self.table,
            &id.to_string(),
            counted.old,
            End::moved(&profile, new),
        )?);
        items.push(self.admin_ledger(id, audit, &op, "admin_days", |p| p.item("days", n(days)))?);
        items.extend(audit.puts(&self.table, &op)?);
        self.commit(items).await
    }

    /// The user's `sub_end`, `trial_end` and `plans_paid` (consistent read);
    /// `None` when the user does not exist.
    async fn ends_of(&self, id: TelegramId) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .projection_expression("created_at, sub_end, trial_end, plans_paid, in_ends")
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.filter(|i| i.contains_key("created_at")))
    }

    /// Adds `delta` kopecks (negative: takes) to the balance, never below
    /// zero, with a ledger entry (the reason) and the audit entry, once per
    /// `op` (the admin's message that asked for it).
    pub async fn adjust_balance(
        &self,
        id: TelegramId,
        delta: i64,
        op: &str,
        audit: &Audit,
    ) -> Result<Change, StoreError> {
        let mut upd = user_update(&self.table, id)
            .update_expression("ADD balance :d")
            .expression_attribute_values(":d", n(delta));
        upd = if delta < 0 {
            upd.condition_expression("attribute_exists(created_at) AND balance >= :need")
                .expression_attribute_values(":need", n(-delta))
        } else {
            upd.condition_expression("attribute_exists(created_at)")
        };
        let marker = Put::builder()
            .table_name(&self.table)
            .item("PK", s(format!("ADMINOP#{op}")))
            .item("SK", s("OP"))
            .item("at", n(audit.at))
            .item("ttl", n(audit.at + AUDIT_KEEP_SECS))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_err)?;
        let mut items = vec![
            update_item(upd)?,
            TransactWriteItem::builder().put(marker).build(),
        ];
        let amount = Kopecks(delta.unsigned_abs());
        items.push(self.admin_ledger(id, audit, op, "admin_balance", |p| {
            p.item("amount", n(amount.0))
                .item("currency", s("RUB"))
                .item("sign", n(delta.signum()))
                .item("reason", s(&audit.detail))
        })?);
        items.extend(audit.puts(&self.table, op)?);
        self.commit(items).await
    }

    /// Deletes a user from the bot: the profile (with it its indexes: the
    /// referral code, the username, the expiry index) and the banned-list
    /// entry go, the gauges follow, and `GONE#<id>/GONE` keeps what must
    /// outlive the user (when, the trial if used, the panel account for the
    /// sync worker to delete), with the audit entry, in one transaction.
    /// The user leaves the counters with it: their end leaves the end
    /// buckets, and the all-time users (and, if they paid, paying users)
    /// count one less; the delete is conditional on the end and payments as
    /// read, so a change in between is retried, never miscounted.
    /// Saved cards go after it. Orders, the ledger, payment index entries
    /// and audit entries are kept for accounting. `Stale` when the user was
    /// already gone (a second press).
    pub async fn delete_user(
        &self,
        user: &super::users::User,
        audit: &Audit,
    ) -> Result<Change, StoreError> {
        for _ in 0..3 {
            let Some(profile) = self.ends_of(user.id).await? else {
                return Ok(Change::Stale);
            };
            let change = self.try_delete_user(user, &profile, audit).await?;
            if change == Change::Done {
                self.delete_cards(user.id).await?;
                return Ok(change);
            }
        }
        // Changed under us three times in a row, or gone: a second press
        // finds it gone; otherwise the admin presses again.
        Ok(Change::Stale)
    }

    async fn try_delete_user(
        &self,
        user: &super::users::User,
        profile: &Item,
        audit: &Audit,
    ) -> Result<Change, StoreError> {
        let id = user.id;
        let mut conditions = vec!["attribute_exists(created_at)".to_owned()];
        let mut delete = Delete::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE));
        let counted = Counted::of(profile);
        conditions.push(counted.condition().to_owned());
        for (attr, value) in [
            ("sub_end", profile.i64("sub_end")),
            ("trial_end", profile.i64("trial_end")),
            ("plans_paid", profile.i64("plans_paid")),
        ] {
            match value {
                Some(v) => {
                    conditions.push(format!("{attr} = :{attr}"));
                    delete = delete.expression_attribute_values(format!(":{attr}"), n(v));
                }
                None => conditions.push(format!("attribute_not_exists({attr})")),
            }
        }
        let mut items = vec![
            TransactWriteItem::builder()
                .delete(
                    delete
                        .condition_expression(conditions.join(" AND "))
                        .build()
                        .map_err(build_err)?,
                )
                .build(),
        ];
        items.extend(ends_items(&self.table, &id.to_string(), counted.old, None)?);
        let mut gone = Put::builder()
            .table_name(&self.table)
            .item("PK", s(keys::gone(id)))
            .item("SK", s("GONE"))
            .item("tg_id", n(id))
            .item("at", n(audit.at))
            .item("by", n(audit.admin));
        if let Some(at) = user.trial_used_at {
            gone = gone.item("trial_used", n(at));
        }
        if let Some(link) = &user.panel {
            gone = gone.item("panel_id", n(link.id));
        }
        items.push(
            TransactWriteItem::builder()
                .put(gone.build().map_err(build_err)?)
                .build(),
        );
        let mut gauges = vec![(counter::SIGNUPS.to_owned(), -1)];
        if profile.i64("plans_paid").unwrap_or(0) > 0 {
            gauges.push((counter::FIRST_PLANS.to_owned(), -1));
        }
        if user.banned {
            items.push(
                TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(&self.table)
                            .key("PK", s(BANNED_PK))
                            .key("SK", s(id.to_string()))
                            .build()
                            .map_err(build_err)?,
                    )
                    .build(),
            );
            gauges.push((counter::BANNED.to_owned(), -1));
        }
        if user.blocked_at.is_some() {
            gauges.push((counter::BLOCKED.to_owned(), -1));
        }
        // The sign-up leaves the day the user registered as well as the
        // totals, so "today" never counts more sign-ups than "all time".
        // First payments and the gauges are all-time only (their day is
        // not kept).
        items.push(super::stats::day_item(
            &self.table,
            user.created_at,
            &id.to_string(),
            &[(counter::SIGNUPS.to_owned(), -1)],
        )?);
        items.push(total_item(&self.table, &id.to_string(), &gauges)?);
        items.extend(audit.puts(&self.table, &nonce())?);
        self.commit(items).await
    }

    /// A deleted user's saved cards and card settings (`CARD…` under the
    /// user): one `Query`, then a `DeleteItem` each.
    async fn delete_cards(&self, id: TelegramId) -> Result<(), StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :card)")
            .expression_attribute_values(":pk", s(keys::user(id)))
            .expression_attribute_values(":card", s("CARD"))
            .projection_expression("SK")
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        for item in out.items() {
            let Some(sk) = item.get("SK").cloned() else {
                continue;
            };
            self.client
                .delete_item()
                .table_name(&self.table)
                .key("PK", s(keys::user(id)))
                .key("SK", sk)
                .send()
                .boxed()
                .await
                .map_err(StoreError::from_sdk)?;
        }
        Ok(())
    }

    /// What is kept of a deleted user: the panel account id, if any.
    pub async fn gone_panel_id(&self, id: TelegramId) -> Result<Option<i64>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::gone(id)))
            .key("SK", s("GONE"))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.as_ref().and_then(|i| i.i64("panel_id")))
    }

    /// Lets a user take the trial again (the subscription itself is kept).
    /// A user still on the trial leaves the trial bucket (their end stays).
    pub async fn reset_trial(&self, id: TelegramId, audit: &Audit) -> Result<Change, StoreError> {
        let Some(profile) = self.ends_of(id).await? else {
            return Ok(Change::Stale);
        };
        let seen = End::of(&profile);
        let mut upd =
            user_update(&self.table, id).update_expression("REMOVE trial_used, trial_end");
        let mut items = Vec::new();
        let counted = Counted::of(&profile);
        upd = match seen {
            Some(e) if e.trial => {
                // Counted: it moves from the trial count; not yet: the
                // backfill will count it as it is then.
                if counted.marked {
                    items.extend(ends_items(
                        &self.table,
                        &id.to_string(),
                        Some(e),
                        Some(End { trial: false, ..e }),
                    )?);
                }
                upd.condition_expression(format!(
                    "attribute_exists(trial_used) AND sub_end = :end AND trial_end = :end AND {}",
                    counted.condition()
                ))
                .expression_attribute_values(":end", n(e.at))
            }
            _ => upd.condition_expression(
                "attribute_exists(trial_used) AND (attribute_not_exists(trial_end) \
                 OR attribute_not_exists(sub_end) OR trial_end <> sub_end)",
            ),
        };
        items.insert(0, update_item(upd)?);
        items.extend(audit.puts(&self.table, &nonce())?);
        self.commit(items).await
    }

    fn admin_ledger(
        &self,
        id: TelegramId,
        audit: &Audit,
        op: &str,
        kind: &str,
        extra: impl FnOnce(
            aws_sdk_dynamodb::types::builders::PutBuilder,
        ) -> aws_sdk_dynamodb::types::builders::PutBuilder,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .item("PK", s(keys::user(id)))
            .item("SK", s(format!("LEDGER#{:011}#adm-{op}#{kind}", audit.at)))
            .item("kind", s(kind))
            .item("order_id", s(format!("adm-{op}")))
            .item("at", n(audit.at))
            .item("admin", n(audit.admin))
            .condition_expression("attribute_not_exists(PK)");
        Ok(TransactWriteItem::builder()
            .put(extra(put).build().map_err(build_err)?)
            .build())
    }

    async fn commit(&self, items: Vec<TransactWriteItem>) -> Result<Change, StoreError> {
        Ok(match self.try_transact(items).await? {
            true => Change::Done,
            false => Change::Stale,
        })
    }
}

impl Store {
    /// Finds a user by username, without `@`, any case (GSI3).
    pub async fn find_by_username(&self, name: &str) -> Result<Option<TelegramId>, StoreError> {
        self.user_by_index("GSI3", keys::username(name)).await
    }
}
