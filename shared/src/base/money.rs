//! Amounts that know their unit. Rubles ([`Kopecks`]), Telegram Stars
//! ([`Stars`]), an amount of a crypto asset ([`AssetAmount`]) and foreign
//! fiat ([`FiatAmount`]) are different types: arithmetic exists only
//! within one unit, so a crypto amount cannot be added to a ruble balance.
//! [`Money`] is "an amount in one of them" as a provider charges or reports
//! it; code that needs rubles asks for them ([`Money::as_rub`]) and must
//! say what it does when the amount is in something else. The one way
//! between units is a quoted [`Rate`] ([`Rate::asset_for`]), stored on the
//! order that used it.
//!
//! ```compile_fail
//! use shared::base::money::{AssetAmount, Kopecks};
//! let balance = Kopecks(10_000);
//! let paid = AssetAmount::new("USDT", 1_050_000_000).unwrap();
//! let _ = balance + paid; // rubles plus USDT: does not compile
//! ```
//!
//! ```compile_fail
//! use shared::base::money::{Kopecks, Stars};
//! let _ = Kopecks(100) + Stars(50); // rubles plus Stars: does not compile
//! ```
//!
//! ```
//! use shared::base::money::{Kopecks, Rate};
//! let rate = Rate::parse("USDT", "95.5").unwrap();
//! // 199 ₽ at 95.5 ₽/USDT is 2.0837… USDT, charged as 2.09 USDT.
//! assert_eq!(rate.asset_for(Kopecks(19_900)).unwrap().text(), "2.09");
//! assert_eq!(Kopecks(10_000) + Kopecks(50), Kopecks(10_050));
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign};

/// Russian money in kopecks (1 RUB = 100 kopecks). Never a float.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Kopecks(pub u64);

impl Kopecks {
    /// Whole rubles.
    pub fn from_rubles(rubles: u64) -> Self {
        Kopecks(rubles * 100)
    }

    /// "199" for whole rubles, "199.50" otherwise.
    pub fn display_rubles(self) -> String {
        if self.0.is_multiple_of(100) {
            format!("{}", self.0 / 100)
        } else {
            format!("{}.{:02}", self.0 / 100, self.0 % 100)
        }
    }

    /// Always two decimals, as payment APIs want ("199.00").
    pub fn two_decimals(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// `self - other`, or `None` below zero.
    pub fn checked_sub(self, other: Kopecks) -> Option<Kopecks> {
        self.0.checked_sub(other.0).map(Kopecks)
    }

    /// `self - other`, stopping at zero.
    pub fn saturating_sub(self, other: Kopecks) -> Kopecks {
        Kopecks(self.0.saturating_sub(other.0))
    }
}

impl Add for Kopecks {
    type Output = Kopecks;
    fn add(self, other: Kopecks) -> Kopecks {
        Kopecks(self.0 + other.0)
    }
}

impl AddAssign for Kopecks {
    fn add_assign(&mut self, other: Kopecks) {
        self.0 += other.0;
    }
}

/// Telegram Stars (currency XTR), whole units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Stars(pub u32);

impl Add for Stars {
    type Output = Stars;
    fn add(self, other: Stars) -> Stars {
        Stars(self.0 + other.0)
    }
}

/// Decimal places of every crypto amount we hold: more than any asset
/// Crypto Pay lists (TON has 9), so amounts compare as exact decimals and
/// "2.5" and "2.500" are the same amount.
pub const CRYPTO_DECIMALS: u32 = 9;

/// An amount of a crypto asset (USDT, TON, BTC…), in 10^-9 of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssetAmount {
    asset: String,
    nano: u64,
}

