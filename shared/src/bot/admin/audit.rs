//! The audit log on the admin side: its pages (every admin change, or one
//! user's) and the CSV export.

use super::menu::{Reply, back, btn, err};
use crate::adapters::app::App;
use crate::adapters::store::admin::Audit;
use crate::adapters::store::users::User;
use crate::base::admin_callback::AdminAction;
use crate::base::format::date_time;
use crate::base::i18n::{Arg, plain, t, tr};
use crate::base::types::{Lang, TelegramId};
use crate::bot::BotError;
use crate::bot::screens::Screen;
use crate::domains::admin::audit::{csv_detail, describe};
use teloxide_core::requests::Requester;
use teloxide_core::types::{ChatId, InlineKeyboardMarkup, InputFile};

pub(super) async fn logs(
    app: &App,
    lang: Lang,
    user: Option<TelegramId>,
    cursor: Option<String>,
) -> Result<Screen, BotError> {
    let size = app.config.logs_page_size.min(100) as i32;
    let (rows, next) = app.store.audit_page(user, cursor.as_deref(), size).await?;
    let mut text = match user {
        Some(u) => tr(
            lang,
            "admin-logs-user-title",
            &[("id", Arg::Str(u.to_string()))],
        ),
        None => t(lang, "admin-logs-title"),
    };
    if rows.is_empty() {
        text.push_str(&format!("\n{}", t(lang, "admin-logs-empty")));
    }
    for a in &rows {
        text.push('\n');
        text.push_str(&audit_line(app, lang, a));
    }
    let mut kb = Vec::new();
    if let Some(c) = next {
        let more = match user {
            Some(u) => AdminAction::UserLogs(u, Some(c)),
            None => AdminAction::Logs(Some(c)),
        };
        kb.push(vec![btn(lang, "admin-btn-more", more)]);
    }
    match user {
        Some(u) => kb.push(vec![btn(lang, "admin-btn-card", AdminAction::Card(u))]),
        None => kb.push(vec![btn(lang, "admin-btn-csv", AdminAction::LogsCsv)]),
    }
    kb.push(back(lang));
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(kb),
    })
}

fn audit_line(app: &App, lang: Lang, a: &Audit) -> String {
    tr(
        lang,
        "audit-line",
        &[
            ("time", Arg::Str(date_time(lang, a.at))),
            ("admin", Arg::Str(a.admin.to_string())),
            ("what", Arg::Str(describe(lang, &app.config, a))),
        ],
    )
}

/// Rows in one CSV export of the audit log (the newest).
const CSV_ROWS: i32 = 10_000;

/// The audit log as a CSV document, newest first: `at,admin,action,target,detail,description`
/// (`action` the stored word, `detail` with amounts in rubles and the unit,
/// `description` the entry as the admin's language reads it, without markup).
pub(super) async fn logs_csv(app: &App, admin: &User) -> Result<Reply, BotError> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    while (rows.len() as i32) < CSV_ROWS {
        let (page, next) = app.store.audit_page(None, cursor.as_deref(), 500).await?;
        rows.extend(page);
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| err(e.to_string().into());
    w.write_record(["at", "admin", "action", "target", "detail", "description"])
        .map_err(csv_err)?;
    for a in &rows {
        let at = chrono::DateTime::from_timestamp(a.at, 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default();
        let target = a.target.map(|t| t.to_string()).unwrap_or_default();
        w.write_record([
            at.as_str(),
            &a.admin.to_string(),
            &a.action,
            &target,
            &csv_detail(admin.lang, &app.config, a),
            &plain(&describe(admin.lang, &app.config, a)),
        ])
        .map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string().into()))?;
    let sent = app
        .bot
        .send_document(
            ChatId(admin.id.0),
            InputFile::memory(bytes).file_name("audit-log.csv"),
        )
        .await;
    if let Err(e) = sent {
        tracing::error!("audit CSV not sent: {e}");
    }
    Ok(Reply::Sent)
}
