//! The jobs queue (`JobsQueue`, standard): its message, [`Job`], and how one
//! is queued. Long work is cut into jobs that each fit well inside one Lambda
//! run (a page of panel users, say); new kinds of work are new variants. The
//! consumer is `crate::domains::ops::jobs`.

use crate::adapters::app::App;
use crate::adapters::queues::{self, Message, QueueError};
use serde::{Deserialize, Serialize};

/// `maxReceiveCount` of `JobsQueue` in `template.yaml`.
pub const MAX_RECEIVES: u32 = 5;

/// One unit of background work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// One page of admin panel reconciliation (`/sync`).
    PanelSyncPage {
        /// The run it belongs to.
        run: String,
        /// Offset of the page among the panel's users.
        start: u64,
        /// Page size.
        size: u32,
    },
    /// An expiry notice for the subscription of `user` ending at `end`.
    Notice {
        /// The user.
        user: i64,
        /// Which notice.
        notice: NoticeKind,
        /// The subscription end it is about (a renewal makes it stale).
        end: i64,
    },
    /// Ask the provider about a pending order whose notification may be lost.
    RecheckOrder {
        /// Our order id.
        order: String,
        /// Mark it expired if it is still pending (its life is over).
        expire: bool,
        /// When it fell due (the scheduler's clock).
        at: i64,
    },
    /// The "your card will be charged tomorrow" notice for the subscription
    /// of `user` ending at `end`.
    RenewNotice {
        /// The user.
        user: i64,
        /// The subscription end it is about.
        end: i64,
    },
    /// Charge `user`'s saved card to renew the subscription ending at `end`.
    Renew {
        /// The user.
        user: i64,
        /// The subscription end being renewed (with `attempt`, the charge's
        /// idempotence key).
        end: i64,
        /// 1, or 2 for the retry a day after a decline.
        attempt: u8,
    },
    /// The nightly panel reconciliation of the day `day` (`yyyy-mm-dd`).
    NightlySync {
        /// The day.
        day: String,
    },
    /// The after-payment effects of the paid order `order`
    /// (`crate::domains::money::effects`): queued by crediting, run once
    /// each by the markers on the order however often it is delivered.
    AfterPayment {
        /// Our order id.
        order: String,
        /// The buyer's confirmation is muted (Tribute renewals with
        /// `TRIBUTE_SKIP_NOTIFICATIONS`).
        #[serde(default)]
        quiet: bool,
    },
    /// One page of a broadcast's fan-out (`domains::admin::broadcast`).
    BroadcastPage {
        /// The broadcast.
        broadcast: String,
        /// Page number from 0 (counted once each).
        page: u64,
        /// Where the page starts (`None`: the first).
        cursor: Option<BroadcastCursor>,
    },
}

/// The expiry notices, by when they go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// `SUBSCRIPTION_NOTIFY_DAYS_BEFORE` days before the end.
    Before,
    /// At the end (a trial's end gets the trial's text).
    Expired,
    /// A day after the end.
    After,
}

impl NoticeKind {
    /// Its name in markers and logs.
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Before => "before",
            NoticeKind::Expired => "expired",
            NoticeKind::After => "after",
        }
    }
}

/// Queues jobs, each delivered no sooner than its delay (seconds, at most
/// 900), ten to a `SendMessageBatch`. Fails if any was not queued (queuing
/// one twice is harmless: every job is idempotent).
pub async fn enqueue_jobs(app: &App, jobs: &[(Job, u32)]) -> Result<(), QueueError> {
    let url = queues::url(app.config.infra.jobs_queue_url.as_deref(), "JOBS_QUEUE_URL")?;
    let msgs = jobs
        .iter()
        .map(|(job, delay)| Message::json(job).map(|m| m.delayed(*delay)))
        .collect::<Result<Vec<_>, _>>()?;
    queues::send_batch(&app.sqs, url, msgs).await
}

/// Where a broadcast's next fan-out page starts (a `Scan`'s last key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastCursor {
    /// `PK` of the last item read.
    pub pk: String,
    /// `SK` of the last item read.
    pub sk: String,
}

/// Queues a job.
pub async fn enqueue_job(app: &App, job: &Job) -> Result<(), QueueError> {
    let url = queues::url(app.config.infra.jobs_queue_url.as_deref(), "JOBS_QUEUE_URL")?;
    let msg = Message::json(job)?;
    queues::send(&app.sqs, url, msg).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_tagged_json() {
        let job = Job::PanelSyncPage {
            run: "1800000000-abcd0123".into(),
            start: 250,
            size: 250,
        };
        let json = serde_json::to_string(&job).expect("json");
        assert_eq!(
            json,
            r#"{"kind":"panel_sync_page","run":"1800000000-abcd0123","start":250,"size":250}"#
        );
        assert_eq!(serde_json::from_str::<Job>(&json).expect("back"), job);
        let notice = Job::Notice {
            user: 42,
            notice: NoticeKind::Before,
            end: 1_800_000_000,
        };
        let json = serde_json::to_string(&notice).expect("json");
        assert_eq!(
            json,
            r#"{"kind":"notice","user":42,"notice":"before","end":1800000000}"#
        );
        assert_eq!(serde_json::from_str::<Job>(&json).expect("back"), notice);
    }
}
