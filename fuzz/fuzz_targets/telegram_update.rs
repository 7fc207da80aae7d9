//! A Telegram update body as `POST /telegram` reads it: the head, the
//! update, and what the bot parses out of it (callback data, `/start`
//! parameters, a typed top-up amount).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::base::callback::{Action, BuyAction};
use teloxide_core::types::{Update, UpdateKind};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<serde_json::Value>(data);
    let Ok(update) = serde_json::from_slice::<Update>(data) else {
        return;
    };
    match &update.kind {
        UpdateKind::CallbackQuery(q) => {
            if let Some(d) = q.data.as_deref() {
                let _ = Action::parse(d);
                let _ = BuyAction::parse(d);
            }
        }
        UpdateKind::Message(m) => {
            if let Some(text) = m.text() {
                let _ = shared::bot::start::parse_start(text);
                let _ = shared::bot::buy::parse_custom_amount(text);
            }
        }
        _ => {}
    }
});
