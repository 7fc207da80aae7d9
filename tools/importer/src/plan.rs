//! From the source's rows to our items: a pure mapping, the same for the
//! dry run and the real run, so the dry run's counts are what a run writes.

use crate::source::{Source, SrcPayment, SrcPromo, SrcSubscription};
use sha2::{Digest, Sha256};
use shared::adapters::pay::{Money, OrderId};
use shared::adapters::store::cards::Card;
use shared::adapters::store::credit::TRAFFIC_MODE_END;
use shared::adapters::store::imports::CampaignDef;
use shared::adapters::store::imports::{ImportedDiscount, ImportedUser, merchant_order_ref};
use shared::adapters::store::promos::{Promo, PromoKind};
use shared::base::types::{Kopecks, Lang, Period, Provider, TelegramId};
use shared::domains::money::orders::{
    HistoricalEntry, HistoricalPayment, Order, OrderStatus, Purchase,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The name the importer records as the source of every item.
pub const SOURCE: &str = "remnawave-tg-shop";

/// Everything one user brings.
#[derive(Debug, Clone)]
pub struct UserPlan {
    /// The profile.
    pub user: ImportedUser,
    /// The old referral code, when it differs from ours (kept as an alias).
    pub old_ref_code: Option<String>,
    /// Paid payments.
    pub payments: Vec<HistoricalPayment>,
    /// Payments started in the old bot and not paid yet (pending orders).
    pub pending: Vec<HistoricalPayment>,
    /// Balance movements (2GETPRO).
    pub entries: Vec<HistoricalEntry>,
    /// Saved YooKassa cards, exactly one of them the default.
    pub cards: Vec<Card>,
    /// The auto-renewal settings (with the cards): on or off, and the plan
    /// renewals buy.
    pub renewal: Option<(bool, Period)>,
    /// Promo activations.
    pub activations: Vec<PromoActivation>,
}

impl UserPlan {
    /// The payments (paid or pending) a provider's late notification may
    /// name: (provider code, the provider's id or `order:<the old bot's
    /// order id>`, our order). Not Tribute's: its notifications name the
    /// subscription, the same for every renewal, so an old id would
    /// swallow a new payment.
    pub fn provider_refs(&self) -> impl Iterator<Item = (&'static str, String, &OrderId)> {
        self.payments
            .iter()
            .chain(&self.pending)
            .filter(|h| !matches!(h.order.provider, Provider::Balance | Provider::Tribute))
            .flat_map(|h| {
                let code = h.order.provider.code();
                let by_ref = h.order.provider_ref.clone();
                let by_order = h.merchant_order.as_deref().map(merchant_order_ref);
                by_ref
                    .into_iter()
                    .chain(by_order)
                    .map(move |r| (code, r, &h.order.id))
            })
    }
}

/// A row the importer cannot carry over, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unmappable {
    /// Table.
    pub table: &'static str,
    /// The row's id there.
    pub id: String,
    /// Why.
    pub why: String,
}

/// What a run would write (dry run) or wrote, per kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The source's schema, in words (`SchemaKind::describe`).
    pub schema: String,
    /// Items per kind (`users`, `payments`, …).
    pub counts: BTreeMap<&'static str, u64>,
    /// Rows left out on purpose, counted by reason (unpaid payments…).
    pub skipped: BTreeMap<String, u64>,
    /// Rows that cannot be mapped.
    pub unmappable: Vec<Unmappable>,
}

impl Report {
    fn count(&mut self, kind: &'static str, n: u64) {
        *self.counts.entry(kind).or_default() += n;
    }
    fn skip(&mut self, why: String) {
        *self.skipped.entry(why).or_default() += 1;
    }
    fn bad(&mut self, table: &'static str, id: impl ToString, why: impl Into<String>) {
        self.unmappable.push(Unmappable {
            table,
            id: id.to_string(),
            why: why.into(),
        });
    }

    /// The report as an operator reads it.
    pub fn render(&self, title: &str) -> String {
        let mut out = format!("source schema: {}\n{title}\n", self.schema);
        for (k, v) in &self.counts {
            out.push_str(&format!("  {k:<20} {v}\n"));
        }
        if !self.skipped.is_empty() {
            out.push_str("left out on purpose:\n");
            for (k, v) in &self.skipped {
                out.push_str(&format!("  {v:>6}  {k}\n"));
            }
        }
        out.push_str(&format!("cannot map: {} rows\n", self.unmappable.len()));
        for u in &self.unmappable {
            out.push_str(&format!("  {} {}: {}\n", u.table, u.id, u.why));
        }
        out
    }
}

/// The whole import, ready to write.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Per user, in Telegram-id order.
    pub users: Vec<UserPlan>,
    /// Promo codes, in the promo feature's own shape.
    pub promos: Vec<Promo>,
    /// Campaign definitions.
    pub campaigns: Vec<CampaignDef>,
    /// What it holds.
    pub report: Report,
}

