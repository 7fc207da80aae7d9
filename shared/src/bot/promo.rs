//! Promo codes for users: the "Promo code" button asks for a code, the
//! next text is tried; a `promo_<CODE>` link is kept on the user and tried
//! once they are past registration and the channel gate.

use super::BotError;
use super::screens::Screen;
use crate::adapters::app::App;
use crate::adapters::store::users::User;
use crate::base::callback::{Action, BuyAction};
use crate::base::format::{date, money};
use crate::base::i18n::{Arg, html, t, tr};
use crate::domains::growth::promo::{self, Gift, Outcome};
use teloxide_core::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// The conversation state of "send me the code".
pub const AWAITING_PROMO: &str = "promo_code";

/// Whether the bot asked this user for a promo code.
pub fn awaiting(user: &User, now: i64) -> bool {
    user.waiting_for(now) == Some(AWAITING_PROMO)
}

/// "Send me your promo code".
pub fn ask(user: &User) -> Screen {
    Screen {
        text: t(user.lang, "promo-ask"),
        keyboard: InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback(
            t(user.lang, "btn-back"),
            Action::Menu.data(),
        )]]),
    }
}

/// Tries `raw` as a code for `user` and renders the result.
pub async fn apply(app: &App, user: &User, raw: &str, now: i64) -> Result<Screen, BotError> {
    let outcome = promo::activate(app, user, raw, now).await?;
    Ok(render(app, user.lang, outcome))
}

/// What an activation did, as a screen.
pub fn render(app: &App, lang: crate::base::types::Lang, outcome: Outcome) -> Screen {
    match outcome {
        Outcome::Activated { code, gift } => {
            let (text, action) = match gift {
                Gift::Days { days, end } => (
                    tr(
                        lang,
                        "promo-activated-days",
                        &[
                            ("code", Arg::Str(html(&code))),
                            ("days", Arg::Num(i64::from(days))),
                            ("date", Arg::Str(date(lang, end))),
                        ],
                    ),
                    ("btn-subscription", Action::Subscription.data()),
                ),
                Gift::Discount { percent, until } => (
                    tr(
                        lang,
                        "promo-activated-discount",
                        &[
                            ("code", Arg::Str(html(&code))),
                            ("percent", Arg::Num(i64::from(percent))),
                            ("date", Arg::Str(date(lang, until))),
                        ],
                    ),
                    ("btn-buy", BuyAction::Plans.data()),
                ),
                Gift::Balance(k) => (
                    tr(
                        lang,
                        "promo-activated-balance",
                        &[
                            ("code", Arg::Str(html(&code))),
                            ("amount", Arg::Str(money(lang, &app.config, k))),
                        ],
                    ),
                    ("btn-profile", Action::Profile.data()),
                ),
            };
            Screen {
                text,
                keyboard: InlineKeyboardMarkup::new(vec![
                    vec![InlineKeyboardButton::callback(t(lang, action.0), action.1)],
                    vec![InlineKeyboardButton::callback(
                        t(lang, "btn-back"),
                        Action::Menu.data(),
                    )],
                ]),
            }
        }
        Outcome::Refused(why) => Screen {
            text: t(lang, why.key()),
            keyboard: InlineKeyboardMarkup::new(vec![vec![
                InlineKeyboardButton::callback(t(lang, "btn-promo-again"), Action::Promo.data()),
                InlineKeyboardButton::callback(t(lang, "btn-back"), Action::Menu.data()),
            ]]),
        },
    }
}

/// What the code a `promo_<CODE>` link left on the user came to.
pub enum Pending {
    /// Activated: shown at once.
    Activated(Screen),
    /// Refused (used up, expired, …): shown after the welcome, gently.
    Refused(Screen),
}

/// Tries the code a `promo_<CODE>` link left on the user, once.
pub async fn apply_pending(
    app: &App,
    user: &mut User,
    now: i64,
) -> Result<Option<Pending>, BotError> {
    let Some(code) = user.pending_promo.clone() else {
        return Ok(None);
    };
    let outcome = promo::activate(app, user, &code, now).await?;
    app.store.clear_pending_promo(user.id).await?;
    user.pending_promo = None;
    Ok(Some(match outcome {
        Outcome::Refused(why) => {
            let lang = user.lang;
            let mut screen = render(app, lang, Outcome::Refused(why));
            screen.text = tr(
                lang,
                "promo-link-refused",
                &[
                    ("code", Arg::Str(html(&code))),
                    ("why", Arg::Str(screen.text)),
                ],
            );
            Pending::Refused(screen)
        }
        activated => Pending::Activated(render(app, user.lang, activated)),
    }))
}
