//! YooKassa, API v3 (cards, SBP, saved cards for auto-renewal).
//!
//! YooKassa signs nothing. A notification is believed only when it comes
//! from one of YooKassa's published addresses AND the object it names is
//! fetched back from the API with our credentials: the event we act on is
//! built from the API's answer (status, amount, metadata), never from the
//! notification body.

use super::wire::{self, API_TIMEOUT};
use super::{Money, OrderId, PayError, Verified, parse_minor};
use crate::base::config::{YooKassa, allowed};
use crate::base::types::{Kopecks, TelegramId};
use serde_json::{Value, json};
use std::net::IpAddr;

const PROVIDER: &str = crate::base::types::Provider::Yookassa.code();

/// YooKassa's limit on `description` (payment and receipt line), in characters.
pub const MAX_DESCRIPTION: usize = 128;

/// What we ask YooKassa to charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePayment {
    /// Our order: sent as `Idempotence-Key` and `metadata.order_id`.
    pub order: OrderId,
    /// The buyer (`metadata.telegram_user_id`, for support look-ups).
    pub user: TelegramId,
    /// The price.
    pub amount: Kopecks,
    /// Payment description shown to the payer (cut to 128 characters).
    pub description: String,
    /// The receipt line (54-FZ), e.g. "VPN subscription, 1 month" (cut to 128 characters).
    pub item_description: String,
    /// The user's own receipt email; `YOOKASSA_DEFAULT_RECEIPT_EMAIL` otherwise.
    pub email: Option<String>,
    /// The user asked to save the card (honoured only with autopayments on).
    pub save_card: bool,
    /// Charge this saved payment method without the payer (auto-renewal).
    pub saved_method_id: Option<String>,
    /// Return URL when `YOOKASSA_RETURN_URL` is not set (e.g. the bot's t.me link).
    pub fallback_return_url: Option<String>,
}

/// A payment's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YooStatus {
    /// Created, not paid yet.
    Pending,
    /// Authorised, waiting for capture (we always ask `capture: true`).
    WaitingForCapture,
    /// Paid and captured (refunds: done).
    Succeeded,
    /// Cancelled or failed.
    Canceled,
    /// A status this code does not know.
    Other(String),
}

impl YooStatus {
    /// From YooKassa's spelling.
    pub fn parse(s: &str) -> YooStatus {
        match s {
            "pending" => YooStatus::Pending,
            "waiting_for_capture" => YooStatus::WaitingForCapture,
            "succeeded" => YooStatus::Succeeded,
            "canceled" => YooStatus::Canceled,
            other => YooStatus::Other(other.to_owned()),
        }
    }

    /// YooKassa's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            YooStatus::Pending => "pending",
            YooStatus::WaitingForCapture => "waiting_for_capture",
            YooStatus::Succeeded => "succeeded",
            YooStatus::Canceled => "canceled",
            YooStatus::Other(s) => s,
        }
    }
}

/// A payment just created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPayment {
    /// YooKassa's payment id.
    pub payment_id: String,
    /// Usually `Pending`; a saved-card charge can come back `Succeeded` at once.
    pub status: YooStatus,
    /// Whether it is already paid.
    pub paid: bool,
    /// Where to send the payer; `None` for saved-card charges.
    pub confirmation_url: Option<String>,
    /// `cancellation_details.reason` when it was declined at once.
    pub cancellation_reason: Option<String>,
}

/// The payment method of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YooPaymentMethod {
    /// Its id: the `payment_method_id` of later auto-renewal charges when saved.
    pub id: String,
    /// `bank_card`, `sbp`, `yoo_money`...
    pub kind: String,
    /// Saved for charges without the payer.
    pub saved: bool,
    /// E.g. "Bank card *4477".
    pub title: Option<String>,
    /// `card.card_type` of a bank card ("Visa", "MasterCard", "Mir").
    pub card_type: Option<String>,
    /// `card.last4` of a bank card.
    pub last4: Option<String>,
}

/// A payment as the API reports it: the only view of a payment we trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YooPayment {
    /// YooKassa's payment id.
    pub id: String,
    /// Status.
    pub status: YooStatus,
    /// Money received (true for `waiting_for_capture` and `succeeded`).
    pub paid: bool,
    /// Amount charged.
    pub amount: Money,
    /// `metadata.order_id` when it is one of our order ids.
    pub order_id: Option<OrderId>,
    /// How it was paid (absent before the payer chose).
    pub payment_method: Option<YooPaymentMethod>,
    /// The payer's page, while pending.
    pub confirmation_url: Option<String>,
    /// `cancellation_details.reason` of a cancelled payment.
    pub cancellation_reason: Option<String>,
    /// A test-shop payment.
    pub test: bool,
}