/// Maps the source. `now` fills registration dates the source lacks;
/// `renew_default` is the plan auto-renewal buys for a user with a saved
/// card who never paid for a plan.
pub fn plan(src: &Source, now: i64, renew_default: Period) -> Plan {
    let mut report = Report {
        schema: src.schema.describe(),
        ..Report::default()
    };
    let ids: HashSet<i64> = src.users.iter().map(|u| u.user_id).collect();

    let mut subs: HashMap<i64, Vec<_>> = HashMap::new();
    for s in &src.subscriptions {
        if !ids.contains(&s.user_id) {
            report.bad("subscriptions", s.subscription_id, "no such user");
            continue;
        }
        if s.end_date.is_none() {
            report.bad("subscriptions", s.subscription_id, "no end date");
            continue;
        }
        if running(s) && sold_traffic(s).is_none() && s.end_date >= Some(TRAFFIC_MODE_FROM) {
            report.bad(
                "subscriptions",
                s.subscription_id,
                "ends after 2090 without a traffic limit: neither a traffic package nor a period (not running here)",
            );
        }
        subs.entry(s.user_id).or_default().push(s);
    }

    let campaigns_by_id: HashMap<i64, &str> = src
        .campaigns
        .iter()
        .map(|c| (c.ad_campaign_id, c.start_param.as_str()))
        .collect();
    let mut campaign_of: HashMap<i64, (String, bool)> = HashMap::new();
    for a in &src.attributions {
        match campaigns_by_id.get(&a.ad_campaign_id) {
            Some(name) if ids.contains(&a.user_id) => {
                campaign_of.insert(
                    a.user_id,
                    ((*name).to_owned(), a.trial_activated_at.is_some()),
                );
            }
            Some(_) => report.bad("ad_attributions", a.user_id, "no such user"),
            None => report.bad("ad_attributions", a.user_id, "no such campaign"),
        }
    }

    let mut payments: HashMap<i64, Vec<HistoricalPayment>> = HashMap::new();
    let mut pending: HashMap<i64, Vec<HistoricalPayment>> = HashMap::new();
    for p in &src.payments {
        if !ids.contains(&p.user_id) {
            report.bad("payments", p.payment_id, "no such user");
            continue;
        }
        let discounted = p
            .discount_applied
            .as_deref()
            .and_then(nano_units)
            .is_some_and(|d| d > 0);
        match map_payment(p) {
            Ok(Some(h)) if discounted => {
                report.skip(
                    "payments' original_amount/discount_applied (a promo discount): \
                     not kept, the order records the amount paid"
                        .into(),
                );
                if h.order.status == OrderStatus::Pending {
                    pending.entry(p.user_id).or_default().push(h)
                } else {
                    payments.entry(p.user_id).or_default().push(h)
                }
            }
            Ok(Some(h)) if h.order.status == OrderStatus::Pending => {
                pending.entry(p.user_id).or_default().push(h)
            }
            Ok(Some(h)) => payments.entry(p.user_id).or_default().push(h),
            Ok(None) if is_pending(p) => {
                report.skip("payments pending without a provider id".into())
            }
            Ok(None) => report.skip(format!(
                "payments not paid (status {})",
                p.status.as_deref().unwrap_or("NULL")
            )),
            Err(why) => report.bad("payments", p.payment_id, why),
        }
    }

    let mut entries: HashMap<i64, Vec<HistoricalEntry>> = HashMap::new();
    for t in &src.transactions {
        if !ids.contains(&t.user_id) {
            report.bad("transactions", t.id, "no such user");
            continue;
        }
        let kind = match t.transaction_type.as_str() {
            "balance_add" | "gift_received" | "refund" => "balance_in",
            "balance_deduct" | "subscription_purchase" | "gift_sent" => "balance_out",
            other => {
                report.bad("transactions", t.id, format!("unknown type {other:?}"));
                continue;
            }
        };
        entries.entry(t.user_id).or_default().push(HistoricalEntry {
            user: TelegramId(t.user_id),
            source_id: format!("tx{}", t.id),
            kind: kind.into(),
            at: t.created_at.unwrap_or(now),
            amount: Some(Money::rub(Kopecks(t.amount_kopeks.unsigned_abs()))),
        });
    }

    let mut cards: HashMap<i64, Vec<Card>> = HashMap::new();
    let mut seen_methods = HashSet::new();
    for m in &src.methods {
        let Some(id) = m.method_id.clone().filter(|id| !id.is_empty()) else {
            report.skip("saved payment methods without an id (card unbound)".into());
            continue;
        };
        if !ids.contains(&m.user_id) {
            report.bad("user_payment_methods", &id, "no such user");
            continue;
        }
        if !m.provider.eq_ignore_ascii_case("yookassa") {
            report.bad(
                "user_payment_methods",
                &id,
                format!("a {} method: only YooKassa cards renew here", m.provider),
            );
            continue;
        }
        // user_billing and user_payment_methods may both hold the same card.
        if !seen_methods.insert((m.user_id, id.clone())) {
            continue;
        }
        cards.entry(m.user_id).or_default().push(Card {
            method_id: id,
            card_type: m.card_network.clone().unwrap_or_else(|| "bank_card".into()),
            last4: m.card_last4.clone().unwrap_or_default(),
            default: m.is_default,
            saved_at: m.created_at.unwrap_or(now),
        });
    }
    for list in cards.values_mut() {
        one_default(list);
    }

    let mut promos = Vec::new();
    let mut promo_code: HashMap<i64, String> = HashMap::new();
    let mut codes = HashSet::new();
    for p in &src.promos {
        let promo = match map_promo(p, now) {
            Ok(promo) => promo,
            Err(why) => {
                report.bad("promo_codes", p.promo_code_id, why);
                continue;
            }
        };
        if !codes.insert(promo.code.clone()) {
            report.bad(
                "promo_codes",
                p.promo_code_id,
                format!("code {} differs from another only in case", promo.code),
            );
            continue;
        }
        promo_code.insert(p.promo_code_id, promo.code.clone());
        promos.push(promo);
    }
    let known: HashSet<i64> = src.promos.iter().map(|p| p.promo_code_id).collect();
    // remnawave-tg-shop HEAD counts a discount code's activation when the
    // user reserves it (`active_discounts`) and its clean-up gives the
    // activation back when the reservation runs out unpaid: a running one
    // comes over as the user's discount (and their activation), a run-out
    // one is given back here as the old bot would have.
    let mut discount_of: HashMap<i64, ImportedDiscount> = HashMap::new();
    let mut reserved: Vec<PromoActivation> = Vec::new();
    for d in &src.active_discounts {
        let Some(code) = promo_code.get(&d.promo_code_id) else {
            let why = if known.contains(&d.promo_code_id) {
                "its code is not imported"
            } else {
                "no such code"
            };
            report.bad("active_discounts", d.user_id, why);
            continue;
        };
        if !ids.contains(&d.user_id) {
            report.bad("active_discounts", d.user_id, "no such user");
            continue;
        }
        // Revision 0001 had no end: 0002 gave each the 10 minutes it writes.
        let until = d
            .expires_at
            .unwrap_or(d.activated_at.unwrap_or(now) + RESERVATION_SECS);
        if until <= now {
            report.skip(
                "active_discounts run out before the move (the code's activation given back)"
                    .into(),
            );
            if let Some(p) = promos.iter_mut().find(|p| p.code == *code) {
                p.used = p.used.saturating_sub(1);
            }
            continue;
        }
        let Some(percent) = d
            .discount_percentage
            .and_then(|p| u32::try_from(p).ok())
            .filter(|p| (1..=99).contains(p))
        else {
            report.bad(
                "active_discounts",
                d.user_id,
                format!("discount {:?}% (1 to 99 here)", d.discount_percentage),
            );
            continue;
        };
        discount_of.insert(
            d.user_id,
            ImportedDiscount {
                percent,
                until,
                code: code.clone(),
            },
        );
        reserved.push(PromoActivation {
            code: code.clone(),
            user: TelegramId(d.user_id),
            at: d.activated_at.unwrap_or(now),
        });
    }
    let mut activations: HashMap<i64, Vec<PromoActivation>> = HashMap::new();
    for a in &src.activations {
        match promo_code.get(&a.promo_code_id) {
            Some(code) if ids.contains(&a.user_id) => activations
                .entry(a.user_id)
                .or_default()
                .push(PromoActivation {
                    code: code.clone(),
                    user: TelegramId(a.user_id),
                    at: a.activated_at.unwrap_or(now),
                }),
            Some(_) => report.bad("promo_code_activations", a.activation_id, "no such user"),
            None if known.contains(&a.promo_code_id) => report.bad(
                "promo_code_activations",
                a.activation_id,
                "its code is not imported",
            ),
            None => report.bad("promo_code_activations", a.activation_id, "no such code"),
        }
    }
    for r in reserved {
        let mine = activations.entry(r.user.0).or_default();
        if !mine.iter().any(|a| a.code == r.code) {
            mine.push(r);
        }
    }

    let campaigns: Vec<CampaignDef> = src
        .campaigns
        .iter()
        .map(|c| CampaignDef {
            name: c.start_param.clone(),
            source: c.source.clone(),
            cost: c.cost_hundredths.unwrap_or_default(),
            active: c.is_active.unwrap_or(true),
            created_at: c.created_at.unwrap_or(now),
        })
        .collect();

    let mut users = Vec::new();
    for u in &src.users {
        let id = TelegramId(u.user_id);
        if u.user_id <= 0 {
            report.bad("users", u.user_id, "not a Telegram user id");
            continue;
        }
        let lang = u
            .language_code
            .as_deref()
            .and_then(|c| Lang::from_code(c.get(..2).unwrap_or(c)))
            .unwrap_or_default();
        let mut balance = u.balance_kopeks.unwrap_or_default();
        if balance < 0 {
            report.bad(
                "users",
                u.user_id,
                format!("negative balance {balance} (imported as 0)"),
            );
            balance = 0;
        }
        let referrer = match u.referred_by_id {
            Some(r) if r == u.user_id => {
                report.bad(
                    "users",
                    u.user_id,
                    "invited by themselves (inviter dropped)",
                );
                None
            }
            Some(r) if !ids.contains(&r) => {
                report.bad(
                    "users",
                    u.user_id,
                    format!("inviter {r} not in users (dropped)"),
                );
                None
            }
            other => other.map(TelegramId),
        };
        let my_subs = subs.get(&u.user_id).cloned().unwrap_or_default();
        let latest = my_subs.iter().max_by_key(|s| s.end_date);
        // A subscription the bot switched off (`is_active = false`) is not
        // running: only the ones it left on give the end date.
        // In traffic sale mode (an end after 2090 and the traffic bought as
        // the limit) the traffic is what was sold: the end is this bot's
        // traffic-mode end and the bytes are the packs bought.
        let packs = my_subs
            .iter()
            .filter(|s| running(s))
            .filter_map(|s| sold_traffic(s))
            .max();
        let sub_end = if packs.is_some() {
            Some(TRAFFIC_MODE_END)
        } else {
            my_subs
                .iter()
                .filter(|s| running(s) && s.end_date < Some(TRAFFIC_MODE_FROM))
                .filter_map(|s| s.end_date)
                .max()
        };
        // The Python bot offers the trial only to users who never had a
        // subscription: anyone with one has used their chance.
        let trial_used = my_subs
            .iter()
            .map(|s| s.start_date.or(s.end_date).unwrap_or(now))
            .min();
        let created_at = u.registration_date.unwrap_or(now);
        let my_payments = payments.remove(&u.user_id).unwrap_or_default();
        // What the shop sold: periods, or traffic packages in traffic mode.
        let paid_plans: Vec<i64> = my_payments
            .iter()
            .filter(|h| {
                h.order.status == OrderStatus::Paid
                    && matches!(h.order.purchase, Purchase::Plan(_) | Purchase::Traffic(_))
            })
            .map(|h| h.paid_at)
            .collect();
        let (campaign, campaign_trial) = campaign_of
            .remove(&u.user_id)
            .map_or((None, false), |(c, trial)| (Some(c), trial));
        let user = ImportedUser {
            plans_paid: paid_plans.len() as u32,
            first_paid_at: paid_plans.iter().copied().min(),
            id,
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone().filter(|s| !s.is_empty()),
            username: u.username.clone().filter(|s| !s.is_empty()),
            lang,
            created_at,
            banned: u.is_banned.unwrap_or(false),
            referrer,
            campaign,
            campaign_trial,
            packs: packs.unwrap_or_default(),
            discount: discount_of.remove(&u.user_id),
            balance: Kopecks(balance as u64),
            sub_end,
            trial_used,
            panel_uuid: u
                .panel_user_uuid
                .clone()
                .or_else(|| latest.and_then(|s| s.panel_user_uuid.clone())),
            sub_url: None,
            source: SOURCE.into(),
        };
        let my_cards = cards.remove(&u.user_id).unwrap_or_default();
        // Auto-renewal as the user left it in the old bot (the latest
        // subscription's choice; off without one), renewing the plan they
        // paid for last (else the operator's default).
        let renewal = (!my_cards.is_empty()).then(|| {
            let on = latest.and_then(|s| s.auto_renew_enabled).unwrap_or(false);
            let period = my_payments
                .iter()
                .filter_map(|h| match h.order.purchase {
                    Purchase::Plan(p) => Some((h.paid_at, p)),
                    _ => None,
                })
                .max_by_key(|(at, _)| *at)
                .map_or(renew_default, |(_, p)| p);
            (on, period)
        });
        let our_code = shared::base::refcode::encode(id);
        let old_ref_code = u
            .referral_code
            .clone()
            .filter(|c| !c.is_empty() && *c != our_code);
        users.push(UserPlan {
            user,
            old_ref_code,
            payments: my_payments,
            pending: pending.remove(&u.user_id).unwrap_or_default(),
            entries: entries.remove(&u.user_id).unwrap_or_default(),
            cards: my_cards,
            renewal,
            activations: activations.remove(&u.user_id).unwrap_or_default(),
        });
    }

    for p in &users {
        report.count("users", 1);
        report.count("subscriptions", u64::from(p.user.sub_end.is_some()));
        report.count("trials_used", u64::from(p.user.trial_used.is_some()));
        report.count("referrals", u64::from(p.user.referrer.is_some()));
        report.count("campaign_users", u64::from(p.user.campaign.is_some()));
        report.count("campaign_trials", u64::from(p.user.campaign_trial));
        report.count("banned", u64::from(p.user.banned));
        report.count("traffic_mode_users", u64::from(p.user.packs > 0));
        report.count("active_discounts", u64::from(p.user.discount.is_some()));
        report.count("balances", u64::from(p.user.balance.0 > 0));
        report.count("ref_code_aliases", u64::from(p.old_ref_code.is_some()));
        report.count("payments", p.payments.len() as u64);
        report.count("pending_payments", p.pending.len() as u64);
        report.count("provider_refs", p.provider_refs().count() as u64);
        report.count("balance_entries", p.entries.len() as u64);
        report.count("saved_cards", p.cards.len() as u64);
        report.count("renewal_settings", u64::from(p.renewal.is_some()));
        report.count("promo_activations", p.activations.len() as u64);
    }
    report.count("promo_codes", promos.len() as u64);
    report.count("campaigns", campaigns.len() as u64);
    report.unmappable.sort();
    Plan {
        users,
        promos,
        campaigns,
        report,
    }
}

