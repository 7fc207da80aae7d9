//! Admin commands for promo codes and ad campaigns. The webhook runs them
//! only for an id in `ADMIN_IDS`, checked when the command runs, and only
//! from a proven origin (like `/sync` and `/refund`).
//!
//! Promo codes: `/promo_new`, `/promo_bulk`, `/promos`, `/promo`,
//! `/promo_on`, `/promo_off`, `/promo_limit`, `/promo_until`, `/promo_del`,
//! `/promo_csv`. Campaigns: `/campaign_new`, `/campaigns`, `/campaign`,
//! `/campaign_on`, `/campaign_off`, `/campaign_del`. `/growth` lists them.

use crate::adapters::app::App;
use crate::adapters::store::campaigns::Campaign;
use crate::adapters::store::promos::{Promo, PromoEdit, PromoKind};
use crate::adapters::store::users::User;
use crate::base::format::{date, date_time, money};
use crate::base::i18n::{Arg, html, t, tr};
use crate::base::types::{Kopecks, Lang};
use crate::bot::BotError;
use crate::bot::screens::Screen;
use crate::domains::growth::{campaigns, promo};
use teloxide_core::payloads::SendDocumentSetters;
use teloxide_core::requests::Requester;
use teloxide_core::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile};

/// Every command here.
pub const COMMANDS: &[&str] = &[
    "/growth",
    "/promo_new",
    "/promo_bulk",
    "/promos",
    "/promo",
    "/promo_on",
    "/promo_off",
    "/promo_limit",
    "/promo_until",
    "/promo_del",
    "/promo_csv",
    "/campaign_new",
    "/campaigns",
    "/campaign",
    "/campaign_on",
    "/campaign_off",
    "/campaign_del",
];
/// Codes per page of `/promos`.
const PROMO_PAGE: i32 = 10;
/// Campaigns per page of `/campaigns`.
const CAMPAIGN_PAGE: i32 = 10;
/// Activations shown on a code's page.
const ACTIVATIONS_SHOWN: i32 = 20;
/// Callback prefix of the `/promos` pages.
const PAGE_PREFIX: &str = "gpl:";

/// Whether `command` is one of these.
pub fn is_command(command: &str) -> bool {
    COMMANDS.contains(&command)
}

/// The cursor of a "next page" button of `/promos`.
pub fn page_cursor(data: &str) -> Option<&str> {
    data.strip_prefix(PAGE_PREFIX)
}

/// Runs an admin command (the caller checked the admin and the origin).
pub async fn run(app: &App, admin: &User, text: &str, now: i64) -> Result<(), BotError> {
    let mut words = text.split_whitespace();
    let command = words.next().unwrap_or_default();
    let command = command.split('@').next().unwrap_or_default();
    let args: Vec<&str> = words.collect();
    let lang = admin.lang;
    let reply = match command {
        "/promo_new" => promo_new(app, admin, &args, now).await?,
        "/promo_bulk" => return promo_bulk(app, admin, &args, now).await,
        "/promos" => promo_list(app, lang, None).await?,
        "/promo" => match args.first().and_then(|c| promo::admin_code(c)) {
            Some(code) => promo_view(app, lang, &code, now).await?,
            None => Screen::plain(t(lang, "adm-growth-usage")),
        },
        "/promo_on" | "/promo_off" | "/promo_limit" | "/promo_until" => {
            promo_edit(app, lang, command, &args).await?
        }
        "/promo_del" => match args.first().and_then(|c| promo::admin_code(c)) {
            Some(code) if app.store.delete_promo(&code).await? => Screen::plain(tr(
                lang,
                "adm-promo-deleted",
                &[("code", Arg::Str(html(&code)))],
            )),
            _ => Screen::plain(t(lang, "adm-promo-not-found")),
        },
        "/promo_csv" => {
            let all = promo::all(app).await?;
            let caption = tr(
                lang,
                "adm-promo-export",
                &[("count", Arg::Num(all.len() as i64))],
            );
            return send_csv(app, admin, "promo_codes.csv", promo::to_csv(&all), caption).await;
        }
        "/campaign_new" => campaign_new(app, lang, &args, now).await?,
        "/campaigns" => campaign_list(app, lang, args.first().copied()).await?,
        "/campaign" => match args.first() {
            Some(p) => match app.store.get_campaign(p).await? {
                Some(c) => Screen::plain(campaign_text(app, lang, &c)),
                None => Screen::plain(t(lang, "adm-campaign-not-found")),
            },
            None => Screen::plain(t(lang, "adm-growth-usage")),
        },
        "/campaign_on" | "/campaign_off" => match args.first() {
            Some(p)
                if app
                    .store
                    .set_campaign_active(p, command == "/campaign_on")
                    .await? =>
            {
                Screen::plain(tr(
                    lang,
                    if command == "/campaign_on" {
                        "adm-campaign-on"
                    } else {
                        "adm-campaign-off"
                    },
                    &[("param", Arg::Str(html(p)))],
                ))
            }
            _ => Screen::plain(t(lang, "adm-campaign-not-found")),
        },
        "/campaign_del" => match args.first() {
            Some(p) if app.store.delete_campaign(p).await? => Screen::plain(tr(
                lang,
                "adm-campaign-deleted",
                &[("param", Arg::Str(html(p)))],
            )),
            _ => Screen::plain(t(lang, "adm-campaign-not-found")),
        },
        _ => Screen::plain(t(lang, "adm-growth-usage")),
    };
    crate::bot::reply::send(app, admin.id, &reply).await;
    Ok(())
}

