//! Metrics as CloudWatch embedded metric format (EMF) lines on stdout: on
//! Lambda, CloudWatch Logs turns each line into metric data points, with no
//! API call and no latency. Locally nothing is printed.
//!
//! Every call site is one line, e.g.
//! `metrics::count("Updates", &[("Kind", kind)])`. The metrics, their
//! dimensions and the dashboard that shows them are listed in
//! `docs/operations.md` ("Metrics").
//!
//! Format (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>):
//! a JSON object whose `_aws` member holds the `Timestamp` (ms) and one
//! `CloudWatchMetrics` directive (namespace, one dimension set, the metrics
//! with their units); every dimension is a string member and every metric a
//! number member of the root.

use serde_json::{Map, Value, json};
use std::sync::OnceLock;

/// The metrics' CloudWatch namespace (the dashboard in `template.yaml` reads it).
pub const NAMESPACE: &str = "VpnShop";

/// Units this code uses (a subset of CloudWatch's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A number of events.
    Count,
    /// A duration.
    Milliseconds,
    /// A plain number (amounts of money, in minor units).
    None,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::None => "None",
        }
    }
}

/// The EMF line for `metrics` under one set of `dimensions` at `timestamp_ms`.
pub fn emf_line(
    dimensions: &[(&str, &str)],
    metrics: &[(&str, f64, Unit)],
    timestamp_ms: i64,
) -> String {
    let mut root = Map::new();
    for (name, value) in dimensions {
        root.insert((*name).to_owned(), Value::String((*value).to_owned()));
    }
    for (name, value, _) in metrics {
        root.insert((*name).to_owned(), json!(value));
    }
    let names: Vec<&str> = dimensions.iter().map(|(n, _)| *n).collect();
    let defs: Vec<Value> = metrics
        .iter()
        .map(|(name, _, unit)| json!({"Name": name, "Unit": unit.as_str()}))
        .collect();
    root.insert(
        "_aws".to_owned(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": defs,
            }]
        }),
    );
    Value::Object(root).to_string()
}

/// Whether lines are printed: on Lambda only.
fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some())
}

/// Prints one EMF line (on Lambda).
pub fn emit(dimensions: &[(&str, &str)], metrics: &[(&str, f64, Unit)]) {
    if enabled() {
        let ms = chrono::Utc::now().timestamp_millis();
        println!("{}", emf_line(dimensions, metrics, ms));
    }
}

/// One event of `name` under `dimensions`.
pub fn count(name: &str, dimensions: &[(&str, &str)]) {
    emit(dimensions, &[(name, 1.0, Unit::Count)]);
}

/// A cold start of this function (once per process).
pub fn cold_start() {
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    count("ColdStarts", &[("Function", &function)]);
}

/// A payment webhook's outcome (`credited`, `duplicate`, `refused`, `failed`)
/// and, when credited, its amount in minor units of its currency (kopecks, Stars).
pub fn payment(
    provider: crate::base::types::Provider,
    outcome: &str,
    currency: &str,
    amount_minor: Option<u64>,
) {
    let mut values = vec![("Payments", 1.0, Unit::Count)];
    if let Some(minor) = amount_minor {
        values.push(("PaymentAmountMinor", minor as f64, Unit::None));
    }
    emit(
        &[
            ("Provider", provider.code()),
            ("Outcome", outcome),
            ("Currency", currency),
        ],
        &values,
    );
}

