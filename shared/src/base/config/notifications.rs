//! Subscription expiry notices: on or off, how many days before, on the day, after.

use super::error::ConfigError;
use super::parse::Reader;

/// Subscription expiry notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notifications {
    /// Notices on or off (SUBSCRIPTION_NOTIFICATIONS_ENABLED, default true).
    pub enabled: bool,
    /// First notice this many days before expiry (SUBSCRIPTION_NOTIFY_DAYS_BEFORE, default 3).
    pub days_before: u32,
    /// Notice on the day of expiry (SUBSCRIPTION_NOTIFY_ON_EXPIRE, default true).
    pub on_expire: bool,
    /// Notice after expiry (SUBSCRIPTION_NOTIFY_AFTER_EXPIRE, default true).
    pub after_expire: bool,
}

/// Reads the expiry notice settings.
pub(super) fn read(r: &Reader<'_>) -> Result<Notifications, ConfigError> {
    Ok(Notifications {
        enabled: r.flag("SUBSCRIPTION_NOTIFICATIONS_ENABLED", true)?,
        days_before: r.whole("SUBSCRIPTION_NOTIFY_DAYS_BEFORE")?.unwrap_or(3),
        on_expire: r.flag("SUBSCRIPTION_NOTIFY_ON_EXPIRE", true)?,
        after_expire: r.flag("SUBSCRIPTION_NOTIFY_AFTER_EXPIRE", true)?,
    })
}
