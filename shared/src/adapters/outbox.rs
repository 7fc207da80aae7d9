//! The outbox queue: Telegram messages that are not the direct answer to an
//! update (admin log chat, notices, confirmations, broadcasts). The sender
//! function delivers them, paced, honouring 429 `retry_after`.

use crate::adapters::queues::{self, Message};
use crate::base::types::TelegramId;
use aws_sdk_sqs::Client;
use serde::{Deserialize, Serialize};

/// An inline keyboard button in a queued message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Button {
    /// Opens a URL.
    Url {
        /// Label.
        text: String,
        /// Target.
        url: String,
    },
    /// Sends callback data back to the bot.
    Callback {
        /// Label.
        text: String,
        /// Callback data.
        data: String,
    },
    /// Opens a Mini App.
    WebApp {
        /// Label.
        text: String,
        /// The Mini App's URL.
        url: String,
    },
}

/// A text message to deliver, already rendered in the recipient's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingText {
    /// Chat to send to.
    pub chat_id: i64,
    /// Forum topic, for the admin log chat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<i32>,
    /// HTML text.
    pub text: String,
    /// Inline keyboard rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Vec<Button>>,
    /// The user this chat belongs to: a 403 marks them as having blocked the bot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<TelegramId>,
    /// How many times a 429 already pushed this message back.
    #[serde(default)]
    pub deferrals: u32,
}

impl OutgoingText {
    /// A message to a user's private chat.
    pub fn to_user(user: TelegramId, text: String) -> Self {
        OutgoingText {
            chat_id: user.0,
            thread_id: None,
            text,
            buttons: Vec::new(),
            user: Some(user),
            deferrals: 0,
        }
    }
}

/// Sends to the outbox queue.
#[derive(Clone, Debug)]
pub struct Outbox {
    client: Client,
    url: Option<String>,
}

/// The outbox could not take a message.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// No queue is configured (`OUTBOX_QUEUE_URL`).
    #[error("OUTBOX_QUEUE_URL is not set")]
    NotConfigured,
    /// SQS refused or was unreachable.
    #[error("sqs: {0}")]
    Sqs(String),
}

impl Outbox {
    /// An outbox over the queue at `url`.
    pub fn new(client: Client, url: Option<String>) -> Self {
        Outbox { client, url }
    }

    /// Queues `msg`, delivered no sooner than `delay_secs` (at most 900) from now.
    pub async fn send(&self, msg: &OutgoingText, delay_secs: u32) -> Result<(), OutboxError> {
        let url = self.url.as_deref().ok_or(OutboxError::NotConfigured)?;
        let msg = Message::json(msg)
            .map_err(|e| OutboxError::Sqs(e.to_string()))?
            .delayed(delay_secs);
        queues::send(&self.client, url, msg)
            .await
            .map_err(|e| OutboxError::Sqs(e.to_string()))
    }
}
