//! The Telegram webhook: the secret token, de-duplication by `update_id`
//! (on the user's item for what users send, see `store::envelope`; a
//! marker item for the rest), and the time budget the router answers the
//! update in.

use super::router::dispatch;
use super::{BotError, Origin};
use crate::adapters::app::App;
use crate::adapters::http::{HttpRequest, HttpResponse};
use crate::adapters::store::once::Claim;
use crate::base::clock::now;
use crate::base::types::TelegramId;
use http::StatusCode;
use std::time::Duration;
use subtle::ConstantTimeEq;
use teloxide_core::types::{Update, UpdateKind};

/// Header Telegram puts the webhook's `secret_token` in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";
/// The update kinds the bot asks Telegram for (webhook and long polling).
pub const ALLOWED_UPDATES: &[&str] = &[
    "message",
    "callback_query",
    "pre_checkout_query",
    "my_chat_member",
    "inline_query",
];

/// Scope of the processed-update markers.
const UPDATE_SCOPE: &str = "tg-update";
/// Telegram re-delivers for up to a day; keep markers a little longer.
const UPDATE_MARKER_SECS: i64 = 2 * 86_400;
/// Finish well inside the function timeout so a failure can be reported.
const HANDLER_BUDGET: Duration = Duration::from_secs(10);

/// `POST /telegram`.
pub async fn handle_webhook(app: &App, req: HttpRequest) -> HttpResponse {
    let given = req.headers.get(SECRET_HEADER).map(|v| v.as_bytes());
    if !authentic(&app.config.webhook, given) {
        tracing::warn!(source_ip = ?req.source_ip, "telegram webhook refused: secret token missing or wrong");
        return HttpResponse::error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // With validation turned off anyone can post here: such updates may
    // drive the menus, never move money.
    let origin = if app.config.webhook.validation_enabled {
        Origin::Telegram
    } else {
        Origin::Unverified
    };
    match process_update(app, &req.body, origin).await {
        Ok(()) => HttpResponse::ok(),
        Err(e) => {
            tracing::error!("update failed, Telegram will retry: {e}");
            HttpResponse::error(StatusCode::INTERNAL_SERVER_ERROR, "temporary failure")
        }
    }
}

/// Whether the header carries the configured secret: exact bytes, no
/// trimming or case folding, compared in constant time.
fn authentic(webhook: &crate::base::config::Webhook, given: Option<&[u8]>) -> bool {
    if !webhook.validation_enabled {
        return true;
    }
    match (webhook.secret_token.as_deref(), given) {
        (Some(want), Some(got)) => bool::from(want.as_bytes().ct_eq(got)),
        _ => false,
    }
}

#[derive(serde::Deserialize)]
struct Head {
    update_id: u64,
}

/// Handles one authentic update body, exactly once per `update_id`.
/// Used by the webhook and by the local long-polling mode.
pub async fn process_update(app: &App, body: &[u8], origin: Origin) -> Result<(), BotError> {
    let Ok(head) = serde_json::from_slice::<Head>(body) else {
        tracing::warn!(len = body.len(), "unparseable update ignored");
        return Ok(());
    };
    let id = head.update_id.to_string();
    let update = match serde_json::from_slice::<Update>(body) {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(update_id = %id, "update not understood, ignored: {e}");
            return Ok(());
        }
    };
    // Updates that move money are exactly-once by their order (the
    // `pending → paid` condition, a balance press keyed by its button), not
    // by a marker: a marker taken before a crash would make Telegram's
    // re-delivery a silent no-op, while the order lets it finish the job.
    let marked = !moves_money(&update);
    // The updates a user sends the bot carry their mark on the user's item
    // (the envelope, see `gate::admit`); the others take a marker here.
    let sender = enveloped(&update);
    if marked
        && sender.is_none()
        && app
            .store
            .claim_once(UPDATE_SCOPE, &id, now(), UPDATE_MARKER_SECS)
            .await?
            == Claim::Duplicate
    {
        return Ok(());
    }
    let result =
        match tokio::time::timeout(HANDLER_BUDGET, dispatch(app, update, origin, marked)).await {
            Ok(r) => r,
            Err(_) => Err(BotError::Timeout),
        };
    if marked && result.is_err() {
        // Give the mark back so Telegram's retry does the work.
        let released = match sender {
            Some(user) => app.store.forget_update(user, head.update_id).await,
            None => app.store.release_once(UPDATE_SCOPE, &id).await,
        };
        if let Err(e) = released {
            tracing::error!(update_id = %id, "could not release update mark: {e}");
        }
    }
    result
}

/// The user whose item carries this update's mark: the sender of a private
/// message or of a button press (the updates that pass the gate).
fn enveloped(update: &Update) -> Option<TelegramId> {
    let from = match &update.kind {
        UpdateKind::Message(m) if m.chat.is_private() => m.from.as_ref()?,
        UpdateKind::CallbackQuery(q) => &q.from,
        _ => return None,
    };
    Some(TelegramId(from.id.0 as i64))
}

/// Whether an update pays, refunds or spends: a Stars payment or refund, or
/// a press of a balance-purchase button.
fn moves_money(update: &Update) -> bool {
    match &update.kind {
        UpdateKind::Message(m) => {
            m.successful_payment().is_some()
                || matches!(
                    m.kind,
                    teloxide_core::types::MessageKind::RefundedPayment(_)
                )
        }
        UpdateKind::CallbackQuery(q) => matches!(
            q.data
                .as_deref()
                .and_then(crate::base::callback::BuyAction::parse),
            Some(
                crate::base::callback::BuyAction::PayFromBalance(..)
                    | crate::base::callback::BuyAction::Pay(
                        _,
                        crate::base::types::Provider::Balance
                    )
            )
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(secret: Option<&str>, on: bool) -> crate::base::config::Webhook {
        let mut vars = crate::base::config::Vars::new();
        vars.set("BOT_TOKEN", "1:x");
        vars.set(
            "WEBHOOK_VALIDATION_ENABLED",
            if on { "true" } else { "false" },
        );
        if let Some(s) = secret {
            vars.set("WEBHOOK_SECRET_TOKEN", s);
        }
        crate::base::config::Config::from_vars(&vars)
            .expect("valid")
            .webhook
    }

    #[test]
    fn the_secret_token_must_match_exactly() {
        let w = webhook(Some("test_Secret-Token_123"), true);
        assert!(authentic(&w, Some(b"test_Secret-Token_123")));
        assert!(!authentic(&w, None));
        assert!(!authentic(&w, Some(b"test_Secret-Token_124")));
        assert!(!authentic(&w, Some(b"test_secret-token_123")));
        assert!(!authentic(&w, Some(b"test_Secret-Token_123 ")));
        assert!(!authentic(&w, Some(b"")));
    }

    #[test]
    fn validation_can_be_turned_off_for_local_experiments() {
        assert!(authentic(&webhook(None, false), None));
    }
}
