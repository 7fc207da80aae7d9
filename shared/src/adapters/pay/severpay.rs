//! SeverPay: payment links (SBP, cards) and their notifications.
//!
//! Every request is a `POST` whose JSON body carries `mid`, a random `salt`
//! and `sign` = hex HMAC-SHA256 (key: the token) of the body's other
//! members written as remnawave-tg-shop writes them: top-level keys sorted,
//! `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`. We send
//! exactly those bytes with `"sign"` appended as the last member.
//!
//! A notification `{"type":"payin","data":{...},"salt":...,"sign":...}` is
//! signed over Python's re-serialisation of its decoded body without
//! `sign` ([`super::pyjson`]): the Python bots check it with the keys as
//! received or sorted, non-ASCII kept or escaped, so any of those four
//! forms is accepted. The signature only admits the notification: the
//! payment's status, amount and order are then read back from SeverPay's
//! API (`POST /payin/get`), and only that answer can credit.

use super::pyjson::{self, PyValue, Style};
use super::wire::{self, API_TIMEOUT, hmac_sha256_hex};
use super::{Money, OrderId, PayError, Verified, hex_eq, parse_minor};
use crate::base::config::SeverPay;
use crate::base::types::{Kopecks, TelegramId};
use serde_json::Value;

const PROVIDER: &str = crate::base::types::Provider::Severpay.code();

/// The body SeverPay expects back from a notification it may stop sending.
pub const ANSWER: &str = r#"{"status":true}"#;

/// The currency we charge in.
pub const CURRENCY: &str = "RUB";

/// A payment to create.
#[derive(Debug, Clone)]
pub struct CreatePayin {
    /// Our order id (`order_id`).
    pub order: OrderId,
    /// The price.
    pub amount: Kopecks,
    /// The buyer (`client_id`, and `client_email` as `<id>@telegram.org`, as
    /// remnawave-tg-shop sends them).
    pub user: TelegramId,
    /// Where to return when SEVERPAY_RETURN_URL is unset (the bot's link).
    pub fallback_return_url: Option<String>,
}

/// A created payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPayin {
    /// SeverPay's payment id (our provider reference).
    pub id: String,
    /// The payment page.
    pub url: String,
}

/// A payment's status at SeverPay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpStatus {
    /// Created, not paid yet (`new`).
    New,
    /// Being paid (`process`).
    Process,
    /// Paid (`success`).
    Success,
    /// Declined by the bank (`decline`).
    Decline,
    /// Expired or failed (`fail`).
    Fail,
    /// Anything else, as sent.
    Other(String),
}

impl SpStatus {
    /// Reads a status, in any case.
    pub fn parse(s: &str) -> SpStatus {
        match s.trim().to_ascii_lowercase().as_str() {
            "new" => SpStatus::New,
            "process" => SpStatus::Process,
            "success" => SpStatus::Success,
            "decline" => SpStatus::Decline,
            "fail" => SpStatus::Fail,
            other => SpStatus::Other(other.to_owned()),
        }
    }

    /// Whether the payment will not be paid any more.
    pub fn is_closed(&self) -> bool {
        matches!(self, SpStatus::Decline | SpStatus::Fail)
    }
}

/// A payment as SeverPay's API reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct SpPayin {
    /// SeverPay's payment id.
    pub id: String,
    /// Our order, when its `order_id` is one of ours.
    pub order_id: Option<OrderId>,
    /// `order_id` as sent (an imported payment names the old bot's id).
    pub merchant_order: Option<String>,
    /// Its status.
    pub status: SpStatus,
    /// What was paid (`amount` and `currency`; a missing currency is
    /// rubles, the only one we create payments in).
    pub amount: Option<Money>,
}

/// A fresh random salt (16 hex characters, as the bots send).
fn salt() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_owned()
}

/// The signed request body for `params` (without `mid` and `salt`, added
/// here): the bytes signed, with `"sign"` appended as the last member.
pub fn signed_body(cfg: &SeverPay, params: Vec<(&str, PyValue)>, salt: &str) -> String {
    let mut members: Vec<(String, PyValue)> = vec![
        ("mid".into(), PyValue::Int(cfg.mid.to_string())),
        ("salt".into(), PyValue::Str(salt.to_owned())),
    ];
    members.extend(params.into_iter().map(|(k, v)| (k.to_owned(), v)));
    members.sort_by(|a, b| a.0.cmp(&b.0));
    let signed = pyjson::dumps(
        &PyValue::Object(members),
        Style {
            sort_keys: true,
            ensure_ascii: false,
        },
    );
    let sign = hmac_sha256_hex(cfg.token.as_bytes(), signed.as_bytes());
    format!("{},\"sign\":\"{sign}\"}}", &signed[..signed.len() - 1])
}

