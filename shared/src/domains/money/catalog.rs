//! The catalog: what is for sale and how it can be paid, from the settings
//! alone. A product is what it grants (days, device slots, traffic) and
//! its price in each currency; every way of buying (the bot, the cabinet,
//! renewals) prices and checks a purchase here, so a new kind of product
//! is one entry in these functions.

use crate::adapters::pay::Money;
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::config::{Config, DeviceSlots};
use crate::base::i18n::{Arg, t, tr};
use crate::base::money::{Kopecks, Stars};
use crate::base::types::{Lang, Period, Product, Provider};
use crate::domains::money::orders::Purchase;

/// Whether the shop sells traffic packages instead of months
/// (remnawave-tg-shop's `TRAFFIC_PACKAGES`).
pub fn traffic_mode(config: &Config) -> bool {
    config.products.traffic_mode()
}

/// Whether anything can be bought at all (the menu hides "Buy" otherwise).
pub fn selling(config: &Config) -> bool {
    if traffic_mode(config) {
        return config
            .products
            .traffic_packages
            .iter()
            .any(|p| !methods(config, Product::Traffic(p.bytes), None).is_empty());
    }
    config
        .plans
        .iter()
        .any(|p| p.enabled && !plan_methods(config, p.period, None).is_empty())
}

/// Providers that can take a payment in rubles (plans and top-ups), in
/// the operator's order.
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
    if config.platega.is_some() {
        out.push(Provider::Platega);
    }
    if config.severpay.is_some() {
        out.push(Provider::Severpay);
    }
    ordered(config, out)
}

/// `methods` in PAYMENT_METHODS_ORDER's order, those it leaves out removed;
/// Tribute and the balance, which it cannot name, stay last.
fn ordered(config: &Config, mut methods: Vec<Provider>) -> Vec<Provider> {
    let Some(order) = &config.products.methods_order else {
        return methods;
    };
    let nameable = |p: &Provider| !matches!(p, Provider::Tribute | Provider::Balance);
    methods.retain(|p| !nameable(p) || order.contains(p));
    methods.sort_by_key(|p| order.iter().position(|o| o == p).unwrap_or(order.len()));
    methods
}

/// The operator's prices of a product for one unit of it, before any
/// proration or discount: (rubles, Stars).
fn unit_prices(config: &Config, product: Product) -> Option<(Option<Kopecks>, Option<Stars>)> {
    match product {
        Product::Period(period) => {
            let plan = config.plan(period);
            (plan.enabled && !traffic_mode(config)).then_some((plan.rub_price, plan.stars_price))
        }
        Product::Devices(count) => {
            let d = config.products.devices?;
            (1..=Product::MAX_DEVICES_AT_ONCE)
                .contains(&count)
                .then_some((d.rub_month, d.stars_month))
        }
        Product::Traffic(bytes) => {
            let pack = config.products.pack(bytes)?;
            Some((pack.rub, pack.stars))
        }
    }
}

/// The payment methods for a product (the balance only when it covers the
/// price, when a user is given).
pub fn methods(config: &Config, product: Product, user: Option<&User>) -> Vec<Provider> {
    let Some((rub, stars)) = unit_prices(config, product) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if rub.is_some() {
        out.extend(rub_providers(config));
    }
    if config.stars_enabled && stars.is_some() {
        out.push(Provider::Stars);
    }
    let mut out = ordered(config, out);
    if let Product::Period(period) = product
        && config.tribute.is_some()
        && config.plan(period).tribute_link.is_some()
    {
        out.push(Provider::Tribute);
    }
    if rub.is_some()
        && let Some(user) = user
        && let Some(Money::Rub(price)) =
            price(config, user, product.into(), Provider::Balance, now())
        && user.balance >= price
    {
        out.push(Provider::Balance);
    }
    out
}

/// The payment methods offered for a period (balance only when it covers the price).
pub fn plan_methods(config: &Config, period: Period, user: Option<&User>) -> Vec<Provider> {
    methods(config, Product::Period(period), user)
}

/// Whether top-ups can be paid at all.
pub fn topup_available(config: &Config) -> bool {
    !rub_providers(config).is_empty()
}

