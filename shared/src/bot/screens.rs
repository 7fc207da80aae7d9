//! What the bot shows: each screen is text plus an inline keyboard, built
//! from the user and the settings only, so it is tested without Telegram.

use crate::config::Config;
use crate::i18n::{Arg, html, t, tr};
use crate::store::users::User;
use crate::types::{Kopecks, Lang};
use teloxide_core::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Callback data of the bot's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Back to the main menu.
    Menu,
    /// The profile and balance screen.
    Profile,
    /// The subscription screen.
    Subscription,
    /// The referral program screen.
    Referrals,
    /// The language picker.
    Languages,
    /// Switch language.
    SetLanguage(Lang),
    /// Re-check membership of the required channel.
    CheckChannel,
}

impl Action {
    /// The callback data string (≤ 64 bytes).
    pub fn data(self) -> String {
        match self {
            Action::Menu => "menu".into(),
            Action::Profile => "profile".into(),
            Action::Subscription => "sub".into(),
            Action::Referrals => "ref".into(),
            Action::Languages => "lang".into(),
            Action::SetLanguage(l) => format!("lang:{}", l.code()),
            Action::CheckChannel => "gate:check".into(),
        }
    }

    /// Parses callback data; unknown data is `None`.
    pub fn parse(data: &str) -> Option<Action> {
        Some(match data {
            "menu" => Action::Menu,
            "profile" => Action::Profile,
            "sub" => Action::Subscription,
            "ref" => Action::Referrals,
            "lang" => Action::Languages,
            "gate:check" => Action::CheckChannel,
            other => Action::SetLanguage(Lang::from_code(other.strip_prefix("lang:")?)?),
        })
    }
}

/// A rendered screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    /// HTML text.
    pub text: String,
    /// Inline keyboard.
    pub keyboard: InlineKeyboardMarkup,
}

fn button(lang: Lang, key: &str, action: Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(t(lang, key), action.data())
}

fn url_button(lang: Lang, key: &str, url: &str) -> Option<InlineKeyboardButton> {
    let url = reqwest::Url::parse(url).ok()?;
    Some(InlineKeyboardButton::url(t(lang, key), url))
}

fn back(lang: Lang) -> Vec<InlineKeyboardButton> {
    vec![button(lang, "btn-back", Action::Menu)]
}

/// A date as the user reads it.
pub fn date(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_default()
}

/// An amount of money with the operator's currency symbol.
pub fn money(config: &Config, amount: Kopecks) -> String {
    format!(
        "{} {}",
        amount.display_rubles(),
        config.default_currency_symbol
    )
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
    if super::buy::selling(config) {
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, "btn-buy"),
            super::buy::BuyAction::Plans.data(),
        )]);
    }
    rows.extend([
        vec![button(lang, "btn-subscription", Action::Subscription)],
        vec![
            button(lang, "btn-profile", Action::Profile),
            button(lang, "btn-referrals", Action::Referrals),
        ],
        vec![button(lang, "btn-language", Action::Languages)],
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

/// The profile and balance screen.
pub fn profile(config: &Config, user: &User, now: i64) -> Screen {
    let lang = user.lang;
    let status = subscription_status(user, now);
    let text = tr(
        lang,
        "profile",
        &[
            ("name", Arg::Str(html(&user.first_name))),
            ("id", Arg::Str(user.id.to_string())),
            ("date", Arg::Str(date(user.created_at))),
            ("amount", Arg::Str(money(config, user.balance))),
            ("lang", Arg::Str(t(lang, "language-name"))),
            ("status", Arg::Str(status)),
        ],
    );
    let mut rows = Vec::new();
    if super::buy::topup_available(config) {
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, "btn-topup"),
            super::buy::BuyAction::TopUp.data(),
        )]);
    }
    rows.push(vec![InlineKeyboardButton::callback(
        t(lang, "btn-history"),
        super::buy::BuyAction::History(None).data(),
    )]);
    rows.push(back(lang));
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    }
}

fn subscription_status(user: &User, now: i64) -> String {
    let lang = user.lang;
    match user.sub_end {
        Some(end) if end > now => tr(
            lang,
            "sub-active-until",
            &[
                ("date", Arg::Str(date(end))),
                ("days", Arg::Str(days_left(lang, end - now))),
            ],
        ),
        Some(end) => tr(lang, "sub-expired-on", &[("date", Arg::Str(date(end)))]),
        None => t(lang, "sub-none"),
    }
}

fn days_left(lang: Lang, secs: i64) -> String {
    let days = (secs + 86_399) / 86_400;
    tr(lang, "days-count", &[("count", Arg::Num(days))])
}

/// The subscription screen.
pub fn subscription(config: &Config, user: &User, now: i64) -> Screen {
    let lang = user.lang;
    let mut text = subscription_status(user, now);
    let mut rows = Vec::new();
    if let Some(url) = user
        .subscription_url
        .as_deref()
        .filter(|_| user.active(now))
    {
        text.push_str("\n\n");
        text.push_str(&tr(lang, "sub-link", &[("link", Arg::Str(html(url)))]));
        if let Some(b) = url_button(lang, "btn-connect", url) {
            rows.push(vec![b]);
        }
        if let Some(app) = config.subscription_mini_app_url.as_deref()
            && let Ok(u) = reqwest::Url::parse(app)
        {
            rows.push(vec![InlineKeyboardButton::web_app(
                t(lang, "btn-mini-app"),
                teloxide_core::types::WebAppInfo { url: u },
            )]);
        }
    }
    if super::buy::selling(config) {
        let key = if user.sub_end.is_some() {
            "btn-renew"
        } else {
            "btn-buy"
        };
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, key),
            super::buy::BuyAction::Plans.data(),
        )]);
    }
    rows.push(back(lang));
    Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
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
    let bonuses: Vec<String> = config
        .plans
        .iter()
        .filter(|p| p.enabled && (p.referral_bonus_days > 0 || p.referee_bonus_days > 0))
        .map(|p| {
            tr(
                lang,
                "referral-bonus-line",
                &[
                    ("months", Arg::Num(i64::from(p.period.months()))),
                    ("inviter", Arg::Str(days_text(lang, p.referral_bonus_days))),
                    ("friend", Arg::Str(days_text(lang, p.referee_bonus_days))),
                ],
            )
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
        ] {
            assert_eq!(Action::parse(&a.data()), Some(a));
        }
        assert_eq!(Action::parse("lang:de"), None);
        assert_eq!(Action::parse("Data from button callback"), None);
    }

    #[test]
    fn dates_read_naturally() {
        assert_eq!(date(1_767_225_600), "01.01.2026");
    }
}