impl YooPayment {
    /// The payment method id when the method was saved for auto-renewal.
    pub fn saved_method_id(&self) -> Option<&str> {
        self.payment_method
            .as_ref()
            .filter(|m| m.saved)
            .map(|m| m.id.as_str())
    }
}

/// A refund as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YooRefund {
    /// YooKassa's refund id.
    pub id: String,
    /// The refunded payment.
    pub payment_id: String,
    /// `Pending`, `Succeeded` or `Canceled`.
    pub status: YooStatus,
    /// Amount refunded.
    pub amount: Money,
}

/// A notification as received: what it claims, not yet believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YooNotification {
    /// `payment.succeeded`, `payment.waiting_for_capture`, `payment.canceled`, `refund.succeeded`...
    pub event: String,
    /// Id of the payment or refund it is about.
    pub object_id: String,
}

/// What a verified notification means, decided from the API's view of the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YooEvent {
    /// The API says the payment succeeded and is paid.
    PaymentSucceeded {
        /// Our order (from the API's `metadata`); `None` when it is not one of ours.
        order_id: Option<OrderId>,
        /// Amount the API reports.
        amount: Money,
        /// YooKassa's payment id.
        payment_id: String,
        /// The payment method when it was saved, for auto-renewal.
        saved_method: Option<YooPaymentMethod>,
    },
    /// The API says the payment was cancelled.
    PaymentCanceled {
        /// Our order; `None` when it is not one of ours.
        order_id: Option<OrderId>,
        /// YooKassa's payment id.
        payment_id: String,
    },
    /// The API says the refund succeeded.
    RefundSucceeded {
        /// The refunded payment.
        payment_id: String,
        /// YooKassa's refund id.
        refund_id: String,
        /// Amount refunded.
        amount: Money,
    },
    /// Anything else, named `payment.<api status>`, `refund.<api status>` or
    /// the notification's own event for objects we do not fetch: no money moves.
    Other(String),
}

// ---------------------------------------------------------------------------
// Creating payments
// ---------------------------------------------------------------------------

/// Cuts `s` to YooKassa's 128-character limit.
fn clip(s: &str) -> String {
    s.chars().take(MAX_DESCRIPTION).collect()
}

/// The JSON body of `POST /payments` for `req`.
pub fn payment_request(cfg: &YooKassa, req: &CreatePayment) -> Result<Value, PayError> {
    let amount = json!({"value": req.amount.two_decimals(), "currency": "RUB"});
    let mut body = json!({
        "amount": amount,
        "capture": true,
        "description": clip(&req.description),
        "metadata": {
            "order_id": req.order.0,
            "telegram_user_id": req.user.0.to_string(),
        },
    });
    if let Some(method) = &req.saved_method_id {
        body["payment_method_id"] = json!(method);
    } else {
        let return_url = cfg
            .return_url
            .as_deref()
            .or(req.fallback_return_url.as_deref())
            .ok_or_else(|| {
                PayError::Refused(
                    "yookassa: no return URL (set YOOKASSA_RETURN_URL) for a redirect payment"
                        .into(),
                )
            })?;
        body["confirmation"] = json!({"type": "redirect", "return_url": return_url});
        if cfg.autopayments_enabled && (req.save_card || cfg.autopayments_require_card_binding) {
            body["save_payment_method"] = json!(true);
        }
    }
    let email = req
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .or(cfg.default_receipt_email.as_deref());
    if let Some(email) = email {
        body["receipt"] = json!({
            "customer": {"email": email},
            "items": [{
                "description": clip(&req.item_description),
                "quantity": "1.00",
                "amount": amount,
                "vat_code": cfg.vat_code,
                "payment_mode": cfg.payment_mode,
                "payment_subject": cfg.payment_subject,
            }],
        });
        if let Some(code) = cfg.tax_system_code {
            body["receipt"]["tax_system_code"] = json!(code);
        }
    }
    Ok(body)
}

