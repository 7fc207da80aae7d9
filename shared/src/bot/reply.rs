//! Replies: a screen sent as a new message or edited in place of the
//! button's message, the answer to a button press; a failed send to a user
//! who blocked the bot marks them.

use super::BotError;
use super::screens::Screen;
use crate::adapters::app::App;
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::types::TelegramId;
use teloxide_core::payloads::{
    AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters,
};
use teloxide_core::requests::Requester;
use teloxide_core::types::{CallbackQuery, ChatId, ParseMode};

/// Sends a screen as a new message. Delivery problems are logged, not retried:
/// the user can press the button again, and a retry would repeat everything.
pub(super) async fn send(app: &App, user: TelegramId, screen: &Screen) {
    let mut req = app
        .bot
        .send_message(ChatId(user.0), screen.text.clone())
        .parse_mode(ParseMode::Html);
    if !screen.keyboard.inline_keyboard.is_empty() {
        req = req.reply_markup(screen.keyboard.clone());
    }
    if let Err(e) = req.await {
        report_send_error(app, user, &e).await;
    }
}

async fn report_send_error(app: &App, user: TelegramId, e: &teloxide_core::RequestError) {
    use teloxide_core::{ApiError, RequestError};
    match e {
        RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated) => {
            // Boxed: every screen shown awaits this, and the store call's
            // future (several KB) would sit in each caller's stack frame.
            if let Err(e) = Box::pin(app.store.set_blocked(user, Some(now()))).await {
                tracing::error!("could not mark {user} blocked: {e}");
            }
        }
        _ => tracing::error!(%user, "sending to Telegram failed: {e}"),
    }
}

/// Replaces the message the button was on, or sends a new one.
pub(super) async fn show(app: &App, q: &CallbackQuery, user: &User, screen: &Screen) {
    if let Some(msg) = q.regular_message() {
        let result = app
            .bot
            .edit_message_text(msg.chat.id, msg.id, screen.text.clone())
            .parse_mode(ParseMode::Html)
            .reply_markup(screen.keyboard.clone())
            .await;
        match result {
            Ok(_) => return,
            Err(teloxide_core::RequestError::Api(teloxide_core::ApiError::MessageNotModified)) => {
                return;
            }
            Err(e) => tracing::info!("edit failed, sending instead: {e}"),
        }
    }
    send(app, user.id, screen).await;
}

pub(super) async fn answer_callback(
    app: &App,
    q: &CallbackQuery,
    text: Option<String>,
    alert: bool,
) {
    let mut req = app.bot.answer_callback_query(q.id.clone());
    if let Some(text) = text {
        req = req.text(text).show_alert(alert);
    }
    if let Err(e) = req.await {
        tracing::warn!("answerCallbackQuery failed: {e}");
    }
}

/// Answers the press, then shows the screen.
pub(super) async fn done(
    app: &App,
    q: &CallbackQuery,
    user: &User,
    screen: Screen,
) -> Result<(), BotError> {
    answer_callback(app, q, None, false).await;
    show(app, q, user, &screen).await;
    Ok(())
}
