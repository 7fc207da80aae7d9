//! What is sold: each period (on or off, price in rubles and in Stars, referral bonus days, Tribute link), the free trial, the Stars switch.

use super::error::ConfigError;
use super::parse::{Reader, invalid, parse_bool};
use crate::base::types::{Kopecks, Period, Stars};

/// Lambda-valid names (first) accepted in place of the old `.env` names that start with a digit (second); the first wins.
pub const TWIN_NAMES: &[(&str, &str)] = &[
    ("MONTH_1_ENABLED", "1_MONTH_ENABLED"),
    ("MONTHS_3_ENABLED", "3_MONTHS_ENABLED"),
    ("MONTHS_6_ENABLED", "6_MONTHS_ENABLED"),
    ("MONTHS_12_ENABLED", "12_MONTHS_ENABLED"),
];

/// Every name that belongs to one period.
struct PlanNames {
    enabled_twin: &'static str,
    enabled_old: &'static str,
    rub: &'static str,
    stars: &'static str,
    referral: &'static str,
    referee: &'static str,
    tribute: &'static str,
}

fn plan_names(p: Period) -> PlanNames {
    match p {
        Period::OneMonth => PlanNames {
            enabled_twin: "MONTH_1_ENABLED",
            enabled_old: "1_MONTH_ENABLED",
            rub: "RUB_PRICE_1_MONTH",
            stars: "STARS_PRICE_1_MONTH",
            referral: "REFERRAL_BONUS_DAYS_1_MONTH",
            referee: "REFEREE_BONUS_DAYS_1_MONTH",
            tribute: "TRIBUTE_LINK_1_MONTH",
        },
        Period::ThreeMonths => PlanNames {
            enabled_twin: "MONTHS_3_ENABLED",
            enabled_old: "3_MONTHS_ENABLED",
            rub: "RUB_PRICE_3_MONTHS",
            stars: "STARS_PRICE_3_MONTHS",
            referral: "REFERRAL_BONUS_DAYS_3_MONTHS",
            referee: "REFEREE_BONUS_DAYS_3_MONTHS",
            tribute: "TRIBUTE_LINK_3_MONTHS",
        },
        Period::SixMonths => PlanNames {
            enabled_twin: "MONTHS_6_ENABLED",
            enabled_old: "6_MONTHS_ENABLED",
            rub: "RUB_PRICE_6_MONTHS",
            stars: "STARS_PRICE_6_MONTHS",
            referral: "REFERRAL_BONUS_DAYS_6_MONTHS",
            referee: "REFEREE_BONUS_DAYS_6_MONTHS",
            tribute: "TRIBUTE_LINK_6_MONTHS",
        },
        Period::TwelveMonths => PlanNames {
            enabled_twin: "MONTHS_12_ENABLED",
            enabled_old: "12_MONTHS_ENABLED",
            rub: "RUB_PRICE_12_MONTHS",
            stars: "STARS_PRICE_12_MONTHS",
            referral: "REFERRAL_BONUS_DAYS_12_MONTHS",
            referee: "REFEREE_BONUS_DAYS_12_MONTHS",
            tribute: "TRIBUTE_LINK_12_MONTHS",
        },
    }
}

/// How one subscription period is sold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanConfig {
    /// The period.
    pub period: Period,
    /// Offered to users (`MONTH_1_ENABLED`/`1_MONTH_ENABLED`...; default: when it has a price).
    pub enabled: bool,
    /// Price in rubles, stored as kopecks (RUB_PRICE_*).
    pub rub_price: Option<Kopecks>,
    /// Price in Stars; `None` when not sold for Stars (STARS_PRICE_*).
    pub stars_price: Option<Stars>,
    /// Days given to the inviter when the invitee buys this period (REFERRAL_BONUS_DAYS_*).
    pub referral_bonus_days: u32,
    /// Days given to the invitee on this purchase (REFEREE_BONUS_DAYS_*).
    pub referee_bonus_days: u32,
    /// Tribute subscription link for this period (TRIBUTE_LINK_*).
    pub tribute_link: Option<String>,
}

/// The free trial, once per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trial {
    /// Length in days (TRIAL_DURATION_DAYS, default 3).
    pub days: u32,
    /// Traffic limit in bytes, 0 = unlimited (TRIAL_TRAFFIC_LIMIT_GB, decimal gigabytes, default 5).
    pub traffic_limit_bytes: u64,
}

