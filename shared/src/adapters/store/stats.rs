//! Business counters, kept up to date as events happen, so the stats screen
//! reads a few small items instead of the users.
//!
//! Items live in one partition, `STATS`: `DAY#<yyyy-mm-dd>#<shard>` per day
//! and `TOTAL#<shard>` for all time. Each writer picks a shard from a hash
//! of its event (an order id, a user id), so concurrent transactions rarely
//! touch the same item; a reader sums the shards. Reading 30 days is one
//! `Query` (`SK BETWEEN`), the totals another.

use super::attrs::{ItemExt, n, s};
use super::keys::day_of;
use super::{Item, Store, StoreError};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use futures::FutureExt;
use std::collections::BTreeMap;

/// Counter shards per day and for the totals.
pub const SHARDS: u64 = 8;
/// Partition of the counters.
pub const PK: &str = "STATS";

/// Counter names.
pub mod counter {
    /// Users registered.
    pub const SIGNUPS: &str = "signups";
    /// Trials started.
    pub const TRIALS: &str = "trials";
    /// Plan purchases (any provider, the balance included).
    pub const PLANS: &str = "plans";
    /// A user's first plan purchase.
    pub const FIRST_PLANS: &str = "first_plans";
    /// Refunds recorded.
    pub const REFUNDS: &str = "refunds";
    /// Users banned now (totals only; +1 on a ban, −1 on an unban).
    pub const BANNED: &str = "banned";
    /// Users who have blocked the bot now (totals only; +1 when we learn of
    /// a block, −1 when they come back).
    pub const BLOCKED: &str = "blocked";
    /// Users who ever had a subscription end (in `ENDS#EVER#<shard>`, not
    /// the totals; counted by the writers that keep the end buckets, see
    /// [`super::ends_items`]).
    pub const WITH_END: &str = "with_end";
    /// Money received from a provider, `rev_<provider>_<currency>` in minor units.
    pub fn revenue(provider: &str, currency: &str) -> String {
        format!("rev_{provider}_{currency}")
    }
    /// Sales of a kind of product (`plan`, `devices`, `traffic`), the
    /// balance's included, `sold_<kind>_<currency>` in minor units.
    pub fn sold(kind: &str, currency: &str) -> String {
        format!("sold_{kind}_{currency}")
    }
}

/// The shard an event with key `key` counts into.
pub fn shard_of(key: &str) -> u64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(key.as_bytes());
    u64::from(d[0]) % SHARDS
}

/// Sort key of a day's shard.
pub fn day_sk(day: &str, shard: u64) -> String {
    format!("DAY#{day}#{shard}")
}

/// Sort key of a totals shard.
pub fn total_sk(shard: u64) -> String {
    format!("TOTAL#{shard}")
}

/// Counters summed over shards: per day (`yyyy-mm-dd`) and all time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Per day, oldest first.
    pub days: BTreeMap<String, BTreeMap<String, i64>>,
    /// All time.
    pub totals: BTreeMap<String, i64>,
}

impl Counters {
    /// A counter of one day (0 when nothing happened).
    pub fn day(&self, day: &str, name: &str) -> i64 {
        self.days
            .get(day)
            .and_then(|m| m.get(name))
            .copied()
            .unwrap_or(0)
    }

    /// A counter summed over the days from `from` (inclusive, `yyyy-mm-dd`).
    pub fn since(&self, from: &str, name: &str) -> i64 {
        self.days
            .range(from.to_owned()..)
            .filter_map(|(_, m)| m.get(name))
            .sum()
    }

    /// An all-time counter.
    pub fn total(&self, name: &str) -> i64 {
        self.totals.get(name).copied().unwrap_or(0)
    }
}

/// The two `ADD` updates (day shard and totals shard) that count `adds` at
/// `now`, for a caller's transaction.
pub fn count_items(
    table: &str,
    now: i64,
    key: &str,
    adds: &[(String, i64)],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let shard = shard_of(key);
    [day_sk(&day_of(now), shard), total_sk(shard)]
        .into_iter()
        .map(|sk| {
            let upd = add_update(table, sk, adds)
                .build()
                .map_err(|e| StoreError::Dynamo(e.to_string()))?;
            Ok(TransactWriteItem::builder().update(upd).build())
        })
        .collect()
}

