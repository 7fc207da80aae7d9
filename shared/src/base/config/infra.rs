//! Where the functions run: the AWS resources set by the deployment template, and the VPS-only settings they replace.

use super::error::ConfigError;
use super::parse::{Reader, invalid};

/// Settings that are ignored here, each with why: the VPS-only ones with what replaces them, and a few that meant nothing even there.
pub const IGNORED_SETTINGS: &[(&str, &str)] = &[
    ("POSTGRES_HOST", "storage is DynamoDB (TABLE_NAME)"),
    ("POSTGRES_PORT", "storage is DynamoDB (TABLE_NAME)"),
    ("POSTGRES_USER", "storage is DynamoDB (TABLE_NAME)"),
    ("POSTGRES_PASSWORD", "storage is DynamoDB (TABLE_NAME)"),
    ("POSTGRES_DB", "storage is DynamoDB (TABLE_NAME)"),
    ("DATABASE_URL", "storage is DynamoDB (TABLE_NAME)"),
    ("REDIS_HOST", "no cache is needed; state lives in DynamoDB"),
    ("REDIS_PORT", "no cache is needed; state lives in DynamoDB"),
    ("REDIS_URL", "no cache is needed; state lives in DynamoDB"),
    (
        "REDIS_PASSWORD",
        "no cache is needed; state lives in DynamoDB",
    ),
    ("REDIS_DB", "no cache is needed; state lives in DynamoDB"),
    ("PROMETHEUS_PORT", "metrics and logs go to CloudWatch"),
    ("GRAFANA_PASSWORD", "dashboards are in CloudWatch"),
    ("WEB_SERVER_HOST", "requests arrive through API Gateway"),
    ("WEB_SERVER_PORT", "requests arrive through API Gateway"),
    ("WEBAPP_HOST", "requests arrive through API Gateway"),
    ("WEBAPP_PORT", "requests arrive through API Gateway"),
    (
        "TELEGRAM_PROXY_URL",
        "the functions call the Bot API directly from AWS",
    ),
    (
        "TELEGRAM_WEBHOOK_PATH",
        "the webhook is the stack's /telegram route (scripts/set-webhook sets it)",
    ),
    (
        "STARS_PROVIDER_TOKEN",
        "Telegram Stars invoices take no provider token",
    ),
    (
        "LOG_LEVEL",
        "each function logs to CloudWatch; filter there (RUST_LOG for more)",
    ),
    (
        "LOG_STORE_MESSAGE_CONTENT",
        "no log of users' messages is kept, so there is nothing to hide",
    ),
    (
        "LOG_STORE_RAW_UPDATES",
        "no log of users' updates is kept, so there is nothing to hide",
    ),
    (
        "LOG_EXPORT_INCLUDE_SENSITIVE",
        "no log of users' messages is kept, so there is nothing to export",
    ),
    (
        "LOG_ADMIN_HIDE",
        "no log of users' messages is kept, so there is nothing to hide",
    ),
    (
        "REDIS_ENABLED",
        "no cache is needed; state lives in DynamoDB",
    ),
    ("REDIS_TTL", "no cache is needed; state lives in DynamoDB"),
    ("PROMETHEUS_ENABLED", "metrics and logs go to CloudWatch"),
    (
        "PROMETHEUS_METRICS_PATH",
        "metrics and logs go to CloudWatch",
    ),
    ("FRONTEND_PORT", "requests arrive through API Gateway"),
    (
        "WEB_SERVER_INTERNAL_PORT",
        "requests arrive through API Gateway",
    ),
    (
        "ALEMBIC_ALLOW_STAMP_WITHOUT_LEGACY",
        "storage is DynamoDB; there are no database migrations to stamp",
    ),
    (
        "TRIAL_TRAFFIC_STRATEGY",
        "remnawave-tg-shop's example lists it but none of its code reads it",
    ),
];

/// Why a VPS-only setting is ignored on serverless, if it is one.
pub fn ignored_reason(name: &str) -> Option<&'static str> {
    IGNORED_SETTINGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, why)| *why)
}

/// AWS resources, set by the deployment template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Infra {
    /// DynamoDB table (TABLE_NAME, default `vpn-shop`).
    pub table_name: String,
    /// SQS queue of outgoing messages (OUTBOX_QUEUE_URL).
    pub outbox_queue_url: Option<String>,
    /// SQS queue of panel synchronisation work (PANEL_SYNC_QUEUE_URL).
    pub panel_sync_queue_url: Option<String>,
    /// SQS queue of scheduled jobs (JOBS_QUEUE_URL).
    pub jobs_queue_url: Option<String>,
}

/// Reads the AWS resource settings.
pub(super) fn read(r: &Reader<'_>) -> Result<Infra, ConfigError> {
    let table_name = r.raw("TABLE_NAME").unwrap_or("vpn-shop");
    let valid_table = (3..=255).contains(&table_name.len())
        && table_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !valid_table {
        return Err(invalid(
            "TABLE_NAME",
            "a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)",
            table_name,
        ));
    }
    Ok(Infra {
        table_name: table_name.to_owned(),
        outbox_queue_url: r.url_keep_slash("OUTBOX_QUEUE_URL")?,
        panel_sync_queue_url: r.url_keep_slash("PANEL_SYNC_QUEUE_URL")?,
        jobs_queue_url: r.url_keep_slash("JOBS_QUEUE_URL")?,
    })
}

/// The token that shows `/health`'s details (HEALTH_TOKEN, secret); without it only healthy/unhealthy is shown.
pub(super) fn health_token(r: &Reader<'_>) -> Option<String> {
    r.string("HEALTH_TOKEN")
}
