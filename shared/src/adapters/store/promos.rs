//! Promo codes: one item per code, one marker per activation, and the
//! per-user counter of wrong guesses. The activation itself (a transaction
//! over the code, the marker and the user) is `domains::growth::promo`.

use super::attrs::{ItemExt, n, s};
use super::keys::{self, expiry_pk, expiry_sk};
use super::orders::{build_err, extend};
use super::stats::{Counted, End, ends_items};
use super::{Item, Store, StoreError, Transacted, unless_condition_failed};
use crate::adapters::pay::Money;
use crate::base::types::{Kopecks, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem, Update};
use futures::FutureExt;

/// GSI1 partition of every promo code (the admin list, oldest first).
pub const PROMOS_GSI: &str = "PROMOS";
/// Sort key of a promo code's item.
pub const PROMO_SK: &str = "PROMO";

/// Partition key of a promo code and its activations.
pub fn promo_key(code: &str) -> String {
    format!("PROMO#{code}")
}

/// Sort key of `user`'s activation of a code.
pub fn activation_sk(user: TelegramId) -> String {
    format!("ACT#{user}")
}

/// What a promo code gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoKind {
    /// Days added to the subscription.
    Days(u32),
    /// Percent off the next purchase of a period.
    Discount(u32),
    /// Kopecks on the balance.
    Balance(u64),
}

impl PromoKind {
    /// The stored name of the kind.
    pub fn code(self) -> &'static str {
        match self {
            PromoKind::Days(_) => "days",
            PromoKind::Discount(_) => "discount",
            PromoKind::Balance(_) => "balance",
        }
    }

    /// The stored number: days, percent or kopecks.
    pub fn value(self) -> u64 {
        match self {
            PromoKind::Days(d) | PromoKind::Discount(d) => u64::from(d),
            PromoKind::Balance(k) => k,
        }
    }

    /// Reads a stored kind and value.
    pub fn parse(kind: &str, value: u64) -> Option<PromoKind> {
        match kind {
            "days" => u32::try_from(value).ok().map(PromoKind::Days),
            "discount" => u32::try_from(value).ok().map(PromoKind::Discount),
            "balance" => Some(PromoKind::Balance(value)),
            _ => None,
        }
    }
}

/// A promo code as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promo {
    /// The code, upper case.
    pub code: String,
    /// What it gives.
    pub kind: PromoKind,
    /// How many activations it allows; `None` = unlimited.
    pub limit: Option<u64>,
    /// Activations so far.
    pub used: u64,
    /// Valid before this time (unix seconds); `None` = for ever.
    pub until: Option<i64>,
    /// Switched on (admins deactivate and reactivate it).
    pub active: bool,
    /// When it was made.
    pub created_at: i64,
}

impl Promo {
    fn from_item(item: &Item) -> Result<Promo, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt {
            key: item.str("PK").unwrap_or("?").to_owned(),
            what: what.to_owned(),
        };
        Ok(Promo {
            code: item.str("code").ok_or_else(|| corrupt("code"))?.to_owned(),
            kind: item
                .str("kind")
                .zip(item.u64("value"))
                .and_then(|(k, v)| PromoKind::parse(k, v))
                .ok_or_else(|| corrupt("kind"))?,
            limit: item.u64("max"),
            used: item.u64("used").unwrap_or_default(),
            until: item.i64("until"),
            active: item.flag("active"),
            created_at: item.i64("created_at").unwrap_or_default(),
        })
    }

    /// Whether the limit is reached.
    pub fn exhausted(&self) -> bool {
        self.limit.is_some_and(|l| self.used >= l)
    }

    /// Whether it has run out of time at `now`.
    pub fn expired(&self, now: i64) -> bool {
        self.until.is_some_and(|u| u <= now)
    }
}

/// One activation of a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoActivation {
    /// Who activated it.
    pub user: TelegramId,
    /// When, unix seconds.
    pub at: i64,
}

/// What an admin changes on a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoEdit {
    /// Switch on or off.
    Active(bool),
    /// New activation limit (`None` = unlimited).
    Limit(Option<u64>),
    /// New end of validity (`None` = for ever).
    Until(Option<i64>),
}

impl Store {
    /// Writes a new code; false when the code exists.
    pub async fn create_promo(&self, promo: &Promo, by: TelegramId) -> Result<bool, StoreError> {
        let fresh = Promo {
            used: 0,
            ..promo.clone()
        };
        self.put_new_promo(&fresh, "created_by", n(by)).await
    }

    /// Writes a code brought over from another bot (`source` names it),
    /// with the activations it had there; false when the code exists here
    /// (made by an admin, or by an earlier import run): it stays as it is.
    pub async fn import_promo(&self, promo: &Promo, source: &str) -> Result<bool, StoreError> {
        self.put_new_promo(promo, "imported", s(source)).await
    }

