//! Running an SQS batch: each message on its own, failures reported per
//! message (`ReportBatchItemFailures`), never the whole batch for one.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use std::future::Future;

/// A message as a consumer sees it.
#[derive(Debug, Clone)]
pub struct Received<'a> {
    /// Body text.
    pub body: &'a str,
    /// How many times SQS has handed this message out, this time included.
    pub receive_count: u32,
    /// SQS message id.
    pub id: &'a str,
    /// Receipt handle of this delivery (to change its visibility).
    pub receipt_handle: Option<&'a str>,
}

/// Runs `handler` on every message concurrently and collects the failures.
/// A message whose handler fails is retried by SQS and, after the queue's
/// `maxReceiveCount`, lands in its dead-letter queue.
pub async fn consume<'e, F, Fut>(event: &'e SqsEvent, handler: F) -> SqsBatchResponse
where
    F: Fn(Received<'e>) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let runs = event.records.iter().filter_map(|m| {
        let id = m.message_id.as_deref().filter(|id| !id.is_empty())?;
        let received = Received {
            body: m.body.as_deref().unwrap_or_default(),
            receive_count: receive_count(m),
            id,
            receipt_handle: m.receipt_handle.as_deref(),
        };
        let fut = handler(received.clone());
        Some(async move { (received, fut.await) })
    });
    let results = futures::future::join_all(runs).await;
    let mut response = SqsBatchResponse::default();
    for (received, result) in results {
        if let Err(e) = result {
            tracing::error!(
                message_id = received.id,
                receive_count = received.receive_count,
                "message failed, SQS will retry: {e}"
            );
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = received.id.to_owned();
            response.batch_item_failures.push(failure);
        }
    }
    response
}

fn receive_count(m: &SqsMessage) -> u32 {
    m.attributes
        .get("ApproximateReceiveCount")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}
