//! The panel's webhook checks: `X-Remnawave-Signature` and
//! `X-Remnawave-Timestamp` (two header lines) then the body; the signature
//! check as given and with our own signature, and the freshness check on
//! the body's and the header's times.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::domains::access::webhook;
use shared_fuzz::{PANEL_SECRET, header_and_body};

fuzz_target!(|data: &[u8]| {
    let (sig, rest) = header_and_body(data);
    let (ts, body) = header_and_body(rest);
    let _ = webhook::signature_valid(PANEL_SECRET, body, sig);
    let good = webhook::signature(PANEL_SECRET, body);
    assert!(webhook::signature_valid(PANEL_SECRET, body, Some(&good)));
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let body_ts = v["timestamp"].as_str();
    if let Some(t) = body_ts {
        let _ = shared::adapters::panel::parse_time(t);
    }
    for now in [0, 1_764_000_000, i64::MAX, i64::MIN] {
        let _ = webhook::check_fresh(body_ts, ts, now);
    }
});
