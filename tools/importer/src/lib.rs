//! Moving in and out of this bot's table:
//!
//! - [`source`], [`plan`], [`apply`]: the import from the Python bots'
//!   PostgreSQL (remnawave-tg-shop, 2GETPRO), through the same storage code
//!   the functions use (`shared::adapters::store::imports`,
//!   `shared::domains::money::orders`).
//! - [`table_io`]: every item of the table as JSON lines, out and back in.
//!
//! Operators run them through `scripts/migrate-from-pg`, `scripts/export`
//! and `scripts/import` (docs/operations.md).

pub mod apply;
pub mod plan;
pub mod source;
pub mod table_io;

use shared::adapters::store::{Store, StoreError};
use shared::base::types::Period;

/// What an import run did.
#[derive(Debug, Clone)]
pub struct ImportRun {
    /// What the source holds, mapped (the dry run's report).
    pub report: plan::Report,
    /// What was written; `None` for a dry run.
    pub outcome: Option<apply::Outcome>,
}

/// Connects to PostgreSQL at `url` (no TLS: reach a remote database through
/// an SSH tunnel) and returns the client; the connection runs on a task.
pub async fn connect(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("postgresql {}: {e}", redact(url)))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::error!("postgresql connection: {e}");
        }
    });
    Ok(client)
}

/// The operator's choices for a run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The plan auto-renewal buys for a user with a saved card who never
    /// paid for a plan (`--renew-period`, 1 month by default).
    pub renew_period: Period,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            renew_period: Period::OneMonth,
        }
    }
}

/// Reads the source, maps it, and (unless `store` is `None`: a dry run)
/// writes it to `store`, with the default [`Options`].
pub async fn import(
    db: &tokio_postgres::Client,
    store: Option<&Store>,
    now: i64,
) -> Result<ImportRun, String> {
    import_with(db, store, now, Options::default()).await
}

/// [`import`] with the operator's options.
pub async fn import_with(
    db: &tokio_postgres::Client,
    store: Option<&Store>,
    now: i64,
    options: Options,
) -> Result<ImportRun, String> {
    let src = source::read(db).await?;
    let plan = plan::plan(&src, now, options.renew_period);
    let outcome = match store {
        Some(store) => {
            let again =
                |e: StoreError| format!("{e} (the import is idempotent: run it again to finish)");
            let mut out = apply::apply(store, &plan, now).await.map_err(again)?;
            // Users of this bot whose end the import did not move may be
            // missing from the stats' end buckets: count them now.
            out.ends_counted = store.backfill_ends().await.map_err(again)?.counted;
            Some(out)
        }
        None => None,
    };
    Ok(ImportRun {
        report: plan.report,
        outcome,
    })
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// A store over `table`, reached with the standard AWS settings from the
/// environment (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL` for the local
/// stack's moto_server).
pub async fn store_from_env(table: &str) -> Store {
    let aws = shared::adapters::net::aws_loader().load().await;
    Store::new(aws_sdk_dynamodb::Client::new(&aws), table)
}

/// For the small table tools: the table named by the first argument (else
/// `TABLE_NAME`) and a store over it; `None`, after printing `usage`, when
/// neither names one.
pub async fn table_from_args(usage: &str) -> Option<(String, Store)> {
    let Some(table) = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("TABLE_NAME").ok())
    else {
        eprintln!("usage: {usage}   (or set TABLE_NAME)");
        return None;
    };
    let store = store_from_env(&table).await;
    Some((table, store))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            super::redact("postgres://bot:s3cret@db:5432/shop"),
            "postgres://bot:***@db:5432/shop"
        );
        assert_eq!(super::redact("host=/tmp"), "host=/tmp");
    }
}
