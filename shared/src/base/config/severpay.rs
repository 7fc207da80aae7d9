//! SeverPay payments: shop id and token, where the payer returns, how long a payment link lives, API address.

use super::error::ConfigError;
use super::parse::{Reader, invalid};
use super::vars::REDACTED;
use std::fmt;

/// SeverPay payments.
#[derive(Clone, PartialEq, Eq)]
pub struct SeverPay {
    /// Shop id, `mid` of every request (SEVERPAY_MID).
    pub mid: u64,
    /// Signing key of requests and notifications (SEVERPAY_TOKEN, secret).
    pub token: String,
    /// Where the payer returns after paying (SEVERPAY_RETURN_URL; unset: the bot's t.me link).
    pub return_url: Option<String>,
    /// How long a payment link lives, minutes (SEVERPAY_LIFETIME_MINUTES,
    /// 30–4320; unset: SeverPay's default).
    pub lifetime_minutes: Option<u32>,
    /// API base URL without a trailing `/` (SEVERPAY_BASE_URL, default `https://severpay.io/api/merchant`).
    pub base_url: String,
}

impl fmt::Debug for SeverPay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeverPay")
            .field("mid", &self.mid)
            .field("token", &REDACTED)
            .field("return_url", &self.return_url)
            .field("lifetime_minutes", &self.lifetime_minutes)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Reads the SeverPay settings; `None` unless SEVERPAY_ENABLED.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<SeverPay>, ConfigError> {
    let enabled = r.flag("SEVERPAY_ENABLED", false)?;
    let mid = match r.raw("SEVERPAY_MID") {
        None => None,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(invalid("SEVERPAY_MID", "the shop's numeric id (mid)", v)),
        },
    };
    let token = r.string("SEVERPAY_TOKEN");
    let return_url = r.url_keep_slash("SEVERPAY_RETURN_URL")?;
    let lifetime_minutes = match r.raw("SEVERPAY_LIFETIME_MINUTES") {
        None => None,
        Some(_) => Some(r.bounded("SEVERPAY_LIFETIME_MINUTES", 0, 30, 4320)?),
    };
    let base_url = r
        .url("SEVERPAY_BASE_URL")?
        .unwrap_or_else(|| "https://severpay.io/api/merchant".to_owned());
    if !enabled {
        return Ok(None);
    }
    let because = "SEVERPAY_ENABLED is true";
    Ok(Some(SeverPay {
        mid: mid.ok_or_else(|| ConfigError::MissingWhen {
            name: "SEVERPAY_MID",
            because: because.into(),
        })?,
        token: token.ok_or_else(|| ConfigError::MissingWhen {
            name: "SEVERPAY_TOKEN",
            because: because.into(),
        })?,
        return_url,
        lifetime_minutes,
        base_url,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::Vars;

    #[test]
    fn reads_as_remnawave_tg_shop_does() {
        let mut v = Vars::new();
        v.set("SEVERPAY_ENABLED", "true");
        v.set("SEVERPAY_MID", "abc");
        assert_eq!(
            read(&Reader(&v)).expect_err("not a number").setting(),
            Some("SEVERPAY_MID")
        );
        v.set("SEVERPAY_MID", "1042");
        assert_eq!(
            read(&Reader(&v)).expect_err("no token").setting(),
            Some("SEVERPAY_TOKEN")
        );
        v.set("SEVERPAY_TOKEN", "tk-9f3a");
        v.set("SEVERPAY_LIFETIME_MINUTES", "10");
        assert_eq!(
            read(&Reader(&v)).expect_err("too short").setting(),
            Some("SEVERPAY_LIFETIME_MINUTES")
        );
        v.set("SEVERPAY_LIFETIME_MINUTES", "60");
        let c = read(&Reader(&v)).expect("reads").expect("enabled");
        assert_eq!((c.mid, c.lifetime_minutes), (1042, Some(60)));
        assert_eq!(c.base_url, "https://severpay.io/api/merchant");
        assert!(!format!("{c:?}").contains("tk-9f3a"));
    }
}
