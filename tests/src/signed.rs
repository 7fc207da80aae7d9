//! Provider webhooks as the providers send them, signed with the shared test
//! credentials ([`crate::shop`]): one builder per provider. Each returns a
//! [`Webhook`] to POST over HTTP ([`Webhook::post`]) or to hand to the
//! routes in-process ([`Webhook::request`], [`crate::TestStack::handle`]).
//! Telegram Stars payments are Telegram updates: [`successful_payment`] and
//! [`pre_checkout_query`] return the update to send with
//! [`crate::TestStack::update`].

use crate::shop::{
    CRYPTOPAY_TOKEN, FREEKASSA_MERCHANT_ID, FREEKASSA_SECOND_SECRET, TRIBUTE_API_KEY,
    TRIBUTE_CHANNEL, TRIBUTE_SUBSCRIPTION,
};
use crate::{PANEL_SECRET, TestStack};
use hmac::{Hmac, Mac};
use md5::Md5;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shared::adapters::http::HttpRequest;

/// A webhook ready to send: route, content type, extra headers and body.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The route, e.g. `/pay/cryptopay`.
    pub path: String,
    /// The `content-type` header.
    pub content_type: String,
    /// Further headers (the signature, for the providers that sign).
    pub headers: Vec<(String, String)>,
    /// The exact bytes sent (signatures cover these).
    pub body: Vec<u8>,
}

impl Webhook {
    /// A webhook to `path` with `body` and no further headers.
    pub fn new(path: &str, content_type: &str, body: Vec<u8>) -> Webhook {
        Webhook {
            path: path.to_owned(),
            content_type: content_type.to_owned(),
            headers: Vec::new(),
            body,
        }
    }

    /// The same webhook with `name: value` set (replacing one of that name).
    pub fn header(mut self, name: &str, value: &str) -> Webhook {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same webhook without its headers (an unsigned forgery).
    pub fn unsigned(mut self) -> Webhook {
        self.headers.clear();
        self
    }

    /// The same headers over another body (a tampered or re-serialised one).
    pub fn with_body(mut self, body: Vec<u8>) -> Webhook {
        self.body = body;
        self
    }

    /// The body as text (a FreeKassa form, to send as a GET query).
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("utf-8 body")
    }