/// Creates a payment (`POST {api_url}/payments`, `Idempotence-Key` = our
/// order id, so a retry of the same order never creates a second payment).
pub async fn create_payment(
    http: &reqwest::Client,
    cfg: &YooKassa,
    req: &CreatePayment,
) -> Result<CreatedPayment, PayError> {
    let body = payment_request(cfg, req)?;
    let v = call(http, cfg, "payments", Some((&body, &req.order.0)))
        .await
        .map_err(|f| f.error)?;
    let p = parse_payment(&v)?;
    Ok(CreatedPayment {
        payment_id: p.id,
        status: p.status,
        paid: p.paid,
        confirmation_url: p.confirmation_url,
        cancellation_reason: p.cancellation_reason,
    })
}

// ---------------------------------------------------------------------------
// Reading payments and refunds
// ---------------------------------------------------------------------------

/// YooKassa ids are UUID-like; anything else never reaches a URL path.
fn valid_object_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Fetches a payment (`GET {api_url}/payments/{id}`).
pub async fn get_payment(
    http: &reqwest::Client,
    cfg: &YooKassa,
    payment_id: &str,
) -> Result<YooPayment, PayError> {
    fetch_payment(http, cfg, payment_id)
        .await
        .map_err(|f| f.error)
}

/// Fetches a refund (`GET {api_url}/refunds/{id}`).
pub async fn get_refund(
    http: &reqwest::Client,
    cfg: &YooKassa,
    refund_id: &str,
) -> Result<YooRefund, PayError> {
    fetch_refund(http, cfg, refund_id)
        .await
        .map_err(|f| f.error)
}

async fn fetch_payment(
    http: &reqwest::Client,
    cfg: &YooKassa,
    id: &str,
) -> Result<YooPayment, Failure> {
    if !valid_object_id(id) {
        return Err(Failure::not_found(format!(
            "yookassa: {id:?} is not a payment id"
        )));
    }
    let v = call(http, cfg, &format!("payments/{id}"), None).await?;
    parse_payment(&v).map_err(Failure::from)
}

async fn fetch_refund(
    http: &reqwest::Client,
    cfg: &YooKassa,
    id: &str,
) -> Result<YooRefund, Failure> {
    if !valid_object_id(id) {
        return Err(Failure::not_found(format!(
            "yookassa: {id:?} is not a refund id"
        )));
    }
    let v = call(http, cfg, &format!("refunds/{id}"), None).await?;
    parse_refund(&v).map_err(Failure::from)
}

/// Refunds a payment in full or in part (`POST {api_url}/refunds`).
/// `key` is the `Idempotence-Key`: the same key never refunds twice, so a
/// double tap or a retry gets the first refund back. A refusal
/// (`HTTP 4xx`) is an error naming YooKassa's reason; a refund YooKassa
/// cancels comes back with status `Canceled` and its reason.
pub async fn create_refund(
    http: &reqwest::Client,
    cfg: &YooKassa,
    payment_id: &str,
    amount: &Money,
    key: &str,
) -> Result<(YooRefund, Option<String>), PayError> {
    if !valid_object_id(payment_id) {
        return Err(PayError::Malformed(format!(
            "yookassa: {payment_id:?} is not a payment id"
        )));
    }
    let body = json!({
        "payment_id": payment_id,
        "amount": {
            "value": format!("{}.{:02}", amount.minor() / 100, amount.minor() % 100),
            "currency": amount.currency(),
        },
    });
    let v = call(http, cfg, "refunds", Some((&body, key)))
        .await
        .map_err(|f| f.error)?;
    let reason = v["cancellation_details"]["reason"]
        .as_str()
        .map(str::to_owned);
    Ok((parse_refund(&v)?, reason))
}

/// `{value, currency}` as money (YooKassa's currencies all have two decimals).
fn money(v: &Value, what: &str) -> Result<Money, PayError> {
    let text = wire::amount_text(&v["value"])
        .ok_or_else(|| PayError::Malformed(format!("yookassa: {what}.value missing")))?;
    let minor = parse_minor(&text, 2).ok_or_else(|| {
        PayError::Malformed(format!("yookassa: {what}.value {text:?} is not an amount"))
    })?;
    let currency = v["currency"]
        .as_str()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| PayError::Malformed(format!("yookassa: {what}.currency missing")))?;
    Money::from_minor(minor, currency)
        .ok_or_else(|| PayError::Malformed(format!("yookassa: {what}.currency {currency:?}")))
}

fn required_str<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a str, PayError> {
    v[key]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| PayError::Malformed(format!("yookassa: {what}.{key} missing")))
}

