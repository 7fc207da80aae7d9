//! The envelope every interactive update pays, on the user's own item, in
//! one conditional `UpdateItem`: the at-most-once mark of its `update_id`,
//! the last-seen touch (registration on first contact) and the rate window.
//!
//! - **Processed updates**: the number set `ui` holds the user's recent
//!   `update_id`s and `uf` a floor below which every id counts as processed
//!   (`uft`: when the floor was last raised). The write's condition is
//!   `NOT contains(ui, id) AND (no floor OR uf < id OR the floor is a week
//!   old)`, so of two deliveries of one update exactly one passes, while
//!   two different updates of the user pass in any order (DynamoDB
//!   serialises the two `ADD`s on the item).
//! - **Rate window**: the number set `ut` holds one entry per request, its
//!   time in milliseconds ×1000 plus a random 0–999 (so two requests in one
//!   millisecond stay two); the count in the window is read from the
//!   written item, a sliding window.
//! - **Pruning**: when the sets grow past [`PRUNE_IDS`] ids or
//!   [`prune_times`] entries, one more write (every 20th update or so)
//!   drops all but the [`KEEP_IDS`] newest ids, raising the floor to the
//!   highest id dropped, and the times outside the window.
//!
//! How long a re-delivery is recognised: forever while its id is in the set
//! or under a floor younger than a week. Telegram gives up re-delivering
//! long before (a day), and it restarts `update_id`s at a random value only
//! after a week without any update: a floor is never trusted across such a
//! restart. What is refused wrongly: an update never processed whose id is
//! under the floor, i.e. older than ten of the same user's updates that
//! were processed after it (a failing update retried while the user went on
//! pressing ten other buttons); it is dropped as stale.

use super::attrs::{n, s};
use super::users::{Touched, User, Visitor};
use super::{Item, Store, StoreError, keys};
use crate::base::config::RateLimit;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use futures::FutureExt;

/// Ids kept in the set after a prune.
pub const KEEP_IDS: usize = 10;
/// The set is pruned once it holds more ids than this.
pub const PRUNE_IDS: usize = 30;
/// A floor older than this is not trusted (Telegram restarts ids at random
/// after a week without updates).
pub const FLOOR_TRUST_SECS: i64 = 7 * 86_400;

/// What an update brings to the envelope.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    /// Telegram's `update_id`.
    pub update_id: u64,
    /// Mark it processed (false for updates that move money: they are
    /// exactly-once by their order, and a crash must let the retry finish).
    pub once: bool,
}

impl Delivery {
    /// The registration nonce of this update: the touch that creates the
    /// user writes it, so a re-delivery of the same update recognises the
    /// registration as its own.
    pub fn nonce(&self) -> String {
        format!("u{}", self.update_id)
    }
}

/// What the envelope write found.
#[derive(Debug)]
pub enum Entered {
    /// First delivery: serve it.
    Fresh {
        /// The user after the touch.
        touched: Box<Touched>,
        /// Requests in the rate window, this one included (0 without a limit).
        recent: u64,
        /// The prune this write calls for, if the sets have grown.
        prune: Option<Prune>,
    },
    /// Already processed. `unfinished`: this very update created the user
    /// and their registration was never completed (the first delivery died
    /// in between): complete it now.
    Duplicate {
        /// The user, when the registration is this update's and unfinished.
        unfinished: Option<Box<User>>,
    },
}

/// One prune of a user's envelope sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prune {
    /// Ids dropped from `ui`.
    pub ids: Vec<i64>,
    /// The new floor (the highest id dropped), when ids are dropped.
    pub floor: Option<i64>,
    /// Entries dropped from `ut`.
    pub times: Vec<i64>,
}

/// The size of `ut` that calls for a prune with a limit of `limit` requests.
pub fn prune_times(limit: u64) -> usize {
    (2 * (limit as usize + 1)).max(PRUNE_IDS)
}

/// A rate entry for `now_ms`: milliseconds ×1000 plus a random 0–999.
fn time_entry(now_ms: i64) -> i64 {
    let random = uuid::Uuid::new_v4().as_u128();
    now_ms * 1000 + (random % 1000) as i64
}

