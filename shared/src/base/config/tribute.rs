//! Tribute subscriptions: the webhook signing key, which renewal messages to
//! skip, and the products the operator sells there (only those are credited).

use super::error::ConfigError;
use super::parse::{Reader, invalid, list_items};
use super::vars::REDACTED;
use crate::base::types::Period;
use std::fmt;

/// Tribute subscriptions.
#[derive(Clone, PartialEq, Eq)]
pub struct Tribute {
    /// Webhook signing key (TRIBUTE_API_KEY, secret).
    pub api_key: String,
    /// Do not message users about renewals (TRIBUTE_SKIP_NOTIFICATIONS).
    pub skip_notifications: bool,
    /// Do not message users about cancellations (TRIBUTE_SKIP_CANCELLATION_NOTIFICATIONS).
    pub skip_cancellation_notifications: bool,
    /// The operator's Tribute subscriptions (TRIBUTE_SUBSCRIPTION_IDS); a
    /// payment for any other is not credited. Empty: nothing is credited.
    pub subscription_ids: Vec<u64>,
    /// The channel the subscriptions belong to (TRIBUTE_CHANNEL_ID), if checked.
    pub channel_id: Option<u64>,
    /// Tribute's period ids of our periods (TRIBUTE_PERIOD_ID_1_MONTH…).
    pub period_ids: Vec<(Period, u64)>,
    /// Prices Tribute charges other than the ruble price of the period
    /// (TRIBUTE_PRICE_1_MONTH… as `4.99 EUR`): minor units and currency.
    pub prices: Vec<(Period, u64, String)>,
}

impl fmt::Debug for Tribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tribute")
            .field("api_key", &REDACTED)
            .field("skip_notifications", &self.skip_notifications)
            .field(
                "skip_cancellation_notifications",
                &self.skip_cancellation_notifications,
            )
            .field("subscription_ids", &self.subscription_ids)
            .field("channel_id", &self.channel_id)
            .field("period_ids", &self.period_ids)
            .field("prices", &self.prices)
            .finish()
    }
}

/// Reads the Tribute settings; `None` unless TRIBUTE_ENABLED.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<Tribute>, ConfigError> {
    let enabled = r.flag("TRIBUTE_ENABLED", false)?;
    let skip_notifications = r.flag("TRIBUTE_SKIP_NOTIFICATIONS", false)?;
    let skip_cancellation_notifications =
        r.flag("TRIBUTE_SKIP_CANCELLATION_NOTIFICATIONS", false)?;
    if !enabled {
        return Ok(None);
    }
    let api_key = r.required("TRIBUTE_API_KEY", "TRIBUTE_ENABLED is true")?;
    let subscription_ids = match r.raw("TRIBUTE_SUBSCRIPTION_IDS") {
        None => Vec::new(),
        Some(raw) => list_items(raw)
            .map(|item| {
                item.parse::<u64>().map_err(|_| {
                    invalid(
                        "TRIBUTE_SUBSCRIPTION_IDS",
                        "Tribute subscription ids (whole numbers), comma-separated",
                        raw,
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let mut period_ids = Vec::new();
    let mut prices = Vec::new();
    for period in Period::ALL {
        let (id_name, price_name) = names(period);
        if let Some(id) = r.whole::<u64>(id_name)? {
            period_ids.push((period, id));
        }
        if let Some(raw) = r.raw(price_name) {
            let (minor, currency) = parse_price(raw)
                .ok_or_else(|| invalid(price_name, "a price and a currency, like 4.99 EUR", raw))?;
            prices.push((period, minor, currency));
        }
    }
    Ok(Some(Tribute {
        api_key,
        skip_notifications,
        skip_cancellation_notifications,
        subscription_ids,
        channel_id: r.whole("TRIBUTE_CHANNEL_ID")?,
        period_ids,
        prices,
    }))
}

fn names(period: Period) -> (&'static str, &'static str) {
    match period {
        Period::OneMonth => ("TRIBUTE_PERIOD_ID_1_MONTH", "TRIBUTE_PRICE_1_MONTH"),
        Period::ThreeMonths => ("TRIBUTE_PERIOD_ID_3_MONTHS", "TRIBUTE_PRICE_3_MONTHS"),
        Period::SixMonths => ("TRIBUTE_PERIOD_ID_6_MONTHS", "TRIBUTE_PRICE_6_MONTHS"),
        Period::TwelveMonths => ("TRIBUTE_PERIOD_ID_12_MONTHS", "TRIBUTE_PRICE_12_MONTHS"),
    }
}

/// `4.99 EUR` → (499, "EUR"): at most two decimals, a three-letter currency.
fn parse_price(raw: &str) -> Option<(u64, String)> {
    let (amount, currency) = raw.trim().split_once(char::is_whitespace)?;
    let currency = currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let (whole, frac) = amount.split_once(['.', ',']).unwrap_or((amount, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = format!("{frac:0<2}");
    let minor = whole.parse::<u64>().ok()?.checked_mul(100)? + frac.parse::<u64>().ok()?;
    (minor > 0).then_some((minor, currency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::Vars;

    fn read_with(pairs: &[(&str, &str)]) -> Result<Option<Tribute>, ConfigError> {
        let mut vars = Vars::new();
        vars.set("TRIBUTE_ENABLED", "true");
        vars.set("TRIBUTE_API_KEY", "unit-key");
        for (k, v) in pairs {
            vars.set(k, v);
        }
        read(&Reader(&vars))
    }

    #[test]
    fn products_are_read() {
        let t = read_with(&[
            ("TRIBUTE_SUBSCRIPTION_IDS", "7731, 7732"),
            ("TRIBUTE_CHANNEL_ID", "9051"),
            ("TRIBUTE_PERIOD_ID_3_MONTHS", "7702"),
            ("TRIBUTE_PRICE_1_MONTH", "4.9 eur"),
        ])
        .expect("valid")
        .expect("enabled");
        assert_eq!(t.subscription_ids, [7731, 7732]);
        assert_eq!(t.channel_id, Some(9051));
        assert_eq!(t.period_ids, [(Period::ThreeMonths, 7702)]);
        assert_eq!(t.prices, [(Period::OneMonth, 490, "EUR".to_owned())]);
    }

    #[test]
    fn bad_products_name_their_setting() {
        let e = read_with(&[("TRIBUTE_SUBSCRIPTION_IDS", "7731,abc")]).unwrap_err();
        assert!(
            e.to_string().starts_with("TRIBUTE_SUBSCRIPTION_IDS:"),
            "{e}"
        );
        let e = read_with(&[("TRIBUTE_PRICE_3_MONTHS", "4.999 EUR")]).unwrap_err();
        assert!(e.to_string().starts_with("TRIBUTE_PRICE_3_MONTHS:"), "{e}");
        let e = read_with(&[("TRIBUTE_PERIOD_ID_1_MONTH", "-1")]).unwrap_err();
        assert!(
            e.to_string().starts_with("TRIBUTE_PERIOD_ID_1_MONTH:"),
            "{e}"
        );
        assert_eq!(parse_price("199 RUB"), Some((19_900, "RUB".into())));
        assert_eq!(parse_price("199"), None);
        assert_eq!(parse_price("0 RUB"), None);
    }
}
