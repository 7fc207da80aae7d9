//! Broadcasts: an admin's message (any media, copied as is) fanned out to an
//! audience through the jobs queue and delivered by the outbox sender.
//!
//! Never one recipient twice: the fan-out may queue a copy more than once
//! (a page job re-delivered after a crash), but the sender takes the
//! per-broadcast per-user marker (`TO#<user>`, state `sending`) before it
//! calls Telegram, and records the outcome (`sent`, `blocked`, …) together
//! with its counter in one transaction. A copy whose marker is taken and
//! counted is dropped; one whose marker is still `sending` waits (another
//! delivery may be mid-send) until the lease ends, and is then counted
//! failed — a crash between the marker and the outcome makes it unknowable
//! whether Telegram took it, and sending again could double it. A 429 or an
//! unreachable Telegram gives the marker back before the copy is retried.
//!
//! Counters on the broadcast item: `queued` once per page, `sent`,
//! `failed`, `blocked`, `skipped` once per recipient; whoever accounts for
//! the last copy (or ends the fan-out) re-reads it and writes the summary.

use crate::adapters::app::App;
use crate::adapters::jobs::{BroadcastCursor as Cursor, Job, enqueue_job};
use crate::adapters::store::broadcasts::{Broadcast, RecipientClaim};
use crate::base::admin_callback::AdminAction;
use crate::base::clock::now;
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use teloxide_core::payloads::EditMessageTextSetters;
use teloxide_core::requests::Requester;
use teloxide_core::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode,
};
use teloxide_core::{ApiError, RequestError};

/// Users read per fan-out page.
pub const PAGE: i32 = 500;
/// The admin's progress message is refreshed every so many copies.
const PROGRESS_EVERY: i64 = 50;
/// A delivery that took a recipient's marker this long ago and recorded
/// no outcome has crashed (the sender's timeout is 30 s).
pub const SENDING_LEASE_SECS: i64 = 120;
/// A copy pushed back by 429 more often than this is counted failed.
const MAX_DEFERRALS: u32 = 20;

/// One copy in the outbox queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BroadcastCopy {
    /// The broadcast.
    pub broadcast: String,
    /// The recipient.
    pub user: TelegramId,
    /// How many times a 429 pushed it back.
    #[serde(default)]
    pub deferrals: u32,
}

/// Starts a draft: `Ok(false)` when it is not a draft any more (pressed twice).
pub async fn start(app: &App, id: &str, progress_message: i32) -> Result<bool, String> {
    let started = app
        .store
        .broadcast_transition(
            id,
            "draft",
            "SET #st = :to, progress_message = :m",
            &[
                (":to", AttributeValue::S("running".into())),
                (":m", AttributeValue::N(progress_message.to_string())),
            ],
        )
        .await
        .map_err(|e| e.to_string())?;
    if started {
        enqueue_job(
            app,
            &Job::BroadcastPage {
                broadcast: id.to_owned(),
                page: 0,
                cursor: None,
            },
        )
        .await?;
    }
    Ok(started)
}

/// Cancels a running broadcast: no more pages, queued copies are skipped.
pub async fn cancel(app: &App, id: &str) -> Result<bool, String> {
    app.store
        .broadcast_transition(
            id,
            "running",
            "SET #st = :to",
            &[(":to", AttributeValue::S("cancelled".into()))],
        )
        .await
        .map_err(|e| e.to_string())
}

/// One fan-out page: queue a copy per recipient, count the page once,
/// queue the next page.
pub async fn process_page(
    app: &App,
    id: &str,
    page: u64,
    cursor: Option<&Cursor>,
) -> Result<(), String> {
    let Some(b) = app
        .store
        .get_broadcast(id)
        .await
        .map_err(|e| e.to_string())?
    else {
        tracing::warn!(
            broadcast = id,
            "fan-out page of an unknown broadcast dropped"
        );
        return Ok(());
    };
    let ts = now();
    if b.status != "running" {
        app.store
            .count_broadcast_page(id, page, 0, true, ts)
            .await
            .map_err(|e| e.to_string())?;
        return finish_if_done(app, id).await;
    }
    let start = cursor.map(|c| {
        HashMap::from([
            ("PK".to_owned(), AttributeValue::S(c.pk.clone())),
            ("SK".to_owned(), AttributeValue::S(c.sk.clone())),
        ])
    });
    let (users, next) = app
        .store
        .recipients_page(&b.audience, ts, start, PAGE)
        .await
        .map_err(|e| e.to_string())?;
    queue_copies(app, id, &users).await?;
    let next = next.and_then(|k| {
        Some(Cursor {
            pk: k.get("PK")?.as_s().ok()?.clone(),
            sk: k.get("SK")?.as_s().ok()?.clone(),
        })
    });
    app.store
        .count_broadcast_page(id, page, users.len() as i64, next.is_none(), ts)
        .await
        .map_err(|e| e.to_string())?;
    match next {
        Some(c) => {
            enqueue_job(
                app,
                &Job::BroadcastPage {
                    broadcast: id.to_owned(),
                    page: page + 1,
                    cursor: Some(c),
                },
            )
            .await
        }
        None => finish_if_done(app, id).await,
    }
}