/// Whether `purchase` is for sale through `provider` at all: the product is
/// on sale and priced for that provider. The balance counts whatever its
/// size (crediting checks the amount). Every way into a checkout asks this,
/// so an old button or a crafted callback cannot buy what is not sold.
pub fn sells(config: &Config, purchase: Purchase, provider: Provider) -> bool {
    match purchase.product() {
        None => rub_providers(config).contains(&provider),
        Some(product) => match provider {
            Provider::Balance => unit_prices(config, product).is_some_and(|(rub, _)| rub.is_some()),
            other => methods(config, product, None).contains(&other),
        },
    }
}

/// Why `user` cannot buy `product` now, as the text key to show; `None`
/// when they can. Extra devices and traffic packs are for a running paid
/// subscription (not the trial), within the device maximum and where the
/// subscription has a traffic limit to add to.
pub fn refusal(config: &Config, user: &User, product: Product, now: i64) -> Option<&'static str> {
    let paid_and_running = user.active(now) && !user.on_trial();
    match product {
        Product::Period(_) => None,
        Product::Devices(count) => {
            let d = config.products.devices?;
            if !paid_and_running {
                Some("devices-need-subscription")
            } else if count > devices_left(&d, user) {
                Some("devices-over-limit")
            } else {
                None
            }
        }
        Product::Traffic(_) if traffic_mode(config) => None,
        Product::Traffic(_) => {
            if !paid_and_running {
                Some("traffic-need-subscription")
            } else if base_traffic(config) == 0 {
                Some("traffic-nothing-to-add")
            } else {
                None
            }
        }
    }
}

/// Extra devices `user` may still buy.
pub fn devices_left(d: &DeviceSlots, user: &User) -> u32 {
    let held = d.included + user.extra_devices;
    match d.max_total {
        0 => Product::MAX_DEVICES_AT_ONCE,
        max => max.saturating_sub(held).min(Product::MAX_DEVICES_AT_ONCE),
    }
}

/// The traffic a paid period includes, bytes (0 = unlimited).
pub fn base_traffic(config: &Config) -> u64 {
    config.panel.as_ref().map_or(0, |p| p.traffic_limit_bytes)
}

/// Whether traffic packs are offered to `user` on top of their period.
pub fn offers_packs(config: &Config, user: &User, now: i64) -> bool {
    !traffic_mode(config)
        && !config.products.topup_packs.is_empty()
        && refusal(config, user, Product::Traffic(0), now).is_none()
}

/// Whether extra devices are offered to `user`.
pub fn offers_devices(config: &Config, user: &User, now: i64) -> bool {
    config.products.devices.is_some() && refusal(config, user, Product::Devices(1), now).is_none()
}

/// Whole days left of `user`'s subscription at `now`, at least one: what
/// extra devices are priced for.
pub fn days_left(user: &User, now: i64) -> u32 {
    let secs = user.sub_end.unwrap_or(now).saturating_sub(now).max(1);
    u32::try_from((secs + 86_399) / 86_400).unwrap_or(u32::MAX)
}

/// `per_month × count × days / 30`, rounded up: a monthly price prorated.
fn prorate(per_month: u64, count: u32, days: u32) -> u64 {
    (per_month * u64::from(count) * u64::from(days)).div_ceil(30)
}

/// The extra device slots a period bought by `user` now renews: those
/// they hold while a paid subscription runs, when the operator renews them.
pub fn renewed_slots(config: &Config, user: &User, now: i64) -> u32 {
    match config.products.devices {
        Some(d) if d.renew && user.active(now) && !user.on_trial() => user.extra_devices,
        _ => 0,
    }
}

