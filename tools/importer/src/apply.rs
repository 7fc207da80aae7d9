//! Writing a plan through the store, user by user. Every write is
//! idempotent (see `shared::adapters::store::imports`), so a run that stops
//! half-way is finished by running it again.

use crate::plan::{Plan, UserPlan};
use futures::StreamExt;
use shared::adapters::store::imports::{ImportRecord, UserImport};
use shared::adapters::store::{Store, StoreError};
use std::collections::BTreeMap;

/// Users written at the same time.
const PARALLEL_USERS: usize = 8;

/// What a run wrote, per kind: `written` now, `already` there from an
/// earlier run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Items written by this run.
    pub written: BTreeMap<&'static str, u64>,
    /// Items found written by an earlier run.
    pub already: BTreeMap<&'static str, u64>,
    /// Users who had already started this bot and were merged.
    pub merged_users: u64,
    /// Users whose end the run counted into the stats screen's end buckets
    /// afterwards (ends this bot had before the buckets, or that the import
    /// left where they were): `Store::backfill_ends`.
    pub ends_counted: u64,
}

impl Outcome {
    fn note(&mut self, kind: &'static str, written: bool) {
        let map = if written {
            &mut self.written
        } else {
            &mut self.already
        };
        *map.entry(kind).or_default() += 1;
    }

    fn absorb(&mut self, other: Outcome) {
        for (k, v) in other.written {
            *self.written.entry(k).or_default() += v;
        }
        for (k, v) in other.already {
            *self.already.entry(k).or_default() += v;
        }
        self.merged_users += other.merged_users;
    }

    /// Items per kind, whether written now or before.
    pub fn total(&self, kind: &str) -> u64 {
        self.written.get(kind).copied().unwrap_or_default()
            + self.already.get(kind).copied().unwrap_or_default()
    }

    /// The outcome as an operator reads it.
    pub fn render(&self) -> String {
        let mut kinds: Vec<&&str> = self.written.keys().chain(self.already.keys()).collect();
        kinds.sort();
        kinds.dedup();
        let mut out = String::from("written (new / already there):\n");
        for k in kinds {
            out.push_str(&format!(
                "  {k:<20} {} / {}\n",
                self.written.get(*k).copied().unwrap_or_default(),
                self.already.get(*k).copied().unwrap_or_default()
            ));
        }
        out.push_str(&format!(
            "  users merged into existing ones: {}\n",
            self.merged_users
        ));
        out.push_str(&format!(
            "  subscription ends counted for the stats afterwards: {}\n",
            self.ends_counted
        ));
        out
    }
}

/// Writes the plan: definitions first (promo codes, campaigns), then the
/// users not imported yet (one `BatchGetItem` per 100 finds the others), a
/// few at a time, each in one transaction.
pub async fn apply(store: &Store, plan: &Plan, now: i64) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    for p in &plan.promos {
        out.note(
            "promo_codes",
            store.import_promo(p, crate::plan::SOURCE).await?,
        );
    }
    for c in &plan.campaigns {
        out.note("campaigns", store.import_campaign(c).await?);
    }
    let ids: Vec<_> = plan.users.iter().map(|u| u.user.id).collect();
    let done = store.imported_users(&ids).await?;
    let mut todo = Vec::new();
    for u in &plan.users {
        if done.contains(&u.user.id) {
            for kind in kinds_of(u) {
                out.note(kind, false);
            }
        } else {
            todo.push(u);
        }
    }
    let mut results = futures::stream::iter(todo.into_iter().map(|u| apply_user(store, u, now)))
        .buffer_unordered(PARALLEL_USERS);
    while let Some(r) = results.next().await {
        out.absorb(r?);
    }
    Ok(out)
}

/// The kinds the user transaction itself carries, as the plan counts them.
fn profile_kinds(p: &UserPlan) -> Vec<&'static str> {
    let u = &p.user;
    let mut kinds = vec!["users"];
    for (kind, present) in [
        ("subscriptions", u.sub_end.is_some()),
        ("trials_used", u.trial_used.is_some()),
        ("referrals", u.referrer.is_some()),
        ("campaign_users", u.campaign.is_some()),
        ("campaign_trials", u.campaign_trial),
        ("banned", u.banned),
        ("traffic_mode_users", u.packs > 0),
        ("active_discounts", u.discount.is_some()),
        ("balances", u.balance.0 > 0),
    ] {
        if present {
            kinds.push(kind);
        }
    }
    kinds
}

/// Every kind a user brings, one entry per item counted.
fn kinds_of(p: &UserPlan) -> Vec<&'static str> {
    let mut kinds = profile_kinds(p);
    kinds.extend(p.old_ref_code.iter().map(|_| "ref_code_aliases"));
    kinds.extend(p.payments.iter().map(|_| "payments"));
    kinds.extend(p.pending.iter().map(|_| "pending_payments"));
    kinds.extend(p.provider_refs().map(|_| "provider_refs"));
    kinds.extend(p.entries.iter().map(|_| "balance_entries"));
    kinds.extend(p.cards.iter().map(|_| "saved_cards"));
    kinds.extend(p.renewal.iter().map(|_| "renewal_settings"));
    kinds.extend(p.activations.iter().map(|_| "promo_activations"));
    kinds
}

async fn apply_user(store: &Store, p: &UserPlan, now: i64) -> Result<Outcome, StoreError> {
    let mut records = Vec::new();
    let one = |kind, w| ImportRecord {
        kind,
        writes: vec![w],
    };
    if let Some(code) = &p.old_ref_code {
        records.push(one(
            "ref_code_aliases",
            store.ref_alias_write(code, p.user.id)?,
        ));
    }
    for pay in &p.payments {
        records.push(ImportRecord {
            kind: "payments",
            writes: store.historical_payment_writes(pay)?,
        });
    }
    for pay in &p.pending {
        records.push(ImportRecord {
            kind: "pending_payments",
            writes: store.historical_payment_writes(pay)?,
        });
    }
    // After the orders: an alias found means its order is there.
    for (provider, reference, order) in p.provider_refs() {
        records.push(one(
            "provider_refs",
            store.provider_ref_write(provider, &reference, &order.0, p.user.id)?,
        ));
    }
    for e in &p.entries {
        records.push(one("balance_entries", store.historical_entry_write(e)?));
    }
    if !p.cards.is_empty() {
        // A user who saved a card in this bot keeps it as the default: the
        // old cards come over as further cards. (Cards an interrupted run
        // of this import wrote are not "saved here".)
        let wallet = store.wallet(p.user.id).await?;
        let saved_here = wallet
            .cards
            .iter()
            .any(|c| !p.cards.iter().any(|m| m.method_id == c.method_id));
        for card in &p.cards {
            let mut card = card.clone();
            card.default &= !saved_here;
            records.push(one(
                "saved_cards",
                store.imported_card_write(p.user.id, &card)?,
            ));
        }
    }
    if let Some((on, period)) = p.renewal {
        records.push(one(
            "renewal_settings",
            store.imported_settings_write(p.user.id, on, period)?,
        ));
    }
    for a in &p.activations {
        records.push(one(
            "promo_activations",
            store.imported_activation_write(&a.code, a.user, a.at)?,
        ));
    }
    let result = store.import_user(&p.user, records, now).await?;
    let mut out = Outcome::default();
    let fresh = result.user != UserImport::Already;
    if result.user == UserImport::Merged {
        out.merged_users += 1;
    }
    for kind in profile_kinds(p) {
        out.note(kind, fresh);
    }
    for kind in result.written {
        out.note(kind, true);
    }
    for kind in result.already {
        out.note(kind, false);
    }
    Ok(out)
}
