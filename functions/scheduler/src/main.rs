//! The scheduler: every few minutes (an EventBridge schedule), queues what
//! falls due — expiry notices, stuck-payment re-checks, the nightly
//! reconciliation — as delayed jobs.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::adapters::lambda::scheduled_function(|app, now| async move {
        shared::domains::schedule::tick::run(&app, now)
            .await
            .map(|_| ())
    })
    .await
}
