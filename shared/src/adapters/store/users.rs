//! The user item: profile, language, balance, subscription, attribution.

use super::attrs::{ItemExt, n, s};
use super::{Item, Store, StoreError, Transacted, keys, unless_condition_failed};
use crate::base::types::{Kopecks, Lang, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use futures::FutureExt;

/// A bot user as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Telegram id.
    pub id: TelegramId,
    /// First name from Telegram.
    pub first_name: String,
    /// Last name from Telegram.
    pub last_name: Option<String>,
    /// Username from Telegram, without `@`.
    pub username: Option<String>,
    /// Language the bot speaks to this user.
    pub lang: Lang,
    /// Registration time, unix seconds.
    pub created_at: i64,
    /// Banned by an admin: the bot ignores the user.
    pub banned: bool,
    /// When the user blocked the bot, if they have.
    pub blocked_at: Option<i64>,
    /// This user's own referral code.
    pub ref_code: String,
    /// Who invited this user.
    pub referrer: Option<TelegramId>,
    /// How many users this one invited.
    pub referrals: u64,
    /// The ad campaign (start parameter) the user first came from.
    pub campaign: Option<String>,
    /// A promo code from a `promo_` deep link, not yet applied.
    pub pending_promo: Option<String>,
    /// In-bot balance.
    pub balance: Kopecks,
    /// End of the paid or trial subscription, unix seconds.
    pub sub_end: Option<i64>,
    /// The user's subscription link on the panel, once provisioned.
    pub subscription_url: Option<String>,
    /// Its Happ crypt4 form, with the link it was made for (`c4_of`,
    /// `c4_link`): made once per link (`crate::domains::access::crypt4`).
    pub crypt4: Option<(String, String)>,
    /// Required-channel membership was confirmed until this time.
    pub channel_ok_until: Option<i64>,
    /// What the bot asked the user to type next (e.g. `topup_amount`), and until when.
    pub waiting: Option<(String, i64)>,
    /// The user's account on the panel, once provisioned or adopted.
    pub panel: Option<PanelLink>,
    /// The last status the panel reported (`ACTIVE`, `EXPIRED`, `LIMITED`, `DISABLED`).
    pub panel_status: Option<String>,
    /// Traffic figures last read from the panel (a short-lived cache).
    pub traffic: Option<Traffic>,
    /// When the user took the free trial (once per user, ever).
    pub trial_used_at: Option<i64>,
    /// The subscription end the trial set: while `sub_end` still equals it,
    /// the subscription is the trial (trial traffic limit).
    pub trial_end: Option<i64>,
    /// The bot disabled the panel user (a ban); only then does it re-enable it.
    pub panel_disabled_by_us: bool,
    /// The subscription end is counted in the end buckets (`in_ends`).
    pub ends_counted: bool,
    /// Auto-renewal from the balance is on (the user's opt-in; projected
    /// onto the expiry index so the scheduler queues renewals only for them).
    pub renew_balance: bool,
    /// A promo discount held for the next purchase.
    pub discount: Option<Discount>,
    /// What this user's invitees brought them.
    pub referral_stats: ReferralStats,
    /// Extra device slots bought for the current period (`xdev`).
    pub extra_devices: u32,
    /// Traffic packs bought for the current period, bytes (`xgb`); in
    /// traffic sale mode, all the traffic bought.
    pub packs: u64,
    /// Pack traffic carried over from the period before, bytes (`xgb_old`).
    pub old_packs: u64,
    /// When the VPN was first connected, as the panel told (`first_conn`).
    pub first_connected: Option<i64>,
    /// When the VPN was last used, as the panel last told (`online_at`).
    pub online_at: Option<i64>,
    /// When the user last reissued their link (`revoked_at`).
    pub revoked_at: Option<i64>,
    /// The panel deleted the account while no paid time was left: not
    /// re-created until a payment (`panel_gone`).
    pub panel_gone: bool,
    /// Registration marker: equals the touch's nonce when that touch created the user.
    reg_nonce: String,
    /// The registration was completed (`reg_done`): counted and attributed.
    reg_done: bool,
}

