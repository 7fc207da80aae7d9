//! A YooKassa notification body, and the payment and refund objects read
//! from the API (the notification itself is only a hint: the payment is
//! re-fetched).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::adapters::pay::yookassa;

fuzz_target!(|data: &[u8]| {
    let _ = yookassa::parse_notification(data);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(p) = yookassa::parse_payment(&v) {
            let _ = yookassa::payment_event(&p);
        }
        if let Ok(r) = yookassa::parse_refund(&v) {
            let _ = yookassa::refund_event(&r);
        }
        if let Ok(p) = yookassa::parse_payment(&v["object"]) {
            let _ = yookassa::payment_event(&p);
        }
    }
});
