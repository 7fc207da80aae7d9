//! What the bot shows: each screen is text plus an inline keyboard, built
//! from the user and the settings only, so it is tested without Telegram.

use crate::adapters::panel::Device;
use crate::adapters::store::users::{Traffic, User};
use crate::base::callback::{Action, device_key};
use crate::base::config::Config;
use crate::base::format::{bytes_text, date, date_time, money};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::Lang;
use crate::domains::access::crypt4::LinkView;
use crate::domains::access::subpage::Guide;
use teloxide_core::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// A rendered screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    /// HTML text.
    pub text: String,
    /// Inline keyboard.
    pub keyboard: InlineKeyboardMarkup,
}

impl Screen {
    /// Text without buttons.
    pub fn plain(text: String) -> Screen {
        Screen {
            text,
            keyboard: teloxide_core::types::InlineKeyboardMarkup::default(),
        }
    }
}

fn button(lang: Lang, key: &str, action: Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(t(lang, key), action.data())
}

/// A button opening `url`; none for a link Telegram would refuse on a
/// button (only http(s) and tg:// open from one; a `happ://` link does not).
fn url_button(lang: Lang, key: &str, url: &str) -> Option<InlineKeyboardButton> {
    let url = reqwest::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http" | "tg"))?;
    Some(InlineKeyboardButton::url(t(lang, key), url))
}

fn back(lang: Lang) -> Vec<InlineKeyboardButton> {
    vec![button(lang, "btn-back", Action::Menu)]
}

/// `/help`, and what the bot answers to text it does not understand: the
/// main actions in a few lines, with the main menu's buttons under them.
pub fn help(config: &Config, user: &User) -> Screen {
    let lang = user.lang;
    let line = |key: &str, button: &str| tr(lang, key, &[("button", Arg::Str(t(lang, button)))]);
    let mut lines = vec![t(lang, "help-title")];
    if crate::domains::money::catalog::selling(config) {
        lines.push(line("help-buy", "btn-buy"));
    }
    lines.push(line("help-subscription", "btn-subscription"));
    lines.push(line("help-profile", "btn-profile"));
    if config.growth.referral_enabled {
        lines.push(line("help-referrals", "btn-referrals"));
    }
    lines.push(line("help-promo", "btn-promo"));
    lines.push(line("help-language", "btn-language"));
    if config.links.support.is_some() {
        lines.push(String::new());
        lines.push(line("help-support", "btn-support"));
    } else {
        lines.push(String::new());
        lines.push(t(lang, "help-footer"));
    }
    Screen {
        text: lines.join("\n"),
        keyboard: main_menu(config, user, false).keyboard,
    }
}

/// The main menu, with the welcome text when asked for.
pub fn main_menu(config: &Config, user: &User, welcome: bool) -> Screen {
    let lang = user.lang;
    let name = html(&user.first_name);
    let text = if welcome && !config.disable_welcome_message {
        tr(lang, "welcome", &[("name", Arg::Str(name))])
    } else {
        tr(lang, "menu-title", &[("name", Arg::Str(name))])
    };
    let mut rows = Vec::new();
    if let Some(cabinet) = &config.cabinet
        && let Ok(url) = reqwest::Url::parse(&cabinet.url)
    {
        rows.push(vec![InlineKeyboardButton::web_app(
            t(lang, "btn-cabinet"),
            teloxide_core::types::WebAppInfo { url },
        )]);
    }
    if crate::domains::money::catalog::selling(config) {
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, "btn-buy"),
            crate::base::callback::BuyAction::Plans.data(),
        )]);
    }
    rows.push(vec![button(lang, "btn-subscription", Action::Subscription)]);
    if trial_offered(config, user, crate::base::clock::now()) {
        rows.push(vec![button(lang, "btn-trial", Action::Trial)]);
    }
    if devices_offered(config, user) {
        rows.push(vec![button(lang, "btn-devices", Action::Devices)]);
    }
    let mut row = vec![button(lang, "btn-profile", Action::Profile)];
    if config.growth.referral_enabled {
        row.push(button(lang, "btn-referrals", Action::Referrals));
    }
    rows.push(row);
    rows.push(vec![
        button(lang, "btn-promo", Action::Promo),
        button(lang, "btn-language", Action::Languages),
    ]);
    let links: Vec<InlineKeyboardButton> = [
        ("btn-support", config.links.support.as_deref()),
        ("btn-server-status", config.links.server_status.as_deref()),
    ]
    .into_iter()
    .filter_map(|(key, url)| url_button(lang, key, url?))
    .collect();
    if !links.is_empty() {
        rows.push(links);
    }
    if let Some(b) = config
        .links
        .terms_of_service
        .as_deref()
        .and_then(|u| url_button(lang, "btn-terms", u))
    {
        rows.push(vec![b]);
    }
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// Whether the menu offers the free trial: it is on, the user never had
/// it, and has no active subscription.
pub fn trial_offered(config: &Config, user: &User, now: i64) -> bool {
    config.trial.is_some() && user.trial_used_at.is_none() && !user.active(now)
}