fn number_set(item: &Item, name: &str) -> Vec<i64> {
    match item.get(name) {
        Some(AttributeValue::Ns(v)) => v.iter().filter_map(|x| x.parse().ok()).collect(),
        _ => Vec::new(),
    }
}

/// Requests in the window ending at `now_ms`, and the prune due, from the
/// sets as written. Pure, for the unit tests.
pub fn assess(
    ids: &[i64],
    times: &[i64],
    now_ms: i64,
    window_secs: Option<u32>,
    limit: u64,
) -> (u64, Option<Prune>) {
    let since = window_secs.map(|w| (now_ms - i64::from(w) * 1000) * 1000);
    let recent = since.map_or(0, |since| {
        times.iter().filter(|t| **t > since).count() as u64
    });
    let mut prune = Prune {
        ids: Vec::new(),
        floor: None,
        times: Vec::new(),
    };
    if ids.len() > PRUNE_IDS {
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        prune.ids = sorted[..sorted.len() - KEEP_IDS].to_vec();
        prune.floor = prune.ids.last().copied();
    }
    if times.len() > prune_times(limit) || !prune.ids.is_empty() {
        let mut sorted = times.to_vec();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        // Newest first: keep those in the window, at most one over the limit
        // (enough to know the limit is exceeded).
        let keep = limit as usize + 1;
        prune.times = sorted
            .iter()
            .enumerate()
            .filter(|(i, t)| *i >= keep || since.is_none_or(|since| **t <= since))
            .map(|(_, t)| *t)
            .collect();
    }
    let due = !prune.ids.is_empty() || !prune.times.is_empty();
    (recent, due.then_some(prune))
}

impl Store {
    /// The envelope write of one update by `visitor` (see the module):
    /// one `UpdateItem`, which also registers a new user, and counts the
    /// request in the window of `rate` when a limit is configured.
    pub async fn enter(
        &self,
        visitor: &Visitor,
        delivery: Delivery,
        now: i64,
        now_ms: i64,
        rate: Option<RateLimit>,
    ) -> Result<Entered, StoreError> {
        let nonce = delivery.nonce();
        let (mut req, set, remove) = self.touch_request(visitor, now, &nonce);
        let mut add = Vec::new();
        if delivery.once {
            add.push("ui :uid");
            req = req
                .condition_expression(
                    "NOT contains(ui, :upd) AND (attribute_not_exists(uf) OR uf < :upd OR uft < :trust)",
                )
                .expression_attribute_values(":uid", AttributeValue::Ns(vec![delivery.update_id.to_string()]))
                .expression_attribute_values(":upd", n(delivery.update_id))
                .expression_attribute_values(":trust", n(now - FLOOR_TRUST_SECS))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
        }
        if rate.is_some() {
            add.push("ut :ut");
            req = req.expression_attribute_values(
                ":ut",
                AttributeValue::Ns(vec![time_entry(now_ms).to_string()]),
            );
        }
        let mut expr = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expr.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        if !add.is_empty() {
            expr.push_str(&format!(" ADD {}", add.join(", ")));
        }
        let result = req
            .update_expression(expr)
            .return_values(ReturnValue::AllNew)
            .send()
            .boxed()
            .await;
        match result {
            Ok(out) => {
                let item = out.attributes.unwrap_or_default();
                let user = User::from_item(&item)?;
                let registered = user.registration_open(&nonce);
                let (recent, prune) = assess(
                    &number_set(&item, "ui"),
                    &number_set(&item, "ut"),
                    now_ms,
                    rate.map(|r| r.window_secs),
                    rate.map_or(0, |r| u64::from(r.requests)),
                );
                Ok(Entered::Fresh {
                    touched: Box::new(Touched { user, registered }),
                    recent,
                    prune,
                })
            }
            Err(SdkError::ServiceError(e)) => match e.err() {
                UpdateItemError::ConditionalCheckFailedException(c) => {
                    let old = c.item().map(User::from_item).transpose()?;
                    tracing::info!(user = %visitor.id, update_id = delivery.update_id, "duplicate update ignored");
                    Ok(Entered::Duplicate {
                        unfinished: old.filter(|u| u.registration_open(&nonce)).map(Box::new),
                    })
                }
                _ => Err(StoreError::from_sdk(SdkError::ServiceError(e))),
            },
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Drops what [`assess`] found old from the user's envelope sets.
    pub async fn prune_envelope(
        &self,
        user: crate::base::types::TelegramId,
        prune: &Prune,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut delete = Vec::new();
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE));
        let mut condition = "attribute_exists(PK)".to_owned();
        let mut set = None;
        if !prune.ids.is_empty() {
            delete.push("ui :ids");
            req = req.expression_attribute_values(
                ":ids",
                AttributeValue::Ns(prune.ids.iter().map(i64::to_string).collect()),
            );
        }
        if let Some(floor) = prune.floor {
            // Floors only rise: of two racing prunes the higher one stays.
            condition.push_str(" AND (attribute_not_exists(uf) OR uf <= :f)");
            set = Some("SET uf = :f, uft = :now");
            req = req
                .expression_attribute_values(":f", n(floor))
                .expression_attribute_values(":now", n(now));
        }
        if !prune.times.is_empty() {
            delete.push("ut :ts");
            req = req.expression_attribute_values(
                ":ts",
                AttributeValue::Ns(prune.times.iter().map(i64::to_string).collect()),
            );
        }
        if delete.is_empty() {
            return Ok(());
        }
        let expr = format!("{} DELETE {}", set.unwrap_or_default(), delete.join(", "));
        let result = req
            .update_expression(expr.trim())
            .condition_expression(condition)
            .send()
            .boxed()
            .await;
        super::unless_condition_failed(result)?;
        Ok(())
    }

