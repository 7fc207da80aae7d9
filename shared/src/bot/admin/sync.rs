//! Admin commands (`config.admin(id)` only): panel reconciliation
//! (`/sync`, `/syncstatus`).

use crate::adapters::app::App;
use crate::adapters::store::users::User;
use crate::base::i18n::{Arg, t, tr};
use crate::bot::BotError;
use crate::bot::screens::Screen;
use crate::domains::access::reconcile::{self, PAGE_SIZE, Start};

/// `/sync`: starts reconciling every panel user with our users.
pub async fn sync(app: &App, user: &User, now: i64) -> Result<Screen, BotError> {
    let lang = user.lang;
    let text = match reconcile::start(app, user.id, PAGE_SIZE, now).await {
        Ok(Start::Started(id)) => {
            tracing::info!(admin = %user.id, run = %id, "panel sync started");
            t(lang, "sync-started")
        }
        Ok(Start::AlreadyRunning(run)) => format!(
            "{}\n\n{}",
            t(lang, "sync-already-running"),
            reconcile::run_text(lang, &run)
        ),
        Ok(Start::NotConfigured) => t(lang, "sync-no-panel"),
        Err(e) => {
            tracing::error!(admin = %user.id, "panel sync not started: {e}");
            tr(
                lang,
                "sync-not-started",
                &[("reason", Arg::Str(crate::base::i18n::html(&e.to_string())))],
            )
        }
    };
    Ok(Screen::plain(text))
}

/// `/syncstatus`: the last run.
pub async fn sync_status(app: &App, user: &User) -> Result<Screen, BotError> {
    let text = match app.store.latest_sync_run().await? {
        Some(run) => reconcile::run_text(user.lang, &run),
        None => t(user.lang, "sync-never"),
    };
    Ok(Screen::plain(text))
}