/// Whether "My devices" is shown: the section is on and the user has a
/// panel account to list devices of.
pub fn devices_offered(config: &Config, user: &User) -> bool {
    config.my_devices_section_enabled && config.panel.is_some() && user.panel.is_some()
}

/// When the VPN was last used, or that it never was, as the panel told
/// us (its events and syncs); nothing for a user without a panel account.
pub fn last_seen(user: &User) -> Option<String> {
    let lang = user.lang;
    match (user.online_at, user.first_connected) {
        (Some(at), _) => Some(tr(
            lang,
            "vpn-last-used",
            &[("time", Arg::Str(format!("{} UTC", date_time(lang, at))))],
        )),
        (None, Some(_)) => Some(t(lang, "vpn-connected-before")),
        (None, None) if user.panel.is_some() => Some(t(lang, "vpn-never-connected")),
        (None, None) => None,
    }
}

/// Whether "reissue my link" is offered: a panel account and a running subscription.
pub fn reissue_offered(config: &Config, user: &User, now: i64) -> bool {
    config.panel.is_some() && user.panel.is_some() && user.active(now) && !user.banned
}

/// The profile and balance screen.
pub fn profile(config: &Config, user: &User, now: i64) -> Screen {
    let lang = user.lang;
    let status = subscription_status(user, now);
    let mut text = tr(
        lang,
        "profile",
        &[
            ("name", Arg::Str(html(&user.first_name))),
            ("id", Arg::Str(user.id.to_string())),
            ("date", Arg::Str(date(lang, user.created_at))),
            ("amount", Arg::Str(money(lang, config, user.balance))),
            ("lang", Arg::Str(t(lang, "language-name"))),
            ("status", Arg::Str(status)),
        ],
    );
    if let Some(line) = last_seen(user) {
        text.push('\n');
        text.push_str(&line);
    }
    let mut rows = Vec::new();
    if crate::domains::money::catalog::topup_available(config) {
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, "btn-topup"),
            crate::base::callback::BuyAction::TopUp.data(),
        )]);
    }
    rows.push(vec![InlineKeyboardButton::callback(
        t(lang, "btn-history"),
        crate::base::callback::BuyAction::History(None).data(),
    )]);
    if config
        .yookassa
        .as_ref()
        .is_some_and(|c| c.autopayments_enabled)
    {
        rows.push(vec![button(lang, "btn-cards", Action::Cards)]);
    } else if crate::domains::renewal::balance::offered(config) {
        rows.push(vec![button(lang, "btn-autorenewal", Action::Cards)]);
    }
    rows.push(back(lang));
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// The subscription's status line: active until (days left), expired on, or none.
pub fn subscription_status(user: &User, now: i64) -> String {
    let lang = user.lang;
    match user.sub_end {
        Some(crate::adapters::store::credit::TRAFFIC_MODE_END) => t(lang, "sub-active-traffic"),
        Some(end) if end > now => tr(
            lang,
            "sub-active-until",
            &[
                ("date", Arg::Str(date(lang, end))),
                ("days", Arg::Str(days_left(lang, end - now))),
            ],
        ),
        Some(end) => tr(
            lang,
            "sub-expired-on",
            &[("date", Arg::Str(date(lang, end)))],
        ),
        None => t(lang, "sub-none"),
    }
}