/// The periods and the trial, each kept in `Config` under the same name.
#[derive(Debug)]
pub(super) struct PlanSettings {
    pub(super) plans: Vec<PlanConfig>,
    pub(super) referral_one_bonus_per_referee: bool,
    pub(super) trial: Option<Trial>,
}

/// Reads every period, in [`Period::ALL`] order, then the trial.
pub(super) fn read(r: &Reader<'_>) -> Result<PlanSettings, ConfigError> {
    let plans = Period::ALL
        .into_iter()
        .map(|p| plan(r, p))
        .collect::<Result<Vec<_>, _>>()?;
    let referral_one_bonus_per_referee = r.flag("REFERRAL_ONE_BONUS_PER_REFEREE", true)?;

    let trial_enabled = r.flag("TRIAL_ENABLED", false)?;
    let trial_days = r.bounded("TRIAL_DURATION_DAYS", 3, 1, u32::MAX)?;
    let trial_traffic = r.gigabytes("TRIAL_TRAFFIC_LIMIT_GB")?.unwrap_or(5 << 30);
    let trial = trial_enabled.then_some(Trial {
        days: trial_days,
        traffic_limit_bytes: trial_traffic,
    });

    Ok(PlanSettings {
        plans,
        referral_one_bonus_per_referee,
        trial,
    })
}

/// Rubles per month from which a price looks like kopecks (15000 for one month is 150 ₽ written in kopecks).
const KOPECK_LOOKING_RUBLES_PER_MONTH: u64 = 3000;

/// One warning per ruble price that looks like kopecks, naming the setting: the
/// VPS bots' guide documents kopecks while their code reads rubles, so an
/// operator's file may hold either. Such a price still starts.
pub(super) fn kopeck_warnings(plans: &[PlanConfig]) -> Vec<String> {
    plans
        .iter()
        .filter_map(|p| {
            let price = p.rub_price?;
            let rubles = price.0 / 100;
            (rubles / u64::from(p.period.months()) >= KOPECK_LOOKING_RUBLES_PER_MONTH).then(|| {
                format!(
                    "{}: {} rubles for {} month(s) looks like kopecks; prices are in rubles ({} would be {}.{:02} rubles)",
                    plan_names(p.period).rub,
                    price.display_rubles(),
                    p.period.months(),
                    rubles,
                    rubles / 100,
                    rubles % 100
                )
            })
        })
        .collect()
}

/// Whether Telegram Stars payments are offered (STARS_ENABLED); Stars need no credentials, only the STARS_PRICE_* prices.
pub(super) fn stars_enabled(r: &Reader<'_>) -> Result<bool, ConfigError> {
    r.flag("STARS_ENABLED", false)
}

/// A price in rubles ("199", "199.5", "199.50") as kopecks; `None` unless positive with at most two decimals.
pub(super) fn parse_rubles(s: &str) -> Option<Kopecks> {
    let s = s.trim();
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    if s.contains('.') && frac.is_empty() {
        return None;
    }
    let rubles: u64 = whole.parse().ok()?;
    let cents: u64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    rubles.checked_mul(100)?;
    let total = Kopecks::from_rubles(rubles).0.checked_add(cents)?;
    (total > 0).then_some(Kopecks(total))
}

