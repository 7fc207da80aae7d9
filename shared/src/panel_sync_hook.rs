//! Asks the panel-sync worker to bring a user's panel account in line after
//! a credited order (FIFO: grouped by user, de-duplicated by order id).

use crate::app::App;
use crate::orders::Order;

/// Queues the panel update for `order`'s user.
pub async fn request(app: &App, order: &Order) -> Result<(), String> {
    let Some(url) = app.config.infra.panel_sync_queue_url.as_deref() else {
        return Err("PANEL_SYNC_QUEUE_URL is not set".into());
    };
    let body = serde_json::json!({"user": order.user, "reason": "paid"}).to_string();
    app.sqs
        .send_message()
        .queue_url(url)
        .message_body(body)
        .message_group_id(order.user.to_string())
        .message_deduplication_id(order.id.0.clone())
        .send()
        .await
        .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
    Ok(())
}