/// A payment object (API answer or notification `object`).
pub fn parse_payment(v: &Value) -> Result<YooPayment, PayError> {
    let id = required_str(v, "id", "payment")?.to_owned();
    let status = YooStatus::parse(required_str(v, "status", "payment")?);
    let amount = money(&v["amount"], "payment.amount")?;
    let pm = &v["payment_method"];
    let payment_method = match (pm["id"].as_str(), pm["type"].as_str()) {
        (Some(mid), Some(kind)) => Some(YooPaymentMethod {
            id: mid.to_owned(),
            kind: kind.to_owned(),
            saved: pm["saved"].as_bool().unwrap_or(false),
            title: pm["title"].as_str().map(str::to_owned),
            card_type: pm["card"]["card_type"].as_str().map(str::to_owned),
            last4: pm["card"]["last4"].as_str().map(str::to_owned),
        }),
        _ => None,
    };
    Ok(YooPayment {
        id,
        status,
        paid: v["paid"].as_bool().unwrap_or(false),
        amount,
        order_id: wire::id_text(&v["metadata"]["order_id"]).and_then(|s| OrderId::parse(&s)),
        payment_method,
        confirmation_url: v["confirmation"]["confirmation_url"]
            .as_str()
            .map(str::to_owned),
        cancellation_reason: v["cancellation_details"]["reason"]
            .as_str()
            .map(str::to_owned),
        test: v["test"].as_bool().unwrap_or(false),
    })
}

/// A refund object (API answer or notification `object`).
pub fn parse_refund(v: &Value) -> Result<YooRefund, PayError> {
    Ok(YooRefund {
        id: required_str(v, "id", "refund")?.to_owned(),
        payment_id: required_str(v, "payment_id", "refund")?.to_owned(),
        status: YooStatus::parse(required_str(v, "status", "refund")?),
        amount: money(&v["amount"], "refund.amount")?,
    })
}

// ---------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------

/// Reads what a notification claims. Not to be trusted by itself: see
/// [`verify_notification`].
pub fn parse_notification(body: &[u8]) -> Result<YooNotification, PayError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| PayError::Malformed(format!("yookassa: notification is not JSON: {e}")))?;
    if let Some(t) = v.get("type")
        && t != "notification"
    {
        return Err(PayError::Malformed(format!(
            "yookassa: type {t} is not \"notification\""
        )));
    }
    let event = v["event"]
        .as_str()
        .filter(|e| !e.is_empty())
        .ok_or_else(|| PayError::Malformed("yookassa: notification without event".into()))?;
    let object_id = v["object"]["id"]
        .as_str()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| PayError::Malformed("yookassa: notification without object.id".into()))?;
    Ok(YooNotification {
        event: event.to_owned(),
        object_id: object_id.to_owned(),
    })
}

/// Whether `ip` is one of the notification addresses (an IPv4-mapped IPv6
/// address such as `::ffff:185.71.76.10` counts as its IPv4 address).
pub fn trusted_source(cfg: &YooKassa, ip: Option<IpAddr>) -> bool {
    ip.is_some_and(|ip| allowed(&cfg.allowed_ips, ip.to_canonical()))
}

/// The event a payment's API state means.
pub fn payment_event(p: &YooPayment) -> YooEvent {
    match p.status {
        YooStatus::Succeeded if p.paid => YooEvent::PaymentSucceeded {
            order_id: p.order_id.clone(),
            amount: p.amount.clone(),
            payment_id: p.id.clone(),
            saved_method: p.payment_method.clone().filter(|m| m.saved),
        },
        YooStatus::Canceled => YooEvent::PaymentCanceled {
            order_id: p.order_id.clone(),
            payment_id: p.id.clone(),
        },
        ref s => YooEvent::Other(format!("payment.{}", s.as_str())),
    }
}

/// The event a refund's API state means.
pub fn refund_event(r: &YooRefund) -> YooEvent {
    match r.status {
        YooStatus::Succeeded => YooEvent::RefundSucceeded {
            payment_id: r.payment_id.clone(),
            refund_id: r.id.clone(),
            amount: r.amount.clone(),
        },
        ref s => YooEvent::Other(format!("refund.{}", s.as_str())),
    }
}

