//! Creates the template's table, queues and secret in the local emulator,
//! reading their definitions from `template.yaml` itself, and maps the
//! functions' `!Ref` environment variables to the local names.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_yaml::Value;
use std::collections::BTreeMap;

/// What was created, by logical id.
#[derive(Debug, Default, Clone)]
pub struct Provisioned {
    /// Logical id → the value `!Ref` has locally (table name, queue URL, secret ARN).
    pub refs: BTreeMap<String, String>,
    /// Environment variables the functions get from `!Ref`s in `Globals`.
    pub env: BTreeMap<String, String>,
}

/// The repository's `template.yaml`.
pub fn template_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml")
}

fn tag_arg<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match v {
        Value::Tagged(t) if t.tag == name => Some(&t.value),
        Value::Mapping(m) => m
            .get(format!("Fn::{name}"))
            .or_else(|| if name == "Ref" { m.get("Ref") } else { None }),
        _ => None,
    }
}

fn str_of(v: &Value) -> Option<&str> {
    v.as_str()
}

/// Creates everything in the emulator behind `aws`; `secret_json` becomes the
/// secret's value.
pub async fn provision(aws: &SdkConfig, secret_json: &str) -> Result<Provisioned, String> {
    let text =
        std::fs::read_to_string(template_path()).map_err(|e| format!("template.yaml: {e}"))?;
    let doc: Value = serde_yaml::from_str(&text).map_err(|e| format!("template.yaml: {e}"))?;
    let resources = doc
        .get("Resources")
        .and_then(Value::as_mapping)
        .ok_or("template.yaml: no Resources")?;
    let mut out = Provisioned::default();
    let by_type = |ty: &str| {
        resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(ty))
            .filter_map(|(k, r)| {
                Some((
                    k.as_str()?.to_owned(),
                    r.get("Properties").cloned().unwrap_or(Value::Null),
                ))
            })
            .collect::<Vec<_>>()
    };

    let ddb = aws_sdk_dynamodb::Client::new(aws);
    for (id, props) in by_type("AWS::DynamoDB::Table") {
        create_table(&ddb, &id, &props).await?;
        out.refs.insert(id.clone(), id);
    }

    let sqs = aws_sdk_sqs::Client::new(aws);
    let mut queues = by_type("AWS::SQS::Queue");
    // Dead-letter queues first: the others point at their ARNs.
    queues.sort_by_key(|(_, p)| p.get("RedrivePolicy").is_some());
    let mut arns = BTreeMap::new();
    for (id, props) in queues {
        let (url, arn) = create_queue(&sqs, &id, &props, &arns).await?;
        arns.insert(id.clone(), arn);
        out.refs.insert(id, url);
    }

    let sm = aws_sdk_secretsmanager::Client::new(aws);
    for (id, _) in by_type("AWS::SecretsManager::Secret") {
        let created = sm
            .create_secret()
            .name(&id)
            .secret_string(secret_json)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "secret {id}: {}",
                    aws_sdk_secretsmanager::error::DisplayErrorContext(e)
                )
            })?;
        out.refs
            .insert(id, created.arn().unwrap_or_default().to_owned());
    }

    if let Some(vars) = doc
        .get("Globals")
        .and_then(|g| g.get("Function"))
        .and_then(|f| f.get("Environment"))
        .and_then(|e| e.get("Variables"))
        .and_then(Value::as_mapping)
    {
        for (name, value) in vars {
            // `!If [cond, a, b]`: locally every parameter is at its default
            // (empty), so the condition is false and `b` applies.
            let value = tag_arg(value, "If")
                .and_then(Value::as_sequence)
                .and_then(|s| s.get(2))
                .unwrap_or(value);
            let (Some(name), Some(target)) =
                (name.as_str(), tag_arg(value, "Ref").and_then(str_of))
            else {
                continue;
            };
            if let Some(local) = out.refs.get(target) {
                out.env.insert(name.to_owned(), local.clone());
            }
        }
    }
    Ok(out)
}

