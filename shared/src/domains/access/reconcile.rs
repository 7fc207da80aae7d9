//! Admin reconciliation (`/sync`): walks every panel user, page by page
//! through the jobs queue (one message per page, so no run is bound by a
//! Lambda time limit), links panel users whose Telegram id is one of our
//! users, pulls later panel expiries into DynamoDB and queues a sync for
//! panel users behind DynamoDB. The admin gets a report at the end;
//! `/syncstatus` shows the last run.

use crate::adapters::app::App;
use crate::adapters::jobs::{Job, enqueue_job};
use crate::adapters::outbox::OutgoingText;
use crate::adapters::panel::{PanelUser, username_for};
use crate::adapters::store::once::Claim;
use crate::adapters::store::panel::PanelAccount;
use crate::adapters::store::sync_runs::{SyncCounts, SyncRun};
use crate::adapters::store::users::{PanelLink, Traffic};
use crate::base::clock::now;
use crate::base::i18n::{Arg, tr};
use crate::base::types::{Lang, TelegramId};
use crate::domains::access::sync::{PanelSyncRequest, SyncReason, enqueue_sync};
use crate::domains::error::Error;
use std::collections::BTreeMap;

/// Panel users per page (the API allows up to 1000).
pub const PAGE_SIZE: u32 = 250;
/// An unfinished run older than this is considered dead: a new one may start.
const STALE_RUN_SECS: i64 = 30 * 60;
/// Expiries closer than this are the same.
const DRIFT_SECS: i64 = 60;
/// The "admin" of a run the clock started (the nightly reconciliation):
/// its report goes to the log chat, and only if the run changed something
/// or could not fix something.
pub const SCHEDULED: TelegramId = TelegramId(0);
/// Scope of the "report sent" marker.
const REPORT_SCOPE: &str = "sync-report";

/// What `/sync` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A new run was queued.
    Started(String),
    /// A run is already going.
    AlreadyRunning(SyncRun),
    /// The panel is not configured.
    NotConfigured,
}

/// Starts a run for `admin`: records it and queues its first page.
pub async fn start(app: &App, admin: TelegramId, page_size: u32, now: i64) -> Result<Start, Error> {
    if app.panel.is_none() {
        return Ok(Start::NotConfigured);
    }
    if let Some(run) = app.store.latest_sync_run().await.map_err(Error::from)?
        && run.finished.is_none()
        && run.started > now - STALE_RUN_SECS
    {
        return Ok(Start::AlreadyRunning(run));
    }
    let id = SyncRun::new_id(now);
    app.store
        .create_sync_run(&id, admin, now)
        .await
        .map_err(Error::from)?;
    enqueue_job(
        app,
        &Job::PanelSyncPage {
            run: id.clone(),
            start: 0,
            size: page_size.clamp(1, 1000),
        },
    )
    .await?;
    Ok(Start::Started(id))
}

/// Handles one page job. On the last attempt a failure is reported to the
/// admin who started the run before the job goes to the dead-letter queue.
pub async fn process_page(
    app: &App,
    run: &str,
    start: u64,
    size: u32,
    last_attempt: bool,
) -> Result<(), Error> {
    let result = page(app, run, start, size).await;
    if let Err(e) = &result
        && last_attempt
    {
        tell_admin_failed(app, run, start, &e.to_string()).await;
    }
    result
}

async fn page(app: &App, run_id: &str, start: u64, size: u32) -> Result<(), Error> {
    let Some(_run) = app.store.get_sync_run(run_id).await.map_err(Error::from)? else {
        tracing::warn!(run = run_id, "page of an unknown sync run dropped");
        return Ok(());
    };
    let client = app.panel.as_ref().ok_or("the panel is not configured")?;
    let ts = now();
    let page = client.users_page(start, size).await.map_err(Error::from)?;
    let counts = reconcile_users(app, run_id, &page.users, ts).await?;
    let fetched = page.users.len() as u64;
    let last = fetched == 0 || start + fetched >= page.total;
    app.store
        .record_sync_page(run_id, start, &counts, page.total, last, ts)
        .await
        .map_err(Error::from)?;
    if last {
        report(app, run_id, ts).await
    } else {
        enqueue_job(
            app,
            &Job::PanelSyncPage {
                run: run_id.to_owned(),
                start: start + u64::from(size),
                size,
            },
        )
        .await
        .map_err(Error::from)
    }
}

fn account_of(
    app: &App,
    user: &crate::adapters::store::users::User,
    p: &PanelUser,
    now: i64,
) -> PanelAccount {
    PanelAccount {
        link: PanelLink {
            id: p.id,
            short_uuid: p.short_uuid.clone(),
        },
        sub_url: p.subscription_url.clone(),
        crypt4: super::crypt4::seal(&app.config, user, &p.subscription_url),
        status: p.status.as_str().to_owned(),
        traffic: Traffic {
            used: p.used_bytes(),
            limit: p.traffic_limit_bytes,
            at: now,
        },
        seen: p.seen(),
    }
}

