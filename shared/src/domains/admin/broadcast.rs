//! Broadcasts: an admin's message (any media, copied as is) fanned out to an
//! audience through the jobs queue and delivered by the outbox sender.
//!
//! **Fan-out.** A page job reads up to [`PAGE`] users and records the page
//! once (`PAGE#<n>`: its recipients and where the next page starts, with
//! `queued += count`); a re-delivered page job reads that record instead of
//! its own scan, so every delivery of page `n` queues the same batches and
//! the same next page. Each outbox message is a batch of up to [`BATCH`]
//! recipients, keyed `<page>.<index>`.
//!
//! **Never one recipient twice.** The sender takes a batch (`BATCH#<key>`,
//! a generation number, a lease) and works through it in chunks of
//! [`CHUNK`]: one transaction per chunk records the chunk's outcomes, adds
//! them to the broadcast's counters and claims the next chunk. A second
//! delivery of the batch finds it held (and waits), or done (and drops
//! it). A delivery that crashes leaves its claimed chunk (at most
//! [`CHUNK`] recipients) with no recorded outcome: whether Telegram took
//! those copies is unknowable, so once the lease ends the next delivery
//! counts them failed and goes on with the rest — a crash may cost up to
//! [`CHUNK`] recipients their copy, never a double. The chunk is the price
//! of the saving: one write per ten copies instead of two per copy.
//!
//! **Pace.** Each run paces its copies at [`PER_RUN_PER_SECOND`] (Telegram's
//! ~30 a second shared by the sender's two concurrent runs); a 429 pauses the
//! run for `retry_after` (when short) or gives the batch back and re-queues
//! it with that delay. Blocked users are marked and counted.
//!
//! DynamoDB per copy: about 0.3 calls (per batch of 20: a read, the claim,
//! and per chunk of 10 a transaction and a read of the counters).

use crate::adapters::app::App;
use crate::adapters::jobs::{BroadcastCursor as Cursor, Job, enqueue_job};
use crate::adapters::queues::{self, Message};
use crate::adapters::store::broadcasts::{BatchClaim, BatchStep, Broadcast, Counts};
use crate::base::admin_callback::AdminAction;
use crate::base::clock::now;
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::TelegramId;
use crate::domains::error::Error;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use teloxide_core::payloads::{CopyMessageSetters, EditMessageTextSetters};
use teloxide_core::requests::Requester;
use teloxide_core::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode,
};
use teloxide_core::{ApiError, RequestError};

/// Users read per fan-out page.
pub const PAGE: i32 = 500;
/// Recipients per outbox message.
pub const BATCH: usize = 20;
/// Recipients claimed per write: at most this many lose their copy when a
/// sender crashes mid-way.
pub const CHUNK: usize = 10;
/// The admin's progress message is refreshed every so many copies.
const PROGRESS_EVERY: i64 = 50;
/// A batch whose holder has written nothing for this long is taken over
/// (the sender's timeout is 30 s, so its holder is gone).
pub const SENDING_LEASE_SECS: i64 = 120;
/// A batch pushed back by 429 more often than this counts the copy failed.
const MAX_DEFERRALS: u32 = 20;
/// Copies a second one sender run sends: Telegram allows about 30 a second
/// per bot, and the template lets two sender runs work at once
/// (`MaximumConcurrency: 2`).
pub const PER_RUN_PER_SECOND: u32 = 14;
/// A 429 asking to wait at most this long is waited out in the run.
const WAIT_IN_RUN_SECS: u32 = 5;

/// One batch of a broadcast in the outbox queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BroadcastBatch {
    /// The broadcast.
    pub broadcast: String,
    /// `<page>.<index>`: the same for every delivery of the same recipients.
    pub batch: String,
    /// The recipients.
    pub users: Vec<TelegramId>,
    /// How many times a 429 pushed it back.
    #[serde(default)]
    pub deferrals: u32,
}

/// Paces one sender run's copies and pauses them all after a 429.
#[derive(Debug)]
pub struct Pacer {
    next: tokio::sync::Mutex<tokio::time::Instant>,
    every: Duration,
    /// The run stops taking new chunks after this (its timeout is 30 s).
    pub deadline: tokio::time::Instant,
}

