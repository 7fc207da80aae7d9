//! Every item of the table as JSON lines, in DynamoDB's own JSON form
//! (`{"PK":{"S":"USER#1"},"balance":{"N":"500"}}`, the form `aws dynamodb`
//! and the console's export use), and back in.
//!
//! Export is a paginated `Scan`: an operator's tool for backups and moves,
//! never a request path. Import writes with `BatchWriteItem` (25 items a
//! call, unprocessed items retried), replacing items with the same key, so
//! importing the same file twice leaves the same table.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use serde_json::{Map, Value, json};
use shared::adapters::store::Item;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::time::Duration;

/// An attribute value as DynamoDB JSON.
pub fn value_to_json(v: &AttributeValue) -> Value {
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::B(b) => json!({ "B": aws_smithy_types::base64::encode(b.as_ref()) }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::Bs(v) => json!({
            "BS": v.iter().map(|b| aws_smithy_types::base64::encode(b.as_ref())).collect::<Vec<_>>()
        }),
        AttributeValue::L(l) => json!({ "L": l.iter().map(value_to_json).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": item_to_json(m) }),
        _ => json!({ "NULL": true }),
    }
}

/// An item as a DynamoDB JSON object.
pub fn item_to_json(item: &HashMap<String, AttributeValue>) -> Value {
    // Sorted keys: the same item always prints the same line.
    let mut keys: Vec<&String> = item.keys().collect();
    keys.sort();
    let mut map = Map::new();
    for k in keys {
        map.insert(k.clone(), value_to_json(&item[k]));
    }
    Value::Object(map)
}

/// An attribute value from DynamoDB JSON.
pub fn value_from_json(v: &Value) -> Result<AttributeValue, String> {
    let obj = v
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or("expected {\"<type>\": value}")?;
    let (ty, val) = obj.iter().next().ok_or("empty value")?;
    let str_of = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .ok_or(format!("{ty}: expected a string"))
    };
    let strs = |v: &Value| -> Result<Vec<String>, String> {
        v.as_array()
            .ok_or(format!("{ty}: expected a list"))?
            .iter()
            .map(str_of)
            .collect()
    };
    let blob = |s: String| {
        aws_smithy_types::base64::decode(&s)
            .map(Blob::new)
            .map_err(|e| format!("{ty}: {e}"))
    };
    Ok(match ty.as_str() {
        "S" => AttributeValue::S(str_of(val)?),
        "N" => AttributeValue::N(str_of(val)?),
        "BOOL" => AttributeValue::Bool(val.as_bool().ok_or("BOOL: expected true/false")?),
        "NULL" => AttributeValue::Null(true),
        "B" => AttributeValue::B(blob(str_of(val)?)?),
        "SS" => AttributeValue::Ss(strs(val)?),
        "NS" => AttributeValue::Ns(strs(val)?),
        "BS" => AttributeValue::Bs(strs(val)?.into_iter().map(blob).collect::<Result<_, _>>()?),
        "L" => AttributeValue::L(
            val.as_array()
                .ok_or("L: expected a list")?
                .iter()
                .map(value_from_json)
                .collect::<Result<_, _>>()?,
        ),
        "M" => AttributeValue::M(item_from_json(val)?),
        other => return Err(format!("unknown attribute type {other:?}")),
    })
}

/// An item from a DynamoDB JSON object.
pub fn item_from_json(v: &Value) -> Result<Item, String> {
    v.as_object()
        .ok_or("expected an object")?
        .iter()
        .map(|(k, v)| {
            Ok((
                k.clone(),
                value_from_json(v).map_err(|e| format!("{k}: {e}"))?,
            ))
        })
        .collect()
}

/// Writes every item of `table` to `out`, one JSON line each; returns how many.
pub async fn export(client: &Client, table: &str, out: &mut impl Write) -> Result<u64, String> {
    let mut count = 0;
    let mut start: Option<HashMap<String, AttributeValue>> = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(|e| {
                format!(
                    "scan {table}: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(e)
                )
            })?;
        for item in page.items() {
            writeln!(out, "{}", item_to_json(item)).map_err(|e| format!("write: {e}"))?;
            count += 1;
        }
        match page.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => break,
        }
    }
    out.flush().map_err(|e| format!("write: {e}"))?;
    Ok(count)
}

/// Puts every item read from `input` (JSON lines) into `table`; returns how many.
pub async fn import(client: &Client, table: &str, input: impl BufRead) -> Result<u64, String> {
    let mut batch = Vec::new();
    let mut count = 0;
    for (n, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("read: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value =
            serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let item = item_from_json(&value).map_err(|e| format!("line {}: {e}", n + 1))?;
        let put = PutRequest::builder()
            .set_item(Some(item))
            .build()
            .map_err(|e| e.to_string())?;
        batch.push(WriteRequest::builder().put_request(put).build());
        count += 1;
        if batch.len() == 25 {
            write_batch(client, table, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        write_batch(client, table, batch).await?;
    }
    Ok(count)
}

async fn write_batch(
    client: &Client,
    table: &str,
    mut batch: Vec<WriteRequest>,
) -> Result<(), String> {
    for attempt in 0..10u32 {
        let out = client
            .batch_write_item()
            .request_items(table, batch)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "batch write {table}: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(e)
                )
            })?;
        batch = out
            .unprocessed_items()
            .and_then(|u| u.get(table))
            .cloned()
            .unwrap_or_default();
        if batch.is_empty() {
            return Ok(());
        }
        // Throttled: back off before sending what is left.
        tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
    }
    Err(format!(
        "{table}: items still unprocessed after 10 attempts"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_type_round_trips() {
        let mut inner = HashMap::new();
        inner.insert("x".to_owned(), AttributeValue::N("1".into()));
        let mut item = HashMap::new();
        for (k, v) in [
            ("S", AttributeValue::S("Ünïcode ✓".into())),
            ("N", AttributeValue::N("-12.5".into())),
            ("BOOL", AttributeValue::Bool(true)),
            ("NULL", AttributeValue::Null(true)),
            ("B", AttributeValue::B(Blob::new(vec![0u8, 255, 7]))),
            ("SS", AttributeValue::Ss(vec!["a".into(), "b".into()])),
            ("NS", AttributeValue::Ns(vec!["1".into()])),
            ("BS", AttributeValue::Bs(vec![Blob::new(vec![1u8])])),
            ("L", AttributeValue::L(vec![AttributeValue::S("x".into())])),
            ("M", AttributeValue::M(inner.clone())),
        ] {
            item.insert(k.to_owned(), v);
        }
        let line = item_to_json(&item).to_string();
        let back = item_from_json(&serde_json::from_str(&line).unwrap()).unwrap();
        assert_eq!(back, item);
        assert!(item_from_json(&json!({"a": {"Q": "1"}})).is_err());
    }
}
