//! Alarms: the template leaves nothing without an alarm, and every alarm
//! reaches the admin log chat through AlarmsFunction, once per state change.

use e2e::TestStack;
use serde_json::json;
use serde_yaml::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("template.yaml")).expect("yaml")
}

/// The value of a `!Ref X` / `!GetAtt X.Attr` tag, or `{Ref: X}`.
fn tagged<'a>(v: &'a Value, tag: &str) -> Option<&'a str> {
    match v {
        Value::Tagged(t) if t.tag == tag => t.value.as_str(),
        Value::Mapping(m) if tag == "!Ref" => m.get("Ref").and_then(Value::as_str),
        _ => None,
    }
}

/// An alarm: (metric namespace, metric name, the resource its dimension names, actions, OK actions).
struct Alarm {
    namespace: String,
    metric: String,
    subject: Vec<String>,
    actions: Vec<String>,
    ok_actions: Vec<String>,
}

fn alarms(t: &Value) -> Vec<Alarm> {
    let refs = |v: &Value| -> Vec<String> {
        v.as_sequence()
            .map(|s| {
                s.iter()
                    .filter_map(|a| tagged(a, "!Ref"))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    t["Resources"]
        .as_mapping()
        .expect("Resources")
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .map(|r| {
            let p = &r["Properties"];
            let subject = p["Dimensions"]
                .as_sequence()
                .expect("dimensions")
                .iter()
                .filter_map(|d| {
                    let v = &d["Value"];
                    tagged(v, "!Ref")
                        .or_else(|| tagged(v, "!GetAtt").and_then(|s| s.split('.').next()))
                })
                .map(str::to_owned)
                .collect();
            Alarm {
                namespace: p["Namespace"].as_str().unwrap_or_default().to_owned(),
                metric: p["MetricName"].as_str().unwrap_or_default().to_owned(),
                subject,
                actions: refs(&p["AlarmActions"]),
                ok_actions: refs(&p["OKActions"]),
            }
        })
        .collect()
}

#[test]
fn every_function_queue_and_dlq_has_its_alarm_wired_to_the_forwarded_topic() {
    let t = template();
    let resources = t["Resources"].as_mapping().expect("Resources");
    let of_type = |ty: &str| -> Vec<String> {
        resources
            .iter()
            .filter(|(_, r)| r["Type"].as_str() == Some(ty))
            .map(|(k, _)| k.as_str().expect("logical id").to_owned())
            .collect()
    };
    // The topic the forwarder reads.
    let forwarded: Vec<String> = resources
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .flat_map(|r| {
            r["Properties"]["Events"]
                .as_mapping()
                .into_iter()
                .flat_map(|m| m.values())
                .filter(|e| e["Type"].as_str() == Some("SNS"))
                .filter_map(|e| tagged(&e["Properties"]["Topic"], "!Ref"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        forwarded,
        vec!["AlarmTopic".to_owned()],
        "one forwarded topic"
    );
    let topic = &forwarded[0];

    let all = alarms(&t);
    assert!(!all.is_empty());
    for a in &all {
        assert!(
            a.actions.contains(topic) && a.ok_actions.contains(topic),
            "{}/{} on {:?} must publish to {topic} when it fires and when it recovers",
            a.namespace,
            a.metric,
            a.subject
        );
    }
    let has = |ns: &str, metric: &str, subject: &str| {
        all.iter().any(|a| {
            a.namespace == ns && a.metric == metric && a.subject.iter().any(|s| s == subject)
        })
    };

    let functions = of_type("AWS::Serverless::Function");
    assert!(functions.len() >= 11, "{functions:?}");
    for f in &functions {
        assert!(has("AWS/Lambda", "Errors", f), "{f} has no Errors alarm");
        assert!(
            has("AWS/Lambda", "Throttles", f),
            "{f} has no Throttles alarm"
        );
    }

    let queues = of_type("AWS::SQS::Queue");
    let dlqs: Vec<String> = resources
        .values()
        .filter_map(|r| {
            tagged(
                &r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"],
                "!GetAtt",
            )
        })
        .filter_map(|s| s.strip_suffix(".Arn"))
        .map(str::to_owned)
        .collect();
    assert!(dlqs.len() >= 3, "{dlqs:?}");
    for q in &queues {
        if dlqs.contains(q) {
            assert!(
                has("AWS/SQS", "ApproximateNumberOfMessagesVisible", q),
                "dead-letter queue {q} has no depth alarm"
            );
        } else {
            assert!(
                has("AWS/SQS", "ApproximateAgeOfOldestMessage", q),
                "queue {q} has no age-of-oldest-message alarm"
            );
        }
    }
    for api in of_type("AWS::Serverless::HttpApi") {
        assert!(has("AWS/ApiGateway", "5xx", &api), "{api} has no 5xx alarm");
    }
}

/// The Lambda event SNS delivers for a CloudWatch alarm (shapes from AWS's documentation).
fn sns_event(state: &str, old: &str, at: &str) -> serde_json::Value {
    let message = json!({
        "AlarmName": "vpn-shop-OutboxDlqAlarm",
        "AlarmDescription": "Outgoing Telegram messages landed in the outbox dead-letter queue.",
        "AWSAccountId": "123456789012",
        "AlarmConfigurationUpdatedTimestamp": "2026-01-01T00:00:00.000+0000",
        "NewStateValue": state,
        "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [2.0 (01/01/26 00:00:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
        "StateChangeTime": at,
        "Region": "EU (Frankfurt)",
        "AlarmArn": "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:vpn-shop-OutboxDlqAlarm",
        "OldStateValue": old,
        "OKActions": ["arn:aws:sns:eu-central-1:123456789012:vpn-shop-AlarmTopic"],
        "AlarmActions": ["arn:aws:sns:eu-central-1:123456789012:vpn-shop-AlarmTopic"],
        "InsufficientDataActions": [],
        "Trigger": {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Namespace": "AWS/SQS",
            "StatisticType": "Statistic",
            "Statistic": "MAXIMUM",
            "Unit": null,
            "Dimensions": [{"value": "vpn-shop-OutboxDlq", "name": "QueueName"}],
            "Period": 300,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 0.0,
            "TreatMissingData": "notBreaching",
            "EvaluateLowSampleCountPercentile": ""
        }
    });
    json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": "arn:aws:sns:eu-central-1:123456789012:vpn-shop-AlarmTopic:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
            "Sns": {
                "Type": "Notification",
                "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                "TopicArn": "arn:aws:sns:eu-central-1:123456789012:vpn-shop-AlarmTopic",
                "Subject": format!("{state}: \"vpn-shop-OutboxDlqAlarm\" in EU (Frankfurt)"),
                "Message": message.to_string(),
                "Timestamp": "2026-01-01T00:05:00.000Z",
                "SignatureVersion": "1",
                "Signature": "EXAMPLE",
                "SigningCertUrl": "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                "UnsubscribeUrl": "https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe",
                "MessageAttributes": {}
            }
        }]
    })
}

const LOG_CHAT: i64 = -1007770001;

async fn publish(t: &TestStack, event: &serde_json::Value) -> u16 {
    t.http
        .post(t.url("/_local/sns/alarms"))
        .json(event)
        .send()
        .await
        .expect("stack answers")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alarm_reaches_the_log_chat_once_per_state_change() {
    let t = TestStack::start(&[
        ("LOG_CHAT_ID", "-1007770001"),
        ("LOG_THREAD_ID", "9"),
        ("DEFAULT_LANGUAGE", "en"),
    ])
    .await;
    let firing = sns_event("ALARM", "OK", "2026-01-01T00:05:00.000+0000");
    assert_eq!(publish(&t, &firing).await, 200);
    let sent = t.telegram.sent_to(LOG_CHAT);
    assert_eq!(sent.len(), 1, "one message for the alarm");
    let text = sent[0].body["text"].as_str().expect("text");
    assert!(
        text.contains("Alarm") && text.contains("vpn-shop-OutboxDlqAlarm"),
        "{text}"
    );
    assert!(
        text.contains("dead-letter queue"),
        "the description: {text}"
    );
    assert_eq!(sent[0].body["message_thread_id"], 9);

    // SNS delivers the same notification again: nothing new.
    assert_eq!(publish(&t, &firing).await, 200);
    assert_eq!(
        t.telegram.sent_to(LOG_CHAT).len(),
        1,
        "a repeat is not posted"
    );

    // The recovery is a new state change.
    let ok = sns_event("OK", "ALARM", "2026-01-01T00:20:00.000+0000");
    assert_eq!(publish(&t, &ok).await, 200);
    let sent = t.telegram.sent_to(LOG_CHAT);
    assert_eq!(sent.len(), 2);
    assert!(sent[1].body["text"].as_str().unwrap().contains("Recovered"));
    assert_eq!(publish(&t, &ok).await, 200);
    assert_eq!(t.telegram.sent_to(LOG_CHAT).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alarm_telegram_refused_is_retried_then_posted_once() {
    let t = TestStack::start(&[("LOG_CHAT_ID", "-1007770001")]).await;
    t.telegram.script(
        "sendMessage",
        502,
        json!({"ok": false, "error_code": 502, "description": "Bad Gateway"}),
    );
    let firing = sns_event("ALARM", "OK", "2026-01-02T00:05:00.000+0000");
    assert_eq!(
        publish(&t, &firing).await,
        500,
        "the invocation fails, so Lambda retries"
    );
    // Lambda's retry: the claim was given back, so it is posted now, once.
    assert_eq!(publish(&t, &firing).await, 200);
    assert_eq!(publish(&t, &firing).await, 200);
    let sent = t.telegram.sent_to(LOG_CHAT);
    assert_eq!(sent.len(), 2, "the refused attempt and one delivery");
    assert!(
        sent[1].body["text"].as_str().unwrap().contains("Тревога"),
        "in the admins' language (ru)"
    );
}
