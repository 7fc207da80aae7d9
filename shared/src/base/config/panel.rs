//! The VPN panel: API address and key, what users get on it (traffic limit and reset, squads, devices), and the key of its webhooks.

use super::error::ConfigError;
use super::parse::{Reader, invalid, is_uuid, list_items};
use super::vars::REDACTED;
use std::fmt;

/// When the panel resets a user's traffic counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TrafficStrategy {
    /// Never.
    #[default]
    NoReset,
    /// Daily.
    Day,
    /// Weekly.
    Week,
    /// On the first of every month.
    Month,
    /// Every month counted from the subscription start (panel 3.x).
    MonthRolling,
}

impl TrafficStrategy {
    /// The panel API's spelling (`NO_RESET`, `DAY`, `WEEK`, `MONTH`, `MONTH_ROLLING`).
    pub fn as_panel_str(&self) -> &'static str {
        match self {
            TrafficStrategy::NoReset => "NO_RESET",
            TrafficStrategy::Day => "DAY",
            TrafficStrategy::Week => "WEEK",
            TrafficStrategy::Month => "MONTH",
            TrafficStrategy::MonthRolling => "MONTH_ROLLING",
        }
    }

    /// Parses the panel's spelling, case-insensitively.
    pub fn from_panel_str(s: &str) -> Option<TrafficStrategy> {
        let s = s.trim().to_ascii_uppercase();
        [
            TrafficStrategy::NoReset,
            TrafficStrategy::Day,
            TrafficStrategy::Week,
            TrafficStrategy::Month,
            TrafficStrategy::MonthRolling,
        ]
        .into_iter()
        .find(|t| t.as_panel_str() == s)
    }

    /// Parses USER_TRAFFIC_STRATEGY: the panel's spelling, or the names the
    /// older bots' guides use (`DAILY`, `WEEKLY`, `MONTHLY`), case-insensitively.
    pub fn from_setting(s: &str) -> Option<TrafficStrategy> {
        match s.trim().to_ascii_uppercase().as_str() {
            "DAILY" => Some(TrafficStrategy::Day),
            "WEEKLY" => Some(TrafficStrategy::Week),
            "MONTHLY" => Some(TrafficStrategy::Month),
            other => TrafficStrategy::from_panel_str(other),
        }
    }
}

/// The VPN panel and what new users get on it.
#[derive(Clone, PartialEq, Eq)]
pub struct Panel {
    /// API base URL without a trailing `/` (PANEL_API_URL).
    pub api_url: String,
    /// API token (PANEL_API_KEY, secret).
    pub api_key: String,
    /// Traffic limit of paid users in bytes, 0 = unlimited (USER_TRAFFIC_LIMIT_GB, decimal gigabytes).
    pub traffic_limit_bytes: u64,
    /// Traffic reset strategy (USER_TRAFFIC_STRATEGY).
    pub traffic_strategy: TrafficStrategy,
    /// Internal squads given to users, lowercase UUIDs (USER_SQUAD_UUIDS).
    pub squad_uuids: Vec<String>,
    /// External squad, lowercase UUID (USER_EXTERNAL_SQUAD_UUID).
    pub external_squad_uuid: Option<String>,
    /// Devices per user: `None` = panel default, 0 = unlimited (USER_HWID_DEVICE_LIMIT).
    pub hwid_device_limit: Option<u32>,
    /// Seconds between two reissues of a user's link (SUBSCRIPTION_REVOKE_COOLDOWN_SECONDS, default 3600).
    pub revoke_cooldown_secs: i64,
    /// Every device removed at each renewal (RESET_DEVICES_ON_RENEWAL, default false).
    pub reset_devices_on_renewal: bool,
}

/// Default of SUBSCRIPTION_REVOKE_COOLDOWN_SECONDS.
pub const DEFAULT_REVOKE_COOLDOWN_SECS: u32 = 3600;

impl fmt::Debug for Panel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panel")
            .field("api_url", &self.api_url)
            .field("api_key", &REDACTED)
            .field("traffic_limit_bytes", &self.traffic_limit_bytes)
            .field("traffic_strategy", &self.traffic_strategy)
            .field("squad_uuids", &self.squad_uuids)
            .field("external_squad_uuid", &self.external_squad_uuid)
            .field("hwid_device_limit", &self.hwid_device_limit)
            .field("revoke_cooldown_secs", &self.revoke_cooldown_secs)
            .field("reset_devices_on_renewal", &self.reset_devices_on_renewal)
            .finish()
    }
}

/// Reads the panel settings; `None` when PANEL_API_URL is unset.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<Panel>, ConfigError> {
    let api_url = r.url("PANEL_API_URL")?;
    let traffic_limit_bytes = r.gigabytes("USER_TRAFFIC_LIMIT_GB")?.unwrap_or(0);
    let traffic_strategy = match r.raw("USER_TRAFFIC_STRATEGY") {
        None => TrafficStrategy::NoReset,
        Some(v) => TrafficStrategy::from_setting(v).ok_or_else(|| {
            invalid(
                "USER_TRAFFIC_STRATEGY",
                "NO_RESET, DAY, WEEK, MONTH or MONTH_ROLLING (or DAILY, WEEKLY, MONTHLY)",
                v,
            )
        })?,
    };
    let mut squad_uuids = Vec::new();
    for item in list_items(r.raw("USER_SQUAD_UUIDS").unwrap_or("")) {
        if !is_uuid(item) {
            return Err(invalid(
                "USER_SQUAD_UUIDS",
                "comma-separated UUIDs (8-4-4-4-12 hex digits)",
                item,
            ));
        }
        squad_uuids.push(item.to_ascii_lowercase());
    }
    let external_squad_uuid = r.uuid("USER_EXTERNAL_SQUAD_UUID")?;
    let hwid_device_limit = r.whole("USER_HWID_DEVICE_LIMIT")?;
    let revoke_cooldown_secs = i64::from(r.bounded(
        "SUBSCRIPTION_REVOKE_COOLDOWN_SECONDS",
        DEFAULT_REVOKE_COOLDOWN_SECS,
        0,
        30 * 86_400,
    )?);
    let reset_devices_on_renewal = r.flag("RESET_DEVICES_ON_RENEWAL", false)?;
    let Some(api_url) = api_url else {
        return Ok(None);
    };
    let api_key = r.required("PANEL_API_KEY", "PANEL_API_URL is set")?;
    Ok(Some(Panel {
        api_url,
        api_key,
        traffic_limit_bytes,
        traffic_strategy,
        squad_uuids,
        external_squad_uuid,
        hwid_device_limit,
        revoke_cooldown_secs,
        reset_devices_on_renewal,
    }))
}

/// The HMAC key of the panel's webhooks (PANEL_WEBHOOK_SECRET), read even where the API is not configured.
pub(super) fn webhook_secret(r: &Reader<'_>) -> Option<String> {
    r.string("PANEL_WEBHOOK_SECRET")
}
