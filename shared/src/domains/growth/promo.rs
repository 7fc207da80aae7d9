//! Promo codes: reading what a user typed, activating a code exactly once
//! per user and never past its limit, and the admins' bulk tools.
//!
//! Activation is one DynamoDB transaction: the code's `used` goes up under
//! the condition that it is on, in time and below its limit; the user's
//! activation marker is put under `attribute_not_exists`; the user gets the
//! days, the balance or the discount; the ledger records it. Of any number
//! of concurrent activations, exactly as many as the limit commit.

use crate::adapters::app::App;
use crate::adapters::store::promos::{Promo, PromoKind, Try};
use crate::adapters::store::users::User;
use crate::base::i18n::{Arg, html, tr};
use crate::base::types::{Kopecks, TelegramId};
use crate::domains::access::sync::SyncReason;
use crate::domains::error::Error;
use crate::domains::money::effects::sync;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Wrong guesses allowed per user per [`GUESS_WINDOW_SECS`].
pub const GUESS_LIMIT: u64 = 10;
/// The window wrong guesses are counted in.
pub const GUESS_WINDOW_SECS: i64 = 3600;
/// How long a discount from a code is held for the next purchase.
pub const DISCOUNT_SECS: i64 = 7 * 86_400;
/// Shortest and longest code.
pub const CODE_LEN: std::ops::RangeInclusive<usize> = 3..=32;
/// Length of a random code.
pub const RANDOM_LEN: usize = 8;
/// Most codes one bulk creation makes.
pub const BULK_MAX: usize = 1000;
/// Attempts when the user's subscription end changes under us.
const ATTEMPTS: usize = 6;
/// Letters of random codes: no 0/O or 1/I to misread.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// What the user typed, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A well-formed code, upper case.
    Code(String),
    /// Not a code (wrong length or characters): told so, nothing flagged.
    Malformed,
    /// Looks like an attack (SQL, markup, control characters, absurd
    /// length): refused and flagged to admins.
    Suspicious,
}

/// Reads a typed or linked code, in any script: Unicode-normalised (NFKC,
/// so full-width `ＳＡＬＥ` and a decomposed `Й` read as typed plainly) and
/// upper-cased with Unicode's mapping (the Python bots' `str.upper()`), so
/// `лето2026`, `Лето2026` and `ЛЕТО2026` are one code. A code of ASCII
/// letters reads exactly as it always did (`spring25` → `SPRING25`): codes
/// stored before keep their keys.
pub fn read_input(raw: &str) -> Input {
    let text: String = raw.trim().nfkc().collect();
    let text = text.trim();
    let lower = text.to_lowercase();
    const MARKERS: [&str; 14] = [
        "select ", "union ", "insert ", "drop ", "delete ", "update ", "--", "/*", "';", "\";",
        " or 1", "<script", "${", "{{",
    ];
    let attack = text.len() > 200
        || text
            .chars()
            .any(|c| c.is_control() || "<>`'\";\\".contains(c))
        || MARKERS.iter().any(|m| lower.contains(m));
    if attack {
        return Input::Suspicious;
    }
    // Upper-casing can leave a sequence NFKC would write otherwise.
    let code: String = text.to_uppercase().nfkc().collect();
    let well_formed = CODE_LEN.contains(&code.chars().count())
        && code.chars().next().is_some_and(char::is_alphanumeric)
        && code
            .chars()
            .all(|c| c.is_alphanumeric() || is_combining_mark(c) || c == '_' || c == '-');
    if well_formed {
        Input::Code(code)
    } else {
        Input::Malformed
    }
}

/// Why an activation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such code.
    Unknown,
    /// Past its end.
    Expired,
    /// Switched off by an admin.
    Inactive,
    /// Its limit is reached.
    Exhausted,
    /// This user activated it before.
    AlreadyUsed,
    /// Too many wrong guesses lately.
    TooManyGuesses,
    /// Not a code.
    Malformed,
    /// Looked like an attack.
    Suspicious,
}

