//! Buying: periods, payment methods, top-ups, the balance and its history.

use super::screens::Screen;
use crate::adapters::store::users::User;
use crate::base::callback::{BuyAction, TOPUP_PRESETS, balance_stamp, topup_rubles};
use crate::base::config::Config;
use crate::base::format::{date, money, money_text, pack_text};
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::Provider;
use crate::base::types::{Kopecks, Lang, Product};
use crate::domains::money::catalog::{
    days_left, devices_left, list_price, methods, offers_packs, price, refusal, rub_providers,
    traffic_mode,
};
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

/// The prices of `product` for `user` now, in each currency it is sold
/// in: "199 ₽ / 150 ⭐" (with a promo discount held, the discounted ones).
fn prices(config: &Config, user: &User, product: Product) -> String {
    let now = crate::base::clock::now();
    let purchase = Purchase::from(product);
    let mut out = Vec::new();
    if let Some(rub) = price(config, user, purchase, Provider::Balance, now) {
        out.push(money_text(user.lang, config, &rub));
    }
    if config.stars_enabled
        && let Some(stars) = price(config, user, purchase, Provider::Stars, now)
    {
        out.push(money_text(user.lang, config, &stars));
    }
    out.join(" / ")
}

/// The price line of a product: "1 month — 199 ₽ / 150 ⭐", "2 devices —
/// 114 ₽", "10 GB — 199 ₽".
pub fn price_line(config: &Config, user: &User, product: Product) -> String {
    let lang = user.lang;
    let price = Arg::Str(prices(config, user, product));
    match product {
        Product::Period(period) => tr(
            lang,
            "plan-price-line",
            &[
                ("months", Arg::Num(i64::from(period.months()))),
                ("price", price),
            ],
        ),
        Product::Devices(count) => tr(
            lang,
            "devices-price-line",
            &[("count", Arg::Num(i64::from(count))), ("price", price)],
        ),
        Product::Traffic(bytes) => tr(
            lang,
            "pack-price-line",
            &[
                ("amount", Arg::Str(pack_text(lang, bytes))),
                ("price", price),
            ],
        ),
    }
}

/// What is for sale: the periods, or in traffic sale mode the packages.
pub fn plans(config: &Config, user: &User) -> Screen {
    plans_from(config, user, false)
}

