//! The outbox consumer: delivers queued Telegram messages, paced by the
//! queue's concurrency, honouring 429 `retry_after` by re-queuing with a delay.

use crate::adapters::app::App;
use crate::adapters::outbox::{Button, OutgoingText};
use crate::adapters::queue::{Received, consume};
use crate::base::clock::now;
use crate::domains::admin::broadcast;
use crate::domains::error::Error;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use teloxide_core::payloads::SendMessageSetters;
use teloxide_core::requests::Requester;
use teloxide_core::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode, ThreadId,
};
use teloxide_core::{ApiError, RequestError};

/// A message pushed back by 429 more often than this goes to the DLQ path.
const MAX_DEFERRALS: u32 = 20;
/// A run starts no new broadcast chunk after this; its timeout is 30 s.
const RUN_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);

/// Handles one batch from the outbox queue.
pub async fn handle_outbox(app: &App, event: SqsEvent) -> SqsBatchResponse {
    // One pacer per run: the run's broadcast copies share it.
    let pacer = broadcast::Pacer::new(broadcast::PER_RUN_PER_SECOND, RUN_BUDGET);
    let pacer = &pacer;
    consume(&event, |m| async move {
        deliver(app, m, pacer).await.map_err(|e| e.to_string())
    })
    .await
}

async fn deliver(app: &App, m: Received<'_>, pacer: &broadcast::Pacer) -> Result<(), Error> {
    if let Ok(batch) = serde_json::from_str::<broadcast::BroadcastBatch>(m.body) {
        return broadcast::deliver(app, batch, pacer).await;
    }
    let msg: OutgoingText =
        serde_json::from_str(m.body).map_err(|e| format!("malformed outbox message: {e}"))?;
    let mut req = app
        .bot
        .send_message(ChatId(msg.chat_id), msg.text.clone())
        .parse_mode(ParseMode::Html);
    if let Some(thread) = msg.thread_id {
        req = req.message_thread_id(ThreadId(MessageId(thread)));
    }
    if !msg.buttons.is_empty() {
        req = req.reply_markup(keyboard(&msg.buttons));
    }
    let result = req.await;
    let outcome = match &result {
        Ok(_) => "sent",
        Err(RequestError::RetryAfter(_)) => "throttled",
        Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated)) => "blocked",
        Err(_) => "failed",
    };
    crate::adapters::metrics::count("Messages", &[("Outcome", outcome)]);
    match result {
        Ok(_) => Ok(()),
        Err(RequestError::RetryAfter(wait)) => {
            if msg.deferrals >= MAX_DEFERRALS {
                return Err(Error::Text(format!(
                    "still flood-limited after {} deferrals",
                    msg.deferrals
                )));
            }
            let mut again = msg.clone();
            again.deferrals += 1;
            let secs = wait.seconds().clamp(1, 900);
            tracing::info!(
                chat = msg.chat_id,
                secs,
                "Telegram asked to wait; message re-queued"
            );
            app.outbox.send(&again, secs).await.map_err(Error::from)
        }
        Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated)) => {
            if let Some(user) = msg.user {
                app.store
                    .set_blocked(user, Some(now()))
                    .await
                    .map_err(Error::from)?;
            }
            tracing::info!(
                chat = msg.chat_id,
                "recipient blocked the bot; message dropped"
            );
            Ok(())
        }
        Err(RequestError::Api(ApiError::Unknown(e))) => {
            // Not one of Telegram's documented refusals (a 5xx from its
            // front end, say): retry, and let the DLQ keep it if it persists.
            Err(Error::Text(format!(
                "Telegram answered an unknown error: {e}"
            )))
        }
        Err(RequestError::Api(e)) => {
            // Telegram refused this message itself (chat gone, bad markup):
            // repeating it cannot succeed.
            tracing::error!(
                chat = msg.chat_id,
                "Telegram refused the message, dropped: {e}"
            );
            Ok(())
        }
        Err(RequestError::MigrateToChatId(to)) => {
            tracing::error!(
                chat = msg.chat_id,
                new_chat = to.0,
                "chat migrated; update LOG_CHAT_ID. Message dropped"
            );
            Ok(())
        }
        Err(e) => Err(Error::Text(format!("Telegram unreachable: {e}"))),
    }
}

fn keyboard(rows: &[Vec<Button>]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(rows.iter().map(|row| {
        row.iter()
            .filter_map(|b| match b {
                Button::Url { text, url } => reqwest::Url::parse(url)
                    .ok()
                    .map(|u| InlineKeyboardButton::url(text.clone(), u)),
                Button::Callback { text, data } => {
                    Some(InlineKeyboardButton::callback(text.clone(), data.clone()))
                }
                Button::WebApp { text, url } => reqwest::Url::parse(url).ok().map(|u| {
                    InlineKeyboardButton::web_app(
                        text.clone(),
                        teloxide_core::types::WebAppInfo { url: u },
                    )
                }),
            })
            .collect::<Vec<_>>()
    }))
}