    /// The write that records that `user` activated `code` in another bot
    /// at `at` (part of the user's import): the same marker an activation
    /// here puts, so the code is not activated twice.
    pub fn imported_activation_write(
        &self,
        code: &str,
        user: TelegramId,
        at: i64,
    ) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .item("PK", s(promo_key(code)))
            .item("SK", s(activation_sk(user)))
            .item("user", n(user))
            .item("at", n(at))
            .item("imported", AttributeValue::Bool(true))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Dynamo(e.to_string()))?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder()
            .put(put)
            .build())
    }

    /// Puts `promo` (with its `used`) unless the code exists, with one
    /// attribute saying who made it.
    async fn put_new_promo(
        &self,
        promo: &Promo,
        origin: &str,
        by: AttributeValue,
    ) -> Result<bool, StoreError> {
        let mut req = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(promo_key(&promo.code)))
            .item("SK", s(PROMO_SK))
            .item("code", s(&promo.code))
            .item("kind", s(promo.kind.code()))
            .item("value", n(promo.kind.value()))
            .item("used", n(promo.used))
            .item("active", AttributeValue::Bool(promo.active))
            .item("created_at", n(promo.created_at))
            .item(origin, by)
            .item("GSI1PK", s(PROMOS_GSI))
            .item(
                "GSI1SK",
                s(format!("{:011}#{}", promo.created_at, promo.code)),
            )
            .condition_expression("attribute_not_exists(PK)");
        if let Some(l) = promo.limit {
            req = req.item("max", n(l));
        }
        if let Some(u) = promo.until {
            req = req.item("until", n(u));
        }
        Ok(unless_condition_failed(req.send().boxed().await)?.is_some())
    }

    /// Reads a code (strongly consistent: activation decides on it).
    pub async fn get_promo(&self, code: &str) -> Result<Option<Promo>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(promo_key(code)))
            .key("SK", s(PROMO_SK))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        out.item.as_ref().map(Promo::from_item).transpose()
    }

    /// A page of codes, oldest first (GSI1 `PROMOS`); `after` is the
    /// previous page's cursor (the last code's GSI1 sort key).
    pub async fn promo_page(
        &self,
        after: Option<&str>,
        size: i32,
    ) -> Result<(Vec<Promo>, Option<String>), StoreError> {
        let (items, next) = self
            .gsi1_page(PROMOS_GSI, after, size, |sk| {
                let code = sk.split_once('#').map(|(_, c)| c).unwrap_or_default();
                (promo_key(code), PROMO_SK.to_owned())
            })
            .await?;
        let promos = items
            .iter()
            .map(Promo::from_item)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((promos, next))
    }

    /// The newest activations of a code, up to `limit`.
    pub async fn promo_activations(
        &self,
        code: &str,
        limit: i32,
    ) -> Result<Vec<PromoActivation>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :act)")
            .expression_attribute_values(":pk", s(promo_key(code)))
            .expression_attribute_values(":act", s("ACT#"))
            .limit(limit)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out
            .items()
            .iter()
            .filter_map(|i| {
                Some(PromoActivation {
                    user: TelegramId(i.i64("user")?),
                    at: i.i64("at").unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Whether `user` activated `code`.
    pub async fn promo_activated_by(
        &self,
        code: &str,
        user: TelegramId,
    ) -> Result<bool, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(promo_key(code)))
            .key("SK", s(activation_sk(user)))
            .consistent_read(true)
            .projection_expression("PK")
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.is_some())
    }

    /// Changes one thing about a code; false when there is no such code.
    pub async fn edit_promo(&self, code: &str, edit: PromoEdit) -> Result<bool, StoreError> {
        let req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(promo_key(code)))
            .key("SK", s(PROMO_SK))
            .condition_expression("attribute_exists(PK)")
            .return_values(ReturnValue::None);
        let req = match edit {
            PromoEdit::Active(on) => req
                .update_expression("SET active = :v")
                .expression_attribute_values(":v", AttributeValue::Bool(on)),
            PromoEdit::Limit(Some(l)) => req
                .update_expression("SET #max = :v")
                .expression_attribute_names("#max", "max")
                .expression_attribute_values(":v", n(l)),
            PromoEdit::Limit(None) => req
                .update_expression("REMOVE #max")
                .expression_attribute_names("#max", "max"),
            PromoEdit::Until(Some(u)) => req
                .update_expression("SET #until = :v")
                .expression_attribute_names("#until", "until")
                .expression_attribute_values(":v", n(u)),
            PromoEdit::Until(None) => req
                .update_expression("REMOVE #until")
                .expression_attribute_names("#until", "until"),
        };
        Ok(unless_condition_failed(req.send().boxed().await)?.is_some())
    }

    /// Deletes a code and its activation markers (so the same code made
    /// again starts fresh); false when there was no such code.
    pub async fn delete_promo(&self, code: &str) -> Result<bool, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(promo_key(code)))
            .key("SK", s(PROMO_SK))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        let existed = out.attributes.is_some();
        let mut start: Option<Item> = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :act)")
                .expression_attribute_values(":pk", s(promo_key(code)))
                .expression_attribute_values(":act", s("ACT#"))
                .projection_expression("PK, SK");
            if let Some(k) = start.take() {
                q = q.set_exclusive_start_key(Some(k));
            }
            let page = q.send().boxed().await.map_err(StoreError::from_sdk)?;
            for item in page.items() {
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(item.clone()))
                    .send()
                    .boxed()
                    .await
                    .map_err(StoreError::from_sdk)?;
            }
            match page.last_evaluated_key() {
                Some(k) => start = Some(k.clone()),
                None => break,
            }
        }
        Ok(existed)
    }

    /// Wrong promo guesses of `user` in the last window: the window
    /// containing `now` plus the part of the one before that the last
    /// `window_secs` still cover (a sliding window, so the count does not
    /// drop to zero on the hour). The two counters are read at once.
    pub async fn promo_guesses(
        &self,
        user: TelegramId,
        window_secs: i64,
        now: i64,
    ) -> Result<u64, StoreError> {
        let window = window_secs.max(1);
        let read = |at: i64| {
            self.client
                .get_item()
                .table_name(&self.table)
                .key("PK", s(guess_key(user, window, at)))
                .key("SK", s("RATE"))
                .send()
                .boxed()
        };
        let (current, previous) =
            tokio::try_join!(read(now), read(now - window)).map_err(StoreError::from_sdk)?;
        let count = |out: aws_sdk_dynamodb::operation::get_item::GetItemOutput| {
            out.item.and_then(|i| i.u64("c")).unwrap_or_default()
        };
        Ok(sliding_count(count(current), count(previous), window, now))
    }

    /// Counts one wrong promo guess of `user`.
    pub async fn add_promo_guess(
        &self,
        user: TelegramId,
        window_secs: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(guess_key(user, window_secs, now)))
            .key("SK", s("RATE"))
            .update_expression("ADD c :one SET #ttl = :ttl")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", n(now + window_secs * 2 + 60))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }
}