/// The `payin/create` parameters of `req` (amount as `"199.00"`, as
/// remnawave-tg-shop sends it).
pub fn create_params(cfg: &SeverPay, req: &CreatePayin) -> Vec<(&'static str, PyValue)> {
    let back = cfg
        .return_url
        .clone()
        .or_else(|| req.fallback_return_url.clone());
    let mut params = vec![
        ("order_id", PyValue::Str(req.order.0.clone())),
        ("amount", PyValue::Str(req.amount.two_decimals())),
        ("currency", PyValue::Str(CURRENCY.into())),
        (
            "client_email",
            PyValue::Str(format!("{}@telegram.org", req.user)),
        ),
        ("client_id", PyValue::Str(req.user.to_string())),
    ];
    if let Some(url) = back {
        params.push(("url_return", PyValue::Str(url)));
    }
    if let Some(minutes) = cfg.lifetime_minutes {
        params.push(("lifetime", PyValue::Int(minutes.to_string())));
    }
    params
}

/// Creates a payment (`POST {base}/payin/create`).
pub async fn create_payin(
    http: &reqwest::Client,
    cfg: &SeverPay,
    req: &CreatePayin,
) -> Result<CreatedPayin, PayError> {
    let data = call(http, cfg, "payin/create", create_params(cfg, req)).await?;
    let id = wire::id_text(&data["id"])
        .ok_or_else(|| PayError::Malformed("severpay: created payment has no id".into()))?;
    let url = data["url"]
        .as_str()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or_else(|| PayError::Malformed("severpay: created payment has no url".into()))?;
    Ok(CreatedPayin {
        id,
        url: url.to_owned(),
    })
}

/// An id as sent back to `payin/get`: a number when it is one.
fn id_value(id: &str) -> PyValue {
    if !id.is_empty()
        && id.len() < 20
        && id.bytes().all(|b| b.is_ascii_digit())
        && !id.starts_with('0')
    {
        PyValue::Int(id.to_owned())
    } else {
        PyValue::Str(id.to_owned())
    }
}

/// Reads a payment (`POST {base}/payin/get`).
pub async fn get_payin(
    http: &reqwest::Client,
    cfg: &SeverPay,
    id: &str,
) -> Result<SpPayin, PayError> {
    let data = call(http, cfg, "payin/get", vec![("id", id_value(id))]).await?;
    parse_payin(&data)
}

/// A payment object of the API.
pub fn parse_payin(data: &Value) -> Result<SpPayin, PayError> {
    let id = wire::id_text(&data["id"])
        .ok_or_else(|| PayError::Malformed("severpay: payment without id".into()))?;
    let merchant_order = wire::id_text(&data["order_id"]);
    let status = SpStatus::parse(data["status"].as_str().unwrap_or(""));
    let currency = data["currency"].as_str().unwrap_or(CURRENCY);
    let amount = wire::amount_text(&data["amount"])
        .and_then(|text| parse_minor(&text, 2))
        .and_then(|minor| Money::from_minor(minor, currency));
    Ok(SpPayin {
        id,
        order_id: merchant_order.as_deref().and_then(OrderId::parse),
        merchant_order,
        status,
        amount,
    })
}

/// What a signed notification says, before it is checked with the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpNotice {
    /// A payment changed: its SeverPay id and the status the notification claims.
    Payin(String, SpStatus),
    /// Another kind (`test`, payouts): acknowledged, no effect.
    Other(String),
}

/// Checks a notification's signature over Python's serialisations of its
/// body: `NotAuthentic` when no form matches (or `sign` is missing),
/// `Malformed` for a body that is not a JSON object.
pub fn check_signature(cfg: &SeverPay, body: &[u8]) -> Result<SpNotice, PayError> {
    let doc = pyjson::parse(body).map_err(|e| PayError::Malformed(format!("severpay: {e}")))?;
    let PyValue::Object(members) = doc else {
        return Err(PayError::Malformed("severpay: not a JSON object".into()));
    };
    let Some(sign) = members
        .iter()
        .find(|(k, _)| k == "sign")
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned)
    else {
        return Err(PayError::NotAuthentic("severpay: no sign".into()));
    };
    let unsigned = PyValue::Object(members.into_iter().filter(|(k, _)| k != "sign").collect());
    let authentic = Style::ALL.iter().any(|style| {
        let text = pyjson::dumps(&unsigned, *style);
        hex_eq(
            &hmac_sha256_hex(cfg.token.as_bytes(), text.as_bytes()),
            &sign,
        )
    });
    if !authentic {
        return Err(PayError::NotAuthentic("severpay: bad sign".into()));
    }
    let kind = unsigned
        .get("type")
        .and_then(PyValue::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if kind != "payin" {
        return Ok(SpNotice::Other(kind));
    }
    let data = unsigned.get("data");
    let claimed = SpStatus::parse(
        data.and_then(|d| d.get("status"))
            .and_then(PyValue::as_str)
            .unwrap_or(""),
    );
    data.and_then(|d| d.get("id"))
        .and_then(PyValue::id_text)
        .map(|id| SpNotice::Payin(id, claimed))
        .ok_or_else(|| PayError::Malformed("severpay: payin without data.id".into()))
}

