//! A client of the Remnawave 3.x REST API: users addressed by numeric `id`,
//! look-up by Telegram id through `/api/users/stream`, HWID devices.
//! Request and response shapes follow `@remnawave/backend-contract` 3.4.x;
//! the test suite validates every body we send against its schemas.

use crate::base::config::{Panel, TrafficStrategy};
use crate::base::types::TelegramId;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A panel call that takes longer than this is treated as a transient failure.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Connecting to the panel must not take longer than this.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Panel error code: the username is taken (`USER_USERNAME_ALREADY_EXISTS`).
pub const USERNAME_TAKEN: &str = "A019";
/// Panel error code: no such user (`USER_NOT_FOUND`).
pub const USER_NOT_FOUND: &str = "A025";
/// Panel error code: the user is already disabled.
const ALREADY_DISABLED: &str = "A029";
/// Panel error code: the user is already enabled.
const ALREADY_ENABLED: &str = "A030";

/// What went wrong talking to the panel, sorted by what the caller should do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PanelError {
    /// Network failure, timeout, 5xx or 429: try again later.
    #[error("panel unavailable: {0}")]
    Transient(String),
    /// The user (or device) does not exist on the panel (`A025`, 404).
    #[error("panel: not found")]
    NotFound,
    /// The username is taken by an existing panel user (`A019`).
    #[error("panel: username already exists")]
    UsernameTaken,
    /// The panel refused the request itself (bad token, invalid body):
    /// repeating it cannot succeed until the configuration changes.
    #[error("panel refused the request: HTTP {status} {code}: {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// The panel's `errorCode`, if it sent one.
        code: String,
        /// The panel's message.
        message: String,
    },
}

impl PanelError {
    /// Whether a retry may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, PanelError::Transient(_))
    }
}

/// A user's lifecycle state on the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PanelStatus {
    /// Access works.
    Active,
    /// Switched off by an admin (or by us for a banned user).
    Disabled,
    /// Traffic limit reached.
    Limited,
    /// Past `expireAt`.
    Expired,
}

impl PanelStatus {
    /// The panel's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PanelStatus::Active => "ACTIVE",
            PanelStatus::Disabled => "DISABLED",
            PanelStatus::Limited => "LIMITED",
            PanelStatus::Expired => "EXPIRED",
        }
    }

    /// Parses the panel's spelling.
    pub fn parse(s: &str) -> Option<PanelStatus> {
        [
            PanelStatus::Active,
            PanelStatus::Disabled,
            PanelStatus::Limited,
            PanelStatus::Expired,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// The parts of a panel user (`ExtendedUsersSchema`) the bot uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PanelUser {
    /// Numeric id: the key of every 3.x user route.
    pub id: i64,
    /// Short id in the subscription URL.
    pub short_uuid: String,
    /// Username (`tg_<telegram id>` for users the bot created).
    pub username: String,
    /// Lifecycle state.
    pub status: PanelStatus,
    /// Traffic limit in bytes, 0 = unlimited.
    #[serde(deserialize_with = "whole_bytes")]
    pub traffic_limit_bytes: u64,
    /// Expiry as the panel prints it (ISO 8601).
    pub expire_at: String,
    /// Telegram id the user is linked to, if any.
    #[serde(default)]
    pub telegram_id: Option<i64>,
    /// Subscription link.
    #[serde(default)]
    pub subscription_url: String,
    /// Traffic counters.
    #[serde(default)]
    pub user_traffic: Option<UserTraffic>,
}

/// Traffic counters of a panel user (`UserTrafficSchema`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserTraffic {
    /// Used in the current reset period.
    #[serde(deserialize_with = "whole_bytes")]
    pub used_traffic_bytes: u64,
    /// When the user was last online (ISO 8601), if ever.
    #[serde(default)]
    pub online_at: Option<String>,
    /// When the user first connected (ISO 8601), if ever.
    #[serde(default)]
    pub first_connected_at: Option<String>,
}

