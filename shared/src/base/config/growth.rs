//! Growth: how the inviter is rewarded (days on the subscription or money on the balance) and how much.

use super::error::ConfigError;
use super::parse::{Reader, invalid};
use super::plans::parse_rubles;
use crate::base::types::{Kopecks, Period};

/// What an inviter gets when an invitee pays (REFERRAL_BONUS_MODE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReferralBonusMode {
    /// Days on the subscription, `REFERRAL_BONUS_DAYS_*` (the default).
    #[default]
    Days,
    /// Money on the in-bot balance, `REFERRAL_BONUS_RUB_*`.
    Balance,
}

/// Referral reward settings beyond the per-period days, and how long a
/// promo discount is reserved by an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growth {
    /// Days or balance (REFERRAL_BONUS_MODE, default `days`).
    pub referral_bonus_mode: ReferralBonusMode,
    /// Rubles credited to the inviter's balance per period bought, in
    /// [`Period::ALL`] order (REFERRAL_BONUS_RUB_1_MONTH … _12_MONTHS); used
    /// when the mode is `balance`.
    pub referral_bonus_rub: [Option<Kopecks>; 4],
    /// How long an order priced with a promo discount holds it, in seconds
    /// (DISCOUNT_PROMO_PAYMENT_TIMEOUT_MINUTES, default 10 minutes).
    pub discount_hold_secs: i64,
    /// The referral program on (REFERRAL_ENABLED, default true): off, no
    /// referral screen or inline result, `ref_` links are plain starts, no
    /// bonus is granted.
    pub referral_enabled: bool,
}

/// The default of DISCOUNT_PROMO_PAYMENT_TIMEOUT_MINUTES.
pub const DISCOUNT_HOLD_MINUTES: i64 = 10;

impl Default for Growth {
    fn default() -> Self {
        Growth {
            referral_bonus_mode: ReferralBonusMode::Days,
            referral_bonus_rub: [None; 4],
            discount_hold_secs: DISCOUNT_HOLD_MINUTES * 60,
            referral_enabled: true,
        }
    }
}

impl Growth {
    /// The balance bonus for an invitee's purchase of `period`, if any.
    pub fn referral_money(&self, period: Period) -> Option<Kopecks> {
        let i = Period::ALL.iter().position(|p| *p == period)?;
        self.referral_bonus_rub[i]
    }
}

const RUB_NAMES: [&str; 4] = [
    "REFERRAL_BONUS_RUB_1_MONTH",
    "REFERRAL_BONUS_RUB_3_MONTHS",
    "REFERRAL_BONUS_RUB_6_MONTHS",
    "REFERRAL_BONUS_RUB_12_MONTHS",
];

/// Reads the growth settings.
pub(super) fn read(r: &Reader<'_>) -> Result<Growth, ConfigError> {
    let referral_bonus_mode = match r.raw("REFERRAL_BONUS_MODE") {
        None => ReferralBonusMode::Days,
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "days" => ReferralBonusMode::Days,
            "balance" => ReferralBonusMode::Balance,
            _ => return Err(invalid("REFERRAL_BONUS_MODE", "days or balance", v)),
        },
    };
    let mut referral_bonus_rub = [None; 4];
    for (slot, name) in referral_bonus_rub.iter_mut().zip(RUB_NAMES) {
        if let Some(v) = r.raw(name) {
            *slot = Some(
                parse_rubles(v).ok_or_else(|| invalid(name, "a positive number of rubles", v))?,
            );
        }
    }
    let minutes = r
        .whole::<i64>("DISCOUNT_PROMO_PAYMENT_TIMEOUT_MINUTES")?
        .unwrap_or(DISCOUNT_HOLD_MINUTES);
    if !(1..=7 * 24 * 60).contains(&minutes) {
        return Err(invalid(
            "DISCOUNT_PROMO_PAYMENT_TIMEOUT_MINUTES",
            "a number of minutes from 1 to 10080",
            &minutes.to_string(),
        ));
    }
    Ok(Growth {
        referral_bonus_mode,
        referral_bonus_rub,
        discount_hold_secs: minutes * 60,
        referral_enabled: r.flag("REFERRAL_ENABLED", true)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::Vars;

    #[test]
    fn mode_and_amounts_are_parsed_once() {
        let mut v = Vars::new();
        assert_eq!(read(&Reader(&v)).expect("defaults").discount_hold_secs, 600);
        v.set("DISCOUNT_PROMO_PAYMENT_TIMEOUT_MINUTES", "0");
        assert!(read(&Reader(&v)).is_err());
        v.set("DISCOUNT_PROMO_PAYMENT_TIMEOUT_MINUTES", "15");
        assert_eq!(read(&Reader(&v)).expect("valid").discount_hold_secs, 900);
        v.set("REFERRAL_BONUS_MODE", "Balance");
        v.set("REFERRAL_BONUS_RUB_3_MONTHS", "50.5");
        let g = read(&Reader(&v)).expect("valid");
        assert_eq!(g.referral_bonus_mode, ReferralBonusMode::Balance);
        assert_eq!(g.referral_money(Period::ThreeMonths), Some(Kopecks(5050)));
        assert_eq!(g.referral_money(Period::OneMonth), None);
        v.set("REFERRAL_BONUS_MODE", "money");
        let err = read(&Reader(&v)).expect_err("refused").to_string();
        assert!(err.contains("REFERRAL_BONUS_MODE"), "{err}");
        v.set("REFERRAL_BONUS_MODE", "days");
        v.set("REFERRAL_BONUS_RUB_1_MONTH", "abc");
        let err = read(&Reader(&v)).expect_err("refused").to_string();
        assert!(err.contains("REFERRAL_BONUS_RUB_1_MONTH"), "{err}");
    }
}