impl Refusal {
    /// The text key shown to the user.
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Unknown => "promo-unknown",
            Refusal::Expired => "promo-expired",
            Refusal::Inactive => "promo-inactive",
            Refusal::Exhausted => "promo-exhausted",
            Refusal::AlreadyUsed => "promo-already-used",
            Refusal::TooManyGuesses => "promo-too-many",
            Refusal::Malformed => "promo-malformed",
            Refusal::Suspicious => "promo-refused",
        }
    }
}

pub use crate::adapters::store::promos::Gift;

/// The result of an activation attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Activated now.
    Activated {
        /// The code.
        code: String,
        /// What it gave.
        gift: Gift,
    },
    /// Refused.
    Refused(Refusal),
}

/// Activates what `user` typed (or linked). Days reach the panel through
/// the sync queue; activations go to the log chat, attacks are flagged.
pub async fn activate(app: &App, user: &User, raw: &str, now: i64) -> Result<Outcome, Error> {
    let code = match read_input(raw) {
        Input::Code(c) => c,
        Input::Malformed => return Ok(Outcome::Refused(Refusal::Malformed)),
        Input::Suspicious => {
            flag(app, user, raw).await;
            return Ok(Outcome::Refused(Refusal::Suspicious));
        }
    };
    if app
        .store
        .promo_guesses(user.id, GUESS_WINDOW_SECS, now)
        .await?
        >= GUESS_LIMIT
    {
        return Ok(Outcome::Refused(Refusal::TooManyGuesses));
    }
    for _ in 0..ATTEMPTS {
        let Some(promo) = app.store.get_promo(&code).await? else {
            app.store
                .add_promo_guess(user.id, GUESS_WINDOW_SECS, now)
                .await?;
            return Ok(Outcome::Refused(Refusal::Unknown));
        };
        if let Some(refusal) = refusal_of(&promo, now) {
            // Someone who activated it before hears that, not "used up".
            if app.store.promo_activated_by(&promo.code, user.id).await? {
                return already_used(app, &promo, user.id).await;
            }
            return Ok(Outcome::Refused(refusal));
        }
        match app
            .store
            .try_activate(&promo, user.id, now, DISCOUNT_SECS)
            .await?
        {
            Try::Done(gift) => {
                after_activation(app, user, &promo, &gift).await?;
                return Ok(Outcome::Activated {
                    code: promo.code,
                    gift,
                });
            }
            Try::AlreadyUsed => return already_used(app, &promo, user.id).await,
            Try::CodeChanged | Try::UserChanged => continue,
        }
    }
    Err(Error::Raced("promo activation"))
}

/// A second activation by the same user. It may be a re-delivered update
/// whose first run stopped before queuing the panel sync: queue it again
/// (the FIFO queue drops the duplicate).
async fn already_used(app: &App, promo: &Promo, user: TelegramId) -> Result<Outcome, Error> {
    if matches!(promo.kind, PromoKind::Days(_)) {
        sync(app, user, SyncReason::Promo, &dedup(&promo.code, user)).await?;
    }
    Ok(Outcome::Refused(Refusal::AlreadyUsed))
}

fn refusal_of(promo: &Promo, now: i64) -> Option<Refusal> {
    if !promo.active {
        Some(Refusal::Inactive)
    } else if promo.expired(now) {
        Some(Refusal::Expired)
    } else if promo.exhausted() {
        Some(Refusal::Exhausted)
    } else {
        None
    }
}

fn dedup(code: &str, user: TelegramId) -> String {
    format!("promo-{code}-{user}")
}

async fn after_activation(app: &App, user: &User, promo: &Promo, gift: &Gift) -> Result<(), Error> {
    if let Gift::Days { .. } = gift {
        sync(
            app,
            user.id,
            SyncReason::Promo,
            &dedup(&promo.code, user.id),
        )
        .await?;
    }
    if app.config.log.promo_activations {
        let lang = app.config.default_language;
        app.admin_log(tr(
            lang,
            "log-promo-activated",
            &[
                ("name", Arg::Str(html(&user.first_name))),
                ("id", Arg::Str(user.id.to_string())),
                ("code", Arg::Str(html(&promo.code))),
                ("what", Arg::Str(describe(app, lang, promo.kind))),
            ],
        ))
        .await;
    }
    Ok(())
}