impl PanelUser {
    /// Expiry as unix seconds, if the panel's date parses.
    pub fn expire_ts(&self) -> Option<i64> {
        parse_time(&self.expire_at)
    }

    /// When the VPN was last used (unix seconds), if ever.
    pub fn online_ts(&self) -> Option<i64> {
        self.user_traffic
            .as_ref()
            .and_then(|t| t.online_at.as_deref())
            .and_then(parse_time)
    }

    /// When the VPN was first connected (unix seconds), if ever.
    pub fn first_connected_ts(&self) -> Option<i64> {
        self.user_traffic
            .as_ref()
            .and_then(|t| t.first_connected_at.as_deref())
            .and_then(parse_time)
    }

    /// When it was last used and first connected, as the store keeps it.
    pub fn seen(&self) -> crate::adapters::store::panel::Seen {
        crate::adapters::store::panel::Seen {
            online_at: self.online_ts(),
            first_connected: self.first_connected_ts(),
        }
    }

    /// Traffic used in the current period.
    pub fn used_bytes(&self) -> u64 {
        self.user_traffic
            .as_ref()
            .map(|t| t.used_traffic_bytes)
            .unwrap_or_default()
    }
}

/// A device the panel counted against the user's HWID limit (`HwidUserDeviceSchema`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// The hardware id reported by the VPN client.
    pub hwid: String,
    /// Platform (`iOS`, `Android`, `Windows`…).
    #[serde(default)]
    pub platform: Option<String>,
    /// OS version.
    #[serde(default)]
    pub os_version: Option<String>,
    /// Device model.
    #[serde(default)]
    pub device_model: Option<String>,
    /// When the device first connected (ISO 8601).
    #[serde(default)]
    pub created_at: Option<String>,
}

/// What a user on the panel should look like; the same values go into a
/// create and an update, so adopting and renewing converge on one state.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    /// The Telegram user.
    pub telegram_id: TelegramId,
    /// Subscription end, unix seconds.
    pub expire_at: i64,
    /// Traffic limit in bytes, 0 = unlimited.
    pub traffic_limit_bytes: u64,
    /// Reset strategy.
    pub traffic_strategy: TrafficStrategy,
    /// Internal squads (empty = leave the panel's choice alone).
    pub squads: Vec<String>,
    /// External squad, when the operator set one.
    pub external_squad: Option<String>,
    /// Device limit, when the operator set one.
    pub hwid_device_limit: Option<u32>,
    /// Free text shown in the panel next to the user.
    pub description: String,
}

/// `POST /api/users` body (`CreateUserCommand`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateUser<'a> {
    username: String,
    expire_at: String,
    traffic_limit_bytes: u64,
    traffic_limit_strategy: &'static str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    active_internal_squads: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    external_squad_uuid: Option<&'a str>,
    telegram_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    hwid_device_limit: Option<u32>,
    description: &'a str,
}

/// How an update names its user: 3.x takes exactly one of `id`/`username`.
#[derive(Debug, Clone, PartialEq)]
pub enum UserRef {
    /// By numeric id.
    Id(i64),
    /// By username (adopting after `A019`).
    Username(String),
}

/// `PATCH /api/users` body (`UpdateUserCommand`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateUser<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_at: Option<String>,
    traffic_limit_bytes: u64,
    traffic_limit_strategy: &'static str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    active_internal_squads: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    external_squad_uuid: Option<&'a str>,
    telegram_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    hwid_device_limit: Option<u32>,
}

/// `POST /api/hwid/devices/delete` body (`DeleteUserHwidDeviceCommand`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeleteDevice<'a> {
    user_id: i64,
    hwid: &'a str,
}

#[derive(Deserialize)]
struct Envelope<T> {
    response: T,
}

#[derive(Deserialize)]
struct UserList {
    users: Vec<PanelUser>,
}

/// One page of `GET /api/users`.
#[derive(Debug, Clone, Deserialize)]
pub struct UsersPage {
    /// Users on this page.
    pub users: Vec<PanelUser>,
    /// Users on the panel in all.
    pub total: u64,
}