fn days_left(lang: Lang, secs: i64) -> String {
    let days = (secs + 86_399) / 86_400;
    tr(lang, "days-count", &[("count", Arg::Num(days))])
}

/// The subscription screen: status, end date and days left, traffic used
/// of the limit (when the panel told us), the link with Connect and Mini
/// App buttons.
pub fn subscription(config: &Config, user: &User, traffic: Option<Traffic>, now: i64) -> Screen {
    let lang = user.lang;
    let mut text = subscription_status(user, now);
    let mut rows = Vec::new();
    if let Some(figures) = traffic.filter(|_| user.sub_end.is_some()) {
        text.push('\n');
        text.push_str(&traffic_line(lang, figures));
    }
    if let Some(line) = packs_line(user) {
        text.push('\n');
        text.push_str(&line);
    }
    let link = user
        .subscription_url
        .as_deref()
        .filter(|_| user.active(now));
    match link {
        Some(url) => {
            let view = LinkView::for_user(config, user, url);
            text.push_str("\n\n");
            text.push_str(&tr(
                lang,
                "sub-link",
                &[("link", Arg::Str(html(&view.text)))],
            ));
            if let Some(b) = view
                .button
                .as_deref()
                .and_then(|u| url_button(lang, "btn-connect", u))
            {
                rows.push(vec![b]);
            }
            rows.push(vec![button(
                lang,
                "btn-how-to-connect",
                Action::Guide(None),
            )]);
            if let Some(app) = config.subscription_mini_app_url.as_deref()
                && let Ok(u) = reqwest::Url::parse(app)
            {
                rows.push(vec![InlineKeyboardButton::web_app(
                    t(lang, "btn-mini-app"),
                    teloxide_core::types::WebAppInfo { url: u },
                )]);
            }
        }
        None if user.active(now) && config.panel.is_some() => {
            text.push_str("\n\n");
            text.push_str(&t(lang, "sub-link-pending"));
        }
        None => {}
    }
    // No subscription yet, and the trial still open: offered here too.
    if trial_offered(config, user, now) {
        text.push_str("\n\n");
        text.push_str(&t(lang, "sub-trial-offer"));
        rows.push(vec![button(lang, "btn-trial", Action::Trial)]);
    }
    if devices_offered(config, user) {
        rows.push(vec![button(lang, "btn-devices", Action::Devices)]);
    }
    if reissue_offered(config, user, now) {
        rows.push(vec![button(lang, "btn-reissue", Action::ReissueAsk)]);
    }
    let catalog = |f: fn(&Config, &User, i64) -> bool| f(config, user, now);
    if catalog(crate::domains::money::catalog::offers_devices) {
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, "btn-more-devices"),
            crate::base::callback::BuyAction::MoreDevices.data(),
        )]);
    }
    if catalog(crate::domains::money::catalog::offers_packs) {
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, "btn-more-traffic"),
            crate::base::callback::BuyAction::MoreTraffic.data(),
        )]);
    }
    if crate::domains::money::catalog::selling(config) {
        let key = if crate::domains::money::catalog::traffic_mode(config) {
            "btn-buy-traffic"
        } else if user.sub_end.is_some() {
            "btn-renew"
        } else {
            "btn-buy"
        };
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, key),
            crate::base::callback::BuyAction::PlansFromSubscription.data(),
        )]);
    }
    rows.push(back(lang));
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// What traffic packs added to the limit: "incl. packs: +10 GB (+5 GB
/// carried over)".
fn packs_line(user: &User) -> Option<String> {
    let lang = user.lang;
    if user.packs + user.old_packs == 0 {
        return None;
    }
    Some(tr(
        lang,
        "traffic-packs-added",
        &[
            ("added", Arg::Str(bytes_text(lang, user.packs))),
            ("carried", Arg::Str(bytes_text(lang, user.old_packs))),
            ("has_carried", Arg::Str((user.old_packs > 0).to_string())),
        ],
    ))
}