/// Shows the `/promos` page after `cursor` (a "next page" button).
pub async fn promo_page(app: &App, admin: &User, cursor: &str) -> Result<Screen, BotError> {
    promo_list(app, admin.lang, Some(cursor)).await
}

/// `<days|discount|balance> <value> [limit|*] [YYYY-MM-DD|*]`, from `args`.
fn parse_terms(
    args: &[&str],
    now: i64,
    tz: chrono_tz::Tz,
) -> Option<(PromoKind, Option<u64>, Option<i64>)> {
    let kind = match (*args.first()?, *args.get(1)?) {
        ("days", v) => PromoKind::Days(v.parse().ok().filter(|d| (1..=3650).contains(d))?),
        ("discount", v) => PromoKind::Discount(
            v.trim_end_matches('%')
                .parse()
                .ok()
                .filter(|p| (1..=99).contains(p))?,
        ),
        ("balance", v) => PromoKind::Balance(rubles(v)?),
        _ => return None,
    };
    let limit = match args.get(2) {
        None | Some(&"*") => None,
        Some(v) => Some(v.parse::<u64>().ok().filter(|l| *l > 0)?),
    };
    let until = match args.get(3) {
        None | Some(&"*") => None,
        Some(v) => Some(end_of_day(v, tz).filter(|u| *u > now)?),
    };
    (args.len() <= 4).then_some((kind, limit, until))
}

/// Rubles as typed ("100", "99.90") in kopecks.
fn rubles(v: &str) -> Option<u64> {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !(whole.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents: u64 = format!("{frac:0<2}").parse().ok()?;
    let k = whole
        .parse::<u64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)?;
    (k > 0).then_some(k)
}

/// The first second after the day `YYYY-MM-DD` in the operator's time
/// zone (valid through that day, as the operator's customers live it).
fn end_of_day(v: &str, tz: chrono_tz::Tz) -> Option<i64> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
    let midnight = d.succ_opt()?.and_hms_opt(0, 0, 0)?;
    // A midnight a clock change skips: the first moment after it.
    let local = tz.from_local_datetime(&midnight).earliest().or_else(|| {
        tz.from_local_datetime(&(midnight + chrono::Duration::hours(1)))
            .earliest()
    })?;
    Some(local.timestamp())
}

async fn promo_new(app: &App, admin: &User, args: &[&str], now: i64) -> Result<Screen, BotError> {
    let lang = admin.lang;
    let usage = || Screen::plain(t(lang, "adm-promo-new-usage"));
    let Some(first) = args.first() else {
        return Ok(usage());
    };
    let code = match *first {
        "*" => None,
        c => match promo::admin_code(c) {
            Some(c) => Some(c),
            None => return Ok(usage()),
        },
    };
    let Some((kind, limit, until)) = parse_terms(&args[1..], now, app.config.timezone) else {
        return Ok(usage());
    };
    Ok(
        match promo::create(app, admin.id, code, kind, limit, until, now).await? {
            Some(p) => Screen::plain(promo_text(app, lang, &p, now)),
            None => Screen::plain(t(lang, "adm-promo-exists")),
        },
    )
}

