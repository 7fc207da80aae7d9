//! Typed reading of raw settings: `Reader` (flags, numbers, URLs, links, lists, IP allow-lists, UUIDs), the shape checks several areas share, and the error for a bad value.

use super::allowlist::IpNet;
use super::error::ConfigError;
use super::vars::{SECRET_NAMES, Vars};
use std::str::FromStr;

/// The error for a bad value, hiding the value when the setting is a secret.
pub(super) fn invalid(name: &'static str, expected: impl Into<String>, got: &str) -> ConfigError {
    if SECRET_NAMES.contains(&name) {
        ConfigError::InvalidSecret {
            name,
            expected: expected.into(),
        }
    } else {
        ConfigError::Invalid {
            name,
            expected: expected.into(),
            got: got.to_owned(),
        }
    }
}

/// `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`, any case; anything else is an error naming `name`.
pub(super) fn parse_bool(name: &'static str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(invalid(name, "true or false", raw)),
    }
}

/// `http://` or `https://` followed by a host, no spaces.
pub(super) fn is_http_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            !rest.is_empty()
                && !rest.starts_with('/')
                && !s.contains(|c: char| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// 8-4-4-4-12 hexadecimal digits.
pub(super) fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A Telegram username (letters, digits, `_`).
pub(super) fn is_username(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `"2.5"` gigabytes as bytes (2^30 per gigabyte, rounded down); at most nine decimals.
pub(super) fn gigabytes_to_bytes(s: &str) -> Option<u64> {
    const GB: u64 = 1 << 30;
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 9 {
        return None;
    }
    if s.contains('.') && frac.is_empty() {
        return None;
    }
    let whole_bytes = whole.parse::<u64>().ok()?.checked_mul(GB)?;
    let frac_bytes = if frac.is_empty() {
        0
    } else {
        let scale = 10u64.pow(frac.len() as u32);
        frac.parse::<u64>().ok()? * GB / scale
    };
    whole_bytes.checked_add(frac_bytes)
}

/// Items of a comma-separated list, trimmed, empty items dropped.
pub(super) fn list_items(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
thread_local! {
    /// Every name a [`Reader`] was asked for on this thread (the test that keeps the table of names read complete).
    pub(super) static READ: std::cell::RefCell<std::collections::BTreeSet<&'static str>> =
        const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
}

/// Reads typed settings by name; empty values count as unset.
pub(super) struct Reader<'a>(pub(super) &'a Vars);

impl<'a> Reader<'a> {
    /// The trimmed value, `None` when unset or empty.
    pub(super) fn raw(&self, name: &'static str) -> Option<&'a str> {
        #[cfg(test)]
        READ.with(|read| read.borrow_mut().insert(name));
        self.0.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The trimmed value as an owned string, `None` when unset or empty.
    pub(super) fn string(&self, name: &'static str) -> Option<String> {
        self.raw(name).map(str::to_owned)
    }

    /// The trimmed value; absent or empty is an error saying `because` requires it.
    pub(super) fn required(
        &self,
        name: &'static str,
        because: &str,
    ) -> Result<String, ConfigError> {
        self.string(name).ok_or_else(|| ConfigError::MissingWhen {
            name,
            because: because.to_owned(),
        })
    }

    /// The first of two names that is set, with its name.
    pub(super) fn either(
        &self,
        first: &'static str,
        second: &'static str,
    ) -> Option<(&'static str, &'a str)> {
        self.raw(first)
            .map(|v| (first, v))
            .or_else(|| self.raw(second).map(|v| (second, v)))
    }

    /// A true/false setting, `default` when unset.
    pub(super) fn flag(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        self.raw(name).map_or(Ok(default), |v| parse_bool(name, v))
    }

    /// A whole number of type `T`, `None` when unset.
    pub(super) fn whole<T: FromStr>(&self, name: &'static str) -> Result<Option<T>, ConfigError> {
        self.raw(name)
            .map(|v| v.parse().map_err(|_| invalid(name, "a whole number", v)))
            .transpose()
    }

    /// Gigabytes (2^30 bytes), whole or decimal (`0.0`, `5`, `2.5`), as bytes; `None` when unset.
    pub(super) fn gigabytes(&self, name: &'static str) -> Result<Option<u64>, ConfigError> {
        self.raw(name)
            .map(|v| {
                gigabytes_to_bytes(v)
                    .ok_or_else(|| invalid(name, "a number of gigabytes (5 or 2.5)", v))
            })
            .transpose()
    }

    /// A whole number from `min` to `max`, `default` when unset.
    pub(super) fn bounded(
        &self,
        name: &'static str,
        default: u32,
        min: u32,
        max: u32,
    ) -> Result<u32, ConfigError> {
        let Some(v) = self.raw(name) else {
            return Ok(default);
        };
        let expected = if max == u32::MAX {
            format!("a whole number of at least {min}")
        } else {
            format!("a whole number from {min} to {max}")
        };
        match v.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(invalid(name, expected, v)),
        }
    }

    /// An http(s) URL with any trailing `/` removed.
    pub(super) fn url(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        self.url_keep_slash(name)
            .map(|u| u.map(|u| u.trim_end_matches('/').to_owned()))
    }

    /// An http(s) URL as given.
    pub(super) fn url_keep_slash(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) if is_http_url(v) => Ok(Some(v.to_owned())),
            Some(v) => Err(invalid(name, "a URL starting with https:// or http://", v)),
        }
    }

    /// An http(s) URL, or `@username` turned into its t.me link.
    pub(super) fn link(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        match self.raw(name) {
            Some(v) if v.starts_with('@') => {
                let user = &v[1..];
                if is_username(user) {
                    Ok(Some(format!("https://t.me/{user}")))
                } else {
                    Err(invalid(name, "an https:// link or @username", v))
                }
            }
            Some(v) if !is_http_url(v) => Err(invalid(name, "an https:// link or @username", v)),
            _ => self.url_keep_slash(name),
        }
    }

    /// Comma-separated IP addresses or networks, `default` when unset.
    pub(super) fn ip_list(
        &self,
        name: &'static str,
        default: &str,
    ) -> Result<Vec<IpNet>, ConfigError> {
        let raw = self.raw(name).unwrap_or(default);
        list_items(raw)
            .map(|item| {
                item.parse().map_err(|_| {
                    invalid(
                        name,
                        "comma-separated IP addresses or networks (1.2.3.0/24)",
                        item,
                    )
                })
            })
            .collect()
    }

    /// A UUID, lower-cased, `None` when unset.
    pub(super) fn uuid(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) if is_uuid(v) => Ok(Some(v.to_ascii_lowercase())),
            Some(v) => Err(invalid(name, "a UUID (8-4-4-4-12 hex digits)", v)),
        }
    }
}