/// A promo code activated in the old bot.
#[derive(Debug, Clone, PartialEq)]
pub struct PromoActivation {
    /// Upper-cased code.
    pub code: String,
    /// Who activated it.
    pub user: TelegramId,
    /// When, unix seconds.
    pub at: i64,
}

/// An old promo code as the promo feature serves it (docs/operations.md
/// has the table): the code upper-cased, `bonus_days` → days,
/// `discount` → percent off the next purchase, `max_activations` → the
/// limit, `current_activations` → used, `valid_until` → until, `is_active`.
fn map_promo(p: &SrcPromo, now: i64) -> Result<Promo, String> {
    let code = shared::domains::growth::promo::admin_code(p.code.trim()).ok_or_else(|| {
        format!(
            "code {:?} cannot be typed in this bot (3–32 letters or digits of any script, _ and -)",
            p.code
        )
    })?;
    let kind = match p.promo_type.as_deref().unwrap_or("bonus_days") {
        "bonus_days" => PromoKind::Days(
            p.bonus_days
                .and_then(|d| u32::try_from(d).ok())
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| format!("bonus days {:?} (1 to 3650 here)", p.bonus_days))?,
        ),
        "discount" => PromoKind::Discount(
            p.discount_percentage
                .and_then(|d| u32::try_from(d).ok())
                .filter(|d| (1..=99).contains(d))
                .ok_or_else(|| format!("discount {:?}% (1 to 99 here)", p.discount_percentage))?,
        ),
        other => return Err(format!("promo type {other:?} is not one this bot has")),
    };
    Ok(Promo {
        code,
        kind,
        limit: p.max_activations.map(|m| m.max(0) as u64),
        used: p.current_activations.unwrap_or_default().max(0) as u64,
        until: p.valid_until,
        active: p.is_active.unwrap_or(true),
        created_at: p.created_at.unwrap_or(now),
    })
}