async fn queue_copies(app: &App, id: &str, users: &[TelegramId]) -> Result<(), String> {
    let url = app
        .config
        .infra
        .outbox_queue_url
        .as_deref()
        .ok_or("OUTBOX_QUEUE_URL is not set")?;
    for chunk in users.chunks(10) {
        let mut req = app.sqs.send_message_batch().queue_url(url);
        for (i, user) in chunk.iter().enumerate() {
            let copy = BroadcastCopy {
                broadcast: id.to_owned(),
                user: *user,
                deferrals: 0,
            };
            let body = serde_json::to_string(&copy).map_err(|e| e.to_string())?;
            req = req.entries(
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        let out = req
            .send()
            .await
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
        if !out.failed().is_empty() {
            return Err(format!("{} copies not queued", out.failed().len()));
        }
    }
    Ok(())
}

/// Delivers one copy (called by the outbox sender).
pub async fn deliver(app: &App, copy: BroadcastCopy) -> Result<(), String> {
    let id = copy.broadcast.as_str();
    let Some(b) = app
        .store
        .get_broadcast(id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    let ts = now();
    match app
        .store
        .claim_recipient(id, copy.user, ts)
        .await
        .map_err(|e| e.to_string())?
    {
        RecipientClaim::Acquired => {}
        RecipientClaim::Accounted => {
            tracing::info!(broadcast = id, user = %copy.user, "copy already sent; dropped");
            return Ok(());
        }
        RecipientClaim::Sending { at } if ts - at < SENDING_LEASE_SECS => {
            return Err(format!(
                "copy to {} is being sent by another delivery",
                copy.user
            ));
        }
        RecipientClaim::Sending { .. } => {
            // A delivery took the marker and never recorded the outcome: it
            // crashed before or after Telegram's answer. Sending again could
            // double it; count it failed (outcome unknown) so the totals end.
            tracing::warn!(broadcast = id, user = %copy.user, "copy's outcome lost in a crash; counted failed");
            return account(app, id, copy.user, "failed").await;
        }
    }
    if b.status == "cancelled" {
        return account(app, id, copy.user, "skipped").await;
    }
    let sent = app
        .bot
        .copy_message(
            ChatId(copy.user.0),
            ChatId(b.from_chat),
            MessageId(b.message_id),
        )
        .await;
    let release = || async {
        app.store
            .release_recipient(id, copy.user)
            .await
            .map_err(|e| e.to_string())
    };
    match sent {
        Ok(_) => account(app, id, copy.user, "sent").await,
        Err(RequestError::RetryAfter(wait)) if copy.deferrals < MAX_DEFERRALS => {
            release().await?;
            let mut again = copy.clone();
            again.deferrals += 1;
            let secs = wait.seconds().clamp(1, 900) as i32;
            let url = app
                .config
                .infra
                .outbox_queue_url
                .as_deref()
                .ok_or("OUTBOX_QUEUE_URL is not set")?;
            app.sqs
                .send_message()
                .queue_url(url)
                .message_body(serde_json::to_string(&again).map_err(|e| e.to_string())?)
                .delay_seconds(secs)
                .send()
                .await
                .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
            Ok(())
        }
        Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated)) => {
            app.store
                .set_blocked(copy.user, Some(ts))
                .await
                .map_err(|e| e.to_string())?;
            account(app, id, copy.user, "blocked").await
        }
        Err(
            e @ (RequestError::Api(ApiError::Unknown(_))
            | RequestError::Network(_)
            | RequestError::Io(_)
            | RequestError::InvalidJson { .. }
            | RequestError::RetryAfter(_)),
        ) => {
            // Telegram failed or still asks to wait after many tries: give
            // the marker back and let SQS retry (then the DLQ keeps it).
            release().await?;
            Err(format!("Telegram failed, retried: {e}"))
        }
        Err(e) => {
            tracing::warn!(broadcast = id, user = %copy.user, "copy refused: {e}");
            account(app, id, copy.user, "failed").await
        }
    }
}

async fn account(app: &App, id: &str, user: TelegramId, what: &str) -> Result<(), String> {
    let counted = app
        .store
        .account_recipient(id, user, what)
        .await
        .map_err(|e| e.to_string())?;
    if !counted {
        return Ok(());
    }
    let Some(b) = app
        .store
        .get_broadcast(id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    if b.finished() {
        report(app, &b, true).await;
    } else if (b.sent + b.failed + b.blocked + b.skipped) % PROGRESS_EVERY == 0 {
        report(app, &b, false).await;
    }
    Ok(())
}

async fn finish_if_done(app: &App, id: &str) -> Result<(), String> {
    if let Some(b) = app
        .store
        .get_broadcast(id)
        .await
        .map_err(|e| e.to_string())?
    {
        report(app, &b, b.finished()).await;
    }
    Ok(())
}

/// The progress (or final) text of a broadcast.
pub fn progress_text(lang: crate::base::types::Lang, b: &Broadcast, done: bool) -> String {
    let key = match (done, b.status.as_str()) {
        (true, "cancelled") => "broadcast-cancelled",
        (true, _) => "broadcast-done",
        _ => "broadcast-progress",
    };
    tr(
        lang,
        key,
        &[
            ("sent", Arg::Num(b.sent)),
            ("failed", Arg::Num(b.failed)),
            ("blocked", Arg::Num(b.blocked)),
            ("skipped", Arg::Num(b.skipped)),
            ("left", Arg::Num(b.left())),
            ("queued", Arg::Num(b.queued)),
        ],
    )
}

/// Edits the admin's progress message.
async fn report(app: &App, b: &Broadcast, done: bool) {
    let Some(msg) = b.progress_message else {
        return;
    };
    let lang = app.config.default_language;
    let mut req = app
        .bot
        .edit_message_text(
            ChatId(b.admin.0),
            MessageId(msg),
            progress_text(lang, b, done),
        )
        .parse_mode(ParseMode::Html);
    if !done && b.status == "running" {
        req = req.reply_markup(InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback(
                t(lang, "broadcast-btn-cancel"),
                AdminAction::BroadcastCancel(b.id.clone()).data(),
            ),
        ]]));
    }
    match req.await {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {}
        Err(e) => tracing::warn!(broadcast = %b.id, "progress not shown: {e}"),
    }
}