/// A percent off the next purchase of a period, from a promo code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discount {
    /// Percent off, 1..=99.
    pub percent: u32,
    /// Usable before this time, unix seconds.
    pub until: i64,
    /// The code that gave it.
    pub code: String,
    /// The order that holds it, and until when (unix seconds): an order
    /// priced with the discount reserves it; only that order, paid before
    /// the hold ends, uses it up.
    pub reserved: Option<(String, i64)>,
}

impl Discount {
    /// Whether `order` holds the discount at `now`.
    pub fn held_by(&self, order: &str, now: i64) -> bool {
        self.reserved
            .as_ref()
            .is_some_and(|(o, until)| o == order && *until >= now)
    }

    /// The order other than `order` that holds the discount at `now`, if any.
    pub fn held_by_other(&self, order: &str, now: i64) -> Option<&str> {
        self.reserved
            .as_ref()
            .filter(|(o, until)| o != order && *until >= now)
            .map(|(o, _)| o.as_str())
    }
}

/// What a user's invitees brought them, counted as it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReferralStats {
    /// Invitees who paid at least once.
    pub paying: u64,
    /// Bonus days earned (net of refunds).
    pub days: i64,
    /// Bonus kopecks earned on the balance (net of refunds).
    pub money: i64,
}

impl User {
    /// Parses a stored profile item.
    pub fn from_item(item: &Item) -> Result<User, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt {
            key: item.str("PK").unwrap_or("?").to_owned(),
            what: what.to_owned(),
        };
        let id = item
            .i64("tg_id")
            .map(TelegramId)
            .ok_or_else(|| corrupt("no tg_id"))?;
        Ok(User {
            id,
            first_name: item.str("first_name").unwrap_or_default().to_owned(),
            last_name: item.str("last_name").map(str::to_owned),
            username: item.str("username").map(str::to_owned),
            lang: item
                .str("lang")
                .and_then(Lang::from_code)
                .unwrap_or_default(),
            created_at: item.i64("created_at").unwrap_or_default(),
            banned: item.flag("banned"),
            blocked_at: item.i64("blocked_at"),
            ref_code: item.str("ref_code").unwrap_or_default().to_owned(),
            referrer: item.i64("referrer").map(TelegramId),
            referrals: item.u64("referrals").unwrap_or_default(),
            campaign: item.str("campaign").map(str::to_owned),
            pending_promo: item.str("pending_promo").map(str::to_owned),
            balance: Kopecks(item.u64("balance").unwrap_or_default()),
            sub_end: item.i64("sub_end"),
            subscription_url: item.str("sub_url").map(str::to_owned),
            crypt4: item
                .str("c4_of")
                .zip(item.str("c4_link"))
                .filter(|(_, sealed)| !sealed.is_empty())
                .map(|(of, sealed)| (of.to_owned(), sealed.to_owned())),
            channel_ok_until: item.i64("channel_ok_until"),
            waiting: item
                .str("waiting")
                .zip(item.i64("waiting_until"))
                .map(|(w, until)| (w.to_owned(), until)),
            panel: item.i64("panel_id").map(|id| PanelLink {
                id,
                short_uuid: item.str("panel_short_uuid").unwrap_or_default().to_owned(),
            }),
            panel_status: item.str("panel_status").map(str::to_owned),
            traffic: match (
                item.u64("traffic_used"),
                item.u64("traffic_limit"),
                item.i64("traffic_at"),
            ) {
                (Some(used), Some(limit), Some(at)) => Some(Traffic { used, limit, at }),
                _ => None,
            },
            trial_used_at: item.i64("trial_used"),
            trial_end: item.i64("trial_end"),
            panel_disabled_by_us: item.flag("panel_disabled_by_us"),
            ends_counted: item.contains_key(super::stats::COUNTED),
            renew_balance: item.flag("renew_balance"),
            discount: match (
                item.u64("discount_pct"),
                item.i64("discount_until"),
                item.str("discount_code"),
            ) {
                (Some(p), Some(until), Some(code)) => Some(Discount {
                    percent: p as u32,
                    until,
                    code: code.to_owned(),
                    reserved: item
                        .str("discount_order")
                        .zip(item.i64("discount_hold"))
                        .map(|(order, until)| (order.to_owned(), until)),
                }),
                _ => None,
            },
            referral_stats: ReferralStats {
                paying: item.u64("ref_paying").unwrap_or_default(),
                days: item.i64("ref_days_earned").unwrap_or_default(),
                money: item.i64("ref_money_earned").unwrap_or_default(),
            },
            extra_devices: item.u64("xdev").unwrap_or_default() as u32,
            packs: item.u64("xgb").unwrap_or_default(),
            old_packs: item.u64("xgb_old").unwrap_or_default(),
            first_connected: item.i64("first_conn"),
            online_at: item.i64("online_at"),
            revoked_at: item.i64("revoked_at"),
            panel_gone: item.flag("panel_gone"),
            reg_nonce: item.str("reg_nonce").unwrap_or_default().to_owned(),
            reg_done: item.contains_key("reg_done"),
        })
    }

    /// Whether the touch with `nonce` created this user and the registration
    /// is still to be completed ([`Store::complete_registration`]).
    pub fn registration_open(&self, nonce: &str) -> bool {
        self.registered_by(nonce) && !self.reg_done
    }

    /// Whether the touch with `nonce` (an update's, see
    /// `envelope::Delivery::nonce`) is the one that created this user.
    pub fn registered_by(&self, nonce: &str) -> bool {
        self.reg_nonce == nonce
    }

    /// The discount the user holds at `now`, if any.
    pub fn discount_at(&self, now: i64) -> Option<&Discount> {
        self.discount.as_ref().filter(|d| d.until > now)
    }

    /// Whether the subscription is active at `now`.
    pub fn active(&self, now: i64) -> bool {
        self.sub_end.is_some_and(|end| end > now)
    }

    /// Whether the current subscription is the free trial (nothing paid
    /// has moved `sub_end` since the trial set it).
    pub fn on_trial(&self) -> bool {
        self.trial_end.is_some() && self.trial_end == self.sub_end
    }
}

