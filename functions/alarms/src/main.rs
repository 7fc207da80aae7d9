//! Alarm forwarder: CloudWatch alarms from the alarm topic (SNS) to the admin log chat.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::adapters::lambda::event_function(|app, event| async move {
        shared::domains::ops::alarms::handle_alarms(&app, event).await
    })
    .await
}
