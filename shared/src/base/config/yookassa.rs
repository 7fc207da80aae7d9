//! YooKassa payments: shop credentials, receipt fields, autopayments, API address, the addresses notifications come from.

use super::allowlist::IpNet;
use super::error::ConfigError;
use super::parse::{Reader, invalid};
use super::vars::REDACTED;
use std::fmt;

/// YooKassa's published notification addresses.
const YOOKASSA_IPS: &str = "185.71.76.0/27, 185.71.77.0/27, 77.75.153.0/25, 77.75.156.11, 77.75.156.35, 77.75.154.128/25, 2a02:5180::/32";

/// The receipt payment modes YooKassa accepts.
const YOOKASSA_PAYMENT_MODES: &[&str] = &[
    "full_prepayment",
    "partial_prepayment",
    "advance",
    "full_payment",
    "partial_payment",
    "credit",
    "credit_payment",
];

/// YooKassa payments.
#[derive(Clone, PartialEq, Eq)]
pub struct YooKassa {
    /// Shop id, digits (YOOKASSA_SHOP_ID).
    pub shop_id: String,
    /// API secret key (YOOKASSA_SECRET_KEY, secret).
    pub secret_key: String,
    /// Where the payer returns after paying (YOOKASSA_RETURN_URL).
    pub return_url: Option<String>,
    /// Receipt email when the user gave none (YOOKASSA_DEFAULT_RECEIPT_EMAIL).
    pub default_receipt_email: Option<String>,
    /// Receipt VAT code, 1 = no VAT (YOOKASSA_VAT_CODE, 1..=12, default 1).
    pub vat_code: u8,
    /// Receipt payment mode (YOOKASSA_PAYMENT_MODE, default `full_prepayment`).
    pub payment_mode: String,
    /// Receipt payment subject (YOOKASSA_PAYMENT_SUBJECT, default `service`).
    pub payment_subject: String,
    /// Receipt tax system (YOOKASSA_TAX_SYSTEM_CODE, 1–6: 1 ОСН, 2 УСН доход,
    /// 3 УСН доход−расход, 4 ЕНВД, 5 ЕСН, 6 ПСН); `None`: not sent.
    pub tax_system_code: Option<u8>,
    /// Save cards and renew automatically (YOOKASSA_AUTOPAYMENTS_ENABLED).
    pub autopayments_enabled: bool,
    /// With autopayments, card payments always save the card (YOOKASSA_AUTOPAYMENTS_REQUIRE_CARD_BINDING).
    pub autopayments_require_card_binding: bool,
    /// API base URL without a trailing `/` (YOOKASSA_API_URL).
    pub api_url: String,
    /// Addresses notifications may come from (YOOKASSA_ALLOWED_IPS).
    pub allowed_ips: Vec<IpNet>,
}

impl fmt::Debug for YooKassa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YooKassa")
            .field("shop_id", &self.shop_id)
            .field("secret_key", &REDACTED)
            .field("return_url", &self.return_url)
            .field("default_receipt_email", &self.default_receipt_email)
            .field("vat_code", &self.vat_code)
            .field("payment_mode", &self.payment_mode)
            .field("payment_subject", &self.payment_subject)
            .field("tax_system_code", &self.tax_system_code)
            .field("autopayments_enabled", &self.autopayments_enabled)
            .field(
                "autopayments_require_card_binding",
                &self.autopayments_require_card_binding,
            )
            .field("api_url", &self.api_url)
            .field("allowed_ips", &self.allowed_ips)
            .finish()
    }
}

