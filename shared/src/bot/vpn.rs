//! The VPN screens that need the panel or the sync queue: "My
//! subscription" (traffic from the panel, cached briefly), "My devices",
//! and the free trial.

use super::BotError;
use super::screens::{self, Screen};
use crate::adapters::app::App;
use crate::adapters::panel::{Device, PanelClient, PanelError};
use crate::adapters::store::users::{Traffic, User};
use crate::base::callback::device_key;
use crate::base::i18n::{Arg, html, t, tr};
use crate::domains::access::sync::{PanelSyncRequest, SyncReason, enqueue_repair, enqueue_sync};
use std::time::Duration;

/// Traffic figures younger than this are shown without asking the panel.
pub const TRAFFIC_CACHE_SECS: i64 = 60;
/// The user waits for these calls: give up quickly and show what we have.
const PANEL_BUDGET: Duration = Duration::from_secs(3);

/// `fut`, given up after the 3 s the user waits for the panel.
pub async fn within<T>(fut: impl Future<Output = Result<T, PanelError>>) -> Result<T, PanelError> {
    match tokio::time::timeout(PANEL_BUDGET, fut).await {
        Ok(r) => r,
        Err(_) => Err(PanelError::Transient("no answer within 3 s".into())),
    }
}

/// "My subscription". Reads traffic from the panel unless the cached
/// figures are fresh, and queues a sync for an active subscription that
/// has no panel account yet (a lost or pending provisioning).
pub async fn subscription(app: &App, user: &User, now: i64) -> Result<Screen, BotError> {
    let traffic = traffic(app, user, now).await?;
    if user.active(now) && user.panel.is_none() && app.panel.is_some() {
        // One per subscription end (and SQS's five minutes): pressing the
        // button again does not flood the queue.
        enqueue_repair(app, user).await;
    }
    Ok(screens::subscription(&app.config, user, traffic, now))
}

async fn traffic(app: &App, user: &User, now: i64) -> Result<Option<Traffic>, BotError> {
    let (Some(client), Some(link)) = (app.panel.as_ref(), user.panel.as_ref()) else {
        return Ok(None);
    };
    if let Some(cached) = user.traffic
        && now - cached.at < TRAFFIC_CACHE_SECS
    {
        return Ok(Some(cached));
    }
    match within(client.user(link.id)).await {
        Ok(p) => {
            let fresh = Traffic {
                used: p.used_bytes(),
                limit: p.traffic_limit_bytes,
                at: now,
            };
            app.store
                .save_traffic(user.id, fresh, p.status.as_str())
                .await?;
            Ok(Some(fresh))
        }
        Err(e) => {
            tracing::warn!(user = %user.id, "traffic not read from the panel: {e}");
            Ok(user.traffic)
        }
    }
}

fn devices_ready<'a>(app: &'a App, user: &User) -> Option<(&'a PanelClient, i64)> {
    if !screens::devices_offered(&app.config, user) {
        return None;
    }
    Some((app.panel.as_ref()?, user.panel.as_ref()?.id))
}

/// "My devices".
pub async fn devices(app: &App, user: &User) -> Screen {
    let Some((client, panel_id)) = devices_ready(app, user) else {
        return screens::main_menu(&app.config, user, false);
    };
    match within(client.devices(panel_id)).await {
        Ok(list) => screens::devices(user, &list, None),
        Err(e) => {
            tracing::warn!(user = %user.id, "devices not read from the panel: {e}");
            screens::panel_unavailable(user)
        }
    }
}

fn find(list: &[Device], key: u32) -> Option<&Device> {
    list.iter().find(|d| device_key(&d.hwid) == key)
}

/// Asks to confirm removing the device with `key`.
pub async fn device_ask(app: &App, user: &User, key: u32) -> Screen {
    let Some((client, panel_id)) = devices_ready(app, user) else {
        return screens::main_menu(&app.config, user, false);
    };
    match within(client.devices(panel_id)).await {
        Ok(list) => match find(&list, key) {
            Some(d) => screens::device_confirm(user, d),
            None => screens::devices(user, &list, Some(t(user.lang, "device-gone"))),
        },
        Err(e) => {
            tracing::warn!(user = %user.id, "devices not read from the panel: {e}");
            screens::panel_unavailable(user)
        }
    }
}

