//! Crypto Pay (@CryptoBot): invoices priced in RUB or in a crypto asset,
//! and `invoice_paid` webhooks signed with HMAC-SHA256 over the raw body,
//! keyed with SHA-256 of the API token.
//!
//! Crypto amounts are compared as exact decimals: every asset's amount is
//! read into [`Money`] with [`CRYPTO_DECIMALS`] (9) places, whatever the
//! asset's own precision (TON 9, BTC 8, USDT 6), so `"2.5"` and `"2.500"`
//! are the same money and no float is ever involved. An order priced in
//! crypto stores its amount the same way ([`crypto_money`]).

use super::wire::{self, API_TIMEOUT};
use super::{Money, OrderId, PayError, Verified, hex_eq, parse_minor};
use crate::base::config::CryptoPay;
use crate::base::money::AssetAmount;
use crate::base::types::Kopecks;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PROVIDER: &str = crate::base::types::Provider::Cryptopay.code();

/// The header that carries the webhook signature.
pub const SIGNATURE_HEADER: &str = "crypto-pay-api-signature";

pub use crate::base::money::CRYPTO_DECIMALS;

/// Decimal places of fiat invoice amounts (RUB, USD, EUR...).
pub const FIAT_DECIMALS: u32 = 2;

/// Crypto Pay's limit on an invoice description, in characters.
pub const MAX_DESCRIPTION: usize = 1024;

/// How an invoice is priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoicePrice {
    /// In rubles, paid in any of `accepted_assets` (all assets when empty).
    Fiat {
        /// The price.
        amount: Kopecks,
        /// Assets the payer may use, e.g. `["USDT", "TON"]`.
        accepted_assets: Vec<String>,
    },
    /// In a crypto asset (sent as a decimal, e.g. `"3.5"`).
    Crypto(AssetAmount),
}

/// What we ask Crypto Pay to invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateInvoice {
    /// Our order, sent as the invoice `payload` and returned in the webhook.
    pub order: OrderId,
    /// The price.
    pub price: InvoicePrice,
    /// Shown to the payer (cut to 1024 characters).
    pub description: String,
    /// Seconds until the invoice expires (Crypto Pay allows 1..=2678400).
    pub expires_in: u32,
    /// "Open bot" button after payment, e.g. the bot's t.me link.
    pub paid_button_url: Option<String>,
}

/// An invoice just created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedInvoice {
    /// Crypto Pay's invoice id.
    pub invoice_id: u64,
    /// The invoice hash (part of its links).
    pub hash: Option<String>,
    /// Where to send the payer: `bot_invoice_url` (older API: `pay_url`).
    pub pay_url: String,
    /// The invoice in the @CryptoBot Mini App.
    pub mini_app_url: Option<String>,
    /// The invoice on the web.
    pub web_app_url: Option<String>,
    /// `active` for a new invoice.
    pub status: String,
}

/// Whether an invoice was priced in fiat or in crypto.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrencyKind {
    /// Priced in a fiat currency (`fiat`).
    Fiat,
    /// Priced in a crypto asset (`crypto`; also invoices from before fiat pricing existed).
    Crypto,
}

/// An invoice as a webhook reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoInvoice {
    /// Crypto Pay's invoice id.
    pub invoice_id: u64,
    /// `paid` in an `invoice_paid` update.
    pub status: String,
    /// Fiat or crypto pricing.
    pub kind: CurrencyKind,
    /// The price to compare with the order: RUB kopecks for fiat invoices,
    /// the asset with [`CRYPTO_DECIMALS`] places for crypto invoices.
    pub price: Money,
    /// The invoice `amount` exactly as sent.
    pub amount_text: String,
    /// Asset the payer used (fiat invoices), if reported.
    pub paid_asset: Option<String>,
    /// Amount of `paid_asset`, if reported.
    pub paid_amount: Option<String>,
    /// When it was paid.
    pub paid_at: Option<String>,
    /// The invoice `payload` as sent (our order id for our invoices).
    pub payload: Option<String>,
    /// The invoice hash.
    pub hash: Option<String>,
}