    /// The request as API Gateway hands it to a function, from loopback.
    pub fn request(&self) -> HttpRequest {
        let mut headers: Vec<(&str, &str)> = vec![("content-type", self.content_type.as_str())];
        headers.extend(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        crate::request("POST", &self.path, &headers, &self.body)
    }

    /// POSTs it to the stack over HTTP and checks the answer is 200.
    pub async fn post_ok(&self, t: &TestStack) {
        let (status, body) = self.post(t).await;
        assert_eq!(status, 200, "{}: {body}", self.path);
    }

    /// POSTs it to the stack over HTTP; returns the status and the body.
    pub async fn post(&self, t: &TestStack) -> (u16, String) {
        let mut req = t
            .http
            .post(t.url(&self.path))
            .header("content-type", &self.content_type)
            .body(self.body.clone());
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let resp = req.send().await.expect("stack answers");
        (
            resp.status().as_u16(),
            resp.text().await.unwrap_or_default(),
        )
    }
}

/// Lower-case hex HMAC-SHA256 of `body` under `key`.
pub fn hex_hmac(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("key");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

// ------------------------------------------------------------------ YooKassa

/// A YooKassa notification `{"type":"notification","event":…,"object":…}`
/// (YooKassa does not sign: the bot trusts its addresses and its API).
pub fn yookassa(event: &str, object: Value) -> Webhook {
    let body = json!({"type": "notification", "event": event, "object": object});
    Webhook::new(
        "/pay/yookassa",
        "application/json",
        body.to_string().into_bytes(),
    )
}

/// A YooKassa payment notification: `event` (`payment.succeeded`,
/// `payment.canceled`, …) about payment `payment_id` whose status is
/// `status`, paid, for `rub` (`"1.00"`) rubles.
pub fn yookassa_payment(payment_id: &str, event: &str, status: &str, rub: &str) -> Webhook {
    yookassa(
        event,
        json!({"id": payment_id, "status": status, "paid": true,
            "amount": {"value": rub, "currency": "RUB"}}),
    )
}

/// A YooKassa `refund.succeeded` notification for refund `refund_id` of
/// payment `payment_id`, `rub` (`"199.00"`) rubles.
pub fn yookassa_refund(refund_id: &str, payment_id: &str, rub: &str) -> Webhook {
    yookassa(
        "refund.succeeded",
        json!({"id": refund_id, "payment_id": payment_id, "status": "succeeded",
            "amount": {"value": rub, "currency": "RUB"}}),
    )
}

// ---------------------------------------------------------------- Crypto Pay

/// What a Crypto Pay invoice was priced in.
#[derive(Debug, Clone, Copy)]
pub enum Priced<'a> {
    /// A fiat invoice (`currency_type: fiat`), e.g. `"RUB"`.
    Fiat(&'a str),
    /// A crypto invoice (`currency_type: crypto`), e.g. `"USDT"`.
    Crypto(&'a str),
}

/// The `crypto-pay-api-signature` of `body` under `token`: HMAC-SHA256
/// keyed with SHA256(token).
pub fn cryptopay_signature(token: &str, body: &[u8]) -> String {
    hex_hmac(&Sha256::digest(token.as_bytes()), body)
}

/// The bytes of a Crypto Pay `invoice_paid` update (field order and spacing
/// as Crypto Pay sends them: the signature covers these exact bytes).
pub fn cryptopay_body(
    order: &str,
    invoice_id: u64,
    priced: Priced<'_>,
    amount: &str,
    update_id: u64,
) -> Vec<u8> {
    let (currency, paid_asset, paid_amount) = match priced {
        Priced::Fiat(fiat) => (
            format!(r#""currency_type":"fiat","fiat":"{fiat}","amount":"{amount}""#),
            "USDT",
            "2.09",
        ),
        Priced::Crypto(asset) => (
            format!(r#""currency_type":"crypto","asset":"{asset}","amount":"{amount}""#),
            asset,
            amount,
        ),
    };
    format!(
        r#"{{"update_id":{update_id},"update_type":"invoice_paid","request_date":"2026-11-20T10:00:01.000Z","payload":{{"invoice_id":{invoice_id},"hash":"IVx{invoice_id}",{currency},"paid_asset":"{paid_asset}","paid_amount":"{paid_amount}","accepted_assets":["USDT","TON"],"fee_asset":"{paid_asset}","fee_amount":"0.01","bot_invoice_url":"https://t.me/CryptoTestnetBot?start=IVx{invoice_id}","description":"VPN","status":"paid","created_at":"2026-11-20T09:59:00.000Z","allow_comments":false,"allow_anonymous":false,"paid_usd_rate":"1.00","paid_at":"2026-11-20T10:00:00.000Z","paid_anonymously":false,"payload":"{order}"}}}}"#
    )
    .into_bytes()
}

/// A signed Crypto Pay `invoice_paid` update for our `order` (the invoice's
/// payload), invoice `invoice_id`, priced in `priced`, for `amount`.
pub fn cryptopay_paid(
    order: &str,
    invoice_id: u64,
    priced: Priced<'_>,
    amount: &str,
    update_id: u64,
) -> Webhook {
    cryptopay_signed(cryptopay_body(order, invoice_id, priced, amount, update_id))
}

/// `body` to `/pay/cryptopay` signed with the shared token.
pub fn cryptopay_signed(body: Vec<u8>) -> Webhook {
    let sig = cryptopay_signature(CRYPTOPAY_TOKEN, &body);
    Webhook::new("/pay/cryptopay", "application/json", body)
        .header("crypto-pay-api-signature", &sig)
}

// ----------------------------------------------------------------- FreeKassa

/// A FreeKassa payment notification form for our shop, `SIGN` =
/// MD5(`merchant:amount:second secret:order`).
pub fn freekassa_paid(amount: &str, order: &str, intid: &str) -> Webhook {
    freekassa_form(
        &FREEKASSA_MERCHANT_ID.to_string(),
        amount,
        order,
        FREEKASSA_SECOND_SECRET,
        intid,
    )
}

/// A FreeKassa notification form from shop `merchant` signed with `secret`
/// (another shop, the wrong secret: forgeries).
pub fn freekassa_form(
    merchant: &str,
    amount: &str,
    order: &str,
    secret: &str,
    intid: &str,
) -> Webhook {
    let sign = hex::encode(Md5::digest(
        format!("{merchant}:{amount}:{secret}:{order}").as_bytes(),
    ));
    let body = format!(
        "MERCHANT_ID={merchant}&AMOUNT={amount}&intid={intid}&MERCHANT_ORDER_ID={order}&P_EMAIL=buyer%40example.com&P_PHONE=&CUR_ID=36&payer_account=&commission=0&SIGN={sign}"
    );
    Webhook::new(
        "/pay/freekassa",
        "application/x-www-form-urlencoded",
        body.into_bytes(),
    )
}

// ------------------------------------------------------------------- Tribute

/// A Tribute subscription event; [`Default`] is a 199 ₽ monthly
/// `new_subscription` of the shared subscription in the shared channel.
#[derive(Debug, Clone)]
pub struct TributeEvent<'a> {
    /// `new_subscription`, `renewed_subscription`, `cancelled_subscription`.
    pub name: &'a str,
    /// The payer's Telegram id.
    pub user: i64,
    /// The Tribute subscription.
    pub subscription_id: u64,
    /// Its period.
    pub period_id: u64,
    /// Price and amount in minor units.
    pub price: u64,
    /// `rub`, `eur`, …
    pub currency: &'a str,
    /// The Tribute channel.
    pub channel_id: i64,
    /// `created_at` and `sent_at`.
    pub at: &'a str,
}

impl Default for TributeEvent<'_> {
    fn default() -> Self {
        TributeEvent {
            name: "new_subscription",
            user: 0,
            subscription_id: TRIBUTE_SUBSCRIPTION,
            period_id: 77,
            price: 19_900,
            currency: "rub",
            channel_id: TRIBUTE_CHANNEL,
            at: "2026-11-20T10:00:00.000Z",
        }
    }
}

/// The bytes of a Tribute event.
pub fn tribute_body(e: &TributeEvent<'_>) -> Vec<u8> {
    let TributeEvent {
        name,
        user,
        subscription_id,
        period_id,
        price,
        currency,
        channel_id,
        at,
    } = e;
    format!(
        r#"{{"name":"{name}","created_at":"{at}","sent_at":"{at}","payload":{{"subscription_name":"VPN monthly","subscription_id":{subscription_id},"period_id":{period_id},"period":"monthly","price":{price},"amount":{price},"currency":"{currency}","user_id":555,"telegram_user_id":{user},"channel_id":{channel_id},"channel_name":"VPN","expires_at":"2026-12-20T10:00:00.000Z"}}}}"#
    )
    .into_bytes()
}

/// A Tribute event signed with `trbt-signature` (HMAC-SHA256 under the
/// shared API key).
pub fn tribute(e: &TributeEvent<'_>) -> Webhook {
    tribute_signed(tribute_body(e))
}

/// `body` to `/pay/tribute` signed with the shared API key.
pub fn tribute_signed(body: Vec<u8>) -> Webhook {
    let sig = hex_hmac(TRIBUTE_API_KEY.as_bytes(), &body);
    Webhook::new("/pay/tribute", "application/json", body).header("trbt-signature", &sig)
}

// ------------------------------------------------------------ Telegram Stars

/// Who pays in a Stars update: Telegram id, first name, language.
#[derive(Debug, Clone, Copy)]
pub struct Payer<'a> {
    /// The Telegram id (also the private chat's).
    pub id: i64,
    /// `first_name`.
    pub name: &'a str,
    /// `language_code`.
    pub lang: &'a str,
}

/// A Stars `successful_payment` update: `user` (Boris, `ru`) paid `stars`
/// for the invoice whose payload is `order`, Telegram's charge id `charge`.
pub fn successful_payment(
    update_id: i64,
    user: i64,
    order: &str,
    stars: u64,
    charge: &str,
) -> Value {
    let payer = Payer {
        id: user,
        name: "Boris",
        lang: "ru",
    };
    successful_payment_by(update_id, payer, order, stars, charge)
}

/// [`successful_payment`] from another payer (name, language).
pub fn successful_payment_by(
    update_id: i64,
    payer: Payer<'_>,
    order: &str,
    stars: u64,
    charge: &str,
) -> Value {
    let Payer { id, name, lang } = payer;
    json!({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_700_000_000,
        "from": {"id": id, "is_bot": false, "first_name": name, "language_code": lang},
        "chat": {"id": id, "type": "private", "first_name": name},
        "successful_payment": {
            "currency": "XTR", "total_amount": stars, "invoice_payload": order,
            "telegram_payment_charge_id": charge, "provider_payment_charge_id": ""
        }
    }})
}

/// A Stars `pre_checkout_query` update: `user` (Buyer, `en`) is about to
/// pay `stars` for the invoice whose payload is `order`.
pub fn pre_checkout_query(update_id: i64, user: i64, order: &str, stars: u64) -> Value {
    let payer = Payer {
        id: user,
        name: "Buyer",
        lang: "en",
    };
    pre_checkout_query_by(update_id, payer, order, stars)
}

/// [`pre_checkout_query`] from another payer (name, language).
pub fn pre_checkout_query_by(update_id: i64, payer: Payer<'_>, order: &str, stars: u64) -> Value {
    let Payer { id, name, lang } = payer;
    json!({"update_id": update_id, "pre_checkout_query": {
        "id": format!("pcq-{update_id}"),
        "from": {"id": id, "is_bot": false, "first_name": name, "language_code": lang},
        "currency": "XTR", "total_amount": stars, "invoice_payload": order
    }})
}

// --------------------------------------------------------------------- panel

/// A panel webhook (`/panel`) with `body`, signed with the shared panel
/// secret in `X-Remnawave-Signature`.
pub fn panel_event(body: Vec<u8>) -> Webhook {
    panel_signed(body, PANEL_SECRET)
}

/// A panel webhook with `body` signed with `secret` (a stranger's secret:
/// a forgery), `X-Remnawave-Timestamp` taken from the body's `timestamp`.
pub fn panel_signed(body: Vec<u8>, secret: &str) -> Webhook {
    let sig = shared::domains::access::webhook::signature(secret, &body);
    let ts = serde_json::from_slice::<Value>(&body).expect("json")["timestamp"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Webhook::new("/panel", "application/json", body)
        .header("X-Remnawave-Signature", &sig)
        .header("X-Remnawave-Timestamp", &ts)
}

// ------------------------------------------------------------------ Platega

/// A Platega callback about transaction `id` (its shape: id, amount,
/// currency, status, paymentMethod, payload), with the two headers that
/// are its only proof.
pub fn platega(id: &str, status: &str, rubles: f64, payload: &str) -> Webhook {
    let body = json!({
        "id": id,
        "amount": rubles,
        "currency": "RUB",
        "status": status,
        "paymentMethod": 2,
        "payload": payload,
    });
    Webhook::new(
        "/pay/platega",
        "application/json",
        body.to_string().into_bytes(),
    )
    .header("X-MerchantId", crate::fake_platega::MERCHANT_ID)
    .header("X-Secret", crate::fake_platega::SECRET)
}

// ------------------------------------------------------------------ SeverPay

/// A SeverPay notification `{"type":"payin","data":…,"salt":…,"sign":…}`
/// signed with the test token.
pub fn severpay(data: Value) -> Webhook {
    severpay_signed_with(data, crate::fake_severpay::TOKEN)
}

/// A SeverPay notification signed with `token` as the Python bots check it:
/// over `json.dumps` of the decoded body without `sign`, keys in the order
/// sent, Unicode kept, `(",", ":")` separators.
pub fn severpay_signed_with(data: Value, token: &str) -> Webhook {
    use shared::adapters::pay::pyjson::{self, Style};
    let salt = &shared::adapters::pay::OrderId::new().0[..12];
    let unsigned = format!(r#"{{"type":"payin","data":{data},"salt":"{salt}"}}"#);
    let doc = pyjson::parse(unsigned.as_bytes()).expect("JSON");
    let text = pyjson::dumps(
        &doc,
        Style {
            sort_keys: false,
            ensure_ascii: false,
        },
    );
    let sign = hex_hmac(token.as_bytes(), text.as_bytes());
    let body = format!("{},\"sign\":\"{sign}\"}}", &unsigned[..unsigned.len() - 1]);
    Webhook::new("/pay/severpay", "application/json", body.into_bytes())
}
