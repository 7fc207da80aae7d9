//! In-process fakes of the payment providers' APIs on one port, each under
//! its own prefix: YooKassa (`/yookassa/v3`), Crypto Pay (`/cryptopay/api`)
//! and FreeKassa (`/freekassa/v1`). They speak the real wire formats, check
//! credentials the way the providers do, record every request, and can be
//! told to fail.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Which fake API a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// YooKassa API v3.
    Yookassa,
    /// Crypto Pay API.
    Cryptopay,
    /// FreeKassa API v1.
    Freekassa,
}

impl Api {
    fn prefix(self) -> &'static str {
        match self {
            Api::Yookassa => "/yookassa/v3",
            Api::Cryptopay => "/cryptopay/api",
            Api::Freekassa => "/freekassa/v1",
        }
    }
}

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Received {
    /// The API it went to.
    pub api: Api,
    /// HTTP method, upper case.
    pub method: String,
    /// Path below the API's prefix, e.g. `/payments/abc`.
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// The JSON body (`Null` when empty, a string when not JSON).
    pub body: Value,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// The credentials the fakes accept.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// YooKassa shop id.
    pub yookassa_shop_id: String,
    /// YooKassa secret key.
    pub yookassa_secret_key: String,
    /// Crypto Pay API token.
    pub cryptopay_token: String,
    /// FreeKassa shop id.
    pub freekassa_shop_id: u64,
    /// FreeKassa API key.
    pub freekassa_api_key: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            yookassa_shop_id: crate::shop::YOOKASSA_SHOP_ID.into(),
            yookassa_secret_key: crate::shop::YOOKASSA_SECRET_KEY.into(),
            cryptopay_token: crate::shop::CRYPTOPAY_TOKEN.into(),
            freekassa_shop_id: crate::shop::FREEKASSA_MERCHANT_ID,
            freekassa_api_key: crate::shop::FREEKASSA_API_KEY.into(),
        }
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Received>,
    scripted: HashMap<Api, VecDeque<(u16, Value)>>,
    payments: BTreeMap<String, Value>,
    refunds: BTreeMap<String, Value>,
    /// Idempotence-Key → payment id.
    idempotence: HashMap<String, String>,
    freekassa_last_nonce: u64,
    /// FreeKassa orders created through `orders/create`, by our order id
    /// (`paymentId`): the order as `orders` lists it.
    fk_orders: BTreeMap<String, Value>,
    next_id: u64,
    /// Crypto Pay invoices by id.
    invoices: BTreeMap<u64, Value>,
    /// Saved payment methods YooKassa declines, with the cancellation reason.
    declined_methods: HashMap<String, String>,
    /// YooKassa payments created with `save_payment_method: true`.
    save_requested: std::collections::HashSet<String>,
}

/// The fake servers.
#[derive(Clone)]
pub struct FakeProviders {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    creds: Credentials,
    state: Arc<Mutex<State>>,
}

impl FakeProviders {
    /// Starts the fakes with the default test credentials.
    pub async fn start() -> FakeProviders {
        Self::start_with(Credentials::default()).await
    }

    /// Starts the fakes accepting `creds`.
    pub async fn start_with(creds: Credentials) -> FakeProviders {
        let (listener, url) = crate::serve::listen("fake providers").await;
        let fake = FakeProviders {
            url,
            creds,
            state: Arc::new(Mutex::new(State {
                next_id: 1000,
                ..State::default()
            })),
        };
        let serving = fake.clone();
        crate::serve::spawn(listener, move |req| {
            let fake = serving.clone();
            async move { fake.answer(req).await }
        });
        fake
    }

    /// The credentials the fakes accept.
    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// Base URL for `YOOKASSA_API_URL`.
    pub fn yookassa_url(&self) -> String {
        format!("{}{}", self.url, Api::Yookassa.prefix())
    }

