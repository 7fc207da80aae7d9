//! The install guide a subscriber reads ("how to connect"), in their
//! language, with their link in it: built from the operator's own
//! Subscription Page configuration when the panel serves one
//! (`/api/subscription-page-configs`: platforms, apps, steps, buttons, each
//! text per language, `{{SUBSCRIPTION_LINK}}` in the links), else from the
//! built-in guide. The bot's "How to connect" screens and the cabinet read
//! the same [`Guide`].

use crate::base::types::Lang;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A guide, resolved for one subscriber: one language, their link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    /// Read from the operator's panel (else the built-in guide).
    pub from_panel: bool,
    /// The platforms, in the configuration's order.
    pub platforms: Vec<GuidePlatform>,
}

/// A platform (iOS, Android, Windows…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidePlatform {
    /// Stable id (`ios`, `android`, `windows`, `macos`, `linux`, `appleTV`…).
    pub id: String,
    /// The name shown.
    pub name: String,
    /// The clients, recommended first.
    pub apps: Vec<GuideApp>,
}

/// One client on one platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideApp {
    /// The client's name.
    pub name: String,
    /// Recommended by the operator.
    pub featured: bool,
    /// The steps, in order.
    pub steps: Vec<GuideStep>,
}

/// One step: what to do, and the buttons that do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideStep {
    /// Short title ("Install the app").
    pub title: String,
    /// What to do.
    pub text: String,
    /// Buttons: their text and where they lead (a store, a download, a
    /// deep link that adds the subscription).
    pub buttons: Vec<GuideButton>,
}

/// A button of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideButton {
    /// What it says.
    pub text: String,
    /// Where it leads, the subscription link filled in.
    pub url: String,
}

impl GuideButton {
    /// Whether Telegram opens it from an inline button (only `https`/`http`
    /// and `tg` links; an app's own scheme must be copied or opened from a
    /// web page).
    pub fn telegram_openable(&self) -> bool {
        ["https://", "http://", "tg://"]
            .iter()
            .any(|p| self.url.starts_with(p))
    }
}

/// Text in several languages as the configuration writes it.
type Localized = BTreeMap<String, String>;

