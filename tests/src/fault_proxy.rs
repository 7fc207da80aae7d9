//! A proxy in front of moto_server that fails, delays or cuts chosen AWS
//! calls, so tests reproduce outages, slow answers and crashes for real: the
//! code under test talks to it through the real SDK clients, exactly as to
//! moto itself.
//!
//! A call is named by its operation (the end of `X-Amz-Target`:
//! `TransactWriteItems`, `SendMessage`…) and, optionally, a piece of its body
//! (a queue name, an order id).

use crate::serve;
use bytes::Bytes;
use futures::future::BoxFuture;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// A transaction's items held in flight, and for how long before forwarding.
type Held = (Vec<String>, Duration);

/// Frees a transaction's items when its call ends, answered or dropped.
struct Release {
    proxy: FaultProxy,
    items: Vec<String>,
}

impl Drop for Release {
    fn drop(&mut self) {
        self.proxy.conflict_done(&self.items);
    }
}

/// What to do to a matching call.
#[derive(Clone)]
pub enum Fault {
    /// Answer this HTTP status (a 500 `InternalServerError`) without
    /// forwarding: the service was down.
    Fail(u16),
    /// Forward, then hold the answer this long: the work was done, the
    /// answer came late.
    DelayAnswer(Duration),
    /// Run this first, then forward: a concurrent change lands between the
    /// caller's read and its write.
    Before(Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>),
    /// Forward, signal, then never answer: the test aborts the caller at the
    /// signal, as if the function died right after the call succeeded.
    Cut(Arc<Notify>),
}

struct Rule {
    op: String,
    body_contains: Option<String>,
    left: usize,
    fault: Fault,
}

/// A running proxy.
#[derive(Clone)]
pub struct FaultProxy {
    /// Its base URL (use it as the AWS endpoint).
    pub url: String,
    rules: Arc<Mutex<Vec<Rule>>>,
    seen: Arc<Mutex<Vec<String>>>,
    conflicts: Arc<Mutex<Option<Conflicts>>>,
}

/// DynamoDB's transaction conflicts, which moto does not have: while a
/// `TransactWriteItems` is in flight (held `hold` before it is forwarded, as
/// DynamoDB's two phases take time), another transaction on one of its items
/// is canceled with `TransactionConflict`, and a `PutItem`, `UpdateItem` or
/// `DeleteItem` of one of its items fails with `TransactionConflictException`.
struct Conflicts {
    hold: Duration,
    /// Items (`table|key`) of the transactions in flight.
    busy: std::collections::HashMap<String, usize>,
    /// Calls refused so far.
    refused: usize,
}

impl FaultProxy {
    /// Starts a proxy forwarding to `target` (moto's endpoint).
    pub async fn start(target: &str) -> FaultProxy {
        let (listener, url) = serve::listen("fault proxy").await;
        let proxy = FaultProxy {
            url,
            rules: Arc::new(Mutex::new(Vec::new())),
            seen: Arc::new(Mutex::new(Vec::new())),
            conflicts: Arc::new(Mutex::new(None)),
        };
        let client = reqwest::Client::new();
        let target = target.trim_end_matches('/').to_owned();
        let p = proxy.clone();
        serve::spawn(listener, move |req| {
            let (p, client, target) = (p.clone(), client.clone(), target.clone());
            async move { p.answer(&client, &target, req).await }
        });
        proxy
    }

    /// Applies `fault` to the next `times` calls of `op` whose body contains
    /// `body_contains` (any body when `None`).
    pub fn add(&self, op: &str, body_contains: Option<&str>, times: usize, fault: Fault) {
        self.rules.lock().expect("rules").push(Rule {
            op: op.to_owned(),
            body_contains: body_contains.map(str::to_owned),
            left: times,
            fault,
        });
    }

    /// Cancels concurrent transactions on the same item as DynamoDB does
    /// (see [`Conflicts`]), holding each transaction `hold` in flight.
    pub fn conflict_like_dynamodb(&self, hold: Duration) {
        *self.conflicts.lock().expect("conflicts") = Some(Conflicts {
            hold,
            busy: std::collections::HashMap::new(),
            refused: 0,
        });
    }

    /// How many calls the conflict mode refused so far.
    pub fn conflicts_refused(&self) -> usize {
        self.conflicts
            .lock()
            .expect("conflicts")
            .as_ref()
            .map_or(0, |c| c.refused)
    }

    /// The items a write names, as `table|key`, and whether it is a
    /// transaction; `None` for calls the conflict mode ignores.
    fn written_items(op: &str, body: &[u8]) -> Option<(Vec<String>, bool)> {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        let item_of = |w: &serde_json::Value| {
            let table = w["TableName"].as_str().unwrap_or_default();
            let key = if w["Key"].is_object() {
                w["Key"].clone()
            } else {
                // A Put names its key among the item's attributes.
                serde_json::json!({"PK": w["Item"]["PK"], "SK": w["Item"]["SK"]})
            };
            format!("{table}|{key}")
        };
        match op {
            "TransactWriteItems" => {
                let items = v["TransactItems"]
                    .as_array()?
                    .iter()
                    .filter_map(|t| {
                        ["Update", "Put", "Delete", "ConditionCheck"]
                            .iter()
                            .find_map(|k| t.get(*k))
                            .map(item_of)
                    })
                    .collect();
                Some((items, true))
            }
            "PutItem" | "UpdateItem" | "DeleteItem" => Some((vec![item_of(&v)], false)),
            _ => None,
        }
    }