async fn promo_bulk(app: &App, admin: &User, args: &[&str], now: i64) -> Result<(), BotError> {
    let lang = admin.lang;
    let count = args
        .first()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|c| (1..=promo::BULK_MAX).contains(c));
    let terms = args
        .get(1..)
        .and_then(|rest| parse_terms(rest, now, app.config.timezone));
    let (Some(count), Some((kind, limit, until))) = (count, terms) else {
        crate::bot::reply::send(
            app,
            admin.id,
            &Screen::plain(t(lang, "adm-promo-bulk-usage")),
        )
        .await;
        return Ok(());
    };
    let made = promo::create_many(app, admin.id, count, kind, limit, until, now).await?;
    let caption = tr(
        lang,
        "adm-promo-bulk-done",
        &[
            ("count", Arg::Num(made.len() as i64)),
            ("what", Arg::Str(promo::describe(app, lang, kind))),
        ],
    );
    send_csv(
        app,
        admin,
        "promo_codes_new.csv",
        promo::to_csv(&made),
        caption,
    )
    .await
}

async fn send_csv(
    app: &App,
    admin: &User,
    name: &str,
    bytes: Vec<u8>,
    caption: String,
) -> Result<(), BotError> {
    let sent = app
        .bot
        .send_document(
            ChatId(admin.id.0),
            InputFile::memory(bytes).file_name(name.to_owned()),
        )
        .caption(caption)
        .await;
    if let Err(e) = sent {
        // The codes exist; the export can be asked for again.
        tracing::error!(admin = %admin.id, "CSV not delivered: {e}");
        crate::bot::reply::send(
            app,
            admin.id,
            &Screen::plain(t(admin.lang, "adm-csv-failed")),
        )
        .await;
    }
    Ok(())
}

async fn promo_list(app: &App, lang: Lang, cursor: Option<&str>) -> Result<Screen, BotError> {
    let (page, next) = app.store.promo_page(cursor, PROMO_PAGE).await?;
    let mut text = t(lang, "adm-promo-list-title");
    if page.is_empty() {
        text.push_str("\n\n");
        text.push_str(&t(lang, "adm-promo-list-empty"));
    }
    for p in &page {
        text.push('\n');
        text.push_str(&tr(
            lang,
            "adm-promo-list-line",
            &[
                ("code", Arg::Str(html(&p.code))),
                ("what", Arg::Str(promo::describe(app, lang, p.kind))),
                ("used", Arg::Num(p.used as i64)),
                ("limit", Arg::Str(limit_text(lang, p.limit))),
                (
                    "state",
                    Arg::Str(t(lang, state_key(p, crate::base::clock::now()))),
                ),
            ],
        ));
    }
    let mut rows = Vec::new();
    if let Some(next) = next.filter(|n| PAGE_PREFIX.len() + n.len() <= 64) {
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, "btn-next-page"),
            format!("{PAGE_PREFIX}{next}"),
        )]);
    }
    Ok(Screen {
        text,
        keyboard: InlineKeyboardMarkup::new(rows),
    })
}

fn limit_text(lang: Lang, limit: Option<u64>) -> String {
    limit.map_or_else(|| t(lang, "adm-unlimited"), |l| l.to_string())
}

fn state_key(p: &Promo, now: i64) -> &'static str {
    if !p.active {
        "adm-promo-state-off"
    } else if p.expired(now) {
        "adm-promo-state-expired"
    } else if p.exhausted() {
        "adm-promo-state-used-up"
    } else {
        "adm-promo-state-on"
    }
}

fn promo_text(app: &App, lang: Lang, p: &Promo, now: i64) -> String {
    tr(
        lang,
        "adm-promo-view",
        &[
            ("code", Arg::Str(html(&p.code))),
            ("what", Arg::Str(promo::describe(app, lang, p.kind))),
            ("used", Arg::Num(p.used as i64)),
            ("limit", Arg::Str(limit_text(lang, p.limit))),
            (
                "until",
                Arg::Str(
                    p.until
                        .map_or_else(|| t(lang, "adm-forever"), |at| date_time(lang, at)),
                ),
            ),
            ("state", Arg::Str(t(lang, state_key(p, now)))),
            ("created", Arg::Str(date(lang, p.created_at))),
        ],
    )
}