/// Like [`count_items`] for events of different days (`(when, counter,
/// delta)`): one update per day shard and one for the totals shard, as a
/// transaction may touch each item once.
pub fn count_items_on_days(
    table: &str,
    key: &str,
    events: &[(i64, String, i64)],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let shard = shard_of(key);
    let mut days: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    let mut totals: Vec<(String, i64)> = Vec::new();
    for (at, name, delta) in events {
        days.entry(day_sk(&day_of(*at), shard))
            .or_default()
            .push((name.clone(), *delta));
        totals.push((name.clone(), *delta));
    }
    if events.is_empty() {
        return Ok(Vec::new());
    }
    days.into_iter()
        .chain([(total_sk(shard), totals)])
        .map(|(sk, adds)| {
            let upd = add_update(table, sk, &adds)
                .build()
                .map_err(|e| StoreError::Dynamo(e.to_string()))?;
            Ok(TransactWriteItem::builder().update(upd).build())
        })
        .collect()
}

/// The `ADD` update of the day shard of `at` alone (no totals): the day
/// side of a change whose totals go in the caller's own totals update (a
/// transaction may touch each item once).
pub fn day_item(
    table: &str,
    at: i64,
    key: &str,
    adds: &[(String, i64)],
) -> Result<TransactWriteItem, StoreError> {
    let upd = add_update(table, day_sk(&day_of(at), shard_of(key)), adds)
        .build()
        .map_err(|e| StoreError::Dynamo(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(upd).build())
}

/// The `ADD` update of the totals shard alone (no day): for a change to an
/// all-time count that is not an event of the day (a deleted user).
pub fn total_item(
    table: &str,
    key: &str,
    adds: &[(String, i64)],
) -> Result<TransactWriteItem, StoreError> {
    let upd = add_update(table, total_sk(shard_of(key)), adds)
        .build()
        .map_err(|e| StoreError::Dynamo(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(upd).build())
}

fn add_update(
    table: &str,
    sk: String,
    adds: &[(String, i64)],
) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    let mut upd = Update::builder()
        .table_name(table)
        .key("PK", s(PK))
        .key("SK", s(sk));
    let mut parts = Vec::new();
    for (i, (name, v)) in adds.iter().enumerate() {
        parts.push(format!("#c{i} :c{i}"));
        upd = upd
            .expression_attribute_names(format!("#c{i}"), name)
            .expression_attribute_values(format!(":c{i}"), n(v));
    }
    upd.update_expression(format!("ADD {}", parts.join(", ")))
}

impl Store {
    /// The counters of the days `from..=to` (`yyyy-mm-dd`) and all time:
    /// two queries on the `STATS` partition, whatever the number of users.
    pub async fn counters(&self, from: &str, to: &str) -> Result<Counters, StoreError> {
        let mut out = Counters::default();
        let day_range = [(":a", format!("DAY#{from}")), (":b", format!("DAY#{to}#~"))];
        let total_prefix = [(":a", "TOTAL#".to_owned())];
        let days = self.query_stats("PK = :pk AND SK BETWEEN :a AND :b", &day_range);
        let totals = self.query_stats("PK = :pk AND begins_with(SK, :a)", &total_prefix);
        let (days, totals) = tokio::try_join!(Box::pin(days), Box::pin(totals))?;
        for item in days {
            let Some(day) = item
                .str("SK")
                .and_then(|sk| sk.strip_prefix("DAY#"))
                .and_then(|r| r.split('#').next())
            else {
                continue;
            };
            let entry = out.days.entry(day.to_owned()).or_default();
            add_numbers(entry, &item);
        }
        for item in totals {
            add_numbers(&mut out.totals, &item);
        }
        Ok(out)
    }

    async fn query_stats(
        &self,
        cond: &str,
        values: &[(&str, String)],
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression(cond)
                .expression_attribute_values(":pk", s(PK))
                .set_exclusive_start_key(start);
            for (k, v) in values {
                req = req.expression_attribute_values(*k, s(v));
            }
            let page = req.send().boxed().await.map_err(StoreError::from_sdk)?;
            items.extend(page.items().iter().cloned());
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(items);
            }
        }
    }
}

