//! From the source's rows to our items: a pure mapping, the same for the
//! dry run and the real run, so the dry run's counts are what a run writes.

use crate::source::{Source, SrcPayment, SrcPromo};
use sha2::{Digest, Sha256};
use shared::adapters::pay::{Money, OrderId};
use shared::adapters::store::cards::Card;
use shared::adapters::store::imports::CampaignDef;
use shared::adapters::store::imports::{ImportedUser, merchant_order_ref};
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
        let mut out = format!("{title}\n");
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
    let mut report = Report::default();
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
        subs.entry(s.user_id).or_default().push(s);
    }

    let campaigns_by_id: HashMap<i64, &str> = src
        .campaigns
        .iter()
        .map(|c| (c.ad_campaign_id, c.start_param.as_str()))
        .collect();
    let mut campaign_of: HashMap<i64, String> = HashMap::new();
    for a in &src.attributions {
        match campaigns_by_id.get(&a.ad_campaign_id) {
            Some(name) if ids.contains(&a.user_id) => {
                campaign_of.insert(a.user_id, (*name).to_owned());
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
        match map_payment(p) {
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
        let sub_end = my_subs
            .iter()
            .filter(|s| s.is_active != Some(false))
            .filter_map(|s| s.end_date)
            .max();
        // The Python bot offers the trial only to users who never had a
        // subscription: anyone with one has used their chance.
        let trial_used = my_subs
            .iter()
            .map(|s| s.start_date.or(s.end_date).unwrap_or(now))
            .min();
        let created_at = u.registration_date.unwrap_or(now);
        let my_payments = payments.remove(&u.user_id).unwrap_or_default();
        let paid_plans: Vec<i64> = my_payments
            .iter()
            .filter(|h| {
                h.order.status == OrderStatus::Paid && matches!(h.order.purchase, Purchase::Plan(_))
            })
            .map(|h| h.paid_at)
            .collect();
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
            campaign: campaign_of.remove(&u.user_id),
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
            "code {:?} cannot be typed in this bot (3–32 of A–Z, 0–9, _ and -)",
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
/// Statuses of a payment started and not decided yet.
const PENDING: [&str; 8] = [
    "pending",
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
    let hundredths = p.amount_hundredths.ok_or("no amount")?;
    if hundredths < 0 {
        return Err(format!("negative amount {hundredths}"));
    }
    let minor = match currency.as_str() {
        "RUB" | "USD" | "EUR" => hundredths as u64,
        "XTR" => {
            if hundredths % 100 != 0 {
                return Err("a fraction of a Star".into());
            }
            (hundredths / 100) as u64
        }
        other => return Err(format!("currency {other:?} is not one this bot records")),
    };
    let topup = p.description.as_deref().is_some_and(|d| {
        let d = d.to_lowercase();
        d.contains("balance") || d.contains("баланс") || d.contains("пополн")
    });
    let purchase = match p.months.filter(|m| *m > 0) {
        Some(m) => Purchase::Plan(
            u32::try_from(m)
                .ok()
                .and_then(Period::from_months)
                .ok_or_else(|| format!("a period of {m} months is not one this bot sells"))?,
        ),
        // The rubles the old bot put on the balance: the amount when paid in
        // rubles; otherwise unknown (a late payment of it is flagged, not
        // credited: see `Store::credit`).
        None if topup || provider == Provider::Balance => {
            Purchase::TopUp(Kopecks(if currency == "RUB" { minor } else { 0 }))
        }
        None => return Err("neither a period nor a balance top-up".into()),
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
    let mut order = Order::new(
        TelegramId(p.user_id),
        purchase,
        Money::from_minor(minor, &currency).ok_or("no such currency")?,
        provider,
        created,
    );
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

/// The order id of a source payment: the same on every run.
pub fn order_id(payment_id: i64) -> OrderId {
    let digest = Sha256::digest(format!("{SOURCE}:payment:{payment_id}").as_bytes());
    OrderId(hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paid(provider: &str, amount: i64, currency: &str, months: Option<i64>) -> SrcPayment {
        SrcPayment {
            payment_id: 7,
            user_id: 1,
            provider: Some(provider.into()),
            amount_hundredths: Some(amount),
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
        for bad in [
            SrcPromo {
                code: "ПРИВЕТ".into(),
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
        let h = map_payment(&paid("telegram_stars", 25_000, "XTR", Some(3)))
            .unwrap()
            .unwrap();
        assert_eq!(h.order.provider, Provider::Stars);
        assert_eq!(h.order.amount.minor(), 250);
        assert_eq!(h.order.granted_days, Some(90));
        assert_eq!(h.order.id, order_id(7));
        assert_eq!(h.order.id.0.len(), 32);
        let rub = map_payment(&paid("yookassa", 19_900, "rub", Some(1)))
            .unwrap()
            .unwrap();
        assert_eq!(rub.order.amount.minor(), 19_900);
        assert!(map_payment(&paid("mulenpay", 100, "RUB", Some(1))).is_err());
        for (name, provider) in [
            ("platega", Provider::Platega),
            ("severpay", Provider::Severpay),
        ] {
            let h = map_payment(&paid(name, 100, "RUB", Some(1)))
                .unwrap()
                .unwrap();
            assert_eq!(h.order.provider, provider);
        }
        assert!(map_payment(&paid("yookassa", 100, "RUB", Some(2))).is_err());
        assert!(map_payment(&paid("yookassa", 150, "XTR", Some(1))).is_err());
        let mut pending = paid("yookassa", 100, "RUB", Some(1));
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
        let mut fk = paid("freekassa", 29_900, "RUB", Some(1));
        fk.status = Some("pending".into());
        let open = map_payment(&fk).unwrap().unwrap();
        assert_eq!(open.order.provider_ref, None);
        assert_eq!(open.merchant_order.as_deref(), Some("7"));
    }
}