/// An authentic notification: the status it claimed and the payment as the
/// API reports it now (which alone decides).
#[derive(Debug, Clone, PartialEq)]
pub struct SpVerified {
    /// The status the notification claimed.
    pub claimed: SpStatus,
    /// The payment read back from the API.
    pub payin: SpPayin,
}

/// Proves a notification: its signature, then the payment as the API
/// reports it now. `None` for an authentic notification that is not about
/// a payment. `Unavailable` when the API cannot be asked (answer 5xx so
/// SeverPay delivers again).
pub async fn verify_notification(
    http: &reqwest::Client,
    cfg: &SeverPay,
    body: &[u8],
) -> Result<Verified<Option<SpVerified>>, PayError> {
    let (id, claimed) = match check_signature(cfg, body)? {
        SpNotice::Payin(id, claimed) => (id, claimed),
        SpNotice::Other(kind) => {
            tracing::info!(kind, "severpay notification without effect");
            return Ok(Verified::trust(None));
        }
    };
    let payin = get_payin(http, cfg, &id).await?;
    if payin.id != id {
        return Err(PayError::NotAuthentic(format!(
            "severpay: asked for payment {id}, the API answered {}",
            payin.id
        )));
    }
    Ok(Verified::trust(Some(SpVerified { claimed, payin })))
}

