//! A Tribute webhook: `signature header \n body`, checked as given and
//! then signed correctly so the event reading is reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::adapters::pay::{PayError, tribute};
use shared_fuzz::{TRIBUTE_KEY, config, header_and_body};

fuzz_target!(|data: &[u8]| {
    let cfg = config();
    let tcfg = cfg.tribute.as_ref().expect("tribute");
    let (header, body) = header_and_body(data);
    let _ = tribute::verify_webhook(tcfg, body, header);
    let good = tribute::signature(TRIBUTE_KEY, body);
    match tribute::verify_webhook(tcfg, body, Some(&good)) {
        Err(PayError::NotAuthentic(e)) => panic!("our own signature refused: {e}"),
        Ok(event) => {
            let e = event.get();
            let _ = e.dedup_key();
            let _ = tribute::period_of(e, &cfg.plans);
        }
        Err(_) => {}
    }
});
