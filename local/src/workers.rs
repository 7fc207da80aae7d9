//! Queue consumers run as Lambda's SQS event source would: receive a batch,
//! call the function's handler with an `SqsEvent`, delete what succeeded and
//! leave the failures to come back after the visibility timeout (and go to
//! the dead-letter queue after `maxReceiveCount`).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

/// Polls `queue_url` forever, handing batches to `handler`.
pub async fn run_consumer<F, Fut>(sqs: aws_sdk_sqs::Client, queue_url: String, handler: F)
where
    F: Fn(SqsEvent) -> Fut,
    Fut: Future<Output = SqsBatchResponse>,
{
    loop {
        if let Err(e) = poll_once(&sqs, &queue_url, &handler, 1).await {
            tracing::warn!(queue = %queue_url, "receive failed: {e}");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Receives one batch (waiting up to `wait_secs`) and processes it; returns
/// how many messages were handed to the handler.
pub async fn poll_once<F, Fut>(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    handler: &F,
    wait_secs: i32,
) -> Result<usize, String>
where
    F: Fn(SqsEvent) -> Fut,
    Fut: Future<Output = SqsBatchResponse>,
{
    poll_batch(sqs, queue_url, handler, wait_secs)
        .await
        .map(|b| b.received)
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

/// Like [`poll_once`], also returning the receipt handles of failures.
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
