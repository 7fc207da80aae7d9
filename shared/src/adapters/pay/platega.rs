//! Platega: transactions (SBP QR, cards, crypto) and their callbacks.
//!
//! Requests carry the merchant id and the secret as `X-MerchantId` and
//! `X-Secret` headers. A transaction is created with
//! `POST {base}/transaction/process` (our order id as `payload`) and read
//! with `GET {base}/transaction/{id}`. A callback carries the same two
//! headers and nothing else proves it, so the headers only admit it: the
//! transaction's status, amount and order are then read back from the API,
//! and only that answer can credit (as YooKassa's notifications are).

use super::wire::{self, API_TIMEOUT};
use super::{Money, OrderId, PayError, Verified, parse_minor};
use crate::base::config::Platega;
use crate::base::types::Kopecks;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

const PROVIDER: &str = crate::base::types::Provider::Platega.code();

/// The merchant id header, on requests and callbacks.
pub const MERCHANT_HEADER: &str = "x-merchantid";
/// The secret header, on requests and callbacks.
pub const SECRET_HEADER: &str = "x-secret";

/// Longest description Platega takes, in bytes.
pub const MAX_DESCRIPTION: usize = 64;

/// A transaction to create.
#[derive(Debug, Clone)]
pub struct CreateTransaction {
    /// Our order id (`payload`).
    pub order: OrderId,
    /// The price, in rubles.
    pub amount: Kopecks,
    /// What is bought.
    pub description: String,
    /// Where to return when PLATEGA_RETURN_URL is unset (the bot's link).
    pub fallback_return_url: Option<String>,
}

/// A created transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTransaction {
    /// Platega's transaction id (our provider reference).
    pub id: String,
    /// The payment page.
    pub redirect: String,
}

/// A transaction's status at Platega.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlategaStatus {
    /// Created or waiting for the payer (`CREATED`, `PENDING`, `INPROGRESS`).
    Pending,
    /// Paid (`CONFIRMED`).
    Confirmed,
    /// Will not be paid (`CANCELED`, `FAILED`, `EXPIRED`).
    Canceled,
    /// Paid, then the money went back (`REFUNDED`, `CHARGEBACK`, `CHARGEBACKED`).
    Refunded,
    /// Anything else, as sent.
    Other(String),
}

impl PlategaStatus {
    /// Reads a status, in any case.
    pub fn parse(s: &str) -> PlategaStatus {
        match s.trim().to_ascii_uppercase().as_str() {
            "CREATED" | "PENDING" | "INPROGRESS" => PlategaStatus::Pending,
            "CONFIRMED" => PlategaStatus::Confirmed,
            "CANCELED" | "CANCELLED" | "FAILED" | "EXPIRED" => PlategaStatus::Canceled,
            "REFUNDED" | "CHARGEBACK" | "CHARGEBACKED" => PlategaStatus::Refunded,
            other => PlategaStatus::Other(other.to_owned()),
        }
    }
}

/// A transaction as Platega's API reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlategaTransaction {
    /// Platega's transaction id.
    pub id: String,
    /// Its status.
    pub status: PlategaStatus,
    /// Our order, when its `payload` is one of ours.
    pub order_id: Option<OrderId>,
    /// What was charged (`paymentDetails.amount` and `.currency`).
    pub amount: Option<Money>,
}

/// An authentic callback: the status it claimed and the transaction as the
/// API reports it now (which alone decides).
#[derive(Debug, Clone, PartialEq)]
pub struct PlategaCallback {
    /// The status the callback claimed.
    pub claimed: PlategaStatus,
    /// The transaction read back from the API.
    pub transaction: PlategaTransaction,
}

/// A JSON amount: whole rubles as an integer, else with kopecks.
fn amount_value(amount: Kopecks) -> Value {
    if amount.0.is_multiple_of(100) {
        json!(amount.0 / 100)
    } else {
        serde_json::Number::from_f64(amount.0 as f64 / 100.0).map_or(Value::Null, Value::Number)
    }
}

/// `description` cut to [`MAX_DESCRIPTION`] bytes on a character boundary.
fn short(description: &str) -> String {
    let mut end = description.len().min(MAX_DESCRIPTION);
    while !description.is_char_boundary(end) {
        end -= 1;
    }
    description[..end].to_owned()
}

