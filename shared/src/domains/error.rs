//! What can go wrong in a domain, by its real cause, so a log line names
//! it: the table, a queue, the outbox, a provider, the panel, a missing
//! setting, or a change that kept racing ours. `StoreError` stays the
//! table's alone.

use crate::adapters::outbox::OutboxError;
use crate::adapters::pay::PayError;
use crate::adapters::queues::QueueError;
use crate::adapters::store::StoreError;

/// A domain's failure; every variant means "retry later" to a webhook or a
/// queue consumer (bad input is an answer, not an error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// DynamoDB failed or an item was corrupt.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A message could not be queued.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// A message for Telegram could not be queued.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// A payment provider failed.
    #[error("provider: {0}")]
    Provider(#[from] PayError),
    /// The VPN panel failed.
    #[error("panel: {0}")]
    Panel(#[from] crate::adapters::panel::PanelError),
    /// A setting this needs is missing.
    #[error("{0} is not configured")]
    Settings(&'static str),
    /// A concurrent change to the same item won every attempt.
    #[error("{0} kept racing concurrent changes; will be retried")]
    Raced(&'static str),
    /// The after-payment effects (reported as text by their runner).
    #[error("after-payment effects: {0}")]
    Effects(String),
    /// A domain step that still reports its cause as text (the admin's
    /// tools, the scheduler's jobs): the text names the cause.
    #[error("{0}")]
    Text(String),
}

impl From<String> for Error {
    fn from(text: String) -> Error {
        Error::Text(text)
    }
}

impl From<&str> for Error {
    fn from(text: &str) -> Error {
        Error::Text(text.to_owned())
    }
}