/// The plans, with Back to where the user came from: the subscription
/// screen (`from_subscription`) or the main menu.
pub fn plans_from(config: &Config, user: &User, from_subscription: bool) -> Screen {
    let lang = user.lang;
    let products: Vec<Product> = if traffic_mode(config) {
        config
            .products
            .traffic_packages
            .iter()
            .map(|p| Product::Traffic(p.bytes))
            .collect()
    } else {
        config
            .plans
            .iter()
            .filter(|p| p.enabled)
            .map(|p| Product::Period(p.period))
            .collect()
    };
    let rows: Vec<Vec<InlineKeyboardButton>> = products
        .into_iter()
        .filter(|p| !methods(config, *p, Some(user)).is_empty())
        .map(|p| vec![cb(price_line(config, user, p), &BuyAction::Plan(p))])
        .chain(std::iter::once(if from_subscription {
            vec![InlineKeyboardButton::callback(
                t(lang, "btn-back"),
                crate::base::callback::Action::Subscription.data(),
            )]
        } else {
            menu_back(lang)
        }))
        .collect();
    let mut text = t(
        lang,
        if traffic_mode(config) {
            "packages-title"
        } else {
            "plans-title"
        },
    );
    if let Some(d) = user.discount_at(crate::base::clock::now()) {
        text.push_str("\n\n");
        text.push_str(&tr(
            lang,
            "plans-discount",
            &[
                ("percent", Arg::Num(i64::from(d.percent))),
                ("date", Arg::Str(crate::base::format::date(lang, d.until))),
            ],
        ));
    }
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// How many extra devices to buy: one button per count the maximum
/// allows (up to five), each with its price for the days left.
pub fn more_devices(config: &Config, user: &User) -> Screen {
    let lang = user.lang;
    let now = crate::base::clock::now();
    let Some(d) = config.products.devices else {
        return Screen::plain(t(lang, "method-unavailable"));
    };
    let mut rows = Vec::new();
    let left = devices_left(&d, user).min(5);
    if refusal(config, user, Product::Devices(1), now).is_none() {
        for count in 1..=left {
            let product = Product::Devices(count);
            rows.push(vec![cb(
                price_line(config, user, product),
                &BuyAction::Plan(product),
            )]);
        }
    }
    rows.push(vec![InlineKeyboardButton::callback(
        t(lang, "btn-back"),
        "sub",
    )]);
    let mut text = tr(
        lang,
        "devices-buy-title",
        &[
            ("included", Arg::Num(i64::from(d.included))),
            ("extra", Arg::Num(i64::from(user.extra_devices))),
            ("days", Arg::Num(i64::from(days_left(user, now)))),
        ],
    );
    text.push_str("\n\n");
    text.push_str(&t(
        lang,
        if d.renew {
            "devices-renew-on"
        } else {
            "devices-renew-off"
        },
    ));
    if left == 0 {
        text.push_str("\n\n");
        text.push_str(&t(lang, "devices-over-limit"));
    }
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// The traffic packs that add to the current period, with what the
/// subscription has used of its limit and what packs added already.
pub fn more_traffic(config: &Config, user: &User) -> Screen {
    let lang = user.lang;
    let mut rows: Vec<Vec<InlineKeyboardButton>> = Vec::new();
    if offers_packs(config, user, crate::base::clock::now()) {
        for pack in &config.products.topup_packs {
            let product = Product::Traffic(pack.bytes);
            if !methods(config, product, Some(user)).is_empty() {
                rows.push(vec![cb(
                    price_line(config, user, product),
                    &BuyAction::Plan(product),
                )]);
            }
        }
    }
    rows.push(vec![InlineKeyboardButton::callback(
        t(lang, "btn-back"),
        "sub",
    )]);
    let mut text = t(lang, "traffic-buy-title");
    if let Some(line) = crate::bot::screens::traffic_figures(user) {
        text.push_str("\n\n");
        text.push_str(&line);
    }
    text.push_str("\n\n");
    text.push_str(&t(
        lang,
        if config.products.carry_over {
            "traffic-packs-carry"
        } else {
            "traffic-packs-expire"
        },
    ));
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
            &[("amount", Arg::Str(money(lang, config, user.balance)))],
        ),
        other => crate::base::format::method_name(lang, other),
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

/// Payment methods for a product.
pub fn plan_checkout(config: &Config, user: &User, product: Product) -> Screen {
    plan_checkout_saving(config, user, product, false)
}

/// Payment methods for a product, with the "save my card" choice `save`
/// (shown for periods as a toggle when [`offers_saving_card`]; the YooKassa
/// button then pays with or without saving the card).
pub fn plan_checkout_saving(config: &Config, user: &User, product: Product, save: bool) -> Screen {
    let lang = user.lang;
    let now = crate::base::clock::now();
    let period = match product {
        Product::Period(p) => Some(p),
        _ => None,
    };
    let saving = offers_saving_card(config) && period.is_some();
    let refused = refusal(config, user, product, now);
    let mut rows = Vec::new();
    for provider in methods(config, product, Some(user))
        .into_iter()
        .filter(|_| refused.is_none())
    {
        let label = method_label(config, lang, provider, user);
        if provider == Provider::Tribute {
            // Tribute sells through its own subscription links.
            if let Some(url) = period
                .and_then(|p| config.plan(p).tribute_link.as_deref())
                .and_then(|u| reqwest::Url::parse(u).ok())
            {
                rows.push(vec![InlineKeyboardButton::url(label, url)]);
            }
            continue;
        }
        let action = match (provider, period) {
            (Provider::Balance, _) => {
                BuyAction::PayFromBalance(product, balance_stamp(user.sub_end, user.balance.0))
            }
            (Provider::Yookassa, Some(p)) if saving && save => BuyAction::PaySavingCard(p),
            _ => BuyAction::Pay(product, provider),
        };
        rows.push(vec![cb(label, &action)]);
        if let (Provider::Yookassa, Some(p), true) = (provider, period, saving) {
            rows.push(vec![cb(
                t(
                    lang,
                    if save {
                        "btn-save-card-on"
                    } else {
                        "btn-save-card-off"
                    },
                ),
                &BuyAction::PlanSaveCard(p, !save),
            )]);
        }
    }
    let back_to = match product {
        Product::Period(_) => BuyAction::Plans,
        Product::Devices(_) => BuyAction::MoreDevices,
        Product::Traffic(_) if traffic_mode(config) => BuyAction::Plans,
        Product::Traffic(_) => BuyAction::MoreTraffic,
    };
    rows.push(back(lang, &back_to));
    let mut text = tr(
        lang,
        "checkout-title",
        &[("plan", Arg::Str(price_line(config, user, product)))],
    );
    if let Some(note) = checkout_note(config, user, product, now) {
        text.push_str("\n\n");
        text.push_str(&note);
    }
    if let Some(key) = refused {
        text.push_str("\n\n");
        text.push_str(&t(lang, key));
    } else if saving {
        // The toggle is a choice, not a step: say what it does.
        text.push_str("\n\n");
        text.push_str(&t(lang, "save-card-explained"));
    }
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// What the payment screen explains about a product: the proration of
/// extra devices ("2 × 100 ₽ × 17/30 days = 113.34 ₽"), the extra devices
/// a period renews or drops.
fn checkout_note(config: &Config, user: &User, product: Product, now: i64) -> Option<String> {
    let lang = user.lang;
    let d = config.products.devices?;
    match product {
        Product::Devices(count) => {
            let days = days_left(user, now);
            let mut parts = Vec::new();
            if let (Some(per), Some(total)) = (
                d.rub_month,
                list_price(config, user, product.into(), Provider::Balance, now),
            ) {
                parts.push(tr(
                    lang,
                    "devices-formula",
                    &[
                        ("count", Arg::Num(i64::from(count))),
                        ("per", Arg::Str(money(lang, config, per))),
                        ("days", Arg::Num(i64::from(days))),
                        ("total", Arg::Str(money_text(lang, config, &total))),
                    ],
                ));
            }
            if let (Some(per), Some(total), true) = (
                d.stars_month,
                list_price(config, user, product.into(), Provider::Stars, now),
                config.stars_enabled,
            ) {
                parts.push(tr(
                    lang,
                    "devices-formula",
                    &[
                        ("count", Arg::Num(i64::from(count))),
                        (
                            "per",
                            Arg::Str(money_text(
                                lang,
                                config,
                                &crate::adapters::pay::Money::stars(per),
                            )),
                        ),
                        ("days", Arg::Num(i64::from(days))),
                        ("total", Arg::Str(money_text(lang, config, &total))),
                    ],
                ));
            }
            Some(parts.join("\n"))
        }
        Product::Period(_) if user.extra_devices > 0 && user.active(now) && !user.on_trial() => {
            Some(if d.renew {
                tr(
                    lang,
                    "plan-renews-devices",
                    &[("count", Arg::Num(i64::from(user.extra_devices)))],
                )
            } else {
                tr(
                    lang,
                    "plan-drops-devices",
                    &[("count", Arg::Num(i64::from(user.extra_devices)))],
                )
            })
        }
        _ => None,
    }
}

/// Top-up amounts.
pub fn topup(config: &Config, user: &User) -> Screen {
    let lang = user.lang;
    let presets: Vec<InlineKeyboardButton> = TOPUP_PRESETS
        .iter()
        .map(|r| {
            cb(
                money(lang, config, Kopecks::from_rubles(u64::from(*r))),
                &BuyAction::TopUpAmount(*r),
            )
        })
        .collect();
    let rows = vec![
        presets[..2].to_vec(),
        presets[2..].to_vec(),
        vec![cb(t(lang, "btn-topup-custom"), &BuyAction::TopUpCustom)],
        // Top-ups are reached from the profile: Back returns there.
        vec![InlineKeyboardButton::callback(
            t(lang, "btn-back"),
            crate::base::callback::Action::Profile.data(),
        )],
    ];
    Screen {
        text: tr(
            lang,
            "topup-title",
            &[("amount", Arg::Str(money(lang, config, user.balance)))],
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
                Arg::Str(money(lang, config, Kopecks::from_rubles(u64::from(rub)))),
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

/// A payment link to follow: what it pays for, how much, and until when
/// the link can be paid when the provider sets a limit (`expires`).
pub fn pay_link(
    lang: Lang,
    url: &str,
    purchase: Purchase,
    amount: String,
    expires: Option<i64>,
) -> Screen {
    let mut rows = Vec::new();
    if let Ok(u) = reqwest::Url::parse(url) {
        rows.push(vec![InlineKeyboardButton::url(t(lang, "btn-pay"), u)]);
    }
    let back_to = match purchase {
        Purchase::TopUp(_) => BuyAction::TopUp,
        Purchase::Devices(_) => BuyAction::MoreDevices,
        _ => BuyAction::Plans,
    };
    rows.push(back(lang, &back_to));
    let mut text = tr(
        lang,
        "pay-link",
        &[
            ("amount", Arg::Str(amount)),
            (
                "what",
                Arg::Str(crate::domains::money::catalog::what(lang, purchase)),
            ),
        ],
    );
    if let Some(at) = expires {
        text.push_str("\n\n");
        text.push_str(&tr(
            lang,
            "pay-link-expires",
            &[("time", Arg::Str(crate::base::format::date_time(lang, at)))],
        ));
    }
    Screen {
        text,
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
        .map(|m| crate::base::format::money_text(lang, config, m))
        .unwrap_or_default();
    let key = match row.kind.as_str() {
        "purchase" => "history-purchase",
        "devices" => "history-devices",
        "traffic" => "history-traffic",
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
            ("date", Arg::Str(date(lang, row.at))),
            ("amount", Arg::Str(amount)),
            ("days", Arg::Num(i64::from(row.days.unwrap_or_default()))),
            (
                "count",
                Arg::Num(row.units.unwrap_or_default().try_into().unwrap_or(i64::MAX)),
            ),
            (
                "size",
                Arg::Str(pack_text(lang, row.units.unwrap_or_default())),
            ),
            (
                "method",
                Arg::Str(
                    row.provider
                        .map(|p| crate::base::format::method_name(lang, p))
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

/// Asking for a custom top-up amount (`key`: the first ask or the ask
/// again after a refused amount), with a cancel back to the top-up screen:
/// the question stays open until a valid amount or a cancel.
pub fn ask_amount(lang: Lang, key: &str) -> Screen {
    let text = tr(
        lang,
        key,
        &[
            ("min", Arg::Num(i64::from(crate::base::callback::TOPUP_MIN))),
            ("max", Arg::Num(i64::from(crate::base::callback::TOPUP_MAX))),
        ],
    );
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![vec![cb(
            t(lang, "btn-cancel"),
            &BuyAction::TopUp,
        )]]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::types::Period;

    #[test]
    fn actions_round_trip_and_fit_telegram() {
        let all = [
            BuyAction::Plans,
            BuyAction::MoreDevices,
            BuyAction::MoreTraffic,
            BuyAction::Plan(Product::Period(Period::ThreeMonths)),
            BuyAction::Plan(Product::Devices(3)),
            BuyAction::Plan(Product::Traffic(536_870_912)),
            BuyAction::Pay(Product::Period(Period::TwelveMonths), Provider::Cryptopay),
            BuyAction::Pay(Product::Traffic(u64::MAX), Provider::Freekassa),
            BuyAction::PayFromBalance(Product::Period(Period::OneMonth), "0".into()),
            BuyAction::PayFromBalance(Product::Period(Period::TwelveMonths), "1kx2b9c".into()),
            BuyAction::PayFromBalance(
                Product::Traffic(u64::MAX),
                balance_stamp(Some(4_102_358_400), u64::MAX),
            ),
            BuyAction::PayFromBalance(Product::Devices(99), "1kx2b9c".into()),
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
        for data in [
            "plan:d0",
            "plan:d100",
            "plan:d01",
            "plan:g0",
            "plan:g+5",
            "plan:g05",
        ] {
            assert_eq!(BuyAction::parse(data), None, "{data}");
        }
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
