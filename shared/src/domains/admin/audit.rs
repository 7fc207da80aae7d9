//! An audit entry as the admin reads it: "начислил 150 ₽ на баланс
//! пользователя 123 (компенсация)", not `balance +15000`. Entries are
//! stored as they always were (an action word and a detail with amounts
//! in kopecks), so old entries read the same way as new ones.

use crate::adapters::store::admin::Audit;
use crate::base::config::Config;
use crate::base::format::money;
use crate::base::i18n::{Arg, html, tr};
use crate::base::types::{Kopecks, Lang};

/// What an entry did, in `lang`, with HTML-escaped parts (the target id in
/// `<code>`).
pub fn describe(lang: Lang, config: &Config, a: &Audit) -> String {
    let user = a
        .target
        .map(|t| format!("<code>{t}</code>"))
        .unwrap_or_default();
    let with = |key: &str, extra: &[(&str, Arg)]| {
        let mut args = vec![("user", Arg::Str(user.clone()))];
        args.extend(extra.iter().cloned());
        tr(lang, key, &args)
    };
    match a.action.as_str() {
        "ban" => with("audit-ban", &[]),
        "unban" => with("audit-unban", &[]),
        "reset_trial" => with("audit-reset-trial", &[]),
        "delete" => with("audit-delete", &[]),
        "message" => with("audit-message", &[]),
        "days" => match a.detail.trim().parse::<i64>() {
            Ok(d) if d != 0 => with(
                if d > 0 {
                    "audit-days-added"
                } else {
                    "audit-days-taken"
                },
                &[("count", Arg::Num(d.abs()))],
            ),
            _ => raw(a),
        },
        "balance" => match balance_detail(&a.detail) {
            Some((delta, reason)) => with(
                if delta > 0 {
                    "audit-balance-added"
                } else {
                    "audit-balance-taken"
                },
                &[
                    (
                        "amount",
                        Arg::Str(money(lang, config, Kopecks(delta.unsigned_abs()))),
                    ),
                    ("reason", Arg::Str(html(reason))),
                ],
            ),
            None => raw(a),
        },
        "broadcast" => tr(
            lang,
            "audit-broadcast",
            &[("id", Arg::Str(html(&a.detail)))],
        ),
        "refund" => tr(
            lang,
            "audit-refund",
            &[("order", Arg::Str(html(&a.detail)))],
        ),
        _ => raw(a),
    }
}

/// An action this version does not know (written by a newer one): as stored.
fn raw(a: &Audit) -> String {
    let target = a
        .target
        .map(|t| format!(" <code>{t}</code>"))
        .unwrap_or_default();
    format!("{}{target} {}", html(&a.action), html(&a.detail))
        .trim_end()
        .to_owned()
}

/// A balance entry's detail: `<signed kopecks> <reason>`.
fn balance_detail(detail: &str) -> Option<(i64, &str)> {
    let (amount, reason) = detail.split_once(' ').unwrap_or((detail, ""));
    let delta: i64 = amount.parse().ok().filter(|d| *d != 0)?;
    Some((delta, reason.trim()))
}

/// The detail column of the CSV: amounts in rubles with the unit.
pub fn csv_detail(lang: Lang, config: &Config, a: &Audit) -> String {
    match (a.action.as_str(), balance_detail(&a.detail)) {
        ("balance", Some((delta, reason))) => {
            let sign = if delta < 0 { "-" } else { "+" };
            let amount = money(lang, config, Kopecks(delta.unsigned_abs()));
            format!("{sign}{amount} {reason}").trim_end().to_owned()
        }
        _ => a.detail.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::types::TelegramId;

    fn config() -> Config {
        let mut vars = crate::base::config::Vars::new();
        vars.set("BOT_TOKEN", "1:x");
        vars.set("WEBHOOK_SECRET_TOKEN", "s");
        Config::from_vars(&vars).expect("valid")
    }

    fn entry(action: &str, detail: &str) -> Audit {
        Audit {
            admin: TelegramId(1),
            action: action.into(),
            target: Some(TelegramId(42)),
            detail: detail.into(),
            at: 0,
        }
    }

    #[test]
    fn entries_read_as_sentences_with_rubles() {
        let c = config();
        assert_eq!(
            describe(Lang::Ru, &c, &entry("balance", "+15000 компенсация")),
            "начислил 150 ₽ на баланс <code>42</code> (компенсация)"
        );
        assert_eq!(
            describe(Lang::En, &c, &entry("balance", "-9950 chargeback")),
            "took 99.50 ₽ from the balance of <code>42</code> (chargeback)"
        );
        assert_eq!(
            describe(Lang::Ru, &c, &entry("days", "-7")),
            "забрал 7 дней у <code>42</code>"
        );
        assert_eq!(
            describe(Lang::Ru, &c, &entry("days", "+1")),
            "добавил 1 день пользователю <code>42</code>"
        );
        assert_eq!(
            describe(Lang::En, &c, &entry("future_thing", "x<y")),
            "future_thing <code>42</code> x&lt;y"
        );
        assert_eq!(
            csv_detail(Lang::Ru, &c, &entry("balance", "-9950 fee")),
            "-99,50 ₽ fee"
        );
    }
}