/// The panel's own health (`GET /api/system/stats`); fields it leaves out
/// read as zero.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SystemStats {
    /// Seconds the panel has been up.
    pub uptime: f64,
    /// Memory of the panel's host, bytes.
    pub memory: SystemMemory,
    /// Its users.
    pub users: SystemUsers,
    /// Who is online.
    pub online_stats: SystemOnline,
    /// Its nodes.
    pub nodes: SystemNodes,
}

/// Memory of the panel's host, bytes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SystemMemory {
    /// In all.
    pub total: f64,
    /// In use.
    pub used: f64,
}

/// The panel's users.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SystemUsers {
    /// In all.
    pub total_users: f64,
}

/// Who is online on the panel.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SystemOnline {
    /// Users connected now.
    pub online_now: f64,
}

/// The panel's nodes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SystemNodes {
    /// Nodes online.
    pub total_online: f64,
}

#[derive(Deserialize)]
struct DeviceList {
    devices: Vec<Device>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

/// The panel's API, over one HTTP connection pool per process.
#[derive(Clone, Debug)]
pub struct PanelClient {
    http: reqwest::Client,
    base: String,
    key: String,
    /// The subscription-page configuration last read, and when: read at
    /// most every [`SUBPAGE_CACHE_SECS`] per process.
    subpage: std::sync::Arc<std::sync::Mutex<Option<SubpageCache>>>,
}

/// When the subscription-page configuration was read, and what it was.
type SubpageCache = (i64, Option<serde_json::Value>);

/// How long a process keeps the panel's subscription-page configuration.
pub const SUBPAGE_CACHE_SECS: i64 = 600;

/// One entry of `GET /api/subscription-page-configs`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubpageEntry {
    #[serde(default)]
    view_position: i64,
    #[serde(default)]
    config: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SubpageList {
    #[serde(default)]
    configs: Vec<SubpageEntry>,
}

/// The username the bot gives a Telegram user on the panel.
pub fn username_for(id: TelegramId) -> String {
    format!("tg_{id}")
}

/// Unix seconds as the panel writes dates: `2027-02-06T12:00:00.000Z`.
pub fn format_time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Parses an ISO 8601 date with an offset into unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp())
}

/// Accepts a byte count written as an integer or as a float (JavaScript
/// numbers): either way a whole number of bytes.
fn whole_bytes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    n.as_u64()
        .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
        .ok_or_else(|| serde::de::Error::custom(format!("not a byte count: {n}")))
}

impl PanelClient {
    /// A client for the panel in `config`. `PANEL_API_URL` may end in `/api`
    /// (as the Python bots wrote it) or be the panel's root.
    pub fn new(config: &Panel) -> PanelClient {
        let root = config.api_url.trim_end_matches('/');
        let base = if root.ends_with("/api") {
            root.to_owned()
        } else {
            format!("{root}/api")
        };
        let http = crate::adapters::net::reqwest_builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(CALL_TIMEOUT)
            .build()
            .unwrap_or_default();
        PanelClient {
            http,
            base,
            key: config.api_key.clone(),
            subpage: Default::default(),
        }
    }

