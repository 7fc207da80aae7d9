//! Raw settings by name (`Vars`): the process environment, an operator's `.env` file and the Secrets Manager secret; which names are secret and how secrets print.

use super::dotenv::parse_dotenv;
use super::error::ConfigError;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// Settings whose values are secrets: never logged, printed as `***`, never echoed in errors.
pub const SECRET_NAMES: &[&str] = &[
    "BOT_TOKEN",
    "PANEL_API_KEY",
    "PANEL_WEBHOOK_SECRET",
    "YOOKASSA_SECRET_KEY",
    "CRYPTOPAY_TOKEN",
    "FREEKASSA_FIRST_SECRET",
    "FREEKASSA_SECOND_SECRET",
    "FREEKASSA_API_KEY",
    "TRIBUTE_API_KEY",
    "PLATEGA_SECRET",
    "SEVERPAY_TOKEN",
    "WEBHOOK_SECRET_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "SENTRY_DSN",
    "HEALTH_TOKEN",
];

/// Raw settings by name: the process environment, a `.env` file, the secret's JSON.
///
/// Remembers which names only the process environment gave: those may be the
/// machine's own (`PATH`, `AWS_REGION`), while every name in a `.env` file or
/// the secret was written by the operator (see [`super::SettingsReport`]).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Vars(BTreeMap<String, String>, BTreeSet<String>);

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| {
                let shown = if SECRET_NAMES.contains(&k.as_str()) {
                    "***"
                } else {
                    v.as_str()
                };
                (k, shown)
            }))
            .finish()
    }
}

impl Vars {
    /// No settings at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process environment (variables that are not valid UTF-8 are skipped).
    pub fn from_env() -> Self {
        let map: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let environment = map.keys().cloned().collect();
        Vars(map, environment)
    }

    /// Sets one setting, replacing any earlier value.
    pub fn set(&mut self, k: &str, v: &str) {
        self.1.remove(k);
        self.0.insert(k.to_owned(), v.to_owned());
    }

    /// The names set, with whether only the process environment gave them.
    pub fn names(&self) -> impl Iterator<Item = (&str, bool)> {
        self.0
            .keys()
            .map(|k| (k.as_str(), self.1.contains(k.as_str())))
    }

    /// The raw value of a setting, as given (not trimmed).
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// Removes a setting, returning its value.
    pub fn remove(&mut self, k: &str) -> Option<String> {
        self.1.remove(k);
        self.0.remove(k)
    }

    /// Marks every name as given by the process environment only (tests of the start-up report).
    #[cfg(test)]
    pub(super) fn mark_environment(&mut self) {
        self.1 = self.0.keys().cloned().collect();
    }

    /// The secret settings that are set, as the JSON object the secret holds.
    pub fn secrets_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = SECRET_NAMES
            .iter()
            .filter_map(|k| {
                Some((
                    k.to_string(),
                    serde_json::Value::String(self.get(k)?.to_owned()),
                ))
            })
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// Adds the pairs of a .env file; names already present (real environment) win.
    pub fn merge_dotenv_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::DotEnvRead {
            path: shown.clone(),
            source,
        })?;
        let env = |name: &str| self.0.get(name).cloned();
        let pairs = parse_dotenv(&text, &shown, &env)?;
        for (k, v) in pairs {
            self.1.remove(&k);
            self.0.entry(k).or_insert(v);
        }
        Ok(())
    }

    /// Adds a Secrets Manager secret string (a JSON object of NAME -> string|number|bool); the secret wins over everything.
    pub fn merge_secret_json(&mut self, json: &str) -> Result<(), ConfigError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's messages for untyped parsing never quote the input, but keep only the position to be sure.
            ConfigError::SecretJson(format!(
                "not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let serde_json::Value::Object(map) = value else {
            return Err(ConfigError::SecretJson(
                "expected a JSON object of NAME: value pairs".into(),
            ));
        };
        let mut pairs = Vec::with_capacity(map.len());
        for (k, v) in map {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                    return Err(ConfigError::SecretJson(format!(
                        "{k}: expected a string, number or true/false, got a list or object"
                    )));
                }
            };
            pairs.push((k, text));
        }
        for (k, _) in &pairs {
            self.1.remove(k);
        }
        self.0.extend(pairs);
        Ok(())
    }
}

/// Shown in place of a secret in `Debug` output.
pub(super) const REDACTED: Redacted = Redacted;

/// Prints as `***`.
pub(super) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// `***` for a secret that is set, `None` for one that is not.
pub(super) fn redact_opt(v: &Option<String>) -> Option<Redacted> {
    v.as_ref().map(|_| Redacted)
}

/// Helpers for the configuration's unit tests: the smallest settings that parse, and a temporary `.env` file.
#[cfg(test)]
pub(super) mod testing {
    use crate::base::config::vars::Vars;
    use std::path::PathBuf;

    /// The smallest settings that parse.
    pub fn minimal() -> Vars {
        let mut v = Vars::new();
        v.set("BOT_TOKEN", "123456:ABC-def_ghi");
        v.set("WEBHOOK_SECRET_TOKEN", "hook_secret-1");
        v
    }

    /// A file in the temporary directory, removed when dropped.
    pub struct TempFile(pub PathBuf);

    impl TempFile {
        /// Writes `text` to a fresh file named after this process and `tag`.
        pub fn new(tag: &str, text: &str) -> TempFile {
            let path = std::env::temp_dir()
                .join(format!("shared-config-{}-{tag}.env", std::process::id()));
            std::fs::write(&path, text).unwrap();
            TempFile(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::testing::{TempFile, minimal};

    #[test]
    fn environment_wins_over_dotenv() {
        let file = TempFile::new("env-wins", "ADMIN_IDS=1\nLEGACY_REFS=true\n");
        let mut vars = Vars::new();
        vars.set("ADMIN_IDS", "42");
        vars.merge_dotenv_file(&file.0).unwrap();
        assert_eq!(vars.get("ADMIN_IDS"), Some("42"));
        assert_eq!(vars.get("LEGACY_REFS"), Some("true"));
    }

    #[test]
    fn missing_dotenv_file_is_not_found() {
        let mut vars = Vars::new();
        match vars.merge_dotenv_file(Path::new("/nonexistent/dir/.env")) {
            Err(ConfigError::DotEnvRead { source, .. }) => {
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn secret_json_wins_and_accepts_numbers() {
        let mut v = minimal();
        v.set("BOT_TOKEN", "1:from_env");
        v.merge_secret_json(
            r#"{"BOT_TOKEN": "999:from_secret", "YOOKASSA_SHOP_ID": 123456, "YOOKASSA_ENABLED": true,
                "YOOKASSA_SECRET_KEY": "live_x", "RUB_PRICE_1_MONTH": 199.5, "SENTRY_DSN": null}"#,
        )
        .unwrap();
        assert_eq!(v.get("BOT_TOKEN"), Some("999:from_secret"));
        assert_eq!(v.get("YOOKASSA_SHOP_ID"), Some("123456"));
        assert_eq!(v.get("SENTRY_DSN"), None);

        let e = v.merge_secret_json("[1, 2]").unwrap_err().to_string();
        assert!(e.starts_with("secret JSON:"), "{e}");
        let e = v
            .merge_secret_json(r#"{"BOT_TOKEN": "1:supersecret"#)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("supersecret"), "{e}");
        assert!(v.merge_secret_json(r#"{"A": {"b": 1}}"#).is_err());
    }
}