fn add_numbers(into: &mut BTreeMap<String, i64>, item: &Item) {
    for name in item.keys() {
        if name == "PK" || name == "SK" {
            continue;
        }
        if let Some(v) = item.i64(name) {
            *into.entry(name.clone()).or_default() += v;
        }
    }
}

/// Sort key of the subscription ends of a day's shard (`ENDS#<day>#<shard>`,
/// attributes `sub`: subscriptions ending that day, `trial`: of them, trials).
pub fn ends_sk(day: &str, shard: u64) -> String {
    format!("ENDS#{day}#{shard}")
}

/// A user's subscription end as the end buckets see it: when it ends and
/// whether that end is the trial's (`trial_end = sub_end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    /// `sub_end`.
    pub at: i64,
    /// The end is the trial's.
    pub trial: bool,
}

impl End {
    /// The end of a profile item, if it has one.
    pub fn of(item: &Item) -> Option<End> {
        let at = item.i64("sub_end")?;
        Some(End {
            at,
            trial: item.i64("trial_end") == Some(at),
        })
    }

    /// The end of a profile item once its `sub_end` moves to `at`.
    pub fn moved(item: &Item, at: i64) -> Option<End> {
        Some(End {
            at,
            trial: item.i64("trial_end") == Some(at),
        })
    }
}

/// Profile attribute (`1`): the user's end is in the end buckets. Users
/// whose end was set before the buckets existed lack it until a writer
/// moves their end or the backfill (`Store::backfill_ends`) counts it.
pub const COUNTED: &str = "in_ends";

/// How a writer of `sub_end` keeps the buckets right for one profile it
/// read: the end the buckets hold (`old` for [`ends_items`]), and the
/// condition and `SET` it adds to its update of the profile, so that it
/// marks the user counted and a backfill that counted them in between
/// fails its write instead of counting them twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// The end the buckets hold for the user (`None` when not counted).
    pub old: Option<End>,
    /// Whether the profile read was marked.
    pub marked: bool,
}

impl Counted {
    /// From the profile item as read.
    pub fn of(item: &Item) -> Counted {
        let marked = item.contains_key(COUNTED);
        Counted {
            old: if marked { End::of(item) } else { None },
            marked,
        }
    }

    /// From the user's end and mark as read (`sub_end`, `trial_end`).
    pub fn read(marked: bool, sub_end: Option<i64>, trial_end: Option<i64>) -> Counted {
        Counted {
            old: sub_end.filter(|_| marked).map(|at| End {
                at,
                trial: trial_end == Some(at),
            }),
            marked,
        }
    }

    /// The condition on the mark as read.
    pub fn condition(&self) -> &'static str {
        if self.marked {
            "attribute_exists(in_ends)"
        } else {
            "attribute_not_exists(in_ends)"
        }
    }

    /// The `SET` clause that marks the user (value `:in_ends`).
    pub const SET: &'static str = "in_ends = :in_ends";
    /// The value name of [`Counted::SET`].
    pub const VALUE: &'static str = ":in_ends";
}

/// A move of one user's end: `(user id, old, new)`.
pub type EndMove = (String, Option<End>, Option<End>);

/// The `ADD` updates that move user `user`'s end from `old` to `new` in the
/// end buckets (−1 on the old day, +1 on the new one, `trial` likewise) and,
/// for a first end, count the user in `with_end` (`ENDS#EVER#<shard>`; a
/// `new` of `None`, a deleted user, takes them out): for the transaction
/// that moves the end. Nothing when the day and kind stay.
pub fn ends_items(
    table: &str,
    user: &str,
    old: Option<End>,
    new: Option<End>,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    ends_items_all(table, &[(user.to_owned(), old, new)])
}

