//! Every message this library sends to SQS goes through here: one message,
//! a batch (ten to a request, failing if any entry failed), a FIFO message
//! with its group and de-duplication id, a retry's delay on a received
//! message, and a queue's depth for `/health`. The queues' own message
//! types live with their owners (`jobs`, `outbox`, the panel sync, the
//! broadcasts); consuming a batch is `queue`.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};

/// Why a message was not queued.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The queue's URL setting is missing.
    #[error("{0} is not set")]
    NotConfigured(&'static str),
    /// The body could not be written.
    #[error("message body: {0}")]
    Body(String),
    /// SQS refused or could not be reached.
    #[error("sqs: {0}")]
    Sqs(String),
}

/// One message to queue.
#[derive(Debug, Clone, Default)]
pub struct Message {
    /// The body (JSON).
    pub body: String,
    /// Seconds before it is delivered (standard queues; at most 900).
    pub delay_secs: u32,
    /// On a FIFO queue: the group (in order) and the de-duplication id.
    pub fifo: Option<(String, String)>,
}

impl Message {
    /// `value` as JSON, delivered at once.
    pub fn json<T: serde::Serialize>(value: &T) -> Result<Message, QueueError> {
        Ok(Message {
            body: serde_json::to_string(value).map_err(|e| QueueError::Body(e.to_string()))?,
            ..Message::default()
        })
    }

    /// The same message delivered no sooner than `secs` from now.
    pub fn delayed(self, secs: u32) -> Message {
        Message {
            delay_secs: secs.min(900),
            ..self
        }
    }

    /// The same message in FIFO `group`, de-duplicated by `dedup`.
    pub fn fifo(self, group: String, dedup: String) -> Message {
        Message {
            fifo: Some((group, dedup)),
            ..self
        }
    }
}

/// The queue URL a setting holds, or which setting is missing.
pub fn url<'a>(setting: Option<&'a str>, name: &'static str) -> Result<&'a str, QueueError> {
    setting.ok_or(QueueError::NotConfigured(name))
}

fn sqs_error<E: std::error::Error + 'static>(e: E) -> QueueError {
    QueueError::Sqs(DisplayErrorContext(e).to_string())
}

/// Queues one message.
pub async fn send(sqs: &Client, url: &str, msg: Message) -> Result<(), QueueError> {
    let mut req = sqs.send_message().queue_url(url).message_body(msg.body);
    if msg.delay_secs > 0 {
        req = req.delay_seconds(msg.delay_secs.min(900) as i32);
    }
    if let Some((group, dedup)) = msg.fifo {
        req = req.message_group_id(group).message_deduplication_id(dedup);
    }
    req.send().await.map_err(sqs_error)?;
    Ok(())
}

/// Queues messages ten to a `SendMessageBatch`; fails if any was not
/// queued (the callers' messages are idempotent, so a retry may queue some
/// twice).
pub async fn send_batch(sqs: &Client, url: &str, msgs: Vec<Message>) -> Result<(), QueueError> {
    for chunk in msgs.chunks(10) {
        let mut entries = Vec::with_capacity(chunk.len());
        for (i, msg) in chunk.iter().enumerate() {
            let mut entry = SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(msg.body.clone());
            if msg.delay_secs > 0 {
                entry = entry.delay_seconds(msg.delay_secs.min(900) as i32);
            }
            if let Some((group, dedup)) = &msg.fifo {
                entry = entry
                    .message_group_id(group)
                    .message_deduplication_id(dedup);
            }
            entries.push(entry.build().map_err(|e| QueueError::Body(e.to_string()))?);
        }
        let out = sqs
            .send_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(sqs_error)?;
        if let Some(f) = out.failed().first() {
            return Err(QueueError::Sqs(format!(
                "{} of {} messages not queued: {} {}",
                out.failed().len(),
                chunk.len(),
                f.code(),
                f.message().unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// Hides a received message for `secs` more, so its retry comes later.
pub async fn delay_retry(
    sqs: &Client,
    url: &str,
    receipt_handle: String,
    secs: i32,
) -> Result<(), QueueError> {
    sqs.change_message_visibility()
        .queue_url(url)
        .receipt_handle(receipt_handle)
        .visibility_timeout(secs)
        .send()
        .await
        .map_err(sqs_error)?;
    Ok(())
}

/// Messages waiting on a queue (SQS's approximate count), when it says.
pub async fn depth(sqs: &Client, url: &str) -> Result<Option<u64>, QueueError> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .map_err(sqs_error)?;
    Ok(out
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
        .and_then(|v| v.parse::<u64>().ok()))
}