/// `current` plus `previous` weighted by how much of the previous window
/// the last `window` seconds still cover, rounded up (one guess left in
/// it still counts).
fn sliding_count(current: u64, previous: u64, window: i64, now: i64) -> u64 {
    let left = (window - now.rem_euclid(window)) as u64;
    current + (previous * left).div_ceil(window as u64)
}

fn guess_key(user: TelegramId, window_secs: i64, now: i64) -> String {
    format!("RATE#promo#{user}#{}", now.div_euclid(window_secs.max(1)))
}

/// What an activation gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gift {
    /// Days; the new subscription end.
    Days {
        /// Days added.
        days: u32,
        /// The new end.
        end: i64,
    },
    /// A discount on the next purchase.
    Discount {
        /// Percent off.
        percent: u32,
        /// Usable until.
        until: i64,
    },
    /// Money on the balance.
    Balance(Kopecks),
}

/// What one transaction attempt found.
pub enum Try {
    /// Committed: what the user got.
    Done(Gift),
    /// The user had activated it before.
    AlreadyUsed,
    /// The code changed or ran out meanwhile: re-read it.
    CodeChanged,
    /// The user's end date moved meanwhile: re-read and retry.
    UserChanged,
}

impl Store {
    /// One attempt at activating `promo` for `user`: the code's count, the
    /// user's marker, the gift and its ledger row in one transaction; a
    /// discount is held for `discount_secs` (or until the code ends).
    pub async fn try_activate(
        &self,
        promo: &Promo,
        user: TelegramId,
        now: i64,
        discount_secs: i64,
    ) -> Result<Try, StoreError> {
        let code_update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(promo_key(&promo.code)))
            .key("SK", s(PROMO_SK))
            .update_expression("ADD used :one")
            .condition_expression(
                "active = :on AND (attribute_not_exists(#max) OR used < #max) AND (attribute_not_exists(#until) OR #until > :now)",
            )
            .expression_attribute_names("#max", "max")
            .expression_attribute_names("#until", "until")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":on", AttributeValue::Bool(true))
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(build_err)?;
        let marker = Put::builder()
            .table_name(&self.table)
            .item("PK", s(promo_key(&promo.code)))
            .item("SK", s(activation_sk(user)))
            .item("user", n(user))
            .item("at", n(now))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_err)?;
        let mut user_update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE));
        let mut end_moves = Vec::new();
        let (gift, ledger) = match promo.kind {
            PromoKind::Days(days) => {
                let profile = self.user_ends(user).await?;
                let old_end = profile.i64("sub_end");
                let end = extend(old_end, now, days);
                let counted = Counted::of(&profile);
                end_moves = ends_items(
                    &self.table,
                    &user.to_string(),
                    counted.old,
                    End::moved(&profile, end),
                )?;
                let mark = counted.condition();
                user_update = user_update
                    .update_expression(format!(
                        "SET sub_end = :end, GSI2PK = :exp, GSI2SK = :expsk, {}",
                        Counted::SET
                    ))
                    .expression_attribute_values(Counted::VALUE, n(1))
                    .expression_attribute_values(":end", n(end))
                    .expression_attribute_values(":exp", s(expiry_pk(end)))
                    .expression_attribute_values(":expsk", s(expiry_sk(user, end)));
                user_update = match old_end {
                    Some(old) => user_update
                        .condition_expression(format!(
                            "attribute_exists(created_at) AND sub_end = :old AND {mark}"
                        ))
                        .expression_attribute_values(":old", n(old)),
                    None => user_update.condition_expression(format!(
                        "attribute_exists(created_at) AND attribute_not_exists(sub_end) AND {mark}"
                    )),
                };
                (
                    Gift::Days { days, end },
                    Some(("promo_days", None, Some(days))),
                )
            }
            PromoKind::Balance(k) => {
                user_update = user_update
                    .update_expression("ADD balance :k")
                    .condition_expression("attribute_exists(created_at)")
                    .expression_attribute_values(":k", n(k));
                (
                    Gift::Balance(Kopecks(k)),
                    Some(("promo_balance", Some(Money::rub(Kopecks(k))), None)),
                )
            }
            PromoKind::Discount(percent) => {
                let until = match promo.until {
                    Some(u) => u.min(now + discount_secs),
                    None => now + discount_secs,
                };
                user_update = user_update
                    .update_expression(
                        "SET discount_pct = :p, discount_until = :u, discount_code = :c \
                         REMOVE discount_order, discount_hold",
                    )
                    .condition_expression("attribute_exists(created_at)")
                    .expression_attribute_values(":p", n(percent))
                    .expression_attribute_values(":u", n(until))
                    .expression_attribute_values(":c", s(&promo.code));
                (Gift::Discount { percent, until }, None)
            }
        };
        let mut items = vec![
            TransactWriteItem::builder().update(code_update).build(),
            TransactWriteItem::builder().put(marker).build(),
            TransactWriteItem::builder()
                .update(user_update.build().map_err(build_err)?)
                .build(),
        ];
        items.append(&mut end_moves);
        if let Some((kind, amount, days)) = ledger {
            let mut put = Put::builder()
                .table_name(&self.table)
                .item("PK", s(keys::user(user)))
                .item(
                    "SK",
                    s(format!("LEDGER#{now:011}#promo-{}#{kind}", promo.code)),
                )
                .item("kind", s(kind))
                .item("order_id", s(format!("promo-{}", promo.code)))
                .item("at", n(now))
                .condition_expression("attribute_not_exists(PK)");
            if let Some(m) = amount {
                put = put
                    .item("amount", n(m.minor()))
                    .item("currency", s(m.currency()));
            }
            if let Some(d) = days {
                put = put.item("days", n(d));
            }
            items.push(
                TransactWriteItem::builder()
                    .put(put.build().map_err(build_err)?)
                    .build(),
            );
        }
        Ok(match self.transact(items).await? {
            Transacted::Committed => Try::Done(gift),
            canceled if canceled.condition_failed(1) => Try::AlreadyUsed,
            canceled if canceled.condition_failed(0) => Try::CodeChanged,
            Transacted::Canceled(_) => Try::UserChanged,
        })
    }

    /// The user's `sub_end` and `trial_end` (consistent read; empty when
    /// the user does not exist).
    async fn user_ends(&self, user: TelegramId) -> Result<Item, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE))
            .consistent_read(true)
            .projection_expression("sub_end, trial_end, in_ends")
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::sliding_count;

    #[test]
    fn the_guess_count_slides_over_the_hour() {
        // Ten guesses late in one hour still count a minute into the next.
        assert_eq!(sliding_count(0, 10, 3600, 3600 * 5 + 60), 10);
        // Halfway through, half of them.
        assert_eq!(sliding_count(2, 10, 3600, 3600 * 5 + 1800), 7);
        // At the end of the window, the previous hour is all but gone.
        assert_eq!(sliding_count(3, 10, 3600, 3600 * 6 - 1), 4);
        assert_eq!(sliding_count(3, 0, 3600, 3600 * 6 - 1), 3);
    }
}
