//! An in-process fake of SeverPay's merchant API: `POST /payin/create` and
//! `POST /payin/get`. Like SeverPay it checks `mid` and the body's `sign`
//! (HMAC-SHA256 with the token over the other members, keys sorted,
//! compact, Unicode and `/` unescaped) and answers `{"status": false, ...}`
//! with 401 when either is wrong; it refuses an amount that is not
//! `"0.00"`-shaped, a currency other than RUB and a lifetime outside
//! 30–4320 minutes. It records every request and can be told to fail.

use crate::fake_platega::{Call, reply};
use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The shop id the fake accepts.
pub const MID: u64 = 7301;
/// The token the fake signs and checks with.
pub const TOKEN: &str = "e2e-severpay-token-9b41";

#[derive(Default)]
struct State {
    payins: HashMap<String, Value>,
    requests: Vec<Call>,
    scripted: VecDeque<(u16, Value)>,
    next_id: u64,
}

/// The fake, cheap to clone.
#[derive(Clone)]
pub struct FakeSeverPay {
    /// `http://127.0.0.1:<port>`: SEVERPAY_BASE_URL.
    pub url: String,
    state: Arc<Mutex<State>>,
}

/// HMAC-SHA256 hex of the members of `body` other than `sign`, written
/// with keys sorted, compact, Unicode and `/` as they are (serde_json's
/// map is sorted and writes them so).
pub fn sign_of(body: &Map<String, Value>) -> String {
    let mut unsigned = body.clone();
    unsigned.remove("sign");
    let text = serde_json::to_string(&unsigned).expect("JSON");
    crate::signed::hex_hmac(TOKEN.as_bytes(), text.as_bytes())
}

impl FakeSeverPay {
    /// Starts the fake.
    pub async fn start() -> FakeSeverPay {
        let (listener, url) = crate::serve::listen("fake severpay").await;
        let fake = FakeSeverPay {
            url,
            state: Arc::new(Mutex::new(State {
                next_id: 880_000,
                ..State::default()
            })),
        };
        let serving = fake.clone();
        crate::serve::spawn(listener, move |req| {
            let fake = serving.clone();
            async move {
                let call = Call::read(req).await;
                fake.answer(call)
            }
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

    /// The payment `id`, as `payin/get` answers it.
    pub fn payin(&self, id: &str) -> Option<Value> {
        self.state().payins.get(id).cloned()
    }

    /// Sets the status of payment `id` (`success`, `fail`, `decline`...).
    pub fn set_status(&self, id: &str, status: &str) {
        self.update(id, |p| p["status"] = json!(status));
    }

    /// Changes payment `id` freely.
    pub fn update(&self, id: &str, f: impl FnOnce(&mut Value)) {
        f(self
            .state()
            .payins
            .get_mut(id)
            .expect("payment exists in the fake"));
    }

    /// Stores a payment (`payin/get` answers it): another payment for the
    /// same order, say.
    pub fn insert(&self, payin: Value) {
        let id = payin["id"].to_string();
        self.state().payins.insert(id, payin);
    }

    /// The next request is answered with `status` and `body` (after being recorded).
    pub fn fail_next(&self, status: u16, body: Value) {
        self.state().scripted.push_back((status, body));
    }

    fn answer(&self, call: Call) -> Response<Full<Bytes>> {
        let mut st = self.state();
        st.requests.push(call.clone());
        if let Some((status, body)) = st.scripted.pop_front() {
            return reply(status, body);
        }
        let refuse = |status: u16, msg: &str| reply(status, json!({"status": false, "msg": msg}));
        let Some(body) = call.body.as_object() else {
            return refuse(400, "body is not a JSON object");
        };
        if call.method != "POST" {
            return refuse(405, "POST only");
        }
        if body.get("mid").and_then(Value::as_u64) != Some(MID) {
            return refuse(401, "unknown mid");
        }
        if body
            .get("salt")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return refuse(400, "salt is required");
        }
        if body.get("sign").and_then(Value::as_str) != Some(sign_of(body).as_str()) {
            return refuse(401, "bad sign");
        }
        match call.path.as_str() {
            "/payin/create" => create(&mut st, body),
            "/payin/get" => {
                let id = match &body["id"] {
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => s.clone(),
                    _ => return refuse(400, "id is required"),
                };
                match st.payins.get(&id) {
                    Some(p) => reply(200, json!({"status": true, "msg": "", "data": p})),
                    None => refuse(404, "payment not found"),
                }
            }
            _ => refuse(404, "no such method"),
        }
    }
}

fn create(st: &mut State, body: &Map<String, Value>) -> Response<Full<Bytes>> {
    let refuse = |msg: &str| reply(400, json!({"status": false, "msg": msg}));
    let amount = body.get("amount").and_then(Value::as_str).unwrap_or("");
    let two_decimals = amount.split_once('.').is_some_and(|(w, f)| {
        !w.is_empty()
            && w.bytes().all(|b| b.is_ascii_digit())
            && f.len() == 2
            && f.bytes().all(|b| b.is_ascii_digit())
    });
    if !two_decimals {
        return refuse("amount must look like 199.00");
    }
    if body.get("currency").and_then(Value::as_str) != Some("RUB") {
        return refuse("currency not allowed");
    }
    if let Some(l) = body.get("lifetime")
        && !l.as_u64().is_some_and(|l| (30..=4320).contains(&l))
    {
        return refuse("lifetime must be 30..4320");
    }
    let Some(order_id) = body.get("order_id").and_then(Value::as_str) else {
        return refuse("order_id is required");
    };
    st.next_id += 1;
    let id = st.next_id;
    let rubles: f64 = amount.parse().unwrap_or(0.0);
    st.payins.insert(
        id.to_string(),
        json!({
            "id": id,
            "order_id": order_id,
            "amount": rubles,
            "currency": "RUB",
            "status": "new",
            "client_id": body.get("client_id"),
        }),
    );
    reply(
        200,
        json!({"status": true, "msg": "", "data": {
            "id": id,
            "url": format!("https://severpay.io/pay/{id}"),
            "expire_at": 1_900_000_000,
        }}),
    )
}