impl Pacer {
    /// A run's pacer: `per_second` copies, new chunks until `budget` has passed.
    pub fn new(per_second: u32, budget: Duration) -> Pacer {
        let now = tokio::time::Instant::now();
        Pacer {
            next: tokio::sync::Mutex::new(now),
            every: Duration::from_secs(1) / per_second.max(1),
            deadline: now + budget,
        }
    }

    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(tokio::time::Instant::now());
            *next = at + self.every;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    async fn pause(&self, d: Duration) {
        let mut next = self.next.lock().await;
        *next = (*next).max(tokio::time::Instant::now() + d);
    }
}

/// URL buttons a broadcast may carry.
pub const MAX_BUTTONS: usize = 8;

/// Parses an admin's button lines, one `text - url` a line (`http`,
/// `https` or `tg` links, text up to 64 characters): the buttons, or the
/// first line that is not one.
pub fn parse_buttons(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parsed = line.rsplit_once(" - ").and_then(|(label, url)| {
            let label = label.trim();
            let url = url.trim();
            let ok_url = reqwest::Url::parse(url)
                .ok()
                .filter(|u| matches!(u.scheme(), "https" | "http" | "tg"))
                .filter(|u| u.scheme() == "tg" || u.host_str().is_some());
            (!label.is_empty() && label.chars().count() <= 64 && ok_url.is_some())
                .then(|| (label.to_owned(), url.to_owned()))
        });
        match parsed {
            Some(b) if out.len() < MAX_BUTTONS => out.push(b),
            _ => return Err(line.to_owned()),
        }
    }
    if out.is_empty() {
        return Err(text.trim().to_owned());
    }
    Ok(out)
}

/// The keyboard of a broadcast's URL buttons.
pub fn keyboard(buttons: &[(String, String)]) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = buttons
        .iter()
        .filter_map(|(text, url)| {
            reqwest::Url::parse(url)
                .ok()
                .map(|u| vec![InlineKeyboardButton::url(text.clone(), u)])
        })
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

/// Starts a draft: `Ok(false)` when it is not a draft any more (pressed twice).
pub async fn start(app: &App, id: &str, progress_message: i32) -> Result<bool, Error> {
    let started = app
        .store
        .start_broadcast(id, progress_message)
        .await
        .map_err(Error::from)?;
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
pub async fn cancel(app: &App, id: &str) -> Result<bool, Error> {
    app.store.cancel_broadcast(id).await.map_err(Error::from)
}

/// One fan-out page: record it once (its recipients and the next page's
/// start), queue its batches, queue the next page.
pub async fn process_page(
    app: &App,
    id: &str,
    page: u64,
    cursor: Option<&Cursor>,
) -> Result<(), Error> {
    let Some(b) = app.store.get_broadcast(id).await.map_err(Error::from)? else {
        tracing::warn!(
            broadcast = id,
            "fan-out page of an unknown broadcast dropped"
        );
        return Ok(());
    };
    let ts = now();
    let (users, next) = if b.status == "running" {
        let start = cursor.map(|c| (c.pk.clone(), c.sk.clone()));
        app.store
            .recipients_page(&b.audience, ts, start, PAGE)
            .await
            .map_err(Error::from)?
    } else {
        (Vec::new(), None)
    };
    let recorded = app
        .store
        .record_broadcast_page(
            id,
            page,
            &users,
            next.as_ref().map(|(p, s)| (p.as_str(), s.as_str())),
            ts,
        )
        .await
        .map_err(Error::from)?;
    // A re-delivered job (or one that ran before a crash) recorded the page:
    // queue what it recorded, whatever this delivery's scan saw.
    let (users, next) = if recorded {
        (users, next)
    } else {
        app.store
            .get_broadcast_page(id, page)
            .await
            .map_err(Error::from)?
            .ok_or("the page was recorded but cannot be read")?
    };
    queue_batches(app, id, page, &users).await?;
    match next {
        Some((pk, sk)) => enqueue_job(
            app,
            &Job::BroadcastPage {
                broadcast: id.to_owned(),
                page: page + 1,
                cursor: Some(Cursor { pk, sk }),
            },
        )
        .await
        .map_err(Error::from),
        None => finish_if_done(app, id).await,
    }
}

async fn queue_batches(app: &App, id: &str, page: u64, users: &[TelegramId]) -> Result<(), Error> {
    let url = app
        .config
        .infra
        .outbox_queue_url
        .as_deref()
        .ok_or("OUTBOX_QUEUE_URL is not set")?;
    let batches: Vec<BroadcastBatch> = users
        .chunks(BATCH)
        .enumerate()
        .map(|(i, users)| BroadcastBatch {
            broadcast: id.to_owned(),
            batch: format!("{page}.{i}"),
            users: users.to_vec(),
            deferrals: 0,
        })
        .collect();
    let msgs = batches
        .iter()
        .map(Message::json)
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::from)?;
    queues::send_batch(&app.sqs, url, msgs)
        .await
        .map_err(Error::from)
}