/// What a code gives, in words ("7 days", "−20%", "100 ₽").
pub fn describe(app: &App, lang: crate::base::types::Lang, kind: PromoKind) -> String {
    match kind {
        PromoKind::Days(d) => tr(lang, "promo-kind-days", &[("days", Arg::Num(i64::from(d)))]),
        PromoKind::Discount(p) => tr(
            lang,
            "promo-kind-discount",
            &[("percent", Arg::Num(i64::from(p)))],
        ),
        PromoKind::Balance(k) => crate::base::format::money(lang, &app.config, Kopecks(k)),
    }
}

async fn flag(app: &App, user: &User, raw: &str) {
    let sample: String = raw.chars().take(100).collect();
    tracing::warn!(user = %user.id, len = raw.len(), "suspicious promo input refused");
    if app.config.log.suspicious_activity {
        app.admin_log(tr(
            app.config.default_language,
            "log-promo-suspicious",
            &[
                ("id", Arg::Str(user.id.to_string())),
                ("input", Arg::Str(html(&sample))),
                ("len", Arg::Num(raw.len() as i64)),
            ],
        ))
        .await;
    }
}

/// A random code of [`RANDOM_LEN`] characters from an unambiguous alphabet
/// (32 letters: 40 bits of randomness).
pub fn random_code() -> String {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    // Bytes 6 and 8 carry the UUID's version and variant bits.
    [0, 1, 2, 3, 4, 5, 7, 9]
        .into_iter()
        .take(RANDOM_LEN)
        .map(|i| ALPHABET[usize::from(bytes[i]) % ALPHABET.len()] as char)
        .collect()
}

/// A code an admin may give: well formed, upper case.
pub fn admin_code(raw: &str) -> Option<String> {
    match read_input(raw) {
        Input::Code(c) => Some(c),
        _ => None,
    }
}

/// Makes a code; with `code` `None` a random one (retried on the rare
/// collision). `None` back when the given code exists.
pub async fn create(
    app: &App,
    by: TelegramId,
    code: Option<String>,
    kind: PromoKind,
    limit: Option<u64>,
    until: Option<i64>,
    now: i64,
) -> Result<Option<Promo>, Error> {
    let random = code.is_none();
    for _ in 0..5 {
        let promo = Promo {
            code: code.clone().unwrap_or_else(random_code),
            kind,
            limit,
            used: 0,
            until,
            active: true,
            created_at: now,
        };
        if app.store.create_promo(&promo, by).await? {
            return Ok(Some(promo));
        }
        if !random {
            return Ok(None);
        }
    }
    Err(Error::Raced("random promo codes"))
}

/// Makes `count` random codes alike, 16 writes at a time.
pub async fn create_many(
    app: &App,
    by: TelegramId,
    count: usize,
    kind: PromoKind,
    limit: Option<u64>,
    until: Option<i64>,
    now: i64,
) -> Result<Vec<Promo>, Error> {
    use futures::stream::{self, StreamExt, TryStreamExt};
    stream::iter(0..count.min(BULK_MAX))
        .map(|_| async move {
            create(app, by, None, kind, limit, until, now)
                .await?
                .ok_or(Error::Raced("a random promo code"))
        })
        .buffer_unordered(16)
        .try_collect()
        .await
}

/// Every code, page after page (the admin's export).
pub async fn all(app: &App) -> Result<Vec<Promo>, Error> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = app.store.promo_page(cursor.as_deref(), 500).await?;
        out.extend(page);
        match next {
            Some(n) => cursor = Some(n),
            None => return Ok(out),
        }
    }
}