/// The `POST /transaction/process` body of `req`.
pub fn transaction_request(cfg: &Platega, req: &CreateTransaction) -> Value {
    let back = cfg
        .return_url
        .clone()
        .or_else(|| req.fallback_return_url.clone());
    let mut body = json!({
        "paymentMethod": cfg.payment_method,
        "paymentDetails": {"amount": amount_value(req.amount), "currency": "RUB"},
        "description": short(&req.description),
        "payload": req.order.0,
    });
    if let Some(url) = &back {
        body["return"] = json!(url);
    }
    if let Some(url) = cfg.failed_url.clone().or(back) {
        body["failedUrl"] = json!(url);
    }
    body
}

/// Creates a transaction and returns its id and payment page.
pub async fn create_transaction(
    http: &reqwest::Client,
    cfg: &Platega,
    req: &CreateTransaction,
) -> Result<CreatedTransaction, PayError> {
    let v = call(
        http,
        cfg,
        "transaction/process",
        Some(&transaction_request(cfg, req)),
    )
    .await
    .map_err(|f| f.1)?;
    let id = wire::id_text(&v["transactionId"])
        .or_else(|| wire::id_text(&v["id"]))
        .ok_or_else(|| PayError::Malformed("platega: no transactionId".into()))?;
    let redirect = v["redirect"]
        .as_str()
        .or_else(|| v["url"].as_str())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| PayError::Malformed("platega: no redirect".into()))?;
    Ok(CreatedTransaction {
        id,
        redirect: redirect.to_owned(),
    })
}

/// Platega ids are UUIDs; anything else never reaches a URL path.
fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads a transaction (`GET {base}/transaction/{id}`).
pub async fn get_transaction(
    http: &reqwest::Client,
    cfg: &Platega,
    id: &str,
) -> Result<PlategaTransaction, PayError> {
    fetch(http, cfg, id).await.map_err(|f| f.1)
}

async fn fetch(
    http: &reqwest::Client,
    cfg: &Platega,
    id: &str,
) -> Result<PlategaTransaction, Failure> {
    if !valid_id(id) {
        return Err(Failure(
            Some(404),
            PayError::Refused(format!("platega: {id:?} is not a transaction id")),
        ));
    }
    let v = call(http, cfg, &format!("transaction/{id}"), None).await?;
    parse_transaction(&v).map_err(|e| Failure(None, e))
}

/// A transaction object of the API.
pub fn parse_transaction(v: &Value) -> Result<PlategaTransaction, PayError> {
    let id = wire::id_text(&v["id"])
        .or_else(|| wire::id_text(&v["transactionId"]))
        .ok_or_else(|| PayError::Malformed("platega: transaction without id".into()))?;
    let status = PlategaStatus::parse(v["status"].as_str().unwrap_or(""));
    let details = if v["paymentDetails"].is_object() {
        &v["paymentDetails"]
    } else {
        v
    };
    let amount = wire::amount_text(&details["amount"])
        .and_then(|text| parse_minor(&text, 2))
        .zip(details["currency"].as_str())
        .and_then(|(minor, currency)| Money::from_minor(minor, currency));
    Ok(PlategaTransaction {
        id,
        status,
        order_id: v["payload"].as_str().and_then(OrderId::parse),
        amount,
    })
}

fn same(expected: &str, given: Option<&str>) -> bool {
    given.is_some_and(|g| {
        expected.len() == g.len() && bool::from(expected.as_bytes().ct_eq(g.as_bytes()))
    })
}

/// Proves a callback: both headers must be ours, then the transaction it
/// names is read from the API. `NotAuthentic` for wrong or missing headers
/// or a transaction the API does not know, `Malformed` for junk,
/// `Unavailable` when the API cannot be asked (answer 5xx so Platega
/// delivers again).
pub async fn verify_callback(
    http: &reqwest::Client,
    cfg: &Platega,
    merchant: Option<&str>,
    secret: Option<&str>,
    body: &[u8],
) -> Result<Verified<PlategaCallback>, PayError> {
    // Both compared in full, so the time taken does not say which was wrong.
    let merchant_ok = same(&cfg.merchant_id, merchant.map(str::trim));
    let secret_ok = same(&cfg.secret, secret.map(str::trim));
    if !(merchant_ok & secret_ok) {
        return Err(PayError::NotAuthentic(
            "platega: X-MerchantId or X-Secret missing or wrong".into(),
        ));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| PayError::Malformed("platega: callback is not JSON".into()))?;
    let id = wire::id_text(&v["id"])
        .or_else(|| wire::id_text(&v["transactionId"]))
        .ok_or_else(|| PayError::Malformed("platega: callback without id".into()))?;
    let claimed = PlategaStatus::parse(v["status"].as_str().unwrap_or(""));
    let transaction = fetch(http, cfg, &id).await.map_err(|f| match f {
        Failure(Some(400 | 404), e) => PayError::NotAuthentic(e.to_string()),
        Failure(_, e) => e,
    })?;
    if !transaction.id.eq_ignore_ascii_case(&id) {
        return Err(PayError::NotAuthentic(format!(
            "platega: asked for transaction {id}, the API answered {}",
            transaction.id
        )));
    }
    Ok(Verified::trust(PlategaCallback {
        claimed,
        transaction,
    }))
}

