//! Stats on the admin side: the stats screen from the counters with the
//! panel's health, the stats and the revenue as text (inline mode shows
//! them too), the 30-day chart sent as a photo.

use super::menu::{Reply, back, btn, plain_back};
use crate::adapters::app::App;
use crate::adapters::pay::Money;
use crate::adapters::store::stats::counter;
use crate::adapters::store::users::User;
use crate::base::admin_callback::AdminAction;
use crate::base::clock::now;
use crate::base::format::money;
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::{Kopecks, Lang};
use crate::bot::BotError;
use crate::bot::reply::send;
use crate::bot::screens::Screen;
use crate::domains::admin::stats::{Span, Stats};
use std::time::Duration;
use teloxide_core::payloads::SendPhotoSetters;
use teloxide_core::requests::Requester;
use teloxide_core::types::{ChatId, InlineKeyboardMarkup, InputFile, ParseMode};

/// The stats screen, from the counters.
pub async fn stats_screen(app: &App, lang: Lang) -> Result<Screen, BotError> {
    // The panel is asked alongside the counters; its failure shows as
    // "unavailable", never breaks the screen.
    let (st, panel) = futures::join!(
        Box::pin(crate::domains::admin::stats::load(app, now())),
        Box::pin(panel_health(app, lang))
    );
    let mut text = stats_text(app, lang, &st?);
    text.push_str(&panel);
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(vec![
            vec![
                btn(lang, "admin-btn-refresh", AdminAction::Stats),
                btn(lang, "admin-btn-chart", AdminAction::Chart),
            ],
            back(lang),
        ]),
    })
}

/// The panel's health line of the stats screen (empty without a panel).
async fn panel_health(app: &App, lang: Lang) -> String {
    let Some(panel) = app.panel.as_ref() else {
        return String::new();
    };
    // A slow panel must not hold the screen: it waits at most this long.
    let asked = tokio::time::timeout(Duration::from_secs(3), panel.system_stats()).await;
    match asked
        .map_err(|_| "timed out".to_owned())
        .and_then(|r| r.map_err(|e| e.to_string()))
    {
        Ok(s) => {
            let gb = |b: f64| format!("{:.1}", b / 1_073_741_824.0);
            format!(
                "\n{}",
                tr(
                    lang,
                    "admin-stats-panel",
                    &[
                        ("users", Arg::Num(s.users.total_users as i64)),
                        ("online", Arg::Num(s.online_stats.online_now as i64)),
                        ("nodes", Arg::Num(s.nodes.total_online as i64)),
                        ("used", Arg::Str(gb(s.memory.used))),
                        ("total", Arg::Str(gb(s.memory.total))),
                        ("days", Arg::Num((s.uptime / 86_400.0) as i64)),
                    ],
                )
            )
        }
        Err(e) => {
            tracing::warn!("panel stats unavailable: {e}");
            format!("\n{}", t(lang, "admin-stats-panel-unavailable"))
        }
    }
}

/// The stats as text (the screen and the inline results).
pub fn stats_text(app: &App, lang: Lang, st: &Stats) -> String {
    let four = |name: &str| {
        [Span::Today, Span::Week, Span::Month, Span::All]
            .map(|s| st.get(s, name).to_string())
            .join(" / ")
    };
    let mut text = tr(
        lang,
        "admin-stats",
        &[
            ("users", Arg::Str(four(counter::SIGNUPS))),
            ("banned", Arg::Num(st.get(Span::All, counter::BANNED))),
            ("blocked", Arg::Num(st.get(Span::All, counter::BLOCKED))),
            ("active", Arg::Num(st.standing.active)),
            ("on_trial", Arg::Num(st.standing.trial)),
            ("trials", Arg::Str(four(counter::TRIALS))),
            ("plans", Arg::Str(four(counter::PLANS))),
            ("first", Arg::Str(four(counter::FIRST_PLANS))),
            ("refunds", Arg::Str(four(counter::REFUNDS))),
            ("f_start", Arg::Num(st.get(Span::Month, counter::SIGNUPS))),
            ("f_trial", Arg::Num(st.get(Span::Month, counter::TRIALS))),
            (
                "f_first",
                Arg::Num(st.get(Span::Month, counter::FIRST_PLANS)),
            ),
            (
                "f_renew",
                Arg::Num(
                    st.get(Span::Month, counter::PLANS) - st.get(Span::Month, counter::FIRST_PLANS),
                ),
            ),
        ],
    );
    text.push_str(&revenue_text(app, lang, st));
    text
}