async fn create_table(ddb: &aws_sdk_dynamodb::Client, name: &str, p: &Value) -> Result<(), String> {
    let err = |what: &str| format!("template.yaml: table {name}: {what}");
    let attr_defs = p
        .get("AttributeDefinitions")
        .and_then(Value::as_sequence)
        .ok_or_else(|| err("AttributeDefinitions"))?
        .iter()
        .map(|a| {
            let n = a
                .get("AttributeName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let t = a
                .get("AttributeType")
                .and_then(Value::as_str)
                .unwrap_or("S");
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::from(t))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut req = ddb
        .create_table()
        .table_name(name)
        .set_attribute_definitions(Some(attr_defs))
        .set_key_schema(Some(key_schema(p.get("KeySchema"))?))
        .billing_mode(BillingMode::PayPerRequest);
    if let Some(gsis) = p.get("GlobalSecondaryIndexes").and_then(Value::as_sequence) {
        for g in gsis {
            let projection = g
                .get("Projection")
                .and_then(|p| p.get("ProjectionType"))
                .and_then(Value::as_str)
                .unwrap_or("ALL");
            req = req.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(
                        g.get("IndexName")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                    )
                    .set_key_schema(Some(key_schema(g.get("KeySchema"))?))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::from(projection))
                            .build(),
                    )
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
    }
    req.send().await.map_err(|e| {
        format!(
            "create table {name}: {}",
            aws_sdk_dynamodb::error::DisplayErrorContext(e)
        )
    })?;
    if let Some(ttl) = p
        .get("TimeToLiveSpecification")
        .and_then(|t| t.get("AttributeName"))
        .and_then(Value::as_str)
    {
        ddb.update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
                    .attribute_name(ttl)
                    .enabled(true)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .send()
            .await
            .map_err(|e| {
                format!(
                    "ttl {name}: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(e)
                )
            })?;
    }
    Ok(())
}

fn key_schema(v: Option<&Value>) -> Result<Vec<KeySchemaElement>, String> {
    v.and_then(Value::as_sequence)
        .ok_or("KeySchema missing")?
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(
                    k.get("AttributeName")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )
                .key_type(KeyType::from(
                    k.get("KeyType").and_then(Value::as_str).unwrap_or("HASH"),
                ))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    id: &str,
    p: &Value,
    arns: &BTreeMap<String, String>,
) -> Result<(String, String), String> {
    let fifo = p.get("FifoQueue").and_then(scalar).as_deref() == Some("true");
    let name = if fifo {
        format!("{id}.fifo")
    } else {
        id.to_owned()
    };
    let mut req = sqs.create_queue().queue_name(&name);
    for (key, attr) in [
        ("FifoQueue", QueueAttributeName::FifoQueue),
        (
            "ContentBasedDeduplication",
            QueueAttributeName::ContentBasedDeduplication,
        ),
        ("VisibilityTimeout", QueueAttributeName::VisibilityTimeout),
        (
            "MessageRetentionPeriod",
            QueueAttributeName::MessageRetentionPeriod,
        ),
        ("DelaySeconds", QueueAttributeName::DelaySeconds),
    ] {
        if let Some(v) = p.get(key).and_then(scalar) {
            req = req.attributes(attr, v);
        }
    }
    if let Some(rp) = p.get("RedrivePolicy") {
        let target = rp
            .get("deadLetterTargetArn")
            .and_then(|t| tag_arg(t, "GetAtt"))
            .and_then(|v| match v {
                Value::String(s) => s.split('.').next().map(str::to_owned),
                Value::Sequence(seq) => seq.first().and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .ok_or_else(|| {
                format!("queue {id}: RedrivePolicy.deadLetterTargetArn must be !GetAtt <Queue>.Arn")
            })?;
        let dlq_arn = arns
            .get(&target)
            .ok_or_else(|| format!("queue {id}: unknown DLQ {target}"))?;
        let max = rp
            .get("maxReceiveCount")
            .and_then(scalar)
            .unwrap_or_else(|| "5".into());
        req = req.attributes(
            QueueAttributeName::RedrivePolicy,
            serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max.parse::<u32>().unwrap_or(5)}).to_string(),
        );
    }
    let url = req
        .send()
        .await
        .map_err(|e| {
            format!(
                "create queue {name}: {}",
                aws_sdk_sqs::error::DisplayErrorContext(e)
            )
        })?
        .queue_url()
        .unwrap_or_default()
        .to_owned();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| {
            format!(
                "queue {name}: {}",
                aws_sdk_sqs::error::DisplayErrorContext(e)
            )
        })?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .unwrap_or_default();
    Ok((url, arn))
}
