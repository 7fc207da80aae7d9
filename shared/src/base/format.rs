//! How dates, amounts and sizes are written for users and admins.

use crate::base::config::Config;
use crate::base::i18n::{Arg, tr};
use crate::base::money::{Money, decimal_text};
use crate::base::types::{Kopecks, Lang};

/// A date as people of `lang` write it: "09.12.2026" in Russian,
/// "9 Dec 2026" in English.
pub fn date(lang: Lang, ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| match lang {
            Lang::Ru => d.format("%d.%m.%Y").to_string(),
            Lang::En => d.format("%-d %b %Y").to_string(),
        })
        .unwrap_or_default()
}

/// A date and time (UTC) as an admin of `lang` reads it.
pub fn date_time(lang: Lang, ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| match lang {
            Lang::Ru => d.format("%d.%m.%Y %H:%M UTC").to_string(),
            Lang::En => d.format("%-d %b %Y %H:%M UTC").to_string(),
        })
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
        // "5 ГБ", not "5,0 ГБ": a decimal only when there is one.
        let amount = if tenths.is_multiple_of(10) {
            grouped(lang, tenths / 10)
        } else {
            format!(
                "{}{}{}",
                grouped(lang, tenths / 10),
                decimal_mark(lang),
                tenths % 10
            )
        };
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
        amount.push(decimal_mark(lang));
        amount.push_str(fraction);
    }
    tr(lang, "size-gb", &[("amount", Arg::Str(amount))])
}

/// An amount in its own unit as people of `lang` read it: "1 499 ₽",
/// "159,20 ₽", "150 ⭐", "2,09 USDT" in Russian; "1,499 ₽", "159.20 ₽",
/// "2.09 USDT" in English.
pub fn money_text(lang: Lang, config: &Config, m: &Money) -> String {
    match m {
        Money::Rub(k) => money(lang, config, *k),
        Money::Stars(s) => format!("{} ⭐", grouped(lang, u64::from(s.0))),
        Money::Crypto(a) => format!("{} {}", localized_decimal(lang, &a.text()), a.asset()),
        Money::Fiat(f) => format!(
            "{} {}",
            localized_decimal(lang, &decimal_text(f.cents(), 2)),
            f.currency()
        ),
    }
}

/// An amount of rubles with the operator's currency symbol, as people of
/// `lang` write it: "1 499 ₽" and "159,20 ₽" in Russian (a no-break space
/// between thousands), "1,499 ₽" and "159.20 ₽" in English.
pub fn money(lang: Lang, config: &Config, amount: Kopecks) -> String {
    let whole = grouped(lang, amount.0 / 100);
    let number = if amount.0.is_multiple_of(100) {
        whole
    } else {
        format!("{whole}{}{:02}", decimal_mark(lang), amount.0 % 100)
    };
    format!("{number} {}", config.default_currency_symbol)
}

/// A whole number with its digits grouped as `lang` writes them: "1 499"
/// (a no-break space) in Russian, "1,499" in English.
pub fn grouped(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let separator = match lang {
        Lang::Ru => '\u{a0}',
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// The decimal mark of `lang`: a comma in Russian, a point in English.
pub fn decimal_mark(lang: Lang) -> char {
    match lang {
        Lang::Ru => ',',
        Lang::En => '.',
    }
}

/// A decimal written with a point ("2.09") as `lang` writes it.
fn localized_decimal(lang: Lang, text: &str) -> String {
    text.replace('.', &decimal_mark(lang).to_string())
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

/// A provider's name as operators know it ("ЮKassa", "Звёзды"), for the
/// admin's screens and exports; the buyer's buttons use [`method_name`].
pub fn provider_name(lang: Lang, provider: crate::base::types::Provider) -> String {
    crate::base::i18n::t(lang, &format!("provider-{}", provider.code()))
}

/// A payments filter's provider code (`all` or a provider) as a word.
pub fn provider_filter_name(lang: Lang, code: &str) -> String {
    match crate::base::types::Provider::from_code(code) {
        Some(p) => provider_name(lang, p),
        None => crate::base::i18n::t(lang, "provider-all"),
    }
}

/// An order's status as a word ("оплачен", "возвращён").
pub fn order_status(lang: Lang, code: &str) -> String {
    match code {
        "pending" | "paid" | "canceled" | "expired" | "refunded" => {
            crate::base::i18n::t(lang, &format!("order-status-{code}"))
        }
        other => other.to_owned(),
    }
}

/// The panel's status of a user's account (`ACTIVE`, `DISABLED`, …) in
/// words; an unknown one as the panel wrote it.
pub fn panel_status(lang: Lang, status: &str) -> String {
    match status {
        "ACTIVE" | "DISABLED" | "LIMITED" | "EXPIRED" => crate::base::i18n::t(
            lang,
            &format!("panel-status-{}", status.to_ascii_lowercase()),
        ),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_each_language_writes_them() {
        let mut vars = crate::base::config::Vars::new();
        vars.set("BOT_TOKEN", "1:x");
        vars.set("WEBHOOK_SECRET_TOKEN", "s");
        let config = Config::from_vars(&vars).expect("valid");
        let rub = |lang, k| money(lang, &config, Kopecks(k));
        assert_eq!(rub(Lang::Ru, 149_900), "1\u{a0}499 ₽");
        assert_eq!(rub(Lang::Ru, 15_920), "159,20 ₽");
        assert_eq!(rub(Lang::Ru, 19_900), "199 ₽");
        assert_eq!(rub(Lang::Ru, 123_456_700), "1\u{a0}234\u{a0}567 ₽");
        assert_eq!(rub(Lang::En, 149_900), "1,499 ₽");
        assert_eq!(rub(Lang::En, 15_920), "159.20 ₽");
        assert_eq!(
            money_text(
                Lang::Ru,
                &config,
                &Money::stars(crate::base::money::Stars(1500))
            ),
            "1\u{a0}500 ⭐"
        );
        let gib = 1u64 << 30;
        assert_eq!(bytes_text(Lang::Ru, gib + gib / 10), "1,1 ГБ");
        assert_eq!(bytes_text(Lang::En, gib + gib / 10), "1.1 GB");
        assert_eq!(date(Lang::En, 1_796_774_400), "9 Dec 2026");
        assert_eq!(date(Lang::Ru, 1_796_774_400), "09.12.2026");
    }

    #[test]
    fn pack_sizes_read_as_each_language_writes_them() {
        const GIB: u64 = 1 << 30;
        assert_eq!(pack_text(Lang::Ru, 10 * GIB), "10 ГБ");
        assert_eq!(pack_text(Lang::Ru, GIB / 2), "0,5 ГБ");
        assert_eq!(pack_text(Lang::En, GIB / 2), "0.5 GB");
        assert_eq!(pack_text(Lang::En, GIB + GIB / 4), "1.25 GB");
    }
}
