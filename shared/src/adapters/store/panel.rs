//! The panel side of the user item: the linked panel account, the traffic
//! cache, the panel's last reported status, and the once-ever trial.

use super::attrs::{n, s};
use super::stats::{Counted, End, count_items, counter, ends_items};
use super::users::{PanelLink, Traffic, User};
use super::{Item, Read, Store, StoreError, keys, unless_condition_failed};
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use futures::FutureExt;
use std::collections::HashMap;

/// What a sync learned about the user's panel account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelAccount {
    /// Id and short id.
    pub link: PanelLink,
    /// Subscription link.
    pub sub_url: String,
    /// Its Happ crypt4 form, when crypt4 is on (stored beside it).
    pub crypt4: Option<String>,
    /// Status the panel reported.
    pub status: String,
    /// Traffic figures the panel reported.
    pub traffic: Traffic,
    /// When the VPN was last used and first connected, as the panel says.
    pub seen: Seen,
}

/// When a user's VPN was last used and first connected (unix seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// Last online (`userTraffic.onlineAt`).
    pub online_at: Option<i64>,
    /// First connection (`userTraffic.firstConnectedAt`).
    pub first_connected: Option<i64>,
}

impl Seen {
    /// The update clauses and values that record it: the last time online
    /// as reported, the first connection only if none is recorded.
    fn clauses(self) -> (String, Vec<(&'static str, AttributeValue)>) {
        let mut expr = String::new();
        let mut values = Vec::new();
        if let Some(at) = self.online_at {
            expr.push_str(", online_at = :online");
            values.push((":online", n(at)));
        }
        if let Some(at) = self.first_connected {
            expr.push_str(", first_conn = if_not_exists(first_conn, :fc)");
            values.push((":fc", n(at)));
        }
        (expr, values)
    }
}

/// What a panel event says about the user's account now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PanelFacts {
    /// Status.
    pub status: String,
    /// Id, short id and link, when the event carries them.
    pub account: Option<(PanelLink, String)>,
    /// The link's Happ crypt4 form, when crypt4 is on.
    pub crypt4: Option<String>,
    /// Traffic used and the limit, bytes.
    pub traffic: Option<(u64, u64)>,
    /// Last online, first connection.
    pub seen: Seen,
}

/// Writes a [`PanelAccount`] (values from [`account_values`]).
const SET_ACCOUNT: &str = "SET panel_id = :pid, panel_short_uuid = :short, sub_url = :url, \
     c4_of = :url, c4_link = :c4, \
     panel_status = :st, traffic_used = :used, traffic_limit = :limit, traffic_at = :at";

/// The condition every write here carries: the user item exists (an update
/// must never create a half item for an unknown id).
const USER_EXISTS: &str = "attribute_exists(created_at)";