    /// Gives an update's mark back after its handling failed, so Telegram's
    /// re-delivery does the work.
    pub async fn forget_update(
        &self,
        user: crate::base::types::TelegramId,
        update_id: u64,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE))
            .update_expression("DELETE ui :uid")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":uid", AttributeValue::Ns(vec![update_id.to_string()]))
            .send()
            .boxed()
            .await;
        super::unless_condition_failed(result)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: i64 = 1_800_000_000_000;

    #[test]
    fn the_window_counts_only_its_own_requests() {
        let t = |ago_ms: i64, r: i64| (NOW_MS - ago_ms) * 1000 + r;
        let times = [
            t(0, 5),
            t(0, 6),
            t(59_000, 1),
            t(61_000, 1),
            t(3_600_000, 0),
        ];
        let (recent, prune) = assess(&[1, 2], &times, NOW_MS, Some(60), 10);
        assert_eq!(recent, 3);
        assert_eq!(prune, None, "small sets are left alone");
        assert_eq!(assess(&[1], &times, NOW_MS, None, 10).0, 0);
    }

    #[test]
    fn a_prune_keeps_the_newest_ids_and_raises_the_floor_to_the_highest_dropped() {
        let ids: Vec<i64> = (100..100 + PRUNE_IDS as i64 + 1).rev().collect();
        let (_, prune) = assess(&ids, &[], NOW_MS, None, 10);
        let prune = prune.expect("due");
        assert_eq!(prune.ids.len(), PRUNE_IDS + 1 - KEEP_IDS);
        assert_eq!(prune.floor, Some(100 + (PRUNE_IDS - KEEP_IDS) as i64));
        assert!(prune.ids.iter().all(|i| *i <= prune.floor.unwrap()));
        let (_, none) = assess(&ids[..PRUNE_IDS], &[], NOW_MS, None, 10);
        assert_eq!(none, None);
    }

    #[test]
    fn a_prune_drops_times_outside_the_window_and_beyond_one_over_the_limit() {
        let limit = 3;
        let inside: Vec<i64> = (0..prune_times(limit) as i64)
            .map(|i| (NOW_MS - i * 10) * 1000)
            .collect();
        let mut times = inside.clone();
        times.push((NOW_MS - 120_000) * 1000);
        let (recent, prune) = assess(&[], &times, NOW_MS, Some(60), limit);
        assert_eq!(recent, inside.len() as u64);
        let prune = prune.expect("due");
        assert_eq!(prune.floor, None);
        assert_eq!(prune.times.len(), times.len() - (limit as usize + 1));
        for kept in &inside[..=limit as usize] {
            assert!(!prune.times.contains(kept), "the newest stay");
        }
    }
}
