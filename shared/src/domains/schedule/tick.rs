//! One scheduler run: the window since the last run, the due items in it
//! (each a `Query` of a day partition of GSI2, never a `Scan`), one job each.

use crate::adapters::app::App;
use crate::adapters::jobs::{Job, NoticeKind, enqueue_jobs};
use crate::adapters::store::keys::day_of;
use crate::base::types::TelegramId;
use crate::domains::error::Error;
use crate::domains::money::orders::ORDER_LIFETIME_SECS;
use crate::domains::renewal::charge::{LEAD_SECS, NOTICE_SECS, RETRY_SECS};
use crate::domains::renewal::{balance, cards};

/// How far ahead a run looks: items due before `now + AHEAD` are queued with
/// a delay (SQS allows 900 s), so they fire on time though runs are minutes
/// apart. Larger than the run interval (5 minutes in `template.yaml`).
pub const AHEAD_SECS: i64 = 10 * 60;
/// How far back a run catches up when the last run is older (or there is
/// none): a scheduler down for longer skips what was due before.
pub const CATCH_UP_SECS: i64 = 86_400;
/// The after-expiry notice goes this long after the end.
pub const AFTER_SECS: i64 = 86_400;
/// Ages of a pending order at which its provider is asked again.
pub const RECHECK_AGES: [i64; 4] = [5 * 60, 30 * 60, 3 * 3600, 86_400];
/// The nightly reconciliation starts at this second of the day (UTC, 03:00).
pub const NIGHTLY_AT: i64 = 3 * 3600;

/// What a run did (logs, tests, `scripts/bench`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tick {
    /// The window `[from, to)` it covered.
    pub window: (i64, i64),
    /// Items DynamoDB read to find the due work.
    pub read: u64,
    /// Jobs queued.
    pub queued: usize,
}

/// Runs the scheduler at `now` (the clock is a parameter so the local stack
/// and tests can drive days without waiting). Covers from where the last run
/// stopped (at most [`CATCH_UP_SECS`] back) to `now + AHEAD_SECS`, and moves
/// the cursor only once every job is queued: a failed run is re-covered by
/// the next one.
pub async fn run(app: &App, now: i64) -> Result<Tick, Error> {
    let to = now + AHEAD_SECS;
    let from = app
        .store
        .schedule_cursor()
        .await
        .map_err(Error::from)?
        .unwrap_or(i64::MIN)
        .max(now - CATCH_UP_SECS);
    let mut tick = Tick {
        window: (from, to),
        ..Tick::default()
    };
    if from >= to {
        return Ok(tick);
    }
    let mut jobs: Vec<(Job, i64)> = Vec::new();
    notices(app, from, to, &mut tick, &mut jobs).await?;
    rechecks(app, from, to, &mut tick, &mut jobs).await?;
    renewals(app, from, to, &mut tick, &mut jobs).await?;
    nightly(app, from, to, &mut jobs);
    let delayed: Vec<(Job, u32)> = jobs
        .into_iter()
        .map(|(job, due)| (job, (due - now).clamp(0, 900) as u32))
        .collect();
    enqueue_jobs(app, &delayed).await?;
    tick.queued = delayed.len();
    app.store
        .advance_schedule_cursor(to)
        .await
        .map_err(Error::from)?;
    tracing::info!(
        from,
        to,
        read = tick.read,
        queued = tick.queued,
        "scheduler run"
    );
    Ok(tick)
}

/// Expiry notices falling due in `[from, to)`: a notice due at `t` is about
/// a subscription ending at `t + offset`.
async fn notices(
    app: &App,
    from: i64,
    to: i64,
    tick: &mut Tick,
    jobs: &mut Vec<(Job, i64)>,
) -> Result<(), Error> {
    let n = &app.config.notifications;
    if !n.enabled {
        return Ok(());
    }
    let mut kinds = Vec::new();
    if n.days_before > 0 {
        kinds.push((NoticeKind::Before, -(i64::from(n.days_before) * 86_400)));
    }
    if n.on_expire {
        kinds.push((NoticeKind::Expired, 0));
    }
    if n.after_expire {
        kinds.push((NoticeKind::After, AFTER_SECS));
    }
    for (kind, offset) in kinds {
        // due = end + offset, so due in [from, to) means end in [from - offset, to - offset).
        let due = app
            .store
            .subscriptions_ending(from - offset, to - offset)
            .await
            .map_err(Error::from)?;
        tick.read += due.read;
        jobs.extend(due.items.into_iter().map(|(TelegramId(user), end, _)| {
            (
                Job::Notice {
                    user,
                    notice: kind,
                    end,
                },
                end + offset,
            )
        }));
    }
    Ok(())
}

/// Auto-renewal: the notice a day before each end, the renewal an hour
/// before it (from the balance or the saved card), the card's retry a day
/// after that. With YooKassa autopayments on every end gets its jobs (the
/// worker skips users without a card or with auto-renewal off, one read of
/// their cards each); otherwise only the users who turned on renewal from
/// the balance do (the expiry index carries their flag, so this costs no
/// extra read).
async fn renewals(
    app: &App,
    from: i64,
    to: i64,
    tick: &mut Tick,
    jobs: &mut Vec<(Job, i64)>,
) -> Result<(), Error> {
    let by_card = cards::enabled(app);
    if !by_card && !balance::offered(&app.config) {
        return Ok(());
    }
    let steps: [(i64, Option<u8>); 3] = [
        (-NOTICE_SECS, None),
        (-LEAD_SECS, Some(1)),
        (RETRY_SECS - LEAD_SECS, Some(2)),
    ];
    for (offset, attempt) in steps {
        if !by_card && attempt == Some(2) {
            continue;
        }
        let due = app
            .store
            .subscriptions_ending(from - offset, to - offset)
            .await
            .map_err(Error::from)?;
        tick.read += due.read;
        jobs.extend(
            due.items
                .into_iter()
                .filter(|(_, _, from_balance)| by_card || *from_balance)
                .map(|(TelegramId(user), end, _)| {
                    let job = match attempt {
                        None => Job::RenewNotice { user, end },
                        Some(attempt) => Job::Renew { user, end, attempt },
                    };
                    (job, end + offset)
                }),
        );
    }
    Ok(())
}

/// Pending orders reaching a re-check age, or the end of their life, in
/// `[from, to)`.
async fn rechecks(
    app: &App,
    from: i64,
    to: i64,
    tick: &mut Tick,
    jobs: &mut Vec<(Job, i64)>,
) -> Result<(), Error> {
    let ages = RECHECK_AGES
        .iter()
        .map(|a| (*a, false))
        .chain([(ORDER_LIFETIME_SECS + 60, true)]);
    for (age, expire) in ages {
        let due = app
            .store
            .pending_orders_created(from - age, to - age)
            .await
            .map_err(Error::from)?;
        tick.read += due.read;
        jobs.extend(due.items.into_iter().map(|(created, order)| {
            (
                Job::RecheckOrder {
                    order,
                    expire,
                    at: created + age,
                },
                created + age,
            )
        }));
    }
    Ok(())
}

/// The nightly reconciliation when its time of day is in `[from, to)`.
fn nightly(app: &App, from: i64, to: i64, jobs: &mut Vec<(Job, i64)>) {
    if app.panel.is_none() {
        return;
    }
    let mut day = from - from.rem_euclid(86_400);
    while day < to {
        let at = day + NIGHTLY_AT;
        if (from..to).contains(&at) {
            jobs.push((Job::NightlySync { day: day_of(day) }, at));
        }
        day += 86_400;
    }
}