/// Removes the device with `key` and shows the rest.
pub async fn device_delete(app: &App, user: &User, key: u32) -> Screen {
    let Some((client, panel_id)) = devices_ready(app, user) else {
        return screens::main_menu(&app.config, user, false);
    };
    let result = async {
        let list = within(client.devices(panel_id)).await?;
        let Some(device) = find(&list, key) else {
            return Ok((list, t(user.lang, "device-gone")));
        };
        let name = device
            .device_model
            .clone()
            .or(device.platform.clone())
            .unwrap_or_else(|| t(user.lang, "device-unknown"));
        let rest = within(client.delete_device(panel_id, &device.hwid)).await?;
        tracing::info!(user = %user.id, "device removed");
        let note = tr(
            user.lang,
            "device-removed",
            &[("name", Arg::Str(html(&name)))],
        );
        Ok::<_, PanelError>((rest, note))
    }
    .await;
    match result {
        Ok((rest, note)) => screens::devices(user, &rest, Some(note)),
        Err(e) => {
            tracing::warn!(user = %user.id, "device not removed: {e}");
            screens::panel_unavailable(user)
        }
    }
}

/// "How to connect": the operator's guide from the panel (read at most
/// every ten minutes) or the built-in one, with the subscriber's link.
pub async fn guide(
    app: &App,
    user: &User,
    sel: Option<(u8, Option<u8>)>,
    now: i64,
) -> Result<Screen, BotError> {
    let Some(link) = user
        .subscription_url
        .as_deref()
        .filter(|_| user.active(now))
    else {
        return subscription(app, user, now).await;
    };
    let config = match app.panel.as_ref() {
        Some(client) => match within(client.subpage_config(now)).await {
            Ok(config) => config,
            Err(e) => {
                tracing::warn!("subscription-page configuration not read, built-in guide: {e}");
                None
            }
        },
        None => None,
    };
    let guide = crate::domains::access::subpage::guide_for(config.as_ref(), user.lang, link);
    Ok(screens::guide(user, &guide, link, sel))
}

/// Asks to confirm removing every device.
pub async fn devices_reset_ask(app: &App, user: &User) -> Screen {
    let Some((client, panel_id)) = devices_ready(app, user) else {
        return screens::main_menu(&app.config, user, false);
    };
    match within(client.devices(panel_id)).await {
        Ok(list) if list.is_empty() => screens::devices(user, &list, None),
        Ok(list) => screens::devices_reset_confirm(user, list.len()),
        Err(e) => {
            tracing::warn!(user = %user.id, "devices not read from the panel: {e}");
            screens::panel_unavailable(user)
        }
    }
}

/// Removes every device (`/api/hwid/devices/delete-all`); pressed twice,
/// the second finds none to remove.
pub async fn devices_reset(app: &App, user: &User) -> Screen {
    let Some((client, panel_id)) = devices_ready(app, user) else {
        return screens::main_menu(&app.config, user, false);
    };
    match within(client.delete_all_devices(panel_id)).await {
        Ok(rest) => {
            tracing::info!(user = %user.id, "every device removed");
            screens::devices(user, &rest, Some(t(user.lang, "devices-reset-done")))
        }
        Err(e) => {
            tracing::warn!(user = %user.id, "devices not removed: {e}");
            screens::panel_unavailable(user)
        }
    }
}

/// When `user` may reissue their link next, if not now.
fn reissue_next(app: &App, user: &User, now: i64) -> Option<i64> {
    let cooldown = app.config.panel.as_ref()?.revoke_cooldown_secs;
    user.revoked_at
        .map(|last| last + cooldown)
        .filter(|next| *next > now)
}

/// Asks to confirm reissuing the link (or says when it can be).
pub async fn reissue_ask(app: &App, user: &User, now: i64) -> Screen {
    if !screens::reissue_offered(&app.config, user, now) {
        return screens::main_menu(&app.config, user, false);
    }
    screens::reissue_confirm(user, reissue_next(app, user, now))
}

