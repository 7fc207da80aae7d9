//! Writes of the importer (`tools/importer`): users, old referral codes
//! and the aliases from providers' payment ids to imported orders, brought
//! over from another bot's database, and the old bot's campaign
//! definitions (saved cards go through `cards`, promo codes through
//! `promos`).
//!
//! A user's items (orders, ledger lines, saved cards, promo activations,
//! the old referral code) are written first, each a put conditioned on its
//! key (derived from the source's ids) being new; then one transaction
//! takes the marker `ONCE#import-user#<id>` (`attribute_not_exists`),
//! merges the profile and moves the inviter's and the campaign's counters.
//! So the balance is added and the counters move exactly once, a marked
//! user has everything, a re-run skips marked users (one `BatchGetItem` per
//! 100), and an interrupted run is finished by running it again (the puts
//! already made find their items and change nothing).
//! The merge rules are in `docs/operations.md` ("Migrate from
//! remnawave-tg-shop / 2GETPRO").

use super::attrs::{ItemExt, n, s};
use super::once::once_key;
use super::{Item, Read, Store, StoreError, Transacted, keys, unless_condition_failed};
use crate::base::types::{Kopecks, Lang, TelegramId};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use futures::FutureExt;

/// Scope of the per-user import marker.
pub const IMPORT_SCOPE: &str = "import-user";
/// Import markers are kept for good: a re-run years later must still skip.
const MARKER_KEEP_SECS: i64 = 100 * 365 * 86_400;
/// Attempts when our bot changes the same user during the import.
const ATTEMPTS: usize = 6;

/// A user as the source database describes them, already mapped to our values.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedUser {
    /// Telegram id.
    pub id: TelegramId,
    /// First name (the source may have none).
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Username, without `@`.
    pub username: Option<String>,
    /// Language.
    pub lang: Lang,
    /// Registration time, unix seconds.
    pub created_at: i64,
    /// Banned by an admin of the old bot.
    pub banned: bool,
    /// The inviter (must be imported too, or already be our user).
    pub referrer: Option<TelegramId>,
    /// The ad campaign (start parameter) the user came from.
    pub campaign: Option<String>,
    /// Balance to add, in kopecks.
    pub balance: Kopecks,
    /// Subscription end, unix seconds.
    pub sub_end: Option<i64>,
    /// When the user took (or lost the right to) the free trial.
    pub trial_used: Option<i64>,
    /// The panel user's uuid the old bot knew (reconciliation links the
    /// panel account by Telegram id; this is kept for reference).
    pub panel_uuid: Option<String>,
    /// The subscription link, when the source kept one.
    pub sub_url: Option<String>,
    /// Where the user came from (`remnawave-tg-shop`), recorded on the profile.
    pub source: String,
    /// Plans the user paid for in the old bot (paid, not refunded): they are
    /// a paying user here too (the stats' paying users, never in a
    /// "never paid" broadcast).
    pub plans_paid: u32,
    /// When they first paid for a plan there, unix seconds.
    pub first_paid_at: Option<i64>,
    /// Traffic sale mode: the traffic bought there, bytes (added to `xgb`;
    /// with [`crate::adapters::store::credit::TRAFFIC_MODE_END`] as the end).
    pub packs: u64,
    /// A promo discount reserved there and still running.
    pub discount: Option<ImportedDiscount>,
    /// The user took the trial as one of their campaign's users (counted
    /// in the campaign's `trials` with the campaign's `users`).
    pub campaign_trial: bool,
}

/// A promo discount the old bot had reserved for a user's next payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedDiscount {
    /// Percent off, 1..=99.
    pub percent: u32,
    /// Usable before this time, unix seconds.
    pub until: i64,
    /// The (imported) code that gave it.
    pub code: String,
}

/// What importing one user did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserImport {
    /// A new user was written.
    Created,
    /// The user already used this bot: merged by the rules.
    Merged,
    /// Imported by an earlier run: nothing changed.
    Already,
}

/// Writes that belong together (a payment's order and its ledger row), and
/// the kind they count as in the importer's report.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    /// `payments`, `saved_methods`, …
    pub kind: &'static str,
    /// Puts conditioned on their keys being new.
    pub writes: Vec<TransactWriteItem>,
}

/// What importing one user did, with the kinds of its records written now
/// and found there already (written by this bot, e.g. a promo activation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportResult {
    /// Created, merged or already imported.
    pub user: UserImport,
    /// Kinds of the records written now.
    pub written: Vec<&'static str>,
    /// Kinds of the records whose items were there already.
    pub already: Vec<&'static str>,
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

