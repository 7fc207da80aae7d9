//! What is for sale and how it can be paid: the enabled periods and the
//! providers that take each, from the settings alone.

use crate::adapters::store::users::User;
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
        && user.balance >= price
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
        Purchase::TopUp => rub_providers(config).contains(&provider),
    }
}