/// Reissues the link on the panel (`actions/revoke`): claimed first on the
/// user item against the cooldown (a double tap reissues once), given back
/// if the panel refuses; the new link is saved and shown at once, and the
/// panel's `user.revoked` event that follows sends nothing more.
pub async fn reissue(app: &App, user: &User, now: i64) -> Result<Screen, BotError> {
    let (Some(config), Some(client), Some(link)) = (
        app.config.panel.as_ref(),
        app.panel.as_ref(),
        user.panel.as_ref(),
    ) else {
        return Ok(screens::main_menu(&app.config, user, false));
    };
    if !screens::reissue_offered(&app.config, user, now) {
        return Ok(screens::main_menu(&app.config, user, false));
    }
    let previous = match app
        .store
        .claim_reissue(user.id, user.revoked_at, now, config.revoke_cooldown_secs)
        .await?
    {
        Ok(previous) => previous,
        Err(last) => {
            let next = last + config.revoke_cooldown_secs;
            return Ok(screens::reissue_confirm(
                user,
                Some(next).filter(|n| *n > now),
            ));
        }
    };
    let account = match within(client.revoke_subscription(link.id)).await {
        Ok(account) => account,
        Err(e) => {
            tracing::warn!(user = %user.id, "link not reissued: {e}");
            app.store.undo_reissue(user.id, now, previous).await?;
            return Ok(screens::panel_unavailable(user));
        }
    };
    let crypt4 = crate::domains::access::crypt4::seal(&app.config, user, &account.subscription_url);
    let view = crate::domains::access::crypt4::LinkView::of(
        &app.config,
        &account.subscription_url,
        crypt4.as_deref(),
    );
    let facts = crate::adapters::store::panel::PanelFacts {
        status: account.status.as_str().to_owned(),
        crypt4,
        account: Some((
            crate::adapters::store::users::PanelLink {
                id: account.id,
                short_uuid: account.short_uuid.clone(),
            },
            account.subscription_url.clone(),
        )),
        traffic: None,
        seen: account.seen(),
    };
    app.store.apply_panel_facts(user.id, &facts, now).await?;
    crate::domains::access::webhook::notice_sent(
        app,
        user.id,
        &format!("rv:{}", account.short_uuid),
        now,
    )
    .await?;
    tracing::info!(user = %user.id, "subscription link reissued");
    Ok(screens::reissued(user, &view))
}

/// Starts the free trial (once per user, never over an active
/// subscription), queues its provisioning and tells the log chat.
pub async fn trial(app: &App, user: &User, now: i64) -> Result<Screen, BotError> {
    let Some(trial) = app.config.trial else {
        return Ok(screens::main_menu(&app.config, user, false));
    };
    let end = now + i64::from(trial.days) * 86_400;
    let counted = crate::adapters::store::stats::Counted::read(
        user.ends_counted,
        user.sub_end,
        user.trial_end,
    );
    if !app
        .store
        .activate_trial(
            user.id,
            user.sub_end,
            counted,
            user.campaign.as_deref(),
            now,
            end,
        )
        .await?
    {
        return Ok(screens::trial_unavailable(user));
    }
    let req = PanelSyncRequest {
        user: user.id,
        reason: SyncReason::Trial,
    };
    if let Err(e) = enqueue_sync(app, &req, &format!("trial-{}", user.id)).await {
        // The trial stands; "My subscription" queues the sync again.
        tracing::error!(user = %user.id, "trial provisioning not queued: {e}");
    }
    if app.config.log.trial_activations {
        let text = tr(
            app.config.default_language,
            "log-trial",
            &[
                ("name", Arg::Str(html(&user.first_name))),
                ("id", Arg::Str(user.id.to_string())),
                ("count", Arg::Num(i64::from(trial.days))),
            ],
        );
        app.admin_log(text).await;
    }
    Ok(screens::trial_started(user, trial.days))
}