/// Sort key of an imported campaign's definition.
pub const IMPORTED_SK: &str = "IMPORTED";

/// Partition key of the alias that leads from a provider's payment id to
/// the order imported for it: `PROVREF#<provider code>#<provider's id>`.
pub fn provider_ref_key(provider: &str, provider_ref: &str) -> String {
    format!("PROVREF#{provider}#{provider_ref}")
}

/// Sort key of a provider-reference alias.
pub const PROVREF_SK: &str = "PROVREF";

/// The provider reference under which a payment the old bot sent to a
/// provider with its own order id is found (`PROVREF#<provider>#order:<id>`):
/// FreeKassa's notifications name the old bot's payment id as
/// `MERCHANT_ORDER_ID`, and a pending one has no FreeKassa id yet.
pub fn merchant_order_ref(order: &str) -> String {
    format!("order:{order}")
}

/// Partition key of an old referral code kept as an alias of a user.
pub fn ref_alias_key(code: &str) -> String {
    format!("REFALIAS#{code}")
}

impl Store {
    /// Imports one user and everything they own exactly once, merging into
    /// a user who already started this bot: the later subscription end
    /// wins, the balance is added, an inviter or campaign already recorded
    /// here stays, the earlier registration date and a ban from either side
    /// stay. A record whose items exist already (an interrupted run wrote
    /// them) is reported as `already`.
    pub async fn import_user(
        &self,
        u: &ImportedUser,
        records: Vec<ImportRecord>,
        now: i64,
    ) -> Result<ImportResult, StoreError> {
        let mut result = ImportResult {
            user: UserImport::Already,
            written: Vec::new(),
            already: Vec::new(),
        };
        // The user's items first, each a put conditioned on its key; the
        // marker, written last with the profile, means "all of it is there".
        for r in records {
            let kind = r.kind;
            if self.write_record(r).await? {
                result.written.push(kind);
            } else {
                result.already.push(kind);
            }
        }
        for _ in 0..ATTEMPTS {
            let existing = self.profile_item(u.id, None).await?.unwrap_or_default();
            if let Some(outcome) = self.try_import_user(u, &existing, now).await? {
                result.user = outcome;
                return Ok(result);
            }
        }
        Err(StoreError::Dynamo(format!(
            "user {}: kept racing concurrent changes; run the import again",
            u.id
        )))
    }

    /// Writes one record's puts, each on its own (a re-run after an
    /// interruption finds some written); false when all were there already.
    async fn write_record(&self, r: ImportRecord) -> Result<bool, StoreError> {
        let mut wrote = false;
        for w in r.writes {
            let Some(put) = w.put else { continue };
            let req = self
                .client
                .put_item()
                .table_name(put.table_name)
                .set_item(Some(put.item))
                .set_expression_attribute_values(put.expression_attribute_values)
                .set_expression_attribute_names(put.expression_attribute_names)
                .set_condition_expression(put.condition_expression);
            if unless_condition_failed(req.send().boxed().await)?.is_some() {
                wrote = true;
            }
        }
        Ok(wrote)
    }

