//! Platega payments: merchant id and secret, the payment method, where the payer returns, API address.

use super::error::ConfigError;
use super::parse::{Reader, invalid};
use super::vars::REDACTED;
use std::fmt;

/// The payment methods Platega documents for `paymentMethod`.
const METHODS: &[(u32, &str)] = &[
    (2, "SBP QR"),
    (10, "cards (RUB)"),
    (12, "international cards"),
    (13, "crypto"),
];

/// Platega payments.
#[derive(Clone, PartialEq, Eq)]
pub struct Platega {
    /// Merchant id, sent as `X-MerchantId` (PLATEGA_MERCHANT_ID).
    pub merchant_id: String,
    /// API secret, sent as `X-Secret` and expected back on callbacks (PLATEGA_SECRET, secret).
    pub secret: String,
    /// `paymentMethod` of new transactions (PLATEGA_PAYMENT_METHOD: 2 SBP QR,
    /// 10 cards, 12 international, 13 crypto; default 2).
    pub payment_method: u32,
    /// Where the payer returns after paying (PLATEGA_RETURN_URL; unset: the bot's t.me link).
    pub return_url: Option<String>,
    /// Where the payer returns after a failed payment (PLATEGA_FAILED_URL; unset: the return URL).
    pub failed_url: Option<String>,
    /// API base URL without a trailing `/` (PLATEGA_BASE_URL, default `https://app.platega.io`).
    pub base_url: String,
}

impl fmt::Debug for Platega {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Platega")
            .field("merchant_id", &self.merchant_id)
            .field("secret", &REDACTED)
            .field("payment_method", &self.payment_method)
            .field("return_url", &self.return_url)
            .field("failed_url", &self.failed_url)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Reads the Platega settings; `None` unless PLATEGA_ENABLED.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<Platega>, ConfigError> {
    let enabled = r.flag("PLATEGA_ENABLED", false)?;
    let merchant_id = r.string("PLATEGA_MERCHANT_ID");
    let secret = r.string("PLATEGA_SECRET");
    let payment_method = match r.raw("PLATEGA_PAYMENT_METHOD") {
        None => 2,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if METHODS.iter().any(|(m, _)| *m == n) => n,
            _ => {
                let known: Vec<String> = METHODS.iter().map(|(m, w)| format!("{m} {w}")).collect();
                return Err(invalid(
                    "PLATEGA_PAYMENT_METHOD",
                    format!("one of {}", known.join(", ")),
                    v,
                ));
            }
        },
    };
    let return_url = r.url_keep_slash("PLATEGA_RETURN_URL")?;
    let failed_url = r.url_keep_slash("PLATEGA_FAILED_URL")?;
    let base_url = r
        .url("PLATEGA_BASE_URL")?
        .unwrap_or_else(|| "https://app.platega.io".to_owned());
    if !enabled {
        return Ok(None);
    }
    let because = "PLATEGA_ENABLED is true";
    Ok(Some(Platega {
        merchant_id: merchant_id.ok_or_else(|| ConfigError::MissingWhen {
            name: "PLATEGA_MERCHANT_ID",
            because: because.into(),
        })?,
        secret: secret.ok_or_else(|| ConfigError::MissingWhen {
            name: "PLATEGA_SECRET",
            because: because.into(),
        })?,
        payment_method,
        return_url,
        failed_url,
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
        v.set("PLATEGA_MERCHANT_ID", "m-1");
        assert_eq!(read(&Reader(&v)).expect("reads"), None);
        v.set("PLATEGA_ENABLED", "true");
        let err = read(&Reader(&v)).expect_err("needs the secret");
        assert_eq!(err.setting(), Some("PLATEGA_SECRET"));
        v.set("PLATEGA_SECRET", "sx-41f0");
        let c = read(&Reader(&v)).expect("reads").expect("enabled");
        assert_eq!(
            (c.payment_method, c.base_url.as_str()),
            (2, "https://app.platega.io")
        );
        v.set("PLATEGA_PAYMENT_METHOD", "7");
        let err = read(&Reader(&v)).expect_err("not a method");
        assert_eq!(err.setting(), Some("PLATEGA_PAYMENT_METHOD"));
        v.set("PLATEGA_PAYMENT_METHOD", "13");
        v.set("PLATEGA_BASE_URL", "https://platega.example/");
        let c = read(&Reader(&v)).expect("reads").expect("enabled");
        assert_eq!(
            (c.payment_method, c.base_url.as_str()),
            (13, "https://platega.example")
        );
        assert!(!format!("{c:?}").contains("sx-41f0"));
    }
}