impl CryptoInvoice {
    /// Our order, when the payload is one of our order ids.
    pub fn order_id(&self) -> Option<OrderId> {
        self.payload.as_deref().and_then(OrderId::parse)
    }

    /// Whether the invoice is paid.
    pub fn is_paid(&self) -> bool {
        self.status == "paid"
    }
}

/// A webhook update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoPayUpdate {
    /// Crypto Pay's update id (stable across re-deliveries).
    pub update_id: u64,
    /// `invoice_paid`.
    pub update_type: String,
    /// When Crypto Pay sent it.
    pub request_date: Option<String>,
    /// The invoice.
    pub invoice: CryptoInvoice,
}

/// A crypto amount as [`Money`] with [`CRYPTO_DECIMALS`] places; `None` when
/// the asset code or the amount is not one.
pub fn crypto_money(asset: &str, amount: &str) -> Option<Money> {
    AssetAmount::parse(asset, amount).map(Money::Crypto)
}

// ---------------------------------------------------------------------------
// Creating invoices
// ---------------------------------------------------------------------------

/// The JSON body of `createInvoice` for `req`.
pub fn invoice_request(req: &CreateInvoice) -> Result<Value, PayError> {
    if !(1..=2_678_400).contains(&req.expires_in) {
        return Err(PayError::Refused(format!(
            "cryptopay: expires_in {} is outside 1..=2678400",
            req.expires_in
        )));
    }
    let mut body = json!({
        "description": req.description.chars().take(MAX_DESCRIPTION).collect::<String>(),
        "payload": req.order.0,
        "expires_in": req.expires_in,
        "allow_comments": false,
        "allow_anonymous": false,
    });
    match &req.price {
        InvoicePrice::Fiat {
            amount,
            accepted_assets,
        } => {
            body["currency_type"] = json!("fiat");
            body["fiat"] = json!("RUB");
            body["amount"] = json!(amount.two_decimals());
            if !accepted_assets.is_empty() {
                body["accepted_assets"] = json!(accepted_assets.join(","));
            }
        }
        InvoicePrice::Crypto(amount) => {
            if amount.nano() == 0 {
                return Err(PayError::Refused(format!(
                    "cryptopay: 0 {} is not a positive crypto amount",
                    amount.asset()
                )));
            }
            body["currency_type"] = json!("crypto");
            body["asset"] = json!(amount.asset());
            body["amount"] = json!(amount.text());
        }
    }
    if let Some(url) = &req.paid_button_url {
        body["paid_btn_name"] = json!("openBot");
        body["paid_btn_url"] = json!(url);
    }
    Ok(body)
}

/// Creates an invoice (`POST {api_url}/createInvoice`, `Crypto-Pay-API-Token`).
pub async fn create_invoice(
    http: &reqwest::Client,
    cfg: &CryptoPay,
    req: &CreateInvoice,
) -> Result<CreatedInvoice, PayError> {
    let body = invoice_request(req)?;
    let (status, v) = call(http, cfg, "createInvoice", Some(&body)).await?;
    // {"ok":false,"error":{"code":401,"name":"UNAUTHORIZED"}}
    let error_name = || {
        v["error"]["name"]
            .as_str()
            .or(v["error"].as_str())
            .unwrap_or("error")
            .to_owned()
    };
    if !(200..300).contains(&status) {
        return Err(wire::status_error(PROVIDER, status, &error_name()));
    }
    if v["ok"] != json!(true) {
        if v.is_null() {
            return Err(PayError::Unavailable(format!(
                "cryptopay: HTTP {status} with a body that is not JSON"
            )));
        }
        return Err(PayError::Refused(format!("cryptopay: {}", error_name())));
    }
    created_invoice(&v["result"])
}