/// A user's account on the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelLink {
    /// The panel's numeric user id.
    pub id: i64,
    /// The panel's short id (the last part of the subscription link). Panel
    /// 3.x has no other user uuid.
    pub short_uuid: String,
}

/// Traffic figures read from the panel at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    /// Bytes used in the current period.
    pub used: u64,
    /// Limit in bytes, 0 = unlimited.
    pub limit: u64,
    /// When they were read, unix seconds.
    pub at: i64,
}

/// Who is writing to the bot, as Telegram describes them on every update.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// Telegram id.
    pub id: TelegramId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: Option<String>,
    /// Username.
    pub username: Option<String>,
    /// Language for a new user (from Telegram's `language_code` or the default).
    pub lang: Lang,
}

/// The result of a touch: the user and whether this touch registered them.
#[derive(Debug, Clone)]
pub struct Touched {
    /// The user after the touch.
    pub user: User,
    /// True for exactly one touch per user: the one that created them.
    pub registered: bool,
}

/// First-touch attribution written once, at registration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attribution {
    /// The inviter.
    pub referrer: Option<TelegramId>,
    /// The ad campaign.
    pub campaign: Option<String>,
}

impl Store {
    /// Records that `visitor` is using the bot and returns their profile,
    /// creating it on first contact. Race-safe: of concurrent first touches,
    /// exactly one sees `registered`.
    pub async fn touch_user(
        &self,
        visitor: &Visitor,
        now: i64,
        nonce: &str,
    ) -> Result<Touched, StoreError> {
        let (req, set, remove) = self.touch_request(visitor, now, nonce);
        let expr = if remove.is_empty() {
            format!("SET {}", set.join(", "))
        } else {
            format!("SET {} REMOVE {}", set.join(", "), remove.join(", "))
        };
        let out = req
            .update_expression(expr)
            .return_values(ReturnValue::AllNew)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        let item = out.attributes.unwrap_or_default();
        let user = User::from_item(&item)?;
        let registered = user.registration_open(nonce);
        Ok(Touched { user, registered })
    }

