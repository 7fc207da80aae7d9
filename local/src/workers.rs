//! Queue consumers run as Lambda's SQS event source would: receive a batch,
//! call the function's handler with an `SqsEvent`, delete what succeeded and
//! leave the failures to come back after the visibility timeout (and go to
//! the dead-letter queue after `maxReceiveCount`).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use shared::adapters::app::App;
use shared::base::config::Infra;
use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

/// The template's queue consumers, each with the handler its Lambda function runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// `SenderFunction` on `OutboxQueue`.
    Outbox,
    /// `PanelSyncFunction` on `PanelSyncQueue`.
    PanelSync,
    /// `JobsFunction` on `JobsQueue`.
    Jobs,
}

impl Worker {
    /// Every consumer.
    pub const ALL: [Worker; 3] = [Worker::Outbox, Worker::PanelSync, Worker::Jobs];

    /// The queue it consumes, if configured.
    pub fn queue_url(self, infra: &Infra) -> Option<String> {
        match self {
            Worker::Outbox => infra.outbox_queue_url.clone(),
            Worker::PanelSync => infra.panel_sync_queue_url.clone(),
            Worker::Jobs => infra.jobs_queue_url.clone(),
        }
    }

    /// Runs its function's handler on a batch.
    pub async fn handle(self, app: &App, event: SqsEvent) -> SqsBatchResponse {
        match self {
            Worker::Outbox => shared::domains::messaging::sender::handle_outbox(app, event).await,
            Worker::PanelSync => shared::domains::access::sync::handle_panel_sync(app, event).await,
            Worker::Jobs => shared::domains::ops::jobs::handle_jobs(app, event).await,
        }
    }
}

/// Polls `queue_url` forever, handing batches to `handler`.
pub async fn run_consumer<F, Fut>(sqs: aws_sdk_sqs::Client, queue_url: String, handler: F)
where
    F: Fn(SqsEvent) -> Fut,
    Fut: Future<Output = SqsBatchResponse>,
{
    loop {
        if let Err(e) = poll_batch(&sqs, &queue_url, &handler, 1).await {
            tracing::warn!(queue = %queue_url, "receive failed: {e}");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// What one receive-and-handle round did.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    /// Messages handed to the handler.
    pub received: usize,
    /// Receipt handles of the messages the handler reported as failed (left
    /// on the queue, invisible until their visibility timeout ends).
    pub failed: Vec<String>,
}

/// Receives one batch (waiting up to `wait_secs`), hands it to `handler`,
/// deletes what succeeded and reports what was received and what failed.
pub async fn poll_batch<F, Fut>(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    handler: &F,
    wait_secs: i32,
) -> Result<Batch, String>
where
    F: Fn(SqsEvent) -> Fut,
    Fut: Future<Output = SqsBatchResponse>,
{
    let out = sqs
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(wait_secs)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
    let messages = out.messages.unwrap_or_default();
    if messages.is_empty() {
        return Ok(Batch::default());
    }
    let mut event = SqsEvent::default();
    for m in &messages {
        let mut record = SqsMessage::default();
        record.message_id = m.message_id.clone();
        record.receipt_handle = m.receipt_handle.clone();
        record.body = m.body.clone();
        record.attributes = m
            .attributes()
            .map(|a| {
                a.iter()
                    .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        event.records.push(record);
    }
    let response = handler(event).await;
    let failed: HashSet<String> = response
        .batch_item_failures
        .into_iter()
        .map(|f| f.item_identifier)
        .collect();
    let mut batch = Batch {
        received: messages.len(),
        failed: Vec::new(),
    };
    for m in &messages {
        if failed.contains(m.message_id().unwrap_or_default()) {
            batch.failed.extend(m.receipt_handle().map(str::to_owned));
            continue;
        }
        if let Some(handle) = m.receipt_handle() {
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(handle)
                .send()
                .await
                .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
        }
    }
    Ok(batch)
}
