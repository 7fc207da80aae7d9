//! FreeKassa: the payment form (MD5 signature with the first secret), the
//! API's `orders/create` and `orders` (an order's status; both HMAC-SHA256
//! with the API key), and payment
//! notifications (MD5 with the second secret, from FreeKassa's addresses),
//! answered with [`SUCCESS_BODY`].
//!
//! Amounts are written as [`Kopecks::display_rubles`]: `"299"` for whole
//! rubles, `"299.50"` otherwise, and the very same text goes into the URL and
//! into the signature. Notifications are read with two decimals, so
//! `AMOUNT=299` and `AMOUNT=299.00` are both 29900 kopecks; the signature is
//! checked over the text exactly as received. FreeKassa does not send the
//! currency in a notification: it is the shop's, RUB, as in our forms.

use super::wire::{self, API_TIMEOUT};
use super::{Money, OrderId, PayError, Verified, hex_eq, parse_minor};
use crate::base::config::{FreeKassa, allowed};
use crate::base::types::{Kopecks, Lang, TelegramId};
use md5::{Digest, Md5};
use serde_json::{Map, Value, json};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

const PROVIDER: &str = crate::base::types::Provider::Freekassa.code();

/// What a notification must be answered with (HTTP 200).
pub const SUCCESS_BODY: &str = "YES";

/// The currency of our forms and orders.
pub const CURRENCY: &str = "RUB";

/// Lower-case hex MD5 of `text`.
fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// An amount as the form and the API get it: "299", or "299.50".
pub fn amount_text(amount: Kopecks) -> String {
    amount.display_rubles()
}

/// The form signature `md5(m:oa:secret1:currency:o)`.
pub fn form_signature(cfg: &FreeKassa, amount: &str, currency: &str, order: &str) -> String {
    md5_hex(&format!(
        "{}:{amount}:{}:{currency}:{order}",
        cfg.merchant_id, cfg.first_secret
    ))
}

/// The payment form link for an order:
/// `{FREEKASSA_PAYMENT_URL}?m=&oa=&currency=RUB&o=&s=&lang=` (+ `i=` with a
/// fixed method, `em=` with the payer's email).
pub fn payment_url(
    cfg: &FreeKassa,
    order: &OrderId,
    amount: Kopecks,
    email: Option<&str>,
    lang: Lang,
) -> String {
    let oa = amount_text(amount);
    let s = form_signature(cfg, &oa, CURRENCY, &order.0);
    let mut params: Vec<(&str, String)> = vec![
        ("m", cfg.merchant_id.clone()),
        ("oa", oa),
        ("currency", CURRENCY.to_owned()),
        ("o", order.0.clone()),
        ("s", s),
        ("lang", lang.code().to_owned()),
    ];
    if let Some(i) = cfg.payment_method_id {
        params.push(("i", i.to_string()));
    }
    if let Some(e) = email.filter(|e| !e.trim().is_empty()) {
        params.push(("em", e.trim().to_owned()));
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let sep = if cfg.payment_url.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{sep}{query}", cfg.payment_url)
}

// ---------------------------------------------------------------------------
// API: orders/create
// ---------------------------------------------------------------------------

/// What we ask the API to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOrder {
    /// Our order (`paymentId`).
    pub order: OrderId,
    /// The price.
    pub amount: Kopecks,
    /// The payer's email; FreeKassa requires one, so `<telegram id>@telegram.org` otherwise.
    pub email: Option<String>,
    /// The buyer.
    pub user: TelegramId,
}

