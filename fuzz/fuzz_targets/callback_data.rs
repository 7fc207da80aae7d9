//! Callback data as a client may send it: whatever decodes is the canonical
//! encoding of itself (one meaning per string) and fits Telegram's 64 bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::base::callback::{Action, BuyAction};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(a) = Action::parse(s) {
        assert_eq!(a.data(), s);
    }
    if let Some(b) = BuyAction::parse(s) {
        assert_eq!(b.data(), s);
    }
});
