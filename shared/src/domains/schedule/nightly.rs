//! The nightly panel reconciliation: the `/sync` machinery
//! (`access::reconcile`) started by the clock once a day. Its report goes to
//! the admin log chat, and only when the run changed something or found
//! what it could not fix.

use crate::adapters::app::App;
use crate::adapters::store::once::Claim;
use crate::base::clock::now;
use crate::domains::access::reconcile::{PAGE_SIZE, SCHEDULED, Start, start};
use crate::domains::error::Error;

/// Marker scope: one nightly run a day.
const SCOPE: &str = "nightly-sync";

/// Starts the reconciliation of `day` unless it started already. An admin's
/// run in progress stands in for it.
pub async fn run(app: &App, day: &str) -> Result<(), Error> {
    let at = now();
    let claim = app
        .store
        .claim_once(SCOPE, day, at, 3 * 86_400)
        .await
        .map_err(Error::from)?;
    if claim == Claim::Duplicate {
        return Ok(());
    }
    match start(app, SCHEDULED, PAGE_SIZE, at).await {
        Ok(Start::Started(run)) => {
            tracing::info!(day, run, "nightly reconciliation started");
            Ok(())
        }
        Ok(Start::AlreadyRunning(run)) => {
            tracing::info!(
                day,
                run = run.id,
                "a reconciliation is already running; nightly skipped"
            );
            Ok(())
        }
        Ok(Start::NotConfigured) => Ok(()),
        Err(e) => {
            if let Err(r) = app.store.release_once(SCOPE, day).await {
                tracing::error!(day, "nightly marker not released: {r}");
            }
            Err(e)
        }
    }
}