/// The traffic figures the panel last told us, with what packs added.
pub fn traffic_figures(user: &User) -> Option<String> {
    let lang = user.lang;
    let mut out = user.traffic.map(|f| traffic_line(lang, f));
    if let Some(packs) = packs_line(user) {
        let line = out.get_or_insert_with(String::new);
        if !line.is_empty() {
            line.push('\n');
        }
        line.push_str(&packs);
    }
    out
}

/// "Traffic: used of limit" (or without a limit).
pub fn traffic_line(lang: Lang, traffic: Traffic) -> String {
    let used = bytes_text(lang, traffic.used);
    if traffic.limit == 0 {
        tr(lang, "traffic-unlimited", &[("used", Arg::Str(used))])
    } else {
        tr(
            lang,
            "traffic-used",
            &[
                ("used", Arg::Str(used)),
                ("limit", Arg::Str(bytes_text(lang, traffic.limit))),
            ],
        )
    }
}

/// "My devices": the devices the panel counts against the user's limit,
/// each with a remove button. `note` goes above the list (after a removal).
pub fn devices(user: &User, devices: &[Device], note: Option<String>) -> Screen {
    let lang = user.lang;
    let mut text = note.map(|n| format!("{n}\n\n")).unwrap_or_default();
    let mut rows = Vec::new();
    if devices.is_empty() {
        text.push_str(&t(lang, "devices-none"));
    } else {
        text.push_str(&tr(
            lang,
            "devices-title",
            &[("count", Arg::Num(devices.len() as i64))],
        ));
        for (i, d) in devices.iter().enumerate() {
            let name = device_name(lang, d);
            text.push_str(&format!("\n{}. {}", i + 1, html(&name)));
            if let Some(since) = d
                .created_at
                .as_deref()
                .and_then(crate::adapters::panel::parse_time)
            {
                text.push_str(&format!(" — {}", date(lang, since)));
            }
            rows.push(vec![InlineKeyboardButton::callback(
                tr(
                    lang,
                    "btn-device-remove",
                    &[("name", Arg::Str(format!("{}. {}", i + 1, short(&name, 40))))],
                ),
                Action::DeviceAsk(device_key(&d.hwid)).data(),
            )]);
        }
    }
    if devices.len() > 1 {
        rows.push(vec![button(
            lang,
            "btn-devices-reset",
            Action::DevicesResetAsk,
        )]);
    }
    rows.push(vec![button(lang, "btn-subscription", Action::Subscription)]);
    rows.push(back(lang));
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// Asks before removing a device.
pub fn device_confirm(user: &User, device: &Device) -> Screen {
    let lang = user.lang;
    let text = tr(
        lang,
        "device-remove-confirm",
        &[("name", Arg::Str(html(&device_name(lang, device))))],
    );
    let key = device_key(&device.hwid);
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![button(
                lang,
                "btn-device-remove-yes",
                Action::DeviceDelete(key),
            )],
            vec![button(lang, "btn-cancel", Action::Devices)],
        ]),
    }
}

/// Asks to confirm removing all `count` devices.
pub fn devices_reset_confirm(user: &User, count: usize) -> Screen {
    let lang = user.lang;
    Screen {
        text: tr(
            lang,
            "devices-reset-confirm",
            &[("count", Arg::Num(count as i64))],
        ),
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![button(lang, "btn-devices-reset-yes", Action::DevicesReset)],
            vec![button(lang, "btn-cancel", Action::Devices)],
        ]),
    }
}