    /// Base URL for `CRYPTOPAY_API_URL`.
    pub fn cryptopay_url(&self) -> String {
        format!("{}{}", self.url, Api::Cryptopay.prefix())
    }

    /// Base URL for `FREEKASSA_API_URL`.
    pub fn freekassa_url(&self) -> String {
        format!("{}{}", self.url, Api::Freekassa.prefix())
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Received> {
        self.state.lock().expect("fake state").requests.clone()
    }

    /// Ids of the YooKassa refunds of payment `payment_id`.
    pub fn refunds_of(&self, payment_id: &str) -> Vec<String> {
        self.state
            .lock()
            .expect("fake state")
            .refunds
            .values()
            .filter(|r| r["payment_id"] == payment_id)
            .filter_map(|r| r["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// Requests to one API.
    pub fn requests_to(&self, api: Api) -> Vec<Received> {
        self.requests()
            .into_iter()
            .filter(|r| r.api == api)
            .collect()
    }

    /// Forgets recorded requests.
    pub fn clear(&self) {
        self.state.lock().expect("fake state").requests.clear();
    }

    /// The next request to `api` is answered with `status` and `body`
    /// (after being recorded), whatever it asks.
    pub fn fail_next(&self, api: Api, status: u16, body: Value) {
        self.state
            .lock()
            .expect("fake state")
            .scripted
            .entry(api)
            .or_default()
            .push_back((status, body));
    }

    /// A YooKassa payment as the fake holds it.
    pub fn payment(&self, id: &str) -> Option<Value> {
        self.state
            .lock()
            .expect("fake state")
            .payments
            .get(id)
            .cloned()
    }

    /// Moves a YooKassa payment to `status` (`paid` follows: true for
    /// `waiting_for_capture` and `succeeded`). With `save_method`, its
    /// payment method becomes a saved bank card.
    pub fn set_payment_status(&self, id: &str, status: &str, save_method: bool) {
        let mut st = self.state.lock().expect("fake state");
        let p = st.payments.get_mut(id).expect("payment exists in the fake");
        p["status"] = json!(status);
        p["paid"] = json!(matches!(status, "succeeded" | "waiting_for_capture"));
        if status == "canceled" {
            p["cancellation_details"] =
                json!({"party": "yoo_money", "reason": "expired_on_confirmation"});
        }
        if status != "pending" {
            if let Some(obj) = p.as_object_mut() {
                obj.remove("confirmation");
            }
            p["payment_method"] = json!({
                "type": "bank_card",
                "id": id,
                "saved": save_method,
                "title": "Bank card *4242",
                "card": {"first6": "424242", "last4": "4242", "expiry_month": "12", "expiry_year": "2030", "card_type": "Visa"}
            });
        }
    }

    /// Completes a YooKassa payment as the payer would: `succeeded`, and its
    /// method saved exactly when the payment was created with
    /// `save_payment_method: true` (as YooKassa does: it saves only what it
    /// was asked to). Returns whether it was saved.
    pub fn pay_payment(&self, id: &str) -> bool {
        let saved = self
            .state
            .lock()
            .expect("fake state")
            .save_requested
            .contains(id);
        self.set_payment_status(id, "succeeded", saved);
        saved
    }

    /// Makes charges of the saved method `method` come back `canceled` with
    /// `cancellation_details.reason` = `reason` (`insufficient_funds`,
    /// `permission_revoked`, `card_expired`...); `None` accepts it again.
    pub fn decline_method(&self, method: &str, reason: Option<&str>) {
        let mut st = self.state.lock().expect("fake state");
        match reason {
            Some(r) => st.declined_methods.insert(method.to_owned(), r.to_owned()),
            None => st.declined_methods.remove(method),
        };
    }

    /// Sets a Crypto Pay invoice's status (`paid`, `expired`, `active`), as
    /// `getInvoices` will report it.
    pub fn set_invoice_status(&self, invoice_id: u64, status: &str) {
        let mut st = self.state.lock().expect("fake state");
        let inv = st
            .invoices
            .get_mut(&invoice_id)
            .expect("invoice exists in the fake");
        inv["status"] = json!(status);
        if status == "paid" {
            inv["paid_at"] = json!("2025-09-14T07:31:00.000Z");
        }
    }

    /// Sets the status of the FreeKassa order created for our order
    /// `order` (0 new, 1 paid, 8 error, 9 canceled), as `orders` lists it.
    /// Returns FreeKassa's order id.
    pub fn set_freekassa_status(&self, order: &str, status: u8) -> u64 {
        let mut st = self.state.lock().expect("fake state");
        let o = st
            .fk_orders
            .get_mut(order)
            .expect("FreeKassa order exists in the fake");
        o["status"] = json!(status);
        o["fk_order_id"].as_u64().unwrap_or_default()
    }

    /// Stores a YooKassa payment made elsewhere (by the Python bot before a
    /// move): `GET /payments/{id}` answers it.
    pub fn insert_payment(&self, payment: Value) {
        let id = payment["id"].as_str().expect("payment id").to_owned();
        self.state
            .lock()
            .expect("fake state")
            .payments
            .insert(id, payment);
    }

    /// Changes a stored YooKassa payment freely.
    pub fn update_payment(&self, id: &str, f: impl FnOnce(&mut Value)) {
        let mut st = self.state.lock().expect("fake state");
        f(st.payments.get_mut(id).expect("payment exists in the fake"));
    }

    /// Stores a YooKassa refund (`GET /refunds/{id}` answers it).
    pub fn insert_refund(&self, refund: Value) {
        let id = refund["id"].as_str().expect("refund id").to_owned();
        self.state
            .lock()
            .expect("fake state")
            .refunds
            .insert(id, refund);
    }

    async fn answer(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let method = req.method().as_str().to_owned();
        let full_path = req.uri().path().to_owned();
        let headers: BTreeMap<String, String> = req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let raw = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body = if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&raw)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&raw).into_owned()))
        };
        let Some((api, path)) = [Api::Yookassa, Api::Cryptopay, Api::Freekassa]
            .into_iter()
            .find_map(|api| {
                full_path
                    .strip_prefix(api.prefix())
                    .map(|rest| (api, rest.to_owned()))
            })
        else {
            return reply(404, json!({"error": "no such fake API"}));
        };
        let received = Received {
            api,
            method,
            path,
            headers,
            body,
        };
        let mut st = self.state.lock().expect("fake state");
        st.requests.push(received.clone());
        if let Some((status, body)) = st.scripted.get_mut(&api).and_then(VecDeque::pop_front) {
            return reply(status, body);
        }
        match api {
            Api::Yookassa => self.yookassa(&mut st, &received),
            Api::Cryptopay => self.cryptopay(&mut st, &received),
            Api::Freekassa => self.freekassa(&mut st, &received),
        }
    }

    fn yookassa(&self, st: &mut State, r: &Received) -> Response<Full<Bytes>> {
        let error = |status: u16, code: &str, description: &str| {
            reply(
                status,
                json!({"type": "error", "id": "fake-error", "code": code, "description": description}),
            )
        };
        let expected = format!(
            "Basic {}",
            base64(
                format!(
                    "{}:{}",
                    self.creds.yookassa_shop_id, self.creds.yookassa_secret_key
                )
                .as_bytes()
            )
        );
        if r.header("authorization") != Some(expected.as_str()) {
            return error(
                401,
                "invalid_credentials",
                "Authentication by given credentials failed",
            );
        }
        let segments: Vec<&str> = r.path.trim_matches('/').split('/').collect();
        match (r.method.as_str(), segments.as_slice()) {
            ("POST", ["payments"]) => {
                let Some(key) = r.header("idempotence-key").map(str::to_owned) else {
                    return error(400, "invalid_request", "Idempotence key isn't specified");
                };
                if let Some(id) = st.idempotence.get(&key) {
                    return reply(200, st.payments[id].clone());
                }
                let b = &r.body;
                let value_ok = b["amount"]["value"].as_str().is_some_and(|v| {
                    v.split_once('.').is_some_and(|(w, f)| {
                        !w.is_empty() && w.bytes().all(|c| c.is_ascii_digit()) && f.len() == 2
                    })
                });
                if !value_ok || b["amount"]["currency"] != "RUB" {
                    return error(
                        400,
                        "invalid_request",
                        "amount.value must be a string with two decimals",
                    );
                }
                st.next_id += 1;
                let id = format!(
                    "{:08x}-000f-5000-8000-{:012x}",
                    st.next_id,
                    st.next_id * 7919
                );
                let recurring = b["payment_method_id"].as_str();
                let mut p = json!({
                    "id": id,
                    "status": if recurring.is_some() { "succeeded" } else { "pending" },
                    "paid": recurring.is_some(),
                    "amount": b["amount"],
                    "description": b["description"],
                    "metadata": b["metadata"],
                    "recipient": {"account_id": self.creds.yookassa_shop_id, "gateway_id": "100500"},
                    "created_at": "2025-11-02T08:13:58.911Z",
                    "refundable": false,
                    "test": true,
                });
                match recurring {
                    Some(method) => {
                        p["payment_method"] = json!({
                            "type": "bank_card",
                            "id": method,
                            "saved": true,
                            "title": "Bank card *4242",
                            "card": {"first6": "424242", "last4": "4242", "expiry_month": "12", "expiry_year": "2030", "card_type": "Visa"}
                        });
                        if let Some(reason) = st.declined_methods.get(method) {
                            p["status"] = json!("canceled");
                            p["paid"] = json!(false);
                            p["cancellation_details"] =
                                json!({"party": "issuer", "reason": reason});
                        }
                    }
                    None => {
                        p["confirmation"] = json!({
                            "type": "redirect",
                            "return_url": b["confirmation"]["return_url"],
                            "confirmation_url": format!("https://yoomoney.ru/checkout/payments/v2/contract?orderId={id}"),
                        });
                    }
                }
                if b["save_payment_method"] == json!(true) {
                    st.save_requested.insert(id.clone());
                }
                st.idempotence.insert(key, id.clone());
                st.payments.insert(id, p.clone());
                reply(200, p)
            }
            ("GET", ["payments", id]) => match st.payments.get(*id) {
                Some(p) => reply(200, p.clone()),
                None => error(
                    404,
                    "not_found",
                    "Incorrect payment_id. Payment doesn't exist or access denied.",
                ),
            },
            ("POST", ["refunds"]) => {
                // Like YooKassa: the key is required, the same key answers
                // the first refund, and the amount may not exceed what the
                // payment has left to refund.
                let Some(key) = r.header("idempotence-key").map(str::to_owned) else {
                    return error(400, "invalid_request", "Idempotence key isn't specified");
                };
                if let Some(id) = st.idempotence.get(&key) {
                    return reply(200, st.refunds[id].clone());
                }
                let b = &r.body;
                let Some(payment) = b["payment_id"].as_str().and_then(|id| st.payments.get(id))
                else {
                    return error(
                        404,
                        "not_found",
                        "Incorrect payment_id. Payment doesn't exist or access denied.",
                    );
                };
                if payment["status"] != "succeeded" {
                    return error(
                        400,
                        "invalid_request",
                        "Payment is not succeeded, refund is impossible",
                    );
                }
                let minor = |v: &Value| -> Option<u64> {
                    let (w, f) = v.as_str()?.split_once('.')?;
                    (f.len() == 2).then_some(())?;
                    Some(w.parse::<u64>().ok()? * 100 + f.parse::<u64>().ok()?)
                };
                let paid = minor(&payment["amount"]["value"]).unwrap_or(0);
                let before: u64 = st
                    .refunds
                    .values()
                    .filter(|rf| rf["payment_id"] == b["payment_id"])
                    .filter_map(|rf| minor(&rf["amount"]["value"]))
                    .sum();
                match minor(&b["amount"]["value"]) {
                    Some(m)
                        if m > 0
                            && m + before <= paid
                            && b["amount"]["currency"] == payment["amount"]["currency"] => {}
                    _ => {
                        return error(
                            400,
                            "invalid_request",
                            "Refund amount exceeds the amount available for refund",
                        );
                    }
                }
                st.next_id += 1;
                let id = format!(
                    "{:08x}-0015-5000-9000-{:012x}",
                    st.next_id,
                    st.next_id * 104_729
                );
                let rf = json!({
                    "id": id, "payment_id": b["payment_id"], "status": "succeeded",
                    "amount": b["amount"], "created_at": "2026-11-30T09:00:00.000Z",
                });
                st.idempotence.insert(key, id.clone());
                st.refunds.insert(id, rf.clone());
                reply(200, rf)
            }
            ("GET", ["refunds", id]) => match st.refunds.get(*id) {
                Some(p) => reply(200, p.clone()),
                None => error(
                    404,
                    "not_found",
                    "Incorrect refund_id. Refund doesn't exist or access denied.",
                ),
            },
            _ => error(404, "not_found", "no such method in the fake"),
        }
    }

    fn cryptopay(&self, st: &mut State, r: &Received) -> Response<Full<Bytes>> {
        let error = |status: u16, name: &str| {
            reply(
                status,
                json!({"ok": false, "error": {"code": status, "name": name}}),
            )
        };
        if r.header("crypto-pay-api-token") != Some(self.creds.cryptopay_token.as_str()) {
            return error(401, "UNAUTHORIZED");
        }
        if r.path == "/getExchangeRates" {
            // Fixed rates, so quotes in the tests are exact.
            return reply(
                200,
                json!({"ok": true, "result": [
                    {"is_valid": true, "is_crypto": true, "is_fiat": false, "source": "USDT", "target": "RUB", "rate": "95.50000000"},
                    {"is_valid": true, "is_crypto": true, "is_fiat": false, "source": "TON", "target": "RUB", "rate": "250.12345678"},
                    {"is_valid": false, "is_crypto": true, "is_fiat": false, "source": "BTC", "target": "RUB", "rate": "0"}
                ]}),
            );
        }
        if r.path == "/getInvoices" {
            // `invoice_ids` (comma-separated) in the JSON body of a POST.
            let ids = r.body["invoice_ids"].as_str().unwrap_or_default();
            let items: Vec<Value> = ids
                .split(',')
                .filter_map(|id| id.trim().parse::<u64>().ok())
                .filter_map(|id| st.invoices.get(&id).cloned())
                .collect();
            return reply(200, json!({"ok": true, "result": {"items": items}}));
        }
        if r.method != "POST" || r.path != "/createInvoice" {
            return error(405, "METHOD_NOT_FOUND");
        }
        let b = &r.body;
        let currency_ok = match b["currency_type"].as_str() {
            Some("fiat") => b["fiat"].is_string(),
            Some("crypto") | None => b["asset"].is_string(),
            Some(_) => false,
        };
        if !currency_ok {
            return error(400, "CURRENCY_TYPE_INVALID");
        }
        if !b["amount"].is_string() {
            return error(400, "AMOUNT_INVALID");
        }
        st.next_id += 1;
        let hash = format!("IVfake{}", st.next_id);
        let mut invoice = json!({
            "invoice_id": st.next_id,
            "hash": hash,
            "currency_type": b["currency_type"].as_str().unwrap_or("crypto"),
            "amount": b["amount"],
            "bot_invoice_url": format!("https://t.me/CryptoTestnetBot?start={hash}"),
            "mini_app_invoice_url": format!("https://t.me/CryptoTestnetBot/app?startapp=invoice-{hash}&mode=compact"),
            "web_app_invoice_url": format!("https://testnet-app.send.tg/invoices/{hash}"),
            "description": b["description"],
            "status": "active",
            "created_at": "2025-09-14T07:29:40.000Z",
            "allow_comments": b["allow_comments"].as_bool().unwrap_or(true),
            "allow_anonymous": b["allow_anonymous"].as_bool().unwrap_or(true),
            "payload": b["payload"],
        });
        for k in ["fiat", "asset", "accepted_assets"] {
            if let Some(v) = b.get(k) {
                invoice[k] = v.clone();
            }
        }
        st.invoices.insert(st.next_id, invoice.clone());
        reply(200, json!({"ok": true, "result": invoice}))
    }

    fn freekassa(&self, st: &mut State, r: &Received) -> Response<Full<Bytes>> {
        let error = |status: u16, message: &str| {
            reply(status, json!({"type": "error", "message": message}))
        };
        if r.method != "POST" || !matches!(r.path.as_str(), "/orders/create" | "/orders") {
            return error(404, "Not found");
        }
        let Some(fields) = r.body.as_object() else {
            return error(400, "Bad request");
        };
        if fields.get("shopId").and_then(Value::as_u64) != Some(self.creds.freekassa_shop_id) {
            return error(400, "Shop not found");
        }
        let given = fields
            .get("signature")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if given != freekassa_signature(&self.creds.freekassa_api_key, fields) {
            return error(401, "Wrong signature");
        }
        let nonce = fields
            .get("nonce")
            .and_then(Value::as_u64)
            .unwrap_or_default();
        if nonce <= st.freekassa_last_nonce {
            return error(400, "Wrong nonce");
        }
        st.freekassa_last_nonce = nonce;
        if r.path == "/orders" {
            // The list, filtered by our order id (`paymentId`) when given.
            let wanted = fields.get("paymentId").and_then(Value::as_str);
            let orders: Vec<Value> = st
                .fk_orders
                .iter()
                .filter(|(id, _)| wanted.is_none_or(|w| w == id.as_str()))
                .map(|(_, o)| o.clone())
                .collect();
            return reply(
                200,
                json!({"type": "success", "pages": 1, "orders": orders}),
            );
        }
        for k in ["paymentId", "email", "ip", "amount", "currency"] {
            if !fields.contains_key(k) {
                return error(400, &format!("{k} is required"));
            }
        }
        st.next_id += 1;
        let payment_id = fields["paymentId"]
            .as_str()
            .map_or_else(|| fields["paymentId"].to_string(), str::to_owned);
        let fk_order = json!({
            "merchant_order_id": payment_id,
            "fk_order_id": st.next_id,
            "amount": fields["amount"],
            "currency": fields["currency"],
            "email": fields["email"],
            "account": "",
            "date": "2025-11-02 11:13:58",
            "status": 0,
        });
        st.fk_orders.insert(payment_id, fk_order);
        let hash = format!("{:032x}", u128::from(st.next_id) * 0x9e37_79b9_7f4a_7c15);
        reply(
            200,
            json!({
                "type": "success",
                "orderId": st.next_id,
                "orderHash": hash,
                "location": format!("https://pay.fk.money/form/{}/{hash}", st.next_id),
            }),
        )
    }
}

/// FreeKassa's API signature, written independently of the shop's code:
/// values sorted by field name (excluding `signature`), joined with `|`,
/// strings bare and numbers as JSON writes them, HMAC-SHA256 with the key.
fn freekassa_signature(key: &str, fields: &Map<String, Value>) -> String {
    let sorted: BTreeMap<&String, &Value> =
        fields.iter().filter(|(k, _)| *k != "signature").collect();
    let message = sorted
        .values()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect::<Vec<_>>()
        .join("|");
    shared::adapters::pay::wire::hmac_sha256_hex(key.as_bytes(), message.as_bytes())
}

/// Standard base64 with padding (for the Basic credentials the fake expects).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    r.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_known_answers() {
        // RFC 4648 section 10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }
}
