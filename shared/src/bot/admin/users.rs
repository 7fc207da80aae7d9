//! Users on the admin side: finding one, their card and its buttons (days,
//! ban, balance, message, delete, trial, their audit log), the card after a
//! change, the banned list.

use super::menu::{back, btn, err, plain_back};
use crate::adapters::app::App;
use crate::adapters::store::users::User;
use crate::base::admin_callback::AdminAction;
use crate::base::clock::now;
use crate::base::format::{date, date_time, money, panel_status};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Lang, TelegramId};
use crate::bot::BotError;
use crate::bot::screens::Screen;
use crate::domains::admin::users::{self, Outcome};
use teloxide_core::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Banned users listed at once.
const BANNED_PAGE: i32 = 50;

pub(super) async fn found(app: &App, lang: Lang, query: &str) -> Result<Screen, BotError> {
    Ok(match users::find(app, query).await.map_err(err)? {
        Some(u) => card(app, lang, &u),
        None => plain_back(lang, t(lang, "admin-user-not-found")),
    })
}

pub(super) async fn ban(
    app: &App,
    admin: &User,
    id: TelegramId,
    banned: bool,
) -> Result<Screen, BotError> {
    let out = users::set_banned(app, admin.id, id, banned)
        .await
        .map_err(err)?;
    after(app, admin.lang, id, out, "admin-already").await
}

/// The card after a change: the new state, or a note that nothing changed
/// above the current state.
pub(super) async fn after(
    app: &App,
    lang: Lang,
    id: TelegramId,
    out: Outcome,
    stale_key: &str,
) -> Result<Screen, BotError> {
    Ok(match out {
        Outcome::Done(u) => card(app, lang, &u),
        Outcome::Unknown => plain_back(lang, t(lang, "admin-user-not-found")),
        Outcome::Stale => match app.store.get_user(id).await? {
            Some(u) => {
                let mut s = card(app, lang, &u);
                s.text = format!("{}\n\n{}", t(lang, stale_key), s.text);
                s
            }
            None => plain_back(lang, t(lang, "admin-user-not-found")),
        },
    })
}

