//! A fake Telegram Bot API server that records every call and checks the
//! token in the path. Method names match case-insensitively (teloxide-core
//! sends `SendMessage`).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// One recorded Bot API call.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method name, lower-cased (`sendmessage`).
    pub method: String,
    /// JSON parameters.
    pub body: Value,
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    wrong_token: Vec<String>,
    /// Scripted one-off answers per lower-cased method: (HTTP status, body).
    scripted: HashMap<String, VecDeque<(u16, Value)>>,
    /// getChatMember status by user id.
    members: HashMap<i64, String>,
    next_message_id: i64,
    /// Updates `getUpdates` hands out (long polling), oldest first.
    pending_updates: VecDeque<Value>,
    /// Chats whose user blocked the bot: sending there answers 403.
    blocked: std::collections::HashSet<i64>,
    /// Messages a second Telegram accepts overall (`None`: no limit); above
    /// it, 429 with `retry_after`.
    rate_limit: Option<usize>,
    /// When recent messages were accepted (for the rate limit).
    recent: VecDeque<std::time::Instant>,
    /// 429 answers given.
    throttled: u64,
}

/// The fake server.
#[derive(Clone)]
pub struct FakeTelegram {
    /// Base URL to give the bot as `TELEGRAM_API_URL`.
    pub url: String,
    token: String,
    state: Arc<Mutex<State>>,
}

/// The bot username the fake reports from `getMe`.
pub const BOT_USERNAME: &str = "test_shop_bot";

impl FakeTelegram {
    /// Starts the fake for bot `token`.
    pub async fn start(token: &str) -> FakeTelegram {
        let (listener, url) = crate::serve::listen("fake telegram").await;
        let fake = FakeTelegram {
            url,
            token: token.to_owned(),
            state: Arc::new(Mutex::new(State {
                next_message_id: 5000,
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

    async fn answer(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let path = req.uri().path().to_owned();
        let query = req.uri().query().unwrap_or_default().to_owned();
        let boundary = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("boundary=").nth(1))
            .map(|b| b.trim_matches('"').to_owned());
        let body = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let mut segments = path.trim_start_matches('/').splitn(2, '/');
        let bot = segments.next().unwrap_or_default();
        let method = segments.next().unwrap_or_default().to_lowercase();
        let multipart = boundary.map(|b| multipart_params(&body, &b));
        let mut params: Value = multipart.unwrap_or_else(|| {
            serde_json::from_slice(&body).unwrap_or_else(|_| {
                // Form-encoded or query parameters.
                let text = if body.is_empty() {
                    query.clone()
                } else {
                    String::from_utf8_lossy(&body).into_owned()
                };
                Value::Object(
                    text.split('&')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                        .collect(),
                )
            })
        });
        if params.is_null() {
            params = json!({});
        }
        if method == "getupdates" {
            return self.get_updates(&params).await;
        }
        let mut st = self.state.lock().expect("fake state");
        if bot != format!("bot{}", self.token) {
            st.wrong_token.push(path.clone());
            return reply(
                401,
                json!({"ok": false, "error_code": 401, "description": "Unauthorized"}),
            );
        }
        st.calls.push(Call {
            method: method.clone(),
            body: params.clone(),
        });
        if let Some((status, body)) = st.scripted.get_mut(&method).and_then(VecDeque::pop_front) {
            return reply(status, body);
        }
        let chat = params["chat_id"].as_i64().unwrap_or_default();
        if st.blocked.contains(&chat) && matches!(method.as_str(), "sendmessage" | "copymessage") {
            return reply(
                403,
                json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
            );
        }
        if let Some(limit) = st.rate_limit
            && matches!(method.as_str(), "sendmessage" | "copymessage")
        {
            let now = std::time::Instant::now();
            while st
                .recent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= std::time::Duration::from_secs(1))
            {
                st.recent.pop_front();
            }
            if st.recent.len() >= limit {
                st.throttled += 1;
                st.calls.pop();
                return reply(
                    429,
                    json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}}),
                );
            }
            st.recent.push_back(now);
        }
        let result = match method.as_str() {
            "getme" => json!({
                "id": 7000000001i64, "is_bot": true, "first_name": "Test Shop", "username": BOT_USERNAME,
                "can_join_groups": false, "can_read_all_group_messages": false,
                "supports_inline_queries": true, "can_connect_to_business": false, "has_main_web_app": false
            }),
            // An invoice link names its payload, so a test can find the order.
            "createinvoicelink" => json!(format!(
                "https://t.me/$invoice-{}",
                params["payload"].as_str().unwrap_or_default()
            )),
            "copymessage" => {
                st.next_message_id += 1;
                json!({"message_id": st.next_message_id})
            }
            "sendmessage" | "editmessagetext" | "sendphoto" | "senddocument" => {
                st.next_message_id += 1;
                let chat_id = params["chat_id"].as_i64().unwrap_or_default();
                json!({
                    "message_id": params["message_id"].as_i64().unwrap_or(st.next_message_id),
                    "date": 1_700_000_000,
                    "chat": {"id": chat_id, "type": "private", "first_name": "User"},
                    "from": {"id": 7000000001i64, "is_bot": true, "first_name": "Test Shop", "username": BOT_USERNAME},
                    "text": params["text"].as_str().unwrap_or_default(),
                })
            }
            "getchatmember" => {
                let user = params["user_id"].as_i64().unwrap_or_default();
                let status = st
                    .members
                    .get(&user)
                    .cloned()
                    .unwrap_or_else(|| "left".into());
                json!({"user": {"id": user, "is_bot": false, "first_name": "User"}, "status": status})
            }
            _ => json!(true),
        };
        reply(200, json!({"ok": true, "result": result}))
    }

