//! What start-up says about the names an operator set: each is read, ignored here with a reason, known from another bot but not implemented here, or unknown (with the nearest known name when it is probably a typo).
//!
//! Every name in the `.env` file or the secret is judged: the operator wrote
//! it. Names only the process environment gave are judged when they could
//! be settings (a known name, or one that begins like a known name), so that
//! `PATH`, `HOME` or Lambda's `AWS_*` never appear. Only names are reported,
//! never values.

use super::infra::ignored_reason;
use super::known;
use super::vars::Vars;

/// Prefixes of the machine's and the platform's own variables, never judged when the environment gives them (nor are names without `_`: `PATH`, `TZ`).
const PLATFORM_PREFIXES: &[&str] = &["AWS_", "LAMBDA_", "_", "CARGO_", "RUST", "OTEL_"];

/// How start-up classified the names that were set and are not read here.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SettingsReport {
    /// Set but ignored here, with why.
    pub ignored: Vec<(String, &'static str)>,
    /// Read by another bot, not implemented here: (name, bot, what it did there).
    pub not_implemented: Vec<(String, &'static str, &'static str)>,
    /// Never heard of, with the nearest known name when it is close enough to be a typo.
    pub unknown: Vec<(String, Option<&'static str>)>,
}

impl SettingsReport {
    /// Classifies every name in `vars` that this bot does not read.
    pub fn of(vars: &Vars) -> SettingsReport {
        let mut report = SettingsReport::default();
        for (name, environment_only) in vars.names() {
            if known::used(name) {
                continue;
            }
            if environment_only
                && (!name.contains('_') || PLATFORM_PREFIXES.iter().any(|p| name.starts_with(p)))
            {
                continue;
            }
            if let Some(why) = ignored_reason(name) {
                report.ignored.push((name.to_owned(), why));
            } else if let Some((bot, what)) = known::elsewhere(name) {
                report.not_implemented.push((name.to_owned(), bot, what));
            } else if !environment_only || looks_like_a_setting(name) {
                report.unknown.push((name.to_owned(), nearest(name)));
            }
        }
        report
    }

    /// Whether every name set is read here.
    pub fn is_empty(&self) -> bool {
        self.ignored.is_empty() && self.not_implemented.is_empty() && self.unknown.is_empty()
    }

    /// One line per name: the ignored ones, the ones not implemented, then the unknown ones.
    pub fn lines(&self) -> Vec<String> {
        let ignored = self
            .ignored
            .iter()
            .map(|(name, why)| format!("{name} is set but ignored here: {why}"));
        let elsewhere = self.not_implemented.iter().map(|(name, bot, what)| {
            format!("{name} is set but not implemented here (in {bot}: {what}); it has no effect")
        });
        let unknown = self.unknown.iter().map(|(name, nearest)| match nearest {
            Some(near) => format!("{name} is not a known setting; ignored. Did you mean {near}?"),
            None => format!(
                "{name} is not a known setting of this bot or of the bots it replaces; ignored"
            ),
        });
        ignored.chain(elsewhere).chain(unknown).collect()
    }
}

/// Whether a name the environment gave begins like a known setting (its first word, `BOT_` in `BOT_TOKN`).
fn looks_like_a_setting(name: &str) -> bool {
    let Some((word, _)) = name.split_once('_') else {
        return false;
    };
    let prefix = &name[..=word.len()];
    known::all()
        .chain(super::IGNORED_SETTINGS.iter().map(|(n, _)| *n))
        .any(|n| n.starts_with(prefix))
}

/// The known name nearest to `name`, if it is a few edits away (a typo); this bot's own names win ties.
fn nearest(name: &str) -> Option<&'static str> {
    let allowed = if name.len() < 6 { 1 } else { 2 };
    known::all()
        .chain(super::IGNORED_SETTINGS.iter().map(|(n, _)| *n))
        .map(|n| (edit_distance(name, n), n))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Levenshtein distance over bytes (names are ASCII), with an adjacent swap counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 2 {
        return usize::MAX;
    }
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::IGNORED_SETTINGS;
    use crate::base::config::known::{ELSEWHERE, USED};

    fn env_vars(pairs: &[(&str, &str)]) -> Vars {
        // Vars::from_env with chosen contents: every name marked as the environment's.
        let mut v = Vars::new();
        for (k, val) in pairs {
            v.set(k, val);
        }
        v.mark_environment();
        v
    }

    #[test]
    fn tables_are_sorted_and_apart() {
        assert!(
            USED.windows(2).all(|w| w[0] < w[1]),
            "USED sorted, no repeats"
        );
        for (bot, table) in ELSEWHERE {
            assert!(
                table.windows(2).all(|w| w[0].0 < w[1].0),
                "{bot}'s table sorted, no repeats"
            );
            for (name, what) in *table {
                assert!(!known::used(name), "{name} is read here, not only in {bot}");
                assert!(
                    ignored_reason(name).is_none(),
                    "{name} is ignored, not {bot}'s"
                );
                assert!(!what.is_empty());
            }
        }
        for (name, _) in IGNORED_SETTINGS {
            assert!(!known::used(name), "{name} is both read and ignored");
        }
    }

    #[test]
    fn operator_names_are_each_classified() {
        let mut v = Vars::new();
        for (k, val) in [
            ("BOT_TOKEN", "1:x"),
            ("POSTGRES_HOST", "db"),
            ("NALOGO_INN", "7700000000"),
            ("MULENPAY_ENABLED", "true"),
            ("BOT_TOKN", "1:x"),
            ("PAYMENT_METHODS_ORDR", "stars"),
            ("COMPLETELY_NEW_THING", "1"),
        ] {
            v.set(k, val);
        }
        let r = SettingsReport::of(&v);
        assert_eq!(
            r.ignored,
            vec![("POSTGRES_HOST".into(), "storage is DynamoDB (TABLE_NAME)")]
        );
        let names: Vec<(&str, &str)> = r
            .not_implemented
            .iter()
            .map(|(n, bot, _)| (n.as_str(), *bot))
            .collect();
        assert_eq!(
            names,
            vec![
                ("MULENPAY_ENABLED", "Bedolaga"),
                ("NALOGO_INN", "remnawave-tg-shop")
            ]
        );
        assert_eq!(
            r.unknown,
            vec![
                ("BOT_TOKN".into(), Some("BOT_TOKEN")),
                ("COMPLETELY_NEW_THING".into(), None),
                ("PAYMENT_METHODS_ORDR".into(), Some("PAYMENT_METHODS_ORDER")),
            ]
        );
        let lines = r.lines();
        assert_eq!(lines.len(), 6);
        assert!(lines.contains(
            &"BOT_TOKN is not a known setting; ignored. Did you mean BOT_TOKEN?".to_owned()
        ));
        assert!(
            lines.iter().any(|l| l
                .starts_with("NALOGO_INN is set but not implemented here (in remnawave-tg-shop: ")),
            "{lines:?}"
        );
    }

    #[test]
    fn the_machines_own_variables_are_not_judged() {
        let v = env_vars(&[
            ("PATH", "/usr/bin"),
            ("HOME", "/root"),
            ("AWS_REGION", "eu-central-1"),
            ("AWS_LAMBDA_FUNCTION_NAME", "vpn-shop-telegram"),
            ("_HANDLER", "bootstrap"),
            ("LAMBDA_TASK_ROOT", "/var/task"),
            ("LANG", "C.UTF-8"),
            ("TZ", ":UTC"),
            ("HOSTNAME", "box"),
            ("SSH_AUTH_SOCK", "/tmp/x"),
            ("TABLE_NAME", "vpn-shop"),
            ("RUST_BACKTRACE", "1"),
        ]);
        assert_eq!(SettingsReport::of(&v), SettingsReport::default());
        // A name that begins like a setting is judged even from the environment.
        let v = env_vars(&[
            ("BOT_TOKN", "1:x"),
            ("REDIS_HOST", "r"),
            ("WATA_ENABLED", "1"),
        ]);
        let r = SettingsReport::of(&v);
        assert_eq!(r.unknown, vec![("BOT_TOKN".into(), Some("BOT_TOKEN"))]);
        assert_eq!(r.ignored.len(), 1);
        assert_eq!(r.not_implemented.len(), 1);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("BOT_TOKN", "BOT_TOKEN"), 1);
        assert_eq!(edit_distance("BOT_TOKEN", "BOT_TOKEN"), 0);
        assert_eq!(edit_distance("BTO_TOKEN", "BOT_TOKEN"), 1);
        assert_eq!(edit_distance("ADMIN_ID", "ADMIN_IDS"), 1);
        assert_eq!(nearest("ADMIN_ID"), Some("ADMIN_IDS"));
        assert_eq!(nearest("XYZ"), None);
    }
}
