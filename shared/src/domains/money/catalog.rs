//! What is for sale and how it can be paid: the enabled periods and the
//! providers that take each, from the settings alone.

use crate::adapters::pay::Money;
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::config::Config;
use crate::base::types::{Period, Provider};
use crate::domains::money::orders::Purchase;

/// Whether anything can be bought at all (the menu hides "Buy" otherwise).
pub fn selling(config: &Config) -> bool {
    config
        .plans
        .iter()
        .any(|p| p.enabled && !plan_methods(config, p.period, None).is_empty())
}

/// Providers that can take a payment in rubles (plans and top-ups).
pub fn rub_providers(config: &Config) -> Vec<Provider> {
    let mut out = Vec::new();
    if config.yookassa.is_some() {
        out.push(Provider::Yookassa);
    }
    if config.cryptopay.is_some() {
        out.push(Provider::Cryptopay);
    }
    if config.freekassa.is_some() {
        out.push(Provider::Freekassa);
    }
    out
}

/// The payment methods offered for a period (balance only when it covers the price).
pub fn plan_methods(config: &Config, period: Period, user: Option<&User>) -> Vec<Provider> {
    let plan = config.plan(period);
    if !plan.enabled {
        return Vec::new();
    }
    let mut out = Vec::new();
    if plan.rub_price.is_some() {
        out.extend(rub_providers(config));
    }
    if config.stars_enabled && plan.stars_price.is_some() {
        out.push(Provider::Stars);
    }
    if config.tribute.is_some() && plan.tribute_link.is_some() {
        out.push(Provider::Tribute);
    }
    if let (Some(price), Some(user)) = (plan.rub_price, user)
        && user.balance.0 >= discounted(price.0, user, now())
    {
        out.push(Provider::Balance);
    }
    out
}

/// Whether top-ups can be paid at all.
pub fn topup_available(config: &Config) -> bool {
    !rub_providers(config).is_empty()
}

/// Whether `purchase` is for sale through `provider` at all: the period is
/// enabled and priced for that provider. The balance counts whatever its
/// size (crediting checks the amount). Every way into a checkout asks this,
/// so an old button or a crafted callback cannot buy a disabled period.
pub fn sells(config: &Config, purchase: Purchase, provider: Provider) -> bool {
    match purchase {
        Purchase::Plan(period) => {
            let plan = config.plan(period);
            plan.enabled
                && match provider {
                    Provider::Balance => plan.rub_price.is_some(),
                    other => plan_methods(config, period, None).contains(&other),
                }
        }
        Purchase::TopUp(_) => rub_providers(config).contains(&provider),
    }
}

/// `minor` less the promo discount `user` holds at `now` (never below one
/// minor unit).
pub fn discounted(minor: u64, user: &User, now: i64) -> u64 {
    match user.discount_at(now) {
        Some(d) => apply_percent(minor, d.percent),
        None => minor,
    }
}

/// `minor` less `percent` percent, rounded down, at least 1.
pub fn apply_percent(minor: u64, percent: u32) -> u64 {
    let percent = u64::from(percent.min(99));
    (minor * (100 - percent) / 100).max(1)
}

/// What `user` pays for `period` through `provider` at `now`: the
/// operator's price in that currency, less the user's promo discount.
/// Every order of a period is priced here, so the provider charges the
/// discounted amount and crediting compares against it.
pub fn plan_price(
    config: &Config,
    user: &User,
    period: Period,
    provider: Provider,
    now: i64,
) -> Option<Money> {
    let full = list_price(config, period, provider)?;
    Some(full.map_minor(|minor| discounted(minor, user, now)))
}

/// The operator's price of `period` through `provider`, without discounts.
pub fn list_price(config: &Config, period: Period, provider: Provider) -> Option<Money> {
    let plan = config.plan(period);
    match provider {
        Provider::Stars => plan.stars_price.map(Money::stars),
        Provider::Tribute => None,
        _ => plan.rub_price.map(Money::rub),
    }
}

/// What an automatic renewal of `period` through `provider` charges `user`
/// at `now`: today's price less the user's discount, as any purchase; `None`
/// when the period is no longer for sale that way (renewals sell only what
/// is on sale, at today's price, never the price of the first purchase).
pub fn renewal_price(
    config: &Config,
    user: &User,
    period: Period,
    provider: Provider,
    now: i64,
) -> Option<Money> {
    if !sells(config, Purchase::Plan(period), provider) {
        return None;
    }
    plan_price(config, user, period, provider, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percent_comes_off_rounded_down_and_never_to_zero() {
        assert_eq!(apply_percent(19_900, 25), 14_925);
        assert_eq!(apply_percent(150, 10), 135);
        assert_eq!(apply_percent(1, 50), 1);
        assert_eq!(apply_percent(100, 100), 1);
    }
}