/// A user's card.
pub fn card(app: &App, lang: Lang, u: &User) -> Screen {
    let ts = now();
    let none = || "—".to_owned();
    let name = match &u.username {
        Some(n) => format!("{} (@{})", html(&u.first_name), html(n)),
        None => html(&u.first_name),
    };
    let sub = match u.sub_end {
        Some(end) if end > ts => tr(
            lang,
            "admin-card-sub-until",
            &[("date", Arg::Str(date_time(lang, end)))],
        ),
        Some(end) => tr(
            lang,
            "admin-card-sub-ended",
            &[("date", Arg::Str(date(lang, end)))],
        ),
        None => none(),
    };
    let mut text = tr(
        lang,
        "admin-card",
        &[
            ("name", Arg::Str(name)),
            ("id", Arg::Str(u.id.to_string())),
            ("registered", Arg::Str(date(lang, u.created_at))),
            ("sub", Arg::Str(sub)),
            (
                "panel",
                Arg::Str(card_panel_status(lang, u, ts).unwrap_or_else(none)),
            ),
            ("balance", Arg::Str(money(lang, &app.config, u.balance))),
            (
                "trial",
                Arg::Str(
                    u.trial_used_at
                        .map(|at| date(lang, at))
                        .unwrap_or_else(none),
                ),
            ),
            ("referrals", Arg::Num(u.referrals as i64)),
            (
                "referrer",
                Arg::Str(u.referrer.map(|r| r.to_string()).unwrap_or_else(none)),
            ),
            (
                "campaign",
                Arg::Str(u.campaign.as_deref().map(html).unwrap_or_else(none)),
            ),
            ("code", Arg::Str(html(&u.ref_code))),
            (
                "banned",
                Arg::Str(t(lang, if u.banned { "admin-yes" } else { "admin-no" })),
            ),
            (
                "blocked",
                Arg::Str(u.blocked_at.map(|at| date(lang, at)).unwrap_or_else(none)),
            ),
        ],
    );
    // What the panel told of the VPN's use, and the last reissued link.
    let seen = match (u.online_at, u.first_connected) {
        (Some(at), _) => tr(
            lang,
            "admin-card-seen",
            &[("time", Arg::Str(date_time(lang, at)))],
        ),
        (None, Some(_)) => t(lang, "admin-card-connected"),
        (None, None) if u.panel.is_some() => t(lang, "admin-card-never-connected"),
        (None, None) => String::new(),
    };
    if !seen.is_empty() {
        text.push('\n');
        text.push_str(&seen);
    }
    if let Some(at) = u.revoked_at {
        text.push('\n');
        text.push_str(&tr(
            lang,
            "admin-card-reissued",
            &[("time", Arg::Str(date_time(lang, at)))],
        ));
    }
    let stamp = u.sub_end.unwrap_or(0);
    let days = |d: i32| {
        let label = tr(
            lang,
            "admin-btn-days",
            &[
                ("sign", Arg::Str(if d < 0 { "−" } else { "+" }.to_owned())),
                ("count", Arg::Num(i64::from(d.abs()))),
            ],
        );
        InlineKeyboardButton::callback(label, AdminAction::Days(u.id, d, stamp).data())
    };
    let mut rows = vec![vec![days(1), days(7), days(30)]];
    if u.active(ts) {
        rows.push(vec![days(-1), days(-7), days(-30)]);
    }
    rows.push(vec![
        if u.banned {
            btn(lang, "admin-btn-unban", AdminAction::Unban(u.id))
        } else {
            btn(lang, "admin-btn-ban", AdminAction::Ban(u.id))
        },
        btn(lang, "admin-btn-balance", AdminAction::Balance(u.id)),
    ]);
    let mut row = vec![
        btn(lang, "admin-btn-message", AdminAction::Message(u.id)),
        btn(lang, "admin-btn-delete", AdminAction::Delete(u.id)),
    ];
    if u.trial_used_at.is_some() {
        row.push(btn(
            lang,
            "admin-btn-reset-trial",
            AdminAction::ResetTrial(u.id),
        ));
    }
    rows.push(row);
    rows.push(vec![
        btn(
            lang,
            "admin-btn-user-logs",
            AdminAction::UserLogs(u.id, None),
        ),
        btn(lang, "admin-btn-back", AdminAction::Menu),
    ]);
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// The panel's status on the card: as last stored, or where the sync
/// queued by a change just made is taking it (a ban switches the account
/// off; an unban or added days switch a stopped one on), so the card after
/// a change shows the change.
fn card_panel_status(lang: Lang, u: &User, now: i64) -> Option<String> {
    let stored = u.panel_status.as_deref()?;
    let key = match stored {
        "DISABLED" | "EXPIRED" if !u.banned && u.active(now) => "panel-status-enabling",
        "DISABLED" => return Some(panel_status(lang, stored)),
        _ if u.banned => "panel-status-disabling",
        _ => return Some(panel_status(lang, stored)),
    };
    Some(t(lang, key))
}

pub(super) async fn banned(app: &App, lang: Lang) -> Result<Screen, BotError> {
    let rows = app.store.banned(BANNED_PAGE).await?;
    let mut text = t(lang, "admin-banned-title");
    if rows.is_empty() {
        text.push_str(&format!("\n{}", t(lang, "admin-banned-none")));
    }
    let mut kb = Vec::new();
    for (id, at) in &rows {
        text.push_str(&format!("\n<code>{id}</code> · {}", date(lang, *at)));
        kb.push(vec![InlineKeyboardButton::callback(
            id.to_string(),
            AdminAction::Card(*id).data(),
        )]);
    }
    kb.push(back(lang));
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(kb),
    })
}