impl AssetAmount {
    /// `nano` 10^-9 units of `asset` (a code of 1–10 letters and digits,
    /// kept upper-case); `None` for anything else.
    pub fn new(asset: &str, nano: u64) -> Option<AssetAmount> {
        let asset = asset.trim();
        let ok =
            (1..=10).contains(&asset.len()) && asset.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| AssetAmount {
            asset: asset.to_ascii_uppercase(),
            nano,
        })
    }

    /// The amount written in decimals ("2.5", "12.345678"), `None` when it
    /// is not a non-negative decimal with at most nine places.
    pub fn parse(asset: &str, text: &str) -> Option<AssetAmount> {
        AssetAmount::new(asset, parse_decimal(text, CRYPTO_DECIMALS)?)
    }

    /// The asset's code, upper-case.
    pub fn asset(&self) -> &str {
        &self.asset
    }

    /// The amount in 10^-9 units.
    pub fn nano(&self) -> u64 {
        self.nano
    }

    /// The amount as a decimal without trailing zeros ("2.09").
    pub fn text(&self) -> String {
        decimal_text(self.nano, CRYPTO_DECIMALS)
    }
}

/// An amount of a fiat currency other than rubles (Tribute charges EUR
/// and USD), in its hundredths.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FiatAmount {
    currency: String,
    cents: u64,
}

impl FiatAmount {
    /// `cents` of `currency` (an ISO 4217 code other than RUB).
    pub fn new(currency: &str, cents: u64) -> Option<FiatAmount> {
        let currency = currency.trim().to_ascii_uppercase();
        (is_fiat(&currency) && currency != "RUB").then_some(FiatAmount { currency, cents })
    }

    /// The currency's code.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// The amount in hundredths.
    pub fn cents(&self) -> u64 {
        self.cents
    }
}

/// Fiat currencies providers report (ISO 4217); any other code is a crypto asset.
const FIAT: [&str; 24] = [
    "RUB", "USD", "EUR", "GBP", "BYN", "UAH", "KZT", "UZS", "GEL", "TRY", "AMD", "THB", "INR",
    "BRL", "IDR", "AZN", "AED", "PLN", "ILS", "CNY", "KGS", "TJS", "MDL", "CHF",
];

fn is_fiat(code: &str) -> bool {
    FIAT.contains(&code)
}

/// An amount in one unit, as a provider charges or reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Money {
    /// Rubles.
    Rub(Kopecks),
    /// Telegram Stars.
    Stars(Stars),
    /// A crypto asset.
    Crypto(AssetAmount),
    /// Another fiat currency.
    Fiat(FiatAmount),
}

impl Money {
    /// Rubles.
    pub fn rub(k: Kopecks) -> Money {
        Money::Rub(k)
    }

    /// Stars.
    pub fn stars(s: Stars) -> Money {
        Money::Stars(s)
    }

    /// The amount stored or sent as `minor` units of `code` (`RUB` kopecks,
    /// `XTR` Stars, a fiat code's hundredths, a crypto asset's 10^-9 units);
    /// `None` when the code is not a currency or the Stars do not fit.
    pub fn from_minor(minor: u64, code: &str) -> Option<Money> {
        let code = code.trim().to_ascii_uppercase();
        match code.as_str() {
            "RUB" => Some(Money::Rub(Kopecks(minor))),
            "XTR" => u32::try_from(minor).ok().map(|s| Money::Stars(Stars(s))),
            c if is_fiat(c) => FiatAmount::new(c, minor).map(Money::Fiat),
            c => AssetAmount::new(c, minor).map(Money::Crypto),
        }
    }

    /// The amount in its minor units, for storage, wire formats and
    /// counters only: it says nothing of the unit, [`Money::currency`] does.
    pub fn minor(&self) -> u64 {
        match self {
            Money::Rub(k) => k.0,
            Money::Stars(s) => u64::from(s.0),
            Money::Crypto(a) => a.nano,
            Money::Fiat(f) => f.cents,
        }
    }

    /// The currency or asset code: `RUB`, `XTR`, `EUR`, `USDT`.
    pub fn currency(&self) -> &str {
        match self {
            Money::Rub(_) => "RUB",
            Money::Stars(_) => "XTR",
            Money::Crypto(a) => &a.asset,
            Money::Fiat(f) => &f.currency,
        }
    }