/// The operator's price of `purchase` for `user` through `provider` at
/// `now`, without discounts: a period's with the extra devices it renews, a
/// device's prorated by the days left, a pack's as listed. `None` when not
/// priced for that provider.
pub fn list_price(
    config: &Config,
    user: &User,
    purchase: Purchase,
    provider: Provider,
    now: i64,
) -> Option<Money> {
    let product = purchase.product()?;
    let (rub, stars) = unit_prices(config, product)?;
    let (rub, stars) = match product {
        Product::Period(period) => {
            let slots = renewed_slots(config, user, now);
            let months = period.months();
            let devices = config.products.devices;
            let extra = |per: Option<u64>| per.map_or(0, |p| p * u64::from(slots * months));
            (
                rub.map(|k| Kopecks(k.0 + extra(devices.and_then(|d| d.rub_month).map(|k| k.0)))),
                stars.map(|s| {
                    let add = extra(devices.and_then(|d| d.stars_month).map(|s| u64::from(s.0)));
                    Stars(s.0.saturating_add(u32::try_from(add).unwrap_or(u32::MAX)))
                }),
            )
        }
        Product::Devices(count) => {
            let days = days_left(user, now);
            (
                rub.map(|k| Kopecks(prorate(k.0, count, days))),
                stars.map(|s| {
                    Stars(u32::try_from(prorate(u64::from(s.0), count, days)).unwrap_or(u32::MAX))
                }),
            )
        }
        Product::Traffic(_) => (rub, stars),
    };
    match provider {
        Provider::Stars => stars.map(Money::stars),
        Provider::Tribute => None,
        _ => rub.map(Money::rub),
    }
}

/// What `user` pays for `purchase` through `provider` at `now`: the
/// operator's price less the user's promo discount. Every order is priced
/// here, so the provider charges the discounted amount and crediting
/// compares against it.
pub fn price(
    config: &Config,
    user: &User,
    purchase: Purchase,
    provider: Provider,
    now: i64,
) -> Option<Money> {
    let full = list_price(config, user, purchase, provider, now)?;
    Some(full.map_minor(|minor| discounted(minor, user, now)))
}

/// What `user` pays for `period` through `provider` at `now`.
pub fn plan_price(
    config: &Config,
    user: &User,
    period: Period,
    provider: Provider,
    now: i64,
) -> Option<Money> {
    price(config, user, Purchase::Plan(period), provider, now)
}

/// What an automatic renewal of `period` through `provider` charges `user`
/// at `now`: today's price (extra devices priced in when renewed) less the
/// discount the user will still hold at `discount_at` (a quote told ahead
/// of the renewal does not promise a discount that will have expired by
/// then; the charge itself asks at its own moment); `None` when the period
/// is no longer for sale that way (renewals sell only what is on sale, at
/// today's price, never the price of the first purchase).
pub fn renewal_price(
    config: &Config,
    user: &User,
    period: Period,
    provider: Provider,
    now: i64,
    discount_at: i64,
) -> Option<Money> {
    if !sells(config, Purchase::Plan(period), provider) {
        return None;
    }
    let full = list_price(config, user, Purchase::Plan(period), provider, now)?;
    Some(full.map_minor(|minor| discounted(minor, user, discount_at)))
}

/// A product's name in a payment's title and on a receipt: "VPN for 1
/// month", "VPN: 2 extra devices", "VPN: 10 GB of traffic".
pub fn title(lang: Lang, purchase: Purchase) -> String {
    named(
        lang,
        purchase,
        ["invoice-title", "invoice-devices", "invoice-traffic"],
    )
}

/// A product as the admins' log names it: "1-month subscription", "2 extra
/// devices", "10 GB of traffic".
pub fn what(lang: Lang, purchase: Purchase) -> String {
    named(
        lang,
        purchase,
        ["log-what-plan", "log-what-devices", "log-what-traffic"],
    )
}

/// `purchase` in the message of `keys` (a period's, devices', traffic's);
/// a top-up is "balance top-up" everywhere.
fn named(lang: Lang, purchase: Purchase, [plan, devices, traffic]: [&str; 3]) -> String {
    match purchase {
        Purchase::Plan(p) => tr(lang, plan, &[("months", Arg::Num(i64::from(p.months())))]),
        Purchase::TopUp(_) => t(lang, "log-what-topup"),
        Purchase::Devices(count) => tr(lang, devices, &[("count", Arg::Num(i64::from(count)))]),
        Purchase::Traffic(bytes) => tr(
            lang,
            traffic,
            &[(
                "amount",
                Arg::Str(crate::base::format::pack_text(lang, bytes)),
            )],
        ),
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
