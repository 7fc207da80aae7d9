//! The jobs consumer: runs each [`Job`] from `JobsQueue` with the domain
//! that owns it.

use crate::adapters::app::App;
use crate::adapters::jobs::{Job, MAX_RECEIVES};
use crate::adapters::pay::OrderId;
use crate::adapters::queue::{Received, consume};
use crate::base::types::TelegramId;
use crate::domains::error::Error;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

/// Handles one batch from the jobs queue.
pub async fn handle_jobs(app: &App, event: SqsEvent) -> SqsBatchResponse {
    consume(&event, |m| async move {
        run(app, m).await.map_err(|e| e.to_string())
    })
    .await
}

async fn run(app: &App, m: Received<'_>) -> Result<(), Error> {
    let job: Job = serde_json::from_str(m.body).map_err(|e| format!("malformed job: {e}"))?;
    let last_attempt = m.receive_count >= MAX_RECEIVES;
    match &job {
        Job::PanelSyncPage { run, start, size } => {
            crate::domains::access::reconcile::process_page(app, run, *start, *size, last_attempt)
                .await
        }
        Job::Notice { user, notice, end } => {
            crate::domains::schedule::notices::send(app, TelegramId(*user), *notice, *end)
                .await
                .map(|_| ())
        }
        Job::RecheckOrder { order, expire, at } => {
            crate::domains::schedule::stuck::recheck(app, &OrderId(order.clone()), *expire, *at)
                .await
                .map(|_| ())
        }
        Job::RenewNotice { user, end } => {
            crate::domains::renewal::charge::notice(app, TelegramId(*user), *end)
                .await
                .map(|_| ())
        }
        Job::Renew { user, end, attempt } => {
            use crate::domains::renewal::charge;
            let result = charge::charge(app, TelegramId(*user), *end, *attempt)
                .await
                .map(|_| ());
            if let Err(e) = &result
                && last_attempt
            {
                charge::gave_up(
                    app,
                    TelegramId(*user),
                    *end,
                    *attempt,
                    m.receive_count,
                    &e.to_string(),
                )
                .await;
            }
            result
        }
        Job::AfterPayment { order, quiet } => {
            crate::domains::money::effects::run_job(app, &OrderId(order.clone()), !quiet).await
        }
        Job::NightlySync { day } => crate::domains::schedule::nightly::run(app, day).await,
        Job::BroadcastPage {
            broadcast,
            page,
            cursor,
        } => {
            crate::domains::admin::broadcast::process_page(app, broadcast, *page, cursor.as_ref())
                .await
        }
    }
}