async fn promo_view(app: &App, lang: Lang, code: &str, now: i64) -> Result<Screen, BotError> {
    let Some(p) = app.store.get_promo(code).await? else {
        return Ok(Screen::plain(t(lang, "adm-promo-not-found")));
    };
    let mut text = promo_text(app, lang, &p, now);
    let acts = app.store.promo_activations(code, ACTIVATIONS_SHOWN).await?;
    if !acts.is_empty() {
        text.push_str("\n\n");
        text.push_str(&t(lang, "adm-promo-activations"));
        for a in acts {
            text.push_str(&format!(
                "\n• <code>{}</code> — {}",
                a.user,
                date_time(lang, a.at)
            ));
        }
    }
    Ok(Screen::plain(text))
}

async fn promo_edit(
    app: &App,
    lang: Lang,
    command: &str,
    args: &[&str],
) -> Result<Screen, BotError> {
    let usage = || Screen::plain(t(lang, "adm-growth-usage"));
    let Some(code) = args.first().and_then(|c| promo::admin_code(c)) else {
        return Ok(usage());
    };
    let edit = match (command, args.get(1)) {
        ("/promo_on", None) => PromoEdit::Active(true),
        ("/promo_off", None) => PromoEdit::Active(false),
        ("/promo_limit", Some(&"*")) => PromoEdit::Limit(None),
        ("/promo_limit", Some(v)) => match v.parse::<u64>() {
            Ok(l) if l > 0 => PromoEdit::Limit(Some(l)),
            _ => return Ok(usage()),
        },
        ("/promo_until", Some(&"*")) => PromoEdit::Until(None),
        ("/promo_until", Some(v)) => match end_of_day(v, app.config.timezone) {
            Some(u) => PromoEdit::Until(Some(u)),
            None => return Ok(usage()),
        },
        _ => return Ok(usage()),
    };
    if !app.store.edit_promo(&code, edit).await? {
        return Ok(Screen::plain(t(lang, "adm-promo-not-found")));
    }
    promo_view(app, lang, &code, crate::base::clock::now()).await
}

async fn campaign_new(app: &App, lang: Lang, args: &[&str], now: i64) -> Result<Screen, BotError> {
    let (Some(param), Some(cost)) = (
        args.first(),
        args.get(1).and_then(|c| match *c {
            "0" => Some(0),
            c => rubles(c),
        }),
    ) else {
        return Ok(Screen::plain(t(lang, "adm-campaign-new-usage")));
    };
    if !campaigns::valid_param(param) {
        return Ok(Screen::plain(t(lang, "adm-campaign-new-usage")));
    }
    let name = match args.get(2..) {
        Some(rest) if !rest.is_empty() => rest.join(" "),
        _ => (*param).to_owned(),
    };
    if !app.store.register_campaign(param, &name, cost, now).await? {
        return Ok(Screen::plain(t(lang, "adm-campaign-exists")));
    }
    let c = app.store.get_campaign(param).await?.unwrap_or_default();
    let mut text = campaign_text(app, lang, &c);
    if let Some(bot) = app.bot_username().await {
        text.push_str(&format!(
            "\n\n<code>https://t.me/{bot}?start={}</code>",
            html(param)
        ));
    }
    Ok(Screen::plain(text))
}

async fn campaign_list(app: &App, lang: Lang, after: Option<&str>) -> Result<Screen, BotError> {
    let (page, next) = app.store.campaign_page(after, CAMPAIGN_PAGE).await?;
    let mut text = t(lang, "adm-campaign-list-title");
    if page.is_empty() {
        text.push_str("\n\n");
        text.push_str(&t(lang, "adm-campaign-list-empty"));
    }
    for c in &page {
        text.push('\n');
        text.push_str(&tr(
            lang,
            "adm-campaign-list-line",
            &[
                ("param", Arg::Str(html(&c.param))),
                (
                    "name",
                    Arg::Str(
                        c.name
                            .as_deref()
                            .map_or_else(|| t(lang, "adm-campaign-unregistered"), html),
                    ),
                ),
                ("users", Arg::Num(c.users as i64)),
                ("payers", Arg::Num(c.payers as i64)),
                (
                    "revenue",
                    Arg::Str(money(lang, &app.config, Kopecks(c.revenue))),
                ),
            ],
        ));
    }
    if let Some(next) = next {
        text.push_str("\n\n");
        text.push_str(&tr(
            lang,
            "adm-campaign-list-more",
            &[("after", Arg::Str(html(&next)))],
        ));
    }
    Ok(Screen::plain(text))
}

