//! Long polling: with a real bot token and no public URL, updates are pulled
//! with `getUpdates` and fed, byte for byte, through the webhook's handler.

use shared::adapters::app::App;
use std::sync::Arc;
use std::time::Duration;

/// Pulls updates until the task is dropped.
pub async fn run(app: Arc<App>) {
    let base = app.config.telegram_api_url.trim_end_matches('/').to_owned();
    let url = format!("{base}/bot{}/getUpdates", app.config.bot_token);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(40))
        .build()
        .unwrap_or_default();
    let mut offset: i64 = 0;
    tracing::info!("long polling Telegram for updates (no WEBHOOK_BASE_URL)");
    loop {
        let body = serde_json::json!({"offset": offset, "timeout": 25, "allowed_updates": shared::bot::ALLOWED_UPDATES});
        let resp = match client.post(&url).json(&body).send().await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("getUpdates failed: {}", e.without_url());
                tokio::time::sleep(Duration::from_secs(3)).await;
                continue;
            }
        };
        let status = resp.status();
        let json: serde_json::Value = resp.json().await.unwrap_or_default();
        if status.as_u16() == 409 {
            tracing::error!(
                "Telegram refuses getUpdates while a webhook is set for this bot; long polling stopped (delete the webhook or use a test bot)"
            );
            return;
        }
        if status.as_u16() == 401 || status.as_u16() == 404 {
            tracing::error!("Telegram rejected BOT_TOKEN; long polling stopped");
            return;
        }
        let updates = json["result"].as_array().cloned().unwrap_or_default();
        for update in updates {
            if let Some(id) = update["update_id"].as_i64() {
                offset = offset.max(id + 1);
            }
            let bytes = serde_json::to_vec(&update).unwrap_or_default();
            if let Err(e) =
                shared::bot::process_update(&app, &bytes, shared::bot::Origin::Telegram).await
            {
                tracing::error!("update failed: {e}");
            }
        }
    }
}
