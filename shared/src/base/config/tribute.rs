//! Tribute subscriptions: the webhook signing key and which renewal messages to skip.

use super::error::ConfigError;
use super::parse::Reader;
use super::vars::REDACTED;
use std::fmt;

/// Tribute subscriptions.
#[derive(Clone, PartialEq, Eq)]
pub struct Tribute {
    /// Webhook signing key (TRIBUTE_API_KEY, secret).
    pub api_key: String,
    /// Do not message users about renewals (TRIBUTE_SKIP_NOTIFICATIONS).
    pub skip_notifications: bool,
    /// Do not message users about cancellations (TRIBUTE_SKIP_CANCELLATION_NOTIFICATIONS).
    pub skip_cancellation_notifications: bool,
}

impl fmt::Debug for Tribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tribute")
            .field("api_key", &REDACTED)
            .field("skip_notifications", &self.skip_notifications)
            .field(
                "skip_cancellation_notifications",
                &self.skip_cancellation_notifications,
            )
            .finish()
    }
}

/// Reads the Tribute settings; `None` unless TRIBUTE_ENABLED.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<Tribute>, ConfigError> {
    let enabled = r.flag("TRIBUTE_ENABLED", false)?;
    let skip_notifications = r.flag("TRIBUTE_SKIP_NOTIFICATIONS", false)?;
    let skip_cancellation_notifications =
        r.flag("TRIBUTE_SKIP_CANCELLATION_NOTIFICATIONS", false)?;
    if !enabled {
        return Ok(None);
    }
    Ok(Some(Tribute {
        api_key: r.required("TRIBUTE_API_KEY", "TRIBUTE_ENABLED is true")?,
        skip_notifications,
        skip_cancellation_notifications,
    }))
}
