//! Messages that are not the direct answer to an update: the outbox
//! consumer that delivers them under Telegram's limits (`sender`), and
//! notices queued once per meaning ([`queue_once`]).

pub mod sender;

use crate::adapters::app::App;
use crate::adapters::outbox::OutgoingText;
use crate::adapters::store::once::Claim;
use crate::domains::error::Error;

/// Claims the marker `scope/id` for `lease_secs` from `now` and queues
/// `msg` under it; `false` when it was sent before. The caller then keeps
/// the marker (`Store::keep_once`), so a crash in between lets the lease
/// lapse and a retry sends it; a failed send gives the marker back.
pub async fn queue_once(
    app: &App,
    scope: &str,
    id: &str,
    now: i64,
    lease_secs: i64,
    msg: &OutgoingText,
) -> Result<bool, Error> {
    let claim = app
        .store
        .claim_once(scope, id, now, lease_secs)
        .await
        .map_err(Error::from)?;
    if claim == Claim::Duplicate {
        return Ok(false);
    }
    if let Err(e) = app.outbox.send(msg, 0).await {
        if let Err(r) = app.store.release_once(scope, id).await {
            tracing::error!(%id, scope, "notice marker not released (its lease lapses): {r}");
        }
        return Err(Error::Text(format!("{scope} not queued: {e}")));
    }
    Ok(true)
}