/// Leaves exactly one card the default: the first the old bot marked so,
/// else the newest.
fn one_default(cards: &mut [Card]) {
    let keep = cards.iter().position(|c| c.default).or_else(|| {
        cards
            .iter()
            .enumerate()
            .max_by_key(|(_, c)| c.saved_at)
            .map(|(i, _)| i)
    });
    for (i, c) in cards.iter_mut().enumerate() {
        c.default = Some(i) == keep;
    }
}

/// Statuses the bots give a payment that went through.
const PAID: [&str; 5] = ["succeeded", "paid", "completed", "success", "confirmed"];
/// Statuses of a payment started and not decided yet: the bots' own
/// `pending_<provider>`, the provider's status they store as it is
/// (YooKassa's `pending`, `waiting_for_capture`; Crypto Pay's `active`;
/// Platega's `PENDING`), and remnawave-tg-shop HEAD's `processing` (a
/// notification being credited when the bot stopped: the provider sends
/// it again until answered).
const PENDING: [&str; 10] = [
    "pending",
    "processing",
    "pending_stars",
    "pending_yookassa",
    "pending_freekassa",
    "pending_platega",
    "pending_severpay",
    "pending_cryptopay",
    "waiting_for_capture",
    "active",
];

fn is_pending(p: &SrcPayment) -> bool {
    let status = p.status.as_deref().unwrap_or_default().to_lowercase();
    PENDING.contains(&status.as_str())
}