/// A call to the VPN panel: its latency and whether it failed.
pub fn panel_call(operation: &str, ok: bool, millis: u64) {
    emit(
        &[("Operation", operation)],
        &[
            ("PanelLatency", millis as f64, Unit::Milliseconds),
            ("PanelFailures", if ok { 0.0 } else { 1.0 }, Unit::Count),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNITS: &[&str] = &[
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    ];

    /// Checks a line against the EMF specification; returns (dimension values, metric values).
    fn check(line: &str) -> (Map<String, Value>, Map<String, Value>) {
        assert!(!line.contains('\n'), "one line");
        let root: Value = serde_json::from_str(line).expect("JSON");
        let root = root.as_object().expect("a JSON object");
        let aws = root["_aws"].as_object().expect("_aws object");
        let ts = aws["Timestamp"]
            .as_i64()
            .expect("Timestamp: integer milliseconds");
        assert!(ts > 0);
        let directives = aws["CloudWatchMetrics"]
            .as_array()
            .expect("CloudWatchMetrics array");
        assert!(!directives.is_empty());
        let (mut dims, mut metrics) = (Map::new(), Map::new());
        for d in directives {
            let ns = d["Namespace"].as_str().expect("Namespace string");
            assert!(!ns.is_empty() && ns.len() <= 1024);
            let sets = d["Dimensions"]
                .as_array()
                .expect("Dimensions: array of arrays");
            for set in sets {
                let set = set.as_array().expect("a dimension set is an array");
                assert!(set.len() <= 30, "at most 30 dimensions in a set");
                for name in set {
                    let name = name.as_str().expect("dimension names are strings");
                    let value = root
                        .get(name)
                        .unwrap_or_else(|| panic!("dimension {name} is a root member"));
                    let value = value.as_str().expect("dimension values are strings");
                    assert!(!value.is_empty() || name == "Function", "{name}");
                    dims.insert(name.to_owned(), json!(value));
                }
            }
            let defs = d["Metrics"].as_array().expect("Metrics array");
            assert!(!defs.is_empty() && defs.len() <= 100, "1 to 100 metrics");
            for def in defs {
                let name = def["Name"].as_str().expect("Name");
                assert!(!name.is_empty() && name.len() <= 255);
                if let Some(unit) = def.get("Unit") {
                    assert!(
                        UNITS.contains(&unit.as_str().expect("Unit string")),
                        "unit {unit}"
                    );
                }
                let value = root
                    .get(name)
                    .unwrap_or_else(|| panic!("metric {name} is a root member"));
                assert!(value.is_number(), "metric values are numbers");
                metrics.insert(name.to_owned(), value.clone());
            }
        }
        (dims, metrics)
    }

    #[test]
    fn lines_follow_the_embedded_metric_format() {
        let line = emf_line(
            &[("Kind", "message")],
            &[("Updates", 1.0, Unit::Count)],
            1_767_225_600_000,
        );
        let (dims, metrics) = check(&line);
        assert_eq!(dims["Kind"], "message");
        assert_eq!(metrics["Updates"], 1.0);
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["_aws"]["CloudWatchMetrics"][0]["Namespace"], NAMESPACE);
        assert_eq!(v["_aws"]["Timestamp"], 1_767_225_600_000i64);

        let line = emf_line(
            &[
                ("Provider", "yookassa"),
                ("Outcome", "credited"),
                ("Currency", "RUB"),
            ],
            &[
                ("Payments", 1.0, Unit::Count),
                ("PaymentAmountMinor", 19950.0, Unit::None),
            ],
            1,
        );
        let (dims, metrics) = check(&line);
        assert_eq!(dims.len(), 3);
        assert_eq!(metrics["PaymentAmountMinor"], 19950.0);

        let line = emf_line(
            &[("Operation", "get_user")],
            &[
                ("PanelLatency", 42.0, Unit::Milliseconds),
                ("PanelFailures", 0.0, Unit::Count),
            ],
            1,
        );
        check(&line);
        // No dimensions at all is a valid (empty) set.
        check(&emf_line(&[], &[("ColdStarts", 1.0, Unit::Count)], 1));
    }

    #[test]
    fn the_checker_rejects_what_the_format_forbids() {
        let bad = [
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["Kind"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Pieces"}]}]},"M":1}"#,
            r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":"1"}"#,
            r#"{"_aws":{"Timestamp":"1","CloudWatchMetrics":[]}}"#,
        ];
        for line in bad {
            assert!(std::panic::catch_unwind(|| check(line)).is_err(), "{line}");
        }
    }
}