/// Codes as CSV: `code,kind,value,limit,used,valid_until,active,created_at`
/// (value: days, percent, or rubles; times as UTC dates).
pub fn to_csv(promos: &[Promo]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "code",
        "kind",
        "value",
        "limit",
        "used",
        "valid_until",
        "active",
        "created_at",
    ];
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for p in promos {
        let value = match p.kind {
            PromoKind::Balance(k) => Kopecks(k).display_rubles(),
            other => other.value().to_string(),
        };
        let _ = w.write_record([
            p.code.clone(),
            p.kind.code().to_owned(),
            value,
            p.limit.map(|l| l.to_string()).unwrap_or_default(),
            p.used.to_string(),
            p.until.map(stamp).unwrap_or_default(),
            p.active.to_string(),
            stamp(p.created_at),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

fn stamp(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_in_upper_case_and_attacks_are_told_apart() {
        assert_eq!(read_input(" spring25 "), Input::Code("SPRING25".into()));
        assert_eq!(
            read_input("NEW-YEAR_2026"),
            Input::Code("NEW-YEAR_2026".into())
        );
        assert_eq!(read_input("ab"), Input::Malformed);
        assert_eq!(read_input("two words"), Input::Malformed);
        assert_eq!(read_input(&"A".repeat(40)), Input::Malformed);
        assert_eq!(read_input("x' OR 1=1 --"), Input::Suspicious);
        assert_eq!(read_input("1; DROP TABLE users"), Input::Suspicious);
        assert_eq!(read_input("<b>promo</b>"), Input::Suspicious);
        assert_eq!(read_input("UNION SELECT * FROM codes"), Input::Suspicious);
        assert_eq!(read_input(&"A".repeat(500)), Input::Suspicious);
        assert_eq!(read_input("promo\u{0}"), Input::Suspicious);
    }

    #[test]
    fn codes_in_any_script_are_one_code_whatever_the_case() {
        for typed in ["ЛЕТО2026", "лето2026", " Лето2026 ", "ЛеТо2026"] {
            assert_eq!(read_input(typed), Input::Code("ЛЕТО2026".into()), "{typed}");
        }
        // Й typed as И and a combining breve; full-width Latin; Greek's
        // final sigma; a script with combining vowel signs.
        assert_eq!(read_input("йод7"), Input::Code("ЙОД7".into()));
        assert_eq!(
            read_input("\u{0438}\u{0306}од7"),
            Input::Code("ЙОД7".into())
        );
        assert_eq!(
            read_input("ｓｐｒｉｎｇ２５"),
            Input::Code("SPRING25".into())
        );
        assert_eq!(read_input("καλός"), Input::Code("ΚΑΛΌΣ".into()));
        assert_eq!(read_input("नमस्ते"), Input::Code("नमस्ते".into()));
        // Length counts characters, not bytes; a mark cannot start a code.
        assert_eq!(read_input(&"Ж".repeat(32)), Input::Code("Ж".repeat(32)));
        assert_eq!(read_input(&"Ж".repeat(33)), Input::Malformed);
        assert_eq!(read_input("\u{0306}AB"), Input::Malformed);
        assert_eq!(read_input("лето 2026"), Input::Malformed);
        assert_eq!(read_input("ЛЕТО!"), Input::Malformed);
        // ASCII codes keep the form they were stored in.
        assert_eq!(admin_code("spring_25"), Some("SPRING_25".into()));
    }

    #[test]
    fn random_codes_use_the_unambiguous_alphabet() {
        let a = random_code();
        assert_eq!(a.len(), RANDOM_LEN);
        assert!(a.bytes().all(|b| ALPHABET.contains(&b)), "{a}");
        assert_ne!(a, random_code());
        assert_eq!(admin_code(&a), Some(a));
    }

    #[test]
    fn the_export_is_csv_with_a_header() {
        let p = Promo {
            code: "SPRING".into(),
            kind: PromoKind::Balance(10_050),
            limit: Some(10),
            used: 3,
            until: None,
            active: true,
            created_at: 1_767_225_600,
        };
        let text = String::from_utf8(to_csv(&[p])).expect("utf-8");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("code,kind,value,limit,used,valid_until,active,created_at")
        );
        assert_eq!(
            lines.next(),
            Some("SPRING,balance,100.50,10,3,,true,2026-01-01 00:00")
        );
    }
}
