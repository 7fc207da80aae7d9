//! FreeKassa payments: shop id and secrets, payment form, API address, the addresses notifications come from.

use super::allowlist::IpNet;
use super::error::ConfigError;
use super::parse::{Reader, invalid};
use super::vars::{REDACTED, redact_opt};
use std::fmt;
use std::net::IpAddr;

/// FreeKassa's published notification addresses.
const FREEKASSA_IPS: &str = "168.119.157.136, 168.119.60.227, 178.154.197.79, 51.250.54.238";

/// FreeKassa payments.
#[derive(Clone, PartialEq, Eq)]
pub struct FreeKassa {
    /// Shop id (FREEKASSA_MERCHANT_ID).
    pub merchant_id: String,
    /// Payment form signature secret (FREEKASSA_FIRST_SECRET, secret).
    /// Not needed with an API key and FREEKASSA_PAYMENT_IP, as
    /// remnawave-tg-shop HEAD runs it: orders are then created through the
    /// API (empty here, never used).
    pub first_secret: String,
    /// Notification signature secret (FREEKASSA_SECOND_SECRET, secret).
    pub second_secret: String,
    /// API key (FREEKASSA_API_KEY, secret).
    pub api_key: Option<String>,
    /// Payment form base URL (FREEKASSA_PAYMENT_URL, default `https://pay.fk.money/`).
    pub payment_url: String,
    /// Server IP sent to the API when creating orders (FREEKASSA_PAYMENT_IP).
    pub payment_ip: Option<String>,
    /// Fixed payment method, e.g. SBP (FREEKASSA_PAYMENT_METHOD_ID).
    pub payment_method_id: Option<u32>,
    /// API base URL without a trailing `/` (FREEKASSA_API_URL).
    pub api_url: String,
    /// Addresses notifications may come from (FREEKASSA_ALLOWED_IPS).
    pub allowed_ips: Vec<IpNet>,
}

impl fmt::Debug for FreeKassa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FreeKassa")
            .field("merchant_id", &self.merchant_id)
            .field("first_secret", &REDACTED)
            .field("second_secret", &REDACTED)
            .field("api_key", &redact_opt(&self.api_key))
            .field("payment_url", &self.payment_url)
            .field("payment_ip", &self.payment_ip)
            .field("payment_method_id", &self.payment_method_id)
            .field("api_url", &self.api_url)
            .field("allowed_ips", &self.allowed_ips)
            .finish()
    }
}

/// Reads the FreeKassa settings; `None` unless FREEKASSA_ENABLED.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<FreeKassa>, ConfigError> {
    let enabled = r.flag("FREEKASSA_ENABLED", false)?;
    let merchant_id = r.string("FREEKASSA_MERCHANT_ID");
    let first_secret = r.string("FREEKASSA_FIRST_SECRET");
    let second_secret = r.string("FREEKASSA_SECOND_SECRET");
    let api_key = r.string("FREEKASSA_API_KEY");
    let payment_url = r
        .url_keep_slash("FREEKASSA_PAYMENT_URL")?
        .unwrap_or_else(|| "https://pay.fk.money/".to_owned());
    let payment_ip = match r.raw("FREEKASSA_PAYMENT_IP") {
        None => None,
        Some(v) => match v.parse::<IpAddr>() {
            Ok(ip) => Some(ip.to_string()),
            Err(_) => return Err(invalid("FREEKASSA_PAYMENT_IP", "an IP address", v)),
        },
    };
    let payment_method_id = r.whole("FREEKASSA_PAYMENT_METHOD_ID")?;
    let api_url = r
        .url("FREEKASSA_API_URL")?
        .unwrap_or_else(|| "https://api.fk.life/v1".to_owned());
    let allowed_ips = r.ip_list("FREEKASSA_ALLOWED_IPS", FREEKASSA_IPS)?;
    if !enabled {
        return Ok(None);
    }
    let because = "FREEKASSA_ENABLED is true";
    let need = |name: &'static str, v: Option<String>| {
        v.ok_or_else(|| ConfigError::MissingWhen {
            name,
            because: because.into(),
        })
    };
    Ok(Some(FreeKassa {
        merchant_id: need("FREEKASSA_MERCHANT_ID", merchant_id)?,
        first_secret: match (api_key.is_some() && payment_ip.is_some(), first_secret) {
            (true, secret) => secret.unwrap_or_default(),
            (false, secret) => need("FREEKASSA_FIRST_SECRET", secret)?,
        },
        second_secret: need("FREEKASSA_SECOND_SECRET", second_secret)?,
        api_key,
        payment_url,
        payment_ip,
        payment_method_id,
        api_url,
        allowed_ips,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::allowlist::allowed;
    use crate::base::config::vars::Vars;

    #[test]
    fn default_allowed_ips() {
        let list = Reader(&Vars::new())
            .ip_list("FREEKASSA_ALLOWED_IPS", FREEKASSA_IPS)
            .unwrap();
        assert_eq!(list.len(), 4);
        assert!(allowed(&list, "51.250.54.238".parse().unwrap()));
        assert!(!allowed(&list, "51.250.54.239".parse().unwrap()));
    }

    /// remnawave-tg-shop HEAD's file has the API key and no form secret.
    #[test]
    fn with_an_api_key_the_form_secret_is_not_required() {
        let mut v = Vars::new();
        v.set("FREEKASSA_ENABLED", "true");
        v.set("FREEKASSA_MERCHANT_ID", "41207");
        v.set("FREEKASSA_SECOND_SECRET", "second");
        let err = read(&Reader(&v)).expect_err("a form needs its secret");
        assert_eq!(err.setting(), Some("FREEKASSA_FIRST_SECRET"));
        v.set("FREEKASSA_API_KEY", "api-key");
        let err = read(&Reader(&v)).expect_err("the API needs the payer's IP too");
        assert_eq!(err.setting(), Some("FREEKASSA_FIRST_SECRET"));
        v.set("FREEKASSA_PAYMENT_IP", "203.0.113.10");
        let c = read(&Reader(&v)).expect("reads").expect("enabled");
        assert_eq!(c.api_key.as_deref(), Some("api-key"));
    }
}
