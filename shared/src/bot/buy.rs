//! Buying: periods, payment methods, top-ups, the balance and its history.

use super::screens::Screen;
use crate::adapters::store::users::User;
use crate::base::callback::{BuyAction, TOPUP_PRESETS, balance_stamp, topup_rubles};
use crate::base::config::Config;
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::Provider;
use crate::base::types::{Kopecks, Lang, Period};
use crate::domains::money::catalog::{discounted, plan_methods, rub_providers};
use crate::domains::money::checkout::DiscountNote;
use crate::domains::money::orders::{LedgerRow, Purchase};
use teloxide_core::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Rows per history page.
pub const HISTORY_PAGE: i32 = 5;

/// Parses a custom top-up amount typed by the user ("500", "500 ₽", "1 000").
pub fn parse_custom_amount(text: &str) -> Option<u32> {
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '₽')
        .collect();
    let digits = digits.trim_end_matches(|c: char| c.is_alphabetic() || c == '.');
    topup_rubles(digits)
}

fn cb(text: String, action: &BuyAction) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(text, action.data())
}

fn back(lang: Lang, to: &BuyAction) -> Vec<InlineKeyboardButton> {
    vec![cb(t(lang, "btn-back"), to)]
}

fn menu_back(lang: Lang) -> Vec<InlineKeyboardButton> {
    vec![InlineKeyboardButton::callback(t(lang, "btn-back"), "menu")]
}

/// The price line of a period: "1 month — 199 ₽ / 150 ⭐".
/// With a promo discount held, the prices shown are the discounted ones.
pub fn price_line(config: &Config, user: &User, period: Period) -> String {
    let lang = user.lang;
    let plan = config.plan(period);
    let now = crate::base::clock::now();
    let mut prices = Vec::new();
    if let Some(rub) = plan.rub_price {
        prices.push(money(config, Kopecks(discounted(rub.0, user, now))));
    }
    if config.stars_enabled
        && let Some(stars) = plan.stars_price
    {
        prices.push(format!("{} ⭐", discounted(u64::from(stars.0), user, now)));
    }
    tr(
        lang,
        "plan-price-line",
        &[
            ("months", Arg::Num(i64::from(period.months()))),
            ("price", Arg::Str(prices.join(" / "))),
        ],
    )
}