    /// In conflict mode: the refusal DynamoDB would answer now, or the items
    /// this transaction holds until it is answered.
    fn conflict_check(
        &self,
        op: &str,
        body: &[u8],
    ) -> Result<Option<Held>, Box<Response<Full<Bytes>>>> {
        let mut guard = self.conflicts.lock().expect("conflicts");
        let Some(c) = guard.as_mut() else {
            return Ok(None);
        };
        let Some((items, transaction)) = Self::written_items(op, body) else {
            return Ok(None);
        };
        let clash: Vec<bool> = items.iter().map(|i| c.busy.contains_key(i)).collect();
        if clash.iter().any(|b| *b) {
            c.refused += 1;
            let body = if transaction {
                let reasons: Vec<serde_json::Value> = clash
                    .iter()
                    .map(|b| {
                        if *b {
                            serde_json::json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"})
                        } else {
                            serde_json::json!({"Code": "None"})
                        }
                    })
                    .collect();
                serde_json::json!({
                    "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                    "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
                    "CancellationReasons": reasons,
                })
            } else {
                serde_json::json!({
                    "__type": "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
                    "message": "Transaction is ongoing for the item",
                })
            };
            let mut out = Response::new(Full::new(Bytes::from(body.to_string())));
            *out.status_mut() = StatusCode::BAD_REQUEST;
            out.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"),
            );
            return Err(Box::new(out));
        }
        if !transaction {
            return Ok(None);
        }
        for i in &items {
            *c.busy.entry(i.clone()).or_default() += 1;
        }
        Ok(Some((items, c.hold)))
    }

    fn conflict_done(&self, items: &[String]) {
        if let Some(c) = self.conflicts.lock().expect("conflicts").as_mut() {
            for i in items {
                if let Some(n) = c.busy.get_mut(i) {
                    *n -= 1;
                    if *n == 0 {
                        c.busy.remove(i);
                    }
                }
            }
        }
    }

    /// Drops every rule that has not fired yet.
    pub fn heal(&self) {
        self.rules.lock().expect("rules").clear();
    }

    /// Operations seen so far, in order.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("seen").clone()
    }

    fn fault_for(&self, op: &str, body: &[u8]) -> Option<Fault> {
        let mut rules = self.rules.lock().expect("rules");
        let text = String::from_utf8_lossy(body);
        let rule = rules.iter_mut().find(|r| {
            r.left > 0
                && r.op == op
                && r.body_contains
                    .as_deref()
                    .is_none_or(|needle| text.contains(needle))
        })?;
        rule.left -= 1;
        Some(rule.fault.clone())
    }

    async fn answer(
        &self,
        client: &reqwest::Client,
        target: &str,
        req: Request<hyper::body::Incoming>,
    ) -> Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let op = parts
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or_default()
            .to_owned();
        self.seen.lock().expect("seen").push(op.clone());
        let fault = self.fault_for(&op, &body);
        if let Some(Fault::Fail(status)) = fault {
            let mut out = Response::new(Full::new(Bytes::from_static(
                br#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}"#,
            )));
            *out.status_mut() = StatusCode::from_u16(status).expect("status");
            out.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"),
            );
            return out;
        }
        if let Some(Fault::Before(action)) = &fault {
            action().await;
        }
        let held = match self.conflict_check(&op, &body) {
            Ok(held) => held,
            Err(refused) => return *refused,
        };
        // Released however this call ends: a caller that gives up drops it
        // mid-flight, and its items must not stay busy forever.
        let _release = held.as_ref().map(|(items, _)| Release {
            proxy: self.clone(),
            items: items.clone(),
        });
        if let Some((_, hold)) = &held {
            tokio::time::sleep(*hold).await;
        }
        self.forward(client, target, &parts, body, fault).await
    }

    async fn forward(
        &self,
        client: &reqwest::Client,
        target: &str,
        parts: &hyper::http::request::Parts,
        body: Bytes,
        fault: Option<Fault>,
    ) -> Response<Full<Bytes>> {
        let uri = format!(
            "{target}{}",
            parts.uri.path_and_query().map_or("/", |p| p.as_str())
        );
        let mut forward = client.request(parts.method.clone(), uri).body(body);
        for (name, value) in &parts.headers {
            if name != hyper::header::HOST && name != hyper::header::CONTENT_LENGTH {
                forward = forward.header(name, value);
            }
        }
        let upstream = match forward.send().await {
            Ok(r) => r,
            Err(e) => {
                let mut out = Response::new(Full::new(Bytes::from(e.to_string())));
                *out.status_mut() = StatusCode::BAD_GATEWAY;
                return out;
            }
        };
        let status = upstream.status();
        let headers = upstream.headers().clone();
        let bytes = upstream.bytes().await.unwrap_or_default();
        match fault {
            Some(Fault::DelayAnswer(d)) => tokio::time::sleep(d).await,
            Some(Fault::Cut(signal)) => {
                signal.notify_one();
                std::future::pending::<()>().await;
            }
            _ => {}
        }
        let mut out = Response::new(Full::new(bytes));
        *out.status_mut() = status;
        for (name, value) in &headers {
            if name != hyper::header::CONTENT_LENGTH && name != hyper::header::TRANSFER_ENCODING {
                out.headers_mut().insert(name, value.clone());
            }
        }
        out
    }
}
