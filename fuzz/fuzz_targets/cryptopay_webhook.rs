//! A Crypto Pay webhook: `signature header \n body`. The body is checked
//! with the header as given, then signed correctly so the reading behind
//! the check is reached too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::adapters::pay::{PayError, cryptopay};
use shared_fuzz::{CP_TOKEN, config, header_and_body};

fuzz_target!(|data: &[u8]| {
    let cfg = config().cryptopay.as_ref().expect("cryptopay");
    let (header, body) = header_and_body(data);
    let _ = cryptopay::verify_webhook(cfg, body, header);
    let good = cryptopay::signature(CP_TOKEN, body);
    match cryptopay::verify_webhook(cfg, body, Some(&good)) {
        Err(PayError::NotAuthentic(e)) => panic!("our own signature refused: {e}"),
        Ok(update) => {
            let u = update.get();
            let _ = (u.invoice.order_id(), u.invoice.is_paid());
        }
        Err(_) => {}
    }
});
