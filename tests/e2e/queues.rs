//! Every SQS queue is sized by AWS's rule for Lambda event sources: its
//! visibility timeout is at least six times its consumer's timeout, plus the
//! batching window, so a message is not handed to a second consumer while
//! the first may still be working on it (with the runtime's retries).

use serde_yaml::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("template.yaml")).expect("yaml")
}

/// `!GetAtt OutboxQueue.Arn` → `OutboxQueue`.
fn queue_of(v: &Value) -> Option<String> {
    match v {
        Value::Tagged(t) if t.tag == "!GetAtt" => t
            .value
            .as_str()
            .and_then(|s| s.strip_suffix(".Arn"))
            .map(str::to_owned),
        Value::Mapping(m) => m
            .get("Fn::GetAtt")
            .and_then(|a| a.as_sequence())
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

/// (function, queue, function timeout, batching window, visibility timeout)
fn event_sources(t: &Value) -> Vec<(String, String, u64, u64, u64)> {
    let global_timeout = t["Globals"]["Function"]["Timeout"].as_u64().unwrap_or(3);
    let resources = t["Resources"].as_mapping().expect("Resources");
    let mut out = Vec::new();
    for (name, r) in resources {
        if r["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let timeout = r["Properties"]["Timeout"]
            .as_u64()
            .unwrap_or(global_timeout);
        let Some(events) = r["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (_, e) in events {
            if e["Type"].as_str() != Some("SQS") {
                continue;
            }
            let queue = queue_of(&e["Properties"]["Queue"]).expect("queue by !GetAtt");
            let window = e["Properties"]["MaximumBatchingWindowInSeconds"]
                .as_u64()
                .unwrap_or(0);
            let visibility = t["Resources"][queue.as_str()]["Properties"]["VisibilityTimeout"]
                .as_u64()
                .unwrap_or(30);
            out.push((
                name.as_str().unwrap_or_default().to_owned(),
                queue,
                timeout,
                window,
                visibility,
            ));
        }
    }
    out
}

#[test]
fn every_queue_outlasts_six_runs_of_its_consumer() {
    let sources = event_sources(&template());
    let queues: Vec<&str> = sources.iter().map(|s| s.1.as_str()).collect();
    for q in ["OutboxQueue", "PanelSyncQueue", "JobsQueue"] {
        assert!(queues.contains(&q), "{q} has no consumer in {queues:?}");
    }
    for (function, queue, timeout, window, visibility) in &sources {
        assert!(
            *visibility >= 6 * timeout + window,
            "{queue}: VisibilityTimeout {visibility} < 6 x {function}'s Timeout {timeout} + batching window {window}"
        );
    }
}

#[test]
fn the_rule_catches_a_queue_that_is_too_short() {
    let mut t = template();
    t["Resources"]["JobsQueue"]["Properties"]["VisibilityTimeout"] = Value::from(300u64);
    let short: Vec<_> = event_sources(&t)
        .into_iter()
        .filter(|(_, _, timeout, window, visibility)| *visibility < 6 * timeout + window)
        .map(|s| s.1)
        .collect();
    assert_eq!(short, ["JobsQueue"]);
}

/// Broadcast copies are paced per sender run; the runs the template lets
/// work at once must stay under Telegram's ~30 messages a second together,
/// and a run's budget for new chunks must end well before its timeout.
#[test]
fn the_senders_runs_together_stay_under_telegrams_limit() {
    let t = template();
    let outbox = &t["Resources"]["SenderFunction"]["Properties"]["Events"]["Outbox"]["Properties"];
    let runs = outbox["ScalingConfig"]["MaximumConcurrency"]
        .as_u64()
        .expect("SenderFunction's MaximumConcurrency");
    let per_run = u64::from(shared::domains::admin::broadcast::PER_RUN_PER_SECOND);
    assert!(
        runs * per_run <= 30,
        "{runs} runs x {per_run}/s exceed Telegram's 30/s"
    );
    assert!(
        runs * per_run >= 25,
        "{runs} runs x {per_run}/s are below the 25/s a broadcast should reach"
    );
}