    /// The touch's `UpdateItem` with its values, and its `SET` and `REMOVE`
    /// clauses, for [`Store::touch_user`] and the update envelope.
    pub(super) fn touch_request(
        &self,
        visitor: &Visitor,
        now: i64,
        nonce: &str,
    ) -> (
        aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
        Vec<&'static str>,
        Vec<&'static str>,
    ) {
        let code = crate::base::refcode::encode(visitor.id);
        let mut set = vec![
            "tg_id = :id",
            "first_name = :fn",
            "last_seen = :now",
            "created_at = if_not_exists(created_at, :now)",
            "reg_nonce = if_not_exists(reg_nonce, :nonce)",
            "lang = if_not_exists(lang, :lang)",
            "ref_code = if_not_exists(ref_code, :code)",
            "GSI1PK = if_not_exists(GSI1PK, :refpk)",
            "GSI1SK = if_not_exists(GSI1SK, :pk)",
        ];
        // `blocked_at` is cleared by the caller through `set_blocked`, which
        // keeps the stats' gauge: a user who writes has not blocked the bot.
        let mut remove = Vec::new();
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(visitor.id)))
            .key("SK", s(keys::PROFILE))
            .expression_attribute_values(":id", n(visitor.id))
            .expression_attribute_values(":fn", s(&visitor.first_name))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":nonce", s(nonce))
            .expression_attribute_values(":lang", s(visitor.lang.code()))
            .expression_attribute_values(":code", s(&code))
            .expression_attribute_values(":refpk", s(keys::ref_code(&code)))
            .expression_attribute_values(":pk", s(keys::user(visitor.id)));
        match &visitor.last_name {
            Some(v) => {
                set.push("last_name = :ln");
                req = req.expression_attribute_values(":ln", s(v));
            }
            None => remove.push("last_name"),
        }
        match &visitor.username {
            Some(v) => {
                set.push("username = :un");
                set.push("GSI3PK = :unpk");
                set.push("GSI3SK = :pk");
                req = req
                    .expression_attribute_values(":un", s(v))
                    .expression_attribute_values(":unpk", s(keys::username(v)));
            }
            None => remove.extend(["username", "GSI3PK", "GSI3SK"]),
        }
        (req, set, remove)
    }

    /// Completes the registration `user`'s touch opened, once: marks it
    /// done, writes the first-touch attribution, and counts the sign-up (day
    /// and totals), the inviter's referral and the campaign's start and
    /// user, all in one transaction. A deactivated campaign neither counts
    /// nor attributes. `Ok(false)`: already completed (a concurrent or
    /// earlier delivery did it).
    pub async fn complete_registration(
        &self,
        user: &User,
        attribution: &Attribution,
    ) -> Result<bool, StoreError> {
        let outcome = self
            .transact(self.registration_items(user, attribution)?)
            .await?;
        let campaign_refused = attribution.campaign.is_some() && outcome.last_condition_failed();
        let outcome = if campaign_refused {
            tracing::info!(user = %user.id, "campaign deactivated: not attributed");
            let without = Attribution {
                campaign: None,
                ..attribution.clone()
            };
            self.transact(self.registration_items(user, &without)?)
                .await?
        } else {
            outcome
        };
        match outcome {
            Transacted::Committed => Ok(true),
            done if done.condition_failed(0) => {
                tracing::info!(user = %user.id, "registration already completed by another delivery");
                Ok(false)
            }
            other => Err(other.into_error()),
        }
    }

    fn registration_items(
        &self,
        user: &User,
        attribution: &Attribution,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut set = vec!["reg_done = :at"];
        let mut upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(user.id)))
            .key("SK", s(keys::PROFILE))
            .condition_expression("reg_nonce = :nonce AND attribute_not_exists(reg_done)")
            .expression_attribute_values(":nonce", s(&user.reg_nonce))
            .expression_attribute_values(":at", n(user.created_at));
        if let Some(r) = attribution.referrer {
            set.push("referrer = if_not_exists(referrer, :ref)");
            upd = upd.expression_attribute_values(":ref", n(r));
        }
        if let Some(c) = &attribution.campaign {
            set.push("campaign = if_not_exists(campaign, :camp)");
            upd = upd.expression_attribute_values(":camp", s(c));
        }
        let mut items = vec![
            TransactWriteItem::builder()
                .update(
                    upd.update_expression(format!("SET {}", set.join(", ")))
                        .build()
                        .map_err(|e| StoreError::Dynamo(e.to_string()))?,
                )
                .build(),
        ];
        items.extend(super::stats::count_items(
            &self.table,
            user.created_at,
            &user.id.to_string(),
            &[(super::stats::counter::SIGNUPS.to_owned(), 1)],
        )?);
        if let Some(r) = attribution.referrer {
            items.push(counter(
                &self.table,
                keys::user(r),
                keys::PROFILE,
                "referrals",
            )?);
        }
        // Last, so a refusal names it: the campaign's start and user,
        // only while it is active.
        if let Some(c) = &attribution.campaign {
            items.push(self.campaign_registration_item(c)?);
        }
        Ok(items)
    }

    /// A user's profile item as stored, registered or not (a Tribute payer
    /// is credited before they ever open the bot), read consistently;
    /// `projection` names the attributes wanted (all when `None`).
    pub(crate) async fn profile_item(
        &self,
        id: TelegramId,
        projection: Option<&str>,
    ) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .set_projection_expression(projection.map(str::to_owned))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item)
    }

    /// Reserves the promo discount `code` the user holds for `order` until
    /// `until` (moving it from any other order); false when the user no
    /// longer holds that code at `now` (used, replaced or expired).
    pub async fn reserve_discount(
        &self,
        user: TelegramId,
        code: &str,
        order: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(user)))
            .key("SK", s(keys::PROFILE))
            .update_expression("SET discount_order = :o, discount_hold = :h")
            .condition_expression("discount_code = :c AND discount_until > :now")
            .expression_attribute_values(":o", s(order))
            .expression_attribute_values(":h", n(until))
            .expression_attribute_values(":c", s(code))
            .expression_attribute_values(":now", n(now))
            .send()
            .boxed()
            .await;
        Ok(unless_condition_failed(result)?.is_some())
    }

    /// Reads a user's profile.
    pub async fn get_user(&self, id: TelegramId) -> Result<Option<User>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        match out.item {
            Some(item) if item.contains_key("created_at") => Ok(Some(User::from_item(&item)?)),
            _ => Ok(None),
        }
    }

    /// Reads a user who may never have opened the bot (a Tribute payer is
    /// credited before that): any profile item that carries `tg_id`.
    pub async fn get_payer(&self, id: TelegramId) -> Result<Option<User>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        match out.item {
            Some(item) if item.contains_key("tg_id") => Ok(Some(User::from_item(&item)?)),
            _ => Ok(None),
        }
    }

    /// Finds the owner of a referral code (GSI1).
    pub async fn find_by_ref_code(&self, code: &str) -> Result<Option<TelegramId>, StoreError> {
        self.user_by_index("GSI1", keys::ref_code(code)).await
    }

    /// Sets the user's language.
    pub async fn set_language(&self, id: TelegramId, lang: Lang) -> Result<(), StoreError> {
        self.set_fields(id, "SET lang = :v", &[(":v", s(lang.code()))])
            .await
    }

    /// Keeps a promo code from a deep link until the promo feature applies it.
    pub async fn set_pending_promo(&self, id: TelegramId, code: &str) -> Result<(), StoreError> {
        self.set_fields(id, "SET pending_promo = :v", &[(":v", s(code))])
            .await
    }

    /// Forgets the promo code from a deep link once it was tried.
    pub async fn clear_pending_promo(&self, id: TelegramId) -> Result<(), StoreError> {
        self.set_fields(id, "REMOVE pending_promo", &[]).await
    }

    /// Remembers that the user is a member of the required channel until `until`.
    pub async fn set_channel_ok(&self, id: TelegramId, until: i64) -> Result<(), StoreError> {
        self.set_fields(id, "SET channel_ok_until = :v", &[(":v", n(until))])
            .await
    }

    /// Marks the user as having blocked the bot at `at` (or not, `None`),
    /// counting the change in the stats' "blocked the bot" gauge in the
    /// same transaction: only a real change counts (a second block, or an
    /// unblock of a user who never blocked, changes nothing).
    pub async fn set_blocked(&self, id: TelegramId, at: Option<i64>) -> Result<(), StoreError> {
        let (expr, cond, delta) = match at {
            Some(_) => (
                "SET blocked_at = :v, tg_id = :id",
                "attribute_not_exists(blocked_at)",
                1,
            ),
            None => (
                "REMOVE blocked_at SET tg_id = :id",
                "attribute_exists(blocked_at)",
                -1,
            ),
        };
        let mut upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .update_expression(expr)
            .condition_expression(cond)
            .expression_attribute_values(":id", n(id));
        if let Some(at) = at {
            upd = upd.expression_attribute_values(":v", n(at));
        }
        let mut items = vec![
            TransactWriteItem::builder()
                .update(upd.build().map_err(|e| StoreError::Dynamo(e.to_string()))?)
                .build(),
        ];
        // A gauge: only the totals shard is read; the day item is harmless.
        items.extend(super::stats::count_items(
            &self.table,
            at.unwrap_or_else(crate::base::clock::now),
            &id.to_string(),
            &[(super::stats::counter::BLOCKED.to_owned(), delta)],
        )?);
        // A conflict on the counters' shard is retried; a failed condition
        // means there is nothing to change.
        let mut tries = 0;
        loop {
            tries += 1;
            let outcome = self.transact(items.clone()).await?;
            if outcome == Transacted::Committed || outcome.any_condition_failed() {
                return Ok(());
            }
            if tries >= 3 {
                return Err(StoreError::Dynamo(
                    "blocked mark: transaction conflict".into(),
                ));
            }
        }
    }

    async fn set_fields(
        &self,
        id: TelegramId,
        expr: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<(), StoreError> {
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::user(id)))
            .key("SK", s(keys::PROFILE))
            .update_expression(expr);
        for (k, v) in values {
            req = req.expression_attribute_values(*k, v.clone());
        }
        unless_condition_failed(req.send().boxed().await)?
            .ok_or_else(|| StoreError::Dynamo("condition failed".into()))?;
        Ok(())
    }
}