/// One signed call; the `data` of a `{"status": true, "data": ...}` answer.
async fn call(
    http: &reqwest::Client,
    cfg: &SeverPay,
    path: &str,
    params: Vec<(&str, PyValue)>,
) -> Result<Value, PayError> {
    let body = signed_body(cfg, params, &salt());
    let (status, text) = wire::exchange(
        PROVIDER,
        http.post(format!("{}/{path}", cfg.base_url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .timeout(API_TIMEOUT),
    )
    .await?;
    let answer: Option<Value> = serde_json::from_str(&text).ok();
    let msg = answer
        .as_ref()
        .and_then(|a| a["msg"].as_str())
        .unwrap_or("")
        .to_owned();
    if status == 401 || status == 403 {
        // Our mid or token refused: our side to fix; a notification is retried.
        return Err(PayError::Unavailable(format!(
            "severpay: HTTP {status}, mid or token refused {msg}"
        )));
    }
    if !(200..300).contains(&status) {
        return Err(wire::status_error(PROVIDER, status, &msg));
    }
    let Some(answer) = answer else {
        return Err(PayError::Unavailable(format!(
            "severpay: HTTP {status} with a body that is not JSON"
        )));
    };
    if answer["status"] != Value::Bool(true) {
        return Err(PayError::Refused(format!(
            "severpay: {path} refused: {msg}"
        )));
    }
    Ok(answer["data"].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated by `tests/fixtures/severpay/make_vectors.py` with Python's json module.
    fn vectors() -> Value {
        let path = format!(
            "{}/../tests/fixtures/severpay/vectors.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(&path).expect(&path)).expect("JSON")
    }

    fn cfg(token: &str) -> SeverPay {
        SeverPay {
            mid: 1042,
            token: token.into(),
            return_url: None,
            lifetime_minutes: Some(60),
            base_url: "http://127.0.0.1:9".into(),
        }
    }

    fn style(name: &str) -> Style {
        Style {
            sort_keys: name.starts_with("sorted"),
            ensure_ascii: name.ends_with("ascii"),
        }
    }

    #[test]
    fn serialisation_matches_python_byte_for_byte() {
        let v = vectors();
        let token = v["token"].as_str().unwrap();
        for case in v["webhooks"].as_array().unwrap() {
            let doc = pyjson::parse(case["raw"].as_str().unwrap().as_bytes()).expect("parses");
            for (name, want) in case["dumps"].as_object().unwrap() {
                let got = pyjson::dumps(&doc, style(name));
                assert_eq!(got, want.as_str().unwrap(), "{name}");
                assert_eq!(
                    hmac_sha256_hex(token.as_bytes(), got.as_bytes()),
                    case["sign"][name].as_str().unwrap()
                );
            }
        }
    }

    /// The body as received with `"sign"` added last.
    fn signed(raw: &str, sign: &str) -> Vec<u8> {
        format!("{},\"sign\":\"{sign}\"}}", &raw[..raw.len() - 1]).into_bytes()
    }

    #[test]
    fn every_python_form_of_the_signature_is_accepted() {
        let v = vectors();
        let c = cfg(v["token"].as_str().unwrap());
        for case in v["webhooks"].as_array().unwrap() {
            let raw = case["raw"].as_str().unwrap();
            for (_, sign) in case["sign"].as_object().unwrap() {
                let got = check_signature(&c, &signed(raw, sign.as_str().unwrap()));
                assert!(got.is_ok(), "{raw}: {got:?}");
            }
        }
        let first = &v["webhooks"][0];
        let raw = first["raw"].as_str().unwrap();
        let sign = first["sign"]["received_utf8"].as_str().unwrap();
        assert_eq!(
            check_signature(&c, &signed(raw, sign)).unwrap(),
            SpNotice::Payin("90211".into(), SpStatus::Success)
        );
        assert_eq!(
            check_signature(
                &c,
                &signed(
                    v["webhooks"][4]["raw"].as_str().unwrap(),
                    v["webhooks"][4]["sign"]["sorted_utf8"].as_str().unwrap()
                )
            )
            .unwrap(),
            SpNotice::Other("test".into())
        );
    }

    #[test]
    fn forgeries_are_refused() {
        let v = vectors();
        let first = &v["webhooks"][0];
        let raw = first["raw"].as_str().unwrap();
        let sign = first["sign"]["received_utf8"].as_str().unwrap();
        let good = cfg(v["token"].as_str().unwrap());
        let not_authentic = |c: &SeverPay, body: &[u8]| {
            matches!(check_signature(c, body), Err(PayError::NotAuthentic(_)))
        };
        assert!(not_authentic(&cfg("another-token"), &signed(raw, sign)));
        let tampered = raw.replace("199.0", "1990.0");
        assert!(not_authentic(&good, &signed(&tampered, sign)));
        assert!(not_authentic(&good, raw.as_bytes()), "no sign");
        assert!(not_authentic(&good, &signed(raw, &"0".repeat(64))));
        assert!(matches!(
            check_signature(&good, b"[1]"),
            Err(PayError::Malformed(_))
        ));
    }

    #[test]
    fn requests_are_signed_as_remnawave_tg_shop_signs_them() {
        let v = vectors();
        let want = &v["create"];
        let c = cfg(v["token"].as_str().unwrap());
        let order = OrderId(want["params"]["order_id"].as_str().unwrap().into());
        let params = create_params(
            &c,
            &CreatePayin {
                order,
                amount: Kopecks(19_900),
                user: TelegramId(5_000_001),
                fallback_return_url: Some("https://t.me/test_shop_bot".into()),
            },
        );
        let salt = want["params"]["salt"].as_str().unwrap();
        let body = signed_body(&c, params, salt);
        let signed_text = want["signed"].as_str().unwrap();
        let sign = want["sign"].as_str().unwrap();
        assert_eq!(
            body,
            format!(
                "{},\"sign\":\"{sign}\"}}",
                &signed_text[..signed_text.len() - 1]
            )
        );
    }

    #[test]
    fn payments_read_from_the_api() {
        let p = parse_payin(&serde_json::json!({
            "id": 90211, "order_id": "4be1c1e2b0a84f4c9d3e2a1b0c9d8e7fx5000001",
            "amount": 199.0, "currency": "RUB", "status": "SUCCESS"
        }))
        .unwrap();
        assert_eq!(p.status, SpStatus::Success);
        assert_eq!(p.amount, Some(Money::rub(Kopecks(19_900))));
        assert_eq!(p.order_id.unwrap().buyer(), Some(5_000_001));
        let p = parse_payin(
            &serde_json::json!({"id": "x", "amount": "10.5", "currency": "USD", "status": "fail"}),
        )
        .unwrap();
        assert!(p.status.is_closed() && p.order_id.is_none());
        assert_eq!(p.amount.unwrap().currency(), "USD");
        assert_eq!(id_value("90211"), PyValue::Int("90211".into()));
        assert_eq!(id_value("sp-1"), PyValue::Str("sp-1".into()));
    }
}
