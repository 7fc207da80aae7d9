//! Panel reconciliation runs (`/sync`): one item per run under `PK=SYNC`,
//! its counters added page by page, each page counted exactly once.

use super::attrs::{ItemExt, n, s};
use super::once::once_key;
use super::{Item, Store, StoreError, keys};
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use futures::FutureExt;

/// How long a page marker is kept (a run never takes this long).
const PAGE_MARKER_SECS: i64 = 30 * 86_400;

/// What one page (or a whole run) of reconciliation found and changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    /// Panel users looked at.
    pub seen: u64,
    /// Of those, linked by Telegram id to one of our users.
    pub matched: u64,
    /// Panel accounts newly linked to our users.
    pub linked: u64,
    /// Our subscription end moved forward to a later expiry found on the panel.
    pub pulled: u64,
    /// Panel users behind our subscription end, queued for the sync worker.
    pub pushed: u64,
    /// Panel users left alone: our user is linked to another panel account.
    pub conflicts: u64,
}

impl SyncCounts {
    const FIELDS: [&'static str; 6] =
        ["seen", "matched", "linked", "pulled", "pushed", "conflicts"];

    fn values(&self) -> [u64; 6] {
        [
            self.seen,
            self.matched,
            self.linked,
            self.pulled,
            self.pushed,
            self.conflicts,
        ]
    }
}

/// A reconciliation run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRun {
    /// Run id (`<started, 10 digits>-<random>`): sorts by start time.
    pub id: String,
    /// The admin who started it; the report goes to them.
    pub admin: TelegramId,
    /// Start, unix seconds.
    pub started: i64,
    /// End, once the last page was counted.
    pub finished: Option<i64>,
    /// Pages counted so far.
    pub pages: u64,
    /// Panel users in all, as of the last page read.
    pub total: u64,
    /// Counters so far.
    pub counts: SyncCounts,
}

impl SyncRun {
    /// A new run id for a run starting at `now`.
    pub fn new_id(now: i64) -> String {
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("{now:010}-{}", &random[..8])
    }

    /// Reads a run item.
    pub fn from_item(item: &Item) -> Result<SyncRun, StoreError> {
        let id = item
            .str("SK")
            .and_then(|sk| sk.strip_prefix("RUN#"))
            .ok_or_else(|| StoreError::Corrupt {
                key: keys::SYNC.into(),
                what: "sync run without RUN# sort key".into(),
            })?
            .to_owned();
        let v = |name: &str| item.u64(name).unwrap_or_default();
        Ok(SyncRun {
            id,
            admin: TelegramId(item.i64("admin").unwrap_or_default()),
            started: item.i64("started").unwrap_or_default(),
            finished: item.i64("finished"),
            pages: v("pages"),
            total: v("total"),
            counts: SyncCounts {
                seen: v("seen"),
                matched: v("matched"),
                linked: v("linked"),
                pulled: v("pulled"),
                pushed: v("pushed"),
                conflicts: v("conflicts"),
            },
        })
    }
}

impl Store {
    /// Records a new run.
    pub async fn create_sync_run(
        &self,
        id: &str,
        admin: TelegramId,
        started: i64,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(keys::SYNC))
            .item("SK", s(keys::sync_run(id)))
            .item("admin", n(admin))
            .item("started", n(started))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// The most recent run (one `Query`, newest first, limit 1).
    pub async fn latest_sync_run(&self) -> Result<Option<SyncRun>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :run)")
            .expression_attribute_values(":pk", s(keys::SYNC))
            .expression_attribute_values(":run", s(keys::sync_run("")))
            .scan_index_forward(false)
            .limit(1)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        out.items().first().map(SyncRun::from_item).transpose()
    }

    /// Reads one run.
    pub async fn get_sync_run(&self, id: &str) -> Result<Option<SyncRun>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(keys::SYNC))
            .key("SK", s(keys::sync_run(id)))
            .consistent_read(true)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        out.item().map(SyncRun::from_item).transpose()
    }

    /// Adds a page's counts to its run, once per page: the page marker and
    /// the counters are one transaction, so a retried page is not counted
    /// twice. `last` also marks the run finished. `Ok(false)` for a page
    /// counted before.
    pub async fn record_sync_page(
        &self,
        run: &str,
        start: u64,
        counts: &SyncCounts,
        total: u64,
        last: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        let marker = Put::builder()
            .table_name(&self.table)
            .item("PK", s(once_key("sync-page", &format!("{run}#{start}"))))
            .item("SK", s("ONCE"))
            .item("at", n(now))
            .item("expires", n(now + PAGE_MARKER_SECS))
            .item("ttl", n(now + PAGE_MARKER_SECS))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Dynamo(e.to_string()))?;
        let adds: Vec<String> = SyncCounts::FIELDS
            .iter()
            .map(|f| format!("{f} :{f}"))
            .chain(std::iter::once("pages :one".to_owned()))
            .collect();
        let mut expr = format!("ADD {} SET #total = :total", adds.join(", "));
        if last {
            expr.push_str(", finished = :now");
        }
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::SYNC))
            .key("SK", s(keys::sync_run(run)))
            .update_expression(expr)
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#total", "total")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":total", n(total));
        for (f, v) in SyncCounts::FIELDS.iter().zip(counts.values()) {
            update = update.expression_attribute_values(format!(":{f}"), n(v));
        }
        if last {
            update = update.expression_attribute_values(":now", n(now));
        }
        let update = update
            .build()
            .map_err(|e| StoreError::Dynamo(e.to_string()))?;
        let counted = self
            .try_transact(vec![
                TransactWriteItem::builder().put(marker).build(),
                TransactWriteItem::builder().update(update).build(),
            ])
            .await?;
        if !counted {
            tracing::info!(run, start, "sync page already counted");
        }
        Ok(counted)
    }
}
