//! The Telegram interface: the webhook (`webhook`), the gate every update
//! passes (`gate`), routing (`router`), the screens and the flows behind
//! them, replies (`reply`), the admin side (`admin`). Here: what they all
//! share, the error that makes Telegram re-deliver and where an update came
//! from.

pub mod admin;
pub mod buy;
pub mod cabinet;
pub mod cards;
mod gate;
pub mod inline;
pub mod promo;
mod purchase;
mod reply;
mod router;
pub mod screens;
pub mod stars;
pub mod start;
pub mod vpn;
pub mod webhook;

use crate::adapters::store::StoreError;

pub use webhook::{ALLOWED_UPDATES, SECRET_HEADER, handle_webhook, process_update};

/// Failures that make Telegram re-deliver the update (our side is down).
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A domain failed (a queue, a provider, effects that could not be queued).
    #[error(transparent)]
    Domain(#[from] crate::domains::error::Error),
    /// The update took longer than the budget.
    #[error("handler ran out of time")]
    Timeout,
}

/// Where an update came from, which decides whether it may move money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Proven to be Telegram: the webhook's secret token matched, or the
    /// update was fetched from the Bot API with our token (long polling).
    Telegram,
    /// Webhook validation is off: the sender is unknown.
    Unverified,
}