fn counter(table: &str, pk: String, sk: &str, attr: &str) -> Result<TransactWriteItem, StoreError> {
    let upd = Update::builder()
        .table_name(table)
        .key("PK", s(pk))
        .key("SK", s(sk))
        .update_expression("ADD #a :one")
        .expression_attribute_names("#a", attr)
        .expression_attribute_values(":one", n(1))
        .build()
        .map_err(|e| StoreError::Dynamo(e.to_string()))?;
    Ok(TransactWriteItem::builder().update(upd).build())
}

/// How long a conversation state waits for the user's answer.
pub const STATE_SECS: i64 = 15 * 60;

impl User {
    /// What the bot is waiting for the user to type, if it still is at `now`.
    pub fn waiting_for(&self, now: i64) -> Option<&str> {
        self.waiting
            .as_ref()
            .filter(|(_, until)| *until > now)
            .map(|(w, _)| w.as_str())
    }
}

impl Store {
    /// Remembers what the bot is waiting for from the user, on the user item
    /// (every update reads it anyway), for [`STATE_SECS`].
    pub async fn set_state(&self, id: TelegramId, state: &str, now: i64) -> Result<(), StoreError> {
        self.set_fields(
            id,
            "SET waiting = :w, waiting_until = :u",
            &[(":w", s(state)), (":u", n(now + STATE_SECS))],
        )
        .await
    }

    /// Forgets the conversation state.
    pub async fn clear_state(&self, id: TelegramId) -> Result<(), StoreError> {
        self.set_fields(id, "REMOVE waiting, waiting_until", &[])
            .await
    }
}
