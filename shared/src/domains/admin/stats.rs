//! The business in numbers, read from the counters (`adapters::store::stats`):
//! three queries whatever the number of users.

use crate::adapters::app::App;
use crate::adapters::store::StoreError;
use crate::adapters::store::keys::day_of;
use crate::adapters::store::stats::{Counters, Standing, counter};
use std::collections::BTreeMap;

/// Days the stats screen and the chart cover.
pub const DAYS: i64 = 30;

/// Counters of the last [`DAYS`] days (today included) and all time.
#[derive(Debug, Clone)]
pub struct Stats {
    /// The counters.
    pub counters: Counters,
    /// The days covered, oldest first (`yyyy-mm-dd`).
    pub days: Vec<String>,
    /// Users by where their subscription stands now.
    pub standing: Standing,
}

/// A period of the stats screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Today (UTC).
    Today,
    /// The last 7 days, today included.
    Week,
    /// The last 30 days, today included.
    Month,
    /// Since the counters began.
    All,
}

impl Stats {
    /// A counter over a period.
    pub fn get(&self, span: Span, name: &str) -> i64 {
        let from = |n: usize| &self.days[self.days.len() - n];
        match span {
            Span::Today => self.counters.since(from(1), name),
            Span::Week => self.counters.since(from(7), name),
            Span::Month => self.counters.since(from(DAYS as usize), name),
            Span::All => self.counters.total(name),
        }
    }

    /// Revenue over a period: `(provider, currency) → minor units`.
    pub fn revenue(&self, span: Span) -> BTreeMap<(String, String), i64> {
        let names: Vec<String> = self
            .counters
            .totals
            .keys()
            .chain(self.counters.days.values().flat_map(|m| m.keys()))
            .filter(|k| k.starts_with("rev_"))
            .cloned()
            .collect();
        let mut out = BTreeMap::new();
        for name in names {
            let Some((prov, cur)) = name.trim_start_matches("rev_").rsplit_once('_') else {
                continue;
            };
            let v = self.get(span, &name);
            if v != 0 {
                out.insert((prov.to_owned(), cur.to_owned()), v);
            }
        }
        out
    }

    /// Sales over a period by kind of product: `(kind, currency) → minor units`.
    pub fn sales(&self, span: Span) -> BTreeMap<(String, String), i64> {
        let names: Vec<String> = self
            .counters
            .totals
            .keys()
            .chain(self.counters.days.values().flat_map(|m| m.keys()))
            .filter(|k| k.starts_with("sold_"))
            .cloned()
            .collect();
        let mut out = BTreeMap::new();
        for name in names {
            let Some((kind, cur)) = name.trim_start_matches("sold_").rsplit_once('_') else {
                continue;
            };
            let v = self.get(span, &name);
            if v != 0 {
                out.insert((kind.to_owned(), cur.to_owned()), v);
            }
        }
        out
    }

    /// Per day, oldest first, for the chart: sign-ups, ruble revenue in
    /// whole rubles, and Stars.
    pub fn chart_days(&self) -> Vec<super::chart::Day> {
        self.days
            .iter()
            .filter_map(|d| {
                let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?;
                let revenue = |currency: &str| -> i64 {
                    self.counters
                        .days
                        .get(d)
                        .map(|m| {
                            m.iter()
                                .filter(|(k, _)| k.starts_with("rev_") && k.ends_with(currency))
                                .map(|(_, v)| *v)
                                .sum()
                        })
                        .unwrap_or(0)
                };
                Some(super::chart::Day {
                    date,
                    signups: self.counters.day(d, counter::SIGNUPS),
                    rub: revenue("_RUB") / 100,
                    stars: revenue("_XTR"),
                })
            })
            .collect()
    }
}

/// Reads the counters for the stats screen and the chart at `now`.
pub async fn load(app: &App, now: i64) -> Result<Stats, StoreError> {
    let days: Vec<String> = (0..DAYS).rev().map(|i| day_of(now - i * 86_400)).collect();
    let today = &days[days.len() - 1];
    // Boxed: side by side, the two reads' futures would add up in every
    // caller's future (the stats screen, the chart, inline, broadcasts).
    let (counters, ends) = tokio::try_join!(
        Box::pin(app.store.counters(&days[0], today)),
        Box::pin(app.store.ends_from(today))
    )?;
    let standing = Standing::new(&counters, ends);
    Ok(Stats {
        counters,
        days,
        standing,
    })
}

/// A broadcast audience's recipient count from the counters: an upper
/// bound. For everyone, banned users are taken off (the gauge is exact);
/// the other audiences do not know how many of their users are banned or
/// blocked the bot, and the fan-out skips those as it goes.
pub fn audience_count(st: &Standing, audience: &str) -> i64 {
    let n = match audience {
        "active" => st.active,
        "expired" => st.expired(),
        "never_paid" => st.never_paid(),
        "trial" => st.trial,
        _ => st.users - st.banned,
    };
    n.max(0)
}