/// The API's `signature`: HMAC-SHA256 (key = API key) of the values of every
/// other field, sorted by field name, joined with `|`. A value is signed as
/// the JSON carries it: strings as they are, numbers as JSON writes them.
pub fn api_signature(api_key: &str, fields: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = fields.keys().filter(|k| *k != "signature").collect();
    keys.sort();
    let joined: Vec<String> = keys
        .iter()
        .map(|k| match &fields[*k] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    wire::hmac_sha256_hex(api_key.as_bytes(), joined.join("|").as_bytes())
}

/// The amount as a JSON number: an integer for whole rubles (`299`), a
/// decimal otherwise (`299.5`). Signing the same JSON value keeps the
/// signed text and the sent text identical.
fn api_amount(amount: Kopecks) -> Value {
    if amount.0.is_multiple_of(100) {
        json!(amount.0 / 100)
    } else {
        // Parsing the decimal text gives the nearest double, which JSON writes back as that text.
        let f: f64 = amount.two_decimals().parse().unwrap_or_default();
        json!(f)
    }
}

/// The signed JSON body of `orders/create` with the given `nonce`.
pub fn order_request(cfg: &FreeKassa, req: &CreateOrder, nonce: u64) -> Result<Value, PayError> {
    let api_key = cfg.api_key.as_deref().ok_or_else(|| {
        PayError::Refused("freekassa: FREEKASSA_API_KEY is not set; use the payment form".into())
    })?;
    let ip = cfg.payment_ip.as_deref().ok_or_else(|| {
        PayError::Refused("freekassa: FREEKASSA_PAYMENT_IP is required by orders/create".into())
    })?;
    let shop_id = match cfg.merchant_id.parse::<u64>() {
        Ok(n) => json!(n),
        Err(_) => json!(cfg.merchant_id),
    };
    let email = req
        .email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| format!("{}@telegram.org", req.user.0));
    let mut fields = Map::new();
    fields.insert("shopId".into(), shop_id);
    fields.insert("nonce".into(), json!(nonce));
    fields.insert("paymentId".into(), json!(req.order.0));
    if let Some(i) = cfg.payment_method_id {
        fields.insert("i".into(), json!(i));
    }
    fields.insert("email".into(), json!(email));
    fields.insert("ip".into(), json!(ip));
    fields.insert("amount".into(), api_amount(req.amount));
    fields.insert("currency".into(), json!(CURRENCY));
    let signature = api_signature(api_key, &fields);
    fields.insert("signature".into(), json!(signature));
    Ok(Value::Object(fields))
}

/// The last nonce this process used: nonces must strictly increase per shop.
static LAST_NONCE: AtomicU64 = AtomicU64::new(0);

/// A millisecond timestamp, strictly greater than any this process gave before.
fn next_nonce() -> u64 {
    let now = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or_default();
    let mut last = LAST_NONCE.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST_NONCE.compare_exchange(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// One signed API call (`POST {api_url}/{path}`): the answer's JSON when
/// FreeKassa says `success`, else why not (`{"type":"error","message":".."}`).
async fn api_call(
    http: &reqwest::Client,
    cfg: &FreeKassa,
    path: &str,
    body: &Value,
) -> Result<Value, PayError> {
    let (status, text) = wire::exchange(
        PROVIDER,
        http.post(format!("{}/{path}", cfg.api_url))
            .json(body)
            .timeout(API_TIMEOUT),
    )
    .await?;
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let message = v["message"].as_str().unwrap_or_default().to_owned();
    if !(200..300).contains(&status) {
        return Err(wire::status_error(PROVIDER, status, &message));
    }
    if v["type"] != "success" {
        if v.is_null() {
            return Err(PayError::Unavailable(format!(
                "freekassa: HTTP {status} with a body that is not JSON"
            )));
        }
        return Err(PayError::Refused(format!("freekassa: {message}")));
    }
    Ok(v)
}

/// Creates an order through the API (`POST {api_url}/orders/create`) and
/// returns the payment page (`location`). Needs `FREEKASSA_API_KEY` and
/// `FREEKASSA_PAYMENT_IP`; without an API key use [`payment_url`].
pub async fn create_order(
    http: &reqwest::Client,
    cfg: &FreeKassa,
    req: &CreateOrder,
) -> Result<String, PayError> {
    let body = order_request(cfg, req, next_nonce())?;
    // {"type":"success","orderId":1,"orderHash":"..","location":".."}
    let v = api_call(http, cfg, "orders/create", &body).await?;
    v["location"]
        .as_str()
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
        .map(str::to_owned)
        .ok_or_else(|| PayError::Malformed("freekassa: success without a location".into()))
}

/// What FreeKassa's `orders` list says about one of our orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FkOrder {
    /// FreeKassa's order id (`fk_order_id`; a notification's `intid`).
    pub fk_order_id: String,
    /// The amount, in the order's currency.
    pub amount: Money,
    /// Its state.
    pub status: FkStatus,
}

/// A FreeKassa order's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FkStatus {
    /// `1`: paid.
    Paid,
    /// `8` (error) or `9` (canceled): it will not be paid.
    Failed,
    /// `0` (new) or anything else: not decided.
    Pending,
}