fn campaign_text(app: &App, lang: Lang, c: &Campaign) -> String {
    let profit = c.profit();
    let profit_text = if profit < 0 {
        format!(
            "−{}",
            money(lang, &app.config, Kopecks(profit.unsigned_abs()))
        )
    } else {
        money(lang, &app.config, Kopecks(profit as u64))
    };
    tr(
        lang,
        "adm-campaign-view",
        &[
            ("param", Arg::Str(html(&c.param))),
            (
                "name",
                Arg::Str(
                    c.name
                        .as_deref()
                        .map_or_else(|| t(lang, "adm-campaign-unregistered"), html),
                ),
            ),
            (
                "state",
                Arg::Str(t(
                    lang,
                    if c.active {
                        "adm-promo-state-on"
                    } else {
                        "adm-promo-state-off"
                    },
                )),
            ),
            ("starts", Arg::Num(c.starts as i64)),
            ("users", Arg::Num(c.users as i64)),
            ("trials", Arg::Num(c.trials as i64)),
            ("payers", Arg::Num(c.payers as i64)),
            (
                "revenue",
                Arg::Str(money(lang, &app.config, Kopecks(c.revenue))),
            ),
            ("stars", Arg::Num(c.revenue_stars as i64)),
            ("cost", Arg::Str(money(lang, &app.config, Kopecks(c.cost)))),
            ("profit", Arg::Str(profit_text)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_kind_value_limit_and_date() {
        let now = 1_767_225_600; // 2026-01-01
        assert_eq!(
            parse_terms(&["days", "7", "100", "2026-12-31"], now, chrono_tz::Tz::UTC),
            Some((PromoKind::Days(7), Some(100), Some(1_798_761_600)))
        );
        assert_eq!(
            parse_terms(&["discount", "20%"], now, chrono_tz::Tz::UTC),
            Some((PromoKind::Discount(20), None, None))
        );
        assert_eq!(
            parse_terms(&["balance", "99.9", "*", "*"], now, chrono_tz::Tz::UTC),
            Some((PromoKind::Balance(9990), None, None))
        );
        assert_eq!(
            parse_terms(&["discount", "100"], now, chrono_tz::Tz::UTC),
            None
        );
        assert_eq!(
            parse_terms(&["days", "7", "0"], now, chrono_tz::Tz::UTC),
            None
        );
        assert_eq!(
            parse_terms(&["days", "7", "5", "2025-01-01"], now, chrono_tz::Tz::UTC),
            None,
            "in the past"
        );
        assert_eq!(parse_terms(&["gift", "7"], now, chrono_tz::Tz::UTC), None);
        // "Valid through 31 December" in Moscow ends at midnight there,
        // 21:00 UTC, not at midnight UTC; a day a clock change shortens
        // ends at that day's real end (Berlin's last Sunday of October).
        assert_eq!(
            end_of_day("2026-12-31", chrono_tz::Europe::Moscow),
            Some(1_798_750_800)
        );
        assert_eq!(
            end_of_day("2026-10-25", chrono_tz::Europe::Berlin),
            Some(1_792_969_200)
        );
        assert_eq!(rubles("100"), Some(10_000));
        assert_eq!(rubles("1.5"), Some(150));
        assert_eq!(rubles("1.505"), None);
        assert_eq!(rubles("-1"), None);
    }

    #[test]
    fn page_buttons_fit_telegram() {
        let cursor = format!("{:011}#{}", 1_767_225_600, "A".repeat(32));
        assert!(PAGE_PREFIX.len() + cursor.len() <= 64);
        assert_eq!(
            page_cursor(&format!("{PAGE_PREFIX}{cursor}")),
            Some(cursor.as_str())
        );
    }
}