/// A failed call and its HTTP status, if there was an answer.
struct Failure(Option<u16>, PayError);

/// GET `path`, or POST `body`, with the merchant headers.
async fn call(
    http: &reqwest::Client,
    cfg: &Platega,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, Failure> {
    let url = format!("{}/{path}", cfg.base_url);
    let req = match body {
        Some(b) => http.post(&url).json(b),
        None => http.get(&url),
    };
    let (status, text) = wire::exchange(
        PROVIDER,
        req.header("X-MerchantId", &cfg.merchant_id)
            .header("X-Secret", &cfg.secret)
            .timeout(API_TIMEOUT),
    )
    .await
    .map_err(|e| Failure(None, e))?;
    if status == 401 || status == 403 {
        // Our credentials refused: our side to fix; a callback is retried.
        return Err(Failure(
            Some(status),
            PayError::Unavailable(format!(
                "platega: HTTP {status}, merchant id or secret refused"
            )),
        ));
    }
    if !(200..300).contains(&status) {
        let detail = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return Err(Failure(
            Some(status),
            wire::status_error(PROVIDER, status, &detail),
        ));
    }
    serde_json::from_str(&text).map_err(|_| {
        Failure(
            None,
            PayError::Unavailable(format!(
                "platega: HTTP {status} with a body that is not JSON"
            )),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Platega {
        Platega {
            merchant_id: "6b7d3c8e-1111-4a2b-9c3d-5e6f7a8b9c0d".into(),
            secret: "test-platega-secret".into(),
            payment_method: 2,
            return_url: None,
            failed_url: Some("https://t.me/test_shop_bot?start=failed".into()),
            base_url: "http://127.0.0.1:9".into(),
        }
    }

    #[test]
    fn the_request_has_the_documented_shape() {
        let body = transaction_request(
            &cfg(),
            &CreateTransaction {
                order: OrderId("4be1c1e2b0a84f4c9d3e2a1b0c9d8e7fx5000001".into()),
                amount: Kopecks(19_950),
                description: "Подписка на 1 месяц — очень длинное описание покупки".into(),
                fallback_return_url: Some("https://t.me/test_shop_bot".into()),
            },
        );
        assert_eq!(body["paymentMethod"], 2);
        assert_eq!(
            body["paymentDetails"],
            json!({"amount": 199.5, "currency": "RUB"})
        );
        assert_eq!(body["payload"], "4be1c1e2b0a84f4c9d3e2a1b0c9d8e7fx5000001");
        assert_eq!(body["return"], "https://t.me/test_shop_bot");
        assert_eq!(body["failedUrl"], "https://t.me/test_shop_bot?start=failed");
        assert!(body["description"].as_str().unwrap().len() <= MAX_DESCRIPTION);
        assert_eq!(amount_value(Kopecks(19_900)), json!(199));
    }

    #[test]
    fn transactions_and_statuses_are_read() {
        let t = parse_transaction(&json!({
            "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "status": "CONFIRMED",
            "paymentDetails": {"amount": 199.0, "currency": "RUB"},
            "payload": "4be1c1e2b0a84f4c9d3e2a1b0c9d8e7fx5000001"
        }))
        .unwrap();
        assert_eq!(t.status, PlategaStatus::Confirmed);
        assert_eq!(t.amount, Some(Money::rub(Kopecks(19_900))));
        assert_eq!(t.order_id.unwrap().buyer(), Some(5_000_001));
        for (s, want) in [
            ("PENDING", PlategaStatus::Pending),
            ("INPROGRESS", PlategaStatus::Pending),
            ("canceled", PlategaStatus::Canceled),
            ("EXPIRED", PlategaStatus::Canceled),
            ("CHARGEBACKED", PlategaStatus::Refunded),
            ("NONE", PlategaStatus::Other("NONE".into())),
        ] {
            assert_eq!(PlategaStatus::parse(s), want);
        }
    }

    #[test]
    fn headers_are_compared_exactly() {
        let c = cfg();
        assert!(same(&c.secret, Some("test-platega-secret")));
        assert!(!same(&c.secret, Some("test-platega-secreT")));
        assert!(!same(&c.secret, Some("")));
        assert!(!same(&c.secret, None));
    }
}