/// Fetches one invoice (`POST {api_url}/getInvoices` with `invoice_ids`):
/// `None` when Crypto Pay does not know it.
pub async fn get_invoice(
    http: &reqwest::Client,
    cfg: &CryptoPay,
    invoice_id: u64,
) -> Result<Option<CryptoInvoice>, PayError> {
    let body = json!({ "invoice_ids": invoice_id.to_string() });
    let (status, v) = call(http, cfg, "getInvoices", Some(&body)).await?;
    if !(200..300).contains(&status) || v["ok"] != json!(true) {
        let name = v["error"]["name"].as_str().unwrap_or("error");
        return Err(wire::status_error(PROVIDER, status, name));
    }
    v["result"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| wire::id_text(&i["invoice_id"]).as_deref() == Some(&invoice_id.to_string()))
        .map(parse_invoice)
        .transpose()
}

/// Crypto Pay's valid rate of `asset` in rubles, as sent (`GET
/// {api_url}/getExchangeRates`): `None` when it gives none for `asset`.
pub async fn exchange_rate(
    http: &reqwest::Client,
    cfg: &CryptoPay,
    asset: &str,
) -> Result<Option<String>, PayError> {
    let (_, v) = call(http, cfg, "getExchangeRates", None).await?;
    Ok(v["result"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["source"] == asset && r["target"] == "RUB" && r["is_valid"] != false)
        .and_then(|r| r["rate"].as_str().map(str::to_owned)))
}

/// One call to the API method `method` (a POST of `body`, a GET without
/// one): the HTTP status and the answer's JSON (`Null` when it is not JSON).
async fn call(
    http: &reqwest::Client,
    cfg: &CryptoPay,
    method: &str,
    body: Option<&Value>,
) -> Result<(u16, Value), PayError> {
    let url = format!("{}/{method}", cfg.api_url);
    let req = match body {
        Some(body) => http.post(url).json(body),
        None => http.get(url),
    };
    let (status, text) = wire::exchange(
        PROVIDER,
        req.header("Crypto-Pay-API-Token", &cfg.token)
            .timeout(API_TIMEOUT),
    )
    .await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// The parts of a `createInvoice` result we use.
pub fn created_invoice(r: &Value) -> Result<CreatedInvoice, PayError> {
    let invoice_id = wire::id_text(&r["invoice_id"])
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| PayError::Malformed("cryptopay: result without invoice_id".into()))?;
    let text = |k: &str| r[k].as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    let pay_url = text("bot_invoice_url")
        .or_else(|| text("pay_url"))
        .or_else(|| text("mini_app_invoice_url"))
        .or_else(|| text("web_app_invoice_url"))
        .ok_or_else(|| PayError::Malformed("cryptopay: result without an invoice URL".into()))?;
    Ok(CreatedInvoice {
        invoice_id,
        hash: text("hash"),
        pay_url,
        mini_app_url: text("mini_app_invoice_url"),
        web_app_url: text("web_app_invoice_url"),
        status: text("status").unwrap_or_default(),
    })
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// The webhook key: SHA-256 of the API token, as 32 raw bytes.
pub fn webhook_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Lower-case hex HMAC-SHA256 of `body` under [`webhook_key`] of `token`.
pub fn signature(token: &str, body: &[u8]) -> String {
    wire::hmac_sha256_hex(&webhook_key(token), body)
}

/// Proves a webhook by its signature over the raw bytes received, then reads
/// it. The signature is hex compared in constant time, ignoring case:
/// Crypto Pay sends lower case, and the case of hex digits carries no
/// secret. `NotAuthentic` for a missing or wrong signature; `Unreadable` for
/// an authentic body we cannot read.
pub fn verify_webhook(
    cfg: &CryptoPay,
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<Verified<CryptoPayUpdate>, PayError> {
    let given = signature_header
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            PayError::NotAuthentic(format!("cryptopay: no {SIGNATURE_HEADER} header"))
        })?;
    if !hex_eq(&signature(&cfg.token, body), given) {
        return Err(PayError::NotAuthentic(
            "cryptopay: signature does not match the body".into(),
        ));
    }
    let update = parse_update(body).map_err(|e| PayError::Unreadable(e.to_string()))?;
    Ok(Verified::trust(update))
}