fn plan(r: &Reader<'_>, period: Period) -> Result<PlanConfig, ConfigError> {
    let n = plan_names(period);
    let rub_price = match r.raw(n.rub) {
        None => None,
        Some(v) => {
            Some(parse_rubles(v).ok_or_else(|| invalid(n.rub, "a positive number of rubles", v))?)
        }
    };
    let stars_price = r.whole::<u32>(n.stars)?.filter(|&s| s > 0).map(Stars);
    let has_price = rub_price.is_some() || stars_price.is_some();
    let enabled = match r.either(n.enabled_twin, n.enabled_old) {
        None => has_price,
        Some((flag, v)) => {
            let enabled = parse_bool(flag, v)?;
            if enabled && !has_price {
                return Err(ConfigError::Conflict {
                    name: flag,
                    problem: format!(
                        "the period is enabled but neither {} nor {} is set",
                        n.rub, n.stars
                    ),
                });
            }
            enabled
        }
    };
    Ok(PlanConfig {
        period,
        enabled,
        rub_price,
        stars_price,
        referral_bonus_days: r.whole(n.referral)?.unwrap_or(0),
        referee_bonus_days: r.whole(n.referee)?.unwrap_or(0),
        tribute_link: r.url_keep_slash(n.tribute)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::Vars;
    use crate::base::config::vars::testing::minimal;

    fn err(vars: &Vars) -> String {
        read(&Reader(vars))
            .expect_err("settings should be rejected")
            .to_string()
    }

    impl PlanSettings {
        /// How a period is sold, as `Config::plan` finds it.
        fn plan(&self, p: Period) -> &PlanConfig {
            self.plans
                .iter()
                .find(|plan| plan.period == p)
                .expect("the plans hold every Period")
        }
    }

    #[test]
    fn bad_rub_price_names_the_variable() {
        let mut v = minimal();
        v.set("RUB_PRICE_3_MONTHS", "abc");
        assert_eq!(
            err(&v),
            r#"RUB_PRICE_3_MONTHS: expected a positive number of rubles, got "abc""#
        );
    }

    #[test]
    fn bad_bool_names_the_variable() {
        let mut v = minimal();
        v.set("TRIAL_ENABLED", "maybe");
        assert_eq!(
            err(&v),
            r#"TRIAL_ENABLED: expected true or false, got "maybe""#
        );
        for (raw, want) in [("YES", true), ("off", false), ("1", true), ("False", false)] {
            assert_eq!(parse_bool("X", raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn enabled_period_without_price() {
        let mut v = minimal();
        v.set("6_MONTHS_ENABLED", "true");
        assert_eq!(
            err(&v),
            "6_MONTHS_ENABLED: the period is enabled but neither RUB_PRICE_6_MONTHS nor STARS_PRICE_6_MONTHS is set"
        );
        v.set("MONTHS_6_ENABLED", "true");
        assert!(err(&v).starts_with("MONTHS_6_ENABLED: the period is enabled"));
        v.set("STARS_PRICE_6_MONTHS", "0");
        assert!(err(&v).starts_with("MONTHS_6_ENABLED:"));
        v.set("STARS_PRICE_6_MONTHS", "250");
        let c = read(&Reader(&v)).unwrap();
        assert!(c.plan(Period::SixMonths).enabled);
        assert_eq!(c.plan(Period::SixMonths).stars_price, Some(Stars(250)));
    }

    #[test]
    fn twin_names_and_price_default() {
        let mut v = minimal();
        v.set("RUB_PRICE_1_MONTH", "100");
        v.set("RUB_PRICE_12_MONTHS", "1000");
        v.set("1_MONTH_ENABLED", "true");
        v.set("MONTH_1_ENABLED", "false");
        v.set("MONTHS_12_ENABLED", "");
        v.set("12_MONTHS_ENABLED", "false");
        let c = read(&Reader(&v)).unwrap();
        assert!(!c.plan(Period::OneMonth).enabled, "the twin wins");
        assert!(
            !c.plan(Period::TwelveMonths).enabled,
            "an empty twin falls back to the old name"
        );
        assert!(
            !c.plan(Period::ThreeMonths).enabled,
            "no price, no flag: not sold"
        );

        let mut v = minimal();
        v.set("RUB_PRICE_3_MONTHS", "300");
        let c = read(&Reader(&v)).unwrap();
        assert!(
            c.plan(Period::ThreeMonths).enabled,
            "a price enables by default"
        );

        let mut v = minimal();
        v.set("MONTHS_3_ENABLED", "nope");
        assert_eq!(
            err(&v),
            r#"MONTHS_3_ENABLED: expected true or false, got "nope""#
        );
    }

    #[test]
    fn rubles_to_kopecks() {
        assert_eq!(parse_rubles("199"), Some(Kopecks(19900)));
        assert_eq!(parse_rubles("199.50"), Some(Kopecks(19950)));
        assert_eq!(parse_rubles("199.5"), Some(Kopecks(19950)));
        assert_eq!(parse_rubles("0.01"), Some(Kopecks(1)));
        assert_eq!(parse_rubles(" 1599 "), Some(Kopecks(159900)));
        for bad in [
            "199.505",
            "-1",
            "0",
            "0.00",
            "abc",
            "",
            "1e3",
            "199.",
            ".5",
            "1,5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_rubles(bad), None, "{bad}");
        }
        let mut v = minimal();
        v.set("RUB_PRICE_1_MONTH", "-1");
        assert_eq!(
            err(&v),
            r#"RUB_PRICE_1_MONTH: expected a positive number of rubles, got "-1""#
        );
    }
}
