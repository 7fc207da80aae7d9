//! Where events and errors are reported: the admin log chat (and which events go to it) and Sentry.

use super::error::ConfigError;
use super::parse::{Reader, invalid};
use super::vars::REDACTED;
use std::fmt;

/// The admin log chat and which events go to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// Log chat id (LOG_CHAT_ID); nothing is logged to Telegram without it.
    pub chat_id: Option<i64>,
    /// Forum topic in the log chat (LOG_THREAD_ID).
    pub thread_id: Option<i32>,
    /// Log new users (LOG_NEW_USERS, default true).
    pub new_users: bool,
    /// Log payments (LOG_PAYMENTS, default true).
    pub payments: bool,
    /// Log promo code activations (LOG_PROMO_ACTIVATIONS, default true).
    pub promo_activations: bool,
    /// Log trial activations (LOG_TRIAL_ACTIVATIONS, default true).
    pub trial_activations: bool,
    /// Log suspicious activity (LOG_SUSPICIOUS_ACTIVITY, default true).
    pub suspicious_activity: bool,
}

/// Sentry error reporting (validated, but not sent from Lambda).
#[derive(Clone, PartialEq)]
pub struct Sentry {
    /// DSN (SENTRY_DSN, secret).
    pub dsn: String,
    /// Environment name (SENTRY_ENVIRONMENT).
    pub environment: Option<String>,
    /// Share of traces sent, 0..=1 (SENTRY_TRACES_SAMPLE_RATE, default 0).
    pub traces_sample_rate: f32,
}

impl fmt::Debug for Sentry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sentry")
            .field("dsn", &REDACTED)
            .field("environment", &self.environment)
            .field("traces_sample_rate", &self.traces_sample_rate)
            .finish()
    }
}

/// Reads the admin log chat settings.
pub(super) fn read(r: &Reader<'_>) -> Result<LogSettings, ConfigError> {
    Ok(LogSettings {
        chat_id: r.whole("LOG_CHAT_ID")?,
        thread_id: r.whole("LOG_THREAD_ID")?,
        new_users: r.flag("LOG_NEW_USERS", true)?,
        payments: r.flag("LOG_PAYMENTS", true)?,
        promo_activations: r.flag("LOG_PROMO_ACTIVATIONS", true)?,
        trial_activations: r.flag("LOG_TRIAL_ACTIVATIONS", true)?,
        suspicious_activity: r.flag("LOG_SUSPICIOUS_ACTIVITY", true)?,
    })
}

/// Reads the Sentry settings; `None` unless SENTRY_ENABLED.
pub(super) fn sentry(r: &Reader<'_>) -> Result<Option<Sentry>, ConfigError> {
    let enabled = r.flag("SENTRY_ENABLED", false)?;
    let dsn = r.url_keep_slash("SENTRY_DSN")?;
    let environment = r.string("SENTRY_ENVIRONMENT");
    let traces_sample_rate = match r.raw("SENTRY_TRACES_SAMPLE_RATE") {
        None => 0.0,
        Some(v) => match v.parse::<f32>() {
            Ok(x) if (0.0..=1.0).contains(&x) => x,
            _ => {
                return Err(invalid(
                    "SENTRY_TRACES_SAMPLE_RATE",
                    "a number from 0 to 1",
                    v,
                ));
            }
        },
    };
    if !enabled {
        return Ok(None);
    }
    Ok(Some(Sentry {
        dsn: dsn.ok_or_else(|| ConfigError::MissingWhen {
            name: "SENTRY_DSN",
            because: "SENTRY_ENABLED is true".into(),
        })?,
        environment,
        traces_sample_rate,
    }))
}