/// Reconciles one page of panel users with our users.
async fn reconcile_users(
    app: &App,
    run: &str,
    users: &[PanelUser],
    now: i64,
) -> Result<SyncCounts, Error> {
    let mut counts = SyncCounts {
        seen: users.len() as u64,
        ..SyncCounts::default()
    };
    let mut by_tg: BTreeMap<i64, Vec<&PanelUser>> = BTreeMap::new();
    for u in users {
        if let Some(t) = u.telegram_id.filter(|t| *t > 0) {
            by_tg.entry(t).or_default().push(u);
        }
    }
    for (t, group) in by_tg.iter_mut() {
        let ours = username_for(TelegramId(*t));
        group.sort_by_key(|u| (u.username != ours, u.id));
    }
    let ids: Vec<TelegramId> = by_tg.keys().map(|t| TelegramId(*t)).collect();
    let ours = app.store.get_users(&ids).await.map_err(Error::from)?;
    for user in ours {
        let Some(group) = by_tg.get(&user.id.0) else {
            continue;
        };
        counts.matched += group.len() as u64;
        let mut linked = user.panel.as_ref().map(|l| l.id);
        for p in group {
            match linked {
                None => {
                    let adopted = app
                        .store
                        .adopt_panel_account(user.id, &account_of(app, &user, p, now))
                        .await
                        .map_err(Error::from)?;
                    if !adopted {
                        // Linked by the sync worker since we read the user.
                        counts.conflicts += 1;
                        continue;
                    }
                    counts.linked += 1;
                    linked = Some(p.id);
                }
                Some(l) if l == p.id => {}
                Some(_) => {
                    counts.conflicts += 1;
                    continue;
                }
            }
            let ours = user.sub_end.unwrap_or_default();
            let theirs = p.expire_ts().unwrap_or_default();
            if theirs > now && theirs > ours + DRIFT_SECS {
                let pulled = app
                    .store
                    .extend_sub_end_to(
                        user.id,
                        user.sub_end,
                        crate::adapters::store::stats::Counted::read(
                            user.ends_counted,
                            user.sub_end,
                            user.trial_end,
                        ),
                        user.trial_end,
                        theirs,
                    )
                    .await
                    .map_err(Error::from)?;
                counts.pulled += u64::from(pulled);
            } else if ours > now && ours > theirs + DRIFT_SECS {
                let req = PanelSyncRequest {
                    user: user.id,
                    reason: SyncReason::Reconcile,
                };
                enqueue_sync(app, &req, &format!("reconcile-{run}-{}", user.id)).await?;
                counts.pushed += 1;
            }
        }
    }
    Ok(counts)
}

async fn admin_lang(app: &App, admin: TelegramId) -> Lang {
    match app.store.get_user(admin).await {
        Ok(Some(u)) => u.lang,
        _ => app.config.default_language,
    }
}

/// Sends the end-of-run report to the admin, once.
async fn report(app: &App, run_id: &str, now: i64) -> Result<(), Error> {
    let claim = app
        .store
        .claim_once(REPORT_SCOPE, run_id, now, 30 * 86_400)
        .await
        .map_err(Error::from)?;
    if claim == Claim::Duplicate {
        return Ok(());
    }
    let sent: Result<(), Error> = async {
        let run = app
            .store
            .get_sync_run(run_id)
            .await
            .map_err(Error::from)?
            .ok_or("run vanished")?;
        if run.admin == SCHEDULED {
            let c = &run.counts;
            if c.linked + c.pulled + c.pushed + c.conflicts == 0 {
                return Ok(());
            }
            let text = run_text(app.config.default_language, &run);
            return Ok(app.try_admin_log(text).await?);
        }
        let lang = admin_lang(app, run.admin).await;
        let msg = OutgoingText::to_user(run.admin, run_text(lang, &run));
        app.outbox.send(&msg, 0).await.map_err(Error::from)
    }
    .await;
    if sent.is_err()
        && let Err(e) = app.store.release_once(REPORT_SCOPE, run_id).await
    {
        tracing::error!(run = run_id, "could not release the report marker: {e}");
    }
    sent
}

async fn tell_admin_failed(app: &App, run_id: &str, start: u64, error: &str) {
    let Ok(Some(run)) = app.store.get_sync_run(run_id).await else {
        return;
    };
    let lang = admin_lang(app, run.admin).await;
    let text = tr(
        lang,
        "sync-failed",
        &[
            ("start", Arg::Num(start as i64)),
            ("reason", Arg::Str(crate::base::i18n::html(error))),
        ],
    );
    if run.admin == SCHEDULED {
        app.admin_log(text).await;
        return;
    }
    if let Err(e) = app
        .outbox
        .send(&OutgoingText::to_user(run.admin, text), 0)
        .await
    {
        tracing::error!(run = run_id, "sync failure notice not queued: {e}");
    }
}

/// A run as the admin reads it (the report and `/syncstatus`).
pub fn run_text(lang: Lang, run: &SyncRun) -> String {
    let c = &run.counts;
    let head = match run.finished {
        Some(end) => tr(
            lang,
            "sync-finished",
            &[
                ("date", Arg::Str(crate::base::format::date_time(lang, end))),
                ("seconds", Arg::Num(end - run.started)),
            ],
        ),
        None => tr(
            lang,
            "sync-running",
            &[
                (
                    "date",
                    Arg::Str(crate::base::format::date_time(lang, run.started)),
                ),
                ("count", Arg::Num(run.pages as i64)),
            ],
        ),
    };
    let body = tr(
        lang,
        "sync-counts",
        &[
            ("total", Arg::Num(run.total as i64)),
            ("seen", Arg::Num(c.seen as i64)),
            ("matched", Arg::Num(c.matched as i64)),
            ("linked", Arg::Num(c.linked as i64)),
            ("pulled", Arg::Num(c.pulled as i64)),
            ("pushed", Arg::Num(c.pushed as i64)),
            ("conflicts", Arg::Num(c.conflicts as i64)),
        ],
    );
    format!("{head}\n{body}")
}