/// The periods for sale.
pub fn plans(config: &Config, user: &User) -> Screen {
    let lang = user.lang;
    let rows: Vec<Vec<InlineKeyboardButton>> = config
        .plans
        .iter()
        .filter(|p| p.enabled && !plan_methods(config, p.period, Some(user)).is_empty())
        .map(|p| {
            vec![cb(
                price_line(config, user, p.period),
                &BuyAction::Plan(p.period),
            )]
        })
        .chain(std::iter::once(menu_back(lang)))
        .collect();
    let mut text = t(lang, "plans-title");
    if let Some(d) = user.discount_at(crate::base::clock::now()) {
        text.push_str("\n\n");
        text.push_str(&tr(
            lang,
            "plans-discount",
            &[
                ("percent", Arg::Num(i64::from(d.percent))),
                ("date", Arg::Str(crate::base::format::date(d.until))),
            ],
        ));
    }
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// A payment method's name (the balance with the amount on it).
pub fn method_label(config: &Config, lang: Lang, provider: Provider, user: &User) -> String {
    match provider {
        Provider::Balance => tr(
            lang,
            "method-balance",
            &[("amount", Arg::Str(money(config, user.balance)))],
        ),
        other => t(lang, &format!("method-{}", other.code())),
    }
}

/// Whether the payment screen offers "save my card": YooKassa autopayments
/// on without card binding required (with it every payment saves the card).
pub fn offers_saving_card(config: &Config) -> bool {
    config
        .yookassa
        .as_ref()
        .is_some_and(|c| c.autopayments_enabled && !c.autopayments_require_card_binding)
}

/// Payment methods for a period.
pub fn plan_checkout(config: &Config, user: &User, period: Period) -> Screen {
    plan_checkout_saving(config, user, period, false)
}

/// Payment methods for a period, with the "save my card" choice `save`
/// (shown as a toggle when [`offers_saving_card`]; the YooKassa button then
/// pays with or without saving the card).
pub fn plan_checkout_saving(config: &Config, user: &User, period: Period, save: bool) -> Screen {
    let lang = user.lang;
    let saving = offers_saving_card(config);
    let mut rows = Vec::new();
    for provider in plan_methods(config, period, Some(user)) {
        let label = method_label(config, lang, provider, user);
        if provider == Provider::Tribute {
            // Tribute sells through its own subscription links.
            if let Some(url) = config
                .plan(period)
                .tribute_link
                .as_deref()
                .and_then(|u| reqwest::Url::parse(u).ok())
            {
                rows.push(vec![InlineKeyboardButton::url(label, url)]);
            }
            continue;
        }
        let action = match provider {
            Provider::Balance => {
                BuyAction::PayFromBalance(period, balance_stamp(user.sub_end, user.balance.0))
            }
            Provider::Yookassa if saving && save => BuyAction::PaySavingCard(period),
            _ => BuyAction::Pay(period, provider),
        };
        rows.push(vec![cb(label, &action)]);
        if provider == Provider::Yookassa && saving {
            rows.push(vec![cb(
                t(
                    lang,
                    if save {
                        "btn-save-card-on"
                    } else {
                        "btn-save-card-off"
                    },
                ),
                &BuyAction::PlanSaveCard(period, !save),
            )]);
        }
    }
    rows.push(back(lang, &BuyAction::Plans));
    Screen {
        text: tr(
            lang,
            "checkout-title",
            &[("plan", Arg::Str(price_line(config, user, period)))],
        ),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// Top-up amounts.
pub fn topup(config: &Config, user: &User) -> Screen {
    let lang = user.lang;
    let presets: Vec<InlineKeyboardButton> = TOPUP_PRESETS
        .iter()
        .map(|r| {
            cb(
                money(config, Kopecks::from_rubles(u64::from(*r))),
                &BuyAction::TopUpAmount(*r),
            )
        })
        .collect();
    let rows = vec![
        presets[..2].to_vec(),
        presets[2..].to_vec(),
        vec![cb(t(lang, "btn-topup-custom"), &BuyAction::TopUpCustom)],
        menu_back(lang),
    ];
    Screen {
        text: tr(
            lang,
            "topup-title",
            &[("amount", Arg::Str(money(config, user.balance)))],
        ),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// Payment methods for a top-up.
pub fn topup_checkout(config: &Config, user: &User, rub: u32) -> Screen {
    let lang = user.lang;
    let mut rows: Vec<Vec<InlineKeyboardButton>> = rub_providers(config)
        .into_iter()
        .map(|p| {
            vec![cb(
                method_label(config, lang, p, user),
                &BuyAction::TopUpPay(rub, p),
            )]
        })
        .collect();
    rows.push(back(lang, &BuyAction::TopUp));
    Screen {
        text: tr(
            lang,
            "topup-checkout",
            &[(
                "amount",
                Arg::Str(money(config, Kopecks::from_rubles(u64::from(rub)))),
            )],
        ),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// Adds what became of the promo discount to a payment screen.
pub fn discount_note(lang: Lang, note: DiscountNote, screen: &mut Screen) {
    let (key, percent, minutes) = match note {
        DiscountNote::None => return,
        DiscountNote::Applied { percent, minutes } => ("pay-discount-applied", percent, minutes),
        DiscountNote::Moved { percent, minutes } => ("pay-discount-moved", percent, minutes),
    };
    screen.text.push_str("\n\n");
    screen.text.push_str(&tr(
        lang,
        key,
        &[
            ("percent", Arg::Num(i64::from(percent))),
            ("minutes", Arg::Num(minutes)),
        ],
    ));
}

/// A payment link to follow.
pub fn pay_link(lang: Lang, url: &str, purchase: Purchase, amount: String) -> Screen {
    let mut rows = Vec::new();
    if let Ok(u) = reqwest::Url::parse(url) {
        rows.push(vec![InlineKeyboardButton::url(t(lang, "btn-pay"), u)]);
    }
    let back_to = match purchase {
        Purchase::Plan(_) => BuyAction::Plans,
        Purchase::TopUp(_) => BuyAction::TopUp,
    };
    rows.push(back(lang, &back_to));
    Screen {
        text: tr(lang, "pay-link", &[("amount", Arg::Str(amount))]),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// A page of the transaction history.
pub fn history(config: &Config, user: &User, rows: &[LedgerRow], next: Option<String>) -> Screen {
    let lang = user.lang;
    let mut text = t(lang, "history-title");
    if rows.is_empty() {
        text.push_str("\n\n");
        text.push_str(&t(lang, "history-empty"));
    }
    for row in rows {
        text.push_str("\n\n");
        text.push_str(&history_line(config, lang, row));
    }
    let mut kb = Vec::new();
    if let Some(cursor) = next {
        kb.push(vec![cb(
            t(lang, "btn-more"),
            &BuyAction::History(Some(cursor)),
        )]);
    }
    kb.push(vec![InlineKeyboardButton::callback(
        t(lang, "btn-back"),
        "profile",
    )]);
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(kb),
    }
}

/// One ledger row as a line of the history.
pub fn history_line(config: &Config, lang: Lang, row: &LedgerRow) -> String {
    let amount = row
        .amount
        .as_ref()
        .map(|m| crate::base::format::money_text(config, m))
        .unwrap_or_default();
    let key = match row.kind.as_str() {
        "purchase" => "history-purchase",
        "topup" => "history-topup",
        "referral_bonus" if row.amount.is_some() => "history-referral-money",
        "referral_bonus" => "history-referral",
        "promo_days" => "history-promo-days",
        "promo_balance" => "history-promo-balance",
        "refund" => "history-refund",
        "balance_in" => "history-balance-in",
        "balance_out" => "history-balance-out",
        _ => "history-other",
    };
    tr(
        lang,
        key,
        &[
            ("date", Arg::Str(date(row.at))),
            ("amount", Arg::Str(amount)),
            ("days", Arg::Num(i64::from(row.days.unwrap_or_default()))),
            (
                "method",
                Arg::Str(
                    row.provider
                        .map(|p| t(lang, &format!("method-{}", p.code())))
                        .unwrap_or_default(),
                ),
            ),
        ],
    )
}

/// The conversation state of "send me the amount".
pub const AWAITING_AMOUNT: &str = "topup_amount";

/// Whether the bot asked this user for a custom top-up amount.
pub fn awaiting_amount(user: &User, now: i64) -> bool {
    user.waiting_for(now) == Some(AWAITING_AMOUNT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_fit_telegram() {
        let all = [
            BuyAction::Plans,
            BuyAction::Plan(Period::ThreeMonths),
            BuyAction::Pay(Period::TwelveMonths, Provider::Cryptopay),
            BuyAction::PayFromBalance(Period::OneMonth, "0".into()),
            BuyAction::PayFromBalance(Period::TwelveMonths, "1kx2b9c".into()),
            BuyAction::TopUp,
            BuyAction::TopUpAmount(500),
            BuyAction::TopUpPay(100_000, Provider::Freekassa),
            BuyAction::TopUpCustom,
            BuyAction::History(None),
            BuyAction::History(Some(
                "01767225600:0123456789abcdef0123456789abcdef:purchase".into(),
            )),
        ];
        for a in all {
            assert!(a.data().len() <= 64, "{}", a.data());
            assert_eq!(BuyAction::parse(&a.data()), Some(a));
        }
        assert_eq!(BuyAction::parse("tamt:10"), None, "below the minimum");
        assert_eq!(BuyAction::parse("pay:2m:yookassa"), None);
    }

    #[test]
    fn custom_amounts() {
        assert_eq!(parse_custom_amount("500"), Some(500));
        assert_eq!(parse_custom_amount("1 000 ₽"), Some(1000));
        assert_eq!(parse_custom_amount("750 руб."), Some(750));
        assert_eq!(parse_custom_amount("10"), None);
        assert_eq!(parse_custom_amount("abc"), None);
        assert_eq!(parse_custom_amount("-500"), None);
    }
}
