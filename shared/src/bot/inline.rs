//! Inline mode (`@bot` in any chat): everyone gets their referral link as a
//! shareable result; admins (from a proven origin) also get user,
//! financial and system stats, read from the counters.

use super::BotError;
use crate::adapters::app::App;
use crate::base::clock::now;
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Lang, TelegramId};
use crate::domains::admin::stats::Span;
use teloxide_core::payloads::AnswerInlineQuerySetters;
use teloxide_core::requests::Requester;
use teloxide_core::types::{
    InlineQuery, InlineQueryResult, InlineQueryResultArticle, InputMessageContent,
    InputMessageContentText, ParseMode,
};

/// Answers an inline query. Admin results are personal and never cached.
pub async fn on_inline(app: &App, q: InlineQuery, admin: bool) -> Result<(), BotError> {
    let id = TelegramId(q.from.id.0 as i64);
    let lang =
        Lang::from_telegram(q.from.language_code.as_deref()).unwrap_or(app.config.default_language);
    let thumbs = &app.config.inline_thumbnails;
    let mut results = Vec::new();
    if let Some(bot) = app
        .bot_username()
        .await
        .filter(|_| app.config.growth.referral_enabled)
    {
        let code = crate::base::refcode::encode(id);
        let link = format!("https://t.me/{bot}?start=ref_{code}");
        let text = tr(
            lang,
            "inline-referral-text",
            &[("link", Arg::Str(html(&link)))],
        );
        results.push(article(
            "ref",
            t(lang, "inline-referral-title"),
            link,
            text,
            thumbs.referral.as_deref(),
        ));
    }
    if admin {
        let st = crate::domains::admin::stats::load(app, now()).await?;
        let users = tr(
            lang,
            "inline-users-text",
            &[
                (
                    "total",
                    Arg::Num(st.get(Span::All, crate::adapters::store::stats::counter::SIGNUPS)),
                ),
                (
                    "today",
                    Arg::Num(st.get(Span::Today, crate::adapters::store::stats::counter::SIGNUPS)),
                ),
                (
                    "trials",
                    Arg::Num(st.get(Span::Month, crate::adapters::store::stats::counter::TRIALS)),
                ),
            ],
        );
        results.push(article(
            "users",
            t(lang, "inline-users-title"),
            users.clone(),
            users,
            thumbs.user_stats.as_deref(),
        ));
        let money = format!(
            "{}{}",
            t(lang, "inline-money-title"),
            super::admin::stats::revenue_text(app, lang, &st)
        );
        results.push(article(
            "money",
            t(lang, "inline-money-title"),
            strip(&money),
            money,
            thumbs.financial_stats.as_deref(),
        ));
        let panel = match &app.panel {
            Some(_) => t(lang, "inline-system-panel-set"),
            None => t(lang, "inline-system-panel-unset"),
        };
        let system = tr(lang, "inline-system-text", &[("panel", Arg::Str(panel))]);
        results.push(article(
            "system",
            t(lang, "inline-system-title"),
            strip(&system),
            system,
            thumbs.system_stats.as_deref(),
        ));
    }
    let mut req = app
        .bot
        .answer_inline_query(q.id.clone(), results)
        .is_personal(true);
    req = req.cache_time(if admin { 0 } else { 300 });
    if let Err(e) = req.await {
        tracing::warn!("answerInlineQuery failed: {e}");
    }
    Ok(())
}

fn strip(html_text: &str) -> String {
    let mut out = String::new();
    let mut tag = false;
    for c in html_text.chars() {
        match c {
            '<' => tag = true,
            '>' => tag = false,
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out.chars().take(120).collect()
}

fn article(
    id: &str,
    title: String,
    description: String,
    text: String,
    thumb: Option<&str>,
) -> InlineQueryResult {
    let content =
        InputMessageContent::Text(InputMessageContentText::new(text).parse_mode(ParseMode::Html));
    let mut a = InlineQueryResultArticle::new(id, title, content).description(description);
    if let Some(url) = thumb.and_then(|u| reqwest::Url::parse(u).ok()) {
        a = a.thumbnail_url(url);
    }
    InlineQueryResult::Article(a)
}