/// Asks to confirm reissuing the link, or says when it can be reissued.
pub fn reissue_confirm(user: &User, next_at: Option<i64>) -> Screen {
    let lang = user.lang;
    let mut rows = Vec::new();
    let text = match next_at {
        Some(at) => tr(
            lang,
            "reissue-too-soon",
            &[("time", Arg::Str(format!("{} UTC", date_time(lang, at))))],
        ),
        None => {
            rows.push(vec![button(lang, "btn-reissue-yes", Action::Reissue)]);
            t(lang, "reissue-confirm")
        }
    };
    rows.push(vec![button(lang, "btn-cancel", Action::Subscription)]);
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// "How to connect": the platforms of the guide, or one platform's
/// clients, or one client's steps with its buttons (`sel` as the button
/// said; an index the guide no longer has shows the level above).
pub fn guide(user: &User, guide: &Guide, link: &str, sel: Option<(u8, Option<u8>)>) -> Screen {
    let lang = user.lang;
    let platform = sel.and_then(|(p, _)| Some((p, guide.platforms.get(usize::from(p))?)));
    let Some((p, platform)) = platform else {
        let mut rows: Vec<Vec<InlineKeyboardButton>> = guide
            .platforms
            .chunks(2)
            .enumerate()
            .map(|(row, pair)| {
                pair.iter()
                    .enumerate()
                    .map(|(i, pl)| {
                        let idx = u8::try_from(row * 2 + i).unwrap_or(u8::MAX);
                        button_text(pl.name.clone(), Action::Guide(Some((idx, None))))
                    })
                    .collect()
            })
            .collect();
        rows.push(vec![button(lang, "btn-back", Action::Subscription)]);
        return Screen {
            text: t(lang, "guide-title"),
            keyboard: InlineKeyboardMarkup::new(rows),
        };
    };
    let app_index = match sel.and_then(|(_, a)| a) {
        Some(a) => Some(a),
        None if platform.apps.len() == 1 => Some(0),
        None => None,
    };
    let app = app_index.and_then(|a| Some((a, platform.apps.get(usize::from(a))?)));
    let Some((_, app)) = app else {
        let mut rows: Vec<Vec<InlineKeyboardButton>> = platform
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let label = if a.featured {
                    format!("⭐ {}", a.name)
                } else {
                    a.name.clone()
                };
                let idx = u8::try_from(i).unwrap_or(u8::MAX);
                vec![button_text(label, Action::Guide(Some((p, Some(idx)))))]
            })
            .collect();
        rows.push(vec![button(lang, "btn-back", Action::Guide(None))]);
        return Screen {
            text: tr(
                lang,
                "guide-platform",
                &[("name", Arg::Str(html(&platform.name)))],
            ),
            keyboard: InlineKeyboardMarkup::new(rows),
        };
    };
    let mut text = format!("📲 <b>{}</b> · {}", html(&app.name), html(&platform.name));
    let mut rows = Vec::new();
    let mut needs_link = false;
    for (i, step) in app.steps.iter().enumerate() {
        text.push_str(&format!("\n\n<b>{}. {}</b>", i + 1, html(&step.title)));
        if !step.text.is_empty() {
            text.push('\n');
            text.push_str(&html(&step.text));
        }
        for b in &step.buttons {
            if b.telegram_openable()
                && let Ok(url) = reqwest::Url::parse(&b.url)
            {
                rows.push(vec![InlineKeyboardButton::url(b.text.clone(), url)]);
            } else {
                needs_link = true;
            }
        }
    }
    if needs_link || app.steps.is_empty() {
        text.push_str("\n\n");
        text.push_str(&tr(
            lang,
            "guide-copy-link",
            &[("link", Arg::Str(html(link)))],
        ));
    }
    let back = if platform.apps.len() == 1 {
        Action::Guide(None)
    } else {
        Action::Guide(Some((p, None)))
    };
    rows.push(vec![button(lang, "btn-back", back)]);
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

fn button_text(text: String, action: Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(text, action.data())
}