/// [`ends_items`] for several users moved in one transaction (a buyer and
/// their inviter): one update per bucket item, as a transaction may touch
/// an item once.
pub fn ends_items_all(
    table: &str,
    moves: &[EndMove],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut by_sk: BTreeMap<String, BTreeMap<&str, i64>> = BTreeMap::new();
    for (user, old, new) in moves {
        let shard = shard_of(user);
        for (end, sign) in [(old, -1), (new, 1)] {
            if let Some(e) = end {
                let slot = by_sk.entry(ends_sk(&day_of(e.at), shard)).or_default();
                *slot.entry("sub").or_default() += sign;
                *slot.entry("trial").or_default() += if e.trial { sign } else { 0 };
            }
        }
        // A first end counts the user in `with_end`; a deleted user's end
        // leaves it.
        let ever = match (old, new) {
            (None, Some(_)) => 1,
            (Some(_), None) => -1,
            _ => 0,
        };
        if ever != 0 {
            *by_sk
                .entry(ends_sk("EVER", shard))
                .or_default()
                .entry(counter::WITH_END)
                .or_default() += ever;
        }
    }
    let mut out = Vec::new();
    for (sk, sums) in by_sk {
        let adds: Vec<(String, i64)> = sums
            .into_iter()
            .filter(|(_, v)| *v != 0)
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        if adds.is_empty() {
            continue;
        }
        let upd = add_update(table, sk, &adds)
            .build()
            .map_err(|e| StoreError::Dynamo(e.to_string()))?;
        out.push(TransactWriteItem::builder().update(upd).build());
    }
    Ok(out)
}

/// Users by where their subscription stands, from the end buckets and the
/// totals. Ends are counted by UTC day: a subscription that ended earlier
/// today still counts as active until midnight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// Users whose subscription ends today or later.
    pub active: i64,
    /// Of them, on the trial (the end is the trial's).
    pub trial: i64,
    /// Users who ever had a subscription end.
    pub with_end: i64,
    /// Users registered.
    pub users: i64,
    /// Users who bought a plan at least once.
    pub paid: i64,
    /// Users banned now.
    pub banned: i64,
    /// Users who blocked the bot now.
    pub blocked: i64,
}

impl Standing {
    /// The standing from the all-time counters and the end buckets' sums.
    pub fn new(totals: &Counters, ends: Ends) -> Standing {
        Standing {
            active: ends.active,
            trial: ends.trial,
            with_end: ends.with_end,
            users: totals.total(counter::SIGNUPS),
            paid: totals.total(counter::FIRST_PLANS),
            banned: totals.total(counter::BANNED),
            blocked: totals.total(counter::BLOCKED),
        }
    }

    /// Users whose subscription has ended.
    pub fn expired(&self) -> i64 {
        (self.with_end - self.active).max(0)
    }

    /// Users who never bought a plan.
    pub fn never_paid(&self) -> i64 {
        (self.users - self.paid).max(0)
    }
}

/// The end buckets summed from a day on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ends {
    /// Subscriptions ending that day or later.
    pub active: i64,
    /// Of them, trials.
    pub trial: i64,
    /// Users who ever had an end (`ENDS#EVER#<shard>`, in the same range).
    pub with_end: i64,
}

impl Store {
    /// The end buckets summed from `today` (`yyyy-mm-dd`) on: one query on
    /// the `STATS` partition (`SK BETWEEN ENDS#<today> AND ENDS#~`: a few
    /// small items per day that has ends, and `ENDS#EVER#<shard>`, which
    /// sorts after the days), whatever the number of users.
    pub async fn ends_from(&self, today: &str) -> Result<Ends, StoreError> {
        let range = [(":a", format!("ENDS#{today}")), (":b", "ENDS#~".to_owned())];
        let items = self
            .query_stats("PK = :pk AND SK BETWEEN :a AND :b", &range)
            .await?;
        let mut sums = BTreeMap::new();
        for item in &items {
            add_numbers(&mut sums, item);
        }
        let get = |k: &str| sums.get(k).copied().unwrap_or(0);
        Ok(Ends {
            active: get("sub"),
            trial: get("trial"),
            with_end: get(counter::WITH_END),
        })
    }
}

