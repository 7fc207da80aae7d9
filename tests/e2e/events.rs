//! The sample events in `events/` are valid inputs for their functions.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::event::sqs::SqsEvent;
use shared::adapters::outbox::OutgoingText;

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("event file")
}

#[test]
fn the_telegram_event_carries_a_start_update() {
    let ev: ApiGatewayV2httpRequest =
        serde_json::from_str(&read("telegram.json")).expect("API Gateway v2 event");
    assert_eq!(ev.raw_path.as_deref(), Some("/telegram"));
    let body: serde_json::Value =
        serde_json::from_str(ev.body.as_deref().expect("body")).expect("update json");
    assert_eq!(body["message"]["text"], "/start");
    assert_eq!(
        ev.request_context.http.source_ip.as_deref(),
        Some("149.154.167.220")
    );
}

#[test]
fn the_health_event_is_a_get() {
    let ev: ApiGatewayV2httpRequest =
        serde_json::from_str(&read("health.json")).expect("API Gateway v2 event");
    assert_eq!(ev.raw_path.as_deref(), Some("/health"));
}

#[test]
fn the_sender_event_carries_an_outgoing_message() {
    let ev: SqsEvent = serde_json::from_str(&read("sender.json")).expect("SQS event");
    let msg: OutgoingText =
        serde_json::from_str(ev.records[0].body.as_deref().expect("body")).expect("outbox message");
    assert_eq!(msg.chat_id, -1001234567890);
}

#[test]
fn the_panel_webhook_event_carries_a_panel_event() {
    let ev: ApiGatewayV2httpRequest =
        serde_json::from_str(&read("panel-webhook.json")).expect("API Gateway v2 event");
    assert_eq!(ev.raw_path.as_deref(), Some("/panel"));
    let body: serde_json::Value =
        serde_json::from_str(ev.body.as_deref().expect("body")).expect("event json");
    assert_eq!(body["event"], "service.panel_started");
    assert!(ev.headers.contains_key("x-remnawave-signature"));
}

#[test]
fn the_panel_sync_event_carries_a_sync_request() {
    let ev: SqsEvent = serde_json::from_str(&read("panel-sync.json")).expect("SQS event");
    let req: shared::domains::access::sync::PanelSyncRequest =
        serde_json::from_str(ev.records[0].body.as_deref().expect("body")).expect("sync request");
    assert_eq!(req.user, shared::base::types::TelegramId(424242));
    assert_eq!(req.reason, shared::domains::access::sync::SyncReason::Paid);
}

#[test]
fn the_jobs_event_carries_a_job() {
    let ev: SqsEvent = serde_json::from_str(&read("jobs.json")).expect("SQS event");
    let job: shared::adapters::jobs::Job =
        serde_json::from_str(ev.records[0].body.as_deref().expect("body")).expect("job");
    assert!(matches!(
        job,
        shared::adapters::jobs::Job::PanelSyncPage {
            start: 0,
            size: 250,
            ..
        }
    ));
}

#[test]
fn the_alarms_event_carries_a_cloudwatch_state_change() {
    let ev: shared::domains::ops::alarms::SnsEvent =
        serde_json::from_str(&read("alarms.json")).expect("SNS event");
    let change: shared::domains::ops::alarms::AlarmChange =
        serde_json::from_str(&ev.records[0].sns.message).expect("CloudWatch alarm message");
    assert_eq!(change.alarm_name, "vpn-shop-OutboxDlqAlarm");
    assert_eq!(
        (
            change.new_state_value.as_str(),
            change.old_state_value.as_str()
        ),
        ("ALARM", "OK")
    );
}

#[test]
fn the_scheduler_event_is_a_scheduled_event() {
    // The scheduler reads nothing from its event but the fact of it (its
    // clock is the time of the run); the event must still be valid JSON of
    // the shape EventBridge Scheduler sends.
    let ev: serde_json::Value = serde_json::from_str(&read("scheduler.json")).expect("event");
    assert_eq!(ev["detail-type"], "Scheduled Event");
    assert_eq!(ev["source"], "aws.scheduler");
}