/// Why a chunk stopped before its end.
enum Stop {
    /// Telegram asked to wait longer than a run waits: re-queue with this delay.
    Wait(u32),
    /// Telegram failed or was unreachable: SQS retries the batch.
    Retry(String),
}

/// Delivers one batch (called by the outbox sender with its run's pacer).
pub async fn deliver(app: &App, msg: BroadcastBatch, pacer: &Pacer) -> Result<(), Error> {
    let id = msg.broadcast.as_str();
    let Some(mut b) = app.store.get_broadcast(id).await.map_err(Error::from)? else {
        return Ok(());
    };
    let size = msg.users.len();
    let claim = app
        .store
        .claim_batch(id, &msg.batch, size, CHUNK, now(), SENDING_LEASE_SECS)
        .await
        .map_err(Error::from)?;
    let (generation, mut done, mut claimed, mut unknown) = match claim {
        BatchClaim::Done => {
            tracing::info!(broadcast = id, batch = %msg.batch, "batch already sent; dropped");
            return Ok(());
        }
        BatchClaim::Busy => {
            return Err(Error::Text(format!(
                "batch {} is being sent by another delivery",
                msg.batch
            )));
        }
        BatchClaim::Taken {
            generation,
            done,
            claimed,
            unknown,
        } => {
            if unknown > 0 {
                tracing::warn!(
                    broadcast = id,
                    batch = %msg.batch,
                    unknown,
                    "a crashed delivery's copies have no recorded outcome; counted failed, not resent"
                );
            }
            (generation, done, claimed, unknown as i64)
        }
    };
    loop {
        let mut counts = Counts::default();
        let mut idx = done;
        let mut stop = None;
        if b.status == "cancelled" {
            counts.skipped = (size - idx) as i64;
            idx = size;
        }
        let mut waits = 0;
        while idx < claimed {
            let user = msg.users[idx];
            pacer.wait().await;
            let mut req =
                app.bot
                    .copy_message(ChatId(user.0), ChatId(b.from_chat), MessageId(b.message_id));
            if let Some(k) = keyboard(&b.buttons) {
                req = req.reply_markup(k);
            }
            let sent = req.await;
            match sent {
                Ok(_) => {
                    counts.sent += 1;
                    idx += 1;
                }
                Err(RequestError::RetryAfter(wait)) => {
                    let secs = wait.seconds().max(1);
                    let d = Duration::from_secs(secs.into());
                    pacer.pause(d).await;
                    if secs <= WAIT_IN_RUN_SECS
                        && waits < 3
                        && tokio::time::Instant::now() + d < pacer.deadline
                    {
                        waits += 1;
                    } else if msg.deferrals >= MAX_DEFERRALS {
                        tracing::warn!(broadcast = id, %user, "still flood-limited; copy counted failed");
                        counts.failed += 1;
                        idx += 1;
                    } else {
                        stop = Some(Stop::Wait(secs.min(900)));
                        break;
                    }
                }
                Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated)) => {
                    // The copy's outcome is known: a failed mark must not
                    // leave the chunk unrecorded.
                    if let Err(e) = app.store.set_blocked(user, Some(now())).await {
                        tracing::error!(%user, "could not mark blocked: {e}");
                    }
                    counts.blocked += 1;
                    idx += 1;
                }
                Err(RequestError::Network(e)) if !e.is_connect() => {
                    // The request may have reached Telegram (a timeout, a
                    // cut answer): sending again could double it.
                    tracing::warn!(broadcast = id, %user, "copy's outcome unknown, counted failed: {e}");
                    counts.failed += 1;
                    idx += 1;
                }
                Err(
                    e @ (RequestError::Api(ApiError::Unknown(_))
                    | RequestError::Network(_)
                    | RequestError::Io(_)
                    | RequestError::InvalidJson { .. }),
                ) => {
                    stop = Some(Stop::Retry(format!("Telegram failed, retried: {e}")));
                    break;
                }
                Err(e) => {
                    tracing::warn!(broadcast = id, %user, "copy refused: {e}");
                    counts.failed += 1;
                    idx += 1;
                }
            }
        }
        let out_of_time = tokio::time::Instant::now() >= pacer.deadline;
        let (state, next_claimed) = if idx >= size {
            ("done", size)
        } else if stop.is_some() || out_of_time {
            ("waiting", idx)
        } else {
            ("sending", (idx + CHUNK).min(size))
        };
        let step = BatchStep {
            generation,
            from: done,
            done: idx,
            claimed: next_claimed,
            state,
        };
        let held = app
            .store
            .record_batch(id, &msg.batch, &step, &counts, now())
            .await
            .map_err(Error::from)?;
        if !held {
            // Taken over after our lease (this run stalled): the new holder
            // counted our chunk; nothing more is ours.
            tracing::warn!(broadcast = id, batch = %msg.batch, "batch taken over by another delivery");
            return Ok(());
        }
        done = idx;
        claimed = next_claimed;
        let added = counts.sent + counts.failed + counts.blocked + counts.skipped + unknown;
        unknown = 0;
        if let Some(now_b) = after_step(app, id, added).await? {
            b = now_b;
        }
        match (state, stop) {
            ("done", _) => return Ok(()),
            ("sending", _) => continue,
            (_, Some(Stop::Retry(e))) => return Err(Error::Text(e)),
            (_, Some(Stop::Wait(secs))) => {
                return requeue(app, &msg, msg.deferrals + 1, secs as i32).await;
            }
            (_, None) => return requeue(app, &msg, msg.deferrals, 0).await,
        }
    }
}

