//! Writing a plan through the store, user by user. Every write is
//! idempotent (see `shared::adapters::store::imports`), so a run that stops
//! half-way is finished by running it again.

use crate::plan::{Plan, UserPlan};
use futures::StreamExt;
use shared::adapters::store::imports::UserImport;
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
        out
    }
}

/// Writes the plan. Definitions first (promo codes, campaigns), then users
/// a few at a time.
pub async fn apply(store: &Store, plan: &Plan, now: i64) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    for p in &plan.promos {
        out.note("promo_codes", store.import_promo(p).await?);
    }
    for c in &plan.campaigns {
        out.note("campaigns", store.import_campaign(c).await?);
    }
    let mut results =
        futures::stream::iter(plan.users.iter().map(|u| apply_user(store, u, now)))
            .buffer_unordered(PARALLEL_USERS);
    while let Some(r) = results.next().await {
        out.absorb(r?);
    }
    Ok(out)
}

async fn apply_user(store: &Store, p: &UserPlan, now: i64) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    let u = &p.user;
    let first_time = match store.import_user(u, now).await? {
        UserImport::Created => true,
        UserImport::Merged => {
            out.merged_users += 1;
            true
        }
        UserImport::Already => false,
    };
    // What the user transaction carried, counted by the same kinds as the plan.
    out.note("users", first_time);
    for (kind, present) in [
        ("subscriptions", u.sub_end.is_some()),
        ("trials_used", u.trial_used.is_some()),
        ("referrals", u.referrer.is_some()),
        ("campaign_users", u.campaign.is_some()),
        ("balances", u.balance.0 > 0),
    ] {
        if present {
            out.note(kind, first_time);
        }
    }
    if let Some(code) = &p.old_ref_code {
        out.note("ref_code_aliases", store.import_ref_alias(code, u.id).await?);
    }
    for pay in &p.payments {
        out.note("payments", store.record_historical_payment(pay).await?);
    }
    for e in &p.entries {
        out.note("balance_entries", store.record_historical_entry(e).await?);
    }
    for m in &p.methods {
        out.note("saved_methods", store.import_saved_method(m).await?);
    }
    for a in &p.activations {
        out.note("promo_activations", store.import_promo_activation(a).await?);
    }
    Ok(out)
}