/// Revenue by period and provider.
pub fn revenue_text(app: &App, lang: Lang, st: &Stats) -> String {
    let mut text = String::new();
    for (span, key) in [
        (Span::Today, "admin-span-today"),
        (Span::Week, "admin-span-week"),
        (Span::Month, "admin-span-month"),
        (Span::All, "admin-span-all"),
    ] {
        let rev = st.revenue(span);
        text.push_str(&format!("\n<b>{}</b>: ", t(lang, key)));
        if rev.is_empty() {
            text.push('0');
        }
        let parts: Vec<String> = rev
            .iter()
            .map(|((prov, cur), v)| {
                let m =
                    Money::from_minor((*v).max(0) as u64, cur).unwrap_or(Money::Rub(Kopecks(0)));
                format!(
                    "{prov} {}",
                    crate::domains::money::effects::amount_text(app, lang, &m)
                )
            })
            .collect();
        text.push_str(&parts.join(", "));
    }
    let sales = st.sales(Span::Month);
    if !sales.is_empty() {
        let parts: Vec<String> = sales
            .iter()
            .map(|((kind, cur), v)| {
                let m =
                    Money::from_minor((*v).max(0) as u64, cur).unwrap_or(Money::Rub(Kopecks(0)));
                format!(
                    "{} {}",
                    t(lang, &format!("admin-sold-{kind}")),
                    crate::domains::money::effects::amount_text(app, lang, &m)
                )
            })
            .collect();
        text.push_str(&format!(
            "\n<b>{}</b>: {}",
            t(lang, "admin-sales-month"),
            parts.join(", ")
        ));
    }
    text
}

pub(super) async fn chart(app: &App, admin: &User) -> Result<Reply, BotError> {
    let lang = admin.lang;
    let st = crate::domains::admin::stats::load(app, now()).await?;
    let labels = crate::domains::admin::chart::Labels {
        lang,
        signups: t(lang, "admin-chart-signups"),
        rub: t(lang, "admin-chart-revenue"),
        stars: t(lang, "admin-chart-stars"),
        today: t(lang, "admin-span-today"),
        period: t(lang, "admin-chart-period"),
    };
    let days = st.chart_days();
    let png = match crate::domains::admin::chart::render(&days, &labels) {
        Ok(png) => png,
        Err(e) => {
            tracing::error!("chart not drawn: {e}");
            return Ok(Reply::Screen(plain_back(
                lang,
                t(lang, "admin-chart-failed"),
            )));
        }
    };
    let total: i64 = days.iter().map(|d| d.rub).sum();
    let caption = tr(
        lang,
        "admin-chart-caption",
        &[
            (
                "revenue",
                Arg::Str(money(lang, &app.config, Kopecks(total.max(0) as u64 * 100))),
            ),
            (
                "stars",
                Arg::Str(crate::base::format::grouped(
                    lang,
                    days.iter().map(|d| d.stars).sum::<i64>().max(0) as u64,
                )),
            ),
        ],
    );
    let sent = app
        .bot
        .send_photo(
            ChatId(admin.id.0),
            InputFile::memory(png).file_name("stats.png"),
        )
        .caption(caption)
        .parse_mode(ParseMode::Html)
        .await;
    if let Err(e) = sent {
        tracing::error!("chart not sent: {e}");
        send(app, admin.id, &Screen::plain(t(lang, "admin-chart-failed"))).await;
    }
    Ok(Reply::Sent)
}