/// Queues the rest of a batch given back (it resumes where it stopped).
async fn requeue(app: &App, msg: &BroadcastBatch, deferrals: u32, delay: i32) -> Result<(), Error> {
    let url = app
        .config
        .infra
        .outbox_queue_url
        .as_deref()
        .ok_or("OUTBOX_QUEUE_URL is not set")?;
    let again = BroadcastBatch {
        deferrals,
        ..msg.clone()
    };
    let msg = Message::json(&again).map_err(Error::from)?;
    queues::send(&app.sqs, url, msg.delayed(delay.max(0) as u32))
        .await
        .map_err(Error::from)
}

/// After a step that accounted for `added` copies: re-reads the broadcast
/// (cancel, counters) and refreshes the admin's progress when a multiple of
/// [`PROGRESS_EVERY`] was crossed, or shows the summary when it ended.
async fn after_step(app: &App, id: &str, added: i64) -> Result<Option<Broadcast>, Error> {
    let Some(b) = app.store.get_broadcast(id).await.map_err(Error::from)? else {
        return Ok(None);
    };
    let total = b.sent + b.failed + b.blocked + b.skipped;
    if b.finished() && added > 0 {
        report(app, &b, true).await;
    } else if added > 0 && total / PROGRESS_EVERY != (total - added) / PROGRESS_EVERY {
        report(app, &b, false).await;
    }
    Ok(Some(b))
}

async fn finish_if_done(app: &App, id: &str) -> Result<(), Error> {
    if let Some(b) = app.store.get_broadcast(id).await.map_err(Error::from)? {
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
    let lang = b.lang.unwrap_or(app.config.default_language);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_lines_are_checked() {
        assert_eq!(
            parse_buttons("Open - https://example.com/a\n\n Our channel - tg://resolve?domain=x "),
            Ok(vec![
                ("Open".into(), "https://example.com/a".into()),
                ("Our channel".into(), "tg://resolve?domain=x".into())
            ])
        );
        // The text may hold " - "; the url is after the last one.
        assert_eq!(
            parse_buttons("A - B - https://x.org"),
            Ok(vec![("A - B".into(), "https://x.org".into())])
        );
        assert_eq!(
            parse_buttons("Open - https://ok.org\nbad line"),
            Err("bad line".into())
        );
        assert_eq!(
            parse_buttons(" - https://x.org"),
            Err("- https://x.org".into())
        );
        assert_eq!(
            parse_buttons("Site - ftp://x.org"),
            Err("Site - ftp://x.org".into())
        );
        assert_eq!(
            parse_buttons("Site - https://"),
            Err("Site - https://".into())
        );
        assert!(parse_buttons("").is_err());
        let nine = "a - https://x.org\n".repeat(9);
        assert!(parse_buttons(&nine).is_err());
    }
}