impl Store {
    /// Runs an update on the user's profile under `condition`; `Ok(false)`
    /// when the condition did not hold.
    async fn update_user_if(
        &self,
        id: TelegramId,
        expr: &str,
        condition: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<bool, StoreError> {
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .update_expression(expr)
            .condition_expression(condition);
        for (k, v) in values {
            req = req.expression_attribute_values(*k, v.clone());
        }
        Ok(unless_condition_failed(req.send().boxed().await)?.is_some())
    }

    /// Stores the panel account a sync created, adopted or updated.
    /// `Ok(false)` when the user item does not exist.
    pub async fn save_panel_account(
        &self,
        id: TelegramId,
        acct: &PanelAccount,
    ) -> Result<bool, StoreError> {
        let (seen, mut values) = acct.seen.clauses();
        values.extend(account_values(acct));
        self.update_user_if(id, &format!("{SET_ACCOUNT}{seen}"), USER_EXISTS, &values)
            .await
    }

    /// Records what a panel event at `at` says, unless a later event or
    /// sync already spoke (the status, the link, the traffic); the first
    /// connection and the last time online are kept whatever the order.
    /// `Ok(false)` when the event was older than what is recorded.
    pub async fn apply_panel_facts(
        &self,
        id: TelegramId,
        facts: &PanelFacts,
        at: i64,
    ) -> Result<bool, StoreError> {
        let mut expr = "SET panel_status = :st, panel_status_at = :at".to_owned();
        let mut values = vec![(":st", s(&facts.status)), (":at", n(at))];
        if let Some((link, url)) = &facts.account {
            expr.push_str(
                ", panel_short_uuid = :short, sub_url = :url, c4_of = :url, c4_link = :c4",
            );
            values.push((":short", s(&link.short_uuid)));
            values.push((":url", s(url)));
            values.push((":c4", s(facts.crypt4.as_deref().unwrap_or_default())));
        }
        if let Some((used, limit)) = facts.traffic {
            expr.push_str(", traffic_used = :used, traffic_limit = :limit, traffic_at = :at");
            values.push((":used", n(used)));
            values.push((":limit", n(limit)));
        }
        let (seen, seen_values) = facts.seen.clauses();
        let newer = self
            .update_user_if(
                id,
                &format!("{expr}{seen}"),
                "attribute_exists(created_at) AND (attribute_not_exists(panel_status_at) OR panel_status_at <= :at)",
                &[values, seen_values.clone()].concat(),
            )
            .await?;
        if !newer && facts.seen.first_connected.is_some() {
            // A late event still tells when the VPN was first used.
            let (seen, values) = Seen {
                online_at: None,
                ..facts.seen
            }
            .clauses();
            self.update_user_if(
                id,
                &format!("SET {}", seen.trim_start_matches(", ")),
                USER_EXISTS,
                &values,
            )
            .await?;
        }
        Ok(newer)
    }

    /// Claims a reissue of `id`'s link at `now`, if the last one is at least
    /// `cooldown` seconds old: `Ok(Ok(previous))` with the time of the one
    /// before, `Ok(Err(last))` with the last one's time when too soon.
    pub async fn claim_reissue(
        &self,
        id: TelegramId,
        previous: Option<i64>,
        now: i64,
        cooldown: i64,
    ) -> Result<Result<Option<i64>, i64>, StoreError> {
        if let Some(last) = previous.filter(|last| *last > now - cooldown) {
            return Ok(Err(last));
        }
        let claimed = match previous {
            Some(last) => {
                self.update_user_if(
                    id,
                    "SET revoked_at = :now",
                    "revoked_at = :last",
                    &[(":now", n(now)), (":last", n(last))],
                )
                .await?
            }
            None => {
                self.update_user_if(
                    id,
                    "SET revoked_at = :now",
                    "attribute_exists(created_at) AND attribute_not_exists(revoked_at)",
                    &[(":now", n(now))],
                )
                .await?
            }
        };
        // Lost to a concurrent reissue: that one is the last now.
        Ok(if claimed { Ok(previous) } else { Err(now) })
    }

    /// Gives back a claimed reissue the panel did not do.
    pub async fn undo_reissue(
        &self,
        id: TelegramId,
        claimed: i64,
        previous: Option<i64>,
    ) -> Result<bool, StoreError> {
        match previous {
            Some(p) => {
                self.update_user_if(
                    id,
                    "SET revoked_at = :p",
                    "revoked_at = :c",
                    &[(":p", n(p)), (":c", n(claimed))],
                )
                .await
            }
            None => {
                self.update_user_if(
                    id,
                    "REMOVE revoked_at",
                    "revoked_at = :c",
                    &[(":c", n(claimed))],
                )
                .await
            }
        }
    }

    /// The panel deleted the account of a user without paid time left: it
    /// is not re-created until they pay (the crediting transaction removes
    /// the mark).
    pub async fn mark_panel_gone(&self, id: TelegramId) -> Result<bool, StoreError> {
        self.update_user_if(
            id,
            "SET panel_gone = :t",
            USER_EXISTS,
            &[(":t", AttributeValue::Bool(true))],
        )
        .await
    }

    /// The panel reset the user's traffic: the counter is back at zero and
    /// the packs bought for the reset period are gone with it.
    pub async fn traffic_was_reset(&self, id: TelegramId, at: i64) -> Result<bool, StoreError> {
        self.update_user_if(
            id,
            "SET traffic_used = :zero, traffic_at = :at, xgb = :zero, xgb_old = :zero",
            USER_EXISTS,
            &[(":zero", n(0)), (":at", n(at))],
        )
        .await
    }

    /// Links a panel account found by reconciliation, unless the user is
    /// already linked to one. `Ok(false)` when nothing was written.
    pub async fn adopt_panel_account(
        &self,
        id: TelegramId,
        acct: &PanelAccount,
    ) -> Result<bool, StoreError> {
        self.update_user_if(
            id,
            SET_ACCOUNT,
            "attribute_exists(created_at) AND attribute_not_exists(panel_id)",
            &account_values(acct),
        )
        .await
    }

    /// Forgets a panel account the panel no longer has (deleted there), so
    /// the next sync creates or finds another. Only if it is still `panel_id`.
    pub async fn forget_panel_account(
        &self,
        id: TelegramId,
        panel_id: i64,
    ) -> Result<bool, StoreError> {
        self.update_user_if(
            id,
            "REMOVE panel_id, panel_short_uuid, traffic_used, traffic_limit, traffic_at",
            "panel_id = :pid",
            &[(":pid", n(panel_id))],
        )
        .await
    }

    /// Caches traffic figures and status read from the panel.
    pub async fn save_traffic(
        &self,
        id: TelegramId,
        traffic: Traffic,
        status: &str,
    ) -> Result<bool, StoreError> {
        self.update_user_if(
            id,
            "SET traffic_used = :used, traffic_limit = :limit, traffic_at = :at, panel_status = :st",
            USER_EXISTS,
            &[
                (":used", n(traffic.used)),
                (":limit", n(traffic.limit)),
                (":at", n(traffic.at)),
                (":st", s(status)),
            ],
        )
        .await
    }

    /// Records a status the panel announced at `at` (a webhook), unless a
    /// later announcement was already recorded (webhooks can arrive out of
    /// order). The traffic cache is dropped: it is stale now.
    pub async fn set_panel_status(
        &self,
        id: TelegramId,
        status: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        self.update_user_if(
            id,
            "SET panel_status = :st, panel_status_at = :at REMOVE traffic_at",
            "attribute_exists(created_at) AND (attribute_not_exists(panel_status_at) OR panel_status_at <= :at)",
            &[(":st", s(status)), (":at", n(at))],
        )
        .await
    }

    /// Drops the cached traffic figures (devices or limits changed on the panel).
    pub async fn drop_traffic_cache(&self, id: TelegramId) -> Result<bool, StoreError> {
        self.update_user_if(id, "REMOVE traffic_at", USER_EXISTS, &[])
            .await
    }

    /// Remembers whether the bot itself disabled the panel user.
    pub async fn set_panel_disabled_by_us(
        &self,
        id: TelegramId,
        disabled: bool,
    ) -> Result<bool, StoreError> {
        if disabled {
            self.update_user_if(
                id,
                "SET panel_disabled_by_us = :t",
                USER_EXISTS,
                &[(":t", AttributeValue::Bool(true))],
            )
            .await
        } else {
            self.update_user_if(id, "REMOVE panel_disabled_by_us", USER_EXISTS, &[])
                .await
        }
    }

    /// Starts the free trial: once per user ever, and not over an active
    /// subscription. One transaction: the user's write (conditional on the
    /// end `old` the caller read, so concurrent presses start it once), the
    /// end buckets and the trials counter. `Ok(false)` when the user already
    /// had it, is subscribed, or their end changed since it was read.
    /// `campaign`: the campaign the user came from, whose trials counter is
    /// in the same transaction.
    pub async fn activate_trial(
        &self,
        id: TelegramId,
        old: Option<i64>,
        counted: Counted,
        campaign: Option<&str>,
        now: i64,
        end: i64,
    ) -> Result<bool, StoreError> {
        // A user an admin deleted who had the trial does not get it again.
        let gone = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::gone(id)))
            .key("SK", s("GONE"))
            .projection_expression("trial_used")
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        if gone.item.is_some_and(|i| i.contains_key("trial_used")) {
            return Ok(false);
        }
        let mut upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .update_expression(format!(
                "SET trial_used = :now, trial_end = :end, sub_end = :end, GSI2PK = :exp, \
                 GSI2SK = :expsk, {}",
                Counted::SET
            ))
            .expression_attribute_values(Counted::VALUE, n(1))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":end", n(end))
            .expression_attribute_values(":exp", s(super::keys::expiry_pk(end)))
            .expression_attribute_values(":expsk", s(super::keys::expiry_sk(id, end)));
        let mark = counted.condition();
        upd = match old {
            Some(o) => upd
                .condition_expression(format!(
                    "attribute_exists(created_at) AND attribute_not_exists(trial_used) \
                     AND sub_end = :old AND sub_end <= :now AND {mark}"
                ))
                .expression_attribute_values(":old", n(o)),
            None => upd.condition_expression(format!(
                "attribute_exists(created_at) AND attribute_not_exists(trial_used) \
                 AND attribute_not_exists(sub_end) AND {mark}"
            )),
        };
        let upd = upd.build().map_err(|e| StoreError::Dynamo(e.to_string()))?;
        let key = id.to_string();
        let mut items = vec![TransactWriteItem::builder().update(upd).build()];
        items.extend(ends_items(
            &self.table,
            &key,
            counted.old,
            Some(End {
                at: end,
                trial: true,
            }),
        )?);
        items.extend(count_items(
            &self.table,
            now,
            &key,
            &[(counter::TRIALS.to_owned(), 1)],
        )?);
        if let Some(param) = campaign {
            items.push(self.campaign_count_item(param, "trials")?);
        }
        self.transact_if(items).await
    }

    /// Moves the subscription end forward to `end` (never back): a later
    /// expiry found on the panel during reconciliation, from the end `old`
    /// the caller read (the write is conditional on it, with the end
    /// buckets in the same transaction). `Ok(false)` when the end changed
    /// since, ours is already as late, or a refund capped the end below
    /// `end` (the panel still shows days that were taken back).
    pub async fn extend_sub_end_to(
        &self,
        id: TelegramId,
        old: Option<i64>,
        counted: Counted,
        trial_end: Option<i64>,
        end: i64,
    ) -> Result<bool, StoreError> {
        let mut upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .update_expression(format!(
                "SET sub_end = :end, GSI2PK = :exp, GSI2SK = :expsk, {}",
                Counted::SET
            ))
            .expression_attribute_values(Counted::VALUE, n(1))
            .expression_attribute_values(":end", n(end))
            .expression_attribute_values(":exp", s(super::keys::expiry_pk(end)))
            .expression_attribute_values(":expsk", s(super::keys::expiry_sk(id, end)));
        let mark = counted.condition();
        upd = match old {
            Some(o) => upd
                .condition_expression(format!(
                    "attribute_exists(created_at) AND sub_end = :old AND sub_end < :end \
                     AND (attribute_not_exists(refund_cap) OR refund_cap >= :end) AND {mark}"
                ))
                .expression_attribute_values(":old", n(o)),
            None => upd.condition_expression(format!(
                "attribute_exists(created_at) AND attribute_not_exists(sub_end) \
                 AND (attribute_not_exists(refund_cap) OR refund_cap >= :end) AND {mark}"
            )),
        };
        let upd = upd.build().map_err(|e| StoreError::Dynamo(e.to_string()))?;
        let mut items = vec![TransactWriteItem::builder().update(upd).build()];
        items.extend(ends_items(
            &self.table,
            &id.to_string(),
            counted.old,
            Some(End {
                at: end,
                trial: trial_end == Some(end),
            }),
        )?);
        self.transact_if(items).await
    }

    /// Reads many users at once (`BatchGetItem`, 100 keys a call); unknown
    /// ids are left out.
    pub async fn get_users(&self, ids: &[TelegramId]) -> Result<Vec<User>, StoreError> {
        let mut users = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(100) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|id| {
                    HashMap::from([
                        ("PK".to_owned(), s(keys::user(*id))),
                        ("SK".to_owned(), s(keys::PROFILE)),
                    ])
                })
                .collect();
            for item in self.batch_get(keys, Read::Eventual, None).await? {
                if item.contains_key("created_at") {
                    users.push(User::from_item(&item)?);
                }
            }
        }
        Ok(users)
    }
}

fn account_values(acct: &PanelAccount) -> Vec<(&'static str, AttributeValue)> {
    vec![
        (":pid", n(acct.link.id)),
        (":short", s(&acct.link.short_uuid)),
        (":url", s(&acct.sub_url)),
        (":c4", s(acct.crypt4.as_deref().unwrap_or_default())),
        (":st", s(&acct.status)),
        (":used", n(acct.traffic.used)),
        (":limit", n(acct.traffic.limit)),
        (":at", n(acct.traffic.at)),
    ]
}