    /// `getUpdates`: the pending updates from `offset` on; when there are
    /// none, a short wait (as Telegram's long poll does) and an empty list.
    async fn get_updates(&self, params: &Value) -> Response<Full<Bytes>> {
        let offset = params["offset"].as_i64().unwrap_or(0);
        let updates: Vec<Value> = {
            let mut st = self.state.lock().expect("fake state");
            st.calls.push(Call {
                method: "getupdates".into(),
                body: params.clone(),
            });
            st.pending_updates
                .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            st.pending_updates.iter().cloned().collect()
        };
        if updates.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        reply(200, json!({"ok": true, "result": updates}))
    }

    /// Queues an update for long polling.
    pub fn push_update(&self, update: Value) {
        self.state
            .lock()
            .expect("fake state")
            .pending_updates
            .push_back(update);
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().expect("fake state").calls.clone()
    }

    /// Calls of one method (case-insensitive).
    pub fn calls_of(&self, method: &str) -> Vec<Call> {
        let m = method.to_lowercase();
        self.calls().into_iter().filter(|c| c.method == m).collect()
    }

    /// Messages sent (`sendMessage`) to `chat`.
    pub fn sent_to(&self, chat: i64) -> Vec<Call> {
        self.calls_of("sendMessage")
            .into_iter()
            .filter(|c| c.body["chat_id"].as_i64() == Some(chat))
            .collect()
    }

    /// Enforces `per_second` messages a second overall, as Telegram does,
    /// answering 429 `retry_after: 1` above it.
    pub fn set_rate_limit(&self, per_second: usize) {
        self.state.lock().expect("fake state").rate_limit = Some(per_second);
    }

    /// How many 429 answers the rate limit gave.
    pub fn throttled(&self) -> u64 {
        self.state.lock().expect("fake state").throttled
    }

    /// Makes `chat`'s user have blocked the bot: messages there get 403.
    pub fn block(&self, chat: i64) {
        self.state.lock().expect("fake state").blocked.insert(chat);
    }

    /// Forgets recorded calls.
    pub fn clear(&self) {
        self.state.lock().expect("fake state").calls.clear();
    }

    /// Paths that came with a token other than the bot's.
    pub fn wrong_token_calls(&self) -> Vec<String> {
        self.state.lock().expect("fake state").wrong_token.clone()
    }

    /// The next call of `method` gets this answer instead of the default.
    pub fn script(&self, method: &str, status: u16, body: Value) {
        self.state
            .lock()
            .expect("fake state")
            .scripted
            .entry(method.to_lowercase())
            .or_default()
            .push_back((status, body));
    }

    /// Sets what `getChatMember` reports for `user` ("member", "left", "kicked"...).
    pub fn set_member(&self, user: i64, status: &str) {
        self.state
            .lock()
            .expect("fake state")
            .members
            .insert(user, status.to_owned());
    }
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

/// The fields of a `multipart/form-data` body: text fields as strings, files
/// as `{"file_name": …, "hex": …}` (uploads such as `sendPhoto`).
fn multipart_params(body: &[u8], boundary: &str) -> Value {
    let delim = format!("--{boundary}");
    let mut out = serde_json::Map::new();
    let mut rest = body;
    while let Some(pos) = find(rest, delim.as_bytes()) {
        rest = &rest[pos + delim.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let data_start = head_end + 4;
        let data_end = find(&rest[data_start..], delim.as_bytes())
            .map(|e| data_start + e)
            .unwrap_or(rest.len());
        let mut data = &rest[data_start..data_end];
        if data.ends_with(b"\r\n") {
            data = &data[..data.len() - 2];
        }
        let attr = |name: &str| {
            head.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next())
                .map(str::to_owned)
        };
        if let Some(name) = attr(" name").or_else(|| attr("name")) {
            let value = match attr("filename") {
                Some(f) => json!({"file_name": f, "hex": hex::encode(data)}),
                None => {
                    let text = String::from_utf8_lossy(data).into_owned();
                    serde_json::from_str::<Value>(&text)
                        .ok()
                        .filter(|v| v.is_number() || v.is_object() || v.is_array())
                        .unwrap_or(Value::String(text))
                }
            };
            out.insert(name, value);
        }
        rest = &rest[data_start..];
    }
    // `photo=attach://<field>`: the upload is in that field.
    let attached: Vec<(String, String)> = out
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.strip_prefix("attach://")?.to_owned())))
        .collect();
    for (field, part) in attached {
        if let Some(file) = out.remove(&part) {
            out.insert(field, file);
        }
    }
    Value::Object(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