    /// Of `ids`, those imported by an earlier run (their marker exists).
    pub async fn imported_users(
        &self,
        ids: &[TelegramId],
    ) -> Result<std::collections::HashSet<TelegramId>, StoreError> {
        let mut found = std::collections::HashSet::new();
        for chunk in ids.chunks(100) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|id| {
                    Item::from([
                        ("PK".to_owned(), s(once_key(IMPORT_SCOPE, &id.to_string()))),
                        ("SK".to_owned(), s("ONCE")),
                    ])
                })
                .collect();
            for item in self.batch_get(keys, Read::Consistent, Some("PK")).await? {
                if let Some(id) = item
                    .str("PK")
                    .and_then(|pk| pk.rsplit('#').next())
                    .and_then(|id| id.parse().ok())
                {
                    found.insert(TelegramId(id));
                }
            }
        }
        Ok(found)
    }

    async fn try_import_user(
        &self,
        u: &ImportedUser,
        existing: &Item,
        now: i64,
    ) -> Result<Option<UserImport>, StoreError> {
        let merged = existing.contains_key("created_at");
        let code = crate::base::refcode::encode(u.id);
        let pk = keys::user(u.id);
        let mut set: Vec<String> = [
            "tg_id = :id",
            "lang = if_not_exists(lang, :lang)",
            "ref_code = if_not_exists(ref_code, :code)",
            "GSI1PK = if_not_exists(GSI1PK, :refpk)",
            "GSI1SK = if_not_exists(GSI1SK, :pk)",
            "reg_nonce = if_not_exists(reg_nonce, :nonce)",
            "last_seen = if_not_exists(last_seen, :created)",
            "imported = :src",
        ]
        .map(str::to_owned)
        .to_vec();
        let mut add = Vec::new();
        let mut conditions = Vec::new();
        let mut upd = Update::builder()
            .table_name(&self.table)
            .key("PK", s(&pk))
            .key("SK", s(keys::PROFILE))
            .expression_attribute_values(":id", n(u.id))
            .expression_attribute_values(":lang", s(u.lang.code()))
            .expression_attribute_values(":code", s(&code))
            .expression_attribute_values(":refpk", s(keys::ref_code(&code)))
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":nonce", s(format!("import:{}", u.source)))
            .expression_attribute_values(":created", n(u.created_at))
            .expression_attribute_values(":src", s(&u.source));

        // The earlier registration stays (our bot's own first touch is later).
        let created = existing
            .i64("created_at")
            .map_or(u.created_at, |c| c.min(u.created_at));
        set.push("created_at = :created_at".into());
        upd = upd.expression_attribute_values(":created_at", n(created));
        if let Some(c) = existing.i64("created_at") {
            conditions.push("created_at = :old_created".to_owned());
            upd = upd.expression_attribute_values(":old_created", n(c));
        }
        // Telegram's fresher names win: the bot refreshes them on every update.
        let first = u.first_name.clone().unwrap_or_default();
        set.push("first_name = if_not_exists(first_name, :fn)".into());
        upd = upd.expression_attribute_values(":fn", s(first));
        if let Some(v) = &u.last_name
            && !merged
        {
            set.push("last_name = :ln".into());
            upd = upd.expression_attribute_values(":ln", s(v));
        }
        if let Some(v) = &u.username
            && !merged
        {
            set.extend([
                "username = :un".into(),
                "GSI3PK = :unpk".into(),
                "GSI3SK = :pk".into(),
            ]);
            upd = upd
                .expression_attribute_values(":un", s(v))
                .expression_attribute_values(":unpk", s(keys::username(v)));
        }
        // A ban is what an admin's ban writes (`Store::set_banned`): the
        // flag, the banned list's item and the gauge, once.
        let newly_banned = u.banned && !existing.flag("banned");
        if u.banned {
            set.push("banned = :true".into());
            upd = upd.expression_attribute_values(":true", AttributeValue::Bool(true));
        }
        if newly_banned && merged {
            conditions.push("(attribute_not_exists(banned) OR banned <> :true)".into());
        }
        if u.balance.0 > 0 {
            add.push("balance :bal".to_owned());
            upd = upd.expression_attribute_values(":bal", n(u.balance.0));
        }
        // Traffic bought adds up, like a balance.
        if u.packs > 0 {
            add.push("xgb :packs".to_owned());
            upd = upd.expression_attribute_values(":packs", n(u.packs));
        }
        // A discount reserved there, unless this bot gave the user one.
        let discount = u
            .discount
            .as_ref()
            .filter(|_| !existing.contains_key("discount_code"));
        if let Some(d) = discount {
            set.extend([
                "discount_pct = :dpct".into(),
                "discount_until = :duntil".into(),
                "discount_code = :dcode".into(),
            ]);
            upd = upd
                .expression_attribute_values(":dpct", n(d.percent))
                .expression_attribute_values(":duntil", n(d.until))
                .expression_attribute_values(":dcode", s(&d.code));
            if merged {
                conditions.push("attribute_not_exists(discount_code)".into());
            }
        }
        // The later subscription end wins.
        let old_end = existing.i64("sub_end");
        let mut end_moves = Vec::new();
        if let Some(end) = u.sub_end.filter(|e| old_end.is_none_or(|old| *e > old)) {
            let counted = super::stats::Counted::of(existing);
            set.extend([
                "sub_end = :end".into(),
                "GSI2PK = :exp".into(),
                "GSI2SK = :expsk".into(),
                super::stats::Counted::SET.into(),
            ]);
            conditions.push(counted.condition().to_owned());
            upd = upd
                .expression_attribute_values(super::stats::Counted::VALUE, n(1))
                .expression_attribute_values(":end", n(end))
                .expression_attribute_values(":exp", s(keys::expiry_pk(end)))
                .expression_attribute_values(":expsk", s(keys::expiry_sk(u.id, end)));
            conditions.push(match old_end {
                Some(old) => {
                    upd = upd.expression_attribute_values(":oldend", n(old));
                    "sub_end = :oldend".to_owned()
                }
                None => "attribute_not_exists(sub_end)".to_owned(),
            });
            end_moves = super::stats::ends_items(
                &self.table,
                &u.id.to_string(),
                counted.old,
                super::stats::End::moved(existing, end),
            )?;
        }
        if let Some(at) = u.trial_used {
            set.push("trial_used = if_not_exists(trial_used, :trial)".into());
            upd = upd.expression_attribute_values(":trial", n(at));
        }
        if let Some(v) = &u.panel_uuid {
            set.push("legacy_panel_uuid = :puuid".into());
            upd = upd.expression_attribute_values(":puuid", s(v));
        }
        if let Some(v) = &u.sub_url {
            set.push("sub_url = if_not_exists(sub_url, :url)".into());
            upd = upd.expression_attribute_values(":url", s(v));
        }
        // A paying customer of the old bot is one here: `plans_paid` added
        // (the "never paid" audience leaves them out), and counted once
        // among the paying users, on the day of their first payment, if
        // they had not paid here yet (conditional on that, as read).
        let first_plan = u.plans_paid > 0 && existing.u64("plans_paid").unwrap_or(0) == 0;
        if u.plans_paid > 0 {
            add.push("plans_paid :pp".to_owned());
            upd = upd.expression_attribute_values(":pp", n(u.plans_paid));
            if first_plan {
                conditions.push("attribute_not_exists(plans_paid)".into());
            }
        }
        if let Some(at) = u.first_paid_at {
            set.push("first_paid_at = if_not_exists(first_paid_at, :fpaid)".into());
            upd = upd.expression_attribute_values(":fpaid", n(at));
        }
        if u.plans_paid > 0 {
            // The old bot rewarded the inviter (and gave the referee bonus)
            // for the first payment: a payment here is not a first one.
            set.push("ref_bonus_given = :rbg".into());
            upd = upd.expression_attribute_values(":rbg", AttributeValue::Bool(true));
        }
        // The earlier inviter stays: only a user with none gets the old one.
        let referrer = u
            .referrer
            .filter(|r| *r != u.id && !existing.contains_key("referrer"));
        if let Some(r) = referrer {
            set.push("referrer = :ref".into());
            upd = upd.expression_attribute_values(":ref", n(r));
            conditions.push("attribute_not_exists(referrer)".into());
        }
        let campaign = u
            .campaign
            .as_ref()
            .filter(|_| !existing.contains_key("campaign"));
        if let Some(c) = campaign {
            set.push("campaign = :camp".into());
            upd = upd.expression_attribute_values(":camp", s(c));
            conditions.push("attribute_not_exists(campaign)".into());
        }

        let mut expr = format!("SET {}", set.join(", "));
        if !add.is_empty() {
            expr.push_str(&format!(" ADD {}", add.join(", ")));
        }
        if !conditions.is_empty() {
            upd = upd.condition_expression(conditions.join(" AND "));
        }
        let marker = Put::builder()
            .table_name(&self.table)
            .item("PK", s(once_key(IMPORT_SCOPE, &u.id.to_string())))
            .item("SK", s("ONCE"))
            .item("at", n(now))
            .item("expires", n(now + MARKER_KEEP_SECS))
            .item("ttl", n(now + MARKER_KEEP_SECS))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_err)?;
        let mut items = vec![
            TransactWriteItem::builder().put(marker).build(),
            TransactWriteItem::builder()
                .update(upd.update_expression(expr).build().map_err(build_err)?)
                .build(),
        ];
        items.append(&mut end_moves);
        // A user new to us is a sign-up of the day they joined the old bot
        // (the stats screen's totals and chart); one already here through
        // /start was counted then.
        let mut events = Vec::new();
        if !existing.contains_key("created_at") {
            events.push((created, super::stats::counter::SIGNUPS.to_owned(), 1));
        }
        if first_plan {
            events.push((
                u.first_paid_at.unwrap_or(created),
                super::stats::counter::FIRST_PLANS.to_owned(),
                1,
            ));
        }
        if newly_banned {
            events.push((now, super::stats::counter::BANNED.to_owned(), 1));
            items.push(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .item("PK", s(super::admin::BANNED_PK))
                            .item("SK", s(u.id.to_string()))
                            .item("tg_id", n(u.id))
                            .item("at", n(now))
                            .build()
                            .map_err(build_err)?,
                    )
                    .build(),
            );
        }
        items.extend(super::stats::count_items_on_days(
            &self.table,
            &u.id.to_string(),
            &events,
        )?);
        if let Some(r) = referrer {
            items.push(add_one(
                &self.table,
                keys::user(r),
                keys::PROFILE,
                "referrals",
            )?);
        }
        if let Some(c) = campaign {
            let counters: &[&str] = if u.campaign_trial {
                &["users", "trials"]
            } else {
                &["users"]
            };
            items.push(add_ones(
                &self.table,
                keys::campaign(c),
                keys::SUMMARY,
                counters,
            )?);
        }
        match self.transact(items).await? {
            Transacted::Committed => Ok(Some(if merged {
                UserImport::Merged
            } else {
                UserImport::Created
            })),
            // Imported before; or the user changed between our read and write.
            canceled => Ok(canceled.condition_failed(0).then_some(UserImport::Already)),
        }
    }

    /// The write that keeps an old referral code working: `ref_<old code>`
    /// links find the user through the same index as our own codes
    /// (`GSI1PK=REF#<code>`).
    pub fn ref_alias_write(
        &self,
        code: &str,
        user: TelegramId,
    ) -> Result<TransactWriteItem, StoreError> {
        new_item(
            Put::builder()
                .table_name(&self.table)
                .item("PK", s(ref_alias_key(code)))
                .item("SK", s("ALIAS"))
                .item("tg_id", n(user))
                .item("GSI1PK", s(keys::ref_code(code)))
                .item("GSI1SK", s(keys::user(user))),
        )
    }

    /// The write that lets a late notification of `provider` about its
    /// payment `provider_ref` find the imported `order` (see
    /// [`Store::order_by_provider_ref`]).
    pub fn provider_ref_write(
        &self,
        provider: &str,
        provider_ref: &str,
        order: &str,
        user: TelegramId,
    ) -> Result<TransactWriteItem, StoreError> {
        new_item(
            Put::builder()
                .table_name(&self.table)
                .item("PK", s(provider_ref_key(provider, provider_ref)))
                .item("SK", s(PROVREF_SK))
                .item("order_id", s(order))
                .item("user", n(user)),
        )
    }

    /// The imported order a payment of `provider` with id `provider_ref`
    /// paid (one `GetItem`); `None` when it was not imported. Webhooks ask
    /// only for payments that name no order of ours.
    pub async fn order_by_provider_ref(
        &self,
        provider: crate::base::types::Provider,
        provider_ref: &str,
    ) -> Result<Option<String>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(provider_ref_key(provider.code(), provider_ref)))
            .key("SK", s(PROVREF_SK))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out.item.and_then(|i| i.str("order_id").map(str::to_owned)))
    }

    /// Records an old campaign's definition once (`CAMPAIGN#<name>/IMPORTED`,
    /// next to the campaign's counters); false when it was there.
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

    /// Puts an item unless its key exists; true when written now.
    pub(crate) async fn put_new(
        &self,
        put: aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder,
    ) -> Result<bool, StoreError> {
        let result = put
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .boxed()
            .await;
        Ok(unless_condition_failed(result)?.is_some())
    }
}

