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

/// Referral reward settings beyond the per-period days.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Growth {
    /// Days or balance (REFERRAL_BONUS_MODE, default `days`).
    pub referral_bonus_mode: ReferralBonusMode,
    /// Rubles credited to the inviter's balance per period bought, in
    /// [`Period::ALL`] order (REFERRAL_BONUS_RUB_1_MONTH … _12_MONTHS); used
    /// when the mode is `balance`.
    pub referral_bonus_rub: [Option<Kopecks>; 4],
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
    Ok(Growth {
        referral_bonus_mode,
        referral_bonus_rub,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::Vars;

    #[test]
    fn mode_and_amounts_are_parsed_once() {
        let mut v = Vars::new();
        assert_eq!(read(&Reader(&v)).expect("defaults"), Growth::default());
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