/// A paid payment as our historical order, a pending one with the
/// provider's id as a pending order; `Ok(None)` for one never paid (or
/// pending without an id a late notification could be matched by).
fn map_payment(p: &SrcPayment) -> Result<Option<HistoricalPayment>, String> {
    let status = p.status.as_deref().unwrap_or_default().to_lowercase();
    let paid = PAID.contains(&status.as_str());
    if paid {
        map_order(p, true)
    } else if is_pending(p) {
        // A pending payment that cannot be mapped is left out like one
        // never paid: no money moved.
        Ok(map_order(p, false).ok().flatten())
    } else {
        Ok(None)
    }
}

fn map_order(p: &SrcPayment, paid: bool) -> Result<Option<HistoricalPayment>, String> {
    let provider_name = p.provider.as_deref().unwrap_or("yookassa").to_lowercase();
    let provider = match provider_name.as_str() {
        "yookassa" => Provider::Yookassa,
        "cryptopay" | "crypto_pay" | "cryptobot" => Provider::Cryptopay,
        "stars" | "telegram_stars" | "xtr" => Provider::Stars,
        "freekassa" | "free_kassa" => Provider::Freekassa,
        "tribute" => Provider::Tribute,
        "platega" => Provider::Platega,
        "severpay" => Provider::Severpay,
        "balance" => Provider::Balance,
        other => return Err(format!("provider {other:?} is not one this bot knows")),
    };
    let currency = p.currency.as_deref().unwrap_or("RUB").trim().to_uppercase();
    let text = p.amount.as_deref().ok_or("no amount")?;
    let nano = nano_units(text).ok_or_else(|| format!("amount {text:?} is not one paid"))?;
    // Rubles and other fiat in hundredths (rounded, as the bots rounded the
    // float), Stars whole, a crypto asset (USDT, TON…) as that asset: an
    // asset amount is never read as rubles.
    let money = match currency.as_str() {
        "XTR" => {
            if nano % NANO != 0 {
                return Err("a fraction of a Star".into());
            }
            Money::from_minor(nano / NANO, "XTR")
        }
        code => match Money::from_minor(0, code) {
            Some(Money::Rub(_) | Money::Fiat(_)) => {
                Money::from_minor((nano + NANO / 200) / (NANO / 100), code)
            }
            Some(Money::Crypto(_)) => Money::from_minor(nano, code),
            _ => None,
        },
    }
    .ok_or_else(|| format!("currency {currency:?} is not one this bot records"))?;
    let topup = p.description.as_deref().is_some_and(|d| {
        let d = d.to_lowercase();
        d.contains("balance") || d.contains("баланс") || d.contains("пополн")
    });
    let purchase = match (traffic_package(p), p.months.filter(|m| *m > 0)) {
        (Some(bytes), _) => Purchase::Traffic(bytes),
        (None, Some(m)) => Purchase::Plan(
            u32::try_from(m)
                .ok()
                .and_then(Period::from_months)
                .ok_or_else(|| format!("a period of {m} months is not one this bot sells"))?,
        ),
        // The rubles the old bot put on the balance: the amount when paid in
        // rubles; otherwise unknown (a late payment of it is flagged, not
        // credited: see `Store::credit`).
        (None, None) if topup || provider == Provider::Balance => {
            Purchase::TopUp(money.as_rub().unwrap_or_default())
        }
        (None, None) => return Err("neither a period nor a balance top-up".into()),
    };
    let created = p.created_at.ok_or("no creation time")?;
    let provider_ref = p
        .yookassa_payment_id
        .clone()
        .or_else(|| p.provider_payment_id.clone())
        .filter(|r| !r.is_empty());
    // FreeKassa's notifications name the old bot's payment id as the
    // merchant's order id: a late one is matched by it, even without
    // FreeKassa's own id.
    let merchant_order = (provider == Provider::Freekassa).then(|| p.payment_id.to_string());
    if !paid
        && ((provider_ref.is_none() && merchant_order.is_none()) || provider == Provider::Balance)
    {
        return Ok(None);
    }
    let mut order = Order::new(TelegramId(p.user_id), purchase, money, provider, created);
    order.id = order_id(p.payment_id);
    order.provider_ref = provider_ref;
    if paid {
        order.status = OrderStatus::Paid;
        order.granted_days = match purchase {
            Purchase::Plan(period) => Some(period.days()),
            _ => None,
        };
    }
    Ok(Some(HistoricalPayment {
        order,
        paid_at: p.updated_at.unwrap_or(created).max(created),
        source: format!("{SOURCE}:payment:{}", p.payment_id),
        merchant_order,
    }))
}