impl FkStatus {
    /// From the API's number.
    pub fn from_code(code: i64) -> FkStatus {
        match code {
            1 => FkStatus::Paid,
            8 | 9 => FkStatus::Failed,
            _ => FkStatus::Pending,
        }
    }
}

/// The signed JSON body of `orders` asking about our order `order`
/// (`paymentId`), with the given `nonce`.
pub fn status_request(cfg: &FreeKassa, order: &OrderId, nonce: u64) -> Result<Value, PayError> {
    let api_key = cfg.api_key.as_deref().ok_or_else(|| {
        PayError::Refused("freekassa: FREEKASSA_API_KEY is not set; orders cannot be asked".into())
    })?;
    let shop_id = match cfg.merchant_id.parse::<u64>() {
        Ok(n) => json!(n),
        Err(_) => json!(cfg.merchant_id),
    };
    let mut fields = Map::new();
    fields.insert("shopId".into(), shop_id);
    fields.insert("nonce".into(), json!(nonce));
    fields.insert("paymentId".into(), json!(order.0));
    let signature = api_signature(api_key, &fields);
    fields.insert("signature".into(), json!(signature));
    Ok(Value::Object(fields))
}

/// Reads one entry of the `orders` list; `None` when it is not about
/// `order` or unreadable.
pub fn parse_order(v: &Value, order: &OrderId) -> Option<FkOrder> {
    let merchant = match &v["merchant_order_id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if merchant != order.0 {
        return None;
    }
    let amount_text = match &v["amount"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let minor = parse_minor(&amount_text, 2)?;
    let fk_order_id = match &v["fk_order_id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let status = match &v["status"] {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    Some(FkOrder {
        fk_order_id,
        amount: Money::from_minor(minor, v["currency"].as_str().unwrap_or(CURRENCY))?,
        status: FkStatus::from_code(status),
    })
}

/// Asks FreeKassa about our order `order` (`POST {api_url}/orders` with
/// `paymentId`). `None`: FreeKassa has no such order (the payer never
/// reached the form, or it was made with the form, not the API). Needs
/// `FREEKASSA_API_KEY`.
pub async fn order_status(
    http: &reqwest::Client,
    cfg: &FreeKassa,
    order: &OrderId,
) -> Result<Option<FkOrder>, PayError> {
    let body = status_request(cfg, order, next_nonce())?;
    // {"type":"success","pages":1,"orders":[{"merchant_order_id":"..","fk_order_id":1,"amount":199,"currency":"RUB","status":1,..}]}
    let v = api_call(http, cfg, "orders", &body).await?;
    let orders = v["orders"]
        .as_array()
        .ok_or_else(|| PayError::Malformed("freekassa: success without orders".into()))?;
    Ok(orders.iter().find_map(|o| parse_order(o, order)))
}

// ---------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------

/// Decodes `application/x-www-form-urlencoded` text (a POST body or a query
/// string): `+` is a space, `%XX` a byte, pairs without `=` have an empty
/// value, and bytes that are not UTF-8 become U+FFFD.
pub fn parse_form(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

/// A payment FreeKassa reports, proven authentic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FkNotification {
    /// `MERCHANT_ORDER_ID` as received.
    pub merchant_order_id: String,
    /// Our order, when `MERCHANT_ORDER_ID` is one of our order ids.
    pub order_id: Option<OrderId>,
    /// `AMOUNT` in the shop's currency (RUB).
    pub amount: Money,
    /// FreeKassa's payment id (`intid`).
    pub intid: Option<String>,
    /// The payment method FreeKassa used (`CUR_ID`).
    pub cur_id: Option<String>,
    /// The payer's email (`P_EMAIL`).
    pub payer_email: Option<String>,
    /// Custom `us_*` fields, as sent.
    pub custom: Vec<(String, String)>,
}