fn malformed(what: &str) -> PayError {
    PayError::Malformed(format!("cryptopay: {what}"))
}

/// Reads an authenticated update body.
fn parse_update(body: &[u8]) -> Result<CryptoPayUpdate, PayError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| malformed("update is not JSON"))?;
    let update_id = wire::id_text(&v["update_id"])
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| malformed("update without update_id"))?;
    let update_type = v["update_type"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed("update without update_type"))?
        .to_owned();
    let p = &v["payload"];
    if !p.is_object() {
        return Err(malformed("update without an invoice payload"));
    }
    let invoice = parse_invoice(p)?;
    Ok(CryptoPayUpdate {
        update_id,
        update_type,
        request_date: v["request_date"].as_str().map(str::to_owned),
        invoice,
    })
}

/// Reads an invoice object (a webhook's `payload`, an item of `getInvoices`).
fn parse_invoice(p: &Value) -> Result<CryptoInvoice, PayError> {
    let text = |k: &str| wire::amount_text(&p[k]).filter(|s| !s.is_empty());
    let invoice_id = wire::id_text(&p["invoice_id"])
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| malformed("invoice without invoice_id"))?;
    let kind = match p["currency_type"].as_str() {
        Some("fiat") => CurrencyKind::Fiat,
        Some("crypto") => CurrencyKind::Crypto,
        Some(other) => return Err(malformed(&format!("currency_type {other:?}"))),
        // Invoices from before fiat pricing (2022) carry only `asset`.
        None if p["fiat"].is_string() => CurrencyKind::Fiat,
        None => CurrencyKind::Crypto,
    };
    let amount_text = text("amount").ok_or_else(|| malformed("invoice without amount"))?;
    let price = match kind {
        CurrencyKind::Fiat => {
            let fiat = p["fiat"]
                .as_str()
                .filter(|f| !f.is_empty())
                .ok_or_else(|| malformed("fiat invoice without fiat"))?;
            parse_minor(&amount_text, FIAT_DECIMALS)
                .and_then(|minor| Money::from_minor(minor, fiat))
                .ok_or_else(|| malformed(&format!("amount {amount_text:?} {fiat:?}")))?
        }
        CurrencyKind::Crypto => {
            let asset = p["asset"]
                .as_str()
                .ok_or_else(|| malformed("crypto invoice without asset"))?;
            crypto_money(asset, &amount_text)
                .ok_or_else(|| malformed(&format!("amount {amount_text:?} {asset:?}")))?
        }
    };
    Ok(CryptoInvoice {
        invoice_id,
        status: p["status"].as_str().unwrap_or_default().to_owned(),
        kind,
        price,
        amount_text,
        paid_asset: p["paid_asset"].as_str().map(str::to_owned),
        paid_amount: text("paid_amount"),
        paid_at: p["paid_at"].as_str().map(str::to_owned),
        payload: wire::id_text(&p["payload"]),
        hash: p["hash"].as_str().map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::{CryptoCurrencyType, CryptoNetwork};

    /// The unit tests' token; signatures below were computed outside Rust.
    const TOKEN: &str = "48213:AAunitTestCryptoPayToken";

    fn cfg() -> CryptoPay {
        CryptoPay {
            token: TOKEN.into(),
            network: CryptoNetwork::Testnet,
            currency_type: CryptoCurrencyType::Fiat,
            asset: "USDT".into(),
            api_url: "http://127.0.0.1:9/api".into(),
        }
    }

    fn raw(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../tests/fixtures/cryptopay/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).expect(&path)
    }

    fn fixture(name: &str) -> Value {
        serde_json::from_slice(&raw(name)).expect("fixture is JSON")
    }

    // python3 -c 'import hashlib,hmac;k=hashlib.sha256(b"48213:AAunitTestCryptoPayToken").digest();
    //   print(hmac.new(k,open("tests/fixtures/cryptopay/webhook_invoice_paid_fiat_rub.json","rb").read(),hashlib.sha256).hexdigest())'
    const FIAT_SIG: &str = "cce60b22184463a5fdeacc068428e4c2687dbef94089c4737d33c5e1ea5cab22";
    // The same for webhook_invoice_paid_crypto_2022.json.
    const CRYPTO_2022_SIG: &str =
        "839a1802cb1ec2363307691e7d7b2a1e00b279c7817a818cd6952fd17b3ca7a2";

    #[test]
    fn webhook_key_is_sha256_of_the_token() {
        // python3 -c 'import hashlib;print(hashlib.sha256(b"48213:AAunitTestCryptoPayToken").hexdigest())'
        assert_eq!(
            hex::encode(webhook_key(TOKEN)),
            "3360445c937bbfe575a1ef4216b5ae4f0a96e6b9666c5b5d1eb1ecf6b3c54d17"
        );
    }

    #[test]
    fn correct_signature_is_accepted() {
        let body = raw("webhook_invoice_paid_fiat_rub.json");
        let u = verify_webhook(&cfg(), &body, Some(FIAT_SIG))
            .unwrap()
            .into_inner();
        assert_eq!(u.update_id, 51200077);
        assert_eq!(u.update_type, "invoice_paid");
        let inv = &u.invoice;
        assert_eq!(inv.invoice_id, 31880042);
        assert!(inv.is_paid());
        assert_eq!(inv.kind, CurrencyKind::Fiat);
        assert_eq!(inv.price, Money::rub(Kopecks(34900)), "\"349\" RUB");
        assert_eq!(inv.paid_asset.as_deref(), Some("TON"));
        assert_eq!(inv.paid_amount.as_deref(), Some("1.187"));
        assert_eq!(
            inv.order_id(),
            Some(OrderId::parse("c0ffee00aa11bb22cc33dd44ee55ff66").unwrap())
        );
    }

    #[test]
    fn the_2022_shape_without_currency_type_is_a_crypto_invoice() {
        let body = raw("webhook_invoice_paid_crypto_2022.json");
        let u = verify_webhook(&cfg(), &body, Some(CRYPTO_2022_SIG))
            .unwrap()
            .into_inner();
        let inv = u.invoice;
        assert_eq!(inv.kind, CurrencyKind::Crypto);
        assert_eq!(inv.price, Money::from_minor(4_750_000_000, "TON").unwrap());
        assert_eq!(inv.amount_text, "4.75");
        assert_eq!(inv.paid_asset, None);
        assert_eq!(inv.payload.as_deref(), Some("2207"));
        assert_eq!(inv.order_id(), None, "not one of our order ids");
        assert_eq!(inv.invoice_id, 9931);
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        let body = raw("webhook_invoice_paid_fiat_rub.json");
        assert!(verify_webhook(&cfg(), &body, Some(&FIAT_SIG.to_ascii_uppercase())).is_ok());
        assert!(verify_webhook(&cfg(), &body, Some(&format!(" {FIAT_SIG} "))).is_ok());
    }

    fn refused(body: &[u8], header: Option<&str>) -> bool {
        matches!(
            verify_webhook(&cfg(), body, header),
            Err(PayError::NotAuthentic(_))
        )
    }

    #[test]
    fn forgeries_are_refused() {
        let body = raw("webhook_invoice_paid_fiat_rub.json");
        // Signed with another token.
        // python3 -c 'import hashlib,hmac;k=hashlib.sha256(b"99999:AAsomeoneElse").digest();print(hmac.new(k,body,hashlib.sha256).hexdigest())'
        assert!(refused(
            &body,
            Some("6d851bc01bd58ba0a481c23b1e7e486d2dcafed47a33ead226b54e31f7fed44f")
        ));
        assert!(refused(
            &body,
            Some(&signature("99999:AAsomeoneElse", &body))
        ));
        // Keyed with the token itself instead of its SHA-256.
        // python3 -c 'import hashlib,hmac;print(hmac.new(b"48213:AAunitTestCryptoPayToken",body,hashlib.sha256).hexdigest())'
        assert!(refused(
            &body,
            Some("c97f810d14b050cae22ad3c0204f6bead496d25f7c95845181d8d16e07ce8368")
        ));
        assert!(refused(
            &body,
            Some(&wire::hmac_sha256_hex(TOKEN.as_bytes(), &body))
        ));
        // Missing, empty, truncated.
        assert!(refused(&body, None));
        assert!(refused(&body, Some("")));
        assert!(refused(&body, Some(&FIAT_SIG[..63])));
        // Re-serialised body, original signature.
        let v: Value = serde_json::from_slice(&body).unwrap();
        for reserialised in [
            serde_json::to_vec(&v).unwrap(),
            serde_json::to_vec_pretty(&v).unwrap(),
        ] {
            assert_ne!(reserialised, body);
            assert!(refused(&reserialised, Some(FIAT_SIG)));
        }
        // The 2022 body escapes "/" as "\/": re-serialising changes its bytes.
        let old = raw("webhook_invoice_paid_crypto_2022.json");
        let again = serde_json::to_vec(&serde_json::from_slice::<Value>(&old).unwrap()).unwrap();
        assert!(refused(&again, Some(CRYPTO_2022_SIG)));
        // A changed amount.
        let forged = String::from_utf8(body.clone())
            .unwrap()
            .replace("\"amount\":\"349\"", "\"amount\":\"3490\"");
        assert_ne!(forged.as_bytes(), &body[..]);
        assert!(refused(forged.as_bytes(), Some(FIAT_SIG)));
    }

    #[test]
    fn authentic_but_unreadable_is_unreadable_not_forged() {
        // python3 -c 'import hashlib,hmac;k=hashlib.sha256(b"48213:AAunitTestCryptoPayToken").digest();
        //   print(hmac.new(k,b"{\"update_type\":\"invoice_paid\"}",hashlib.sha256).hexdigest())'
        let body = br#"{"update_type":"invoice_paid"}"#;
        let sig = "b3f8a065aeffc071ef2367e5e7c93906e858c7c7f83315bb0fcbb435f67a7150";
        assert_eq!(signature(TOKEN, body), sig, "known answer");
        assert!(matches!(
            verify_webhook(&cfg(), body, Some(sig)),
            Err(PayError::Unreadable(_))
        ));
    }

    #[test]
    fn amounts_may_be_strings_or_numbers() {
        let mut v = fixture("webhook_invoice_paid_fiat_rub.json");
        v["payload"]["amount"] = json!(349.5);
        v["payload"]["invoice_id"] = json!("31880042");
        v["update_id"] = json!("51200077");
        let body = serde_json::to_vec(&v).unwrap();
        let u = verify_webhook(&cfg(), &body, Some(&signature(TOKEN, &body)))
            .unwrap()
            .into_inner();
        assert_eq!(u.invoice.price, Money::rub(Kopecks(34950)));
        assert_eq!(u.invoice.invoice_id, 31880042);
        assert_eq!(u.update_id, 51200077);

        v["payload"]["amount"] = json!("349.505");
        let body = serde_json::to_vec(&v).unwrap();
        assert!(matches!(
            verify_webhook(&cfg(), &body, Some(&signature(TOKEN, &body))),
            Err(PayError::Unreadable(_))
        ));
    }

    #[test]
    fn crypto_amounts_compare_as_decimals() {
        assert_eq!(crypto_money("usdt", "2.5"), crypto_money("USDT", "2.500"));
        assert_eq!(crypto_money("TON", "0.000000001").unwrap().minor(), 1);
        assert_eq!(crypto_money("BTC", "0.00012345").unwrap().minor(), 123_450);
        assert_eq!(crypto_money("TON", "1.0000000001"), None, "10 places");
        assert_eq!(crypto_money("US DT", "1"), None);
        assert_ne!(crypto_money("TON", "2.5"), crypto_money("USDT", "2.5"));
    }

    #[test]
    fn fiat_invoice_request_matches_the_documented_shape() {
        let req = CreateInvoice {
            order: OrderId::parse("c0ffee00aa11bb22cc33dd44ee55ff66").unwrap(),
            price: InvoicePrice::Fiat {
                amount: Kopecks(34900),
                accepted_assets: vec!["USDT".into(), "TON".into(), "BTC".into()],
            },
            description: "VPN 3 months".into(),
            expires_in: 3600,
            paid_button_url: Some("https://t.me/unit_test_vpn_bot".into()),
        };
        let body = invoice_request(&req).unwrap();
        let want = fixture("create_invoice_fiat.json");
        for key in [
            "currency_type",
            "fiat",
            "amount",
            "accepted_assets",
            "description",
            "payload",
            "expires_in",
            "paid_btn_name",
            "paid_btn_url",
            "allow_comments",
            "allow_anonymous",
        ] {
            assert_eq!(body[key], want[key], "{key}");
        }
        assert_eq!(body, want);
    }

    #[test]
    fn crypto_invoice_request_matches_the_documented_shape() {
        let req = CreateInvoice {
            order: OrderId::parse("0123456789abcdef0123456789abcdef").unwrap(),
            price: InvoicePrice::Crypto(AssetAmount::parse("usdt", "4.2").unwrap()),
            description: "VPN 1 month".into(),
            expires_in: 1800,
            paid_button_url: None,
        };
        assert_eq!(
            invoice_request(&req).unwrap(),
            fixture("create_invoice_crypto.json")
        );
        for bad in ["-1", "1e2", "", "4.0000000001"] {
            assert_eq!(AssetAmount::parse("USDT", bad), None, "{bad:?}");
        }
        let mut r = req.clone();
        r.price = InvoicePrice::Crypto(AssetAmount::parse("USDT", "0").unwrap());
        assert!(invoice_request(&r).is_err(), "zero");
        let mut r = req.clone();
        r.expires_in = 0;
        assert!(invoice_request(&r).is_err());
        let mut r = req;
        r.price = InvoicePrice::Fiat {
            amount: Kopecks(19900),
            accepted_assets: vec![],
        };
        let body = invoice_request(&r).unwrap();
        assert!(body.get("accepted_assets").is_none(), "all assets");
        assert_eq!(body["amount"], "199.00");
    }

    #[test]
    fn created_invoice_prefers_the_bot_url() {
        let v = fixture("create_invoice_response.json");
        let c = created_invoice(&v["result"]).unwrap();
        assert_eq!(c.invoice_id, 31880042);
        assert_eq!(c.pay_url, "https://t.me/CryptoBot?start=IVunitTest42");
        assert_eq!(
            c.web_app_url.as_deref(),
            Some("https://app.send.tg/invoices/IVunitTest42")
        );
        assert_eq!(c.status, "active");
        let legacy = json!({"invoice_id": 5, "pay_url": "https://t.me/CryptoTestnetBot?start=IVx"});
        assert_eq!(
            created_invoice(&legacy).unwrap().pay_url,
            "https://t.me/CryptoTestnetBot?start=IVx"
        );
        assert!(created_invoice(&json!({"invoice_id": 5})).is_err());
    }
}