/// The new link after a reissue.
pub fn reissued(user: &User, view: &LinkView) -> Screen {
    let lang = user.lang;
    let mut rows = Vec::new();
    if let Some(b) = view
        .button
        .as_deref()
        .and_then(|u| url_button(lang, "btn-connect", u))
    {
        rows.push(vec![b]);
    }
    rows.push(vec![button(lang, "btn-subscription", Action::Subscription)]);
    Screen {
        text: tr(
            lang,
            "reissue-done",
            &[("link", Arg::Str(html(&view.text)))],
        ),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

/// The panel could not be asked (down, slow): try again later.
pub fn panel_unavailable(user: &User) -> Screen {
    Screen {
        text: t(user.lang, "panel-unavailable"),
        keyboard: InlineKeyboardMarkup::new(vec![back(user.lang)]),
    }
}

/// A device's name: model, else platform, else "unknown device".
pub fn device_name(lang: Lang, d: &Device) -> String {
    let parts: Vec<&str> = [&d.device_model, &d.platform, &d.os_version]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.is_empty() {
        t(lang, "device-unknown")
    } else {
        parts.join(" · ")
    }
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// The trial started: how long, and that the link is on its way.
pub fn trial_started(user: &User, days: u32) -> Screen {
    let lang = user.lang;
    Screen {
        text: tr(
            lang,
            "trial-started",
            &[("count", Arg::Num(i64::from(days)))],
        ),
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![button(lang, "btn-subscription", Action::Subscription)],
            back(lang),
        ]),
    }
}

/// The trial cannot start: taken before, or a subscription is active.
pub fn trial_unavailable(user: &User) -> Screen {
    let lang = user.lang;
    Screen {
        text: t(lang, "trial-unavailable"),
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![button(lang, "btn-subscription", Action::Subscription)],
            back(lang),
        ]),
    }
}