/// Proves a notification: the sender's address must be YooKassa's, then the
/// object is fetched from the API and the API's state decides the event.
/// `NotAuthentic` for a foreign address or an object the API does not know,
/// `Malformed` for junk, `Unavailable` when the API cannot be asked (answer
/// 5xx so YooKassa delivers again).
pub async fn verify_notification(
    http: &reqwest::Client,
    cfg: &YooKassa,
    source_ip: Option<IpAddr>,
    body: &[u8],
) -> Result<Verified<YooEvent>, PayError> {
    if !trusted_source(cfg, source_ip) {
        let shown = source_ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        return Err(PayError::NotAuthentic(format!(
            "yookassa: notification from {shown}, not a YooKassa address"
        )));
    }
    let n = parse_notification(body)?;
    let event = if n.event.starts_with("payment.") {
        let p = fetch_payment(http, cfg, &n.object_id)
            .await
            .map_err(Failure::into_verification_error)?;
        if p.id != n.object_id {
            return Err(PayError::NotAuthentic(format!(
                "yookassa: asked for payment {}, the API answered {}",
                n.object_id, p.id
            )));
        }
        payment_event(&p)
    } else if n.event.starts_with("refund.") {
        let r = fetch_refund(http, cfg, &n.object_id)
            .await
            .map_err(Failure::into_verification_error)?;
        if r.id != n.object_id {
            return Err(PayError::NotAuthentic(format!(
                "yookassa: asked for refund {}, the API answered {}",
                n.object_id, r.id
            )));
        }
        refund_event(&r)
    } else {
        YooEvent::Other(n.event)
    };
    Ok(Verified::trust(event))
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/// A failed API call, keeping the HTTP status so a notification about an
/// object the API does not know can be told from an outage.
struct Failure {
    status: Option<u16>,
    error: PayError,
}

impl Failure {
    fn not_found(msg: String) -> Failure {
        Failure {
            status: Some(404),
            error: PayError::Refused(msg),
        }
    }

    /// For notifications: an object the API refuses to show (400/404) was
    /// never YooKassa's; our credentials being refused (401/403) is our
    /// side's failure, so YooKassa should deliver again later.
    fn into_verification_error(self) -> PayError {
        match (self.status, self.error) {
            (Some(400 | 404), e) => PayError::NotAuthentic(e.to_string()),
            (Some(401 | 403), e) => PayError::Unavailable(e.to_string()),
            (_, e) => e,
        }
    }
}

impl From<PayError> for Failure {
    fn from(error: PayError) -> Failure {
        Failure {
            status: None,
            error,
        }
    }
}

/// GET `path`, or POST `body` with an `Idempotence-Key`, under Basic auth.
async fn call(
    http: &reqwest::Client,
    cfg: &YooKassa,
    path: &str,
    post: Option<(&Value, &str)>,
) -> Result<Value, Failure> {
    let url = format!("{}/{path}", cfg.api_url);
    let req = match post {
        Some((body, key)) => http.post(&url).header("Idempotence-Key", key).json(body),
        None => http.get(&url),
    };
    let (status, text) = wire::exchange(
        PROVIDER,
        req.basic_auth(&cfg.shop_id, Some(&cfg.secret_key))
            .timeout(API_TIMEOUT),
    )
    .await
    .map_err(Failure::from)?;
    if !(200..300).contains(&status) {
        // {"type":"error","id":"...","code":"invalid_request","description":"...","parameter":"..."}
        let detail = serde_json::from_str::<Value>(&text)
            .ok()
            .map(|v| {
                let mut d = format!(
                    "{}: {}",
                    v["code"].as_str().unwrap_or("error"),
                    v["description"].as_str().unwrap_or("")
                );
                if let Some(p) = v["parameter"].as_str() {
                    d.push_str(&format!(" ({p})"));
                }
                d
            })
            .unwrap_or_default();
        return Err(Failure {
            status: Some(status),
            error: wire::status_error(PROVIDER, status, &detail),
        });
    }
    serde_json::from_str(&text).map_err(|_| {
        Failure::from(PayError::Unavailable(format!(
            "yookassa: HTTP {status} with a body that is not JSON"
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::IpNet;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/../tests/fixtures/yookassa/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(&path).expect(&path)).expect("fixture is JSON")
    }

    fn raw(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../tests/fixtures/yookassa/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).expect(&path)
    }

    /// YooKassa's published list, written out here independently of the config defaults.
    fn cfg() -> YooKassa {
        YooKassa {
            shop_id: "504233".into(),
            secret_key: "test_unit_secret_key".into(),
            return_url: Some("https://t.me/unit_test_vpn_bot".into()),
            default_receipt_email: Some("receipts@shop.example".into()),
            vat_code: 1,
            payment_mode: "full_payment".into(),
            payment_subject: "service".into(),
            tax_system_code: None,
            autopayments_enabled: true,
            autopayments_require_card_binding: false,
            api_url: "http://127.0.0.1:9/v3".into(),
            allowed_ips: [
                "185.71.76.0/27",
                "185.71.77.0/27",
                "77.75.153.0/25",
                "77.75.156.11",
                "77.75.156.35",
                "77.75.154.128/25",
                "2a02:5180::/32",
            ]
            .iter()
            .map(|s| s.parse::<IpNet>().expect("net"))
            .collect(),
        }
    }

    fn order() -> OrderId {
        OrderId::parse("5b7c0e2a9d3f4e61a8c2b4d6e8f01234").unwrap()
    }

    fn request() -> CreatePayment {
        CreatePayment {
            order: order(),
            user: TelegramId(700100200),
            amount: Kopecks(34900),
            description: "VPN subscription, 3 months (order 5b7c0e2a9d3f4e61a8c2b4d6e8f01234)"
                .into(),
            item_description: "VPN subscription, 3 months".into(),
            email: Some("anna@mail.example".into()),
            save_card: true,
            saved_method_id: None,
            fallback_return_url: None,
        }
    }

    #[test]
    fn payment_request_matches_the_documented_shape() {
        let body = payment_request(&cfg(), &request()).unwrap();
        let want = fixture("create_payment_with_receipt.json");
        for key in [
            "amount",
            "capture",
            "confirmation",
            "description",
            "metadata",
            "save_payment_method",
            "receipt",
        ] {
            assert_eq!(body[key], want[key], "{key}");
        }
        assert_eq!(body, want);
        // Amount and quantity are strings with two decimals, as YooKassa wants.
        assert_eq!(body["amount"]["value"], "349.00");
        assert_eq!(body["receipt"]["items"][0]["quantity"], "1.00");
        assert!(body["receipt"]["items"][0]["vat_code"].is_u64());
        assert!(
            body["receipt"].get("tax_system_code").is_none(),
            "not sent unless set"
        );
        let with_tax = YooKassa {
            tax_system_code: Some(2),
            ..cfg()
        };
        let body = payment_request(&with_tax, &request()).unwrap();
        assert_eq!(body["receipt"]["tax_system_code"], 2);
    }

    #[test]
    fn recurring_request_charges_the_saved_method_without_the_payer() {
        let mut req = request();
        req.amount = Kopecks(14950);
        req.description = "Auto-renewal, order 9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b".into();
        req.item_description = "VPN subscription, 1 month".into();
        req.order = OrderId::parse("9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b").unwrap();
        req.saved_method_id = Some("2f5a1b3c-000f-5000-9000-1a2b3c4d5e6f".into());
        let body = payment_request(&cfg(), &req).unwrap();
        assert_eq!(body, fixture("create_recurring_payment.json"));
        assert!(body.get("confirmation").is_none());
        assert!(body.get("save_payment_method").is_none());
    }

    #[test]
    fn card_saving_follows_the_settings() {
        let mut c = cfg();
        let mut req = request();
        req.save_card = false;
        assert!(
            payment_request(&c, &req)
                .unwrap()
                .get("save_payment_method")
                .is_none()
        );
        c.autopayments_require_card_binding = true;
        assert_eq!(
            payment_request(&c, &req).unwrap()["save_payment_method"],
            true
        );
        c.autopayments_enabled = false;
        req.save_card = true;
        assert!(
            payment_request(&c, &req)
                .unwrap()
                .get("save_payment_method")
                .is_none(),
            "autopayments off: never save"
        );
    }

    #[test]
    fn receipt_email_return_url_and_long_descriptions() {
        let mut c = cfg();
        let mut req = request();
        req.email = None;
        let body = payment_request(&c, &req).unwrap();
        assert_eq!(
            body["receipt"]["customer"]["email"],
            "receipts@shop.example"
        );
        c.default_receipt_email = None;
        assert!(
            payment_request(&c, &req).unwrap().get("receipt").is_none(),
            "no email at all: no receipt rather than an invalid one"
        );

        req.description = "Я".repeat(200);
        req.item_description = "x".repeat(129);
        req.email = Some("a@b.example".into());
        let body = payment_request(&c, &req).unwrap();
        assert_eq!(body["description"].as_str().unwrap().chars().count(), 128);
        assert_eq!(
            body["receipt"]["items"][0]["description"]
                .as_str()
                .unwrap()
                .len(),
            128
        );

        c.return_url = None;
        assert!(matches!(
            payment_request(&c, &req),
            Err(PayError::Refused(_))
        ));
        req.fallback_return_url = Some("https://t.me/fallback_bot".into());
        assert_eq!(
            payment_request(&c, &req).unwrap()["confirmation"]["return_url"],
            "https://t.me/fallback_bot"
        );
    }

    #[test]
    fn notifications_name_an_event_and_an_object() {
        let n = parse_notification(&raw("notification_payment_succeeded.json")).unwrap();
        assert_eq!(n.event, "payment.succeeded");
        assert_eq!(n.object_id, "2f5a1b3c-000f-5000-9000-1a2b3c4d5e6f");
        let n = parse_notification(&raw("notification_payment_waiting_for_capture.json")).unwrap();
        assert_eq!(n.event, "payment.waiting_for_capture");
        let n = parse_notification(&raw("notification_refund_succeeded.json")).unwrap();
        assert_eq!(n.event, "refund.succeeded");
        assert_eq!(n.object_id, "2f5a2e11-0015-5000-8000-0b1c2d3e4f50");

        for junk in [
            &b"not json"[..],
            br#"{"type":"notification","object":{"id":"x"}}"#,
            br#"{"type":"notification","event":"payment.succeeded","object":{}}"#,
            br#"{"type":"other","event":"payment.succeeded","object":{"id":"x"}}"#,
            br#"[]"#,
        ] {
            assert!(
                matches!(parse_notification(junk), Err(PayError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(junk)
            );
        }
    }

    #[test]
    fn payment_objects_parse_with_saved_methods_and_empty_metadata() {
        let v = fixture("notification_payment_succeeded.json");
        let p = parse_payment(&v["object"]).unwrap();
        assert_eq!(p.status, YooStatus::Succeeded);
        assert!(p.paid);
        assert_eq!(p.amount, Money::rub(Kopecks(34900)));
        assert_eq!(p.order_id, Some(order()));
        assert_eq!(
            p.saved_method_id(),
            Some("2f5a1b3c-000f-5000-9000-1a2b3c4d5e6f")
        );
        assert!(p.test);

        let v = fixture("notification_payment_waiting_for_capture.json");
        let p = parse_payment(&v["object"]).unwrap();
        assert_eq!(p.status, YooStatus::WaitingForCapture);
        assert_eq!(p.order_id, None, "metadata is {{}}");
        assert_eq!(p.saved_method_id(), None, "method not saved");
        assert_eq!(p.amount.minor(), 500);
    }

    #[test]
    fn refund_amounts_may_be_json_numbers() {
        let v = fixture("notification_refund_succeeded.json");
        let r = parse_refund(&v["object"]).unwrap();
        assert_eq!(
            r.amount,
            Money::rub(Kopecks(17450)),
            "value 174.5 as a number"
        );
        assert_eq!(r.status, YooStatus::Pending);
        assert_eq!(r.payment_id, "2f5a1b3c-000f-5000-9000-1a2b3c4d5e6f");
    }

    #[test]
    fn the_api_state_decides_the_event() {
        let v = fixture("payment_api_succeeded.json");
        let p = parse_payment(&v).unwrap();
        assert_eq!(
            payment_event(&p),
            YooEvent::PaymentSucceeded {
                order_id: Some(order()),
                amount: Money::rub(Kopecks(34900)),
                payment_id: "2f5a1b3c-000f-5000-9000-1a2b3c4d5e6f".into(),
                saved_method: Some(YooPaymentMethod {
                    id: "2f5a1b3c-000f-5000-9000-1a2b3c4d5e6f".into(),
                    kind: "bank_card".into(),
                    saved: true,
                    title: Some("Bank card *1026".into()),
                    card_type: Some("Mir".into()),
                    last4: Some("1026".into()),
                }),
            }
        );
        // The notification said succeeded; the API says pending: not paid.
        let mut pending = v.clone();
        pending["status"] = json!("pending");
        pending["paid"] = json!(false);
        assert_eq!(
            payment_event(&parse_payment(&pending).unwrap()),
            YooEvent::Other("payment.pending".into())
        );
        // Succeeded but not paid is not money.
        let mut odd = v.clone();
        odd["paid"] = json!(false);
        assert_eq!(
            payment_event(&parse_payment(&odd).unwrap()),
            YooEvent::Other("payment.succeeded".into())
        );
        let mut canceled = v.clone();
        canceled["status"] = json!("canceled");
        canceled["paid"] = json!(false);
        canceled["cancellation_details"] =
            json!({"party": "yoo_money", "reason": "expired_on_confirmation"});
        let p = parse_payment(&canceled).unwrap();
        assert_eq!(
            p.cancellation_reason.as_deref(),
            Some("expired_on_confirmation")
        );
        assert_eq!(
            payment_event(&p),
            YooEvent::PaymentCanceled {
                order_id: Some(order()),
                payment_id: "2f5a1b3c-000f-5000-9000-1a2b3c4d5e6f".into()
            }
        );

        let r = parse_refund(&fixture("notification_refund_succeeded.json")["object"]).unwrap();
        assert_eq!(refund_event(&r), YooEvent::Other("refund.pending".into()));
        let mut done = fixture("notification_refund_succeeded.json")["object"].clone();
        done["status"] = json!("succeeded");
        assert_eq!(
            refund_event(&parse_refund(&done).unwrap()),
            YooEvent::RefundSucceeded {
                payment_id: "2f5a1b3c-000f-5000-9000-1a2b3c4d5e6f".into(),
                refund_id: "2f5a2e11-0015-5000-8000-0b1c2d3e4f50".into(),
                amount: Money::rub(Kopecks(17450)),
            }
        );
    }

    #[test]
    fn amounts_that_are_not_money_are_malformed() {
        let mut v = fixture("payment_api_succeeded.json");
        for bad in [json!("1.005"), json!("-1.00"), json!("1e3"), json!(null)] {
            v["amount"]["value"] = bad.clone();
            assert!(
                matches!(parse_payment(&v), Err(PayError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn notification_addresses() {
        let c = cfg();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        for (addr, trusted) in [
            ("185.71.76.0", true),
            ("185.71.76.31", true),
            ("185.71.76.32", false),
            ("185.71.75.255", false),
            ("185.71.77.17", true),
            ("77.75.156.11", true),
            ("77.75.156.12", false),
            ("77.75.154.128", true),
            ("77.75.154.255", true),
            ("77.75.154.127", false),
            ("2a02:5180:0:1509::1", true),
            ("2a02:5181::1", false),
            ("8.8.8.8", false),
            ("::ffff:185.71.76.10", true),
            ("::ffff:185.71.76.40", false),
            ("::1", false),
        ] {
            assert_eq!(trusted_source(&c, ip(addr)), trusted, "{addr}");
        }
        assert!(!trusted_source(&c, None), "unknown sender");
    }

    #[tokio::test]
    async fn a_foreign_sender_is_refused_before_the_api_is_asked() {
        // api_url points at a closed port: asking it would give Unavailable.
        let http = reqwest::Client::new();
        let body = raw("notification_payment_succeeded.json");
        for from in [
            Some("185.71.76.32".parse().unwrap()),
            Some("::ffff:8.8.8.8".parse().unwrap()),
            None,
        ] {
            match verify_notification(&http, &cfg(), from, &body).await {
                Err(PayError::NotAuthentic(_)) => {}
                other => panic!("{from:?}: {other:?}"),
            }
        }
        // From a YooKassa address the API is asked, and it cannot be reached.
        match verify_notification(&http, &cfg(), Some("185.71.76.5".parse().unwrap()), &body).await
        {
            Err(PayError::Unavailable(_)) => {}
            other => panic!("{other:?}"),
        }
        // Junk from a YooKassa address is malformed, and no id reaches a URL path.
        match verify_notification(
            &http,
            &cfg(),
            Some("185.71.76.5".parse().unwrap()),
            br#"{"event":"payment.succeeded","object":{"id":"../refunds/x"}}"#,
        )
        .await
        {
            Err(PayError::NotAuthentic(_)) => {}
            other => panic!("{other:?}"),
        }
        // Events we do not fetch are verified by address only and move no money.
        let v = verify_notification(
            &http,
            &cfg(),
            Some("77.75.156.35".parse().unwrap()),
            br#"{"type":"notification","event":"payout.succeeded","object":{"id":"po-1"}}"#,
        )
        .await
        .unwrap();
        assert_eq!(v.into_inner(), YooEvent::Other("payout.succeeded".into()));
    }
}