    /// The rubles, when the amount is in rubles.
    pub fn as_rub(&self) -> Option<Kopecks> {
        match self {
            Money::Rub(k) => Some(*k),
            _ => None,
        }
    }

    /// The Stars, when the amount is in Stars.
    pub fn as_stars(&self) -> Option<Stars> {
        match self {
            Money::Stars(s) => Some(*s),
            _ => None,
        }
    }

    /// The same unit with `f` applied to the amount (a discount).
    pub fn map_minor(&self, f: impl FnOnce(u64) -> u64) -> Money {
        match self {
            Money::Rub(k) => Money::Rub(Kopecks(f(k.0))),
            Money::Stars(s) => {
                Money::Stars(Stars(u32::try_from(f(u64::from(s.0))).unwrap_or(u32::MAX)))
            }
            Money::Crypto(a) => Money::Crypto(AssetAmount {
                asset: a.asset.clone(),
                nano: f(a.nano),
            }),
            Money::Fiat(x) => Money::Fiat(FiatAmount {
                currency: x.currency.clone(),
                cents: f(x.cents),
            }),
        }
    }
}

impl fmt::Display for Money {
    /// "199.50 RUB", "150 XTR", "2.09 USDT": for logs and admin lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Money::Rub(k) => write!(f, "{} RUB", k.display_rubles()),
            Money::Stars(s) => write!(f, "{} XTR", s.0),
            Money::Crypto(a) => write!(f, "{} {}", a.text(), a.asset),
            Money::Fiat(x) => write!(f, "{} {}", decimal_text(x.cents, 2), x.currency),
        }
    }
}

/// How money is stored and sent between functions: minor units and a code.
#[derive(Serialize, Deserialize)]
struct MoneyWire {
    minor: u64,
    currency: String,
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MoneyWire {
            minor: self.minor(),
            currency: self.currency().to_owned(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let w = MoneyWire::deserialize(d)?;
        Money::from_minor(w.minor, &w.currency)
            .ok_or_else(|| serde::de::Error::custom(format!("not a currency: {:?}", w.currency)))
    }
}

/// A price in rubles converted into a crypto asset at a rate the provider
/// quoted: what the order records so its asset amount can be explained
/// and its ruble value is never guessed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rate {
    asset: String,
    /// Rubles per unit of the asset, in 10^-8 rubles.
    rub_per_unit: u64,
}

/// Decimal places a quoted rate is kept with.
const RATE_PLACES: u32 = 8;

impl Rate {
    /// `text` rubles per unit of `asset` ("95.5"); `None` for zero or a
    /// rate that is not a plain decimal.
    pub fn parse(asset: &str, text: &str) -> Option<Rate> {
        let rub_per_unit = parse_decimal(text, RATE_PLACES).filter(|r| *r > 0)?;
        let asset = AssetAmount::new(asset, 0)?.asset;
        Some(Rate {
            asset,
            rub_per_unit,
        })
    }

    /// The asset the rate is for.
    pub fn asset(&self) -> &str {
        &self.asset
    }

    /// The rate as a decimal ("95.5"), as stored.
    pub fn text(&self) -> String {
        decimal_text(self.rub_per_unit, RATE_PLACES)
    }

    /// The one conversion between units: `rub` in the asset at this rate,
    /// rounded up to the asset's usual precision (a payer never pays less
    /// than the ruble price). Integer arithmetic only.
    pub fn asset_for(&self, rub: Kopecks) -> Option<AssetAmount> {
        let places = precision(&self.asset);
        // asset = kopecks / 100 / (rate / 10^8); in units of 10^-places:
        let num = u128::from(rub.0) * 10u128.pow(RATE_PLACES) * 10u128.pow(places);
        let den = u128::from(self.rub_per_unit) * 100;
        let units = num.div_ceil(den);
        let nano = units.checked_mul(10u128.pow(CRYPTO_DECIMALS.checked_sub(places)?))?;
        Some(AssetAmount {
            asset: self.asset.clone(),
            nano: u64::try_from(nano).ok()?,
        })
    }
}