/// 10^9: the nano units in one.
const NANO: u64 = 1_000_000_000;

/// An exact decimal (`"1490.5"`, `"2.75"`) in 10^-9 units, rounded half
/// up past nine places; `None` for a negative or malformed one.
fn nano_units(text: &str) -> Option<u64> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole
        .parse()
        .ok()
        .filter(|_| whole.bytes().all(|b| b.is_ascii_digit()))?;
    let mut digits: Vec<u8> = frac.bytes().map(|b| b - b'0').collect();
    let round_up = digits.get(9).is_some_and(|d| *d >= 5);
    digits.resize(9, 0);
    let frac = digits.iter().fold(0u64, |acc, d| acc * 10 + u64::from(*d));
    whole
        .checked_mul(NANO)?
        .checked_add(frac)?
        .checked_add(u64::from(round_up))
}

/// The start of what counts as remnawave-tg-shop's traffic sale mode end
/// (it writes 2099-01-01): 2090-01-01.
pub const TRAFFIC_MODE_FROM: i64 = 3_786_912_000;
/// How long remnawave-tg-shop's revision 0002 let a reservation without
/// an end run (`activated_at + 10 minutes`).
const RESERVATION_SECS: i64 = 600;
/// Bytes in a gigabyte, as both bots count them (2^30).
const GIB: u128 = 1 << 30;