/// The referral program screen.
pub fn referrals(config: &Config, user: &User, bot_username: Option<&str>) -> Screen {
    let lang = user.lang;
    let link = bot_username
        .map(|b| format!("https://t.me/{b}?start=ref_{}", user.ref_code))
        .unwrap_or_else(|| format!("/start ref_{}", user.ref_code));
    let mut text = tr(
        lang,
        "referrals",
        &[
            ("link", Arg::Str(html(&link))),
            ("count", Arg::Num(user.referrals as i64)),
        ],
    );
    let stats = user.referral_stats;
    text.push('\n');
    text.push_str(&tr(
        lang,
        "referral-paying",
        &[("count", Arg::Num(stats.paying as i64))],
    ));
    if stats.days > 0 {
        text.push('\n');
        text.push_str(&tr(
            lang,
            "referral-earned-days",
            &[("days", Arg::Num(stats.days))],
        ));
    }
    if stats.money > 0 {
        text.push('\n');
        text.push_str(&tr(
            lang,
            "referral-earned-money",
            &[(
                "amount",
                Arg::Str(money(
                    lang,
                    config,
                    crate::base::types::Kopecks(stats.money as u64),
                )),
            )],
        ));
    }
    let by_balance =
        config.growth.referral_bonus_mode == crate::base::config::ReferralBonusMode::Balance;
    let bonuses: Vec<String> = config
        .plans
        .iter()
        .filter_map(|p| {
            let inviter = if by_balance {
                config
                    .growth
                    .referral_money(p.period)
                    .map(|k| money(lang, config, k))
            } else {
                (p.referral_bonus_days > 0).then(|| days_text(lang, p.referral_bonus_days))
            };
            if !p.enabled || (inviter.is_none() && p.referee_bonus_days == 0) {
                return None;
            }
            Some(tr(
                lang,
                "referral-bonus-line",
                &[
                    ("months", Arg::Num(i64::from(p.period.months()))),
                    (
                        "inviter",
                        Arg::Str(inviter.unwrap_or_else(|| days_text(lang, 0))),
                    ),
                    ("friend", Arg::Str(days_text(lang, p.referee_bonus_days))),
                ],
            ))
        })
        .collect();
    if !bonuses.is_empty() {
        text.push_str("\n\n");
        text.push_str(&t(lang, "referral-bonus-title"));
        for line in bonuses {
            text.push('\n');
            text.push_str(&line);
        }
    }
    let mut rows = Vec::new();
    if bot_username.is_some()
        && let Ok(share) = reqwest::Url::parse_with_params(
            "https://t.me/share/url",
            &[
                ("url", link.as_str()),
                ("text", &t(lang, "referral-share-text")),
            ],
        )
    {
        rows.push(vec![InlineKeyboardButton::url(t(lang, "btn-share"), share)]);
    }
    rows.push(back(lang));
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

fn days_text(lang: Lang, days: u32) -> String {
    tr(lang, "days-count", &[("count", Arg::Num(i64::from(days)))])
}

/// The language picker.
pub fn languages(lang: Lang) -> Screen {
    let row = Lang::ALL
        .iter()
        .map(|l| {
            InlineKeyboardButton::callback(t(*l, "language-name"), Action::SetLanguage(*l).data())
        })
        .collect();
    Screen {
        text: t(lang, "language-choose"),
        keyboard: InlineKeyboardMarkup::new(vec![row, back(lang)]),
    }
}

/// The required-channel gate.
pub fn channel_gate(config: &Config, lang: Lang) -> Screen {
    let mut rows = Vec::new();
    if let Some(b) = config
        .required_channel
        .as_ref()
        .and_then(|c| c.link.as_deref())
        .and_then(|link| url_button(lang, "btn-join-channel", link))
    {
        rows.push(vec![b]);
    }
    rows.push(vec![button(lang, "btn-check-again", Action::CheckChannel)]);
    Screen {
        text: t(lang, "channel-required"),
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip() {
        for a in [
            Action::Menu,
            Action::Profile,
            Action::Subscription,
            Action::Referrals,
            Action::Languages,
            Action::SetLanguage(Lang::En),
            Action::SetLanguage(Lang::Ru),
            Action::CheckChannel,
            Action::Trial,
            Action::Devices,
            Action::DeviceAsk(0),
            Action::DeviceDelete(u32::MAX),
            Action::DeviceAsk(device_key("a1b2c3d4e5f6a7b8")),
            Action::Promo,
        ] {
            assert_eq!(Action::parse(&a.data()), Some(a));
            assert!(a.data().len() <= 64);
        }
        assert_eq!(Action::parse("dev:del:xyz"), None);
        assert_eq!(Action::parse("dev:del:0000000"), None);
        assert_eq!(Action::parse("lang:de"), None);
        assert_eq!(Action::parse("Data from button callback"), None);
    }

    #[test]
    fn traffic_reads_in_megabytes_then_gigabytes() {
        assert_eq!(bytes_text(Lang::En, 0), "0 MB");
        assert_eq!(bytes_text(Lang::En, 1), "1 MB");
        assert_eq!(bytes_text(Lang::En, 300 << 20), "300 MB");
        assert_eq!(bytes_text(Lang::En, 5_368_709_120), "5 GB");
        assert_eq!(bytes_text(Lang::Ru, 1_610_612_736), "1,5 ГБ");
        assert_eq!(bytes_text(Lang::En, 1_610_612_736), "1.5 GB");
        assert_eq!(bytes_text(Lang::En, 107_374_182_400), "100 GB");
    }

    #[test]
    fn device_keys_are_stable_and_distinct() {
        assert_eq!(device_key("hwid-one-0001"), device_key("hwid-one-0001"));
        assert_ne!(device_key("hwid-one-0001"), device_key("hwid-one-0002"));
    }

    #[test]
    fn dates_read_naturally() {
        assert_eq!(date(Lang::Ru, 1_767_225_600), "01.01.2026");
        assert_eq!(date(Lang::En, 1_767_225_600), "1 Jan 2026");
    }
}
