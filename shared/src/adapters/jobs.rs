//! The jobs queue (`JobsQueue`, standard): its message, [`Job`], and how one
//! is queued. Long work is cut into jobs that each fit well inside one Lambda
//! run (a page of panel users, say); new kinds of work are new variants. The
//! consumer is `crate::domains::ops::jobs`.

use crate::adapters::app::App;
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

/// Where a broadcast's next fan-out page starts (a `Scan`'s last key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastCursor {
    /// `PK` of the last item read.
    pub pk: String,
    /// `SK` of the last item read.
    pub sk: String,
}

/// Queues a job.
pub async fn enqueue_job(app: &App, job: &Job) -> Result<(), String> {
    let url = app
        .config
        .infra
        .jobs_queue_url
        .as_deref()
        .ok_or("JOBS_QUEUE_URL is not set")?;
    let body = serde_json::to_string(job).map_err(|e| e.to_string())?;
    app.sqs
        .send_message()
        .queue_url(url)
        .message_body(body)
        .send()
        .await
        .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
    Ok(())
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
    }
}
