//! Broadcasts on the admin side: a draft's audience and URL buttons, and
//! the confirmation with the recipient count (starting, cancelling and the
//! progress are in `domains::admin::broadcast`).

use super::menu::{back, btn};
use crate::adapters::app::App;
use crate::base::admin_callback::AdminAction;
use crate::base::clock::now;
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::Lang;
use crate::bot::BotError;
use crate::bot::screens::Screen;
use teloxide_core::types::{InlineKeyboardButton, InlineKeyboardMarkup};

pub(super) fn audience_screen(lang: Lang, id: &str) -> Screen {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = crate::base::admin_callback::AUDIENCES
        .iter()
        .map(|a| {
            vec![btn(
                lang,
                &format!("broadcast-audience-{a}"),
                AdminAction::BroadcastAudience(id.to_owned(), (*a).to_owned()),
            )]
        })
        .collect();
    rows.push(vec![btn(
        lang,
        "broadcast-btn-buttons",
        AdminAction::BroadcastButtons(id.to_owned()),
    )]);
    rows.push(back(lang));
    Screen {
        text: t(lang, "broadcast-pick-audience"),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// The confirmation: the audience and its recipient count from the
/// counters (`domains::admin::stats::audience_count`).
pub(super) async fn broadcast_confirm(
    app: &App,
    lang: Lang,
    id: &str,
    audience: &str,
) -> Result<Screen, BotError> {
    let st = crate::domains::admin::stats::load(app, now()).await?;
    let n = crate::domains::admin::stats::audience_count(&st.standing, audience);
    let count = tr(lang, "broadcast-count", &[("count", Arg::Num(n))]);
    let text = tr(
        lang,
        "broadcast-confirm",
        &[
            (
                "audience",
                Arg::Str(t(lang, &format!("broadcast-audience-{audience}"))),
            ),
            ("count", Arg::Str(count)),
        ],
    );
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![btn(
                lang,
                "broadcast-btn-send",
                AdminAction::BroadcastStart(id.to_owned()),
            )],
            back(lang),
        ]),
    })
}