    /// The API root every route hangs off (`…/api`).
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
    ) -> Result<T, PanelError> {
        let started = std::time::Instant::now();
        let result = self.call_once(method.clone(), path, query, body).await;
        // One operation per route, without the ids in the path.
        let route = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let failed = matches!(result, Err(PanelError::Transient(_)));
        crate::adapters::metrics::panel_call(
            &format!("{method} /{route}"),
            !failed,
            started.elapsed().as_millis() as u64,
        );
        result
    }

    async fn call_once<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
    ) -> Result<T, PanelError> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            // The panel only serves API requests that arrive over HTTPS
            // through its reverse proxy; these headers say they did, which
            // lets the bot reach the panel on an internal address too.
            .header("X-Forwarded-For", "127.0.0.1")
            .header("X-Forwarded-Proto", "https");
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| PanelError::Transient(format!("{method} {path}: {e}")))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| PanelError::Transient(format!("{method} {path}: body: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice::<Envelope<T>>(&bytes)
                .map(|e| e.response)
                .map_err(|e| PanelError::Rejected {
                    status: status.as_u16(),
                    code: String::new(),
                    message: format!("{method} {path}: unexpected response: {e}"),
                });
        }
        Err(classify(status, &bytes))
    }

    /// Finds the panel users linked to a Telegram id (`GET /api/users/stream?telegramId=`).
    pub async fn users_by_telegram_id(&self, id: TelegramId) -> Result<Vec<PanelUser>, PanelError> {
        let list: UserList = self
            .call(
                Method::GET,
                "/users/stream",
                &[("telegramId", id.to_string()), ("size", "25".into())],
                None::<&()>,
            )
            .await?;
        Ok(list.users)
    }

    /// The panel's health (`GET /api/system/stats`).
    pub async fn system_stats(&self) -> Result<SystemStats, PanelError> {
        self.call(Method::GET, "/system/stats", &[], None::<&()>)
            .await
    }

    /// Reads one user by id (`GET /api/users/{id}`).
    pub async fn user(&self, id: i64) -> Result<PanelUser, PanelError> {
        self.call(Method::GET, &format!("/users/{id}"), &[], None::<&()>)
            .await
    }

    /// Deletes a user (`DELETE /api/users/{id}`); already gone is success.
    pub async fn delete_user(&self, id: i64) -> Result<(), PanelError> {
        match self
            .call::<serde_json::Value>(Method::DELETE, &format!("/users/{id}"), &[], None::<&()>)
            .await
        {
            Ok(_) | Err(PanelError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A page of all users (`GET /api/users?start=&size=`).
    pub async fn users_page(&self, start: u64, size: u32) -> Result<UsersPage, PanelError> {
        self.call(
            Method::GET,
            "/users",
            &[("start", start.to_string()), ("size", size.to_string())],
            None::<&()>,
        )
        .await
    }

    /// Creates `tg_<telegram id>` (`POST /api/users`). `A019` comes back as
    /// [`PanelError::UsernameTaken`].
    pub async fn create_user(&self, want: &Desired) -> Result<PanelUser, PanelError> {
        let body = CreateUser {
            username: username_for(want.telegram_id),
            expire_at: format_time(want.expire_at),
            traffic_limit_bytes: want.traffic_limit_bytes,
            traffic_limit_strategy: want.traffic_strategy.as_panel_str(),
            active_internal_squads: &want.squads,
            external_squad_uuid: want.external_squad.as_deref(),
            telegram_id: want.telegram_id.0,
            hwid_device_limit: want.hwid_device_limit,
            description: &want.description,
        };
        self.call(Method::POST, "/users", &[], Some(&body)).await
    }

    /// Brings an existing user to `want` (`PATCH /api/users`). The expiry is
    /// sent only when it lies in the future (`now`): the panel refuses past
    /// dates, and lets a past expiry stand by itself. `activate` sets the
    /// status back to `ACTIVE` (an `EXPIRED` user that was renewed).
    pub async fn update_user(
        &self,
        who: &UserRef,
        want: &Desired,
        activate: bool,
        now: i64,
    ) -> Result<PanelUser, PanelError> {
        let (id, username) = match who {
            UserRef::Id(id) => (Some(*id), None),
            UserRef::Username(u) => (None, Some(u.as_str())),
        };
        let future = want.expire_at > now;
        let body = UpdateUser {
            id,
            username,
            status: (activate && future).then_some("ACTIVE"),
            expire_at: future.then(|| format_time(want.expire_at)),
            traffic_limit_bytes: want.traffic_limit_bytes,
            traffic_limit_strategy: want.traffic_strategy.as_panel_str(),
            active_internal_squads: &want.squads,
            external_squad_uuid: want.external_squad.as_deref(),
            telegram_id: want.telegram_id.0,
            hwid_device_limit: want.hwid_device_limit,
        };
        self.call(Method::PATCH, "/users", &[], Some(&body)).await
    }

    /// Switches a user off (`POST /api/users/{id}/actions/disable`); already off is success.
    pub async fn disable_user(&self, id: i64) -> Result<(), PanelError> {
        self.action(id, "disable", ALREADY_DISABLED).await
    }

    /// Switches a user back on (`POST /api/users/{id}/actions/enable`); already on is success.
    pub async fn enable_user(&self, id: i64) -> Result<(), PanelError> {
        self.action(id, "enable", ALREADY_ENABLED).await
    }

    async fn action(&self, id: i64, action: &str, already: &str) -> Result<(), PanelError> {
        let path = format!("/users/{id}/actions/{action}");
        match self
            .call::<serde_json::Value>(Method::POST, &path, &[], None::<&()>)
            .await
        {
            Ok(_) => Ok(()),
            Err(PanelError::Rejected { code, .. }) if code == already => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The user's HWID devices (`GET /api/hwid/devices/{id}`).
    pub async fn devices(&self, user_id: i64) -> Result<Vec<Device>, PanelError> {
        let list: DeviceList = self
            .call(
                Method::GET,
                &format!("/hwid/devices/{user_id}"),
                &[],
                None::<&()>,
            )
            .await?;
        Ok(list.devices)
    }

    /// The operator's subscription-page configuration (`GET
    /// /api/subscription-page-configs`, the first by the panel's order that
    /// has one), `None` when the panel has none; kept for
    /// [`SUBPAGE_CACHE_SECS`], so a guide costs a panel call only now and then.
    pub async fn subpage_config(&self, now: i64) -> Result<Option<serde_json::Value>, PanelError> {
        if let Some((at, config)) = self.subpage.lock().ok().and_then(|c| c.clone())
            && now - at < SUBPAGE_CACHE_SECS
        {
            return Ok(config);
        }
        let list: SubpageList = self
            .call(Method::GET, "/subscription-page-configs", &[], None::<&()>)
            .await?;
        let mut configs = list.configs;
        configs.sort_by_key(|c| c.view_position);
        let config = configs.into_iter().find_map(|c| c.config);
        if let Ok(mut cache) = self.subpage.lock() {
            *cache = Some((now, config.clone()));
        }
        Ok(config)
    }

    /// Removes every device of the user (`POST /api/hwid/devices/delete-all`);
    /// returns what is left (nothing, unless one connected meanwhile).
    pub async fn delete_all_devices(&self, user_id: i64) -> Result<Vec<Device>, PanelError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct DeleteAll {
            user_id: i64,
        }
        let list: DeviceList = self
            .call(
                Method::POST,
                "/hwid/devices/delete-all",
                &[],
                Some(&DeleteAll { user_id }),
            )
            .await?;
        Ok(list.devices)
    }

    /// A new subscription link for the user, the old one stops working
    /// (`POST /api/users/{id}/actions/revoke`); the user as it is now.
    pub async fn revoke_subscription(&self, user_id: i64) -> Result<PanelUser, PanelError> {
        #[derive(Serialize)]
        struct Revoke {}
        self.call(
            Method::POST,
            &format!("/users/{user_id}/actions/revoke"),
            &[],
            Some(&Revoke {}),
        )
        .await
    }

    /// Removes one device (`POST /api/hwid/devices/delete`); returns the rest.
    pub async fn delete_device(&self, user_id: i64, hwid: &str) -> Result<Vec<Device>, PanelError> {
        let list: DeviceList = self
            .call(
                Method::POST,
                "/hwid/devices/delete",
                &[],
                Some(&DeleteDevice { user_id, hwid }),
            )
            .await?;
        Ok(list.devices)
    }
}

/// Sorts a failed answer into what the caller should do about it.
fn classify(status: StatusCode, body: &[u8]) -> PanelError {
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok();
    let code = parsed
        .as_ref()
        .and_then(|b| b.error_code.clone())
        .unwrap_or_default();
    let message = parsed
        .and_then(|b| b.message)
        .map(|m| match m {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
    if code == USERNAME_TAKEN {
        return PanelError::UsernameTaken;
    }
    if code == USER_NOT_FOUND || status == StatusCode::NOT_FOUND {
        return PanelError::NotFound;
    }
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        return PanelError::Transient(format!("HTTP {status}: {message}"));
    }
    PanelError::Rejected {
        status: status.as_u16(),
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_the_way_the_panel_writes_them() {
        assert_eq!(format_time(1_801_908_000), "2027-02-06T10:00:00.000Z");
        assert_eq!(parse_time("2027-02-06T10:00:00.000Z"), Some(1_801_908_000));
        assert_eq!(parse_time("2027-02-06T13:00:00+03:00"), Some(1_801_908_000));
        assert_eq!(parse_time("06.02.2027"), None);
    }

    #[test]
    fn errors_are_sorted_by_what_to_do() {
        let taken = br#"{"timestamp":"x","path":"/api/users","message":"User username already exists","errorCode":"A019"}"#;
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, taken),
            PanelError::UsernameTaken
        );
        let missing = br#"{"message":"User not found","errorCode":"A025"}"#;
        assert_eq!(
            classify(StatusCode::NOT_FOUND, missing),
            PanelError::NotFound
        );
        assert!(classify(StatusCode::BAD_GATEWAY, b"<html>").is_transient());
        assert!(classify(StatusCode::TOO_MANY_REQUESTS, b"").is_transient());
        let invalid = classify(
            StatusCode::BAD_REQUEST,
            br#"{"message":"Validation failed","statusCode":400}"#,
        );
        assert!(!invalid.is_transient());
        assert!(matches!(invalid, PanelError::Rejected { status: 400, .. }));
        let unauthorized = classify(StatusCode::UNAUTHORIZED, b"");
        assert!(matches!(
            unauthorized,
            PanelError::Rejected { status: 401, .. }
        ));
    }

    #[test]
    fn the_api_root_accepts_both_spellings_of_the_url() {
        let mut p = Panel {
            api_url: "https://panel.example.com".into(),
            api_key: "k".into(),
            traffic_limit_bytes: 0,
            traffic_strategy: TrafficStrategy::NoReset,
            squad_uuids: vec![],
            external_squad_uuid: None,
            hwid_device_limit: None,
            revoke_cooldown_secs: 3600,
            reset_devices_on_renewal: false,
        };
        assert_eq!(PanelClient::new(&p).base(), "https://panel.example.com/api");
        p.api_url = "https://panel.example.com/api".into();
        assert_eq!(PanelClient::new(&p).base(), "https://panel.example.com/api");
    }

    #[test]
    fn a_panel_user_parses_from_the_contract_shape() {
        let body = r#"{"response":{"id":7,"shortUuid":"abcDEF123456","username":"tg_5","status":"EXPIRED",
            "trafficLimitBytes":1.073741824e9,"trafficLimitStrategy":"MONTH","expireAt":"2027-01-01T00:00:00.000Z",
            "telegramId":5,"email":null,"description":null,"tag":null,"hwidDeviceLimit":null,"externalSquadUuid":null,
            "trojanPassword":"x","vlessUuid":"00000000-0000-4000-8000-000000000000","ssPassword":"y",
            "lastTriggeredThreshold":0,"subRevokedAt":null,"lastTrafficResetAt":null,
            "createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z",
            "subscriptionUrl":"https://sub.example.com/abcDEF123456","activeInternalSquads":[],
            "userTraffic":{"usedTrafficBytes":512,"lifetimeUsedTrafficBytes":1024,"onlineAt":null,
            "firstConnectedAt":null,"lastConnectedNodeUuid":null}}}"#;
        let user = serde_json::from_str::<Envelope<PanelUser>>(body)
            .expect("parses")
            .response;
        assert_eq!(user.id, 7);
        assert_eq!(user.status, PanelStatus::Expired);
        assert_eq!(user.traffic_limit_bytes, 1_073_741_824);
        assert_eq!(user.used_bytes(), 512);
        assert_eq!(user.telegram_id, Some(5));
        assert_eq!(user.expire_ts(), Some(1_798_761_600));
    }
}
