//! Panel-sync queue consumer: makes the VPN panel match DynamoDB.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::app::init_logging();
    let app = shared::app::App::from_env_or_exit().await;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let app = app.clone();
        async move {
            Ok::<_, lambda_runtime::Error>(
                shared::panel::sync::handle_panel_sync(&app, event.payload).await,
            )
        }
    }))
    .await
}