/// A subscription the bot left on.
fn running(s: &SrcSubscription) -> bool {
    s.is_active != Some(false)
}

/// The traffic a traffic-sale-mode subscription holds (an end after 2090
/// and a traffic limit: remnawave-tg-shop's `_activate_traffic_package`),
/// bytes.
fn sold_traffic(s: &SrcSubscription) -> Option<u64> {
    let bytes = s.traffic_limit_bytes.and_then(|b| u64::try_from(b).ok());
    (s.end_date >= Some(TRAFFIC_MODE_FROM))
        .then_some(bytes)
        .flatten()
        .filter(|b| *b > 0)
}

/// A traffic package payment (remnawave-tg-shop's traffic sale mode,
/// described "Пакет трафика 50 ГБ" / "Traffic package 50 GB", the
/// gigabytes also where the months go), as bytes; fractions of a
/// gigabyte are read from the description (the column holds whole ones).
fn traffic_package(p: &SrcPayment) -> Option<u64> {
    let d = p.description.as_deref()?.to_lowercase();
    if !(d.contains("трафик") || d.contains("traffic")) {
        return None;
    }
    let from_text = d
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .find(|w| w.bytes().any(|b| b.is_ascii_digit()))
        .and_then(|w| nano_units(&w.replace(',', ".")));
    let nano_gb = from_text.or_else(|| {
        p.months
            .and_then(|m| u64::try_from(m).ok())
            .map(|m| m * NANO)
    })?;
    let bytes = u128::from(nano_gb) * GIB / u128::from(NANO);
    u64::try_from(bytes).ok().filter(|b| *b > 0)
}

