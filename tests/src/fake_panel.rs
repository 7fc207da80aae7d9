//! A fake Remnawave 3.x panel: keeps users and HWID devices in memory,
//! answers in the contract's shapes (`{"response": ...}`, `errorCode`s),
//! checks the bearer token and the forwarding headers, and records every
//! request so tests can assert on them and validate the bodies against the
//! official contract (`tests/contract/validate.mjs`).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct PanelCall {
    /// HTTP method (`POST`).
    pub method: String,
    /// Path (`/api/users`).
    pub path: String,
    /// Query parameters.
    pub query: BTreeMap<String, String>,
    /// JSON body, if any.
    pub body: Option<Value>,
    /// The bearer token was the right one.
    pub authorized: bool,
    /// `X-Forwarded-For` and `X-Forwarded-Proto: https` were present.
    pub forwarded: bool,
}

#[derive(Default)]
struct State {
    users: BTreeMap<i64, Value>,
    devices: HashMap<i64, Vec<Value>>,
    calls: Vec<PanelCall>,
    next_id: i64,
    down: bool,
    /// The operator's subscription-page configuration, if any.
    subpage: Option<Value>,
}

/// The fake server.
#[derive(Clone)]
pub struct FakePanel {
    /// Base URL to give the bot as `PANEL_API_URL` (the panel's root).
    pub url: String,
    key: String,
    state: Arc<Mutex<State>>,
}

const NOW_ISO: &str = "2026-11-01T00:00:00.000Z";

fn iso(ts: i64) -> String {
    shared::adapters::panel::format_time(ts)
}

