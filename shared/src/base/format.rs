//! How dates, amounts and sizes are written for users and admins.

use crate::base::config::Config;
use crate::base::i18n::{Arg, tr};
use crate::base::money::{Money, decimal_text};
use crate::base::types::{Kopecks, Lang};

/// A date as the user reads it.
pub fn date(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_default()
}

/// A date and time (UTC) as an admin reads it.
pub fn date_time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%d.%m.%Y %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// An amount of traffic: megabytes below one gigabyte, else gigabytes with
/// one decimal (binary units, as the panel counts).
pub fn bytes_text(lang: Lang, bytes: u64) -> String {
    const GIB: u64 = 1 << 30;
    if bytes < GIB {
        let mb = bytes.div_ceil(1 << 20);
        tr(lang, "size-mb", &[("amount", Arg::Str(mb.to_string()))])
    } else {
        let tenths = (bytes * 10 + GIB / 2) / GIB;
        let amount = format!("{}.{}", tenths / 10, tenths % 10);
        tr(lang, "size-gb", &[("amount", Arg::Str(amount))])
    }
}

/// A traffic pack's size as the operator wrote it: gigabytes with at most
/// two decimals, trailing zeros dropped ("10 GB", "0.5 GB", "0,5 ГБ").
pub fn pack_text(lang: Lang, bytes: u64) -> String {
    const GIB: u64 = 1 << 30;
    let hundredths = (bytes * 100 + GIB / 2) / GIB;
    let mut amount = (hundredths / 100).to_string();
    let fraction = format!("{:02}", hundredths % 100);
    let fraction = fraction.trim_end_matches('0');
    if !fraction.is_empty() {
        // Russian writes a decimal comma: "0,5 ГБ".
        amount.push(if lang == Lang::Ru { ',' } else { '.' });
        amount.push_str(fraction);
    }
    tr(lang, "size-gb", &[("amount", Arg::Str(amount))])
}

/// An amount in its own unit as people read it: "199 ₽", "150 ⭐",
/// "2.09 USDT", "4.99 EUR".
pub fn money_text(config: &Config, m: &Money) -> String {
    match m {
        Money::Rub(k) => money(config, *k),
        Money::Stars(s) => format!("{} ⭐", s.0),
        Money::Crypto(a) => format!("{} {}", a.text(), a.asset()),
        Money::Fiat(f) => format!("{} {}", decimal_text(f.cents(), 2), f.currency()),
    }
}

/// An amount of money with the operator's currency symbol.
pub fn money(config: &Config, amount: Kopecks) -> String {
    format!(
        "{} {}",
        amount.display_rubles(),
        config.default_currency_symbol
    )
}

/// A payment method's name as history lines and logs show it (the balance
/// without the amount on it, which the payment screen's label adds).
pub fn method_name(lang: Lang, provider: crate::base::types::Provider) -> String {
    use crate::base::types::Provider;
    crate::base::i18n::t(
        lang,
        match provider {
            Provider::Yookassa => "method-yookassa",
            Provider::Cryptopay => "method-cryptopay",
            Provider::Stars => "method-stars",
            Provider::Freekassa => "method-freekassa",
            Provider::Platega => "method-platega",
            Provider::Severpay => "method-severpay",
            Provider::Tribute => "method-tribute",
            Provider::Balance => "method-balance-name",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_sizes_read_as_each_language_writes_them() {
        const GIB: u64 = 1 << 30;
        assert_eq!(pack_text(Lang::Ru, 10 * GIB), "10 ГБ");
        assert_eq!(pack_text(Lang::Ru, GIB / 2), "0,5 ГБ");
        assert_eq!(pack_text(Lang::En, GIB / 2), "0.5 GB");
        assert_eq!(pack_text(Lang::En, GIB + GIB / 4), "1.25 GB");
    }
}