/// The order id of a source payment: the same on every run.
pub fn order_id(payment_id: i64) -> OrderId {
    let digest = Sha256::digest(format!("{SOURCE}:payment:{payment_id}").as_bytes());
    OrderId(hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paid(provider: &str, amount: &str, currency: &str, months: Option<i64>) -> SrcPayment {
        SrcPayment {
            payment_id: 7,
            user_id: 1,
            provider: Some(provider.into()),
            amount: Some(amount.into()),
            currency: Some(currency.into()),
            status: Some("succeeded".into()),
            months,
            created_at: Some(1_700_000_000),
            ..SrcPayment::default()
        }
    }

    #[test]
    fn promo_codes_map_to_the_promo_features_kinds() {
        let src = SrcPromo {
            promo_code_id: 1,
            code: " summer_25 ".into(),
            promo_type: Some("discount".into()),
            discount_percentage: Some(25),
            max_activations: Some(100),
            current_activations: Some(7),
            ..SrcPromo::default()
        };
        let p = map_promo(&src, 5).unwrap();
        assert_eq!(
            (
                p.code.as_str(),
                p.kind,
                p.limit,
                p.used,
                p.active,
                p.created_at
            ),
            ("SUMMER_25", PromoKind::Discount(25), Some(100), 7, true, 5)
        );
        let days = SrcPromo {
            code: "WEEK".into(),
            bonus_days: Some(7),
            ..SrcPromo::default()
        };
        assert_eq!(map_promo(&days, 0).unwrap().kind, PromoKind::Days(7));
        let cyrillic = SrcPromo {
            code: "лето2026".into(),
            bonus_days: Some(7),
            ..SrcPromo::default()
        };
        assert_eq!(map_promo(&cyrillic, 0).unwrap().code, "ЛЕТО2026");
        for bad in [
            SrcPromo {
                code: "ПРИ ВЕТ".into(),
                bonus_days: Some(7),
                ..SrcPromo::default()
            },
            SrcPromo {
                code: "NODAYS".into(),
                ..SrcPromo::default()
            },
            SrcPromo {
                code: "ALL".into(),
                promo_type: Some("discount".into()),
                discount_percentage: Some(100),
                ..SrcPromo::default()
            },
            SrcPromo {
                code: "TRAFFIC".into(),
                promo_type: Some("traffic_gb".into()),
                ..SrcPromo::default()
            },
        ] {
            assert!(map_promo(&bad, 0).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn payments_map_by_provider_currency_and_period() {
        let h = map_payment(&paid("telegram_stars", "250", "XTR", Some(3)))
            .unwrap()
            .unwrap();
        assert_eq!(h.order.provider, Provider::Stars);
        assert_eq!(h.order.amount.minor(), 250);
        assert_eq!(h.order.granted_days, Some(90));
        assert_eq!(h.order.id, order_id(7));
        assert_eq!(h.order.id.0.len(), 32);
        let rub = map_payment(&paid("yookassa", "199", "rub", Some(1)))
            .unwrap()
            .unwrap();
        assert_eq!(rub.order.amount.minor(), 19_900);
        assert!(map_payment(&paid("mulenpay", "1", "RUB", Some(1))).is_err());
        for (name, provider) in [
            ("platega", Provider::Platega),
            ("severpay", Provider::Severpay),
        ] {
            let h = map_payment(&paid(name, "1", "RUB", Some(1)))
                .unwrap()
                .unwrap();
            assert_eq!(h.order.provider, provider);
        }
        assert!(map_payment(&paid("yookassa", "1", "RUB", Some(2))).is_err());
        assert!(map_payment(&paid("yookassa", "1.5", "XTR", Some(1))).is_err());
        let mut pending = paid("yookassa", "1", "RUB", Some(1));
        pending.status = Some("pending".into());
        assert_eq!(map_payment(&pending), Ok(None), "no id to match it by");
        pending.yookassa_payment_id = Some("2f9b-yk".into());
        let open = map_payment(&pending).unwrap().unwrap();
        assert_eq!(open.order.status, OrderStatus::Pending);
        assert_eq!(open.order.provider_ref.as_deref(), Some("2f9b-yk"));
        assert_eq!(open.order.granted_days, None);
        pending.status = Some("canceled".into());
        assert_eq!(map_payment(&pending), Ok(None));
        // FreeKassa's notification names the old bot's payment id: a
        // pending one is matched by it without FreeKassa's own id.
        let mut fk = paid("freekassa", "299", "RUB", Some(1));
        fk.status = Some("pending".into());
        let open = map_payment(&fk).unwrap().unwrap();
        assert_eq!(open.order.provider_ref, None);
        assert_eq!(open.merchant_order.as_deref(), Some("7"));
    }

    #[test]
    fn amounts_keep_their_unit_and_traffic_packages_are_traffic() {
        // Rubles rounded to kopecks as the bots rounded the float.
        let h = map_payment(&paid("yookassa", "1490.505", "RUB", Some(6)))
            .unwrap()
            .unwrap();
        assert_eq!(h.order.amount, Money::rub(Kopecks(149_051)));
        // A crypto asset stays that asset, never rubles; a top-up paid in
        // one puts no rubles on the balance.
        let usdt = map_payment(&paid("cryptopay", "2.5", "USDT", Some(1)))
            .unwrap()
            .unwrap();
        assert_eq!(usdt.order.amount.currency(), "USDT");
        assert_eq!(usdt.order.amount.minor(), 2_500_000_000);
        assert_eq!(usdt.order.amount.as_rub(), None);
        let mut ton = paid("cryptopay", "1.123456789", "TON", None);
        ton.description = Some("Пополнение баланса".into());
        let ton = map_payment(&ton).unwrap().unwrap();
        assert_eq!(ton.order.purchase, Purchase::TopUp(Kopecks(0)));
        assert_eq!(ton.order.amount.minor(), 1_123_456_789);
        assert!(map_payment(&paid("cryptopay", "-1", "USDT", Some(1))).is_err());
        // remnawave-tg-shop's traffic sale mode: gigabytes where months go.
        let mut gb = paid("platega", "300", "RUB", Some(50));
        gb.description = Some("Пакет трафика 50 ГБ".into());
        let gb = map_payment(&gb).unwrap().unwrap();
        assert_eq!(gb.order.purchase, Purchase::Traffic(50 << 30));
        assert_eq!(gb.order.granted_days, None);
        let mut half = paid("telegram_stars", "40", "XTR", Some(0));
        half.description = Some("Traffic package 0.5 GB".into());
        let half = map_payment(&half).unwrap().unwrap();
        assert_eq!(half.order.purchase, Purchase::Traffic(1 << 29));
        assert_eq!(nano_units("7"), Some(7 * NANO));
        assert_eq!(nano_units("0.0000000015"), Some(2));
        assert_eq!(nano_units("1e5"), None);
    }

    #[test]
    fn a_subscription_ending_in_2099_with_a_limit_is_traffic_sold() {
        let sub = |end: i64, limit: Option<i64>| SrcSubscription {
            end_date: Some(end),
            traffic_limit_bytes: limit,
            ..SrcSubscription::default()
        };
        assert_eq!(
            sold_traffic(&sub(4_070_908_800, Some(75 << 30))),
            Some(75 << 30)
        );
        assert_eq!(sold_traffic(&sub(4_070_908_800, None)), None);
        assert_eq!(sold_traffic(&sub(1_800_000_000, Some(1 << 30))), None);
    }
}