impl FakePanel {
    /// Starts the fake; requests must carry `Authorization: Bearer <key>`.
    pub async fn start(key: &str) -> FakePanel {
        let (listener, url) = crate::serve::listen("fake panel").await;
        let fake = FakePanel {
            url,
            key: key.to_owned(),
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

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("fake panel state")
    }

    async fn answer(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let method = req.method().as_str().to_owned();
        let path = req.uri().path().to_owned();
        let query: BTreeMap<String, String> = req
            .uri()
            .query()
            .map(|q| {
                // The bot's query values are numbers: no percent-decoding needed.
                q.split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let authorized =
            header("authorization").as_deref() == Some(&format!("Bearer {}", self.key));
        let forwarded = header("x-forwarded-for").is_some()
            && header("x-forwarded-proto").as_deref() == Some("https");
        let bytes = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let body = (!bytes.is_empty())
            .then(|| serde_json::from_slice::<Value>(&bytes).ok())
            .flatten();
        let mut st = self.lock();
        st.calls.push(PanelCall {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            body: body.clone(),
            authorized,
            forwarded,
        });
        if st.down {
            return reply(503, json!({"message": "Service Unavailable"}));
        }
        if !authorized {
            return error(401, "A003", "Unauthorized");
        }
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method.as_str(), segments.as_slice()) {
            ("POST", ["api", "users"]) => st.create(body.unwrap_or_default()),
            ("PATCH", ["api", "users"]) => st.update(body.unwrap_or_default()),
            ("GET", ["api", "users", "stream"]) => {
                let tg = query.get("telegramId").and_then(|t| t.parse::<i64>().ok());
                let users: Vec<Value> = st
                    .users
                    .values()
                    .filter(|u| tg.is_some() && u["telegramId"].as_i64() == tg)
                    .cloned()
                    .collect();
                ok(json!({"users": users, "nextCursor": null, "hasMore": false}))
            }
            ("GET", ["api", "users"]) => {
                let start: usize = query.get("start").and_then(|s| s.parse().ok()).unwrap_or(0);
                let size: usize = query.get("size").and_then(|s| s.parse().ok()).unwrap_or(25);
                let users: Vec<Value> = st.users.values().skip(start).take(size).cloned().collect();
                ok(json!({"users": users, "total": st.users.len()}))
            }
            ("DELETE", ["api", "users", id]) => {
                match id.parse::<i64>().ok().and_then(|i| st.users.remove(&i)) {
                    Some(_) => ok(json!({"isDeleted": true})),
                    None => not_found(),
                }
            }
            ("GET", ["api", "users", id]) => {
                match id.parse::<i64>().ok().and_then(|i| st.users.get(&i)) {
                    Some(u) => ok(u.clone()),
                    None => not_found(),
                }
            }
            (
                "POST",
                [
                    "api",
                    "users",
                    id,
                    "actions",
                    action @ ("enable" | "disable"),
                ],
            ) => {
                let Some(u) = id.parse::<i64>().ok().and_then(|i| st.users.get_mut(&i)) else {
                    return not_found();
                };
                let (want, already) = if *action == "enable" {
                    ("ACTIVE", ("A030", "User already enabled"))
                } else {
                    ("DISABLED", ("A029", "User already disabled"))
                };
                let disabled = u["status"] == "DISABLED";
                if (*action == "disable") == disabled {
                    return error(400, already.0, already.1);
                }
                u["status"] = json!(want);
                ok(u.clone())
            }
            ("GET", ["api", "system", "stats"]) => {
                let online = st
                    .users
                    .values()
                    .filter(|u| u["status"] == "ACTIVE")
                    .count();
                ok(json!({
                    "cpu": {"cores": 2, "physicalCores": 2},
                    "memory": {"total": 4_294_967_296i64, "free": 3_221_225_472i64, "used": 1_073_741_824i64},
                    "uptime": 3.5 * 86_400.0,
                    "timestamp": 1_700_000_000_000i64,
                    "users": {"statusCounts": {"ACTIVE": online}, "totalUsers": st.users.len(), "totalTrafficBytes": "0"},
                    "onlineStats": {"lastDay": 0, "lastWeek": 0, "neverOnline": 0, "onlineNow": online},
                    "nodes": {"totalOnline": 3, "totalBytesLifetime": "0"}
                }))
            }
            ("GET", ["api", "hwid", "devices", id]) => {
                let id: i64 = id.parse().unwrap_or_default();
                let devices = st.devices.get(&id).cloned().unwrap_or_default();
                ok(json!({"total": devices.len(), "devices": devices}))
            }
            ("GET", ["api", "subscription-page-configs"]) => {
                let configs: Vec<Value> = st
                    .subpage
                    .iter()
                    .map(|c| {
                        json!({"uuid": "6f1d2c3b-4a59-4e68-9d7c-8b9a0f1e2d3c", "viewPosition": 1,
                            "name": "Default", "tags": [], "config": c})
                    })
                    .collect();
                ok(json!({"total": configs.len(), "configs": configs}))
            }
            ("POST", ["api", "hwid", "devices", "delete-all"]) => {
                let id = body.unwrap_or_default()["userId"]
                    .as_i64()
                    .unwrap_or_default();
                if !st.users.contains_key(&id) {
                    return not_found();
                }
                st.devices.insert(id, Vec::new());
                ok(json!({"total": 0, "devices": []}))
            }
            ("POST", ["api", "users", id, "actions", "revoke"]) => {
                let Some(u) = id.parse::<i64>().ok().and_then(|i| st.users.get_mut(&i)) else {
                    return not_found();
                };
                // A new short id, and with it a new subscription link.
                let next = format!("{}r", u["shortUuid"].as_str().unwrap_or_default());
                u["shortUuid"] = json!(next);
                u["subscriptionUrl"] = json!(format!("https://sub.fake-panel.test/{next}"));
                ok(u.clone())
            }
            ("POST", ["api", "hwid", "devices", "delete"]) => {
                let body = body.unwrap_or_default();
                let id = body["userId"].as_i64().unwrap_or_default();
                let hwid = body["hwid"].as_str().unwrap_or_default().to_owned();
                let list = st.devices.entry(id).or_default();
                let before = list.len();
                list.retain(|d| d["hwid"] != hwid.as_str());
                if list.len() == before {
                    return error(404, "A101", "Device not found");
                }
                let devices = list.clone();
                ok(json!({"total": devices.len(), "devices": devices}))
            }
            _ => error(404, "A000", "no such route in the fake"),
        }
    }

    /// Puts the panel down (every request answers 503) or back up.
    pub fn set_down(&self, down: bool) {
        self.lock().down = down;
    }

    /// Adds a user as if created earlier (by another bot or an admin);
    /// returns its id.
    pub fn seed_user(
        &self,
        username: &str,
        telegram_id: Option<i64>,
        expire_at: i64,
        status: &str,
    ) -> i64 {
        let mut st = self.lock();
        let id = st.next_id;
        st.next_id += 1;
        let user = new_user(id, username, telegram_id, &iso(expire_at), status);
        st.users.insert(id, user);
        id
    }

    /// Adds a user exactly as given (a recorded panel response, say).
    pub fn seed_raw_user(&self, user: Value) -> i64 {
        let id = user["id"].as_i64().expect("user has an id");
        let mut st = self.lock();
        st.next_id = st.next_id.max(id + 1);
        st.users.insert(id, user);
        id
    }

    /// Sets a user's status (the panel expiring or limiting it by itself).
    pub fn set_status(&self, id: i64, status: &str) {
        if let Some(u) = self.lock().users.get_mut(&id) {
            u["status"] = json!(status);
        }
    }

    /// Sets the expiry of the user with this username (the panel still
    /// showing an older, longer end, say).
    pub fn set_expire(&self, username: &str, expire_at: i64) {
        if let Some(u) = self
            .lock()
            .users
            .values_mut()
            .find(|u| u["username"] == username)
        {
            u["expireAt"] = json!(iso(expire_at));
        }
    }

    /// Deletes a user (an admin removing it in the panel).
    pub fn delete_user(&self, id: i64) {
        self.lock().users.remove(&id);
    }

    /// Sets the traffic a user has used.
    pub fn set_used_traffic(&self, id: i64, bytes: u64) {
        if let Some(u) = self.lock().users.get_mut(&id) {
            u["userTraffic"]["usedTrafficBytes"] = json!(bytes);
        }
    }

    /// Adds a HWID device to a user.
    pub fn add_device(&self, user_id: i64, hwid: &str, platform: &str, model: &str, os: &str) {
        self.lock().devices.entry(user_id).or_default().push(json!({
            "hwid": hwid, "userId": user_id, "platform": platform, "osVersion": os,
            "deviceModel": model, "userAgent": "Happ/3.0", "requestIp": null,
            "createdAt": NOW_ISO, "updatedAt": NOW_ISO,
        }));
    }

    /// The user's HWIDs.
    pub fn device_hwids(&self, user_id: i64) -> Vec<String> {
        self.lock()
            .devices
            .get(&user_id)
            .map(|l| {
                l.iter()
                    .filter_map(|d| d["hwid"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every user, by id.
    pub fn users(&self) -> Vec<Value> {
        self.lock().users.values().cloned().collect()
    }

    /// A user by username.
    pub fn user_named(&self, username: &str) -> Option<Value> {
        self.lock()
            .users
            .values()
            .find(|u| u["username"] == username)
            .cloned()
    }

    /// Every request so far.
    pub fn calls(&self) -> Vec<PanelCall> {
        self.lock().calls.clone()
    }

    /// Sets the subscription-page configuration the panel serves.
    pub fn set_subpage_config(&self, config: Value) {
        self.lock().subpage = Some(config);
    }

    /// Deletes a user, as an admin does in the panel.
    pub fn remove_user(&self, id: i64) {
        self.lock().users.remove(&id);
    }

    /// Requests with this method and path.
    pub fn calls_to(&self, method: &str, path: &str) -> Vec<PanelCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method && c.path == path)
            .collect()
    }

    /// Forgets recorded requests.
    pub fn clear_calls(&self) {
        self.lock().calls.clear();
    }

    /// The recorded requests as JSON lines for `tests/contract/validate.mjs`.
    pub fn contract_lines(&self) -> Vec<Value> {
        self.calls()
            .into_iter()
            .map(|c| {
                json!({
                    "name": "recorded",
                    "method": c.method,
                    "path": c.path,
                    "query": c.query,
                    "body": c.body,
                })
            })
            .collect()
    }
}

fn new_user(
    id: i64,
    username: &str,
    telegram_id: Option<i64>,
    expire_at: &str,
    status: &str,
) -> Value {
    let short = format!("fk{id:010}s");
    json!({
        "id": id,
        "shortUuid": short,
        "username": username,
        "status": status,
        "trafficLimitBytes": 0,
        "trafficLimitStrategy": "NO_RESET",
        "expireAt": expire_at,
        "telegramId": telegram_id,
        "email": null,
        "description": null,
        "tag": null,
        "hwidDeviceLimit": null,
        "externalSquadUuid": null,
        "trojanPassword": "fakeTrojanPassw0rd",
        "vlessUuid": format!("6a0d3f1e-2b4c-4d5e-8f90-{id:012}"),
        "ssPassword": "fakeSsPassw0rd01",
        "lastTriggeredThreshold": 0,
        "subRevokedAt": null,
        "lastTrafficResetAt": null,
        "createdAt": NOW_ISO,
        "updatedAt": NOW_ISO,
        "subscriptionUrl": format!("https://sub.fake-panel.test/{short}"),
        "activeInternalSquads": [],
        "userTraffic": {
            "usedTrafficBytes": 0,
            "lifetimeUsedTrafficBytes": 0,
            "onlineAt": null,
            "firstConnectedAt": null,
            "lastConnectedNodeUuid": null
        }
    })
}

impl State {
    fn create(&mut self, body: Value) -> Response<Full<Bytes>> {
        let Some(username) = body["username"].as_str() else {
            return error(400, "", "Validation failed: username");
        };
        let Some(expire_at) = body["expireAt"].as_str() else {
            return error(400, "", "Validation failed: expireAt");
        };
        if self.users.values().any(|u| u["username"] == username) {
            return error(400, "A019", "User username already exists");
        }
        let id = self.next_id;
        self.next_id += 1;
        let status = body["status"].as_str().unwrap_or("ACTIVE");
        let mut user = new_user(id, username, body["telegramId"].as_i64(), expire_at, status);
        apply_fields(&mut user, &body);
        self.users.insert(id, user.clone());
        ok(user)
    }

    fn update(&mut self, body: Value) -> Response<Full<Bytes>> {
        let found = match (body["id"].as_i64(), body["username"].as_str()) {
            (Some(id), _) => self.users.get_mut(&id),
            (None, Some(name)) => self.users.values_mut().find(|u| u["username"] == name),
            (None, None) => return error(400, "", "At least one of username, id must be provided"),
        };
        let Some(user) = found else {
            return not_found();
        };
        apply_fields(user, &body);
        if let Some(status) = body["status"].as_str() {
            user["status"] = json!(status);
        }
        ok(user.clone())
    }
}

/// Copies the writable fields of a create/update body onto a user. Like the
/// real panel, an expired user stays `EXPIRED` until told otherwise.
fn apply_fields(user: &mut Value, body: &Value) {
    for key in [
        "expireAt",
        "trafficLimitBytes",
        "trafficLimitStrategy",
        "telegramId",
        "hwidDeviceLimit",
        "description",
        "externalSquadUuid",
        "tag",
        "email",
    ] {
        if let Some(v) = body.get(key) {
            user[key] = v.clone();
        }
    }
    if let Some(squads) = body.get("activeInternalSquads").and_then(Value::as_array) {
        user["activeInternalSquads"] = Value::Array(
            squads
                .iter()
                .map(|u| json!({"uuid": u, "name": "Squad"}))
                .collect(),
        );
    }
    user["updatedAt"] = json!(NOW_ISO);
}

fn ok(response: Value) -> Response<Full<Bytes>> {
    let mut m = Map::new();
    m.insert("response".into(), response);
    reply(200, Value::Object(m))
}

fn not_found() -> Response<Full<Bytes>> {
    error(404, "A025", "User not found")
}

fn error(status: u16, code: &str, message: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        json!({"timestamp": NOW_ISO, "path": "/api", "message": message, "errorCode": code}),
    )
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
