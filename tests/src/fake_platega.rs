//! An in-process fake of Platega's API: `POST /transaction/process` and
//! `GET /transaction/{id}`. It checks `X-MerchantId` and `X-Secret` the way
//! Platega does (401 without them), refuses what Platega's validation
//! refuses (an unknown `paymentMethod`, a non-positive amount, a missing
//! payload), records every request and can be told to fail.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The merchant id the fake accepts.
pub const MERCHANT_ID: &str = "3d5f2c1a-7b8e-4f90-a1b2-c3d4e5f6a7b8";
/// The secret the fake accepts.
pub const SECRET: &str = "e2e-platega-secret-5c2f";

/// One recorded request (to this fake or the SeverPay one).
#[derive(Debug, Clone)]
pub struct Call {
    /// HTTP method, upper case.
    pub method: String,
    /// The path, e.g. `/transaction/process`.
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// The body as sent.
    pub raw: Vec<u8>,
    /// The JSON body (`Null` when empty or not JSON).
    pub body: Value,
}

impl Call {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Reads a request (the fakes' first step).
    pub async fn read(req: Request<Incoming>) -> Call {
        let method = req.method().as_str().to_owned();
        let path = req.uri().path().to_owned();
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
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Call {
            method,
            path,
            headers,
            raw,
            body,
        }
    }
}

#[derive(Default)]
struct State {
    transactions: HashMap<String, Value>,
    requests: Vec<Call>,
    scripted: VecDeque<(u16, Value)>,
}

/// The fake, cheap to clone.
#[derive(Clone)]
pub struct FakePlatega {
    /// `http://127.0.0.1:<port>`: PLATEGA_BASE_URL.
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FakePlatega {
    /// Starts the fake.
    pub async fn start() -> FakePlatega {
        let (listener, url) = crate::serve::listen("fake platega").await;
        let fake = FakePlatega {
            url,
            state: Arc::default(),
        };
        let serving = fake.clone();
        crate::serve::spawn(listener, move |req| {
            let fake = serving.clone();
            async move { fake.answer(req).await }
        });
        fake
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("fake state")
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Call> {
        self.state().requests.clone()
    }

    /// The transaction `id`, as `GET /transaction/{id}` answers it.
    pub fn transaction(&self, id: &str) -> Option<Value> {
        self.state().transactions.get(id).cloned()
    }

    /// Sets the status of transaction `id` (`CONFIRMED`, `CANCELED`, `CHARGEBACKED`...).
    pub fn set_status(&self, id: &str, status: &str) {
        self.update(id, |t| t["status"] = json!(status));
    }

    /// Changes transaction `id` freely.
    pub fn update(&self, id: &str, f: impl FnOnce(&mut Value)) {
        f(self
            .state()
            .transactions
            .get_mut(id)
            .expect("transaction exists in the fake"));
    }

    /// Stores a transaction (`GET /transaction/{id}` answers it): another
    /// payment for the same order, say.
    pub fn insert(&self, transaction: Value) {
        let id = transaction["id"].as_str().expect("id").to_owned();
        self.state().transactions.insert(id, transaction);
    }

    /// The next request is answered with `status` and `body` (after being recorded).
    pub fn fail_next(&self, status: u16, body: Value) {
        self.state().scripted.push_back((status, body));
    }

    async fn answer(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let received = Call::read(req).await;
        let (method, path, body) = (
            received.method.clone(),
            received.path.clone(),
            received.body.clone(),
        );
        let mut st = self.state();
        st.requests.push(received.clone());
        if let Some((status, body)) = st.scripted.pop_front() {
            return reply(status, body);
        }
        if received.header("x-merchantid") != Some(MERCHANT_ID)
            || received.header("x-secret") != Some(SECRET)
        {
            return reply(401, json!({"message": "Unauthorized"}));
        }
        match (method.as_str(), path.as_str()) {
            ("POST", "/transaction/process") => create(&mut st, &body),
            ("GET", p) if p.starts_with("/transaction/") => {
                let id = &p["/transaction/".len()..];
                match st.transactions.get(id) {
                    Some(t) => reply(200, t.clone()),
                    None => reply(404, json!({"message": "Transaction not found"})),
                }
            }
            _ => reply(404, json!({"message": "no such route"})),
        }
    }
}

fn create(st: &mut State, body: &Value) -> Response<Full<Bytes>> {
    let method = body["paymentMethod"].as_u64();
    if !matches!(method, Some(2 | 10 | 12 | 13)) {
        return reply(
            400,
            json!({"message": "Validation failed", "data": [{"key": "paymentMethod", "message": "unknown"}]}),
        );
    }
    let amount = body["paymentDetails"]["amount"].as_f64().unwrap_or(0.0);
    let currency = body["paymentDetails"]["currency"].as_str().unwrap_or("");
    let payload = body["payload"].as_str().unwrap_or("");
    if amount <= 0.0 || currency.len() != 3 || payload.is_empty() {
        return reply(400, json!({"message": "Validation failed"}));
    }
    if body["description"].as_str().is_some_and(|d| d.len() > 64) {
        return reply(400, json!({"message": "description too long"}));
    }
    let hex = shared::adapters::pay::OrderId::new().0;
    let id = format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    st.transactions.insert(
        id.clone(),
        json!({
            "id": id,
            "status": "PENDING",
            "paymentDetails": {"amount": amount, "currency": currency},
            "merchantName": "e2e shop",
            "mechantId": MERCHANT_ID,
            "paymentMethod": "SBPQR",
            "expiresIn": "00:15:00",
            "return": body["return"],
            "payload": payload,
            "description": body["description"],
        }),
    );
    reply(
        200,
        json!({
            "paymentMethod": "SBPQR",
            "transactionId": id,
            "redirect": format!("https://pay.platega.io/?id={id}"),
            "return": body["return"],
            "paymentDetails": body["paymentDetails"],
            "status": "PENDING",
            "expiresIn": "00:15:00",
            "merchantId": MERCHANT_ID,
        }),
    )
}

/// A JSON answer.
pub fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    r.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}