/// Reads the YooKassa settings; `None` unless YOOKASSA_ENABLED.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<YooKassa>, ConfigError> {
    let enabled = r.flag("YOOKASSA_ENABLED", false)?;
    let shop_id = r.string("YOOKASSA_SHOP_ID");
    if let Some(id) = &shop_id
        && !id.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid("YOOKASSA_SHOP_ID", "the shop's numeric id", id));
    }
    let secret_key = r.string("YOOKASSA_SECRET_KEY");
    let return_url = r.url_keep_slash("YOOKASSA_RETURN_URL")?;
    let default_receipt_email = r.string("YOOKASSA_DEFAULT_RECEIPT_EMAIL");
    if let Some(e) = &default_receipt_email {
        let looks_ok = e
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
            && !e.contains(char::is_whitespace);
        if !looks_ok {
            return Err(invalid(
                "YOOKASSA_DEFAULT_RECEIPT_EMAIL",
                "an email address",
                e,
            ));
        }
    }
    let vat_code = r.bounded("YOOKASSA_VAT_CODE", 1, 1, 12)? as u8;
    let autopayments_enabled = r.flag("YOOKASSA_AUTOPAYMENTS_ENABLED", false)?;
    // remnawave-tg-shop HEAD's defaults: a card saved for renewals makes the
    // payment a full payment for a service, else a prepayment.
    let (default_mode, default_subject) = if autopayments_enabled {
        ("full_payment", "service")
    } else {
        ("full_prepayment", "payment")
    };
    let tax_system_code = r
        .whole::<u8>("YOOKASSA_TAX_SYSTEM_CODE")?
        .map(|c| {
            if (1..=6).contains(&c) {
                Ok(c)
            } else {
                Err(invalid(
                    "YOOKASSA_TAX_SYSTEM_CODE",
                    "1 to 6 (1 ОСН, 2 УСН доход, 3 УСН доход−расход, 4 ЕНВД, 5 ЕСН, 6 ПСН)",
                    &c.to_string(),
                ))
            }
        })
        .transpose()?;
    let payment_mode = r
        .string("YOOKASSA_PAYMENT_MODE")
        .unwrap_or_else(|| default_mode.to_owned());
    if !YOOKASSA_PAYMENT_MODES.contains(&payment_mode.as_str()) {
        return Err(invalid(
            "YOOKASSA_PAYMENT_MODE",
            format!("one of {}", YOOKASSA_PAYMENT_MODES.join(", ")),
            &payment_mode,
        ));
    }
    let payment_subject = r
        .string("YOOKASSA_PAYMENT_SUBJECT")
        .unwrap_or_else(|| default_subject.to_owned());
    if !payment_subject
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return Err(invalid(
            "YOOKASSA_PAYMENT_SUBJECT",
            "a YooKassa payment_subject such as service",
            &payment_subject,
        ));
    }
    let autopayments_require_card_binding =
        r.flag("YOOKASSA_AUTOPAYMENTS_REQUIRE_CARD_BINDING", false)?;
    let api_url = r
        .url("YOOKASSA_API_URL")?
        .unwrap_or_else(|| "https://api.yookassa.ru/v3".to_owned());
    let allowed_ips = r.ip_list("YOOKASSA_ALLOWED_IPS", YOOKASSA_IPS)?;
    if !enabled {
        return Ok(None);
    }
    let because = "YOOKASSA_ENABLED is true";
    Ok(Some(YooKassa {
        shop_id: shop_id.ok_or_else(|| ConfigError::MissingWhen {
            name: "YOOKASSA_SHOP_ID",
            because: because.into(),
        })?,
        secret_key: secret_key.ok_or_else(|| ConfigError::MissingWhen {
            name: "YOOKASSA_SECRET_KEY",
            because: because.into(),
        })?,
        return_url,
        default_receipt_email,
        vat_code,
        payment_mode,
        payment_subject,
        tax_system_code,
        autopayments_enabled,
        autopayments_require_card_binding,
        api_url,
        allowed_ips,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::vars::Vars;
    use crate::base::config::vars::testing::minimal;

    fn err(vars: &Vars) -> String {
        read(&Reader(vars))
            .expect_err("settings should be rejected")
            .to_string()
    }

    #[test]
    fn bad_allowed_ip_names_the_variable() {
        let mut v = minimal();
        v.set("YOOKASSA_ALLOWED_IPS", "1.2.3.4, 10.0.0.0/33");
        assert_eq!(
            err(&v),
            r#"YOOKASSA_ALLOWED_IPS: expected comma-separated IP addresses or networks (1.2.3.0/24), got "10.0.0.0/33""#
        );
    }
}
