//! The `/admin` menu, and what every admin screen is made of: the reply,
//! buttons, the "back" row, the error of a failed domain call, and the day
//! the payments buttons carry.

use crate::base::admin_callback::{AdminAction, PayView};
use crate::base::clock::now;
use crate::base::i18n::t;
use crate::base::types::Lang;
use crate::bot::BotError;
use crate::bot::screens::Screen;
use teloxide_core::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// What the admin side answers with.
pub enum Reply {
    /// A screen (edited in place after a button, sent after a message).
    Screen(Screen),
    /// Already answered (a photo, a copied message).
    Sent,
}

pub(super) fn err(e: crate::domains::error::Error) -> BotError {
    BotError::Domain(e)
}

pub(super) fn btn(lang: Lang, key: &str, a: AdminAction) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(t(lang, key), a.data())
}

/// `/admin`.
pub fn menu(lang: Lang) -> Screen {
    Screen {
        text: t(lang, "admin-menu"),
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![
                btn(lang, "admin-btn-stats", AdminAction::Stats),
                btn(lang, "admin-btn-chart", AdminAction::Chart),
            ],
            vec![
                btn(lang, "admin-btn-find", AdminAction::Find),
                btn(lang, "admin-btn-banned", AdminAction::Banned),
            ],
            vec![btn(
                lang,
                "admin-btn-payments",
                AdminAction::Payments(compact_day(now()), "all".into(), PayView::default()),
            )],
            vec![
                btn(lang, "admin-btn-broadcast", AdminAction::Broadcast),
                btn(lang, "admin-btn-logs", AdminAction::Logs(None)),
            ],
        ]),
    }
}

pub(super) fn back(lang: Lang) -> Vec<InlineKeyboardButton> {
    vec![btn(lang, "admin-btn-back", AdminAction::Menu)]
}

pub(super) fn plain_back(lang: Lang, text: String) -> Screen {
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![back(lang)]),
    }
}

/// `yyyymmdd` of a unix time (UTC), as payments buttons carry it.
pub(super) fn compact_day(ts: i64) -> String {
    crate::adapters::store::keys::day_of(ts).replace('-', "")
}