/// The text for `lang`: its own, else English, else the first written.
fn pick(text: &Localized, lang: Lang) -> String {
    text.get(lang.code())
        .or_else(|| text.get("en"))
        .or_else(|| text.values().next())
        .cloned()
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    platforms: BTreeMap<String, RawPlatform>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPlatform {
    #[serde(default)]
    display_name: Localized,
    #[serde(default)]
    apps: Vec<RawApp>,
}

#[derive(Deserialize)]
struct RawApp {
    #[serde(default)]
    name: String,
    #[serde(default)]
    featured: bool,
    #[serde(default)]
    blocks: Vec<RawBlock>,
}

#[derive(Deserialize)]
struct RawBlock {
    #[serde(default)]
    title: Localized,
    #[serde(default)]
    description: Localized,
    #[serde(default)]
    buttons: Vec<RawButton>,
}

#[derive(Deserialize)]
struct RawButton {
    #[serde(default)]
    link: String,
    #[serde(default)]
    text: Localized,
}

/// The order platforms are listed in (others after, as configured).
const PLATFORM_ORDER: [&str; 7] = [
    "ios",
    "android",
    "windows",
    "macos",
    "linux",
    "androidTV",
    "appleTV",
];

/// Where the configuration puts the subscriber's link.
const LINK_PLACEHOLDER: &str = "{{SUBSCRIPTION_LINK}}";

/// The guide the operator's Subscription Page configuration describes, for
/// `lang` and the subscription link `link`; `None` when the configuration
/// has no platform with an app (an empty or unknown format: the built-in
/// guide serves instead).
pub fn from_panel(config: &serde_json::Value, lang: Lang, link: &str) -> Option<Guide> {
    let raw: RawConfig = serde_json::from_value(config.clone()).ok()?;
    let mut platforms: Vec<(usize, GuidePlatform)> = raw
        .platforms
        .into_iter()
        .filter(|(_, p)| !p.apps.is_empty())
        .map(|(id, p)| {
            let rank = PLATFORM_ORDER
                .iter()
                .position(|o| *o == id)
                .unwrap_or(PLATFORM_ORDER.len());
            let name = match pick(&p.display_name, lang) {
                n if n.is_empty() => id.clone(),
                n => n,
            };
            let mut apps: Vec<GuideApp> = p
                .apps
                .into_iter()
                .filter(|a| !a.name.trim().is_empty())
                .map(|a| GuideApp {
                    name: a.name,
                    featured: a.featured,
                    steps: a
                        .blocks
                        .into_iter()
                        .map(|b| GuideStep {
                            title: pick(&b.title, lang),
                            text: pick(&b.description, lang),
                            buttons: b
                                .buttons
                                .into_iter()
                                .filter(|x| !x.link.is_empty())
                                .map(|x| GuideButton {
                                    text: pick(&x.text, lang),
                                    url: x.link.replace(LINK_PLACEHOLDER, link),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect();
            // Recommended first, otherwise as configured.
            apps.sort_by_key(|a| !a.featured);
            (rank, GuidePlatform { id, name, apps })
        })
        .filter(|(_, p)| !p.apps.is_empty())
        .collect();
    platforms.sort_by_key(|(rank, _)| *rank);
    (!platforms.is_empty()).then(|| Guide {
        from_panel: true,
        platforms: platforms.into_iter().map(|(_, p)| p).collect(),
    })
}

/// The guide for a subscriber: the operator's configuration when it gives
/// one, else the built-in guide (`guide::PLATFORMS`).
pub fn guide_for(config: Option<&serde_json::Value>, lang: Lang, link: &str) -> Guide {
    config
        .and_then(|c| from_panel(c, lang, link))
        .unwrap_or_else(|| builtin(lang, link))
}

/// The built-in guide in `lang` with `link`: per app, install it, add the
/// subscription with its deep link, connect.
pub fn builtin(lang: Lang, link: &str) -> Guide {
    use crate::base::i18n::{Arg, t, tr};
    let platforms = super::guide::PLATFORMS
        .iter()
        .map(|p| GuidePlatform {
            id: p.id.to_owned(),
            name: p.name.to_owned(),
            apps: p
                .apps
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let name = Arg::Str(a.name.to_owned());
                    GuideApp {
                        name: a.name.to_owned(),
                        featured: i == 0,
                        steps: vec![
                            GuideStep {
                                title: t(lang, "guide-step-install"),
                                text: tr(
                                    lang,
                                    "guide-step-install-text",
                                    &[("name", name.clone())],
                                ),
                                buttons: vec![GuideButton {
                                    text: t(lang, "guide-btn-download"),
                                    url: a.download.to_owned(),
                                }],
                            },
                            GuideStep {
                                title: t(lang, "guide-step-add"),
                                text: tr(lang, "guide-step-add-text", &[("name", name)]),
                                buttons: vec![GuideButton {
                                    text: t(lang, "guide-btn-add"),
                                    url: a.link.for_subscription(link),
                                }],
                            },
                            GuideStep {
                                title: t(lang, "guide-step-connect"),
                                text: t(lang, "guide-step-connect-text"),
                                buttons: Vec::new(),
                            },
                        ],
                    }
                })
                .collect(),
        })
        .collect();
    Guide {
        from_panel: false,
        platforms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> serde_json::Value {
        json!({
            "version": "1",
            "locales": ["ru", "en"],
            "platforms": {
                "windows": {"displayName": {"en": "Windows", "ru": "Windows"}, "apps": [
                    {"name": "Hiddify", "featured": false, "blocks": []},
                    {"name": "Happ", "featured": true, "blocks": [
                        {"title": {"en": "Install", "ru": "Установите"},
                         "description": {"en": "Download it.", "ru": "Скачайте."},
                         "buttons": [{"link": "https://example.com/happ.exe", "type": "external",
                                      "text": {"en": "Download", "ru": "Скачать"}}]},
                        {"title": {"en": "Add"}, "description": {"en": "Tap."},
                         "buttons": [{"link": "happ://add/{{SUBSCRIPTION_LINK}}", "type": "subscriptionLink",
                                      "text": {"en": "Add subscription"}}]}
                    ]}
                ]},
                "ios": {"displayName": {"en": "iPhone"}, "apps": [
                    {"name": "Streisand", "featured": true, "blocks": []}
                ]},
                "androidTV": {"displayName": {}, "apps": []}
            }
        })
    }

    #[test]
    fn the_panels_guide_is_read_in_the_users_language_with_their_link() {
        let g = from_panel(&config(), Lang::Ru, "https://sub.example/abc").expect("a guide");
        assert!(g.from_panel);
        let ids: Vec<&str> = g.platforms.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            ["ios", "windows"],
            "known order, empty platforms left out"
        );
        let windows = &g.platforms[1];
        assert_eq!(windows.apps[0].name, "Happ", "recommended first");
        let steps = &windows.apps[0].steps;
        assert_eq!(steps[0].title, "Установите");
        assert_eq!(steps[0].buttons[0].text, "Скачать");
        assert_eq!(
            steps[1].title, "Add",
            "English when the language is missing"
        );
        assert_eq!(
            steps[1].buttons[0].url,
            "happ://add/https://sub.example/abc"
        );
        assert!(!steps[1].buttons[0].telegram_openable());
        assert!(steps[0].buttons[0].telegram_openable());
    }

    #[test]
    fn an_empty_or_foreign_configuration_gives_no_guide() {
        assert_eq!(from_panel(&json!({}), Lang::En, "x"), None);
        assert_eq!(from_panel(&json!({"platforms": []}), Lang::En, "x"), None);
        assert_eq!(from_panel(&json!("text"), Lang::En, "x"), None);
    }
}
