//! Subscription expiry notices (on or off, how many days before, on the
//! day, after), and the notices the panel's events bring (Bedolaga's
//! `WEBHOOK_NOTIFY_*` names).

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
    /// The notices the panel's events bring.
    pub panel: PanelNotices,
    /// What the subscriber is told of changes others made to them.
    pub personal: PersonalNotices,
}

/// Changes a subscriber (or their inviter) is told about (each default
/// true): what an admin did to them, a refund, a bonus taken back or given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalNotices {
    /// An admin added or took days (NOTIFY_USER_ADMIN_DAYS).
    pub admin_days: bool,
    /// An admin changed the balance (NOTIFY_USER_ADMIN_BALANCE).
    pub admin_balance: bool,
    /// A payment was refunded (NOTIFY_USER_REFUND).
    pub refund: bool,
    /// A friend's refund took the inviter's bonus back (NOTIFY_INVITER_REFUND).
    pub inviter_refund: bool,
    /// The purchase confirmation names the invitee's bonus days (NOTIFY_REFERRAL_BONUS).
    pub referral_bonus: bool,
}

/// Which panel events the subscriber hears about (each default true).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelNotices {
    /// "The VPN works" at the first connection (WEBHOOK_NOTIFY_FIRST_CONNECTED).
    pub first_connected: bool,
    /// A nudge with the install guide while never connected (WEBHOOK_NOTIFY_NOT_CONNECTED).
    pub not_connected: bool,
    /// Traffic used past the panel's thresholds (WEBHOOK_NOTIFY_BANDWIDTH_THRESHOLD).
    pub bandwidth_threshold: bool,
    /// Cut off by the torrent blocker (WEBHOOK_NOTIFY_TORRENT_BLOCKER).
    pub torrent_blocker: bool,
    /// The link reissued on the panel (WEBHOOK_NOTIFY_SUB_REVOKED).
    pub revoked: bool,
    /// The panel's user deleted (WEBHOOK_NOTIFY_SUB_DELETED).
    pub deleted: bool,
    /// The traffic counter reset (WEBHOOK_NOTIFY_TRAFFIC_RESET).
    pub traffic_reset: bool,
}

/// Reads the expiry notice settings.
pub(super) fn read(r: &Reader<'_>) -> Result<Notifications, ConfigError> {
    Ok(Notifications {
        enabled: r.flag("SUBSCRIPTION_NOTIFICATIONS_ENABLED", true)?,
        days_before: r.whole("SUBSCRIPTION_NOTIFY_DAYS_BEFORE")?.unwrap_or(3),
        on_expire: r.flag("SUBSCRIPTION_NOTIFY_ON_EXPIRE", true)?,
        after_expire: r.flag("SUBSCRIPTION_NOTIFY_AFTER_EXPIRE", true)?,
        panel: PanelNotices {
            first_connected: r.flag("WEBHOOK_NOTIFY_FIRST_CONNECTED", true)?,
            not_connected: r.flag("WEBHOOK_NOTIFY_NOT_CONNECTED", true)?,
            bandwidth_threshold: r.flag("WEBHOOK_NOTIFY_BANDWIDTH_THRESHOLD", true)?,
            torrent_blocker: r.flag("WEBHOOK_NOTIFY_TORRENT_BLOCKER", true)?,
            revoked: r.flag("WEBHOOK_NOTIFY_SUB_REVOKED", true)?,
            deleted: r.flag("WEBHOOK_NOTIFY_SUB_DELETED", true)?,
            traffic_reset: r.flag("WEBHOOK_NOTIFY_TRAFFIC_RESET", true)?,
        },
        personal: PersonalNotices {
            admin_days: r.flag("NOTIFY_USER_ADMIN_DAYS", true)?,
            admin_balance: r.flag("NOTIFY_USER_ADMIN_BALANCE", true)?,
            refund: r.flag("NOTIFY_USER_REFUND", true)?,
            inviter_refund: r.flag("NOTIFY_INVITER_REFUND", true)?,
            referral_bonus: r.flag("NOTIFY_REFERRAL_BONUS", true)?,
        },
    })
}