/// Decimal places an asset is priced with.
fn precision(asset: &str) -> u32 {
    match asset {
        "USDT" | "USDC" | "TRX" => 2,
        "TON" | "LTC" | "BNB" => 4,
        "BTC" | "ETH" => 8,
        _ => 6,
    }
}

/// Parses a decimal amount string ("299", "299.5", "299.00") into minor
/// units with `decimals` places; `None` for anything else (negative,
/// exponent, more significant decimals than `decimals`, empty).
pub fn parse_decimal(s: &str, decimals: u32) -> Option<u64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // Trailing zeros beyond the precision are the same amount ("1.500000").
    let frac = if frac.len() as u32 > decimals {
        frac.trim_end_matches('0')
    } else {
        frac
    };
    if frac.len() as u32 > decimals {
        return None;
    }
    let scale = 10u64.checked_pow(decimals)?;
    let w: u64 = whole.parse().ok()?;
    let f: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let f = f.checked_mul(10u64.checked_pow(decimals - frac.len() as u32)?)?;
    w.checked_mul(scale)?.checked_add(f)
}

/// Minor units as a decimal string without trailing zeros ("3.5").
pub fn decimal_text(minor: u64, places: u32) -> String {
    let scale = 10u64.pow(places);
    let (whole, frac) = (minor / scale, minor % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:0width$}", width = places as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kopecks_display() {
        assert_eq!(Kopecks(19900).display_rubles(), "199");
        assert_eq!(Kopecks(19950).display_rubles(), "199.50");
        assert_eq!(Kopecks(5).two_decimals(), "0.05");
    }

    #[test]
    fn stored_amounts_come_back_in_their_unit() {
        assert_eq!(
            Money::from_minor(19_900, "RUB"),
            Some(Money::Rub(Kopecks(19_900)))
        );
        assert_eq!(
            Money::from_minor(150, "xtr"),
            Some(Money::Stars(Stars(150)))
        );
        let usdt = Money::from_minor(2_090_000_000, "USDT").unwrap();
        assert_eq!(usdt.as_rub(), None);
        assert_eq!(usdt.to_string(), "2.09 USDT");
        let eur = Money::from_minor(499, "EUR").unwrap();
        assert!(matches!(eur, Money::Fiat(_)));
        assert_eq!(eur.to_string(), "4.99 EUR");
        assert_eq!(Money::from_minor(1, "no such!"), None);
        let json = serde_json::to_string(&usdt).unwrap();
        assert_eq!(json, r#"{"minor":2090000000,"currency":"USDT"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), usdt);
    }

    #[test]
    fn quotes_round_up_to_the_asset_precision() {
        let usdt = |r| Rate::parse("USDT", r);
        // 199 RUB at 95.5 RUB per USDT = 2.0837... → 2.09 USDT.
        assert_eq!(
            usdt("95.5")
                .unwrap()
                .asset_for(Kopecks(19_900))
                .unwrap()
                .nano(),
            2_090_000_000
        );
        // Exact division stays exact: 100 RUB at 100 RUB/USDT = 1 USDT.
        assert_eq!(
            usdt("100")
                .unwrap()
                .asset_for(Kopecks(10_000))
                .unwrap()
                .nano(),
            1_000_000_000
        );
        assert_eq!(usdt("0"), None);
        assert_eq!(usdt("abc"), None);
        assert_eq!(usdt("95.50000000").unwrap().text(), "95.5");
        assert_eq!(decimal_text(2_090_000_000, 9), "2.09");
        assert_eq!(decimal_text(1_000_000_000, 9), "1");
    }

    #[test]
    fn decimal_amounts() {
        assert_eq!(parse_decimal("299", 2), Some(29900));
        assert_eq!(parse_decimal("299.5", 2), Some(29950));
        assert_eq!(parse_decimal("1.500000", 2), Some(150));
        assert_eq!(parse_decimal("1.505", 2), None);
        assert_eq!(parse_decimal("-1", 2), None);
        assert_eq!(parse_decimal("1e3", 2), None);
        assert_eq!(parse_decimal(".5", 2), None);
    }
}