/// A put conditioned on its key being new.
pub(crate) fn new_item(
    put: aws_sdk_dynamodb::types::builders::PutBuilder,
) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .put(
            put.condition_expression("attribute_not_exists(PK)")
                .build()
                .map_err(build_err)?,
        )
        .build())
}

fn add_one(table: &str, pk: String, sk: &str, attr: &str) -> Result<TransactWriteItem, StoreError> {
    add_ones(table, pk, sk, &[attr])
}

/// One update adding one to each of `attrs` (a transaction touches an item once).
fn add_ones(
    table: &str,
    pk: String,
    sk: &str,
    attrs: &[&str],
) -> Result<TransactWriteItem, StoreError> {
    let mut upd = Update::builder()
        .table_name(table)
        .key("PK", s(pk))
        .key("SK", s(sk))
        .expression_attribute_values(":one", n(1));
    let mut adds = Vec::new();
    for (i, attr) in attrs.iter().enumerate() {
        adds.push(format!("#a{i} :one"));
        upd = upd.expression_attribute_names(format!("#a{i}"), *attr);
    }
    let upd = upd
        .update_expression(format!("ADD {}", adds.join(", ")))
        .build()
        .map_err(build_err)?;
    Ok(TransactWriteItem::builder().update(upd).build())
}

fn build_err(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Dynamo(e.to_string())
}