/// What a run of [`Store::backfill_ends`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backfill {
    /// Profiles read (with an end and not counted when scanned).
    pub found: u64,
    /// Users counted into the end buckets by this run.
    pub counted: u64,
    /// Users a writer counted first (their end moved while the run read
    /// them): nothing to do.
    pub counted_by_writers: u64,
}

/// Profiles a backfill `Scan` page reads at most.
const BACKFILL_PAGE: i32 = 500;

impl Store {
    /// Counts in the end buckets every user whose end is not there yet
    /// (`in_ends` missing: ends set before the buckets existed): a paged
    /// `Scan` of profiles with an end and no mark (an operator's job, run
    /// by `scripts/count-ends` and after an import; never a request path),
    /// then one transaction a user: the mark, conditional on the end as
    /// read and still unmarked, with +1 on the end's day bucket (and trial)
    /// and on `with_end`. Idempotent: a counted user is marked, so a second
    /// run counts nobody; a user whose end moves meanwhile is re-read (a
    /// writer that moved it counted it).
    pub async fn backfill_ends(&self) -> Result<Backfill, StoreError> {
        let mut out = Backfill::default();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression(
                    "SK = :profile AND attribute_exists(created_at) \
                     AND attribute_exists(sub_end) AND attribute_not_exists(in_ends)",
                )
                .expression_attribute_values(":profile", s(super::keys::PROFILE))
                .projection_expression("tg_id, sub_end, trial_end, in_ends")
                .limit(BACKFILL_PAGE)
                .set_exclusive_start_key(start)
                .send()
                .boxed()
                .await
                .map_err(StoreError::from_sdk)?;
            for item in page.items() {
                let Some(id) = item.i64("tg_id") else {
                    continue;
                };
                out.found += 1;
                let mut seen = item.clone();
                // A few tries: each failure means a writer moved the end.
                for _ in 0..5 {
                    if Counted::of(&seen).marked || End::of(&seen).is_none() {
                        out.counted_by_writers += 1;
                        break;
                    }
                    if self.count_end(id, &seen).await? {
                        out.counted += 1;
                        break;
                    }
                    let Some(now) = self
                        .profile_item(
                            crate::base::types::TelegramId(id),
                            Some("tg_id, sub_end, trial_end, in_ends"),
                        )
                        .await?
                    else {
                        break;
                    };
                    seen = now;
                }
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(out);
            }
        }
    }

    /// One user into the buckets (see [`Store::backfill_ends`]); `false`
    /// when the profile is no longer as read.
    async fn count_end(&self, id: i64, seen: &Item) -> Result<bool, StoreError> {
        let Some(end) = End::of(seen) else {
            return Ok(false);
        };
        let mut upd = Update::builder()
            .table_name(&self.table)
            .key(
                "PK",
                s(super::keys::user(crate::base::types::TelegramId(id))),
            )
            .key("SK", s(super::keys::PROFILE))
            .update_expression(format!("SET {}", Counted::SET))
            .expression_attribute_values(Counted::VALUE, n(1))
            .expression_attribute_values(":end", n(end.at));
        upd = match seen.i64("trial_end") {
            Some(t) => upd
                .condition_expression(
                    "sub_end = :end AND trial_end = :trial AND attribute_not_exists(in_ends)",
                )
                .expression_attribute_values(":trial", n(t)),
            None => upd.condition_expression(
                "sub_end = :end AND attribute_not_exists(trial_end) \
                 AND attribute_not_exists(in_ends)",
            ),
        };
        let upd = upd.build().map_err(|e| StoreError::Dynamo(e.to_string()))?;
        let mut items = vec![TransactWriteItem::builder().update(upd).build()];
        items.extend(ends_items(&self.table, &id.to_string(), None, Some(end))?);
        self.transact_if(items).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_of_two_days_touch_each_item_once() {
        let day = 86_400 * 20_000;
        let keys = |items: Vec<TransactWriteItem>| -> Vec<String> {
            items
                .iter()
                .map(|i| {
                    let u = i.update().expect("an update");
                    format!("{:?}", u.key().get("SK").expect("sk"))
                })
                .collect()
        };
        let same = count_items_on_days(
            "t",
            "7",
            &[
                (day, "signups".into(), 1),
                (day + 60, "first_plans".into(), 1),
            ],
        )
        .expect("items");
        assert_eq!(keys(same).len(), 2, "the day and the totals");
        let two = keys(
            count_items_on_days(
                "t",
                "7",
                &[
                    (day, "signups".into(), 1),
                    (day + 86_400, "first_plans".into(), 1),
                ],
            )
            .expect("items"),
        );
        assert_eq!(two.len(), 3, "two days and the totals");
        let mut unique = two.clone();
        unique.dedup();
        assert_eq!(unique, two);
        assert!(count_items_on_days("t", "7", &[]).expect("none").is_empty());
    }

    fn end(at: i64, trial: bool) -> Option<End> {
        Some(End { at, trial })
    }

    #[test]
    fn a_move_within_a_day_writes_only_what_changes_and_moves_merge_per_item() {
        let day = 1_800_000_000;
        // Same day, same kind: nothing.
        assert!(
            ends_items("t", "1", end(day, false), end(day + 60, false))
                .expect("items")
                .is_empty()
        );
        // Same day, the trial's end no more: one update (trial −1).
        assert_eq!(
            ends_items("t", "1", end(day, true), end(day, false))
                .expect("items")
                .len(),
            1
        );
        // A first end: the day and `with_end`.
        assert_eq!(
            ends_items("t", "1", None, end(day, false))
                .expect("items")
                .len(),
            2
        );
        // Two users on one shard moving between the same days: one update
        // per item, as a transaction allows.
        let a = (0..100)
            .map(|i| i.to_string())
            .find(|u| u != "1" && shard_of(u) == shard_of("1"));
        let a = a.expect("a user on the same shard");
        let moves = vec![
            ("1".to_owned(), end(day, false), end(day + 86_400, false)),
            (a, None, end(day + 86_400, false)),
        ];
        let items = ends_items_all("t", &moves).expect("items");
        let keys: Vec<String> = items
            .iter()
            .map(|i| {
                i.update().expect("update").key()["SK"]
                    .as_s()
                    .expect("sk")
                    .clone()
            })
            .collect();
        let mut unique = keys.clone();
        unique.dedup();
        assert_eq!(keys.len(), unique.len());
        assert_eq!(keys.len(), 3, "{keys:?}");
    }

    #[test]
    fn an_unmarked_end_is_not_taken_from_its_day_and_a_deleted_end_leaves_with_end() {
        let day = 1_800_000_000;
        let mut item = Item::new();
        item.insert("sub_end".into(), n(day));
        item.insert("trial_end".into(), n(day));
        let unmarked = Counted::of(&item);
        assert_eq!((unmarked.old, unmarked.marked), (None, false));
        assert_eq!(unmarked.condition(), "attribute_not_exists(in_ends)");
        item.insert(COUNTED.into(), n(1));
        let marked = Counted::of(&item);
        assert_eq!(marked.old, end(day, true));
        assert_eq!(marked.condition(), "attribute_exists(in_ends)");
        assert_eq!(Counted::read(true, Some(day), Some(day)), marked);
        assert_eq!(Counted::read(false, Some(day), Some(day)), unmarked);
        // Deleted: −1 on the day (sub and trial) and −1 on `with_end`.
        let items = ends_items("t", "1", end(day, true), None).expect("items");
        let adds: Vec<String> = items
            .iter()
            .map(|i| {
                let u = i.update().expect("update");
                format!(
                    "{} {:?}",
                    u.key()["SK"].as_s().expect("sk"),
                    u.expression_attribute_values()
                        .expect("values")
                        .values()
                        .map(|v| v.as_n().expect("n").clone())
                        .collect::<Vec<_>>()
                )
            })
            .collect();
        assert_eq!(adds.len(), 2, "{adds:?}");
        assert!(adds.iter().all(|a| a.contains("\"-1\"")), "{adds:?}");
        assert!(adds.iter().any(|a| a.starts_with("ENDS#EVER#")), "{adds:?}");
    }
}