/// Whether `ip` is one of FreeKassa's notification addresses.
pub fn trusted_source(cfg: &FreeKassa, ip: Option<IpAddr>) -> bool {
    ip.is_some_and(|ip| allowed(&cfg.allowed_ips, ip.to_canonical()))
}

/// The single value of `key`; a repeated key is refused rather than guessed.
fn single<'a>(params: &'a [(String, String)], key: &str) -> Result<Option<&'a str>, PayError> {
    let mut found = params.iter().filter(|(k, _)| k == key);
    let first = found.next().map(|(_, v)| v.as_str());
    if found.next().is_some() {
        return Err(PayError::NotAuthentic(format!(
            "freekassa: {key} given more than once"
        )));
    }
    Ok(first)
}

/// Proves a notification: the sender's address must be FreeKassa's,
/// `MERCHANT_ID` ours, and `SIGN` = md5(`MERCHANT_ID:AMOUNT:secret2:MERCHANT_ORDER_ID`)
/// over the strings exactly as received, compared in constant time ignoring case.
pub fn verify_notification(
    cfg: &FreeKassa,
    source_ip: Option<IpAddr>,
    params: &[(String, String)],
) -> Result<Verified<FkNotification>, PayError> {
    if !trusted_source(cfg, source_ip) {
        let shown = source_ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        return Err(PayError::NotAuthentic(format!(
            "freekassa: notification from {shown}, not a FreeKassa address"
        )));
    }
    let sign = single(params, "SIGN")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| PayError::NotAuthentic("freekassa: no SIGN".into()))?;
    let merchant = single(params, "MERCHANT_ID")?.unwrap_or_default();
    if merchant != cfg.merchant_id {
        return Err(PayError::NotAuthentic(format!(
            "freekassa: MERCHANT_ID {merchant:?} is not our shop"
        )));
    }
    let amount = single(params, "AMOUNT")?
        .ok_or_else(|| PayError::Malformed("freekassa: no AMOUNT".into()))?;
    let order = single(params, "MERCHANT_ORDER_ID")?
        .filter(|o| !o.is_empty())
        .ok_or_else(|| PayError::Malformed("freekassa: no MERCHANT_ORDER_ID".into()))?;
    let expected = md5_hex(&format!(
        "{merchant}:{amount}:{}:{order}",
        cfg.second_secret
    ));
    if !hex_eq(&expected, sign) {
        return Err(PayError::NotAuthentic(
            "freekassa: SIGN does not match".into(),
        ));
    }
    let minor = parse_minor(amount, 2).ok_or_else(|| {
        PayError::Unreadable(format!("freekassa: AMOUNT {amount:?} is not an amount"))
    })?;
    let text = |k: &str| -> Result<Option<String>, PayError> {
        Ok(single(params, k)?
            .filter(|v| !v.is_empty())
            .map(str::to_owned))
    };
    Ok(Verified::trust(FkNotification {
        merchant_order_id: order.to_owned(),
        order_id: OrderId::parse(order),
        amount: Money::rub(Kopecks(minor)),
        intid: text("intid")?,
        cur_id: text("CUR_ID")?,
        payer_email: text("P_EMAIL")?,
        custom: params
            .iter()
            .filter(|(k, _)| k.starts_with("us_"))
            .cloned()
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::IpNet;

    fn cfg() -> FreeKassa {
        FreeKassa {
            merchant_id: "27310".into(),
            first_secret: "unit_first_secret".into(),
            second_secret: "unit_second_secret".into(),
            api_key: Some("unit_api_key_fedcba9876543210".into()),
            payment_url: "https://pay.fk.money/".into(),
            payment_ip: Some("198.51.100.7".into()),
            payment_method_id: None,
            api_url: "http://127.0.0.1:9/v1".into(),
            allowed_ips: [
                "168.119.157.136",
                "168.119.60.227",
                "178.154.197.79",
                "51.250.54.238",
            ]
            .iter()
            .map(|s| s.parse::<IpNet>().unwrap())
            .collect(),
        }
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../tests/fixtures/freekassa/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).expect(&path)
    }

    fn from_fk() -> Option<IpAddr> {
        Some("168.119.157.136".parse().unwrap())
    }

    fn with(params: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
        params
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == key {
                        value.to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    }

    const ORDER: &str = "7d1e5a90b3c24f68a1e0d9c8b7a65432";

    #[test]
    fn form_url_signs_the_same_amount_text_it_sends() {
        let order = OrderId::parse(ORDER).unwrap();
        // python3 -c 'import hashlib;print(hashlib.md5(b"27310:449:unit_first_secret:RUB:7d1e5a90b3c24f68a1e0d9c8b7a65432").hexdigest())'
        let url = payment_url(&cfg(), &order, Kopecks(44900), None, Lang::Ru);
        assert_eq!(
            url,
            "https://pay.fk.money/?m=27310&oa=449&currency=RUB&o=7d1e5a90b3c24f68a1e0d9c8b7a65432\
             &s=5635405aa6b23406c39aa6249dd0a304&lang=ru"
        );
        // python3 -c 'import hashlib;print(hashlib.md5(b"27310:449.50:unit_first_secret:RUB:7d1e5a90b3c24f68a1e0d9c8b7a65432").hexdigest())'
        let mut c = cfg();
        c.payment_method_id = Some(44);
        let url = payment_url(
            &c,
            &order,
            Kopecks(44950),
            Some("a+b@mail.example"),
            Lang::En,
        );
        assert_eq!(
            url,
            "https://pay.fk.money/?m=27310&oa=449.50&currency=RUB&o=7d1e5a90b3c24f68a1e0d9c8b7a65432\
             &s=755c7196c943fe278fc1ceeb4f6b20f8&lang=en&i=44&em=a%2Bb%40mail.example"
        );
        assert_eq!(amount_text(Kopecks(44900)), "449");
        assert_eq!(amount_text(Kopecks(44905)), "449.05");
    }

    #[test]
    fn api_body_matches_the_documented_shape_and_signature() {
        let mut c = cfg();
        c.payment_method_id = Some(44);
        let req = CreateOrder {
            order: OrderId::parse(ORDER).unwrap(),
            amount: Kopecks(44900),
            email: Some("anna@mail.example".into()),
            user: TelegramId(700100200),
        };
        let body = order_request(&c, &req, 1_760_000_000_321).unwrap();
        let want: Value = serde_json::from_slice(&fixture("orders_create.json")).unwrap();
        for key in [
            "shopId",
            "nonce",
            "paymentId",
            "i",
            "email",
            "ip",
            "amount",
            "currency",
            "signature",
        ] {
            assert_eq!(body[key], want[key], "{key}");
        }
        assert_eq!(body, want);
    }

    #[test]
    fn api_fractional_amount_is_signed_as_sent() {
        let req = CreateOrder {
            order: OrderId::parse(ORDER).unwrap(),
            amount: Kopecks(44950),
            email: None,
            user: TelegramId(700100200),
        };
        let body = order_request(&cfg(), &req, 1_760_000_000_999).unwrap();
        assert_eq!(body["amount"].to_string(), "449.5");
        assert_eq!(body["email"], "700100200@telegram.org");
        assert!(body.get("i").is_none(), "no fixed method");
        // python3: hmac.new(b"unit_api_key_fedcba9876543210",
        //   b"449.5|RUB|700100200@telegram.org|198.51.100.7|1760000000999|7d1e5a90b3c24f68a1e0d9c8b7a65432|27310",
        //   hashlib.sha256).hexdigest()
        assert_eq!(
            body["signature"],
            "ce3048d7ed5ed0a6f7a9e39edb0c7a7ea7688e873b8c4c47cbb09b984fe699c1"
        );
        let mut c = cfg();
        c.api_key = None;
        assert!(matches!(
            order_request(&c, &req, 1),
            Err(PayError::Refused(_))
        ));
        let mut c = cfg();
        c.payment_ip = None;
        assert!(matches!(
            order_request(&c, &req, 1),
            Err(PayError::Refused(_))
        ));
    }

    #[test]
    fn nonces_strictly_increase() {
        let a = next_nonce();
        let b = next_nonce();
        let c = next_nonce();
        assert!(a < b && b < c);
        assert!(a > 1_700_000_000_000, "a millisecond timestamp");
    }

    #[test]
    fn form_decoding() {
        let p = parse_form(b"a=1&b=x+y&c=user%40example.com&d=&e&f=%zz&g=%E2%82%BD&&h=a=b");
        let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("a"), Some("1"));
        assert_eq!(get("b"), Some("x y"));
        assert_eq!(get("c"), Some("user@example.com"));
        assert_eq!(get("d"), Some(""));
        assert_eq!(get("e"), Some(""));
        assert_eq!(get("f"), Some("%zz"));
        assert_eq!(get("g"), Some("₽"));
        assert_eq!(get("h"), Some("a=b"));
        assert_eq!(p.len(), 8);
        assert_eq!(parse_form(b"x=%4"), vec![("x".into(), "%4".into())]);
        assert_eq!(parse_form(b"x=%"), vec![("x".into(), "%".into())]);
        assert_eq!(parse_form(b"x%3Dy=1"), vec![("x=y".into(), "1".into())]);
    }

    #[test]
    fn correct_notification_is_accepted() {
        let params = parse_form(&fixture("notification_payment.form"));
        let n = verify_notification(&cfg(), from_fk(), &params)
            .unwrap()
            .into_inner();
        assert_eq!(n.merchant_order_id, ORDER);
        assert_eq!(n.order_id, OrderId::parse(ORDER));
        assert_eq!(n.amount, Money::rub(Kopecks(44900)));
        assert_eq!(n.intid.as_deref(), Some("193450021"));
        assert_eq!(n.cur_id.as_deref(), Some("42"));
        assert_eq!(n.payer_email.as_deref(), Some("anna@mail.example"));
        assert_eq!(n.custom, vec![("us_tg".into(), "700100200".into())]);
    }

    /// Re-signs `params` with `secret` over `amount` as given.
    fn resign(params: &[(String, String)], amount: &str, secret: &str) -> Vec<(String, String)> {
        let merchant = params
            .iter()
            .find(|(k, _)| k == "MERCHANT_ID")
            .unwrap()
            .1
            .clone();
        let sign = md5_hex(&format!("{merchant}:{amount}:{secret}:{ORDER}"));
        with(&with(params, "AMOUNT", amount), "SIGN", &sign)
    }

    #[test]
    fn whole_and_two_decimal_amounts_are_the_same_money() {
        let params = parse_form(&fixture("notification_payment.form"));
        for amount in ["449", "449.00", "449.0"] {
            let p = resign(&params, amount, "unit_second_secret");
            let n = verify_notification(&cfg(), from_fk(), &p)
                .unwrap()
                .into_inner();
            assert_eq!(n.amount.minor(), 44900, "{amount}");
        }
        let p = resign(&params, "449.5", "unit_second_secret");
        assert_eq!(
            verify_notification(&cfg(), from_fk(), &p)
                .unwrap()
                .get()
                .amount
                .minor(),
            44950
        );
        // Authentic but not money.
        let p = resign(&params, "4.4.9", "unit_second_secret");
        assert!(matches!(
            verify_notification(&cfg(), from_fk(), &p),
            Err(PayError::Unreadable(_))
        ));
    }

    fn refused(params: &[(String, String)], from: Option<IpAddr>) -> bool {
        matches!(
            verify_notification(&cfg(), from, params),
            Err(PayError::NotAuthentic(_))
        )
    }

    #[test]
    fn forgeries_are_refused() {
        let params = parse_form(&fixture("notification_payment.form"));
        // The amount changed, the signature kept.
        assert!(refused(&with(&params, "AMOUNT", "4490"), from_fk()));
        // Signed with the first secret.
        // python3 -c 'import hashlib;print(hashlib.md5(b"27310:449:unit_first_secret:7d1e5a90b3c24f68a1e0d9c8b7a65432").hexdigest())'
        assert!(refused(
            &with(&params, "SIGN", "9b3f23abe06d4113ae52d13c520d30ba"),
            from_fk()
        ));
        assert!(refused(
            &resign(&params, "449", "unit_first_secret"),
            from_fk()
        ));
        // Another shop's notification, re-signed with our second secret.
        let other = with(&params, "MERCHANT_ID", "99999");
        let other = with(
            &other,
            "SIGN",
            &md5_hex(&format!("99999:449:unit_second_secret:{ORDER}")),
        );
        assert!(refused(&other, from_fk()));
        // No signature, an empty one, a duplicated field.
        let unsigned: Vec<_> = params
            .iter()
            .filter(|(k, _)| k != "SIGN")
            .cloned()
            .collect();
        assert!(refused(&unsigned, from_fk()));
        assert!(refused(&with(&params, "SIGN", ""), from_fk()));
        let mut twice = params.clone();
        twice.push(("AMOUNT".into(), "1".into()));
        assert!(refused(&twice, from_fk()));
        // The right signature from the wrong address.
        for ip in ["168.119.157.137", "8.8.8.8", "::ffff:168.119.157.135"] {
            assert!(refused(&params, Some(ip.parse().unwrap())), "{ip}");
        }
        assert!(refused(&params, None));
    }

    #[test]
    fn uppercase_sign_and_mapped_addresses_are_accepted() {
        let params = parse_form(&fixture("notification_payment.form"));
        let sign = params.iter().find(|(k, _)| k == "SIGN").unwrap().1.clone();
        let upper = with(&params, "SIGN", &sign.to_ascii_uppercase());
        assert!(verify_notification(&cfg(), from_fk(), &upper).is_ok());
        let mapped = Some("::ffff:51.250.54.238".parse().unwrap());
        assert!(verify_notification(&cfg(), mapped, &params).is_ok());
    }

    #[test]
    fn a_short_order_number_is_authentic_but_not_ours() {
        let params = parse_form(&fixture("notification_payment.form"));
        let p = with(&params, "MERCHANT_ORDER_ID", "5120");
        let sign = md5_hex("27310:449:unit_second_secret:5120");
        let p = with(&p, "SIGN", &sign);
        let n = verify_notification(&cfg(), from_fk(), &p)
            .unwrap()
            .into_inner();
        assert_eq!(n.merchant_order_id, "5120");
        assert_eq!(n.order_id, None);
    }

    #[test]
    fn the_status_request_signs_shop_nonce_and_our_order_id() {
        let order = OrderId("0123456789abcdef0123456789abcdef".into());
        let body = status_request(&cfg(), &order, 1_700_000_000_123).expect("body");
        let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["nonce", "paymentId", "shopId", "signature"]);
        assert_eq!(body["shopId"], json!(27310));
        assert_eq!(body["paymentId"], json!(order.0));
        // Sorted by name: nonce, paymentId, shopId.
        let expected = wire::hmac_sha256_hex(
            b"unit_api_key_fedcba9876543210",
            format!("1700000000123|{}|27310", order.0).as_bytes(),
        );
        assert_eq!(body["signature"], json!(expected));
        let mut no_key = cfg();
        no_key.api_key = None;
        assert!(matches!(
            status_request(&no_key, &order, 1),
            Err(PayError::Refused(_))
        ));
    }

    #[test]
    fn an_order_of_the_list_is_read_with_its_status() {
        let order = OrderId("0123456789abcdef0123456789abcdef".into());
        let entry = |amount: Value, status: Value| {
            json!({"merchant_order_id": order.0, "fk_order_id": 652367,
                "amount": amount, "currency": "RUB", "status": status})
        };
        let paid = parse_order(&entry(json!(100.12), json!(1)), &order).expect("read");
        assert_eq!(paid.fk_order_id, "652367");
        assert_eq!(paid.amount, Money::rub(Kopecks(10_012)));
        assert_eq!(paid.status, FkStatus::Paid);
        let whole = parse_order(&entry(json!(199), json!("0")), &order).expect("read");
        assert_eq!(whole.amount, Money::rub(Kopecks(19_900)));
        assert_eq!(whole.status, FkStatus::Pending);
        for failed in [8, 9] {
            let o = parse_order(&entry(json!("199.00"), json!(failed)), &order).expect("read");
            assert_eq!(o.status, FkStatus::Failed);
        }
        let other = OrderId("ffffffffffffffffffffffffffffffff".into());
        assert_eq!(parse_order(&entry(json!(199), json!(1)), &other), None);
        assert_eq!(parse_order(&entry(json!(null), json!(1)), &order), None);
    }
}
