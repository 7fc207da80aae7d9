//! Values parsed once at the edge: ids, money, periods, languages.

use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::base::money::{Kopecks, Stars};

/// A Telegram user or chat id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TelegramId(pub i64);

impl fmt::Display for TelegramId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A subscription period that can be sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Period {
    #[serde(rename = "1m")]
    OneMonth,
    #[serde(rename = "3m")]
    ThreeMonths,
    #[serde(rename = "6m")]
    SixMonths,
    #[serde(rename = "12m")]
    TwelveMonths,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 4] = [
        Period::OneMonth,
        Period::ThreeMonths,
        Period::SixMonths,
        Period::TwelveMonths,
    ];

    /// Number of months.
    pub fn months(self) -> u32 {
        match self {
            Period::OneMonth => 1,
            Period::ThreeMonths => 3,
            Period::SixMonths => 6,
            Period::TwelveMonths => 12,
        }
    }

    /// Length in days as the operators' bots count it (30 days a month).
    pub fn days(self) -> u32 {
        self.months() * 30
    }

    /// The period for a number of months, if it is one we sell.
    pub fn from_months(months: u32) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.months() == months)
    }

    /// Short stable code used in callback data and storage ("1m").
    pub fn code(self) -> &'static str {
        match self {
            Period::OneMonth => "1m",
            Period::ThreeMonths => "3m",
            Period::SixMonths => "6m",
            Period::TwelveMonths => "12m",
        }
    }

    /// Inverse of [`Period::code`].
    pub fn from_code(code: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// What the catalog sells besides top-ups: a period, extra device slots for
/// the rest of the current period, or a pack of traffic. Its code is what
/// buttons carry (`1m`, `d2`, `g10737418240`): one spelling per product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    /// A subscription period.
    Period(Period),
    /// This many extra device slots.
    Devices(u32),
    /// This many bytes of traffic.
    Traffic(u64),
}

impl Product {
    /// Most extra devices one purchase can add.
    pub const MAX_DEVICES_AT_ONCE: u32 = 99;

    /// Short stable code used in callback data.
    pub fn code(self) -> String {
        match self {
            Product::Period(p) => p.code().into(),
            Product::Devices(n) => format!("d{n}"),
            Product::Traffic(bytes) => format!("g{bytes}"),
        }
    }

    /// Inverse of [`Product::code`], exactly as it writes it.
    pub fn from_code(code: &str) -> Option<Product> {
        let number = |rest: &str| -> Option<u64> {
            let n: u64 = rest.parse().ok()?;
            (n > 0 && n.to_string() == rest).then_some(n)
        };
        if let Some(rest) = code.strip_prefix('d') {
            let n = u32::try_from(number(rest)?).ok()?;
            return (n <= Product::MAX_DEVICES_AT_ONCE).then_some(Product::Devices(n));
        }
        if let Some(rest) = code.strip_prefix('g') {
            return number(rest).map(Product::Traffic);
        }
        Period::from_code(code).map(Product::Period)
    }
}

/// A language the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    /// "ru" or "en".
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Exact code ("ru", "en"), case-insensitive.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Best match for a Telegram `language_code` such as "en-US"; Russian for
    /// the languages of the region where Russian is the common second language.
    pub fn from_telegram(code: Option<&str>) -> Option<Lang> {
        let primary = code?.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ru" | "uk" | "be" | "kk" | "uz" | "ky" | "tg" | "hy" | "az" => Some(Lang::Ru),
            "" => None,
            _ => Some(Lang::En),
        }
    }
}

/// Which provider a payment goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// YooKassa (cards, SBP).
    Yookassa,
    /// Crypto Pay (@CryptoBot).
    Cryptopay,
    /// Telegram Stars.
    Stars,
    /// FreeKassa.
    Freekassa,
    /// Tribute.
    Tribute,
    /// Platega (SBP, cards, crypto).
    Platega,
    /// SeverPay (SBP, cards).
    Severpay,
    /// The user's in-bot balance.
    Balance,
}

impl Provider {
    /// Stable lower-case name (storage, callback data, logs).
    pub const fn code(self) -> &'static str {
        match self {
            Provider::Yookassa => "yookassa",
            Provider::Cryptopay => "cryptopay",
            Provider::Stars => "stars",
            Provider::Freekassa => "freekassa",
            Provider::Tribute => "tribute",
            Provider::Platega => "platega",
            Provider::Severpay => "severpay",
            Provider::Balance => "balance",
        }
    }

    /// Inverse of [`Provider::code`].
    pub fn from_code(s: &str) -> Option<Provider> {
        [
            Provider::Yookassa,
            Provider::Cryptopay,
            Provider::Stars,
            Provider::Freekassa,
            Provider::Tribute,
            Provider::Platega,
            Provider::Severpay,
            Provider::Balance,
        ]
        .into_iter()
        .find(|p| p.code() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_codes_round_trip() {
        for p in Period::ALL {
            assert_eq!(Period::from_code(p.code()), Some(p));
            assert_eq!(Period::from_months(p.months()), Some(p));
        }
        assert_eq!(Period::from_months(2), None);
    }

    #[test]
    fn telegram_language_codes() {
        assert_eq!(Lang::from_telegram(Some("en-US")), Some(Lang::En));
        assert_eq!(Lang::from_telegram(Some("ru")), Some(Lang::Ru));
        assert_eq!(Lang::from_telegram(Some("uk")), Some(Lang::Ru));
        assert_eq!(Lang::from_telegram(None), None);
    }
}
