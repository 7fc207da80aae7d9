//! User-facing text, from the Fluent files in `shared/locales/`.

use crate::base::types::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

const RU: &str = include_str!("../../locales/ru.ftl");
const EN: &str = include_str!("../../locales/en.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang) -> &'static Bundle {
    static RU_BUNDLE: OnceLock<Bundle> = OnceLock::new();
    static EN_BUNDLE: OnceLock<Bundle> = OnceLock::new();
    let (cell, source, id) = match lang {
        Lang::Ru => (&RU_BUNDLE, RU, unic_langid::langid!("ru")),
        Lang::En => (&EN_BUNDLE, EN, unic_langid::langid!("en")),
    };
    cell.get_or_init(|| {
        let resource =
            FluentResource::try_new(source.to_owned()).unwrap_or_else(|(res, errors)| {
                tracing::error!(lang = lang.code(), ?errors, "fluent syntax errors");
                res
            });
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Telegram shows the isolation marks as garbage in some clients.
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(lang = lang.code(), ?errors, "fluent resource errors");
        }
        bundle
    })
}

/// A language's Fluent source (the locale check reads its syntax tree).
#[cfg(test)]
pub(crate) fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => RU,
        Lang::En => EN,
    }
}

/// A language's bundle, for the locale check.
#[cfg(test)]
pub(crate) fn bundle_for_check(lang: Lang) -> &'static Bundle {
    bundle(lang)
}

/// A message without arguments.
pub fn t(lang: Lang, key: &str) -> String {
    tr(lang, key, &[])
}

/// A message with named arguments.
pub fn tr(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        tracing::error!(lang = lang.code(), key, "missing translation");
        return key.to_owned();
    };
    let mut fargs = FluentArgs::new();
    for (name, value) in args {
        let v = match value {
            Arg::Str(s) => FluentValue::from(s.clone()),
            Arg::Num(n) => FluentValue::from(*n),
        };
        fargs.set(*name, v);
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
    if !errors.is_empty() {
        tracing::error!(lang = lang.code(), key, ?errors, "translation errors");
    }
    text.into_owned()
}

/// A message argument.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Text (already HTML-escaped where it came from a user).
    Str(String),
    /// A number (selects plural forms).
    Num(i64),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Str(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Str(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Num(v)
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Num(i64::from(v))
    }
}
impl From<u64> for Arg {
    fn from(v: u64) -> Self {
        Arg::Num(v as i64)
    }
}

/// Escapes text for Telegram's HTML parse mode.
pub fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A bot text (Telegram's HTML) as plain text: tags dropped, entities
/// decoded (the cabinet's page sets it as text, never as HTML; a CSV
/// cell holds it).
pub fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The message ids of a language's file, for completeness checks.
pub fn message_ids(lang: Lang) -> Vec<String> {
    let source = match lang {
        Lang::Ru => RU,
        Lang::En => EN,
    };
    let mut ids: Vec<String> = source
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-', '\t', '.', '[', '*', '}']) && l.contains(" ="))
        .filter_map(|l| l.split(" =").next())
        .map(|s| s.trim().to_owned())
        .collect();
    ids.sort();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_messages() {
        assert_eq!(message_ids(Lang::Ru), message_ids(Lang::En));
        assert!(message_ids(Lang::En).len() > 10);
    }

    /// Found when two features each added a `traffic-unlimited`: the
    /// second silently replaced the first's text.
    #[test]
    fn bot_html_becomes_text() {
        assert_eq!(
            plain("Active until <b>1 May</b> &lt;3 &amp; <code>a&quot;b</code>"),
            "Active until 1 May <3 & a\"b"
        );
    }

    #[test]
    fn no_key_is_written_twice() {
        for lang in Lang::ALL {
            let ids = message_ids(lang);
            let twice: Vec<&String> = ids
                .windows(2)
                .filter(|w| w[0] == w[1])
                .map(|w| &w[0])
                .collect();
            assert!(twice.is_empty(), "{lang:?}: written twice: {twice:?}");
        }
    }

    #[test]
    fn plurals_follow_the_language() {
        assert_eq!(
            tr(Lang::En, "days-count", &[("count", 1i64.into())]),
            "1 day"
        );
        assert_eq!(
            tr(Lang::En, "days-count", &[("count", 5i64.into())]),
            "5 days"
        );
        assert_eq!(
            tr(Lang::Ru, "days-count", &[("count", 1i64.into())]),
            "1 день"
        );
        assert_eq!(
            tr(Lang::Ru, "days-count", &[("count", 3i64.into())]),
            "3 дня"
        );
        assert_eq!(
            tr(Lang::Ru, "days-count", &[("count", 11i64.into())]),
            "11 дней"
        );
    }

    #[test]
    fn html_escaping() {
        assert_eq!(html("<b>&"), "&lt;b&gt;&amp;");
    }
}
