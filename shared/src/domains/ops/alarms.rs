//! The alarm forwarder: CloudWatch alarm notifications arriving from the
//! alarm topic (SNS) are posted to the admin log chat, in the admins'
//! language (`DEFAULT_LANGUAGE`), once per state change.
//!
//! The message goes to Telegram directly, not through the outbox: an alarm
//! may be about the outbox itself. A state change is claimed once (alarm,
//! new state, time of the change), so SNS's re-deliveries and Lambda's
//! retries post it once; when Telegram cannot be reached the claim is given
//! back and the invocation fails, so Lambda retries it.

use crate::adapters::app::App;
use crate::adapters::store::once::Claim;
use crate::base::clock::now;
use crate::base::i18n::{Arg, html, tr};
use crate::domains::error::Error;
use serde::Deserialize;
use teloxide_core::payloads::SendMessageSetters;
use teloxide_core::requests::Requester;
use teloxide_core::types::{ChatId, MessageId, ParseMode, ThreadId};

/// The marker scope of forwarded state changes.
const SCOPE: &str = "alarm";
/// How long a forwarded state change is remembered (SNS retries for far less).
const KEEP_SECS: i64 = 14 * 86_400;
/// Longest reason quoted in the chat (CloudWatch's can be long).
const MAX_REASON_CHARS: usize = 600;

/// The Lambda event SNS delivers (only the fields used).
#[derive(Debug, Deserialize)]
pub struct SnsEvent {
    /// One record per notification (SNS sends one).
    #[serde(rename = "Records")]
    pub records: Vec<SnsRecord>,
}

/// One SNS record.
#[derive(Debug, Deserialize)]
pub struct SnsRecord {
    /// The notification.
    #[serde(rename = "Sns")]
    pub sns: SnsNotification,
}

/// The notification; its `Message` is CloudWatch's alarm JSON.
#[derive(Debug, Deserialize)]
pub struct SnsNotification {
    /// The text published to the topic.
    #[serde(rename = "Message")]
    pub message: String,
}

/// CloudWatch's alarm state-change message (the fields shown).
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmChange {
    /// The alarm.
    pub alarm_name: String,
    /// What the alarm means and what to do (the template's `AlarmDescription`).
    #[serde(default)]
    pub alarm_description: Option<String>,
    /// `ALARM`, `OK` or `INSUFFICIENT_DATA`.
    pub new_state_value: String,
    /// The state before.
    pub old_state_value: String,
    /// CloudWatch's explanation of the change.
    #[serde(default)]
    pub new_state_reason: String,
    /// When the state changed (ISO 8601).
    pub state_change_time: String,
}

impl AlarmChange {
    /// The at-most-once key of this state change.
    pub fn key(&self) -> String {
        format!(
            "{}#{}#{}",
            self.alarm_name, self.new_state_value, self.state_change_time
        )
    }

    /// The log chat's text in the admins' language.
    pub fn text(&self, lang: crate::base::types::Lang) -> String {
        let key = match self.new_state_value.as_str() {
            "ALARM" => "log-alarm-firing",
            "OK" => "log-alarm-recovered",
            _ => "log-alarm-no-data",
        };
        let reason: String = self
            .new_state_reason
            .chars()
            .take(MAX_REASON_CHARS)
            .collect();
        tr(
            lang,
            key,
            &[
                ("name", Arg::Str(html(&self.alarm_name))),
                (
                    "description",
                    Arg::Str(html(self.alarm_description.as_deref().unwrap_or("").trim())),
                ),
                ("reason", Arg::Str(html(&reason))),
            ],
        )
    }
}

/// Handles one SNS delivery; an error makes Lambda retry the invocation.
pub async fn handle_alarms(app: &App, event: SnsEvent) -> Result<(), Error> {
    for record in event.records {
        let change: AlarmChange = match serde_json::from_str(&record.sns.message) {
            Ok(change) => change,
            Err(e) => {
                tracing::warn!("not a CloudWatch alarm notification, ignored: {e}");
                continue;
            }
        };
        forward(app, &change).await?;
    }
    Ok(())
}

async fn forward(app: &App, change: &AlarmChange) -> Result<(), Error> {
    if change.new_state_value == change.old_state_value {
        tracing::info!(alarm = %change.alarm_name, "not a state change; not posted");
        return Ok(());
    }
    let Some(chat_id) = app.config.log.chat_id else {
        tracing::warn!(alarm = %change.alarm_name, state = %change.new_state_value, "no LOG_CHAT_ID; alarm not posted");
        return Ok(());
    };
    let key = change.key();
    match app
        .store
        .claim_once(SCOPE, &key, now(), KEEP_SECS)
        .await
        .map_err(Error::from)?
    {
        Claim::Duplicate => return Ok(()),
        Claim::Acquired => {}
    }
    let mut req = app
        .bot
        .send_message(ChatId(chat_id), change.text(app.config.default_language))
        .parse_mode(ParseMode::Html);
    if let Some(thread) = app.config.log.thread_id {
        req = req.message_thread_id(ThreadId(MessageId(thread)));
    }
    if let Err(e) = req.await {
        if let Err(release) = app.store.release_once(SCOPE, &key).await {
            tracing::error!("alarm marker not released: {release}");
        }
        return Err(Error::Text(format!(
            "alarm {} not posted: {e}",
            change.alarm_name
        )));
    }
    tracing::info!(alarm = %change.alarm_name, state = %change.new_state_value, "alarm posted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::types::Lang;

    /// The message CloudWatch publishes, as AWS documents it.
    const NOTICE: &str = r#"{"AlarmName":"vpn-shop-TelegramErrors","AlarmDescription":"The Telegram webhook <failed>.","AWSAccountId":"123456789012","AlarmConfigurationUpdatedTimestamp":"2026-01-01T00:00:00.000+0000","NewStateValue":"ALARM","NewStateReason":"Threshold Crossed: 1 datapoint [3.0 (01/01/26 00:00:00)] was greater than the threshold (0.0).","StateChangeTime":"2026-01-01T00:05:00.000+0000","Region":"EU (Frankfurt)","AlarmArn":"arn:aws:cloudwatch:eu-central-1:123456789012:alarm:vpn-shop-TelegramErrors","OldStateValue":"OK","OKActions":[],"AlarmActions":["arn:aws:sns:eu-central-1:123456789012:alarms"],"InsufficientDataActions":[],"Trigger":{"MetricName":"Errors","Namespace":"AWS/Lambda","StatisticType":"Statistic","Statistic":"SUM","Unit":null,"Dimensions":[{"value":"vpn-shop-telegram","name":"FunctionName"}],"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":0.0,"TreatMissingData":"notBreaching","EvaluateLowSampleCountPercentile":""}}"#;

    #[test]
    fn a_cloudwatch_notice_becomes_a_line_per_language() {
        let change: AlarmChange = serde_json::from_str(NOTICE).unwrap();
        assert_eq!(
            change.key(),
            "vpn-shop-TelegramErrors#ALARM#2026-01-01T00:05:00.000+0000"
        );
        let en = change.text(Lang::En);
        assert!(en.contains("vpn-shop-TelegramErrors"), "{en}");
        assert!(en.contains("&lt;failed&gt;"), "escaped: {en}");
        assert!(en.contains("Threshold Crossed"), "{en}");
        let ru = change.text(Lang::Ru);
        assert_ne!(en, ru);
        let ok = AlarmChange {
            new_state_value: "OK".into(),
            old_state_value: "ALARM".into(),
            ..change
        };
        assert_ne!(ok.text(Lang::En), en);
    }
}
